//! The monthly cycle (SPEC §7) on the three sample periods: what changed, the
//! trend, whom to chase, late returns, the 督办单, and the CSV history.

use std::path::Path;

use crate::common::*;

/// A work folder holding a copy of the sample's input/ periods.
fn with_sample(periods: &[&str]) -> Workdir {
    let w = Workdir::new();
    for period in periods {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("input")
            .join(period);
        copy_files(&from, &w.path(&format!("input/{period}")));
    }
    w
}

fn run_period(w: &Workdir, period: &str, extra: &[&str]) -> std::path::PathBuf {
    let input = format!("input/{period}");
    let mut args = vec!["run", "--input", &input];
    args.extend_from_slice(extra);
    let output = w.run(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    w.path(&format!("output/{period}/大班额任务进展汇总_{period}.xlsx"))
}

#[test]
fn every_change_category_shows_in_july() {
    let w = with_sample(&["2018-05", "2018-06", "2018-07"]);
    let out = run_period(&w, "2018-07", &[]);
    let rows = list_text(&out, "本月变化");
    let has = |unit: &str, task: &str, change: &str, streak: &str| {
        rows.iter()
            .any(|r| r[0] == unit && r[1] == task && r[3] == change && r[4] == streak)
    };
    assert!(
        has("临高县", "4", "倒退（上期已完成）", ""),
        "regression: {rows:?}"
    );
    assert!(has("三沙市", "1", "新增逾期", ""), "newly overdue");
    assert!(
        has("三沙市", "", "新报送", ""),
        "back after two silent periods: one row for the unit"
    );
    assert!(
        !has("三沙市", "5", "新完成", ""),
        "a returning unit's tasks are not each 新完成"
    );
    assert!(
        has("万宁市", "1", "连续逾期", "3"),
        "overdue three periods in a row"
    );
    assert!(
        has("琼海市", "7", "连续缺报", "2"),
        "missing two periods in a row"
    );
    assert!(has("儋州市", "5", "新完成", ""), "newly done");
    // A unit's own rows say whether it reported, before and now: not a task's verdict.
    let unit_row = |unit: &str, change: &str| {
        rows.iter()
            .find(|r| r[0] == unit && r[1].is_empty() && r[3] == change)
            .map(|r| (r[5].as_str(), r[6].as_str()))
    };
    assert_eq!(
        unit_row("五指山市", "新增未报送"),
        Some(("已报送", "未报送")),
        "{rows:?}"
    );
    assert_eq!(unit_row("三沙市", "新报送"), Some(("未报送", "已报送")));
    for task in ["10", "11", "12"] {
        assert!(
            has("白沙黎族自治县", task, "本期进展与上期相同", ""),
            "copy-paste on task {task}"
        );
        assert_eq!(
            detail_row(&out, "白沙黎族自治县", task.parse().expect("n"))["进展与上期相同"],
            "是"
        );
    }
    assert!(
        problems(&out)
            .iter()
            .any(|p| p.contains("任务 4 在2018年6月已完成")),
        "a regression is a problem too"
    );
}

#[test]
fn the_trend_covers_every_period() {
    let w = with_sample(&["2018-05", "2018-06", "2018-07"]);
    let out = run_period(&w, "2018-07", &[]);
    let trend = list_text(&out, "趋势");
    assert_eq!(trend[0], ["单位", "2018年5月", "2018年6月", "2018年7月"]);
    assert_eq!(trend[1][0], "全省");
    assert_eq!(trend.len(), 2 + 19);
    let rate = |s: &str| s.parse::<f64>().expect("a rate");
    assert!(
        rate(&trend[1][3]) > rate(&trend[1][1]),
        "the province completes more over time: {:?}",
        trend[1]
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).expect("open")).expect("zip");
    assert!((0..zip.len()).any(|i| {
        zip.by_index(i)
            .is_ok_and(|f| f.name().is_ok_and(|n| n.starts_with("xl/charts/")))
    }));
}

#[test]
fn a_first_period_runs_cleanly() {
    let w = with_sample(&["2018-05"]);
    let out = run_period(&w, "2018-05", &[]);
    let rows = list_text(&out, "本月变化");
    assert!(rows[1][0].contains("没有找到上一期"), "{rows:?}");
    assert_eq!(list_text(&out, "趋势")[0], ["单位", "2018年5月"]);
}

#[test]
fn an_oversized_file_in_an_earlier_period_is_no_change() {
    // A file over --max-file-mb is not hashed when June is consolidated; July's
    // look at June's folder must not hash it either, or June always "changed".
    let w = with_sample(&["2018-06", "2018-07"]);
    std::fs::write(
        w.path("input/2018-06/扫描件.pdf"),
        vec![b'x'; 3 * 1024 * 1024 / 2],
    )
    .expect("big file");
    run_period(&w, "2018-06", &["--max-file-mb", "1"]);
    let out = run_period(&w, "2018-07", &["--max-file-mb", "1"]);
    assert!(
        !problems(&out)
            .iter()
            .any(|p| p.contains("上次汇总后有改动")),
        "{:?}",
        problems(&out)
    );
}

#[test]
fn earlier_results_come_from_their_csv_and_changed_inputs_are_named() {
    let w = with_sample(&["2018-06", "2018-07"]);
    run_period(&w, "2018-06", &[]);
    assert!(w.path("output/2018-06/明细_2018-06.csv").exists());
    let out = run_period(&w, "2018-07", &[]);
    assert!(
        !problems(&out)
            .iter()
            .any(|p| p.contains("上次汇总后有改动"))
    );
    // Someone edits a June return after June was consolidated.
    let june = w.path("input/2018-06");
    let first = std::fs::read_dir(&june)
        .expect("june")
        .next()
        .expect("a file")
        .expect("entry")
        .path();
    std::fs::write(&first, b"edited").expect("edit");
    let out = run_period(&w, "2018-07", &[]);
    assert!(
        problems(&out)
            .iter()
            .any(|p| p.contains("2018-06 期的报表在上次汇总后有改动")),
        "{:?}",
        problems(&out)
    );
    // The comparison still uses June as consolidated then.
    assert!(
        list_text(&out, "本月变化")
            .iter()
            .any(|r| r[3] == "倒退（上期已完成）")
    );
}

#[test]
fn previous_folder_can_be_named() {
    let w = with_sample(&["2018-06", "2018-07"]);
    std::fs::rename(w.path("input/2018-06"), w.path("june")).expect("move");
    let out = run_period(&w, "2018-07", &["--previous", "june"]);
    assert_eq!(
        list_text(&out, "趋势")[0],
        ["单位", "2018年6月", "2018年7月"]
    );
}

#[test]
fn late_returns_chase_list_and_feedback() {
    let w = Workdir::new();
    let input = w.folder("2018-06");
    let mut late = ReturnBuilder::new("海口市").row(1, "推进中", None).omit(3);
    late.fill_date("2018-07-09");
    late.write(&input, "海口市.xlsx");
    let mut on_time = ReturnBuilder::new("三亚市");
    on_time.fill_date("2018-07-05");
    on_time.write(&input, "三亚市.xlsx");
    let out = w.consolidate(&input, &["--feedback", "督办单", "--date", "2018-07-10"]);
    let sources = list_text(&out, "来源文件");
    let late_col = sources[0]
        .iter()
        .position(|h| h == "迟报")
        .expect("迟报 column");
    let flag = |name: &str| {
        sources
            .iter()
            .find(|r| r[0] == name)
            .map(|r| r[late_col].clone())
            .expect("listed")
    };
    assert_eq!(flag("海口市.xlsx"), "迟报");
    assert_eq!(flag("三亚市.xlsx"), "", "the 5th is still on time");
    let overview = sheet_text(&out, "总览");
    let header = overview
        .iter()
        .find(|r| r.contains(&"迟报".to_string()))
        .expect("总览 header");
    let col = header.iter().position(|h| h == "迟报").expect("column");
    let haikou = overview
        .iter()
        .find(|r| r[1] == "海口市")
        .expect("海口市 row");
    assert_eq!(haikou[col], "迟报");

    let chase = list_text(&out, "催报名单");
    let haikou = chase
        .iter()
        .find(|r| r[0] == "海口市")
        .expect("海口市 has 漏报");
    assert!(haikou[3].contains("序号 2、3"), "{haikou:?}");
    assert!(chase.iter().any(|r| r[0] == "儋州市" && r[1] == "未报送"));
    let csv = std::fs::read_to_string(w.path("催报名单_2018-06.csv"))
        .expect("chase CSV beside the workbook");
    assert!(csv.contains("海口市,漏报"), "{csv}");

    // The 督办单: a Word letter, dated the day given, not the as-of date.
    let letter = w.path("督办单/督办单_海口市_2018-06.docx");
    let text = crate::common::docx_paragraphs(&letter);
    let has = |pred: &dyn Fn(&str) -> bool| text.iter().any(|p| pred(p));
    assert!(
        text.iter()
            .take(2)
            .any(|p| p.contains("督办单") && p.contains("2018年6月")),
        "{text:?}"
    );
    assert!(has(&|p| p == "海口市教育局："), "主送: {text:?}");
    assert!(
        has(&|p| p.contains("属迟报")),
        "the late return is said: {text:?}"
    );
    assert!(
        has(&|p| p.contains("请于2018年8月5日前")),
        "reply by: {text:?}"
    );
    assert!(
        has(&|p| p.starts_with("1．第1项任务") && p.contains("已超过完成时限")),
        "{text:?}"
    );
    assert!(
        has(&|p| p.contains("第3项任务") && p.contains("你单位情况表中没有该任务")),
        "{text:?}"
    );
    assert!(has(&|p| p == "海南省教育厅"), "落款: {text:?}");
    assert!(has(&|p| p == "2018年7月10日"), "dated --date: {text:?}");
    assert!(
        !has(&|p| p.contains("2018年6月30日") && p.len() < 20),
        "{text:?}"
    );
    let document = crate::common::zip_text(&letter, "word/document.xml");
    assert!(
        document.contains("w:w=\"11906\"") && document.contains("w:h=\"16838\""),
        "A4 portrait"
    );
}

/// Reads a CSV the tool wrote: its BOM, then rows of fields.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or_else(|| panic!("{} starts with a BOM", path.display()));
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("record").iter().map(String::from).collect())
        .collect()
}

#[test]
fn the_detail_csv_is_detail_in_roster_order() {
    let w = with_sample(&["2018-06", "2018-07"]);
    let out = run_period(&w, "2018-07", &[]);
    let rows = csv_rows(&w.path("output/2018-07/明细_2018-07.csv"));
    let sheet = sheet_text(&out, "明细");
    // 期别 and 统计截止日期, then 明细's own columns, in its order.
    assert_eq!(rows[0][..2], ["期别", "统计截止日期"]);
    assert_eq!(rows[0][2..], sheet[0][..], "明细's columns");
    assert_eq!(rows.len(), sheet.len(), "明细's rows");
    // A period Excel keeps as text; dates Excel reads as dates.
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[0] == "2018年7月" && r[1] == "2018-07-31")
    );
    // Units in roster order: 海口市 first, 琼中 last; not 万宁, 三亚, … by code point.
    let roster = county_returns::roster::Roster::default_hainan().expect("roster");
    let positions: Vec<usize> = rows[1..].iter().map(|r| roster.position(&r[2])).collect();
    assert!(positions.windows(2).all(|p| p[0] <= p[1]), "roster order");
    assert_eq!(rows[1][2], "海口市");
    // The same rows as the sheet, cell for cell where the sheet holds text.
    assert_eq!(rows[1][2..5], sheet[1][..3]);
}

#[test]
fn csv_cells_a_spreadsheet_would_run_are_neutralised() {
    let w = Workdir::new();
    let input = w.folder("returns");
    ReturnBuilder::new("海口市")
        .row(1, "已完成", Some("2017-07-01"))
        .narrative(1, "=HYPERLINK(\"http://example.invalid\",\"点击\")")
        .omit(2)
        .phone("2018-07-03", "+86 898 6532 1234")
        .write(&input, "海口市.xlsx");
    let out = w.consolidate(&input, &["--as-of", "2018-07-31"]);
    let folder = out.parent().expect("folder");
    let detail = csv_rows(&folder.join("明细_2018-07.csv"));
    let column = detail[0]
        .iter()
        .position(|h| h == "进展情况")
        .expect("进展情况");
    assert!(
        detail
            .iter()
            .any(|r| r[column] == "'=HYPERLINK(\"http://example.invalid\",\"点击\")"),
        "{detail:?}"
    );
    let chase = csv_rows(&folder.join("催报名单_2018-07.csv"));
    let haikou = chase
        .iter()
        .find(|r| r[0] == "海口市")
        .expect("海口市 has 漏报");
    assert_eq!(haikou[5], "'+86 898 6532 1234", "{haikou:?}");
    // The workbook keeps the text as written.
    assert_eq!(
        detail_row(&out, "海口市", 1)["进展情况"],
        "=HYPERLINK(\"http://example.invalid\",\"点击\")"
    );
}

#[test]
fn records_written_by_earlier_versions_are_still_read() {
    // June's record as the previous version wrote it: eight columns, 2018-07 style.
    let w = with_sample(&["2018-06", "2018-07"]);
    run_period(&w, "2018-06", &[]);
    let expected = list_text(&run_period(&w, "2018-07", &[]), "本月变化");
    let csv = w.path("output/2018-06/明细_2018-06.csv");
    let rows = csv_rows(&csv);
    let col = |name: &str| rows[0].iter().position(|h| h == name).expect(name);
    let mut old = String::from("\u{feff}期别,截止日期,单位,序号,判定,进展情况,填报人,联系电话\n");
    let mut writer = csv::Writer::from_writer(Vec::new());
    for r in rows[1..]
        .iter()
        .filter(|r| matches!(r[col("角色")].as_str(), "牵头" | "配合"))
    {
        writer
            .write_record([
                "2018-06",
                "2018-06-30",
                &r[col("单位")],
                &r[col("序号")],
                &r[col("判定")],
                &r[col("进展情况")],
                &r[col("填报人")],
                &r[col("联系电话")],
            ])
            .expect("row");
    }
    old.push_str(&String::from_utf8(writer.into_inner().expect("csv")).expect("utf-8"));
    std::fs::write(&csv, old).expect("old record");
    // A June return edited since: only a record that was read is compared with
    // the folder, and says so.
    let june = w.path("input/2018-06/海口市2018年6月大班额任务进展情况.xlsx");
    std::fs::write(&june, b"edited").expect("edit");
    let from_old = run_period(&w, "2018-07", &[]);
    assert!(
        problems(&from_old)
            .iter()
            .any(|p| p.contains("2018-06 期的报表在上次汇总后有改动")),
        "the old record was read: {:?}",
        problems(&from_old)
    );
    assert_eq!(list_text(&from_old, "本月变化"), expected);
}
