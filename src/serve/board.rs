//! The office's board: a period folder consolidated by the pipeline, exactly as
//! `run` does it (its [`crate::pipeline::PeriodPlan`] is `run`'s), one
//! consolidation at a time, kept while nothing it reads changes. The status
//! (who sent, when, how many problems, each verdict's count, 催报名单, the
//! attempts refused) and the workbook come from the same consolidation.

use std::io::Cursor;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use serde::Serialize;

use super::State;
use super::calendar::local_time;
use super::log::{FILLED_ONLINE, Record, Refused};
use super::net::Reach;
use crate::check::Verdict;
use crate::intake::Quiet;
use crate::monthly::history::{self, Hashes};
use crate::pipeline::{Clock, Consolidated, PeriodPlan};
use crate::remind::{Occasion, Owes, Reminder};
use crate::report::Letterhead;
use crate::report::chase::{ChaseRow, Situation};

/// The last consolidation of one desk's folder, and the hashes of the files it read.
#[derive(Default)]
pub struct Board {
    /// Held while consolidating, so consolidations run one at a time.
    cache: tokio::sync::Mutex<Option<Arc<Snapshot>>>,
    hashes: Arc<Hashes>,
}

/// One consolidation of the period folder.
pub struct Snapshot {
    /// What the folders it read held ([`inputs_seen`]).
    seen: Seen,
    pub done: Consolidated,
    pub status: Status,
    /// Shared by every download: cloning `Bytes` copies no workbook.
    workbook: OnceLock<Result<Bytes, String>>,
}

impl Snapshot {
    /// The status with what changes without a file changing: the attempts
    /// `refused`, the period folders there are, the papers as they would be
    /// downloaded today, and the reminders as sent today, sending the units
    /// to `reach`.
    pub fn status_now(&self, state: &State, refused: Vec<Refused>, reach: &Reach) -> Status {
        let mut status = self.status.clone();
        status.refused = refused;
        status.periods = state.months().iter().map(ToString::to_string).collect();
        let collecting = state.collecting();
        status.collecting_period = collecting.to_string();
        status.collecting = status.collecting_period == status.period;
        let month = self.done.monthly.current.month;
        let today = state.calendar.today();
        let head = state.planner.letterhead(month, today);
        status.papers = Some(Papers {
            name: state.planner.papers_name(month),
            issued: head.issued.format("%Y-%m-%d").to_string(),
            issued_fixed: state.planner.letter_date.is_some(),
            reply_by: head.reply_by.format("%Y-%m-%d").to_string(),
        });
        // Uploads of this period are taken while it is collected, and the
        // month after (as late returns naming it).
        let takes = month == collecting || month == collecting.previous();
        let occasion = Occasion {
            plan: &state.planner.plan_name,
            month,
            due: self.done.due,
            today,
            address: takes.then_some(reach.url.as_str()),
            collecting: (month != collecting).then_some(collecting),
            contact: state.planner.contact.as_deref(),
            office: &state.planner.office,
        };
        status.reminders = reminders(state, &status, &occasion);
        status.reach = takes.then(|| reach.clone());
        status.contact.clone_from(&state.planner.contact);
        status
    }

    /// The month's papers as one zip ([`crate::papers`]): the workbook of
    /// [`Snapshot::workbook`], and the 督办单 and CSVs `run` writes, the
    /// letters under `head`. Blocking.
    ///
    /// # Errors
    /// When the zip cannot be made (a bug: the message says so).
    pub fn papers(
        &self,
        state: &State,
        plan: &PeriodPlan,
        head: &Letterhead,
    ) -> Result<Vec<u8>, String> {
        let workbook = self.workbook(state, plan)?;
        let report = self.done.report(state.reader(), head);
        crate::papers::write(Cursor::new(Vec::new()), &report, &workbook)
            .map(|(out, _)| out.into_inner())
            .map_err(|e| papers_failed(&crate::os::describe(&e)))
    }

    /// The workbook `run` writes for the folder, made once per snapshot. Blocking.
    ///
    /// # Errors
    /// When the workbook cannot be laid out (a bug: the message says so).
    pub fn workbook(&self, state: &State, plan: &PeriodPlan) -> Result<Bytes, String> {
        self.workbook
            .get_or_init(|| {
                let report = self.done.report(state.reader(), &plan.letterhead);
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
    /// The period shown, `2018-07`.
    pub period: String,
    /// Whether it is the period being collected now.
    pub collecting: bool,
    /// The period being collected now.
    pub collecting_period: String,
    /// The as-of date, `2018-07-31`.
    pub as_of: String,
    /// The day returns are due (`2018-08-05`); later ones are 迟报.
    pub due: Option<String>,
    /// When this consolidation was made (server's local time).
    pub made: String,
    /// The digest of the period folder's files, the one `run` records beside
    /// its CSV (`明细_<period>.fingerprint`).
    pub fingerprint: String,
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
    /// Attempts that stored nothing, latest first (not files: filled in as
    /// the status is shown, see [`Snapshot::status_now`]).
    pub refused: Vec<Refused>,
    /// The period folders there are, oldest first (`2018-06`).
    pub periods: Vec<String>,
    /// The units a 督办单 is written for, in roster order.
    pub letters: Vec<String>,
    /// The papers as downloaded today (filled in as shown).
    pub papers: Option<Papers>,
    /// 提醒与催报: a text for each unit of 催报名单, as sent today (filled in as shown).
    pub reminders: Vec<Reminder>,
    /// The address the reminders give, and how it was found, while the
    /// period takes uploads (filled in as shown).
    pub reach: Option<Reach>,
    /// Whom the reminders and letters say to call (the settings' `contact`).
    pub contact: Option<String>,
}

/// What `/papers` gives today.
#[derive(Debug, Clone, Serialize)]
pub struct Papers {
    /// The zip's name, `大班额_材料_2018-07.zip`.
    pub name: String,
    /// The letters' 成文日期.
    pub issued: String,
    /// Whether the settings fix it (`letter_date`); else it is the day of the download.
    pub issued_fixed: bool,
    /// The day the letters ask an answer by.
    pub reply_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitStatus {
    pub unit: String,
    /// Whether a readable return of the unit is in the period folder.
    pub sent: bool,
    /// The file that speaks for the unit.
    pub file: Option<String>,
    /// How that file came: `网页填报` (filled on the form), `上传文件` (uploaded
    /// through this server), or none (put in the folder by other hands).
    pub source: Option<&'static str>,
    /// Its 填报日期.
    pub fill_date: Option<String>,
    /// Filed after the due day (迟报).
    pub late: bool,
    /// The last upload through this server (local time), if any.
    pub last_upload: Option<String>,
    /// Uploads through this server this period.
    pub uploads: usize,
    /// Other files of the unit in the folder that do not count (superseded, unreadable).
    pub not_counted: usize,
    /// Problems in 数据问题 about the return that counts (about the unit's
    /// files, when none counts); a superseded upload adds none.
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

/// What a consolidation read: the period folder's digest (the one `run`
/// records), and one over the earlier folders and records it compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    folder: String,
    earlier: String,
}

impl Board {
    /// The consolidation of the folder `plan` plans as it is now: the kept
    /// one when nothing it reads changed since, else a new one (waiting for
    /// any other to finish first). `uploads`: those stored through the server.
    ///
    /// # Errors
    /// When the period folder cannot be read.
    pub async fn snapshot(
        &self,
        state: &Arc<State>,
        plan: &Arc<PeriodPlan>,
        uploads: Vec<Record>,
    ) -> Result<Arc<Snapshot>, String> {
        let mut cache = self.cache.lock().await;
        let (worker, shown, hashes) = (
            Arc::clone(state),
            Arc::clone(plan),
            Arc::clone(&self.hashes),
        );
        let seen = tokio::task::spawn_blocking(move || inputs_seen(&worker, &shown, &hashes))
            .await
            .map_err(|e| format!("汇总时出错（{e}）：请把这条信息发给维护人员"))?;
        if let Some(snapshot) = cache.as_ref()
            && snapshot.seen == seen
        {
            return Ok(Arc::clone(snapshot));
        }
        let (state, plan) = (Arc::clone(state), Arc::clone(plan));
        let snapshot =
            tokio::task::spawn_blocking(move || consolidate(&state, &plan, &uploads, seen))
                .await
                .map_err(|e| format!("汇总时出错（{e}）：请把这条信息发给维护人员"))??;
        let snapshot = Arc::new(snapshot);
        *cache = Some(Arc::clone(&snapshot));
        Ok(snapshot)
    }
}

/// What a consolidation of the desk's folder reads, as it is now: the folder's
/// digest, which is the fingerprint `run` records for it
/// ([`history::folder_fingerprint`]), and one over the earlier periods' folders
/// and records. A stored upload or a file the office puts in by hand makes the
/// board consolidate again, so `/workbook` stays what `run` would write; an
/// upload still being staged (a hidden folder) or an Excel lock file does not.
/// Files are hashed once while they stay as they are.
fn inputs_seen(state: &State, plan: &PeriodPlan, hashes: &Hashes) -> Seen {
    let max = state.limits.max_file_bytes;
    let folder = history::folder_fingerprint_with(&plan.input, max, hashes);
    let mut earlier = Vec::new();
    for (month, dir) in &plan.earlier {
        earlier.push(history::folder_fingerprint_with(dir, max, hashes));
        if let Some(records) = &plan.records {
            for file in history::record_files(records, *month) {
                earlier.push(hashes.sha256(&file, u64::MAX));
            }
        }
    }
    Seen {
        folder,
        earlier: earlier.join(","),
    }
}

/// Consolidates the period folder as `run` would, and reads the status off it.
fn consolidate(
    state: &State,
    plan: &PeriodPlan,
    uploads: &[Record],
    seen: Seen,
) -> Result<Snapshot, String> {
    let done = plan
        .job(state.reader())
        .consolidate(&Quiet, &mut Clock::start())?;
    let status = status_of(state, plan, uploads, &done, &seen);
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

fn status_of(
    state: &State,
    plan: &PeriodPlan,
    uploads: &[Record],
    done: &Consolidated,
    seen: &Seen,
) -> Status {
    let roster = &state.roster;
    let report = done.report(state.reader(), &plan.letterhead);
    let by_unit = done.intake.returns_by_unit(roster.units.len());
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
                .filter(|p| match winner {
                    Some((file, _)) => p.file == file.name,
                    None => {
                        p.unit.as_deref() == Some(name.as_str()) || files.contains(&p.file.as_str())
                    }
                })
                .count();
            let mine: Vec<_> = uploads.iter().filter(|r| r.unit == s.unit).collect();
            let source = winner
                .and_then(|(f, _)| mine.iter().find(|r| r.file == f.folder_name()))
                .map(|r| {
                    if r.online {
                        FILLED_ONLINE
                    } else {
                        "上传文件"
                    }
                });
            let fill_date = winner.and_then(|(_, r)| r.meta.fill_date);
            UnitStatus {
                sent: winner.is_some(),
                file: winner.map(|(f, _)| f.name.clone()),
                source,
                fill_date: fill_date.map(|d| d.format("%Y-%m-%d").to_string()),
                late: report.is_late(fill_date),
                last_upload: mine.iter().map(|r| r.time).max().map(local_time),
                uploads: mine.len(),
                not_counted: files.len().saturating_sub(usize::from(winner.is_some())),
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
    let letters = crate::feedback::letters(&report)
        .into_iter()
        .map(|(unit, _)| unit)
        .collect();
    Status {
        period: plan.period.month.to_string(),
        collecting: false,
        collecting_period: String::new(),
        as_of: plan.period.as_of.format("%Y-%m-%d").to_string(),
        due: done.due.map(|d| d.format("%Y-%m-%d").to_string()),
        made: local_time(state.calendar.now()),
        fingerprint: seen.folder.clone(),
        units,
        totals: counts(|v| totals.get(v)),
        files: done.intake.files.len(),
        problems: done.result.problems.len(),
        chase,
        refused: Vec::new(),
        periods: Vec::new(),
        letters,
        papers: None,
        reminders: Vec::new(),
        reach: None,
        contact: None,
    }
}

/// A text for each unit of 催报名单: a unit whose files are all unreadable is
/// told so, not that nothing came.
fn reminders(state: &State, status: &Status, occasion: &Occasion) -> Vec<Reminder> {
    status
        .chase
        .iter()
        .filter_map(|row| {
            let u = state.roster.lookup(&row.unit)?;
            let files = status
                .units
                .iter()
                .find(|s| s.unit == row.unit)
                .is_some_and(|s| s.not_counted > 0);
            let owes = match row.situation {
                Situation::NotSubmitted if files => Owes::Unreadable,
                Situation::NotSubmitted => Owes::Return,
                Situation::Omitted => Owes::Tasks(&row.tasks),
            };
            Some(Reminder {
                unit: row.unit.clone(),
                kind: occasion.kind(),
                text: occasion.text(&state.roster.units[u].addressee(), owes, &state.catalogue),
            })
        })
        .collect()
}

/// Why the papers could not be made (a bug, or memory: nothing the office did).
pub fn papers_failed(reason: &str) -> String {
    format!("生成材料包时出错（{reason}）：请把这条信息发给维护人员")
}

/// What `/reminders.txt` says when no unit owes anything.
pub const NO_REMINDERS: &str = "本期所有单位均已报送且无漏报，没有需要提醒或催报的单位。\n";

/// `/reminders.txt`: every text, one after another, a blank line between.
pub fn reminders_text(status: &Status) -> String {
    if status.reminders.is_empty() {
        return NO_REMINDERS.to_string();
    }
    let mut text = status
        .reminders
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    text.push('\n');
    text
}

/// 催报名单 as CSV, the same bytes `run` writes beside the workbook.
pub fn chase_csv(status: &Status) -> Vec<u8> {
    crate::report::chase::csv(&status.chase)
}
