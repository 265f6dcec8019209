//! Load on the collection server: 19 units × 10 uploads, all at once, over
//! loopback to the real binary. Prints the latency of an upload (received,
//! checked, stored, answered) at p50/p95/max, and checks that every upload was
//! stored exactly once. Times are reported, not asserted: the machine is shared.
//!
//! `cargo bench --bench serve` (`-- <per unit>` for another count).

#[allow(dead_code)]
#[path = "../tests/integration/server.rs"]
mod server;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use county_returns::catalogue::Catalogue;
use county_returns::roster::Roster;
use county_returns::template::{self, Fill, RowFill};

fn return_of(catalogue: &Catalogue, roster: &Roster, unit: usize, n: usize) -> Vec<u8> {
    let tasks: Vec<u32> = roster.expectations(catalogue)[unit]
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let mut fill = Fill {
        fill_date: NaiveDate::from_ymd_opt(2018, 8, 2),
        filler: format!("填报人{n}"),
        phone: "0898-65321234".to_string(),
        ..Fill::default()
    };
    for t in &tasks {
        fill.rows.insert(
            *t,
            RowFill {
                status: "推进中".to_string(),
                narrative: format!("第{n}次上报：正在推进"),
                ..RowFill::default()
            },
        );
    }
    let name = &roster.units[unit].name;
    template::build(catalogue, name, &tasks, Some(&fill)).expect("build return")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let per_unit: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10);
    let catalogue = Catalogue::embedded().expect("catalogue");
    let roster = Roster::default_hainan().expect("roster");
    let dir = tempfile::tempdir().expect("dir");
    let server = server::Server::fresh(dir.path(), &[]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut sent: BTreeMap<String, String> = BTreeMap::new();
    let mut uploads = Vec::new();
    for unit in 0..roster.units.len() {
        for n in 0..per_unit {
            let bytes = return_of(&catalogue, &roster, unit, n);
            let name = roster.units[unit].name.clone();
            sent.insert(county_returns::digest::sha256_hex(&bytes), name.clone());
            uploads.push((name, bytes));
        }
    }
    let count = uploads.len();
    let (latencies, wall) = runtime.block_on(async {
        // One client, as one browser per county would share nothing but the
        // machine: it opens a connection per upload under way.
        let http = server::client();
        let start = Instant::now();
        let jobs: Vec<_> = uploads
            .into_iter()
            .map(|(unit, bytes)| {
                let url = server.url.clone();
                let code = server.code(&unit).to_string();
                let http = http.clone();
                tokio::spawn(async move {
                    let began = Instant::now();
                    let (status, page) =
                        server::upload(&http, &url, Some(&code), "r.xlsx", bytes).await;
                    assert_eq!(status, 200, "{unit}: {page}");
                    began.elapsed()
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for job in jobs {
            latencies.push(job.await.expect("upload task"));
        }
        (latencies, start.elapsed())
    });
    // Every upload stored exactly once, under its own unit's name.
    let stored = server::stored(&server);
    let mut found: BTreeMap<String, usize> = BTreeMap::new();
    for name in &stored {
        let bytes = std::fs::read(server.period_dir().join(name)).expect("stored file");
        let sha = county_returns::digest::sha256_hex(&bytes);
        let unit = sent
            .get(&sha)
            .unwrap_or_else(|| panic!("{name} is no upload"));
        assert!(
            name.starts_with(&format!("{unit}_")),
            "{name} stored for {unit}"
        );
        *found.entry(sha).or_default() += 1;
    }
    assert_eq!(found.len(), count, "every upload stored");
    assert!(found.values().all(|n| *n == 1), "none stored twice");
    let mut sorted = latencies;
    sorted.sort();
    println!(
        "{count} 次上传（{} 个单位 × {per_unit}）同时发出，环回地址，{} 核",
        roster.units.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "  单次上传耗时：p50 {}，p95 {}，最长 {}；全部完成 {:.2} 秒（{:.0} 次/秒）",
        ms(percentile(&sorted, 0.50)),
        ms(percentile(&sorted, 0.95)),
        ms(sorted[sorted.len() - 1]),
        wall.as_secs_f64(),
        count as f64 / wall.as_secs_f64()
    );
    println!("  每份上传恰好保存一次：{} 个文件", stored.len());
    // The board after the load: one consolidation of the folder, then the kept one.
    let admin = server.code("管理员").to_string();
    runtime.block_on(async {
        for label in ["汇总看板（重新汇总）", "汇总看板（沿用上次汇总）"] {
            let began = Instant::now();
            let response = server::client()
                .get(format!("{}/api/status", server.url))
                .bearer_auth(&admin)
                .send()
                .await
                .expect("status");
            assert_eq!(response.status().as_u16(), 200);
            let _ = response.bytes().await;
            println!("  {label}：{}", ms(began.elapsed()));
        }
    });
}
