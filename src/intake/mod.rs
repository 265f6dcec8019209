//! Intake: a folder of returns → what each unit reported, plus every problem met.
//!
//! [`Reader::scan`] lists the folder ([`folder`]) and reads each file ([`file`]);
//! a zip's members are read as if they lay in the folder ([`archive`]). Of a
//! workbook, [`sheets`] finds the return's sheet (the period's month when it keeps
//! one sheet per month), [`rows`] reads its rows ([`values`] their status and date
//! cells), [`subrows`] joins a task split over sub-rows, [`forms`] splits an
//! online-form export by sender, and [`unit`] gives each return its unit. When
//! several returns name one unit, [`supersede`] lets the period's and latest win.
//! Judging the rows is [`crate::check`]'s job.

pub mod archive;
mod file;
pub mod folder;
mod forms;
pub mod rows;
mod sheets;
pub mod subrows;
mod supersede;
mod unit;
pub mod values;

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

use crate::catalogue::Catalogue;
use crate::period::{Month, MonthName};
use crate::problem::Problem;
use crate::roster::Roster;
use crate::table::workbook::{Limits, OpenError};
pub use folder::list_folder;
pub use rows::{FormKey, ReturnMeta, ReturnRow, SheetRead};
pub use sheets::read_return;

/// The month the returns are for, and the as-of date they are read against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPeriod {
    pub as_of: NaiveDate,
    pub month: Month,
}

impl ReportPeriod {
    /// The period of the month holding `as_of`.
    pub fn of(as_of: NaiveDate) -> Self {
        Self {
            as_of,
            month: Month::of(as_of),
        }
    }

    /// Whether a month a return names is this period's: the same month, and the
    /// same year when one is written.
    pub fn is_named_by(&self, (year, month): MonthName) -> bool {
        month == self.month.month && year.is_none_or(|y| y == self.month.year)
    }
}

/// The months a return names, where it names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NamedMonths {
    /// Its title (the text above the header).
    pub title: Option<MonthName>,
    /// Its file name (a zip member's own name, else its folder or the zip's).
    pub file: Option<MonthName>,
    /// Its sheet's name, when the workbook keeps one sheet per month.
    pub sheet: Option<MonthName>,
}

impl NamedMonths {
    /// The first place naming a month other than the period's, and that month.
    pub fn other_than(&self, period: ReportPeriod) -> Option<(MonthPlace, MonthName)> {
        [
            (MonthPlace::Title, self.title),
            (MonthPlace::FileName, self.file),
            (MonthPlace::Sheet, self.sheet),
        ]
        .into_iter()
        .find_map(|(place, month)| {
            month
                .filter(|m| !period.is_named_by(*m))
                .map(|m| (place, m))
        })
    }
}

/// Where a return names a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthPlace {
    Title,
    FileName,
    Sheet,
}

/// A return read: a whole file's data sheet, or one unit's submission in an
/// online-form export.
#[derive(Debug, Clone)]
pub struct ReadReturn {
    pub sheet: String,
    /// The first row below the header, 0-based: where data rows begin.
    pub data_start: u32,
    pub meta: ReturnMeta,
    /// Its rows, sub-rows of one task joined; the check takes them.
    pub rows: Vec<ReturnRow>,
    /// How many task rows were read, sub-rows each counted (kept once the check
    /// has taken `rows`).
    pub row_count: usize,
    /// Problems met while reading (rows not understood, dates unreadable, …).
    pub problems: Vec<Problem>,
    /// The roster unit this return was taken for, if any.
    pub unit: Option<usize>,
    /// The unit text found but not in the roster, if any.
    pub unknown_unit: Option<String>,
    /// When it was filed: an online form's submit time, else its 填报日期 at midnight.
    pub filed: Option<NaiveDateTime>,
    /// The months its title, file name and sheet name name.
    pub months: NamedMonths,
    /// The file whose return won over this one, when another return of the unit did.
    pub superseded_by: Option<String>,
    /// Whether it is one unit's rows of an online-form export.
    pub from_form: bool,
}

impl ReadReturn {
    /// Whether this return speaks for its unit (no other return of the unit won).
    pub fn counts(&self) -> bool {
        self.superseded_by.is_none()
    }
}

/// What happened to one file of the input folder (or one member of a zip).
#[derive(Debug, Clone, PartialEq)]
pub enum FileStatus {
    /// Read; its rows are in the consolidation. A zip of returns is read too: its
    /// members follow it in the list, each with its own status.
    Read,
    /// Not a spreadsheet by its name (a .docx, a .pdf…): listed, not opened.
    Skipped(String),
    /// Read, but other files won for every unit it holds.
    Superseded { by: String },
    /// Could not be read as a return; the reason says what to do.
    Unreadable(OpenError),
}

/// One file of the input folder, or one member of a zip there, as listed in 来源文件.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The file's name; for a zip's member, the zip's name and the member's path
    /// (`压缩包.zip › 海口市.xlsx`), as every problem and 来源 names it.
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// The roster unit this file was taken for: its return's unit, or for a file that
    /// could not be read, the unit its name names. `None` for an online-form export.
    pub unit: Option<usize>,
    /// The unit text found but not in the roster, if any.
    pub unknown_unit: Option<String>,
    pub status: FileStatus,
    /// The returns read from it: one, or one per unit and submission of an online-form
    /// export; none for skipped and unreadable files, and for a zip itself.
    pub returns: Vec<ReadReturn>,
    /// For a zip's member: the zip's name in the folder.
    pub archive: Option<String>,
}

impl SourceFile {
    /// The latest 填报日期 of the file's returns.
    pub fn fill_date(&self) -> Option<NaiveDate> {
        self.returns.iter().filter_map(|r| r.meta.fill_date).max()
    }

    /// How many task rows were read from the file.
    pub fn row_count(&self) -> usize {
        self.returns.iter().map(|r| r.row_count).sum()
    }

    /// Whether the file is an online-form export, holding returns by unit.
    pub fn is_form_export(&self) -> bool {
        self.returns.iter().any(|r| r.from_form)
    }

    /// The name of the file as it lies in the folder: the zip's, for a member.
    pub fn folder_name(&self) -> &str {
        self.archive.as_deref().unwrap_or(&self.name)
    }
}

/// Everything read from one input folder.
#[derive(Debug, Default)]
pub struct Intake {
    /// Every file of the folder, by name; a zip's members right after the zip.
    pub files: Vec<SourceFile>,
    /// File-level problems (unreadable, unknown unit, superseded…).
    pub problems: Vec<Problem>,
}

/// Where a return sits: (file, return) indices into [`Intake::files`] and its `returns`.
pub type ReturnAt = (usize, usize);

impl Intake {
    /// Every return with where it sits.
    pub fn returns(&self) -> impl Iterator<Item = (ReturnAt, &SourceFile, &ReadReturn)> {
        self.files.iter().enumerate().flat_map(|(f, file)| {
            file.returns
                .iter()
                .enumerate()
                .map(move |(r, read)| ((f, r), file, read))
        })
    }

    /// The winning return of each roster unit.
    pub fn returns_by_unit(&self, units: usize) -> Vec<Option<ReturnAt>> {
        let mut by_unit = vec![None; units];
        for (at, _, read) in self.returns() {
            if let (true, Some(u)) = (read.counts(), read.unit) {
                by_unit[u] = Some(at);
            }
        }
        by_unit
    }

    /// The files as they lie in the folder: a zip, not its members.
    pub fn folder_files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().filter(|f| f.archive.is_none())
    }
}

/// Told of intake's progress, so a terminal can show a bar; intake itself prints nothing.
pub trait Progress: Sync {
    fn start(&self, _files: usize) {}
    fn file_done(&self, _name: &str) {}
    fn finish(&self) {}
}

/// No progress shown.
pub struct Quiet;

impl Progress for Quiet {}

/// What reading a period's returns needs: the plan's tasks, who reports on them,
/// and what one file may cost. Made once from the settings and handed down.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    pub catalogue: &'a Catalogue,
    pub roster: &'a Roster,
    pub limits: Limits,
}

impl Reader<'_> {
    /// Reads every file of a folder (not its subfolders) in name order.
    ///
    /// # Errors
    /// Only when the folder itself cannot be listed; a bad file is a problem, not an error.
    pub fn scan(
        &self,
        dir: &Path,
        period: ReportPeriod,
        progress: &dyn Progress,
    ) -> std::io::Result<Intake> {
        let paths = list_folder(dir)?;
        Ok(self.read_files(&paths, period, progress))
    }

    /// Reads the given files as one period's returns (what `check` does with one file).
    pub fn read_files(
        &self,
        paths: &[PathBuf],
        period: ReportPeriod,
        progress: &dyn Progress,
    ) -> Intake {
        use rayon::prelude::*;
        progress.start(paths.len());
        // Files are read in parallel; collect keeps the name order, so the output does
        // not depend on which thread finished first.
        let read: Vec<(Vec<SourceFile>, Vec<Problem>)> = paths
            .par_iter()
            .map(|path| {
                let read = file::read_path(self, path, period);
                if let Some(first) = read.0.first() {
                    progress.file_done(&first.name);
                }
                read
            })
            .collect();
        let mut intake = Intake::default();
        for (files, problems) in read {
            intake.files.extend(files);
            intake.problems.extend(problems);
        }
        supersede::resolve(&mut intake, self.roster, period);
        supersede::flag_unread_files(&mut intake, self.roster);
        progress.finish();
        intake
    }
}
