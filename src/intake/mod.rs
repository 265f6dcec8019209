//! Intake: a folder of returns → what each unit reported, plus every problem met.
//!
//! [`scan`] lists the folder and reads each file ([`read_return`]): format by
//! content ([`workbook`]), the data sheet and its header ([`header`]), the rows
//! ([`rows`]). Then each file is given a unit from the roster and, when several
//! files name one unit, the latest wins. Judging the rows is [`crate::check`]'s job.

pub mod header;
pub mod rows;
pub mod values;
pub mod webexport;
pub mod workbook;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::catalogue::Catalogue;
use crate::problem::{Problem, Severity};
use crate::roster::Roster;
pub use rows::{ReturnMeta, ReturnRow};
use workbook::{Limits, OpenError, Workbook};

/// Extensions read as spreadsheets; anything else in the folder is listed as skipped.
const SPREADSHEET_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// A return read from one file's data sheet.
#[derive(Debug, Clone)]
pub struct ReadReturn {
    pub sheet: String,
    /// The first row below the header, 0-based: where data rows begin.
    pub data_start: u32,
    pub meta: ReturnMeta,
    pub rows: Vec<ReturnRow>,
    /// How many task rows were read (kept when `rows` is released).
    pub row_count: usize,
    /// Problems met while reading (rows not understood, dates unreadable, …).
    pub problems: Vec<Problem>,
}

/// What happened to one file of the input folder.
#[derive(Debug, Clone, PartialEq)]
pub enum FileStatus {
    /// Read; its rows are in the consolidation.
    Read,
    /// Not a spreadsheet by its name (a .docx, a .pdf…): listed, not opened.
    Skipped(String),
    /// Read, but another file of the same unit won.
    Superseded { by: String },
    /// Could not be read as a return; the reason says what to do.
    Unreadable(String),
}

/// One file of the input folder, as listed in 来源文件.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// The roster unit this file was taken for, if any.
    pub unit: Option<usize>,
    /// The unit text found but not in the roster, if any.
    pub unknown_unit: Option<String>,
    pub status: FileStatus,
    /// The return read from it (absent for skipped and unreadable files).
    pub read: Option<ReadReturn>,
}

/// Everything read from one input folder.
#[derive(Debug, Default)]
pub struct Intake {
    /// Every file of the folder, by name.
    pub files: Vec<SourceFile>,
    /// File-level problems (unreadable, unknown unit, superseded…).
    pub problems: Vec<Problem>,
}

impl Intake {
    /// Drops the rows read, keeping their count: once the check has copied what it
    /// needs into its entries, holding every return's text twice is waste.
    pub fn release_rows(&mut self) {
        for read in self.files.iter_mut().filter_map(|f| f.read.as_mut()) {
            read.rows = Vec::new();
        }
    }

    /// The winning return of each roster unit: `returns[u]` is an index into `files`.
    pub fn returns_by_unit(&self, units: usize) -> Vec<Option<usize>> {
        let mut by_unit = vec![None; units];
        for (i, f) in self.files.iter().enumerate() {
            if let (FileStatus::Read, Some(u)) = (&f.status, f.unit) {
                by_unit[u] = Some(i);
            }
        }
        by_unit
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

/// The files of a folder a run reads, in name order: lock and hidden files left out.
///
/// # Errors
/// When the folder cannot be listed.
pub fn list_folder(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| e.path())
        .filter(|p| !is_lock_or_hidden(p))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Reads every file of a folder (not its subfolders) in name order.
///
/// # Errors
/// Only when the folder itself cannot be listed; a bad file is a problem, not an error.
pub fn scan(
    dir: &Path,
    catalogue: &Catalogue,
    roster: &Roster,
    limits: &Limits,
    progress: &dyn Progress,
) -> std::io::Result<Intake> {
    let paths = list_folder(dir)?;
    Ok(read_files(&paths, catalogue, roster, limits, progress))
}

/// Reads the given files as one period's returns (what `check` does with one file).
pub fn read_files(
    paths: &[PathBuf],
    catalogue: &Catalogue,
    roster: &Roster,
    limits: &Limits,
    progress: &dyn Progress,
) -> Intake {
    use rayon::prelude::*;
    progress.start(paths.len());
    // Files are read in parallel; collect keeps the name order, so the output does
    // not depend on which thread finished first.
    let read: Vec<(SourceFile, Vec<Problem>)> = paths
        .par_iter()
        .map(|path| {
            let mut problems = Vec::new();
            let file = read_source_file(path, catalogue, roster, limits, &mut problems);
            progress.file_done(&file.name);
            (file, problems)
        })
        .collect();
    let mut intake = Intake::default();
    for (file, problems) in read {
        intake.files.push(file);
        intake.problems.extend(problems);
    }
    resolve_duplicates(&mut intake, roster);
    progress.finish();
    intake
}

/// `~$name.xlsx` is Excel's lock file and `.name` a hidden file: neither is a return.
fn is_lock_or_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("~$") || n.starts_with('.'))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_source_file(
    path: &Path,
    catalogue: &Catalogue,
    roster: &Roster,
    limits: &Limits,
    problems: &mut Vec<Problem>,
) -> SourceFile {
    let name = file_name(path);
    let mut file = SourceFile {
        name: name.clone(),
        size: 0,
        sha256: String::new(),
        unit: None,
        unknown_unit: None,
        status: FileStatus::Read,
        read: None,
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    file.size = size;
    if !SPREADSHEET_EXTENSIONS.contains(&ext.as_str()) {
        // Hashed all the same, so 来源文件 traces every file and a changed folder shows.
        if size <= limits.max_file_bytes {
            file.sha256 = std::fs::read(path)
                .map(|b| sha256_hex(&b))
                .unwrap_or_default();
        }
        file.status = FileStatus::Skipped("不是电子表格文件，未读取".to_string());
        return file;
    }
    let outcome = if size > limits.max_file_bytes {
        Err(OpenError::TooLarge {
            size,
            limit: limits.max_file_bytes,
        }
        .to_string())
    } else {
        match std::fs::read(path) {
            Ok(bytes) => {
                file.sha256 = sha256_hex(&bytes);
                read_guarded(bytes, catalogue, limits, &name)
            }
            Err(e) => Err(format!("无法打开文件（{e}）：请确认文件未被占用后重试")),
        }
    };
    match outcome {
        Ok(read) => {
            identify_unit(&mut file, &read, roster, problems);
            file.read = Some(read);
        }
        Err(reason) => {
            // The file name is all we have to tell whose return failed.
            file.unit = roster.find_in(&name);
            let unit = file
                .unit
                .map(|u| roster.units[u].name.as_str())
                .unwrap_or("");
            problems.push(
                Problem::file(
                    Severity::Error,
                    &name,
                    reason.clone(),
                    "未读取该文件；该单位按未报送处理",
                )
                .unit(unit),
            );
            file.status = FileStatus::Unreadable(reason);
        }
    }
    file
}

/// [`read_return`], with a panic inside a reader turned into this file's problem
/// so that one bad file never stops the run.
fn read_guarded(
    bytes: Vec<u8>,
    catalogue: &Catalogue,
    limits: &Limits,
    name: &str,
) -> Result<ReadReturn, String> {
    guard(|| read_return(bytes, catalogue, limits, name))
}

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is inside [`guard`]: the panic hook stays quiet there,
/// since the panic becomes a problem row instead.
pub fn in_guard() -> bool {
    GUARDED.with(std::cell::Cell::get)
}

fn guard<T>(read: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    GUARDED.with(|g| g.set(false));
    result.unwrap_or_else(|_| {
        Err("读取时出现内部错误，文件可能已损坏：请另存为 .xlsx 后重新报送".to_string())
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads one return from a file's bytes: the first sheet with a usable header.
///
/// # Errors
/// A Chinese reason when the bytes are no workbook or no sheet holds a return.
pub fn read_return(
    bytes: Vec<u8>,
    catalogue: &Catalogue,
    limits: &Limits,
    file: &str,
) -> Result<ReadReturn, String> {
    let mut workbook = Workbook::open(bytes, *limits).map_err(|e| e.to_string())?;
    let is_1904 = workbook.is_1904();
    let mut sheets = workbook.worksheet_names();
    // Visible sheets first; a hidden sheet is read only when no visible one holds a return.
    sheets.sort_by_key(|(_, hidden)| *hidden);
    let mut partial: Option<String> = None;
    let mut failure: Option<OpenError> = None;
    let mut read: Option<ReadReturn> = None;
    let mut others: Vec<String> = Vec::new();
    for (name, hidden) in sheets {
        // Once a return is read, further sheets are only looked at when visible.
        if read.is_some() && hidden {
            break;
        }
        let sheet = match workbook.read_sheet(&name, hidden) {
            Ok(sheet) => sheet,
            Err(e) => {
                failure.get_or_insert(e);
                continue;
            }
        };
        let Some(found) = header::find_header(&sheet) else {
            continue;
        };
        if !found.is_usable() {
            partial.get_or_insert(name);
        } else if read.is_none() {
            read = Some(rows::read_rows(&sheet, &found, catalogue, is_1904, file));
        } else {
            others.push(name);
        }
    }
    if let Some(mut read) = read {
        // A workbook keeping one sheet per month: which one is meant is for the county to say.
        if !others.is_empty() {
            read.problems.push(Problem::file(
                Severity::Warning,
                file,
                format!("工作簿中还有其他进展情况表：{}", others.join("、")),
                format!(
                    "只读取了第一张“{}”；如应读取其他表，请删去多余的工作表后重新报送",
                    read.sheet
                ),
            ));
        }
        return Ok(read);
    }
    Err(match (partial, failure) {
        (Some(sheet), _) => {
            format!("工作表“{sheet}”的表头缺少“序号”或“完成状态”列：请按模板填报后重新报送")
        }
        (None, Some(e)) => e.to_string(),
        (None, None) if workbook.format == workbook::Format::Html => OpenError::Html.to_string(),
        (None, None) if workbook.format == workbook::Format::Csv => OpenError::Text.to_string(),
        (None, None) => {
            "未找到进展情况表（表头应含 序号、主要任务、完成状态 等列）：请按模板填报后重新报送"
                .to_string()
        }
    })
}

/// Gives a file its unit: the 填报单位 cell, else the file name, else the sheet name.
fn identify_unit(
    file: &mut SourceFile,
    read: &ReadReturn,
    roster: &Roster,
    problems: &mut Vec<Problem>,
) {
    let from_cell = read
        .meta
        .unit_text
        .as_deref()
        .and_then(|t| roster.find_in(t));
    let from_name = roster.find_in(&file.name);
    let from_sheet = roster.find_in(&read.sheet);
    file.unit = from_cell.or(from_name).or(from_sheet);
    if let (Some(cell), Some(name)) = (from_cell, from_name)
        && cell != name
    {
        let (cell_unit, name_unit) = (&roster.units[cell].name, &roster.units[name].name);
        problems.push(
            Problem::file(
                Severity::Warning,
                &file.name,
                format!("填报单位写的是“{cell_unit}”，文件名却是“{name_unit}”"),
                format!("按填报单位“{cell_unit}”计；如有误请更正填报单位后重新报送"),
            )
            .at(
                &read.sheet,
                read.meta.unit_cell.0,
                Some(read.meta.unit_cell.1),
            )
            .unit(cell_unit),
        );
    }
    if file.unit.is_none() {
        let written = read.meta.unit_text.clone().filter(|t| !t.trim().is_empty());
        let what = match &written {
            Some(t) => format!("填报单位“{t}”不在单位名单中"),
            None => "无法确定填报单位（填报单位栏、文件名和工作表名中都没有单位名称）".to_string(),
        };
        file.unknown_unit = Some(written.unwrap_or_else(|| file.name.clone()));
        problems.push(Problem::file(
            Severity::Error,
            &file.name,
            what,
            "其各行仍列入明细（单位栏标为未识别），不计入任何单位的统计；请在填报单位栏写明单位全称后重新报送",
        ));
    }
}

/// Several files for one unit: the latest 填报日期 wins, ties going to the name
/// that sorts last; the others are marked superseded.
fn resolve_duplicates(intake: &mut Intake, roster: &Roster) {
    let mut winner: Vec<Option<usize>> = vec![None; roster.units.len()];
    for (i, file) in intake.files.iter().enumerate() {
        let (Some(u), FileStatus::Read) = (file.unit, &file.status) else {
            continue;
        };
        let key = |f: &SourceFile| -> (Option<NaiveDate>, String) {
            (
                f.read.as_ref().and_then(|r| r.meta.fill_date),
                f.name.clone(),
            )
        };
        match winner[u] {
            Some(w) if key(&intake.files[w]) >= key(file) => {}
            _ => winner[u] = Some(i),
        }
    }
    for i in 0..intake.files.len() {
        let file = &intake.files[i];
        let (Some(u), FileStatus::Read) = (file.unit, &file.status) else {
            continue;
        };
        let Some(w) = winner[u].filter(|&w| w != i) else {
            continue;
        };
        let by = intake.files[w].name.clone();
        let rows = file.read.as_ref().map_or(0, |r| r.row_count);
        intake.problems.push(
            Problem::file(
                Severity::Warning,
                &file.name,
                format!("同一单位有多份报表，本文件被“{by}”取代（后者填报日期较晚或文件名靠后）"),
                format!(
                    "本文件的 {rows} 行未计入汇总；如本文件才是最新版本，请删除另一份后重新汇总"
                ),
            )
            .unit(&roster.units[u].name),
        );
        intake.files[i].status = FileStatus::Superseded { by };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_reading_becomes_the_files_problem() {
        let result: Result<(), String> = guard(|| panic!("reader bug"));
        assert!(result.is_err_and(|e| e.contains("内部错误")));
        assert!(!in_guard());
    }
}
