//! Errors that end a command, and how they map to exit codes.
//!
//! Findings (lint errors, low scores) are not errors: commands report them and
//! return exit code 1 themselves. An [`Error`] is a usage or input problem (exit 2)
//! or an internal failure (exit 2 as well, with the cause spelled out).

use std::path::{Path, PathBuf};

/// A command-ending problem with a message a learner can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad arguments or options.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// A file or directory given by the user could not be used.
    #[error("{}: {message}", path.display())]
    Input {
        path: PathBuf,
        line: Option<usize>,
        message: String,
        hint: Option<String>,
    },
    /// An I/O failure while reading or writing.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Anything else (network, internal invariants); the message says what happened.
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn input(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.as_ref().to_path_buf(),
            line: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn input_at(
        path: impl AsRef<Path>,
        line: usize,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Self {
        Error::Input {
            path: path.as_ref().to_path_buf(),
            line: Some(line),
            message: message.into(),
            hint,
        }
    }

    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// Adds or replaces the hint of a usage or input error.
    pub fn with_hint(mut self, new_hint: impl Into<String>) -> Self {
        match &mut self {
            Error::Usage { hint, .. } | Error::Input { hint, .. } => *hint = Some(new_hint.into()),
            _ => {}
        }
        self
    }

    /// The exit code this error maps to (always 2: usage or input problem).
    pub fn exit_code(&self) -> u8 {
        2
    }

    /// A one-or-two line rendering for stderr: `error: …` plus `  hint: …`.
    pub fn render(&self) -> String {
        let mut out = match self {
            Error::Input {
                path,
                line: Some(line),
                message,
                ..
            } => format!("error: {}:{line}: {message}", path.display()),
            other => format!("error: {other}"),
        };
        let hint = match self {
            Error::Usage { hint, .. } | Error::Input { hint, .. } => hint.as_deref(),
            _ => None,
        };
        if let Some(h) = hint {
            out.push_str("\n  hint: ");
            out.push_str(h);
        }
        out
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
