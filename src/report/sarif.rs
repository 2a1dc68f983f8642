//! SARIF 2.1.0 output (`lint --format sarif`, `test --format sarif`) for GitHub code
//! scanning and other SARIF viewers.
//!
//! One run, tool `skillforge`. `tool.driver.rules` lists the rules that produced a
//! result (id, short and full description, help text, `helpUri`, default level);
//! every result has `ruleId`, `ruleIndex`, `level`, a message, and a location whose
//! URI is relative to the current directory (`uriBaseId` `%SRCROOT%`, the checkout
//! root in CI), with a region (line, columns) when the finding has one.

use super::{Diagnostic, Severity};
use crate::skill::Span;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// The schema URI written into every log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// One rule as SARIF describes it.
#[derive(Debug, Clone)]
pub struct SarifRule {
    pub id: String,
    pub short: String,
    pub full: String,
    pub help: String,
    pub help_uri: String,
    pub level: Severity,
}

/// One result.
#[derive(Debug, Clone)]
pub struct SarifResult {
    pub rule: String,
    pub level: Severity,
    pub message: String,
    /// The file, when the result is about one.
    pub file: Option<std::path::PathBuf>,
    pub span: Option<Span>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes a path for a URI reference (keeps unreserved characters and `/`).
pub fn uri_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn artifact(file: &Path) -> Value {
    let shown = crate::lint::display_path(file);
    if Path::new(&shown).is_absolute() {
        let p = uri_path(&shown);
        let p = if p.starts_with('/') {
            p
        } else {
            format!("/{p}")
        };
        json!({ "uri": format!("file://{p}") })
    } else {
        json!({ "uri": uri_path(&shown), "uriBaseId": "%SRCROOT%" })
    }
}

/// Renders a SARIF 2.1.0 log. Rules that no result uses are left out.
pub fn render(rules: &[SarifRule], results: &[SarifResult]) -> String {
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rule_list: Vec<&SarifRule> = Vec::new();
    for r in results {
        if used.contains_key(r.rule.as_str()) {
            continue;
        }
        if let Some(rule) = rules.iter().find(|x| x.id == r.rule) {
            used.insert(&rule.id, rule_list.len());
            rule_list.push(rule);
        }
    }
    let rules_json: Vec<Value> = rule_list
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": { "text": r.short },
                "fullDescription": { "text": r.full },
                "help": { "text": r.help },
                "helpUri": r.help_uri,
                "defaultConfiguration": { "level": level(r.level) },
            })
        })
        .collect();
    let results_json: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut v = json!({
                "ruleId": r.rule,
                "level": level(r.level),
                "message": { "text": r.message },
            });
            if let Some(i) = used.get(r.rule.as_str()) {
                v["ruleIndex"] = json!(i);
            }
            if let Some(f) = &r.file {
                let mut phys = json!({ "artifactLocation": artifact(f) });
                if let Some(s) = r.span {
                    let mut region = json!({ "startLine": s.line.max(1) });
                    if s.col >= 1 {
                        region["startColumn"] = json!(s.col);
                        region["endColumn"] = json!(s.col + s.len.max(1));
                    }
                    phys["region"] = region;
                }
                v["locations"] = json!([{ "physicalLocation": phys }]);
            }
            v
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "skillforge",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules_json,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results_json,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// Where to read more about a lint rule: the hadolint page of its peer id, the
/// Docker docs for Dockerfile and Compose rules, the Agent Skills specification for
/// the rest.
pub fn help_uri(rule: &crate::lint::Rule) -> String {
    let peer = rule
        .explain
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| {
            w.len() == 6 && w.starts_with("DL") && w[2..].bytes().all(|b| b.is_ascii_digit())
        });
    if let Some(dl) = peer {
        return format!("https://github.com/hadolint/hadolint/wiki/{dl}");
    }
    if rule.id.starts_with("SF-compose-") {
        "https://docs.docker.com/reference/compose-file/".into()
    } else if rule.id.starts_with("SF-docker-") {
        "https://docs.docker.com/build/building/best-practices/".into()
    } else {
        "https://agentskills.io/specification".into()
    }
}

/// SARIF for `lint`: the registry's rules, one result per diagnostic.
pub fn lint(diags: &[Diagnostic]) -> String {
    let rules: Vec<SarifRule> = crate::lint::registry()
        .iter()
        .filter(|r| diags.iter().any(|d| d.rule == r.id))
        .map(|r| SarifRule {
            id: r.id.to_string(),
            short: r.summary.to_string(),
            full: r.summary.to_string(),
            help: format!(
                "{}\n\nRun `skillforge lint --explain {}` for details.",
                r.explain.trim(),
                r.id
            ),
            help_uri: help_uri(r),
            level: r.severity,
        })
        .collect();
    let results: Vec<SarifResult> = diags
        .iter()
        .map(|d| SarifResult {
            rule: d.rule.clone(),
            level: d.severity,
            message: match &d.hint {
                Some(h) => format!("{}\nhint: {h}", d.message),
                None => d.message.clone(),
            },
            file: Some(d.file.clone()),
            span: d.span,
        })
        .collect();
    render(&rules, &results)
}

/// SARIF for `test`: one rule per test prompt, one result per failed assertion
/// (an error when its lesson is below the threshold, else a warning), located at the
/// skill's SKILL.md.
pub fn test(report: &crate::eval::run::TestReport) -> String {
    let skill_md = Path::new(&report.skill).join("SKILL.md");
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for l in &report.lessons {
        for p in &l.prompts {
            let id = format!("lesson-{}/{}", l.lesson, p.id);
            let first = p.prompt.lines().next().unwrap_or("").to_string();
            let checks: Vec<String> = p
                .assertions
                .iter()
                .map(|a| format!("- {}", a.text))
                .collect();
            let doc = p
                .assertions
                .iter()
                .find_map(|a| a.doc.clone())
                .or_else(|| l.docs.first().cloned())
                .unwrap_or_else(|| "https://agentskills.io/specification".into());
            rules.push(SarifRule {
                id: id.clone(),
                short: format!("Lesson {} ({}): {first}", l.lesson, l.title),
                full: p.prompt.trim().to_string(),
                help: format!(
                    "A good answer to this prompt needs the skill to cover:\n{}",
                    checks.join("\n")
                ),
                help_uri: doc,
                level: Severity::Error,
            });
            for a in p.assertions.iter().filter(|a| a.passed == Some(false)) {
                let mut msg = format!("missing: {}", a.text);
                if let Some(n) = &a.note {
                    msg.push_str(&format!(" ({n})"));
                }
                if let Some(h) = &a.hint {
                    msg.push_str(&format!("\nhint: {h}"));
                }
                if let Some(d) = &a.doc {
                    msg.push_str(&format!("\ndocs: {d}"));
                }
                results.push(SarifResult {
                    rule: id.clone(),
                    level: if l.passed {
                        Severity::Warning
                    } else {
                        Severity::Error
                    },
                    message: msg,
                    file: Some(skill_md.clone()),
                    span: None,
                });
            }
        }
    }
    render(&rules, &results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_paths_are_encoded() {
        assert_eq!(uri_path("a b/SKILL.md"), "a%20b/SKILL.md");
        assert_eq!(uri_path("x\\y#z"), "x/y%23z");
    }

    #[test]
    fn help_uris_by_family() {
        let r = crate::lint::find_rule("SF-name-format").unwrap();
        assert_eq!(help_uri(r), "https://agentskills.io/specification");
        let r = crate::lint::find_rule("SF-compose-schema").unwrap();
        assert!(help_uri(r).starts_with("https://docs.docker.com/"));
        let r = crate::lint::find_rule("DL3007").unwrap();
        assert!(help_uri(r).contains("hadolint/wiki/DL"), "{}", help_uri(r));
    }
}
