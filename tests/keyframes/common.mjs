// What the keyframe tests share: the recordings to test on, the CLI, the stand-in keyframe and
// the choice of sample times.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

import { repoRoot } from "./dom-compare.mjs";

export const EventType = { FullSnapshot: 2, IncrementalSnapshot: 3, Meta: 4 };
export const Source = { Mutation: 0, Scroll: 3, Input: 5, MediaInteraction: 7, StyleSheetRule: 8 };

/**
 * TAPEDECK_KEYFRAME_STANDIN=1: the keyframe is made in JS from the recording itself (see
 * `standinKeyframe`). `=corrupt`: the same, less its last mutation, to see the tests fail.
 */
const standinMode = process.env.TAPEDECK_KEYFRAME_STANDIN;
export const STANDIN = standinMode === "1" || standinMode === "corrupt";
const CORRUPT = standinMode === "corrupt";

/** The shared corpus: TAPEDECK_CORPUS, else `../shared/corpus` beside the repository. */
export function corpusDir() {
  const env = process.env.TAPEDECK_CORPUS;
  const dir = env
    ? isAbsolute(env)
      ? env
      : resolve(repoRoot, env)
    : join(repoRoot, "../shared/corpus");
  if (!existsSync(join(dir, "public"))) {
    throw new Error(`the recording corpus is missing at ${dir}; set TAPEDECK_CORPUS`);
  }
  return dir;
}

/** The rrweb recordings of the corpus and the repository's samples, as [name, path]. */
export function recordings() {
  const rrweb = join(corpusDir(), "public/rrweb");
  const samples = join(repoRoot, "samples");
  const json = (dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
  return [
    ...json(rrweb).map((f) => [`corpus/${f}`, join(rrweb, f)]),
    ...json(samples).map((f) => [`samples/${f}`, join(samples, f)]),
  ];
}

const CLI = join(repoRoot, "target/debug/tapedeck-cli");

/** A throwaway library driven through the CLI (built with `cargo build -p tapedeck-cli`). */
export function cliLibrary() {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build it with \`cargo build -p tapedeck-cli\``);
  }
  const dir = mkdtempSync(join(tmpdir(), "tapedeck-keyframes-lib-"));
  const library = join(dir, "library.sqlite3");
  const run = (args) =>
    execFileSync(CLI, ["--library", library, ...args], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
      stdio: ["ignore", "pipe", "pipe"],
    });
  return {
    /**
     * Imports a file: `{ session }` (id, startedAt, durationMs, windowCount...) or `{ error }`
     * for a file that is not a playable recording (the CLI then exits non-zero).
     */
    import(path) {
      let out;
      try {
        out = run(["import", path, "--json"]);
      } catch (e) {
        out = String(e.stdout ?? "");
        if (!out.trim().startsWith("[")) throw e;
      }
      const [result] = JSON.parse(out);
      const session = result.outcome?.session;
      return session ? { session } : { error: result.error?.message ?? JSON.stringify(result) };
    },
    /** The recorded events of a window up to `toMs` (from the session start), as JSON text. */
    events(id, { toMs, window = 0 } = {}) {
      const range = toMs === undefined ? [] : ["--to", String(toMs)];
      return run(["events", id, ...range, "--window", String(window)]);
    },
    /** The keyframe at `atMs` as JSON text; throws a readable error when there is none. */
    keyframe(id, atMs, window = 0) {
      try {
        return run(["keyframe", id, "--at", String(atMs), "--window", String(window)]);
      } catch (e) {
        const stderr = String(e.stderr ?? "");
        if (/unrecognized subcommand|unknown subcommand/i.test(stderr)) {
          throw new Error(
            "tapedeck-cli has no `keyframe` subcommand yet, so there is nothing to test " +
              "(TAPEDECK_KEYFRAME_STANDIN=1 tests the harness with a keyframe made in JS)",
          );
        }
        throw new Error(`tapedeck-cli keyframe ${id} --at ${atMs} failed: ${stderr.trim()}`);
      }
    },
    /**
     * What the player loads to seek to `atMs`: the stored keyframe (or full snapshot) last
     * before it and the chunks from there through it, as `{ events, keyframe }` (JSON text,
     * and whether a keyframe starts it).
     */
    seekEvents(id, atMs, window = 0) {
      const args = ["--library", library, "keyframe", id, "--at", String(atMs)];
      const r = spawnSync(CLI, [...args, "--window", String(window), "--stored"], {
        encoding: "utf8",
        maxBuffer: 1 << 30,
      });
      if (r.status !== 0) throw new Error(`tapedeck-cli keyframe --stored failed: ${r.stderr}`);
      return { events: r.stdout, keyframe: /after their keyframe/.test(r.stderr) };
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The stand-in keyframe: the recording's own events from its last full snapshot at or before
 * `at` (epoch ms), with the Meta before it, up to `at`. It must replay to the same DOM.
 */
export function standinKeyframe(events, at) {
  const keyframe = replayFromLastSnapshot(events, at);
  if (!CORRUPT) return keyframe;
  const victim = events[lastMutationIndex(events, at)];
  return keyframe.filter((e) => e !== victim);
}

function replayFromLastSnapshot(events, at) {
  let snap = -1;
  for (let i = 0; i < events.length && events[i].timestamp <= at; i++) {
    if (events[i].type === EventType.FullSnapshot) snap = i;
  }
  if (snap < 0) return events.filter((e) => e.timestamp <= at);
  let start = snap;
  for (let i = snap; i >= 0; i--) {
    if (events[i].type === EventType.Meta) {
      start = i;
      break;
    }
  }
  return events.slice(start).filter((e) => e.timestamp <= at);
}

/** The index of the last Mutation event at or before `at` after the last full snapshot. */
export function lastMutationIndex(events, at) {
  let found = -1;
  for (let i = 0; i < events.length && events[i].timestamp <= at; i++) {
    const e = events[i];
    if (e.type === EventType.FullSnapshot) found = -1;
    if (e.type === EventType.IncrementalSnapshot && e.data.source === Source.Mutation) found = i;
  }
  return found;
}

const INTERESTING = new Set([
  Source.Mutation,
  Source.Scroll,
  Source.Input,
  Source.MediaInteraction,
  Source.StyleSheetRule,
]);

/**
 * About `count` moments (epoch ms) to test a recording at: its start and end, even steps
 * between, and the moments of some mutations, scrolls, inputs, media and style sheet events
 * (an event's own timestamp is "just after" it: it is applied at that moment).
 */
export function sampleTimes(events, count = 10) {
  const start = events[0].timestamp;
  const end = events[events.length - 1].timestamp;
  const times = new Set([start, end]);
  const even = Math.ceil(count / 2) - 1;
  for (let i = 1; i < even; i++) times.add(Math.round(start + ((end - start) * i) / even));
  const marks = events.filter(
    (e) =>
      e.type === EventType.FullSnapshot ||
      (e.type === EventType.IncrementalSnapshot && INTERESTING.has(e.data.source)),
  );
  const want = count - times.size;
  for (let i = 0; i < want && marks.length; i++) {
    times.add(marks[Math.floor(((i + 0.5) * marks.length) / want)].timestamp);
  }
  return [...times].sort((a, b) => a - b);
}
