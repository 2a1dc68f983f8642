use clap::Parser;
use std::process::ExitCode;

// skillforge parses many small documents (SKILL.md, YAML, Dockerfiles) on several threads:
// mimalloc's thread-local free lists make those short-lived allocations much cheaper
// than glibc malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = skillforge::cli::Cli::parse();
    match skillforge::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{}", e.render());
            ExitCode::from(e.exit_code())
        }
    }
}
