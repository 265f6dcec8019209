//! The routes: who may ask what, and the answer's status code. Who asks, from
//! where and for which period are extractors ([`extract`]); every answer is an
//! [`Answer`]. The work is done by [`super::store`] (uploads),
//! [`super::board`] (the consolidation) and [`crate::inspect`] (a return's
//! check); the pages by [`super::pages`].
//!
//! One handler file per side: [`session`] (the upload page, sign in and out),
//! [`upload`], [`fill`] (the return filled on a page, then filed as an upload
//! is), [`returns`] (an upload's check page and annotated copy) and [`office`]
//! (the board and its downloads).

pub mod answer;
pub mod extract;
mod fill;
mod office;
mod returns;
mod session;
mod upload;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State as Shared};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use super::State;
use answer::{Answer, Frame};

/// Every request but an upload or a filled return: forms and links carry a few bytes.
const SMALL_BODY: usize = 64 * 1024;
/// A request that takes longer is answered 408 (an upload over a slow line included).
const REQUEST_TIME: Duration = Duration::from_secs(10 * 60);

pub fn router(state: Arc<State>) -> Router {
    let upload_limit = upload::body_limit(&state);
    let fill_limit = fill::body_limit(&state);
    let header = |name, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    Router::new()
        .route("/", get(session::home))
        .route("/style.css", get(session::style))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route(
            "/upload",
            post(upload::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        // A whole return of long texts (5.3 MiB for the plan's 31 tasks, see
        // `serve::fill::body_limit`), read by the handler once the unit is known.
        .route(
            "/fill",
            get(fill::show)
                .post(fill::submit)
                .layer(DefaultBodyLimit::max(fill_limit)),
        )
        .route("/returns/{id}", get(returns::show))
        .route("/returns/{id}/annotated.xlsx", get(returns::annotated))
        .route("/status", get(office::board))
        .route("/api/status", get(office::status_json))
        .route("/workbook", get(office::workbook))
        .route("/chase.csv", get(office::chase_csv))
        .route("/papers", get(office::papers))
        .route("/reminders.txt", get(office::reminders_txt))
        .fallback(session::not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            same_origin,
        ))
        .layer(DefaultBodyLimit::max(SMALL_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIME,
        ))
        .layer(header(
            CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ))
        .layer(header(X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(X_FRAME_OPTIONS, "DENY"))
        // Not `no-referrer`: under it a browser sends `Origin: null` with our
        // own forms, and the same-origin check could not tell them from a
        // foreign page's. `same-origin` names no page of ours to anyone else.
        .layer(header(REFERRER_POLICY, "same-origin"))
        .layer(header(CACHE_CONTROL, "no-store"))
        .with_state(state)
}

/// A state-changing request (anything but GET and HEAD) that says it comes
/// from another origin is refused before any handler runs: nothing is stored,
/// no one is signed in or out. Browsers say so in `Sec-Fetch-Site` and
/// `Origin`; a request with neither (a script with a bearer code) is not a
/// browser's, and goes on.
async fn same_origin(Shared(state): Shared<Arc<State>>, request: Request, next: Next) -> Response {
    // HTTP/2 names the host in the request line, not in `Host`.
    let authority = request.uri().authority().map(|a| a.as_str().to_string());
    if matches!(*request.method(), Method::GET | Method::HEAD)
        || from_here(request.headers(), authority.as_deref())
    {
        return next.run(request).await;
    }
    tracing::warn!(
        "拒绝了来自其他网页的 {} {}（Origin：{}）",
        request.method(),
        request.uri().path(),
        request
            .headers()
            .get(ORIGIN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("无")
    );
    Answer::message(
        &Frame::new(&state, state.collecting(), None),
        StatusCode::FORBIDDEN,
        "请求来自其他网页",
        "这个请求不是从本网站的页面发出的，已拒绝，什么也没有改变。请直接在浏览器地址栏打开本网站，再上传或登录。",
    )
    .closing()
    .into_response()
}

/// Whether a browser's request comes from a page of this server: its `Origin`
/// names the host and port the request was sent to (`Host`), and
/// `Sec-Fetch-Site`, when sent, says `same-origin` or `none` (typed by the user).
fn from_here(headers: &HeaderMap, authority: Option<&str>) -> bool {
    let text = |name| headers.get(name).map(|v| v.to_str().unwrap_or("\u{0}"));
    if let Some(site) = text("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let same_site = text("sec-fetch-site") == Some("same-origin");
    let Some(origin) = text(ORIGIN.as_str()) else {
        return true;
    };
    // A browser that hides the origin (`null`) still says where the request
    // came from in `Sec-Fetch-Site`, which no page can set.
    if origin == "null" && same_site {
        return true;
    }
    // `null` (a sandboxed or local page) and anything unparsable are foreign.
    let authority_of_uri = authority;
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match (authority, text(HOST.as_str()).or(authority_of_uri)) {
        (Some(authority), Some(host)) => authority.eq_ignore_ascii_case(host),
        _ => false,
    }
}

/// Why a check did not run to its end.
enum Stopped {
    /// The server is shutting down: no permit is given any more.
    ShuttingDown,
    /// The check panicked or was cancelled.
    Interrupted(String),
}

impl Stopped {
    fn answer(&self, frame: &Frame) -> Answer {
        match self {
            Self::ShuttingDown => Answer::message(
                frame,
                StatusCode::SERVICE_UNAVAILABLE,
                "服务正在停止",
                "服务正在停止，请稍后重试。",
            ),
            Self::Interrupted(why) => {
                tracing::error!("检查报表时中断：{why}");
                Answer::message(
                    frame,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "无法检查",
                    "检查时中断，请稍后重试。",
                )
            }
        }
    }
}

/// Runs `job` (reading and checking a return: blocking) on the blocking pool,
/// at most one per core at once ([`State::checks`]).
async fn checking<T: Send + 'static>(
    state: &Arc<State>,
    job: impl FnOnce(&State) -> T + Send + 'static,
) -> Result<T, Stopped> {
    let Ok(_permit) = state.checks.acquire().await else {
        return Err(Stopped::ShuttingDown);
    };
    let worker = Arc::clone(state);
    tokio::task::spawn_blocking(move || job(&worker))
        .await
        .map_err(|e| Stopped::Interrupted(e.to_string()))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_servers_pages_may_post() {
        let cases: [(&[(&str, &str)], bool); 12] = [
            (&[("host", "10.0.0.5:8080")], true),
            (
                &[
                    ("host", "10.0.0.5:8080"),
                    ("origin", "http://10.0.0.5:8080"),
                ],
                true,
            ),
            (
                &[
                    ("host", "returns.example.org"),
                    ("origin", "https://Returns.example.org"),
                ],
                true,
            ),
            (
                &[
                    ("host", "10.0.0.5:8080"),
                    ("origin", "http://10.0.0.5:8081"),
                ],
                false,
            ),
            (
                &[("host", "10.0.0.5:8080"), ("origin", "http://evil.example")],
                false,
            ),
            (&[("host", "10.0.0.5:8080"), ("origin", "null")], false),
            (
                &[
                    ("host", "10.0.0.5:8080"),
                    ("origin", "null"),
                    ("sec-fetch-site", "same-origin"),
                ],
                true,
            ),
            (&[("origin", "http://10.0.0.5:8080")], false),
            (
                &[("host", "10.0.0.5:8080"), ("sec-fetch-site", "same-origin")],
                true,
            ),
            (
                &[("host", "10.0.0.5:8080"), ("sec-fetch-site", "none")],
                true,
            ),
            (
                &[("host", "10.0.0.5:8080"), ("sec-fetch-site", "same-site")],
                false,
            ),
            (
                &[
                    ("host", "10.0.0.5:8080"),
                    ("origin", "http://10.0.0.5:8080"),
                    ("sec-fetch-site", "cross-site"),
                ],
                false,
            ),
        ];
        for (headers, want) in cases {
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                map.insert(
                    axum::http::HeaderName::from_static(name),
                    HeaderValue::from_str(value).expect("value"),
                );
            }
            assert_eq!(from_here(&map, None), want, "{headers:?}");
        }
        // HTTP/2: the host is the request's authority.
        let mut map = HeaderMap::new();
        map.insert(ORIGIN, HeaderValue::from_static("https://10.0.0.5:8443"));
        assert!(from_here(&map, Some("10.0.0.5:8443")));
        assert!(!from_here(&map, Some("10.0.0.5:8444")));
    }
}
