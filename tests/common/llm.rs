//! A loopback HTTP server for model-provider tests: one thread per connection,
//! `Connection: close`, a request log, an in-flight counter, and a "brain" closure
//! that scripts each reply (JSON or Server-Sent Events).

#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Value,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn json(v: Value) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(&v).unwrap(),
            delay: Duration::ZERO,
        }
    }
    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }
}

pub type Brain = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

pub struct Llm {
    pub base: String,
    pub log: Arc<Mutex<Vec<Seen>>>,
    pub max_inflight: Arc<AtomicUsize>,
    pub problems: Arc<Mutex<Vec<String>>>,
}

impl Llm {
    pub fn start(brain: Brain) -> Llm {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let inflight = Arc::new(AtomicUsize::new(0));
        let max_inflight = Arc::new(AtomicUsize::new(0));
        let problems: Arc<Mutex<Vec<String>>> = Arc::default();
        let (log2, in2, max2, prob2) = (
            log.clone(),
            inflight.clone(),
            max_inflight.clone(),
            problems.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (brain, log, inflight, maxf, problems) = (
                    brain.clone(),
                    log2.clone(),
                    in2.clone(),
                    max2.clone(),
                    prob2.clone(),
                );
                std::thread::spawn(move || {
                    let now = inflight.fetch_add(1, Ordering::SeqCst) + 1;
                    maxf.fetch_max(now, Ordering::SeqCst);
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        inflight.fetch_sub(1, Ordering::SeqCst);
                        return;
                    }
                    let mut parts = line.split_whitespace();
                    let method = parts.next().unwrap_or("").to_string();
                    let path = parts.next().unwrap_or("").to_string();
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
                    let len: usize = headers
                        .get("content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0u8; len];
                    let _ = reader.read_exact(&mut body);
                    if method != "POST" {
                        problems
                            .lock()
                            .unwrap()
                            .push(format!("{method} {path}: not POST"));
                    }
                    if headers.get("content-type").map(String::as_str) != Some("application/json") {
                        problems.lock().unwrap().push(format!(
                            "{path}: content-type {:?}",
                            headers.get("content-type")
                        ));
                    }
                    let body: Value = match serde_json::from_slice(&body) {
                        Ok(v) => v,
                        Err(e) => {
                            problems
                                .lock()
                                .unwrap()
                                .push(format!("{path}: body is not JSON: {e}"));
                            Value::Null
                        }
                    };
                    let seen = Seen {
                        path,
                        headers,
                        body,
                    };
                    log.lock().unwrap().push(seen.clone());
                    let reply = brain(&seen);
                    std::thread::sleep(reply.delay);
                    // Done before the reply is written, so a client's next request can
                    // never overlap this one in the count.
                    inflight.fetch_sub(1, Ordering::SeqCst);
                    let mut head = format!(
                        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                        reply.status,
                        reply.body.len()
                    );
                    for (k, v) in &reply.headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(&reply.body);
                    let _ = stream.flush();
                });
            }
        });
        Llm {
            base: format!("http://127.0.0.1:{port}"),
            log,
            max_inflight,
            problems,
        }
    }

    pub fn requests(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    pub fn assert_no_problems(&self) {
        let p = self.problems.lock().unwrap();
        assert!(p.is_empty(), "the server saw bad requests: {p:#?}");
    }
}

impl Reply {
    /// A Server-Sent Events stream of (event, data) pairs, sent whole.
    pub fn sse(events: &[(&str, Value)]) -> Reply {
        let mut body = String::new();
        for (e, d) in events {
            body.push_str(&format!("event: {e}\ndata: {d}\n\n"));
        }
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            body: body.into_bytes(),
            delay: Duration::ZERO,
        }
    }
}
