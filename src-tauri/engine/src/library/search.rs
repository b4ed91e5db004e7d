//! Search: a parsed `SessionQuery` becomes one SQL `WHERE` over the sessions table and its
//! full-text indexes (`session_meta` for substrings of who and where, `session_text` and
//! `session_notes` for words of what happened). Paged, so the feed only ever asks for what
//! it shows.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Transaction};

use super::query::{Clock, SessionQuery};
use super::{summary_from_row, Library, SUMMARY_COLUMNS};
use crate::analysis::SessionAnalysis;
use crate::error::Result;
use crate::model::{FacetValue, Facets, MarkerKind, SearchPage, SessionSort};

/// Most sessions one page holds.
pub const MAX_PAGE: u32 = 1_000;
/// Console text indexed per session, at most: enough for every message of an ordinary
/// session; a hostile one cannot bloat the index.
const MAX_CONSOLE_TEXT: usize = 256 * 1024;

impl Library {
    /// The sessions `query` matches, in `sort` order, `limit` of them from `offset`.
    pub fn search(
        &self,
        query: &str,
        clock: Clock,
        sort: SessionSort,
        offset: u32,
        limit: u32,
    ) -> Result<SearchPage> {
        let parsed = SessionQuery::parse(query, clock);
        let filter = where_clause(&parsed);
        let total = self.count(&filter)?;
        let limit = limit.min(MAX_PAGE);
        let picked: Vec<i64> = if total == 0 || offset >= total {
            Vec::new()
        } else {
            // Many matches of a full-text set: walk the order's index and test each row
            // against the set, stopping at the page's end, rather than look up every match
            // and sort them (`+pk` keeps the planner off the rowid lookups).
            let dense = filter.has_sets && i64::from(total) * 50 > self.pk_span()?;
            let sql = filter.sql.replace(PK, if dense { "+pk" } else { "pk" });
            let mut pick = self.conn.prepare_cached(&format!(
                "SELECT pk FROM sessions WHERE {sql} ORDER BY {}, pk DESC \
                 LIMIT {limit} OFFSET {offset}",
                order_by(sort),
            ))?;
            let rows = pick.query_map(params_from_iter(filter.values.iter()), |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        // The page's rows, in the page's order (`json_each` numbers the picked keys).
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM sessions JOIN (SELECT key AS page_order, \
             value AS page_pk FROM json_each(?1)) ON pk = page_pk ORDER BY page_order"
        ))?;
        let picked = serde_json::to_string(&picked).unwrap_or_else(|_| "[]".into());
        let sessions = stmt
            .query_map([picked], summary_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(SearchPage {
            total,
            offset,
            sessions,
            notes: parsed.notes,
        })
    }

    /// How many sessions `query` matches.
    pub fn count_matching(&self, query: &str, clock: Clock) -> Result<u32> {
        self.count(&where_clause(&SessionQuery::parse(query, clock)))
    }

    /// About how many sessions there are, at once (`count(*)` reads a whole index).
    fn pk_span(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(pk), 0) FROM sessions", [], |r| {
                r.get(0)
            })?)
    }

    fn count(&self, filter: &Filter) -> Result<u32> {
        // A query of full-text sets alone is counted on the sets: no session row is read.
        if let Some((sql, values)) = &filter.sets_only {
            return Ok(self.conn.query_row(
                &format!("SELECT count(*) FROM ({sql})"),
                params_from_iter(values.iter()),
                |r| r.get(0),
            )?);
        }
        Ok(self.conn.query_row(
            &format!(
                "SELECT count(*) FROM sessions WHERE {}",
                filter.sql.replace(PK, "pk")
            ),
            params_from_iter(filter.values.iter()),
            |r| r.get(0),
        )?)
    }

    /// The values each filter can take, most common first.
    pub fn facets(&self) -> Result<Facets> {
        let column = |col: &str| -> Result<Vec<FacetValue>> {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {col}, count(*) AS n FROM sessions WHERE {col} IS NOT NULL AND {col} != '' \
                 GROUP BY {col} COLLATE NOCASE ORDER BY n DESC, {col} LIMIT 200"
            ))?;
            let rows = stmt.query_map([], |r| {
                Ok(FacetValue {
                    value: r.get(0)?,
                    count: r.get(1)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let mut tags = self.conn.prepare_cached(
            "SELECT tag, count(*) AS n FROM session_tags GROUP BY tag ORDER BY n DESC, tag \
             LIMIT 500",
        )?;
        let tags = tags
            .query_map([], |r| {
                Ok(FacetValue {
                    value: r.get(0)?,
                    count: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Facets {
            browsers: column("browser")?,
            oses: column("os")?,
            devices: column("device_type")?,
            countries: column("country")?,
            folders: column("source_folder")?,
            tags,
        })
    }
}

pub(super) fn order_by(sort: SessionSort) -> &'static str {
    match sort {
        SessionSort::Recency => "started_at DESC",
        SessionSort::Duration => "(ended_at - started_at) DESC, started_at DESC",
        SessionSort::ActiveTime => "active_ms DESC, started_at DESC",
        SessionSort::Errors => "error_count DESC, started_at DESC",
        SessionSort::Frustration => "frustration_score DESC, started_at DESC",
    }
}

/// Stands for `pk` in a part that tests membership of a full-text set, so a plan can turn it
/// into `+pk`.
const PK: &str = "{pk}";

/// A query as SQL.
struct Filter {
    /// The `WHERE`, with `PK` where a set is tested.
    sql: String,
    values: Vec<Value>,
    /// Some part tests membership of a full-text set.
    has_sets: bool,
    /// When every part is such a set: their intersection, to count.
    sets_only: Option<(String, Vec<Value>)>,
}

/// The `WHERE` for a query, with its bound values in order.
fn where_clause(q: &SessionQuery) -> Filter {
    let mut w = Where::default();
    for word in &q.words {
        w.word(word);
    }
    for u in &q.user {
        w.substring_of(u, &["user_id", "user_name", "user_email"], "ident");
    }
    for e in &q.email {
        w.substring_of(e, &["user_email"], "ident");
    }
    for id in &q.id_prefix {
        w.push(
            "(id LIKE ? ESCAPE '\\' OR vendor_id LIKE ? ESCAPE '\\')",
            [prefix_pattern(id), prefix_pattern(id)],
        );
    }
    for url in &q.url {
        if let Some(m) = trigram_match("urls", url) {
            w.push(
                "pk IN (SELECT rowid FROM session_meta WHERE session_meta MATCH ?)",
                [m],
            );
        } else {
            w.push(
                "pk IN (SELECT session_pk FROM session_urls WHERE url LIKE ? ESCAPE '\\')",
                [substring_pattern(url)],
            );
        }
    }
    for t in &q.text {
        match word_match(t) {
            Some(m) => w.push(
                "pk IN (SELECT rowid FROM session_text WHERE session_text MATCH ?1 \
                 UNION SELECT rowid FROM session_notes WHERE session_notes MATCH ?1)",
                [m],
            ),
            None => w.never(),
        }
    }
    if let Some(from) = q.started_from {
        w.push("started_at >= ?", [from]);
    }
    if let Some(before) = q.started_before {
        w.push("started_at < ?", [before]);
    }
    if q.has_errors {
        w.raw("error_count > 0");
    }
    if q.has_rage_clicks {
        w.raw("rage_click_count > 0");
    }
    if q.has_dead_clicks {
        w.raw("dead_click_count > 0");
    }
    if q.has_comments {
        w.raw("EXISTS (SELECT 1 FROM session_comments c WHERE c.session_pk = sessions.pk)");
    }
    if q.missing {
        w.raw("missing = 1");
    }
    // `+ 0`: not the duration index (made for sorting), so the feed's narrow index,
    // which holds both ends and the other flags, answers it.
    if let Some(min) = q.min_duration_ms {
        w.push("(ended_at - started_at) + 0 >= ?", [min]);
    }
    if let Some(max) = q.max_duration_ms {
        w.push("(ended_at - started_at) + 0 <= ?", [max]);
    }
    for (col, v) in [
        ("browser", &q.browser),
        ("os", &q.os),
        ("device_type", &q.device),
        ("country", &q.country),
    ] {
        if let Some(v) = v {
            w.push(&format!("{col} = ? COLLATE NOCASE"), [v.clone()]);
        }
    }
    if let Some(folder) = &q.folder {
        w.push(
            "(source_folder = ? OR source_folder LIKE ? ESCAPE '\\')",
            [folder.clone(), format!("{}/%", escape_like(folder))],
        );
    }
    for tag in &q.tags {
        w.push(
            "pk IN (SELECT session_pk FROM session_tags WHERE tag = ?)",
            [tag.clone()],
        );
    }
    w.finish()
}

#[derive(Default)]
struct Where {
    parts: Vec<String>,
    values: Vec<Value>,
    /// Each free word's set of rowids, with its values, numbered on its own.
    sets: Vec<(String, Vec<Value>)>,
}

impl Where {
    fn push<V: Into<Value>>(&mut self, sql: &str, values: impl IntoIterator<Item = V>) {
        // `?1` in a part means "the part's first value", reused; renumber to absolute.
        let values: Vec<Value> = values.into_iter().map(Into::into).collect();
        let base = self.values.len();
        let sql = if sql.contains("?1") {
            sql.replace("?1", &format!("?{}", base + 1))
        } else {
            let mut n = base;
            sql.split('?')
                .enumerate()
                .map(|(i, s)| {
                    if i == 0 {
                        s.to_string()
                    } else {
                        n += 1;
                        format!("?{n}{s}")
                    }
                })
                .collect()
        };
        self.parts.push(sql);
        self.values.extend(values);
    }

    fn raw(&mut self, sql: &str) {
        self.parts.push(sql.to_string());
    }

    fn never(&mut self) {
        self.raw("0");
    }

    /// A free word: a substring of who or where, or a word of what happened.
    fn word(&mut self, word: &str) {
        let mut arms = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        match trigram_match("", word) {
            Some(m) => {
                arms.push("SELECT rowid FROM session_meta WHERE session_meta MATCH ?".to_string());
                values.push(m.into());
            }
            None => match word_match(word) {
                // Shorter than a trigram: the first letters of a word of who or where.
                Some(m) => {
                    arms.push(
                        "SELECT rowid FROM session_meta_words WHERE session_meta_words MATCH ?"
                            .to_string(),
                    );
                    values.push(m.into());
                }
                // One or two signs ("@", "/"): a scan of the small who/where table.
                None => {
                    arms.push(
                        "SELECT rowid FROM session_meta WHERE ident LIKE ? ESCAPE '\\' \
                         OR urls LIKE ? ESCAPE '\\'"
                            .to_string(),
                    );
                    values.push(substring_pattern(word).into());
                    values.push(substring_pattern(word).into());
                }
            },
        }
        // A single letter is the start of typing a name, not a word of what happened: its
        // prefix would match most console text and titles.
        if let Some(m) = word_match(word).filter(|_| word.chars().count() > 1) {
            arms.push("SELECT rowid FROM session_text WHERE session_text MATCH ?".to_string());
            arms.push("SELECT rowid FROM session_notes WHERE session_notes MATCH ?".to_string());
            values.push(m.clone().into());
            values.push(m.into());
        }
        // Membership does not need the arms' rows made distinct; a count does.
        self.sets.push((arms.join(" UNION "), values.clone()));
        self.push(&format!("{PK} IN ({})", arms.join(" UNION ALL ")), values);
    }

    /// `text` is a substring of one of `columns`; the trigram index narrows it down first.
    fn substring_of(&mut self, text: &str, columns: &[&str], fts_column: &str) {
        let likes: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} LIKE ? ESCAPE '\\'"))
            .collect();
        let mut values: Vec<Value> = Vec::new();
        let mut sql = format!("({})", likes.join(" OR "));
        for _ in columns {
            values.push(substring_pattern(text).into());
        }
        if let Some(m) = trigram_match(fts_column, text) {
            sql = format!(
                "pk IN (SELECT rowid FROM session_meta WHERE session_meta MATCH ?) AND {sql}"
            );
            values.insert(0, m.into());
        }
        self.push(&sql, values);
    }

    fn finish(self) -> Filter {
        let has_sets = !self.sets.is_empty();
        let sets_only = (has_sets && self.sets.len() == self.parts.len()).then(|| {
            let sql = self
                .sets
                .iter()
                .map(|(s, _)| format!("SELECT * FROM ({s})"))
                .collect::<Vec<_>>()
                .join(" INTERSECT ");
            let values = self.sets.into_iter().flat_map(|(_, v)| v).collect();
            (sql, values)
        });
        Filter {
            sql: if self.parts.is_empty() {
                "1".into()
            } else {
                self.parts.join(" AND ")
            },
            values: self.values,
            has_sets,
            sets_only,
        }
    }
}

/// An FTS5 trigram query for `text` as a substring (in `column`, or any), or None when it is
/// shorter than a trigram.
fn trigram_match(column: &str, text: &str) -> Option<String> {
    if text.chars().count() < 3 {
        return None;
    }
    let phrase = format!("\"{}\"", text.replace('"', "\"\""));
    Some(if column.is_empty() {
        phrase
    } else {
        format!("{column} : {phrase}")
    })
}

/// An FTS5 query matching every word of `text` by prefix, or None when it has no words.
fn word_match(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn substring_pattern(s: &str) -> String {
    format!("%{}%", escape_like(s))
}

fn prefix_pattern(s: &str) -> String {
    format!("{}%", escape_like(s))
}

/// (Re)writes a session's who-and-where row from its columns and pages.
pub(super) fn index_session(tx: &Transaction<'_>, pk: i64) -> Result<()> {
    tx.execute("DELETE FROM session_meta WHERE rowid = ?1", [pk])?;
    tx.execute("DELETE FROM session_meta_words WHERE rowid = ?1", [pk])?;
    tx.execute(
        "INSERT INTO session_meta (rowid, ident, urls) \
         SELECT pk, concat_ws(char(10), id, vendor_id, user_id, user_name, user_email), \
                (SELECT group_concat(url, char(10)) FROM session_urls WHERE session_pk = pk) \
         FROM sessions WHERE pk = ?1",
        [pk],
    )?;
    tx.execute(
        "INSERT INTO session_meta_words (rowid, ident, urls) \
         SELECT rowid, ident, urls FROM session_meta WHERE rowid = ?1",
        [pk],
    )?;
    Ok(())
}

/// (Re)writes a session's words of what happened, from its analysis.
pub(super) fn index_text(tx: &Transaction<'_>, pk: i64, a: &SessionAnalysis) -> Result<()> {
    let mut console = String::new();
    for e in &a.console {
        if console.len() + e.message.len() > MAX_CONSOLE_TEXT {
            break;
        }
        console.push_str(&e.message);
        console.push('\n');
    }
    let mut events: Vec<&str> = a
        .markers
        .iter()
        .filter(|m| m.kind == MarkerKind::CustomEvent)
        .filter_map(|m| m.detail.name.as_deref())
        .collect();
    events.sort_unstable();
    events.dedup();
    let titles = a.titles.join("\n");
    tx.execute("DELETE FROM session_text WHERE rowid = ?1", [pk])?;
    tx.execute(
        "INSERT INTO session_text (rowid, console, events, titles) VALUES (?1, ?2, ?3, ?4)",
        params![pk, console, events.join("\n"), titles],
    )?;
    Ok(())
}
