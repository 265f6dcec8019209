//! SPEC §8: a run writes all its outputs (workbook, CSVs, fingerprint, 督办单) or
//! none. A run that fails leaves the output folder exactly as it was; a run killed
//! at any moment leaves, once the next run has set its leftovers right, either the
//! old period or the whole new one.

#[path = "../../examples/gen-returns/synth.rs"]
mod synth;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use crate::common::{Workdir, copy_files};

/// Every file under `dir` (recursively) by relative name, with its SHA-256.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .expect("under dir")
                    .display()
                    .to_string();
                let bytes = std::fs::read(&path).expect("read");
                files.insert(name, county_returns::digest::sha256_hex(&bytes));
            }
        }
    }
    files
}

fn sample_july(w: &Workdir) -> std::path::PathBuf {
    let input = w.folder("input");
    copy_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("input/2018-07"),
        &input.join("2018-07"),
    );
    input.join("2018-07")
}

#[test]
fn a_failed_run_leaves_the_output_folder_as_it_was() {
    let w = Workdir::new();
    let input = sample_july(&w);
    let input = input.to_str().expect("utf-8");
    let first = w.run(&[
        "run",
        "--input",
        input,
        "--output",
        "out/2018-07/汇总.xlsx",
        "--feedback",
        "fb",
    ]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = (snapshot(&w.path("out")), snapshot(&w.path("fb")));
    // A 督办单 for each of the ten units July leaves something to follow up.
    assert!(before.0.len() >= 4 && before.1.len() >= 10, "{before:?}");
    // Three ways to fail after the returns were read: the feedback folder is a file,
    // the workbook's place is a folder, the output folder cannot be made.
    let blocked = w.path("fb-file");
    std::fs::write(&blocked, "a file, not a folder").expect("blocker");
    let cases: [&[&str]; 2] = [
        &[
            "run",
            "--input",
            input,
            "--output",
            "out/2018-07/汇总.xlsx",
            "--feedback",
            "fb-file",
        ],
        &[
            "run",
            "--input",
            input,
            "--output",
            "fb-file/sub/汇总.xlsx",
            "--feedback",
            "fb",
        ],
    ];
    for args in cases {
        let output = w.run(args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("无法写入"),
            "{args:?}"
        );
        assert_eq!(
            (snapshot(&w.path("out")), snapshot(&w.path("fb"))),
            before,
            "{args:?}"
        );
    }
    // The workbook's place taken by a folder: nothing else of the run is put in place.
    std::fs::remove_file(w.path("out/2018-07/汇总.xlsx")).expect("remove");
    std::fs::create_dir(w.path("out/2018-07/汇总.xlsx")).expect("folder");
    let before = snapshot(&w.path("out"));
    let output = w.run(&["run", "--input", input, "--output", "out/2018-07/汇总.xlsx"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(snapshot(&w.path("out")), before);
}

/// The files that make a period's outputs, by name, with their hashes.
fn period_files(dir: &Path) -> BTreeMap<String, String> {
    snapshot(dir)
        .into_iter()
        .filter(|(name, _)| !name.starts_with(".county-returns-"))
        .collect()
}

#[test]
fn a_run_killed_at_any_moment_leaves_the_old_period_or_the_new_one() {
    let w = Workdir::new();
    let as_of = chrono::NaiveDate::from_ymd_opt(2018, 6, 30).expect("date");
    let old_input = w.folder("old/2018-06");
    synth::generate(150, &old_input, as_of).expect("generate");
    // The new period's folder: the same returns but a few, as after a county resends.
    let new_input = w.folder("new/2018-06");
    copy_files(&old_input, &new_input);
    let mut names: Vec<_> = std::fs::read_dir(&new_input)
        .expect("new input")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    names.sort();
    for path in names.iter().step_by(40) {
        std::fs::remove_file(path).expect("remove");
    }
    let roster = w.path("old/roster.csv");
    let args = |input: &Path, out: &str| -> Vec<String> {
        [
            "--roster",
            &roster.display().to_string(),
            "run",
            "--input",
            &input.display().to_string(),
            "--output",
            &format!("{out}/2018-06/汇总.xlsx"),
        ]
        .map(str::to_string)
        .to_vec()
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let output = w.run(&a);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    // The old period, kept aside; the new one as a whole run writes it (the bytes
    // are deterministic), made elsewhere.
    run(args(&old_input, "out"));
    copy_files(&w.path("out/2018-06"), &w.path("kept"));
    let old = period_files(&w.path("out/2018-06"));
    let start = Instant::now();
    run(args(&new_input, "whole"));
    let duration = start.elapsed();
    let new = period_files(&w.path("whole/2018-06"));
    assert_eq!(
        old.keys().collect::<Vec<_>>(),
        new.keys().collect::<Vec<_>>()
    );
    assert_ne!(old, new);
    // Killed at fifteen moments spread over a run's length and a little past it.
    let mut finished = 0;
    for step in 0..=15u32 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_county-returns"))
            .args(args(&new_input, "out"))
            .current_dir(w.path(""))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(duration * step / 12);
        let _ = child.kill();
        let _ = child.wait();
        county_returns::save::recover(&w.path("out/2018-06")).expect("recover");
        let now = snapshot(&w.path("out/2018-06"));
        assert!(
            now == old || now == new,
            "killed at step {step}: neither period whole: {now:?}"
        );
        if now == new {
            finished += 1;
            std::fs::remove_dir_all(w.path("out/2018-06")).expect("clear");
            copy_files(&w.path("kept"), &w.path("out/2018-06"));
        }
    }
    eprintln!(
        "16 runs killed over {duration:?}: {finished} had finished, the rest left the old period"
    );
}
