//! Property: any grid of cells, written as a workbook, goes through intake without
//! a panic, and every non-empty row below the header it finds is a task row or a
//! problem (or a 填报人-style footer line).

use std::collections::BTreeSet;

use county_returns::catalogue::Catalogue;
use county_returns::intake::read_return;
use county_returns::table::workbook::Limits;
use proptest::prelude::*;
use rust_xlsxwriter::Workbook;

#[derive(Debug, Clone)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

fn cell() -> impl Strategy<Value = Cell> {
    let words = prop::sample::select(vec![
        "序号",
        "主要任务",
        "完成状态",
        "完成时间",
        "进展情况",
        "完成情况",
        "是否完成",
        "编号",
        "备注",
        "已完成",
        "推进中",
        "未启动",
        "不适用",
        "大部分完成",
        "第3项",
        "03",
        "３",
        "任务12",
        "2018年6月",
        "2018/6/30",
        "填报单位：海口市",
        "填报人：王芳",
        "合计",
        "",
        " ",
        "=1+1",
        "32",
        "0",
    ]);
    prop_oneof![
        3 => Just(Cell::Empty),
        4 => words.prop_map(|w| Cell::Text(w.to_string())),
        1 => any::<String>().prop_map(Cell::Text),
        2 => prop_oneof![Just(3.0), Just(43281.0), Just(-1.0), Just(1e300), Just(f64::NAN), any::<f64>()].prop_map(Cell::Number),
    ]
}

fn write(grid: &[Vec<Cell>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in grid.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let _ = match value {
                Cell::Empty => continue,
                Cell::Text(t) => sheet.write_string(r as u32, c as u16, t),
                Cell::Number(n) if n.is_finite() => sheet.write_number(r as u32, c as u16, *n),
                Cell::Number(_) => continue,
            };
        }
    }
    workbook.save_to_buffer().expect("write grid")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_grid_goes_through_intake_and_loses_no_row(
        mut grid in prop::collection::vec(prop::collection::vec(cell(), 0..10), 0..30),
        header_at in prop::option::weighted(0.7, 0..6usize),
    ) {
        // Most grids get a real header somewhere near the top, so rows get read.
        if let Some(at) = header_at {
            let header = ["序号", "主要任务", "完成状态", "完成时间", "进展情况"];
            grid.insert(at.min(grid.len()), header.iter().map(|h| Cell::Text(h.to_string())).collect());
        }
        let catalogue = Catalogue::embedded().expect("catalogue");
        let bytes = write(&grid);
        let read = match read_return(bytes, &catalogue, &Limits::default(), "prop.xlsx", chrono::NaiveDate::MAX) {
            Ok(read) => read,
            // Refused as a whole: one problem for the file, nothing of it counted.
            Err(_) => return Ok(()),
        };
        let mut accounted: BTreeSet<u32> = read.rows.iter().map(|r| r.row).collect();
        accounted.extend(read.problems.iter().filter_map(|p| p.location.map(|l| l.row)));
        for (r, row) in grid.iter().enumerate().skip(read.data_start as usize) {
            let texts: Vec<String> = row.iter().filter_map(|c| match c {
                Cell::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
                Cell::Number(n) if n.is_finite() => Some(n.to_string()),
                _ => None,
            }).collect();
            let footer = texts.iter().any(|t| t.starts_with("填报人") || t.starts_with("填报单位"));
            if texts.is_empty() || footer {
                continue;
            }
            prop_assert!(accounted.contains(&(r as u32)), "row {} ({:?}) is neither read nor a problem", r + 1, texts);
        }
    }
}
