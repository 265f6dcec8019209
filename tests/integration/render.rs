//! The sample's workbook in a real office suite: LibreOffice must open it and
//! print every sheet with its content. Runs when COUNTY_RETURNS_RENDER=1 (set by
//! .ci/run, which installs libreoffice-calc-nogui and poppler-utils); elsewhere it
//! says it was skipped.

use std::path::Path;
use std::process::Command;

use crate::common::Workdir;

#[test]
fn libreoffice_prints_every_sheet() {
    if std::env::var("COUNTY_RETURNS_RENDER").as_deref() != Ok("1") {
        eprintln!("skipped: set COUNTY_RETURNS_RENDER=1 to render with LibreOffice");
        return;
    }
    let w = Workdir::new();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("input/2018-06");
    let out = w.consolidate(&sample, &[]);
    let status = Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(w.path(""))
        .arg(&out)
        .env("HOME", w.path(""))
        .status()
        .expect("soffice runs (apt-get install libreoffice-calc-nogui)");
    assert!(
        status.success(),
        "LibreOffice could not convert the workbook"
    );
    let pdf = w.path("out.pdf");
    assert!(pdf.exists(), "LibreOffice wrote no PDF");
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 8, "{} pages for 8 sheets", pages.len());
    // Something only each sheet prints, so an empty sheet shows.
    for (sheet, words) in [
        ("总览", &["任务进展汇总", "未报送单位", "完成率"][..]),
        ("进展矩阵", &["任务进展矩阵", "图例", "各单位完成率"]),
        ("逾期事项", &["逾期天数", "联系电话"]),
        ("缺报事项", &["三沙市", "未报送"]),
        ("明细", &["来源", "进展情况"]),
        ("数据问题", &["处理", "大部分完成"]),
        ("来源文件", &["SHA-256", "已读取"]),
        ("任务清单", &["截止日期", "2017年7月底"]),
    ] {
        for word in words {
            assert!(
                text.contains(word),
                "sheet {sheet}: {word:?} is not in the printed PDF"
            );
        }
    }
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("第 {} 页", i + 1)),
            "page {} has its footer",
            i + 1
        );
    }
}
