//! Fetching the official docs: sources manifest, polite HTTP client, cache, normaliser,
//! distiller (`skillforge fetch`).
//!
//! ```text
//! skillforge fetch                       # fetch/revalidate the blueprint's pages into the cache
//! skillforge fetch --offline             # cache only: which pages are missing?
//! skillforge fetch --refresh             # revalidate everything (conditional GET)
//! skillforge fetch --check --lock L      # which pages changed upstream since the lock?
//! skillforge fetch --update SKILL_DIR    # rebuild a skill's references (diff shown)
//! ```
//!
//! `[fetch]` in skillforge.toml: `concurrency`, `timeout` and `connect-timeout`
//! (seconds), `retries`, `backoff-ms`, `backoff-cap-ms`, `pacing-ms`, `max-bytes`,
//! `max-retry-after` (seconds), `max-age-hours`, `allow-hosts`, `robots-exempt`,
//! `base-url`, `discovery`.

pub mod body;
pub mod cache;
pub mod client;
pub mod distil;
pub mod lock;
pub mod normalize;
pub mod sources;
pub mod versions;

pub use distil::{SourceKind, distilled_references};

use crate::error::{Error, Result};
use crate::lint::config::Config;
use client::{Client, FetchError, Options, Outcome, Validators};
use lock::{LOCK_FILE, Lock};
use sources::{Manifest, Source};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Arguments of `skillforge fetch`.
#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// Blueprint whose sources to fetch: a name, or a path to a sources.yaml
    #[arg(long, default_value = "docker-deployment", value_name = "NAME|PATH")]
    pub blueprint: String,
    /// Use the cache only (no network); list the pages that are missing
    #[arg(long, conflicts_with_all = ["refresh", "check"])]
    pub offline: bool,
    /// Revalidate every cached page with a conditional GET, however fresh (by default,
    /// entries confirmed within `[fetch] max-age-hours`, 24, are used without a request)
    #[arg(long)]
    pub refresh: bool,
    /// Report which pages changed upstream since the lock file (exit 1 if any)
    #[arg(long, conflicts_with = "update")]
    pub check: bool,
    /// Rebuild the reference files of the skill at PATH from the docs; shows a diff,
    /// never touches SKILL.md or reference files you edited. Without PATH: the one skill
    /// found from here, as `test` finds it
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = ".")]
    pub update: Option<PathBuf>,
    /// With --update: also replace reference files that were edited or have no
    /// record in docs.lock (the diff is still shown)
    #[arg(long, requires = "update")]
    pub force: bool,
    /// Fetch from a mirror of the docs site instead of https://docs.docker.com
    /// (other hosts are looked up as <base-url>/<host>/<path>)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Page format: the site's Markdown routes, or the raw sources on GitHub
    #[arg(long, value_enum, default_value = "rendered")]
    pub source: SourceKind,
    /// Cache directory (default: $SKILLFORGE_CACHE_DIR or the platform cache dir)
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Requests in flight per host (1-8; default 4)
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Total time allowed per request, in seconds (default 30)
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Lock file to write (or read with --check); default: next to the skill with
    /// --update, else <cache-dir>/locks/<blueprint>.docs.lock
    #[arg(long, value_name = "PATH")]
    pub lock: Option<PathBuf>,
    /// Do not look moved pages up in llms-full.txt after a 404
    #[arg(long)]
    pub no_discovery: bool,
}

/// Effective settings: flags over `[fetch]` over defaults.
#[derive(Debug, Clone)]
struct Settings {
    opts: Options,
    base_url: Option<String>,
    max_age: Duration,
    discovery: bool,
}

fn config_error(cfg: &Config, key: &str, msg: String, hint: &str) -> Error {
    let path = cfg
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from("skillforge.toml"));
    let line = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| {
            t.lines()
                .position(|l| l.trim_start().starts_with(key))
                .map(|i| i + 1)
        })
        .unwrap_or(1);
    Error::input_at(path, line, msg, Some(hint.to_string()))
}

fn seconds(v: f64, what: &str) -> Result<Duration> {
    if !(v.is_finite() && v > 0.0 && v <= 3600.0) {
        return Err(Error::usage_hint(
            format!("{what} must be a number of seconds between 0 and 3600, got {v}"),
            "e.g. --timeout 30 or --timeout 0.5",
        ));
    }
    Ok(Duration::from_secs_f64(v))
}

impl Settings {
    fn new(args: &FetchArgs, cfg: &Config) -> Result<Settings> {
        let mut s = Settings {
            opts: Options::default(),
            base_url: None,
            max_age: Duration::from_secs(24 * 3600),
            discovery: true,
        };
        let mut timeout_from_config = false;
        if let Some(table) = cfg.table.get("fetch") {
            let table = table.as_table().ok_or_else(|| {
                config_error(
                    cfg,
                    "fetch",
                    "`fetch` must be a table".into(),
                    "write it as [fetch]",
                )
            })?;
            for (k, v) in table {
                let num = || {
                    v.as_float()
                        .or_else(|| v.as_integer().map(|i| i as f64))
                        .filter(|n| *n >= 0.0)
                        .ok_or_else(|| {
                            config_error(
                                cfg,
                                k,
                                format!("[fetch] {k} must be a non-negative number, got {v}"),
                                "e.g. concurrency = 4",
                            )
                        })
                };
                match k.as_str() {
                    "concurrency" => s.opts.concurrency = num()? as usize,
                    "timeout" => {
                        s.opts.timeout = seconds(num()?, "[fetch] timeout")?;
                        timeout_from_config = true;
                    }
                    "connect-timeout" => {
                        s.opts.connect_timeout = seconds(num()?, "[fetch] connect-timeout")?
                    }
                    "retries" => s.opts.retries = (num()? as u32).min(10),
                    "backoff-ms" => s.opts.backoff_base = Duration::from_millis(num()? as u64),
                    "backoff-cap-ms" => s.opts.backoff_cap = Duration::from_millis(num()? as u64),
                    "pacing-ms" => s.opts.pacing = Duration::from_millis(num()? as u64),
                    "max-bytes" => s.opts.max_bytes = num()? as u64,
                    "max-retry-after" => s.opts.max_retry_after = Duration::from_secs_f64(num()?),
                    "max-age-hours" => s.max_age = Duration::from_secs_f64(num()? * 3600.0),
                    "discovery" => {
                        s.discovery = v.as_bool().ok_or_else(|| {
                            config_error(
                                cfg,
                                k,
                                "[fetch] discovery must be true or false".into(),
                                "discovery = true",
                            )
                        })?
                    }
                    "base-url" => {
                        s.base_url = Some(
                            v.as_str()
                                .ok_or_else(|| {
                                    config_error(
                                        cfg,
                                        k,
                                        "[fetch] base-url must be a string".into(),
                                        "base-url = \"https://mirror.example/docs\"",
                                    )
                                })?
                                .to_string(),
                        )
                    }
                    "allow-hosts" | "robots-exempt" => {
                        let bad = || {
                            config_error(
                                cfg,
                                k,
                                format!("[fetch] {k} must be a list of host names"),
                                &format!("{k} = [\"docs.example.com\"]"),
                            )
                        };
                        let list = v.as_array().ok_or_else(bad)?;
                        for h in list {
                            let h = h.as_str().ok_or_else(bad)?.to_string();
                            if k == "allow-hosts" {
                                s.opts.allow_hosts.push(h);
                            } else {
                                s.opts.robots_exempt.push(h);
                            }
                        }
                    }
                    other => {
                        return Err(config_error(
                            cfg,
                            other,
                            format!("unknown key `{other}` in [fetch]"),
                            "known keys: concurrency, timeout, connect-timeout, retries, backoff-ms, backoff-cap-ms, pacing-ms, max-bytes, max-retry-after, max-age-hours, allow-hosts, robots-exempt, base-url, discovery",
                        ));
                    }
                }
            }
        }
        if let Some(n) = args.concurrency {
            s.opts.concurrency = n;
        }
        if !(1..=8).contains(&s.opts.concurrency) {
            return Err(Error::usage_hint(
                format!(
                    "concurrency must be between 1 and 8, got {}",
                    s.opts.concurrency
                ),
                "the docs site is shared: 2-4 requests in flight is polite",
            ));
        }
        if let Some(t) = args.timeout {
            s.opts.timeout = seconds(t, "--timeout")?;
        }
        if args.timeout.is_some() || timeout_from_config {
            s.opts.connect_timeout = s.opts.connect_timeout.min(s.opts.timeout);
        }
        if let Some(b) = &args.base_url {
            s.base_url = Some(b.clone());
        }
        if let Some(b) = &s.base_url {
            let ok = reqwest::Url::parse(b)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .unwrap_or(false);
            if !ok {
                return Err(Error::usage_hint(
                    format!("--base-url `{b}` is not an http(s) URL"),
                    "e.g. --base-url http://127.0.0.1:8080",
                ));
            }
            s.base_url = Some(b.trim_end_matches('/').to_string());
        }
        if args.no_discovery {
            s.discovery = false;
        }
        Ok(s)
    }

    /// Where to download a canonical URL from (a mirror when `--base-url` is set).
    fn download_url(&self, manifest: &Manifest, canonical: &str) -> String {
        let Some(base) = &self.base_url else {
            return canonical.to_string();
        };
        let site = manifest.site.trim_end_matches('/');
        if let Some(rest) = canonical.strip_prefix(site) {
            return format!("{base}{rest}");
        }
        match reqwest::Url::parse(canonical) {
            Ok(u) => format!("{base}/{}{}", u.host_str().unwrap_or(""), u.path()),
            Err(_) => canonical.to_string(),
        }
    }
}

/// One URL to bring into the cache.
#[derive(Debug, Clone)]
struct Job {
    label: String,
    title: String,
    /// Canonical URL, the cache key.
    key: String,
    /// Where to download from.
    url: String,
    /// A second URL to try after a 404 (raw section pages: `<x>/_index.md`).
    alt_url: Option<String>,
    is_page: bool,
    /// What the body must be to be cached.
    expect: body::Expect,
}

/// What happened to one job.
#[derive(Debug, Clone)]
enum Status {
    Fetched(u64),
    Revalidated,
    FromCache,
    Moved { to: String, bytes: u64 },
    Missing,
    Failed(FetchError),
}

impl Status {
    fn word(&self) -> &'static str {
        match self {
            Status::Fetched(_) => "fetched",
            Status::Revalidated => "304",
            Status::FromCache => "cached",
            Status::Moved { .. } => "moved",
            Status::Missing => "missing",
            Status::Failed(_) => "FAILED",
        }
    }
}

/// The bundled versions data of the manifest's blueprint: `versions.yaml` beside a
/// manifest read from disk, else the built-in blueprint's.
fn bundled_versions(manifest: &Manifest) -> Option<String> {
    if !manifest.origin.starts_with("<embedded>")
        && let Some(dir) = manifest.origin.parent()
    {
        let p = dir.join(versions::FILE);
        if p.is_file() {
            return std::fs::read_to_string(p).ok();
        }
        return None;
    }
    crate::blueprint::source::embedded(&manifest.blueprint)
        .and_then(|f| f.get(versions::FILE).map(str::to_string))
}

/// Refreshes the blueprint's versions data from the cached release data into the
/// cache and reports it.
fn refresh_versions(manifest: &Manifest, cache_dir: &Path) -> Result<()> {
    let Some(bundled) = bundled_versions(manifest) else {
        return Ok(());
    };
    match versions::refresh_into_cache(cache_dir, &manifest.blueprint, &bundled)? {
        Some((path, report)) => {
            println!(
                "versions: {} entr{} refreshed from release data, {} changed → {} (the bundled versions.yaml is left as is)",
                report.refreshed,
                if report.refreshed == 1 { "y" } else { "ies" },
                report.changed.len(),
                path.display()
            );
            for (id, what) in &report.changed {
                println!("  {id}: {what}");
            }
            for (id, why) in &report.skipped {
                println!("  not refreshed: {id}: {why}");
            }
        }
        None => {
            println!("versions: no release data in the cache; the bundled versions.yaml applies")
        }
    }
    Ok(())
}

fn jobs_for(manifest: &Manifest, settings: &Settings, kind: SourceKind) -> Vec<Job> {
    let mut jobs = source_jobs(manifest, settings, kind);
    // Release and end-of-life data for versions.yaml.
    if let Some(text) = bundled_versions(manifest) {
        for url in versions::urls(&text) {
            jobs.push(Job {
                label: format!("versions {url}"),
                title: url.clone(),
                url: settings.download_url(manifest, &url),
                key: url,
                alt_url: None,
                is_page: false,
                expect: body::Expect::Json,
            });
        }
    }
    // The site parameters table (`{{% param %}}` values).
    if let Some(url) = manifest.params.as_ref().and_then(|p| p.url.clone()) {
        jobs.push(Job {
            label: "site parameters".into(),
            title: "site parameters".into(),
            url: settings.download_url(manifest, &url),
            key: url,
            alt_url: None,
            is_page: false,
            expect: body::Expect::Text,
        });
    }
    jobs
}

fn source_jobs(manifest: &Manifest, settings: &Settings, kind: SourceKind) -> Vec<Job> {
    manifest
        .sources
        .iter()
        .map(|s| {
            let key = distil::source_url(manifest, s, kind);
            let alt_url = match s {
                Source::Page(p) if kind == SourceKind::Raw && p.raw.is_none() => manifest
                    .raw
                    .as_ref()
                    .map(|r| {
                        let f = sources::raw_file_for(&p.path);
                        format!("{r}/{}/_index.md", f.trim_end_matches(".md"))
                    })
                    .map(|u| settings.download_url(manifest, &u)),
                _ => None,
            };
            Job {
                label: s.label().to_string(),
                title: s.title().to_string(),
                url: settings.download_url(manifest, &key),
                key,
                alt_url,
                // Pages of another site are not looked up in this site's index.
                is_page: matches!(s, Source::Page(p) if p.site.is_none()),
                expect: match s {
                    Source::Page(_) => body::Expect::Markdown,
                    Source::Document(d) if d.kind.contains("json") => body::Expect::Json,
                    Source::Document(_) => body::Expect::Text,
                },
            }
        })
        .collect()
}

/// Finds moved pages in the site's `llms-full.txt` index.
struct Discovery {
    links_url: String,
    index_url: String,
    base: String,
    entries: tokio::sync::OnceCell<Vec<IndexEntry>>,
}

#[derive(Debug, Clone)]
struct IndexEntry {
    title: String,
    url_path: String,
    markdown_path: String,
}

/// `llms.txt`: a Markdown link list, `- [Title](https://site/path.md): description`.
fn parse_llms_links(text: &str) -> Vec<IndexEntry> {
    static LINK: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^\s*[-*]\s*\[([^\]]+)\]\(([^)\s]+)\)").ok()
    });
    let Some(re) = LINK.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(c) = re.captures(line) else { continue };
        let path = reqwest::Url::parse(&c[2])
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| c[2].to_string());
        let url_path = match path.strip_suffix("/index.md") {
            Some(p) => format!("{p}/"),
            None => match path.strip_suffix(".md") {
                Some("") => "/".to_string(),
                Some(p) => format!("{p}/"),
                None => path.clone(),
            },
        };
        out.push(IndexEntry {
            title: c[1].trim().to_string(),
            url_path,
            markdown_path: path,
        });
    }
    out
}

fn parse_llms_index(text: &str) -> Vec<IndexEntry> {
    let mut out = Vec::new();
    let mut cur: Option<IndexEntry> = None;
    let path_of = |u: &str| {
        reqwest::Url::parse(u.trim())
            .map(|x| x.path().to_string())
            .unwrap_or_else(|_| u.trim().to_string())
    };
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("## ") {
            if let Some(e) = cur.take()
                && !e.markdown_path.is_empty()
            {
                out.push(e);
            }
            cur = Some(IndexEntry {
                title: t.trim().to_string(),
                url_path: String::new(),
                markdown_path: String::new(),
            });
        } else if let Some(e) = cur.as_mut() {
            if let Some(u) = line.strip_prefix("URL:") {
                e.url_path = path_of(u);
            } else if let Some(u) = line.strip_prefix("Markdown:") {
                e.markdown_path = path_of(u);
            }
        }
    }
    if let Some(e) = cur
        && !e.markdown_path.is_empty()
    {
        out.push(e);
    }
    out
}

impl Discovery {
    async fn find(&self, client: &Client, title: &str, old_path: &str) -> Option<String> {
        let entries = self
            .entries
            .get_or_init(|| async {
                // The curated `llms.txt` (a link list) first, then the full index.
                let mut all = Vec::new();
                for url in [&self.links_url, &self.index_url] {
                    if let Ok(Outcome::Body { body, .. }) =
                        client.get(url, &Validators::default()).await
                    {
                        let text = String::from_utf8_lossy(&body);
                        all.extend(parse_llms_links(&text));
                        all.extend(parse_llms_index(&text));
                    }
                }
                all
            })
            .await;
        let norm = |s: &str| {
            s.to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let want = norm(title);
        let mut by_title: Vec<&IndexEntry> =
            entries.iter().filter(|e| norm(&e.title) == want).collect();
        by_title.dedup_by(|a, b| a.markdown_path == b.markdown_path);
        let chosen = if by_title.len() == 1 {
            Some(by_title[0])
        } else {
            let last = old_path
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            let mut by_slug: Vec<&IndexEntry> = entries
                .iter()
                .filter(|e| {
                    !last.is_empty()
                        && e.url_path.trim_end_matches('/').rsplit('/').next() == Some(last)
                })
                .collect();
            by_slug.sort_by(|a, b| a.markdown_path.cmp(&b.markdown_path));
            by_slug.dedup_by(|a, b| a.markdown_path == b.markdown_path);
            (by_slug.len() == 1).then(|| by_slug[0])
        }?;
        if chosen.url_path == old_path {
            return None;
        }
        Some(format!("{}{}", self.base, chosen.markdown_path))
    }
}

struct Shared {
    client: Client,
    cache_dir: PathBuf,
    refresh: bool,
    max_age: Duration,
    discovery: Option<Discovery>,
}

async fn run_job(shared: Arc<Shared>, job: Job) -> Status {
    let lookup = cache::load_entry(&shared.cache_dir, &job.key);
    let validators = match &lookup {
        cache::Lookup::Hit(e) => {
            let fresh = cache::age_seconds(&e.meta.validated_at)
                .is_some_and(|a| a >= 0 && (a as u64) < shared.max_age.as_secs());
            if fresh && !shared.refresh {
                return Status::FromCache;
            }
            Validators {
                etag: e.meta.etag.clone(),
                last_modified: e.meta.last_modified.clone(),
            }
        }
        // An interrupted write or a missing entry: fetch unconditionally.
        _ => Validators::default(),
    };
    let mut result = shared.client.get(&job.url, &validators).await;
    if let (Err(FetchError::NotFound { .. }), Some(alt)) = (&result, &job.alt_url) {
        result = shared.client.get(alt, &validators).await;
    }
    // A page found elsewhere on an earlier run: revalidate it where it now lives.
    if let (Err(FetchError::NotFound { .. }), cache::Lookup::Hit(e)) = (&result, &lookup)
        && let Some(from) = e.meta.fetched_from.as_deref()
        && from != job.url
        && Some(from) != job.alt_url.as_deref()
    {
        result = shared.client.get(from, &validators).await;
    }
    let mut moved_to = None;
    if let (Err(FetchError::NotFound { .. }), true, Some(d)) =
        (&result, job.is_page, &shared.discovery)
        && let Some(new_url) = d.find(&shared.client, &job.title, &job.label).await
    {
        result = shared.client.get(&new_url, &Validators::default()).await;
        moved_to = Some(new_url);
    }
    match result {
        Ok(Outcome::Body {
            body,
            etag,
            last_modified,
            final_url,
            content_type,
        }) => {
            // A body that is not what the source should be never enters the cache.
            if let Err(e) = body::check(&final_url, job.expect, content_type.as_deref(), &body) {
                return Status::Failed(e);
            }
            // Cache writes fsync: keep them off the async workers.
            let (dir, key) = (shared.cache_dir.clone(), job.key.clone());
            let bytes = body.len() as u64;
            let stored = tokio::task::spawn_blocking(move || {
                cache::store(&dir, &key, Some(&final_url), &body, etag, last_modified)
            })
            .await;
            cache_write_status(&job.url, stored, || match moved_to {
                Some(to) => Status::Moved { to, bytes },
                None => Status::Fetched(bytes),
            })
        }
        Ok(Outcome::NotModified {
            etag,
            last_modified,
        }) => match lookup {
            cache::Lookup::Hit(e) => {
                let dir = shared.cache_dir.clone();
                let touched = tokio::task::spawn_blocking(move || {
                    cache::touch(&dir, e.meta, etag, last_modified)
                })
                .await;
                cache_write_status(&job.url, touched, || Status::Revalidated)
            }
            _ => Status::Failed(FetchError::Invalid {
                url: job.url.clone(),
                detail: "server answered 304 Not Modified to an unconditional request".into(),
            }),
        },
        Err(e) => Status::Failed(e),
    }
}

/// Progress: a bar on a terminal, one plain line per page otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(len: usize, quiet_plain: bool) -> Progress {
        let bar = (std::io::stderr().is_terminal() && !quiet_plain).then(|| {
            let b = indicatif::ProgressBar::new(len as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} [{bar:30}] {pos}/{len} {wide_msg}",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Progress { bar }
    }

    fn done(&self, job: &Job, status: &Status) {
        let detail = match status {
            Status::Fetched(n) => format!(" ({})", crate::fsutil::human_size(*n)),
            Status::Moved { to, bytes } => {
                format!(" → {to} ({})", crate::fsutil::human_size(*bytes))
            }
            Status::Failed(e) => format!(": {e}"),
            _ => String::new(),
        };
        // "Host unreachable" is said once, at the end, not once per page.
        let quiet = matches!(status, Status::Failed(FetchError::Unreachable { .. }));
        let line = format!("{:>8} {}{detail}", status.word(), job.label);
        match &self.bar {
            Some(b) => {
                if !quiet && matches!(status, Status::Failed(_) | Status::Moved { .. }) {
                    b.println(line);
                }
                b.set_message(job.label.clone());
                b.inc(1);
            }
            None if quiet => {}
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Other(format!("cannot start the async runtime: {e}")))
}

pub fn run(mut args: FetchArgs) -> Result<u8> {
    // `--update` without a path (or `.`): the skill discovery every command shares
    // (the skill we are in, else the one in the agents' folders up to the git root).
    if args.update.as_ref().is_some_and(|p| p == Path::new(".")) {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        args.update = Some(crate::lint::discover::find_skill(&cwd, None)?);
    }
    let start_dir = args.update.clone().unwrap_or_else(|| PathBuf::from("."));
    let cfg = Config::discover(&start_dir)?;
    let settings = Settings::new(&args, &cfg)?;
    let manifest = Manifest::resolve(&args.blueprint)?;
    let cache_dir = args
        .cache_dir
        .clone()
        .unwrap_or_else(cache::default_cache_dir);
    if let Some(skill) = &args.update
        && !skill.join("SKILL.md").is_file()
    {
        return Err(Error::usage_hint(
            format!("{} is not a skill directory (no SKILL.md)", skill.display()),
            "pass the directory created by `skillforge new`, e.g. .claude/skills/docker-deployment",
        ));
    }
    let lock_path = args
        .lock
        .clone()
        .or_else(|| args.update.as_ref().map(|u| u.join(LOCK_FILE)))
        .unwrap_or_else(|| {
            cache_dir
                .join("locks")
                .join(format!("{}.{LOCK_FILE}", manifest.blueprint))
        });
    sweep_cache(&cache_dir);
    if let Some(note) = mirror_note(&settings, &manifest, &cfg, &args) {
        eprintln!("{note}");
    }
    if args.check {
        return check(&args, &settings, &manifest, &cache_dir, &lock_path);
    }
    let jobs = jobs_for(&manifest, &settings, args.source);
    let started = Instant::now();
    let results: Vec<(Job, Status)> = if args.offline {
        jobs.into_iter()
            .map(|j| {
                let st = match cache::load_entry(&cache_dir, &j.key) {
                    cache::Lookup::Hit(_) => Status::FromCache,
                    _ => Status::Missing,
                };
                (j, st)
            })
            .collect()
    } else {
        // `--update` revalidates every source with the server (conditional GET)
        // before diffing, however fresh the cache is.
        let refresh = args.refresh || args.update.is_some();
        fetch_all(&settings, &manifest, &cache_dir, refresh, jobs, true)?
    };
    let elapsed = started.elapsed();
    refresh_versions(&manifest, &cache_dir)?;
    let count = |f: fn(&Status) -> bool| results.iter().filter(|(_, s)| f(s)).count();
    let fetched = count(|s| matches!(s, Status::Fetched(_)));
    let revalidated = count(|s| matches!(s, Status::Revalidated));
    let from_cache = count(|s| matches!(s, Status::FromCache));
    let moved = count(|s| matches!(s, Status::Moved { .. }));
    let missing: Vec<&Job> = results
        .iter()
        .filter(|(_, s)| matches!(s, Status::Missing))
        .map(|(j, _)| j)
        .collect();
    let failed: Vec<(&Job, &FetchError)> = results
        .iter()
        .filter_map(|(j, s)| match s {
            Status::Failed(e) => Some((j, e)),
            _ => None,
        })
        .collect();
    if !failed.is_empty()
        && failed
            .iter()
            .all(|(_, e)| matches!(e, FetchError::Unreachable { .. }))
    {
        let detail = failed[0].1.to_string();
        return Err(Error::Other(format!(
            "{detail}\n  no page was fetched: the docs site is unreachable (no network?).\n  hint: `skillforge fetch --offline` uses what the cache holds; `skillforge new` falls back to the bundled digest"
        )));
    }
    println!(
        "{} sources: {fetched} fetched, {revalidated} revalidated (304), {from_cache} from cache{}{}{} in {:.2} s",
        results.len(),
        if moved > 0 {
            format!(", {moved} moved")
        } else {
            String::new()
        },
        if missing.is_empty() {
            String::new()
        } else {
            format!(", {} missing", missing.len())
        },
        if failed.is_empty() {
            String::new()
        } else {
            format!(", {} failed", failed.len())
        },
        elapsed.as_secs_f64()
    );
    for (j, s) in &results {
        if let Status::Moved { to, .. } = s {
            println!(
                "  moved: {} is now at {to} (found through the site's llms.txt index; update sources.yaml)",
                j.label
            );
        }
    }
    for (j, e) in &failed {
        println!("  failed: {}: {e}", j.label);
    }
    if !missing.is_empty() {
        println!("  missing from the cache ({}):", cache_dir.display());
        for j in &missing {
            println!("    {} ({})", j.label, j.key);
        }
        println!("  hint: run `skillforge fetch` with network access to fill the cache");
    }
    if !args.offline && missing.is_empty() && args.update.is_none() {
        if failed.is_empty() {
            let mut lock = Lock::from_cache(&manifest, &cache_dir, args.source.as_str(), &|s| {
                distil::source_url(&manifest, s, args.source)
            });
            // Include files, site parameters and release data are locked too.
            for (j, _) in &results {
                lock.add_cached(&cache_dir, &j.label, &j.key);
            }
            lock.save(&lock_path)?;
            println!("lock: {}", lock_path.display());
        } else {
            println!(
                "lock not written: {} source(s) failed; the lock only records complete fetches",
                failed.len()
            );
        }
    }
    // Distil (in memory, or into the skill with --update).
    match distil::load_pages(&manifest, &cache_dir, args.source) {
        Ok(pages) => {
            let d = distil::build(&manifest, &pages);
            let total: usize = d.tokens.iter().map(|(_, t)| t).sum();
            println!("references: {} files, about {total} tokens", d.files.len());
            report_missing_sections(&d.missing, &manifest);
            for w in &d.warnings {
                eprintln!("warning: {w}");
            }
            if let Some(skill) = &args.update {
                update_skill(
                    skill,
                    &manifest,
                    &cache_dir,
                    args.source,
                    &d,
                    &lock_path,
                    args.force,
                )?;
            }
        }
        Err(missing_pages) => {
            if args.update.is_some() {
                return Err(Error::Other(format!(
                    "cannot rebuild references: {} page(s) are not in the cache ({}); nothing was changed",
                    missing_pages.len(),
                    missing_pages.join(", ")
                )));
            }
        }
    }
    Ok(if failed.is_empty() && missing.is_empty() {
        0
    } else {
        1
    })
}

/// Removes temporary files an interrupted run left in the cache (see
/// [`cache::sweep_stale_temp_files`]) and says so.
fn sweep_cache(cache_dir: &Path) {
    let n = cache::sweep_stale_temp_files(cache_dir, cache::STALE_TEMP_AGE);
    if n > 0 {
        eprintln!(
            "note: removed {n} temporary file(s) that an interrupted run left in the cache ({})",
            crate::term::escape_line(&cache_dir.display().to_string())
        );
    }
}

/// The line saying that pages come from a mirror rather than the official site, and
/// which setting chose it; `None` without `--base-url` / `[fetch] base-url`.
fn mirror_note(
    settings: &Settings,
    manifest: &Manifest,
    cfg: &Config,
    args: &FetchArgs,
) -> Option<String> {
    let base = settings.base_url.as_ref()?;
    let from = if args.base_url.is_some() {
        "--base-url".to_string()
    } else {
        format!(
            "`[fetch] base-url` in {}",
            cfg.path
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "skillforge.toml".into())
        )
    };
    Some(format!(
        "note: fetching from {} ({from}), not the official {}",
        crate::term::escape_line(base),
        manifest.site.trim_end_matches('/')
    ))
}

/// Prints every wanted section the pages lack, with the closest heading that exists.
fn report_missing_sections(missing: &[distil::MissingSection], manifest: &Manifest) {
    if missing.is_empty() {
        return;
    }
    println!(
        "{} section(s) named in {} not found on the pages:",
        missing.len(),
        manifest.origin.display()
    );
    for m in missing {
        println!("  {m}");
    }
}

/// Jobs for the `content/includes/*` files named by the pages in the cache.
fn include_jobs(
    manifest: &Manifest,
    settings: &Settings,
    cache_dir: &Path,
    results: &[(Job, Status)],
) -> Vec<Job> {
    static INCLUDE: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r#"\{\{[<%]\s*include\s+"([^"]+)""#).ok());
    let (Some(re), Some(raw)) = (INCLUDE.as_ref(), manifest.raw.as_deref()) else {
        return Vec::new();
    };
    let mut names = std::collections::BTreeSet::new();
    for (job, _) in results.iter().filter(|(j, _)| j.is_page) {
        if let Some(body) = cache::cached_body(cache_dir, &job.key) {
            for c in re.captures_iter(&String::from_utf8_lossy(&body)) {
                names.insert(c[1].trim_start_matches('/').to_string());
            }
        }
    }
    names
        .into_iter()
        .filter(|n| !n.contains(".."))
        .map(|n| {
            let key = format!("{raw}/includes/{n}");
            Job {
                label: format!("include {n}"),
                title: n.clone(),
                url: settings.download_url(manifest, &key),
                key,
                alt_url: None,
                is_page: false,
                expect: body::Expect::Markdown,
            }
        })
        .collect()
}

fn fetch_all(
    settings: &Settings,
    manifest: &Manifest,
    cache_dir: &Path,
    refresh: bool,
    jobs: Vec<Job>,
    with_includes: bool,
) -> Result<Vec<(Job, Status)>> {
    let client = Client::new(settings.opts.clone()).map_err(Error::Other)?;
    let index = format!("{}/llms-full.txt", manifest.site.trim_end_matches('/'));
    let links = format!("{}/llms.txt", manifest.site.trim_end_matches('/'));
    let discovery = settings.discovery.then(|| Discovery {
        links_url: settings.download_url(manifest, &links),
        index_url: settings.download_url(manifest, &index),
        base: settings
            .base_url
            .clone()
            .unwrap_or_else(|| manifest.site.trim_end_matches('/').to_string()),
        entries: tokio::sync::OnceCell::new(),
    });
    let shared = Arc::new(Shared {
        client,
        cache_dir: cache_dir.to_path_buf(),
        refresh,
        max_age: settings.max_age,
        discovery,
    });
    let progress = Arc::new(Progress::new(jobs.len(), false));
    let rt = runtime()?;
    let run_batch = |jobs: Vec<Job>| {
        let shared = shared.clone();
        let progress = progress.clone();
        async move {
            let mut set = tokio::task::JoinSet::new();
            for (i, job) in jobs.iter().cloned().enumerate() {
                let shared = shared.clone();
                let progress = progress.clone();
                set.spawn(async move {
                    let st = run_job(shared, job.clone()).await;
                    progress.done(&job, &st);
                    (i, st)
                });
            }
            let mut out: Vec<Option<Status>> = vec![None; jobs.len()];
            while let Some(r) = set.join_next().await {
                if let Ok((i, st)) = r {
                    out[i] = Some(st);
                }
            }
            jobs.into_iter()
                .zip(out)
                .map(|(j, s)| {
                    let st = s.unwrap_or_else(|| {
                        Status::Failed(FetchError::Invalid {
                            url: j.url.clone(),
                            detail: "internal: the fetch task stopped unexpectedly".into(),
                        })
                    });
                    (j, st)
                })
                .collect::<Vec<(Job, Status)>>()
        }
    };
    let results = rt.block_on(async {
        let mut results = run_batch(jobs).await;
        if with_includes {
            // Pages pull shared text in with `include`: fetch those files too, with
            // the same client (robots.txt read once, same politeness).
            let includes = include_jobs(manifest, settings, cache_dir, &results);
            if !includes.is_empty() {
                if let Some(b) = &progress.bar {
                    b.inc_length(includes.len() as u64);
                }
                results.extend(run_batch(includes).await);
            }
        }
        results
    });
    progress.finish();
    Ok(results)
}

/// Brings the cache up to date for `blueprint` with default settings (plus `[fetch]`
/// from the skillforge.toml found from the current directory), for `new --fetch`.
/// Progress lines go to stderr. Returns the number of sources now usable from the
/// cache and the failures (source, reason); an unreachable site is an error.
pub fn refresh_cache(blueprint: &str, cache_dir: &Path) -> Result<(usize, Vec<(String, String)>)> {
    let cfg = Config::discover(Path::new("."))?;
    let args = FetchArgs {
        blueprint: blueprint.to_string(),
        offline: false,
        refresh: false,
        check: false,
        update: None,
        force: false,
        base_url: None,
        source: SourceKind::Rendered,
        cache_dir: Some(cache_dir.to_path_buf()),
        concurrency: None,
        timeout: None,
        lock: None,
        no_discovery: false,
    };
    let settings = Settings::new(&args, &cfg)?;
    let manifest = Manifest::resolve(blueprint)?;
    sweep_cache(cache_dir);
    if let Some(note) = mirror_note(&settings, &manifest, &cfg, &args) {
        eprintln!("{note}");
    }
    let jobs = jobs_for(&manifest, &settings, SourceKind::Rendered);
    let results = fetch_all(&settings, &manifest, cache_dir, false, jobs, true)?;
    if let Some(bundled) = bundled_versions(&manifest) {
        let _ = versions::refresh_into_cache(cache_dir, &manifest.blueprint, &bundled);
    }
    let failures: Vec<(String, String)> = results
        .iter()
        .filter_map(|(j, s)| match s {
            Status::Failed(e) => Some((j.label.clone(), e.to_string())),
            _ => None,
        })
        .collect();
    if !failures.is_empty()
        && failures.len() == results.len()
        && let Some((_, Status::Failed(e @ FetchError::Unreachable { .. }))) = results.first()
    {
        return Err(Error::Other(format!("{e} (no network?)")));
    }
    Ok((results.len() - failures.len(), failures))
}

/// The status of a fetch whose cache write ran on the blocking pool: `ok()` on success,
/// else a failure naming what went wrong with the write.
fn cache_write_status<T, E: std::fmt::Display>(
    url: &str,
    written: std::result::Result<std::result::Result<T, E>, tokio::task::JoinError>,
    ok: impl FnOnce() -> Status,
) -> Status {
    match written {
        Ok(Ok(_)) => ok(),
        Ok(Err(e)) => Status::Failed(FetchError::Invalid {
            url: url.to_string(),
            detail: format!("cannot write the cache: {e}"),
        }),
        Err(e) => Status::Failed(FetchError::Invalid {
            url: url.to_string(),
            detail: format!("internal: cache writer stopped: {e}"),
        }),
    }
}

/// `--check`: which pages changed upstream since the lock.
fn check(
    args: &FetchArgs,
    settings: &Settings,
    manifest: &Manifest,
    cache_dir: &Path,
    lock_path: &Path,
) -> Result<u8> {
    if !lock_path.is_file() {
        return Err(Error::usage_hint(
            format!("no lock file at {}", lock_path.display()),
            "run `skillforge fetch` first (or pass --lock PATH / --update SKILL_DIR)",
        ));
    }
    let lock = Lock::load(lock_path)?;
    let _ = args;
    // The lock is a file anyone can edit: only URLs on hosts the manifest names are
    // requested, and every page the manifest names must be in it.
    let lock_kind = if lock.source_kind == SourceKind::Raw.as_str() {
        SourceKind::Raw
    } else {
        SourceKind::Rendered
    };
    let expected = jobs_for(manifest, settings, lock_kind);
    let host_of = |u: &str| {
        reqwest::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    };
    let allowed_hosts: std::collections::BTreeSet<String> =
        expected.iter().filter_map(|j| host_of(&j.key)).collect();
    let locked_urls: std::collections::BTreeSet<&str> =
        lock.sources.iter().map(|s| s.url.as_str()).collect();
    let mut refused = 0;
    for ls in &lock.sources {
        if !host_of(&ls.url).is_some_and(|h| allowed_hosts.contains(&h)) {
            refused += 1;
            println!(
                "refused   {}: {} is not on a host sources.yaml names; not requested",
                crate::term::escape_line(&ls.source),
                crate::term::escape_line(&ls.url)
            );
        }
    }
    let mut absent = 0;
    for j in expected.iter().filter(|j| j.is_page) {
        if !locked_urls.contains(j.key.as_str()) {
            absent += 1;
            println!(
                "missing   {} is in sources.yaml but not in the lock: run `skillforge fetch`",
                j.label
            );
        }
    }
    let client = Arc::new(Client::new(settings.opts.clone()).map_err(Error::Other)?);
    let rt = runtime()?;
    let results = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (i, ls) in lock.sources.iter().cloned().enumerate() {
            if !host_of(&ls.url).is_some_and(|h| allowed_hosts.contains(&h)) {
                continue;
            }
            let client = client.clone();
            let url = settings.download_url(manifest, &ls.url);
            let cache_dir = cache_dir.to_path_buf();
            let expect = expected
                .iter()
                .find(|j| j.key == ls.url)
                .map(|j| j.expect)
                .unwrap_or(if ls.url.ends_with(".json") {
                    body::Expect::Json
                } else {
                    body::Expect::Text
                });
            set.spawn(async move {
                let v = Validators {
                    etag: ls.etag.clone(),
                    last_modified: ls.last_modified.clone(),
                };
                let verdict = match client.get(&url, &v).await {
                    Ok(Outcome::NotModified { .. }) => Ok(false),
                    Ok(Outcome::Body {
                        body,
                        etag,
                        last_modified,
                        final_url,
                        content_type,
                    }) => match body::check(&final_url, expect, content_type.as_deref(), &body) {
                        // Not what the source should be: reported, never cached.
                        Err(e) => Err(e),
                        Ok(()) => {
                            let changed = cache::sha256_hex(&body) != ls.sha256;
                            // Keep the newer copy for the next `fetch --update`.
                            let _ = cache::store(
                                &cache_dir,
                                &ls.url,
                                Some(&final_url),
                                &body,
                                etag,
                                last_modified,
                            );
                            Ok(changed)
                        }
                    },
                    Err(e) => Err(e),
                };
                (i, verdict)
            });
        }
        let mut out = Vec::new();
        while let Some(Ok(r)) = set.join_next().await {
            out.push(r);
        }
        out.sort_by_key(|(i, _)| *i);
        out
    });
    let mut changed = 0;
    let mut failed = 0;
    for (i, verdict) in &results {
        let src = &lock.sources[*i].source;
        match verdict {
            Ok(true) => {
                changed += 1;
                println!("changed   {src}");
            }
            Ok(false) => {}
            Err(FetchError::NotFound { .. }) => {
                changed += 1;
                println!(
                    "gone      {src} (404 at this address: moved or removed upstream; update sources.yaml)"
                );
            }
            Err(e) => {
                failed += 1;
                println!("unknown   {src}: {e}");
            }
        }
    }
    println!(
        "{} sources checked against {}: {} unchanged, {changed} changed, {failed} could not be checked",
        results.len(),
        lock_path.display(),
        results.len() - changed - failed
    );
    if changed > 0 {
        println!(
            "hint: `skillforge fetch --update <skill dir>` rebuilds the references (a diff is shown)"
        );
    }
    // Headings the manifest names that the (now revalidated) pages lack.
    let kind = if lock.source_kind == SourceKind::Raw.as_str() {
        SourceKind::Raw
    } else {
        SourceKind::Rendered
    };
    let mut missing_sections = 0;
    if let Ok(pages) = distil::load_pages(manifest, cache_dir, kind) {
        let d = distil::build(manifest, &pages);
        missing_sections = d.missing.len();
        report_missing_sections(&d.missing, manifest);
    }
    Ok(
        if changed > 0 || failed > 0 || missing_sections > 0 || refused > 0 || absent > 0 {
            1
        } else {
            0
        },
    )
}

/// What `--update` did to one reference file.
#[derive(Debug, PartialEq, Eq)]
pub enum UpdateAction {
    Unchanged,
    Created,
    Updated,
    /// The file differs from what skillforge last wrote: the user edited it.
    SkippedEdited,
    /// No record in docs.lock (e.g. the bundled digest): not ours to replace.
    SkippedUnknown,
}

/// Decides what to do with one reference file, given its current content, the new
/// content and the hash skillforge recorded when it last wrote it.
pub fn decide_update(
    current: Option<&str>,
    new: &str,
    recorded: Option<&str>,
    force: bool,
) -> UpdateAction {
    match current {
        None => UpdateAction::Created,
        Some(cur) if cur == new => UpdateAction::Unchanged,
        Some(_) if force => UpdateAction::Updated,
        Some(cur) => match recorded {
            Some(h) if h == cache::sha256_hex(cur.as_bytes()) => UpdateAction::Updated,
            Some(_) => UpdateAction::SkippedEdited,
            None => UpdateAction::SkippedUnknown,
        },
    }
}

fn update_skill(
    skill: &Path,
    manifest: &Manifest,
    cache_dir: &Path,
    kind: SourceKind,
    d: &distil::Distilled,
    lock_path: &Path,
    force: bool,
) -> Result<()> {
    let old = if lock_path.is_file() {
        Some(Lock::load(lock_path)?)
    } else {
        None
    };
    let mut lock = Lock::from_cache(manifest, cache_dir, kind.as_str(), &|s| {
        distil::source_url(manifest, s, kind)
    });
    let mut out = anstream::stdout();
    use std::io::Write as _;
    // Never write through a symlink that leaves the skill (a `references/` linked to
    // somewhere else on the disk): every parent folder must resolve inside it.
    let skill_canon = std::fs::canonicalize(skill).map_err(|e| Error::io(skill, e))?;
    for (rel, _) in &d.files {
        if !rel.starts_with("references/") || rel.contains("..") {
            continue;
        }
        let mut parent = skill.join(rel);
        parent.pop();
        while !parent.exists() && parent.pop() {}
        let resolved = std::fs::canonicalize(&parent).map_err(|e| Error::io(&parent, e))?;
        if !resolved.starts_with(&skill_canon) {
            return Err(Error::input(
                skill.join(rel.split('/').next().unwrap_or("references")),
                format!(
                    "resolves to {}, outside the skill: fetch --update writes only inside the skill folder",
                    crate::term::escape_line(&resolved.display().to_string())
                ),
            )
            .with_hint("replace the symbolic link with a real references/ folder"));
        }
    }
    for (rel, content) in &d.files {
        // Only `references/*.md` (enforced by the schema); never SKILL.md.
        if !rel.starts_with("references/") || rel.contains("..") {
            continue;
        }
        let path = skill.join(rel);
        let current = match std::fs::read_to_string(&path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&path, e)),
        };
        let recorded = old
            .as_ref()
            .and_then(|l| l.files.get(rel))
            .map(String::as_str);
        let action = decide_update(current.as_deref(), content, recorded, force);
        match action {
            UpdateAction::Created | UpdateAction::Updated => {
                let before = current.as_deref().unwrap_or("");
                let diff = similar::TextDiff::from_lines(before, content.as_str());
                let _ = write!(
                    out,
                    "{}",
                    diff.unified_diff()
                        .context_radius(2)
                        .header(&format!("a/{rel}"), &format!("b/{rel}"))
                );
                crate::fsutil::write_atomic(&path, content.as_bytes())?;
                distil::remember_written(cache_dir, content);
                lock.files
                    .insert(rel.clone(), cache::sha256_hex(content.as_bytes()));
                let _ = writeln!(
                    out,
                    "{} {rel}",
                    if action == UpdateAction::Created {
                        "created"
                    } else {
                        "updated"
                    }
                );
            }
            UpdateAction::Unchanged => {
                lock.files
                    .insert(rel.clone(), cache::sha256_hex(content.as_bytes()));
            }
            UpdateAction::SkippedEdited => {
                if let Some(h) = recorded {
                    lock.files.insert(rel.clone(), h.to_string());
                }
                let _ = writeln!(
                    out,
                    "kept    {rel}: edited since skillforge wrote it (use --force to replace it)"
                );
                // What changed upstream, as a patch the learner can apply over the edits.
                match recorded.and_then(|h| distil::written_copy(cache_dir, h)) {
                    Some(base) if base != *content => {
                        let diff = similar::TextDiff::from_lines(base.as_str(), content.as_str());
                        let patch = diff
                            .unified_diff()
                            .context_radius(3)
                            .header(&format!("a/{rel}"), &format!("b/{rel}"))
                            .to_string();
                        let _ = write!(out, "{patch}");
                        let name = rel.trim_start_matches("references/").replace('/', "_");
                        let patch_path = cache_dir
                            .join("patches")
                            .join(&manifest.blueprint)
                            .join(format!("{name}.patch"));
                        match crate::fsutil::write_atomic(&patch_path, patch.as_bytes()) {
                            Ok(()) => {
                                let _ = writeln!(
                                    out,
                                    "        upstream change saved as a patch; apply it over your edits with:\n          patch -p1 -d {} < {}",
                                    skill.display(),
                                    patch_path.display()
                                );
                            }
                            Err(e) => {
                                let _ = writeln!(out, "        (could not save the patch: {e})");
                            }
                        }
                    }
                    Some(_) => {
                        let _ = writeln!(out, "        no upstream change for it");
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "        (the version skillforge wrote is not in the cache, so the upstream change cannot be isolated; `--force` shows the full diff)"
                        );
                    }
                }
            }
            UpdateAction::SkippedUnknown => {
                let _ = writeln!(
                    out,
                    "kept    {rel}: not written by `fetch` (no record in docs.lock); use --force to replace it"
                );
            }
        }
    }
    lock.save(lock_path)?;
    let _ = writeln!(out, "lock: {}", lock_path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llms_index_parsing() {
        let idx = "# Docker Docs\n\n## Bridge network driver\nURL: https://docs.docker.com/engine/network/drivers/bridge/\nMarkdown: https://docs.docker.com/engine/network/drivers/bridge.md\nDescription: x\n\n## Volumes\nURL: https://docs.docker.com/engine/storage/volumes/\nMarkdown: https://docs.docker.com/engine/storage/volumes.md\n";
        let e = parse_llms_index(idx);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].markdown_path, "/engine/network/drivers/bridge.md");
        assert_eq!(e[1].url_path, "/engine/storage/volumes/");
    }

    #[test]
    fn llms_link_list_parsing() {
        let txt = "# Docker Docs\n\n## Manuals\n\n- [Bridge network driver](https://docs.docker.com/engine/network/drivers/bridge.md): bridges\n- [Home](https://docs.docker.com/index.md)\n* [uv in Docker](https://docs.astral.sh/uv/guides/integration/docker/index.md)\nplain text\n";
        let e = parse_llms_links(txt);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].title, "Bridge network driver");
        assert_eq!(e[0].url_path, "/engine/network/drivers/bridge/");
        assert_eq!(e[0].markdown_path, "/engine/network/drivers/bridge.md");
        assert_eq!(e[1].url_path, "/");
        assert_eq!(e[2].url_path, "/uv/guides/integration/docker/");
    }

    #[test]
    fn update_decisions() {
        let h = cache::sha256_hex(b"old");
        assert_eq!(decide_update(None, "n", None, false), UpdateAction::Created);
        assert_eq!(
            decide_update(Some("n"), "n", None, false),
            UpdateAction::Unchanged
        );
        assert_eq!(
            decide_update(Some("old"), "n", Some(&h), false),
            UpdateAction::Updated
        );
        assert_eq!(
            decide_update(Some("edited"), "n", Some(&h), false),
            UpdateAction::SkippedEdited
        );
        assert_eq!(
            decide_update(Some("x"), "n", None, false),
            UpdateAction::SkippedUnknown
        );
        assert_eq!(
            decide_update(Some("edited"), "n", Some(&h), true),
            UpdateAction::Updated
        );
    }

    #[test]
    fn mirror_mapping() {
        let m = Manifest::embedded("docker-deployment").unwrap().unwrap();
        let mut s = Settings {
            opts: Options::default(),
            base_url: None,
            max_age: Duration::ZERO,
            discovery: true,
        };
        assert_eq!(
            s.download_url(&m, "https://docs.docker.com/a.md"),
            "https://docs.docker.com/a.md"
        );
        s.base_url = Some("http://127.0.0.1:9".into());
        assert_eq!(
            s.download_url(&m, "https://docs.docker.com/a.md"),
            "http://127.0.0.1:9/a.md"
        );
        assert_eq!(
            s.download_url(&m, cache::COMPOSE_SCHEMA_URL),
            "http://127.0.0.1:9/raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json"
        );
    }
}
