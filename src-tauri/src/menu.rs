//! The native menu bar. Items that need the UI (a dialog owned by the webview) are forwarded
//! to it as `MenuAction` events. File › Open Recent is rebuilt whenever the list changes.

use tauri::menu::{Menu, MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

use crate::commands::MenuAction;
use crate::state::AppState;

/// Ids of recent items are this prefix and the item's position in the list.
const RECENT_PREFIX: &str = "recent:";

pub fn install(app: &AppHandle) -> tauri::Result<()> {
    app.set_menu(build(app)?)?;
    app.on_menu_event(|app, event| {
        let id = event.id().as_ref();
        let (action, target) = match id.strip_prefix(RECENT_PREFIX) {
            Some(i) => {
                let Some(item) = i
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| recent(app).into_iter().nth(i))
                else {
                    return;
                };
                ("open-recent", Some(item))
            }
            None => (id, None),
        };
        if matches!(
            action,
            "open" | "open-url" | "watch-folder" | "import-log" | "open-recent"
        ) {
            let _ = MenuAction {
                action: action.into(),
                target,
            }
            .emit(app);
        }
    });
    Ok(())
}

/// Rebuilds the menu after File › Open Recent changed.
pub fn refresh(app: &AppHandle) {
    match build(app) {
        Ok(menu) => {
            let _ = app.set_menu(menu);
        }
        Err(e) => eprintln!("tapedeck: could not rebuild the menu: {e}"),
    }
}

fn recent<R: Runtime>(app: &AppHandle<R>) -> Vec<String> {
    app.state::<AppState>()
        .with_library(|lib| Ok(lib.recent_items()?))
        .map(|items| items.into_iter().map(|i| i.target).collect())
        .unwrap_or_default()
}

fn build(app: &AppHandle) -> tauri::Result<Menu<tauri::Wry>> {
    let open = MenuItemBuilder::with_id("open", "Open…")
        .accelerator("CmdOrCtrl+O")
        .build(app)?;
    let open_url = MenuItemBuilder::with_id("open-url", "Open URL…")
        .accelerator("CmdOrCtrl+Shift+O")
        .build(app)?;
    let watch = MenuItemBuilder::with_id("watch-folder", "Watch Folder…").build(app)?;
    let log = MenuItemBuilder::with_id("import-log", "Import Log").build(app)?;
    let mut recent_menu = SubmenuBuilder::new(app, "Open Recent");
    let items = recent(app);
    if items.is_empty() {
        recent_menu = recent_menu.item(
            &MenuItemBuilder::with_id("recent-none", "No recent files")
                .enabled(false)
                .build(app)?,
        );
    }
    for (i, target) in items.iter().enumerate() {
        recent_menu = recent_menu.item(
            &MenuItemBuilder::with_id(format!("{RECENT_PREFIX}{i}"), label(target)).build(app)?,
        );
    }
    let file = SubmenuBuilder::new(app, "File")
        .item(&open)
        .item(&open_url)
        .item(&recent_menu.build()?)
        .separator()
        .item(&watch)
        .item(&log)
        .separator()
        .quit()
        .build()?;
    MenuBuilder::new(app).item(&file).build()
}

/// A menu label: the file name and its folder, or the URL (shortened either way).
fn label(target: &str) -> String {
    let text = if target.starts_with("http://") || target.starts_with("https://") {
        target.to_string()
    } else {
        let p = std::path::Path::new(target);
        match (p.file_name(), p.parent()) {
            (Some(name), Some(dir)) => format!("{} — {}", name.to_string_lossy(), dir.display()),
            _ => target.to_string(),
        }
    };
    // Underscores would be read as mnemonics by GTK.
    let text = text.replace('_', "__");
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(79).collect();
        format!("{cut}…")
    } else {
        text
    }
}
