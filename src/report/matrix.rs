//! 进展矩阵: tasks down, units across, each cell the verdict's full name on its
//! colour, with a legend and completion rates on both margins.
//!
//! Nineteen units and thirty-one tasks fit one A4 page across at 9 points (the
//! least SPEC §5 lets paper have), two or three pages down, because a row
//! carries the task's number and deadline, not its text (任务清单 has it): with
//! the full text wrapped beside it, the matrix would run to a dozen pages. A
//! larger roster prints over more pages across, 序号 and 完成时限 repeated.

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::Report;
use crate::check::{UnitRef, Verdict};
use crate::look::style::{self, Formats};
use crate::look::table::{Cell, Kind, write_cell, write_title};

/// The matrix's type size: the least that prints legibly.
const POINTS: f64 = 9.0;

/// What an in-progress task due soon reads.
const DUE_SOON: &str = "临期";

fn rate(done: usize, applicable: usize) -> Cell {
    if applicable == 0 {
        Cell::Empty
    } else {
        Cell::Percent(done as f64 / applicable as f64)
    }
}

/// Where things sit: two task columns, one column per expected unit, then the rate.
struct Layout {
    /// The units with expected tasks, in roster order.
    units: Vec<usize>,
    rate_col: u16,
}

/// The legend's row, the note under it, and the header row.
const LEGEND_ROW: u32 = 1;
const NOTE_ROW: u32 = 2;
const HEAD_ROW: u32 = 4;
const FIRST_UNIT_COL: u16 = 2;

/// Column widths in pixels at 9 points: three Chinese characters a unit column,
/// a date (2017年12月31日) for 完成时限.
const NUMBER_PX: u32 = 32;
const DEADLINE_PX: u32 = 106;
const UNIT_PX: u32 = 42;
const RATE_PX: u32 = 48;

/// Points per line of 9-point type, as LibreOffice's fallback sets it.
const LINE_POINTS: f64 = 13.5;

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
    let formats = Formats::sized(POINTS);
    let layout = Layout::new(report);
    let page = report.page("任务进展矩阵");
    write_title(sheet, &page.title, layout.rate_col + 1, &style::title())?;
    write_legend(sheet, report, &layout, &formats)?;
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
            &Cell::Date(task.deadline),
            Kind::Date,
            &formats,
        )?;
        let mut count = Count::default();
        let mut lines = 1;
        for (k, &u) in layout.units.iter().enumerate() {
            let c = Layout::unit_col(k);
            let Some(&(v, due_soon)) = verdicts.get(&(u, task.number)) else {
                sheet.write_string_with_format(row, c, "—", &formats.centered)?;
                continue;
            };
            // In progress but due soon: amber, so a supervisor acts before it turns red.
            let text = if due_soon && v == Verdict::InProgress {
                sheet.write_string_with_format(row, c, DUE_SOON, &formats.due_soon)?;
                DUE_SOON.to_string()
            } else {
                let text = v.label_stacked();
                sheet.write_string_with_format(row, c, text, formats.verdict(v))?;
                text.to_string()
            };
            lines = lines.max(text.lines().count());
            count.add(v);
            columns[k].add(v);
        }
        sheet.set_row_height(row, LINE_POINTS * lines as f64 + 3.0)?;
        write_cell(
            sheet,
            (row, layout.rate_col),
            &count.rate(),
            Kind::Center,
            &formats,
        )?;
    }
    let total_row = HEAD_ROW + 1 + tasks.len() as u32;
    let header = style::header().set_font_size(POINTS);
    sheet.merge_range(total_row, 0, total_row, 1, "各单位完成率", &header)?;
    for (k, count) in columns.iter().enumerate() {
        let at = (total_row, Layout::unit_col(k));
        write_cell(sheet, at, &count.rate(), Kind::Center, &formats)?;
    }
    sheet.set_row_height(total_row, LINE_POINTS * 2.0 + 3.0)?;
    sheet.set_freeze_panes(HEAD_ROW + 1, FIRST_UNIT_COL)?;
    style::print_wide(sheet, (HEAD_ROW, HEAD_ROW), (0, FIRST_UNIT_COL - 1), &page)?;
    Ok(())
}

/// The legend over the unit columns: each verdict's full name on its colour, one
/// to a column, and a line saying what the cells are.
fn write_legend(
    sheet: &mut Worksheet,
    report: &Report,
    layout: &Layout,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.merge_range(LEGEND_ROW, 0, LEGEND_ROW, 1, "图例", &formats.centered)?;
    let mut legend: Vec<(String, &Format)> = Verdict::ALL
        .iter()
        .map(|v| (v.label_stacked().to_string(), formats.verdict(*v)))
        .collect();
    legend.insert(3, (DUE_SOON.to_string(), &formats.due_soon));
    for (i, (label, format)) in legend.iter().enumerate() {
        sheet.write_string_with_format(LEGEND_ROW, FIRST_UNIT_COL + i as u16, label, format)?;
    }
    sheet.set_row_height(LEGEND_ROW, LINE_POINTS * 2.0 + 3.0)?;
    let note = format!(
        "单元格为各单位该项任务的判定；临期：推进中且距完成时限不足 {} 天；“—”：该单位不承担该项任务。各项任务的内容见“任务清单”。",
        report.result.due_soon_days
    );
    let last = layout.rate_col.max(FIRST_UNIT_COL + legend.len() as u16);
    sheet.merge_range(NOTE_ROW, 0, NOTE_ROW, last, &note, &formats.body)?;
    sheet.set_row_height(NOTE_ROW, LINE_POINTS + 4.0)?;
    Ok(())
}

/// The header row: the task columns, each unit by its full name, the rate.
fn write_head(sheet: &mut Worksheet, report: &Report, layout: &Layout) -> Result<(), XlsxError> {
    let header = style::header().set_font_size(POINTS);
    for (c, (title, px)) in [("序号", NUMBER_PX), ("完成时限", DEADLINE_PX)]
        .into_iter()
        .enumerate()
    {
        sheet.write_string_with_format(HEAD_ROW, c as u16, title, &header)?;
        sheet.set_column_width_pixels(c as u16, px)?;
    }
    let mut lines = 2;
    for (k, &u) in layout.units.iter().enumerate() {
        let name = &report.roster.units[u].name;
        let c = Layout::unit_col(k);
        sheet.write_string_with_format(HEAD_ROW, c, name, &header)?;
        sheet.set_column_width_pixels(c, UNIT_PX)?;
        lines = lines.max(name.chars().count().div_ceil(3));
    }
    sheet.write_string_with_format(HEAD_ROW, layout.rate_col, "完成率", &header)?;
    sheet.set_column_width_pixels(layout.rate_col, RATE_PX)?;
    sheet.set_row_height(HEAD_ROW, LINE_POINTS * lines as f64 + 4.0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_keep_their_full_names_on_two_lines_at_most() {
        for v in Verdict::ALL {
            let cell = v.label_stacked();
            assert_eq!(cell.replace('\n', ""), v.label());
            assert!(cell.lines().all(|l| l.chars().count() <= 3), "{cell}");
        }
    }

    #[test]
    fn nineteen_units_fit_one_page_across() {
        let px = NUMBER_PX + DEADLINE_PX + RATE_PX + 19 * UNIT_PX;
        assert!(f64::from(px) <= style::PAGE_WIDTH_PX, "{px}");
    }
}
