//! The model judge (`skillforge test --model PROVIDER[:MODEL]`): every selected lesson
//! prompt is answered by an assistant with the skill and without it, each answer is
//! graded by the same assertions as the static judge (text, commands, Dockerfile and
//! Compose facts, structure), and the uplift is reported.
//!
//! - [`provider`]: `--model` / `--judge` specs, keys, base URLs.
//! - [`bundle`]: the skill as offered to an assistant (files, hash).
//! - [`api`]: Anthropic Messages and OpenAI-compatible chat completions, with the
//!   `load_skill` / `read_file` tools (progressive disclosure) and a bounded tool loop.
//! - [`agent`]: Claude Code headless and `command:` programs, in temporary projects.
//! - [`http`]: retries, backoff, `Retry-After`, `--max-calls`.
//! - [`cache`]: responses keyed by everything that changes them.
//! - [`judge`]: the LLM judge for assertions without a machine check.
//! - [`score`]: per run, prompt and lesson statistics (mean, stddev, uplift).
//! - [`render`]: text, JSON, JUnit; [`files`]: `--out DIR` (benchmark.json,
//!   grading.json, answers, report.html).
//! - [`triggers`]: does the description make the assistant pick the skill?

pub mod agent;
pub mod api;
pub mod bundle;
pub mod cache;
pub mod files;
pub mod html;
pub mod http;
pub mod judge;
pub mod provider;
pub mod render;
pub mod runner;
pub mod score;
pub mod triggers;

use crate::error::{Error, Result};
use bundle::SkillBundle;
use provider::{ApiKey, Kind, ProviderSpec};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One-line text from answers, files or servers, with control characters (ANSI
/// escapes, newlines, bidi overrides) escaped so it cannot drive a terminal or forge CI
/// annotations.
pub fn escape_ctl(s: &str) -> String {
    crate::term::escape_line(s).into_owned()
}

/// One tool call an assistant made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    pub name: String,
    /// The skill, file or command it targeted (escaped, shortened).
    pub target: String,
}

/// What one run produced: the answer, files written, usage. Cached as JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Transcript {
    /// The assistant's text (all turns joined).
    pub answer: String,
    /// Files the agent wrote in its project (claude-code, command), (path, text).
    #[serde(default)]
    pub files: Vec<(String, String)>,
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub tool_calls: Vec<ToolCall>,
    /// The skill was loaded (load_skill, the Skill tool, or a read of its SKILL.md).
    #[serde(default)]
    pub skill_used: bool,
    /// Skills the agent said it had (Claude Code's init event).
    #[serde(default)]
    pub skills_listed: Vec<String>,
    #[serde(default)]
    pub turns: u32,
    /// Wall time of the run that produced it (seconds).
    #[serde(default)]
    pub seconds: f64,
    /// Why the run failed (not cached).
    #[serde(default)]
    pub error: Option<String>,
    /// The run was not made because `--max-calls` was reached.
    #[serde(skip)]
    pub budget_stop: bool,
    /// Served from the cache in this run.
    #[serde(skip)]
    pub from_cache: bool,
}

impl Transcript {
    pub fn tokens(&self) -> u64 {
        self.input_tokens + self.output_tokens
    }

    /// A run that produced nothing gradable.
    pub fn failed(&self) -> bool {
        self.error.is_some() && self.answer.trim().is_empty() && self.files.is_empty()
    }
}

/// With or without the skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Config {
    WithSkill,
    WithoutSkill,
}

impl Config {
    pub fn id(self) -> &'static str {
        match self {
            Config::WithSkill => "with_skill",
            Config::WithoutSkill => "without_skill",
        }
    }
}

/// Why a call is made (part of the cache key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Answer,
    Trigger,
    Judge,
}

impl Purpose {
    fn id(self) -> &'static str {
        match self {
            Purpose::Answer => "answer",
            Purpose::Trigger => "trigger",
            Purpose::Judge => "judge",
        }
    }
}

/// Settings of a model run (from the command line).
#[derive(Debug, Clone)]
pub struct Options {
    pub spec: ProviderSpec,
    pub base_url: Option<String>,
    pub runs: u32,
    pub jobs: usize,
    pub timeout: Duration,
    pub max_calls: Option<u32>,
    pub max_turns: u32,
    pub max_tokens: u32,
    pub temperature: Option<f64>,
    pub use_cache: bool,
    pub cache_dir: std::path::PathBuf,
}

/// One unit of work: a prompt, a configuration, a run number.
#[derive(Debug, Clone)]
pub struct Job {
    pub prompt_id: String,
    pub prompt: String,
    pub config: Config,
    pub run: u32,
    pub purpose: Purpose,
    /// For judge jobs: the system prompt (the rubric).
    pub system: Option<String>,
}

/// A provider ready to run jobs.
pub struct Engine {
    pub spec: ProviderSpec,
    opts: Options,
    base_url: String,
    key: Option<ApiKey>,
    http: Option<http::Http>,
    pub budget: Arc<http::CallBudget>,
    cache: cache::Cache,
    /// For process providers: program and arguments.
    program: Option<(String, Vec<String>)>,
}

impl Engine {
    /// Sets up a provider: checks keys and programs up front (exit 2 with how to fix).
    pub fn new(opts: Options, budget: Arc<http::CallBudget>) -> Result<Engine> {
        let spec = opts.spec.clone();
        let base_url = provider::base_url(spec.kind, opts.base_url.as_deref());
        if spec.kind.is_api() {
            match reqwest::Url::parse(&base_url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => {
                    return Err(Error::usage_hint(
                        format!(
                            "--base-url `{}` is not an http(s) URL",
                            escape_ctl(&base_url)
                        ),
                        "e.g. --base-url http://127.0.0.1:11434/v1 for Ollama",
                    ));
                }
            }
        }
        let key_required = match spec.kind {
            Kind::Anthropic => true,
            Kind::OpenAi => {
                opts.base_url.is_none() && std::env::var_os("OPENAI_BASE_URL").is_none()
            }
            _ => false,
        };
        let key = provider::read_key(spec.kind, key_required)?;
        let http = if spec.kind.is_api() {
            Some(http::Http::new(opts.timeout).map_err(Error::Other)?)
        } else {
            None
        };
        let program = match spec.kind {
            Kind::ClaudeCode => {
                let p = provider::find_on_path("claude").ok_or_else(|| {
                    Error::usage_hint(
                        "--model claude-code needs the Claude Code CLI (`claude`) on PATH",
                        "install it with `npm install -g @anthropic-ai/claude-code`, or use --model anthropic:<model> / openai:<model> / command:<program>",
                    )
                })?;
                Some((
                    p.to_string_lossy().into_owned(),
                    agent::claude_args(&spec.model),
                ))
            }
            Kind::Command => {
                let words = agent::split_command(&spec.model).map_err(|e| {
                    Error::usage_hint(
                        format!("--model command:…: {e}"),
                        "e.g. --model 'command:codex exec' or --model command:./answer.sh",
                    )
                })?;
                // Runs happen in temporary projects: resolve the program now.
                let found = provider::find_on_path(&words[0]).ok_or_else(|| {
                    Error::usage_hint(
                        format!(
                            "--model command:{}: `{}` is not an executable on PATH",
                            escape_ctl(&spec.model),
                            escape_ctl(&words[0])
                        ),
                        "give a program on PATH or a path to an executable file",
                    )
                })?;
                let prog = std::path::absolute(&found).unwrap_or(found);
                Some((prog.to_string_lossy().into_owned(), words[1..].to_vec()))
            }
            _ => None,
        };
        let cache = cache::Cache::new(&opts.cache_dir, opts.use_cache);
        Ok(Engine {
            spec,
            base_url,
            key,
            http,
            budget,
            cache,
            program,
            opts,
        })
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    fn params(&self) -> serde_json::Value {
        serde_json::json!({
            "max_turns": self.opts.max_turns,
            "max_tokens": self.opts.max_tokens,
            "temperature": self.opts.temperature,
        })
    }

    /// Runs one job, from the cache when possible.
    pub async fn run(&self, job: &Job, skill: &SkillBundle) -> Transcript {
        let with = job.config == Config::WithSkill;
        let params = self.params();
        let key = cache::Key {
            provider: self.spec.kind.id(),
            model: &self.spec.model,
            base_url: &self.base_url,
            params,
            prompt: &job.prompt,
            configuration: job.config.id(),
            run_number: job.run,
            skill_sha256: if with { &skill.hash } else { "" },
            purpose: match &job.system {
                Some(_) => "judge",
                None => job.purpose.id(),
            },
        };
        if let Some(mut t) = self.cache.get(&key) {
            t.from_cache = true;
            return t;
        }
        let started = Instant::now();
        let bundle = with.then_some(skill);
        let mut t = match self.spec.kind {
            Kind::Anthropic | Kind::OpenAi => {
                let Some(http) = &self.http else {
                    return Transcript {
                        error: Some("internal: no HTTP client".into()),
                        ..Default::default()
                    };
                };
                let call = api::ApiCall {
                    kind: self.spec.kind,
                    model: &self.spec.model,
                    base_url: &self.base_url,
                    key: self.key.as_ref(),
                    http,
                    budget: &self.budget,
                    max_turns: self.opts.max_turns,
                    max_tokens: self.opts.max_tokens,
                    temperature: self.opts.temperature,
                    first_turn_only: job.purpose == Purpose::Trigger,
                    system: job.system.clone(),
                };
                api::converse(&call, &job.prompt, bundle).await
            }
            Kind::ClaudeCode | Kind::Command => {
                if !self.budget.take() {
                    return Transcript {
                        error: Some(
                            http::CallError::Budget(self.budget.max().unwrap_or(0)).to_string(),
                        ),
                        budget_stop: true,
                        ..Default::default()
                    };
                }
                let Some((prog, args)) = &self.program else {
                    return Transcript {
                        error: Some("internal: no program".into()),
                        ..Default::default()
                    };
                };
                let call = agent::ProcCall {
                    program: prog,
                    args: args.clone(),
                    timeout: self.opts.timeout,
                    prompt_id: &job.prompt_id,
                };
                if self.spec.kind == Kind::ClaudeCode {
                    agent::claude_code(&call, &job.prompt, bundle, &skill.name).await
                } else {
                    agent::command(&call, &job.prompt, bundle).await
                }
            }
        };
        t.seconds = started.elapsed().as_secs_f64();
        if let Some(k) = &self.key {
            t.answer = k.redact(&t.answer);
            t.error = t.error.map(|e| k.redact(&e));
        }
        if let Err(e) = self.cache.put(&key, &t) {
            eprintln!("warning: cannot write the response cache: {}", e.render());
        }
        t
    }
}

/// Runs jobs with at most `--jobs` in flight; results in job order. A progress line
/// is drawn on stderr when it is a terminal.
pub fn execute(
    engine: &Arc<Engine>,
    skill: &Arc<SkillBundle>,
    jobs: Vec<Job>,
    what: &str,
) -> Result<Vec<Transcript>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the async runtime: {e}")))?;
    let n = jobs.len();
    let bar = indicatif::ProgressBar::new(n as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} {pos}/{len} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    let out = rt.block_on(async {
        let sem = Arc::new(tokio::sync::Semaphore::new(engine.opts.jobs.max(1)));
        let mut set = tokio::task::JoinSet::new();
        for (i, job) in jobs.into_iter().enumerate() {
            let engine = Arc::clone(engine);
            let skill = Arc::clone(skill);
            let sem = Arc::clone(&sem);
            set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                let t = engine.run(&job, &skill).await;
                (i, t)
            });
        }
        let mut results: Vec<Option<Transcript>> = vec![None; n];
        while let Some(r) = set.join_next().await {
            bar.inc(1);
            match r {
                Ok((i, t)) => results[i] = Some(t),
                Err(e) => {
                    // A panicking task is a bug; report it as a failed run.
                    eprintln!("warning: a run failed internally: {e}");
                }
            }
        }
        results
            .into_iter()
            .map(|t| {
                t.unwrap_or_else(|| Transcript {
                    error: Some("the run failed internally".into()),
                    ..Default::default()
                })
            })
            .collect::<Vec<_>>()
    });
    bar.finish_and_clear();
    Ok(out)
}
