//! Sheet 填表说明 of a template: numbered instructions in Chinese, on one A4 page.
//!
//! It says which columns to fill, what each 完成状态 word means, how to write a
//! date, what not to change (rows, numbers, header), which lines are required,
//! what to send by when, and whom to ask. Intake ignores the sheet (SPEC §3:
//! other sheets such as 填表说明 are not the data sheet).

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::{Options, STATUS_CHOICES};
use crate::look::style;
use crate::look::table::text_lines;
use crate::period::{Month, chinese_date, returns_due};

pub const SHEET_NAME: &str = "填表说明";

/// Width of the text column, in Chinese characters of the body's size.
const TEXT_CHARS: usize = 40;

/// What the instructions speak of.
pub struct Guide<'a> {
    pub unit: &'a str,
    pub plan: Option<&'a str>,
    /// How many tasks the unit's sheet lists.
    pub tasks: usize,
    /// The name to keep when sending the file back.
    pub file_name: &'a str,
    pub options: &'a Options,
}

/// What each status word of the drop-down means, in [`STATUS_CHOICES`]' order.
const STATUS_MEANINGS: [&str; 4] = [
    "任务已全部完成，须同时填写完成时间；",
    "已经启动、尚未完成，含部分完成、基本完成；",
    "尚未开展工作；",
    "本地没有这项工作，请在备注中说明原因。",
];

/// The instructions as (number, text) lines; a line without a number continues
/// the item above it.
fn lines(guide: &Guide) -> Vec<(Option<usize>, String)> {
    let options = guide.options;
    let office = &options.office;
    let plan = guide.plan.map(|p| format!("《{p}》")).unwrap_or_default();
    let period = options
        .period
        .map(|m| format!("{}的", m.chinese()))
        .unwrap_or_default();
    let until = match options.period.and_then(Month::end) {
        Some(end) => format!("截至{}", chinese_date(end)),
        None => "截至本月底".to_string(),
    };
    let due = match options
        .period
        .and_then(Month::end)
        .and_then(|end| returns_due(end, options.due_day))
    {
        Some(day) => format!("请于{}前", chinese_date(day)),
        None => format!("请于每月{}日前报送上月的进展情况，", options.due_day),
    };
    let mut items: Vec<Vec<String>> = vec![
        vec![format!(
            "本表用于填报{}承担的{plan}任务{period}进展情况，共 {} 项任务，由{office}制发。",
            guide.unit, guide.tasks
        )],
        vec![
            "序号、主要任务、牵头单位、配合单位、完成时限五列（灰底）照录任务分工表，已锁定，不需填写。\
             请勿删除、增加或调换任务行，勿重新编号，勿修改表头（第 3 行）和工作表名称：汇总时按序号和主要任务逐项核对。"
                .to_string(),
        ],
        vec![
            "白底单元格由填报单位填写：每项任务都要填写完成状态和进展情况；完成时间、存在问题、下步计划、备注按需填写。"
                .to_string(),
        ],
    ];
    let mut status = vec!["完成状态从下拉列表中选择一项：".to_string()];
    status.extend(
        STATUS_CHOICES
            .iter()
            .zip(STATUS_MEANINGS)
            .map(|(word, meaning)| format!("　　{word}——{meaning}")),
    );
    status.push(
        "也可填写完成比例，如 80%：100% 按已完成计，0% 按未启动计，其余按推进中计。".to_string(),
    );
    items.push(status);
    items.extend([
        vec![
            "完成时间：已完成的任务填写实际完成日期，写成 2018年7月20日 或 2018-07-20（只知道月份的可写 2018年7月）；未完成的任务不填。"
                .to_string(),
        ],
        vec![format!(
            "进展情况写明{until}的工作进展，可写数量和百分比（如“项目投资完成 80%”）；存在问题、下步计划没有的填“无”。"
        )],
        vec![
            "第 2 行的填报日期、填报人、联系电话必须填写。".to_string(),
        ],
        vec![
            "单元格内换行按 Alt+Enter；文字较多显示不全时，拖动行号下边框可调高行高。"
                .to_string(),
        ],
        vec![format!(
            "{due}报送两份：一是本 Excel 文件（.xlsx），用于汇总，请报送文件本身，文件名保留“{}”，不要另存为其他格式，也不要以 PDF 或图片代替；\
             二是打印的纸质件，在表尾“填报单位（盖章）”处加盖公章、审核人签字后，随 Excel 文件一并报送{office}（可报送纸质件或其扫描件），用于存档。",
            guide.file_name
        )],
        vec![match &options.contact {
            Some(contact) => format!("如有疑问，请联系{office}：{}。", contact.trim()),
            None => format!("如有疑问，请联系{office}。"),
        }],
    ]);
    items
        .into_iter()
        .enumerate()
        .flat_map(|(i, item)| {
            item.into_iter()
                .enumerate()
                .map(move |(j, text)| ((j == 0).then_some(i + 1), text))
        })
        .collect()
}

/// Writes the instructions into `sheet`.
///
/// # Errors
/// Only on rust_xlsxwriter's own checks.
pub fn write(sheet: &mut Worksheet, guide: &Guide) -> Result<(), XlsxError> {
    let note = style::note();
    let number = style::note().set_align(rust_xlsxwriter::FormatAlign::Right);
    sheet.set_column_width(0, style::cjk_width(2))?;
    sheet.set_column_width(1, style::cjk_width(TEXT_CHARS))?;
    sheet.merge_range(0, 0, 0, 1, SHEET_NAME, &style::title())?;
    sheet.set_row_height(0, 36)?;
    let options = guide.options;
    // Text of the note's size takes this many characters of the column.
    let chars = (TEXT_CHARS as f64 * 10.0 / style::NOTE_SIZE) as usize;
    let line_height = style::FORM_LINE_HEIGHT * style::NOTE_SIZE / 10.0;
    for (row, (n, text)) in (1..).zip(lines(guide)) {
        if let Some(n) = n {
            sheet.write_string_with_format(row, 0, format!("{n}."), &number)?;
        }
        sheet.write_string_with_format(row, 1, &text, &note)?;
        let height = line_height * text_lines(&text, chars) as f64 + 4.0;
        sheet.set_row_height(row, height)?;
    }
    style::print_one_page(sheet);
    options.page_header(sheet, &format!("{}任务进展情况表 填表说明", guide.unit));
    Ok(())
}
