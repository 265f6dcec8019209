//! The monthly sheets: 本月变化 (what changed, what keeps slipping) and 趋势
//! (completion rate per unit per period, with a line chart).

use rust_xlsxwriter::{Chart, ChartDataLabel, ChartMarker, ChartMarkerType, Worksheet, XlsxError};

use super::Report;
use crate::look::layout::Layout;
use crate::look::style::{self, Formats, RateChart};
use crate::look::table::{Cell, Kind, fit, share, write_cell, write_title, write_titled};
use crate::monthly::changes::{Change, ChangeKind};

/// 本月变化: one row per change, units in roster order.
pub fn changes(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let monthly = report.monthly;
    sheet.set_name("本月变化")?;
    let columns = [
        fit("单位", Kind::Wrap),
        fit("序号", Kind::Center),
        share("主要任务", Kind::Wrap),
        fit("变化", Kind::Wrap),
        fit("连续期数", Kind::Center),
        fit("上期判定", Kind::Center),
        fit("本期判定", Kind::Center),
        share("说明", Kind::Wrap),
    ];
    let page = report.page("本月变化");
    let Some(previous) = monthly.earlier.last().map(|p| p.month.chinese()) else {
        let none = [vec![Cell::Heading(
            "没有找到上一期的汇总或报表，本月变化从下一期起显示。".to_string(),
        )]];
        write_titled(sheet, &page, &Layout::fit(&columns, &none), none)?;
        return Ok(());
    };
    let mut changes: Vec<&Change> = monthly.changes.iter().collect();
    changes.sort_by_key(|c| (report.roster.position(&c.unit), c.kind, c.task));
    let row = |c: &&Change| {
        let note = match c.kind {
            ChangeKind::Regressed => {
                format!("{previous}已完成，本期为{}：请核实", c.current.label())
            }
            ChangeKind::SameAsLast => "进展情况与上期一字不差：请督促如实更新进展".to_string(),
            ChangeKind::OverdueStreak => format!("已连续 {} 期逾期未完成：建议督办", c.streak),
            ChangeKind::MissingStreak if c.task.is_none() => {
                format!("已连续 {} 期未报送：请催报", c.streak)
            }
            ChangeKind::MissingStreak => format!("已连续 {} 期未报：请催报", c.streak),
            ChangeKind::NewlyMissing => format!("{previous}已报送，本期未报送：请催报"),
            _ => String::new(),
        };
        let whole_unit = match c.kind {
            ChangeKind::NewlyReported => "（全部任务）本期恢复报送",
            _ => "（全部任务）本期未报送",
        };
        vec![
            c.unit.as_str().into(),
            c.task.into(),
            match c.task {
                Some(task) => report.catalogue.get(task).map(|t| t.text.clone()).into(),
                None => whole_unit.into(),
            },
            c.kind.label().into(),
            if c.streak > 1 {
                Cell::from(c.streak)
            } else {
                Cell::Empty
            },
            // A whole unit's row says whether it reported, not one task's verdict.
            match (c.task, c.kind) {
                (None, ChangeKind::NewlyMissing) => "已报送".into(),
                _ => Cell::Verdict(c.previous),
            },
            match (c.task, c.kind) {
                (None, ChangeKind::NewlyReported) => "已报送".into(),
                _ => Cell::Verdict(c.current),
            },
            note.into(),
        ]
    };
    // Laid out from one pass over the rows, written from a second: at national
    // scale there are tens of thousands.
    let layout = Layout::fit(&columns, changes.iter().map(row));
    write_titled(sheet, &page, &layout, changes.iter().map(row))?;
    Ok(())
}

/// 趋势: completion rate per unit (rows) per period (columns), province-wide on top,
/// a period a unit sent nothing in shown 未报; the chart is 趋势图.
pub fn trend(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let monthly = report.monthly;
    let periods: Vec<&crate::monthly::history::Period> = monthly.all_periods().collect();
    sheet.set_name("趋势")?;
    let formats = Formats::new();
    let header = style::header();
    let page = report.page("完成率趋势");
    // The title spans at least the width of a page's worth of columns.
    let width = (periods.len() as u16 + 1).max(TREND_TITLE_COLUMNS);
    write_title(sheet, &page.title, width, &style::title())?;
    sheet.merge_range(1, 0, 1, width - 1, &page.line(), &style::subtitle())?;
    let head = TREND_HEAD;
    sheet.write_string_with_format(head, 0, "单位", &header)?;
    sheet.set_column_width(0, style::cjk_width(9))?;
    for (i, p) in periods.iter().enumerate() {
        let c = 1 + i as u16;
        sheet.write_string_with_format(head, c, p.month.chinese(), &header)?;
        sheet.set_column_width(c, style::cjk_width(5))?;
    }
    let rate = |r: Option<f64>| r.map_or(Cell::Empty, Cell::Percent);
    write_cell(
        sheet,
        (head + 1, 0),
        &Cell::from("全省"),
        Kind::Text,
        &formats,
    )?;
    for (i, p) in periods.iter().enumerate() {
        write_cell(
            sheet,
            (head + 1, 1 + i as u16),
            &rate(p.completion_rate()),
            Kind::Center,
            &formats,
        )?;
    }
    let units: Vec<&str> = (0..report.roster.units.len())
        .filter(|u| !report.result.expected[*u].is_empty())
        .map(|u| report.roster.units[u].name.as_str())
        .collect();
    let rates: Vec<_> = periods
        .iter()
        .map(|p| (p.rates_by_unit(), p.silent_units()))
        .collect();
    for (r, unit) in units.iter().enumerate() {
        let row = head + 2 + r as u32;
        write_cell(sheet, (row, 0), &Cell::from(*unit), Kind::Text, &formats)?;
        for (i, (by_unit, silent)) in rates.iter().enumerate() {
            // A unit that sent nothing has no rate: 0 % would say it reported no progress.
            let cell = if silent.contains(unit) {
                Cell::from("未报")
            } else {
                rate(by_unit.get(unit).copied())
            };
            write_cell(sheet, (row, 1 + i as u16), &cell, Kind::Center, &formats)?;
        }
    }
    sheet.set_freeze_panes(head + 1, 1)?;
    style::print_wide(sheet, (head, head), (0, 0), &page)?;
    Ok(())
}

/// How many columns 趋势's title spans, however few the periods.
const TREND_TITLE_COLUMNS: u16 = 8;
/// The row of 趋势's header; the province's rates are the row under it.
const TREND_HEAD: u32 = 2;

/// 趋势图: the province's completion rate over the periods, on a sheet of its own so
/// it prints as one titled page.
pub fn trend_chart(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    sheet.set_name("趋势图")?;
    let page = report.page("全省完成率趋势");
    let periods = report.monthly.all_periods().count() as u16;
    let mut chart = Chart::new_line();
    if periods > 0 {
        chart
            .add_series()
            .set_name("全省完成率")
            .set_categories(("趋势", TREND_HEAD, 1, TREND_HEAD, periods))
            .set_values(("趋势", TREND_HEAD + 1, 1, TREND_HEAD + 1, periods))
            .set_marker(ChartMarker::new().set_type(ChartMarkerType::Circle))
            .set_data_label(ChartDataLabel::new().show_value().set_num_format("0.0%"));
    }
    style::chart_page(
        sheet,
        &mut chart,
        RateChart::Line,
        "全省完成率趋势",
        &page,
        10,
    )
}
