//! An upload's check page and annotated copy, again: for its unit and the office.

use std::sync::Arc;

use axum::extract::{Path, State as Shared};
use axum::http::StatusCode;

use super::answer::{Answer, Frame};
use super::extract::Who;
use super::{XLSX, checking};
use crate::serve::State;
use crate::serve::auth::Principal;
use crate::serve::desk::Desk;
use crate::serve::log::Record;
use crate::serve::pages::{self, CheckView};

/// The stored upload an id names, in the month collected or the one before
/// (late returns), if the asker may see it.
fn own_record(
    state: &State,
    who: Option<Principal>,
    id: &str,
) -> Result<(Arc<Desk>, Record), Answer> {
    let collecting = state.collecting();
    let frame = Frame::new(state, collecting, who);
    let found = (id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| {
            [Some(collecting), Some(collecting.previous())]
                .into_iter()
                .flatten()
                .filter_map(|m| state.earlier_desk(m))
                .find_map(|desk| desk.uploads.find(id).map(|r| (desk, r)))
        })
        .flatten();
    let Some((desk, record)) = found else {
        return Err(Answer::message(
            &frame,
            StatusCode::NOT_FOUND,
            "找不到该报表",
            "没有这份上传记录。",
        ));
    };
    match who {
        Some(Principal::Admin) => Ok((desk, record)),
        Some(Principal::Unit(u)) if u == record.unit => Ok((desk, record)),
        Some(_) => Err(Answer::message(
            &frame,
            StatusCode::FORBIDDEN,
            "无权查看",
            "单位上报码只能查看本单位的报表。",
        )),
        None => Err(Answer::page(
            &frame,
            StatusCode::UNAUTHORIZED,
            "请登录",
            pages::login_form(Some("请先用本单位的上报码登录。")),
        )),
    }
}

pub async fn show(
    Shared(state): Shared<Arc<State>>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Answer {
    let (desk, record) = match own_record(&state, who, &id) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let frame = Frame::new(&state, desk.month(), who);
    let view = checking(&state, move |worker| {
        let reader = worker.reader();
        let inspection = desk.inspect(reader, &record.file);
        let not_counted = desk
            .store
            .superseded_by(reader, record.unit, &record.file)
            .map(|why| why.said(&why.by().map(|by| desk.shown_name(by)).unwrap_or_default()));
        CheckView::new(&inspection, reader, &record, not_counted)
    })
    .await;
    match view {
        Ok(view) => Answer::page(
            &frame,
            StatusCode::OK,
            "检查结果",
            pages::check(&view, None),
        ),
        Err(stopped) => stopped.answer(&frame),
    }
}

pub async fn annotated(
    Shared(state): Shared<Arc<State>>,
    Who(who): Who,
    Path(id): Path<String>,
) -> Answer {
    let (desk, record) = match own_record(&state, who, &id) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let frame = Frame::new(&state, desk.month(), who);
    let file = record.file.clone();
    let copy = checking(&state, move |worker| {
        let bytes = std::fs::read(desk.dir().join(&file)).ok();
        desk.inspect(worker.reader(), &file)
            .annotated_copy(bytes, worker.limits)
            .map_err(|e| e.to_string())
    })
    .await;
    match copy {
        Ok(Ok(bytes)) => Answer::file(
            bytes,
            XLSX,
            &format!("标注副本_{}.xlsx", stem(&record.file)),
        ),
        Ok(Err(e)) => Answer::message(
            &frame,
            StatusCode::INTERNAL_SERVER_ERROR,
            "无法生成标注副本",
            &format!("生成标注副本时出错（{e}）：请把这条信息发给维护人员。"),
        ),
        Err(stopped) => stopped.answer(&frame),
    }
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}
