#!/usr/bin/env bash
# Installs what building, running and testing Tapedeck needs on Debian 12, skipping whatever
# is already there. Usage: scripts/install-deps.sh [run|test]
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"

need_apt=(
  # Building the Tauri app (WebKitGTK 4.1 and friends).
  build-essential pkg-config curl file
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
  libsoup-3.0-dev libxdo-dev
  # Running without a display.
  xvfb xauth
)
if [ "$purpose" = test ]; then
  # End-to-end tests drive the real app through WebKitWebDriver; UI tests use Chromium.
  # xclip reads the clipboard the app writes; fullscreen needs a window manager (openbox).
  need_apt+=(webkit2gtk-driver chromium xclip openbox)
fi

missing=()
for p in "${need_apt[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || {
  echo "error: Rust (cargo) is required: install it with rustup (https://rustup.rs), Rust 1.90 or newer (what Tauri needs)" >&2
  exit 1
}
command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || {
  echo "error: Node.js 20 or newer (with npm) is required" >&2
  exit 1
}

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "==> npm ci (ui)"
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
fi

if [ "$purpose" = test ] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "==> cargo install tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi
