//! `evals/evals.json` (the agentskills eval format).

use super::IndexMemo;
use crate::lint::{Check, Ctx, Emitter, Rule};
use crate::report::Severity;
use crate::skill::{LineIndex, Skill, Span};
use serde_json::Value;
use std::collections::HashMap;

pub const EVALS_PATH: &str = "evals/evals.json";

pub const EVALS_JSON: Rule = Rule {
    id: "SF-evals-json",
    severity: Severity::Error,
    summary: "evals/evals.json must be valid: unique ids, non-empty prompts, existing files",
    explain: "agentskills eval runners read `evals/evals.json`: `{\"skill_name\": …, \"evals\": \
[{\"id\", \"prompt\", \"expected_output\", \"files\", \"assertions\"}]}`. A duplicate id makes \
results overwrite each other, an empty prompt runs nothing, and a missing input file aborts \
the run. Also checked: valid JSON, `evals` is a list of objects, `skill_name` (when given) \
equals the frontmatter name. Files resolve from the skill directory (or from evals/).",
    check: Check::Skill(check_evals),
};

/// Span of the `nth` (0-based) occurrence of `"key":` in `text`.
fn key_span(text: &str, ix: &LineIndex, key: &str, nth: usize) -> Option<Span> {
    let pat = format!("\"{key}\"");
    let mut found = 0;
    let mut from = 0;
    while let Some(i) = text[from..].find(&pat) {
        let at = from + i;
        from = at + pat.len();
        if text[from..].trim_start().starts_with(':') {
            if found == nth {
                return Some(ix.span(text, at, pat.len()));
            }
            found += 1;
        }
    }
    None
}

fn check_evals(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if !skill.files.iter().any(|f| f.rel == EVALS_PATH) {
        return;
    }
    let ix = em.memo().index();
    let ix = &*ix;
    let Some(text) = ix.text(skill, EVALS_PATH) else {
        em.emit_in(EVALS_PATH, None, "cannot read evals.json as UTF-8 text")
            .hint = Some("save it as UTF-8 JSON".into());
        return;
    };
    let lines = LineIndex::new(&text);
    let root: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let span = lines.line_span(&text, e.line().max(1));
            em.emit_in(EVALS_PATH, Some(span), format!("invalid JSON: {e}"))
                .hint =
                Some("fix the JSON syntax (trailing commas and comments are not allowed)".into());
            return;
        }
    };
    let Some(evals) = root.get("evals").and_then(Value::as_array) else {
        em.emit_in(EVALS_PATH, None, "evals.json has no `evals` list")
            .hint = Some(
            "write {\"skill_name\": \"…\", \"evals\": [{\"id\": 1, \"prompt\": \"…\"}]}".into(),
        );
        return;
    };
    if let (Some(sn), Some(name)) = (root.get("skill_name").and_then(Value::as_str), skill.name())
        && sn != name
    {
        em.emit_in(
            EVALS_PATH,
            key_span(&text, &lines, "skill_name", 0),
            format!("`skill_name` is `{sn}` but the skill is `{name}`"),
        )
        .hint = Some(format!("set \"skill_name\": \"{name}\""));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let (mut id_n, mut prompt_n) = (0, 0);
    for (i, e) in evals.iter().enumerate() {
        let Some(obj) = e.as_object() else {
            em.emit_in(EVALS_PATH, None, format!("evals[{i}] is not an object"));
            continue;
        };
        match obj.get("id") {
            Some(id) => {
                let span = key_span(&text, &lines, "id", id_n);
                id_n += 1;
                let key = id.to_string();
                if let Some(first) = seen.get(&key) {
                    em.emit_in(
                        EVALS_PATH,
                        span,
                        format!("evals[{i}] repeats id {key} (first used by evals[{first}])"),
                    )
                    .hint = Some("give every eval a unique id".into());
                } else {
                    seen.insert(key, i);
                }
            }
            None => {
                em.emit_in(EVALS_PATH, None, format!("evals[{i}] has no `id`"))
                    .hint = Some("add a unique \"id\"".into());
            }
        }
        let prompt_span = if obj.contains_key("prompt") {
            prompt_n += 1;
            key_span(&text, &lines, "prompt", prompt_n - 1)
        } else {
            None
        };
        match obj.get("prompt") {
            Some(Value::String(p)) if !p.trim().is_empty() => {}
            _ => {
                em.emit_in(
                    EVALS_PATH,
                    prompt_span,
                    format!("evals[{i}] has no prompt (a non-empty string is required)"),
                )
                .hint = Some("write the user request the eval sends".into());
            }
        }
        if let Some(files) = obj.get("files").and_then(Value::as_array) {
            for f in files {
                let Some(p) = f.as_str() else { continue };
                let ok = [String::new(), "evals".to_string()]
                    .iter()
                    .any(|base| super::paths::resolve(base, p).is_ok_and(|r| ix.exists(&r)));
                if !ok {
                    let span = text
                        .find(&format!("\"{p}\""))
                        .map(|o| lines.span(&text, o, p.len() + 2));
                    em.emit_in(
                        EVALS_PATH,
                        span,
                        format!("evals[{i}] input file `{p}` does not exist"),
                    )
                    .hint = Some("add the file or fix its path (relative to the skill)".into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    fn lines_of(files: &[(&str, &str)]) -> Vec<usize> {
        let mut all = vec![("SKILL.md", doc("ev", "", "Body.\n"))];
        all.extend(files.iter().map(|(a, b)| (*a, b.to_string())));
        let refs: Vec<(&str, &str)> = all.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let (_t, s) = temp_skill("ev", &refs);
        lines("SF-evals-json", &cx(), &s)
    }

    #[test]
    fn evals_json() {
        let bad = "{\n  \"skill_name\": \"ev\",\n  \"evals\": [\n    {\"id\": 1, \"prompt\": \"Do x\", \"files\": [\"evals/files/in.csv\"]},\n    {\"id\": 1, \"prompt\": \"\"}\n  ]\n}\n";
        assert_eq!(lines_of(&[("evals/evals.json", bad)]), vec![4, 5, 5]);
        assert_eq!(
            lines_of(&[("evals/evals.json", "{\n \"evals\": [,]\n}\n")]),
            vec![2]
        );
        let good = "{\"skill_name\": \"ev\", \"evals\": [{\"id\": 1, \"prompt\": \"Do x\", \"files\": [\"files/in.csv\"]}, {\"id\": 2, \"prompt\": \"Do y\"}]}";
        assert!(
            lines_of(&[("evals/evals.json", good), ("evals/files/in.csv", "a,b\n")]).is_empty()
        );
        assert!(lines_of(&[]).is_empty());
    }
}
