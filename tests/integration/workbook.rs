//! Properties of the written workbook as a file: reproducible, atomic, text kept as text.

use std::io::Read;

use county_returns::check::Verdict;

use crate::common::{ReturnBuilder, Workdir, detail};

/// The XML of every part of a workbook, by part name (the workbook has no binary part).
fn parts(path: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    let mut parts = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("part");
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let mut xml = String::new();
        part.read_to_string(&mut xml)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        parts.insert(name, xml);
    }
    parts
}

#[test]
fn same_inputs_give_the_same_bytes() {
    let w = Workdir::new();
    let input = w.folder("2018-06");
    ReturnBuilder::new("海口市")
        .row(1, "已完成", Some("2017-07-01"))
        .write(&input, "海口市.xlsx");
    let a = w.path("a.xlsx");
    let b = w.path("b.xlsx");
    for out in [&a, &b] {
        let status = w
            .run(&[
                "run",
                "--input",
                "2018-06",
                "--output",
                out.to_str().expect("utf-8"),
            ])
            .status;
        assert!(status.success());
    }
    let (a, b) = (std::fs::read(a).expect("a"), std::fs::read(b).expect("b"));
    assert!(a == b, "two runs on the same inputs differ");
}

#[test]
fn text_from_returns_stays_text() {
    let w = Workdir::new();
    let input = w.folder("returns");
    let mut builder = ReturnBuilder::new("海口市");
    builder.extra(28, "推进中", "=HYPERLINK(\"http://evil\",\"点我\")");
    builder.write(&input, "海口市.xlsx");
    let out = w.consolidate(&input, &["--as-of", "2018-06-30"]);
    let row = detail(&out)
        .into_iter()
        .find(|r| r["序号"] == "28")
        .expect("row");
    assert_eq!(row["进展情况"], "=HYPERLINK(\"http://evil\",\"点我\")");
    let sheets: Vec<_> = parts(&out)
        .into_iter()
        .filter(|(name, _)| name.starts_with("xl/worksheets/"))
        .collect();
    assert!(!sheets.is_empty());
    for (name, xml) in sheets {
        assert!(!xml.contains("<f>"), "{name} holds a formula");
    }
}

#[test]
fn unwritable_output_fails_cleanly() {
    let w = Workdir::new();
    let input = w.folder("returns");
    ReturnBuilder::new("海口市").write(&input, "海口市.xlsx");
    std::fs::write(w.path("blocker"), b"a file where a folder should be").expect("write");
    let output = w.run(&["run", "--input", "returns", "--output", "blocker/out.xlsx"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("无法写入汇总表"), "{stderr}");
    assert!(!w.path("blocker/out.xlsx").exists());
    let leftovers: Vec<_> = std::fs::read_dir(w.path(""))
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");
}

#[test]
fn bad_flags_exit_1_with_a_chinese_sentence() {
    let w = Workdir::new();
    w.folder("returns");
    let output = w.run(&["run", "--input", "returns", "--as-of", "2018/06/31"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("选项 --as-of 的取值“2018/06/31”无效")
    );
    let output = w.run(&["run", "--input", "missing-folder"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("找不到报表文件夹"));
    let output = w.run(&["run", "--input", "returns", "--output", "returns/out.xlsx"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("不能保存在报表文件夹"));
    let output = w.run(&[
        "run",
        "--input",
        "returns",
        "--output",
        "out.xlsx",
        "--feedback",
        "returns",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("督办单不能保存在报表文件夹"));
}

#[test]
fn strict_fails_a_run_with_problems_but_writes_the_workbook() {
    let w = Workdir::new();
    let input = w.folder("returns");
    ReturnBuilder::new("海口市")
        .row(1, "大部分完成", None)
        .write(&input, "海口市.xlsx");
    let output = w.run(&[
        "run",
        "--input",
        "returns",
        "--output",
        "out.xlsx",
        "--as-of",
        "2018-06-30",
        "--strict",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(w.path("out.xlsx").exists());
}

#[test]
fn list_verdicts_are_coloured_by_rules_on_their_text() {
    let w = Workdir::new();
    let input = w.folder("returns");
    ReturnBuilder::new("海口市")
        .row(1, "已完成", Some("2017-07-01"))
        .write(&input, "海口市.xlsx");
    let out = w.path("out.xlsx");
    let output = w.run(&["run", "--input", "returns", "--output", "out.xlsx"]);
    assert!(output.status.success());
    let parts = parts(&out);
    let workbook = &parts["xl/workbook.xml"];
    // 明细 is the eleventh sheet (the ninth worksheet: 完成率图 and 趋势图 are
    // chart sheets); its 判定 column is G.
    assert!(
        workbook.contains("name=\"明细\" sheetId=\"11\""),
        "{workbook}"
    );
    let sheet = &parts["xl/worksheets/sheet9.xml"];
    let rules = sheet
        .split("<conditionalFormatting sqref=\"G2:G")
        .nth(1)
        .expect("rules on 明细's 判定 column");
    for label in Verdict::ALL.map(|v| v.label()) {
        assert!(
            rules.contains(&format!("<formula>\"{label}\"</formula>")),
            "no rule for {label}"
        );
    }
    // The red of 逾期未完成 is among the rules' fills.
    assert!(parts["xl/styles.xml"].contains("FFC00000"));
    // And the sheet still reads back with every verdict as its label.
    let rows = detail(&out);
    assert!(rows.iter().any(|r| r["判定"] == "按期完成"));
    assert!(rows.iter().any(|r| r["判定"] == "漏报"));
}

#[test]
fn one_thread_or_two_give_the_same_bytes() {
    // The sample's June and July folders: 19 returns a month in several layouts
    // and formats, read, checked and laid out in parallel when there are two
    // threads, and a 本月变化 with rows (June is consolidated again for it).
    let w = Workdir::new();
    for period in ["2018-06", "2018-07"] {
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("input")
            .join(period);
        crate::common::copy_files(&sample, &w.folder(period));
    }
    let mut outputs = Vec::new();
    for jobs in ["1", "2"] {
        let out = format!("out-{jobs}.xlsx");
        let output = w.run(&[
            "--jobs", jobs, "run", "--input", "2018-07", "--output", &out,
        ]);
        assert!(output.status.success(), "{output:?}");
        outputs.push(std::fs::read(w.path(&out)).expect("workbook"));
    }
    assert!(outputs[0] == outputs[1], "--jobs 1 and --jobs 2 differ");
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(w.path("out-2.xlsx")).expect("open");
    let changes = book.worksheet_range("本月变化").expect("本月变化");
    assert!(
        changes.height() > 10,
        "本月变化 has {} rows",
        changes.height()
    );
}
