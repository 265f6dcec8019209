//! `/fill` over HTTP (SPEC §10.2), on the real binary: a return filled on the
//! form is filed as an upload is and every page says how it came (网页填报 or
//! 上传文件); the form takes a whole return of the longest texts while every
//! other form keeps its 64 KiB; mistakes and drafts store nothing; only a
//! unit's own code, from our own pages, fills its return.

use county_returns::catalogue::Catalogue;
use county_returns::roster::Roster;
use county_returns::serve::fill::{self, TEXT_LIMIT};

use super::serve::return_of;
use std::time::Duration;

use super::server::{Server, client, names, partial_request, read, stored, upload};

const UNIT: &str = "五指山市";

/// The tasks 五指山市 is expected on.
fn tasks() -> Vec<u32> {
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let unit = roster.lookup(UNIT).expect("unit");
    roster.expectations(&catalogue)[unit]
        .iter()
        .map(|(t, _)| *t)
        .collect()
}

/// A whole form of 五指山市: every task at `status` with `text` in its four
/// text fields, then `extra` fields (a later name wins, as the form reads it).
fn form(status: &str, text: &str, extra: &[(&str, &str)]) -> String {
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("period", "2018-07");
    body.append_pair("reporter", "王芳");
    body.append_pair("phone", "0898-65236001");
    for t in tasks() {
        body.append_pair(&format!("status-{t}"), status);
        body.append_pair(&format!("date-{t}"), "");
        for stem in ["progress", "problem", "plan", "note"] {
            body.append_pair(&format!("{stem}-{t}"), text);
        }
    }
    for (name, value) in extra {
        body.append_pair(name, value);
    }
    body.finish()
}

/// Posts a form to `path` with `code` as a bearer code (none: no code).
async fn post(server: &Server, path: &str, code: Option<&str>, body: String) -> (u16, String) {
    let mut request = client()
        .post(format!("{}{path}", server.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(code) = code {
        request = request.bearer_auth(code);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

async fn get(server: &Server, path: &str, code: &str) -> (u16, String) {
    let response = client()
        .get(format!("{}{path}", server.url))
        .bearer_auth(code)
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The unit's entry of `/api/status`.
async fn on_the_board(server: &Server, unit: &str) -> serde_json::Value {
    let (status, body) = get(server, "/api/status", server.code("管理员")).await;
    assert_eq!(status, 200, "{body}");
    let all: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    all["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == unit)
        .unwrap_or_else(|| panic!("{unit} not on the board"))
        .clone()
}

/// The board's cell of the file that counts for `unit`, as HTML.
fn board_file_cell(board: &str, unit: &str) -> String {
    let row = board
        .split("<tr")
        .find(|r| r.contains(&format!(">{unit}</td>")))
        .unwrap_or_else(|| panic!("{unit} not on the board"));
    let cell = row
        .split("data-label=\"计入汇总的文件\">")
        .nth(1)
        .expect("the file cell");
    cell[..cell.find("</td>").expect("cell end")].to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filled_return_and_an_upload_each_say_how_they_came() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let code = server.code(UNIT);

    // Uploaded first (填报日期 2 August): 上传文件, on the check page and the board.
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(code),
        "五指山7月.xlsx",
        return_of(UNIT, "李明", "推进中", "正在推进"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("<th>报送方式</th><td>上传文件</td>")
            && page.contains("<th>上传时间</th>")
            && page.contains(">再次上传</a>"),
        "{page}"
    );
    let (_, board) = get(&server, "/status", server.code("管理员")).await;
    let cell = board_file_cell(&board, UNIT);
    assert!(
        cell.ends_with("<small class=\"source\">（上传文件）</small>"),
        "{cell}"
    );
    assert_eq!(on_the_board(&server, UNIT).await["source"], "上传文件");
    // A return put in the folder by hand came neither way.
    let haikou = on_the_board(&server, "海口市").await;
    assert_eq!(haikou["sent"], true);
    assert!(haikou["source"].is_null(), "{haikou}");
    assert!(
        !board_file_cell(&board, "海口市").contains("class=\"source\""),
        "{board}"
    );

    // Filled on the form (填报日期 today, 3 August): it counts now, and says
    // 网页填报; task 14, done after its deadline, is a hint placed by its task
    // (the clerk never saw the cell G17 the upload's page would name).
    let extra = [("status-14", "已完成"), ("date-14", "2018-04-01")];
    let (status, page) = post(
        &server,
        "/fill",
        Some(code),
        form("推进中", "按计划推进。", &extra),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    for shown in [
        "已收到并保存。您在网页上填写的报表已生成 Excel 文件",
        "，与上传的报表一样计入汇总。",
        "<th>报送方式</th><td>网页填报</td>",
        "<th>提交时间</th>",
        ">回到填报页修改</a>",
        "<td data-label=\"位置\">第 14 项</td><td data-label=\"问题\">完成时间 2018年4月1日 晚于完成时限 2017年12月31日</td>",
    ] {
        assert!(page.contains(shown), "the check page lacks {shown}: {page}");
    }
    assert!(!page.contains("再次上传"), "{page}");
    let files = stored(&server);
    assert_eq!(files.len(), 2, "{files:?}");
    let online = on_the_board(&server, UNIT).await;
    assert_eq!(online["source"], "网页填报", "{online}");
    assert_eq!(online["fill_date"], "2018-08-03");
    let filed = online["file"]
        .as_str()
        .expect("the file that counts")
        .to_string();
    assert!(files.contains(&filed), "{filed} in {files:?}");
    let (_, board) = get(&server, "/status", server.code("管理员")).await;
    let cell = board_file_cell(&board, UNIT);
    assert_eq!(
        cell,
        format!(
            "{filed}<br><small class=\"source\">（网页填报）</small><br><small>另有 1 份不计入</small>"
        )
    );
    // The log line: the file the server wrote, marked online, named 网页填报.
    let log = read(&dir.path().join("input/上报日志.jsonl"));
    let line: serde_json::Value =
        serde_json::from_str(log.lines().last().expect("a log line")).expect("JSON");
    assert_eq!(line["file"], filed.as_str());
    assert_eq!(line["client_name"], "网页填报");
    assert_eq!(line["online"], true);
    assert_eq!(line["result"], "已保存");
    let bytes = std::fs::read(server.period_dir().join(&filed)).expect("stored");
    assert_eq!(line["sha256"], county_returns::digest::sha256_hex(&bytes));
    assert!(bytes.starts_with(b"PK"), "an xlsx");
    // The unit's list: the filled one counts, the uploaded one does not, each named.
    let (_, mine) = get(&server, "/", code).await;
    assert!(
        mine.contains(
            "<td class=\"file\" data-label=\"您的文件\"><strong>网页填报</strong><br><small>保存为 "
        ) && mine.contains(">五指山7月.xlsx<br><small>保存为 "),
        "{mine}"
    );
    // The check page again, from its link: still 网页填报.
    let id = page
        .split("/returns/")
        .nth(1)
        .and_then(|rest| rest.get(..16))
        .expect("a link to the return");
    let (status, again) = get(&server, &format!("/returns/{id}"), code).await;
    assert_eq!(status, 200);
    assert!(
        again.contains("<th>报送方式</th><td>网页填报</td>"),
        "{again}"
    );
    // And the form opens on it.
    let (_, page) = get(&server, "/fill", code).await;
    assert!(
        page.contains("以下内容取自本单位本期已计入汇总的报表——网页填报（2018-08-03 "),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_takes_a_whole_return_of_the_longest_texts_other_forms_keep_64_kib() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let code = server.code(UNIT);
    let catalogue = Catalogue::embedded().expect("catalogue");
    let limit = fill::body_limit(catalogue.tasks.len());

    // Every text of every task at its longest, in Chinese (9 bytes a character
    // once form-encoded): megabytes, not the 64 KiB of other forms.
    let longest: String = "进展".chars().cycle().take(TEXT_LIMIT).collect();
    let body = form("推进中", &longest, &[]);
    assert!(
        body.len() > 5_000_000 && body.len() <= limit,
        "{} of {limit}",
        body.len()
    );
    let (status, page) = post(&server, "/fill", Some(code), body.clone()).await;
    assert_eq!(status, 200, "{}", &page[..page.len().min(2000)]);
    assert!(page.contains("已收到并保存"), "{page}");
    assert_eq!(stored(&server).len(), 1);
    eprintln!(
        "一份每栏 {TEXT_LIMIT} 字的报表：表单 {} 字节，上限 {limit} 字节，写成的 xlsx {} 字节",
        body.len(),
        std::fs::metadata(server.period_dir().join(&stored(&server)[0]))
            .expect("stored")
            .len()
    );

    // One byte past the limit is answered 413 at once, before the body is read
    // (so a client still sending it may see the connection close); nothing stored.
    let host = server.url.trim_start_matches("http://");
    let head = format!(
        "POST /fill HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {code}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        limit + 1
    );
    let (status, page, _) = partial_request(
        &server.url,
        &head,
        &body.as_bytes()[..64 * 1024],
        Duration::from_secs(30),
    );
    assert_eq!(status, Some(413), "{page}");
    assert!(
        page.contains("提交的内容超过一份报表的上限（5 MB）：每栏最多 5000 字，请精简后再提交。"),
        "{page}"
    );
    assert_eq!(stored(&server).len(), 1);

    // Other forms keep 64 KiB: the office's right code signs in with a form of
    // 60 KiB, and not with one of 70 KiB (its body is not read: no one is signed in).
    let admin = server.code("管理员");
    let login = |kib: usize| {
        let pad = "x".repeat(kib * 1024);
        format!("code={admin}&pad={pad}")
    };
    let (status, _) = post(&server, "/login", None, login(60)).await;
    assert_eq!(status, 303, "a 60 KiB sign-in form is read");
    let (status, page) = post(&server, "/login", None, login(70)).await;
    assert_eq!(status, 401, "a 70 KiB sign-in form is not: {page}");
}

#[tokio::test(flavor = "multi_thread")]
async fn mistakes_and_drafts_store_nothing_and_only_the_unit_fills() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let code = server.code(UNIT);
    let first = tasks()[0];
    let status_key = format!("status-{first}");

    // No code: the sign-in form, going on to the form. The office's code fills nothing.
    let response = client()
        .get(format!("{}/fill", server.url))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 401);
    let page = response.text().await.expect("text");
    assert!(
        page.contains("在网页上填报，请先用本单位的上报码登录。")
            && page.contains("<input type=\"hidden\" name=\"next\" value=\"/fill\">"),
        "{page}"
    );
    let (status, page) = post(
        &server,
        "/fill",
        Some(server.code("管理员")),
        form("推进中", "", &[]),
    )
    .await;
    assert_eq!(status, 403, "{page}");
    assert!(
        page.contains("管理员码不能填报")
            && page.contains("管理员码只用于查看汇总；请用各单位的上报码登录后填报该单位的报表。"),
        "{page}"
    );

    // A mistake: the same page, 422, the values kept, nothing stored.
    let (status, page) = post(
        &server,
        "/fill",
        Some(code),
        form(
            "推进中",
            "<b>照旧</b>",
            &[(&status_key, ""), ("date-2", "2018-02-30")],
        ),
    )
    .await;
    assert_eq!(status, 422, "{page}");
    for shown in [
        "有 2 处需要修改，已在下面标出；您填写的内容都保留着，改好后再点“提交并检查”。".to_string(),
        format!("<a href=\"#{status_key}\">第 {first} 项 完成状态</a>：请选择完成状态：已完成、推进中、未启动 或 不适用"),
        "<a href=\"#date-2\">第 2 项 完成时间</a>：完成时间“2018-02-30”不是有效的日期：请按 2018-07-20 的格式填写".to_string(),
        // Kept as typed, and escaped.
        "value=\"2018-02-30\"".to_string(),
        "&lt;b&gt;照旧&lt;/b&gt;</textarea>".to_string(),
        "value=\"王芳\"".to_string(),
    ] {
        assert!(page.contains(&shown), "the answer lacks {shown}");
    }
    assert!(!page.contains("<b>照旧"), "typed text is escaped");
    assert!(stored(&server).is_empty());

    // A draft: kept out of sight of intake, not counted, the form opens on it.
    let (status, _) = post(
        &server,
        "/fill",
        Some(code),
        form("已完成", "草稿内容", &[("draft", "1"), (&status_key, "")]),
    )
    .await;
    assert_eq!(status, 303);
    assert!(stored(&server).is_empty());
    let visible: Vec<String> = names(&server.period_dir())
        .into_iter()
        .filter(|n| n.starts_with(UNIT))
        .collect();
    assert!(visible.is_empty(), "{visible:?}");
    assert_eq!(on_the_board(&server, UNIT).await["sent"], false);
    let (_, page) = get(&server, "/fill?saved=1", code).await;
    assert!(
        page.contains("草稿已保存。草稿不计入汇总，省教育厅也看不到；全部填好后请点“提交并检查”。")
            && page.contains(">草稿内容</textarea>")
            && page.contains("放弃草稿，改从已报送的报表开始填写"),
        "{page}"
    );
    // Thrown away: the form starts from June's return again.
    let (status, _) = post(&server, "/fill", Some(code), "discard=1".to_string()).await;
    assert_eq!(status, 303);
    let (_, page) = get(&server, "/fill", code).await;
    assert!(
        page.contains("以下内容取自本单位上一期（2018年6月）计入汇总的报表")
            && !page.contains("草稿内容"),
        "{page}"
    );

    // Not a form of ours (more fields than a whole return has), and a page of
    // a month no longer collected: said so, nothing stored.
    let flood = (0..fill::max_pairs(31) + 1)
        .map(|i| format!("x{i}=1"))
        .collect::<Vec<_>>()
        .join("&");
    let (status, page) = post(&server, "/fill", Some(code), flood).await;
    assert_eq!(status, 400, "{page}");
    assert!(
        page.contains("提交的表单不是本网站的填报表：请重新打开填报页填写。"),
        "{page}"
    );
    let stale = form("推进中", "", &[("period", "2018-05")]);
    let (status, page) = post(&server, "/fill", Some(code), stale).await;
    assert_eq!(status, 409, "{page}");
    assert!(
        page.contains("这张填报页是2018年5月的，现在收集的是2018年7月的报表：请重新打开填报页填写（内容没有保存）。"),
        "{page}"
    );
    assert!(stored(&server).is_empty());

    // From another site's page: refused, nothing filed.
    let response = client()
        .post(format!("{}/fill", server.url))
        .bearer_auth(code)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://evil.example")
        .body(form("推进中", "", &[]))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 403);
    assert!(stored(&server).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_opened_for_the_month_before_files_a_late_return() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    // A page of June's form (opened before the month moved on), sent on
    // 3 August while July is collected: June's late return, in June's folder.
    let late = form("推进中", "6月补报。", &[("period", "2018-06")]);
    let (status, page) = post(&server, "/fill", Some(server.code(UNIT)), late).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(
            "已收到并保存。本表是2018年6月的报表，已作为该月的迟报存入2018年6月，文件保存为 "
        ),
        "{page}"
    );
    assert!(stored(&server).is_empty(), "nothing in July's folder");
    let june: Vec<String> = names(&dir.path().join("input/2018-06"))
        .into_iter()
        .filter(|n| n.starts_with(&format!("{UNIT}_")))
        .collect();
    assert_eq!(june.len(), 1, "{june:?}");
}
