//! The server under hostile or careless clients (SPEC §10.1): bursts of wrong
//! codes, pages of another origin, a flood of connections, slow bodies without
//! a code, one unit uploading without end, peers on a dual-stack socket. The
//! real binary on loopback; a proxy's `X-Forwarded-For` stands in for many
//! addresses where one machine has only one.

use std::collections::BTreeMap;
use std::time::Duration;

use super::serve::{near_miss, return_of};
use super::server::{
    Launch, Server, client, copy_sample, make_codes, partial_request, peak_memory_mb, read, stored,
    upload, upload_head,
};

async fn status_with(server: &Server, code: &str, forwarded: Option<&str>) -> u16 {
    let mut request = client().get(format!("{}/", server.url)).bearer_auth(code);
    if let Some(address) = forwarded {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.expect("answered").status().as_u16()
}

/// `tries` wrong codes at once; gives how many got each status.
async fn burst(server: &Server, codes: Vec<String>, forwarded: bool) -> BTreeMap<u16, usize> {
    let mut jobs = Vec::new();
    for (i, code) in codes.into_iter().enumerate() {
        let url = server.url.clone();
        jobs.push(tokio::spawn(async move {
            let mut request = client().get(format!("{url}/")).bearer_auth(code);
            if forwarded {
                request = request.header("x-forwarded-for", format!("198.51.100.{}", i % 250 + 1));
            }
            request.send().await.expect("answered").status().as_u16()
        }));
    }
    let mut counts = BTreeMap::new();
    for job in jobs {
        *counts.entry(job.await.expect("task")).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_wrong_codes_count_as_sequential_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("dir");
    copy_sample(dir.path());
    let codes = make_codes(dir.path());
    let server = Launch::new(&["--trust-forwarded-for"]).start(dir.path(), codes);
    let pid = server.pid().expect("pid");
    let before = peak_memory_mb(pid);
    // 100 at once from one address, claiming no one: five are verified, as if
    // they had come one after another; the rest wait.
    let garbage: Vec<String> = (0..100).map(|i| format!("ZZZZ-ZZZZ-{i:04}")).collect();
    let counts = burst(&server, garbage, false).await;
    assert_eq!(counts, BTreeMap::from([(401, 5), (429, 95)]), "{counts:?}");
    // 100 at once claiming 海口市 from one address: the same.
    let near = near_miss(server.code("海口市"));
    let counts = burst(&server, vec![near; 100], false).await;
    assert_eq!(counts, BTreeMap::from([(401, 5), (429, 95)]), "{counts:?}");
    // Right codes of others from that address are still taken.
    assert_eq!(status_with(&server, server.code("三亚市"), None).await, 200);
    assert_eq!(status_with(&server, server.code("管理员"), None).await, 200);
    // 200 at once from 200 addresses (a trusted proxy says so): each is a
    // first try, so each is verified, a few at a time, in bounded memory.
    let garbage: Vec<String> = (0..200).map(|i| format!("YYYY-YYYY-{i:04}")).collect();
    let counts = burst(&server, garbage, true).await;
    assert_eq!(
        counts.get(&401).copied().unwrap_or(0) + counts.get(&503).copied().unwrap_or(0),
        200,
        "{counts:?}"
    );
    let after = peak_memory_mb(pid);
    eprintln!("serve 的内存峰值：开始 {before} MB，300 个并发错误上报码后 {after} MB");
    // Argon2 takes 19 MiB a run; four at once at most.
    assert!(
        after < before + 4 * 19 + 60,
        "peak {after} MB (from {before} MB)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_from_another_origin_changes_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let http = client();
    let port: u16 = server
        .url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let foreign = format!("http://127.0.0.1:{}", port + 1);
    let ours = server.url.clone();
    // Signed in as 五指山市 (a cookie the browser would send along).
    let login = http
        .post(format!("{}/login", server.url))
        .header("origin", &ours)
        .form(&[("code", server.code("五指山市"))])
        .send()
        .await
        .expect("login");
    assert_eq!(login.status().as_u16(), 303);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let file = || {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(return_of("五指山市", "李明", "推进中", "正在推进"))
                .file_name("x.xlsx"),
        )
    };
    // A page on another port uploads as the signed-in unit: refused.
    let response = http
        .post(format!("{}/upload", server.url))
        .header("cookie", &cookie)
        .header("origin", &foreign)
        .multipart(file())
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 403);
    assert!(
        response
            .text()
            .await
            .expect("page")
            .contains("请求来自其他网页")
    );
    // A cross-site page signs the browser in as another unit: refused, no cookie.
    let response = http
        .post(format!("{}/login", server.url))
        .header("origin", "http://evil.example")
        .form(&[("code", server.code("三亚市"))])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 403);
    assert!(response.headers().get("set-cookie").is_none());
    // Signing out from elsewhere, or a browser saying cross-site: refused.
    let response = http
        .post(format!("{}/logout", server.url))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 403);
    assert!(response.headers().get("set-cookie").is_none());
    // Nothing changed: no upload, still signed in.
    assert!(stored(&server).is_empty());
    let home = http
        .get(format!("{}/", server.url))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("page");
    assert!(home.contains("当前：五指山市"), "{home}");
    // From our own page, the same upload goes through.
    let response = http
        .post(format!("{}/upload", server.url))
        .header("cookie", &cookie)
        .header("origin", &ours)
        .header("sec-fetch-site", "same-origin")
        .multipart(file())
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(stored(&server).len(), 1);
    let said = read(&dir.path().join("serve.err"));
    assert!(said.contains("拒绝了来自其他网页的 POST /upload"), "{said}");
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_beyond_the_cap_are_told_the_server_is_busy() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &["--max-connections", "8"]);
    let address = server.url.trim_start_matches("http://").to_string();
    // Clients that connect and say nothing hold every place: twelve, so that
    // eight hold places whichever of them the server takes first (the others
    // are told it is busy, like any connection beyond the cap).
    let idle: Vec<std::net::TcpStream> = (0..12)
        .map(|_| std::net::TcpStream::connect(&address).expect("connect"))
        .collect();
    // The next one is told the server is busy once the idle ones' places are
    // taken. Each connection is accepted in a task of its own, so a request
    // sent before the server has seen all twelve could take a place itself:
    // wait until the four beyond the cap have been told it is busy.
    let start = std::time::Instant::now();
    while read(&dir.path().join("serve.err"))
        .matches("同时连接数已达上限")
        .count()
        < 4
        && start.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let start = std::time::Instant::now();
    let answer = loop {
        let mut next = std::net::TcpStream::connect(&address).expect("connect");
        next.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        next.write_all(
            format!("GET / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .expect("request");
        let mut answer = String::new();
        let _ = next.read_to_string(&mut answer);
        if answer.starts_with("HTTP/1.1 503 ") || start.elapsed() > Duration::from_secs(10) {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        answer.starts_with("HTTP/1.1 503 "),
        "{answer}\n{}",
        read(&dir.path().join("serve.err"))
    );
    assert!(
        answer.contains("服务器繁忙") && answer.contains("Retry-After: 10"),
        "{answer}"
    );
    // Once they go, pages are served again (as soon as the server sees them go).
    drop(idle);
    let start = std::time::Instant::now();
    let status = loop {
        let status = client()
            .get(format!("{}/", server.url))
            .send()
            .await
            .expect("page")
            .status()
            .as_u16();
        if status == 200 || start.elapsed() > Duration::from_secs(10) {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status, 200);
    let said = read(&dir.path().join("serve.err"));
    assert!(said.contains("同时连接数已达上限"), "{said}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_without_a_right_code_is_answered_before_its_body() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &[]);
    let boundary = "XyZ";
    let file_part = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nPK\u{3}\u{4}"
    );
    let cases = [
        // A wrong code, then a file of 40 MB announced and never sent.
        (
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\nZZZZ-ZZZZ-ZZZZ\r\n{file_part}"
            ),
            401,
        ),
        // No code at all: the file comes first.
        (file_part.clone(), 401),
        // Something else first, never ending: the code is missing.
        (
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nxxxx"),
            401,
        ),
        // The office's code cannot upload.
        (
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n{}\r\n{file_part}",
                server.code("管理员")
            ),
            403,
        ),
    ];
    for (start, want) in cases {
        let head = upload_head(&server.url, boundary, 40 * 1024 * 1024, "");
        let (status, text, took) = partial_request(
            &server.url,
            &head,
            start.as_bytes(),
            Duration::from_secs(15),
        );
        assert_eq!(status, Some(want), "{text}");
        assert!(took < Duration::from_secs(5), "answered after {took:?}");
        assert!(text.contains("connection: close"), "{text}");
    }
    assert!(stored(&server).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_stores_each_file_once_and_within_its_bounds() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::fresh(dir.path(), &["--unit-uploads", "3"]);
    let code = server.code("五指山市").to_string();
    let first = return_of("五指山市", "李明", "推进中", "第一版");
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(&code),
        "第一版.xlsx",
        first.clone(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    // The same bytes again, under another name: already received, not stored again.
    let (status, page) = upload(
        &client(),
        &server.url,
        Some(&code),
        "又一次.xlsx",
        first.clone(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("这份文件已经收到过") && page.contains("没有重复保存"),
        "{page}"
    );
    assert_eq!(stored(&server).len(), 1);
    for (i, name) in ["第二版.xlsx", "第三版.xlsx"].iter().enumerate() {
        let bytes = return_of("五指山市", "李明", "推进中", &format!("第{}版", i + 2));
        assert_eq!(
            upload(&client(), &server.url, Some(&code), name, bytes)
                .await
                .0,
            200
        );
    }
    assert_eq!(stored(&server).len(), 3);
    // A fourth file: 429, call the office — before its body is read.
    let boundary = "XyZ";
    let start = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\n{code}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"第四版.xlsx\"\r\n\r\nPK"
    );
    let head = upload_head(&server.url, boundary, 30 * 1024 * 1024, "");
    let (status, text, took) = partial_request(
        &server.url,
        &head,
        start.as_bytes(),
        Duration::from_secs(15),
    );
    assert_eq!(status, Some(429), "{text}");
    assert!(
        text.contains(
            "本单位本期已上传 3 份文件，达到上限，本次未保存：如确需再次上传，请打电话联系省教育厅"
        ),
        "{text}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    // Signed in by a bearer code: the same.
    let response = client()
        .post(format!("{}/upload", server.url))
        .bearer_auth(&code)
        .multipart(
            reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(return_of("五指山市", "李明", "推进中", "第五版"))
                    .file_name("第五版.xlsx"),
            ),
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(stored(&server).len(), 3);
    // Other units are not bounded by it.
    let (status, _) = upload(
        &client(),
        &server.url,
        Some(server.code("三亚市")),
        "三亚.xlsx",
        return_of("三亚市", "王芳", "推进中", "正在推进"),
    )
    .await;
    assert_eq!(status, 200);
    let log = read(&dir.path().join("input/上报日志.jsonl"));
    assert_eq!(
        log.matches("与已收到的文件相同，未重复保存").count(),
        1,
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ipv4_peers_of_a_dual_stack_socket_count_as_ipv4() {
    if std::net::TcpListener::bind("[::]:0").is_err() {
        eprintln!("跳过双栈测试：本机不能监听 [::]");
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    copy_sample(dir.path());
    let codes = make_codes(dir.path());
    let server = Launch::new(&["--trust-forwarded-for"])
        .host("[::]")
        .start(dir.path(), codes);
    // Reached over IPv4: the peer is ::ffff:127.0.0.1 to the socket.
    let (status, _) = upload(
        &client(),
        &server.url,
        Some("ZZZZ-ZZZZ-ZZZZ"),
        "a.xlsx",
        b"PK".to_vec(),
    )
    .await;
    assert_eq!(status, 401);
    // Through a trusted proxy on this machine: the address it forwards.
    let response = client()
        .post(format!("{}/upload", server.url))
        .header("x-forwarded-for", "203.0.113.9")
        .multipart(
            reqwest::multipart::Form::new()
                .text("code", "ZZZZ-ZZZZ-ZZZY")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(b"PK".to_vec()).file_name("a.xlsx"),
                ),
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 401);
    let log = read(&dir.path().join("input/上报日志.jsonl"));
    let clients: Vec<String> = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("line")["client"].to_string())
        .collect();
    assert_eq!(clients, ["\"127.0.0.1\"", "\"203.0.113.9\""], "{log}");
    let said = server.said();
    assert!(
        !said.contains("[::]") && !said.contains("0.0.0.0"),
        "{said}"
    );
}
