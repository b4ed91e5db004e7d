//! The UI's `bindings.ts` is generated from the Rust commands. This test fails when the
//! committed file no longer matches them; `TAPEDECK_WRITE_BINDINGS=1` rewrites it.

use std::path::Path;

#[test]
fn bindings_are_up_to_date() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
    let fresh = tempfile::NamedTempFile::new().unwrap();
    tapedeck_app::export_bindings(fresh.path()).expect("bindings export");
    let fresh = std::fs::read_to_string(fresh.path()).unwrap();
    if std::env::var_os("TAPEDECK_WRITE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        current == fresh,
        "ui/src/lib/bindings.ts is stale: regenerate it with \
         `TAPEDECK_WRITE_BINDINGS=1 cargo test -p tapedeck --test bindings` and commit it"
    );
}
