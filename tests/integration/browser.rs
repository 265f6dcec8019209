//! A county and the office in a real browser: headless Chromium driven through
//! chromedriver (Debian's `chromium` and `chromium-driver`, which `.ci/run`
//! installs). The county types its code, picks its file, submits and reads the
//! check page; the office signs in and reads the board. Screenshots of each step
//! go to `$TMPDIR/county-returns-browser/` for a person to look at.
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

async fn browser(port: u16, profile: &Path) -> Client {
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
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        serde_json::json!({ "binary": CHROMIUM, "args": args }),
    );
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
