//! The annotated copy of a return that cannot be marked in place (.xls, .ods,
//! .xlsb, web and text exports, an .xlsx the library fails on): a new workbook
//! laid out like the county's sheet from the cells read. Its merges come back, the
//! header rows are frozen and repeated on every page, columns are as wide as their
//! text (a Chinese character two units, at most [`MAX_WIDTH`]), long text wraps,
//! and it prints A4 landscape, one page wide. Fonts, borders and number formats of
//! the original are not known here; the copy uses the report's.

use std::collections::{BTreeMap, HashMap};

use calamine::Data;
use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, FormatBorder, Note, Workbook, Worksheet, XlsxError,
};

use super::Heading;
use super::list;
use super::marks::{Frame, Mark, marks};
use crate::look::layout;
use crate::look::style::{self, BODY_FONT, MARK_FRAME, NOTE_AUTHOR};
use crate::look::table::{fit_cell_text, lines_height, text_lines, write_table, write_title};
use crate::problem::Problem;
use crate::table::cells::{cell_text, safe_datetime};
use crate::table::grid::Sheet;
use crate::table::header::find_header;

/// The widest a column gets, in width units (about 19 Chinese characters); longer text wraps.
const MAX_WIDTH: f64 = 40.0;
/// The narrowest column, in width units.
const MIN_WIDTH: f64 = 5.0;
/// Merged areas larger than this are left unmerged: each cell of one is written.
const MAX_MERGED_CELLS: u64 = 10_000;
/// A note's width in pixels, and how many Chinese characters fit on one of its lines.
const NOTE_WIDTH: u32 = 360;
const NOTE_CHARS_PER_LINE: usize = 24;

/// Builds the copy: the county's sheet with its marks, when it was read, and 问题清单.
///
/// # Errors
/// Only on rust_xlsxwriter's own checks.
pub fn build(
    sheet: Option<&Sheet>,
    problems: &[&Problem],
    heading: &Heading,
    notice: Option<&str>,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // The same return and problems give the same bytes.
    let created = NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or_default();
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let mut taken = String::new();
    if let Some(sheet) = sheet {
        taken = copy_sheet(workbook.add_worksheet(), sheet, &marks(sheet, problems))?;
    }
    let list = workbook
        .add_worksheet()
        .set_name(list::name(|n| n == taken))?;
    // A county's copy: its title and whose it is on top, page numbers below, no
    // office page header above.
    let width = list::COLUMNS.len() as u16;
    write_title(list, &list::title(heading), width, &style::title())?;
    list.merge_range(1, 0, 1, width - 1, &list::line(heading), &style::subtitle())?;
    write_table(
        list,
        list::HEADER_ROW,
        &layout::Layout::fixed(&list::COLUMNS),
        list::rows(problems, notice),
        None,
    )?;
    workbook.save_to_buffer()
}

/// Where a cell sits in the county's table, which decides its look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Role {
    /// The title: merged above the header.
    Title,
    /// Other cells above or beside the table (填报单位, notes).
    Plain,
    Header,
    Body,
}

/// One look of a cell, so each is made once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Look {
    role: Role,
    fill: Option<u32>,
    frame: Option<Frame>,
    date: bool,
    wrap: bool,
    centered: bool,
}

impl Look {
    fn format(self) -> Format {
        let mut format = match self.role {
            Role::Title => style::title(),
            Role::Plain => style::subtitle(),
            Role::Header => style::header(),
            Role::Body => style::body(),
        };
        if self.date {
            format = format.set_num_format("yyyy-mm-dd");
        }
        if self.wrap {
            format = format.set_text_wrap();
        }
        if self.centered {
            format = format
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter);
        }
        if let Some(fill) = self.fill {
            format = format.set_background_color(Color::RGB(fill));
        }
        match self.frame {
            Some(Frame::Error) => format
                .set_border(FormatBorder::Medium)
                .set_border_color(Color::RGB(MARK_FRAME)),
            Some(Frame::Warning) => format
                .set_border(FormatBorder::MediumDashed)
                .set_border_color(Color::RGB(MARK_FRAME)),
            None => format,
        }
    }
}

/// The sheet's layout: which rows are the header, which columns the table.
struct Layout {
    /// First header row and first data row, when a header was found.
    header: Option<(u32, u32)>,
    /// First and last column of the header.
    columns: (u32, u32),
    widths: BTreeMap<u32, f64>,
}

impl Layout {
    fn of(sheet: &Sheet) -> Self {
        let header = find_header(sheet).map(|h| (h.row, h.data_start()));
        let columns = header
            .map(|(first, data)| {
                let cols = sheet
                    .grid
                    .rows_between(first, data.saturating_sub(1))
                    .iter()
                    .flat_map(|r| r.cells.iter().map(|(c, _)| *c));
                let (lo, hi) = cols.fold((u32::MAX, 0), |(lo, hi), c| (lo.min(c), hi.max(c)));
                (lo.min(hi), hi)
            })
            .unwrap_or((0, 0));
        let mut widths: BTreeMap<u32, f64> = BTreeMap::new();
        let top = header.map_or(0, |(first, _)| first);
        for row in sheet.grid.rows.iter().filter(|r| r.index >= top) {
            for (c, value) in &row.cells {
                if spans_columns(sheet, row.index, *c) {
                    continue;
                }
                let units = display_units(value) as f64 + 2.0;
                let w = widths.entry(*c).or_insert(MIN_WIDTH);
                *w = w.max(units.min(MAX_WIDTH));
            }
        }
        Self {
            header,
            columns,
            widths,
        }
    }

    /// The role of a cell; `span` is how many columns a merged area starting there spans.
    fn role(&self, row: u32, col: u32, span: u32) -> Role {
        let table = self.columns.1 - self.columns.0 + 1;
        match self.header {
            // A title spans most of the table; a merged 填报单位 cell is no title.
            Some((first, _)) if row < first && span > 1 && span * 2 >= table => Role::Title,
            Some((first, _)) if row < first => Role::Plain,
            Some((_, data)) if (self.columns.0..=self.columns.1).contains(&col) => {
                if row < data {
                    Role::Header
                } else {
                    Role::Body
                }
            }
            _ => Role::Plain,
        }
    }

    /// Whether a cell's text wraps: a table cell wider than its column.
    fn wraps(&self, role: Role, col: u32, value: &Data) -> bool {
        matches!(role, Role::Header | Role::Body)
            && display_units(value) as f64 + 2.0 > self.width(col)
    }

    fn width(&self, col: u32) -> f64 {
        self.widths.get(&col).copied().unwrap_or(MIN_WIDTH)
    }

    /// Chinese characters that fit on one line of the column.
    fn chars_per_line(&self, col: u32) -> usize {
        ((self.width(col) - 1.5) / 2.0).floor().max(1.0) as usize
    }
}

/// Copies every cell of the sheet, laid out as the county had it, with the marks.
/// Gives the name the copy's sheet took.
fn copy_sheet(
    out: &mut Worksheet,
    sheet: &Sheet,
    marks: &BTreeMap<(u32, u32), Mark>,
) -> Result<String, XlsxError> {
    let name = sheet_name(&sheet.name);
    if out.set_name(&name).is_err() {
        out.set_name("原表")?;
    }
    let layout = Layout::of(sheet);
    let mut formats: HashMap<Look, Format> = HashMap::new();
    let mut format_of = |look: Look| formats.entry(look).or_insert_with(|| look.format()).clone();
    let role = |row: u32, col: u32| {
        let merge = sheet
            .merges
            .iter()
            .find(|(r0, c0, r1, c1)| *r0 == row && *c0 == col && (r1 > r0 || c1 > c0));
        let span = merge.map_or(1, |(_, c0, _, c1)| c1 - c0 + 1);
        (layout.role(row, col, span), merge.is_some())
    };
    let look = |row: u32, col: u32, value: Option<&Data>| {
        let (role, merged) = role(row, col);
        Look {
            role,
            fill: marks.get(&(row, col)).map(|m| m.fill),
            frame: marks.get(&(row, col)).and_then(|m| m.frame),
            date: matches!(value, Some(Data::DateTime(_))),
            wrap: value.is_some_and(|v| layout.wraps(role, col, v)),
            centered: merged || role == Role::Header,
        }
    };
    for &(r0, c0, r1, c1) in &sheet.merges {
        let cells = (u64::from(r1) - u64::from(r0) + 1) * (u64::from(c1) - u64::from(c0) + 1);
        if !(2..=MAX_MERGED_CELLS).contains(&cells) {
            continue;
        }
        let format = format_of(look(r0, c0, sheet.grid.value(r0, c0)));
        let (c0, c1) = (column(c0), column(c1));
        // Overlapping areas (a damaged file) stay unmerged.
        let _ = out.merge_range(r0, c0, r1, c1, "", &format);
    }
    for row in &sheet.grid.rows {
        for (c, value) in &row.cells {
            let format = format_of(look(row.index, *c, Some(value)));
            write_value(out, row.index, column(*c), value, &format)?;
        }
        let mut lines = 1;
        for (c, value) in &row.cells {
            let (role, _) = role(row.index, *c);
            if layout.wraps(role, *c, value) && !spans_columns(sheet, row.index, *c) {
                let text = cell_text(value);
                lines = lines.max(text_lines(&text, layout.chars_per_line(*c)));
            }
        }
        if lines > 1 {
            out.set_row_height(row.index, lines_height(lines))?;
        }
    }
    // The table's empty cells get its borders, and a mark when a problem is on one.
    if let Some((first, _)) = layout.header {
        for row in sheet.grid.rows.iter().filter(|r| r.index >= first) {
            for c in layout.columns.0..=layout.columns.1 {
                if row.get(c).is_none() && !covered(sheet, row.index, c) {
                    out.write_blank(row.index, column(c), &format_of(look(row.index, c, None)))?;
                }
            }
        }
    }
    for (&(row, col), mark) in marks {
        if sheet.grid.value(row, col).is_none() {
            out.write_blank(row, column(col), &format_of(look(row, col, None)))?;
        }
        if let Some(text) = &mark.note {
            let lines = text_lines(text, NOTE_CHARS_PER_LINE);
            let note = Note::new(fit_cell_text(text).into_owned())
                .set_author(NOTE_AUTHOR)
                .add_author_prefix(false)
                .set_font_name(BODY_FONT)
                .set_width(NOTE_WIDTH)
                .set_height(u32::try_from(lines.min(20) * 18 + 16).unwrap_or(200));
            out.insert_note(row, column(col), &note)?;
        }
    }
    for (&c, &width) in &layout.widths {
        out.set_column_width(column(c), width)?;
    }
    let repeat = layout
        .header
        .map(|(first, data)| (first, data.saturating_sub(1)));
    if let Some((_, data)) = layout.header {
        out.set_freeze_panes(data, 0)?;
    }
    style::print_pages(out, repeat)?;
    Ok(name)
}

/// A column index as rust_xlsxwriter takes it; past Excel's last column it is refused there.
fn column(c: u32) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// Whether the cell starts a merged area more than one column wide (its text is not its column's).
fn spans_columns(sheet: &Sheet, row: u32, col: u32) -> bool {
    sheet
        .merges
        .iter()
        .any(|(r0, c0, _, c1)| *r0 == row && *c0 == col && c1 > c0)
}

/// Whether the cell lies inside a merged area but is not its top-left cell.
fn covered(sheet: &Sheet, row: u32, col: u32) -> bool {
    sheet.merges.iter().any(|(r0, c0, r1, c1)| {
        (*r0..=*r1).contains(&row) && (*c0..=*c1).contains(&col) && (row, col) != (*r0, *c0)
    })
}

/// How wide a value shows, in width units: two a Chinese character, one an ASCII one.
fn display_units(value: &Data) -> usize {
    match value {
        // `2018-07-20` and a little room: dates never wrap.
        Data::DateTime(_) => 12,
        other => cell_text(other)
            .split('\n')
            .map(|line| line.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum())
            .max()
            .unwrap_or(0),
    }
}

/// The county's sheet name as a valid Excel sheet name.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let cleaned = cleaned.trim_matches('\'').trim();
    if cleaned.is_empty() {
        "原表".to_string()
    } else {
        cleaned.to_string()
    }
}

/// Writes a value as it was (text stays text).
fn write_value(
    out: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Data,
    format: &Format,
) -> Result<(), XlsxError> {
    match value {
        Data::Int(i) => out.write_number_with_format(row, col, *i as f64, format)?,
        Data::Float(f) => out.write_number_with_format(row, col, *f, format)?,
        Data::Bool(b) => out.write_boolean_with_format(row, col, *b, format)?,
        Data::DateTime(d) => match safe_datetime(d) {
            Some(dt) => out.write_datetime_with_format(row, col, dt, format)?,
            None => out.write_number_with_format(row, col, d.as_f64(), format)?,
        },
        other => {
            let text = cell_text(other);
            out.write_string_with_format(row, col, fit_cell_text(&text), format)?
        }
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_excel_refuses_are_cleaned() {
        assert_eq!(sheet_name("进展情况"), "进展情况");
        assert_eq!(sheet_name("7/8月[汇总]"), "7_8月_汇总_");
        assert_eq!(sheet_name("'  '"), "原表");
        assert_eq!(sheet_name(&"表".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn chinese_text_is_twice_as_wide() {
        assert_eq!(display_units(&Data::String("推进中".into())), 6);
        assert_eq!(display_units(&Data::String("abc".into())), 3);
        assert_eq!(
            display_units(&Data::String("第一行\n第二行很长".into())),
            10
        );
    }
}
