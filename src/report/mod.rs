//! The consolidated workbook: one file per sheet, every look in [`crate::look`].
//!
//! [`layout`] lays a [`Consolidation`] out as sheets; [`crate::save`] writes them.
//! What the verdicts are is [`crate::check`]'s job, what changed since the last
//! period [`crate::monthly`]'s.

pub mod chase;
mod lists;
mod matrix;
pub mod monthly;
mod notes;
mod overview;

use rust_xlsxwriter::{DocProperties, Workbook, Worksheet, XlsxError};

use crate::catalogue::Catalogue;
use crate::check::{Consolidation, UnitRef};
use crate::intake::Intake;
use crate::look::style;
use crate::monthly::Monthly;
use crate::period::Month;
use crate::roster::Roster;
use chrono::NaiveDate;

/// What every document says of itself: whose, which plan, which period.
#[derive(Debug, Clone)]
pub struct Letterhead {
    /// The issuing office, on every page and under every 督办单.
    pub office: String,
    /// The plan's name, as titles write it inside 《》.
    pub plan: String,
    pub month: Month,
    /// 督办单: the day they are issued (成文日期), not the as-of date.
    pub issued: NaiveDate,
    /// 督办单: the day to answer by.
    pub reply_by: NaiveDate,
    /// 督办单: whom to call.
    pub contact: Option<String>,
}

/// The file name of the workbook of `month`, as `run` and the server give it.
pub fn workbook_name(month: Month) -> String {
    format!("大班额任务进展汇总_{month}.xlsx")
}

impl Letterhead {
    /// A sheet's title: `《规划》逾期事项 · 2018年7月`.
    pub fn title(&self, what: &str) -> String {
        format!("《{}》{what} · {}", self.plan, self.month.chinese())
    }
}

/// What a report is made from.
pub struct Report<'a> {
    pub catalogue: &'a Catalogue,
    pub roster: &'a Roster,
    pub intake: &'a Intake,
    pub result: &'a Consolidation,
    pub monthly: &'a Monthly,
    /// Returns filed after this day are 迟报.
    pub due: Option<NaiveDate>,
    pub letterhead: &'a Letterhead,
}

impl Report<'_> {
    pub fn unit_name(&self, unit: &UnitRef) -> String {
        match unit {
            UnitRef::Known(u) => self.roster.units[*u].name.clone(),
            UnitRef::Unknown(text) => format!("（未识别）{text}"),
        }
    }

    /// A unit's 填报人 and 联系电话: from this period's return, else from the latest
    /// earlier period that gave them. Every list and 督办单 takes them from here.
    pub fn contact(&self, unit: usize) -> (String, String) {
        let name = &self.roster.units[unit].name;
        self.result.meta[unit]
            .as_ref()
            .map(|m| {
                (
                    m.filler.clone().unwrap_or_default(),
                    m.phone.clone().unwrap_or_default(),
                )
            })
            .filter(|(f, p)| !f.is_empty() || !p.is_empty())
            .or_else(|| {
                self.monthly
                    .earlier
                    .iter()
                    .rev()
                    .find_map(|p| p.contacts.get(name).cloned())
            })
            .unwrap_or_default()
    }

    /// Whether a return filed on `filed` is late (迟报).
    pub fn is_late(&self, filed: Option<NaiveDate>) -> bool {
        matches!((filed, self.due), (Some(f), Some(d)) if f > d)
    }

    pub fn plan_name(&self) -> &str {
        &self.letterhead.plan
    }

    /// What every printed page of a sheet says at its top: the sheet's title, the
    /// as-of date and the issuing office.
    pub fn page(&self, what: &str) -> style::Page {
        style::Page {
            title: self.letterhead.title(what),
            as_of: style::chinese_date(self.result.as_of),
            office: self.letterhead.office.clone(),
        }
    }
}

pub use lists::{DETAIL_COLUMNS, DETAIL_CSV_CONTEXT, write_detail_csv};

/// Writes one sheet of the workbook from the report.
type SheetWriter = fn(&mut Worksheet, &Report) -> Result<(), XlsxError>;

/// How a sheet is held while it is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    /// In memory, with its own string table until the workbook is saved.
    Kept,
    /// rust_xlsxwriter's low-memory mode: rows go to a temporary file as they are written.
    Streamed,
    /// A chart sheet: one chart, printed as one page.
    Chart,
}

/// The sheets in workbook order, and how each is held.
const SHEETS: [(SheetWriter, Held); 14] = [
    (overview::write, Held::Kept),
    // 说明 follows 总览: what the figures mean, before the figures.
    (notes::write, Held::Kept),
    (overview::chart, Held::Chart),
    (matrix::write, Held::Kept),
    // One row per change: at national scale, with a previous period, tens of thousands.
    (monthly::changes, Held::Streamed),
    (monthly::trend, Held::Kept),
    (monthly::trend_chart, Held::Chart),
    (lists::overdue, Held::Kept),
    (lists::missing, Held::Kept),
    (chase::sheet, Held::Kept),
    // The biggest sheet by far: one row per unit and task.
    (lists::detail, Held::Streamed),
    (lists::problems, Held::Kept),
    (lists::sources, Held::Kept),
    (lists::tasks, Held::Kept),
];

/// Lays the sheets out. The document's dates are the as-of date, so the same
/// inputs give the same bytes.
///
/// The sheets are written in parallel, and that cannot change the bytes. The
/// low-memory sheets (本月变化, 明细) draw on the workbook's shared string and
/// format tables as they are written, so they are written one after the other,
/// in sheet order, on one thread. The other sheets keep their own tables until
/// save merges them in sheet order; they are written on the other core meanwhile.
///
/// # Errors
/// Only on rust_xlsxwriter's own checks, which the layout code keeps within.
pub fn layout(report: &Report) -> Result<Workbook, XlsxError> {
    use rayon::prelude::*;
    let mut workbook = Workbook::new();
    let as_of = report.result.as_of;
    let properties = DocProperties::new()
        .set_title(format!("{}进展汇总", report.plan_name()))
        .set_author("county-returns")
        .set_creation_datetime(&as_of);
    workbook.set_properties(&properties);
    // Deflate level 3, as Excel itself saves: a sixth of the run's time went into
    // level 6 at national scale, for a file a quarter smaller.
    workbook.set_zip_compression_level(3);
    for (_, held) in SHEETS {
        match held {
            Held::Streamed => {
                workbook.add_worksheet_with_low_memory()?;
            }
            Held::Kept => {
                workbook.add_worksheet();
            }
            Held::Chart => {
                workbook.add_chartsheet();
            }
        }
    }
    let mut low_memory = Vec::new();
    let mut standard = Vec::new();
    for (sheet, (write, held)) in workbook.worksheets_mut().iter_mut().zip(SHEETS) {
        if held == Held::Streamed {
            low_memory.push((sheet, write));
        } else {
            standard.push((sheet, write));
        }
    }
    let (streamed, kept) = rayon::join(
        || {
            low_memory
                .into_iter()
                .try_for_each(|(sheet, write)| write(sheet, report))
        },
        || {
            standard
                .into_par_iter()
                .try_for_each(|(sheet, write)| write(sheet, report))
        },
    );
    streamed?;
    kept?;
    Ok(workbook)
}
