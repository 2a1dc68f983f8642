//! A polite HTTP client for documentation sites.
//!
//! - a descriptive User-Agent;
//! - `robots.txt` read once per host and obeyed (User-agent groups, longest match of
//!   `Allow`/`Disallow`, `*` and `$` patterns);
//! - at most `concurrency` requests in flight per host, with a minimum gap between
//!   request starts (pacing);
//! - connect and total timeouts, a response size cap, truncated bodies detected;
//! - redirects followed by hand: same host only (or hosts allowed in config), loops
//!   and hop limits reported clearly;
//! - retries only on connection errors, 408, 429 and 5xx, with exponential backoff,
//!   jitter, a cap, and `Retry-After` (seconds or HTTP date) honoured.

use rand::Rng;
use reqwest::{StatusCode, Url, header};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OnceCell, Semaphore};

/// Client settings (flags and `[fetch]` in skillforge.toml).
#[derive(Debug, Clone)]
pub struct Options {
    pub user_agent: String,
    /// Requests in flight per host.
    pub concurrency: usize,
    /// Minimum gap between request starts to one host.
    pub pacing: Duration,
    /// Whole request, body included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Largest accepted body.
    pub max_bytes: u64,
    pub max_redirects: usize,
    /// Retries after the first attempt.
    pub retries: u32,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Longest `Retry-After` we accept; a longer wait is reported instead of slept.
    pub max_retry_after: Duration,
    /// Other hosts a redirect may lead to.
    pub allow_hosts: Vec<String>,
    /// Hosts whose robots.txt the user chose not to apply (`[fetch] robots-exempt`),
    /// e.g. for single files they are entitled to download. Empty by default.
    pub robots_exempt: Vec<String>,
}

pub fn default_user_agent() -> String {
    format!(
        "skillforge/{} (+https://github.com/skillforge/skillforge; docs fetcher)",
        env!("CARGO_PKG_VERSION")
    )
}

impl Default for Options {
    fn default() -> Self {
        Options {
            user_agent: default_user_agent(),
            concurrency: 4,
            pacing: Duration::from_millis(5),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(4),
            max_bytes: 8 * 1024 * 1024,
            max_redirects: 5,
            retries: 3,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            allow_hosts: Vec::new(),
            robots_exempt: Vec::new(),
        }
    }
}

/// Conditional-request validators from the cache.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful exchange.
#[derive(Debug)]
pub enum Outcome {
    Body {
        body: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
        /// The URL the body came from after redirects.
        final_url: String,
        /// The response's `Content-Type`, for [`super::body::check`].
        content_type: Option<String>,
    },
    NotModified {
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// Why a fetch failed; `Display` is the message shown to the learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The host could not be reached at all (no network, DNS, refused).
    Unreachable {
        host: String,
        detail: String,
    },
    Timeout {
        url: String,
        after: Duration,
    },
    NotFound {
        url: String,
    },
    Status {
        url: String,
        status: u16,
    },
    RobotsDisallowed {
        url: String,
    },
    RobotsUnavailable {
        host: String,
        status: u16,
    },
    RedirectLoop {
        url: String,
    },
    TooManyRedirects {
        url: String,
        limit: usize,
    },
    RedirectOffHost {
        from: String,
        to: String,
    },
    TooLarge {
        url: String,
        cap: u64,
    },
    Truncated {
        url: String,
        expected: u64,
        got: u64,
    },
    RetryAfterTooLong {
        url: String,
        wait: Duration,
    },
    GaveUp {
        url: String,
        attempts: u32,
        last: String,
    },
    Invalid {
        url: String,
        detail: String,
    },
    /// A complete response whose body is not what the source should be (HTML instead
    /// of Markdown, binary, empty, not JSON…); see [`super::body`].
    Unusable {
        url: String,
        what: String,
        fix: String,
    },
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Unreachable { host, detail } => {
                write!(f, "cannot reach {host}: {detail}")
            }
            FetchError::Timeout { url, after } => {
                write!(f, "{url}: no complete response within {}", secs(*after))
            }
            FetchError::NotFound { url } => write!(f, "{url}: not found (HTTP 404)"),
            FetchError::Status { url, status } => write!(f, "{url}: HTTP {status}"),
            FetchError::RobotsDisallowed { url } => {
                write!(
                    f,
                    "{url}: disallowed by the site's robots.txt; not fetched (to fetch this host's files anyway, list it in `[fetch] robots-exempt`)"
                )
            }
            FetchError::RobotsUnavailable { host, status } => write!(
                f,
                "{host}/robots.txt answered HTTP {status}; not fetching from this host until it is readable"
            ),
            FetchError::RedirectLoop { url } => write!(f, "{url}: redirect loop"),
            FetchError::TooManyRedirects { url, limit } => {
                write!(f, "{url}: more than {limit} redirects")
            }
            FetchError::RedirectOffHost { from, to } => write!(
                f,
                "{from}: redirected to another host ({to}); add the host to `[fetch] allow-hosts` in skillforge.toml to follow it"
            ),
            FetchError::TooLarge { url, cap } => write!(
                f,
                "{url}: response larger than the {} cap (`[fetch] max-bytes`)",
                crate::fsutil::human_size(*cap)
            ),
            FetchError::Truncated { url, expected, got } => write!(
                f,
                "{url}: truncated body ({got} of {expected} bytes received)"
            ),
            FetchError::RetryAfterTooLong { url, wait } => write!(
                f,
                "{url}: server asked to retry after {}, longer than the `[fetch] max-retry-after` limit; try again later",
                secs(*wait)
            ),
            FetchError::GaveUp {
                url,
                attempts,
                last,
            } => write!(f, "{url}: gave up after {attempts} attempts ({last})"),
            FetchError::Invalid { url, detail } => write!(f, "{url}: {detail}"),
            FetchError::Unusable { url, what, fix } => write!(f, "{url}: {what}; {fix}"),
        }
    }
}

fn secs(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Per-host politeness state.
struct Host {
    permits: Arc<Semaphore>,
    next_start: tokio::sync::Mutex<Instant>,
    robots: OnceCell<Result<Robots, FetchError>>,
}

/// The client. Cheap to share behind an `Arc`.
pub struct Client {
    http: reqwest::Client,
    opts: Options,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

/// Installs the ring crypto provider for rustls once per process.
pub fn install_crypto_provider() {
    // An error only means a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// `scheme://host[:port]`, the unit of politeness.
pub fn origin(url: &Url) -> String {
    let mut o = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(p) = url.port() {
        o.push_str(&format!(":{p}"));
    }
    o
}

fn host_port(url: &Url) -> String {
    match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
        None => url.host_str().unwrap_or("").to_string(),
    }
}

enum Attempt {
    Retry { wait: Duration, why: String },
    Fail(FetchError),
}

impl Client {
    pub fn new(opts: Options) -> Result<Client, String> {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(opts.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .pool_max_idle_per_host(opts.concurrency.max(1))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(Client {
            http,
            opts,
            hosts: Mutex::new(HashMap::new()),
        })
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    fn host(&self, origin: &str) -> Arc<Host> {
        let mut map = match self.hosts.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry(origin.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    permits: Arc::new(Semaphore::new(self.opts.concurrency.max(1))),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                    robots: OnceCell::new(),
                })
            })
            .clone()
    }

    /// GET `url`, conditional on `validators`, following same-host redirects.
    pub async fn get(&self, url: &str, validators: &Validators) -> Result<Outcome, FetchError> {
        let start = Url::parse(url).map_err(|e| FetchError::Invalid {
            url: url.to_string(),
            detail: format!("invalid URL: {e}"),
        })?;
        let start_host = host_port(&start);
        let mut current = start.clone();
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(current.to_string());
        let mut hops = 0usize;
        loop {
            self.check_robots(&current).await?;
            let (resp, _permit) = self.send(&current, validators).await?;
            let status = resp.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let loc = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| FetchError::Invalid {
                        url: current.to_string(),
                        detail: format!("HTTP {} without a Location header", status.as_u16()),
                    })?;
                let next = current.join(loc).map_err(|e| FetchError::Invalid {
                    url: current.to_string(),
                    detail: format!("bad redirect target `{loc}`: {e}"),
                })?;
                let next_host = host_port(&next);
                if next_host != start_host
                    && !self
                        .opts
                        .allow_hosts
                        .iter()
                        .any(|h| h == &next_host || Some(h.as_str()) == next.host_str())
                {
                    return Err(FetchError::RedirectOffHost {
                        from: url.to_string(),
                        to: next.to_string(),
                    });
                }
                if !seen.insert(next.to_string()) {
                    return Err(FetchError::RedirectLoop {
                        url: url.to_string(),
                    });
                }
                hops += 1;
                if hops > self.opts.max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        url: url.to_string(),
                        limit: self.opts.max_redirects,
                    });
                }
                current = next;
                continue;
            }
            let etag = header_string(&resp, header::ETAG);
            let last_modified = header_string(&resp, header::LAST_MODIFIED);
            let content_type = header_string(&resp, header::CONTENT_TYPE);
            return match status {
                StatusCode::NOT_MODIFIED => Ok(Outcome::NotModified {
                    etag,
                    last_modified,
                }),
                s if s.is_success() => {
                    let body = self.read_body(resp, &current).await?;
                    Ok(Outcome::Body {
                        body,
                        etag,
                        last_modified,
                        final_url: current.to_string(),
                        content_type,
                    })
                }
                StatusCode::NOT_FOUND | StatusCode::GONE => Err(FetchError::NotFound {
                    url: current.to_string(),
                }),
                s => Err(FetchError::Status {
                    url: current.to_string(),
                    status: s.as_u16(),
                }),
            };
        }
    }

    /// Sends one request with retries; returns a non-retryable response and the
    /// per-host permit (held while the body is read).
    async fn send(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<(reqwest::Response, tokio::sync::OwnedSemaphorePermit), FetchError> {
        let host = self.host(&origin(url));
        let mut attempt: u32 = 0;
        loop {
            let permit = acquire(&host).await?;
            self.pace(&host).await;
            // Identity or gzip only: a body in any other coding is refused, not guessed.
            let mut req = self
                .http
                .get(url.clone())
                .header(header::ACCEPT_ENCODING, "gzip");
            if let Some(e) = &validators.etag {
                req = req.header(header::IF_NONE_MATCH, e);
            }
            if let Some(lm) = &validators.last_modified {
                req = req.header(header::IF_MODIFIED_SINCE, lm);
            }
            let step = match req.send().await {
                Ok(resp) => {
                    let s = resp.status().as_u16();
                    if s == 408 || s == 429 || (500..600).contains(&s) {
                        match retry_after(&resp) {
                            Some(wait) if wait > self.opts.max_retry_after => {
                                Attempt::Fail(FetchError::RetryAfterTooLong {
                                    url: url.to_string(),
                                    wait,
                                })
                            }
                            Some(wait) => Attempt::Retry {
                                wait,
                                why: format!("HTTP {s}"),
                            },
                            None => Attempt::Retry {
                                wait: self.backoff(attempt),
                                why: format!("HTTP {s}"),
                            },
                        }
                    } else {
                        return Ok((resp, permit));
                    }
                }
                // Connection errors (a connect timeout included) are retried.
                Err(e) if e.is_connect() => Attempt::Retry {
                    wait: self.backoff(attempt),
                    why: if e.is_timeout() {
                        format!("no connection within {}", secs(self.opts.connect_timeout))
                    } else {
                        connect_detail(&e)
                    },
                },
                Err(e) if e.is_timeout() => Attempt::Fail(FetchError::Timeout {
                    url: url.to_string(),
                    after: self.opts.timeout,
                }),
                Err(e) if e.is_request() => Attempt::Retry {
                    wait: self.backoff(attempt),
                    why: connect_detail(&e),
                },
                Err(e) => Attempt::Fail(FetchError::Invalid {
                    url: url.to_string(),
                    detail: e.to_string(),
                }),
            };
            drop(permit);
            match step {
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry { wait, why } => {
                    if attempt >= self.opts.retries {
                        return Err(FetchError::GaveUp {
                            url: url.to_string(),
                            attempts: attempt + 1,
                            last: why,
                        });
                    }
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn pace(&self, host: &Host) {
        if self.opts.pacing.is_zero() {
            return;
        }
        let mut next = host.next_start.lock().await;
        let now = Instant::now();
        if *next > now {
            tokio::time::sleep(*next - now).await;
        }
        *next = Instant::now() + self.opts.pacing;
    }

    /// Exponential backoff with jitter, capped: half fixed, half random.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .opts
            .backoff_base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.opts.backoff_cap);
        let half = exp / 2;
        let jitter_ms = rand::rng().random_range(0..=half.as_millis().max(1) as u64);
        half + Duration::from_millis(jitter_ms)
    }

    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        url: &Url,
    ) -> Result<Vec<u8>, FetchError> {
        let cap = self.opts.max_bytes;
        let coding = content_coding(&resp, url)?;
        let expected = resp.content_length();
        if let Some(len) = expected
            && len > cap
        {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                cap,
            });
        }
        let mut body = Vec::with_capacity(expected.unwrap_or(16 * 1024).min(cap) as usize);
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > cap {
                        return Err(FetchError::TooLarge {
                            url: url.to_string(),
                            cap,
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => {
                    return Err(FetchError::Timeout {
                        url: url.to_string(),
                        after: self.opts.timeout,
                    });
                }
                Err(e) => {
                    return Err(match expected {
                        Some(exp) => FetchError::Truncated {
                            url: url.to_string(),
                            expected: exp,
                            got: body.len() as u64,
                        },
                        None => FetchError::Invalid {
                            url: url.to_string(),
                            detail: format!(
                                "connection broke after {} bytes of the body ({})",
                                body.len(),
                                connect_detail(&e)
                            ),
                        },
                    });
                }
            }
        }
        if let Some(exp) = expected
            && exp != body.len() as u64
        {
            return Err(FetchError::Truncated {
                url: url.to_string(),
                expected: exp,
                got: body.len() as u64,
            });
        }
        decode(coding, body, cap, url)
    }

    /// Reads the host's robots.txt once and checks `url` against it.
    async fn check_robots(&self, url: &Url) -> Result<(), FetchError> {
        if url.path() == "/robots.txt"
            || url
                .host_str()
                .is_some_and(|h| self.opts.robots_exempt.iter().any(|e| e == h))
        {
            return Ok(());
        }
        let host = self.host(&origin(url));
        let robots = host
            .robots
            .get_or_init(|| async { self.load_robots(url).await })
            .await
            .clone()?;
        let mut path = url.path().to_string();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        if robots.allowed(&path) {
            Ok(())
        } else {
            Err(FetchError::RobotsDisallowed {
                url: url.to_string(),
            })
        }
    }

    async fn load_robots(&self, url: &Url) -> Result<Robots, FetchError> {
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let host_name = origin(url);
        // One attempt for connection errors: an unreachable host is reported at once.
        let quick = Client {
            http: self.http.clone(),
            opts: Options {
                retries: 0,
                ..self.opts.clone()
            },
            hosts: Mutex::new(HashMap::new()),
        };
        match Box::pin(quick.get(robots_url.as_str(), &Validators::default())).await {
            Ok(Outcome::Body { body, .. }) => Ok(Robots::parse(
                &String::from_utf8_lossy(&body),
                &self.opts.user_agent,
            )),
            Ok(Outcome::NotModified { .. }) => Ok(Robots::allow_all()),
            Err(FetchError::NotFound { .. }) => Ok(Robots::allow_all()),
            Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                Ok(Robots::allow_all())
            }
            Err(FetchError::Status { status, .. }) => Err(FetchError::RobotsUnavailable {
                host: host_name,
                status,
            }),
            Err(FetchError::GaveUp { last, .. }) if !last.starts_with("HTTP") => {
                Err(FetchError::Unreachable {
                    host: host_name,
                    detail: last,
                })
            }
            Err(FetchError::GaveUp { last, .. }) => Err(FetchError::RobotsUnavailable {
                host: host_name,
                status: last.trim_start_matches("HTTP ").parse().unwrap_or(503),
            }),
            Err(FetchError::Timeout { after, .. }) => Err(FetchError::Unreachable {
                host: host_name,
                detail: format!("no answer within {}", secs(after)),
            }),
            Err(other) => Err(other),
        }
    }
}

async fn acquire(host: &Host) -> Result<tokio::sync::OwnedSemaphorePermit, FetchError> {
    // The semaphore is never closed; an error would be an internal bug.
    host.permits
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| FetchError::Invalid {
            url: String::new(),
            detail: format!("internal: request slots closed: {e}"),
        })
}

/// The innermost cause of a reqwest error, worded for a message.
pub(crate) fn connect_detail(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = s.to_string();
        src = s.source();
    }
    if msg.is_empty() {
        "connection failed".into()
    } else {
        msg
    }
}

/// A response's content coding (`Content-Encoding`), as far as we can undo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Identity,
    Gzip,
    Deflate,
}

/// Reads `Content-Encoding`; codings we cannot undo are refused before the body is read.
fn content_coding(resp: &reqwest::Response, url: &Url) -> Result<Coding, FetchError> {
    let Some(v) = resp.headers().get(header::CONTENT_ENCODING) else {
        return Ok(Coding::Identity);
    };
    let raw = String::from_utf8_lossy(v.as_bytes()).into_owned();
    let codings: Vec<String> = raw
        .split(',')
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect();
    match codings.as_slice() {
        [] => Ok(Coding::Identity),
        [c] if c == "gzip" || c == "x-gzip" => Ok(Coding::Gzip),
        [c] if c == "deflate" => Ok(Coding::Deflate),
        _ => Err(FetchError::Unusable {
            url: url.to_string(),
            what: format!(
                "the server compressed the body as `Content-Encoding: {}`, which skillforge cannot decode (it asks for gzip or no compression)",
                crate::term::escape_line(raw.trim())
            ),
            fix: "if this is a mirror (--base-url / `[fetch] base-url`), serve the files uncompressed or gzip-compressed".into(),
        }),
    }
}

/// Undoes the content coding, refusing corrupt data and bodies that expand past `cap`.
fn decode(coding: Coding, body: Vec<u8>, cap: u64, url: &Url) -> Result<Vec<u8>, FetchError> {
    use std::io::Read as _;
    let name = match coding {
        Coding::Identity => return Ok(body),
        Coding::Gzip => "gzip",
        Coding::Deflate => "deflate",
    };
    let mut out = Vec::with_capacity((body.len() * 4).min(cap as usize));
    let read = match coding {
        Coding::Gzip => flate2::read::MultiGzDecoder::new(body.as_slice())
            .take(cap.saturating_add(1))
            .read_to_end(&mut out),
        _ => flate2::read::ZlibDecoder::new(body.as_slice())
            .take(cap.saturating_add(1))
            .read_to_end(&mut out),
    };
    match read {
        Ok(_) if out.len() as u64 > cap => Err(FetchError::Unusable {
            url: url.to_string(),
            what: format!(
                "the {name}-compressed body ({} bytes) expands to more than the {} cap",
                body.len(),
                crate::fsutil::human_size(cap)
            ),
            fix: "raise `[fetch] max-bytes` in skillforge.toml if the file is really that large".into(),
        }),
        Ok(_) => Ok(out),
        Err(e) => Err(FetchError::Unusable {
            url: url.to_string(),
            what: format!(
                "the body is marked `Content-Encoding: {name}` but is not valid {name} data ({e}, after {} decoded bytes)",
                out.len()
            ),
            fix: "try again later; if this is a mirror (--base-url / `[fetch] base-url`), it must serve compressed files intact".into(),
        }),
    }
}

fn header_string(resp: &reqwest::Response, name: header::HeaderName) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `Retry-After` as a wait: delay-seconds or an HTTP date.
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let v = resp.headers().get(header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(v, std::time::SystemTime::now())
}

pub fn parse_retry_after(v: &str, now: std::time::SystemTime) -> Option<Duration> {
    let v = v.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// One robots.txt group: its user agents and its (allow, pattern) rules.
type Group = (Vec<String>, Vec<(bool, String)>);

/// A parsed robots.txt, reduced to the group that applies to us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Robots {
    /// (allow, pattern)
    rules: Vec<(bool, String)>,
}

impl Robots {
    pub fn allow_all() -> Robots {
        Robots { rules: Vec::new() }
    }

    /// Parses robots.txt and keeps the rules of the most specific group matching our
    /// product token (`skillforge`), else the `*` group.
    pub fn parse(text: &str, user_agent: &str) -> Robots {
        let token = user_agent
            .split('/')
            .next()
            .unwrap_or("skillforge")
            .trim()
            .to_ascii_lowercase();
        // Groups: (agents, rules)
        let mut groups: Vec<Group> = Vec::new();
        let mut in_agents = false;
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim().to_string();
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push((Vec::new(), Vec::new()));
                        in_agents = true;
                    }
                    if let Some(g) = groups.last_mut() {
                        g.0.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if let Some(g) = groups.last_mut() {
                        // An empty Disallow allows everything: no rule.
                        if !value.is_empty() {
                            g.1.push((key == "allow", value));
                        }
                    }
                }
                _ => {
                    // Sitemap, Crawl-delay, Content-Signal…: end the agent list.
                    in_agents = false;
                }
            }
        }
        let mut specific: Vec<(bool, String)> = Vec::new();
        let mut star: Vec<(bool, String)> = Vec::new();
        let mut found_specific = false;
        for (agents, rules) in groups {
            if agents
                .iter()
                .any(|a| a != "*" && token.contains(a.as_str()))
            {
                found_specific = true;
                specific.extend(rules);
            } else if agents.iter().any(|a| a == "*") {
                star.extend(rules);
            }
        }
        Robots {
            rules: if found_specific { specific } else { star },
        }
    }

    /// Longest matching rule wins; on a tie `Allow` wins; no match allows.
    pub fn allowed(&self, path: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for (allow, pat) in &self.rules {
            if pattern_matches(pat, path) {
                let len = pat.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// robots.txt path pattern: prefix match, `*` any run, `$` end anchor.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (pat, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pat.split('*').collect();
    let mut pos = 0usize;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            pos = part.len();
            continue;
        }
        if i == parts.len() - 1 && anchored {
            return path.len() >= pos + part.len() && path.ends_with(part);
        }
        match path[pos..].find(part) {
            Some(at) => pos += at + part.len(),
            None => return false,
        }
    }
    !anchored || pos == path.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = "skillforge/0.1.0 (+https://example; docs fetcher)";

    #[test]
    fn robots_star_group_and_longest_match() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /private/\nAllow: /private/ok/\nDisallow: /*.pdf$\n",
            UA,
        );
        assert!(r.allowed("/build/"));
        assert!(!r.allowed("/private/x"));
        assert!(r.allowed("/private/ok/x"));
        assert!(!r.allowed("/a/b.pdf"));
        assert!(r.allowed("/a/b.pdf.md"));
    }

    #[test]
    fn robots_specific_group_wins_over_star() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /\n\nUser-agent: SkillForge\nUser-agent: other\nDisallow: /x/\n",
            UA,
        );
        assert!(r.allowed("/build/"));
        assert!(!r.allowed("/x/y"));
        let none = Robots::parse("User-agent: *\nDisallow:\n", UA);
        assert!(none.allowed("/anything"));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let c = Client::new(Options {
            backoff_base: Duration::from_millis(100),
            backoff_cap: Duration::from_millis(300),
            ..Options::default()
        })
        .unwrap();
        for _ in 0..20 {
            let b0 = c.backoff(0);
            assert!(b0 >= Duration::from_millis(50) && b0 <= Duration::from_millis(100));
            let b5 = c.backoff(5);
            assert!(b5 >= Duration::from_millis(150) && b5 <= Duration::from_millis(300));
        }
    }

    #[test]
    fn user_agent_is_descriptive() {
        let ua = default_user_agent();
        assert!(ua.starts_with("skillforge/"));
        assert!(ua.contains("docs fetcher"));
    }
}
