// The feed's rows, a page at a time: the virtualised list asks for the rows it shows and the
// pages holding them are fetched from `searchSessions`. A new query or order starts over; a
// change to the library fetches what is on screen again and keeps everything else (scroll,
// selection) as it was. Answers to an older request are dropped.

import { BackendError, type Backend } from "../lib/backend/backend";
import type { SessionSort, SessionSummary } from "../lib/bindings";

export const PAGE_SIZE = 150;
/** Every feed row is this tall (px), so the list can place any row without measuring. */
export const ROW_HEIGHT = 86;

/** The engine reads local days ("today", `date:2024-03-01`) with the UTC offset of the UI. */
export function utcOffsetMinutes(at: Date = new Date()): number {
  return -at.getTimezoneOffset();
}

export class FeedData {
  /** How many sessions match the query. */
  total = $state(0);
  /** What the engine could not read in the query. */
  notes = $state<string[]>([]);
  /** Loaded pages by index; replaced (not mutated) on every change. */
  pages = $state.raw(new Map<number, SessionSummary[]>());
  /** The first answer for the current query has arrived. */
  ready = $state(false);
  error = $state<string | null>(null);
  query = $state("");
  sort = $state<SessionSort>("recency");
  /** The query and order the rows on screen answer (the newest may still be on its way). */
  shown = $state<{ query: string; sort: SessionSort } | null>(null);

  private readonly backend: Backend;
  private generation = 0;
  private inflight = new Set<number>();
  private visible = { from: 0, to: PAGE_SIZE };

  constructor(backend: Backend) {
    this.backend = backend;
  }

  row(index: number): SessionSummary | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Where a session is among the loaded rows; -1 when it is not loaded (or not there). */
  indexOf(id: string): number {
    for (const [p, rows] of this.pages) {
      const i = rows.findIndex((s) => s.id === id);
      if (i >= 0) return p * PAGE_SIZE + i;
    }
    return -1;
  }

  /** A new query or order: the first page, then whatever the list shows. */
  reset(query: string, sort: SessionSort): Promise<void> {
    this.query = query;
    this.sort = sort;
    this.visible = { from: 0, to: PAGE_SIZE };
    return this.reload([0]);
  }

  /** The library changed: the pages on screen again, the rest dropped (fetched when shown). */
  refresh(): Promise<void> {
    return this.reload(this.pagesOf(this.visible.from, this.visible.to));
  }

  /** The list shows rows `from..to` (exclusive): fetch the pages missing among them. */
  show(from: number, to: number) {
    this.visible = { from, to };
    for (const p of this.pagesOf(from, to)) {
      if (this.pages.has(p) || this.inflight.has(p)) continue;
      void this.fetchPage(p);
    }
  }

  /** The ids of rows `from..=to`, fetching what is not loaded (at most `cap` rows). */
  async idsBetween(from: number, to: number, cap = 10_000): Promise<string[]> {
    const lo = Math.max(0, Math.min(from, to));
    const hi = Math.min(this.total - 1, Math.max(from, to), lo + cap - 1);
    const gen = this.generation;
    const missing = this.pagesOf(lo, hi + 1).filter((p) => !this.pages.has(p));
    await Promise.all(missing.map((p) => this.fetchPage(p)));
    if (gen !== this.generation) return [];
    const ids: string[] = [];
    for (let i = lo; i <= hi; i++) {
      const s = this.row(i);
      if (s) ids.push(s.id);
    }
    return ids;
  }

  private pagesOf(from: number, to: number): number[] {
    const first = Math.max(0, Math.floor(from / PAGE_SIZE));
    const last = Math.max(first, Math.floor(Math.max(from, to - 1) / PAGE_SIZE));
    const out: number[] = [];
    for (let p = first; p <= last; p++) out.push(p);
    return out;
  }

  private request(page: number) {
    return this.backend.searchSessions({
      query: this.query,
      sort: this.sort,
      offset: page * PAGE_SIZE,
      limit: PAGE_SIZE,
      utcOffsetMinutes: utcOffsetMinutes(),
    });
  }

  private async reload(pages: number[]) {
    const gen = ++this.generation;
    this.inflight = new Set(pages);
    try {
      const answers = await Promise.all(pages.map((p) => this.request(p)));
      if (gen !== this.generation) return;
      const next = new Map<number, SessionSummary[]>();
      pages.forEach((p, i) => next.set(p, answers[i].sessions));
      const last = answers.at(-1);
      this.total = last?.total ?? 0;
      this.notes = last?.notes ?? [];
      this.pages = next;
      this.shown = { query: this.query, sort: this.sort };
      this.error = null;
    } catch (e) {
      if (gen === this.generation) this.error = BackendError.from(e).message;
    } finally {
      if (gen === this.generation) {
        this.inflight.clear();
        this.ready = true;
      }
    }
    // Rows shown meanwhile (the list scrolled while the answer was on its way).
    if (gen === this.generation) this.show(this.visible.from, this.visible.to);
  }

  private async fetchPage(page: number) {
    const gen = this.generation;
    this.inflight.add(page);
    try {
      const answer = await this.request(page);
      if (gen !== this.generation) return;
      this.total = answer.total;
      this.notes = answer.notes;
      this.pages = new Map(this.pages).set(page, answer.sessions);
    } catch (e) {
      if (gen === this.generation) this.error = BackendError.from(e).message;
    } finally {
      if (gen === this.generation) this.inflight.delete(page);
    }
  }
}
