//! Upload codes: one per roster unit and one for the office, made by `codes`,
//! handed out on paper, and kept here only as Argon2id hashes.
//!
//! A code is twelve characters of an alphabet without look-alikes (no 0/O, 1/I),
//! shown as `ABCD-EFGH-JKLM`. Its first four characters pick the hash to try
//! (compared against every entry in constant time), so checking a code costs one
//! Argon2 verification whatever the roster's size; an unknown code costs one too,
//! against a dummy hash, so timing says nothing about which part was wrong. What
//! a code may do is the server's business ([`super::auth`]).

use std::path::{Path, PathBuf};

use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// The alphabet of codes: digits and capitals that cannot be mistaken for one another.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters of a code.
const CODE_LEN: usize = 12;
/// The leading characters that choose which hash a code is checked against.
const SELECTOR_LEN: usize = 4;
/// The name the office's code goes by in the codes file and the CSV.
pub const ADMIN: &str = "管理员";
/// The codes' hashes, in the folder holding the period folders (hidden: intake skips it).
pub const HASH_FILE: &str = ".county-returns-codes.json";
const FORMAT: &str = "county-returns-codes/1";

/// One code as stored: whose it is, its selector, and the Argon2id hash of the whole code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredCode {
    /// The roster unit's name, or [`ADMIN`].
    pub unit: String,
    pub admin: bool,
    pub selector: String,
    /// A PHC string (`$argon2id$v=19$…`).
    pub hash: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct HashFile {
    format: String,
    made: String,
    codes: Vec<StoredCode>,
}

/// A new set of codes: the plain codes for the office's list, the hashes to keep.
pub struct NewCodes {
    /// (unit or [`ADMIN`], code as shown), the admin last.
    pub plain: Vec<(String, String)>,
    pub stored: Vec<StoredCode>,
}

/// Why the codes could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum CodesError {
    /// The hash file is there but is not one `codes` wrote (edited by hand, truncated).
    #[error("上报码文件 {0} 内容无效：请用 county-returns codes --force 重新生成上报码")]
    Malformed(PathBuf),
    /// No hash file yet: `serve` needs `codes` first.
    #[error("还没有上报码（找不到 {0}）：请先运行 county-returns codes 生成上报码")]
    Missing(PathBuf),
    /// The hash file belongs to another user: it is readable by its owner only.
    #[error(
        "无法读取上报码文件 {0}：它只许生成它的用户读取。请以运行收集网页的用户重新生成上报码（加 --force），或用安装包的服务时执行 sudo systemctl restart county-returns（服务启动前会把它交给服务用户）"
    )]
    NotOwner(PathBuf),
    /// The hash file cannot be read.
    #[error("无法读取上报码文件 {path}：{reason}")]
    Unreadable { path: PathBuf, reason: String },
    /// Argon2 refused (never with its default parameters).
    #[error("生成上报码时出错（{0}）：请把这条信息发给维护人员")]
    Hash(String),
}

/// Makes a code per unit and one for the office, each hashed with Argon2id
/// (default parameters: 19 MiB, two passes) and a random salt.
///
/// # Errors
/// Only when Argon2 refuses its own defaults.
pub fn generate(units: &[String]) -> Result<NewCodes, CodesError> {
    let mut rng = rand::rng();
    let mut selectors: Vec<String> = Vec::new();
    let mut plain = Vec::new();
    let mut stored = Vec::new();
    let holders = units
        .iter()
        .map(|u| (u.clone(), false))
        .chain(std::iter::once((ADMIN.to_string(), true)));
    for (unit, admin) in holders {
        // Selectors are unique, so a code is checked against one hash only.
        let code = loop {
            let code: String = (0..CODE_LEN)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect();
            if !selectors.iter().any(|s| *s == code[..SELECTOR_LEN]) {
                break code;
            }
        };
        selectors.push(code[..SELECTOR_LEN].to_string());
        let hash = Argon2::default()
            .hash_password(code.as_bytes())
            .map_err(|e| CodesError::Hash(e.to_string()))?
            .to_string();
        stored.push(StoredCode {
            unit: unit.clone(),
            admin,
            selector: code[..SELECTOR_LEN].to_string(),
            hash,
        });
        plain.push((unit, shown(&code)));
    }
    Ok(NewCodes { plain, stored })
}

/// `ABCDEFGHJKLM` → `ABCD-EFGH-JKLM`, easier to read out over the phone.
fn shown(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed → its twelve characters: case, spaces, dashes and full-width
/// forms do not matter. `None` when it cannot be a code at all.
pub fn normalize(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .map(crate::period::to_half_width)
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// The hash file's content for a new set.
///
/// # Errors
/// Never in practice (serialising plain strings).
pub fn hash_file_bytes(codes: &NewCodes, made: &str) -> Result<Vec<u8>, CodesError> {
    let file = HashFile {
        format: FORMAT.to_string(),
        made: made.to_string(),
        codes: codes.stored.clone(),
    };
    serde_json::to_vec_pretty(&file).map_err(|e| CodesError::Hash(e.to_string()))
}

/// The office's list: UTF-8 with a BOM (Excel opens it right), columns 单位,上报码.
pub fn office_csv(codes: &NewCodes) -> Vec<u8> {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    let mut writer = csv::Writer::from_writer(&mut bytes);
    let _ = writer.write_record(["单位", "上报码"]);
    for (unit, code) in &codes.plain {
        let _ = writer.write_record([unit, code]);
    }
    let _ = writer.flush();
    drop(writer);
    bytes
}

/// Makes the hash file readable by its owner only, as `codes` writes it, when
/// an older version or a hand left it open to others (it is ours to change).
fn keep_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700)) {
                Ok(()) => tracing::warn!(
                    "上报码文件 {} 原来其他用户也能读取，已改为只有本用户能读取",
                    path.display()
                ),
                Err(e) => tracing::warn!(
                    "上报码文件 {} 其他用户也能读取，且无法更改（{}）：请执行 chmod 600 {}",
                    path.display(),
                    crate::os::describe(&e),
                    path.display()
                ),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Argon2's working memory (19 MiB with the default parameters), kept to be
/// used again. Allocating it afresh for every verification, on whichever
/// thread, left a freed copy in each thread's allocator arena: a burst of
/// wrong codes grew the server by 19 MiB per thread it touched.
#[derive(Default)]
pub struct Memory(Vec<argon2::Block>);

impl Memory {
    /// Whether `password` is the one whose PHC string (`$argon2id$v=19$…`) is `phc`.
    fn verify(&mut self, password: &[u8], phc: &str) -> bool {
        use argon2::{Algorithm, Params, PasswordHash, Version};
        let Ok(hash) = PasswordHash::new(phc) else {
            return false;
        };
        let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
            return false;
        };
        let (Ok(params), Ok(algorithm)) = (
            Params::try_from(&hash),
            Algorithm::try_from(hash.algorithm.as_str()),
        ) else {
            return false;
        };
        let Ok(version) = hash
            .version
            .map_or(Ok(Version::default()), Version::try_from)
        else {
            return false;
        };
        self.0
            .resize(params.block_count(), argon2::Block::default());
        let mut out = vec![0u8; expected.as_bytes().len()];
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password, salt.as_ref(), &mut out, &mut self.0[..])
            .is_ok()
            && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
    }
}

/// The stored codes of an input root, ready to check codes against.
pub struct CodeBook {
    codes: Vec<StoredCode>,
    /// A hash of the right shape to verify against when no selector matches.
    dummy: String,
}

impl CodeBook {
    /// Reads `root`'s hash file.
    ///
    /// # Errors
    /// [`CodesError::Missing`] when `codes` has not been run, else why the file is unusable.
    pub fn load(root: &Path) -> Result<Self, CodesError> {
        let path = root.join(HASH_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CodesError::Missing(path));
            }
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Err(CodesError::NotOwner(path));
            }
            Err(e) => {
                return Err(CodesError::Unreadable {
                    reason: crate::os::describe(&e),
                    path,
                });
            }
        };
        keep_private(&path);
        let file: HashFile =
            serde_json::from_slice(&bytes).map_err(|_| CodesError::Malformed(path.clone()))?;
        if file.format != FORMAT || file.codes.is_empty() {
            return Err(CodesError::Malformed(path));
        }
        Self::new(file.codes)
    }

    /// A book of the given codes.
    ///
    /// # Errors
    /// Only when Argon2 refuses its own defaults.
    pub fn new(codes: Vec<StoredCode>) -> Result<Self, CodesError> {
        let dummy = Argon2::default()
            .hash_password(b"county-returns: no such code")
            .map_err(|e| CodesError::Hash(e.to_string()))?
            .to_string();
        Ok(Self { codes, dummy })
    }

    /// Every stored code.
    pub fn codes(&self) -> &[StoredCode] {
        &self.codes
    }

    /// The entry a typed code opens, if any. Costs one Argon2 verification
    /// whether or not the code is known: call it off the async threads.
    #[cfg(test)]
    pub fn verify(&self, typed: &str) -> Option<&StoredCode> {
        self.find(typed).map(|i| &self.codes[i])
    }

    /// The entry a typed code claims to open: the one its first four
    /// characters select, if any. Cheap (no Argon2): wrong codes are counted
    /// against the holder they claim.
    pub fn claim(&self, typed: &str) -> Option<usize> {
        let code = normalize(typed)?;
        let selector = code.as_bytes().get(..SELECTOR_LEN)?;
        // Every selector is looked at, so the time does not depend on which matched.
        let mut found = None;
        for (i, entry) in self.codes.iter().enumerate() {
            if bool::from(entry.selector.as_bytes().ct_eq(selector)) {
                found = Some(i);
            }
        }
        found
    }

    /// Where in [`CodeBook::codes`] the entry a typed code opens is, if any.
    pub fn find(&self, typed: &str) -> Option<usize> {
        self.find_with(typed, &mut Memory::default())
    }

    /// [`CodeBook::find`], Argon2 working in `memory` (kept for the next one):
    /// a server's verifications take no more memory than the buffers it keeps.
    pub fn find_with(&self, typed: &str, memory: &mut Memory) -> Option<usize> {
        let code = normalize(typed);
        let candidate = code.as_deref().unwrap_or("XXXXXXXXXXXX");
        let found = self.claim(typed);
        let hash = found.map_or(self.dummy.as_str(), |i| self.codes[i].hash.as_str());
        let ok = memory.verify(candidate.as_bytes(), hash);
        match (ok, code, found) {
            (true, Some(_), Some(i)) => Some(i),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_verify_for_their_holder_only() {
        let units = vec!["海口市".to_string(), "三亚市".to_string()];
        let made = generate(&units).expect("generate");
        assert_eq!(made.plain.len(), 3);
        assert_eq!(made.plain[2].0, ADMIN);
        let book = CodeBook::new(made.stored.clone()).expect("book");
        for (unit, code) in &made.plain {
            assert_eq!(code.len(), 14, "{code}");
            assert_eq!(
                book.verify(code).map(|c| c.unit.as_str()),
                Some(unit.as_str())
            );
            // Typed loosely: lower case, no dashes, spaces around.
            let loose = format!(" {} ", code.replace('-', "").to_lowercase());
            assert_eq!(
                book.verify(&loose).map(|c| c.unit.as_str()),
                Some(unit.as_str())
            );
        }
        let (_, first) = &made.plain[0];
        // The right selector with a wrong rest, and garbage, open nothing.
        let mut wrong = first.replace('-', "");
        let last = if wrong.ends_with('2') { "3" } else { "2" };
        wrong.replace_range(11..12, last);
        assert!(book.verify(&wrong).is_none());
        for typed in [
            "",
            "海口市",
            "ABCD-EFGH-JKLM",
            "../../etc/passwd",
            &"A".repeat(5000),
        ] {
            assert!(book.verify(typed).is_none(), "{typed}");
        }
    }

    #[test]
    fn normalize_takes_codes_as_people_type_them() {
        let cases = [
            ("ABCD-EFGH-JKLM", Some("ABCDEFGHJKLM")),
            ("abcd efgh jklm", Some("ABCDEFGHJKLM")),
            ("ＡＢＣＤ－ＥＦＧＨ－ＪＫＬＭ", Some("ABCDEFGHJKLM")),
            ("ABCD-EFGH-JKL", None),
            // 0, 1, I and O are never in a code.
            ("ABCD-EFGH-JKL0", None),
        ];
        for (typed, want) in cases {
            assert_eq!(normalize(typed).as_deref(), want, "{typed}");
        }
    }

    #[test]
    fn the_office_list_opens_in_excel() {
        let made = generate(&["海口市".to_string()]).expect("generate");
        let csv = String::from_utf8(office_csv(&made)).expect("utf-8");
        assert!(csv.starts_with("\u{feff}单位,上报码\n海口市,"), "{csv}");
        assert!(csv.contains("\n管理员,"), "{csv}");
    }
}
