// The app's backend: typed commands and events generated from the Rust side, plus the two
// things the bindings cannot express (raw event bytes, native file drops and dialogs).

import { convertFileSrc, invoke } from "@tauri-apps/api/core";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { open } from "@tauri-apps/plugin-dialog";
import {
  commands,
  events,
  type AnalysisSettings,
  type LaunchRequest,
  type SearchRequest,
  type SessionLink,
  type SessionSort,
} from "../bindings";
import { BackendError, unwrap, type Backend, type FileDropEvent, type Unlisten } from "./backend";
import type { RemoteAssetAccess } from "../bindings";
import type { RemoteAssets } from "./backend";

export class TauriBackend implements Backend {
  async listSessions(sort?: SessionSort | null) {
    return unwrap(await commands.listSessions(sort ?? null));
  }

  async getSession(id: string) {
    return unwrap(await commands.getSession(id));
  }

  async getConsole(id: string) {
    return unwrap(await commands.getConsole(id));
  }

  async getNetwork(id: string) {
    return unwrap(await commands.getNetwork(id));
  }

  async getNetworkRequest(id: string, index: number) {
    return unwrap(await commands.getNetworkRequest(id, index));
  }

  async chunkEvents(id: string, window: number, fromSeq: number, toSeq: number, keyframe = false) {
    // Returned by Rust as `tauri::ipc::Response`, so it arrives as bytes, not re-encoded JSON.
    try {
      return await invoke<ArrayBuffer>("chunk_events", { id, window, fromSeq, toSeq, keyframe });
    } catch (e) {
      throw BackendError.from(e);
    }
  }

  async seekEvents(id: string, window: number, at: number) {
    try {
      const bytes = await invoke<ArrayBuffer>("seek_events", { id, window, at });
      // Empty: the engine has no stored keyframe to fold from.
      return bytes.byteLength > 0 ? bytes : null;
    } catch (e) {
      throw BackendError.from(e);
    }
  }

  async importPaths(paths: string[]) {
    return unwrap(await commands.importPaths(paths));
  }

  async libraryInfo() {
    return unwrap(await commands.libraryInfo());
  }

  async getAnalysisSettings() {
    return unwrap(await commands.getAnalysisSettings());
  }

  async setAnalysisSettings(settings: AnalysisSettings) {
    return unwrap(await commands.setAnalysisSettings(settings));
  }

  async takeLaunchRequest() {
    // Infallible on the Rust side, so not wrapped in a result.
    try {
      return await commands.takeLaunchRequest();
    } catch (e) {
      throw BackendError.from(e);
    }
  }

  async getRemoteAssets(id: string) {
    return remoteAssets(unwrap(await commands.getRemoteAssets(id)));
  }

  async setRemoteAssets(id: string, enabled: boolean) {
    return remoteAssets(unwrap(await commands.setRemoteAssets(id, enabled)));
  }

  async pickFiles() {
    try {
      const picked = await open({
        multiple: true,
        directory: false,
        title: "Open recordings",
        filters: [
          { name: "Recordings", extensions: ["json", "jsonl", "gz", "zst"] },
          { name: "All files", extensions: ["*"] },
        ],
      });
      if (picked === null) return [];
      return Array.isArray(picked) ? picked : [picked];
    } catch (e) {
      throw BackendError.from(e);
    }
  }

  async copySessionLink(link: SessionLink) {
    return unwrap(await commands.copySessionLink(link));
  }

  async setFullscreen(on: boolean) {
    unwrap(await commands.setFullscreen(on));
  }

  async isFullscreen() {
    try {
      return await getCurrentWindow().isFullscreen();
    } catch (e) {
      throw BackendError.from(e);
    }
  }

  async searchSessions(request: SearchRequest) {
    return unwrap(await commands.searchSessions(request));
  }

  async getFacets() {
    return unwrap(await commands.getFacets());
  }

  async deleteSessions(ids: string[]) {
    return unwrap(await commands.deleteSessions(ids));
  }

  async countUserSessions(user: string) {
    return unwrap(await commands.countUserSessions(user));
  }

  async eraseUser(user: string) {
    return unwrap(await commands.eraseUser(user));
  }

  async setTags(id: string, tags: string[]) {
    return unwrap(await commands.setTags(id, tags));
  }

  async addComment(id: string, at: number, window: number, text: string) {
    return unwrap(await commands.addComment(id, at, window, text));
  }

  async deleteComment(commentId: number) {
    unwrap(await commands.deleteComment(commentId));
  }

  async listSavedSearches(utcOffsetMinutes: number) {
    return unwrap(await commands.listSavedSearches(utcOffsetMinutes));
  }

  async saveSearch(name: string, query: string, utcOffsetMinutes: number) {
    return unwrap(await commands.saveSearch(name, query, utcOffsetMinutes));
  }

  async deleteSavedSearch(id: number) {
    unwrap(await commands.deleteSavedSearch(id));
  }

  async listWatchedFolders() {
    return unwrap(await commands.listWatchedFolders());
  }

  async addWatchedFolder(path: string) {
    return unwrap(await commands.addWatchedFolder(path));
  }

  async removeWatchedFolder(path: string) {
    unwrap(await commands.removeWatchedFolder(path));
  }

  async getLibraryLog(limit: number) {
    return unwrap(await commands.getLibraryLog(limit));
  }

  async clearLibraryLog() {
    unwrap(await commands.clearLibraryLog());
  }

  async fetchUrl(url: string) {
    return unwrap(await commands.fetchUrl(url));
  }

  async cancelFetch(url: string) {
    return unwrap(await commands.cancelFetch(url));
  }

  async recentItems() {
    return unwrap(await commands.recentItems());
  }

  async getRetention() {
    return unwrap(await commands.getRetention());
  }

  async setRetention(days: number | null) {
    return unwrap(await commands.setRetention(days));
  }

  async pickFolder() {
    try {
      const picked = await open({ directory: true, multiple: false, title: "Watch a folder" });
      return typeof picked === "string" ? picked : null;
    } catch (e) {
      throw BackendError.from(e);
    }
  }

  onScanProgress(cb: Parameters<Backend["onScanProgress"]>[0]): Promise<Unlisten> {
    return events.scanProgressEvent.listen((e) => cb(e.payload));
  }

  onFetchProgress(cb: Parameters<Backend["onFetchProgress"]>[0]): Promise<Unlisten> {
    return events.fetchProgressEvent.listen((e) => cb(e.payload));
  }

  onLaunchRequest(cb: (e: LaunchRequest) => void): Promise<Unlisten> {
    return events.launchRequest.listen((e) => cb(e.payload));
  }

  onImportProgress(cb: Parameters<Backend["onImportProgress"]>[0]): Promise<Unlisten> {
    return events.importProgressEvent.listen((e) => cb(e.payload));
  }

  onAnalysisProgress(cb: Parameters<Backend["onAnalysisProgress"]>[0]): Promise<Unlisten> {
    return events.analysisProgressEvent.listen((e) => cb(e.payload));
  }

  onLibraryChanged(cb: () => void): Promise<Unlisten> {
    return events.libraryChanged.listen(() => cb());
  }

  onMenuAction(cb: Parameters<Backend["onMenuAction"]>[0]): Promise<Unlisten> {
    return events.menuAction.listen((e) => cb(e.payload));
  }

  onFileDrop(cb: (e: FileDropEvent) => void): Promise<Unlisten> {
    return getCurrentWebview().onDragDropEvent((e) => {
      const p = e.payload;
      if (p.type === "enter") cb({ type: "enter", paths: p.paths });
      else if (p.type === "drop") cb({ type: "drop", paths: p.paths });
      else if (p.type === "leave") cb({ type: "leave" });
    });
  }
}

/**
 * The app's `remote-asset` scheme (src-tauri/src/remote_assets.rs): the session's grant, then
 * the original URL. `convertFileSrc` spells it the platform's way
 * (`remote-asset://localhost/…`, or `http://remote-asset.localhost/…` on Windows).
 */
function remoteAssets(access: RemoteAssetAccess): RemoteAssets {
  const grant = access.grant;
  if (!access.enabled || grant === null) return { enabled: access.enabled, proxy: null };
  const prefix = `${convertFileSrc(grant, "remote-asset")}/`;
  return { enabled: true, proxy: (url) => prefix + encodeURIComponent(url) };
}
