//! `serve`: the collection page. Counties upload their return and see at once
//! what the tool understood; the office watches who has sent and downloads the
//! period's workbook — the one `run` writes for the same folder.
//!
//! One process, on axum and tokio, left running all month: the month collected
//! follows the calendar on every request ([`calendar`]), each month's folder
//! has its [`desk`]. [`codes`] checks the upload codes, [`auth`] says who asks
//! (and slows wrong codes), [`store`] takes an upload into the period folder
//! atomically, never over another file, and answers only once it is stored
//! whole and logged; [`log`] appends every attempt to the upload log; [`board`]
//! consolidates a folder through the pipeline one run at a time; [`fill`] reads
//! and checks the return a unit fills on a page, and writes it as the template's
//! workbook, which is then stored like an upload; [`net`] caps the connections;
//! [`pages`] renders; [`routes`] wires it up. The reading and
//! checking are the pipeline's own ([`crate::inspect`], [`crate::pipeline`]);
//! nothing here reads a return itself. The server's own events go to
//! `tracing`; the upload log is the record.

pub mod auth;
pub mod board;
pub mod calendar;
pub mod codes;
pub mod desk;
pub mod fill;
pub mod log;
pub mod net;
pub mod pages;
pub mod routes;
pub mod store;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::NaiveDate;

use crate::catalogue::Catalogue;
use crate::intake::Reader;
use crate::period::Month;
use crate::pipeline::Planner;
use crate::roster::Roster;
use crate::table::format::Limits;
use calendar::Calendar;
use desk::Desk;
use store::Bounds;

/// Everything `serve` was asked for, resolved.
pub struct Config {
    pub catalogue: Catalogue,
    pub roster: Roster,
    pub limits: Limits,
    /// The folder holding the period folders (codes, upload log).
    pub root: PathBuf,
    /// How `run` plans a period folder: each month collected is planned so.
    pub planner: Planner,
    /// Where today's date comes from, looked at on every request.
    pub calendar: Calendar,
    /// `--period` or the settings file's `period`: this month, whatever the date.
    pub pinned: Option<Month>,
    pub bounds: Bounds,
    /// Connections open at once, at most.
    pub max_connections: usize,
    pub listen: SocketAddr,
    /// PEM certificate chain and key, for HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Take the client's address from `X-Forwarded-For` when the peer is this machine.
    pub trust_proxy: bool,
    /// The address counties open (`public_url`), for the reminders.
    pub public_url: Option<String>,
}

/// What the handlers share.
pub struct State {
    pub catalogue: Catalogue,
    pub roster: Roster,
    pub limits: Limits,
    pub root: PathBuf,
    pub planner: Planner,
    pub calendar: Calendar,
    pub pinned: Option<Month>,
    pub bounds: Bounds,
    pub auth: Arc<auth::Auth>,
    pub log: log::UploadLog,
    /// The desks open, by month: the one collected, the one before, one looked at.
    desks: Mutex<BTreeMap<Month, Arc<Desk>>>,
    /// Returns read and checked at once (uploads, check pages, annotated
    /// copies): one per core, so a burst of large files queues instead of
    /// holding them all in memory. Receiving them is not bounded by this.
    pub checks: tokio::sync::Semaphore,
    /// Whether pages go out over HTTPS (session cookies are then `Secure`).
    pub secure: bool,
    pub trust_proxy: bool,
    /// The address counties open, when the settings name it.
    pub public_url: Option<String>,
    /// The address the server listens on, once it does.
    pub bound: std::sync::OnceLock<SocketAddr>,
}

impl State {
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            catalogue: &self.catalogue,
            roster: &self.roster,
            limits: self.limits,
        }
    }

    /// The month collected now: the pinned one, else the calendar's.
    pub fn collecting(&self) -> Month {
        self.pinned.unwrap_or_else(|| {
            calendar::current_period(self.calendar.today(), self.planner.due_day)
        })
    }

    /// The desk of `month`, opened (and its folder made) when first asked for.
    ///
    /// # Errors
    /// Why the month's folder cannot be used, in Chinese.
    pub fn desk(&self, month: Month) -> Result<Arc<Desk>, String> {
        let mut desks = self.desks.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(desk) = desks.get(&month) {
            return Ok(Arc::clone(desk));
        }
        let plan = self
            .planner
            .month(&self.root, month)
            .ok_or_else(|| format!("无法收集 {month} 期：月份超出范围"))?;
        let folder = plan.input.clone();
        let is_new = !folder.is_dir();
        let desk = Desk::open(plan, &self.log.read(), &self.roster).map_err(|e| {
            format!(
                "无法使用报表文件夹 {}：{}",
                folder.display(),
                crate::os::describe(&e)
            )
        })?;
        let desk = Arc::new(desk);
        let collecting = self.collecting();
        desks.retain(|m, _| *m == collecting || *m == collecting.previous());
        desks.insert(month, Arc::clone(&desk));
        if is_new {
            tracing::info!("新建 {} 期报表文件夹 {}", month.chinese(), folder.display());
        }
        Ok(desk)
    }

    /// The desk of an earlier month whose folder exists, for the board.
    pub fn earlier_desk(&self, month: Month) -> Option<Arc<Desk>> {
        self.root
            .join(month.to_string())
            .is_dir()
            .then(|| self.desk(month).ok())
            .flatten()
    }

    /// The period folders under the root, oldest first.
    pub fn months(&self) -> Vec<Month> {
        Month::folders_in(&self.root)
            .unwrap_or_default()
            .into_iter()
            .map(|(m, _)| m)
            .collect()
    }
}

/// What the server says when it listens: where counties and the office go.
pub struct Started {
    /// The upload page at each address counties can open.
    pub pages: Vec<String>,
    /// The office's sign-in page at the first of them.
    pub login: String,
    /// Whether only this computer can open them.
    pub this_machine_only: bool,
    /// The month collected now, its folder and due date.
    pub month: Month,
    pub folder: PathBuf,
    pub due: Option<NaiveDate>,
    /// Whether the month is pinned (it does not move on).
    pub pinned: bool,
    /// The open-files limit, when too low for the connection cap.
    pub files_short: Option<(u64, u64)>,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Codes(#[from] codes::CodesError),
    /// The period folder or the upload log cannot be used.
    #[error("无法使用 {path}：{reason}")]
    Folder { path: PathBuf, reason: String },
    /// The address cannot be listened on.
    #[error("无法在 {addr} 上提供服务：{reason}")]
    Listen { addr: SocketAddr, reason: String },
    /// The certificate or key cannot be read.
    #[error("无法读取 HTTPS 证书或私钥（{cert}，{key}）：{reason}。请提供 PEM 格式的证书链和私钥")]
    Tls {
        cert: PathBuf,
        key: PathBuf,
        reason: String,
    },
    #[error("无法启动服务（{0}）")]
    Runtime(String),
}

pub(crate) fn folder_error(path: &Path, e: &std::io::Error) -> ServeError {
    ServeError::Folder {
        path: path.to_path_buf(),
        reason: crate::os::describe(e),
    }
}

fn listen_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            "端口已被占用（可能已有一个 serve 在运行）：请先停止它，或用 --listen 换一个端口".into()
        }
        std::io::ErrorKind::AddrNotAvailable => {
            "本机没有这个地址：请用 --listen 指定本机的地址，例如 0.0.0.0:8080".into()
        }
        std::io::ErrorKind::PermissionDenied => {
            "没有权限使用该端口（1024 以下的端口需要管理员权限）：请换一个端口，例如 8080".into()
        }
        _ => crate::os::describe(e),
    }
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests under way.
/// `started` is told where the server listens once it does.
///
/// # Errors
/// A [`ServeError`] when the codes, folders, address or certificate cannot be used.
pub fn run(config: Config, started: impl FnOnce(&Started)) -> Result<(), ServeError> {
    let Config {
        catalogue,
        roster,
        limits,
        root,
        planner,
        calendar,
        pinned,
        bounds,
        max_connections,
        listen,
        tls,
        trust_proxy,
        public_url,
    } = config;
    let book = codes::CodeBook::load(&root)?;
    let (auth, strangers) = auth::Auth::new(book, &roster);
    for unit in strangers {
        tracing::warn!("上报码文件中的单位“{unit}”不在单位名单中，它的上报码不能使用");
    }
    let log = log::UploadLog::open(&root).map_err(|e| folder_error(&root, &e))?;
    let state = Arc::new(State {
        catalogue,
        roster,
        limits,
        root,
        planner,
        calendar,
        pinned,
        bounds,
        auth: Arc::new(auth),
        log,
        desks: Mutex::default(),
        checks: tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        ),
        secure: tls.is_some(),
        trust_proxy,
        public_url,
        bound: std::sync::OnceLock::new(),
    });
    recover_lines(&state).map_err(|e| folder_error(&state.root, &e))?;
    let month = state.collecting();
    let desk = state.desk(month).map_err(|reason| ServeError::Folder {
        path: state.root.join(month.to_string()),
        reason,
    })?;
    let files_limit = net::raise_open_files_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Runtime(crate::os::describe(&e)))?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let told = |bound: SocketAddr| {
        let (addresses, this_machine_only) = net::reachable(bound);
        let pages: Vec<String> = addresses
            .iter()
            .map(|ip| net::url(scheme, *ip, bound.port(), "/"))
            .collect();
        let login = addresses
            .first()
            .map(|ip| net::url(scheme, *ip, bound.port(), "/login"))
            .unwrap_or_default();
        let needed = net::files_needed(max_connections);
        started(&Started {
            pages,
            login,
            this_machine_only,
            month,
            folder: desk.dir().to_path_buf(),
            due: crate::period::returns_due(desk.plan.period.as_of, desk.plan.due_day),
            pinned: pinned.is_some(),
            files_short: files_limit.filter(|l| *l < needed).map(|l| (l, needed)),
        });
    };
    runtime.block_on(serve(state, listen, tls, max_connections, told))
}

/// Writes the log line a stored file lacks, for every period folder: a server
/// stopped after storing a file and before logging it leaves such a file.
fn recover_lines(state: &State) -> std::io::Result<()> {
    let lines = state.log.read();
    for month in state.months() {
        let Some(plan) = state.planner.month(&state.root, month) else {
            continue;
        };
        let period = month.to_string();
        for file in log::missing_lines(&lines, &period, &plan.input) {
            let path = plan.input.join(&file);
            let (Some(unit), Some((_, time))) =
                (state.roster.find_in(&file), store::name_parts(&file))
            else {
                continue;
            };
            let Ok((size, sha256)) = store::measure(&path) else {
                continue;
            };
            let inspection =
                crate::inspect::inspect(state.reader(), &path, plan.period, plan.due_day);
            let line = log::Line {
                time: time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                period: period.clone(),
                unit: state.roster.units[unit].name.clone(),
                client: String::new(),
                file: file.clone(),
                client_name: String::new(),
                size,
                sha256,
                result: log::STORED.to_string(),
                problems: inspection.problems.len(),
                recovered: true,
                // Whether it was filled online is not in the file.
                online: false,
            };
            state.log.append(&line)?;
            tracing::warn!(
                "{} 期的 {file} 已保存但上报日志中没有记录（服务上次停止时正在保存它）：已补记，标为 recovered",
                month
            );
        }
    }
    Ok(())
}

async fn serve(
    state: Arc<State>,
    listen: SocketAddr,
    tls: Option<(PathBuf, PathBuf)>,
    max_connections: usize,
    started: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let listener = std::net::TcpListener::bind(listen)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| ServeError::Listen {
            addr: listen,
            reason: listen_reason(&e),
        })?;
    let bound = listener.local_addr().unwrap_or(listen);
    let _ = state.bound.set(bound);
    let app = routes::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    tokio::spawn(stop_on_signal(handle.clone()));
    let listen_error = |e: std::io::Error| ServeError::Listen {
        addr: listen,
        reason: listen_reason(&e),
    };
    match tls {
        Some((cert, key)) => {
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .map_err(|e| ServeError::Tls {
                    cert: cert.clone(),
                    key: key.clone(),
                    reason: crate::os::describe(&e),
                })?;
            let mut server = axum_server::from_tcp_rustls(listener, config)
                .map_err(listen_error)?
                .map(|tls| net::Capped::new(tls, max_connections))
                .handle(handle)
                .first_request_timeout(Duration::from_secs(30));
            bound_headers(server.http_builder());
            started(bound);
            server.serve(app).await.map_err(listen_error)
        }
        None => {
            let mut server = axum_server::from_tcp(listener)
                .map_err(listen_error)?
                .map(|plain| net::Capped::new(plain, max_connections))
                .handle(handle)
                .first_request_timeout(Duration::from_secs(30));
            bound_headers(server.http_builder());
            started(bound);
            server.serve(app).await.map_err(listen_error)
        }
    }
}

/// A client gets 30 seconds to send its headers, and at most 64 KiB of them.
fn bound_headers(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
) {
    builder
        .http1()
        .header_read_timeout(Duration::from_secs(30))
        .max_buf_size(64 * 1024);
    builder.http2().max_header_list_size(64 * 1024);
}

/// Ctrl-C or SIGTERM: stop taking connections, give the requests under way time to finish.
async fn stop_on_signal<A: axum_server::Address>(handle: axum_server::Handle<A>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("正在停止：等待进行中的上传完成……");
    handle.graceful_shutdown(Some(Duration::from_secs(30)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_failures_in_chinese_with_what_to_do() {
        let addr: SocketAddr = "127.0.0.1:8080".parse().expect("addr");
        let cases = [
            (std::io::ErrorKind::AddrInUse, "端口已被占用"),
            (std::io::ErrorKind::AddrNotAvailable, "本机没有这个地址"),
            (std::io::ErrorKind::PermissionDenied, "没有权限使用该端口"),
        ];
        for (kind, said) in cases {
            let error = ServeError::Listen {
                addr,
                reason: listen_reason(&std::io::Error::from(kind)),
            };
            let text = error.to_string();
            assert!(
                text.starts_with("无法在 127.0.0.1:8080 上提供服务：") && text.contains(said),
                "{text}"
            );
        }
        let tls = ServeError::Tls {
            cert: "c.pem".into(),
            key: "k.pem".into(),
            reason: "文件内容无效".into(),
        };
        assert_eq!(
            tls.to_string(),
            "无法读取 HTTPS 证书或私钥（c.pem，k.pem）：文件内容无效。请提供 PEM 格式的证书链和私钥"
        );
        let missing = ServeError::from(codes::CodesError::Missing(
            "input/.county-returns-codes.json".into(),
        ));
        assert_eq!(
            missing.to_string(),
            "还没有上报码（找不到 input/.county-returns-codes.json）：请先运行 county-returns codes 生成上报码"
        );
        let malformed = codes::CodesError::Malformed("x.json".into());
        assert!(malformed.to_string().contains("--force"));
    }
}
