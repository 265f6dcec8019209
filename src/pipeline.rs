//! One period, end to end: read the folder's returns, check them, compare them with
//! the earlier periods, lay the workbook out, and save it with the period's records
//! beside it, all together or not at all. `run` says what happened; a collection
//! server can offer the very same workbook.
//!
//! Which folder, as of when, against which earlier periods and under which
//! letterhead is a [`PeriodPlan`], made by one [`Planner`] for `run` and `serve`
//! alike: the server's workbook of a folder is `run`'s by construction.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::check::{Consolidation, consolidate};
use crate::intake::{Intake, Progress, Reader, ReportPeriod};
use crate::monthly::history::{self, Period};
use crate::monthly::{self, Monthly};
use crate::period::Month;
use crate::problem::{Problem, Severity};
use crate::report::{Letterhead, Report, layout};
use crate::save::{Outputs, Staged};

/// What `run` makes of its settings for any period folder: the office, the plan,
/// the due day and the rest. `run` plans the folder it is given, `serve` the
/// folder of each month it collects, with the same planner.
#[derive(Debug, Clone)]
pub struct Planner {
    /// The issuing office.
    pub office: String,
    /// The plan's name, as titles write it.
    pub plan_name: String,
    /// 督办单: whom to call.
    pub contact: Option<String>,
    /// Returns are due by this day of the next month.
    pub due_day: u32,
    pub due_soon_days: u32,
    /// 督办单: the day to answer by.
    pub reply_by: ReplyBy,
    /// 督办单: their 成文日期 when it is fixed (`--date`, the settings'
    /// `letter_date`); else they are dated the day they are made.
    pub letter_date: Option<NaiveDate>,
    /// The day the planner was made: the 成文日期 of `run`'s letters when none is fixed.
    pub today: NaiveDate,
    /// The plan's short name, for the papers' file name (`plan_short`).
    pub plan_short: Option<String>,
    /// Where the period workbooks go, one `YYYY-MM` folder each; earlier runs'
    /// records are read from there.
    pub output_root: PathBuf,
}

/// 督办单: the day a unit is asked to answer by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyBy {
    /// `--reply-by`: this day.
    On(NaiveDate),
    /// The settings' `reply_by_days`: so many days after the period's due date;
    /// after the 成文日期 instead when the letters are issued on or after that
    /// day, so a letter never asks for an answer by a day already past.
    DaysAfterDue(u32),
    /// The next period's due date: the answer comes with the next return.
    NextDue,
}

/// One period folder, planned: everything its consolidation depends on but the
/// returns themselves.
#[derive(Debug, Clone)]
pub struct PeriodPlan {
    /// The period folder.
    pub input: PathBuf,
    pub period: ReportPeriod,
    /// Whether the as-of date is today only because the folder is not named `YYYY-MM`.
    pub as_of_is_today: bool,
    pub due_day: u32,
    pub due_soon_days: u32,
    /// The earlier periods' input folders, oldest first.
    pub earlier: Vec<(Month, PathBuf)>,
    /// The folder whose `YYYY-MM` subfolders hold earlier runs' records.
    pub records: Option<PathBuf>,
    /// What the workbook says of itself.
    pub letterhead: Letterhead,
}

impl Planner {
    /// The plan of the folder `input` for `period`. `earlier`: the folders given
    /// (`--previous`), else the `YYYY-MM` folders beside `input` before its month.
    pub fn plan(
        &self,
        input: PathBuf,
        period: ReportPeriod,
        as_of_is_today: bool,
        earlier: Option<Vec<(Month, PathBuf)>>,
        records: Option<PathBuf>,
    ) -> PeriodPlan {
        let month = period.month;
        let letterhead = self.letterhead(month, self.today);
        PeriodPlan {
            earlier: earlier.unwrap_or_else(|| monthly::earlier_inputs(&input, month)),
            input,
            period,
            as_of_is_today,
            due_day: self.due_day,
            due_soon_days: self.due_soon_days,
            records,
            letterhead,
        }
    }

    /// What the documents of `month` say of themselves, the 督办单 issued on
    /// `today` unless their date is fixed: `run` issues them the day it runs,
    /// the server the day they are downloaded.
    pub fn letterhead(&self, month: Month, today: NaiveDate) -> Letterhead {
        let issued = self.letter_date.unwrap_or(today);
        let reply_by = match self.reply_by {
            ReplyBy::On(day) => day,
            ReplyBy::DaysAfterDue(days) => {
                let after = |day: NaiveDate| {
                    day.checked_add_days(chrono::Days::new(days.into()))
                        .unwrap_or(NaiveDate::MAX)
                };
                match due(month, self.due_day) {
                    Some(due) if issued < after(due) => after(due),
                    _ => after(issued),
                }
            }
            ReplyBy::NextDue => next_due(month, self.due_day),
        };
        Letterhead {
            office: self.office.clone(),
            plan: self.plan_name.clone(),
            month,
            issued,
            reply_by,
            contact: self.contact.clone(),
        }
    }

    /// Where `run` writes the workbook of `month` when not told.
    pub fn default_output(&self, month: Month) -> PathBuf {
        self.output_root
            .join(month.to_string())
            .join(crate::report::workbook_name(month))
    }

    /// The name of the zip of `month`'s papers ([`crate::papers`]).
    pub fn papers_name(&self, month: Month) -> String {
        crate::papers::file_name(self.plan_short.as_deref(), &self.plan_name, month)
    }

    /// The folder of `month` under `root`, as `run --input <root>/<month>` plans
    /// it with no other flag: as of the month's end, its records under the
    /// output folder. `None` for a month without an end (outside the years a
    /// plan can have).
    pub fn month(&self, root: &Path, month: Month) -> Option<PeriodPlan> {
        let as_of = month.end()?;
        Some(self.plan(
            root.join(month.to_string()),
            ReportPeriod { as_of, month },
            false,
            None,
            Some(self.output_root.clone()),
        ))
    }
}

/// The day the returns of `month` are due.
fn due(month: Month, due_day: u32) -> Option<NaiveDate> {
    month
        .end()
        .and_then(|end| crate::period::returns_due(end, due_day))
}

/// The day the returns of the period after `month` are due.
fn next_due(month: Month, due_day: u32) -> NaiveDate {
    due(month.next(), due_day).unwrap_or(NaiveDate::MAX)
}

impl PeriodPlan {
    /// The consolidation of the folder this plans.
    pub fn job<'a>(&'a self, reader: Reader<'a>) -> Job<'a> {
        Job {
            reader,
            input: &self.input,
            period: self.period,
            as_of_is_today: self.as_of_is_today,
            due_day: self.due_day,
            due_soon_days: self.due_soon_days,
            earlier: &self.earlier,
            records: self.records.as_deref(),
        }
    }
}

/// What one period's consolidation works on.
pub struct Job<'a> {
    pub reader: Reader<'a>,
    /// The period folder.
    pub input: &'a Path,
    pub period: ReportPeriod,
    /// Whether the as-of date is today only because the folder is not named `YYYY-MM`.
    pub as_of_is_today: bool,
    /// Returns filed after this day of the next month are 迟报.
    pub due_day: u32,
    pub due_soon_days: u32,
    /// The earlier periods' input folders, oldest first.
    pub earlier: &'a [(Month, PathBuf)],
    /// The folder whose `YYYY-MM` subfolders hold earlier runs' records.
    pub records: Option<&'a Path>,
}

/// A period consolidated: what was read, the verdicts, and what changed.
pub struct Consolidated {
    pub intake: Intake,
    pub result: Consolidation,
    pub monthly: Monthly,
    /// The day returns were due.
    pub due: Option<NaiveDate>,
}

/// Where a run's outputs go.
pub struct Targets<'a> {
    pub workbook: &'a Path,
    /// Where the 督办单 go, one per unit, when asked for.
    pub feedback: Option<&'a Path>,
}

/// What went wrong writing an output: which one, and the system's reason.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("无法写入{what} {path}：{}", crate::os::describe(.error))]
    Write {
        what: &'static str,
        path: PathBuf,
        /// Not a `source`: its English text must not follow the Chinese one.
        error: std::io::Error,
    },
    #[error("生成汇总表时出错（{0}）：请把这条信息发给维护人员")]
    Layout(String),
}

impl Job<'_> {
    /// Reads, checks and compares the period.
    ///
    /// # Errors
    /// When the period folder cannot be listed (the system's reason, in Chinese).
    pub fn consolidate(
        &self,
        progress: &dyn Progress,
        clock: &mut Clock,
    ) -> Result<Consolidated, String> {
        let mut intake = self
            .reader
            .scan(self.input, self.period, progress)
            .map_err(|e| {
                format!(
                    "无法读取报表文件夹 {}：{}",
                    self.input.display(),
                    crate::os::describe(&e)
                )
            })?;
        clock.lap("读取报表（含识别单位）");
        let mut result = consolidate(
            self.reader.catalogue,
            self.reader.roster,
            &mut intake,
            self.period.as_of,
            self.due_soon_days,
        );
        result.problems.splice(0..0, self.alarms(&intake));
        clock.lap("核对判定");
        let (earlier, notices) =
            monthly::load_earlier(self.reader, self.earlier, self.records, self.due_soon_days);
        let current = Period::from_consolidation(self.period.month, &result, self.reader.roster);
        let monthly = monthly::assemble(earlier, current, notices);
        result.problems.extend(monthly.notices.iter().cloned());
        clock.lap("对比往期");
        Ok(Consolidated {
            intake,
            result,
            monthly,
            due: crate::period::returns_due(self.period.as_of, self.due_day),
        })
    }

    /// What a user must hear about the folder itself: nothing in it, or no month in its name.
    fn alarms(&self, intake: &Intake) -> Vec<Problem> {
        // The folder by its name, not its path: 数据问题 is printed, and the
        // office's disk layout is nothing a reader of it needs.
        let folder = format!(
            "报表文件夹“{}”",
            self.input.file_name().map_or_else(
                || self.input.display().to_string(),
                |n| n.to_string_lossy().into_owned()
            )
        );
        let mut alarms = Vec::new();
        if intake.files.is_empty() {
            alarms.push(Problem::file(
                Severity::Error,
                &folder,
                "报表文件夹中没有任何文件",
                "所有单位按未报送处理；请确认报表已放入该文件夹，或用 --input 指定正确的文件夹",
            ));
        }
        if self.as_of_is_today {
            alarms.push(Problem::file(
                Severity::Warning,
                &folder,
                format!(
                    "报表文件夹名不是 YYYY-MM 形式，统计截止日期取了今天（{}）",
                    crate::period::chinese_date(self.period.as_of)
                ),
                "如要汇总某个月，请把文件夹改名为 2018-07 这样的形式，或用 --as-of 指定截止日期",
            ));
        }
        alarms
    }
}

impl Consolidated {
    /// The report these results make, under `letterhead`.
    pub fn report<'a>(&'a self, reader: Reader<'a>, letterhead: &'a Letterhead) -> Report<'a> {
        Report {
            catalogue: reader.catalogue,
            roster: reader.roster,
            intake: &self.intake,
            result: &self.result,
            monthly: &self.monthly,
            due: self.due,
            letterhead,
        }
    }

    /// Writes the workbook, the period's record (明细 CSV and its inputs'
    /// fingerprint), 催报名单 and, when asked, the 督办单, all at once: a failure
    /// leaves every earlier output as it was. Gives how many 督办单 were written.
    ///
    /// # Errors
    /// A [`SaveError`] naming the output that could not be written.
    pub fn save(
        &self,
        report: &Report,
        targets: &Targets,
        clock: &mut Clock,
    ) -> Result<usize, SaveError> {
        let mut workbook = layout(report).map_err(|e| SaveError::Layout(e.to_string()))?;
        clock.lap("排版工作表");
        let folder = crate::save::folder_of(targets.workbook);
        let write = |what, path: &Path| {
            let path = path.to_path_buf();
            move |error| SaveError::Write { what, path, error }
        };
        // A killed run's leftovers are set right before anything new is written.
        crate::save::recover(folder).map_err(write("汇总表", targets.workbook))?;
        // Saving the workbook is one thread's work (deflating it above all): the
        // records are written on the other core meanwhile.
        let (book, records) = rayon::join(
            || {
                // Streamed into the temporary file: the finished workbook is never held whole.
                Staged::write(targets.workbook, |out| {
                    workbook.save_to_writer(out).map_err(std::io::Error::other)
                })
                .map_err(write("汇总表", targets.workbook))
            },
            || self.stage_records(report, folder),
        );
        let mut outputs = Outputs::new(folder);
        outputs.add(book?);
        let mut feedback = 0;
        if let Some(dir) = targets.feedback {
            crate::save::recover(dir).map_err(write("督办单", dir))?;
            let staged = crate::feedback::stage_all(report, dir).map_err(write("督办单", dir))?;
            feedback = staged.len();
            staged.into_iter().for_each(|s| outputs.add(s));
        }
        // The record that marks the period complete for next month goes in last.
        records?.into_iter().for_each(|s| outputs.add(s));
        outputs
            .commit()
            .map_err(write("汇总表", targets.workbook))?;
        clock.lap("生成并写入 xlsx 与 CSV");
        // Freeing hundreds of thousands of strings one by one takes a tenth of a
        // second at national scale: it is left to a thread the exit need not wait for.
        let _ = std::thread::Builder::new().spawn(move || drop(workbook));
        Ok(feedback)
    }

    /// The workbook alone, as bytes: what a server offers for download, the same
    /// bytes [`Consolidated::save`] writes.
    ///
    /// # Errors
    /// Only on rust_xlsxwriter's own checks.
    pub fn workbook_bytes(&self, report: &Report) -> Result<Vec<u8>, SaveError> {
        let mut workbook = layout(report).map_err(|e| SaveError::Layout(e.to_string()))?;
        workbook
            .save_to_buffer()
            .map_err(|e| SaveError::Layout(e.to_string()))
    }

    /// 催报名单, then the period's record and its fingerprint.
    fn stage_records(&self, report: &Report, folder: &Path) -> Result<Vec<Staged>, SaveError> {
        let mut staged = Vec::new();
        let current = &self.monthly.current;
        let month = current.month;
        let chase = folder.join(crate::report::chase::file_name(month));
        staged.push(
            Staged::bytes(
                &chase,
                &crate::report::chase::csv(&crate::report::chase::rows(report)),
            )
            .map_err(|error| SaveError::Write {
                what: "催报名单",
                path: chase.clone(),
                error,
            })?,
        );
        let csv = history::csv_path(folder, month);
        let write = |out: &mut std::io::BufWriter<std::fs::File>| {
            crate::report::write_detail_csv(report, out)
        };
        let [record, fingerprint] =
            history::stage(&csv, write, &history::fingerprint(&self.intake)).map_err(|error| {
                SaveError::Write {
                    what: "明细 CSV",
                    path: csv.clone(),
                    error,
                }
            })?;
        staged.push(record);
        staged.push(fingerprint);
        Ok(staged)
    }
}

/// Wall time per stage of a run, for `--timings`.
pub struct Clock {
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Clock {
    pub fn start() -> Self {
        Self {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    pub fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, now - self.last));
        self.last = now;
    }

    /// Each stage's time and share, in Chinese.
    pub fn report(&self) -> String {
        use std::fmt::Write;
        let total: f64 = self
            .laps
            .iter()
            .map(|(_, d)| d.as_secs_f64())
            .sum::<f64>()
            .max(1e-9);
        let mut out = String::from("各阶段耗时：\n");
        for (stage, d) in &self.laps {
            let s = d.as_secs_f64();
            let _ = writeln!(out, "  {stage}\t{s:.3} 秒\t{:.1}%", 100.0 * s / total);
        }
        let _ = writeln!(out, "  合计\t{total:.3} 秒");
        out
    }
}
