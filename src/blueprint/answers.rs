//! Authoring answers: from `--answers FILE`, from prompts on a TTY, or the defaults.

use super::model::{Answers, AuthoringQuestion, when_matches};
use crate::error::{Error, Result};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::Path;

/// The questions that apply given the answers so far (a question's `when` may depend
/// on earlier answers, e.g. the Python package manager only for Python stacks).
fn applies(q: &AuthoringQuestion, so_far: &Answers) -> bool {
    q.when.as_ref().is_none_or(|w| when_matches(w, so_far))
}

/// Every question answered with its default.
pub fn defaults(questions: &[AuthoringQuestion]) -> Answers {
    let mut a = Answers::new();
    for q in questions {
        if applies(q, &a) {
            a.insert(q.id.clone(), q.default.clone());
        }
    }
    a
}

fn valid_values(q: &AuthoringQuestion) -> String {
    q.choices
        .iter()
        .map(|c| c.value.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Notes about answers that were given but do not apply (reported, not fatal).
#[derive(Debug, Default)]
pub struct AnswerNotes {
    pub ignored: Vec<String>,
}

/// Parses and validates an answers file (YAML mapping `id: value`). Unknown keys and
/// invalid values are input errors (exit 2) that list what is valid. Unanswered
/// questions take their defaults.
pub fn from_text(
    text: &str,
    path: &Path,
    questions: &[AuthoringQuestion],
) -> Result<(Answers, AnswerNotes)> {
    let line_of = |key: &str| {
        text.lines()
            .position(|l| {
                let t = l.trim_start();
                t.starts_with(&format!("{key}:")) || t.starts_with(&format!("\"{key}\":"))
            })
            .map(|i| i + 1)
            .unwrap_or(1)
    };
    let value: Value = if text.trim().is_empty() {
        Value::Object(Default::default())
    } else {
        serde_saphyr::from_str(text).map_err(|e| {
            let line = e.location().map(|l| l.line() as usize).unwrap_or(1);
            let msg = e.to_string();
            Error::input_at(
                path,
                line.max(1),
                format!(
                    "invalid YAML: {}",
                    msg.lines().next().unwrap_or("cannot parse")
                ),
                Some("the answers file is a YAML mapping, e.g. `stack: fastapi`".into()),
            )
        })?
    };
    let map = match value {
        Value::Object(m) => m,
        Value::Null => Default::default(),
        _ => {
            return Err(Error::input_at(
                path,
                1,
                "the answers file must be a YAML mapping of question id to value",
                Some(format!(
                    "e.g. `stack: fastapi`; questions: {}",
                    questions
                        .iter()
                        .map(|q| q.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ));
        }
    };
    let known: Vec<&str> = questions.iter().map(|q| q.id.as_str()).collect();
    let mut given = Answers::new();
    for (k, v) in &map {
        let Some(q) = questions.iter().find(|q| &q.id == k) else {
            return Err(Error::input_at(
                path,
                line_of(k),
                format!("unknown question `{k}`"),
                Some(format!("valid keys: {}", known.join(", "))),
            ));
        };
        let s = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Bool(_) | Value::Number(_) => v.to_string(),
            _ => String::new(),
        };
        if !q.choices.iter().any(|c| c.value == s) {
            return Err(Error::input_at(
                path,
                line_of(k),
                format!("invalid value {v} for `{k}`"),
                Some(format!("valid values for `{k}`: {}", valid_values(q))),
            ));
        }
        given.insert(k.clone(), s);
    }
    let mut answers = Answers::new();
    let mut notes = AnswerNotes::default();
    for q in questions {
        if applies(q, &answers) {
            let v = given
                .get(&q.id)
                .cloned()
                .unwrap_or_else(|| q.default.clone());
            answers.insert(q.id.clone(), v);
        } else if given.contains_key(&q.id) {
            notes.ignored.push(format!(
                "`{}` does not apply to these answers and was ignored",
                q.id
            ));
        }
    }
    Ok((answers, notes))
}

/// Reads and validates an answers file.
pub fn from_file(path: &Path, questions: &[AuthoringQuestion]) -> Result<(Answers, AnswerNotes)> {
    let bytes = crate::fsutil::read_capped(path, 64 * 1024).map_err(|e| match e {
        crate::fsutil::ReadError::Io(err) => {
            Error::io(path, err).with_hint("--answers takes a YAML file such as `stack: fastapi`")
        }
        crate::fsutil::ReadError::TooLarge { size, cap } => Error::input(
            path,
            format!("answers file is {size} bytes, over the {cap}-byte cap"),
        ),
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::input(path, "the answers file is not valid UTF-8"))?;
    from_text(&text, path, questions)
}

/// Asks each applicable question on `input`/`output` (a TTY in practice). An empty
/// line takes the default; a number picks a choice; an unknown value asks again.
pub fn prompt(
    questions: &[AuthoringQuestion],
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> Result<Answers> {
    let io = |e: std::io::Error| Error::Other(format!("cannot prompt: {e}"));
    let mut answers = Answers::new();
    for q in questions {
        if !applies(q, &answers) {
            continue;
        }
        loop {
            writeln!(output, "\n{}", q.prompt).map_err(io)?;
            if let Some(h) = &q.help {
                writeln!(output, "  ({h})").map_err(io)?;
            }
            for (i, c) in q.choices.iter().enumerate() {
                let mark = if c.value == q.default {
                    " [default]"
                } else {
                    ""
                };
                writeln!(output, "  {}) {:<12} {}{mark}", i + 1, c.value, c.label).map_err(io)?;
            }
            write!(output, "> ").map_err(io)?;
            output.flush().map_err(io)?;
            let mut line = String::new();
            let n = input.read_line(&mut line).map_err(io)?;
            let t = line.trim();
            if n == 0 || t.is_empty() {
                answers.insert(q.id.clone(), q.default.clone());
                break;
            }
            let picked = t
                .parse::<usize>()
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| q.choices.get(i))
                .or_else(|| q.choices.iter().find(|c| c.value.eq_ignore_ascii_case(t)));
            match picked {
                Some(c) => {
                    answers.insert(q.id.clone(), c.value.clone());
                    break;
                }
                None => {
                    writeln!(
                        output,
                        "  `{t}` is not a choice; valid: {}",
                        valid_values(q)
                    )
                    .map_err(io)?;
                }
            }
        }
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qs() -> Vec<AuthoringQuestion> {
        let y = r#"
- id: stack
  prompt: Stack?
  default: fastapi
  choices:
    - {value: fastapi, label: FastAPI}
    - {value: node, label: Node}
- id: package_manager
  prompt: PM?
  default: uv
  when: {stack: [fastapi]}
  choices:
    - {value: uv, label: uv}
    - {value: pip, label: pip}
"#;
        serde_saphyr::from_str(y).unwrap()
    }

    #[test]
    fn defaults_skip_questions_that_do_not_apply() {
        let d = defaults(&qs());
        assert_eq!(d.get("package_manager").map(String::as_str), Some("uv"));
        let (a, notes) = from_text(
            "stack: node\npackage_manager: pip\n",
            Path::new("a.yaml"),
            &qs(),
        )
        .unwrap();
        assert!(!a.contains_key("package_manager"));
        assert_eq!(notes.ignored.len(), 1);
    }

    #[test]
    fn unknown_key_and_bad_value_are_input_errors_with_line() {
        let e = from_text("stack: node\nstak: x\n", Path::new("a.yaml"), &qs()).unwrap_err();
        let r = e.render();
        assert!(
            r.contains("a.yaml:2") && r.contains("valid keys: stack, package_manager"),
            "{r}"
        );
        let e = from_text("stack: rust\n", Path::new("a.yaml"), &qs()).unwrap_err();
        let r = e.render();
        assert!(r.contains("a.yaml:1") && r.contains("fastapi, node"), "{r}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn prompt_takes_defaults_numbers_and_names() {
        let mut input: &[u8] = b"2\n";
        let mut out = Vec::new();
        let a = prompt(&qs(), &mut input, &mut out).unwrap();
        assert_eq!(a.get("stack").map(String::as_str), Some("node"));
        let mut input: &[u8] = b"bogus\nfastapi\n\n";
        let a = prompt(&qs(), &mut input, &mut Vec::new()).unwrap();
        assert_eq!(a.get("package_manager").map(String::as_str), Some("uv"));
    }
}
