//! The office's pages: the board of a period (the one collected, or an earlier
//! one: `?period=2018-06`), as a page and as JSON, and its downloads — the
//! workbook `run` writes for the folder, 催报名单, the month's papers in one
//! zip, and the reminders as one text.

use std::sync::Arc;

use axum::extract::{Query, State as Shared};
use axum::http::StatusCode;

use super::XLSX;
use super::answer::{Answer, Frame};
use super::extract::{Office, Reached};
use crate::period::Month;
use crate::serve::auth::Principal;
use crate::serve::board::Snapshot;
use crate::serve::desk::Desk;
use crate::serve::{State, pages};

#[derive(serde::Deserialize)]
pub struct Shown {
    period: Option<String>,
}

/// The desk of the period asked for (the one collected when none is), and its
/// consolidation.
///
/// # Errors
/// The answer to send: no such period folder, or 无法汇总 with the reason.
async fn shown(state: &Arc<State>, shown: &Shown) -> Result<(Arc<Desk>, Arc<Snapshot>), Answer> {
    let collecting = state.collecting();
    let frame = |month| Frame::new(state, month, Some(Principal::Admin));
    let desk = match shown.period.as_deref() {
        None | Some("") => state.desk(collecting).ok(),
        Some(text) => Month::parse(text).and_then(|m| state.earlier_desk(m)),
    };
    let Some(desk) = desk else {
        return Err(Answer::message(
            &frame(collecting),
            StatusCode::NOT_FOUND,
            "没有这一期",
            "报表总文件夹中没有这一期的文件夹。",
        ));
    };
    match desk
        .board
        .snapshot(state, &desk.plan, desk.uploads.all())
        .await
    {
        Ok(snapshot) => Ok((desk, snapshot)),
        Err(e) => Err(Answer::message(
            &frame(desk.month()),
            StatusCode::INTERNAL_SERVER_ERROR,
            "无法汇总",
            &e,
        )),
    }
}

pub async fn board(
    Shared(state): Shared<Arc<State>>,
    _: Office,
    Reached(reach): Reached,
    Query(asked): Query<Shown>,
) -> Answer {
    match shown(&state, &asked).await {
        Ok((desk, snapshot)) => Answer::page(
            &Frame::new(&state, desk.month(), Some(Principal::Admin)),
            StatusCode::OK,
            "汇总看板",
            pages::board(&snapshot.status_now(&state, desk.refusals.latest_first(), &reach)),
        ),
        Err(answer) => answer,
    }
}

pub async fn status_json(
    Shared(state): Shared<Arc<State>>,
    _: Office,
    Reached(reach): Reached,
    Query(asked): Query<Shown>,
) -> Answer {
    match shown(&state, &asked).await {
        Ok((desk, snapshot)) => Answer::json(
            StatusCode::OK,
            &snapshot.status_now(&state, desk.refusals.latest_first(), &reach),
        ),
        Err(answer) => {
            let status = answer.status();
            Answer::json(
                status,
                &serde_json::json!({ "error": status.canonical_reason() }),
            )
        }
    }
}

pub async fn workbook(
    Shared(state): Shared<Arc<State>>,
    _: Office,
    Query(asked): Query<Shown>,
) -> Answer {
    let (desk, snapshot) = match shown(&state, &asked).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let (worker, plan) = (Arc::clone(&state), Arc::clone(&desk.plan));
    let bytes = tokio::task::spawn_blocking(move || snapshot.workbook(&worker, &plan))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r);
    let month = desk.month();
    match bytes {
        Ok(bytes) => Answer::file(bytes, XLSX, &crate::report::workbook_name(month)),
        Err(e) => Answer::message(
            &Frame::new(&state, month, Some(Principal::Admin)),
            StatusCode::INTERNAL_SERVER_ERROR,
            "无法生成汇总表",
            &e,
        ),
    }
}

/// 催报名单 as CSV: [`crate::serve::board::chase_csv`] of the period's status.
pub async fn chase_csv(
    Shared(state): Shared<Arc<State>>,
    _: Office,
    Query(asked): Query<Shown>,
) -> Answer {
    match shown(&state, &asked).await {
        Ok((desk, snapshot)) => Answer::file(
            crate::serve::board::chase_csv(&snapshot.status),
            "text/csv; charset=utf-8",
            &format!("催报名单_{}.csv", desk.month()),
        ),
        Err(answer) => answer,
    }
}

/// The month's papers as one zip ([`crate::papers`]): the workbook of
/// `/workbook`, and the 督办单 and CSVs `run` writes with the same settings,
/// the letters dated today (the server's date) unless `letter_date` fixes it.
pub async fn papers(
    Shared(state): Shared<Arc<State>>,
    _: Office,
    Query(asked): Query<Shown>,
) -> Answer {
    let (desk, snapshot) = match shown(&state, &asked).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let month = desk.month();
    let head = state.planner.letterhead(month, state.calendar.today());
    let (worker, plan) = (Arc::clone(&state), Arc::clone(&desk.plan));
    let bytes = tokio::task::spawn_blocking(move || snapshot.papers(&worker, &plan, &head))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r);
    match bytes {
        Ok(bytes) => Answer::file(bytes, "application/zip", &state.planner.papers_name(month)),
        Err(e) => Answer::message(
            &Frame::new(&state, month, Some(Principal::Admin)),
            StatusCode::INTERNAL_SERVER_ERROR,
            "无法生成材料包",
            &e,
        ),
    }
}

/// Every reminder of the period as one text, to paste as it is.
pub async fn reminders_txt(
    Shared(state): Shared<Arc<State>>,
    _: Office,
    Reached(reach): Reached,
    Query(asked): Query<Shown>,
) -> Answer {
    match shown(&state, &asked).await {
        Ok((desk, snapshot)) => Answer::content(
            crate::serve::board::reminders_text(&snapshot.status_now(
                &state,
                desk.refusals.latest_first(),
                &reach,
            )),
            "text/plain; charset=utf-8",
        ),
        Err(answer) => answer,
    }
}
