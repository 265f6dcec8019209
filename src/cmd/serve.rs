//! `serve`: the collection page for one period, until Ctrl-C.

use anyhow::Result;

use super::Outcome;
use crate::cli::{ServeArgs, ServePlan, Settings};
use crate::serve::Config;

pub fn run(settings: Settings, args: &ServeArgs) -> Result<Outcome> {
    let plan = ServePlan::resolve(args, &settings)?;
    let month = plan.plan.period.month;
    let config = Config {
        catalogue: settings.catalogue,
        roster: settings.roster,
        limits: settings.limits,
        root: plan.root,
        plan: plan.plan,
        listen: plan.listen,
        tls: plan.tls,
        trust_proxy: plan.trust_forwarded_for,
    };
    let folder = config.plan.input.display().to_string();
    crate::serve::run(config, |url| {
        super::print(&format!(
            "正在收集 {} 期报表（保存到 {folder}）：请用浏览器打开 {url}\n按 Ctrl-C 停止。\n",
            month.chinese()
        ));
    })?;
    Ok(Outcome::Done)
}
