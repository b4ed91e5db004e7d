//! The Tauri shell: window, menu, plugins, and the commands that expose the engine. Thin by
//! design: anything that is not about the desktop lives in `tapedeck-engine`.

pub mod commands;
mod downloads;
pub mod error;
mod launch;
pub mod library_commands;
mod menu;
mod remote_assets;
mod rendering;
mod samples;
mod state;
mod watching;

use tauri::Manager;
use tauri_plugin_deep_link::DeepLinkExt;
use tauri_specta::{collect_commands, collect_events, Builder, Event};

pub use launch::{parse_args, Invocation, Launch};
use state::AppState;

/// The typed IPC surface: commands and events, from which `ui/src/lib/bindings.ts` is made.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::list_sessions,
            commands::get_session,
            commands::get_console,
            commands::get_network,
            commands::get_network_request,
            commands::get_analysis_settings,
            commands::set_analysis_settings,
            commands::library_info,
            commands::take_launch_request,
            commands::import_paths,
            commands::copy_session_link,
            commands::set_fullscreen,
            commands::get_remote_assets,
            commands::set_remote_assets,
            library_commands::search_sessions,
            library_commands::get_facets,
            library_commands::delete_sessions,
            library_commands::count_user_sessions,
            library_commands::erase_user,
            library_commands::set_tags,
            library_commands::add_comment,
            library_commands::delete_comment,
            library_commands::list_saved_searches,
            library_commands::save_search,
            library_commands::delete_saved_search,
            library_commands::get_library_log,
            library_commands::clear_library_log,
            library_commands::recent_items,
            library_commands::get_retention,
            library_commands::set_retention,
            watching::list_watched_folders,
            watching::add_watched_folder,
            watching::remove_watched_folder,
            downloads::fetch_url,
            downloads::cancel_fetch,
        ])
        .events(collect_events![
            commands::ImportProgressEvent,
            commands::AnalysisProgressEvent,
            commands::LibraryChanged,
            commands::MenuAction,
            commands::LaunchRequest,
            watching::ScanProgressEvent,
            downloads::FetchProgressEvent,
        ])
        .dangerously_cast_bigints_to_number()
        // Output and input shapes are the same here; one type each reads better.
        .disable_serde_phases()
}

/// Writes the TypeScript bindings to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated from the Rust commands by tauri-specta. Do not edit.\n// Regenerate: TAPEDECK_WRITE_BINDINGS=1 cargo test -p tapedeck bindings\n"),
            path,
        )
        .map_err(|e| e.to_string())
}

/// Commands outside the generated bindings (raw byte responses).
fn raw_commands() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![commands::chunk_events, commands::seek_events]
}

/// One running app per library: a launch on another library is an app of its own.
fn instance_id(library: &std::path::Path) -> String {
    use std::hash::{Hash, Hasher};
    // SipHash with fixed keys: the same path gives the same name in every process.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::path::absolute(library)
        .unwrap_or_else(|_| library.to_path_buf())
        .hash(&mut h);
    format!("dev.tapedeck.app.l{:016x}", h.finish())
}

/// Another launch on this library: open what it was given here, and come to the front.
fn forward_launch(
    app: &tauri::AppHandle,
    library: &std::path::Path,
    argv: Vec<String>,
    cwd: &std::path::Path,
) {
    // Relative paths are the other launch's, relative to where it was started.
    let argv = argv
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let relative = i > 0
                && !a.starts_with('-')
                && !tapedeck_engine::link::SessionLink::is_link(&a)
                && std::path::Path::new(&a).is_relative();
            if relative {
                cwd.join(a).into_os_string()
            } else {
                a.into()
            }
        })
        .collect();
    let Invocation::App(launch) = parse_args(argv) else {
        return;
    };
    let same = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if same(&launch.library_path) != same(library) {
        return;
    }
    open_request(
        app,
        commands::LaunchRequest::new(&launch.files, &launch.links),
    );
}

fn open_request(app: &tauri::AppHandle, request: commands::LaunchRequest) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
    if !request.paths.is_empty() || !request.links.is_empty() {
        let _ = request.emit(app);
    }
}

/// Runs the desktop app.
pub fn run(launch: Launch) {
    rendering::prefer_cpu_drawing_without_gpu();
    let specta = specta_builder();
    let typed_handler = specta.invoke_handler();
    // `chunk_events` and `seek_events` return raw bytes, which the generated bindings cannot
    // type; they are routed beside the typed commands.
    let raw_handler = raw_commands();

    let library_path = launch.library_path.clone();
    tauri::Builder::default()
        // First, so a second launch on the same library hands its files and links to this
        // one and exits before anything else starts.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id(&library_path))
                .callback(move |app, argv, cwd| {
                    forward_launch(app, &library_path, argv, std::path::Path::new(&cwd));
                })
                .build(),
        )
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        // A recording's remote stylesheets, images, fonts and media, for sessions the user
        // opted in for (the CSP allows this scheme, no remote origin).
        .manage(remote_assets::AssetProxy::new())
        .manage(watching::Watching::default())
        .manage(downloads::Downloads::default())
        .register_asynchronous_uri_scheme_protocol(
            remote_assets::SCHEME,
            |ctx, request, responder| {
                remote_assets::serve(ctx.app_handle().clone(), request, responder)
            },
        )
        .invoke_handler(move |invoke| {
            if matches!(invoke.message.command(), "chunk_events" | "seek_events") {
                raw_handler(invoke)
            } else {
                typed_handler(invoke)
            }
        })
        .setup(move |app| {
            specta.mount_events(app);
            let state = AppState::new(
                launch.library_path.clone(),
                launch.files.clone(),
                launch.links.clone(),
            )?;
            app.manage(state);
            // Links the OS hands over while running (where it does so by event, not argv).
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |e| {
                let links: Vec<String> = e.urls().iter().map(|u| u.to_string()).collect();
                open_request(&handle, commands::LaunchRequest::new(&[], &links));
            });
            // An installed build makes itself the handler of tapedeck:// links; a development
            // build leaves the desktop's handlers alone.
            #[cfg(all(target_os = "linux", not(debug_assertions)))]
            if let Err(e) = app.deep_link().register_all() {
                eprintln!("tapedeck: could not register tapedeck:// links: {e}");
            }
            menu::install(app.handle())?;
            library_commands::start_retention(app.handle());
            samples::install_if_first_start(app.handle());
            watching::start(app.handle());
            // Sessions analysed (or keyframed) by an older build are brought up to date in the
            // background; the feed refreshes when it is done.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                use tapedeck_engine::library::Reanalyze;
                if let Err(e) = commands::reanalyze(handle.clone(), Reanalyze::Stale).await {
                    eprintln!(
                        "tapedeck: could not update the analysis: {}",
                        e.payload().message
                    );
                }
                // Sessions imported before keyframes seek from their full snapshot until then.
                if let Err(e) = commands::build_keyframes(handle, Reanalyze::Stale).await {
                    eprintln!(
                        "tapedeck: could not write keyframes: {}",
                        e.payload().message
                    );
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running Tapedeck");
}
