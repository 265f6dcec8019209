//! A [`Letter`] as a Word document in the habits of GB/T 9704 (党政机关公文格式):
//! A4 with the standard type area (156 × 225 mm: top 37 mm, left 28 mm), the
//! title in 2号 小标宋, the body in 3号 仿宋_GB2312 on a 28.95-point line (22
//! lines a page), the 主送 line flush left, paragraphs indented two characters,
//! the office over the 成文日期 at the right with room above them for the seal,
//! and page numbers `— 1 —` in 4号 宋体, odd pages at the right and even at the
//! left.
//!
//! docx-rs writes the parts; they are packed again here with fixed times and our
//! own `docProps/core.xml` (dated the 成文日期, written by the office) and
//! `word/fontTable.xml` (naming each font's fallback: 仿宋 for 仿宋_GB2312,
//! 宋体 for 小标宋), so one letter's bytes depend on its content alone.

use std::io::{Cursor, Read, Write};

use chrono::NaiveDate;
use docx_rs::{
    AlignmentType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing, LineSpacingType,
    PageMargin, Paragraph, Run, RunFonts, SpecialIndentType,
};

use super::Letter;

/// 仿宋_GB2312, the body type of official documents; 仿宋 where it is missing.
const BODY_FONT: &str = "仿宋_GB2312";
/// 方正小标宋简体, the title type; 宋体 (set bold) where it is missing.
const TITLE_FONT: &str = "方正小标宋简体";
/// The page numbers' type.
const NUMBER_FONT: &str = "宋体";

/// Sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt.
const TITLE_SIZE: usize = 44;
const BODY_SIZE: usize = 32;
const NUMBER_SIZE: usize = 28;

/// One character of body type, in twips (a twentieth of a point).
const CHAR: i32 = 320;
/// The body's line pitch: 225 mm over 22 lines, 28.95 points.
const LINE: i32 = 579;
/// The title's line pitch.
const TITLE_LINE: i32 = 680;

/// GB/T 9704's page: A4, the type area 156 × 225 mm, in twips.
const PAGE: (u32, u32) = (11906, 16838);
fn margins() -> PageMargin {
    PageMargin::new()
        .top(2098)
        .bottom(1984)
        .left(1588)
        .right(1474)
        .header(851)
        // The page number 7 mm under the type area.
        .footer(1304)
}

/// The letter as `.docx` bytes, dated `issued`.
///
/// # Errors
/// Only if the document cannot be packed in memory.
pub fn render(letter: &Letter, issued: NaiveDate) -> std::io::Result<Vec<u8>> {
    // docx-rs numbers paragraphs from a per-thread counter; numbered here
    // instead, the same letter gets the same numbers on whichever thread makes it.
    let mut ids = 0u32;
    let mut id = |p: Paragraph| {
        ids += 1;
        p.id(format!("{ids:08X}"))
    };
    let mut paragraphs = Vec::new();
    for line in &letter.title {
        paragraphs.push(title_line(line));
    }
    paragraphs.push(blank());
    paragraphs.push(body(&format!("{}：", letter.addressee), false));
    paragraphs.push(body(&letter.opening, true));
    for (n, item) in letter.items.iter().enumerate() {
        paragraphs.push(body(&format!("{}．{item}", n + 1), true).keep_lines(true));
    }
    // The closing lines go with the signature: a 落款 never stands alone on a page.
    paragraphs.push(body(&letter.closing, true).keep_next(true));
    if let Some(contact) = &letter.contact {
        paragraphs.push(body(contact, true).keep_next(true));
    }
    // Room for the seal, kept with the signature it stamps.
    let (office_right, date_right) = signature_indents(&letter.office, &letter.date);
    paragraphs.push(blank().keep_next(true));
    paragraphs.push(blank().keep_next(true));
    paragraphs.push(right(&letter.office, office_right).keep_next(true));
    paragraphs.push(right(&letter.date, date_right));
    let mut doc = Docx::new()
        .page_size(PAGE.0, PAGE.1)
        .page_margin(margins())
        .default_size(BODY_SIZE)
        .default_fonts(fonts(BODY_FONT))
        .footer(Footer::new().add_paragraph(id(page_number(AlignmentType::Right))))
        .even_footer(Footer::new().add_paragraph(id(page_number(AlignmentType::Left))));
    for paragraph in paragraphs {
        doc = doc.add_paragraph(id(paragraph));
    }
    let mut packed = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut packed)
        .map_err(std::io::Error::other)?;
    repack(&packed.into_inner(), letter, issued)
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(name)
        .ascii(name)
        .hi_ansi(name)
        .cs(name)
}

fn exact(line: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(line)
        .before(0)
        .after(0)
}

fn title_line(text: &str) -> Paragraph {
    // A 21-character line is condensed a point a character to fit the 156 mm.
    let spacing = if text.chars().count() > 20 { -20 } else { 0 };
    Paragraph::new()
        .align(AlignmentType::Center)
        .line_spacing(exact(TITLE_LINE))
        .add_run(
            Run::new()
                .add_text(text)
                .fonts(fonts(TITLE_FONT))
                .size(TITLE_SIZE)
                .bold()
                .character_spacing(spacing),
        )
}

/// A paragraph of body type, justified, its first line indented two characters
/// when `indent`.
fn body(text: &str, indent: bool) -> Paragraph {
    let paragraph = Paragraph::new()
        .align(AlignmentType::Both)
        .line_spacing(exact(LINE))
        .widow_control(true)
        .add_run(body_run(text));
    if indent {
        paragraph.indent(
            None,
            Some(SpecialIndentType::FirstLine(2 * CHAR)),
            None,
            None,
        )
    } else {
        paragraph
    }
}

fn body_run(text: &str) -> Run {
    Run::new()
        .add_text(text)
        .fonts(fonts(BODY_FONT))
        .size(BODY_SIZE)
}

fn blank() -> Paragraph {
    Paragraph::new()
        .line_spacing(exact(LINE))
        .add_run(body_run(""))
}

/// A line at the right, `indent` twips in from the type area's edge.
fn right(text: &str, indent: i32) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Right)
        .line_spacing(exact(LINE))
        .indent(None, None, Some(indent), None)
        .add_run(body_run(text))
}

/// How far in from the right the office and the date stand (GB/T 9704 7.3.5.1):
/// the date four characters in, the office centred over it; an office longer
/// than the date two characters in, the date centred under it.
fn signature_indents(office: &str, date: &str) -> (i32, i32) {
    let (office, date) = (width(office), width(date));
    if office <= date {
        (4 * CHAR + (date - office) / 2, 4 * CHAR)
    } else {
        (2 * CHAR, 2 * CHAR + (office - date) / 2)
    }
}

/// The width of body text in twips: a Chinese character is one character, a
/// digit or Latin letter half.
fn width(text: &str) -> i32 {
    text.chars()
        .map(|c| if c.is_ascii() { CHAR / 2 } else { CHAR })
        .sum()
}

/// `— 1 —` in 4号 宋体, one character in from the side it stands on.
fn page_number(side: AlignmentType) -> Paragraph {
    let run = || Run::new().fonts(fonts(NUMBER_FONT)).size(NUMBER_SIZE);
    let inset = NUMBER_SIZE as i32 * 10;
    let paragraph = Paragraph::new().align(side);
    let paragraph = match side {
        AlignmentType::Left => paragraph.indent(Some(inset), None, None, None),
        _ => paragraph.indent(None, None, Some(inset), None),
    };
    paragraph
        .add_run(run().add_text("— "))
        .add_run(
            run()
                .add_field_char(FieldCharType::Begin, false)
                .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
                .add_field_char(FieldCharType::Separate, false)
                .add_text("1")
                .add_field_char(FieldCharType::End, false),
        )
        .add_run(run().add_text(" —"))
}

/// The parts again, in docx-rs's order, with fixed times, compressed, and our own
/// `docProps/core.xml` and `word/fontTable.xml`.
fn repack(packed: &[u8], letter: &Letter, issued: NaiveDate) -> std::io::Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut archive = zip::ZipArchive::new(Cursor::new(packed)).map_err(std::io::Error::other)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // The letter's own day is its 成文日期.
    let time = zip_time(issued);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(std::io::Error::other)?;
        let name = part.name().map_err(std::io::Error::other)?.into_owned();
        if part.is_dir() {
            out.add_directory(name, options)
                .map_err(std::io::Error::other)?;
            continue;
        }
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes)?;
        let bytes = match name.as_str() {
            "docProps/core.xml" => core_xml(letter, issued).into_bytes(),
            "word/fontTable.xml" => FONT_TABLE.as_bytes().to_vec(),
            _ => bytes,
        };
        out.start_file(name, options)
            .map_err(std::io::Error::other)?;
        out.write_all(&bytes)?;
    }
    Ok(out.finish().map_err(std::io::Error::other)?.into_inner())
}

/// Midnight of `day` as a zip entry's time (DOS times run from 1980 to 2107):
/// what fixes the times of a letter's parts and of the papers' members.
pub fn zip_time(day: NaiveDate) -> zip::DateTime {
    zip::DateTime::from_date_and_time(
        u16::try_from(chrono::Datelike::year(&day).clamp(1980, 2107)).unwrap_or(1980),
        u8::try_from(chrono::Datelike::month(&day)).unwrap_or(1),
        u8::try_from(chrono::Datelike::day(&day)).unwrap_or(1),
        0,
        0,
        0,
    )
    .unwrap_or_default()
}

/// The document's properties: its title, the office as author, the 成文日期 as
/// the day it was made.
fn core_xml(letter: &Letter, issued: NaiveDate) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let title = escape(&format!("{}督办单", letter.addressee));
    let office = escape(&letter.office);
    let day = issued.format("%Y-%m-%dT00:00:00Z");
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            r#"<dc:title>{title}</dc:title><dc:creator>{office}</dc:creator><cp:lastModifiedBy>{office}</cp:lastModifiedBy>"#,
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{day}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{day}</dcterms:modified>"#,
            r#"<cp:revision>1</cp:revision></cp:coreProperties>"#
        ),
        title = title,
        office = office,
        day = day
    )
}

/// The fonts the letter names, each with the one Word takes where it is missing.
const FONT_TABLE: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="仿宋"><w:altName w:val="FangSong"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/><w:charset w:val="86"/><w:family w:val="script"/><w:pitch w:val="variable"/></w:font>"#,
    r#"<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>"#,
    r#"<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>"#,
    r#"</w:fonts>"#
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_office_stands_centred_over_the_date() {
        // 海南省教育厅 is 6 characters; 2018年8月10日 is 3 and 7 digits, 6.5.
        let (office, date) = signature_indents("海南省教育厅", "2018年8月10日");
        assert_eq!(date, 4 * CHAR);
        assert_eq!(office, 4 * CHAR + CHAR / 4);
        let (office, date) =
            signature_indents("海南省消除大班额工作领导小组办公室", "2018年8月10日");
        assert_eq!(office, 2 * CHAR);
        assert!(date > office);
    }
}
