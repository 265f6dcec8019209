//! Operating-system errors in Chinese. No `(os error 2)` reaches a user: an I/O
//! error is said by its kind, with what to do about it, and the caller names the
//! file and what it was doing (`无法写入汇总表 X：…`).

use std::io::ErrorKind;

/// An I/O error as a Chinese clause, for after `无法写入 X：`.
pub fn describe(error: &std::io::Error) -> String {
    let text = match error.kind() {
        ErrorKind::NotFound => "找不到该文件或文件夹，请检查路径",
        ErrorKind::PermissionDenied => {
            "没有权限：文件可能正在 Excel 或 WPS 中打开，或文件夹只读，请关闭文件或换一个可写的文件夹"
        }
        ErrorKind::AlreadyExists => "已有同名文件",
        ErrorKind::IsADirectory => "这是一个文件夹，不是文件",
        ErrorKind::NotADirectory => "路径中有一段是文件而不是文件夹",
        ErrorKind::DirectoryNotEmpty => "文件夹不是空的",
        ErrorKind::ReadOnlyFilesystem => "磁盘或文件夹是只读的，请换一个可写的文件夹",
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "磁盘空间不足，请清理后重试",
        ErrorKind::FileTooLarge => "文件过大",
        ErrorKind::ResourceBusy | ErrorKind::ExecutableFileBusy => {
            "文件正被其他程序占用，请关闭后重试"
        }
        ErrorKind::InvalidFilename => "文件名无效或过长",
        ErrorKind::CrossesDevices => "不能跨磁盘改名，请把输出文件夹放在同一磁盘上",
        ErrorKind::TooManyLinks => "路径中的链接太多",
        ErrorKind::UnexpectedEof => "文件不完整",
        ErrorKind::InvalidData => "文件内容无效",
        ErrorKind::OutOfMemory => "内存不足",
        ErrorKind::Interrupted | ErrorKind::TimedOut | ErrorKind::WouldBlock => {
            "操作被中断，请重试"
        }
        ErrorKind::StaleNetworkFileHandle
        | ErrorKind::NetworkUnreachable
        | ErrorKind::NotConnected => "网络磁盘连接已断开，请重新连接后重试",
        _ => {
            return match error.raw_os_error() {
                Some(code) => format!("系统错误（代码 {code}）"),
                None => "系统错误".to_string(),
            };
        }
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_in_chinese() {
        let cases = [
            (
                std::io::Error::from_raw_os_error(2),
                "找不到该文件或文件夹，请检查路径",
            ),
            (
                std::io::Error::from_raw_os_error(1),
                "没有权限：文件可能正在 Excel 或 WPS 中打开，或文件夹只读，请关闭文件或换一个可写的文件夹",
            ),
            (
                std::io::Error::from_raw_os_error(28),
                "磁盘空间不足，请清理后重试",
            ),
            (
                std::io::Error::from_raw_os_error(30),
                "磁盘或文件夹是只读的，请换一个可写的文件夹",
            ),
            (
                std::io::Error::from_raw_os_error(21),
                "这是一个文件夹，不是文件",
            ),
        ];
        for (error, want) in cases {
            assert_eq!(describe(&error), want, "{error:?}");
        }
        assert!(!describe(&std::io::Error::other("x")).is_ascii());
    }
}
