//! The thresholds behind every derived fact. They are library settings: changing them and
//! running `reanalyze` recomputes every session. docs/ANALYSIS.md explains each choice.

use serde::{Deserialize, Serialize};

/// Bumped whenever the analysis changes what it derives from the same events, so libraries
/// analysed by an older build are brought up to date.
/// 2: every console entry and network request is kept (schema 6).
/// 3: page titles, and the words of console messages, event names and titles are indexed
/// for search (schema 8).
pub const ANALYSIS_VERSION: i64 = 3;

/// Where the settings live in the library's `library_meta` table.
pub const SETTINGS_KEY: &str = "analysis_settings";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct AnalysisSettings {
    /// A gap without user activity longer than this is an inactive segment (PostHog: 5 s,
    /// rrweb's skipInactive: 10 s).
    pub inactivity_threshold_ms: i64,
    /// Rage click: at least this many clicks…
    pub rage_click_min_clicks: u32,
    /// …each within this long of the previous one…
    pub rage_click_interval_ms: i64,
    /// …and this close to it, in page pixels (PostHog's rule).
    pub rage_click_radius_px: f64,
    /// Dead click: a click on a link or button with no page response within this long.
    pub dead_click_timeout_ms: i64,
    /// Error click: an error within this long after a click.
    pub error_click_window_ms: i64,
    /// Thrashing: the reversals must fall within this long…
    pub thrash_window_ms: i64,
    /// …each leg (movement in one direction) at least this long, in pixels…
    pub thrash_min_leg_px: f64,
    /// …and there must be at least this many pointer reversals on one axis…
    pub mouse_thrash_reversals: u32,
    /// …or this many scroll reversals of one scrolling element.
    pub scroll_thrash_reversals: u32,
    /// U-turn: back to the previous page within this long of leaving it.
    pub u_turn_ms: i64,
    /// Viewport resizes closer than this are one resize (a window drag sends dozens).
    pub resize_merge_ms: i64,
}

impl Default for AnalysisSettings {
    fn default() -> Self {
        Self {
            inactivity_threshold_ms: 5_000,
            rage_click_min_clicks: 3,
            rage_click_interval_ms: 1_000,
            rage_click_radius_px: 30.0,
            dead_click_timeout_ms: 2_000,
            error_click_window_ms: 1_000,
            thrash_window_ms: 1_000,
            thrash_min_leg_px: 100.0,
            mouse_thrash_reversals: 4,
            scroll_thrash_reversals: 3,
            u_turn_ms: 5_000,
            resize_merge_ms: 500,
        }
    }
}

impl AnalysisSettings {
    /// Settings that make sense: positive durations and counts of at least two.
    pub fn validate(&self) -> Result<(), String> {
        let durations = [
            ("inactivity threshold", self.inactivity_threshold_ms),
            ("rage click interval", self.rage_click_interval_ms),
            ("dead click timeout", self.dead_click_timeout_ms),
            ("error click window", self.error_click_window_ms),
            ("thrash window", self.thrash_window_ms),
            ("U-turn time", self.u_turn_ms),
        ];
        for (name, ms) in durations {
            if !(1..=24 * 3_600_000).contains(&ms) {
                return Err(format!("{name} must be between 1 ms and 24 h, not {ms} ms"));
            }
        }
        if self.resize_merge_ms < 0 {
            return Err("resize merge time must not be negative".into());
        }
        if self.rage_click_min_clicks < 2
            || self.mouse_thrash_reversals < 1
            || self.scroll_thrash_reversals < 1
        {
            return Err(
                "rage clicks need at least 2 clicks and thrashing at least 1 reversal".into(),
            );
        }
        if !(self.rage_click_radius_px >= 0.0 && self.thrash_min_leg_px >= 0.0) {
            return Err("distances must not be negative".into());
        }
        Ok(())
    }
}
