//! `codes`: one upload code per roster unit and one for the office, written once
//! to a list for the office, kept as hashes beside the period folders.

use anyhow::{Result, bail};

use super::Outcome;
use crate::cli::{CodesArgs, CodesPlan, Settings};
use crate::save::{Outputs, Staged};
use crate::serve::codes::{self, HASH_FILE};

pub fn run(settings: &Settings, args: &CodesArgs) -> Result<Outcome> {
    let plan = CodesPlan::resolve(args, settings)?;
    let hashes = plan.input.join(HASH_FILE);
    if !plan.force {
        if hashes.exists() {
            bail!(
                "上报码已经生成过（{}）：重新生成会使已发出的上报码全部作废；确需重新生成，请加 --force",
                hashes.display()
            );
        }
        if plan.output.exists() {
            bail!(
                "{} 已存在：请先移走它，或加 --force 覆盖",
                plan.output.display()
            );
        }
    }
    let units: Vec<String> = settings
        .roster
        .units
        .iter()
        .map(|u| u.name.clone())
        .collect();
    let made = codes::generate(&units)?;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let write = |path: &std::path::Path, e: std::io::Error| {
        anyhow::anyhow!("无法写入 {}：{}", path.display(), crate::os::describe(&e))
    };
    // The list and the hashes go in together: never codes nobody holds, nor a list that opens nothing.
    let mut outputs = Outputs::new(&plan.input);
    // The hashes are readable by their owner only: a hash is a code to guess offline.
    outputs.add(
        Staged::private_bytes(&hashes, &codes::hash_file_bytes(&made, &now)?)
            .map_err(|e| write(&hashes, e))?,
    );
    outputs.add(
        // The list is a secret: readable by its owner only.
        Staged::private_bytes(&plan.output, &codes::office_csv(&made))
            .map_err(|e| write(&plan.output, e))?,
    );
    outputs.commit().map_err(|e| write(&plan.output, e))?;
    super::print(&format!(
        "已生成上报码 {} 个（{} 个单位，另有管理员码 1 个），清单写入 {}\n\
         请把各单位的上报码分别发给该单位、管理员码自己保管，分发后删除该文件。\n\
         文件夹 {} 中只保存上报码的哈希，无法从中找回上报码；遗失时请用 --force 重新生成。\n",
        made.plain.len(),
        units.len(),
        plan.output.display(),
        plan.input.display(),
    ));
    Ok(Outcome::Done)
}
