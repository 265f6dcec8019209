//! `check FILE`: what a county sees before sending (the annotated copy: `annotate.rs`).

use crate::common::*;

fn messy_return(w: &Workdir) -> std::path::PathBuf {
    let rows = vec![
        vec![S("进展情况表")],
        vec![
            S("填报单位："),
            S("琼中县"),
            Blank,
            Blank,
            S("填报日期："),
            S("2018年7月3日"),
        ],
        template_header(),
        vec![N(1.0), S(""), S(""), S(""), S(""), S("大部分完成")],
        vec![N(2.0), S(""), S(""), S(""), S(""), S("推进中"), S("下个月")],
        vec![S("合计"), S("共 30 项")],
    ];
    let path = w.path("琼中县.xlsx");
    write_grid(&path, &[SheetSpec::new("进展情况", rows)]);
    path
}

#[test]
fn check_prints_what_it_understood_and_fails_on_errors() {
    let w = Workdir::new();
    messy_return(&w);
    let output = w.run(&["check", "琼中县.xlsx", "--as-of", "2018-06-30"]);
    assert_eq!(output.status.code(), Some(1), "errors make check fail");
    let text = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "填报单位：琼中黎族苗族自治县",
        "填报日期：2018-07-03",
        "1\t大部分完成\t\t待核实\t第4行",
        "“大部分完成”无法识别",
        "完成时间“下个月”无法识别",
        "合计 | 共 30 项",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn a_clean_return_passes() {
    let w = Workdir::new();
    let tasks = (2..=31).filter(|t| *t != 28);
    let builder = tasks.fold(ReturnBuilder::new("海口市"), |b, t| {
        b.row(t, "推进中", None)
    });
    builder
        .row(1, "已完成", Some("2017-07-01"))
        .signed("2018-07-03")
        .write(&w.path(""), "海口市.xlsx");
    let output = w.run(&["check", "海口市.xlsx", "--as-of", "2018-06-30"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("未发现问题"));
}

#[test]
fn check_names_the_task_rows_left_out() {
    let w = Workdir::new();
    ReturnBuilder::new("海口市")
        .omit(3)
        .omit(5)
        .write(&w.path(""), "海口市.xlsx");
    let output = w.run(&["check", "海口市.xlsx", "--as-of", "2018-06-30"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("漏报 30 项任务（序号 1、2、3、4、5、"),
        "blank statuses and missing rows: {text}"
    );
}

/// Runs `check` on a file put into a `2018-07` folder, as a county keeps its returns.
fn check_in_july(w: &Workdir, file: &std::path::Path) -> (Option<i32>, String) {
    let folder = w.folder("2018-07");
    let name = file.file_name().expect("name");
    std::fs::copy(file, folder.join(name)).expect("copy");
    let path = folder.join(name);
    let output = w.run(&["check", path.to_str().expect("utf-8")]);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn habit_file(case: &str, name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/habits")
        .join(case)
        .join(name)
}

/// What a county must hear before sending, besides the rows: each case names its
/// quirk, the file it shows on, and words `check` must print.
#[test]
fn check_tells_the_county_everything_before_it_sends() {
    let late_and_blank = |w: &Workdir| {
        let mut builder = (1..=31)
            .filter(|t| *t != 28)
            .fold(ReturnBuilder::new("海口市"), |b, t| {
                b.row(t, "推进中", None)
            });
        builder.fill_date("2018-08-09");
        builder.write(&w.path(""), "海口市.xlsx")
    };
    let unsigned = |w: &Workdir| {
        (1..=31)
            .filter(|t| *t != 28)
            .fold(ReturnBuilder::new("三亚市"), |b, t| {
                b.row(t, "推进中", None)
            })
            .write(&w.path(""), "三亚市.xlsx")
    };
    type Make = Box<dyn Fn(&Workdir) -> std::path::PathBuf>;
    let cases: Vec<(&str, Make, Vec<&str>)> = vec![
        (
            "filed after the due day",
            Box::new(late_and_blank),
            vec![
                "填报日期 2018年8月9日 晚于报送截止日 2018年8月5日",
                "迟报",
                "未填填报人",
                "未填联系电话",
            ],
        ),
        (
            "blank 填报日期",
            Box::new(unsigned),
            vec!["未填填报日期", "未填填报人", "未填联系电话"],
        ),
        (
            "a title naming another month",
            Box::new(|_: &Workdir| habit_file("other_month", "定安县6月大班额任务进展情况.xlsx")),
            vec!["其他月份", "不是本期（2018年7月）"],
        ),
        (
            "renumbered rows",
            Box::new(|_: &Workdir| {
                habit_file("renumbered_xlsx", "定安县2018年7月大班额任务进展情况.xlsx")
            }),
            vec!["行被重新编号", "已按主要任务识别"],
        ),
    ];
    for (quirk, make, words) in cases {
        let w = Workdir::new();
        let file = make(&w);
        let (code, text) = check_in_july(&w, &file);
        assert!(code.is_some(), "{quirk}: check crashed");
        for word in words {
            assert!(text.contains(word), "{quirk}: missing {word:?} in:\n{text}");
        }
    }
}

#[test]
fn check_on_a_pdf_says_to_send_the_excel_file() {
    for name in ["五指山市7月进展.pdf", "琼中县7月进展情况说明.docx"] {
        let w = Workdir::new();
        let (code, text) = check_in_july(&w, &habit_file("non_spreadsheet", name));
        assert_eq!(code, Some(1), "{name}: {text}");
        assert!(
            text.contains("不是电子表格文件") && text.contains("请以 Excel 文件报送"),
            "{name}: {text}"
        );
    }
    // The same PDF renamed .xlsx is known by its content.
    let w = Workdir::new();
    let renamed = w.path("五指山市.xlsx");
    std::fs::copy(
        habit_file("non_spreadsheet", "五指山市7月进展.pdf"),
        &renamed,
    )
    .expect("copy");
    let (code, text) = check_in_july(&w, &renamed);
    assert_eq!(code, Some(1));
    assert!(
        text.contains("这是 PDF 文件") && text.contains("请以 Excel 文件报送"),
        "{text}"
    );
}
