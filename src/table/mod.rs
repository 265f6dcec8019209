//! Spreadsheet files of any format → sheets of cells, and the table words the
//! plan's documents share.
//!
//! The lowest stage of the pipeline: the task table ([`crate::catalogue`]) and the
//! returns ([`crate::intake`]) are both read through it. [`workbook`] decides what
//! a file is by its content and reads it with calamine, after [`xls`] and
//! [`package`] have bounded what that will cost and repaired in memory what
//! calamine would refuse; [`text`] reads web and text exports. Every reader gives
//! [`grid::Sheet`]s. [`header`] finds a table's header row and what each column
//! holds (序号, 主要任务, 完成状态 …); [`cells`] reads cell text and task numbers.
//! [`guard`] keeps a reading library's panic on one file from stopping the run.
//! What the rows of a return mean is intake's business.

pub mod cells;
pub mod format;
pub mod grid;
pub mod guard;
pub mod header;
pub mod package;
pub mod text;
pub mod workbook;
pub mod xls;

/// A file's extension, lower-cased (`报表.XLSX` → `xlsx`); empty when it has none.
pub fn extension(path: &std::path::Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}
