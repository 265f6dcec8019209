//! `cargo run --release --example gen-returns -- N DIR`: N synthetic returns in
//! DIR (use a `YYYY-MM` folder name to set the as-of date) and `roster.csv` beside
//! DIR, deterministic. Then: `county-returns --roster roster.csv run --input DIR`.

mod synth;

use anyhow::{Context, Result};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .context("usage: gen-returns N DIR")?
        .parse()
        .context("N must be a number")?;
    let dir = std::path::PathBuf::from(args.next().context("usage: gen-returns N DIR")?);
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let as_of = county_returns::period::period_folder_end(name)
        .unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(2018, 6, 30).unwrap_or_default());
    synth::generate(n, &dir, as_of)?;
    println!(
        "wrote {n} returns to {} and roster.csv beside it",
        dir.display()
    );
    Ok(())
}
