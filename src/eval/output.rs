//! Renderers of a [`TestReport`]: text (per-lesson detail or a table), JSON, JUnit XML.

use super::run::{LessonResult, TestReport};
use std::fmt::Write;

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

fn verdict(p: &Paint, passed: bool) -> String {
    if passed {
        p.green("PASS")
    } else {
        p.red("FAIL")
    }
}

fn score(x: f64) -> String {
    format!("{x:.2}")
}

/// Detailed text for each lesson (used for `--lesson N`).
pub fn text_detail(r: &TestReport, color: bool) -> String {
    text_detail_verbose(r, color, false)
}

/// Detailed text; `verbose` adds each miss's matcher (regexes, predicate names).
pub fn text_detail_verbose(r: &TestReport, color: bool, verbose: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    for l in &r.lessons {
        lesson_detail(&mut out, &p, r, l, verbose);
    }
    out
}

fn lesson_detail(out: &mut String, p: &Paint, r: &TestReport, l: &LessonResult, verbose: bool) {
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!(
            "Lesson {} ({}): {}",
            l.lesson, r.curriculum, l.title
        ))
    );
    let _ = writeln!(out, "skill: {}", r.skill);
    if !l.docs.is_empty() {
        let _ = writeln!(out, "docs:  {}", l.docs.join("\n       "));
    }
    for pr in &l.prompts {
        let _ = writeln!(out);
        let sc = pr.score.map(score).unwrap_or_else(|| "n/a".into());
        let first_line = crate::term::first_line(&pr.prompt, 100);
        let _ = writeln!(out, "{} {}  score {}", p.bold("prompt"), pr.id, p.bold(&sc));
        let _ = writeln!(out, "  {}", p.dim(&format!("\"{first_line}\"")));
        for a in &pr.assertions {
            let w = if (a.weight - a.weight.round()).abs() < 1e-9 {
                format!("{}", a.weight as i64)
            } else {
                format!("{}", a.weight)
            };
            match a.passed {
                Some(true) => {
                    let ev: Vec<String> =
                        a.evidence.iter().take(3).map(|e| e.to_string()).collect();
                    let _ = writeln!(out, "  {} [{w}] {}", p.green("✓"), a.text);
                    if !ev.is_empty() {
                        let _ =
                            writeln!(out, "        {}", p.dim(&format!("at {}", ev.join(", "))));
                    }
                }
                Some(false) => {
                    let _ = writeln!(out, "  {} [{w}] {}", p.red("✗"), a.text);
                    if let Some(n) = &a.note {
                        let _ = writeln!(out, "        missing: {n}");
                    }
                    if let Some(h) = &a.hint {
                        let _ = writeln!(out, "        hint:    {h}");
                    }
                    if let Some(d) = &a.doc {
                        let _ = writeln!(out, "        docs:    {d}");
                    }
                    if verbose && let Some(m) = &a.matcher {
                        let _ = writeln!(out, "        {}", p.dim(&format!("matcher: {m}")));
                    }
                }
                None => {
                    let _ = writeln!(out, "  {} [{w}] {}", p.yellow("?"), a.text);
                    let _ = writeln!(
                        out,
                        "        not machine-checkable (no `check`): not scored"
                    );
                }
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Lesson {} score {} (min {}): {}  [{} passed, {} failed{}]",
        l.lesson,
        p.bold(&score(l.score)),
        score(r.min_score),
        verdict(p, l.passed),
        l.assertions_passed,
        l.assertions_failed,
        if l.assertions_unchecked > 0 {
            format!(", {} not machine-checkable", l.assertions_unchecked)
        } else {
            String::new()
        }
    );
    let _ = writeln!(out);
}

/// A table of lessons (used for `--all`).
pub fn text_table(r: &TestReport, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "skill: {}  curriculum: {}  min score: {}",
        r.skill,
        r.curriculum,
        score(r.min_score)
    );
    let width = r
        .lessons
        .iter()
        .map(|l| l.title.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 60);
    let _ = writeln!(
        out,
        "{:>6}  {:<width$}  {:>5}  result",
        "lesson", "title", "score"
    );
    for l in &r.lessons {
        let title: String = l.title.chars().take(width).collect();
        let _ = writeln!(
            out,
            "{:>6}  {:<width$}  {:>5}  {}",
            l.lesson,
            title,
            score(l.score),
            verdict(&p, l.passed)
        );
    }
    let failed: Vec<String> = r
        .lessons
        .iter()
        .filter(|l| !l.passed)
        .map(|l| l.lesson.to_string())
        .collect();
    let _ = writeln!(out);
    if failed.is_empty() {
        let _ = writeln!(out, "{} lessons pass.", r.lessons.len());
    } else {
        let _ = writeln!(
            out,
            "{} of {} lessons below {}: {}. Details: skillforge test --lesson N",
            failed.len(),
            r.lessons.len(),
            score(r.min_score),
            failed.join(", ")
        );
    }
    out
}

/// GitHub Actions workflow commands: one `::error` per missed assertion, on the file
/// and line its evidence points to (a Dockerfile block in SKILL.md, a template line),
/// else on the skill's SKILL.md; one `::notice` (pass) or `::error` (fail) per lesson.
pub fn github(r: &TestReport, skill_dir: &std::path::Path) -> String {
    use crate::report::render::{gh_escape_data as data, gh_escape_prop as prop};
    let shown = |rel: &str| crate::lint::display_path(&skill_dir.join(rel));
    let mut out = String::new();
    for l in &r.lessons {
        for p in &l.prompts {
            for a in p.assertions.iter().filter(|a| a.passed == Some(false)) {
                let loc = match a
                    .evidence
                    .first()
                    .map(|e| (e.file.clone(), e.line))
                    .or_else(|| a.note.as_deref().and_then(|n| located(n, skill_dir)))
                {
                    Some((f, line)) => format!("file={},line={line}", prop(&shown(&f))),
                    None => format!("file={},line=1", prop(&shown("SKILL.md"))),
                };
                let mut msg = a.text.clone();
                if let Some(n) = &a.note {
                    msg.push_str(&format!("\nmissing: {n}"));
                }
                if let Some(h) = &a.hint {
                    msg.push_str(&format!("\nhint: {h}"));
                }
                if let Some(d) = &a.doc {
                    msg.push_str(&format!("\ndocs: {d}"));
                }
                let _ = writeln!(
                    out,
                    "::error {loc},title={}::{}",
                    prop(&format!("lesson {} {}", l.lesson, p.id)),
                    data(&msg)
                );
            }
        }
        let level = if l.passed { "notice" } else { "error" };
        let _ = writeln!(
            out,
            "::{level} file={},title={}::{}",
            prop(&shown("SKILL.md")),
            prop(&format!("lesson {}", l.lesson)),
            data(&format!(
                "{} lesson {} ({}): score {} (min {}), {}",
                r.curriculum,
                l.lesson,
                l.title,
                score(l.score),
                score(r.min_score),
                if l.passed { "PASS" } else { "FAIL" }
            ))
        );
    }
    out
}

/// The first `file:line` a miss's note names (e.g. "closest Dockerfile
/// templates/Dockerfile:1 lacks …") when that file is in the skill.
fn located(note: &str, skill_dir: &std::path::Path) -> Option<(String, usize)> {
    static LOC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"([A-Za-z0-9_./-]+):(\d+)").expect("static regex")
    });
    LOC.captures_iter(note).find_map(|c| {
        let file = c[1].to_string();
        let line = c[2].parse().ok()?;
        (!file.contains("..") && skill_dir.join(&file).is_file()).then_some((file, line))
    })
}

/// The JSON report (shape documented in `docs/test-json.md`).
pub fn json(r: &TestReport) -> String {
    let mut s =
        serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

use crate::report::render::xml_escape as xml;

/// JUnit XML: one testsuite per lesson, one testcase per assertion.
pub fn junit(r: &TestReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = r
        .lessons
        .iter()
        .map(|l| l.assertions_passed + l.assertions_failed + l.assertions_unchecked)
        .sum();
    let failures: usize = r.lessons.iter().map(|l| l.assertions_failed).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"skillforge test\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    for l in &r.lessons {
        let n = l.assertions_passed + l.assertions_failed + l.assertions_unchecked;
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{}\" skipped=\"{}\">",
            xml(&format!(
                "{} lesson {}: {}",
                r.curriculum, l.lesson, l.title
            )),
            l.assertions_failed,
            l.assertions_unchecked
        );
        let _ = writeln!(
            out,
            "    <properties><property name=\"score\" value=\"{:.3}\"/><property name=\"passed\" value=\"{}\"/></properties>",
            l.score, l.passed
        );
        for p in &l.prompts {
            for (i, a) in p.assertions.iter().enumerate() {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\"",
                    xml(&format!("lesson{}.{}", l.lesson, p.id)),
                    xml(&format!("{}. {}", i + 1, a.text))
                );
                match a.passed {
                    Some(true) => {
                        let ev: Vec<String> = a.evidence.iter().map(|e| e.to_string()).collect();
                        if ev.is_empty() {
                            let _ = writeln!(out, "/>");
                        } else {
                            let _ = writeln!(
                                out,
                                ">\n      <system-out>{}</system-out>\n    </testcase>",
                                xml(&ev.join("\n"))
                            );
                        }
                    }
                    Some(false) => {
                        let msg = a
                            .hint
                            .clone()
                            .or_else(|| a.note.clone())
                            .unwrap_or_default();
                        let mut body = String::new();
                        if let Some(n) = &a.note {
                            body.push_str(&format!("missing: {n}\n"));
                        }
                        if let Some(h) = &a.hint {
                            body.push_str(&format!("hint: {h}\n"));
                        }
                        if let Some(d) = &a.doc {
                            body.push_str(&format!("docs: {d}\n"));
                        }
                        let _ = writeln!(
                            out,
                            ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                            xml(&msg),
                            xml(a.kind.as_deref().unwrap_or("assertion")),
                            xml(&body)
                        );
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            ">\n      <skipped message=\"not machine-checkable\"/>\n    </testcase>"
                        );
                    }
                }
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}
