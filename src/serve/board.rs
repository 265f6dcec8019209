//! The office's board: the period folder consolidated by the pipeline, exactly as
//! `run` does it, one consolidation at a time, kept until the next upload. The
//! status (who sent, when, how many problems, each verdict's count, 催报名单) and
//! the workbook come from the same consolidation.

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use chrono::{DateTime, Local, Utc};
use serde::Serialize;

use super::State;
use crate::check::Verdict;
use crate::intake::Quiet;
use crate::pipeline::{Clock, Consolidated, Job};
use crate::report::chase::ChaseRow;

/// The last consolidation. A stored upload is a new file in the period folder,
/// so [`folders_seen`] tells when it is stale.
#[derive(Default)]
pub struct Board {
    /// Held while consolidating, so consolidations run one at a time.
    cache: tokio::sync::Mutex<Option<Arc<Snapshot>>>,
}

/// One consolidation of the period folder.
pub struct Snapshot {
    /// What the folders it read looked like ([`folders_seen`]).
    seen: u64,
    pub done: Consolidated,
    pub status: Status,
    /// Shared by every download: cloning `Bytes` copies no workbook.
    workbook: OnceLock<Result<Bytes, String>>,
}

impl Snapshot {
    /// The workbook `run` writes for the folder, made once per snapshot. Blocking.
    ///
    /// # Errors
    /// When the workbook cannot be laid out (a bug: the message says so).
    pub fn workbook(&self, state: &State) -> Result<Bytes, String> {
        self.workbook
            .get_or_init(|| {
                let report = self.done.report(state.reader(), &state.plan.letterhead);
                self.done
                    .workbook_bytes(&report)
                    .map(Bytes::from)
                    .map_err(|e| e.to_string())
            })
            .clone()
    }
}

/// What the office sees: `/status` as a page, `/api/status` as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// `2018-07`.
    pub period: String,
    /// The as-of date, `2018-07-31`.
    pub as_of: String,
    /// When this consolidation was made (server's local time).
    pub made: String,
    /// Units expected to report, in roster order.
    pub units: Vec<UnitStatus>,
    /// Province-wide count per verdict.
    pub totals: Vec<VerdictCount>,
    /// Files in the period folder.
    pub files: usize,
    /// Problems in 数据问题.
    pub problems: usize,
    /// 催报名单: the units to chase.
    pub chase: Vec<ChaseRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitStatus {
    pub unit: String,
    /// Whether a readable return of the unit is in the period folder.
    pub sent: bool,
    /// The file that speaks for the unit.
    pub file: Option<String>,
    /// Its 填报日期.
    pub fill_date: Option<String>,
    /// Filed after the due day (迟报).
    pub late: bool,
    /// The last upload through this server (local time), if any.
    pub last_upload: Option<String>,
    /// Uploads through this server this period.
    pub uploads: usize,
    /// Problems in 数据问题 about the unit or its files.
    pub problems: usize,
    pub expected: usize,
    pub verdicts: Vec<VerdictCount>,
    /// Done ÷ (expected − 不适用).
    pub completion_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerdictCount {
    pub verdict: &'static str,
    pub count: usize,
}

impl Board {
    /// The consolidation of the folder as it is now: the kept one when nothing it
    /// reads changed since, else a new one (waiting for any other to finish first).
    ///
    /// # Errors
    /// When the period folder cannot be read.
    pub async fn snapshot(&self, state: &Arc<State>) -> Result<Arc<Snapshot>, String> {
        let mut cache = self.cache.lock().await;
        let worker = Arc::clone(state);
        let seen = tokio::task::spawn_blocking(move || folders_seen(&worker))
            .await
            .unwrap_or_default();
        if let Some(snapshot) = cache.as_ref()
            && snapshot.seen == seen
        {
            return Ok(Arc::clone(snapshot));
        }
        let state = Arc::clone(state);
        let snapshot = tokio::task::spawn_blocking(move || consolidate(&state, seen))
            .await
            .map_err(|e| format!("汇总时出错（{e}）：请把这条信息发给维护人员"))??;
        let snapshot = Arc::new(snapshot);
        *cache = Some(Arc::clone(&snapshot));
        Ok(snapshot)
    }
}

/// A fingerprint of what a consolidation reads: the name, size and time of every
/// file intake would list ([`crate::intake::list_folder`]) in the period folder,
/// the earlier periods' folders and their records. A stored upload or a file the
/// office puts in by hand makes the board consolidate again, so `/workbook`
/// stays what `run` would write; an upload still being staged (a hidden folder)
/// or an Excel lock file does not.
fn folders_seen(state: &State) -> u64 {
    use std::hash::{Hash, Hasher};
    let plan = &state.plan;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut folders = vec![plan.dir.clone()];
    for (month, dir) in &plan.earlier {
        folders.push(dir.clone());
        if let Some(records) = &plan.records {
            folders.push(records.join(month.to_string()));
        }
    }
    for folder in folders {
        folder.hash(&mut hasher);
        let Ok(files) = crate::intake::list_folder(&folder) else {
            continue;
        };
        // In name order already.
        for path in files {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            (path, meta.len(), meta.modified().ok()).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// Consolidates the period folder as `run` would, and reads the status off it.
fn consolidate(state: &State, seen: u64) -> Result<Snapshot, String> {
    let plan = &state.plan;
    let job = Job {
        reader: state.reader(),
        input: &plan.dir,
        period: plan.period,
        as_of_is_today: false,
        due_day: plan.due_day,
        due_soon_days: plan.due_soon_days,
        earlier: &plan.earlier,
        records: plan.records.as_deref(),
    };
    let done = job.consolidate(&Quiet, &mut Clock::start())?;
    let status = status_of(state, &done);
    Ok(Snapshot {
        seen,
        done,
        status,
        workbook: OnceLock::new(),
    })
}

fn counts(counts: impl Fn(Verdict) -> usize) -> Vec<VerdictCount> {
    Verdict::ALL
        .iter()
        .map(|v| VerdictCount {
            verdict: v.label(),
            count: counts(*v),
        })
        .collect()
}

pub fn local_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn status_of(state: &State, done: &Consolidated) -> Status {
    let roster = &state.roster;
    let report = done.report(state.reader(), &state.plan.letterhead);
    let by_unit = done.intake.returns_by_unit(roster.units.len());
    let uploads = state.uploads.all();
    let units = done
        .result
        .unit_stats()
        .into_iter()
        .map(|s| {
            let name = roster.units[s.unit].name.clone();
            let winner = by_unit[s.unit]
                .map(|(f, r)| (&done.intake.files[f], &done.intake.files[f].returns[r]));
            let files: Vec<&str> = done
                .intake
                .files
                .iter()
                .filter(|f| f.unit == Some(s.unit))
                .map(|f| f.name.as_str())
                .collect();
            let problems = done
                .result
                .problems
                .iter()
                .filter(|p| {
                    p.unit.as_deref() == Some(name.as_str()) || files.contains(&p.file.as_str())
                })
                .count();
            let mine: Vec<_> = uploads.iter().filter(|r| r.unit == s.unit).collect();
            let fill_date = winner.and_then(|(_, r)| r.meta.fill_date);
            UnitStatus {
                sent: winner.is_some(),
                file: winner.map(|(f, _)| f.name.clone()),
                fill_date: fill_date.map(|d| d.format("%Y-%m-%d").to_string()),
                late: report.is_late(fill_date),
                last_upload: mine.iter().map(|r| r.time).max().map(local_time),
                uploads: mine.len(),
                problems,
                expected: s.expected,
                verdicts: counts(|v| s.count(v)),
                completion_rate: s.completion_rate,
                unit: name,
            }
        })
        .collect();
    let totals = done.result.totals();
    let chase = crate::report::chase::rows(&report);
    Status {
        period: plan_month(state),
        as_of: state.plan.period.as_of.format("%Y-%m-%d").to_string(),
        made: local_time(Utc::now()),
        units,
        totals: counts(|v| totals.get(v)),
        files: done.intake.files.len(),
        problems: done.result.problems.len(),
        chase,
    }
}

fn plan_month(state: &State) -> String {
    state.plan.period.month.to_string()
}

/// 催报名单 as CSV, the same bytes `run` writes beside the workbook.
pub fn chase_csv(status: &Status) -> Vec<u8> {
    crate::report::chase::csv(&status.chase)
}
