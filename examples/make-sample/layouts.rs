//! The drifting layouts of the sample: returns that do not follow the template.

use anyhow::Result;
use county_returns::catalogue::Catalogue;
use county_returns::template::{DateValue, Fill};
use rust_xlsxwriter::{DocProperties, Format, FormatAlign, Workbook};

/// A workbook whose document date is fixed, so the sample's bytes do not change.
fn fixed_workbook(fill: &Fill) -> Workbook {
    let mut workbook = Workbook::new();
    let date = fill.fill_date.unwrap_or_default();
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&date));
    workbook
}

/// Status words as some counties write them.
fn reworded(status: &str) -> &str {
    match status {
        "已完成" => "已全部完成",
        "推进中" => "正在推进",
        "未启动" => "尚未启动",
        "不适用" => "无此项",
        other => other,
    }
}

/// Title and notes, a two-row header with a merged 完成情况 parent, columns in
/// another order (进展情况 before the status), dates as text.
pub fn two_row_header(
    catalogue: &Catalogue,
    unit: &str,
    tasks: &[u32],
    fill: &Fill,
) -> Result<Vec<u8>> {
    let mut workbook = fixed_workbook(fill);
    let sheet = workbook.add_worksheet().set_name("2018年工作进展")?;
    let center = Format::new().set_align(FormatAlign::Center).set_text_wrap();
    sheet.write_string(0, 0, format!("{unit}消除义务教育大班额工作推进情况统计表"))?;
    sheet.write_string(1, 0, "说明：请各责任单位如实填写，每月5日前报送。")?;
    let date = fill
        .fill_date
        .map(|d| d.format("%Y年%-m月%-d日").to_string())
        .unwrap_or_default();
    sheet.write_string(
        2,
        0,
        format!(
            "填报单位：{unit}教育局　　填报日期：{date}　　填报人：{}　　联系电话：{}",
            fill.filler, fill.phone
        ),
    )?;
    for (c, title) in [
        (0, "编号"),
        (1, "工作任务"),
        (2, "完成时限"),
        (3, "工作进展"),
        (6, "存在问题"),
        (7, "备注"),
    ] {
        sheet.merge_range(3, c, 4, c, title, &center)?;
    }
    sheet.merge_range(3, 4, 3, 5, "完成情况", &center)?;
    sheet.write_string_with_format(4, 4, "完成状态", &center)?;
    sheet.write_string_with_format(4, 5, "完成时间", &center)?;
    let mut row = 5;
    for task in tasks.iter().filter_map(|n| catalogue.get(*n)) {
        if fill.omit.contains(&task.number) {
            continue;
        }
        let values = fill.rows.get(&task.number).cloned().unwrap_or_default();
        sheet.write_string(row, 0, format!("{}", task.number))?;
        sheet.write_string(row, 1, &task.text)?;
        sheet.write_string(row, 2, &task.deadline_text)?;
        sheet.write_string(row, 3, &values.narrative)?;
        sheet.write_string(row, 4, reworded(&values.status))?;
        if let Some(DateValue::Date(d)) = &values.date {
            sheet.write_string(row, 5, d.format("%Y年%-m月%-d日").to_string())?;
        }
        sheet.write_string(row, 6, &values.issues)?;
        row += 1;
    }
    sheet.write_string(row + 1, 0, "审核人：　　　　　　单位负责人：")?;
    Ok(workbook.save_to_buffer()?)
}

/// A bare table on Sheet1: no title, no 填报单位 line; task numbers as text `第N项`.
pub fn name_only(catalogue: &Catalogue, tasks: &[u32], fill: &Fill) -> Result<Vec<u8>> {
    let mut workbook = fixed_workbook(fill);
    let sheet = workbook.add_worksheet().set_name("Sheet1")?;
    let date_format = Format::new().set_num_format("yyyy/m/d");
    for (c, title) in [
        "序号",
        "主要任务",
        "完成状态",
        "完成时间",
        "进展情况",
        "存在问题",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *title)?;
    }
    let mut row = 1;
    for task in tasks.iter().filter_map(|n| catalogue.get(*n)) {
        if fill.omit.contains(&task.number) {
            continue;
        }
        let values = fill.rows.get(&task.number).cloned().unwrap_or_default();
        sheet.write_string(row, 0, format!("第{}项", task.number))?;
        sheet.write_string(row, 1, short_text(&task.text))?;
        sheet.write_string(row, 2, &values.status)?;
        if let Some(DateValue::Date(d)) = &values.date {
            sheet.write_datetime_with_format(row, 3, d, &date_format)?;
        }
        sheet.write_string(row, 4, &values.narrative)?;
        sheet.write_string(row, 5, &values.issues)?;
        row += 1;
    }
    Ok(workbook.save_to_buffer()?)
}

/// A task's text cut to its first clause and 18 characters, as a county that
/// abbreviates the task list writes it.
fn short_text(text: &str) -> String {
    const MAX: usize = 18;
    let clause: String = text
        .chars()
        .take_while(|c| !matches!(c, '。' | '，' | ',' | '；' | ';' | '：'))
        .collect();
    let clause = if clause.is_empty() { text } else { &clause };
    if clause.chars().count() > MAX {
        let mut cut: String = clause.chars().take(MAX).collect();
        cut.push('…');
        cut
    } else {
        clause.to_string()
    }
}
