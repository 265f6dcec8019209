//! The seed text layout: tab-indented cells, rows separated by blank lines.
//!
//! A line starting with a tab opens a cell; a tab alone is an empty cell. A
//! non-empty line without a tab continues the cell before it, even across a blank
//! line (tasks 9 and 10 split `各市县政府、` and `省国土资源厅` so). Lines before the
//! first row are the title; the row whose first cell is `序号` is the header.

use super::{Catalogue, CatalogueError, Task, plan_name_from_title, task_from_cells};

struct Row {
    line: usize,
    cells: Vec<String>,
}

/// Parses a responsibility table in the seed layout.
///
/// # Errors
/// A row without exactly five cells, or with a bad number or deadline, names its line.
pub fn parse(text: &str) -> Result<Catalogue, CatalogueError> {
    let mut title_lines: Vec<&str> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut row_open = false;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim_start_matches('\u{feff}');
        if let Some(cell) = line.strip_prefix('\t') {
            if !row_open {
                rows.push(Row {
                    line: line_no,
                    cells: Vec::new(),
                });
                row_open = true;
            }
            if let Some(row) = rows.last_mut() {
                row.cells.push(cell.trim_end().to_string());
            }
        } else if line.trim().is_empty() {
            row_open = false;
        } else if let Some(cell) = rows.last_mut().and_then(|r| r.cells.last_mut()) {
            cell.push('\n');
            cell.push_str(line.trim());
            row_open = true;
        } else {
            title_lines.push(line.trim());
        }
    }

    // A title with 《》 anywhere above names the plan before any other line does.
    let plan_name = title_lines
        .iter()
        .filter(|l| l.contains('《'))
        .chain(title_lines.iter())
        .find_map(|l| plan_name_from_title(l));
    let mut tasks: Vec<Task> = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.cells.first().map(|c| c.trim()) == Some("序号") {
            continue;
        }
        let cells: [&str; 5] = match row.cells.as_slice() {
            [a, b, c, d, e] => [a, b, c, d, e],
            other => {
                return Err(CatalogueError::WrongCellCount {
                    line: row.line,
                    found: other.len(),
                });
            }
        };
        tasks.push(task_from_cells(row.line, cells)?);
    }
    Catalogue::from_tasks(plan_name, tasks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::DEFAULT_SEED;
    use chrono::NaiveDate;

    fn seed() -> Catalogue {
        parse(DEFAULT_SEED).expect("the embedded seed parses")
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    /// Every task's units and deadline, pinned: (number, lead, cooperating, deadline text, date).
    #[test]
    fn all_31_tasks() {
        const CITIES: &str = "各市县政府";
        type Pinned<'a> = (u32, &'a [&'a str], &'a [&'a str], &'a str, &'a str);
        let expected: &[Pinned] = &[
            (1, &[CITIES], &["省教育厅"], "2017年7月底", "2017-07-31"),
            (
                2,
                &[CITIES],
                &["省教育厅", "省卫生计生委", "省发展改革委"],
                "2018年底",
                "2018-12-31",
            ),
            (
                3,
                &[CITIES, "省教育厅"],
                &[
                    "省发展改革委",
                    "省卫生计生委",
                    "省住房城乡建设厅",
                    "省公安厅",
                ],
                "2020年",
                "2020-12-31",
            ),
            (
                4,
                &["省教育厅", "省住房城乡建设厅"],
                &[CITIES],
                "2020年",
                "2020-12-31",
            ),
            (5, &[CITIES, "省教育厅"], &[], "2020年", "2020-12-31"),
            (
                6,
                &[CITIES, "省住房城乡建设厅"],
                &["省教育厅"],
                "2020年",
                "2020-12-31",
            ),
            (
                7,
                &[CITIES, "省住房城乡建设厅"],
                &["省教育厅"],
                "2020年",
                "2020-12-31",
            ),
            (
                8,
                &[CITIES, "省住房城乡建设厅"],
                &["省教育厅", "省国土资源厅"],
                "2018年底",
                "2018-12-31",
            ),
            (
                9,
                &[CITIES, "省国土资源厅"],
                &["省教育厅"],
                "2020年",
                "2020-12-31",
            ),
            (
                10,
                &[CITIES, "省国土资源厅"],
                &["省住房城乡建设厅", "省教育厅"],
                "2020年",
                "2020-12-31",
            ),
            (
                11,
                &["省编办", CITIES],
                &["省教育厅", "省财政厅"],
                "2020年",
                "2020-12-31",
            ),
            (
                12,
                &[CITIES, "省编办"],
                &["省人力资源社会保障厅", "省教育厅", "省财政厅"],
                "2020年",
                "2020-12-31",
            ),
            (
                13,
                &[CITIES, "省教育厅"],
                &["省编办"],
                "2020年",
                "2020-12-31",
            ),
            (
                14,
                &[CITIES, "省编办"],
                &["省教育厅"],
                "2017年",
                "2017-12-31",
            ),
            (
                15,
                &[CITIES, "省教育厅"],
                &["省编办"],
                "2020年",
                "2020-12-31",
            ),
            (
                16,
                &["省教育厅", CITIES],
                &["省编办", "省人力资源社会保障厅", "省财政厅"],
                "2020年",
                "2020-12-31",
            ),
            (
                17,
                &[CITIES, "省教育厅"],
                &["省编办", "省财政厅"],
                "2020年",
                "2020-12-31",
            ),
            (
                18,
                &[CITIES, "省教育厅"],
                &["省编办"],
                "2020年",
                "2020-12-31",
            ),
            (
                19,
                &[CITIES, "省教育厅"],
                &["省人力资源社会保障厅"],
                "2020年",
                "2020-12-31",
            ),
            (
                20,
                &[CITIES, "省教育厅"],
                &["省财政厅", "省人力资源社会保障厅"],
                "2020年",
                "2020-12-31",
            ),
            (
                21,
                &[CITIES, "省教育厅"],
                &["省财政厅", "省发展改革委"],
                "2020年",
                "2020-12-31",
            ),
            (
                22,
                &[CITIES, "省教育厅"],
                &["省财政厅", "省发展改革委"],
                "2020年",
                "2020-12-31",
            ),
            (
                23,
                &[CITIES, "省教育厅"],
                &["省财政厅"],
                "2020年",
                "2020-12-31",
            ),
            (24, &[CITIES, "省教育厅"], &[], "2020年", "2020-12-31"),
            (25, &["省教育厅", CITIES], &[], "2020年", "2020-12-31"),
            (26, &[CITIES, "省教育厅"], &[], "2020年", "2020-12-31"),
            (27, &["省教育厅", CITIES], &[], "2020年", "2020-12-31"),
            (28, &["省教育厅"], &[], "2020年", "2020-12-31"),
            (29, &["省教育厅", CITIES], &[], "2020年", "2020-12-31"),
            (30, &["省教育厅", CITIES], &[], "2020年", "2020-12-31"),
            (
                31,
                &[CITIES, "省教育厅"],
                &["省人力资源社会保障厅", "省财政厅", "省编办"],
                "2020年",
                "2020-12-31",
            ),
        ];
        let catalogue = seed();
        assert_eq!(catalogue.tasks.len(), 31);
        for (task, (number, lead, coop, text, day)) in catalogue.tasks.iter().zip(expected) {
            assert_eq!(task.number, *number);
            assert_eq!(task.lead, *lead, "task {number}: lead units");
            assert_eq!(task.cooperating, *coop, "task {number}: cooperating units");
            assert_eq!(task.deadline_text, *text, "task {number}: deadline text");
            assert_eq!(task.deadline, date(day), "task {number}: deadline date");
            assert!(!task.text.is_empty(), "task {number}: text");
        }
    }

    #[test]
    fn task_texts_are_whole() {
        let catalogue = seed();
        let first = &catalogue.tasks[0];
        assert_eq!(first.text, "各市县政府要制定本市县消除大班额专项规划。");
        assert!(
            catalogue.tasks[30]
                .text
                .ends_with("至少办好1所优质中学、1所优质小学。")
        );
        assert_eq!(
            catalogue.plan_name.as_deref(),
            Some("海南省消除义务教育学校大班额专项规划")
        );
    }

    #[test]
    fn typo_in_task_7_is_normalised() {
        let task = seed().get(7).cloned().expect("task 7");
        assert_eq!(task.lead, ["各市县政府", "省住房城乡建设厅"]);
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let text = "标题\n\n\t序号\n\t主要任务\n\t牵头单位\n\t配合单位\n\t完成时限\n\n\t1\n\t任务一\n\t各市县政府\n\t2018年底\n";
        assert_eq!(
            parse(text).err(),
            Some(CatalogueError::WrongCellCount { line: 9, found: 4 })
        );
        let text = "\t甲\n\t任务一\n\t各市县政府\n\t\n\t2018年底\n";
        assert_eq!(
            parse(text).err(),
            Some(CatalogueError::BadNumber {
                line: 1,
                value: "甲".into()
            })
        );
        let text = "\t1\n\t任务一\n\t各市县政府\n\t\n\t尽快\n";
        assert_eq!(
            parse(text).err(),
            Some(CatalogueError::BadDeadline {
                line: 1,
                value: "尽快".into()
            })
        );
        assert_eq!(parse("只有标题\n").err(), Some(CatalogueError::Empty));
        let message = CatalogueError::WrongCellCount { line: 9, found: 4 }.to_string();
        assert_eq!(
            message,
            "任务表第 9 行：应有 5 栏（序号、主要任务、牵头单位、配合单位、完成时限），实际 4 栏"
        );
    }
}
