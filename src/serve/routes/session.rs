//! The upload page, signing in and out, the stylesheet, and "no such page".

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State as Shared};
use axum::http::HeaderMap;
use axum::http::StatusCode;

use super::answer::{Answer, Frame};
use super::checking;
use super::extract::{Client, Collecting, Https, Who, denied};
use crate::serve::auth::{self, Denied, Principal};
use crate::serve::desk::Desk;
use crate::serve::pages::{self, UnitUploads, UploadLine};
use crate::serve::{State, calendar};

pub async fn style() -> Answer {
    Answer::content(pages::stylesheet(), "text/css; charset=utf-8")
}

pub async fn not_found(Shared(state): Shared<Arc<State>>) -> Answer {
    Answer::message(
        &Frame::new(&state, state.collecting(), None),
        StatusCode::NOT_FOUND,
        "找不到页面",
        "没有这个页面。",
    )
}

/// `/`: the upload form; for a signed-in unit, its uploads of this period (and
/// of the period before, when it sent any), each with the name its computer
/// gave the file, which one counts and why the others do not.
pub async fn home(
    Shared(state): Shared<Arc<State>>,
    Collecting(desk): Collecting,
    Who(who): Who,
) -> Answer {
    let frame = Frame::new(&state, desk.month(), who);
    let mut lists = Vec::new();
    if let Some(Principal::Unit(unit)) = who {
        let previous = state.earlier_desk(desk.month().previous());
        let desks: Vec<Arc<Desk>> = std::iter::once(Arc::clone(&desk)).chain(previous).collect();
        let found = checking(&state, move |worker| {
            desks
                .iter()
                .filter_map(|desk| unit_uploads(worker, desk, unit))
                .collect::<Vec<_>>()
        })
        .await;
        match found {
            Ok(found) => lists = found,
            Err(stopped) => return stopped.answer(&frame),
        }
    }
    let due = crate::period::returns_due(desk.plan.period.as_of, desk.plan.due_day);
    let body = pages::upload_form(
        &frame.viewer(),
        &desk.month().chinese(),
        due,
        &lists,
        state.limits.max_file_bytes / (1024 * 1024),
    );
    Answer::page(&frame, StatusCode::OK, "上报", body)
}

/// A unit's uploads to one desk, latest first, with which counts and why the
/// others do not; `None` when it sent none there. Blocking: reads the unit's files.
fn unit_uploads(state: &State, desk: &Desk, unit: usize) -> Option<UnitUploads> {
    let mine = desk.uploads.of_unit(unit);
    if mine.is_empty() && desk.month() != state.collecting() {
        return None;
    }
    let standing = desk.store.standing(state.reader(), unit);
    let lines = mine
        .into_iter()
        .map(|record| {
            let why = standing
                .iter()
                .find(|(name, _)| *name == record.file)
                .map(|(_, why)| {
                    why.as_ref().map(|why| {
                        why.said(&why.by().map(|by| desk.shown_name(by)).unwrap_or_default())
                    })
                });
            UploadLine {
                time: calendar::local_time(record.time),
                client_name: record.client_name.clone(),
                file: record.file.clone(),
                id: record.id.clone(),
                problems: record.problems,
                counts: matches!(why, Some(None)),
                why: why.flatten(),
                recovered: record.recovered,
                online: record.online,
            }
        })
        .collect();
    Some(UnitUploads {
        period: desk.month().chinese(),
        collecting: desk.month() == state.collecting(),
        lines,
    })
}

/// Where a unit may be sent on after signing in, besides the upload page.
const NEXT_PAGES: [&str; 1] = ["/fill"];

#[derive(serde::Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `/login`, or `/login?next=/fill` to go on to the form once signed in.
pub async fn login_page(Shared(state): Shared<Arc<State>>, Query(next): Query<Next>) -> Answer {
    let next = next.next.filter(|n| NEXT_PAGES.contains(&n.as_str()));
    let message = next
        .is_some()
        .then_some("在网页上填报，请先用本单位的上报码登录。");
    Answer::page(
        &Frame::new(&state, state.collecting(), None),
        StatusCode::OK,
        "登录",
        pages::login_form_to(message, next.as_deref()),
    )
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    code: String,
    /// A page of [`NEXT_PAGES`] to go on to; anything else is ignored.
    #[serde(default)]
    next: String,
}

pub async fn login(
    Shared(state): Shared<Arc<State>>,
    Client(client): Client,
    Https(https): Https,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Answer {
    let (code, next) = form.map(|Form(f)| (f.code, f.next)).unwrap_or_default();
    let principal = match state.auth.check_code(&code, client).await {
        Ok(p) => p,
        Err(Denied::Wrong) => {
            return Answer::page(
                &Frame::new(&state, state.collecting(), None),
                StatusCode::UNAUTHORIZED,
                "登录",
                pages::login_form_to(
                    Some("上报码不正确：请核对后重试。"),
                    NEXT_PAGES.iter().find(|p| **p == next).copied(),
                ),
            );
        }
        Err(d) => return denied(&state, d),
    };
    let token = state.auth.open_session(principal);
    let to = match principal {
        Principal::Admin => "/status",
        Principal::Unit(_) => NEXT_PAGES
            .iter()
            .find(|p| **p == next)
            .copied()
            .unwrap_or("/"),
    };
    Answer::see_other(to).cookie(&auth::session_cookie(&token, https))
}

pub async fn logout(Shared(state): Shared<Arc<State>>, headers: HeaderMap) -> Answer {
    state.auth.close_session(&headers);
    Answer::see_other("/").cookie(&auth::expired_cookie())
}
