//! The API providers (Anthropic Messages, OpenAI-compatible chat completions) and the
//! way they are offered a skill: progressive disclosure, as agents do it.
//!
//! - With the skill, the system prompt lists the skill's name and description only; the
//!   `load_skill` tool returns SKILL.md; `read_file` returns a file inside the skill
//!   folder (path traversal, absolute paths and symlinks refused). A bounded loop runs
//!   the tool calls until the model gives its final answer or the turn limit is hit.
//! - Without the skill (the baseline) the same assistant prompt is sent, with no skill
//!   listed and no tools.

use super::bundle::SkillBundle;
use super::http::{CallBudget, CallError, Http};
use super::provider::{ApiKey, Kind};
use super::{ToolCall, Transcript};
use serde_json::{Value, json};

/// What one API conversation needs.
pub struct ApiCall<'a> {
    pub kind: Kind,
    pub model: &'a str,
    pub base_url: &'a str,
    pub key: Option<&'a ApiKey>,
    pub http: &'a Http,
    pub budget: &'a CallBudget,
    pub max_turns: u32,
    pub max_tokens: u32,
    pub temperature: Option<f64>,
    /// Stop after the first model turn (trigger evaluation only asks whether the skill
    /// is loaded).
    pub first_turn_only: bool,
    /// Replaces the assistant prompt (the judge's rubric); no skill, no tools.
    pub system: Option<String>,
}

/// The assistant's standing instructions (both configurations).
pub const BASE_SYSTEM: &str = "You are a senior software engineer helping a developer. Answer the request \
completely: give the files, commands and explanations they need, in Markdown with fenced code blocks \
labelled by language (```dockerfile, ```yaml, ```bash).";

/// The system prompt with the skill listed (its body is not included: the model
/// loads it when it judges the skill relevant).
pub fn system_with_skill(b: &SkillBundle) -> String {
    format!(
        "{BASE_SYSTEM}\n\nThe following skills are available. A skill is a folder of expert \
instructions, references and templates. When a request matches a skill's description, call \
`load_skill` with its name before answering, then follow its instructions; read the files it \
points to with `read_file` (paths relative to the skill folder).\n\n- {}: {}",
        b.name, b.description
    )
}

fn tool_defs() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "load_skill",
            "Load a skill's instructions (its SKILL.md). Call it when the request matches the skill's description.",
            json!({
                "type": "object",
                "properties": {"name": {"type": "string", "description": "The skill's name, as listed"}},
                "required": ["name"],
                "additionalProperties": false
            }),
        ),
        (
            "read_file",
            "Read a file of a loaded skill (a reference or a template), by its path relative to the skill folder.",
            json!({
                "type": "object",
                "properties": {"path": {"type": "string", "description": "e.g. references/compose.md or templates/Dockerfile"}},
                "required": ["path"],
                "additionalProperties": false
            }),
        ),
    ]
}

/// Most tool calls one answer may make (a model that reads every file in a loop is
/// stopped here, whatever --max-turns says).
pub const MAX_TOOL_CALLS: usize = 64;

/// Runs a tool the model called. Returns (content, is_error).
pub fn run_tool(b: &SkillBundle, name: &str, input: &Value, t: &mut Transcript) -> (String, bool) {
    if t.tool_calls.len() >= MAX_TOOL_CALLS {
        return (
            format!("tool call limit ({MAX_TOOL_CALLS}) reached: answer with what you have"),
            true,
        );
    }
    let arg = |k: &str| {
        input
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    match name {
        "load_skill" => {
            let asked = arg("name");
            t.tool_calls.push(ToolCall {
                name: "load_skill".into(),
                target: super::escape_ctl(&asked),
            });
            if asked.trim() == b.name {
                t.skill_used = true;
                (
                    format!(
                        "Base directory for this skill: {}/\n\n{}",
                        b.name,
                        b.skill_md()
                    ),
                    false,
                )
            } else {
                (
                    format!(
                        "no skill named `{}`; available: {}",
                        super::escape_ctl(&asked),
                        b.name
                    ),
                    true,
                )
            }
        }
        "read_file" => {
            let asked = arg("path");
            t.tool_calls.push(ToolCall {
                name: "read_file".into(),
                target: super::escape_ctl(&asked),
            });
            match b.resolve(&asked) {
                Ok(f) => (String::from_utf8_lossy(&f.bytes).into_owned(), false),
                Err(e) => (e, true),
            }
        }
        other => (
            format!(
                "unknown tool `{}`: use load_skill or read_file",
                super::escape_ctl(other)
            ),
            true,
        ),
    }
}

/// Runs one prompt through an API provider, with the skill (`Some`) or without.
pub async fn converse(c: &ApiCall<'_>, prompt: &str, skill: Option<&SkillBundle>) -> Transcript {
    let mut t = Transcript::default();
    let result = match c.kind {
        Kind::Anthropic => anthropic_loop(c, prompt, skill, &mut t).await,
        _ => openai_loop(c, prompt, skill, &mut t).await,
    };
    if let Err(e) = result {
        t.error = Some(e.to_string());
        t.budget_stop = matches!(e, CallError::Budget(_));
    }
    t
}

/// The system prompt of a conversation: the judge's rubric, the skill listing, or the
/// plain assistant prompt of the baseline.
fn system_prompt(c: &ApiCall<'_>, skill: Option<&SkillBundle>) -> String {
    match (&c.system, skill) {
        (Some(s), _) => s.clone(),
        (None, Some(b)) => system_with_skill(b),
        (None, None) => BASE_SYSTEM.to_string(),
    }
}

/// Adds a response's token usage (`usage.<input>` / `usage.<output>`) to the tally.
fn add_usage(t: &mut Transcript, resp: &Value, input: &str, output: &str) {
    let get = |k: &str| {
        resp.get("usage")
            .and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    t.input_tokens += get(input);
    t.output_tokens += get(output);
}

/// Runs a tool call on the skill, or refuses it in the baseline (which has no tools).
fn tool_result(
    skill: Option<&SkillBundle>,
    name: &str,
    input: &Value,
    t: &mut Transcript,
) -> (String, bool) {
    match skill {
        Some(b) => run_tool(b, name, input, t),
        None => ("no tools are available".into(), true),
    }
}

fn turn_limit_error(n: u32) -> CallError {
    CallError::Failed(format!(
        "the tool loop did not reach a final answer within {n} turns (raise --max-turns, or check that the model stops calling tools)"
    ))
}

async fn anthropic_loop(
    c: &ApiCall<'_>,
    prompt: &str,
    skill: Option<&SkillBundle>,
    t: &mut Transcript,
) -> Result<(), CallError> {
    let url = format!("{}/v1/messages", c.base_url.trim_end_matches("/v1"));
    let mut headers: Vec<(&str, String)> = vec![("anthropic-version", "2023-06-01".into())];
    if let Some(k) = c.key {
        headers.push(("x-api-key", k.expose().to_string()));
    }
    let mut messages = vec![json!({"role": "user", "content": prompt})];
    let system = system_prompt(c, skill);
    let tools: Vec<Value> = tool_defs()
        .into_iter()
        .map(|(n, d, s)| json!({"name": n, "description": d, "input_schema": s}))
        .collect();
    for turn in 0..c.max_turns {
        let mut body = json!({
            "model": c.model,
            "max_tokens": c.max_tokens,
            "system": system,
            "messages": messages,
        });
        if skill.is_some() {
            body["tools"] = Value::Array(tools.clone());
        }
        if let Some(temp) = c.temperature {
            body["temperature"] = json!(temp);
        }
        let resp = c
            .http
            .post_json(&url, &headers, &body, c.budget, c.key)
            .await?;
        t.turns = turn + 1;
        add_usage(t, &resp, "input_tokens", "output_tokens");
        let content = resp
            .get("content")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                CallError::Failed(format!(
                    "{url}: the response has no `content` array (is this a Messages API server?)"
                ))
            })?;
        let mut results = Vec::new();
        for block in content {
            match block.get("type").and_then(Value::as_str) {
                Some("text") => {
                    let text = block.get("text").and_then(Value::as_str).unwrap_or("");
                    push_text(t, text);
                }
                Some("tool_use") => {
                    let id = block.get("id").and_then(Value::as_str).unwrap_or("");
                    let name = block.get("name").and_then(Value::as_str).unwrap_or("");
                    let input = block.get("input").cloned().unwrap_or(Value::Null);
                    let (out, is_error) = tool_result(skill, name, &input, t);
                    results.push(json!({
                        "type": "tool_result", "tool_use_id": id, "content": out, "is_error": is_error
                    }));
                }
                _ => {}
            }
        }
        if results.is_empty() || c.first_turn_only {
            return Ok(());
        }
        messages.push(json!({"role": "assistant", "content": content}));
        messages.push(json!({"role": "user", "content": results}));
    }
    Err(turn_limit_error(c.max_turns))
}

async fn openai_loop(
    c: &ApiCall<'_>,
    prompt: &str,
    skill: Option<&SkillBundle>,
    t: &mut Transcript,
) -> Result<(), CallError> {
    let url = format!("{}/chat/completions", c.base_url);
    let mut headers: Vec<(&str, String)> = Vec::new();
    if let Some(k) = c.key {
        headers.push(("authorization", format!("Bearer {}", k.expose())));
    }
    let system = system_prompt(c, skill);
    let mut messages = vec![
        json!({"role": "system", "content": system}),
        json!({"role": "user", "content": prompt}),
    ];
    let tools: Vec<Value> = tool_defs()
        .into_iter()
        .map(|(n, d, s)| {
            json!({"type": "function", "function": {"name": n, "description": d, "parameters": s}})
        })
        .collect();
    for turn in 0..c.max_turns {
        let mut body = json!({
            "model": c.model,
            "messages": messages,
            "max_tokens": c.max_tokens,
        });
        if skill.is_some() {
            body["tools"] = Value::Array(tools.clone());
        }
        if let Some(temp) = c.temperature {
            body["temperature"] = json!(temp);
        }
        let resp = c
            .http
            .post_json(&url, &headers, &body, c.budget, c.key)
            .await?;
        t.turns = turn + 1;
        add_usage(t, &resp, "prompt_tokens", "completion_tokens");
        let msg = resp.pointer("/choices/0/message").ok_or_else(|| {
            CallError::Failed(format!(
                "{url}: the response has no `choices[0].message` (is this a chat-completions server?)"
            ))
        })?;
        if let Some(text) = msg.get("content").and_then(Value::as_str) {
            push_text(t, text);
        }
        let calls = msg
            .get("tool_calls")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if calls.is_empty() || c.first_turn_only {
            if calls.is_empty() {
                return Ok(());
            }
            for call in &calls {
                let name = call
                    .pointer("/function/name")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if let Some(b) = skill {
                    let input = parse_args(call);
                    let _ = run_tool(b, name, &input, t);
                }
            }
            return Ok(());
        }
        let mut assistant = json!({"role": "assistant", "content": msg.get("content").cloned().unwrap_or(Value::Null)});
        assistant["tool_calls"] = Value::Array(calls.clone());
        messages.push(assistant);
        for call in &calls {
            let id = call.get("id").and_then(Value::as_str).unwrap_or("");
            let name = call
                .pointer("/function/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let input = parse_args(call);
            let (out, is_error) = tool_result(skill, name, &input, t);
            let content = if is_error {
                format!("error: {out}")
            } else {
                out
            };
            messages.push(json!({"role": "tool", "tool_call_id": id, "content": content}));
        }
    }
    Err(turn_limit_error(c.max_turns))
}

/// A tool call's `function.arguments` (a JSON string; some servers send an object).
fn parse_args(call: &Value) -> Value {
    match call.pointer("/function/arguments") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    }
}

fn push_text(t: &mut Transcript, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    if !t.answer.is_empty() {
        t.answer.push_str("\n\n");
    }
    t.answer.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> (tempfile::TempDir, SkillBundle) {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("demo");
        std::fs::create_dir_all(d.join("references")).unwrap();
        std::fs::write(
            d.join("SKILL.md"),
            "---\nname: demo\ndescription: Demo things.\n---\n# Demo\n",
        )
        .unwrap();
        std::fs::write(d.join("references/r.md"), "ref").unwrap();
        let skill = crate::skill::Skill::load(&d).unwrap();
        let b = SkillBundle::load(&skill).unwrap();
        (t, b)
    }

    #[test]
    fn tools_load_read_refuse_and_cap() {
        let (_t, b) = bundle();
        let mut t = Transcript::default();
        let (out, err) = run_tool(&b, "load_skill", &json!({"name": "demo"}), &mut t);
        assert!(
            !err && out.starts_with("Base directory for this skill: demo/")
                && out.contains("# Demo")
        );
        assert!(t.skill_used);
        let (_, err) = run_tool(&b, "load_skill", &json!({"name": "other"}), &mut t);
        assert!(err);
        let (out, err) = run_tool(&b, "read_file", &json!({"path": "references/r.md"}), &mut t);
        assert!(!err && out == "ref");
        let (out, err) = run_tool(
            &b,
            "read_file",
            &json!({"path": "../../etc/passwd"}),
            &mut t,
        );
        assert!(err && out.contains("leaves the skill folder"));
        let (_, err) = run_tool(&b, "rm_rf", &json!({}), &mut t);
        assert!(err);
        for _ in 0..MAX_TOOL_CALLS {
            run_tool(&b, "read_file", &json!({"path": "references/r.md"}), &mut t);
        }
        let (out, err) = run_tool(&b, "read_file", &json!({"path": "references/r.md"}), &mut t);
        assert!(err && out.contains("limit"));
    }

    #[test]
    fn system_prompt_lists_only_name_and_description() {
        let (_t, b) = bundle();
        let s = system_with_skill(&b);
        assert!(s.contains("- demo: Demo things."));
        assert!(
            !s.contains("# Demo"),
            "the body is loaded on demand, not listed"
        );
    }
}
