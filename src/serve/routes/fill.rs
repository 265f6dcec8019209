//! `GET /fill` and `POST /fill`: a signed-in unit fills its return on a page,
//! pre-filled, and files it; or keeps a draft.
//!
//! The form starts from, in order: the unit's draft, when saved after its last
//! stored return of the period; its counted return of the period; its counted
//! return of the period before; nothing. "Counted" is the consolidation's word
//! ([`crate::serve::board`], the one `run` makes), so a return the office put
//! in the folder by hand or an online-form export counts as it would in the
//! workbook. A filed return is written by [`fill::workbook`] and goes through
//! [`super::upload::file_upload`], the very path of an uploaded file.
//!
//! Answered at once, without reading the body: no unit signed in, a body
//! declared larger than a whole return can be, a unit over its bounds, a disk
//! below the floor.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State as Shared};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, StatusCode};

use super::answer::{Answer, Frame};
use super::checking;
use super::extract::{Client, Collecting, Who};
use super::upload::{Attempt, file_upload, refused, within_bounds};
use crate::period::{Month, chinese_date};
use crate::roster::Role;
use crate::serve::State;
use crate::serve::auth::Principal;
use crate::serve::board::Snapshot;
use crate::serve::calendar::local_time;
use crate::serve::desk::Desk;
use crate::serve::fill::{self, Draft, Errors, Intent, Posted, Prefill, Rules, Values};
use crate::serve::log::FILLED_ONLINE;
use crate::serve::pages::{self, FillTask, FillView};
use crate::serve::store::{self, Refusal};
use crate::template::Options;

/// The body `/fill` may have: a whole return of the longest texts ([`fill::body_limit`]).
pub fn body_limit(state: &State) -> usize {
    fill::body_limit(state.catalogue.tasks.len())
}

/// The unit signed in; else the answer: sign in first (401, the sign-in form
/// going on to this page), or the office's code fills no return (403).
fn unit_of(state: &State, month: Month, who: Option<Principal>) -> Result<usize, Answer> {
    let frame = Frame::new(state, month, who);
    match who {
        Some(Principal::Unit(unit)) => Ok(unit),
        Some(Principal::Admin) => Err(Answer::message(
            &frame,
            StatusCode::FORBIDDEN,
            "管理员码不能填报",
            "管理员码只用于查看汇总；请用各单位的上报码登录后填报该单位的报表。",
        )),
        None => Err(Answer::page(
            &frame,
            StatusCode::UNAUTHORIZED,
            "请登录",
            pages::login_form_to(
                Some("在网页上填报，请先用本单位的上报码登录。"),
                Some("/fill"),
            ),
        )),
    }
}

#[derive(serde::Deserialize)]
pub struct Asked {
    /// `1` after a draft was saved.
    saved: Option<String>,
}

pub async fn show(
    Shared(state): Shared<Arc<State>>,
    Collecting(desk): Collecting,
    Who(who): Who,
    Query(asked): Query<Asked>,
) -> Answer {
    let unit = match unit_of(&state, desk.month(), who) {
        Ok(unit) => unit,
        Err(answer) => return answer,
    };
    let expected = expected(&state, unit);
    let start = match starting_values(&state, &desk, unit, &expected).await {
        Ok(start) => start,
        Err(answer) => return answer,
    };
    let notice = (start.draft && asked.saved.as_deref() == Some("1")).then(|| {
        "草稿已保存。草稿不计入汇总，省教育厅也看不到；全部填好后请点“提交并检查”。".to_string()
    });
    let view = view(
        &state,
        &desk,
        unit,
        &expected,
        start.prefill,
        Errors::default(),
        start.said,
        notice,
        start.draft,
    );
    Answer::page(
        &Frame::new(&state, desk.month(), who),
        StatusCode::OK,
        "在网页上填报",
        pages::fill_form(&view),
    )
}

/// The unit's expected tasks with its role in each.
fn expected(state: &State, unit: usize) -> Vec<(u32, Role)> {
    state
        .roster
        .expectations(&state.catalogue)
        .into_iter()
        .nth(unit)
        .unwrap_or_default()
}

/// What the form starts from, and what the page says of it.
struct Start {
    prefill: Prefill,
    said: String,
    /// Whether it is the unit's draft.
    draft: bool,
}

/// The unit's draft, when saved after its last stored return of the period;
/// else its counted return of the period; else of the period before; else nothing.
async fn starting_values(
    state: &Arc<State>,
    desk: &Arc<Desk>,
    unit: usize,
    expected: &[(u32, Role)],
) -> Result<Start, Answer> {
    let frame = Frame::new(state, desk.month(), Some(Principal::Unit(unit)));
    let path = draft_path(state, desk, unit);
    let draft = checking(state, move |_| fill::load_draft(&path))
        .await
        .map_err(|stopped| stopped.answer(&frame))?;
    let last_stored = desk.uploads.of_unit(unit).first().map(|r| r.time);
    if let Some(draft) = draft.filter(|d| last_stored.is_none_or(|t| d.saved > t)) {
        let mut values = Values::blank(expected);
        // Only the tasks the unit is expected on now: the roster may have changed.
        for (task, kept) in draft.values.tasks {
            if let Some(slot) = values.tasks.get_mut(&task) {
                *slot = kept;
            }
        }
        values.reporter = draft.values.reporter;
        values.phone = draft.values.phone;
        return Ok(Start {
            prefill: Prefill {
                values,
                hints: Default::default(),
            },
            said: format!(
                "以下是您 {} 保存的草稿，尚未报送。",
                local_time(draft.saved)
            ),
            draft: true,
        });
    }
    let snapshot = |desk: Arc<Desk>| async move {
        desk.board
            .snapshot(state, &desk.plan, desk.uploads.all())
            .await
            .map(|s| (desk, s))
    };
    let unavailable = |e: String| {
        Answer::message(
            &frame,
            StatusCode::INTERNAL_SERVER_ERROR,
            "无法读取已报送的报表",
            &format!("{e}：请稍后再试，或改为上传 Excel 文件。"),
        )
    };
    let (this, shown) = snapshot(Arc::clone(desk)).await.map_err(unavailable)?;
    if let Some((prefill, from)) = counted_return(&this, &shown, unit, expected) {
        return Ok(Start {
            prefill,
            said: format!(
                "以下内容取自本单位本期已计入汇总的报表——{from}。修改后提交，汇总时以新提交的为准。"
            ),
            draft: false,
        });
    }
    let previous = desk.month().previous();
    if let Some(earlier) = state.earlier_desk(previous) {
        let (earlier, shown) = snapshot(earlier).await.map_err(unavailable)?;
        if let Some((prefill, from)) = counted_return(&earlier, &shown, unit, expected) {
            return Ok(Start {
                prefill,
                said: format!(
                    "以下内容取自本单位上一期（{}）计入汇总的报表——{from}：请按本期情况逐项核对、修改后提交。",
                    previous.chinese()
                ),
                draft: false,
            });
        }
    }
    Ok(Start {
        prefill: Prefill {
            values: Values::blank(expected),
            hints: Default::default(),
        },
        said: "本期和上一期都还没有本单位的报表，请逐项填写。".to_string(),
        draft: false,
    })
}

/// The unit's counted return in a desk's consolidation as the form's values,
/// and the return's name and 填报日期 as the unit knows them; `None` when no
/// return of the unit counts there.
fn counted_return(
    desk: &Desk,
    shown: &Snapshot,
    unit: usize,
    expected: &[(u32, Role)],
) -> Option<(Prefill, String)> {
    let result = &shown.done.result;
    let meta = result.meta.get(unit)?.as_ref()?;
    let mine: Vec<_> = result
        .entries
        .iter()
        .filter(|e| e.unit == crate::check::UnitRef::Known(unit) && e.role.is_some())
        .collect();
    let file = mine
        .iter()
        .find_map(|e| e.source.as_ref())
        .map(|s| desk.shown_name(&s.file))
        .unwrap_or_default();
    let filed = meta.fill_date.map_or_else(
        || "未填填报日期".to_string(),
        |d| format!("填报日期 {}", chinese_date(d)),
    );
    let prefill = fill::from_return(
        mine.iter().filter_map(|e| e.row.as_ref()),
        Some(meta),
        expected,
    );
    Some((prefill, format!("{file}，{filed}")))
}

fn draft_path(state: &State, desk: &Desk, unit: usize) -> std::path::PathBuf {
    fill::draft_path(
        desk.dir(),
        &store::safe_name(&state.roster.units[unit].name),
    )
}

/// The page of the form.
#[allow(clippy::too_many_arguments)]
fn view(
    state: &State,
    desk: &Desk,
    unit: usize,
    expected: &[(u32, Role)],
    prefill: Prefill,
    errors: Errors,
    source: String,
    notice: Option<String>,
    draft: bool,
) -> FillView {
    let Prefill { values, hints } = prefill;
    let tasks = expected
        .iter()
        .filter_map(|(number, role)| {
            let task = state.catalogue.get(*number)?;
            Some(FillTask {
                number: *number,
                text: task.text.clone(),
                deadline: task.deadline_text.clone(),
                role: role.label(),
                values: values.tasks.get(number).cloned().unwrap_or_default(),
            })
        })
        .collect();
    FillView {
        unit: state.roster.units[unit].name.clone(),
        period: desk.month(),
        today: state.calendar.today(),
        source,
        notice,
        draft,
        tasks,
        reporter: values.reporter,
        phone: values.phone,
        errors,
        hints,
    }
}

pub async fn submit(
    Shared(state): Shared<Arc<State>>,
    Collecting(desk): Collecting,
    Client(client): Client,
    Who(who): Who,
    headers: HeaderMap,
    body: Body,
) -> Answer {
    let unit = match unit_of(&state, desk.month(), who) {
        Ok(unit) => unit,
        Err(answer) => return answer.closing(),
    };
    let frame = Frame::new(&state, desk.month(), who);
    let limit = body_limit(&state);
    let mut attempt = Attempt {
        client,
        unit: state.roster.units[unit].name.clone(),
        client_name: FILLED_ONLINE.to_string(),
        size: 0,
        sha256: String::new(),
        online: true,
    };
    let too_large = || {
        Answer::message(
            &frame,
            StatusCode::PAYLOAD_TOO_LARGE,
            "提交的内容过多",
            &format!(
                "提交的内容超过一份报表的上限（{} MB）：每栏最多 {} 字，请精简后再提交。",
                limit / (1024 * 1024),
                fill::TEXT_LIMIT
            ),
        )
        .closing()
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large();
    }
    if let Some(free) = desk.store.free_bytes()
        && free < state.bounds.min_free_bytes
    {
        tracing::error!(
            "报表文件夹 {} 所在磁盘只剩 {} MB，低于下限 {} MB：网页填报暂停，请清理磁盘",
            desk.dir().display(),
            free / (1024 * 1024),
            state.bounds.min_free_bytes / (1024 * 1024)
        );
        return refused(&state, &desk, &attempt, &Refusal::NoSpace, who).closing();
    }
    if let Err(answer) = within_bounds(&state, &desk, &mut attempt, unit, who) {
        return answer;
    }
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return too_large();
    };
    let expected = expected(&state, unit);
    let Ok(posted) = fill::read_form(&bytes, &expected, state.catalogue.tasks.len()) else {
        return Answer::message(
            &frame,
            StatusCode::BAD_REQUEST,
            "表单格式不对",
            "提交的表单不是本网站的填报表：请重新打开填报页填写。",
        );
    };
    drop(bytes);
    match posted.intent {
        Intent::Discard => {
            let path = draft_path(&state, &desk, unit);
            let removed = checking(&state, move |_| match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            })
            .await;
            match removed {
                Ok(Ok(())) => Answer::see_other("/fill"),
                Ok(Err(e)) => Answer::message(
                    &frame,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "无法删除草稿",
                    &format!(
                        "服务器暂时无法删除草稿（{}）：请稍后再试。",
                        crate::os::describe(&e)
                    ),
                ),
                Err(stopped) => stopped.answer(&frame),
            }
        }
        Intent::Draft => save_draft(&state, &desk, unit, posted).await,
        Intent::Submit => file_return(&state, &desk, unit, &expected, posted, attempt).await,
    }
}

/// Keeps the values as the unit's draft, then shows the form again (from the draft).
async fn save_draft(state: &Arc<State>, desk: &Arc<Desk>, unit: usize, posted: Posted) -> Answer {
    let frame = Frame::new(state, desk.month(), Some(Principal::Unit(unit)));
    let path = draft_path(state, desk, unit);
    let draft = Draft {
        saved: state.calendar.now(),
        values: posted.values,
    };
    match checking(state, move |_| fill::save_draft(&path, &draft)).await {
        Ok(Ok(())) => Answer::see_other("/fill?saved=1"),
        Ok(Err(e)) => {
            let refusal = Refusal::disk(&e);
            tracing::error!("未能保存网页填报的草稿：{refusal}");
            Answer::message(
                &frame,
                StatusCode::SERVICE_UNAVAILABLE,
                "草稿未保存",
                &format!(
                    "{refusal}（草稿未保存：请先不要关闭本页，稍后点浏览器的“后退”再保存一次）"
                ),
            )
        }
        Err(stopped) => stopped.answer(&frame),
    }
}

/// Checks the values; answers the form again with every error by its field,
/// or writes the return and files it as an upload is filed.
async fn file_return(
    state: &Arc<State>,
    collecting: &Arc<Desk>,
    unit: usize,
    expected: &[(u32, Role)],
    posted: Posted,
    mut attempt: Attempt,
) -> Answer {
    let who = Some(Principal::Unit(unit));
    let frame = Frame::new(state, collecting.month(), who);
    // A page opened before the month moved on files the return it was for,
    // late; one older than that is stale.
    let month = match posted.period.as_deref().and_then(Month::parse) {
        None => collecting.month(),
        Some(m) if m == collecting.month() || m == collecting.month().previous() => m,
        Some(m) => {
            return Answer::message(
                &frame,
                StatusCode::CONFLICT,
                "填报页已过期",
                &format!(
                    "这张填报页是{}的，现在收集的是{}的报表：请重新打开填报页填写（内容没有保存）。",
                    m.chinese(),
                    collecting.month().chinese()
                ),
            );
        }
    };
    let target = match state.desk(month) {
        Ok(desk) => desk,
        Err(e) => {
            return Answer::message(&frame, StatusCode::INTERNAL_SERVER_ERROR, "无法保存", &e);
        }
    };
    let today = state.calendar.today();
    let rules = Rules {
        today,
        as_of: target.plan.period.as_of,
    };
    let errors = fill::check(&posted, expected, &state.catalogue, rules);
    if !errors.is_empty() {
        let said = format!(
            "有 {} 处需要修改，已在下面标出；您填写的内容都保留着，改好后再点“提交并检查”。",
            errors.count()
        );
        let prefill = Prefill {
            values: posted.values,
            hints: Default::default(),
        };
        let view = view(
            state, &target, unit, expected, prefill, errors, said, None, false,
        );
        return Answer::page(
            &Frame::new(state, month, who),
            StatusCode::UNPROCESSABLE_ENTITY,
            "在网页上填报",
            pages::fill_form(&view),
        );
    }
    let options = Options {
        period: Some(month),
        office: state.planner.office.clone(),
        due_day: state.planner.due_day,
        // Whom to ask, in 填表说明, as `template` names the office's contact.
        contact: state.planner.contact.clone(),
    };
    let name = state.roster.units[unit].name.clone();
    let tasks = expected.to_vec();
    let values = posted.values;
    let store_desk = Arc::clone(&target);
    let staged = checking(state, move |worker| {
        let bytes = fill::workbook(&worker.catalogue, &name, &tasks, &values, today, &options)
            .map_err(|e| Refusal::Disk(format!("无法生成报表文件：{e}")))?;
        store_desk.store.stage(&bytes, "xlsx")
    })
    .await;
    let incoming = match staged {
        Ok(Ok(incoming)) => incoming,
        Ok(Err(refusal)) => return refused(state, collecting, &attempt, &refusal, who),
        Err(stopped) => return stopped.answer(&frame),
    };
    attempt.size = incoming.size;
    attempt.sha256 = incoming.sha256.clone();
    match file_upload(state, collecting, unit, incoming, &attempt).await {
        Ok(answer) => {
            // Filed: the return now speaks for the unit, the draft would only mislead.
            let _ = tokio::fs::remove_file(draft_path(state, collecting, unit)).await;
            answer
        }
        Err(Ok(refusal)) => refused(state, collecting, &attempt, &refusal, who),
        Err(Err(stopped)) => stopped.answer(&frame),
    }
}
