//! The blank return a unit fills in (SPEC §3), optionally pre-filled.
//!
//! One sheet 进展情况: title, the 填报单位 line, the header, one row per expected
//! task. The catalogue columns are locked (sheet protection without a password),
//! the input columns unlocked; 完成状态 has a drop-down and 完成时间 a date check.
//! [`Fill`] lets tests and the sample generator write a filled return through the
//! very same layout.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime,
    Workbook, XlsxError,
};

use crate::catalogue::Catalogue;
use crate::report::style;

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
const HEADER_ROW: u32 = 2;
const WIDTHS: [usize; 11] = [3, 24, 8, 8, 5, 5, 6, 24, 12, 12, 6];

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

/// Writes the return of `unit` for `tasks` (task numbers) and gives its bytes.
///
/// # Errors
/// Only on rust_xlsxwriter's own checks.
pub fn build(
    catalogue: &Catalogue,
    unit: &str,
    tasks: &[u32],
    fill: Option<&Fill>,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let created = fill
        .and_then(|f| f.fill_date)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or_default());
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = workbook.add_worksheet().set_name("进展情况")?;

    let locked_wrap = style::wrapped().set_background_color(style::LOCKED_FILL);
    let locked_center = style::centered().set_background_color(style::LOCKED_FILL);
    let open = style::wrapped().set_unlocked();
    let open_center = style::centered().set_unlocked();
    let open_date = style::date().set_unlocked();
    let label = style::subtitle().set_align(rust_xlsxwriter::FormatAlign::Right);
    let label_value = style::subtitle()
        .set_unlocked()
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);

    let plan = catalogue.plan_name.as_deref().unwrap_or("任务");
    sheet.merge_range(
        0,
        0,
        0,
        10,
        &format!("《{plan}》任务进展情况表"),
        &style::title(),
    )?;
    sheet.set_row_height(0, 32)?;
    sheet.write_string_with_format(1, 0, "填报单位：", &label)?;
    sheet.merge_range(1, 1, 1, 2, unit, &style::subtitle().set_bold())?;
    sheet.write_string_with_format(1, 4, "填报日期：", &label)?;
    match fill.and_then(|f| f.fill_date) {
        Some(d) => sheet.write_datetime_with_format(
            1,
            5,
            d,
            &label_value.clone().set_num_format("yyyy-mm-dd"),
        )?,
        None => sheet.write_blank(1, 5, &label_value.clone().set_num_format("yyyy-mm-dd"))?,
    };
    sheet.write_string_with_format(1, 6, "填报人：", &label)?;
    sheet.write_string_with_format(1, 7, fill.map_or("", |f| f.filler.as_str()), &label_value)?;
    sheet.write_string_with_format(1, 8, "联系电话：", &label)?;
    sheet.merge_range(
        1,
        9,
        1,
        10,
        fill.map_or("", |f| f.phone.as_str()),
        &label_value,
    )?;

    let header = style::header();
    for (c, title) in HEADER.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, *title, &header)?;
        sheet.set_column_width(c as u16, style::cjk_width(WIDTHS[c]))?;
    }
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
        sheet.write_number_with_format(row, 0, f64::from(task.number), &locked_center)?;
        sheet.write_string_with_format(row, 1, &task.text, &locked_wrap)?;
        sheet.write_string_with_format(row, 2, task.lead.join("、"), &locked_wrap)?;
        sheet.write_string_with_format(row, 3, task.cooperating.join("、"), &locked_wrap)?;
        sheet.write_string_with_format(row, 4, &task.deadline_text, &locked_center)?;
        sheet.write_string_with_format(row, 5, &values.status, &open_center)?;
        match &values.date {
            Some(DateValue::Date(d)) => sheet.write_datetime_with_format(row, 6, d, &open_date)?,
            Some(DateValue::Text(t)) => sheet.write_string_with_format(row, 6, t, &open_center)?,
            None => sheet.write_blank(row, 6, &open_date)?,
        };
        for (c, text) in [
            (7, &values.narrative),
            (8, &values.issues),
            (9, &values.next_steps),
            (10, &values.remarks),
        ] {
            sheet.write_string_with_format(row, c, text, &open)?;
        }
        row += 1;
    }
    let last = row.saturating_sub(1).max(HEADER_ROW + 1);
    let statuses = DataValidation::new()
        .allow_list_strings(&STATUS_CHOICES)?
        .set_error_title("完成状态")?
        .set_error_message("请从下拉列表中选择：已完成、推进中、未启动、不适用")?;
    sheet.add_data_validation(HEADER_ROW + 1, 5, last, 5, &statuses)?;
    let first_day = ExcelDateTime::from_ymd(2000, 1, 1)?;
    let last_day = ExcelDateTime::from_ymd(2100, 12, 31)?;
    let dates = DataValidation::new()
        .allow_date(DataValidationRule::Between(first_day, last_day))
        .set_error_style(DataValidationErrorStyle::Warning)
        .set_error_title("完成时间")?
        .set_error_message("请填写日期，如 2018-06-30")?;
    sheet.add_data_validation(HEADER_ROW + 1, 6, last, 6, &dates)?;
    sheet.add_data_validation(1, 5, 1, 5, &dates)?;
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.protect();
    let page = style::Page {
        title: format!("{unit}进展情况表"),
        as_of: String::new(),
        office: String::new(),
    };
    style::print_setup(sheet, Some((HEADER_ROW, HEADER_ROW)), &page)?;
    workbook.save_to_buffer()
}
