//! What the office prints, printed: the sample's workbook and 督办单 through a real
//! office suite (LibreOffice → PDF), read back page by page. Runs when
//! COUNTY_RETURNS_RENDER=1 (set by .ci/run, which installs libreoffice-calc-nogui
//! and poppler-utils); elsewhere it says it was skipped.

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
        "基础教育处 0898-65236001",
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
        ("明细", &["明细 · 2018年7月", "来源", "2017年7月31日"]),
        ("数据问题", &["数据问题 · 2018年7月", "处理"]),
        ("来源文件", &["SHA-256", "已读取"]),
        ("任务清单", &["截止日期", "2017年7月底"]),
        ("说明", &["判定的含义", "完成率", "county-returns"]),
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
fn every_feedback_sheet_is_one_signed_page() {
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
    assert_eq!(files.len(), 19, "one 督办单 per unit");
    to_pdf(&w, &files, &w.path("pdf"));
    for file in &files {
        let stem = file
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let unit = stem.split('_').nth(1).expect("督办单_<unit>_<period>");
        assert!(
            stem.ends_with("_2018-07"),
            "{stem}: the period is in the name"
        );
        let pages = pages(&w.path(&format!("pdf/{stem}.pdf")));
        assert_eq!(pages.len(), 1, "{stem}: one A4 page");
        let page = &pages[0];
        for word in [
            format!("致：{unit}"),
            "任务进展督办单 · 2018年7月".to_string(),
            "联系人：基础教育处 0898-65236001".to_string(),
            "海南省教育厅".to_string(),
            "2018年7月31日".to_string(),
            "第 1 页 共 1 页".to_string(),
        ] {
            assert!(
                page.contains(&squash(&word)),
                "{stem} lacks {word:?}:\n{page}"
            );
        }
        // What to do comes with a date to answer by, or the unit has nothing to do.
        assert!(
            page.contains("请于2018年9月5日前") || page.contains("本期没有需要督办的事项"),
            "{stem}: {page}"
        );
    }
    // A unit that sent nothing gets one sentence, not a row per task.
    let silent = pages(&w.path("pdf/督办单_五指山市_2018-07.pdf")).join("");
    assert!(
        silent.contains("你单位未报送2018年7月任务进展情况表"),
        "{silent}"
    );
    assert!(!silent.contains("主要任务"), "{silent}");
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
