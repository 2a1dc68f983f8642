//! `.dockerignore` rules (`SF-dockerignore-…`), run on every `.dockerignore` of a skill:
//! files named `.dockerignore` / `*.dockerignore` / `dockerignore` (hidden ones included:
//! the skill model skips hidden files, these rules look for them) and fenced code blocks
//! tagged `dockerignore` in SKILL.md.
//!
//! Docker matches each pattern against paths relative to the build-context root (Go's
//! `filepath.Match` plus `**`): `.env` excludes only `./.env`, never `app/.env`; `**/.env`
//! excludes it at any depth.

use super::DockerMemo;
use crate::report::Severity;
use crate::rule::{Check, Ctx, Emitter, Rule};
use crate::skill::{Skill, Span};

/// One pattern line of a `.dockerignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreLine {
    /// The pattern as written (trimmed).
    pub pattern: String,
    /// `!pattern` (re-include).
    pub negated: bool,
    pub span: Span,
}

/// Where a `.dockerignore` came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoreOrigin {
    /// A fenced block in SKILL.md (index among the code blocks).
    Block(usize),
    /// A file, relative to the skill dir.
    File(String),
}

/// A parsed `.dockerignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreFile {
    pub origin: IgnoreOrigin,
    pub lines: Vec<IgnoreLine>,
    /// Span of the whole file/block start (for findings about what is missing).
    pub start: Span,
}

/// Parses `.dockerignore` text; `first_line` and `base_offset` place it in its file.
pub fn parse_ignore(text: &str, first_line: usize, base_offset: usize) -> Vec<IgnoreLine> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        let t = line.trim();
        let lead = line.len() - line.trim_start().len();
        if !t.is_empty() && !t.starts_with('#') {
            let (negated, pat) = match t.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, t),
            };
            out.push(IgnoreLine {
                pattern: pat.to_string(),
                negated,
                span: Span {
                    line: first_line + i,
                    col: lead + 1,
                    offset: base_offset + offset + lead,
                    len: t.len(),
                },
            });
        }
        offset += raw.len();
    }
    out
}

fn is_ignore_name(rel: &str) -> bool {
    let base = rel.rsplit('/').next().unwrap_or(rel);
    base == ".dockerignore" || base == "dockerignore" || base.ends_with(".dockerignore")
}

/// Every `.dockerignore` of a skill: SKILL.md blocks first, then files (sorted) from
/// the skill's listing (which holds hidden files); symlinks are never followed.
pub fn ignore_files_in(skill: &Skill) -> Vec<IgnoreFile> {
    let mut out = Vec::new();
    for (index, cb) in skill.doc.body.code_blocks.iter().enumerate() {
        if cb.fenced && cb.lang.eq_ignore_ascii_case("dockerignore") {
            out.push(IgnoreFile {
                origin: IgnoreOrigin::Block(index),
                lines: parse_ignore(&cb.code, cb.code_start_line, cb.code_offset),
                start: cb.span,
            });
        }
    }
    // The listing holds hidden files (`.dockerignore` in any folder), so no folder is
    // asked for one again.
    let rels: std::collections::BTreeSet<String> = skill
        .files
        .iter()
        .filter(|f| !f.is_symlink && is_ignore_name(&f.rel))
        .map(|f| f.rel.clone())
        .collect();
    for rel in rels {
        if let Some(text) = skill.read_file(&rel) {
            out.push(IgnoreFile {
                origin: IgnoreOrigin::File(rel),
                lines: parse_ignore(&text, 1, 0),
                start: Span {
                    line: 1,
                    col: 1,
                    offset: 0,
                    len: 0,
                },
            });
        }
    }
    out
}

/// The last path component a pattern names when it is a bare name (no `/` except a
/// trailing one and an optional leading one), else `None`.
fn bare_name(pattern: &str) -> Option<&str> {
    let p = pattern.strip_prefix('/').unwrap_or(pattern);
    let p = p.strip_suffix('/').unwrap_or(p);
    (!p.is_empty() && !p.contains('/')).then_some(p)
}

/// Does a bare name (possibly with `*`) name secret material?
pub fn secret_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    const EXACT: &[&str] = &[
        ".npmrc",
        ".pypirc",
        ".netrc",
        ".aws",
        ".ssh",
        ".git-credentials",
        "credentials.json",
        "id_rsa",
        "id_ed25519",
        "id_ecdsa",
    ];
    const SUFFIX: &[&str] = &[".pem", ".key", ".p12", ".pfx", ".jks", ".keystore"];
    EXACT.contains(&n.as_str())
        || n.starts_with(".env")
        || n.starts_with("*.env")
        || SUFFIX
            .iter()
            .any(|s| n.ends_with(s) || n.ends_with(&format!("{s}*")))
        || n.starts_with("id_rsa")
        || n.starts_with("id_ed25519")
}

fn covers_env(lines: &[IgnoreLine]) -> bool {
    lines.iter().any(|l| {
        !l.negated && {
            let last = l
                .pattern
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            last.starts_with(".env") || last == "*" || last == "**" || last == ".*"
        }
    })
}

fn covers_keys(lines: &[IgnoreLine]) -> bool {
    lines.iter().any(|l| {
        !l.negated && {
            let last = l
                .pattern
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            last.ends_with(".pem") || last.ends_with(".key") || last == "*" || last == "**"
        }
    })
}

fn emit_at(em: &mut Emitter, f: &IgnoreFile, span: Span, msg: String, hint: String) {
    let d = match &f.origin {
        IgnoreOrigin::File(rel) => em.emit_in(rel, Some(span), msg),
        IgnoreOrigin::Block(_) => em.emit(Some(span), msg),
    };
    d.hint = Some(hint);
}

fn r_root_only(cx: &Ctx, skill: &Skill, em: &mut Emitter) {
    if cx.config.docker_allowed(em.rule().id, &[]) {
        return;
    }
    for f in ignore_files_in(skill) {
        for l in f.lines.iter().filter(|l| !l.negated) {
            if l.pattern.starts_with("**/") {
                continue;
            }
            let Some(name) = bare_name(&l.pattern) else {
                continue;
            };
            if secret_like(name) {
                let example = if name.starts_with('*') {
                    format!("certs/x{}", name.trim_start_matches('*'))
                } else {
                    format!("app/{name}")
                };
                emit_at(
                    em,
                    &f,
                    l.span,
                    format!(
                        "`{}` matches only at the build-context root: `{example}` is still sent to the builder, and `COPY . .` bakes it into a layer",
                        l.pattern
                    ),
                    format!(
                        "write `**/{}` (`**/` matches any number of directories)",
                        l.pattern.trim_start_matches('/')
                    ),
                );
            }
        }
    }
}

/// The first Dockerfile instruction that copies the whole build context, as
/// (where, line).
fn copies_whole_context(em: &Emitter) -> Option<String> {
    for df in em.memo().dockerfiles().iter() {
        for st in &df.stages {
            for (i, c) in st.copies() {
                if c.from.is_none()
                    && !c.heredoc
                    && c.sources.iter().any(|s| matches!(s.as_str(), "." | "./"))
                {
                    let where_ = match &df.origin {
                        super::Origin::File { rel } => rel.clone(),
                        _ => "SKILL.md".to_string(),
                    };
                    return Some(format!("{where_}:{}", i.span.line));
                }
            }
        }
    }
    None
}

fn r_missing(cx: &Ctx, skill: &Skill, em: &mut Emitter) {
    if cx.config.docker_allowed(em.rule().id, &[]) {
        return;
    }
    let files = ignore_files_in(skill);
    if files.is_empty() {
        return;
    }
    let Some(copy_at) = copies_whole_context(em) else {
        return;
    };
    for f in files {
        let mut missing = Vec::new();
        if !covers_env(&f.lines) {
            missing.push("`.env*` files");
        }
        if !covers_keys(&f.lines) {
            missing.push("private keys (`*.pem`, `*.key`)");
        }
        if missing.is_empty() {
            continue;
        }
        let span = f.start;
        emit_at(
            em,
            &f,
            span,
            format!(
                "this .dockerignore excludes no {}, yet `COPY . .` ({copy_at}) sends the whole build context into the image",
                missing.join(" and no ")
            ),
            "add `**/.env` and `**/.env.*` (keep `!.env.example` if you ship one) and `**/*.pem`, `**/*.key`".into(),
        );
    }
}

/// The `.dockerignore` rules, in a stable order.
pub static RULES: &[Rule] = &[
    Rule {
        id: "SF-dockerignore-root-only-secret",
        severity: Severity::Warning,
        summary: "A .dockerignore pattern for secrets matches only at the context root",
        explain: "Docker matches .dockerignore patterns against paths relative to the build-context \
root, so `.env`, `*.pem`, `*.key` or `id_rsa` exclude only files at the top: `app/.env` or \
`certs/server.key` still reach the builder, and `COPY . .` copies them into a layer that \
anyone who pulls the image can read (deleting them later does not help). Write the pattern \
with a leading `**/` (`**/.env`, `**/*.key`), which matches at any depth. Patterns that name \
a specific path (`config/.env`) and re-includes (`!…`) are not judged. Applies to files named \
`.dockerignore`, `*.dockerignore`, `dockerignore` and to ```dockerignore blocks in SKILL.md. \
Reference: https://docs.docker.com/build/concepts/context/#dockerignore-files. Peer ids: none \
(hadolint and Docker's build checks do not read .dockerignore).",
        check: Check::Skill(r_root_only),
    },
    Rule {
        id: "SF-dockerignore-missing-secrets",
        severity: Severity::Warning,
        summary: "A Dockerfile copies the whole context but the .dockerignore excludes no .env files or keys",
        explain: "When a Dockerfile of the skill does `COPY . .` (or `COPY ./ …`), everything the \
.dockerignore does not exclude ends up in the image. A .dockerignore that names no `.env*` \
pattern, or no private-key pattern (`*.pem`, `*.key`), lets a developer's local `.env` or TLS \
key ride along into every pushed image. Add `**/.env`, `**/.env.*`, `**/*.pem` and \
`**/*.key` (re-include a committed `.env.example` with `!.env.example` if needed). A catch-all \
`*` (allow-list style .dockerignore) counts as covering both. Skills without any \
.dockerignore are not judged by this rule. Reference: \
https://docs.docker.com/build/concepts/context/#dockerignore-files. Peer ids: none.",
        check: Check::Skill(r_missing),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{Config, Ctx, lint_skill};
    use std::path::Path;

    fn skill_with(md: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, Skill) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("SKILL.md"), md).unwrap();
        for (rel, text) in files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let s = Skill::load(&dir).unwrap();
        (tmp, s)
    }

    fn diags(s: &Skill, id: &str) -> Vec<(String, usize, String)> {
        let cx = Ctx::new(Config::default());
        lint_skill(&cx, s)
            .into_iter()
            .filter(|d| d.rule == id)
            .map(|d| {
                (
                    d.file
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    d.span.map(|s| s.line).unwrap_or(0),
                    d.message.clone(),
                )
            })
            .collect()
    }

    const MD: &str = "---\nname: s\ndescription: d\n---\n# S\n";

    #[test]
    fn parse_keeps_lines_negation_and_offsets() {
        let l = parse_ignore("# c\n\n  .env\n!.env.example\r\n", 1, 0);
        assert_eq!(l.len(), 2);
        assert_eq!(
            (l[0].pattern.as_str(), l[0].span.line, l[0].span.col),
            (".env", 3, 3)
        );
        assert_eq!(l[0].span.offset, 7);
        assert!(l[1].negated && l[1].pattern == ".env.example");
    }

    #[test]
    fn secret_names() {
        for s in [
            ".env", ".env.*", "*.pem", "*.key", "id_rsa", ".npmrc", "*.p12",
        ] {
            assert!(secret_like(s), "{s}");
        }
        for s in [
            "node_modules",
            ".git",
            "*.log",
            "models",
            "keys.py",
            "__pycache__",
        ] {
            assert!(!secret_like(s), "{s}");
        }
    }

    #[test]
    fn root_only_fires_on_files_hidden_or_not_and_blocks() {
        let md = format!("{MD}\n```dockerignore\n**/.env\n*.pem\n```\n");
        let (_t, s) = skill_with(
            &md,
            &[
                (
                    "templates/.dockerignore",
                    ".git/\n.env\n/secrets.key\n**/*.key\nconfig/.env\n!.env.example\n",
                ),
                (
                    "templates/Dockerfile",
                    "FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\n",
                ),
            ],
        );
        let d = diags(&s, "SF-dockerignore-root-only-secret");
        let mut lines: Vec<(String, usize)> = d.iter().map(|(f, l, _)| (f.clone(), *l)).collect();
        lines.sort();
        assert_eq!(
            lines,
            vec![
                (".dockerignore".to_string(), 2),
                (".dockerignore".to_string(), 3),
                ("SKILL.md".to_string(), 9),
            ],
            "{d:?}"
        );
        assert!(d.iter().any(|x| x.2.contains("`app/.env`")), "{d:?}");
        assert!(d.iter().any(|x| x.2.contains("certs/x.pem")), "{d:?}");
    }

    #[test]
    fn root_only_is_quiet_for_recursive_patterns() {
        let (_t, s) = skill_with(
            MD,
            &[(
                ".dockerignore",
                "**/.env\n**/.env.*\n**/*.pem\n**/*.key\n.git/\nnode_modules/\n",
            )],
        );
        assert!(diags(&s, "SF-dockerignore-root-only-secret").is_empty());
        assert!(diags(&s, "SF-dockerignore-missing-secrets").is_empty());
    }

    #[test]
    fn missing_secrets_needs_copy_of_the_whole_context() {
        let ignore = ".git/\nnode_modules/\n";
        let df_all = "FROM node:24-alpine3.24\nWORKDIR /app\nCOPY . .\n";
        let (_t, s) = skill_with(MD, &[("Dockerfile", df_all), (".dockerignore", ignore)]);
        let d = diags(&s, "SF-dockerignore-missing-secrets");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].2.contains("`.env*`")
                && d[0].2.contains("*.key")
                && d[0].2.contains("Dockerfile:3")
        );
        // Only keys missing.
        let (_t, s) = skill_with(
            MD,
            &[("Dockerfile", df_all), (".dockerignore", "**/.env*\n")],
        );
        let d = diags(&s, "SF-dockerignore-missing-secrets");
        assert!(
            d.len() == 1 && !d[0].2.contains(".env") && d[0].2.contains("*.pem"),
            "{d:?}"
        );
        // Does not fire: selective COPY, allow-list ignore, no ignore file at all.
        let df_some = "FROM node:24-alpine3.24\nWORKDIR /app\nCOPY package.json server.js ./\n";
        let (_t, s) = skill_with(MD, &[("Dockerfile", df_some), (".dockerignore", ignore)]);
        assert!(diags(&s, "SF-dockerignore-missing-secrets").is_empty());
        let (_t, s) = skill_with(
            MD,
            &[("Dockerfile", df_all), (".dockerignore", "*\n!src/\n")],
        );
        assert!(diags(&s, "SF-dockerignore-missing-secrets").is_empty());
        let (_t, s) = skill_with(MD, &[("Dockerfile", df_all)]);
        assert!(diags(&s, "SF-dockerignore-missing-secrets").is_empty());
        // A Dockerfile block in SKILL.md counts too.
        let md = format!("{MD}\n```dockerfile\n{df_all}```\n\n```dockerignore\n.git/\n```\n");
        let (_t, s) = skill_with(&md, &[]);
        assert_eq!(diags(&s, "SF-dockerignore-missing-secrets").len(), 1);
    }

    #[test]
    fn symlinked_ignore_files_are_not_followed() {
        let (t, s) = skill_with(MD, &[]);
        #[cfg(unix)]
        {
            let outside = t.path().join("outside");
            std::fs::write(&outside, ".env\n").unwrap();
            std::os::unix::fs::symlink(&outside, s.dir.join(".dockerignore")).unwrap();
            let s = Skill::load(&s.dir).unwrap();
            assert!(ignore_files_in(&s).is_empty());
        }
        let _ = (t, Path::new(""));
    }

    #[test]
    fn rules_are_documented() {
        for r in RULES {
            assert!(r.id.starts_with("SF-dockerignore-"));
            assert!(r.explain.contains("Peer ids:"));
            assert!(crate::lint::find_rule(r.id).is_some());
        }
    }
}
