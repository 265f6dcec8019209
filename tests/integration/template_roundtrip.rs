//! `template` writes returns the intake reads back exactly.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;
use county_returns::catalogue::Catalogue;
use county_returns::intake::values::{DateCell, Status};
use county_returns::intake::{Quiet, Reader, ReportPeriod};
use county_returns::period::Month;
use county_returns::roster::Roster;
use county_returns::table::workbook::Limits;
use county_returns::template::{DateValue, Fill, Options, RowFill, build, build_with};

use crate::common::{Workdir, sheet_text};

fn zip_part(path: &std::path::Path, part: &str) -> String {
    let file = std::fs::File::open(path).expect("open");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    let mut text = String::new();
    zip.by_name(part)
        .expect("part")
        .read_to_string(&mut text)
        .expect("read part");
    text
}

#[test]
fn template_command_writes_one_return_per_unit() {
    let w = Workdir::new();
    let output = w.run(&["template", "--output", "tpl"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let files: Vec<_> = std::fs::read_dir(w.path("tpl")).expect("tpl").collect();
    assert_eq!(files.len(), 19);

    let output = w.run(&["template", "--output", "one", "--unit", "保亭"]);
    assert!(output.status.success());
    let path = w.path("one/保亭黎族苗族自治县_进展情况表.xlsx");
    let rows = sheet_text(&path, "进展情况");
    assert!(
        rows[1].iter().any(|c| c == "保亭黎族苗族自治县"),
        "填报单位 filled: {:?}",
        rows[1]
    );
    assert_eq!(
        rows[2][..6],
        [
            "序号",
            "主要任务",
            "牵头单位",
            "配合单位",
            "完成时限",
            "完成状态"
        ]
    );
    assert_eq!(
        rows.len(),
        3 + 30 + 2,
        "title, 填报单位 line, header, 30 tasks, a gap and the signature block"
    );
    let signature = rows.last().expect("signature block");
    for label in ["填报单位（盖章）：", "审核人：", "填报人：", "联系电话："]
    {
        assert!(
            signature.iter().any(|c| c == label),
            "{label} in {signature:?}"
        );
    }
    assert!(
        !rows.iter().any(|r| r[0] == "28"),
        "task 28 is not a county's"
    );

    let sheet = zip_part(&path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<sheetProtection"), "sheet is protected");
    assert!(!sheet.contains("password="), "without a password");
    assert!(
        sheet.contains("\"已完成,推进中,未启动,不适用\""),
        "status drop-down"
    );
    assert!(sheet.contains("type=\"date\""), "date validation");
    assert!(sheet.contains("<pageSetup paperSize=\"9\""), "A4");
    assert!(sheet.contains("orientation=\"landscape\""), "landscape");
    let styles = zip_part(&path, "xl/styles.xml");
    assert!(styles.contains("locked=\"0\""), "input columns unlocked");

    let output = w.run(&["template", "--unit", "广州市"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("不在单位名单中"));
}

#[test]
fn a_filled_template_reads_back_exactly() {
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let u = roster.lookup("文昌市").expect("unit");
    let tasks: Vec<u32> = roster.expectations(&catalogue)[u]
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let mut rows = BTreeMap::new();
    rows.insert(
        1,
        RowFill {
            status: "已完成".into(),
            date: Some(DateValue::Date(day("2017-07-20"))),
            narrative: "已印发《文昌市消除大班额专项规划》。".into(),
            issues: "无".into(),
            next_steps: "抓好落实".into(),
            remarks: "=HYPERLINK(\"http://x\")".into(),
        },
    );
    rows.insert(
        2,
        RowFill {
            status: "推进中".into(),
            date: Some(DateValue::Text("2018年底".into())),
            ..RowFill::default()
        },
    );
    rows.insert(
        3,
        RowFill {
            status: "不适用".into(),
            ..RowFill::default()
        },
    );
    let fill = Fill {
        fill_date: Some(day("2018-07-03")),
        filler: "符春梅".into(),
        phone: "0898-63331234".into(),
        rows,
        omit: vec![4],
        extra: Vec::new(),
    };
    let w = Workdir::new();
    let path = w.path("文昌.xlsx");
    std::fs::write(
        &path,
        build(&catalogue, "文昌市", &tasks, Some(&fill)).expect("build"),
    )
    .expect("write");

    let period = ReportPeriod::of(day("2018-07-31"));
    let reader = Reader {
        catalogue: &catalogue,
        roster: &roster,
        limits: Limits::default(),
    };
    let intake = reader.read_files(&[path], period, &Quiet);
    let file = &intake.files[0];
    assert_eq!(file.unit, Some(u));
    let read = file.returns.first().expect("read");
    assert_eq!(read.meta.fill_date, Some(day("2018-07-03")));
    assert_eq!(read.meta.filler.as_deref(), Some("符春梅"));
    assert_eq!(read.meta.phone.as_deref(), Some("0898-63331234"));
    assert_eq!(read.rows.len(), 29, "30 expected tasks, one omitted");
    let first = &read.rows[0];
    assert_eq!(
        (first.task, &first.status, &first.date),
        (1, &Status::Done, &DateCell::Date(day("2017-07-20")))
    );
    assert_eq!(&*first.narrative, "已印发《文昌市消除大班额专项规划》。");
    assert_eq!(
        (first.issues.as_str(), first.next_steps.as_str()),
        ("无", "抓好落实")
    );
    assert_eq!(first.remarks, "=HYPERLINK(\"http://x\")");
    assert_eq!(read.rows[1].date, DateCell::Date(day("2018-12-31")));
    assert_eq!(read.rows[2].status, Status::NotApplicable);
    assert_eq!(read.rows[3].task, 5, "task 4 omitted");
    assert_eq!(read.rows[3].status, Status::Empty);
    assert!(intake.problems.is_empty(), "{:?}", intake.problems);
}

/// A filled July return as the template command now writes it: period in the
/// title, 填表说明 beside it, a signature block under the table.
fn filled_july(catalogue: &Catalogue, roster: &Roster, period: &str) -> (Vec<u32>, Vec<u8>) {
    let u = roster.lookup("海口市").expect("unit");
    let tasks: Vec<u32> = roster.expectations(catalogue)[u]
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let rows = tasks
        .iter()
        .map(|t| {
            let row = RowFill {
                status: "推进中".into(),
                narrative: format!("任务{t}正在推进。"),
                ..RowFill::default()
            };
            (*t, row)
        })
        .collect();
    let fill = Fill {
        fill_date: NaiveDate::from_ymd_opt(2018, 8, 3),
        filler: "陈明".into(),
        phone: "0898-66668888".into(),
        rows,
        ..Fill::default()
    };
    let options = Options {
        period: Month::parse(period),
        ..Options::default()
    };
    let bytes = build_with(catalogue, "海口市", &tasks, Some(&fill), &options).expect("build");
    (tasks, bytes)
}

#[test]
fn a_filled_template_with_its_period_instructions_and_signature_reads_back_whole() {
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let (tasks, bytes) = filled_july(&catalogue, &roster, "2018-07");
    let w = Workdir::new();
    let path = w.path("海口市_进展情况表_2018-07.xlsx");
    std::fs::write(&path, bytes).expect("write");
    let reader = Reader {
        catalogue: &catalogue,
        roster: &roster,
        limits: Limits::default(),
    };
    let period = ReportPeriod::of(NaiveDate::from_ymd_opt(2018, 7, 31).expect("date"));
    let intake = reader.read_files(std::slice::from_ref(&path), period, &Quiet);
    assert!(intake.problems.is_empty(), "{:?}", intake.problems);
    let file = &intake.files[0];
    assert_eq!(file.unit, roster.lookup("海口市"));
    let read = file.returns.first().expect("read");
    assert_eq!(read.sheet, "进展情况", "not 填表说明");
    assert_eq!(read.meta.filler.as_deref(), Some("陈明"));
    assert_eq!(read.meta.phone.as_deref(), Some("0898-66668888"));
    assert_eq!(read.meta.fill_date, NaiveDate::from_ymd_opt(2018, 8, 3));
    assert_eq!(
        read.meta.unit_cell,
        (1, 1),
        "the 填报单位 cell, not the signature's"
    );
    let read_tasks: Vec<u32> = read.rows.iter().map(|r| r.task).collect();
    assert_eq!(read_tasks, tasks, "every row, in order, and nothing more");
    assert!(read.rows.iter().all(|r| r.status == Status::InProgress));

    // The same return titled for June, read in July: the title's month is seen.
    let (_, bytes) = filled_july(&catalogue, &roster, "2018-06");
    let june = w.path("海口市6月.xlsx");
    std::fs::write(&june, bytes).expect("write");
    let intake = reader.read_files(std::slice::from_ref(&june), period, &Quiet);
    assert!(
        intake.problems.iter().any(|p| p.what.contains("2018年6月")),
        "a title naming June is flagged in July: {:?}",
        intake.problems
    );
}
