//! `POST /upload`: who sends, checked before the file is read; the file
//! received, sniffed, checked as the return of the month it names, and filed
//! in that month's folder — or refused with the reason, and nothing stored.
//!
//! Answered at once, without reading the rest of the body: a missing or wrong
//! code, the office's code, a unit over its bounds, a disk below the floor.
//! Every attempt is one line of the upload log; a stored file is answered only
//! once its line is written.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::{Multipart, State as Shared};
use axum::http::header::{CONTENT_LENGTH, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode};

use super::answer::{Answer, Frame};
use super::extract::{Client, Collecting, Https, Who, denied};
use super::{Stopped, checking};
use crate::serve::State;
use crate::serve::auth::{Denied, Principal};
use crate::serve::desk::Desk;
use crate::serve::log::{ALREADY, Line, Record, STORED};
use crate::serve::pages::{self, CheckView, Filed as FiledNote};
use crate::serve::store::{self, Filed, Filing, Incoming, Ledger, Refusal, Store};

/// The longest code field read.
const CODE_FIELD: usize = 256;
/// How long a sender not yet known may take to send each part before the file.
const CODE_WAIT: Duration = Duration::from_secs(20);

/// The body an upload may have: the file's bound and room for the form around it.
pub fn body_limit(state: &State) -> usize {
    usize::try_from(state.limits.max_file_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024)
}

/// What the log says of one upload attempt (or one return filled on the form).
pub(super) struct Attempt {
    pub(super) client: std::net::IpAddr,
    pub(super) unit: String,
    pub(super) client_name: String,
    pub(super) size: u64,
    pub(super) sha256: String,
    /// Filled on the form: its `client_name` is [`crate::serve::log::FILLED_ONLINE`].
    pub(super) online: bool,
}

impl Attempt {
    fn line(&self, state: &State, period: &str, file: &str, result: &str, problems: usize) -> Line {
        Line {
            time: state
                .calendar
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            period: period.to_string(),
            unit: self.unit.clone(),
            client: self.client.to_string(),
            file: file.to_string(),
            client_name: self.client_name.clone(),
            size: self.size,
            sha256: self.sha256.clone(),
            result: result.to_string(),
            problems,
            recovered: false,
            online: self.online,
        }
    }
}

/// Appends a line that records no stored file: a failure is said in the server's own log.
fn log(state: &State, line: &Line) {
    if let Err(e) = state.log.append(line) {
        tracing::error!(
            "无法写入上报日志 {}：{}",
            state.log.path().display(),
            crate::os::describe(&e)
        );
    }
}

/// An attempt that stored nothing: logged, listed on the board, and answered
/// with the reason and its status.
pub(super) fn refused(
    state: &State,
    desk: &Desk,
    attempt: &Attempt,
    refusal: &Refusal,
    who: Option<Principal>,
) -> Answer {
    let (status, title) = match refusal {
        Refusal::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "文件过大"),
        Refusal::NotSpreadsheet(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "不是电子表格"),
        Refusal::Unreadable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "无法读取报表"),
        Refusal::OtherUnit { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "填报单位不符"),
        Refusal::OtherMonth { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "不是本期的报表"),
        Refusal::TooManyUploads(_) | Refusal::TooManyBytes(_) => {
            (StatusCode::TOO_MANY_REQUESTS, "本期上传已达上限")
        }
        Refusal::Interrupted => (StatusCode::BAD_REQUEST, "上传未完成"),
        Refusal::NoSpace => (StatusCode::INSUFFICIENT_STORAGE, "服务器磁盘已满"),
        Refusal::Disk(_) => (StatusCode::SERVICE_UNAVAILABLE, "服务器暂时无法保存"),
    };
    let text = refusal.to_string();
    if refusal.is_servers() {
        tracing::error!("未能保存 {} 的上传：{text}", attempt.unit);
    }
    let line = attempt.line(state, &desk.month().to_string(), "", &text, 0);
    log(state, &line);
    desk.refusals.add(&line);
    let answer = Answer::message(
        &Frame::new(state, desk.month(), who),
        status,
        &format!("未保存：{title}"),
        &format!("{text}（本次上传未保存）"),
    );
    match refusal {
        Refusal::Disk(_) => answer.with(RETRY_AFTER, "60"),
        _ => answer,
    }
}

/// A code refused in the form: logged as a wrong code, listed on the board.
fn wrong_code(state: &State, desk: &Desk, attempt: &Attempt, why: Denied) -> Answer {
    let result = match why {
        Denied::Wrong => "上报码不正确",
        Denied::Slowed(_) => "上报码错误次数过多，被要求稍后再试",
        Denied::Busy => "核对上报码的请求过多，被要求稍后再试",
    };
    let line = attempt.line(state, &desk.month().to_string(), "", result, 0);
    log(state, &line);
    desk.refusals.add(&line);
    denied(state, why)
}

pub async fn upload(
    Shared(state): Shared<Arc<State>>,
    Collecting(desk): Collecting,
    Client(client): Client,
    Https(https): Https,
    Who(signed): Who,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Answer {
    let mut attempt = Attempt {
        client,
        unit: String::new(),
        client_name: String::new(),
        size: 0,
        sha256: String::new(),
        online: false,
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(size) = declared.filter(|n| *n > body_limit(&state) as u64) {
        attempt.size = size;
        let refusal = store::too_large(state.limits.max_file_bytes);
        return refused(&state, &desk, &attempt, &refusal, signed).closing();
    }
    if let Some(free) = desk.store.free_bytes()
        && free < state.bounds.min_free_bytes
    {
        tracing::error!(
            "报表文件夹 {} 所在磁盘只剩 {} MB，低于下限 {} MB：上传暂停，请清理磁盘",
            desk.dir().display(),
            free / (1024 * 1024),
            state.bounds.min_free_bytes / (1024 * 1024)
        );
        return refused(&state, &desk, &attempt, &Refusal::NoSpace, signed).closing();
    }
    if let Some(Principal::Unit(unit)) = signed
        && let Err(answer) = within_bounds(&state, &desk, &mut attempt, unit, signed)
    {
        return answer;
    }
    let Ok(multipart) = multipart else {
        return Answer::message(
            &Frame::new(&state, desk.month(), signed),
            StatusCode::BAD_REQUEST,
            "上传格式不对",
            "请在上报页选择文件后点“上传并检查”。",
        );
    };
    let form = match receive_form(&state, &desk, multipart, signed, &mut attempt).await {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    let Some((unit, received)) = form.file else {
        return Answer::message(
            &Frame::new(&state, desk.month(), form.principal),
            StatusCode::BAD_REQUEST,
            "没有选择文件",
            "请选择要上报的报表文件后再点“上传并检查”。",
        );
    };
    let answer = match file_upload(&state, &desk, unit, received, &attempt).await {
        Ok(answer) => answer,
        Err(Ok(refusal)) => return refused(&state, &desk, &attempt, &refusal, form.principal),
        Err(Err(stopped)) => {
            return stopped.answer(&Frame::new(&state, desk.month(), form.principal));
        }
    };
    // A code typed into the form signs the unit in, so the annotated copy and
    // its earlier uploads are a click away.
    match form.principal {
        Some(signed) if form.typed_code => {
            let token = state.auth.open_session(signed);
            answer.cookie(&crate::serve::auth::session_cookie(&token, https))
        }
        _ => answer,
    }
}

/// A unit that stored as many uploads this period as it may is answered at
/// once, before its file is read.
pub(super) fn within_bounds(
    state: &State,
    desk: &Desk,
    attempt: &mut Attempt,
    unit: usize,
    who: Option<Principal>,
) -> Result<(), Answer> {
    let (count, _) = desk.uploads.used_by(unit);
    if count >= state.bounds.unit_uploads {
        attempt.unit = state.roster.units[unit].name.clone();
        let refusal = Refusal::TooManyUploads(state.bounds.unit_uploads);
        return Err(refused(state, desk, attempt, &refusal, who).closing());
    }
    Ok(())
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
/// sender's unit, anything else is read past once the sender is known (before,
/// the code is missing). Fills `attempt` for the log.
///
/// # Errors
/// The answer to send at once, the rest unread: a wrong code, the admin code
/// or no code before the file, a unit over its bounds, a file too large, a
/// broken stream, a sender not yet known who takes too long.
async fn receive_form(
    state: &State,
    desk: &Desk,
    mut multipart: Multipart,
    mut principal: Option<Principal>,
    attempt: &mut Attempt,
) -> Result<UploadForm, Answer> {
    let limit = state.limits.max_file_bytes;
    let mut file = None;
    let mut typed_code = false;
    let too_slow = |principal| {
        Answer::message(
            &Frame::new(state, desk.month(), principal),
            StatusCode::REQUEST_TIMEOUT,
            "上传超时",
            "上报码迟迟没有送到，连接已断开：请重新打开上报页再试。",
        )
        .closing()
    };
    loop {
        let next = if principal.is_none() {
            tokio::time::timeout(CODE_WAIT, multipart.next_field())
                .await
                .map_err(|_| too_slow(principal))?
        } else {
            multipart.next_field().await
        };
        let mut field = match next {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(refused(
                    state,
                    desk,
                    attempt,
                    &store::too_large(limit),
                    principal,
                ));
            }
            Err(_) => {
                return Err(refused(
                    state,
                    desk,
                    attempt,
                    &Refusal::Interrupted,
                    principal,
                ));
            }
        };
        match field.name() {
            Some("code") => {
                let code = tokio::time::timeout(CODE_WAIT, read_code(field))
                    .await
                    .map_err(|_| too_slow(principal))?;
                if principal.is_none() {
                    match state.auth.check_code(&code, attempt.client).await {
                        Ok(p) => {
                            principal = Some(p);
                            typed_code = true;
                            if let Principal::Unit(unit) = p {
                                within_bounds(state, desk, attempt, unit, principal)?;
                            }
                        }
                        Err(why) => return Err(wrong_code(state, desk, attempt, why).closing()),
                    }
                }
            }
            Some("file") if file.is_none() => {
                let unit = match principal {
                    Some(Principal::Unit(u)) => u,
                    Some(Principal::Admin) => {
                        return Err(Answer::message(
                            &Frame::new(state, desk.month(), principal),
                            StatusCode::FORBIDDEN,
                            "管理员码不能上报",
                            "管理员码只用于查看汇总；请用各单位的上报码上报该单位的报表。",
                        )
                        .closing());
                    }
                    None => return Err(wrong_code(state, desk, attempt, Denied::Wrong).closing()),
                };
                attempt.unit = state.roster.units[unit].name.clone();
                attempt.client_name = field
                    .file_name()
                    .map(|n| n.chars().take(200).collect())
                    .unwrap_or_default();
                match desk.store.receive(&mut field, limit).await {
                    Ok(received) => {
                        attempt.size = received.size;
                        attempt.sha256 = received.sha256.clone();
                        file = Some((unit, received));
                    }
                    Err(refusal) => return Err(refused(state, desk, attempt, &refusal, principal)),
                }
            }
            // Anything but a code from a sender not yet known: its code is missing.
            _ if principal.is_none() => {
                return Err(wrong_code(state, desk, attempt, Denied::Wrong).closing());
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

async fn read_code(mut field: Field<'_>) -> String {
    let mut code = Vec::new();
    while let Ok(Some(chunk)) = field.chunk().await {
        if code.len() + chunk.len() > CODE_FIELD {
            return String::new();
        }
        code.extend_from_slice(&chunk);
    }
    String::from_utf8(code).unwrap_or_default()
}

/// Sniffs, checks and files a received upload of `unit`, in the folder of the
/// month it names, and gives the check page. Reads and checks off the async
/// threads, one per core.
///
/// # Errors
/// `Ok(refusal)` when nothing was stored, `Err` when the check did not run.
pub(super) async fn file_upload(
    state: &Arc<State>,
    desk: &Arc<Desk>,
    unit: usize,
    received: Incoming,
    attempt: &Attempt,
) -> Result<Answer, Result<Refusal, Stopped>> {
    let now = state.calendar.now();
    let collecting = Arc::clone(desk);
    let line = attempt.line(state, "", "", STORED, 0);
    let client_name = attempt.client_name.clone();
    let done = checking(state, move |worker| {
        let reader = worker.reader();
        let sniffed = Store::sniff(reader, received)?;
        let examined = collecting.store.examine(reader, unit, sniffed, now)?;
        let named = store::month_named(&examined.inspection, &client_name);
        let (target, examined, late) = match store::filing(named, collecting.month()) {
            Filing::Collected => (collecting, examined, false),
            Filing::Late(previous) => {
                let target = worker.desk(previous).map_err(Refusal::Disk)?;
                let again = target
                    .store
                    .examine(reader, unit, examined.into_sniffed(), now)?;
                (target, again, true)
            }
            Filing::Other => {
                let month = collecting.month();
                return Err(Refusal::OtherMonth {
                    found: named.map(store::named_text).unwrap_or_default(),
                    collecting: month.chinese(),
                    previous: month.previous().chinese(),
                });
            }
        };
        let problems = examined.inspection.problems.len();
        let record = |file: &str| Record {
            id: store::file_id(file),
            unit,
            file: file.to_string(),
            client_name: line.client_name.clone(),
            time: now,
            size: examined.size(),
            sha256: examined.sha256().to_string(),
            problems,
            recovered: false,
            online: line.online,
        };
        let filed =
            target
                .store
                .file(unit, &examined, &target.uploads, &worker.bounds, |file| {
                    let mut stored = line.clone();
                    stored.period = target.month().to_string();
                    stored.file = file.to_string();
                    stored.problems = problems;
                    worker.log.append(&stored)?;
                    target.uploads.add(record(file));
                    Ok(())
                })?;
        let (shown, fresh) = match filed {
            Filed::Stored(name) => (record(&name), true),
            Filed::Already(file) => {
                let earlier = target
                    .uploads
                    .by_file(&file)
                    .unwrap_or_else(|| record(&file));
                let mut again = line.clone();
                again.period = target.month().to_string();
                again.result = ALREADY.to_string();
                log(worker, &again);
                (earlier, false)
            }
        };
        let not_counted = target
            .store
            .superseded_by(reader, unit, &shown.file)
            .map(|why| {
                let by = why.by().map(|by| target.shown_name(by)).unwrap_or_default();
                why.said(&by)
            });
        let mut view = CheckView::new(&examined.inspection, reader, &shown, not_counted);
        view.file = shown.file.clone();
        let note = match (fresh, late) {
            (false, _) => FiledNote::Already,
            (true, true) => FiledNote::Late(target.month().chinese()),
            (true, false) => FiledNote::Stored,
        };
        Ok((view, note, target.month()))
    })
    .await
    .map_err(Err)?
    .map_err(Ok)?;
    let (view, note, month) = done;
    let who = Some(Principal::Unit(unit));
    Ok(Answer::page(
        &Frame::new(state, month, who),
        StatusCode::OK,
        "检查结果",
        pages::check(&view, Some(&note)),
    ))
}
