//! What the app keeps between commands.

use std::path::PathBuf;
use std::sync::Mutex;

use tapedeck_engine::Library;

use crate::error::{AppError, AppResult};

pub struct AppState {
    pub library_path: PathBuf,
    /// The connection queries use. Imports open their own, so a long import never blocks the
    /// feed (SQLite WAL lets them run side by side).
    reader: Mutex<Library>,
    /// Files and links named on the command line, handed to the UI once it asks.
    launch: Mutex<(Vec<PathBuf>, Vec<String>)>,
    /// Imports run one at a time: they write to the same file.
    pub import_lock: tauri::async_runtime::Mutex<()>,
}

impl AppState {
    pub fn new(
        library_path: PathBuf,
        launch_paths: Vec<PathBuf>,
        launch_links: Vec<String>,
    ) -> AppResult<Self> {
        let reader = Library::open(&library_path)?;
        Ok(Self {
            library_path,
            reader: Mutex::new(reader),
            launch: Mutex::new((launch_paths, launch_links)),
            import_lock: tauri::async_runtime::Mutex::new(()),
        })
    }

    pub fn with_library<T>(&self, f: impl FnOnce(&Library) -> AppResult<T>) -> AppResult<T> {
        let lib = self.reader.lock().map_err(|_| AppError::Poisoned)?;
        f(&lib)
    }

    pub fn with_library_mut<T>(
        &self,
        f: impl FnOnce(&mut Library) -> AppResult<T>,
    ) -> AppResult<T> {
        let mut lib = self.reader.lock().map_err(|_| AppError::Poisoned)?;
        f(&mut lib)
    }

    pub fn take_launch(&self) -> (Vec<PathBuf>, Vec<String>) {
        self.launch
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
    }
}
