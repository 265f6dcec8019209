//! Flags → [`Settings`], resolved once. Nothing below this module reads raw flags
//! or asks for today's date.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::catalogue::Catalogue;
use crate::intake::workbook::Limits;
use crate::period::{period_folder_end, period_label};
use crate::roster::Roster;

/// Help laid out with Chinese headings (clap's own are English).
const HELP: &str = "{about}\n\n用法：{usage}\n\n{all-args}";

/// 汇总各市县《消除大班额专项规划》任务进展月报：逐项核对任务分工表中的任务，生成汇总表。
#[derive(Debug, Parser)]
#[command(name = "county-returns", version, about, long_about = None, help_template = HELP)]
#[command(
    disable_help_subcommand = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
#[command(
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
    next_help_heading = "选项"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// 显示帮助
    #[arg(short, long, global = true, action = clap::ArgAction::Help)]
    help: Option<bool>,

    /// 显示版本
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: Option<bool>,

    /// 另用一份任务分工表（文本格式同 seeds/，或含 序号/主要任务/牵头单位/配合单位/完成时限 列的 xlsx）
    #[arg(long, global = true, value_name = "文件")]
    pub tasks: Option<PathBuf>,

    /// 另用一份单位名单（UTF-8 CSV，列：单位,别名,类别）
    #[arg(long, global = true, value_name = "文件")]
    pub roster: Option<PathBuf>,

    /// 单个报表文件的大小上限（MB），超过的文件不读取
    #[arg(long, global = true, value_name = "MB", default_value_t = 50)]
    pub max_file_mb: u64,

    /// 报表解压后的大小上限（MB），防止“压缩炸弹”耗尽内存
    #[arg(long, global = true, value_name = "MB", default_value_t = 500)]
    pub max_inflated_mb: u64,

    /// 并行工作的线程数：读取报表、核对、生成汇总表都用它（默认等于 CPU 核数；结果与之无关）
    #[arg(long, global = true, value_name = "个")]
    pub jobs: Option<usize>,

    /// 每个工作表读取的非空单元格上限
    #[arg(long, global = true, value_name = "个", default_value_t = 2_000_000)]
    pub max_cells: usize,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 汇总一期报表，生成汇总表（默认汇总 input/ 下最新一期）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Run(RunArgs),
    /// 检查一份报表：列出工具读到的内容和问题（报送前自查用）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Check(CheckArgs),
    /// 生成空白报表模板（每个单位一份，或用 --unit 指定一个单位）
    #[command(help_template = HELP, next_help_heading = "选项")]
    Template(TemplateArgs),
    /// 列出任务清单及截止日期
    #[command(help_template = HELP, next_help_heading = "选项")]
    Tasks,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// 报表所在文件夹（默认 input/ 下最新的 YYYY-MM 文件夹）
    #[arg(long, value_name = "文件夹")]
    pub input: Option<PathBuf>,
    /// 统计截止日期 YYYY-MM-DD（默认取文件夹名所指月份的最后一天，否则为今天）
    #[arg(long, value_name = "日期")]
    pub as_of: Option<String>,
    /// 汇总表保存路径（默认 output/<期别>/大班额任务进展汇总_<期别>.xlsx）
    #[arg(long, value_name = "文件")]
    pub output: Option<PathBuf>,
    /// 报表有数据问题时以退出码 2 结束（汇总表照常生成）
    #[arg(long)]
    pub strict: bool,
    /// 上一期报表所在文件夹（默认：与 --input 同级、名为 YYYY-MM 的较早文件夹）
    #[arg(long, value_name = "文件夹")]
    pub previous: Option<PathBuf>,
    /// 报表应于次月几日前报送，晚于此日的标为“迟报”
    #[arg(long, value_name = "日", default_value_t = 5)]
    pub due_day: u32,
    /// 另为每个单位生成一份督办单，保存到该文件夹
    #[arg(long, value_name = "文件夹")]
    pub feedback: Option<PathBuf>,
    /// 运行结束时在标准错误输出中列出各阶段耗时
    #[arg(long)]
    pub timings: bool,
    /// 距完成时限不足这么多天且未完成的任务标为“临期”
    #[arg(long, value_name = "天", default_value_t = 30)]
    pub due_soon_days: u32,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// 要检查的报表文件
    #[arg(value_name = "文件")]
    pub file: PathBuf,
    /// 统计截止日期 YYYY-MM-DD（默认：文件在 YYYY-MM 文件夹中时取该月最后一天，否则为今天）
    #[arg(long, value_name = "日期")]
    pub as_of: Option<String>,
    /// 另存一份标注副本：有问题的单元格标色并附批注，供填报单位修改
    #[arg(long, value_name = "输出文件")]
    pub annotate: Option<PathBuf>,
    /// 报表应于次月几日前报送，填报日期晚于此日的提示“迟报”
    #[arg(long, value_name = "日", default_value_t = 5)]
    pub due_day: u32,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// 模板保存的文件夹
    #[arg(long, value_name = "文件夹", default_value = "output/templates")]
    pub output: PathBuf,
    /// 只为这个单位生成模板
    #[arg(long, value_name = "单位")]
    pub unit: Option<String>,
}

/// What every command works with: the catalogue, the roster and the bounds.
pub struct Settings {
    pub catalogue: Catalogue,
    pub roster: Roster,
    pub limits: Limits,
    pub today: NaiveDate,
}

impl Settings {
    /// Loads the task table and roster named by the flags, or the built-in ones.
    ///
    /// # Errors
    /// When a named table or roster cannot be read or is malformed.
    pub fn resolve(cli: &Cli) -> Result<Self> {
        let catalogue = match &cli.tasks {
            Some(path) => Catalogue::load(path)?,
            None => Catalogue::embedded().context("内置任务表无法解析")?,
        };
        let roster = match &cli.roster {
            Some(path) => Roster::load(path)?,
            None => Roster::default_hainan().context("内置单位名单无法解析")?,
        };
        let limits = Limits {
            max_file_bytes: cli.max_file_mb.saturating_mul(1024 * 1024),
            max_inflated_bytes: cli.max_inflated_mb.saturating_mul(1024 * 1024),
            max_cells: cli.max_cells,
        };
        Ok(Self {
            catalogue,
            roster,
            limits,
            today: chrono::Local::now().date_naive(),
        })
    }
}

/// A run's folders and date, resolved.
pub struct RunPlan {
    pub input: PathBuf,
    pub as_of: NaiveDate,
    pub output: PathBuf,
    pub period: String,
    pub strict: bool,
    pub due_soon_days: u32,
}

/// Parses `--as-of`.
///
/// # Errors
/// When the text is not a YYYY-MM-DD date.
pub fn parse_as_of(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").with_context(|| {
        format!("--as-of 的日期“{text}”无法识别：请写成 YYYY-MM-DD，例如 2018-06-30")
    })
}

impl RunPlan {
    /// Resolves the input folder, as-of date and output path of `run`.
    ///
    /// # Errors
    /// A bad date, a missing input folder, or an output inside the input folder.
    pub fn resolve(args: &RunArgs, today: NaiveDate) -> Result<Self> {
        let input = match &args.input {
            Some(dir) => dir.clone(),
            None => latest_period(Path::new("input"))?,
        };
        if !input.is_dir() {
            bail!(
                "找不到报表文件夹 {}：请用 --input 指定存放报表的文件夹",
                input.display()
            );
        }
        let folder_name = input.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let as_of = match &args.as_of {
            Some(text) => parse_as_of(text)?,
            None => period_folder_end(folder_name).unwrap_or(today),
        };
        let period = if period_folder_end(folder_name).is_some() {
            folder_name.to_string()
        } else {
            period_label(as_of)
        };
        let output = match &args.output {
            Some(path) => path.clone(),
            None => PathBuf::from("output")
                .join(&period)
                .join(format!("大班额任务进展汇总_{period}.xlsx")),
        };
        if output
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
            != Some("xlsx")
        {
            bail!("汇总表必须保存为 .xlsx 文件：{}", output.display());
        }
        if let Some(dir) = &args.feedback
            && inside(&dir.join("x"), &input)
        {
            bail!(
                "督办单不能保存在报表文件夹 {} 里，否则下次汇总会把它们当作报表：请用 --feedback 指定别处",
                input.display()
            );
        }
        if inside(&output, &input) {
            bail!(
                "汇总表不能保存在报表文件夹 {} 里：请用 --output 指定别处",
                input.display()
            );
        }
        Ok(Self {
            input,
            as_of,
            output,
            period,
            strict: args.strict,
            due_soon_days: args.due_soon_days,
        })
    }
}

/// Whether `path` would land inside `dir` (compared after resolving what exists).
fn inside(path: &Path, dir: &Path) -> bool {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match (std::fs::canonicalize(parent), std::fs::canonicalize(dir)) {
        (Ok(p), Ok(d)) => p.starts_with(d),
        _ => false,
    }
}

/// The last `YYYY-MM` folder under `root`, or `root` itself when it holds none.
fn latest_period(root: &Path) -> Result<PathBuf> {
    let entries = std::fs::read_dir(root).with_context(|| {
        format!(
            "找不到 {} 文件夹：请在放有 input/ 的文件夹中运行，或用 --input 指定报表文件夹",
            root.display()
        )
    })?;
    let latest = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|name| period_folder_end(name).is_some())
        .max();
    Ok(latest.map_or_else(|| root.to_path_buf(), |name| root.join(name)))
}
