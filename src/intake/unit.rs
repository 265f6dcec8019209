//! Whose return it is (SPEC §3): the `填报单位` cell above the header; else the
//! file's name (a zip member's own name, then its folders, then the zip's name);
//! else the sheet's name, each matched against the roster's names and aliases,
//! longest match first. A cell and a name that disagree: the cell wins, and a
//! problem says so. No unit, or one not in the roster: a problem, the rows kept.

use super::ReadReturn;
use crate::problem::{Problem, Severity};
use crate::roster::Roster;

/// Gives a county's return its unit. `file` is the file's name as problems give
/// it; `names` the names that may name the unit, most specific first.
pub(super) fn identify(
    file: &str,
    names: &[String],
    read: &mut ReadReturn,
    roster: &Roster,
    problems: &mut Vec<Problem>,
) {
    let from_cell = read
        .meta
        .unit_text
        .as_deref()
        .and_then(|t| roster.find_in(t));
    let from_name = names.iter().find_map(|n| roster.find_in(n));
    let from_sheet = roster.find_in(&read.sheet);
    read.unit = from_cell.or(from_name).or(from_sheet);
    if let (Some(cell), Some(name)) = (from_cell, from_name)
        && cell != name
    {
        let (cell_unit, name_unit) = (&roster.units[cell].name, &roster.units[name].name);
        problems.push(
            Problem::file(
                Severity::Warning,
                file,
                format!("填报单位写的是“{cell_unit}”，文件名却是“{name_unit}”"),
                format!("按填报单位“{cell_unit}”计；如有误请更正填报单位后重新报送"),
            )
            .at(
                &read.sheet,
                read.meta.unit_cell.0,
                Some(read.meta.unit_cell.1),
            )
            .in_column("填报单位")
            .unit(cell_unit),
        );
    }
    if read.unit.is_none() {
        let written = read.meta.unit_text.clone().filter(|t| !t.trim().is_empty());
        let what = match &written {
            Some(t) => format!("填报单位“{t}”不在单位名单中"),
            None => "无法确定填报单位（填报单位栏、文件名和工作表名中都没有单位名称）".to_string(),
        };
        read.unknown_unit = Some(written.unwrap_or_else(|| file.to_string()));
        problems.push(Problem::file(
            Severity::Error,
            file,
            what,
            "其各行仍列入明细（单位栏标为未识别），不计入任何单位的统计；请在填报单位栏写明单位全称后重新报送",
        ));
    }
}
