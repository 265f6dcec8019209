//! `run`: consolidate one period's folder into the workbook, then say what happened.

use std::fmt::Write;

use anyhow::{Context, Result};

use super::Outcome;
use crate::changes::ChangeKind;
use crate::check::{Consolidation, Verdict, consolidate};
use crate::cli::{RunArgs, RunPlan, Settings};
use crate::history::{self, Period};
use crate::intake::{FileStatus, Intake, Progress, ReportPeriod, scan};
use crate::monthly::{self, Monthly};
use crate::report::{Report, layout, save_atomic, write_atomic};

pub fn run(settings: &Settings, args: &RunArgs) -> Result<Outcome> {
    let plan = RunPlan::resolve(args, settings.today)?;
    let mut clock = Stages::start();
    let mut intake = scan(
        &plan.input,
        &settings.catalogue,
        &settings.roster,
        &settings.limits,
        ReportPeriod::new(&plan.period, plan.as_of),
        &Bar::new(),
    )
    .with_context(|| format!("无法读取报表文件夹 {}", plan.input.display()))?;
    clock.lap("读取报表（含识别单位）");
    let mut result = consolidate(
        &settings.catalogue,
        &settings.roster,
        &intake,
        plan.as_of,
        plan.due_soon_days,
    );
    intake.release_rows();
    clock.lap("核对判定");
    let monthly = monthly_cycle(settings, args, &plan, &result);
    result.problems.extend(monthly.notices.iter().cloned());
    clock.lap("对比往期");
    let report = Report {
        catalogue: &settings.catalogue,
        roster: &settings.roster,
        intake: &intake,
        result: &result,
        monthly: &monthly,
        due: crate::period::returns_due(plan.as_of, args.due_day),
    };
    let mut workbook = layout(&report).context("生成汇总表时出错")?;
    clock.lap("排版工作表");
    let folder = plan.output.parent().unwrap_or(std::path::Path::new("."));
    // Saving the workbook is one thread's work (deflating it above all): the
    // CSV records are written on the other core meanwhile.
    let (saved, records) = rayon::join(
        || {
            // Streamed into the temporary file: the finished workbook is never held whole.
            write_atomic(&plan.output, |out| {
                workbook.save_to_writer(out).map_err(std::io::Error::other)
            })
            .with_context(|| cannot_write("汇总表", &plan.output))
        },
        || write_records(&report, &monthly, &intake, &plan, folder),
    );
    saved?;
    records?;
    let feedback = match &args.feedback {
        Some(dir) => Some((
            crate::feedback::write_all(&report, dir)
                .with_context(|| cannot_write("督办单", dir))?,
            dir,
        )),
        None => None,
    };
    clock.lap("生成并写入 xlsx 与 CSV");
    print_summary(settings, &plan, &intake, &result, &monthly);
    if let Some((written, dir)) = feedback {
        super::print(&format!("督办单 {written} 份已写入 {}\n", dir.display()));
    }
    if args.timings {
        eprint!("{}", clock.report());
    }
    let outcome = if plan.strict && !result.problems.is_empty() {
        Outcome::Problems
    } else {
        Outcome::Done
    };
    // Freeing hundreds of thousands of strings one by one takes a tenth of a
    // second at national scale: it is left to a thread the exit need not wait for
    // (if no thread can be made, they are freed here, as usual).
    let _ = std::thread::Builder::new().spawn(move || drop((workbook, result, monthly, intake)));
    Ok(outcome)
}

/// The period's record (for next month's comparison) and 催报名单, as CSV files.
fn write_records(
    report: &Report,
    monthly: &Monthly,
    intake: &Intake,
    plan: &RunPlan,
    folder: &std::path::Path,
) -> Result<()> {
    if let Some(current) = &monthly.current {
        let csv = history::csv_path(folder, &plan.period);
        history::save(current, &csv, &history::fingerprint(intake))
            .with_context(|| cannot_write("明细 CSV", &csv))?;
    }
    let chase = folder.join(format!("催报名单_{}.csv", plan.period));
    save_atomic(&chase_csv(report), &chase).with_context(|| cannot_write("催报名单", &chase))?;
    Ok(())
}

fn cannot_write(what: &str, path: &std::path::Path) -> String {
    format!(
        "无法写入{what} {}：请确认该文件没有在 Excel 中打开、文件夹可写",
        path.display()
    )
}

/// The earlier periods and what changed since the last one.
fn monthly_cycle(
    settings: &Settings,
    args: &RunArgs,
    plan: &RunPlan,
    result: &Consolidation,
) -> Monthly {
    let inputs = monthly::earlier_inputs(&plan.input, &plan.period, args.previous.as_deref());
    // Earlier runs' CSVs sit in the period folders beside this run's output folder.
    let output_dir = plan.output.parent();
    let root = output_dir
        .filter(|d| d.file_name().and_then(|n| n.to_str()) == Some(plan.period.as_str()))
        .and_then(|d| d.parent());
    let (earlier, notices) = monthly::load_earlier(settings, &inputs, root, plan.due_soon_days);
    let current = Period::from_consolidation(&plan.period, result, &settings.roster);
    monthly::assemble(earlier, current, notices)
}

/// 催报名单 as CSV (UTF-8 with BOM) for a mail merge.
fn chase_csv(report: &Report) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(crate::report::monthly::CHASE_HEADER);
    for row in crate::report::monthly::chase_rows(report) {
        let _ = writer.write_record(row.iter().map(crate::report::table::Cell::text));
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(writer.into_inner().unwrap_or_default());
    bytes
}

/// Wall time per stage of a run, for `--timings`.
struct Stages {
    last: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl Stages {
    fn start() -> Self {
        Self {
            last: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.laps.push((stage, now - self.last));
        self.last = now;
    }

    fn report(&self) -> String {
        let total: f64 = self
            .laps
            .iter()
            .map(|(_, d)| d.as_secs_f64())
            .sum::<f64>()
            .max(1e-9);
        let mut out = String::from("各阶段耗时：\n");
        for (stage, d) in &self.laps {
            let s = d.as_secs_f64();
            let _ = writeln!(out, "  {stage}\t{s:.3} 秒\t{:.1}%", 100.0 * s / total);
        }
        let _ = writeln!(out, "  合计\t{total:.3} 秒");
        out
    }
}

/// The end-of-run summary of SPEC §8, in Chinese.
fn print_summary(
    settings: &Settings,
    plan: &RunPlan,
    intake: &Intake,
    result: &Consolidation,
    monthly: &Monthly,
) {
    let mut out = String::new();
    let count =
        |pred: fn(&FileStatus) -> bool| intake.files.iter().filter(|f| pred(&f.status)).count();
    let _ = writeln!(
        out,
        "期别 {}，统计截止 {}，报表文件夹 {}",
        plan.period,
        result.as_of.format("%Y-%m-%d"),
        plan.input.display()
    );
    let _ = writeln!(
        out,
        "文件 {} 个：读取 {}，被取代 {}，无法读取 {}，跳过 {}",
        intake.files.len(),
        count(|s| matches!(s, FileStatus::Read)),
        count(|s| matches!(s, FileStatus::Superseded { .. })),
        count(|s| matches!(s, FileStatus::Unreadable(_))),
        count(|s| matches!(s, FileStatus::Skipped(_))),
    );
    let stats = result.unit_stats();
    let silent: Vec<&str> = stats
        .iter()
        .filter(|s| s.count(Verdict::NotSubmitted) == s.expected)
        .map(|s| settings.roster.units[s.unit].name.as_str())
        .collect();
    let mut line = format!(
        "应报单位 {} 个：已报送 {}，未报送 {}",
        stats.len(),
        stats.len() - silent.len(),
        silent.len()
    );
    if !silent.is_empty() {
        line.push_str(&format!("（{}）", silent.join("、")));
    }
    let _ = writeln!(out, "{line}");
    let totals = result.totals();
    let counts: Vec<String> = Verdict::ALL
        .iter()
        .zip(totals)
        .map(|(v, n)| format!("{} {n}", v.label()))
        .collect();
    let _ = writeln!(out, "判定：{}", counts.join("，"));
    let _ = writeln!(
        out,
        "数据问题 {} 条（详见“数据问题”工作表）",
        result.problems.len()
    );
    match monthly.earlier.last() {
        Some(previous) => {
            let count =
                |kind: ChangeKind| monthly.changes.iter().filter(|c| c.kind == kind).count();
            let _ = writeln!(
                out,
                "与 {} 期相比：新完成 {}，新增逾期 {}，倒退 {}，连续逾期 {}，连续缺报 {}，进展与上期相同 {}（详见“本月变化”工作表）",
                previous.label,
                count(ChangeKind::NewlyDone),
                count(ChangeKind::NewlyOverdue),
                count(ChangeKind::Regressed),
                count(ChangeKind::OverdueStreak),
                count(ChangeKind::MissingStreak),
                count(ChangeKind::SameAsLast),
            );
        }
        None => {
            let _ = writeln!(out, "未找到上一期，本月变化从下一期起显示");
        }
    }
    let _ = writeln!(out, "汇总表已写入 {}", plan.output.display());
    super::print(&out);
}

/// A progress bar on stderr; indicatif draws nothing when stderr is not a terminal.
struct Bar(indicatif::ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("读取报表 {bar:30} {pos}/{len} {wide_msg}")
        {
            bar.set_style(style);
        }
        Self(bar)
    }
}

impl Progress for Bar {
    fn start(&self, files: usize) {
        self.0.set_length(files as u64);
    }

    fn file_done(&self, name: &str) {
        self.0.set_message(name.to_string());
        self.0.inc(1);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
