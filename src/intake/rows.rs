//! The rows of a return's data sheet → typed rows, and the 填报单位 line → metadata.
//!
//! Every non-empty row below the header ends up as a [`ReturnRow`] (its task
//! known) or as a problem carrying the row's text, so nothing read is lost. A row
//! is tied to its task by its number or its text (SPEC §3), or as a sub-row of the
//! task above it: numbered `N-k`, marked `(k)` under its task, repeating the
//! number, or left blank in the number and task columns (joining the sub-rows of
//! one task is [`super::subrows`]' job). A formula cell the file holds no result
//! for is a problem naming the cell, never read as an empty cell.

use std::collections::HashMap;

use calamine::Data;
use chrono::{NaiveDate, NaiveDateTime};

use super::values::{DateCell, Status, date_from_cell, datetime_from_cell};
use crate::catalogue::Catalogue;
use crate::period::{MonthName, chinese_date, parse_loose_date};
use crate::problem::{Problem, Severity, row_ref};
use crate::table::cells::{
    cell_text, is_blank, sub_marker, sub_number_from_cell, task_number_from_cell,
};
use crate::table::format::DateSystem;
use crate::table::grid::{GridRow, PendingFormula, Sheet};
use crate::table::header::{Field, Header};

/// Labels of the lines around the table that describe the return itself: a
/// value cell holding one is read as a label (the online form refuses them in
/// 填报人 and 联系电话 for that reason).
pub const META_LABELS: [&str; 7] = [
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

/// One data row of a return, its task identified; or the sub-rows of one task joined.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnRow {
    /// 0-based row in the sheet (the first, for sub-rows joined).
    pub row: u32,
    /// 0-based last row: `row` itself, or the last sub-row joined into this one.
    pub last_row: u32,
    pub task: u32,
    pub status: Status,
    /// The status as the return gives it (`80%` for a percentage cell; the narrative's
    /// first word when the return has no status column).
    pub status_text: String,
    /// Whether the status cell is a formula the file holds no result for: intake
    /// has listed it, so the status is not said to be unrecognised besides.
    pub status_uncomputed: bool,
    pub date: DateCell,
    /// The 完成状态 column, for problems about the status; `None` when the return has none.
    pub status_col: Option<u32>,
    /// The column the completion date was read from, for problems about the date:
    /// 完成时间, or 完成状态 when the date came in the status cell.
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
    /// The month the sheet's name names, when the workbook keeps one sheet per month.
    pub sheet_month: Option<MonthName>,
}

/// What reading a sheet's rows needs besides the sheet and its header.
#[derive(Clone, Copy)]
pub struct RowContext<'a> {
    pub catalogue: &'a Catalogue,
    /// The file's name, for problems.
    pub file: &'a str,
    /// What dates written without a year are read against.
    pub as_of: NaiveDate,
    /// How the workbook counts serial day numbers.
    pub dates: DateSystem,
    /// The sheet's formula cells that hold no result.
    pub pending: &'a [PendingFormula],
}

/// The columns whose cells, merged down over several rows, speak for every row
/// they span (SPEC §3). A number or a task text merged down over several rows
/// makes them sub-rows of that task.
const FILLED_DOWN: [Field; 10] = [
    Field::TaskNumber,
    Field::TaskText,
    Field::Status,
    Field::CompletionDate,
    Field::Narrative,
    Field::Issues,
    Field::NextSteps,
    Field::Remarks,
    Field::Unit,
    Field::SubmitTime,
];

/// The columns a return's rows are read from: a formula without a result in one
/// of them is a problem.
const READ_FIELDS: [Field; 10] = FILLED_DOWN;

/// The task the rows above a row were read for: what its sub-rows belong to.
#[derive(Debug, Clone, Copy)]
struct Parent {
    /// The plain number it was written under, if any.
    written: Option<u32>,
    task: u32,
    /// The index a `(k)` marker under it must have to be its next sub-row.
    next_marker: u32,
}

/// How a row was tied to its task.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tie {
    /// By its number or its text, as any row.
    Own { renumbered_from: Option<u32> },
    /// As a sub-row of the task above (`N-k`, `(k)`, blank number and text).
    Sub,
}

/// Reads the data rows under `header`.
pub fn read_rows(sheet: &Sheet, header: &Header, ctx: &RowContext) -> SheetRead {
    let reader = RowReader {
        sheet,
        header,
        ctx,
        cells: RowCells {
            header,
            filled: filled_down(sheet, header),
        },
        pending: ctx
            .pending
            .iter()
            .map(|p| ((p.row, p.col), p.formula.as_str()))
            .collect(),
    };
    let mut meta = ReturnMeta::default();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let form_export = header.column(Field::Unit).is_some();
    let mut form: Vec<FormKey> = Vec::new();
    let mut renumbered: Vec<(u32, u32, u32)> = Vec::new();
    let mut parent: Option<Parent> = None;
    for row in &sheet.grid.rows {
        if row.index < header.row {
            read_meta(row, &mut meta, ctx.dates, ctx.as_of);
            continue;
        }
        if row.index < header.data_start() {
            continue;
        }
        let task = match reader.task_of(row, parent) {
            Ok((task, Tie::Sub)) => {
                if let Some(p) = parent.as_mut()
                    && reader.marker(row).is_some()
                {
                    p.next_marker += 1;
                }
                task
            }
            Ok((task, Tie::Own { renumbered_from })) => {
                if let Some(number) = renumbered_from {
                    renumbered.push((row.index, number, task));
                }
                parent = Some(Parent {
                    written: reader.plain_number(row),
                    task,
                    next_marker: 1,
                });
                task
            }
            // A footer such as 填报人：… 联系电话：… below the table.
            Err(_) if row_has_label(row) => {
                read_meta(row, &mut meta, ctx.dates, ctx.as_of);
                continue;
            }
            Err(what) => {
                problems.push(unread_row(ctx.file, sheet, row, &what));
                parent = None;
                continue;
            }
        };
        let read = reader.read(row, task, &mut problems);
        if form_export {
            form.push(reader.form_key(row, form.last()));
        }
        rows.push(read);
    }
    if let Some(problem) = renumbered_problem(ctx.file, sheet, &renumbered) {
        problems.push(problem);
    }
    problems.extend(reader.pending_problems(&rows));
    if header.column(Field::Status).is_none() && !rows.is_empty() {
        problems.push(Problem::file(
            Severity::Warning,
            ctx.file,
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
        sheet_month: None,
    }
}

/// What reading one sheet's data rows needs.
struct RowReader<'a> {
    sheet: &'a Sheet,
    header: &'a Header,
    ctx: &'a RowContext<'a>,
    cells: RowCells<'a>,
    /// Formula cells without a result, by (row, column).
    pending: HashMap<(u32, u32), &'a str>,
}

impl<'a> RowReader<'a> {
    fn cell(&self, row: &'a GridRow, field: Field) -> Option<&'a Data> {
        self.cells.get(row, field).map(|(value, _)| value)
    }

    fn text(&self, row: &'a GridRow, field: Field) -> String {
        self.cell(row, field).map(cell_text).unwrap_or_default()
    }

    /// The formula of a field's cell in this row, when the file holds no result for it.
    fn pending_at(&self, row: &GridRow, field: Field) -> Option<&'a str> {
        let col = self.header.column(field)?;
        self.pending.get(&(row.index, col)).copied()
    }

    /// The row's number when it is a plain task number written in the row itself
    /// (not carried down by a merged cell).
    fn plain_number(&self, row: &'a GridRow) -> Option<u32> {
        match self.cells.get(row, Field::TaskNumber) {
            Some((value, false)) => task_number_from_cell(value),
            _ => None,
        }
    }

    /// A `(k)` or `①` standing alone in the number column.
    fn marker(&self, row: &'a GridRow) -> Option<u32> {
        match self.cells.get(row, Field::TaskNumber) {
            Some((value, false)) => sub_marker(value),
            _ => None,
        }
    }

    /// The task a row is about and how it was tied to it, given the task the rows
    /// above were read for; else why no task could be found.
    fn task_of(&self, row: &'a GridRow, parent: Option<Parent>) -> Result<(u32, Tie), String> {
        let number_cell = self.cells.get(row, Field::TaskNumber);
        let merged_number = number_cell.is_some_and(|(_, filled)| filled);
        let number = number_cell.and_then(|(value, _)| task_number_from_cell(value));
        let text = self.text(row, Field::TaskText);
        let by_text = self.ctx.catalogue.task_by_text(&text);
        // 5-1, 5.1, 5（1）: a sub-row of task 5, or of the row just above numbered 5
        // (a renumbered return's 5 may be another task by its text).
        if number.is_none()
            && let Some(n) = number_cell.and_then(|(value, _)| sub_number_from_cell(value))
        {
            let task = match parent {
                Some(p) if p.written == Some(n) => p.task,
                _ => n,
            };
            return self.known((task, Tie::Sub));
        }
        // (1), (2) or ①, ② under a task: its sub-rows, counted from 1. A return
        // numbering its tasks (1), (2), (3) goes on past the marker expected.
        if let (Some(k), Some(p), None) = (self.marker(row), parent, by_text)
            && k == p.next_marker
        {
            return Ok((p.task, Tie::Sub));
        }
        // Nothing in the number and task columns, but a status or a date: one more
        // row of the task above, laid out without merging the cells.
        if let Some(p) = parent
            && number_cell.is_none()
            && text.is_empty()
            && self.has_progress(row)
        {
            return Ok((p.task, Tie::Sub));
        }
        // The text wins over a number that names another task: counties delete the
        // rows they do not lead and number the rest 1, 2, 3…. An edited text that
        // names no task leaves the number standing. A number carried down by a merged
        // cell only stands where the text names nothing.
        let found = match (number, by_text) {
            (Some(n), Some(t)) if n != t && !merged_number => Some((t, Some(n))),
            (_, Some(t)) => Some((t, None)),
            (n, None) => n.map(|n| (n, None)),
        };
        match found {
            None => Err("无法识别该行对应的任务（序号和主要任务都对不上任务清单）".to_string()),
            Some((task, renumbered_from)) => self.known((task, Tie::Own { renumbered_from })),
        }
    }

    fn known(&self, (task, tie): (u32, Tie)) -> Result<(u32, Tie), String> {
        if self.ctx.catalogue.get(task).is_none() {
            return Err(format!("序号 {task} 不在任务清单中"));
        }
        Ok((task, tie))
    }

    fn has_cell(&self, row: &'a GridRow, field: Field) -> bool {
        self.cell(row, field).is_some_and(|v| !is_blank(v))
    }

    /// Whether the row says how its task stands: a status, a date, or (without a
    /// status column) a narrative opening with a status word.
    fn has_progress(&self, row: &'a GridRow) -> bool {
        self.has_cell(row, Field::Status)
            || self.has_cell(row, Field::CompletionDate)
            || (self.header.column(Field::Status).is_none()
                && Status::leading(&self.text(row, Field::Narrative)).is_some())
    }

    /// A row of a known task: its status, date and texts; an unreadable date is a
    /// problem, and so is a date in the status cell that differs from 完成时间.
    fn read(&self, row: &'a GridRow, task: u32, problems: &mut Vec<Problem>) -> ReturnRow {
        let narrative = self.text(row, Field::Narrative);
        let status_col = self.header.column(Field::Status);
        let status_formula = self.pending_at(row, Field::Status);
        // The status, its text, and the date written with it (`已完成（2019年1月10日）`).
        let (status, status_text, written_date) = match (status_col, status_formula) {
            (Some(_), Some(formula)) => (
                Status::Unrecognised(String::new()),
                formula.to_string(),
                None,
            ),
            (Some(_), None) => match self.cell(row, Field::Status) {
                None => (Status::Empty, String::new(), None),
                Some(Data::String(text)) => {
                    let (status, date) = Status::with_date(text);
                    (status, text.trim().to_string(), date)
                }
                Some(cell) => {
                    let (status, text) = Status::from_cell(cell);
                    (status, text, None)
                }
            },
            (None, _) => match Status::leading(&narrative) {
                Some((status, word)) => (status, word, Status::leading_date(&narrative)),
                None if narrative.is_empty() => (Status::Empty, String::new(), None),
                None => (Status::Unrecognised(String::new()), String::new(), None),
            },
        };
        let date_col = self.header.column(Field::CompletionDate);
        let date = match (
            self.pending_at(row, Field::CompletionDate),
            self.cell(row, Field::CompletionDate),
        ) {
            (Some(formula), _) => DateCell::Unreadable(formula.to_string()),
            (None, Some(d)) => {
                let date = date_from_cell(d, self.ctx.dates, self.ctx.as_of);
                if let DateCell::Unreadable(text) = &date {
                    problems.push(
                        Problem::file(
                            Severity::Error,
                            self.ctx.file,
                            format!("完成时间“{text}”无法识别为日期"),
                            "按未填完成时间判定；请写成 2018-06-30 或 2018年6月30日",
                        )
                        .at(&self.sheet.name, row.index, date_col)
                        .in_column("完成时间")
                        .task(Some(task)),
                    );
                }
                date
            }
            (None, None) => DateCell::Empty,
        };
        // A date given with the status: the completion date when 完成时间 is blank,
        // and a problem when 完成时间 says another day. Only a finished task's date
        // is a completion date (`推进中（预计6月底）` is a plan).
        let written_date = written_date
            .filter(|_| status == Status::Done)
            .and_then(|text| parse_loose_date(&text, self.ctx.as_of));
        let (date, date_col) = match (date, written_date) {
            (DateCell::Empty, Some(d)) => (DateCell::Date(d), status_col.or(date_col)),
            (DateCell::Date(c), Some(d)) if c != d => {
                problems.push(
                    Problem::file(
                        Severity::Warning,
                        self.ctx.file,
                        format!(
                            "完成状态“{status_text}”中写的日期 {} 与完成时间 {} 不一致",
                            chinese_date(d),
                            chinese_date(c)
                        ),
                        format!(
                            "按完成时间 {} 判定；请核对后把完成时间只填在完成时间栏",
                            chinese_date(c)
                        ),
                    )
                    .at(&self.sheet.name, row.index, status_col)
                    .in_column("完成状态")
                    .task(Some(task)),
                );
                (DateCell::Date(c), date_col)
            }
            (date, _) => (date, date_col),
        };
        ReturnRow {
            row: row.index,
            last_row: row.index,
            task,
            status,
            status_text,
            status_uncomputed: status_formula.is_some(),
            date,
            status_col,
            date_col,
            narrative: narrative.into(),
            issues: self.text(row, Field::Issues),
            next_steps: self.text(row, Field::NextSteps),
            remarks: self.text(row, Field::Remarks),
        }
    }

    /// One problem per formula cell without a result, in the lines above the
    /// header or in a column the rows are read from.
    fn pending_problems(&self, rows: &[ReturnRow]) -> Vec<Problem> {
        let columns: HashMap<u32, Field> = READ_FIELDS
            .iter()
            .filter_map(|f| self.header.column(*f).map(|c| (c, *f)))
            .collect();
        let task_of: HashMap<u32, u32> = rows.iter().map(|r| (r.row, r.task)).collect();
        let mut found: Vec<&PendingFormula> = self
            .ctx
            .pending
            .iter()
            .filter(|p| {
                p.row < self.header.row
                    || (p.row >= self.header.data_start() && columns.contains_key(&p.col))
            })
            .collect();
        found.sort_by_key(|p| (p.row, p.col));
        found
            .into_iter()
            .map(|p| {
                let action = if columns.get(&p.col) == Some(&Field::Status) && p.row >= self.header.data_start() {
                    "判定为待核实；请在 Excel 中打开并保存后重新报送"
                } else {
                    "该单元格按空白处理；请在 Excel 中打开并保存后重新报送"
                };
                Problem::file(
                    Severity::Error,
                    self.ctx.file,
                    format!(
                        "单元格是公式 {}，文件中没有保存它的计算结果（文件可能由其他程序生成，未经 Excel 计算）",
                        p.formula
                    ),
                    action,
                )
                .at(&self.sheet.name, p.row, Some(p.col))
                .task(task_of.get(&p.row).copied())
            })
            .collect()
    }

    /// Who sent a row of an online-form export, and when. A form export names the
    /// unit on every row, but a hand-made sheet may name it once above that unit's
    /// rows: an empty cell keeps the one before.
    fn form_key(&self, row: &'a GridRow, last: Option<&FormKey>) -> FormKey {
        let unit_text = self.text(row, Field::Unit);
        let submitted = self
            .cell(row, Field::SubmitTime)
            .and_then(|d| datetime_from_cell(d, self.ctx.dates, self.ctx.as_of));
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
    filled: HashMap<(u32, u32), &'a Data>,
}

impl<'a> RowCells<'a> {
    /// A field's cell in the row, and whether a merged area above carried it down.
    fn get(&self, row: &'a GridRow, field: Field) -> Option<(&'a Data, bool)> {
        let c = self.header.column(field)?;
        row.get(c)
            .map(|v| (v, false))
            .or_else(|| self.filled.get(&(row.index, c)).map(|v| (*v, true)))
    }
}

/// The cells that vertical merges carry down: (row, column) → the merged area's
/// value, for the columns of [`FILLED_DOWN`] below the header.
fn filled_down<'a>(sheet: &'a Sheet, header: &Header) -> HashMap<(u32, u32), &'a Data> {
    let mut filled = HashMap::new();
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
fn read_meta(row: &GridRow, meta: &mut ReturnMeta, dates: DateSystem, as_of: NaiveDate) {
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
                        Some(d) => match date_from_cell(d, dates, as_of) {
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
    use crate::table::grid::Grid;

    /// A return sheet of `rows` under the template's header (序号, 主要任务, …,
    /// 完成状态 in F, 完成时间 in G, 进展情况 in H), data from row 2.
    fn read_sheet(rows: &[[&str; 4]], merges: Vec<crate::table::grid::Merge>) -> SheetRead {
        let catalogue = Catalogue::embedded().expect("catalogue");
        let header = [
            "序号",
            "主要任务",
            "牵头单位",
            "配合单位",
            "完成时限",
            "完成状态",
            "完成时间",
            "进展情况",
        ];
        let mut cells: Vec<(u32, u32, Data)> = header
            .iter()
            .enumerate()
            .map(|(c, h)| (0, c as u32, Data::String((*h).into())))
            .collect();
        for (r, [number, text, status, narrative]) in rows.iter().enumerate() {
            for (c, value) in [(0, number), (1, text), (5, status), (7, narrative)] {
                cells.push((r as u32 + 1, c, Data::String((*value).into())));
            }
        }
        let sheet = Sheet {
            name: "进展情况".into(),
            hidden: false,
            grid: Grid::from_cells(cells),
            merges,
        };
        let header = crate::table::header::find_header(&sheet).expect("header");
        let ctx = RowContext {
            catalogue: &catalogue,
            file: "f.xlsx",
            as_of: NaiveDate::from_ymd_opt(2019, 3, 31).expect("date"),
            dates: DateSystem::EXCEL_1900,
            pending: &[],
        };
        read_rows(&sheet, &header, &ctx)
    }

    /// Every way a row is tied to its task, one line per form: (number, text) → task.
    #[test]
    fn rows_tied_to_their_task() {
        let catalogue = Catalogue::embedded().expect("catalogue");
        let text = |n: u32| catalogue.get(n).expect("task").text.clone();
        let (t5, t9) = (text(5), text(9));
        let cases: Vec<(Vec<[&str; 4]>, Vec<u32>)> = vec![
            // N-k under its task, and without it.
            (
                vec![
                    ["5", &t5, "", ""],
                    ["5-1", "城区", "已完成", ""],
                    ["5-2", "乡镇", "推进中", ""],
                ],
                vec![5, 5, 5],
            ),
            (
                vec![
                    ["5-1", "城区", "已完成", ""],
                    ["5（2）", "乡镇", "推进中", ""],
                ],
                vec![5, 5],
            ),
            // A renumbered return: 2-1 belongs to the row numbered 2, task 9 by its text.
            (
                vec![["2", &t9, "", ""], ["2-1", "甲", "已完成", ""]],
                vec![9, 9],
            ),
            // (k) and ① under a task count from 1; a return numbering tasks (1), (2) goes on.
            (
                vec![
                    ["9", &t9, "", ""],
                    ["(1)", "甲", "已完成", ""],
                    ["（2）", "乙", "已完成", ""],
                ],
                vec![9, 9, 9],
            ),
            (
                vec![
                    ["9", &t9, "", ""],
                    ["①", "甲", "已完成", ""],
                    ["②", "乙", "已完成", ""],
                ],
                vec![9, 9, 9],
            ),
            (
                vec![["(1)", "", "推进中", ""], ["(2)", "", "推进中", ""]],
                vec![1, 2],
            ),
            // One row per school repeating the number; a row blank in 序号 and 主要任务.
            (
                vec![
                    ["9", &t9, "未启动", ""],
                    ["9", "第一中学", "", ""],
                    ["", "", "已完成", ""],
                ],
                vec![9, 9, 9],
            ),
            // A blank row with only a narrative is no sub-row: listed, not counted.
            (
                vec![["9", &t9, "推进中", ""], ["", "", "", "补充说明"]],
                vec![9],
            ),
        ];
        for (rows, want) in cases {
            let read = read_sheet(&rows, Vec::new());
            let got: Vec<u32> = read.rows.iter().map(|r| r.task).collect();
            assert_eq!(got, want, "{rows:?}: {:?}", read.problems);
        }
        // A number and task text merged down over schools' rows.
        let read = read_sheet(
            &[["9", &t9, "不适用", "甲"], ["", "", "不适用", "乙"]],
            vec![(1, 0, 2, 0), (1, 1, 2, 1)],
        );
        let got: Vec<u32> = read.rows.iter().map(|r| r.task).collect();
        assert_eq!(got, [9, 9], "{:?}", read.problems);
        assert!(
            read.problems.is_empty(),
            "no renumbering said: {:?}",
            read.problems
        );
    }

    #[test]
    fn a_date_in_the_status_cell() {
        let catalogue = Catalogue::embedded().expect("catalogue");
        let t9 = catalogue.get(9).expect("task").text.clone();
        let read = read_sheet(&[["9", &t9, "已完成（2019年1月10日）", ""]], Vec::new());
        let row = &read.rows[0];
        assert_eq!(row.status, Status::Done);
        assert_eq!(
            row.date,
            DateCell::Date(NaiveDate::from_ymd_opt(2019, 1, 10).expect("date"))
        );
        assert_eq!(
            row.date_col,
            Some(5),
            "problems about the date point at the status cell"
        );
        let read = read_sheet(&[["9", &t9, "推进中（预计2019年6月）", ""]], Vec::new());
        assert_eq!(
            read.rows[0].date,
            DateCell::Empty,
            "a plan is no completion date"
        );
    }

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
            DateSystem::EXCEL_1900,
            NaiveDate::MAX,
        );
        read_meta(
            &row(40, "填报单位（盖章）：", "三亚市教育局"),
            &mut meta,
            DateSystem::EXCEL_1900,
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
        read_meta(&row, &mut meta, DateSystem::EXCEL_1900, NaiveDate::MAX);
        assert_eq!(meta.unit_text.as_deref(), Some("三亚市"));
        assert_eq!(meta.unit_cell, (1, 0));
        assert_eq!(meta.fill_date, NaiveDate::from_ymd_opt(2018, 6, 30));
    }
}
