//! What each side sees (SPEC §10.1): the board counts the problems of each
//! unit's counted return and lists the attempts refused; a unit's page lists
//! its uploads under the names its computer gave them, which one counts and
//! the real reason the others do not; startup names the addresses to open.

use chrono::NaiveDate;
use county_returns::catalogue::Catalogue;
use county_returns::roster::Roster;
use county_returns::template::{self, DateValue, Fill, RowFill};

use super::server::{Launch, Server, client, copy_sample, make_codes, read, upload};

/// 五指山市's return filled on 2018-08-`day`, leaving its first task out and
/// with a 完成时间 no one can read on its second (a problem in 数据问题).
fn with_a_gap(day: u32, narrative: &str) -> Vec<u8> {
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let u = roster.lookup("五指山市").expect("unit");
    let tasks: Vec<u32> = roster.expectations(&catalogue)[u]
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let mut fill = Fill {
        fill_date: NaiveDate::from_ymd_opt(2018, 8, day),
        filler: "李明".into(),
        phone: "0898-65321234".into(),
        omit: vec![tasks[0]],
        ..Fill::default()
    };
    for t in &tasks {
        let unreadable = *t == tasks[1];
        fill.rows.insert(
            *t,
            RowFill {
                status: if unreadable { "已完成" } else { "推进中" }.into(),
                date: unreadable.then(|| DateValue::Text("年底前".into())),
                narrative: narrative.into(),
                ..RowFill::default()
            },
        );
    }
    template::build(&catalogue, "五指山市", &tasks, Some(&fill)).expect("return")
}

async fn status(server: &Server) -> serde_json::Value {
    client()
        .get(format!("{}/api/status", server.url))
        .bearer_auth(server.code("管理员"))
        .send()
        .await
        .expect("status")
        .json()
        .await
        .expect("JSON")
}

fn unit<'a>(status: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    status["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == name)
        .unwrap_or_else(|| panic!("{name} not on the board"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_board_counts_the_counted_return_and_lists_the_attempts_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let code = server.code("五指山市").to_string();
    let (code_status, _) = upload(
        &client(),
        &server.url,
        Some(&code),
        "v1.xlsx",
        with_a_gap(2, "第1版"),
    )
    .await;
    assert_eq!(code_status, 200);
    let once = status(&server).await;
    let problems = unit(&once, "五指山市")["problems"].clone();
    assert!(problems.as_u64().is_some_and(|n| n > 0), "{once}");
    // Three re-uploads with the same gap: the count stays; the others are one line.
    for version in 2..=4 {
        let (s, _) = upload(
            &client(),
            &server.url,
            Some(&code),
            &format!("v{version}.xlsx"),
            with_a_gap(2, &format!("第{version}版")),
        )
        .await;
        assert_eq!(s, 200);
    }
    let four = status(&server).await;
    let wuzhishan = unit(&four, "五指山市");
    assert_eq!(wuzhishan["problems"], problems, "{wuzhishan}");
    assert_eq!(wuzhishan["uploads"], 4);
    assert_eq!(wuzhishan["not_counted"], 3);
    // Attempts that stored nothing: a wrong code, a scanned PDF.
    let (s, _) = upload(
        &client(),
        &server.url,
        Some("ZZZZ-ZZZZ-ZZZZ"),
        "x.xlsx",
        b"PK".to_vec(),
    )
    .await;
    assert_eq!(s, 401);
    let (s, _) = upload(
        &client(),
        &server.url,
        Some(&code),
        "扫描件.pdf",
        b"%PDF-1.4\n".to_vec(),
    )
    .await;
    assert_eq!(s, 415);
    let board = status(&server).await;
    let refused = board["refused"].as_array().expect("refused");
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(refused[0]["unit"], "五指山市");
    assert_eq!(refused[0]["client_name"], "扫描件.pdf");
    assert!(
        refused[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("PDF")),
        "{refused:?}"
    );
    assert_eq!(refused[1]["unit"], "");
    assert_eq!(refused[1]["reason"], "上报码不正确");
    assert_eq!(refused[1]["client"], "127.0.0.1");
    assert!(
        refused[1]["time"]
            .as_str()
            .is_some_and(|t| t.starts_with("2018-08-03 "))
    );
    let page = client()
        .get(format!("{}/status", server.url))
        .bearer_auth(server.code("管理员"))
        .send()
        .await
        .expect("board")
        .text()
        .await
        .expect("page");
    for shown in [
        "未保存的上传（2）",
        "（上报码不正确）",
        "扫描件.pdf",
        "另有 3 份不计入",
    ] {
        assert!(page.contains(shown), "the board lacks {shown}");
    }
    // The fingerprint the board shows is the one run records for the folder.
    let out = std::process::Command::new(super::server::BIN)
        .args(["--config", "/dev/null", "run", "--input", "input/2018-07"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recorded = read(&dir.path().join("output/2018-07/明细_2018-07.fingerprint"));
    assert_eq!(board["fingerprint"].as_str(), Some(recorded.trim()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_sees_its_uploads_by_its_own_names_and_which_counts() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let http = client();
    let login = http
        .post(format!("{}/login", server.url))
        .form(&[("code", server.code("五指山市"))])
        .send()
        .await
        .expect("login");
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    for (name, day) in [("第一版（最新）.xlsx", 3), ("第二版.xlsx", 1)] {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(with_a_gap(day, name)).file_name(name.to_string()),
        );
        let response = http
            .post(format!("{}/upload", server.url))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status().as_u16(), 200);
    }
    let home = http
        .get(format!("{}/", server.url))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("page");
    assert!(home.contains("本单位本期（2018年7月）已报送"), "{home}");
    let rows: Vec<&str> = home.split("<tr").skip(2).collect();
    assert_eq!(rows.len(), 2, "{home}");
    // Latest first: 第二版 (stored later, dated earlier) does not count, and why.
    assert!(rows[0].contains("第二版.xlsx"), "{}", rows[0]);
    assert!(
        rows[0].contains("不计入：“第一版（最新）.xlsx（2018-08-03 10:00:")
            && rows[0].contains("上传）”的填报日期（2018年8月3日）更晚，汇总时以它为准"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains("第一版（最新）.xlsx") && rows[1].contains("计入汇总"),
        "{}",
        rows[1]
    );
    assert!(!rows[1].contains("不计入"), "{}", rows[1]);
}

#[tokio::test(flavor = "multi_thread")]
async fn startup_names_the_addresses_to_open_and_the_sign_in() {
    let dir = tempfile::tempdir().expect("dir");
    copy_sample(dir.path());
    let codes = make_codes(dir.path());
    let server = Launch::new(&[]).host("0.0.0.0").start(dir.path(), codes);
    let port = server.url.rsplit(':').next().expect("port").to_string();
    let said = server.said();
    assert!(!said.contains("0.0.0.0"), "{said}");
    let pages: Vec<&str> = said.lines().filter_map(|l| l.strip_prefix("  ")).collect();
    assert!(!pages.is_empty(), "{said}");
    for page in &pages {
        assert!(
            page.starts_with("http://") && page.ends_with(&format!(":{port}/")),
            "{said}"
        );
        // Each address printed answers.
        let status = client()
            .get(*page)
            .send()
            .await
            .expect("page")
            .status()
            .as_u16();
        assert_eq!(status, 200, "{page}");
    }
    let login = said
        .lines()
        .find_map(|l| l.strip_prefix("省教育厅管理员登录："))
        .unwrap_or_else(|| panic!("no sign-in line: {said}"));
    assert_eq!(login, format!("{}login", pages[0]));
    assert!(
        said.contains("各市县请用浏览器打开：") || said.contains("只有本机能打开"),
        "{said}"
    );
}
