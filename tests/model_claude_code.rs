//! The `claude-code` provider against the REAL Claude Code CLI (`claude`, from npm
//! `@anthropic-ai/claude-code`), run offline: `ANTHROPIC_BASE_URL` points at a loopback
//! server that speaks the streaming Messages API (SSE). The server plays the model:
//! when Claude Code lists the skill it calls the `Skill` tool; once the SKILL.md body
//! arrives ("Base directory for this skill: …") it writes a Dockerfile with the `Write`
//! tool into the project, then answers. Without the skill it answers thinly.
//!
//! Where `claude` is not installed these tests print SKIPPED and pass.

mod common;

use assert_cmd::Command;
use common::llm::{Brain, Llm, Reply, Seen};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;

const DOCKERFILE: &str = "# syntax=docker/dockerfile:1\nFROM python:3.12-slim AS builder\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN pip install uv && uv sync --locked --no-install-project\nCOPY . .\nRUN uv sync --locked\n\nFROM python:3.12-slim\nWORKDIR /app\nCOPY --from=builder /app /app\nUSER 10001\nHEALTHCHECK CMD python -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"\nCMD [\"/app/.venv/bin/uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\"]\n";

fn claude_available() -> bool {
    std::process::Command::new("claude")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// One streamed assistant message with the given content blocks.
fn stream(model: &str, blocks: Vec<Value>) -> Reply {
    let mut ev: Vec<(&str, Value)> = vec![(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
            "model": model, "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 50, "output_tokens": 1}}}),
    )];
    let mut stop = "end_turn";
    for (i, b) in blocks.iter().enumerate() {
        if b["type"] == "text" {
            ev.push(("content_block_start", json!({"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}})));
            ev.push(("content_block_delta", json!({"type": "content_block_delta", "index": i, "delta": {"type": "text_delta", "text": b["text"]}})));
        } else {
            stop = "tool_use";
            ev.push(("content_block_start", json!({"type": "content_block_start", "index": i, "content_block": {"type": "tool_use", "id": b["id"], "name": b["name"], "input": {}}})));
            ev.push(("content_block_delta", json!({"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": b["input"].to_string()}})));
        }
        ev.push((
            "content_block_stop",
            json!({"type": "content_block_stop", "index": i}),
        ));
    }
    ev.push(("message_delta", json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": 20}})));
    ev.push(("message_stop", json!({"type": "message_stop"})));
    Reply::sse(&ev)
}

/// The scripted model.
fn brain() -> Brain {
    Arc::new(|req: &Seen| {
        let b = &req.body;
        let model = b["model"].as_str().unwrap_or("claude").to_string();
        if b["stream"] != true {
            // Side requests (titles, summaries): a plain message.
            return Reply::json(
                json!({"id": "msg_x", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
                "usage": {"input_tokens": 1, "output_tokens": 1}}),
            );
        }
        let all = b.to_string();
        let msgs = b["messages"].as_array().cloned().unwrap_or_default();
        let last = msgs.last().cloned().unwrap_or(Value::Null);
        let last_text = last.to_string();
        // The user's own words: the last text block of the first message (Claude Code
        // puts its context reminders in earlier blocks).
        let user_first = msgs
            .first()
            .and_then(|m| m["content"].as_array())
            .and_then(|c| c.iter().rev().find(|b| b["type"] == "text"))
            .and_then(|b| b["text"].as_str())
            .unwrap_or("")
            .to_lowercase();
        let listed = all.contains("- docker-deployment: ");
        let dockerish = user_first.contains("docker")
            || user_first.contains("container")
            || user_first.contains("image");
        // Claude Code merges consecutive user turns, so test the newest marker first.
        if last_text.contains("toolu_w") {
            return stream(
                &model,
                vec![
                    json!({"type": "text", "text": "I wrote a multi-stage Dockerfile; expect roughly 180 MB instead of 1.2 GB."}),
                ],
            );
        }
        if last_text.contains("Base directory for this skill: ") {
            // The skill's body arrived: write the Dockerfile into the project.
            let base = last_text
                .split("Base directory for this skill: ")
                .nth(1)
                .and_then(|s| s.split("\\n").next())
                .unwrap_or("")
                .to_string();
            let project = base
                .trim_end_matches("/.claude/skills/docker-deployment")
                .to_string();
            return stream(
                &model,
                vec![json!({"type": "tool_use", "id": "toolu_w", "name": "Write",
                "input": {"file_path": format!("{project}/Dockerfile"), "content": DOCKERFILE}})],
            );
        }
        if listed && dockerish && !last_text.contains("tool_result") {
            return stream(
                &model,
                vec![
                    json!({"type": "tool_use", "id": "toolu_s", "name": "Skill", "input": {"skill": "docker-deployment"}}),
                ],
            );
        }
        stream(
            &model,
            vec![json!({"type": "text", "text": "Run `docker build .` and you are done."})],
        )
    })
}

fn suite(root: &Path) -> std::path::PathBuf {
    let p = root.join("suite.yaml");
    std::fs::write(
        &p,
        r#"topic: cc
title: Claude Code smoke
docs: [/build/building/multi-stage/]
prompts:
  - id: multistage
    prompt: Rewrite the Dockerfile of my FastAPI service as a multi-stage build and tell me the size to expect.
    assertions:
      - text: The Dockerfile has a build stage and a runtime stage joined by COPY --from
        weight: 3
        check: { dockerfile: { min_stages: 2, copy_from_stage: true } }
      - text: The final stage runs as a non-root user
        check: { dockerfile: { final_user_non_root: true } }
      - text: Gives a size estimate
        check: { any_regex: ['\b\d{2,3}\s*MB\b'] }
"#,
    )
    .unwrap();
    p
}

fn bin(home: &Path, base: &str) -> Command {
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.env("NO_COLOR", "1")
        .env("HOME", home)
        .env("SKILLFORGE_CACHE_DIR", home.join("cache"))
        .env("ANTHROPIC_BASE_URL", base)
        .env("ANTHROPIC_API_KEY", "sk-any-string")
        .env_remove("CLAUDE_CONFIG_DIR");
    c
}

#[test]
fn real_claude_code_uses_the_skill_and_its_written_files_are_graded() {
    if !claude_available() {
        eprintln!(
            "SKIPPED: the Claude Code CLI (`claude`) is not installed (npm i -g @anthropic-ai/claude-code)"
        );
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let dir = skillforge::blueprint::generate_default(t.path()).unwrap();
    let srv = Llm::start(brain());
    let out = t.path().join("out");
    let a = bin(&home, &srv.base)
        .args([
            "test",
            "--format",
            "json",
            "--model",
            "claude-code",
            "--timeout",
            "120",
            "--out",
        ])
        .arg(&out)
        .arg("--suite")
        .arg(suite(t.path()))
        .arg(&dir)
        .assert();
    let o = a.get_output();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let v: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}\n{stdout}\n{stderr}"));
    let runs = v["runs"].as_array().unwrap();
    let with = runs
        .iter()
        .find(|r| r["configuration"] == "with_skill")
        .unwrap();
    let without = runs
        .iter()
        .find(|r| r["configuration"] == "without_skill")
        .unwrap();
    assert_eq!(
        with["skill_used"], true,
        "the Skill tool call was seen: {v:#}"
    );
    assert_eq!(without["skill_used"], false);
    assert_eq!(
        with["result"]["passed"], 3,
        "the Dockerfile written with Write was graded: {v:#}"
    );
    assert_eq!(with["expectations"][0]["evidence"][0]["file"], "Dockerfile");
    assert_eq!(without["result"]["passed"], 0);
    assert!(v["lessons"][0]["uplift"].as_f64().unwrap() > 0.5, "{v:#}");
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    // The file the agent wrote is kept with the run's outputs.
    let kept =
        std::fs::read_to_string(out.join("multistage/with_skill/run-1/outputs/files/Dockerfile"))
            .unwrap();
    assert!(kept.contains("COPY --from=builder"));
    // The init event listed the project skill only in the with-skill project.
    let grading: Value = serde_json::from_slice(
        &std::fs::read(out.join("multistage/with_skill/run-1/grading.json")).unwrap(),
    )
    .unwrap();
    assert!(
        grading["execution_metrics"]["tool_calls"]["Skill"].as_u64() == Some(1),
        "{grading:#}"
    );
    assert!(grading["execution_metrics"]["tool_calls"]["Write"].as_u64() == Some(1));
}

#[test]
fn real_claude_code_trigger_eval_uses_the_skill_tool_signal() {
    if !claude_available() {
        eprintln!(
            "SKIPPED: the Claude Code CLI (`claude`) is not installed (npm i -g @anthropic-ai/claude-code)"
        );
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let dir = skillforge::blueprint::generate_default(t.path()).unwrap();
    let srv = Llm::start(brain());
    let a = bin(&home, &srv.base)
        .args([
            "test",
            "--triggers",
            "--runs",
            "1",
            "--format",
            "json",
            "--model",
            "claude-code",
            "--timeout",
            "120",
        ])
        .arg("--suite")
        .arg(suite(t.path()))
        .arg(&dir)
        .assert();
    let o = a.get_output();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}\n{stdout}\n{}", String::from_utf8_lossy(&o.stderr)));
    let qs = v["queries"].as_array().unwrap();
    let pos = qs.iter().find(|q| q["id"] == "multistage").unwrap();
    assert_eq!(pos["triggers"], 1, "{v:#}");
    let helm = qs.iter().find(|q| q["id"] == "helm-chart").unwrap();
    assert_eq!(helm["triggers"], 0, "{v:#}");
    assert_eq!(v["recall"].as_f64(), Some(1.0));
    assert_eq!(v["precision"].as_f64(), Some(1.0));
    assert_eq!(v["errors"], 0);
    assert_eq!(o.status.code(), Some(0));
}
