//! Integration tests: the real binary on fixture folders, its workbook read back.

mod annotate;
mod architecture;
mod atomic;
mod broken;
mod browser;
mod check_cmd;
mod common;
mod conservation;
mod drifts;
mod fixtures;
mod golden;
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
mod template_print;
mod template_roundtrip;
mod usage;
mod workbook;
