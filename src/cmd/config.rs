//! `config`: every setting a settings file may hold, the value in force, and
//! where it came from (命令行, 配置文件 <path> 第 N 行, 默认).

use std::fmt::Write;

use anyhow::Result;

use super::Outcome;
use crate::cli::{self, Cli};
use crate::config::{self, Chosen};

pub fn run(cli: &Cli) -> Result<Outcome> {
    let config = cli::load_config(cli)?;
    let mut out = String::new();
    let _ = writeln!(out, "配置文件：{}", chosen(&config.chosen));
    let _ = writeln!(
        out,
        "（查找顺序：--config 指定的文件；否则环境变量 {} 所指的文件；否则当前文件夹的 {} 和 {}，两者都有时逐项以前者为准。命令行选项优先于配置文件，配置文件优先于默认值。）",
        config::ENV_VAR,
        config::LOCAL_FILE,
        config::SYSTEM_FILE
    );
    let _ = writeln!(out);
    out.push_str("设置项\t含义\t取值\t来源\n");
    for line in cli::in_force(cli, &config) {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}",
            line.key.name,
            line.key.short(),
            line.value,
            line.origin
        );
    }
    super::print(&out);
    Ok(Outcome::Done)
}

/// Which file(s) are read, and why.
fn chosen(chosen: &Chosen) -> String {
    match chosen {
        Chosen::Flag(path) => format!("{}（由 --config 指定，只读这一个）", path.display()),
        Chosen::Env(path) => format!(
            "{}（由环境变量 {} 指定，只读这一个）",
            path.display(),
            config::ENV_VAR
        ),
        Chosen::Found(found) => match found.as_slice() {
            [] => format!(
                "没有（当前文件夹没有 {}，也没有 {}），各项取默认值",
                config::LOCAL_FILE,
                config::SYSTEM_FILE
            ),
            [one] => one.display().to_string(),
            [first, rest @ ..] => format!(
                "{}（优先），{}",
                first.display(),
                rest.iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join("，")
            ),
        },
    }
}
