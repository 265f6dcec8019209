//! One test per row of SPEC §4's table, plus its boundaries. Task 1's deadline is
//! 2017-07-31 (`2017年7月底`); every return is 海口市's, every other unit sends nothing.

use crate::common::{ReturnBuilder, Workdir, problems, verdict};

const UNIT: &str = "海口市";

/// Consolidates one 海口市 return as of `as_of` and gives task `task`'s verdict.
fn judged(builder: ReturnBuilder, task: u32, as_of: &str) -> (String, Vec<String>) {
    let w = Workdir::new();
    let input = w.folder("returns");
    builder.write(&input, "海口市.xlsx");
    let out = w.consolidate(&input, &["--as-of", as_of]);
    (verdict(&out, UNIT, task), problems(&out))
}

#[test]
fn no_readable_return_is_not_submitted() {
    let w = Workdir::new();
    let input = w.folder("returns");
    ReturnBuilder::new(UNIT)
        .row(1, "已完成", Some("2017-07-01"))
        .write(&input, "海口市.xlsx");
    std::fs::write(input.join("三亚市.xlsx"), b"not a workbook").expect("write");
    let out = w.consolidate(&input, &["--as-of", "2018-06-30"]);
    assert_eq!(verdict(&out, "三亚市", 1), "未报送");
    assert_eq!(verdict(&out, "儋州市", 1), "未报送");
    assert_eq!(verdict(&out, UNIT, 1), "按期完成");
}

#[test]
fn no_row_for_the_task_is_omitted() {
    let (v, _) = judged(ReturnBuilder::new(UNIT).omit(1), 1, "2018-06-30");
    assert_eq!(v, "漏报");
}

#[test]
fn empty_status_is_omitted() {
    let (v, _) = judged(ReturnBuilder::new(UNIT).row(1, "", None), 1, "2018-06-30");
    assert_eq!(v, "漏报");
}

#[test]
fn not_applicable() {
    let (v, _) = judged(
        ReturnBuilder::new(UNIT).row(1, "无此项", None),
        1,
        "2018-06-30",
    );
    assert_eq!(v, "不适用");
}

#[test]
fn unrecognised_status_is_to_verify_and_kept_verbatim() {
    let w = Workdir::new();
    let input = w.folder("returns");
    ReturnBuilder::new(UNIT)
        .row(1, "大部分完成", None)
        .write(&input, "海口市.xlsx");
    let out = w.consolidate(&input, &["--as-of", "2018-06-30"]);
    assert_eq!(verdict(&out, UNIT, 1), "待核实");
    let row = crate::common::detail(&out)
        .into_iter()
        .find(|r| r["单位"] == UNIT && r["序号"] == "1")
        .expect("row");
    assert_eq!(row["完成状态"], "大部分完成");
    assert!(
        problems(&out)
            .iter()
            .any(|p| p.contains("大部分完成") && p.contains("无法识别"))
    );
}

#[test]
fn done_before_the_deadline_is_on_time() {
    let (v, _) = judged(
        ReturnBuilder::new(UNIT).row(1, "已完成", Some("2017-06-30")),
        1,
        "2018-06-30",
    );
    assert_eq!(v, "按期完成");
}

#[test]
fn done_on_the_deadline_day_is_on_time() {
    let (v, problems) = judged(
        ReturnBuilder::new(UNIT).row(1, "已完成", Some("2017-07-31")),
        1,
        "2018-06-30",
    );
    assert_eq!(v, "按期完成");
    assert!(
        !problems.iter().any(|p| p.contains("晚于完成时限")),
        "{problems:?}"
    );
}

#[test]
fn done_after_the_deadline_is_late() {
    let (v, problems) = judged(
        ReturnBuilder::new(UNIT).row(1, "已完成", Some("2017-08-01")),
        1,
        "2018-06-30",
    );
    assert_eq!(v, "逾期完成");
    assert!(
        problems.iter().any(|p| p.contains("晚于完成时限")),
        "{problems:?}"
    );
}

#[test]
fn done_without_date_before_the_deadline_is_on_time() {
    let (v, _) = judged(
        ReturnBuilder::new(UNIT).row(1, "已完成", None),
        1,
        "2017-07-31",
    );
    assert_eq!(v, "按期完成");
}

#[test]
fn done_without_date_after_the_deadline_is_to_verify() {
    let (v, problems) = judged(
        ReturnBuilder::new(UNIT).row(1, "已完成", None),
        1,
        "2017-08-01",
    );
    assert_eq!(v, "待核实");
    assert!(
        problems.iter().any(|p| p.contains("未填完成时间")),
        "{problems:?}"
    );
}

#[test]
fn in_progress_on_the_deadline_day_is_not_overdue() {
    let (v, _) = judged(
        ReturnBuilder::new(UNIT).row(1, "推进中", None),
        1,
        "2017-07-31",
    );
    assert_eq!(v, "推进中");
}

#[test]
fn not_started_before_the_deadline_is_in_progress() {
    let (v, _) = judged(
        ReturnBuilder::new(UNIT).row(1, "未启动", None),
        1,
        "2017-07-01",
    );
    assert_eq!(v, "推进中");
}

#[test]
fn in_progress_after_the_deadline_is_overdue() {
    let (v, _) = judged(
        ReturnBuilder::new(UNIT).row(1, "正在推进", None),
        1,
        "2017-08-01",
    );
    assert_eq!(v, "逾期未完成");
}

#[test]
fn not_started_after_the_deadline_is_overdue() {
    let (v, _) = judged(
        ReturnBuilder::new(UNIT).row(1, "尚未启动", None),
        1,
        "2017-08-01",
    );
    assert_eq!(v, "逾期未完成");
}

#[test]
fn as_of_comes_from_the_folder_name() {
    for (folder, want) in [("2017-07", "推进中"), ("2017-08", "逾期未完成")] {
        let w = Workdir::new();
        let input = w.folder(folder);
        ReturnBuilder::new(UNIT)
            .row(1, "推进中", None)
            .write(&input, "海口市.xlsx");
        let out = w.consolidate(&input, &[]);
        assert_eq!(verdict(&out, UNIT, 1), want, "folder {folder}");
    }
}

#[test]
fn section_4_problems_are_listed() {
    let w = Workdir::new();
    let input = w.folder("returns");
    ReturnBuilder::new(UNIT)
        .row(2, "已完成", Some("2018-07-15"))
        .row(3, "推进中", Some("2018-05-01"))
        .write(&input, "海口市.xlsx");
    let out = w.consolidate(&input, &["--as-of", "2018-06-30"]);
    let problems = problems(&out);
    assert!(
        problems.iter().any(|p| p.contains("晚于统计截止日")),
        "date after as-of: {problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("却填了完成时间")),
        "date on an unfinished row: {problems:?}"
    );
}

#[test]
fn duplicate_rows_and_unexpected_tasks_are_listed_and_kept() {
    let w = Workdir::new();
    let input = w.folder("returns");
    let mut builder = ReturnBuilder::new(UNIT).row(5, "推进中", None);
    builder.extra(5, "已完成", "第二行的进展原文");
    builder.extra(28, "推进中", "非本单位任务的进展");
    builder.write(&input, "海口市.xlsx");
    let out = w.consolidate(&input, &["--as-of", "2018-06-30"]);
    let problems = problems(&out);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("重复填报") && p.contains("第二行的进展原文")),
        "the duplicate row's text is kept in 数据问题: {problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("不是任务 28 的责任单位")),
        "{problems:?}"
    );
    assert_eq!(
        verdict(&out, UNIT, 5),
        "推进中",
        "the first row speaks for the task"
    );
    let detail = crate::common::detail(&out);
    let extra = detail
        .iter()
        .find(|r| r["单位"] == UNIT && r["序号"] == "28")
        .expect("task 28 row kept in 明细");
    assert_eq!(extra["角色"], "非责任任务");
    assert_eq!(extra["进展情况"], "非本单位任务的进展");
}

#[test]
fn due_soon_is_flagged_in_detail_and_the_matrix() {
    // Task 2 is due 2018-12-31: within 30 days of 2018-12-01, not of 2018-11-30.
    for (as_of, flagged) in [
        ("2018-12-01", true),
        ("2018-11-30", false),
        ("2018-12-31", true),
    ] {
        let w = Workdir::new();
        let input = w.folder("returns");
        ReturnBuilder::new(UNIT)
            .row(2, "推进中", None)
            .row(3, "已完成", Some("2018-05-01"))
            .write(&input, "海口市.xlsx");
        let out = w.consolidate(&input, &["--as-of", as_of]);
        let row = crate::common::detail_row(&out, UNIT, 2);
        assert_eq!(row["判定"], "推进中", "as of {as_of}");
        assert_eq!(row["临期"] == "临期", flagged, "as of {as_of}");
        assert_eq!(
            crate::common::detail_row(&out, UNIT, 3)["临期"],
            "",
            "done tasks are never 临期"
        );
        let matrix = crate::common::sheet_text(&out, "进展矩阵");
        let task_row = matrix
            .iter()
            .find(|r| r[0] == "2")
            .expect("task 2 in the matrix");
        // 序号, 完成时限, then the units: 海口市 first.
        assert_eq!(
            task_row[2],
            if flagged { "临期" } else { "推进中" },
            "as of {as_of}"
        );
    }
    let w = Workdir::new();
    let input = w.folder("returns");
    ReturnBuilder::new(UNIT)
        .row(2, "推进中", None)
        .write(&input, "海口市.xlsx");
    let out = w.consolidate(&input, &["--as-of", "2018-11-01", "--due-soon-days", "60"]);
    assert_eq!(
        crate::common::detail_row(&out, UNIT, 2)["临期"],
        "临期",
        "--due-soon-days widens the window"
    );
}
