//! `skillforge test --model …` against real HTTP servers on 127.0.0.1 that speak the
//! OpenAI chat-completions and Anthropic Messages wire formats (tool calls included),
//! validate what we send, and answer from a scripted "brain": with the skill offered,
//! the brain loads it, reads the Dockerfile template and answers with it; without the
//! skill it gives a thin answer. Failure modes: 429 with Retry-After, 500, malformed
//! JSON, slow answers, tool loops that never end, path traversal in read_file.

mod common;

use assert_cmd::Command;
use common::llm::{Brain, Llm, Reply, Seen};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "sk-test-SECRET-7f3a9c";

/// What a good assistant answers once it has read the template.
fn good_answer(dockerfile: &str) -> String {
    format!(
        "Here is a multi-stage build. The naive python:3.12 image is about 1.2 GB; this one ends up around 180 MB.\n\n```dockerfile\n{}\n```\n\nBuild it with `docker build -t task-api .` and check the size with `docker images`.\n",
        dockerfile.trim_end()
    )
}

const THIN: &str = "Run `docker build .` and it should work.";

fn check_tools_openai(tools: &Value, problems: &mut Vec<String>) {
    let names: Vec<&str> = tools
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.pointer("/function/name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    if names != ["load_skill", "read_file"] {
        problems.push(format!("tool names {names:?}"));
    }
    for t in tools.as_array().into_iter().flatten() {
        if t["type"] != "function"
            || t.pointer("/function/parameters/type") != Some(&json!("object"))
        {
            problems.push(format!("bad tool schema {t}"));
        }
    }
}

/// The OpenAI-compatible brain. The model name selects a behaviour.
fn openai_brain(
    state: Arc<Mutex<HashMap<String, u32>>>,
    problems: Arc<Mutex<Vec<String>>>,
) -> Brain {
    Arc::new(move |req: &Seen| {
        let mut probs = Vec::new();
        if req.path != "/v1/chat/completions" {
            probs.push(format!("path {}", req.path));
        }
        if req.headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {KEY}")) {
            probs.push(format!(
                "authorization header {:?}",
                req.headers.get("authorization")
            ));
        }
        let b = &req.body;
        let model = b["model"].as_str().unwrap_or("").to_string();
        let msgs = b["messages"].as_array().cloned().unwrap_or_default();
        if msgs.first().map(|m| m["role"].clone()) != Some(json!("system"))
            || msgs.get(1).map(|m| m["role"].clone()) != Some(json!("user"))
        {
            probs.push("messages must start with system then user".into());
        }
        let tools = b.get("tools");
        if let Some(t) = tools {
            check_tools_openai(t, &mut probs);
            let sys = msgs[0]["content"].as_str().unwrap_or("");
            if !sys.contains("- docker-deployment: ") {
                probs.push("the system prompt does not list the skill".into());
            }
            if sys.contains("## ") {
                probs.push(
                    "the system prompt carries the skill body (progressive disclosure broken)"
                        .into(),
                );
            }
        }
        problems.lock().unwrap().extend(probs);
        let attempt = {
            let mut s = state.lock().unwrap();
            let n = s.entry(model.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let msg = |content: Value, calls: Option<Value>| {
            let mut m = json!({"role": "assistant", "content": content});
            if let Some(c) = calls {
                m["tool_calls"] = c;
            }
            Reply::json(json!({
                "id": "chatcmpl-1", "object": "chat.completion", "model": model,
                "choices": [{"index": 0, "message": m, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
            }))
        };
        let call = |name: &str, args: Value| json!([{"id": format!("call_{name}"), "type": "function", "function": {"name": name, "arguments": args.to_string()}}]);
        match model.as_str() {
            "flaky" if attempt == 1 => {
                let mut r = Reply::status(429, r#"{"error":{"message":"rate limited"}}"#);
                r.headers.push(("retry-after".into(), "1".into()));
                return r;
            }
            "err500" if attempt == 1 => {
                return Reply::status(500, r#"{"error":{"message":"boom"}}"#);
            }
            "badjson" => {
                return Reply {
                    status: 200,
                    headers: vec![],
                    body: b"{\"choices\": [ not json".to_vec(),
                    delay: Duration::ZERO,
                };
            }
            "unauthorized" => {
                return Reply::status(
                    401,
                    &format!(r#"{{"error":{{"message":"invalid key {KEY}"}}}}"#),
                );
            }
            _ => {}
        }
        let mut delay = Duration::ZERO;
        if model == "slow" {
            delay = Duration::from_millis(250);
        }
        if model == "hang" {
            delay = Duration::from_millis(2500);
        }
        let last = msgs.last().cloned().unwrap_or(Value::Null);
        let mut r = if tools.is_none() {
            msg(json!(THIN), None)
        } else if model == "loop" {
            msg(
                Value::Null,
                Some(call("read_file", json!({"path": "SKILL.md"}))),
            )
        } else if model == "traverse" {
            if last["role"] == "tool" {
                let got = last["content"].as_str().unwrap_or("");
                msg(json!(format!("The tool said: {got}")), None)
            } else {
                msg(
                    Value::Null,
                    Some(call("read_file", json!({"path": "../../../../etc/passwd"}))),
                )
            }
        } else if last["role"] != "tool" {
            msg(
                Value::Null,
                Some(call("load_skill", json!({"name": "docker-deployment"}))),
            )
        } else {
            let prev_call = msgs[msgs.len() - 2]["tool_calls"][0]["function"]["name"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if prev_call == "load_skill" {
                let body = last["content"].as_str().unwrap_or("");
                if !body.starts_with("Base directory for this skill:") {
                    return Reply::status(
                        400,
                        r#"{"error":{"message":"load_skill result lacks the base directory line"}}"#,
                    );
                }
                msg(
                    Value::Null,
                    Some(call("read_file", json!({"path": "templates/Dockerfile"}))),
                )
            } else {
                msg(
                    json!(good_answer(last["content"].as_str().unwrap_or(""))),
                    None,
                )
            }
        };
        r.delay = delay;
        r
    })
}

/// The Anthropic Messages brain (same behaviour, Messages shapes).
fn anthropic_brain(problems: Arc<Mutex<Vec<String>>>) -> Brain {
    Arc::new(move |req: &Seen| {
        let mut probs = Vec::new();
        if req.path != "/v1/messages" {
            probs.push(format!("path {}", req.path));
        }
        if req.headers.get("x-api-key").map(String::as_str) != Some(KEY) {
            probs.push("x-api-key header missing or wrong".into());
        }
        if !req.headers.contains_key("anthropic-version") {
            probs.push("anthropic-version header missing".into());
        }
        let b = &req.body;
        if !b["max_tokens"].is_u64() || !b["system"].is_string() {
            probs.push("max_tokens and system are required".into());
        }
        let msgs = b["messages"].as_array().cloned().unwrap_or_default();
        let tools = b.get("tools");
        if let Some(t) = tools {
            let names: Vec<&str> = t
                .as_array()
                .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
                .unwrap_or_default();
            if names != ["load_skill", "read_file"] || t[0]["input_schema"]["type"] != "object" {
                probs.push(format!("bad tools {t}"));
            }
        }
        problems.lock().unwrap().extend(probs);
        let reply = |content: Value, stop: &str| {
            Reply::json(json!({
                "id": "msg_1", "type": "message", "role": "assistant", "model": b["model"],
                "content": content, "stop_reason": stop,
                "usage": {"input_tokens": 200, "output_tokens": 40}
            }))
        };
        let tool_use = |name: &str, input: Value| {
            reply(
                json!([{"type": "text", "text": "Let me check the skill."}, {"type": "tool_use", "id": format!("toolu_{name}"), "name": name, "input": input}]),
                "tool_use",
            )
        };
        if tools.is_none() {
            return reply(json!([{"type": "text", "text": THIN}]), "end_turn");
        }
        let last = msgs.last().cloned().unwrap_or(Value::Null);
        let results = last["content"].as_array().cloned().unwrap_or_default();
        let result = results.iter().find(|c| c["type"] == "tool_result");
        match result {
            None => tool_use("load_skill", json!({"name": "docker-deployment"})),
            Some(r) if r["tool_use_id"] == "toolu_load_skill" => {
                tool_use("read_file", json!({"path": "templates/Dockerfile"}))
            }
            Some(r) => reply(
                json!([{"type": "text", "text": good_answer(r["content"].as_str().unwrap_or(""))}]),
                "end_turn",
            ),
        }
    })
}

fn skill(root: &Path) -> PathBuf {
    skillforge::blueprint::generate_default(root).unwrap()
}

/// A one-topic suite with two prompts, so failure-mode tests stay quick.
fn small_suite(root: &Path) -> PathBuf {
    let p = root.join("suite.yaml");
    std::fs::write(
        &p,
        r#"topic: smoke
title: Smoke
docs: [/build/building/multi-stage/]
prompts:
  - id: multistage
    prompt: Rewrite my Dockerfile as a multi-stage build and tell me the size I should expect.
    assertions:
      - text: The Dockerfile has a build stage and a runtime stage joined by COPY --from
        weight: 3
        check: { dockerfile: { min_stages: 2, copy_from_stage: true } }
      - text: Gives a size estimate
        check: { any_regex: ['\b\d{2,3}\s*MB\b'] }
  - id: nonroot
    prompt: Make my container run as a non-root user.
    assertions:
      - text: The final stage runs as a non-root USER
        check: { dockerfile: { final_user_non_root: true } }
"#,
    )
    .unwrap();
    p
}

fn bin(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.env("NO_COLOR", "1")
        .env("SKILLFORGE_CACHE_DIR", cache)
        .env("SKILLFORGE_RETRY_BASE_MS", "20")
        .env("OPENAI_API_KEY", KEY)
        .env("ANTHROPIC_API_KEY", KEY)
        .env_remove("OPENAI_BASE_URL")
        .env_remove("ANTHROPIC_BASE_URL");
    c
}

fn walk_text(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk_text(&p, out);
        } else if let Ok(b) = std::fs::read(&p) {
            out.push((p, String::from_utf8_lossy(&b).into_owned()));
        }
    }
}

#[test]
fn openai_lesson5_reports_uplift_writes_benchmark_and_caches() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let problems: Arc<Mutex<Vec<String>>> = Arc::default();
    let srv = Llm::start(openai_brain(Arc::default(), problems.clone()));
    let cache = t.path().join("cache");
    let out = t.path().join("bench");
    let run = bin(&cache)
        .args([
            "test",
            "--lesson",
            "5",
            "--model",
            "openai:test",
            "--base-url",
        ])
        .arg(format!("{}/v1", srv.base))
        .arg("--out")
        .arg(&out)
        .arg(&dir)
        .assert();
    let o = run.get_output();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(stdout.contains("Lesson 5"), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("with skill") && stdout.contains("without") && stdout.contains("uplift"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+ skill adds"),
        "flipped assertions are listed: {stdout}"
    );
    assert!(
        problems.lock().unwrap().is_empty(),
        "{:#?}",
        problems.lock().unwrap()
    );
    srv.assert_no_problems();
    // 5 prompts: with skill = 3 requests each (load, read, answer), without = 1.
    let first = srv.requests();
    assert_eq!(first, 5 * 3 + 5, "{stdout}");
    // The lesson's with-skill mean beats the baseline.
    let bench: Value =
        serde_json::from_slice(&std::fs::read(out.join("benchmark.json")).unwrap()).unwrap();
    for k in ["metadata", "runs", "run_summary"] {
        assert!(bench.get(k).is_some(), "benchmark.json lacks {k}");
    }
    assert_eq!(bench["metadata"]["executor_model"], "openai:test");
    assert_eq!(bench["metadata"]["runs_per_configuration"], 1);
    let runs = bench["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 10);
    for r in runs {
        for k in [
            "pass_rate",
            "passed",
            "failed",
            "total",
            "time_seconds",
            "tokens",
            "tool_calls",
            "errors",
        ] {
            assert!(r["result"].get(k).is_some(), "run result lacks {k}: {r}");
        }
        assert!(r["configuration"] == "with_skill" || r["configuration"] == "without_skill");
    }
    let with = bench["run_summary"]["with_skill"]["pass_rate"]["mean"]
        .as_f64()
        .unwrap();
    let without = bench["run_summary"]["without_skill"]["pass_rate"]["mean"]
        .as_f64()
        .unwrap();
    assert!(with > without + 0.2, "with {with} without {without}");
    assert!(
        bench["run_summary"]["delta"]["pass_rate"]
            .as_str()
            .unwrap()
            .starts_with('+')
    );
    // grading.json per run, answers, report.html, benchmark.md.
    let g: Value = serde_json::from_slice(
        &std::fs::read(out.join("multistage-task-api/with_skill/run-1/grading.json")).unwrap(),
    )
    .unwrap();
    let exp = g["expectations"].as_array().unwrap();
    assert!(!exp.is_empty());
    for e in exp {
        assert!(e["text"].is_string() && e["passed"].is_boolean() && e["evidence"].is_string());
    }
    for k in ["passed", "failed", "total", "pass_rate"] {
        assert!(g["summary"].get(k).is_some());
    }
    assert!(
        exp.iter().any(|e| e["text"]
            .as_str()
            .unwrap()
            .starts_with("The answer's Dockerfile")),
        "assertions read as claims about the answer: {exp:#?}"
    );
    let answer =
        std::fs::read_to_string(out.join("multistage-task-api/with_skill/run-1/outputs/answer.md"))
            .unwrap();
    assert!(answer.contains("```dockerfile"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("multistage-task-api"));
    assert!(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("<link"));
    assert!(
        std::fs::read_to_string(out.join("benchmark.md"))
            .unwrap()
            .contains("| lesson |")
    );

    // Second run: unchanged skill and prompts, no request at all.
    let again = bin(&cache)
        .args([
            "test",
            "--lesson",
            "5",
            "--model",
            "openai:test",
            "--base-url",
        ])
        .arg(format!("{}/v1", srv.base))
        .arg(&dir)
        .assert();
    let stdout2 = String::from_utf8_lossy(&again.get_output().stdout).into_owned();
    assert_eq!(srv.requests(), first, "the second run made requests");
    assert!(
        stdout2.contains("0 made") && stdout2.contains("from the cache"),
        "{stdout2}"
    );

    // Editing any file of the skill invalidates the with-skill answers only.
    std::fs::write(dir.join("references/extra.md"), "# More\n").unwrap();
    let _ = bin(&cache)
        .args([
            "test",
            "--lesson",
            "5",
            "--model",
            "openai:test",
            "--base-url",
        ])
        .arg(format!("{}/v1", srv.base))
        .arg(&dir)
        .assert();
    assert_eq!(
        srv.requests(),
        first + 5 * 3,
        "only with-skill runs are asked again"
    );

    // The key is in no output, cache entry or report file.
    let mut files = Vec::new();
    walk_text(&cache, &mut files);
    walk_text(&out, &mut files);
    assert!(!files.is_empty());
    for (p, text) in files {
        assert!(!text.contains(KEY), "the key leaked into {}", p.display());
    }
    assert!(!stdout.contains(KEY) && !stderr.contains(KEY) && !stdout2.contains(KEY));
}

#[test]
fn anthropic_messages_with_tools_and_json_output() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let suite = small_suite(t.path());
    let problems: Arc<Mutex<Vec<String>>> = Arc::default();
    let srv = Llm::start(anthropic_brain(problems.clone()));
    let a = bin(&t.path().join("cache"))
        .args([
            "test",
            "--format",
            "json",
            "--model",
            "anthropic:claude-test",
            "--base-url",
        ])
        .arg(&srv.base)
        .arg("--suite")
        .arg(&suite)
        .arg(&dir)
        .assert();
    let o = a.get_output();
    assert!(
        problems.lock().unwrap().is_empty(),
        "{:#?}",
        problems.lock().unwrap()
    );
    srv.assert_no_problems();
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    assert_eq!(v["schema"], "skillforge.test-model/v1");
    assert_eq!(v["model"], "anthropic:claude-test");
    let l = &v["lessons"][0];
    assert!(
        l["with_skill"]["mean"].as_f64().unwrap() > l["without_skill"]["mean"].as_f64().unwrap()
    );
    assert!(l["uplift"].as_f64().unwrap() > 0.0);
    assert_eq!(
        v["calls"]["input_tokens"].as_u64().unwrap(),
        200 * (3 * 2 + 2)
    );
    let runs = v["runs"].as_array().unwrap();
    assert!(runs.iter().any(|r| r["skill_used"] == true));
    assert_eq!(
        o.status.code(),
        Some(0),
        "with-skill score reaches the threshold"
    );
}

#[test]
fn retries_429_with_retry_after_and_500() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let suite = small_suite(t.path());
    for model in ["flaky", "err500"] {
        let state: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        let srv = Llm::start(openai_brain(state, Arc::default()));
        let started = std::time::Instant::now();
        let a = bin(&t.path().join(format!("cache-{model}")))
            .args([
                "test",
                "--jobs",
                "1",
                "--model",
                &format!("openai:{model}"),
                "--base-url",
            ])
            .arg(format!("{}/v1", srv.base))
            .arg("--suite")
            .arg(&suite)
            .arg(&dir)
            .assert();
        let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
        assert!(
            !out.contains("failed run"),
            "{model}: the retry should have recovered: {out}"
        );
        // 2 prompts × (3 with + 1 without) + the one refused attempt.
        assert_eq!(srv.requests(), 9, "{model}: {out}");
        if model == "flaky" {
            assert!(
                started.elapsed() >= Duration::from_millis(900),
                "Retry-After: 1 was not honoured"
            );
        }
    }
}

#[test]
fn malformed_json_and_auth_errors_are_reported_without_the_key() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let suite = small_suite(t.path());
    let srv = Llm::start(openai_brain(Arc::default(), Arc::default()));
    let a = bin(&t.path().join("cache"))
        .args(["test", "--model", "openai:badjson", "--base-url"])
        .arg(format!("{}/v1", srv.base))
        .arg("--suite")
        .arg(&suite)
        .arg(&dir)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("not JSON"), "{err}");
    let a = bin(&t.path().join("cache"))
        .args(["test", "--model", "openai:unauthorized", "--base-url"])
        .arg(format!("{}/v1", srv.base))
        .arg("--suite")
        .arg(&suite)
        .arg(&dir)
        .assert()
        .code(2);
    let o = a.get_output();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(all.contains("401"), "{all}");
    assert!(
        !all.contains(KEY),
        "the key echoed by the server was printed: {all}"
    );
    assert!(all.contains("<redacted>"), "{all}");
}

#[test]
fn missing_key_is_exit_2_with_how_to_set_it() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let a = bin(&t.path().join("cache"))
        .env_remove("ANTHROPIC_API_KEY")
        .args(["test", "--lesson", "5", "--model", "anthropic:claude-x"])
        .arg(&dir)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        err.contains("ANTHROPIC_API_KEY") && err.contains("export"),
        "{err}"
    );
}

#[test]
fn tool_loop_stops_at_the_turn_limit() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let suite = small_suite(t.path());
    let srv = Llm::start(openai_brain(Arc::default(), Arc::default()));
    let a = bin(&t.path().join("cache"))
        .args([
            "test",
            "--model",
            "openai:loop",
            "--max-turns",
            "3",
            "--base-url",
        ])
        .arg(format!("{}/v1", srv.base))
        .arg("--suite")
        .arg(&suite)
        .arg(&dir)
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.contains("within 3 turns"), "{out}");
    // 2 prompts: 3 turns with the skill + 1 without.
    assert_eq!(srv.requests(), 2 * 3 + 2);
}

#[test]
fn read_file_refuses_path_traversal() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let suite = small_suite(t.path());
    let out_dir = t.path().join("out");
    let srv = Llm::start(openai_brain(Arc::default(), Arc::default()));
    let _ = bin(&t.path().join("cache"))
        .args(["test", "--model", "openai:traverse", "--base-url"])
        .arg(format!("{}/v1", srv.base))
        .arg("--suite")
        .arg(&suite)
        .arg("--out")
        .arg(&out_dir)
        .arg(&dir)
        .assert();
    let answer =
        std::fs::read_to_string(out_dir.join("multistage/with_skill/run-1/outputs/answer.md"))
            .unwrap();
    assert!(answer.contains("leaves the skill folder"), "{answer}");
    assert!(!answer.contains("root:"), "{answer}");
}

#[test]
fn concurrency_is_bounded_by_jobs() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let srv = Llm::start(openai_brain(Arc::default(), Arc::default()));
    let _ = bin(&t.path().join("cache"))
        .args([
            "test",
            "--lesson",
            "5",
            "--jobs",
            "2",
            "--model",
            "openai:slow",
            "--base-url",
        ])
        .arg(format!("{}/v1", srv.base))
        .arg(&dir)
        .assert();
    let max = srv.max_inflight.load(Ordering::SeqCst);
    assert!(max <= 2, "{max} requests were in flight with --jobs 2");
    assert!(max >= 2, "runs should overlap with --jobs 2 (saw {max})");
}

#[test]
fn max_calls_guards_spending() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let suite = small_suite(t.path());
    let srv = Llm::start(openai_brain(Arc::default(), Arc::default()));
    let a = bin(&t.path().join("cache"))
        .args([
            "test",
            "--jobs",
            "1",
            "--max-calls",
            "4",
            "--model",
            "openai:test",
            "--base-url",
        ])
        .arg(format!("{}/v1", srv.base))
        .arg("--suite")
        .arg(&suite)
        .arg(&dir)
        .assert()
        .code(1);
    assert_eq!(srv.requests(), 4);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.contains("--max-calls"), "{out}");
}

#[test]
fn command_provider_gets_the_skill_dir_only_with_the_skill() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let suite = small_suite(t.path());
    let script = t.path().join("answer.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\ncat > prompt.txt\nif [ -n \"$SKILLFORGE_SKILL_DIR\" ]; then\n  cp \"$SKILLFORGE_SKILL_DIR/templates/Dockerfile\" Dockerfile\n  echo 'Wrote a Dockerfile; expect about 180 MB.'\nelse\n  echo 'Use docker build.'\nfi\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let a = bin(&t.path().join("cache"))
        .args(["test", "--format", "json", "--model"])
        .arg(format!("command:{}", script.display()))
        .arg("--suite")
        .arg(&suite)
        .arg(&dir)
        .assert()
        .code(0);
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let l = &v["lessons"][0];
    assert_eq!(l["with_skill"]["mean"].as_f64(), Some(1.0), "{v:#}");
    assert_eq!(l["without_skill"]["mean"].as_f64(), Some(0.0));
    // The Dockerfile the program wrote was graded as part of its answer.
    let run = v["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["configuration"] == "with_skill")
        .unwrap();
    let ev = run["expectations"][0]["evidence"][0]["file"]
        .as_str()
        .unwrap();
    assert_eq!(ev, "Dockerfile");
}

#[test]
fn judge_grades_assertions_without_checks_and_needs_verbatim_quotes() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let evals = t.path().join("evals.json");
    std::fs::write(
        &evals,
        r#"{"skill_name": "docker-deployment", "evals": [
            {"id": 1, "prompt": "Rewrite my Dockerfile as a multi-stage build.",
             "expectations": ["Mentions the expected image size", "Says the image is signed with cosign"]}
        ]}"#,
    )
    .unwrap();
    // The judge quotes the answer for the size, and invents a quote for cosign.
    let judge: Brain = Arc::new(|req: &Seen| {
        let user = req.body["messages"][1]["content"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let sys = req.body["messages"][0]["content"].as_str().unwrap_or("");
        assert!(sys.contains("character for character"));
        let verdict = if user.contains("expected image size") {
            json!({"passed": true, "evidence": ["ends up around 180 MB"], "reason": "gives a size"})
        } else {
            json!({"passed": true, "evidence": ["signed with cosign before pushing"], "reason": "made up"})
        };
        Reply::json(
            json!({"choices": [{"message": {"role": "assistant", "content": verdict.to_string()}}]}),
        )
    });
    let model = Llm::start(openai_brain(Arc::default(), Arc::default()));
    let judge_srv = Llm::start(judge);
    // Without a judge: ungraded, never passed.
    let a = bin(&t.path().join("cache"))
        .args([
            "test",
            "--format",
            "json",
            "--model",
            "openai:test",
            "--base-url",
        ])
        .arg(format!("{}/v1", model.base))
        .arg("--import-evals")
        .arg(&evals)
        .arg(&dir)
        .assert();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let run = &v["runs"][0];
    assert!(
        run["expectations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["passed"].is_null()),
        "{run:#}"
    );
    // With a judge (its own server: the --base-url applies to both since both are openai).
    let a = bin(&t.path().join("cache2"))
        .env("OPENAI_BASE_URL", format!("{}/v1", judge_srv.base))
        .args([
            "test",
            "--format",
            "json",
            "--model",
            "command:sh -c 'cat >/dev/null; echo \"This one ends up around 180 MB.\"'",
            "--judge",
            "openai:grader",
        ])
        .arg("--import-evals")
        .arg(&evals)
        .arg(&dir)
        .assert();
    let o = a.get_output();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let exps = v["runs"][0]["expectations"].as_array().unwrap().clone();
    assert_eq!(exps[0]["passed"], true, "{exps:#?}");
    assert_eq!(
        exps[1]["passed"], false,
        "an invented quote must fail: {exps:#?}"
    );
    assert_eq!(v["judge"], "openai:grader");
    assert!(judge_srv.requests() >= 2);
}

#[test]
fn triggers_count_load_skill_and_keep_errors_apart() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    // Loads the skill for Docker-ish prompts only; the Go test prompt fails with 500.
    let brain: Brain = Arc::new(|req: &Seen| {
        let user = req.body["messages"][1]["content"]
            .as_str()
            .unwrap_or("")
            .to_lowercase();
        if user.contains("table-driven") {
            return Reply::status(500, r#"{"error":{"message":"down"}}"#);
        }
        let wants = user.contains("docker") || user.contains("image") || user.contains("container");
        let m = if wants {
            json!({"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "load_skill", "arguments": "{\"name\":\"docker-deployment\"}"}}]})
        } else {
            json!({"role": "assistant", "content": "Sure."})
        };
        Reply::json(json!({"choices": [{"message": m}]}))
    });
    let srv = Llm::start(brain);
    let a = bin(&t.path().join("cache"))
        .args([
            "test",
            "--triggers",
            "--lesson",
            "5",
            "--runs",
            "2",
            "--format",
            "json",
            "--model",
            "openai:trig",
            "--base-url",
        ])
        .arg(format!("{}/v1", srv.base))
        .arg(&dir)
        .assert();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let qs = v["queries"].as_array().unwrap();
    let go = qs.iter().find(|q| q["id"] == "go-unit-test").unwrap();
    assert_eq!(go["errors"], 2);
    assert_eq!(go["runs"], 0, "errors are not counted as (non-)triggers");
    let helm = qs.iter().find(|q| q["id"] == "helm-chart").unwrap();
    assert_eq!(helm["should_trigger"], false);
    assert!(qs.iter().filter(|q| q["should_trigger"] == true).count() >= 5);
    assert!(v["recall"].as_f64().is_some());
    assert!(v["precision"].as_f64().is_some());
    // Trigger runs ask for one turn only: no tool result is ever sent back.
    let log = srv.log.lock().unwrap();
    assert!(
        log.iter()
            .all(|s| s.body["messages"].as_array().unwrap().len() == 2)
    );
}

#[test]
fn bad_usage_is_exit_2() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let c = t.path().join("cache");
    bin(&c)
        .args(["test", "--model", "gpt4"])
        .arg(&dir)
        .assert()
        .code(2);
    // A path right after a bare --model is taken as its value: say so.
    let a = bin(&c).args(["test", "--model"]).arg(&dir).assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        err.contains("is a path") && err.contains("before --model"),
        "{err}"
    );
    bin(&c)
        .args(["test", "--model", "openai:x", "--base-url", "ftp://x"])
        .arg(&dir)
        .assert()
        .code(2);
    bin(&c)
        .args(["test", "--model", "command:/nonexistent/prog"])
        .arg(&dir)
        .assert()
        .code(2);
    bin(&c)
        .args(["test", "--out", "x"])
        .arg(&dir)
        .assert()
        .code(2);
    let busy = t.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("mine.txt"), "keep").unwrap();
    bin(&c)
        .args([
            "test",
            "--model",
            "openai:x",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--out",
        ])
        .arg(&busy)
        .arg(&dir)
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(busy.join("mine.txt")).unwrap(),
        "keep"
    );
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(chromium) = chromium else {
        eprintln!("SKIPPED: no headless Chromium (apt-get install chromium) to open report.html");
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let suite = small_suite(t.path());
    let out = t.path().join("out");
    let _ = bin(&t.path().join("cache"))
        .args([
            "test",
            "--model",
            "command:sh -c 'cat >/dev/null; echo \"<script>alert(1)</script> expect 150 MB\"'",
            "--out",
        ])
        .arg(&out)
        .arg("--suite")
        .arg(&suite)
        .arg(&dir)
        .assert();
    let page = out.join("report.html");
    let profile = t.path().join("profile");
    let o = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(
        dom.contains("id=\"summary\""),
        "{dom}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(dom.contains("multistage") && dom.contains("nonroot"));
    assert!(dom.contains("with the skill (run 1)") && dom.contains("without the skill (run 1)"));
    // The answer's markup stays text.
    assert!(
        !dom.contains("<script>alert(1)</script>"),
        "answer HTML was not escaped"
    );
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn a_server_slower_than_the_timeout_is_a_failed_run_not_a_hang() {
    let t = tempfile::tempdir().unwrap();
    let dir = skill(t.path());
    let suite = small_suite(t.path());
    let srv = Llm::start(openai_brain(Arc::default(), Arc::default()));
    let a = bin(&t.path().join("cache"))
        .timeout(Duration::from_secs(90))
        .args([
            "test",
            "--timeout",
            "1",
            "--model",
            "openai:hang",
            "--base-url",
        ])
        .arg(format!("{}/v1", srv.base))
        .arg("--suite")
        .arg(&suite)
        .arg(&dir)
        .assert()
        .code(2);
    let o = a.get_output();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        all.contains("no answer within 1 s") && all.contains("gave up after 5 attempts"),
        "{all}"
    );
}
