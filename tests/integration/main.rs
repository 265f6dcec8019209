//! Integration tests: the real binary on fixture folders, its workbook read back.

mod architecture;
mod broken;
mod browser;
mod check_cmd;
mod common;
mod conservation;
mod drifts;
mod fixtures;
mod habits;
mod monthly;
mod options;
mod props;
mod readers;
mod render;
mod robustness;
mod rules;
mod sample;
mod serve;
mod server;
mod template_roundtrip;
mod workbook;
