//! A fast YAML → JSON reader for Compose files, built directly on the events of
//! `granit-parser` (the parser `serde-saphyr` itself is built on).
//!
//! [`to_json`] produces exactly the value `serde_saphyr::from_str::<serde_json::Value>`
//! would, or `None` when it cannot guarantee that: the caller then falls back to
//! serde-saphyr, which also words the error for broken YAML. It mirrors serde-saphyr's
//! defaults for an untyped target:
//!
//! - plain scalars resolve as null (`~`, `null`, `Null`, `NULL`, empty), YAML 1.1
//!   booleans (`true`/`yes`/`y`/`on`, `false`/`no`/`n`/`off`, any case), integers
//!   (decimal without leading zeros, `0x`, `0o`, `0b`, `_` separators, optional sign;
//!   `u64` unless negative, then `i64`), then floats (Rust's `f64` syntax, so `012` and
//!   integers beyond 64 bits become floats), else strings; quoted and block scalars are
//!   always strings;
//! - merge keys (`<<: *a`, `<<: [*a, *b]`): the map's own keys first, in document order,
//!   then the merged keys not already present, in merge order (first one wins);
//! - duplicate keys are an error in serde-saphyr, so they bail out here.
//!
//! It bails out on tags, non-finite floats (`.inf`, `.nan`, `1e999`: serde-saphyr rejects
//! them), keys that are not plain-string scalars (null-like or integer-like plain keys,
//! complex keys, anchored or aliased keys), unusual merge values, more or fewer than one
//! document, `%YAML` directives, parse errors, and inputs near serde-saphyr's budget limits.

use granit_parser::{Event, Options, Parser, ScalarStyle};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;

/// Inputs larger than this go to serde-saphyr (keeps every budget far out of reach).
const MAX_INPUT_BYTES: usize = 256 * 1024;
/// Nesting depth cap (serde-saphyr's budget allows 64), alias expansions included.
const MAX_DEPTH: usize = 32;
/// Node cap, alias expansions included (serde-saphyr's budget allows 250,000).
const MAX_NODES: usize = 50_000;
/// Alias cap: below serde-saphyr's alias/anchor ratio check, which starts at 100 aliases.
const MAX_ALIASES: usize = 90;
/// Scalar bytes, alias expansions included (serde-saphyr's budget allows 64 MiB).
const MAX_SCALAR_BYTES: usize = 8 * 1024 * 1024;
/// Events retained by anchors, counted as nodes (serde-saphyr's budget allows 1,000,000).
const MAX_RECORDED_NODES: usize = 200_000;
/// Merge keys (serde-saphyr's budget allows 10,000).
const MAX_MERGES: usize = 1_000;
/// Anchor ids are small sequential numbers; anything larger is unexpected.
const MAX_ANCHOR_ID: usize = 100_000;

/// The JSON value of a single-document YAML text, identical to what
/// `serde_saphyr::from_str::<serde_json::Value>(text)` returns, or `None` when that
/// cannot be guaranteed (the caller then falls back to serde-saphyr).
pub fn to_json(text: &str) -> Option<Value> {
    if text.len() > MAX_INPUT_BYTES {
        return None;
    }
    Builder::default().run(text)
}

/// The parser options serde-saphyr uses with its default budget, so both parsers accept
/// and reject exactly the same texts.
fn parser_options() -> Options {
    let mut o = Options::default();
    o.simple_key_max_lookahead = 1024;
    o.flow_nesting_limit = 255;
    o.block_nesting_limit = o.block_nesting_limit.max(65);
    o.emit_comments = true;
    o.max_buffered_comment_events = 32;
    o
}

/// What a mapping expects next.
enum Slot {
    /// A key.
    Key,
    /// The value of this key.
    Value(String),
    /// The value of a merge key (`<<`).
    Merge,
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        nodes0: usize,
        bytes0: usize,
    },
    Map {
        map: Map<String, Value>,
        merges: Vec<Value>,
        slot: Slot,
        anchor: usize,
        nodes0: usize,
        bytes0: usize,
    },
}

/// A completed anchored node, with what replaying it costs.
struct Anchored {
    value: Value,
    nodes: usize,
    bytes: usize,
    depth: usize,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: Vec<Option<Anchored>>,
    root: Option<Value>,
    documents: usize,
    nodes: usize,
    bytes: usize,
    aliases: usize,
    merges: usize,
    recorded: usize,
}

impl Builder {
    fn run(mut self, text: &str) -> Option<Value> {
        for item in Parser::new_from_str_with_options(text, parser_options()) {
            let (event, _span) = item.ok()?;
            match event {
                Event::StreamStart | Event::StreamEnd | Event::Comment(..) => {}
                Event::DocumentStart(_, version) => {
                    self.documents += 1;
                    if self.documents > 1 || version.is_some() {
                        return None;
                    }
                }
                Event::DocumentEnd => {
                    if !self.stack.is_empty() {
                        return None;
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    if tag.is_some() {
                        return None;
                    }
                    self.scalar(text, style, anchor)?;
                }
                Event::SequenceStart(_, anchor, tag) => {
                    if tag.is_some() {
                        return None;
                    }
                    self.open(anchor)?;
                    self.stack.push(Frame::Seq {
                        items: Vec::new(),
                        anchor,
                        nodes0: self.nodes,
                        bytes0: self.bytes,
                    });
                }
                Event::MappingStart(_, anchor, tag) => {
                    if tag.is_some() {
                        return None;
                    }
                    self.open(anchor)?;
                    self.stack.push(Frame::Map {
                        map: Map::new(),
                        merges: Vec::new(),
                        slot: Slot::Key,
                        anchor,
                        nodes0: self.nodes,
                        bytes0: self.bytes,
                    });
                }
                Event::SequenceEnd => match self.stack.pop()? {
                    Frame::Seq {
                        items,
                        anchor,
                        nodes0,
                        bytes0,
                    } => self.close(Value::Array(items), anchor, nodes0, bytes0)?,
                    Frame::Map { .. } => return None,
                },
                Event::MappingEnd => match self.stack.pop()? {
                    Frame::Map {
                        mut map,
                        merges,
                        slot: Slot::Key,
                        anchor,
                        nodes0,
                        bytes0,
                    } => {
                        for merged in merges {
                            merge_into(&mut map, merged)?;
                        }
                        self.close(Value::Object(map), anchor, nodes0, bytes0)?;
                    }
                    _ => return None,
                },
                Event::Alias(id) => {
                    // An alias in key position is a complex key: bail.
                    if matches!(
                        self.stack.last(),
                        Some(Frame::Map {
                            slot: Slot::Key,
                            ..
                        })
                    ) {
                        return None;
                    }
                    // Not yet completed (recursive) or unknown: bail.
                    let a = self.anchors.get(id)?.as_ref()?;
                    self.aliases += 1;
                    self.nodes += a.nodes;
                    self.bytes += a.bytes;
                    if self.aliases > MAX_ALIASES
                        || self.nodes > MAX_NODES
                        || self.bytes > MAX_SCALAR_BYTES
                        || self.stack.len() + a.depth > MAX_DEPTH
                    {
                        return None;
                    }
                    let value = a.value.clone();
                    self.deliver(value)?;
                }
                _ => return None,
            }
        }
        if self.documents != 1 || !self.stack.is_empty() {
            return None;
        }
        self.root
    }

    /// A scalar event: a key, or a value.
    fn scalar(&mut self, text: Cow<'_, str>, style: ScalarStyle, anchor: usize) -> Option<()> {
        self.nodes += 1;
        self.bytes += text.len();
        if self.nodes > MAX_NODES || self.bytes > MAX_SCALAR_BYTES {
            return None;
        }
        if let Some(Frame::Map { slot, .. }) = self.stack.last_mut()
            && matches!(slot, Slot::Key)
        {
            if anchor != 0 {
                return None;
            }
            *slot = key_slot(text, style)?;
            return Some(());
        }
        let len = text.len();
        let value = scalar_value(text, style)?;
        if anchor != 0 {
            self.remember(anchor, &value, 1, len, 0)?;
        }
        self.deliver(value)
    }

    /// Checks before a collection starts.
    fn open(&mut self, anchor: usize) -> Option<()> {
        // A collection in key position is a complex key: bail.
        if matches!(
            self.stack.last(),
            Some(Frame::Map {
                slot: Slot::Key,
                ..
            })
        ) {
            return None;
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES || self.stack.len() >= MAX_DEPTH || anchor > MAX_ANCHOR_ID {
            return None;
        }
        Some(())
    }

    /// A collection ended: remember it if anchored, hand it to its parent.
    fn close(&mut self, value: Value, anchor: usize, nodes0: usize, bytes0: usize) -> Option<()> {
        if anchor != 0 {
            // The start event was counted before `nodes0` was taken.
            let nodes = self.nodes - nodes0 + 1;
            let bytes = self.bytes - bytes0;
            let depth = depth_of(&value);
            self.remember(anchor, &value, nodes, bytes, depth)?;
        }
        self.deliver(value)
    }

    fn remember(
        &mut self,
        anchor: usize,
        value: &Value,
        nodes: usize,
        bytes: usize,
        depth: usize,
    ) -> Option<()> {
        if anchor > MAX_ANCHOR_ID {
            return None;
        }
        self.recorded += nodes;
        if self.recorded > MAX_RECORDED_NODES {
            return None;
        }
        if self.anchors.len() <= anchor {
            self.anchors.resize_with(anchor + 1, || None);
        }
        self.anchors[anchor] = Some(Anchored {
            value: value.clone(),
            nodes,
            bytes,
            depth,
        });
        Some(())
    }

    /// A completed value goes to the enclosing collection (or becomes the root).
    fn deliver(&mut self, value: Value) -> Option<()> {
        match self.stack.last_mut() {
            None => {
                if self.root.is_some() {
                    return None;
                }
                self.root = Some(value);
            }
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map {
                map, merges, slot, ..
            }) => {
                match std::mem::replace(slot, Slot::Key) {
                    // Collections in key position are rejected before they start.
                    Slot::Key => return None,
                    Slot::Value(key) => match map.entry(key) {
                        Entry::Vacant(e) => {
                            e.insert(value);
                        }
                        // Duplicate keys are an error in serde-saphyr.
                        Entry::Occupied(_) => return None,
                    },
                    Slot::Merge => {
                        let ok = match &value {
                            Value::Object(_) => true,
                            Value::Array(items) => items.iter().all(Value::is_object),
                            _ => false,
                        };
                        self.merges += 1;
                        if !ok || self.merges > MAX_MERGES {
                            return None;
                        }
                        merges.push(value);
                    }
                }
            }
        }
        Some(())
    }
}

/// Adds the entries of a merge value (a map, or a sequence of maps) that the map does not
/// have yet, in order: explicit keys win over merged ones, earlier merges over later ones.
fn merge_into(map: &mut Map<String, Value>, merged: Value) -> Option<()> {
    match merged {
        Value::Object(source) => {
            for (k, v) in source {
                if !map.contains_key(&k) {
                    map.insert(k, v);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(_) => merge_into(map, item)?,
                    _ => return None,
                }
            }
        }
        _ => return None,
    }
    Some(())
}

/// Nesting depth of a value (a scalar is 0).
fn depth_of(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth_of).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth_of).max().unwrap_or(0),
        _ => 0,
    }
}

/// What a scalar in key position makes the mapping expect next, or `None` (bail) for keys
/// serde-saphyr treats specially: null-like plain keys (an error there) and integer-like
/// plain keys (compared by integer value, so `0xB` and `11` would be duplicates).
fn key_slot(text: Cow<'_, str>, style: ScalarStyle) -> Option<Slot> {
    if style == ScalarStyle::Plain {
        if text == "<<" {
            return Some(Slot::Merge);
        }
        if is_nullish(&text) {
            return None;
        }
        let t = yaml_trim(&text);
        let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
        if unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            return None;
        }
    }
    Some(Slot::Value(text.into_owned()))
}

/// The JSON value of a scalar in value position, or `None` (bail) where serde-saphyr
/// fails (non-finite floats).
fn scalar_value(text: Cow<'_, str>, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::String(text.into_owned()));
    }
    if is_nullish(&text) {
        return Some(Value::Null);
    }
    if let Some(b) = yaml11_bool(&text) {
        return Some(Value::Bool(b));
    }
    let t = yaml_trim(&text);
    if has_upper_radix_prefix(t) {
        // serde-saphyr 2.1 reads `0X1F` as 31, 2.2 as the string "0X1F" (YAML 1.2's
        // core schema has lowercase prefixes only): leave it to whichever is linked.
        return None;
    }
    if let Some((negative, magnitude)) = parse_int(t) {
        if negative {
            if magnitude <= 1u128 << 63 {
                // -(2^63) is i64::MIN; the cast wraps exactly there.
                let v = (magnitude as i64).wrapping_neg();
                return Some(Value::Number(Number::from(v)));
            }
        } else if let Ok(v) = u64::try_from(magnitude) {
            return Some(Value::Number(Number::from(v)));
        }
    }
    match parse_float(t) {
        Float::Finite(v) => Number::from_f64(v).map(Value::Number),
        Float::NonFinite => None,
        Float::Text => Some(Value::String(text.into_owned())),
    }
}

/// `0X…`, `0O…` or `0B…`, optionally signed (found by the `compose_yaml` fuzz target:
/// serde-saphyr versions disagree on them).
fn has_upper_radix_prefix(t: &str) -> bool {
    let rest = t.strip_prefix(['-', '+']).unwrap_or(t);
    ["0X", "0O", "0B"].iter().any(|p| rest.starts_with(p))
}

/// The padding serde-saphyr trims before typing a scalar.
fn yaml_trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

fn is_nullish(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// YAML 1.1 booleans, any case (serde-saphyr's default, `strict_booleans: false`).
fn yaml11_bool(s: &str) -> Option<bool> {
    let t = yaml_trim(s);
    if ["true", "yes", "y", "on"]
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w))
    {
        Some(true)
    } else if ["false", "no", "n", "off"]
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w))
    {
        Some(false)
    } else {
        None
    }
}

/// An integer in serde-saphyr's syntax (legacy octal off): optional sign, then decimal
/// without a leading zero, or `0x`/`0o`/`0b` digits; single `_` between digits allowed.
/// Returns the sign and magnitude, `None` if not an integer or beyond 128 bits.
fn parse_int(t: &str) -> Option<(bool, u128)> {
    let (negative, rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = if let Some(r) = rest.strip_prefix("0x") {
        (16, r)
    } else if let Some(r) = rest.strip_prefix("0o") {
        (8, r)
    } else if let Some(r) = rest.strip_prefix("0b") {
        (2, r)
    } else {
        if rest.starts_with('0') && rest != "0" {
            return None;
        }
        (10, rest)
    };
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut saw_digit = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let prev_ok = i > 0 && bytes[i - 1] != b'_';
            let next_ok = bytes.get(i + 1).is_some_and(|&n| n != b'_');
            if !prev_ok || !next_ok {
                return None;
            }
            continue;
        }
        let d = char::from(b).to_digit(radix)?;
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        saw_digit = true;
    }
    saw_digit.then_some((negative, value))
}

enum Float {
    Finite(f64),
    /// `.inf`, `.nan` and overflowing literals: serde-saphyr rejects them.
    NonFinite,
    /// Not a float: the scalar stays a string.
    Text,
}

/// serde-saphyr's float typing: YAML's `.inf`/`.nan` spellings, else Rust's `f64` syntax
/// (finite results only; a digit-led literal that overflows counts as non-finite).
fn parse_float(t: &str) -> Float {
    let unsigned = match t.strip_prefix('-') {
        Some(r) => r,
        None => t.strip_prefix('+').unwrap_or(t),
    };
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return Float::NonFinite;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Float::Finite(v),
        Ok(v) if v.is_infinite() && unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) => {
            Float::NonFinite
        }
        _ => Float::Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Compares the fast path with serde-saphyr; returns whether the fast path was taken.
    /// Key order matters (`preserve_order`), and `Map`'s `==` ignores it, so the
    /// serialized forms are compared too.
    fn check(text: &str) -> bool {
        let fast = to_json(text);
        let slow = serde_saphyr::from_str::<Value>(text);
        match (&fast, &slow) {
            (Some(v), Ok(s)) => {
                assert_eq!(v, s, "value differs for {text:?}");
                assert_eq!(
                    serde_json::to_string(v).ok(),
                    serde_json::to_string(s).ok(),
                    "key order differs for {text:?}"
                );
                true
            }
            (Some(v), Err(e)) => {
                panic!("fast path gave {v} but serde-saphyr failed ({e}) for {text:?}")
            }
            (None, _) => false,
        }
    }

    const COMPOSE_BASIC: &str = "\
services:
  web:
    image: nginx:1.27-alpine
    ports:
      - \"8080:80\"
      - 443:443
    restart: unless-stopped
";

    const COMPOSE_FULL: &str = r#"# A realistic stack
name: shop

x-logging: &default-logging
  driver: json-file
  options:
    max-size: "10m"
    max-file: "3"

x-env: &env
  TZ: UTC
  LOG_LEVEL: info

x-health: &health
  interval: 10s
  timeout: 5s
  retries: 5

services:
  api:
    build:
      context: ./api
      dockerfile: Dockerfile
      args:
        - NODE_ENV=production
    image: registry.example.com/shop/api:1.4.2
    environment:
      <<: *env
      DATABASE_URL: postgres://app@db:5432/app
      LOG_LEVEL: debug   # overrides the merged value
    ports: ["8000:8000", "9229:9229"]
    depends_on:
      db:
        condition: service_healthy
    healthcheck:
      <<: *health
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
    logging: *default-logging
    read_only: true
    user: "1000:1000"
    cap_drop: [ALL]
    security_opt:
      - no-new-privileges:true
    deploy:
      replicas: 2
      resources:
        limits: {cpus: '0.50', memory: 256M}
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
      <<: *health
    volumes:
      - db-data:/var/lib/postgresql/data
    logging: *default-logging
    command: >
      postgres -c shared_buffers=256MB
      -c max_connections=200
  worker:
    image: shop/worker
    entrypoint: |
      #!/bin/sh
      exec worker --queue default
    stop_grace_period: 1m30s
    ulimits:
      nofile:
        soft: 20000
        hard: 40000

volumes:
  db-data: {}
  cache:

secrets:
  db:
    file: ./secrets/db.txt
"#;

    const MERGE_LIST: &str = "\
x-a: &a {p: 1, q: 2}
x-b: &b {q: 3, r: 4}
svc:
  <<: [*a, *b]
  s: 5
";

    const MERGE_ORDER: &str = "\
base: &base
  image: x
  restart: always
  ports: [\"80:80\"]
svc:
  command: run
  <<: *base
  restart: \"no\"
";

    const MERGE_NESTED: &str = "\
a: &a {k1: 1}
b: &b
  <<: *a
  k2: 2
c:
  <<: *b
  k3: 3
d:
  <<: *a
  <<: *b
";

    /// Inputs the fast path must take.
    const FAST: &[&str] = &[
        COMPOSE_BASIC,
        COMPOSE_FULL,
        MERGE_LIST,
        MERGE_ORDER,
        MERGE_NESTED,
        "a: 1\n",
        "a: -1\nb: +1\nc: -0\nd: 0\n",
        "hex: 0x1F\noct: 0o17\nbin: 0b101\nneg_hex: -0x10\n",
        "under: 1_000\nund_hex: 0xFF_FF\nbad: 1__0\ntrail: 1_\n",
        "lead_zero: 012\nneg_lead: -012\nzero_float: 00.5\n",
        "f1: 1e3\nf2: .5\nf3: 5.\nf4: -1.5e-3\nf5: 1E+2\nf6: -0.0\n",
        "big: 18446744073709551615\nbigger: 18446744073709551616\nhuge: 123456789012345678901234567890123456789012\n",
        "min: -9223372036854775808\nbelow: -9223372036854775809\n",
        "hexbig: 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\n",
        "b1: true\nb2: False\nb3: TRUE\nb4: yes\nb5: No\nb6: on\nb7: OFF\nb8: y\nb9: n\nb10: tRuE\n",
        "n1: ~\nn2: null\nn3: Null\nn4: NULL\nn5:\nn6: nUll\n",
        "q1: \"123\"\nq2: '0x1F'\nq3: \"true\"\nq4: 'null'\nq5: \"\"\nq6: ''\nq7: \"~\"\n",
        "s1: nan\ns2: inf\ns3: infinity\ns4: -inf\ns5: NaN\ns6: .5e999\n",
        "str: hello world\npath: /var/lib/x\nurl: http://x:80/y?z=1#frag\n",
        "ports:\n  - 8000:8000\n  - \"127.0.0.1:5432:5432\"\n  - 80\n  - 53:53/udp\n",
        "time: 1m30s\nmem: 512M\ncpus: 0.5\nver: 1.2.3\ndate: 2024-01-01\n",
        "lit: |\n  line1\n  line2\nfold: >-\n  a\n  b\nkeep: |+\n  x\n\n",
        "- a\n- b\n- [c, d]\n- {e: f}\n",
        "[1, 2, \"3\", '4', ~]\n",
        "{}\n",
        "[]\n",
        "just a string\n",
        "42\n",
        "x: {}\ny: []\nz: {a: [1, {b: c}]}\n",
        "# only comment before\na: 1 # trailing\n# after\n",
        "---\na: 1\n",
        "---\na: 1\n...\n",
        "a: &x 5\nb: *x\nc: *x\n",
        "a: &x [1, 2]\nb: *x\n",
        "\"quoted key\": 1\n'single': 2\nplain key: 3\n",
        "true: 1\nyes: 2\nx1.5: 3\n-a: 4\n",
        "\"1\": one\n\"null\": n\n\"~\": t\n",
        "multi: this is\n  a folded plain\n  scalar\n",
        "esc: \"tab\\there \\u00e9 \\n\"\nsq: 'it''s'\n",
        "unicode: héllo wörld ✓\n",
        "env:\n  - KEY=value\n  - OTHER=\"quoted\"\n",
        "command: [\"sh\", \"-c\", \"echo $$HOME && exit 0\"]\n",
        "labels:\n  com.example.description: \"Accounting webapp\"\n  com.example.department: Finance\n",
        "x-ext:\n  foo: bar\nservices:\n  a:\n    image: a\n    x-custom: 1\n",
        "healthcheck:\n  test: [\"CMD\", \"true\"]\n  interval: 30s\n  timeout: 10s\n  retries: 3\n  start_period: 40s\n  disable: false\n",
        "a:\n  - b:\n      c:\n        - d\n",
        "empty_seq_item:\n  -\n  - x\n",
        "plus_only: +\ndot: .\ncolon: a:b\ndash: a-\nminus: -x\n",
        "key with spaces: v\nnested: {inner key: v2}\n",
        "<<: {a: 1}\nb: 2\n",
        "a: {<<: {x: 1}, y: 2}\n",
        "a: &a {x: 1, y: 2}\nb: {<<: [*a, {y: 3, z: 4}], w: 0}\n",
        "m: &m {k: v}\nn:\n  <<: [*m]\n",
        "'<<': 1\n",
    ];

    /// Inputs that must bail out.
    const SLOW: &[&str] = &[
        "a: 1\na: 2\n",
        "a: 1\n\"a\": 2\n",
        "svc:\n  image: x\n  image: y\n",
        "s: !!str 1\n",
        "s: !custom x\n",
        "!!map {a: 1}\n",
        "a: 1\n---\nb: 2\n",
        "---\n---\n",
        "a: [1, 2\n",
        "a: b: c\n",
        "a:\n\t- x\n",
        "key: \"unterminated\n",
        "inf: .inf\n",
        "nan: .NaN\n",
        "ninf: -.Inf\n",
        "over: 1e999\n",
        "? [a, b]\n: c\n",
        "? {a: 1}\n: c\n",
        "1: one\n",
        "0x1F: a\n",
        "~: a\n",
        ": a\n",
        "null: a\n",
        "a: *missing\n",
        "a: &x [*x]\n",
        "<<: 1\n",
        "<<: [1]\n",
        "",
        "# only a comment\n",
        "%YAML 1.2\n---\na: 1\n",
        // serde-saphyr 2.1 and 2.2 disagree on uppercase radix prefixes (fuzz finding).
        "0X2",
        "a: 0X1F\n",
        "- -0B1\n- +0O7\n",
    ];

    #[test]
    fn differential_on_handwritten_inputs() {
        let mut fast = 0;
        for text in FAST.iter().chain(SLOW) {
            if check(text) {
                fast += 1;
            }
        }
        assert!(FAST.len() + SLOW.len() >= 60);
        for text in FAST {
            assert!(to_json(text).is_some(), "fast path expected for {text:?}");
        }
        for text in SLOW {
            assert!(to_json(text).is_none(), "must bail out: {text:?}");
        }
        assert_eq!(fast, FAST.len());
    }

    #[test]
    fn scalar_typing_matches() {
        let v = to_json("a: 0x1F\nb: 1e3\nc: '1'\nd: on\ne: 012\nf: -0\ng: 1_000\n").unwrap();
        assert_eq!(v["a"], 31);
        assert_eq!(v["b"], 1000.0);
        assert_eq!(v["c"], "1");
        assert_eq!(v["d"], true);
        assert_eq!(v["e"], 12.0);
        assert_eq!(v["f"], 0);
        assert_eq!(v["g"], 1000);
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(|k| k.as_str()).collect()
    }

    #[test]
    fn merge_order_explicit_first_then_merged() {
        let v = to_json(MERGE_ORDER).unwrap();
        assert_eq!(keys(&v["svc"]), ["command", "restart", "image", "ports"]);
        assert_eq!(v["svc"]["restart"], "no");
        let v = to_json(MERGE_LIST).unwrap();
        assert_eq!(keys(&v["svc"]), ["s", "p", "q", "r"]);
        assert_eq!(v["svc"]["q"], 2);
    }

    #[test]
    fn deep_nesting_bails_without_panic() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(to_json(&deep).is_none());
        let mut block = String::new();
        for i in 0..200 {
            block.push_str(&" ".repeat(i));
            block.push_str("a:\n");
        }
        assert!(to_json(&block).is_none());
        check(&block);
        let ok = "a:\n  b:\n    c:\n      d: 1\n";
        assert!(check(ok));
    }

    #[test]
    fn alias_bombs_bail() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(to_json(&text).is_none());
    }

    /// Tricky plain spellings, each checked as a value, a key, a quoted value and a
    /// sequence item.
    const SCALARS: &[&str] = &[
        "0",
        "00",
        "-0",
        "+0",
        "0x",
        "0x_1",
        "0o8",
        "0b2",
        "1_",
        "_1",
        "1__2",
        "1_2_3",
        "1.",
        ".",
        "..",
        "1e",
        "1e+",
        "e1",
        "+.5",
        "-.5",
        "1.5e3",
        "0.1_1",
        "Infinity",
        "-Infinity",
        "+inf",
        "NaN",
        ".NaN",
        "+.inf",
        "-.nan",
        ".Inf",
        ".iNf",
        "1e308",
        "1e309",
        "-1e309",
        "2e-400",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "0xFFFFFFFFFFFFFFFF",
        "0x10000000000000000",
        "-0x8000000000000000",
        "-0x8000000000000001",
        "0o777",
        "0O17",
        "0X1f",
        "0B11",
        "+0x1F",
        "-0b1",
        "Y",
        "N",
        "yES",
        "oN",
        "oFf",
        "True",
        "tRUE",
        "~",
        "null",
        "NULL",
        "nULL",
        "12:30",
        "1:2:3",
        "0.0.0.0",
        "1,000",
        "$1",
        "3.14abc",
        "0x1G",
        "1 2",
        "0777",
        "-0777",
        "08",
        "0.5",
        "-.0",
        "+-1",
        "-+1",
        "++1",
        "--1",
        "0x-1",
        "1e1_0",
        "٣",
        "１",
        "1e-5",
        "5E5",
        "0e0",
        "1.0e+10",
        "yes please",
        "on-call",
        "n/a",
        "<<",
        "=",
        "!",
        "&",
        "@",
        "`",
        "%",
        "|",
        ">",
        "*",
        "?",
        "-",
        ":",
        "#x",
        "a #b",
    ];

    #[test]
    fn differential_on_tricky_scalars() {
        let (mut n, mut fast) = (0, 0);
        for s in SCALARS {
            for text in [
                format!("k: {s}\n"),
                format!("{s}: v\n"),
                format!("k: \"{s}\"\n"),
                format!("- {s}\n"),
                format!("[{s}]\n"),
                format!("{{a: {s}}}\n"),
                format!("{s}\n"),
            ] {
                n += 1;
                if check(&text) {
                    fast += 1;
                }
            }
        }
        eprintln!("tricky scalars: {n} inputs, {fast} on the fast path");
        assert!(fast * 2 > n);
    }

    /// A small deterministic generator of flow-style documents with anchors, aliases,
    /// merge keys and repeated keys, checked against serde-saphyr.
    struct Gen {
        state: u64,
        anchors: usize,
    }

    impl Gen {
        fn next(&mut self, n: usize) -> usize {
            self.state = self
                .state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.state >> 33) % n as u64) as usize
        }

        fn node(&mut self, depth: usize, out: &mut String) {
            if self.next(4) == 0 {
                out.push_str(&format!("&a{} ", self.anchors));
                self.anchors += 1;
            }
            let kind = if depth > 3 { 0 } else { self.next(6) };
            match kind {
                0 | 1 => {
                    const VALUES: &[&str] = &[
                        "1", "x", "'1'", "true", "~", "0x1F", "1.5", "\"q\"", "", "-3", "on",
                        "012", "1e3",
                    ];
                    out.push_str(VALUES[self.next(VALUES.len())]);
                }
                2 => {
                    if self.anchors > 0 {
                        out.push_str(&format!("*a{}", self.next(self.anchors)));
                    } else {
                        out.push('x');
                    }
                }
                3 => {
                    out.push('[');
                    for i in 0..self.next(4) {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        self.node(depth + 1, out);
                    }
                    out.push(']');
                }
                _ => {
                    const KEYS: &[&str] = &["a", "b", "c", "'a'", "\"b\"", "<<", "<<", "d"];
                    out.push('{');
                    for i in 0..self.next(5) {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        let key = KEYS[self.next(KEYS.len())];
                        out.push_str(key);
                        out.push_str(": ");
                        if key == "<<" && self.anchors > 0 && self.next(3) > 0 {
                            if self.next(2) == 0 {
                                out.push_str(&format!("*a{}", self.next(self.anchors)));
                            } else {
                                let a = self.next(self.anchors);
                                let b = self.next(self.anchors);
                                out.push_str(&format!("[*a{a}, *a{b}]"));
                            }
                        } else {
                            self.node(depth + 1, out);
                        }
                    }
                    out.push('}');
                }
            }
        }
    }

    #[test]
    fn differential_on_generated_documents() {
        let mut g = Gen {
            state: 0x5eed,
            anchors: 0,
        };
        let (mut fast, mut valid, total) = (0, 0, 4000);
        for _ in 0..total {
            g.anchors = 0;
            let mut text = String::new();
            text.push_str("root: ");
            g.node(0, &mut text);
            text.push_str("\nnext: ");
            g.node(0, &mut text);
            text.push('\n');
            if serde_saphyr::from_str::<Value>(&text).is_ok() {
                valid += 1;
            }
            if check(&text) {
                fast += 1;
            }
        }
        eprintln!("generated: {total} documents, {valid} valid, {fast} on the fast path");
        assert!(
            fast * 10 > valid * 7,
            "fast path too rare: {fast} of {valid}"
        );
    }

    /// serde-saphyr's parser options cap buffered comment runs (32); the fast path uses the
    /// same options, so both accept or reject long comment runs alike.
    #[test]
    fn long_comment_runs_agree() {
        for n in [10, 31, 32, 33, 40, 100] {
            let run = "# comment\n".repeat(n);
            for text in [
                format!("{run}a: 1\n"),
                format!("a:\n{run}  b: 1\n"),
                format!("a: 1\n{run}b: 2\n"),
                format!("a: 1\n{run}"),
            ] {
                let slow = serde_saphyr::from_str::<Value>(&text).is_ok();
                check(&text);
                assert_eq!(to_json(&text).is_some(), slow, "{n} comments: {text:?}");
            }
        }
    }

    /// Fenced ```yaml / ```yml blocks of a Markdown text.
    fn yaml_blocks(md: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut current: Option<String> = None;
        for line in md.lines() {
            let trimmed = line.trim_start();
            match &mut current {
                None => {
                    if let Some(info) = trimmed.strip_prefix("```") {
                        let lang = info.split_whitespace().next().unwrap_or("");
                        if matches!(lang, "yaml" | "yml") {
                            current = Some(String::new());
                        }
                    }
                }
                Some(body) => {
                    if trimmed.starts_with("```") {
                        out.push(std::mem::take(body));
                        current = None;
                    } else {
                        body.push_str(line);
                        body.push('\n');
                    }
                }
            }
        }
        out
    }

    fn walk(dir: &Path, texts: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                walk(&path, texts);
                continue;
            }
            let name = path.to_string_lossy().to_string();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if name.ends_with(".yaml")
                || name.ends_with(".yml")
                || name.ends_with(".yaml.hbs")
                || name.ends_with(".yml.hbs")
            {
                texts.push((name, text));
            } else if name.ends_with(".md") || name.ends_with(".md.hbs") {
                for (i, block) in yaml_blocks(&text).into_iter().enumerate() {
                    texts.push((format!("{name}#yaml{i}"), block));
                }
            }
        }
    }

    #[test]
    fn differential_on_repository_yaml() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        walk(&root.join("skills"), &mut texts);
        walk(&root.join("tests"), &mut texts);
        // the benchmark corpus, when `bench/lint.sh --docker` has generated it
        let corpus = root.join("bench/out/lint-corpus-docker-2000/skills");
        if let Ok(entries) = std::fs::read_dir(&corpus) {
            let mut dirs: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            dirs.sort();
            for dir in dirs.into_iter().take(50) {
                let path = dir.join("templates/compose.yaml");
                if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.push((path.to_string_lossy().to_string(), text));
                }
            }
        }
        assert!(!texts.is_empty());
        let (mut valid, mut fast) = (0, 0);
        let mut slow_names = Vec::new();
        for (name, text) in &texts {
            if serde_saphyr::from_str::<Value>(text).is_err() {
                assert!(
                    to_json(text).is_none(),
                    "{name}: serde-saphyr fails, fast path not"
                );
                continue;
            }
            valid += 1;
            if check(text) {
                fast += 1;
            } else {
                slow_names.push(name.as_str());
            }
        }
        eprintln!(
            "repository YAML: {} texts, {valid} valid, {fast} on the fast path; bailed: {slow_names:?}",
            texts.len()
        );
        assert!(valid > 0);
    }
}
