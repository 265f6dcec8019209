//! The man page and the shell completions, generated from the clap definition in
//! [`crate::cli`] (`clap_mangen`, `clap_complete`) and the settings keys of
//! [`crate::config`], so they cannot drift from the flags. The hidden
//! `county-returns generate DIR` writes them; `scripts/build-deb` runs it before
//! `cargo deb`, which gzips the page.
//!
//! One page holds everything: clap_mangen's sections for the command and for each
//! subcommand (its English headings said in Chinese, the global options listed
//! once), then the settings file, the environment, the files the package
//! installs, the exit codes.

use std::io;

use clap::CommandFactory;
use clap_complete::{Generator, Shell};
use clap_mangen::Man;
use roff::{Roff, bold, roman};

use crate::cli::Cli;
use crate::config;

/// The name the man page and the completions are for.
const BIN: &str = "county-returns";

/// The shells completions are written for.
pub const SHELLS: [Shell; 4] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell];

/// Every generated file, by name: `county-returns.1` and one completion per shell
/// (`county-returns.bash`, `_county-returns`, `county-returns.fish`,
/// `_county-returns.ps1`).
///
/// # Errors
/// Only when rendering into memory fails, which clap_mangen's API allows for.
pub fn assets() -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut files = vec![(format!("{BIN}.1"), man_page()?.into_bytes())];
    for shell in SHELLS {
        files.push((shell.file_name(BIN), completion(shell)));
    }
    Ok(files)
}

/// The completion script for one shell.
pub fn completion(shell: Shell) -> Vec<u8> {
    // clap_complete's bash script offers hidden subcommands too: leave `generate` out.
    let full = Cli::command();
    let mut cmd = clap::Command::new(BIN)
        .version(crate::cli::VERSION)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .about(full.get_about().cloned().unwrap_or_default())
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut out);
    out
}

/// The man page, in roff.
///
/// # Errors
/// Only when rendering into memory fails.
pub fn man_page() -> io::Result<String> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = |c: &clap::Command| {
        Man::new(c.clone())
            .title("COUNTY-RETURNS")
            .section("1")
            .date(env!("COUNTY_RETURNS_BUILD_DATE"))
            .source(format!("{BIN} {}", env!("CARGO_PKG_VERSION")))
            .manual("county-returns 使用手册")
    };
    let top = man(&cmd);
    let mut page = String::new();
    page.push_str(&render(|w| top.render_title(w))?);
    // Chinese has no spaces to stretch: justified lines gape, and hyphenation
    // splits flag names. Ragged right, no hyphens.
    page.push_str(".ad l\n.nh\n");
    page.push_str(&chinese(&render(|w| top.render_name_section(w))?));
    page.push_str(&chinese(&render(|w| top.render_synopsis_section(w))?));
    page.push_str(&description());
    page.push_str(&chinese(&render(|w| top.render_options_section(w))?));
    let globals: Vec<clap::Id> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().clone())
        .collect();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut sub = sub.clone();
        // Listed once, under the command itself.
        for id in &globals {
            if sub.get_arguments().any(|a| a.get_id() == id) {
                sub = sub.mut_arg(id, |a| a.hide(true));
            }
        }
        let sub_man = man(&sub);
        let mut head = Roff::new();
        head.control("SH", [format!("命令 {}", sub.get_name()).as_str()]);
        page.push_str(&body(&head.render()));
        page.push_str(&demoted(&render(|w| sub_man.render_synopsis_section(w))?));
        // The description without a heading of its own: it opens the section.
        let description = render(|w| sub_man.render_description_section(w))?;
        page.push_str(&body(&description).replace(".SH DESCRIPTION\n", ".PP\n"));
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            page.push_str(&demoted(&render(|w| sub_man.render_options_section(w))?));
        }
    }
    page.push_str(&tail());
    Ok(page)
}

/// One clap_mangen section, rendered.
fn render(section: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> io::Result<String> {
    let mut out = Vec::new();
    section(&mut out)?;
    String::from_utf8(out).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// A rendered section without roff's apostrophe preamble, which the title
/// section already carries.
fn body(rendered: &str) -> String {
    rendered
        .lines()
        .filter(|l| !l.starts_with(".ie \\n(.g .ds Aq") && !l.starts_with(".el .ds Aq"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// clap_mangen's English section headings, said in Chinese.
fn chinese(rendered: &str) -> String {
    body(rendered)
        .lines()
        .map(|line| match line.strip_prefix(".SH ") {
            Some(heading) => format!(".SH {}\n", heading_in_chinese(heading)),
            None => format!("{line}\n"),
        })
        .collect()
}

/// A subcommand's sections as subsections of its `命令 NAME` section.
fn demoted(rendered: &str) -> String {
    chinese(rendered)
        .lines()
        .map(|line| match line.strip_prefix(".SH ") {
            Some(heading) => format!(".SS {heading}\n"),
            None => format!("{line}\n"),
        })
        .collect()
}

fn heading_in_chinese(heading: &str) -> &str {
    match heading.trim_matches('"') {
        "NAME" => "名称",
        "SYNOPSIS" => "用法",
        "DESCRIPTION" => "说明",
        "OPTIONS" => "选项",
        "ARGUMENTS" => "参数",
        "EXTRA" => "补充说明",
        "VERSION" => "版本",
        "AUTHORS" => "作者",
        other => other,
    }
}

/// A paragraph of text lines.
fn paragraph(roff: &mut Roff, lines: &[&str]) {
    roff.control("PP", []);
    for line in lines {
        roff.text([roman(*line)]);
    }
}

/// What the tool is for, after the command's one-line description.
fn description() -> String {
    let mut roff = Roff::new();
    roff.control("SH", ["说明"]);
    roff.text([roman(
        "汇总各市县《消除大班额专项规划》任务进展月报：逐项核对任务分工表中的任务，生成汇总表。",
    )]);
    paragraph(
        &mut roff,
        &[
            "每月各市县报送《海南省消除义务教育学校大班额专项规划》任务进展情况表（Excel）。",
            "county-returns 读取一期的全部报表，按任务分工表逐项核对各单位负责的任务，",
            "生成一份汇总表（总览、进展矩阵、逾期事项、缺报事项、明细、数据问题等工作表），",
            "并可为每个单位生成督办单、为各单位生成空白模板、开启报表收集网页。",
        ],
    );
    paragraph(
        &mut roff,
        &[
            "不带选项的 county-returns run 汇总 input/ 下最新一期（YYYY-MM 文件夹）。使用说明见 /usr/share/doc/county-returns/使用说明.md。",
        ],
    );
    body(&roff.render())
}

/// The sections clap knows nothing of: settings file, environment, files, exit codes.
fn tail() -> String {
    let mut roff = Roff::new();
    roff.control("SH", ["配置文件"]);
    paragraph(
        &mut roff,
        &[
            "办公室只设一次的事项写在配置文件里（TOML 格式：每行“名称 = 取值”，文字加英文双引号，# 后为注释）。",
            "命令行选项优先于配置文件，配置文件优先于默认值；county-returns config 列出正在使用的每一项及其来源。",
        ],
    );
    paragraph(
        &mut roff,
        &[
            "查找顺序：--config 指定的文件；否则环境变量 COUNTY_RETURNS_CONFIG 所指的文件（两者都只读这一个文件，--config /dev/null 表示不用配置文件）；",
            "否则当前文件夹的 county-returns.toml 和 /etc/county-returns/config.toml，两者都有时逐项以前者为准。",
            "文件中的相对路径从该文件所在的文件夹算起。写错的文件会报出文件名和行号，命令不会执行。",
        ],
    );
    for key in config::KEYS {
        roff.control("TP", []);
        roff.text([bold(key.name)]);
        roff.text([roman(format!("{}。{}。", key.meaning, key.want))]);
    }
    roff.control("SH", ["环境变量"]);
    roff.control("TP", []);
    roff.text([bold(config::ENV_VAR)]);
    roff.text([roman("配置文件的路径（见“配置文件”）。")]);
    roff.control("SH", ["文件"]);
    for (path, what) in [
        (
            config::SYSTEM_FILE,
            "本机的配置文件（安装包提供，升级时保留您的修改）",
        ),
        (config::LOCAL_FILE, "当前文件夹的配置文件（可选）"),
        (
            "/var/lib/county-returns/",
            "收集网页服务（county-returns.service）的数据文件夹：input/ 各期报表和上报码，output/ 汇总表；卸载后保留",
        ),
        (
            "/usr/share/county-returns/sample/",
            "样例报表（2018-05、2018-06、2018-07 三期）",
        ),
        (
            "/usr/share/doc/county-returns/使用说明.md",
            "使用说明（附图）",
        ),
    ] {
        roff.control("TP", []);
        roff.text([bold(path)]);
        roff.text([roman(what)]);
    }
    roff.control("SH", ["退出码"]);
    for (code, what) in [
        ("0", "完成（报表中的数据问题不影响退出码）"),
        (
            "1",
            "无法完成：命令行、配置文件、任务分工表或单位名单有误，或无法写入；check 发现报送前必须改正的错误",
        ),
        ("2", "加了 --strict 且报表有数据问题（汇总表照常生成）"),
    ] {
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text([roman(what)]);
    }
    roff.control("SH", ["另见"]);
    roff.text([roman(
        "systemctl status county-returns（收集网页服务），county-returns help <命令>。",
    )]);
    roff.control("SH", ["版本"]);
    roff.text([roman(crate::cli::VERSION)]);
    body(&roff.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn man_page_is_one_chinese_page_with_every_command_and_key() {
        let page = man_page().expect("page");
        assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{}", &page[..80]);
        assert_eq!(page.matches(".ds Aq").count(), 2, "one preamble");
        assert!(page.contains(".TH COUNTY-RETURNS 1 "), "title");
        for heading in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "OPTIONS",
            "SUBCOMMANDS",
            "VERSION",
            "EXTRA",
        ] {
            assert!(
                !page.contains(&format!(".SH {heading}")),
                "English heading {heading}"
            );
            assert!(
                !page.contains(&format!(".SS {heading}")),
                "English heading {heading}"
            );
        }
        for heading in ["名称", "用法", "通用选项", "配置文件", "退出码"] {
            assert!(
                page.contains(&format!(".SH {heading}\n")),
                "no section {heading}"
            );
        }
        for command in [
            "run", "check", "template", "tasks", "codes", "serve", "config",
        ] {
            assert!(
                page.contains(&format!(".SH \"命令 {command}\"\n")),
                "no section for {command}"
            );
        }
        // The hidden command stays hidden.
        assert!(!page.contains("命令 generate"));
        for key in config::KEYS {
            assert!(
                page.contains(&format!("\\fB{}\\fR", key.name)),
                "key {}",
                key.name
            );
        }
        // Each subcommand's own flags, not the global ones again.
        assert!(page.contains("\\-\\-due\\-soon\\-days"), "run's flag");
        assert_eq!(
            page.matches("\\-\\-max\\-cells").count(),
            1,
            "global flag listed once"
        );
        assert!(page.contains("汇总一期报表，生成汇总表"));
    }

    #[test]
    fn completions_name_every_command_in_chinese() {
        for shell in SHELLS {
            let text = String::from_utf8(completion(shell)).expect("utf-8");
            for command in [
                "run", "check", "template", "tasks", "codes", "serve", "config",
            ] {
                assert!(text.contains(command), "{shell}: {command}");
            }
            assert!(text.contains("due-soon-days"), "{shell}: flag");
            assert!(!text.contains("generate"), "{shell}: hidden command");
            // Bash shows no descriptions; the others show clap's Chinese help.
            if shell != Shell::Bash {
                assert!(text.contains("汇总一期报表"), "{shell}: Chinese help");
            }
        }
    }
}
