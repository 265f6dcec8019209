//! One subcommand per file: glue between [`crate::cli`] and the library.

pub mod check;
pub mod codes;
pub mod config;
pub mod generate;
pub mod run;
pub mod serve;
pub mod tasks;
pub mod template;

/// How a command ended, as the process exit code of SPEC §8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The work was done.
    Done,
    /// The workbook was written, but the returns had problems and `--strict` asks to fail (exit 2).
    Problems,
    /// `check` found errors the county must fix before sending (exit 1).
    Rejected,
}

/// Prints to stdout, ignoring a closed pipe (`county-returns tasks | head`).
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
