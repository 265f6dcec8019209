//! The consolidated workbook: one file per sheet, every look in [`style`].
//!
//! [`layout`] lays a [`Consolidation`] out as sheets; [`crate::save`] writes them.
//! What the verdicts are is [`crate::check`]'s job, what changed since the last
//! period [`crate::monthly`]'s.

mod lists;
mod matrix;
pub mod monthly;
mod overview;
pub mod style;
pub mod table;

use rust_xlsxwriter::{DocProperties, Workbook, Worksheet, XlsxError};

use crate::catalogue::Catalogue;
use crate::check::{Consolidation, UnitRef};
use crate::intake::Intake;
use crate::monthly::Monthly;
use crate::roster::Roster;
use chrono::NaiveDate;

/// What a report is made from.
pub struct Report<'a> {
    pub catalogue: &'a Catalogue,
    pub roster: &'a Roster,
    pub intake: &'a Intake,
    pub result: &'a Consolidation,
    pub monthly: &'a Monthly,
    /// Returns filed after this day are 迟报.
    pub due: Option<NaiveDate>,
}

impl Report<'_> {
    pub fn unit_name(&self, unit: &UnitRef) -> String {
        match unit {
            UnitRef::Known(u) => self.roster.units[*u].name.clone(),
            UnitRef::Unknown(text) => format!("（未识别）{text}"),
        }
    }

    /// Whether a return filed on `filed` is late (迟报).
    pub fn is_late(&self, filed: Option<NaiveDate>) -> bool {
        matches!((filed, self.due), (Some(f), Some(d)) if f > d)
    }

    pub fn plan_name(&self) -> &str {
        self.catalogue.plan_name.as_deref().unwrap_or("任务")
    }
}

/// Writes one sheet of the workbook from the report.
type SheetWriter = fn(&mut Worksheet, &Report) -> Result<(), XlsxError>;

/// The sheets in workbook order, and whether each is written in rust_xlsxwriter's
/// low-memory mode (rows go to a temporary file as they are written).
const SHEETS: [(SheetWriter, bool); 11] = [
    (overview::write, false),
    (matrix::write, false),
    // One row per change: at national scale, with a previous period, tens of thousands.
    (monthly::changes, true),
    (monthly::trend, false),
    (lists::overdue, false),
    (lists::missing, false),
    (monthly::chase, false),
    // The biggest sheet by far: one row per unit and task.
    (lists::detail, true),
    (lists::problems, false),
    (lists::sources, false),
    (lists::tasks, false),
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
    for (_, low_memory) in SHEETS {
        if low_memory {
            workbook.add_worksheet_with_low_memory()?;
        } else {
            workbook.add_worksheet();
        }
    }
    let mut low_memory = Vec::new();
    let mut standard = Vec::new();
    for (sheet, (write, low)) in workbook.worksheets_mut().iter_mut().zip(SHEETS) {
        if low {
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
