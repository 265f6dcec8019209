//! Several returns for one unit (SPEC §3): one naming another month (in its title,
//! its file name or, for a workbook kept one sheet per month, the sheet read) loses
//! whatever its dates; then the latest filed (an online form's submit time, else
//! its 填报日期) wins, ties going to the file name that sorts last. The others are
//! marked superseded, and a return naming another month is a problem even when it
//! wins. A file not read (a PDF, a damaged workbook) is said once, too, knowing
//! whether its unit sent something readable besides.

use chrono::NaiveDateTime;

use super::{FileStatus, Intake, MonthPlace, ReportPeriod, ReturnAt};
use crate::period::MonthName;
use crate::problem::{Problem, Severity};
use crate::roster::Roster;

/// Marks every return that another return of its unit wins over, and lists each
/// return naming another month.
pub(super) fn resolve(intake: &mut Intake, roster: &Roster, period: ReportPeriod) {
    type Key = (u8, Option<NaiveDateTime>, String, usize);
    let key = |intake: &Intake, (f, r): ReturnAt| -> Key {
        let file = &intake.files[f];
        let read = &file.returns[r];
        // Naming another month ranks below naming the period's month or none: an
        // upload the server stored under its own name supersedes the county's
        // earlier file by time (SPEC §10).
        let month_rank = u8::from(read.months.other_than(period).is_none());
        (month_rank, read.filed, file.name.clone(), r)
    };
    let mut winner: Vec<Option<ReturnAt>> = vec![None; roster.units.len()];
    let all: Vec<(ReturnAt, Option<usize>)> =
        intake.returns().map(|(at, _, r)| (at, r.unit)).collect();
    for &(at, unit) in &all {
        let Some(u) = unit else { continue };
        match winner[u] {
            Some(w) if key(intake, w) >= key(intake, at) => {}
            _ => winner[u] = Some(at),
        }
    }
    for &((f, r), unit) in &all {
        let unit_name = unit.map(|u| roster.units[u].name.as_str());
        if let Some(problem) = other_month_problem(intake, (f, r), period) {
            intake.problems.push(problem.unit_if(unit_name));
        }
        let Some(w) = unit.and_then(|u| winner[u]).filter(|&w| w != (f, r)) else {
            continue;
        };
        let problem = superseded_problem(intake, (f, r), w).unit_if(unit_name);
        intake.problems.push(problem);
        intake.files[f].returns[r].superseded_by = Some(intake.files[w.0].name.clone());
    }
    for file in &mut intake.files {
        if file.status == FileStatus::Read
            && !file.returns.is_empty()
            && file.returns.iter().all(|r| !r.counts())
        {
            let by = file.returns[0].superseded_by.clone().unwrap_or_default();
            file.status = FileStatus::Superseded { by };
        }
    }
}

/// `2018年6月`, or `6月` when no year is written.
fn month_text((year, month): MonthName) -> String {
    match year {
        Some(y) => format!("{y}年{month}月"),
        None => format!("{month}月"),
    }
}

/// A return whose title, file name or month sheet names another month: still
/// read, and said.
fn other_month_problem(intake: &Intake, (f, r): ReturnAt, period: ReportPeriod) -> Option<Problem> {
    let file = &intake.files[f];
    let read = &file.returns[r];
    let (place, month) = read.months.other_than(period)?;
    let named = month_text(month);
    let this = period.month.chinese();
    let (what, action) = match place {
        MonthPlace::Title => (
            format!("报表的标题写的是{named}，属于其他月份，不是本期（{this}）"),
            "仍读取本表；如该单位另有本期报表，以本期报表为准；如误报了上月报表，请报送本期报表"
                .to_string(),
        ),
        MonthPlace::FileName => (
            format!("报表的文件名写的是{named}，属于其他月份，不是本期（{this}）"),
            "仍读取本表；如该单位另有本期报表，以本期报表为准；如误报了上月报表，请报送本期报表；如只是文件名未改，请改正文件名"
                .to_string(),
        ),
        MonthPlace::Sheet => (
            format!(
                "工作簿按月分表，但没有本期（{this}）的工作表；读取的“{}”工作表是{named}的，属于其他月份，不是本期",
                read.sheet
            ),
            format!(
                "仍读取该工作表；如该单位另有本期报表，以本期报表为准；请在工作簿中增加本期（{}月）的工作表后重新报送",
                period.month.month
            ),
        ),
    };
    Some(Problem::file(Severity::Warning, &file.name, what, action))
}

/// The return at `lost` is superseded by the one at `won`: another file, or a
/// later submission in the same form export.
fn superseded_problem(intake: &Intake, lost: ReturnAt, won: ReturnAt) -> Problem {
    let name = &intake.files[lost.0].name;
    let rows = intake.files[lost.0].returns[lost.1].row_count;
    let what = if won.0 == lost.0 {
        let when = |(f, r): ReturnAt| {
            intake.files[f].returns[r]
                .filed
                .map_or("（未注明时间）".to_string(), |t| {
                    t.format("%Y-%m-%d %H:%M").to_string()
                })
        };
        format!(
            "在线表单中同一单位有多次提交，{} 的提交被 {} 的提交取代",
            when(lost),
            when(won)
        )
    } else {
        format!(
            "同一单位有多份报表，本文件被“{}”取代（后者为本期报表、填报日期较晚或文件名靠后）",
            intake.files[won.0].name
        )
    };
    Problem::file(
        Severity::Warning,
        name,
        what,
        format!("这 {rows} 行未计入汇总；如本文件才是最新版本，请删除另一份后重新汇总"),
    )
}

/// The files intake did not read: a PDF or Word file named for a unit (the unit
/// tried to report, in a form the tool cannot read), and a file that could not be
/// read. Each is said once: an error when its unit sent nothing readable, a
/// remark when another of its files counts.
pub(super) fn flag_unread_files(intake: &mut Intake, roster: &Roster) {
    let has_return = intake.returns_by_unit(roster.units.len());
    let mut found = Vec::new();
    for file in &intake.files {
        let unit = file.unit.map(|u| (u, roster.units[u].name.as_str()));
        let counted = unit.is_some_and(|(u, _)| has_return[u].is_some());
        let problem = match (&file.status, unit) {
            (FileStatus::Skipped(_), Some((_, unit))) if counted => Problem::file(
                Severity::Warning,
                &file.name,
                format!("{unit}报送的“{}”不是电子表格文件", file.name),
                "未读取该文件；已按该单位的 Excel 报表汇总。请以 Excel 文件报送",
            ),
            (FileStatus::Skipped(_), Some((_, unit))) => Problem::file(
                Severity::Error,
                &file.name,
                format!("{unit}只报送了“{}”，不是电子表格文件，无法读取", file.name),
                "该单位按未报送处理；请以 Excel 文件报送（用模板填写后报送 .xlsx 文件）",
            ),
            (FileStatus::Unreadable(why), _) if counted => Problem::file(
                Severity::Warning,
                &file.name,
                why.to_string(),
                "未读取该文件；已按该单位另一份可读取的报表汇总",
            ),
            (FileStatus::Unreadable(why), _) => Problem::file(
                Severity::Error,
                &file.name,
                why.to_string(),
                "未读取该文件；该单位按未报送处理",
            ),
            _ => continue,
        };
        found.push(problem.unit_if(unit.map(|(_, name)| name)));
    }
    intake.problems.extend(found);
}
