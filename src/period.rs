//! Chinese period text → calendar date.
//!
//! One parser serves deadlines (`2017年7月底`, `2020年`) and completion dates
//! (`2018/6/30`, `2018年6月`, `2018.6`). A period names a span; the date returned
//! is the span's last day, because a deadline is inclusive. Excel serial numbers and
//! date cells are turned into dates by intake; this module only reads text.

use chrono::{Datelike, NaiveDate};

/// Years outside this window are typing mistakes, not dates of this plan.
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// Parses a period or date written as text and returns its last day.
///
/// Accepts `2018-06-30`, `2018/6/30`, `2018.6.30`, `2018年6月30日`, `2018年6月`,
/// `2018年6月底`, `2018.6`, `2018-06`, `2018年底`, `2018年`, `2018`, full-width
/// digits, and a trailing time (`2018-06-30 00:00:00`). Returns `None` for
/// anything else, including impossible dates such as `2018-02-30`.
pub fn parse_period_end(text: &str) -> Option<NaiveDate> {
    let text: String = text.chars().map(to_half_width).collect();
    let text = text.trim();
    // A trailing time of day, as text exports of date cells carry.
    let text = match text.split_once([' ', 'T']) {
        Some((date, time)) if looks_like_time(time) => date,
        _ => text,
    };
    let mut numbers: Vec<u32> = Vec::with_capacity(3);
    let mut current: Option<u32> = None;
    let mut rest = text.chars().peekable();
    while let Some(c) = rest.next() {
        if let Some(d) = c.to_digit(10) {
            let value = current.unwrap_or(0).checked_mul(10)?.checked_add(d)?;
            current = Some(value);
            continue;
        }
        if let Some(n) = current.take() {
            numbers.push(n);
        }
        match c {
            '-' | '/' | '.' | '年' | '月' | '日' | '号' => {
                if numbers.is_empty() {
                    return None;
                }
            }
            '底' | '末' => {
                // Only at the very end: "2018年底", "2017年7月底".
                if rest.peek().is_some() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    if let Some(n) = current {
        numbers.push(n);
    }
    match numbers.as_slice() {
        [y] => year_end(*y),
        [y, m] => month_end(*y, *m),
        [y, m, d] => {
            let y = year(*y)?;
            NaiveDate::from_ymd_opt(y, *m, *d)
        }
        _ => None,
    }
}

/// Reads a date as counties write it, beyond [`parse_period_end`]'s forms: a
/// two-digit year (`18年7月20日`), and a month without a year (`7月20日`, `7月底`,
/// `7月`), which is taken in `as_of`'s year, or the year before when that would
/// fall after `as_of` (a return filed in January speaks of December).
pub fn parse_loose_date(text: &str, as_of: NaiveDate) -> Option<NaiveDate> {
    if let Some(date) = parse_period_end(text) {
        return Some(date);
    }
    let text: String = text
        .chars()
        .map(to_half_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let rest = &text[digits..];
    if digits == 2 && rest.starts_with('年') {
        return parse_period_end(&format!("20{text}"));
    }
    if !(1..=2).contains(&digits) || !rest.starts_with('月') {
        return None;
    }
    // `7月…` with no year: read it as this year's, then step back a year if need be.
    if let Some(date) = parse_period_end(&format!("{}年{text}", as_of.year()))
        && date <= as_of
    {
        return Some(date);
    }
    parse_period_end(&format!("{}年{text}", as_of.year() - 1))
}

/// Whether a date falls in the years a date of this plan can have.
pub fn in_plan_years(date: NaiveDate) -> bool {
    YEARS.contains(&date.year())
}

fn year(y: u32) -> Option<i32> {
    let y = i32::try_from(y).ok()?;
    YEARS.contains(&y).then_some(y)
}

fn year_end(y: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year(y)?, 12, 31)
}

/// The last day of month `m` of year `y`.
pub fn month_end(y: u32, m: u32) -> Option<NaiveDate> {
    let y = year(y)?;
    if !(1..=12).contains(&m) {
        return None;
    }
    let first_of_next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)?
    };
    first_of_next.pred_opt()
}

/// The day returns for the period ending `as_of` are due: day `due_day` of the next
/// month (the month's last day when it has fewer days).
pub fn returns_due(as_of: NaiveDate, due_day: u32) -> Option<NaiveDate> {
    let next_month = as_of.checked_add_months(chrono::Months::new(1))?;
    let last = month_end(next_month.year() as u32, next_month.month())?;
    next_month.with_day(due_day.clamp(1, last.day()))
}

/// A date as the office writes it: `2018年7月31日`.
pub fn chinese_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    // What `%Y年%-m月%-d日` writes, without parsing the pattern for each of a
    // national 明细's hundred thousand dates.
    match date.year() {
        year @ 0..=9999 => format!("{year:04}年{}月{}日", date.month(), date.day()),
        _ => date.format("%Y年%-m月%-d日").to_string(),
    }
}

/// `2018-07-31`, as `%Y-%m-%d` writes it (see [`chinese_date`]).
pub fn iso_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    match date.year() {
        year @ 0..=9999 => format!("{year:04}-{:02}-{:02}", date.month(), date.day()),
        _ => date.format("%Y-%m-%d").to_string(),
    }
}

/// A reporting period: one month. Ordered in time, named `2018-07` in folder and
/// file names and `2018年7月` where people read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// The `YYYY-MM` subfolders of `dir`, oldest first: the period folders of an
    /// input root.
    ///
    /// # Errors
    /// When `dir` cannot be listed.
    pub fn folders_in(dir: &std::path::Path) -> std::io::Result<Vec<(Month, std::path::PathBuf)>> {
        let mut found: Vec<(Month, std::path::PathBuf)> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .filter_map(|e| Some((Month::parse(e.file_name().to_str()?)?, e.path())))
            .collect();
        found.sort();
        Ok(found)
    }

    /// The month holding `date`.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Reads a period folder's name, `YYYY-MM` exactly.
    pub fn parse(name: &str) -> Option<Self> {
        let (y, m) = name.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let month = Self {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
        };
        month.end().map(|_| month)
    }

    /// Its last day, the as-of date of a run on it.
    pub fn end(self) -> Option<NaiveDate> {
        month_end(u32::try_from(self.year).ok()?, self.month)
    }

    /// The month before.
    pub fn previous(self) -> Self {
        match self.month {
            1 => Self {
                year: self.year - 1,
                month: 12,
            },
            m => Self {
                year: self.year,
                month: m - 1,
            },
        }
    }

    /// The month after.
    pub fn next(self) -> Self {
        match self.month {
            12 => Self {
                year: self.year + 1,
                month: 1,
            },
            m => Self {
                year: self.year,
                month: m + 1,
            },
        }
    }

    /// `2018年7月`, as titles and lists write it.
    pub fn chinese(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

impl std::fmt::Display for Month {
    /// `2018-07`, as folder and file names write it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Reads a folder name such as `2018-06` as a reporting period: its last day.
pub fn period_folder_end(name: &str) -> Option<NaiveDate> {
    Month::parse(name)?.end()
}

fn looks_like_time(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == ':' || c == '.')
}

/// A month a title, a file name or a sheet name names: the year when written, and the month.
pub type MonthName = (Option<i32>, u32);

/// The month a title, a file name or a sheet name names: `2018年6月`, `2018-06`,
/// `2018.6`, `201806`, `6月份`, `6月`, `三月`, `十二月份`, `元月`, `二〇一八年六月`. A
/// full date (`2018-07-03`, `7月3日`, `三月五日`) is a day, not the month a return is for.
pub fn month_named(text: &str) -> Option<MonthName> {
    let chars = with_arabic_numerals(text);
    let run_end = |from: usize| {
        (from..chars.len())
            .find(|&j| !chars[j].is_ascii_digit())
            .unwrap_or(chars.len())
    };
    let value = |from: usize, to: usize| -> u32 {
        chars[from..to]
            .iter()
            .filter_map(|c| c.to_digit(10))
            .fold(0u32, |n, d| n.saturating_mul(10).saturating_add(d))
    };
    // `3日`, `3号`: what follows a month when it is a day's.
    let is_day_at = |from: usize| {
        let end = run_end(from);
        end > from && matches!(chars.get(end), Some('日' | '号'))
    };
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let end = run_end(i);
        let digits = end - i;
        let next = chars.get(end).copied();
        // 2018年6月, 2018-06, 2018.6, 2018_06, 2018/6 (not followed by a day).
        if digits == 4 && matches!(next, Some('年' | '-' | '.' | '_' | '/')) {
            let month_start = end + 1;
            let month_end = run_end(month_start);
            let month = value(month_start, month_end);
            let after = chars.get(month_end).copied();
            let is_day_next = match (next, after) {
                (Some('年'), Some('月')) => is_day_at(month_end + 1),
                (Some(sep), Some(a)) => {
                    a == sep && chars.get(month_end + 1).is_some_and(char::is_ascii_digit)
                }
                _ => false,
            };
            let month_closed = next != Some('年') || after == Some('月');
            let month_digits = month_end - month_start;
            if (1..=12).contains(&month)
                && (1..=2).contains(&month_digits)
                && month_closed
                && !is_day_next
            {
                return Some((Some(value(i, end) as i32), month));
            }
        }
        // 19年3月: a year written short, as in 18年7月20日.
        if digits == 2 && next == Some('年') {
            let month_end = run_end(end + 1);
            let month = value(end + 1, month_end);
            if (1..=2).contains(&(month_end - end - 1))
                && (1..=12).contains(&month)
                && chars.get(month_end) == Some(&'月')
                && !is_day_at(month_end + 1)
            {
                return Some((Some(2000 + value(i, end) as i32), month));
            }
        }
        // 201806, as systems name their exports.
        if digits == 6 && !matches!(next, Some('日' | '号')) {
            let (year, month) = (value(i, i + 4), value(i + 4, end));
            if YEARS.contains(&(year as i32)) && (1..=12).contains(&month) {
                return Some((Some(year as i32), month));
            }
        }
        // 6月, 6月份 (not 6月3日).
        if (1..=2).contains(&digits) && next == Some('月') && (i == 0 || chars[i - 1] != '年') {
            let month = value(i, end);
            if (1..=12).contains(&month) && !is_day_at(end + 1) {
                return Some((None, month));
            }
        }
        i = end;
    }
    None
}

/// The text with full-width digits made half-width and the Chinese numerals that
/// write a year, a month or a day (`二〇一八年`, `十二月`, `元月`, `五日`) in digits.
fn with_arabic_numerals(text: &str) -> Vec<char> {
    const NUMERALS: &str = "〇○零一二两三四五六七八九十元";
    let chars: Vec<char> = text.chars().map(to_half_width).collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if !NUMERALS.contains(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let end = (i..chars.len())
            .find(|&j| !NUMERALS.contains(chars[j]))
            .unwrap_or(chars.len());
        let run = &chars[i..end];
        let written = match chars.get(end) {
            Some('年') => chinese_year(run),
            Some('月') if run == ['元'] => Some(1),
            Some('月') => chinese_number(run).filter(|m| (1..=12).contains(m)),
            Some('日' | '号') => chinese_number(run).filter(|d| (1..=31).contains(d)),
            _ => None,
        };
        match written {
            Some(n) => out.extend(n.to_string().chars()),
            None => out.extend_from_slice(run),
        }
        i = end;
    }
    out
}

/// `二〇一八` → 2018: a year written digit by digit.
fn chinese_year(run: &[char]) -> Option<u32> {
    if run.len() != 4 {
        return None;
    }
    run.iter()
        .try_fold(0u32, |n, c| Some(n * 10 + chinese_digit(*c)?))
}

/// 一 to 三十一 (`三`, `十二`, `二十`, `三十一`).
fn chinese_number(run: &[char]) -> Option<u32> {
    let digit = |c: &char| chinese_digit(*c).filter(|d| *d > 0);
    match run {
        ['十'] => Some(10),
        [d] => digit(d),
        ['十', d] => Some(10 + digit(d)?),
        [t, '十'] => Some(10 * digit(t)?),
        [t, '十', d] => Some(10 * digit(t)? + digit(d)?),
        _ => None,
    }
}

fn chinese_digit(c: char) -> Option<u32> {
    match c {
        '〇' | '○' | '零' => Some(0),
        '两' => Some(2),
        _ => "一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|i| i as u32 + 1),
    }
}

/// Maps full-width ASCII forms (`３`, `．`, `－`) to their half-width twins.
pub fn to_half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_their_patterns_write_them() {
        for (y, m, d) in [
            (2018, 7, 31),
            (2019, 1, 1),
            (999, 12, 9),
            (10000, 3, 4),
            (-5, 6, 7),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            assert_eq!(
                chinese_date(date),
                date.format("%Y年%-m月%-d日").to_string()
            );
            assert_eq!(iso_date(date), date.format("%Y-%m-%d").to_string());
        }
    }

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn every_form_the_spec_lists() {
        let cases = [
            ("2017年7月底", d(2017, 7, 31)),
            ("2018年底", d(2018, 12, 31)),
            ("2020年", d(2020, 12, 31)),
            ("2017年", d(2017, 12, 31)),
            ("2018年6月", d(2018, 6, 30)),
            ("2018-06-30", d(2018, 6, 30)),
            ("2018/6/30", d(2018, 6, 30)),
            ("2018.6.30", d(2018, 6, 30)),
            ("2018年6月30日", d(2018, 6, 30)),
            ("2018.6", d(2018, 6, 30)),
            ("2018-06", d(2018, 6, 30)),
            ("2018年2月", d(2018, 2, 28)),
            ("2016年2月底", d(2016, 2, 29)),
            ("２０１８年６月３０日", d(2018, 6, 30)),
            (" 2018-06-30 00:00:00 ", d(2018, 6, 30)),
            ("2018-06-30T00:00:00", d(2018, 6, 30)),
            ("2018年12月末", d(2018, 12, 31)),
            ("2018年6月5号", d(2018, 6, 5)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_period_end(text), want, "parsing {text:?}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for text in [
            "",
            "尽快",
            "2018-02-30",
            "2018-13",
            "18年6月",
            "底",
            "2018年底前后",
            "年底",
            "2018年上半年",
            "3000年",
            "2018-06-30-01",
            "99999999999999999999",
        ] {
            assert_eq!(parse_period_end(text), None, "parsing {text:?}");
        }
    }

    #[test]
    fn loose_dates_take_the_as_of_year_or_the_one_before() {
        let as_of = NaiveDate::from_ymd_opt(2018, 7, 31).unwrap();
        let cases = [
            ("2018-7-20", d(2018, 7, 20)),
            ("2018年7月20号", d(2018, 7, 20)),
            ("18年7月20日", d(2018, 7, 20)),
            ("18年7月", d(2018, 7, 31)),
            ("7月20日", d(2018, 7, 20)),
            ("7月20号", d(2018, 7, 20)),
            ("7月底", d(2018, 7, 31)),
            ("７月底", d(2018, 7, 31)),
            ("7月", d(2018, 7, 31)),
            ("12月底", d(2017, 12, 31)),
            ("8月1日", d(2017, 8, 1)),
            ("1月5日", d(2018, 1, 5)),
            ("2月29日", None),
            ("13月1日", None),
            ("7月上旬", None),
            ("本月", None),
            ("180年7月", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_loose_date(text, as_of), want, "parsing {text:?}");
        }
        // In a leap year the day exists.
        let as_of = NaiveDate::from_ymd_opt(2020, 3, 31).unwrap();
        assert_eq!(parse_loose_date("2月29日", as_of), d(2020, 2, 29));
    }

    #[test]
    fn months_named_in_titles_file_names_and_sheet_names() {
        let cases = [
            ("海口市2018年6月进展情况表", Some((Some(2018), 6))),
            ("（2018年07月）", Some((Some(2018), 7))),
            ("海口市7月.xlsx", Some((None, 7))),
            ("三亚市6月份进展.xlsx", Some((None, 6))),
            ("琼海_2018-06.xlsx", Some((Some(2018), 6))),
            ("琼海2018.6.xlsx", Some((Some(2018), 6))),
            ("海口市_2018-07-03.xlsx", None),
            ("截至7月3日", None),
            ("2018年7月3日填报", None),
            ("海口市_20180803T102105Z_ab12cd34.xlsx", None),
            ("进展情况表.xlsx", None),
            ("附件2 2018年", None),
            // Sheet names of a workbook kept one sheet per month.
            ("3月", Some((None, 3))),
            ("3月份", Some((None, 3))),
            ("03月", Some((None, 3))),
            ("３月", Some((None, 3))),
            ("2019年3月", Some((Some(2019), 3))),
            ("2019.3", Some((Some(2019), 3))),
            ("2019.03", Some((Some(2019), 3))),
            ("2019-3", Some((Some(2019), 3))),
            ("201903", Some((Some(2019), 3))),
            ("3月进展", Some((None, 3))),
            ("2019年3月进展情况", Some((Some(2019), 3))),
            ("三月", Some((None, 3))),
            ("三月份", Some((None, 3))),
            ("十二月", Some((None, 12))),
            ("十一月份进展", Some((None, 11))),
            ("元月", Some((None, 1))),
            ("二〇一九年三月", Some((Some(2019), 3))),
            ("1-3月", Some((None, 3))),
            ("19年3月", Some((Some(2019), 3))),
            ("19年3月份进展", Some((Some(2019), 3))),
            ("19年3月5日", None),
            ("三月五日", None),
            ("2019.3.5", None),
            ("Sheet3", None),
            ("十三月", None),
            ("570203", None),
            ("联系电话：0898-65321234", None),
        ];
        for (text, want) in cases {
            assert_eq!(month_named(text), want, "{text:?}");
        }
    }

    #[test]
    fn folder_names() {
        assert_eq!(period_folder_end("2018-06"), d(2018, 6, 30));
        assert_eq!(period_folder_end("2018-6"), None);
        assert_eq!(period_folder_end("sample"), None);
        assert_eq!(
            Month::of(NaiveDate::from_ymd_opt(2018, 6, 30).unwrap()).to_string(),
            "2018-06"
        );
        assert_eq!(period_folder_end("2018-1a"), None);
        let january = Month::parse("2018-01").unwrap();
        assert_eq!(january.previous().to_string(), "2017-12");
        assert!(january.previous() < january);
        assert_eq!(january.chinese(), "2018年1月");
        assert_eq!(january.previous().next(), january);
    }
}
