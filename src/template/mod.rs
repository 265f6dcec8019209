//! The return a unit fills in and prints (SPEC §3), optionally pre-filled.
//!
//! Sheet 进展情况: the title (unit, plan, period), the 填报单位 line, the header,
//! one row per expected task, then a signature block (填报单位（盖章）/ 审核人 /
//! 填报人 / 联系电话). It prints on A4 landscape one page wide, as many tall as
//! it takes, with the header on every page and the office and period in the page
//! header. The catalogue columns are locked by sheet protection without a
//! password that still lets rows and columns be resized; the input columns are
//! open; 完成状态 has a drop-down and the dates a date check. Sheet 填表说明
//! ([`instructions`]) says how to fill it in. [`Fill`] lets tests and the sample
//! generator write a filled return through the very same layout. What intake
//! reads back is intake's business: this layout only keeps to the labels and
//! header SPEC §3 names.

mod instructions;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime,
    Format, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use crate::catalogue::{Catalogue, Task};
use crate::look::style;
use crate::look::table::text_lines;
use crate::period::Month;

/// The template's header, in order (SPEC §3).
pub const HEADER: [&str; 11] = [
    "序号",
    "主要任务",
    "牵头单位",
    "配合单位",
    "完成时限",
    "完成状态",
    "完成时间",
    "进展情况",
    "存在问题",
    "下步计划",
    "备注",
];
/// The words the drop-down offers.
pub const STATUS_CHOICES: [&str; 4] = ["已完成", "推进中", "未启动", "不适用"];
/// Who issues the template when no one else is named.
pub const DEFAULT_OFFICE: &str = "海南省教育厅";
/// The data sheet's name.
pub const SHEET: &str = "进展情况";

const TITLE_ROW: u32 = 0;
const META_ROW: u32 = 1;
const HEADER_ROW: u32 = 2;
/// Column widths in Chinese characters. Their sum sets the print scale, since
/// the sheet is fitted to the page width: 71 characters print at about 90 % on
/// A4 landscape (Excel, or LibreOffice with Calibri's metrics). 完成时间 must hold
/// 2018年12月31日, or it shows ###; 备注 a phone number on the 填报单位 line.
const WIDTHS: [usize; 11] = [2, 14, 5, 5, 5, 4, 7, 12, 6, 6, 5];
/// Room to write in, even beside a one-line task.
const MIN_LINES: usize = 2;
/// Excel's tallest row, in points.
const MAX_ROW_HEIGHT: f64 = 409.0;

/// What a template says about itself beyond the unit and its tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The month the return reports on: in the title, the page header and the file name.
    pub period: Option<Month>,
    /// Who issues the template: in the page header and 填表说明.
    pub office: String,
    /// Returns are due by this day of the month after the period (填表说明).
    pub due_day: u32,
    /// Whom a county asks (`--contact`), named in 填表说明.
    pub contact: Option<String>,
}

impl Options {
    /// Every template page's header: `<office>制`, `title`, and the period.
    fn page_header(&self, sheet: &mut Worksheet, title: &str) {
        style::page_header(
            sheet,
            &format!("{}制", self.office),
            title,
            &self.period.map(Month::chinese).unwrap_or_default(),
        );
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            period: None,
            office: DEFAULT_OFFICE.to_string(),
            due_day: 5,
            contact: None,
        }
    }
}

/// A value in the 完成时间 column: a real date cell, or text as some counties type it.
#[derive(Debug, Clone, PartialEq)]
pub enum DateValue {
    Date(NaiveDate),
    Text(String),
}

/// What a unit writes on one task's row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowFill {
    pub status: String,
    pub date: Option<DateValue>,
    pub narrative: String,
    pub issues: String,
    pub next_steps: String,
    pub remarks: String,
}

/// A filled return: the header line and the rows by task number. Tasks absent
/// from `rows` stay blank; `omit` drops tasks from the sheet altogether.
#[derive(Debug, Clone, Default)]
pub struct Fill {
    pub fill_date: Option<NaiveDate>,
    pub filler: String,
    pub phone: String,
    pub rows: BTreeMap<u32, RowFill>,
    pub omit: Vec<u32>,
    /// Rows appended after the expected ones: a task reported twice, or one the
    /// unit is not expected on.
    pub extra: Vec<(u32, RowFill)>,
}

/// The template's file name: `海口市_进展情况表_2018-07.xlsx`, or without the
/// period when there is none.
pub fn file_name(unit: &str, period: Option<Month>) -> String {
    match period {
        Some(month) => format!("{unit}_进展情况表_{month}.xlsx"),
        None => format!("{unit}_进展情况表.xlsx"),
    }
}

/// The sheet's title: `海口市《规划名》任务进展情况表（2018年7月）`. Without a plan
/// name the 《》 part is left out rather than filled with a placeholder.
pub fn title(catalogue: &Catalogue, unit: &str, period: Option<Month>) -> String {
    let plan = catalogue
        .plan_name
        .as_deref()
        .map(|p| format!("《{p}》"))
        .unwrap_or_default();
    let month = period
        .map(|m| format!("（{}）", m.chinese()))
        .unwrap_or_default();
    format!("{unit}{plan}任务进展情况表{month}")
}

/// Writes the return of `unit` for `tasks` (task numbers) with the default
/// [`Options`] (no period, the default office) and gives its bytes.
///
/// # Errors
/// Only on rust_xlsxwriter's own checks.
pub fn build(
    catalogue: &Catalogue,
    unit: &str,
    tasks: &[u32],
    fill: Option<&Fill>,
) -> Result<Vec<u8>, XlsxError> {
    build_with(catalogue, unit, tasks, fill, &Options::default())
}

/// Writes the return of `unit` for `tasks` (task numbers), titled and headed as
/// `options` say, and gives its bytes.
///
/// # Errors
/// Only on rust_xlsxwriter's own checks.
pub fn build_with(
    catalogue: &Catalogue,
    unit: &str,
    tasks: &[u32],
    fill: Option<&Fill>,
    options: &Options,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let created = fill
        .and_then(|f| f.fill_date)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or_default());
    let title = title(catalogue, unit, options.period);
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&title)
            .set_company(&options.office)
            .set_creation_datetime(&created),
    );
    let sheet = workbook.add_worksheet().set_name(SHEET)?;
    let page = Page {
        title: &title,
        unit,
        options,
    };
    write_return(sheet, catalogue, tasks, fill, &page)?;
    let guide = workbook
        .add_worksheet()
        .set_name(instructions::SHEET_NAME)?;
    instructions::write(
        guide,
        &instructions::Guide {
            unit,
            plan: catalogue.plan_name.as_deref(),
            tasks: tasks.len(),
            file_name: &file_name(unit, options.period),
            options,
        },
    )?;
    workbook.save_to_buffer()
}

/// What the sheet says about itself: its title, unit, period and issuer.
struct Page<'a> {
    title: &'a str,
    unit: &'a str,
    options: &'a Options,
}

/// The formats of the sheet, made once.
struct Formats {
    locked_wrap: Format,
    locked_center: Format,
    open: Format,
    open_center: Format,
    open_date: Format,
    label: Format,
    blank: Format,
}

impl Formats {
    fn new() -> Self {
        let locked = |f: Format| f.set_background_color(style::LOCKED_FILL);
        Self {
            locked_wrap: locked(style::wrapped()),
            locked_center: locked(style::centered().set_text_wrap()),
            open: style::wrapped().set_unlocked(),
            open_center: style::centered().set_text_wrap().set_unlocked(),
            open_date: style::date().set_unlocked(),
            label: style::form_label(),
            blank: style::form_blank(),
        }
    }
}

fn write_return(
    sheet: &mut Worksheet,
    catalogue: &Catalogue,
    tasks: &[u32],
    fill: Option<&Fill>,
    page: &Page,
) -> Result<(), XlsxError> {
    let formats = Formats::new();
    let last_col = (HEADER.len() - 1) as u16;
    sheet.merge_range(
        TITLE_ROW,
        0,
        TITLE_ROW,
        last_col,
        page.title,
        &style::title().set_text_wrap(),
    )?;
    // 16-point characters are 1.6 times as wide as the body's 10-point ones.
    let title_chars = WIDTHS.iter().sum::<usize>() * 10 / 16;
    let title_lines = text_lines(page.title, title_chars);
    sheet.set_row_height(TITLE_ROW, 24.0 * title_lines as f64 + 8.0)?;
    write_meta_line(sheet, fill, page.unit, &formats)?;

    let header = style::header();
    for (c, title) in HEADER.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, *title, &header)?;
        sheet.set_column_width(c as u16, style::cjk_width(WIDTHS[c]))?;
    }
    sheet.set_row_height(HEADER_ROW, 24)?;
    let empty = RowFill::default();
    let mut row = HEADER_ROW + 1;
    let expected = tasks
        .iter()
        .filter(|n| !fill.is_some_and(|f| f.omit.contains(n)))
        .map(|n| (*n, fill.and_then(|f| f.rows.get(n)).unwrap_or(&empty)));
    let extra = fill
        .iter()
        .flat_map(|f| f.extra.iter().map(|(n, v)| (*n, v)));
    for (number, values) in expected.chain(extra) {
        let Some(task) = catalogue.get(number) else {
            continue;
        };
        write_task_row(sheet, row, task, values, &formats)?;
        row += 1;
    }
    let last = row.saturating_sub(1).max(HEADER_ROW + 1);
    write_signature_block(sheet, last + 2, &formats)?;
    add_validations(sheet, last)?;
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.protect_with_options(&ProtectionOptions {
        // Long progress texts need taller rows: resizing stays allowed.
        format_rows: true,
        format_columns: true,
        ..ProtectionOptions::default()
    });
    style::print_fit_width(sheet, Some((HEADER_ROW, HEADER_ROW)))?;
    page.options
        .page_header(sheet, &format!("{}任务进展情况表", page.unit));
    Ok(())
}

/// `填报单位：… 填报日期：… 填报人：… 联系电话：…`: each label in its own cell and
/// its value in the next, as intake reads them.
fn write_meta_line(
    sheet: &mut Worksheet,
    fill: Option<&Fill>,
    unit: &str,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let label = &formats.label;
    let date = formats.blank.clone().set_num_format(style::DATE_FORMAT);
    sheet.write_string_with_format(META_ROW, 1, "填报单位：", label)?;
    sheet.merge_range(META_ROW, 2, META_ROW, 3, unit, &style::form_given())?;
    sheet.write_string_with_format(META_ROW, 4, "填报日期：", label)?;
    sheet.merge_range(META_ROW, 5, META_ROW, 6, "", &date)?;
    if let Some(d) = fill.and_then(|f| f.fill_date) {
        sheet.write_datetime_with_format(META_ROW, 5, d, &date)?;
    }
    sheet.write_string_with_format(META_ROW, 7, "填报人：", label)?;
    let filler = fill.map_or("", |f| f.filler.as_str());
    sheet.write_string_with_format(META_ROW, 8, filler, &formats.blank)?;
    sheet.write_string_with_format(META_ROW, 9, "联系电话：", label)?;
    let phone = fill.map_or("", |f| f.phone.as_str());
    sheet.write_string_with_format(META_ROW, 10, phone, &formats.blank)?;
    sheet.set_row_height(META_ROW, 24)?;
    Ok(())
}

/// One task's row, as tall as its longest text needs: spreadsheet programs do
/// not all grow a row for wrapped text on their own.
fn write_task_row(
    sheet: &mut Worksheet,
    row: u32,
    task: &Task,
    values: &RowFill,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let lead = task.lead.join("、");
    let cooperating = task.cooperating.join("、");
    sheet.write_number_with_format(row, 0, f64::from(task.number), &formats.locked_center)?;
    sheet.write_string_with_format(row, 1, &task.text, &formats.locked_wrap)?;
    sheet.write_string_with_format(row, 2, &lead, &formats.locked_wrap)?;
    sheet.write_string_with_format(row, 3, &cooperating, &formats.locked_wrap)?;
    sheet.write_string_with_format(row, 4, &task.deadline_text, &formats.locked_center)?;
    sheet.write_string_with_format(row, 5, &values.status, &formats.open_center)?;
    let date_text = match &values.date {
        Some(DateValue::Date(d)) => {
            sheet.write_datetime_with_format(row, 6, d, &formats.open_date)?;
            String::new()
        }
        Some(DateValue::Text(t)) => {
            sheet.write_string_with_format(row, 6, t, &formats.open_center)?;
            t.clone()
        }
        None => {
            sheet.write_blank(row, 6, &formats.open_date)?;
            String::new()
        }
    };
    let open_texts = [
        (7, &values.narrative),
        (8, &values.issues),
        (9, &values.next_steps),
        (10, &values.remarks),
    ];
    for (c, text) in open_texts {
        sheet.write_string_with_format(row, c, text, &formats.open)?;
    }
    let texts = [
        (1, task.text.as_str()),
        (2, &lead),
        (3, &cooperating),
        (4, &task.deadline_text),
        (5, &values.status),
        (6, &date_text),
    ]
    .into_iter()
    .chain(open_texts.map(|(c, t)| (c, t.as_str())));
    let lines = texts
        .map(|(c, text)| text_lines(text, WIDTHS[c as usize]))
        .max()
        .unwrap_or(1)
        .max(MIN_LINES);
    let height = (style::FORM_LINE_HEIGHT * lines as f64 + 4.0).min(MAX_ROW_HEIGHT);
    sheet.set_row_height(row, height)?;
    Ok(())
}

/// `填报单位（盖章）：… 审核人：… 填报人：… 联系电话：…` under the table, laid on
/// the columns of the 填报单位 line. Every cell of it is a label or a blank, so
/// intake reads it as a label line, never as a task row.
fn write_signature_block(
    sheet: &mut Worksheet,
    row: u32,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let label = &formats.label;
    let blank = &formats.blank;
    sheet.write_string_with_format(row, 1, "填报单位（盖章）：", label)?;
    sheet.merge_range(row, 2, row, 3, "", blank)?;
    sheet.write_string_with_format(row, 4, "审核人：", label)?;
    sheet.merge_range(row, 5, row, 6, "", blank)?;
    sheet.write_string_with_format(row, 7, "填报人：", label)?;
    sheet.write_blank(row, 8, blank)?;
    sheet.write_string_with_format(row, 9, "联系电话：", label)?;
    sheet.write_blank(row, 10, blank)?;
    // Room for a stamp and a signature.
    sheet.set_row_height(row, 36)?;
    Ok(())
}

/// The drop-down on 完成状态 and the date checks on 完成时间 and 填报日期, each
/// titled with its own column's name.
fn add_validations(sheet: &mut Worksheet, last: u32) -> Result<(), XlsxError> {
    let statuses = DataValidation::new()
        .allow_list_strings(&STATUS_CHOICES)?
        .set_input_title("完成状态")?
        .set_input_message("请从下拉列表中选择；也可填完成比例，如 80%")?
        // A warning, not a stop: the instructions allow a percentage.
        .set_error_style(DataValidationErrorStyle::Warning)
        .set_error_title("完成状态")?
        .set_error_message(
            "请从下拉列表中选择：已完成、推进中、未启动、不适用；或填完成比例，如 80%",
        )?;
    sheet.add_data_validation(HEADER_ROW + 1, 5, last, 5, &statuses)?;
    let first_day = ExcelDateTime::from_ymd(2000, 1, 1)?;
    let last_day = ExcelDateTime::from_ymd(2100, 12, 31)?;
    let date_check = |name: &str, prompt: &str| -> Result<DataValidation, XlsxError> {
        DataValidation::new()
            .allow_date(DataValidationRule::Between(
                first_day.clone(),
                last_day.clone(),
            ))
            .set_input_title(name)?
            .set_input_message(prompt)?
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title(name)?
            .set_error_message("请填写日期，如 2018年7月20日 或 2018-07-20")
    };
    let completion = date_check(
        "完成时间",
        "已完成的任务填写实际完成日期，如 2018年7月20日 或 2018-07-20；未完成的不填",
    )?;
    sheet.add_data_validation(HEADER_ROW + 1, 6, last, 6, &completion)?;
    let filled = date_check("填报日期", "填写本表的填报日期，如 2018年8月3日")?;
    sheet.add_data_validation(META_ROW, 5, META_ROW, 5, &filled)?;
    Ok(())
}
