//! What the office prints, printed: the sample's workbook, its 督办单 and an
//! annotated copy through a real office suite (LibreOffice Calc and Writer →
//! PDF), read back page by page: the words on each page, and the size of every
//! glyph on paper (SPEC §5: body at least 9 points, page headers and footers at
//! least 8), and every cell of the lists, printed whole (a row too short loses
//! its last lines on paper) in rows with no line to spare. Runs when COUNTY_RETURNS_RENDER=1 (set by .ci/run,
//! which installs libreoffice-calc-nogui, libreoffice-writer-nogui,
//! poppler-utils, python3-pdfminer and python3-openpyxl); elsewhere it says it
//! was skipped.
//!
//! Glyph sizes come from pdfminer (tests/render/glyph_sizes.py): a glyph's size
//! there is its font size times the text and page matrices' scale, the size on
//! paper whatever the font's ascent and descent (which make pdftotext's word
//! boxes a fifth taller or shorter than the type, by font) and however a sheet's
//! fit-to-page scaled it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Workdir, copy_files};

fn rendering() -> bool {
    let on = std::env::var("COUNTY_RETURNS_RENDER").as_deref() == Ok("1");
    if !on {
        eprintln!("skipped: set COUNTY_RETURNS_RENDER=1 to render with LibreOffice");
    }
    on
}

/// Converts every workbook given to PDF in `out` with LibreOffice, in one run.
fn to_pdf(w: &Workdir, files: &[PathBuf], out: &Path) {
    std::fs::create_dir_all(out).expect("pdf folder");
    let status = Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(out)
        .args(files)
        .env("HOME", w.path(""))
        .status()
        .expect("soffice runs (apt-get install libreoffice-calc-nogui)");
    assert!(status.success(), "LibreOffice could not convert {files:?}");
}

/// Text without white space: pdftotext breaks lines and spaces characters as the
/// layout falls, so words are compared squashed.
fn squash(text: &str) -> String {
    text.split_whitespace().collect()
}

/// The text of each page of a PDF, squashed (see [`squash`]).
fn pages(pdf: &Path) -> Vec<String> {
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(squash).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// The sample's July with June and May beside it, consolidated with 督办单.
fn sample_july(w: &Workdir) -> (PathBuf, PathBuf) {
    for month in ["2018-05", "2018-06", "2018-07"] {
        copy_files(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("input")
                .join(month),
            &w.path(&format!("input/{month}")),
        );
    }
    let output = w.run(&[
        "run",
        "--feedback",
        "督办单",
        "--contact",
        "基础教育处 张三 0898-65236001",
        "--date",
        "2018-08-10",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        w.path("output/2018-07/大班额任务进展汇总_2018-07.xlsx"),
        w.path("督办单"),
    )
}

#[test]
fn every_printed_page_says_what_when_and_from_whom() {
    if !rendering() {
        return;
    }
    let w = Workdir::new();
    let (workbook, _) = sample_july(&w);
    to_pdf(&w, &[workbook], &w.path("pdf"));
    let pages = pages(&w.path("pdf/大班额任务进展汇总_2018-07.pdf"));
    assert!(pages.len() >= 14, "{} pages for 14 sheets", pages.len());
    let total = pages.len();
    for (i, page) in pages.iter().enumerate() {
        let n = i + 1;
        for (what, word) in [
            (
                "the plan",
                "《海南省消除义务教育学校大班额专项规划》".to_string(),
            ),
            ("the period", "2018年7月".to_string()),
            ("the as-of date", "统计截止 2018年7月31日".to_string()),
            ("the office", "海南省教育厅".to_string()),
            ("its number", format!("第 {n} 页 共 {total} 页")),
        ] {
            assert!(
                page.contains(&squash(&word)),
                "page {n} does not say {what} ({word}):\n{page}"
            );
        }
    }
    // Something only each sheet prints, so an empty or untitled sheet shows.
    let all = pages.join("\n");
    // Nothing internal reaches paper: no path of the machine, no program name,
    // no coined abbreviation of a verdict.
    for word in ["county-returns", "/input", "input/2018", "迟完", "…"] {
        assert!(!all.contains(&squash(word)), "{word:?} is printed");
    }
    assert!(
        all.match_indices("不适")
            .all(|(at, _)| all[at..].starts_with("不适用")),
        "不适 alone is printed"
    );
    for (sheet, words) in [
        (
            "总览",
            &[
                "任务进展汇总 · 2018年7月",
                "未报送单位",
                "制表：海南省教育厅",
            ][..],
        ),
        ("完成率图", &["各单位完成率（截至2018年7月31日）"]),
        (
            "进展矩阵",
            &["任务进展矩阵 · 2018年7月", "图例", "各单位完成率"],
        ),
        (
            "本月变化",
            &["本月变化 · 2018年7月", "新增未报送", "五指山市"],
        ),
        ("趋势", &["完成率趋势 · 2018年7月", "未报"]),
        ("趋势图", &["全省完成率趋势（截至2018年7月31日）"]),
        ("逾期事项", &["一、逾期未完成", "二、逾期完成", "联系电话"]),
        (
            "缺报事项",
            &["缺报事项 · 2018年7月", "本期未报送进展情况表"],
        ),
        ("催报名单", &["催报名单 · 2018年7月"]),
        ("明细", &["明细 · 2018年7月", "进展情况", "2017年7月31日"]),
        ("数据问题", &["数据问题 · 2018年7月", "处理"]),
        ("来源文件", &["处理结果", "已读取"]),
        ("任务清单", &["截止日期", "2017年7月底"]),
        (
            "说明",
            &[
                "判定的含义",
                "完成率",
                "各市县报送的2018年7月进展情况表 18 份",
            ],
        ),
    ] {
        for word in words {
            assert!(
                all.contains(&squash(word)),
                "sheet {sheet}: {word:?} is not in the printed PDF"
            );
        }
    }
}

#[test]
fn every_letter_prints_as_a_signed_letter() {
    if !rendering() {
        return;
    }
    let w = Workdir::new();
    let (_, feedback) = sample_july(&w);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&feedback)
        .expect("督办单 folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    to_pdf(&w, &files, &w.path("pdf"));
    for file in &files {
        let stem = file
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let unit = stem.split('_').nth(1).expect("督办单_<unit>_<period>");
        let pdf = w.path(&format!("pdf/{stem}.pdf"));
        let pages = pages(&pdf);
        let all = pages.concat();
        for word in [
            format!("{unit}教育局："),
            "2018年7月任务进展督办单".to_string(),
            "联系人：基础教育处 张三，联系电话：0898-65236001".to_string(),
            "海南省教育厅".to_string(),
            "2018年8月10日".to_string(),
        ] {
            assert!(
                all.contains(&squash(&word)),
                "{stem} lacks {word:?}:\n{all}"
            );
        }
        for (n, page) in pages.iter().enumerate() {
            assert!(
                page.contains(&format!("—{}—", n + 1)),
                "{stem}: page {} is numbered — {} —:\n{page}",
                n + 1,
                n + 1
            );
        }
        // The 落款 never stands alone: its page has body text above it.
        let last = pages.last().expect("a page");
        assert!(
            last.contains("请于") || last.contains("联系人"),
            "{stem}: the signature's page: {last}"
        );
        // GB/T 9704 type: 3号 (16 pt) body and 2号 (22 pt) title, 4号 (14 pt)
        // page numbers; 37 and 35 mm margins.
        let sizes = glyph_sizes(&pdf, 37.0 / 25.4 * 72.0, 35.0 / 25.4 * 72.0);
        for page in &sizes {
            assert!(
                page.body >= 15.9 && page.edges >= 13.9,
                "{stem} page {}: body {} pt, page number {} pt",
                page.number,
                page.body,
                page.edges
            );
        }
        eprintln!(
            "{stem}: {} page(s), smallest body glyph {:.1} pt, page number {:.1} pt",
            sizes.len(),
            sizes.iter().map(|p| p.body).fold(f64::MAX, f64::min),
            sizes.iter().map(|p| p.edges).fold(f64::MAX, f64::min)
        );
    }
}

/// The smallest printed glyphs of one PDF page, in points.
#[derive(Debug)]
struct PageSizes {
    number: usize,
    /// In the body: between the top and bottom margins.
    body: f64,
    /// In the page header and footer.
    edges: f64,
    /// The page's first characters, to say which it is.
    text: String,
}

/// The Python that has pdfminer and openpyxl: `python3` on the path, else
/// Debian's own (.ci/run installs python3-pdfminer and python3-openpyxl for
/// it; a pyenv `python3` may not see them).
fn python() -> &'static str {
    for python in ["python3", "/usr/bin/python3"] {
        let found = Command::new(python)
            .args(["-c", "import pdfminer, openpyxl"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if found {
            return python;
        }
    }
    panic!(
        "no python3 with pdfminer and openpyxl: apt-get install python3-pdfminer python3-openpyxl"
    );
}

/// Every page's smallest glyphs, with margins of `top` and `bottom` points.
fn glyph_sizes(pdf: &Path, top: f64, bottom: f64) -> Vec<PageSizes> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/render/glyph_sizes.py");
    let output = Command::new(python())
        .arg(script)
        .arg(pdf)
        .arg(top.to_string())
        .arg(bottom.to_string())
        .output()
        .expect("pdfminer runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.splitn(4, '\t').collect();
            PageSizes {
                number: fields[0].parse().expect("page"),
                body: fields[1].parse().expect("size"),
                edges: fields[2].parse().expect("size"),
                text: fields.get(3).unwrap_or(&"").to_string(),
            }
        })
        .collect()
}

/// The workbook's margins: 0.75 inch above, 0.6 below (look::style::PAGE_MARGINS).
const SHEET_MARGINS: (f64, f64) = (0.75 * 72.0, 0.6 * 72.0);

#[test]
fn every_printed_page_of_the_workbook_is_legible() {
    if !rendering() {
        return;
    }
    let w = Workdir::new();
    let (workbook, _) = sample_july(&w);
    to_pdf(&w, &[workbook], &w.path("pdf"));
    let pdf = w.path("pdf/大班额任务进展汇总_2018-07.pdf");
    let texts = pages(&pdf);
    let sizes = glyph_sizes(&pdf, SHEET_MARGINS.0, SHEET_MARGINS.1);
    assert_eq!(texts.len(), sizes.len());
    // Which sheet a page is, by the title in its page header.
    let sheets = [
        ("总览", "任务进展汇总"),
        ("说明", "说明"),
        ("完成率图", "各单位完成率"),
        ("进展矩阵", "任务进展矩阵"),
        ("本月变化", "本月变化"),
        ("趋势", "完成率趋势"),
        ("趋势图", "全省完成率趋势"),
        ("逾期事项", "逾期事项"),
        ("缺报事项", "缺报事项"),
        ("催报名单", "催报名单"),
        ("明细", "明细"),
        ("数据问题", "数据问题"),
        ("来源文件", "来源文件"),
        ("任务清单", "任务清单"),
    ];
    let sheet_of = |text: &str| {
        sheets
            .iter()
            .find(|(_, title)| text.contains(&format!("》{title}·2018年7月")))
            .map(|(sheet, _)| *sheet)
            .unwrap_or_else(|| panic!("a page of no sheet: {text}"))
    };
    let mut summary: Vec<(&str, usize, f64, f64)> = Vec::new();
    for (text, page) in texts.iter().zip(&sizes) {
        let sheet = sheet_of(text);
        assert!(
            page.body >= 9.0 - 0.05,
            "{sheet} (page {}): body glyphs of {} pt: {}",
            page.number,
            page.body,
            page.text
        );
        assert!(
            page.edges >= 8.0 - 0.05,
            "{sheet} (page {}): header or footer glyphs of {} pt",
            page.number,
            page.edges
        );
        match summary.last_mut() {
            Some((s, n, body, edges)) if *s == sheet => {
                *n += 1;
                *body = body.min(page.body);
                *edges = edges.min(page.edges);
            }
            _ => summary.push((sheet, 1, page.body, page.edges)),
        }
    }
    assert_eq!(
        summary.iter().map(|(s, ..)| *s).collect::<Vec<_>>(),
        sheets.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        "every sheet prints, in order"
    );
    for (sheet, n, body, edges) in &summary {
        eprintln!(
            "{sheet}\t{n} page(s)\tsmallest body glyph {body:.2} pt\theader/footer {edges:.2} pt"
        );
    }
    // The lists print one page across: every page holds their first and last
    // printed column (no column pushed onto a page of its own).
    for (sheet, first, last) in [
        ("本月变化", "单位", "说明"),
        ("逾期事项", "单位", "联系人"),
        ("缺报事项", "单位", "联系人"),
        ("催报名单", "单位", "联系电话"),
        ("明细", "单位", "进展情况"),
        ("数据问题", "级别", "处理"),
        ("来源文件", "文件名", "处理结果"),
        ("任务清单", "序号", "截止日期"),
    ] {
        for text in texts.iter().filter(|t| sheet_of(t) == sheet) {
            assert!(
                text.contains(first) && text.contains(last),
                "{sheet}: a page without its {first} or {last} column:\n{text}"
            );
        }
    }
    // 明细 prints its key columns only; the rest stays on screen.
    for text in texts.iter().filter(|t| sheet_of(t) == "明细") {
        assert!(
            !text.contains("进展与上期相同") && !text.contains("逾期天数"),
            "{text}"
        );
    }
    // Dense: 明细's 570 rows printed about four a page when every row kept a
    // line or two to spare and the long texts were narrow (133 pages).
    let detail = summary
        .iter()
        .find(|(s, ..)| *s == "明细")
        .map_or(0, |s| s.1);
    assert!(
        detail > 0 && 570 / detail >= 8,
        "明细 prints {detail} pages for 570 rows"
    );
}

/// The list sheets, by the title in their page header.
const LISTS: [(&str, &str); 8] = [
    ("本月变化", "本月变化"),
    ("逾期事项", "逾期事项"),
    ("缺报事项", "缺报事项"),
    ("催报名单", "催报名单"),
    ("明细", "明细"),
    ("数据问题", "数据问题"),
    ("来源文件", "来源文件"),
    ("任务清单", "任务清单"),
];

#[test]
fn every_printed_row_of_the_lists_is_as_tall_as_its_text() {
    if !rendering() {
        return;
    }
    let w = Workdir::new();
    let (workbook, _) = sample_july(&w);
    to_pdf(&w, std::slice::from_ref(&workbook), &w.path("pdf"));
    let pdf = w.path("pdf/大班额任务进展汇总_2018-07.pdf");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/render/cell_texts.py");
    let output = Command::new(python())
        .arg(script)
        .arg(&workbook)
        .arg(&pdf)
        .args(
            LISTS
                .iter()
                .map(|(sheet, title)| format!("{sheet}={title}")),
        )
        .output()
        .expect("pdfminer runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = String::from_utf8_lossy(&output.stdout);
    // A summary line per sheet (sheet, rows, cells compared, pages); anything
    // else is a cell whose printed text is not the workbook's (a line cut
    // off), a glyph past its cell's border, or a row with a line to spare.
    let mut summaries = Vec::new();
    for line in report.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            [sheet, rows, cells, pages]
                if [rows, cells, pages]
                    .iter()
                    .all(|f| f.parse::<usize>().is_ok()) =>
            {
                summaries.push((sheet.to_string(), rows.to_string(), cells.to_string()));
                eprintln!("{sheet}: {rows} rows, {cells} cells printed whole on {pages} page(s)");
            }
            _ => panic!("a printed row is not as tall as its text: {line}\n{report}"),
        }
    }
    assert_eq!(summaries.len(), LISTS.len(), "{report}");
    for (sheet, rows, cells) in &summaries {
        assert!(
            rows != "0" && cells != "0",
            "{sheet}: no rows compared\n{report}"
        );
    }
}

#[test]
fn the_annotated_copy_prints_legibly() {
    if !rendering() {
        return;
    }
    let w = Workdir::new();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("input/2018-07/三亚市2018年7月大班额任务进展情况.xlsx");
    std::fs::create_dir_all(w.path("2018-07")).expect("folder");
    std::fs::copy(&sample, w.path("2018-07/三亚市.xlsx")).expect("copy");
    let output = w.run(&[
        "check",
        "2018-07/三亚市.xlsx",
        "--annotate",
        "三亚市_批注.xlsx",
    ]);
    assert!(
        w.path("三亚市_批注.xlsx").exists(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    to_pdf(&w, &[w.path("三亚市_批注.xlsx")], &w.path("pdf"));
    let pdf = w.path("pdf/三亚市_批注.pdf");
    let texts = pages(&pdf);
    let all = texts.concat();
    assert!(all.contains("三亚市2018年7月进展情况表问题清单"), "{all}");
    assert!(
        all.contains(&squash(
            "填报单位：三亚市　　期别：2018年7月　　统计截止：2018年7月31日"
        )),
        "{all}"
    );
    for page in glyph_sizes(&pdf, SHEET_MARGINS.0, SHEET_MARGINS.1) {
        assert!(
            page.body >= 9.0 - 0.05 && page.edges >= 8.0 - 0.05,
            "page {}: body {} pt, header/footer {} pt: {}",
            page.number,
            page.body,
            page.edges,
            page.text
        );
        eprintln!(
            "annotated copy page {}: smallest body glyph {:.2} pt, header/footer {:.2} pt",
            page.number, page.body, page.edges
        );
    }
}

/// The greys a page of 8-bit greyscale pixels shows in bands, top to bottom: each
/// band a run of rows whose middle pixels are alike and darker than paper.
fn bands(pgm: &[u8]) -> Vec<u8> {
    // P5 header: magic, width, height, max, each separated by white space.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
    }
    let (width, height): (usize, usize) =
        (fields[1].parse().expect("w"), fields[2].parse().expect("h"));
    let pixels = &pgm[at + 1..];
    let mut found: Vec<(u8, usize)> = Vec::new();
    for y in 0..height {
        let row = &pixels[y * width..(y + 1) * width];
        let mut middle: Vec<u8> = row[width / 4..width * 3 / 4].to_vec();
        middle.sort_unstable();
        let grey = middle[middle.len() / 2];
        match found.last_mut() {
            Some((g, n)) if g.abs_diff(grey) <= 3 => *n += 1,
            _ => found.push((grey, 1)),
        }
    }
    found
        .into_iter()
        .filter(|(g, n)| *n >= 8 && *g < 250)
        .map(|(g, _)| g)
        .collect()
}

#[test]
fn the_main_verdicts_print_as_different_greys() {
    if !rendering() {
        return;
    }
    use county_returns::check::Verdict;
    use county_returns::look::style;
    let w = Workdir::new();
    let main = [
        Verdict::InProgress,
        Verdict::OnTime,
        Verdict::NotSubmitted,
        Verdict::OverdueUnfinished,
    ];
    // The very formats the workbook paints its verdicts with, one wide swatch each.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_column_width(0, 60).expect("width");
    for (i, v) in main.iter().enumerate() {
        let row = i as u32 * 2;
        sheet.set_row_height(row, 60).expect("height");
        sheet.set_row_height(row + 1, 20).expect("gap");
        sheet
            .write_string_with_format(row, 0, v.label(), &style::verdict(*v))
            .expect("swatch");
    }
    let xlsx = w.path("swatches.xlsx");
    workbook.save(&xlsx).expect("save");
    to_pdf(&w, &[xlsx], &w.path("pdf"));
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", "40", "-singlefile"])
        .arg(w.path("pdf/swatches.pdf"))
        .arg(w.path("swatches"))
        .status()
        .expect("pdftoppm runs");
    assert!(status.success());
    let greys = bands(&std::fs::read(w.path("swatches.pgm")).expect("greyscale page"));
    assert_eq!(greys.len(), 4, "four swatches in grey: {greys:?}");
    for pair in greys.windows(2) {
        assert!(
            pair[0] > pair[1] && pair[0] - pair[1] >= 40,
            "each main verdict prints at least 40 grey levels darker than the one before: {greys:?}"
        );
    }
    eprintln!("printed greys of 推进中, 按期完成, 未报送, 逾期未完成: {greys:?}");
}
