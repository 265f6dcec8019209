//! `serve`: the period's collection page. Counties upload their return and see at
//! once what the tool understood; the office watches who has sent and downloads
//! the period's workbook — the one `run` writes for the same folder.
//!
//! One process, on axum and tokio: [`codes`] checks the upload codes, [`auth`]
//! says who asks (and slows wrong codes), [`store`] takes an upload into the
//! period folder atomically and never over another file, [`log`] appends every
//! attempt to the upload log, [`board`] consolidates the folder through the
//! pipeline one run at a time, [`pages`] renders, [`routes`] wires it up. The
//! reading and checking are the pipeline's own ([`crate::inspect`],
//! [`crate::pipeline`]); nothing here reads a return itself.

pub mod auth;
pub mod board;
pub mod codes;
pub mod log;
pub mod pages;
pub mod routes;
pub mod store;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::catalogue::Catalogue;
use crate::inspect::Inspection;
use crate::intake::Reader;
use crate::pipeline::PeriodPlan;
use crate::roster::Roster;
use crate::table::format::Limits;

/// Everything `serve` was asked for, resolved.
pub struct Config {
    pub catalogue: Catalogue,
    pub roster: Roster,
    pub limits: Limits,
    /// The folder holding the period folders (codes, upload log).
    pub root: PathBuf,
    /// The period collected, planned as `run` plans its folder.
    pub plan: PeriodPlan,
    pub listen: SocketAddr,
    /// PEM certificate chain and key, for HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Take the client's address from `X-Forwarded-For` when the peer is this machine.
    pub trust_proxy: bool,
}

/// What the handlers share.
pub struct State {
    pub catalogue: Catalogue,
    pub roster: Roster,
    pub limits: Limits,
    pub root: PathBuf,
    pub plan: PeriodPlan,
    pub auth: Arc<auth::Auth>,
    pub store: store::Store,
    pub log: log::UploadLog,
    pub uploads: log::Uploads,
    pub board: board::Board,
    /// Returns read and checked at once (uploads, check pages, annotated
    /// copies): one per core, so a burst of large files queues instead of
    /// holding them all in memory. Receiving them is not bounded by this.
    pub checks: tokio::sync::Semaphore,
    /// Whether pages go out over HTTPS (session cookies are then `Secure`).
    pub secure: bool,
    pub trust_proxy: bool,
}

impl State {
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            catalogue: &self.catalogue,
            roster: &self.roster,
            limits: self.limits,
        }
    }

    /// The check of a stored file of the period folder. Blocking.
    pub fn inspect(&self, file: &str) -> Inspection {
        crate::inspect::inspect(
            self.reader(),
            &self.plan.input.join(file),
            self.plan.period,
            self.plan.due_day,
        )
    }
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

fn folder_error(path: &Path, e: &std::io::Error) -> ServeError {
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
/// `started` is told the address once the server listens.
///
/// # Errors
/// A [`ServeError`] when the codes, folders, address or certificate cannot be used.
pub fn run(config: Config, started: impl FnOnce(&str)) -> Result<(), ServeError> {
    let Config {
        catalogue,
        roster,
        limits,
        root,
        plan,
        listen,
        tls,
        trust_proxy,
    } = config;
    let book = codes::CodeBook::load(&root)?;
    let (auth, strangers) = auth::Auth::new(book, &roster);
    for unit in strangers {
        eprintln!("注意：上报码文件中的单位“{unit}”不在单位名单中，它的上报码不能使用");
    }
    let store = store::Store::open(&plan.input, plan.period, plan.due_day)
        .map_err(|e| folder_error(&plan.input, &e))?;
    let log = log::UploadLog::open(&root).map_err(|e| folder_error(&root, &e))?;
    let uploads = log::Uploads::from_log(
        &log.read(),
        &plan.period.month.to_string(),
        &plan.input,
        &roster,
    );
    let state = Arc::new(State {
        catalogue,
        roster,
        limits,
        root,
        plan,
        auth: Arc::new(auth),
        store,
        log,
        uploads,
        board: board::Board::default(),
        checks: tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        ),
        secure: tls.is_some(),
        trust_proxy,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServeError::Runtime(crate::os::describe(&e)))?;
    runtime.block_on(serve(state, listen, tls, started))
}

async fn serve(
    state: Arc<State>,
    listen: SocketAddr,
    tls: Option<(PathBuf, PathBuf)>,
    started: impl FnOnce(&str),
) -> Result<(), ServeError> {
    let listener = std::net::TcpListener::bind(listen)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| ServeError::Listen {
            addr: listen,
            reason: listen_reason(&e),
        })?;
    let bound = listener.local_addr().unwrap_or(listen);
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
                .handle(handle)
                .first_request_timeout(Duration::from_secs(30));
            bound_headers(server.http_builder());
            started(&format!("https://{bound}/"));
            server.serve(app).await.map_err(listen_error)
        }
        None => {
            let mut server = axum_server::from_tcp(listener)
                .map_err(listen_error)?
                .handle(handle)
                .first_request_timeout(Duration::from_secs(30));
            bound_headers(server.http_builder());
            started(&format!("http://{bound}/"));
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
    eprintln!("正在停止：等待进行中的上传完成……");
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
