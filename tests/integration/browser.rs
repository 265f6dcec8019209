//! A county and the office in a real browser: headless Chromium driven through
//! chromedriver (Debian's `chromium` and `chromium-driver`, which `.ci/run`
//! installs). The county types its code, picks its file, submits and reads the
//! check page; the office signs in and reads the board. Another county, in a
//! browser with JavaScript off, fills its return on the form pre-filled from
//! June, files it and finds it in the office's workbook, then fills again on a
//! phone. Screenshots of each step go to `$TMPDIR/county-returns-browser/` for
//! a person to look at.
//!
//! Without chromedriver the test fails under CI (`CI` set) and is skipped with a
//! note elsewhere, so `cargo test` works on a machine without a browser.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use super::serve::return_of;
use super::server::{Server, free_port};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // Not reaped: see `server::forget`. Chromium's memory would count as a run's.
        let _ = self.0.kill();
    }
}

/// chromedriver on a free port, or `None` (and why) when it is not installed.
fn start_driver() -> Option<(Driver, u16)> {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{CHROMEDRIVER} or {CHROMIUM} is missing: .ci/run installs chromium and chromium-driver"
        );
        eprintln!(
            "跳过浏览器测试：未安装 chromium 和 chromium-driver（apt-get install chromium chromium-driver）"
        );
        return None;
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((driver, port))
}

/// Whether the browser runs the pages' JavaScript. Our pages carry none (their
/// Content-Security-Policy forbids it); a county's browser may have it off.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scripts {
    On,
    Off,
}

async fn browser(port: u16, profile: &Path) -> Client {
    browser_with(port, profile, Scripts::On).await
}

async fn browser_with(port: u16, profile: &Path, scripts: Scripts) -> Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1800",
        "--lang=zh-CN",
    ]
    .iter()
    .map(|a| a.to_string())
    .chain(std::iter::once(format!(
        "--user-data-dir={}",
        profile.display()
    )))
    .collect::<Vec<_>>();
    let mut capabilities = serde_json::Map::new();
    let mut options = serde_json::json!({ "binary": CHROMIUM, "args": args });
    if scripts == Scripts::Off {
        // As a browser whose user (or office policy) turned JavaScript off.
        options["prefs"] =
            serde_json::json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    capabilities.insert("goog:chromeOptions".to_string(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session")
}

/// Saves a screenshot of the page as it is now.
async fn shot(client: &Client, folder: &Path, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(folder.join(name), png).expect("save screenshot");
}

/// How wide a page is laid out, against the screen.
#[derive(Debug)]
struct Width {
    /// The viewport's width, CSS pixels.
    screen: f64,
    /// The page's scrollable width.
    page: f64,
    /// Where the rightmost 判定 cell ends (0 without any).
    verdicts_right: f64,
    verdicts: usize,
}

async fn fits(client: &Client) -> Width {
    let found = client
        .execute(
            "const cells = [...document.querySelectorAll('td.verdict')];
             return [document.documentElement.clientWidth,
                     document.documentElement.scrollWidth,
                     Math.max(0, ...cells.map(c => c.getBoundingClientRect().right)),
                     cells.length];",
            Vec::new(),
        )
        .await
        .expect("measure the page");
    let number = |i: usize| found[i].as_f64().expect("a number");
    Width {
        screen: number(0),
        page: number(1),
        verdicts_right: number(2),
        verdicts: number(3) as usize,
    }
}

fn shots_folder() -> PathBuf {
    let folder = std::env::temp_dir().join("county-returns-browser");
    std::fs::create_dir_all(&folder).expect("screenshot folder");
    folder
}

#[tokio::test(flavor = "multi_thread")]
async fn a_county_uploads_in_a_browser_and_the_office_sees_it() {
    let Some((_driver, port)) = start_driver() else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let file = dir.path().join("五指山市7月报表.xlsx");
    std::fs::write(&file, return_of("五指山市", "李明", "推进中", "正在推进")).expect("return");
    let shots = shots_folder();
    let profile = tempfile::tempdir().expect("profile");
    let client = browser(port, profile.path()).await;

    // The county: the upload page, the code typed, the file picked, submitted.
    client
        .goto(&format!("{}/", server.url))
        .await
        .expect("open the page");
    assert_eq!(
        client.title().await.expect("title").split(" · ").next(),
        Some("上报")
    );
    shot(&client, &shots, "1-upload-page.png").await;
    client
        .find(Locator::Css("#code"))
        .await
        .expect("code field")
        .send_keys(server.code("五指山市"))
        .await
        .expect("type the code");
    client
        .find(Locator::Css("#file"))
        .await
        .expect("file field")
        .send_keys(file.to_str().expect("utf-8 path"))
        .await
        .expect("pick the file");
    shot(&client, &shots, "2-filled-in.png").await;
    client
        .find(Locator::Css("form.upload button[type=submit]"))
        .await
        .expect("submit button")
        .click()
        .await
        .expect("submit");
    let heading = match client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath("//main/h1[contains(., '报表检查结果')]"))
        .await
    {
        Ok(heading) => heading,
        Err(e) => panic!(
            "no check page ({e}): {}\n{}",
            client.source().await.unwrap_or_default(),
            super::server::read(&dir.path().join("serve.err"))
        ),
    };
    assert_eq!(
        heading.text().await.expect("heading"),
        "五指山市 报表检查结果"
    );
    let main = client.find(Locator::Css("main")).await.expect("main");
    let text = main.text().await.expect("page text");
    for shown in [
        "已收到并保存",
        "2018年8月2日",
        "李明",
        "推进中",
        "各项任务（30）",
        "下载标注副本",
    ] {
        assert!(
            text.contains(shown),
            "the check page lacks {shown}:\n{text}"
        );
    }
    let verdicts = client
        .find_all(Locator::Css("td.verdict"))
        .await
        .expect("verdict cells");
    assert_eq!(verdicts.len(), 30);
    shot(&client, &shots, "3-check-page.png").await;
    let check_page = client
        .find(Locator::Css("a.button[href$='/annotated.xlsx']"))
        .await
        .expect("the annotated copy's link")
        .attr("href")
        .await
        .expect("href")
        .and_then(|h| h.strip_suffix("/annotated.xlsx").map(str::to_string))
        .expect("a link to the return");

    // The office: signs in with its code and reads the board.
    client
        .goto(&format!("{}/login", server.url))
        .await
        .expect("login page");
    client
        .find(Locator::Css("#code"))
        .await
        .expect("code field")
        .send_keys(server.code("管理员"))
        .await
        .expect("type the code");
    client
        .find(Locator::Css("form.upload button[type=submit]"))
        .await
        .expect("sign in")
        .click()
        .await
        .expect("submit");
    let heading = client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath("//main/h1[contains(., '汇总看板')]"))
        .await
        .expect("the board");
    assert_eq!(
        heading.text().await.expect("heading"),
        "汇总看板 · 2018年7月"
    );
    let row = client
        .find(Locator::XPath(
            "//table[contains(@class,'board')]//tr[td[1]='五指山市']",
        ))
        .await
        .expect("五指山市 on the board");
    let row = row.text().await.expect("row text");
    assert!(row.contains("已报送"), "{row}");
    shot(&client, &shots, "4-board.png").await;
    // A reminder is selected whole by one click, to copy: the page runs no script.
    let reminder = client
        .find(Locator::Css("p.reminder"))
        .await
        .expect("琼海市 left a task out: a reminder on the board");
    let words = reminder.text().await.expect("reminder text");
    assert!(words.starts_with("【报送提醒】琼海市教育局："), "{words}");
    reminder.click().await.expect("click the reminder");
    let selected = client
        .execute("return window.getSelection().toString();", Vec::new())
        .await
        .expect("the selection");
    assert_eq!(selected.as_str().map(str::trim), Some(words.trim()));

    // On a phone, 390 px wide: no page scrolls sideways, and every 判定 is on screen.
    client.set_window_size(390, 844).await.expect("phone size");
    for (path, name) in [
        ("/".to_string(), "5-phone-upload.png"),
        (check_page.clone(), "6-phone-check-page.png"),
        ("/status".to_string(), "7-phone-board.png"),
    ] {
        client
            .goto(&format!("{}{path}", server.url))
            .await
            .expect("open the page");
        let width = fits(&client).await;
        assert!(
            width.page <= width.screen,
            "{path} scrolls sideways on a phone: {width:?}"
        );
        assert!(
            width.verdicts_right <= width.screen,
            "{path}: a 判定 cell ends at {} px, the screen at {} px",
            width.verdicts_right,
            width.screen
        );
        shot(&client, &shots, name).await;
    }
    let verdicts = client
        .find_all(Locator::Css("td.verdict"))
        .await
        .expect("verdicts");
    assert!(verdicts.is_empty(), "the board has no verdict cells");
    client
        .goto(&format!("{}{check_page}", server.url))
        .await
        .expect("check page");
    let width = fits(&client).await;
    assert_eq!(width.verdicts, 30, "{width:?}");
    assert!(width.screen <= 400.0, "{width:?}");
    client.close().await.expect("close the browser");
    eprintln!("截图保存在 {}", shots.display());
}

/// Form controls that end outside the screen, at the page's width now: the
/// screen's width, the page's scrollable width, and each control outside (its
/// name, left and right edges). The off-screen default button (Enter keeps a
/// draft) is left out: it is meant to be out of sight.
async fn controls_off_screen(client: &Client) -> (f64, f64, Vec<String>) {
    let found = client
        .execute(
            "const w = document.documentElement.clientWidth;
             const shown = [...document.querySelectorAll(
                 'main input:not([type=hidden]), main select, main textarea, main button:not(.default-action),'
                 + ' main a, main h1, main h2, main p, main label, main li')];
             const out = shown
                 .map(e => { const r = e.getBoundingClientRect();
                             return [e.name || e.id || e.textContent.slice(0, 20), r.left, r.right]; })
                 .filter(([, left, right]) => left < 0 || right > w + 0.5)
                 .map(([name, left, right]) => name + ' ' + left + '–' + right);
             return [w, document.documentElement.scrollWidth, out];",
            Vec::new(),
        )
        .await
        .expect("measure the form");
    let number = |i: usize| found[i].as_f64().expect("a number");
    let outside = found[2]
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    (number(0), number(1), outside)
}

/// The value a form control holds now, as the browser would send it.
async fn value_of(client: &Client, id: &str) -> String {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no field #{id}: {e}"))
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

/// Types a date into a date field as a person does, part by part. The field
/// shows its parts in the browser's own order (年/月/日 in Chinese, month
/// first in American English, day first in British), which a page cannot set:
/// each order is tried until the field holds the date.
async fn type_date(client: &Client, id: &str, year: &str, month: &str, day: &str) {
    let wanted = format!("{year}-{month}-{day}");
    for parts in [[year, month, day], [month, day, year], [day, month, year]] {
        let field = client.find(Locator::Id(id)).await.expect("the date field");
        field.clear().await.expect("clear the date");
        // A separator moves on to the next part.
        field
            .send_keys(&parts.join("-"))
            .await
            .expect("type the date");
        if value_of(client, id).await == wanted {
            return;
        }
    }
    panic!(
        "#{id} does not take {wanted} typed: it holds {}",
        value_of(client, id).await
    );
}

/// Waits for the page whose `main > h1` holds `heading`, and gives its text;
/// panics with the page and the server's errors when it does not come.
async fn page_titled(client: &Client, server: &Server, heading: &str) -> String {
    let xpath = format!("//main/h1[contains(., '{heading}')]");
    match client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(&xpath))
        .await
    {
        Ok(h1) => h1.text().await.expect("heading"),
        Err(e) => panic!(
            "no page titled {heading} ({e}): {}\n{}",
            client.source().await.unwrap_or_default(),
            super::server::read(&server.dir.join("serve.err"))
        ),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_county_fills_its_return_in_a_browser_pre_filled_from_last_month() {
    let Some((_driver, port)) = start_driver() else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    // 五指山市 sent June's return and nothing yet for July.
    let server = Server::fresh(dir.path(), &[]);
    let june = super::common::sheet_text(
        &dir.path()
            .join("input/2018-06/五指山市2018年6月大班额任务进展情况.xlsx"),
        "进展情况",
    );
    let shots = shots_folder();
    let profile = tempfile::tempdir().expect("profile");
    // JavaScript off, as some offices' browsers are: the whole form works without it.
    let client = browser_with(port, profile.path(), Scripts::Off).await;
    // It is off: a <noscript> block is shown only then.
    client
        .goto("data:text/html;charset=utf-8,<noscript><p id=off>off</p></noscript>")
        .await
        .expect("a page");
    assert!(
        client.find(Locator::Id("off")).await.is_ok(),
        "JavaScript should be off in this browser"
    );

    // The upload page offers both ways; the form's way asks for the code first.
    client
        .goto(&format!("{}/", server.url))
        .await
        .expect("open the page");
    let ways = client
        .find(Locator::Css("div.ways"))
        .await
        .expect("both ways")
        .text()
        .await
        .expect("text");
    for shown in ["方式一：在网页上填写", "方式二：上传 Excel 报表"] {
        assert!(
            ways.contains(shown),
            "the upload page lacks {shown}: {ways}"
        );
    }
    client
        .find(Locator::Css("a.button[href='/login?next=/fill']"))
        .await
        .expect("the link to the form")
        .click()
        .await
        .expect("follow it");
    page_titled(&client, &server, "登录").await;
    client
        .find(Locator::Css("#code"))
        .await
        .expect("code field")
        .send_keys(server.code("五指山市"))
        .await
        .expect("type the code");
    client
        .find(Locator::Css("form.upload button[type=submit]"))
        .await
        .expect("sign in")
        .click()
        .await
        .expect("submit");

    // The form, pre-filled from June's return, the one counted for June.
    assert_eq!(
        page_titled(&client, &server, "网页填报").await,
        "五指山市 2018年7月进展情况 · 网页填报"
    );
    let said = client
        .find(Locator::Css("p.source"))
        .await
        .expect("where the values come from")
        .text()
        .await
        .expect("text");
    assert!(
        said.contains("上一期（2018年6月）")
            && said.contains("五指山市2018年6月大班额任务进展情况.xlsx"),
        "{said}"
    );
    assert_eq!(june[1][7], "林伟", "June's 填报人 (H2)");
    assert_eq!(value_of(&client, "reporter").await, june[1][7]);
    assert_eq!(value_of(&client, "phone").await, june[1][9]);
    let rows: Vec<&Vec<String>> = june
        .iter()
        .filter(|r| r[0].parse::<u32>().is_ok())
        .collect();
    assert_eq!(rows.len(), 30, "June's return has 30 task rows");
    let blocks = client
        .find_all(Locator::Css("section.task"))
        .await
        .expect("task blocks");
    assert_eq!(blocks.len(), rows.len(), "one block per expected task");
    for row in &rows {
        let n = &row[0];
        // June's words as the form's choices; another word (正在推进, 已启动)
        // as the choice it means, said under the field.
        let status = match row[5].as_str() {
            "正在推进" | "已启动" => "推进中",
            word => word,
        };
        assert_eq!(
            value_of(&client, &format!("status-{n}")).await,
            status,
            "task {n}"
        );
        let hint = client
            .find_all(Locator::Id(&format!("status-{n}-hint")))
            .await
            .expect("hint");
        if status == row[5] {
            assert!(hint.is_empty(), "task {n}: no hint for {status}");
        } else {
            assert_eq!(
                hint[0].text().await.expect("hint"),
                format!("上次填写为“{}”，已按“{status}”预填", row[5]),
                "task {n}"
            );
        }
        assert_eq!(
            value_of(&client, &format!("date-{n}")).await,
            row[6],
            "task {n}"
        );
        assert_eq!(
            value_of(&client, &format!("progress-{n}")).await,
            row[7],
            "task {n}"
        );
    }
    shot(&client, &shots, "fill-1-form.png").await;

    // Two statuses and a date changed, and one progress text: task 2 done on
    // 20 July, task 6 (不适用 in June) now under way.
    assert_eq!(value_of(&client, "status-2").await, "推进中");
    assert_eq!(value_of(&client, "status-6").await, "不适用");
    client
        .find(Locator::Id("status-2"))
        .await
        .expect("status-2")
        .select_by_value("已完成")
        .await
        .expect("choose 已完成");
    type_date(&client, "date-2", "2018", "07", "20").await;
    client
        .find(Locator::Id("status-6"))
        .await
        .expect("status-6")
        .select_by_value("推进中")
        .await
        .expect("choose 推进中");
    let progress = client
        .find(Locator::Id("progress-2"))
        .await
        .expect("progress-2");
    progress.clear().await.expect("clear");
    let typed = "7月20日联动机制文件印发，<本项>已完成。";
    progress.send_keys(typed).await.expect("type the progress");
    shot(&client, &shots, "fill-2-changed.png").await;
    client
        .find(Locator::XPath(
            "//form[contains(@class,'fill')]//button[.='提交并检查']",
        ))
        .await
        .expect("the submit button")
        .click()
        .await
        .expect("submit");

    // The check page, saying the return was filled on the page.
    assert_eq!(
        page_titled(&client, &server, "报表检查结果").await,
        "五指山市 报表检查结果"
    );
    let text = client
        .find(Locator::Css("main"))
        .await
        .expect("main")
        .text()
        .await
        .expect("page text");
    for shown in [
        "已收到并保存。您在网页上填写的报表已生成 Excel 文件",
        "报送方式 网页填报",
        "填报日期 2018年8月3日",
        "林伟",
        "各项任务（30）",
        "2018年7月20日",
        "回到填报页修改",
    ] {
        assert!(
            text.contains(shown),
            "the check page lacks {shown}:\n{text}"
        );
    }
    shot(&client, &shots, "fill-3-check-page.png").await;
    let stored = super::server::stored(&server);
    assert_eq!(stored.len(), 1, "{stored:?}");

    // The office's workbook holds what was typed, and June's values kept.
    let response = super::server::client()
        .get(format!("{}/workbook", server.url))
        .bearer_auth(server.code("管理员"))
        .send()
        .await
        .expect("workbook");
    assert_eq!(response.status().as_u16(), 200);
    let book = dir.path().join("汇总表.xlsx");
    std::fs::write(&book, response.bytes().await.expect("bytes")).expect("save");
    let row = |task| super::common::detail_row(&book, "五指山市", task);
    let two = row(2);
    assert_eq!(two["完成状态"], "已完成");
    assert_eq!(two["完成时间"], "2018-07-20");
    assert_eq!(two["判定"], "按期完成");
    assert_eq!(two["进展情况"], typed);
    assert!(two["来源"].starts_with(&stored[0]), "{two:?}");
    assert_eq!(row(6)["完成状态"], "推进中");
    let four = row(4);
    assert_eq!(
        (&*four["完成状态"], &*four["进展情况"]),
        ("推进中", &*rows[3][7])
    );
    let one = row(1);
    assert_eq!(
        (&*one["完成状态"], &*one["完成时间"]),
        ("已完成", "2017-07-05")
    );

    // On a phone, 390 px wide: the form opens on the return just filed, every
    // field and button on screen, nothing scrolling sideways.
    client.set_window_size(390, 844).await.expect("phone size");
    client
        .goto(&format!("{}/fill", server.url))
        .await
        .expect("the form again");
    page_titled(&client, &server, "网页填报").await;
    let said = client
        .find(Locator::Css("p.source"))
        .await
        .expect("source")
        .text()
        .await
        .expect("text");
    assert!(
        said.contains("本单位本期已计入汇总的报表——网页填报（2018-08-03"),
        "{said}"
    );
    assert_eq!(value_of(&client, "status-2").await, "已完成");
    assert_eq!(value_of(&client, "date-2").await, "2018-07-20");
    assert_eq!(value_of(&client, "progress-2").await, typed);
    let (screen, page, outside) = controls_off_screen(&client).await;
    assert!(screen <= 400.0, "a phone's width: {screen}");
    assert!(
        page <= screen,
        "the form scrolls sideways: {page} > {screen}"
    );
    assert!(
        outside.is_empty(),
        "off the {screen}-px screen: {outside:?}"
    );
    shot(&client, &shots, "fill-4-phone.png").await;

    // A mistake on the phone is answered on the same page, every value kept:
    // task 14 (完成时限 2017年底) 已完成 with its date cleared.
    client
        .find(Locator::Id("date-14"))
        .await
        .expect("date-14")
        .clear()
        .await
        .expect("clear the date");
    client
        .find(Locator::Id("status-9"))
        .await
        .expect("status-9")
        .select_by_value("推进中")
        .await
        .expect("choose 推进中");
    client
        .find(Locator::XPath(
            "//form[contains(@class,'fill')]//button[.='提交并检查']",
        ))
        .await
        .expect("the submit button")
        .click()
        .await
        .expect("submit");
    let summary = client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("div.error-summary"))
        .await
        .expect("the errors, on the same page")
        .text()
        .await
        .expect("text");
    // Task 9, now 推进中, still has its completion date: said as well.
    for said in [
        "有 2 处需要修改",
        "第 9 项 完成时间：只有“已完成”的任务填写完成时间",
        "第 14 项 完成时间：完成时限（2017年12月31日）已过：已完成的任务请填写完成时间",
    ] {
        assert!(summary.contains(said), "{summary}");
    }
    assert_eq!(value_of(&client, "status-9").await, "推进中", "kept");
    assert_eq!(value_of(&client, "status-14").await, "已完成", "kept");
    assert_eq!(value_of(&client, "progress-2").await, typed, "kept");
    let (screen, page, outside) = controls_off_screen(&client).await;
    assert!(
        page <= screen && outside.is_empty(),
        "{page} > {screen}, {outside:?}"
    );
    shot(&client, &shots, "fill-5-phone-error.png").await;
    assert_eq!(super::server::stored(&server).len(), 1, "nothing stored");

    // A draft, kept on the server, not counted.
    client
        .find(Locator::XPath(
            "//form[contains(@class,'fill')]//button[.='保存草稿（暂不报送）']",
        ))
        .await
        .expect("the draft button")
        .click()
        .await
        .expect("save a draft");
    let notice = client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("main p.ok"))
        .await
        .expect("the draft's notice")
        .text()
        .await
        .expect("text");
    assert!(notice.starts_with("草稿已保存。草稿不计入汇总"), "{notice}");
    assert_eq!(
        value_of(&client, "status-9").await,
        "推进中",
        "the draft's values"
    );
    assert_eq!(value_of(&client, "date-14").await, "", "the draft's values");
    shot(&client, &shots, "fill-6-phone-draft.png").await;
    assert_eq!(
        super::server::stored(&server).len(),
        1,
        "a draft is not a return"
    );
    client.close().await.expect("close the browser");
    eprintln!("截图保存在 {}", shots.display());
}
