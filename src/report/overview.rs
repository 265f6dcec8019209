//! 总览: the as-of date, province-wide totals, one ranked row per unit, the units
//! that sent nothing, and a bar chart of completion rates.

use rust_xlsxwriter::{Chart, ChartDataLabel, ChartFormat, ChartSolidFill, Worksheet, XlsxError};

use super::Report;
use crate::check::{UnitStats, Verdict};
use crate::look::layout::Layout;
use crate::look::style::{self, Formats, RateChart};
use crate::look::table::{Cell, Column, Kind, col, write_cell, write_table, write_title};

/// The row of the units' table header.
const UNITS_TOP: u32 = 6;
/// 总览's columns: rank, unit, kind, expected, reported, 迟报, eight verdicts, 临期, rate.
const OVERVIEW_WIDTH: u16 = 16;

pub fn write(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    sheet.set_name("总览")?;
    let mut stats = report.result.unit_stats();
    // Best first; equal rates keep roster order; units that sent nothing last.
    stats.sort_by_key(|s| {
        let silent = s.count(Verdict::NotSubmitted) == s.expected;
        (silent, s.rank.unwrap_or(usize::MAX), s.unit)
    });
    let columns = columns();
    let width = columns.len() as u16;
    debug_assert_eq!(width, OVERVIEW_WIDTH);

    let page = report.page("任务进展汇总");
    write_title(sheet, &page.title, width, &style::title())?;
    let reported = stats
        .iter()
        .filter(|s| s.count(Verdict::NotSubmitted) < s.expected)
        .count();
    let line = format!(
        "统计截止日期：{}　　应报单位 {} 个，已报送 {reported} 个　　任务 {} 项　　制表：{}",
        page.as_of,
        stats.len(),
        report.catalogue.tasks.len(),
        page.office
    );
    sheet.merge_range(1, 0, 1, width - 1, &line, &style::subtitle())?;
    write_totals(sheet, report, &stats)?;

    // One row per unit, ranked.
    let rows: Vec<Vec<Cell>> = stats.iter().map(|s| unit_row(report, s)).collect();
    let next = write_table(
        sheet,
        UNITS_TOP,
        &Layout::fixed(&columns),
        rows,
        Some(&page),
    )?;

    let silent: Vec<&str> = stats
        .iter()
        .filter(|s| s.count(Verdict::NotSubmitted) == s.expected)
        .map(|s| report.roster.units[s.unit].name.as_str())
        .collect();
    let sentence = if silent.is_empty() {
        "所有应报单位均已报送。".to_string()
    } else {
        format!(
            "未报送单位（{} 个）：{}。请督促其尽快报送。",
            silent.len(),
            silent.join("、")
        )
    };
    let row = next + 1;
    sheet.merge_range(row, 0, row, width - 1, &sentence, &style::subtitle())?;
    Ok(())
}

/// The table of units: who, how much was asked and sent, each verdict's count, the rate.
fn columns() -> Vec<Column> {
    let mut columns = vec![
        col("排名", 2, Kind::Center),
        col("单位", 9, Kind::Text),
        col("类别", 2, Kind::Center),
        col("应报任务", 3, Kind::Center),
        col("已报任务", 3, Kind::Center),
        col("迟报", 2, Kind::Center),
    ];
    columns.extend(
        Verdict::ALL
            .iter()
            .map(|v| col(v.label_stacked(), 3, Kind::Center)),
    );
    columns.push(col("临期", 3, Kind::Center));
    columns.push(col("完成率", 3, Kind::Center));
    columns
}

fn unit_row(report: &Report, s: &UnitStats) -> Vec<Cell> {
    let unit = &report.roster.units[s.unit];
    let filed = report.result.meta[s.unit]
        .as_ref()
        .and_then(|m| m.fill_date);
    // A unit that sent nothing has no rate and no rank: 0 % would say it
    // reported no progress (SPEC §5), as 趋势 says too.
    let silent = s.count(Verdict::NotSubmitted) == s.expected;
    let mut row: Vec<Cell> = vec![
        if silent { Cell::Empty } else { s.rank.into() },
        unit.name.as_str().into(),
        unit.kind.label().into(),
        s.expected.into(),
        s.reported.into(),
        if report.is_late(filed) { "迟报" } else { "" }.into(),
    ];
    row.extend(s.counts.in_order().map(|(_, n)| Cell::from(n)));
    row.push(s.due_soon.into());
    row.push(if silent {
        Cell::from("未报")
    } else {
        s.completion_rate.map_or(Cell::Empty, Cell::Percent)
    });
    row
}

/// The province-wide totals over the table: expected items, the rate, each verdict's count.
fn write_totals(
    sheet: &mut Worksheet,
    report: &Report,
    stats: &[UnitStats],
) -> Result<(), XlsxError> {
    let header = style::header();
    let formats = Formats::new();
    sheet.write_string_with_format(3, 1, "全省合计", &header)?;
    sheet.set_row_height(3, 30)?;
    sheet.write_string_with_format(4, 1, "事项数", &formats.centered)?;
    let totals = report.result.totals();
    for (v, n) in totals.in_order() {
        let c = 5 + v.index() as u16;
        sheet.write_string_with_format(3, c, v.label_stacked(), &header)?;
        write_cell(sheet, (4, c), &Cell::Int(n as i64), Kind::Center, &formats)?;
    }
    let expected: usize = stats.iter().map(|s| s.expected).sum();
    sheet.write_string_with_format(3, 3, "应报事项", &header)?;
    write_cell(
        sheet,
        (4, 3),
        &Cell::Int(expected as i64),
        Kind::Center,
        &formats,
    )?;
    sheet.write_string_with_format(3, 4, "完成率", &header)?;
    let rate = totals
        .completion_rate(expected)
        .map_or(Cell::Empty, Cell::Percent);
    write_cell(sheet, (4, 4), &rate, Kind::Center, &formats)
}

/// Where 总览's table of units starts, and how many rows it has: the chart reads them.
fn unit_rows(report: &Report) -> (u32, u32) {
    (UNITS_TOP, report.result.unit_stats().len() as u32)
}

/// 完成率图: the units' completion rates as bars, best on top, on a sheet of its
/// own so it prints as one titled page.
pub fn chart(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    sheet.set_name("完成率图")?;
    let page = report.page("各单位完成率");
    let (top, count) = unit_rows(report);
    let rate_col = OVERVIEW_WIDTH - 1;
    let mut chart = Chart::new_bar();
    if count > 0 {
        chart
            .add_series()
            .set_categories(("总览", top + 1, 1, top + count, 1))
            .set_values(("总览", top + 1, rate_col, top + count, rate_col))
            .set_format(
                ChartFormat::new()
                    .set_solid_fill(ChartSolidFill::new().set_color(style::CHART_BAR)),
            )
            .set_data_label(ChartDataLabel::new().show_value().set_num_format("0%"))
            .set_gap(40);
    }
    style::chart_page(sheet, &mut chart, RateChart::Bars, "各单位完成率", &page, 9)
}
