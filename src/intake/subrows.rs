//! A task split over sub-rows (SPEC §3): rows `5-1`, `5-2`, one row per school
//! repeating the number, a number merged down over several rows. Consecutive rows
//! of one task are its sub-rows and become one row: 已完成 when every sub-row is
//! 已完成 (its date the latest given), 未启动 when every one is 未启动 or empty,
//! 不适用 when every one given is 不适用, else 推进中; the texts joined in order.
//! A first row with neither status nor date over rows that have them is the
//! task's heading (`5 | 主要任务` above `5-1`, `5-2`), not a sub-row.
//!
//! Rows of one task that are not consecutive (the task's row, and further down the
//! same task again) stay apart: the check lists the later one as a duplicate.

use super::rows::ReturnRow;
use super::values::{DateCell, Status};
use crate::problem::{Problem, Severity};

/// The rows with each run of consecutive rows of one task joined into one.
/// Problems about single sub-rows (a status not understood) go to `problems`.
pub fn join(
    rows: Vec<ReturnRow>,
    file: &str,
    sheet: &str,
    problems: &mut Vec<Problem>,
) -> Vec<ReturnRow> {
    let mut joined: Vec<ReturnRow> = Vec::with_capacity(rows.len());
    let mut run: Vec<ReturnRow> = Vec::new();
    for row in rows {
        if run.last().is_some_and(|last| last.task != row.task) {
            joined.push(one_row(std::mem::take(&mut run), file, sheet, problems));
        }
        run.push(row);
    }
    if !run.is_empty() {
        joined.push(one_row(run, file, sheet, problems));
    }
    joined
}

/// The sub-rows of one task as one row: the first row's place, the joint status.
fn one_row(
    mut run: Vec<ReturnRow>,
    file: &str,
    sheet: &str,
    problems: &mut Vec<Problem>,
) -> ReturnRow {
    if run.len() == 1 {
        return run.remove(0);
    }
    // The task's heading row over its sub-rows counts for its texts only.
    let heading = run[0].status == Status::Empty
        && run[0].date == DateCell::Empty
        && run[1..].iter().any(|r| r.status != Status::Empty);
    let subs = if heading { &run[1..] } else { &run[..] };
    let status = joint_status(subs);
    // One status word not understood among understood ones: the task is 推进中 by
    // the rule, and the word is listed so nothing is silently dropped.
    if !matches!(status, Status::Unrecognised(_)) {
        for row in subs
            .iter()
            .filter(|r| matches!(r.status, Status::Unrecognised(_)) && !r.status_uncomputed)
        {
            problems.push(
                Problem::file(
                    Severity::Warning,
                    file,
                    format!(
                        "任务 {} 分行填报，其中本行完成状态“{}”无法识别",
                        row.task, row.status_text
                    ),
                    format!(
                        "按其余各行汇总判定为“{}”；请填写 已完成、推进中、未启动 或 不适用",
                        status_word(&status)
                    ),
                )
                .at(sheet, row.row, row.status_col)
                .task(Some(row.task)),
            );
        }
    }
    // A finished task's date is its last sub-row's; an unfinished one has none
    // (a school's finishing date is not the task's).
    let dated = subs
        .iter()
        .filter_map(|r| match r.date {
            DateCell::Date(d) => Some((d, r.date_col)),
            _ => None,
        })
        .max_by_key(|(d, _)| *d);
    let (date, date_col) = match (&status, dated) {
        (Status::Done, Some((d, col))) => (DateCell::Date(d), col),
        (Status::Done, None) => (
            subs.iter()
                .map(|r| r.date.clone())
                .find(|d| matches!(d, DateCell::Unreadable(_)))
                .unwrap_or(DateCell::Empty),
            run[0].date_col,
        ),
        _ => (DateCell::Empty, run[0].date_col),
    };
    let status_text = joint_status_text(subs, &status);
    let status_uncomputed =
        subs.iter().any(|r| r.status_uncomputed) && matches!(status, Status::Unrecognised(_));
    let joined = |pick: fn(&ReturnRow) -> &str| joined_text(run.iter().map(pick));
    let narrative = joined(|r| &r.narrative);
    let issues = joined(|r| &r.issues);
    let next_steps = joined(|r| &r.next_steps);
    let remarks = joined(|r| &r.remarks);
    let last_row = run.iter().map(|r| r.last_row).max().unwrap_or(run[0].row);
    let first = run.swap_remove(0);
    ReturnRow {
        last_row,
        status,
        status_text,
        status_uncomputed,
        date,
        date_col,
        narrative: narrative.into(),
        issues,
        next_steps,
        remarks,
        ..first
    }
}

/// SPEC §3's rule for sub-rows. Where the spec is silent: every sub-row empty is
/// an empty status (漏报, nothing was reported); a 不适用 among empty rows is
/// 不适用; sub-rows whose words are all unrecognised stay unrecognised (待核实).
fn joint_status(run: &[ReturnRow]) -> Status {
    let given: Vec<&Status> = run
        .iter()
        .map(|r| &r.status)
        .filter(|s| **s != Status::Empty)
        .collect();
    if given.is_empty() {
        return Status::Empty;
    }
    if given.len() == run.len() && given.iter().all(|s| **s == Status::Done) {
        return Status::Done;
    }
    if given.iter().all(|s| **s == Status::NotStarted) {
        return Status::NotStarted;
    }
    if given.iter().all(|s| **s == Status::NotApplicable) {
        return Status::NotApplicable;
    }
    if given.iter().all(|s| matches!(s, Status::Unrecognised(_))) {
        let words: Vec<&str> = run
            .iter()
            .filter(|r| matches!(r.status, Status::Unrecognised(_)))
            .map(|r| r.status_text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        return Status::Unrecognised(words.join("；"));
    }
    Status::InProgress
}

/// The status as 明细 shows it: the word of every sub-row when they agree, else
/// the joint word and how the sub-rows stand (`推进中（分3行：已完成2行，推进中1行）`).
fn joint_status_text(run: &[ReturnRow], status: &Status) -> String {
    let first = &run[0].status_text;
    if run.iter().all(|r| &r.status_text == first) {
        return first.clone();
    }
    if let Status::Unrecognised(words) = status {
        return words.clone();
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for row in run {
        let word = status_word(&row.status);
        match counts.iter_mut().find(|(w, _)| *w == word) {
            Some((_, n)) => *n += 1,
            None => counts.push((word, 1)),
        }
    }
    let counts: Vec<String> = counts.iter().map(|(w, n)| format!("{w}{n}行")).collect();
    format!(
        "{}（分{}行：{}）",
        status_word(status),
        run.len(),
        counts.join("，")
    )
}

fn status_word(status: &Status) -> &'static str {
    match status {
        Status::Done => "已完成",
        Status::InProgress => "推进中",
        Status::NotStarted => "未启动",
        Status::NotApplicable => "不适用",
        Status::Unrecognised(_) => "无法识别",
        Status::Empty => "未填",
    }
}

/// The sub-rows' texts in order, one a line; a text merged down over several
/// sub-rows (the same words again) is given once.
fn joined_text<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for text in texts.map(str::trim).filter(|t| !t.is_empty()) {
        if kept.last() != Some(&text) {
            kept.push(text);
        }
    }
    kept.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn row(
        index: u32,
        task: u32,
        status: Status,
        date: Option<(i32, u32, u32)>,
        narrative: &str,
    ) -> ReturnRow {
        let text = status_word(&status).to_string();
        ReturnRow {
            row: index,
            last_row: index,
            task,
            status_text: if status == Status::Empty {
                String::new()
            } else {
                text
            },
            status,
            status_uncomputed: false,
            date: date.map_or(DateCell::Empty, |(y, m, d)| {
                DateCell::Date(NaiveDate::from_ymd_opt(y, m, d).expect("date"))
            }),
            status_col: Some(5),
            date_col: Some(6),
            narrative: narrative.into(),
            issues: String::new(),
            next_steps: String::new(),
            remarks: String::new(),
        }
    }

    /// SPEC §3's rule, one line per case: the sub-rows' statuses → the task's.
    #[test]
    fn the_joint_status() {
        use Status::*;
        let cases: Vec<(Vec<Status>, Status)> = vec![
            (vec![Done, Done, Done], Done),
            (vec![Done, InProgress], InProgress),
            (vec![Done, Empty], InProgress),
            (vec![Done, NotStarted], InProgress),
            (vec![NotStarted, NotStarted], NotStarted),
            (vec![NotStarted, Empty], NotStarted),
            (vec![NotApplicable, NotApplicable], NotApplicable),
            (vec![NotApplicable, Done], InProgress),
            (vec![InProgress, InProgress], InProgress),
            (vec![Empty, Empty], Empty),
            (vec![Unrecognised("待定".into()), Done], InProgress),
            // A heading row (no status, no date) over its sub-rows.
            (vec![Empty, Done, Done], Done),
            (vec![Empty, NotApplicable], NotApplicable),
        ];
        for (statuses, want) in cases {
            let run: Vec<ReturnRow> = statuses
                .iter()
                .enumerate()
                .map(|(i, s)| row(10 + i as u32, 5, s.clone(), None, ""))
                .collect();
            let mut problems = Vec::new();
            let joined = join(run, "f.xlsx", "进展情况", &mut problems);
            assert_eq!(joined.len(), 1, "{statuses:?}");
            assert_eq!(joined[0].status, want, "{statuses:?}");
        }
    }

    #[test]
    fn a_finished_task_takes_the_latest_date_and_texts_join_in_order() {
        use Status::*;
        let run = vec![
            row(10, 5, Done, Some((2019, 1, 10)), "海口一中：已完成"),
            row(11, 5, Done, Some((2019, 2, 20)), "海口二中：已完成"),
            row(12, 5, Done, None, "海口二中：已完成"),
            row(13, 6, InProgress, None, "另一项"),
            row(14, 5, InProgress, Some((2019, 3, 1)), "又一行"),
        ];
        let mut problems = Vec::new();
        let joined = join(run, "f.xlsx", "进展情况", &mut problems);
        assert_eq!(
            joined.len(),
            3,
            "the later task 5 row stays apart: a duplicate"
        );
        let five = &joined[0];
        assert_eq!((five.row, five.last_row), (10, 12));
        assert_eq!(five.status, Done);
        assert_eq!(
            five.date,
            DateCell::Date(NaiveDate::from_ymd_opt(2019, 2, 20).expect("date"))
        );
        assert_eq!(&*five.narrative, "海口一中：已完成\n海口二中：已完成");
        assert_eq!(five.status_text, "已完成");
        assert!(problems.is_empty(), "{problems:?}");
        // Unfinished: no completion date, and the status says how the rows stand.
        let run = vec![
            row(20, 9, Done, Some((2019, 1, 10)), "a"),
            row(21, 9, InProgress, None, "b"),
            row(22, 9, Done, Some((2019, 1, 12)), "c"),
        ];
        let joined = join(run, "f.xlsx", "进展情况", &mut problems);
        assert_eq!(joined[0].status, InProgress);
        assert_eq!(joined[0].date, DateCell::Empty);
        assert_eq!(
            joined[0].status_text,
            "推进中（分3行：已完成2行，推进中1行）"
        );
    }

    #[test]
    fn an_unrecognised_word_among_sub_rows_is_listed() {
        let mut odd = row(11, 5, Status::Unrecognised("待定".into()), None, "");
        odd.status_text = "待定".into();
        let run = vec![row(10, 5, Status::Done, None, ""), odd];
        let mut problems = Vec::new();
        let joined = join(run, "f.xlsx", "进展情况", &mut problems);
        assert_eq!(joined[0].status, Status::InProgress);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].what,
            "任务 5 分行填报，其中本行完成状态“待定”无法识别"
        );
        assert_eq!(problems[0].place(), "F12");
    }
}
