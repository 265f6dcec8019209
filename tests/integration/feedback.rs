//! 督办单 read back: every letter of the sample's July, as the unit will read it
//! (SPEC §6): addressed to its 主送, dated the day given, with whom to call, its
//! late return said, the full task names, no word meant for the office; none for
//! a unit with nothing to follow up; the same bytes for the same inputs and date.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use county_returns::catalogue::Catalogue;

use crate::common::{Workdir, copy_files, docx_paragraphs, zip_text};

const CONTACT: &str = "张三，0898-65236001";

/// The sample's June and July, July consolidated with 督办单 dated `date`.
fn letters(w: &Workdir, date: &str, extra: &[&str]) -> BTreeMap<String, PathBuf> {
    for month in ["2018-06", "2018-07"] {
        copy_files(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("input")
                .join(month),
            &w.path(&format!("input/{month}")),
        );
    }
    let mut args = vec![
        "run",
        "--feedback",
        "督办单",
        "--contact",
        CONTACT,
        "--date",
        date,
    ];
    args.extend_from_slice(extra);
    let output = w.run(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout);
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(w.path("督办单")).expect("督办单 folder") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let unit = name
            .strip_prefix("督办单_")
            .and_then(|n| n.strip_suffix("_2018-07.docx"))
            .unwrap_or_else(|| panic!("{name}: 督办单_<unit>_<period>.docx"))
            .to_string();
        found.insert(unit, path);
    }
    assert!(
        said.contains(&format!("督办单 {} 份已写入", found.len())),
        "the summary says how many were written: {said}"
    );
    found
}

/// A cell address such as G17: capital letters, then digits, alone.
fn has_cell_address(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(2).enumerate().any(|(i, pair)| {
        pair[0].is_ascii_uppercase()
            && pair[1].is_ascii_digit()
            && (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
    })
}

#[test]
fn every_letter_reads_as_the_office_sends_it() {
    let w = Workdir::new();
    let letters = letters(&w, "2018-08-10", &[]);
    let catalogue = Catalogue::embedded().expect("catalogue");
    // Units with nothing to follow up get none: 海口市 sent its July return on
    // time, with nothing overdue, missing or wrong.
    assert!(!letters.contains_key("海口市"), "{:?}", letters.keys());
    assert!(
        letters.len() >= 8 && letters.len() < 19,
        "{:?}",
        letters.keys()
    );
    for (unit, path) in &letters {
        let text = docx_paragraphs(path);
        let all = text.concat();
        let title = text
            .iter()
            .position(|p| p.is_empty())
            .expect("a blank line after the title");
        assert!(
            text[..title].concat().contains("2018年7月任务进展督办单"),
            "{unit}: {text:?}"
        );
        assert_eq!(text[title + 1], format!("{unit}教育局："), "{unit}: 主送");
        let tail: Vec<&String> = text.iter().rev().take(2).collect();
        assert_eq!(tail[0], "2018年8月10日", "{unit}: 成文日期 is --date");
        assert_eq!(tail[1], "海南省教育厅", "{unit}: the office signs");
        assert!(
            text.iter()
                .any(|p| p == "联系人：张三，联系电话：0898-65236001"),
            "{unit}: {text:?}"
        );
        for word in [
            "判定",
            "待核实",
            "致：",
            "请与该单位",
            "…",
            "本期没有需要督办的事项",
        ] {
            assert!(!all.contains(word), "{unit}: “{word}” in {text:?}");
        }
        assert!(
            !has_cell_address(&all),
            "{unit}: a cell address in {text:?}"
        );
        // Every task named is named in full.
        for p in text.iter().filter(|p| p.contains("项任务“")) {
            let number: u32 = p
                .split_once("．第")
                .and_then(|(_, rest)| rest.split_once("项任务"))
                .and_then(|(n, _)| n.parse().ok())
                .unwrap_or_else(|| panic!("{unit}: item {p}"));
            let task = catalogue.get(number).expect("task");
            let full = task.text.trim().trim_end_matches('。');
            assert!(p.contains(full), "{unit}: task {number} cut: {p}");
        }
        // One item per task.
        let items: Vec<&String> = text.iter().filter(|p| p.contains("项任务“")).collect();
        let mut numbers: Vec<&str> = items
            .iter()
            .filter_map(|p| p.split_once("项任务").map(|(n, _)| n))
            .collect();
        let count = numbers.len();
        numbers.dedup();
        assert_eq!(
            numbers.len(),
            count,
            "{unit}: a task listed twice: {items:?}"
        );
    }
    // 东方市 filed on 8月8日, after the 5th: its letter says so, and says nothing else is due.
    let east = docx_paragraphs(&letters["东方市"]).concat();
    assert!(
        east.contains("该表填报日期为2018年8月8日，晚于规定的报送时限2018年8月5日，属迟报"),
        "{east}"
    );
    // 五指山市 sent nothing: as of the letter's day, not the as-of date.
    let silent = docx_paragraphs(&letters["五指山市"]).concat();
    assert!(
        silent.contains("应于2018年8月5日前报送")
            && silent.contains("截至2018年8月10日，尚未收到你单位的情况表"),
        "{silent}"
    );
    assert!(!silent.contains("截至2018年7月31日"), "{silent}");
    // 三亚市 marked task 14 done with no date: one item, in words for the county.
    let sanya = docx_paragraphs(&letters["三亚市"]);
    let item = sanya
        .iter()
        .find(|p| p.contains("第14项任务"))
        .expect("task 14");
    assert!(
        item.contains("未填写完成时间") && item.contains("请补填实际完成时间"),
        "{item}"
    );
    // Finished late is no item: 万宁市's task 14 asks nothing of it.
    let wanning = docx_paragraphs(&letters["万宁市"]).concat();
    assert!(!wanning.contains("第14项任务"), "{wanning}");
    assert!(wanning.contains("第1项任务"), "{wanning}");
}

#[test]
fn a_letter_is_a_gb9704_page_and_the_same_bytes_twice() {
    let (a, b) = (Workdir::new(), Workdir::new());
    let first = letters(&a, "2018-08-10", &[]);
    let second = letters(&b, "2018-08-10", &[]);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (unit, path) in &first {
        assert_eq!(
            std::fs::read(path).expect("read"),
            std::fs::read(&second[unit]).expect("read"),
            "{unit}: the same inputs and date give the same bytes"
        );
    }
    let path = &first["三亚市"];
    // Every part dated the 成文日期, not the moment it was written.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    for i in 0..zip.len() {
        let part = zip.by_index(i).expect("part");
        let time = part.last_modified().expect("a time");
        assert_eq!(
            (time.year(), time.month(), time.day()),
            (2018, 8, 10),
            "{}",
            part.name().unwrap_or_default()
        );
    }
    let core = zip_text(path, "docProps/core.xml");
    assert!(
        core.contains(">2018-08-10T00:00:00Z</dcterms:created>"),
        "{core}"
    );
    assert!(
        core.contains("<dc:creator>海南省教育厅</dc:creator>"),
        "{core}"
    );
    // GB/T 9704: A4, the type area 156 × 225 mm, 3号 仿宋_GB2312 on a 28.95-point
    // line, the title in 2号 小标宋, page numbers — 1 — in 4号 宋体.
    let document = zip_text(path, "word/document.xml");
    for set in [
        "<w:pgSz w:w=\"11906\" w:h=\"16838\"",
        "w:top=\"2098\"",
        "w:left=\"1588\"",
        "w:eastAsia=\"仿宋_GB2312\"",
        "w:eastAsia=\"方正小标宋简体\"",
        "<w:sz w:val=\"32\"",
        "<w:sz w:val=\"44\"",
        "w:line=\"579\" w:lineRule=\"exact\"",
    ] {
        assert!(document.contains(set), "document.xml lacks {set}");
    }
    let fonts = zip_text(path, "word/fontTable.xml");
    assert!(fonts.contains("<w:font w:name=\"仿宋_GB2312\"><w:altName w:val=\"仿宋\"/>"));
    assert!(fonts.contains("<w:font w:name=\"方正小标宋简体\"><w:altName w:val=\"宋体\"/>"));
    let mut footers = Vec::new();
    for i in 0..zip.len() {
        let name = zip
            .by_index(i)
            .expect("part")
            .name()
            .unwrap_or_default()
            .into_owned();
        if name.starts_with("word/footer") {
            footers.push(crate::common::docx_paragraphs_of(path, &name).concat());
        }
    }
    assert_eq!(footers.len(), 2, "odd and even page footers");
    for footer in footers {
        assert_eq!(footer, "— 1 —", "the page number between dashes");
    }
}

#[test]
fn the_roster_may_name_whom_a_letter_is_addressed_to() {
    let w = Workdir::new();
    let roster = include_str!("../../src/default_roster.csv")
        .replace("单位,别名,类别", "单位,别名,类别,主送")
        .lines()
        .map(|line| match line.split(',').next() {
            Some("三亚市") => format!("{line},三亚市教育局、三亚市人民政府教育督导室"),
            Some("单位") => line.to_string(),
            _ => format!("{line},"),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(w.path("roster.csv"), roster).expect("roster");
    let letters = letters(&w, "2018-08-10", &["--roster", "roster.csv"]);
    let sanya = docx_paragraphs(&letters["三亚市"]);
    assert!(
        sanya
            .iter()
            .any(|p| p == "三亚市教育局、三亚市人民政府教育督导室："),
        "{sanya:?}"
    );
    let east = docx_paragraphs(&letters["东方市"]);
    assert!(east.iter().any(|p| p == "东方市教育局："), "{east:?}");
}
