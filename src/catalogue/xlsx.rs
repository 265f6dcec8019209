//! A responsibility table given as a workbook with the columns
//! 序号 / 主要任务 / 牵头单位 / 配合单位 / 完成时限, found as intake finds a header.

use std::path::Path;

use super::{Catalogue, CatalogueError, plan_name_from_title, task_from_cells};
use crate::table::cells::cell_text;
use crate::table::header::{Field, find_header};
use crate::table::workbook::{Limits, Workbook};

/// Loads the first sheet that has the five columns.
///
/// # Errors
/// When the file cannot be read, no sheet has the columns, or a row is malformed
/// (the message names the sheet's row number).
pub fn load(path: &Path, limits: Limits) -> Result<Catalogue, CatalogueError> {
    let shown = path.display().to_string();
    let io = |reason: String| CatalogueError::Io {
        path: shown.clone(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| io(crate::os::describe(&e)))?;
    let mut workbook = Workbook::open(bytes, limits).map_err(|e| io(e.to_string()))?;
    const NEEDED: [(Field, &str); 4] = [
        (Field::TaskNumber, "序号"),
        (Field::TaskText, "主要任务"),
        (Field::Lead, "牵头单位"),
        (Field::Deadline, "完成时限"),
    ];
    let mut missing = String::from("序号、主要任务、牵头单位、完成时限");
    for (name, hidden) in workbook.worksheet_names() {
        let sheet = workbook
            .read_sheet(&name, hidden)
            .map_err(|e| io(e.to_string()))?;
        let Some(header) = find_header(&sheet) else {
            continue;
        };
        let absent: Vec<&str> = NEEDED
            .iter()
            .filter(|(f, _)| header.column(*f).is_none())
            .map(|(_, n)| *n)
            .collect();
        if !absent.is_empty() {
            missing = absent.join("、");
            continue;
        }
        let mut tasks = Vec::new();
        for row in sheet
            .grid
            .rows
            .iter()
            .filter(|r| r.index >= header.data_start())
        {
            let text = |f: Field| {
                header
                    .column(f)
                    .and_then(|c| row.get(c))
                    .map(cell_text)
                    .unwrap_or_default()
            };
            let cells = [
                Field::TaskNumber,
                Field::TaskText,
                Field::Lead,
                Field::Cooperating,
                Field::Deadline,
            ]
            .map(text);
            let [a, b, c, d, e] = &cells;
            tasks.push(task_from_cells(row.index as usize + 1, [a, b, c, d, e])?);
        }
        // The title row above the header names the plan.
        let title = sheet
            .grid
            .rows
            .iter()
            .take_while(|r| r.index < header.row)
            .flat_map(|r| r.cells.iter())
            .map(|(_, v)| cell_text(v))
            .find(|t| !t.trim().is_empty());
        return Catalogue::from_tasks(title.as_deref().and_then(plan_name_from_title), tasks);
    }
    Err(CatalogueError::MissingColumns {
        path: shown,
        missing,
    })
}
