//! One table's data: its rows, load state, selection, sort and fuzzy filter.
//! Rows are kept packed ([`PackedRow`]: sanitised text in one allocation); `order` holds the
//! sorted row indices and `visible` the filtered subset, so a frame reads only what it draws.

use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

use super::rows::{Column, PackedRow, TableRow};
use crate::domain::StageName;
use crate::wire::Timestamp;

/// Where a list's data stands; the view shows each state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LoadState {
    #[default]
    Idle,
    Loading,
    Loaded {
        at: Timestamp,
    },
    Failed {
        message: String,
    },
    /// Shown from the cache (or kept after a failed refresh) until the server answers.
    Stale {
        saved_at: Timestamp,
    },
}

impl LoadState {
    /// After a failed refresh: rows already shown stay, marked stale since they were loaded;
    /// with none, the failure is what the view shows.
    pub fn after_failure(&self, message: &str) -> LoadState {
        match self {
            LoadState::Loaded { at } => LoadState::Stale { saved_at: *at },
            LoadState::Stale { saved_at } => LoadState::Stale {
                saved_at: *saved_at,
            },
            _ => LoadState::Failed {
                message: message.to_string(),
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortKey {
    pub column: usize,
    pub descending: bool,
}

pub struct ListView {
    /// The columns of the row type it shows.
    pub columns: &'static [Column],
    pub rows: Vec<PackedRow>,
    /// The detail pane's labels (the same for every row of `T`).
    pub detail_labels: Vec<&'static str>,
    /// All row indices in sort order.
    pub order: Vec<u32>,
    /// Rows that pass the filter, in display order.
    pub visible: Vec<u32>,
    /// Index into `visible`.
    pub selected: usize,
    /// First visible row drawn (kept by `update`, so the view stays pure).
    pub offset: usize,
    pub sort: Option<SortKey>,
    pub filter: String,
    pub load: LoadState,
    /// A request is in flight (shown as a spinner over whatever is displayed).
    pub refreshing: bool,
    /// The stage these rows belong to (`None` for tenant-wide lists).
    pub stage: Option<StageName>,
    /// The query `visible` was computed for: a query that extends it narrows `visible` only.
    applied_filter: String,
}

impl ListView {
    /// An empty list of `T` rows.
    pub fn of<T: TableRow>() -> ListView {
        ListView {
            columns: T::COLUMNS,
            ..ListView::blank()
        }
    }

    /// A list without columns.
    pub fn blank() -> ListView {
        ListView {
            columns: &[],
            rows: Vec::new(),
            detail_labels: Vec::new(),
            order: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            sort: None,
            filter: String::new(),
            load: LoadState::Idle,
            refreshing: false,
            stage: None,
            applied_filter: String::new(),
        }
    }
}

/// The fuzzy matcher and its buffers, reused for every keystroke.
pub struct Filterer {
    matcher: Matcher,
    chars: Vec<char>,
    scored: Vec<(u32, u32)>,
}

impl Default for Filterer {
    fn default() -> Self {
        Filterer {
            matcher: Matcher::new(Config::DEFAULT),
            chars: Vec::new(),
            scored: Vec::new(),
        }
    }
}

impl ListView {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn selected_row(&self) -> Option<&PackedRow> {
        let index = *self.visible.get(self.selected)?;
        self.rows.get(index as usize)
    }

    /// A detail value of a row by its label ("" when the type has no such label).
    pub fn value<'a>(&self, row: &'a PackedRow, label: &str) -> &'a str {
        self.detail_labels
            .iter()
            .position(|l| *l == label)
            .and_then(|i| row.detail_values(self.columns.len()).nth(i))
            .unwrap_or("")
    }

    /// Label/value pairs of a row for the detail pane.
    pub fn detail<'a>(&self, row: &'a PackedRow) -> Vec<(&'static str, &'a str)> {
        self.detail_labels
            .iter()
            .copied()
            .zip(row.detail_values(self.columns.len()))
            .collect()
    }

    /// Replaces the rows (sanitised and packed as they come), keeping sort, filter and the
    /// selected row.
    pub fn set_items<T: TableRow>(&mut self, items: Vec<T>, filterer: &mut Filterer) {
        let keep = self.selected_row().map(|r| r.id().to_string());
        let mut buf = String::new();
        let mut rows = Vec::with_capacity(items.len());
        for mut item in items {
            item.sanitize();
            let (row, labels) = PackedRow::pack(&item, &mut buf);
            if self.detail_labels.is_empty() {
                self.detail_labels = labels;
            }
            rows.push(row);
        }
        self.rows = rows;
        self.resort();
        self.applied_filter.clear();
        self.refilter(filterer);
        if let Some(id) = keep {
            self.select_id(&id);
        }
    }

    pub fn clear(&mut self) {
        self.rows.clear();
        self.order.clear();
        self.visible.clear();
        self.applied_filter.clear();
        self.selected = 0;
        self.offset = 0;
        self.load = LoadState::Idle;
        self.refreshing = false;
    }

    fn select_id(&mut self, id: &str) {
        let rows = &self.rows;
        if let Some(pos) = self
            .visible
            .iter()
            .position(|&i| rows[i as usize].id() == id)
        {
            self.selected = pos;
        }
    }

    fn resort(&mut self) {
        self.order = (0..self.rows.len() as u32).collect();
        if let Some(SortKey { column, descending }) = self.sort {
            let rows = &self.rows;
            self.order
                .sort_by_cached_key(|&i| rows[i as usize].cell(column).to_lowercase());
            if descending {
                self.order.reverse();
            }
        }
    }

    /// `s`: sort by the next column (none → 0 → 1 … → none).
    pub fn cycle_sort_column(&mut self, filterer: &mut Filterer) {
        self.sort = match self.sort {
            None => Some(SortKey {
                column: 0,
                descending: false,
            }),
            Some(k) if k.column + 1 < self.columns.len() => Some(SortKey {
                column: k.column + 1,
                descending: k.descending,
            }),
            Some(_) => None,
        };
        self.resort_keeping_selection(filterer);
    }

    /// `S`: flip the direction (sorting by the first column if nothing was sorted).
    pub fn flip_sort_direction(&mut self, filterer: &mut Filterer) {
        self.sort = Some(match self.sort {
            None => SortKey {
                column: 0,
                descending: true,
            },
            Some(k) => SortKey {
                column: k.column,
                descending: !k.descending,
            },
        });
        self.resort_keeping_selection(filterer);
    }

    fn resort_keeping_selection(&mut self, filterer: &mut Filterer) {
        let keep = self.selected_row().map(|r| r.id().to_string());
        self.resort();
        self.applied_filter.clear();
        self.refilter(filterer);
        if let Some(id) = keep {
            self.select_id(&id);
        }
    }

    pub fn set_filter(&mut self, query: &str, filterer: &mut Filterer) {
        self.filter = query.to_string();
        self.refilter(filterer);
    }

    /// Recomputes `visible` from `order` and the filter. A query extending the previous one
    /// only re-scores the rows still visible.
    fn refilter(&mut self, filterer: &mut Filterer) {
        let query = self.filter.trim();
        if query.is_empty() {
            self.visible.clone_from(&self.order);
        } else {
            // Every row matching the longer query matched the shorter one.
            let narrowing =
                !self.applied_filter.is_empty() && query.starts_with(self.applied_filter.as_str());
            // Words must all match, fzf-style. The greedy matcher is linear in the row's
            // length: the optimal one cost ~1 µs a row, too much for 100,000 rows a keystroke.
            let needles: Vec<Utf32String> = query
                .split_whitespace()
                .map(|word| Utf32String::from(word.to_lowercase().as_str()))
                .collect();
            let candidates: &[u32] = if narrowing {
                &self.visible
            } else {
                &self.order
            };
            let Filterer {
                matcher,
                chars,
                scored,
            } = filterer;
            scored.clear();
            for &i in candidates {
                let row = Utf32Str::new(self.rows[i as usize].haystack(), chars);
                let mut total: u32 = 0;
                let all = needles.iter().all(|needle| {
                    matcher
                        .fuzzy_match_greedy(row, needle.slice(..))
                        .map(|score| total += u32::from(score))
                        .is_some()
                });
                if all {
                    scored.push((total, i));
                }
            }
            // With an explicit sort the sort order wins; otherwise best matches first.
            if self.sort.is_none() {
                scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            }
            let next: Vec<u32> = scored.iter().map(|&(_, i)| i).collect();
            self.visible = next;
        }
        self.applied_filter = query.to_string();
        self.clamp_selection();
    }

    fn clamp_selection(&mut self) {
        if self.visible.is_empty() {
            self.selected = 0;
        } else if self.selected >= self.visible.len() {
            self.selected = self.visible.len() - 1;
        }
    }

    /// Moves the selection by `delta` rows and keeps it inside a viewport of `height` rows.
    pub fn move_selection(&mut self, delta: isize, height: usize) {
        if self.visible.is_empty() {
            self.selected = 0;
            self.offset = 0;
            return;
        }
        let last = self.visible.len() - 1;
        let target = (self.selected as isize + delta).clamp(0, last as isize);
        self.selected = target as usize;
        self.scroll_into_view(height);
    }

    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.visible.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Api;

    fn api(id: &str, name: &str) -> Api {
        Api {
            id: id.into(),
            name: name.into(),
            display_name: name.to_uppercase(),
            ..Api::default()
        }
    }

    fn names(list: &ListView) -> Vec<&str> {
        list.visible
            .iter()
            .map(|&i| list.rows[i as usize].cell(0))
            .collect()
    }

    fn selected_id(list: &ListView) -> Option<&str> {
        list.selected_row().map(|r| r.id())
    }

    #[test]
    fn filter_sort_and_selection_survive_a_refresh() {
        let mut f = Filterer::default();
        let mut list = ListView::of::<Api>();
        list.set_items(
            vec![
                api("1", "payments"),
                api("2", "orders"),
                api("3", "pay-ledger"),
            ],
            &mut f,
        );
        list.cycle_sort_column(&mut f);
        assert_eq!(names(&list), ["orders", "pay-ledger", "payments"]);
        list.set_filter("pay", &mut f);
        assert_eq!(names(&list), ["pay-ledger", "payments"]);
        list.set_filter("paym", &mut f);
        assert_eq!(names(&list), ["payments"]);
        list.set_filter("", &mut f);
        list.move_selection(2, 10);
        assert_eq!(selected_id(&list), Some("1"));
        list.flip_sort_direction(&mut f);
        assert_eq!(names(&list), ["payments", "pay-ledger", "orders"]);
        assert_eq!(selected_id(&list), Some("1"));
        list.set_items(vec![api("2", "orders"), api("1", "payments")], &mut f);
        assert_eq!(selected_id(&list), Some("1"));
    }

    #[test]
    fn selection_scrolls_within_the_viewport() {
        let mut f = Filterer::default();
        let mut list = ListView::of::<Api>();
        list.set_items(
            (0..100)
                .map(|i| api(&i.to_string(), &format!("api-{i:03}")))
                .collect(),
            &mut f,
        );
        list.move_selection(30, 10);
        assert_eq!((list.selected, list.offset), (30, 21));
        list.move_selection(-5, 10);
        assert_eq!((list.selected, list.offset), (25, 21));
        list.move_selection(-100, 10);
        assert_eq!((list.selected, list.offset), (0, 0));
        list.move_selection(1000, 10);
        assert_eq!((list.selected, list.offset), (99, 90));
    }
}
