//! `check --annotate`: the county's return with every problem cell coloured and a
//! note on it saying what is wrong and what to do, plus a sheet 问题清单 listing
//! all problems, for the county to fix and send again.
//!
//! An .xlsx or .xlsm is marked in place ([`original`]): it stays the county's own
//! file, its merges, widths, print setup, frozen panes, drop-downs and other sheets
//! as they were, and the copy is read back to prove every sheet still holds what it
//! held. Other formats, and an .xlsx that cannot be marked faithfully, get a new
//! workbook laid out like the county's sheet ([`rebuilt`]), and 问题清单 says so.
//! [`marks`] decides which cell gets which fill and note, [`list`] what 问题清单
//! holds; both copies share them. [`restore`] puts back what the library drops.
//!
//! The return itself is never touched; the copy is written elsewhere by the caller.

mod list;
mod marks;
mod original;
mod rebuilt;
mod restore;

use chrono::NaiveDate;
use rust_xlsxwriter::XlsxError;

use crate::period::Month;
use crate::problem::Problem;
use crate::table::grid::Sheet;
use crate::table::workbook::{Format, Limits, Workbook};

/// Whose return, which period, as of when: what 问题清单 opens with, so a
/// printed list says what it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// The unit the return was taken for, when known.
    pub unit: Option<String>,
    pub month: Month,
    pub as_of: NaiveDate,
}

/// Builds the annotated copy from the return's bytes. `sheet` is the return's data
/// sheet, or `None` when the file could not be read (the copy then holds only the
/// list of problems).
///
/// # Errors
/// Only on rust_xlsxwriter's own checks, when the copy has to be rebuilt.
pub fn build(
    bytes: Option<Vec<u8>>,
    sheet: Option<&str>,
    problems: &[&Problem],
    heading: &Heading,
    limits: Limits,
) -> Result<Vec<u8>, XlsxError> {
    let mut source = match (bytes, sheet) {
        (Some(bytes), Some(name)) => Source::read(bytes, name, limits),
        _ => None,
    };
    let notice = match &mut source {
        Some(source) if source.workbook.format == Format::Xlsx => {
            match original::annotate(source, problems, heading, limits) {
                Ok(copy) => return Ok(copy),
                Err(why) => Some(not_kept_notice(&why)),
            }
        }
        Some(source) => Some(other_format_notice(source.workbook.format)),
        None => None,
    };
    rebuilt::build(
        source.as_ref().map(|s| &s.sheet),
        problems,
        heading,
        notice.as_deref(),
    )
}

/// The return as read: its bytes, its workbook and its data sheet.
struct Source {
    original: Vec<u8>,
    workbook: Workbook,
    sheet: Sheet,
}

impl Source {
    /// Opens the return within `limits` (what marking it in place will hold in
    /// memory is bounded by what reading it may cost) and reads its data sheet.
    fn read(bytes: Vec<u8>, name: &str, limits: Limits) -> Option<Self> {
        crate::table::guard::quietly(|| {
            let mut workbook = Workbook::open(bytes.clone(), limits).ok()?;
            let hidden = workbook
                .worksheet_names()
                .iter()
                .any(|(n, h)| n == name && *h);
            let sheet = workbook.read_sheet(name, hidden).ok()?;
            Some(Self {
                original: bytes,
                workbook,
                sheet,
            })
        })
        .ok()
        .flatten()
    }
}

/// 问题清单's first line when an .xlsx could not be marked in place.
fn not_kept_notice(why: &original::NotKept) -> String {
    format!(
        "未能在原文件上直接标注（{why}），本副本按读到的单元格重新排版：\
         内容与原文件相同，字体、边框等格式未保留"
    )
}

/// 问题清单's first line for a format that cannot be marked in place.
fn other_format_notice(format: Format) -> String {
    format!(
        "原文件是{}，无法在原文件上直接标注，本副本按读到的单元格重新排版：\
         内容与原文件相同，字体、边框等格式未保留",
        kind(format)
    )
}

/// What a file is, as 问题清单 names it.
fn kind(format: Format) -> &'static str {
    match format {
        Format::Xlsx => " Excel 工作簿（.xlsx）",
        Format::Xlsb => " Excel 二进制工作簿（.xlsb）",
        Format::Xls => " Excel 97-2003 工作簿（.xls）",
        Format::Ods => " OpenDocument 表格（.ods）",
        Format::Html => "网页（HTML）",
        Format::Csv => "文本表格（CSV）",
        Format::SpreadsheetMl => " Excel 2003 XML 表格",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Severity;

    /// Every notice the copy can carry, word for word (see `crate::messages`).
    #[test]
    fn notices_read_word_for_word() {
        use original::NotKept;
        const REST: &str = "本副本按读到的单元格重新排版：内容与原文件相同，字体、边框等格式未保留";
        let kept = [
            (NotKept::Panicked, "读取库处理该文件时中断"),
            (NotKept::Refused, "读取库无法改写该文件"),
            (NotKept::Unreadable, "改写后的文件无法读回"),
            (NotKept::SheetsChanged, "改写后工作表的数目与原文件不一致"),
            (
                NotKept::Changed("进展情况".into()),
                "改写后工作表“进展情况”的内容与原文件不一致",
            ),
        ];
        for (why, text) in kept {
            assert_eq!(
                not_kept_notice(&why),
                format!("未能在原文件上直接标注（{text}），{REST}")
            );
        }
        let formats = [
            (Format::Xlsx, "原文件是 Excel 工作簿（.xlsx）"),
            (Format::Xlsb, "原文件是 Excel 二进制工作簿（.xlsb）"),
            (Format::Xls, "原文件是 Excel 97-2003 工作簿（.xls）"),
            (Format::Ods, "原文件是 OpenDocument 表格（.ods）"),
            (Format::Html, "原文件是网页（HTML）"),
            (Format::Csv, "原文件是文本表格（CSV）"),
            (Format::SpreadsheetMl, "原文件是 Excel 2003 XML 表格"),
        ];
        for (format, start) in formats {
            assert_eq!(
                other_format_notice(format),
                format!("{start}，无法在原文件上直接标注，{REST}")
            );
        }
    }

    #[test]
    fn an_unreadable_file_still_gets_its_problem_list() {
        let problem = Problem::file(Severity::Error, "x.xlsx", "文件为空", "请重新导出");
        let heading = Heading {
            unit: None,
            month: Month {
                year: 2018,
                month: 7,
            },
            as_of: NaiveDate::from_ymd_opt(2018, 7, 31).expect("date"),
        };
        let bytes = build(None, None, &[&problem], &heading, Limits::default()).expect("build");
        assert!(bytes.starts_with(b"PK"));
    }
}
