//! The app's command line: `tapedeck [--library PATH] [FILE | tapedeck://LINK ...]`.
//! Subcommands (`tapedeck list`) are the CLI's and are dispatched before any window exists.

use std::ffi::OsString;
use std::path::PathBuf;

use tapedeck_engine::library::resolve_path;
use tapedeck_engine::link::SessionLink;

#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    pub library_path: PathBuf,
    /// Recordings to import and open once the window is up.
    pub files: Vec<PathBuf>,
    /// `tapedeck://` links to open, as given (the UI reports one that does not parse).
    pub links: Vec<String>,
}

/// What the binary was asked to do.
#[derive(Debug, PartialEq)]
pub enum Invocation {
    /// Run a CLI subcommand with these arguments (program name included).
    Cli(Vec<OsString>),
    /// Open the desktop app.
    App(Launch),
}

pub fn parse_args(args: Vec<OsString>) -> Invocation {
    let mut library: Option<PathBuf> = None;
    let mut files = Vec::new();
    let mut links = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].to_string_lossy();
        if arg == "--library" {
            library = args.get(i + 1).map(PathBuf::from);
            i += 2;
            continue;
        }
        if let Some(v) = arg.strip_prefix("--library=") {
            library = Some(PathBuf::from(v));
        } else if SessionLink::is_link(&arg) {
            links.push(arg.into_owned());
        } else if files.is_empty()
            && links.is_empty()
            && (tapedeck_cli::SUBCOMMANDS.contains(&arg.as_ref())
                || matches!(arg.as_ref(), "-h" | "--help" | "-V" | "--version"))
        {
            return Invocation::Cli(args);
        } else if !arg.starts_with('-') {
            files.push(absolute(PathBuf::from(&args[i])));
        }
        i += 1;
    }
    Invocation::App(Launch {
        library_path: resolve_path(library.as_deref()),
        files,
        links,
    })
}

/// The UI may resolve paths against another working directory; hand it absolute ones.
fn absolute(p: PathBuf) -> PathBuf {
    std::path::absolute(&p).unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn subcommands_go_to_the_cli() {
        let a = args(&["tapedeck", "--library", "x.db", "list", "--json"]);
        assert_eq!(parse_args(a.clone()), Invocation::Cli(a));
        assert!(matches!(
            parse_args(args(&["tapedeck", "--help"])),
            Invocation::Cli(_)
        ));
    }

    #[test]
    fn files_and_library_open_the_app() {
        let Invocation::App(l) = parse_args(args(&[
            "tapedeck",
            "--library=/l.db",
            "/r/a.json",
            "b.json",
        ])) else {
            panic!("expected the app")
        };
        assert_eq!(l.library_path, PathBuf::from("/l.db"));
        assert_eq!(l.files[0], PathBuf::from("/r/a.json"));
        assert!(l.files[1].is_absolute() && l.files[1].ends_with("b.json"));
    }

    #[test]
    fn links_open_the_app_and_are_not_paths() {
        let Invocation::App(l) = parse_args(args(&[
            "tapedeck",
            "tapedeck://session/abc?t=5",
            "a.json",
            "TAPEDECK://session/def",
        ])) else {
            panic!("expected the app")
        };
        assert_eq!(
            l.links,
            ["tapedeck://session/abc?t=5", "TAPEDECK://session/def"]
        );
        assert_eq!(l.files.len(), 1);
        assert!(l.files[0].ends_with("a.json"));
    }

    #[test]
    fn a_file_named_like_a_subcommand_after_a_file_is_a_file() {
        let Invocation::App(l) = parse_args(args(&["tapedeck", "a.json", "list"])) else {
            panic!("expected the app")
        };
        assert_eq!(l.files.len(), 2);
    }
}
