//! `commands`: CLI invocations recognised in shell code blocks (bash/sh/shell/console
//! or no language), shell script files, and inline code inside a sentence — never in
//! prose, nor in a bare run of backticked terms.
//!
//! Matching is token-based. A pattern `docker logs -f` splits into words
//! (`docker`, `logs`) and flags (`-f`). A command line matches when its first word
//! is the pattern's first word, its second word (the subcommand) is the pattern's
//! second word, the remaining pattern words appear in order among its words, and
//! every pattern flag appears anywhere after the command (`--format` matches
//! `--format=…`; a short flag matches inside a cluster: `-f` in `-fd`).

use super::subject::{Evidence, Region, Subject};

/// A compiled command pattern.
#[derive(Debug, Clone)]
pub struct CmdPattern {
    pub raw: String,
    words: Vec<String>,
    flags: Vec<String>,
}

impl CmdPattern {
    pub fn new(raw: &str) -> Result<CmdPattern, String> {
        let toks = tokenize(raw);
        let (flags, words): (Vec<String>, Vec<String>) = toks
            .into_iter()
            .partition(|t| t.starts_with('-') && t.len() > 1);
        if words.is_empty() {
            return Err(format!("command pattern `{raw}` has no command word"));
        }
        Ok(CmdPattern {
            raw: raw.trim().to_string(),
            words,
            flags,
        })
    }

    /// Whether one command segment (already tokenised) matches.
    pub fn matches(&self, seg: &[String]) -> bool {
        let seg_words: Vec<&str> = seg
            .iter()
            .filter(|t| !t.starts_with('-'))
            .map(String::as_str)
            .collect();
        if seg_words.first() != Some(&self.words[0].as_str()) {
            return false;
        }
        if let Some(sub) = self.words.get(1)
            && seg_words.get(1) != Some(&sub.as_str())
        {
            return false;
        }
        let mut it = seg_words.iter().skip(2);
        for w in self.words.iter().skip(2) {
            if !it.any(|s| s == w) {
                return false;
            }
        }
        self.flags
            .iter()
            .all(|f| seg.iter().skip(1).any(|t| flag_matches(f, t)))
    }
}

fn flag_matches(pattern: &str, tok: &str) -> bool {
    if tok == pattern {
        return true;
    }
    if let Some(long) = pattern.strip_prefix("--") {
        return tok
            .strip_prefix("--")
            .and_then(|t| t.strip_prefix(long))
            .is_some_and(|rest| rest.starts_with('='));
    }
    // Short flag: inside a cluster like `-it`, or with an attached value `-p8000`.
    let Some(c) = pattern.strip_prefix('-') else {
        return false;
    };
    if c.chars().count() != 1 || tok.starts_with("--") {
        return false;
    }
    tok.strip_prefix('-').is_some_and(|cluster| {
        cluster.chars().all(|x| x.is_ascii_alphabetic()) && cluster.contains(c)
    })
}

/// Splits a shell line into words, honouring single and double quotes.
pub fn tokenize(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                has = true;
            }
            None if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            None => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Splits one logical shell line into command segments (`&&`, `||`, `|`, `;`),
/// drops prompts (`$ `), `sudo` and leading `VAR=value` assignments.
pub fn segments(line: &str) -> Vec<Vec<String>> {
    let mut line = line.trim();
    for p in ["$ ", "% ", "> ", "PS> "] {
        if let Some(rest) = line.strip_prefix(p) {
            line = rest.trim_start();
        }
    }
    if line.starts_with('#') {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    for tok in tokenize(line) {
        match tok.as_str() {
            "&&" | "||" | "|" | ";" => {
                out.push(std::mem::take(&mut cur));
            }
            t if t.ends_with(';') && t.len() > 1 => {
                cur.push(t.trim_end_matches(';').to_string());
                out.push(std::mem::take(&mut cur));
            }
            _ => cur.push(tok),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|seg| {
            seg.into_iter()
                .skip_while(|t| t == "sudo" || (t.contains('=') && !t.starts_with('-')))
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Command lines (joined continuations) of a code text, with their 0-based line index.
fn logical_lines(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut acc = String::new();
    let mut start = 0;
    for (i, raw) in code.lines().enumerate() {
        if acc.is_empty() {
            start = i;
        }
        let l = raw.trim_end();
        if let Some(head) = l.strip_suffix('\\') {
            acc.push_str(head);
            acc.push(' ');
        } else {
            acc.push_str(l);
            out.push((start, std::mem::take(&mut acc)));
        }
    }
    if !acc.is_empty() {
        out.push((start, acc));
    }
    out
}

/// Languages whose code blocks hold shell commands.
fn is_shell(lang: &str) -> bool {
    matches!(lang, "bash" | "" | "text" | "powershell" | "ps1" | "cmd")
}

/// Every command segment in `regions`, with where it is.
pub fn commands_in(s: &Subject, regions: &[Region]) -> Vec<(Evidence, Vec<String>)> {
    let mut out = Vec::new();
    for (_, u) in s.code_in(regions, |u| is_shell(&u.lang)) {
        for (i, line) in logical_lines(s.code_text(u)) {
            for seg in segments(&line) {
                out.push((
                    Evidence {
                        file: s.docs[u.doc].path.clone(),
                        line: u.first_line + i,
                    },
                    seg,
                ));
            }
        }
    }
    for (di, d) in s.docs.iter().enumerate() {
        let Some(md) = &d.md else { continue };
        for ic in &md.body.inline_code {
            // Inline code counts inside a sentence, not in a bare list of commands.
            if !regions
                .iter()
                .any(|r| r.contains(di, ic.span.offset, ic.span.end()))
                || s.in_dump(di, ic.span.offset)
            {
                continue;
            }
            for seg in segments(&ic.code) {
                out.push((
                    Evidence {
                        file: d.path.clone(),
                        line: ic.span.line,
                    },
                    seg,
                ));
            }
        }
    }
    out
}

/// `commands`: at least `min` patterns found. Returns evidence and the missing ones.
pub fn check(
    s: &Subject,
    regions: &[Region],
    pats: &[CmdPattern],
    min: usize,
) -> (bool, Vec<Evidence>, Vec<String>) {
    let cmds = commands_in(s, regions);
    let mut ev = Vec::new();
    let mut missing = Vec::new();
    for p in pats {
        match cmds.iter().find(|(_, seg)| p.matches(seg)) {
            Some((e, _)) => ev.push(e.clone()),
            None => missing.push(p.raw.clone()),
        }
    }
    (pats.len() - missing.len() >= min, ev, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, pats: &[&str]) -> (bool, Vec<Evidence>, Vec<String>) {
        let s = Subject::from_answer(text);
        let r = vec![s.whole(0)];
        let p: Vec<CmdPattern> = pats.iter().map(|p| CmdPattern::new(p).unwrap()).collect();
        check(&s, &r, &p, p.len())
    }

    #[test]
    fn finds_commands_in_code_blocks_with_any_flag_order() {
        let t = "Debug it:\n\n```bash\n$ docker logs --tail 50 -f api\ndocker inspect \\\n  --format '{{.State.ExitCode}}' api\n```\n";
        let (ok, ev, _) = run(t, &["docker logs -f", "docker inspect --format"]);
        assert!(ok);
        assert_eq!(ev[0].line, 4);
        assert_eq!(ev[1].line, 5);
    }

    #[test]
    fn prose_does_not_count_but_inline_code_does() {
        let (ok, _, missing) = run(
            "Run docker logs -f to follow output.\n",
            &["docker logs -f"],
        );
        assert!(!ok);
        assert_eq!(missing, vec!["docker logs -f".to_string()]);
        let (ok, ev, _) = run(
            "Follow the output with `docker logs -f api` while it starts.\n",
            &["docker logs -f"],
        );
        assert!(ok);
        assert_eq!(ev[0].line, 1);
        // Inline code with no sentence around it is a term, not guidance.
        assert!(
            !run(
                "`docker logs -f api` `docker exec -it api sh`\n",
                &["docker logs -f"]
            )
            .0
        );
        assert!(!run("Debug: `docker logs -f api`\n", &["docker logs -f"]).0);
    }

    #[test]
    fn subcommand_must_match_and_flags_in_clusters() {
        // `docker compose logs` is not `docker logs`.
        assert!(!run("```\ndocker compose logs -f\n```\n", &["docker logs -f"]).0);
        assert!(run("```sh\ndocker exec -it api sh\n```\n", &["docker exec -i"]).0);
        assert!(
            run(
                "```console\ncd app && sudo docker build -t api .\n```\n",
                &["docker build -t"]
            )
            .0
        );
        assert!(
            run(
                "```\ndocker run --memory=4g img\n```\n",
                &["docker run --memory"]
            )
            .0
        );
        // Other languages' blocks are not shell.
        assert!(!run("```python\ndocker logs -f\n```\n", &["docker logs"]).0);
    }

    #[test]
    fn min_form() {
        let s = Subject::from_answer("List stopped containers with `docker ps -a`.\n");
        let r = vec![s.whole(0)];
        let p = vec![
            CmdPattern::new("docker ps -a").unwrap(),
            CmdPattern::new("docker stop").unwrap(),
        ];
        assert!(check(&s, &r, &p, 1).0);
        assert!(!check(&s, &r, &p, 2).0);
        assert!(CmdPattern::new("--only-flags").is_err());
    }
}
