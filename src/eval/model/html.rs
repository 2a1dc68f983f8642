//! `report.html`: one self-contained page (inline CSS, no script, no external asset)
//! that shows, per lesson, the with/without table and, per prompt, the two answers side
//! by side with each assertion ticked. Everything from answers is HTML-escaped.

use super::Config;
use super::runner::ModelReport;
use super::score::{GradedRun, Stat};
use std::fmt::Write;

/// HTML-escapes text (and drops control characters other than newline and tab).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('�'),
            c => out.push(c),
        }
    }
    out
}

fn fmt_stat(s: &Option<Stat>) -> String {
    super::score::show(s, " ± ")
}

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:1400px;padding:1.5rem;color:#1d2330;background:#fbfbfd}
h1{font-size:1.5rem;margin:.2rem 0}h2{margin-top:2.2rem;border-bottom:2px solid #d9dce6;padding-bottom:.2rem}h3{margin:1.6rem 0 .4rem}
.meta{color:#566}table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #d9dce6;padding:.25rem .6rem;text-align:right}th{background:#eef0f6}td:first-child,th:first-child{text-align:left}
.pass{color:#11772d;font-weight:600}.fail{color:#b3261e;font-weight:600}.up{color:#11772d}.down{color:#b3261e}
.prompt{background:#eef0f6;border-left:4px solid #6b7bd6;padding:.5rem .8rem;white-space:pre-wrap}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.side{background:#fff;border:1px solid #d9dce6;border-radius:6px;padding:.6rem .8rem;min-width:0}
.side h4{margin:.1rem 0 .4rem}ul.asserts{list-style:none;padding:0;margin:.3rem 0}ul.asserts li{padding:.15rem 0}
.ok::before{content:'✓ ';color:#11772d;font-weight:700}.no::before{content:'✗ ';color:#b3261e;font-weight:700}.na::before{content:'? ';color:#8a6d00;font-weight:700}
.ev{color:#566;font-size:.85em}pre.answer{white-space:pre-wrap;word-break:break-word;background:#f6f7fa;padding:.6rem;border-radius:4px;max-height:40rem;overflow:auto;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace}
.err{color:#b3261e}@media(max-width:900px){.pair{grid-template-columns:1fr}}";

fn side(out: &mut String, title: &str, run: Option<&GradedRun>) {
    let _ = writeln!(out, "<div class=\"side\"><h4>{}</h4>", esc(title));
    match run {
        None => {
            let _ = writeln!(out, "<p class=\"err\">no run</p>");
        }
        Some(r) => {
            if let Some(e) = &r.transcript.error {
                let _ = writeln!(out, "<p class=\"err\">error: {}</p>", esc(e));
            }
            if let Some(p) = &r.result {
                let _ = writeln!(
                    out,
                    "<p>score {}{}</p>",
                    p.score
                        .map(|s| format!("{s:.2}"))
                        .unwrap_or_else(|| "—".into()),
                    if r.transcript.skill_used {
                        " · skill loaded"
                    } else {
                        ""
                    }
                );
                let _ = writeln!(out, "<ul class=\"asserts\">");
                for a in &p.assertions {
                    let class = match a.passed {
                        Some(true) => "ok",
                        Some(false) => "no",
                        None => "na",
                    };
                    let ev: Vec<String> = a.evidence.iter().map(|e| e.to_string()).collect();
                    let detail = match a.passed {
                        Some(true) if !ev.is_empty() => ev.join(", "),
                        Some(false) => a.note.clone().unwrap_or_default(),
                        None => "not graded (needs --judge)".into(),
                        _ => String::new(),
                    };
                    let _ = writeln!(
                        out,
                        "<li class=\"{class}\">{} <span class=\"ev\">{}</span></li>",
                        esc(&a.text),
                        esc(&detail)
                    );
                }
                let _ = writeln!(out, "</ul>");
            }
            let _ = writeln!(
                out,
                "<details><summary>answer ({} characters{})</summary><pre class=\"answer\">{}</pre>",
                r.transcript.answer.chars().count(),
                if r.transcript.files.is_empty() {
                    String::new()
                } else {
                    format!(", {} files written", r.transcript.files.len())
                },
                esc(&r.transcript.answer)
            );
            for (name, text) in &r.transcript.files {
                let _ = writeln!(
                    out,
                    "<p><b>{}</b></p><pre class=\"answer\">{}</pre>",
                    esc(name),
                    esc(text)
                );
            }
            let _ = writeln!(out, "</details>");
        }
    }
    let _ = writeln!(out, "</div>");
}

/// The page.
pub fn report(r: &ModelReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>skillforge benchmark: {}</title><style>{STYLE}</style></head><body>",
        esc(&r.skill_name)
    );
    let _ = writeln!(
        out,
        "<h1>Skill benchmark: {}</h1><p class=\"meta\">model <code>{}</code>{} · {} run(s) per configuration · {} curriculum · {}</p>",
        esc(&r.skill_name),
        esc(&r.model),
        r.judge
            .as_ref()
            .map(|j| format!(" · judge <code>{}</code>", esc(j)))
            .unwrap_or_default(),
        r.runs_per_configuration,
        esc(&r.curriculum),
        esc(&r.timestamp)
    );
    let _ = writeln!(
        out,
        "<table id=\"summary\"><tr><th>lesson</th><th>with skill</th><th>without</th><th>uplift</th><th>verdict</th></tr>"
    );
    for l in &r.lessons {
        let up = l.uplift.unwrap_or(0.0);
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#lesson-{}\">{} {}</a></td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td></tr>",
            l.lesson,
            l.lesson,
            esc(&l.title),
            fmt_stat(&l.with_skill),
            fmt_stat(&l.without_skill),
            if up >= 0.0 { "up" } else { "down" },
            l.uplift
                .map(|u| format!("{u:+.2}"))
                .unwrap_or_else(|| "—".into()),
            if l.passed { "pass" } else { "fail" },
            if l.passed { "PASS" } else { "FAIL" }
        );
    }
    let _ = writeln!(out, "</table>");
    for l in &r.lessons {
        let _ = writeln!(
            out,
            "<h2 id=\"lesson-{}\">Lesson {}: {}</h2>",
            l.lesson,
            l.lesson,
            esc(&l.title)
        );
        for d in &l.docs {
            let _ = writeln!(
                out,
                "<p class=\"meta\">docs: <a href=\"{}\">{}</a></p>",
                esc(d),
                esc(d)
            );
        }
        for p in &l.prompts {
            let _ = writeln!(
                out,
                "<h3 id=\"{}\">{} <small class=\"meta\">with {} · without {} · uplift {}</small></h3>",
                esc(&super::files::safe_name(&p.id)),
                esc(&p.id),
                fmt_stat(&p.with_skill),
                fmt_stat(&p.without_skill),
                p.uplift
                    .map(|u| format!("{u:+.2}"))
                    .unwrap_or_else(|| "—".into())
            );
            let _ = writeln!(out, "<div class=\"prompt\">{}</div>", esc(&p.prompt));
            let pick = |c: Config| {
                r.runs.iter().find(|x| {
                    x.lesson == l.lesson && x.prompt_id == p.id && x.config == c && x.run == 1
                })
            };
            let _ = writeln!(out, "<div class=\"pair\">");
            side(&mut out, "with the skill (run 1)", pick(Config::WithSkill));
            side(
                &mut out,
                "without the skill (run 1)",
                pick(Config::WithoutSkill),
            );
            let _ = writeln!(out, "</div>");
        }
    }
    let c = &r.calls;
    let _ = writeln!(
        out,
        "<p class=\"meta\">calls made {} · runs from cache {} of {} · failed {} · tokens {} in / {} out · generated by skillforge {}</p>\n</body></html>",
        c.made,
        c.from_cache,
        c.runs,
        c.failed,
        c.input_tokens,
        c.output_tokens,
        env!("CARGO_PKG_VERSION")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            esc("<script>alert('x')</script>&\u{1b}[2J"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;�[2J"
        );
    }
}
