//! Text assertion kinds: `any_regex`, `all_regex`, `mentions`, `advises`.

use super::subject::{Evidence, Region, Subject};
use std::sync::OnceLock;

/// A compiled suite regex (matched on the UTF-8 bytes of the text).
pub type Re = regex::bytes::Regex;

/// A suite regex: checked at load (syntax), compiled on first use and then shared by
/// every lesson of the run. Compilation dominates a run's cost, and `--lesson N` needs
/// only its own patterns.
#[derive(Debug)]
pub struct LazyRe {
    src: String,
    cell: OnceLock<Option<Re>>,
}

impl Clone for LazyRe {
    fn clone(&self) -> Self {
        LazyRe {
            src: self.src.clone(),
            cell: OnceLock::new(),
        }
    }
}

impl LazyRe {
    pub fn as_str(&self) -> &str {
        &self.src
    }

    /// The compiled regex (`None` only if it exceeds the size limit).
    pub fn get(&self) -> Option<&Re> {
        self.cell.get_or_init(|| build(&self.src).ok()).as_ref()
    }
}

fn build(src: &str) -> Result<Re, regex::Error> {
    let b = |unicode: bool| {
        regex::bytes::RegexBuilder::new(src)
            .unicode(unicode)
            .case_insensitive(true)
            .multi_line(true)
            .size_limit(1 << 23)
            .build()
    };
    b(false).or_else(|_| b(true))
}

/// Checks a suite regex's syntax (without compiling it): case-insensitive unless it opts
/// out with `(?-i)`, `^`/`$` at line boundaries. Classes, `\w`, `\b` and case folding are
/// ASCII (the lessons are English): with Unicode classes a bounded gap such as
/// `[^\n]{0,250}` compiles to a huge automaton. A pattern that needs Unicode classes can
/// say so with `(?u)`.
pub fn compile_regex(src: &str) -> Result<LazyRe, String> {
    let parse = |unicode: bool| {
        regex_syntax::ParserBuilder::new()
            .unicode(unicode)
            .utf8(false)
            .case_insensitive(true)
            .multi_line(true)
            .build()
            .parse(src)
            .map_err(Box::new)
    };
    match parse(false).or_else(|_| parse(true)) {
        Ok(_) => {
            let re = LazyRe {
                src: src.to_string(),
                cell: OnceLock::new(),
            };
            // Patterns that may exceed the engine's size limit are built now: one that
            // does would otherwise never match (and turn a `not:` into a silent pass).
            if may_be_huge(src) && re.get().is_none() {
                return Err(format!(
                    "regex `{}` is too large for the regex engine once compiled; use smaller repetition counts",
                    src.chars().take(80).collect::<String>()
                ));
            }
            Ok(re)
        }
        Err(e) => {
            let msg = e.to_string();
            let last = msg.lines().last().unwrap_or("invalid regex").trim();
            Err(format!("invalid regex `{src}`: {last}"))
        }
    }
}

/// Long patterns and large counted repetitions (`{1000}`) can blow the compiled size.
fn may_be_huge(src: &str) -> bool {
    if src.len() > 300 {
        return true;
    }
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            let digits: String = src[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',')
                .collect();
            if digits
                .split(',')
                .any(|d| d.parse::<u64>().is_ok_and(|n| n >= 50))
            {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// One `mentions` term: a word or phrase matched on word boundaries.
#[derive(Debug, Clone)]
pub struct Term {
    pub text: String,
    pub re: LazyRe,
}

impl Term {
    /// Word boundaries where the term starts/ends with a word character; any run of
    /// whitespace between words; case-sensitive when the term has an uppercase letter.
    pub fn new(text: &str) -> Result<Term, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty term in `mentions`".into());
        }
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        let mut re = String::new();
        if t.chars().any(|c| c.is_uppercase()) {
            re.push_str("(?-i)");
        }
        if t.chars().next().is_some_and(is_word) {
            re.push_str(r"\b");
        }
        let words: Vec<String> = t.split_whitespace().map(regex::escape).collect();
        re.push_str(&words.join(r"\s+"));
        if t.chars().last().is_some_and(is_word) {
            re.push_str(r"\b");
        }
        let re = compile_regex(&re).map_err(|e| format!("term `{t}`: {e}"))?;
        Ok(Term {
            text: t.to_string(),
            re,
        })
    }
}

/// The first match of `re` in any region, as evidence.
pub fn find_re(s: &Subject, regions: &[Region], re: &LazyRe) -> Option<Evidence> {
    let re = re.get()?;
    for r in regions {
        let Some(slice) = s.docs[r.doc].text.as_bytes().get(r.start..r.end) else {
            continue;
        };
        // A match inside a dump of terms is not guidance (see `guidance::dump_blocks`).
        if let Some(m) = re
            .find_iter(slice)
            .find(|m| !s.in_dump(r.doc, r.start + m.start()))
        {
            return Some(s.evidence(r.doc, r.start + m.start()));
        }
    }
    None
}

/// Whether the match at `start..end` of doc `doc` is advice the skill gives: not in a
/// term dump, not in a counter-example code block, not in a sentence or under a heading
/// that warns against it.
fn is_advice(s: &Subject, doc: usize, start: usize, end: usize) -> bool {
    use super::guidance::{counter_example, negated};
    let d = &s.docs[doc];
    if s.in_dump(doc, start) {
        return false;
    }
    if let Some(u) = s
        .code_units()
        .iter()
        .find(|u| u.doc == doc && start >= u.start && end <= u.end)
    {
        // In code: a counter-example block, or a line commented as bad, is not advice.
        if !u.whole_file && counter_example(&d.text, u.start) {
            return false;
        }
        // Byte offsets: a match of an ASCII-mode regex need not sit on a char boundary.
        let bytes = d.text.as_bytes();
        let line_start = bytes[..start.min(bytes.len())]
            .iter()
            .rposition(|&b| b == b'\n')
            .map(|i| i + 1)
            .unwrap_or(0);
        let line_end = bytes[end.min(bytes.len())..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| end + i)
            .unwrap_or(bytes.len());
        let line = String::from_utf8_lossy(&bytes[line_start..line_end]);
        return !line
            .split_once('#')
            .is_some_and(|(_, c)| negated(c, 0, 0) || c.to_lowercase().contains("bad"));
    }
    if negated(&d.text, start, end) {
        return false;
    }
    let warns = |t: &str| {
        let t = t.to_lowercase();
        [
            "avoid",
            "anti-pattern",
            "antipattern",
            "mistake",
            "pitfall",
            "don't",
            "do not",
            "bad",
            "wrong",
        ]
        .iter()
        .any(|w| t.contains(w))
    };
    !d.md.as_ref().is_some_and(|md| {
        md.body
            .sections
            .iter()
            .filter(|sec| sec.start <= start && start < sec.end)
            .any(|sec| warns(&sec.title))
    })
}

/// `advises`: some pattern matches where the skill recommends it (see [`is_advice`]).
/// Used under `not:` for wrong advice: `FROM python:latest`, root "for simplicity".
pub fn advises(s: &Subject, regions: &[Region], res: &[LazyRe]) -> (bool, Vec<Evidence>) {
    for re in res {
        let Some(re) = re.get() else { continue };
        for r in regions {
            let Some(slice) = s.docs[r.doc].text.as_bytes().get(r.start..r.end) else {
                continue;
            };
            if let Some(m) = re
                .find_iter(slice)
                .find(|m| is_advice(s, r.doc, r.start + m.start(), r.start + m.end()))
            {
                return (true, vec![s.evidence(r.doc, r.start + m.start())]);
            }
        }
    }
    (false, Vec::new())
}

/// `any_regex`: at least one pattern matches.
pub fn any_regex(s: &Subject, regions: &[Region], res: &[LazyRe]) -> (bool, Vec<Evidence>) {
    for re in res {
        if let Some(e) = find_re(s, regions, re) {
            return (true, vec![e]);
        }
    }
    (false, Vec::new())
}

/// `all_regex`: every pattern matches (independently). Returns the missing patterns too.
pub fn all_regex(
    s: &Subject,
    regions: &[Region],
    res: &[LazyRe],
) -> (bool, Vec<Evidence>, Vec<String>) {
    let mut ev = Vec::new();
    let mut missing = Vec::new();
    for re in res {
        match find_re(s, regions, re) {
            Some(e) => ev.push(e),
            None => missing.push(re.as_str().to_string()),
        }
    }
    (missing.is_empty(), ev, missing)
}

/// `mentions`: at least `min` items present; an item is a list of synonyms.
pub fn mentions(
    s: &Subject,
    regions: &[Region],
    items: &[Vec<Term>],
    min: usize,
) -> (bool, Vec<Evidence>, Vec<String>) {
    let mut ev = Vec::new();
    let mut missing = Vec::new();
    let mut found = 0;
    for item in items {
        match item.iter().find_map(|t| find_re(s, regions, &t.re)) {
            Some(e) => {
                found += 1;
                ev.push(e);
            }
            None => missing.push(
                item.iter()
                    .map(|t| t.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" / "),
            ),
        }
    }
    (found >= min, ev, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subj(t: &str) -> (Subject, Vec<Region>) {
        let s = Subject::from_answer(t);
        let r = vec![s.whole(0)];
        (s, r)
    }

    #[test]
    fn any_regex_fires_and_not() {
        let (s, r) = subj("intro\nUse uv sync --locked here\n");
        let res = [compile_regex(r"uv sync[^\n]*--(locked|frozen)").unwrap()];
        let (ok, ev) = any_regex(&s, &r, &res);
        assert!(ok);
        assert_eq!(ev[0].line, 2);
        let (s, r) = subj("pip install -r requirements.txt\n");
        assert!(!any_regex(&s, &r, &res).0);
    }

    #[test]
    fn advises_handles_multibyte_text_and_negation() {
        let res = [compile_regex("python:latest").unwrap()];
        let (s, r) = subj(
            "Évitez → never `python:latest`.\n```dockerfile\n# ❌ dépassé\nFROM python:latest\n```\n",
        );
        assert!(!advises(&s, &r, &res).0);
        let (s, r) = subj("Für Tempo: `FROM python:latest` nehmen.\n");
        assert!(advises(&s, &r, &res).0);
        // A match starting inside a multi-byte character does not panic.
        let any = [compile_regex("(?-u:.)latest").unwrap()];
        let (s, r) = subj("é→latest\n");
        let _ = advises(&s, &r, &any);
    }

    #[test]
    fn regex_case_rules() {
        let (s, r) = subj("HEALTHCHECK CMD curl\n");
        assert!(any_regex(&s, &r, &[compile_regex("healthcheck").unwrap()]).0);
        assert!(!any_regex(&s, &r, &[compile_regex("(?-i)healthcheck").unwrap()]).0);
        assert!(
            compile_regex("(unclosed")
                .unwrap_err()
                .contains("invalid regex")
        );
    }

    #[test]
    fn all_regex_needs_every_pattern() {
        let (s, r) = subj("multi-stage\nCOPY --from=builder /app /app\n");
        let res = [
            compile_regex("multi-stage").unwrap(),
            compile_regex("COPY --from").unwrap(),
        ];
        assert!(all_regex(&s, &r, &res).0);
        let (s, r) = subj("multi-stage only\n");
        let (ok, _, missing) = all_regex(&s, &r, &res);
        assert!(!ok);
        assert_eq!(missing, vec!["COPY --from".to_string()]);
    }

    #[test]
    fn mentions_word_boundaries_synonyms_and_case() {
        let items = vec![
            vec![
                Term::new("non-root").unwrap(),
                Term::new("unprivileged").unwrap(),
            ],
            vec![Term::new("USER").unwrap()],
        ];
        let (s, r) = subj("Run as an unprivileged account.\nUSER app\n");
        assert!(mentions(&s, &r, &items, 2).0);
        // `user` in lowercase does not satisfy the case-sensitive `USER`.
        let (s, r) = subj("run as a non-root user\n");
        let (ok, _, missing) = mentions(&s, &r, &items, 2);
        assert!(!ok);
        assert_eq!(missing, vec!["USER".to_string()]);
        assert!(mentions(&s, &r, &items, 1).0);
        // Word boundary: `slim` is not found inside `slimmer`.
        let slim = vec![vec![Term::new("slim").unwrap()]];
        let (s, r) = subj("a slimmer image\n");
        assert!(!mentions(&s, &r, &slim, 1).0);
        // Phrases match across any whitespace; leading punctuation terms work.
        let p = vec![
            vec![Term::new("copy on write").unwrap()],
            vec![Term::new("--chown").unwrap()],
        ];
        let (s, r) = subj("copy\non   write; COPY --chown=app:app\n");
        assert!(mentions(&s, &r, &p, 2).0);
    }
}

#[cfg(test)]
mod size_limit_tests {
    use super::*;

    #[test]
    fn oversized_regexes_are_rejected_at_load() {
        let e = compile_regex("((a|b|c|d){500}){500}").unwrap_err();
        assert!(e.contains("too large"), "{e}");
        assert!(compile_regex("a{2,60}b").is_ok());
        assert!(compile_regex("docker (run|exec)").is_ok());
    }
}
