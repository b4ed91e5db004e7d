// The one seam between the UI and the outside world. Components talk to a `Backend` and never
// call `invoke`/`listen` themselves, so the whole UI also runs in a plain browser against
// `TestBackend`.

import type {
  AnalysisProgressEvent,
  AnalysisSettings,
  ConsoleLog,
  EraseReport,
  ErrorPayload,
  Facets,
  FetchProgressEvent,
  ImportProgressEvent,
  ImportReport,
  LaunchRequest,
  LibraryInfo,
  LogEntry,
  MenuAction,
  NetworkLog,
  NetworkRequestDetail,
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
  WatchedFolder,
} from "../bindings";

export type Unlisten = () => void;

/** The `{code, message}` every failing command rejects with. */
export type AppError = ErrorPayload;

/** A native file drag over the window: `enter`/`leave` drive the drop affordance. */
export type FileDropEvent =
  { type: "enter"; paths: string[] } | { type: "leave" } | { type: "drop"; paths: string[] };

export interface Backend {
  /** The library in the given order (every order descending; the default is newest first). */
  listSessions(sort?: SessionSort | null): Promise<SessionSummary[]>;
  getSession(id: string): Promise<SessionDetail>;
  /** Every console entry of a session (every level), in time order. */
  getConsole(id: string): Promise<ConsoleLog>;
  /** Every network request of a session, in time order, without headers and bodies. */
  getNetwork(id: string): Promise<NetworkLog>;
  /** Request `index` of that list with its headers and bodies (`request_not_found` if none). */
  getNetworkRequest(id: string, index: number): Promise<NetworkRequestDetail>;
  /**
   * UTF-8 bytes of one JSON array: every event of chunks `fromSeq..=toSeq` of a window, after
   * the events of the keyframe before `fromSeq` when `keyframe` (see `ChunkInfo.keyframe`).
   */
  chunkEvents(
    id: string,
    window: number,
    fromSeq: number,
    toSeq: number,
    keyframe?: boolean,
  ): Promise<ArrayBuffer>;
  /**
   * UTF-8 bytes of one JSON array that shows epoch-ms moment `at` of a window without
   * fast-forwarding: the engine's keyframe at `at` (folded from the stored one before it), then
   * the events after `at` of the chunk holding it. Null where the engine cannot make it that
   * way (no stored keyframe before `at`): then load `chunkEvents` from the starting point.
   */
  seekEvents(id: string, window: number, at: number): Promise<ArrayBuffer | null>;
  /** One report per path, in order. Progress arrives through `onImportProgress` meanwhile. */
  importPaths(paths: string[]): Promise<ImportReport[]>;
  libraryInfo(): Promise<LibraryInfo>;
  /** The thresholds the analysis runs with. */
  getAnalysisSettings(): Promise<AnalysisSettings>;
  /**
   * Saves new thresholds and re-analyses every session; resolves to how many were analysed.
   * Progress arrives through `onAnalysisProgress`, then `onLibraryChanged` fires. Settings
   * that make no sense reject with code `invalid_settings`.
   */
  setAnalysisSettings(settings: AnalysisSettings): Promise<number>;
  /** Files named on the command line at launch; returned once, then empty. */
  takeLaunchRequest(): Promise<LaunchRequest>;
  /** Native open dialog; an empty list when the user cancels. */
  pickFiles(): Promise<string[]>;
  /** "Load remote assets" for one session: off unless the user turned it on for it. */
  getRemoteAssets(id: string): Promise<RemoteAssets>;
  /** Turns it on or off for that session only, remembered in the library. */
  setRemoteAssets(id: string, enabled: boolean): Promise<RemoteAssets>;
  /** Puts the `tapedeck://` link to that moment on the clipboard; resolves to the link. */
  copySessionLink(link: SessionLink): Promise<string>;
  /** The window fills the screen, or stops filling it. */
  setFullscreen(on: boolean): Promise<void>;
  isFullscreen(): Promise<boolean>;
  onImportProgress(cb: (e: ImportProgressEvent) => void): Promise<Unlisten>;
  onAnalysisProgress(cb: (e: AnalysisProgressEvent) => void): Promise<Unlisten>;
  onLibraryChanged(cb: () => void): Promise<Unlisten>;
  onMenuAction(cb: (e: MenuAction) => void): Promise<Unlisten>;
  onFileDrop(cb: (e: FileDropEvent) => void): Promise<Unlisten>;
  /** Files and links handed over while running (another launch, the desktop's link handler). */
  onLaunchRequest(cb: (e: LaunchRequest) => void): Promise<Unlisten>;

  // The library: search, managing sessions, sources.
  /**
   * One page of the sessions the search box's query matches, in the given order, with how
   * many match in all and notes about parts of the query the engine could not read.
   */
  searchSessions(request: SearchRequest): Promise<SearchPage>;
  /** The values the filters offer, each with how many sessions have it. */
  getFacets(): Promise<Facets>;
  /** Resolves to how many were deleted. */
  deleteSessions(ids: string[]): Promise<number>;
  /** Sessions of a user, by exact user id or email. */
  countUserSessions(user: string): Promise<number>;
  /** Deletes every session of a user (exact id or email): how many before, how many after. */
  eraseUser(user: string): Promise<EraseReport>;
  /** Replaces a session's tags; resolves to them as stored (normalised). */
  setTags(id: string, tags: string[]): Promise<string[]>;
  /** A comment at `at` (epoch ms) of window `window`; it becomes a timeline marker. */
  addComment(id: string, at: number, window: number, text: string): Promise<SessionComment>;
  deleteComment(commentId: number): Promise<void>;
  /** Saved searches with how many sessions each matches now. */
  listSavedSearches(utcOffsetMinutes: number): Promise<SavedSearch[]>;
  /** Saves (or, under an existing name, replaces) a search. */
  saveSearch(name: string, query: string, utcOffsetMinutes: number): Promise<SavedSearch>;
  deleteSavedSearch(id: number): Promise<void>;
  listWatchedFolders(): Promise<WatchedFolder[]>;
  /** Starts watching; the first scan runs after, with `onScanProgress` and `onLibraryChanged`. */
  addWatchedFolder(path: string): Promise<WatchedFolder>;
  /** Stops watching; the sessions imported from it stay. */
  removeWatchedFolder(path: string): Promise<void>;
  /** Import errors and other library events, newest first. */
  getLibraryLog(limit: number): Promise<LogEntry[]>;
  clearLibraryLog(): Promise<void>;
  /** Downloads and imports; progress through `onFetchProgress`, failure in the report. */
  fetchUrl(url: string): Promise<ImportReport>;
  /** Stops a download; false when none was running for that URL. */
  cancelFetch(url: string): Promise<boolean>;
  recentItems(): Promise<RecentItem[]>;
  /** Days sessions are kept; null keeps them for ever (the default). */
  getRetention(): Promise<number | null>;
  /** Resolves to how many sessions were deleted right away. */
  setRetention(days: number | null): Promise<number>;
  /** Native folder dialog; null when the user cancels. */
  pickFolder(): Promise<string | null>;
  onScanProgress(cb: (e: ScanProgressEvent) => void): Promise<Unlisten>;
  onFetchProgress(cb: (e: FetchProgressEvent) => void): Promise<Unlisten>;
}

/** Whether the replay of a session may load the recorded page's remote assets, and how. */
export interface RemoteAssets {
  enabled: boolean;
  /** The URL the replay loads an absolute http(s) URL from; null when off. */
  proxy: ((url: string) => string) | null;
}

/** Every backend failure, with the engine's stable `code` and a readable `message`. */
export class BackendError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }

  /** Normalises anything a rejected invoke can throw (AppError object, string, Error). */
  static from(e: unknown): BackendError {
    if (e instanceof BackendError) return e;
    if (isAppError(e)) return new BackendError(e.code, e.message);
    if (e instanceof Error) return new BackendError("internal", e.message);
    if (typeof e === "string") return new BackendError("internal", e);
    return new BackendError("internal", `unexpected error: ${safeJson(e)}`);
  }
}

export function isAppError(e: unknown): e is AppError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as AppError).code === "string" &&
    typeof (e as AppError).message === "string"
  );
}

export type CommandResult<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** Turns a tauri-specta result into its data, or throws it as a `BackendError`. */
export function unwrap<T>(result: CommandResult<T>): T {
  if (result.status === "ok") return result.data;
  throw BackendError.from(result.error);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
