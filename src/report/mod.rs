//! Findings and their renderers (text / json / github / junit), shared by `lint` and `test`.

pub mod render;
pub mod sarif;

use crate::skill::Span;
use serde::Serialize;
use std::path::PathBuf;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" | "deny" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable rule id, e.g. `SF-name-matches-dir`.
    pub rule: String,
    pub severity: Severity,
    /// The file the finding is in (SKILL.md, a template, a reference…).
    pub file: PathBuf,
    /// Where in `file`; `None` for whole-file / whole-skill findings.
    pub span: Option<Span>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(
        rule: impl Into<String>,
        severity: Severity,
        file: impl Into<PathBuf>,
        span: Option<Span>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule: rule.into(),
            severity,
            file: file.into(),
            span,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn line(&self) -> Option<usize> {
        self.span.map(|s| s.line)
    }
}

/// Counts by severity, for summary lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(diags: &[Diagnostic]) -> Self {
        let mut c = Counts::default();
        for d in diags {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }
}

/// Output format shared by commands that print findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// Human-readable, rustc-style (colour on a terminal unless NO_COLOR is set)
    #[default]
    Text,
    /// Machine-readable JSON (documented, stable shape)
    Json,
    /// GitHub Actions workflow annotations (::error file=…,line=…::…)
    Github,
    /// JUnit XML (for `test`: one testcase per assertion)
    Junit,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers)
    Sarif,
}

/// Whether to use colour on stdout: `--color`, then `NO_COLOR` / `CLICOLOR_FORCE`,
/// then whether stdout is a terminal (see [`crate::term::decide_color`]).
pub fn use_color() -> bool {
    crate::term::stdout_color()
}
