//! `codes` and `serve`, end to end: the real binary on a loopback port, a real
//! HTTP client, the sample's returns and returns written in the test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use county_returns::catalogue::Catalogue;
use county_returns::roster::Roster;
use county_returns::template::{self, Fill, RowFill};

use super::server::{BIN, Server, client, names, read, read_codes, stored, upload};

/// A return of `unit` with every expected task at `status`, signed by `filler`.
pub fn return_of(unit: &str, filler: &str, status: &str, narrative: &str) -> Vec<u8> {
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let u = roster.lookup(unit).expect("unit in roster");
    let tasks: Vec<u32> = roster.expectations(&catalogue)[u]
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let mut fill = Fill {
        fill_date: NaiveDate::from_ymd_opt(2018, 8, 2),
        filler: filler.to_string(),
        phone: "0898-65321234".to_string(),
        ..Fill::default()
    };
    for t in &tasks {
        fill.rows.insert(
            *t,
            RowFill {
                status: status.to_string(),
                narrative: narrative.to_string(),
                ..RowFill::default()
            },
        );
    }
    template::build(&catalogue, unit, &tasks, Some(&fill)).expect("build return")
}

fn sample(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("input/2018-07")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

async fn get(server: &Server, path: &str, code: Option<&str>) -> (u16, String) {
    let mut request = client().get(format!("{}{path}", server.url));
    if let Some(code) = code {
        request = request.bearer_auth(code);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The unit's entry of `/api/status`.
async fn unit_status(server: &Server, unit: &str) -> serde_json::Value {
    let (status, body) = get(server, "/api/status", Some(server.code("管理员"))).await;
    assert_eq!(status, 200, "{body}");
    json(&body)["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == unit)
        .unwrap_or_else(|| panic!("{unit} not on the board: {body}"))
        .clone()
}

#[test]
fn codes_writes_the_list_once_and_keeps_only_hashes() {
    let dir = tempfile::tempdir().expect("dir");
    super::server::copy_sample(dir.path());
    let codes = super::server::make_codes(dir.path());
    assert_eq!(codes.len(), 20, "19 units and the office: {codes:?}");
    assert!(codes.contains_key("海口市") && codes.contains_key("管理员"));
    let list = std::fs::read(dir.path().join("上报码.csv")).expect("list");
    assert!(list.starts_with("\u{feff}单位,上报码\n".as_bytes()));
    // The list of plain codes is its owner's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("上报码.csv"))
            .expect("list")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        // So are the hashes: each is a code to guess offline.
        let mode = std::fs::metadata(dir.path().join("input/.county-returns-codes.json"))
            .expect("hashes")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let hashes = read(&dir.path().join("input/.county-returns-codes.json"));
    for code in codes.values() {
        assert!(
            !hashes.contains(code.as_str()),
            "a plain code in the hash file"
        );
    }
    assert!(hashes.contains("$argon2id$"), "{hashes}");
    // Again without --force: refused, nothing changed.
    let again = std::process::Command::new(BIN)
        .arg("codes")
        .current_dir(dir.path())
        .output()
        .expect("codes");
    assert_eq!(again.status.code(), Some(1));
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("--force") && !said.is_ascii(), "{said}");
    assert_eq!(read_codes(&dir.path().join("上报码.csv")), codes);
    // With --force: new codes.
    let forced = std::process::Command::new(BIN)
        .args(["codes", "--force"])
        .current_dir(dir.path())
        .output()
        .expect("codes");
    assert!(forced.status.success());
    assert_ne!(read_codes(&dir.path().join("上报码.csv")), codes);
}

#[test]
fn serve_without_codes_or_with_bad_flags_says_why_in_chinese() {
    let dir = tempfile::tempdir().expect("dir");
    super::server::copy_sample(dir.path());
    let run = |args: &[&str]| {
        let out = std::process::Command::new(BIN)
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("serve");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, said) = run(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(code, Some(1));
    assert!(said.contains("county-returns codes"), "{said}");
    let cases = [
        (vec!["serve", "--listen", "localhost"], "--listen"),
        (vec!["serve", "--period", "2018-13"], "--period"),
        (vec!["serve", "--tls-cert", "a.pem"], "--tls"),
    ];
    for (args, flag) in cases {
        let (code, said) = run(&args);
        assert_eq!(code, Some(1), "{args:?}");
        assert!(
            said.contains(flag) && said.starts_with("错误："),
            "{args:?}: {said}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_county_uploads_and_sees_its_check_the_office_sees_it_on_the_board() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let http = client();
    let (status, page) = get(&server, "/", None).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("上报码") && page.contains("2018年7月"),
        "{page}"
    );
    // 五指山市 sent nothing for July in the sample.
    let before = unit_status(&server, "五指山市").await;
    assert_eq!(before["sent"], false, "{before}");
    let bytes = return_of("五指山市", "李明", "推进中", "正在推进");
    let (status, page) = upload(
        &http,
        &server.url,
        Some(server.code("五指山市")),
        "五指山7月.xlsx",
        bytes.clone(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    for shown in [
        "五指山市 报表检查结果",
        "已收到并保存",
        "2018年8月2日",
        "李明",
        "推进中",
        "annotated.xlsx",
    ] {
        assert!(page.contains(shown), "the check page lacks {shown}: {page}");
    }
    // Every task of the unit by its full text, never cut (SPEC §5: full names).
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let u = roster.lookup("五指山市").expect("unit");
    for (task, _) in &roster.expectations(&catalogue)[u] {
        let text = &catalogue.get(*task).expect("task").text;
        assert!(page.contains(text.as_str()), "task {task} cut: {page}");
    }
    // Stored once, under the server's name, whole.
    let files = stored(&server);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].starts_with("五指山市_") && files[0].ends_with(".xlsx"));
    assert_eq!(
        std::fs::read(server.period_dir().join(&files[0])).expect("stored"),
        bytes
    );
    // Logged with its hash.
    let log = read(&dir.path().join("input/上报日志.jsonl"));
    let line = json(log.lines().last().expect("a log line"));
    assert_eq!(line["unit"], "五指山市");
    assert_eq!(line["file"], files[0].as_str());
    assert_eq!(line["result"], "已保存");
    assert_eq!(line["size"], bytes.len());
    assert_eq!(line["sha256"], county_returns::digest::sha256_hex(&bytes));
    assert_eq!(line["client_name"], "五指山7月.xlsx");
    // The board and its JSON show it.
    let after = unit_status(&server, "五指山市").await;
    assert_eq!(after["sent"], true, "{after}");
    assert_eq!(after["uploads"], 1);
    assert_eq!(after["file"], files[0].as_str());
    assert_eq!(after["fill_date"], "2018-08-02");
    assert!(after["last_upload"].is_string());
    let (status, board) = get(&server, "/status", Some(server.code("管理员"))).await;
    assert_eq!(status, 200);
    assert!(
        board.contains("五指山市") && board.contains("催报名单"),
        "{board}"
    );
    // 琼海市's July return leaves task 7 out: it is on the 催报名单, in JSON and CSV.
    let (_, api) = get(&server, "/api/status", Some(server.code("管理员"))).await;
    let chase = json(&api)["chase"].clone();
    let qionghai = chase
        .as_array()
        .expect("chase list")
        .iter()
        .find(|c| c["unit"] == "琼海市")
        .unwrap_or_else(|| panic!("琼海市 not on the 催报名单: {chase}"))
        .clone();
    assert_eq!(qionghai["situation"], "漏报", "{qionghai}");
    let (status, csv) = get(&server, "/chase.csv", Some(server.code("管理员"))).await;
    assert_eq!(status, 200);
    assert!(
        csv.starts_with("\u{feff}单位,情况,缺报项数,缺报内容,填报人,联系电话"),
        "{csv}"
    );
    assert!(csv.contains("琼海市,漏报,1,"), "{csv}");
    // The annotated copy, for the unit itself.
    let id = page
        .split("/returns/")
        .nth(1)
        .and_then(|rest| rest.get(..16))
        .expect("a link to the return");
    let copy = http
        .get(format!("{}/returns/{id}/annotated.xlsx", server.url))
        .bearer_auth(server.code("五指山市"))
        .send()
        .await
        .expect("annotated");
    assert_eq!(copy.status().as_u16(), 200);
    assert!(copy.bytes().await.expect("bytes").starts_with(b"PK"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_workbook_download_is_the_workbook_run_writes() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let (status, _) = upload(
        &client(),
        &server.url,
        Some(server.code("五指山市")),
        "a.xlsx",
        return_of("五指山市", "李明", "已完成", "已完成"),
    )
    .await;
    assert_eq!(status, 200);
    let response = client()
        .get(format!("{}/workbook", server.url))
        .bearer_auth(server.code("管理员"))
        .send()
        .await
        .expect("workbook");
    assert_eq!(response.status().as_u16(), 200);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let served = response.bytes().await.expect("bytes");
    let out = std::process::Command::new(BIN)
        .args(["run", "--input", "input/2018-07"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read(
        dir.path()
            .join("output/2018-07/大班额任务进展汇总_2018-07.xlsx"),
    )
    .expect("run's workbook");
    assert!(
        served.as_ref() == written.as_slice(),
        "/workbook ({} bytes) differs from run's workbook ({} bytes)",
        served.len(),
        written.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_code_reaches_its_own_unit_only() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(server.code("海口市")),
        "hk.xlsx",
        sample("海口市2018年7月大班额任务进展情况.xlsx"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let id = page
        .split("/returns/")
        .nth(1)
        .and_then(|r| r.get(..16))
        .expect("id");
    let own = format!("/returns/{id}");
    let annotated = format!("/returns/{id}/annotated.xlsx");
    let sanya = server.code("三亚市");
    let haikou = server.code("海口市");
    let admin = server.code("管理员");
    let cases: [(&str, Option<&str>, u16); 14] = [
        (&own, Some(haikou), 200),
        (&annotated, Some(haikou), 200),
        (&own, Some(admin), 200),
        (&own, Some(sanya), 403),
        (&annotated, Some(sanya), 403),
        (&own, None, 401),
        ("/status", Some(sanya), 403),
        ("/api/status", Some(haikou), 403),
        ("/workbook", Some(haikou), 403),
        ("/chase.csv", Some(haikou), 403),
        ("/status", None, 401),
        ("/api/status", None, 401),
        ("/workbook", None, 401),
        ("/returns/0123456789abcdef", Some(admin), 404),
    ];
    for (path, code, want) in cases {
        let (status, body) = get(&server, path, code).await;
        assert_eq!(status, want, "{path} with {code:?}: {body}");
    }
    // Another unit's return, under one's own code: refused, nothing stored.
    let before = stored(&server);
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(sanya),
        "三亚市.xlsx",
        sample("海口市2018年7月大班额任务进展情况.xlsx"),
    )
    .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("海口市") && page.contains("不符"), "{page}");
    assert_eq!(stored(&server), before);
    // The office's code views but does not upload.
    let (status, _) = upload(
        &client(),
        &server.url,
        Some(admin),
        "x.xlsx",
        sample("海口市2018年7月大班额任务进展情况.xlsx"),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(stored(&server), before);
}

/// A code's rest changed in its last character: it claims the same unit, wrongly.
pub fn near_miss(right: &str) -> String {
    let mut near = right.replace('-', "");
    let last = if near.ends_with('2') { "3" } else { "2" };
    near.replace_range(11..12, last);
    near
}

async fn bearer_status(server: &Server, code: &str) -> (u16, Option<u64>, String) {
    let response = client()
        .get(format!("{}/", server.url))
        .bearer_auth(code)
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    let wait = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, wait, response.text().await.unwrap_or_default())
}

/// Slowed per address and per unit claimed: other units' misses from the same
/// address (one NAT) never refuse a right code.
#[tokio::test(flavor = "multi_thread")]
async fn wrong_codes_say_nothing_and_are_slowed_per_address_and_unit() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let haikou = server.code("海口市").to_string();
    // Codes of nobody (garbage, a well-formed code no one holds, nothing).
    let tries = [
        "ZZZZ-ZZZZ-ZZZZ",
        "../../etc/passwd",
        "",
        "海口市",
        "2222-3333-4444",
    ];
    let mut answers = BTreeSet::new();
    for code in tries {
        let (status, page) = upload(
            &client(),
            &server.url,
            Some(code),
            "hk.xlsx",
            b"PK".to_vec(),
        )
        .await;
        assert_eq!(status, 401, "{code}: {page}");
        answers.insert(page);
    }
    // The right first four characters with a wrong rest: the same answer.
    let near = near_miss(&haikou);
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(&near),
        "hk.xlsx",
        b"PK".to_vec(),
    )
    .await;
    assert_eq!(status, 401);
    answers.insert(page);
    assert_eq!(
        answers.len(),
        1,
        "every wrong code gets the same answer: {answers:?}"
    );
    // A sixth code of nobody from this address waits.
    let (status, wait, page) = bearer_status(&server, "YYYY-YYYY-YYYY").await;
    assert_eq!(status, 429, "{page}");
    let wait = wait.expect("Retry-After");
    assert!((1..=30).contains(&wait), "{wait}");
    assert!(page.contains("秒后再试"), "{page}");
    // Right codes from the same address are not refused for those misses.
    for unit in ["海口市", "三亚市", "管理员"] {
        let (status, _, page) = bearer_status(&server, server.code(unit)).await;
        assert_eq!(status, 200, "{unit}: {page}");
    }
    // Four more misses claiming 海口市 (five in all): 海口市's next try waits,
    // its right code included; 三亚市 and the office do not.
    for _ in 0..4 {
        assert_eq!(bearer_status(&server, &near).await.0, 401);
    }
    assert_eq!(bearer_status(&server, &haikou).await.0, 429);
    assert_eq!(bearer_status(&server, server.code("三亚市")).await.0, 200);
    assert_eq!(bearer_status(&server, server.code("管理员")).await.0, 200);
    assert!(stored(&server).is_empty());
    // Each wrong code in the upload form is logged (bearer tries are not uploads).
    let log = read(&dir.path().join("input/上报日志.jsonl"));
    assert_eq!(
        log.lines().filter(|l| l.contains("上报码不正确")).count(),
        6,
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn client_file_names_never_become_paths() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let before_root = names(dir.path());
    let before_input = names(&dir.path().join("input"));
    let evil = [
        ("../../evil.xlsx", 200),
        ("..\\..\\evil.xlsx", 200),
        ("/tmp/evil.xlsx", 200),
        ("2018-07/../../../evil.xlsx", 200),
        (".county-returns-codes.json", 200),
        ("CON", 200),
        // No header may hold a NUL: the request itself is refused.
        ("海口市\u{0}.xlsx", 400),
    ];
    for (i, (name, want)) in evil.into_iter().enumerate() {
        // Each a different file: the same bytes are stored once.
        let bytes = return_of("海口市", &format!("填报人{i}"), "推进中", "正在推进");
        let (status, page) = upload(
            &client(),
            &server.url,
            Some(server.code("海口市")),
            name,
            bytes,
        )
        .await;
        assert_eq!(status, want, "{name}: {page}");
    }
    let files = stored(&server);
    assert_eq!(files.len(), 6, "{files:?}");
    for file in &files {
        assert!(
            file.starts_with("海口市_") && file.ends_with(".xlsx"),
            "{file}"
        );
    }
    assert_eq!(names(dir.path()), before_root);
    let mut with_log = before_input.clone();
    with_log.push("上报日志.jsonl".to_string());
    with_log.sort();
    assert_eq!(names(&dir.path().join("input")), with_log);
    assert!(!Path::new("/tmp/evil.xlsx").exists());
    // Ids in links are checked for shape before anything is looked up.
    for path in [
        "/returns/..%2F..%2Finput",
        "/returns/../../etc/passwd",
        "/returns/%2e%2e/annotated.xlsx",
    ] {
        let (status, _) = get(&server, path, Some(server.code("管理员"))).await;
        assert!(status == 404, "{path}: {status}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn oversize_files_zip_bombs_and_non_spreadsheets_are_refused_unstored() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(
        dir.path(),
        &["--max-file-mb", "1", "--max-inflated-mb", "4"],
    );
    let code = server.code("海口市").to_string();
    let before = names(&server.period_dir());
    let big = {
        let mut bytes = sample("海口市2018年7月大班额任务进展情况.xlsx");
        bytes.resize(2 * 1024 * 1024, 0);
        bytes
    };
    let bomb = {
        // Twenty megabytes of one letter, deflated to a few kilobytes.
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("[Content_Types].xml", options)
            .expect("part");
        zip.write_all(b"<?xml version=\"1.0\"?><Types/>")
            .expect("write");
        zip.start_file("xl/workbook.xml", options).expect("part");
        zip.write_all(b"<workbook/>").expect("write");
        zip.start_file("xl/worksheets/sheet1.xml", options)
            .expect("part");
        let block = vec![b'a'; 1024 * 1024];
        for _ in 0..20 {
            zip.write_all(&block).expect("write");
        }
        zip.finish().expect("zip").into_inner()
    };
    assert!(bomb.len() < 200 * 1024, "the bomb is small: {}", bomb.len());
    let cases: [(&str, Vec<u8>, u16); 6] = [
        ("big.xlsx", big, 413),
        ("bomb.xlsx", bomb, 413),
        ("scan.xlsx", b"%PDF-1.4\n1 0 obj\n".to_vec(), 415),
        ("photo.xls", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), 415),
        ("empty.xlsx", Vec::new(), 415),
        ("note.csv", "海口市报表稍后补报".as_bytes().to_vec(), 415),
    ];
    for (name, bytes, want) in cases {
        let (status, page) = upload(&client(), &server.url, Some(&code), name, bytes).await;
        assert_eq!(status, want, "{name}: {page}");
        assert!(page.contains("未保存"), "{name}: {page}");
    }
    assert_eq!(
        names(&server.period_dir()),
        before,
        "nothing stored, no staging left"
    );
    let log = read(&dir.path().join("input/上报日志.jsonl"));
    assert_eq!(log.lines().count(), 6, "every refusal logged: {log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn text_from_a_return_is_escaped_on_every_page() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let script = "<script>alert(1)</script>";
    let bytes = return_of("五指山市", script, script, "<img src=x onerror=alert(2)>");
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(server.code("五指山市")),
        "x.xlsx",
        bytes,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let (_, board) = get(&server, "/status", Some(server.code("管理员"))).await;
    for (what, html) in [("check page", &page), ("board", &board)] {
        assert!(!html.contains("<script"), "{what} carries a script: {html}");
        assert!(!html.contains("<img"), "{what} carries markup: {html}");
    }
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    // The board's 催报名单 names the filler as written: escaped too.
    assert!(
        board.contains("&lt;script&gt;") || !board.contains("alert(1)"),
        "{board}"
    );
    let response = client()
        .get(format!("{}/", server.url))
        .send()
        .await
        .expect("page");
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_sets_a_strict_http_only_cookie_and_logout_ends_it() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let http = client();
    let response = http
        .post(format!("{}/login", server.url))
        .form(&[("code", server.code("管理员"))])
        .send()
        .await
        .expect("login");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/status");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_string();
    for part in ["cr_session=", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let session = cookie.split(';').next().expect("pair").to_string();
    let board = http
        .get(format!("{}/status", server.url))
        .header("cookie", &session)
        .send()
        .await
        .expect("board");
    assert_eq!(board.status().as_u16(), 200);
    let out = http
        .post(format!("{}/logout", server.url))
        .header("cookie", &session)
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status().as_u16(), 303);
    let board = http
        .get(format!("{}/status", server.url))
        .header("cookie", &session)
        .send()
        .await
        .expect("board");
    assert_eq!(board.status().as_u16(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_server_restarts_with_every_accepted_upload() {
    let dir = tempfile::tempdir().expect("dir");
    let mut server = Server::fresh(dir.path(), &[]);
    let mut ids = Vec::new();
    for (i, unit) in ["五指山市", "五指山市", "三亚市"].iter().enumerate() {
        let bytes = return_of(unit, &format!("填报人{i}"), "推进中", "正在推进");
        let (status, page) = upload(
            &client(),
            &server.url,
            Some(server.code(unit)),
            "r.xlsx",
            bytes,
        )
        .await;
        assert_eq!(status, 200, "{page}");
        ids.push(
            page.split("/returns/")
                .nth(1)
                .and_then(|r| r.get(..16))
                .expect("id")
                .to_string(),
        );
    }
    let files = stored(&server);
    assert_eq!(files.len(), 3);
    server.kill();
    // What a kill in the middle of an upload leaves: a staging folder.
    let half = server.period_dir().join(".county-returns-upload-killed");
    std::fs::create_dir_all(&half).expect("staging");
    std::fs::write(half.join("upload.part"), b"PK\x03\x04half").expect("half");
    let codes = server.codes.clone();
    drop(server);
    let server = Server::start(dir.path(), codes, &[]);
    assert_eq!(
        stored(&server),
        files,
        "every accepted upload is still there"
    );
    assert!(!half.exists(), "the staging folder is swept");
    let status = unit_status(&server, "五指山市").await;
    assert_eq!(status["uploads"], 2, "{status}");
    assert_eq!(status["sent"], true);
    for id in &ids[..2] {
        let (code, _) = get(
            &server,
            &format!("/returns/{id}"),
            Some(server.code("五指山市")),
        )
        .await;
        assert_eq!(code, 200, "{id}");
    }
    // A resubmission after the restart still sorts after the ones before it.
    let bytes = return_of("五指山市", "填报人9", "已完成", "已完成");
    let (status, _) = upload(
        &client(),
        &server.url,
        Some(server.code("五指山市")),
        "r.xlsx",
        bytes,
    )
    .await;
    assert_eq!(status, 200);
    let mine: Vec<String> = stored(&server)
        .into_iter()
        .filter(|n| n.starts_with("五指山市"))
        .collect();
    assert_eq!(mine.len(), 3);
    let winner = unit_status(&server, "五指山市").await;
    assert_eq!(
        winner["file"],
        mine[2].as_str(),
        "the latest upload speaks for the unit"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().expect("dir");
    let mut server = Server::fresh(dir.path(), &[]);
    assert_eq!(get(&server, "/", None).await.0, 200);
    assert_eq!(
        server.terminate(),
        Some(0),
        "{}",
        read(&dir.path().join("serve.err"))
    );
}

/// 19 units × 3 uploads at once: each stored exactly once, none lost, none doubled.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_uploads_are_each_stored_exactly_once() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let roster = Roster::default_hainan().expect("roster");
    let mut jobs = Vec::new();
    let http = client();
    let mut sent: BTreeMap<String, String> = BTreeMap::new();
    for unit in &roster.units {
        for i in 0..3 {
            let bytes = return_of(&unit.name, &format!("填报人{i}"), "推进中", "正在推进");
            sent.insert(
                county_returns::digest::sha256_hex(&bytes),
                unit.name.clone(),
            );
            let (url, code) = (server.url.clone(), server.code(&unit.name).to_string());
            let http = http.clone();
            jobs.push(tokio::spawn(async move {
                upload(&http, &url, Some(&code), "r.xlsx", bytes).await
            }));
        }
    }
    for job in jobs {
        let (status, page) = job.await.expect("task");
        assert_eq!(status, 200, "{page}");
    }
    let files = stored(&server);
    assert_eq!(files.len(), sent.len(), "{files:?}");
    let on_disk: BTreeMap<String, String> = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(server.period_dir().join(f)).expect("stored");
            (county_returns::digest::sha256_hex(&bytes), f.clone())
        })
        .collect();
    assert_eq!(on_disk.len(), sent.len(), "each upload once");
    for (sha, unit) in &sent {
        let file = on_disk
            .get(sha)
            .unwrap_or_else(|| panic!("{unit}'s upload {sha} is missing"));
        assert!(file.starts_with(&format!("{unit}_")), "{file} for {unit}");
    }
    let status = unit_status(&server, "三沙市").await;
    assert_eq!(status["uploads"], 3, "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn https_with_a_certificate_of_the_office() {
    let dir = tempfile::tempdir().expect("dir");
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("certificate");
    std::fs::write(dir.path().join("cert.pem"), cert.cert.pem()).expect("cert");
    std::fs::write(dir.path().join("key.pem"), cert.signing_key.serialize_pem()).expect("key");
    let server = Server::fresh(
        dir.path(),
        &["--tls-cert", "cert.pem", "--tls-key", "key.pem"],
    );
    assert!(server.url.starts_with("https://"));
    let _ = rustls::crypto::ring::default_provider().install_default();
    let trusted = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).expect("pem")])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = trusted
        .get(format!("{}/", server.url))
        .send()
        .await
        .expect("https page");
    assert_eq!(page.status().as_u16(), 200);
    let login = trusted
        .post(format!("{}/login", server.url))
        .form(&[("code", server.code("海口市"))])
        .send()
        .await
        .expect("login");
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
    // Plain HTTP to the HTTPS port gets no page.
    let plain = client()
        .get(server.url.replace("https://", "http://") + "/")
        .send()
        .await;
    assert!(plain.map(|r| r.status().as_u16() != 200).unwrap_or(true));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_return_the_office_puts_in_by_hand_shows_without_an_upload() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    assert_eq!(unit_status(&server, "五指山市").await["sent"], false);
    // A return that came by mail, saved into the period folder while the server runs.
    std::fs::write(
        server
            .period_dir()
            .join("五指山市2018年7月报表（邮件）.xlsx"),
        return_of("五指山市", "李明", "推进中", "正在推进"),
    )
    .expect("save by hand");
    let status = unit_status(&server, "五指山市").await;
    assert_eq!(status["sent"], true, "{status}");
    assert_eq!(status["uploads"], 0, "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_with_an_earlier_fill_date_is_told_it_will_not_count() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let code = server.code("五指山市").to_string();
    let dated = |day: u32| {
        let catalogue = Catalogue::embedded().expect("catalogue");
        let roster = Roster::default_hainan().expect("roster");
        let u = roster.lookup("五指山市").expect("unit");
        let tasks: Vec<u32> = roster.expectations(&catalogue)[u]
            .iter()
            .map(|(t, _)| *t)
            .collect();
        let fill = Fill {
            fill_date: NaiveDate::from_ymd_opt(2018, 8, day),
            filler: "李明".into(),
            phone: "0898-65321234".into(),
            ..Fill::default()
        };
        template::build(&catalogue, "五指山市", &tasks, Some(&fill)).expect("return")
    };
    let (status, first) = upload(&client(), &server.url, Some(&code), "a.xlsx", dated(3)).await;
    assert_eq!(status, 200);
    assert!(!first.contains("不会计入汇总"), "{first}");
    // A second upload dated earlier: stored, but the county is told the first one counts.
    let (status, second) = upload(&client(), &server.url, Some(&code), "b.xlsx", dated(1)).await;
    assert_eq!(status, 200);
    let first_name = stored(&server)
        .into_iter()
        .next()
        .expect("the first upload");
    // The real reason, naming the file as the county's computer named it.
    assert!(
        second.contains("不会计入汇总")
            && second.contains("“a.xlsx（")
            && second.contains("的填报日期（2018年8月3日）更晚"),
        "{second}"
    );
    assert_eq!(
        unit_status(&server, "五指山市").await["file"],
        first_name.as_str()
    );
}

/// A zip of returns (SPEC §3, round 3): stored as the zip it is, checked member by
/// member, its return counted for the unit; a zip holding another unit's return
/// is refused, nothing stored.
#[tokio::test(flavor = "multi_thread")]
async fn a_zipped_return_is_stored_checked_and_counted() {
    use std::io::Write;
    let zip_of = |name: &str, bytes: &[u8]| {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file(name, options).expect("member");
        zip.write_all(bytes).expect("write");
        zip.finish().expect("zip").into_inner()
    };
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let code = server.code("五指山市").to_string();
    let ours = zip_of(
        "7月/五指山市7月进展.xlsx",
        &return_of("五指山市", "李明", "推进中", "正在推进"),
    );
    let (status, page) = upload(&client(), &server.url, Some(&code), "五指山.zip", ours).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("7月/五指山市7月进展.xlsx › 进展情况") && page.contains("李明"),
        "the page names the member read: {page}"
    );
    let files = stored(&server);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].starts_with("五指山市_") && files[0].ends_with(".zip"),
        "{files:?}"
    );
    let status = unit_status(&server, "五指山市").await;
    assert_eq!(status["sent"], true, "{status}");
    let theirs = zip_of(
        "三亚市.xlsx",
        &return_of("三亚市", "王芳", "推进中", "正在推进"),
    );
    let (status, page) = upload(&client(), &server.url, Some(&code), "三亚.zip", theirs).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("三亚市") && page.contains("未保存"), "{page}");
    assert_eq!(stored(&server).len(), 1, "nothing more stored");
}

/// What a return wrote reaches /chase.csv (填报人, 联系电话): a cell Excel would
/// run as a formula is neutralised with a leading `'`, as `run`'s CSVs do.
#[tokio::test(flavor = "multi_thread")]
async fn chase_csv_neutralises_formulas_a_return_wrote() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let u = roster.lookup("五指山市").expect("unit in roster");
    let tasks: Vec<u32> = roster.expectations(&catalogue)[u]
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let mut fill = Fill {
        fill_date: NaiveDate::from_ymd_opt(2018, 8, 2),
        filler: "=HYPERLINK(\"http://evil.invalid\",\"点我\")".to_string(),
        phone: "=cmd|' /C calc'!A0".to_string(),
        ..Fill::default()
    };
    // The first task left out, so the unit is on the 催报名单 as 漏报.
    for t in &tasks[1..] {
        fill.rows.insert(
            *t,
            RowFill {
                status: "推进中".to_string(),
                narrative: "正在推进".to_string(),
                ..RowFill::default()
            },
        );
    }
    fill.omit.push(tasks[0]);
    let bytes = template::build(&catalogue, "五指山市", &tasks, Some(&fill)).expect("build");
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(server.code("五指山市")),
        "五指山7月.xlsx",
        bytes,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let (status, csv) = get(&server, "/chase.csv", Some(server.code("管理员"))).await;
    assert_eq!(status, 200);
    let line = csv
        .lines()
        .find(|l| l.starts_with("五指山市,"))
        .unwrap_or_else(|| panic!("五指山市 not on the 催报名单: {csv}"));
    assert!(
        line.contains("'=HYPERLINK(") && line.contains("'=cmd|"),
        "a formula reached /chase.csv as Excel would run it: {line}"
    );
    assert!(!line.contains(",=") && !line.contains(",\"="), "{line}");
}
