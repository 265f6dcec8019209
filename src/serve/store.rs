//! Taking an upload into the period folder: streamed to a private staging folder
//! (hidden, so no run lists it) while it is hashed and measured, sniffed by
//! content, checked as the return it claims to be, then linked into the period
//! folder under a name the server makes, `<unit>_<UTC time>_<sha256 prefix>.<ext>`
//! (names no month: intake ranks it with the county's own files of the period, and
//! the later filed wins).
//! Linking never replaces a file, and a file appears whole or not at all: a crash
//! or a dropped connection leaves at most a staging folder, removed on restart.
//!
//! Nothing is acknowledged that is not stored: every write is flushed and synced
//! and its error heeded, the stored file is read back after the sync and its size
//! and SHA-256 compared, and the caller's log line is written ([`Store::file`]'s
//! `commit`) before a file counts as stored; when any of it fails the file is
//! removed again. A unit stores each distinct file once, and at most so many
//! uploads and bytes a period ([`Bounds`]).
//!
//! Names sort by when they were accepted for each unit, so a resubmission with the
//! same 填报日期 supersedes the earlier one, as SPEC §3 breaks ties by name. Nothing
//! the client sends becomes part of a path, except an extension from an allow-list
//! that agrees with the content.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Utc};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::inspect::{Inspection, inspect};
use crate::intake::{FileStatus, Intake, ReadReturn, Reader, ReportPeriod};
use crate::period::Month;
use crate::table::format::{Format, OpenError};

/// Staging folders begin so: hidden from intake, and swept on start.
const STAGING_PREFIX: &str = ".county-returns-upload-";
const NAME_TIME: &str = "%Y%m%dT%H%M%SZ";

/// What one unit may store in one period, and the disk space kept free.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Below this many free bytes on the period folder's disk, uploads are refused.
    pub min_free_bytes: u64,
    /// Uploads a unit may store per period.
    pub unit_uploads: usize,
    /// Bytes a unit may store per period.
    pub unit_bytes: u64,
}

/// Why an upload was not stored. Each says what to do, and those that are the
/// server's fault say it is not the county's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// Over `--max-file-mb`, or it would inflate or spread past the bounds.
    #[error("{0}")]
    TooLarge(String),
    /// A PDF, a picture, a Word file, text…
    #[error("{0}")]
    NotSpreadsheet(String),
    /// A spreadsheet that cannot be read as a return (password, damage, no header).
    #[error("{0}")]
    Unreadable(String),
    /// The return says it is another unit's.
    #[error(
        "报表中的填报单位是“{found}”，与上报码所属单位“{mine}”不符：请用本单位的报表上报，或更正报表中的填报单位"
    )]
    OtherUnit { found: String, mine: String },
    /// The return's title or the client's file name names a month that is
    /// neither the one collected nor the one before.
    #[error(
        "报表的标题或文件名写的是{found}，而本网页正在收集{collecting}的报表（{previous}的迟报也可上传）：请上传{collecting}的报表；如要补报其他月份，请联系省教育厅"
    )]
    OtherMonth {
        found: String,
        collecting: String,
        previous: String,
    },
    /// The unit stored as many uploads this period as it may.
    #[error(
        "本单位本期已上传 {0} 份文件，达到上限，本次未保存：如确需再次上传，请打电话联系省教育厅"
    )]
    TooManyUploads(usize),
    /// The unit stored as many bytes this period as it may.
    #[error(
        "本单位本期上传的文件已达 {0} MB 上限，本次未保存：如确需再次上传，请打电话联系省教育厅"
    )]
    TooManyBytes(u64),
    /// The upload stopped before the file was whole.
    #[error("文件没有完整上传（连接中断或请求格式不对）：请重新选择文件上传")]
    Interrupted,
    /// The disk is full, or below the free-space floor.
    #[error(
        "服务器的磁盘空间不足，暂时无法保存报表。这不是您的报表的问题：请打电话告诉省教育厅，稍后再上传"
    )]
    NoSpace,
    /// The server could not write, for another reason (too many open files…).
    #[error(
        "服务器暂时无法保存文件（{0}）。这不是您的报表的问题：请过几分钟再上传；仍不行请打电话告诉省教育厅"
    )]
    Disk(String),
}

impl Refusal {
    fn from_open(error: &OpenError) -> Self {
        let text = error.to_string();
        match error {
            OpenError::TooLarge { .. }
            | OpenError::InflatesTooMuch { .. }
            | OpenError::ArchiveInflatesTooMuch { .. }
            | OpenError::ArchiveTooManyMembers { .. }
            | OpenError::TooManyCells { .. }
            | OpenError::TooSpread { .. } => Refusal::TooLarge(text),
            OpenError::Empty
            | OpenError::WordDocument
            | OpenError::Html
            | OpenError::Text
            | OpenError::OneLine(_)
            | OpenError::OtherFormat(_)
            | OpenError::Pdf
            | OpenError::Image
            | OpenError::Unknown => Refusal::NotSpreadsheet(text),
            _ => Refusal::Unreadable(text),
        }
    }

    /// A failed write or read of the server's own: the disk is full, or something else.
    pub fn disk(error: &std::io::Error) -> Self {
        match error.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => Self::NoSpace,
            _ => Self::Disk(crate::os::describe(error)),
        }
    }

    /// Whether the server, not the county, is at fault.
    pub fn is_servers(&self) -> bool {
        matches!(self, Self::NoSpace | Self::Disk(_))
    }
}

/// An upload received into its staging folder, not yet looked at.
pub struct Incoming {
    staging: tempfile::TempDir,
    path: PathBuf,
    pub size: u64,
    pub sha256: String,
    /// The extension the client's name had, lower-case (only ever compared with an allow-list).
    client_ext: String,
}

/// An upload sniffed: a spreadsheet of a format the server stores.
pub struct Sniffed {
    staging: tempfile::TempDir,
    path: PathBuf,
    pub size: u64,
    pub sha256: String,
    ext: &'static str,
}

/// An upload checked as the return of one period: named, inspected, not stored yet.
pub struct Examined {
    sniffed: Sniffed,
    /// The name it will be stored under.
    pub name: String,
    /// The check, of the staged file under that name.
    pub inspection: Inspection,
}

impl Examined {
    /// The upload as it was before it was examined for a period, to examine it for another.
    pub fn into_sniffed(self) -> Sniffed {
        self.sniffed
    }

    pub fn size(&self) -> u64 {
        self.sniffed.size
    }

    pub fn sha256(&self) -> &str {
        &self.sniffed.sha256
    }
}

/// What became of an examined upload.
pub enum Filed {
    /// Stored under this name.
    Stored(String),
    /// The unit had sent these bytes before, stored under this name: nothing
    /// stored again.
    Already(String),
}

/// What the store asks of the uploads already stored (the upload log's
/// account of them), while it holds the unit's lock.
pub trait Ledger {
    /// How many uploads `unit` stored, and their bytes.
    fn used_by(&self, unit: usize) -> (usize, u64);
    /// The name of the unit's stored upload of exactly these bytes, if any.
    fn same_bytes(&self, unit: usize, sha256: &str) -> Option<String>;
}

/// The month a return names, as the title or the client's file name writes it:
/// (year if written, month).
pub type Named = crate::period::MonthName;

/// Where a return goes, by the month it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filing {
    /// The month collected, or no month named.
    Collected,
    /// The month before: filed there, late.
    Late(Month),
    /// Any other month: refused.
    Other,
}

/// Which period a return naming `named` belongs to while `collecting` is collected.
pub fn filing(named: Option<Named>, collecting: Month) -> Filing {
    let previous = collecting.previous();
    let is =
        |month: Month, (year, m): Named| m == month.month && year.is_none_or(|y| y == month.year);
    match named {
        None => Filing::Collected,
        Some(n) if is(collecting, n) => Filing::Collected,
        Some(n) if is(previous, n) => Filing::Late(previous),
        Some(_) => Filing::Other,
    }
}

/// The month a return names: its title's, else the client's file name's (kept
/// as text; the stored name names none).
pub fn month_named(inspection: &Inspection, client_name: &str) -> Option<Named> {
    inspection
        .returns()
        .find_map(|r| r.months.title.or(r.months.sheet))
        .or_else(|| crate::period::month_named(client_name))
}

/// `2018年6月`, or `6月` when no year was written.
pub fn named_text((year, month): Named) -> String {
    match year {
        Some(y) => format!("{y}年{month}月"),
        None => format!("{month}月"),
    }
}

/// The period folder, and the last name time given to each unit.
pub struct Store {
    dir: PathBuf,
    period: ReportPeriod,
    due_day: u32,
    last: Mutex<HashMap<String, NaiveDateTime>>,
    /// Per unit: held while one of its uploads is being filed, and which of its
    /// files counts, as last worked out.
    units: Mutex<HashMap<usize, Arc<Mutex<Standing>>>>,
}

/// A unit's files as last seen, and the one that counted among them.
#[derive(Default)]
struct Standing {
    files: BTreeSet<String>,
    counts: Option<String>,
}

/// Why one of a unit's files does not speak for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCounted {
    /// Another file of the unit counts: its 填报日期 is later.
    LaterFillDate { by: String, date: NaiveDate },
    /// This file has no 填报日期 and the other has one.
    NoFillDate { by: String },
    /// Same 填报日期: the one uploaded (named) later counts.
    LaterUpload { by: String },
    /// This one names another month.
    OtherMonth { by: String, named: String },
    /// It could not be read as a return.
    Unreadable(String),
}

impl NotCounted {
    /// The file that counts instead, if one does.
    pub fn by(&self) -> Option<&str> {
        match self {
            Self::LaterFillDate { by, .. }
            | Self::NoFillDate { by }
            | Self::LaterUpload { by }
            | Self::OtherMonth { by, .. } => Some(by),
            Self::Unreadable(_) => None,
        }
    }

    /// The reason, in words, naming the file that counts as `by_shown`.
    pub fn said(&self, by_shown: &str) -> String {
        match self {
            Self::LaterFillDate { date, .. } => format!(
                "“{by_shown}”的填报日期（{}）更晚，汇总时以它为准",
                crate::period::chinese_date(*date)
            ),
            Self::NoFillDate { .. } => {
                format!("本表没有填报日期，“{by_shown}”有，汇总时以它为准")
            }
            Self::LaterUpload { .. } => {
                format!("与“{by_shown}”的填报日期相同，以后上传的“{by_shown}”为准")
            }
            Self::OtherMonth { named, .. } => {
                format!("本表写的是{named}，不是本期；汇总时以本期的“{by_shown}”为准")
            }
            Self::Unreadable(why) => format!("无法读取：{why}"),
        }
    }
}

impl Store {
    /// The store of a period folder: staging folders a killed server left are
    /// removed, and each unit's latest name time is read from the names there.
    ///
    /// # Errors
    /// When the folder cannot be listed.
    pub fn open(dir: &Path, period: ReportPeriod, due_day: u32) -> std::io::Result<Self> {
        crate::save::recover(dir)?;
        let mut last: HashMap<String, NaiveDateTime> = HashMap::new();
        for entry in std::fs::read_dir(dir)?.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(STAGING_PREFIX) {
                let _ = std::fs::remove_dir_all(entry.path());
                continue;
            }
            if let Some((unit, time)) = parse_name(&name) {
                let slot = last.entry(unit.to_string()).or_insert(time);
                *slot = (*slot).max(time);
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            period,
            due_day,
            last: Mutex::new(last),
            units: Mutex::default(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The bytes free for uploads on the folder's disk; `None` when the system
    /// does not say.
    pub fn free_bytes(&self) -> Option<u64> {
        let stat = rustix::fs::statvfs(&self.dir).ok()?;
        Some(stat.f_bavail.saturating_mul(stat.f_frsize))
    }

    /// A staging folder for one upload.
    ///
    /// # Errors
    /// [`Refusal::NoSpace`] or [`Refusal::Disk`] when the period folder cannot be written.
    pub fn staging(&self) -> Result<tempfile::TempDir, Refusal> {
        tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(&self.dir)
            .map_err(|e| Refusal::disk(&e))
    }

    /// Streams the file part of an upload into a staging folder, hashing it, and
    /// stops at `limit` bytes. The file is flushed and synced: every write error
    /// comes back, the last one included.
    ///
    /// # Errors
    /// [`Refusal::TooLarge`] past the limit, [`Refusal::Interrupted`] when the
    /// stream breaks, [`Refusal::NoSpace`] or [`Refusal::Disk`] when it cannot
    /// be written.
    pub async fn receive(
        &self,
        field: &mut axum::extract::multipart::Field<'_>,
        limit: u64,
    ) -> Result<Incoming, Refusal> {
        let client_ext = field
            .file_name()
            .map(|n| crate::table::extension(Path::new(n)))
            .unwrap_or_default();
        let staging = self.staging()?;
        let path = staging.path().join("upload.part");
        let disk = |e: std::io::Error| Refusal::disk(&e);
        let mut file = tokio::fs::File::create(&path).await.map_err(disk)?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(too_large(limit));
                }
                Err(_) => return Err(Refusal::Interrupted),
            };
            size = size.saturating_add(chunk.len() as u64);
            if size > limit {
                return Err(too_large(limit));
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(disk)?;
        }
        // A tokio file writes in the background: without the flush, the last
        // write's error (a full disk) would be lost and the file short.
        file.flush().await.map_err(disk)?;
        file.sync_all().await.map_err(disk)?;
        drop(file);
        Ok(Incoming {
            staging,
            path,
            size,
            sha256: crate::digest::hex(&hasher.finalize()),
            client_ext,
        })
    }

    /// A return the server wrote itself (one filled on the form) staged as an
    /// upload is: in a staging folder of its own, synced, hashed and measured,
    /// so it is sniffed, examined and filed exactly like a file received.
    /// Blocking.
    ///
    /// # Errors
    /// [`Refusal::NoSpace`] or [`Refusal::Disk`] when it cannot be written.
    pub fn stage(&self, bytes: &[u8], ext: &str) -> Result<Incoming, Refusal> {
        use std::io::Write;
        let staging = self.staging()?;
        let path = staging.path().join("upload.part");
        let disk = |e: std::io::Error| Refusal::disk(&e);
        let mut file = std::fs::File::create(&path).map_err(disk)?;
        file.write_all(bytes).map_err(disk)?;
        file.sync_all().map_err(disk)?;
        drop(file);
        Ok(Incoming {
            staging,
            path,
            size: bytes.len() as u64,
            sha256: crate::digest::sha256_hex(bytes),
            client_ext: ext.to_string(),
        })
    }

    /// Sniffs an upload: what it is by content, and the extension it will have.
    /// Blocking: reads the file.
    ///
    /// # Errors
    /// A [`Refusal`] when it is no spreadsheet, too large, or cannot be read back.
    pub fn sniff(reader: Reader, incoming: Incoming) -> Result<Sniffed, Refusal> {
        let bytes = std::fs::read(&incoming.path).map_err(|e| Refusal::disk(&e))?;
        // What was read back is what was received, or the disk lost some of it.
        if bytes.len() as u64 != incoming.size {
            return Err(Refusal::Disk(format!(
                "暂存的文件只有 {} 字节，收到的是 {} 字节",
                bytes.len(),
                incoming.size
            )));
        }
        let ext = match crate::table::workbook::sniff_format(&bytes, &reader.limits) {
            Ok(format) => extension_for(format, &incoming.client_ext),
            // A zip of returns: its members are checked when it is examined, as a run reads them.
            Err(OpenError::Archive) => "zip",
            Err(e) => return Err(Refusal::from_open(&e)),
        };
        Ok(Sniffed {
            ext,
            staging: incoming.staging,
            path: incoming.path,
            size: incoming.size,
            sha256: incoming.sha256,
        })
    }

    /// Names an upload for `unit` in this period and checks it as this period's
    /// return. Blocking: reads and checks the whole file.
    ///
    /// # Errors
    /// A [`Refusal`] when it cannot be read as a return, or is another unit's.
    pub fn examine(
        &self,
        reader: Reader,
        unit: usize,
        sniffed: Sniffed,
        now: DateTime<Utc>,
    ) -> Result<Examined, Refusal> {
        let prefix = safe_name(&reader.roster.units[unit].name);
        let name = self.next_name(&prefix, now, &sniffed.sha256, sniffed.ext);
        let staged = sniffed.staging.path().join(&name);
        std::fs::rename(&sniffed.path, &staged).map_err(|e| Refusal::disk(&e))?;
        let sniffed = Sniffed {
            path: staged,
            ..sniffed
        };
        let inspection = inspect(reader, &sniffed.path, self.period, self.due_day);
        check_unit(&inspection, reader, unit)?;
        Ok(Examined {
            sniffed,
            name,
            inspection,
        })
    }

    /// Files an examined upload of `unit`: once per distinct file, within the
    /// unit's bounds, linked in, synced, read back and compared, then `commit`
    /// (the log line) — and removed again when any of it fails. One upload of
    /// a unit at a time. Blocking.
    ///
    /// # Errors
    /// [`Refusal::TooManyUploads`] or [`Refusal::TooManyBytes`] past the
    /// bounds; [`Refusal::NoSpace`] or [`Refusal::Disk`] when it could not be
    /// stored whole or `commit` failed.
    pub fn file(
        &self,
        unit: usize,
        examined: &Examined,
        uploads: &dyn Ledger,
        bounds: &Bounds,
        commit: impl FnOnce(&str) -> std::io::Result<()>,
    ) -> Result<Filed, Refusal> {
        let standing = self.unit_lock(unit);
        let _one_at_a_time = standing.lock().unwrap_or_else(PoisonError::into_inner);
        let sniffed = &examined.sniffed;
        if let Some(same) = uploads.same_bytes(unit, &sniffed.sha256)
            && self.dir.join(&same).is_file()
        {
            return Ok(Filed::Already(same));
        }
        let (count, bytes) = uploads.used_by(unit);
        if count >= bounds.unit_uploads {
            return Err(Refusal::TooManyUploads(bounds.unit_uploads));
        }
        if bytes.saturating_add(sniffed.size) > bounds.unit_bytes {
            return Err(Refusal::TooManyBytes(bounds.unit_bytes / (1024 * 1024)));
        }
        let target = self.dir.join(&examined.name);
        // The name is new for this unit, but a file put there by hand may hold it.
        place(&sniffed.path, &target).map_err(|e| Refusal::disk(&e))?;
        let stored = (|| {
            crate::save::sync_folder(&self.dir);
            let (size, sha256) = measure(&target).map_err(|e| Refusal::disk(&e))?;
            if size != sniffed.size || sha256 != sniffed.sha256 {
                return Err(Refusal::Disk(format!(
                    "保存后核对不符：存下 {size} 字节，收到 {} 字节",
                    sniffed.size
                )));
            }
            commit(&examined.name).map_err(|e| Refusal::disk(&e))
        })();
        if let Err(refusal) = stored {
            let _ = std::fs::remove_file(&target);
            crate::save::sync_folder(&self.dir);
            return Err(refusal);
        }
        Ok(Filed::Stored(examined.name.clone()))
    }

    fn unit_lock(&self, unit: usize) -> Arc<Mutex<Standing>> {
        let mut units = self.units.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(units.entry(unit).or_default())
    }

    /// The files of the folder whose names name `unit`.
    fn files_of(&self, reader: Reader, unit: usize) -> BTreeSet<String> {
        crate::intake::list_folder(&self.dir)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()))
            .filter(|n| reader.roster.find_in(n) == Some(unit))
            .map(str::to_string)
            .collect()
    }

    /// Why the stored file `name` of `unit` does not speak for it, when another
    /// of the unit's files wins over it (a later 填报日期, or a later name on the
    /// same date), as intake decides it for the consolidation. Blocking: reads
    /// the file that counted so far and this one, or all the unit's files when
    /// the folder changed by other hands; one unit at a time.
    pub fn superseded_by(&self, reader: Reader, unit: usize, name: &str) -> Option<NotCounted> {
        let standing = self.unit_lock(unit);
        let mut standing = standing.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = self.files_of(reader, unit);
        let mut known = standing.files.clone();
        known.insert(name.to_string());
        let read: Vec<PathBuf> = match &standing.counts {
            Some(counts) if known == mine && counts != name => {
                vec![self.dir.join(counts), self.dir.join(name)]
            }
            _ => mine.iter().map(|n| self.dir.join(n)).collect(),
        };
        let intake = reader.read_files(&read, self.period, &crate::intake::Quiet);
        let counts = counting_file(&intake, unit);
        *standing = Standing {
            files: mine,
            counts: counts.clone(),
        };
        not_counted(&intake, unit, name, self.period)
    }

    /// Each of `unit`'s files in the folder, with why it does not count, or
    /// `None` for the one that does. Blocking: reads them all.
    pub fn standing(&self, reader: Reader, unit: usize) -> Vec<(String, Option<NotCounted>)> {
        let standing = self.unit_lock(unit);
        let mut standing = standing.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = self.files_of(reader, unit);
        let read: Vec<PathBuf> = mine.iter().map(|n| self.dir.join(n)).collect();
        let intake = reader.read_files(&read, self.period, &crate::intake::Quiet);
        let counts = counting_file(&intake, unit);
        let found = mine
            .iter()
            .map(|name| (name.clone(), not_counted(&intake, unit, name, self.period)))
            .collect();
        *standing = Standing {
            files: mine,
            counts,
        };
        found
    }

    /// `<unit>_<time>_<sha8>.<ext>`, the time at least a second after the unit's last.
    fn next_name(&self, prefix: &str, now: DateTime<Utc>, sha256: &str, ext: &str) -> String {
        let now = now.naive_utc();
        let now = now.with_nanosecond(0).unwrap_or(now);
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let time = match last.get(prefix) {
            Some(previous) if *previous >= now => *previous + TimeDelta::seconds(1),
            _ => now,
        };
        last.insert(prefix.to_string(), time);
        let sha8 = sha256.get(..8).unwrap_or(sha256);
        format!("{prefix}_{}_{sha8}.{ext}", time.format(NAME_TIME))
    }
}

/// The file whose return speaks for `unit`, if any.
fn counting_file(intake: &Intake, unit: usize) -> Option<String> {
    intake
        .files
        .iter()
        .find(|f| f.returns.iter().any(|r| r.counts() && r.unit == Some(unit)))
        .map(|f| f.folder_name().to_string())
}

/// Why `name` does not speak for `unit` in `intake`, or `None` when it does.
fn not_counted(
    intake: &Intake,
    unit: usize,
    name: &str,
    period: ReportPeriod,
) -> Option<NotCounted> {
    let file = intake.files.iter().find(|f| f.name == name)?;
    if let FileStatus::Unreadable(e) = &file.status {
        return Some(NotCounted::Unreadable(e.to_string()));
    }
    if let FileStatus::Skipped(why) = &file.status {
        return Some(NotCounted::Unreadable(why.clone()));
    }
    let Some(lost) = file.returns.iter().find(|r| r.unit == Some(unit)) else {
        return Some(NotCounted::Unreadable("文件中没有本单位的报表".to_string()));
    };
    let by = lost.superseded_by.clone()?;
    let won = intake.files.iter().find(|f| f.name == by).and_then(|f| {
        f.returns
            .iter()
            .find(|r| r.unit == Some(unit) && r.counts())
    });
    Some(why_lost(lost, won, by, period))
}

fn why_lost(
    lost: &ReadReturn,
    won: Option<&ReadReturn>,
    by: String,
    period: ReportPeriod,
) -> NotCounted {
    let other_month = |r: &ReadReturn| r.months.other_than(period).map(|(_, named)| named);
    if let Some(named) = other_month(lost)
        && won.is_none_or(|w| other_month(w).is_none())
    {
        return NotCounted::OtherMonth {
            by,
            named: named_text(named),
        };
    }
    match (lost.filed, won.and_then(|w| w.filed)) {
        (None, Some(_)) => NotCounted::NoFillDate { by },
        (Some(mine), Some(theirs)) if theirs > mine => NotCounted::LaterFillDate {
            by,
            date: theirs.date(),
        },
        _ => NotCounted::LaterUpload { by },
    }
}

/// The size and SHA-256 of a file as it is on disk now.
pub fn measure(path: &Path) -> std::io::Result<(u64, String)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((size, crate::digest::hex(&hasher.finalize())))
}

/// An upload over `limit` bytes.
pub fn too_large(limit: u64) -> Refusal {
    Refusal::TooLarge(format!(
        "文件超过 {} MB 的上限：请删除无关的工作表或图片后重新上传",
        limit / (1024 * 1024)
    ))
}

/// The unit and time of a name this store made.
fn parse_name(name: &str) -> Option<(&str, NaiveDateTime)> {
    let mut parts = name.splitn(3, '_');
    let unit = parts.next()?;
    let time = NaiveDateTime::parse_from_str(parts.next()?, NAME_TIME).ok()?;
    parts.next()?;
    Some((unit, time))
}

/// Whether the server made this name: `<unit>_<time>_<sha8>.<ext>`.
pub fn made_by_server(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let Some((_, sha8)) = stem.rsplit_once('_') else {
        return false;
    };
    !ext.is_empty()
        && sha8.len() == 8
        && sha8.bytes().all(|b| b.is_ascii_hexdigit())
        && parse_name(stem).is_some()
}

/// The unit part and the time of a name the server made.
pub fn name_parts(name: &str) -> Option<(&str, DateTime<Utc>)> {
    if !made_by_server(name) {
        return None;
    }
    parse_name(name).map(|(unit, time)| (unit, time.and_utc()))
}

/// Every return of the file (of every member of a zip) must be the code's unit's:
/// a code uploads for its unit only. A file, or a zip, nothing of which could be
/// read is refused for the reason its first unreadable file gives.
fn check_unit(inspection: &Inspection, reader: Reader, unit: usize) -> Result<(), Refusal> {
    let Some(file) = inspection.file() else {
        return Err(Refusal::Interrupted);
    };
    if let FileStatus::Skipped(why) = &file.status {
        return Err(Refusal::NotSpreadsheet(why.clone()));
    }
    if let Some(e) = inspection.unreadable() {
        return Err(Refusal::from_open(e));
    }
    let mine = &reader.roster.units[unit].name;
    for read in inspection.files().iter().flat_map(|f| &f.returns) {
        if read.unit != Some(unit) {
            let found = match (read.unit, &read.unknown_unit) {
                (Some(u), _) => reader.roster.units[u].name.clone(),
                (None, Some(text)) => text.clone(),
                (None, None) => "（未填写）".to_string(),
            };
            return Err(Refusal::OtherUnit {
                found,
                mine: mine.clone(),
            });
        }
    }
    Ok(())
}

/// The extension to store a file of `format` under: the client's, when it is
/// one this format is saved as, else the format's own.
fn extension_for(format: Format, client_ext: &str) -> &'static str {
    let allowed: &[&'static str] = match format {
        Format::Xlsx => &["xlsx", "xlsm", "xltx", "xltm"],
        Format::Xls => &["xls", "xlt", "et", "ett"],
        Format::Xlsb => &["xlsb"],
        Format::Ods => &["ods", "ots"],
        Format::Csv => &["csv", "tsv"],
        Format::Html => &["html", "htm", "xls"],
        Format::SpreadsheetMl => &["xml", "xls"],
    };
    allowed
        .iter()
        .find(|e| **e == client_ext)
        .or(allowed.first())
        .copied()
        .unwrap_or("xlsx")
}

/// A unit name as a file-name part: characters no file system takes become `-`.
pub(crate) fn safe_name(unit: &str) -> String {
    let name: String = unit
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|_".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    let name = name.trim_start_matches(['.', '~', '-', ' ']).to_string();
    if name.is_empty() {
        "单位".to_string()
    } else {
        name
    }
}

/// Puts the staged file at `target` without ever replacing a file there.
fn place(staged: &Path, target: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(staged, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        // A file system without hard links: a rename, once nothing is there.
        Err(_) if !target.exists() => std::fs::rename(staged, target),
        Err(e) => Err(e),
    }
}

/// The opaque id a stored file is reached by in links: a hash of its name, so
/// no client text is ever taken for a path.
pub fn file_id(name: &str) -> String {
    crate::digest::hex(&Sha256::digest(name.as_bytes())[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::log::{Record, Uploads};

    #[test]
    fn names_sort_by_acceptance_for_each_unit() {
        let dir = tempfile::tempdir().expect("dir");
        let period = ReportPeriod::of(chrono::NaiveDate::from_ymd_opt(2018, 7, 31).expect("date"));
        let store = Store::open(dir.path(), period, 5).expect("store");
        let now = DateTime::parse_from_rfc3339("2018-08-03T01:02:03.900Z")
            .expect("time")
            .with_timezone(&Utc);
        let names: Vec<String> = ["ffff0000", "0000ffff", "aaaa0000"]
            .iter()
            .map(|sha| store.next_name("海口市", now, sha, "xlsx"))
            .collect();
        assert_eq!(
            names,
            [
                "海口市_20180803T010203Z_ffff0000.xlsx",
                "海口市_20180803T010204Z_0000ffff.xlsx",
                "海口市_20180803T010205Z_aaaa0000.xlsx",
            ]
        );
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, names);
        // Another unit keeps its own clock.
        assert_eq!(
            store.next_name("三亚市", now, "12345678", "xls"),
            "三亚市_20180803T010203Z_12345678.xls"
        );
        // A restarted server goes on after the names already in the folder.
        std::fs::write(dir.path().join(&names[2]), b"x").expect("write");
        // The name names no month: its time is not read as one.
        assert_eq!(crate::period::month_named(&names[0]), None);
        let store = Store::open(dir.path(), period, 5).expect("reopen");
        assert_eq!(
            store.next_name("海口市", now, "bbbb0000", "xlsx"),
            "海口市_20180803T010206Z_bbbb0000.xlsx"
        );
    }

    #[test]
    fn a_return_is_filed_by_the_month_it_names() {
        let july = Month::parse("2018-07").expect("month");
        let cases: [(Option<Named>, Filing); 8] = [
            (None, Filing::Collected),
            (Some((Some(2018), 7)), Filing::Collected),
            (Some((None, 7)), Filing::Collected),
            (Some((Some(2018), 6)), Filing::Late(july.previous())),
            (Some((None, 6)), Filing::Late(july.previous())),
            (Some((Some(2017), 7)), Filing::Other),
            (Some((Some(2018), 8)), Filing::Other),
            (Some((None, 5)), Filing::Other),
        ];
        for (named, want) in cases {
            assert_eq!(filing(named, july), want, "{named:?}");
        }
        // Over the new year.
        let january = Month::parse("2019-01").expect("month");
        assert_eq!(
            filing(Some((Some(2018), 12)), january),
            Filing::Late(Month::parse("2018-12").expect("month"))
        );
        assert_eq!(
            filing(Some((None, 12)), january),
            Filing::Late(january.previous())
        );
        assert_eq!(named_text((Some(2018), 6)), "2018年6月");
        assert_eq!(named_text((None, 6)), "6月");
    }

    #[test]
    fn the_servers_refusals_read_word_for_word() {
        let cases = [
            (
                Refusal::OtherMonth {
                    found: "2018年6月".into(),
                    collecting: "2018年8月".into(),
                    previous: "2018年7月".into(),
                },
                "报表的标题或文件名写的是2018年6月，而本网页正在收集2018年8月的报表（2018年7月的迟报也可上传）：请上传2018年8月的报表；如要补报其他月份，请联系省教育厅",
            ),
            (
                Refusal::TooManyUploads(20),
                "本单位本期已上传 20 份文件，达到上限，本次未保存：如确需再次上传，请打电话联系省教育厅",
            ),
            (
                Refusal::TooManyBytes(200),
                "本单位本期上传的文件已达 200 MB 上限，本次未保存：如确需再次上传，请打电话联系省教育厅",
            ),
            (
                Refusal::NoSpace,
                "服务器的磁盘空间不足，暂时无法保存报表。这不是您的报表的问题：请打电话告诉省教育厅，稍后再上传",
            ),
            (
                Refusal::Disk("系统错误（代码 24）".into()),
                "服务器暂时无法保存文件（系统错误（代码 24））。这不是您的报表的问题：请过几分钟再上传；仍不行请打电话告诉省教育厅",
            ),
        ];
        for (refusal, want) in cases {
            assert_eq!(refusal.to_string(), want);
        }
        // A full disk, by its error, is the server's, never the county's.
        let full = Refusal::disk(&std::io::Error::from_raw_os_error(28));
        assert_eq!(full, Refusal::NoSpace);
        assert!(full.is_servers());
        let files = Refusal::disk(&std::io::Error::from_raw_os_error(24));
        assert!(matches!(files, Refusal::Disk(_)) && files.is_servers());
        assert!(!Refusal::Interrupted.is_servers());
    }

    fn reader_parts() -> (crate::catalogue::Catalogue, crate::roster::Roster) {
        (
            crate::catalogue::Catalogue::embedded().expect("catalogue"),
            crate::roster::Roster::default_hainan().expect("roster"),
        )
    }

    /// A return of 海口市 received into `store`'s staging, as `receive` leaves it.
    fn received(store: &Store, narrative: &str) -> Incoming {
        let (catalogue, roster) = reader_parts();
        let unit = roster.lookup("海口市").expect("unit");
        let tasks: Vec<u32> = roster.expectations(&catalogue)[unit]
            .iter()
            .map(|(t, _)| *t)
            .collect();
        let mut fill = crate::template::Fill::default();
        for t in &tasks {
            fill.rows.insert(
                *t,
                crate::template::RowFill {
                    status: "推进中".into(),
                    narrative: narrative.into(),
                    ..Default::default()
                },
            );
        }
        let bytes =
            crate::template::build(&catalogue, "海口市", &tasks, Some(&fill)).expect("return");
        let staging = store.staging().expect("staging");
        let path = staging.path().join("upload.part");
        std::fs::write(&path, &bytes).expect("write");
        Incoming {
            staging,
            path,
            size: bytes.len() as u64,
            sha256: crate::digest::sha256_hex(&bytes),
            client_ext: "xlsx".into(),
        }
    }

    #[test]
    fn a_unit_files_each_file_once_within_its_bounds() {
        let dir = tempfile::tempdir().expect("dir");
        let period = ReportPeriod::of(chrono::NaiveDate::from_ymd_opt(2018, 7, 31).expect("date"));
        let store = Store::open(dir.path(), period, 5).expect("store");
        let (catalogue, roster) = reader_parts();
        let reader = Reader {
            catalogue: &catalogue,
            roster: &roster,
            limits: crate::table::format::Limits::default(),
        };
        let unit = roster.lookup("海口市").expect("unit");
        let uploads = Uploads::default();
        let now = Utc::now();
        let file = |narrative: &str, bounds: Bounds| {
            let sniffed = Store::sniff(reader, received(&store, narrative)).expect("sniffed");
            let examined = store.examine(reader, unit, sniffed, now).expect("examined");
            let size = examined.size();
            let sha256 = examined.sha256().to_string();
            store.file(unit, &examined, &uploads, &bounds, |name| {
                uploads.add(Record {
                    id: file_id(name),
                    unit,
                    file: name.to_string(),
                    client_name: String::new(),
                    time: now,
                    size,
                    sha256,
                    problems: 0,
                    recovered: false,
                    online: false,
                });
                Ok(())
            })
        };
        let roomy = Bounds {
            min_free_bytes: 0,
            unit_uploads: 3,
            unit_bytes: 1024 * 1024,
        };
        let Ok(Filed::Stored(first)) = file("第一版", roomy) else {
            panic!("the first is stored");
        };
        // The same bytes again: the first, nothing stored.
        assert!(matches!(file("第一版", roomy), Ok(Filed::Already(f)) if f == first));
        assert!(matches!(file("第二版", roomy), Ok(Filed::Stored(_))));
        // Too many bytes: a return is about 14 KB, the bound 20 KB.
        let tight = Bounds {
            unit_bytes: 20 * 1024,
            ..roomy
        };
        assert_eq!(file("第三版", tight).err(), Some(Refusal::TooManyBytes(0)));
        assert!(matches!(file("第三版", roomy), Ok(Filed::Stored(_))));
        assert_eq!(
            file("第四版", roomy).err(),
            Some(Refusal::TooManyUploads(3))
        );
        // A failing commit (the log line) leaves no file.
        let before = crate::intake::list_folder(dir.path()).expect("list");
        let sniffed = Store::sniff(reader, received(&store, "第五版")).expect("sniffed");
        let examined = store.examine(reader, unit, sniffed, now).expect("examined");
        let failed = store.file(unit, &examined, &Uploads::default(), &roomy, |_| {
            Err(std::io::Error::from_raw_os_error(28))
        });
        assert_eq!(failed.err(), Some(Refusal::NoSpace));
        assert_eq!(
            crate::intake::list_folder(dir.path()).expect("list"),
            before
        );
        assert_eq!(before.len(), 3);
    }

    #[test]
    fn extensions_come_from_content_and_an_allow_list() {
        let cases = [
            (Format::Xlsx, "xlsx", "xlsx"),
            (Format::Xlsx, "xlsm", "xlsm"),
            (Format::Xlsx, "xls", "xlsx"),
            (Format::Xlsx, "exe", "xlsx"),
            (Format::Xlsx, "", "xlsx"),
            (Format::Xls, "et", "et"),
            (Format::Xls, "xlsx", "xls"),
            (Format::Html, "xls", "xls"),
            (Format::Csv, "txt", "csv"),
        ];
        for (format, client, want) in cases {
            assert_eq!(extension_for(format, client), want, "{format:?} {client}");
        }
    }

    #[test]
    fn refusals_by_cause_with_what_to_do() {
        let cases = [
            (
                OpenError::TooLarge { size: 9, limit: 8 },
                "TooLarge",
                "文件过大",
            ),
            (
                OpenError::InflatesTooMuch { limit: 8 },
                "TooLarge",
                "解压后过大",
            ),
            (OpenError::Pdf, "NotSpreadsheet", "这是 PDF 文件"),
            (OpenError::Image, "NotSpreadsheet", "这是图片文件"),
            (OpenError::WordDocument, "NotSpreadsheet", "这是 Word 文档"),
            (OpenError::Empty, "NotSpreadsheet", "文件为空"),
            (OpenError::Text, "NotSpreadsheet", "这是文本文件"),
            (OpenError::Password, "Unreadable", "设有打开密码"),
            (OpenError::Corrupt("x".into()), "Unreadable", "已损坏"),
            (
                OpenError::NoReturn { sheets: 2 },
                "Unreadable",
                "未找到进展情况表",
            ),
        ];
        for (error, kind, said) in cases {
            let refusal = Refusal::from_open(&error);
            assert!(
                format!("{refusal:?}").starts_with(kind),
                "{error:?} → {refusal:?}"
            );
            assert!(refusal.to_string().contains(said), "{refusal}");
        }
        let other = Refusal::OtherUnit {
            found: "三亚市".into(),
            mine: "海口市".into(),
        };
        assert_eq!(
            other.to_string(),
            "报表中的填报单位是“三亚市”，与上报码所属单位“海口市”不符：请用本单位的报表上报，或更正报表中的填报单位"
        );
        assert!(too_large(50 * 1024 * 1024).to_string().contains("50 MB"));
        assert!(
            Refusal::Disk("磁盘空间不足".into())
                .to_string()
                .contains("磁盘空间不足")
        );
    }

    #[test]
    fn unit_names_cannot_make_paths() {
        assert_eq!(safe_name("海口市"), "海口市");
        assert_eq!(safe_name("../a/b"), "a-b");
        assert_eq!(safe_name("a_b"), "a-b");
        assert_eq!(safe_name(".."), "单位");
    }
}
