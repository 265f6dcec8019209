//! Bytes → sheets of cells, whatever the file's name claims.
//!
//! The format is decided by content (an OLE container, a zip holding a workbook
//! part, or text), then calamine reads it. Sheets come back as [`Grid`]s that
//! hold only non-empty cells, so a stray cell at XFD1048576 costs one cell, not a
//! dense grid. What the header means is [`super::header`]'s business.

use std::io::Cursor;

use calamine::{Data, Ods, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx};

use super::values::is_blank;

/// Bounds that keep one hostile file from exhausting the machine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file read at all, in bytes.
    pub max_file_bytes: u64,
    /// Largest total the zip parts may inflate to, in bytes.
    pub max_inflated_bytes: u64,
    /// Most non-empty cells read from one sheet.
    pub max_cells: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 50 * 1024 * 1024,
            max_inflated_bytes: 500 * 1024 * 1024,
            max_cells: 2_000_000,
        }
    }
}

/// The container a file really is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    /// An HTML page saved with a spreadsheet name.
    Html,
    /// Delimited text saved with a spreadsheet name.
    Csv,
}

/// Why a file could not be read as a workbook. Each message tells the county what to do.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OpenError {
    #[error("文件为空（0 字节）：请重新导出后报送")]
    Empty,
    #[error("文件过大（{size} 字节，上限 {limit} 字节）：请删除无关工作表或图片后重新报送")]
    TooLarge { size: u64, limit: u64 },
    #[error("文件解压后过大（超过 {limit} 字节），可能已损坏：请另存为 .xlsx 后重新报送")]
    InflatesTooMuch { limit: u64 },
    #[error("文件设有密码：请取消密码后重新报送")]
    Password,
    #[error("这是 Word 文档，不是电子表格：请用 Excel 模板填报后重新报送")]
    WordDocument,
    #[error(
        "这是网页（HTML）或 XML 文件，其中没有可读的表格：请用 Excel 打开后另存为 .xlsx 再报送"
    )]
    Html,
    #[error("这是文本文件，不是可读的表格：请用 Excel 打开后另存为 .xlsx 再报送")]
    Text,
    #[error("这是 PDF 文件，不是电子表格：请以 Excel 文件报送（用模板填写后另存为 .xlsx）")]
    Pdf,
    #[error("这是图片文件，不是电子表格：请以 Excel 文件报送（用模板填写后另存为 .xlsx）")]
    Image,
    #[error("不是可识别的电子表格文件：请另存为 .xlsx 后重新报送")]
    Unknown,
    /// A valid file the reading library cannot open; the library's reason is kept.
    #[error(
        "读取库不支持该文件（{0}），文件本身未必损坏：请用 Excel 或 WPS 打开后另存为 .xlsx 再报送"
    )]
    Unsupported(String),
    /// The reading library stopped on the file (it panicked); its message is kept.
    #[error(
        "读取库不支持该文件，读取时中断（{0}），文件本身未必损坏：请用 Excel 或 WPS 打开后另存为 .xlsx 再报送"
    )]
    ReaderFailed(String),
    #[error("文件已损坏或不完整，无法读取（{0}）：请重新保存为 .xlsx 后报送")]
    Corrupt(String),
    #[error("工作表“{sheet}”超过 {limit} 个非空单元格：请只保留进展情况表后重新报送")]
    TooManyCells { sheet: String, limit: usize },
    /// Cells so far apart that reading the sheet would take more than `limit` cells of memory.
    #[error(
        "表格中有相距很远的单元格（按所占区域计超过 {limit} 个单元格），文件可能已损坏：请删除表格以外的多余内容，另存为 .xlsx 后重新报送"
    )]
    TooSpread { limit: usize },
}

/// One non-empty row of a sheet: its 0-based row index and its non-empty cells by column.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRow {
    pub index: u32,
    pub cells: Vec<(u32, Data)>,
}

impl GridRow {
    pub fn get(&self, col: u32) -> Option<&Data> {
        self.cells
            .binary_search_by_key(&col, |(c, _)| *c)
            .ok()
            .map(|i| &self.cells[i].1)
    }
}

/// A sheet's non-empty cells, rows in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grid {
    pub rows: Vec<GridRow>,
}

impl Grid {
    /// Builds a grid from cells in any order; blank cells are dropped.
    pub fn from_cells(mut cells: Vec<(u32, u32, Data)>) -> Self {
        cells.retain(|(_, _, v)| !is_blank(v));
        cells.sort_by_key(|(r, c, _)| (*r, *c));
        let mut rows: Vec<GridRow> = Vec::new();
        for (r, c, v) in cells {
            match rows.last_mut() {
                Some(row) if row.index == r => {
                    // Keep the first value when a cell appears twice.
                    if row.cells.last().map(|(lc, _)| *lc) != Some(c) {
                        row.cells.push((c, v));
                    }
                }
                _ => rows.push(GridRow {
                    index: r,
                    cells: vec![(c, v)],
                }),
            }
        }
        Self { rows }
    }
}

impl Grid {
    /// The value at (row, column), if the cell is not empty.
    pub fn value(&self, row: u32, col: u32) -> Option<&Data> {
        let i = self.rows.binary_search_by_key(&row, |r| r.index).ok()?;
        self.rows[i].get(col)
    }

    /// The non-empty rows from `first` to `last`, inclusive.
    pub fn rows_between(&self, first: u32, last: u32) -> &[GridRow] {
        let start = self.rows.partition_point(|r| r.index < first);
        let end = self.rows.partition_point(|r| r.index <= last);
        &self.rows[start..end.max(start)]
    }
}

/// A merged area, 0-based inclusive corners: (first row, first col, last row, last col).
pub type Merge = (u32, u32, u32, u32);

/// One sheet as read.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    pub grid: Grid,
    pub merges: Vec<Merge>,
}

/// A workbook opened from bytes, sheets read lazily.
pub struct Workbook {
    pub format: Format,
    inner: Inner,
    limits: Limits,
    /// Merged areas found before the reader ran, for formats whose reader gives none.
    merges: SheetMerges,
}

enum Inner {
    Xlsx(Box<Xlsx<Cursor<Vec<u8>>>>),
    Xlsb(Box<Xlsb<Cursor<Vec<u8>>>>),
    Xls(Box<Xls<Cursor<Vec<u8>>>>),
    Ods(Box<Ods<Cursor<Vec<u8>>>>),
    /// A web export, already read into one sheet.
    Text(Box<Sheet>),
}

/// Decides what the bytes are before any parser sees them, and gives the merged
/// areas of a format whose reader gives none.
///
/// # Errors
/// An [`OpenError`] naming what the file is instead, when it is not a workbook.
fn sniff(bytes: &[u8], limits: &Limits) -> Result<(Format, SheetMerges), OpenError> {
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
        if contains_utf16(bytes, "EncryptedPackage") {
            return Err(OpenError::Password);
        }
        // calamine lays every .xls sheet out densely when it opens the file: two
        // cells far apart cost gigabytes. Measure the spread before it does.
        // A container the strict `cfb` reader refuses is refused here too: calamine's
        // lenient reader would go on and read garbage (the fuzzer found 128 GB
        // reservations that way). Excel, WPS and LibreOffice write well-formed ones.
        match xls_dense_cells(bytes) {
            // A Word 97-2003 document (or a WPS text file) renamed .xls.
            None if contains_utf16(bytes, "WordDocument") => {
                return Err(OpenError::WordDocument);
            }
            None => return Err(OpenError::Corrupt("复合文档结构损坏".into())),
            Some(n) if n > limits.max_cells as u64 => {
                return Err(OpenError::TooSpread {
                    limit: limits.max_cells,
                });
            }
            Some(_) => {}
        }
        return Ok((Format::Xls, Vec::new()));
    }
    if bytes.starts_with(b"PK") {
        return sniff_zip(bytes, limits);
    }
    let head = super::webexport::decode(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('<') {
        return Ok((Format::Html, Vec::new()));
    }
    if looks_like_text(&bytes[..bytes.len().min(4096)]) {
        return Ok((Format::Csv, Vec::new()));
    }
    Err(OpenError::Unknown)
}

fn sniff_zip(bytes: &[u8], limits: &Limits) -> Result<(Format, SheetMerges), OpenError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| OpenError::Corrupt(format!("压缩结构损坏：{e}")))?;
    let mut inflated: u64 = 0;
    let mut format = None;
    let mut word = false;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| OpenError::Corrupt(format!("压缩结构损坏：{e}")))?;
        inflated = inflated.saturating_add(entry.size());
        // Deflate cannot shrink data more than about 1032 times: a part that claims
        // more is lying about its size, as zip bombs do.
        if entry.size() > 1024 * 1024 && entry.size() / entry.compressed_size().max(1) > 1100 {
            return Err(OpenError::InflatesTooMuch {
                limit: limits.max_inflated_bytes,
            });
        }
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        match name.as_str() {
            "xl/workbook.xml" => format = Some(Format::Xlsx),
            "xl/workbook.bin" => format = Some(Format::Xlsb),
            "content.xml" if format.is_none() => format = Some(Format::Ods),
            "word/document.xml" => word = true,
            _ => {}
        }
    }
    if inflated > limits.max_inflated_bytes {
        return Err(OpenError::InflatesTooMuch {
            limit: limits.max_inflated_bytes,
        });
    }
    let mut layout = OdsLayout::default();
    // calamine lays .ods sheets out densely on open, repeated cells included: an
    // 833-byte file asking for a value repeated over 80 million cells took 10 GB.
    if format == Some(Format::Ods) {
        layout = ods_layout(&mut archive)
            .ok_or_else(|| OpenError::Corrupt("content.xml 无法解析".into()))?;
        if layout.dense_cells > limits.max_cells as u64 {
            return Err(OpenError::TooSpread {
                limit: limits.max_cells,
            });
        }
    }
    match format {
        Some(f) => Ok((f, layout.merges)),
        None if word => Err(OpenError::WordDocument),
        None => Err(OpenError::Unknown),
    }
}

/// What one pass over an .ods's content.xml tells before calamine reads it.
#[derive(Debug, Default)]
struct OdsLayout {
    /// The cells the sheets span once repeats are laid out (see [`ods_layout`]).
    dense_cells: u64,
    /// Merged areas by sheet name: calamine reads none from .ods files.
    merges: SheetMerges,
}

/// Merged areas by sheet name, for formats whose reader gives none.
type SheetMerges = Vec<(String, Vec<Merge>)>;

/// One pass over an .ods's content.xml: the cells its sheets span once repeated
/// rows and cells are laid out (for each table, the rows up to its last row with a
/// value times the columns up to its last value, summed; empty repeated cells,
/// which LibreOffice pads every row with, cost nothing), and its merged areas
/// (`table:number-rows-spanned` / `number-columns-spanned` on a cell).
fn ods_layout(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<OdsLayout> {
    use quick_xml::events::Event;
    let content = archive.by_name("content.xml").ok()?;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let mut buf = Vec::new();
    let attr = |e: &quick_xml::events::BytesStart, key: &str| -> u64 {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key)
            .and_then(|a| a.value.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .max(1)
    };
    let mut layout = OdsLayout::default();
    let (mut rows, mut last_row, mut max_col) = (0u64, 0u64, 0u64);
    let (mut row_repeat, mut col, mut row_end_col) = (1u64, 0u64, 0u64);
    loop {
        // Unreadable XML (an encrypted or damaged part): count what came before and
        // leave the verdict on the rest to calamine, which names a password.
        let Ok(event) = reader.read_event_into(&mut buf) else {
            layout.dense_cells = layout
                .dense_cells
                .saturating_add(last_row.saturating_mul(max_col));
            break;
        };
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => {
                    (rows, last_row, max_col) = (0, 0, 0);
                    let name = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "table:name")
                        .map(|a| {
                            quick_xml::escape::unescape(&a.value)
                                .map_or_else(|_| a.value.to_string(), |v| v.into_owned())
                        })
                        .unwrap_or_default();
                    layout.merges.push((name, Vec::new()));
                }
                "table:table-row" => {
                    (row_repeat, col, row_end_col) = (attr(e, "table:number-rows-repeated"), 0, 0)
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let n = attr(e, "table:number-columns-repeated");
                    let has_value = matches!(event, Event::Start(_))
                        || e.attributes()
                            .flatten()
                            .any(|a| a.key.as_ref() == "office:value-type");
                    let (down, across) = (
                        attr(e, "table:number-rows-spanned"),
                        attr(e, "table:number-columns-spanned"),
                    );
                    if (down > 1 || across > 1)
                        && let (Ok(r), Ok(c)) = (u32::try_from(rows), u32::try_from(col))
                        && let Some((_, merges)) = layout.merges.last_mut()
                    {
                        let last = |start: u32, span: u64| {
                            start.saturating_add(u32::try_from(span - 1).unwrap_or(u32::MAX))
                        };
                        merges.push((r, c, last(r, down), last(c, across)));
                    }
                    col = col.saturating_add(n);
                    if has_value {
                        row_end_col = col;
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table-row" => {
                    rows = rows.saturating_add(row_repeat);
                    if row_end_col > 0 {
                        last_row = rows;
                        max_col = max_col.max(row_end_col);
                    }
                }
                "table:table" => {
                    layout.dense_cells = layout
                        .dense_cells
                        .saturating_add(last_row.saturating_mul(max_col))
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(layout)
}

/// How many cells calamine would allocate for an .xls: the sum over sheets of the
/// rectangle spanned by their cell records. `None` when the container cannot be read.
fn xls_dense_cells(bytes: &[u8]) -> Option<u64> {
    use std::io::Read;
    let mut container = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let name = ["Workbook", "Book", "WORKBOOK", "BOOK"]
        .into_iter()
        .find(|n| container.exists(n))?;
    let mut stream = Vec::new();
    container
        .open_stream(name)
        .ok()?
        .read_to_end(&mut stream)
        .ok()?;
    // calamine reads each sheet from the offset its BOUNDSHEET record gives, so a
    // corrupt offset makes it read records out of step: measure from there too.
    let mut offsets = Vec::new();
    for (kind, data) in xls_records(&stream, 0) {
        match kind {
            0x0085 if data.len() >= 4 => {
                offsets.push(u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize)
            }
            0x000A => break,
            _ => {}
        }
    }
    if offsets.is_empty() {
        offsets.push(0);
    }
    let mut total: u64 = 0;
    for offset in offsets {
        let mut reserved: u64 = 0;
        let mut span: Option<(u16, u16, u16, u16)> = None; // min row, max row, min col, max col
        for (kind, data) in xls_records(&stream, offset).skip(1) {
            match kind {
                0x000A => break,
                // DIMENSIONS: calamine reserves rows × columns from it, with wrapping
                // arithmetic on a lying record (a fuzzer found 128 GB reservations).
                0x0200 => reserved = reserved.max(xls_dimension_cells(data)),
                0x0006 | 0x00BD | 0x00BE | 0x00D6 | 0x00FD | 0x0201 | 0x0203 | 0x0204 | 0x0205
                | 0x027E
                    if data.len() >= 6 =>
                {
                    let row = u16::from_le_bytes([data[0], data[1]]);
                    let first = u16::from_le_bytes([data[2], data[3]]);
                    // MULRK and MULBLANK end with their last column.
                    let last = if matches!(kind, 0x00BD | 0x00BE) {
                        u16::from_le_bytes([data[data.len() - 2], data[data.len() - 1]]).max(first)
                    } else {
                        first
                    };
                    span = Some(match span {
                        None => (row, row, first, last),
                        Some((r0, r1, c0, c1)) => {
                            (r0.min(row), r1.max(row), c0.min(first), c1.max(last))
                        }
                    });
                }
                _ => {}
            }
        }
        let cells = span.map_or(0, |(r0, r1, c0, c1)| {
            (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1)
        });
        total = total.saturating_add(cells.max(reserved));
    }
    Some(total)
}

/// BIFF records (type, data) from `offset`, stopping at one that runs past the end.
fn xls_records(stream: &[u8], offset: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = offset;
    std::iter::from_fn(move || {
        let head = stream.get(at..at.checked_add(4)?)?;
        let kind = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((kind, data))
    })
}

/// The cells calamine 0.38 reserves for a DIMENSIONS record (its `parse_dimensions`
/// and `reserve(rows * cols)`, wrapping as a release build does).
fn xls_dimension_cells(data: &[u8]) -> u64 {
    let u16_at = |i: usize| u32::from(u16::from_le_bytes([data[i], data[i + 1]]));
    let u32_at = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    let (rf, rl, mut cf, cl) = match data.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        _ => return 0,
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl == 0 || cl == 0 {
        return 1;
    }
    let rows = u64::from((rl - 1).wrapping_sub(rf).wrapping_add(1));
    let cols = u64::from((cl - 1).wrapping_sub(cf).wrapping_add(1));
    rows.saturating_mul(cols)
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
        let (format, merges) = sniff(&bytes, &limits)?;
        let cursor = Cursor::new(bytes);
        let inner = match format {
            Format::Xlsx => Inner::Xlsx(Box::new(Xlsx::new(cursor).map_err(xlsx_error)?)),
            Format::Xlsb => Inner::Xlsb(Box::new(Xlsb::new(cursor).map_err(xlsb_error)?)),
            Format::Xls => Inner::Xls(Box::new(Xls::new(cursor).map_err(xls_error)?)),
            Format::Ods => Inner::Ods(Box::new(Ods::new(cursor).map_err(ods_error)?)),
            Format::Html | Format::Csv => {
                let text = super::webexport::decode(cursor.get_ref());
                let (grid, merges) = if format == Format::Html {
                    super::webexport::read_html(&text, limits.max_cells)?
                } else {
                    (
                        super::webexport::read_csv(&text, limits.max_cells)?,
                        Vec::new(),
                    )
                };
                let name = if format == Format::Html {
                    "网页表格"
                } else {
                    "文本表格"
                };
                Inner::Text(Box::new(Sheet {
                    name: name.to_string(),
                    hidden: false,
                    grid,
                    merges,
                }))
            }
        };
        Ok(Self {
            format,
            inner,
            limits,
            merges,
        })
    }

    /// Whether bare serial numbers count from 1904 (old Mac workbooks).
    pub fn is_1904(&self) -> bool {
        match &self.inner {
            Inner::Xlsx(wb) => wb.has_1904_epoch(),
            _ => false,
        }
    }

    /// The worksheets in workbook order: (name, hidden). Chart and macro sheets are left out.
    pub fn worksheet_names(&self) -> Vec<(String, bool)> {
        let sheets = match &self.inner {
            Inner::Xlsx(wb) => wb.sheets_metadata(),
            Inner::Xlsb(wb) => wb.sheets_metadata(),
            Inner::Xls(wb) => wb.sheets_metadata(),
            Inner::Ods(wb) => wb.sheets_metadata(),
            Inner::Text(sheet) => return vec![(sheet.name.clone(), false)],
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
            Inner::Text(sheet) => return Ok(sheet.as_ref().clone()),
            Inner::Xlsx(wb) => {
                let mut reader = wb.worksheet_cells_reader(name).map_err(xlsx_error)?;
                let mut cells = Cells::new(limit);
                while let Some(cell) = reader.next_cell().map_err(xlsx_error)? {
                    if !cells.push(cell.get_position(), cell.get_value().clone().into()) {
                        return Err(too_many());
                    }
                }
                drop(reader);
                // Merged areas widen a parent header cell and carry a status or a
                // date down over the task rows they span.
                let merges = wb
                    .merge_cells_by_sheet_name(name)
                    .unwrap_or_default()
                    .iter()
                    .map(dims)
                    .collect();
                (cells.0, merges)
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

fn dims(d: &calamine::Dimensions) -> Merge {
    (d.start.0, d.start.1, d.end.0, d.end.1)
}

/// Non-empty cells collected up to a limit.
struct Cells(Vec<(u32, u32, Data)>, usize);

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
fn range_cells(range: &calamine::Range<Data>, limit: usize) -> Option<Vec<(u32, u32, Data)>> {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut cells = Cells::new(limit);
    for (r, c, v) in range.used_cells() {
        if !cells.push((r0 + r as u32, c0 + c as u32), v.clone()) {
            return None;
        }
    }
    Some(cells.0)
}

fn xlsx_error(e: calamine::XlsxError) -> OpenError {
    match e {
        calamine::XlsxError::Password => OpenError::Password,
        other => OpenError::Corrupt(other.to_string()),
    }
}

fn xlsb_error(e: calamine::XlsbError) -> OpenError {
    match e {
        calamine::XlsbError::Password => OpenError::Password,
        other => OpenError::Corrupt(other.to_string()),
    }
}

fn xls_error(e: calamine::XlsError) -> OpenError {
    match e {
        calamine::XlsError::Password => OpenError::Password,
        other => OpenError::Corrupt(other.to_string()),
    }
}

fn ods_error(e: calamine::OdsError) -> OpenError {
    match e {
        calamine::OdsError::Password => OpenError::Password,
        other => OpenError::Corrupt(other.to_string()),
    }
}
