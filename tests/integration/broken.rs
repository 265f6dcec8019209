//! The broken-file corpus (tests/fixtures/broken/README.md says how each was made):
//! each refused file is one problem row naming it with what the county should do,
//! its unit is 未报送, and the good return beside it is read as usual.

use std::path::{Path, PathBuf};

use crate::common::*;

fn broken(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/broken")
        .join(name)
}

/// Consolidates `name` beside a good 海口市 return.
fn with_a_good_return(name: &str) -> (Workdir, PathBuf) {
    let w = Workdir::new();
    let input = w.folder("2018-06");
    std::fs::copy(broken(name), input.join(name)).expect("copy fixture");
    ReturnBuilder::new("海口市")
        .row(1, "已完成", Some("2017-07-01"))
        .write(&input, "海口市.xlsx");
    let out = w.consolidate(&input, &[]);
    (w, out)
}

/// (file, its unit, words the reason must hold)
const REFUSED: &[(&str, &str, &str)] = &[
    ("zero_bytes_三亚市.xlsx", "三亚市", "文件为空"),
    ("truncated_zip_儋州市.xlsx", "儋州市", "已损坏或不完整"),
    (
        "random_bytes_五指山市.xlsx",
        "五指山市",
        "不是可识别的电子表格",
    ),
    ("word_document_琼海市.xlsx", "琼海市", "Word 文档"),
    ("password_屯昌县.xlsx", "屯昌县", "文件设有打开密码"),
    ("malformed_xml_临高县.xlsx", "临高县", "已损坏或不完整"),
    (
        "all_sheets_empty_白沙县.xlsx",
        "白沙黎族自治县",
        "未找到进展情况表",
    ),
    (
        "empty_strings_昌江县.xlsx",
        "昌江黎族自治县",
        "未找到进展情况表",
    ),
    (
        "truncated_ods_乐东县.ods",
        "乐东黎族自治县",
        "已损坏或不完整",
    ),
    (
        "ods_repeated_cells_三亚市.ods",
        "三亚市",
        "相距很远的单元格",
    ),
];

#[test]
fn each_broken_file_is_one_clear_problem() {
    for (name, unit, reason) in REFUSED {
        let (_w, out) = with_a_good_return(name);
        let rows = list_text(&out, "数据问题");
        assert_eq!(rows.len(), 2, "{name}: exactly one problem row: {rows:?}");
        let problem = rows[1].join(" | ");
        assert!(
            problem.contains(name) && problem.contains(reason),
            "{name}: {problem}"
        );
        assert!(
            problem.contains("请"),
            "{name}: the reason says what to do: {problem}"
        );
        assert!(
            detail(&out)
                .iter()
                .filter(|r| r["单位"] == *unit)
                .all(|r| r["判定"] == "未报送"),
            "{name}: {unit}'s tasks are 未报送"
        );
        assert_eq!(
            verdict(&out, "海口市", 1),
            "按期完成",
            "{name}: the good return is read"
        );
    }
}

/// Files that are odd but hold a plain table: read, not refused.
#[test]
fn web_exports_and_a_lying_dimension_are_read() {
    for (name, unit, tasks_read) in [
        ("html_table_文昌市.xls", "文昌市", 30),
        ("html_table_gbk_万宁市.xls", "万宁市", 5),
        ("csv_table_东方市.xls", "东方市", 30),
        ("csv_gbk_定安县.xls", "定安县", 5),
        ("huge_dimension_澄迈县.xlsx", "澄迈县", 30),
    ] {
        let (_w, out) = with_a_good_return(name);
        assert_eq!(verdict(&out, unit, 1), "按期完成", "{name}");
        assert_eq!(
            detail_row(&out, unit, 1)["完成时间"],
            "2017-07-20",
            "{name}"
        );
        let reported = detail(&out)
            .iter()
            .filter(|r| r["单位"] == unit && r["判定"] != "漏报")
            .count();
        assert_eq!(reported, tasks_read, "{name}");
        assert!(problems(&out).is_empty(), "{name}: {:?}", problems(&out));
    }
}

#[test]
fn the_whole_broken_corpus_beside_two_good_returns() {
    let w = Workdir::new();
    let input = w.folder("2018-06");
    copy_files(&broken(""), &input);
    ReturnBuilder::new("海口市")
        .row(1, "已完成", Some("2017-07-01"))
        .write(&input, "海口市.xlsx");
    ReturnBuilder::new("三沙市")
        .row(1, "推进中", None)
        .write(&input, "三沙市.xlsx");
    let out = w.consolidate(&input, &[]);
    let problems = problems(&out);
    assert_eq!(problems.len(), REFUSED.len(), "{problems:?}");
    assert_eq!(verdict(&out, "海口市", 1), "按期完成");
    assert_eq!(verdict(&out, "三沙市", 1), "逾期未完成");
}

/// Inputs the fuzzer found crashing calamine's cell-reference parsing (integer
/// overflow; see tests/fixtures/README.md). With overflow checks a panic is caught
/// and the file listed as unreadable; without, the wrapped values are read or refused.
/// Either way the run goes on, says nothing on stderr, and names every file.
#[test]
fn fuzzer_findings_do_not_stop_a_run() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let w = Workdir::new();
    let input = w.folder("2018-06");
    let names = copy_files(&fuzz, &input);
    ReturnBuilder::new("三沙市")
        .row(1, "已完成", Some("2017-07-01"))
        .write(&input, "三沙市.xlsx");
    let (output, peak) = w.run_measured(&["run", "--input", "2018-06", "--output", "out.xlsx"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "nothing on stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = w.path("out.xlsx");
    let sources = list_text(&out, "来源文件");
    let outcome = sources[0]
        .iter()
        .position(|h| h == "处理结果")
        .expect("处理结果 column");
    for name in &names {
        let row = sources
            .iter()
            .find(|r| r[0] == *name)
            .unwrap_or_else(|| panic!("{name} is not in 来源文件"));
        assert!(!row[outcome].is_empty(), "{name} has an outcome");
    }
    assert_eq!(verdict(&out, "三沙市", 1), "按期完成");
    assert!(peak < 200, "peak RSS {peak} MB");
}
