//! Zips of returns (SPEC §3, round 3), bounded like any input (SPEC §9): each
//! zip here is written in the test, then damaged or inflated where the case says,
//! so the habit is visible where it is asserted. The habits of real zips (Windows'
//! GBK names, macOS's folders) are in `habits3.rs`, on zips other programs wrote.

use std::io::{Cursor, Write};

use crate::common::*;

/// A zip of `(name, bytes)` members, deflated, names in UTF-8.
fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, bytes) in members {
        zip.start_file(*name, options).expect("start");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish").into_inner()
}

/// Sets a field of the local and central headers of the member named `name`:
/// the bytes at `local` and `central` offsets from each header's signature.
fn patch(zip: &mut [u8], name: &str, (local, central): (usize, usize), value: &[u8]) {
    let mut patched = 0;
    // (signature, where the name's length sits, where the name begins)
    let headers: [(&[u8; 4], usize, usize, usize); 2] = [
        (b"PK\x03\x04", 26, 30, local),
        (b"PK\x01\x02", 28, 46, central),
    ];
    for (signature, length_at, name_at, offset) in headers {
        let mut at = 0;
        while let Some(found) = zip[at..].windows(4).position(|w| w == signature) {
            let start = at + found;
            let len = u16::from_le_bytes([zip[start + length_at], zip[start + length_at + 1]]);
            if zip.get(start + name_at..start + name_at + usize::from(len)) == Some(name.as_bytes())
            {
                zip[start + offset..start + offset + value.len()].copy_from_slice(value);
                patched += 1;
            }
            at = start + 4;
        }
    }
    assert_eq!(patched, 2, "{name}: local and central headers");
}

/// General purpose flags, compression method, uncompressed size: where they sit
/// in the (local, central) headers.
const FLAGS: (usize, usize) = (6, 8);
const METHOD: (usize, usize) = (8, 10);
const SIZE: (usize, usize) = (22, 24);

/// The 数据问题 rows as (文件, 问题).
fn file_problems(out: &std::path::Path) -> Vec<(String, String)> {
    let rows = list_text(out, "数据问题");
    let col = |name: &str| rows[0].iter().position(|h| h == name).expect(name);
    let (file, what) = (col("文件"), col("问题"));
    rows[1..]
        .iter()
        .map(|r| (r[file].clone(), r[what].clone()))
        .collect()
}

fn haikou() -> Vec<u8> {
    ReturnBuilder::new("海口市")
        .row(1, "已完成", Some("2017-07-01"))
        .signed("2018-07-03")
        .bytes()
}

/// A zip with 海口市's return beside 三亚市's, `sanya` made bad as each case says:
/// 三亚市 is 未报送, a problem names the member and why, 海口市 is read as usual.
#[test]
fn a_bad_member_is_its_units_problem_and_the_rest_is_read() {
    let sanya = ReturnBuilder::new("三亚市")
        .row(1, "已完成", Some("2017-07-01"))
        .bytes();
    type Damage = fn(&mut Vec<u8>);
    let cases: [(&str, Damage, &str); 4] = [
        (
            "a member inflating past its declared size",
            |zip| patch(zip, "三亚市.xlsx", SIZE, &100u32.to_le_bytes()),
            "解压后与记录的大小或校验值不符",
        ),
        (
            "an encrypted member",
            |zip| patch(zip, "三亚市.xlsx", FLAGS, &1u16.to_le_bytes()),
            "压缩包设有密码",
        ),
        (
            "a compression this tool does not inflate (LZMA)",
            |zip| patch(zip, "三亚市.xlsx", METHOD, &14u16.to_le_bytes()),
            "不支持的压缩方式",
        ),
        (
            "a zip inside the zip",
            |zip| {
                let inner = zip_of(&[("三亚市.xlsx", b"x")]);
                *zip = zip_of(&[("海口市.xlsx", &haikou()), ("三亚市.zip", &inner)]);
            },
            "压缩包里的压缩包",
        ),
    ];
    for (case, damage, said) in cases {
        let w = Workdir::new();
        let input = w.folder("returns");
        let mut zip = zip_of(&[("海口市.xlsx", &haikou()), ("三亚市.xlsx", &sanya)]);
        damage(&mut zip);
        std::fs::write(input.join("报表.zip"), &zip).expect("write");
        let out = w.consolidate(&input, &["--as-of", "2018-06-30"]);
        let problems = file_problems(&out);
        assert!(
            problems
                .iter()
                .any(|(file, what)| file.starts_with("报表.zip › 三亚市") && what.contains(said)),
            "{case}: {problems:?}"
        );
        assert_eq!(verdict(&out, "三亚市", 1), "未报送", "{case}");
        assert_eq!(verdict(&out, "海口市", 1), "按期完成", "{case}");
    }
}

/// A zip too big to open: refused whole, its unit (by the zip's name) 未报送, the
/// folder's other files read, and no memory spent inflating it.
#[test]
fn a_zip_past_the_bounds_is_refused_whole() {
    let many: Vec<(String, Vec<u8>)> = (0..1001)
        .map(|i| (format!("{i}.txt"), b"x".to_vec()))
        .collect();
    let many: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let bomb = {
        // 600 MB of one letter deflates to about 600 KB: past the 500 MB inflated bound.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("五指山市.xlsx", options).expect("start");
        let block = vec![b'a'; 1 << 20];
        for _ in 0..600 {
            zip.write_all(&block).expect("write");
        }
        zip.finish().expect("finish").into_inner()
    };
    let cases: [(&str, Vec<u8>, &str); 2] = [
        (
            "五指山市多个文件.zip",
            zip_of(&many),
            "压缩包中的文件过多（超过 1000 个）",
        ),
        ("五指山市.zip", bomb, "压缩包解压后过大（超过 500 MB）"),
    ];
    for (name, bytes, said) in cases {
        let w = Workdir::new();
        let input = w.folder("returns");
        std::fs::write(input.join(name), &bytes).expect("write");
        std::fs::write(input.join("海口市.xlsx"), haikou()).expect("write");
        let (out, peak) = w.consolidate_measured(&input, &["--as-of", "2018-06-30"]);
        assert!(peak < 200, "{name}: peak RSS {peak} MB");
        let problems = file_problems(&out);
        assert!(
            problems
                .iter()
                .any(|(file, what)| file == name && what.contains(said)),
            "{name}: {problems:?}"
        );
        assert_eq!(verdict(&out, "五指山市", 1), "未报送", "{name}");
        assert_eq!(verdict(&out, "海口市", 1), "按期完成", "{name}");
    }
}

/// 来源文件 lists the zip and each member; the member's rows name it in 来源.
#[test]
fn sources_list_the_zip_and_each_member() {
    let w = Workdir::new();
    let input = w.folder("returns");
    let zip = zip_of(&[
        ("7月/海口市.xlsx", &haikou()),
        ("7月/说明.docx", b"PK"),
        ("__MACOSX/7月/._海口市.xlsx", b"\x00\x05\x16\x07"),
    ]);
    std::fs::write(input.join("海口市7月报表.zip"), &zip).expect("write");
    let out = w.consolidate(&input, &["--as-of", "2018-06-30"]);
    let sources = list_text(&out, "来源文件");
    let names: Vec<&str> = sources[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "海口市7月报表.zip",
            "海口市7月报表.zip › 7月/海口市.xlsx",
            "海口市7月报表.zip › 7月/说明.docx",
        ]
    );
    let row = detail_row(&out, "海口市", 1);
    assert!(
        row["来源"].starts_with("海口市7月报表.zip › 7月/海口市.xlsx / "),
        "{row:?}"
    );
    assert_eq!(row["判定"], "按期完成");
}

/// `check` on a zip: each member, and each problem named by its member.
#[test]
fn check_reads_a_zip_member_by_member() {
    let w = Workdir::new();
    let unsigned = ReturnBuilder::new("三亚市")
        .row(1, "大部分完成", None)
        .bytes();
    let zip = zip_of(&[("海口市.xlsx", &haikou()), ("三亚市.xlsx", &unsigned)]);
    std::fs::write(w.path("报表.zip"), &zip).expect("write");
    let output = w.run(&[
        "check",
        "报表.zip",
        "--as-of",
        "2018-06-30",
        "--annotate",
        "标注.xlsx",
    ]);
    assert_eq!(output.status.code(), Some(1), "三亚市's return has errors");
    let text = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "压缩包：含 2 个文件",
        "— 海口市.xlsx",
        "填报单位：海口市",
        "— 三亚市.xlsx",
        "【三亚市】",
        "三亚市.xlsx 进展情况 F",
        "“大部分完成”无法识别",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The annotated copy is of the first member holding a return.
    let copy = w.path("标注.xlsx");
    let names = sheet_names(&copy);
    assert!(names.contains(&"问题清单".to_string()), "{names:?}");
    // A zip with no spreadsheet in it is no return.
    std::fs::write(w.path("扫描件.zip"), zip_of(&[("海口市.pdf", b"%PDF-1.4")])).expect("write");
    let output = w.run(&["check", "扫描件.zip"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("是压缩包，其中没有电子表格文件"), "{text}");
}

/// A zip whose members are no spreadsheets (a note, a scan) is a non-spreadsheet
/// file, as a PDF is: one line in 来源文件, its unit asked for the Excel file.
#[test]
fn a_zip_of_notes_and_scans_is_no_return() {
    let note = encoding_rs::GBK.encode("报表稍后补报").0.into_owned();
    let cases: [(&str, Vec<u8>); 2] = [
        ("海口市7月报表.zip", zip_of(&[("说明.txt", &note)])),
        (
            "海口市7月扫描件.zip",
            zip_of(&[("进展情况.pdf", b"%PDF-1.4")]),
        ),
    ];
    for (name, zip) in cases {
        let w = Workdir::new();
        let input = w.folder("returns");
        std::fs::write(input.join(name), &zip).expect("write");
        let out = w.consolidate(&input, &["--as-of", "2018-06-30"]);
        let sources = list_text(&out, "来源文件");
        assert_eq!(sources.len(), 2, "{name}: the zip alone: {sources:?}");
        assert!(
            sources[1]
                .iter()
                .any(|c| c.contains("压缩包中没有电子表格文件")),
            "{name}: {sources:?}"
        );
        let problems = file_problems(&out);
        assert!(
            problems
                .iter()
                .any(|(file, what)| file == name && what.contains("不是电子表格文件")),
            "{name}: {problems:?}"
        );
        assert_eq!(verdict(&out, "海口市", 1), "未报送", "{name}");
    }
}
