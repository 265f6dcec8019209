//! The rows of a return's data sheet → typed rows, and the 填报单位 line → metadata.
//!
//! Every non-empty row below the header ends up as a [`ReturnRow`] (its task
//! known) or as a problem carrying the row's text, so nothing read is lost.

use calamine::Data;
use chrono::NaiveDate;

use super::ReadReturn;
use super::header::{Field, Header};
use super::values::{DateCell, Status, cell_text, date_from_cell, is_blank, task_number_from_cell};
use super::workbook::{GridRow, Sheet};
use crate::catalogue::Catalogue;
use crate::period::parse_period_end;
use crate::problem::{Problem, Severity};

/// Labels of the lines around the table that describe the return itself.
const META_LABELS: [&str; 7] = [
    "填报单位",
    "填报日期",
    "填报时间",
    "填报人",
    "联系电话",
    "联系方式",
    "审核人",
];

/// What a return says about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReturnMeta {
    /// The text of the 填报单位 cell, as written.
    pub unit_text: Option<String>,
    /// Where the 填报单位 cell is: (row, column), 0-based.
    pub unit_cell: (u32, u32),
    pub fill_date: Option<NaiveDate>,
    pub filler: Option<String>,
    pub phone: Option<String>,
}

/// One data row of a return, its task identified.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnRow {
    /// 0-based row in the sheet.
    pub row: u32,
    pub task: u32,
    pub status: Status,
    pub status_text: String,
    pub date: DateCell,
    /// The 完成状态 column, for problems about the status.
    pub status_col: Option<u32>,
    /// The 完成时间 column, for problems about the date.
    pub date_col: Option<u32>,
    /// Shared with the period's record (`history::Item`) rather than copied: at
    /// national scale the progress texts are the bulk of what a run holds.
    pub narrative: std::sync::Arc<str>,
    pub issues: String,
    pub next_steps: String,
    pub remarks: String,
}

/// Reads the data rows under `header`.
pub fn read_rows(
    sheet: &Sheet,
    header: &Header,
    catalogue: &Catalogue,
    is_1904: bool,
    file: &str,
) -> ReadReturn {
    let mut meta = ReturnMeta::default();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let col = |f: Field| header.column(f);
    let text_of = |row: &GridRow, f: Field| -> String {
        col(f)
            .and_then(|c| row.get(c))
            .map(cell_text)
            .unwrap_or_default()
    };
    for row in &sheet.grid.rows {
        if row.index < header.row {
            read_meta(row, &mut meta, is_1904);
            continue;
        }
        if row.index < header.data_start() {
            continue;
        }
        let number_cell = col(Field::TaskNumber).and_then(|c| row.get(c));
        let task_text = text_of(row, Field::TaskText);
        let task = number_cell
            .and_then(task_number_from_cell)
            .or_else(|| catalogue.task_by_text(&task_text));
        let Some(task) = task else {
            // A footer such as 填报人：… 联系电话：… below the table.
            if row_has_label(row) {
                read_meta(row, &mut meta, is_1904);
                continue;
            }
            problems.push(unread_row(
                file,
                sheet,
                row,
                "无法识别该行对应的任务（序号和主要任务都对不上任务清单）",
            ));
            continue;
        };
        if catalogue.get(task).is_none() {
            problems.push(unread_row(
                file,
                sheet,
                row,
                &format!("序号 {task} 不在任务清单中"),
            ));
            continue;
        }
        let status_text = text_of(row, Field::Status);
        let date_col = col(Field::CompletionDate);
        let date = date_col
            .and_then(|c| row.get(c))
            .map_or(DateCell::Empty, |d| date_from_cell(d, is_1904));
        if let DateCell::Unreadable(text) = &date {
            problems.push(
                Problem::file(
                    Severity::Error,
                    file,
                    format!("完成时间“{text}”无法识别为日期"),
                    "按未填完成时间判定；请写成 2018-06-30 或 2018年6月30日",
                )
                .at(&sheet.name, row.index, date_col)
                .task(Some(task)),
            );
        }
        rows.push(ReturnRow {
            row: row.index,
            task,
            status: Status::parse(&status_text),
            status_text,
            date,
            status_col: col(Field::Status),
            date_col,
            narrative: text_of(row, Field::Narrative).into(),
            issues: text_of(row, Field::Issues),
            next_steps: text_of(row, Field::NextSteps),
            remarks: text_of(row, Field::Remarks),
        });
    }
    ReadReturn {
        sheet: sheet.name.clone(),
        data_start: header.data_start(),
        row_count: rows.len(),
        meta,
        rows,
        problems,
    }
}

/// A row that could not be tied to a task: kept whole in the problem's text.
fn unread_row(file: &str, sheet: &Sheet, row: &GridRow, what: &str) -> Problem {
    let content: Vec<String> = row.cells.iter().map(|(_, v)| cell_text(v)).collect();
    Problem::file(
        Severity::Error,
        file,
        format!("{what}；该行内容：{}", content.join(" | ")),
        "该行未计入汇总，原文保留在此；请核对序号后重新报送",
    )
    .at(&sheet.name, row.index, None)
}

fn row_has_label(row: &GridRow) -> bool {
    row.cells.iter().any(|(_, v)| is_label_cell(v))
}

/// A cell that starts with a label (`填报人：`), not one that merely mentions it.
fn is_label_cell(value: &Data) -> bool {
    matches!(value, Data::String(s) if META_LABELS.iter().any(|l| s.trim_start().starts_with(l)))
}

/// Reads `填报单位：… 填报日期：… 填报人：… 联系电话：…`, written in one cell or
/// as label cells each followed by a value cell.
fn read_meta(row: &GridRow, meta: &mut ReturnMeta, is_1904: bool) {
    for (i, (col, value)) in row.cells.iter().enumerate() {
        let Data::String(text) = value else { continue };
        for (label, inline) in labelled_values(text) {
            // An empty value after the label: the next cell of the row, unless it is a label.
            let next = row.cells[i + 1..].iter().find(|(_, v)| !is_blank(v));
            let (value_text, value_data) = if inline.is_empty() {
                match next {
                    Some((_, v)) if !is_label_cell(v) => (cell_text(v), Some(v)),
                    _ => (String::new(), None),
                }
            } else {
                (inline.clone(), None)
            };
            if value_text.is_empty() {
                continue;
            }
            match label {
                "填报单位" => {
                    meta.unit_text.get_or_insert(value_text);
                    meta.unit_cell = (row.index, *col);
                }
                "填报日期" | "填报时间" => {
                    let date = match value_data {
                        Some(d) => match date_from_cell(d, is_1904) {
                            DateCell::Date(d) => Some(d),
                            _ => None,
                        },
                        None => parse_period_end(&value_text),
                    };
                    if date.is_some() {
                        meta.fill_date = date;
                    }
                }
                "填报人" => {
                    meta.filler.get_or_insert(value_text);
                }
                "联系电话" | "联系方式" => {
                    meta.phone.get_or_insert(value_text);
                }
                _ => {}
            }
        }
    }
}

/// Splits a cell into (label, value) pairs: `填报单位：海口市 填报日期：2018-06-30`.
fn labelled_values(text: &str) -> Vec<(&'static str, String)> {
    let mut found: Vec<(usize, &'static str)> = Vec::new();
    for label in META_LABELS {
        let mut from = 0;
        while let Some(pos) = text[from..].find(label) {
            let at = from + pos;
            // 填报时间 and 填报日期 never overlap another label, but guard all the same.
            if !found.iter().any(|(p, l)| *p <= at && at < p + l.len()) {
                found.push((at, label));
            }
            from = at + label.len();
        }
    }
    found.sort_by_key(|(p, _)| *p);
    let mut pairs = Vec::new();
    for (i, (pos, label)) in found.iter().enumerate() {
        let start = pos + label.len();
        let end = found.get(i + 1).map_or(text.len(), |(p, _)| *p);
        let value = text[start..end]
            .trim_matches(|c: char| c.is_whitespace() || matches!(c, '：' | ':' | '\u{3000}' | '_'))
            .to_string();
        pairs.push((*label, value));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cell_meta_line() {
        let pairs = labelled_values(
            "填报单位：海口市教育局  填报日期：2018年6月30日  填报人：王芳 联系电话：0898-65321234",
        );
        assert_eq!(
            pairs,
            vec![
                ("填报单位", "海口市教育局".to_string()),
                ("填报日期", "2018年6月30日".to_string()),
                ("填报人", "王芳".to_string()),
                ("联系电话", "0898-65321234".to_string()),
            ]
        );
    }

    #[test]
    fn label_cells_followed_by_values() {
        let row = GridRow {
            index: 1,
            cells: vec![
                (0, Data::String("填报单位：".into())),
                (1, Data::String("三亚市".into())),
                (3, Data::String("填报日期".into())),
                (4, Data::Float(43281.0)),
            ],
        };
        let mut meta = ReturnMeta::default();
        read_meta(&row, &mut meta, false);
        assert_eq!(meta.unit_text.as_deref(), Some("三亚市"));
        assert_eq!(meta.unit_cell, (1, 0));
        assert_eq!(meta.fill_date, NaiveDate::from_ymd_opt(2018, 6, 30));
    }
}
