//! Problems found in content files, located as `path:line:col` the way rustc
//! and cargo print them, so an editor can jump to the offending value.
//!
//! Knows about byte spans and source text only; not about what the content means.

use serde::Serialize;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem at one place. `line` and `column` are 1-based; the column
/// counts characters, not bytes, so it matches what an editor shows. A
/// problem with a whole file or folder (it is missing, unreadable) has line
/// and column 0 and prints as `path: message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        if self.line == 0 {
            return write!(f, "{}: {}{}", self.path, prefix, self.message);
        }
        write!(
            f,
            "{}:{}:{}: {}{}",
            self.path, self.line, self.column, prefix, self.message
        )
    }
}

/// A content file's text, kept so that byte spans can be turned into lines
/// and columns when a problem is reported.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub path: PathBuf,
    pub text: String,
    /// Lines of the file before `text` starts: non-zero for a chunk of a
    /// large file parsed on its own (see `load.rs`).
    pub first_line: usize,
}

impl SourceText {
    pub fn new(path: &Path, text: String) -> Self {
        Self {
            path: path.to_path_buf(),
            text,
            first_line: 0,
        }
    }

    /// 1-based line and character column of a byte offset (clamped to the text).
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = self.first_line + before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    pub fn diagnostic(
        &self,
        span: Range<usize>,
        severity: Severity,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = self.locate(span.start);
        Diagnostic {
            path: self.path.display().to_string(),
            line,
            column,
            severity,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = SourceText::new(Path::new("a.toml"), "x = 1\nné = \"é\" bad\n".to_string());
        let offset = src.text.find("bad").unwrap();
        assert_eq!(src.locate(offset), (2, 10));
        let d = src.diagnostic(offset..offset + 3, Severity::Error, "oops");
        assert_eq!(d.to_string(), "a.toml:2:10: oops");
    }
}
