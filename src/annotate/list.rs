//! 问题清单: every problem of the return, one a row, for the county to work through.
//! Its columns and rows are declared once here; each copy writes them with its
//! own library.

use super::Heading;
use crate::look::table::{Cell, Column, Kind, col};
use crate::period::chinese_date;
use crate::problem::Problem;

/// The sheet's name, unless the workbook has a sheet of that name already.
pub const NAME: &str = "问题清单";

/// Its columns: one A4 page across at full size.
pub const COLUMNS: [Column; 5] = [
    col("级别", 2, Kind::Center),
    col("位置", 9, Kind::Wrap),
    col("序号", 2, Kind::Center),
    col("问题", 24, Kind::Wrap),
    col("怎么改", 20, Kind::Wrap),
];

/// The row of the list's header, under its title and the line saying whose.
pub const HEADER_ROW: u32 = 2;

/// The list's title: `海口市2018年7月进展情况表问题清单`.
pub fn title(heading: &Heading) -> String {
    format!(
        "{}{}进展情况表问题清单",
        heading.unit.as_deref().unwrap_or(""),
        heading.month.chinese()
    )
}

/// The line under the title: `填报单位：海口市　　期别：2018年7月　　统计截止：2018年7月31日`.
pub fn line(heading: &Heading) -> String {
    format!(
        "填报单位：{}　　期别：{}　　统计截止：{}",
        heading.unit.as_deref().unwrap_or("未能确定"),
        heading.month.chinese(),
        chinese_date(heading.as_of)
    )
}

/// Where a problem is, as the county finds it in its own file: in words, with
/// the cell's address after it, `“进展情况”表 第17行 完成时间栏（G17）`.
fn place(p: &Problem) -> String {
    let words = p.where_in_words();
    match p.location {
        Some(crate::problem::Location { col: Some(_), .. }) => format!("{words}（{}）", p.place()),
        _ => words,
    }
}

/// A name for the list no sheet of the workbook has: 问题清单, else 问题清单2, ….
pub fn name(taken: impl Fn(&str) -> bool) -> String {
    std::iter::once(NAME.to_string())
        .chain((2..).map(|n| format!("{NAME}{n}")))
        .find(|name| !taken(name))
        .unwrap_or_default()
}

/// The rows of the list: a `notice` about the copy itself first, then every problem.
pub fn rows(problems: &[&Problem], notice: Option<&str>) -> Vec<Vec<Cell>> {
    let notice = notice.map(|text| {
        vec![
            "说明".into(),
            Cell::Empty,
            Cell::Empty,
            text.into(),
            "请对照本清单在原文件中修改后重新报送".into(),
        ]
    });
    notice
        .into_iter()
        .chain(problems.iter().map(|p| {
            vec![
                p.severity.label().into(),
                place(p).into(),
                p.task.into(),
                p.what.as_str().into(),
                p.action.as_str().into(),
            ]
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_takes_a_free_name() {
        assert_eq!(name(|_| false), "问题清单");
        assert_eq!(name(|n| n == "问题清单"), "问题清单2");
        assert_eq!(name(|n| n == "问题清单" || n == "问题清单2"), "问题清单3");
    }
}
