//! The rows of a return's data sheet → typed rows, and the 填报单位 line → metadata.
//!
//! Every non-empty row below the header ends up as a [`ReturnRow`] (its task
//! known) or as a problem carrying the row's text, so nothing read is lost.

use calamine::Data;
use chrono::{NaiveDate, NaiveDateTime};

use super::values::{DateCell, Status, date_from_cell, datetime_from_cell};
use crate::catalogue::Catalogue;
use crate::period::parse_loose_date;
use crate::problem::{Problem, Severity, row_ref};
use crate::table::cells::{cell_text, is_blank, task_number_from_cell};
use crate::table::grid::{GridRow, Sheet};
use crate::table::header::{Field, Header};

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
    /// The text above the header that is no label line: the title, which may name a month.
    pub title: Option<String>,
}

/// One data row of a return, its task identified.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnRow {
    /// 0-based row in the sheet.
    pub row: u32,
    pub task: u32,
    pub status: Status,
    /// The status as the return gives it (`80%` for a percentage cell; the narrative's
    /// first word when the return has no status column).
    pub status_text: String,
    pub date: DateCell,
    /// The 完成状态 column, for problems about the status; `None` when the return has none.
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

/// Who sent a row of an online-form export, and when: such a file holds several units' returns.
#[derive(Debug, Clone, PartialEq)]
pub struct FormKey {
    /// The 填报单位 / 所属市县 cell, as written.
    pub unit_text: String,
    /// The 提交时间 cell, when the export has one and it reads as a time.
    pub submitted: Option<NaiveDateTime>,
}

/// A data sheet read: its rows, and for an online-form export who sent each row
/// (`form[i]` for `rows[i]`), so that intake can split it into returns by unit.
#[derive(Debug, Clone)]
pub struct SheetRead {
    pub sheet: String,
    /// The first row below the header, 0-based: where data rows begin.
    pub data_start: u32,
    pub meta: ReturnMeta,
    pub rows: Vec<ReturnRow>,
    /// Problems met while reading (rows not understood, dates unreadable, …).
    pub problems: Vec<Problem>,
    pub form: Option<Vec<FormKey>>,
}

/// The columns whose cells, merged down over several task rows, speak for every row
/// they span (SPEC §3). The task's number and text are not among them: a merged
/// number would make several rows one task.
const FILLED_DOWN: [Field; 8] = [
    Field::Status,
    Field::CompletionDate,
    Field::Narrative,
    Field::Issues,
    Field::NextSteps,
    Field::Remarks,
    Field::Unit,
    Field::SubmitTime,
];

/// Reads the data rows under `header`. `as_of` dates what is written without a year.
pub fn read_rows(
    sheet: &Sheet,
    header: &Header,
    catalogue: &Catalogue,
    is_1904: bool,
    file: &str,
    as_of: NaiveDate,
) -> SheetRead {
    let reader = RowReader {
        sheet,
        header,
        catalogue,
        is_1904,
        file,
        as_of,
        cells: RowCells {
            header,
            filled: filled_down(sheet, header),
        },
    };
    let mut meta = ReturnMeta::default();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let form_export = header.column(Field::Unit).is_some();
    let mut form: Vec<FormKey> = Vec::new();
    let mut renumbered: Vec<(u32, u32, u32)> = Vec::new();
    for row in &sheet.grid.rows {
        if row.index < header.row {
            read_meta(row, &mut meta, is_1904, as_of);
            continue;
        }
        if row.index < header.data_start() {
            continue;
        }
        let task = match reader.task_of(row) {
            Ok((task, renumbered_from)) => {
                if let Some(number) = renumbered_from {
                    renumbered.push((row.index, number, task));
                }
                task
            }
            // A footer such as 填报人：… 联系电话：… below the table.
            Err(_) if row_has_label(row) => {
                read_meta(row, &mut meta, is_1904, as_of);
                continue;
            }
            Err(what) => {
                problems.push(unread_row(file, sheet, row, &what));
                continue;
            }
        };
        let read = reader.read(row, task, &mut problems);
        if form_export {
            form.push(reader.form_key(row, form.last()));
        }
        rows.push(read);
    }
    if let Some(problem) = renumbered_problem(file, sheet, &renumbered) {
        problems.push(problem);
    }
    if header.column(Field::Status).is_none() && !rows.is_empty() {
        problems.push(Problem::file(
            Severity::Warning,
            file,
            format!("工作表“{}”没有完成状态列", sheet.name),
            "已按每行进展情况开头的状态词（如“已完成。”“推进中：”）判定，开头没有状态词的行判定为待核实；请按模板增加完成状态列后重新报送",
        ));
    }
    SheetRead {
        sheet: sheet.name.clone(),
        data_start: header.data_start(),
        meta,
        rows,
        problems,
        form: form_export.then_some(form),
    }
}

/// What reading one sheet's data rows needs.
struct RowReader<'a> {
    sheet: &'a Sheet,
    header: &'a Header,
    catalogue: &'a Catalogue,
    is_1904: bool,
    file: &'a str,
    as_of: NaiveDate,
    cells: RowCells<'a>,
}

impl<'a> RowReader<'a> {
    fn cell(&self, row: &'a GridRow, field: Field) -> Option<&'a Data> {
        self.cells.get(row, field)
    }

    fn text(&self, row: &'a GridRow, field: Field) -> String {
        self.cell(row, field).map(cell_text).unwrap_or_default()
    }

    /// The task a row is about, and the number it was written under when the row
    /// was renumbered; else why no task could be found.
    fn task_of(&self, row: &'a GridRow) -> Result<(u32, Option<u32>), String> {
        let number = self
            .cell(row, Field::TaskNumber)
            .and_then(task_number_from_cell);
        let by_text = self
            .catalogue
            .task_by_text(&self.text(row, Field::TaskText));
        // The text wins over a number that names another task: counties delete the
        // rows they do not lead and number the rest 1, 2, 3…. An edited text that
        // names no task leaves the number standing.
        let found = match (number, by_text) {
            (Some(n), Some(t)) if n != t => Some((t, Some(n))),
            (_, Some(t)) => Some((t, None)),
            (n, None) => n.map(|n| (n, None)),
        };
        match found {
            None => Err("无法识别该行对应的任务（序号和主要任务都对不上任务清单）".to_string()),
            Some((task, _)) if self.catalogue.get(task).is_none() => {
                Err(format!("序号 {task} 不在任务清单中"))
            }
            Some(found) => Ok(found),
        }
    }

    /// A row of a known task: its status, date and texts; an unreadable date is a problem.
    fn read(&self, row: &'a GridRow, task: u32, problems: &mut Vec<Problem>) -> ReturnRow {
        let narrative = self.text(row, Field::Narrative);
        let status_col = self.header.column(Field::Status);
        let (status, status_text) = match status_col {
            Some(_) => self
                .cell(row, Field::Status)
                .map_or((Status::Empty, String::new()), Status::from_cell),
            None => match Status::leading(&narrative) {
                Some(found) => found,
                None if narrative.is_empty() => (Status::Empty, String::new()),
                None => (Status::Unrecognised(String::new()), String::new()),
            },
        };
        let date_col = self.header.column(Field::CompletionDate);
        let date = self
            .cell(row, Field::CompletionDate)
            .map_or(DateCell::Empty, |d| {
                date_from_cell(d, self.is_1904, self.as_of)
            });
        if let DateCell::Unreadable(text) = &date {
            problems.push(
                Problem::file(
                    Severity::Error,
                    self.file,
                    format!("完成时间“{text}”无法识别为日期"),
                    "按未填完成时间判定；请写成 2018-06-30 或 2018年6月30日",
                )
                .at(&self.sheet.name, row.index, date_col)
                .in_column("完成时间")
                .task(Some(task)),
            );
        }
        ReturnRow {
            row: row.index,
            task,
            status,
            status_text,
            date,
            status_col,
            date_col,
            narrative: narrative.into(),
            issues: self.text(row, Field::Issues),
            next_steps: self.text(row, Field::NextSteps),
            remarks: self.text(row, Field::Remarks),
        }
    }

    /// Who sent a row of an online-form export, and when. A form export names the
    /// unit on every row, but a hand-made sheet may name it once above that unit's
    /// rows: an empty cell keeps the one before.
    fn form_key(&self, row: &'a GridRow, last: Option<&FormKey>) -> FormKey {
        let unit_text = self.text(row, Field::Unit);
        let submitted = self
            .cell(row, Field::SubmitTime)
            .and_then(|d| datetime_from_cell(d, self.as_of));
        match (last, unit_text.is_empty()) {
            (Some(last), true) => FormKey {
                submitted: submitted.or(last.submitted),
                ..last.clone()
            },
            _ => FormKey {
                unit_text,
                submitted,
            },
        }
    }
}

/// A data row's cells by field, with what merged areas carry down into it.
struct RowCells<'a> {
    header: &'a Header,
    filled: std::collections::HashMap<(u32, u32), &'a Data>,
}

impl<'a> RowCells<'a> {
    fn get(&self, row: &'a GridRow, field: Field) -> Option<&'a Data> {
        let c = self.header.column(field)?;
        row.get(c)
            .or_else(|| self.filled.get(&(row.index, c)).copied())
    }
}

/// The cells that vertical merges carry down: (row, column) → the merged area's
/// value, for the columns of [`FILLED_DOWN`] below the header.
fn filled_down<'a>(
    sheet: &'a Sheet,
    header: &Header,
) -> std::collections::HashMap<(u32, u32), &'a Data> {
    let mut filled = std::collections::HashMap::new();
    let columns: Vec<u32> = FILLED_DOWN
        .iter()
        .filter_map(|f| header.column(*f))
        .collect();
    for &(r0, c0, r1, _) in &sheet.merges {
        if r1 <= r0 || r0 < header.data_start() || !columns.contains(&c0) {
            continue;
        }
        let Some(value) = sheet.grid.value(r0, c0) else {
            continue;
        };
        // A corrupt file may claim a merge over a million rows: only rows that exist matter.
        for row in sheet.grid.rows_between(r0 + 1, r1) {
            filled.insert((row.index, c0), value);
        }
    }
    filled
}

/// One problem per file for renumbered rows, naming the first few.
fn renumbered_problem(
    file: &str,
    sheet: &Sheet,
    renumbered: &[(u32, u32, u32)],
) -> Option<Problem> {
    let (first_row, ..) = *renumbered.first()?;
    let examples: Vec<String> = renumbered
        .iter()
        .take(3)
        .map(|(row, n, t)| format!("{}序号 {n} 实为任务 {t}", row_ref(*row)))
        .collect();
    let more = if renumbered.len() > 3 { "等" } else { "" };
    Some(
        Problem::file(
            Severity::Warning,
            file,
            format!(
                "序号与主要任务不一致，行被重新编号：{} 行的序号指向另一项任务（{}{more}）",
                renumbered.len(),
                examples.join("，")
            ),
            "已按主要任务识别这些行；请保留任务清单中的原序号后重新报送",
        )
        .at(&sheet.name, first_row, None),
    )
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
/// as label cells each followed by a value cell; the first other text is the title.
fn read_meta(row: &GridRow, meta: &mut ReturnMeta, is_1904: bool, as_of: NaiveDate) {
    if !row_has_label(row) {
        // 附件2, the title, a subtitle (2018年7月): together they say what the return is.
        // A note (注：完成时间请写成 2018年6月30日) is no title.
        for (_, value) in &row.cells {
            let Data::String(text) = value else { continue };
            let text = text.trim();
            if text.is_empty()
                || ["注", "说明", "填表说明", "备注"]
                    .iter()
                    .any(|n| text.starts_with(n))
            {
                continue;
            }
            match &mut meta.title {
                Some(title) => {
                    title.push(' ');
                    title.push_str(text);
                }
                None => meta.title = Some(text.to_string()),
            }
        }
    }
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
                // The first 填报单位 names the unit: the signature block under a
                // template's table repeats the label (填报单位（盖章）).
                "填报单位" if meta.unit_text.is_none() => {
                    meta.unit_text = Some(value_text);
                    meta.unit_cell = (row.index, *col);
                }
                "填报日期" | "填报时间" => {
                    let date = match value_data {
                        Some(d) => match date_from_cell(d, is_1904, as_of) {
                            DateCell::Date(d) => Some(d),
                            _ => None,
                        },
                        None => parse_loose_date(&value_text, as_of),
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
        let trim = |s: &str| {
            s.trim_matches(|c: char| {
                c.is_whitespace() || matches!(c, '：' | ':' | '\u{3000}' | '_')
            })
            .to_string()
        };
        // 填报单位（盖章）：the note says where the stamp goes; the value follows it.
        let value = trim(&text[start..end]);
        let value = match ["（盖章）", "(盖章)"]
            .iter()
            .find_map(|note| value.strip_prefix(note))
        {
            Some(rest) => trim(rest),
            None => value,
        };
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
    fn a_stamp_note_is_no_value() {
        assert_eq!(
            labelled_values("填报单位（盖章）："),
            vec![("填报单位", String::new())]
        );
        assert_eq!(
            labelled_values("填报单位(盖章)：海口市教育局"),
            vec![("填报单位", "海口市教育局".to_string())]
        );
    }

    #[test]
    fn the_first_unit_label_names_the_unit() {
        let row = |index, label: &str, value: &str| GridRow {
            index,
            cells: vec![
                (1, Data::String(label.into())),
                (2, Data::String(value.into())),
            ],
        };
        let mut meta = ReturnMeta::default();
        read_meta(
            &row(1, "填报单位：", "三亚市"),
            &mut meta,
            false,
            NaiveDate::MAX,
        );
        read_meta(
            &row(40, "填报单位（盖章）：", "三亚市教育局"),
            &mut meta,
            false,
            NaiveDate::MAX,
        );
        assert_eq!(meta.unit_text.as_deref(), Some("三亚市"));
        assert_eq!(meta.unit_cell, (1, 1), "the cell a problem points at");
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
        read_meta(&row, &mut meta, false, NaiveDate::MAX);
        assert_eq!(meta.unit_text.as_deref(), Some("三亚市"));
        assert_eq!(meta.unit_cell, (1, 0));
        assert_eq!(meta.fill_date, NaiveDate::from_ymd_opt(2018, 6, 30));
    }
}
