//! The list sheets: 逾期事项, 缺报事项, 明细, 数据问题, 来源文件, 任务清单.
//! Each is a header and rows through [`write_table`], in roster order, with the
//! catalogue's full task text wrapped, its columns laid out for one A4 page
//! across at full size from what they hold ([`Layout::fit`]; 明细, 来源文件:
//! their printed columns; the rest stays on screen).

use std::collections::HashMap;

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::Report;
use crate::check::{Entry, UnitRef, Verdict};
use crate::intake::values::DateCell;
use crate::intake::{FileStatus, SourceFile};
use crate::look::layout::Layout;
use crate::look::table::{Cell, Column, Kind, Table, fit, screen, share, write_list, write_titled};

fn add_list(
    sheet: &mut Worksheet,
    report: &Report,
    name: &str,
    columns: &[Column],
    rows: Vec<Vec<Cell>>,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    write_list(sheet, &report.page(name), columns, rows)?;
    Ok(())
}

/// A unit's 填报人 and 联系电话 in one cell, the phone on a line of its own so a
/// narrow column never breaks the number: from this period's return, else the
/// latest earlier one, as 催报名单 gives them.
fn contact(report: &Report, unit: &UnitRef) -> Cell {
    match unit {
        UnitRef::Known(u) => {
            let (filler, phone) = report.contact(*u);
            let both = format!("{}\n{}", filler.trim(), phone.trim());
            Cell::from(both.trim())
        }
        UnitRef::Unknown(_) => Cell::Empty,
    }
}

/// Where a unit sorts: roster order, units not in the roster last.
fn roster_order(unit: &UnitRef) -> (usize, String) {
    match unit {
        UnitRef::Known(u) => (*u, String::new()),
        UnitRef::Unknown(text) => (usize::MAX, text.clone()),
    }
}

/// Each task's full text and deadline, worked out once per sheet rather than
/// once per row.
struct TaskCells(HashMap<u32, (Cell, Cell)>);

impl TaskCells {
    fn new(report: &Report) -> Self {
        let cells = report.catalogue.tasks.iter().map(|t| {
            let text = Cell::Text(t.text.clone());
            (t.number, (text, Cell::Date(t.deadline)))
        });
        Self(cells.collect())
    }

    fn text(&self, task: u32) -> Cell {
        self.0.get(&task).map_or(Cell::Empty, |c| c.0.clone())
    }

    fn deadline(&self, task: u32) -> Cell {
        self.0.get(&task).map_or(Cell::Empty, |c| c.1.clone())
    }
}

fn completion(entry: &Entry) -> Cell {
    match entry.row.as_ref().map(|r| &r.date) {
        Some(DateCell::Date(d)) => Cell::Date(*d),
        Some(DateCell::Unreadable(text)) => Cell::Text(text.clone()),
        _ => Cell::Empty,
    }
}

fn row_text(entry: &Entry, pick: fn(&crate::intake::ReturnRow) -> &str) -> Cell {
    entry.row.as_ref().map(pick).into()
}

/// Whether the entry's 进展情况 is word for word last period's (a copy-paste).
fn same_as_last(report: &Report, e: &Entry) -> bool {
    match &e.unit {
        UnitRef::Known(u) => report
            .monthly
            .same_as_last(&report.roster.units[*u].name, e.task),
        UnitRef::Unknown(_) => false,
    }
}

/// 逾期事项: 逾期未完成, then 逾期完成 apart; units in roster order, a unit's
/// longest overdue first. 完成时间 follows 进展情况 ("…已完成，2018年3月9日"):
/// a task still open has none, and its progress runs on into that column.
pub fn overdue(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let tasks = TaskCells::new(report);
    let columns = [
        fit("单位", Kind::Wrap),
        fit("序号", Kind::Center),
        share("主要任务", Kind::Wrap),
        fit("完成时限", Kind::Date),
        fit("逾期天数", Kind::Center),
        share("进展情况", Kind::Wrap),
        fit("完成时间", Kind::Date),
        share("存在问题", Kind::Wrap),
        fit("联系人", Kind::Wrap),
    ];
    // Still open first, finished late apart (SPEC §4); the section says which,
    // so the rows need no 判定 column.
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (verdict, heading) in [
        (Verdict::OverdueUnfinished, "一、逾期未完成"),
        (Verdict::Late, "二、逾期完成"),
    ] {
        let mut items: Vec<&Entry> = report
            .result
            .entries
            .iter()
            .filter(|e| e.counts() && e.verdict == verdict)
            .collect();
        items.sort_by_key(|e| {
            (
                roster_order(&e.unit),
                std::cmp::Reverse(e.days_overdue),
                e.task,
            )
        });
        rows.push(vec![Cell::Heading(format!(
            "{heading}（{} 项）",
            items.len()
        ))]);
        rows.extend(items.iter().map(|e| {
            vec![
                report.unit_name(&e.unit).into(),
                e.task.into(),
                tasks.text(e.task),
                tasks.deadline(e.task),
                e.days_overdue.into(),
                row_text(e, |r| &r.narrative),
                match verdict {
                    Verdict::OverdueUnfinished => Cell::Joined,
                    _ => completion(e),
                },
                row_text(e, |r| &r.issues),
                contact(report, &e.unit),
            ]
        }));
    }
    add_list(sheet, report, "逾期事项", &columns, rows)
}

/// 缺报事项: 未报送 units (one line each) and 漏报 items, in roster order.
pub fn missing(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let tasks = TaskCells::new(report);
    let columns = [
        fit("单位", Kind::Wrap),
        fit("判定", Kind::Center),
        fit("序号", Kind::Center),
        share("主要任务", Kind::Wrap),
        fit("完成时限", Kind::Date),
        fit("逾期天数", Kind::Center),
        fit("角色", Kind::Center),
        fit("联系人", Kind::Wrap),
    ];
    let mut items: Vec<&Entry> = report
        .result
        .entries
        .iter()
        .filter(|e| e.counts() && e.verdict.is_missing())
        .collect();
    items.sort_by_key(|e| (roster_order(&e.unit), e.task));
    // A unit that sent nothing is one line, not one per task: its entries are all 未报送.
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut silent_done: Option<usize> = None;
    for e in items {
        if let (Verdict::NotSubmitted, UnitRef::Known(u)) = (e.verdict, &e.unit) {
            if silent_done == Some(*u) {
                continue;
            }
            silent_done = Some(*u);
            let expected = report.result.expected[*u].len();
            rows.push(vec![
                report.unit_name(&e.unit).into(),
                Cell::Verdict(e.verdict),
                Cell::Empty,
                format!("本期未报送进展情况表（应报 {expected} 项任务）").into(),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                contact(report, &e.unit),
            ]);
            continue;
        }
        rows.push(vec![
            report.unit_name(&e.unit).into(),
            Cell::Verdict(e.verdict),
            e.task.into(),
            tasks.text(e.task),
            tasks.deadline(e.task),
            e.days_overdue.into(),
            e.role.map(|r| r.label()).into(),
            contact(report, &e.unit),
        ]);
    }
    add_list(sheet, report, "缺报事项", &columns, rows)
}

/// 明细's columns: the printed set first (SPEC §5: 单位, 序号, 主要任务, 完成时限,
/// 完成状态, 完成时间, 判定, 进展情况), then what stays on screen. The CSV
/// `明细_<period>.csv` has the same columns after 期别 and 统计截止日期.
pub const DETAIL_COLUMNS: [Column; 18] = [
    fit("单位", Kind::Wrap),
    fit("序号", Kind::Center),
    share("主要任务", Kind::Wrap),
    fit("完成时限", Kind::Date),
    fit("完成状态", Kind::Wrap),
    fit("完成时间", Kind::Date),
    fit("判定", Kind::Center),
    share("进展情况", Kind::Wrap),
    screen("角色", 4, Kind::Center),
    screen("逾期天数", 4, Kind::Center),
    screen("临期", 2, Kind::Center),
    screen("进展与上期相同", 4, Kind::Center),
    // Rows are as tall as the printed columns need: wide, so what stays on
    // screen is mostly seen whole.
    screen("存在问题", 20, Kind::Wrap),
    screen("下步计划", 20, Kind::Wrap),
    screen("备注", 10, Kind::Wrap),
    screen("填报人", 4, Kind::Center),
    screen("联系电话", 7, Kind::Center),
    screen("来源", 24, Kind::Wrap),
];

/// How many of [`DETAIL_COLUMNS`] print.
pub const DETAIL_PRINTED: u16 = 8;

/// 明细's rows, one per expected (unit, task) and per extra reported row, in
/// roster order; made one at a time.
pub fn detail_rows<'a>(report: &'a Report) -> impl Iterator<Item = Vec<Cell>> + 'a {
    let tasks = TaskCells::new(report);
    let all = 0..report.result.entries.len();
    report.result.entries[all]
        .iter()
        .map(move |e| detail_row(report, &tasks, e, true))
}

/// One row of [`detail_rows`]; with `screen` false, what stays on screen is
/// left empty (the print layout has no use for it).
fn detail_row(report: &Report, tasks: &TaskCells, e: &Entry, screen: bool) -> Vec<Cell> {
    let mut row = Vec::with_capacity(DETAIL_COLUMNS.len());
    row.extend([
        report.unit_name(&e.unit).into(),
        e.task.into(),
        tasks.text(e.task),
        tasks.deadline(e.task),
        row_text(e, |r| &r.status_text),
        completion(e),
        Cell::Verdict(e.verdict),
        row_text(e, |r| &r.narrative),
    ]);
    if !screen {
        row.resize(DETAIL_COLUMNS.len(), Cell::Empty);
        return row;
    }
    let role = match (e.role, &e.unit) {
        (Some(r), _) => r.label(),
        (None, UnitRef::Known(_)) => "非责任任务",
        (None, UnitRef::Unknown(_)) => "未识别单位",
    };
    let (filler, phone) = match e.unit {
        UnitRef::Known(u) => {
            let (f, p) = report.contact(u);
            (Cell::from(f), Cell::from(p))
        }
        UnitRef::Unknown(_) => (Cell::Empty, Cell::Empty),
    };
    row.extend([
        role.into(),
        e.days_overdue.into(),
        if e.due_soon { "临期" } else { "" }.into(),
        if same_as_last(report, e) { "是" } else { "" }.into(),
        row_text(e, |r| &r.issues),
        row_text(e, |r| &r.next_steps),
        row_text(e, |r| &r.remarks),
        filler,
        phone,
        e.source.as_ref().map(|s| s.describe()).into(),
    ]);
    row
}

/// The head of `明细_<period>.csv`: 期别 and 统计截止日期, then 明细's columns.
pub const DETAIL_CSV_CONTEXT: [&str; 2] = ["期别", "统计截止日期"];

/// `明细_<period>.csv`: 明细's columns and rows, each row led by the period
/// (`2018年7月`, which no spreadsheet takes for a date) and the as-of date;
/// dates as `2018-07-31`, which every spreadsheet does.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_detail_csv(report: &Report, out: impl std::io::Write) -> std::io::Result<()> {
    let header = DETAIL_CSV_CONTEXT
        .iter()
        .copied()
        .chain(DETAIL_COLUMNS.iter().map(|c| c.title));
    let mut csv = crate::look::csv::CsvWriter::new(out, header)?;
    let period = report.letterhead.month.chinese();
    let as_of = crate::period::iso_date(report.result.as_of);
    for row in detail_rows(report) {
        let cells = row.iter().map(Cell::plain);
        let context = [period.as_str(), as_of.as_str()].map(std::borrow::Cow::Borrowed);
        csv.row(context.into_iter().chain(cells))?;
    }
    csv.finish()?;
    Ok(())
}

/// 明细's rows made and measured at a time, while the ones before are written.
const DETAIL_BATCH: usize = 1024;

/// 明细: one row per expected (unit, task) and per extra reported row.
///
/// The biggest sheet by far, and one thread must write it: the rows are laid
/// out from a first pass over them, measured on every core; then each batch of
/// rows is made and measured on one core while the batch before it is written
/// on the other. The bytes do not depend on how many cores there are.
pub fn detail(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    // Rows are made a batch at a time; in low-memory mode (see `report::SHEETS`)
    // each goes to a temporary file as it is written, instead of staying in memory.
    sheet.set_name("明细")?;
    let entries = &report.result.entries;
    let count = entries.len();
    let tasks = &TaskCells::new(report);
    let rows = |range: std::ops::Range<usize>, screen: bool| {
        entries[range]
            .iter()
            .map(move |e| detail_row(report, tasks, e, screen))
    };
    // Only what prints has a say in the layout.
    let layout = Layout::fit_parts(&DETAIL_COLUMNS, count, |range| rows(range, false));
    // The header stays in row 1, for filters and other programs; the title is in
    // every page's header.
    let mut table = Table::begin(sheet, 0, &layout)?;
    let mut heights = layout.heights();
    let mut prepare = |range: std::ops::Range<usize>| -> Vec<(Vec<Cell>, Option<f64>)> {
        rows(range, true)
            .map(|row| {
                let height = heights.of(&row);
                (row, height)
            })
            .collect()
    };
    let mut ready = prepare(0..DETAIL_BATCH.min(count));
    let mut next = ready.len();
    while !ready.is_empty() {
        let batch = next..(next + DETAIL_BATCH).min(count);
        next = batch.end;
        let (made, written) = rayon::join(
            || prepare(batch),
            || {
                ready
                    .into_iter()
                    .try_for_each(|(row, height)| table.row(sheet, row, height))
            },
        );
        written?;
        ready = made;
    }
    let next = table.finish(sheet, Some(&report.page("明细")))?;
    // Paper gets the key columns; the rest stays on screen.
    sheet.set_print_area(0, 0, next.saturating_sub(1), DETAIL_PRINTED - 1)?;
    Ok(())
}

/// 数据问题: every problem, where it is (in words) and what was done; problems
/// about the whole run first, then units in roster order.
pub fn problems(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let columns = [
        fit("级别", Kind::Center),
        fit("单位", Kind::Wrap),
        fit("文件", Kind::Wrap),
        fit("位置", Kind::Wrap),
        fit("序号", Kind::Center),
        share("问题", Kind::Wrap),
        share("处理", Kind::Wrap),
    ];
    let mut problems: Vec<&crate::problem::Problem> = report.result.problems.iter().collect();
    // Stable: within a unit, the order intake and the check found them in.
    problems.sort_by_key(|p| match p.unit.as_deref() {
        None => (0, 0),
        Some(name) => (1, report.roster.position(name)),
    });
    let rows: Vec<Vec<Cell>> = problems
        .into_iter()
        .map(|p| {
            vec![
                p.severity.label().into(),
                p.unit.as_deref().unwrap_or("").into(),
                p.file.as_str().into(),
                p.where_in_words().into(),
                p.task.into(),
                p.what.as_str().into(),
                p.action.as_str().into(),
            ]
        })
        .collect();
    add_list(sheet, report, "数据问题", &columns, rows)
}

/// 来源文件: every file of the input folder, so a printed copy can be traced;
/// units in roster order. Size and SHA-256 stay on screen.
pub fn sources(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let columns = [
        share("文件名", Kind::Wrap),
        fit("单位", Kind::Wrap),
        fit("填报日期", Kind::Date),
        fit("读取行数", Kind::Center),
        fit("迟报", Kind::Center),
        share("处理结果", Kind::Wrap),
        screen("大小（字节）", 5, Kind::Center),
        // Two lines of 32 hex digits: a Latin digit is wider than half a CJK
        // character in the fonts offices print with, so 16 would need three.
        screen("SHA-256", 22, Kind::Wrap),
    ];
    // A zip stays with its members, listed first, in the place of its first unit.
    let group = |f: &SourceFile| f.archive.as_deref().unwrap_or(&f.name).to_string();
    let mut groups: HashMap<String, (usize, usize)> = HashMap::new();
    for (i, f) in report.intake.files.iter().enumerate() {
        let unit = f.unit.unwrap_or(usize::MAX);
        let slot = groups.entry(group(f)).or_insert((unit, i));
        slot.0 = slot.0.min(unit);
    }
    let mut files: Vec<&SourceFile> = report.intake.files.iter().collect();
    files.sort_by_cached_key(|f| (groups[&group(f)], f.archive.is_some()));
    let rows: Vec<Vec<Cell>> = files
        .into_iter()
        .map(|f| {
            let unit = match (f.unit, &f.unknown_unit) {
                _ if f.is_form_export() => Cell::Text(form_units(f, report)),
                (Some(u), _) => Cell::from(report.roster.units[u].name.as_str()),
                (None, Some(text)) => Cell::Text(format!("（未识别）{text}")),
                _ => Cell::Empty,
            };
            let outcome = match &f.status {
                FileStatus::Read if f.is_form_export() => {
                    let superseded = f.returns.iter().filter(|r| !r.counts()).count();
                    let mut text = format!("已读取：在线表单导出，含 {} 份提交", f.returns.len());
                    if superseded > 0 {
                        text.push_str(&format!(
                            "，其中 {superseded} 份被同单位更晚的报表或提交取代，未计入"
                        ));
                    }
                    text
                }
                FileStatus::Read => "已读取".to_string(),
                FileStatus::Skipped(why) => format!("已跳过：{why}"),
                FileStatus::Superseded { by } => format!("已被“{by}”取代，未计入"),
                FileStatus::Unreadable(why) => format!("无法读取：{why}"),
            };
            vec![
                f.name.as_str().into(),
                unit,
                f.fill_date().into(),
                (!f.returns.is_empty()).then(|| f.row_count()).into(),
                if report.is_late(f.fill_date()) {
                    "迟报"
                } else {
                    ""
                }
                .into(),
                outcome.into(),
                Cell::Int(f.size as i64),
                f.sha256.as_str().into(),
            ]
        })
        .collect();
    sheet.set_name("来源文件")?;
    let page = report.page("来源文件");
    let next = write_titled(sheet, &page, &Layout::fit(&columns, &rows), rows)?;
    sheet.set_print_area(0, 0, next.saturating_sub(1), 5)?;
    Ok(())
}

/// The units an online-form export holds, in the order met: `在线表单：海口市、三亚市`.
fn form_units(file: &SourceFile, report: &Report) -> String {
    let mut names: Vec<String> = Vec::new();
    for read in &file.returns {
        let name = match (read.unit, &read.unknown_unit) {
            (Some(u), _) => report.roster.units[u].name.clone(),
            (None, Some(text)) => format!("（未识别）{text}"),
            (None, None) => continue,
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    format!("在线表单：{}", names.join("、"))
}

/// 任务清单: the catalogue as parsed.
pub fn tasks(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let columns = [
        fit("序号", Kind::Center),
        share("主要任务", Kind::Wrap),
        share("牵头单位", Kind::Wrap),
        share("配合单位", Kind::Wrap),
        fit("完成时限", Kind::Center),
        fit("截止日期", Kind::Date),
    ];
    let rows: Vec<Vec<Cell>> = report
        .catalogue
        .tasks
        .iter()
        .map(|t| {
            vec![
                t.number.into(),
                t.text.as_str().into(),
                t.lead.join("、").into(),
                t.cooperating.join("、").into(),
                t.deadline_text.as_str().into(),
                t.deadline.into(),
            ]
        })
        .collect();
    add_list(sheet, report, "任务清单", &columns, rows)
}
