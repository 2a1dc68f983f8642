//! The process providers: the Claude Code CLI (`claude-code`) and any program
//! (`command:`). Each run happens in a fresh temporary project; with the skill, the
//! skill is copied where the agent looks for it (`.claude/skills/<name>/` for Claude
//! Code; `$SKILLFORGE_SKILL_DIR` for a command). Files the agent writes in the project
//! are collected and graded with its answer.

use super::bundle::{SkillBundle, install_copy};
use super::{ToolCall, Transcript};
use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Most bytes read from an agent's stdout or stderr.
const MAX_OUTPUT: u64 = 32 * 1024 * 1024;
/// Largest file the agent wrote that is graded.
const MAX_WRITTEN: u64 = 256 * 1024;

/// What a process run needs.
pub struct ProcCall<'a> {
    pub program: &'a str,
    pub args: Vec<String>,
    pub timeout: Duration,
    pub prompt_id: &'a str,
}

/// Splits a `command:` value into words (single and double quotes group; no
/// variables, globs or other shell syntax).
pub fn split_command(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for ch in s.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(ch);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unclosed quote in the command".into());
    }
    if in_word {
        words.push(cur);
    }
    if words.is_empty() {
        return Err("the command is empty".into());
    }
    Ok(words)
}

/// The claude-code command line (the prompt goes on stdin).
pub fn claude_args(model: &str) -> Vec<String> {
    let mut a: Vec<String> = [
        "-p",
        "--output-format",
        "stream-json",
        "--verbose",
        "--no-session-persistence",
        "--permission-mode",
        "acceptEdits",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if !model.is_empty() {
        a.push("--model".into());
        a.push(model.into());
    }
    a
}

/// A fresh temporary folder, or `None` with the transcript's error set.
fn temp_dir(prefix: &str, t: &mut Transcript) -> Option<tempfile::TempDir> {
    match tempfile::Builder::new().prefix(prefix).tempdir() {
        Ok(d) => Some(d),
        Err(e) => {
            t.error = Some(format!("cannot create a temporary folder: {e}"));
            None
        }
    }
}

/// Runs Claude Code headless on `prompt` in a temporary project.
pub async fn claude_code(
    c: &ProcCall<'_>,
    prompt: &str,
    skill: Option<&SkillBundle>,
    skill_name: &str,
) -> Transcript {
    let mut t = Transcript::default();
    let Some(project) = temp_dir("skillforge-run-", &mut t) else {
        return t;
    };
    if let Some(b) = skill {
        let dest = project.path().join(".claude/skills").join(&b.name);
        if let Err(e) = install_copy(b, &dest) {
            t.error = Some(format!(
                "cannot install the skill into the temporary project: {e}"
            ));
            return t;
        }
    }
    let mut cmd = tokio::process::Command::new(c.program);
    cmd.args(&c.args)
        .current_dir(project.path())
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_AUTOUPDATER", "1");
    match run_process(cmd, prompt, c.timeout).await {
        Err(e) => t.error = Some(e),
        Ok((code, stdout, stderr)) => {
            parse_stream_json(&stdout, skill_name, &mut t);
            if t.answer.trim().is_empty() && t.error.is_none() {
                t.error = Some(format!(
                    "claude exited with {code} and printed no answer{}",
                    stderr_tail(&stderr)
                ));
            } else if code != 0 && t.error.is_none() {
                t.error = Some(format!("claude exited with {code}{}", stderr_tail(&stderr)));
            }
        }
    }
    t.files = collect_written(project.path());
    t
}

/// Runs `command:` with the prompt on stdin.
pub async fn command(c: &ProcCall<'_>, prompt: &str, skill: Option<&SkillBundle>) -> Transcript {
    let mut t = Transcript::default();
    let Some(project) = temp_dir("skillforge-run-", &mut t) else {
        return t;
    };
    let Some(skill_home) = temp_dir("skillforge-skill-", &mut t) else {
        return t;
    };
    let mut cmd = tokio::process::Command::new(c.program);
    cmd.args(&c.args)
        .current_dir(project.path())
        .env("SKILLFORGE_PROMPT_ID", c.prompt_id)
        .env_remove("SKILLFORGE_SKILL_DIR")
        .env_remove("SKILLFORGE_SKILL_NAME");
    match skill {
        Some(b) => {
            let dest = skill_home.path().join(&b.name);
            if let Err(e) = install_copy(b, &dest) {
                t.error = Some(format!("cannot copy the skill: {e}"));
                return t;
            }
            cmd.env("SKILLFORGE_SKILL_DIR", &dest)
                .env("SKILLFORGE_SKILL_NAME", &b.name)
                .env("SKILLFORGE_CONFIGURATION", "with_skill");
        }
        None => {
            cmd.env("SKILLFORGE_CONFIGURATION", "without_skill");
        }
    }
    match run_process(cmd, prompt, c.timeout).await {
        Err(e) => t.error = Some(e),
        Ok((code, stdout, stderr)) => {
            t.answer = String::from_utf8_lossy(&stdout).into_owned();
            t.turns = 1;
            if code != 0 {
                t.error = Some(format!(
                    "`{}` exited with {code}{}",
                    super::escape_ctl(c.program),
                    stderr_tail(&stderr)
                ));
            }
        }
    }
    t.skill_used = skill.is_some();
    t.files = collect_written(project.path());
    t
}

async fn run_process(
    mut cmd: tokio::process::Command,
    stdin_text: &str,
    timeout: Duration,
) -> Result<(i32, Vec<u8>, Vec<u8>), String> {
    let program = cmd.as_std().get_program().to_string_lossy().into_owned();
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "`{}` is not on PATH (install it, or name it with a full path)",
                super::escape_ctl(&program)
            )
        } else {
            format!("cannot start `{}`: {e}", super::escape_ctl(&program))
        }
    })?;
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let input = stdin_text.as_bytes().to_vec();
    let work = async {
        let write = async {
            if let Some(mut s) = stdin.take() {
                // A program that does not read its stdin closes the pipe: not an error.
                let _ = s.write_all(&input).await;
                let _ = s.shutdown().await;
            }
        };
        let read_out = async {
            let mut buf = Vec::new();
            if let Some(s) = stdout.take() {
                let _ = s.take(MAX_OUTPUT).read_to_end(&mut buf).await;
            }
            buf
        };
        let read_err = async {
            let mut buf = Vec::new();
            if let Some(s) = stderr.take() {
                let _ = s.take(MAX_OUTPUT).read_to_end(&mut buf).await;
            }
            buf
        };
        let ((), out, err) = tokio::join!(write, read_out, read_err);
        let status = child.wait().await;
        (status, out, err)
    };
    match tokio::time::timeout(timeout, work).await {
        Err(_) => Err(format!(
            "`{}` gave no answer within {} s (raise --timeout)",
            super::escape_ctl(&program),
            timeout.as_secs()
        )),
        Ok((Err(e), _, _)) => Err(format!("waiting for `{program}` failed: {e}")),
        Ok((Ok(status), out, err)) => Ok((status.code().unwrap_or(-1), out, err)),
    }
}

fn stderr_tail(stderr: &[u8]) -> String {
    let s = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    let tail = lines[lines.len().saturating_sub(3)..].join(" / ");
    let tail: String = tail.chars().take(400).collect();
    format!(": {}", super::escape_ctl(&tail))
}

/// Reads Claude Code's `--output-format stream-json --verbose` lines: assistant text
/// and tool calls, token usage, and whether the skill was used (a `Skill` tool call for
/// it, or a `Read` of its SKILL.md).
pub fn parse_stream_json(stdout: &[u8], skill_name: &str, t: &mut Transcript) {
    let text = String::from_utf8_lossy(stdout);
    let mut final_result: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if !line.starts_with('{') {
            continue;
        }
        let Ok(ev) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match ev.get("type").and_then(Value::as_str) {
            Some("system") if ev.get("subtype").and_then(Value::as_str) == Some("init") => {
                if let Some(skills) = ev.get("skills").and_then(Value::as_array) {
                    t.skills_listed = skills
                        .iter()
                        .filter_map(|s| {
                            s.as_str()
                                .or_else(|| s.get("name").and_then(Value::as_str))
                                .map(str::to_string)
                        })
                        .collect();
                }
            }
            Some("assistant") => {
                t.turns += 1;
                let blocks = ev
                    .pointer("/message/content")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for b in blocks {
                    match b.get("type").and_then(Value::as_str) {
                        Some("text") => {
                            let s = b.get("text").and_then(Value::as_str).unwrap_or("");
                            if !s.trim().is_empty() {
                                if !t.answer.is_empty() {
                                    t.answer.push_str("\n\n");
                                }
                                t.answer.push_str(s);
                            }
                        }
                        Some("tool_use") => {
                            let name = b.get("name").and_then(Value::as_str).unwrap_or("");
                            let input = b.get("input").cloned().unwrap_or(Value::Null);
                            let target = input
                                .get("skill")
                                .or_else(|| input.get("file_path"))
                                .or_else(|| input.get("command"))
                                .or_else(|| input.get("path"))
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string();
                            if uses_skill(name, &input, skill_name) {
                                t.skill_used = true;
                            }
                            t.tool_calls.push(ToolCall {
                                name: name.to_string(),
                                target: super::escape_ctl(
                                    &target.chars().take(200).collect::<String>(),
                                ),
                            });
                        }
                        _ => {}
                    }
                }
                if let Some(u) = ev.pointer("/message/usage") {
                    t.input_tokens += usage_in(u);
                    t.output_tokens += u.get("output_tokens").and_then(Value::as_u64).unwrap_or(0);
                }
            }
            Some("result") => {
                final_result = ev.get("result").and_then(Value::as_str).map(str::to_string);
                if ev.get("is_error").and_then(Value::as_bool) == Some(true) {
                    t.error = Some(format!(
                        "claude reported an error: {}",
                        super::escape_ctl(
                            &final_result
                                .clone()
                                .or_else(|| ev
                                    .get("subtype")
                                    .and_then(Value::as_str)
                                    .map(str::to_string))
                                .unwrap_or_default()
                                .chars()
                                .take(300)
                                .collect::<String>()
                        )
                    ));
                }
                // The result event carries the session's totals: prefer them.
                if let Some(u) = ev.get("usage") {
                    let (i, o) = (
                        usage_in(u),
                        u.get("output_tokens").and_then(Value::as_u64).unwrap_or(0),
                    );
                    if i + o > 0 {
                        t.input_tokens = i;
                        t.output_tokens = o;
                    }
                }
                if let Some(n) = ev.get("num_turns").and_then(Value::as_u64) {
                    t.turns = n as u32;
                }
            }
            _ => {}
        }
    }
    if t.answer.trim().is_empty()
        && let Some(r) = final_result
    {
        t.answer = r;
    }
}

fn usage_in(u: &Value) -> u64 {
    [
        "input_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
    ]
    .iter()
    .filter_map(|k| u.get(*k).and_then(Value::as_u64))
    .sum()
}

/// True when a Claude Code tool call loads the skill.
pub fn uses_skill(tool: &str, input: &Value, skill_name: &str) -> bool {
    match tool {
        "Skill" => input
            .get("skill")
            .or_else(|| input.get("name"))
            .and_then(Value::as_str)
            .is_some_and(|s| {
                s.trim() == skill_name || s.trim().ends_with(&format!(":{skill_name}"))
            }),
        "Read" => input
            .get("file_path")
            .and_then(Value::as_str)
            .is_some_and(|p| {
                p.replace('\\', "/")
                    .ends_with(&format!("/{skill_name}/SKILL.md"))
            }),
        _ => false,
    }
}

/// Text files the agent left in the project (not the installed skill).
pub fn collect_written(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(root, root, 0, &mut out);
    out.sort();
    out
}

fn collect(root: &Path, dir: &Path, depth: usize, out: &mut Vec<(String, String)>) {
    if depth > 8 || out.len() >= 200 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(|e| e.ok()) {
        let path = e.path();
        let name = e.file_name();
        if depth == 0 && (name == ".claude" || name == ".git") {
            continue;
        }
        if name == "node_modules" || name == ".venv" || name == "__pycache__" {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            collect(root, &path, depth + 1, out);
        } else if meta.is_file()
            && meta.len() <= MAX_WRITTEN
            && let Ok(bytes) = crate::fsutil::read_capped(&path, MAX_WRITTEN)
            && let Ok(text) = String::from_utf8(bytes)
        {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_commands() {
        assert_eq!(split_command("codex exec").unwrap(), ["codex", "exec"]);
        assert_eq!(
            split_command("sh -c 'cat; echo \"done\"'").unwrap(),
            ["sh", "-c", "cat; echo \"done\""]
        );
        assert_eq!(split_command("a ''").unwrap(), ["a", ""]);
        assert!(split_command("a 'b").is_err());
        assert!(split_command("   ").is_err());
    }

    #[test]
    fn stream_json_detects_skill_and_text() {
        let out = br#"{"type":"system","subtype":"init","skills":["docker-deployment"],"tools":["Skill","Read"]}
{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t1","name":"Skill","input":{"skill":"docker-deployment"}}],"usage":{"input_tokens":10,"output_tokens":5}}}
{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":"Launching skill"}]}}
{"type":"assistant","message":{"content":[{"type":"text","text":"Use a multi-stage build."}]}}
{"type":"result","subtype":"success","is_error":false,"result":"Use a multi-stage build.","num_turns":2,"usage":{"input_tokens":40,"output_tokens":12}}
"#;
        let mut t = Transcript::default();
        parse_stream_json(out, "docker-deployment", &mut t);
        assert!(t.skill_used);
        assert_eq!(t.skills_listed, ["docker-deployment"]);
        assert_eq!(t.answer, "Use a multi-stage build.");
        assert_eq!((t.input_tokens, t.output_tokens, t.turns), (40, 12, 2));
        let mut t = Transcript::default();
        parse_stream_json(out, "other-skill", &mut t);
        assert!(!t.skill_used);
    }

    #[test]
    fn read_of_skill_md_counts_as_use() {
        let input = serde_json::json!({"file_path": "/tmp/p/.claude/skills/demo/SKILL.md"});
        assert!(uses_skill("Read", &input, "demo"));
        assert!(!uses_skill("Read", &input, "dem"));
        assert!(!uses_skill("Write", &input, "demo"));
    }
}
