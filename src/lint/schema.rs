//! `schemas/skill-frontmatter.schema.json` and the rule that applies it.
//!
//! The schema describes the whole frontmatter: the spec fields with all their
//! constraints (so editors and other tools can use it) and the typed fields Claude Code
//! adds. Lint uses it as a *backstop*: the named rules (SF-name-*, SF-description-*,
//! SF-compatibility, SF-license-type, SF-metadata-strings, SF-allowed-tools-list) are
//! the explanation for the spec fields, with precise messages and hints, so schema
//! errors on those fields are not reported again. What the schema adds is the type
//! checking of the other fields it knows (e.g. `user-invocable: "yes"` is not a
//! boolean). Under the strict profile such fields are already errors (SF-unknown-field),
//! so the schema rule stays silent there. A test checks that the schema and the named
//! rules agree on the spec fields.

use super::rules::{SPEC_FIELDS, fields_parsed};
use super::{Check, Ctx, Emitter, Profile, Rule};
use crate::report::Severity;
use crate::skill::{Skill, Span};
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// The schema text, compiled into the binary.
pub const SCHEMA_TEXT: &str = include_str!("../../schemas/skill-frontmatter.schema.json");

static VALIDATOR: LazyLock<Option<jsonschema::Validator>> = LazyLock::new(|| {
    let v: Value = serde_json::from_str(SCHEMA_TEXT).ok()?;
    jsonschema::validator_for(&v).ok()
});

/// The compiled frontmatter schema (`None` only if the bundled schema were broken,
/// which a unit test rules out).
pub fn validator() -> Option<&'static jsonschema::Validator> {
    VALIDATOR.as_ref()
}

/// The frontmatter as a JSON object, built from the model's fields.
pub fn frontmatter_value(skill: &Skill) -> Value {
    let mut m = Map::new();
    for f in &skill.doc.frontmatter.fields {
        m.insert(f.key.clone(), f.value.clone());
    }
    Value::Object(m)
}

/// One schema violation: the JSON pointer of the instance and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaError {
    pub pointer: String,
    pub message: String,
}

/// Every schema violation of a frontmatter value.
pub fn schema_errors(value: &Value) -> Vec<SchemaError> {
    let Some(v) = validator() else {
        return Vec::new();
    };
    v.iter_errors(value)
        .map(|e| SchemaError {
            pointer: e.instance_path().as_str().to_string(),
            message: e.to_string(),
        })
        .collect()
}

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

/// Maps a JSON pointer to the span of the field (or nested key) it designates.
pub fn pointer_span(skill: &Skill, pointer: &str) -> Option<Span> {
    let mut segs = pointer.split('/').skip(1).map(unescape);
    let top = segs.next()?;
    let f = skill.doc.frontmatter.field(&top)?;
    if let Some(child) = segs.next()
        && let Some((_, s)) = f.children.iter().find(|(k, _)| *k == child)
    {
        return Some(*s);
    }
    Some(f.value_span)
}

pub const FRONTMATTER_SCHEMA: Rule = Rule {
    id: "SF-frontmatter-schema",
    severity: Severity::Error,
    summary: "Frontmatter fields must match schemas/skill-frontmatter.schema.json",
    explain: "skillforge ships a JSON Schema of the frontmatter \
(schemas/skill-frontmatter.schema.json; usable in editors) and validates every SKILL.md \
against it with the jsonschema crate. The spec fields are explained by their named rules \
(SF-name-*, SF-description-*, SF-compatibility, SF-license-type, SF-metadata-strings, \
SF-allowed-tools-list), so this rule reports only what no named rule covers: wrongly typed \
extension fields the schema knows, such as Claude Code's `user-invocable` (boolean), \
`effort` (low|medium|high|max) or `context` (fork). Under --profile strict those fields \
are already errors (SF-unknown-field) and this rule stays silent.",
    check: Check::Skill(check_schema),
};

fn check_schema(cx: &Ctx, skill: &Skill, em: &mut Emitter) {
    if !fields_parsed(skill) || cx.profile() == Profile::Strict {
        return;
    }
    // Every error the schema reports points into a field the frontmatter has (or at
    // the whole object, as `required` does): with spec fields only, there is nothing
    // this rule would report.
    if skill
        .doc
        .frontmatter
        .fields
        .iter()
        .all(|f| SPEC_FIELDS.contains(&f.key.as_str()))
    {
        return;
    }
    let value = frontmatter_value(skill);
    for e in schema_errors(&value) {
        let Some(top) = e.pointer.split('/').nth(1).map(unescape) else {
            continue; // root errors (`required`) are SF-name-required / SF-description-required
        };
        if SPEC_FIELDS.contains(&top.as_str()) {
            continue;
        }
        em.emit(
            pointer_span(skill, &e.pointer),
            format!("`{top}`: {}", e.message),
        )
        .hint = Some(format!(
            "see the `{top}` entry in schemas/skill-frontmatter.schema.json for the expected type"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testutil::*;

    #[test]
    fn schema_compiles() {
        assert!(validator().is_some());
    }

    #[test]
    fn extension_types_are_checked_and_mapped_to_spans() {
        let s = skill(
            "a",
            &doc(
                "a",
                "user-invocable: \"yes\"\neffort: extreme\nmodel: sonnet\nhooks:\n  PreToolUse: []\n",
                "Body\n",
            ),
        );
        assert_eq!(lines("SF-frontmatter-schema", &cx(), &s), vec![4, 5]);
        assert!(lines("SF-frontmatter-schema", &cx_profile(Profile::Strict), &s).is_empty());
        let ok = skill(
            "a",
            &doc("a", "user-invocable: false\neffort: high\n", "Body\n"),
        );
        assert!(lines("SF-frontmatter-schema", &cx(), &ok).is_empty());
        assert!(
            lines(
                "SF-frontmatter-schema",
                &cx_profile(Profile::ClaudeCode),
                &ok
            )
            .is_empty()
        );
    }

    #[test]
    fn spec_field_errors_are_left_to_named_rules() {
        let s = skill(
            "a",
            "---\nname: Bad_Name\ndescription: x\ncompatibility: \"\"\n---\nBody\n",
        );
        // The schema itself sees the problems…
        let errs = schema_errors(&frontmatter_value(&s));
        let ptrs: Vec<&str> = errs.iter().map(|e| e.pointer.as_str()).collect();
        assert!(
            ptrs.contains(&"/name") && ptrs.contains(&"/compatibility"),
            "{ptrs:?}"
        );
        // …but the rule leaves them to SF-name-format and SF-compatibility.
        assert!(lines("SF-frontmatter-schema", &cx(), &s).is_empty());
        assert_eq!(pointer_span(&s, "/name").map(|s| s.line), Some(2));
    }

    /// The schema and the named rules agree on the spec fields: a document has a schema
    /// error on a spec field exactly when a named (error-level) rule fires on it.
    #[test]
    fn schema_agrees_with_named_rules() {
        let cases = [
            ("ok", "name: ok\ndescription: Does x. Use when y.\n", false),
            (
                "ok",
                "name: ok\ndescription: Does x.\nlicense: MIT\nmetadata:\n  a: b\n",
                false,
            ),
            ("ok", "name: Ok\ndescription: x\n", true),
            ("ok", "name: ok\ndescription: \"  \"\n", true),
            (
                "ok",
                &format!("name: ok\ndescription: {}\n", "x".repeat(1025)),
                true,
            ),
            (
                "ok",
                &format!(
                    "name: ok\ndescription: x\ncompatibility: {}\n",
                    "y".repeat(501)
                ),
                true,
            ),
            (
                "ok",
                "name: ok\ndescription: x\ncompatibility: \"\"\n",
                true,
            ),
            ("ok", "name: ok--x\ndescription: x\n", true),
            ("ok", "description: x\n", true),
        ];
        for (dir, fm, bad) in cases {
            let s = skill(dir, &format!("---\n{fm}---\nBody\n"));
            let schema_bad = !schema_errors(&frontmatter_value(&s)).is_empty();
            let named_bad = crate::lint::lint_skill(&cx(), &s)
                .iter()
                .any(|d| d.severity == Severity::Error && d.rule != "SF-name-matches-dir");
            assert_eq!((schema_bad, named_bad), (bad, bad), "{fm}");
        }
    }

    /// The rule skips validation when the frontmatter holds spec fields only: every
    /// error the schema gives for such a frontmatter points at a spec field or at the
    /// whole object, so validating could not have reported anything.
    #[test]
    fn spec_only_frontmatter_has_no_reportable_schema_error() {
        let cases = [
            "name: Bad_Name\ndescription: \"\"\ncompatibility: \"\"\n",
            "name: 7\ndescription: [a, b]\nlicense: {a: 1}\nmetadata: [1]\n",
            "name: ok\ndescription: x\nmetadata:\n  a: [1, 2]\n  b: {c: d}\nallowed-tools: 3\n",
            "description: x\n",
            "name: ok\n",
            "name: ok\ndescription: x\nallowed-tools:\n  - 1\n  - {a: b}\n",
        ];
        for fm in cases {
            let s = skill("ok", &format!("---\n{fm}---\nBody\n"));
            assert!(fields_parsed(&s), "{fm}");
            let errs = schema_errors(&frontmatter_value(&s));
            assert!(
                !errs.is_empty(),
                "each case breaks the schema somewhere: {fm}"
            );
            for e in errs {
                let top = e.pointer.split('/').nth(1).map(unescape);
                assert!(
                    top.as_deref().is_none_or(|t| SPEC_FIELDS.contains(&t)),
                    "{fm}: {e:?}"
                );
            }
        }
        // A field outside the spec is still validated.
        let s = skill(
            "ok",
            "---\nname: ok\ndescription: x\neffort: extreme\n---\nBody\n",
        );
        assert_eq!(lines("SF-frontmatter-schema", &cx(), &s), vec![4]);
    }
}
