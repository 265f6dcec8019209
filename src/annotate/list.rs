//! 问题清单: every problem of the return, one a row, for the county to work through.
//! Its columns and rows are declared once here; each copy writes them with its
//! own library.

use crate::look::table::{Cell, Column, Kind, col};
use crate::problem::Problem;

/// The sheet's name, unless the workbook has a sheet of that name already.
pub const NAME: &str = "问题清单";

pub const COLUMNS: [Column; 6] = [
    col("级别", 2, Kind::Center),
    col("工作表", 5, Kind::Text),
    col("位置", 4, Kind::Center),
    col("序号", 2, Kind::Center),
    col("问题", 30, Kind::Wrap),
    col("怎么改", 24, Kind::Wrap),
];

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
                p.sheet.as_deref().unwrap_or("").into(),
                p.place().into(),
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
