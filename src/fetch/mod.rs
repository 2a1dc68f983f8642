//! Fetching the official docs: sources manifest, polite HTTP client, cache, normaliser,
//! distiller (`skillforge fetch`).

/// Arguments of `skillforge fetch`.
#[derive(Debug, clap::Args)]
pub struct FetchArgs {}

pub fn run(_args: FetchArgs) -> crate::Result<u8> {
    Err(crate::Error::Other(
        "`fetch` is being built (issue 6)".into(),
    ))
}

pub mod cache;
pub mod client;
pub mod distil;
pub mod lock;
pub mod normalize;
pub mod sources;
