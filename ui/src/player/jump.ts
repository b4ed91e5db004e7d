// Moves a live rrweb Replayer to another starting point of the same window (a keyframe, or a
// full snapshot) without throwing its page away.
//
// rrweb rebuilds a full snapshot by reopening the iframe's document and building every node
// anew; the browser then styles and lays out the whole page again. That is most of a cold
// seek's time on a big page. Here the snapshot is built in rrweb's virtual DOM instead, the
// events up to the target are applied there as rrweb fast-forwards, and rrweb's own diff
// (rrdom, the one it flushes every fast-forward with) patches the live page into it: nodes
// are matched by their recorded ids, which keyframes keep, so what did not change between the
// two moments stays as it is, styled and laid out.
//
// A diff only carries what the virtual DOM holds. The state a fresh page would not have but a
// reused node keeps is reset first: form values (every form element gets its snapshot value),
// style sheet rules inserted with the CSSOM, element scroll, adopted style sheets, selection.
// tests/keyframes/jump.test.mjs checks the result against a replay from the recording's start.

import type { Replayer, eventWithTime } from "rrweb";
import { buildNodeWithSN } from "rrweb-snapshot";

/** rrweb event and incremental source numbers used here (rrweb's own enums). */
const FULL_SNAPSHOT = 2;
const INCREMENTAL = 3;
const MUTATION = 0;
const MOUSE_INTERACTION = 2;
const SCROLL = 3;
const FOCUS = 5;
const BLUR = 6;

/**
 * Elements whose live state is not in the markup and that a diff cannot put back (a typed
 * value, a modal dialog, a playing video, a shadow root once attached): not reused, rebuilt.
 */
const REBUILT = "input, textarea, select, option";
/**
 * Pages the diff cannot bring to a fresh page's state: nested documents (an iframe's document
 * is only diffed when the element is reused and already has one), dialogs (the top layer) and
 * media (rrweb-snapshot cannot build their playing state into the virtual DOM). A page with
 * one of these gets a new Replayer.
 */
const NOT_DIFFED = new Set(["iframe", "frame", "dialog", "video", "audio"]);

/** The parts of rrweb's Replayer this relies on (private in its typings). */
interface ReplayerInternals {
  iframe: HTMLIFrameElement;
  mirror: {
    getId(n: Node): number;
    getNode(id: number): Node | null;
    removeNodeFromMap(n: Node): void;
    nodeMetaMap: WeakMap<Node, unknown>;
  };
  virtualDom: VirtualDocument;
  usingVirtualDom: boolean;
  cache: unknown;
  legacy_missingNodeRetryMap: Record<string, unknown>;
  firstFullSnapshot: unknown;
  config: { triggerFocus?: boolean };
  lastSelectionData: unknown;
  applySelection(d: unknown): void;
  applyIncremental(e: eventWithTime, isSync: boolean): void;
  service: { state: { context: { events: eventWithTime[]; lastPlayedEvent: unknown } } };
  emitter: {
    emit(type: string, payload?: unknown): void;
    on(type: string, handler: () => void): void;
    all: Map<string, (() => void)[]>;
  };
  rebuildFullSnapshot(event: eventWithTime, isSync?: boolean): void;
  insertStyleRules(documentElement: unknown, head: unknown): void;
  applyScroll(d: { id: number }, isSync: boolean): void;
  applyStyleSheetRule(data: unknown, sheet: CSSStyleSheet | null): void;
  applyStyleDeclaration(data: unknown, sheet: CSSStyleSheet | null): void;
  applyAdoptedStyleSheet(data: { id: number }): void;
}

interface VirtualDocument {
  mirror: { reset(): void };
  documentElement: unknown;
  head: unknown;
  scrollData: unknown;
  destroyTree(): void;
}

/** A serialised node of a full snapshot (rrweb-snapshot's format). */
interface SnapshotNode {
  id: number;
  tagName?: string;
  attributes?: Record<string, string | number | boolean>;
  childNodes?: SnapshotNode[];
}

interface SnapshotData {
  node: SnapshotNode;
  initialOffset?: { top: number; left: number };
}

/** Lets one Replayer jump between starting points of its window; see the top of the file. */
export class PageJumper {
  private readonly r: ReplayerInternals;
  /** The next full snapshot applied while fast-forwarding is a jump: diff it in. */
  private armed = false;
  /** Live state the events put on nodes that a diff would keep (reset before each jump). */
  private readonly scrolled = new Set<Node>();
  private readonly sheets = new Set<HTMLStyleElement>();
  private readonly adopted = new Set<Node>();
  /** Between the virtual rebuild and the flush that diffs it in. */
  private syncing = false;
  /** Ids of the snapshot being diffed in, and the focus changes to make once it is. */
  private snapshotIds = new Set<number>();
  private focusChanges: { id: number; focus: boolean }[] = [];
  private selection: unknown = null;
  /** In a jump's flush: the scrolls the diff asks for, by node id, made once it is done. */
  private flushing = false;
  private readonly scrolls = new Map<number, { id: number }>();
  private applyScrollNow: (d: { id: number }, isSync: boolean) => void = () => {};
  /** Undoes skipUnchangedAttributes once the jump's diff is done. */
  private restoreSetAttribute: () => void = () => {};

  constructor(replayer: Replayer) {
    this.r = replayer as unknown as ReplayerInternals;
    const r = this.r;
    const rebuild = r.rebuildFullSnapshot.bind(r);
    r.rebuildFullSnapshot = (event, isSync = false) => {
      if (this.armed && isSync && this.liveDocument()) {
        this.armed = false;
        try {
          this.buildVirtual(event);
          return;
        } catch {
          // Something rrweb-snapshot cannot build virtually: rebuild the page as rrweb does.
          r.virtualDom.destroyTree();
          r.usingVirtualDom = false;
          this.syncing = false;
        }
      }
      this.forget();
      rebuild(event, isSync);
    };
    const scroll = r.applyScroll.bind(r);
    r.applyScroll = (d, isSync) => {
      const target = r.mirror.getNode(d.id);
      if (target) this.scrolled.add(target);
      // The diff scrolls each element as it reaches it, between its changes to the page, so
      // every scroll lays the page out again; during a jump's diff they wait for its end.
      if (this.flushing) this.scrolls.set(d.id, d);
      else scroll(d, isSync);
    };
    this.applyScrollNow = scroll;
    const rule = r.applyStyleSheetRule.bind(r);
    r.applyStyleSheetRule = (data, sheet) => {
      this.noteSheet(sheet);
      rule(data, sheet);
    };
    const declaration = r.applyStyleDeclaration.bind(r);
    r.applyStyleDeclaration = (data, sheet) => {
      this.noteSheet(sheet);
      declaration(data, sheet);
    };
    // rrweb focuses and blurs the *live* node even while fast-forwarding into the virtual DOM:
    // on a fresh page that is the snapshot's node, here it is the node of the page being
    // replaced. These wait for the diff, and go to the new page's node.
    const incremental = r.applyIncremental.bind(r);
    r.applyIncremental = (e, isSync) => {
      const d = e.data as { source: number; type?: number; id: number };
      if (this.syncing && d.source === MOUSE_INTERACTION && (d.type === FOCUS || d.type === BLUR)) {
        if (this.snapshotIds.has(d.id))
          this.focusChanges.push({ id: d.id, focus: d.type === FOCUS });
        return;
      }
      incremental(e, isSync);
    };
    // Around rrweb's own flush (the diff, then the selection): the selection as it was before
    // the focus changes are made, and made again after them, as on a fresh page.
    r.emitter.all.set("flush", [() => this.beforeFlush(), ...(r.emitter.all.get("flush") ?? [])]);
    r.emitter.on("flush", () => this.afterFlush());
    const adopt = r.applyAdoptedStyleSheet.bind(r);
    r.applyAdoptedStyleSheet = (data) => {
      const host = r.mirror.getNode(data.id);
      if (host) this.adopted.add(host);
      adopt(data);
    };
  }

  /**
   * Replaces the Replayer's events with `events` (a starting point and what follows it), to
   * be shown at `at` (epoch ms). The next play/pause at an offset in them fast-forwards into
   * the live page rather than a new one. False when there is no page to keep, or one the diff
   * cannot carry: then build a new Replayer.
   */
  load(events: eventWithTime[], at: number): boolean {
    const doc = this.liveDocument();
    const snapshot = events.find((e) => e.type === FULL_SNAPSHOT);
    if (!doc || !snapshot) return false;
    if (doc.querySelector([...NOT_DIFFED].join(", ")) || events.some(addsNotDiffed)) return false;
    const context = this.r.service.state.context;
    const held = context.events;
    held.length = 0;
    for (const e of events) held.push(e);
    held.sort((a, b) => a.timestamp - b.timestamp);
    // Seen from rrweb, a fresh start: nothing is taken as already applied, and a jump back
    // does not reset the node mirror the diff matches the page by.
    context.lastPlayedEvent = null;
    this.r.firstFullSnapshot = true;
    this.armed = true;
    if (at < snapshot.timestamp) {
      // Before the snapshot (a recording's first events): a new Replayer draws it at once,
      // whatever the time, and so does this; rrweb then skips it when it comes up.
      this.r.rebuildFullSnapshot(snapshot, true);
      this.r.emitter.emit("flush");
      this.r.firstFullSnapshot = snapshot;
    }
    return true;
  }

  private beforeFlush() {
    if (!this.syncing) return;
    this.selection = this.r.lastSelectionData;
    this.flushing = true;
    // The page's elements come from two windows: rrweb builds in the replay document, the
    // diff creates its new nodes with the player's own document.
    const undo = [
      skipUnchangedAttributes(this.r.iframe.contentWindow),
      skipUnchangedAttributes(window),
    ];
    this.restoreSetAttribute = () => undo.forEach((f) => f());
  }

  private afterFlush() {
    if (!this.syncing) return;
    this.syncing = false;
    this.flushing = false;
    this.restoreSetAttribute();
    this.restoreSetAttribute = () => {};
    for (const d of this.scrolls.values()) this.applyScrollNow(d, true);
    this.scrolls.clear();
    for (const { id, focus } of this.focusChanges) {
      const target = this.r.mirror.getNode(id) as HTMLElement | null;
      if (!target) continue;
      if (!focus) target.blur?.();
      else if (this.r.config.triggerFocus !== false) target.focus?.({ preventScroll: true });
    }
    if (this.focusChanges.length && this.selection) this.r.applySelection(this.selection);
    this.focusChanges = [];
    this.selection = null;
    this.snapshotIds.clear();
  }

  private liveDocument(): Document | null {
    const doc = this.r.iframe.contentDocument;
    return doc && doc.documentElement && this.r.mirror.getId(doc) > 0 ? doc : null;
  }

  /** rrweb's rebuild, into the virtual DOM: the flush after the fast-forward diffs it in. */
  private buildVirtual(event: eventWithTime) {
    const r = this.r;
    const data = event.data as SnapshotData;
    this.resetLiveState();
    r.legacy_missingNodeRetryMap = {};
    r.virtualDom.destroyTree();
    r.usingVirtualDom = true;
    const vdom = r.virtualDom;
    buildNodeWithSN(data.node as never, {
      doc: vdom as never,
      mirror: vdom.mirror as never,
      skipChild: false,
      hackCss: true,
      cache: r.cache as never,
    });
    r.insertStyleRules(vdom.documentElement, vdom.head);
    // rrweb scrolls a rebuilt page to where the snapshot was taken; scroll events after it
    // replace this.
    const offset = data.initialOffset ?? { top: 0, left: 0 };
    vdom.scrollData = { source: SCROLL, id: data.node.id, x: offset.left, y: offset.top };
    this.snapshotIds = nodeIds(data.node);
    this.focusChanges = [];
    this.syncing = true;
    r.emitter.emit("fullsnapshot-rebuilded", event);
  }

  /** Puts back what a page built afresh would not have. */
  private resetLiveState() {
    const doc = this.r.iframe.contentDocument;
    if (doc) this.unmirrorStateful(doc);
    for (const n of this.scrolled) {
      if (!n.isConnected) continue;
      if (n.nodeType === Node.DOCUMENT_NODE) (n as Document).defaultView?.scrollTo(0, 0);
      else (n as Element).scrollTo?.(0, 0);
    }
    for (const style of this.sheets) {
      // Rules inserted through the CSSOM are not in the text: setting it reparses the sheet.
      const text = style.firstChild;
      if (style.isConnected && text && text.nodeType === Node.TEXT_NODE) {
        const t = text as Text;
        const css = t.data;
        t.data = `${css} `;
        t.data = css;
      }
    }
    for (const host of this.adopted) {
      if (host.nodeType === Node.DOCUMENT_NODE) (host as Document).adoptedStyleSheets = [];
      else if ((host as Element).shadowRoot) (host as Element).shadowRoot!.adoptedStyleSheets = [];
    }
    this.forget();
    doc?.getSelection()?.removeAllRanges();
    if (doc) this.dropInjectedStyles(doc);
  }

  /** Takes the REBUILT elements and shadow hosts out of the mirror: the diff makes them anew. */
  private unmirrorStateful(root: Document | ShadowRoot) {
    for (const el of Array.from(root.querySelectorAll(REBUILT))) this.unmirror(el);
    const walker = (root.ownerDocument ?? (root as Document)).createTreeWalker(
      root,
      NodeFilter.SHOW_ELEMENT,
    );
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const shadow = (n as Element).shadowRoot;
      if (!shadow) continue;
      this.unmirror(n);
      this.unmirrorStateful(shadow);
    }
  }

  /** Forgets a node and what is under it (the diff matches nodes by their mirror meta). */
  private unmirror(n: Node) {
    const mirror = this.r.mirror;
    mirror.removeNodeFromMap(n);
    const stack = [n];
    while (stack.length) {
      const m = stack.pop()!;
      mirror.nodeMetaMap.delete(m);
      for (let c = m.firstChild; c; c = c.nextSibling) stack.push(c);
    }
  }

  /**
   * rrweb puts its own style element first in each rebuilt document's <html>, outside the
   * recording's ids; the virtual DOM has one too, so the live one goes (else the diff would
   * add its rules to it a second time).
   */
  private dropInjectedStyles(doc: Document) {
    const html = doc.documentElement;
    if (!html) return;
    for (const child of Array.from(html.children)) {
      if (child.nodeName === "STYLE" && this.r.mirror.getId(child) < 0) child.remove();
    }
    for (const frame of Array.from(doc.querySelectorAll("iframe"))) {
      try {
        if (frame.contentDocument) this.dropInjectedStyles(frame.contentDocument);
      } catch {
        // Cross-origin: rrweb did not build it.
      }
    }
  }

  private forget() {
    this.scrolled.clear();
    this.sheets.clear();
    this.adopted.clear();
  }

  private noteSheet(sheet: CSSStyleSheet | null) {
    const owner = sheet?.ownerNode;
    if (owner && owner.nodeName === "STYLE") this.sheets.add(owner as HTMLStyleElement);
  }
}

/**
 * rrweb's diff sets every attribute of every element it visits, changed or not, and the
 * browser takes each set as a change: an inline style is parsed again, the element's style
 * is computed again, and the whole page is laid out again after a jump that changed a few
 * lines of it. For the diff's duration, setting an attribute of an element of `win` to the
 * value it already has is skipped. The DOM it leaves is the same. Returns what undoes it.
 */
function skipUnchangedAttributes(win: Window | null): () => void {
  const proto = (win as (Window & { Element?: typeof Element }) | null)?.Element?.prototype;
  if (!proto || !Object.prototype.hasOwnProperty.call(proto, "setAttribute")) return () => {};
  // A flush that threw before the undo left the skip in place: keep the first original.
  const set = originalSetAttribute.get(proto) ?? proto.setAttribute;
  originalSetAttribute.set(proto, set);
  proto.setAttribute = function (this: Element, name: string, value: string) {
    // Except on a canvas: setting its size, even to the same, clears it, as on a fresh page,
    // before rrweb draws the recorded image and commands onto it.
    if (this.localName !== "canvas" && this.getAttribute(name) === String(value)) return;
    set.call(this, name, value);
  };
  return () => {
    proto.setAttribute = set;
    originalSetAttribute.delete(proto);
  };
}
const originalSetAttribute = new WeakMap<object, Element["setAttribute"]>();

/** Whether an event adds an element of NOT_DIFFED. */
function addsNotDiffed(e: eventWithTime): boolean {
  if (e.type === FULL_SNAPSHOT) return hasNotDiffed((e.data as SnapshotData).node);
  if (e.type !== INCREMENTAL) return false;
  const d = e.data as { source: number; adds?: { node: SnapshotNode }[] };
  return d.source === MUTATION && !!d.adds?.some((a) => hasNotDiffed(a.node));
}

function hasNotDiffed(root: SnapshotNode): boolean {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.tagName && NOT_DIFFED.has(n.tagName)) return true;
    if (n.childNodes) for (const c of n.childNodes) stack.push(c);
  }
  return false;
}

function nodeIds(root: SnapshotNode): Set<number> {
  const ids = new Set<number>();
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    ids.add(n.id);
    if (n.childNodes) for (const c of n.childNodes) stack.push(c);
  }
  return ids;
}
