//! The month a server left running collects (SPEC §10.1 "Which month"): it
//! follows the calendar, moves on the day after the due date without a
//! restart, files the previous month's returns there as late and refuses any
//! other month. The real binary on loopback, its clock started where the test
//! says (`COUNTY_RETURNS_NOW`), or the machine's own clock under libfaketime.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use county_returns::catalogue::Catalogue;
use county_returns::period::Month;
use county_returns::roster::Roster;
use county_returns::template::{self, Fill, Options, RowFill};

use super::server::{Launch, Server, client, copy_sample, make_codes, names, read, upload};

/// A return of `unit`, filled on `filled`, its title naming `month` (or none).
pub fn return_for(unit: &str, month: Option<&str>, filled: (i32, u32, u32)) -> Vec<u8> {
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let u = roster.lookup(unit).expect("unit");
    let tasks: Vec<u32> = roster.expectations(&catalogue)[u]
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let mut fill = Fill {
        fill_date: NaiveDate::from_ymd_opt(filled.0, filled.1, filled.2),
        filler: "李明".to_string(),
        phone: "0898-65321234".to_string(),
        ..Fill::default()
    };
    for t in &tasks {
        fill.rows.insert(
            *t,
            RowFill {
                status: "推进中".to_string(),
                narrative: "正在推进".to_string(),
                ..RowFill::default()
            },
        );
    }
    let options = Options {
        period: month.and_then(Month::parse),
        ..Options::default()
    };
    template::build_with(&catalogue, unit, &tasks, Some(&fill), &options).expect("return")
}

async fn api_status(server: &Server) -> serde_json::Value {
    let response = client()
        .get(format!("{}/api/status", server.url))
        .bearer_auth(server.code("管理员"))
        .send()
        .await
        .expect("status");
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.expect("JSON")
}

/// The server-made files of a period folder.
fn stored_in(dir: &Path, period: &str) -> Vec<String> {
    let folder = dir.join("input").join(period);
    if !folder.is_dir() {
        return Vec::new();
    }
    names(&folder)
        .into_iter()
        .filter(|n| super::server::is_server_name(n))
        .collect()
}

/// Waits (a few seconds at most) until the server collects `period`.
async fn wait_for_period(server: &Server, period: &str) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let status = api_status(server).await;
        if status["period"] == period {
            return status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "still collecting {} after 15 s: {}",
            status["period"],
            read(&server.dir.join("serve.err"))
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_month_moves_on_by_itself_and_other_months_are_filed_or_refused() {
    let dir = tempfile::tempdir().expect("dir");
    copy_sample(dir.path());
    let codes = make_codes(dir.path());
    // Three seconds before the end of July's due date.
    let server = Launch::new(&[])
        .now("2018-08-05T23:59:57")
        .start(dir.path(), codes);
    let said = server.said();
    assert!(
        said.contains("正在收集 2018年7月 的报表（保存到 input/2018-07），截止 2018年8月5日；过了截止日，网页自动转为收集下一期，无需重启。"),
        "{said}"
    );
    let july = api_status(&server).await;
    assert_eq!(july["period"], "2018-07");
    assert_eq!(july["due"], "2018-08-05");
    assert!(!dir.path().join("input/2018-08").exists());
    let code = server.code("五指山市").to_string();
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(&code),
        "五指山市7月报表.xlsx",
        return_for("五指山市", None, (2018, 8, 5)),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(stored_in(dir.path(), "2018-07").len(), 1);

    // Midnight passes: the next request finds August, and its folder is made.
    let august = wait_for_period(&server, "2018-08").await;
    assert_eq!(august["as_of"], "2018-08-31");
    assert_eq!(august["due"], "2018-09-05");
    assert!(dir.path().join("input/2018-08").is_dir());
    let home = client()
        .get(format!("{}/", server.url))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("page");
    assert!(home.contains("上报 2018年8月 进展情况表"), "{home}");
    let log = read(&dir.path().join("serve.err"));
    assert!(log.contains("新建 2018年8月 期报表文件夹"), "{log}");

    // A July return, its client's file name naming the month: filed in July, late.
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(&code),
        "五指山市2018年7月进展情况（补报）.xlsx",
        return_for("五指山市", None, (2018, 8, 6)),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("本表是2018年7月的报表，已作为该月的迟报存入2018年7月"),
        "{page}"
    );
    assert_eq!(stored_in(dir.path(), "2018-07").len(), 2);
    assert!(stored_in(dir.path(), "2018-08").is_empty());
    // Its title naming July does the same, whatever the file is called.
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(server.code("三亚市")),
        "report.xlsx",
        return_for("三亚市", Some("2018-07"), (2018, 8, 6)),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("迟报"), "{page}");
    assert_eq!(stored_in(dir.path(), "2018-07").len(), 3);
    // July's board counts 三亚市's late return as 迟报.
    let july = client()
        .get(format!("{}/api/status?period=2018-07", server.url))
        .bearer_auth(server.code("管理员"))
        .send()
        .await
        .expect("July's board")
        .json::<serde_json::Value>()
        .await
        .expect("JSON");
    let sanya = july["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == "三亚市")
        .expect("三亚市")
        .clone();
    assert_eq!(sanya["late"], true, "{sanya}");
    assert_eq!(july["collecting"], false);

    // A June return into August: refused, naming both months, nothing stored anywhere.
    let before: Vec<Vec<String>> = ["2018-06", "2018-07", "2018-08"]
        .iter()
        .map(|p| names(&dir.path().join("input").join(p)))
        .collect();
    for (name, bytes) in [
        (
            "五指山市2018年6月进展情况.xlsx",
            return_for("五指山市", None, (2018, 7, 3)),
        ),
        (
            "r.xlsx",
            return_for("五指山市", Some("2018-06"), (2018, 7, 3)),
        ),
        // The title wins over the file name.
        (
            "五指山市8月.xlsx",
            return_for("五指山市", Some("2018-06"), (2018, 7, 3)),
        ),
    ] {
        let (status, page) = upload(&client(), &server.url, Some(&code), name, bytes).await;
        assert_eq!(status, 422, "{name}: {page}");
        assert!(
            page.contains("报表的标题或文件名写的是2018年6月，而本网页正在收集2018年8月的报表（2018年7月的迟报也可上传）"),
            "{name}: {page}"
        );
        assert!(page.contains("未保存"), "{page}");
    }
    let after: Vec<Vec<String>> = ["2018-06", "2018-07", "2018-08"]
        .iter()
        .map(|p| names(&dir.path().join("input").join(p)))
        .collect();
    assert_eq!(after, before, "nothing stored");
    // An August return goes to August.
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(&code),
        "五指山市2018年8月进展情况.xlsx",
        return_for("五指山市", Some("2018-08"), (2018, 9, 2)),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("已收到并保存"), "{page}");
    assert_eq!(stored_in(dir.path(), "2018-08").len(), 1);
    // The log says which period each went to.
    let log = read(&dir.path().join("input/上报日志.jsonl"));
    let periods: Vec<String> = log
        .lines()
        .filter(|l| l.contains("\"result\":\"已保存\""))
        .map(|l| {
            let line: serde_json::Value = serde_json::from_str(l).expect("line");
            line["period"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(periods, ["2018-07", "2018-07", "2018-07", "2018-08"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pinned_period_stays_whatever_the_date() {
    let dir = tempfile::tempdir().expect("dir");
    copy_sample(dir.path());
    let codes = make_codes(dir.path());
    let server = Launch::new(&["--period", "2018-06"])
        .now("2018-09-20T09:00:00")
        .start(dir.path(), codes);
    assert_eq!(api_status(&server).await["period"], "2018-06");
    let said = server.said();
    assert!(said.contains("已指定只收这一期，不会自动换期"), "{said}");
    // Its month before is filed as late, into 2018-05.
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(server.code("五指山市")),
        "五指山市2018年5月.xlsx",
        return_for("五指山市", None, (2018, 9, 20)),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(stored_in(dir.path(), "2018-05").len(), 1);
    assert!(!dir.path().join("input/2018-09").exists());
}

/// The production clock, not the test one: libfaketime sets the machine's time
/// for the process, and the server still moves on at midnight by itself.
#[tokio::test(flavor = "multi_thread")]
async fn under_libfaketime_the_machines_clock_moves_the_month() {
    if std::process::Command::new("faketime")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "faketime is missing: .ci/run installs it"
        );
        eprintln!("跳过 libfaketime 测试：未安装 faketime（apt-get install faketime）");
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    copy_sample(dir.path());
    let codes = make_codes(dir.path());
    let server = Launch::new(&[])
        .system_clock()
        // The runtime's timers keep the real monotonic clock.
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .under(&["faketime", "-f", "@2018-08-05 23:59:58"])
        .start(dir.path(), codes);
    assert_eq!(api_status(&server).await["period"], "2018-07");
    wait_for_period(&server, "2018-08").await;
    assert!(dir.path().join("input/2018-08").is_dir());
}
