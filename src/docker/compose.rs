//! Compose files inside skills: YAML code blocks whose top level has `services:` and
//! files named `compose*.y*ml` / `docker-compose*.y*ml`. Parsed with serde-saphyr
//! (anchors, aliases and `<<` merge keys resolved) into JSON, validated against the
//! official Compose JSON Schema (when available), and checked for what the schema
//! cannot see (unknown `depends_on` services, undeclared networks/volumes/secrets,
//! `service_healthy` without a healthcheck, plaintext secrets in `environment`).

use super::DockerMemo;
use super::Hit;
use super::facts::{Origin, ParseProblem, is_secret_name};
use crate::report::Severity;
use crate::rule::{Check, Ctx, Emitter, Rule, SkillMemo};
use crate::skill::{LineIndex, Skill, Span};
use serde_json::Value;
use std::path::Path;

/// Is this code-block language YAML?
pub fn is_yaml_lang(lang: &str) -> bool {
    matches!(lang.to_ascii_lowercase().as_str(), "yaml" | "yml")
}

/// Is this file a Compose file by name (`compose*.y*ml`, `docker-compose*.y*ml`)?
pub fn is_compose_name(rel: &str) -> bool {
    let base = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    (base.starts_with("compose") || base.starts_with("docker-compose"))
        && (base.ends_with(".yml") || base.ends_with(".yaml"))
}

/// Does YAML text have `services:` at the top level?
pub fn looks_like_compose(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("services")
            .is_some_and(|r| r.trim_start().starts_with(':'))
    })
}

/// One line of the YAML, pre-analysed for locating keys.
#[derive(Debug, Clone)]
struct YLine {
    /// Column of the first non-space character (a dash counts).
    start: usize,
    /// The line starts a sequence item (`- …`).
    dash: bool,
    /// Column and name of the mapping key on this line, if any.
    key: Option<(usize, String)>,
    blank: bool,
}

fn analyse(text: &str) -> Vec<YLine> {
    text.split('\n')
        .map(|raw| {
            let l = raw.strip_suffix('\r').unwrap_or(raw);
            let start = l.len() - l.trim_start_matches(' ').len();
            let mut rest = &l[start..];
            let blank = rest.is_empty() || rest.starts_with('#');
            let mut col = start;
            let mut dash = false;
            while rest == "-" || rest.starts_with("- ") {
                dash = true;
                let trimmed = rest[1..].trim_start_matches(' ');
                col += rest.len() - trimmed.len();
                rest = trimmed;
            }
            let key = key_of(rest).map(|k| (col, k));
            YLine {
                start,
                dash,
                key,
                blank,
            }
        })
        .collect()
}

/// The key of `key: value` / `"key": value` (None for scalars and flow items).
fn key_of(s: &str) -> Option<String> {
    let (k, after) = if let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = s[1..].find(q)? + 1;
        (&s[1..end], &s[end + 1..])
    } else {
        let i = s.find(':')?;
        (&s[..i], &s[i..])
    };
    let after = after.trim_start();
    let after = after.strip_prefix(':')?;
    if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\t')) {
        return None;
    }
    if k.is_empty() || k.starts_with(['{', '[', '#']) {
        return None;
    }
    Some(k.trim().to_string())
}

/// A path segment for locating a value in the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A parsed Compose document.
#[derive(Debug, Clone)]
pub struct ComposeDoc {
    pub origin: Origin,
    /// The YAML text.
    pub text: String,
    /// The document with anchors, aliases and merge keys resolved.
    pub value: Option<Value>,
    pub parse_error: Option<ParseProblem>,
    /// The text elides parts (`# ...`, `…`): a teaching excerpt, so checks that need the
    /// whole file (unknown services, undeclared volumes/networks/secrets) are skipped.
    pub partial: bool,
    /// Key positions per line, for locating findings (built on first use: most
    /// documents have none).
    lines: std::cell::OnceCell<Vec<YLine>>,
    /// Span in the origin file of each YAML line (0-based index).
    line_spans: Vec<Span>,
}

impl ComposeDoc {
    /// Parses YAML text. For SKILL.md blocks pass the SKILL.md text, its index and the
    /// block's first line so spans land in SKILL.md.
    pub fn parse(text: &str, origin: Origin, doc: Option<(&str, &LineIndex, usize)>) -> ComposeDoc {
        let own_ix;
        let line_spans: Vec<Span> = match doc {
            Some((dtext, dix, first)) => text
                .split('\n')
                .enumerate()
                .map(|(i, block_line)| {
                    let block_line = block_line.trim_end_matches('\r');
                    let mut s = dix.line_span(dtext, first + i);
                    let indent =
                        super::facts::block_indent(dix.line_str(dtext, first + i), block_line);
                    s.offset += indent;
                    s.col += indent;
                    s.len = s.len.saturating_sub(indent);
                    s
                })
                .collect(),
            None => {
                own_ix = LineIndex::new(text);
                let n = text.split('\n').count();
                (1..=n).map(|l| own_ix.line_span(text, l)).collect()
            }
        };
        let mut cd = ComposeDoc {
            origin,
            text: text.to_string(),
            value: None,
            parse_error: None,
            partial: (text.contains("...") || text.contains('…'))
                && text.lines().any(|l| {
                    let t = l.trim();
                    t == "..." || t.starts_with("# ...") || t.starts_with("#...") || t.contains('…')
                }),
            lines: std::cell::OnceCell::new(),
            line_spans,
        };
        // The event-built reader handles what Compose files contain; anything it cannot
        // vouch for (tags, odd keys, broken YAML) goes to serde-saphyr, which also words
        // the error.
        if let Some(v) = super::yaml::to_json(text) {
            cd.value = Some(v);
            return cd;
        }
        match serde_saphyr::from_str::<Value>(text) {
            Ok(v) => cd.value = Some(v),
            Err(e) => {
                let (line, col, message) = crate::skill::yaml_error_summary(&e);
                let (line, col) = (line as usize, col as usize);
                let li = line.saturating_sub(1);
                let bc = cd.byte_col(li, col.saturating_sub(1));
                cd.parse_error = Some(ParseProblem {
                    message,
                    span: cd.span_at(li, bc),
                });
            }
        }
        cd
    }

    /// Span of 0-based YAML line `i` from byte column `col` (clamped to a character
    /// boundary), to the end of the line.
    fn span_at(&self, i: usize, col: usize) -> Span {
        let i = i.min(self.line_spans.len().saturating_sub(1));
        let mut s = self.line_spans.get(i).copied().unwrap_or_default();
        let line = self.text.split('\n').nth(i).unwrap_or("");
        let mut col = col.min(line.len()).min(s.len);
        while col > 0 && !line.is_char_boundary(col) {
            col -= 1;
        }
        s.offset += col;
        s.col += line[..col].chars().count();
        s.len -= col;
        s
    }

    /// Byte column of 0-based character column `ch` on 0-based YAML line `i`.
    fn byte_col(&self, i: usize, ch: usize) -> usize {
        let line = self.text.split('\n').nth(i).unwrap_or("");
        line.char_indices()
            .nth(ch)
            .map(|(b, _)| b)
            .unwrap_or(line.len())
    }

    /// The span of the value at `path` (its key line), falling back to the deepest
    /// part of the path that was found, then to the first line.
    pub fn locate(&self, path: &[Seg]) -> Span {
        let (line, col) = self.find(path);
        self.span_at(line, col)
    }

    fn find(&self, path: &[Seg]) -> (usize, usize) {
        let ls = self.lines.get_or_init(|| analyse(&self.text));
        let mut lo = 0usize;
        let mut hi = ls.len();
        let mut parent: isize = -1;
        let mut best = (0usize, 0usize);
        for seg in path {
            let found = match seg {
                Seg::Key(k) => {
                    let child = (lo..hi)
                        .filter_map(|i| ls[i].key.as_ref().map(|(c, _)| *c))
                        .filter(|c| *c as isize > parent)
                        .min();
                    child
                        .and_then(|cc| {
                            (lo..hi).find(|&i| {
                                ls[i]
                                    .key
                                    .as_ref()
                                    .is_some_and(|(c, key)| *c == cc && key == k)
                            })
                        })
                        .map(|i| {
                            let col = ls[i].key.as_ref().map(|(c, _)| *c).unwrap_or(0);
                            let end = (i + 1..hi)
                                .find(|&j| {
                                    !ls[j].blank
                                        && (ls[j].start < col
                                            || (ls[j].start == col && !ls[j].dash))
                                })
                                .unwrap_or(hi);
                            (i, col, i + 1, end)
                        })
                }
                Seg::Index(n) => {
                    let dash_col = (lo..hi)
                        .filter(|&i| ls[i].dash && ls[i].start as isize >= parent)
                        .map(|i| ls[i].start)
                        .min();
                    dash_col
                        .and_then(|dc| {
                            (lo..hi)
                                .filter(|&i| ls[i].dash && ls[i].start == dc)
                                .nth(*n)
                        })
                        .map(|i| {
                            let col = ls[i].start;
                            let end = (i + 1..hi)
                                .find(|&j| !ls[j].blank && ls[j].start <= col)
                                .unwrap_or(hi);
                            (i, col, i, end)
                        })
                }
            };
            match found {
                Some((line, col, nlo, nhi)) => {
                    best = (line, col);
                    lo = nlo;
                    hi = nhi;
                    parent = col as isize;
                }
                None => break,
            }
        }
        best
    }

    pub fn services(&self) -> Option<&serde_json::Map<String, Value>> {
        self.value.as_ref()?.get("services")?.as_object()
    }
}

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

/// Every Compose document of a skill: YAML blocks with top-level `services:`, then
/// compose files (sorted). Parses afresh; lint rules share one parse per skill through
/// [`super::DockerMemo::compose`].
pub fn compose_files_in(skill: &Skill) -> Vec<ComposeDoc> {
    super::parse_embedded(
        skill,
        |cb| is_yaml_lang(&cb.lang) && looks_like_compose(&cb.code),
        is_compose_name,
        ComposeDoc::parse,
    )
}

/// Loads and compiles the Compose schema: `$SKILLFORGE_COMPOSE_SCHEMA` (a file path),
/// else the fetch cache. Returns a note saying why it is absent.
pub fn load_compose_schema() -> (Option<jsonschema::Validator>, Option<String>) {
    if let Some(p) = std::env::var_os("SKILLFORGE_COMPOSE_SCHEMA").filter(|p| !p.is_empty()) {
        let path = Path::new(&p);
        return match crate::fsutil::read_capped(path, 32 * 1024 * 1024).map_err(|e| match e {
            crate::fsutil::ReadError::Io(err) => err,
            crate::fsutil::ReadError::TooLarge { size, .. } => std::io::Error::other(format!(
                "{} is too large for a schema",
                crate::fsutil::human_size(size)
            )),
        }) {
            Ok(bytes) => match compile_schema(&bytes) {
                Ok(v) => (Some(v), None),
                Err(e) => (
                    None,
                    Some(format!(
                        "Compose schema {} is not usable ({e}) — schema check skipped",
                        path.display()
                    )),
                ),
            },
            Err(e) => (
                None,
                Some(format!(
                    "cannot read Compose schema {} ($SKILLFORGE_COMPOSE_SCHEMA): {e} — schema check skipped",
                    path.display()
                )),
            ),
        };
    }
    let cache = crate::fetch::cache::default_cache_dir();
    match crate::fetch::cache::cached_body(&cache, crate::fetch::cache::COMPOSE_SCHEMA_URL) {
        Some(bytes) => match compile_schema(&bytes) {
            Ok(v) => (Some(v), None),
            Err(e) => (
                None,
                Some(format!(
                    "cached Compose schema is not usable ({e}): run `skillforge fetch --refresh` — schema check skipped"
                )),
            ),
        },
        None => (
            None,
            Some(
                "Compose schema not in cache: run `skillforge fetch` — schema check skipped"
                    .to_string(),
            ),
        ),
    }
}

/// Compiles the Compose JSON Schema (draft-07) from its bytes.
pub fn compile_schema(bytes: &[u8]) -> Result<jsonschema::Validator, String> {
    let schema: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&schema)
        .map_err(|e| format!("not a valid JSON Schema: {e}"))
}

// ---------------------------------------------------------------- rules

/// A Compose rule's logic.
pub type Logic = fn(&Ctx, &SkillMemo, &ComposeDoc, &mut Vec<Hit>);

/// Static description of a Compose rule besides its [`Rule`].
pub struct ComposeRule {
    pub id: &'static str,
    pub peers: &'static [&'static str],
    pub logic: Logic,
}

macro_rules! compose_rules {
    ($( $f:ident => $id:literal, $sev:ident, peers = [$($p:literal),*],
        $summary:literal, $explain:literal, $logic:path; )*) => {
        $(
            fn $f(cx: &Ctx, _: &Skill, em: &mut Emitter) {
                drive(cx, em, &[$($p),*], $logic);
            }
        )*
        /// The Compose rules, in a stable order.
        pub static RULES: &[Rule] = &[$(
            Rule {
                id: $id,
                severity: Severity::$sev,
                summary: $summary,
                explain: concat!($explain, "\n\nPeer ids:", $(" ", $p,)* " (usable in `[docker] allow`)."),
                check: Check::Skill($f),
            },
        )*];
        /// Logic per rule id (same order as [`RULES`]).
        pub static LOGIC: &[ComposeRule] = &[$(
            ComposeRule { id: $id, peers: &[$($p),*], logic: $logic },
        )*];
    };
}

compose_rules! {
    c_parse => "SF-compose-parse", Error, peers = [],
        "A Compose file or block is not valid YAML",
        "The Compose file could not be parsed as YAML. Fix the line named in the message \
         (indentation, quotes, a `:` inside an unquoted value).",
        parse_error;
    c_schema => "SF-compose-schema", Error, peers = ["compose-spec"],
        "A Compose file does not match the Compose Specification schema",
        "Validated with the official Compose Specification JSON Schema (fetched by \
         `skillforge fetch` into the cache, or `$SKILLFORGE_COMPOSE_SCHEMA`). Anchors and merge \
         keys are resolved first. Common typos get a hint (`helthcheck` → `healthcheck`, \
         `depends_on` conditions). Without a schema this rule is skipped and lint says so.",
        schema_check;
    c_depends => "SF-compose-depends-on", Error, peers = [],
        "`depends_on` names an unknown service or an invalid condition",
        "Every service in `depends_on` must be defined under `services:`, and a condition must be \
         one of `service_started`, `service_healthy`, `service_completed_successfully`. \
         Excerpts that elide parts (a `# ...` line) are not checked for unknown services.",
        depends_on;
    c_undeclared => "SF-compose-undeclared", Error, peers = [],
        "A service uses a network, volume, secret or config that is not declared",
        "Named volumes, networks (other than `default`), secrets and configs used by a service must \
         be declared at the top level (`volumes:`, `networks:`, `secrets:`, `configs:`). Bind \
         mounts (`./data:/data`, absolute paths) need no declaration. Skipped for excerpts that \
         elide parts (a `# ...` line).",
        undeclared;
    c_healthy => "SF-compose-healthy-without-healthcheck", Warning, peers = [],
        "`condition: service_healthy` on a service without a healthcheck",
        "`depends_on: {db: {condition: service_healthy}}` waits forever (fails) unless `db` has a \
         healthcheck. Add `healthcheck:` to that service (or to the Dockerfile it builds, if that \
         Dockerfile is part of the skill).",
        healthy_without_healthcheck;
    c_secret => "SF-compose-plaintext-secret", Warning, peers = [],
        "A secret-looking variable has a literal value in `environment`",
        "Values in `environment` end up in the file and in `docker inspect`. Use Compose `secrets:` \
         (mounted at /run/secrets/…), or interpolate from the shell/.env (`${DB_PASSWORD}`).",
        plaintext_secret;
}

fn drive(cx: &Ctx, em: &mut Emitter, peers: &[&str], logic: Logic) {
    let id = em.rule().id;
    if cx.config.docker_allowed(id, peers) {
        return;
    }
    let memo = em.memo();
    let docs = memo.compose();
    if !docs.is_empty() {
        // Compiled once per run, the first time a Compose file is met.
        cx.compose_schema();
    }
    for d in docs.iter() {
        if d.parse_error.is_some() && id != "SF-compose-parse" {
            continue;
        }
        let mut hits = Vec::new();
        logic(cx, memo, d, &mut hits);
        for h in hits {
            let diag = match &d.origin {
                Origin::File { rel } => em.emit_in(rel, Some(h.span), h.message),
                _ => em.emit(Some(h.span), h.message),
            };
            diag.hint = h.hint;
        }
    }
}

/// Runs every Compose rule on one document (`(rule id, hit)` pairs).
pub fn check_compose(cx: &Ctx, skill: &Skill, doc: &ComposeDoc) -> Vec<(&'static str, Hit)> {
    let memo = SkillMemo::new(skill);
    let mut out = Vec::new();
    for r in LOGIC {
        if doc.parse_error.is_some() && r.id != "SF-compose-parse" {
            continue;
        }
        let mut hits = Vec::new();
        (r.logic)(cx, &memo, doc, &mut hits);
        out.extend(hits.into_iter().map(|h| (r.id, h)));
    }
    out
}

fn parse_error(_: &Ctx, _: &SkillMemo, d: &ComposeDoc, out: &mut Vec<Hit>) {
    if let Some(p) = &d.parse_error {
        out.push(
            Hit::new(
                p.span,
                format!("Compose YAML does not parse: {}", p.message),
            )
            .hint("check indentation and quoting near this line"),
        );
    }
}

/// Keys a Compose service may have (for typo hints).
const SERVICE_KEYS: &[&str] = &[
    "annotations",
    "attach",
    "build",
    "blkio_config",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "container_name",
    "cpu_count",
    "cpu_percent",
    "cpu_shares",
    "cpu_quota",
    "cpu_period",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "deploy",
    "develop",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "entrypoint",
    "env_file",
    "environment",
    "expose",
    "extends",
    "external_links",
    "extra_hosts",
    "gpus",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "init",
    "ipc",
    "isolation",
    "labels",
    "links",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "network_mode",
    "networks",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "ports",
    "privileged",
    "profiles",
    "pull_policy",
    "read_only",
    "restart",
    "runtime",
    "scale",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "sysctls",
    "tmpfs",
    "tty",
    "ulimits",
    "user",
    "userns_mode",
    "uts",
    "volumes",
    "volumes_from",
    "working_dir",
    "models",
    "post_start",
    "pre_stop",
    "provider",
    "label_file",
    "use_api_socket",
];

const TOP_KEYS: &[&str] = &[
    "version", "name", "include", "services", "models", "networks", "volumes", "secrets", "configs",
];

const HEALTHCHECK_KEYS: &[&str] = &[
    "disable",
    "interval",
    "retries",
    "test",
    "timeout",
    "start_period",
    "start_interval",
];

const CONDITIONS: &[&str] = &[
    "service_started",
    "service_healthy",
    "service_completed_successfully",
];

/// Optimal-string-alignment distance (edits incl. adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut m = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        m[i * w] = i;
    }
    for (j, cell) in m.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (m[(i - 1) * w + j] + 1)
                .min(m[i * w + j - 1] + 1)
                .min(m[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(m[(i - 2) * w + j - 2] + 1);
            }
            m[i * w + j] = v;
        }
    }
    m[a.len() * w + b.len()]
}

/// The closest known key to `k` (edit distance ≤ 2, ignoring case and `-`/`_`).
pub fn suggest(k: &str, known: &[&'static str]) -> Option<&'static str> {
    let norm = k.to_ascii_lowercase().replace('-', "_");
    let mut best: Option<(usize, &'static str)> = None;
    for cand in known {
        let d = if norm == *cand {
            0
        } else {
            edit_distance(&norm, cand)
        };
        if d <= 2 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

fn segs_of(loc: &jsonschema::paths::Location) -> Vec<Seg> {
    loc.segments()
        .map(|s| match s {
            jsonschema::paths::LocationSegment::Property(p) => Seg::Key(p.to_string()),
            jsonschema::paths::LocationSegment::Index(i) => Seg::Index(i),
        })
        .collect()
}

fn schema_check(cx: &Ctx, _: &SkillMemo, d: &ComposeDoc, out: &mut Vec<Hit>) {
    let (Some(schema), Some(v)) = (cx.compose_schema(), &d.value) else {
        return;
    };
    out.extend(schema_hits(schema, d, v));
}

/// Validates a parsed Compose document against a compiled schema.
pub fn schema_hits(schema: &jsonschema::Validator, d: &ComposeDoc, v: &Value) -> Vec<Hit> {
    let mut out = Vec::new();
    let top: Vec<jsonschema::ValidationError> = schema.iter_errors(v).take(50).collect();
    let mut errors: Vec<&jsonschema::ValidationError> = Vec::new();
    for e in &top {
        best_branch_leaves(e, &mut errors, 0);
    }
    for e in errors {
        let mut path = segs_of(e.instance_path());
        let ptr = e.instance_path().as_str().to_string();
        let mut hint = None;
        let message;
        match e.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known: &[&'static str] = match path.as_slice() {
                    [] => TOP_KEYS,
                    [Seg::Key(s), Seg::Key(_)] if s == "services" => SERVICE_KEYS,
                    [Seg::Key(s), Seg::Key(_), Seg::Key(h)]
                        if s == "services" && h == "healthcheck" =>
                    {
                        HEALTHCHECK_KEYS
                    }
                    _ => &[],
                };
                for u in unexpected {
                    let mut p = path.clone();
                    p.push(Seg::Key(u.clone()));
                    let where_ = if ptr.is_empty() {
                        "the top level".to_string()
                    } else {
                        format!("`{ptr}`")
                    };
                    let h = match suggest(u, known) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if u.starts_with("x-") => "extension fields (`x-…`) are only allowed at the top level and in some sections".to_string(),
                        None => "remove it or check the Compose Specification for the right key".to_string(),
                    };
                    out.push(
                        Hit::new(d.locate(&p), format!("unknown key `{u}` in {where_}")).hint(h),
                    );
                }
                continue;
            }
            jsonschema::error::ValidationErrorKind::OneOfNotValid { .. }
            | jsonschema::error::ValidationErrorKind::AnyOf { .. } => {
                message = format!(
                    "`{}` does not match any allowed form",
                    if ptr.is_empty() { "/" } else { &ptr }
                );
                hint = coarse_hint(&path, v);
            }
            _ => {
                let m = e.to_string();
                message = format!(
                    "{} (at `{}`)",
                    m.lines().next().unwrap_or("schema violation"),
                    if ptr.is_empty() { "/" } else { &ptr }
                );
                if matches!(path.last(), Some(Seg::Key(k)) if k == "condition") {
                    hint = Some(format!(
                        "condition must be one of: {}",
                        CONDITIONS.join(", ")
                    ));
                }
            }
        }
        if path.is_empty() {
            path.push(key("services"));
        }
        let mut h = Hit::new(d.locate(&path), message);
        h.hint = hint;
        out.push(h);
    }
    out
}

/// For a `oneOf`/`anyOf` failure, the errors of the alternative the value was meant to
/// be: the branches whose type does not even match are dropped, and of the rest the one
/// with the fewest errors wins, so a typo deep inside a map is reported at its own key
/// rather than as "does not match any allowed form" at the parent. When no branch
/// stands out (every branch is a type mismatch, or two tie), the error itself is kept.
fn best_branch_leaves<'e, 'v>(
    e: &'e jsonschema::ValidationError<'v>,
    out: &mut Vec<&'e jsonschema::ValidationError<'v>>,
    depth: usize,
) {
    use jsonschema::error::ValidationErrorKind as K;
    let context = match e.kind() {
        K::OneOfNotValid { context } | K::AnyOf { context } if depth < 8 => context,
        _ => {
            out.push(e);
            return;
        }
    };
    let here = e.instance_path().as_str();
    let candidates: Vec<&Vec<jsonschema::ValidationError<'static>>> = context
        .iter()
        .filter(|branch| {
            !branch.is_empty()
                && !branch.iter().any(|b| {
                    b.instance_path().as_str() == here
                        && matches!(
                            b.kind(),
                            K::Type { .. } | K::Constant { .. } | K::Enum { .. }
                        )
                })
        })
        .collect();
    let fewest = candidates.iter().map(|b| b.len()).min();
    let best: Vec<_> = candidates
        .iter()
        .filter(|b| Some(b.len()) == fewest)
        .collect();
    match best.as_slice() {
        [only] => {
            for b in only.iter() {
                best_branch_leaves(b, out, depth + 1);
            }
        }
        _ => out.push(e),
    }
}

/// Specific hints for the shapes the schema reports only as "oneOf failed".
fn coarse_hint(path: &[Seg], root: &Value) -> Option<String> {
    let mut cur = root;
    for s in path {
        cur = match s {
            Seg::Key(k) => cur.get(k)?,
            Seg::Index(i) => cur.get(*i)?,
        };
    }
    match path.last() {
        Some(Seg::Key(k)) if k == "depends_on" => {
            if let Some(m) = cur.as_object() {
                for (svc, spec) in m {
                    if let Some(c) = spec.get("condition").and_then(Value::as_str)
                        && !CONDITIONS.contains(&c)
                    {
                        return Some(format!(
                            "`{svc}`: condition `{c}` is not valid; use one of {}",
                            CONDITIONS.join(", ")
                        ));
                    }
                    if let Some(obj) = spec.as_object() {
                        for k in obj.keys() {
                            if !["condition", "restart", "required"].contains(&k.as_str()) {
                                return Some(format!("`{svc}`: unknown key `{k}` (allowed: condition, restart, required)"));
                            }
                        }
                    }
                }
            }
            Some("depends_on is a list of service names, or a map `service: {condition: …}`".into())
        }
        Some(Seg::Key(k)) if k == "ports" || matches!(path.get(path.len().saturating_sub(2)), Some(Seg::Key(p)) if p == "ports") => {
            Some("ports are strings like \"8000:8000\" (quote them) or `{target: 8000, published: \"8000\"}`".into())
        }
        Some(Seg::Key(k)) if k == "environment" => {
            Some("environment is a map `KEY: value` or a list of `KEY=value` strings".into())
        }
        Some(Seg::Key(k)) if k == "healthcheck" => {
            Some("healthcheck needs `test: [\"CMD\", …]` and durations like `30s`".into())
        }
        _ => None,
    }
}

fn depends_entries(svc: &Value) -> Vec<(String, Option<String>, Seg)> {
    match svc.get("depends_on") {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_str().map(|s| (s.to_string(), None, Seg::Index(i))))
            .collect(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.get("condition")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    Seg::Key(k.clone()),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn depends_on(_: &Ctx, _: &SkillMemo, d: &ComposeDoc, out: &mut Vec<Hit>) {
    let Some(services) = d.services() else { return };
    for (name, svc) in services {
        for (dep, cond, seg) in depends_entries(svc) {
            let path = [key("services"), key(name), key("depends_on"), seg];
            if !d.partial && !services.contains_key(&dep) {
                let close = services
                    .keys()
                    .find(|k| edit_distance(k, &dep) <= 2)
                    .map(|k| format!("did you mean `{k}`?"))
                    .unwrap_or_else(|| format!("define `{dep}` under services: or remove it"));
                out.push(
                    Hit::new(
                        d.locate(&path),
                        format!("service `{name}` depends on unknown service `{dep}`"),
                    )
                    .hint(close),
                );
            }
            if let Some(c) = cond
                && !CONDITIONS.contains(&c.as_str())
            {
                let mut p = path.to_vec();
                p.push(key("condition"));
                let near = CONDITIONS.iter().find(|k| edit_distance(k, &c) <= 3);
                out.push(
                    Hit::new(
                        d.locate(&p),
                        format!("`condition: {c}` is not a valid depends_on condition"),
                    )
                    .hint(match near {
                        Some(n) => format!("did you mean `{n}`?"),
                        None => format!("use one of {}", CONDITIONS.join(", ")),
                    }),
                );
            }
        }
    }
}

fn declared(root: &Value, section: &str) -> Vec<String> {
    root.get(section)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn undeclared(_: &Ctx, _: &SkillMemo, d: &ComposeDoc, out: &mut Vec<Hit>) {
    if d.partial {
        return;
    }
    let (Some(root), Some(services)) = (&d.value, d.services()) else {
        return;
    };
    let vols = declared(root, "volumes");
    let nets = declared(root, "networks");
    let secrets = declared(root, "secrets");
    let configs = declared(root, "configs");
    for (name, svc) in services {
        let base = [key("services"), key(name)];
        let mut report = |kind: &str, what: &str, section: &str, mut p: Vec<Seg>| {
            let mut path = base.to_vec();
            path.append(&mut p);
            out.push(
                Hit::new(
                    d.locate(&path),
                    format!("service `{name}` uses {kind} `{what}`, which is not declared"),
                )
                .hint(format!(
                    "declare it at the top level:\n{section}:\n  {what}:"
                )),
            );
        };
        // volumes
        if let Some(Value::Array(vs)) = svc.get("volumes") {
            for (i, v) in vs.iter().enumerate() {
                let src = match v {
                    Value::String(s) => {
                        let parts: Vec<&str> = s.split(':').collect();
                        (parts.len() >= 2).then(|| parts[0].to_string())
                    }
                    Value::Object(m) => {
                        let t = m.get("type").and_then(Value::as_str).unwrap_or("volume");
                        (t == "volume")
                            .then(|| m.get("source").and_then(Value::as_str).map(str::to_string))
                            .flatten()
                    }
                    _ => None,
                };
                if let Some(src) = src {
                    let named = !src.is_empty()
                        && !src.starts_with(['.', '/', '~', '$', '\\'])
                        && (src.len() < 2 || src.as_bytes()[1] != b':');
                    if named && !vols.contains(&src) {
                        report(
                            "volume",
                            &src,
                            "volumes",
                            vec![key("volumes"), Seg::Index(i)],
                        );
                    }
                }
            }
        }
        // networks
        let used_nets: Vec<(String, Seg)> = match svc.get("networks") {
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_str().map(|s| (s.to_string(), Seg::Index(i))))
                .collect(),
            Some(Value::Object(m)) => m.keys().map(|k| (k.clone(), Seg::Key(k.clone()))).collect(),
            _ => Vec::new(),
        };
        for (n, seg) in used_nets {
            if n != "default" && !nets.contains(&n) {
                report("network", &n, "networks", vec![key("networks"), seg]);
            }
        }
        // secrets and configs
        for (section, decl, kind) in [
            ("secrets", &secrets, "secret"),
            ("configs", &configs, "config"),
        ] {
            if let Some(Value::Array(a)) = svc.get(section) {
                for (i, v) in a.iter().enumerate() {
                    let src = match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Object(m) => {
                            m.get("source").and_then(Value::as_str).map(str::to_string)
                        }
                        _ => None,
                    };
                    if let Some(src) = src
                        && !decl.contains(&src)
                    {
                        report(kind, &src, section, vec![key(section), Seg::Index(i)]);
                    }
                }
            }
        }
    }
}

fn has_healthcheck(svc: &Value) -> bool {
    match svc.get("healthcheck") {
        Some(h) => {
            !h.get("disable").and_then(Value::as_bool).unwrap_or(false)
                && h.get("test").is_none_or(|t| {
                    t.as_array().and_then(|a| a.first()).and_then(Value::as_str) != Some("NONE")
                })
        }
        None => false,
    }
}

fn healthy_without_healthcheck(_: &Ctx, memo: &SkillMemo, d: &ComposeDoc, out: &mut Vec<Hit>) {
    if d.partial {
        return;
    }
    let Some(services) = d.services() else { return };
    for (name, svc) in services {
        for (dep, cond, seg) in depends_entries(svc) {
            if cond.as_deref() != Some("service_healthy") {
                continue;
            }
            let Some(target) = services.get(&dep) else {
                continue;
            };
            if has_healthcheck(target) {
                continue;
            }
            // A service built from a Dockerfile of this skill may get its HEALTHCHECK there.
            if target.get("build").is_some()
                && target
                    .get("healthcheck")
                    .is_none_or(|h| h.get("disable").and_then(Value::as_bool) != Some(true))
                && memo
                    .dockerfiles()
                    .iter()
                    .any(|df| !df.fragment && df.has_healthcheck())
            {
                continue;
            }
            let path = [
                key("services"),
                key(name),
                key("depends_on"),
                seg,
                key("condition"),
            ];
            out.push(
                Hit::new(d.locate(&path), format!("`{name}` waits for `{dep}` to be healthy, but `{dep}` has no healthcheck"))
                    .hint(format!("add a healthcheck to `{dep}`, e.g. `healthcheck: {{test: [\"CMD\", \"pg_isready\"], interval: 5s}}`")),
            );
        }
    }
}

/// Is a value an interpolation or empty (not a literal secret)?
fn is_reference(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || (t.starts_with("${") && t.ends_with('}'))
        || (t.starts_with('$') && !t.contains(' ') && t.len() > 1)
}

fn plaintext_secret(_: &Ctx, _: &SkillMemo, d: &ComposeDoc, out: &mut Vec<Hit>) {
    let Some(services) = d.services() else { return };
    for (name, svc) in services {
        let entries: Vec<(String, Option<String>, Seg)> = match svc.get("environment") {
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| {
                    let val = match v {
                        Value::Null => None,
                        Value::String(s) => Some(s.clone()),
                        other => Some(other.to_string()),
                    };
                    (k.clone(), val, Seg::Key(k.clone()))
                })
                .collect(),
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let s = v.as_str()?;
                    let (k, val) = match s.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (s.to_string(), None),
                    };
                    Some((k, val, Seg::Index(i)))
                })
                .collect(),
            _ => Vec::new(),
        };
        for (k, val, seg) in entries {
            if let Some(val) = val
                && is_secret_name(&k)
                && !is_reference(&val)
            {
                let path = [key("services"), key(name), key("environment"), seg];
                out.push(
                    Hit::new(d.locate(&path), format!("`{k}` in service `{name}` has a literal value: the secret is in the file"))
                        .hint(format!("use Compose secrets (`secrets: [{}]` + `{}_FILE: /run/secrets/{}`) or `{k}: ${{{k}}}`", k.to_ascii_lowercase(), k, k.to_ascii_lowercase())),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(t: &str) -> ComposeDoc {
        ComposeDoc::parse(t, Origin::Text, None)
    }

    #[test]
    fn locates_nested_keys_and_items() {
        let t = "services:\n  web:\n    image: x\n    ports:\n    - \"80:80\"\n    - \"81:81\"\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: y\n";
        let d = doc(t);
        assert_eq!(
            d.locate(&[key("services"), key("db"), key("image")]).line,
            11
        );
        assert_eq!(
            d.locate(&[key("services"), key("web"), key("ports"), Seg::Index(1)])
                .line,
            6
        );
        assert_eq!(
            d.locate(&[
                key("services"),
                key("web"),
                key("depends_on"),
                key("db"),
                key("condition")
            ])
            .line,
            9
        );
        // missing tail falls back to the deepest found key
        assert_eq!(
            d.locate(&[key("services"), key("web"), key("nope")]).line,
            2
        );
    }

    #[test]
    fn merge_keys_and_anchors_resolve() {
        let t = "x-common: &common\n  restart: always\n  environment:\n    A: \"1\"\nservices:\n  web:\n    <<: *common\n    image: x\n";
        let d = doc(t);
        let v = d.value.expect("parses");
        assert_eq!(v["services"]["web"]["restart"], "always");
        assert_eq!(v["services"]["web"]["environment"]["A"], "1");
    }

    #[test]
    fn partial_excerpts_skip_whole_file_checks() {
        let cx = Ctx::new(crate::rule::Config::default());
        let tmp = std::env::temp_dir().join("skillforge-partial-compose-test-none");
        let skill = Skill::from_text(&tmp, "---\nname: x\n---\n");
        let full = "services:\n  api:\n    image: a:1\n    depends_on: [db]\n";
        let part = "services:\n  api:\n    # ...\n    depends_on: [db]\n";
        assert_eq!(check_compose(&cx, &skill, &doc(full)).len(), 1);
        assert!(doc(part).partial);
        assert!(check_compose(&cx, &skill, &doc(part)).is_empty());
    }

    #[test]
    fn names() {
        assert!(is_compose_name("templates/compose.yaml"));
        assert!(is_compose_name("docker-compose.prod.yml"));
        assert!(!is_compose_name("config.yaml"));
        assert!(looks_like_compose("name: x\nservices:\n  a: {}\n"));
        assert!(!looks_like_compose("on: push\njobs: {}\n"));
        assert_eq!(suggest("helthcheck", SERVICE_KEYS), Some("healthcheck"));
        assert_eq!(suggest("dependson", SERVICE_KEYS), Some("depends_on"));
        assert_eq!(suggest("zzzzzz", SERVICE_KEYS), None);
    }
}
