//! Lesson suites: curriculum files (lesson number → topics) and topic files (prompts
//! with weighted assertions), loaded from the copy compiled into the binary or from a
//! directory (`--lessons DIR`), validated against the JSON Schemas in `schemas/`, then
//! compiled (regexes once per run) into typed suites.
//!
//! Layout of a lessons directory: `*.yaml` at the top are curriculum files,
//! `topics/*.yaml` are topic files. The format is documented in `docs/lesson-format.md`.

use super::check::{self, Check};
use super::node::{SNode, line_at_pointer, line_of};
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// JSON Schema of a topic file (also `--suite FILE`).
pub const TOPIC_SCHEMA: &str = include_str!("../../schemas/lesson-suite.schema.json");
/// JSON Schema of a curriculum file.
pub const CURRICULUM_SCHEMA: &str = include_str!("../../schemas/curriculum.schema.json");

/// The lesson data compiled into the binary.
static EMBEDDED: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/skills/docker-deployment/lessons");

/// Base for site-relative doc paths (`/build/building/multi-stage/`).
pub const DOCS_BASE: &str = "https://docs.docker.com";

/// The largest assertion weight (bigger ones would swamp or overflow a score).
pub const MAX_WEIGHT: f64 = 1000.0;

/// One weighted assertion.
#[derive(Debug, Clone)]
pub struct Assertion {
    /// Natural-language statement (the agentskills `assertions[]` text).
    pub text: String,
    pub weight: f64,
    /// Machine check; `None` only for imported evals.json assertions.
    pub check: Option<Check>,
    /// The check as written (for `--export-evals`).
    pub check_json: Option<serde_json::Value>,
    pub hint: Option<String>,
    /// The official page that covers this (defaults to the topic's first doc).
    pub doc: Option<String>,
    /// How the model judge reads it against an answer (`answer:` in the suite).
    pub answer: AnswerView,
    /// Only meaningful for an answer (`answer_only: true`): the static judge skips it.
    pub answer_only: bool,
    pub line: usize,
}

/// How an assertion applies to a model's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AnswerView {
    /// As written.
    #[default]
    Same,
    /// Reworded as a claim about an answer.
    Text(String),
    /// About the skill only (its layout, its description): not graded on answers.
    SkillOnly,
}

/// A test prompt.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub id: String,
    pub prompt: String,
    pub expected_output: Option<String>,
    pub files: Vec<String>,
    pub assertions: Vec<Assertion>,
    pub topic: String,
    pub line: usize,
}

/// A topic file.
#[derive(Debug, Clone)]
pub struct Topic {
    pub id: String,
    pub title: String,
    pub docs: Vec<String>,
    pub prompts: Vec<Prompt>,
    pub file: String,
}

/// A lesson of a curriculum.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub number: u32,
    pub title: String,
    pub topics: Vec<String>,
    pub line: usize,
}

/// A curriculum file.
#[derive(Debug, Clone)]
pub struct Curriculum {
    pub id: String,
    pub title: String,
    pub lessons: Vec<Lesson>,
    pub file: String,
}

/// Every curriculum and topic of a lessons directory.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub curricula: Vec<Curriculum>,
    pub topics: BTreeMap<String, Topic>,
    /// Where it came from (`embedded` or a directory).
    pub origin: String,
}

/// A site path or URL → a full URL.
pub fn doc_url(s: &str) -> String {
    if s.starts_with('/') {
        format!("{DOCS_BASE}{s}")
    } else {
        s.to_string()
    }
}

impl Library {
    pub fn curriculum(&self, id: &str) -> Option<&Curriculum> {
        self.curricula.iter().find(|c| c.id == id)
    }

    /// The topics of a lesson (all exist: checked at load).
    pub fn lesson_topics(&self, l: &Lesson) -> Vec<&Topic> {
        l.topics.iter().filter_map(|t| self.topics.get(t)).collect()
    }

    /// The official docs a lesson relies on: its topics' docs, de-duplicated.
    pub fn lesson_docs(&self, l: &Lesson) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in self.lesson_topics(l) {
            for d in &t.docs {
                let u = doc_url(d);
                if !out.contains(&u) {
                    out.push(u);
                }
            }
        }
        out
    }

    /// Loads the copy compiled into the binary.
    pub fn embedded() -> Result<Library> {
        let mut files = Vec::new();
        collect_embedded(&EMBEDDED, &mut files);
        Library::from_files("embedded:lessons", files)
    }

    /// Loads a lessons directory from disk.
    pub fn from_dir(dir: &Path) -> Result<Library> {
        if !dir.is_dir() {
            return Err(Error::input(dir, "not a directory").with_hint(
                "pass the lessons directory: curriculum files (*.yaml) and topics/*.yaml",
            ));
        }
        let mut files = Vec::new();
        for sub in [dir.to_path_buf(), dir.join("topics")] {
            let Ok(rd) = std::fs::read_dir(&sub) else {
                continue;
            };
            let mut names: Vec<PathBuf> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_yaml(p))
                .collect();
            names.sort();
            for p in names {
                let text = crate::fsutil::read_text_capped(&p, 4 * 1024 * 1024)?;
                let rel = p
                    .strip_prefix(dir)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_else(|_| p.display().to_string());
                files.push((rel, text));
            }
        }
        let mut lib = Library::from_files(&dir.display().to_string(), files)?;
        lib.origin = dir.display().to_string();
        Ok(lib)
    }

    /// Builds a library from (relative path, text) pairs: `topics/…` are topics, the rest curricula.
    pub fn from_files(origin: &str, files: Vec<(String, String)>) -> Result<Library> {
        let topic_schema = compile_schema(TOPIC_SCHEMA, "lesson-suite")?;
        let cur_schema = compile_schema(CURRICULUM_SCHEMA, "curriculum")?;
        let base = Path::new(origin);
        let display = |rel: &str| -> PathBuf {
            if origin.starts_with("embedded:") {
                PathBuf::from(format!("{origin}/{rel}"))
            } else {
                base.join(rel)
            }
        };
        let mut lib = Library {
            origin: origin.to_string(),
            ..Library::default()
        };
        let mut prompt_ids: BTreeMap<String, (String, usize)> = BTreeMap::new();
        let mut curricula_nodes = Vec::new();
        // Parse, validate and compile every file in parallel; cross-file checks follow in order.
        use rayon::prelude::*;
        enum Parsed {
            Topic(PathBuf, SNode, Topic),
            Curriculum(PathBuf, SNode),
        }
        let parsed: Vec<Result<Parsed>> = files
            .par_iter()
            .map(|(rel, text)| {
                let path = display(rel);
                let node = parse_yaml(&path, text)?;
                if rel.starts_with("topics/") {
                    // Checks first: their errors are more precise than the schema's `oneOf`.
                    let topic = topic_from(&node, &path)?;
                    validate(&topic_schema, &node, &path)?;
                    Ok(Parsed::Topic(path, node, topic))
                } else {
                    validate(&cur_schema, &node, &path)?;
                    Ok(Parsed::Curriculum(path, node))
                }
            })
            .collect();
        for p in parsed {
            match p? {
                Parsed::Topic(path, node, topic) => {
                    if let Some(prev) = lib.topics.get(&topic.id) {
                        return Err(Error::input_at(
                            &path,
                            line_of(&node),
                            format!("topic id `{}` is also used by {}", topic.id, prev.file),
                            Some("topic ids must be unique; rename one".into()),
                        ));
                    }
                    for p in &topic.prompts {
                        if let Some((f, l)) = prompt_ids.get(&p.id) {
                            return Err(Error::input_at(
                                &path,
                                p.line,
                                format!(
                                    "duplicate prompt id `{}` (first defined at {f}:{l})",
                                    p.id
                                ),
                                Some("prompt ids must be unique across all topics".into()),
                            ));
                        }
                        prompt_ids.insert(p.id.clone(), (path.display().to_string(), p.line));
                    }
                    lib.topics.insert(topic.id.clone(), topic);
                }
                Parsed::Curriculum(path, node) => curricula_nodes.push((path, node)),
            }
        }
        for (path, node) in curricula_nodes {
            let c = curriculum_from(&node, &path)?;
            for l in &c.lessons {
                for t in &l.topics {
                    if !lib.topics.contains_key(t) {
                        let known: Vec<&str> = lib.topics.keys().map(String::as_str).collect();
                        return Err(Error::input_at(
                            &path,
                            l.line,
                            format!("lesson {} names unknown topic `{t}`", l.number),
                            Some(format!(
                                "topics are the files topics/<id>.yaml; known: {}",
                                if known.is_empty() {
                                    "(none)".to_string()
                                } else {
                                    known.join(", ")
                                }
                            )),
                        ));
                    }
                }
            }
            if lib.curricula.iter().any(|o| o.id == c.id) {
                return Err(Error::input(
                    &path,
                    format!("curriculum `{}` is defined twice", c.id),
                ));
            }
            lib.curricula.push(c);
        }
        Ok(lib)
    }

    /// A single topic-format file (`--suite FILE`) as a library with one lesson.
    pub fn from_suite_file(path: &Path) -> Result<(Library, Curriculum)> {
        let text = crate::fsutil::read_text_capped(path, 4 * 1024 * 1024)?;
        let node = parse_yaml(path, &text)?;
        let schema = compile_schema(TOPIC_SCHEMA, "lesson-suite")?;
        let topic = topic_from(&node, path)?;
        validate(&schema, &node, path)?;
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &topic.prompts {
            if let Some(l) = seen.insert(&p.id, p.line) {
                return Err(Error::input_at(
                    path,
                    p.line,
                    format!("duplicate prompt id `{}` (first at line {l})", p.id),
                    Some("prompt ids must be unique".into()),
                ));
            }
        }
        let cur = Curriculum {
            id: "suite".into(),
            title: topic.title.clone(),
            lessons: vec![Lesson {
                number: 0,
                title: topic.title.clone(),
                topics: vec![topic.id.clone()],
                line: 1,
            }],
            file: path.display().to_string(),
        };
        let mut lib = Library {
            origin: path.display().to_string(),
            ..Library::default()
        };
        lib.topics.insert(topic.id.clone(), topic);
        lib.curricula.push(cur.clone());
        Ok((lib, cur))
    }
}

fn is_yaml(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml") | Some("yml")
    )
}

fn collect_embedded(dir: &include_dir::Dir<'static>, out: &mut Vec<(String, String)>) {
    for f in dir.files() {
        let rel = f.path().to_string_lossy().replace('\\', "/");
        if !is_yaml(f.path()) {
            continue;
        }
        // Only the top level and topics/ hold suite files.
        let depth = rel.matches('/').count();
        if (depth == 0 || (depth == 1 && rel.starts_with("topics/")))
            && let Some(t) = f.contents_utf8()
        {
            out.push((rel, t.to_string()));
        }
    }
    for d in dir.dirs() {
        collect_embedded(d, out);
    }
    out.sort();
}

fn compile_schema(src: &str, name: &str) -> Result<jsonschema::Validator> {
    let v: serde_json::Value = serde_json::from_str(src)
        .map_err(|e| Error::Other(format!("built-in {name} schema is not JSON: {e}")))?;
    jsonschema::validator_for(&v)
        .map_err(|e| Error::Other(format!("built-in {name} schema does not compile: {e}")))
}

fn parse_yaml(path: &Path, text: &str) -> Result<SNode> {
    serde_saphyr::from_str::<SNode>(text).map_err(|e| {
        let (line, _, first) = crate::skill::yaml_error_summary(&e);
        let line = line as usize;
        Error::input_at(
            path,
            line.max(1),
            format!("invalid YAML: {first}"),
            Some("check indentation and quoting; regexes with `\\` or `:` read best in single quotes".into()),
        )
    })
}

fn validate(schema: &jsonschema::Validator, node: &SNode, path: &Path) -> Result<()> {
    let json = node.value.to_json();
    let errors: Vec<(String, String)> = schema
        .iter_errors(&json)
        .map(|e| (e.instance_path().as_str().to_string(), e.to_string()))
        .collect();
    let Some((ptr, msg)) = errors.first() else {
        return Ok(());
    };
    let line = line_at_pointer(node, ptr);
    let at = if ptr.is_empty() {
        "top level".to_string()
    } else {
        ptr.clone()
    };
    let more = if errors.len() > 1 {
        format!(" (and {} more problem(s))", errors.len() - 1)
    } else {
        String::new()
    };
    let short: String = msg.chars().take(300).collect();
    Err(Error::input_at(
        path,
        line,
        format!("{short} at {at}{more}"),
        Some("see docs/lesson-format.md for the suite format".into()),
    ))
}

fn req_str(n: &SNode, key: &str) -> String {
    n.value.get_str(key).unwrap_or("").to_string()
}

fn str_list(n: &SNode, key: &str) -> Vec<String> {
    n.value
        .get(key)
        .and_then(|v| v.value.as_seq())
        .map(|s| {
            s.iter()
                .filter_map(|x| x.value.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn topic_from(n: &SNode, path: &Path) -> Result<Topic> {
    let id = req_str(n, "topic");
    let mut prompts = Vec::new();
    for p in n
        .value
        .get("prompts")
        .and_then(|v| v.value.as_seq())
        .unwrap_or(&[])
    {
        let mut assertions = Vec::new();
        for a in p
            .value
            .get("assertions")
            .and_then(|v| v.value.as_seq())
            .unwrap_or(&[])
        {
            let check = match a.value.get("check") {
                Some(c) => Some(check::parse(c).map_err(|e| {
                    Error::input_at(
                        path,
                        e.line,
                        e.message,
                        Some("see the `check` grammar in docs/lesson-format.md".into()),
                    )
                })?),
                None => None,
            };
            let weight = a
                .value
                .get("weight")
                .and_then(|w| w.value.as_f64())
                .unwrap_or(1.0);
            if !(weight.is_finite() && weight > 0.0 && weight <= MAX_WEIGHT) {
                return Err(Error::input_at(
                    path,
                    line_of(a),
                    format!("weight {weight} is outside (0, {MAX_WEIGHT}]"),
                    Some("weights are relative importance, e.g. 1 to 5".into()),
                ));
            }
            assertions.push(Assertion {
                text: req_str(a, "text"),
                weight,
                check,
                check_json: a.value.get("check").map(|c| c.value.to_json()),
                hint: a.value.get_str("hint").map(str::to_string),
                doc: a.value.get_str("doc").map(doc_url),
                answer: match a.value.get("answer") {
                    Some(v) if matches!(v.value, super::node::Node::Bool(false)) => {
                        AnswerView::SkillOnly
                    }
                    Some(v) => v
                        .value
                        .as_str()
                        .map(|t| AnswerView::Text(t.to_string()))
                        .unwrap_or_default(),
                    None => AnswerView::Same,
                },
                answer_only: matches!(
                    a.value.get("answer_only").map(|v| &v.value),
                    Some(super::node::Node::Bool(true))
                ),
                line: line_of(a),
            });
        }
        prompts.push(Prompt {
            id: req_str(p, "id"),
            prompt: req_str(p, "prompt").trim_end().to_string(),
            expected_output: p.value.get_str("expected_output").map(str::to_string),
            files: str_list(p, "files"),
            assertions,
            topic: id.clone(),
            line: line_of(p),
        });
    }
    Ok(Topic {
        title: req_str(n, "title"),
        docs: str_list(n, "docs"),
        prompts,
        file: path.display().to_string(),
        id,
    })
}

fn curriculum_from(n: &SNode, path: &Path) -> Result<Curriculum> {
    let mut lessons: Vec<Lesson> = Vec::new();
    for l in n
        .value
        .get("lessons")
        .and_then(|v| v.value.as_seq())
        .unwrap_or(&[])
    {
        let number = l
            .value
            .get("lesson")
            .and_then(|v| v.value.as_f64())
            .unwrap_or(0.0) as u32;
        if let Some(prev) = lessons.iter().find(|o| o.number == number) {
            return Err(Error::input_at(
                path,
                line_of(l),
                format!(
                    "lesson {number} is listed twice (first at line {})",
                    prev.line
                ),
                None,
            ));
        }
        lessons.push(Lesson {
            number,
            title: req_str(l, "title"),
            topics: str_list(l, "topics"),
            line: line_of(l),
        });
    }
    lessons.sort_by_key(|l| l.number);
    Ok(Curriculum {
        id: req_str(n, "curriculum"),
        title: req_str(n, "title"),
        lessons,
        file: path.display().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(y: &str) -> (String, String) {
        ("topics/t.yaml".into(), y.into())
    }

    const T: &str = "topic: t\ntitle: T\ndocs: [/build/]\nprompts:\n  - id: p1\n    prompt: Do it\n    assertions:\n      - text: has slim\n        check: { mentions: [slim] }\n";
    const C: &str =
        "curriculum: c\ntitle: C\nlessons:\n  - lesson: 1\n    title: One\n    topics: [t]\n";

    #[test]
    fn loads_and_links() {
        let lib = Library::from_files("x", vec![("c.yaml".into(), C.into()), topic(T)]).unwrap();
        let c = lib.curriculum("c").unwrap();
        assert_eq!(lib.lesson_topics(&c.lessons[0])[0].prompts[0].id, "p1");
        assert_eq!(
            lib.lesson_docs(&c.lessons[0]),
            vec!["https://docs.docker.com/build/".to_string()]
        );
    }

    #[test]
    fn unknown_topic_is_an_error_with_line() {
        let c = C.replace("[t]", "[nope]");
        let e = Library::from_files("x", vec![("c.yaml".into(), c), topic(T)]).unwrap_err();
        let r = e.render();
        assert!(
            r.contains("c.yaml:4:") && r.contains("unknown topic `nope`") && r.contains("known: t"),
            "{r}"
        );
    }

    #[test]
    fn schema_errors_point_at_the_line() {
        let bad = T.replace(
            "        check: { mentions: [slim] }\n",
            "        weight: heavy\n        check: { mentions: [slim] }\n",
        );
        let e = Library::from_files("x", vec![topic(&bad)]).unwrap_err();
        let r = e.render();
        assert!(r.contains("t.yaml:9:"), "{r}");
        let missing = T.replace("    prompt: Do it\n", "");
        let r = Library::from_files("x", vec![topic(&missing)])
            .unwrap_err()
            .render();
        assert!(r.contains("prompt"), "{r}");
    }

    #[test]
    fn invalid_regex_and_duplicate_ids() {
        let bad = T.replace("{ mentions: [slim] }", "{ any_regex: ['(x'] }");
        let r = Library::from_files("x", vec![topic(&bad)])
            .unwrap_err()
            .render();
        assert!(
            r.contains("t.yaml:9:") && r.contains("invalid regex"),
            "{r}"
        );
        let second = (
            "topics/u.yaml".to_string(),
            T.replace("topic: t", "topic: u"),
        );
        let r = Library::from_files("x", vec![topic(T), second])
            .unwrap_err()
            .render();
        assert!(r.contains("duplicate prompt id `p1`"), "{r}");
    }

    #[test]
    fn embedded_lessons_load() {
        let lib = Library::embedded().unwrap_or_else(|e| panic!("{}", e.render()));
        for c in &lib.curricula {
            assert!(!c.lessons.is_empty(), "{}", c.id);
        }
    }
}
