//! The one answer type every handler and extractor gives: a page framed with
//! the plan, the period shown and who is signed in; a file to save; JSON; a
//! redirect. Headers (cookies, `Retry-After`) are added to it, and it is turned
//! into the response in one place.

use axum::body::Body;
use axum::http::header::{CONNECTION, CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::Markup;

use crate::period::Month;
use crate::serve::State;
use crate::serve::auth::Principal;
use crate::serve::pages::{self, Viewer};

/// What frames every page: the plan's name, the period shown, who is signed in.
pub struct Frame {
    plan: String,
    pub period: Month,
    name: Option<String>,
    admin: bool,
}

impl Frame {
    pub fn new(state: &State, period: Month, who: Option<Principal>) -> Self {
        let (name, admin) = match who {
            Some(Principal::Unit(u)) => (Some(state.roster.units[u].name.clone()), false),
            Some(Principal::Admin) => (Some(crate::serve::codes::ADMIN.to_string()), true),
            None => (None, false),
        };
        Self {
            plan: state
                .catalogue
                .plan_name
                .clone()
                .unwrap_or_else(|| "任务".to_string()),
            period,
            name,
            admin,
        }
    }

    pub fn viewer(&self) -> Viewer<'_> {
        Viewer {
            name: self.name.as_deref(),
            admin: self.admin,
        }
    }
}

/// An answer to a request.
pub struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Body,
}

impl Answer {
    /// A page.
    pub fn page(frame: &Frame, status: StatusCode, title: &str, body: Markup) -> Self {
        let markup = pages::page(
            title,
            &frame.plan,
            &frame.period.chinese(),
            &frame.viewer(),
            body,
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        Self {
            status,
            headers,
            body: Body::from(markup.into_string()),
        }
    }

    /// A page saying what happened and what to do, with a way back.
    pub fn message(frame: &Frame, status: StatusCode, title: &str, text: &str) -> Self {
        Self::page(
            frame,
            status,
            title,
            pages::message(title, text, Some(("/", "返回上报页"))),
        )
    }

    /// Bytes of a kind, shown as they are (the stylesheet).
    pub fn content(bytes: impl Into<Body>, kind: &'static str) -> Self {
        Self {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: bytes.into(),
        }
        .with(CONTENT_TYPE, kind)
    }

    /// A file to save, named in UTF-8 (RFC 6266) with a plain fallback.
    pub fn file(bytes: impl Into<Body>, kind: &'static str, name: &str) -> Self {
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
        // Browsers without RFC 5987 still get the right kind of file.
        let extension = name
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_alphanumeric()))
            .map_or_else(String::new, |e| format!(".{e}"));
        let disposition =
            format!("attachment; filename=\"download{extension}\"; filename*=UTF-8''{encoded}");
        Self::content(bytes, kind).with(CONTENT_DISPOSITION, &disposition)
    }

    /// A value as JSON.
    pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Self {
            status,
            headers: HeaderMap::new(),
            body: Body::from(body),
        }
        .with(CONTENT_TYPE, "application/json")
    }

    /// Go to `to` (after a form: 303).
    pub fn see_other(to: &str) -> Self {
        Self {
            status: StatusCode::SEE_OTHER,
            headers: HeaderMap::new(),
            body: Body::empty(),
        }
        .with(LOCATION, to)
    }

    /// The same answer with a header set (a value no header may hold is left out).
    pub fn with(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.insert(name, value);
        }
        self
    }

    /// The same answer setting a cookie.
    pub fn cookie(self, cookie: &str) -> Self {
        self.with(SET_COOKIE, cookie)
    }

    /// The same answer, closing the connection after it: the rest of the
    /// request's body is not read.
    pub fn closing(self) -> Self {
        self.with(CONNECTION, "close")
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        response.headers_mut().extend(self.headers);
        response
    }
}
