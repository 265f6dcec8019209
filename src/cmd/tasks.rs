//! `tasks`: the parsed catalogue with deadline dates.

use anyhow::Result;

use super::Outcome;
use crate::cli::Settings;

pub fn run(settings: &Settings) -> Result<Outcome> {
    use std::fmt::Write;
    let catalogue = &settings.catalogue;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "《{}》任务清单（共 {} 项）",
        settings.plan,
        catalogue.tasks.len()
    );
    out.push_str("序号\t主要任务\t牵头单位\t配合单位\t完成时限\t截止日期\n");
    for task in &catalogue.tasks {
        let cooperating = if task.cooperating.is_empty() {
            "—".to_string()
        } else {
            task.cooperating.join("、")
        };
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            task.number,
            task.text.as_str(),
            task.lead.join("、"),
            cooperating,
            task.deadline_text,
            task.deadline.format("%Y-%m-%d"),
        );
    }
    super::print(&out);
    Ok(Outcome::Done)
}
