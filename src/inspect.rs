//! One return, checked for the county that is about to send it: the same intake
//! and checks as a run, plus what only a county can still fix (tasks left out, a
//! late or blank 填报日期, no one to call back). `check` prints it; a collection
//! page can show it. A zip is checked member by member, as a run reads it.

use std::path::Path;

use chrono::NaiveDate;
use rust_xlsxwriter::XlsxError;

use crate::check::{Consolidation, Entry, UnitRef, Verdict, consolidate};
use crate::intake::archive::Archive;
use crate::intake::{FileStatus, Intake, Quiet, ReadReturn, Reader, ReportPeriod, SourceFile};
use crate::problem::{Problem, Severity};
use crate::table::format::{Limits, OpenError};

/// `check` flags 临期 as `run` does by default.
pub const DUE_SOON_DAYS: u32 = 30;

/// What the tool understood of one file, and everything the county should fix.
pub struct Inspection {
    pub intake: Intake,
    pub result: Consolidation,
    /// The consolidation's problems and the self-check's, errors and warnings alike.
    pub problems: Vec<Problem>,
    /// Whose return, which period, as of when: what the annotated copy's
    /// 问题清单 opens with.
    pub heading: crate::annotate::Heading,
}

impl Inspection {
    /// The file inspected (for a zip, the zip itself).
    pub fn file(&self) -> Option<&SourceFile> {
        self.intake.files.first()
    }

    /// The file inspected and, for a zip, its members after it.
    pub fn files(&self) -> &[SourceFile] {
        &self.intake.files
    }

    /// Why nothing of the file could be read, when nothing could: the first
    /// unreadable file's reason (the file's own, or a zip's member's).
    pub fn unreadable(&self) -> Option<&OpenError> {
        if self.intake.files.iter().any(|f| !f.returns.is_empty()) {
            return None;
        }
        self.intake.files.iter().find_map(|f| match &f.status {
            FileStatus::Unreadable(why) => Some(why),
            _ => None,
        })
    }

    /// Problems the county must fix before sending.
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    /// Whether the file is no spreadsheet at all (a PDF, a Word file): the county
    /// must send the Excel file.
    pub fn not_a_spreadsheet(&self) -> bool {
        self.file()
            .is_some_and(|f| matches!(f.status, FileStatus::Skipped(_)))
    }

    /// The returns of the file (of every member of a zip) that count.
    pub fn returns(&self) -> impl Iterator<Item = &ReadReturn> {
        self.intake
            .files
            .iter()
            .flat_map(|f| f.returns.iter().filter(|r| r.counts()))
    }

    /// The annotated copy of the file ([`crate::annotate::build`]): its data sheet
    /// (every return of one file is read from the same sheet) marked with every
    /// problem. `bytes`: the file, `None` when it could not be read again. Of a
    /// zip, the copy is of its first member holding a return that counts, marked
    /// with that member's problems and the zip's.
    ///
    /// # Errors
    /// Only on rust_xlsxwriter's own checks.
    pub fn annotated_copy(
        &self,
        bytes: Option<Vec<u8>>,
        limits: Limits,
    ) -> Result<Vec<u8>, XlsxError> {
        let files = &self.intake.files;
        let member = files
            .iter()
            .find(|f| f.archive.is_some() && f.returns.iter().any(ReadReturn::counts))
            .or_else(|| files.iter().find(|f| f.archive.is_some()));
        let (source, bytes) = match (member, bytes) {
            (Some(member), Some(zip)) => (Some(member), member_bytes(&zip, member, limits)),
            (Some(member), None) => (Some(member), None),
            (None, bytes) => (self.file(), bytes),
        };
        let sheet = source
            .and_then(|f| f.returns.first())
            .map(|r| r.sheet.as_str());
        let listed: Vec<&Problem> = self
            .problems
            .iter()
            .filter(|p| {
                source.is_none_or(|f| p.file == f.name || Some(&p.file) == f.archive.as_ref())
            })
            .collect();
        crate::annotate::build(bytes, sheet, &listed, &self.heading, limits)
    }

    /// Where a return was read, as a county finds it: its sheet, after the
    /// member's path when the file is a zip (`3月/海口市.xlsx › 进展情况`).
    pub fn sheet_of(&self, read: &ReadReturn) -> String {
        let member = self
            .intake
            .files
            .iter()
            .find(|f| f.archive.is_some() && f.returns.iter().any(|r| std::ptr::eq(r, read)));
        match member.and_then(|f| Some((f.name.as_str(), f.archive.as_deref()?))) {
            Some((name, zip)) => {
                let path = name
                    .strip_prefix(zip)
                    .unwrap_or(name)
                    .trim_start_matches(" › ");
                format!("{path} › {}", read.sheet)
            }
            None => read.sheet.clone(),
        }
    }

    /// The entries judged for one return's unit.
    pub fn entries<'a>(&'a self, read: &'a ReadReturn) -> impl Iterator<Item = &'a Entry> {
        entries_of(&self.result, read)
    }
}

/// Reads one file as a return of `period`, checks it, and adds the self-check.
/// `due_day` is the day of the next month returns are due.
pub fn inspect(reader: Reader, file: &Path, period: ReportPeriod, due_day: u32) -> Inspection {
    let mut intake = reader.read_files(&[file.to_path_buf()], period, &Quiet);
    let result = consolidate(
        reader.catalogue,
        reader.roster,
        &mut intake,
        period.as_of,
        DUE_SOON_DAYS,
    );
    let due = crate::period::returns_due(period.as_of, due_day);
    let mut problems = result.problems.clone();
    for source in &intake.files {
        for read in source.returns.iter().filter(|r| r.counts()) {
            problems.extend(self_check(source, read, &result, due));
        }
    }
    let unit = intake.files.first().and_then(|f| {
        let read = f.returns.iter().find(|r| r.counts())?;
        match (read.unit, &read.unknown_unit) {
            (Some(u), _) => Some(reader.roster.units[u].name.clone()),
            (None, Some(text)) => Some(text.clone()),
            (None, None) => None,
        }
    });
    let heading = crate::annotate::Heading {
        unit,
        month: period.month,
        as_of: period.as_of,
    };
    Inspection {
        intake,
        result,
        problems,
        heading,
    }
}

/// A zip member's bytes, inflated again from the zip's within the same bounds.
fn member_bytes(zip: &[u8], member: &SourceFile, limits: Limits) -> Option<Vec<u8>> {
    let prefix = format!("{} › ", member.archive.as_deref()?);
    let path = member.name.strip_prefix(&prefix)?;
    let archive = Archive::open(zip, limits).ok()?;
    let found = archive.members().iter().find(|m| m.path == path)?;
    archive.read(found).ok()
}

/// The entries judged for one return's unit.
pub fn entries_of<'a>(
    result: &'a Consolidation,
    read: &'a ReadReturn,
) -> impl Iterator<Item = &'a crate::check::Entry> {
    result
        .entries
        .iter()
        .filter(move |entry| match (&entry.unit, read.unit) {
            (UnitRef::Known(u), Some(mine)) => *u == mine,
            (UnitRef::Unknown(text), None) => read.unknown_unit.as_ref() == Some(text),
            _ => false,
        })
}

/// What a county must hear before sending, beyond the consolidation's problems:
/// tasks left out, a late or blank 填报日期, no one to call back.
pub fn self_check(
    file: &SourceFile,
    read: &ReadReturn,
    result: &Consolidation,
    due: Option<NaiveDate>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |severity, what: String, action: &str| {
        problems.push(Problem::file(severity, &file.name, what, action));
    };
    // A missing row is not a problem of the consolidation (缺报事项 lists it), but a
    // county checking its own return must fill it in before sending.
    let omitted: Vec<String> = entries_of(result, read)
        .filter(|e| e.verdict == Verdict::Omitted)
        .map(|e| e.task.to_string())
        .collect();
    if !omitted.is_empty() {
        problem(
            Severity::Error,
            format!(
                "漏报 {} 项任务（序号 {}）",
                omitted.len(),
                omitted.join("、")
            ),
            "请补上这些任务的行并填写完成状态",
        );
    }
    let meta = &read.meta;
    match (meta.fill_date, due) {
        (None, _) => problem(
            Severity::Warning,
            "未填填报日期".into(),
            "请在“填报日期：”后填写报送当天的日期，如 2018年8月3日",
        ),
        (Some(filed), Some(due)) if filed > due => problem(
            Severity::Warning,
            format!(
                "填报日期 {} 晚于报送截止日 {}，汇总时将标为迟报",
                crate::period::chinese_date(filed),
                crate::period::chinese_date(due)
            ),
            "请尽快报送；如填报日期写错了请更正",
        ),
        _ => {}
    }
    if meta.filler.is_none() {
        problem(
            Severity::Warning,
            "未填填报人".into(),
            "请在“填报人：”后填写经办人姓名，便于核实情况",
        );
    }
    if meta.phone.is_none() {
        problem(
            Severity::Warning,
            "未填联系电话".into(),
            "请在“联系电话：”后填写经办人电话，便于核实情况",
        );
    }
    problems
}
