//! What a file is ([`Format`]), what reading it may cost ([`Limits`]), how it
//! counts its dates ([`DateSystem`]), and why it could not be read ([`OpenError`]):
//! the words every reader of [`super`] shares.

use chrono::NaiveDate;

/// Bounds that keep one hostile file from exhausting the machine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file read at all, in bytes.
    pub max_file_bytes: u64,
    /// Largest total the zip parts may inflate to, in bytes.
    pub max_inflated_bytes: u64,
    /// Most non-empty cells read from one sheet.
    pub max_cells: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 50 * 1024 * 1024,
            max_inflated_bytes: 500 * 1024 * 1024,
            max_cells: 2_000_000,
        }
    }
}

/// How a workbook counts serial day numbers: from day zero of its own date system.
/// Excel's default 1900 system (day 1 is 1900-01-01; from 1900-03-01 on, which is
/// all this plan's dates, that is day zero 1899-12-30), the Mac's 1904 system
/// (day zero 1904-01-01), or an OpenDocument file's `table:null-date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSystem {
    day_zero: NaiveDate,
}

impl DateSystem {
    /// Excel's 1900 date system, the default everywhere.
    pub const EXCEL_1900: Self = Self {
        day_zero: NaiveDate::from_ymd_opt(1899, 12, 30).expect("a date"),
    };
    /// The 1904 date system of old Mac workbooks (`date1904`, DATEMODE, `f1904`).
    pub const EXCEL_1904: Self = Self {
        day_zero: NaiveDate::from_ymd_opt(1904, 1, 1).expect("a date"),
    };

    /// A system counting from `day_zero` (an OpenDocument file's null date).
    pub fn from_day_zero(day_zero: NaiveDate) -> Self {
        Self { day_zero }
    }

    /// Excel's 1904 system when `is_1904`, else its 1900 system.
    pub fn excel(is_1904: bool) -> Self {
        if is_1904 {
            Self::EXCEL_1904
        } else {
            Self::EXCEL_1900
        }
    }

    /// The day a serial number names (its fraction, the time of day, dropped);
    /// `None` before day zero or past the calendar.
    pub fn date(self, serial: f64) -> Option<NaiveDate> {
        if !(0.0..=3_000_000.0).contains(&serial) {
            return None;
        }
        self.day_zero
            .checked_add_days(chrono::Days::new(serial.floor() as u64))
    }
}

impl Default for DateSystem {
    fn default() -> Self {
        Self::EXCEL_1900
    }
}

/// The container a file really is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    /// An HTML page saved with a spreadsheet name.
    Html,
    /// Delimited text saved with a spreadsheet name.
    Csv,
    /// Excel 2003 XML (SpreadsheetML), as web systems export "Excel" files.
    SpreadsheetMl,
}

/// Why a file could not be read as a workbook. Each message names the cause and
/// tells the county what to do.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum OpenError {
    /// The file has no bytes (a failed download or copy).
    #[error("文件为空（0 字节）：请重新导出后报送")]
    Empty,
    /// Over `--max-file-mb`.
    #[error("文件过大（{}，上限 {}）：请删除无关工作表或图片后重新报送", megabytes(*.size), megabytes(*.limit))]
    TooLarge { size: u64, limit: u64 },
    /// The zip's parts would inflate past `--max-inflated-mb`, or claim impossible ratios.
    #[error("文件解压后过大（超过 {}），可能已损坏：请另存为 .xlsx 后重新报送", megabytes(*.limit))]
    InflatesTooMuch { limit: u64 },
    /// A password is needed to open it (encrypted .xlsx, FILEPASS in an .xls, …).
    #[error(
        "文件设有打开密码，无法读取：请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空后确定），另存为 .xlsx 后重新报送"
    )]
    Password,
    /// An .xls encrypted because its structure is protected, in a kind not decrypted here.
    #[error(
        "文件设有“保护工作簿”（工作簿结构保护），.xls 文件因此被加密，无法读取：请在 Excel 中点“审阅 → 保护工作簿”取消保护，另存为 .xlsx 后重新报送"
    )]
    StructureProtected,
    /// A Word document under a spreadsheet name.
    #[error("这是 Word 文档，不是电子表格：请用 Excel 模板填报后重新报送")]
    WordDocument,
    /// A web page holding no table with text.
    #[error(
        "这是网页（HTML）或 XML 文件，其中没有可读的表格：请用 Excel 打开后另存为 .xlsx 再报送"
    )]
    Html,
    /// Text that does not read as a table.
    #[error("这是文本文件，不是可读的表格：请用 Excel 打开后另存为 .xlsx 再报送")]
    Text,
    /// One line of text and nothing else: what mail gateways leave for a lost attachment.
    #[error("这不是表格文件，只有一行文字“{0}”（附件可能未发送成功）：请重新发送报表文件")]
    OneLine(String),
    /// A zip archive (not a workbook package) where a single workbook was expected:
    /// intake opens such archives and reads their members instead.
    #[error("这是 zip 压缩包，不是电子表格：请解压后使用其中的 Excel 文件")]
    Archive,
    /// A zip archive inside a zip archive: not opened.
    #[error("这是压缩包里的压缩包，未打开：请解压后直接报送其中的 Excel 文件")]
    NestedArchive,
    /// A zip archive with more entries than a return's zip could hold.
    #[error(
        "压缩包中的文件过多（超过 {limit} 个），未打开：请只压缩要报送的报表，或直接报送 Excel 文件"
    )]
    ArchiveTooManyMembers { limit: usize },
    /// A zip archive whose members would inflate past `--max-inflated-mb`.
    #[error("压缩包解压后过大（超过 {}），未打开：请直接报送 Excel 文件", megabytes(*.limit))]
    ArchiveInflatesTooMuch { limit: u64 },
    /// A member of a zip archive that needs a password.
    #[error("压缩包设有密码，无法解压：请直接报送 Excel 文件，或取消密码后重新压缩")]
    ArchivePassword,
    /// A member of a zip archive compressed by a method this tool does not inflate.
    #[error(
        "压缩包使用了本工具不支持的压缩方式（{0}），无法解压：请用系统自带的“压缩”功能重新压缩，或直接报送 Excel 文件"
    )]
    ArchiveMethod(String),
    /// A spreadsheet format of its own that this tool does not read (SYLK, DIF, flat ODS).
    #[error(
        "这是 {0}，不是 Excel 工作簿，本工具不能直接读取：请用 Excel 或 WPS 打开后另存为 .xlsx 再报送"
    )]
    OtherFormat(&'static str),
    /// A PDF, under any name.
    #[error("这是 PDF 文件，不是电子表格：请以 Excel 文件报送（用模板填写后另存为 .xlsx）")]
    Pdf,
    /// A picture (a photo or scan of the return), under any name.
    #[error("这是图片文件，不是电子表格：请以 Excel 文件报送（用模板填写后另存为 .xlsx）")]
    Image,
    /// Not a container or text this tool knows.
    #[error("不是可识别的电子表格文件：请另存为 .xlsx 后重新报送")]
    Unknown,
    /// A valid file the reading library cannot open; the library's reason is kept.
    #[error(
        "读取库不支持该文件（{0}），文件本身未必损坏：请用 Excel 或 WPS 打开后另存为 .xlsx 再报送"
    )]
    Unsupported(String),
    /// The reading library stopped on the file (it panicked); its message is kept.
    #[error(
        "读取库不支持该文件，读取时中断（{0}），文件本身未必损坏：请用 Excel 或 WPS 打开后另存为 .xlsx 再报送"
    )]
    ReaderFailed(String),
    /// The file is damaged: the reason says where.
    #[error("文件已损坏或不完整，无法读取（{0}）：请重新保存为 .xlsx 后报送")]
    Corrupt(String),
    /// A package that opens but lists no sheet (its workbook part is missing).
    #[error("文件中没有工作表，可能已损坏：请用 Excel 打开检查后另存为 .xlsx 再报送")]
    NoSheets,
    /// The file could not be read from the disk; the reason is the system's, in Chinese.
    #[error("无法打开文件（{0}）：请确认文件未被占用后重试")]
    CannotRead(String),
    /// Every sheet opened, none has a return's header.
    #[error(
        "文件可以打开，但其中 {sheets} 张工作表都没有进展情况表的表头（应含 序号、主要任务、完成状态 等列），未找到进展情况表：请按模板填报后重新报送"
    )]
    NoReturn { sheets: usize },
    /// A sheet whose header is a return's, but without a way to tell the task or its progress.
    #[error(
        "工作表“{sheet}”的表头缺少“序号”（或“主要任务”）列或“完成状态”（或“进展情况”）列：请按模板填报后重新报送"
    )]
    HeaderIncomplete { sheet: String },
    /// A sheet with more non-empty cells than `--max-cells`.
    #[error("工作表“{sheet}”超过 {limit} 个非空单元格：请只保留进展情况表后重新报送")]
    TooManyCells { sheet: String, limit: usize },
    /// Cells so far apart that reading the sheet would take more than `limit` cells of memory.
    #[error(
        "表格中有相距很远的单元格（按所占区域计超过 {limit} 个单元格），文件可能已损坏：请删除表格以外的多余内容，另存为 .xlsx 后重新报送"
    )]
    TooSpread { limit: usize },
}

/// A size as people say it: `50 MB`, `70.5 MB` (1 MB = 1024 × 1024 bytes, as `--max-file-mb`).
fn megabytes(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    }
}
