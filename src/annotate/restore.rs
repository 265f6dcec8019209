//! What umya-spreadsheet drops from the sheet it rewrites, put back from the
//! county's file. It writes a date drop-down without its bounds (Excel then
//! repairs the file), prints without the gridlines or headings the county asked
//! for, keeps only the odd-page header and footer, and loses protected ranges and
//! ignored-error marks. These elements point at no other part and at no style, so
//! the county's own are copied back verbatim, where the schema puts them.

use std::io::{Cursor, Read};

use quick_xml::events::Event;

use crate::table::package;

/// Worksheet children copied back from the original, when it has them.
const RESTORED: [&str; 6] = [
    "protectedRanges",
    "dataValidations",
    "printOptions",
    "pageSetup",
    "headerFooter",
    "ignoredErrors",
];

/// The children of `<worksheet>` after `<sheetData>`, in the schema's order.
const ORDER: [&str; 33] = [
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
];

/// The copy with the data sheet's dropped elements put back from the original, or
/// `None` when there is nothing to put back or the parts cannot be found.
pub fn restore(original: &[u8], copy: &[u8], sheet: &str) -> Option<Vec<u8>> {
    let was = sheet_xml(original, sheet)?;
    let (part, now) = sheet_part(copy, sheet)?;
    let patched = patched(&was, &now)?;
    let mut archive = zip::ZipArchive::new(Cursor::new(copy)).ok()?;
    let target = part.to_ascii_lowercase();
    package::rewrite(&mut archive, |name, _| {
        (name == target).then(|| patched.clone().into_bytes())
    })
}

/// The sheet `now` with the [`RESTORED`] elements of `was`, or `None` when it needs none.
fn patched(was: &str, now: &str) -> Option<String> {
    let before = children(was)?;
    let mut text = now.to_string();
    let mut changed = false;
    for name in RESTORED {
        let Some(theirs) = before.iter().find(|c| c.name == name) else {
            continue;
        };
        let element = &was[theirs.range.clone()];
        // Prefixed elements (a strict or `x:` package) and a printer-settings link
        // would not mean the same in the copy.
        if !element.starts_with(&format!("<{name}")) || element.contains("r:id=") {
            continue;
        }
        let after = children(&text)?;
        if let Some(ours) = after.iter().find(|c| c.name == name) {
            if &text[ours.range.clone()] == element {
                continue;
            }
            text.replace_range(ours.range.clone(), element);
        } else {
            let rank = ORDER.iter().position(|n| *n == name)?;
            let at = after
                .iter()
                .find(|c| {
                    ORDER
                        .iter()
                        .position(|n| *n == c.name)
                        .is_some_and(|r| r > rank)
                })
                .map_or_else(|| text.rfind("</worksheet>"), |c| Some(c.range.start))?;
            text.insert_str(at, element);
        }
        changed = true;
        declare_prefixes(was, &mut text, element);
    }
    changed.then_some(text)
}

/// Adds to the copy's root the namespace declarations of the original's that a
/// copied element uses (`xr:uid` on Excel's drop-downs).
fn declare_prefixes(was: &str, text: &mut String, element: &str) {
    let Some(root_end) = text
        .find("<worksheet")
        .and_then(|at| text[at..].find('>').map(|e| at + e))
    else {
        return;
    };
    let Some(was_root) = was
        .find("<worksheet")
        .and_then(|at| was[at..].find('>').map(|e| &was[at..at + e]))
    else {
        return;
    };
    let mut declarations = String::new();
    for declaration in was_root
        .split_whitespace()
        .filter(|a| a.starts_with("xmlns:"))
    {
        let Some((key, _)) = declaration.split_once('=') else {
            continue;
        };
        let prefix = &key["xmlns:".len()..];
        let used =
            element.contains(&format!(" {prefix}:")) || element.contains(&format!("<{prefix}:"));
        if used && !text[..root_end].contains(&format!("{key}=")) {
            declarations.push(' ');
            declarations.push_str(declaration.trim_end_matches('/'));
        }
    }
    text.insert_str(root_end, &declarations);
}

/// A child element of `<worksheet>`: its local name and where it sits in the text.
struct Child {
    name: String,
    range: std::ops::Range<usize>,
}

/// The children of the root element, with their byte ranges.
fn children(xml: &str) -> Option<Vec<Child>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    let mut found = Vec::new();
    let mut open: Option<(String, usize)> = None;
    loop {
        let start = usize::try_from(reader.buffer_position()).ok()?;
        let event = reader.read_event().ok()?;
        let end = usize::try_from(reader.buffer_position()).ok()?;
        match event {
            Event::Start(e) => {
                depth += 1;
                if depth == 2 {
                    let name = e.local_name().as_ref().to_string();
                    open = Some((name, start));
                }
            }
            Event::Empty(e) if depth == 1 => {
                let name = e.local_name().as_ref().to_string();
                found.push(Child {
                    name,
                    range: start..end,
                });
            }
            Event::End(_) => {
                if depth == 2 {
                    let (name, from) = open.take()?;
                    found.push(Child {
                        name,
                        range: from..end,
                    });
                }
                depth = depth.checked_sub(1)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // The reader's positions include white space before a tag: start at the `<`.
    for child in &mut found {
        child.range.start += xml[child.range.clone()].find('<')?;
    }
    Some(found)
}

/// The XML of the worksheet named `sheet` in a package.
fn sheet_xml(bytes: &[u8], sheet: &str) -> Option<String> {
    sheet_part(bytes, sheet).map(|(_, xml)| xml)
}

/// The part name and XML of the worksheet named `sheet`, found through the
/// workbook's relationships.
fn sheet_part(bytes: &[u8], sheet: &str) -> Option<(String, String)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let workbook = read_part(&mut archive, "xl/workbook.xml")?;
    let id = attribute_of(&workbook, "sheet", "name", sheet, "r:id")?;
    let rels = read_part(&mut archive, "xl/_rels/workbook.xml.rels")?;
    let target = attribute_of(&rels, "Relationship", "Id", &id, "Target")?;
    let part = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    };
    let xml = read_part(&mut archive, &part)?;
    Some((part, xml))
}

fn read_part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<String> {
    let mut text = String::new();
    archive.by_name(name).ok()?.read_to_string(&mut text).ok()?;
    Some(text)
}

/// The `wanted` attribute of the first `element` whose `key` attribute is `value`.
fn attribute_of(xml: &str, element: &str, key: &str, value: &str, wanted: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == element => {
                let get = |name: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == name)
                        .map(|a| {
                            quick_xml::escape::unescape(&a.value)
                                .map_or_else(|_| a.value.to_string(), |v| v.into_owned())
                        })
                };
                if get(key).as_deref() == Some(value) {
                    return get(wanted);
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = r#"<worksheet xmlns="main" xmlns:r="rel" xmlns:xr="rev">"#;

    #[test]
    fn dropped_elements_come_back_where_the_schema_puts_them() {
        let was = format!(
            r#"{ROOT}<sheetData/><dataValidations count="1"><dataValidation type="date" xr:uid="{{1}}" sqref="G4"><formula1>36526</formula1></dataValidation></dataValidations><printOptions gridLines="1"/><pageMargins left="1"/><pageSetup paperSize="9" r:id="rId1"/></worksheet>"#
        );
        let now = r#"<worksheet xmlns="main" xmlns:r="rel"><sheetData/><dataValidations count="1"><dataValidation type="date" sqref="G4"/></dataValidations><pageMargins left="1"/><pageSetup paperSize="9" r:id="rId2"/><legacyDrawing r:id="rId1"/></worksheet>"#;
        let fixed = patched(&was, now).expect("patched");
        assert_eq!(
            fixed,
            r#"<worksheet xmlns="main" xmlns:r="rel" xmlns:xr="rev"><sheetData/><dataValidations count="1"><dataValidation type="date" xr:uid="{1}" sqref="G4"><formula1>36526</formula1></dataValidation></dataValidations><printOptions gridLines="1"/><pageMargins left="1"/><pageSetup paperSize="9" r:id="rId2"/><legacyDrawing r:id="rId1"/></worksheet>"#,
            "bounds and gridlines back, the printer settings link left alone"
        );
        assert_eq!(patched(now, now), None, "nothing to put back");
    }
}
