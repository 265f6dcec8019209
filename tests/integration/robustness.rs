//! SPEC §9: no input crashes, hangs or blinds a run; inputs are never touched.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::common::*;

fn digest_folder(dir: &Path) -> Vec<(String, String, std::time::SystemTime)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let path = e.expect("entry").path();
            let bytes = std::fs::read(&path).expect("read");
            let modified = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .expect("mtime");
            let hash = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            (
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                hash,
                modified,
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn inputs_are_never_modified() {
    let w = Workdir::new();
    let input = w.folder("2018-06");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("input/2018-06");
    copy_files(&sample, &input);
    std::fs::write(input.join("broken.xlsx"), b"PK\x03\x04 truncated").expect("write");
    let before = digest_folder(&input);
    consolidate_june(&w, &input);
    let output = w.run(&[
        "check",
        "2018-06/broken.xlsx",
        "--annotate",
        "annotated.xlsx",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        digest_folder(&input),
        before,
        "the input folder is exactly as it was"
    );
}

/// Writes an xlsx whose one sheet inflates to `gigabytes` GB of blanks.
fn write_zip_bomb(path: &Path, gigabytes: u64) {
    let file = std::fs::File::create(path).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let parts: [(&str, &str); 3] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="进展情况" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).expect("start");
        zip.write_all(text.as_bytes()).expect("write");
    }
    zip.start_file("xl/_rels/workbook.xml.rels", options)
        .expect("start");
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#).expect("write");
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .expect("start");
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#).expect("write");
    let blanks = vec![b' '; 1 << 20];
    for _ in 0..(gigabytes << 10) {
        zip.write_all(&blanks).expect("write");
    }
    zip.write_all(b"</sheetData></worksheet>").expect("write");
    zip.finish().expect("finish");
}

#[test]
fn a_zip_bomb_is_refused_without_spending_memory() {
    let w = Workdir::new();
    let input = w.folder("returns");
    // Generated here rather than committed: even deflated, 1.1 GB of blanks is about 1 MB.
    write_zip_bomb(&input.join("五指山市.xlsx"), 1);
    ReturnBuilder::new("海口市")
        .row(1, "已完成", Some("2017-07-01"))
        .write(&input, "海口市.xlsx");
    let (out, peak) = w.consolidate_measured(&input, &["--as-of", "2018-06-30"]);
    assert!(peak < 200, "peak RSS {peak} MB");
    let problems = problems(&out);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("解压后过大"), "{problems:?}");
    assert_eq!(verdict(&out, "五指山市", 1), "未报送");
    assert_eq!(
        verdict(&out, "海口市", 1),
        "按期完成",
        "the other return is read as usual"
    );
}

#[test]
fn the_peer_corpus_runs_clean() {
    let Some(corpus) = shared_corpus("calamine-fixtures") else {
        return;
    };
    let w = Workdir::new();
    let out = w.path("corpus.xlsx");
    let (output, peak) = w.run_measured(&[
        "run",
        "--input",
        corpus.to_str().expect("utf-8"),
        "--as-of",
        "2018-06-30",
        "--output",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    assert!(peak < 300, "peak RSS {peak} MB");
    let listed: Vec<String> = list_text(&out, "来源文件")[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    for entry in std::fs::read_dir(&corpus).expect("corpus") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        assert!(listed.contains(&name), "{name} is not named in 来源文件");
    }
}
