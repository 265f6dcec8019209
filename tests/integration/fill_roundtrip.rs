//! Property: a return filled on the form, written as the server writes it and
//! read by intake as `run` reads any file in the period folder, gives back
//! exactly what was typed — as the form stores it (`fill::text_as_stored`:
//! LF line breaks, no control characters, ends trimmed) — and the form
//! pre-filled from that file is the form that was sent. Text starting with
//! `<`, `=`, `+`, `-` or `@`, CRLF and LF, spaces at the ends, 5,000
//! characters; statuses (synonyms too) and dates at random.

use std::path::Path;

use chrono::NaiveDate;
use county_returns::catalogue::Catalogue;
use county_returns::intake::values::{DateCell, Status};
use county_returns::intake::{FileStatus, Quiet, Reader, ReportPeriod};
use county_returns::period::Month;
use county_returns::roster::{Role, Roster};
use county_returns::serve::fill::{self, Posted, Rules, TEXT_LIMIT, Values};
use county_returns::table::format::Limits;
use county_returns::template::Options;
use proptest::prelude::*;

const UNIT: &str = "海口市";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

/// The day the form is filed, and the period it is for.
fn rules() -> Rules {
    Rules {
        today: day("2018-08-03"),
        as_of: day("2018-07-31"),
    }
}

fn expected(catalogue: &Catalogue, roster: &Roster) -> Vec<(u32, Role)> {
    let unit = roster.lookup(UNIT).expect("unit");
    roster.expectations(catalogue)[unit].clone()
}

/// What a clerk types into a textarea (or a tool posts).
fn typed_text() -> impl Strategy<Value = String> {
    let starts = prop::sample::select(vec![
        "",
        "<",
        "=",
        "+",
        "-",
        "@",
        " ",
        "  ",
        "\r\n",
        "\n",
        "\t",
        "=SUM(A1:A9)",
        "+86",
        "-1",
        "@所有人",
        "<b>",
        "_x000D_",
        "'",
    ]);
    let ends = prop::sample::select(vec!["", " ", "\r\n", "\n", " \r\n ", "。", "\u{3000}"]);
    let body = prop_oneof![
        4 => "[\\p{Han}a-z0-9，。；：、“”（）<>=+@ \\-\r\n]{0,80}",
        2 => any::<String>(),
        1 => Just(String::new()),
    ];
    // 5,000 characters exactly, Chinese and line breaks (CRLF, as browsers send them).
    let long = prop::collection::vec(
        prop_oneof![20 => prop::char::range('\u{4e00}', '\u{9fa5}'), 1 => Just('\n')],
        TEXT_LIMIT,
    )
    .prop_map(|mut chars| {
        // Neither end a line break, so nothing is trimmed; a CRLF counts one.
        chars[0] = '进';
        chars[TEXT_LIMIT - 1] = '。';
        chars.into_iter().collect::<String>().replace('\n', "\r\n")
    });
    prop_oneof![
        12 => (starts, body, ends).prop_map(|(a, b, c)| format!("{a}{b}{c}")),
        1 => long,
    ]
}

/// A status as posted: the drop-down's words, and words intake reads as them.
fn typed_status() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "已完成",
        "推进中",
        "未启动",
        "不适用",
        "完成",
        "部分完成",
        "正在推进",
        "尚未启动",
        "无此项",
    ])
}

/// A 完成时间 in the plan's years, not after the day it is filed.
fn typed_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..=6789).prop_map(|back| rules().today - chrono::TimeDelta::days(back))
}

/// One task's fields: a date exactly when the status is 已完成 (what the check lets through).
fn task_fields() -> impl Strategy<Value = [String; 6]> {
    (
        typed_status(),
        typed_date(),
        typed_text(),
        typed_text(),
        typed_text(),
        typed_text(),
    )
        .prop_map(|(status, date, progress, problem, plan, note)| {
            let done = fill::status_choice(status) == Some("已完成");
            let date = if done {
                date.format("%Y-%m-%d").to_string()
            } else {
                String::new()
            };
            [status.to_string(), date, progress, problem, plan, note]
        })
}

/// The form as a browser posts it.
fn body(tasks: &[(u32, [String; 6])], reporter: &str, phone: &str) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("period", "2018-07");
    form.append_pair("reporter", reporter);
    form.append_pair("phone", phone);
    for (task, fields) in tasks {
        for (field, value) in fill::Field::ALL.iter().zip(fields) {
            form.append_pair(&field.key(*task), value);
        }
    }
    form.finish()
}

/// Writes the form's return as `/fill` does, into `dir` under a server's name,
/// and reads the folder as `run` does. Gives what intake read and the values
/// the form pre-fills from it.
fn file_and_read(
    dir: &Path,
    posted: &Posted,
    catalogue: &Catalogue,
    roster: &Roster,
) -> (county_returns::intake::Intake, fill::Prefill) {
    let expected = expected(catalogue, roster);
    let options = Options {
        period: Some(Month::parse("2018-07").expect("month")),
        office: "海南省教育厅".to_string(),
        due_day: 5,
        contact: Some("基础教育处 王芳 0898-65236001".to_string()),
    };
    let bytes = fill::workbook(
        catalogue,
        UNIT,
        &expected,
        &posted.values,
        rules().today,
        &options,
    )
    .expect("write the return");
    let path = dir.join("海口市_20180803T020000Z_0123abcd.xlsx");
    std::fs::write(&path, bytes).expect("save");
    let reader = Reader {
        catalogue,
        roster,
        limits: Limits::default(),
    };
    let period = ReportPeriod {
        as_of: rules().as_of,
        month: Month::parse("2018-07").expect("month"),
    };
    let intake = reader.scan(dir, period, &Quiet).expect("scan");
    let read = &intake.files[0].returns[0];
    let prefill = fill::from_return(&read.rows, Some(&read.meta), &expected);
    (intake, prefill)
}

/// The values as the form stores them, each status as the drop-down's word.
fn as_stored(posted: &Posted) -> Values {
    let mut values = posted.values.clone();
    for task in values.tasks.values_mut() {
        task.status = fill::status_choice(&task.status)
            .unwrap_or_default()
            .to_string();
    }
    values
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn a_filled_return_reads_back_exactly_as_typed(
        fields in prop::collection::vec(task_fields(), 31),
        reporter in "[\\p{Han}A-Za-z ·()（）]{0,12}",
        phone in "[0-9 +()\\-]{0,20}",
    ) {
        let catalogue = Catalogue::embedded().expect("catalogue");
        let roster = Roster::default_hainan().expect("roster");
        let expected = expected(&catalogue, &roster);
        let tasks: Vec<(u32, [String; 6])> = expected.iter().map(|(t, _)| *t).zip(fields).collect();
        let body = body(&tasks, &reporter, &phone);
        prop_assert!(body.len() <= fill::body_limit(catalogue.tasks.len()));
        let posted = fill::read_form(body.as_bytes(), &expected, catalogue.tasks.len()).expect("read");
        // Only the 填报人 line can hold a label intake would read it by (a
        // random 填报人 of three such characters): the check refuses it.
        let errors = fill::check(&posted, &expected, &catalogue, rules());
        prop_assume!(!errors.fields.contains_key("reporter"));
        prop_assert!(errors.is_empty(), "{errors:?}");

        let dir = tempfile::tempdir().expect("dir");
        let (intake, prefill) = file_and_read(dir.path(), &posted, &catalogue, &roster);
        prop_assert_eq!(intake.files.len(), 1);
        let file = &intake.files[0];
        prop_assert_eq!(&file.status, &FileStatus::Read);
        prop_assert_eq!(file.returns.len(), 1);
        let read = &file.returns[0];
        prop_assert_eq!(read.unit, roster.lookup(UNIT));
        prop_assert!(read.problems.is_empty(), "{:?}", read.problems);
        prop_assert!(intake.problems.is_empty(), "{:?}", intake.problems);
        prop_assert_eq!(read.meta.fill_date, Some(rules().today));
        let stored = as_stored(&posted);
        let said = |text: &str| (!text.is_empty()).then(|| text.to_string());
        prop_assert_eq!(&read.meta.filler, &said(&stored.reporter));
        prop_assert_eq!(&read.meta.phone, &said(&stored.phone));
        prop_assert_eq!(read.rows.len(), expected.len());
        for row in &read.rows {
            let typed = &stored.tasks[&row.task];
            let at = format!("task {}", row.task);
            prop_assert_eq!(&row.status, &Status::parse(&typed.status), "{}", at);
            prop_assert_eq!(&row.status_text, &typed.status, "{}", at);
            let date = match typed.date.as_str() {
                "" => DateCell::Empty,
                text => DateCell::Date(day(text)),
            };
            prop_assert_eq!(&row.date, &date, "{}", at);
            prop_assert_eq!(&*row.narrative, typed.progress.as_str(), "{}", at);
            prop_assert_eq!(&row.issues, &typed.problem, "{}", at);
            prop_assert_eq!(&row.next_steps, &typed.plan, "{}", at);
            prop_assert_eq!(&row.remarks, &typed.note, "{}", at);
        }
        // And the form opened on it again is the form that was sent.
        prop_assert_eq!(&prefill.values, &stored);
        prop_assert!(prefill.hints.is_empty(), "{:?}", prefill.hints);
    }
}

#[test]
fn typed_text_is_stored_as_typed_but_for_line_breaks_controls_and_ends() {
    // The only changes storing makes, each said: every other character stays.
    let typed = "  =SUM(A1)\r\n<b>一</b>\r二\n+86 @人\t-1\u{b}\u{0}  ";
    assert_eq!(
        fill::text_as_stored(typed),
        "=SUM(A1)\n<b>一</b>\n二\n+86 @人\t-1"
    );
}

#[test]
fn a_whole_return_of_the_longest_texts_is_one_form_and_reads_back() {
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let expected = expected(&catalogue, &roster);
    let text = |seed: u32| -> String {
        (0..TEXT_LIMIT as u32)
            .map(|i| char::from_u32(0x4e00 + (i * 7 + seed * 13) % 20_000).expect("Han"))
            .collect()
    };
    let tasks: Vec<(u32, [String; 6])> = expected
        .iter()
        .map(|(t, _)| {
            let fields = [
                "推进中".to_string(),
                String::new(),
                text(*t),
                text(t + 100),
                text(t + 200),
                text(t + 300),
            ];
            (*t, fields)
        })
        .collect();
    let body = body(&tasks, "王芳", "0898-65236001");
    let limit = fill::body_limit(catalogue.tasks.len());
    assert!(body.len() <= limit, "{} > {limit}", body.len());
    let posted = fill::read_form(body.as_bytes(), &expected, catalogue.tasks.len()).expect("read");
    assert!(fill::check(&posted, &expected, &catalogue, rules()).is_empty());
    let dir = tempfile::tempdir().expect("dir");
    let (intake, prefill) = file_and_read(dir.path(), &posted, &catalogue, &roster);
    assert_eq!(intake.files[0].status, FileStatus::Read);
    assert_eq!(prefill.values, as_stored(&posted));
    eprintln!(
        "{} 项任务、每项四栏各 {TEXT_LIMIT} 字：表单 {} 字节（上限 {limit}），写成的 xlsx {} 字节",
        expected.len(),
        body.len(),
        intake.files[0].size
    );
}
