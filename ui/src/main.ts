// The desktop app's entry: the UI over the Tauri backend.
import { mount } from "svelte";
import "rrweb/dist/style.css";
import "./app.css";
import App from "./App.svelte";
import { TauriBackend } from "./lib/backend/tauri-backend";
import { installProbe } from "./lib/test-hooks";

installProbe();

export default mount(App, {
  target: document.getElementById("app")!,
  props: { backend: new TauriBackend() },
});
