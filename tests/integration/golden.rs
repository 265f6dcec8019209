//! The golden workbook: every sheet of the sample's latest period, cell by cell with
//! the looks that carry meaning (fill, bold, number format), compared with the
//! reviewed rendering in `tests/golden/sample-2018-07.txt`. A failure names the
//! sheet and cell. `BLESS=1 cargo test --release golden` rewrites the rendering on
//! purpose; review its diff before committing it.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::common::{Workdir, copy_files};

const GOLDEN: &str = "tests/golden/sample-2018-07.txt";

/// A1 reference of a 0-based (row, column).
fn a1(row: u32, col: u32) -> String {
    county_returns::problem::cell_ref(row, col)
}

fn value(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => format!("{f:.4}"),
        Data::DateTime(d) => d
            .as_datetime()
            .map_or_else(|| d.as_f64().to_string(), |d| d.date().to_string()),
        other => other.to_string().replace('\n', "⏎"),
    }
}

/// The looks of a cell that carry meaning, as a short tag: `fill=RRGGBB`, `bold`, `fmt=…`.
fn looks(style: Option<&calamine::Style>) -> String {
    let Some(style) = style else {
        return String::new();
    };
    let mut tags = Vec::new();
    if let Some(fill) = &style.fill
        && let Some(c) = &fill.foreground_color
        && fill.pattern != calamine::FillPattern::None
    {
        tags.push(format!("fill={:02X}{:02X}{:02X}", c.red, c.green, c.blue));
    }
    if style.font.as_ref().is_some_and(calamine::Font::is_bold) {
        tags.push("bold".to_string());
    }
    if let Some(format) = &style.number_format
        && !matches!(format.format_code.as_str(), "General" | "@" | "")
    {
        tags.push(format!("fmt={}", format.format_code));
    }
    tags.join(" ")
}

/// Every sheet as `[name]` and one line per non-empty or styled cell.
fn render(path: &Path) -> String {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("open the workbook");
    let mut out = String::new();
    let sheets = workbook.sheets_metadata().to_vec();
    for sheet in sheets {
        let name = sheet.name;
        if sheet.typ == calamine::SheetType::ChartSheet {
            // A chart sheet holds one chart; the render test prints it.
            let _ = writeln!(out, "[{name}] (chart)");
            continue;
        }
        let _ = writeln!(out, "[{name}]");
        let range = workbook.worksheet_range(&name).expect("sheet");
        let styles = workbook.worksheet_style(&name).expect("styles");
        let mut cells: BTreeMap<(u32, u32), (String, String)> = BTreeMap::new();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, v) in range.used_cells() {
            let at = (r0 + r as u32, c0 + c as u32);
            cells.insert(at, (value(v), String::new()));
        }
        if let Some((s0, t0)) = styles.start() {
            for (r, row) in (0..styles.height()).map(|r| (r as u32, r)) {
                for c in 0..styles.width() as u32 {
                    let at = (s0 + r, t0 + c);
                    let tag = looks(styles.get((row as u32, c)));
                    if !tag.is_empty() {
                        cells.entry(at).or_default().1 = tag;
                    }
                }
            }
        }
        // Row by row as a person reads it.
        let mut sorted: Vec<_> = cells.into_iter().collect();
        sorted.sort_by_key(|((r, c), _)| (*r, *c));
        for ((r, c), (v, tag)) in sorted {
            if tag.is_empty() {
                let _ = writeln!(out, "{}\t{v}", a1(r, c));
            } else {
                let _ = writeln!(out, "{}\t{v}\t{{{tag}}}", a1(r, c));
            }
        }
    }
    out
}

#[test]
fn the_samples_workbook_matches_the_reviewed_rendering() {
    let w = Workdir::new();
    for month in ["2018-05", "2018-06", "2018-07"] {
        copy_files(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("input")
                .join(month),
            &w.path(&format!("input/{month}")),
        );
    }
    let output = w.run(&["run"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rendered = render(&w.path("output/2018-07/大班额任务进展汇总_2018-07.xlsx"));
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().expect("folder")).expect("golden folder");
        std::fs::write(&golden, &rendered).expect("bless");
        return;
    }
    let want = std::fs::read_to_string(&golden)
        .unwrap_or_else(|e| panic!("{}: {e}; run with BLESS=1 to write it", golden.display()));
    if rendered == want {
        return;
    }
    // Name the first cells that differ, with their sheet.
    let mut differences = Vec::new();
    let (mut sheet_got, mut sheet_want) = (String::new(), String::new());
    let mut got_lines = rendered.lines();
    let mut want_lines = want.lines();
    loop {
        let (g, w) = (got_lines.next(), want_lines.next());
        if g.is_none() && w.is_none() {
            break;
        }
        for (line, sheet) in [(g, &mut sheet_got), (w, &mut sheet_want)] {
            if let Some(l) = line
                && l.starts_with('[')
            {
                *sheet = l.to_string();
            }
        }
        if g != w {
            differences.push(format!(
                "{sheet_want} want {:?}\n{sheet_got} got  {:?}",
                w.unwrap_or("(end)"),
                g.unwrap_or("(end)")
            ));
            if differences.len() >= 10 {
                break;
            }
        }
    }
    panic!(
        "the workbook differs from {GOLDEN} (BLESS=1 rewrites it):\n{}",
        differences.join("\n")
    );
}
