//! The real `county-returns serve` on a loopback port, in a scratch folder holding
//! a copy of the sample's `input/` and the codes `codes` made there. Shared by the
//! serve tests and `benches/serve.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_county-returns");

/// The time the servers of the tests start their clock at (`COUNTY_RETURNS_NOW`):
/// 2018-08-03, when July's returns are collected (due 2018-08-05).
pub const COLLECTING_JULY: &str = "2018-08-03T10:00:00";

/// A port no one listens on right now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("address").port()
}

/// Copies the repository's sample `input/` (every period) into `dir/input`.
pub fn copy_sample(dir: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("input");
    for period in std::fs::read_dir(&from).expect("sample input") {
        let period = period.expect("entry").path();
        if !period.is_dir() {
            continue;
        }
        let to = dir.join("input").join(period.file_name().expect("name"));
        std::fs::create_dir_all(&to).expect("period folder");
        for file in std::fs::read_dir(&period).expect("period") {
            let file = file.expect("entry").path();
            std::fs::copy(&file, to.join(file.file_name().expect("name"))).expect("copy");
        }
    }
}

/// Runs `codes` in `dir` and gives unit → code from the list it wrote.
pub fn make_codes(dir: &Path) -> BTreeMap<String, String> {
    let out = Command::new(BIN)
        .arg("codes")
        .current_dir(dir)
        .output()
        .expect("run codes");
    assert!(
        out.status.success(),
        "codes failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    read_codes(&dir.join("上报码.csv"))
}

pub fn read_codes(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).expect("codes list");
    text.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(u, c)| (u.to_string(), c.to_string()))
        .collect()
}

/// How a test starts `serve`: its flags, its clock, the address it listens on,
/// and the program it runs under (`faketime`), on no settings file.
pub struct Launch<'a> {
    extra: Vec<&'a str>,
    env: Vec<(&'a str, String)>,
    host: &'a str,
    wrapper: Vec<&'a str>,
}

impl<'a> Launch<'a> {
    /// `serve` with `extra` flags, on 127.0.0.1, its clock at [`COLLECTING_JULY`].
    pub fn new(extra: &[&'a str]) -> Self {
        Self {
            extra: extra.to_vec(),
            env: vec![("COUNTY_RETURNS_NOW", COLLECTING_JULY.to_string())],
            host: "127.0.0.1",
            wrapper: Vec::new(),
        }
    }

    /// Its clock starting at `now`, local time.
    pub fn now(mut self, now: &str) -> Self {
        self.env.retain(|(k, _)| *k != "COUNTY_RETURNS_NOW");
        self.env.push(("COUNTY_RETURNS_NOW", now.to_string()));
        self
    }

    /// On the machine's own clock.
    pub fn system_clock(mut self) -> Self {
        self.env.retain(|(k, _)| *k != "COUNTY_RETURNS_NOW");
        self
    }

    pub fn env(mut self, key: &'a str, value: &str) -> Self {
        self.env.push((key, value.to_string()));
        self
    }

    /// Listening on `host` (`0.0.0.0`, `[::]`); the tests reach it on 127.0.0.1.
    pub fn host(mut self, host: &'a str) -> Self {
        self.host = host;
        self
    }

    /// Run under another program (`faketime -f …`).
    pub fn under(mut self, wrapper: &[&'a str]) -> Self {
        self.wrapper = wrapper.to_vec();
        self
    }

    /// Starts `serve` in `dir` (already holding `input/` and its codes).
    pub fn start(&self, dir: &Path, codes: BTreeMap<String, String>) -> Server {
        let scheme = if self.extra.contains(&"--tls-cert") {
            "https"
        } else {
            "http"
        };
        for _ in 0..5 {
            let port = free_port();
            let listen = format!("{}:{port}", self.host);
            let log = |name: &str| std::fs::File::create(dir.join(name)).expect("server log file");
            let mut command = match self.wrapper.split_first() {
                Some((program, args)) => {
                    let mut c = Command::new(program);
                    c.args(args).arg(BIN);
                    c
                }
                None => Command::new(BIN),
            };
            let child = command
                .args(["serve", "--listen", &listen])
                .args(&self.extra)
                .env("COUNTY_RETURNS_CONFIG", "/dev/null")
                .envs(self.env.iter().map(|(k, v)| (k, v)))
                .current_dir(dir)
                .stdin(Stdio::null())
                .stdout(log("serve.out"))
                .stderr(log("serve.err"))
                .spawn()
                .expect("start serve");
            let mut server = Server {
                child: Some(child),
                url: format!("{scheme}://127.0.0.1:{port}"),
                dir: dir.to_path_buf(),
                codes: codes.clone(),
            };
            if server.wait_listening(port) {
                return server;
            }
            // Another process took the port between our look and the server's bind: try another.
            server.kill();
        }
        panic!("serve did not start: {}", read(&dir.join("serve.err")));
    }
}

/// A running server; killed when dropped.
pub struct Server {
    child: Option<Child>,
    pub url: String,
    pub dir: PathBuf,
    pub codes: BTreeMap<String, String>,
}

impl Server {
    /// Sample copied, codes made, server started on a free port with `extra` flags.
    pub fn fresh(dir: &Path, extra: &[&str]) -> Self {
        copy_sample(dir);
        let codes = make_codes(dir);
        Self::start(dir, codes, extra)
    }

    /// Starts `serve` in `dir` (already holding `input/` and its codes), its
    /// clock at [`COLLECTING_JULY`].
    pub fn start(dir: &Path, codes: BTreeMap<String, String>, extra: &[&str]) -> Self {
        Launch::new(extra).start(dir, codes)
    }

    /// What the server printed on start (it may print a moment after it
    /// listens): waits a few seconds for the whole of it.
    pub fn said(&self) -> String {
        let start = Instant::now();
        loop {
            let said = read(&self.dir.join("serve.out"));
            if said.contains("按 Ctrl-C 停止") || start.elapsed() > Duration::from_secs(10) {
                return said;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    fn wait_listening(&mut self, port: u16) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                let err = read(&self.dir.join("serve.err"));
                assert!(
                    err.contains("端口已被占用"),
                    "serve exited with {status}: {err}"
                );
                return false;
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("serve did not listen within 20 s");
    }

    pub fn code(&self, unit: &str) -> &str {
        self.codes
            .get(unit)
            .unwrap_or_else(|| panic!("no code for {unit}"))
    }

    pub fn period_dir(&self) -> PathBuf {
        self.dir.join("input").join("2018-07")
    }

    /// Kills the server at once (SIGKILL): no chance to tidy up.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            forget(child);
        }
    }

    /// Asks the server to stop (SIGTERM) and gives its exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        let pid = i32::try_from(child.id()).expect("pid");
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(status)) = child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Leaves a killed child unreaped until the test binary exits. Other tests
/// bound the memory of the runs they make by `RUSAGE_CHILDREN`, the peak of
/// every child this process has waited for; a server under load (or Chromium)
/// must not count as one of their runs.
pub fn forget(child: Child) {
    drop(child);
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// An HTTP client without a cookie store (each request says who it is).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}

/// Posts an upload: the code field (when given) before the file, as the form sends them.
pub async fn upload(
    client: &reqwest::Client,
    url: &str,
    code: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new();
    if let Some(code) = code {
        form = form.text("code", code.to_string());
    }
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    form = form.part("file", part);
    let response = client
        .post(format!("{url}/upload"))
        .multipart(form)
        .send()
        .await
        .expect("upload answered");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The files of a folder, by name, hidden ones included.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The files the server stored in the period folder (named `<unit>_<UTC time>_<sha256 prefix>.<ext>`).
pub fn stored(server: &Server) -> Vec<String> {
    names(&server.period_dir())
        .into_iter()
        .filter(|n| is_server_name(n))
        .collect()
}

/// Whether `name` has the server's form: `<unit>_<YYYYMMDDTHHMMSSZ>_<8 hex>.<ext>`.
pub fn is_server_name(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let parts: Vec<&str> = stem.split('_').collect();
    let [unit, time, sha] = parts.as_slice() else {
        return false;
    };
    !unit.is_empty()
        && !ext.is_empty()
        && time.is_ascii()
        && time.len() == 16
        && time.as_bytes()[8] == b'T'
        && time.ends_with('Z')
        && time[..8]
            .bytes()
            .chain(time[9..15].bytes())
            .all(|b| b.is_ascii_digit())
        && sha.len() == 8
        && sha
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Sends a request's head and the first bytes of its body over a plain
/// connection, sends nothing more, and reads what the server answers within
/// `wait`: its status (if any came), the text, and how long it took. A server
/// that must answer before reading the rest of the body answers here.
pub fn partial_request(
    url: &str,
    head: &str,
    body_start: &[u8],
    wait: Duration,
) -> (Option<u16>, String, Duration) {
    use std::io::{Read, Write};
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(wait)).expect("timeout");
    let start = Instant::now();
    stream.write_all(head.as_bytes()).expect("head");
    stream.write_all(body_start).expect("body start");
    let mut answer = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
        }
        if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"</html>") {
            break;
        }
    }
    let took = start.elapsed();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    (status, text, took)
}

/// The head of a multipart upload to `url` declaring `length` bytes of body.
pub fn upload_head(url: &str, boundary: &str, length: usize, extra: &str) -> String {
    let host = url.trim_start_matches("http://");
    format!(
        "POST /upload HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n{extra}\r\n"
    )
}

/// The peak resident memory of a process, in MB (`VmHWM`).
pub fn peak_memory_mb(pid: u32) -> u64 {
    let status = read(Path::new(&format!("/proc/{pid}/status")));
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
