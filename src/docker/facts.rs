//! Dockerfile facts: a typed, owned summary of one Dockerfile (a SKILL.md code block
//! or a file of the skill), built with `parse-dockerfile`, every fact carrying the
//! span it came from in SKILL.md or the file.

use super::shell::{self, SimpleCommand};
use crate::skill::{LineIndex, Span};
use parse_dockerfile as pd;

/// Where a Dockerfile came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A fenced code block of SKILL.md (`index` into `body.code_blocks`).
    Block {
        index: usize,
        code_start_line: usize,
    },
    /// A file of the skill, relative to the skill dir.
    File { rel: String },
    /// Text not tied to a skill (model answers, tests): spans are in the text itself.
    Text,
}

/// Maps byte offsets in the Dockerfile text to spans in the origin file.
pub(crate) struct Mapper<'a> {
    text: &'a str,
    ix: LineIndex,
    /// For blocks: the SKILL.md text, its index, and for each block line the offset in
    /// SKILL.md where it starts (the file line's start plus any list indentation).
    doc: Option<(&'a str, &'a LineIndex, Vec<usize>)>,
}

impl<'a> Mapper<'a> {
    pub(crate) fn new(text: &'a str, doc: Option<(&'a str, &'a LineIndex, usize)>) -> Self {
        let ix = LineIndex::new(text);
        let doc = doc.map(|(dtext, dix, first)| {
            let bases = (1..=ix.line_count(text).max(1))
                .map(|line| {
                    let block_line = ix.line_str(text, line);
                    let dline = first + line - 1;
                    dix.line_start(dline) + block_indent(dix.line_str(dtext, dline), block_line)
                })
                .collect();
            (dtext, dix, bases)
        });
        Mapper { text, ix, doc }
    }

    /// The span of `offset..offset+len` (clamped to its first line) in the origin.
    pub(crate) fn span(&self, offset: usize, len: usize) -> Span {
        let offset = offset.min(self.text.len());
        let line = self.ix.line_of(offset);
        let lstart = self.ix.line_start(line);
        let lend = self.ix.line_end(self.text, line);
        let len = len.min(lend.saturating_sub(offset));
        match &self.doc {
            None => self.ix.span(self.text, offset, len),
            Some((doc, dix, bases)) => {
                let base = bases.get(line - 1).or(bases.last()).copied().unwrap_or(0);
                // Stay on character boundaries even if the block line was not found
                // verbatim in the file line (e.g. tabs expanded by the Markdown parser).
                let mut off = (base + (offset - lstart)).min(doc.len());
                while off > 0 && !doc.is_char_boundary(off) {
                    off -= 1;
                }
                let mut end = (off + len).min(doc.len());
                while end > off && !doc.is_char_boundary(end) {
                    end -= 1;
                }
                dix.span(doc, off, end - off)
            }
        }
    }

    /// The span of the line holding `offset`, from `offset` to the line's end.
    pub(crate) fn line_from(&self, offset: usize) -> Span {
        self.span(offset, usize::MAX / 2)
    }

    /// 1-based line within the Dockerfile text itself.
    pub(crate) fn local_line(&self, offset: usize) -> usize {
        self.ix.line_of(offset.min(self.text.len()))
    }
}

/// Where a code-block line starts within its SKILL.md line (blocks inside list items
/// are indented in the file but not in the code).
pub(crate) fn block_indent(doc_line: &str, block_line: &str) -> usize {
    if block_line.is_empty() {
        0
    } else if doc_line.ends_with(block_line) {
        doc_line.len() - block_line.len()
    } else {
        doc_line.find(block_line).unwrap_or(0)
    }
}

/// A base image reference (`FROM` or `COPY --from=<image>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageRef {
    /// As written.
    pub raw: String,
    /// Repository including registry, e.g. `ghcr.io/astral-sh/uv`.
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Broad family of a base image, by name and tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFamily {
    Scratch,
    Distroless,
    /// Docker Hardened Images (`dhi.io/…`).
    Dhi,
    Alpine,
    Slim,
    Full,
}

impl ImageRef {
    pub fn parse(raw: &str) -> ImageRef {
        let (rest, digest) = match raw.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (raw, None),
        };
        let slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], Some(rest[slash + i + 1..].to_string())),
            None => (rest, None),
        };
        ImageRef {
            raw: raw.to_string(),
            name: name.to_string(),
            tag,
            digest,
        }
    }

    /// `true` when the reference uses a build argument (`$VAR`), so it cannot be judged.
    pub fn has_variable(&self) -> bool {
        self.raw.contains('$')
    }

    pub fn is_scratch(&self) -> bool {
        self.name.eq_ignore_ascii_case("scratch")
    }

    /// Pinned: a digest, or a tag other than `latest`.
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some() || self.tag.as_deref().is_some_and(|t| t != "latest")
    }

    /// The repository without registry and namespace (`python` for `docker.io/library/python`).
    pub fn short_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }

    pub fn family(&self) -> ImageFamily {
        let name = self.name.to_ascii_lowercase();
        let tag = self.tag.as_deref().unwrap_or("").to_ascii_lowercase();
        if name == "scratch" {
            ImageFamily::Scratch
        } else if name.contains("distroless") || name.contains("chainguard") {
            ImageFamily::Distroless
        } else if name.starts_with("dhi.io/") || name.starts_with("docker/dhi-") {
            ImageFamily::Dhi
        } else if name.ends_with("alpine") || tag.contains("alpine") {
            ImageFamily::Alpine
        } else if tag.contains("slim") || name.ends_with("-slim") {
            ImageFamily::Slim
        } else {
            ImageFamily::Full
        }
    }
}

/// A located string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub value: String,
    pub span: Span,
}

/// An ENV/ARG entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: Option<String>,
    pub span: Span,
}

/// A `--mount=…` of RUN.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mount {
    /// `cache`, `secret`, `bind`, `ssh`, `tmpfs`.
    pub kind: String,
    pub target: Option<String>,
    pub id: Option<String>,
    pub raw: String,
}

/// A package-manager call inside a RUN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    Apt,
    Apk,
    Pip,
    Uv,
    Npm,
    Go,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageCall {
    pub manager: PackageManager,
    /// The program as invoked (`apt-get`, `apt`, `pip3`, `python3` …).
    pub program: String,
    /// The subcommand words (`install`, `sync`, `pip install`, `mod download` …).
    pub subcommand: String,
    /// All words after the program (for pip: after `-m pip`).
    pub args: Vec<String>,
}

impl PackageCall {
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.args.iter().any(|a| {
            flags.iter().any(|f| {
                a == f || (f.starts_with("--") && a.starts_with(f) && a[f.len()..].starts_with('='))
            })
        })
    }

    /// Non-option arguments after the subcommand.
    pub fn operands(&self) -> Vec<&str> {
        let skip = self.subcommand.split_whitespace().count();
        let mut out = Vec::new();
        let mut seen = 0;
        for a in &self.args {
            if a.starts_with('-') {
                continue;
            }
            if seen < skip {
                seen += 1;
                continue;
            }
            out.push(a.as_str());
        }
        out
    }
}

/// A RUN instruction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunFact {
    /// The shell text with continuations joined (exec form: the arguments joined by spaces).
    pub script: String,
    pub exec_form: bool,
    /// Here-document bodies (`RUN <<EOF`).
    pub heredocs: Vec<String>,
    pub mounts: Vec<Mount>,
    /// Simple commands of the script and here-docs.
    pub commands: Vec<SimpleCommand>,
    pub packages: Vec<PackageCall>,
}

impl RunFact {
    /// Some command pipes into another (`a | b`).
    pub fn has_pipe(&self) -> bool {
        !self.exec_form && self.commands.iter().any(|c| c.piped)
    }

    pub fn has_cache_mount(&self) -> bool {
        self.mounts.iter().any(|m| m.kind == "cache")
    }

    pub fn calls(&self, m: PackageManager) -> impl Iterator<Item = &PackageCall> {
        self.packages.iter().filter(move |p| p.manager == m)
    }

    /// Installs dependencies (apt/apk/pip/uv/npm/go install-like subcommands).
    pub fn installs_dependencies(&self) -> bool {
        self.packages.iter().any(|p| {
            let s = p.subcommand.as_str();
            matches!(
                s,
                "install" | "sync" | "ci" | "pip install" | "pip sync" | "mod download"
            ) && p.manager != PackageManager::Apt
                && p.manager != PackageManager::Apk
                && {
                    let ops = p.operands();
                    ops.is_empty() || !ops.iter().all(|o| o.starts_with('.') || o.starts_with('/'))
                }
        })
    }
}

/// COPY or ADD.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopyFact {
    pub is_add: bool,
    pub from: Option<Located>,
    pub chown: Option<String>,
    pub sources: Vec<String>,
    pub dest: String,
    pub heredoc: bool,
}

/// CMD / ENTRYPOINT / HEALTHCHECK CMD form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandFact {
    pub exec_form: bool,
    /// Exec form: the arguments; shell form: one element, the text.
    pub args: Vec<String>,
}

/// A HEALTHCHECK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthcheckFact {
    /// `--interval=30s` → ("interval", "30s").
    pub options: Vec<(String, String)>,
    /// `None` for `HEALTHCHECK NONE`.
    pub command: Option<CommandFact>,
}

/// One instruction's kind and payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstKind {
    Run(RunFact),
    Copy(CopyFact),
    Cmd(CommandFact),
    Entrypoint(CommandFact),
    Healthcheck(HealthcheckFact),
    User(String),
    Workdir(String),
    Env(Vec<KeyValue>),
    Arg(Vec<KeyValue>),
    Expose(Vec<Located>),
    Shell(Vec<String>),
    Maintainer,
    Other,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inst {
    /// The instruction keyword as written (`RUN`, `run` …).
    pub keyword: String,
    /// From the keyword to the end of its first line.
    pub span: Span,
    /// 1-based line within the Dockerfile text.
    pub local_line: usize,
    pub kind: InstKind,
}

/// One build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// The FROM keyword as written and the span of the FROM line.
    pub from_keyword: String,
    pub span: Span,
    pub local_line: usize,
    pub image: ImageRef,
    pub image_span: Span,
    pub alias: Option<Located>,
    /// The `AS` keyword as written.
    pub as_keyword: Option<String>,
    pub platform: Option<String>,
    /// The stage this one builds on (`FROM builder`), if the image names an earlier stage.
    pub base_stage: Option<usize>,
    pub instructions: Vec<Inst>,
}

impl Stage {
    pub fn name(&self) -> Option<&str> {
        self.alias.as_ref().map(|a| a.value.as_str())
    }

    pub fn runs(&self) -> impl Iterator<Item = (&Inst, &RunFact)> {
        self.instructions.iter().filter_map(|i| match &i.kind {
            InstKind::Run(r) => Some((i, r)),
            _ => None,
        })
    }

    pub fn copies(&self) -> impl Iterator<Item = (&Inst, &CopyFact)> {
        self.instructions.iter().filter_map(|i| match &i.kind {
            InstKind::Copy(c) => Some((i, c)),
            _ => None,
        })
    }

    /// The last USER of this stage (not inherited).
    pub fn last_user(&self) -> Option<(&Inst, &str)> {
        self.instructions.iter().rev().find_map(|i| match &i.kind {
            InstKind::User(u) => Some((i, u.as_str())),
            _ => None,
        })
    }

    pub fn healthchecks(&self) -> impl Iterator<Item = (&Inst, &HealthcheckFact)> {
        self.instructions.iter().filter_map(|i| match &i.kind {
            InstKind::Healthcheck(h) => Some((i, h)),
            _ => None,
        })
    }

    /// Has CMD, ENTRYPOINT or EXPOSE: the image runs a service.
    pub fn is_service(&self) -> bool {
        self.instructions.iter().any(|i| {
            matches!(
                i.kind,
                InstKind::Cmd(_) | InstKind::Entrypoint(_) | InstKind::Expose(_)
            )
        })
    }
}

/// A parse problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseProblem {
    pub message: String,
    pub span: Span,
}

/// The facts of one Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub origin: Origin,
    /// No FROM: a snippet showing some instructions (e.g. only a HEALTHCHECK line).
    /// Its instructions are in one pseudo-stage whose `image` is empty.
    pub fragment: bool,
    pub parse_error: Option<ParseProblem>,
    /// Rules named in a `# check=skip=…` directive (`all` turns every rule off).
    pub check_skip: Vec<String>,
    /// ARGs before the first FROM.
    pub global_args: Vec<KeyValue>,
    pub stages: Vec<Stage>,
    /// Span of the first line (for whole-file findings).
    pub head_span: Span,
    /// `# hadolint ignore=DL3008,…` pragmas: (line in the origin file of the
    /// instruction that follows, ids).
    pub inline_ignores: Vec<(usize, Vec<String>)>,
}

/// Dependency manifests whose COPY should precede the source COPY.
pub const DEPENDENCY_MANIFESTS: &[&str] = &[
    "pyproject.toml",
    "uv.lock",
    "poetry.lock",
    "Pipfile",
    "Pipfile.lock",
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.mod",
    "go.sum",
    "Cargo.toml",
    "Cargo.lock",
    "Gemfile",
    "Gemfile.lock",
];

/// Is this COPY source a dependency manifest (`requirements*.txt`, `package*.json` …)?
pub fn is_manifest(src: &str) -> bool {
    let base = src.trim_end_matches('/').rsplit('/').next().unwrap_or(src);
    DEPENDENCY_MANIFESTS.contains(&base)
        || (base.starts_with("requirements") && base.ends_with(".txt"))
        || (base.starts_with("package") && base.ends_with(".json"))
}

impl Dockerfile {
    /// Parses `text` from `origin`. For SKILL.md blocks pass `doc` = (SKILL.md text,
    /// its line index, the block's first code line) so spans land in SKILL.md.
    pub fn parse(text: &str, origin: Origin, doc: Option<(&str, &LineIndex, usize)>) -> Dockerfile {
        // Parsed as if newline-terminated (BuildKit reads a last line the same either
        // way). Without this, two fuzz findings: a final `\` continuation at the very
        // end was a parse error ("expected AS") the same text with a newline did not
        // have, and a text of only `# syntax=…` with no newline swallowed the synthetic
        // FROM of a fragment into its comment. Offsets of the text are unchanged.
        let terminated;
        let text = if text.is_empty() || text.ends_with('\n') {
            text
        } else {
            terminated = format!("{text}\n");
            terminated.as_str()
        };
        let map = Mapper::new(text, doc);
        let fragment = !has_from(text);
        const PREFIX: &str = "FROM scratch\n";
        let owned;
        let (src, shift) = if fragment {
            // Keep parser directives (must come first) ahead of the synthetic FROM.
            // Directive lines end in a newline (the text is terminated above), so the
            // synthetic FROM starts a line of its own.
            let dir_end = directives_end(text);
            owned = format!("{}{PREFIX}{}", &text[..dir_end], &text[dir_end..]);
            (owned.as_str(), Some((dir_end, PREFIX.len())))
        } else {
            (text, None)
        };
        // Offsets in `src` → offsets in `text`.
        let fix = |o: usize| -> usize {
            match shift {
                Some((at, n)) if o >= at + n => o - n,
                Some((at, _)) if o >= at => at,
                _ => o,
            }
        };
        let mut df = Dockerfile {
            origin,
            fragment,
            parse_error: None,
            check_skip: Vec::new(),
            global_args: Vec::new(),
            stages: Vec::new(),
            head_span: map.line_from(0),
            inline_ignores: inline_ignores(text, &map),
        };
        let iter = match pd::parse_iter(src) {
            Ok(it) => it,
            Err(e) => {
                df.parse_error = Some(problem(&e, src, &map, &fix));
                return df;
            }
        };
        let mut stage_names: Vec<String> = Vec::new();
        let mut first_skipped = fragment;
        for item in iter {
            let inst = match item {
                Ok(i) => i,
                Err(e) => {
                    df.parse_error = Some(problem(&e, src, &map, &fix));
                    break;
                }
            };
            match inst {
                pd::Instruction::From(f) => {
                    if first_skipped {
                        first_skipped = false;
                        df.stages.push(Stage {
                            index: 0,
                            from_keyword: String::new(),
                            span: map.line_from(0),
                            local_line: 1,
                            image: ImageRef::default(),
                            image_span: map.line_from(0),
                            alias: None,
                            as_keyword: None,
                            platform: None,
                            base_stage: None,
                            instructions: Vec::new(),
                        });
                        continue;
                    }
                    let start = fix(f.from.span.start);
                    // As BuildKit does: ARGs declared before the first FROM expand in FROM.
                    let image = ImageRef::parse(&expand_args(&f.image.value, &df.global_args));
                    let base_stage = stage_names
                        .iter()
                        .position(|n| n.eq_ignore_ascii_case(&image.raw));
                    let alias = f.as_.as_ref().map(|(_, n)| Located {
                        value: n.value.to_string(),
                        span: map.span(fix(n.span.start), n.span.len()),
                    });
                    stage_names.push(alias.as_ref().map(|a| a.value.clone()).unwrap_or_default());
                    let platform = f
                        .options
                        .iter()
                        .find(|o| o.name.value.eq_ignore_ascii_case("platform"))
                        .and_then(|o| o.value.as_ref())
                        .map(|v| v.value.to_string());
                    df.stages.push(Stage {
                        index: df.stages.len(),
                        from_keyword: src[f.from.span.clone()].to_string(),
                        span: map.line_from(start),
                        local_line: map.local_line(start),
                        image,
                        image_span: map.span(fix(f.image.span.start), f.image.span.len()),
                        alias,
                        as_keyword: f.as_.as_ref().map(|(k, _)| src[k.span.clone()].to_string()),
                        platform,
                        base_stage,
                        instructions: Vec::new(),
                    });
                }
                other => {
                    let kw = keyword_span(&other);
                    let start = fix(kw.start);
                    let keyword = src[kw].to_string();
                    let kind = convert(&other, src, &map, &fix);
                    let inst = Inst {
                        keyword,
                        span: map.line_from(start),
                        local_line: map.local_line(start),
                        kind,
                    };
                    match df.stages.last_mut() {
                        Some(st) => st.instructions.push(inst),
                        None => {
                            if let InstKind::Arg(kvs) = inst.kind {
                                df.global_args.extend(kvs);
                            }
                        }
                    }
                }
            }
        }
        for line in text[..directives_end(text)].lines() {
            let body = line.trim().trim_start_matches('#').trim();
            if let Some((k, v)) = body.split_once('=')
                && k.trim().eq_ignore_ascii_case("check")
            {
                for part in v.split(';') {
                    if let Some(list) = part.trim().strip_prefix("skip=") {
                        df.check_skip.extend(
                            list.split(',')
                                .map(|s| s.trim().to_string())
                                .filter(|s| !s.is_empty()),
                        );
                    }
                }
            }
        }
        df
    }

    /// The last stage (the image that is built by default).
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    pub fn instructions(&self) -> impl Iterator<Item = (&Stage, &Inst)> {
        self.stages
            .iter()
            .flat_map(|s| s.instructions.iter().map(move |i| (s, i)))
    }

    pub fn runs(&self) -> impl Iterator<Item = (&Stage, &Inst, &RunFact)> {
        self.instructions().filter_map(|(s, i)| match &i.kind {
            InstKind::Run(r) => Some((s, i, r)),
            _ => None,
        })
    }

    /// Is a finding on origin line `line` silenced by a `# hadolint ignore=` pragma
    /// naming one of `ids`?
    pub fn ignored_at(&self, line: usize, ids: &[&str]) -> bool {
        self.inline_ignores.iter().any(|(l, list)| {
            *l == line
                && list
                    .iter()
                    .any(|x| ids.iter().any(|i| i.eq_ignore_ascii_case(x)))
        })
    }

    /// Is a rule (our id or a peer id/build-check name) skipped by `# check=skip=`?
    pub fn skips(&self, ids: &[&str]) -> bool {
        self.check_skip
            .iter()
            .any(|s| s.eq_ignore_ascii_case("all") || ids.iter().any(|i| i.eq_ignore_ascii_case(s)))
    }

    // ---- query helpers (used by eval's `dockerfile:` predicates) ----

    /// Number of real stages (0 for fragments).
    pub fn stage_count(&self) -> usize {
        if self.fragment { 0 } else { self.stages.len() }
    }

    /// Some `COPY --from=<stage>` references an earlier stage.
    pub fn copies_from_stage(&self) -> bool {
        let names: Vec<&str> = self.stages.iter().filter_map(|s| s.name()).collect();
        self.stages.iter().any(|s| {
            s.copies().any(|(_, c)| {
                c.from.as_ref().is_some_and(|f| {
                    names.iter().any(|n| n.eq_ignore_ascii_case(&f.value))
                        || f.value.parse::<usize>().is_ok_and(|i| i < s.index)
                })
            })
        })
    }

    /// The final stage's effective user is not root (a USER other than root/0 is set in
    /// it or in a stage it builds on).
    pub fn final_user_non_root(&self) -> bool {
        let mut st = self.final_stage();
        while let Some(s) = st {
            if let Some((_, u)) = s.last_user() {
                return !is_root_user(u);
            }
            st = s.base_stage.and_then(|i| self.stages.get(i));
        }
        false
    }

    pub fn has_healthcheck(&self) -> bool {
        self.instructions()
            .any(|(_, i)| matches!(&i.kind, InstKind::Healthcheck(h) if h.command.is_some()))
    }

    /// The final stage's CMD and ENTRYPOINT (if any) are all in exec form, and one exists.
    pub fn exec_form_cmd(&self) -> bool {
        let Some(st) = self.final_stage() else {
            return false;
        };
        let mut any = false;
        for i in &st.instructions {
            if let InstKind::Cmd(c) | InstKind::Entrypoint(c) = &i.kind {
                any = true;
                if !c.exec_form {
                    return false;
                }
            }
        }
        any
    }

    /// The family of the final stage's base image.
    pub fn base_family(&self) -> Option<ImageFamily> {
        let st = self.final_stage()?;
        let st = self.root_of(st);
        if self.fragment || st.image.has_variable() {
            return None;
        }
        Some(st.image.family())
    }

    /// Follows `FROM <stage>` chains to the stage that names a real image.
    pub fn root_of<'a>(&'a self, mut st: &'a Stage) -> &'a Stage {
        let mut hops = 0;
        while let Some(b) = st.base_stage {
            match self.stages.get(b) {
                Some(s) if hops < 64 => st = s,
                _ => break,
            }
            hops += 1;
        }
        st
    }

    /// Every external base image is pinned (tag other than latest, or digest).
    pub fn pinned_base(&self) -> bool {
        !self.fragment
            && self.stages.iter().all(|s| {
                s.base_stage.is_some()
                    || s.image.is_scratch()
                    || s.image.has_variable()
                    || s.image.is_pinned()
            })
    }

    pub fn uses_uv(&self) -> bool {
        self.runs()
            .any(|(_, _, r)| r.calls(PackageManager::Uv).next().is_some())
            || self.stages.iter().any(|s| {
                s.image.name.ends_with("astral-sh/uv")
                    || s.copies().any(|(_, c)| {
                        c.from
                            .as_ref()
                            .is_some_and(|f| f.value.contains("astral-sh/uv"))
                    })
            })
    }

    /// Every `uv sync` uses `--locked` or `--frozen` (and there is one).
    pub fn uv_locked(&self) -> bool {
        let syncs: Vec<&PackageCall> = self
            .runs()
            .flat_map(|(_, _, r)| r.calls(PackageManager::Uv))
            .filter(|c| c.subcommand == "sync")
            .collect();
        !syncs.is_empty() && syncs.iter().all(|c| c.has_flag(&["--locked", "--frozen"]))
    }

    pub fn has_cache_mount(&self) -> bool {
        self.runs().any(|(_, _, r)| r.has_cache_mount())
    }

    pub fn has_secret_mount(&self) -> bool {
        self.runs()
            .any(|(_, _, r)| r.mounts.iter().any(|m| m.kind == "secret"))
    }

    /// In every stage that installs dependencies, manifests are copied before the
    /// install and the source COPY comes after it. `None` when no stage installs.
    pub fn deps_before_source(&self) -> Option<bool> {
        let mut seen = false;
        for st in &self.stages {
            if let Some(ok) = stage_order_ok(st) {
                seen = true;
                if !ok {
                    return Some(false);
                }
            }
        }
        seen.then_some(true)
    }

    /// ENV/ARG keys that look like secrets.
    pub fn secret_env_keys(&self) -> Vec<&KeyValue> {
        self.global_args
            .iter()
            .chain(self.instructions().flat_map(|(_, i)| match &i.kind {
                InstKind::Env(kv) | InstKind::Arg(kv) => kv.as_slice(),
                _ => &[],
            }))
            .filter(|kv| is_secret_name(&kv.key))
            .collect()
    }

    pub fn copy_chown(&self) -> bool {
        self.stages
            .iter()
            .any(|s| s.copies().any(|(_, c)| c.chown.is_some()))
    }

    /// The final stage exposes `port` (e.g. "8000" or "8000/tcp").
    pub fn exposes(&self, port: &str) -> bool {
        let want = port.split('/').next().unwrap_or(port);
        self.final_stage().is_some_and(|s| {
            s.instructions.iter().any(|i| match &i.kind {
                InstKind::Expose(ps) => ps
                    .iter()
                    .any(|p| p.value.split('/').next().unwrap_or("") == want),
                _ => false,
            })
        })
    }

    /// Some ENV (any stage) sets `key`.
    pub fn has_env(&self, key: &str) -> bool {
        self.instructions().any(|(_, i)| match &i.kind {
            InstKind::Env(kv) => kv.iter().any(|k| k.key == key),
            _ => false,
        })
    }
}

/// `Some(true)` when the stage installs dependencies and no source COPY precedes the
/// install; `Some(false)` on a source COPY (`COPY . .`, an app dir) before the install.
pub(crate) fn stage_order_ok(st: &Stage) -> Option<bool> {
    let install = st
        .instructions
        .iter()
        .position(|i| matches!(&i.kind, InstKind::Run(r) if r.installs_dependencies()))?;
    let source_before = st.instructions[..install].iter().any(|i| match &i.kind {
        InstKind::Copy(c) => is_source_copy(c),
        _ => false,
    });
    Some(!source_before)
}

/// A COPY of source code (not manifests, not from another stage/image).
pub fn is_source_copy(c: &CopyFact) -> bool {
    c.from.is_none()
        && !c.heredoc
        && !c.sources.is_empty()
        && !c.sources.iter().all(|s| is_manifest(s))
}

pub fn is_root_user(u: &str) -> bool {
    let user = u.split(':').next().unwrap_or(u).trim();
    user == "root" || user == "0"
}

/// Secret-looking names: `*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, `*PRIVATE_KEY*`…
pub fn is_secret_name(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    let allowed = [
        "_FILE", "_PATH", "_DIR", "_URL", "_HOST", "_PORT", "_NAME", "_ID",
    ];
    if allowed.iter().any(|s| k.ends_with(s)) {
        return false;
    }
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// Finds `# hadolint ignore=A,B` comments and the line of the instruction after each.
fn inline_ignores(text: &str, map: &Mapper<'_>) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    if !text.contains("hadolint") {
        return out;
    }
    let mut pending: Vec<String> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if let Some(c) = t.strip_prefix('#') {
            let c = c.trim_start();
            if let Some(rest) = c.strip_prefix("hadolint")
                && let Some(list) = rest.trim_start().strip_prefix("ignore=")
            {
                pending.extend(
                    list.split(',')
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty()),
                );
            }
        } else if !t.is_empty() && !pending.is_empty() {
            out.push((map.span(offset, 0).line, std::mem::take(&mut pending)));
        }
        offset += line.len();
    }
    out
}

fn has_from(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start();
        t.get(..4).is_some_and(|k| k.eq_ignore_ascii_case("from"))
            && t.as_bytes().get(4).is_some_and(u8::is_ascii_whitespace)
    })
}

/// End of the leading parser-directive lines (`# syntax=…`, `# check=…`, `# escape=…`).
fn directives_end(text: &str) -> usize {
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let is_dir = t.starts_with('#') && {
            let body = t[1..].trim_start().to_ascii_lowercase();
            ["syntax", "escape", "check"]
                .iter()
                .any(|d| body.starts_with(d) && body[d.len()..].trim_start().starts_with('='))
        };
        if !is_dir {
            break;
        }
        end += line.len();
    }
    end
}

fn problem(
    e: &pd::Error,
    src: &str,
    map: &Mapper<'_>,
    fix: &dyn Fn(usize) -> usize,
) -> ParseProblem {
    // Locate by the error's 1-based line/column in `src`.
    let ix = LineIndex::new(src);
    let off = ix.line_start(e.line()) + e.column().saturating_sub(1);
    let msg = e.to_string();
    let message = msg
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid Dockerfile")
        .to_string();
    ParseProblem {
        message,
        span: map.line_from(fix(off.min(src.len()))),
    }
}

fn keyword_span(i: &pd::Instruction<'_>) -> std::ops::Range<usize> {
    use pd::Instruction as I;
    match i {
        I::Add(x) => x.add.span.clone(),
        I::Arg(x) => x.arg.span.clone(),
        I::Cmd(x) => x.cmd.span.clone(),
        I::Copy(x) => x.copy.span.clone(),
        I::Entrypoint(x) => x.entrypoint.span.clone(),
        I::Env(x) => x.env.span.clone(),
        I::Expose(x) => x.expose.span.clone(),
        I::From(x) => x.from.span.clone(),
        I::Healthcheck(x) => x.healthcheck.span.clone(),
        I::Label(x) => x.label.span.clone(),
        I::Maintainer(x) => x.maintainer.span.clone(),
        I::Onbuild(x) => x.onbuild.span.clone(),
        I::Run(x) => x.run.span.clone(),
        I::Shell(x) => x.shell.span.clone(),
        I::Stopsignal(x) => x.stopsignal.span.clone(),
        I::User(x) => x.user.span.clone(),
        I::Volume(x) => x.volume.span.clone(),
        I::Workdir(x) => x.workdir.span.clone(),
        _ => 0..0,
    }
}

fn command_fact(c: &pd::Command<'_>) -> CommandFact {
    match c {
        pd::Command::Exec(a) => CommandFact {
            exec_form: true,
            args: a.value.iter().map(|s| s.value.to_string()).collect(),
        },
        pd::Command::Shell(s) => CommandFact {
            exec_form: false,
            args: vec![join_continuations(s.value)],
        },
        _ => CommandFact {
            exec_form: false,
            args: Vec::new(),
        },
    }
}

/// Joins `\`+newline continuations and drops comment lines inside them.
fn join_continuations(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut lines = s.split('\n').peekable();
    while let Some(line) = lines.next() {
        let l = line.strip_suffix('\r').unwrap_or(line);
        if l.trim_start().starts_with('#') && !out.is_empty() {
            continue;
        }
        match l.strip_suffix('\\') {
            Some(head) if lines.peek().is_some() => {
                out.push_str(head);
                out.push(' ');
            }
            _ => {
                out.push_str(l);
                if lines.peek().is_some() {
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn key_values(raw: &str, start: usize, map: &Mapper<'_>) -> Vec<KeyValue> {
    let span = map.line_from(start);
    shell::split_key_values(raw)
        .into_iter()
        .map(|(key, value)| KeyValue { key, value, span })
        .collect()
}

fn convert(
    i: &pd::Instruction<'_>,
    src: &str,
    map: &Mapper<'_>,
    fix: &dyn Fn(usize) -> usize,
) -> InstKind {
    use pd::Instruction as I;
    let _ = src;
    match i {
        I::Run(r) => {
            let mounts = r
                .options
                .iter()
                .filter(|o| o.name.value.eq_ignore_ascii_case("mount"))
                .filter_map(|o| o.value.as_ref())
                .map(|v| parse_mount(&v.value))
                .collect();
            let cf = command_fact(&r.arguments);
            let script = cf.args.join(" ");
            let heredocs: Vec<String> = r.here_docs.iter().map(|h| h.value.to_string()).collect();
            let mut commands = if cf.exec_form {
                vec![SimpleCommand {
                    words: cf.args.clone(),
                    piped: false,
                }]
            } else {
                shell::split_commands(&script)
            };
            for h in &heredocs {
                commands.extend(shell::split_commands(h));
            }
            let packages = commands.iter().filter_map(package_call).collect();
            InstKind::Run(RunFact {
                script,
                exec_form: cf.exec_form,
                heredocs,
                mounts,
                commands,
                packages,
            })
        }
        I::Copy(c) => InstKind::Copy(copy_fact(
            false,
            &c.options,
            &c.src,
            &c.dest.value,
            map,
            fix,
        )),
        I::Add(c) => InstKind::Copy(copy_fact(true, &c.options, &c.src, &c.dest.value, map, fix)),
        I::Cmd(c) => InstKind::Cmd(command_fact(&c.arguments)),
        I::Entrypoint(c) => InstKind::Entrypoint(command_fact(&c.arguments)),
        I::Healthcheck(h) => InstKind::Healthcheck(HealthcheckFact {
            options: h
                .options
                .iter()
                .map(|o| {
                    (
                        o.name.value.to_string(),
                        o.value
                            .as_ref()
                            .map(|v| v.value.to_string())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            command: match &h.arguments {
                pd::HealthcheckArguments::Cmd { arguments, .. } => Some(command_fact(arguments)),
                _ => None,
            },
        }),
        I::User(u) => InstKind::User(u.arguments.value.trim().to_string()),
        I::Workdir(w) => InstKind::Workdir(w.arguments.value.trim().to_string()),
        I::Env(e) => InstKind::Env(key_values(&e.arguments.value, fix(e.env.span.start), map)),
        I::Arg(a) => InstKind::Arg(key_values(&a.arguments.value, fix(a.arg.span.start), map)),
        I::Expose(e) => InstKind::Expose(
            e.arguments
                .iter()
                .flat_map(|a| {
                    let base = fix(a.span.start);
                    a.value
                        .split_whitespace()
                        .map(|p| Located {
                            value: p.to_string(),
                            span: map.span(base, a.span.len()),
                        })
                        .collect::<Vec<_>>()
                })
                .collect(),
        ),
        I::Shell(s) => InstKind::Shell(s.arguments.iter().map(|a| a.value.to_string()).collect()),
        I::Maintainer(_) => InstKind::Maintainer,
        _ => InstKind::Other,
    }
}

fn copy_fact(
    is_add: bool,
    options: &[pd::Flag<'_>],
    src: &[pd::Source<'_>],
    dest: &str,
    map: &Mapper<'_>,
    fix: &dyn Fn(usize) -> usize,
) -> CopyFact {
    let flag = |name: &str| {
        options
            .iter()
            .find(|o| o.name.value.eq_ignore_ascii_case(name))
            .and_then(|o| o.value.as_ref())
    };
    CopyFact {
        is_add,
        from: flag("from").map(|v| Located {
            value: v.value.to_string(),
            span: map.span(fix(v.span.start), v.span.len()),
        }),
        chown: flag("chown").map(|v| v.value.to_string()),
        sources: src
            .iter()
            .filter_map(|s| match s {
                pd::Source::Path(p) => Some(p.value.to_string()),
                _ => None,
            })
            .collect(),
        dest: dest.to_string(),
        heredoc: src.iter().any(|s| matches!(s, pd::Source::HereDoc(_))),
    }
}

fn parse_mount(v: &str) -> Mount {
    let mut m = Mount {
        kind: "bind".into(),
        raw: v.to_string(),
        ..Mount::default()
    };
    for part in v.split(',') {
        let (k, val) = part.split_once('=').unwrap_or((part, ""));
        match k.trim() {
            "type" => m.kind = val.trim().to_string(),
            "target" | "dst" | "destination" => m.target = Some(val.trim().to_string()),
            "id" => m.id = Some(val.trim().to_string()),
            _ => {}
        }
    }
    m
}

/// Expands `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME-default}` in a FROM
/// image with the defaults of the global ARGs (those before the first FROM), as
/// BuildKit does. A variable with no value stays as written.
pub fn expand_args(raw: &str, args: &[KeyValue]) -> String {
    if !raw.contains('$') {
        return raw.to_string();
    }
    let value = |name: &str| -> Option<String> {
        args.iter()
            .rev()
            .find(|k| k.key == name)
            .and_then(|k| k.value.clone())
            .map(|v| v.trim_matches(['"', '\'']).to_string())
    };
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                out.push_str(&rest[i..]);
                return out;
            };
            let body = &inner[..close];
            let (name, default) = match body.split_once(":-").or_else(|| body.split_once('-')) {
                Some((n, d)) => (n, Some(d)),
                None => (body, None),
            };
            match value(name).or(default.map(str::to_string)) {
                Some(v) => out.push_str(&v),
                None => out.push_str(&rest[i..i + 2 + close + 1]),
            }
            rest = &inner[close + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..len];
            match value(name) {
                Some(v) if len > 0 => out.push_str(&v),
                _ => out.push_str(&rest[i..i + 1 + len]),
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}

/// Recognises a package-manager call in a simple command.
pub fn package_call(c: &SimpleCommand) -> Option<PackageCall> {
    let argv = c.argv();
    let prog = c.program()?;
    let rest: &[String] = argv.get(1..).unwrap_or(&[]);
    let first_op = |args: &[String]| -> String {
        args.iter()
            .find(|a| !a.starts_with('-'))
            .cloned()
            .unwrap_or_default()
    };
    // Which manager, decided before anything is copied: most commands are not one.
    let (manager, args) = match prog {
        "apt-get" | "apt" => (PackageManager::Apt, rest),
        "apk" => (PackageManager::Apk, rest),
        "pip" | "pip3" => (PackageManager::Pip, rest),
        p if p.starts_with("python")
            && rest.len() >= 2
            && rest[0] == "-m"
            && rest[1].starts_with("pip") =>
        {
            (PackageManager::Pip, &rest[2..])
        }
        "uv" => (PackageManager::Uv, rest),
        "npm" => (PackageManager::Npm, rest),
        "go" => (PackageManager::Go, rest),
        _ => return None,
    };
    let args = args.to_vec();
    let first = first_op(&args);
    let subcommand = match (manager, first.as_str()) {
        (PackageManager::Uv, "pip") | (PackageManager::Go, "mod") => {
            let second = args
                .iter()
                .filter(|a| !a.starts_with('-'))
                .nth(1)
                .cloned()
                .unwrap_or_default();
            format!("{first} {second}")
        }
        _ => first,
    };
    Some(PackageCall {
        manager,
        program: prog.to_string(),
        subcommand,
        args,
    })
}
