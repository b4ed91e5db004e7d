// An in-memory Backend so the whole UI runs in a plain browser (development and the browser
// tests). It imports fixture recordings the way the engine does — same summary fields, same
// chunk layout, same error codes and messages — closely enough for the UI not to tell.
// It does not analyse recordings: a fixture's insights, markers, activity segments, console
// entries and network requests are the ones the real engine computed for it, shipped beside it
// as `<name>.analysis.json`.

import type {
  ActivitySegment,
  AnalysisProgressEvent,
  EraseReport,
  Facets,
  FetchProgressEvent,
  AnalysisSettings,
  ConsoleEntry,
  ConsoleLog,
  EventCounts,
  Format,
  ImportOutcome,
  ImportProgressEvent,
  ImportReport,
  Insights,
  LaunchRequest,
  LibraryInfo,
  LogEntry,
  Marker,
  MenuAction,
  NetworkLog,
  NetworkRequest,
  NetworkRequestDetail,
  PageVisit,
  RecentItem,
  SavedSearch,
  ScanProgressEvent,
  SearchPage,
  SearchRequest,
  SessionComment,
  SessionDetail,
  SessionLink,
  SessionSort,
  SessionSummary,
  SessionUser,
  WatchedFolder,
} from "../bindings";
import {
  BackendError,
  type AppError,
  type Backend,
  type FileDropEvent,
  type RemoteAssets,
  type Unlisten,
} from "./backend";
import { EventType, splitIntoChunks, type StoredChunk, type StoredEvent } from "./chunking";
import { compareBy, TestLibrary, type Source } from "./test-backend-library";
import { generateSessions } from "./test-generate";

/** A file the test backend can "read": its name doubles as its path. */
export interface Fixture {
  name: string;
  bytes: Uint8Array;
  /** What the engine's analysis found in it; none means no markers and zero figures. */
  analysis?: FixtureAnalysis;
}

/** A fixture's analysis as the engine computed it (from the CLI's `show --json`). */
export interface FixtureAnalysis {
  insights: Insights;
  markers: Marker[];
  /** The session's segments. */
  segments: ActivitySegment[];
  /** Each window's segments. */
  windows: { index: number; segments: ActivitySegment[] }[];
  /** Every console entry (`console --json`). */
  console: ConsoleEntry[];
  /** Every request (`network --json`). */
  network: NetworkRequest[];
  /** The headers and bodies of those that have them (`network --request N --json`). */
  requests: NetworkRequestDetail[];
}

/** The sidecar file that carries a fixture's analysis: `a.json` → `a.analysis.json`. */
export const ANALYSIS_SUFFIX = ".analysis.json";

export function analysisFileFor(name: string): string {
  return name.replace(/\.jsonl?$/, "") + ANALYSIS_SUFFIX;
}

export function zeroInsights(): Insights {
  return {
    pageCount: 0,
    clicks: 0,
    errors: 0,
    exceptions: 0,
    warnings: 0,
    failedRequests: 0,
    rageClicks: 0,
    deadClicks: 0,
    errorClicks: 0,
    mouseThrashes: 0,
    scrollThrashes: 0,
    uTurns: 0,
    customEvents: 0,
    activeMs: 0,
    inactiveMs: 0,
    frustrationScore: 0,
  };
}

/** Reads a sidecar; throws, naming the file, when it is not the shape the engine writes. */
export function parseAnalysis(file: string, text: string): FixtureAnalysis {
  const bad = (why: string) => new Error(`${file}: not a fixture analysis: ${why}`);
  let v: Partial<FixtureAnalysis>;
  try {
    v = JSON.parse(text) as Partial<FixtureAnalysis>;
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  if (typeof v !== "object" || v === null) throw bad("expected an object");
  if (typeof v.insights !== "object" || v.insights === null) throw bad('no "insights"');
  for (const key of Object.keys(zeroInsights()) as (keyof Insights)[]) {
    if (typeof v.insights[key] !== "number") throw bad(`insights.${key} is not a number`);
  }
  if (!Array.isArray(v.markers)) throw bad('no "markers" array');
  if (!Array.isArray(v.segments)) throw bad('no "segments" array');
  return {
    insights: v.insights,
    markers: v.markers,
    segments: v.segments,
    windows: Array.isArray(v.windows) ? v.windows : [{ index: 0, segments: v.segments }],
    console: Array.isArray(v.console) ? v.console : [],
    network: Array.isArray(v.network) ? v.network : [],
    requests: Array.isArray(v.requests) ? v.requests : [],
  };
}

/**
 * Gives each recording the analysis in its sidecar, if it has one. `files` holds every file
 * by name; the sidecars themselves are left out of the result.
 */
export function withAnalyses(files: Map<string, string | Uint8Array>): Fixture[] {
  const text = (v: string | Uint8Array) =>
    typeof v === "string" ? v : new TextDecoder().decode(v);
  const out: Fixture[] = [];
  for (const [name, content] of files) {
    if (name.endsWith(ANALYSIS_SUFFIX)) continue;
    const bytes = typeof content === "string" ? utf8.encode(content) : content;
    const sidecar = files.get(analysisFileFor(name));
    const analysis =
      sidecar === undefined ? undefined : parseAnalysis(analysisFileFor(name), text(sidecar));
    out.push(analysis ? { name, bytes, analysis } : { name, bytes });
  }
  return out;
}

/** The engine's defaults (analysis/settings.rs). */
export const DEFAULT_ANALYSIS_SETTINGS: Required<AnalysisSettings> = {
  inactivityThresholdMs: 5_000,
  rageClickMinClicks: 3,
  rageClickIntervalMs: 1_000,
  rageClickRadiusPx: 30,
  deadClickTimeoutMs: 2_000,
  errorClickWindowMs: 1_000,
  thrashWindowMs: 1_000,
  thrashMinLegPx: 100,
  mouseThrashReversals: 4,
  scrollThrashReversals: 3,
  uTurnMs: 5_000,
  resizeMergeMs: 500,
};

export interface TestBackendOptions {
  /** Recordings already in the library at start. */
  library?: Fixture[];
  /** Recordings that `importPaths` can find by name. */
  files?: Fixture[];
  /** What `takeLaunchRequest` hands out once. */
  launchPaths?: string[];
  /** Links "given on the command line", handed out once with the paths. */
  launchLinks?: string[];
  /** What the "native" open dialog returns. */
  pickResult?: string[];
  /** Forced failures by path, e.g. to test error display for files that would import. */
  failures?: Record<string, AppError>;
  /** Progress events per file, and the pause between them, so progress is visible. */
  progressSteps?: number;
  progressDelayMs?: number;
  /** Latency of every `chunkEvents` call, to see the player wait for data. */
  chunkDelayMs?: number;
  libraryPath?: string;
  /**
   * Stands in for the app's `remote-asset` scheme, which a plain browser does not have: an
   * origin serving `<origin>/<session>/<encoded URL>` (the browser tests start one). Without
   * it, a session with remote assets on loads them from their original URLs.
   */
  assetProxy?: string;
  /** Folders `addWatchedFolder` can scan: path → the fixture names in it. */
  folders?: Record<string, string[]>;
  /** What the "native" folder dialog returns (null: cancelled). */
  pickFolderResult?: string | null;
  /** Adds this many made-up sessions that play `template`'s events (test-generate.ts). */
  generate?: number;
  /** The fixture generated sessions play (default: counter.json, else the first one). */
  template?: string;
}

export interface StoredSession {
  summary: SessionSummary;
  urls: PageVisit[];
  chunks: StoredChunk[];
  contentHash: string;
  analysis: FixtureAnalysis;
  /** The pages' titles, from the full snapshots (searched as text). */
  titles: string[];
  comments: SessionComment[];
  /** Bumped when its tags or comments change. */
  rev: number;
}

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private listeners = new Set<Listener<T>>();

  on(cb: Listener<T>): Promise<Unlisten> {
    this.listeners.add(cb);
    return Promise.resolve(() => this.listeners.delete(cb));
  }

  emit(value: T) {
    for (const cb of [...this.listeners]) cb(value);
  }
}

const utf8 = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class TestBackend implements Backend {
  private sessions = new Map<string, StoredSession>();
  private files = new Map<string, Fixture>();
  private launchPaths: string[];
  private readonly options: TestBackendOptions;
  private readonly progress = new Emitter<ImportProgressEvent>();
  private readonly analysisProgress = new Emitter<AnalysisProgressEvent>();
  private settings: Required<AnalysisSettings> = { ...DEFAULT_ANALYSIS_SETTINGS };
  private readonly changed = new Emitter<void>();
  private readonly menu = new Emitter<MenuAction>();
  private readonly drops = new Emitter<FileDropEvent>();
  private readonly launches = new Emitter<LaunchRequest>();
  private readonly scans = new Emitter<ScanProgressEvent>();
  private readonly fetchProgress = new Emitter<FetchProgressEvent>();
  /** Search, tags, comments, saved searches, folders, downloads, log, retention. */
  readonly library: TestLibrary;
  private launchLinks: string[];
  /** What the "clipboard" holds, and whether the "window" fills the screen. */
  clipboard = "";
  fullscreen = false;
  /** Every command called, for assertions. */
  readonly calls: { command: string; args: unknown[] }[] = [];
  /** Sessions with "Load remote assets" on. */
  private remoteAssetSessions = new Set<string>();

  constructor(options: TestBackendOptions = {}) {
    this.options = options;
    this.launchPaths = [...(options.launchPaths ?? [])];
    this.launchLinks = [...(options.launchLinks ?? [])];
    for (const f of [...(options.library ?? []), ...(options.files ?? [])]) {
      this.files.set(f.name, f);
    }
    this.library = new TestLibrary(
      {
        sessions: this.sessions,
        file: (name) => this.files.get(name),
        importFixture: (file, source) => this.importFixture(file, source),
        changed: () => this.changed.emit(),
        scanProgress: (e) => this.scans.emit(e),
        fetchProgress: (e) => this.fetchProgress.emit(e),
        delayMs: options.progressDelayMs ?? 0,
      },
      options.folders,
    );
    // Spread import times so "imported" order is deterministic.
    let importedAt = Date.UTC(2024, 0, 1);
    for (const f of options.library ?? []) {
      const stored = ingest(f, (importedAt += 60_000));
      if (stored instanceof BackendError) throw stored;
      this.sessions.set(stored.summary.id, stored);
    }
    if (options.generate) {
      const name = options.template ?? "counter.json";
      const file = this.files.get(name) ?? [...this.files.values()][0];
      const template = file ? ingest(file, importedAt) : null;
      if (!template || template instanceof BackendError) {
        throw new Error(`no template recording to generate sessions from (${name})`);
      }
      for (const g of generateSessions(options.generate, template, Date.now())) {
        this.sessions.set(g.summary.id, g);
      }
    }
  }

  async listSessions(sort?: SessionSort | null): Promise<SessionSummary[]> {
    this.record("listSessions", sort ?? null);
    return sortSessions(
      [...this.sessions.values()].map((s) => structuredClone(s.summary)),
      sort ?? "recency",
    );
  }

  async getSession(id: string): Promise<SessionDetail> {
    this.record("getSession", id);
    const s = this.find(id);
    // The events' own times: a generated session plays another recording's events.
    const startedAt = s.chunks[0]?.info.startTs ?? s.summary.startedAt;
    const endedAt = s.chunks.at(-1)?.info.endTs ?? startedAt + s.summary.durationMs;
    const comments: Marker[] = s.comments.map((c) => ({
      at: c.at,
      window: c.window,
      kind: "comment",
      label: c.text,
      detail: {},
    }));
    return {
      summary: structuredClone(s.summary),
      urls: structuredClone(s.urls),
      windows: [
        {
          index: 0,
          key: null,
          startedAt,
          endedAt,
          eventCount: s.summary.eventCounts.total,
          chunks: s.chunks.map((c) => ({ ...c.info })),
          interactionSpans: [],
          segments: structuredClone(
            s.analysis.windows.find((w) => w.index === 0)?.segments ?? s.analysis.segments,
          ),
        },
      ],
      contentHash: s.contentHash,
      markers: structuredClone([...s.analysis.markers, ...comments]).sort((a, b) => a.at - b.at),
      segments: structuredClone(s.analysis.segments),
      comments: structuredClone(s.comments),
    };
  }

  async getConsole(id: string): Promise<ConsoleLog> {
    this.record("getConsole", id);
    return { entries: structuredClone(this.find(id).analysis.console), dropped: 0 };
  }

  async getNetwork(id: string): Promise<NetworkLog> {
    this.record("getNetwork", id);
    return { requests: structuredClone(this.find(id).analysis.network), dropped: 0 };
  }

  async getNetworkRequest(id: string, index: number): Promise<NetworkRequestDetail> {
    this.record("getNetworkRequest", id, index);
    const s = this.find(id);
    const request = s.analysis.network.find((r) => r.index === index);
    if (!request) {
      throw new BackendError(
        "request_not_found",
        `session ${s.summary.id} has no request ${index}`,
      );
    }
    const detail = s.analysis.requests.find((d) => d.request.index === index);
    return structuredClone(
      detail ?? { request, payloads: { requestHeaders: [], responseHeaders: [] } },
    );
  }

  async chunkEvents(id: string, window: number, fromSeq: number, toSeq: number, keyframe = false) {
    this.record("chunkEvents", id, window, fromSeq, toSeq);
    if (this.options.chunkDelayMs) await sleep(this.options.chunkDelayMs);
    const s = this.find(id);
    if (window !== 0) {
      throw new BackendError("window_not_found", `session ${id} has no window ${window}`);
    }
    // Keyframes are the engine's (a DOM mirror in Rust); the sessions here have none.
    if (keyframe) {
      throw new BackendError(
        "keyframe_not_found",
        `session ${id} has no keyframe before chunk ${fromSeq} of window ${window}`,
      );
    }
    const parts = s.chunks.slice(fromSeq, toSeq + 1).map((c) => c.json);
    const bytes = utf8.encode(`[${parts.join(",")}]`);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  async seekEvents(id: string, window: number, at: number): Promise<ArrayBuffer | null> {
    this.record("seekEvents", id, window, at);
    if (this.options.chunkDelayMs) await sleep(this.options.chunkDelayMs);
    this.find(id);
    if (window !== 0) {
      throw new BackendError("window_not_found", `session ${id} has no window ${window}`);
    }
    // The engine folds from a stored keyframe; the sessions here have none.
    return null;
  }

  async importPaths(paths: string[]): Promise<ImportReport[]> {
    this.record("importPaths", paths);
    const reports: ImportReport[] = [];
    let changed = false;
    for (const path of paths) {
      const report = await this.importOne(path);
      this.library.opened(path);
      if (report.outcome?.status === "imported") changed = true;
      if (report.error) {
        this.library.addLog("import_error", path, report.error.code, report.error.message);
      }
      reports.push(report);
    }
    if (changed) this.library.touch();
    return reports;
  }

  async libraryInfo(): Promise<LibraryInfo> {
    this.record("libraryInfo");
    return {
      path: this.options.libraryPath ?? "~/.local/share/tapedeck/library.sqlite",
      sessionCount: this.sessions.size,
      schemaVersion: 1,
    };
  }

  async getAnalysisSettings(): Promise<AnalysisSettings> {
    this.record("getAnalysisSettings");
    return { ...this.settings };
  }

  /** Validates and keeps the settings like the engine; the stored analysis stays as it is. */
  async setAnalysisSettings(settings: AnalysisSettings): Promise<number> {
    this.record("setAnalysisSettings", structuredClone(settings));
    const next = { ...this.settings, ...settings } as Required<AnalysisSettings>;
    const invalid = validateSettings(next);
    if (invalid) throw new BackendError("invalid_settings", invalid);
    this.settings = next;
    const total = this.sessions.size;
    for (let done = 1; done <= total; done++) {
      await sleep(this.options.progressDelayMs ?? 0);
      this.analysisProgress.emit({ done, total });
    }
    this.library.touch();
    return total;
  }

  async takeLaunchRequest(): Promise<LaunchRequest> {
    this.record("takeLaunchRequest");
    const request = launchRequest(this.launchPaths, this.launchLinks);
    this.launchPaths = [];
    this.launchLinks = [];
    return request;
  }

  async copySessionLink(link: SessionLink): Promise<string> {
    this.record("copySessionLink", structuredClone(link));
    this.clipboard = formatSessionLink(link);
    return this.clipboard;
  }

  async setFullscreen(on: boolean): Promise<void> {
    this.record("setFullscreen", on);
    this.fullscreen = on;
  }

  async isFullscreen(): Promise<boolean> {
    return this.fullscreen;
  }

  onLaunchRequest(cb: (e: LaunchRequest) => void) {
    return this.launches.on(cb);
  }

  /** Another launch handed over files and links, as the native side would send it. */
  simulateLaunch(paths: string[], links: string[]) {
    this.launches.emit(launchRequest(paths, links));
  }

  async getRemoteAssets(id: string): Promise<RemoteAssets> {
    this.record("getRemoteAssets", id);
    return this.remoteAssets(this.find(id).summary.id);
  }

  async setRemoteAssets(id: string, enabled: boolean): Promise<RemoteAssets> {
    this.record("setRemoteAssets", id, enabled);
    const full = this.find(id).summary.id;
    if (enabled) this.remoteAssetSessions.add(full);
    else this.remoteAssetSessions.delete(full);
    return this.remoteAssets(full);
  }

  private remoteAssets(id: string): RemoteAssets {
    if (!this.remoteAssetSessions.has(id)) return { enabled: false, proxy: null };
    const base = this.options.assetProxy;
    const proxy = base
      ? (url: string) => `${base}/${encodeURIComponent(id)}/${encodeURIComponent(url)}`
      : (url: string) => url;
    return { enabled: true, proxy };
  }

  async pickFiles(): Promise<string[]> {
    this.record("pickFiles");
    return [...(this.options.pickResult ?? [])];
  }

  onImportProgress(cb: (e: ImportProgressEvent) => void) {
    return this.progress.on(cb);
  }

  onAnalysisProgress(cb: (e: AnalysisProgressEvent) => void) {
    return this.analysisProgress.on(cb);
  }

  onLibraryChanged(cb: () => void) {
    return this.changed.on(cb);
  }

  onMenuAction(cb: (e: MenuAction) => void) {
    return this.menu.on(cb);
  }

  onFileDrop(cb: (e: FileDropEvent) => void) {
    return this.drops.on(cb);
  }

  /** Makes more files "exist" for `importPaths`. */
  addFiles(files: Fixture[]) {
    for (const f of files) this.files.set(f.name, f);
  }

  /** Stand-ins for what the native side would send. */
  simulateDrop(e: FileDropEvent) {
    this.drops.emit(e);
  }

  simulateMenu(action: string, target: string | null = null) {
    this.menu.emit({ action, target });
  }

  /** Files appear in (or vanish from) a watched folder. */
  simulateFolderChange(folder: string, added: string[], removed: string[] = []) {
    this.library.folderChanged(folder, added, removed);
  }

  async searchSessions(request: SearchRequest): Promise<SearchPage> {
    this.record("searchSessions", structuredClone(request));
    return this.library.search(request);
  }

  async getFacets(): Promise<Facets> {
    this.record("getFacets");
    return this.library.facets();
  }

  async deleteSessions(ids: string[]): Promise<number> {
    this.record("deleteSessions", [...ids]);
    return this.library.deleteSessions(ids);
  }

  async countUserSessions(user: string): Promise<number> {
    this.record("countUserSessions", user);
    return this.library.countUserSessions(user);
  }

  async eraseUser(user: string): Promise<EraseReport> {
    this.record("eraseUser", user);
    return this.library.eraseUser(user);
  }

  async setTags(id: string, tags: string[]): Promise<string[]> {
    this.record("setTags", id, [...tags]);
    return this.library.setTags(id, tags);
  }

  async addComment(id: string, at: number, window: number, text: string): Promise<SessionComment> {
    this.record("addComment", id, at, window, text);
    return this.library.addComment(id, at, window, text);
  }

  async deleteComment(commentId: number): Promise<void> {
    this.record("deleteComment", commentId);
    this.library.deleteComment(commentId);
  }

  async listSavedSearches(utcOffsetMinutes: number): Promise<SavedSearch[]> {
    this.record("listSavedSearches", utcOffsetMinutes);
    return this.library.listSaved(utcOffsetMinutes);
  }

  async saveSearch(name: string, query: string, utcOffsetMinutes: number): Promise<SavedSearch> {
    this.record("saveSearch", name, query, utcOffsetMinutes);
    return this.library.saveSearch(name, query, utcOffsetMinutes);
  }

  async deleteSavedSearch(id: number): Promise<void> {
    this.record("deleteSavedSearch", id);
    this.library.deleteSaved(id);
  }

  async listWatchedFolders(): Promise<WatchedFolder[]> {
    this.record("listWatchedFolders");
    return this.library.listFolders();
  }

  async addWatchedFolder(path: string): Promise<WatchedFolder> {
    this.record("addWatchedFolder", path);
    return this.library.addFolder(path);
  }

  async removeWatchedFolder(path: string): Promise<void> {
    this.record("removeWatchedFolder", path);
    this.library.removeFolder(path);
  }

  async getLibraryLog(limit: number): Promise<LogEntry[]> {
    this.record("getLibraryLog", limit);
    return this.library.getLog(limit);
  }

  async clearLibraryLog(): Promise<void> {
    this.record("clearLibraryLog");
    this.library.clearLog();
  }

  async fetchUrl(url: string): Promise<ImportReport> {
    this.record("fetchUrl", url);
    return this.library.fetchUrl(url);
  }

  async cancelFetch(url: string): Promise<boolean> {
    this.record("cancelFetch", url);
    return this.library.cancelFetch(url);
  }

  async recentItems(): Promise<RecentItem[]> {
    this.record("recentItems");
    return this.library.recentItems();
  }

  async getRetention(): Promise<number | null> {
    this.record("getRetention");
    return this.library.getRetention();
  }

  async setRetention(days: number | null): Promise<number> {
    this.record("setRetention", days);
    return this.library.setRetention(days);
  }

  async pickFolder(): Promise<string | null> {
    this.record("pickFolder");
    return this.options.pickFolderResult ?? null;
  }

  onScanProgress(cb: (e: ScanProgressEvent) => void) {
    return this.scans.on(cb);
  }

  onFetchProgress(cb: (e: FetchProgressEvent) => void) {
    return this.fetchProgress.on(cb);
  }

  /** Marks a session's source file as gone (`is:missing`). */
  simulateMissing(id: string) {
    const s = this.find(id);
    s.summary.missing = true;
    s.rev++;
    this.library.touch();
  }

  private async importOne(path: string): Promise<ImportReport> {
    const file = this.files.get(path);
    const total = file?.bytes.length ?? 0;
    const steps = Math.max(1, this.options.progressSteps ?? 4);
    const failure = this.options.failures?.[path];
    if (file) {
      // A forced failure stops halfway, like a file that breaks mid-stream.
      const until = failure ? Math.ceil(steps / 2) : steps;
      for (let i = 1; i <= until; i++) {
        await sleep(this.options.progressDelayMs ?? 0);
        this.progress.emit({
          path,
          bytesRead: Math.round((total * i) / steps),
          bytesTotal: total,
          events: 0,
        });
      }
    }
    if (failure) return { path, outcome: null, error: { ...failure } };
    if (!file) {
      return {
        path,
        outcome: null,
        error: {
          code: "io",
          message: `${path}: cannot read the file: No such file or directory (os error 2)`,
        },
      };
    }
    return this.importFixture(file, { path, folder: null, url: null });
  }

  /** Ingests a fixture as coming from `source`; an import already done changes nothing. */
  private importFixture(file: Fixture, source: Source): ImportReport {
    const { path } = source;
    const stored = ingest(file, Date.now());
    if (stored instanceof BackendError) {
      return { path, outcome: null, error: { code: stored.code, message: stored.message } };
    }
    stored.summary.source = source.url ?? source.path;
    stored.summary.sourceUrl = source.url;
    stored.summary.sourceFolder = source.folder;
    const existing = this.sessions.get(stored.summary.id);
    let outcome: ImportOutcome;
    if (existing) {
      outcome = { status: "alreadyImported", session: structuredClone(existing.summary) };
    } else {
      this.sessions.set(stored.summary.id, stored);
      outcome = { status: "imported", session: structuredClone(stored.summary), warnings: [] };
    }
    return { path, outcome, error: null };
  }

  private find(id: string): StoredSession {
    const s = this.sessions.get(id);
    if (!s) throw new BackendError("session_not_found", `no session matches '${id}'`);
    return s;
  }

  private record(command: string, ...args: unknown[]) {
    this.calls.push({ command, args });
  }
}

/** `tapedeck://session/<id>?t=<ms>[&window=<n>]`, as the engine writes it (engine/src/link.rs). */
export function formatSessionLink(link: SessionLink): string {
  const id = [...utf8.encode(link.sessionId)]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");
  const query = [
    link.atMs !== null ? `t=${link.atMs}` : null,
    link.window !== null ? `window=${link.window}` : null,
  ].filter((p) => p !== null);
  return `tapedeck://session/${id}${query.length ? `?${query.join("&")}` : ""}`;
}

/** The engine's reading of a link (SessionLink::parse), for links the tests hand the UI. */
export function parseSessionLink(url: string): SessionLink | string {
  const m = /^tapedeck:\/\/session\/([^/?#]+)\/?(?:\?([^#]*))?/i.exec(url.trim());
  if (!m) return "not a Tapedeck link (it should start with tapedeck://session/)";
  const params = new URLSearchParams(m[2] ?? "");
  const num = (k: string) => {
    const v = params.get(k);
    if (v === null) return null;
    const n = Number(v.split(".")[0]);
    return Number.isInteger(n) && n >= 0 ? n : NaN;
  };
  const atMs = num("t");
  const window = num("window");
  if (Number.isNaN(atMs)) return `the link's time is not a whole number: "${params.get("t")}"`;
  if (Number.isNaN(window))
    return `the link's window is not a whole number: "${params.get("window")}"`;
  return { sessionId: decodeURIComponent(m[1]), atMs, window };
}

function launchRequest(paths: string[], links: string[]): LaunchRequest {
  return {
    paths: [...paths],
    links: links.map((url) => {
      const parsed = parseSessionLink(url);
      return typeof parsed === "string"
        ? { url, link: null, error: parsed }
        : { url, link: parsed, error: null };
    }),
  };
}

/** The engine's orders: descending by the figure, ties newest first. */
export function sortSessions(list: SessionSummary[], sort: SessionSort): SessionSummary[] {
  return [...list].sort(compareBy(sort));
}

/** The engine's checks (AnalysisSettings::validate): a message, or null when they are fine. */
export function validateSettings(s: Required<AnalysisSettings>): string | null {
  const durations: [string, number][] = [
    ["inactivity threshold", s.inactivityThresholdMs],
    ["rage click interval", s.rageClickIntervalMs],
    ["dead click timeout", s.deadClickTimeoutMs],
    ["error click window", s.errorClickWindowMs],
    ["thrash window", s.thrashWindowMs],
    ["U-turn time", s.uTurnMs],
  ];
  for (const [name, ms] of durations) {
    if (!Number.isInteger(ms) || ms < 1 || ms > 24 * 3_600_000) {
      return `${name} must be between 1 ms and 24 h, not ${ms} ms`;
    }
  }
  if (!(s.resizeMergeMs >= 0)) return "resize merge time must not be negative";
  if (!(s.rageClickMinClicks >= 2 && s.mouseThrashReversals >= 1 && s.scrollThrashReversals >= 1)) {
    return "rage clicks need at least 2 clicks and thrashing at least 1 reversal";
  }
  if (!((s.rageClickRadiusPx ?? 0) >= 0 && (s.thrashMinLegPx ?? 0) >= 0)) {
    return "distances must not be negative";
  }
  return null;
}

/** Parses a fixture like the engine's importer; returns the error it would report instead. */
export function ingest(file: Fixture, importedAt: number): StoredSession | BackendError {
  const fail = (code: string, why: string) => new BackendError(code, `${file.name}: ${why}`);
  const text = new TextDecoder().decode(file.bytes);
  if (text.trim() === "") return fail("empty_file", "the file is empty");

  let raw: unknown[];
  let format: Format;
  let user: SessionUser = { id: null, name: null, email: null };
  try {
    const parsed = parseRecording(text);
    raw = parsed.events;
    format = parsed.format;
    user = parsed.user ?? user;
  } catch (e) {
    if (e instanceof BackendError) return fail(e.code, e.message);
    return fail("not_json", `not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }

  const events: StoredEvent[] = [];
  for (const [i, e] of raw.entries()) {
    if (typeof e !== "object" || e === null) {
      return fail("not_events", `not a recording: event ${i} is not an object`);
    }
    const { type, timestamp } = e as { type?: unknown; timestamp?: unknown };
    if (typeof type !== "number" || type < 0 || type > 6) {
      return fail("not_events", `not a recording: event ${i} has no valid rrweb "type"`);
    }
    if (typeof timestamp !== "number") {
      return fail("not_events", `not a recording: event ${i} has no numeric "timestamp"`);
    }
    events.push({ type, timestamp, json: JSON.stringify(e) });
  }
  if (events.length === 0) return fail("not_events", "not a recording: no rrweb events found");
  if (!events.some((e) => e.type === EventType.FullSnapshot)) {
    return fail(
      "no_full_snapshot",
      "cannot be played: the recording has no full snapshot, so there is no page to rebuild",
    );
  }

  const stats = summarise(raw as RawEvent[]);
  const chunks = splitIntoChunks(events);
  const hash = contentHash(file.bytes);
  const rawBytes = utf8.encode(text).length;
  const summary: SessionSummary = {
    id: hash,
    source: file.name,
    format,
    compression: "none",
    startedAt: stats.startedAt,
    durationMs: stats.endedAt - stats.startedAt,
    firstUrl: stats.urls[0]?.url ?? null,
    urlCount: stats.urls.length,
    viewportWidth: stats.viewport?.[0] ?? null,
    viewportHeight: stats.viewport?.[1] ?? null,
    eventCounts: stats.counts,
    clickCount: stats.clicks,
    fileBytes: file.bytes.length,
    rawBytes,
    storedBytes: chunks.reduce((n, c) => n + c.info.rawBytes, 0),
    importedAt,
    windowCount: 1,
    vendorId: null,
    user,
    client: {
      browser: null,
      browserVersion: null,
      os: null,
      deviceType: null,
      country: null,
      userAgent: null,
      sdk: null,
    },
    insights: structuredClone(file.analysis?.insights ?? zeroInsights()),
    sourceUrl: null,
    sourceFolder: null,
    missing: false,
    tags: [],
    commentCount: 0,
  };
  const analysis: FixtureAnalysis = file.analysis
    ? structuredClone(file.analysis)
    : {
        insights: zeroInsights(),
        markers: [],
        segments: [],
        windows: [],
        console: [],
        network: [],
        requests: [],
      };
  return {
    summary,
    urls: stats.urls,
    chunks,
    contentHash: hash,
    analysis,
    titles: stats.titles,
    comments: [],
    rev: 0,
  };
}

interface RawEvent {
  type: number;
  timestamp: number;
  data?: {
    node?: unknown;
    href?: unknown;
    width?: unknown;
    height?: unknown;
    source?: unknown;
    type?: unknown;
  };
}

/** Bare array, `{events: [...]}`, or one event per line. */
interface Parsed {
  events: unknown[];
  format: Format;
  /** A `user` object beside the events, as the engine reads it. */
  user?: SessionUser;
}

function parseRecording(text: string): Parsed {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) {
    return { events: JSON.parse(text) as unknown[], format: "rrweb-array" };
  }
  if (trimmed.startsWith("{")) {
    let whole: unknown;
    try {
      whole = JSON.parse(text);
    } catch {
      // Not one object: maybe JSON lines.
      const lines = text.split("\n").filter((l) => l.trim() !== "");
      return { events: lines.map((l) => JSON.parse(l) as unknown), format: "rrweb-jsonl" };
    }
    const { events, user } = whole as { events?: unknown; user?: Partial<SessionUser> };
    if (Array.isArray(events)) {
      const who: SessionUser = {
        id: user?.id ?? null,
        name: user?.name ?? null,
        email: user?.email ?? null,
      };
      return { events, format: "rrweb-object", user: who };
    }
    if (typeof (whole as RawEvent).type === "number") {
      return { events: [whole], format: "rrweb-jsonl" };
    }
    throw new BackendError("not_events", 'not a recording: no "events" array');
  }
  // Let JSON.parse produce the familiar message.
  JSON.parse(text);
  throw new BackendError("not_events", "not a recording: expected an array or an object");
}

function summarise(events: RawEvent[]) {
  const counts: EventCounts = {
    total: 0,
    domContentLoaded: 0,
    load: 0,
    fullSnapshot: 0,
    incrementalSnapshot: 0,
    meta: 0,
    custom: 0,
    plugin: 0,
  };
  const keys: (keyof EventCounts)[] = [
    "domContentLoaded",
    "load",
    "fullSnapshot",
    "incrementalSnapshot",
    "meta",
    "custom",
    "plugin",
  ];
  let clicks = 0;
  let startedAt = Infinity;
  let endedAt = -Infinity;
  const urls: PageVisit[] = [];
  let viewport: [number, number] | null = null;
  const titles: string[] = [];
  for (const e of events) {
    if (e.type === EventType.FullSnapshot && e.data?.node) {
      const title = findTitle(e.data.node);
      if (title && !titles.includes(title)) titles.push(title);
    }
    counts.total++;
    counts[keys[e.type]]++;
    startedAt = Math.min(startedAt, e.timestamp);
    endedAt = Math.max(endedAt, e.timestamp);
    // MouseInteraction (source 2) of type Click (2).
    if (e.type === EventType.IncrementalSnapshot && e.data?.source === 2 && e.data.type === 2) {
      clicks++;
    }
    if (e.type === EventType.Meta && e.data) {
      const { href, width, height } = e.data;
      if (typeof href === "string" && href !== "" && urls.at(-1)?.url !== href) {
        urls.push({ at: e.timestamp, url: href, window: 0 });
      }
      if (viewport === null && typeof width === "number" && typeof height === "number") {
        if (width > 0 && height > 0 && width < 1e6 && height < 1e6) {
          viewport = [Math.trunc(width), Math.trunc(height)];
        }
      }
    }
  }
  return { counts, clicks, startedAt, endedAt, urls, viewport, titles };
}

interface SnapshotNode {
  tagName?: unknown;
  textContent?: unknown;
  childNodes?: unknown;
}

/** The text of the first `<title>` in a full snapshot's node tree. */
function findTitle(root: unknown): string | null {
  const stack: unknown[] = [root];
  for (let seen = 0; stack.length > 0 && seen < 100_000; seen++) {
    const n = stack.pop() as SnapshotNode;
    if (typeof n !== "object" || n === null) continue;
    const kids = Array.isArray(n.childNodes) ? (n.childNodes as SnapshotNode[]) : [];
    if (typeof n.tagName === "string" && n.tagName.toLowerCase() === "title") {
      const text = kids
        .map((k) => (typeof k?.textContent === "string" ? k.textContent : ""))
        .join("")
        .trim();
      if (text) return text;
    }
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return null;
}

/** A stable content hash (two 32-bit FNV-1a lanes), hex. Stands in for the engine's BLAKE3. */
export function contentHash(bytes: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193);
    b = Math.imul(b ^ bytes[i] ^ (i & 0xff), 0x5bd1e995);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
  return hex(a) + hex(b);
}
