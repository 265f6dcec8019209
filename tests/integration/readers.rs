//! Reader failures named for their cause (issue: every refusal says the true reason).
//!
//! `tests/fixtures/reader/` holds files made by LibreOffice, Gnumeric, xsltproc and
//! small scripts (its README says how each was made; FINDINGS.md why each fails in
//! calamine): each must be read, or refused for what it is. The peer corpora under
//! `../shared/corpus/` are read in place when they are here.

use std::path::{Path, PathBuf};

use crate::common::{Workdir, shared_corpus};

#[derive(Debug, Clone, Copy)]
enum Outcome {
    /// Read, with this many task rows.
    Rows(usize),
    /// Refused, the reason holding these words.
    Refused(&'static str),
}
use Outcome::*;

fn reader_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reader")
        .join(name)
}

/// What `check` makes of a file, read in place.
fn checked(w: &Workdir, path: &Path) -> String {
    let output = w.run(&[
        "check",
        path.to_str().expect("utf-8"),
        "--as-of",
        "2018-07-31",
    ]);
    assert!(
        output.status.code().is_some(),
        "{}: check crashed",
        path.display()
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn assert_outcome(w: &Workdir, path: &Path, want: Outcome) {
    let text = checked(w, path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match want {
        Rows(n) => assert!(
            text.contains(&format!("读到任务行 {n} 行")),
            "{name}: want {n} task rows read:\n{text}"
        ),
        Refused(words) => assert!(
            text.contains("无法读取：") && text.contains(words),
            "{name}: want a refusal saying {words:?}:\n{text}"
        ),
    }
}

/// Each class of FINDINGS.md: the file, and what must come of it.
const CLASSES: &[(&str, Outcome)] = &[
    // FILEPASS: XOR, RC4 and RC4 CryptoAPI with a real password are refused as such …
    ("xls_xor_password.xls", Refused("文件设有打开密码")),
    ("xls_biff5_xor_password.xls", Refused("文件设有打开密码")),
    ("xls_rc4_password.xls", Refused("文件设有打开密码")),
    (
        "xls_rc4_cryptoapi_password.xls",
        Refused("文件设有打开密码"),
    ),
    // … and the default password of a protected structure is lifted in memory.
    ("xls_structure_protected_velvetsweatshop.xls", Rows(5)),
    // Code page 10008 (Mac Simplified Chinese), BIFF8 and BIFF5.
    ("xls_codepage_10008_biff8.xls", Rows(3)),
    ("xls_codepage_10008_biff5.xls", Rows(3)),
    // An Excel 4.0 macro sheet beside the return.
    ("xlsm_excel4_macrosheet.xlsm", Rows(3)),
    // Strict OOXML, and a padded number typed t="n".
    ("strict_ooxml_serial_dates.xlsx", Rows(3)),
    ("strict_ooxml_iso_dates.xlsx", Rows(3)),
    ("strict_ooxml_parse_float.xlsx", Rows(3)),
    // content.xml indented between cells, or inside them.
    ("ods_whitespace_between_cells.ods", Rows(3)),
    ("ods_whitespace_inside_cells.ods", Rows(3)),
    // Every LibreOffice export filter (and Gnumeric's BIFF5, xsltproc's 2003 XML).
    ("lo_filters/xlsx_ms2007_海口市.xlsx", Rows(5)),
    ("lo_filters/xlsx_ooxml_海口市.xlsx", Rows(5)),
    ("lo_filters/xlsm_ms2007vba_海口市.xlsm", Rows(5)),
    ("lo_filters/xltx_ms2007template_海口市.xltx", Rows(5)),
    ("lo_filters/xls_biff8_海口市.xls", Rows(5)),
    ("lo_filters/xlt_biff8template_海口市.xlt", Rows(5)),
    ("lo_filters/xls_biff5_gnumeric_海口市.xls", Rows(5)),
    ("lo_filters/ods_calc8_海口市.ods", Rows(5)),
    ("lo_filters/ots_calc8template_海口市.ots", Rows(5)),
    (
        "lo_filters/fods_flatxml_海口市.fods",
        Refused("OpenDocument 平面 XML"),
    ),
    (
        "lo_filters/xml_spreadsheetml2003_xsltproc_海口市.xml",
        Rows(5),
    ),
    ("lo_filters/xml2003_as_xls_海口市.xls", Rows(5)),
    ("lo_filters/csv_utf8_海口市.csv", Rows(5)),
    ("lo_filters/csv_gbk_海口市.csv", Rows(5)),
    ("lo_filters/tsv_gbk_as_xls_海口市.xls", Rows(5)),
    ("lo_filters/html_starcalc_海口市.html", Rows(5)),
    ("lo_filters/html_as_xls_海口市.xls", Rows(5)),
    ("lo_filters/xhtml_calc_海口市.xhtml", Rows(5)),
    ("lo_filters/slk_sylk_海口市.slk", Refused("SYLK")),
    ("lo_filters/slk_as_xls_海口市.xls", Refused("SYLK")),
    ("lo_filters/dif_海口市.dif", Refused("DIF")),
];

#[test]
fn every_reader_class_is_read_or_refused_for_its_cause() {
    let w = Workdir::new();
    for (name, want) in CLASSES {
        assert_outcome(&w, &reader_fixture(name), *want);
    }
}

#[test]
fn every_reader_fixture_is_in_the_table() {
    let mut names = Vec::new();
    for dir in ["", "lo_filters"] {
        for entry in std::fs::read_dir(reader_fixture(dir)).expect("reader fixtures") {
            let path = entry.expect("entry").path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if path.is_file() && ext != "md" {
                let name = path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned();
                names.push(if dir.is_empty() {
                    name
                } else {
                    format!("{dir}/{name}")
                });
            }
        }
    }
    for name in names {
        assert!(
            CLASSES.iter().any(|(n, _)| *n == name),
            "{name} has no expected outcome"
        );
    }
}

/// Read in place; every refusal named, and every other file read as a workbook in
/// which no return was found (none of them is a return): never a wrong cause.
const CORPUS_REFUSALS: &[(&str, &str)] = &[
    ("calamine-fixtures/OOM_alloc3.xls", "复合文档结构损坏"),
    (
        "calamine-fixtures/issue252.xlsx",
        "xl/_rels/workbook.xml.rels 解压后与记录的大小或校验值不符",
    ),
    ("calamine-fixtures/issue_594_dos.ods", "相距很远的单元格"),
    ("calamine-fixtures/pass_protected.ods", "文件设有打开密码"),
    ("calamine-fixtures/pass_protected.xlsb", "文件设有打开密码"),
    ("calamine-fixtures/pass_protected.xlsx", "文件设有打开密码"),
    ("calamine-fixtures/too_small.xls", "只有一行文字"),
    ("reader-classes/Simple.xlsb", "读取库不支持"),
    ("reader-classes/xor-encryption-abc.xls", "文件设有打开密码"),
];

#[test]
fn the_peer_corpora_are_read_or_refused_for_their_cause() {
    let Some(corpus) = shared_corpus("") else {
        return;
    };
    let w = Workdir::new();
    let mut seen = 0;
    for dir in ["calamine-fixtures", "reader-classes"] {
        for entry in std::fs::read_dir(corpus.join(dir)).expect("corpus folder") {
            let path = entry.expect("entry").path();
            let name = format!(
                "{dir}/{}",
                path.file_name().expect("name").to_string_lossy()
            );
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "md" | "") || name.ends_with("LICENSE") {
                continue;
            }
            seen += 1;
            let text = checked(&w, &path);
            match CORPUS_REFUSALS.iter().find(|(n, _)| *n == name) {
                Some((_, words)) => assert!(
                    text.contains("无法读取：") && text.contains(words),
                    "{name}: want a refusal saying {words:?}:\n{text}"
                ),
                None => assert!(
                    text.contains("文件可以打开") && text.contains("未找到进展情况表"),
                    "{name}: want it opened with no return in it:\n{text}"
                ),
            }
        }
    }
    assert!(seen > 100, "read {seen} corpus files");
}

/// A ledger whose header says 状态 is no return: it is named as a file without one,
/// not as a return missing its columns, and the real return beside it counts.
#[test]
fn a_supplier_ledger_is_not_a_return() {
    use crate::common::*;
    let w = Workdir::new();
    let input = w.folder("2018-07");
    let ledger = vec![
        vec![S("2018年供应商台账")],
        vec![
            S("序号"),
            S("供应商名称"),
            S("供应商状态"),
            S("联系电话"),
            S("备注"),
        ],
        vec![
            N(1.0),
            S("海口某文具公司"),
            S("合格"),
            S("0898-66668888"),
            S(""),
        ],
        vec![
            N(2.0),
            S("三亚某印刷厂"),
            S("暂停"),
            S("0898-88886666"),
            S("到期"),
        ],
    ];
    write_grid(
        &input.join("供应商台账.xlsx"),
        &[SheetSpec::new("Sheet1", ledger)],
    );
    ReturnBuilder::new("海口市")
        .row(1, "已完成", Some("2017-07-01"))
        .write(&input, "海口市.xlsx");
    let out = w.consolidate(&input, &[]);
    let listed = problems(&out);
    let about_ledger: Vec<&String> = listed
        .iter()
        .filter(|p| p.contains("未找到进展情况表"))
        .collect();
    assert_eq!(about_ledger.len(), 1, "{listed:?}");
    assert!(!listed.iter().any(|p| p.contains("表头缺少")), "{listed:?}");
    assert_eq!(verdict(&out, "海口市", 1), "按期完成");
}

/// Merged areas are looked for in a sheet's bytes before calamine parses the
/// sheet again for them (`package::part_merges`): on every .xlsx and .xlsm at
/// hand, the areas found so are calamine's, sheet by sheet.
#[test]
fn merged_areas_found_in_the_bytes_are_calamines() {
    use calamine::Reader;
    use county_returns::table::package::{part_merges, sheet_parts};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut folders = vec![root.join("input/2018-07"), root.join("input/2018-06")];
    for sub in ["tests/fixtures", "../shared/corpus"] {
        let dir = root.join(sub);
        folders.push(dir.clone());
        if let Ok(entries) = std::fs::read_dir(&dir) {
            folders.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        }
    }
    let (mut compared, mut merged) = (0, 0);
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext.to_ascii_lowercase().as_str(), "xlsx" | "xlsm") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("read");
            let Ok(mut book) = calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())) else {
                continue;
            };
            let Some(parts) = sheet_parts(&bytes) else {
                continue;
            };
            let names: Vec<String> = book.sheet_names();
            let listed: Vec<&String> = parts.iter().map(|(name, _)| name).collect();
            assert_eq!(
                listed,
                names.iter().collect::<Vec<_>>(),
                "{}",
                path.display()
            );
            for (name, part) in &parts {
                let Some(found) = part_merges(&bytes, part) else {
                    continue;
                };
                let theirs: Vec<(u32, u32, u32, u32)> = book
                    .merge_cells_by_sheet_name(name)
                    .unwrap_or_default()
                    .iter()
                    .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                    .collect();
                assert_eq!(found, theirs, "{} › {name}", path.display());
                compared += 1;
                merged += usize::from(!found.is_empty());
            }
        }
    }
    // The sample's returns alone have merged titles and statuses.
    assert!(
        compared > 50 && merged > 10,
        "{compared} sheets, {merged} merged"
    );
}
