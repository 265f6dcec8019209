//! `template`: blank returns, one per unit or one for `--unit`.

use std::fmt::Write;

use anyhow::{Context, Result};

use super::Outcome;
use crate::cli::{Settings, TemplateArgs, TemplatePlan};
use crate::save::save_atomic;
use crate::template;

pub fn run(settings: &Settings, args: &TemplateArgs) -> Result<Outcome> {
    let plan = TemplatePlan::resolve(args, settings)?;
    let roster = &settings.roster;
    let expected = roster.expectations(&settings.catalogue);
    let options = &plan.options;
    let mut written = 0;
    let mut out = String::new();
    for &u in &plan.units {
        let unit = &roster.units[u];
        let tasks: Vec<u32> = expected[u].iter().map(|(t, _)| *t).collect();
        if tasks.is_empty() {
            let _ = writeln!(out, "{} 没有需要填报的任务，未生成模板", unit.name);
            continue;
        }
        let bytes = template::build_with(&settings.catalogue, &unit.name, &tasks, None, options)
            .with_context(|| format!("无法生成 {} 的模板", unit.name))?;
        let path = plan
            .output
            .join(template::file_name(&unit.name, options.period));
        save_atomic(&bytes, &path).map_err(|e| {
            anyhow::anyhow!(
                "无法写入模板 {}：{}",
                path.display(),
                crate::os::describe(&e)
            )
        })?;
        written += 1;
    }
    let period = match (options.period, &plan.period_folder) {
        (Some(month), Some(dir)) => format!(
            "，期别 {}（取自 {}，另一期请用 --period 指定）",
            month.chinese(),
            dir.display()
        ),
        (Some(month), None) => format!("，期别 {}", month.chinese()),
        (None, _) => "，未注明期别（可用 --period 2018-07 指定）".to_string(),
    };
    let _ = writeln!(
        out,
        "已生成 {written} 份模板{period}，保存在 {}",
        plan.output.display()
    );
    super::print(&out);
    Ok(Outcome::Done)
}
