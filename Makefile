# The two commands: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

# One feature set for every build of the app (tests, lint, e2e, run), so cargo reuses it.
APP_FEATURES := --features tapedeck/custom-protocol
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"

.PHONY: run test deps-run deps-test ui app lint test-rust test-ui test-browser test-e2e \
        bench bench-import bench-library bench-feed bench-first-frame bench-player bench-seek bindings fmt samples \
        test-keyframes

## Install what is missing, build, and open the app (on the sample library the first time).
run: deps-run app
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "No display found: running under Xvfb (nothing will be visible)."; \
	  GSETTINGS_BACKEND=memory $(XVFB) target/debug/tapedeck; \
	else \
	  target/debug/tapedeck; \
	fi

## Install what is missing and run every test.
test: deps-test lint test-rust test-ui test-browser test-keyframes test-e2e

deps-run:
	scripts/install-deps.sh run

deps-test:
	scripts/install-deps.sh test

ui:
	npm --prefix ui run build

app: ui
	cargo build -p tapedeck $(APP_FEATURES)

lint: ui
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets $(APP_FEATURES) -- -D warnings
	npm --prefix ui run fmt:check
	npm --prefix ui run check

test-rust: ui
	cargo test --workspace --exclude tapedeck-e2e $(APP_FEATURES)

test-ui:
	npm --prefix ui test

test-browser:
	node --test tests/ui/

test-e2e: app
	GSETTINGS_BACKEND=memory $(XVFB) cargo test -p tapedeck-e2e --tests -- --test-threads=1

# Seeking through a keyframe must reach the DOM a replay from the start reaches (headless
# Chromium; records the hour-long recording into target/bench/ once, a few minutes).
test-keyframes:
	cargo build -p tapedeck-cli
	node tools/keyframes/record-long.mjs
	node --test tests/keyframes/

## Benchmarks (not tests): figures for the README's performance section.
bench: bench-import bench-library bench-feed bench-first-frame bench-player bench-seek

bench-import:
	cargo bench -p tapedeck-engine --bench import

# Generates the 100 000-session library into target/bench/ once (minutes), then times it.
bench-library:
	cargo bench -p tapedeck-engine --bench library

bench-feed: app
	GSETTINGS_BACKEND=memory $(XVFB) cargo bench -p tapedeck-e2e --bench feed_scroll

bench-first-frame: app
	GSETTINGS_BACKEND=memory $(XVFB) cargo bench -p tapedeck-e2e --bench first_frame

# Records the two big recordings into target/bench/ once (~130 MB, ~20 min; ~540 MB, ~40 min),
# then times both players on each (~40 min). Options: PLAYER_ARGS="--only stock --runs 1".
bench-player: app
	node tools/long-recording/record.mjs --profile heavy
	node tools/long-recording/record.mjs --profile huge
	GSETTINGS_BACKEND=memory $(XVFB) cargo bench -p tapedeck-e2e --bench player_vs_stock -- $(PLAYER_ARGS)

# What the engine does for a seek (the heavy recording, recorded first if missing).
bench-seek:
	node tools/long-recording/record.mjs --profile heavy
	cargo bench -p tapedeck-engine --bench seek -- --file $(CURDIR)/target/bench/long-recording-heavy.json

## Rewrite ui/src/lib/bindings.ts from the Rust commands.
bindings: ui
	TAPEDECK_WRITE_BINDINGS=1 cargo test -p tapedeck $(APP_FEATURES) --test bindings

fmt:
	cargo fmt --all
	npm --prefix ui run fmt

## Re-record the bundled sample library with the real rrweb recorder.
samples:
	node tools/samples/record.mjs
