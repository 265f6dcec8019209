//! Finding the header row of a return and what each column means.
//!
//! The header may sit anywhere in the first 20 rows and may take two rows, a
//! merged parent (`完成情况`) over its children (`完成状态 | 完成时间`). Header words
//! are matched after removing spaces and line breaks, by the synonyms of SPEC §3.
//! Which rows hold data, and what their cells say, is [`super::rows`]' business.

use super::cells::{outside_notes, task_number_from_cell};
use super::grid::{GridRow, Merge, Sheet};
use calamine::Data;

/// How far down the header may sit (SPEC §3).
pub const HEADER_SEARCH_ROWS: u32 = 20;

/// What a column of a return holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    TaskNumber,
    TaskText,
    Lead,
    Cooperating,
    Deadline,
    Status,
    CompletionDate,
    Narrative,
    Issues,
    NextSteps,
    Remarks,
    /// The reporting unit of each row: online-form exports hold several units.
    Unit,
    /// When the row was submitted (an online form's 提交时间).
    SubmitTime,
}

/// How strongly a header word names its field: where two columns name one field,
/// the lower rank wins (`完成状态` over `状态`, `任务序号` over a form's running `序号`).
type Rank = u8;

/// Reads one header cell. `完成情况` reads as narrative; the caller demotes it when
/// it is the parent of a status column.
#[cfg(test)]
pub fn field_of(header: &str) -> Option<Field> {
    ranked_field_of(header).map(|(field, _)| field)
}

fn ranked_field_of(header: &str) -> Option<(Field, Rank)> {
    let word = header_word(header)?;
    // `填报单位：` and `填报时间：` head the line above a return's table, as labels.
    let label = word.ends_with([':', '：']);
    let word = word
        .trim_start_matches('*')
        .trim_end_matches(['*', ':', '：']);
    let word = without_question_number(word);
    if word.is_empty() {
        return None;
    }
    let field = match word {
        "任务序号" | "任务编号" => (Field::TaskNumber, 0),
        "序号" | "编号" => (Field::TaskNumber, 1),
        "主要任务" | "任务" | "任务内容" | "工作任务" => (Field::TaskText, 0),
        "牵头单位" => (Field::Lead, 0),
        "配合单位" => (Field::Cooperating, 0),
        "完成时限" => (Field::Deadline, 0),
        "完成时间" | "实际完成时间" | "完成日期" => (Field::CompletionDate, 0),
        "进展情况" | "工作进展" | "落实情况" | "推进情况" => (Field::Narrative, 0),
        "完成情况" => (Field::Narrative, 1),
        "存在问题" | "问题" => (Field::Issues, 0),
        "下步计划" | "下一步计划" | "下步打算" => (Field::NextSteps, 0),
        "备注" | "说明" => (Field::Remarks, 0),
        "填报单位" | "所属市县" => (Field::Unit, 0),
        "市县" | "单位" | "单位名称" | "市县名称" | "所在市县" | "填报市县" => {
            (Field::Unit, 1)
        }
        "提交时间" | "提交答卷时间" => (Field::SubmitTime, 0),
        "填报时间" => (Field::SubmitTime, 1),
        "完成状态" => (Field::Status, 0),
        w if w.contains("状态") || w == "是否完成" => (Field::Status, 1),
        "完成进度" | "进度" => (Field::Status, 2),
        // Words around the listed ones (工作进展情况, 存在的问题, 下一步工作计划), read
        // when no listed word names the column. A planned date is no completion date.
        w if w.contains("计划") && (w.contains("时间") || w.contains("日期")) => return None,
        w if w.contains("完成时间") || w.contains("完成日期") => (Field::CompletionDate, 1),
        w if w.contains("进展") => (Field::Narrative, 2),
        w if w.contains("问题") => (Field::Issues, 1),
        w if w.contains("计划") || w.contains("打算") => (Field::NextSteps, 1),
        _ => return None,
    };
    if label && matches!(field.0, Field::Unit | Field::SubmitTime) {
        return None;
    }
    Some(field)
}

/// A form export numbers its questions: `1、所属市县`, `Q2.任务序号`, `第3题 完成状态`.
fn without_question_number(word: &str) -> &str {
    let after_digits = |s: &str| -> Option<usize> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        (1..=3).contains(&n).then_some(n)
    };
    let (rest, numbered) = if let Some(s) = word.strip_prefix(['Q', 'q']) {
        match after_digits(s) {
            Some(n) => (&s[n..], true),
            None => (word, false),
        }
    } else if let Some(s) = word.strip_prefix('第') {
        match after_digits(s).and_then(|n| s[n..].strip_prefix('题')) {
            Some(r) => (r, true),
            None => (word, false),
        }
    } else {
        match after_digits(word) {
            // A bare number is no header; it needs a separator after it.
            Some(n) if word[n..].starts_with(['、', '.', ':', '：', ')', '_']) => {
                (&word[n..], true)
            }
            _ => (word, false),
        }
    };
    if numbered {
        rest.trim_start_matches(['、', '.', ':', '：', ')', '_'])
    } else {
        word
    }
}

/// The longest header word: longer cells are titles, notes or data, not headers.
const MAX_HEADER_CHARS: usize = 12;

/// A cell's text as a header word: white space and bracketed notes removed
/// (`完成状态（已完成/推进中）` reads `完成状态`). `None` as soon as the word grows
/// past [`MAX_HEADER_CHARS`], not counting the `*`, `:` and `：` that are trimmed
/// off its ends, so a long narrative cell costs a few characters, not its length.
fn header_word(text: &str) -> Option<String> {
    let mut word = String::new();
    let mut counted = 0;
    let chars = text
        .chars()
        .map(crate::period::to_half_width)
        .filter(|c| !c.is_whitespace());
    for c in outside_notes(chars) {
        if !matches!(c, '*' | ':' | '：') {
            counted += 1;
            if counted > MAX_HEADER_CHARS {
                return None;
            }
        }
        word.push(c);
    }
    Some(word)
}

/// The columns of a return, found.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// 0-based row of the (first) header row.
    pub row: u32,
    /// How many rows the header takes: 1 or 2.
    pub height: u32,
    /// Column of each field found, first occurrence winning.
    pub columns: Vec<(Field, u32)>,
}

impl Header {
    pub fn column(&self, field: Field) -> Option<u32> {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| *c)
    }

    /// The row after the header: where data begins.
    pub fn data_start(&self) -> u32 {
        self.row + self.height
    }

    /// Enough to read a return: a way to tell the task, a way to tell its progress
    /// (a status column, or a narrative whose first word gives it), and more than
    /// one word of a return: the task's text, or two of its other columns. A
    /// ledger's `序号 | 供应商状态 | 备注` is not a return.
    pub fn is_usable(&self) -> bool {
        let has = |f: Field| self.column(f).is_some();
        let task = has(Field::TaskNumber) || has(Field::TaskText);
        let progress = has(Field::Status) || has(Field::Narrative);
        let described = has(Field::TaskText) || self.return_columns() >= 2;
        task && progress && described
    }

    /// A header that is clearly meant as a return's but cannot be read as one: the
    /// county is told which column is missing, rather than that no return was found.
    pub fn is_partial(&self) -> bool {
        !self.is_usable()
            && self.return_columns() + usize::from(self.column(Field::TaskText).is_some()) >= 2
    }

    /// How many columns only a return has (the task's number, text, unit, remarks and
    /// submit time aside: ledgers and form exports have those too).
    fn return_columns(&self) -> usize {
        [
            Field::Status,
            Field::CompletionDate,
            Field::Narrative,
            Field::Issues,
            Field::NextSteps,
            Field::Deadline,
            Field::Lead,
            Field::Cooperating,
        ]
        .into_iter()
        .filter(|f| self.column(*f).is_some())
        .count()
    }

    fn score(&self) -> usize {
        self.columns.len() + if self.is_usable() { 100 } else { 0 }
    }
}

/// The rows a header may sit in.
fn top_rows(sheet: &Sheet) -> Vec<&GridRow> {
    sheet
        .grid
        .rows
        .iter()
        .take_while(|r| r.index < HEADER_SEARCH_ROWS)
        .collect()
}

/// Finds the best header in the first rows of a sheet, one or two rows high.
///
/// Returns `None` when no row there names at least two known columns.
pub fn find_header(sheet: &Sheet) -> Option<Header> {
    let rows = top_rows(sheet);
    // Each row's fields once: a row is looked at alone and as the child of the row above.
    let fields: Vec<Vec<Named>> = rows
        .iter()
        .map(|row| row_fields(row, &sheet.merges))
        .collect();
    let mut best: Option<Header> = None;
    for (i, row) in rows.iter().enumerate() {
        let single = &fields[i];
        if single.is_empty() {
            continue;
        }
        let mut candidates = vec![header_from(row.index, 1, single.clone())];
        let next = rows
            .get(i + 1)
            .filter(|n| Some(n.index) == row.index.checked_add(1));
        if let Some(next) = next {
            let below = &fields[i + 1];
            if !below.is_empty() && !looks_like_data(next, single) && heads_columns(single) {
                candidates.push(header_from(row.index, 2, merge_two_rows(single, below)));
            }
        }
        for candidate in candidates {
            if candidate.columns.len() >= 2
                && best.as_ref().is_none_or(|b| candidate.score() > b.score())
            {
                best = Some(candidate);
            }
        }
    }
    best
}

/// A cell's field as a header word. Only text cells hold header words; they are
/// read in place, not copied.
fn header_field(value: &Data) -> Option<(Field, Rank)> {
    match value {
        Data::String(s) => ranked_field_of(s),
        _ => None,
    }
}

/// A header cell read: its column, field and rank.
type Named = (u32, Field, Rank);

/// Each recognised header cell of a row. A merged cell's field covers every column
/// it spans, so a parent names all its children.
fn row_fields(row: &GridRow, merges: &[Merge]) -> Vec<Named> {
    let mut fields = Vec::new();
    for (col, value) in &row.cells {
        let Some((field, rank)) = header_field(value) else {
            continue;
        };
        let span_end = merges
            .iter()
            .find(|(r0, c0, r1, _)| *r0 <= row.index && row.index <= *r1 && *c0 == *col)
            .map_or(*col, |m| m.3);
        for c in *col..=span_end {
            fields.push((c, field, rank));
        }
    }
    fields
}

/// A row whose task-number column holds a task number is data, not a sub-header.
fn looks_like_data(row: &GridRow, header_fields: &[Named]) -> bool {
    header_fields
        .iter()
        .filter(|(_, f, _)| *f == Field::TaskNumber)
        .any(|(col, _, _)| row.get(*col).and_then(task_number_from_cell).is_some())
}

/// Whether a row could be the parent row of a two-row header: it names two columns
/// of a table, not just the unit or date of the line above one (`填报单位 | 海口市`).
fn heads_columns(fields: &[Named]) -> bool {
    let mut named: Vec<Field> = fields
        .iter()
        .map(|(_, f, _)| *f)
        .filter(|f| !matches!(f, Field::Unit | Field::SubmitTime))
        .collect();
    named.dedup();
    named.len() >= 2
}

/// Combines a parent row and a child row: the child names a column where it has a
/// word, the parent elsewhere. So a 完成情况 parent over 完成状态 | 完成时间 is only a
/// group title: every column it spans is named by its child.
fn merge_two_rows(parent: &[Named], child: &[Named]) -> Vec<Named> {
    let mut merged: Vec<Named> = child.to_vec();
    for named in parent {
        if child.iter().any(|(c, _, _)| *c == named.0) {
            continue;
        }
        merged.push(*named);
    }
    merged.sort_by_key(|(c, _, _)| *c);
    merged
}

/// The header these cells make: each field at its best-ranked column (the first of
/// equals). A 状态 column counts only beside a way to tell the task: elsewhere it
/// is some ledger's state (供应商状态), not a task's.
fn header_from(row: u32, height: u32, fields: Vec<Named>) -> Header {
    let mut best: Vec<(Field, u32, Rank)> = Vec::new();
    for (col, field, rank) in fields {
        match best.iter_mut().find(|(f, _, _)| *f == field) {
            Some(slot) if rank < slot.2 => *slot = (field, col, rank),
            Some(_) => {}
            None => best.push((field, col, rank)),
        }
    }
    let at = |field: Field| best.iter().find(|(f, _, _)| *f == field).copied();
    // 问卷星 and its kind open an export with 序号, the submission's running number:
    // a plain 序号 left of the submit time, in a sheet that names tasks by text, is that.
    if let (Some((_, number, 1)), Some((_, submitted, _)), Some(_), Some(_)) = (
        at(Field::TaskNumber),
        at(Field::SubmitTime),
        at(Field::Unit),
        at(Field::TaskText),
    ) && number < submitted
    {
        best.retain(|(f, _, _)| *f != Field::TaskNumber);
    }
    let has_task = best
        .iter()
        .any(|(f, _, _)| matches!(f, Field::TaskNumber | Field::TaskText));
    if !has_task {
        best.retain(|(f, _, _)| *f != Field::Status);
    }
    Header {
        row,
        height,
        columns: best.into_iter().map(|(f, c, _)| (f, c)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::grid::Grid;
    use calamine::Data;

    fn sheet(rows: &[&[&str]], merges: Vec<Merge>) -> Sheet {
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                cells.push((r as u32, c as u32, Data::String(text.to_string())));
            }
        }
        Sheet {
            name: "进展情况".into(),
            hidden: false,
            grid: Grid::from_cells(cells),
            merges,
        }
    }

    #[test]
    fn header_synonyms() {
        let cases = [
            ("序号", Field::TaskNumber),
            ("编号", Field::TaskNumber),
            ("任务 编号", Field::TaskNumber),
            ("任务序号", Field::TaskNumber),
            ("主要任务", Field::TaskText),
            ("任务", Field::TaskText),
            ("任务内容", Field::TaskText),
            ("工作任务", Field::TaskText),
            ("完成状态", Field::Status),
            ("状态", Field::Status),
            ("是否完成", Field::Status),
            ("目前状态", Field::Status),
            ("完成时间", Field::CompletionDate),
            ("实际完成\n时间", Field::CompletionDate),
            ("完成日期", Field::CompletionDate),
            ("进展情况", Field::Narrative),
            ("工作进展", Field::Narrative),
            ("落实情况", Field::Narrative),
            ("推进情况", Field::Narrative),
            ("完成情况", Field::Narrative),
            ("存在问题", Field::Issues),
            ("问题", Field::Issues),
            ("下步计划", Field::NextSteps),
            ("下一步计划", Field::NextSteps),
            ("下步打算", Field::NextSteps),
            ("备注", Field::Remarks),
            ("说明", Field::Remarks),
            ("完成时限", Field::Deadline),
            ("完成状态（已完成/推进中/未启动/不适用）", Field::Status),
            ("完成时间(年月日)", Field::CompletionDate),
            ("序号【必填】", Field::TaskNumber),
            ("牵头单位", Field::Lead),
        ];
        for (text, want) in cases {
            assert_eq!(field_of(text), Some(want), "header {text:?}");
        }
        assert_eq!(field_of("海口市消除大班额专项规划任务进展状态汇总表"), None);
        assert_eq!(field_of("供应商"), None);
        // Words around the listed ones.
        let around = [
            ("工作进展情况", Field::Narrative),
            ("目前进展", Field::Narrative),
            ("存在的问题", Field::Issues),
            ("困难和问题", Field::Issues),
            ("下一步工作计划", Field::NextSteps),
            ("下步工作打算", Field::NextSteps),
            ("实际完成时间（年月日）", Field::CompletionDate),
            ("完成进度", Field::Status),
        ];
        for (text, want) in around {
            assert_eq!(field_of(text), Some(want), "header {text:?}");
        }
        assert_eq!(field_of("计划完成时间"), None, "a plan, not a completion");
        // Online-form exports: the unit and the submit time, questions numbered.
        let forms = [
            ("填报单位", Field::Unit),
            ("单位", Field::Unit),
            ("市县", Field::Unit),
            ("所属市县", Field::Unit),
            ("1、所属市县", Field::Unit),
            ("Q2.任务序号", Field::TaskNumber),
            ("第3题 完成状态", Field::Status),
            ("4.完成时间", Field::CompletionDate),
            ("提交时间", Field::SubmitTime),
            ("提交答卷时间", Field::SubmitTime),
            ("填报时间", Field::SubmitTime),
        ];
        assert_eq!(field_of("填报单位："), None, "a label, not a column");
        for (text, want) in forms {
            assert_eq!(field_of(text), Some(want), "header {text:?}");
        }
        assert_eq!(field_of("2018"), None);
    }

    #[test]
    fn long_cells_are_not_header_words() {
        // Twelve characters is the longest header word; notes and spaces do not count.
        assert_eq!(field_of("实际完成时间实际完成时间间"), None);
        assert_eq!(
            field_of("  *完成 状态*：（请从 已完成/推进中/未启动/不适用 中选择一项填写）"),
            Some(Field::Status)
        );
        let narrative = "已完成".repeat(40);
        assert_eq!(field_of(&narrative), None);
    }

    #[test]
    fn header_below_title_rows() {
        let s = sheet(
            &[
                &["进展情况表"],
                &["填报单位：海口市"],
                &["序号", "主要任务", "完成状态", "完成时间"],
                &["1", "x", "已完成", ""],
            ],
            vec![],
        );
        let h = find_header(&s).expect("header");
        assert_eq!((h.row, h.height), (2, 1));
        assert_eq!(h.column(Field::Status), Some(2));
    }

    #[test]
    fn two_row_header_with_merged_parent() {
        let s = sheet(
            &[
                &["序号", "主要任务", "完成情况", "", "进展情况"],
                &["", "", "完成状态", "完成时间", ""],
                &["1", "x", "已完成", "2018-06-01", "好"],
            ],
            vec![(0, 2, 0, 3), (0, 0, 1, 0)],
        );
        let h = find_header(&s).expect("header");
        assert_eq!((h.row, h.height), (0, 2));
        assert_eq!(h.column(Field::Status), Some(2));
        assert_eq!(h.column(Field::CompletionDate), Some(3));
        assert_eq!(h.column(Field::Narrative), Some(4));
        assert_eq!(h.data_start(), 2);
    }

    #[test]
    fn two_row_header_without_merge_information() {
        // xlsb and ods give only the parent's top-left value.
        let s = sheet(
            &[
                &["序号", "任务", "完成情况", "", "落实情况"],
                &["", "", "是否完成", "完成日期", ""],
                &["1", "x", "完成", "", ""],
            ],
            vec![],
        );
        let h = find_header(&s).expect("header");
        assert_eq!(h.height, 2);
        assert_eq!(h.column(Field::Narrative), Some(4));
        assert_eq!(h.column(Field::CompletionDate), Some(3));
    }

    #[test]
    fn a_state_column_needs_a_task_column_beside_it() {
        // A supplier ledger is no return, though its header says 状态.
        let ledger = sheet(
            &[
                &["序号", "供应商名称", "供应商状态", "备注"],
                &["1", "某公司", "合格", ""],
            ],
            vec![],
        );
        let h = find_header(&ledger).expect("a header");
        assert!(!h.is_usable() && !h.is_partial(), "{h:?}");
        let no_task = sheet(&[&["供应商", "供应商状态", "备注"]], vec![]);
        assert_eq!(
            find_header(&no_task),
            None,
            "状态 without a task column names nothing"
        );
    }

    #[test]
    fn the_strongest_name_wins() {
        // 完成状态 over another 状态; a form's running 序号 loses to 任务序号.
        let s = sheet(
            &[&[
                "序号",
                "提交答卷时间",
                "审核状态",
                "任务序号",
                "主要任务",
                "完成状态",
                "进展情况",
            ]],
            vec![],
        );
        let h = find_header(&s).expect("header");
        assert_eq!(h.column(Field::Status), Some(5));
        assert_eq!(h.column(Field::TaskNumber), Some(3));
        assert_eq!(h.column(Field::SubmitTime), Some(1));
    }

    #[test]
    fn a_form_exports_running_number_is_no_task_number() {
        let wjx = sheet(
            &[&[
                "序号",
                "提交答卷时间",
                "所用时间",
                "1、所属市县",
                "2、主要任务",
                "3、完成状态",
            ]],
            vec![],
        );
        let h = find_header(&wjx).expect("header");
        assert_eq!(h.column(Field::TaskNumber), None);
        assert_eq!(h.column(Field::TaskText), Some(4));
        // A form that asks for the task's number keeps it.
        let kdocs = sheet(
            &[&["提交时间", "填报单位", "序号", "主要任务", "完成状态"]],
            vec![],
        );
        assert_eq!(
            find_header(&kdocs)
                .expect("header")
                .column(Field::TaskNumber),
            Some(2)
        );
    }

    #[test]
    fn a_return_without_a_status_column_is_usable() {
        let s = sheet(&[&["序号", "主要任务", "完成时间", "进展情况"]], vec![]);
        let h = find_header(&s).expect("header");
        assert!(h.is_usable());
        assert_eq!(h.column(Field::Status), None);
    }

    #[test]
    fn a_data_row_is_not_a_sub_header() {
        let s = sheet(&[&["序号", "任务", "状态"], &["1", "任务", "问题"]], vec![]);
        let h = find_header(&s).expect("header");
        assert_eq!(h.height, 1);
    }
}
