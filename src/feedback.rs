//! 督办单: one small workbook per unit, what the province sends back to each
//! county: its overdue, missing, 临期 and problem items, each with what to do,
//! printable on one or two A4 pages.

use std::collections::HashMap;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, Workbook};

use crate::check::{Entry, UnitRef, Verdict};
use crate::problem::Problem;
use crate::report::Report;
use crate::report::style;
use crate::report::table::{Cell, Kind, col, write_table, write_title};
use crate::save::Staged;

/// Stages `dir/<unit>.xlsx` for every unit expected on a task, to be put in place
/// with the run's other outputs.
///
/// # Errors
/// When the folder or a file cannot be written.
pub fn stage_all(report: &Report, dir: &Path) -> std::io::Result<Vec<Staged>> {
    // Entries and problems grouped by unit once, not scanned again for every unit.
    let mut entries: Vec<Vec<&Entry>> = vec![Vec::new(); report.roster.units.len()];
    for e in report.result.entries.iter().filter(|e| e.counts()) {
        if let UnitRef::Known(u) = e.unit {
            entries[u].push(e);
        }
    }
    let mut problems: HashMap<&str, Vec<&Problem>> = HashMap::new();
    for p in &report.result.problems {
        if let Some(unit) = &p.unit {
            problems.entry(unit.as_str()).or_default().push(p);
        }
    }
    // One file per unit, each on its own: they are made on both cores.
    use rayon::prelude::*;
    let units: Vec<usize> = (0..report.roster.units.len())
        .filter(|&u| !report.result.expected[u].is_empty())
        .collect();
    units
        .par_iter()
        .map(|&u| {
            let unit = &report.roster.units[u];
            let own = problems
                .get(unit.name.as_str())
                .map_or(&[][..], Vec::as_slice);
            let bytes = build(report, u, &entries[u], own)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            Staged::bytes(&dir.join(format!("{}.xlsx", unit.name)), &bytes)
        })
        .collect()
}

/// Why an item is on a 督办单, in the order a county should act on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Category {
    OverdueUnfinished,
    NotSubmitted,
    Omitted,
    ToVerify,
    DueSoon,
}

impl Category {
    /// The category an entry falls in, if it needs the county's action.
    fn of(entry: &Entry) -> Option<Self> {
        Some(match entry.verdict {
            Verdict::OverdueUnfinished => Self::OverdueUnfinished,
            Verdict::NotSubmitted => Self::NotSubmitted,
            Verdict::Omitted => Self::Omitted,
            Verdict::ToVerify => Self::ToVerify,
            _ if entry.due_soon => Self::DueSoon,
            _ => return None,
        })
    }

    fn label(self) -> &'static str {
        match self {
            Self::OverdueUnfinished => "逾期未完成",
            Self::NotSubmitted => "未报送",
            Self::Omitted => "漏报",
            Self::ToVerify => "待核实",
            Self::DueSoon => "临期",
        }
    }

    /// What the county is asked to do about an entry of this category.
    fn what_to_do(self, entry: &Entry, report: &Report) -> String {
        let deadline = report.catalogue.get(entry.task).map(|t| t.deadline);
        match self {
            Self::OverdueUnfinished => format!(
                "已逾期 {} 天：请加快推进，书面说明原因并明确完成时间",
                entry.days_overdue.unwrap_or(0)
            ),
            Self::NotSubmitted => "本期未收到报表：请按模板填报后尽快报送".to_string(),
            Self::Omitted => "报表中缺少该任务或未填完成状态：请补报".to_string(),
            Self::ToVerify => "完成状态或完成时间有误：请核实后更正".to_string(),
            Self::DueSoon => match deadline {
                Some(d) => format!("将于 {} 到期：请确保按期完成", d.format("%Y-%m-%d")),
                None => "即将到期：请确保按期完成".to_string(),
            },
        }
    }
}

/// The items of a 督办单: (category, entry), in the order a county should act.
fn items<'a>(entries: &[&'a Entry]) -> Vec<(Category, &'a Entry)> {
    let mut items: Vec<(Category, &Entry)> = entries
        .iter()
        .filter_map(|e| Category::of(e).map(|c| (c, *e)))
        .collect();
    items.sort_by_key(|(c, e)| (*c, e.task));
    items
}

fn build(
    report: &Report,
    u: usize,
    entries: &[&Entry],
    problems: &[&Problem],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let unit = &report.roster.units[u].name;
    let as_of = report.result.as_of;
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("{unit}督办单"))
            .set_creation_datetime(&as_of),
    );
    let sheet = workbook.add_worksheet().set_name("督办单")?;
    let columns = [
        col("类别", 4, Kind::Center),
        col("序号", 2, Kind::Center),
        col("主要任务", 16, Kind::Wrap),
        col("完成时限", 5, Kind::Date),
        col("本期判定", 4, Kind::Center),
        col("请办理", 24, Kind::Wrap),
    ];
    write_title(
        sheet,
        &format!("《{}》任务督办单", report.plan_name()),
        columns.len() as u16,
        &style::title(),
    )?;
    let items = items(entries);
    let count = |c: Category| items.iter().filter(|(k, _)| *k == c).count();
    let summary = format!(
        "致：{unit}　　统计截止：{}　　逾期未完成 {} 项，缺报 {} 项，临期 {} 项，待核实 {} 项，数据问题 {} 条。",
        as_of.format("%Y年%-m月%-d日"),
        count(Category::OverdueUnfinished),
        count(Category::NotSubmitted) + count(Category::Omitted),
        count(Category::DueSoon),
        count(Category::ToVerify),
        problems.len(),
    );
    sheet.merge_range(
        1,
        0,
        1,
        columns.len() as u16 - 1,
        &summary,
        &style::subtitle().set_text_wrap(),
    )?;
    sheet.set_row_height(1, 30)?;
    let mut rows: Vec<Vec<Cell>> = items
        .iter()
        .map(|(category, e)| {
            vec![
                category.label().into(),
                e.task.into(),
                report.catalogue.get(e.task).map(|t| t.short_text()).into(),
                report.catalogue.get(e.task).map(|t| t.deadline).into(),
                Cell::Verdict(e.verdict),
                category.what_to_do(e, report).into(),
            ]
        })
        .collect();
    for p in problems {
        let place = [p.file.clone(), p.place()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        rows.push(vec![
            "数据问题".into(),
            p.task.into(),
            Cell::Text(format!("{place}：{}", p.what)),
            Cell::Empty,
            Cell::Empty,
            p.action.as_str().into(),
        ]);
    }
    if rows.is_empty() {
        rows.push(vec![
            "—".into(),
            Cell::Empty,
            "本期无待办事项".into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    write_table(sheet, 3, &columns, rows)?;
    workbook.save_to_buffer()
}
