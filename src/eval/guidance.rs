//! What counts as a unit of guidance. Evidence for an assertion must sit in a sentence
//! (or a code block), not in a dump of terms; and advice must be told apart from the
//! counter-examples a skill shows ("avoid: `FROM python:latest`").
//!
//! - [`dump_blocks`]: prose blocks (a paragraph, a list item) that are a run of bare
//!   terms or inline code with hardly a word of prose. Text and command checks ignore
//!   matches there.
//! - [`counter_example`]: a code block introduced as bad / to avoid.
//! - [`negated`]: a match inside a sentence that warns against it ("never", "avoid"…).

use crate::skill::SkillDoc;
use regex::Regex;
use std::sync::LazyLock;

/// Words that carry sentences; a block without them is a list of terms.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "to", "of", "in", "on", "for", "with", "is", "are", "be", "it", "its",
    "this", "that", "when", "if", "you", "your", "as", "by", "from", "not", "so", "because",
    "then", "until", "over", "than", "before", "after", "every", "each", "only", "never", "always",
    "must", "should", "can", "use", "run", "add", "keep", "prefer", "we", "our", "they", "which",
    "what", "how", "why", "do", "does", "has", "have", "at", "into",
];

static CODE_SPAN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"`+[^`\n]+`+").expect("static regex"));
static LIST_MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+").expect("static regex"));

fn prose_words(t: &str) -> Vec<String> {
    t.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .map(|w| w.trim_matches(|c: char| c == '\'' || c == '-'))
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .map(str::to_lowercase)
        .collect()
}

/// Whether one prose block (list markers removed, lines joined) is not guidance.
pub fn is_dump(block: &str) -> bool {
    let spans = CODE_SPAN.find_iter(block).count();
    let prose = CODE_SPAN.replace_all(block, " X ");
    let words = prose_words(&CODE_SPAN.replace_all(block, " "));
    // Inline code with at most two words of prose around it: a label, not a sentence.
    if spans >= 1 && words.len() <= 2 {
        return true;
    }
    // A run of short separated terms with no sentence words.
    let parts: Vec<&str> = prose
        .split([',', ';', '|', '·', '•', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() >= 3 {
        let short = parts
            .iter()
            .filter(|p| p.split_whitespace().count() <= 3)
            .count();
        let function = prose_words(&prose)
            .iter()
            .filter(|w| FUNCTION_WORDS.contains(&w.as_str()))
            .count();
        if short == parts.len() && function == 0 {
            return true;
        }
    }
    // A line of several code spans and little else (`a` `b` `c` `d`).
    if spans >= 3 && words.len() < spans {
        return true;
    }
    // A long run of words with hardly any sentence words or sentence ends.
    let all: Vec<&str> = prose.split_whitespace().collect();
    if all.len() >= 30 {
        let ends = all.iter().filter(|w| w.ends_with(['.', '!', '?'])).count();
        let function = words
            .iter()
            .filter(|w| FUNCTION_WORDS.contains(&w.as_str()))
            .count();
        return ends * 30 < all.len() && function * 10 < all.len();
    }
    false
}

/// Byte ranges of the prose blocks of a Markdown text that are not guidance. Headings,
/// table rows and code blocks are never dumps.
pub fn dump_blocks(text: &str, md: &SkillDoc) -> Vec<(usize, usize)> {
    let code: Vec<(usize, usize)> = md
        .body
        .code_blocks
        .iter()
        .map(|c| {
            (
                c.span.offset,
                c.span.end().max(c.code_offset + c.code.len()),
            )
        })
        .collect();
    let body = md.body.offset.min(text.len());
    let mut out = Vec::new();
    // The open block: (start, end, joined text, is a list item).
    let mut cur: Option<(usize, usize, String, bool)> = None;
    // Consecutive bare list items (`- security` `- size` …): a list of terms as a whole.
    let mut bare_run: Vec<(usize, usize)> = Vec::new();
    let flush_run = |run: &mut Vec<(usize, usize)>, out: &mut Vec<(usize, usize)>| {
        if run.len() >= 3 {
            out.append(run);
        }
        run.clear();
    };
    let flush = |cur: &mut Option<(usize, usize, String, bool)>,
                 out: &mut Vec<(usize, usize)>,
                 run: &mut Vec<(usize, usize)>| {
        if let Some((s, e, t, item)) = cur.take() {
            if item && !is_dump(&t) && is_bare_term(&t) {
                run.push((s, e));
                return;
            }
            flush_run(run, out);
            if is_dump(&t) {
                out.push((s, e));
            }
        }
    };
    let mut pos = body;
    for line in text[body..].split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let t = line.trim();
        let in_code = code.iter().any(|&(s, e)| start >= s && start < e);
        if t.is_empty() {
            // A blank line ends a block but not a list.
            flush(&mut cur, &mut out, &mut bare_run);
            continue;
        }
        if in_code || t.starts_with('#') || t.starts_with('|') {
            flush(&mut cur, &mut out, &mut bare_run);
            flush_run(&mut bare_run, &mut out);
            continue;
        }
        let t = t.trim_start_matches('>').trim();
        if let Some(m) = LIST_MARK.find(line) {
            flush(&mut cur, &mut out, &mut bare_run);
            cur = Some((start, pos, line[m.end()..].trim().to_string(), true));
            continue;
        }
        match cur.as_mut() {
            Some((_, e, joined, _)) => {
                *e = pos;
                joined.push(' ');
                joined.push_str(t);
            }
            None => {
                flush_run(&mut bare_run, &mut out);
                cur = Some((start, pos, t.to_string(), false));
            }
        }
    }
    flush(&mut cur, &mut out, &mut bare_run);
    flush_run(&mut bare_run, &mut out);
    // Sorted and disjoint, so a lookup is a binary search.
    out.sort_unstable();
    out
}

/// A list item that is one bare term: at most three words, no sentence words, no
/// sentence end (`- security`, `- build speed`).
fn is_bare_term(item: &str) -> bool {
    let t = item.trim().trim_end_matches(['.', ':', '?', '!']);
    let words = prose_words(&CODE_SPAN.replace_all(t, " X "));
    t.split_whitespace().count() <= 3
        && !words.iter().any(|w| FUNCTION_WORDS.contains(&w.as_str()))
        && !t.contains(['.', ':', '(', '='])
}

static BAD_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(bad|avoid|don'?t|do not|never|wrong|anti-?patterns?|incorrect|insecure|mistakes?|pitfalls?|instead of|rather than|not this)\b|❌|✗|⛔|🚫")
        .expect("static regex")
});

/// Whether the code block whose code starts at `code_start` is introduced as a
/// counter-example: a cue in the two non-blank lines before its fence, or in its first
/// comment line.
pub fn counter_example(text: &str, code_start: usize) -> bool {
    let before = text.get(..code_start).unwrap_or("");
    let mut lines = before.lines().rev();
    // The fence line itself (```dockerfile), then up to two non-blank lines of context.
    let fence = lines.next().unwrap_or("");
    if BAD_CUE.is_match(fence) {
        return true;
    }
    let context: Vec<&str> = lines
        .filter(|l| !l.trim().is_empty())
        .take(2)
        .take_while(|l| !l.trim_start().starts_with("```"))
        .collect();
    if context.iter().any(|l| BAD_CUE.is_match(l)) {
        return true;
    }
    let first = text
        .get(code_start..)
        .unwrap_or("")
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let first = first.trim_start();
    (first.starts_with('#') || first.starts_with("//")) && BAD_CUE.is_match(first)
}

static NEGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(never|don'?t|do not|avoid\w*|instead of|rather than|not|no|bad|wrong|anti-?patterns?|stop|without|unless|mistakes?|pitfalls?|risk\w*|dangerous|insecure)\b|❌|✗|⛔|🚫")
        .expect("static regex")
});

/// Whether the match at `start..end` of `text` sits in a sentence that warns against
/// it (a negation anywhere in the same sentence or list item).
pub fn negated(text: &str, start: usize, end: usize) -> bool {
    let head = text.get(..start).unwrap_or("");
    let from = head
        .rfind(['.', '!', '?', '\n'])
        .map(|i| i + 1)
        .unwrap_or(0);
    let tail = text.get(end..).unwrap_or("");
    let to = end + tail.find(['.', '!', '?', '\n']).unwrap_or(tail.len());
    let sentence = format!(
        "{} {}",
        text.get(from..start).unwrap_or(""),
        text.get(end..to).unwrap_or("")
    );
    NEGATION.is_match(&sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dumps_and_sentences() {
        assert!(is_dump(
            "`docker logs` `docker exec` `docker inspect` `--restart`"
        ));
        assert!(is_dump("security, size, build speed, operability"));
        assert!(is_dump(
            "Priorities: security, size, build speed, operability."
        ));
        assert!(is_dump("`docker logs -f api`"));
        assert!(!is_dump(
            "You balance security, image size, build speed and operability, in that order."
        ));
        assert!(!is_dump(
            "**Exits at once**: `docker logs --tail 50 api`, then `docker inspect api`. A missing variable is the usual cause."
        ));
        assert!(!is_dump(
            "Follow the output with `docker logs -f api` while it starts."
        ));
        assert!(!is_dump(
            "Use multi-stage builds because compilers stay out."
        ));
        let words: Vec<String> = (0..40).map(|i| format!("term{i}")).collect();
        assert!(is_dump(&words.join(" ")));
    }

    #[test]
    fn dump_blocks_skip_headings_tables_and_code() {
        let t = "## Debugging\n\n`docker logs` `docker exec` `docker inspect`\n\n- security, size, speed\n- Run `docker ps -a` to list stopped containers.\n\n| a | b | c |\n\n```\n`x` `y` `z`\n```\n\n- multi-stage\n- non-root\n\n- slim base\n\nText.\n\n- one term\n- Two bare items\n";
        let md = crate::skill::parse_skill_md(t);
        let d = dump_blocks(t, &md);
        let texts: Vec<&str> = d.iter().map(|&(s, e)| t[s..e].trim()).collect();
        assert_eq!(
            texts,
            vec![
                "`docker logs` `docker exec` `docker inspect`",
                "- security, size, speed",
                "- multi-stage",
                "- non-root",
                "- slim base"
            ]
        );
    }

    #[test]
    fn counter_examples_and_negation() {
        let t = "Avoid this:\n\n```dockerfile\nFROM python:latest\n```\n\nDo this:\n\n```dockerfile\nFROM python:3.12-slim\n```\n";
        let first = t.find("FROM python:latest").unwrap();
        let second = t.find("FROM python:3.12").unwrap();
        assert!(counter_example(t, first));
        assert!(!counter_example(t, second));
        let c = "```dockerfile\n# BAD: unpinned\nFROM python\n```\n";
        assert!(counter_example(c, c.find("# BAD").unwrap()));
        let s = "Never use python:latest. Use python:latest for simplicity.";
        let a = s.find("python:latest").unwrap();
        let b = s.rfind("python:latest").unwrap();
        assert!(negated(s, a, a + 13));
        assert!(!negated(s, b, b + 13));
    }
}
