//! A table's columns and cells, and how many lines a cell of a table laid out
//! by hand takes: what every table writer ([`super::table`], the annotated
//! copy's) and the print layout ([`super::layout`]) share.

use chrono::NaiveDate;

use crate::check::Verdict;

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
        self.plain().into_owned()
    }

    /// [`Cell::text`], borrowed where the cell holds it already.
    pub fn plain(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            Cell::Text(s) | Cell::Heading(s) => Cow::Borrowed(s),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Date(d) => Cow::Owned(crate::period::iso_date(*d)),
            Cell::Percent(p) => Cow::Owned(format!("{:.1}%", p * 100.0)),
            Cell::Verdict(v) => Cow::Borrowed(v.label()),
            Cell::Empty | Cell::Joined => Cow::Borrowed(""),
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
