//! Rules on the Markdown body of SKILL.md.

use crate::lint::{Check, Ctx, Emitter, Rule};
use crate::report::Severity;
use crate::skill::{FrontmatterStatus, Skill, Span};

pub const MAX_BODY_LINES: usize = 500;

fn body_text(skill: &Skill) -> &str {
    let t = &skill.doc.text;
    &t[skill.doc.body.offset.min(t.len())..]
}

pub const BODY_EMPTY: Rule = Rule {
    id: "SF-body-empty",
    severity: Severity::Warning,
    summary: "SKILL.md has no instructions after the frontmatter",
    explain: "The body is what the agent reads when the skill activates; with an empty body \
the skill can be discovered but teaches nothing. Write the instructions, workflow and \
pointers to references/ below the closing `---`.",
    check: Check::Skill(check_empty),
};

fn check_empty(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let fm = &skill.doc.frontmatter;
    if fm.status != FrontmatterStatus::Present {
        return;
    }
    if body_text(skill).trim().is_empty() {
        em.emit(fm.close, "SKILL.md has no body after the frontmatter")
            .hint = Some("add the skill's instructions below the closing `---`".into());
    }
}

pub const BODY_TOO_LONG: Rule = Rule {
    id: "SF-body-too-long",
    severity: Severity::Warning,
    summary: "SKILL.md body is over 500 lines",
    explain: "The whole body is loaded into context when the skill activates. The spec \
recommends under 500 lines: move reference material into references/ files that the body \
links to (progressive disclosure), so the agent loads them only when needed.",
    check: Check::Skill(check_long),
};

fn check_long(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let b = &skill.doc.body;
    if b.line_count > MAX_BODY_LINES {
        let line = b.start_line + MAX_BODY_LINES;
        let span = skill.doc.lines.line_span(&skill.doc.text, line);
        em.emit(
            Some(span),
            format!(
                "the body is {} lines; keep it under {MAX_BODY_LINES}",
                b.line_count
            ),
        )
        .hint = Some("move detail into references/*.md and link to it from the body".into());
    }
}

pub const BODY_TOKENS: Rule = Rule {
    id: "SF-body-tokens",
    severity: Severity::Warning,
    summary: "SKILL.md body is over its token budget (5,000 by default)",
    explain: "The spec recommends keeping the activated body under about 5000 tokens. \
skillforge counts with the o200k_base BPE encoding; Claude's own tokenizer is not \
published, so the count approximates Claude's (close, not identical). Move detail into \
references/. The budget is set in skillforge.toml: `[lint.budgets] body = 5000`.",
    check: Check::Skill(check_tokens),
};

fn check_tokens(cx: &Ctx, skill: &Skill, em: &mut Emitter) {
    let budget = cx.config.budgets.body;
    if let Some(n) = crate::lint::tokens::over_budget(body_text(skill), budget) {
        let span = skill
            .doc
            .lines
            .line_span(&skill.doc.text, skill.doc.body.start_line);
        em.emit(
            Some(span),
            format!(
                "the body is {n} tokens ({}, approximates Claude's); the budget is {budget}",
                crate::lint::tokens::ENCODING
            ),
        )
        .hint = Some("move reference material into references/ files".into());
    }
}

pub const CODE_FENCE_UNCLOSED: Rule = Rule {
    id: "SF-code-fence-unclosed",
    severity: Severity::Error,
    summary: "A fenced code block is never closed",
    explain: "An unclosed ``` fence turns the rest of the file into code: headings, links and \
instructions after it are no longer Markdown to the agent. Close the fence with the same \
number of backticks (or tildes).",
    check: Check::Skill(check_fence),
};

fn check_fence(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    for cb in &skill.doc.body.code_blocks {
        if cb.fenced && !cb.closed {
            em.emit(Some(cb.span), "this code fence is never closed")
                .hint = Some("add a closing fence (```) after the code".into());
        }
    }
}

pub const BODY_KEYWORD_STUFFING: Rule = Rule {
    id: "SF-body-keyword-stuffing",
    severity: Severity::Warning,
    summary: "The body contains a dump of bare keywords with little prose",
    explain: "A paragraph or list that is just many comma-separated terms (or a long list of \
one-to-three-word bullets with no explanation) teaches the agent nothing and exists only to \
match searches or graders. Flagged: a paragraph of 12+ separated terms that are mostly \
bare (at most three words), a run of 4+ backticked terms with no sentence around them, a \
`Keywords:`/`Tags:` line with 6+ terms, or 15+ consecutive bare bullets. Replace it with guidance that uses the terms in context.",
    check: Check::Skill(check_stuffing),
};

const LABELS: &[&str] = &[
    "keywords",
    "tags",
    "triggers",
    "trigger words",
    "search terms",
    "topics",
    "terms",
];

fn is_bare(term: &str) -> bool {
    let t = term.trim().trim_end_matches('.');
    // At most three words: no fourth one (the rest of a long item is not counted).
    !t.is_empty()
        && t.split_whitespace().nth(3).is_none()
        && !t
            .bytes()
            .any(|b| matches!(b, b'`' | b'(' | b'[' | b':' | b'='))
}

/// Whether `text` has more than `n` whitespace-separated words (as `split_whitespace`
/// counts them), counted over bytes when the text is ASCII.
fn has_more_words_than(text: &str, n: usize) -> bool {
    // n + 1 words need at least 2n + 1 bytes.
    if text.len() < 2 * n + 1 {
        return false;
    }
    if !text.is_ascii() {
        return text.split_whitespace().nth(n).is_some();
    }
    let is_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    // Words are separated by whitespace, so there are at most one more words than
    // whitespace bytes: a quick count (no early exit, so it vectorises) settles most
    // texts.
    if text.bytes().filter(|&b| is_ws(b)).count() < n {
        return false;
    }
    let mut words = 0;
    let mut in_word = false;
    for b in text.bytes() {
        // The ASCII characters `char::is_whitespace` accepts.
        let ws = is_ws(b);
        if !ws && !in_word {
            words += 1;
            if words > n {
                return true;
            }
        }
        in_word = !ws;
    }
    false
}

/// Whether `l` is one of [`LABELS`], compared in lowercase without allocating for
/// ASCII text.
fn is_label(l: &str) -> bool {
    if l.is_ascii() {
        LABELS.iter().any(|x| x.eq_ignore_ascii_case(l))
    } else {
        LABELS.contains(&l.to_lowercase().as_str())
    }
}

/// The term separators of a paragraph (`,` `;` `|` `·` `•`).
const TERM_SEPARATORS: [char; 5] = [',', ';', '|', '·', '•'];

/// How many term separators `text` holds (a byte count for ASCII text).
fn separator_count(text: &str) -> usize {
    if text.is_ascii() {
        text.bytes()
            .filter(|b| matches!(b, b',' | b';' | b'|'))
            .count()
    } else {
        text.matches(TERM_SEPARATORS).count()
    }
}

/// Returns (line offset of the block, message) for each stuffed block.
/// Words that carry sentences; a long paragraph almost without them is a term dump.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "to", "of", "in", "on", "for", "with", "is", "are", "be",
    "it", "this", "that", "when", "if", "you", "your", "use", "as", "by", "from", "not",
];

/// A space-separated dump of terms: ≥ 40 words, hardly any sentence ends, and under 5 %
/// function words. Returns the word count.
fn word_dump(text: &str) -> Option<usize> {
    if !has_more_words_than(text, 39) {
        return None;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let sentence_ends = words
        .iter()
        .filter(|w| w.ends_with(['.', '!', '?', ':']))
        .count();
    let function = words
        .iter()
        .filter(|w| {
            let lw = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_ascii_lowercase();
            FUNCTION_WORDS.contains(&lw.as_str())
        })
        .count();
    (sentence_ends * 40 < words.len() && function * 20 < words.len()).then_some(words.len())
}

/// A run of inline-code terms with hardly any prose (`` `docker logs` `docker exec`
/// `OOMKilled` …``): at least four code spans and at most two words outside them.
/// Returns the number of spans.
fn code_span_dump(text: &str) -> Option<usize> {
    // Four spans need eight backticks: most text is ruled out without counting words.
    memchr::memchr_iter(b'`', text.as_bytes()).nth(7)?;
    code_span_dump_of(spans_and_words(text))
}

/// [`code_span_dump`] from the counts of [`spans_and_words`].
fn code_span_dump_of((spans, words, short): (usize, usize, usize)) -> Option<usize> {
    // With a short label ("Commands: …") a list of full command lines is a reference
    // card; bare one- or two-word terms are not.
    (spans >= 4 && (words == 0 || (words <= 2 && short * 5 >= spans * 4))).then_some(spans)
}

/// (inline code spans, words of prose outside them, spans of at most two tokens).
/// A word is a run of alphanumeric characters with at least two letters; a code span
/// separates words, text around an unclosed backtick does not.
fn spans_and_words(text: &str) -> (usize, usize, usize) {
    let mut spans = 0;
    let mut short = 0;
    let mut words = Words::default();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        words.feed(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('`') {
            Some(close) => {
                let code = after[..close].trim();
                if !code.is_empty() {
                    spans += 1;
                    if code.split_whitespace().count() <= 2 {
                        short += 1;
                    }
                }
                words.end();
                rest = &after[close + 1..];
            }
            None => {
                rest = after;
                break;
            }
        }
    }
    words.feed(rest);
    words.end();
    (spans, words.count, short)
}

/// Counts words of prose fed in pieces, without joining the pieces.
#[derive(Default)]
struct Words {
    count: usize,
    letters: usize,
}

impl Words {
    fn feed(&mut self, s: &str) {
        if s.is_ascii() {
            for b in s.bytes() {
                if b.is_ascii_alphanumeric() {
                    self.letters += usize::from(b.is_ascii_alphabetic());
                } else {
                    self.end();
                }
            }
            return;
        }
        for c in s.chars() {
            if c.is_alphanumeric() {
                self.letters += usize::from(c.is_alphabetic());
            } else {
                self.end();
            }
        }
    }

    fn end(&mut self) {
        if self.letters >= 2 {
            self.count += 1;
        }
        self.letters = 0;
    }
}

fn stuffed_blocks(skill: &Skill) -> Vec<(usize, String)> {
    let text = &skill.doc.text;
    let body_off = skill.doc.body.offset.min(text.len());
    let code: Vec<(usize, usize)> = skill
        .doc
        .body
        .code_blocks
        .iter()
        .map(|c| (c.span.offset, c.code_offset + c.code.len()))
        .collect();
    let mut out = Vec::new();
    // Paragraphs: (start offset, joined text).
    let mut para: Option<(usize, String)> = None;
    // Bullet runs: (start offset, count of bare bullets, total bullets).
    let mut run: Option<(usize, usize, usize)> = None;
    // Under a `## Keywords`-like heading, shorter lists already count.
    let mut labelled = false;
    let flush_para =
        |p: &mut Option<(usize, String)>, out: &mut Vec<(usize, String)>, labelled: bool| {
            if let Some((start, t)) = p.take() {
                let (label, rest) = match t.split_once(':') {
                    Some((l, r)) if is_label(l.trim()) => (true, r),
                    _ => (false, t.as_str()),
                };
                // Fewer than five separators make fewer than six terms: neither test
                // below can pass, so the terms are not split out.
                let (terms, bare) = if separator_count(rest) < 5 {
                    (0, 0)
                } else {
                    let segs: Vec<&str> = rest
                        .split(TERM_SEPARATORS)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect();
                    (segs.len(), segs.iter().filter(|s| is_bare(s)).count())
                };
                if ((label || labelled) && terms >= 6) || (bare >= 12 && bare * 10 >= terms * 8) {
                    out.push((
                        start,
                        format!("{terms} bare terms in a row with little prose"),
                    ));
                } else if let Some(spans) = code_span_dump(rest) {
                    out.push((
                        start,
                        format!("{spans} backticked terms in a row with no sentence around them"),
                    ));
                } else if let Some(words) = word_dump(rest) {
                    out.push((
                        start,
                        format!("{words} words with no sentences (a dump of terms)"),
                    ));
                }
            }
        };
    let flush_run =
        |r: &mut Option<(usize, usize, usize)>, out: &mut Vec<(usize, String)>, labelled: bool| {
            if let Some((start, bare, total)) = r.take()
                && bare >= if labelled { 6 } else { 15 }
                && bare * 10 >= total * 9
            {
                out.push((start, format!("{total} one-to-three-word bullets in a row")));
            }
        };
    // Consecutive bullets that are only inline code (`- `docker logs``): (start, count).
    let mut code_run: Option<(usize, usize)> = None;
    let flush_code_run = |r: &mut Option<(usize, usize)>, out: &mut Vec<(usize, String)>| {
        if let Some((start, n)) = r.take()
            && n >= 4
        {
            out.push((
                start,
                format!("{n} bullets of bare backticked terms with no explanation"),
            ));
        }
    };
    let mut pos = body_off;
    for line in text[body_off..].split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let t = line.trim();
        let in_code = code.iter().any(|&(s, e)| start >= s && start < e);
        if in_code || t.starts_with('#') || t.starts_with('|') || t.starts_with('>') {
            flush_para(&mut para, &mut out, labelled);
            flush_run(&mut run, &mut out, labelled);
            flush_code_run(&mut code_run, &mut out);
            if t.starts_with('#') && !in_code {
                let title = t.trim_start_matches('#').trim().trim_end_matches(':');
                labelled = is_label(title);
            }
            continue;
        }
        if t.is_empty() {
            flush_para(&mut para, &mut out, labelled);
            continue;
        }
        let bullet = t
            .strip_prefix("- ")
            .or_else(|| t.strip_prefix("* "))
            .or_else(|| t.strip_prefix("+ "))
            .or_else(|| {
                // A numbered item starts with a digit (or, with no number, with ". ").
                if !(t.starts_with(|c: char| c.is_ascii_digit()) || t.starts_with(". ")) {
                    return None;
                }
                let d = t.find(". ")?;
                t[..d]
                    .chars()
                    .all(|c| c.is_ascii_digit())
                    .then(|| &t[d + 2..])
            });
        if let Some(item) = bullet {
            flush_para(&mut para, &mut out, labelled);
            // Without a backtick there is no span (and no word needs counting).
            let counts = if item.contains('`') {
                spans_and_words(item)
            } else {
                (0, 0, 0)
            };
            let (spans, words, _) = counts;
            if spans >= 1 && words <= 2 {
                code_run.get_or_insert((start, 0)).1 += 1;
            } else {
                flush_code_run(&mut code_run, &mut out);
            }
            if let Some(spans) = code_span_dump_of(counts) {
                out.push((
                    start,
                    format!("{spans} backticked terms in a row with no sentence around them"),
                ));
            }
            let r = run.get_or_insert((start, 0, 0));
            r.2 += 1;
            if is_bare(item) && !item.trim_end().ends_with('.') {
                r.1 += 1;
            }
            // A long bullet holding a comma list or a run of words is checked as a
            // paragraph too.
            if memchr::memchr_iter(b',', item.as_bytes()).nth(10).is_some()
                || has_more_words_than(item, 39)
            {
                para = Some((start, item.to_string()));
                flush_para(&mut para, &mut out, labelled);
            }
            continue;
        }
        flush_run(&mut run, &mut out, labelled);
        flush_code_run(&mut code_run, &mut out);
        match &mut para {
            Some((_, p)) => {
                p.push(' ');
                p.push_str(t);
            }
            None => para = Some((start, t.to_string())),
        }
    }
    flush_para(&mut para, &mut out, labelled);
    flush_run(&mut run, &mut out, labelled);
    flush_code_run(&mut code_run, &mut out);
    out
}

fn check_stuffing(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    for (off, msg) in stuffed_blocks(skill) {
        let line = skill.doc.lines.line_of(off);
        let span: Span = skill.doc.lines.line_span(&skill.doc.text, line);
        em.emit(Some(span), format!("keyword stuffing: {msg}")).hint =
            Some("explain when and how each term matters, in sentences, or remove the list".into());
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    /// The counting as it was written first (joining the prose into one string).
    fn spans_and_words_joined(text: &str) -> (usize, usize, usize) {
        let (mut spans, mut short) = (0, 0);
        let mut outside = String::new();
        let mut rest = text;
        while let Some(open) = rest.find('`') {
            outside.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('`') {
                Some(close) => {
                    let code = after[..close].trim();
                    if !code.is_empty() {
                        spans += 1;
                        if code.split_whitespace().count() <= 2 {
                            short += 1;
                        }
                    }
                    outside.push(' ');
                    rest = &after[close + 1..];
                }
                None => {
                    rest = after;
                    break;
                }
            }
        }
        outside.push_str(rest);
        let words = outside
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
            .count();
        (spans, words, short)
    }

    #[test]
    fn word_threshold_counts_as_split_whitespace() {
        for t in [
            "",
            " ",
            "a",
            "a b",
            " a  b\tc\n",
            "a\x0Bb\x0Cc\rd",
            "é ü ö",
            "a\u{85}b c",
            "one two three four five",
            "x y z w v u t s r q p o n m l k j i h g f e d c b a 1 2 3 4 5 6 7 8 9 10 11 12 13 14",
        ] {
            for n in 0..45 {
                assert_eq!(
                    super::has_more_words_than(t, n),
                    t.split_whitespace().nth(n).is_some(),
                    "{t:?} n={n}"
                );
            }
        }
    }

    #[test]
    fn word_counting_without_joining_counts_the_same() {
        for t in [
            "",
            "plain words here",
            "a`b`c",
            "ab`x`cd",
            "ab`unclosed cd",
            "a`unclosed b",
            "x1`y`2z and `` empty `two words` `three more words`",
            "é`ü`ö ünïcödé wörds 12 ab3 `a` `b`",
            "`docker` `compose` `uv` `ruff` — tools",
        ] {
            assert_eq!(
                super::spans_and_words(t),
                spans_and_words_joined(t),
                "{t:?}"
            );
        }
    }

    #[test]
    fn empty_body() {
        let s = skill("a", &doc("a", "", "\n  \n"));
        assert_eq!(lines("SF-body-empty", &cx(), &s), vec![4]);
        let s = skill("a", &doc("a", "", "# Hi\nDo things.\n"));
        assert!(lines("SF-body-empty", &cx(), &s).is_empty());
    }

    #[test]
    fn too_long() {
        let body: String = (0..510).map(|i| format!("line {i}\n")).collect();
        let s = skill("a", &doc("a", "", &body));
        assert_eq!(lines("SF-body-too-long", &cx(), &s), vec![505]);
        let body: String = (0..400).map(|i| format!("line {i}\n")).collect();
        assert!(lines("SF-body-too-long", &cx(), &skill("a", &doc("a", "", &body))).is_empty());
    }

    #[test]
    fn tokens() {
        let body = "word ".repeat(5200);
        let s = skill("a", &doc("a", "", &body));
        assert_eq!(lines("SF-body-tokens", &cx(), &s), vec![5]);
        // 20,000 characters but under 5,000 tokens: the old four-characters estimate
        // would have fired here.
        let body = "word ".repeat(4000);
        assert!(lines("SF-body-tokens", &cx(), &skill("a", &doc("a", "", &body))).is_empty());
        // A configured budget.
        let mut c = crate::lint::Config::default();
        c.budgets.body = 1000;
        let small = crate::lint::Ctx::new(c);
        assert_eq!(
            lines("SF-body-tokens", &small, &skill("a", &doc("a", "", &body))),
            vec![5]
        );
    }

    #[test]
    fn unclosed_fence() {
        let s = skill("a", &doc("a", "", "# A\n\n```bash\necho hi\n"));
        assert_eq!(lines("SF-code-fence-unclosed", &cx(), &s), vec![7]);
        let s = skill("a", &doc("a", "", "# A\n\n```bash\necho hi\n```\n"));
        assert!(lines("SF-code-fence-unclosed", &cx(), &s).is_empty());
    }

    #[test]
    fn keyword_stuffing_backticked_terms() {
        let run =
            "`docker logs` `docker exec` `docker inspect` `--restart` `exit code 137` `OOMKilled`";
        let body = format!("# Guide\n\n## Debugging\n\n{run}\n");
        let s = skill("a", &doc("a", "", &body));
        assert_eq!(lines("SF-body-keyword-stuffing", &cx(), &s), vec![9]);
        let bullets = "- `docker logs`\n- `docker exec`\n- `docker inspect`\n- `OOMKilled`\n";
        let s = skill("a", &doc("a", "", &format!("# Guide\n\n{bullets}")));
        assert_eq!(lines("SF-body-keyword-stuffing", &cx(), &s), vec![7]);
        // Commands used in sentences, and a labelled card of full command lines, are fine.
        let prose = "- When it exits at once, read `docker logs --tail 50 api` first.\n- Open a shell with `docker exec -it api sh` to look at files.\n- Read the exit code with `docker inspect api`.\n- Exit code 137 with `OOMKilled` true means the memory limit was hit.\n\nCommands: `docker pull python:3.12-slim`, `docker run -d --name app app:dev`, `docker ps -a`, `docker stop app`.\n";
        let s = skill("a", &doc("a", "", &format!("# Guide\n\n{prose}")));
        assert!(lines("SF-body-keyword-stuffing", &cx(), &s).is_empty());
    }

    #[test]
    fn keyword_stuffing_space_separated() {
        let dump: Vec<String> = (0..80).map(|i| format!("term{i}")).collect();
        let body = format!("# Guide\n\nWrite good Dockerfiles.\n\n{}\n", dump.join(" "));
        let s = skill("a", &doc("a", "", &body));
        assert_eq!(lines("SF-body-keyword-stuffing", &cx(), &s), vec![9]);
        let prose = "Use a slim base image when the service has no native extensions, and pin \
            its tag so rebuilds are repeatable. Copy the lock file before the source so the \
            dependency layer is reused. Run the app as a non-root user with a fixed UID, and \
            add a health check that calls the service's own endpoint. Keep secrets out of \
            the image: pass them at run time.";
        let body = format!("# Guide\n\n{prose}\n");
        assert!(
            lines(
                "SF-body-keyword-stuffing",
                &cx(),
                &skill("a", &doc("a", "", &body))
            )
            .is_empty()
        );
    }

    #[test]
    fn keyword_stuffing() {
        let body = "# Guide\n\nWrite good Dockerfiles.\n\ndocker, dockerfile, compose, healthcheck, multi-stage, uv, slim, alpine, distroless, buildkit, cache mount, non-root user, secrets, volumes\n";
        let s = skill("a", &doc("a", "", body));
        assert_eq!(lines("SF-body-keyword-stuffing", &cx(), &s), vec![9]);
        let body =
            "# Guide\n\n## Keywords\n\n- docker\n- compose\n- uv\n- slim\n- cache\n- healthcheck\n";
        assert_eq!(
            lines(
                "SF-body-keyword-stuffing",
                &cx(),
                &skill("a", &doc("a", "", body))
            ),
            vec![9]
        );
        let body = "# Guide\n\nKeywords: docker, compose, uv, slim, cache, healthcheck\n";
        assert_eq!(
            lines(
                "SF-body-keyword-stuffing",
                &cx(),
                &skill("a", &doc("a", "", body))
            ),
            vec![7]
        );
        let bullets: String = (0..16).map(|i| format!("- term{i}\n")).collect();
        let s = skill("a", &doc("a", "", &format!("# Terms\n\n{bullets}")));
        assert_eq!(lines("SF-body-keyword-stuffing", &cx(), &s), vec![7]);
        let prose = "# Guide\n\nUse a slim base image, pin it by digest, install dependencies with uv before copying the source, and run as a non-root user.\n\n- Build stage: compile wheels.\n- Runtime stage: copy only the virtualenv.\n\n```\na, b, c, d, e, f, g, h, i, j, k, l, m, n\n```\n";
        assert!(
            lines(
                "SF-body-keyword-stuffing",
                &cx(),
                &skill("a", &doc("a", "", prose))
            )
            .is_empty()
        );
    }
}
