//! The upload log: one JSON line per upload attempt, appended and synced before
//! the answer goes out, in the folder holding the period folders (never inside a
//! period folder, where a run would list it). Nothing ever rewrites it; each
//! period's uploads and refused attempts are read back from it.
//!
//! A stored upload is answered only once its line is on disk. A server killed
//! between storing a file and writing its line leaves a file without one: on
//! start, [`missing_lines`] finds those and the server appends them, marked
//! `recovered`.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::roster::Roster;

/// The log's name in the input root.
pub const LOG_FILE: &str = "上报日志.jsonl";

/// What became of an upload: stored.
pub const STORED: &str = "已保存";
/// What became of an upload: the unit had sent the same bytes before.
pub const ALREADY: &str = "与已收到的文件相同，未重复保存";
/// What a return filled on the form is called where an upload's file name
/// would be (it has none): in the log's `client_name`, and on every page.
pub const FILLED_ONLINE: &str = "网页填报";

/// One upload attempt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Line {
    /// When it was answered, UTC, RFC 3339.
    pub time: String,
    /// The period it was for (`2018-07`).
    pub period: String,
    /// The unit whose code was given; empty when the code was wrong.
    pub unit: String,
    /// The client's address.
    pub client: String,
    /// The name the file was stored under; empty when nothing was stored.
    pub file: String,
    /// The name the client gave the file (kept as text only, never used as a path).
    pub client_name: String,
    pub size: u64,
    /// SHA-256 of the bytes received, hex; empty when none were kept.
    pub sha256: String,
    /// [`STORED`], or why not (in Chinese).
    pub result: String,
    /// Problems the check found in a stored return (errors and warnings).
    #[serde(default)]
    pub problems: usize,
    /// Written on start for a stored file that had no line: the server was
    /// stopped after storing it and before answering.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recovered: bool,
    /// The return was filled on the form (`/fill`), not uploaded as a file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub online: bool,
}

impl Line {
    /// Whether the line records a file stored.
    pub fn stored(&self) -> bool {
        self.result == STORED && !self.file.is_empty()
    }
}

/// The append-only log.
pub struct UploadLog {
    path: PathBuf,
    /// One writer at a time, so lines never interleave.
    lock: std::sync::Mutex<()>,
}

impl UploadLog {
    /// The log of `root`. A last line torn by a power cut is ended, so the next
    /// line starts on its own.
    ///
    /// # Errors
    /// When an existing log cannot be read or written.
    pub fn open(root: &Path) -> std::io::Result<Self> {
        let path = root.join(LOG_FILE);
        // Only the last byte is read: the whole log is read once, by the caller.
        match OpenOptions::new().read(true).append(true).open(&path) {
            Ok(mut file) => {
                let len = file.metadata()?.len();
                if len > 0 {
                    let mut last = [0u8];
                    file.seek(SeekFrom::Start(len - 1))?;
                    file.read_exact(&mut last)?;
                    if last != *b"\n" {
                        file.write_all(b"\n")?;
                        file.sync_data()?;
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(Self {
            path,
            lock: std::sync::Mutex::new(()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and syncs it to disk.
    ///
    /// # Errors
    /// When the log cannot be opened or written.
    pub fn append(&self, line: &Line) -> std::io::Result<()> {
        let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
        text.push('\n');
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(text.as_bytes())?;
        file.sync_data()
    }

    /// Every line read back, oldest first; a line that does not parse (a torn
    /// last line after a power cut) is left out.
    pub fn read(&self) -> Vec<Line> {
        std::fs::read_to_string(&self.path)
            .map(|text| {
                text.lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// One upload stored this period, as the server knows it.
#[derive(Debug, Clone)]
pub struct Record {
    /// The opaque id of links to it ([`crate::serve::store::file_id`]).
    pub id: String,
    pub unit: usize,
    pub file: String,
    /// The name the unit's computer gave the file (text only).
    pub client_name: String,
    pub time: DateTime<Utc>,
    pub size: u64,
    pub sha256: String,
    pub problems: usize,
    /// Found on start without a log line ([`Line::recovered`]).
    pub recovered: bool,
    /// Filled on the form ([`Line::online`]).
    pub online: bool,
}

/// The uploads stored this period: read back from the log on start, added to as
/// uploads are stored.
#[derive(Default)]
pub struct Uploads {
    list: std::sync::Mutex<Vec<Record>>,
}

impl Uploads {
    /// The stored uploads of `period` whose files are still in `dir`.
    pub fn from_log(lines: &[Line], period: &str, dir: &Path, roster: &Roster) -> Self {
        let list = lines
            .iter()
            .filter(|l| l.stored() && l.period == period)
            .filter(|l| dir.join(&l.file).is_file())
            .filter_map(|l| {
                Some(Record {
                    id: crate::serve::store::file_id(&l.file),
                    unit: roster.lookup(&l.unit)?,
                    file: l.file.clone(),
                    client_name: l.client_name.clone(),
                    time: DateTime::parse_from_rfc3339(&l.time)
                        .ok()?
                        .with_timezone(&Utc),
                    size: l.size,
                    sha256: l.sha256.clone(),
                    problems: l.problems,
                    recovered: l.recovered,
                    online: l.online,
                })
            })
            .collect();
        Self {
            list: std::sync::Mutex::new(list),
        }
    }

    fn list(&self) -> std::sync::MutexGuard<'_, Vec<Record>> {
        self.list
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn add(&self, record: Record) {
        self.list().push(record);
    }

    /// A unit's uploads, latest first.
    pub fn of_unit(&self, unit: usize) -> Vec<Record> {
        let mut mine: Vec<Record> = self
            .list()
            .iter()
            .filter(|r| r.unit == unit)
            .cloned()
            .collect();
        mine.reverse();
        mine
    }

    pub fn find(&self, id: &str) -> Option<Record> {
        self.list().iter().find(|r| r.id == id).cloned()
    }

    /// The upload stored under `file`, if the server stored it.
    pub fn by_file(&self, file: &str) -> Option<Record> {
        self.list().iter().find(|r| r.file == file).cloned()
    }

    /// Every upload, in the order stored.
    pub fn all(&self) -> Vec<Record> {
        self.list().clone()
    }
}

impl crate::serve::store::Ledger for Uploads {
    fn used_by(&self, unit: usize) -> (usize, u64) {
        self.list()
            .iter()
            .filter(|r| r.unit == unit)
            .fold((0, 0), |(n, bytes), r| (n + 1, bytes + r.size))
    }

    fn same_bytes(&self, unit: usize, sha256: &str) -> Option<String> {
        self.list()
            .iter()
            .find(|r| r.unit == unit && r.sha256 == sha256)
            .map(|r| r.file.clone())
    }
}

/// One attempt that stored nothing, as the office's board lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    /// When (server's local time).
    pub time: String,
    /// The unit whose code was given; empty for a wrong code.
    pub unit: String,
    /// The client's address.
    pub client: String,
    /// The name the client gave the file, if it got that far.
    pub client_name: String,
    /// Why nothing was stored, as the client was told.
    pub reason: String,
}

/// The most attempts kept per period: a flood of wrong codes must not fill memory.
const REFUSALS_KEPT: usize = 200;

/// A period's refused attempts, latest last: read back from the log, added to as
/// they happen.
#[derive(Default)]
pub struct Refusals {
    list: std::sync::Mutex<std::collections::VecDeque<Refused>>,
}

impl Refusals {
    /// The attempts of `period` that stored nothing (a file sent again is not one).
    pub fn from_log(lines: &[Line], period: &str) -> Self {
        let refusals = Self::default();
        for line in lines
            .iter()
            .filter(|l| l.period == period && !l.stored() && l.result != ALREADY)
        {
            refusals.add(line);
        }
        refusals
    }

    pub fn add(&self, line: &Line) {
        let time = DateTime::parse_from_rfc3339(&line.time)
            .map(|t| crate::serve::calendar::local_time(t.with_timezone(&Utc)))
            .unwrap_or_else(|_| line.time.clone());
        let mut list = self
            .list
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if list.len() >= REFUSALS_KEPT {
            list.pop_front();
        }
        list.push_back(Refused {
            time,
            unit: line.unit.clone(),
            client: line.client.clone(),
            client_name: line.client_name.clone(),
            reason: line.result.clone(),
        });
    }

    /// The attempts kept, latest first.
    pub fn latest_first(&self) -> Vec<Refused> {
        let list = self
            .list
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        list.iter().rev().cloned().collect()
    }
}

/// The files of a period folder the server stored (named by
/// [`crate::serve::store`]) that no line of `lines` records as stored: a server
/// killed between storing and logging leaves them.
pub fn missing_lines(lines: &[Line], period: &str, dir: &Path) -> Vec<String> {
    let logged: std::collections::HashSet<&str> = lines
        .iter()
        .filter(|l| l.stored() && l.period == period)
        .map(|l| l.file.as_str())
        .collect();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut missing: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|name| crate::serve::store::made_by_server(name) && !logged.contains(name.as_str()))
        .collect();
    missing.sort();
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_append_and_read_back_a_torn_line_skipped() {
        let dir = tempfile::tempdir().expect("dir");
        let log = UploadLog::open(dir.path()).expect("open");
        let line = Line {
            time: "2018-08-03T01:02:03Z".into(),
            period: "2018-07".into(),
            unit: "海口市".into(),
            client: "127.0.0.1".into(),
            file: "海口市_20180803T010203Z_0123abcd.xlsx".into(),
            client_name: "../\"x\"\n.xlsx".into(),
            size: 10,
            sha256: "0123abcd".into(),
            result: STORED.into(),
            problems: 2,
            recovered: false,
            online: true,
        };
        log.append(&line).expect("append");
        log.append(&line).expect("append");
        std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .and_then(|mut f| f.write_all(b"{\"time\":\"2018"))
            .expect("torn");
        // Reopened after the cut: the torn line is ended, the next one stands alone.
        let log = UploadLog::open(dir.path()).expect("reopen");
        log.append(&line).expect("append");
        assert_eq!(log.read(), vec![line.clone(), line.clone(), line]);
        let text = std::fs::read_to_string(log.path()).expect("read");
        assert_eq!(text.lines().count(), 4, "one line per upload: {text}");
    }
}
