// Import bookkeeping for the UI: per-file progress while `importPaths` runs, then the failures
// and notices it produced, until the user dismisses them.

import { BackendError, type Backend } from "../lib/backend/backend";
import type { ImportProgressEvent, ImportReport } from "../lib/bindings";
import { fileName } from "../lib/format";

export interface FileProgress {
  path: string;
  bytesRead: number;
  bytesTotal: number;
}

export interface FailedFile {
  path: string;
  code: string;
  message: string;
}

export interface Notice {
  id: number;
  text: string;
}

const NOTICE_MS = 10_000;

export class Imports {
  progress = $state<FileProgress[]>([]);
  failures = $state<FailedFile[]>([]);
  notices = $state<Notice[]>([]);
  private nextNotice = 1;
  private readonly backend: Backend;

  constructor(backend: Backend) {
    this.backend = backend;
  }

  get busy(): boolean {
    return this.progress.length > 0;
  }

  onProgress(e: ImportProgressEvent) {
    const p = this.progress.find((x) => x.path === e.path);
    if (!p) return;
    p.bytesRead = e.bytesRead;
    p.bytesTotal = e.bytesTotal;
  }

  /** Imports the files; the reports come back, the problems stay on screen. */
  async run(paths: string[]): Promise<ImportReport[]> {
    const fresh = [...new Set(paths)].filter((p) => !this.progress.some((x) => x.path === p));
    if (fresh.length === 0) return [];
    this.failures = [];
    this.progress.push(...fresh.map((path) => ({ path, bytesRead: 0, bytesTotal: 0 })));
    let reports: ImportReport[];
    try {
      reports = await this.backend.importPaths(fresh);
    } catch (e) {
      const err = BackendError.from(e);
      this.failures = fresh.map((path) => ({ path, code: err.code, message: err.message }));
      return [];
    } finally {
      this.progress = this.progress.filter((x) => !fresh.includes(x.path));
    }
    for (const r of reports) {
      if (r.error) {
        this.failures.push({ path: r.path, code: r.error.code, message: r.error.message });
      } else if (r.outcome?.status === "alreadyImported") {
        this.notify(`${fileName(r.path)} is already in the library.`);
      } else if (r.outcome?.status === "imported") {
        for (const w of r.outcome.warnings) this.notify(`${fileName(r.path)}: ${w}`);
      }
    }
    return reports;
  }

  dismissFailures() {
    this.failures = [];
  }

  dismissNotice(id: number) {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  notify(text: string) {
    const id = this.nextNotice++;
    this.notices.push({ id, text });
    setTimeout(() => this.dismissNotice(id), NOTICE_MS);
  }
}
