//! A list sheet's table: header row, typed cells, widths, filter and frozen header.
//!
//! Every list in the workbook is written through [`write_table`], so text from
//! returns is always stored as text (an `=HYPERLINK(…)` stays a string) and every
//! list gets the same look.

use chrono::NaiveDate;
use rust_xlsxwriter::{
    ConditionalFormatCell, ConditionalFormatCellRule, Format, Worksheet, XlsxError,
};

use super::layout::{ColumnWidth, LIST_TYPE, Layout};
use super::style::{self, Formats};
use crate::check::Verdict;

/// The header row of a list under its title and line.
const TITLED_TOP: u32 = 2;

/// Excel's limit on one cell's text, in UTF-16 units.
const MAX_CELL_UTF16: usize = 32_767;

/// How a column is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Short text, centred.
    Center,
    /// Short text, left.
    Text,
    /// Long text, wrapped.
    Wrap,
    /// Dates, centred as `2018年7月31日`; text that is no date shows as written.
    Date,
}

/// How wide a column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// So many Chinese characters, whatever it holds: a table laid out by hand.
    Chars(usize),
    /// A printed list's short column: as wide as its widest value, or as that
    /// value in two lines where its text may wrap (see [`super::layout`]).
    Fit,
    /// A printed list's long text: a share of the page's width left over.
    Share,
    /// Stays on screen, off the printed page: so many Chinese characters.
    Screen(usize),
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub width: Width,
    pub kind: Kind,
}

/// A column `chars` Chinese characters wide.
pub const fn col(title: &'static str, chars: usize, kind: Kind) -> Column {
    Column {
        title,
        width: Width::Chars(chars),
        kind,
    }
}

/// A printed list's short column ([`Width::Fit`]).
pub const fn fit(title: &'static str, kind: Kind) -> Column {
    Column {
        title,
        width: Width::Fit,
        kind,
    }
}

/// A printed list's long-text column ([`Width::Share`]).
pub const fn share(title: &'static str, kind: Kind) -> Column {
    Column {
        title,
        width: Width::Share,
        kind,
    }
}

/// A column that stays on screen ([`Width::Screen`]).
pub const fn screen(title: &'static str, chars: usize, kind: Kind) -> Column {
    Column {
        title,
        width: Width::Screen(chars),
        kind,
    }
}

impl Column {
    /// Its width in Chinese characters, where it declares one.
    pub fn chars(&self) -> Option<usize> {
        match self.width {
            Width::Chars(chars) | Width::Screen(chars) => Some(chars),
            Width::Fit | Width::Share => None,
        }
    }
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    Percent(f64),
    Verdict(Verdict),
    /// A group's heading: alone in its row, written across the whole table.
    Heading(String),
    Empty,
    /// The cell before it runs on into this column (a column its row has
    /// nothing for, given to its neighbour's text).
    Joined,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Self {
        Cell::Int(i64::from(n))
    }
}

impl From<usize> for Cell {
    fn from(n: usize) -> Self {
        Cell::Int(n as i64)
    }
}

impl Cell {
    /// The cell as plain text, for CSV files.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Percent(p) => format!("{:.1}%", p * 100.0),
            Cell::Verdict(v) => v.label().to_string(),
            Cell::Heading(s) => s.clone(),
            Cell::Empty | Cell::Joined => String::new(),
        }
    }
}

/// Cuts text to what one Excel cell holds, saying so at the end.
pub fn fit_cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    // No character takes more UTF-16 units than UTF-8 bytes: short text fits unread.
    if text.len() <= MAX_CELL_UTF16 || text.encode_utf16().count() <= MAX_CELL_UTF16 {
        return text.into();
    }
    const NOTE: &str = "…（原文过长，已截断）";
    let budget = MAX_CELL_UTF16 - NOTE.encode_utf16().count();
    let mut used = 0;
    let mut cut = String::new();
    for c in text.chars() {
        used += c.len_utf16();
        if used > budget {
            break;
        }
        cut.push(c);
    }
    cut.push_str(NOTE);
    cut.into()
}

/// Points per line of 10-point CJK text. Excel sets 宋体 at 13.5; LibreOffice,
/// lacking it, sets a fallback (Noto Sans CJK) whose lines take 14.5, and a row
/// one line short hides the last line on paper.
const LINE_HEIGHT: f64 = 15.0;
/// A row never grows past this many lines: Excel's tallest row is 409 points.
const MAX_LINES: usize = 27;

/// How many lines the row's wrapped cells need. Spreadsheet programs do not all
/// grow rows for wrapped text on their own (LibreOffice keeps the default height),
/// so the height is set from the text: a CJK character takes a full unit of the
/// column's width in characters, other characters half.
fn wrapped_lines(cells: &[Cell], columns: &[Column]) -> usize {
    cells
        .iter()
        .zip(columns)
        .filter(|(_, c)| c.kind == Kind::Wrap)
        .filter_map(|(cell, column)| match cell {
            Cell::Text(text) => Some(text_lines(text, column.chars().unwrap_or(8))),
            _ => None,
        })
        .max()
        .unwrap_or(1)
        .min(MAX_LINES)
}

/// How many lines `text` takes in a column `chars` Chinese characters wide, up to
/// the most a row grows to.
pub fn lines_needed(text: &str, chars: usize) -> usize {
    text_lines(text, chars).min(MAX_LINES)
}

/// How many lines `text` takes in a wrapped cell `chars_per_line` CJK characters wide.
pub fn text_lines(text: &str, chars_per_line: usize) -> usize {
    let per_line = chars_per_line.max(1) * 2;
    text.split('\n')
        .map(|line| {
            // Counted on bytes, not decoded characters: an ASCII byte is one unit,
            // and every other character has one lead byte (0b11xx_xxxx), two units.
            let units: usize = line
                .bytes()
                .map(|b| match b {
                    0..=0x7F => 1,
                    0xC0.. => 2,
                    _ => 0,
                })
                .sum();
            units.div_ceil(per_line).max(1)
        })
        .sum()
}

/// The height in points a table row needs for its wrapped text, when more than one line.
pub fn row_height(cells: &[Cell], columns: &[Column]) -> Option<f64> {
    let lines = wrapped_lines(cells, columns);
    (lines > 1).then(|| lines_height(lines))
}

/// The height in points of `lines` lines of 10-point CJK text, at most [`MAX_LINES`].
pub fn lines_height(lines: usize) -> f64 {
    LINE_HEIGHT * lines.min(MAX_LINES) as f64 + 3.0
}

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
    // Rows are written as they come, so a long list is never held twice.
    let mut count: u32 = 0;
    let mut verdict_columns: Vec<u16> = Vec::new();
    for cells in rows {
        let row = top + 1 + count;
        count += 1;
        if let [Cell::Heading(text)] = cells.as_slice() {
            let last = columns.len().saturating_sub(1).max(1) as u16;
            sheet.merge_range(row, 0, row, last, text, &formats.heading)?;
            sheet.set_row_height(row, layout.heading_height())?;
            continue;
        }
        let height = layout.row_height(&cells);
        let joined: Vec<bool> = cells.iter().map(|c| matches!(c, Cell::Joined)).collect();
        for (c, (cell, column)) in cells.into_iter().zip(columns).enumerate() {
            let at = (row, c as u16);
            let runs_on = joined[c + 1..].iter().take_while(|j| **j).count() as u16;
            if runs_on > 0 {
                let text = match &cell {
                    Cell::Text(s) => fit_cell_text(s),
                    _ => "".into(),
                };
                sheet.merge_range(row, at.1, row, at.1 + runs_on, &text, &formats.wrapped)?;
                continue;
            }
            if plain && matches!(cell, Cell::Verdict(_)) && !verdict_columns.contains(&at.1) {
                verdict_columns.push(at.1);
            }
            if plain {
                write_plain_cell(sheet, at, cell, column.kind, &formats)?;
            } else {
                write_cell(sheet, at, &cell, column.kind, &formats)?;
            }
        }
        if let Some(height) = height {
            sheet.set_row_height(row, height)?;
        }
    }
    let last_col = columns.len().saturating_sub(1) as u16;
    let last_row = top + count.max(1);
    for column in verdict_columns {
        colour_verdicts(sheet, column, (top + 1, last_row))?;
    }
    sheet.autofilter(top, 0, last_row, last_col)?;
    sheet.set_freeze_panes(top + 1, 0)?;
    match page {
        Some(page) if layout.fitted() => style::print_headed(sheet, (top, top), page)?,
        Some(page) => style::print_setup(sheet, Some((top, top)), page)?,
        None => style::print_pages(sheet, Some((top, top)))?,
    }
    Ok(top + 1 + count)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What `text_lines` counts, on decoded characters.
    fn lines_by_chars(text: &str, chars_per_line: usize) -> usize {
        let per_line = chars_per_line.max(1) * 2;
        text.split('\n')
            .map(|line| {
                let units: usize = line.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
                units.div_ceil(per_line).max(1)
            })
            .sum()
    }

    #[test]
    fn lines_are_counted_in_width_units() {
        assert_eq!(text_lines("", 10), 1);
        // Ten CJK characters fill a ten-character line; an eleventh starts another.
        assert_eq!(text_lines(&"进".repeat(10), 10), 1);
        assert_eq!(text_lines(&"进".repeat(11), 10), 2);
        // Twenty ASCII characters take the width of ten CJK ones.
        assert_eq!(text_lines(&"a".repeat(20), 10), 1);
        assert_eq!(text_lines("第一行\n第二行\n\n", 10), 4);
    }

    proptest::proptest! {
        #[test]
        fn byte_count_matches_character_count(text in "[\\PC\n]{0,80}", width in 1usize..30) {
            proptest::prop_assert_eq!(text_lines(&text, width), lines_by_chars(&text, width));
        }
    }
}
