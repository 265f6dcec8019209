//! A sheet as intake holds it: its non-empty cells, row by row, and its merged
//! areas. Every reader ([`super::workbook`], [`super::webexport`]) gives sheets in
//! this form, and header discovery and row reading take them; this module imports
//! nothing of intake but the cell helpers.

use calamine::Data;

use super::cells::is_blank;

/// One non-empty row of a sheet: its 0-based row index and its non-empty cells by column.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRow {
    pub index: u32,
    pub cells: Vec<(u32, Data)>,
}

impl GridRow {
    pub fn get(&self, col: u32) -> Option<&Data> {
        self.cells
            .binary_search_by_key(&col, |(c, _)| *c)
            .ok()
            .map(|i| &self.cells[i].1)
    }
}

/// A sheet's non-empty cells, rows in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    pub rows: Vec<GridRow>,
}

impl Grid {
    /// Builds a grid from cells in any order; blank cells are dropped.
    pub fn from_cells(mut cells: Vec<(u32, u32, Data)>) -> Self {
        cells.retain(|(_, _, v)| !is_blank(v));
        cells.sort_by_key(|(r, c, _)| (*r, *c));
        let mut rows: Vec<GridRow> = Vec::new();
        for (r, c, v) in cells {
            match rows.last_mut() {
                Some(row) if row.index == r => {
                    // Keep the first value when a cell appears twice.
                    if row.cells.last().map(|(lc, _)| *lc) != Some(c) {
                        row.cells.push((c, v));
                    }
                }
                _ => rows.push(GridRow {
                    index: r,
                    cells: vec![(c, v)],
                }),
            }
        }
        Self { rows }
    }

    /// The value at (row, column), if the cell is not empty.
    pub fn value(&self, row: u32, col: u32) -> Option<&Data> {
        let i = self.rows.binary_search_by_key(&row, |r| r.index).ok()?;
        self.rows[i].get(col)
    }

    /// The non-empty rows from `first` to `last`, inclusive.
    pub fn rows_between(&self, first: u32, last: u32) -> &[GridRow] {
        let start = self.rows.partition_point(|r| r.index < first);
        let end = self.rows.partition_point(|r| r.index <= last);
        &self.rows[start..end.max(start)]
    }
}

/// A merged area, 0-based inclusive corners: (first row, first col, last row, last col).
pub type Merge = (u32, u32, u32, u32);

/// A cell holding a formula whose result the file does not store (a workbook
/// written by a program that does not calculate, and never opened and saved in
/// Excel): 0-based row and column, and the formula as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingFormula {
    pub row: u32,
    pub col: u32,
    pub formula: String,
}

/// One sheet as read.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    pub grid: Grid,
    pub merges: Vec<Merge>,
}
