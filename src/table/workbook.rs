//! Bytes → sheets of cells, whatever the file's name claims.
//!
//! The format is decided by content (an OLE container, a zip holding a workbook
//! part, or text), then calamine reads it; [`super::xls`] and [`super::package`]
//! look below calamine first, to bound what it will cost and to repair in memory
//! what it would refuse. Sheets come back as [`Grid`]s that hold only non-empty
//! cells, so a stray cell at XFD1048576 costs one cell, not a dense grid. What the
//! header means is [`super::header`]'s business.

use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, Ods, Reader, SheetType, SheetVisible, Xls, XlsOptions, Xlsb, Xlsx};

use super::cells::is_blank;
pub use super::format::{DateSystem, Format, Limits, OpenError};
use super::grid::{Grid, Merge, PendingFormula, Sheet};
use super::package::{self, SheetFormulas, SheetMerges};
use super::xls;

/// A workbook opened from bytes, sheets read lazily.
pub struct Workbook {
    pub format: Format,
    inner: Inner,
    limits: Limits,
    /// Merged areas found before the reader ran, for formats whose reader gives none.
    merges: SheetMerges,
    /// How the workbook counts serial day numbers.
    date_system: DateSystem,
    /// Formula cells without a stored result, by sheet: found before the reader ran
    /// (.ods, Excel 2003 XML) or while a sheet is read (.xlsx).
    pending: SheetFormulas,
}

/// The bytes an .xlsx reader reads, kept so a sheet calamine fails on can be
/// repaired and read again without copying the file first.
#[derive(Clone)]
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

enum Inner {
    Xlsx {
        reader: Box<Xlsx<Cursor<Shared>>>,
        bytes: Shared,
        /// Whether the numbers' types were already taken off (see [`package::without_number_types`]).
        repaired: bool,
        /// The part each sheet is stored in, when found as calamine found them.
        parts: Option<Vec<(String, String)>>,
    },
    Xlsb(Box<Xlsb<Cursor<Vec<u8>>>>),
    Xls(Box<Xls<Cursor<Vec<u8>>>>),
    Ods(Box<Ods<Cursor<Vec<u8>>>>),
    /// A web export or an XML spreadsheet, already read into sheets.
    Text(Vec<Sheet>),
}

/// What sniffing found: the format, and what the reader must be given.
struct Sniffed {
    format: Format,
    merges: SheetMerges,
    /// The bytes to read instead of the file's: an in-memory repair.
    repaired: Option<Vec<u8>>,
    /// The code page calamine must read an .xls with.
    codepage: Option<u16>,
    /// An .ods's own date system, when it declares one.
    date_system: Option<DateSystem>,
    /// An .ods's formula cells without a result.
    pending: SheetFormulas,
}

impl Sniffed {
    fn plain(format: Format) -> Self {
        Self {
            format,
            merges: Vec::new(),
            repaired: None,
            codepage: None,
            date_system: None,
            pending: Vec::new(),
        }
    }
}

/// Whether text bytes begin with a UTF-16 byte-order mark: Excel's "Unicode text"
/// (`.txt`, tab-separated), whatever the file is named.
fn is_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])
}

/// What the bytes are, by content alone, before any sheet is read: the check a
/// collection server makes to refuse a PDF or a photo before storing it. Cheap:
/// the magic bytes and, for a zip, its directory and declared sizes.
///
/// # Errors
/// An [`OpenError`] naming what the file is instead (PDF, picture, Word…), or
/// that it is empty, too large or would inflate too much.
pub fn sniff_format(bytes: &[u8], limits: &Limits) -> Result<Format, OpenError> {
    sniff(bytes, limits).map(|sniffed| sniffed.format)
}

/// Decides what the bytes are before any parser sees them.
///
/// # Errors
/// An [`OpenError`] naming what the file is instead, when it is not a workbook.
fn sniff(bytes: &[u8], limits: &Limits) -> Result<Sniffed, OpenError> {
    if bytes.is_empty() {
        return Err(OpenError::Empty);
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(OpenError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    if bytes.starts_with(b"%PDF") {
        return Err(OpenError::Pdf);
    }
    if [&b"\x89PNG"[..], b"\xFF\xD8\xFF", b"GIF87a", b"GIF89a"]
        .iter()
        .any(|magic| bytes.starts_with(magic))
    {
        return Err(OpenError::Image);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return sniff_xls(bytes, limits);
    }
    if bytes.starts_with(b"PK") {
        let package = package::sniff(bytes, limits)?;
        return Ok(Sniffed {
            format: package.format,
            merges: package.merges,
            repaired: package.repaired,
            codepage: None,
            date_system: package.date_system,
            pending: package.pending,
        });
    }
    let head = super::text::decode(&bytes[..bytes.len().min(4096)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    let lower = head.to_ascii_lowercase();
    if lower.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        return Ok(Sniffed::plain(Format::SpreadsheetMl));
    }
    if lower.contains("opendocument.spreadsheet") && lower.contains("office:document") {
        return Err(OpenError::OtherFormat(
            "OpenDocument 平面 XML 表格（.fods）",
        ));
    }
    if head.starts_with('<') {
        return Ok(Sniffed::plain(Format::Html));
    }
    if head.starts_with("ID;P") {
        return Err(OpenError::OtherFormat("SYLK 文本表格"));
    }
    if head.starts_with("TABLE\r\n0,1") || head.starts_with("TABLE\n0,1") {
        return Err(OpenError::OtherFormat("DIF 文本表格"));
    }
    // UTF-16 text holds a zero byte in every ASCII character.
    if is_utf16(bytes) || looks_like_text(&bytes[..bytes.len().min(4096)]) {
        return Ok(Sniffed::plain(Format::Csv));
    }
    Err(OpenError::Unknown)
}

/// An OLE container: an Excel 97-2003 workbook, encrypted or not, or something else.
fn sniff_xls(bytes: &[u8], limits: &Limits) -> Result<Sniffed, OpenError> {
    if contains_utf16(bytes, "EncryptedPackage") {
        return Err(OpenError::Password);
    }
    let biff = match xls::read(bytes) {
        Ok(biff) => biff,
        // A Word 97-2003 document (or a WPS text file) renamed .xls.
        Err(_) if contains_utf16(bytes, "WordDocument") => return Err(OpenError::WordDocument),
        Err(xls::NotBiff::NoWorkbook) => return Err(OpenError::Unknown),
        Err(xls::NotBiff::Damaged) => return Err(OpenError::Corrupt("复合文档结构损坏".into())),
    };
    // Encrypted records cannot be measured, and calamine misses XOR encryption and
    // reads the scrambled records: encryption is looked at first. A file encrypted
    // only because its structure is protected opens without a password: it is
    // decrypted in memory and read.
    let mut repaired = None;
    if let Some(data) = &biff.filepass {
        if !xls::Encryption::parse(data).uses_default_password() {
            return Err(OpenError::Password);
        }
        repaired = Some(xls::decrypt_default(&biff).ok_or(OpenError::StructureProtected)?);
    }
    let plain = match &repaired {
        Some(plain) => xls::read(plain).map_err(|_| OpenError::StructureProtected)?,
        None => biff,
    };
    // calamine lays every .xls sheet out densely when it opens the file: two cells
    // far apart cost gigabytes. Measure the spread before it does.
    if xls::dense_cells(&plain.stream) > limits.max_cells as u64 {
        return Err(OpenError::TooSpread {
            limit: limits.max_cells,
        });
    }
    Ok(Sniffed {
        codepage: plain.forced_codepage(),
        repaired,
        ..Sniffed::plain(Format::Xls)
    })
}

fn contains_utf16(haystack: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    haystack
        .windows(pattern.len())
        .any(|w| w == pattern.as_slice())
}

fn looks_like_text(head: &[u8]) -> bool {
    !head.contains(&0) && (std::str::from_utf8(head).is_ok() || head.iter().all(|b| *b >= 0x09))
}

impl Workbook {
    /// Opens a workbook from its bytes.
    ///
    /// # Errors
    /// An [`OpenError`] with the reason in Chinese when the bytes are not a readable workbook.
    pub fn open(bytes: Vec<u8>, limits: Limits) -> Result<Self, OpenError> {
        let Sniffed {
            format,
            merges,
            repaired,
            codepage,
            date_system,
            mut pending,
        } = sniff(&bytes, &limits)?;
        let tab_separated = is_utf16(&bytes);
        let bytes = repaired.unwrap_or(bytes);
        let mut date_1904 = false;
        let inner = match format {
            Format::Xlsx => {
                let bytes = Shared(Arc::new(bytes));
                let reader =
                    Xlsx::new(Cursor::new(bytes.clone())).map_err(|e| xlsx_error(e, &bytes.0))?;
                // Trusted only where they name the sheets calamine lists, in its order.
                let parts = package::sheet_parts(&bytes.0).filter(|parts| {
                    let listed = reader.sheets_metadata();
                    parts.len() == listed.len()
                        && parts
                            .iter()
                            .zip(listed)
                            .all(|((name, _), sheet)| *name == sheet.name)
                });
                Inner::Xlsx {
                    reader: Box::new(reader),
                    bytes,
                    repaired: false,
                    parts,
                }
            }
            Format::Xlsb => {
                Inner::Xlsb(Box::new(Xlsb::new(Cursor::new(bytes)).map_err(xlsb_error)?))
            }
            Format::Xls => {
                let mut options = XlsOptions::default();
                options.force_codepage = codepage;
                Inner::Xls(Box::new(
                    Xls::new_with_options(Cursor::new(bytes), options).map_err(xls_error)?,
                ))
            }
            Format::Ods => Inner::Ods(Box::new(Ods::new(Cursor::new(bytes)).map_err(ods_error)?)),
            Format::Html | Format::Csv | Format::SpreadsheetMl => {
                let text = super::text::decode(&bytes);
                Inner::Text(match format {
                    Format::Html => {
                        let (grid, merges) = super::text::read_html(&text, limits.max_cells)?;
                        vec![text_sheet("网页表格", grid, merges)]
                    }
                    Format::Csv => {
                        let grid = super::text::read_csv(&text, limits.max_cells, tab_separated)?;
                        vec![text_sheet("文本表格", grid, Vec::new())]
                    }
                    _ => {
                        let xml = super::text::read_spreadsheet_ml(&text, limits.max_cells)?;
                        date_1904 = xml.date_1904;
                        pending = xml.pending;
                        xml.sheets
                    }
                })
            }
        };
        let date_system = date_system.unwrap_or_else(|| {
            DateSystem::excel(match &inner {
                Inner::Xlsx { reader, .. } => reader.has_1904_epoch(),
                Inner::Xlsb(wb) => wb.has_1904_epoch(),
                Inner::Xls(wb) => wb.has_1904_epoch(),
                Inner::Ods(_) => false,
                Inner::Text(_) => date_1904,
            })
        });
        let workbook = Self {
            format,
            inner,
            limits,
            merges,
            date_system,
            pending,
        };
        // calamine opens a package whose workbook part is missing with no sheets and no error.
        if workbook.sheet_count() == 0 {
            return Err(OpenError::NoSheets);
        }
        Ok(workbook)
    }

    /// How many sheets the workbook lists, of every kind (chart and macro sheets too).
    pub fn sheet_count(&self) -> usize {
        match &self.inner {
            Inner::Xlsx { reader, .. } => reader.sheets_metadata().len(),
            Inner::Xlsb(wb) => wb.sheets_metadata().len(),
            Inner::Xls(wb) => wb.sheets_metadata().len(),
            Inner::Ods(wb) => wb.sheets_metadata().len(),
            Inner::Text(sheets) => sheets.len(),
        }
    }

    /// How the workbook counts serial day numbers: what a bare number in a date
    /// column means. Date cells come back as dates already, in the same system.
    pub fn date_system(&self) -> DateSystem {
        self.date_system
    }

    /// The formula cells of sheet `name` that hold no result (the workbook was
    /// written by a program that does not calculate). An .xlsx sheet's are known
    /// once it has been read; .xls and .xlsb files always store a result.
    pub fn pending_formulas(&self, name: &str) -> &[PendingFormula] {
        self.pending
            .iter()
            .find(|(sheet, _)| sheet == name)
            .map_or(&[], |(_, cells)| cells.as_slice())
    }

    /// The worksheets in workbook order: (name, hidden). Chart and macro sheets are left out.
    pub fn worksheet_names(&self) -> Vec<(String, bool)> {
        let sheets = match &self.inner {
            Inner::Xlsx { reader, .. } => reader.sheets_metadata(),
            Inner::Xlsb(wb) => wb.sheets_metadata(),
            Inner::Xls(wb) => wb.sheets_metadata(),
            Inner::Ods(wb) => wb.sheets_metadata(),
            Inner::Text(sheets) => {
                return sheets.iter().map(|s| (s.name.clone(), s.hidden)).collect();
            }
        };
        sheets
            .iter()
            .filter(|s| s.typ == SheetType::WorkSheet)
            .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
            .collect()
    }

    /// Reads one sheet's non-empty cells and merged areas.
    ///
    /// # Errors
    /// When the sheet's data is corrupt or holds more cells than the limit allows.
    pub fn read_sheet(&mut self, name: &str, hidden: bool) -> Result<Sheet, OpenError> {
        let limit = self.limits.max_cells;
        let too_many = || OpenError::TooManyCells {
            sheet: name.to_string(),
            limit,
        };
        let (cells, merges) = match &mut self.inner {
            Inner::Text(sheets) => {
                return sheets
                    .iter()
                    .find(|s| s.name == name)
                    .cloned()
                    .ok_or(OpenError::NoSheets);
            }
            Inner::Xlsx {
                reader,
                bytes,
                repaired,
                parts,
            } => {
                let cells = match xlsx_cells(reader, name, limit) {
                    // A number calamine cannot parse fails the whole sheet: read it
                    // again from a package whose numbers are untyped.
                    Err(calamine::XlsxError::ParseFloat(_)) if !*repaired => {
                        let fixed = package::without_number_types(&bytes.0)
                            .ok_or_else(|| OpenError::Corrupt("数字单元格无法解析".into()))?;
                        *bytes = Shared(Arc::new(fixed));
                        **reader = Xlsx::new(Cursor::new(bytes.clone()))
                            .map_err(|e| xlsx_error(e, &bytes.0))?;
                        *repaired = true;
                        xlsx_cells(reader, name, limit)
                    }
                    other => other,
                };
                let (cells, pending) = match cells {
                    Ok(Some(read)) => read,
                    Ok(None) => return Err(too_many()),
                    Err(e) => return Err(xlsx_error(e, &bytes.0)),
                };
                self.pending.retain(|(sheet, _)| sheet != name);
                if !pending.is_empty() {
                    self.pending.push((name.to_string(), pending));
                }
                // Merged areas widen a parent header cell and carry a status or a
                // date down over the task rows they span. calamine finds them by
                // parsing the whole sheet again; they are looked for in its bytes
                // first (a fifth of reading a national folder went to that pass).
                let merges = parts
                    .as_ref()
                    .and_then(|parts| parts.iter().find(|(sheet, _)| sheet == name))
                    .and_then(|(_, part)| package::part_merges(&bytes.0, part))
                    .unwrap_or_else(|| {
                        reader
                            .merge_cells_by_sheet_name(name)
                            .unwrap_or_default()
                            .iter()
                            .map(dims)
                            .collect()
                    });
                (cells, merges)
            }
            Inner::Xlsb(wb) => {
                let mut reader = wb.worksheet_cells_reader(name).map_err(xlsb_error)?;
                let mut cells = Cells::new(limit);
                while let Some(cell) = reader.next_cell().map_err(xlsb_error)? {
                    if !cells.push(cell.get_position(), cell.get_value().clone().into()) {
                        return Err(too_many());
                    }
                }
                (cells.0, Vec::new())
            }
            Inner::Xls(wb) => {
                let range = wb.worksheet_range(name).map_err(xls_error)?;
                let merges = wb
                    .merge_cells_by_sheet_name(name)
                    .unwrap_or_default()
                    .iter()
                    .map(dims)
                    .collect();
                (range_cells(&range, limit).ok_or_else(too_many)?, merges)
            }
            Inner::Ods(wb) => {
                let range = wb.worksheet_range(name).map_err(ods_error)?;
                let merges = self
                    .merges
                    .iter()
                    .find(|(sheet, _)| sheet == name)
                    .map(|(_, m)| m.clone())
                    .unwrap_or_default();
                (range_cells(&range, limit).ok_or_else(too_many)?, merges)
            }
        };
        Ok(Sheet {
            name: name.to_string(),
            hidden,
            grid: Grid::from_cells(cells),
            merges,
        })
    }
}

/// A sheet's non-empty cells from an .xlsx, and its formula cells that hold no
/// result; `None` past the limit.
fn xlsx_cells(
    reader: &mut Xlsx<Cursor<Shared>>,
    name: &str,
    limit: usize,
) -> Result<Option<(Placed, Vec<PendingFormula>)>, calamine::XlsxError> {
    let mut cells_reader = reader.worksheet_cells_reader(name)?;
    let mut cells = Cells::new(limit);
    let mut pending = Vec::new();
    while let Some(cell) = cells_reader.next_cell_with_formula()? {
        let value: Data = cell.value.into();
        // A formula with no <v> at all: the writer never calculated it. An empty
        // string result is stored as one, and is a value.
        if let (Some(formula), Data::Empty) = (&cell.formula, &value)
            && pending.len() < limit
        {
            pending.push(PendingFormula {
                row: cell.pos.0,
                col: cell.pos.1,
                formula: format!("={formula}"),
            });
        }
        if !cells.push(cell.pos, value) {
            return Ok(None);
        }
    }
    Ok(Some((cells.0, pending)))
}

fn text_sheet(name: &str, grid: Grid, merges: Vec<Merge>) -> Sheet {
    Sheet {
        name: name.to_string(),
        hidden: false,
        grid,
        merges,
    }
}

fn dims(d: &calamine::Dimensions) -> Merge {
    (d.start.0, d.start.1, d.end.0, d.end.1)
}

/// Non-empty cells with their (row, column), in any order.
type Placed = Vec<(u32, u32, Data)>;

/// Non-empty cells collected up to a limit.
struct Cells(Placed, usize);

impl Cells {
    fn new(limit: usize) -> Self {
        Self(Vec::new(), limit)
    }

    /// Keeps a non-empty cell; `false` once the limit is passed.
    fn push(&mut self, (row, col): (u32, u32), value: Data) -> bool {
        if is_blank(&value) {
            return true;
        }
        if self.0.len() >= self.1 {
            return false;
        }
        self.0.push((row, col, value));
        true
    }
}

/// The non-empty cells of a range with absolute positions, or `None` past the limit.
fn range_cells(range: &calamine::Range<Data>, limit: usize) -> Option<Placed> {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut cells = Cells::new(limit);
    for (r, c, v) in range.used_cells() {
        if !cells.push((r0 + r as u32, c0 + c as u32), v.clone()) {
            return None;
        }
    }
    Some(cells.0)
}

/// calamine's reason for refusing an .xlsx. A part that does not inflate to what
/// the zip records is named; a sheet type calamine does not know is its limit, not damage.
fn xlsx_error(e: calamine::XlsxError, bytes: &[u8]) -> OpenError {
    use calamine::XlsxError as E;
    match e {
        E::Password => OpenError::Password,
        E::Unrecognized { .. } => OpenError::Unsupported(e.to_string()),
        E::Io(_) | E::Zip(_) | E::Xml(_) => match package::damaged_part(bytes) {
            Some(part) => {
                OpenError::Corrupt(format!("压缩包中的 {part} 解压后与记录的大小或校验值不符"))
            }
            None => OpenError::Corrupt(e.to_string()),
        },
        other => OpenError::Corrupt(other.to_string()),
    }
}

fn xlsb_error(e: calamine::XlsbError) -> OpenError {
    use calamine::XlsbError as E;
    match e {
        E::Password => OpenError::Password,
        E::Unrecognized { .. } | E::UnsupportedType(_) | E::Etpg(_) | E::Ptg(_) => {
            OpenError::Unsupported(e.to_string())
        }
        other => OpenError::Corrupt(other.to_string()),
    }
}

fn xls_error(e: calamine::XlsError) -> OpenError {
    use calamine::XlsError as E;
    match e {
        E::Password => OpenError::Password,
        E::Unrecognized { .. } | E::Etpg(_) => OpenError::Unsupported(e.to_string()),
        other => OpenError::Corrupt(other.to_string()),
    }
}

fn ods_error(e: calamine::OdsError) -> OpenError {
    match e {
        calamine::OdsError::Password => OpenError::Password,
        other => OpenError::Corrupt(other.to_string()),
    }
}
