//! Who asks, from where, and for which period: axum extractors, so a handler
//! names what it needs in its arguments and the refusal (401, 403, 429) is
//! given before it runs. A refusal is an [`Answer`].

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::header::{HOST, RETRY_AFTER};
use axum::http::request::Parts;

use super::answer::{Answer, Frame};
use crate::serve::auth::{Denied, Principal};
use crate::serve::desk::Desk;
use crate::serve::net::{Reach, reach};
use crate::serve::{State, pages};

/// The client's address: the peer's, as an IPv4 address when it is one, or
/// the trusted proxy's word for it.
pub struct Client(pub IpAddr);

impl FromRequestParts<Arc<State>> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<State>,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(client(parts, state)))
    }
}

fn peer(parts: &Parts) -> SocketAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |c| c.0)
}

fn client(parts: &Parts, state: &State) -> IpAddr {
    crate::serve::auth::client_address(peer(parts), &parts.headers, state.trust_proxy)
}

/// Whether the page goes out over HTTPS (session cookies are then `Secure`).
pub fn over_https(parts_headers: &axum::http::HeaderMap, peer: SocketAddr, state: &State) -> bool {
    crate::serve::auth::over_https(state.secure, peer, parts_headers, state.trust_proxy)
}

/// Whether the request came over HTTPS.
pub struct Https(pub bool);

impl FromRequestParts<Arc<State>> for Https {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<State>,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(over_https(&parts.headers, peer(parts), state)))
    }
}

/// Where counties open the pages, as the settings or this request say
/// ([`crate::serve::net::reach`]): the `Host` the office's browser sent, or a
/// trusted proxy's `X-Forwarded-Host`.
pub struct Reached(pub Reach);

impl FromRequestParts<Arc<State>> for Reached {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<State>,
    ) -> Result<Self, Self::Rejection> {
        let peer = peer(parts);
        let scheme = if over_https(&parts.headers, peer, state) {
            "https"
        } else {
            "http"
        };
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let forwarded = (state.trust_proxy && peer.ip().to_canonical().is_loopback())
            .then(|| header("x-forwarded-host"))
            .flatten()
            .and_then(|hosts| hosts.split(',').next())
            .map(str::trim);
        let asked = forwarded
            .or_else(|| header(HOST.as_str()))
            .or_else(|| parts.uri.authority().map(|a| a.as_str()));
        Ok(Self(reach(
            state.public_url.as_deref(),
            scheme,
            asked,
            state.bound.get().copied(),
        )))
    }
}

/// The period being collected today, looked up on this request: the calendar
/// is read every time, so the server moves on to the next month by itself.
pub struct Collecting(pub Arc<Desk>);

impl FromRequestParts<Arc<State>> for Collecting {
    type Rejection = Answer;

    async fn from_request_parts(
        _parts: &mut Parts,
        state: &Arc<State>,
    ) -> Result<Self, Self::Rejection> {
        let month = state.collecting();
        state.desk(month).map(Self).map_err(|e| {
            Answer::message(
                &Frame::new(state, month, None),
                StatusCode::INTERNAL_SERVER_ERROR,
                "无法开始本期收集",
                &format!("{e}：请把这条信息告诉省教育厅。"),
            )
        })
    }
}

/// Who the request speaks for: a bearer code (checked, and counted when
/// wrong), else the session cookie, else no one.
pub struct Who(pub Option<Principal>);

impl FromRequestParts<Arc<State>> for Who {
    type Rejection = Answer;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<State>,
    ) -> Result<Self, Self::Rejection> {
        let client = client(parts, state);
        state
            .auth
            .who(&parts.headers, client)
            .await
            .map(Self)
            .map_err(|d| denied(state, d))
    }
}

/// The office, signed in. Anyone else is told to sign in (401) or that the
/// page is not theirs (403).
pub struct Office;

impl FromRequestParts<Arc<State>> for Office {
    type Rejection = Answer;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<State>,
    ) -> Result<Self, Self::Rejection> {
        let Who(who) = Who::from_request_parts(parts, state).await?;
        let frame = Frame::new(state, state.collecting(), who);
        match who {
            Some(Principal::Admin) => Ok(Self),
            Some(Principal::Unit(_)) => Err(Answer::message(
                &frame,
                StatusCode::FORBIDDEN,
                "无权查看",
                "此页面只有省教育厅管理员可以查看；单位上报码只能上报和查看本单位的报表。",
            )),
            None => Err(Answer::page(
                &frame,
                StatusCode::UNAUTHORIZED,
                "请登录",
                pages::login_form(Some("此页面需要管理员登录。")),
            )),
        }
    }
}

/// A code refused: the same words whatever was wrong with it.
pub fn denied(state: &State, denied: Denied) -> Answer {
    let frame = Frame::new(state, state.collecting(), None);
    match denied {
        Denied::Wrong => Answer::message(
            &frame,
            StatusCode::UNAUTHORIZED,
            "上报码不正确",
            "上报码不正确，或尚未登录：请核对省教育厅发放的上报码后重试。",
        ),
        Denied::Slowed(wait) => Answer::message(
            &frame,
            StatusCode::TOO_MANY_REQUESTS,
            "尝试次数过多",
            &format!("输入错误的上报码次数过多，请 {wait} 秒后再试。"),
        )
        .with(RETRY_AFTER, &wait.to_string()),
        Denied::Busy => Answer::message(
            &frame,
            StatusCode::SERVICE_UNAVAILABLE,
            "服务器繁忙",
            "同时核对上报码的请求太多，请过几秒再试。",
        )
        .with(RETRY_AFTER, "5"),
    }
}
