//! The network side: how many connections are open at once, and which
//! addresses the counties can open.
//!
//! Every connection holds one of `max_connections` places from before its TLS
//! handshake until it closes. One beyond them is answered 503 at once, in
//! Chinese, and closed; beyond [`OVERFLOW`] more, closed without a word. So the
//! open files stay bounded (each connection one, each upload in progress one
//! more) under a flood of idle or slow clients, and the systemd unit's
//! `LimitNOFILE` is set well above them.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Connections over the cap that are still told so; past them, closed at once.
pub const OVERFLOW: usize = 64;

/// What a connection over the cap is told.
const BUSY_PAGE: &str = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>服务器繁忙</title></head><body><h1>服务器繁忙</h1><p>同时连接的用户太多，服务器暂时无法接待：请过一会儿再刷新页面。</p></body></html>";

fn busy_response() -> Vec<u8> {
    format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html; charset=utf-8\r\nRetry-After: 10\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{BUSY_PAGE}",
        BUSY_PAGE.len()
    )
    .into_bytes()
}

/// An acceptor that admits at most so many connections at once.
#[derive(Clone)]
pub struct Capped<A> {
    inner: A,
    open: Arc<Semaphore>,
    over: Arc<AtomicUsize>,
}

impl<A> Capped<A> {
    pub fn new(inner: A, max_connections: usize) -> Self {
        Self {
            inner,
            open: Arc::new(Semaphore::new(max_connections)),
            over: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl<A, S> Accept<TcpStream, S> for Capped<A>
where
    A: Accept<TcpStream, S> + Clone + Send + Sync + 'static,
    A::Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    A::Service: Send + 'static,
    A::Future: Send + 'static,
    S: Send + 'static,
{
    type Stream = Counted<A::Stream>;
    type Service = A::Service;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let inner = self.inner.clone();
        let place = Arc::clone(&self.open).try_acquire_owned();
        let over = Arc::clone(&self.over);
        Box::pin(async move {
            if let Ok(place) = place {
                let (stream, service) = inner.accept(stream, service).await?;
                return Ok((
                    Counted {
                        inner: stream,
                        _place: place,
                    },
                    service,
                ));
            }
            let refused = io::Error::other("连接数已达上限");
            if over.fetch_add(1, Ordering::Relaxed) >= OVERFLOW {
                over.fetch_sub(1, Ordering::Relaxed);
                return Err(refused);
            }
            let _over = Over(&over);
            tracing::warn!("同时连接数已达上限，新的连接得到“服务器繁忙”（503）");
            let _ = tokio::time::timeout(Duration::from_secs(5), async move {
                let (mut stream, _) = inner.accept(stream, service).await?;
                stream.write_all(&busy_response()).await?;
                stream.flush().await?;
                stream.shutdown().await?;
                // What the client still sends is read and dropped for a moment,
                // so the close does not reset the connection before the answer
                // is read.
                let mut sink = [0u8; 8192];
                let mut left: usize = 64 * 1024;
                while left > 0 {
                    match tokio::time::timeout(Duration::from_secs(1), stream.read(&mut sink)).await
                    {
                        Ok(Ok(n)) if n > 0 => left = left.saturating_sub(n),
                        _ => break,
                    }
                }
                Ok::<(), io::Error>(())
            })
            .await;
            Err(refused)
        })
    }
}

/// One connection over the cap, being answered.
struct Over<'a>(&'a AtomicUsize);

impl Drop for Over<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A connection holding its place until it closes.
pub struct Counted<S> {
    inner: S,
    _place: OwnedSemaphorePermit,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Raises the soft limit of open files to the hard one (as Go programs do on
/// start): the connection cap is meant to be reached before it. Gives the
/// limit now in force, if the system says.
pub fn raise_open_files_limit() -> Option<u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if let (Some(current), Some(maximum)) = (limit.current, limit.maximum)
        && current < maximum
        && setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(maximum),
                maximum: Some(maximum),
            },
        )
        .is_ok()
    {
        return Some(maximum);
    }
    limit.current
}

/// The files a connection cap needs open at most: one per connection and one
/// per upload being received, the answered overflow, and a margin for the
/// log, the codes, the period folders and the runtime.
pub fn files_needed(max_connections: usize) -> u64 {
    (2 * max_connections + OVERFLOW + 64) as u64
}

/// The addresses a county can open, for a server bound to `bound`: each
/// address of this machine's network interfaces when bound to all of them
/// (`0.0.0.0`, `[::]`), else the one bound. The second value says whether only
/// this computer can reach them.
pub fn reachable(bound: SocketAddr) -> (Vec<IpAddr>, bool) {
    let ip = bound.ip();
    if !ip.is_unspecified() {
        return (vec![ip], ip.is_loopback());
    }
    let mut found: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback() && !i.is_link_local())
        .map(|i| i.ip())
        // `[::]` takes IPv4 too (Linux's default); `0.0.0.0` IPv4 only.
        .filter(|a| ip.is_ipv6() || a.is_ipv4())
        .collect();
    found.sort_by_key(|a| (a.is_ipv6(), *a));
    found.dedup();
    if found.is_empty() {
        let local = if ip.is_ipv6() {
            IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
        } else {
            IpAddr::from(std::net::Ipv4Addr::LOCALHOST)
        };
        return (vec![local], true);
    }
    (found, false)
}

/// `http://192.168.1.5:8080/`, `https://[fd00::5]:8443/`.
pub fn url(scheme: &str, ip: IpAddr, port: u16, path: &str) -> String {
    match ip {
        IpAddr::V4(v4) => format!("{scheme}://{v4}:{port}{path}"),
        IpAddr::V6(v6) => format!("{scheme}://[{v6}]:{port}{path}"),
    }
}

/// The address counties open, as the reminders give it, and how it was found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reach {
    /// `http://10.0.0.5:8080/`.
    pub url: String,
    pub how: ReachHow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReachHow {
    /// The settings' `public_url`.
    Setting,
    /// The address the office's browser used to open the board.
    Asked,
    /// This computer's network address: the office opened the board on this
    /// computer itself, at an address no county can open.
    Listening,
    /// The server listens on this computer only: no county can open it.
    ThisMachineOnly,
}

/// Where counties open the pages: the settings' `public_url`; else the host
/// the office's browser asked for (`Host`, which a reverse proxy passes on),
/// unless it names this computer only (`localhost`, `127.0.0.1`); else this
/// computer's first network address, when the server listens on one; else the
/// address asked for, though no county can open it.
pub fn reach(
    public_url: Option<&str>,
    scheme: &str,
    asked: Option<&str>,
    bound: Option<SocketAddr>,
) -> Reach {
    if let Some(url) = public_url {
        return Reach {
            url: url.to_string(),
            how: ReachHow::Setting,
        };
    }
    let asked = asked.filter(|host| {
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    });
    if let Some(host) = asked.filter(|host| !names_this_computer(host)) {
        return Reach {
            url: format!("{scheme}://{host}/"),
            how: ReachHow::Asked,
        };
    }
    if let Some(bound) = bound
        && let (addresses, false) = reachable(bound)
        && let Some(ip) = addresses.first()
    {
        return Reach {
            url: url(scheme, *ip, bound.port(), "/"),
            how: ReachHow::Listening,
        };
    }
    let url = match (asked, bound) {
        (Some(host), _) => format!("{scheme}://{host}/"),
        (None, Some(bound)) => url(scheme, bound.ip(), bound.port(), "/"),
        (None, None) => format!("{scheme}://127.0.0.1/"),
    };
    Reach {
        url,
        how: ReachHow::ThisMachineOnly,
    }
}

/// Whether a `Host` (`localhost:8080`, `127.0.0.1`, `[::1]:8080`) names this
/// computer alone.
fn names_this_computer(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback() || ip.is_unspecified())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_a_county_can_open() {
        let one: SocketAddr = "192.0.2.5:8080".parse().expect("addr");
        assert_eq!(reachable(one), (vec![one.ip()], false));
        let local: SocketAddr = "127.0.0.1:8080".parse().expect("addr");
        assert_eq!(reachable(local), (vec![local.ip()], true));
        // Bound to every address: never 0.0.0.0 itself.
        let all: SocketAddr = "0.0.0.0:8080".parse().expect("addr");
        let (found, _) = reachable(all);
        assert!(!found.is_empty() && found.iter().all(|a| !a.is_unspecified() && a.is_ipv4()));
        assert_eq!(
            url("http", "192.0.2.5".parse().expect("ip"), 8080, "/login"),
            "http://192.0.2.5:8080/login"
        );
        assert_eq!(
            url("https", "fd00::5".parse().expect("ip"), 8443, "/"),
            "https://[fd00::5]:8443/"
        );
        assert_eq!(files_needed(512), 1152);
    }

    #[test]
    fn reminders_send_counties_where_they_can_open_the_page() {
        let lan: SocketAddr = "192.0.2.5:8080".parse().expect("addr");
        let local: SocketAddr = "127.0.0.1:8080".parse().expect("addr");
        let cases = [
            (
                Some("https://returns.example.org/"),
                Some("127.0.0.1:8080"),
                Some(local),
                "https://returns.example.org/",
                ReachHow::Setting,
            ),
            (
                None,
                Some("192.0.2.5:8080"),
                Some(lan),
                "http://192.0.2.5:8080/",
                ReachHow::Asked,
            ),
            (
                None,
                Some("returns.example.org"),
                Some(local),
                "http://returns.example.org/",
                ReachHow::Asked,
            ),
            (
                None,
                Some("localhost:8080"),
                Some(lan),
                "http://192.0.2.5:8080/",
                ReachHow::Listening,
            ),
            (
                None,
                Some("[::1]:8080"),
                Some(lan),
                "http://192.0.2.5:8080/",
                ReachHow::Listening,
            ),
            (
                None,
                Some("127.0.0.1:8080"),
                Some(local),
                "http://127.0.0.1:8080/",
                ReachHow::ThisMachineOnly,
            ),
            // A Host no browser sends is not written into a text.
            (
                None,
                Some("a\"b<c>"),
                Some(local),
                "http://127.0.0.1:8080/",
                ReachHow::ThisMachineOnly,
            ),
            (
                None,
                None,
                None,
                "http://127.0.0.1/",
                ReachHow::ThisMachineOnly,
            ),
        ];
        for (public, asked, bound, url, how) in cases {
            assert_eq!(
                reach(public, "http", asked, bound),
                Reach {
                    url: url.to_string(),
                    how
                },
                "{asked:?}"
            );
        }
    }

    #[test]
    fn the_packaged_unit_opens_enough_files_for_the_default_cap() {
        let unit = include_str!("../../packaging/debian/county-returns.service");
        let limit: u64 = unit
            .lines()
            .find_map(|l| l.strip_prefix("LimitNOFILE="))
            .and_then(|v| v.trim().parse().ok())
            .expect("the unit sets LimitNOFILE");
        let cap = usize::try_from(crate::cli::DEFAULT_MAX_CONNECTIONS).expect("cap");
        assert!(
            limit >= 4 * files_needed(cap),
            "{limit} for {}",
            files_needed(cap)
        );
        // Nothing monthly: no timer, no restart.
        assert!(!unit.contains("OnCalendar") && !unit.contains("RuntimeMaxSec"));
    }

    #[test]
    fn the_busy_answer_is_whole_http() {
        let text = String::from_utf8(busy_response()).expect("utf-8");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 503 "), "{head}");
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
        assert!(body.contains("服务器繁忙"));
    }
}
