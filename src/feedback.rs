//! 督办单: one small workbook per unit, what the province sends back to each
//! county: addressed to it, titled with the period, its overdue, missing, 临期 and
//! problem items grouped by kind with what to do and by when, whom to call, and the
//! issuing office's 落款 with the date: one A4 page, ready to send as it is.

use std::collections::HashMap;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, Workbook};

use crate::check::{Entry, UnitRef, Verdict};
use crate::look::style;
use crate::look::table::{fit_cell_text, lines_height, lines_needed};
use crate::problem::Problem;
use crate::report::Report;
use crate::save::Staged;

/// Stages `dir/<unit>.xlsx` for every unit expected on a task, to be put in place
/// with the run's other outputs.
///
/// # Errors
/// When the folder or a file cannot be written.
pub fn stage_all(report: &Report, dir: &Path) -> std::io::Result<Vec<Staged>> {
    // Entries and problems grouped by unit once, not scanned again for every unit.
    let mut entries: Vec<Vec<&Entry>> = vec![Vec::new(); report.roster.units.len()];
    for e in report.result.entries.iter().filter(|e| e.counts()) {
        if let UnitRef::Known(u) = e.unit {
            entries[u].push(e);
        }
    }
    let mut problems: HashMap<&str, Vec<&Problem>> = HashMap::new();
    for p in &report.result.problems {
        if let Some(unit) = &p.unit {
            problems.entry(unit.as_str()).or_default().push(p);
        }
    }
    // One file per unit, each on its own: they are made on both cores.
    use rayon::prelude::*;
    let units: Vec<usize> = (0..report.roster.units.len())
        .filter(|&u| !report.result.expected[u].is_empty())
        .collect();
    units
        .par_iter()
        .map(|&u| {
            let unit = &report.roster.units[u];
            let own = problems
                .get(unit.name.as_str())
                .map_or(&[][..], Vec::as_slice);
            let bytes = build(report, u, &entries[u], own)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            let name = format!("督办单_{}_{}.xlsx", unit.name, report.letterhead.month);
            Staged::bytes(&dir.join(name), &bytes)
        })
        .collect()
}

/// Why an item is on a 督办单, in the order a county should act on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Category {
    OverdueUnfinished,
    NotSubmitted,
    Omitted,
    ToVerify,
    DueSoon,
}

impl Category {
    const ALL: [Category; 5] = [
        Category::OverdueUnfinished,
        Category::NotSubmitted,
        Category::Omitted,
        Category::ToVerify,
        Category::DueSoon,
    ];

    /// The category an entry falls in, if it needs the county's action.
    fn of(entry: &Entry) -> Option<Self> {
        Some(match entry.verdict {
            Verdict::OverdueUnfinished => Self::OverdueUnfinished,
            Verdict::NotSubmitted => Self::NotSubmitted,
            Verdict::Omitted => Self::Omitted,
            Verdict::ToVerify => Self::ToVerify,
            _ if entry.due_soon => Self::DueSoon,
            _ => return None,
        })
    }

    fn label(self) -> &'static str {
        match self {
            Self::OverdueUnfinished => "逾期未完成",
            Self::NotSubmitted => "未报送",
            Self::Omitted => "漏报",
            Self::ToVerify => "待核实",
            Self::DueSoon => "临期",
        }
    }

    /// What the county is asked to do about an entry of this category.
    fn what_to_do(self, entry: &Entry, report: &Report) -> String {
        let deadline = report.catalogue.get(entry.task).map(|t| t.deadline);
        match self {
            Self::OverdueUnfinished => format!(
                "已逾期 {} 天：请加快推进，书面说明原因并明确完成时间",
                entry.days_overdue.unwrap_or(0)
            ),
            Self::NotSubmitted => "本期未收到报表：请按模板填报后尽快报送".to_string(),
            Self::Omitted => "报表中缺少该任务或未填完成状态：请补报".to_string(),
            Self::ToVerify => "完成状态或完成时间有误：请核实后更正".to_string(),
            Self::DueSoon => match deadline {
                Some(d) => format!("将于{}到期：请确保按期完成", style::chinese_date(d)),
                None => "即将到期：请确保按期完成".to_string(),
            },
        }
    }
}

/// The items of a 督办单: (category, entry), in the order a county should act.
fn items<'a>(entries: &[&'a Entry]) -> Vec<(Category, &'a Entry)> {
    let mut items: Vec<(Category, &Entry)> = entries
        .iter()
        .filter_map(|e| Category::of(e).map(|c| (c, *e)))
        .collect();
    items.sort_by_key(|(c, e)| (*c, e.task));
    items
}

/// The columns of a 督办单's item tables: title and width in Chinese characters.
const COLUMNS: [(&str, usize); 4] = [
    ("序号", 2),
    ("主要任务", 16),
    ("完成时限", 7),
    ("请办理", 20),
];

/// One 督办单, on one A4 page: addressee, title with the period, what to do grouped
/// by kind, whom to call, the issuing office and the date.
fn build(
    report: &Report,
    u: usize,
    entries: &[&Entry],
    problems: &[&Problem],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let unit = &report.roster.units[u].name;
    let head = report.letterhead;
    let as_of = report.result.as_of;
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("{unit}督办单（{}）", head.month.chinese()))
            .set_author(&head.office)
            .set_creation_datetime(&as_of),
    );
    let sheet = workbook.add_worksheet().set_name("督办单")?;
    let mut letter = Letter::new(sheet);
    letter.widths()?;
    letter.merged(&head.title("任务进展督办单"), &style::title(), 30.0)?;
    letter.merged(&format!("致：{unit}"), &style::letter_bold(), 22.0)?;
    let items = items(entries);
    let reply_by = style::chinese_date(head.reply_by);
    let silent = !entries.is_empty() && entries.iter().all(|e| e.verdict == Verdict::NotSubmitted);
    if silent {
        letter.paragraph(&format!(
            "截至{}，你单位未报送{}任务进展情况表（应报 {} 项任务）。请于{reply_by}前按模板填报并报送{}；逾期未报送的，将在全省通报。",
            style::chinese_date(as_of),
            head.month.chinese(),
            entries.len(),
            head.office
        ))?;
    } else if items.is_empty() && problems.is_empty() {
        letter.paragraph(&format!(
            "根据你单位报送的{}任务进展情况表（统计截止{}），本期没有需要督办的事项。请继续按期推进，按时报送下期报表。",
            head.month.chinese(),
            style::chinese_date(as_of)
        ))?;
    } else {
        letter.paragraph(&format!(
            "根据你单位报送的{}任务进展情况表（统计截止{}），以下事项需要办理。请于{reply_by}前将办理情况书面报送{}。",
            head.month.chinese(),
            style::chinese_date(as_of),
            head.office
        ))?;
        let section = write_items(&mut letter, report, &items)?;
        write_problems(&mut letter, problems, section)?;
    }
    letter.blank()?;
    if let Some(contact) = &head.contact {
        letter.merged(&format!("联系人：{contact}"), &style::letter(), 18.0)?;
    }
    letter.right(&head.office)?;
    letter.right(&style::chinese_date(as_of))?;
    letter.finish(&report.page("督办单"))?;
    workbook.save_to_buffer()
}

/// The overdue, missing and to-verify items, one numbered section per kind.
/// Returns how many sections were written.
fn write_items(
    letter: &mut Letter,
    report: &Report,
    items: &[(Category, &Entry)],
) -> Result<usize, rust_xlsxwriter::XlsxError> {
    let mut section = 0;
    for category in Category::ALL {
        let of_kind: Vec<&Entry> = items
            .iter()
            .filter(|(c, _)| *c == category)
            .map(|(_, e)| *e)
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        section += 1;
        letter.heading(&format!(
            "{}、{}（{} 项）",
            chinese_numeral(section),
            category.label(),
            of_kind.len()
        ))?;
        letter.table_header(&COLUMNS.map(|(t, _)| t))?;
        for e in of_kind {
            let task = report.catalogue.get(e.task);
            letter.table_row(&[
                e.task.to_string(),
                task.map(|t| t.short_text()).unwrap_or_default(),
                task.map(|t| style::chinese_date(t.deadline))
                    .unwrap_or_default(),
                category.what_to_do(e, report),
            ])?;
        }
    }
    Ok(section)
}

/// The problems of the unit's return, as the section after `sections` others.
fn write_problems(
    letter: &mut Letter,
    problems: &[&Problem],
    sections: usize,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    if problems.is_empty() {
        return Ok(());
    }
    letter.heading(&format!(
        "{}、报表中的问题（{} 条）",
        chinese_numeral(sections + 1),
        problems.len()
    ))?;
    letter.table_header(&["序号", "问题", "位置", "请办理"])?;
    for p in problems {
        let place = p.sheet_and_place();
        letter.table_row(&[
            p.task.map(|t| t.to_string()).unwrap_or_default(),
            p.what.clone(),
            if place.is_empty() {
                p.file.clone()
            } else {
                place
            },
            p.action.clone(),
        ])?;
    }
    Ok(())
}

/// A 督办单 sheet written top to bottom.
struct Letter<'a> {
    sheet: &'a mut rust_xlsxwriter::Worksheet,
    row: u32,
}

impl<'a> Letter<'a> {
    fn new(sheet: &'a mut rust_xlsxwriter::Worksheet) -> Self {
        Self { sheet, row: 0 }
    }

    fn last_col() -> u16 {
        COLUMNS.len() as u16 - 1
    }

    fn widths(&mut self) -> Result<(), rust_xlsxwriter::XlsxError> {
        for (c, (_, chars)) in COLUMNS.iter().enumerate() {
            self.sheet
                .set_column_width(c as u16, style::cjk_width(*chars))?;
        }
        Ok(())
    }

    /// Text across the page, one row high enough for it.
    fn merged(
        &mut self,
        text: &str,
        format: &rust_xlsxwriter::Format,
        height: f64,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        self.sheet
            .merge_range(self.row, 0, self.row, Self::last_col(), text, format)?;
        self.sheet.set_row_height(self.row, height)?;
        self.row += 1;
        Ok(())
    }

    /// A paragraph across the page, wrapped.
    fn paragraph(&mut self, text: &str) -> Result<(), rust_xlsxwriter::XlsxError> {
        let width: usize = COLUMNS.iter().map(|(_, w)| w).sum();
        let lines = lines_needed(text, width);
        self.merged(
            text,
            &style::letter().set_text_wrap(),
            lines_height(lines) + 4.0,
        )
    }

    fn heading(&mut self, text: &str) -> Result<(), rust_xlsxwriter::XlsxError> {
        self.blank()?;
        self.merged(text, &style::letter_bold(), 20.0)
    }

    fn blank(&mut self) -> Result<(), rust_xlsxwriter::XlsxError> {
        self.sheet.set_row_height(self.row, 8.0)?;
        self.row += 1;
        Ok(())
    }

    fn table_header(&mut self, titles: &[&str]) -> Result<(), rust_xlsxwriter::XlsxError> {
        let header = style::header();
        for (c, title) in titles.iter().enumerate() {
            self.sheet
                .write_string_with_format(self.row, c as u16, *title, &header)?;
        }
        self.row += 1;
        Ok(())
    }

    fn table_row(&mut self, cells: &[String]) -> Result<(), rust_xlsxwriter::XlsxError> {
        let (wrapped, centered) = (style::wrapped(), style::centered());
        let mut lines = 1;
        for (c, text) in cells.iter().enumerate() {
            let format = if c == 0 { &centered } else { &wrapped };
            self.sheet
                .write_string_with_format(self.row, c as u16, fit_cell_text(text), format)?;
            lines = lines.max(lines_needed(text, COLUMNS[c].1));
        }
        self.sheet.set_row_height(self.row, lines_height(lines))?;
        self.row += 1;
        Ok(())
    }

    /// Text at the right of the page: the 落款.
    fn right(&mut self, text: &str) -> Result<(), rust_xlsxwriter::XlsxError> {
        self.merged(text, &style::letter_signature(), 20.0)
    }

    /// One A4 page, portrait, headed and footed like every printed page.
    fn finish(self, page: &style::Page) -> Result<(), rust_xlsxwriter::XlsxError> {
        style::print_setup(self.sheet, None, page)?;
        self.sheet.set_portrait().set_print_fit_to_pages(1, 1);
        self.sheet
            .set_print_area(0, 0, self.row.saturating_sub(1), Self::last_col())?;
        Ok(())
    }
}

/// 一, 二, 三 … for section numbers.
fn chinese_numeral(n: usize) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
        .get(n.saturating_sub(1))
        .copied()
        .unwrap_or("十")
}
