//! `check FILE`: what the tool understood of one return, and its problems, for the
//! county about to send it.

use std::fmt::Write;

use anyhow::{Context, Result};

use super::Outcome;

/// `check` flags 临期 as `run` does by default.
const DUE_SOON_DAYS: u32 = 30;
use crate::check::{UnitRef, consolidate};
use crate::cli::{CheckArgs, Settings, parse_as_of};
use crate::intake::values::DateCell;
use crate::intake::{FileStatus, Quiet, read_files};
use crate::problem::{Problem, Severity};
use crate::report::save_atomic;

pub fn run(settings: &Settings, args: &CheckArgs) -> Result<Outcome> {
    // Like `run`: a return filed in a YYYY-MM folder is judged as of that month's end.
    let folder = args
        .file
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let as_of = match &args.as_of {
        Some(text) => parse_as_of(text)?,
        None => crate::period::period_folder_end(folder).unwrap_or(settings.today),
    };
    if !args.file.is_file() {
        anyhow::bail!("找不到文件 {}", args.file.display());
    }
    let intake = read_files(
        std::slice::from_ref(&args.file),
        &settings.catalogue,
        &settings.roster,
        &settings.limits,
        &Quiet,
    );
    let result = consolidate(
        &settings.catalogue,
        &settings.roster,
        &intake,
        as_of,
        DUE_SOON_DAYS,
    );
    let roster = &settings.roster;
    let mut out = String::new();
    let _ = writeln!(out, "文件：{}", args.file.display());
    if let Some(file) = intake.files.first() {
        match (&file.status, file.unit, &file.unknown_unit) {
            (FileStatus::Unreadable(why), _, _) => {
                let _ = writeln!(out, "无法读取：{why}");
            }
            (FileStatus::Skipped(why), _, _) => {
                let _ = writeln!(out, "已跳过：{why}");
            }
            (_, Some(u), _) => {
                let _ = writeln!(out, "填报单位：{}", roster.units[u].name);
            }
            (_, None, Some(text)) => {
                let _ = writeln!(out, "填报单位：无法识别（{text}）");
            }
            _ => {}
        }
        if let Some(read) = &file.read {
            let meta = &read.meta;
            let date = meta.fill_date.map_or("（未填）".to_string(), |d| {
                d.format("%Y-%m-%d").to_string()
            });
            let _ = writeln!(
                out,
                "工作表：{}　填报日期：{date}　读到任务行 {} 行",
                read.sheet,
                read.rows.len()
            );
            if let (Some(filler), phone) = (&meta.filler, &meta.phone) {
                let _ = writeln!(
                    out,
                    "填报人：{filler}　联系电话：{}",
                    phone.as_deref().unwrap_or("（未填）")
                );
            }
        }
    }
    let _ = writeln!(out, "统计截止：{}", as_of.format("%Y-%m-%d"));
    let _ = writeln!(out);
    let _ = writeln!(out, "序号\t完成状态\t完成时间\t判定\t来源行");
    let unit = intake.files.first().and_then(|f| f.unit);
    let mut omitted: Vec<String> = Vec::new();
    for entry in &result.entries {
        let mine = match (&entry.unit, unit) {
            (UnitRef::Known(u), Some(file_unit)) => *u == file_unit,
            (UnitRef::Unknown(_), _) => true,
            _ => false,
        };
        if !mine {
            continue;
        }
        if entry.verdict == crate::check::Verdict::Omitted {
            omitted.push(entry.task.to_string());
        }
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
    // A missing row is not a problem of the consolidation (缺报事项 lists it), but a
    // county checking its own return must fill it in before sending.
    let mut problems: Vec<Problem> = result.problems.clone();
    if !omitted.is_empty() {
        let name = intake
            .files
            .first()
            .map_or(String::new(), |f| f.name.clone());
        problems.push(Problem::file(
            Severity::Error,
            &name,
            format!(
                "漏报 {} 项任务（序号 {}）",
                omitted.len(),
                omitted.join("、")
            ),
            "请补上这些任务的行并填写完成状态",
        ));
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let _ = writeln!(out);
    if let Some(path) = &args.annotate {
        let same = |a: &std::path::Path, b: &std::path::Path| matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y);
        if same(path, &args.file) {
            anyhow::bail!(
                "标注副本不能覆盖原报表 {}：请用 --annotate 指定另一个文件名",
                args.file.display()
            );
        }
        let sheet = intake
            .files
            .first()
            .and_then(|f| f.read.as_ref())
            .map(|r| r.sheet.as_str());
        let bytes = std::fs::read(&args.file).ok();
        let listed: Vec<&Problem> = problems.iter().collect();
        let copy = crate::annotate::build(bytes, sheet, &listed, settings.limits)
            .context("生成标注副本时出错")?;
        save_atomic(&copy, path).with_context(|| format!("无法写入标注副本 {}", path.display()))?;
        let _ = writeln!(
            out,
            "标注副本已写入 {}（有问题的单元格已标色并附批注）",
            path.display()
        );
    }
    if problems.is_empty() {
        let _ = writeln!(out, "未发现问题，可以报送。");
    } else {
        let _ = writeln!(
            out,
            "发现 {} 个问题（其中错误 {errors} 个）：",
            problems.len()
        );
    }
    for p in &problems {
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
    super::print(&out);
    Ok(if errors > 0 {
        Outcome::Rejected
    } else {
        Outcome::Done
    })
}
