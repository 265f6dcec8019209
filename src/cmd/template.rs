//! `template`: blank returns, one per unit or one for `--unit`.

use std::fmt::Write;

use anyhow::{Context, Result, bail};

use super::Outcome;
use crate::cli::{Settings, TemplateArgs};
use crate::report::save_atomic;

pub fn run(settings: &Settings, args: &TemplateArgs) -> Result<Outcome> {
    let roster = &settings.roster;
    let expected = roster.expectations(&settings.catalogue);
    let units: Vec<usize> = match &args.unit {
        Some(name) => match roster.lookup(name).or_else(|| roster.find_in(name)) {
            Some(u) => vec![u],
            None => bail!("单位“{name}”不在单位名单中：请写单位全称，例如 海口市"),
        },
        None => (0..roster.units.len()).collect(),
    };
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
        let path = args.output.join(format!("{}_进展情况表.xlsx", unit.name));
        save_atomic(&bytes, &path).with_context(|| format!("无法写入 {}", path.display()))?;
        written += 1;
    }
    let _ = writeln!(
        out,
        "已生成 {written} 份模板，保存在 {}",
        args.output.display()
    );
    super::print(&out);
    Ok(Outcome::Done)
}
