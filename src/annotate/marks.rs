//! Which cell of the county's sheet gets which fill and which note: the same
//! marks whether the copy is the county's file ([`super::original`]) or a new
//! workbook laid out like it ([`super::rebuilt`]).

use std::collections::BTreeMap;

use crate::look::style::{ERROR_FILL, ROW_TINT, WARNING_FILL};
use crate::problem::{Problem, Severity};
use crate::table::grid::Sheet;

/// What the copy shows on one cell (0-based row and column).
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// The fill, as 0xRRGGBB.
    pub fill: u32,
    /// The frame round the cell: what still shows when the copy is printed in
    /// black and white, where the pale fills all but vanish. `None` for a cell
    /// only tinted with its row.
    pub frame: Option<Frame>,
    /// The note, one line a problem; `None` for a cell only tinted with its row.
    pub note: Option<String>,
}

/// A problem cell's frame: a thick black line for what must be fixed, a thick
/// dashed one for what is worth a look. Distinct in any print, and in colour
/// blindness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frame {
    Error,
    Warning,
}

/// The marks of `sheet`, by (row, column). A problem on a cell fills that cell,
/// red for an error and yellow for a warning; a problem on a whole row tints the
/// row's non-empty cells and puts its note on the first of them. A cell inside a
/// merged area is marked on the area's top-left cell, the only one that shows.
pub fn marks(sheet: &Sheet, problems: &[&Problem]) -> BTreeMap<(u32, u32), Mark> {
    let mut cells: BTreeMap<(u32, u32), Vec<&Problem>> = BTreeMap::new();
    let mut tinted: BTreeMap<(u32, u32), ()> = BTreeMap::new();
    for p in problems
        .iter()
        .filter(|p| p.sheet.as_deref() == Some(sheet.name.as_str()))
    {
        let Some(location) = p.location else { continue };
        let at = match location.col {
            Some(col) => (location.row, col),
            None => {
                let row = sheet.grid.rows_between(location.row, location.row).first();
                for (col, _) in row.map_or(&[][..], |r| &r.cells[..]) {
                    tinted.insert(top_left(sheet, (location.row, *col)), ());
                }
                let first = row.and_then(|r| r.cells.first()).map_or(0, |(c, _)| *c);
                (location.row, first)
            }
        };
        let at = top_left(sheet, at);
        tinted.remove(&at);
        cells.entry(at).or_default().push(p);
    }
    let mut marks: BTreeMap<(u32, u32), Mark> = tinted
        .into_keys()
        .filter(|at| !cells.contains_key(at))
        .map(|at| {
            let mark = Mark {
                fill: ROW_TINT,
                frame: None,
                note: None,
            };
            (at, mark)
        })
        .collect();
    for (at, mut found) in cells {
        // Errors first: what must be fixed before what is worth a look.
        found.sort_by_key(|p| p.severity);
        let on_cell = found
            .iter()
            .filter(|p| p.location.is_some_and(|l| l.col.is_some()))
            .map(|p| p.severity)
            .min();
        let fill = match on_cell {
            Some(Severity::Error) => ERROR_FILL,
            Some(Severity::Warning) => WARNING_FILL,
            None => ROW_TINT,
        };
        // A row's problem frames the cell its note is on, by the worst on it.
        let frame = match found.iter().map(|p| p.severity).min() {
            Some(Severity::Error) => Some(Frame::Error),
            _ => Some(Frame::Warning),
        };
        let note = found.iter().map(|p| note_line(p)).collect::<Vec<_>>();
        marks.insert(
            at,
            Mark {
                fill,
                frame,
                note: Some(note.join("\n")),
            },
        );
    }
    marks
}

/// One problem as a line of a note: `【错误】完成时间“下个月”无法识别。请填写日期`.
pub fn note_line(p: &Problem) -> String {
    let what = p.what.trim_end_matches(['。', '.', ' ']);
    if p.action.is_empty() {
        format!("【{}】{what}。", p.severity.label())
    } else {
        format!("【{}】{what}。{}", p.severity.label(), p.action)
    }
}

/// The cell that shows for `at`: the top-left cell of the merged area holding it.
fn top_left(sheet: &Sheet, (row, col): (u32, u32)) -> (u32, u32) {
    sheet
        .merges
        .iter()
        .find(|(r0, c0, r1, c1)| (*r0..=*r1).contains(&row) && (*c0..=*c1).contains(&col))
        .map_or((row, col), |(r0, c0, _, _)| (*r0, *c0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::grid::Grid;
    use calamine::Data;

    fn sheet() -> Sheet {
        let text = |s: &str| Data::String(s.into());
        Sheet {
            name: "进展情况".into(),
            hidden: false,
            grid: Grid::from_cells(vec![
                (3, 0, Data::Float(1.0)),
                (3, 5, text("大部分完成")),
                (3, 6, text("下个月")),
                (5, 1, text("合计")),
                (5, 2, text("共 30 项")),
                (6, 5, text("推进中")),
            ]),
            // 完成状态 merged down over rows 7 and 8.
            merges: vec![(6, 5, 7, 5)],
        }
    }

    fn problem(severity: Severity, row: u32, col: Option<u32>, what: &str) -> Problem {
        Problem::file(severity, "x.xlsx", what, "请改正").at("进展情况", row, col)
    }

    #[test]
    fn cells_rows_and_merged_areas_are_marked_where_they_show() {
        let problems = [
            problem(Severity::Warning, 3, Some(6), "完成时间“下个月”无法识别"),
            problem(Severity::Error, 3, Some(6), "已完成但未填完成时间。"),
            problem(Severity::Warning, 5, None, "“合计”行无法识别"),
            problem(Severity::Error, 7, Some(5), "完成状态无法识别"),
            Problem::file(Severity::Error, "x.xlsx", "整个文件", "重新报送"),
            problem(Severity::Error, 3, Some(0), "另一张表的问题").at("填表说明", 3, Some(0)),
        ];
        let refs: Vec<&Problem> = problems.iter().collect();
        let marks = marks(&sheet(), &refs);
        let at = |r, c| marks.get(&(r, c)).cloned();
        assert_eq!(
            at(3, 6),
            Some(Mark {
                fill: ERROR_FILL,
                frame: Some(Frame::Error),
                note: Some(
                    "【错误】已完成但未填完成时间。请改正\n【提示】完成时间“下个月”无法识别。请改正"
                        .into()
                ),
            }),
            "one note, errors first, no doubled 。"
        );
        assert_eq!(
            at(5, 1).map(|m| m.fill),
            Some(ROW_TINT),
            "row note on its first cell"
        );
        assert!(at(5, 1).and_then(|m| m.note).is_some());
        assert_eq!(
            at(5, 1).and_then(|m| m.frame),
            Some(Frame::Warning),
            "a row's note cell is framed, so its mark prints in black and white"
        );
        assert_eq!(
            at(5, 2),
            Some(Mark {
                fill: ROW_TINT,
                frame: None,
                note: None
            })
        );
        assert_eq!(
            at(6, 5).map(|m| m.fill),
            Some(ERROR_FILL),
            "a covered cell is marked on its merged area's top-left cell"
        );
        assert_eq!(at(7, 5), None);
        assert_eq!(
            at(3, 0),
            None,
            "the other sheet's problem stays in the list"
        );
        assert_eq!(marks.len(), 4);
    }
}
