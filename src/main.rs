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
    if matches!(cli.command, skillforge::cli::Command::Lint(_)) {
        no_transparent_huge_pages();
    }
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

/// `lint` allocates many small, short-lived objects on each thread. On Linux with
/// transparent huge pages set to `always`, every 2 MB region of mimalloc's arena that
/// is touched is backed by a whole huge page: a lint run's peak RSS doubled (36 MB
/// instead of 20 MB on the 2,000-skill bench corpus) for no speed gain. Later faults of
/// this process use normal pages. Only `lint` does this: the setting is inherited by
/// child processes, and `test --model` runs agents.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and touches no memory
    // of ours; failure (an old kernel) leaves the default, which is harmless.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
