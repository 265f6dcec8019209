//! Finding the header row of a return and what each column means.
//!
//! The header may sit anywhere in the first 20 rows and may take two rows, a
//! merged parent (`完成情况`) over its children (`完成状态 | 完成时间`). Header words
//! are matched after removing spaces and line breaks, by the synonyms of SPEC §3.
//! Which rows hold data, and what their cells say, is [`super::rows`]' business.

use super::values::task_number_from_cell;
use super::workbook::{GridRow, Merge, Sheet};
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
}

/// Reads one header cell. `完成情况` reads as narrative; the caller demotes it when
/// it is the parent of a status column.
pub fn field_of(header: &str) -> Option<Field> {
    let word = header_word(header)?;
    let word = word
        .trim_start_matches('*')
        .trim_end_matches(['*', ':', '：']);
    if word.is_empty() {
        return None;
    }
    let field = match word {
        "序号" | "编号" | "任务序号" | "任务编号" => Field::TaskNumber,
        "主要任务" | "任务" | "任务内容" | "工作任务" => Field::TaskText,
        "牵头单位" => Field::Lead,
        "配合单位" => Field::Cooperating,
        "完成时限" => Field::Deadline,
        "完成时间" | "实际完成时间" | "完成日期" => Field::CompletionDate,
        "进展情况" | "工作进展" | "落实情况" | "推进情况" | "完成情况" => {
            Field::Narrative
        }
        "存在问题" | "问题" => Field::Issues,
        "下步计划" | "下一步计划" | "下步打算" => Field::NextSteps,
        "备注" | "说明" => Field::Remarks,
        w if w.contains("状态") || w == "是否完成" => Field::Status,
        _ => return None,
    };
    Some(field)
}

/// The longest header word: longer cells are titles, notes or data, not headers.
const MAX_HEADER_CHARS: usize = 12;

/// A cell's text as a header word: white space and bracketed notes removed
/// (`完成状态（已完成/推进中）` reads `完成状态`). `None` as soon as the word grows
/// past [`MAX_HEADER_CHARS`], not counting the `*`, `:` and `：` that are trimmed
/// off its ends, so a long narrative cell costs a few characters, not its length.
fn header_word(text: &str) -> Option<String> {
    let mut word = String::new();
    let mut depth = 0usize;
    let mut counted = 0;
    for c in text.chars().map(crate::period::to_half_width) {
        match c {
            _ if c.is_whitespace() => {}
            '(' | '[' | '【' => depth += 1,
            ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            _ => {
                if !matches!(c, '*' | ':' | '：') {
                    counted += 1;
                    if counted > MAX_HEADER_CHARS {
                        return None;
                    }
                }
                word.push(c);
            }
        }
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

    /// Enough to read a return: a way to tell the task and a status column.
    pub fn is_usable(&self) -> bool {
        (self.column(Field::TaskNumber).is_some() || self.column(Field::TaskText).is_some())
            && self.column(Field::Status).is_some()
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
    let fields: Vec<Vec<(u32, Field)>> = rows
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
            if !below.is_empty() && !looks_like_data(next, single) {
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

/// Whether merged areas could change the header found. A merge only widens a
/// header cell over the empty cells on its right, and a wider cell only names more
/// columns when it is the parent row of a two-row header: so only when a header
/// word has an empty cell on its right and the row below holds header words too.
pub fn spans_matter(sheet: &Sheet) -> bool {
    let rows = top_rows(sheet);
    rows.windows(2).any(|pair| {
        let (row, below) = (pair[0], pair[1]);
        below.index == row.index + 1
            && row.cells.iter().any(|(col, value)| {
                // The cheap test first: most cells have a neighbour.
                col.checked_add(1)
                    .is_none_or(|next| row.get(next).is_none())
                    && header_field(value).is_some()
            })
            && below
                .cells
                .iter()
                .any(|(_, value)| header_field(value).is_some())
    })
}

/// A cell's field as a header word. Only text cells hold header words; they are
/// read in place, not copied.
fn header_field(value: &Data) -> Option<Field> {
    match value {
        Data::String(s) => field_of(s),
        _ => None,
    }
}

/// Each recognised header cell of a row as (column, field). A merged cell's field
/// covers every column it spans, so a parent names all its children.
fn row_fields(row: &GridRow, merges: &[Merge]) -> Vec<(u32, Field)> {
    let mut fields = Vec::new();
    for (col, value) in &row.cells {
        let Some(field) = header_field(value) else {
            continue;
        };
        let span_end = merges
            .iter()
            .find(|(r0, c0, r1, _)| *r0 <= row.index && row.index <= *r1 && *c0 == *col)
            .map_or(*col, |m| m.3);
        for c in *col..=span_end {
            fields.push((c, field));
        }
    }
    fields
}

/// A row whose task-number column holds a task number is data, not a sub-header.
fn looks_like_data(row: &GridRow, header_fields: &[(u32, Field)]) -> bool {
    header_fields
        .iter()
        .filter(|(_, f)| *f == Field::TaskNumber)
        .any(|(col, _)| row.get(*col).and_then(task_number_from_cell).is_some())
}

/// Combines a parent row and a child row: the child names a column where it has a
/// word, the parent elsewhere. So a 完成情况 parent over 完成状态 | 完成时间 is only a
/// group title: every column it spans is named by its child.
fn merge_two_rows(parent: &[(u32, Field)], child: &[(u32, Field)]) -> Vec<(u32, Field)> {
    let mut merged: Vec<(u32, Field)> = child.to_vec();
    for (col, field) in parent {
        if child.iter().any(|(c, _)| c == col) {
            continue;
        }
        merged.push((*col, *field));
    }
    merged.sort_by_key(|(c, _)| *c);
    merged
}

fn header_from(row: u32, height: u32, fields: Vec<(u32, Field)>) -> Header {
    let mut columns: Vec<(Field, u32)> = Vec::new();
    for (col, field) in fields {
        if !columns.iter().any(|(f, _)| *f == field) {
            columns.push((field, col));
        }
    }
    Header {
        row,
        height,
        columns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::workbook::Grid;
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
        assert_eq!(field_of("单位"), None);
    }

    #[test]
    fn long_cells_are_not_header_words() {
        // Twelve characters is the longest header word; notes and spaces do not count.
        assert_eq!(field_of("实际完成时间实际完成时间"), None);
        assert_eq!(
            field_of("  *完成 状态*：（请从 已完成/推进中/未启动/不适用 中选择一项填写）"),
            Some(Field::Status)
        );
        let narrative = "已完成".repeat(40);
        assert_eq!(field_of(&narrative), None);
    }

    #[test]
    fn merges_are_read_only_where_they_could_widen_a_parent_header() {
        let contiguous = sheet(
            &[
                &["序号", "主要任务", "完成状态", "完成时间"],
                &["1", "x", "已完成", ""],
            ],
            vec![],
        );
        assert!(!spans_matter(&contiguous));
        let two_rows = sheet(
            &[
                &["序号", "主要任务", "完成情况", "", "进展情况"],
                &["", "", "完成状态", "完成时间", ""],
            ],
            vec![],
        );
        assert!(spans_matter(&two_rows));
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
    fn a_data_row_is_not_a_sub_header() {
        let s = sheet(&[&["序号", "任务", "状态"], &["1", "任务", "问题"]], vec![]);
        let h = find_header(&s).expect("header");
        assert_eq!(h.height, 1);
    }
}
