//! A template a county can fill and print: its period in the title and file
//! name, 填表说明, print setup (A4 landscape, one page wide, header on every
//! page, office and period in the page header), rows tall enough for the task
//! text, protection that still lets rows be resized, validation titled by column.
//! The LibreOffice render at the end runs when COUNTY_RETURNS_RENDER=1, like
//! render.rs.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use county_returns::catalogue::Catalogue;
use county_returns::roster::Roster;

use crate::common::{Workdir, sheet_names, sheet_text};

/// Runs `template` with `args` in `w`, asserting success; gives stdout.
fn template(w: &Workdir, args: &[&str]) -> String {
    let output = w.run(&[&["template"], args].concat());
    assert!(
        output.status.success(),
        "template {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn zip_part(path: &Path, part: &str) -> String {
    let file = std::fs::File::open(path).expect("open");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    let mut text = String::new();
    zip.by_name(part)
        .unwrap_or_else(|e| panic!("{part}: {e}"))
        .read_to_string(&mut text)
        .expect("read part");
    text
}

/// The attributes of every element named `tag` in `xml`, in document order.
fn elements(xml: &str, tag: &str) -> Vec<HashMap<String, String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == tag => {
                found.push(
                    e.attributes()
                        .flatten()
                        .map(|a| {
                            let value = quick_xml::escape::unescape(&a.value)
                                .map_or_else(|_| a.value.to_string(), |v| v.into_owned());
                            (a.key.as_ref().to_string(), value)
                        })
                        .collect(),
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// The text of every element named `tag`.
fn texts(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| {
            let body = &rest[rest.find('>')? + 1..];
            let text = &body[..body.find(&close)?];
            Some(
                quick_xml::escape::unescape(text)
                    .map_or_else(|_| text.to_string(), |v| v.into_owned()),
            )
        })
        .collect()
}

/// 保亭黎族苗族自治县's template for July 2018: the longest unit name.
fn july_template(w: &Workdir) -> PathBuf {
    template(
        w,
        &["--unit", "保亭", "--period", "2018-07", "--output", "tpl"],
    );
    let path = w.path("tpl/保亭黎族苗族自治县_进展情况表_2018-07.xlsx");
    assert!(path.exists(), "file name carries the period");
    path
}

#[test]
fn the_period_is_in_the_file_name_title_and_page_header() {
    let w = Workdir::new();
    let path = july_template(&w);
    let rows = sheet_text(&path, "进展情况");
    assert_eq!(
        rows[0][0],
        "保亭黎族苗族自治县《海南省消除义务教育学校大班额专项规划》任务进展情况表（2018年7月）"
    );
    let sheet = zip_part(&path, "xl/worksheets/sheet1.xml");
    let header = texts(&sheet, "oddHeader").concat();
    for words in ["海南省教育厅", "2018年7月", "保亭黎族苗族自治县"] {
        assert!(
            header.contains(words),
            "page header {header:?} lacks {words}"
        );
    }
    let footer = texts(&sheet, "oddFooter").concat();
    assert!(footer.contains("第 &P 页 共 &N 页"), "footer {footer:?}");

    // Another office, and no period: no month anywhere, never a placeholder.
    template(
        &w,
        &[
            "--unit",
            "海口",
            "--office",
            "某市教育局",
            "--output",
            "plain",
        ],
    );
    let path = w.path("plain/海口市_进展情况表.xlsx");
    let rows = sheet_text(&path, "进展情况");
    assert_eq!(
        rows[0][0],
        "海口市《海南省消除义务教育学校大班额专项规划》任务进展情况表"
    );
    let header = texts(&zip_part(&path, "xl/worksheets/sheet1.xml"), "oddHeader").concat();
    assert!(header.contains("某市教育局"), "{header:?}");
    assert!(!header.contains("海南省教育厅"), "{header:?}");
}

#[test]
fn a_plan_without_a_name_leaves_the_brackets_out() {
    let w = Workdir::new();
    std::fs::write(
        w.path("tasks.txt"),
        "\t序号\n\t主要任务\n\t牵头单位\n\t配合单位\n\t完成时限\n\n\t1\n\t制定专项规划。\n\t各市县政府\n\t省教育厅\n\t2017年7月底\n",
    )
    .expect("tasks");
    template(
        &w,
        &[
            "--tasks",
            "tasks.txt",
            "--unit",
            "海口",
            "--period",
            "2018-07",
        ],
    );
    let path = w.path("output/templates/海口市_进展情况表_2018-07.xlsx");
    let title = &sheet_text(&path, "进展情况")[0][0];
    assert_eq!(title, "海口市任务进展情况表（2018年7月）");
}

#[test]
fn the_period_defaults_to_the_latest_input_folder() {
    let w = Workdir::new();
    w.folder("input/2018-05");
    w.folder("input/2018-06");
    w.folder("input/样例");
    let said = template(&w, &["--unit", "海口"]);
    assert!(
        w.path("output/templates/海口市_进展情况表_2018-06.xlsx")
            .exists(),
        "{said}"
    );
    assert!(
        said.contains("2018年6月") && said.contains("--period"),
        "says where the period came from: {said}"
    );
    let said = template(&w, &["--unit", "海口", "--period", "2018-07"]);
    assert!(said.contains("2018年7月"), "{said}");
    assert!(
        w.path("output/templates/海口市_进展情况表_2018-07.xlsx")
            .exists()
    );
}

#[test]
fn instructions_sheet_follows_the_data_sheet() {
    let w = Workdir::new();
    let path = july_template(&w);
    assert_eq!(sheet_names(&path), ["进展情况", "填表说明"]);
    let workbook = zip_part(&path, "xl/workbook.xml");
    let views = elements(&workbook, "workbookView");
    assert!(
        views[0].get("activeTab").is_none_or(|t| t == "0"),
        "进展情况 is the active sheet: {views:?}"
    );
    let text: String = sheet_text(&path, "填表说明")
        .concat()
        .concat()
        .split_whitespace()
        .collect();
    for words in [
        "已完成——",
        "推进中——",
        "未启动——",
        "不适用——",
        "80%",
        "2018年7月20日",
        "2018-07-20",
        "勿重新编号",
        "勿修改表头",
        "填报日期、填报人、联系电话必须填写",
        // One line says what to send: the .xlsx, and the stamped paper beside it.
        "请于2018年8月5日前报送两份：一是本Excel文件（.xlsx），用于汇总",
        "也不要以PDF或图片代替",
        "二是打印的纸质件，在表尾“填报单位（盖章）”处加盖公章、审核人签字后，随Excel文件一并报送海南省教育厅",
        "保亭黎族苗族自治县_进展情况表_2018-07.xlsx",
        "如有疑问，请联系海南省教育厅",
        "共30项任务",
    ] {
        assert!(text.contains(words), "填表说明 lacks “{words}”: {text}");
    }
    let guide = zip_part(&path, "xl/worksheets/sheet2.xml");
    let setup = &elements(&guide, "pageSetup")[0];
    assert_eq!(setup.get("paperSize").map(String::as_str), Some("9"));
    assert_eq!(
        setup.get("orientation").map(String::as_str),
        Some("portrait")
    );
    assert!(
        setup.get("fitToHeight").is_none_or(|h| h == "1"),
        "one page tall"
    );
    assert_eq!(elements(&guide, "pageSetUpPr")[0]["fitToPage"], "1");

    // --due-day reaches the instructions.
    template(
        &w,
        &["--unit", "海口", "--period", "2018-12", "--due-day", "10"],
    );
    let path = w.path("output/templates/海口市_进展情况表_2018-12.xlsx");
    let text: String = sheet_text(&path, "填表说明").concat().concat();
    assert!(text.contains("请于2019年1月10日前"), "{text}");
}

#[test]
fn prints_a4_landscape_one_page_wide_with_the_header_on_every_page() {
    let w = Workdir::new();
    let path = july_template(&w);
    let sheet = zip_part(&path, "xl/worksheets/sheet1.xml");
    let setup = &elements(&sheet, "pageSetup")[0];
    let attr = |k: &str| setup.get(k).map(String::as_str);
    assert_eq!(attr("paperSize"), Some("9"), "A4: {setup:?}");
    assert_eq!(attr("orientation"), Some("landscape"), "{setup:?}");
    // fitToWidth defaults to 1 when absent (ECMA-376 §18.3.1.63).
    assert!(matches!(attr("fitToWidth"), None | Some("1")), "{setup:?}");
    assert_eq!(
        attr("fitToHeight"),
        Some("0"),
        "as many pages tall as needed"
    );
    assert!(attr("scale").is_none(), "no fixed scale: {setup:?}");
    assert_eq!(elements(&sheet, "pageSetUpPr")[0]["fitToPage"], "1");
    let workbook = zip_part(&path, "xl/workbook.xml");
    let names = elements(&workbook, "definedName");
    let titles = texts(&workbook, "definedName");
    let at = names
        .iter()
        .position(|n| n["name"] == "_xlnm.Print_Titles")
        .expect("print titles defined");
    assert_eq!(names[at]["localSheetId"], "0");
    assert_eq!(titles[at], "进展情况!$3:$3", "the header row repeats");
    assert_eq!(sheet_text(&path, "进展情况")[2][0], "序号");

    let protection = &elements(&sheet, "sheetProtection")[0];
    assert!(!protection.contains_key("password"), "{protection:?}");
    assert_eq!(
        protection.get("formatRows").map(String::as_str),
        Some("0"),
        "rows can be resized: {protection:?}"
    );
    assert_eq!(
        protection.get("formatColumns").map(String::as_str),
        Some("0"),
        "{protection:?}"
    );
}

#[test]
fn task_rows_are_tall_enough_for_the_whole_task_text() {
    let w = Workdir::new();
    let path = july_template(&w);
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let u = roster.lookup("保亭黎族苗族自治县").expect("unit");
    let tasks: Vec<u32> = roster.expectations(&catalogue)[u]
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let sheet = zip_part(&path, "xl/worksheets/sheet1.xml");
    let heights: HashMap<u32, f64> = elements(&sheet, "row")
        .into_iter()
        .filter_map(|r| Some((r["r"].parse().ok()?, r.get("ht")?.parse().ok()?)))
        .collect();
    for (i, number) in tasks.iter().enumerate() {
        let text = &catalogue.get(*number).expect("task").text;
        // 主要任务 is 14 characters wide: at most 16 fit a line in Excel
        // (29.5 width units of 7 px, 13.3 px a character), each line 13.5 points.
        let units: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        let lines = units.div_ceil(32).max(1);
        let row = 4 + i as u32;
        let height = heights.get(&row).copied().unwrap_or(15.0);
        assert!(
            height >= 13.5 * lines as f64,
            "task {number} (row {row}) is {height} points tall, its text needs {lines} lines"
        );
    }
}

#[test]
fn validations_are_titled_by_their_own_column() {
    let w = Workdir::new();
    let path = july_template(&w);
    let sheet = zip_part(&path, "xl/worksheets/sheet1.xml");
    let by_range: HashMap<String, HashMap<String, String>> = elements(&sheet, "dataValidation")
        .into_iter()
        .map(|v| (v["sqref"].clone(), v))
        .collect();
    let last = 3 + 30;
    for (range, title, kind) in [
        ("F2".to_string(), "填报日期", "date"),
        (format!("F4:F{last}"), "完成状态", "list"),
        (format!("G4:G{last}"), "完成时间", "date"),
    ] {
        let v = by_range
            .get(&range)
            .unwrap_or_else(|| panic!("no validation on {range}: {by_range:?}"));
        assert_eq!(v["type"], kind, "{range}");
        assert_eq!(v["errorTitle"], title, "{range}'s error title");
        assert_eq!(v["promptTitle"], title, "{range}'s prompt title");
    }
    let status = &by_range[&format!("F4:F{last}")];
    assert_eq!(
        status.get("errorStyle").map(String::as_str),
        Some("warning"),
        "a percentage, as 填表说明 allows, is not refused"
    );
    assert!(
        sheet.contains("\"已完成,推进中,未启动,不适用\""),
        "drop-down"
    );
}

/// The words of one PDF page with their boxes, from `pdftotext -bbox`.
struct Word {
    x: (f64, f64),
    y: (f64, f64),
    text: String,
}

fn pages_of(bbox: &str) -> Vec<Vec<Word>> {
    let number = |tag: &str, key: &str| -> f64 {
        let at = tag.find(&format!("{key}=\"")).expect("attribute") + key.len() + 2;
        tag[at..at + tag[at..].find('"').expect("quote")]
            .parse()
            .expect("number")
    };
    bbox.split("<page ")
        .skip(1)
        .map(|page| {
            page.split("<word ")
                .skip(1)
                .filter_map(|w| {
                    let (tag, rest) = w.split_once('>')?;
                    let text = &rest[..rest.find("</word>")?];
                    Some(Word {
                        x: (number(tag, "xMin"), number(tag, "xMax")),
                        y: (number(tag, "yMin"), number(tag, "yMax")),
                        text: quick_xml::escape::unescape(text)
                            .map_or_else(|_| text.to_string(), |v| v.into_owned()),
                    })
                })
                .collect()
        })
        .collect()
}

/// Words by line, top to bottom, then left to right. Words of one line in
/// different fonts (digits, CJK) have boxes a little apart in height.
fn in_reading_order(mut words: Vec<&Word>) -> Vec<&Word> {
    words.sort_by(|a, b| a.y.0.total_cmp(&b.y.0));
    let mut lines: Vec<Vec<&Word>> = Vec::new();
    for word in words {
        let middle = (word.y.0 + word.y.1) / 2.0;
        match lines.last_mut() {
            Some(line) if (middle - (line[0].y.0 + line[0].y.1) / 2.0).abs() < 3.0 => {
                line.push(word);
            }
            _ => lines.push(vec![word]),
        }
    }
    lines
        .into_iter()
        .flat_map(|mut line| {
            line.sort_by(|a, b| a.x.0.total_cmp(&b.x.0));
            line
        })
        .collect()
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn libreoffice_prints_the_template_as_a_county_would() {
    if std::env::var("COUNTY_RETURNS_RENDER").as_deref() != Ok("1") {
        eprintln!("skipped: set COUNTY_RETURNS_RENDER=1 to render with LibreOffice");
        return;
    }
    let w = Workdir::new();
    let path = july_template(&w);
    let status = Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(w.path("pdf"))
        .arg(&path)
        .env("HOME", w.path(""))
        .status()
        .expect("soffice runs (apt-get install libreoffice-calc-nogui)");
    assert!(
        status.success(),
        "LibreOffice could not convert the template"
    );
    let pdf = w.path("pdf/保亭黎族苗族自治县_进展情况表_2018-07.pdf");
    let output = Command::new("pdftotext")
        .arg("-bbox")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    let pages = pages_of(&String::from_utf8_lossy(&output.stdout));
    let (guide, sheet) = pages.split_last().expect("pages");
    assert!(
        sheet.len() >= 2,
        "30 tasks on {} page(s): is the sheet squeezed onto one?",
        sheet.len()
    );
    let guide_text = squash(&guide.iter().map(|w| w.text.as_str()).collect::<String>());
    assert!(
        guide_text.contains("填表说明") && guide_text.contains("已完成——"),
        "the last page is 填表说明: {guide_text}"
    );

    let catalogue = Catalogue::embedded().expect("catalogue");
    let mut task_column = String::new();
    for (i, words) in sheet.iter().enumerate() {
        let page = i + 1;
        let text = squash(&words.iter().map(|w| w.text.as_str()).collect::<String>());
        for expected in [
            "海南省教育厅",
            "2018年7月",
            "保亭黎族苗族自治县任务进展情况表",
        ] {
            assert!(text.contains(expected), "page {page} lacks {expected}");
        }
        assert!(
            text.contains(&format!("第{page}页")),
            "page {page}: no page number"
        );
        // Fitted to the width: the header's first and last cells on one line of the page.
        let cell = |name: &str| {
            words
                .iter()
                .find(|w| w.text == name)
                .unwrap_or_else(|| panic!("page {page}: no header cell {name}"))
        };
        let (first, task, lead, last) = (
            cell("序号"),
            cell("主要任务"),
            cell("牵头单位"),
            cell("备注"),
        );
        assert!(
            (first.y.0 - last.y.0).abs() < 1.0 && first.x.1 < last.x.0,
            "page {page}: 备注 is not beside 序号 on the header line"
        );
        // A readable print: 10-point text shrunk to no less than 7 points (with
        // Calibri's metrics, as Excel has them: .ci/run installs Carlito).
        let glyph = (first.x.1 - first.x.0) / 2.0;
        assert!(
            glyph >= 7.0,
            "page {page}: characters {glyph:.1} points wide"
        );
        // The 主要任务 column, read top to bottom.
        // Its lines start at the column's left edge, left of the centred header
        // and of the next column's header.
        let column: Vec<&Word> = words
            .iter()
            .filter(|w| w.y.0 > task.y.1 && w.x.0 > first.x.1)
            .filter(|w| w.x.0 < task.x.0 && w.x.0 < lead.x.0)
            .collect();
        task_column.extend(in_reading_order(column).iter().map(|w| w.text.as_str()));
    }
    // Every task's text whole and in order: a row too short for its text
    // would cut its last lines off or run them into the next row.
    let roster = Roster::default_hainan().expect("roster");
    let u = roster.lookup("保亭黎族苗族自治县").expect("unit");
    let all: String = roster.expectations(&catalogue)[u]
        .iter()
        .map(|(t, _)| squash(&catalogue.get(*t).expect("task").text))
        .collect();
    let column = squash(&task_column);
    assert!(
        column.contains(&all),
        "the 主要任务 column does not print every task text whole and in order:\n{column}"
    );
}

#[test]
fn instructions_name_whom_to_ask_when_given() {
    let w = Workdir::new();
    let said = template(
        &w,
        &[
            "--unit",
            "海口",
            "--period",
            "2018-07",
            "--contact",
            "基础教育处 王芳 0898-65236001",
        ],
    );
    assert!(said.contains("2018年7月"), "{said}");
    let path = w.path("output/templates/海口市_进展情况表_2018-07.xlsx");
    let text: String = sheet_text(&path, "填表说明").concat().concat();
    assert!(
        text.contains("如有疑问，请联系海南省教育厅：基础教育处 王芳 0898-65236001。"),
        "{text}"
    );
}
