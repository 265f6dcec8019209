//! `serve`: the collection page for one period, until Ctrl-C.

use anyhow::Result;

use super::Outcome;
use crate::cli::{ServeArgs, ServePlan, Settings};
use crate::serve::{Config, Plan};

pub fn run(settings: Settings, args: &ServeArgs) -> Result<Outcome> {
    let plan = ServePlan::resolve(args, &settings)?;
    let run = plan.run;
    let letterhead = run.letterhead(&settings);
    let month = run.period.month;
    let config = Config {
        catalogue: settings.catalogue,
        roster: settings.roster,
        limits: settings.limits,
        plan: Plan {
            root: plan.root,
            dir: run.input,
            period: run.period,
            earlier: run.earlier,
            records: run.records,
            due_day: run.due_day,
            due_soon_days: run.due_soon_days,
            letterhead,
        },
        listen: plan.listen,
        tls: plan.tls,
        trust_proxy: plan.trust_forwarded_for,
    };
    let folder = config.plan.dir.display().to_string();
    crate::serve::run(config, |url| {
        super::print(&format!(
            "正在收集 {} 期报表（保存到 {folder}）：请用浏览器打开 {url}\n按 Ctrl-C 停止。\n",
            month.chinese()
        ));
    })?;
    Ok(Outcome::Done)
}
