//! `generate DIR` (hidden): the man page and the shell completions, written for
//! packaging (`scripts/build-deb` runs it before `cargo deb`).

use anyhow::Result;

use super::Outcome;
use crate::cli::GenerateArgs;

pub fn run(args: &GenerateArgs) -> Result<Outcome> {
    let dir = &args.dir;
    let failed = |e: std::io::Error| {
        anyhow::anyhow!("无法写入 {}：{}", dir.display(), crate::os::describe(&e))
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let assets = crate::manual::assets().map_err(failed)?;
    for (name, bytes) in &assets {
        crate::save::save_atomic(bytes, &dir.join(name)).map_err(failed)?;
    }
    let names: Vec<&str> = assets.iter().map(|(n, _)| n.as_str()).collect();
    super::print(&format!(
        "已在 {} 生成 {} 个文件：{}\n",
        dir.display(),
        names.len(),
        names.join("、")
    ));
    Ok(Outcome::Done)
}
