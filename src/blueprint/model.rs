//! The blueprint data (`skill.yaml`): parsing, JSON-Schema validation with file and
//! line, and resolution of answer-dependent parts.
//!
//! `skill.yaml` is plain data. Two small conventions make parts of it depend on the
//! authoring answers:
//! - any mapping with a `when:` key (`when: {stack: [node, go]}`, every listed answer
//!   must match one of the values) is dropped from its list when the answers do not
//!   match; `unless:` is the negation;
//! - a mapping `{pick: [{when: …, value: X}, …, {value: DEFAULT}]}` is replaced by
//!   the first entry's `value` whose `when` matches.
//!
//! After [`resolve`], the value is the handlebars context of `SKILL.md.hbs` and of the
//! templates.

use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The JSON Schema every `skill.yaml` must satisfy (`schemas/blueprint.schema.json`).
pub const BLUEPRINT_SCHEMA: &str = include_str!("../../schemas/blueprint.schema.json");

/// One authoring question asked by `new` (from `skill.yaml` `authoring:`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AuthoringQuestion {
    pub id: String,
    pub prompt: String,
    pub default: String,
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub when: Option<Value>,
    #[serde(default)]
    pub help: Option<String>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    /// Extra flags set when chosen (e.g. `python`), available as `is.<tag>`.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A template to render into the skill.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct TemplateSpec {
    /// Blueprint-relative source path.
    pub source: String,
    /// Skill-relative output path.
    pub output: String,
    pub describe: String,
}

/// A parsed and schema-checked blueprint.
#[derive(Debug, Clone)]
pub struct Blueprint {
    pub name: String,
    pub description: String,
    pub version: String,
    pub authoring: Vec<AuthoringQuestion>,
    /// The whole `skill.yaml`, unresolved.
    pub data: Value,
    /// Where `skill.yaml` lives (for messages).
    pub path: std::path::PathBuf,
    pub text: String,
    /// The blueprint's templates, compiled once by `load_blueprint`.
    pub compiled: std::sync::OnceLock<handlebars::Handlebars<'static>>,
    /// The blueprint's `versions.yaml`, when it has one (templates read `versions.<id>`).
    pub versions: Option<crate::docker::versions::Versions>,
}

impl Blueprint {
    /// Parses `skill.yaml` text, validates it against the schema, and reads the parts
    /// `new` needs before rendering. Errors carry the file and line.
    pub fn parse(text: &str, path: &Path) -> Result<Blueprint> {
        let data: Value = serde_saphyr::from_str(text).map_err(|e| {
            let (line, _, first) = crate::skill::yaml_error_summary(&e);
            let line = line as usize;
            Error::input_at(
                path,
                line.max(1),
                format!("invalid YAML: {first}"),
                Some("check indentation and quote values that contain `: `".into()),
            )
        })?;
        validate_schema(&data, text, path)?;
        let authoring: Vec<AuthoringQuestion> = serde_json::from_value(
            data.get("authoring").cloned().unwrap_or(Value::Null),
        )
        .map_err(|e| {
            Error::input_at(
                path,
                line_of_pointer(text, "/authoring"),
                e.to_string(),
                None,
            )
        })?;
        for q in &authoring {
            if !q.choices.iter().any(|c| c.value == q.default) {
                return Err(Error::input_at(
                    path,
                    line_of_pointer(text, "/authoring"),
                    format!(
                        "authoring question `{}`: default `{}` is not one of its choices",
                        q.id, q.default
                    ),
                    None,
                ));
            }
        }
        check_conditions(&data, &authoring, "", text, path)?;
        let s = |k: &str| {
            data.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Ok(Blueprint {
            name: s("name"),
            description: s("description"),
            version: s("version"),
            authoring,
            path: path.to_path_buf(),
            text: text.to_string(),
            data,
            compiled: std::sync::OnceLock::new(),
            versions: None,
        })
    }

    /// The template list after resolution for some answers.
    pub fn templates(resolved: &Value, path: &Path, text: &str) -> Result<Vec<TemplateSpec>> {
        serde_json::from_value(resolved.get("templates").cloned().unwrap_or(Value::Null)).map_err(
            |e| {
                Error::input_at(
                    path,
                    line_of_pointer(text, "/templates"),
                    e.to_string(),
                    None,
                )
            },
        )
    }
}

/// Checks every `when:`/`unless:` condition names an authoring question and one of its
/// choices: a typo would otherwise make a variant silently never apply.
fn check_conditions(
    v: &Value,
    questions: &[AuthoringQuestion],
    pointer: &str,
    text: &str,
    path: &Path,
) -> Result<()> {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let ptr = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                if (k == "when" || k == "unless")
                    && let Some(cond) = x.as_object()
                {
                    for (id, want) in cond {
                        let line = line_of_pointer(text, &format!("{ptr}/{id}"));
                        let Some(q) = questions.iter().find(|q| &q.id == id) else {
                            return Err(Error::input_at(
                                path,
                                line,
                                format!("`{k}` names unknown authoring question `{id}`"),
                                Some(format!(
                                    "questions: {}",
                                    questions
                                        .iter()
                                        .map(|q| q.id.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )),
                            ));
                        };
                        let wanted: Vec<&str> = match want {
                            Value::String(w) => vec![w.as_str()],
                            Value::Array(ws) => ws.iter().filter_map(Value::as_str).collect(),
                            _ => Vec::new(),
                        };
                        if let Some(bad) = wanted
                            .iter()
                            .find(|w| !q.choices.iter().any(|c| &c.value == *w))
                        {
                            return Err(Error::input_at(
                                path,
                                line,
                                format!("`{k}` uses `{bad}`, not a choice of `{id}`"),
                                Some(format!(
                                    "choices: {}",
                                    q.choices
                                        .iter()
                                        .map(|c| c.value.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )),
                            ));
                        }
                    }
                } else {
                    check_conditions(x, questions, &ptr, text, path)?;
                }
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                check_conditions(x, questions, &format!("{pointer}/{i}"), text, path)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Validates blueprint data against [`BLUEPRINT_SCHEMA`]; the first few errors are
/// reported with the `skill.yaml` line they point at.
pub fn validate_schema(data: &Value, text: &str, path: &Path) -> Result<()> {
    let schema: Value = serde_json::from_str(BLUEPRINT_SCHEMA)
        .map_err(|e| Error::Other(format!("built-in blueprint schema is invalid JSON: {e}")))?;
    let validator = jsonschema::validator_for(&schema)
        .map_err(|e| Error::Other(format!("built-in blueprint schema does not compile: {e}")))?;
    let errors: Vec<(String, String)> = validator
        .iter_errors(data)
        .map(|e| (e.instance_path().as_str().to_string(), e.to_string()))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    let (ptr, first) = &errors[0];
    let line = line_of_pointer(text, ptr);
    let mut msg = format!(
        "does not match schemas/blueprint.schema.json at `{}`: {first}",
        if ptr.is_empty() { "/" } else { ptr }
    );
    for (p, m) in errors.iter().skip(1).take(4) {
        msg.push_str(&format!(
            "\n  also line {}: at `{p}`: {m}",
            line_of_pointer(text, p)
        ));
    }
    if errors.len() > 5 {
        msg.push_str(&format!("\n  … and {} more", errors.len() - 5));
    }
    Err(Error::input_at(
        path,
        line,
        msg,
        Some("fix the field named by the path; the schema documents every key".into()),
    ))
}

/// Best-effort line (1-based) of a JSON pointer in block-style YAML: walks mapping
/// keys and `- ` list items by indentation. Falls back to the deepest line found.
pub fn line_of_pointer(text: &str, pointer: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let is_content = |l: &str| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    };
    // The current node: its lines are [start, end); its children are indented more
    // than `parent`, or sit at `item_keys` when the node is a `- key: …` list item.
    let (mut start, mut end) = (0usize, lines.len());
    let mut parent: Option<usize> = None;
    let mut item_keys: Option<usize> = None;
    let mut found = 1usize;
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let ci = match item_keys.take() {
            Some(k) => k,
            None => {
                let first = (start..end)
                    .find(|&i| is_content(lines[i]) && parent.is_none_or(|m| indent(lines[i]) > m));
                match first {
                    Some(i) => indent(lines[i]),
                    None => break,
                }
            }
        };
        if let Ok(idx) = seg.parse::<usize>() {
            let mut n = 0usize;
            let mut hit = None;
            for (i, l) in lines.iter().enumerate().take(end).skip(start) {
                if !is_content(l) {
                    continue;
                }
                if indent(l) < ci {
                    break;
                }
                if indent(l) == ci && l.trim_start().starts_with('-') {
                    if n == idx {
                        hit = Some(i);
                        break;
                    }
                    n += 1;
                }
            }
            let Some(i) = hit else { break };
            found = i + 1;
            end = (i + 1..end)
                .find(|&j| is_content(lines[j]) && indent(lines[j]) <= ci)
                .unwrap_or(end);
            let after_dash = lines[i].trim_start().trim_start_matches('-');
            if after_dash.trim().is_empty() {
                start = i + 1;
                parent = Some(ci);
            } else {
                start = i;
                parent = Some(ci);
                item_keys = Some(ci + 1 + (after_dash.len() - after_dash.trim_start().len()));
            }
        } else {
            let mut hit = None;
            for (i, l) in lines.iter().enumerate().take(end).skip(start) {
                if !is_content(l) {
                    continue;
                }
                let t = l.trim_start();
                let t = t.strip_prefix("- ").map(str::trim_start).unwrap_or(t);
                let key_indent = l.len() - t.len();
                if key_indent == ci
                    && (t.starts_with(&format!("{seg}:")) || t.starts_with(&format!("\"{seg}\":")))
                {
                    hit = Some((i, key_indent));
                    break;
                }
            }
            let Some((i, ki)) = hit else { break };
            found = i + 1;
            end = (i + 1..end)
                .find(|&j| is_content(lines[j]) && indent(lines[j]) <= ki)
                .unwrap_or(end);
            start = i + 1;
            parent = Some(ki);
        }
    }
    found
}

/// The authoring answers, by question id.
pub type Answers = BTreeMap<String, String>;

/// True when `cond` (`{id: value | [values]}`) holds for `answers`. An id that was
/// not asked (e.g. `package_manager` for a Go stack) never matches.
pub fn when_matches(cond: &Value, answers: &Answers) -> bool {
    let Some(map) = cond.as_object() else {
        return false;
    };
    map.iter().all(|(k, v)| {
        let Some(a) = answers.get(k) else {
            return false;
        };
        match v {
            Value::String(s) => s == a,
            Value::Array(xs) => xs.iter().any(|x| x.as_str() == Some(a.as_str())),
            Value::Bool(b) => *b != a.is_empty(),
            _ => false,
        }
    })
}

fn keep(v: &Value, answers: &Answers) -> bool {
    let Some(o) = v.as_object() else { return true };
    if let Some(w) = o.get("when")
        && !when_matches(w, answers)
    {
        return false;
    }
    if let Some(u) = o.get("unless")
        && when_matches(u, answers)
    {
        return false;
    }
    true
}

/// Resolves `when`/`unless`/`pick` against the answers (see the module docs).
pub fn resolve(v: &Value, answers: &Answers) -> Value {
    match v {
        Value::Array(xs) => Value::Array(
            xs.iter()
                .filter(|x| keep(x, answers))
                .map(|x| resolve(x, answers))
                .collect(),
        ),
        Value::Object(o) => {
            if let Some(Value::Array(options)) = o.get("pick")
                && o.len() == 1
            {
                for opt in options {
                    if keep(opt, answers) {
                        return resolve(opt.get("value").unwrap_or(&Value::Null), answers);
                    }
                }
                return Value::Null;
            }
            let mut out = Map::new();
            for (k, x) in o {
                if k == "when" || k == "unless" {
                    continue;
                }
                out.insert(k.clone(), resolve(x, answers));
            }
            // `{text: X, when: …}` list entries become plain X once resolved.
            if out.len() == 1
                && let Some(t) = out.get("text")
                && o.keys()
                    .all(|k| matches!(k.as_str(), "text" | "when" | "unless"))
            {
                return t.clone();
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ans(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn when_and_pick_resolve_against_answers() {
        let data = json!({
            "items": [
                {"when": {"stack": ["node"]}, "t": "node only"},
                {"unless": {"stack": "node"}, "t": "not node"},
                {"t": "always"}
            ],
            "img": {"pick": [
                {"when": {"stack": "go"}, "value": "distroless"},
                {"value": "slim"}
            ]}
        });
        let r = resolve(&data, &ans(&[("stack", "node")]));
        assert_eq!(r["items"].as_array().unwrap().len(), 2);
        assert_eq!(r["items"][0]["t"], "node only");
        assert!(r["items"][0].get("when").is_none());
        assert_eq!(r["img"], "slim");
        let r = resolve(&data, &ans(&[("stack", "go")]));
        assert_eq!(r["items"][0]["t"], "not node");
        assert_eq!(r["img"], "distroless");
    }

    #[test]
    fn unasked_question_never_matches() {
        assert!(!when_matches(
            &json!({"package_manager": "uv"}),
            &ans(&[("stack", "go")])
        ));
        assert!(when_matches(&json!({}), &ans(&[])));
    }

    #[test]
    fn pointer_lines_follow_keys_and_items() {
        let y = "name: x\nprinciples:\n  - category: A\n    items:\n      - rule: r1\n        why: w1\n      - rule: r2\n        why: w2\n";
        assert_eq!(line_of_pointer(y, "/name"), 1);
        assert_eq!(line_of_pointer(y, "/principles"), 2);
        assert_eq!(line_of_pointer(y, "/principles/0"), 3);
        assert_eq!(line_of_pointer(y, "/principles/0/items/1"), 7);
        assert_eq!(line_of_pointer(y, "/principles/0/items/1/why"), 8);
    }

    #[test]
    fn conditions_must_name_known_questions_and_choices() {
        let base = include_str!("../../skills/docker-deployment/skill.yaml");
        assert!(Blueprint::parse(base, Path::new("skill.yaml")).is_ok());
        let typo = base.replacen("when: {stack: node}", "when: {stak: node}", 1);
        let e = Blueprint::parse(&typo, Path::new("skill.yaml")).unwrap_err();
        assert!(
            e.render().contains("unknown authoring question `stak`"),
            "{}",
            e.render()
        );
        let bad = base.replacen("when: {stack: node}", "when: {stack: rust}", 1);
        let e = Blueprint::parse(&bad, Path::new("skill.yaml")).unwrap_err();
        let r = e.render();
        assert!(r.contains("`rust`, not a choice of `stack`"), "{r}");
        let line: usize = r.split(':').nth(2).unwrap().trim().parse().unwrap();
        assert!(bad.lines().nth(line - 1).unwrap().contains("rust"), "{r}");
    }

    #[test]
    fn schema_error_names_file_and_line() {
        let y = "name: Bad Name\ndescription: d\n";
        let e = Blueprint::parse(y, Path::new("skill.yaml")).unwrap_err();
        let r = e.render();
        assert!(r.contains("skill.yaml:"), "{r}");
        assert_eq!(e.exit_code(), 2);
    }
}
