//! The native menu bar. Items that need the UI (a dialog owned by the webview) are forwarded
//! to it as `MenuAction` events.

use tauri::menu::{MenuBuilder, MenuItemBuilder, SubmenuBuilder};
use tauri::App;
use tauri_specta::Event;

use crate::commands::MenuAction;

pub fn install(app: &mut App) -> tauri::Result<()> {
    let open = MenuItemBuilder::with_id("open", "Open…")
        .accelerator("CmdOrCtrl+O")
        .build(app)?;
    let file = SubmenuBuilder::new(app, "File")
        .item(&open)
        .separator()
        .quit()
        .build()?;
    let menu = MenuBuilder::new(app).item(&file).build()?;
    app.set_menu(menu)?;
    app.on_menu_event(|app, event| {
        if event.id() == "open" {
            let _ = MenuAction {
                action: "open".into(),
            }
            .emit(app);
        }
    });
    Ok(())
}
