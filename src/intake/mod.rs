//! Intake: a folder of returns → what each unit reported, plus every problem met.
//!
//! [`scan`] lists the folder and reads each file ([`read_return`]): format by
//! content ([`workbook`]), the data sheet and its header ([`header`]), the rows
//! ([`rows`]). Then each file is given a unit from the roster and, when several
//! files name one unit, the latest wins. Judging the rows is [`crate::check`]'s job.

pub mod rows;
pub mod values;

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};

use crate::catalogue::Catalogue;
use crate::period::Month;
use crate::problem::{Problem, Severity};
use crate::roster::Roster;
use crate::table::cells::cell_text;
use crate::table::header;
use crate::table::workbook::{Format, Limits, OpenError, Workbook};
pub use rows::{FormKey, ReturnMeta, ReturnRow, SheetRead};

/// Extensions read as spreadsheets (the format is then decided by content): Excel's
/// and its templates (a return saved as a template by mistake is still a return),
/// WPS's, OpenDocument's, Excel 2003 XML, the CSV an online form exports, and the
/// text and web formats a spreadsheet program saves (read, or named for what they are).
const SPREADSHEET_EXTENSIONS: [&str; 20] = [
    "xlsx", "xlsm", "xls", "xlsb", "ods", "et", "ett", "xlt", "xltx", "xltm", "ots", "fods", "xml",
    "csv", "tsv", "slk", "dif", "htm", "html", "xhtml",
];

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
}

/// A return read: a whole file's data sheet, or one unit's submission in an
/// online-form export.
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
    /// The roster unit this return was taken for, if any.
    pub unit: Option<usize>,
    /// The unit text found but not in the roster, if any.
    pub unknown_unit: Option<String>,
    /// When it was filed: an online form's submit time, else its 填报日期 at midnight.
    pub filed: Option<NaiveDateTime>,
    /// The month its title or file name names, if any: (year if written, month).
    pub month: Option<(Option<i32>, u32)>,
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

/// What happened to one file of the input folder.
#[derive(Debug, Clone, PartialEq)]
pub enum FileStatus {
    /// Read; its rows are in the consolidation.
    Read,
    /// Not a spreadsheet by its name (a .docx, a .pdf…): listed, not opened.
    Skipped(String),
    /// Read, but other files won for every unit it holds.
    Superseded { by: String },
    /// Could not be read as a return; the reason says what to do.
    Unreadable(OpenError),
}

/// One file of the input folder, as listed in 来源文件.
#[derive(Debug, Clone)]
pub struct SourceFile {
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
    /// export; none for skipped and unreadable files.
    pub returns: Vec<ReadReturn>,
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
}

/// Everything read from one input folder.
#[derive(Debug, Default)]
pub struct Intake {
    /// Every file of the folder, by name.
    pub files: Vec<SourceFile>,
    /// File-level problems (unreadable, unknown unit, superseded…).
    pub problems: Vec<Problem>,
}

/// Where a return sits: (file, return) indices into [`Intake::files`] and its `returns`.
pub type ReturnAt = (usize, usize);

impl Intake {
    /// Drops the rows read, keeping their count: once the check has copied what it
    /// needs into its entries, holding every return's text twice is waste.
    pub fn release_rows(&mut self) {
        for read in self.files.iter_mut().flat_map(|f| f.returns.iter_mut()) {
            read.rows = Vec::new();
        }
    }

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
        let read: Vec<(SourceFile, Vec<Problem>)> = paths
            .par_iter()
            .map(|path| {
                let mut problems = Vec::new();
                let file = self.read_source_file(path, period, &mut problems);
                progress.file_done(&file.name);
                (file, problems)
            })
            .collect();
        let mut intake = Intake::default();
        for (file, problems) in read {
            intake.files.push(file);
            intake.problems.extend(problems);
        }
        resolve_duplicates(&mut intake, self.roster, period);
        flag_other_documents(&mut intake, self.roster);
        progress.finish();
        intake
    }

    fn read_source_file(
        &self,
        path: &Path,
        period: ReportPeriod,
        problems: &mut Vec<Problem>,
    ) -> SourceFile {
        let (catalogue, roster, limits) = (self.catalogue, self.roster, &self.limits);
        let name = file_name(path);
        let mut file = SourceFile {
            name: name.clone(),
            size: 0,
            sha256: String::new(),
            unit: None,
            unknown_unit: None,
            status: FileStatus::Read,
            returns: Vec::new(),
        };
        let ext = crate::table::extension(path);
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        file.size = size;
        if !SPREADSHEET_EXTENSIONS.contains(&ext.as_str()) {
            // Hashed all the same, so 来源文件 traces every file and a changed folder shows.
            if size <= limits.max_file_bytes {
                file.sha256 = std::fs::read(path)
                    .map(|b| sha256_hex(&b))
                    .unwrap_or_default();
            }
            // A scanned PDF or a Word file named for a unit is that unit's attempt to
            // report: [`flag_other_documents`] says so once the returns are resolved.
            file.unit = roster.find_in(&name);
            file.status = FileStatus::Skipped("不是电子表格文件，未读取".to_string());
            return file;
        }
        let outcome = if size > limits.max_file_bytes {
            Err(OpenError::TooLarge {
                size,
                limit: limits.max_file_bytes,
            })
        } else {
            match std::fs::read(path) {
                Ok(bytes) => {
                    file.sha256 = sha256_hex(&bytes);
                    guard(|| read_return(bytes, catalogue, limits, &name, period.as_of))
                }
                Err(e) => Err(OpenError::CannotRead(crate::os::describe(&e))),
            }
        };
        match outcome {
            Ok(sheet) => {
                file.returns = split_returns(&name, sheet, roster, problems);
                if let [one] = file.returns.as_slice()
                    && !one.from_form
                {
                    file.unit = one.unit;
                    file.unknown_unit = one.unknown_unit.clone();
                }
            }
            Err(reason) => {
                // The file name is all we have to tell whose return failed.
                file.unit = roster.find_in(&name);
                let unit = file.unit.map(|u| roster.units[u].name.as_str());
                problems.push(
                    Problem::file(
                        Severity::Error,
                        &name,
                        reason.to_string(),
                        "未读取该文件；该单位按未报送处理",
                    )
                    .unit_if(unit),
                );
                file.status = FileStatus::Unreadable(reason);
            }
        }
        file
    }
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

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is inside [`quietly`]: the panic hook stays quiet there,
/// since the panic becomes a problem row or a fallback instead.
pub fn in_guard() -> bool {
    GUARDED.with(std::cell::Cell::get)
}

/// Runs a reader, a panic inside it turned into this file's problem so that one bad
/// file never stops the run.
fn guard<T>(read: impl FnOnce() -> Result<T, OpenError>) -> Result<T, OpenError> {
    quietly(read).unwrap_or_else(|reason| Err(OpenError::ReaderFailed(reason)))
}

/// Runs `run`, a panic inside it caught and given back as its message, with the
/// panic hook quiet: for library code that may panic on a file, whose caller has
/// something better to do than stop (list the file's problem, or fall back).
///
/// # Errors
/// The panic's message, when `run` panicked.
pub fn quietly<T>(run: impl FnOnce() -> T) -> Result<T, String> {
    GUARDED.with(|g| g.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
    GUARDED.with(|g| g.set(false));
    result.map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes as lower-case hexadecimal, as SHA-256 sums are shown.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the return a file's bytes hold: the first sheet with a usable header.
/// `as_of` dates what the return writes without a year.
///
/// # Errors
/// An [`OpenError`] when the bytes are no workbook or no sheet holds a return.
pub fn read_return(
    bytes: Vec<u8>,
    catalogue: &Catalogue,
    limits: &Limits,
    file: &str,
    as_of: NaiveDate,
) -> Result<SheetRead, OpenError> {
    let mut workbook = Workbook::open(bytes, *limits)?;
    let is_1904 = workbook.is_1904();
    let mut sheets = workbook.worksheet_names();
    // Visible sheets first; a hidden sheet is read only when no visible one holds a return.
    sheets.sort_by_key(|(_, hidden)| *hidden);
    let mut partial: Option<String> = None;
    let mut failure: Option<OpenError> = None;
    let mut read: Option<SheetRead> = None;
    let mut others: Vec<String> = Vec::new();
    // A text file of one line: what a mail gateway leaves for an attachment it lost.
    let mut lone_text: Option<String> = None;
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
        if let [row] = sheet.grid.rows.as_slice()
            && let [(_, cell)] = row.cells.as_slice()
        {
            lone_text.get_or_insert_with(|| cell_text(cell));
        }
        let Some(found) = header::find_header(&sheet) else {
            continue;
        };
        if found.is_usable() {
            if read.is_none() {
                read = Some(rows::read_rows(
                    &sheet, &found, catalogue, is_1904, file, as_of,
                ));
            } else {
                others.push(name);
            }
        } else if found.is_partial() {
            partial.get_or_insert(name);
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
        (Some(sheet), _) => OpenError::HeaderIncomplete { sheet },
        (None, Some(e)) => e,
        (None, None) if workbook.format == Format::Html => OpenError::Html,
        (None, None) if workbook.format == Format::Csv => match lone_text {
            Some(text) => OpenError::OneLine(text.chars().take(60).collect()),
            None => OpenError::Text,
        },
        (None, None) => OpenError::NoReturn {
            sheets: workbook.worksheet_names().len(),
        },
    })
}

/// The returns a sheet holds: the sheet itself for a county's return, one per unit
/// and submission for an online-form export. Each is given its unit, the time it
/// was filed and the month it names.
fn split_returns(
    file: &str,
    sheet: SheetRead,
    roster: &Roster,
    problems: &mut Vec<Problem>,
) -> Vec<ReadReturn> {
    let SheetRead {
        sheet: sheet_name,
        data_start,
        meta,
        rows,
        problems: sheet_problems,
        form,
    } = sheet;
    let month = meta
        .title
        .as_deref()
        .and_then(month_named)
        .or_else(|| month_named(file));
    let Some(keys) = form else {
        let mut read = ReadReturn {
            sheet: sheet_name,
            data_start,
            filed: meta.fill_date.and_then(|d| d.and_hms_opt(0, 0, 0)),
            meta,
            row_count: rows.len(),
            rows,
            problems: sheet_problems,
            unit: None,
            unknown_unit: None,
            month,
            superseded_by: None,
            from_form: false,
        };
        identify_unit(file, &mut read, roster, problems);
        return vec![read];
    };
    let parts = FileParts {
        sheet: sheet_name,
        data_start,
        meta,
        month,
    };
    let mut returns = parts.split_by_sender(rows, keys, roster);
    // A problem about a row goes with the return the row belongs to; the rest (a
    // row no task could be found for, the file's own notes) is the file's.
    for p in sheet_problems {
        let owner = p.location.and_then(|l| {
            returns
                .iter_mut()
                .find(|r| r.rows.iter().any(|row| row.row == l.row))
        });
        match owner {
            Some(read) => read.problems.push(p),
            None => problems.push(p),
        }
    }
    problems.extend(unknown_senders(file, &returns));
    returns
}

/// What the returns split from one form export share.
struct FileParts {
    sheet: String,
    data_start: u32,
    meta: ReturnMeta,
    month: Option<(Option<i32>, u32)>,
}

impl FileParts {
    /// One return per (unit, submit time), in the order the rows first name them.
    fn split_by_sender(
        &self,
        rows: Vec<ReturnRow>,
        keys: Vec<FormKey>,
        roster: &Roster,
    ) -> Vec<ReadReturn> {
        let mut groups: Vec<(FormKey, Vec<ReturnRow>)> = Vec::new();
        let sender = |k: &FormKey| (squash(&k.unit_text), k.submitted);
        for (row, key) in rows.into_iter().zip(keys) {
            match groups.iter_mut().find(|(k, _)| sender(k) == sender(&key)) {
                Some((_, rows)) => rows.push(row),
                None => groups.push((key, vec![row])),
            }
        }
        groups
            .into_iter()
            .map(|(key, mut rows)| {
                rows.shrink_to_fit();
                let mut meta = self.meta.clone();
                meta.unit_text = Some(key.unit_text.clone());
                let filed = key
                    .submitted
                    .or_else(|| meta.fill_date.and_then(|d| d.and_hms_opt(0, 0, 0)));
                if let Some(at) = key.submitted {
                    meta.fill_date = Some(at.date());
                }
                let unit = roster.find_in(&key.unit_text);
                ReadReturn {
                    sheet: self.sheet.clone(),
                    data_start: self.data_start,
                    meta,
                    row_count: rows.len(),
                    rows,
                    problems: Vec::new(),
                    unit,
                    unknown_unit: unit.is_none().then_some(key.unit_text),
                    filed,
                    month: self.month,
                    superseded_by: None,
                    from_form: true,
                }
            })
            .collect()
    }
}

/// One problem per unit text of a form export that is not in the roster.
fn unknown_senders(file: &str, returns: &[ReadReturn]) -> Vec<Problem> {
    let mut unknown: Vec<&str> = returns
        .iter()
        .filter_map(|r| r.unknown_unit.as_deref())
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    unknown
        .into_iter()
        .map(|text| {
            let what = if text.trim().is_empty() {
                "在线表单导出文件中有的行没有填报单位".to_string()
            } else {
                format!("在线表单导出文件中的填报单位“{text}”不在单位名单中")
            };
            Problem::file(
                Severity::Error,
                file,
                what,
                "这些行仍列入明细（单位栏标为未识别），不计入任何单位的统计；请核对单位名称",
            )
        })
        .collect()
}

/// Text without white space, for comparing what people typed.
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The month a title or file name names: `2018年6月`, `2018-06`, `2018.6`, `6月份`, `6月`.
/// A full date (`2018-07-03`, `7月3日`) is a day, not the month a return is for.
pub fn month_named(text: &str) -> Option<(Option<i32>, u32)> {
    let chars: Vec<char> = text.chars().map(crate::period::to_half_width).collect();
    let number_at = |i: usize| -> (u32, usize) {
        let mut n = 0u32;
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() && j - i < 4 {
            n = n * 10 + chars[j].to_digit(10).unwrap_or(0);
            j += 1;
        }
        (n, j)
    };
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let (first, end) = number_at(i);
        let digits = end - i;
        let next = chars.get(end).copied();
        // 2018年6月, 2018-06, 2018.6, 2018_06 (not followed by a day)
        if digits == 4 && matches!(next, Some('年' | '-' | '.' | '_' | '/')) {
            let (month, month_end) = number_at(end + 1);
            let after = chars.get(month_end).copied();
            let is_day_next = match (next, after) {
                (Some('年'), Some('月')) => chars.get(month_end + 1..).is_some_and(|rest| {
                    let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                    n > 0 && matches!(rest.get(n), Some('日' | '号'))
                }),
                (Some(sep), Some(a)) => {
                    a == sep && chars.get(month_end + 1).is_some_and(char::is_ascii_digit)
                }
                _ => false,
            };
            let month_closed = next != Some('年') || after == Some('月');
            if (1..=12).contains(&month) && month_end > end + 1 && month_closed && !is_day_next {
                return Some((Some(first as i32), month));
            }
        }
        // 6月, 6月份 (not 6月3日)
        if (1..=2).contains(&digits) && next == Some('月') && (i == 0 || chars[i - 1] != '年') {
            let rest = &chars[end + 1..];
            let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            let is_day = n > 0 && matches!(rest.get(n), Some('日' | '号'));
            if (1..=12).contains(&first) && !is_day {
                return Some((None, first));
            }
        }
        i = end.max(i + 1);
    }
    None
}

/// Gives a county's return its unit: the 填报单位 cell, else the file name, else the
/// sheet name.
fn identify_unit(file: &str, read: &mut ReadReturn, roster: &Roster, problems: &mut Vec<Problem>) {
    let from_cell = read
        .meta
        .unit_text
        .as_deref()
        .and_then(|t| roster.find_in(t));
    let from_name = roster.find_in(file);
    let from_sheet = roster.find_in(&read.sheet);
    read.unit = from_cell.or(from_name).or(from_sheet);
    if let (Some(cell), Some(name)) = (from_cell, from_name)
        && cell != name
    {
        let (cell_unit, name_unit) = (&roster.units[cell].name, &roster.units[name].name);
        problems.push(
            Problem::file(
                Severity::Warning,
                file,
                format!("填报单位写的是“{cell_unit}”，文件名却是“{name_unit}”"),
                format!("按填报单位“{cell_unit}”计；如有误请更正填报单位后重新报送"),
            )
            .at(
                &read.sheet,
                read.meta.unit_cell.0,
                Some(read.meta.unit_cell.1),
            )
            .in_column("填报单位")
            .unit(cell_unit),
        );
    }
    if read.unit.is_none() {
        let written = read.meta.unit_text.clone().filter(|t| !t.trim().is_empty());
        let what = match &written {
            Some(t) => format!("填报单位“{t}”不在单位名单中"),
            None => "无法确定填报单位（填报单位栏、文件名和工作表名中都没有单位名称）".to_string(),
        };
        read.unknown_unit = Some(written.unwrap_or_else(|| file.to_string()));
        problems.push(Problem::file(
            Severity::Error,
            file,
            what,
            "其各行仍列入明细（单位栏标为未识别），不计入任何单位的统计；请在填报单位栏写明单位全称后重新报送",
        ));
    }
}

/// How a return's month ranks in supersession: one naming another month loses to
/// any other (SPEC §3). One naming the period's month and one naming none rank
/// alike, so the later filed wins between them: an upload the server stored under
/// its own name supersedes the county's earlier file by time (SPEC §10).
fn month_rank(month: Option<(Option<i32>, u32)>, period: ReportPeriod) -> u8 {
    match month {
        Some(m) if !names_period(m, period) => 0,
        _ => 1,
    }
}

fn names_period((year, month): (Option<i32>, u32), period: ReportPeriod) -> bool {
    month == period.month.month && year.is_none_or(|y| y == period.month.year)
}

/// Several returns for one unit: one naming another month loses whatever its
/// dates, then the latest filed (submit time or 填报日期), ties going
/// to the file name that sorts last; the others are marked superseded. A return
/// naming another month is a problem even when it wins.
fn resolve_duplicates(intake: &mut Intake, roster: &Roster, period: ReportPeriod) {
    type Key = (u8, Option<NaiveDateTime>, String, usize);
    let key = |intake: &Intake, (f, r): ReturnAt| -> Key {
        let file = &intake.files[f];
        let read = &file.returns[r];
        (
            month_rank(read.month, period),
            read.filed,
            file.name.clone(),
            r,
        )
    };
    let mut winner: Vec<Option<ReturnAt>> = vec![None; roster.units.len()];
    let all: Vec<(ReturnAt, Option<usize>)> =
        intake.returns().map(|(at, _, r)| (at, r.unit)).collect();
    for &(at, unit) in &all {
        let Some(u) = unit else { continue };
        match winner[u] {
            Some(w) if key(intake, w) >= key(intake, at) => {}
            _ => winner[u] = Some(at),
        }
    }
    for &((f, r), unit) in &all {
        let unit_name = unit.map(|u| roster.units[u].name.as_str());
        if let Some(problem) = other_month_problem(intake, (f, r), period) {
            intake.problems.push(problem.unit_if(unit_name));
        }
        let Some(w) = unit.and_then(|u| winner[u]).filter(|&w| w != (f, r)) else {
            continue;
        };
        let problem = superseded_problem(intake, (f, r), w).unit_if(unit_name);
        intake.problems.push(problem);
        intake.files[f].returns[r].superseded_by = Some(intake.files[w.0].name.clone());
    }
    for file in &mut intake.files {
        if file.status == FileStatus::Read
            && !file.returns.is_empty()
            && file.returns.iter().all(|r| !r.counts())
        {
            let by = file.returns[0].superseded_by.clone().unwrap_or_default();
            file.status = FileStatus::Superseded { by };
        }
    }
}

/// A return whose title or file name names another month: still read, and said.
fn other_month_problem(intake: &Intake, (f, r): ReturnAt, period: ReportPeriod) -> Option<Problem> {
    let file = &intake.files[f];
    let (year, month) = file.returns[r]
        .month
        .filter(|m| !names_period(*m, period))?;
    let named = match year {
        Some(y) => format!("{y}年{month}月"),
        None => format!("{month}月"),
    };
    Some(Problem::file(
        Severity::Warning,
        &file.name,
        format!(
            "报表的标题或文件名写的是{named}，属于其他月份，不是本期（{}）",
            period.month.chinese()
        ),
        "仍读取本表；如该单位另有本期报表，以本期报表为准；如误报了上月报表，请报送本期报表",
    ))
}

/// The return at `lost` is superseded by the one at `won`: another file, or a
/// later submission in the same form export.
fn superseded_problem(intake: &Intake, lost: ReturnAt, won: ReturnAt) -> Problem {
    let name = &intake.files[lost.0].name;
    let rows = intake.files[lost.0].returns[lost.1].row_count;
    let what = if won.0 == lost.0 {
        let when = |(f, r): ReturnAt| {
            intake.files[f].returns[r]
                .filed
                .map_or("（未注明时间）".to_string(), |t| {
                    t.format("%Y-%m-%d %H:%M").to_string()
                })
        };
        format!(
            "在线表单中同一单位有多次提交，{} 的提交被 {} 的提交取代",
            when(lost),
            when(won)
        )
    } else {
        format!(
            "同一单位有多份报表，本文件被“{}”取代（后者为本期报表、填报日期较晚或文件名靠后）",
            intake.files[won.0].name
        )
    };
    Problem::file(
        Severity::Warning,
        name,
        what,
        format!("这 {rows} 行未计入汇总；如本文件才是最新版本，请删除另一份后重新汇总"),
    )
}

/// A PDF or Word file named for a unit: the unit tried to report, in a form the
/// tool cannot read. Said once per file; an error when the unit sent nothing readable.
fn flag_other_documents(intake: &mut Intake, roster: &Roster) {
    let has_return = intake.returns_by_unit(roster.units.len());
    let mut found = Vec::new();
    for file in &intake.files {
        let (FileStatus::Skipped(_), Some(u)) = (&file.status, file.unit) else {
            continue;
        };
        let unit = &roster.units[u].name;
        let problem = if has_return[u].is_some() {
            Problem::file(
                Severity::Warning,
                &file.name,
                format!("{unit}报送的“{}”不是电子表格文件", file.name),
                "未读取该文件；已按该单位的 Excel 报表汇总。请以 Excel 文件报送",
            )
        } else {
            Problem::file(
                Severity::Error,
                &file.name,
                format!("{unit}只报送了“{}”，不是电子表格文件，无法读取", file.name),
                "该单位按未报送处理；请以 Excel 文件报送（用模板填写后报送 .xlsx 文件）",
            )
        };
        found.push(problem.unit(unit));
    }
    intake.problems.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_reading_becomes_the_files_problem() {
        let result: Result<(), OpenError> = guard(|| panic!("no entry found for key"));
        assert_eq!(
            result,
            Err(OpenError::ReaderFailed("no entry found for key".into()))
        );
        assert!(!in_guard());
    }

    #[test]
    fn months_named_in_titles_and_file_names() {
        let cases = [
            ("海口市2018年6月进展情况表", Some((Some(2018), 6))),
            ("（2018年07月）", Some((Some(2018), 7))),
            ("海口市7月.xlsx", Some((None, 7))),
            ("三亚市6月份进展.xlsx", Some((None, 6))),
            ("琼海_2018-06.xlsx", Some((Some(2018), 6))),
            ("琼海2018.6.xlsx", Some((Some(2018), 6))),
            ("海口市_2018-07-03.xlsx", None),
            ("截至7月3日", None),
            ("2018年7月3日填报", None),
            ("海口市_20180803T102105Z_ab12cd34.xlsx", None),
            ("进展情况表.xlsx", None),
            ("附件2 2018年", None),
        ];
        for (text, want) in cases {
            assert_eq!(month_named(text), want, "{text:?}");
        }
    }
}
