use std::process::ExitCode;

use county_returns::cli::{self, Cli, Command, Parsed, Settings};
use county_returns::cmd::{self, Outcome};

fn main() -> ExitCode {
    // A panic inside one file's intake is caught and listed as that file's problem;
    // any other is a bug, reported in one Chinese line.
    std::panic::set_hook(Box::new(|info| {
        if !county_returns::table::guard::in_guard() {
            eprintln!("程序内部错误（{info}）：请把这条信息和所用文件发给维护人员");
        }
    }));
    let cli = match cli::parse(std::env::args_os()) {
        Parsed::Command(cli) => cli,
        Parsed::Shown(text) => {
            cmd::print(&text);
            return ExitCode::SUCCESS;
        }
        Parsed::Wrong(text) => {
            eprintln!("错误：{text}");
            return ExitCode::from(1);
        }
    };
    let result = match &cli.command {
        // Neither needs the task table or the roster: they work when those are broken.
        Command::Config => cmd::config::run(&cli),
        Command::Generate(args) => cmd::generate::run(args),
        _ => run(&cli),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(2),
        Ok(Outcome::Rejected) => ExitCode::from(1),
        Err(error) => {
            eprintln!("错误：{error:#}");
            ExitCode::from(1)
        }
    }
}

/// The commands that work on the settings: the catalogue, roster and settings file.
fn run(cli: &Cli) -> anyhow::Result<Outcome> {
    Settings::resolve(cli).and_then(|settings| {
        if let Some(jobs) = settings.jobs {
            // Only fails when a pool exists already, which cannot happen this early.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(jobs)
                .build_global();
        }
        match &cli.command {
            Command::Run(args) => cmd::run::run(&settings, args),
            Command::Check(args) => cmd::check::run(&settings, args),
            Command::Template(args) => cmd::template::run(&settings, args),
            Command::Tasks => cmd::tasks::run(&settings),
            Command::Codes(args) => cmd::codes::run(&settings, args),
            Command::Serve(args) => cmd::serve::run(settings, args),
            // Answered while parsing, or above.
            Command::Help { .. } | Command::Config | Command::Generate(_) => Ok(Outcome::Done),
        }
    })
}
