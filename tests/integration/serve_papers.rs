//! The month's papers and the reminders, from the board (issue 25): `/papers`
//! is one zip of the workbook `/workbook` gives and the 督办单 and CSVs `run`
//! writes with the same settings, the letters dated the server's today;
//! `/reminders.txt` and the board give each unit still owing its return a
//! text to send, a reminder up to the due date and a 催报 after it. The real
//! binary on loopback, its clock started where the test says.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use super::serve_month::return_for;
use super::server::{BIN, Launch, Server, client, copy_sample, make_codes, upload};

/// The settings the office writes once: whom to call, ten days to answer.
const SETTINGS: &str = "contact = \"基础教育处 王芳 0898-65236001\"\nreply_by_days = 10\n";

/// A folder holding the sample, its codes and `settings.toml` with `settings`.
fn folder(dir: &Path, settings: &str) -> BTreeMap<String, String> {
    copy_sample(dir);
    std::fs::write(dir.join("settings.toml"), settings).expect("settings");
    make_codes(dir)
}

fn settings_of(dir: &Path) -> String {
    dir.join("settings.toml").display().to_string()
}

/// A GET with a bearer code (or none) and extra headers: status, headers, body.
async fn fetch(
    server: &Server,
    path: &str,
    code: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = client().get(format!("{}{path}", server.url));
    if let Some(code) = code {
        request = request.bearer_auth(code);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("body").to_vec();
    (status, headers, body)
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A zip's members, in order: (name, bytes, modified "YYYY-MM-DD HH:MM").
fn members(zip: &[u8]) -> Vec<(String, Vec<u8>, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut member = archive.by_index(i).expect("member");
            let name = member.name().expect("UTF-8 name").into_owned();
            let time = member.last_modified().map_or_else(String::new, |t| {
                format!(
                    "{}-{:02}-{:02} {:02}:{:02}",
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute()
                )
            });
            let mut bytes = Vec::new();
            member.read_to_end(&mut bytes).expect("member bytes");
            (name, bytes, time)
        })
        .collect()
}

/// The words of a .docx's body.
fn docx_text(docx: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a docx");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("text");
    let mut text = String::new();
    let mut inside = false;
    for c in xml.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            _ if !inside => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn papers_and_reminders_are_for_the_office_only() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    for path in ["/papers", "/reminders.txt"] {
        let (status, _, body) = fetch(&server, path, None, &[]).await;
        assert_eq!(status, 401, "{path} without a code");
        assert!(
            String::from_utf8_lossy(&body).contains("此页面需要管理员登录。"),
            "{path}"
        );
        let (status, _, body) = fetch(&server, path, Some(server.code("三亚市")), &[]).await;
        assert_eq!(status, 403, "{path} with a unit's code");
        assert!(
            String::from_utf8_lossy(&body).contains(
                "此页面只有省教育厅管理员可以查看；单位上报码只能上报和查看本单位的报表。"
            ),
            "{path}"
        );
    }
    let (status, headers, body) = fetch(&server, "/papers", Some(server.code("管理员")), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), "application/zip");
    // 大班额_材料_2018-07.zip, in UTF-8 (RFC 5987), with a plain fallback.
    assert_eq!(
        header(&headers, "content-disposition"),
        "attachment; filename=\"download.zip\"; filename*=UTF-8''%E5%A4%A7%E7%8F%AD%E9%A2%9D_%E6%9D%90%E6%96%99_2018-07.zip"
    );
    assert!(body.starts_with(b"PK"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_papers_are_the_workbook_and_what_run_writes_with_the_same_settings() {
    let dir = tempfile::tempdir().expect("dir");
    let codes = folder(dir.path(), SETTINGS);
    let server = Launch::new(&[])
        .env("COUNTY_RETURNS_CONFIG", &settings_of(dir.path()))
        .start(dir.path(), codes);
    // 五指山市 sends its return through the page: the papers follow the folder.
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(server.code("五指山市")),
        "五指山市7月报表.xlsx",
        return_for("五指山市", Some("2018-07"), (2018, 8, 2)),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let admin = server.code("管理员").to_string();
    let (_, _, workbook) = fetch(&server, "/workbook", Some(&admin), &[]).await;
    let (status, _, papers) = fetch(&server, "/papers", Some(&admin), &[]).await;
    assert_eq!(status, 200);
    let (_, _, again) = fetch(&server, "/papers", Some(&admin), &[]).await;
    assert!(
        papers == again,
        "two downloads of one folder on one day differ"
    );
    let (_, _, json) = fetch(&server, "/api/status", Some(&admin), &[]).await;
    let json: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    let lettered: Vec<String> = json["letters"]
        .as_array()
        .expect("letters")
        .iter()
        .map(|u| u.as_str().expect("unit").to_string())
        .collect();

    // The workbook, the two CSVs, then one letter per unit the board names, in roster order.
    let zipped = members(&papers);
    let names: Vec<&str> = zipped.iter().map(|(n, _, _)| n.as_str()).collect();
    let mut want = vec![
        "大班额任务进展汇总_2018-07.xlsx".to_string(),
        "催报名单_2018-07.csv".to_string(),
        "明细_2018-07.csv".to_string(),
    ];
    want.extend(
        lettered
            .iter()
            .map(|u| format!("督办单/督办单_{u}_2018-07.docx")),
    );
    assert_eq!(names, want);
    assert!(
        zipped.iter().all(|(_, _, t)| t == "2018-08-03 00:00"),
        "every member is dated the download day: {:?}",
        zipped.iter().map(|m| &m.2).collect::<Vec<_>>()
    );
    assert!(
        zipped[0].1 == workbook,
        "the zip's workbook ({} bytes) differs from /workbook ({} bytes)",
        zipped[0].1.len(),
        workbook.len()
    );

    // `run --feedback` on the same folder, the same settings and the same day.
    let out = Command::new(BIN)
        .args(["run", "--input", "input/2018-07", "--feedback", "letters"])
        .env("COUNTY_RETURNS_CONFIG", settings_of(dir.path()))
        .env("COUNTY_RETURNS_NOW", "2018-08-03T16:30:00")
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let output = dir.path().join("output/2018-07");
    for (name, written) in [
        ("催报名单_2018-07.csv", output.join("催报名单_2018-07.csv")),
        ("明细_2018-07.csv", output.join("明细_2018-07.csv")),
        (
            "大班额任务进展汇总_2018-07.xlsx",
            output.join("大班额任务进展汇总_2018-07.xlsx"),
        ),
    ] {
        let zipped = &zipped.iter().find(|m| m.0 == name).expect("member").1;
        let written = std::fs::read(&written).expect("run's file");
        assert!(zipped == &written, "{name} differs from run's");
    }
    let mut letters: Vec<String> = std::fs::read_dir(dir.path().join("letters"))
        .expect("run's letters")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    letters.sort();
    let mut zipped_letters: Vec<String> = names
        .iter()
        .filter_map(|n| n.strip_prefix("督办单/"))
        .map(str::to_string)
        .collect();
    zipped_letters.sort();
    assert_eq!(zipped_letters, letters, "the letters run writes");
    for name in &letters {
        let zipped = &zipped
            .iter()
            .find(|m| m.0 == format!("督办单/{name}"))
            .expect("member")
            .1;
        let written = std::fs::read(dir.path().join("letters").join(name)).expect("letter");
        assert!(zipped == &written, "{name} differs from run's");
    }
    // A letter for each unit with something to follow up, none for the others.
    let roster = county_returns::roster::Roster::default_hainan().expect("roster");
    assert!(
        lettered.len() > 1 && lettered.len() < roster.units.len(),
        "{lettered:?}"
    );
    for unit in ["琼海市", "五指山市"] {
        assert!(lettered.iter().any(|u| u == unit), "{unit}: {lettered:?}");
    }
    assert!(!lettered.iter().any(|u| u == "海口市"), "{lettered:?}");

    // The settings reach the letter: whom to call, ten days after the due date
    // to answer, and the download day as its 成文日期.
    let letter = docx_text(
        &zipped
            .iter()
            .find(|m| m.0 == "督办单/督办单_琼海市_2018-07.docx")
            .expect("琼海市's letter")
            .1,
    );
    for words in [
        "琼海市教育局：",
        "请于2018年8月15日前将办理情况书面报送海南省教育厅。",
        "联系人：基础教育处 王芳，联系电话：0898-65236001",
        "海南省教育厅2018年8月3日",
    ] {
        assert!(letter.contains(words), "{words} not in {letter}");
    }

    // The board's button says what is inside and as of when.
    let (_, _, board) = fetch(&server, "/status", Some(&admin), &[]).await;
    let board = String::from_utf8(board).expect("UTF-8");
    assert!(
        board.contains("<a class=\"button\" href=\"/papers\">下载本期材料（zip）</a>"),
        "{board}"
    );
    let note = format!(
        "本期材料（大班额_材料_2018-07.zip）内含：汇总表；催报名单和明细（CSV）；督办单 {} 份（{}）。按 {} 的汇总生成（统计截止 2018年7月31日）；督办单成文日期 2018年8月3日（下载当天），回复期限 2018年8月15日。",
        lettered.len(),
        lettered.join("、"),
        json["made"].as_str().expect("made")
    );
    assert!(board.contains(&note), "{note} not on the board");
}

#[tokio::test(flavor = "multi_thread")]
async fn letter_date_in_the_settings_dates_every_letter() {
    let dir = tempfile::tempdir().expect("dir");
    let codes = folder(
        dir.path(),
        "letter_date = \"2018-08-10\"\nplan_short = \"消除大班额\"\n",
    );
    let server = Launch::new(&[])
        .env("COUNTY_RETURNS_CONFIG", &settings_of(dir.path()))
        .start(dir.path(), codes);
    let admin = server.code("管理员").to_string();
    let (status, headers, papers) = fetch(&server, "/papers", Some(&admin), &[]).await;
    assert_eq!(status, 200);
    assert!(
        header(&headers, "content-disposition").ends_with(
            "%E6%B6%88%E9%99%A4%E5%A4%A7%E7%8F%AD%E9%A2%9D_%E6%9D%90%E6%96%99_2018-07.zip"
        ),
        "消除大班额_材料_2018-07.zip: {headers:?}"
    );
    let zipped = members(&papers);
    let letter = zipped
        .iter()
        .find(|m| m.0 == "督办单/督办单_五指山市_2018-07.docx")
        .expect("五指山市 sent nothing: a letter");
    assert_eq!(letter.2, "2018-08-10 00:00");
    let text = docx_text(&letter.1);
    // No reply_by_days: the answer comes with the next return, due 5 September.
    for words in [
        "请于2018年9月5日前按模板填报并报送情况表。",
        "海南省教育厅2018年8月10日",
    ] {
        assert!(text.contains(words), "{words} not in {text}");
    }
    assert!(!text.contains("联系人"), "no contact set: {text}");
    let (_, _, board) = fetch(&server, "/status", Some(&admin), &[]).await;
    let board = String::from_utf8(board).expect("UTF-8");
    assert!(
        board.contains(
            "督办单成文日期 2018年8月10日（配置文件 letter_date 指定），回复期限 2018年9月5日。"
        ),
        "{board}"
    );
    assert!(board.contains("文中没有联系人和电话：请在配置文件中设置 contact。"));
}

/// What `/reminders.txt` says, with the `Host` the office's browser sent.
async fn reminders(server: &Server, query: &str, host: &str) -> String {
    let (status, headers, body) = fetch(
        server,
        &format!("/reminders.txt{query}"),
        Some(server.code("管理员")),
        &[("host", host)],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-type"),
        "text/plain; charset=utf-8"
    );
    String::from_utf8(body).expect("UTF-8")
}

#[tokio::test(flavor = "multi_thread")]
async fn reminders_name_each_unit_owing_and_turn_to_chasing_after_the_due_date() {
    let dir = tempfile::tempdir().expect("dir");
    let codes = folder(dir.path(), SETTINGS);
    // Two days before July's returns are due; the office opens the board at
    // the address counties use.
    let server = Launch::new(&[])
        .host("0.0.0.0")
        .env("COUNTY_RETURNS_CONFIG", &settings_of(dir.path()))
        .start(dir.path(), codes.clone());
    let text = reminders(&server, "", "10.9.8.7:8080").await;
    let silent = "【报送提醒】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年8月5日前报送，目前尚未收到你单位的情况表。请于2018年8月5日前登录 http://10.9.8.7:8080/ 输入本单位上报码后在网页上填报，或上传填好的情况表。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月3日";
    let omitted = "【报送提醒】琼海市教育局：你单位报送的2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表缺少第7项“实施‘交钥匙’工程,确保配套学校与新建住宅小区首期项目同步规划、同步建设、同步验收和同步交付使用，有序扩大城镇学校学位供给”的完成情况。请于2018年8月5日前登录 http://10.9.8.7:8080/ 输入本单位上报码后在网页上补填（已按你单位报送的情况表预填），或补齐情况表后重新上传。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月3日";
    assert_eq!(text, format!("{silent}\n\n{omitted}\n"));

    // The board shows the same texts, each to be selected whole.
    let admin = server.code("管理员").to_string();
    let (_, _, board) = fetch(
        &server,
        "/status",
        Some(&admin),
        &[("host", "10.9.8.7:8080")],
    )
    .await;
    let board = String::from_utf8(board).expect("UTF-8");
    for (unit, words) in [("五指山市", silent), ("琼海市", omitted)] {
        assert!(
            board.contains(&format!(
                "<section class=\"reminder\"><h3>{unit} · 提醒</h3><p class=\"reminder\">{words}</p></section>"
            )),
            "{unit}'s reminder not on the board"
        );
    }
    for words in [
        "下面是提醒文字；报送截止日（2018年8月5日）过后，自动改为催报。点一下文字即全选，复制后可直接发短信或政务微信；所有单位的文字在一起：<a href=\"/reminders.txt\">全部文字（TXT）</a>。",
        "文中的网址 <code>http://10.9.8.7:8080/</code> 是您打开本页所用的地址；各市县要用另一个地址打开收集网页时，请在配置文件中设置 public_url。",
    ] {
        assert!(board.contains(words), "{words} not on the board");
    }

    // Opened on the server itself: no county can open `localhost`, so the
    // texts give this computer's network address (a machine with none but
    // loopback, a bare container, has none to give and says so).
    let (_, _, here) = fetch(
        &server,
        "/status",
        Some(&admin),
        &[("host", "localhost:8080")],
    )
    .await;
    let here = String::from_utf8(here).expect("UTF-8");
    assert!(
        here.contains("是本机的局域网地址（您是在本机上打开本页的）；各市县要用另一个地址打开收集网页时，请在配置文件中设置 public_url。")
            || here.contains("收集网页现在只有本机能打开，各市县打不开文中的网址"),
        "{here}"
    );
    assert!(!here.contains("localhost:8080/"), "{here}");

    // A file put in by hand that is no return: 五指山市 is told its file cannot be read.
    std::fs::write(
        dir.path().join("input/2018-07/五指山市7月报表.xlsx"),
        b"not a spreadsheet",
    )
    .expect("a broken file");
    let text = reminders(&server, "", "10.9.8.7:8080").await;
    assert!(
        text.starts_with("【报送提醒】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年8月5日前报送，已收到你单位上传的文件，但无法读取为情况表（原因见上传后显示的检查结果）。请于2018年8月5日前登录 http://10.9.8.7:8080/ 输入本单位上报码后在网页上填报，或按模板填报后重新上传。"),
        "{text}"
    );
    std::fs::remove_file(dir.path().join("input/2018-07/五指山市7月报表.xlsx")).expect("rm");
    drop(server);

    // Two days after the due date: July's texts chase, and say the return must
    // name July (the page now collects August); `public_url` names the address.
    std::fs::write(
        dir.path().join("settings.toml"),
        format!("{SETTINGS}public_url = \"https://returns.example.org\"\n"),
    )
    .expect("settings");
    let later = Launch::new(&[])
        .now("2018-08-07T09:00:00")
        .env("COUNTY_RETURNS_CONFIG", &settings_of(dir.path()))
        .start(dir.path(), codes);
    let text = reminders(&later, "?period=2018-07", "127.0.0.1").await;
    let chased = "【催报】五指山市教育局：2018年7月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年8月5日前报送，截至2018年8月7日仍未收到你单位的情况表。请尽快登录 https://returns.example.org/ 输入本单位上报码后上传。上传的情况表标题或文件名须写明“2018年7月”，否则会计入2018年8月。联系人：基础教育处 王芳，联系电话：0898-65236001。\n海南省教育厅\n2018年8月7日";
    assert!(
        text.starts_with(&format!(
            "{chased}\n\n【催报】琼海市教育局：你单位报送的2018年7月"
        )),
        "{text}"
    );
    assert!(
        text.contains("的完成情况。报送时限2018年8月5日已过，请尽快补齐后登录 https://returns.example.org/ 输入本单位上报码后重新上传。"),
        "{text}"
    );
    let (_, _, board) = fetch(
        &later,
        "/status?period=2018-07",
        Some(later.code("管理员")),
        &[],
    )
    .await;
    let board = String::from_utf8(board).expect("UTF-8");
    assert!(board.contains("<h3>五指山市 · 催报</h3>"));
    assert!(board.contains("报送截止日（2018年8月5日）已过，下面是催报文字。"));
    assert!(board.contains(
        "文中的网址 <code>https://returns.example.org/</code> 取自配置文件的 public_url。"
    ));
    // August, collected now: every unit is reminded, due 5 September.
    let august = reminders(&later, "", "127.0.0.1").await;
    let roster = county_returns::roster::Roster::default_hainan().expect("roster");
    assert_eq!(august.matches("【报送提醒】").count(), roster.units.len());
    for unit in &roster.units {
        assert!(
            august.contains(&format!(
                "【报送提醒】{}：2018年8月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年9月5日前报送，目前尚未收到你单位的情况表。",
                unit.addressee()
            )),
            "{}: {august}",
            unit.name
        );
    }
    // June is past taking uploads: its texts send no one to the page.
    let june = reminders(&later, "?period=2018-06", "127.0.0.1").await;
    assert!(
        june.starts_with("【催报】三沙市教育局：2018年6月《海南省消除义务教育学校大班额专项规划》任务进展情况表应于2018年7月5日前报送，截至2018年8月7日仍未收到你单位的情况表。请尽快报送。联系人："),
        "{june}"
    );
    assert!(!june.contains("登录"), "{june}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_only_this_computer_reaches_says_so_beside_the_reminders() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let (_, _, board) = fetch(&server, "/status", Some(server.code("管理员")), &[]).await;
    let board = String::from_utf8(board).expect("UTF-8");
    let port = server.url.rsplit(':').next().expect("port");
    assert!(
        board.contains(&format!(
            "收集网页现在只有本机能打开，各市县打不开文中的网址 <code>http://127.0.0.1:{port}/</code>：请在配置文件中写上 <code>listen = &quot;0.0.0.0:8080&quot;</code> 并重启服务，或设置 public_url。"
        )),
        "{board}"
    );
}

#[test]
fn config_shows_the_papers_settings_and_run_follows_them() {
    let dir = tempfile::tempdir().expect("dir");
    copy_sample(dir.path());
    std::fs::write(
        dir.path().join("settings.toml"),
        format!(
            "{SETTINGS}letter_date = \"2018-08-10\"\nplan_short = \"大班额\"\npublic_url = \"http://10.0.0.5:8080\"\n"
        ),
    )
    .expect("settings");
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .env("COUNTY_RETURNS_CONFIG", "settings.toml")
            .current_dir(dir.path())
            .output()
            .expect("county-returns");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let listing = run(&["config"]);
    for line in [
        "contact\t督办单上的联系人和电话\t基础教育处 王芳 0898-65236001\t配置文件 settings.toml 第 1 行",
        "reply_by_days\t督办单的回复期限\t10\t配置文件 settings.toml 第 2 行",
        "letter_date\t督办单的成文日期\t2018-08-10\t配置文件 settings.toml 第 3 行",
        "plan_short\t规划简称\t大班额\t配置文件 settings.toml 第 4 行",
        "public_url\t各市县打开收集网页的地址\thttp://10.0.0.5:8080/\t配置文件 settings.toml 第 5 行",
    ] {
        assert!(
            listing.lines().any(|l| l == line),
            "{line} not in\n{listing}"
        );
    }
    // `run` dates its letters by the file unless `--date` says otherwise, and
    // asks an answer ten days after the due date.
    run(&["run", "--input", "input/2018-07", "--feedback", "a"]);
    run(&[
        "run",
        "--input",
        "input/2018-07",
        "--feedback",
        "b",
        "--date",
        "2018-08-20",
    ]);
    let letter = |folder: &str| {
        docx_text(
            &std::fs::read(dir.path().join(folder).join("督办单_五指山市_2018-07.docx"))
                .expect("letter"),
        )
    };
    let by_file = letter("a");
    assert!(by_file.contains("海南省教育厅2018年8月10日"), "{by_file}");
    assert!(
        by_file.contains("请于2018年8月15日前按模板填报并报送情况表。"),
        "{by_file}"
    );
    // Issued on the 20th, after the 15th: ten days from the letter's own date.
    let by_flag = letter("b");
    assert!(by_flag.contains("海南省教育厅2018年8月20日"), "{by_flag}");
    assert!(
        by_flag.contains("请于2018年8月30日前按模板填报并报送情况表。"),
        "{by_flag}"
    );
}
