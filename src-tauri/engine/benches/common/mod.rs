//! What the engine's benchmarks share.

/// The value after `flag` on the command line (`--runs 3`), if given.
pub fn option(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}
