#!/usr/bin/env node
// Makes the long recording the keyframe tests seek in (tests/keyframes/long.test.mjs): over an
// hour of a page that mutates all the time, recorded by the real rrweb recorder on Playwright's
// clock. That is exactly the player benchmark's recording (tools/long-recording/), so this
// records it with the same script into the same place, and a recording already there with the
// same key is kept: it is recorded once (about six minutes) for both.
//
//   node tools/keyframes/record-long.mjs [--force]
//
// Output: target/bench/long-recording.json and long-recording.meta.json beside it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const LONG_RECORDING = fileURLToPath(
  new URL("../../target/bench/long-recording.json", import.meta.url),
);
// At least an hour: the tests need moments past the hour mark.
export const MINUTES = 65;

const script = fileURLToPath(new URL("../long-recording/record.mjs", import.meta.url));

/** Records (or keeps) the long recording; returns its path. */
export function recordLong({ force = false } = {}) {
  const args = [script, "--minutes", String(MINUTES), "--out", LONG_RECORDING];
  if (force) args.push("--force");
  const run = spawnSync(process.execPath, args, { stdio: "inherit" });
  if (run.status !== 0) throw new Error(`recording the long session failed (${run.status})`);
  return LONG_RECORDING;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  recordLong({ force: process.argv.includes("--force") });
}
