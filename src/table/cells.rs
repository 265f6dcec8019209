//! Cell values as a person reads them: the text a cell shows, whether it is
//! blank, a date cell's value, and task numbers however a table writes them
//! (`3`, `03`, `第3项`, `三十一`). Both the task table and the returns are read with
//! these; what a return's status and date cells mean is intake's business.

use calamine::Data;

use crate::period::to_half_width;

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

pub fn format_number(f: f64) -> String {
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
    outside_notes(text.chars()).collect()
}

/// The characters outside bracketed notes, lazily: a caller may stop early.
pub fn outside_notes(chars: impl Iterator<Item = char>) -> impl Iterator<Item = char> {
    let mut depth = 0usize;
    chars.filter(move |&c| match c {
        '(' | '[' | '【' => {
            depth += 1;
            false
        }
        ')' | ']' | '】' => {
            depth = depth.saturating_sub(1);
            false
        }
        _ => depth == 0,
    })
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
}
