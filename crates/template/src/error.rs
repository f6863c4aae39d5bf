//! The engine's error: its text is exactly Go's (and so Helm's) message.

use std::fmt;

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template text does not parse (`template: NAME:LINE: MSG`).
    Parse,
    /// Execution failed (`template: NAME:LINE:COL: executing "NAME" at <NODE>: MSG`).
    Exec,
    /// No template of that name exists.
    NotFound,
}

/// An error from parsing or executing a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The full message, as Go prints it.
    pub message: String,
    /// The name of the template whose source holds the failing spot (Go's `ParseName`).
    pub template: String,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The 0-based byte column within the line, when known (exec errors).
    pub col: Option<usize>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
