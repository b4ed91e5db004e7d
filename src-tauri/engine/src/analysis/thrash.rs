//! Thrashing: rapid back-and-forth of the pointer or of a scroll position. A reversal counts
//! once the movement in the new direction has covered `min_leg` pixels, so jitter and slow
//! corrections are not reversals.

use std::collections::VecDeque;

/// Direction reversals along one axis.
#[derive(Debug, Clone, Default)]
pub struct Reversals {
    /// Turning point the current leg started from.
    anchor: f64,
    /// Furthest point of the current leg, and when.
    peak: f64,
    peak_t: f64,
    /// +1, -1, or 0 before the first leg.
    dir: i8,
    last_t: Option<f64>,
}

/// A confirmed reversal: when the pointer turned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Turn {
    pub at: f64,
}

impl Reversals {
    /// Feeds a position; returns the reversal it confirmed, if any.
    pub fn push(&mut self, t: f64, v: f64, min_leg: f64, max_gap: f64) -> Option<Turn> {
        if self.last_t.is_none_or(|last| t - last > max_gap) {
            *self = Self {
                anchor: v,
                peak: v,
                peak_t: t,
                dir: 0,
                last_t: Some(t),
            };
            return None;
        }
        self.last_t = Some(t);
        let min_leg = min_leg.max(f64::MIN_POSITIVE);
        match self.dir {
            0 => {
                if (v - self.anchor).abs() >= min_leg {
                    self.dir = if v > self.anchor { 1 } else { -1 };
                    (self.peak, self.peak_t) = (v, t);
                }
                None
            }
            d => {
                let d = f64::from(d);
                if (v - self.peak) * d > 0.0 {
                    (self.peak, self.peak_t) = (v, t);
                    None
                } else if (self.peak - v) * d >= min_leg {
                    let turn = Turn { at: self.peak_t };
                    self.anchor = self.peak;
                    (self.peak, self.peak_t) = (v, t);
                    self.dir = -self.dir;
                    Some(turn)
                } else {
                    None
                }
            }
        }
    }
}

/// Groups reversals into episodes: `min` reversals within `window` start one, and it lasts
/// while reversals keep coming within `window` of each other.
#[derive(Debug, Clone, Default)]
pub struct Episodes {
    recent: VecDeque<Turn>,
    /// Start time and reversal count of the episode under way.
    current: Option<(f64, u32)>,
    last: f64,
}

/// What a reversal did to the episodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EpisodeChange {
    None,
    /// A new episode, starting (its first turn) at this time, with this many reversals.
    Started(f64, u32),
    /// The episode under way now has this many reversals.
    Grew(u32),
}

impl Episodes {
    pub fn reversal(&mut self, turn: Turn, min: u32, window: f64) -> EpisodeChange {
        let t = turn.at;
        if let Some((_, n)) = self.current.as_mut() {
            if t - self.last <= window {
                *n += 1;
                self.last = t;
                return EpisodeChange::Grew(*n);
            }
            self.current = None;
            self.recent.clear();
        }
        self.last = t;
        self.recent.push_back(turn);
        while self.recent.front().is_some_and(|f| t - f.at > window) {
            self.recent.pop_front();
        }
        if self.recent.len() as u32 >= min {
            // Dated at its first turn: the leg before it may have begun long before.
            let start = self.recent[0].at;
            let n = self.recent.len() as u32;
            self.current = Some((start, n));
            self.recent.clear();
            return EpisodeChange::Started(start, n);
        }
        EpisodeChange::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_is_not_a_reversal() {
        let mut r = Reversals::default();
        let mut n = 0;
        for (i, x) in [0.0, 60.0, 40.0, 70.0, 55.0, 120.0].into_iter().enumerate() {
            n += r.push(i as f64 * 50.0, x, 50.0, 2_000.0).is_some() as u32;
        }
        assert_eq!(n, 0);
    }

    #[test]
    fn back_and_forth_counts_each_turn() {
        let mut r = Reversals::default();
        let turns: Vec<Option<Turn>> = [0.0, 200.0, 0.0, 200.0, 0.0]
            .into_iter()
            .enumerate()
            .map(|(i, x)| r.push(i as f64 * 100.0, x, 50.0, 2_000.0))
            .collect();
        let turn = |at| Some(Turn { at });
        // Each turn is dated where the pointer turned, confirmed one sample later.
        assert_eq!(turns, [None, None, turn(100.0), turn(200.0), turn(300.0)]);
    }

    #[test]
    fn episodes_need_enough_reversals_in_the_window() {
        let mut e = Episodes::default();
        let mut at = |t: f64| e.reversal(Turn { at: t }, 3, 2_000.0);
        assert_eq!(at(0.0), EpisodeChange::None);
        assert_eq!(at(3_000.0), EpisodeChange::None);
        assert_eq!(at(3_500.0), EpisodeChange::None);
        assert_eq!(at(4_000.0), EpisodeChange::Started(3_000.0, 3));
        assert_eq!(at(5_000.0), EpisodeChange::Grew(4));
        // After a pause the next burst is a new episode.
        assert_eq!(at(9_000.0), EpisodeChange::None);
    }
}
