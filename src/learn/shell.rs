//! `skillforge completions SHELL` and `skillforge man`: generated from the clap
//! definition, so they can never drift from the real flags.

use crate::error::{Error, Result};
use clap::CommandFactory;
use std::path::PathBuf;

/// Arguments of `skillforge completions`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Install, e.g.:
  bash:       skillforge completions bash > ~/.local/share/bash-completion/completions/skillforge
  zsh:        skillforge completions zsh > ~/.zfunc/_skillforge   (with fpath+=~/.zfunc)
  fish:       skillforge completions fish > ~/.config/fish/completions/skillforge.fish
  powershell: skillforge completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to generate for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `skillforge man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write skillforge.1 and one page per subcommand (skillforge-test.1 …) into DIR
    /// instead of printing skillforge.1 to stdout
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Prints the completion script.
pub fn completions(args: CompletionsArgs) -> Result<u8> {
    let mut cmd = crate::cli::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "skillforge", &mut buf);
    crate::term::print_stdout(&String::from_utf8_lossy(&buf));
    Ok(0)
}

fn render_page(cmd: clap::Command) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(|e| Error::Other(format!("cannot render the man page: {e}")))?;
    Ok(buf)
}

/// Prints (or writes) the man page(s).
pub fn man(args: ManArgs) -> Result<u8> {
    let cmd = crate::cli::Cli::command();
    let Some(dir) = args.dir else {
        crate::term::print_stdout(&String::from_utf8_lossy(&render_page(cmd)?));
        return Ok(0);
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut written = vec![];
    let path = dir.join("skillforge.1");
    crate::fsutil::write_atomic(&path, &render_page(cmd.clone())?)?;
    written.push(path);
    for sub in cmd.get_subcommands() {
        let name = format!("skillforge-{}", sub.get_name());
        // clap names are `&'static str` without its `string` feature: a handful of
        // short strings, once per `man --dir`.
        let leaked: &'static str = Box::leak(name.clone().into_boxed_str());
        let page = sub.clone().name(leaked);
        let path = dir.join(format!("{name}.1"));
        crate::fsutil::write_atomic(&path, &render_page(page)?)?;
        written.push(path);
    }
    eprintln!("wrote {} man pages to {}", written.len(), dir.display());
    Ok(0)
}
