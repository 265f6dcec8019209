//! Returns written by LibreOffice (see tests/fixtures/README.md), consolidated.

use std::path::Path;

use crate::common::{Workdir, detail, problems};

#[test]
fn libreoffice_returns_are_read() {
    let w = Workdir::new();
    let input = w.folder("2018-06");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for name in [
        "lo_xls_儋州市.xls",
        "lo_ods_万宁市.ods",
        "lo_formulas_东方市.xlsx",
    ] {
        std::fs::copy(fixtures.join(name), input.join(name)).expect("copy fixture");
    }
    let out = w.consolidate(&input, &[]);
    let rows = detail(&out);
    for (unit, date) in [
        ("儋州市", "2017-07-20"),
        ("万宁市", "2017-07-20"),
        ("东方市", "2017-07-25"),
    ] {
        let mine: Vec<_> = rows.iter().filter(|r| r["单位"] == unit).collect();
        assert_eq!(mine.len(), 30, "{unit}");
        let task = |n: &str| {
            mine.iter()
                .find(|r| r["序号"] == n)
                .unwrap_or_else(|| panic!("{unit} task {n}"))
        };
        assert_eq!(task("1")["判定"], "按期完成", "{unit} task 1");
        assert_eq!(task("1")["完成时间"], date, "{unit} task 1 date");
        assert_eq!(task("14")["判定"], "逾期未完成", "{unit} task 14");
        assert_eq!(
            task("29")["判定"],
            "推进中",
            "{unit} task 29 (after the gap at 28)"
        );
        assert!(
            mine.iter().all(|r| !r["来源"].is_empty()),
            "{unit}: every row has a source"
        );
    }
    assert!(problems(&out).is_empty(), "{:?}", problems(&out));
}
