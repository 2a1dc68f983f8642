use clap::Parser;
use std::process::ExitCode;

// skillforge parses many small documents (SKILL.md, YAML, Dockerfiles) on several threads:
// mimalloc's thread-local free lists make those short-lived allocations much cheaper
// than glibc malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = skillforge::cli::Cli::parse();
    match skillforge::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{}", e.render());
            ExitCode::from(e.exit_code())
        }
    }
}

/// Rust ignores SIGPIPE, so a write to a closed pipe (`skillforge test | head -1`)
/// becomes an error that `print!` turns into a panic. Restoring the default action
/// makes skillforge end quietly like every other Unix filter.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread exists; SIG_DFL is a
    // valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
