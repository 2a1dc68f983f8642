//! Diagnostic renderers: rustc-style text, JSON, GitHub workflow annotations, JUnit.
//!
//! # JSON shape (`--format json`, version 1; fields are only ever added)
//! ```json
//! {
//!   "version": 1,
//!   "tool": "skillforge",
//!   "command": "lint",
//!   "skills": 3,
//!   "summary": { "errors": 1, "warnings": 2, "infos": 0 },
//!   "notes": ["Compose schema not in cache: …"],
//!   "diagnostics": [
//!     { "rule": "SF-name-matches-dir", "severity": "error",
//!       "file": "skills/foo/SKILL.md", "line": 2, "column": 7, "end_column": 10,
//!       "message": "…", "hint": "…" }
//!   ]
//! }
//! ```
//! `line`/`column` are 1-based and `null` for whole-file findings; `hint` may be `null`.
//!
//! `lint` adds `tokens` (token counts, see `lint::tokens`):
//! ```json
//! "tokens": { "encoding": "o200k_base", "approximates": "Claude's tokenizer (not published)",
//!   "skills": [ { "skill": "skills/foo", "description": 31, "body": 1840,
//!                 "files": [ { "file": "references/a.md", "tokens": 2210 } ] } ] }
//! ```

use super::{Counts, Diagnostic, Severity};
use anstyle::{AnsiColor, Style};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Loads source text for display (each file read once).
#[derive(Default)]
pub struct SourceCache {
    files: HashMap<PathBuf, Option<String>>,
}

impl SourceCache {
    /// Pre-seeds a file's text (e.g. SKILL.md already loaded in the model).
    pub fn insert(&mut self, path: PathBuf, text: String) {
        self.files.insert(path, Some(text));
    }

    fn get(&mut self, path: &Path) -> Option<&str> {
        self.files
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                crate::fsutil::read_capped(path, crate::skill::DEFAULT_SIZE_CAP)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
            })
            .as_deref()
    }
}

fn rel(path: &Path) -> String {
    crate::lint::display_path(path)
}

/// Longest message or hint shown in line-based output (JSON and SARIF keep it whole): a
/// rule quoting a 200,000-character `name:` value must not print it.
const MAX_MESSAGE_CHARS: usize = 1000;

/// A message or hint as one bounded line: control characters (newlines included)
/// escaped, cut with `…` beyond [`MAX_MESSAGE_CHARS`].
fn one_line(s: &str) -> String {
    crate::term::ellipsize(&crate::term::escape_line(s), MAX_MESSAGE_CHARS).into_owned()
}

/// [`rel`] for line-based output: a file name holding a newline or an escape sequence
/// is shown escaped, so it cannot start a line of its own or drive the terminal.
fn rel_line(path: &Path) -> String {
    let r = rel(path);
    crate::term::escape_line(&r).into_owned()
}

struct Palette {
    error: Style,
    warning: Style,
    info: Style,
    bold: Style,
    blue: Style,
}

impl Palette {
    fn new(color: bool) -> Self {
        if !color {
            let s = Style::new();
            return Palette {
                error: s,
                warning: s,
                info: s,
                bold: s,
                blue: s,
            };
        }
        Palette {
            error: Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            warning: Style::new().bold().fg_color(Some(AnsiColor::Yellow.into())),
            info: Style::new().bold().fg_color(Some(AnsiColor::Cyan.into())),
            bold: Style::new().bold(),
            blue: Style::new().bold().fg_color(Some(AnsiColor::Blue.into())),
        }
    }

    fn sev(&self, s: Severity) -> Style {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }
}

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Widest source excerpt shown around a finding (characters on each side).
const CONTEXT: usize = 60;
/// Widest marked span shown.
const MARKED: usize = 80;

/// The part of the finding's line to show: (text before the span, the span, text
/// after), each cut to a window around the span with `…` where cut. Works from the
/// span's byte offset, so a finding on a 300 KB line costs its window, not the line.
fn snippet_window(text: &str, span: crate::skill::Span) -> (String, String, String) {
    let clean = |s: &str| crate::term::escape_line(&s.replace('\t', "    ")).into_owned();
    let bytes = text.as_bytes();
    let mut off = span.offset.min(text.len());
    // Some spans carry only line and column: find the offset from them.
    if memchr::memchr_iter(b'\n', &bytes[..off]).count() + 1 != span.line {
        let start = if span.line <= 1 {
            0
        } else {
            memchr::memchr_iter(b'\n', bytes)
                .nth(span.line - 2)
                .map(|i| i + 1)
                .unwrap_or(text.len())
        };
        let line = &text[start..];
        off = start
            + line
                .char_indices()
                .nth(span.col.saturating_sub(1))
                .map(|(i, _)| i)
                .unwrap_or(0);
    }
    let line_start = memchr::memrchr(b'\n', &bytes[..off])
        .map(|i| i + 1)
        .unwrap_or(0);
    let line_end = memchr::memchr(b'\n', &bytes[off..])
        .map(|i| off + i)
        .unwrap_or(text.len());
    let line_end = if line_end > line_start && bytes[line_end - 1] == b'\r' {
        line_end - 1
    } else {
        line_end
    };
    let end = (off + span.len).min(line_end).max(off);
    let floor = |mut i: usize| {
        while i > 0 && !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let ceil = |mut i: usize| {
        while i < text.len() && !text.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    // Byte windows (at most 4 bytes a character), trimmed to characters below.
    let from = floor(off.saturating_sub(CONTEXT * 4).max(line_start));
    let to = ceil((end + CONTEXT * 4).min(line_end));
    let off = floor(off);
    let end = ceil(end);
    let before_full = &text[from..off];
    let before: String = {
        let n = before_full.chars().count();
        let kept: String = before_full
            .chars()
            .skip(n.saturating_sub(CONTEXT))
            .collect();
        if n > CONTEXT || from > line_start {
            format!("…{kept}")
        } else {
            kept
        }
    };
    let marked_full = &text[off..end];
    let marked: String = if marked_full.chars().count() > MARKED {
        format!("{}…", marked_full.chars().take(MARKED).collect::<String>())
    } else {
        marked_full.to_string()
    };
    let after_full = &text[end..to];
    let after: String = {
        let n = after_full.chars().count();
        let kept: String = after_full.chars().take(CONTEXT).collect();
        if n > CONTEXT || to < line_end {
            format!("{kept}…")
        } else {
            kept
        }
    };
    (clean(&before), clean(&marked), clean(&after))
}

/// Findings of one rule in one file shown in text output before "… and N more".
pub const PER_RULE_FILE: usize = 20;

/// rustc-style rendering of one diagnostic.
pub fn text_one(d: &Diagnostic, sources: &mut SourceCache, color: bool) -> String {
    let p = Palette::new(color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{}",
        paint(p.sev(d.severity), &format!("{}[{}]", d.severity, d.rule)),
        // One line each: a message quoting a decoded `%0A` must not start a new line
        // (`::error …` would be read as a CI command).
        paint(p.bold, &format!(": {}", one_line(&d.message)))
    );
    match d.span {
        Some(span) => {
            let gutter = span.line.to_string().len();
            let pad = " ".repeat(gutter);
            let _ = writeln!(
                out,
                "{pad}{} {}:{}:{}",
                paint(p.blue, "-->"),
                rel_line(&d.file),
                span.line,
                span.col
            );
            if let Some(text) = sources.get(&d.file) {
                let (before, marked, after) = snippet_window(text, span);
                let shown = format!("{before}{marked}{after}");
                let _ = writeln!(out, "{pad} {}", paint(p.blue, "|"));
                let _ = writeln!(
                    out,
                    "{} {} {}",
                    paint(p.blue, &span.line.to_string()),
                    paint(p.blue, "|"),
                    shown
                );
                let indent = before.chars().count();
                let width = marked.chars().count().max(1);
                let _ = writeln!(
                    out,
                    "{pad} {} {}{}",
                    paint(p.blue, "|"),
                    " ".repeat(indent),
                    paint(p.sev(d.severity), &"^".repeat(width))
                );
            }
        }
        None => {
            let _ = writeln!(out, " {} {}", paint(p.blue, "-->"), rel_line(&d.file));
        }
    }
    if let Some(h) = &d.hint {
        let h = one_line(h);
        let _ = writeln!(out, "  {} {h}", paint(p.bold, "= hint:"));
    }
    out
}

/// The summary line: `3 skills checked: 1 error, 2 warnings, 0 infos`.
pub fn summary_line(skills: usize, c: Counts, color: bool) -> String {
    let p = Palette::new(color);
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let body = format!(
        "{} checked: {}, {}, {}",
        plural(skills, "skill"),
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.infos, "info"),
    );
    let style = if c.errors > 0 {
        p.error
    } else if c.warnings > 0 {
        p.warning
    } else {
        p.bold
    };
    paint(style, &body)
}

/// Full text report.
pub fn text(
    diags: &[Diagnostic],
    skills: usize,
    notes: &[String],
    sources: &mut SourceCache,
    color: bool,
) -> String {
    let mut out = String::new();
    // A flood of one finding (10,000 broken links on one line) is summarised per rule
    // and file; JSON and the other formats keep every finding.
    let mut seen: std::collections::HashMap<(&str, &std::path::Path), usize> =
        std::collections::HashMap::new();
    let mut hidden: Vec<((&str, &std::path::Path), usize)> = Vec::new();
    for d in diags {
        let n = seen.entry((d.rule.as_ref(), d.file.as_path())).or_insert(0);
        *n += 1;
        if *n > PER_RULE_FILE {
            match hidden
                .iter_mut()
                .find(|(k, _)| *k == (d.rule.as_ref(), d.file.as_path()))
            {
                Some((_, c)) => *c += 1,
                None => hidden.push(((d.rule.as_ref(), d.file.as_path()), 1)),
            }
            continue;
        }
        out.push_str(&text_one(d, sources, color));
        out.push('\n');
    }
    for ((rule, file), n) in &hidden {
        let _ = writeln!(
            out,
            "… and {n} more {rule} in {} (--format json lists every finding)\n",
            rel_line(file)
        );
    }
    for n in notes {
        let _ = writeln!(out, "note: {n}");
    }
    out.push_str(&summary_line(skills, Counts::of(diags), color));
    out.push('\n');
    out
}

/// JSON report (see the module docs for the shape).
pub fn json(command: &str, diags: &[Diagnostic], skills: usize, notes: &[String]) -> String {
    json_with(command, diags, skills, notes, None::<&()>)
}

/// JSON report with an extra top-level `tokens` field (`lint`: token counts per skill).
pub fn json_with<T: serde::Serialize>(
    command: &str,
    diags: &[Diagnostic],
    skills: usize,
    notes: &[String],
    tokens: Option<&T>,
) -> String {
    let mut out = Vec::new();
    if json_write(&mut out, command, diags, skills, notes, tokens).is_err() {
        return "{}\n".into();
    }
    String::from_utf8(out).unwrap_or_else(|_| "{}\n".into())
}

/// [`json_with`], written to `w` as it is serialised (a large report is never held
/// in memory as a whole).
pub fn json_write<W: std::io::Write, T: serde::Serialize>(
    w: W,
    command: &str,
    diags: &[Diagnostic],
    skills: usize,
    notes: &[String],
    tokens: Option<&T>,
) -> std::io::Result<()> {
    // Serialised straight from borrowed structs (no intermediate `Value` tree): this
    // runs on the main thread after the parallel lint, once per finding.
    #[derive(serde::Serialize)]
    struct Item<'a> {
        rule: &'a str,
        severity: Severity,
        file: String,
        line: Option<usize>,
        column: Option<usize>,
        end_column: Option<usize>,
        message: &'a str,
        hint: Option<&'a str>,
    }
    /// The findings, turned into items one at a time while they are written.
    struct Items<'a>(&'a [Diagnostic]);
    impl serde::Serialize for Items<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(|d| Item {
                rule: &d.rule,
                severity: d.severity,
                file: rel(&d.file),
                line: d.span.map(|s| s.line),
                column: d.span.map(|s| s.col),
                end_column: d.span.map(|s| s.col + s.len.max(1)),
                message: &d.message,
                hint: d.hint.as_deref(),
            }))
        }
    }
    #[derive(serde::Serialize)]
    struct Report<'a, T: serde::Serialize> {
        version: u32,
        tool: &'a str,
        command: &'a str,
        skills: usize,
        summary: Counts,
        notes: &'a [String],
        diagnostics: Items<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tokens: Option<&'a T>,
    }
    let report = Report {
        version: 1,
        tool: "skillforge",
        command,
        skills,
        summary: Counts::of(diags),
        notes,
        diagnostics: Items(diags),
        tokens,
    };
    use std::io::Write as _;
    let mut w = std::io::BufWriter::with_capacity(64 * 1024, w);
    serde_json::to_writer_pretty(&mut w, &report).map_err(std::io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// Escapes a GitHub workflow-command message (`%`, CR, LF), and any other control
/// character as `\xNN` so file contents cannot inject a command or drive a terminal.
pub fn gh_escape_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    crate::term::escape_controls(&s).into_owned()
}

/// Escapes a workflow-command property (also `:` and `,`).
pub fn gh_escape_prop(s: &str) -> String {
    gh_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`).
pub fn github(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!("file={}", gh_escape_prop(&rel(&d.file)));
        if let Some(s) = d.span {
            let _ = write!(props, ",line={},col={}", s.line, s.col);
        }
        let _ = write!(props, ",title={}", gh_escape_prop(&d.rule));
        let mut msg = d.message.clone();
        if let Some(h) = &d.hint {
            msg.push_str("\nhint: ");
            msg.push_str(h);
        }
        let _ = writeln!(out, "::{level} {props}::{}", gh_escape_data(&msg));
    }
    out
}

/// XML text escaping.
pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => o.push(c),
        }
    }
    o
}

/// JUnit XML for lint: one testsuite, one testcase per skill; each error (and warning
/// with `deny_warnings`) is a failure.
pub fn junit(skill_dirs: &[PathBuf], diags: &[Diagnostic], deny_warnings: bool) -> String {
    let failing = |d: &Diagnostic| {
        d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
    };
    let mut cases = String::new();
    let mut failures = 0;
    for dir in skill_dirs {
        let mine: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.file.starts_with(dir) && failing(d))
            .collect();
        let name = xml_escape(&rel_line(dir));
        if mine.is_empty() {
            let _ = writeln!(
                cases,
                "    <testcase classname=\"skillforge.lint\" name=\"{name}\"/>"
            );
        } else {
            failures += 1;
            let body: String = mine
                .iter()
                .map(|d| {
                    format!(
                        "{}:{}: {}[{}] {}{}\n",
                        rel_line(&d.file),
                        d.line().map(|l| l.to_string()).unwrap_or_default(),
                        d.severity,
                        d.rule,
                        one_line(&d.message),
                        d.hint
                            .as_deref()
                            .map(|h| format!(" (hint: {})", one_line(h)))
                            .unwrap_or_default()
                    )
                })
                .collect();
            let _ = writeln!(
                cases,
                "    <testcase classname=\"skillforge.lint\" name=\"{name}\">\n      <failure message=\"{} finding(s)\">{}</failure>\n    </testcase>",
                mine.len(),
                xml_escape(&body)
            );
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"skillforge lint\" tests=\"{}\" failures=\"{failures}\">\n{cases}  </testsuite>\n</testsuites>\n",
        skill_dirs.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_windowed_around_the_span() {
        let line = format!("{}TARGET{}", "a".repeat(5000), "b".repeat(5000));
        let text = format!("first\n{line}\nlast\n");
        let off = 6 + 5000;
        let span = crate::skill::Span {
            line: 2,
            col: 5001,
            offset: off,
            len: 6,
        };
        let (before, marked, after) = snippet_window(&text, span);
        assert_eq!(marked, "TARGET");
        assert!(before.starts_with('…') && before.chars().count() == CONTEXT + 1);
        assert!(after.ends_with('…') && after.chars().count() == CONTEXT + 1);
        // A span known only by line and column finds its offset.
        let (b2, m2, _) = snippet_window(&text, crate::skill::Span { offset: 0, ..span });
        assert_eq!((b2, m2), (before, marked));
        // A short line is shown whole.
        let (b, m, a) = snippet_window(
            "x = bad\n",
            crate::skill::Span {
                line: 1,
                col: 5,
                offset: 4,
                len: 3,
            },
        );
        assert_eq!((b.as_str(), m.as_str(), a.as_str()), ("x = ", "bad", ""));
    }
    use crate::skill::Span;

    fn diag() -> Diagnostic {
        Diagnostic::new(
            "SF-x",
            Severity::Error,
            "/nonexistent/SKILL.md",
            Some(Span {
                line: 2,
                col: 7,
                offset: 10,
                len: 3,
            }),
            "bad, really",
        )
        .with_hint("fix it")
    }

    #[test]
    fn text_shows_source_line_and_caret() {
        let mut sc = SourceCache::default();
        sc.insert(
            "/nonexistent/SKILL.md".into(),
            "---\nname: Foo\n---\n".into(),
        );
        let t = text_one(&diag(), &mut sc, false);
        assert!(t.contains("error[SF-x]: bad, really"), "{t}");
        assert!(t.contains("/nonexistent/SKILL.md:2:7"), "{t}");
        assert!(t.contains("2 | name: Foo"), "{t}");
        assert!(t.contains("  |       ^^^"), "{t}");
        assert!(t.contains("= hint: fix it"), "{t}");
        assert!(!t.contains('\u{1b}'));
    }

    #[test]
    fn github_escapes() {
        let g = github(&[diag()]);
        assert!(g.starts_with("::error file=/nonexistent/SKILL.md,line=2,col=7,title=SF-x::bad, really%0Ahint: fix it"), "{g}");
    }

    #[test]
    fn json_shape() {
        let j: serde_json::Value = serde_json::from_str(&json("lint", &[diag()], 1, &[])).unwrap();
        assert_eq!(j["version"], 1);
        assert_eq!(j["summary"]["errors"], 1);
        assert_eq!(j["diagnostics"][0]["line"], 2);
        assert_eq!(j["diagnostics"][0]["rule"], "SF-x");
    }

    #[test]
    fn junit_counts_failures() {
        let x = junit(&[PathBuf::from("/nonexistent")], &[diag()], false);
        assert!(x.contains("failures=\"1\""));
        assert!(x.contains("bad, really"));
    }
}
