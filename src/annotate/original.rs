//! The county's own .xlsx with marks on it. umya-spreadsheet opens the file and
//! parses only the data sheet; the other sheets are carried over as they were
//! written. Each problem cell gets a fill over its own style (font, borders, number
//! format and alignment stay) and a note; 问题清单 is added last; the data sheet is
//! the one that opens. What was not touched is kept: merges, widths, heights, print
//! setup (but for fitting to a page: the copy prints at full size), frozen panes,
//! drop-downs, other sheets; what the library drops of the data sheet is put back
//! by [`super::restore`].
//!
//! The library panics on some valid files and reads others wrongly, so it runs
//! inside [`crate::table::guard::quietly`], and the copy is read back with the tool's own
//! reader: every sheet must hold the values and merges it held. Anything else is a
//! [`NotKept`] and the caller rebuilds the copy instead.

use std::collections::BTreeMap;
use std::io::Cursor;

use umya_spreadsheet::{
    self as umya, Border, Color, Comment, DefinedName, HorizontalAlignmentValues,
    OrientationValues, Pane, PaneStateValues, PaneValues, SheetView, Style,
    VerticalAlignmentValues,
};

use super::marks::{Frame, Mark, marks};
use super::restore::restore;
use super::{Heading, Source, list};
use crate::look::style::{
    self, BODY_BORDER, BODY_FONT, BODY_SIZE, HEADER_BORDER, HEADER_FILL, HEADING_FONT, MARK_FRAME,
    NOTE_AUTHOR, PAGE_FOOTER, PAGE_MARGINS, PAPER_A4,
};
use crate::look::table::{Cell, Kind, fit_cell_text, row_height, text_lines};
use crate::problem::Problem;
use crate::table::workbook::{Limits, Workbook};

/// Why the county's file could not be marked in place, as 问题清单 says it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NotKept {
    /// umya-spreadsheet panicked on the file.
    #[error("读取库处理该文件时中断")]
    Panicked,
    /// umya-spreadsheet refused to read or write the file.
    #[error("读取库无法改写该文件")]
    Refused,
    /// The copy written does not open again.
    #[error("改写后的文件无法读回")]
    Unreadable,
    /// The copy lost or gained a sheet.
    #[error("改写后工作表的数目与原文件不一致")]
    SheetsChanged,
    /// A sheet of the copy holds other values or merges than the original's.
    #[error("改写后工作表“{0}”的内容与原文件不一致")]
    Changed(String),
}

/// Marks the county's file and gives the copy's bytes, proven to hold what the
/// original held.
///
/// # Errors
/// A [`NotKept`] when the file cannot be marked in place faithfully.
pub fn annotate(
    source: &mut Source,
    problems: &[&Problem],
    heading: &Heading,
    limits: Limits,
) -> Result<Vec<u8>, NotKept> {
    let marks = marks(&source.sheet, problems);
    let rows = list::rows(problems, None);
    let (copy, list_name) = crate::table::guard::quietly(|| {
        let (copy, list_name) =
            rewrite(&source.original, &source.sheet.name, &marks, heading, rows)?;
        let copy = restore(&source.original, &copy, &source.sheet.name).unwrap_or(copy);
        Ok::<_, umya::XlsxError>((copy, list_name))
    })
    .map_err(|_| NotKept::Panicked)?
    .map_err(|_| NotKept::Refused)?;
    crate::table::guard::quietly(|| verify(&mut source.workbook, &copy, &list_name, limits))
        .map_err(|_| NotKept::Unreadable)??;
    Ok(copy)
}

/// The file with its marks and 问题清单, and the name the list took.
fn rewrite(
    bytes: &[u8],
    sheet: &str,
    marks: &BTreeMap<(u32, u32), Mark>,
    heading: &Heading,
    rows: Vec<Vec<Cell>>,
) -> Result<(Vec<u8>, String), umya::XlsxError> {
    // Sheets are parsed when asked for: the others are written back as they came.
    let mut book = umya::reader::xlsx::read_reader(Cursor::new(bytes), false)?;
    let index = book
        .sheet_collection_no_check()
        .iter()
        .position(|s| s.name() == sheet)
        .ok_or(umya::XlsxError::NotFound())?;
    let data = book.sheet_mut(index)?;
    for (&(row, col), mark) in marks {
        mark_cell(data, (col + 1, row + 1), mark);
    }
    // The copy is printed to be worked through: at full size, over more pages
    // across if the county's columns are wide, never fitted to a page width
    // that shrinks its text below what paper can be read at (SPEC §5). Its
    // paper, orientation, margins and repeated rows stay the county's.
    data.page_setup_mut().set_fit_to_page(false);
    let name = list::name(|n| {
        book.sheet_collection_no_check()
            .iter()
            .any(|s| s.name().eq_ignore_ascii_case(n))
    });
    let list_index = u32::try_from(book.sheet_count()).unwrap_or(u32::MAX);
    write_list(book.new_sheet(&name)?, &name, list_index, heading, &rows);
    open_on(&mut book, index)?;
    let mut out = Cursor::new(Vec::new());
    umya::writer::xlsx::write_writer(&book, &mut out)?;
    Ok((out.into_inner(), name))
}

/// Fills a cell over its own style and puts the note on it. A cell that does not
/// exist yet takes its row's or column's style first, as it showed.
fn mark_cell(sheet: &mut umya::Worksheet, at: (u32, u32), mark: &Mark) {
    if sheet.cell(at).is_none() {
        let plain = Style::default();
        let row = sheet.row_dimension(at.1).map(|r| r.style().clone());
        let column = sheet
            .column_dimension_by_number(at.0)
            .map(|c| c.style().clone());
        let base = row.filter(|s| *s != plain).or(column).unwrap_or(plain);
        sheet.set_style(at, base);
    }
    sheet.style_mut(at).set_background_color(argb(mark.fill));
    if let Some(frame) = mark.frame {
        let mut side = Border::default();
        side.set_border_style(match frame {
            Frame::Error => Border::BORDER_MEDIUM,
            Frame::Warning => Border::BORDER_MEDIUMDASHED,
        });
        side.set_color(Color::default().set_argb_str(argb(MARK_FRAME)).clone());
        sheet
            .style_mut(at)
            .borders_mut()
            .set_left(side.clone())
            .set_right(side.clone())
            .set_top(side.clone())
            .set_bottom(side);
    }
    if let Some(text) = &mark.note {
        add_note(sheet, at, text);
    }
}

/// Puts a note on a cell; a note the county left there keeps its text, ours follows it.
fn add_note(sheet: &mut umya::Worksheet, (col, row): (u32, u32), text: &str) {
    let text = fit_cell_text(text);
    let theirs = sheet.comments_mut().iter_mut().find(|c| {
        let at = c.coordinate();
        at.col_num() == col && at.row_num() == row
    });
    if let Some(comment) = theirs {
        let old = comment
            .text()
            .text()
            .map(|t| t.value().to_string())
            .or_else(|| comment.text().rich_text().map(|r| r.text().into_owned()))
            .unwrap_or_default();
        comment.set_text_string(format!("{old}\n{text}"));
        return;
    }
    let lines = text_lines(&text, 20);
    let lines = u32::try_from(lines.min(20)).unwrap_or(20);
    let mut comment = Comment::default();
    comment.new_comment((col, row));
    comment.set_author(NOTE_AUTHOR);
    comment.set_text_string(text);
    comment.shape_mut().set_style(format!(
        "position:absolute;margin-left:60pt;margin-top:2pt;width:270pt;height:{}pt;\
         z-index:1;visibility:hidden;mso-wrap-style:tight",
        lines * 14 + 12
    ));
    comment
        .shape_mut()
        .client_data_mut()
        .anchor_mut()
        .set_right_column(col + 4)
        .set_bottom_row(row + lines);
    sheet.add_comments(comment);
}

/// Makes the data sheet the one that opens, and the only one selected: two
/// selected tabs would group the sheets, and an edit would land on both.
fn open_on(book: &mut umya::Workbook, index: usize) -> Result<(), umya::XlsxError> {
    let active = book.workbook_view().active_tab() as usize;
    if active != index {
        if active < book.sheet_count() {
            for view in book
                .sheet_mut(active)?
                .sheet_views_mut()
                .sheet_view_list_mut()
            {
                view.set_tab_selected(false);
            }
        }
        let views = book.sheet_mut(index)?.sheet_views_mut();
        if views.sheet_view_list().is_empty() {
            views.add_sheet_view_list_mut(SheetView::default());
        }
        for view in views.sheet_view_list_mut() {
            view.set_tab_selected(true);
        }
        book.set_active_sheet(u32::try_from(index).unwrap_or(0));
    }
    Ok(())
}

/// Writes 问题清单 as the rebuilt copy's [`crate::look::table::write_table`] lays
/// it out: its title and whose it is on top, the header frozen and repeated on
/// every page, A4 landscape at full size.
fn write_list(
    sheet: &mut umya::Worksheet,
    name: &str,
    index: u32,
    heading: &Heading,
    rows: &[Vec<Cell>],
) {
    let last = list::COLUMNS.len() as u32;
    let title = plain_style(HEADING_FONT, 16.0, true);
    sheet
        .cell_mut((1, 1))
        .set_value_string(list::title(heading));
    sheet.set_style((1, 1), title);
    sheet.add_merge_cells(format!("A1:{}1", column_letter(last)));
    sheet
        .row_dimension_mut(1)
        .set_height(30.0)
        .set_custom_height(true);
    let line = plain_style(BODY_FONT, BODY_SIZE, false);
    sheet.cell_mut((1, 2)).set_value_string(list::line(heading));
    sheet.set_style((1, 2), line);
    sheet.add_merge_cells(format!("A2:{}2", column_letter(last)));
    let top = list::HEADER_ROW + 1;
    let header = cell_style(HEADING_FONT, Some(HEADER_FILL), HEADER_BORDER, true, true);
    for (c, column) in list::COLUMNS.iter().enumerate() {
        let col = c as u32 + 1;
        sheet.cell_mut((col, top)).set_value_string(column.title);
        sheet.set_style((col, top), header.clone());
        sheet
            .column_dimension_by_number_mut(col)
            .set_width(style::cjk_width(column.chars().unwrap_or(8)));
    }
    sheet
        .row_dimension_mut(top)
        .set_height(24.0)
        .set_custom_height(true);
    let looks: Vec<Style> = list::COLUMNS
        .iter()
        .map(|column| {
            let centered = column.kind == Kind::Center;
            let wrap = column.kind == Kind::Wrap;
            cell_style(BODY_FONT, None, BODY_BORDER, centered, wrap)
        })
        .collect();
    for (r, cells) in rows.iter().enumerate() {
        let row = r as u32 + top + 1;
        for (c, (cell, look)) in cells.iter().zip(&looks).enumerate() {
            let at = (c as u32 + 1, row);
            match cell {
                Cell::Int(n) => {
                    sheet.cell_mut(at).set_value_number(*n as f64);
                }
                Cell::Empty => {}
                other => {
                    sheet
                        .cell_mut(at)
                        .set_value_string(fit_cell_text(&other.text()));
                }
            }
            sheet.set_style(at, look.clone());
        }
        if let Some(height) = row_height(cells, &list::COLUMNS) {
            sheet
                .row_dimension_mut(row)
                .set_height(height)
                .set_custom_height(true);
        }
    }
    let mut pane = Pane::default();
    pane.set_vertical_split(f64::from(top))
        .set_active_pane(PaneValues::BottomLeft)
        .set_state(PaneStateValues::Frozen);
    pane.top_left_cell_mut()
        .set_coordinate(format!("A{}", top + 1));
    let mut view = SheetView::default();
    view.set_pane(pane);
    sheet.sheet_views_mut().add_sheet_view_list_mut(view);
    sheet
        .page_setup_mut()
        .set_paper_size(u32::from(PAPER_A4))
        .set_orientation(OrientationValues::Landscape)
        .set_scale(100);
    let [
        left,
        right,
        top_margin,
        bottom,
        header_margin,
        footer_margin,
    ] = PAGE_MARGINS;
    sheet
        .page_margins_mut()
        .set_left(left)
        .set_right(right)
        .set_top(top_margin)
        .set_bottom(bottom)
        .set_header(header_margin)
        .set_footer(footer_margin);
    sheet.print_options_mut().set_horizontal_centered(true);
    sheet
        .header_footer_mut()
        .odd_footer_mut()
        .set_value(PAGE_FOOTER);
    let mut titles = DefinedName::default();
    titles.set_name("_xlnm.Print_Titles");
    titles.set_address(format!("'{name}'!${top}:${top}"));
    titles.set_local_sheet_id(index);
    sheet.add_defined_names(titles);
}

/// A line's look outside the table: font and size, no borders.
fn plain_style(font: &str, size: f64, centered: bool) -> Style {
    let mut look = Style::default();
    look.font_mut().set_name(font).set_size(size);
    let alignment = look.alignment_mut();
    alignment.set_vertical(VerticalAlignmentValues::Center);
    if centered {
        alignment.set_horizontal(HorizontalAlignmentValues::Center);
    }
    look
}

/// A table cell's look: font, fill, thin borders of one colour, alignment.
fn cell_style(font: &str, fill: Option<u32>, border: u32, centered: bool, wrap: bool) -> Style {
    let mut look = Style::default();
    look.font_mut()
        .set_name(font)
        .set_size(BODY_SIZE)
        .set_bold(font == HEADING_FONT);
    if let Some(fill) = fill {
        look.set_background_color(argb(fill));
    }
    let mut side = Border::default();
    side.set_border_style(Border::BORDER_THIN);
    side.set_color(Color::default().set_argb_str(argb(border)).clone());
    look.borders_mut()
        .set_left(side.clone())
        .set_right(side.clone())
        .set_top(side.clone())
        .set_bottom(side);
    let alignment = look.alignment_mut();
    alignment.set_vertical(VerticalAlignmentValues::Center);
    alignment.set_wrap_text(wrap);
    if centered {
        alignment.set_horizontal(HorizontalAlignmentValues::Center);
    }
    look
}

/// 0xRRGGBB as the opaque ARGB text spreadsheet files hold.
fn argb(rgb: u32) -> String {
    format!("FF{rgb:06X}")
}

/// Reads the copy back with the tool's own reader: the original's sheets, in
/// order and visibility, each with the same values and merges, and the list last.
fn verify(
    original: &mut Workbook,
    copy: &[u8],
    list_name: &str,
    limits: Limits,
) -> Result<(), NotKept> {
    let mut read = Workbook::open(copy.to_vec(), limits).map_err(|_| NotKept::Unreadable)?;
    let sheets = original.worksheet_names();
    let mut expected = sheets.clone();
    expected.push((list_name.to_string(), false));
    if read.worksheet_names() != expected || read.sheet_count() != original.sheet_count() + 1 {
        return Err(NotKept::SheetsChanged);
    }
    for (name, hidden) in sheets {
        // A sheet the tool cannot read in the original cannot be compared; it was
        // carried over unparsed unless it is the data sheet, which was read.
        let Ok(was) = original.read_sheet(&name, hidden) else {
            continue;
        };
        let changed = || NotKept::Changed(name.clone());
        let now = read.read_sheet(&name, hidden).map_err(|_| changed())?;
        let sorted = |mut merges: Vec<_>| {
            merges.sort_unstable();
            merges
        };
        if was.grid != now.grid || sorted(was.merges) != sorted(now.merges) {
            return Err(changed());
        }
    }
    Ok(())
}

/// A 1-based column number as letters: 5 is `E`.
fn column_letter(col: u32) -> String {
    crate::problem::cell_ref(0, col.saturating_sub(1))
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .to_string()
}
