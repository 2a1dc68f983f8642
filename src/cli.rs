//! Command-line definitions (clap). Each command's arguments live with the command's
//! module; this file only assembles them.

use clap::{Parser, Subcommand};

/// skillforge: author, test and ship AI-assistant skills (Agent Skills format).
///
/// The learner's loop: `skillforge new docker-deployment` scaffolds a skill from a
/// blueprint (offline, from an embedded digest of the official Docker docs);
/// `skillforge test --lesson 5` scores it against a lesson's test prompts and says
/// what is missing and which official page covers it; `skillforge lint` checks any
/// skill against the Agent Skills spec and its Dockerfiles and Compose files;
/// `skillforge fetch` refreshes references from the live docs. To grow a skill lesson
/// by lesson: `skillforge new docker-deployment --starter`, then `skillforge next`, edit,
/// `skillforge test --lesson N` (it shows the change since the last run), repeat.
///
/// Exit codes: 0 ok (warnings allowed); 1 errors found or score below threshold;
/// 2 usage or input error.
#[derive(Debug, Parser)]
#[command(
    name = "skillforge",
    version,
    about,
    long_about,
    propagate_version = true
)]
pub struct Cli {
    /// When to colour output: auto (a terminal, unless NO_COLOR is set; CLICOLOR_FORCE
    /// forces it), always, never
    #[arg(long, global = true, value_enum, default_value_t = crate::term::ColorChoice::Auto, value_name = "WHEN")]
    pub color: crate::term::ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold a skill from a blueprint (e.g. docker-deployment)
    New(crate::blueprint::NewArgs),
    /// Score a skill against lesson test prompts (static judge)
    Test(crate::eval::TestArgs),
    /// List a curriculum's lessons and their test prompts
    Lessons(crate::eval::LessonsArgs),
    /// Check skills against the Agent Skills spec, plus their Dockerfiles and Compose files
    Lint(crate::lint::cmd::LintArgs),
    /// Fetch the official docs a blueprint is built from into the local cache
    Fetch(crate::fetch::FetchArgs),
    /// Which lesson to work on next: its prompts and the top misses with their official pages
    Next(crate::learn::NextArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(crate::learn::shell::CompletionsArgs),
    /// Print the manual page (roff) generated from this CLI definition
    Man(crate::learn::shell::ManArgs),
    /// Pack a skill into a .skill archive (one folder, evals/ and junk left out)
    Package(crate::ship::package::PackageArgs),
    /// Install a skill or .skill archive where an agent looks (--agent codex, claude-code, …)
    Install(crate::ship::install::InstallArgs),
    /// Write a GitHub Actions workflow and a pre-commit hook that check this repository's skills
    InitCi(crate::ship::ci::InitCiArgs),
}

/// Parses arguments and runs the command; returns the process exit code.
pub fn run(cli: Cli) -> crate::Result<u8> {
    crate::term::set_color_choice(cli.color);
    match cli.command {
        Command::New(a) => crate::blueprint::run_new(a),
        Command::Test(a) => crate::eval::run_test(a),
        Command::Lessons(a) => crate::eval::run_lessons(a),
        Command::Lint(a) => crate::lint::cmd::run(a),
        Command::Fetch(a) => crate::fetch::run(a),
        Command::Next(a) => crate::learn::run_next(a),
        Command::Completions(a) => crate::learn::shell::completions(a),
        Command::Man(a) => crate::learn::shell::man(a),
        Command::Package(a) => crate::ship::package::run(a),
        Command::Install(a) => crate::ship::install::run(a),
        Command::InitCi(a) => crate::ship::ci::run(a),
    }
}
