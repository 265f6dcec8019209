//! `check FILE`: what the tool understood of one return, and its problems, for the
//! county about to send it.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use super::Outcome;
use crate::check::{Consolidation, UnitRef, Verdict, consolidate};
use crate::cli::{CheckArgs, CheckPlan, Settings};
use crate::intake::values::DateCell;
use crate::intake::{FileStatus, Intake, Quiet, ReadReturn, SourceFile};
use crate::problem::{Problem, Severity};
use crate::save::save_atomic;

/// `check` flags 临期 as `run` does by default.
const DUE_SOON_DAYS: u32 = 30;

pub fn run(settings: &Settings, args: &CheckArgs) -> Result<Outcome> {
    let plan = CheckPlan::resolve(args, settings.today)?;
    let reader = settings.reader();
    let intake = reader.read_files(std::slice::from_ref(&plan.file), plan.period, &Quiet);
    let as_of = plan.period.as_of;
    let result = consolidate(
        &settings.catalogue,
        &settings.roster,
        &intake,
        as_of,
        DUE_SOON_DAYS,
    );
    let Some(file) = intake.files.first() else {
        anyhow::bail!("找不到文件 {}", args.file.display());
    };
    let mut out = String::new();
    let _ = writeln!(out, "文件：{}", plan.file.display());
    if let FileStatus::Skipped(_) = file.status {
        let _ = writeln!(
            out,
            "无法检查：“{}”不是电子表格文件。请以 Excel 文件报送：用模板填写后保存为 .xlsx 文件再报送。",
            file.name
        );
        super::print(&out);
        return Ok(Outcome::Rejected);
    }
    describe_file(&mut out, file, settings);
    let _ = writeln!(out, "统计截止：{}", as_of.format("%Y-%m-%d"));
    let due = crate::period::returns_due(as_of, plan.due_day);
    let mut problems: Vec<Problem> = result.problems.clone();
    for read in file.returns.iter().filter(|r| r.counts()) {
        let _ = writeln!(out);
        list_tasks(&mut out, &result, read, file.returns.len() > 1, settings);
        problems.extend(self_check(file, read, &result, due));
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let _ = writeln!(out);
    if let Some(path) = &plan.annotate {
        write_annotated(&plan.file, path, &intake, &problems, settings)?;
        let _ = writeln!(
            out,
            "标注副本已写入 {}（有问题的单元格已标色并附批注）",
            path.display()
        );
    }
    list_problems(&mut out, &problems, errors);
    super::print(&out);
    Ok(if errors > 0 {
        Outcome::Rejected
    } else {
        Outcome::Done
    })
}

/// The file's status, and for each return read its unit, sheet and 填报 line.
fn describe_file(out: &mut String, file: &SourceFile, settings: &Settings) {
    let roster = &settings.roster;
    if let FileStatus::Unreadable(why) = &file.status {
        let _ = writeln!(out, "无法读取：{why}");
        return;
    }
    if file.is_form_export() {
        let _ = writeln!(
            out,
            "在线表单导出文件：含 {} 份提交（每个单位以最后一次提交为准）",
            file.returns.len()
        );
    }
    for read in &file.returns {
        match (read.unit, &read.unknown_unit) {
            (Some(u), _) => {
                let _ = writeln!(out, "填报单位：{}", roster.units[u].name);
            }
            (None, Some(text)) => {
                let _ = writeln!(out, "填报单位：无法识别（{text}）");
            }
            _ => {}
        }
        let meta = &read.meta;
        let blank = "（未填）";
        let date = meta
            .fill_date
            .map_or(blank.to_string(), |d| d.format("%Y-%m-%d").to_string());
        let _ = writeln!(
            out,
            "工作表：{}　填报日期：{date}　读到任务行 {} 行",
            read.sheet, read.row_count
        );
        let _ = writeln!(
            out,
            "填报人：{}　联系电话：{}",
            meta.filler.as_deref().unwrap_or(blank),
            meta.phone.as_deref().unwrap_or(blank)
        );
        if let Some(by) = &read.superseded_by {
            let _ = writeln!(out, "（本份提交已被“{by}”中更晚的提交取代）");
        }
    }
}

/// One line per task of the return's unit: status, date, verdict and source row.
fn list_tasks(
    out: &mut String,
    result: &Consolidation,
    read: &ReadReturn,
    name_unit: bool,
    settings: &Settings,
) {
    let unit_name = |u: usize| settings.roster.units[u].name.as_str();
    if name_unit {
        let name = read
            .unit
            .map(unit_name)
            .or(read.unknown_unit.as_deref())
            .unwrap_or("");
        let _ = writeln!(out, "【{name}】");
    }
    let _ = writeln!(out, "序号\t完成状态\t完成时间\t判定\t来源行");
    for entry in entries_of(result, read) {
        let row = entry.row.as_ref();
        let date = match row.map(|r| &r.date) {
            Some(DateCell::Date(d)) => d.format("%Y-%m-%d").to_string(),
            Some(DateCell::Unreadable(t)) => format!("（无法识别：{t}）"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            entry.task,
            row.map_or("", |r| r.status_text.as_str()),
            date,
            entry.verdict.label(),
            row.map_or(String::new(), |r| crate::problem::row_ref(r.row)),
        );
    }
}

/// The entries judged for one return's unit.
fn entries_of<'a>(
    result: &'a Consolidation,
    read: &'a ReadReturn,
) -> impl Iterator<Item = &'a crate::check::Entry> {
    result
        .entries
        .iter()
        .filter(move |entry| match (&entry.unit, read.unit) {
            (UnitRef::Known(u), Some(mine)) => *u == mine,
            (UnitRef::Unknown(text), None) => read.unknown_unit.as_ref() == Some(text),
            _ => false,
        })
}

/// What a county must hear before sending, beyond the consolidation's problems:
/// tasks left out, a late or blank 填报日期, no one to call back.
fn self_check(
    file: &SourceFile,
    read: &ReadReturn,
    result: &Consolidation,
    due: Option<NaiveDate>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |severity, what: String, action: &str| {
        problems.push(Problem::file(severity, &file.name, what, action));
    };
    // A missing row is not a problem of the consolidation (缺报事项 lists it), but a
    // county checking its own return must fill it in before sending.
    let omitted: Vec<String> = entries_of(result, read)
        .filter(|e| e.verdict == Verdict::Omitted)
        .map(|e| e.task.to_string())
        .collect();
    if !omitted.is_empty() {
        problem(
            Severity::Error,
            format!(
                "漏报 {} 项任务（序号 {}）",
                omitted.len(),
                omitted.join("、")
            ),
            "请补上这些任务的行并填写完成状态",
        );
    }
    let meta = &read.meta;
    match (meta.fill_date, due) {
        (None, _) => problem(
            Severity::Warning,
            "未填填报日期".into(),
            "请在“填报日期：”后填写报送当天的日期，如 2018年8月3日",
        ),
        (Some(filed), Some(due)) if filed > due => problem(
            Severity::Warning,
            format!(
                "填报日期 {} 晚于报送截止日 {}，汇总时将标为迟报",
                filed.format("%Y-%m-%d"),
                due.format("%Y-%m-%d")
            ),
            "请尽快报送；如填报日期写错了请更正",
        ),
        _ => {}
    }
    if meta.filler.is_none() {
        problem(
            Severity::Warning,
            "未填填报人".into(),
            "请在“填报人：”后填写经办人姓名，便于核实情况",
        );
    }
    if meta.phone.is_none() {
        problem(
            Severity::Warning,
            "未填联系电话".into(),
            "请在“联系电话：”后填写经办人电话，便于核实情况",
        );
    }
    problems
}

/// Writes the annotated copy of the checked return.
fn write_annotated(
    file: &Path,
    path: &Path,
    intake: &Intake,
    problems: &[Problem],
    settings: &Settings,
) -> Result<()> {
    let sheet = intake
        .files
        .first()
        .and_then(|f| f.returns.first())
        .map(|r| r.sheet.as_str());
    let bytes = std::fs::read(file)
        .map_err(|e| anyhow::anyhow!("无法读取 {}：{}", file.display(), crate::os::describe(&e)))?;
    let listed: Vec<&Problem> = problems.iter().collect();
    let copy = crate::annotate::build(Some(bytes), sheet, &listed, settings.limits)
        .context("生成标注副本时出错")?;
    save_atomic(&copy, path).map_err(|e| {
        anyhow::anyhow!(
            "无法写入标注副本 {}：{}",
            path.display(),
            crate::os::describe(&e)
        )
    })
}

/// The problems, errors and warnings alike, each with where and what to do.
fn list_problems(out: &mut String, problems: &[Problem], errors: usize) {
    if problems.is_empty() {
        let _ = writeln!(out, "未发现问题，可以报送。");
    } else {
        let _ = writeln!(
            out,
            "发现 {} 个问题（其中错误 {errors} 个）：",
            problems.len()
        );
    }
    for p in problems {
        let place = [p.sheet.clone(), p.place()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let place = if place.is_empty() {
            String::new()
        } else {
            format!("{place}：")
        };
        let _ = writeln!(
            out,
            "[{}] {place}{}。{}",
            p.severity.label(),
            p.what,
            p.action
        );
    }
}
