//! SPEC §8: a wrong command line is answered in Chinese, with the value and what
//! to do, and exits 1; help is Chinese. No English from the flag parser or the
//! operating system reaches the user.

use crate::common::Workdir;

/// English words that may appear: flag names, command names, paths and formats.
fn english_words(text: &str) -> Vec<String> {
    let allowed = [
        "county", "returns", "run", "check", "template", "tasks", "codes", "serve", "help",
        "input", "output", "xlsx", "csv", "YYYY", "MM", "DD", "MB", "Excel", "WPS", "CSV", "UTF",
        "config", "HTTPS", "PEM",
    ];
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
        .filter(|w| !allowed.contains(w))
        .map(str::to_string)
        .collect()
}

/// Flag names, the paths the cases use and the values they gave (quoted “…”) are
/// not prose, nor a settings file's line shown back under its error (indented).
fn prose(text: &str) -> String {
    let mut unquoted = String::new();
    let mut quoted = false;
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("    "))
        .collect::<Vec<_>>()
        .join("\n");
    for c in text.chars() {
        match c {
            '“' => quoted = true,
            '”' => quoted = false,
            _ if !quoted => unquoted.push(c),
            _ => {}
        }
    }
    unquoted
        .split(|c: char| c.is_whitespace() || "：，。（）".contains(c))
        .filter(|w| {
            !w.starts_with("--") && !w.starts_with('-') && !w.contains('/') && !w.contains('.')
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// (arguments, words the Chinese answer must hold). Every case exits 1.
const BAD: &[(&[&str], &str)] = &[
    (&["runn"], "没有“runn”这个命令"),
    (&["runn"], "您是不是要输入“run”"),
    (&["foo"], "没有“foo”这个命令"),
    (&[], "请指定要做的事"),
    (&["run", "--bogus"], "不认识的选项“--bogus”"),
    (&["run", "--inptu", "x"], "不认识的选项“--inptu”"),
    (&["run", "extra"], "多余的参数“extra”"),
    (&["run", "--jobs", "abc"], "选项 --jobs 的取值“abc”无效"),
    (&["run", "--jobs", "0"], "选项 --jobs 的取值“0”无效"),
    (&["run", "--jobs", "-2"], "选项 --jobs 的取值“-2”无效"),
    (
        &["run", "--due-soon-days", "-5"],
        "选项 --due-soon-days 的取值“-5”无效",
    ),
    (
        &["run", "--due-soon-days", "9999"],
        "应为 0 到 365 之间的整数",
    ),
    (&["run", "--due-day", "40"], "选项 --due-day 的取值“40”无效"),
    (&["run", "--due-day", "0"], "应为 1 到 31 之间的整数"),
    (
        &["run", "--as-of", "2018-13-01"],
        "选项 --as-of 的取值“2018-13-01”无效",
    ),
    (&["run", "--as-of", "昨天"], "应为 YYYY-MM-DD 形式的日期"),
    (&["run", "--as-of"], "选项 --as-of 缺少取值"),
    (
        &["run", "--max-file-mb", "lots"],
        "选项 --max-file-mb 的取值“lots”无效",
    ),
    (
        &["run", "--max-cells", "-1"],
        "选项 --max-cells 的取值“-1”无效",
    ),
    (&["run", "--input", "no/such"], "找不到报表文件夹 no/such"),
    (
        &[
            "run",
            "--input",
            "returns/2018-07",
            "--previous",
            "no/where",
        ],
        "找不到上一期报表文件夹 no/where",
    ),
    (
        &["run", "--input", "returns/2018-07", "--output", "out.txt"],
        "汇总表必须保存为 .xlsx 文件",
    ),
    (
        &[
            "run",
            "--input",
            "returns/2018-07",
            "--output",
            "returns/2018-07/x.xlsx",
        ],
        "不能保存在报表文件夹",
    ),
    (
        &[
            "run",
            "--input",
            "returns/2018-07",
            "--output",
            "x.xlsx",
            "--feedback",
            "returns/2018-07/fb",
        ],
        "督办单不能保存在报表文件夹",
    ),
    (
        &[
            "run",
            "--input",
            "returns/2018-07",
            "--roster",
            "missing.csv",
        ],
        "无法读取单位名单 missing.csv：找不到该文件或文件夹",
    ),
    (
        &[
            "run",
            "--input",
            "returns/2018-07",
            "--tasks",
            "missing.txt",
        ],
        "无法读取任务表 missing.txt：找不到该文件或文件夹",
    ),
    (
        &[
            "run",
            "--input",
            "returns/2018-07",
            "--output",
            "blocker/out.xlsx",
        ],
        "无法写入汇总表 blocker/out.xlsx",
    ),
    (&["check"], "缺少必填的参数 <文件>"),
    (&["check", "nothing.xlsx"], "找不到文件 nothing.xlsx"),
    (&["check", "a.xlsx", "b.xlsx"], "多余的参数“b.xlsx”"),
    (
        &["template", "--unit", "火星市"],
        "单位“火星市”不在单位名单中",
    ),
    (
        &["tasks", "--tasks", "missing.txt"],
        "无法读取任务表 missing.txt",
    ),
    (&["help", "runn"], "没有“runn”这个命令"),
    (
        &["template", "--period", "2018-13"],
        "选项 --period 的取值“2018-13”无效：应为 YYYY-MM 形式的月份",
    ),
    (&["template", "--period", "2018年7月"], "例如 2018-07"),
    (&["template", "--office", " "], "制发单位不能为空"),
    (
        &["template", "--due-day", "40"],
        "选项 --due-day 的取值“40”无效",
    ),
    (
        &["serve", "--listen", "8080"],
        "选项 --listen 的取值“8080”无效：应为“地址:端口”",
    ),
    (&["serve", "--period", "七月"], "应为 YYYY-MM 形式的月份"),
    (&["serve", "--input", "no/such"], "找不到报表文件夹 no/such"),
    (&["serve", "--input", "returns"], "county-returns codes"),
    (
        &["serve", "--input", "returns", "--tls-cert", "cert.pem"],
        "--tls-key",
    ),
    (
        &["codes", "--input", "returns", "--output", "returns/x.csv"],
        "上报码清单不能保存在报表文件夹",
    ),
    (
        &["--config", "no/such.toml", "tasks"],
        "找不到配置文件 no/such.toml（由 --config 指定）",
    ),
    (&["--config", "no/such.toml", "config"], "请检查路径"),
    (
        &["run", "--config", "unquoted.toml"],
        "配置文件 unquoted.toml 第 2 行第 10 列写法有误：文字和路径要用英文双引号括起来",
    ),
    (
        &["--config", "unknown.toml", "serve"],
        "配置文件 unknown.toml 第 1 行：不认识的设置项“colour”",
    ),
    (
        &["--config", "typo.toml", "config"],
        "不认识的设置项“due-day”。您是不是要写“due_day”？",
    ),
    (
        &["--config", "day.toml", "template"],
        "配置文件 day.toml 第 3 行：“due_day”的取值无效，应为 1 到 31 之间的整数",
    ),
    (
        &["--config", "listen.toml", "serve", "--input", "returns"],
        "“listen”的取值无效",
    ),
    (&["config", "extra"], "多余的参数“extra”"),
    (&["--config"], "选项 --config 缺少取值"),
];

#[test]
fn bad_invocations_exit_1_in_chinese() {
    let w = Workdir::new();
    w.folder("returns/2018-07");
    w.folder("returns/2018-07/fb");
    // A file where a folder should be: nothing can be written under it.
    std::fs::write(w.path("blocker"), "not a folder").expect("blocker");
    std::fs::write(w.path("a.xlsx"), "x").expect("a");
    for (name, text) in [
        ("unquoted.toml", "# 制表单位\noffice = 海南省教育厅\n"),
        ("unknown.toml", "colour = \"red\"\n"),
        ("typo.toml", "due-day = 5\n"),
        ("day.toml", "office = \"海南省教育厅\"\n\ndue_day = 40\n"),
        ("listen.toml", "listen = \"8080\"\n"),
    ] {
        std::fs::write(w.path(name), text).expect("settings file");
    }
    let mut failures = Vec::new();
    for (args, words) in BAD {
        let output = w.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let english = english_words(&prose(&stderr));
        if output.status.code() != Some(1) || !stderr.contains(words) || !english.is_empty() {
            failures.push(format!(
                "{args:?}: exit {:?}, want 1 and “{words}”; English {english:?}; stderr: {stderr}",
                output.status.code()
            ));
        }
    }
    assert!(BAD.len() >= 25);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn help_is_chinese_and_exits_0() {
    let w = Workdir::new();
    for args in [
        &["--help"][..],
        &["help"],
        &["help", "run"],
        &["help", "check"],
        &["run", "--help"],
        &["check", "-h"],
        &["template", "--help"],
        &["tasks", "--help"],
        &["config", "--help"],
        &["help", "config"],
    ] {
        let output = w.run(args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(
            stdout.contains("用法：") && stdout.contains("选项"),
            "{args:?}: {stdout}"
        );
        let english = english_words(&prose(&stdout));
        assert!(
            english.is_empty(),
            "{args:?}: English {english:?} in\n{stdout}"
        );
    }
}
