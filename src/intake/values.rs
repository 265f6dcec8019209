//! Cell values → typed values: task numbers, statuses, dates, plain text.
//!
//! Every form SPEC §3 lists is read here and nowhere else. What cannot be read is
//! returned as such (`None`, [`Status::Unrecognised`], [`DateCell::Unreadable`])
//! so the caller can record a problem and keep the original text.

use calamine::Data;
use chrono::NaiveDate;

use crate::period::{parse_period_end, to_half_width};

/// The text a person sees in a cell (numbers without a needless `.0`).
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_number(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => match safe_datetime(dt) {
            Some(d) if dt.is_datetime() => d.date().format("%Y-%m-%d").to_string(),
            _ => format_number(dt.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn format_number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A date cell's value as a date and time, `None` outside Excel's calendar
/// (chrono panics on the huge values a corrupt file can hold).
pub fn safe_datetime(dt: &calamine::ExcelDateTime) -> Option<chrono::NaiveDateTime> {
    (0.0..=2_958_465.0)
        .contains(&dt.as_f64())
        .then(|| dt.as_datetime())
        .flatten()
}

/// Whether a cell holds nothing a person wrote (empty or only spaces).
pub fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.chars().all(|c| c.is_whitespace() || c == '\u{3000}'),
        _ => false,
    }
}

/// Reads a task number written as `3`, `3.0`, `03`, `３`, `第3项`, `任务3`, `3.`, `（3）`.
pub fn parse_task_number(text: &str) -> Option<u32> {
    let text: String = text
        .chars()
        .map(to_half_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut s = text.as_str();
    for prefix in [
        "任务序号",
        "任务",
        "序号",
        "第",
        "No.",
        "NO.",
        "no.",
        "No",
        "(",
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
            break;
        }
    }
    let s = s.trim_end_matches(['.', '、', ')', '项', '条', '号']);
    let s = s.strip_suffix(".0").unwrap_or(s);
    if let Some(n) = chinese_number(s) {
        return Some(n);
    }
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|n| *n > 0)
}

/// 一 to 九十九 written in Chinese numerals (`三`, `十二`, `三十一`), as some forms number rows.
fn chinese_number(s: &str) -> Option<u32> {
    let digit = |c: char| {
        "一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|i| i as u32 + 1)
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(10 * digit(*t)?),
        [t, '十', d] => Some(10 * digit(*t)? + digit(*d)?),
        _ => None,
    }
}

/// Reads the task number from a cell: a number, or any text form above.
pub fn task_number_from_cell(cell: &Data) -> Option<u32> {
    match cell {
        Data::Int(i) => u32::try_from(*i).ok().filter(|n| *n > 0),
        Data::Float(f) if f.fract() == 0.0 && *f >= 1.0 && *f < 10_000.0 => Some(*f as u32),
        Data::String(s) => parse_task_number(s),
        _ => None,
    }
}

/// Removes bracketed notes: `完成状态(已完成/推进中)` → `完成状态`, `已完成【备注】` → `已完成`.
/// Expects half-width brackets (see [`to_half_width`]); 【】 are removed too.
pub fn without_notes(text: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | '[' | '【' => depth += 1,
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// What a return says about a task's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Done,
    InProgress,
    NotStarted,
    NotApplicable,
    /// Non-empty text that is none of the words SPEC §3 lists, kept verbatim.
    Unrecognised(String),
    Empty,
}

impl Status {
    /// Reads a status word after trimming spaces, full-width forms and trailing punctuation.
    pub fn parse(raw: &str) -> Self {
        let word: String = raw
            .chars()
            .map(to_half_width)
            .filter(|c| !c.is_whitespace())
            .collect();
        let bare = without_notes(&word);
        // A cell that is only a note (`（待定）`) said something: keep it to verify.
        let bare = if bare.is_empty() { word.clone() } else { bare };
        let word = bare.trim_end_matches(['.', '。', ',', '，', '!', '！', ';', '；', '、']);
        match word {
            "" => Status::Empty,
            "已完成" | "完成" | "已落实" | "已办结" | "全面完成" | "已全部完成" => {
                Status::Done
            }
            "推进中" | "正在推进" | "进行中" | "持续推进" | "正在实施" | "已启动" | "部分完成"
            | "基本完成" => Status::InProgress,
            "未启动" | "未开展" | "尚未启动" | "未开始" => Status::NotStarted,
            "不适用" | "无此项" | "无此任务" => Status::NotApplicable,
            _ => Status::Unrecognised(raw.trim().to_string()),
        }
    }
}

/// A 完成时间 cell, read.
#[derive(Debug, Clone, PartialEq)]
pub enum DateCell {
    Empty,
    Date(NaiveDate),
    /// Something was written but it is not a date; the text is kept.
    Unreadable(String),
}

/// Reads a date from a cell known to hold a date: a date cell, an Excel serial
/// number in a General cell, an ISO string (ODS), or any text form of
/// [`parse_period_end`]. `is_1904` tells how to count a bare serial number.
pub fn date_from_cell(cell: &Data, is_1904: bool) -> DateCell {
    match cell {
        c if is_blank(c) => DateCell::Empty,
        Data::DateTime(dt) => match safe_datetime(dt) {
            Some(d) if in_range(d.date()) => DateCell::Date(d.date()),
            _ => DateCell::Unreadable(cell_text(cell)),
        },
        Data::Float(_) | Data::Int(_) => {
            let serial = match cell {
                Data::Float(f) => *f,
                Data::Int(i) => *i as f64,
                _ => 0.0,
            };
            match serial_to_date(serial, is_1904) {
                Some(d) => DateCell::Date(d),
                // A bare 2018 or 201806 typed into a General cell.
                None => match parse_period_end(&cell_text(cell)) {
                    Some(d) => DateCell::Date(d),
                    None => DateCell::Unreadable(cell_text(cell)),
                },
            }
        }
        Data::DateTimeIso(s) | Data::String(s) => match parse_period_end(s) {
            Some(d) => DateCell::Date(d),
            None => DateCell::Unreadable(s.trim().to_string()),
        },
        _ => DateCell::Unreadable(cell_text(cell)),
    }
}

/// An Excel serial day number → date, only within the plan's plausible years.
pub fn serial_to_date(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() || serial < 1.0 {
        return None;
    }
    let base = if is_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else {
        // Excel counts 1900-02-29, a day that never was: serials from 61 on are one ahead.
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    let date = base.checked_add_days(chrono::Days::new(serial.floor() as u64))?;
    in_range(date).then_some(date)
}

fn in_range(d: NaiveDate) -> bool {
    use chrono::Datelike;
    (1990..=2100).contains(&d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_number_forms() {
        let cases = [
            ("3", Some(3)),
            ("03", Some(3)),
            ("３", Some(3)),
            ("第3项", Some(3)),
            ("任务3", Some(3)),
            ("3.", Some(3)),
            ("3.0", Some(3)),
            (" 12 ", Some(12)),
            ("（5）", Some(5)),
            ("第12条", Some(12)),
            ("任务序号7", Some(7)),
            ("", None),
            ("0", None),
            ("3-1", None),
            ("合计", None),
            ("12345", None),
            ("3.5", None),
            ("三", Some(3)),
            ("第十二项", Some(12)),
            ("三十一", Some(31)),
            ("（二十）", Some(20)),
            ("十", Some(10)),
            ("百", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_task_number(text), want, "task number {text:?}");
        }
        assert_eq!(task_number_from_cell(&Data::Float(3.0)), Some(3));
        assert_eq!(task_number_from_cell(&Data::Int(31)), Some(31));
        assert_eq!(task_number_from_cell(&Data::Float(3.5)), None);
        assert_eq!(task_number_from_cell(&Data::Float(-1.0)), None);
    }

    #[test]
    fn status_words() {
        use Status::*;
        let cases = [
            ("已完成", Done),
            ("完成", Done),
            ("已落实", Done),
            ("已办结", Done),
            ("全面完成", Done),
            ("已全部完成", Done),
            (" 已完成。", Done),
            ("已完成！", Done),
            ("已 完成", Done),
            ("推进中", InProgress),
            ("正在推进", InProgress),
            ("进行中", InProgress),
            ("持续推进", InProgress),
            ("正在实施", InProgress),
            ("已启动", InProgress),
            ("部分完成", InProgress),
            ("基本完成", InProgress),
            ("未启动", NotStarted),
            ("未开展", NotStarted),
            ("尚未启动", NotStarted),
            ("未开始", NotStarted),
            ("不适用", NotApplicable),
            ("无此项", NotApplicable),
            ("无此任务", NotApplicable),
            ("", Empty),
            ("  ", Empty),
            ("\u{3000}", Empty),
        ];
        for (text, want) in cases {
            assert_eq!(Status::parse(text), want, "status {text:?}");
        }
        assert_eq!(
            Status::parse(" 大部分完成 "),
            Unrecognised("大部分完成".into())
        );
        assert_eq!(
            Status::parse("已完成（100%）"),
            Done,
            "a bracketed note is not part of the word"
        );
        assert_eq!(Status::parse("推进中【见附件】"), InProgress);
        assert_eq!(
            Status::parse("（待定）"),
            Unrecognised("（待定）".into()),
            "only a note: kept to verify"
        );
    }

    #[test]
    fn dates_from_cells() {
        let d = |y, m, day| DateCell::Date(NaiveDate::from_ymd_opt(y, m, day).expect("date"));
        assert_eq!(date_from_cell(&Data::Float(43281.0), false), d(2018, 6, 30));
        assert_eq!(date_from_cell(&Data::Int(43281), false), d(2018, 6, 30));
        assert_eq!(date_from_cell(&Data::Float(41819.0), true), d(2018, 6, 30));
        assert_eq!(
            date_from_cell(&Data::String("2018年6月".into()), false),
            d(2018, 6, 30)
        );
        assert_eq!(
            date_from_cell(&Data::DateTimeIso("2018-06-30T00:00:00".into()), false),
            d(2018, 6, 30)
        );
        assert_eq!(date_from_cell(&Data::Int(2018), false), d(2018, 12, 31));
        assert_eq!(
            date_from_cell(&Data::String(" ".into()), false),
            DateCell::Empty
        );
        assert_eq!(
            date_from_cell(&Data::String("待定".into()), false),
            DateCell::Unreadable("待定".into())
        );
        assert_eq!(
            date_from_cell(&Data::Float(-3.0), false),
            DateCell::Unreadable("-3".into())
        );
    }
}
