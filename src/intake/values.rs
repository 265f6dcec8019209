//! A return's status and date cells → typed values.
//!
//! Every status and date form SPEC §3 lists is read here and nowhere else. What
//! cannot be read is returned as such ([`Status::Unrecognised`],
//! [`DateCell::Unreadable`]) so the caller can record a problem and keep the
//! original text. Cell text and task numbers are [`crate::table::cells`]'.

use calamine::Data;
use chrono::NaiveDate;

use crate::period::{in_plan_years, parse_loose_date, parse_period_end, to_half_width};
use crate::table::cells::{cell_text, format_number, is_blank, safe_datetime, without_notes};
use crate::table::format::DateSystem;

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
        let word = bare.trim_end_matches(TRAILING_PUNCTUATION);
        if word.is_empty() {
            return Status::Empty;
        }
        Self::of_word(word)
            .or_else(|| percent(word).map(Self::of_percent))
            .unwrap_or_else(|| Status::Unrecognised(raw.trim().to_string()))
    }

    /// The status a word of SPEC §3 names, if it is one.
    fn of_word(word: &str) -> Option<Self> {
        STATUS_WORDS
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, s)| s.clone())
    }

    /// Progress given as a percentage: 100 % is done, 0 % not started, anything between in progress.
    pub fn of_percent(percent: f64) -> Self {
        if percent >= 100.0 {
            Status::Done
        } else if percent <= 0.0 {
            Status::NotStarted
        } else {
            Status::InProgress
        }
    }

    /// Reads a status cell: a word, a percentage written as text, or a number formatted as
    /// a percentage (calamine gives the fraction: 0.8 for 80 %). Gives the status and the
    /// text a person sees in the cell.
    pub fn from_cell(cell: &Data) -> (Self, String) {
        let fraction = match cell {
            Data::Float(f) if (0.0..=1.0).contains(f) => Some(*f),
            Data::Int(i) if (0..=1).contains(i) => Some(*i as f64),
            _ => None,
        };
        match fraction {
            Some(f) => {
                let percent = (f * 100.0 * 100.0).round() / 100.0;
                (
                    Self::of_percent(percent),
                    format!("{}%", format_number(percent)),
                )
            }
            None => {
                let text = cell_text(cell);
                (Self::parse(&text), text)
            }
        }
    }

    /// The status word a narrative begins with (`已完成。…`, `推进中：…`, `正在推进，…`),
    /// for returns that have no status column. The word must end at punctuation, a
    /// space or the end of the text: `已完成改造` says nothing about the task's state.
    /// Gives the status and the word as written.
    pub fn leading(narrative: &str) -> Option<(Self, String)> {
        let text: String = narrative
            .chars()
            .map(to_half_width)
            .skip_while(|c| c.is_whitespace() || matches!(c, '(' | '[' | '【' | '<' | '《'))
            .collect();
        STATUS_WORDS_LONGEST_FIRST
            .iter()
            .find_map(|(word, status)| {
                let rest = text.strip_prefix(word)?;
                let ends = rest.chars().next().is_none_or(|c| {
                    c.is_whitespace()
                        || c.is_ascii_punctuation()
                        || "。，、；：！？）】》“”".contains(c)
                });
                ends.then(|| (status.clone(), (*word).to_string()))
            })
    }

    /// A status cell that also gives a date: `已完成（2019年1月10日）`,
    /// `已完成(2019.1.10)`, `已完成 2019-01-10`, `已完成，于2019年1月10日`,
    /// `2019年1月10日已完成`. Gives the status and the date as written (read by
    /// the caller, against the as-of date); the date is `None` when the cell
    /// names no date (`已完成（100%）`, `推进中`).
    pub fn with_date(raw: &str) -> (Self, Option<String>) {
        let status = Self::parse(raw);
        let text: String = raw.chars().map(to_half_width).collect();
        if !matches!(status, Status::Unrecognised(_)) {
            return (status, date_run(&text));
        }
        // The word and the date side by side, no brackets: find the word at
        // either end, the rest being a date.
        let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for (word, found) in STATUS_WORDS_LONGEST_FIRST.iter() {
            let rest = squashed
                .strip_prefix(word)
                .or_else(|| squashed.strip_suffix(word));
            let Some(rest) = rest else { continue };
            if let Some(date) = date_run(rest)
                && is_only_date(rest, &date)
            {
                return (found.clone(), Some(date));
            }
        }
        (status, None)
    }

    /// The date a narrative gives right after its leading status word, for returns
    /// without a status column: `已完成（2019年1月10日）。…`, `已完成，2019年1月…`.
    pub fn leading_date(narrative: &str) -> Option<String> {
        let (_, word) = Self::leading(narrative)?;
        let text: String = narrative.chars().map(to_half_width).collect();
        let rest = text.split_once(word.as_str())?.1;
        let rest = rest.trim_start_matches(|c: char| {
            c.is_whitespace()
                || matches!(c, ',' | '，' | ':' | '：' | '、' | '于' | '(' | '[' | '【')
        });
        let date = date_run(rest)?;
        rest.starts_with(date.as_str()).then_some(date)
    }
}

/// The first run of date characters in `text` that holds a digit and a date
/// separator (`2019年1月10日`, `2019.1.10`, `1月10日`, `2019-01`): `None` for
/// `100%` or a bare number.
fn date_run(text: &str) -> Option<String> {
    let is_date_char = |c: char| c.is_ascii_digit() || "年月日号.-/底末".contains(c);
    let chars: Vec<char> = text.chars().map(to_half_width).collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let end = (i..chars.len())
            .find(|&j| !is_date_char(chars[j]))
            .unwrap_or(chars.len());
        let run: String = chars[i..end].iter().collect();
        let run = run.trim_end_matches(['.', '-', '/']).to_string();
        if run.chars().any(|c| "年月.-/".contains(c)) {
            return Some(run);
        }
        i = end;
    }
    None
}

/// Whether `rest`, the status cell without its word, is only the date (with the
/// brackets, separators and labels people put around it).
fn is_only_date(rest: &str, date: &str) -> bool {
    let around: String = rest.replacen(date, "", 1);
    let around = [
        "完成时间",
        "完成日期",
        "时间",
        "日期",
        "完成于",
        "已于",
        "于",
        "完成",
        "前",
    ]
    .iter()
    .fold(around, |text, label| text.replace(label, ""));
    around
        .chars()
        .all(|c| c.is_whitespace() || "()[]【】,，:：、/-。；;".contains(c))
}

/// Punctuation a status word may carry at its end (`已完成。`).
const TRAILING_PUNCTUATION: [char; 9] = ['.', '。', ',', '，', '!', '！', ';', '；', '、'];

/// Every status word of SPEC §3, with what it says.
const STATUS_WORDS: [(&str, Status); 30] = [
    ("已完成", Status::Done),
    ("完成", Status::Done),
    ("已落实", Status::Done),
    ("已办结", Status::Done),
    ("全面完成", Status::Done),
    ("已全部完成", Status::Done),
    ("已完工", Status::Done),
    ("已建成", Status::Done),
    ("推进中", Status::InProgress),
    ("正在推进", Status::InProgress),
    ("进行中", Status::InProgress),
    ("持续推进", Status::InProgress),
    ("正在实施", Status::InProgress),
    ("已启动", Status::InProgress),
    ("部分完成", Status::InProgress),
    ("基本完成", Status::InProgress),
    ("有序推进", Status::InProgress),
    ("稳步推进", Status::InProgress),
    ("加快推进", Status::InProgress),
    ("未启动", Status::NotStarted),
    ("未开展", Status::NotStarted),
    ("尚未启动", Status::NotStarted),
    ("未开始", Status::NotStarted),
    ("暂未启动", Status::NotStarted),
    ("暂未开展", Status::NotStarted),
    ("还未启动", Status::NotStarted),
    ("未实施", Status::NotStarted),
    ("不适用", Status::NotApplicable),
    ("无此项", Status::NotApplicable),
    ("无此任务", Status::NotApplicable),
];

/// [`STATUS_WORDS`] longest first, so `已完成` is tried before `完成`.
static STATUS_WORDS_LONGEST_FIRST: std::sync::LazyLock<Vec<(&str, Status)>> =
    std::sync::LazyLock::new(|| {
        let mut words = STATUS_WORDS.to_vec();
        words.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        words
    });

/// A percentage written as text: `80%`, `80％`, `完成80%`, `进度：35%`. `None` past 100.
fn percent(word: &str) -> Option<f64> {
    let number = word.strip_suffix('%')?;
    let number = ["已完成", "完成进度", "完成率", "完成", "进度"]
        .iter()
        .find_map(|p| number.strip_prefix(p))
        .unwrap_or(number)
        .trim_start_matches(':');
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    number
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
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
/// number in a General cell or stored as text (`43296`), an ISO string (ODS), or
/// any text form of [`parse_loose_date`] (a month without a year is read against
/// `as_of`). `system` is the workbook's: how it counts a bare serial number.
pub fn date_from_cell(cell: &Data, system: DateSystem, as_of: NaiveDate) -> DateCell {
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
            match serial_to_date(serial, system) {
                Some(d) => DateCell::Date(d),
                // A bare 2018 or 201806 typed into a General cell.
                None => match parse_period_end(&cell_text(cell)) {
                    Some(d) => DateCell::Date(d),
                    None => DateCell::Unreadable(cell_text(cell)),
                },
            }
        }
        Data::DateTimeIso(s) | Data::String(s) => match parse_loose_date(s, as_of) {
            Some(d) => DateCell::Date(d),
            None => match serial_text(s).and_then(|n| serial_to_date(n, system)) {
                Some(d) => DateCell::Date(d),
                None => DateCell::Unreadable(s.trim().to_string()),
            },
        },
        _ => DateCell::Unreadable(cell_text(cell)),
    }
}

/// Reads a moment from a cell: an online form's 提交时间 (`2018/08/03 10:21:05`,
/// a date-time cell, or a date alone, taken at midnight).
pub fn datetime_from_cell(
    cell: &Data,
    system: DateSystem,
    as_of: NaiveDate,
) -> Option<chrono::NaiveDateTime> {
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0);
    match cell {
        Data::DateTime(dt) => safe_datetime(dt).filter(|d| in_range(d.date())),
        Data::DateTimeIso(s) | Data::String(s) => {
            let text: String = s.chars().map(to_half_width).collect();
            let text = text.trim();
            let (date, time) = match text.split_once([' ', 'T']) {
                Some((d, t)) => (d, Some(t.trim())),
                None => (text, None),
            };
            let date = parse_loose_date(date, as_of)?;
            let time = time.and_then(|t| {
                ["%H:%M:%S", "%H:%M", "%H:%M:%S%.f"]
                    .iter()
                    .find_map(|f| chrono::NaiveTime::parse_from_str(t, f).ok())
            });
            match time {
                Some(t) => Some(date.and_time(t)),
                None => midnight(date),
            }
        }
        other => match date_from_cell(other, system, as_of) {
            DateCell::Date(d) => midnight(d),
            _ => None,
        },
    }
}

/// A serial day number stored as text: five digits (the plan's years are serials
/// 32874–73050), so a year (`2018`) or a phone number is never taken for one.
fn serial_text(text: &str) -> Option<f64> {
    let text = text.trim();
    (text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// A serial day number → date in the workbook's date system, only within the
/// plan's plausible years.
pub fn serial_to_date(serial: f64, system: DateSystem) -> Option<NaiveDate> {
    if !serial.is_finite() || serial < 1.0 {
        return None;
    }
    system.date(serial).filter(|d| in_range(*d))
}

fn in_range(d: NaiveDate) -> bool {
    in_plan_years(d)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            // Added in SPEC §3's second list.
            ("暂未启动", NotStarted),
            ("暂未开展", NotStarted),
            ("还未启动", NotStarted),
            ("未实施", NotStarted),
            ("已完工", Done),
            ("已建成", Done),
            ("有序推进", InProgress),
            ("稳步推进", InProgress),
            ("加快推进。", InProgress),
            // Percentages written as text.
            ("100%", Done),
            ("100％", Done),
            ("80%", InProgress),
            ("35.5%", InProgress),
            ("1%", InProgress),
            ("0%", NotStarted),
            ("完成80%", InProgress),
            ("进度：100%", Done),
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
        assert_eq!(Status::parse("120%"), Unrecognised("120%".into()));
        assert_eq!(Status::parse("80"), Unrecognised("80".into()));
        assert_eq!(
            Status::parse("（待定）"),
            Unrecognised("（待定）".into()),
            "only a note: kept to verify"
        );
    }

    #[test]
    fn status_cells_formatted_as_percent() {
        use Status::*;
        let cases = [
            (Data::Float(1.0), Done, "100%"),
            (Data::Float(0.8), InProgress, "80%"),
            (Data::Float(0.355), InProgress, "35.5%"),
            (Data::Float(0.0), NotStarted, "0%"),
            (Data::Int(1), Done, "100%"),
            (Data::String("已完成".into()), Done, "已完成"),
            (Data::Float(3.0), Unrecognised("3".into()), "3"),
        ];
        for (cell, status, shown) in cases {
            assert_eq!(
                Status::from_cell(&cell),
                (status, shown.to_string()),
                "{cell:?}"
            );
        }
    }

    #[test]
    fn status_from_the_narratives_first_word() {
        use Status::*;
        let cases = [
            ("已完成。本市已印发规划", Some((Done, "已完成"))),
            ("推进中：已完成选址", Some((InProgress, "推进中"))),
            ("正在推进，预计年底完成", Some((InProgress, "正在推进"))),
            ("  【未启动】待省厅文件", Some((NotStarted, "未启动"))),
            ("稳步推进。", Some((InProgress, "稳步推进"))),
            ("不适用", Some((NotApplicable, "不适用"))),
            ("暂未启动,等待资金", Some((NotStarted, "暂未启动"))),
            ("完成了选址工作", None),
            ("已完成改造12所", None),
            ("本月召开专题会议", None),
            ("", None),
        ];
        for (text, want) in cases {
            let got = Status::leading(text);
            let want = want.map(|(s, w)| (s, w.to_string()));
            assert_eq!(got, want, "narrative {text:?}");
        }
    }

    const AS_OF: NaiveDate = NaiveDate::from_ymd_opt(2018, 7, 31).expect("a date");
    const E1900: DateSystem = DateSystem::EXCEL_1900;

    #[test]
    fn dates_from_cells() {
        let d = |y, m, day| DateCell::Date(NaiveDate::from_ymd_opt(y, m, day).expect("date"));
        let text = |t: &str| date_from_cell(&Data::String(t.into()), E1900, AS_OF);
        // SPEC §3's loose forms, and a serial number stored as text.
        assert_eq!(text("7月20日"), d(2018, 7, 20));
        assert_eq!(text("12月底"), d(2017, 12, 31));
        assert_eq!(text("18年7月20日"), d(2018, 7, 20));
        assert_eq!(text("43296"), d(2018, 7, 15));
        assert_eq!(text(" 43296 "), d(2018, 7, 15));
        assert_eq!(text("2018"), d(2018, 12, 31), "a year is not a serial");
        assert_eq!(
            text("13800138000"),
            DateCell::Unreadable("13800138000".into())
        );
        assert_eq!(text("99999"), DateCell::Unreadable("99999".into()));
        assert_eq!(
            date_from_cell(&Data::Float(43281.0), E1900, AS_OF),
            d(2018, 6, 30)
        );
        assert_eq!(
            date_from_cell(&Data::Int(43281), E1900, AS_OF),
            d(2018, 6, 30)
        );
        assert_eq!(
            date_from_cell(&Data::Float(41819.0), DateSystem::EXCEL_1904, AS_OF),
            d(2018, 6, 30)
        );
        assert_eq!(
            date_from_cell(&Data::String("2018年6月".into()), E1900, AS_OF),
            d(2018, 6, 30)
        );
        assert_eq!(
            date_from_cell(
                &Data::DateTimeIso("2018-06-30T00:00:00".into()),
                E1900,
                AS_OF
            ),
            d(2018, 6, 30)
        );
        assert_eq!(
            date_from_cell(&Data::Int(2018), E1900, AS_OF),
            d(2018, 12, 31)
        );
        assert_eq!(
            date_from_cell(&Data::String(" ".into()), E1900, AS_OF),
            DateCell::Empty
        );
        assert_eq!(
            date_from_cell(&Data::String("待定".into()), E1900, AS_OF),
            DateCell::Unreadable("待定".into())
        );
        assert_eq!(
            date_from_cell(&Data::Float(-3.0), E1900, AS_OF),
            DateCell::Unreadable("-3".into())
        );
    }

    #[test]
    fn serials_in_each_date_system() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        // 2019-01-10 is 43475 in the 1900 system and 42013 in the 1904 one.
        assert_eq!(
            serial_to_date(43475.0, DateSystem::EXCEL_1900),
            d(2019, 1, 10)
        );
        assert_eq!(
            serial_to_date(42013.0, DateSystem::EXCEL_1904),
            d(2019, 1, 10)
        );
        assert_eq!(
            serial_to_date(42013.75, DateSystem::EXCEL_1904),
            d(2019, 1, 10)
        );
        let odf_1900 =
            DateSystem::from_day_zero(NaiveDate::from_ymd_opt(1900, 1, 1).expect("date"));
        assert_eq!(serial_to_date(43473.0, odf_1900), d(2019, 1, 10));
        let text = |t: &str| date_from_cell(&Data::String(t.into()), DateSystem::EXCEL_1904, AS_OF);
        assert_eq!(
            text("42013"),
            DateCell::Date(NaiveDate::from_ymd_opt(2019, 1, 10).expect("date"))
        );
    }

    #[test]
    fn a_status_cell_giving_its_date() {
        use Status::*;
        let cases: [(&str, Status, Option<&str>); 23] = [
            ("已完成（2019年1月10日）", Done, Some("2019年1月10日")),
            ("已完成(2019.1.10)", Done, Some("2019.1.10")),
            ("已完成 (2019-01-10)", Done, Some("2019-01-10")),
            ("已完成【2019/1/10】", Done, Some("2019/1/10")),
            ("已完成[2019.01.10]", Done, Some("2019.01.10")),
            ("已完成（于2019年1月10日）", Done, Some("2019年1月10日")),
            (
                "已完成（完成时间：2019年1月10日）",
                Done,
                Some("2019年1月10日"),
            ),
            ("已完成（1月10日）", Done, Some("1月10日")),
            ("已完成（2019年1月）", Done, Some("2019年1月")),
            ("已完成（２０１９．１．１０）", Done, Some("2019.1.10")),
            ("已完成 2019.1.10", Done, Some("2019.1.10")),
            ("已完成，2019年1月10日", Done, Some("2019年1月10日")),
            ("已完成\n2019.1.10", Done, Some("2019.1.10")),
            ("已完成于2019年1月10日", Done, Some("2019年1月10日")),
            ("2019年1月10日已完成", Done, Some("2019年1月10日")),
            ("完成 2019-1-10", Done, Some("2019-1-10")),
            ("已于2019年1月10日完成", Done, Some("2019年1月10日")),
            ("已完成。2019.1.10", Done, Some("2019.1.10")),
            ("已完成/2019.1.10", Done, Some("2019.1.10")),
            ("已完成（100%）", Done, None),
            ("已完成", Done, None),
            ("推进中", InProgress, None),
            (
                "已完成2019年的改造任务",
                Unrecognised("已完成2019年的改造任务".into()),
                None,
            ),
        ];
        for (text, status, date) in cases {
            assert_eq!(
                Status::with_date(text),
                (status, date.map(str::to_string)),
                "status cell {text:?}"
            );
        }
        assert_eq!(
            Status::leading_date("已完成（2019年1月10日）。本市已印发规划"),
            Some("2019年1月10日".into())
        );
        assert_eq!(
            Status::leading_date("已完成，2018年6月印发实施"),
            Some("2018年6月".into())
        );
        assert_eq!(Status::leading_date("已完成。本市2018年印发规划"), None);
        assert_eq!(Status::leading_date("推进中：方案初稿"), None);
    }
}
