use clap::Parser;
use std::process::ExitCode;

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
