//! Taking an upload into the period folder: streamed to a private staging folder
//! (hidden, so no run lists it) while it is hashed and measured, sniffed by
//! content, checked as the return it claims to be, then linked into the period
//! folder under a name the server makes, `<unit>_<UTC time>_<sha256 prefix>.<ext>`
//! (names no month: intake ranks it with the county's own files of the period, and
//! the later filed wins).
//! Linking never replaces a file, and a file appears whole or not at all: a crash
//! or a dropped connection leaves at most a staging folder, removed on restart.
//!
//! Names sort by when they were accepted for each unit, so a resubmission with the
//! same 填报日期 supersedes the earlier one, as SPEC §3 breaks ties by name. Nothing
//! the client sends becomes part of a path, except an extension from an allow-list
//! that agrees with the content.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Timelike, Utc};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::inspect::{Inspection, inspect};
use crate::intake::{FileStatus, Reader, ReportPeriod};
use crate::table::format::{Format, OpenError};

/// Staging folders begin so: hidden from intake, and swept on start.
const STAGING_PREFIX: &str = ".county-returns-upload-";
const NAME_TIME: &str = "%Y%m%dT%H%M%SZ";

/// Why an upload was not stored. Each says what to do.
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
    /// The upload stopped before the file was whole.
    #[error("文件没有完整上传（连接中断或请求格式不对）：请重新选择文件上传")]
    Interrupted,
    /// The server could not write.
    #[error("服务器无法保存文件（{0}）：请稍后重试，或联系省教育厅")]
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

/// An upload stored in the period folder, with what the check found.
pub struct Accepted {
    pub name: String,
    pub inspection: Inspection,
}

/// The period folder, and the last name time given to each unit.
pub struct Store {
    dir: PathBuf,
    period: ReportPeriod,
    due_day: u32,
    last: Mutex<HashMap<String, NaiveDateTime>>,
    /// Per unit: which of its files counts, as last worked out.
    standings: Mutex<HashMap<usize, std::sync::Arc<Mutex<Standing>>>>,
}

/// A unit's files as last seen, and the one that counted among them.
#[derive(Default)]
struct Standing {
    files: BTreeSet<String>,
    counts: Option<String>,
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
            standings: Mutex::default(),
        })
    }

    /// A staging folder for one upload.
    ///
    /// # Errors
    /// [`Refusal::Disk`] when the period folder cannot be written.
    pub fn staging(&self) -> Result<tempfile::TempDir, Refusal> {
        tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(&self.dir)
            .map_err(|e| Refusal::Disk(crate::os::describe(&e)))
    }

    /// Streams the file part of an upload into a staging folder, hashing it, and
    /// stops at `limit` bytes.
    ///
    /// # Errors
    /// [`Refusal::TooLarge`] past the limit, [`Refusal::Interrupted`] when the
    /// stream breaks, [`Refusal::Disk`] when it cannot be written.
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
        let disk = |e: std::io::Error| Refusal::Disk(crate::os::describe(&e));
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

    /// Sniffs, names, checks and stores an upload for `unit`. Blocking: reads and
    /// checks the whole file.
    ///
    /// # Errors
    /// A [`Refusal`] saying why nothing was stored.
    pub fn accept(
        &self,
        reader: Reader,
        unit: usize,
        incoming: Incoming,
        now: DateTime<Utc>,
    ) -> Result<Accepted, Refusal> {
        let disk = |e: std::io::Error| Refusal::Disk(crate::os::describe(&e));
        let bytes = std::fs::read(&incoming.path).map_err(disk)?;
        let ext = match crate::table::workbook::sniff_format(&bytes, &reader.limits) {
            Ok(format) => extension_for(format, &incoming.client_ext),
            // A zip of returns: its members are checked below, as a run reads them.
            Err(OpenError::Archive) => "zip",
            Err(e) => return Err(Refusal::from_open(&e)),
        };
        drop(bytes);
        let unit_name = &reader.roster.units[unit].name;
        let prefix = safe_name(unit_name);
        let mut name = self.next_name(&prefix, now, &incoming.sha256, ext);
        let mut staged = incoming.staging.path().join(&name);
        std::fs::rename(&incoming.path, &staged).map_err(disk)?;
        let inspection = inspect(reader, &staged, self.period, self.due_day);
        check_unit(&inspection, reader, unit)?;
        // The name is new for this unit, but a file put there by hand may hold it.
        let mut tries = 0;
        loop {
            let target = self.dir.join(&name);
            match place(&staged, &target) {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 5 => {
                    tries += 1;
                    name = self.next_name(&prefix, now, &incoming.sha256, ext);
                    let again = incoming.staging.path().join(&name);
                    std::fs::rename(&staged, &again).map_err(disk)?;
                    staged = again;
                }
                Err(e) => return Err(disk(e)),
            }
        }
        crate::save::sync_folder(&self.dir);
        // The inspection named the staged file: the same name as the stored one.
        Ok(Accepted { name, inspection })
    }

    /// The file that speaks for `unit` instead of its stored file `name`, when
    /// another of the unit's files wins over it (a later 填报日期, or a later name
    /// on the same date), as intake decides it for the consolidation. The unit's
    /// files are those whose names name it. Blocking: reads the file that counted
    /// so far and this one, or all the unit's files when the folder changed by
    /// other hands; one unit at a time.
    pub fn superseded_by(&self, reader: Reader, unit: usize, name: &str) -> Option<String> {
        let standing = {
            let mut standings = self
                .standings
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            std::sync::Arc::clone(standings.entry(unit).or_default())
        };
        let mut standing = standing.lock().unwrap_or_else(PoisonError::into_inner);
        let mine: BTreeSet<String> = crate::intake::list_folder(&self.dir)
            .ok()?
            .iter()
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()))
            .filter(|n| reader.roster.find_in(n) == Some(unit))
            .map(str::to_string)
            .collect();
        let mut known = standing.files.clone();
        known.insert(name.to_string());
        let read: Vec<PathBuf> = match &standing.counts {
            Some(counts) if known == mine && counts != name => {
                vec![self.dir.join(counts), self.dir.join(name)]
            }
            _ => mine.iter().map(|n| self.dir.join(n)).collect(),
        };
        let intake = reader.read_files(&read, self.period, &crate::intake::Quiet);
        let counts = intake
            .files
            .iter()
            .find(|f| f.returns.iter().any(|r| r.counts() && r.unit == Some(unit)))
            .map(|f| f.folder_name().to_string());
        *standing = Standing {
            files: mine,
            counts: counts.clone(),
        };
        counts.filter(|c| c != name)
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

/// A unit name as a file-name part: characters no file system takes become `_`.
fn safe_name(unit: &str) -> String {
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
