//! The habits of real returns SPEC §3 names in round 3, on returns made by other
//! programs: zips written as Windows and macOS write them, workbooks kept one sheet
//! per month, tasks split over sub-rows, dates in the status cell, Excel's Unicode
//! text, the 1904 date system, formulas with and without results, another month in
//! the file name only. `tests/fixtures/habits3/` holds one folder per habit and
//! format; `expected.tsv` gives the verdict and completion date of every (unit,
//! task) of every unit in it and `problems.tsv` the problems that must be named,
//! both written by make.py from the rows as the county meant them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{Workdir, copy_files, detail, list_text};

/// The problems make.py names; for these, its list is complete.
const KEYWORDS: [&str; 6] = [
    "其他月份",
    "没有保存它的计算结果",
    "不一致",
    "压缩包里的压缩包",
    "请以 Excel 文件报送",
    "重复填报",
];

fn habits3() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/habits3")
}

/// The rows of a fixture table for one case, header dropped.
fn table(name: &str, case: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(habits3().join(name)).expect("fixture table");
    text.lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>())
        .filter(|r| r[0] == case)
        .collect()
}

/// Every (unit, task) of the case: verdict and completion date as the table says;
/// and every problem the table names, on the files it names only.
fn assert_case(case: &str) {
    let w = Workdir::new();
    let input = w.folder("input/2019-03");
    copy_files(&habits3().join(case), &input);
    let out = w.consolidate(&input, &[]);
    let mut got: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for r in &detail(&out) {
        got.insert(
            (r["单位"].clone(), r["序号"].clone()),
            (r["判定"].clone(), r["完成时间"].clone()),
        );
    }
    let expected = table("expected.tsv", case);
    assert!(!expected.is_empty(), "{case}: no expected rows");
    let mut wrong = Vec::new();
    for r in &expected {
        let (unit, task, verdict, date) =
            (&r[1], &r[2], &r[3], r.get(4).cloned().unwrap_or_default());
        match got.get(&(unit.clone(), task.clone())) {
            Some((v, d)) if v == verdict && *d == date => {}
            Some((v, d)) => wrong.push(format!(
                "{unit} 任务{task}: 判定 {v} 完成时间 {d:?}, want {verdict} {date:?}"
            )),
            None => wrong.push(format!("{unit} 任务{task}: no row in 明细")),
        }
    }
    assert!(
        wrong.is_empty(),
        "{case}: {} of {} verdicts wrong:\n{}",
        wrong.len(),
        expected.len(),
        wrong.join("\n")
    );
    let sheet = list_text(&out, "数据问题");
    let col = |name: &str| sheet[0].iter().position(|h| h == name).expect(name);
    let (file_col, what_col, action_col) = (col("文件"), col("问题"), col("处理"));
    let listed = table("problems.tsv", case);
    for keyword in KEYWORDS {
        let named: Vec<&String> = sheet[1..]
            .iter()
            .filter(|r| r[what_col].contains(keyword) || r[action_col].contains(keyword))
            .map(|r| &r[file_col])
            .collect();
        for r in listed.iter().filter(|r| r[2] == keyword) {
            assert!(
                named.contains(&&r[1]),
                "{case}: want a “{keyword}” problem for {}, got {named:?}",
                r[1]
            );
        }
        for file in &named {
            assert!(
                listed.iter().any(|r| r[2] == keyword && &r[1] == *file),
                "{case}: “{keyword}” named for {file}, which has no such habit"
            );
        }
    }
}

macro_rules! habit {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                assert_case(stringify!($name));
            }
        )*
    };
}

habit!(
    zip_windows_gbk,
    zip_macos_folder,
    zip_names_and_nesting,
    month_sheets_xlsx,
    month_sheets_xls,
    month_sheets_ods,
    month_sheets_no_period,
    sub_rows_xlsx,
    sub_rows_xls,
    sub_rows_ods,
    status_date_xlsx,
    status_date_xls,
    status_date_ods,
    unicode_text_txt,
    unicode_text_csv,
    date1904_xlsx,
    date1904_xls,
    date1904_ods,
    formulas_cached_xlsx,
    formulas_cached_xls,
    formulas_cached_ods,
    formulas_uncached_xlsx,
    formulas_uncached_ods,
    other_month_file_name,
);

#[test]
fn every_case_folder_has_a_test() {
    let source = include_str!("habits3.rs");
    for entry in std::fs::read_dir(habits3()).expect("habits3 folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            let folder = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            assert!(
                source.contains(&format!("    {folder},")),
                "no test for {folder}"
            );
        }
    }
}
