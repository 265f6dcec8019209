//! `template`: blank returns, one per unit or one for `--unit`.

use std::fmt::Write;

use anyhow::{Context, Result};

use super::Outcome;
use crate::cli::{Settings, TemplateArgs, TemplatePlan};
use crate::save::save_atomic;

pub fn run(settings: &Settings, args: &TemplateArgs) -> Result<Outcome> {
    let plan = TemplatePlan::resolve(args, &settings.roster)?;
    let roster = &settings.roster;
    let expected = roster.expectations(&settings.catalogue);
    let units = plan.units;
    let mut written = 0;
    let mut out = String::new();
    for u in units {
        let unit = &roster.units[u];
        let tasks: Vec<u32> = expected[u].iter().map(|(t, _)| *t).collect();
        if tasks.is_empty() {
            let _ = writeln!(out, "{} 没有需要填报的任务，未生成模板", unit.name);
            continue;
        }
        let bytes = crate::template::build(&settings.catalogue, &unit.name, &tasks, None)
            .with_context(|| format!("无法生成 {} 的模板", unit.name))?;
        let path = plan.output.join(format!("{}_进展情况表.xlsx", unit.name));
        save_atomic(&bytes, &path).map_err(|e| {
            anyhow::anyhow!(
                "无法写入模板 {}：{}",
                path.display(),
                crate::os::describe(&e)
            )
        })?;
        written += 1;
    }
    let _ = writeln!(
        out,
        "已生成 {written} 份模板，保存在 {}",
        plan.output.display()
    );
    super::print(&out);
    Ok(Outcome::Done)
}
