//! Lesson suites, assertions and judges (`skillforge test`, `skillforge lessons`).

/// Arguments of `skillforge test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// The skill to test
    pub path: Option<std::path::PathBuf>,
}

/// Arguments of `skillforge lessons`.
#[derive(Debug, clap::Args)]
pub struct LessonsArgs {}

pub fn run_test(_args: TestArgs) -> crate::Result<u8> {
    Err(crate::Error::Other("`test` is being built (issue 5)".into()))
}

pub fn run_lessons(_args: LessonsArgs) -> crate::Result<u8> {
    Err(crate::Error::Other("`lessons` is being built (issue 5)".into()))
}
