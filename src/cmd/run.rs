//! `run`: consolidate one period's folder into the workbook, then say what happened.

use std::fmt::Write;

use anyhow::{Context, Result};

use super::Outcome;
use crate::check::{Consolidation, Verdict, consolidate};
use crate::cli::{RunArgs, RunPlan, Settings};
use crate::intake::{FileStatus, Intake, Progress, scan};
use crate::report::{Report, layout, save_atomic};

pub fn run(settings: &Settings, args: &RunArgs) -> Result<Outcome> {
    let plan = RunPlan::resolve(args, settings.today)?;
    let mut clock = Stages::start();
    let intake = scan(
        &plan.input,
        &settings.catalogue,
        &settings.roster,
        &settings.limits,
        &Bar::new(),
    )
    .with_context(|| format!("无法读取报表文件夹 {}", plan.input.display()))?;
    clock.lap("读取报表（含识别单位）");
    let result = consolidate(
        &settings.catalogue,
        &settings.roster,
        &intake,
        plan.as_of,
        plan.due_soon_days,
    );
    clock.lap("核对判定");
    let report = Report {
        catalogue: &settings.catalogue,
        roster: &settings.roster,
        intake: &intake,
        result: &result,
    };
    let workbook = layout(&report).context("生成汇总表时出错")?;
    clock.lap("排版工作表");
    let mut workbook = workbook;
    let bytes = workbook.save_to_buffer().context("生成汇总表时出错")?;
    clock.lap("生成 xlsx");
    save_atomic(&bytes, &plan.output).with_context(|| {
        format!(
            "无法写入汇总表 {}：请确认该文件没有在 Excel 中打开、文件夹可写",
            plan.output.display()
        )
    })?;
    clock.lap("写入磁盘");
    print_summary(settings, &plan, &intake, &result);
    if args.timings {
        eprint!("{}", clock.report());
    }
    Ok(if plan.strict && !result.problems.is_empty() {
        Outcome::Problems
    } else {
        Outcome::Done
    })
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
fn print_summary(settings: &Settings, plan: &RunPlan, intake: &Intake, result: &Consolidation) {
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
