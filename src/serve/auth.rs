//! Who is asking: a unit, the office, or no one. A code comes with the upload
//! form, the login form or `Authorization: Bearer`; a login leaves a session
//! cookie (a random token, held in memory only: a restart logs everyone out).
//!
//! Wrong codes are counted per client address: after [`FREE_TRIES`] within an
//! hour, that address is refused for a while, doubling with each further miss,
//! before any code is looked at. A right code does not clear the count, so a
//! unit's own code cannot be used to keep guessing the office's.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use rand::Rng;
use sha2::{Digest, Sha256};

use super::codes::CodeBook;
use crate::roster::Roster;

/// Wrong codes an address may give before it is slowed.
pub const FREE_TRIES: u32 = 5;
/// The first wait after the free tries; each further miss doubles it.
const FIRST_WAIT: Duration = Duration::from_secs(30);
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// Misses are forgotten this long after the last one.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// How long a login lasts.
const SESSION_LIFE: Duration = Duration::from_secs(12 * 60 * 60);
/// The session cookie's name.
pub const COOKIE_NAME: &str = "cr_session";
/// Entries kept before stale ones are swept (bounds memory under a flood).
const SWEEP_AT: usize = 10_000;

/// Who a request speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A roster unit, by index.
    Unit(usize),
    /// The office.
    Admin,
}

/// Why a code was not taken. Neither says which part of it was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No code, or a wrong one.
    Wrong,
    /// This address gave too many wrong codes: asked to wait this many seconds.
    Slowed(u64),
}

#[derive(Debug, Clone, Copy)]
struct Misses {
    count: u32,
    last: Instant,
}

impl Misses {
    /// Until when the address is refused, if it is.
    fn refused_until(&self) -> Option<Instant> {
        let over = self.count.checked_sub(FREE_TRIES)?;
        let wait = FIRST_WAIT
            .saturating_mul(1u32.checked_shl(over).unwrap_or(u32::MAX))
            .min(LONGEST_WAIT);
        Some(self.last + wait)
    }
}

struct Session {
    principal: Principal,
    expires: Instant,
}

/// Codes, sessions and the count of misses.
pub struct Auth {
    book: CodeBook,
    /// Who each stored code is for, in the book's order (`None`: its unit left the roster).
    holders: Vec<Option<Principal>>,
    /// Codes already verified, by a keyed hash of the code, so Argon2 runs once per code.
    verified: Mutex<HashMap<[u8; 32], Principal>>,
    /// Sessions by the hash of their token (the token itself is only in the cookie).
    sessions: Mutex<HashMap<[u8; 32], Session>>,
    misses: Mutex<HashMap<IpAddr, Misses>>,
    /// The key of the hashes above: random per process.
    key: [u8; 32],
    /// Argon2 runs at most one per core: each takes 19 MiB, and a burst of
    /// uploads with codes not yet seen must not take gigabytes.
    argon: tokio::sync::Semaphore,
}

impl Auth {
    /// Matches the book's holders to the roster; gives the names that are not in it.
    pub fn new(book: CodeBook, roster: &Roster) -> (Self, Vec<String>) {
        let mut strangers = Vec::new();
        let holders = book
            .codes()
            .iter()
            .map(|c| {
                if c.admin {
                    Some(Principal::Admin)
                } else {
                    let unit = roster.lookup(&c.unit).map(Principal::Unit);
                    if unit.is_none() {
                        strangers.push(c.unit.clone());
                    }
                    unit
                }
            })
            .collect();
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        let auth = Self {
            book,
            holders,
            verified: Mutex::default(),
            sessions: Mutex::default(),
            misses: Mutex::default(),
            key,
            argon: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            ),
        };
        (auth, strangers)
    }

    fn keyed(&self, text: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.key);
        hasher.update(text.as_bytes());
        hasher.finalize().into()
    }

    /// Whether `client` must wait before trying again, and how many seconds.
    pub fn waiting(&self, client: IpAddr) -> Option<u64> {
        let misses = lock(&self.misses);
        let until = misses.get(&client)?.refused_until()?;
        let left = until.checked_duration_since(Instant::now())?;
        Some(left.as_secs().max(1))
    }

    fn miss(&self, client: IpAddr) {
        let now = Instant::now();
        let mut misses = lock(&self.misses);
        if misses.len() >= SWEEP_AT {
            misses.retain(|_, m| now.duration_since(m.last) < FORGET_AFTER);
        }
        let entry = misses.entry(client).or_insert(Misses {
            count: 0,
            last: now,
        });
        if now.duration_since(entry.last) >= FORGET_AFTER {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
    }

    /// Who a typed code is for. A slowed address is refused before the code is
    /// looked at; a wrong code counts against the address.
    ///
    /// # Errors
    /// [`Denied::Slowed`] for an address that must wait, else [`Denied::Wrong`].
    pub async fn check_code(
        self: &Arc<Self>,
        typed: &str,
        client: IpAddr,
    ) -> Result<Principal, Denied> {
        if let Some(wait) = self.waiting(client) {
            return Err(Denied::Slowed(wait));
        }
        let normal = super::codes::normalize(typed);
        let key = self.keyed(normal.as_deref().unwrap_or(typed));
        if let Some(found) = lock(&self.verified).get(&key) {
            return Ok(*found);
        }
        let _permit = self.argon.acquire().await.map_err(|_| Denied::Wrong)?;
        // While waiting, another request may have verified the same code.
        if let Some(found) = lock(&self.verified).get(&key) {
            return Ok(*found);
        }
        let auth = Arc::clone(self);
        let typed = typed.to_string();
        // Argon2 takes tens of milliseconds of one core: off the async threads.
        let found = tokio::task::spawn_blocking(move || {
            let at = auth.book.find(&typed)?;
            auth.holders.get(at).copied().flatten()
        })
        .await
        .ok()
        .flatten();
        match found {
            Some(principal) => {
                let mut verified = lock(&self.verified);
                if verified.len() < SWEEP_AT {
                    verified.insert(key, principal);
                }
                Ok(principal)
            }
            None => {
                self.miss(client);
                Err(Denied::Wrong)
            }
        }
    }

    /// Opens a session; gives the token for the cookie.
    pub fn open_session(&self, principal: Principal) -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = crate::digest::hex(&bytes);
        let now = Instant::now();
        let mut sessions = lock(&self.sessions);
        if sessions.len() >= SWEEP_AT {
            sessions.retain(|_, s| s.expires > now);
        }
        sessions.insert(
            self.keyed(&token),
            Session {
                principal,
                expires: now + SESSION_LIFE,
            },
        );
        token
    }

    pub fn close_session(&self, headers: &HeaderMap) {
        if let Some(token) = cookie(headers, COOKIE_NAME) {
            lock(&self.sessions).remove(&self.keyed(&token));
        }
    }

    fn session(&self, headers: &HeaderMap) -> Option<Principal> {
        let token = cookie(headers, COOKIE_NAME)?;
        let sessions = lock(&self.sessions);
        let session = sessions.get(&self.keyed(&token))?;
        (session.expires > Instant::now()).then_some(session.principal)
    }

    /// Who the request speaks for: a bearer code (checked, and counted when
    /// wrong), else the session cookie, else no one.
    ///
    /// # Errors
    /// As [`Auth::check_code`], for a bearer code.
    pub async fn who(
        self: &Arc<Self>,
        headers: &HeaderMap,
        client: IpAddr,
    ) -> Result<Option<Principal>, Denied> {
        if let Some(code) = bearer(headers) {
            return self.check_code(&code, client).await.map(Some);
        }
        Ok(self.session(headers))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, code) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| code.trim().to_string())
}

/// A cookie's value from the request's `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value of a session: not readable by scripts, never sent
/// along from another site, and over HTTPS only when the server speaks it.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        SESSION_LIFE.as_secs()
    )
}

/// The `Set-Cookie` value that ends a session.
pub fn expired_cookie() -> String {
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// The client's address: the peer's, or, when the office says its reverse proxy
/// on this machine may be trusted, the address that proxy appended last to
/// `X-Forwarded-For`.
pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trust_proxy: bool) -> IpAddr {
    if trust_proxy && peer.ip().is_loopback() {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        if let Some(address) = forwarded {
            return address;
        }
    }
    peer.ip()
}

/// Whether the page goes out over HTTPS: served so, or, with a trusted proxy on
/// this machine, forwarded from HTTPS (`X-Forwarded-Proto: https`).
pub fn over_https(
    served_tls: bool,
    peer: SocketAddr,
    headers: &HeaderMap,
    trust_proxy: bool,
) -> bool {
    served_tls
        || (trust_proxy
            && peer.ip().is_loopback()
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_tries() {
        let now = Instant::now();
        let wait = |count| {
            Misses { count, last: now }
                .refused_until()
                .map(|t| t.duration_since(now).as_secs())
        };
        assert_eq!(wait(FREE_TRIES - 1), None);
        assert_eq!(wait(FREE_TRIES), Some(30));
        assert_eq!(wait(FREE_TRIES + 1), Some(60));
        assert_eq!(wait(FREE_TRIES + 2), Some(120));
        assert_eq!(wait(FREE_TRIES + 40), Some(900));
        assert_eq!(wait(u32::MAX), Some(900));
    }

    #[test]
    fn the_proxy_is_trusted_only_when_asked_and_local() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "10.0.0.9, 203.0.113.7".parse().expect("value"),
        );
        let local: SocketAddr = "127.0.0.1:5000".parse().expect("addr");
        let remote: SocketAddr = "198.51.100.1:5000".parse().expect("addr");
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(client_address(local, &headers, false), ip("127.0.0.1"));
        assert_eq!(client_address(local, &headers, true), ip("203.0.113.7"));
        assert_eq!(client_address(remote, &headers, true), ip("198.51.100.1"));
        headers.insert("x-forwarded-proto", "https".parse().expect("value"));
        assert!(over_https(false, local, &headers, true));
        assert!(!over_https(false, local, &headers, false));
        assert!(!over_https(false, remote, &headers, true));
        assert!(over_https(true, remote, &HeaderMap::new(), false));
    }

    #[test]
    fn cookies_and_bearer_read_from_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, "a=1; cr_session=abc; b=2".parse().expect("value"));
        headers.insert(
            AUTHORIZATION,
            "Bearer  ABCD-EFGH-JKLM ".parse().expect("value"),
        );
        assert_eq!(cookie(&headers, COOKIE_NAME).as_deref(), Some("abc"));
        assert_eq!(bearer(&headers).as_deref(), Some("ABCD-EFGH-JKLM"));
    }
}
