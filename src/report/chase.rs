//! 催报名单: the units to chase (未报送 or 漏报), with whom to call. One typed
//! row per unit, [`ChaseRow`], is made once from the report and rendered three
//! ways: the workbook's sheet, the CSV beside it (and the upload server's
//! `/chase.csv`), and the server's JSON.

use rust_xlsxwriter::{Worksheet, XlsxError};
use serde::Serialize;

use super::Report;
use crate::check::{UnitRef, Verdict};
use crate::look::table::{Cell, Column, Kind, fit, share, write_list};

/// Why a unit is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Situation {
    /// Sent nothing readable this period.
    #[serde(rename = "未报送")]
    NotSubmitted,
    /// Sent a return that leaves tasks out.
    #[serde(rename = "漏报")]
    Omitted,
}

impl Situation {
    pub fn label(self) -> &'static str {
        match self {
            Self::NotSubmitted => "未报送",
            Self::Omitted => "漏报",
        }
    }
}

impl std::fmt::Display for Situation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// One unit to chase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChaseRow {
    pub unit: String,
    pub situation: Situation,
    /// How many expected tasks are missing.
    pub missing: usize,
    /// The missing tasks' numbers.
    pub tasks: Vec<u32>,
    /// What is missing, in words: `漏报任务 2 项（序号 2、3）`.
    pub what: String,
    /// The 填报人 of its latest return that gave one.
    pub filler: String,
    pub phone: String,
}

/// The list's columns, as the sheet and the CSV head them.
const COLUMNS: [Column; 6] = [
    fit("单位", Kind::Text),
    fit("情况", Kind::Center),
    fit("缺报项数", Kind::Center),
    share("缺报内容", Kind::Wrap),
    fit("填报人", Kind::Center),
    fit("联系电话", Kind::Center),
];

impl ChaseRow {
    /// The row as the sheet holds it.
    fn cells(&self) -> Vec<Cell> {
        vec![
            self.unit.as_str().into(),
            self.situation.label().into(),
            self.missing.into(),
            self.what.as_str().into(),
            self.filler.as_str().into(),
            self.phone.as_str().into(),
        ]
    }

    /// The row as the CSV holds it.
    fn texts(&self) -> [String; 6] {
        [
            self.unit.clone(),
            self.situation.label().to_string(),
            self.missing.to_string(),
            self.what.clone(),
            self.filler.clone(),
            self.phone.clone(),
        ]
    }
}

/// The units to chase, in roster order, with the latest contact known.
pub fn rows(report: &Report) -> Vec<ChaseRow> {
    // One pass over the entries, grouped by unit: no scan of all entries per unit.
    let mut missing_by_unit: Vec<Vec<(u32, Verdict)>> = vec![Vec::new(); report.roster.units.len()];
    for e in report
        .result
        .entries
        .iter()
        .filter(|e| e.counts() && e.verdict.is_missing())
    {
        if let UnitRef::Known(u) = e.unit {
            missing_by_unit[u].push((e.task, e.verdict));
        }
    }
    let mut rows = Vec::new();
    for (u, missing) in missing_by_unit.iter().enumerate() {
        if missing.is_empty() {
            continue;
        }
        let silent = missing.iter().all(|(_, v)| *v == Verdict::NotSubmitted);
        let (filler, phone) = report.contact(u);
        let tasks: Vec<u32> = missing.iter().map(|(t, _)| *t).collect();
        let what = if silent {
            "未报送本期报表".to_string()
        } else {
            let numbers: Vec<String> = tasks.iter().map(u32::to_string).collect();
            format!("漏报任务 {} 项（序号 {}）", tasks.len(), numbers.join("、"))
        };
        rows.push(ChaseRow {
            unit: report.roster.units[u].name.clone(),
            situation: if silent {
                Situation::NotSubmitted
            } else {
                Situation::Omitted
            },
            missing: tasks.len(),
            tasks,
            what,
            filler,
            phone,
        });
    }
    rows
}

/// `催报名单_2018-07.csv`: the CSV's name, beside the workbook and in the papers.
pub fn file_name(month: crate::period::Month) -> String {
    format!("催报名单_{month}.csv")
}

/// 催报名单 as CSV for a mail merge: `run` writes it beside the workbook, `serve`
/// offers it; the same bytes for the same rows.
pub fn csv(rows: &[ChaseRow]) -> Vec<u8> {
    let header = COLUMNS.map(|c| c.title);
    crate::look::csv::to_bytes(&header, rows.iter().map(ChaseRow::texts))
}

/// 催报名单: the sheet a supervisor phones through.
pub fn sheet(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    sheet.set_name("催报名单")?;
    let rows = rows(report).iter().map(ChaseRow::cells).collect::<Vec<_>>();
    write_list(sheet, &report.page("催报名单"), &COLUMNS, rows)?;
    Ok(())
}
