//! `run`: consolidate one period's folder into the workbook, then say what happened.

use anyhow::Result;

use super::Outcome;
use crate::check::{Consolidation, Verdict};
use crate::cli::{AsOfFrom, RunArgs, RunPlan, Settings};
use crate::intake::{FileStatus, Intake, Progress};
use crate::monthly::Monthly;
use crate::monthly::changes::ChangeKind;
use crate::pipeline::{Clock, Targets};

pub fn run(settings: &Settings, args: &RunArgs) -> Result<Outcome> {
    let plan = RunPlan::resolve(args, settings)?;
    let mut clock = Clock::start();
    let done = plan
        .plan
        .job(settings.reader())
        .consolidate(&Bar::new(), &mut clock)
        .map_err(anyhow::Error::msg)?;
    let report = done.report(settings.reader(), &plan.plan.letterhead);
    let targets = Targets {
        workbook: &plan.output,
        feedback: plan.feedback.as_deref(),
    };
    let feedback = done.save(&report, &targets, &mut clock)?;
    print_summary(settings, &plan, &done.intake, &done.result, &done.monthly);
    if let Some(dir) = &plan.feedback {
        super::print(&format!("督办单 {feedback} 份已写入 {}\n", dir.display()));
    }
    if plan.timings {
        eprint!("{}", clock.report());
    }
    let outcome = if plan.strict && !done.result.problems.is_empty() {
        Outcome::Problems
    } else {
        Outcome::Done
    };
    // Freeing hundreds of thousands of strings one by one takes a tenth of a
    // second at national scale: it is left to a thread the exit need not wait for
    // (if no thread can be made, they are freed here, as usual).
    let _ = std::thread::Builder::new().spawn(move || drop(done));
    Ok(outcome)
}

/// The end-of-run summary of SPEC §8, in Chinese.
fn print_summary(
    settings: &Settings,
    plan: &RunPlan,
    intake: &Intake,
    result: &Consolidation,
    monthly: &Monthly,
) {
    let mut lines = vec![format!(
        "期别 {}，统计截止 {}，报表文件夹 {}",
        plan.plan.period.month,
        result.as_of.format("%Y-%m-%d"),
        plan.plan.input.display()
    )];
    if plan.as_of_from == AsOfFrom::Today {
        lines.push("注意：报表文件夹名不是 YYYY-MM 形式，统计截止日期取了今天；如要汇总某个月，请把文件夹改名为 2018-07 这样的形式，或用 --as-of 指定".into());
    }
    if intake.files.is_empty() {
        lines.push(
            "注意：报表文件夹中没有任何文件，所有单位都按未报送处理；请确认报表已放入该文件夹"
                .into(),
        );
    }
    lines.push(files_line(intake));
    lines.push(units_line(settings, result));
    let counts: Vec<String> = result
        .totals()
        .in_order()
        .map(|(v, n)| format!("{} {n}", v.label()))
        .collect();
    lines.push(format!("判定：{}", counts.join("，")));
    lines.push(format!(
        "数据问题 {} 条（详见“数据问题”工作表）",
        result.problems.len()
    ));
    lines.push(changes_line(monthly));
    lines.push(format!("汇总表已写入 {}", plan.output.display()));
    super::print(&(lines.join("\n") + "\n"));
}

/// How many files were read, superseded, refused and skipped.
fn files_line(intake: &Intake) -> String {
    let count =
        |pred: fn(&FileStatus) -> bool| intake.files.iter().filter(|f| pred(&f.status)).count();
    format!(
        "文件 {} 个：读取 {}，被取代 {}，无法读取 {}，跳过 {}",
        intake.files.len(),
        count(|s| matches!(s, FileStatus::Read)),
        count(|s| matches!(s, FileStatus::Superseded { .. })),
        count(|s| matches!(s, FileStatus::Unreadable(_))),
        count(|s| matches!(s, FileStatus::Skipped(_))),
    )
}

/// The units expected, and those that sent nothing, by name.
fn units_line(settings: &Settings, result: &Consolidation) -> String {
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
    line
}

/// What changed since the last period, or that there is none yet.
fn changes_line(monthly: &Monthly) -> String {
    let Some(previous) = monthly.earlier.last() else {
        return "未找到上一期，本月变化从下一期起显示".to_string();
    };
    let count = |kind: ChangeKind| monthly.changes.iter().filter(|c| c.kind == kind).count();
    format!(
        "与 {} 期相比：新完成 {}，新增逾期 {}，倒退 {}，连续逾期 {}，连续缺报 {}，进展与上期相同 {}（详见“本月变化”工作表）",
        previous.month,
        count(ChangeKind::NewlyDone),
        count(ChangeKind::NewlyOverdue),
        count(ChangeKind::Regressed),
        count(ChangeKind::OverdueStreak),
        count(ChangeKind::MissingStreak),
        count(ChangeKind::SameAsLast),
    )
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
