//! The error every command returns. It crosses IPC as `{code, message}`: `code` is stable for
//! the UI to branch on, `message` is what a person reads (it names the file and the reason).

use serde::{Serialize, Serializer};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Engine(#[from] tapedeck_engine::Error),

    #[error("a background task failed: {0}")]
    Task(String),

    #[error("the library is busy in another task")]
    Poisoned,

    #[error("could not use the clipboard: {0}")]
    Clipboard(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Engine(e) => e.code(),
            Self::Task(_) => "task_failed",
            Self::Poisoned => "library_poisoned",
            Self::Clipboard(_) => "clipboard_failed",
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code().to_string(),
            message: self.to_string(),
        }
    }
}

impl From<tauri::Error> for AppError {
    fn from(e: tauri::Error) -> Self {
        Self::Task(e.to_string())
    }
}

/// The wire shape of an `AppError`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, specta::Type)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.payload().serialize(s)
    }
}

impl specta::Type for AppError {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        ErrorPayload::definition(types)
    }
}

pub type AppResult<T> = Result<T, AppError>;
