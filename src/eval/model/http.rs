//! JSON over HTTP for the API providers: one shared client, a per-call timeout, retries
//! with backoff on 429/5xx that honour `Retry-After`, and the `--max-calls` spending
//! guard (every attempt counts, retries included).

use super::provider::ApiKey;
use serde_json::Value;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Counts requests against `--max-calls`.
#[derive(Debug, Default)]
pub struct CallBudget {
    made: AtomicU32,
    max: Option<u32>,
}

impl CallBudget {
    pub fn new(max: Option<u32>) -> CallBudget {
        CallBudget {
            made: AtomicU32::new(0),
            max,
        }
    }

    /// Takes one call from the budget; false when it is spent.
    pub fn take(&self) -> bool {
        let mut cur = self.made.load(Ordering::SeqCst);
        loop {
            if self.max.is_some_and(|m| cur >= m) {
                return false;
            }
            match self
                .made
                .compare_exchange(cur, cur + 1, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return true,
                Err(now) => cur = now,
            }
        }
    }

    pub fn made(&self) -> u32 {
        self.made.load(Ordering::SeqCst)
    }

    pub fn max(&self) -> Option<u32> {
        self.max
    }
}

/// Why a call failed for good.
#[derive(Debug, Clone)]
pub enum CallError {
    /// `--max-calls` reached before this call.
    Budget(u32),
    /// Anything else, worded for the report (key redacted).
    Failed(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Budget(n) => write!(
                f,
                "not run: --max-calls {n} reached (raise it to finish the suite)"
            ),
            CallError::Failed(m) => f.write_str(m),
        }
    }
}

/// The HTTP side of the API providers.
pub struct Http {
    client: reqwest::Client,
    pub retries: u32,
    /// First backoff step (doubles each retry) when the server gives no Retry-After.
    pub backoff: Duration,
    pub timeout: Duration,
}

/// A response body larger than this is refused (a model answer is a few KB).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// The longest Retry-After honoured.
const MAX_WAIT: Duration = Duration::from_secs(120);

impl Http {
    pub fn new(timeout: Duration) -> Result<Http, String> {
        crate::fetch::client::install_crypto_provider();
        let client = reqwest::Client::builder()
            .user_agent(concat!("skillforge/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(20).min(timeout))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        let backoff = std::env::var("SKILLFORGE_RETRY_BASE_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis)
            .unwrap_or(Duration::from_millis(1000));
        Ok(Http {
            client,
            retries: 4,
            backoff,
            timeout,
        })
    }

    /// POSTs `body` as JSON and returns the parsed JSON answer, retrying what is worth
    /// retrying. `headers` must not be logged (they hold the key).
    pub async fn post_json(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: &Value,
        budget: &CallBudget,
        key: Option<&ApiKey>,
    ) -> Result<Value, CallError> {
        let redact = |s: String| match key {
            Some(k) => k.redact(&s),
            None => s,
        };
        let payload = serde_json::to_vec(body)
            .map_err(|e| CallError::Failed(format!("cannot encode the request: {e}")))?;
        let mut attempt = 0u32;
        loop {
            if !budget.take() {
                return Err(CallError::Budget(budget.max().unwrap_or(0)));
            }
            let mut req = self
                .client
                .post(url)
                .header("content-type", "application/json")
                .body(payload.clone());
            for (k, v) in headers {
                req = req.header(*k, v);
            }
            let (retry_wait, why) = match req.send().await {
                Err(e) => {
                    let what = if e.is_timeout() {
                        format!("no answer within {} s", self.timeout.as_secs())
                    } else {
                        format!(
                            "cannot reach {url}: {}",
                            crate::fetch::client::connect_detail(&e)
                        )
                    };
                    (None, what)
                }
                Ok(resp) => {
                    let status = resp.status();
                    let wait = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| {
                            crate::fetch::client::parse_retry_after(v, std::time::SystemTime::now())
                        });
                    let bytes = match read_body(resp).await {
                        Ok(b) => b,
                        Err(e) => {
                            if attempt < self.retries {
                                attempt += 1;
                                tokio::time::sleep(self.backoff_for(attempt, None)).await;
                                continue;
                            }
                            return Err(CallError::Failed(redact(e)));
                        }
                    };
                    if status.is_success() {
                        return serde_json::from_slice::<Value>(&bytes).map_err(|e| {
                            CallError::Failed(redact(format!(
                                "{url} answered {status} with a body that is not JSON ({e}): {}",
                                snippet(&bytes)
                            )))
                        });
                    }
                    let what = format!(
                        "{url} answered {status}: {}",
                        api_error_message(&bytes).unwrap_or_else(|| snippet(&bytes))
                    );
                    let retryable = status.as_u16() == 429
                        || status.as_u16() == 408
                        || status.as_u16() == 529
                        || status.is_server_error();
                    if !retryable {
                        let hint = match status.as_u16() {
                            401 | 403 => " (check the API key in the environment)",
                            404 => " (check the model name and --base-url)",
                            _ => "",
                        };
                        return Err(CallError::Failed(redact(format!("{what}{hint}"))));
                    }
                    (wait, what)
                }
            };
            if attempt >= self.retries {
                return Err(CallError::Failed(redact(format!(
                    "{why} (gave up after {} attempts)",
                    attempt + 1
                ))));
            }
            attempt += 1;
            tokio::time::sleep(self.backoff_for(attempt, retry_wait)).await;
        }
    }

    fn backoff_for(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(w) = retry_after {
            return w.min(MAX_WAIT);
        }
        let base = self.backoff.saturating_mul(1 << (attempt - 1).min(6));
        let jitter = rand::random::<f64>() * 0.25 + 0.875;
        base.mul_f64(jitter).min(MAX_WAIT)
    }
}

async fn read_body(mut resp: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if out.len() + c.len() > MAX_BODY {
                    return Err(format!(
                        "the response is larger than {}",
                        crate::fsutil::human_size(MAX_BODY as u64)
                    ));
                }
                out.extend_from_slice(&c);
            }
            Ok(None) => return Ok(out),
            Err(e) => {
                return Err(format!(
                    "the response broke off: {}",
                    crate::fetch::client::connect_detail(&e)
                ));
            }
        }
    }
}

/// The `error.message` of an OpenAI/Anthropic error body.
fn api_error_message(bytes: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let m = v
        .pointer("/error/message")
        .or_else(|| v.get("message"))?
        .as_str()?;
    Some(super::escape_ctl(&m.chars().take(300).collect::<String>()))
}

fn snippet(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
    let s = super::escape_ctl(s.trim());
    if s.is_empty() {
        "(empty body)".into()
    } else {
        format!("«{s}»")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_stops_at_max() {
        let b = CallBudget::new(Some(2));
        assert!(b.take());
        assert!(b.take());
        assert!(!b.take());
        assert_eq!(b.made(), 2);
        let unlimited = CallBudget::new(None);
        for _ in 0..100 {
            assert!(unlimited.take());
        }
    }

    #[test]
    fn error_messages_are_extracted_and_escaped() {
        let body = br#"{"error":{"message":"bad\u001b[2J model","type":"x"}}"#;
        let m = api_error_message(body).unwrap();
        assert!(!m.contains('\u{1b}'), "{m}");
        assert!(m.contains("bad"));
        assert_eq!(snippet(b""), "(empty body)");
    }
}
