//! Synthetic returns at any scale: N units with unique Chinese names, a roster CSV
//! for them, and one template-layout return each with realistic text. Shared by
//! `cargo run --example gen-returns` and the `scale` benchmark.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use chrono::NaiveDate;
use county_returns::catalogue::Catalogue;
use county_returns::roster::{Roster, Unit, UnitKind};
use county_returns::template::{self, DateValue, Fill, RowFill};

const STEMS: &str = "安平宁和兴华东西南北新丰永昌明德清泰山水河江湖海林石云龙凤阳春秋金玉富源长乐福寿康吉祥瑞崇庆隆定远通达化成武文光";
const PHRASES: [&str; 12] = [
    "召开专题会议研究部署，明确了责任分工和完成时限",
    "会同发展改革、自然资源、住房城乡建设等部门开展联合调研，摸清学位缺口底数",
    "将消除大班额工作纳入年度重点督办事项，实行月调度、季通报",
    "对辖区内义务教育学校逐校核查班额情况，建立问题清单和工作台账",
    "新建、改扩建学校项目按计划推进，部分项目主体工程已封顶",
    "统筹安排专项资金用于校舍建设和设施设备购置，资金已拨付到位",
    "通过集团化办学和学区制改革扩大优质教育资源覆盖面",
    "严格落实免试就近入学政策，合理控制起始年级班额",
    "按照县管校聘改革要求统筹调配教师编制，缓解结构性缺编问题",
    "组织开展教师交流轮岗，推动城镇优秀教师向乡村学校流动",
    "部分项目因用地报批和资金配套问题进度滞后，正在协调解决",
    "下一步将加强督导检查，确保各项任务按期完成",
];

/// A fixed pseudo-random sequence (xorshift), so every run writes the same files.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// N unique unit names: two stem characters and 县 or 市, with the stem as alias.
pub fn unit_names(n: usize) -> Vec<(String, String)> {
    let stems: Vec<char> = STEMS.chars().collect();
    let mut names = Vec::with_capacity(n);
    'outer: for suffix in ["县", "市", "区", "旗"] {
        for a in &stems {
            for b in &stems {
                if a == b {
                    continue;
                }
                if names.len() == n {
                    break 'outer;
                }
                let stem = format!("{a}{b}");
                names.push((format!("{stem}{suffix}"), stem));
            }
        }
    }
    // Aliases must be unique too: past the first suffix, units go without one.
    let mut seen = std::collections::HashSet::new();
    for (_, alias) in &mut names {
        if !seen.insert(alias.clone()) {
            alias.clear();
        }
    }
    names
}

/// A narrative of 60 to 150 Chinese characters.
pub fn narrative(rng: &mut Rng, unit: &str) -> String {
    let mut text = unit.to_string();
    while text.chars().count() < 60 || (text.chars().count() < 150 && rng.below(3) > 0) {
        text.push_str(PHRASES[rng.below(PHRASES.len())]);
        text.push('；');
    }
    let cut: String = text.chars().take(149).collect();
    cut.trim_end_matches('；').to_string() + "。"
}

/// Writes `roster.csv` and N returns (as of `as_of`) into `dir`.
pub fn generate(n: usize, dir: &Path, as_of: NaiveDate) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let names = unit_names(n);
    let mut csv = String::from("\u{feff}单位,别名,类别\n");
    for (name, alias) in &names {
        csv.push_str(&format!("{name},{alias},市县\n"));
    }
    let roster_path = dir.parent().unwrap_or(dir).join("roster.csv");
    std::fs::write(&roster_path, &csv)?;
    let catalogue = Catalogue::embedded()?;
    let units: Vec<Unit> = names
        .iter()
        .map(|(name, alias)| Unit {
            name: name.clone(),
            aliases: vec![alias.clone()]
                .into_iter()
                .filter(|a| !a.is_empty())
                .collect(),
            kind: UnitKind::City,
            addressee: None,
        })
        .collect();
    let roster = Roster::new(units)?;
    let expected = roster.expectations(&catalogue);
    for (u, (name, _)) in names.iter().enumerate() {
        let mut rng = Rng::new(u as u64 + 1);
        let tasks: Vec<u32> = expected[u].iter().map(|(t, _)| *t).collect();
        let mut rows = BTreeMap::new();
        for &t in &tasks {
            let deadline = catalogue.get(t).map_or(as_of, |task| task.deadline);
            let (status, date) = match rng.below(100) {
                0..=24 => (
                    "已完成",
                    Some(DateValue::Date(
                        deadline.min(as_of) - chrono::Days::new(rng.below(200) as u64),
                    )),
                ),
                25..=79 => ("推进中", None),
                80..=89 => ("未启动", None),
                90..=94 => ("不适用", None),
                95..=97 => (
                    "已完成",
                    Some(DateValue::Text(format!(
                        "{}年{}月",
                        2017 + rng.below(2),
                        1 + rng.below(12)
                    ))),
                ),
                _ => ("", None),
            };
            let issues = if rng.below(4) == 0 {
                narrative(&mut rng, "")
            } else {
                String::new()
            };
            rows.insert(
                t,
                RowFill {
                    status: status.into(),
                    date,
                    narrative: narrative(&mut rng, name),
                    issues,
                    next_steps: String::new(),
                    remarks: String::new(),
                },
            );
        }
        let fill = Fill {
            fill_date: Some(as_of + chrono::Days::new(3)),
            filler: "李明".into(),
            phone: format!("0898-6{:07}", u),
            rows,
            omit: Vec::new(),
            extra: Vec::new(),
        };
        let bytes = template::build(&catalogue, name, &tasks, Some(&fill))?;
        std::fs::write(dir.join(format!("{name}_进展情况.xlsx")), bytes)?;
    }
    Ok(())
}
