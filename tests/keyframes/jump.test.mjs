// The player keeps its page when a seek needs another starting point: it loads the keyframe (or
// full snapshot) into the same Replayer and diffs the live page into it (ui/src/player/jump.ts).
// For every rrweb recording of the corpus and the samples, one Replayer jumps through a chain
// of moments, back and forth, each time to the keyframe there (or to the recording from its
// start); after each jump its DOM must equal that of a fresh replay from the start.
//
//   cargo build -p tapedeck-cli && node --test tests/keyframes/jump.test.mjs
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";

import { diffTrees, formatDiff, openComparer } from "./dom-compare.mjs";
import { cliLibrary, recordings, sampleTimes } from "./common.mjs";
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

/** Visits `times` out of order: the middle, the start, the end, then inwards from both ends. */
function jumpOrder(times) {
  const order = [times[Math.floor(times.length / 2)]];
  for (let lo = 0, hi = times.length - 1; lo <= hi; lo++, hi--) {
    order.push(times[lo]);
    if (hi !== lo) order.push(times[hi]);
  }
  return order;
}

/** Compares each step of a jump chain with a fresh replay from the start at its moment. */
async function checkChain(session, window, all, steps, label) {
  const { trees, rebuilt, attributeWrites } = await cmp.jumpChain(steps);
  const firstSnapshot = all.find((e) => e.type === 2).timestamp;
  const failures = [];
  for (let i = 0; i < steps.length; i++) {
    const { at, how } = steps[i];
    const toMs = Math.max(at, firstSnapshot) - session.startedAt;
    const fromStart = await cmp.serialise(lib.events(session.id, { toMs, window }), at);
    const d = diffTrees(fromStart, trees[i]);
    if (!d.equal) {
      failures.push(
        `${label} step ${i} (${how} at ${at - session.startedAt} ms): ${formatDiff(d)}`,
      );
    }
  }
  return { failures, rebuilt, attributeWrites };
}

for (const [name, path] of recordings()) {
  test(`${name}: jumping between keyframes in one page reaches the DOM of the replay from the start`, async (t) => {
    const imported = lib.import(path);
    if (imported.error) {
      t.diagnostic(`not imported: ${imported.error}`);
      return;
    }
    const { session } = imported;
    const failures = [];
    let jumps = 0;
    let rebuilt = 0;
    for (let window = 0; window < (session.windowCount ?? 1); window++) {
      const all = JSON.parse(lib.events(session.id, { window }));
      if (all.length < 2 || !all.some((e) => e.type === 2)) continue;
      const steps = jumpOrder(sampleTimes(all, 8)).map((at, i) => {
        const ms = at - session.startedAt;
        // Every third step goes back to the recording's own first snapshot, as a seek into the
        // first chunk does; the others to the keyframe at that moment.
        const fromStart = i % 3 === 2;
        const firstSnapshot = all.find((e) => e.type === 2).timestamp;
        return {
          at,
          how: fromStart ? "from the start" : "keyframe",
          events: fromStart
            ? lib.events(session.id, {
                toMs: Math.max(at, firstSnapshot) - session.startedAt,
                window,
              })
            : lib.keyframe(session.id, ms, window),
        };
      });
      jumps += steps.length - 1;
      const chain = await checkChain(session, window, all, steps, `window ${window}`);
      failures.push(...chain.failures);
      rebuilt += chain.rebuilt;
    }
    t.diagnostic(`${jumps} jumps compared, ${rebuilt} of them to a new Replayer`);
    if (failures.length)
      assert.fail(`A = replay from the start, B = after jumping\n${failures.join("\n")}`);
  });
}

test(
  "long recording: jumping through stored keyframes as the player seeks reaches the DOM of the replay from the start",
  { timeout: 600_000 },
  async (t) => {
    assert.ok(existsSync(LONG_RECORDING), `${LONG_RECORDING} is missing`);
    const { session } = lib.import(LONG_RECORDING);
    const all = JSON.parse(lib.events(session.id));
    let throughKeyframes = 0;
    const steps = jumpOrder(sampleTimes(all, 10)).map((at) => {
      const seek = lib.seekEvents(session.id, at - session.startedAt);
      if (seek.keyframe) throughKeyframes++;
      return { at, how: seek.keyframe ? "stored keyframe" : "full snapshot", events: seek.events };
    });
    const { failures, rebuilt, attributeWrites } = await checkChain(
      session,
      0,
      all,
      steps,
      "window 0",
    );
    t.diagnostic(`${steps.length - 1} jumps, ${throughKeyframes} to stored keyframes`);
    if (failures.length)
      assert.fail(`A = replay from the start, B = after jumping\n${failures.join("\n")}`);
    // The page kept is patched where it differs, and only there: rewriting an attribute to
    // the value it has would have the browser style and lay out the whole page again.
    const writes = attributeWrites.slice(1);
    t.diagnostic(`attribute writes per jump: ${writes.map((w) => w.changed).join(" ")}`);
    assert.ok(
      writes.some((w) => w.changed > 0),
      "the jumps change attributes (else there is nothing to see here)",
    );
    assert.deepEqual(
      writes.map((w) => w.unchanged),
      writes.map(() => 0),
      "attribute writes that left the value as it was, per jump",
    );
    // This page has nothing the diff cannot carry: every jump keeps it.
    assert.equal(rebuilt, 0, "jumps that needed a new Replayer");
    assert.ok(throughKeyframes >= steps.length - 3, `${throughKeyframes} stored keyframes`);
  },
);

test("a jump that drops an event is caught", async () => {
  // The comparison must be able to fail: the same chain with the last step's final mutation
  // left out differs from the replay from the start.
  const path = recordings().find(([n]) => n === "samples/kanban.json")[1];
  const { session } = lib.import(path);
  const all = JSON.parse(lib.events(session.id));
  const mutations = all.filter((e) => e.type === 3 && e.data.source === 0);
  const at = mutations.at(-1).timestamp;
  const early = mutations[Math.floor(mutations.length / 3)].timestamp;
  const events = JSON.parse(lib.events(session.id, { toMs: at - session.startedAt }));
  const dropped = events.filter(
    (e) => e !== events.findLast((x) => x.type === 3 && x.data.source === 0),
  );
  const steps = [
    { at, how: "from the start", events: lib.events(session.id, { toMs: at - session.startedAt }) },
    { at: early, how: "keyframe", events: lib.keyframe(session.id, early - session.startedAt) },
    { at, how: "without its last mutation", events: dropped },
  ];
  const { trees, rebuilt } = await cmp.jumpChain(steps);
  assert.equal(rebuilt, 0);
  const fromStart = await cmp.serialise(events, at);
  assert.ok(diffTrees(fromStart, trees[0]).equal, "the first step replays as from the start");
  assert.equal(diffTrees(fromStart, trees[2]).equal, false, "the dropped mutation is seen");
});
