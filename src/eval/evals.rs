//! agentskills `evals/evals.json` interop.
//!
//! Export writes the standard shape `{skill_name, evals: [{id, prompt, expected_output,
//! files, assertions: [text…]}]}`; each eval also carries an `x-skillforge` object with
//! the prompt id, topic and the machine checks (`{text, weight, check, hint, doc}`), which
//! other tools ignore and import reads back. Import accepts plain evals.json files:
//! an assertion is a string (not machine-checkable) or an object with `text` and an
//! optional `check` in the lesson grammar.

use super::check;
use super::node::{Node, SNode, line_of};
use super::suite::{Assertion, Curriculum, Lesson, Library, Prompt, Topic, doc_url};
use crate::error::{Error, Result};
use serde_json::{Value, json};
use std::path::Path;

/// The evals.json document for the given lessons' prompts.
pub fn export(lib: &Library, lessons: &[&Lesson], skill_name: &str) -> Value {
    let mut evals = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for l in lessons {
        for t in lib.lesson_topics(l) {
            for p in &t.prompts {
                if !seen.insert(p.id.clone()) {
                    continue;
                }
                let expected = p.expected_output.clone().unwrap_or_else(|| {
                    let parts: Vec<&str> = p.assertions.iter().map(|a| a.text.as_str()).collect();
                    format!("An answer that: {}.", parts.join("; "))
                });
                let checks: Vec<Value> = p
                    .assertions
                    .iter()
                    .map(|a| {
                        json!({
                            "text": a.text,
                            "weight": a.weight,
                            "check": a.check_json,
                            "hint": a.hint,
                            "doc": a.doc.clone().or_else(|| t.docs.first().map(|d| doc_url(d))),
                        })
                    })
                    .collect();
                evals.push(json!({
                    "id": evals.len() + 1,
                    "prompt": p.prompt,
                    "expected_output": expected,
                    "files": p.files,
                    "assertions": p.assertions.iter().map(|a| a.text.clone()).collect::<Vec<_>>(),
                    "x-skillforge": {
                        "prompt_id": p.id,
                        "topic": t.id,
                        "lesson": l.number,
                        "assertions": checks,
                    },
                }));
            }
        }
    }
    json!({ "skill_name": skill_name, "evals": evals })
}

fn bad(path: &Path, n: &SNode, msg: impl Into<String>) -> Error {
    Error::input_at(
        path,
        line_of(n),
        msg,
        Some(
            "evals.json: {skill_name, evals: [{id, prompt, expected_output, files, assertions}]}"
                .into(),
        ),
    )
}

/// Reads an evals.json into a one-lesson library.
pub fn import(path: &Path) -> Result<(Library, Curriculum)> {
    let text = crate::fsutil::read_text_capped(path, 16 * 1024 * 1024)?;
    let root: SNode = serde_saphyr::from_str(&text).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize).unwrap_or(1);
        Error::input_at(
            path,
            line.max(1),
            "not valid JSON",
            Some("check the file with a JSON validator".into()),
        )
    })?;
    let Some(evals) = root.value.get("evals").and_then(|e| e.value.as_seq()) else {
        return Err(bad(path, &root, "no `evals` list"));
    };
    let name = root
        .value
        .get("skill_name")
        .and_then(|n| n.value.as_str())
        .unwrap_or("evals")
        .to_string();
    let mut prompts = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for (i, e) in evals.iter().enumerate() {
        let ext = e.value.get("x-skillforge");
        let id = match (
            ext.and_then(|x| x.value.get("prompt_id"))
                .and_then(|v| v.value.as_str()),
            e.value.get("id").map(|v| &v.value),
        ) {
            (Some(s), _) => s.to_string(),
            (None, Some(Node::Str(s))) => s.clone(),
            (None, Some(Node::Int(n))) => n.to_string(),
            _ => (i + 1).to_string(),
        };
        if !ids.insert(id.clone()) {
            return Err(bad(path, e, format!("duplicate eval id `{id}`")));
        }
        let prompt = e
            .value
            .get("prompt")
            .and_then(|p| p.value.as_str())
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| bad(path, e, format!("eval `{id}` has no prompt")))?;
        let source = ext
            .and_then(|x| x.value.get("assertions"))
            .or_else(|| e.value.get("assertions"))
            // skill-creator spells them `expectations`.
            .or_else(|| e.value.get("expectations"));
        let mut assertions = Vec::new();
        for a in source.and_then(|s| s.value.as_seq()).unwrap_or(&[]) {
            assertions.push(assertion(path, a)?);
        }
        prompts.push(Prompt {
            id,
            prompt: prompt.trim_end().to_string(),
            expected_output: e.value.get_str("expected_output").map(str::to_string),
            files: e
                .value
                .get("files")
                .and_then(|f| f.value.as_seq())
                .map(|s| {
                    s.iter()
                        .filter_map(|x| x.value.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            assertions,
            topic: "evals".into(),
            line: line_of(e),
        });
    }
    let topic = Topic {
        id: "evals".into(),
        title: format!("{name} evals"),
        docs: Vec::new(),
        prompts,
        file: path.display().to_string(),
    };
    let cur = Curriculum {
        id: "evals".into(),
        title: topic.title.clone(),
        lessons: vec![Lesson {
            number: 0,
            title: topic.title.clone(),
            topics: vec!["evals".into()],
            line: 1,
        }],
        file: path.display().to_string(),
    };
    let mut lib = Library {
        origin: path.display().to_string(),
        ..Library::default()
    };
    lib.topics.insert("evals".into(), topic);
    lib.curricula.push(cur.clone());
    Ok((lib, cur))
}

fn assertion(path: &Path, a: &SNode) -> Result<Assertion> {
    match &a.value {
        Node::Str(s) => Ok(Assertion {
            text: s.clone(),
            weight: 1.0,
            check: None,
            check_json: None,
            hint: None,
            doc: None,
            answer: Default::default(),
            answer_only: false,
            line: line_of(a),
        }),
        Node::Map(_) => {
            let text = a
                .value
                .get("text")
                .and_then(|t| t.value.as_str())
                .ok_or_else(|| bad(path, a, "an assertion object needs `text`"))?;
            let c = match a.value.get("check") {
                Some(c) if !matches!(c.value, Node::Null) => Some(
                    check::parse(c).map_err(|e| Error::input_at(path, e.line, e.message, None))?,
                ),
                _ => None,
            };
            Ok(Assertion {
                text: text.to_string(),
                weight: a
                    .value
                    .get("weight")
                    .and_then(|w| w.value.as_f64())
                    .filter(|w| *w > 0.0)
                    .unwrap_or(1.0),
                check_json: a.value.get("check").map(|c| c.value.to_json()),
                check: c,
                hint: a.value.get_str("hint").map(str::to_string),
                doc: a.value.get_str("doc").map(str::to_string),
                answer: Default::default(),
                answer_only: false,
                line: line_of(a),
            })
        }
        _ => Err(bad(path, a, "an assertion is a string or {text, check}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_plain_strings_are_unchecked_and_objects_checked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("evals.json");
        std::fs::write(
            &p,
            r#"{"skill_name":"d","evals":[{"id":1,"prompt":"Make it small","expected_output":"x","files":[],
               "assertions":["Uses a slim base",{"text":"mentions slim","check":{"mentions":["slim"]}}]}]}"#,
        )
        .unwrap();
        let (lib, cur) = import(&p).unwrap();
        let t = lib.lesson_topics(&cur.lessons[0]);
        let a = &t[0].prompts[0].assertions;
        assert!(a[0].check.is_none());
        assert!(a[1].check.is_some());
        std::fs::write(
            &p,
            r#"{"evals":[{"id":1,"prompt":"a"},{"id":1,"prompt":"b"}]}"#,
        )
        .unwrap();
        assert!(
            import(&p)
                .unwrap_err()
                .render()
                .contains("duplicate eval id")
        );
    }
}
