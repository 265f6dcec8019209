//! Nothing read is lost: every non-empty row below the header of every readable
//! return is in 明细 (by its 来源) or in 数据问题 (by file and row), and a
//! superseded file is accounted for by one problem row with its row count.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use county_returns::table::header::find_header;
use county_returns::table::workbook::{Limits, Workbook};

use crate::common::*;

/// The data sheet, header row and the 1-based numbers of the non-empty rows below it.
fn data_rows(path: &Path) -> Option<(String, Vec<u32>)> {
    let bytes = std::fs::read(path).ok()?;
    let mut wb = Workbook::open(bytes, Limits::default()).ok()?;
    let mut names = wb.worksheet_names();
    names.sort_by_key(|(_, hidden)| *hidden);
    let (sheet, header) = names.into_iter().find_map(|(name, hidden)| {
        let sheet = wb.read_sheet(&name, hidden).ok()?;
        find_header(&sheet)
            .filter(|h| h.is_usable())
            .map(|h| (name, h))
    })?;
    // Read the rows again straight from calamine, not through intake.
    let mut raw = open_workbook_auto(path).ok()?;
    let range = raw.worksheet_range(&sheet).ok()?;
    let (r0, _) = range.start()?;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let index = r0 + i as u32;
        let texts: Vec<String> = row
            .iter()
            .filter(|c| !matches!(c, Data::Empty))
            .map(|c| c.to_string().trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        // Footers such as 填报人：… 审核人：… describe the return, they are not data.
        let footer = texts.first().is_some_and(|t| {
            ["填报人", "填报单位", "填报日期", "联系电话", "审核人"]
                .iter()
                .any(|l| t.starts_with(l))
        });
        if index >= header.data_start() && !texts.is_empty() && !footer {
            rows.push(index + 1);
        }
    }
    Some((sheet, rows))
}

/// The 1-based rows a place names: `第7行`, `F7`, or `第7–9行` for a task's sub-rows joined.
fn row_numbers(text: &str) -> Vec<u32> {
    let numbers: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers.as_slice() {
        [first, last] if text.contains('–') => (*first..=*last).collect(),
        [first, ..] => vec![*first],
        [] => Vec::new(),
    }
}

#[test]
fn every_row_read_is_in_detail_or_problems() {
    let w = Workdir::new();
    let input = w.folder("2018-06");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("input/2018-06"))
        .expect("sample")
        .map(|e| e.expect("entry").path())
        .collect();
    for name in [
        "lo_xls_儋州市.xls",
        "lo_ods_万宁市.ods",
        "lo_formulas_东方市.xlsx",
    ] {
        sources.push(root.join("tests/fixtures").join(name));
    }
    for path in &sources {
        std::fs::copy(path, input.join(path.file_name().expect("name"))).expect("copy");
    }
    // Messy ones: an unknown unit, stray rows, duplicates, a task not expected, a superseded copy.
    let rows = vec![
        vec![S("填报单位："), S("广州市")],
        template_header(),
        vec![N(1.0), S(""), S(""), S(""), S(""), S("推进中")],
        vec![S("合计")],
    ];
    write_grid(
        &input.join("广州.xlsx"),
        &[SheetSpec::new("进展情况", rows)],
    );
    let mut builder = ReturnBuilder::new("三沙市").row(2, "推进中", None);
    builder.extra(2, "已完成", "重复");
    builder.extra(28, "推进中", "非本单位任务");
    builder.write(&input, "三沙市.xlsx");
    let sample = input.join("海口市2018年6月大班额任务进展情况.xlsx");
    std::fs::copy(&sample, input.join("海口市（重发）.xlsx")).expect("copy");

    let out = consolidate_june(&w, &input);
    let detail = detail(&out);
    let problems = list_text(&out, "数据问题");
    let header = &problems[0];
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let (file_col, place_col, what_col) = (col("文件"), col("位置"), col("问题"));

    let mut covered: HashMap<(String, String), BTreeSet<u32>> = HashMap::new();
    for row in &detail {
        let source = &row["来源"];
        if source.is_empty() {
            continue;
        }
        let parts: Vec<&str> = source.split(" / ").collect();
        covered
            .entry((parts[0].to_string(), parts[1].to_string()))
            .or_default()
            .extend(row_numbers(parts[2]));
    }
    for p in &problems[1..] {
        // 位置 says it in words: “进展情况”表 第17行 完成时间栏, or 第5–7行 for sub-rows.
        if let Some((sheet, place)) = p[place_col]
            .strip_prefix('“')
            .and_then(|rest| rest.split_once("”表"))
        {
            covered
                .entry((p[file_col].clone(), sheet.to_string()))
                .or_default()
                .extend(row_numbers(place));
        }
    }
    let superseded: HashMap<&str, &str> = problems[1..]
        .iter()
        .filter(|p| p[what_col].contains("取代"))
        .map(|p| (p[file_col].as_str(), p[col("处理")].as_str()))
        .collect();

    let mut checked = 0;
    for entry in std::fs::read_dir(&input).expect("input") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let Some((sheet, rows)) = data_rows(&path) else {
            continue;
        };
        if let Some(action) = superseded.get(name.as_str()) {
            assert!(
                action.contains(&format!("{} 行未计入", rows.len())),
                "{name}: superseded, {} rows accounted: {action}",
                rows.len()
            );
            continue;
        }
        let seen = covered
            .get(&(name.clone(), sheet.clone()))
            .cloned()
            .unwrap_or_default();
        for r in &rows {
            assert!(
                seen.contains(r),
                "{name} / {sheet} row {r} is neither in 明细 nor in 数据问题"
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "checked {checked} rows");
    assert!(
        superseded.keys().any(|f| f.starts_with("海口市")),
        "one of 海口市's two copies is superseded"
    );
}
