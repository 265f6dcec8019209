//! `serve`: the collection page, until Ctrl-C. It says where counties and the
//! office go, which month it collects and until when.

use std::fmt::Write;

use anyhow::Result;

use super::Outcome;
use crate::cli::{ServeArgs, ServePlan, Settings};
use crate::serve::{Config, Started};

pub fn run(settings: Settings, args: &ServeArgs) -> Result<Outcome> {
    let plan = ServePlan::resolve(args, &settings)?;
    // The server's own events (not the upload log, which is the record) go to
    // standard error, where systemd's journal keeps them.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let config = Config {
        catalogue: settings.catalogue,
        roster: settings.roster,
        limits: settings.limits,
        root: plan.root,
        planner: plan.planner,
        calendar: settings.calendar,
        pinned: plan.pinned,
        bounds: plan.bounds,
        max_connections: plan.max_connections,
        listen: plan.listen,
        tls: plan.tls,
        trust_proxy: plan.trust_forwarded_for,
        public_url: plan.public_url,
    };
    crate::serve::run(config, |started| super::print(&started_text(started)))?;
    Ok(Outcome::Done)
}

/// What the office reads when the server starts.
fn started_text(s: &Started) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "正在收集 {} 的报表（保存到 {}）",
        s.month.chinese(),
        s.folder.display()
    );
    match (s.pinned, s.due) {
        (true, _) => out.push_str("；已指定只收这一期，不会自动换期。\n"),
        (false, Some(due)) => {
            let _ = writeln!(
                out,
                "，截止 {}；过了截止日，网页自动转为收集下一期，无需重启。",
                crate::period::chinese_date(due)
            );
        }
        (false, None) => out.push_str("。\n"),
    }
    if s.this_machine_only {
        out.push_str("只有本机能打开（供局域网内各市县使用，请用 --listen 0.0.0.0:8080）：\n");
    } else {
        out.push_str("各市县请用浏览器打开：\n");
    }
    for page in &s.pages {
        let _ = writeln!(out, "  {page}");
    }
    let _ = writeln!(out, "省教育厅管理员登录：{}", s.login);
    if let Some((limit, needed)) = s.files_short {
        let _ = writeln!(
            out,
            "注意：本进程最多只能打开 {limit} 个文件，连接数上限需要 {needed} 个：请调低 max_connections，或提高打开文件数上限（systemd 服务的 LimitNOFILE）。"
        );
    }
    out.push_str("按 Ctrl-C 停止。\n");
    out
}
