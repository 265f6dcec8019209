//! 进展矩阵: tasks down, units across, each cell the verdict's colour and short
//! name, with a legend and completion rates on both margins.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::Report;
use super::style::{self, Formats};
use super::table::{Cell, Kind, write_cell, write_title};
use crate::check::{UnitRef, Verdict};

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

pub fn write(sheet: &mut Worksheet, report: &Report) -> Result<(), XlsxError> {
    let result = report.result;
    sheet.set_name("进展矩阵")?;
    let formats = Formats::new();
    let header = style::header();
    let units: Vec<usize> = (0..report.roster.units.len())
        .filter(|u| !result.expected[*u].is_empty())
        .collect();
    let tasks = &report.catalogue.tasks;
    let first_unit_col: u16 = 3;
    let rate_col = first_unit_col + units.len() as u16;
    let width = rate_col + 1;

    let page = report.page("任务进展矩阵");
    write_title(sheet, &page.title, width, &style::title())?;

    // Legend over the unit columns: a coloured cell, then its meaning over two columns.
    sheet.merge_range(1, 0, 2, 2, "图例（单元格为判定的简称）", &formats.centered)?;
    let mut legend: Vec<(&str, String, &Format)> = Verdict::ALL
        .iter()
        .map(|v| (v.short(), v.label().to_string(), formats.verdict(*v)))
        .collect();
    legend.insert(
        3,
        (
            DUE_SOON,
            format!("临期（{}天内）", result.due_soon_days),
            &formats.due_soon,
        ),
    );
    for (i, (short, label, format)) in legend.iter().enumerate() {
        let row = 1 + (i / 5) as u32;
        let c = first_unit_col + 3 * (i % 5) as u16;
        sheet.write_string_with_format(row, c, *short, format)?;
        sheet.merge_range(row, c + 1, row, c + 2, label, &formats.body)?;
    }

    let head_row = 4;
    for (c, title) in [(0u16, "序号"), (1, "主要任务"), (2, "完成时限")] {
        sheet.write_string_with_format(head_row, c, title, &header)?;
    }
    sheet.set_column_width(0, style::cjk_width(2))?;
    sheet.set_column_width(1, style::cjk_width(14))?;
    sheet.set_column_width(2, style::cjk_width(7))?;
    for (i, &u) in units.iter().enumerate() {
        let unit = &report.roster.units[u];
        let c = first_unit_col + i as u16;
        sheet.write_string_with_format(
            head_row,
            c,
            short_name(&unit.name, &unit.aliases),
            &header,
        )?;
        sheet.set_column_width(c, style::cjk_width(2))?;
    }
    sheet.write_string_with_format(head_row, rate_col, "完成率", &header)?;
    sheet.set_column_width(rate_col, style::cjk_width(3))?;
    sheet.set_row_height(head_row, 36)?;

    let verdicts: HashMap<(usize, u32), (Verdict, bool)> = result
        .entries
        .iter()
        .filter(|e| e.counts())
        .filter_map(|e| match e.unit {
            UnitRef::Known(u) => Some(((u, e.task), (e.verdict, e.due_soon))),
            UnitRef::Unknown(_) => None,
        })
        .collect();
    let column_of: HashMap<usize, u16> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (*u, first_unit_col + i as u16))
        .collect();
    let mut unit_done = vec![0usize; units.len()];
    let mut unit_applicable = vec![0usize; units.len()];
    for (i, task) in tasks.iter().enumerate() {
        let row = head_row + 1 + i as u32;
        write_cell(
            sheet,
            (row, 0),
            &Cell::Int(i64::from(task.number)),
            Kind::Center,
            &formats,
        )?;
        write_cell(
            sheet,
            (row, 1),
            &Cell::Text(task.short_text()),
            Kind::Text,
            &formats,
        )?;
        write_cell(
            sheet,
            (row, 2),
            &Cell::Date(task.deadline),
            Kind::Center,
            &formats,
        )?;
        let (mut done, mut applicable) = (0, 0);
        for (k, &u) in units.iter().enumerate() {
            let c = column_of[&u];
            match verdicts.get(&(u, task.number)) {
                Some((v, due_soon)) => {
                    // In progress but due soon: amber, so a supervisor acts before it turns red.
                    if *due_soon && *v == Verdict::InProgress {
                        sheet.write_string_with_format(row, c, DUE_SOON, &formats.due_soon)?;
                    } else {
                        sheet.write_string_with_format(row, c, v.short(), formats.verdict(*v))?;
                    }
                    if *v != Verdict::NotApplicable {
                        applicable += 1;
                        unit_applicable[k] += 1;
                    }
                    if v.is_done() {
                        done += 1;
                        unit_done[k] += 1;
                    }
                }
                None => {
                    sheet.write_string_with_format(row, c, "—", &formats.centered)?;
                }
            }
        }
        write_cell(
            sheet,
            (row, rate_col),
            &rate(done, applicable),
            Kind::Center,
            &formats,
        )?;
    }
    let total_row = head_row + 1 + tasks.len() as u32;
    sheet.merge_range(total_row, 0, total_row, 2, "各单位完成率", &header)?;
    for k in 0..units.len() {
        let c = first_unit_col + k as u16;
        write_cell(
            sheet,
            (total_row, c),
            &rate(unit_done[k], unit_applicable[k]),
            Kind::Center,
            &formats,
        )?;
    }
    sheet.set_freeze_panes(head_row + 1, first_unit_col)?;
    style::print_setup(sheet, Some((head_row, head_row)), &page)?;
    Ok(())
}
