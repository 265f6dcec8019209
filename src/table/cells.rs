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

/// The task a sub-row's number belongs to: `5-1`, `5－1`, `5—1`, `5_1`, `5.1`,
/// `5.1.2`, `5（1）`, `5(1)`, `5-(1)`, `5①`, `五（一）`, `第5项（1）`, a number cell
/// 5.1, or a date cell Excel made of a typed `5-1` (May 1st: its month). `None`
/// for a plain task number (`5`, `5.0`, `（5）`) or anything else.
pub fn sub_number_from_cell(cell: &Data) -> Option<u32> {
    match cell {
        Data::Float(f) if f.is_finite() && f.fract() != 0.0 && *f >= 1.0 && *f < 10_000.0 => {
            Some(f.trunc() as u32)
        }
        Data::String(s) => parse_sub_number(s),
        // Excel turns a typed `5-1` or `5/1` into the date May 1st.
        Data::DateTime(dt) if dt.is_datetime() => {
            safe_datetime(dt).map(|d| chrono::Datelike::month(&d.date()))
        }
        Data::DateTimeIso(s) => s
            .get(5..7)
            .and_then(|m| m.parse::<u32>().ok())
            .filter(|m| (1..=12).contains(m) && s.get(4..5) == Some("-")),
        _ => None,
    }
}

/// Reads a sub-row's number written as text (see [`sub_number_from_cell`]).
pub fn parse_sub_number(text: &str) -> Option<u32> {
    let text: String = text
        .chars()
        .map(to_half_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut s = text.as_str();
    for prefix in ["任务", "序号", "第"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
            break;
        }
    }
    let chars: Vec<char> = s.chars().collect();
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let (parent, rest) = if digits > 0 {
        let number: String = chars[..digits].iter().collect();
        (number.parse::<u32>().ok()?, &chars[digits..])
    } else {
        let numerals = chars
            .iter()
            .take_while(|c| "一二三四五六七八九十".contains(**c))
            .count();
        let number: String = chars[..numerals].iter().collect();
        (chinese_number(&number)?, &chars[numerals..])
    };
    let rest = match rest {
        ['项' | '条', rest @ ..] => rest,
        rest => rest,
    };
    // What follows the parent: separators, brackets and at least one sub index (not 0).
    let separators = "-—–_.、·/()";
    let has_index = rest.iter().any(|c| {
        matches!(c, '1'..='9') || circled(*c).is_some() || "一二三四五六七八九十".contains(*c)
    });
    let only_index = rest.iter().all(|c| {
        c.is_ascii_digit()
            || separators.contains(*c)
            || circled(*c).is_some()
            || "一二三四五六七八九十".contains(*c)
    });
    let starts_sub = rest
        .first()
        .is_some_and(|c| separators.contains(*c) || circled(*c).is_some());
    (parent > 0 && has_index && only_index && starts_sub && !is_zero_fraction(rest))
        .then_some(parent)
}

/// `.0`, `.00`: a whole number written with a fraction, not a sub-row.
fn is_zero_fraction(rest: &[char]) -> bool {
    matches!(rest, ['.', zeros @ ..] if !zeros.is_empty() && zeros.iter().all(|c| *c == '0'))
}

/// A sub-row's marker standing alone in the number column: `(1)`, `（2）`, `1)`,
/// `①`, `(一)`: its index. Whether it marks a sub-row or a task numbered in
/// brackets is the reader's to decide, by the rows around it.
pub fn sub_marker(cell: &Data) -> Option<u32> {
    let Data::String(s) = cell else { return None };
    let text: String = s
        .chars()
        .map(to_half_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    if let [c] = text.chars().collect::<Vec<_>>().as_slice() {
        return circled(*c);
    }
    let inner = text.strip_prefix('(').unwrap_or(&text);
    if inner.len() == text.len() && !text.ends_with(')') {
        return None;
    }
    let inner = inner.strip_suffix(')')?;
    if inner.is_empty() {
        return None;
    }
    if inner.bytes().all(|b| b.is_ascii_digit()) && inner.len() <= 2 {
        return inner.parse().ok().filter(|n| *n > 0);
    }
    chinese_number(inner)
}

/// ① to ⑳ → 1 to 20.
fn circled(c: char) -> Option<u32> {
    ('\u{2460}'..='\u{2473}')
        .contains(&c)
        .then(|| c as u32 - 0x2460 + 1)
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

    #[test]
    fn sub_row_number_forms() {
        let cases = [
            ("5-1", Some(5)),
            ("5－2", Some(5)),
            ("5—1", Some(5)),
            ("5_1", Some(5)),
            ("5.1", Some(5)),
            ("5.1.2", Some(5)),
            ("5（1）", Some(5)),
            ("5(1)", Some(5)),
            ("5 (1)", Some(5)),
            ("5-(1)", Some(5)),
            ("5①", Some(5)),
            ("五（一）", Some(5)),
            ("第5项（1）", Some(5)),
            ("12-3", Some(12)),
            ("5", None),
            ("5.", None),
            ("5.0", None),
            ("（5）", None),
            ("第5项", None),
            ("合计", None),
            ("5-", None),
            ("5-a", None),
            ("0-1", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_sub_number(text), want, "sub number {text:?}");
        }
        assert_eq!(sub_number_from_cell(&Data::Float(5.1)), Some(5));
        assert_eq!(sub_number_from_cell(&Data::Float(5.0)), None);
        assert_eq!(sub_number_from_cell(&Data::Int(5)), None);
        assert_eq!(
            sub_number_from_cell(&Data::DateTimeIso("2019-05-01T00:00:00".into())),
            Some(5),
            "a typed 5-1 that became May 1st"
        );
        let markers = [
            ("(1)", Some(1)),
            ("（2）", Some(2)),
            ("3)", Some(3)),
            ("①", Some(1)),
            ("⑫", Some(12)),
            ("(一)", Some(1)),
            ("1", None),
            ("()", None),
            ("(1", None),
        ];
        for (text, want) in markers {
            assert_eq!(
                sub_marker(&Data::String(text.into())),
                want,
                "marker {text:?}"
            );
        }
    }
}
