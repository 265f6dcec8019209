//! 总览: the as-of date, province-wide totals, one ranked row per unit, the units
//! that sent nothing, and a bar chart of completion rates.

use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartFont, ChartFormat, ChartSolidFill, Worksheet, XlsxError,
};

use super::Report;
use super::style::{self, Formats};
use super::table::{Cell, Kind, col, write_cell, write_table, write_title};
use crate::check::Verdict;

pub fn write(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let result = report.result;
    sheet.set_name("总览")?;
    let mut stats = result.unit_stats();
    // Best first; equal rates keep roster order.
    stats.sort_by_key(|s| (s.rank.unwrap_or(usize::MAX), s.unit));

    let mut columns = vec![
        col("排名", 2, Kind::Center),
        col("单位", 9, Kind::Text),
        col("类别", 2, Kind::Center),
    ];
    columns.push(col("应报任务", 3, Kind::Center));
    columns.push(col("已报任务", 3, Kind::Center));
    columns.push(col("迟报", 2, Kind::Center));
    for v in Verdict::ALL {
        columns.push(col(v.label(), 3, Kind::Center));
    }
    columns.push(col("临期", 3, Kind::Center));
    columns.push(col("完成率", 3, Kind::Center));
    let width = columns.len() as u16;

    let as_of = result.as_of.format("%Y年%-m月%-d日").to_string();
    write_title(
        sheet,
        &format!("《{}》任务进展汇总", report.plan_name()),
        width,
        &style::title(),
    )?;
    let reported = stats
        .iter()
        .filter(|s| s.count(Verdict::NotSubmitted) < s.expected)
        .count();
    let line = format!(
        "统计截止日期：{as_of}　　应报单位 {} 个，已报送 {reported} 个　　任务 {} 项",
        stats.len(),
        report.catalogue.tasks.len()
    );
    sheet.merge_range(1, 0, 1, width - 1, &line, &style::subtitle())?;

    // Province-wide totals.
    let header = style::header();
    let formats = Formats::new();
    sheet.write_string_with_format(3, 1, "全省合计", &header)?;
    sheet.write_string_with_format(4, 1, "事项数", &formats.centered)?;
    let totals = result.totals();
    for (v, n) in totals.in_order() {
        let c = 5 + v.index() as u16;
        sheet.write_string_with_format(3, c, v.label(), &header)?;
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
    write_cell(sheet, (4, 4), &rate, Kind::Center, &formats)?;

    // One row per unit, ranked.
    let top = 6;
    let rows: Vec<Vec<Cell>> = stats
        .iter()
        .map(|s| {
            let unit = &report.roster.units[s.unit];
            let mut row: Vec<Cell> = vec![
                s.rank.into(),
                unit.name.as_str().into(),
                unit.kind.label().into(),
            ];
            row.push(s.expected.into());
            row.push(s.reported.into());
            let filed = report.result.meta[s.unit]
                .as_ref()
                .and_then(|m| m.fill_date);
            row.push(if report.is_late(filed) { "迟报" } else { "" }.into());
            row.extend(s.counts.in_order().map(|(_, n)| Cell::from(n)));
            row.push(s.due_soon.into());
            row.push(s.completion_rate.map_or(Cell::Empty, Cell::Percent));
            row
        })
        .collect();
    let unit_rows = rows.len();
    let next = write_table(sheet, top, &columns, rows)?;

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
    sheet.merge_range(
        next + 1,
        0,
        next + 1,
        width - 1,
        &sentence,
        &style::subtitle(),
    )?;

    if unit_rows > 0 {
        let rate_col = width - 1;
        let mut chart = Chart::new_bar();
        chart
            .add_series()
            .set_categories(("总览", top + 1, 1, next - 1, 1))
            .set_values(("总览", top + 1, rate_col, next - 1, rate_col))
            .set_format(
                ChartFormat::new()
                    .set_solid_fill(ChartSolidFill::new().set_color(style::CHART_BAR)),
            )
            .set_data_label(ChartDataLabel::new().show_value().set_num_format("0%"))
            .set_gap(40);
        let mut font = ChartFont::new();
        font.set_name(style::BODY_FONT).set_size(9);
        let mut title_font = ChartFont::new();
        title_font.set_name(style::HEADING_FONT).set_size(12);
        chart.title().set_name("各单位完成率").set_font(&title_font);
        chart.legend().set_hidden();
        // In a bar chart rust_xlsxwriter's y axis is the category axis: reversed,
        // rank 1 is on top. The x axis holds the rates.
        chart.y_axis().set_reverse().set_font(&font);
        chart
            .x_axis()
            .set_min(0)
            .set_max(1)
            .set_num_format("0%")
            .set_font(&font);
        chart.set_width(760).set_height(120 + 22 * unit_rows as u32);
        // The chart starts a page of its own rather than being cut by a page break.
        sheet.set_page_breaks(&[next + 3])?;
        sheet.insert_chart(next + 3, 0, &chart)?;
    }
    Ok(())
}
