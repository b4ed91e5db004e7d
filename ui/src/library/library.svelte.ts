// What the left navigation shows: saved searches with their counts, watched folders with the
// progress of their scans. Read again whenever the library changes.

import { BackendError, type Backend } from "../lib/backend/backend";
import type { SavedSearch, ScanProgressEvent, WatchedFolder } from "../lib/bindings";
import { utcOffsetMinutes } from "../feed/feed.svelte";

export class LibraryNavState {
  saved = $state<SavedSearch[]>([]);
  folders = $state<WatchedFolder[]>([]);
  /** Scans under way, by folder. */
  scans = $state<Record<string, ScanProgressEvent>>({});
  error = $state<string | null>(null);
  private readonly backend: Backend;
  private asked = 0;

  constructor(backend: Backend) {
    this.backend = backend;
  }

  async refresh() {
    const mine = ++this.asked;
    try {
      const [saved, folders] = await Promise.all([
        this.backend.listSavedSearches(utcOffsetMinutes()),
        this.backend.listWatchedFolders(),
      ]);
      if (mine !== this.asked) return;
      this.saved = saved;
      this.folders = folders;
      this.error = null;
    } catch (e) {
      if (mine === this.asked) this.error = BackendError.from(e).message;
    }
  }

  onScan(e: ScanProgressEvent) {
    if (e.done >= e.total) {
      const { [e.folder]: _done, ...rest } = this.scans;
      this.scans = rest;
      void this.refresh();
    } else {
      this.scans = { ...this.scans, [e.folder]: e };
    }
  }

  async addFolder(path: string) {
    await this.backend.addWatchedFolder(path);
    await this.refresh();
  }

  async removeFolder(path: string) {
    await this.backend.removeWatchedFolder(path);
    const { [path]: _gone, ...rest } = this.scans;
    this.scans = rest;
    await this.refresh();
  }

  async deleteSaved(id: number) {
    await this.backend.deleteSavedSearch(id);
    await this.refresh();
  }
}
