//! Small-cell suppression for published tables (open data): no count under the threshold
//! is shown, and no hidden count can be worked out again from the totals beside it.
//!
//! A table is a set of counts and the additive relations between them (a row's cells add
//! up to the row's total, the row totals to the grand total…). *Primary* suppression hides
//! every count under the threshold, zero included: "0" next to a published total tells as
//! much as the count itself. *Secondary* suppression then walks every relation: one that
//! hides exactly one of its terms would give it away by subtraction, so the smallest other
//! term is hidden too, until no relation hides exactly one. This is the usual heuristic of
//! statistical offices for tables of one or two dimensions (it hides a little more than an
//! optimal solver would, never less for these relations).

/// Counts under this are never published.
pub const THRESHOLD: i64 = 5;

/// A table's counts and how they add up.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub values: Vec<i64>,
    /// `(parts, total)`: the values at `parts` add up to the value at `total`.
    pub sums: Vec<(Vec<usize>, usize)>,
}

impl Table {
    /// A list of cells and their total (the last value).
    pub fn one_way(cells: &[i64]) -> Table {
        let mut values = cells.to_vec();
        values.push(cells.iter().sum());
        Table {
            sums: vec![((0..cells.len()).collect(), cells.len())],
            values,
        }
    }

    /// A grid of `rows` lines with the same number of cells each, then the row totals, the
    /// column totals and the grand total, in that order.
    pub fn two_way(rows: &[Vec<i64>]) -> Table {
        let r = rows.len();
        let c = rows.first().map_or(0, Vec::len);
        let mut values: Vec<i64> = rows
            .iter()
            .flat_map(|row| (0..c).map(move |j| row.get(j).copied().unwrap_or(0)))
            .collect();
        let cell = |i: usize, j: usize| i * c + j;
        let row_total = |i: usize| r * c + i;
        let col_total = |j: usize| r * c + r + j;
        let grand = r * c + r + c;
        for i in 0..r {
            values.push((0..c).map(|j| values[cell(i, j)]).sum());
        }
        for j in 0..c {
            values.push((0..r).map(|i| values[cell(i, j)]).sum());
        }
        values.push((0..r).map(|i| values[row_total(i)]).sum());
        let mut sums = vec![];
        for i in 0..r {
            sums.push(((0..c).map(|j| cell(i, j)).collect(), row_total(i)));
        }
        for j in 0..c {
            sums.push(((0..r).map(|i| cell(i, j)).collect(), col_total(j)));
        }
        sums.push(((0..r).map(row_total).collect(), grand));
        sums.push(((0..c).map(col_total).collect(), grand));
        Table { values, sums }
    }

    /// Which values must not be published.
    pub fn suppressed(&self) -> Vec<bool> {
        let mut hidden: Vec<bool> = self.values.iter().map(|&v| v < THRESHOLD).collect();
        // Each pass hides at least one more value or stops, so it ends.
        loop {
            let mut changed = false;
            for (parts, total) in &self.sums {
                let members = parts.iter().chain(std::iter::once(total));
                let n_hidden = members.clone().filter(|&&k| hidden[k]).count();
                if n_hidden != 1 {
                    continue;
                }
                // The smallest published term (a cell before a total of the same size):
                // the least information lost.
                let pick = members
                    .filter(|&&k| !hidden[k])
                    .min_by_key(|&&k| (self.values[k], k == *total));
                if let Some(&k) = pick {
                    hidden[k] = true;
                    changed = true;
                }
            }
            if !changed {
                return hidden;
            }
        }
    }
}

/// A value as published: the count, or `None` where it is suppressed.
pub fn publish(table: &Table) -> Vec<Option<i64>> {
    table
        .suppressed()
        .into_iter()
        .zip(&table.values)
        .map(|(h, &v)| (!h).then_some(v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// True when some relation leaves exactly one hidden term (it could be recomputed).
    fn recomputable(t: &Table, shown: &[Option<i64>]) -> bool {
        t.sums.iter().any(|(parts, total)| {
            parts
                .iter()
                .chain(std::iter::once(total))
                .filter(|&&k| shown[k].is_none())
                .count()
                == 1
        })
    }

    #[test]
    fn small_counts_are_hidden_and_cannot_be_recomputed_from_the_total() {
        let t = Table::one_way(&[120, 3, 40, 57]);
        let shown = publish(&t);
        assert_eq!(shown[1], None);
        // 120 + ? + 40 + 57 = 220 would give the 3 away: another cell goes too.
        assert_eq!(shown[2], None, "the smallest other cell is hidden");
        assert_eq!(shown[0], Some(120));
        assert_eq!(shown[4], Some(220));
        assert!(!recomputable(&t, &shown));
        assert!(shown.iter().flatten().all(|&v| v >= THRESHOLD));
    }

    #[test]
    fn zero_is_a_small_count_too() {
        let shown = publish(&Table::one_way(&[0, 10, 12]));
        assert_eq!(shown[0], None);
        assert_eq!(shown[1], None);
        assert_eq!(shown[2], Some(12));
    }

    #[test]
    fn a_table_without_small_counts_is_published_whole() {
        let t = Table::two_way(&[vec![10, 20], vec![30, 40]]);
        assert!(publish(&t).iter().all(Option::is_some));
    }

    #[test]
    fn a_small_total_is_hidden_with_its_cells() {
        let shown = publish(&Table::one_way(&[1, 2]));
        assert!(shown.iter().all(Option::is_none));
    }

    #[test]
    fn two_way_tables_hide_enough_in_every_row_column_and_margin() {
        // Sex by nationality, with one small cell and a small column.
        let rows = vec![vec![50, 2, 31, 18], vec![44, 9, 27, 6], vec![61, 14, 3, 20]];
        let t = Table::two_way(&rows);
        let shown = publish(&t);
        assert!(!recomputable(&t, &shown), "{shown:?}");
        assert!(shown.iter().flatten().all(|&v| v >= THRESHOLD));
        // The big cells stay.
        assert_eq!(shown[0], Some(50));
        assert_eq!(shown.last().copied().flatten(), Some(285));
    }

    #[test]
    fn generated_tables_never_publish_a_small_or_recomputable_count() {
        // A deterministic sweep of small grids with many small cells.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..500 {
            let r = 1 + (next() % 4) as usize;
            let c = 1 + (next() % 5) as usize;
            let rows: Vec<Vec<i64>> = (0..r)
                .map(|_| (0..c).map(|_| (next() % 12) as i64).collect())
                .collect();
            let t = Table::two_way(&rows);
            let shown = publish(&t);
            assert!(!recomputable(&t, &shown), "{rows:?} {shown:?}");
            assert!(shown.iter().flatten().all(|&v| v >= THRESHOLD), "{rows:?}");
        }
    }
}
