//! Filling the return on a page instead of in Excel (SPEC §10.2): the form's
//! fields read and checked, a return's rows turned back into the form's values
//! (the pre-fill), the values written as a template-shaped workbook, and drafts.
//!
//! The form is a contract other tools rely on: per expected task N, `status-N`,
//! `date-N` (YYYY-MM-DD), `progress-N`, `problem-N`, `plan-N`, `note-N`; for the
//! return `reporter` and `phone`; `draft=1` saves a draft. What is stored is
//! what intake reads back, exactly ([`text_as_stored`] says how typed text is
//! kept): the workbook is the `template` layout ([`crate::template::build_with`])
//! and goes into the period folder through [`super::store`] like any upload.
//! Statuses are read by intake's own [`Status::parse`], never by a copy of its
//! word list. The page is [`super::pages::fill_form`]; the routes are
//! [`super::routes`]'.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::check::{Finding, judge};
use crate::intake::values::{DateCell, Status};
use crate::intake::{ReturnMeta, ReturnRow};
use crate::period::{chinese_date, in_plan_years};
use crate::roster::Role;
use crate::template::{self, DateValue, Fill, Options, RowFill, STATUS_CHOICES};

/// The longest text a task's field may hold, in UTF-16 code units: what a
/// browser's `maxlength` counts, and Excel's unit (a cell holds 32,767).
pub const TEXT_LIMIT: usize = 5000;
/// The longest 填报人 or 联系电话.
pub const LINE_LIMIT: usize = 50;
/// The hidden folder of a period folder holding the units' drafts: intake
/// lists files only, and skips names beginning with a dot besides.
pub const DRAFTS_FOLDER: &str = ".county-returns-drafts";

/// The fields of one task on the form, in the order the page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Status,
    Date,
    Progress,
    Problem,
    Plan,
    Note,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Status,
        Field::Date,
        Field::Progress,
        Field::Problem,
        Field::Plan,
        Field::Note,
    ];
    /// The four free-text fields, each a textarea.
    pub const TEXTS: [Field; 4] = [Field::Progress, Field::Problem, Field::Plan, Field::Note];

    /// The form name's stem: `status` of `status-3`.
    pub fn stem(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Date => "date",
            Field::Progress => "progress",
            Field::Problem => "problem",
            Field::Plan => "plan",
            Field::Note => "note",
        }
    }

    /// The template's column for it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Status => "完成状态",
            Field::Date => "完成时间",
            Field::Progress => "进展情况",
            Field::Problem => "存在问题",
            Field::Plan => "下步计划",
            Field::Note => "备注",
        }
    }

    /// The form name of this field of task `task`: `status-3`.
    pub fn key(self, task: u32) -> String {
        format!("{}-{task}", self.stem())
    }

    fn of_stem(stem: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.stem() == stem)
    }
}

/// What the form holds for one task, as stored (see [`text_as_stored`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskValues {
    pub status: String,
    pub date: String,
    pub progress: String,
    pub problem: String,
    pub plan: String,
    pub note: String,
}

impl TaskValues {
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::Status => &self.status,
            Field::Date => &self.date,
            Field::Progress => &self.progress,
            Field::Problem => &self.problem,
            Field::Plan => &self.plan,
            Field::Note => &self.note,
        }
    }

    fn slot(&mut self, field: Field) -> &mut String {
        match field {
            Field::Status => &mut self.status,
            Field::Date => &mut self.date,
            Field::Progress => &mut self.progress,
            Field::Problem => &mut self.problem,
            Field::Plan => &mut self.plan,
            Field::Note => &mut self.note,
        }
    }

    fn is_empty(&self) -> bool {
        Field::ALL.iter().all(|f| self.get(*f).is_empty())
    }
}

/// A whole return on the form: each expected task's values, and who filled it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Values {
    pub tasks: BTreeMap<u32, TaskValues>,
    pub reporter: String,
    pub phone: String,
}

impl Values {
    /// Empty values for each of `expected`.
    pub fn blank(expected: &[(u32, Role)]) -> Self {
        Self {
            tasks: expected
                .iter()
                .map(|(t, _)| (*t, TaskValues::default()))
                .collect(),
            ..Self::default()
        }
    }
}

/// A text field as it is stored and written into the workbook: line breaks as
/// LF (a browser sends a textarea's as CRLF; a cell's line break is LF), other
/// control characters left out (they print as nothing, or as `_x000B_`), and
/// spaces at either end trimmed, as intake trims every cell it reads. Text
/// inside is kept as typed: `<`, `=`, `+`, `-` and `@` at the start included.
pub fn text_as_stored(typed: &str) -> String {
    let unified = typed.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String = unified
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect();
    kept.trim().to_string()
}

/// A one-line field (填报人, 联系电话) as stored: line breaks and tabs become
/// spaces, the rest as [`text_as_stored`].
pub fn line_as_stored(typed: &str) -> String {
    let flat: String = typed
        .chars()
        .map(|c| {
            if matches!(c, '\r' | '\n' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    text_as_stored(&flat)
}

/// How long a text is as a browser's `maxlength` and Excel count it.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The status word of the drop-down that intake reads as `status`, if any:
/// `部分完成` and `80%` read as 推进中, so they are 推进中 here too.
pub fn choice_of(status: &Status) -> Option<&'static str> {
    STATUS_CHOICES
        .iter()
        .copied()
        .find(|word| Status::parse(word) == *status)
}

/// The drop-down's word for a status as typed or posted (any word intake reads
/// as one of the four), `None` when intake would not understand it.
pub fn status_choice(typed: &str) -> Option<&'static str> {
    choice_of(&Status::parse(typed))
}

/// A 完成时间 as posted: `2018-07-20`, as `<input type=date>` sends it; browsers
/// that show a plain text box instead get `2018/7/20`, `2018.7.20` and
/// `2018年7月20日` read too. A day outside the calendar is no date.
pub fn posted_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
}

/// The most bytes a form of a whole return may have: for each task of the
/// plan, four texts of [`TEXT_LIMIT`] UTF-16 units, each unit at most 9 bytes
/// once URL-encoded (a Chinese character is 3 bytes of UTF-8, each sent as
/// `%XX`; a character outside the BMP is 12 bytes for 2 units, a CRLF 6 for the
/// 1 unit `maxlength` counts), with its name (`&progress-31=`, 16 bytes at
/// most); the status (3 Chinese characters, 27 bytes) and the date with their
/// names, 64 bytes; and 4 KiB for 填报人, 联系电话 and the rest. For the 31
/// tasks of the plan: 31 × (4 × (5,000 × 9 + 16) + 64) + 4,096 = 5,588,064
/// bytes (5.3 MiB).
pub fn body_limit(tasks: usize) -> usize {
    const PER_TEXT: usize = TEXT_LIMIT * 9 + 16;
    const PER_TASK: usize = 4 * PER_TEXT + 64;
    tasks.saturating_mul(PER_TASK).saturating_add(4096)
}

/// The most name=value pairs a form of a whole return may have.
pub fn max_pairs(tasks: usize) -> usize {
    tasks.saturating_mul(Field::ALL.len()).saturating_add(16)
}

/// What a POST to the form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Check the values, and file the return when they pass.
    Submit,
    /// Keep the values as a draft; nothing is filed.
    Draft,
    /// Throw the draft away.
    Discard,
}

/// A form as posted, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    pub values: Values,
    pub intent: Intent,
    /// The period the page was for (`2018-07`), when it said.
    pub period: Option<String>,
    /// Tasks the unit is not expected on that the form gave a value for.
    pub stray: BTreeSet<u32>,
}

/// The form had more fields than a whole return has: not a form of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyFields;

/// Reads a posted form (`application/x-www-form-urlencoded`) for a unit
/// expected on `expected`: each expected task's six fields (missing ones
/// empty), 填报人 and 联系电话, what is asked, and the tasks given values the
/// unit is not expected on. Text is kept as [`text_as_stored`] says; unknown
/// names are ignored; of a name given twice the last counts.
///
/// # Errors
/// [`TooManyFields`] past [`max_pairs`] of the plan's `tasks`.
pub fn read_form(
    body: &[u8],
    expected: &[(u32, Role)],
    tasks: usize,
) -> Result<Posted, TooManyFields> {
    let mut values = Values::blank(expected);
    let mut intent = Intent::Submit;
    let mut period = None;
    let mut stray = BTreeSet::new();
    let limit = max_pairs(tasks);
    for (n, (name, value)) in form_urlencoded::parse(body).enumerate() {
        if n >= limit {
            return Err(TooManyFields);
        }
        match &*name {
            "reporter" => values.reporter = line_as_stored(&value),
            "phone" => values.phone = line_as_stored(&value),
            "draft" if value == "1" => intent = Intent::Draft,
            "discard" if value == "1" => intent = Intent::Discard,
            "period" => period = Some(value.trim().to_string()),
            name => {
                let Some((field, task)) = name
                    .split_once('-')
                    .and_then(|(stem, n)| Some((Field::of_stem(stem)?, n.parse::<u32>().ok()?)))
                else {
                    continue;
                };
                let stored = match field {
                    Field::Status | Field::Date => line_as_stored(&value),
                    _ => text_as_stored(&value),
                };
                match values.tasks.get_mut(&task) {
                    Some(task) => *task.slot(field) = stored,
                    None if !stored.is_empty() => {
                        stray.insert(task);
                    }
                    None => {}
                }
            }
        }
    }
    Ok(Posted {
        values,
        intent,
        period,
        stray,
    })
}

/// What is wrong with a form: by field (`status-3`, `reporter`), and about the
/// form as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Errors {
    pub fields: BTreeMap<String, String>,
    pub form: Vec<String>,
}

impl Errors {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.form.is_empty()
    }

    pub fn count(&self) -> usize {
        self.fields.len() + self.form.len()
    }
}

/// What the values are checked against: the day they are filed, and the
/// period's as-of date (a deadline passed by then needs a completion date).
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub today: NaiveDate,
    pub as_of: NaiveDate,
}

/// Checks a form before its return is filed. Each error says what to do, and
/// sits by its field: a missing or unknown status; a date that is not a date,
/// is after today or outside the plan's years; 已完成 without a date once the
/// deadline has passed (the check would judge it 待核实); a date on a task not
/// 已完成 (the check would not use it); a text too long; 填报人 or 联系电话 too
/// long or holding a label intake reads the 填报单位 line by; a task the unit is
/// not expected on.
pub fn check(
    posted: &Posted,
    expected: &[(u32, Role)],
    catalogue: &Catalogue,
    rules: Rules,
) -> Errors {
    let mut errors = Errors::default();
    let mut say = |key: String, text: String| {
        errors.fields.entry(key).or_insert(text);
    };
    for (&task, values) in &posted.values.tasks {
        let Some(deadline) = catalogue.get(task).map(|t| t.deadline) else {
            continue;
        };
        let status = match values.status.as_str() {
            "" => {
                say(
                    Field::Status.key(task),
                    "请选择完成状态：已完成、推进中、未启动 或 不适用".into(),
                );
                None
            }
            typed => match status_choice(typed) {
                Some(word) => Some(Status::parse(word)),
                None => {
                    say(
                        Field::Status.key(task),
                        format!(
                            "完成状态“{typed}”无法识别：请选择 已完成、推进中、未启动 或 不适用"
                        ),
                    );
                    None
                }
            },
        };
        let date = match values.date.as_str() {
            "" => None,
            typed => match posted_date(typed) {
                None => {
                    say(
                        Field::Date.key(task),
                        format!("完成时间“{typed}”不是有效的日期：请按 2018-07-20 的格式填写"),
                    );
                    None
                }
                Some(d) if d > rules.today => {
                    say(
                        Field::Date.key(task),
                        format!(
                            "完成时间 {} 晚于今天（{}）：请填写实际完成的日期",
                            chinese_date(d),
                            chinese_date(rules.today)
                        ),
                    );
                    None
                }
                Some(d) if !in_plan_years(d) => {
                    say(
                        Field::Date.key(task),
                        format!("完成时间 {} 的年份不对：请核对", chinese_date(d)),
                    );
                    None
                }
                Some(d) => Some(d),
            },
        };
        match (&status, date, values.date.is_empty()) {
            (Some(Status::Done), None, true)
                if judge(Some((&Status::Done, None)), deadline, rules.as_of).1
                    == Some(Finding::NoCompletionDate) =>
            {
                say(
                    Field::Date.key(task),
                    format!(
                        "完成时限（{}）已过：已完成的任务请填写完成时间",
                        chinese_date(deadline)
                    ),
                );
            }
            (Some(s), _, false) if *s != Status::Done => say(
                Field::Date.key(task),
                "只有“已完成”的任务填写完成时间：请清空完成时间，或把完成状态改为“已完成”".into(),
            ),
            _ => {}
        }
        for field in Field::TEXTS {
            let len = utf16_len(values.get(field));
            if len > TEXT_LIMIT {
                say(
                    field.key(task),
                    format!(
                        "{}最多 {TEXT_LIMIT} 字，现在有 {len} 字：请精简，或把详细材料另行报送",
                        field.label()
                    ),
                );
            }
        }
    }
    for (key, label, value) in [
        ("reporter", "填报人", &posted.values.reporter),
        ("phone", "联系电话", &posted.values.phone),
    ] {
        let len = value.chars().count();
        if len > LINE_LIMIT {
            say(
                key.to_string(),
                format!("{label}最多 {LINE_LIMIT} 字，现在有 {len} 字"),
            );
        } else if let Some(found) = crate::intake::rows::META_LABELS
            .iter()
            .find(|l| value.contains(*l))
        {
            say(
                key.to_string(),
                format!("{label}中不能含有“{found}”这样的栏目名称：请只填写{label}本身"),
            );
        }
    }
    if !posted.stray.is_empty() {
        let numbers: Vec<String> = posted.stray.iter().map(u32::to_string).collect();
        let mine: Vec<String> = expected.iter().map(|(t, _)| t.to_string()).collect();
        errors.form.push(format!(
            "第 {} 项任务不由本单位填报（本单位填报第 {} 项）：这些内容没有保存",
            numbers.join("、"),
            mine.join("、")
        ));
    }
    errors
}

/// The return the values make: the template's rows filled, 填报日期 `today`.
/// The values must have passed [`check`]: a status is written as its
/// drop-down word, a date as a date cell.
pub fn to_fill(values: &Values, today: NaiveDate) -> Fill {
    let rows = values
        .tasks
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(task, v)| {
            let date = match v.date.as_str() {
                "" => None,
                typed => Some(
                    posted_date(typed)
                        .map_or_else(|| DateValue::Text(typed.to_string()), DateValue::Date),
                ),
            };
            let row = RowFill {
                status: status_choice(&v.status).map_or_else(|| v.status.clone(), str::to_string),
                date,
                narrative: v.progress.clone(),
                issues: v.problem.clone(),
                next_steps: v.plan.clone(),
                remarks: v.note.clone(),
            };
            (*task, row)
        })
        .collect();
    Fill {
        fill_date: Some(today),
        filler: values.reporter.clone(),
        phone: values.phone.clone(),
        rows,
        ..Fill::default()
    }
}

/// The return of `unit` the values make, as the `template` command lays it
/// out (`options`: its period, office and due day), filled on `today`.
///
/// # Errors
/// Only on rust_xlsxwriter's own checks.
pub fn workbook(
    catalogue: &Catalogue,
    unit: &str,
    expected: &[(u32, Role)],
    values: &Values,
    today: NaiveDate,
    options: &Options,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let tasks: Vec<u32> = expected.iter().map(|(t, _)| *t).collect();
    template::build_with(
        catalogue,
        unit,
        &tasks,
        Some(&to_fill(values, today)),
        options,
    )
}

/// A return's values on the form, and what the form should say about those it
/// could not carry over as they were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    pub values: Values,
    /// By field (`status-3`): `上次填写为“部分完成”，已按“推进中”预填`.
    pub hints: BTreeMap<String, String>,
}

/// The form's values from a return's rows as intake read them (and its
/// 填报单位 line): each status becomes the drop-down's word intake reads it as,
/// each completion date `YYYY-MM-DD`. A status word the drop-down does not have,
/// a status intake could not read and a date it could not read are said in a
/// hint by the field.
pub fn from_return<'a>(
    rows: impl IntoIterator<Item = &'a ReturnRow>,
    meta: Option<&ReturnMeta>,
    expected: &[(u32, Role)],
) -> Prefill {
    let mut prefill = Prefill {
        values: Values::blank(expected),
        hints: BTreeMap::new(),
    };
    for row in rows {
        let Some(values) = prefill.values.tasks.get_mut(&row.task) else {
            continue;
        };
        let task = row.task;
        let written = row.status_text.trim();
        match choice_of(&row.status) {
            Some(word) => {
                values.status = word.to_string();
                if !written.is_empty() && written != word {
                    prefill.hints.insert(
                        Field::Status.key(task),
                        format!("上次填写为“{written}”，已按“{word}”预填"),
                    );
                }
            }
            None if !written.is_empty() => {
                prefill.hints.insert(
                    Field::Status.key(task),
                    format!("上次填写为“{written}”，无法识别：请重新选择"),
                );
            }
            None => {}
        }
        match &row.date {
            // The check uses a date only on a finished task, and so does the form.
            DateCell::Date(d) if row.status != Status::Done => {
                prefill.hints.insert(
                    Field::Date.key(task),
                    format!(
                        "上次填写的完成时间 {} 没有预填：只有“已完成”的任务填写完成时间",
                        chinese_date(*d)
                    ),
                );
            }
            DateCell::Date(d) => values.date = d.format("%Y-%m-%d").to_string(),
            DateCell::Unreadable(text) => {
                prefill.hints.insert(
                    Field::Date.key(task),
                    format!("上次填写的完成时间“{text}”无法识别为日期：请重新填写"),
                );
            }
            DateCell::Empty => {}
        }
        values.progress = text_as_stored(&row.narrative);
        values.problem = text_as_stored(&row.issues);
        values.plan = text_as_stored(&row.next_steps);
        values.note = text_as_stored(&row.remarks);
    }
    if let Some(meta) = meta {
        prefill.values.reporter = meta
            .filler
            .as_deref()
            .map(line_as_stored)
            .unwrap_or_default();
        prefill.values.phone = meta
            .phone
            .as_deref()
            .map(line_as_stored)
            .unwrap_or_default();
    }
    prefill
}

/// A unit's values kept without filing them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// When it was saved.
    pub saved: DateTime<Utc>,
    pub values: Values,
}

/// Where `unit`'s draft of the period folder `dir` is kept. `file_part`: the
/// unit's name as a file-name part.
pub fn draft_path(dir: &Path, file_part: &str) -> PathBuf {
    dir.join(DRAFTS_FOLDER).join(format!("{file_part}.json"))
}

/// Keeps a draft, replacing the unit's last one whole or not at all.
///
/// # Errors
/// When the drafts folder cannot be made or written.
pub fn save_draft(path: &Path, draft: &Draft) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(draft).map_err(std::io::Error::other)?;
    crate::save::save_atomic(&bytes, path)
}

/// The draft kept at `path`, if there is one that can be read.
pub fn load_draft(path: &Path) -> Option<Draft> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue::embedded().expect("catalogue")
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn typed_text_is_stored_as_intake_will_read_it() {
        let cases = [
            ("  进展顺利  ", "进展顺利"),
            ("第一行\r\n第二行", "第一行\n第二行"),
            ("旧式\r换行", "旧式\n换行"),
            ("=SUM(A1:A2)", "=SUM(A1:A2)"),
            ("<b>加粗</b>", "<b>加粗</b>"),
            ("+86 -1 @张三", "+86 -1 @张三"),
            ("制表\t保留", "制表\t保留"),
            ("控制\u{b}字符\u{1}删去", "控制字符删去"),
            ("\u{3000}全角空格\u{3000}", "全角空格"),
            ("\r\n\r\n", ""),
        ];
        for (typed, stored) in cases {
            assert_eq!(text_as_stored(typed), stored, "{typed:?}");
        }
        assert_eq!(line_as_stored(" 王芳\r\n（科长） "), "王芳  （科长）");
    }

    #[test]
    fn statuses_are_read_by_intake_and_shown_as_the_drop_downs_word() {
        let cases = [
            ("已完成", Some("已完成")),
            ("完成", Some("已完成")),
            ("部分完成", Some("推进中")),
            ("80%", Some("推进中")),
            ("100%", Some("已完成")),
            ("尚未启动", Some("未启动")),
            ("无此项", Some("不适用")),
            ("大部分完成", None),
            ("", None),
        ];
        for (typed, want) in cases {
            assert_eq!(status_choice(typed), want, "{typed}");
        }
    }

    #[test]
    fn dates_as_browsers_send_them() {
        let cases = [
            ("2018-07-20", Some("2018-07-20")),
            ("2018/7/20", Some("2018-07-20")),
            ("2018.7.20", Some("2018-07-20")),
            ("2018年7月20日", Some("2018-07-20")),
            (" 2018-07-20 ", Some("2018-07-20")),
            ("2018-02-30", None),
            ("2018-07", None),
            ("明天", None),
        ];
        for (typed, want) in cases {
            assert_eq!(posted_date(typed), want.map(day), "{typed}");
        }
    }

    #[test]
    fn the_body_limit_holds_a_whole_return_of_long_texts() {
        assert_eq!(body_limit(31), 5_588_064);
        // What a browser sends for 31 tasks of four 5,000-character Chinese texts.
        let text = "进".repeat(TEXT_LIMIT);
        let mut form = form_urlencoded::Serializer::new(String::new());
        for task in 1..=31 {
            form.append_pair(&Field::Status.key(task), "已完成");
            form.append_pair(&Field::Date.key(task), "2018-07-20");
            for field in Field::TEXTS {
                form.append_pair(&field.key(task), &text);
            }
        }
        form.append_pair("reporter", &"王".repeat(LINE_LIMIT));
        form.append_pair("phone", &"9".repeat(LINE_LIMIT));
        form.append_pair("period", "2018-07");
        form.append_pair("draft", "1");
        let body = form.finish();
        assert!(body.len() <= body_limit(31), "{}", body.len());
        assert!(body.len() > body_limit(31) - 8 * 1024, "{}", body.len());
    }

    fn expected() -> Vec<(u32, Role)> {
        vec![(1, Role::Lead), (2, Role::Cooperating), (31, Role::Lead)]
    }

    fn posted(pairs: &[(&str, &str)]) -> Posted {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        read_form(body.as_bytes(), &expected(), 31).expect("read")
    }

    #[test]
    fn a_form_is_read_field_by_field() {
        let form = posted(&[
            ("status-1", "已完成"),
            ("date-1", "2018-06-30"),
            ("progress-1", " 第一行\r\n第二行 "),
            ("problem-2", "=1+1"),
            ("plan-31", "<script>"),
            ("note-31", "@备注"),
            ("reporter", "王芳"),
            ("phone", "0898-65236001"),
            ("status-5", "已完成"),
            ("progress-7", ""),
            ("unknown", "x"),
            ("status-x", "y"),
        ]);
        assert_eq!(form.intent, Intent::Submit);
        assert_eq!(form.stray, BTreeSet::from([5]));
        assert_eq!(form.values.tasks.len(), 3);
        let one = &form.values.tasks[&1];
        assert_eq!(
            (
                one.status.as_str(),
                one.date.as_str(),
                one.progress.as_str()
            ),
            ("已完成", "2018-06-30", "第一行\n第二行")
        );
        assert_eq!(form.values.tasks[&2].problem, "=1+1");
        assert_eq!(form.values.tasks[&31].plan, "<script>");
        assert_eq!(form.values.tasks[&31].note, "@备注");
        assert_eq!(form.values.reporter, "王芳");
        assert_eq!(posted(&[("draft", "1")]).intent, Intent::Draft);
        assert_eq!(posted(&[("discard", "1")]).intent, Intent::Discard);
        let many = "a=1&".repeat(max_pairs(31) + 1);
        assert_eq!(
            read_form(many.as_bytes(), &expected(), 31),
            Err(TooManyFields)
        );
    }

    #[test]
    fn each_error_by_its_field_word_for_word() {
        let rules = Rules {
            today: day("2018-08-03"),
            as_of: day("2018-07-31"),
        };
        let catalogue = catalogue();
        // Task 1 was due 2017-07-31, long passed; task 31 later.
        let deadline = |t: u32| catalogue.get(t).expect("task").deadline;
        assert!(deadline(1) < rules.as_of, "{}", deadline(1));
        let long = "长".repeat(TEXT_LIMIT + 1);
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: [Case; 9] = [
            (
                &[("status-1", "")],
                "status-1",
                "请选择完成状态：已完成、推进中、未启动 或 不适用",
            ),
            (
                &[("status-1", "大部分完成")],
                "status-1",
                "完成状态“大部分完成”无法识别：请选择 已完成、推进中、未启动 或 不适用",
            ),
            (
                &[("status-1", "已完成"), ("date-1", "2018-02-30")],
                "date-1",
                "完成时间“2018-02-30”不是有效的日期：请按 2018-07-20 的格式填写",
            ),
            (
                &[("status-1", "已完成"), ("date-1", "2018-08-04")],
                "date-1",
                "完成时间 2018年8月4日 晚于今天（2018年8月3日）：请填写实际完成的日期",
            ),
            (
                &[("status-1", "已完成"), ("date-1", "1900-01-01")],
                "date-1",
                "完成时间 1900年1月1日 的年份不对：请核对",
            ),
            (
                &[("status-1", "已完成")],
                "date-1",
                "完成时限（2017年7月31日）已过：已完成的任务请填写完成时间",
            ),
            (
                &[("status-1", "推进中"), ("date-1", "2018-07-01")],
                "date-1",
                "只有“已完成”的任务填写完成时间：请清空完成时间，或把完成状态改为“已完成”",
            ),
            (
                &[("status-1", "推进中"), ("progress-1", &long)],
                "progress-1",
                "进展情况最多 5000 字，现在有 5001 字：请精简，或把详细材料另行报送",
            ),
            (
                &[
                    ("status-1", "推进中"),
                    ("reporter", "王芳 填报日期：8月3日"),
                ],
                "reporter",
                "填报人中不能含有“填报日期”这样的栏目名称：请只填写填报人本身",
            ),
        ];
        for (pairs, key, want) in cases {
            let mut all: Vec<(&str, &str)> = vec![("status-2", "推进中"), ("status-31", "推进中")];
            all.extend_from_slice(pairs);
            let errors = check(&posted(&all), &expected(), &catalogue, rules);
            assert_eq!(
                errors.fields.get(key).map(String::as_str),
                Some(want),
                "{pairs:?}: {errors:?}"
            );
            assert_eq!(errors.count(), 1, "{pairs:?}: {errors:?}");
        }
        // A finished task whose deadline has not passed needs no date yet.
        let not_due = posted(&[
            ("status-1", "已完成"),
            ("date-1", "2018-06-30"),
            ("status-2", "不适用"),
            ("status-31", "已完成"),
        ]);
        assert!(deadline(31) > rules.as_of, "{}", deadline(31));
        assert!(check(&not_due, &expected(), &catalogue, rules).is_empty());
        let stray = posted(&[
            ("status-1", "推进中"),
            ("status-2", "推进中"),
            ("status-31", "推进中"),
            ("status-5", "已完成"),
        ]);
        assert_eq!(
            check(&stray, &expected(), &catalogue, rules).form,
            ["第 5 项任务不由本单位填报（本单位填报第 1、2、31 项）：这些内容没有保存"]
        );
    }

    #[test]
    fn a_returns_rows_become_the_forms_values_through_intakes_reading() {
        let row = |task: u32, status: &str, date: DateCell| ReturnRow {
            row: task + 2,
            last_row: task + 2,
            task,
            status: Status::parse(status),
            status_text: status.to_string(),
            status_uncomputed: false,
            date,
            status_col: Some(5),
            date_col: Some(6),
            narrative: "进展\r\n两行".into(),
            issues: "问题".into(),
            next_steps: "计划".into(),
            remarks: String::new(),
        };
        let rows = [
            row(1, "已完成", DateCell::Date(day("2018-06-20"))),
            row(2, "部分完成", DateCell::Empty),
            row(31, "大部分完成", DateCell::Unreadable("六月底前后".into())),
            row(9, "已完成", DateCell::Empty),
        ];
        let mut rows = rows.to_vec();
        rows[1].date = DateCell::Date(day("2018-06-01"));
        let meta = ReturnMeta {
            filler: Some("王芳".into()),
            phone: Some("0898-65236001".into()),
            ..ReturnMeta::default()
        };
        let prefill = from_return(&rows, Some(&meta), &expected());
        let values = &prefill.values;
        assert_eq!(values.tasks.len(), 3, "task 9 is not the unit's");
        assert_eq!(values.tasks[&1].status, "已完成");
        assert_eq!(values.tasks[&1].date, "2018-06-20");
        assert_eq!(values.tasks[&1].progress, "进展\n两行");
        assert_eq!(values.tasks[&2].status, "推进中");
        assert_eq!(values.tasks[&2].date, "");
        assert_eq!(values.tasks[&31].status, "");
        assert_eq!(
            (values.reporter.as_str(), values.phone.as_str()),
            ("王芳", "0898-65236001")
        );
        assert_eq!(
            prefill.hints,
            BTreeMap::from([
                (
                    "status-2".to_string(),
                    "上次填写为“部分完成”，已按“推进中”预填".to_string()
                ),
                (
                    "date-2".to_string(),
                    "上次填写的完成时间 2018年6月1日 没有预填：只有“已完成”的任务填写完成时间"
                        .to_string()
                ),
                (
                    "status-31".to_string(),
                    "上次填写为“大部分完成”，无法识别：请重新选择".to_string()
                ),
                (
                    "date-31".to_string(),
                    "上次填写的完成时间“六月底前后”无法识别为日期：请重新填写".to_string()
                ),
            ])
        );
    }

    #[test]
    fn a_draft_is_kept_whole_and_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = draft_path(dir.path(), "海口市");
        assert_eq!(load_draft(&path), None);
        let mut values = Values::blank(&expected());
        values.tasks.get_mut(&1).expect("task").progress = "草稿\n内容".into();
        let draft = Draft {
            saved: Utc::now(),
            values,
        };
        save_draft(&path, &draft).expect("save");
        assert_eq!(load_draft(&path), Some(draft));
        // Intake sees no file in the period folder.
        assert!(
            crate::intake::list_folder(dir.path())
                .expect("list")
                .is_empty()
        );
    }
}
