//! The settings file (`config.toml`), `county-returns config`, `--version` and the
//! generated man page and completions, through the real binary: a flag wins over
//! the file, the file over the built-in default, and `config` says which won.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{ReturnBuilder, Workdir, sheet_text};
use crate::server::{BIN, free_port};

/// Runs the binary in `dir` with the settings lookup left to it: no
/// `$COUNTY_RETURNS_CONFIG` unless `env` gives one.
fn run_in(dir: &Path, args: &[&str], env: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env_remove("COUNTY_RETURNS_CONFIG");
    if let Some(file) = env {
        cmd.env("COUNTY_RETURNS_CONFIG", file);
    }
    cmd.output().expect("run county-returns")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `config`'s row for a key: (value, origin).
fn row(listing: &str, key: &str) -> (String, String) {
    let line = listing
        .lines()
        .find(|l| l.split('\t').next() == Some(key))
        .unwrap_or_else(|| panic!("no row for {key} in\n{listing}"));
    let cells: Vec<&str> = line.split('\t').collect();
    assert_eq!(cells.len(), 4, "{line}");
    (cells[2].to_string(), cells[3].to_string())
}

/// Whether the machine's own settings file could change what these tests see.
fn machine_has_settings() -> bool {
    Path::new("/etc/county-returns/config.toml").exists()
}

#[test]
fn config_says_where_each_setting_came_from() {
    let w = Workdir::new();
    std::fs::write(
        w.path("county-returns.toml"),
        "# 本文件夹的设置\noffice = \"三亚市教育局\"\n\ndue_day = 8\ninput = \"数据/报表\"\n",
    )
    .expect("local settings");
    let listing = stdout(&run_in(
        &w.path(""),
        &["--plan-name", "某规划", "config"],
        None,
    ));
    assert!(
        listing.starts_with("配置文件：county-returns.toml"),
        "{listing}"
    );
    let file = |line: usize| format!("配置文件 county-returns.toml 第 {line} 行");
    assert_eq!(row(&listing, "office"), ("三亚市教育局".into(), file(2)));
    assert_eq!(row(&listing, "due_day"), ("8".into(), file(4)));
    assert_eq!(row(&listing, "input"), ("数据/报表".into(), file(5)));
    assert_eq!(
        row(&listing, "plan_name"),
        ("某规划".into(), "命令行".into())
    );
    if !machine_has_settings() {
        assert_eq!(
            row(&listing, "listen"),
            ("127.0.0.1:8080".into(), "默认".into())
        );
        assert_eq!(row(&listing, "output"), ("output".into(), "默认".into()));
    }
    // A global flag over the file.
    let listing = stdout(&run_in(
        &w.path(""),
        &["config", "--office", "儋州市教育局"],
        None,
    ));
    assert_eq!(
        row(&listing, "office"),
        ("儋州市教育局".into(), "命令行".into())
    );

    // The environment's file is then the only one: the working folder's is not read.
    std::fs::write(w.path("other.toml"), "contact = \"王芳 0898-1\"\n").expect("other");
    let listing = stdout(&run_in(&w.path(""), &["config"], Some("other.toml")));
    assert!(
        listing.contains("other.toml（由环境变量 COUNTY_RETURNS_CONFIG 指定，只读这一个）"),
        "{listing}"
    );
    assert_eq!(
        row(&listing, "contact"),
        ("王芳 0898-1".into(), "配置文件 other.toml 第 1 行".into())
    );
    assert_eq!(
        row(&listing, "office"),
        ("海南省教育厅".into(), "默认".into())
    );
    assert_eq!(row(&listing, "due_day"), ("5".into(), "默认".into()));
    // And --config over the environment; /dev/null is no settings at all.
    let listing = stdout(&run_in(
        &w.path(""),
        &["--config", "/dev/null", "config"],
        Some("other.toml"),
    ));
    assert!(
        listing.starts_with("配置文件：/dev/null（由 --config 指定"),
        "{listing}"
    );
    assert_eq!(row(&listing, "contact").1, "默认");
    assert_eq!(row(&listing, "input"), ("input".into(), "默认".into()));
}

#[test]
fn a_run_takes_folders_office_and_due_day_from_the_file_and_flags_win() {
    let w = Workdir::new();
    let period = w.folder("报表/2018-07");
    ReturnBuilder::new("海口市")
        .signed("2018-08-03")
        .row(1, "已完成", Some("2017-07-20"))
        .write(&period, "海口市.xlsx");
    std::fs::write(
        w.path("settings.toml"),
        "office = \"三亚市教育局\"\ninput = \"报表\"\noutput = \"汇总\"\ndue_day = 2\ncontact = \"王芳 0898-1\"\n",
    )
    .expect("settings");
    let dir = w.path("");
    // No flags: the latest period of the file's input, into the file's output.
    let out = stdout(&run_in(&dir, &["--config", "settings.toml", "run"], None));
    let book = w.path("汇总/2018-07/大班额任务进展汇总_2018-07.xlsx");
    assert!(book.is_file(), "{out}");
    let notes = sheet_text(&book, "说明").concat().join("\n");
    assert!(
        notes.contains("三亚市教育局"),
        "office from the file: {notes}"
    );
    // due_day = 2: filed on 3 August, so 迟报 on the overview.
    let overview = sheet_text(&book, "总览");
    let haikou = overview
        .iter()
        .find(|r| r.iter().any(|c| c == "海口市"))
        .expect("海口市 row");
    assert!(haikou.iter().any(|c| c == "迟报"), "{haikou:?}");
    // Flags over the file.
    let flagged = w.path("flagged.xlsx");
    stdout(&run_in(
        &dir,
        &[
            "--config",
            "settings.toml",
            "--office",
            "儋州市教育局",
            "run",
            "--output",
            flagged.to_str().expect("utf-8"),
            "--due-day",
            "5",
        ],
        None,
    ));
    let notes = sheet_text(&flagged, "说明").concat().join("\n");
    assert!(
        notes.contains("儋州市教育局") && !notes.contains("三亚市教育局"),
        "{notes}"
    );
    let overview = sheet_text(&flagged, "总览");
    let haikou = overview
        .iter()
        .find(|r| r.iter().any(|c| c == "海口市"))
        .expect("海口市 row");
    assert!(!haikou.iter().any(|c| c == "迟报"), "{haikou:?}");
    // template: the file's output folder and period.
    let made = stdout(&run_in(
        &dir,
        &["--config", "settings.toml", "template", "--unit", "海口市"],
        None,
    ));
    assert!(
        w.path("汇总/templates/海口市_进展情况表_2018-07.xlsx")
            .is_file(),
        "{made}"
    );
}

#[test]
fn serve_listens_where_the_file_says() {
    let w = Workdir::new();
    w.folder("data/input/2018-07");
    let port = free_port();
    std::fs::write(
        w.path("county-returns.toml"),
        format!("input = \"data/input\"\nlisten = \"127.0.0.1:{port}\"\nperiod = \"2018-07\"\n"),
    )
    .expect("settings");
    let dir = w.path("");
    // codes writes its hashes into the file's input folder.
    stdout(&run_in(&dir, &["codes"], None));
    assert!(w.path("data/input/.county-returns-codes.json").is_file());
    let log = std::fs::File::create(w.path("serve.out")).expect("log");
    let mut child = Command::new(BIN)
        .arg("serve")
        .current_dir(&dir)
        .env_remove("COUNTY_RETURNS_CONFIG")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let start = Instant::now();
    let mut listening = false;
    while start.elapsed() < Duration::from_secs(20) && !listening {
        listening = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let said = std::fs::read_to_string(w.path("serve.out")).unwrap_or_default();
    assert!(listening, "serve did not listen on {port}: {said}");
    // The file's period pins the month, whatever the date.
    assert!(
        said.contains("正在收集 2018年7月 的报表（保存到 data/input/2018-07）；已指定只收这一期"),
        "{said}"
    );
}

#[test]
fn version_names_the_commit_and_the_build_day() {
    let w = Workdir::new();
    let long = stdout(&w.run(&["--version"]));
    assert_eq!(stdout(&w.run(&["-V"])), long);
    let rest = long
        .strip_prefix(&format!(
            "county-returns {} （提交 ",
            env!("CARGO_PKG_VERSION")
        ))
        .unwrap_or_else(|| panic!("{long}"));
    let (commit, rest) = rest.split_once("，构建于 ").expect("build day");
    let day = rest.strip_suffix("）\n").expect("closing");
    assert!(
        commit == "unknown" || (commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
    assert!(
        chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok(),
        "{day}"
    );
    // Built from this checkout: the commit is its HEAD.
    if let Ok(git) = Command::new("git")
        .args(["rev-parse", "--short=7", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        && git.status.success()
    {
        assert_eq!(commit, String::from_utf8_lossy(&git.stdout).trim());
    }
}

#[test]
fn generate_writes_a_man_page_man_can_read_and_four_completions() {
    let w = Workdir::new();
    let said = stdout(&w.run(&["generate", "assets"]));
    assert!(said.contains("生成 5 个文件"), "{said}");
    for (name, must_hold) in [
        ("county-returns.1", ".TH COUNTY-RETURNS 1"),
        ("county-returns.bash", "complete -F"),
        ("_county-returns", "#compdef county-returns"),
        ("county-returns.fish", "complete -c county-returns"),
        ("_county-returns.ps1", "Register-ArgumentCompleter"),
    ] {
        let text = std::fs::read_to_string(w.path("assets").join(name)).expect(name);
        assert!(text.contains(must_hold), "{name}");
        if name != "county-returns.bash" {
            assert!(text.contains("开启报表收集网页"), "{name}: Chinese help");
        }
    }
    // man itself renders the page: sections in Chinese, every command there.
    let Ok(man) = Command::new("man")
        .args(["-P", "cat", "-l"])
        .arg(w.path("assets/county-returns.1"))
        .env("MANWIDTH", "100")
        .output()
    else {
        return;
    };
    let text = String::from_utf8_lossy(&man.stdout);
    assert!(
        man.status.success(),
        "{}",
        String::from_utf8_lossy(&man.stderr)
    );
    for words in [
        "名称",
        "命令 serve",
        "配置文件",
        "COUNTY_RETURNS_CONFIG",
        "退出码",
        "due_day",
    ] {
        assert!(text.contains(words), "man page lacks {words}:\n{text}");
    }
}
