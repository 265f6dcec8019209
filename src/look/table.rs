//! A list sheet's table: header row, typed cells, widths, filter and frozen header.
//!
//! Every list in the workbook is written through [`write_table`], so text from
//! returns is always stored as text (an `=HYPERLINK(…)` stays a string) and every
//! list gets the same look. Its columns and cells are [`super::cells`]'s, its
//! widths and heights [`super::layout`]'s.

use rust_xlsxwriter::{
    ConditionalFormatCell, ConditionalFormatCellRule, Format, Worksheet, XlsxError,
};

pub use super::cells::*;
use super::layout::{ColumnWidth, LIST_TYPE, Layout};
use super::style::{self, Formats};
use crate::check::Verdict;

/// The header row of a list under its title and line.
const TITLED_TOP: u32 = 2;

/// Writes one cell with the format its column and value call for.
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn write_cell(
    sheet: &mut Worksheet,
    (row, column): (u32, u16),
    cell: &Cell,
    kind: Kind,
    formats: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) => {
            let format = match kind {
                Kind::Center | Kind::Date => &formats.centered,
                Kind::Text => &formats.body,
                Kind::Wrap => &formats.wrapped,
            };
            sheet.write_string_with_format(row, column, fit_cell_text(s), format)?;
        }
        Cell::Int(n) => {
            sheet.write_number_with_format(row, column, *n as f64, &formats.centered)?;
        }
        Cell::Date(d) => {
            sheet.write_datetime_with_format(row, column, d, &formats.date)?;
        }
        Cell::Percent(p) => {
            sheet.write_number_with_format(row, column, *p, &formats.percent)?;
        }
        Cell::Verdict(v) => {
            sheet.write_string_with_format(row, column, v.label(), formats.verdict(*v))?;
        }
        Cell::Heading(s) => {
            sheet.write_string_with_format(row, column, s, &formats.heading)?;
        }
        Cell::Empty => {
            sheet.write_blank(row, column, &formats.body)?;
        }
        // Written by the cell it belongs to, merged across.
        Cell::Joined => {}
    }
    Ok(())
}

/// The look a column gives the cells written into it without a format of their own.
fn column_format(kind: Kind, formats: &Formats) -> &Format {
    match kind {
        Kind::Center => &formats.centered,
        Kind::Text => &formats.body,
        Kind::Wrap => &formats.wrapped,
        Kind::Date => &formats.date,
    }
}

/// Writes one cell of a table whose columns carry their formats: a cell that looks
/// as its column does is written without a format, an empty one not at all.
/// rust_xlsxwriter hashes the whole `Format` of every cell written with one, which
/// was the largest single cost of writing 明细 at national scale.
/// The cell is taken, not borrowed, so its text is handed over without a copy.
fn write_plain_cell(
    sheet: &mut Worksheet,
    (row, column): (u32, u16),
    cell: Cell,
    kind: Kind,
    formats: &Formats,
) -> Result<(), XlsxError> {
    match (cell, kind) {
        (Cell::Text(s), _) => {
            let text = match fit_cell_text(&s) {
                std::borrow::Cow::Borrowed(_) => s,
                std::borrow::Cow::Owned(cut) => cut,
            };
            sheet.write_string(row, column, text)?;
        }
        (Cell::Int(n), Kind::Center) => {
            sheet.write_number(row, column, n as f64)?;
        }
        (Cell::Date(d), Kind::Date) => {
            sheet.write_datetime(row, column, d)?;
        }
        // Coloured by the column's conditional formats (see `colour_verdicts`).
        (Cell::Verdict(v), _) => {
            sheet.write_string(row, column, v.label())?;
        }
        (Cell::Empty | Cell::Joined, _) => {}
        (cell, _) => write_cell(sheet, (row, column), &cell, kind, formats)?,
    }
    Ok(())
}

/// Colours a column of verdicts by rules on its text, one per verdict, instead of a
/// format per cell. The rules match the verdict's label, so they hold even when a
/// reader edits a cell.
fn colour_verdicts(
    sheet: &mut Worksheet,
    column: u16,
    (first, last): (u32, u32),
) -> Result<(), XlsxError> {
    for verdict in Verdict::ALL {
        let rule = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(verdict.label()))
            .set_format(style::verdict_highlight(verdict));
        sheet.add_conditional_format(first, column, last, column, &rule)?;
    }
    Ok(())
}

/// Writes a list sheet whose first printed page starts with its title and the line
/// under it (as of when, from whom), then the table; every page also carries them
/// in its page header. Returns the next free row.
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn write_titled(
    sheet: &mut Worksheet,
    page: &style::Page,
    layout: &Layout,
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<u32, XlsxError> {
    let width = layout.columns.len() as u16;
    write_title(sheet, &page.title, width, &style::title())?;
    let last = width.saturating_sub(1).max(1);
    sheet.merge_range(1, 0, 1, last, &page.line(), &style::subtitle())?;
    write_table(sheet, TITLED_TOP, layout, rows, Some(page))
}

/// Writes a printed list: its columns laid out for the page from its rows
/// ([`Layout::fit`]), then [`write_titled`]. Returns the next free row.
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn write_list(
    sheet: &mut Worksheet,
    page: &style::Page,
    columns: &[Column],
    rows: Vec<Vec<Cell>>,
) -> Result<u32, XlsxError> {
    let layout = Layout::fit(columns, &rows);
    write_titled(sheet, page, &layout, rows)
}

/// Writes a header at row `top` and the rows under it; freezes the header, adds a
/// filter and repeats the header on every printed page, headed with `page` when
/// given (a county's own copy has none). Returns the next free row.
///
/// A laid-out list ([`Layout::fit`]) is set in 9 points, every cell top-aligned
/// and wrapped, each row as tall as its text, and printed at full size; a table
/// with widths of its own keeps the 10-point look and is fitted to the page's width.
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn write_table(
    sheet: &mut Worksheet,
    top: u32,
    layout: &Layout,
    rows: impl IntoIterator<Item = Vec<Cell>>,
    page: Option<&style::Page>,
) -> Result<u32, XlsxError> {
    let mut table = Table::begin(sheet, top, layout)?;
    let mut heights = layout.heights();
    // Rows are written as they come, so a long list is never held twice.
    for cells in rows {
        let height = heights.of(&cells);
        table.row(sheet, cells, height)?;
    }
    table.finish(sheet, page)
}

/// A table being written a row at a time (see [`write_table`]).
pub struct Table<'l, 'a> {
    top: u32,
    layout: &'l Layout<'a>,
    formats: Formats,
    /// Whether its columns carry the body formats (see `write_plain_cell`).
    plain: bool,
    count: u32,
    verdict_columns: Vec<u16>,
}

impl<'l, 'a> Table<'l, 'a> {
    /// Writes the header at row `top` and sets the columns.
    ///
    /// # Errors
    /// Only on rust_xlsxwriter's range checks.
    pub fn begin(
        sheet: &mut Worksheet,
        top: u32,
        layout: &'l Layout<'a>,
    ) -> Result<Self, XlsxError> {
        let columns = layout.columns;
        let (header, formats) = if layout.fitted() {
            (
                style::header().set_font_size(LIST_TYPE.points),
                Formats::list(LIST_TYPE.points),
            )
        } else {
            (style::header(), Formats::new())
        };
        // A table at the top of its sheet, or under the title and line of
        // `write_titled` (merged across its width), lends its columns the body formats,
        // and cells that look as their column does are written without one (see
        // `write_plain_cell`). One lower down keeps a format per cell: column formats
        // would frame the empty cells above it.
        let plain = top <= TITLED_TOP;
        for (c, column) in columns.iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(top, c, column.title, &header)?;
            match layout.width(c as usize) {
                ColumnWidth::Units(units) => sheet.set_column_width(c, units)?,
                ColumnWidth::Pixels(px) => sheet.set_column_width_pixels(c, px)?,
            };
            if plain {
                sheet.set_column_format(c, column_format(column.kind, &formats))?;
            }
        }
        sheet.set_row_height(top, layout.header_height())?;
        Ok(Self {
            top,
            layout,
            formats,
            plain,
            count: 0,
            verdict_columns: Vec::new(),
        })
    }

    /// Writes the next row, `height` points tall when given (see
    /// [`Layout::heights`]); a heading row takes the heading's height.
    ///
    /// # Errors
    /// Only on rust_xlsxwriter's range checks.
    pub fn row(
        &mut self,
        sheet: &mut Worksheet,
        cells: Vec<Cell>,
        height: Option<f64>,
    ) -> Result<(), XlsxError> {
        let columns = self.layout.columns;
        let formats = &self.formats;
        let row = self.top + 1 + self.count;
        self.count += 1;
        if let [Cell::Heading(text)] = cells.as_slice() {
            let last = columns.len().saturating_sub(1).max(1) as u16;
            sheet.merge_range(row, 0, row, last, text, &formats.heading)?;
            sheet.set_row_height(row, self.layout.heading_height())?;
            return Ok(());
        }
        // Where each cell's text runs on to: itself, or the last Joined after it.
        let mut runs_to: Vec<usize> = Vec::new();
        if cells.iter().any(|c| matches!(c, Cell::Joined)) {
            runs_to = (0..cells.len()).collect();
            for c in (0..cells.len().saturating_sub(1)).rev() {
                if matches!(cells[c + 1], Cell::Joined) {
                    runs_to[c] = runs_to[c + 1];
                }
            }
        }
        for (c, (cell, column)) in cells.into_iter().zip(columns).enumerate() {
            let at = (row, c as u16);
            let runs_on = runs_to.get(c).map_or(0, |to| to - c) as u16;
            if runs_on > 0 && !matches!(cell, Cell::Joined) {
                let text = match &cell {
                    Cell::Text(s) => fit_cell_text(s),
                    _ => "".into(),
                };
                sheet.merge_range(row, at.1, row, at.1 + runs_on, &text, &formats.wrapped)?;
                continue;
            }
            if self.plain
                && matches!(cell, Cell::Verdict(_))
                && !self.verdict_columns.contains(&at.1)
            {
                self.verdict_columns.push(at.1);
            }
            if self.plain {
                write_plain_cell(sheet, at, cell, column.kind, formats)?;
            } else {
                write_cell(sheet, at, &cell, column.kind, formats)?;
            }
        }
        if let Some(height) = height {
            sheet.set_row_height(row, height)?;
        }
        Ok(())
    }

    /// Colours the verdicts, adds the filter, freezes the header and sets the
    /// page up; gives the next free row.
    ///
    /// # Errors
    /// Only on rust_xlsxwriter's range checks.
    pub fn finish(
        self,
        sheet: &mut Worksheet,
        page: Option<&style::Page>,
    ) -> Result<u32, XlsxError> {
        let top = self.top;
        let last_col = self.layout.columns.len().saturating_sub(1) as u16;
        let last_row = top + self.count.max(1);
        for column in self.verdict_columns {
            colour_verdicts(sheet, column, (top + 1, last_row))?;
        }
        sheet.autofilter(top, 0, last_row, last_col)?;
        sheet.set_freeze_panes(top + 1, 0)?;
        match page {
            Some(page) if self.layout.fitted() => style::print_headed(sheet, (top, top), page)?,
            Some(page) => style::print_setup(sheet, Some((top, top)), page)?,
            None => style::print_pages(sheet, Some((top, top)))?,
        }
        Ok(top + 1 + self.count)
    }
}

/// Writes a sheet title merged across `width` columns at row 0.
///
/// # Errors
/// Only on rust_xlsxwriter's range checks.
pub fn write_title(
    sheet: &mut Worksheet,
    text: &str,
    width: u16,
    format: &Format,
) -> Result<(), XlsxError> {
    sheet.merge_range(0, 0, 0, width.saturating_sub(1).max(1), text, format)?;
    sheet.set_row_height(0, 30)?;
    Ok(())
}
