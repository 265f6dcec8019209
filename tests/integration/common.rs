//! A scratch folder per test, the real binary, and the workbook read back as text.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{Data, Reader, open_workbook_auto};
use county_returns::catalogue::Catalogue;
use county_returns::roster::Roster;
use county_returns::template::{self, Fill, RowFill};

pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Creates `rel` as a folder and gives its path.
    pub fn folder(&self, rel: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(&p).expect("create folder");
        p
    }

    /// Runs the binary in this folder, with no settings file: a machine with the
    /// package installed has `/etc/county-returns/config.toml`, and the tests
    /// mean the built-in defaults.
    pub fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_county-returns"))
            .args(args)
            .env("COUNTY_RETURNS_CONFIG", "/dev/null")
            .current_dir(self.dir.path())
            .output()
            .expect("run county-returns")
    }

    /// Runs the binary in this folder and gives, besides its output, its own peak
    /// resident set in MB: read from `wait4` on its pid, so no other test's child
    /// (a server, a browser, LibreOffice) counts.
    #[expect(
        clippy::zombie_processes,
        reason = "the child is reaped by wait4, which also gives its own rusage"
    )]
    pub fn run_measured(&self, args: &[&str]) -> (Output, u64) {
        use std::io::Read;
        use std::os::unix::process::ExitStatusExt;
        use std::process::{Command, ExitStatus, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_county-returns"))
            .args(args)
            .env("COUNTY_RETURNS_CONFIG", "/dev/null")
            .current_dir(self.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run county-returns");
        let mut out = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let reading = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            out.read_to_end(&mut bytes).map(|_| bytes)
        });
        let mut stderr = Vec::new();
        err.read_to_end(&mut stderr).expect("stderr");
        let stdout = reading.join().expect("reader thread").expect("stdout");
        let pid = libc::pid_t::try_from(child.id()).expect("pid");
        let mut status = 0;
        // SAFETY: wait4 only writes the two values we pass; the child is ours and
        // not waited for elsewhere (`child` is dropped without waiting).
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(waited, pid, "wait4");
        let output = Output {
            status: ExitStatus::from_raw(status),
            stdout,
            stderr,
        };
        (output, u64::try_from(usage.ru_maxrss).unwrap_or(0) / 1024)
    }

    /// The arguments of `run` on `input` into `out.xlsx`.
    fn run_args<'a>(&self, input: &'a Path, out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "run",
            "--input",
            input.to_str().expect("utf-8 path"),
            "--output",
            out.to_str().expect("utf-8"),
        ];
        args.extend_from_slice(extra);
        args
    }

    /// Runs `run` on `input` into `out.xlsx`, asserting success, and gives the workbook path.
    pub fn consolidate(&self, input: &Path, extra: &[&str]) -> PathBuf {
        self.consolidate_measured(input, extra).0
    }

    /// [`Self::consolidate`], also giving the run's own peak resident set in MB.
    pub fn consolidate_measured(&self, input: &Path, extra: &[&str]) -> (PathBuf, u64) {
        let out = self.path("out.xlsx");
        let (output, peak) = self.run_measured(&self.run_args(input, &out, extra));
        assert!(
            output.status.success(),
            "run failed: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (out, peak)
    }
}

/// Copies every file of `from` into `to` (made if missing); gives their names.
pub fn copy_files(from: &Path, to: &Path) -> Vec<String> {
    std::fs::create_dir_all(to).expect("create folder");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        std::fs::copy(&path, to.join(&name)).expect("copy");
        names.push(name);
    }
    names.sort();
    names
}

/// Writes a return through the template layout, filled as given, for `unit` and all its expected tasks.
pub struct ReturnBuilder {
    unit: String,
    fill: Fill,
}

impl ReturnBuilder {
    pub fn new(unit: &str) -> Self {
        Self {
            unit: unit.to_string(),
            fill: Fill::default(),
        }
    }

    pub fn row(mut self, task: u32, status: &str, date: Option<&str>) -> Self {
        let date = date.map(|d| {
            template::DateValue::Date(
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("test date"),
            )
        });
        self.fill.rows.insert(
            task,
            RowFill {
                status: status.into(),
                date,
                narrative: format!("任务{task}进展"),
                ..RowFill::default()
            },
        );
        self
    }

    /// Appends a row after the expected ones (a duplicate, or a task not expected).
    pub fn extra(&mut self, task: u32, status: &str, narrative: &str) {
        let row = RowFill {
            status: status.into(),
            narrative: narrative.into(),
            ..RowFill::default()
        };
        self.fill.extra.push((task, row));
    }

    pub fn fill_date(&mut self, date: &str) {
        self.fill.fill_date =
            Some(chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("test date"));
    }

    /// Fills the 填报 line as a careful county does: date, who filled it in, a phone.
    pub fn signed(mut self, date: &str) -> Self {
        self.fill_date(date);
        self.fill.filler = "王芳".into();
        self.fill.phone = "0898-65321234".into();
        self
    }

    /// Writes `text` as the 进展情况 of a row set by [`Self::row`].
    pub fn narrative(mut self, task: u32, text: &str) -> Self {
        if let Some(row) = self.fill.rows.get_mut(&task) {
            row.narrative = text.into();
        }
        self
    }

    /// Fills the 填报 line with `phone` as the 联系电话.
    pub fn phone(mut self, date: &str, phone: &str) -> Self {
        self = self.signed(date);
        self.fill.phone = phone.into();
        self
    }

    pub fn omit(mut self, task: u32) -> Self {
        self.fill.omit.push(task);
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let catalogue = Catalogue::embedded().expect("catalogue");
        let roster = Roster::default_hainan().expect("roster");
        let u = roster.lookup(&self.unit).expect("unit in roster");
        let tasks: Vec<u32> = roster.expectations(&catalogue)[u]
            .iter()
            .map(|(t, _)| *t)
            .collect();
        template::build(&catalogue, &self.unit, &tasks, Some(&self.fill)).expect("build return")
    }

    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, self.bytes()).expect("write return");
        path
    }
}

/// A sheet as rows of display text.
pub fn sheet_text(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb = open_workbook_auto(path).expect("open output");
    let range = wb
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::DateTime(d) => d
                        .as_datetime()
                        .map(|d| d.date().to_string())
                        .unwrap_or_default(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// A list sheet as rows of display text from its header row on: the title and the
/// line under it (统计截止…制表…) left out.
pub fn list_text(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let rows = sheet_text(path, sheet);
    assert!(
        rows.first()
            .is_some_and(|r| r[0].contains(sheet) || r[0].contains('《')),
        "sheet {sheet} starts with its title: {:?}",
        rows.first()
    );
    assert!(
        rows.get(1).is_some_and(|r| r[0].starts_with("统计截止")),
        "sheet {sheet}'s second row says as of when and from whom: {:?}",
        rows.get(1)
    );
    rows.into_iter().skip(2).collect()
}

/// One part of a zip package (an .xlsx or .docx) as text.
pub fn zip_text(path: &Path, part: &str) -> String {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut zip = zip::ZipArchive::new(file).expect("a zip package");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name(part).unwrap_or_else(|e| panic!("{part}: {e}")),
        &mut text,
    )
    .expect("read part");
    text
}

/// The paragraphs of a .docx's body (and of its other parts, given their
/// path), as text: each `w:p`'s `w:t` runs joined.
pub fn docx_paragraphs_of(path: &Path, part: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let xml = zip_text(path, part);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut paragraphs, mut current, mut in_text) = (Vec::new(), String::new(), false);
    loop {
        match reader.read_event().expect("well-formed WordprocessingML") {
            Event::Start(e) if e.name().0 == "w:t" => in_text = true,
            Event::End(e) if e.name().0 == "w:t" => in_text = false,
            Event::Text(t) if in_text => current.push_str(&t.into_inner()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    current.push(c);
                    continue;
                }
                let name = r.into_inner();
                current.push_str(match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("entity {other}"),
                });
            }
            Event::End(e) if e.name().0 == "w:p" => {
                paragraphs.push(std::mem::take(&mut current));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    paragraphs
}

/// The paragraphs of a .docx letter's body, as text.
pub fn docx_paragraphs(path: &Path) -> Vec<String> {
    docx_paragraphs_of(path, "word/document.xml")
}

pub fn sheet_names(path: &Path) -> Vec<String> {
    open_workbook_auto(path).expect("open output").sheet_names()
}

/// 明细 as a map (unit, task) → the row's cells by header name.
pub fn detail(path: &Path) -> Vec<HashMap<String, String>> {
    let rows = sheet_text(path, "明细");
    let header = rows.first().expect("明细 has a header").clone();
    rows[1..]
        .iter()
        .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

/// The 判定 of (unit, task) in 明细.
pub fn verdict(path: &Path, unit: &str, task: u32) -> String {
    let rows = detail(path);
    let found: Vec<&HashMap<String, String>> = rows
        .iter()
        .filter(|r| r["单位"] == unit && r["序号"] == task.to_string())
        .collect();
    assert_eq!(
        found.len(),
        1,
        "明细 should hold one row for {unit} task {task}"
    );
    found[0]["判定"].clone()
}

/// The 问题 texts of 数据问题.
pub fn problems(path: &Path) -> Vec<String> {
    let rows = list_text(path, "数据问题");
    let col = rows[0]
        .iter()
        .position(|h| h == "问题")
        .expect("问题 column");
    rows[1..].iter().map(|r| r[col].clone()).collect()
}

/// A cell of a hand-laid return.
#[derive(Clone, Debug)]
pub enum V {
    S(&'static str),
    T(String),
    N(f64),
    D(&'static str),
    /// A formula with the cached result given.
    F(&'static str, f64),
    Blank,
}

pub use V::*;

/// One sheet of a hand-laid return: rows of cells from A1, merged areas, hidden or not.
pub struct SheetSpec {
    pub name: &'static str,
    pub hidden: bool,
    pub rows: Vec<Vec<V>>,
    pub merges: Vec<(u32, u16, u32, u16)>,
}

impl SheetSpec {
    pub fn new(name: &'static str, rows: Vec<Vec<V>>) -> Self {
        Self {
            name,
            hidden: false,
            rows,
            merges: Vec::new(),
        }
    }
}

/// Writes a workbook laid out cell by cell, for the drifts the template never makes.
pub fn write_grid(path: &Path, sheets: &[SheetSpec]) {
    use rust_xlsxwriter::{Format, Formula, Workbook};
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for spec in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(spec.name).expect("sheet name");
        for (r, row) in spec.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    S(s) => drop(sheet.write_string(r, c, *s)),
                    T(s) => drop(sheet.write_string(r, c, s)),
                    N(n) => drop(sheet.write_number(r, c, *n)),
                    D(d) => {
                        let d = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
                        drop(sheet.write_datetime_with_format(r, c, d, &date));
                    }
                    F(f, cached) => drop(sheet.write_formula(
                        r,
                        c,
                        Formula::new(*f).set_result(cached.to_string()),
                    )),
                    Blank => {}
                }
            }
        }
        for &(r0, c0, r1, c1) in &spec.merges {
            let text = match spec
                .rows
                .get(r0 as usize)
                .and_then(|row| row.get(c0 as usize))
            {
                Some(S(s)) => s.to_string(),
                _ => String::new(),
            };
            sheet
                .merge_range(r0, c0, r1, c1, &text, &Format::new())
                .expect("merge");
        }
        if spec.hidden {
            sheet.set_hidden(true);
        }
    }
    workbook.save(path).expect("save grid workbook");
}

/// The template's header, as cells.
pub fn template_header() -> Vec<V> {
    template::HEADER.into_iter().map(S).collect()
}

/// Consolidates the folder as of 2018-06-30 and gives the workbook.
pub fn consolidate_june(w: &Workdir, input: &Path) -> PathBuf {
    w.consolidate(input, &["--as-of", "2018-06-30"])
}

/// The 明细 row of (unit, task), by header name.
pub fn detail_row(path: &Path, unit: &str, task: u32) -> HashMap<String, String> {
    let rows = detail(path);
    let mut found = rows
        .into_iter()
        .filter(|r| r["单位"] == unit && r["序号"] == task.to_string());
    let row = found
        .next()
        .unwrap_or_else(|| panic!("明细 has no row for {unit} task {task}"));
    assert!(
        found.next().is_none(),
        "明细 has two rows for {unit} task {task}"
    );
    row
}

/// A folder of the peer corpus `../shared/corpus`, read in place (never copied
/// in). CI (`CI=true`) lays `shared/` beside its clone, so there a missing
/// corpus fails the test rather than letting it pass having checked nothing;
/// elsewhere the skip is written where it is seen even when the test passes.
pub fn shared_corpus(sub: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: CI lays shared/ beside the clone, and this test checks the peer corpus in it",
        dir.display()
    );
    // Straight to the process's stderr: the test harness captures eprintln!.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED (checks nothing here): {} is not here",
        dir.display()
    );
    None
}
