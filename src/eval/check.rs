//! The `check` grammar (documented in `docs/lesson-format.md`):
//! parsing from YAML (with line numbers for errors), and evaluation against a
//! [`Subject`]. Each assertion kind is a small named unit:
//!
//! | kind | unit |
//! |---|---|
//! | `any_regex`, `all_regex`, `mentions`, `advises` | [`super::text`] |
//! | `dockerfile` | [`super::dockerfacts`] |
//! | `compose` | [`super::composefacts`] |
//! | `structure` | [`super::structure`] |
//! | `commands` | [`super::commands`] |
//! | `all`, `any`, `not` | here |

use super::commands::{self, CmdPattern};
use super::composefacts::{self, ComposePreds};
use super::dockerfacts::{self, DockerPreds};
use super::node::{Node, SNode, line_of};
use super::scope::{Named, Scope};
use super::structure::{self, StructPreds};
use super::subject::{Evidence, Subject};
use super::text::{self, LazyRe, Term, compile_regex};

/// A compiled check.
#[derive(Debug, Clone)]
pub enum Check {
    AnyRegex(Vec<LazyRe>, Scope),
    AllRegex(Vec<LazyRe>, Scope),
    /// A pattern matches where the skill recommends it (not negated, not a counter-example).
    Advises(Vec<LazyRe>, Scope),
    Mentions {
        items: Vec<Vec<Term>>,
        min: usize,
        scope: Scope,
    },
    Dockerfile(DockerPreds, Scope),
    Compose(ComposePreds, Scope),
    Structure(StructPreds),
    Commands {
        list: Vec<CmdPattern>,
        min: usize,
        scope: Scope,
    },
    All(Vec<Check>),
    Any(Vec<Check>),
    Not(Box<Check>),
}

/// Check keys (exactly one per check object).
pub const KINDS: &[&str] = &[
    "any_regex",
    "all_regex",
    "advises",
    "mentions",
    "dockerfile",
    "compose",
    "structure",
    "commands",
    "all",
    "any",
    "not",
];

/// The result of evaluating a check.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub passed: bool,
    /// Where the match was found (passes); may be empty for `not`.
    pub evidence: Vec<Evidence>,
    /// What is missing and where it was looked for, in a reviewer's words (misses).
    pub note: Option<String>,
    /// The matcher's view of the miss: regexes, predicate names, counts (`--verbose`).
    pub detail: Option<String>,
}

impl Outcome {
    /// A miss (or pass) with a plain note and a matcher detail.
    fn with(passed: bool, evidence: Vec<Evidence>, plain: String, detail: String) -> Outcome {
        Outcome {
            passed,
            evidence,
            note: (!passed).then_some(plain),
            detail: (!passed).then_some(detail),
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(v: &[String]) -> String {
    match v {
        [] => String::new(),
        [a] => a.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// A problem in a check, with its line in the suite file.
#[derive(Debug, Clone)]
pub struct CheckError {
    pub line: usize,
    pub message: String,
}

fn err(n: &SNode, message: impl Into<String>) -> CheckError {
    CheckError {
        line: line_of(n),
        message: message.into(),
    }
}

fn strings(n: &SNode, what: &str) -> Result<Vec<(String, usize)>, CheckError> {
    match &n.value {
        Node::Str(s) => Ok(vec![(s.clone(), line_of(n))]),
        Node::Int(i) => Ok(vec![(i.to_string(), line_of(n))]),
        Node::Seq(v) => v
            .iter()
            .map(|x| match &x.value {
                Node::Str(s) => Ok((s.clone(), line_of(x))),
                Node::Int(i) => Ok((i.to_string(), line_of(x))),
                _ => Err(err(x, format!("{what}: expected a string"))),
            })
            .collect(),
        _ => Err(err(
            n,
            format!("{what}: expected a string or a list of strings"),
        )),
    }
}

fn boolean(n: &SNode, what: &str) -> Result<bool, CheckError> {
    match n.value {
        Node::Bool(b) => Ok(b),
        _ => Err(err(n, format!("`{what}` must be true or false"))),
    }
}

fn count(n: &SNode, what: &str) -> Result<usize, CheckError> {
    match n.value {
        Node::Int(i) if i >= 0 => Ok(i as usize),
        _ => Err(err(n, format!("`{what}` must be a whole number ≥ 0"))),
    }
}

/// Parses a `scope:` value.
pub fn parse_scope(n: &SNode) -> Result<Scope, CheckError> {
    match &n.value {
        Node::Str(s) => match s.as_str() {
            "skill" => Ok(Scope::Skill),
            "skill_md" => Ok(Scope::SkillMd),
            "references" => Ok(Scope::References),
            "templates" => Ok(Scope::Templates),
            other => Named::parse(other).map(Scope::Section).ok_or_else(|| {
                err(
                    n,
                    format!(
                        "unknown scope `{other}`; use skill, skill_md, persona, questions, principles, workflow, output_format, scenarios, references, templates, {{heading: …}}, {{file: …}} or {{code: …}}"
                    ),
                )
            }),
        },
        Node::Map(m) if m.len() == 1 => {
            let (k, v) = &m[0];
            let Some(val) = v.value.as_str() else {
                return Err(err(v, format!("scope `{}` needs a string", k.value)));
            };
            match k.value.as_str() {
                "heading" => Ok(Scope::Heading(val.to_string())),
                "file" => Scope::file(val).map_err(|e| err(v, e)),
                "code" => Ok(Scope::Code(val.to_string())),
                other => Err(err(
                    v,
                    format!("unknown scope key `{other}`; use heading, file or code"),
                )),
            }
        }
        _ => Err(err(n, "a scope is a name (e.g. principles) or a one-key map ({heading: …}, {file: …}, {code: …})")),
    }
}

/// Parses one check object.
pub fn parse(n: &SNode) -> Result<Check, CheckError> {
    let Node::Map(m) = &n.value else {
        return Err(err(
            n,
            format!("a check must be a map with one of: {}", KINDS.join(", ")),
        ));
    };
    let mut scope = Scope::Skill;
    let mut kind: Option<(&str, &SNode)> = None;
    for (k, v) in m {
        if k.value == "scope" {
            scope = parse_scope(v)?;
        } else if KINDS.contains(&k.value.as_str()) {
            if let Some((first, _)) = kind {
                return Err(CheckError {
                    line: line_of(k),
                    message: format!(
                        "a check has exactly one kind, found `{first}` and `{}`; combine them with `all: [...]`",
                        k.value
                    ),
                });
            }
            kind = Some((k.value.as_str(), v));
        } else {
            return Err(CheckError {
                line: line_of(k),
                message: format!(
                    "unknown check kind `{}`; use one of: {}",
                    k.value,
                    KINDS.join(", ")
                ),
            });
        }
    }
    let Some((kind, v)) = kind else {
        return Err(err(
            n,
            format!("the check has no kind; use one of: {}", KINDS.join(", ")),
        ));
    };
    if scope.is_narrow() && matches!(kind, "structure" | "all" | "any" | "not") {
        return Err(err(
            n,
            format!("`scope` does not apply to `{kind}` (put it on the inner checks)"),
        ));
    }
    Ok(match kind {
        "any_regex" | "all_regex" | "advises" => {
            let res = strings(v, kind)?
                .into_iter()
                .map(|(s, line)| compile_regex(&s).map_err(|message| CheckError { line, message }))
                .collect::<Result<Vec<_>, _>>()?;
            if res.is_empty() {
                return Err(err(v, format!("`{kind}` needs at least one regex")));
            }
            if kind == "any_regex" {
                Check::AnyRegex(res, scope)
            } else if kind == "advises" {
                Check::Advises(res, scope)
            } else {
                Check::AllRegex(res, scope)
            }
        }
        "mentions" => {
            let (list, min) = list_and_min(v, "terms")?;
            let mut items = Vec::new();
            for it in list {
                let syns = strings(it, "mentions")?;
                let terms = syns
                    .into_iter()
                    .map(|(s, line)| Term::new(&s).map_err(|message| CheckError { line, message }))
                    .collect::<Result<Vec<_>, _>>()?;
                if terms.is_empty() {
                    return Err(err(it, "an empty synonym list in `mentions`"));
                }
                items.push(terms);
            }
            let min = check_min(v, min, items.len())?;
            Check::Mentions { items, min, scope }
        }
        "commands" => {
            let (list, min) = list_and_min(v, "list")?;
            let mut pats = Vec::new();
            for it in list {
                let Some(s) = it.value.as_str() else {
                    return Err(err(
                        it,
                        "`commands` entries are strings like \"docker logs -f\"",
                    ));
                };
                pats.push(CmdPattern::new(s).map_err(|e| err(it, e))?);
            }
            let min = check_min(v, min, pats.len())?;
            Check::Commands {
                list: pats,
                min,
                scope,
            }
        }
        "dockerfile" => Check::Dockerfile(parse_docker(v)?, scope),
        "compose" => Check::Compose(parse_compose(v)?, scope),
        "structure" => Check::Structure(parse_structure(v)?),
        "all" | "any" => {
            let Some(items) = v.value.as_seq() else {
                return Err(err(v, format!("`{kind}` takes a list of checks")));
            };
            if items.is_empty() {
                return Err(err(v, format!("`{kind}` needs at least one check")));
            }
            let cs = items.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
            if kind == "all" {
                Check::All(cs)
            } else {
                Check::Any(cs)
            }
        }
        _ => Check::Not(Box::new(parse(v)?)),
    })
}

/// A list of nodes and an optional `min` (with its node).
type ListMin<'a> = (&'a [SNode], Option<(usize, &'a SNode)>);

/// `[a, b]` or `{ <key>: [a, b], min: N }`.
fn list_and_min<'a>(v: &'a SNode, key: &str) -> Result<ListMin<'a>, CheckError> {
    match &v.value {
        Node::Seq(items) => Ok((items, None)),
        Node::Map(m) => {
            let mut list = None;
            let mut min = None;
            for (k, x) in m {
                match k.value.as_str() {
                    k2 if k2 == key => {
                        list = Some(
                            x.value
                                .as_seq()
                                .ok_or_else(|| err(x, format!("`{key}` must be a list")))?,
                        )
                    }
                    "min" => min = Some((count(x, "min")?, x)),
                    other => {
                        return Err(CheckError {
                            line: line_of(k),
                            message: format!(
                                "unknown key `{other}`; expected `{key}` and optional `min`"
                            ),
                        });
                    }
                }
            }
            let list = list.ok_or_else(|| err(v, format!("missing `{key}: [...]`")))?;
            Ok((list, min))
        }
        _ => Err(err(
            v,
            format!("expected a list, or {{ {key}: [...], min: N }}"),
        )),
    }
}

fn check_min(v: &SNode, min: Option<(usize, &SNode)>, len: usize) -> Result<usize, CheckError> {
    if len == 0 {
        return Err(err(v, "the list is empty"));
    }
    match min {
        None => Ok(len),
        Some((m, n)) if m == 0 || m > len => {
            Err(err(n, format!("`min` must be between 1 and {len}")))
        }
        Some((m, _)) => Ok(m),
    }
}

fn map_entries<'a>(
    v: &'a SNode,
    kind: &str,
) -> Result<&'a [(serde_saphyr::Spanned<String>, SNode)], CheckError> {
    match &v.value {
        Node::Map(m) if !m.is_empty() => Ok(m),
        _ => Err(err(v, format!("`{kind}` takes a map of predicates"))),
    }
}

fn unknown(k: &serde_saphyr::Spanned<String>, kind: &str, names: &[&str]) -> CheckError {
    CheckError {
        line: line_of(k),
        message: format!(
            "unknown {kind} predicate `{}`; known: {}",
            k.value,
            names.join(", ")
        ),
    }
}

fn parse_docker(v: &SNode) -> Result<DockerPreds, CheckError> {
    let mut p = DockerPreds::default();
    for (k, x) in map_entries(v, "dockerfile")? {
        let key = k.value.as_str();
        match key {
            "min_stages" => p.min_stages = Some(count(x, key)?),
            "copy_from_stage" => p.copy_from_stage = Some(boolean(x, key)?),
            "final_user_non_root" => p.final_user_non_root = Some(boolean(x, key)?),
            "healthcheck" => p.healthcheck = Some(boolean(x, key)?),
            "exec_form_cmd" => p.exec_form_cmd = Some(boolean(x, key)?),
            "pinned_base" => p.pinned_base = Some(boolean(x, key)?),
            "uses_uv" => p.uses_uv = Some(boolean(x, key)?),
            "uv_locked" => p.uv_locked = Some(boolean(x, key)?),
            "cache_mount" => p.cache_mount = Some(boolean(x, key)?),
            "deps_before_source" => p.deps_before_source = Some(boolean(x, key)?),
            "no_secrets_in_env" => p.no_secrets_in_env = Some(boolean(x, key)?),
            "copy_chown" => p.copy_chown = Some(boolean(x, key)?),
            "workdir" => p.workdir = Some(boolean(x, key)?),
            "latest_base" => p.latest_base = Some(boolean(x, key)?),
            "bakes_model" => p.bakes_model = Some(boolean(x, key)?),
            "language" => {
                let langs = strings(x, key)?;
                for (l, line) in &langs {
                    if !dockerfacts::LANGUAGES.contains(&l.as_str()) {
                        return Err(CheckError {
                            line: *line,
                            message: format!(
                                "unknown language `{l}`; use {}",
                                dockerfacts::LANGUAGES.join(", ")
                            ),
                        });
                    }
                }
                p.language = Some(langs.into_iter().map(|f| f.0).collect());
            }
            "base_image_family" => {
                let fams = strings(x, key)?;
                for (f, line) in &fams {
                    if !dockerfacts::FAMILIES.contains(&f.as_str()) {
                        return Err(CheckError {
                            line: *line,
                            message: format!(
                                "unknown image family `{f}`; use {}",
                                dockerfacts::FAMILIES.join(", ")
                            ),
                        });
                    }
                }
                p.base_image_family = Some(fams.into_iter().map(|f| f.0).collect());
            }
            "exposes" => p.exposes = Some(strings(x, key)?.into_iter().map(|f| f.0).collect()),
            "has_env" => p.has_env = strings(x, key)?.into_iter().map(|f| f.0).collect(),
            "has_arg" => p.has_arg = strings(x, key)?.into_iter().map(|f| f.0).collect(),
            "passes_rules" => {
                let ids = strings(x, key)?;
                for (id, line) in &ids {
                    if !dockerfacts::rule_known(id) {
                        return Err(CheckError {
                            line: *line,
                            message: format!(
                                "unknown Dockerfile rule id `{id}` (see `skillforge lint --list-rules`)"
                            ),
                        });
                    }
                }
                p.passes_rules = ids.into_iter().map(|f| f.0).collect();
            }
            _ => return Err(unknown(k, "dockerfile", dockerfacts::NAMES)),
        }
    }
    Ok(p)
}

fn parse_compose(v: &SNode) -> Result<ComposePreds, CheckError> {
    let mut p = ComposePreds::default();
    for (k, x) in map_entries(v, "compose")? {
        let key = k.value.as_str();
        match key {
            "valid" => p.valid = Some(boolean(x, key)?),
            "healthcheck" => p.healthcheck = Some(boolean(x, key)?),
            "depends_on_healthy" => p.depends_on_healthy = Some(boolean(x, key)?),
            "named_volume" => p.named_volume = Some(boolean(x, key)?),
            "secrets" => p.secrets = Some(boolean(x, key)?),
            "no_plaintext_secrets" => p.no_plaintext_secrets = Some(boolean(x, key)?),
            "services_min" => p.services_min = Some(count(x, key)?),
            "has_service_image" => {
                p.has_service_image = strings(x, key)?.into_iter().map(|f| f.0).collect()
            }
            _ => return Err(unknown(k, "compose", composefacts::NAMES)),
        }
    }
    Ok(p)
}

fn parse_structure(v: &SNode) -> Result<StructPreds, CheckError> {
    let mut p = StructPreds::default();
    for (k, x) in map_entries(v, "structure")? {
        let key = k.value.as_str();
        match key {
            "persona" => p.persona = Some(boolean(x, key)?),
            "persona_priorities" => p.persona_priorities = Some(boolean(x, key)?),
            "persona_conflicts" => p.persona_conflicts = Some(boolean(x, key)?),
            "principles_with_why" => p.principles_with_why = Some(boolean(x, key)?),
            "output_format" => p.output_format = Some(boolean(x, key)?),
            "description_when" => p.description_when = Some(boolean(x, key)?),
            "references_linked" => p.references_linked = Some(boolean(x, key)?),
            "principles_min" => p.principles_min = Some(count(x, key)?),
            "scenarios_min" => p.scenarios_min = Some(count(x, key)?),
            "templates_min" => p.templates_min = Some(count(x, key)?),
            "questions" => {
                let bad = || err(x, "`questions` takes [min, max], e.g. [5, 7]");
                let s = x.value.as_seq().ok_or_else(bad)?;
                if s.len() != 2 {
                    return Err(bad());
                }
                let (lo, hi) = (count(&s[0], key)?, count(&s[1], key)?);
                if lo > hi {
                    return Err(err(x, "`questions`: min is greater than max"));
                }
                p.questions = Some((lo, hi));
            }
            _ => return Err(unknown(k, "structure", structure::NAMES)),
        }
    }
    Ok(p)
}

impl Check {
    /// Short label of the kind, for reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Check::AnyRegex(..) => "any_regex",
            Check::AllRegex(..) => "all_regex",
            Check::Advises(..) => "advises",
            Check::Mentions { .. } => "mentions",
            Check::Dockerfile(..) => "dockerfile",
            Check::Compose(..) => "compose",
            Check::Structure(_) => "structure",
            Check::Commands { .. } => "commands",
            Check::All(_) => "all",
            Check::Any(_) => "any",
            Check::Not(_) => "not",
        }
    }

    /// Evaluates against a subject.
    pub fn eval(&self, s: &Subject) -> Outcome {
        let in_scope = |scope: &Scope, what: &str| -> String {
            if scope.is_narrow() {
                format!("{what} in {}", scope.describe())
            } else {
                what.to_string()
            }
        };
        match self {
            Check::AnyRegex(res, scope) => {
                let regions = scope.regions(s);
                let (ok, ev) = text::any_regex(s, &regions, res);
                let detail = in_scope(
                    scope,
                    &format!(
                        "none of {} found",
                        res.iter()
                            .map(|r| format!("/{}/", r.as_str()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                Outcome::with(
                    ok,
                    ev,
                    format!("nothing in {} says this yet", scope.place()),
                    detail,
                )
            }
            Check::Advises(res, scope) => {
                let regions = scope.regions(s);
                let (ok, ev) = text::advises(s, &regions, res);
                let detail = in_scope(
                    scope,
                    &format!(
                        "no advice matching {}",
                        res.iter()
                            .map(|r| format!("/{}/", r.as_str()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                Outcome::with(
                    ok,
                    ev,
                    format!("{} gives no such advice", scope.place()),
                    detail,
                )
            }
            Check::AllRegex(res, scope) => {
                let regions = scope.regions(s);
                let (ok, ev, missing) = text::all_regex(s, &regions, res);
                let detail = in_scope(
                    scope,
                    &format!(
                        "not found: {}",
                        missing
                            .iter()
                            .map(|m| format!("/{m}/"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                let plain = if ev.is_empty() {
                    format!("nothing in {} says this yet", scope.place())
                } else {
                    format!("{} covers only part of this", scope.place())
                };
                Outcome::with(ok, ev, plain, detail)
            }
            Check::Mentions { items, min, scope } => {
                let regions = scope.regions(s);
                let (ok, ev, missing) = text::mentions(s, &regions, items, *min);
                let detail = in_scope(
                    scope,
                    &format!(
                        "{} of {} wanted; missing: {}",
                        items.len() - missing.len(),
                        min,
                        missing.join(", ")
                    ),
                );
                // Name each missing idea by its first wording.
                let ideas: Vec<String> = missing
                    .iter()
                    .map(|m| m.split(" / ").next().unwrap_or(m).to_string())
                    .collect();
                let plain = format!("{} does not talk about {}", scope.place(), or_list(&ideas));
                Outcome::with(ok, ev, plain, detail)
            }
            Check::Commands { list, min, scope } => {
                let regions = scope.regions(s);
                let (ok, ev, missing) = commands::check(s, &regions, list, *min);
                let detail = in_scope(
                    scope,
                    &format!("commands not found in code: {}", missing.join(", ")),
                );
                let cmds: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
                let plain = format!(
                    "{} does not show {} as it would be run (in a shell code block, or in a sentence that says when)",
                    scope.place(),
                    or_list(&cmds)
                );
                Outcome::with(ok, ev, plain, detail)
            }
            Check::Dockerfile(p, scope) => {
                let o = dockerfacts::check(s, &scope.regions(s), p);
                Outcome {
                    passed: o.ok,
                    evidence: o.evidence,
                    note: o.plain.map(|n| looked(n, scope)),
                    detail: o.note.map(|n| in_scope(scope, &n)),
                }
            }
            Check::Compose(p, scope) => {
                let o = composefacts::check(s, &scope.regions(s), p);
                Outcome {
                    passed: o.ok,
                    evidence: o.evidence,
                    note: o.plain.map(|n| looked(n, scope)),
                    detail: o.note.map(|n| in_scope(scope, &n)),
                }
            }
            Check::Structure(p) => {
                let results = structure::eval(s, p);
                let failed: Vec<&structure::PredOutcome> =
                    results.iter().filter(|r| !r.ok).collect();
                let ev: Vec<Evidence> = results
                    .iter()
                    .filter(|r| r.ok)
                    .filter_map(|r| r.evidence.clone())
                    .collect();
                let ok = failed.is_empty();
                Outcome::with(
                    ok,
                    if ok { dedup(ev) } else { Vec::new() },
                    failed
                        .iter()
                        .map(|r| r.detail.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                    failed
                        .iter()
                        .map(|r| format!("{}: {}", r.name, r.detail))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            }
            Check::All(cs) => {
                let mut ev = Vec::new();
                let mut notes = Vec::new();
                let mut details = Vec::new();
                for c in cs {
                    let o = c.eval(s);
                    if o.passed {
                        ev.extend(o.evidence);
                    } else {
                        notes.extend(o.note);
                        details.extend(o.detail);
                    }
                }
                let ok = notes.is_empty() && details.is_empty();
                Outcome::with(
                    ok,
                    if ok { dedup(ev) } else { Vec::new() },
                    notes.join("; "),
                    details.join("; "),
                )
            }
            Check::Any(cs) => {
                let mut notes: Vec<String> = Vec::new();
                let mut details = Vec::new();
                for c in cs {
                    let o = c.eval(s);
                    if o.passed {
                        return o;
                    }
                    if let Some(n) = o.note
                        && !notes.contains(&n)
                    {
                        notes.push(n);
                    }
                    details.extend(o.detail);
                }
                // Alternatives usually differ only in where they look: say it once.
                let plain = merge_places(&notes);
                Outcome::with(
                    false,
                    Vec::new(),
                    plain,
                    format!("none held: {}", details.join(" | ")),
                )
            }
            Check::Not(c) => {
                let o = c.eval(s);
                let where_ = o
                    .evidence
                    .first()
                    .map(|e| format!(" (at {e})"))
                    .unwrap_or_default();
                let at = o
                    .evidence
                    .first()
                    .map(|e| format!(" at {e}"))
                    .unwrap_or_default();
                Outcome::with(
                    !o.passed,
                    Vec::new(),
                    format!("the skill gives the opposite advice{at}; a reader will follow it"),
                    format!("found what should be absent{where_}"),
                )
            }
        }
    }
}

/// A plain note with where it was looked for (unless that is the whole skill).
fn looked(note: String, scope: &Scope) -> String {
    if scope.is_narrow() {
        format!("{note} (looked in {})", scope.place())
    } else {
        note
    }
}

/// Joins plain notes of alternatives; notes of the form "nothing in X says this yet"
/// become one sentence listing every place looked at.
fn merge_places(notes: &[String]) -> String {
    const HEAD: &str = "nothing in ";
    const TAIL: &str = " says this yet";
    let mut places: Vec<String> = notes
        .iter()
        .filter_map(|n| n.strip_prefix(HEAD)?.strip_suffix(TAIL).map(str::to_string))
        .collect();
    // Sections and headings live in SKILL.md or a reference: a wider place says it all.
    let wide = Scope::References.place();
    if places.contains(&wide) {
        places.retain(|p| !p.ends_with("(SKILL.md, or a reference)"));
    }
    let mut out = Vec::new();
    if !places.is_empty() {
        out.push(format!("{HEAD}{}{TAIL}", or_list(&places)));
    }
    out.extend(
        notes
            .iter()
            .filter(|n| !(n.starts_with(HEAD) && n.ends_with(TAIL)))
            .cloned(),
    );
    out.join("; or: ")
}

pub(crate) fn dedup(mut v: Vec<Evidence>) -> Vec<Evidence> {
    let mut seen = Vec::new();
    v.retain(|e| {
        if seen.contains(e) {
            false
        } else {
            seen.push(e.clone());
            true
        }
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chk(y: &str) -> Result<Check, CheckError> {
        let n: SNode = serde_saphyr::from_str(y).unwrap();
        parse(&n)
    }

    #[test]
    fn parse_errors_have_lines() {
        let e = chk("any_regex: ['ok', '(bad']\n").unwrap_err();
        assert!(e.message.contains("invalid regex"), "{}", e.message);
        let e = chk("any_regex: [a]\nmentions: [b]\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("exactly one kind"));
        let e = chk("dockerfile:\n  min_stages: 2\n  helthcheck: true\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("helthcheck"));
        let e = chk("mentions: [a]\nscope: nowhere\n").unwrap_err();
        assert!(e.message.contains("unknown scope"));
        let e = chk("mentions: { terms: [a, b], min: 3 }\n").unwrap_err();
        assert!(e.message.contains("between 1 and 2"));
        assert!(chk("structure: { questions: [7, 5] }\n").is_err());
        assert!(chk("structure: { persona: true }\nscope: principles\n").is_err());
    }

    #[test]
    fn composition_all_any_not() {
        let s = Subject::from_answer("## Principles\n- Use slim images because they are small.\n");
        let yes =
            chk("all: [ {mentions: [slim]}, {any_regex: [small], scope: principles} ]\n").unwrap();
        assert!(yes.eval(&s).passed);
        let no = chk("all: [ {mentions: [slim]}, {mentions: [alpine]} ]\n").unwrap();
        let o = no.eval(&s);
        assert!(!o.passed);
        assert!(o.note.unwrap().contains("alpine"));
        assert!(
            chk("any: [ {mentions: [alpine]}, {mentions: [slim]} ]\n")
                .unwrap()
                .eval(&s)
                .passed
        );
        assert!(!chk("not: {mentions: [slim]}\n").unwrap().eval(&s).passed);
        assert!(chk("not: {mentions: [latest]}\n").unwrap().eval(&s).passed);
    }

    #[test]
    fn scoped_text_ignores_other_sections() {
        let s =
            Subject::from_answer("## Persona\nA builder.\n## Notes\nsecurity over convenience\n");
        let c = chk("any_regex: ['security over']\nscope: persona\n").unwrap();
        let o = c.eval(&s);
        assert!(!o.passed);
        assert!(o.note.unwrap().contains("persona section"));
        assert!(
            chk("any_regex: ['security over']\nscope: {heading: notes}\n")
                .unwrap()
                .eval(&s)
                .passed
        );
    }

    #[test]
    fn dockerfile_check_on_answer() {
        let s = Subject::from_answer(
            "```dockerfile\nFROM python:3.12-slim AS builder\nRUN pip install uv\nFROM python:3.12-slim\nCOPY --from=builder /app /app\nUSER app\nHEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1\nCMD [\"uvicorn\", \"main:app\"]\n```\n",
        );
        let c = chk("dockerfile: { min_stages: 2, copy_from_stage: true, final_user_non_root: true, healthcheck: true, exec_form_cmd: true, base_image_family: slim }\n").unwrap();
        let o = c.eval(&s);
        assert!(o.passed, "{:?}", o.note);
        assert_eq!(o.evidence[0].line, 2);
        let c = chk("dockerfile: { min_stages: 3 }\n").unwrap();
        let o = c.eval(&s);
        assert!(!o.passed);
        assert!(o.detail.unwrap().contains("min_stages 3 (has 2)"));
        assert!(
            o.note
                .unwrap()
                .contains("has 2 stages where 3 are expected")
        );
        let thin = Subject::from_answer("FROM python in prose, USER, HEALTHCHECK\n");
        let c = chk("dockerfile: { healthcheck: true }\n").unwrap();
        let o = c.eval(&thin);
        assert_eq!(o.detail.as_deref(), Some("no Dockerfile in scope"));
        assert!(
            o.note
                .unwrap()
                .starts_with("no Dockerfile (a template file")
        );
    }

    #[test]
    fn default_notes_read_like_a_review_and_the_matcher_is_kept() {
        let s = Subject::from_answer("## Persona\nA builder.\n");
        for (y, plain) in [
            (
                "any: [ {any_regex: ['unless-stopped'], scope: references}, {any_regex: ['unless-stopped'], scope: principles} ]\n",
                "nothing in the references or SKILL.md says this yet",
            ),
            (
                "mentions: { terms: [[security, secure], [size, small]], min: 2 }\nscope: persona\n",
                "the persona section (SKILL.md, or a reference) does not talk about security or size",
            ),
            (
                "commands: ['docker logs -f']\n",
                "the skill does not show `docker logs -f` as it would be run",
            ),
            (
                "dockerfile: { final_user_non_root: true }\n",
                "no Dockerfile (a template file or a ```dockerfile block)",
            ),
        ] {
            let o = chk(y).unwrap().eval(&s);
            let note = o.note.unwrap();
            assert!(note.starts_with(plain), "{note}");
            for bad in ["/", "wanted", "_non_", "none held", "any_regex"] {
                assert!(
                    !note.replace("SKILL.md, or", "").contains(bad)
                        || bad == "/" && note.contains("```"),
                    "`{bad}` in the default note: {note}"
                );
            }
            assert!(o.detail.is_some());
        }
    }
}
