// The comparison harness tests itself, without the CLI: a keyframe made in JS from the recording
// (its events from the last full snapshot) replays to the same DOM as the recording from its
// start, and one with a single event dropped is caught, for each kind of state the serialiser
// covers (markup, text, form values, scroll, CSSOM, shadow roots, iframe documents, selection).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { formatDiff, openComparer, repoRoot } from "./dom-compare.mjs";
import { EventType, Source, corpusDir, standinKeyframe } from "./common.mjs";

// Sorted, and without a stray event dated days past the rest (video-playback.json has one), as
// the importer does.
function load(path) {
  const events = JSON.parse(readFileSync(path, "utf8")).sort((a, b) => a.timestamp - b.timestamp);
  return events.filter((e) => e.timestamp - events[0].timestamp < 86_400_000);
}
const corpus = (file) => load(join(corpusDir(), "public/rrweb", file));
const sample = (file) => load(join(repoRoot, "samples", file));
const incremental = (source) => (e) =>
  e.type === EventType.IncrementalSnapshot && e.data.source === source;

// Each case: a recording and the kind of event to drop (the last one); the comparison is made at
// that event's moment, and `expect` is the part of the diff that names what differs.
const CASES = [
  [
    "kanban mutation",
    () => sample("kanban.json"),
    incremental(Source.Mutation),
    /text|child|attribute/,
  ],
  ["checkout input", () => sample("checkout.json"), incremental(Source.Input), /value|checked/],
  [
    "release-notes scroll",
    () => sample("release-notes.json"),
    incremental(Source.Scroll),
    /state scroll/,
  ],
  ["scroll element", () => corpus("scroll.json"), incremental(Source.Scroll), /state scroll/],
  [
    "style rule",
    () => corpus("style-sheet-rule-events.json"),
    incremental(Source.StyleSheetRule),
    /state sheet/,
  ],
  ["shadow root", () => corpus("shadow-dom.json"), incremental(Source.Mutation), /#shadow/],
  ["iframe document", () => corpus("iframe.json"), incremental(Source.Mutation), /#document/],
  [
    "media",
    () => corpus("video-playback.json"),
    incremental(Source.MediaInteraction),
    /state (paused|currentTime|muted|volume|playbackRate)/,
  ],
  ["selection", () => corpus("selection.json"), incremental(14), /state selection/],
  ["adopted sheet", () => corpus("adopted-style-sheet.json"), incremental(15), /adopted/],
];

let cmp;
before(async () => {
  cmp = await openComparer();
});
after(() => cmp?.close());

for (const [name, events, drop, expect] of CASES) {
  test(`${name}: the stand-in keyframe is equal, one dropped event is caught`, async (t) => {
    const all = events();
    const victim = all.findLast(drop);
    assert.ok(victim, "the recording has an event of that kind");
    const at = victim.timestamp;
    const fromStart = all.filter((e) => e.timestamp <= at);
    const keyframe = standinKeyframe(all, at);
    assert.ok(keyframe.length < fromStart.length || !all.slice(1).some((e) => e.type === 2));

    const same = await cmp.compare(fromStart, keyframe, at);
    assert.ok(same.equal, formatDiff(same));

    const corrupted = await cmp.compare(
      fromStart,
      keyframe.filter((e) => e !== victim),
      at,
    );
    assert.equal(corrupted.equal, false, "dropping the event must change the replayed DOM");
    t.diagnostic(formatDiff(corrupted));
    assert.match(`${corrupted.path}: ${corrupted.what}`, expect, formatDiff(corrupted));
  });
}

test("the serialiser sees the replayed page, not an empty document", async () => {
  const all = sample("checkout.json");
  const tree = await cmp.serialise(all, all.at(-1).timestamp);
  const text = JSON.stringify(tree);
  assert.match(text, /Thank you, Ada!/);
  assert.match(text, /"value":"ada@example.com"|"value":"[^"]+@[^"]+"/);
});
