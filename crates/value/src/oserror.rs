//! Go's texts for the operating system's errors.
//!
//! Go's `syscall.Errno` strings on Linux are the C library's `strerror` texts with the first
//! letter in lower case ("no such file or directory", "connection refused"); Rust's
//! `io::Error` prints the same `strerror` text followed by ` (os error N)`.

/// The error as Go's `syscall.Errno` prints it, or Rust's own text for an error that does not
/// come from the operating system.
pub fn errno_text(error: &std::io::Error) -> String {
    let Some(code) = error.raw_os_error() else {
        return error.to_string();
    };
    let text = std::io::Error::from_raw_os_error(code).to_string();
    let text = text
        .strip_suffix(&format!(" (os error {code})"))
        .unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => format!("errno {code}"),
    }
}

/// Go's `*fs.PathError` text: the operation, the path and the errno's text.
pub fn path_error(op: &str, path: &str, error: &std::io::Error) -> String {
    format!("{op} {path}: {}", errno_text(error))
}

/// Go's text for a failed `os.ReadFile(path)`: opening fails, or reading a folder does.
pub fn read_file_error(path: &str, error: &std::io::Error) -> String {
    let op = match error.kind() {
        std::io::ErrorKind::IsADirectory => "read",
        _ => "open",
    };
    path_error(op, path, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn errno_texts_as_go_prints_them() {
        let text = |code| errno_text(&std::io::Error::from_raw_os_error(code));
        assert_eq!(text(2), "no such file or directory");
        assert_eq!(text(5), "input/output error");
        assert_eq!(text(13), "permission denied");
        assert_eq!(text(21), "is a directory");
        assert_eq!(text(111), "connection refused");
        assert_eq!(text(110), "connection timed out");
        let missing = std::fs::read("/nonexistent/helmet-oserror").unwrap_err();
        assert_eq!(
            read_file_error("/nonexistent/helmet-oserror", &missing),
            "open /nonexistent/helmet-oserror: no such file or directory"
        );
        let folder = std::fs::read("/").unwrap_err();
        assert_eq!(read_file_error("/", &folder), "read /: is a directory");
    }

    #[test]
    fn other_errors_keep_their_text() {
        let other = std::io::Error::other("custom");
        assert_eq!(errno_text(&other), "custom");
    }
}
