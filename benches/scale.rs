//! `cargo bench --bench scale [-- N ...]`: for N synthetic returns (default 300,
//! 2,000 and 3,000) measures (a) the floor, a bare single-threaded calamine read of
//! every cell of the same files, (b) `county-returns run` on them, and (c) the write
//! floor, rust_xlsxwriter alone writing the cells of every sheet of the run's
//! workbook, one thread, shared strings, deflate level 3, no formats, no layout.
//! a and b are measured in turns (a, b, a, b…, `SCALE_ROUNDS` rounds, default 3),
//! so a machine that slows down slows both (`SCALE_BIN=path` measures another
//! build of the binary instead); prints the best of each, returns per
//! second, peak RSS, b/a with the spread of the rounds' own b/a, and b/(a+c);
//! then the run's stage shares.

#[path = "../examples/gen-returns/synth.rs"]
mod synth;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use calamine::{Data, Reader, open_workbook_auto};

fn data_dir(n: usize) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(n.to_string())
        .join("2018-06")
}

/// The floor: every cell of every sheet of every file, one thread, no checks.
fn floor(dir: &Path) -> (f64, u64) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let start = Instant::now();
    let mut cells = 0u64;
    for path in files {
        let mut workbook = open_workbook_auto(&path).expect("open");
        for name in workbook.sheet_names() {
            if let Ok(range) = workbook.worksheet_range(&name) {
                cells += range.used_cells().count() as u64;
            }
        }
    }
    (start.elapsed().as_secs_f64(), cells)
}

/// The write floor: the cells of every sheet of the run's workbook (read back from
/// it) written again by rust_xlsxwriter alone, as plainly as it can: one thread,
/// low-memory sheets with shared strings, deflate level 3, no format, no layout.
fn write_floor(workbook: &Path) -> f64 {
    let mut book = open_workbook_auto(workbook).expect("open the run's workbook");
    let sheets: Vec<calamine::Range<Data>> = book
        .worksheets()
        .into_iter()
        .map(|(_, range)| range)
        .collect();
    let start = Instant::now();
    let mut out = rust_xlsxwriter::Workbook::new();
    out.set_zip_compression_level(3);
    for range in &sheets {
        write_bare(out.add_worksheet_with_low_memory().expect("sheet"), range);
    }
    let bytes = out.save_to_buffer().expect("save");
    std::hint::black_box(bytes);
    start.elapsed().as_secs_f64()
}

fn write_bare(sheet: &mut rust_xlsxwriter::Worksheet, range: &calamine::Range<Data>) {
    let (top, left) = range.start().unwrap_or((0, 0));
    for (r, row) in range.rows().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let (r, c) = (top + r as u32, (left as usize + c) as u16);
            let written = match value {
                Data::String(s) => sheet.write_string(r, c, s.as_str()).map(|_| ()),
                Data::Float(f) => sheet.write_number(r, c, *f).map(|_| ()),
                Data::Int(i) => sheet.write_number(r, c, *i as f64).map(|_| ()),
                Data::DateTime(d) => sheet.write_number(r, c, d.as_f64()).map(|_| ()),
                _ => Ok(()),
            };
            written.expect("write");
        }
    }
}

/// Runs the binary once; gives its wall time, peak RSS in MB and its stderr.
// The child is reaped by wait4 (for its own rusage), which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn run(dir: &Path) -> (f64, f64, String) {
    let roster = dir.parent().expect("parent").join("roster.csv");
    let out = dir.parent().expect("parent").join("out.xlsx");
    let start = Instant::now();
    // SCALE_BIN: another build to measure the same way (an earlier commit's).
    let bin = std::env::var_os("SCALE_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_county-returns").into());
    let child = Command::new(bin)
        .arg("--roster")
        .arg(&roster)
        .args(["run", "--timings", "--input"])
        .arg(dir)
        .arg("--output")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn county-returns");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child and fills the structs we pass.
    unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr {
        use std::io::Read;
        let _ = pipe.read_to_string(&mut stderr);
    }
    assert_eq!(status, 0, "county-returns failed: {stderr}");
    (wall, usage.ru_maxrss as f64 / 1024.0, stderr)
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![300, 2000, 3000]
    } else {
        sizes
    };
    let as_of = chrono::NaiveDate::from_ymd_opt(2018, 6, 30).expect("date");
    println!(
        "| N | read floor a (s) | write floor c (s) | run b (s) | returns/s | peak RSS (MB) | b/a (rounds) | b/(a+c) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut last_timings = String::new();
    let mut last: Option<(usize, f64)> = None;
    for n in sizes {
        let dir = data_dir(n);
        let ready = std::fs::read_dir(&dir)
            .map(|d| d.count() == n)
            .unwrap_or(false);
        if !ready {
            let _ = std::fs::remove_dir_all(&dir);
            synth::generate(n, &dir, as_of).expect("generate returns");
        }
        // Warm the page cache for both, then alternate them: the machine is
        // shared, and what slows one round slows both of its halves.
        floor(&dir);
        let rounds: usize = std::env::var("SCALE_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(3)
            .max(1);
        let mut floors = Vec::new();
        let mut runs = Vec::new();
        for _ in 0..rounds {
            floors.push(floor(&dir).0);
            runs.push(run(&dir));
        }
        let ratios: Vec<f64> = runs.iter().zip(&floors).map(|(r, a)| r.0 / a).collect();
        let spread = (
            ratios.iter().copied().fold(f64::INFINITY, f64::min),
            ratios.iter().copied().fold(0.0, f64::max),
        );
        let a = floors.iter().copied().fold(f64::INFINITY, f64::min);
        let rss = runs.iter().map(|r| r.1).fold(0.0, f64::max);
        let (b, _, timings) = runs
            .into_iter()
            .min_by(|x, y| x.0.total_cmp(&y.0))
            .expect("a round");
        let out = dir.parent().expect("parent").join("out.xlsx");
        let c = [write_floor(&out), write_floor(&out)]
            .into_iter()
            .min_by(f64::total_cmp)
            .expect("two");
        println!(
            "| {n} | {a:.3} | {c:.3} | {b:.3} | {:.0} | {rss:.0} | {:.2} ({:.2}–{:.2}) | {:.2} |",
            n as f64 / b,
            b / a,
            spread.0,
            spread.1,
            b / (a + c)
        );
        last_timings = format!("N = {n}:\n{timings}");
        last = Some((n, a));
    }
    println!("\n{last_timings}");
    // What two cores give here: the read floor twice at once, one per thread.
    if let Some((n, a)) = last {
        let dir = data_dir(n);
        let start = Instant::now();
        std::thread::scope(|s| {
            s.spawn(|| floor(&dir));
            s.spawn(|| floor(&dir));
        });
        let both = start.elapsed().as_secs_f64();
        println!(
            "Two read floors at once (N = {n}): {both:.3} s, against {a:.3} s for one: \
             the two cores do {:.2}× the work of one.",
            2.0 * a / both
        );
    }
}
