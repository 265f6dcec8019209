//! The check: every expected (unit, task) gets a verdict, by SPEC §4's table.
//!
//! [`judge`] is that table as one match. [`consolidate`] walks the roster's
//! expectations against what intake read, picks the row that speaks for each task,
//! and records the problems §4 lists. Laying the result out is [`crate::report`]'s job.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::catalogue::{Catalogue, Task};
use crate::intake::values::{DateCell, Status};
use crate::intake::{Intake, ReturnMeta, ReturnRow};
use crate::period::chinese_date;
use crate::problem::{Problem, Severity, row_ref};
use crate::roster::{Role, Roster, Unit};

/// 判定: what the consolidation says about one (unit, task).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    OnTime,
    Late,
    InProgress,
    OverdueUnfinished,
    ToVerify,
    Omitted,
    NotSubmitted,
    NotApplicable,
}

impl Verdict {
    pub const ALL: [Verdict; 8] = [
        Verdict::OnTime,
        Verdict::Late,
        Verdict::InProgress,
        Verdict::OverdueUnfinished,
        Verdict::ToVerify,
        Verdict::Omitted,
        Verdict::NotSubmitted,
        Verdict::NotApplicable,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Verdict::OnTime => "按期完成",
            Verdict::Late => "逾期完成",
            Verdict::InProgress => "推进中",
            Verdict::OverdueUnfinished => "逾期未完成",
            Verdict::ToVerify => "待核实",
            Verdict::Omitted => "漏报",
            Verdict::NotSubmitted => "未报送",
            Verdict::NotApplicable => "不适用",
        }
    }

    /// The full name on lines of three characters at most, split where its
    /// words part, for a narrow column: never an abbreviation (不适 means
    /// "unwell", and 迟完 is no word at all).
    pub fn label_stacked(self) -> &'static str {
        match self {
            Verdict::OnTime => "按期\n完成",
            Verdict::Late => "逾期\n完成",
            Verdict::InProgress => "推进中",
            Verdict::OverdueUnfinished => "逾期\n未完成",
            Verdict::ToVerify => "待核实",
            Verdict::Omitted => "漏报",
            Verdict::NotSubmitted => "未报送",
            Verdict::NotApplicable => "不适用",
        }
    }

    /// Its place in [`Verdict::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn is_done(self) -> bool {
        matches!(self, Verdict::OnTime | Verdict::Late)
    }

    pub fn is_missing(self) -> bool {
        matches!(self, Verdict::Omitted | Verdict::NotSubmitted)
    }
}

/// How many entries got each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally([usize; 8]);

impl Tally {
    /// Counts one entry.
    pub fn add(&mut self, verdict: Verdict) {
        self.0[verdict.index()] += 1;
    }

    pub fn get(&self, verdict: Verdict) -> usize {
        self.0[verdict.index()]
    }

    /// The counts in [`Verdict::ALL`] order.
    pub fn in_order(&self) -> impl Iterator<Item = (Verdict, usize)> + '_ {
        Verdict::ALL.into_iter().map(|v| (v, self.get(v)))
    }

    /// 按期完成 and 逾期完成.
    pub fn done(&self) -> usize {
        self.get(Verdict::OnTime) + self.get(Verdict::Late)
    }

    /// The completion rate of SPEC §5: done ÷ (expected − 不适用); `None` when
    /// nothing is applicable.
    pub fn completion_rate(&self, expected: usize) -> Option<f64> {
        let applicable = expected.saturating_sub(self.get(Verdict::NotApplicable));
        (applicable > 0).then(|| self.done() as f64 / applicable as f64)
    }
}

/// Why a verdict needs a problem row besides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// 已完成 with no 完成时间, after the deadline.
    NoCompletionDate,
    /// A status word the tool does not know.
    UnknownStatus,
}

/// SPEC §4's table. `row` is `None` when the unit has no readable return at all.
pub fn judge(
    row: Option<(&Status, Option<NaiveDate>)>,
    deadline: NaiveDate,
    as_of: NaiveDate,
) -> (Verdict, Option<Finding>) {
    let Some((status, completed)) = row else {
        return (Verdict::NotSubmitted, None);
    };
    match (status, completed) {
        (Status::Empty, _) => (Verdict::Omitted, None),
        (Status::NotApplicable, _) => (Verdict::NotApplicable, None),
        (Status::Unrecognised(_), _) => (Verdict::ToVerify, Some(Finding::UnknownStatus)),
        (Status::Done, Some(c)) if c <= deadline => (Verdict::OnTime, None),
        (Status::Done, Some(_)) => (Verdict::Late, None),
        (Status::Done, None) if as_of <= deadline => (Verdict::OnTime, None),
        (Status::Done, None) => (Verdict::ToVerify, Some(Finding::NoCompletionDate)),
        (Status::InProgress | Status::NotStarted, _) if as_of <= deadline => {
            (Verdict::InProgress, None)
        }
        (Status::InProgress | Status::NotStarted, _) => (Verdict::OverdueUnfinished, None),
    }
}

/// Who an entry belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum UnitRef {
    /// A roster unit, by index.
    Known(usize),
    /// A file whose unit is not in the roster: what it said (or its file name).
    Unknown(String),
}

/// Where a row came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Shared by every entry from the file, not copied into each.
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    pub row: u32,
    /// The last row, when sub-rows of one task were joined: `row` otherwise.
    pub last_row: u32,
}

impl Source {
    /// `文件 / 工作表 / 第7行`, or `… / 第7–9行` for sub-rows joined.
    pub fn describe(&self) -> String {
        let rows = if self.last_row > self.row {
            format!(
                "第{}–{}行",
                u64::from(self.row) + 1,
                u64::from(self.last_row) + 1
            )
        } else {
            row_ref(self.row)
        };
        format!("{} / {} / {rows}", self.file, self.sheet)
    }
}

/// One row of 明细.
#[derive(Debug, Clone)]
pub struct Entry {
    pub unit: UnitRef,
    pub task: u32,
    /// The unit's role, `None` when the unit is not expected on this task.
    pub role: Option<Role>,
    pub verdict: Verdict,
    pub row: Option<ReturnRow>,
    pub source: Option<Source>,
    /// Days past the deadline: for 逾期完成 until completion, otherwise until the as-of date.
    pub days_overdue: Option<i64>,
    /// 临期: not finished, not yet due, and due soon: act before it turns red.
    pub due_soon: bool,
}

impl Entry {
    /// Whether the entry counts in the unit's figures (an expected task of a roster unit).
    pub fn counts(&self) -> bool {
        self.role.is_some() && matches!(self.unit, UnitRef::Known(_))
    }
}

/// The result of checking one period.
#[derive(Debug)]
pub struct Consolidation {
    pub as_of: NaiveDate,
    /// The 临期 window, in days.
    pub due_soon_days: u32,
    pub entries: Vec<Entry>,
    /// Every problem: intake's and the check's, in file then place order.
    pub problems: Vec<Problem>,
    /// Per roster unit: its expected tasks with roles.
    pub expected: Vec<Vec<(u32, Role)>>,
    /// Per roster unit: the metadata of its winning return, if any.
    pub meta: Vec<Option<ReturnMeta>>,
}

/// A return the check judges: its rows, taken from intake (not copied: at national
/// scale the rows are most of what a run holds), and what it says besides.
struct Taken {
    file: Arc<str>,
    sheet: Arc<str>,
    rows: Vec<ReturnRow>,
    problems: Vec<Problem>,
    meta: ReturnMeta,
}

impl Taken {
    /// Takes the rows of the return at `(f, r)`, leaving its row count.
    fn from(intake: &mut Intake, (f, r): crate::intake::ReturnAt) -> Self {
        let file: Arc<str> = intake.files[f].name.as_str().into();
        let read = &mut intake.files[f].returns[r];
        Self {
            file,
            sheet: read.sheet.as_str().into(),
            rows: std::mem::take(&mut read.rows),
            problems: read.problems.clone(),
            meta: read.meta.clone(),
        }
    }
}

/// Checks every expected (unit, task) against the returns read. An unfinished task
/// due within `due_soon_days` of the as-of date is flagged 临期. The rows of the
/// returns judged move into the entries: intake keeps their counts, not the rows.
pub fn consolidate(
    catalogue: &Catalogue,
    roster: &Roster,
    intake: &mut Intake,
    as_of: NaiveDate,
    due_soon_days: u32,
) -> Consolidation {
    let expected = roster.expectations(catalogue);
    let winners = intake.returns_by_unit(roster.units.len());
    let taken: Vec<Option<Taken>> = winners
        .iter()
        .map(|at| at.map(|at| Taken::from(intake, at)))
        .collect();
    // Units are checked on both cores; collect keeps the roster order.
    let per_unit: Vec<(Vec<Entry>, Vec<Problem>, Option<ReturnMeta>)> = taken
        .into_par_iter()
        .zip(roster.units.par_iter())
        .enumerate()
        .map(|(u, (read, unit))| check_unit(catalogue, (u, unit), &expected[u], read, as_of))
        .collect();
    let mut entries = Vec::new();
    let mut problems = intake.problems.clone();
    let mut meta = Vec::with_capacity(roster.units.len());
    for (unit_entries, unit_problems, unit_meta) in per_unit {
        entries.extend(unit_entries);
        problems.extend(unit_problems);
        meta.push(unit_meta);
    }

    // Returns whose unit is unknown: every row is shown, nothing is counted.
    let unknown: Vec<(crate::intake::ReturnAt, String)> = intake
        .returns()
        .filter(|(_, _, read)| read.counts())
        .filter_map(|(at, _, read)| Some((at, read.unknown_unit.clone()?)))
        .collect();
    for (at, name) in unknown {
        let read = Taken::from(intake, at);
        let ctx = RowContext {
            file: read.file,
            sheet: read.sheet,
            unit: None,
            who: UnitRef::Unknown(name),
            as_of,
        };
        problems.extend(read.problems);
        for row in read.rows {
            let Some(t) = catalogue.get(row.task) else {
                continue;
            };
            entries.push(ctx.judge(None, t, Some(row), &mut problems));
        }
    }

    for entry in &mut entries {
        let deadline = catalogue.get(entry.task).map(|t| t.deadline);
        entry.due_soon =
            deadline.is_some_and(|d| is_due_soon(entry.verdict, d, as_of, due_soon_days));
    }
    entries.shrink_to_fit();
    entries.sort_by(|a, b| {
        (&a.unit, a.task, a.source.as_ref().map(|s| s.row)).cmp(&(
            &b.unit,
            b.task,
            b.source.as_ref().map(|s| s.row),
        ))
    });
    problems.sort_by(|a, b| {
        (&a.file, &a.sheet, a.location, a.task).cmp(&(&b.file, &b.sheet, b.location, b.task))
    });
    Consolidation {
        as_of,
        due_soon_days,
        entries,
        problems,
        expected,
        meta,
    }
}

/// The entries of one roster unit: each expected task judged against the unit's
/// winning return, plus rows on tasks it is not expected on.
fn check_unit(
    catalogue: &Catalogue,
    (u, unit): (usize, &Unit),
    expected: &[(u32, Role)],
    read: Option<Taken>,
    as_of: NaiveDate,
) -> (Vec<Entry>, Vec<Problem>, Option<ReturnMeta>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let Some(read) = read else {
        for &(task, role) in expected {
            let deadline = catalogue.get(task).map_or(as_of, |t| t.deadline);
            entries.push(Entry {
                unit: UnitRef::Known(u),
                task,
                role: Some(role),
                verdict: Verdict::NotSubmitted,
                row: None,
                source: None,
                days_overdue: overdue_days(as_of, deadline),
                due_soon: false,
            });
        }
        return (entries, problems, None);
    };
    let ctx = RowContext {
        file: read.file,
        sheet: read.sheet,
        unit: Some(&unit.name),
        who: UnitRef::Known(u),
        as_of,
    };
    problems.extend(read.problems.into_iter().map(|p| p.unit(&unit.name)));
    let mut by_task = rows_by_task(read.rows);
    for &(task, role) in expected {
        let Some(t) = catalogue.get(task) else {
            continue;
        };
        let mut rows = by_task.remove(&task).unwrap_or_default();
        let chosen = pick_row(&rows).map(|i| rows.remove(i));
        for other in &rows {
            problems.push(ctx.duplicate(other, chosen.as_ref()));
        }
        entries.push(ctx.judge(Some(role), t, chosen, &mut problems));
    }
    // Rows on tasks the unit is not expected on: shown and flagged.
    for (task, rows) in by_task {
        let Some(t) = catalogue.get(task) else {
            continue;
        };
        for row in rows {
            problems.push(ctx.problem(&row, Severity::Warning).task(Some(task)).with(
                format!("本单位不是任务 {task} 的责任单位，却填报了该任务"),
                "列入明细（角色为非责任任务），不计入统计",
            ));
            entries.push(ctx.judge(None, t, Some(row), &mut problems));
        }
    }
    (entries, problems, Some(read.meta))
}

fn rows_by_task(rows: Vec<ReturnRow>) -> BTreeMap<u32, Vec<ReturnRow>> {
    let mut map: BTreeMap<u32, Vec<ReturnRow>> = BTreeMap::new();
    for row in rows {
        map.entry(row.task).or_default().push(row);
    }
    map
}

/// Of several rows for one task, the first that has a status speaks for it: its index.
fn pick_row(rows: &[ReturnRow]) -> Option<usize> {
    rows.iter()
        .position(|r| r.status != Status::Empty)
        .or((!rows.is_empty()).then_some(0))
}

/// Whether an unfinished task is due within `window` days of `as_of` (the deadline day included).
pub fn is_due_soon(verdict: Verdict, deadline: NaiveDate, as_of: NaiveDate, window: u32) -> bool {
    let unfinished = matches!(
        verdict,
        Verdict::InProgress | Verdict::Omitted | Verdict::NotSubmitted | Verdict::ToVerify
    );
    let left = (deadline - as_of).num_days();
    unfinished && (0..=i64::from(window)).contains(&left)
}

fn overdue_days(until: NaiveDate, deadline: NaiveDate) -> Option<i64> {
    let days = (until - deadline).num_days();
    (days > 0).then_some(days)
}

/// Where the rows being judged come from, and the date they are judged as of.
struct RowContext<'a> {
    file: Arc<str>,
    sheet: Arc<str>,
    /// The roster unit's name, or none for a return whose unit is unknown.
    unit: Option<&'a str>,
    /// Who the entries belong to.
    who: UnitRef,
    as_of: NaiveDate,
}

impl RowContext<'_> {
    fn problem(&self, row: &ReturnRow, severity: Severity) -> Problem {
        self.problem_at(row, severity, None)
    }

    /// A problem about one cell of the row (`col`), or the whole row.
    fn problem_at(&self, row: &ReturnRow, severity: Severity, col: Option<u32>) -> Problem {
        Problem::file(severity, &self.file, "", "")
            .at(&self.sheet, row.row, col)
            .unit_if(self.unit)
            .task(Some(row.task))
    }

    fn duplicate(&self, row: &ReturnRow, kept: Option<&ReturnRow>) -> Problem {
        let kept = kept.map(|k| row_ref(k.row)).unwrap_or_default();
        let mut content = vec![
            row.status_text.clone(),
            row.narrative.to_string(),
            row.issues.clone(),
        ];
        content.retain(|c| !c.is_empty());
        self.problem(row, Severity::Warning)
            .with(
                format!(
                    "任务 {} 重复填报；本行内容：{}",
                    row.task,
                    content.join(" | ")
                ),
                format!("以{kept}为准，本行未计入；请合并为一行"),
            )
            .ask(format!(
                "该任务在情况表中填报了不止一行（{}与{kept}），本期以{kept}为准。请合并为一行",
                row_ref(row.row)
            ))
    }
}

trait ProblemText {
    fn with(self, what: String, action: impl Into<String>) -> Problem;
}

impl ProblemText for Problem {
    fn with(mut self, what: String, action: impl Into<String>) -> Problem {
        self.what = what;
        self.action = action.into();
        self
    }
}

impl RowContext<'_> {
    /// Judges one row (or its absence) and records the problems §4 lists about it.
    fn judge(
        &self,
        role: Option<Role>,
        task: &Task,
        row: Option<ReturnRow>,
        problems: &mut Vec<Problem>,
    ) -> Entry {
        let (as_of, ctx) = (self.as_of, self);
        let deadline = task.deadline;
        let completed = match row.as_ref().map(|r| &r.date) {
            Some(DateCell::Date(d)) => Some(*d),
            _ => None,
        };
        // A return was read: a task it leaves out is 漏报, not 未报送.
        let empty = Status::Empty;
        let input = Some(
            row.as_ref()
                .map_or((&empty, None), |r| (&r.status, completed)),
        );
        let (verdict, finding) = judge(input, deadline, as_of);
        if let Some(row) = &row {
            problems.extend(self.finding_problem(row, finding));
            if let Some(c) = completed {
                problems.extend(self.date_problems(row, c, deadline));
            }
        }
        let days_overdue = match verdict {
            Verdict::Late => completed.and_then(|c| overdue_days(c, deadline)),
            Verdict::OnTime | Verdict::NotApplicable => None,
            _ => overdue_days(as_of, deadline),
        };
        Entry {
            unit: ctx.who.clone(),
            task: task.number,
            role,
            verdict,
            source: row.as_ref().map(|r| Source {
                file: Arc::clone(&ctx.file),
                sheet: Arc::clone(&ctx.sheet),
                row: r.row,
                last_row: r.last_row,
            }),
            row,
            days_overdue,
            due_soon: false,
        }
    }
}

impl RowContext<'_> {
    /// The problem a verdict's finding makes: a missing date, a status not understood.
    fn finding_problem(&self, row: &ReturnRow, finding: Option<Finding>) -> Option<Problem> {
        Some(match finding? {
            Finding::NoCompletionDate => self
                .problem_at(row, Severity::Error, row.date_col)
                .in_column("完成时间")
                .with(
                    "已完成但未填完成时间，且已过完成时限".into(),
                    "判定为待核实；请补填完成时间",
                )
                .ask("该任务填报为已完成，但未填写完成时间，且已过完成时限。请补填实际完成时间"),
            // A formula without a result: intake has named the cell already.
            Finding::UnknownStatus if row.status_uncomputed => return None,
            Finding::UnknownStatus if row.status_col.is_none() => {
                self.problem_at(row, Severity::Error, None).with(
                    "本表没有完成状态栏，本行进展情况也不以状态词开头，无法判断完成状态".into(),
                    "判定为待核实；请在进展情况开头写明 已完成、推进中、未启动 或 不适用",
                )
                .ask("情况表中没有完成状态栏，该任务的进展情况也未写明完成状态，无法确定是否完成。请按模板填写完成状态（已完成、推进中、未启动或不适用）")
            }
            Finding::UnknownStatus => self
                .problem_at(row, Severity::Error, row.status_col)
                .in_column("完成状态")
                .with(
                    format!("完成状态“{}”无法识别", row.status_text),
                    "判定为待核实，原文保留；请填写 已完成、推进中、未启动 或 不适用",
                )
                .ask(format!(
                    "完成状态填写为“{}”，无法确定是否完成。请按已完成、推进中、未启动或不适用填写",
                    row.status_text
                )),
        })
    }

    /// What SPEC §4 lists about a completion date: after the as-of date, after the
    /// deadline, or given on a row not marked 已完成.
    fn date_problems(&self, row: &ReturnRow, c: NaiveDate, deadline: NaiveDate) -> Vec<Problem> {
        let as_of = self.as_of;
        let problem = |what: String, action: &str| {
            self.problem_at(row, Severity::Warning, row.date_col)
                .in_column("完成时间")
                .with(what, action)
        };
        let mut problems = Vec::new();
        if c > as_of {
            problems.push(
                problem(
                    format!(
                        "完成时间 {} 晚于统计截止日 {}",
                        chinese_date(c),
                        chinese_date(as_of)
                    ),
                    "照常判定；请核实完成时间",
                )
                .ask(format!(
                    "填写的完成时间{}晚于本期统计截止日{}。请核实完成时间",
                    chinese_date(c),
                    chinese_date(as_of)
                )),
            );
        }
        if row.status == Status::Done && c > deadline {
            problems.push(problem(
                format!(
                    "完成时间 {} 晚于完成时限 {}",
                    chinese_date(c),
                    chinese_date(deadline)
                ),
                "判定为逾期完成",
            ));
        }
        if row.status != Status::Done {
            problems.push(problem(
                format!(
                    "完成状态为“{}”，却填了完成时间 {}",
                    row.status_text,
                    chinese_date(c)
                ),
                "未采用该完成时间；如已完成请将完成状态改为已完成",
            )
            .ask(format!(
                "完成状态填写为“{}”，却填写了完成时间{}。如已完成，请将完成状态改为已完成；如未完成，请删去完成时间",
                row.status_text,
                chinese_date(c)
            )));
        }
        problems
    }
}

/// One unit's figures for 总览.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitStats {
    pub unit: usize,
    pub expected: usize,
    /// Expected tasks the return had a row with a status for.
    pub reported: usize,
    /// Count per verdict.
    pub counts: Tally,
    /// Unfinished tasks due within the 临期 window.
    pub due_soon: usize,
    /// (按期完成 + 逾期完成) / (expected − 不适用); `None` when nothing is applicable.
    pub completion_rate: Option<f64>,
    /// 1 for the best rate; equal rates share a rank.
    pub rank: Option<usize>,
}

impl UnitStats {
    pub fn count(&self, v: Verdict) -> usize {
        self.counts.get(v)
    }
}

impl Consolidation {
    /// Figures per roster unit expected on at least one task, in roster order.
    pub fn unit_stats(&self) -> Vec<UnitStats> {
        let mut stats: Vec<UnitStats> = self
            .expected
            .iter()
            .enumerate()
            .filter(|(_, tasks)| !tasks.is_empty())
            .map(|(unit, tasks)| UnitStats {
                unit,
                expected: tasks.len(),
                reported: 0,
                counts: Tally::default(),
                due_soon: 0,
                completion_rate: None,
                rank: None,
            })
            .collect();
        let slot: std::collections::HashMap<usize, usize> =
            stats.iter().enumerate().map(|(i, s)| (s.unit, i)).collect();
        for entry in self.entries.iter().filter(|e| e.counts()) {
            let UnitRef::Known(u) = entry.unit else {
                continue;
            };
            let Some(&i) = slot.get(&u) else { continue };
            let s = &mut stats[i];
            s.counts.add(entry.verdict);
            if !entry.verdict.is_missing() {
                s.reported += 1;
            }
            if entry.due_soon {
                s.due_soon += 1;
            }
        }
        for s in &mut stats {
            s.completion_rate = s.counts.completion_rate(s.expected);
        }
        let mut rates: Vec<f64> = stats.iter().filter_map(|s| s.completion_rate).collect();
        rates.sort_by(|a, b| b.total_cmp(a));
        for s in &mut stats {
            s.rank = s
                .completion_rate
                .map(|r| 1 + rates.partition_point(|x| *x > r));
        }
        stats
    }

    /// Province-wide count per verdict over all counted entries.
    pub fn totals(&self) -> Tally {
        let mut totals = Tally::default();
        for entry in self.entries.iter().filter(|e| e.counts()) {
            totals.add(entry.verdict);
        }
        totals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdicts_index_is_its_place_in_all() {
        for (i, v) in Verdict::ALL.into_iter().enumerate() {
            assert_eq!(v.index(), i, "{v:?}");
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    /// SPEC §4, one line per row of the table, plus the boundaries.
    #[test]
    fn the_table() {
        let deadline = d("2018-06-30");
        let done = Status::Done;
        let going = Status::InProgress;
        let idle = Status::NotStarted;
        let odd = Status::Unrecognised("大部分完成".into());
        type Row<'a> = Option<(&'a Status, Option<NaiveDate>)>;
        let cases: Vec<(Row, &str, Verdict)> = vec![
            (None, "2018-07-31", Verdict::NotSubmitted),
            (Some((&Status::Empty, None)), "2018-07-31", Verdict::Omitted),
            (
                Some((&Status::NotApplicable, None)),
                "2018-07-31",
                Verdict::NotApplicable,
            ),
            (Some((&odd, None)), "2018-05-31", Verdict::ToVerify),
            (
                Some((&done, Some(d("2018-06-30")))),
                "2018-07-31",
                Verdict::OnTime,
            ),
            (
                Some((&done, Some(d("2018-07-01")))),
                "2018-07-31",
                Verdict::Late,
            ),
            (Some((&done, None)), "2018-06-30", Verdict::OnTime),
            (Some((&done, None)), "2018-07-01", Verdict::ToVerify),
            (Some((&going, None)), "2018-06-30", Verdict::InProgress),
            (Some((&idle, None)), "2018-06-30", Verdict::InProgress),
            (
                Some((&going, None)),
                "2018-07-01",
                Verdict::OverdueUnfinished,
            ),
            (
                Some((&idle, None)),
                "2018-07-01",
                Verdict::OverdueUnfinished,
            ),
        ];
        for (row, as_of, want) in cases {
            assert_eq!(
                judge(row, deadline, d(as_of)).0,
                want,
                "row {row:?} as of {as_of}"
            );
        }
        assert_eq!(
            judge(Some((&done, None)), deadline, d("2018-07-01")).1,
            Some(Finding::NoCompletionDate)
        );
    }
}
