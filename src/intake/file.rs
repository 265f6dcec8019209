//! One file of the folder → what 来源文件 lists of it, and its returns. A zip of
//! returns gives one entry for itself and one for each member, each member read
//! as if it lay in the folder (by its content, within the same bounds). A file
//! that cannot be read is its unit's problem, the unit told by the file's name.

use std::path::Path;

use rayon::prelude::*;

use super::archive::{Archive, Member};
use super::folder::{Kind, file_name, kind};
use super::forms::{FileParts, unknown_senders};
use super::rows::SheetRead;
use super::{FileStatus, NamedMonths, ReadReturn, Reader, ReportPeriod, SourceFile};
use crate::digest::sha256_hex;
use crate::period::month_named;
use crate::problem::Problem;
use crate::table::guard::read_guarded;
use crate::table::package::is_archive;
use crate::table::workbook::OpenError;

/// A file to read: what problems call it, and the names that may name its unit
/// and its month, most specific first (a zip member's own name, its folders, the
/// zip's name).
struct Named {
    display: String,
    names: Vec<String>,
    /// How many of `names` are the file's own (a member's name and folders, not
    /// its zip's).
    own: usize,
    /// The zip it is a member of.
    archive: Option<String>,
}

impl Named {
    fn listed(&self, size: u64, sha256: String, status: FileStatus) -> SourceFile {
        SourceFile {
            name: self.display.clone(),
            size,
            sha256,
            unit: None,
            unknown_unit: None,
            status,
            returns: Vec::new(),
            archive: self.archive.clone(),
        }
    }
}

/// Reads one file of the folder: one entry, or a zip's and its members'.
pub(super) fn read_path(
    reader: &Reader,
    path: &Path,
    period: ReportPeriod,
) -> (Vec<SourceFile>, Vec<Problem>) {
    let name = file_name(path);
    let named = Named {
        display: name.clone(),
        names: vec![name.clone()],
        own: 1,
        archive: None,
    };
    let mut problems = Vec::new();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let kind = kind(&name);
    if matches!(kind, Kind::Other | Kind::OtherArchive) {
        // Hashed all the same, so 来源文件 traces every file and a changed folder shows.
        let sha256 = if size <= reader.limits.max_file_bytes {
            std::fs::read(path)
                .map(|b| sha256_hex(&b))
                .unwrap_or_default()
        } else {
            String::new()
        };
        return (vec![skipped(reader, &named, size, sha256, kind)], problems);
    }
    if size > reader.limits.max_file_bytes {
        let reason = OpenError::TooLarge {
            size,
            limit: reader.limits.max_file_bytes,
        };
        let file = unreadable(reader, &named, size, String::new(), reason);
        return (vec![file], problems);
    }
    let files = match std::fs::read(path) {
        Ok(bytes) => read_bytes(reader, &named, bytes, kind, period, &mut problems),
        Err(e) => {
            let reason = OpenError::CannotRead(crate::os::describe(&e));
            vec![unreadable(reader, &named, size, String::new(), reason)]
        }
    };
    (files, problems)
}

/// Reads a file's bytes, whatever it is named: a workbook or a text table's return,
/// or a zip's members (not for a zip's member: a zip inside a zip is not opened).
fn read_bytes(
    reader: &Reader,
    named: &Named,
    bytes: Vec<u8>,
    kind: Kind,
    period: ReportPeriod,
    problems: &mut Vec<Problem>,
) -> Vec<SourceFile> {
    let size = bytes.len() as u64;
    let sha256 = sha256_hex(&bytes);
    if is_archive(&bytes) {
        if named.archive.is_some() {
            return vec![unreadable(
                reader,
                named,
                size,
                sha256,
                OpenError::NestedArchive,
            )];
        }
        return read_archive(reader, named, &bytes, sha256, period, problems);
    }
    // Excel's "Unicode text" is a return; other text under a .txt name is a note.
    let unicode_text = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    let outcome = read_guarded(|| {
        super::sheets::read_workbook(
            bytes,
            reader.catalogue,
            reader.limits,
            &named.display,
            period,
        )
    });
    match outcome {
        Ok(sheet) => {
            let mut file = named.listed(size, sha256, FileStatus::Read);
            file.returns = returns_of(reader, named, sheet, problems);
            if let [one] = file.returns.as_slice()
                && !one.from_form
            {
                file.unit = one.unit;
                file.unknown_unit = one.unknown_unit.clone();
            }
            vec![file]
        }
        Err(
            OpenError::Text
            | OpenError::OneLine(_)
            | OpenError::NoReturn { .. }
            | OpenError::Html
            | OpenError::Unknown,
        ) if kind == Kind::Text && !unicode_text => {
            vec![skipped(reader, named, size, sha256, kind)]
        }
        Err(reason) => vec![unreadable(reader, named, size, sha256, reason)],
    }
}

/// A zip of returns: one entry for the zip, then its members, each read as if it
/// lay in the folder. A zip with no spreadsheet among its members is no return.
fn read_archive(
    reader: &Reader,
    named: &Named,
    bytes: &[u8],
    sha256: String,
    period: ReportPeriod,
    problems: &mut Vec<Problem>,
) -> Vec<SourceFile> {
    let size = bytes.len() as u64;
    let archive = match Archive::open(bytes, reader.limits) {
        Ok(archive) => archive,
        Err(reason) => return vec![unreadable(reader, named, size, sha256, reason)],
    };
    // A zip with no spreadsheet in it is a non-spreadsheet file, as a PDF is.
    let no_return = |sha256: String| {
        let why = "压缩包中没有电子表格文件，未读取".to_string();
        let mut file = named.listed(size, sha256, FileStatus::Skipped(why));
        file.unit = unit_named(reader, &named.names);
        vec![file]
    };
    let spreadsheets = archive
        .members()
        .iter()
        .any(|m| matches!(kind(m.name()), Kind::Spreadsheet | Kind::Text));
    if !spreadsheets {
        return no_return(sha256);
    }
    let members: Vec<(Vec<SourceFile>, Vec<Problem>)> = archive
        .members()
        .par_iter()
        .map(|member| {
            let mut found = Vec::new();
            let files = read_member(reader, named, &archive, member, period, &mut found);
            (files, found)
        })
        .collect();
    // Only notes in it (a .txt that is no table): no spreadsheet after all.
    if members
        .iter()
        .flat_map(|(files, _)| files)
        .all(|f| matches!(f.status, FileStatus::Skipped(_)))
    {
        return no_return(sha256);
    }
    let mut files = vec![named.listed(size, sha256, FileStatus::Read)];
    for (member_files, member_problems) in members {
        files.extend(member_files);
        problems.extend(member_problems);
    }
    files
}

/// One member of a zip, as if it lay in the folder.
fn read_member(
    reader: &Reader,
    zip: &Named,
    archive: &Archive,
    member: &Member,
    period: ReportPeriod,
    problems: &mut Vec<Problem>,
) -> Vec<SourceFile> {
    let mut names = vec![member.name().to_string()];
    if !member.folders().is_empty() {
        names.push(member.folders().to_string());
    }
    let own = names.len();
    names.extend(zip.names.iter().cloned());
    let named = Named {
        display: format!("{} › {}", zip.display, member.path),
        names,
        own,
        archive: Some(zip.display.clone()),
    };
    let kind = kind(member.name());
    let bytes = match kind {
        Kind::Spreadsheet | Kind::Text | Kind::Zip => archive.read(member),
        // Not inflated: listed by name, as a file in the folder would be.
        Kind::Other | Kind::OtherArchive => {
            return vec![skipped(reader, &named, member.size, String::new(), kind)];
        }
    };
    match bytes {
        Ok(bytes) => read_bytes(reader, &named, bytes, kind, period, problems),
        Err(reason) => vec![unreadable(
            reader,
            &named,
            member.size,
            String::new(),
            reason,
        )],
    }
}

/// The returns a data sheet holds: the sheet itself for a county's return, one per
/// unit and submission for an online-form export; each given its unit, the time it
/// was filed, the months it names, and its sub-rows joined.
fn returns_of(
    reader: &Reader,
    named: &Named,
    sheet: SheetRead,
    problems: &mut Vec<Problem>,
) -> Vec<ReadReturn> {
    let SheetRead {
        sheet: sheet_name,
        data_start,
        meta,
        rows,
        problems: sheet_problems,
        form,
        sheet_month,
    } = sheet;
    let months = NamedMonths {
        title: meta.title.as_deref().and_then(month_named),
        file: named.names.iter().find_map(|n| month_named(n)),
        sheet: sheet_month,
    };
    let file = named.display.as_str();
    let mut returns = match form {
        None => {
            let mut read = ReadReturn {
                sheet: sheet_name,
                data_start,
                filed: meta.fill_date.and_then(|d| d.and_hms_opt(0, 0, 0)),
                meta,
                row_count: rows.len(),
                rows,
                problems: sheet_problems,
                unit: None,
                unknown_unit: None,
                months,
                superseded_by: None,
                from_form: false,
            };
            super::unit::identify(file, &named.names, &mut read, reader.roster, problems);
            vec![read]
        }
        Some(keys) => {
            let parts = FileParts {
                sheet: sheet_name,
                data_start,
                meta,
                months,
            };
            let mut returns = parts.split_by_sender(rows, keys, reader.roster);
            // A problem about a row goes with the return the row belongs to; the rest (a
            // row no task could be found for, the file's own notes) is the file's.
            for p in sheet_problems {
                let owner = p.location.and_then(|l| {
                    returns
                        .iter_mut()
                        .find(|r| r.rows.iter().any(|row| row.row == l.row))
                });
                match owner {
                    Some(read) => read.problems.push(p),
                    None => problems.push(p),
                }
            }
            problems.extend(unknown_senders(file, &returns));
            returns
        }
    };
    for read in &mut returns {
        let rows = std::mem::take(&mut read.rows);
        read.rows = super::subrows::join(rows, file, &read.sheet, &mut read.problems);
    }
    returns
}

/// The first roster unit the names name.
fn unit_named(reader: &Reader, names: &[String]) -> Option<usize> {
    names.iter().find_map(|n| reader.roster.find_in(n))
}

/// A file not opened: not a spreadsheet by its name. Named for a unit, it is that
/// unit's attempt to report: intake says so once the returns are resolved. A note
/// or a scan beside the returns in a zip is a unit's only when its own name says
/// so: the zip's name speaks for the bundle.
fn skipped(reader: &Reader, named: &Named, size: u64, sha256: String, kind: Kind) -> SourceFile {
    let why = match kind {
        Kind::OtherArchive => "是 zip 以外的压缩包（如 RAR、7z），本工具无法打开，未读取",
        _ => "不是电子表格文件，未读取",
    };
    let mut file = named.listed(size, sha256, FileStatus::Skipped(why.to_string()));
    file.unit = unit_named(reader, &named.names[..named.own]);
    file
}

/// A file that could not be read; its unit is the one its name names. Its problem
/// is said once the returns are resolved ([`super::supersede::flag_unread_files`]).
fn unreadable(
    reader: &Reader,
    named: &Named,
    size: u64,
    sha256: String,
    reason: OpenError,
) -> SourceFile {
    let mut file = named.listed(size, sha256, FileStatus::Unreadable(reason));
    file.unit = unit_named(reader, &named.names);
    file
}
