//! Blueprints: data-driven skill scaffolding (`skillforge new`).

/// Arguments of `skillforge new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Blueprint to scaffold from (see --list)
    pub blueprint: Option<String>,
}

pub fn run_new(_args: NewArgs) -> crate::Result<u8> {
    Err(crate::Error::Other("`new` is being built (issue 4)".into()))
}
