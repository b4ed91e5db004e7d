// The library side of the test backend: search and facets over its sessions, tags and
// comments, saved searches, watched folders that "scan" fixture files, downloads from
// `https://fixtures.test/…`, recent items, the library log and retention. Behaves like the
// engine's commands closely enough for the UI not to tell (same shapes, codes and events).

import type {
  EraseReport,
  FacetValue,
  Facets,
  FetchProgressEvent,
  ImportReport,
  LogEntry,
  LogKind,
  RecentItem,
  SavedSearch,
  ScanProgressEvent,
  SearchPage,
  SearchRequest,
  SessionComment,
  SessionSort,
  SessionSummary,
} from "../bindings";
import { BackendError } from "./backend";
import { parseQuery, wordsOf, type SearchDoc } from "./test-query";
import type { Fixture, FixtureAnalysis, StoredSession } from "./test-backend";

/** What the library needs from the backend it is part of. */
export interface LibraryHost {
  readonly sessions: Map<string, StoredSession>;
  /** Fixture files by name. */
  file(name: string): Fixture | undefined;
  /** Imports a fixture as coming from `source` (a path or URL). */
  importFixture(file: Fixture, source: Source): ImportReport;
  /** The library changed (`LibraryChanged`). */
  changed(): void;
  scanProgress(e: ScanProgressEvent): void;
  fetchProgress(e: FetchProgressEvent): void;
  /** Pause between progress steps. */
  readonly delayMs: number;
}

export interface Source {
  path: string;
  folder: string | null;
  url: string | null;
}

/** The host the test downloads come from: `/<fixture>`, `/missing` (404), `/slow`. */
export const FIXTURE_HOST = "fixtures.test";

const DAY_MS = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Tags as the engine stores them (library/manage.rs): trimmed, empty ones dropped, the first
 * spelling of each kept (case-insensitive), sorted case-insensitively; at most 64 characters.
 */
export function normaliseTags(tags: string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const t = raw.trim();
    if (t === "") continue;
    if ([...t].length > 64 || /[\u0000-\u001f\u007f]/.test(t)) {
      throw new BackendError("invalid_input", `a tag is at most 64 characters of text: "${t}"`);
    }
    if (!out.some((o) => o.toLowerCase() === t.toLowerCase())) out.push(t);
  }
  return out.sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
}

/** The engine's orders: descending by the figure, ties newest first. */
export function compareBy(sort: SessionSort): (a: SessionSummary, b: SessionSummary) => number {
  const figure: Record<SessionSort, (s: SessionSummary) => number> = {
    recency: (s) => s.startedAt,
    duration: (s) => s.durationMs,
    activeTime: (s) => s.insights.activeMs,
    errors: (s) => s.insights.errors,
    frustration: (s) => s.insights.frustrationScore,
  };
  const by = figure[sort] ?? figure.recency;
  return (a, b) => by(b) - by(a) || b.startedAt - a.startedAt || (a.id < b.id ? -1 : 1);
}

export class TestLibrary {
  private readonly host: LibraryHost;
  /** Bumped on every change: cached search results are for one version. */
  private version = 0;
  private cache: { key: string; list: SessionSummary[]; notes: string[] } | null = null;
  private docs = new WeakMap<StoredSession, { rev: number; doc: SearchDoc }>();
  private baseWords = new WeakMap<FixtureAnalysis, string>();
  private saved: { id: number; name: string; query: string }[] = [];
  private nextSaved = 1;
  private folders: { path: string; addedAt: number }[] = [];
  /** What each folder "holds": fixture names. */
  private readonly folderFiles: Map<string, string[]>;
  private log: LogEntry[] = [];
  private nextLog = 1;
  private recent: RecentItem[] = [];
  private retention: number | null = null;
  private nextComment = 1;
  private fetches = new Map<string, { cancelled: boolean }>();

  constructor(host: LibraryHost, folders: Record<string, string[]> = {}) {
    this.host = host;
    this.folderFiles = new Map(Object.entries(folders));
  }

  /** Something changed: searches run again, and the UI is told. */
  touch(emit = true) {
    this.version++;
    this.cache = null;
    if (emit) this.host.changed();
  }

  // --- search ---

  private doc(s: StoredSession): SearchDoc {
    const hit = this.docs.get(s);
    if (hit && hit.rev === s.rev) return hit.doc;
    let base = this.baseWords.get(s.analysis);
    if (base === undefined) {
      base = [
        ...s.analysis.console.map((c) => c.message),
        ...s.analysis.markers
          .filter((m) => m.kind === "custom_event")
          .map((m) => m.detail.name ?? m.label),
        ...s.titles,
      ]
        .map(wordsOf)
        .join("");
      this.baseWords.set(s.analysis, base);
    }
    const doc: SearchDoc = {
      summary: s.summary,
      urls: s.urls.map((u) => u.url.toLowerCase()),
      words: base + [...s.summary.tags, ...s.comments.map((c) => c.text)].map(wordsOf).join(""),
    };
    this.docs.set(s, { rev: s.rev, doc });
    return doc;
  }

  private run(query: string, sort: SessionSort, utcOffsetMinutes: number) {
    const key = `${this.version}|${sort}|${utcOffsetMinutes}|${query}`;
    if (this.cache?.key === key) return this.cache;
    const { match, notes } = parseQuery(query, utcOffsetMinutes);
    const list: SessionSummary[] = [];
    for (const s of this.host.sessions.values()) if (match(this.doc(s))) list.push(s.summary);
    list.sort(compareBy(sort));
    this.cache = { key, list, notes };
    return this.cache;
  }

  search(r: SearchRequest): SearchPage {
    const { list, notes } = this.run(r.query, r.sort, r.utcOffsetMinutes);
    const offset = Math.max(0, Math.min(r.offset, list.length));
    const limit = Math.max(0, Math.min(r.limit, 1000));
    return {
      total: list.length,
      offset,
      sessions: list.slice(offset, offset + limit).map((s) => structuredClone(s)),
      notes: [...notes],
    };
  }

  facets(): Facets {
    const counters = {
      browsers: new Map<string, number>(),
      oses: new Map<string, number>(),
      devices: new Map<string, number>(),
      countries: new Map<string, number>(),
      folders: new Map<string, number>(),
      tags: new Map<string, number>(),
    };
    const add = (m: Map<string, number>, v: string | null) => {
      if (v) m.set(v, (m.get(v) ?? 0) + 1);
    };
    for (const { summary: s } of this.host.sessions.values()) {
      add(counters.browsers, s.client.browser);
      add(counters.oses, s.client.os);
      add(counters.devices, s.client.deviceType);
      add(counters.countries, s.client.country);
      add(counters.folders, s.sourceFolder);
      for (const t of s.tags) add(counters.tags, t);
    }
    const list = (m: Map<string, number>): FacetValue[] =>
      [...m]
        .map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    return {
      browsers: list(counters.browsers),
      oses: list(counters.oses),
      devices: list(counters.devices),
      countries: list(counters.countries),
      folders: list(counters.folders),
      tags: list(counters.tags),
    };
  }

  // --- managing sessions ---

  private find(id: string): StoredSession {
    const s = this.host.sessions.get(id);
    if (!s) throw new BackendError("session_not_found", `no session matches '${id}'`);
    return s;
  }

  deleteSessions(ids: string[]): number {
    let n = 0;
    for (const id of new Set(ids)) if (this.host.sessions.delete(id)) n++;
    if (n > 0) {
      this.addLog("delete", null, null, `Deleted ${n} ${n === 1 ? "session" : "sessions"}`);
      this.touch();
    }
    return n;
  }

  private ofUser(user: string): string[] {
    const u = user.trim().toLowerCase();
    if (u === "") return [];
    return [...this.host.sessions.values()]
      .filter(
        (s) => s.summary.user.id?.toLowerCase() === u || s.summary.user.email?.toLowerCase() === u,
      )
      .map((s) => s.summary.id);
  }

  countUserSessions(user: string): number {
    return this.ofUser(user).length;
  }

  eraseUser(user: string): EraseReport {
    if (user.trim() === "") throw new BackendError("invalid_input", "name the user by id or email");
    const ids = this.ofUser(user);
    for (const id of ids) this.host.sessions.delete(id);
    this.addLog(
      "erase",
      null,
      null,
      `Erased user ${user}: deleted ${ids.length} ${ids.length === 1 ? "session" : "sessions"}`,
    );
    this.touch();
    return { before: ids.length, after: this.ofUser(user).length };
  }

  setTags(id: string, tags: string[]): string[] {
    const s = this.find(id);
    s.summary.tags = normaliseTags(tags);
    s.rev++;
    this.touch();
    return [...s.summary.tags];
  }

  addComment(id: string, at: number, window: number, text: string): SessionComment {
    const s = this.find(id);
    const clean = text.trim();
    if (clean === "") throw new BackendError("invalid_input", "a comment needs some text");
    if (clean.length > 4000) {
      throw new BackendError("invalid_input", "a comment holds at most 4000 characters");
    }
    const c: SessionComment = {
      id: this.nextComment++,
      at,
      window,
      text: clean,
      createdAt: Date.now(),
    };
    s.comments.push(c);
    s.comments.sort((a, b) => a.at - b.at || a.id - b.id);
    s.summary.commentCount = s.comments.length;
    s.rev++;
    this.touch();
    return { ...c };
  }

  deleteComment(commentId: number) {
    for (const s of this.host.sessions.values()) {
      const i = s.comments.findIndex((c) => c.id === commentId);
      if (i < 0) continue;
      s.comments.splice(i, 1);
      s.summary.commentCount = s.comments.length;
      s.rev++;
      this.touch();
      return;
    }
    throw new BackendError("comment_not_found", `no comment ${commentId}`);
  }

  // --- saved searches ---

  private count(query: string, utcOffsetMinutes: number): number {
    return this.run(query, "recency", utcOffsetMinutes).list.length;
  }

  listSaved(utcOffsetMinutes: number): SavedSearch[] {
    return this.saved.map((s) => ({ ...s, count: this.count(s.query, utcOffsetMinutes) }));
  }

  saveSearch(name: string, query: string, utcOffsetMinutes: number): SavedSearch {
    const clean = name.trim();
    if (clean === "") throw new BackendError("invalid_input", "a saved search needs a name");
    const same = this.saved.find((s) => s.name.toLowerCase() === clean.toLowerCase());
    if (same) same.query = query;
    const entry = same ?? { id: this.nextSaved++, name: clean, query };
    if (!same) this.saved.push(entry);
    return { ...entry, count: this.count(query, utcOffsetMinutes) };
  }

  deleteSaved(id: number) {
    const i = this.saved.findIndex((s) => s.id === id);
    if (i < 0) throw new BackendError("saved_search_not_found", `no saved search ${id}`);
    this.saved.splice(i, 1);
  }

  // --- watched folders ---

  private inFolder(s: StoredSession, path: string): boolean {
    const f = s.summary.sourceFolder;
    return f !== null && (f === path || f.startsWith(`${path}/`));
  }

  listFolders() {
    return this.folders.map((f) => {
      const inside = [...this.host.sessions.values()].filter((s) => this.inFolder(s, f.path));
      return {
        path: f.path,
        addedAt: f.addedAt,
        sessionCount: inside.length,
        missingCount: inside.filter((s) => s.summary.missing).length,
      };
    });
  }

  addFolder(path: string) {
    const clean = path.replace(/[\\/]+$/, "");
    if (clean === "") throw new BackendError("invalid_path", "no folder given");
    if (this.folders.some((f) => f.path === clean)) {
      throw new BackendError("already_watched", `${clean} is already watched`);
    }
    this.folders.push({ path: clean, addedAt: Date.now() });
    this.addLog("watch", clean, null, `Watching ${clean}`);
    void this.scan(clean);
    return this.listFolders().find((f) => f.path === clean)!;
  }

  removeFolder(path: string) {
    const i = this.folders.findIndex((f) => f.path === path);
    if (i < 0) throw new BackendError("folder_not_watched", `${path} is not watched`);
    this.folders.splice(i, 1);
    this.addLog("watch", path, null, `Stopped watching ${path}`);
    this.touch();
  }

  private async scan(folder: string) {
    const names = this.folderFiles.get(folder) ?? [];
    const e: ScanProgressEvent = { folder, done: 0, total: names.length, imported: 0, failed: 0 };
    this.host.scanProgress({ ...e });
    for (const name of names) {
      await sleep(this.host.delayMs);
      if (!this.folders.some((f) => f.path === folder)) return;
      const outcome = this.importFromFolder(folder, name);
      e.done++;
      if (outcome === "imported") e.imported++;
      if (outcome === "failed") e.failed++;
      this.host.scanProgress({ ...e });
    }
    this.addLog(
      "watch",
      folder,
      null,
      `Scanned ${folder}: ${e.imported} imported, ${e.failed} failed, ${e.total} files`,
    );
    this.touch();
  }

  private importFromFolder(folder: string, name: string): "imported" | "known" | "failed" {
    const path = `${folder}/${name}`;
    const file = this.host.file(name);
    if (!file) {
      this.addLog("import_error", path, "io", `${path}: cannot read the file`);
      return "failed";
    }
    const report = this.host.importFixture(file, { path, folder, url: null });
    if (report.error) {
      this.addLog("import_error", path, report.error.code, report.error.message);
      return "failed";
    }
    if (report.outcome?.status === "imported") {
      this.touch();
      return "imported";
    }
    return "known";
  }

  /** A file appeared in (or vanished from) a watched folder while the app runs. */
  folderChanged(folder: string, added: string[], removed: string[]) {
    for (const name of added) {
      const outcome = this.importFromFolder(folder, name);
      this.addLog("watch", `${folder}/${name}`, null, `New file ${name}: ${outcome}`);
    }
    for (const name of removed) {
      for (const s of this.host.sessions.values()) {
        if (s.summary.source === `${folder}/${name}`) {
          s.summary.missing = true;
          s.rev++;
        }
      }
      this.addLog("watch", `${folder}/${name}`, null, `${name} is gone`);
    }
    this.touch();
  }

  // --- downloads ---

  async fetchUrl(url: string): Promise<ImportReport> {
    this.opened(url);
    const fail = (code: string, message: string): ImportReport => {
      this.addLog("fetch", url, code, message);
      this.host.fetchProgress({ url, bytesRead: 0, bytesTotal: null, done: true });
      return { path: url, outcome: null, error: { code, message } };
    };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return fail("invalid_url", `${url}: not a URL`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      return fail("invalid_url", `${url}: only http and https URLs can be opened`);
    }
    if (parsed.host !== FIXTURE_HOST) {
      return fail("network", `${url}: cannot connect to ${parsed.host}`);
    }
    if (this.fetches.has(url)) return fail("busy", `${url}: already downloading`);
    const name = decodeURIComponent(parsed.pathname.slice(1));
    const state = { cancelled: false };
    this.fetches.set(url, state);
    try {
      if (name === "slow") {
        // Trickles in until it is cancelled (or a minute passes).
        const total = 4_000_000;
        for (let read = 0; read < total; read += 40_000) {
          if (state.cancelled) return fail("cancelled", `${url}: the download was cancelled`);
          this.host.fetchProgress({ url, bytesRead: read, bytesTotal: total, done: false });
          await sleep(300);
        }
        return fail("timeout", `${url}: the server stopped sending`);
      }
      const file = this.host.file(name);
      if (!file) return fail("http_status", `${url}: the server answered 404 Not Found`);
      const total = file.bytes.length;
      const steps = 5;
      for (let i = 1; i <= steps; i++) {
        await sleep(this.host.delayMs);
        if (state.cancelled) return fail("cancelled", `${url}: the download was cancelled`);
        this.host.fetchProgress({
          url,
          bytesRead: Math.round((total * i) / steps),
          bytesTotal: total,
          done: false,
        });
      }
      const report = this.host.importFixture(file, { path: url, folder: null, url });
      this.host.fetchProgress({ url, bytesRead: total, bytesTotal: total, done: true });
      if (report.error) {
        this.addLog("import_error", url, report.error.code, report.error.message);
      } else {
        this.addLog("fetch", url, null, `Downloaded ${url} (${total} bytes)`);
        if (report.outcome?.status === "imported") this.touch();
      }
      return { ...report, path: url };
    } finally {
      this.fetches.delete(url);
    }
  }

  cancelFetch(url: string): boolean {
    const f = this.fetches.get(url);
    if (!f) return false;
    f.cancelled = true;
    return true;
  }

  // --- recent items, log, retention ---

  opened(target: string) {
    this.recent = [
      { target, openedAt: Date.now() },
      ...this.recent.filter((r) => r.target !== target),
    ].slice(0, 10);
  }

  recentItems(): RecentItem[] {
    return this.recent.map((r) => ({ ...r }));
  }

  addLog(kind: LogKind, path: string | null, code: string | null, message: string) {
    this.log.push({ id: this.nextLog++, at: Date.now(), kind, path, code, message });
  }

  getLog(limit: number): LogEntry[] {
    return this.log
      .slice()
      .reverse()
      .slice(0, Math.max(0, limit))
      .map((e) => ({ ...e }));
  }

  clearLog() {
    this.log = [];
  }

  getRetention(): number | null {
    return this.retention;
  }

  setRetention(days: number | null): number {
    if (days !== null && !(Number.isInteger(days) && days >= 1 && days <= 36_500)) {
      throw new BackendError("invalid_input", "retention must keep at least one day");
    }
    this.retention = days;
    if (days === null) return 0;
    const cutoff = Date.now() - days * DAY_MS;
    const old = [...this.host.sessions.values()]
      .filter((s) => s.summary.startedAt < cutoff)
      .map((s) => s.summary.id);
    for (const id of old) this.host.sessions.delete(id);
    this.addLog(
      "retention",
      null,
      null,
      `Deleted ${old.length} ${old.length === 1 ? "session" : "sessions"} older than ${days} days`,
    );
    if (old.length > 0) this.touch();
    return old.length;
  }
}
