//! Which assistant answers the prompts: `--model PROVIDER[:MODEL]` parsed into a
//! [`ProviderSpec`], and the environment it needs (API keys, base URLs).
//!
//! | spec | what runs |
//! |---|---|
//! | `claude-code[:MODEL]` | the local Claude Code CLI, headless (`claude -p`) |
//! | `anthropic:MODEL` | the Anthropic Messages API |
//! | `openai:MODEL` | any OpenAI-compatible chat-completions server (`--base-url`) |
//! | `command:PROGRAM [ARGS]` | any program: prompt on stdin, answer on stdout |
//!
//! Keys are read from the environment only (`ANTHROPIC_API_KEY`, `OPENAI_API_KEY`), are
//! never part of a cache key, and are redacted from every message that reaches output.

use crate::error::{Error, Result};

/// The provider kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ClaudeCode,
    Anthropic,
    OpenAi,
    Command,
}

impl Kind {
    pub fn id(self) -> &'static str {
        match self {
            Kind::ClaudeCode => "claude-code",
            Kind::Anthropic => "anthropic",
            Kind::OpenAi => "openai",
            Kind::Command => "command",
        }
    }

    /// Providers that speak HTTP APIs (skill offered through tools).
    pub fn is_api(self) -> bool {
        matches!(self, Kind::Anthropic | Kind::OpenAi)
    }
}

/// A parsed `--model` / `--judge` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSpec {
    pub kind: Kind,
    /// The model name (`claude-sonnet-4-5`, `gpt-4o-mini`, `llama3.2`), or for
    /// `command:` the whole command line.
    pub model: String,
}

impl std::fmt::Display for ProviderSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.model.is_empty() {
            write!(f, "{}", self.kind.id())
        } else {
            write!(f, "{}:{}", self.kind.id(), self.model)
        }
    }
}

const SPEC_HINT: &str = "use claude-code, anthropic:<model> (e.g. anthropic:claude-sonnet-4-5), \
openai:<model> (e.g. openai:gpt-4o-mini, or a local model with --base-url), or command:<program>";

impl ProviderSpec {
    /// Parses `claude-code`, `claude-code:opus`, `anthropic:M`, `openai:M`, `command:PROG`.
    pub fn parse(s: &str) -> Result<ProviderSpec> {
        let s = s.trim();
        let (head, rest) = match s.split_once(':') {
            Some((h, r)) => (h, r.trim()),
            None => (s, ""),
        };
        let kind = match head.to_ascii_lowercase().as_str() {
            "claude-code" | "claude" => Kind::ClaudeCode,
            "anthropic" => Kind::Anthropic,
            "openai" => Kind::OpenAi,
            "command" | "cmd" => Kind::Command,
            _ => {
                return Err(Error::usage_hint(
                    format!("unknown model provider `{}`", super::escape_ctl(head)),
                    SPEC_HINT,
                ));
            }
        };
        if rest.is_empty() && kind != Kind::ClaudeCode {
            return Err(Error::usage_hint(
                format!("`{}` needs a model name after the colon", kind.id()),
                SPEC_HINT,
            ));
        }
        if rest.chars().any(char::is_control) {
            return Err(Error::usage_hint(
                "the model name contains control characters",
                SPEC_HINT,
            ));
        }
        Ok(ProviderSpec {
            kind,
            model: rest.to_string(),
        })
    }

    /// The provider used when `--model` is given without a value that names one: Claude
    /// Code when `claude` is on PATH.
    pub fn default_available() -> Option<ProviderSpec> {
        find_on_path("claude").map(|_| ProviderSpec {
            kind: Kind::ClaudeCode,
            model: String::new(),
        })
    }
}

/// The full path of `program` on PATH (or the path itself when it has a slash).
pub fn find_on_path(program: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(program);
    if program.contains('/') {
        return p.is_file().then(|| p.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|c| is_executable(c))
}

fn is_executable(p: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// An API key read from the environment, kept out of Debug output.
#[derive(Clone)]
pub struct ApiKey(String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl ApiKey {
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of the key in `text` (error bodies can echo headers).
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_string();
        }
        text.replace(&self.0, "<redacted>")
    }
}

/// The environment variable holding a provider's key.
pub fn key_var(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Anthropic => Some("ANTHROPIC_API_KEY"),
        Kind::OpenAi => Some("OPENAI_API_KEY"),
        _ => None,
    }
}

/// Reads the key for `kind`. `required` is false for OpenAI-compatible local servers
/// (Ollama, llama.cpp) reached with `--base-url`, which usually need none.
pub fn read_key(kind: Kind, required: bool) -> Result<Option<ApiKey>> {
    let Some(var) = key_var(kind) else {
        return Ok(None);
    };
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Ok(Some(ApiKey(v.trim().to_string()))),
        _ if !required => Ok(None),
        _ => Err(Error::usage_hint(
            format!("--model {}:… needs an API key in ${var}", kind.id()),
            format!(
                "export {var}=… (the key is read from the environment only; skillforge never prints, logs or caches it){}",
                if kind == Kind::OpenAi {
                    "; a local OpenAI-compatible server (Ollama, vLLM, llama.cpp) needs none: pass --base-url http://127.0.0.1:11434/v1"
                } else {
                    ""
                }
            ),
        )),
    }
}

/// The API base URL: `--base-url`, else the provider's environment variable, else the
/// public endpoint. Always without a trailing slash.
pub fn base_url(kind: Kind, flag: Option<&str>) -> String {
    let from_env = |v: &str| std::env::var(v).ok().filter(|s| !s.trim().is_empty());
    let url = match (kind, flag) {
        (_, Some(u)) => u.to_string(),
        (Kind::Anthropic, None) => {
            from_env("ANTHROPIC_BASE_URL").unwrap_or_else(|| "https://api.anthropic.com".into())
        }
        (Kind::OpenAi, None) => {
            from_env("OPENAI_BASE_URL").unwrap_or_else(|| "https://api.openai.com/v1".into())
        }
        _ => String::new(),
    };
    url.trim().trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let s = ProviderSpec::parse("openai:gpt-4o-mini").unwrap();
        assert_eq!((s.kind, s.model.as_str()), (Kind::OpenAi, "gpt-4o-mini"));
        let s = ProviderSpec::parse("claude-code").unwrap();
        assert_eq!((s.kind, s.model.as_str()), (Kind::ClaudeCode, ""));
        let s = ProviderSpec::parse("command:codex exec --quiet").unwrap();
        assert_eq!(s.model, "codex exec --quiet");
        assert_eq!(s.to_string(), "command:codex exec --quiet");
        // Ollama tags keep their colon.
        let s = ProviderSpec::parse("openai:llama3.2:3b").unwrap();
        assert_eq!(s.model, "llama3.2:3b");
    }

    #[test]
    fn rejects_bad_specs() {
        assert!(ProviderSpec::parse("gpt4").is_err());
        assert!(ProviderSpec::parse("anthropic").is_err());
        assert!(ProviderSpec::parse("openai:").is_err());
        assert!(ProviderSpec::parse("openai:a\u{1b}[2J").is_err());
    }

    #[test]
    fn key_is_redacted() {
        let k = ApiKey("sk-secret-123".into());
        assert_eq!(format!("{k:?}"), "ApiKey(<redacted>)");
        assert_eq!(k.redact("bad key sk-secret-123!"), "bad key <redacted>!");
    }
}
