//! 进展矩阵: tasks down, units across, each cell the verdict's colour and short
//! name, with a legend and completion rates on both margins.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::Report;
use crate::check::{UnitRef, Verdict};
use crate::look::style::{self, Formats};
use crate::look::table::{Cell, Kind, write_cell, write_title};

/// The shortest of a unit's name and aliases, for a narrow column head.
fn short_name(name: &str, aliases: &[String]) -> String {
    std::iter::once(name)
        .chain(aliases.iter().map(String::as_str))
        .min_by_key(|n| n.chars().count())
        .unwrap_or(name)
        .to_string()
}

/// The matrix's short name for an in-progress task due soon.
const DUE_SOON: &str = "临期";

fn rate(done: usize, applicable: usize) -> Cell {
    if applicable == 0 {
        Cell::Empty
    } else {
        Cell::Percent(done as f64 / applicable as f64)
    }
}

/// Where things sit: three task columns, one column per expected unit, then the rate.
struct Layout {
    /// The units with expected tasks, in roster order.
    units: Vec<usize>,
    rate_col: u16,
}

/// The legend's rows and the header row under it.
const LEGEND_ROW: u32 = 1;
const HEAD_ROW: u32 = 4;
const FIRST_UNIT_COL: u16 = 3;

impl Layout {
    fn new(report: &Report) -> Self {
        let units: Vec<usize> = (0..report.roster.units.len())
            .filter(|u| !report.result.expected[*u].is_empty())
            .collect();
        let rate_col = FIRST_UNIT_COL + units.len() as u16;
        Self { units, rate_col }
    }

    fn unit_col(k: usize) -> u16 {
        FIRST_UNIT_COL + k as u16
    }
}

/// Done and applicable counts, for a row's or a column's completion rate.
#[derive(Default, Clone, Copy)]
struct Count {
    done: usize,
    applicable: usize,
}

impl Count {
    fn add(&mut self, verdict: Verdict) {
        if verdict != Verdict::NotApplicable {
            self.applicable += 1;
        }
        if verdict.is_done() {
            self.done += 1;
        }
    }

    fn rate(self) -> Cell {
        rate(self.done, self.applicable)
    }
}

pub fn write(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    sheet.set_name("进展矩阵")?;
    let formats = Formats::new();
    let layout = Layout::new(report);
    let page = report.page("任务进展矩阵");
    write_title(sheet, &page.title, layout.rate_col + 1, &style::title())?;
    write_legend(sheet, report, &formats)?;
    write_head(sheet, report, &layout)?;
    let verdicts: HashMap<(usize, u32), (Verdict, bool)> = report
        .result
        .entries
        .iter()
        .filter(|e| e.counts())
        .filter_map(|e| match e.unit {
            UnitRef::Known(u) => Some(((u, e.task), (e.verdict, e.due_soon))),
            UnitRef::Unknown(_) => None,
        })
        .collect();
    let mut columns = vec![Count::default(); layout.units.len()];
    let tasks = &report.catalogue.tasks;
    for (i, task) in tasks.iter().enumerate() {
        let row = HEAD_ROW + 1 + i as u32;
        let task_cells = [
            (Cell::Int(i64::from(task.number)), Kind::Center),
            (Cell::Text(task.short_text()), Kind::Text),
            (Cell::Date(task.deadline), Kind::Center),
        ];
        for (c, (cell, kind)) in task_cells.iter().enumerate() {
            write_cell(sheet, (row, c as u16), cell, *kind, &formats)?;
        }
        let mut count = Count::default();
        for (k, &u) in layout.units.iter().enumerate() {
            let c = Layout::unit_col(k);
            let Some(&(v, due_soon)) = verdicts.get(&(u, task.number)) else {
                sheet.write_string_with_format(row, c, "—", &formats.centered)?;
                continue;
            };
            // In progress but due soon: amber, so a supervisor acts before it turns red.
            if due_soon && v == Verdict::InProgress {
                sheet.write_string_with_format(row, c, DUE_SOON, &formats.due_soon)?;
            } else {
                sheet.write_string_with_format(row, c, v.short(), formats.verdict(v))?;
            }
            count.add(v);
            columns[k].add(v);
        }
        write_cell(
            sheet,
            (row, layout.rate_col),
            &count.rate(),
            Kind::Center,
            &formats,
        )?;
    }
    let total_row = HEAD_ROW + 1 + tasks.len() as u32;
    sheet.merge_range(total_row, 0, total_row, 2, "各单位完成率", &style::header())?;
    for (k, count) in columns.iter().enumerate() {
        let at = (total_row, Layout::unit_col(k));
        write_cell(sheet, at, &count.rate(), Kind::Center, &formats)?;
    }
    sheet.set_freeze_panes(HEAD_ROW + 1, FIRST_UNIT_COL)?;
    style::print_setup(sheet, Some((HEAD_ROW, HEAD_ROW)), &page)?;
    Ok(())
}

/// The legend over the unit columns: a coloured cell, then its meaning over two columns.
fn write_legend(
    sheet: &mut Worksheet,
    report: &Report,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let last = LEGEND_ROW + 1;
    sheet.merge_range(
        LEGEND_ROW,
        0,
        last,
        2,
        "图例（单元格为判定的简称）",
        &formats.centered,
    )?;
    let mut legend: Vec<(&str, String, &Format)> = Verdict::ALL
        .iter()
        .map(|v| (v.short(), v.label().to_string(), formats.verdict(*v)))
        .collect();
    legend.insert(
        3,
        (
            DUE_SOON,
            format!("临期（{}天内）", report.result.due_soon_days),
            &formats.due_soon,
        ),
    );
    for (i, (short, label, format)) in legend.iter().enumerate() {
        let row = LEGEND_ROW + (i / 5) as u32;
        let c = FIRST_UNIT_COL + 3 * (i % 5) as u16;
        sheet.write_string_with_format(row, c, *short, format)?;
        sheet.merge_range(row, c + 1, row, c + 2, label, &formats.body)?;
    }
    Ok(())
}

/// The header row: the task columns, each unit by its shortest name, the rate.
fn write_head(sheet: &mut Worksheet, report: &Report, layout: &Layout) -> Result<(), XlsxError> {
    let header = style::header();
    for (c, (title, chars)) in [("序号", 2), ("主要任务", 14), ("完成时限", 7)]
        .into_iter()
        .enumerate()
    {
        sheet.write_string_with_format(HEAD_ROW, c as u16, title, &header)?;
        sheet.set_column_width(c as u16, style::cjk_width(chars))?;
    }
    for (k, &u) in layout.units.iter().enumerate() {
        let unit = &report.roster.units[u];
        let c = Layout::unit_col(k);
        let name = short_name(&unit.name, &unit.aliases);
        sheet.write_string_with_format(HEAD_ROW, c, name, &header)?;
        sheet.set_column_width(c, style::cjk_width(2))?;
    }
    sheet.write_string_with_format(HEAD_ROW, layout.rate_col, "完成率", &header)?;
    sheet.set_column_width(layout.rate_col, style::cjk_width(3))?;
    sheet.set_row_height(HEAD_ROW, 36)?;
    Ok(())
}
