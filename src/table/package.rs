//! Zip packages (.xlsx, .xlsm, .xlsb, .ods) below calamine: what the package is,
//! what it would cost to read, and the small in-memory repairs that let calamine
//! read valid files it would refuse. The input file is never touched: a repair
//! builds a new package in memory and only that is read.
//!
//! - a zip is a workbook package by its parts, not its name: a zip holding no
//!   OOXML or OpenDocument part is an archive of files ([`OpenError::Archive`]),
//!   which intake opens member by member;
//! - part names are compared as calamine looks them up (`\` read as `/`, any case),
//!   so a package written with backslashes, or with its workbook outside `xl/`, is
//!   known for what it is;
//! - an Excel 4.0 macro sheet's relationship is retyped as a dialog sheet, which
//!   calamine lists and intake skips, instead of refusing the whole workbook;
//! - an .ods whose content.xml is indented between cells has that white space
//!   removed (calamine fails on it, or keeps it in every string);
//! - a sheet with `t="n"` on a cell whose number is padded (`<v> 1 </v>`) loses the
//!   attribute, so calamine reads the text instead of failing the sheet.
//!
//! The pass over an .ods's content.xml also finds what calamine does not give:
//! its merged areas, its null date (the day its serial numbers count from) and
//! the formula cells that hold no result.

use std::io::{Cursor, Read, Write};

use quick_xml::events::Event;

use super::format::{DateSystem, Format, Limits, OpenError};
use super::grid::{Merge, PendingFormula};

/// Merged areas by sheet name, for formats whose reader gives none.
pub type SheetMerges = Vec<(String, Vec<Merge>)>;

/// Formula cells without a stored result, by sheet name.
pub type SheetFormulas = Vec<(String, Vec<PendingFormula>)>;

/// Most parts any package may declare before its directory is parsed: far past a
/// workbook of a thousand sheets, far below what would exhaust memory.
const MAX_PARTS: u64 = 100_000;

/// What a package is, and what reading it needs.
#[derive(Debug)]
pub struct Package {
    pub format: Format,
    /// Merged areas by sheet, for .ods (calamine gives none).
    pub merges: SheetMerges,
    /// The bytes to read instead of the file's, when a repair was needed.
    pub repaired: Option<Vec<u8>>,
    /// An .ods's own date system (its `table:null-date`), when it declares one.
    pub date_system: Option<DateSystem>,
    /// An .ods's formula cells that hold no result.
    pub pending: SheetFormulas,
}

/// A part name as calamine looks it up.
fn normalised(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

/// What the parts of a zip say it is.
#[derive(Debug, Default)]
struct Parts {
    xlsx: bool,
    xlsb: bool,
    ods: bool,
    word: bool,
    macros: bool,
    /// A part only an OOXML or OpenDocument package has (`[Content_Types].xml`,
    /// `mimetype`, `_rels/`, `docProps/`…): a document, if not a workbook.
    packaged: bool,
}

impl Parts {
    fn note(&mut self, name: &str) {
        match name {
            "xl/workbook.bin" => self.xlsb = true,
            "content.xml" => self.ods = true,
            "word/document.xml" => self.word = true,
            // The package's relationships name the workbook part; it need not sit in xl/.
            n if n.ends_with("workbook.xml") => self.xlsx = true,
            n if n.contains("macrosheets/") => self.macros = true,
            _ => {}
        }
        if matches!(
            name,
            "[content_types].xml" | "mimetype" | "meta-inf/manifest.xml"
        ) || ["_rels/", "docprops/", "xl/", "word/", "ppt/", "meta-inf/"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            self.packaged = true;
        }
    }

    /// Whether the zip is an archive of files rather than a document package.
    fn is_archive(&self) -> bool {
        !(self.xlsx || self.xlsb || self.ods || self.word || self.packaged)
    }
}

/// How many entries a zip's end-of-central-directory record declares (its Zip64
/// record's count when it has one), read before the directory is parsed: the
/// zip reader holds every entry of the directory in memory.
pub fn declared_entries(bytes: &[u8]) -> Option<u64> {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const LOCATOR: [u8; 4] = [0x50, 0x4b, 0x06, 0x07];
    const EOCD64: [u8; 4] = [0x50, 0x4b, 0x06, 0x06];
    let last = bytes.len().checked_sub(22)?;
    let at = (last.saturating_sub(65_535)..=last)
        .rev()
        .find(|&i| bytes[i..i + 4] == EOCD)?;
    let count = u16::from_le_bytes([bytes[at + 10], bytes[at + 11]]);
    if count != 0xFFFF {
        return Some(count.into());
    }
    let locator = bytes.get(at.checked_sub(20)?..at)?;
    if locator[..4] != LOCATOR {
        return Some(count.into());
    }
    let offset = usize::try_from(u64::from_le_bytes(locator[8..16].try_into().ok()?)).ok()?;
    let record = bytes.get(offset..offset.checked_add(56)?)?;
    if record[..4] != EOCD64 {
        return Some(count.into());
    }
    Some(u64::from_le_bytes(record[32..40].try_into().ok()?))
}

/// Whether the bytes are a zip archive of files (a zip of returns), not a
/// workbook or document package: by its parts, whatever the file's name.
pub fn is_archive(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"PK") || declared_entries(bytes).is_some_and(|n| n > MAX_PARTS) {
        return false;
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    let mut parts = Parts::default();
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(i) else {
            return false;
        };
        parts.note(&normalised(&String::from_utf8_lossy(entry.name_raw())));
    }
    parts.is_archive()
}

/// Decides what a zip holds and what reading it would cost, repairing it in memory
/// where calamine would refuse a valid file.
///
/// # Errors
/// An [`OpenError`] when the zip is broken, inflates past the bound, is no
/// workbook, or is an archive of files ([`OpenError::Archive`]).
pub fn sniff(bytes: &[u8], limits: &Limits) -> Result<Package, OpenError> {
    if let Some(parts) = declared_entries(bytes).filter(|n| *n > MAX_PARTS) {
        return Err(OpenError::Corrupt(format!(
            "压缩结构中声明了 {parts} 个部件，远超任何工作簿"
        )));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| OpenError::Corrupt(format!("压缩结构损坏：{e}")))?;
    let mut inflated: u64 = 0;
    let mut lying = false;
    let mut parts = Parts::default();
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| OpenError::Corrupt(format!("压缩结构损坏：{e}")))?;
        inflated = inflated.saturating_add(entry.size());
        // Deflate cannot shrink data more than about 1032 times: a part that claims
        // more is lying about its size, as zip bombs do.
        lying |= entry.size() > 1024 * 1024 && entry.size() / entry.compressed_size().max(1) > 1100;
        parts.note(&normalised(&String::from_utf8_lossy(entry.name_raw())));
    }
    // An archive's members are bounded one by one when intake opens it.
    if parts.is_archive() {
        return Err(OpenError::Archive);
    }
    if lying || inflated > limits.max_inflated_bytes {
        return Err(OpenError::InflatesTooMuch {
            limit: limits.max_inflated_bytes,
        });
    }
    let format = match (parts.xlsx, parts.xlsb, parts.ods, parts.word) {
        (true, _, _, _) => Format::Xlsx,
        (_, true, _, _) => Format::Xlsb,
        (_, _, true, _) => Format::Ods,
        (_, _, _, true) => return Err(OpenError::WordDocument),
        _ => return Err(OpenError::Unknown),
    };
    let mut package = Package {
        format,
        merges: Vec::new(),
        repaired: None,
        date_system: None,
        pending: Vec::new(),
    };
    match format {
        Format::Ods => {
            let layout = ods_layout(&mut archive)
                .ok_or_else(|| OpenError::Corrupt("content.xml 无法解析".into()))?;
            // calamine lays .ods sheets out densely on open, repeated cells included:
            // an 833-byte file asking for a value repeated over 80 million cells took 10 GB.
            if layout.dense_cells > limits.max_cells as u64 {
                return Err(OpenError::TooSpread {
                    limit: limits.max_cells,
                });
            }
            package.merges = layout.merges;
            package.date_system = layout.null_date.map(DateSystem::from_day_zero);
            package.pending = layout.pending;
            if layout.indented {
                package.repaired = rewrite(&mut archive, |name, part| {
                    (name == "content.xml")
                        .then(|| without_indentation(part))
                        .flatten()
                });
            }
        }
        Format::Xlsx if parts.macros => {
            package.repaired = rewrite(&mut archive, |name, part| {
                name.ends_with("_rels/workbook.xml.rels")
                    .then(|| macro_sheets_retyped(part))
                    .flatten()
            });
        }
        _ => {}
    }
    Ok(package)
}

/// A copy of the package with some parts replaced: `replace(name, bytes)` gives a
/// part's new bytes, or `None` to keep it. `name` is lower-cased, with `/` only.
/// `None` when nothing was replaced.
pub fn rewrite(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    mut replace: impl FnMut(&str, &[u8]) -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut replaced = false;
    for i in 0..archive.len() {
        let (name, new) = {
            let mut entry = archive.by_index(i).ok()?;
            let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
            if entry.is_dir() {
                (name, None)
            } else {
                let mut part = Vec::new();
                entry.read_to_end(&mut part).ok()?;
                let new = replace(&normalised(&name), &part);
                (name, new)
            }
        };
        match new {
            Some(bytes) => {
                replaced = true;
                writer.start_file(name, stored).ok()?;
                writer.write_all(&bytes).ok()?;
            }
            None => writer.raw_copy_file(archive.by_index_raw(i).ok()?).ok()?,
        }
    }
    let bytes = writer.finish().ok()?.into_inner();
    replaced.then_some(bytes)
}

/// The workbook's relationships with each Excel 4.0 macro sheet typed as a dialog
/// sheet: calamine refuses a workbook holding a sheet type it does not know, but
/// lists dialog sheets, which intake skips. A macro sheet holds no return.
fn macro_sheets_retyped(rels: &[u8]) -> Option<Vec<u8>> {
    const DIALOG: &str =
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/dialogsheet";
    let text = std::str::from_utf8(rels).ok()?;
    let mut out = text.to_string();
    for kind in ["xlMacrosheet", "xlIntlMacrosheet"] {
        for quote in ['"', '\''] {
            let from = format!(
                "{quote}http://schemas.microsoft.com/office/2006/relationships/{kind}{quote}"
            );
            out = out.replace(&from, &format!("{quote}{DIALOG}{quote}"));
        }
    }
    (out != text).then(|| out.into_bytes())
}

/// content.xml without the white space an indenting writer puts between elements.
/// White space inside a paragraph (`text:p`, `text:h`) is the cell's text and stays.
fn without_indentation(content: &[u8]) -> Option<Vec<u8>> {
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(content.len()));
    let mut buf = Vec::new();
    let mut in_text = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        match &event {
            Event::Eof => break,
            Event::Start(e) if is_paragraph(e.name().as_ref()) => in_text += 1,
            Event::End(e) if is_paragraph(e.name().as_ref()) => in_text = in_text.saturating_sub(1),
            Event::Text(t) if in_text == 0 && t.bytes().all(|b| b.is_ascii_whitespace()) => {
                buf.clear();
                continue;
            }
            _ => {}
        }
        writer.write_event(event).ok()?;
        buf.clear();
    }
    Some(writer.into_inner())
}

fn is_paragraph(name: &str) -> bool {
    matches!(name, "text:p" | "text:h")
}

/// What one pass over an .ods's content.xml tells before calamine reads it.
#[derive(Debug, Default)]
struct OdsLayout {
    /// The cells the sheets span once repeats are laid out (see [`ods_layout`]).
    dense_cells: u64,
    /// Merged areas by sheet name: calamine reads none from .ods files.
    merges: SheetMerges,
    /// Whether white space sits between the elements of a row (an indenting writer).
    indented: bool,
    /// `table:null-date`: the day serial numbers count from, when not 1899-12-30.
    null_date: Option<chrono::NaiveDate>,
    /// Formula cells with no `office:value-type`: no result stored.
    pending: SheetFormulas,
}

/// One pass over an .ods's content.xml: the cells its sheets span once repeated
/// rows and cells are laid out (for each table, the rows up to its last row with a
/// value times the columns up to its last value, summed; empty repeated cells,
/// which LibreOffice pads every row with, cost nothing), its merged areas
/// (`table:number-rows-spanned` / `number-columns-spanned` on a cell), its null
/// date, its formula cells without a result, and whether it is indented.
fn ods_layout(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<OdsLayout> {
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
    let (mut in_row, mut in_text) = (false, 0usize);
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
                    layout.merges.push((name.clone(), Vec::new()));
                    layout.pending.push((name, Vec::new()));
                }
                "table:null-date" => {
                    layout.null_date = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "table:date-value")
                        .and_then(|a| {
                            let value = a.value.to_string();
                            let day = value.get(..10).unwrap_or(&value).to_string();
                            chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()
                        });
                }
                "table:table-row" => {
                    in_row = matches!(event, Event::Start(_));
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
                    // A formula LibreOffice has calculated carries its result's type;
                    // one written by a program that does not calculate has none.
                    let formula = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "table:formula")
                        .map(|a| {
                            quick_xml::escape::unescape(&a.value)
                                .map_or_else(|_| a.value.to_string(), |v| v.into_owned())
                        });
                    let typed = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "office:value-type");
                    if let (Some(formula), false) = (formula, typed)
                        && let (Ok(row), Some((_, pending))) =
                            (u32::try_from(rows), layout.pending.last_mut())
                    {
                        // A repeat of the same formula cell: its first few places name it.
                        for c in col..col.saturating_add(n.min(16)) {
                            if let Ok(col) = u32::try_from(c) {
                                pending.push(PendingFormula {
                                    row,
                                    col,
                                    formula: formula.clone(),
                                });
                            }
                        }
                    }
                    col = col.saturating_add(n);
                    if has_value {
                        row_end_col = col;
                    }
                }
                name if is_paragraph(name) && matches!(event, Event::Start(_)) => in_text += 1,
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "table:table-row" => {
                    in_row = false;
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
                name if is_paragraph(name) => in_text = in_text.saturating_sub(1),
                _ => {}
            },
            Event::Text(t)
                if in_row && in_text == 0 && t.bytes().all(|b| b.is_ascii_whitespace()) =>
            {
                layout.indented = true;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(layout)
}

/// The package with `t="n"` taken off the cells of its worksheets. calamine fails a
/// whole sheet on a cell typed as a number whose text is not a bare one (`<v> 1 </v>`,
/// valid XML Schema that Excel and LibreOffice read); untyped, it reads the number,
/// or hands the text on for intake to read. Numbers is the default type anyway.
pub fn without_number_types(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    rewrite(&mut archive, |name, part| {
        (name.contains("worksheets/") && name.ends_with(".xml"))
            .then(|| untyped_numbers(part))
            .flatten()
    })
}

fn untyped_numbers(sheet: &[u8]) -> Option<Vec<u8>> {
    let mut reader = quick_xml::Reader::from_reader(sheet);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(sheet.len()));
    let mut buf = Vec::new();
    let mut changed = false;
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        let retyped = match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref() == "c"
                    && e.attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "t" && &*a.value == "n") =>
            {
                let mut cell = e.to_owned();
                cell.clear_attributes();
                cell.extend_attributes(e.attributes().flatten().filter(|a| a.key.as_ref() != "t"));
                Some(cell)
            }
            _ => None,
        };
        changed |= retyped.is_some();
        let event = match retyped {
            Some(cell) if matches!(event, Event::Empty(_)) => Event::Empty(cell),
            Some(cell) => Event::Start(cell),
            None => event,
        };
        writer.write_event(event).ok()?;
        buf.clear();
    }
    changed.then(|| writer.into_inner())
}

/// The part each sheet of an .xlsx package is stored in, in workbook order:
/// (sheet name, part name), found as calamine finds them (the package's
/// relationships name the workbook part, the workbook's name each sheet's
/// target). `None` when any of it is missing or unreadable.
pub fn sheet_parts(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut part = |name: &str| -> Option<Vec<u8>> {
        let index = part_index(&archive, name)?;
        read_part(archive.by_index(index).ok()?)
    };
    let unescape = |raw: &str| -> Option<String> {
        quick_xml::escape::unescape(raw)
            .ok()
            .map(|s| s.into_owned())
    };
    let raw = |raw: &str| Some(raw.to_string());
    // The workbook part: the last officeDocument relationship of the package.
    let mut document = None;
    for attrs in elements(&part("_rels/.rels")?, "Relationship")? {
        let kind = attr(&attrs, "Type").and_then(raw).unwrap_or_default();
        if kind.ends_with("/relationships/officeDocument")
            && let Some(target) = attr(&attrs, "Target")
        {
            document = Some(unescape(target)?);
        }
    }
    let document = document?;
    let (dir, name) = document.split_at(document.rfind('/').map_or(0, |i| i + 1));
    let dir = dir.strip_prefix('/').unwrap_or(dir);
    let name = if name.is_empty() {
        "workbook.xml"
    } else {
        name
    };
    let mut targets = std::collections::HashMap::new();
    for attrs in elements(&part(&format!("{dir}_rels/{name}.rels"))?, "Relationship")? {
        if let Some(id) = attr(&attrs, "Id").and_then(raw) {
            targets.insert(id, attr(&attrs, "Target").and_then(raw).unwrap_or_default());
        }
    }
    let mut sheets = Vec::new();
    for attrs in elements(&part(&format!("{dir}{name}"))?, "sheet")? {
        let name = unescape(attr(&attrs, "name").unwrap_or_default())?;
        // `r:id`, whatever the prefix: the last attribute named `id`.
        let id = attrs
            .iter()
            .rfind(|(key, _)| key.rsplit(':').next() == Some("id"))
            .and_then(|(_, value)| raw(value))
            .unwrap_or_default();
        let target = targets.get(&id)?;
        let path = match target.strip_prefix('/') {
            Some(absolute) => absolute.to_string(),
            None => format!("{dir}{target}"),
        };
        sheets.push((name, path));
    }
    Some(sheets)
}

/// A part inflated whole: read into room for the size the zip declares (a
/// part is inflated in one call then, not in the small steps of a growing
/// buffer), that size bounded by [`MAX_PART_HINT`] against a lying zip.
fn read_part(mut entry: zip::read::ZipFile<'_, Cursor<&[u8]>>) -> Option<Vec<u8>> {
    let hint = usize::try_from(entry.size())
        .unwrap_or(0)
        .min(MAX_PART_HINT);
    let mut bytes = Vec::with_capacity(hint + 1);
    entry.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// The most room made ahead for a part (see [`read_part`]): 16 MiB.
const MAX_PART_HINT: usize = 16 << 20;

/// Where the part `name` is in the archive, its name compared as calamine
/// compares it (the last of two parts whose names differ only so).
fn part_index(archive: &zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<usize> {
    let same = |a: u8, b: u8| {
        let slash = |c: u8| {
            if c == b'\\' {
                b'/'
            } else {
                c.to_ascii_lowercase()
            }
        };
        slash(a) == slash(b)
    };
    (0..archive.len()).rev().find(|i| {
        archive
            .name_for_index(*i)
            .and_then(Result::ok)
            .is_some_and(|n| {
                n.len() == name.len() && n.bytes().zip(name.bytes()).all(|(a, b)| same(a, b))
            })
    })
}

/// The attributes (raw name, raw value) of every element named `local` in `xml`,
/// in order. `None` when the XML is broken.
fn elements(xml: &[u8], local: &str) -> Option<Vec<Vec<(String, String)>>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut found = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == local => {
                let attrs = e
                    .attributes()
                    .map(|a| {
                        a.ok()
                            .map(|a| (a.key.as_ref().to_string(), a.value.to_string()))
                    })
                    .collect::<Option<Vec<_>>>()?;
                found.push(attrs);
            }
            Event::Eof => return Some(found),
            _ => {}
        }
        buf.clear();
    }
}

/// The value of the attribute named exactly `key`.
fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The merged areas of the worksheet stored in `part`, as calamine reads them
/// (the first `mergeCells` element's `mergeCell`s), without parsing the cells
/// before them again: the element is found by its name in the bytes, which no
/// text can hold unescaped. `None` when that cannot be trusted (a comment or
/// a CDATA section could hide the name) or anything is amiss.
pub fn part_merges(bytes: &[u8], part: &str) -> Option<Vec<Merge>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let index = part_index(&archive, part)?;
    let xml = read_part(archive.by_index(index).ok()?)?;
    use memchr::memmem;
    if memmem::find(&xml, b"<!--").is_some() || memmem::find(&xml, b"<![CDATA[").is_some() {
        return None;
    }
    for at in memmem::find_iter(&xml, b"mergeCells") {
        // `<mergeCells` or `<x:mergeCells`, never `</…`.
        let name_start = xml[..at]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
            .map_or(0, |i| i + 1);
        let open = match (name_start.checked_sub(1).map(|i| xml[i]), at) {
            (Some(b'<'), _) if name_start == at => name_start - 1,
            (Some(b':'), _) if name_start == at => {
                let prefix_start = xml[..name_start - 1]
                    .iter()
                    .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
                    .map_or(0, |i| i + 1);
                match prefix_start.checked_sub(1).map(|i| xml[i]) {
                    Some(b'<') if prefix_start < name_start - 1 => prefix_start - 1,
                    _ => continue,
                }
            }
            _ => continue,
        };
        return merges_from(&xml[open..]);
    }
    Some(Vec::new())
}

/// The `mergeCell`s of the `mergeCells` element `xml` begins with.
fn merges_from(xml: &[u8]) -> Option<Vec<Merge>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::new();
    match reader.read_event_into(&mut buf).ok()? {
        Event::Start(e) if e.local_name().as_ref() == "mergeCells" => {}
        _ => return None,
    }
    let mut merges = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == "mergeCell" => {
                let area = e
                    .attributes()
                    .map(|a| a.ok())
                    .collect::<Option<Vec<_>>>()?
                    .into_iter()
                    .find(|a| a.key.as_ref() == "ref");
                if let Some(area) = area {
                    merges.push(area_of(&area.value)?);
                }
            }
            Event::End(e) if e.local_name().as_ref() == "mergeCells" => return Some(merges),
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// `B2:D3` (or `B2`) as 0-based (first row, first column, last row, last column).
fn area_of(text: &str) -> Option<Merge> {
    let corner = |cell: &str| -> Option<(u32, u32)> {
        let letters = cell.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (column, row) = cell.split_at(letters);
        let column = column.bytes().try_fold(0u32, |n, b| {
            n.checked_mul(26)?
                .checked_add(u32::from(b.to_ascii_uppercase() - b'A') + 1)
        })?;
        if row.is_empty() || !row.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let row: u32 = row.parse().ok()?;
        Some((row.checked_sub(1)?, column.checked_sub(1)?))
    };
    let mut corners = text.split(':');
    let first = corner(corners.next()?)?;
    let last = match corners.next() {
        Some(cell) => corner(cell)?,
        None => first,
    };
    if corners.next().is_some() {
        return None;
    }
    Some((first.0, first.1, last.0, last.1))
}

/// The first part of a package that does not inflate to what the zip says it holds
/// (its size or its checksum): the damaged part of a damaged file.
pub fn damaged_part(bytes: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    (0..archive.len()).find_map(|i| {
        let mut entry = archive.by_index(i).ok()?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        std::io::copy(&mut entry, &mut std::io::sink())
            .is_err()
            .then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_numbers_lose_their_type() {
        let sheet = br#"<sheetData><row r="1"><c r="A1" s="0" t="n"><v> 1 </v></c><c r="B1" t="s"><v>0</v></c></row></sheetData>"#;
        let out = String::from_utf8(untyped_numbers(sheet).expect("changed")).expect("utf-8");
        assert_eq!(
            out,
            r#"<sheetData><row r="1"><c r="A1" s="0"><v> 1 </v></c><c r="B1" t="s"><v>0</v></c></row></sheetData>"#
        );
        assert_eq!(untyped_numbers(br#"<c r="A1"><v>1</v></c>"#), None);
    }

    #[test]
    fn indentation_goes_text_stays() {
        let xml = "<table:table-row>\n  <table:table-cell>\n    <text:p>  完成 状态 </text:p>\n  </table:table-cell>\n</table:table-row>";
        let out =
            String::from_utf8(without_indentation(xml.as_bytes()).expect("xml")).expect("utf-8");
        assert_eq!(
            out,
            "<table:table-row><table:table-cell><text:p>  完成 状态 </text:p></table:table-cell></table:table-row>"
        );
    }

    #[test]
    fn merged_areas_are_read_from_their_element_only() {
        assert_eq!(area_of("B2:D3"), Some((1, 1, 2, 3)));
        assert_eq!(area_of("aa10"), Some((9, 26, 9, 26)));
        for bad in ["", "B", "2", "$B$2", "B0", "B2:C3:D4", "B2:"] {
            assert_eq!(area_of(bad), None, "{bad}");
        }
        let tail = br#"<mergeCells count="2"><mergeCell ref="A1:K1"/><mergeCell ref="C2:D2"></mergeCell></mergeCells><x:mergeCells/>"#;
        assert_eq!(merges_from(tail), Some(vec![(0, 0, 0, 10), (1, 2, 1, 3)]));
        assert_eq!(
            merges_from(br#"<x:mergeCells><x:mergeCell ref="A1:B1"/></x:mergeCells>"#),
            Some(vec![(0, 0, 0, 1)])
        );
        // Cut short: not to be trusted.
        assert_eq!(
            merges_from(br#"<mergeCells><mergeCell ref="A1:B1"/>"#),
            None
        );
    }

    #[test]
    fn macro_sheets_become_dialog_sheets() {
        let rels = br#"<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" Target="macrosheets/sheet1.xml"/>"#;
        let out = String::from_utf8(macro_sheets_retyped(rels).expect("retyped")).expect("utf-8");
        assert!(out.contains("relationships/dialogsheet\""), "{out}");
        assert_eq!(macro_sheets_retyped(b"<Relationships/>"), None);
    }
}
