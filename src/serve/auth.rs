//! Who is asking: a unit, the office, or no one. A code comes with the upload
//! form, the login form or `Authorization: Bearer`; a login leaves a session
//! cookie (a random token, held in memory only: a restart logs everyone out).
//!
//! Wrong codes are slowed per address and per unit they claim. A code's first
//! four characters pick the code it claims to be (see [`super::codes`]), so a
//! miss is counted against the pair (address, claimed unit) and against the
//! claimed unit from anywhere; a code that claims no one, against the address.
//! After [`FREE_TRIES`] such misses within an hour the next try of the same kind
//! waits, doubling with each further miss, and is refused before any code is
//! verified. So a right code is never refused for other units' misses from its
//! address (offices behind one NAT or proxy share one), and a unit's own code
//! does not clear its count, nor open a way to keep guessing the office's.
//!
//! A burst of concurrent tries is counted as if sent one after another: tries
//! of different codes under way count as misses until they are known not to
//! be; tries of the same code share one verification, then take their turns.
//! Argon2 runs at most [`ARGON_AT_ONCE`] at a time (19 MiB each, in buffers
//! kept for reuse), whatever the machine.
//! IPv6 clients are counted by their /64, the block one household or office gets.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use rand::Rng;
use sha2::{Digest, Sha256};

use super::codes::CodeBook;
use crate::roster::Roster;

/// Wrong codes of one kind from one address before the next is slowed.
pub const FREE_TRIES: u32 = 5;
/// Wrong codes claiming one unit from all addresses before the next is slowed.
pub const FREE_TRIES_PER_UNIT: u32 = 20;
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
/// Argon2 verifications at once, at most: each takes 19 MiB.
pub const ARGON_AT_ONCE: usize = 4;
/// Verifications waiting for a turn before further codes are answered "busy".
const ARGON_QUEUE: usize = 64;

/// Who a request speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A roster unit, by index.
    Unit(usize),
    /// The office.
    Admin,
}

/// Why a code was not taken. None says which part of it was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No code, or a wrong one.
    Wrong,
    /// Too many wrong codes of this kind: asked to wait this many seconds.
    Slowed(u64),
    /// Too many codes waiting to be verified: asked to try again shortly.
    Busy,
}

/// What misses are counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Against {
    /// Codes claiming no one, from an address.
    Address(IpAddr),
    /// Codes claiming one code holder (by its place in the book), from an address.
    Pair(IpAddr, usize),
    /// Codes claiming one code holder, from anywhere.
    Holder(usize),
}

impl Against {
    fn free_tries(self) -> u32 {
        match self {
            Self::Address(_) | Self::Pair(..) => FREE_TRIES,
            Self::Holder(_) => FREE_TRIES_PER_UNIT,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Misses {
    count: u32,
    /// Tries being verified now: counted as misses until they are known.
    pending: u32,
    last: Instant,
}

impl Misses {
    /// Until when a further try is refused, if it is, with `free` tries
    /// allowed; misses older than [`FORGET_AFTER`] are forgotten.
    fn refused_until(&self, free: u32, now: Instant) -> Option<Instant> {
        let count = if now.duration_since(self.last) >= FORGET_AFTER {
            0
        } else {
            self.count
        };
        let over = (count + self.pending).checked_sub(free)?;
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
    misses: Mutex<HashMap<Against, Misses>>,
    /// The key of the hashes above: random per process.
    key: [u8; 32],
    argon: Arc<tokio::sync::Semaphore>,
    /// Argon2's working memory, one per turn, kept between verifications.
    memories: Mutex<Vec<super::codes::Memory>>,
    /// Codes being verified now, by their key: the same code tried again
    /// meanwhile waits for that verification.
    in_flight: Mutex<HashMap<[u8; 32], Arc<Verification>>>,
    /// Verifications waiting for or holding a turn.
    queued: std::sync::atomic::AtomicUsize,
}

/// The tries of one code under way, released (and counted, when wrong) on drop:
/// a client that hangs up mid-verification leaves no pending try behind.
struct Trying<'a> {
    auth: &'a Auth,
    against: Vec<Against>,
    missed: bool,
}

impl Drop for Trying<'_> {
    fn drop(&mut self) {
        let now = Instant::now();
        let mut misses = lock(&self.auth.misses);
        for key in &self.against {
            if let Some(entry) = misses.get_mut(key) {
                entry.pending = entry.pending.saturating_sub(1);
                if self.missed {
                    if now.duration_since(entry.last) >= FORGET_AFTER {
                        entry.count = 0;
                    }
                    entry.count = entry.count.saturating_add(1);
                    entry.last = now;
                }
            }
        }
    }
}

/// The verification of one code under way, which other tries of the same code
/// wait for: forgotten when its leading try ends, even by hanging up.
struct Landing<'a> {
    auth: &'a Auth,
    key: [u8; 32],
    cell: Arc<Verification>,
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        let mut flying = lock(&self.auth.in_flight);
        if flying
            .get(&self.key)
            .is_some_and(|c| Arc::ptr_eq(c, &self.cell))
        {
            flying.remove(&self.key);
        }
    }
}

/// The result of verifying one code, shared by the tries waiting for it.
type Verification = tokio::sync::OnceCell<Result<Option<Principal>, Denied>>;

/// Holds a place in the queue of verifications.
struct Queued<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
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
        let at_once = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(ARGON_AT_ONCE);
        let auth = Self {
            book,
            holders,
            verified: Mutex::default(),
            sessions: Mutex::default(),
            misses: Mutex::default(),
            key,
            argon: Arc::new(tokio::sync::Semaphore::new(at_once)),
            memories: Mutex::default(),
            in_flight: Mutex::default(),
            queued: std::sync::atomic::AtomicUsize::new(0),
        };
        (auth, strangers)
    }

    fn keyed(&self, text: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.key);
        hasher.update(text.as_bytes());
        hasher.finalize().into()
    }

    /// What a try of `typed` from `client` is counted against.
    fn against(&self, typed: &str, client: IpAddr) -> Vec<Against> {
        let client = counted_address(client);
        match self.book.claim(typed) {
            Some(holder) => vec![Against::Pair(client, holder), Against::Holder(holder)],
            None => vec![Against::Address(client)],
        }
    }

    /// How many seconds a try counted against `against` must wait, if it must.
    fn waiting(
        misses: &HashMap<Against, Misses>,
        against: &[Against],
        now: Instant,
    ) -> Option<u64> {
        against
            .iter()
            .filter_map(|key| {
                let entry = misses.get(key)?;
                let until = entry.refused_until(key.free_tries(), now)?;
                // Tries under way hold the place of misses: wait as after one.
                let left = until
                    .checked_duration_since(now)
                    .or((entry.pending > 0).then_some(FIRST_WAIT))?;
                Some(left.as_secs().max(1))
            })
            .max()
    }

    /// Who a typed code is for. A try that must wait is refused before the
    /// code is verified; a wrong code counts against its address and the unit
    /// it claims.
    ///
    /// Concurrent tries are counted as if they came one after another. Tries
    /// of different codes each hold the place of a miss while verified; tries
    /// of the same code share one verification and then take their turn: when
    /// it is right they are all let in (a county sending ten files at once),
    /// when it is wrong each counts a miss or waits, as it would have in a row.
    ///
    /// # Errors
    /// [`Denied::Slowed`] for a try that must wait, [`Denied::Busy`] when too
    /// many codes wait to be verified, else [`Denied::Wrong`].
    pub async fn check_code(
        self: &Arc<Self>,
        typed: &str,
        client: IpAddr,
    ) -> Result<Principal, Denied> {
        let against = self.against(typed, client);
        if let Some(wait) = Self::waiting(&lock(&self.misses), &against, Instant::now()) {
            return Err(Denied::Slowed(wait));
        }
        let key = self.code_key(typed);
        if let Some(found) = lock(&self.verified).get(&key) {
            return Ok(*found);
        }
        let (cell, leads) = {
            let mut flying = lock(&self.in_flight);
            match flying.get(&key) {
                Some(cell) => (Arc::clone(cell), false),
                None => {
                    let cell = Arc::new(tokio::sync::OnceCell::new());
                    flying.insert(key, Arc::clone(&cell));
                    (cell, true)
                }
            }
        };
        if !leads {
            let found = *cell.get_or_init(|| self.verify(typed)).await;
            return match found {
                Ok(Some(principal)) => Ok(principal),
                Ok(None) => Err(self.miss_in_turn(&against)),
                Err(denied) => Err(denied),
            };
        }
        let _landing = Landing {
            auth: self,
            key,
            cell: Arc::clone(&cell),
        };
        let mut trying = self.reserve(against)?;
        match *cell.get_or_init(|| self.verify(typed)).await {
            Ok(Some(principal)) => Ok(principal),
            Ok(None) => {
                trying.missed = true;
                Err(Denied::Wrong)
            }
            Err(denied) => Err(denied),
        }
    }

    /// The key a code is known by in memory: a keyed hash of it as normalised.
    fn code_key(&self, typed: &str) -> [u8; 32] {
        let normal = super::codes::normalize(typed);
        self.keyed(normal.as_deref().unwrap_or(typed))
    }

    /// Holds the place of a miss on each of `against` while a code is verified.
    ///
    /// # Errors
    /// [`Denied::Slowed`] when the try must wait (tries under way included).
    fn reserve(&self, against: Vec<Against>) -> Result<Trying<'_>, Denied> {
        let now = Instant::now();
        let mut misses = lock(&self.misses);
        if let Some(wait) = Self::waiting(&misses, &against, now) {
            return Err(Denied::Slowed(wait));
        }
        if misses.len() >= SWEEP_AT {
            misses.retain(|_, m| m.pending > 0 || now.duration_since(m.last) < FORGET_AFTER);
        }
        for key in &against {
            misses
                .entry(*key)
                .or_insert(Misses {
                    count: 0,
                    pending: 0,
                    last: now,
                })
                .pending += 1;
        }
        Ok(Trying {
            auth: self,
            against,
            missed: false,
        })
    }

    /// A try of a code just found wrong by another try: it waits, or counts
    /// a miss, as the next in a row would.
    fn miss_in_turn(&self, against: &[Against]) -> Denied {
        let now = Instant::now();
        let mut misses = lock(&self.misses);
        if let Some(wait) = Self::waiting(&misses, against, now) {
            return Denied::Slowed(wait);
        }
        for key in against {
            let entry = misses.entry(*key).or_insert(Misses {
                count: 0,
                pending: 0,
                last: now,
            });
            if now.duration_since(entry.last) >= FORGET_AFTER {
                entry.count = 0;
            }
            entry.count = entry.count.saturating_add(1);
            entry.last = now;
        }
        Denied::Wrong
    }

    /// The holder a code opens: from the codes verified before, else by Argon2.
    async fn verify(self: &Arc<Self>, typed: &str) -> Result<Option<Principal>, Denied> {
        let key = self.code_key(typed);
        if let Some(found) = lock(&self.verified).get(&key) {
            return Ok(Some(*found));
        }
        use std::sync::atomic::Ordering;
        if self.queued.fetch_add(1, Ordering::Relaxed) >= ARGON_QUEUE {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            return Err(Denied::Busy);
        }
        let _queued = Queued(&self.queued);
        // The turn goes with the work: a client that hangs up does not free
        // it while Argon2 still runs for it.
        let turn = Arc::clone(&self.argon)
            .acquire_owned()
            .await
            .map_err(|_| Denied::Busy)?;
        // While waiting, another request may have verified the same code.
        if let Some(found) = lock(&self.verified).get(&key) {
            return Ok(Some(*found));
        }
        let auth = Arc::clone(self);
        let typed = typed.to_string();
        // Argon2 takes tens of milliseconds of one core: off the async threads,
        // in one of the buffers kept (there are never more than turns).
        let found = tokio::task::spawn_blocking(move || {
            let mut memory = lock(&auth.memories).pop().unwrap_or_default();
            let at = auth.book.find_with(&typed, &mut memory);
            lock(&auth.memories).push(memory);
            drop(turn);
            auth.holders.get(at?).copied().flatten()
        })
        .await
        .ok()
        .flatten();
        if let Some(principal) = found {
            let mut verified = lock(&self.verified);
            if verified.len() < SWEEP_AT {
                verified.insert(key, principal);
            }
        }
        Ok(found)
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
    // A dual-stack socket on `[::]` sees IPv4 clients as `::ffff:a.b.c.d`.
    let peer_ip = peer.ip().to_canonical();
    if trust_proxy && peer_ip.is_loopback() {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        if let Some(address) = forwarded {
            return address.to_canonical();
        }
    }
    peer_ip
}

/// The address misses are counted against: an IPv4 address, or an IPv6 /64.
fn counted_address(client: IpAddr) -> IpAddr {
    match client.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
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
            && peer.ip().to_canonical().is_loopback()
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
        let wait = |count, pending| {
            Misses {
                count,
                pending,
                last: now,
            }
            .refused_until(FREE_TRIES, now)
            .map(|t| t.duration_since(now).as_secs())
        };
        assert_eq!(wait(FREE_TRIES - 1, 0), None);
        assert_eq!(wait(FREE_TRIES, 0), Some(30));
        assert_eq!(wait(FREE_TRIES + 1, 0), Some(60));
        assert_eq!(wait(FREE_TRIES + 2, 0), Some(120));
        assert_eq!(wait(FREE_TRIES + 40, 0), Some(900));
        assert_eq!(wait(u32::MAX, 0), Some(900));
        // Tries under way take the place of misses.
        assert_eq!(wait(0, FREE_TRIES - 1), None);
        assert_eq!(wait(2, FREE_TRIES - 2), Some(30));
        // Misses an hour old are forgotten.
        let old = Misses {
            count: FREE_TRIES + 3,
            pending: 0,
            last: now,
        };
        assert_eq!(old.refused_until(FREE_TRIES, now + FORGET_AFTER), None);
    }

    #[test]
    fn addresses_are_counted_as_ipv4_or_by_their_ipv6_64() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let cases = [
            ("192.0.2.7", "192.0.2.7"),
            ("::ffff:192.0.2.7", "192.0.2.7"),
            ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
            ("2001:db8:1:2::1", "2001:db8:1:2::"),
            ("::1", "::"),
        ];
        for (client, counted) in cases {
            assert_eq!(counted_address(ip(client)), ip(counted), "{client}");
        }
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:5000".parse().expect("addr");
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.7".parse().expect("value"));
        assert_eq!(client_address(mapped, &headers, false), ip("127.0.0.1"));
        // A proxy on a dual-stack socket is still this machine.
        assert_eq!(client_address(mapped, &headers, true), ip("203.0.113.7"));
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
