//! `check --annotate`: the county gets its own file back with marks on it (an
//! .xlsx), or a copy laid out like its sheet (other formats), and 问题清单.
//!
//! The copies are read back twice: with calamine for their values, and as the
//! package's XML parts for what a reader of values cannot see (merges, print setup,
//! frozen panes, fills, notes).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::common::*;

/// The fills of `src/report/style.rs`, as the package writes them.
const ERROR_FILL: &str = "FFF8CBAD";
const WARNING_FILL: &str = "FFFFE699";
const ROW_TINT: &str = "FFFCE4D6";

/// A return laid out and set up for print as a county does it: a merged title,
/// widths, a frozen header repeated on each page, A4 landscape one page wide with
/// gridlines, a drop-down on 完成状态, a date check on 完成时间 and a sheet of
/// instructions. Its problems: an unknown
/// status (F4), a date that is no date (G5, a blue bordered cell), a completion date
/// after the as-of date (G6, a warning), a 合计 row (7).
fn county_return(path: &Path) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("进展情况")?;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    sheet.merge_range(0, 0, 0, 10, "2018年7月消除大班额专项规划进展情况表", &title)?;
    sheet.write(1, 0, "填报单位：")?;
    sheet.write(1, 1, "琼中县")?;
    sheet.write(1, 4, "填报日期：")?;
    sheet.write(1, 5, "2018年7月3日")?;
    let header = Format::new().set_bold().set_border(FormatBorder::Thin);
    for (c, title) in county_returns::template::HEADER.iter().enumerate() {
        sheet.write_with_format(2, c as u16, *title, &header)?;
    }
    let body = Format::new().set_border(FormatBorder::Thin);
    let blue = body.clone().set_font_color(0x0000FF);
    sheet.write_with_format(3, 0, 1, &body)?;
    sheet.write_with_format(3, 5, "大部分完成", &body)?;
    sheet.write_with_format(4, 0, 2, &body)?;
    sheet.write_with_format(4, 5, "推进中", &body)?;
    sheet.write_with_format(4, 6, "下个月", &blue)?;
    sheet.write_with_format(5, 0, 3, &body)?;
    sheet.write_with_format(5, 5, "已完成", &body)?;
    let date = chrono::NaiveDate::from_ymd_opt(2018, 8, 20).expect("date");
    sheet.write_datetime_with_format(5, 6, date, &body.clone().set_num_format("yyyy-mm-dd"))?;
    sheet.write_with_format(6, 0, "合计", &body)?;
    sheet.write_with_format(6, 1, "共 30 项", &body)?;
    for (c, width) in [6, 40, 14, 14, 10, 10, 12, 30, 20, 20, 8]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *width)?;
    }
    let statuses = DataValidation::new().allow_list_strings(&["已完成", "推进中", "未启动"])?;
    sheet.add_data_validation(3, 5, 40, 5, &statuses)?;
    let first = chrono::NaiveDate::from_ymd_opt(2017, 1, 1).expect("date");
    let dates =
        DataValidation::new().allow_date(rust_xlsxwriter::DataValidationRule::GreaterThan(first));
    sheet.add_data_validation(3, 6, 40, 6, &dates)?;
    sheet
        .set_paper_size(9)
        .set_print_gridlines(true)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_freeze_panes(3, 0)?
        .set_repeat_rows(2, 2)?;
    workbook
        .add_worksheet()
        .set_name("填表说明")?
        .write(0, 0, "完成状态请从下拉列表中选择")?;
    workbook.save(path)
}

/// An .xlsx's parts by name, as text.
struct Package(HashMap<String, String>);

impl Package {
    fn open(path: &Path) -> Self {
        let file = std::fs::File::open(path).expect("open copy");
        let mut zip = zip::ZipArchive::new(file).expect("the copy is a zip");
        let mut parts = HashMap::new();
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).expect("part");
            let name = part.name().expect("part name").into_owned();
            let mut text = String::new();
            if part.read_to_string(&mut text).is_ok() {
                parts.insert(name, text);
            }
        }
        Self(parts)
    }

    fn part(&self, name: &str) -> &str {
        self.0
            .get(name)
            .unwrap_or_else(|| panic!("no part {name} in {:?}", self.0.keys()))
    }

    /// The part a relationship of `from` points at, by the relationship's type.
    fn related(&self, from: &str, kind: &str) -> Option<String> {
        let (dir, file) = from.rsplit_once('/').unwrap_or(("", from));
        let rels = self.0.get(&format!("{dir}/_rels/{file}.rels"))?;
        let rel = elements(rels, "Relationship")
            .into_iter()
            .find(|r| attr(r, "Type").is_some_and(|t| t.ends_with(kind)))?;
        let target = attr(&rel, "Target")?;
        Some(resolve(dir, &target))
    }

    /// The worksheet part of the sheet named `name`.
    fn sheet(&self, name: &str) -> &str {
        let workbook = self.part("xl/workbook.xml");
        let sheet = elements(workbook, "sheet")
            .into_iter()
            .find(|s| attr(s, "name").as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no sheet {name}"));
        let id = attr(&sheet, "r:id").expect("r:id");
        let rels = self.part("xl/_rels/workbook.xml.rels");
        let rel = elements(rels, "Relationship")
            .into_iter()
            .find(|r| attr(r, "Id").as_deref() == Some(id.as_str()))
            .expect("the sheet's relationship");
        self.part(&resolve("xl", &attr(&rel, "Target").expect("target")))
    }

    /// The notes of a sheet: (cell, author, text).
    fn notes(&self, sheet: &str) -> Vec<(String, String, String)> {
        let workbook = self.part("xl/workbook.xml");
        let s = elements(workbook, "sheet")
            .into_iter()
            .find(|s| attr(s, "name").as_deref() == Some(sheet))
            .expect("sheet");
        let id = attr(&s, "r:id").expect("r:id");
        let rels = self.part("xl/_rels/workbook.xml.rels");
        let rel = elements(rels, "Relationship")
            .into_iter()
            .find(|r| attr(r, "Id").as_deref() == Some(id.as_str()))
            .expect("relationship");
        let part = resolve("xl", &attr(&rel, "Target").expect("target"));
        let Some(comments) = self.related(&part, "/comments") else {
            return Vec::new();
        };
        let comments = self.part(&comments);
        let authors: Vec<String> = elements(comments, "author")
            .iter()
            .map(|a| inner_text(a))
            .collect();
        elements(comments, "comment")
            .iter()
            .map(|c| {
                let author = attr(c, "authorId")
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| authors.get(i).cloned())
                    .unwrap_or_default();
                (attr(c, "ref").unwrap_or_default(), author, inner_text(c))
            })
            .collect()
    }

    /// The fill colour (ARGB) and the font and border XML of a cell's style.
    fn look(&self, sheet: &str, cell: &str) -> (Option<String>, String, String) {
        let xml = self.sheet(sheet);
        let c = elements(xml, "c")
            .into_iter()
            .find(|c| attr(c, "r").as_deref() == Some(cell))
            .unwrap_or_else(|| panic!("{sheet}!{cell} is not in the copy"));
        let s: usize = attr(&c, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
        let styles = self.part("xl/styles.xml");
        let section = |name: &str| {
            let start = styles.find(&format!("<{name}")).expect(name);
            let end = styles[start..].find(&format!("</{name}>")).expect(name) + start;
            styles[start..end].to_string()
        };
        let xf = elements(&section("cellXfs"), "xf")[s].clone();
        let pick = |list: &str, tag: &str, id: &str| {
            let i: usize = attr(&xf, id).and_then(|i| i.parse().ok()).unwrap_or(0);
            elements(&section(list), tag)[i].clone()
        };
        let fill = pick("fills", "fill", "fillId");
        let fg = elements(&fill, "fgColor")
            .first()
            .and_then(|f| attr(f, "rgb"));
        (
            fg,
            pick("fonts", "font", "fontId"),
            pick("borders", "border", "borderId"),
        )
    }
}

fn resolve(dir: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for piece in target.split('/') {
        match piece {
            ".." => {
                parts.pop();
            }
            "." => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Every `<tag …>…</tag>` or `<tag …/>` of `xml`, whole.
fn elements(xml: &str, tag: &str) -> Vec<String> {
    let mut found = Vec::new();
    let open = format!("<{tag}");
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        if !after.starts_with([' ', '>', '/']) {
            rest = after;
            continue;
        }
        let head_end = after.find('>').map_or(after.len(), |e| e + 1);
        let element_end = if after[..head_end].ends_with("/>") {
            head_end
        } else {
            after
                .find(&format!("</{tag}>"))
                .map_or(head_end, |e| e + tag.len() + 3)
        };
        found.push(format!("{open}{}", &after[..element_end]));
        rest = &after[element_end..];
    }
    found
}

/// An attribute of an element's start tag.
fn attr(element: &str, name: &str) -> Option<String> {
    let head = &element[..element.find('>').unwrap_or(element.len())];
    let key = format!(" {name}=\"");
    let at = head.find(&key)? + key.len();
    let end = head[at..].find('"')? + at;
    Some(head[at..end].to_string())
}

/// The text of an element, tags dropped.
fn inner_text(element: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in element.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn annotate(w: &Workdir, file: &str, as_of: &str) -> PathBuf {
    let output = w.run(&["check", file, "--as-of", as_of, "--annotate", "标注.xlsx"]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "check failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    w.path("标注.xlsx")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// What every note of a copy must be: ours, in Chinese, with no English author.
fn assert_notes_are_chinese(notes: &[(String, String, String)]) {
    for (cell, author, text) in notes {
        assert!(
            !text.contains("county-returns") && text.starts_with('【'),
            "note on {cell}: {text:?}"
        );
        assert!(
            !author.is_empty() && !author.is_ascii(),
            "note on {cell} has author {author:?}"
        );
    }
}

#[test]
fn an_xlsx_is_marked_in_place() {
    let w = Workdir::new();
    let original = w.path("琼中县.xlsx");
    county_return(&original).expect("write return");
    let before = std::fs::read(&original).expect("read");
    let copy = annotate(&w, "琼中县.xlsx", "2018-07-31");
    assert_eq!(
        std::fs::read(&original).expect("read"),
        before,
        "the return is not modified"
    );

    // The values, as calamine reads them: the county's sheets unchanged, the list last.
    assert_eq!(sheet_names(&copy), ["进展情况", "填表说明", "问题清单"]);
    for sheet in ["进展情况", "填表说明"] {
        assert_eq!(
            sheet_text(&copy, sheet),
            sheet_text(&original, sheet),
            "{sheet} holds what it held"
        );
    }
    let list = sheet_text(&copy, "问题清单");
    assert_list_heading(&list);
    assert_eq!(list[2], ["级别", "位置", "序号", "问题", "怎么改"]);
    assert!(
        list.iter()
            .any(|r| r[1] == "“进展情况”表 第5行 完成时间栏（G5）" && r[3].contains("下个月")),
        "{list:?}"
    );
    assert!(
        list.iter().all(|r| r[0] != "说明"),
        "the original was kept: nothing to explain"
    );

    // What only the package shows.
    let package = Package::open(&copy);
    let data = package.sheet("进展情况");
    for kept in [
        "<mergeCell ref=\"A1:K1\"/>",
        "orientation=\"landscape\"",
        "paperSize=\"9\"",
        "fitToHeight=\"0\"",
        // Printed at full size: fitted to the page, the county's wide columns
        // would shrink its text below 9 points.
        "<pageSetUpPr fitToPage=\"0\"/>",
        "state=\"frozen\"",
        "ySplit=\"3\"",
        "<dataValidation ",
        // umya-spreadsheet drops these two; they are put back from the original.
        "<formula1>42736</formula1>",
        "gridLines=\"1\"",
    ] {
        assert!(data.contains(kept), "进展情况 lost {kept}:\n{data}");
    }
    let widths: Vec<String> = elements(data, "col")
        .iter()
        .filter_map(|c| attr(c, "width"))
        .collect();
    assert!(
        widths.iter().any(|w| w.starts_with("40")),
        "column widths kept: {widths:?}"
    );
    let workbook = package.part("xl/workbook.xml");
    assert!(
        workbook.contains("'进展情况'!$3:$3") || workbook.contains("进展情况!$3:$3"),
        "the header row still prints on every page: {workbook}"
    );
    let selected: Vec<&str> = ["进展情况", "填表说明", "问题清单"]
        .into_iter()
        .filter(|s| package.sheet(s).contains("tabSelected=\"1\""))
        .collect();
    assert_eq!(selected, ["进展情况"], "the county's sheet opens, alone");

    let (fill, _, _) = package.look("进展情况", "F4");
    assert_eq!(
        fill.as_deref(),
        Some(ERROR_FILL),
        "the unknown status is red"
    );
    let (fill, font, border) = package.look("进展情况", "G5");
    assert_eq!(
        fill.as_deref(),
        Some(ERROR_FILL),
        "the date that is none is red"
    );
    assert!(font.contains("FF0000FF"), "G5 keeps its blue font: {font}");
    // The error's mark that prints in black and white: a thick solid frame.
    assert!(
        border.contains("style=\"medium\"") && !border.contains("mediumDashed"),
        "G5 is framed solid: {border}"
    );
    let (_, _, border) = package.look("进展情况", "G6");
    assert!(
        border.contains("mediumDashed"),
        "the warning is framed dashed: {border}"
    );
    let (fill, _, _) = package.look("进展情况", "G6");
    assert_eq!(
        fill.as_deref(),
        Some(WARNING_FILL),
        "the late date is yellow"
    );
    for cell in ["A7", "B7"] {
        let (fill, _, _) = package.look("进展情况", cell);
        assert_eq!(
            fill.as_deref(),
            Some(ROW_TINT),
            "the 合计 row is tinted at {cell}"
        );
    }

    let notes = package.notes("进展情况");
    let cells: Vec<&str> = notes.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(cells, ["F4", "G5", "G6", "A7"], "{notes:?}");
    assert_notes_are_chinese(&notes);
    assert!(notes[1].2.contains("下个月"), "{notes:?}");

    let list = package.sheet("问题清单");
    for set in [
        "orientation=\"landscape\"",
        "paperSize=\"9\"",
        // At full size: the list's columns fit one page across.
        "scale=\"100\"",
        "第 &amp;P 页 共 &amp;N 页",
        "state=\"frozen\"",
    ] {
        assert!(list.contains(set), "问题清单 lacks {set}:\n{list}");
    }
    assert!(
        workbook.contains("问题清单'!$3:$3") || workbook.contains("问题清单!$3:$3"),
        "问题清单 repeats its header: {workbook}"
    );

    let output = w.run(&["check", "琼中县.xlsx", "--annotate", "琼中县.xlsx"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        std::fs::read(&original).expect("read"),
        before,
        "never overwrites the return"
    );
}

/// 问题清单 opens with its title and whose it is: unit, period, as-of date.
fn assert_list_heading(list: &[Vec<String>]) {
    assert!(
        list[0][0].ends_with("进展情况表问题清单") && list[0][0].contains("年"),
        "{:?}",
        list[0]
    );
    for word in ["填报单位：", "期别：", "统计截止："] {
        assert!(list[1][0].contains(word), "{word} in {:?}", list[1]);
    }
}

/// The rebuilt copy of a file the library cannot mark in place: its sheet, its
/// merges, its frozen header, A4 landscape, the marks, and a word that it was rebuilt.
fn assert_rebuilt(copy: &Path, merge: &str, frozen_rows: u32, marked: &[(&str, &str)]) {
    assert_eq!(sheet_names(copy), ["进展情况", "问题清单"]);
    let list = sheet_text(copy, "问题清单");
    assert_list_heading(&list);
    assert_eq!(list[3][0], "说明", "{list:?}");
    assert!(list[3][3].contains("重新排版"), "{list:?}");
    let package = Package::open(copy);
    let data = package.sheet("进展情况");
    for set in [
        format!("<mergeCell ref=\"{merge}\"/>"),
        "orientation=\"landscape\"".into(),
        "paperSize=\"9\"".into(),
        format!("ySplit=\"{frozen_rows}\""),
    ] {
        assert!(data.contains(&set), "进展情况 lacks {set}:\n{data}");
    }
    // Printed at full size, over more pages across if need be, never shrunk.
    assert!(!data.contains("fitToPage"), "{data}");
    for (cell, colour) in marked {
        let (fill, _, border) = package.look("进展情况", cell);
        assert_eq!(fill.as_deref(), Some(*colour), "the fill of {cell}");
        assert!(
            border.contains("medium"),
            "{cell} is framed, to show in black and white: {border}"
        );
    }
    let notes = package.notes("进展情况");
    assert!(!notes.is_empty(), "the copy has notes");
    assert_notes_are_chinese(&notes);
}

#[test]
fn an_xls_gets_a_copy_laid_out_like_it() {
    let w = Workdir::new();
    std::fs::copy(fixture("lo_xls_儋州市.xls"), w.path("儋州市.xls")).expect("copy");
    // Task 1's completion date, 2017-07-20, is after this as-of date.
    let copy = annotate(&w, "儋州市.xls", "2017-07-10");
    assert_rebuilt(&copy, "B2:C2", 3, &[("G4", WARNING_FILL)]);
    let data = sheet_text(&copy, "进展情况");
    assert_eq!(data[3][6], "2017-07-20", "the date stays a date");
}

#[test]
fn an_ods_gets_a_copy_laid_out_like_it() {
    let w = Workdir::new();
    std::fs::copy(fixture("lo_ods_万宁市.ods"), w.path("万宁市.ods")).expect("copy");
    let copy = annotate(&w, "万宁市.ods", "2017-07-10");
    // The two-row header: 完成情况 over 完成状态 | 完成时间, data from row 5.
    assert_rebuilt(&copy, "F3:G3", 4, &[("G5", WARNING_FILL)]);
}

/// Every .xlsx the tests and the peer corpus hold (odd, broken, strict, huge
/// dimensions), each given a problem on a cell and on a row: the library that
/// marks files in place panics or errs on some, and the copy falls back to being
/// rebuilt. It is always a workbook with 问题清单, never a crash.
#[test]
fn every_xlsx_gets_a_copy() {
    use county_returns::problem::{Problem, Severity};
    use county_returns::table::workbook::{Limits, Workbook as Source};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut folders = vec![root.join("tests/fixtures")];
    folders.extend(shared_corpus("calamine-fixtures"));
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.map(|e| e.expect("entry").path()) {
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "xlsx" || e == "xlsm") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 30, "{} files", files.len());
    let (mut kept, mut rebuilt) = (0, 0);
    for path in &files {
        let bytes = std::fs::read(path).expect("read");
        let sheet = Source::open(bytes.clone(), Limits::default())
            .ok()
            .and_then(|wb| wb.worksheet_names().first().map(|(n, _)| n.clone()));
        let name = path.display().to_string();
        let problems: Vec<Problem> = sheet
            .iter()
            .flat_map(|s| {
                [
                    Problem::file(Severity::Error, &name, "完成状态无法识别", "请改正").at(
                        s,
                        0,
                        Some(0),
                    ),
                    Problem::file(Severity::Warning, &name, "该行无法识别", "请核对")
                        .at(s, 1, None),
                ]
            })
            .collect();
        let refs: Vec<&Problem> = problems.iter().collect();
        let heading = county_returns::annotate::Heading {
            unit: Some("海口市".to_string()),
            month: county_returns::period::Month {
                year: 2018,
                month: 7,
            },
            as_of: chrono::NaiveDate::from_ymd_opt(2018, 7, 31).expect("date"),
        };
        let copy = county_returns::annotate::build(
            Some(bytes),
            sheet.as_deref(),
            &refs,
            &heading,
            Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut read = Source::open(copy, Limits::default())
            .unwrap_or_else(|e| panic!("{name}: the copy does not open: {e}"));
        let names: Vec<String> = read.worksheet_names().into_iter().map(|(n, _)| n).collect();
        assert!(
            names.last().is_some_and(|n| n.starts_with("问题清单")),
            "{name}: {names:?}"
        );
        let list = names.last().cloned().unwrap_or_default();
        let rows = read
            .read_sheet(&list, false)
            .expect("read 问题清单")
            .grid
            .rows;
        let explained = rows.iter().any(|r| {
            r.cells
                .first()
                .is_some_and(|(_, v)| *v == calamine::Data::String("说明".into()))
        });
        if sheet.is_some() && !explained {
            kept += 1;
        } else if sheet.is_some() {
            rebuilt += 1;
        }
    }
    eprintln!(
        "{kept} marked in place, {rebuilt} rebuilt, of {}",
        files.len()
    );
    assert!(kept > 10, "{kept} marked in place");
}

/// LibreOffice opens the marked copy and prints it: the county's sheet as the
/// county set it up (A4 landscape, one page), then 问题清单. Runs when
/// COUNTY_RETURNS_RENDER=1, as `tests/integration/render.rs` does.
#[test]
fn libreoffice_prints_the_marked_copy() {
    use std::process::Command;
    if std::env::var("COUNTY_RETURNS_RENDER").as_deref() != Ok("1") {
        eprintln!("skipped: set COUNTY_RETURNS_RENDER=1 to render with LibreOffice");
        return;
    }
    let w = Workdir::new();
    county_return(&w.path("琼中县.xlsx")).expect("write return");
    let copy = annotate(&w, "琼中县.xlsx", "2018-07-31");
    // LibreOffice runs detached (setsid --fork), never waited for here: the memory
    // tests read the largest child this test binary has waited for, and LibreOffice
    // is larger than what they allow the tool.
    let done = w.path("converted");
    let script = format!(
        "soffice --headless --convert-to pdf --outdir '{}' '{}' >/dev/null 2>&1; touch '{}'",
        w.path("").display(),
        copy.display(),
        done.display()
    );
    let status = Command::new("setsid")
        .args(["--fork", "sh", "-c", &script])
        .env("HOME", w.path(""))
        .status()
        .expect("setsid runs");
    assert!(status.success(), "could not start LibreOffice");
    let started = std::time::Instant::now();
    while !done.exists() {
        assert!(
            started.elapsed().as_secs() < 180,
            "LibreOffice did not finish"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let pdf = w.path("标注.pdf");
    assert!(pdf.exists(), "LibreOffice could not convert the copy");
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .expect("page size");
    let sides: Vec<f64> = size
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    assert!(sides[0] > sides[1], "landscape pages: {size}");
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    // 进展情况 at full size, over two pages across; 填表说明 and 问题清单 one page each.
    let n = pages.len();
    assert_eq!(n, 4, "{text}");
    assert!(pages[0].contains("消除大班额专项规划进展情况表") && pages[0].contains("大部分完成"));
    let list = pages[n - 1];
    assert!(list.contains("怎么改") && list.contains("下个月"));
    assert!(
        list.contains("进展情况表问题清单") && list.contains("填报单位：琼中"),
        "{list}"
    );
    let footer: String = list.split_whitespace().collect();
    assert!(
        footer.contains(&format!("第{n}页共{n}页")),
        "问题清单 has its footer: {list}"
    );
}
