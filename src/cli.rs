//! Flags → settings and plans, resolved once: dates parsed, paths checked, each
//! default in one place (the clap attributes below, and the `DEFAULT_*` of the
//! settings a config file may also set). Every such setting is the flag when
//! given, else the settings file's value ([`crate::config`]), else the default:
//! [`Setting::pick`] is the one rule, and [`in_force`] shows its outcome. Nothing
//! below this module reads a raw flag, the settings file or today's date. A flag
//! the parser refuses is answered in Chinese ([`usage_error`]), never with clap's
//! English.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::catalogue::Catalogue;
use crate::config::{self, Config, Origin, Setting, Values};
use crate::intake::{Reader, ReportPeriod};
use crate::period::Month;
use crate::pipeline::{PeriodPlan, Planner, ReplyBy};
use crate::roster::Roster;
use crate::serve::calendar::{Calendar, NOW_VAR};
use crate::serve::store::Bounds;
use crate::table::format::Limits;

/// Help laid out with Chinese headings (clap's own are English).
const HELP: &str = "{about}\n\n用法：{usage}\n\n{all-args}{after-help}";

/// What `--version` shows: the crate's version, and the commit and day it was
/// built from (stamped by `build.rs`). Nothing the tool writes carries the latter.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " （提交 ",
    env!("COUNTY_RETURNS_COMMIT"),
    "，构建于 ",
    env!("COUNTY_RETURNS_BUILD_DATE"),
    "）"
);

/// The issuing office when neither `--office` nor the settings file names one.
pub const DEFAULT_OFFICE: &str = "海南省教育厅";
/// The folder holding the period folders, relative to the working folder.
pub const DEFAULT_INPUT: &str = "input";
/// The folder the workbooks and templates go under.
pub const DEFAULT_OUTPUT: &str = "output";
/// Where `serve` listens: this computer only.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);
/// Returns are due by this day of the next month.
pub const DEFAULT_DUE_DAY: u32 = 5;
/// `serve` refuses uploads with less free disk space than this, in MB.
pub const DEFAULT_MIN_FREE_MB: u64 = 500;
/// Uploads one unit may store in one period.
pub const DEFAULT_UNIT_UPLOADS: u64 = 20;
/// MB one unit may store in one period.
pub const DEFAULT_UNIT_MB: u64 = 200;
/// Connections `serve` keeps open at once; the systemd unit's `LimitNOFILE`
/// is set well above what they need (`serve::net::files_needed`).
pub const DEFAULT_MAX_CONNECTIONS: u64 = 512;

/// 汇总各市县《消除大班额专项规划》任务进展月报：逐项核对任务分工表中的任务，生成汇总表。
#[derive(Debug, Parser)]
#[command(name = "county-returns", version = VERSION, about, long_about = None, help_template = HELP)]
#[command(
    disable_help_subcommand = true,
    disable_help_flag = true,
    disable_version_flag = true,
    override_usage = "county-returns [选项] <命令>",
    after_help = "\n用 county-returns help <命令> 查看某个命令的说明。"
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
    #[arg(short, long, global = true, action = clap::ArgAction::Help, help_heading = "通用选项")]
    help: Option<bool>,

    /// 显示版本（含提交号和构建日期）
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: Option<bool>,

    /// 配置文件（默认：环境变量“COUNTY_RETURNS_CONFIG”所指的文件；否则当前文件夹的 county-returns.toml 和 /etc/county-returns/config.toml；写 /dev/null 则不用配置文件）
    #[arg(long, global = true, value_name = "文件", help_heading = "通用选项")]
    pub config: Option<PathBuf>,

    /// 另用一份任务分工表（文本格式同 seeds/，或含 序号/主要任务/牵头单位/配合单位/完成时限 列的 xlsx）
    #[arg(long, global = true, value_name = "文件", help_heading = "通用选项")]
    pub tasks: Option<PathBuf>,

    /// 另用一份单位名单（UTF-8 CSV，列：单位,别名,类别）
    #[arg(long, global = true, value_name = "文件", help_heading = "通用选项")]
    pub roster: Option<PathBuf>,

    /// 单个报表文件的大小上限，单位 MB（默认 50），超过的文件不读取
    #[arg(long, global = true, value_name = "MB", default_value_t = 50, hide_default_value = true, help_heading = "通用选项", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_file_mb: u64,

    /// 报表解压后的大小上限，单位 MB（默认 500），防止“压缩炸弹”耗尽内存
    #[arg(long, global = true, value_name = "MB", default_value_t = 500, hide_default_value = true, help_heading = "通用选项", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_inflated_mb: u64,

    /// 每个工作表读取的非空单元格上限（默认 2000000）
    #[arg(long, global = true, value_name = "个", default_value_t = 2_000_000, hide_default_value = true, help_heading = "通用选项", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub max_cells: u64,

    /// 制表单位：印在每一页的页眉和督办单的落款上（默认 海南省教育厅）
    #[arg(long, global = true, value_name = "单位", help_heading = "通用选项")]
    pub office: Option<String>,

    /// 规划名称，印在标题中（默认取任务分工表的标题）
    #[arg(long, global = true, value_name = "名称", help_heading = "通用选项")]
    pub plan_name: Option<String>,

    /// 并行工作的线程数：读取报表、核对、生成汇总表都用它（默认等于处理器核数；结果与之无关）
    #[arg(long, global = true, value_name = "个", help_heading = "通用选项", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 汇总一期报表，生成汇总表（默认汇总 input/ 下最新一期）
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "county-returns run [选项]")]
    Run(RunArgs),
    /// 检查一份报表：列出工具读到的内容和问题（报送前自查用）
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "county-returns check <文件> [选项]")]
    Check(CheckArgs),
    /// 生成空白报表模板（每个单位一份，或用 --unit 指定一个单位）
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "county-returns template [选项]")]
    Template(TemplateArgs),
    /// 列出任务清单及截止日期
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "county-returns tasks")]
    Tasks,
    /// 生成上报码：每个单位一个、管理员一个（写入 --output，只保存其哈希）
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "county-returns codes [选项]")]
    Codes(CodesArgs),
    /// 开启报表收集网页：各单位上传报表并立即看到检查结果，管理员查看报送情况
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "county-returns serve [选项]")]
    Serve(ServeArgs),
    /// 显示正在使用的各项设置及其来源（命令行、配置文件或默认）
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "county-returns config")]
    Config,
    /// 生成手册页和命令补全脚本（打包用）
    #[command(hide = true, help_template = HELP, next_help_heading = "选项", override_usage = "county-returns generate <文件夹>")]
    Generate(GenerateArgs),
    /// 显示帮助：county-returns help <命令> 显示某个命令的说明
    #[command(help_template = HELP, next_help_heading = "选项", override_usage = "county-returns help [命令]")]
    Help {
        /// 要查看说明的命令
        #[arg(value_name = "命令", help_heading = "参数")]
        command: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// 报表所在文件夹（默认 input/ 下最新的 YYYY-MM 文件夹）
    #[arg(long, value_name = "文件夹")]
    pub input: Option<PathBuf>,
    /// 统计截止日期 YYYY-MM-DD（默认取文件夹名所指月份的最后一天，否则为今天）
    #[arg(long, value_name = "日期", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// 汇总表保存路径（默认 output/<期别>/大班额任务进展汇总_<期别>.xlsx）
    #[arg(long, value_name = "文件")]
    pub output: Option<PathBuf>,
    /// 报表有数据问题时以退出码 2 结束（汇总表照常生成）
    #[arg(long)]
    pub strict: bool,
    /// 上一期报表所在文件夹（默认：与 --input 同级、名为 YYYY-MM 的较早文件夹）
    #[arg(long, value_name = "文件夹")]
    pub previous: Option<PathBuf>,
    /// 报表应于次月几日前报送（1–31，默认 5；该月没有这一天时取月末），晚于此日的标为“迟报”
    #[arg(long, value_name = "日", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(1..=31))]
    pub due_day: Option<u32>,
    /// 另为每个单位生成一份督办单，保存到该文件夹
    #[arg(long, value_name = "文件夹")]
    pub feedback: Option<PathBuf>,
    /// 运行结束时在标准错误输出中列出各阶段耗时
    #[arg(long)]
    pub timings: bool,
    /// 督办单上要求回复的日期 YYYY-MM-DD（默认：下一期报表的截止日）
    #[arg(long, value_name = "日期", value_parser = parse_date)]
    pub reply_by: Option<NaiveDate>,
    /// 督办单上的联系人和电话，例如 "基础教育处 王芳 0898-65236001"
    #[arg(long, value_name = "联系人")]
    pub contact: Option<String>,
    /// 督办单的成文日期 YYYY-MM-DD（默认：今天；不是统计截止日期）
    #[arg(long, value_name = "日期", value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// 距完成时限不足这么多天且未完成的任务标为“临期”（0–365，默认 30）
    #[arg(long, value_name = "天", default_value_t = 30, hide_default_value = true, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(0..=365))]
    pub due_soon_days: u32,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// 要检查的报表文件
    #[arg(value_name = "文件", help_heading = "参数")]
    pub file: PathBuf,
    /// 统计截止日期 YYYY-MM-DD（默认：文件在 YYYY-MM 文件夹中时取该月最后一天，否则为今天）
    #[arg(long, value_name = "日期", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// 另存一份标注副本：有问题的单元格标色并附批注，供填报单位修改
    #[arg(long, value_name = "输出文件")]
    pub annotate: Option<PathBuf>,
    /// 报表应于次月几日前报送（1–31，默认 5），填报日期晚于此日的提示“迟报”
    #[arg(long, value_name = "日", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(1..=31))]
    pub due_day: Option<u32>,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// 模板保存的文件夹（默认 output/templates）
    #[arg(long, value_name = "文件夹")]
    pub output: Option<PathBuf>,
    /// 只为这个单位生成模板
    #[arg(long, value_name = "单位")]
    pub unit: Option<String>,
    /// 报表所属月份 YYYY-MM，写入标题、页眉和文件名（默认 input/ 下最新的 YYYY-MM 文件夹；没有则不写月份）
    #[arg(long, value_name = "月份", value_parser = parse_month)]
    pub period: Option<Month>,
    /// 报表应于次月几日前报送（1–31，默认 5），写入填表说明
    #[arg(long, value_name = "日", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(1..=31))]
    pub due_day: Option<u32>,
    /// 填表说明中写明的联系人和电话，例如 "基础教育处 王芳 0898-65236001"
    #[arg(long, value_name = "联系人")]
    pub contact: Option<String>,
}

/// `--period`: a month written YYYY-MM.
fn parse_month(text: &str) -> Result<Month, String> {
    Month::parse(text.trim()).ok_or_else(|| "应为 YYYY-MM 形式的月份，例如 2018-07".to_string())
}

/// `--as-of`: a calendar date written YYYY-MM-DD.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "应为 YYYY-MM-DD 形式的日期，例如 2018-07-31".to_string())
}

/// What a command line asked for, or the answer to give instead.
pub enum Parsed {
    Command(Box<Cli>),
    /// Help or the version, asked for: printed, exit 0.
    Shown(String),
    /// A command line that cannot be run: said in Chinese, exit 1.
    Wrong(String),
}

/// Parses the command line; clap's own errors and help come back in Chinese.
pub fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Parsed {
    match Cli::try_parse_from(args) {
        Ok(cli) => match &cli.command {
            Command::Help { command } => help_for(command.as_deref()),
            _ => Parsed::Command(Box::new(cli)),
        },
        Err(e) => usage_error(&e),
    }
}

/// `help` and `help <命令>`.
fn help_for(command: Option<&str>) -> Parsed {
    let mut cli = Cli::command();
    // Built, so every subcommand carries the global flags and Chinese help flag.
    cli.build();
    match command {
        None => Parsed::Shown(format!("{}\n", cli.render_help())),
        Some(name) => match cli.find_subcommand_mut(name) {
            Some(sub) => Parsed::Shown(format!("{}\n", sub.render_help())),
            None => Parsed::Wrong(format!("没有“{name}”这个命令。可用的命令：{}。", COMMANDS)),
        },
    }
}

const COMMANDS: &str = "run（汇总一期报表）、check（检查一份报表）、template（生成模板）、tasks（列出任务清单）、codes（生成上报码）、serve（开启报表收集网页）、config（显示设置）、help（显示帮助）";

/// A clap error said in Chinese: what was wrong, with the value, and what to do.
pub fn usage_error(e: &clap::Error) -> Parsed {
    let context = |kind: ContextKind| -> Option<String> {
        match e.get(kind)? {
            ContextValue::String(s) => Some(s.clone()),
            ContextValue::Strings(v) => Some(v.join("、")),
            ContextValue::StyledStr(s) => Some(s.to_string()),
            ContextValue::StyledStrs(v) => Some(
                v.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            ContextValue::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let arg = context(ContextKind::InvalidArg).unwrap_or_default();
    let flag = arg.split_whitespace().next().unwrap_or("").to_string();
    let value = context(ContextKind::InvalidValue).unwrap_or_default();
    let help = "用 county-returns help 查看用法。";
    let text = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let mut shown = e.to_string();
            if !shown.ends_with('\n') {
                shown.push('\n');
            }
            return Parsed::Shown(shown);
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            format!("请指定要做的事。可用的命令：{COMMANDS}。{help}")
        }
        ErrorKind::InvalidSubcommand => {
            let given = context(ContextKind::InvalidSubcommand).unwrap_or_default();
            let suggestion = context(ContextKind::SuggestedSubcommand)
                .map(|s| format!("您是不是要输入“{s}”？"))
                .unwrap_or_default();
            format!("没有“{given}”这个命令。{suggestion}可用的命令：{COMMANDS}。")
        }
        ErrorKind::UnknownArgument => {
            let suggestion = context(ContextKind::SuggestedArg)
                .map(|s| format!("您是不是要输入“{s}”？"))
                .unwrap_or_default();
            if arg.starts_with('-') {
                format!("不认识的选项“{arg}”。{suggestion}{help}")
            } else {
                format!("多余的参数“{arg}”。{suggestion}{help}")
            }
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let why = value_hint(&flag)
                .map(str::to_string)
                .or_else(|| {
                    std::error::Error::source(e)
                        .map(ToString::to_string)
                        .filter(|s| !s.is_ascii())
                })
                .unwrap_or_else(|| "取值无效".to_string());
            if value.is_empty() {
                format!("选项 {flag} 缺少取值：{why}。")
            } else {
                format!("选项 {flag} 的取值“{value}”无效：{why}。")
            }
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = context(ContextKind::InvalidArg).unwrap_or_default();
            format!("缺少必填的参数 {missing}。{help}")
        }
        ErrorKind::ArgumentConflict => format!("选项 {flag} 不能与其他选项同时使用。{help}"),
        ErrorKind::NoEquals | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("选项 {flag} 的取值个数不对。{help}")
        }
        ErrorKind::TooManyValues => format!("选项 {flag} 只能给一个取值。{help}"),
        ErrorKind::InvalidUtf8 => format!("命令行中有无法识别的字符。{help}"),
        _ => format!("命令行有误。{help}"),
    };
    Parsed::Wrong(text)
}

/// What a numeric or date flag takes, said in Chinese.
fn value_hint(flag: &str) -> Option<&'static str> {
    Some(match flag {
        "--as-of" | "--reply-by" => "应为 YYYY-MM-DD 形式的日期，例如 2018-07-31",
        "--config" => "应为配置文件的路径，例如 /etc/county-returns/config.toml",
        "--period" => "应为 YYYY-MM 形式的月份，例如 2018-07",
        "--jobs" => "应为 1 到 1024 之间的整数，例如 2",
        "--due-day" => "应为 1 到 31 之间的整数（次月几日前报送），例如 5",
        "--due-soon-days" => "应为 0 到 365 之间的整数（天数），例如 30",
        "--max-file-mb" | "--max-inflated-mb" => "应为正整数（单位 MB），例如 50",
        "--max-cells" => "应为正整数，例如 2000000",
        "--min-free-mb" => "应为 0 到 1000000 之间的整数（单位 MB），例如 500",
        "--unit-uploads" => "应为 1 到 10000 之间的整数，例如 20",
        "--unit-mb" => "应为 1 到 100000 之间的整数（单位 MB），例如 200",
        "--max-connections" => "应为 1 到 100000 之间的整数，例如 512",
        "--listen" => "应为“地址:端口”，例如 127.0.0.1:8080（只供本机）或 0.0.0.0:8080（供局域网）",
        _ => return None,
    })
}

/// What every command works with: the catalogue, the roster and the bounds.
pub struct Settings {
    pub catalogue: Catalogue,
    pub roster: Roster,
    pub limits: Limits,
    /// The issuing office, on every printed page.
    pub office: String,
    /// The plan's name: `--plan-name`, else the task table's title, else its file name.
    pub plan: String,
    /// Threads for the whole run, when set.
    pub jobs: Option<usize>,
    /// Today, as the default as-of date. Read here once, and nowhere else.
    pub today: NaiveDate,
    /// Where the date comes from: the machine's clock, or (tests of the real
    /// binary only) the time `COUNTY_RETURNS_NOW` starts it at. `serve` reads
    /// it on every request.
    pub calendar: Calendar,
    /// What the settings file(s) say, for the plans to put under their flags.
    pub file: Values,
}

impl Settings {
    /// Loads the task table and roster named by the flags, or the built-in ones.
    ///
    /// # Errors
    /// When a named table or roster cannot be read or is malformed.
    pub fn resolve(cli: &Cli) -> Result<Self> {
        let file = load_config(cli)?.values;
        let tasks = Setting::given(cli.tasks.clone(), file.tasks.as_ref()).map(|s| s.value);
        let roster = Setting::given(cli.roster.clone(), file.roster.as_ref()).map(|s| s.value);
        let plan_name = Setting::given(cli.plan_name.clone(), file.plan_name.as_ref());
        let limits = Limits {
            max_file_bytes: cli.max_file_mb.saturating_mul(1024 * 1024),
            max_inflated_bytes: cli.max_inflated_mb.saturating_mul(1024 * 1024),
            max_cells: usize::try_from(cli.max_cells).unwrap_or(usize::MAX),
        };
        let catalogue = match &tasks {
            Some(path) => Catalogue::load(path, limits)?,
            None => Catalogue::embedded()?,
        };
        let roster = match &roster {
            Some(path) => Roster::load(path)?,
            None => Roster::default_hainan()?,
        };
        let plan = plan_name
            .map(|s| s.value)
            .or_else(|| catalogue.plan_name.clone())
            .or_else(|| {
                tasks
                    .as_deref()
                    .and_then(Path::file_stem)
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "任务分工表".to_string());
        let calendar = match std::env::var(NOW_VAR) {
            Ok(start) if !start.is_empty() => {
                Calendar::shifted(&start).map_err(anyhow::Error::msg)?
            }
            _ => Calendar::System,
        };
        Ok(Self {
            catalogue,
            roster,
            limits,
            office: office(cli, &file).value.trim().to_string(),
            plan,
            jobs: cli.jobs.map(usize::from),
            today: calendar.today(),
            calendar,
            file,
        })
    }

    /// The reader of returns these settings make.
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            catalogue: &self.catalogue,
            roster: &self.roster,
            limits: self.limits,
        }
    }
}

/// Reads the settings file(s) the command line and the environment point to.
///
/// # Errors
/// A settings file that is named but missing, or one in force that cannot be
/// read or is malformed ([`config::ConfigError`], in Chinese with the line).
pub fn load_config(cli: &Cli) -> Result<Config> {
    let env = std::env::var_os(config::ENV_VAR);
    Ok(Config::load(&config::Lookup {
        flag: cli.config.as_deref(),
        env: env.as_deref(),
        local: Path::new(config::LOCAL_FILE),
        system: Path::new(config::SYSTEM_FILE),
    })?)
}

fn office(cli: &Cli, file: &Values) -> Setting<String> {
    Setting::pick(cli.office.clone(), file.office.as_ref(), || {
        DEFAULT_OFFICE.to_string()
    })
}

fn due_day(flag: Option<u32>, file: &Values) -> Setting<u32> {
    Setting::pick(flag, file.due_day.as_ref(), || DEFAULT_DUE_DAY)
}

/// The folder holding the period folders (`serve --input`, `codes --input`).
fn input_root(flag: Option<&Path>, file: &Values) -> Setting<PathBuf> {
    Setting::pick(flag.map(Path::to_path_buf), file.input.as_ref(), || {
        PathBuf::from(DEFAULT_INPUT)
    })
}

/// The folder the period workbooks and templates go under. No flag names it:
/// `run --output` is a file and `template --output` a folder of its own.
fn output_root(file: &Values) -> Setting<PathBuf> {
    Setting::pick(None, file.output.as_ref(), || PathBuf::from(DEFAULT_OUTPUT))
}

fn listen(flag: Option<SocketAddr>, file: &Values) -> Setting<SocketAddr> {
    Setting::pick(flag, file.listen.as_ref(), || DEFAULT_LISTEN)
}

/// A number of `serve`'s: the flag, the file, the default.
fn serve_number(flag: Option<u64>, file: Option<&Setting<u64>>, default: u64) -> Setting<u64> {
    Setting::pick(flag, file, || default)
}

fn contact(flag: Option<String>, file: &Values) -> Option<Setting<String>> {
    Setting::given(flag, file.contact.as_ref()).filter(|c| !c.value.trim().is_empty())
}

/// The HTTPS pair: both flags (clap wants them together), else the file's pair
/// (the file is refused with half a pair).
fn tls(cert: Option<&PathBuf>, key: Option<&PathBuf>, file: &Values) -> Option<(PathBuf, PathBuf)> {
    match (cert, key, &file.tls_cert, &file.tls_key) {
        (Some(cert), Some(key), _, _) => Some((cert.clone(), key.clone())),
        (None, None, Some(cert), Some(key)) => Some((cert.value.clone(), key.value.clone())),
        _ => None,
    }
}

/// One line of `county-returns config`: a key, its value in force, and whence.
pub struct InForce {
    pub key: &'static config::Key,
    pub value: String,
    pub origin: Origin,
}

/// Every setting a settings file may hold, as the commands would resolve it with
/// no subcommand flag given: the global flags, the file, the defaults.
pub fn in_force(cli: &Cli, config: &Config) -> Vec<InForce> {
    let file = &config.values;
    let text = |s: Setting<String>| (s.value, s.origin);
    let path = |s: Setting<PathBuf>| (s.value.display().to_string(), s.origin);
    let or_none = |s: Option<(String, Origin)>, none: &str| {
        s.unwrap_or_else(|| (format!("（{none}）"), Origin::Default))
    };
    let number = |s: Setting<u64>| (s.value.to_string(), s.origin);
    let given_path = |flag: Option<&PathBuf>, set: Option<&Setting<PathBuf>>, none: &str| {
        or_none(Setting::given(flag.cloned(), set).map(path), none)
    };
    config::KEYS
        .iter()
        .map(|key| {
            let (value, origin) = match key.name {
                "office" => text(office(cli, file)),
                "contact" => or_none(contact(None, file).map(text), "未设置：督办单上不写联系人"),
                "reply_by_days" => or_none(
                    file.reply_by_days
                        .as_ref()
                        .map(|s| (s.value.to_string(), s.origin.clone())),
                    "未设置：回复期限为下一期报表的截止日",
                ),
                "letter_date" => or_none(
                    file.letter_date
                        .as_ref()
                        .map(|s| (s.value.format("%Y-%m-%d").to_string(), s.origin.clone())),
                    "未设置：成文日期为生成当天",
                ),
                "plan_short" => or_none(
                    file.plan_short.clone().map(text),
                    "未设置：规划名称含“大班额”时用“大班额”，否则用期别",
                ),
                "public_url" => or_none(
                    file.public_url.clone().map(text),
                    "未设置：用管理员打开汇总看板时的地址",
                ),
                "plan_name" => or_none(
                    Setting::given(cli.plan_name.clone(), file.plan_name.as_ref()).map(text),
                    "未设置：取任务分工表的标题",
                ),
                "tasks" => given_path(
                    cli.tasks.as_ref(),
                    file.tasks.as_ref(),
                    "未设置：用内置的任务分工表",
                ),
                "roster" => given_path(
                    cli.roster.as_ref(),
                    file.roster.as_ref(),
                    "未设置：用内置的海南省 19 个市县名单",
                ),
                "input" => path(input_root(None, file)),
                "output" => path(output_root(file)),
                "listen" => {
                    let set = listen(None, file);
                    (set.value.to_string(), set.origin)
                }
                "due_day" => {
                    let set = due_day(None, file);
                    (set.value.to_string(), set.origin)
                }
                "period" => or_none(
                    file.period
                        .as_ref()
                        .map(|s| (s.value.to_string(), s.origin.clone())),
                    "未设置：按日期自动换期",
                ),
                "min_free_mb" => number(serve_number(
                    None,
                    file.min_free_mb.as_ref(),
                    DEFAULT_MIN_FREE_MB,
                )),
                "unit_uploads" => number(serve_number(
                    None,
                    file.unit_uploads.as_ref(),
                    DEFAULT_UNIT_UPLOADS,
                )),
                "unit_mb" => number(serve_number(None, file.unit_mb.as_ref(), DEFAULT_UNIT_MB)),
                "max_connections" => number(serve_number(
                    None,
                    file.max_connections.as_ref(),
                    DEFAULT_MAX_CONNECTIONS,
                )),
                "tls_cert" => given_path(None, file.tls_cert.as_ref(), "未设置：收集网页用 HTTP"),
                "tls_key" => given_path(None, file.tls_key.as_ref(), "未设置：收集网页用 HTTP"),
                _ => (String::new(), Origin::Default),
            };
            InForce { key, value, origin }
        })
        .collect()
}

/// Where a run's as-of date came from: the user is told when it is today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOfFrom {
    /// `--as-of`.
    Flag,
    /// The end of the month the input folder is named for.
    Folder,
    /// Today: the folder is not named `YYYY-MM` and no `--as-of` was given.
    Today,
}

/// A run, resolved: every path checked and every date parsed.
pub struct RunPlan {
    /// The folder, the period and everything its consolidation depends on.
    pub plan: PeriodPlan,
    pub as_of_from: AsOfFrom,
    pub output: PathBuf,
    pub strict: bool,
    pub feedback: Option<PathBuf>,
    pub timings: bool,
}

impl Settings {
    /// What `run` makes of these settings and its flags for any folder: `run`
    /// plans the folder it is given with it, `serve` each month it collects.
    pub fn planner(&self, args: &RunArgs) -> Planner {
        Planner {
            office: self.office.clone(),
            plan_name: self.plan.clone(),
            contact: contact(args.contact.clone(), &self.file).map(|c| c.value),
            due_day: due_day(args.due_day, &self.file).value,
            due_soon_days: args.due_soon_days,
            reply_by: match (args.reply_by, &self.file.reply_by_days) {
                (Some(day), _) => ReplyBy::On(day),
                (None, Some(days)) => ReplyBy::DaysAfterDue(days.value),
                (None, None) => ReplyBy::NextDue,
            },
            // 督办单 carry the day they are issued (成文日期): `--date`, else
            // the settings' `letter_date`, else the day they are made.
            letter_date: Setting::given(args.date, self.file.letter_date.as_ref()).map(|s| s.value),
            today: self.today,
            plan_short: self.file.plan_short.as_ref().map(|s| s.value.clone()),
            output_root: output_root(&self.file).value,
        }
    }
}

impl RunPlan {
    /// Resolves the input folder, as-of date and output path of `run`.
    ///
    /// # Errors
    /// A missing input or `--previous` folder, or an output inside the input folder.
    pub fn resolve(args: &RunArgs, settings: &Settings) -> Result<Self> {
        let today = settings.today;
        let file = &settings.file;
        let planner = settings.planner(args);
        let input = match &args.input {
            Some(dir) => dir.clone(),
            None => latest_period(&input_root(None, file))?,
        };
        if !input.is_dir() {
            bail!(
                "找不到报表文件夹 {}：请用 --input 指定存放报表的文件夹",
                input.display()
            );
        }
        let folder = input.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let folder_month = Month::parse(folder);
        let (as_of, as_of_from) = match (args.as_of, folder_month.and_then(Month::end)) {
            (Some(date), _) => (date, AsOfFrom::Flag),
            (None, Some(end)) => (end, AsOfFrom::Folder),
            (None, None) => (today, AsOfFrom::Today),
        };
        let month = folder_month.unwrap_or_else(|| Month::of(as_of));
        let output = match &args.output {
            Some(path) => path.clone(),
            None => planner.default_output(month),
        };
        if crate::table::extension(&output) != "xlsx" {
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
        let earlier = match &args.previous {
            Some(dir) if !dir.is_dir() => bail!(
                "找不到上一期报表文件夹 {}：请检查 --previous 的路径",
                dir.display()
            ),
            Some(dir) => {
                let label = dir
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(Month::parse)
                    .unwrap_or_else(|| month.previous());
                Some(vec![(label, dir.clone())])
            }
            None => None,
        };
        // Earlier runs' records sit in the period folders beside this run's output folder.
        let records = output
            .parent()
            .filter(|d| d.file_name().and_then(|n| n.to_str()) == Some(month.to_string().as_str()))
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        let plan = planner.plan(
            input,
            ReportPeriod { as_of, month },
            as_of_from == AsOfFrom::Today,
            earlier,
            records,
        );
        Ok(Self {
            plan,
            as_of_from,
            output,
            strict: args.strict,
            feedback: args.feedback.clone(),
            timings: args.timings,
        })
    }
}

/// `check`, resolved.
pub struct CheckPlan {
    pub file: PathBuf,
    pub period: ReportPeriod,
    pub annotate: Option<PathBuf>,
    pub due_day: u32,
}

impl CheckPlan {
    /// A return filed in a `YYYY-MM` folder is judged as of that month's end, like `run`.
    ///
    /// # Errors
    /// A missing file, or an annotated copy that would overwrite it.
    pub fn resolve(args: &CheckArgs, settings: &Settings) -> Result<Self> {
        let today = settings.today;
        if !args.file.is_file() {
            bail!("找不到文件 {}：请检查路径", args.file.display());
        }
        let folder = args
            .file
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(Month::parse);
        let as_of = args
            .as_of
            .or_else(|| folder.and_then(Month::end))
            .unwrap_or(today);
        let month = folder.unwrap_or_else(|| Month::of(as_of));
        if let Some(copy) = &args.annotate
            && same_file(copy, &args.file)
        {
            bail!(
                "标注副本不能覆盖原报表 {}：请用 --annotate 指定另一个文件名",
                args.file.display()
            );
        }
        Ok(Self {
            file: args.file.clone(),
            period: ReportPeriod { as_of, month },
            annotate: args.annotate.clone(),
            due_day: due_day(args.due_day, &settings.file).value,
        })
    }
}

/// `template`, resolved.
pub struct TemplatePlan {
    pub output: PathBuf,
    /// The roster units to write a template for.
    pub units: Vec<usize>,
    /// The period, issuer and due day the templates carry.
    pub options: crate::template::Options,
    /// The input folder the period was taken from, when `--period` was not given.
    pub period_folder: Option<PathBuf>,
}

impl TemplatePlan {
    /// The period is `--period`, else the latest `YYYY-MM` folder under `input/`
    /// (the period being collected), else none: a template without a month
    /// fits any month, one with a wrong month would be flagged as another month's.
    ///
    /// # Errors
    /// A `--unit` that is not in the roster, or an empty `--office`.
    pub fn resolve(args: &TemplateArgs, settings: &Settings) -> Result<Self> {
        let roster = &settings.roster;
        let units = match &args.unit {
            Some(name) => match roster.lookup(name).or_else(|| roster.find_in(name)) {
                Some(u) => vec![u],
                None => bail!("单位“{name}”不在单位名单中：请写单位全称，例如 海口市"),
            },
            None => (0..roster.units.len()).collect(),
        };
        let office = settings.office.as_str();
        if office.is_empty() {
            bail!("制发单位不能为空：请用 --office 写明单位名称，例如 海南省教育厅");
        }
        let latest_folder = || {
            let dir = latest_period(&input_root(None, &settings.file)).ok()?;
            let month = Month::parse(dir.file_name()?.to_str()?)?;
            Some((month, dir))
        };
        let (period, period_folder) = match args.period {
            Some(month) => (Some(month), None),
            None => latest_folder().map_or((None, None), |(m, dir)| (Some(m), Some(dir))),
        };
        Ok(Self {
            output: args
                .output
                .clone()
                .unwrap_or_else(|| output_root(&settings.file).value.join("templates")),
            units,
            options: crate::template::Options {
                period,
                office: office.to_string(),
                due_day: due_day(args.due_day, &settings.file).value,
                contact: contact(args.contact.clone(), &settings.file).map(|c| c.value),
            },
            period_folder,
        })
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

/// Whether `path` would land inside `dir` (compared after resolving what exists).
fn inside(path: &Path, dir: &Path) -> bool {
    let parent = crate::save::folder_of(path);
    match (std::fs::canonicalize(parent), std::fs::canonicalize(dir)) {
        (Ok(p), Ok(d)) => p.starts_with(d),
        _ => false,
    }
}

/// The last `YYYY-MM` folder under `root`, or `root` itself when it holds none.
fn latest_period(root: &Setting<PathBuf>) -> Result<PathBuf> {
    let Setting {
        value: root,
        origin,
    } = root;
    let mut folders = Month::folders_in(root).map_err(|e| {
        let root = root.display();
        match (origin, e.kind()) {
            (Origin::File { .. }, std::io::ErrorKind::PermissionDenied) => anyhow::anyhow!(
                "无法打开 {root} 文件夹（没有权限；这个文件夹是{origin}设的 input）：请管理员给您这个文件夹的读写权限——用安装包时执行 sudo adduser 您的用户名 county-returns，重新登录后生效；或用 --input 指定报表文件夹"
            ),
            (Origin::File { .. }, _) => anyhow::anyhow!(
                "无法打开 {root} 文件夹（{}）：请检查{origin}设的 input，或用 --input 指定报表文件夹",
                crate::os::describe(&e)
            ),
            _ => anyhow::anyhow!(
                "无法打开 {root} 文件夹（{}）：请在放有 input/ 的文件夹中运行，或用 --input 指定报表文件夹",
                crate::os::describe(&e)
            ),
        }
    })?;
    Ok(folders
        .pop()
        .map_or_else(|| root.to_path_buf(), |(_, dir)| dir))
}

#[derive(Debug, Args)]
pub struct CodesArgs {
    /// 存放各期报表文件夹的文件夹（默认 input），上报码的哈希保存在其中
    #[arg(long, value_name = "文件夹")]
    pub input: Option<PathBuf>,
    /// 上报码清单的保存路径（默认当前文件夹下的 上报码.csv），请妥善保管、分发后删除
    #[arg(
        long,
        value_name = "文件",
        default_value = "上报码.csv",
        hide_default_value = true
    )]
    pub output: PathBuf,
    /// 重新生成上报码：原有的上报码全部作废
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// 存放各期报表文件夹的文件夹（默认 input）
    #[arg(long, value_name = "文件夹")]
    pub input: Option<PathBuf>,
    /// 只收集这一期 YYYY-MM（默认按日期：次月截止日之前收集上个月，之后收集本月，每天自动换期，无需重启）
    #[arg(long, value_name = "月份", value_parser = parse_month)]
    pub period: Option<Month>,
    /// 监听的地址和端口（默认 127.0.0.1:8080，只供本机；局域网使用请写 0.0.0.0:8080）
    #[arg(long, value_name = "地址:端口", value_parser = parse_listen)]
    pub listen: Option<SocketAddr>,
    /// HTTPS 证书链（PEM），与 --tls-key 一起使用
    #[arg(long, value_name = "文件", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// HTTPS 私钥（PEM），与 --tls-cert 一起使用
    #[arg(long, value_name = "文件", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// 在本机的反向代理之后运行时，按 X-Forwarded-For 识别上传者地址（用于限制错误上报码的尝试次数）
    #[arg(long)]
    pub trust_forwarded_for: bool,
    /// 磁盘剩余空间少于这么多 MB 时不再接收上传（默认 500）
    #[arg(long, value_name = "MB", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub min_free_mb: Option<u64>,
    /// 每个单位每期最多上传的文件数（默认 20）
    #[arg(long, value_name = "份", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub unit_uploads: Option<u64>,
    /// 每个单位每期最多上传的文件总大小，单位 MB（默认 200）
    #[arg(long, value_name = "MB", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub unit_mb: Option<u64>,
    /// 同时接受的连接数上限，超过的得到“服务器繁忙”（默认 512）
    #[arg(long, value_name = "个", allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_connections: Option<u64>,
}

/// The hidden `generate` command: the man page and shell completions, for packaging.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// 保存到这个文件夹（没有则新建）
    #[arg(value_name = "文件夹", help_heading = "参数")]
    pub dir: PathBuf,
}

/// `--listen`: an address and port.
fn parse_listen(text: &str) -> Result<std::net::SocketAddr, String> {
    text.trim().parse().map_err(|_| {
        "应为“地址:端口”，例如 127.0.0.1:8080（只供本机）或 0.0.0.0:8080（供局域网）".to_string()
    })
}

/// `codes`, resolved.
pub struct CodesPlan {
    pub input: PathBuf,
    pub output: PathBuf,
    pub force: bool,
}

impl CodesPlan {
    /// # Errors
    /// A list that would land inside the input folder, where a run could read it.
    pub fn resolve(args: &CodesArgs, settings: &Settings) -> Result<Self> {
        let input = input_root(args.input.as_deref(), &settings.file).value;
        if inside(&args.output, &input) {
            bail!(
                "上报码清单不能保存在报表文件夹 {} 里：请用 --output 指定别处",
                input.display()
            );
        }
        Ok(Self {
            input,
            output: args.output.clone(),
            force: args.force,
        })
    }
}

/// `serve`, resolved: each period collected is consolidated exactly as `run
/// --input <period folder>` would, with `run`'s defaults.
pub struct ServePlan {
    /// The folder holding the period folders.
    pub root: PathBuf,
    /// How `run` plans any folder: with its own defaults and the same settings.
    pub planner: Planner,
    /// `--period` or the file's `period`: collect this month whatever the date.
    pub pinned: Option<Month>,
    pub bounds: Bounds,
    pub max_connections: usize,
    pub listen: SocketAddr,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub trust_forwarded_for: bool,
    /// The address counties open, for the reminders (`public_url`).
    pub public_url: Option<String>,
}

impl ServePlan {
    /// # Errors
    /// A missing input folder or certificate.
    pub fn resolve(args: &ServeArgs, settings: &Settings) -> Result<Self> {
        let file = &settings.file;
        let root = input_root(args.input.as_deref(), file).value;
        if !root.is_dir() {
            bail!(
                "找不到报表文件夹 {}：请先运行 county-returns codes 生成上报码，或用 --input 指定存放各期报表的文件夹",
                root.display()
            );
        }
        let tls = tls(args.tls_cert.as_ref(), args.tls_key.as_ref(), file);
        for path in tls.iter().flat_map(|(cert, key)| [cert, key]) {
            if !path.is_file() {
                bail!("找不到 HTTPS 证书文件 {}：请检查路径", path.display());
            }
        }
        // `run`'s own defaults, from its flags' declarations, and the same
        // settings file: the same workbook by construction.
        let run_args = {
            use clap::FromArgMatches;
            let matches = RunArgs::augment_args(clap::Command::new("run"))
                .try_get_matches_from(["run"])
                .context("内部错误：run 的默认选项无法解析")?;
            RunArgs::from_arg_matches(&matches).context("内部错误：run 的默认选项无法解析")?
        };
        let mb = |n: u64| n.saturating_mul(1024 * 1024);
        let number = |flag, set, default| serve_number(flag, set, default).value;
        Ok(Self {
            root,
            planner: settings.planner(&run_args),
            pinned: Setting::given(args.period, file.period.as_ref()).map(|s| s.value),
            bounds: Bounds {
                min_free_bytes: mb(number(
                    args.min_free_mb,
                    file.min_free_mb.as_ref(),
                    DEFAULT_MIN_FREE_MB,
                )),
                unit_uploads: usize::try_from(number(
                    args.unit_uploads,
                    file.unit_uploads.as_ref(),
                    DEFAULT_UNIT_UPLOADS,
                ))
                .unwrap_or(usize::MAX),
                unit_bytes: mb(number(args.unit_mb, file.unit_mb.as_ref(), DEFAULT_UNIT_MB)),
            },
            max_connections: usize::try_from(number(
                args.max_connections,
                file.max_connections.as_ref(),
                DEFAULT_MAX_CONNECTIONS,
            ))
            .unwrap_or(usize::MAX),
            listen: listen(args.listen, file).value,
            tls,
            trust_forwarded_for: args.trust_forwarded_for,
            public_url: file.public_url.as_ref().map(|s| s.value.clone()),
        })
    }
}
