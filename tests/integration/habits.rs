//! The habits of real returns (SPEC §3, second list), on returns made by other
//! programs: openpyxl, LibreOffice (.xls, .ods) and a 问卷星-style GB18030 CSV.
//! `tests/fixtures/habits/` holds one folder per quirk; `expected.tsv` gives the
//! verdict and completion date of every (unit, task) of every unit in it, and
//! `problems.tsv` the problems that must be named. make.py wrote all three from
//! the same data, so the table and the files cannot drift apart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{Workdir, copy_files, detail, list_text};

fn habits() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/habits")
}

/// The rows of a fixture table for one case, header dropped.
fn table(name: &str, case: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(habits().join(name)).expect("fixture table");
    text.lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>())
        .filter(|r| r[0] == case)
        .collect()
}

/// Consolidates one case folder as the 2018-07 period and gives the workbook.
fn consolidate(w: &Workdir, case: &str) -> PathBuf {
    let input = w.folder("input/2018-07");
    copy_files(&habits().join(case), &input);
    w.consolidate(&input, &[])
}

/// Every (unit, task) of the case: verdict and completion date as the table says.
fn assert_verdicts(case: &str) {
    let w = Workdir::new();
    let out = consolidate(&w, case);
    let rows = detail(&out);
    let mut got: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for r in &rows {
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
    assert_problems(case, &out);
}

/// The problems the case must name, by file and keyword; and none of those
/// keywords on a file the table does not list.
fn assert_problems(case: &str, out: &Path) {
    let sheet = list_text(out, "数据问题");
    let header = &sheet[0];
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (file_col, what_col) = (col("文件"), col("问题"));
    let listed = table("problems.tsv", case);
    for keyword in ["重新编号", "完成状态列", "其他月份", "请以 Excel 文件报送"]
    {
        let named: Vec<&String> = sheet[1..]
            .iter()
            .filter(|r| r[what_col].contains(keyword) || r[col("处理")].contains(keyword))
            .map(|r| &r[file_col])
            .collect();
        for r in listed.iter().filter(|r| r[2] == keyword) {
            let hits = named.iter().filter(|f| **f == &r[1]).count();
            assert_eq!(
                hits, 1,
                "{case}: want one “{keyword}” problem for {}, got {named:?}",
                r[1]
            );
        }
        for file in &named {
            assert!(
                listed.iter().any(|r| r[2] == keyword && &r[1] == *file),
                "{case}: “{keyword}” named for {file}, which has no such quirk"
            );
        }
    }
}

macro_rules! habit {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                assert_verdicts(stringify!($name));
            }
        )*
    };
}

habit!(
    renumbered_xlsx,
    renumbered_xls,
    merged_down_xlsx,
    merged_down_xls,
    merged_down_ods,
    no_status_column_xlsx,
    no_status_column_xls,
    percent_xlsx,
    percent_xls,
    loose_dates_xlsx,
    loose_dates_ods,
    new_status_words_xlsx,
    new_status_words_xls,
    form_export_xlsx,
    form_export_csv,
    hidden_filtered_protected,
    other_month,
    non_spreadsheet,
);

#[test]
fn every_case_folder_has_a_test() {
    let mut folders: Vec<String> = std::fs::read_dir(habits())
        .expect("habits folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let source = include_str!("habits.rs");
    for folder in folders {
        assert!(
            source.contains(&format!("    {folder},")),
            "no test for {folder}"
        );
    }
}
