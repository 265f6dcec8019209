use std::process::ExitCode;

use clap::Parser;
use county_returns::cli::{Cli, Command, Settings};
use county_returns::cmd::{self, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = Settings::resolve(&cli).and_then(|settings| match &cli.command {
        Command::Run(args) => cmd::run::run(&settings, args),
        Command::Check(args) => cmd::check::run(&settings, args),
        Command::Template(args) => cmd::template::run(&settings, args),
        Command::Tasks => cmd::tasks::run(&settings),
    });
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
