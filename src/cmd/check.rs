//! `check FILE`: what the tool understood of one return, and its problems, for the
//! county about to send it. A zip is checked member by member, as a run reads it.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::Outcome;
use crate::cli::{CheckArgs, CheckPlan, Settings};
use crate::inspect::{Inspection, inspect};
use crate::intake::values::DateCell;
use crate::intake::{FileStatus, ReadReturn, SourceFile};
use crate::problem::Problem;
use crate::save::save_atomic;

pub fn run(settings: &Settings, args: &CheckArgs) -> Result<Outcome> {
    let plan = CheckPlan::resolve(args, settings)?;
    let inspection = inspect(settings.reader(), &plan.file, plan.period, plan.due_day);
    let Some(file) = inspection.file() else {
        anyhow::bail!("找不到文件 {}", plan.file.display());
    };
    let mut out = String::new();
    let _ = writeln!(out, "文件：{}", plan.file.display());
    if inspection.not_a_spreadsheet() {
        let what = match &file.status {
            FileStatus::Skipped(why) if why.starts_with("压缩包") => {
                "是压缩包，其中没有电子表格文件"
            }
            _ => "不是电子表格文件",
        };
        let _ = writeln!(
            out,
            "无法检查：“{}”{what}。请以 Excel 文件报送：用模板填写后保存为 .xlsx 文件再报送。",
            file.name
        );
        super::print(&out);
        return Ok(Outcome::Rejected);
    }
    describe_files(&mut out, inspection.files(), settings);
    let _ = writeln!(out, "统计截止：{}", plan.period.as_of.format("%Y-%m-%d"));
    let returns: Vec<&ReadReturn> = inspection.returns().collect();
    for read in &returns {
        let _ = writeln!(out);
        list_tasks(&mut out, &inspection, read, returns.len() > 1, settings);
    }
    let problems = &inspection.problems;
    let errors = inspection.errors();
    let _ = writeln!(out);
    if let Some(path) = &plan.annotate {
        write_annotated(&plan.file, path, &inspection, settings)?;
        let _ = writeln!(
            out,
            "标注副本已写入 {}（有问题的单元格已标色并附批注）",
            path.display()
        );
    }
    // A zip's problems say which member they are about.
    let zip = (inspection.files().len() > 1).then_some(file.name.as_str());
    list_problems(&mut out, problems, errors, zip);
    super::print(&out);
    Ok(if errors > 0 {
        Outcome::Rejected
    } else {
        Outcome::Done
    })
}

/// The file's status, and for each return read its unit, sheet and 填报 line; for
/// a zip, each member's after the zip's own line.
fn describe_files(out: &mut String, files: &[SourceFile], settings: &Settings) {
    let [first, members @ ..] = files else {
        return;
    };
    if members.is_empty() {
        describe_file(out, first, settings);
        return;
    }
    let _ = writeln!(
        out,
        "压缩包：含 {} 个文件，逐个检查如下（文件夹、__MACOSX 和隐藏文件不计）",
        members.len()
    );
    for member in members {
        let path = member
            .name
            .strip_prefix(&first.name)
            .unwrap_or(&member.name)
            .trim_start_matches(" › ");
        let _ = writeln!(out, "— {path}");
        match &member.status {
            FileStatus::Skipped(why) => {
                let _ = writeln!(out, "已跳过：{why}");
            }
            FileStatus::Superseded { by } => {
                let _ = writeln!(out, "已被“{by}”取代，不计入");
            }
            _ => describe_file(out, member, settings),
        }
    }
}

/// One file's status, and for each return read its unit, sheet and 填报 line.
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
    inspection: &Inspection,
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
    for entry in inspection.entries(read) {
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

/// Writes the annotated copy of the checked return.
fn write_annotated(
    file: &Path,
    path: &Path,
    inspection: &Inspection,
    settings: &Settings,
) -> Result<()> {
    let bytes = std::fs::read(file)
        .map_err(|e| anyhow::anyhow!("无法读取 {}：{}", file.display(), crate::os::describe(&e)))?;
    let copy = inspection
        .annotated_copy(Some(bytes), settings.limits)
        .context("生成标注副本时出错")?;
    save_atomic(&copy, path).map_err(|e| {
        anyhow::anyhow!(
            "无法写入标注副本 {}：{}",
            path.display(),
            crate::os::describe(&e)
        )
    })
}

/// The problems, errors and warnings alike, each with where and what to do; for
/// the members of `zip`, the member's path first.
fn list_problems(out: &mut String, problems: &[Problem], errors: usize, zip: Option<&str>) {
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
        let member = zip
            .and_then(|zip| p.file.strip_prefix(zip))
            .map(|path| path.trim_start_matches(" › "))
            .filter(|path| !path.is_empty());
        let place = [member.unwrap_or(""), &p.sheet_and_place()]
            .into_iter()
            .filter(|part| !part.is_empty())
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
