//! `check --annotate`: a copy of a return's data sheet with every problem cell
//! coloured and a note on it saying what is wrong and what to do, plus a sheet
//! listing all problems, for the county to fix and send again.
//!
//! The return itself is never touched; the copy is written elsewhere by the caller.

use std::collections::BTreeMap;

use calamine::Data;
use rust_xlsxwriter::{Color, Format, Note, Workbook, Worksheet, XlsxError};

use crate::problem::{Location, Problem, Severity};
use crate::report::style::{self, ERROR_FILL, ROW_TINT, WARNING_FILL};
use crate::report::table::{Cell, Kind, col, fit_cell_text, write_table};
use crate::table::grid::Sheet;
use crate::table::workbook::{Limits, Workbook as Source};

/// Builds the annotated copy. `sheet` is the return's data sheet, or `None` when
/// the file could not be read (the copy then holds only the list of problems).
///
/// # Errors
/// Only on rust_xlsxwriter's own checks.
pub fn build(
    bytes: Option<Vec<u8>>,
    sheet: Option<&str>,
    problems: &[&Problem],
    limits: Limits,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let source = match (bytes, sheet) {
        (Some(bytes), Some(name)) => Source::open(bytes, limits).ok().and_then(|mut wb| {
            let hidden = wb.worksheet_names().iter().any(|(n, h)| n == name && *h);
            wb.read_sheet(name, hidden).ok()
        }),
        _ => None,
    };
    if let Some(sheet) = &source {
        copy_with_marks(workbook.add_worksheet(), sheet, problems)?;
    }
    let list = workbook.add_worksheet().set_name("问题清单")?;
    let columns = [
        col("级别", 2, Kind::Center),
        col("工作表", 5, Kind::Text),
        col("位置", 4, Kind::Center),
        col("序号", 2, Kind::Center),
        col("问题", 30, Kind::Wrap),
        col("怎么改", 24, Kind::Wrap),
    ];
    let rows: Vec<Vec<Cell>> = problems
        .iter()
        .map(|p| {
            vec![
                p.severity.label().into(),
                p.sheet.as_deref().unwrap_or("").into(),
                p.place().into(),
                p.task.into(),
                p.what.as_str().into(),
                p.action.as_str().into(),
            ]
        })
        .collect();
    write_table(list, 0, &columns, rows)?;
    workbook.save_to_buffer()
}

/// Copies every cell of the sheet and marks the problem cells and rows.
fn copy_with_marks(
    out: &mut Worksheet,
    sheet: &Sheet,
    problems: &[&Problem],
) -> Result<(), XlsxError> {
    out.set_name(
        format!("{}（已标注）", sheet.name)
            .chars()
            .take(31)
            .collect::<String>(),
    )?;
    // Problems by place: a cell, or a whole row (col None).
    let mut marks: BTreeMap<Location, Vec<&Problem>> = BTreeMap::new();
    for p in problems
        .iter()
        .filter(|p| p.sheet.as_deref() == Some(sheet.name.as_str()))
    {
        if let Some(loc) = p.location {
            marks.entry(loc).or_default().push(p);
        }
    }
    let rows_marked: BTreeMap<u32, Severity> = marks
        .iter()
        .filter(|(loc, _)| loc.col.is_none())
        .map(|(loc, ps)| (loc.row, worst(ps)))
        .collect();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut widths: BTreeMap<u32, usize> = BTreeMap::new();
    for row in &sheet.grid.rows {
        for (c, value) in &row.cells {
            let cell_mark = marks
                .get(&Location {
                    row: row.index,
                    col: Some(*c),
                })
                .map(|ps| worst(ps));
            let fill = match (cell_mark, rows_marked.get(&row.index)) {
                (Some(Severity::Error), _) => Some(ERROR_FILL),
                (Some(Severity::Warning), _) => Some(WARNING_FILL),
                (None, Some(_)) => Some(ROW_TINT),
                (None, None) => None,
            };
            let mut format = if matches!(value, Data::DateTime(_)) {
                date.clone()
            } else {
                Format::new()
            };
            if let Some(fill) = fill {
                format = format.set_background_color(Color::RGB(fill));
            }
            let c16 = u16::try_from(*c).unwrap_or(u16::MAX);
            let width = write_value(out, row.index, c16, value, &format)?;
            let w = widths.entry(*c).or_default();
            *w = (*w).max(width);
        }
    }
    for (loc, ps) in &marks {
        let col = match loc.col {
            Some(c) => c,
            None => sheet
                .grid
                .rows
                .iter()
                .find(|r| r.index == loc.row)
                .and_then(|r| r.cells.first().map(|(c, _)| *c))
                .unwrap_or(0),
        };
        let text: Vec<String> = ps
            .iter()
            .map(|p| format!("【{}】{} {}", p.severity.label(), p.what, p.action))
            .collect();
        let note = Note::new(fit_cell_text(&text.join("\n")).into_owned())
            .set_author("county-returns")
            .set_width(360)
            .set_height(140);
        out.insert_note(loc.row, u16::try_from(col).unwrap_or(0), &note)?;
    }
    for (c, chars) in widths {
        out.set_column_width(
            u16::try_from(c).unwrap_or(u16::MAX),
            style::cjk_width(chars.clamp(3, 30)),
        )?;
    }
    Ok(())
}

fn worst(problems: &[&Problem]) -> Severity {
    problems
        .iter()
        .map(|p| p.severity)
        .min()
        .unwrap_or(Severity::Warning)
}

/// Writes a value as it was (text stays text) and gives its width in characters.
fn write_value(
    out: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Data,
    format: &Format,
) -> Result<usize, XlsxError> {
    match value {
        Data::Int(i) => out.write_number_with_format(row, col, *i as f64, format)?,
        Data::Float(f) => out.write_number_with_format(row, col, *f, format)?,
        Data::Bool(b) => out.write_boolean_with_format(row, col, *b, format)?,
        Data::DateTime(d) => match crate::table::cells::safe_datetime(d) {
            Some(dt) => out.write_datetime_with_format(row, col, dt, format)?,
            None => out.write_number_with_format(row, col, d.as_f64(), format)?,
        },
        other => {
            let text = crate::table::cells::cell_text(other);
            out.write_string_with_format(row, col, fit_cell_text(&text), format)?;
            return Ok(text.chars().count());
        }
    };
    Ok(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_file_still_gets_its_problem_list() {
        let problem = Problem::file(Severity::Error, "x.xlsx", "文件为空", "请重新导出");
        let bytes = build(None, None, &[&problem], Limits::default()).expect("build");
        assert!(bytes.starts_with(b"PK"));
    }
}
