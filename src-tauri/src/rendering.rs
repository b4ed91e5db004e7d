//! How the webview draws.

use std::path::Path;

/// WebKitGTK's switch from drawing on the GPU (Skia's GPU backend, through OpenGL) to drawing
/// on the CPU.
const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Has WebKitGTK draw on the CPU when the machine has no GPU to draw with. Call it before the
/// webview starts and before any other thread does.
///
/// Without a GPU render node, Mesa's llvmpipe stands in for one, and WebKitGTK's GPU drawing
/// then compiles every shader with LLVM the first time it needs it: the first open of a big
/// recording (the player benchmark's heavy one, under Xvfb) waited 1.5–2.1 s for that, all of
/// it on WebKit's `SkiaGPUWorker` thread in libLLVM, against 0.18 s drawing on the CPU, and the
/// seeks after it were no slower. A value the user set wins.
pub fn prefer_cpu_drawing_without_gpu() {
    if cfg!(target_os = "linux")
        && std::env::var_os(CPU_RENDERING).is_none()
        && !has_render_node(Path::new("/dev/dri"))
    {
        std::env::set_var(CPU_RENDERING, "1");
    }
}

/// Whether `dri` (Linux's `/dev/dri`) holds a GPU render node (`renderD128`, …).
fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_is_a_gpu_to_draw_with() {
        let dir = tempfile::tempdir().unwrap();
        let dri = dir.path().join("dri");
        assert!(!has_render_node(&dri), "no /dev/dri at all");
        std::fs::create_dir(&dri).unwrap();
        std::fs::write(dri.join("card0"), b"").unwrap();
        assert!(
            !has_render_node(&dri),
            "a display card alone renders nothing"
        );
        std::fs::write(dri.join("renderD128"), b"").unwrap();
        assert!(has_render_node(&dri));
    }
}
