//! The files a run reads, and what each one's name says it is. A folder is read
//! in name order, lock and hidden files left out; a zip's members are named alike.

use std::path::{Path, PathBuf};

/// Extensions read as spreadsheets (the format is then decided by content): Excel's
/// and its templates (a return saved as a template by mistake is still a return),
/// WPS's, OpenDocument's, Excel 2003 XML, the CSV an online form exports, and the
/// text and web formats a spreadsheet program saves (read, or named for what they are).
const SPREADSHEET_EXTENSIONS: [&str; 20] = [
    "xlsx", "xlsm", "xls", "xlsb", "ods", "et", "ett", "xlt", "xltx", "xltm", "ots", "fods", "xml",
    "csv", "tsv", "slk", "dif", "htm", "html", "xhtml",
];

/// Archive formats this tool does not open: said so, rather than "not a spreadsheet".
const OTHER_ARCHIVES: [&str; 6] = ["rar", "7z", "tar", "gz", "tgz", "bz2"];

/// What a file's name says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A spreadsheet or a table a spreadsheet program saved.
    Spreadsheet,
    /// A `.txt`: Excel's "Unicode text" when it is a table, else no return.
    Text,
    /// A `.zip`: a zip of returns, or a workbook under a zip name.
    Zip,
    /// Another archive format (`.rar`, `.7z`…): not opened.
    OtherArchive,
    /// Anything else (a .pdf, a .docx, a picture…).
    Other,
}

/// What a file named `name` is, by its extension (any case).
pub fn kind(name: &str) -> Kind {
    let ext = crate::table::extension(Path::new(name));
    match ext.as_str() {
        e if SPREADSHEET_EXTENSIONS.contains(&e) => Kind::Spreadsheet,
        "txt" => Kind::Text,
        "zip" => Kind::Zip,
        e if OTHER_ARCHIVES.contains(&e) => Kind::OtherArchive,
        _ => Kind::Other,
    }
}

/// `~$name.xlsx` is Excel's lock file and `.name` a hidden file (`.DS_Store`, a
/// macOS `._name` resource fork): neither is a return. `Thumbs.db` and
/// `desktop.ini`, Windows' folder files, are none either.
pub fn is_lock_or_hidden(name: &str) -> bool {
    name.starts_with("~$")
        || name.starts_with('.')
        || name.eq_ignore_ascii_case("thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
}

/// The files of a folder a run reads, in name order: lock and hidden files left out.
///
/// # Errors
/// When the folder cannot be listed.
pub fn list_folder(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_none_or(|n| !is_lock_or_hidden(n))
        })
        .collect();
    paths.sort();
    Ok(paths)
}

/// A path's last component as text.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        let cases = [
            ("海口市.xlsx", Kind::Spreadsheet),
            ("海口市.XLS", Kind::Spreadsheet),
            ("问卷.csv", Kind::Spreadsheet),
            ("海口市.txt", Kind::Text),
            ("报表.ZIP", Kind::Zip),
            ("报表.rar", Kind::OtherArchive),
            ("说明.docx", Kind::Other),
            ("无扩展名", Kind::Other),
        ];
        for (name, want) in cases {
            assert_eq!(kind(name), want, "{name}");
        }
        for name in ["~$海口市.xlsx", ".DS_Store", "._海口市.xlsx", "Thumbs.db"] {
            assert!(is_lock_or_hidden(name), "{name}");
        }
        assert!(!is_lock_or_hidden("海口市.xlsx"));
    }
}
