//! `skillforge.toml`: profile, per-rule severity, allow-lists.
//!
//! ```toml
//! [lint]
//! profile = "claude-code"        # default | strict | claude-code
//! deny-warnings = false
//! unicode-names = false          # allow Unicode lowercase letters in names
//!
//! [lint.rules]                   # per-rule severity: error | warning | info | off
//! SF-description-when-cue = "off"
//! SF-docker-apt-pin = "info"
//!
//! [lint.budgets]                 # token budgets (o200k_base counts, see lint::tokens)
//! body = 5000                    # SKILL.md body (SF-body-tokens)
//! reference = 10000              # each references/ document (SF-reference-tokens)
//!
//! [docker]
//! allow = ["DL3008", "SF-docker-no-healthcheck"]   # Dockerfile/Compose rules turned off
//! ```
//! Other tables (`[fetch]`, `[new]`) belong to their commands, which read them from
//! [`Config::table`].

use crate::error::{Error, Result};
use crate::report::{Diagnostic, Severity};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "skillforge.toml";

/// A validation profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Spec fields checked; unknown fields are warnings
    #[default]
    Default,
    /// Spec-only, like the reference validator: unknown fields are errors
    Strict,
    /// Claude Code's extra frontmatter fields are accepted
    ClaudeCode,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Default => "default",
            Profile::Strict => "strict",
            Profile::ClaudeCode => "claude-code",
        }
    }
}

/// Token budgets: warnings past these token counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// The SKILL.md body (default 5,000, the spec's recommendation).
    pub body: usize,
    /// Each document under references/ (default 10,000; an error past 2.5 times it).
    pub reference: usize,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets {
            body: 5_000,
            reference: 10_000,
        }
    }
}

/// Effective configuration (file + command-line overrides).
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub profile: Profile,
    pub deny_warnings: bool,
    pub unicode_names: bool,
    /// Rule id → severity, `None` meaning off. Keys are stored as written.
    pub rules: BTreeMap<String, Option<Severity>>,
    /// Dockerfile/Compose rule ids (ours or peer ids like DL3008) turned off.
    pub docker_allow: Vec<String>,
    /// Token budgets (`[lint.budgets]`).
    pub budgets: Budgets,
    /// Where the config was read from.
    pub path: Option<PathBuf>,
    /// The whole file, for commands that own other tables.
    pub table: toml::Table,
}

impl Config {
    /// Finds `skillforge.toml` from `start` upwards, stopping at a git root.
    pub fn discover(start: &Path) -> Result<Config> {
        let start = if start.is_file() {
            start.parent().unwrap_or(Path::new("."))
        } else {
            start
        };
        let abs = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
        let mut dir: Option<&Path> = Some(&abs);
        while let Some(d) = dir {
            let candidate = d.join(CONFIG_FILE);
            if candidate.is_file() {
                return Config::load(&candidate);
            }
            if d.join(".git").exists() {
                break;
            }
            dir = d.parent();
        }
        Ok(Config::default())
    }

    /// Reads and validates one config file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = crate::fsutil::read_text_capped(path, 1024 * 1024)?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            Error::input_at(
                path,
                line,
                format!("invalid TOML: {}", e.message()),
                Some("see `skillforge lint --help` for the config format".into()),
            )
        })?;
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.contains(needle))
                .map(|i| i + 1)
                .unwrap_or(1)
        };
        let mut cfg = Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        if let Some(lint) = table.get("lint") {
            let lint = lint.as_table().ok_or_else(|| {
                Error::input_at(path, line_of("lint"), "[lint] must be a table", None)
            })?;
            for (k, v) in lint {
                match k.as_str() {
                    "profile" => {
                        let s = v.as_str().unwrap_or("");
                        cfg.profile = match s {
                            "default" => Profile::Default,
                            "strict" => Profile::Strict,
                            "claude-code" => Profile::ClaudeCode,
                            _ => {
                                return Err(Error::input_at(
                                    path,
                                    line_of("profile"),
                                    format!("unknown profile {v}"),
                                    Some("use one of: default, strict, claude-code".into()),
                                ));
                            }
                        }
                    }
                    "deny-warnings" | "unicode-names" => {
                        let b = v.as_bool().ok_or_else(|| {
                            Error::input_at(
                                path,
                                line_of(k),
                                format!("`{k}` must be true or false"),
                                None,
                            )
                        })?;
                        if k == "deny-warnings" {
                            cfg.deny_warnings = b;
                        } else {
                            cfg.unicode_names = b;
                        }
                    }
                    "rules" => {
                        let rules = v.as_table().ok_or_else(|| {
                            Error::input_at(
                                path,
                                line_of("rules"),
                                "[lint.rules] must be a table",
                                None,
                            )
                        })?;
                        for (id, sev) in rules {
                            let s = sev.as_str().unwrap_or("");
                            let parsed = if s.eq_ignore_ascii_case("off")
                                || s.eq_ignore_ascii_case("allow")
                            {
                                None
                            } else {
                                Some(Severity::parse(s).ok_or_else(|| {
                                    Error::input_at(
                                        path,
                                        line_of(id),
                                        format!("invalid severity {sev} for {id}"),
                                        Some("use error, warning, info or off".into()),
                                    )
                                })?)
                            };
                            cfg.rules.insert(id.clone(), parsed);
                        }
                    }
                    "budgets" => {
                        let t = v.as_table().ok_or_else(|| {
                            Error::input_at(
                                path,
                                line_of("budgets"),
                                "[lint.budgets] must be a table",
                                None,
                            )
                        })?;
                        for (name, val) in t {
                            let n = val
                                .as_integer()
                                .filter(|n| *n > 0)
                                .and_then(|n| usize::try_from(n).ok())
                                .ok_or_else(|| {
                                    Error::input_at(
                                        path,
                                        line_of(name),
                                        format!(
                                            "budget `{name}` must be a positive number of tokens"
                                        ),
                                        Some("e.g. body = 5000".into()),
                                    )
                                })?;
                            match name.as_str() {
                                "body" => cfg.budgets.body = n,
                                "reference" => cfg.budgets.reference = n,
                                other => {
                                    return Err(Error::input_at(
                                        path,
                                        line_of(other),
                                        format!("unknown budget `{other}` in [lint.budgets]"),
                                        Some("known budgets: body, reference".into()),
                                    ));
                                }
                            }
                        }
                    }
                    other => {
                        return Err(Error::input_at(
                            path,
                            line_of(other),
                            format!("unknown key `{other}` in [lint]"),
                            Some(
                                "known keys: profile, deny-warnings, unicode-names, rules, budgets"
                                    .into(),
                            ),
                        ));
                    }
                }
            }
        }
        if let Some(docker) = table.get("docker").and_then(|d| d.as_table())
            && let Some(allow) = docker.get("allow")
        {
            let list = allow.as_array().ok_or_else(|| {
                Error::input_at(
                    path,
                    line_of("allow"),
                    "[docker] allow must be a list of rule ids",
                    None,
                )
            })?;
            for item in list {
                let id = item.as_str().ok_or_else(|| {
                    Error::input_at(
                        path,
                        line_of("allow"),
                        "[docker] allow entries must be strings",
                        None,
                    )
                })?;
                cfg.docker_allow.push(id.to_string());
            }
        }
        cfg.table = table;
        Ok(cfg)
    }

    /// The configured severity for a rule id: `Some(None)` = off, `None` = not configured.
    fn configured(&self, id: &str) -> Option<Option<Severity>> {
        self.rules
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(id))
            .map(|(_, v)| *v)
    }

    /// True when the rule is turned off by config.
    pub fn is_off(&self, id: &str) -> bool {
        matches!(self.configured(id), Some(None))
            || self.docker_allow.iter().any(|a| a.eq_ignore_ascii_case(id))
    }

    /// True when a Dockerfile/Compose rule or one of its peer ids is allow-listed.
    pub fn docker_allowed(&self, id: &str, peers: &[&str]) -> bool {
        self.is_off(id)
            || peers
                .iter()
                .any(|p| self.docker_allow.iter().any(|a| a.eq_ignore_ascii_case(p)))
    }

    /// Applies per-rule severities from config to produced diagnostics, dropping "off".
    pub fn apply_overrides(&self, diags: &mut Vec<Diagnostic>) {
        if self.rules.is_empty() {
            return;
        }
        diags.retain_mut(|d| match self.configured(&d.rule) {
            Some(None) => false,
            Some(Some(sev)) => {
                d.severity = sev;
                true
            }
            None => true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_profile_rules_and_allow() {
        let c = Config::parse(
            "[lint]\nprofile = \"strict\"\n[lint.rules]\nSF-x = \"off\"\nSF-y = \"info\"\n[docker]\nallow = [\"DL3008\"]\n",
            Path::new("skillforge.toml"),
        )
        .unwrap();
        assert_eq!(c.profile, Profile::Strict);
        assert!(c.is_off("SF-x"));
        assert!(!c.is_off("SF-y"));
        assert!(c.docker_allowed("SF-docker-apt-pin", &["DL3008"]));
        let mut d = vec![Diagnostic::new("SF-y", Severity::Error, "f", None, "m")];
        c.apply_overrides(&mut d);
        assert_eq!(d[0].severity, Severity::Info);
    }

    #[test]
    fn budgets_are_configurable_and_checked() {
        let c = Config::parse(
            "[lint.budgets]\nbody = 800\nreference = 2000\n",
            Path::new("skillforge.toml"),
        )
        .unwrap();
        assert_eq!(
            c.budgets,
            Budgets {
                body: 800,
                reference: 2000
            }
        );
        assert_eq!(Config::default().budgets.body, 5000);
        for bad in [
            "[lint.budgets]\nbody = -1\n",
            "[lint.budgets]\nbody = \"big\"\n",
            "[lint.budgets]\nscripts = 10\n",
        ] {
            let e = Config::parse(bad, Path::new("skillforge.toml")).unwrap_err();
            assert!(e.render().contains("skillforge.toml:2"), "{}", e.render());
        }
    }

    #[test]
    fn bad_config_is_a_located_input_error() {
        let e = Config::parse(
            "[lint]\nprofile = \"loose\"\n",
            Path::new("skillforge.toml"),
        )
        .unwrap_err();
        assert!(e.render().contains("skillforge.toml:2"), "{}", e.render());
        let e = Config::parse("[lint\n", Path::new("skillforge.toml")).unwrap_err();
        assert!(matches!(e, Error::Input { .. }));
    }
}
