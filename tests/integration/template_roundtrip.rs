//! `template` writes returns the intake reads back exactly.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;
use county_returns::catalogue::Catalogue;
use county_returns::intake::values::{DateCell, Status};
use county_returns::intake::{Quiet, Reader, ReportPeriod};
use county_returns::roster::Roster;
use county_returns::table::workbook::Limits;
use county_returns::template::{DateValue, Fill, RowFill, build};

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
        3 + 30,
        "title, 填报单位 line, header and 30 tasks"
    );
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
