//! Token counts with a real BPE tokenizer.
//!
//! The encoding is OpenAI's `o200k_base` (through the `tiktoken-rs` crate, vocabulary
//! compiled in, no network). Claude's tokenizer is not published, so no offline tool
//! counts Claude tokens exactly: `o200k_base` counts are an approximation of Claude's
//! (same order of magnitude for English prose and code, not identical). Budgets are
//! therefore warnings, never errors on their own.
//!
//! Cost control: building the tokenizer costs about 0.1 s of CPU and tokenizing runs at
//! a few MB/s, so lint tokenizes only texts that [`may_exceed`] a budget: more than two
//! bytes per budgeted token. Ordinary text (English or other prose, code, CJK, digits)
//! averages three or more bytes per `o200k_base` token, so a text under that size is
//! within budget; only contrived text (long runs of unrelated single-byte symbols) could
//! hide past a budget this way. `lint --tokens` counts everything exactly.

/// The encoding's name, as reported in `lint --format json`.
pub const ENCODING: &str = "o200k_base";

/// Runs of non-whitespace longer than this are counted in pieces: BPE merging is
/// quadratic in the length of one pre-tokenized piece, and a long base64 blob or
/// `=====` line would otherwise take minutes.
const MAX_PIECE: usize = 512;

/// The number of `o200k_base` tokens in `text`.
pub fn count(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    let bpe = tiktoken_rs::o200k_base_singleton();
    let mut total = 0;
    let mut start = 0;
    let mut run_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(rs) = run_start.take()
                && i - rs > MAX_PIECE
            {
                total += count_plain(bpe, &text[start..rs]);
                total += count_long_run(bpe, &text[rs..i]);
                start = i;
            }
        } else if run_start.is_none() {
            run_start = Some(i);
        }
    }
    if let Some(rs) = run_start
        && text.len() - rs > MAX_PIECE
    {
        total += count_plain(bpe, &text[start..rs]);
        total += count_long_run(bpe, &text[rs..]);
        return total;
    }
    total + count_plain(bpe, &text[start..])
}

fn count_plain(bpe: &tiktoken_rs::CoreBPE, text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    // The tokenizer's pre-split regex can in principle hit its backtracking limit (it
    // then panics); fall back to the four-characters-per-token rule of thumb.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        bpe.encode_ordinary(text).len()
    }))
    .unwrap_or_else(|_| text.chars().count().div_ceil(4))
}

fn count_long_run(bpe: &tiktoken_rs::CoreBPE, run: &str) -> usize {
    let mut total = 0;
    let mut rest = run;
    while !rest.is_empty() {
        let mut cut = rest.len().min(MAX_PIECE);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        total += count_plain(bpe, &rest[..cut]);
        rest = &rest[cut..];
    }
    total
}

/// Whether a text of `bytes` bytes may be over `budget` tokens (see the module docs).
pub fn may_exceed(bytes: usize, budget: usize) -> bool {
    bytes > budget.saturating_mul(2)
}

/// The token count of `text` when it is over `budget`, without tokenizing a text
/// that is within it (`None`: within budget).
pub fn over_budget(text: &str, budget: usize) -> Option<usize> {
    if !may_exceed(text.len(), budget) {
        return None;
    }
    let n = count(text);
    (n > budget).then_some(n)
}

/// Token counts of one skill (for `--format json`). Without `--tokens`, only what
/// may exceed a budget is counted (the rest is `null` / absent).
#[derive(serde::Serialize)]
pub struct SkillTokens {
    pub skill: String,
    /// The frontmatter description, when it is a string.
    pub description: Option<usize>,
    /// The SKILL.md body (after the frontmatter).
    pub body: Option<usize>,
    /// Markdown or text documents of the skill (references and the like).
    pub files: Vec<FileTokens>,
}

#[derive(serde::Serialize)]
pub struct FileTokens {
    pub file: String,
    pub tokens: usize,
}

/// The `tokens` field of `lint --format json`.
#[derive(serde::Serialize)]
pub struct TokenReport {
    pub encoding: &'static str,
    pub approximates: &'static str,
    /// `all` (`--tokens`) or `near-budget` (only texts that may exceed a budget).
    pub counted: &'static str,
    pub budgets: BudgetsJson,
    pub skills: Vec<SkillTokens>,
}

#[derive(serde::Serialize)]
pub struct BudgetsJson {
    pub body: usize,
    pub reference: usize,
}

/// Counts tokens of loaded skills (in parallel). With `all`, every description, body
/// and document; otherwise only bodies and references that may exceed their budget
/// (what the budget rules tokenize), and skills with nothing counted are left out.
pub fn token_counts(
    skills: &[crate::skill::Skill],
    all: bool,
    budgets: crate::lint::Budgets,
) -> TokenReport {
    use rayon::prelude::*;
    let per: Vec<SkillTokens> = skills
        .par_iter()
        .filter_map(|s| skill_tokens(s, all, budgets))
        .collect();
    token_report(per, all, budgets)
}

/// The token counts of one skill (see [`token_counts`]); `None` when, without `all`,
/// nothing of it may exceed a budget.
pub fn skill_tokens(
    s: &crate::skill::Skill,
    all: bool,
    budgets: crate::lint::Budgets,
) -> Option<SkillTokens> {
    let body = &s.doc.text[s.doc.body.offset.min(s.doc.text.len())..];
    let files: Vec<FileTokens> = s
        .files
        .iter()
        .filter(|f| {
            !f.is_symlink
                && f.size <= crate::skill::DEFAULT_SIZE_CAP
                && [".md", ".markdown", ".txt", ".rst"]
                    .iter()
                    .any(|e| f.rel.to_ascii_lowercase().ends_with(e))
                && (all
                    || (f.rel.starts_with("references/")
                        && may_exceed(f.size as usize, budgets.reference)))
        })
        .filter_map(|f| {
            s.read_file(&f.rel).map(|t| FileTokens {
                file: f.rel.clone(),
                tokens: count(&t),
            })
        })
        .collect();
    let t = SkillTokens {
        skill: crate::lint::display_path(&s.dir),
        description: if all {
            s.doc.frontmatter.str("description").map(count)
        } else {
            None
        },
        body: (all || may_exceed(body.len(), budgets.body)).then(|| count(body)),
        files,
    };
    (all || t.body.is_some() || !t.files.is_empty()).then_some(t)
}

/// The `tokens` field of `lint --format json`, from the skills' counts in order.
pub fn token_report(
    skills: Vec<SkillTokens>,
    all: bool,
    budgets: crate::lint::Budgets,
) -> TokenReport {
    TokenReport {
        encoding: ENCODING,
        approximates: "Claude's tokenizer (not published); counts are close, not identical",
        counted: if all { "all" } else { "near-budget" },
        budgets: BudgetsJson {
            body: budgets.body,
            reference: budgets.reference,
        },
        skills,
    }
}

/// `lint --tokens` in text: one line per skill.
pub fn tokens_text(r: &TokenReport) -> String {
    let mut out = format!(
        "\ntokens ({}, approximates Claude's; budgets: body {}, reference {}):\n",
        r.encoding, r.budgets.body, r.budgets.reference
    );
    for s in &r.skills {
        let docs: usize = s.files.iter().map(|f| f.tokens).sum();
        let largest = s
            .files
            .iter()
            .max_by_key(|f| f.tokens)
            .map(|f| format!(" (largest {} {})", f.file, f.tokens))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {}: description {}, body {}, {} document{} {docs}{largest}\n",
            s.skill,
            s.description
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into()),
            s.body.map(|n| n.to_string()).unwrap_or_else(|| "-".into()),
            s.files.len(),
            if s.files.len() == 1 { "" } else { "s" },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_real_tokens() {
        assert_eq!(count(""), 0);
        assert_eq!(count("hello"), 1);
        assert_eq!(count("hello world"), 2);
        // Far fewer tokens than characters for ordinary prose.
        let prose = "The quick brown fox jumps over the lazy dog. ".repeat(100);
        let n = count(&prose);
        assert!((900..=1100).contains(&n), "{n}");
    }

    #[test]
    fn long_runs_are_counted_quickly_and_plausibly() {
        let blob = "QUJD".repeat(250_000); // 1 MB of base64-like text, one "word"
        let n = count(&blob);
        assert!(n > 100_000 && n < 1_000_000, "{n}");
        let mixed = format!("start {} end", "=".repeat(10_000));
        assert!(count(&mixed) >= 3);
        // Multi-byte characters at a cut are handled.
        let wide = "é".repeat(2_000);
        assert!(count(&wide) > 0);
    }

    #[test]
    fn budget_skips_short_texts() {
        assert_eq!(over_budget("short", 10), None);
        let long = "word ".repeat(100);
        let n = count(&long);
        assert!((100..=101).contains(&n), "{n}");
        assert_eq!(over_budget(&long, 50), Some(n));
        assert_eq!(over_budget(&long, n), None);
        assert!(!may_exceed(200, 100) && may_exceed(201, 100));
    }

    #[test]
    fn ordinary_text_has_at_least_two_bytes_per_token() {
        // The assumption behind `may_exceed`, on prose, code, CJK, digits and emoji.
        for text in [
            "The quick brown fox jumps over the lazy dog. ".repeat(50),
            "fn main() { let x = vec![1, 2, 3]; println!(\"{x:?}\"); }\n".repeat(50),
            "容器镜像应该尽可能小，并且只包含运行所需的文件。".repeat(50),
            "4000 125.00 EUR 1200 9876543210 ".repeat(50),
            "🚀🐳✅ ".repeat(50),
            "| a | b | c |\n|---|---|---|\n".repeat(50),
        ] {
            let n = count(&text);
            let head: String = text.chars().take(20).collect();
            assert!(
                text.len() >= 2 * n,
                "{} bytes, {n} tokens: {head}",
                text.len()
            );
        }
    }
}
