// The keyframe differential test on the long recording: over an hour of a page that mutates all
// the time, with one full snapshot at the start and none after (rrweb's defaults), so a seek
// near the end replays almost an hour of mutations. At 20 moments across it, the DOM of
// `tapedeck-cli events --to MS` replayed from the start must equal that of `keyframe --at MS`.
//
//   node tools/keyframes/record-long.mjs      # once: records target/bench/long-recording.json
//   node --test tests/keyframes/long.test.mjs
//
// Like mirror.test.mjs it fails without a `keyframe` subcommand, and TAPEDECK_KEYFRAME_STANDIN=1
// tests the harness with a keyframe made in JS (here the whole prefix: there is one snapshot).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";

import { formatDiff, openComparer } from "./dom-compare.mjs";
import { STANDIN, cliLibrary, lastMutationIndex, sampleTimes, standinKeyframe } from "./common.mjs";
import { LONG_RECORDING } from "../../tools/keyframes/record-long.mjs";

let cmp;
let lib;
before(async () => {
  cmp = await openComparer();
  lib = cliLibrary();
});
after(async () => {
  await cmp?.close();
  lib?.close();
});

test(
  "long recording: keyframes replay to the DOM of the replay from the start",
  { timeout: 600_000 },
  async (t) => {
    assert.ok(
      existsSync(LONG_RECORDING),
      `${LONG_RECORDING} is missing: record it with \`node tools/keyframes/record-long.mjs\``,
    );
    const imported = lib.import(LONG_RECORDING);
    assert.ok(imported.session, imported.error);
    const { session } = imported;
    assert.ok(
      session.durationMs >= 3_600_000,
      `the recording lasts ${session.durationMs} ms, not an hour`,
    );
    const all = JSON.parse(lib.events(session.id));
    const failures = [];
    for (const at of sampleTimes(all, 20)) {
      const ms = at - session.startedAt;
      const started = Date.now();
      // rrweb draws the first full snapshot at once, whatever the time.
      const firstSnapshot = all.find((e) => e.type === 2).timestamp;
      const fromStart = lib.events(session.id, {
        toMs: Math.max(at, firstSnapshot) - session.startedAt,
      });
      const keyframe = STANDIN
        ? JSON.stringify(standinKeyframe(all, at))
        : lib.keyframe(session.id, ms);
      const result = await cmp.compare(fromStart, keyframe, at);
      t.diagnostic(
        `${(ms / 60_000).toFixed(1)} min: ${result.equal ? "equal" : "DIFFERENT"} (${Date.now() - started} ms)`,
      );
      if (!result.equal) failures.push(`at ${ms} ms: ${formatDiff(result)}`);
    }
    if (failures.length)
      assert.fail(`A = replay from the start, B = keyframe\n${failures.join("\n")}`);
  },
);

test(
  "long recording: seeking as the player does (a stored keyframe, then rrweb to the moment) reaches the DOM of the replay from the start",
  { timeout: 600_000 },
  async (t) => {
    assert.ok(existsSync(LONG_RECORDING), `${LONG_RECORDING} is missing`);
    const { session } = lib.import(LONG_RECORDING);
    const all = JSON.parse(lib.events(session.id));
    const failures = [];
    let throughKeyframes = 0;
    const times = sampleTimes(all, 20);
    for (const at of times) {
      const ms = at - session.startedAt;
      // rrweb draws the first full snapshot at once, whatever the time.
      const firstSnapshot = all.find((e) => e.type === 2).timestamp;
      const fromStart = lib.events(session.id, {
        toMs: Math.max(at, firstSnapshot) - session.startedAt,
      });
      const seek = STANDIN
        ? { events: JSON.stringify(standinKeyframe(all, at)), keyframe: false }
        : lib.seekEvents(session.id, ms);
      if (seek.keyframe) throughKeyframes++;
      const result = await cmp.compare(fromStart, seek.events, at);
      if (!result.equal) failures.push(`at ${ms} ms: ${formatDiff(result)}`);
    }
    t.diagnostic(`${throughKeyframes} of ${times.length} seeks started at a stored keyframe`);
    if (failures.length)
      assert.fail(`A = replay from the start, B = seek through a keyframe\n${failures.join("\n")}`);
    // Past the first keyframe interval every seek must start at one.
    if (!STANDIN) assert.ok(throughKeyframes >= times.length - 3, `${throughKeyframes} seeks`);
  },
);

test("long recording: the replay is at the right moment, and one dropped mutation is caught", async (t) => {
  assert.ok(existsSync(LONG_RECORDING), `${LONG_RECORDING} is missing`);
  const { t0 } = JSON.parse(readFileSync(LONG_RECORDING.replace(/\.json$/, ".meta.json"), "utf8"));
  const { session } = lib.import(LONG_RECORDING);
  const ms = 30 * 60_000;
  const at = session.startedAt + ms;
  const events = JSON.parse(lib.events(session.id, { toMs: ms }));

  // #clock shows the whole seconds since t0: the serialised replay is the page at `at`.
  const text = JSON.stringify(await cmp.serialise(events, at));
  const shown = Number(/"v":"T\+(\d+)"/.exec(text)?.[1]);
  assert.ok(Math.abs(shown - (at - t0) / 1000) <= 1, `#clock shows T+${shown} at ${at - t0} ms`);

  const victim = events[lastMutationIndex(events, at)];
  const result = await cmp.compare(
    events,
    events.filter((e) => e !== victim),
    at,
  );
  assert.equal(result.equal, false, "dropping the last mutation must change the replayed DOM");
  t.diagnostic(formatDiff(result));
});
