//! What changed since the previous period, and what keeps slipping: the questions a
//! supervisor asks first each month. Works on [`crate::monthly::history::Period`] records,
//! the earlier ones oldest first; laying the result out is the report's job.

use std::collections::BTreeSet;

use crate::check::Verdict;
use crate::monthly::history::{Item, Period};

/// One kind of change, in the order 本月变化 lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// 已完成 last period, not now.
    Regressed,
    /// 逾期未完成 now, not last period.
    NewlyOverdue,
    /// 逾期未完成 for two or more periods in a row.
    OverdueStreak,
    /// 未报送 or 漏报 for two or more periods in a row (a silent unit: one row).
    MissingStreak,
    /// A unit that reported last period and sent nothing this one.
    NewlyMissing,
    /// 推进中 with word for word last period's 进展情况.
    SameAsLast,
    /// Done now, not last period.
    NewlyDone,
    /// Reported now, missing last period.
    NewlyReported,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Regressed => "倒退（上期已完成）",
            ChangeKind::NewlyOverdue => "新增逾期",
            ChangeKind::OverdueStreak => "连续逾期",
            ChangeKind::MissingStreak => "连续缺报",
            ChangeKind::NewlyMissing => "新增未报送",
            ChangeKind::SameAsLast => "本期进展与上期相同",
            ChangeKind::NewlyDone => "新完成",
            ChangeKind::NewlyReported => "新报送",
        }
    }
}

/// One change of one (unit, task).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub unit: String,
    /// The task; `None` for a change of the whole unit (reporting again after a silent period).
    pub task: Option<u32>,
    pub kind: ChangeKind,
    pub previous: Verdict,
    pub current: Verdict,
    /// For streaks: how many periods in a row, this one included.
    pub streak: usize,
}

/// Compares `current` with the `earlier` periods (oldest first).
pub fn compute(earlier: &[Period], current: &Period) -> Vec<Change> {
    let Some(last) = earlier.last() else {
        return Vec::new();
    };
    let earlier_silent: Vec<BTreeSet<&str>> = earlier.iter().map(Period::silent_units).collect();
    let silent = Silent {
        last: earlier_silent.last().cloned().unwrap_or_default(),
        now: current.silent_units(),
        earlier: &earlier_silent,
    };
    let mut changes = unit_changes(earlier, current, &silent);
    for ((unit, task), item) in &current.items {
        let Some(before) = last.items.get(&(unit.clone(), *task)) else {
            continue;
        };
        if silent.now.contains(unit.as_str()) {
            continue;
        }
        let at = TaskAt { unit, task: *task };
        let silent_last = silent.last.contains(unit.as_str());
        changes.extend(task_changes(earlier, at, before, item, silent_last));
    }
    changes.sort_by(|a, b| (&a.unit, a.kind, a.task).cmp(&(&b.unit, b.kind, b.task)));
    changes
}

/// The units that sent nothing, last period and now, and in each earlier
/// period (oldest first), worked out once.
struct Silent<'a, 'p> {
    last: BTreeSet<&'a str>,
    now: BTreeSet<&'a str>,
    earlier: &'p [BTreeSet<&'a str>],
}

/// A unit that sent nothing is one row, not one per task: silent again
/// (how many periods in a row), newly silent, or reporting again.
fn unit_changes(earlier: &[Period], current: &Period, silent: &Silent<'_, '_>) -> Vec<Change> {
    let Some(last) = earlier.last() else {
        return Vec::new();
    };
    let unit_change = |unit: &str, kind, previous, current, streak| Change {
        unit: unit.to_string(),
        task: None,
        kind,
        previous,
        current,
        streak,
    };
    let (in_last, in_current) = (units_of(last), units_of(current));
    let mut changes = Vec::new();
    for &unit in &silent.now {
        if silent.last.contains(unit) {
            let streak = 1 + silent
                .earlier
                .iter()
                .rev()
                .take_while(|s| s.contains(unit))
                .count();
            let (kind, was) = (ChangeKind::MissingStreak, Verdict::NotSubmitted);
            changes.push(unit_change(unit, kind, was, Verdict::NotSubmitted, streak));
        } else if in_last.contains(unit) {
            let (kind, was) = (ChangeKind::NewlyMissing, Verdict::InProgress);
            changes.push(unit_change(unit, kind, was, Verdict::NotSubmitted, 1));
        }
    }
    for &unit in silent.last.difference(&silent.now) {
        if in_current.contains(unit) {
            let (kind, was) = (ChangeKind::NewlyReported, Verdict::NotSubmitted);
            changes.push(unit_change(unit, kind, was, Verdict::InProgress, 0));
        }
    }
    changes
}

/// The units a period has items for.
fn units_of(period: &Period) -> BTreeSet<&str> {
    period.items.keys().map(|(u, _)| u.as_str()).collect()
}

/// One (unit, task) of the period.
#[derive(Clone, Copy)]
struct TaskAt<'a> {
    unit: &'a String,
    task: u32,
}

/// The changes of one (unit, task) the unit reported now and last period.
fn task_changes(
    earlier: &[Period],
    at: TaskAt,
    before: &Item,
    item: &Item,
    silent_last: bool,
) -> Vec<Change> {
    let (now, was) = (item.verdict, before.verdict);
    let mut changes = Vec::new();
    let mut push = |kind, streak| {
        changes.push(Change {
            unit: at.unit.clone(),
            task: Some(at.task),
            kind,
            previous: was,
            current: now,
            streak,
        });
    };
    // How many periods in a row, ending now, satisfy `test`.
    let streak = |test: fn(Verdict) -> bool| {
        1 + earlier
            .iter()
            .rev()
            .take_while(|p| {
                p.items
                    .get(&(at.unit.clone(), at.task))
                    .is_some_and(|i| test(i.verdict))
            })
            .count()
    };
    // A unit that sent nothing has not said the task is undone: that is 缺报, not a regression.
    if was.is_done() && !now.is_done() && !now.is_missing() {
        push(ChangeKind::Regressed, 0);
    }
    // Against a period it did not report in, everything would look new: a unit
    // reporting again gets one 新报送 row (see `unit_changes`), not one per task.
    if now.is_done() && !was.is_done() && !silent_last {
        push(ChangeKind::NewlyDone, 0);
    }
    if now == Verdict::OverdueUnfinished {
        if was == Verdict::OverdueUnfinished {
            let n = streak(|v| v == Verdict::OverdueUnfinished);
            push(ChangeKind::OverdueStreak, n);
        } else {
            push(ChangeKind::NewlyOverdue, 0);
        }
    }
    if now.is_missing() && was.is_missing() {
        push(ChangeKind::MissingStreak, streak(Verdict::is_missing));
    }
    if was == Verdict::Omitted && !now.is_missing() {
        push(ChangeKind::NewlyReported, 0);
    }
    if now == Verdict::InProgress
        && !item.narrative.trim().is_empty()
        && item.narrative.trim() == before.narrative.trim()
    {
        push(ChangeKind::SameAsLast, 0);
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::collections::BTreeMap;

    fn period(label: &str, items: &[(u32, Verdict, &str)]) -> Period {
        Period {
            month: crate::period::Month::parse(label).unwrap_or(crate::period::Month {
                year: 2018,
                month: 6,
            }),
            as_of: NaiveDate::from_ymd_opt(2018, 6, 30).unwrap_or_default(),
            items: items
                .iter()
                .map(|(t, v, n)| {
                    (
                        ("海口市".to_string(), *t),
                        Item {
                            verdict: *v,
                            narrative: (*n).into(),
                        },
                    )
                })
                .collect::<BTreeMap<_, _>>(),
            contacts: BTreeMap::new(),
        }
    }

    #[test]
    fn every_change_category() {
        use Verdict::*;
        let may = period(
            "2018-05",
            &[
                (1, OverdueUnfinished, ""),
                (2, Omitted, ""),
                (3, OnTime, ""),
                (6, NotSubmitted, ""),
            ],
        );
        let june = period(
            "2018-06",
            &[
                (1, OverdueUnfinished, ""),
                (2, Omitted, ""),
                (3, OnTime, ""),
                (4, InProgress, "正在推进"),
                (5, InProgress, "甲"),
                (6, Omitted, ""),
                (7, InProgress, ""),
            ],
        );
        let july = period(
            "2018-07",
            &[
                (1, OverdueUnfinished, ""),
                (2, Omitted, ""),
                (3, InProgress, ""),
                (4, InProgress, "正在推进"),
                (5, OnTime, ""),
                (6, InProgress, "乙"),
                (7, OverdueUnfinished, ""),
            ],
        );
        let changes = compute(&[may, june], &july);
        let kinds: Vec<(u32, ChangeKind, usize)> = changes
            .iter()
            .map(|c| (c.task.unwrap_or(0), c.kind, c.streak))
            .collect();
        assert!(
            kinds.contains(&(1, ChangeKind::OverdueStreak, 3)),
            "{kinds:?}"
        );
        assert!(kinds.contains(&(2, ChangeKind::MissingStreak, 3)));
        assert!(kinds.contains(&(3, ChangeKind::Regressed, 0)));
        assert!(kinds.contains(&(4, ChangeKind::SameAsLast, 0)));
        assert!(kinds.contains(&(5, ChangeKind::NewlyDone, 0)));
        assert!(kinds.contains(&(6, ChangeKind::NewlyReported, 0)));
        assert!(kinds.contains(&(7, ChangeKind::NewlyOverdue, 0)));
        assert_eq!(kinds.len(), 7, "{kinds:?}");
        assert!(
            compute(&[], &period("2018-05", &[(1, InProgress, "")])).is_empty(),
            "no predecessor, no changes"
        );
        let silent = compute(
            &[period("2018-05", &[(1, OnTime, "")])],
            &period("2018-06", &[(1, NotSubmitted, "")]),
        );
        // A silent unit's done tasks are not regressions: it is one 新增未报送 row.
        let kinds: Vec<(Option<u32>, ChangeKind)> =
            silent.iter().map(|c| (c.task, c.kind)).collect();
        assert_eq!(kinds, [(None, ChangeKind::NewlyMissing)], "{silent:?}");
        // Silent two periods running: one 连续缺报 row for the unit, its streak counted.
        let again = compute(
            &[
                period("2018-05", &[(1, NotSubmitted, ""), (2, NotSubmitted, "")]),
                period("2018-06", &[(1, NotSubmitted, ""), (2, NotSubmitted, "")]),
            ],
            &period("2018-07", &[(1, NotSubmitted, ""), (2, NotSubmitted, "")]),
        );
        let kinds: Vec<(Option<u32>, ChangeKind, usize)> =
            again.iter().map(|c| (c.task, c.kind, c.streak)).collect();
        assert_eq!(kinds, [(None, ChangeKind::MissingStreak, 3)]);
        // A unit back after a silent period: one row for the unit, not one per task.
        let back = compute(
            &[period(
                "2018-05",
                &[(1, NotSubmitted, ""), (2, NotSubmitted, "")],
            )],
            &period("2018-06", &[(1, OnTime, ""), (2, InProgress, "")]),
        );
        assert_eq!(back.len(), 1, "{back:?}");
        assert_eq!(
            (back[0].task, back[0].kind),
            (None, ChangeKind::NewlyReported)
        );
    }
}
