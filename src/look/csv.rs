//! Every CSV the tool writes (明细 and 催报名单 beside the workbook, the upload
//! server's `/chase.csv`) goes through [`CsvWriter`]: UTF-8 with a byte-order
//! mark, so Excel opens Chinese text right, and no cell a spreadsheet would run.
//!
//! A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
//! Excel, LibreOffice and WPS as a formula (the "CSV injection" of OWASP), however
//! it got there: a county's 进展情况 may well begin with `-`. Such a cell is
//! written with a leading `'`, which the spreadsheet shows and never runs;
//! [`restore`] takes it off again when the tool reads its own CSV back.

use std::borrow::Cow;
use std::io::Write;

/// The byte-order mark Excel needs to read a CSV as UTF-8.
const BOM: &str = "\u{feff}";

/// What a cell must not begin with.
fn is_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// The cell as written: with a leading `'` when a spreadsheet would run it.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if is_trigger(c) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// The cell as it was before [`neutralise`].
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.chars().next().is_some_and(is_trigger) => rest,
        _ => cell,
    }
}

/// A CSV being written: the byte-order mark first, then rows of neutralised cells.
pub struct CsvWriter<W: Write> {
    inner: ::csv::Writer<W>,
    /// The row being written, kept to be filled again.
    record: ::csv::ByteRecord,
}

fn io(e: ::csv::Error) -> std::io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> CsvWriter<W> {
    /// Starts a CSV on `out` with its header row.
    ///
    /// # Errors
    /// When `out` cannot be written.
    pub fn new<T: AsRef<str>>(
        mut out: W,
        header: impl IntoIterator<Item = T>,
    ) -> std::io::Result<Self> {
        out.write_all(BOM.as_bytes())?;
        let mut writer = Self {
            inner: ::csv::Writer::from_writer(out),
            record: ::csv::ByteRecord::new(),
        };
        writer.row(header)?;
        Ok(writer)
    }

    /// Writes one row.
    ///
    /// # Errors
    /// When the output cannot be written.
    pub fn row<T: AsRef<str>>(
        &mut self,
        cells: impl IntoIterator<Item = T>,
    ) -> std::io::Result<()> {
        self.record.clear();
        for cell in cells {
            self.record.push_field(neutralise(cell.as_ref()).as_bytes());
        }
        self.inner.write_byte_record(&self.record).map_err(io)
    }

    /// Flushes what is written and gives the output back.
    ///
    /// # Errors
    /// When the output cannot be written.
    pub fn finish(self) -> std::io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

/// A whole CSV in memory: `header`, then `rows`.
pub fn to_bytes<R, T>(header: &[&str], rows: impl IntoIterator<Item = R>) -> Vec<u8>
where
    R: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    // Writing to a Vec cannot fail.
    let mut bytes = Vec::new();
    if let Ok(mut writer) = CsvWriter::new(&mut bytes, header) {
        for row in rows {
            let _ = writer.row(row);
        }
        let _ = writer.finish();
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised_and_restored() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+86 898 6523", "'+86 898 6523"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("推进中", "推进中"),
            ("", ""),
            ("'单引号开头", "'单引号开头"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralise(cell), written, "{cell:?}");
            assert_eq!(restore(written), cell, "{written:?}");
        }
    }

    #[test]
    fn a_csv_opens_with_its_bom_and_header() {
        let bytes = to_bytes(&["单位", "情况"], [["海口市", "=1+1"]]);
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(text, "\u{feff}单位,情况\n海口市,'=1+1\n");
    }
}
