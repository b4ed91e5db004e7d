//! Per-window state while a recording streams in, in the order windows first appear, found by
//! the recorder's window id (import and inspect keep one per window).

pub(crate) struct ByWindow<T> {
    /// Window ids, parallel to `items`. Recordings have a handful of windows, so a linear
    /// search beats hashing (and allocates nothing per event).
    keys: Vec<Option<String>>,
    items: Vec<T>,
}

impl<T> Default for ByWindow<T> {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T> ByWindow<T> {
    /// The state of window `key`, made by `make(index, key)` the first time it is seen.
    pub fn entry(
        &mut self,
        key: Option<&str>,
        make: impl FnOnce(u32, Option<String>) -> T,
    ) -> &mut T {
        let slot = match self.keys.iter().position(|k| k.as_deref() == key) {
            Some(slot) => slot,
            None => {
                let owned = key.map(str::to_owned);
                self.items
                    .push(make(self.items.len() as u32, owned.clone()));
                self.keys.push(owned);
                self.items.len() - 1
            }
        };
        &mut self.items[slot]
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_first_seen_order_and_makes_each_window_once() {
        let mut w: ByWindow<(u32, Option<String>)> = ByWindow::default();
        for key in [Some("b"), None, Some("b"), Some("a"), None] {
            w.entry(key, |i, k| (i, k));
        }
        let got: Vec<_> = w.into_vec();
        assert_eq!(
            got,
            vec![(0, Some("b".into())), (1, None), (2, Some("a".into()))]
        );
    }
}
