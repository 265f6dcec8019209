//! Earlier periods: what each (unit, task) was judged then, so a run can say what
//! changed. A run leaves its 明细 as a CSV beside its workbook (the report writes
//! it, through [`crate::look::csv`]) with a fingerprint of its inputs; a later run
//! reads those CSVs, and consolidates an earlier period's returns itself where
//! no CSV is found.
//!
//! What changed is [`crate::monthly::changes`]' business; this module only keeps the record.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::check::{Consolidation, UnitRef, Verdict};
use crate::intake::{Intake, ReturnMeta};
use crate::period::Month;
use crate::roster::Roster;
use crate::save::Staged;

/// What one period said about one (unit, task).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub verdict: Verdict,
    pub narrative: std::sync::Arc<str>,
}

/// The record of one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub month: Month,
    pub as_of: NaiveDate,
    /// Counted items by (unit name, task).
    pub items: BTreeMap<(String, u32), Item>,
    /// Contacts by unit name, from that period's returns.
    pub contacts: BTreeMap<String, (String, String)>,
}

impl Period {
    /// The record of a consolidation just made.
    pub fn from_consolidation(month: Month, result: &Consolidation, roster: &Roster) -> Self {
        let mut items = BTreeMap::new();
        for entry in result.entries.iter().filter(|e| e.counts()) {
            let UnitRef::Known(u) = entry.unit else {
                continue;
            };
            let narrative = entry
                .row
                .as_ref()
                .map(|r| r.narrative.clone())
                .unwrap_or_default();
            items.insert(
                (roster.units[u].name.clone(), entry.task),
                Item {
                    verdict: entry.verdict,
                    narrative,
                },
            );
        }
        let contacts = result
            .meta
            .iter()
            .enumerate()
            .filter_map(|(u, meta)| Some((roster.units[u].name.clone(), contact(meta.as_ref()?)?)))
            .collect();
        Self {
            month,
            as_of: result.as_of,
            items,
            contacts,
        }
    }

    /// The units that sent nothing that period: items, every one 未报送.
    pub fn silent_units(&self) -> std::collections::BTreeSet<&str> {
        let mut reported = std::collections::BTreeSet::new();
        let mut all = std::collections::BTreeSet::new();
        for ((unit, _), item) in &self.items {
            all.insert(unit.as_str());
            if item.verdict != Verdict::NotSubmitted {
                reported.insert(unit.as_str());
            }
        }
        all.difference(&reported).copied().collect()
    }

    /// Every unit's completion rate, in one pass over the items.
    pub fn rates_by_unit(&self) -> std::collections::HashMap<&str, f64> {
        let mut counts: std::collections::HashMap<&str, (usize, usize)> =
            std::collections::HashMap::new();
        for ((unit, _), item) in &self.items {
            if item.verdict == Verdict::NotApplicable {
                continue;
            }
            let c = counts.entry(unit.as_str()).or_default();
            c.0 += usize::from(item.verdict.is_done());
            c.1 += 1;
        }
        counts
            .into_iter()
            .map(|(u, (done, all))| (u, done as f64 / all as f64))
            .collect()
    }

    /// (按期完成 + 逾期完成) / (items − 不适用) over all units.
    pub fn completion_rate(&self) -> Option<f64> {
        let applicable: Vec<&Item> = self
            .items
            .values()
            .filter(|i| i.verdict != Verdict::NotApplicable)
            .collect();
        let done = applicable.iter().filter(|i| i.verdict.is_done()).count();
        (!applicable.is_empty()).then(|| done as f64 / applicable.len() as f64)
    }
}

fn contact(meta: &ReturnMeta) -> Option<(String, String)> {
    match (&meta.filler, &meta.phone) {
        (None, None) => None,
        (filler, phone) => Some((
            filler.clone().unwrap_or_default(),
            phone.clone().unwrap_or_default(),
        )),
    }
}

/// The CSV a run leaves beside its workbook.
pub fn csv_path(output_dir: &Path, month: Month) -> PathBuf {
    output_dir.join(csv_name(month))
}

/// `明细_2018-07.csv`: the record's name.
pub fn csv_name(month: Month) -> String {
    format!("明细_{month}.csv")
}

fn fingerprint_path(csv: &Path) -> PathBuf {
    csv.with_extension("fingerprint")
}

/// The files a run leaves as the record of `month` under the records folder:
/// the CSV and its inputs' fingerprint.
pub fn record_files(records: &Path, month: Month) -> [PathBuf; 2] {
    let csv = csv_path(&records.join(month.to_string()), month);
    let fingerprint = fingerprint_path(&csv);
    [csv, fingerprint]
}

/// A digest of the files read (names and SHA-256s): changes when any return changes.
/// A zip's members are not the folder's files: the zip's own digest covers them.
pub fn fingerprint(intake: &Intake) -> String {
    digest(
        intake
            .folder_files()
            .map(|f| (f.name.clone(), f.sha256.clone())),
    )
}

/// The same digest as [`fingerprint`], of a folder not read as returns: a file
/// over `max_file_bytes` is not hashed, as intake does not hash it.
pub fn folder_fingerprint(dir: &Path, max_file_bytes: u64) -> String {
    folder_fingerprint_with(dir, max_file_bytes, &Hashes::default())
}

/// [`folder_fingerprint`], reading only the files `hashes` has not seen as they
/// are: the collection server asks it on every look at its board, and gets the
/// digest a run of the folder records, without reading every file each time.
pub fn folder_fingerprint_with(dir: &Path, max_file_bytes: u64, hashes: &Hashes) -> String {
    use rayon::prelude::*;
    let files = crate::intake::list_folder(dir).unwrap_or_default();
    // Files not seen are read and hashed on both cores, collected in name order.
    let hashed: Vec<(String, String)> = files
        .par_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, hashes.sha256(path, max_file_bytes))
        })
        .collect();
    digest(hashed.into_iter())
}

/// The SHA-256 of files already read, by what the file system says of each: a
/// file whose size, modification time, change time and inode are as they were
/// is not read again (a change time cannot be set back by hand).
#[derive(Default)]
pub struct Hashes {
    known: std::sync::Mutex<std::collections::HashMap<PathBuf, (Stamp, String)>>,
}

/// What the file system says of a file: size, modified, changed, inode.
type Stamp = (u64, Option<std::time::SystemTime>, i64, i64, u64);

fn stamp(meta: &std::fs::Metadata) -> Stamp {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (
            meta.len(),
            meta.modified().ok(),
            meta.ctime(),
            meta.ctime_nsec(),
            meta.ino(),
        )
    }
    #[cfg(not(unix))]
    (meta.len(), meta.modified().ok(), 0, 0, 0)
}

impl Hashes {
    /// The file's SHA-256, hex; empty when it is over `max_file_bytes` (intake
    /// reads no such file) or cannot be read.
    pub fn sha256(&self, path: &Path, max_file_bytes: u64) -> String {
        let Ok(meta) = std::fs::metadata(path) else {
            return String::new();
        };
        if meta.len() > max_file_bytes {
            return String::new();
        }
        let now = stamp(&meta);
        let lock = || {
            self.known
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some((then, hash)) = lock().get(path)
            && *then == now
        {
            return hash.clone();
        }
        let hash = std::fs::read(path)
            .map(|b| crate::digest::sha256_hex(&b))
            .unwrap_or_default();
        lock().insert(path.to_path_buf(), (now, hash.clone()));
        hash
    }
}

fn digest(files: impl Iterator<Item = (String, String)>) -> String {
    let mut hasher = Sha256::new();
    for (name, hash) in files {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(hash.as_bytes());
        hasher.update([0]);
    }
    crate::digest::hex(&hasher.finalize())
}

/// Stages the period's record, `明细_<period>.csv` as `write` writes it (the
/// report's 明细, which this module does not know the columns of), and its
/// inputs' fingerprint beside it, to be put in place with the run's other outputs.
///
/// # Errors
/// When the files cannot be written.
pub fn stage(
    csv: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
    inputs: &str,
) -> std::io::Result<[Staged; 2]> {
    // Streamed to the file: at national scale the record runs to tens of megabytes.
    let record = Staged::write(csv, write)?;
    Ok([
        record,
        Staged::bytes(&fingerprint_path(csv), inputs.as_bytes())?,
    ])
}

/// The columns a record is read by, wherever they stand: the 明细 CSV of this
/// version (期别 `2018年7月`, 统计截止日期, 明细's columns) and the eight-column
/// record of earlier versions (期别 `2018-07`, 截止日期, 单位, 序号, 判定,
/// 进展情况, 填报人, 联系电话) alike.
struct RecordColumns {
    period: usize,
    as_of: usize,
    unit: usize,
    task: usize,
    verdict: usize,
    narrative: usize,
    filler: Option<usize>,
    phone: Option<usize>,
    /// 角色: rows of tasks a unit is not expected on, or of units not in the
    /// roster, are in 明细 but not in a period's record.
    role: Option<usize>,
}

impl RecordColumns {
    fn find(header: &csv::StringRecord) -> Option<Self> {
        let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.trim()));
        Some(Self {
            period: col(&["期别"])?,
            as_of: col(&["统计截止日期", "截止日期"])?,
            unit: col(&["单位"])?,
            task: col(&["序号"])?,
            verdict: col(&["判定"])?,
            narrative: col(&["进展情况"])?,
            filler: col(&["填报人"]),
            phone: col(&["联系电话"]),
            role: col(&["角色"]),
        })
    }
}

/// A record's 期别: `2018年7月`, or `2018-07` as earlier versions wrote it.
fn record_month(text: &str) -> Option<Month> {
    Month::parse(text).or_else(|| {
        let end = crate::period::parse_period_end(text)?;
        text.contains('月').then(|| Month::of(end))
    })
}

/// Reads a record written by [`stage`] (or by an earlier version); `None` when
/// it is missing or not one of ours.
pub fn load(csv: &Path) -> Option<Period> {
    use crate::look::csv::restore;
    use std::io::BufRead;
    // Streamed from the file: a national record runs to tens of megabytes.
    let mut input = std::io::BufReader::new(std::fs::File::open(csv).ok()?);
    let bom = "\u{feff}".as_bytes();
    if input.fill_buf().ok()?.starts_with(bom) {
        input.consume(bom.len());
    }
    let mut reader = csv::Reader::from_reader(input);
    let columns = RecordColumns::find(reader.headers().ok()?)?;
    let mut period: Option<Period> = None;
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).ok()? {
        let field = |i: usize| restore(record.get(i).unwrap_or(""));
        let optional = |i: Option<usize>| i.map_or("", field);
        if columns
            .role
            .is_some_and(|r| !matches!(field(r), "牵头" | "配合"))
        {
            continue;
        }
        let month = record_month(field(columns.period))?;
        let p = period.get_or_insert_with(|| Period {
            month,
            as_of: NaiveDate::parse_from_str(field(columns.as_of), "%Y-%m-%d").unwrap_or_default(),
            items: BTreeMap::new(),
            contacts: BTreeMap::new(),
        });
        let verdict = Verdict::ALL
            .into_iter()
            .find(|v| v.label() == field(columns.verdict))?;
        let task: u32 = field(columns.task).parse().ok()?;
        let unit = field(columns.unit);
        p.items.insert(
            (unit.to_string(), task),
            Item {
                verdict,
                narrative: field(columns.narrative).into(),
            },
        );
        let (filler, phone) = (optional(columns.filler), optional(columns.phone));
        if (!filler.is_empty() || !phone.is_empty()) && !p.contacts.contains_key(unit) {
            p.contacts
                .insert(unit.to_string(), (filler.to_string(), phone.to_string()));
        }
    }
    period
}

/// Whether the inputs a record was made from have changed since. `now` digests
/// the folder as it is, and runs only when the record kept a fingerprint.
pub fn inputs_changed(csv: &Path, now: impl FnOnce() -> String) -> bool {
    std::fs::read_to_string(fingerprint_path(csv)).is_ok_and(|then| then.trim() != now())
}
