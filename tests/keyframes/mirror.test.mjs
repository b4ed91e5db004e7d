// The keyframe differential test: for every rrweb recording of the corpus
// (`public/rrweb/` of TAPEDECK_CORPUS, else `../shared/corpus` beside the repository) and the
// repository's `samples/*.json`, the DOM reached by replaying `tapedeck-cli events --to MS` (the
// recording from its start) must equal the DOM reached by replaying `tapedeck-cli keyframe --at
// MS` (the mirror's keyframe), both seeked to the same moment, at about ten moments per window.
//
//   cargo build -p tapedeck-cli && node --test tests/keyframes/mirror.test.mjs
//
// Without a `keyframe` subcommand the test fails: there is nothing to test yet.
// TAPEDECK_KEYFRAME_STANDIN=1 swaps in a keyframe made in JS from the recording (its events from
// the last full snapshot at or before MS), which must pass: that tests the harness itself;
// TAPEDECK_KEYFRAME_STANDIN=corrupt drops its last mutation, which must fail with readable diffs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import { formatDiff, openComparer } from "./dom-compare.mjs";
import { STANDIN, cliLibrary, recordings, sampleTimes, standinKeyframe } from "./common.mjs";

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

for (const [name, path] of recordings()) {
  test(`${name}: a keyframe replays to the DOM of the replay from the start`, async (t) => {
    const imported = lib.import(path);
    if (imported.error) {
      // Not a playable recording (e.g. events without timestamps): nothing to seek in.
      t.diagnostic(`not imported: ${imported.error}`);
      return;
    }
    const { session } = imported;
    const failures = [];
    let checked = 0;
    for (let window = 0; window < (session.windowCount ?? 1); window++) {
      const all = JSON.parse(lib.events(session.id, { window }));
      if (all.length < 2 || !all.some((e) => e.type === 2)) {
        t.diagnostic(`window ${window}: no full snapshot, cannot be replayed`);
        continue;
      }
      for (const at of sampleTimes(all)) {
        const ms = at - session.startedAt;
        // rrweb draws the first full snapshot at once, whatever the time: a replay from the
        // start always has it.
        const firstSnapshot = all.find((e) => e.type === 2).timestamp;
        const toMs = Math.max(at, firstSnapshot) - session.startedAt;
        const fromStart = lib.events(session.id, { toMs, window });
        const keyframe = STANDIN
          ? JSON.stringify(standinKeyframe(all, at))
          : lib.keyframe(session.id, ms, window);
        const result = await cmp.compare(fromStart, keyframe, at);
        checked++;
        if (!result.equal) failures.push(`window ${window} at ${ms} ms: ${formatDiff(result)}`);
      }
    }
    t.diagnostic(`${checked} moments compared${STANDIN ? " (stand-in keyframe)" : ""}`);
    if (failures.length)
      assert.fail(`A = replay from the start, B = keyframe\n${failures.join("\n")}`);
  });
}
