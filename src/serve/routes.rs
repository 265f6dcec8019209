//! The routes: who may ask what, and the answer's status code. The work is done
//! by [`super::store`] (uploads), [`super::board`] (the consolidation) and
//! [`crate::inspect`] (a return's check); the pages by [`super::pages`].

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Form, Multipart, Path, State as Shared};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    LOCATION, REFERRER_POLICY, RETRY_AFTER, SET_COOKIE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use maud::Markup;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use super::State;
use super::auth::{Denied, Principal};
use super::log::{Line, Record, STORED};
use super::pages::{self, CheckView, Viewer};
use super::store::{Incoming, Refusal, file_id, too_large};

/// Every request but an upload: forms and links carry a few bytes.
const SMALL_BODY: usize = 64 * 1024;
/// A request that takes longer is answered 408 (an upload over a slow line included).
const REQUEST_TIME: Duration = Duration::from_secs(10 * 60);
/// The longest code field read.
const CODE_FIELD: usize = 256;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn router(state: Arc<State>) -> Router {
    let upload_limit = upload_limit(&state);
    let header = |name, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    Router::new()
        .route("/", get(home))
        .route("/style.css", get(style))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route(
            "/upload",
            post(upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/returns/{id}", get(show_return))
        .route("/returns/{id}/annotated.xlsx", get(annotated))
        .route("/status", get(status_page))
        .route("/api/status", get(status_json))
        .route("/workbook", get(workbook))
        .route("/chase.csv", get(chase_csv))
        .fallback(not_found)
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
        .layer(header(REFERRER_POLICY, "no-referrer"))
        .layer(header(CACHE_CONTROL, "no-store"))
        .with_state(state)
}

/// The body an upload may have: the file's bound and room for the form around it.
fn upload_limit(state: &State) -> usize {
    usize::try_from(state.limits.max_file_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024)
}

/// A page with its status.
fn page(
    state: &State,
    status: StatusCode,
    title: &str,
    who: Option<Principal>,
    body: Markup,
) -> Response {
    let viewer = viewer(state, who);
    let markup = pages::page(
        title,
        state.catalogue.plan_name.as_deref().unwrap_or("任务"),
        &state.plan.period.month.chinese(),
        &viewer,
        body,
    );
    (status, markup).into_response()
}

fn viewer(state: &State, who: Option<Principal>) -> Viewer<'_> {
    match who {
        Some(Principal::Unit(u)) => Viewer {
            name: Some(state.roster.units[u].name.as_str()),
            admin: false,
        },
        Some(Principal::Admin) => Viewer {
            name: Some(super::codes::ADMIN),
            admin: true,
        },
        None => Viewer {
            name: None,
            admin: false,
        },
    }
}

fn message(
    state: &State,
    status: StatusCode,
    title: &str,
    text: &str,
    who: Option<Principal>,
) -> Response {
    page(
        state,
        status,
        title,
        who,
        pages::message(title, text, Some(("/", "返回上报页"))),
    )
}

/// A code refused: the same words whatever was wrong with it.
fn denied(state: &State, denied: Denied) -> Response {
    match denied {
        Denied::Wrong => message(
            state,
            StatusCode::UNAUTHORIZED,
            "上报码不正确",
            "上报码不正确，或尚未登录：请核对省教育厅发放的上报码后重试。",
            None,
        ),
        Denied::Slowed(wait) => {
            let mut response = message(
                state,
                StatusCode::TOO_MANY_REQUESTS,
                "尝试次数过多",
                &format!("本机输入错误的上报码次数过多，请 {wait} 秒后再试。"),
                None,
            );
            if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        }
    }
}

fn client(state: &State, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    super::auth::client_address(peer, headers, state.trust_proxy)
}

/// The signed-in principal, or the answer to give instead.
async fn who(
    state: &Arc<State>,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Result<Option<Principal>, Response> {
    let client = client(state, peer, headers);
    state
        .auth
        .who(headers, client)
        .await
        .map_err(|d| denied(state, d))
}

/// The office only: anyone else is told to sign in (401) or that it is not theirs (403).
async fn admin(state: &Arc<State>, peer: SocketAddr, headers: &HeaderMap) -> Result<(), Response> {
    match who(state, peer, headers).await? {
        Some(Principal::Admin) => Ok(()),
        Some(unit) => Err(message(
            state,
            StatusCode::FORBIDDEN,
            "无权查看",
            "此页面只有省教育厅管理员可以查看；单位上报码只能上报和查看本单位的报表。",
            Some(unit),
        )),
        None => Err(page(
            state,
            StatusCode::UNAUTHORIZED,
            "请登录",
            None,
            pages::login_form(Some("此页面需要管理员登录。")),
        )),
    }
}

async fn style() -> Response {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::stylesheet(),
    )
        .into_response()
}

async fn not_found(Shared(state): Shared<Arc<State>>) -> Response {
    message(
        &state,
        StatusCode::NOT_FOUND,
        "找不到页面",
        "没有这个页面。",
        None,
    )
}

async fn home(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let who = match who(&state, peer, &headers).await {
        Ok(who) => who,
        Err(answer) => return answer,
    };
    let mine = match who {
        Some(Principal::Unit(u)) => state.uploads.of_unit(u),
        _ => Vec::new(),
    };
    let period = state.plan.period.month.chinese();
    let body = pages::upload_form(
        &viewer(&state, who),
        &period,
        &mine,
        state.limits.max_file_bytes / (1024 * 1024),
    );
    page(&state, StatusCode::OK, "上报", who, body)
}

async fn login_page(Shared(state): Shared<Arc<State>>) -> Response {
    page(
        &state,
        StatusCode::OK,
        "登录",
        None,
        pages::login_form(None),
    )
}

#[derive(serde::Deserialize)]
struct CodeForm {
    code: String,
}

async fn login(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request_headers: HeaderMap,
    form: Result<Form<CodeForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let client = client(&state, peer, &request_headers);
    let code = form.map(|Form(f)| f.code).unwrap_or_default();
    let principal = match state.auth.check_code(&code, client).await {
        Ok(p) => p,
        Err(Denied::Wrong) => {
            return page(
                &state,
                StatusCode::UNAUTHORIZED,
                "登录",
                None,
                pages::login_form(Some("上报码不正确：请核对后重试。")),
            );
        }
        Err(d) => return denied(&state, d),
    };
    let token = state.auth.open_session(principal);
    let to = match principal {
        Principal::Admin => "/status",
        Principal::Unit(_) => "/",
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(LOCATION, HeaderValue::from_static(to));
    let secure = super::auth::over_https(state.secure, peer, &request_headers, state.trust_proxy);
    if let Ok(cookie) = HeaderValue::from_str(&super::auth::session_cookie(&token, secure)) {
        headers.insert(SET_COOKIE, cookie);
    }
    response
}

async fn logout(Shared(state): Shared<Arc<State>>, headers: HeaderMap) -> Response {
    state.auth.close_session(&headers);
    let mut response = StatusCode::SEE_OTHER.into_response();
    let out = response.headers_mut();
    out.insert(LOCATION, HeaderValue::from_static("/"));
    if let Ok(cookie) = HeaderValue::from_str(&super::auth::expired_cookie()) {
        out.insert(SET_COOKIE, cookie);
    }
    response
}

/// What the log says of one upload attempt.
struct Attempt {
    client: IpAddr,
    unit: String,
    client_name: String,
    size: u64,
    sha256: String,
}

impl Attempt {
    fn line(&self, state: &State, file: &str, result: &str, problems: usize) -> Line {
        Line {
            time: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            period: state.plan.period.month.to_string(),
            unit: self.unit.clone(),
            client: self.client.to_string(),
            file: file.to_string(),
            client_name: self.client_name.clone(),
            size: self.size,
            sha256: self.sha256.clone(),
            result: result.to_string(),
            problems,
        }
    }
}

fn log(state: &State, line: &Line) {
    if let Err(e) = state.log.append(line) {
        eprintln!(
            "注意：无法写入上报日志 {}：{}",
            state.log.path().display(),
            crate::os::describe(&e)
        );
    }
}

/// Reads what is left of a refused upload, so the browser gets to show the answer
/// instead of a broken connection. Bounded by the body limit.
async fn drain(multipart: &mut Multipart) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

async fn read_code(field: axum::extract::multipart::Field<'_>) -> String {
    let mut field = field;
    let mut code = Vec::new();
    while let Ok(Some(chunk)) = field.chunk().await {
        if code.len() + chunk.len() > CODE_FIELD {
            return String::new();
        }
        code.extend_from_slice(&chunk);
    }
    String::from_utf8(code).unwrap_or_default()
}

async fn upload(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let client = client(&state, peer, &headers);
    let mut attempt = Attempt {
        client,
        unit: String::new(),
        client_name: String::new(),
        size: 0,
        sha256: String::new(),
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(size) = declared.filter(|n| *n > upload_limit(&state) as u64) {
        attempt.size = size;
        let refusal = too_large(state.limits.max_file_bytes);
        return refused(&state, &attempt, &refusal, None);
    }
    let principal = match state.auth.who(&headers, client).await {
        Ok(p) => p,
        Err(d) => return denied(&state, d),
    };
    let Ok(multipart) = multipart else {
        return message(
            &state,
            StatusCode::BAD_REQUEST,
            "上传格式不对",
            "请在上报页选择文件后点“上传并检查”。",
            principal,
        );
    };
    let form = match receive_form(&state, multipart, principal, &mut attempt).await {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    let Some((unit, received)) = form.file else {
        return message(
            &state,
            StatusCode::BAD_REQUEST,
            "没有选择文件",
            "请选择要上报的报表文件后再点“上传并检查”。",
            form.principal,
        );
    };
    let now = Utc::now();
    let accepted = checking(&state, move |worker| {
        let accepted = worker.store.accept(worker.reader(), unit, received, now)?;
        let superseded = worker
            .store
            .superseded_by(worker.reader(), unit, &accepted.name);
        Ok((accepted, superseded))
    })
    .await;
    let (accepted, superseded) = match accepted {
        Ok(Ok(accepted)) => accepted,
        Ok(Err(refusal)) => return refused(&state, &attempt, &refusal, form.principal),
        Err(Stopped::ShuttingDown) => return Stopped::ShuttingDown.answer(&state, None),
        Err(Stopped::Interrupted(e)) => {
            let refusal = Refusal::Disk(format!("检查时中断：{e}"));
            return refused(&state, &attempt, &refusal, form.principal);
        }
    };
    let record = Record {
        id: file_id(&accepted.name),
        unit,
        file: accepted.name.clone(),
        time: now,
        size: attempt.size,
        sha256: attempt.sha256.clone(),
        problems: accepted.inspection.problems.len(),
    };
    log(
        &state,
        &attempt.line(&state, &accepted.name, STORED, record.problems),
    );
    state.uploads.add(record.clone());
    let view = CheckView::new(&accepted.inspection, state.reader(), &record, superseded);
    let mut response = page(
        &state,
        StatusCode::OK,
        "检查结果",
        form.principal,
        pages::check(&view, true),
    );
    // A code typed into the form signs the unit in, so the annotated copy and
    // its earlier uploads are a click away.
    if form.typed_code
        && let Some(signed) = form.principal
    {
        let token = state.auth.open_session(signed);
        let secure = super::auth::over_https(state.secure, peer, &headers, state.trust_proxy);
        if let Ok(cookie) = HeaderValue::from_str(&super::auth::session_cookie(&token, secure)) {
            response.headers_mut().insert(SET_COOKIE, cookie);
        }
    }
    response
}

/// What the upload form brought: who sent it and the file, received to staging.
struct UploadForm {
    principal: Option<Principal>,
    /// Whether the sender typed a code into the form (rather than being signed in).
    typed_code: bool,
    file: Option<(usize, Incoming)>,
}

/// Reads the form's fields in order: a `code` signs the sender in (unless a
/// session or bearer code already did), the first `file` is received for the
/// sender's unit, anything else is read past. Fills `attempt` for the log.
///
/// # Errors
/// The answer to send at once: a wrong code, the admin code or no code before
/// the file, a file too large, a broken stream.
async fn receive_form(
    state: &State,
    mut multipart: Multipart,
    mut principal: Option<Principal>,
    attempt: &mut Attempt,
) -> Result<UploadForm, Response> {
    let limit = state.limits.max_file_bytes;
    let mut file = None;
    let mut typed_code = false;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(refused(state, attempt, &too_large(limit), principal));
            }
            Err(_) => return Err(refused(state, attempt, &Refusal::Interrupted, principal)),
        };
        match field.name() {
            Some("code") => {
                let code = read_code(field).await;
                if principal.is_none() {
                    match state.auth.check_code(&code, attempt.client).await {
                        Ok(p) => {
                            principal = Some(p);
                            typed_code = true;
                        }
                        Err(d) => {
                            drain(&mut multipart).await;
                            attempt.result_wrong_code(state);
                            return Err(denied(state, d));
                        }
                    }
                }
            }
            Some("file") if file.is_none() => {
                let unit = match principal {
                    Some(Principal::Unit(u)) => u,
                    Some(Principal::Admin) => {
                        drain(&mut multipart).await;
                        return Err(message(
                            state,
                            StatusCode::FORBIDDEN,
                            "管理员码不能上报",
                            "管理员码只用于查看汇总；请用各单位的上报码上报该单位的报表。",
                            principal,
                        ));
                    }
                    None => {
                        drain(&mut multipart).await;
                        return Err(denied(state, Denied::Wrong));
                    }
                };
                attempt.unit = state.roster.units[unit].name.clone();
                attempt.client_name = field
                    .file_name()
                    .map(|n| n.chars().take(200).collect())
                    .unwrap_or_default();
                match state.store.receive(&mut field, limit).await {
                    Ok(received) => {
                        attempt.size = received.size;
                        attempt.sha256 = received.sha256.clone();
                        file = Some((unit, received));
                    }
                    Err(refusal) => return Err(refused(state, attempt, &refusal, principal)),
                }
            }
            _ => while let Ok(Some(_)) = field.chunk().await {},
        }
    }
    Ok(UploadForm {
        principal,
        typed_code,
        file,
    })
}

impl Attempt {
    fn result_wrong_code(&self, state: &State) {
        log(state, &self.line(state, "", "上报码不正确", 0));
    }
}

fn refused(
    state: &State,
    attempt: &Attempt,
    refusal: &Refusal,
    who: Option<Principal>,
) -> Response {
    let (status, title) = match refusal {
        Refusal::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "文件过大"),
        Refusal::NotSpreadsheet(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "不是电子表格"),
        Refusal::Unreadable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "无法读取报表"),
        Refusal::OtherUnit { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "填报单位不符"),
        Refusal::Interrupted => (StatusCode::BAD_REQUEST, "上传未完成"),
        Refusal::Disk(_) => (StatusCode::INTERNAL_SERVER_ERROR, "服务器无法保存"),
    };
    let text = refusal.to_string();
    log(state, &attempt.line(state, "", &text, 0));
    message(
        state,
        status,
        &format!("未保存：{title}"),
        &format!("{text}（本次上传未保存）"),
        who,
    )
}

/// The stored upload an id names, if the asker may see it.
async fn own_record(
    state: &Arc<State>,
    peer: SocketAddr,
    headers: &HeaderMap,
    id: &str,
) -> Result<(Record, Option<Principal>), Response> {
    let who = who(state, peer, headers).await?;
    let record = (id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| state.uploads.find(id))
        .flatten();
    let Some(record) = record else {
        return Err(message(
            state,
            StatusCode::NOT_FOUND,
            "找不到该报表",
            "没有这份上传记录。",
            who,
        ));
    };
    match who {
        Some(Principal::Admin) => Ok((record, who)),
        Some(Principal::Unit(u)) if u == record.unit => Ok((record, who)),
        Some(_) => Err(message(
            state,
            StatusCode::FORBIDDEN,
            "无权查看",
            "单位上报码只能查看本单位的报表。",
            who,
        )),
        None => Err(page(
            state,
            StatusCode::UNAUTHORIZED,
            "请登录",
            None,
            pages::login_form(Some("请先用本单位的上报码登录。")),
        )),
    }
}

async fn show_return(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (record, who) = match own_record(&state, peer, &headers, &id).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let shown = record.clone();
    let view = checking(&state, move |worker| {
        let inspection = worker.inspect(&shown.file);
        let superseded = worker
            .store
            .superseded_by(worker.reader(), shown.unit, &shown.file);
        CheckView::new(&inspection, worker.reader(), &shown, superseded)
    })
    .await;
    match view {
        Ok(view) => page(
            &state,
            StatusCode::OK,
            "检查结果",
            who,
            pages::check(&view, false),
        ),
        Err(stopped) => stopped.answer(&state, who),
    }
}

async fn annotated(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (record, who) = match own_record(&state, peer, &headers, &id).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let file = record.file.clone();
    let copy = checking(&state, move |worker| {
        let bytes = std::fs::read(worker.plan.input.join(&file)).ok();
        worker
            .inspect(&file)
            .annotated_copy(bytes, worker.limits)
            .map_err(|e| e.to_string())
    })
    .await;
    match copy {
        Ok(Ok(bytes)) => download(
            bytes,
            XLSX,
            &format!("标注副本_{}.xlsx", stem(&record.file)),
        ),
        Ok(Err(e)) => message(
            &state,
            StatusCode::INTERNAL_SERVER_ERROR,
            "无法生成标注副本",
            &format!("生成标注副本时出错（{e}）：请把这条信息发给维护人员。"),
            who,
        ),
        Err(stopped) => stopped.answer(&state, who),
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
    fn answer(&self, state: &State, who: Option<Principal>) -> Response {
        match self {
            Self::ShuttingDown => message(
                state,
                StatusCode::SERVICE_UNAVAILABLE,
                "服务正在停止",
                "服务正在停止，请稍后重试。",
                None,
            ),
            Self::Interrupted(_) => message(
                state,
                StatusCode::INTERNAL_SERVER_ERROR,
                "无法检查",
                "检查时中断，请稍后重试。",
                who,
            ),
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

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// A file to save, named in UTF-8 (RFC 6266) with a plain fallback.
fn download(bytes: impl Into<axum::body::Body>, kind: &'static str, name: &str) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"download\"; filename*=UTF-8''{encoded}");
    let mut response = (StatusCode::OK, bytes.into()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}

async fn status_page(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    match admin_snapshot(&state, peer, &headers).await {
        Ok(snapshot) => page(
            &state,
            StatusCode::OK,
            "汇总看板",
            Some(Principal::Admin),
            pages::board(&snapshot.status),
        ),
        Err(answer) => answer,
    }
}

/// The period consolidated, for the admin only.
///
/// # Errors
/// The answer to send: the login page, or 无法汇总 with the reason.
async fn admin_snapshot(
    state: &Arc<State>,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Result<Arc<super::board::Snapshot>, Response> {
    admin(state, peer, headers).await?;
    state.board.snapshot(state).await.map_err(|e| {
        message(
            state,
            StatusCode::INTERNAL_SERVER_ERROR,
            "无法汇总",
            &e,
            Some(Principal::Admin),
        )
    })
}

async fn status_json(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Err(answer) = admin(&state, peer, &headers).await {
        return answer;
    }
    match state.board.snapshot(&state).await {
        Ok(snapshot) => axum::Json(snapshot.status.clone()).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(serde_json::json!({ "error": e })),
        )
            .into_response(),
    }
}

async fn workbook(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let snapshot = match admin_snapshot(&state, peer, &headers).await {
        Ok(snapshot) => snapshot,
        Err(answer) => return answer,
    };
    let worker = Arc::clone(&state);
    let bytes = tokio::task::spawn_blocking(move || snapshot.workbook(&worker))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r);
    let month = state.plan.period.month;
    match bytes {
        Ok(bytes) => download(bytes, XLSX, &format!("大班额任务进展汇总_{month}.xlsx")),
        Err(e) => message(
            &state,
            StatusCode::INTERNAL_SERVER_ERROR,
            "无法生成汇总表",
            &e,
            Some(Principal::Admin),
        ),
    }
}

async fn chase_csv(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    match admin_snapshot(&state, peer, &headers).await {
        Ok(snapshot) => download(
            super::board::chase_csv(&snapshot.status),
            "text/csv; charset=utf-8",
            &format!("催报名单_{}.csv", state.plan.period.month),
        ),
        Err(answer) => answer,
    }
}
