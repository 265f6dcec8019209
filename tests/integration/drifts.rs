//! One test per drift of SPEC §3: each return is laid out inside the test, the
//! folder is consolidated, and the verdicts are read back from the workbook.

use std::io::{Read, Write};
use std::path::Path;

use crate::common::*;

/// Title, a 填报单位 line, then `header` and `data`.
fn laid_out(unit_line: Vec<V>, header: Vec<V>, data: Vec<Vec<V>>) -> Vec<Vec<V>> {
    let mut rows = vec![
        vec![S("消除大班额专项规划任务进展情况表")],
        unit_line,
        header,
    ];
    rows.extend(data);
    rows
}

fn unit_line(unit: &'static str) -> Vec<V> {
    vec![
        S("填报单位："),
        S(unit),
        Blank,
        Blank,
        S("填报日期："),
        D("2018-07-03"),
        S("填报人："),
        S("王芳"),
    ]
}

/// A template-layout data row: 序号, task text, three catalogue cells, status, date, narrative.
fn row(task: V, status: &'static str, date: V) -> Vec<V> {
    vec![
        task,
        S(""),
        S(""),
        S(""),
        S(""),
        S(status),
        date,
        S("进展顺利"),
    ]
}

fn one_sheet(w: &Workdir, folder: &str, file: &str, rows: Vec<Vec<V>>) -> std::path::PathBuf {
    let input = w.folder(folder);
    write_grid(&input.join(file), &[SheetSpec::new("进展情况", rows)]);
    input
}

#[test]
fn format_is_decided_by_content_not_name() {
    let w = Workdir::new();
    let input = w.folder("returns");
    let bytes = ReturnBuilder::new("海口市")
        .row(1, "已完成", Some("2017-07-01"))
        .bytes();
    std::fs::write(input.join("海口市.xls"), &bytes).expect("xlsx named .xls");
    std::fs::write(
        input.join("三亚市.xlsm"),
        ReturnBuilder::new("三亚市").row(1, "推进中", None).bytes(),
    )
    .expect("xlsm");
    let out = consolidate_june(&w, &input);
    assert_eq!(verdict(&out, "海口市", 1), "按期完成");
    assert_eq!(verdict(&out, "三亚市", 1), "逾期未完成");
}

#[test]
fn lock_and_hidden_files_are_skipped_silently_others_listed() {
    let w = Workdir::new();
    let input = w.folder("returns");
    ReturnBuilder::new("海口市").write(&input, "海口市.xlsx");
    std::fs::write(input.join("~$海口市.xlsx"), b"lock").expect("lock file");
    std::fs::write(input.join(".DS_Store"), b"mac").expect("dot file");
    std::fs::write(input.join("报送说明.docx"), b"PK").expect("docx");
    std::fs::write(input.join("notes.txt"), "备忘").expect("txt");
    let out = consolidate_june(&w, &input);
    let sources = list_text(&out, "来源文件");
    let names: Vec<&str> = sources[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        ["海口市.xlsx", "notes.txt", "报送说明.docx"],
        "lock and dot files are not listed; units in roster order, files of no unit after"
    );
    let outcome = sources[0]
        .iter()
        .position(|h| h == "处理结果")
        .expect("处理结果 column");
    for r in &sources[2..4] {
        assert!(r[outcome].starts_with("已跳过"), "{r:?}");
    }
}

#[test]
fn the_data_sheet_may_sit_anywhere() {
    let w = Workdir::new();
    let input = w.folder("returns");
    let header = template_header();
    let instructions = SheetSpec::new(
        "填表说明",
        vec![vec![S(
            "填表说明：完成状态请填写已完成、推进中、未启动或不适用。",
        )]],
    );
    let mut scratch = SheetSpec::new(
        "草稿",
        laid_out(
            unit_line("海口市"),
            header.clone(),
            vec![row(N(1.0), "未启动", Blank)],
        ),
    );
    scratch.hidden = true;
    let data = SheetSpec::new(
        "2018年6月",
        laid_out(
            unit_line("海口市"),
            header,
            vec![row(N(1.0), "已完成", D("2017-07-01"))],
        ),
    );
    write_grid(&input.join("海口市.xlsx"), &[instructions, scratch, data]);
    let out = consolidate_june(&w, &input);
    assert_eq!(
        verdict(&out, "海口市", 1),
        "按期完成",
        "the visible data sheet wins over the hidden scratch sheet"
    );
}

#[test]
fn the_header_may_sit_below_notes_with_notes_after_the_table() {
    let w = Workdir::new();
    let mut rows: Vec<Vec<V>> = (0..12)
        .map(|i| vec![T(format!("说明第{}条", i + 1))])
        .collect();
    rows.push(unit_line("三亚市"));
    rows.push(vec![Blank]);
    rows.push(template_header()); // row 15
    rows.push(row(N(1.0), "已完成", D("2017-07-30")));
    rows.push(row(N(2.0), "推进中", Blank));
    rows.push(vec![S("注：本表由市教育局汇总填报。")]);
    let input = one_sheet(&w, "returns", "三亚市.xlsx", rows);
    let out = consolidate_june(&w, &input);
    assert_eq!(verdict(&out, "三亚市", 1), "按期完成");
    assert_eq!(verdict(&out, "三亚市", 2), "推进中");
    let problems = problems(&out);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("注：本表由市教育局汇总填报")),
        "the note row is kept: {problems:?}"
    );
}

#[test]
fn a_two_row_header_with_merged_parents() {
    let w = Workdir::new();
    let top = vec![
        S("序号"),
        S("主要任务"),
        S("完成情况"),
        Blank,
        S("工作进展"),
    ];
    let sub = vec![Blank, Blank, S("完成状态"), S("完成时间"), Blank];
    let rows = vec![
        vec![S("儋州市消除大班额工作进展")],
        top,
        sub,
        vec![
            N(1.0),
            S("x"),
            S("已完成"),
            D("2017-08-10"),
            S("已印发规划"),
        ],
        vec![N(2.0), S("x"), S("推进中"), Blank, S("正在调研")],
    ];
    let input = w.folder("returns");
    let mut spec = SheetSpec::new("进展情况", rows);
    spec.merges = vec![(1, 2, 1, 3), (1, 0, 2, 0), (1, 1, 2, 1), (1, 4, 2, 4)];
    write_grid(&input.join("儋州市.xlsx"), &[spec]);
    let out = consolidate_june(&w, &input);
    assert_eq!(verdict(&out, "儋州市", 1), "逾期完成");
    assert_eq!(
        detail_row(&out, "儋州市", 1)["进展情况"],
        "已印发规划",
        "工作进展 is the narrative, 完成情况 only a group title"
    );
    assert_eq!(verdict(&out, "儋州市", 2), "推进中");
}

#[test]
fn columns_in_any_order_with_extra_and_missing_ones() {
    let w = Workdir::new();
    let rows = vec![
        unit_line("文昌市"),
        vec![
            S("完成状态"),
            S("联系人"),
            S("进展情况"),
            S("序号"),
            S("完成时间"),
        ],
        vec![S("已完成"), S("张三"), S("已完成"), N(1.0), D("2017-07-31")],
        vec![S("推进中"), S("张三"), S("推进中"), N(3.0), Blank],
    ];
    let input = one_sheet(&w, "returns", "文昌市.xlsx", rows);
    let out = consolidate_june(&w, &input);
    assert_eq!(verdict(&out, "文昌市", 1), "按期完成");
    assert_eq!(verdict(&out, "文昌市", 3), "推进中");
    assert_eq!(verdict(&out, "文昌市", 2), "漏报");
}

#[test]
fn header_synonyms() {
    let w = Workdir::new();
    let rows = vec![
        unit_line("万宁市"),
        vec![
            S("编 号"),
            S("工作任务"),
            S("是否\n完成"),
            S("实际完成时间"),
            S("落实情况"),
            S("问题"),
            S("下一步计划"),
            S("说明"),
        ],
        vec![
            N(1.0),
            S("x"),
            S("完成"),
            D("2017-07-15"),
            S("已落实"),
            S("无"),
            S("巩固"),
            S("备"),
        ],
    ];
    let input = one_sheet(&w, "returns", "万宁市.xlsx", rows);
    let out = consolidate_june(&w, &input);
    let row = detail_row(&out, "万宁市", 1);
    assert_eq!(row["判定"], "按期完成");
    assert_eq!(
        (
            row["进展情况"].as_str(),
            row["存在问题"].as_str(),
            row["下步计划"].as_str(),
            row["备注"].as_str()
        ),
        ("已落实", "无", "巩固", "备")
    );
}

#[test]
fn every_task_number_form_and_the_text_fallback() {
    let w = Workdir::new();
    let task7 = "实施“交钥匙”工程,确保配套学校与新建住宅小区首期项目同步规划";
    let rows = laid_out(
        unit_line("东方市"),
        template_header(),
        vec![
            row(S("第3项"), "推进中", Blank),
            row(S("03"), "推进中", Blank),
            row(S("３"), "推进中", Blank),
            row(S("任务4"), "推进中", Blank),
            row(S("5."), "推进中", Blank),
            row(N(6.0), "推进中", Blank),
            vec![Blank, S(task7), S(""), S(""), S(""), S("推进中")],
            vec![S("8"), S(""), S(""), S(""), S(""), S("推进中")],
        ],
    );
    let input = one_sheet(&w, "returns", "东方市.xlsx", rows);
    let out = consolidate_june(&w, &input);
    for task in [3, 4, 5, 6, 7, 8] {
        assert_eq!(verdict(&out, "东方市", task), "推进中", "task {task}");
    }
    // Three rows in a row for task 3, however numbered, are its sub-rows (SPEC §3,
    // round 3): shown once, not as duplicates.
    let problems = problems(&out);
    assert!(
        !problems.iter().any(|p| p.contains("重复填报")),
        "{problems:?}"
    );
    let three = detail_row(&out, "东方市", 3);
    assert!(three["来源"].ends_with("第4–6行"), "{three:?}");
}

#[test]
fn every_date_form() {
    let w = Workdir::new();
    let cases: Vec<(u32, V, &str)> = vec![
        (2, D("2018-06-01"), "2018-06-01"),
        (3, N(43251.0), "2018-05-31"),
        (4, F("=DATE(2018,5,20)", 43240.0), "2018-05-20"),
        (5, S("2018-06-30"), "2018-06-30"),
        (6, S("2018/6/3"), "2018-06-03"),
        (7, S("2018.6.4"), "2018-06-04"),
        (8, S("2018年6月5日"), "2018-06-05"),
        (9, S("2018年5月"), "2018-05-31"),
        (10, S("2018.4"), "2018-04-30"),
        (11, S("2017年底"), "2017-12-31"),
    ];
    let data = cases
        .iter()
        .map(|(t, d, _)| row(N(f64::from(*t)), "已完成", d.clone()))
        .collect();
    let input = one_sheet(
        &w,
        "returns",
        "定安县.xlsx",
        laid_out(unit_line("定安县"), template_header(), data),
    );
    let out = consolidate_june(&w, &input);
    for (task, _, want) in &cases {
        let row = detail_row(&out, "定安县", *task);
        assert_eq!(row["完成时间"], *want, "task {task}");
        assert_eq!(row["判定"], "按期完成", "task {task}");
    }
}

/// Marks an xlsx as using the 1904 date system, as old Mac workbooks do.
fn set_1904(path: &Path) {
    let bytes = std::fs::read(path).expect("read");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("part");
        let name = part.name().map(|n| n.into_owned()).expect("name");
        let mut data = Vec::new();
        part.read_to_end(&mut data).expect("part data");
        if name == "xl/workbook.xml" {
            let xml = String::from_utf8(data).expect("utf-8");
            let xml = match xml.find("<workbookPr") {
                Some(at) => format!(
                    "{}<workbookPr date1904=\"1\" {}",
                    &xml[..at],
                    &xml[at + "<workbookPr".len()..]
                ),
                None => xml.replacen("<sheets>", "<workbookPr date1904=\"1\"/><sheets>", 1),
            };
            data = xml.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(&data).expect("write part");
    }
    std::fs::write(path, out.finish().expect("finish").into_inner()).expect("write");
}

#[test]
fn dates_in_the_1904_system() {
    let w = Workdir::new();
    // 2018-06-01 is serial 41790 counted from 1904-01-01 (43252 from 1900).
    let rows = laid_out(
        unit_line("屯昌县"),
        template_header(),
        vec![row(N(1.0), "已完成", N(41790.0))],
    );
    let input = one_sheet(&w, "returns", "屯昌县.xlsx", rows);
    set_1904(&input.join("屯昌县.xlsx"));
    let out = consolidate_june(&w, &input);
    assert_eq!(detail_row(&out, "屯昌县", 1)["完成时间"], "2018-06-01");
}

#[test]
fn every_status_word() {
    let words = [
        ("已完成", "按期完成"),
        ("完成", "按期完成"),
        ("已落实", "按期完成"),
        ("已办结", "按期完成"),
        ("全面完成", "按期完成"),
        ("已全部完成", "按期完成"),
        ("推进中", "推进中"),
        ("正在推进", "推进中"),
        ("进行中", "推进中"),
        ("持续推进", "推进中"),
        ("正在实施", "推进中"),
        ("已启动", "推进中"),
        ("部分完成", "推进中"),
        ("基本完成", "推进中"),
        ("未启动", "推进中"),
        ("未开展", "推进中"),
        ("尚未启动", "推进中"),
        ("未开始", "推进中"),
        ("不适用", "不适用"),
        ("无此项", "不适用"),
        ("无此任务", "不适用"),
        (" 已完成。", "按期完成"),
        ("已完成！", "按期完成"),
        ("差不多了", "待核实"),
    ];
    let w = Workdir::new();
    // Tasks not yet due at 2018-06-30 (1 and 14 are past due; 28 is not a county's).
    let tasks: Vec<u32> = (2..=31).filter(|t| ![14, 28].contains(t)).collect();
    let data = words
        .iter()
        .zip(&tasks)
        .map(|((word, _), t)| row(N(f64::from(*t)), word, Blank))
        .collect();
    let input = one_sheet(
        &w,
        "returns",
        "澄迈县.xlsx",
        laid_out(unit_line("澄迈县"), template_header(), data),
    );
    let out = consolidate_june(&w, &input);
    for ((word, want), task) in words.iter().zip(&tasks) {
        assert_eq!(
            verdict(&out, "澄迈县", *task),
            *want,
            "status {word:?} on task {task}"
        );
    }
}

#[test]
fn the_unit_from_cell_file_name_or_sheet_name() {
    let w = Workdir::new();
    let input = w.folder("returns");
    let data = || vec![row(N(1.0), "已完成", D("2017-07-01"))];
    // The cell, with an alias, in a file whose name says nothing.
    write_grid(
        &input.join("进展情况表(1).xlsx"),
        &[SheetSpec::new(
            "Sheet1",
            laid_out(unit_line("白沙县"), template_header(), data()),
        )],
    );
    // Only the file name.
    write_grid(
        &input.join("2018年6月临高县报表.xlsx"),
        &[SheetSpec::new(
            "Sheet1",
            laid_out(vec![Blank], template_header(), data()),
        )],
    );
    // Only the sheet name.
    write_grid(
        &input.join("报表.xlsx"),
        &[SheetSpec::new(
            "琼海市",
            laid_out(vec![Blank], template_header(), data()),
        )],
    );
    let out = consolidate_june(&w, &input);
    for unit in ["白沙黎族自治县", "临高县", "琼海市"] {
        assert_eq!(verdict(&out, unit, 1), "按期完成", "{unit}");
    }
}

#[test]
fn cell_and_file_name_disagree_and_unknown_units() {
    let w = Workdir::new();
    let input = w.folder("returns");
    let data = || {
        vec![
            row(N(1.0), "已完成", D("2017-07-01")),
            row(N(2.0), "推进中", Blank),
        ]
    };
    write_grid(
        &input.join("五指山市.xlsx"),
        &[SheetSpec::new(
            "进展情况",
            laid_out(unit_line("乐东县"), template_header(), data()),
        )],
    );
    write_grid(
        &input.join("报表.xlsx"),
        &[SheetSpec::new(
            "进展情况",
            laid_out(unit_line("广州市"), template_header(), data()),
        )],
    );
    let out = consolidate_june(&w, &input);
    assert_eq!(
        verdict(&out, "乐东黎族自治县", 1),
        "按期完成",
        "the cell wins"
    );
    assert_eq!(verdict(&out, "五指山市", 1), "未报送");
    let problems = problems(&out);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("填报单位写的是“乐东黎族自治县”") && p.contains("五指山市")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("“广州市”不在单位名单中")),
        "{problems:?}"
    );
    let unknown: Vec<_> = detail(&out)
        .into_iter()
        .filter(|r| r["单位"] == "（未识别）广州市")
        .collect();
    assert_eq!(unknown.len(), 2, "the unknown unit's rows are kept in 明细");
    assert!(unknown.iter().all(|r| r["角色"] == "未识别单位"));
}

#[test]
fn several_files_for_one_unit_the_latest_wins() {
    let w = Workdir::new();
    let input = w.folder("returns");
    let line = |date: &'static str| {
        vec![
            S("填报单位：陵水县"),
            Blank,
            Blank,
            Blank,
            S("填报日期："),
            D(date),
        ]
    };
    let newer = laid_out(
        line("2018-07-05"),
        template_header(),
        vec![row(N(1.0), "已完成", D("2017-07-01"))],
    );
    let older = laid_out(
        line("2018-07-02"),
        template_header(),
        vec![row(N(1.0), "推进中", Blank)],
    );
    // The newer return has the name that sorts first: the 填报日期 decides, not the name.
    write_grid(
        &input.join("a_陵水.xlsx"),
        &[SheetSpec::new("进展情况", newer)],
    );
    write_grid(
        &input.join("b_陵水.xlsx"),
        &[SheetSpec::new("进展情况", older)],
    );
    // Same date twice: the name that sorts last wins.
    let same = |status| {
        let line = vec![
            S("填报单位："),
            S("保亭县"),
            Blank,
            Blank,
            S("填报日期："),
            S("2018年7月2日"),
        ];
        laid_out(line, template_header(), vec![row(N(1.0), status, Blank)])
    };
    write_grid(
        &input.join("保亭_1.xlsx"),
        &[SheetSpec::new("进展情况", same("未启动"))],
    );
    write_grid(
        &input.join("保亭_2.xlsx"),
        &[SheetSpec::new("进展情况", same("不适用"))],
    );
    let out = consolidate_june(&w, &input);
    assert_eq!(verdict(&out, "陵水黎族自治县", 1), "按期完成");
    assert_eq!(verdict(&out, "保亭黎族苗族自治县", 1), "不适用");
    let sources = list_text(&out, "来源文件");
    let column = sources[0]
        .iter()
        .position(|h| h == "处理结果")
        .expect("处理结果 column");
    let outcome = |name: &str| {
        sources
            .iter()
            .find(|r| r[0] == name)
            .map(|r| r[column].clone())
            .expect("listed")
    };
    assert!(outcome("b_陵水.xlsx").contains("已被“a_陵水.xlsx”取代"));
    assert!(outcome("保亭_1.xlsx").contains("已被“保亭_2.xlsx”取代"));
    assert_eq!(outcome("a_陵水.xlsx"), "已读取");
}

/// SPEC §3 and §10: a return naming another month loses whatever its date; one
/// naming the period's month has no edge over one naming none (an upload the
/// server stored as `<unit>_<UTC time>_<sha>.xlsx`), so the later filed wins.
#[test]
fn a_month_in_the_name_only_loses_when_it_is_another_month() {
    let w = Workdir::new();
    let input = w.folder("2018-06");
    let signed = |status: &str, date: Option<&str>, filled: &str| {
        let mut r = ReturnBuilder::new("海口市").row(1, status, date);
        r.fill_date(filled);
        r
    };
    signed("推进中", None, "2018-07-02").write(&input, "海口市2018年6月进展情况.xlsx");
    signed("已完成", Some("2017-07-01"), "2018-07-04")
        .write(&input, "海口市_20180704T020304Z_0a1b2c3d.xlsx");
    // Filed last, but for May.
    signed("未启动", None, "2018-07-09").write(&input, "海口市2018年5月进展情况.xlsx");
    let out = w.consolidate(&input, &[]);
    assert_eq!(verdict(&out, "海口市", 1), "按期完成");
    let sources = list_text(&out, "来源文件");
    let column = sources[0]
        .iter()
        .position(|h| h == "处理结果")
        .expect("处理结果 column");
    let outcome = |name: &str| {
        sources
            .iter()
            .find(|r| r[0] == name)
            .map(|r| r[column].clone())
            .unwrap_or_else(|| panic!("{name} not listed: {sources:?}"))
    };
    assert_eq!(outcome("海口市_20180704T020304Z_0a1b2c3d.xlsx"), "已读取");
    for older in [
        "海口市2018年6月进展情况.xlsx",
        "海口市2018年5月进展情况.xlsx",
    ] {
        assert!(
            outcome(older).contains("已被“海口市_20180704T020304Z_0a1b2c3d.xlsx”取代"),
            "{older}: {}",
            outcome(older)
        );
    }
    assert!(
        problems(&out).iter().any(|p| p.contains("2018年5月")),
        "the May return is named as a problem"
    );
}

/// No program here writes .xlsb, so the format is checked on the peer corpus's
/// .xlsb files (read in place, not copied): intake opens them by content and
/// reads their cells, whatever their name says.
#[test]
fn xlsb_workbooks_are_read() {
    use county_returns::table::workbook::{Format, Limits, Workbook};
    let Some(corpus) = shared_corpus("calamine-fixtures") else {
        return;
    };
    for name in ["any_sheets.xlsb", "date.xlsb", "date_1904.xlsb"] {
        let bytes = std::fs::read(corpus.join(name)).expect("corpus file");
        let mut workbook =
            Workbook::open(bytes, Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(workbook.format, Format::Xlsb, "{name}");
        let cells: usize = workbook
            .worksheet_names()
            .into_iter()
            .map(|(sheet, hidden)| {
                workbook
                    .read_sheet(&sheet, hidden)
                    .map_or(0, |s| s.grid.rows.iter().map(|r| r.cells.len()).sum())
            })
            .sum();
        assert!(cells > 0, "{name}: no cells read");
    }
}

/// Each format's own flag for the 1904 date system (SPEC §3, round 3), read on
/// the peer corpus's files by calamine's authors (xlsb is written by no program
/// here): xlsx `date1904`, the .xls DATEMODE record, the .xlsb workbook flag. An
/// .ods counts from its `table:null-date` (`habits3/date1904_ods`).
#[test]
fn each_formats_1904_flag_is_read() {
    use county_returns::table::format::DateSystem;
    use county_returns::table::workbook::{Limits, Workbook};
    let Some(corpus) = shared_corpus("calamine-fixtures") else {
        return;
    };
    let cases = [
        ("date_1904.xlsx", DateSystem::EXCEL_1904),
        ("date_1904.xls", DateSystem::EXCEL_1904),
        ("date_1904.xlsb", DateSystem::EXCEL_1904),
        ("date.xlsx", DateSystem::EXCEL_1900),
        ("date.xls", DateSystem::EXCEL_1900),
        ("date.xlsb", DateSystem::EXCEL_1900),
        ("date.ods", DateSystem::EXCEL_1900),
    ];
    for (name, want) in cases {
        let bytes = std::fs::read(corpus.join(name)).expect("corpus file");
        let workbook =
            Workbook::open(bytes, Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(workbook.date_system(), want, "{name}");
    }
}

#[test]
fn a_second_data_sheet_is_named_as_a_problem() {
    let w = Workdir::new();
    let input = w.folder("returns");
    let sheet = |name: &'static str, status: &'static str| {
        SheetSpec::new(
            name,
            laid_out(
                unit_line("海口市"),
                template_header(),
                vec![row(N(1.0), status, D("2017-07-01"))],
            ),
        )
    };
    write_grid(
        &input.join("海口市.xlsx"),
        &[
            sheet("进展情况", "已完成"),
            sheet("进展情况（修改）", "推进中"),
        ],
    );
    let out = consolidate_june(&w, &input);
    assert_eq!(
        verdict(&out, "海口市", 1),
        "按期完成",
        "the first data sheet is read"
    );
    let problems = problems(&out);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("还有其他进展情况表：进展情况（修改）")),
        "{problems:?}"
    );
}

#[test]
fn month_sheets_the_periods_is_read_the_others_left_silently() {
    let w = Workdir::new();
    let input = w.folder("returns");
    let june = SheetSpec::new(
        "6月",
        laid_out(
            unit_line("海口市"),
            template_header(),
            vec![row(N(1.0), "已完成", D("2017-07-01"))],
        ),
    );
    let may = SheetSpec::new(
        "5月",
        laid_out(
            unit_line("海口市"),
            template_header(),
            vec![row(N(1.0), "推进中", Blank)],
        ),
    );
    write_grid(&input.join("海口市.xlsx"), &[may, june]);
    let out = consolidate_june(&w, &input);
    assert_eq!(
        verdict(&out, "海口市", 1),
        "按期完成",
        "the period's month sheet is read, wherever it sits"
    );
    let problems = problems(&out);
    assert!(
        !problems
            .iter()
            .any(|p| p.contains("其他进展情况表") || p.contains("其他月份")),
        "{problems:?}"
    );
}
