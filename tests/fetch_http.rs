//! `skillforge fetch` against a real HTTP server on 127.0.0.1 started by each test.
//!
//! The server is a small HTTP/1.1 responder on a std `TcpListener` (one thread per
//! connection, `Connection: close`), so tests control every byte: delays, bogus
//! Content-Length, redirects, 304s. Fixture pages live in `tests/fixtures/docs/` and
//! use the docs' real markup (front matter, tabs, includes, admonitions, fence
//! attributes, comments, relative links).

use assert_cmd::Command;
use skillforge::fetch::cache::{self, Lookup};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SITE: &str = "https://docs.docker.com";

#[derive(Debug, Clone)]
struct Req {
    path: String,
    headers: HashMap<String, String>,
    at: Instant,
}

#[derive(Debug, Clone, Default)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Content-Length to announce instead of the body's length (truncation).
    declared: Option<usize>,
    delay: Duration,
}

impl Reply {
    fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            body: body.into(),
            ..Reply::default()
        }
    }
    fn status(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::default()
        }
    }
    fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Handler = Arc<dyn Fn(&Req) -> Reply + Send + Sync>;

struct Server {
    base: String,
    port: u16,
    log: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    fn start(handler: Handler) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log: Arc<Mutex<Vec<Req>>> = Arc::default();
        let log2 = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let handler = handler.clone();
                let log = log2.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let mut headers = HashMap::new();
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                        }
                    }
                    let req = Req {
                        path,
                        headers,
                        at: Instant::now(),
                    };
                    log.lock().unwrap().push(req.clone());
                    let reply = handler(&req);
                    std::thread::sleep(reply.delay);
                    let mut out = format!(
                        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                        reply.status,
                        reply.declared.unwrap_or(reply.body.len())
                    );
                    for (k, v) in &reply.headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    out.push_str("\r\n");
                    let _ = stream.write_all(out.as_bytes());
                    let _ = stream.write_all(&reply.body);
                    let _ = stream.flush();
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        Server {
            base: format!("http://127.0.0.1:{port}"),
            port,
            log,
        }
    }

    fn hits(&self, path: &str) -> Vec<Req> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docs")
}

fn etag_of(body: &[u8]) -> String {
    format!("\"{}\"", &cache::sha256_hex(body)[..16])
}

/// Serves the fixture tree like docs.docker.com (plus the raw GitHub mirror layout),
/// with ETags and 304s.
fn fixture_reply(req: &Req) -> Reply {
    let root = fixtures();
    let p = req.path.as_str();
    let file = if p == "/robots.txt" || p == "/llms-full.txt" {
        root.join(&p[1..])
    } else if p.ends_with("/compose-spec.json") {
        root.join("compose-spec.json")
    } else if let Some(rest) =
        p.strip_prefix("/raw.githubusercontent.com/docker/docs/main/content/")
    {
        let rest = rest.trim_start_matches("manuals/");
        root.join(rest)
    } else {
        root.join(p.trim_start_matches('/'))
    };
    match std::fs::read(&file) {
        Ok(body) if file.is_file() => {
            let etag = etag_of(&body);
            if req.headers.get("if-none-match") == Some(&etag) {
                return Reply::status(304).header("ETag", &etag);
            }
            Reply::ok(body)
                .header("ETag", &etag)
                .header("Last-Modified", "Mon, 02 Nov 2026 10:00:00 GMT")
        }
        _ => Reply::status(404),
    }
}

fn fixture_server() -> Server {
    Server::start(Arc::new(fixture_reply))
}

/// A working directory with a `skillforge.toml` that keeps retries fast.
fn workdir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("skillforge.toml"),
        "[fetch]\nbackoff-ms = 20\nbackoff-cap-ms = 200\npacing-ms = 0\n",
    )
    .unwrap();
    std::fs::create_dir(d.path().join(".git")).unwrap();
    d
}

fn fetch(work: &Path, server: &Server, cache: &Path, manifest: &Path, extra: &[&str]) -> Command {
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.current_dir(work)
        .env_remove("SKILLFORGE_CACHE_DIR")
        .arg("fetch")
        .arg("--blueprint")
        .arg(manifest)
        .arg("--base-url")
        .arg(&server.base)
        .arg("--cache-dir")
        .arg(cache)
        .args(extra);
    c
}

fn output(mut c: impl std::borrow::BorrowMut<Command>) -> (i32, String, String) {
    let c = c.borrow_mut();
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A manifest with one reference fed by the given pages (path, title).
fn small_manifest(dir: &Path, pages: &[(&str, &str)]) -> PathBuf {
    let mut y = String::from(
        "version: 1\nblueprint: small\nsite: https://docs.docker.com\nreferences:\n  - file: references/fundamentals.md\n    title: Small\nsources:\n",
    );
    for (path, title) in pages {
        y.push_str(&format!(
            "  - path: {path}\n    title: {title}\n    lessons: {{ full: [1] }}\n    feeds:\n      - file: references/fundamentals.md\n"
        ));
    }
    let p = dir.join("sources.yaml");
    std::fs::write(&p, y).unwrap();
    p
}

fn page(title: &str) -> Vec<u8> {
    format!("# {title}\n\nSome text about {title}.\n\n## Details\n\nMore.\n").into_bytes()
}

#[test]
fn fetch_caches_revalidates_with_304_and_distils() {
    let srv = fixture_server();
    let work = workdir();
    let cache_dir = work.path().join("cache");
    let manifest = fixtures().join("sources.yaml");
    let lock = work.path().join("docs.lock");
    let (code, out, err) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--lock", lock.to_str().unwrap()],
    ));
    assert_eq!(code, 0, "{out}\n{err}");
    // 3 pages, the Compose schema and the shared text a page includes.
    assert!(out.contains("5 sources: 4 fetched"), "{out}");
    assert!(out.contains("1 moved"), "{out}");
    assert!(out.contains("/network/bridge/ is now at"), "{out}");
    // robots.txt read once, with our User-Agent.
    let robots = srv.hits("/robots.txt");
    assert_eq!(robots.len(), 1);
    assert!(robots[0].headers["user-agent"].starts_with("skillforge/"));
    // Cache entries are keyed by the canonical URL and consistent.
    let url = format!("{SITE}/build/building/multi-stage.md");
    match cache::load_entry(&cache_dir, &url) {
        Lookup::Hit(e) => {
            assert!(e.meta.etag.is_some());
            assert!(e.meta.last_modified.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(cache::cached_body(&cache_dir, cache::COMPOSE_SCHEMA_URL).is_some());
    let lock_text = std::fs::read_to_string(&lock).unwrap();
    assert!(lock_text.contains("multi-stage.md") && lock_text.contains("sha256"));

    // Fresh entries are used without a request; --refresh revalidates: all 304.
    let before = srv.log.lock().unwrap().len();
    let (code, out, _) = output(fetch(work.path(), &srv, &cache_dir, &manifest, &[]));
    assert_eq!(code, 0);
    assert!(out.contains("5 from cache"), "{out}");
    assert_eq!(
        srv.log.lock().unwrap().len(),
        before,
        "no request for fresh entries"
    );
    let (code, out, err) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--refresh"],
    ));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 fetched, 5 revalidated (304)"), "{out}");
    let conditional = srv.hits("/build/building/multi-stage.md");
    assert!(
        conditional
            .last()
            .unwrap()
            .headers
            .contains_key("if-none-match")
    );
    assert!(
        conditional
            .last()
            .unwrap()
            .headers
            .contains_key("if-modified-since")
    );

    // --check: the content is unchanged, but the moved page is reported (its manifest
    // address answers 404), so the manifest gets fixed.
    let (code, out, _) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--check", "--lock", lock.to_str().unwrap()],
    ));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("gone      /network/bridge/"), "{out}");
    // The 3 pages, the Compose schema and the include file: only the moved page changed.
    assert!(out.contains("4 unchanged, 1 changed"), "{out}");
}

#[test]
fn offline_update_writes_references_and_keeps_user_edits() {
    let srv = fixture_server();
    let work = workdir();
    let cache_dir = work.path().join("cache");
    let manifest = fixtures().join("sources.yaml");
    // Offline with an empty cache: the missing pages are listed.
    let (code, out, _) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--offline"],
    ));
    assert_eq!(code, 1);
    assert!(out.contains("missing from the cache"), "{out}");
    assert!(out.contains("/build/building/multi-stage/"), "{out}");
    assert!(
        srv.log.lock().unwrap().is_empty(),
        "offline makes no request"
    );

    let (code, _, err) = output(fetch(work.path(), &srv, &cache_dir, &manifest, &[]));
    assert_eq!(code, 0, "{err}");
    let skill = work.path().join("skill");
    std::fs::create_dir_all(skill.join("references")).unwrap();
    std::fs::write(skill.join("SKILL.md"), "---\nname: x\n---\nmine\n").unwrap();
    let (code, out, err) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--offline", "--update", skill.to_str().unwrap()],
    ));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("+++ b/references/multi-stage-and-size.md"),
        "diff shown: {out}"
    );
    let ms = std::fs::read_to_string(skill.join("references/multi-stage-and-size.md")).unwrap();
    assert!(ms.starts_with("# Multi-Stage Builds\n\n> Sources: 1 page(s) of the official documentation, each cited below (`Source:`).\n> Provenance: distilled by skillforge"), "{ms}");
    assert!(ms.contains("Source: https://docs.docker.com/build/building/multi-stage/\n"));
    assert!(
        ms.contains("Multi-stage builds need BuildKit"),
        "include resolved in the default mode: {ms}"
    );
    assert!(ms.contains("## Contents"));
    assert!(
        ms.contains("FROM python:3.12-slim AS builder"),
        "param resolved: {ms}"
    );
    assert!(ms.contains("```dockerfile\n"), "fence attributes removed");
    assert!(ms.contains("> **Tip:**"));
    assert!(ms.contains("**With uv:**"));
    assert!(ms.contains("https://docs.docker.com/reference/dockerfile/#from"));
    assert!(
        ms.contains("{{< tab name=\"x\" >}}"),
        "escaped shortcode kept literally"
    );
    assert!(!ms.contains("sparkle") && !ms.contains("<!--") && !ms.contains("{{%"));
    assert!(err.contains("unknown shortcode `sparkle`"), "{err}");
    let net = std::fs::read_to_string(skill.join("references/networking-and-volumes.md")).unwrap();
    assert!(net.contains("https://docs.docker.com/network/bridge/"));
    assert!(net.contains("docker network create my-net"));
    assert!(net.contains("condition: service_healthy"));
    assert!(skill.join("docs.lock").is_file());

    // The user edits one file; a later update keeps it and never touches SKILL.md.
    std::fs::write(
        skill.join("references/networking-and-volumes.md"),
        "my notes\n",
    )
    .unwrap();
    std::fs::write(
        skill.join("references/multi-stage-and-size.md"),
        ms.replace("Multi-Stage Builds\n", "Old\n"),
    )
    .unwrap();
    let lock_path = skill.join("docs.lock");
    let mut lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&lock_path).unwrap()).unwrap();
    // Pretend skillforge wrote the "Old" version (an outdated reference).
    lock["files"]["references/multi-stage-and-size.md"] =
        cache::sha256_hex(ms.replace("Multi-Stage Builds\n", "Old\n").as_bytes()).into();
    std::fs::write(&lock_path, serde_json::to_string_pretty(&lock).unwrap()).unwrap();
    let (code, out, _) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--offline", "--update", skill.to_str().unwrap()],
    ));
    assert_eq!(code, 0);
    assert!(
        out.contains("kept    references/networking-and-volumes.md"),
        "{out}"
    );
    assert!(
        out.contains("-# Old") && out.contains("+# Multi-Stage Builds"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(skill.join("references/networking-and-volumes.md")).unwrap(),
        "my notes\n"
    );
    assert_eq!(
        std::fs::read_to_string(skill.join("SKILL.md")).unwrap(),
        "---\nname: x\n---\nmine\n"
    );
}

#[test]
fn retries_429_with_retry_after_and_500_then_succeeds() {
    let calls: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let c2 = calls.clone();
    let srv = Server::start(Arc::new(move |r: &Req| {
        let n = {
            let mut m = c2.lock().unwrap();
            let e = m.entry(r.path.clone()).or_insert(0);
            *e += 1;
            *e
        };
        match (r.path.as_str(), n) {
            ("/busy.md", 1) => Reply::status(429).header("Retry-After", "1"),
            ("/flaky.md", 1) => Reply::status(500),
            ("/robots.txt", _) => Reply::status(404),
            (p, _) => Reply::ok(page(p)),
        }
    }));
    let work = workdir();
    let m = small_manifest(work.path(), &[("/busy/", "Busy"), ("/flaky/", "Flaky")]);
    let (code, out, err) = output(fetch(work.path(), &srv, &work.path().join("c"), &m, &[]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("2 fetched"), "{out}");
    let busy = srv.hits("/busy.md");
    assert_eq!(busy.len(), 2);
    let waited = busy[1].at - busy[0].at;
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After honoured: {waited:?}"
    );
    assert_eq!(srv.hits("/flaky.md").len(), 2);
}

#[test]
fn gives_up_on_persistent_503_and_does_not_retry_404_or_403() {
    let srv = Server::start(Arc::new(|r: &Req| match r.path.as_str() {
        "/down.md" => Reply::status(503),
        "/gone.md" => Reply::status(404),
        "/forbidden.md" => Reply::status(403),
        "/llms-full.txt" => Reply::ok("# Index\n"),
        _ => Reply::status(404),
    }));
    let work = workdir();
    let m = small_manifest(
        work.path(),
        &[
            ("/down/", "Down"),
            ("/gone/", "Gone"),
            ("/forbidden/", "Forbidden"),
        ],
    );
    let (code, out, _) = output(fetch(work.path(), &srv, &work.path().join("c"), &m, &[]));
    assert_eq!(code, 1);
    assert!(out.contains("gave up after 4 attempts (HTTP 503)"), "{out}");
    assert!(out.contains("not found (HTTP 404)"), "{out}");
    assert!(out.contains("HTTP 403"), "{out}");
    assert_eq!(srv.hits("/down.md").len(), 4);
    assert_eq!(srv.hits("/gone.md").len(), 1);
    assert_eq!(srv.hits("/forbidden.md").len(), 1);
}

#[test]
fn slow_response_hits_the_timeout() {
    let srv = Server::start(Arc::new(|r: &Req| match r.path.as_str() {
        "/slow.md" => Reply {
            delay: Duration::from_secs(3),
            ..Reply::ok(page("slow"))
        },
        "/robots.txt" => Reply::status(404),
        p => Reply::ok(page(p)),
    }));
    let work = workdir();
    let m = small_manifest(work.path(), &[("/slow/", "Slow"), ("/fast/", "Fast")]);
    let t = Instant::now();
    let (code, out, _) = output(fetch(
        work.path(),
        &srv,
        &work.path().join("c"),
        &m,
        &["--timeout", "0.5"],
    ));
    assert_eq!(code, 1);
    assert!(
        out.contains("/slow.md: no complete response within 500 ms"),
        "{out}"
    );
    assert!(out.contains("1 fetched"), "{out}");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

#[test]
fn truncated_body_is_an_error_and_not_cached() {
    let srv = Server::start(Arc::new(|r: &Req| match r.path.as_str() {
        // Issue 15, defect 15: the message counts the 500 bytes that did arrive.
        "/cut.md" => Reply {
            declared: Some(100_000),
            ..Reply::ok(vec![b'x'; 500])
        },
        "/robots.txt" => Reply::status(404),
        p => Reply::ok(page(p)),
    }));
    let work = workdir();
    let cache_dir = work.path().join("c");
    let m = small_manifest(work.path(), &[("/cut/", "Cut")]);
    let (code, out, _) = output(fetch(work.path(), &srv, &cache_dir, &m, &[]));
    assert_eq!(code, 1);
    assert!(
        out.contains("/cut.md: truncated body (500 of 100000 bytes received)"),
        "{out}"
    );
    assert!(matches!(
        cache::load_entry(&cache_dir, &format!("{SITE}/cut.md")),
        Lookup::Missing
    ));
}

#[test]
fn redirects_same_host_followed_loops_and_other_hosts_refused() {
    let port_holder: Arc<AtomicUsize> = Arc::default();
    let ph = port_holder.clone();
    let srv = Server::start(Arc::new(move |r: &Req| {
        let port = ph.load(Ordering::SeqCst);
        match r.path.as_str() {
            "/old.md" => Reply::status(301).header("Location", "/new.md"),
            "/loop-a.md" => Reply::status(302).header("Location", "/loop-b.md"),
            "/loop-b.md" => Reply::status(302).header("Location", "/loop-a.md"),
            "/away.md" => {
                Reply::status(301).header("Location", &format!("http://localhost:{port}/new.md"))
            }
            "/robots.txt" => Reply::status(404),
            p => Reply::ok(page(p)),
        }
    }));
    port_holder.store(srv.port as usize, Ordering::SeqCst);
    let work = workdir();
    let m = small_manifest(
        work.path(),
        &[("/old/", "Old"), ("/loop-a/", "Loop"), ("/away/", "Away")],
    );
    let (code, out, _) = output(fetch(
        work.path(),
        &srv,
        &work.path().join("c"),
        &m,
        &["--no-discovery"],
    ));
    assert_eq!(code, 1);
    assert!(out.contains("1 fetched"), "{out}");
    assert!(out.contains("/loop-a.md: redirect loop"), "{out}");
    assert!(
        out.contains("redirected to another host") && out.contains("allow-hosts"),
        "{out}"
    );
    assert!(srv.hits("/loop-a.md").len() <= 2);

    // Allowed in config: followed.
    std::fs::write(
        work.path().join("skillforge.toml"),
        "[fetch]\nbackoff-ms = 20\nallow-hosts = [\"localhost\"]\n",
    )
    .unwrap();
    let (_, out, _) = output(fetch(
        work.path(),
        &srv,
        &work.path().join("c2"),
        &m,
        &["--no-discovery"],
    ));
    assert!(out.contains("2 fetched"), "{out}");
}

#[test]
fn robots_disallow_is_obeyed() {
    let srv = Server::start(Arc::new(|r: &Req| match r.path.as_str() {
        "/robots.txt" => Reply::ok("User-agent: *\nDisallow: /private/\n"),
        p => Reply::ok(page(p)),
    }));
    let work = workdir();
    let m = small_manifest(
        work.path(),
        &[("/private/secret/", "Secret"), ("/public/", "Public")],
    );
    let (code, out, _) = output(fetch(work.path(), &srv, &work.path().join("c"), &m, &[]));
    assert_eq!(code, 1);
    assert!(out.contains("disallowed by the site's robots.txt"), "{out}");
    assert!(srv.hits("/private/secret.md").is_empty(), "never requested");
    assert_eq!(srv.hits("/robots.txt").len(), 1);
    // A host the user exempts explicitly in config.
    std::fs::write(
        work.path().join("skillforge.toml"),
        "[fetch]\nrobots-exempt = [\"127.0.0.1\"]\n",
    )
    .unwrap();
    let (code, out, _) = output(fetch(work.path(), &srv, &work.path().join("c2"), &m, &[]));
    assert_eq!(code, 0, "{out}");
    assert_eq!(srv.hits("/private/secret.md").len(), 1);
}

#[test]
fn unreachable_host_fails_fast_with_a_clear_message() {
    // Bind then drop: nothing listens on this port any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let work = workdir();
    let m = small_manifest(work.path(), &[("/a/", "A"), ("/b/", "B")]);
    let t = Instant::now();
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.current_dir(work.path()).args([
        "fetch",
        "--blueprint",
        m.to_str().unwrap(),
        "--base-url",
        &format!("http://127.0.0.1:{port}"),
        "--cache-dir",
        work.path().join("c").to_str().unwrap(),
    ]);
    let (code, _, err) = output(&mut c);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot reach") && err.contains("--offline"),
        "{err}"
    );
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[test]
fn bad_flags_and_manifests_are_usage_errors() {
    let srv = fixture_server();
    let work = workdir();
    let m = small_manifest(work.path(), &[("/a/", "A")]);
    let (code, _, err) = output(fetch(
        work.path(),
        &srv,
        &work.path().join("c"),
        &m,
        &["--concurrency", "50"],
    ));
    assert_eq!(code, 2);
    assert!(err.contains("concurrency"), "{err}");
    std::fs::write(
        &m,
        "version: 1\nblueprint: x\nsite: https://docs.docker.com\nreferences: []\nsources: []\n",
    )
    .unwrap();
    let (code, _, err) = output(fetch(work.path(), &srv, &work.path().join("c"), &m, &[]));
    assert_eq!(code, 2);
    assert!(err.contains("sources.yaml:4:"), "{err}");
    std::fs::write(
        work.path().join("skillforge.toml"),
        "[fetch]\nconcurency = 2\n",
    )
    .unwrap();
    let m = small_manifest(work.path(), &[("/a/", "A")]);
    let (code, _, err) = output(fetch(work.path(), &srv, &work.path().join("c"), &m, &[]));
    assert_eq!(code, 2);
    assert!(
        err.contains("skillforge.toml:2:") && err.contains("concurency"),
        "{err}"
    );
}

#[test]
fn check_reports_pages_changed_upstream() {
    let version = Arc::new(AtomicUsize::new(1));
    let v2 = version.clone();
    let srv = Server::start(Arc::new(move |r: &Req| {
        if r.path == "/robots.txt" {
            return Reply::status(404);
        }
        let body = if r.path == "/a.md" {
            format!("# A\n\nversion {}\n", v2.load(Ordering::SeqCst)).into_bytes()
        } else {
            page(&r.path)
        };
        let etag = etag_of(&body);
        if r.headers.get("if-none-match") == Some(&etag) {
            return Reply::status(304);
        }
        Reply::ok(body).header("ETag", &etag)
    }));
    let work = workdir();
    let m = small_manifest(work.path(), &[("/a/", "A"), ("/b/", "B")]);
    let lock = work.path().join("docs.lock");
    let l = lock.to_str().unwrap();
    let (code, _, _) = output(fetch(
        work.path(),
        &srv,
        &work.path().join("c"),
        &m,
        &["--lock", l],
    ));
    assert_eq!(code, 0);
    version.store(2, Ordering::SeqCst);
    let (code, out, _) = output(fetch(
        work.path(),
        &srv,
        &work.path().join("c"),
        &m,
        &["--check", "--lock", l],
    ));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("changed   /a/"), "{out}");
    assert!(!out.contains("changed   /b/"), "{out}");
    assert!(out.contains("1 unchanged, 1 changed"), "{out}");
}

#[test]
fn killed_mid_fetch_leaves_a_consistent_cache_and_rerun_completes() {
    let srv = Server::start(Arc::new(|r: &Req| match r.path.as_str() {
        "/robots.txt" => Reply::status(404),
        p => Reply {
            delay: Duration::from_millis(150),
            ..Reply::ok(page(p).repeat(200))
        },
    }));
    let work = workdir();
    let cache_dir = work.path().join("c");
    let pages: Vec<(String, String)> = (0..12)
        .map(|i| (format!("/p{i}/"), format!("Page {i}")))
        .collect();
    let refs: Vec<(&str, &str)> = pages
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let m = small_manifest(work.path(), &refs);
    let bin = assert_cmd::cargo::cargo_bin("skillforge");
    let mut child = std::process::Command::new(&bin)
        .current_dir(work.path())
        .args(["fetch", "--concurrency", "2", "--blueprint"])
        .arg(&m)
        .args(["--base-url", &srv.base, "--cache-dir"])
        .arg(&cache_dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap();
    let _ = child.wait();
    let urls: Vec<String> = pages
        .iter()
        .map(|(p, _)| format!("{SITE}{}.md", p.trim_end_matches('/')))
        .collect();
    let done = urls
        .iter()
        .filter(|u| matches!(cache::load_entry(&cache_dir, u), Lookup::Hit(_)))
        .count();
    assert!(done < urls.len(), "killed before the end ({done} done)");
    for u in &urls {
        // Every entry is either complete and consistent, or detectably incomplete.
        match cache::load_entry(&cache_dir, u) {
            Lookup::Hit(e) => assert_eq!(cache::sha256_hex(&e.body), e.meta.sha256),
            Lookup::Missing | Lookup::Inconsistent(_) => {}
        }
    }
    let (code, out, err) = output(fetch(work.path(), &srv, &cache_dir, &m, &[]));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains(&format!("{} from cache", done)), "{out}");
    for u in &urls {
        assert!(
            matches!(cache::load_entry(&cache_dir, u), Lookup::Hit(_)),
            "{u}"
        );
    }
}

#[test]
fn raw_sources_are_normalised_with_includes_resolved() {
    let srv = fixture_server();
    let work = workdir();
    let cache_dir = work.path().join("c");
    let manifest = fixtures().join("sources.yaml");
    let (code, out, err) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--source", "raw"],
    ));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!srv.hits("/raw.githubusercontent.com/docker/docs/main/content/manuals/build/building/multi-stage.md").is_empty());
    assert_eq!(
        srv.hits("/raw.githubusercontent.com/docker/docs/main/content/includes/buildkit-note.md")
            .len(),
        1
    );
    let skill = work.path().join("skill");
    std::fs::create_dir_all(&skill).unwrap();
    std::fs::write(skill.join("SKILL.md"), "---\nname: x\n---\n").unwrap();
    let (code, out, err) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &[
            "--offline",
            "--source",
            "raw",
            "--update",
            skill.to_str().unwrap(),
        ],
    ));
    assert_eq!(code, 0, "{out}\n{err}");
    let ms = std::fs::read_to_string(skill.join("references/multi-stage-and-size.md")).unwrap();
    assert!(
        ms.contains("> **Note:**\n> Multi-stage builds need BuildKit"),
        "include resolved: {ms}"
    );
    assert!(!ms.contains("{{%"), "{ms}");
    assert!(
        std::fs::read_to_string(skill.join("docs.lock"))
            .unwrap()
            .contains("\"source_kind\": \"raw\"")
    );
}

#[test]
fn at_most_n_requests_in_flight_per_host() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (f2, p2) = (in_flight.clone(), peak.clone());
    let srv = Server::start(Arc::new(move |r: &Req| {
        if r.path == "/robots.txt" {
            return Reply::status(404);
        }
        let now = f2.fetch_add(1, Ordering::SeqCst) + 1;
        p2.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(80));
        f2.fetch_sub(1, Ordering::SeqCst);
        Reply::ok(page(&r.path))
    }));
    let work = workdir();
    let pages: Vec<(String, String)> = (0..10)
        .map(|i| (format!("/c{i}/"), format!("C {i}")))
        .collect();
    let refs: Vec<(&str, &str)> = pages
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let m = small_manifest(work.path(), &refs);
    let (code, out, _) = output(fetch(
        work.path(),
        &srv,
        &work.path().join("c"),
        &m,
        &["--concurrency", "3"],
    ));
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        peak.load(Ordering::SeqCst),
        3,
        "parallel, but never more than --concurrency"
    );
}

#[test]
fn responses_above_the_size_cap_are_refused() {
    let srv = Server::start(Arc::new(|r: &Req| match r.path.as_str() {
        "/robots.txt" => Reply::status(404),
        "/big.md" => Reply::ok(vec![b'x'; 5000]),
        p => Reply::ok(page(p)),
    }));
    let work = workdir();
    std::fs::write(
        work.path().join("skillforge.toml"),
        "[fetch]\nmax-bytes = 2000\n",
    )
    .unwrap();
    let cache_dir = work.path().join("c");
    let m = small_manifest(work.path(), &[("/big/", "Big"), ("/small/", "Small")]);
    let (code, out, _) = output(fetch(work.path(), &srv, &cache_dir, &m, &[]));
    assert_eq!(code, 1);
    assert!(
        out.contains("/big.md: response larger than the 2 KB cap"),
        "{out}"
    );
    assert!(out.contains("1 fetched"), "{out}");
    assert!(matches!(
        cache::load_entry(&cache_dir, &format!("{SITE}/big.md")),
        Lookup::Missing
    ));
}

#[test]
fn check_requests_only_manifest_hosts_and_needs_every_manifest_source() {
    let srv = fixture_server();
    let work = workdir();
    let cache_dir = work.path().join("cache");
    let manifest = fixtures().join("sources.yaml");
    let lock = work.path().join("docs.lock");
    let (code, out, err) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--lock", lock.to_str().unwrap()],
    ));
    assert_eq!(code, 0, "{out}\n{err}");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&lock).unwrap()).unwrap();
    let sources = v["sources"].as_array().unwrap().clone();
    assert!(sources.len() >= 3);
    // A forged entry on a host the manifest does not name is refused, not requested.
    let mut forged = sources[0].clone();
    forged["url"] = serde_json::json!("http://127.0.0.9:9/steal.md");
    forged["source"] = serde_json::json!("forged");
    let mut tampered = sources.clone();
    tampered.push(forged);
    v["sources"] = serde_json::Value::Array(tampered);
    std::fs::write(&lock, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let (code, out, _) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--check", "--lock", lock.to_str().unwrap()],
    ));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("refused   forged"), "{out}");
    // A lock whose sources were emptied does not pass.
    v["sources"] = serde_json::json!([]);
    std::fs::write(&lock, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let (code, out, _) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--check", "--lock", lock.to_str().unwrap()],
    ));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("but not in the lock"), "{out}");
}

#[cfg(unix)]
#[test]
fn update_never_writes_through_a_references_link_out_of_the_skill() {
    let srv = fixture_server();
    let work = workdir();
    let cache_dir = work.path().join("cache");
    let manifest = fixtures().join("sources.yaml");
    let (code, _, err) = output(fetch(work.path(), &srv, &cache_dir, &manifest, &[]));
    assert_eq!(code, 0, "{err}");
    let skill = work.path().join("skill");
    let outside = work.path().join("elsewhere");
    std::fs::create_dir_all(&skill).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(skill.join("SKILL.md"), "---\nname: x\n---\nmine\n").unwrap();
    std::os::unix::fs::symlink(&outside, skill.join("references")).unwrap();
    let (code, out, err) = output(fetch(
        work.path(),
        &srv,
        &cache_dir,
        &manifest,
        &["--offline", "--update", skill.to_str().unwrap()],
    ));
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("outside the skill"), "{err}");
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "nothing may be written through the link"
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Issue 15, defect 11: bodies that are not what a source should be (HTML, binary,
/// not UTF-8, empty, a Compose schema that is not JSON, a coding we cannot undo) are
/// refused with the URL, what arrived and what to do, and never cached; the other
/// pages of the run are kept. A gzip-encoded page is decoded before it is cached.
#[test]
fn bad_bodies_are_refused_by_name_and_never_cached_gzip_is_decoded() {
    let mut binary = b"# Binary\n\nabc".to_vec();
    binary.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x01]);
    let binary = Arc::new(binary);
    let srv = Server::start(Arc::new(move |r: &Req| match r.path.as_str() {
        "/robots.txt" => Reply::status(404),
        "/html.md" => Reply::ok("<!DOCTYPE html>\n<html><body>Sign in</body></html>")
            .header("Content-Type", "text/html; charset=utf-8"),
        "/sniffed.md" => Reply::ok("\n<html><head><title>Oops</title></head></html>")
            .header("Content-Type", "text/plain"),
        "/binary.md" => {
            Reply::ok(binary.as_slice().to_vec()).header("Content-Type", "application/octet-stream")
        }
        "/empty.md" => Reply::ok(Vec::new()),
        "/zipped.md" => Reply::ok(gzip(&page("Zipped")))
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "text/markdown"),
        "/brokengz.md" => Reply::ok(b"\x1f\x8b\x08\x00garbage-not-deflate".to_vec())
            .header("Content-Encoding", "gzip"),
        "/brotli.md" => Reply::ok(b"\x0b\x02\x80hello".to_vec()).header("Content-Encoding", "br"),
        // A mirror that serves `.md` without a type: fine when it is text.
        "/plain.md" => Reply::ok(page("Plain")).header("Content-Type", "application/octet-stream"),
        p if p.ends_with("/compose-spec.json") => {
            Reply::ok("services:\n  web: {}\n").header("Content-Type", "text/plain")
        }
        p => Reply::ok(page(p)),
    }));
    let work = workdir();
    let cache_dir = work.path().join("c");
    let bad = [
        ("/html/", "Html"),
        ("/sniffed/", "Sniffed"),
        ("/binary/", "Binary"),
        ("/empty/", "Empty"),
        ("/brokengz/", "Brokengz"),
        ("/brotli/", "Brotli"),
    ];
    let mut pages = bad.to_vec();
    pages.extend([
        ("/zipped/", "Zipped"),
        ("/plain/", "Plain"),
        ("/good/", "Good"),
    ]);
    let m = small_manifest(work.path(), &pages);
    let mut y = std::fs::read_to_string(&m).unwrap();
    y.push_str("  - id: compose-schema\n    url: https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json\n    kind: json-schema\n    title: Compose Specification JSON Schema\n    lessons: { full: [10] }\n");
    std::fs::write(&m, y).unwrap();
    let (code, out, err) = output(fetch(work.path(), &srv, &cache_dir, &m, &[]));
    assert_eq!(code, 1, "{out}\n{err}");
    let line = |path: &str| -> String {
        out.lines()
            .find(|l| l.starts_with("  failed:") && l.contains(&format!("{}{path}", srv.base)))
            .unwrap_or_else(|| panic!("no failure line for {path}:\n{out}"))
            .to_string()
    };
    let l = line("/html.md");
    assert!(
        l.contains("received an HTML page (Content-Type: text/html), not Markdown")
            && l.contains("check the address"),
        "{l}"
    );
    assert!(line("/sniffed.md").contains("received an HTML page (Content-Type: text/plain)"));
    let l = line("/binary.md");
    assert!(
        l.contains("not UTF-8 text (Content-Type: application/octet-stream): byte 13 (0xFF) of 17"),
        "{l}"
    );
    assert!(line("/empty.md").contains("empty body"), "{out}");
    assert!(
        line("/brokengz.md").contains("marked `Content-Encoding: gzip` but is not valid gzip data"),
        "{out}"
    );
    assert!(
        line("/brotli.md").contains("`Content-Encoding: br`, which skillforge cannot decode"),
        "{out}"
    );
    let l =
        line("/raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json");
    assert!(
        l.contains("not JSON (Content-Type: text/plain): expected value at line 1, column 1"),
        "{l}"
    );
    assert!(out.contains("3 fetched"), "{out}");
    assert!(out.contains("7 failed"), "{out}");
    assert!(out.contains("lock not written"), "{out}");
    for (path, _) in bad {
        let url = format!("{SITE}{}.md", path.trim_end_matches('/'));
        assert!(
            matches!(cache::load_entry(&cache_dir, &url), Lookup::Missing),
            "{url} must not be cached"
        );
    }
    assert!(matches!(
        cache::load_entry(&cache_dir, cache::COMPOSE_SCHEMA_URL),
        Lookup::Missing
    ));
    // The gzip page is cached decoded; the good pages are kept.
    match cache::load_entry(&cache_dir, &format!("{SITE}/zipped.md")) {
        Lookup::Hit(e) => assert_eq!(e.body, page("Zipped")),
        other => panic!("{other:?}"),
    }
    for p in ["/plain.md", "/good.md"] {
        assert!(matches!(
            cache::load_entry(&cache_dir, &format!("{SITE}{p}")),
            Lookup::Hit(_)
        ));
    }
    // Requests ask for gzip or nothing else.
    assert_eq!(
        srv.hits("/good.md")[0]
            .headers
            .get("accept-encoding")
            .map(String::as_str),
        Some("gzip")
    );
    // The mirror is named: these pages do not come from the official site.
    assert!(
        err.contains(&format!(
            "note: fetching from {} (--base-url), not the official https://docs.docker.com",
            srv.base
        )),
        "{err}"
    );
}

/// Issue 15, defect 15: temporary files a killed run left in the cache are removed
/// when the cache is next opened (only ours, only old ones).
#[test]
fn stale_temp_files_left_by_a_killed_run_are_swept() {
    let srv = Server::start(Arc::new(|r: &Req| match r.path.as_str() {
        "/robots.txt" => Reply::status(404),
        p => Reply::ok(page(p)),
    }));
    let work = workdir();
    let cache_dir = work.path().join("c");
    let entry = cache::entry_dir(&cache_dir, &format!("{SITE}/a.md"));
    std::fs::create_dir_all(&entry).unwrap();
    let stale = entry.join(".skillforge-tmp-Xy12ab");
    let fresh = entry.join(".skillforge-tmp-Zz99cd");
    std::fs::write(&stale, b"half a page").unwrap();
    std::fs::write(&fresh, b"another run's write").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(2 * 3600))
        .unwrap();
    let m = small_manifest(work.path(), &[("/a/", "A")]);
    let (code, out, err) = output(fetch(work.path(), &srv, &cache_dir, &m, &["--offline"]));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(!stale.exists(), "stale temp file removed");
    assert!(
        fresh.exists(),
        "a recent temp file may be another run's: kept"
    );
    assert!(
        err.contains("removed 1 temporary file(s) that an interrupted run left in the cache"),
        "{err}"
    );
}
