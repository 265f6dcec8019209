//! A zip of returns, opened in memory (SPEC §3): what its members are and their
//! bytes, bounded like any input. Reading each member as if it lay in the folder
//! is [`super::file`]'s job.
//!
//! Bounds come first, as for any file: the entries the zip declares (before its
//! directory is parsed), each member's declared size (a member is an input file:
//! at most the file-size bound) and all members' together (the inflated-size
//! bound), and while a member inflates, its actual size against the declared one,
//! so a zip that lies about its sizes stops at what it declared. A zip inside the
//! zip is not opened (the caller names it). Folders, macOS's `__MACOSX/` resource
//! forks, hidden files (`.DS_Store`) and Excel's `~$` lock files are left out
//! without a word. A name stored without the UTF-8 flag is UTF-8 when it is valid
//! UTF-8 (macOS writes UTF-8 without the flag), else GBK (what Chinese Windows
//! writes: its code page 936).

use std::io::{Cursor, Read};

use super::folder::is_lock_or_hidden;
use crate::table::format::{Limits, OpenError};
use crate::table::package::declared_entries;

/// Most entries a zip of returns may hold: a province's returns, each with a
/// macOS resource fork and folders besides, fit many times over.
pub const MAX_ENTRIES: usize = 1000;

/// One member of a zip worth reading: not a folder, resource fork, hidden or lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    index: usize,
    /// Its path inside the zip, decoded, `/`-separated.
    pub path: String,
    /// Its size as the zip declares it.
    pub size: u64,
}

impl Member {
    /// The member's own name: its path's last part.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The folders it sits in inside the zip (`3月报表/`), or `""`.
    pub fn folders(&self) -> &str {
        &self.path[..self.path.len() - self.name().len()]
    }
}

/// A zip opened, its members listed and their sizes checked.
pub struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    members: Vec<Member>,
    limits: Limits,
}

impl<'a> Archive<'a> {
    /// Opens a zip's directory and lists the members worth reading, in path order.
    ///
    /// # Errors
    /// [`OpenError::ArchiveTooManyMembers`] past [`MAX_ENTRIES`],
    /// [`OpenError::ArchiveInflatesTooMuch`] when the members together declare
    /// more than the inflated-size bound, [`OpenError::Corrupt`] when the
    /// directory cannot be read.
    pub fn open(bytes: &'a [u8], limits: Limits) -> Result<Self, OpenError> {
        let too_many = OpenError::ArchiveTooManyMembers { limit: MAX_ENTRIES };
        if declared_entries(bytes).is_some_and(|n| n > MAX_ENTRIES as u64) {
            return Err(too_many);
        }
        let damaged = |_| OpenError::Corrupt("压缩包的目录损坏".to_string());
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
        if zip.len() > MAX_ENTRIES {
            return Err(too_many);
        }
        let mut members = Vec::new();
        let mut declared: u64 = 0;
        for index in 0..zip.len() {
            let entry = zip.by_index_raw(index).map_err(damaged)?;
            let path = decode_name(entry.name_raw());
            if entry.is_dir() || path.ends_with('/') || is_junk(&path) {
                continue;
            }
            declared = declared.saturating_add(entry.size());
            members.push(Member {
                index,
                path,
                size: entry.size(),
            });
        }
        if declared > limits.max_inflated_bytes {
            return Err(OpenError::ArchiveInflatesTooMuch {
                limit: limits.max_inflated_bytes,
            });
        }
        members.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Self {
            zip,
            members,
            limits,
        })
    }

    /// The members worth reading, in path order.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// Inflates one member, never past its declared size.
    ///
    /// # Errors
    /// [`OpenError::TooLarge`] past the file-size bound, [`OpenError::ArchivePassword`]
    /// for an encrypted member, [`OpenError::ArchiveMethod`] for a compression this
    /// tool does not inflate, [`OpenError::Corrupt`] when the data is damaged or
    /// inflates past what the zip declared.
    pub fn read(&self, member: &Member) -> Result<Vec<u8>, OpenError> {
        if member.size > self.limits.max_file_bytes {
            return Err(OpenError::TooLarge {
                size: member.size,
                limit: self.limits.max_file_bytes,
            });
        }
        // Each reader works on its own handle of the shared directory.
        let mut zip = self.zip.clone();
        let entry = zip
            .by_index(member.index)
            .map_err(|e| member_error(e, member))?;
        // The methods every zip writer offices use: others would fail mid-way, as
        // if the data were damaged. Method 99 is AES: a password.
        {
            use zip::CompressionMethod as M;
            match entry.compression() {
                M::STORE | M::DEFLATE => {}
                M::AES => return Err(OpenError::ArchivePassword),
                method => return Err(OpenError::ArchiveMethod(method_name(method))),
            }
        }
        let mut bytes = Vec::with_capacity(usize::try_from(member.size).unwrap_or(0));
        let damaged = || {
            OpenError::Corrupt(format!(
                "压缩包中的“{}”解压后与记录的大小或校验值不符",
                member.path
            ))
        };
        // The reader checks the checksum at the end of the data it was told of: a
        // member longer than declared fails it, or shows here one byte too many.
        entry
            .take(member.size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|_| damaged())?;
        if bytes.len() as u64 != member.size {
            return Err(damaged());
        }
        Ok(bytes)
    }
}

/// Why the zip reader would not give a member.
fn member_error(e: zip::result::ZipError, member: &Member) -> OpenError {
    use zip::result::ZipError as E;
    match e {
        E::UnsupportedArchive(why) if why == E::PASSWORD_REQUIRED => OpenError::ArchivePassword,
        E::InvalidPassword => OpenError::ArchivePassword,
        E::CompressionMethodNotSupported(_) => OpenError::ArchiveMethod("未知方式".to_string()),
        E::UnsupportedArchive(_) => OpenError::ArchiveMethod("未知".to_string()),
        _ => OpenError::Corrupt(format!("压缩包中的“{}”无法解压", member.path)),
    }
}

/// A compression method as 7-Zip and WinRAR name it in their menus.
fn method_name(method: zip::CompressionMethod) -> String {
    use zip::CompressionMethod as M;
    let name = match method {
        M::DEFLATE64 => "Deflate64",
        M::BZIP2 => "BZip2",
        M::LZMA => "LZMA",
        M::ZSTD | M::ZSTD_DEPRECATED => "Zstandard",
        M::XZ => "XZ",
        M::PPMD => "PPMd",
        M::SHRINK | M::REDUCE_1 | M::REDUCE_2 | M::REDUCE_3 | M::REDUCE_4 | M::IMPLODE => {
            "早期 PKZIP 方式"
        }
        _ => "未知方式",
    };
    name.to_string()
}

/// A member name as stored: UTF-8 when valid (whether or not the zip set the
/// UTF-8 flag; the reader has already put an Info-ZIP Unicode path in its place),
/// else GBK. Backslashes, which old Windows tools write, are folder separators.
pub fn decode_name(raw: &[u8]) -> String {
    let name = match std::str::from_utf8(raw) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(raw)
            .0
            .into_owned(),
    };
    name.replace('\\', "/").trim_start_matches('/').to_string()
}

/// A member left out without a word: macOS's resource forks, hidden and lock files.
fn is_junk(path: &str) -> bool {
    path.split('/')
        .any(|part| part == "__MACOSX" || (!part.is_empty() && is_lock_or_hidden(part)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_without_the_utf8_flag() {
        let gbk = encoding_rs::GBK
            .encode("3月报表\\海口市.xlsx")
            .0
            .into_owned();
        assert_eq!(decode_name(&gbk), "3月报表/海口市.xlsx");
        assert_eq!(decode_name("三亚市.xls".as_bytes()), "三亚市.xls");
        assert_eq!(decode_name(b"/abs/report.xlsx"), "abs/report.xlsx");
    }

    #[test]
    fn junk_members() {
        for path in [
            "__MACOSX/3月/._海口市.xlsx",
            "3月/.DS_Store",
            "3月/~$海口市.xlsx",
            "._海口市.xlsx",
        ] {
            assert!(is_junk(path), "{path}");
        }
        for path in ["3月/海口市.xlsx", "海口市.xlsx", "a.b/海口市.xlsx"] {
            assert!(!is_junk(path), "{path}");
        }
        let member = Member {
            index: 0,
            path: "3月报表/海口市.xlsx".into(),
            size: 1,
        };
        assert_eq!(
            (member.name(), member.folders()),
            ("海口市.xlsx", "3月报表/")
        );
    }

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, bytes) in members {
            writer.start_file(*name, options).expect("start");
            writer.write_all(bytes).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }

    #[test]
    fn members_are_bounded() {
        let bytes = zip_of(&[("a.xlsx", &[7u8; 3000]), ("b.xlsx", b"x")]);
        let small = Limits {
            max_file_bytes: 2000,
            max_inflated_bytes: 10_000,
            max_cells: 10,
        };
        let archive = Archive::open(&bytes, small).expect("open");
        let [a, b] = archive.members() else {
            panic!("two members: {:?}", archive.members());
        };
        assert_eq!(
            archive.read(a),
            Err(OpenError::TooLarge {
                size: 3000,
                limit: 2000
            })
        );
        assert_eq!(archive.read(b), Ok(b"x".to_vec()));
        let tight = Limits {
            max_inflated_bytes: 2500,
            ..small
        };
        assert_eq!(
            Archive::open(&bytes, tight).err(),
            Some(OpenError::ArchiveInflatesTooMuch { limit: 2500 })
        );
    }
}
