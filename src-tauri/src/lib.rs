//! The Tauri shell: window, menu, plugins, and the commands that expose the engine. Thin by
//! design: anything that is not about the desktop lives in `tapedeck-engine`.

pub mod commands;
pub mod error;
mod launch;
mod menu;
mod remote_assets;
mod samples;
mod state;

use tauri::Manager;
use tauri_specta::{collect_commands, collect_events, Builder};

pub use launch::{parse_args, Invocation, Launch};
use state::AppState;

/// The typed IPC surface: commands and events, from which `ui/src/lib/bindings.ts` is made.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::list_sessions,
            commands::get_session,
            commands::get_analysis_settings,
            commands::set_analysis_settings,
            commands::get_console,
            commands::get_network,
            commands::get_network_request,
            commands::library_info,
            commands::take_launch_request,
            commands::import_paths,
            commands::get_remote_assets,
            commands::set_remote_assets,
        ])
        .events(collect_events![
            commands::ImportProgressEvent,
            commands::AnalysisProgressEvent,
            commands::LibraryChanged,
            commands::MenuAction,
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
    tauri::generate_handler![commands::chunk_events]
}

/// Runs the desktop app.
pub fn run(launch: Launch) {
    let specta = specta_builder();
    let typed_handler = specta.invoke_handler();
    // `chunk_events` returns raw bytes, which the generated bindings cannot type; it is
    // routed beside the typed commands.
    let raw_handler = raw_commands();

    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        // A recording's remote stylesheets, images, fonts and media, for sessions the user
        // opted in for (the CSP allows this scheme, no remote origin).
        .manage(remote_assets::AssetProxy::new())
        .register_asynchronous_uri_scheme_protocol(
            remote_assets::SCHEME,
            |ctx, request, responder| {
                remote_assets::serve(ctx.app_handle().clone(), request, responder)
            },
        )
        .invoke_handler(move |invoke| {
            if invoke.message.command() == "chunk_events" {
                raw_handler(invoke)
            } else {
                typed_handler(invoke)
            }
        })
        .setup(move |app| {
            specta.mount_events(app);
            let state = AppState::new(launch.library_path.clone(), launch.files.clone())?;
            app.manage(state);
            menu::install(app)?;
            samples::install_if_first_start(app.handle());
            // Sessions analysed by an older build are brought up to date in the background;
            // the feed refreshes when it is done.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) =
                    commands::reanalyze(handle, tapedeck_engine::library::Reanalyze::Stale).await
                {
                    eprintln!(
                        "tapedeck: could not update the analysis: {}",
                        e.payload().message
                    );
                }
            });
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running Tapedeck");
}
