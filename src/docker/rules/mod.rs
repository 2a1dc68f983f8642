//! Dockerfile lint rules (`SF-docker-…`), run on the facts of every Dockerfile in a skill.
//!
//! Each rule is a [`Rule`] in [`RULES`] plus a logic function over one
//! [`Dockerfile`]; [`LOGIC`] keeps the peer ids (hadolint `DLxxxx`, Docker build-check
//! names, Trivy `DS-xxxx`, Checkov) used for `# check=skip=…`, the `[docker] allow`
//! list and `--explain`. Rules that make sense on a fragment (a block without FROM)
//! say so; the others skip fragments.

use super::Hit;
use super::facts::*;
use crate::lint::{Check, Ctx, Emitter, Rule};
use crate::report::Severity;
use crate::skill::Skill;

/// A rule's logic over one Dockerfile.
pub type Logic = fn(&Dockerfile, &mut Vec<Hit>);

/// Static description of a Dockerfile rule besides its [`Rule`].
pub struct DockerRule {
    pub id: &'static str,
    /// Peer ids: hadolint DLxxxx, build-check names, Trivy DS-xxxx, Checkov CKV_…
    pub peers: &'static [&'static str],
    /// Runs on fragments (blocks without FROM).
    pub fragment_ok: bool,
    pub logic: Logic,
}

macro_rules! docker_rules {
    ($( $f:ident => $id:literal, $sev:ident, frag = $frag:literal, peers = [$($p:literal),*],
        $summary:literal, $explain:literal, $logic:path; )*) => {
        $(
            fn $f(cx: &Ctx, _: &Skill, em: &mut Emitter) {
                drive(cx, em, &[$($p),*], $frag, $logic);
            }
        )*
        /// The Dockerfile rules, in a stable order.
        pub static RULES: &[Rule] = &[$(
            Rule {
                id: $id,
                severity: Severity::$sev,
                summary: $summary,
                explain: concat!($explain, "\n\nPeer ids:", $(" ", $p,)* " (any of them works in `# check=skip=`, `# hadolint ignore=` and `[docker] allow`)."),
                check: Check::Skill($f),
            },
        )*];
        /// Logic and peers per rule id (same order as [`RULES`]).
        pub static LOGIC: &[DockerRule] = &[$(
            DockerRule { id: $id, peers: &[$($p),*], fragment_ok: $frag, logic: $logic },
        )*];
    };
}

docker_rules! {
    r_parse => "SF-docker-parse", Warning, frag = true, peers = [],
        "A Dockerfile block or file does not parse",
        "A code block tagged `dockerfile` (or a Dockerfile template) must be a valid Dockerfile: \
         readers copy it verbatim. Fix the instruction named in the message, or tag the block \
         `text` if it is pseudo-code. Other Dockerfile rules skip a file that does not parse.",
        parse_error;
    r_untagged => "SF-docker-untagged-base", Warning, frag = false, peers = ["DL3006"],
        "Base image without a tag or digest",
        "`FROM python` pulls whatever `latest` is today: builds stop being reproducible. \
         Pin a tag (`python:3.12-slim`) or a digest. Images given by a build argument \
         (`FROM $BASE`) and earlier stages are not judged.",
        untagged_base;
    r_latest => "SF-docker-latest-tag", Warning, frag = false, peers = ["DL3007", "DS-0001", "CKV_DOCKER_7"],
        "Base image uses the `latest` tag",
        "`:latest` moves: pin a version tag or a digest so builds are reproducible.",
        latest_tag;
    r_user_root => "SF-docker-user-root", Warning, frag = false, peers = ["DL3002", "CKV_DOCKER_8"],
        "The final stage's last USER is root",
        "The image that ships should not run as root: end the final stage with `USER <non-root>`. \
         Deliberate difference: hadolint DL3002 also flags an explicit `USER root` ending a builder \
         stage; builder stages do not ship, so skillforge only judges the final stage.",
        user_root;
    r_no_user => "SF-docker-no-user", Info, frag = false, peers = ["DS-0002", "CKV_DOCKER_3"],
        "The final stage never sets a non-root USER",
        "Without USER the container runs as root. Create a user and switch to it \
         (`RUN useradd -r app` … `USER app`), or use a base that runs as non-root \
         (distroless `:nonroot`, Docker Hardened Images).",
        no_user;
    r_no_healthcheck => "SF-docker-no-healthcheck", Info, frag = false, peers = ["DL3057", "DS-0026", "CKV_DOCKER_2"],
        "A service image has no HEALTHCHECK",
        "A final stage that runs a service (CMD, ENTRYPOINT or EXPOSE) should say how to check it is \
         healthy: `HEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost:8000/health\"]` (or \
         `HEALTHCHECK NONE` to opt out explicitly). Deliberate difference: hadolint DL3057 (off by \
         default) flags every stage; skillforge only the final stage of a service image, and counts \
         a HEALTHCHECK inherited from an earlier stage it builds on.",
        no_healthcheck;
    r_shell_form => "SF-docker-shell-form-cmd", Warning, frag = true, peers = ["DL3025", "JSONArgsRecommended"],
        "CMD/ENTRYPOINT in shell form",
        "Shell form runs the command under `/bin/sh -c`, so the process is not PID 1 and does not \
         receive SIGTERM: use the exec (JSON) form `CMD [\"uvicorn\", \"app:app\"]`. Deliberate \
         difference: hadolint DL3025 also flags `HEALTHCHECK CMD` in shell form, which Docker's \
         own documentation uses; skillforge does not.",
        shell_form_cmd;
    r_workdir => "SF-docker-relative-workdir", Warning, frag = true, peers = ["DL3000", "WorkdirRelativePath", "DS-0009"],
        "WORKDIR is a relative path",
        "A relative WORKDIR depends on the previous one: use an absolute path (`WORKDIR /app`).",
        relative_workdir;
    r_cd => "SF-docker-run-cd", Warning, frag = true, peers = ["DL3003", "DS-0013"],
        "`cd` in RUN instead of WORKDIR",
        "Use `WORKDIR /path` instead of `RUN cd /path && …`: it is clearer and persists.",
        run_cd;
    r_add => "SF-docker-add-local", Warning, frag = true, peers = ["DL3020", "DS-0005"],
        "ADD used for local files",
        "Use COPY for local files and folders; ADD's extra behaviour (URLs, archive extraction) \
         surprises readers. ADD of a URL or a local archive is not flagged.",
        add_local;
    r_apt_get => "SF-docker-apt-not-apt-get", Info, frag = true, peers = ["DL3027"],
        "`apt` used instead of `apt-get`",
        "`apt` is an interactive tool without a stable CLI; scripts should use `apt-get`.",
        apt_not_apt_get;
    r_apt_yes => "SF-docker-apt-yes", Warning, frag = true, peers = ["DL3014", "DS-0021"],
        "`apt-get install` without `-y`",
        "Without `-y` (or `--yes`, `--assume-yes`, `-qq`) the build stops at the confirmation prompt.",
        apt_yes;
    r_apt_rec => "SF-docker-apt-no-recommends", Warning, frag = true, peers = ["DL3015", "DS-0029"],
        "`apt-get install` without `--no-install-recommends`",
        "Recommended packages bloat the image: add `--no-install-recommends`.",
        apt_no_recommends;
    r_apt_lists => "SF-docker-apt-lists", Warning, frag = true, peers = ["DL3009"],
        "`apt-get update` without deleting /var/lib/apt/lists",
        "End the RUN that runs `apt-get update` with `&& rm -rf /var/lib/apt/lists/*` (or use a \
         cache mount on /var/lib/apt/lists) so the package lists do not stay in the layer. \
         Deliberate difference: skillforge also sees `sudo apt-get update`; hadolint does not.",
        apt_lists;
    r_apk => "SF-docker-apk-no-cache", Warning, frag = true, peers = ["DL3019", "DS-0025"],
        "`apk add` without `--no-cache`",
        "Use `apk add --no-cache …` (or a cache mount on /var/cache/apk) so the index does not stay in the layer.",
        apk_no_cache;
    r_pip_cache => "SF-docker-pip-no-cache", Warning, frag = true, peers = ["DL3042"],
        "`pip install` without `--no-cache-dir`",
        "pip's cache stays in the layer: add `--no-cache-dir`, set `ENV PIP_NO_CACHE_DIR=1`, or use \
         a cache mount (`RUN --mount=type=cache,target=/root/.cache/pip`).",
        pip_no_cache;
    r_pip_pin => "SF-docker-pip-unpinned", Info, frag = true, peers = ["DL3013"],
        "`pip install` of an unpinned package",
        "Pin versions (`pip install flask==3.0.3`) or install from a requirements/lock file \
         (`-r requirements.txt`, `uv sync --locked`) so builds are reproducible.",
        pip_unpinned;
    r_secret => "SF-docker-secret-env", Warning, frag = true, peers = ["DL3064", "SecretsUsedInArgOrEnv", "DS-0031"],
        "Secret-looking name in ENV or ARG",
        "ENV and ARG values are stored in the image history. Pass secrets with \
         `RUN --mount=type=secret,id=…` at build time and at run time through the environment or \
         Compose secrets. Deliberate difference: hadolint DL3064 also flags names ending in `_FILE`, \
         `_PATH`, `_URL` … (which point to a secret rather than hold it); skillforge does not, and \
         it flags `PASSWD`, `APIKEY` and `CREDENTIALS`, which hadolint misses.",
        secret_env;
    r_multi_cmd => "SF-docker-multiple-cmd", Warning, frag = false, peers = ["DL4003", "MultipleInstructionsDisallowed", "DS-0016"],
        "More than one CMD in a stage",
        "Only the last CMD takes effect: keep one.",
        multiple_cmd;
    r_multi_ep => "SF-docker-multiple-entrypoint", Warning, frag = false, peers = ["DL4004", "MultipleInstructionsDisallowed"],
        "More than one ENTRYPOINT in a stage",
        "Only the last ENTRYPOINT takes effect: keep one.",
        multiple_entrypoint;
    r_multi_hc => "SF-docker-multiple-healthcheck", Warning, frag = true, peers = ["DL3012", "MultipleInstructionsDisallowed"],
        "More than one HEALTHCHECK in a stage",
        "Only the last HEALTHCHECK takes effect: keep one.",
        multiple_healthcheck;
    r_copy_from => "SF-docker-copy-from-unknown", Error, frag = false, peers = ["DL3022"],
        "`COPY --from` names no earlier stage",
        "`COPY --from=name` must name a stage defined earlier (`FROM … AS name`) or an image with a \
         tag (`--from=ghcr.io/astral-sh/uv:0.8.15`). A later stage or a typo fails or pulls an image \
         of that name. Deliberate difference: hadolint ignores numeric `--from=N`; skillforge flags \
         an index that is not an earlier stage.",
        copy_from_unknown;
    r_copy_self => "SF-docker-copy-from-self", Error, frag = false, peers = ["DL3023"],
        "`COPY --from` names its own stage",
        "A stage cannot copy from itself: name the stage that built the files.",
        copy_from_self;
    r_dup_stage => "SF-docker-duplicate-stage", Error, frag = false, peers = ["DL3024", "DuplicateStageName"],
        "Two stages have the same name",
        "Stage names (`FROM … AS name`) must be unique (case-insensitive).",
        duplicate_stage;
    r_as_casing => "SF-docker-from-as-casing", Info, frag = false, peers = ["FromAsCasing"],
        "FROM and AS keywords differ in casing",
        "Write `FROM image AS name` (or both lowercase): mixed casing is flagged by `docker build --check`.",
        from_as_casing;
    r_order => "SF-docker-source-before-deps", Warning, frag = false, peers = [],
        "Source copied before dependencies are installed (cache-busting order)",
        "Copy the dependency manifests first (`COPY pyproject.toml uv.lock ./`, \
         `requirements.txt`, `package*.json`, `go.mod go.sum`), install, and only then \
         `COPY . .`: otherwise every source edit re-runs the install. hadolint has no such rule.",
        source_before_deps;
    r_pipefail => "SF-docker-pipefail", Info, frag = true, peers = ["DL4006"],
        "Piped RUN without `pipefail`",
        "In `RUN curl … | sh` a failing `curl` is hidden by the pipe: set \
         `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before it. Like hadolint, only a \
         SHELL instruction in the same stage counts.",
        pipefail;
    r_maint => "SF-docker-maintainer", Info, frag = true, peers = ["DL4000", "MaintainerDeprecated"],
        "MAINTAINER is deprecated",
        "Use `LABEL org.opencontainers.image.authors=\"…\"` instead of MAINTAINER.",
        maintainer;
    r_sudo => "SF-docker-sudo", Warning, frag = true, peers = ["DL3004"],
        "`sudo` in RUN",
        "RUN already runs as the current USER; switch with USER instead of sudo.",
        sudo;
    r_port => "SF-docker-expose-port", Warning, frag = true, peers = ["DL3011", "ExposeInvalidFormat", "ExposeProtoCasing"],
        "EXPOSE with an invalid port",
        "EXPOSE takes ports 0–65535, optionally with `/tcp` or `/udp` in lowercase (`EXPOSE 8000/tcp`).",
        expose_port;
    r_copy_slash => "SF-docker-copy-multi-dest-slash", Error, frag = true, peers = ["DL3021"],
        "COPY/ADD of several sources to a destination without a trailing `/`",
        "With more than one source, Docker's reference requires the destination to be a directory \
         written with a trailing slash: `COPY pyproject.toml uv.lock ./`, not `… uv.lock .` or \
         `… /app`. The legacy builder rejects the instruction, and a reader cannot tell whether \
         `/app` is meant as a file or a directory. Fix: end the destination with `/` (`./`, \
         `/app/`). Like hadolint, the check counts arguments (a single wildcard source is not \
         judged), reads quoted destinations without their quotes, and skips here-documents. \
         Deliberate difference: hadolint DL3021 only checks COPY; skillforge also checks ADD, \
         which has the same requirement.",
        copy_multi_dest_slash;
    r_platform => "SF-docker-from-platform", Warning, frag = false, peers = ["DL3029", "FromPlatformFlagConstDisallowed"],
        "FROM --platform with a fixed platform",
        "`FROM --platform=linux/amd64 …` pins the stage to one architecture: on an arm64 machine \
         (Apple silicon, Graviton) it runs only under emulation or fails with `exec format error`, \
         and in `docker buildx build --platform linux/amd64,linux/arm64` the arm64 variant is \
         built on amd64 binaries. Drop the flag and \
         choose the platform at build time (`docker build --platform …`); in a multi-platform \
         build, write `FROM --platform=$BUILDPLATFORM` for a stage that cross-compiles on the build \
         machine. Like hadolint, a value that mentions `BUILDPLATFORM` or `TARGETPLATFORM` is \
         accepted; any other value, including other build arguments \
         (`linux/$TARGETARCH`, `$PLATFORM`), is flagged.",
        from_platform;
    r_copy_rel => "SF-docker-copy-relative-no-workdir", Warning, frag = false, peers = ["DL3045"],
        "COPY to a relative destination before any WORKDIR",
        "A relative COPY destination (`COPY . .`, `COPY app.py app/`) lands in whatever working \
         directory the base image set (`/` for most images, something else for others), so the \
         files can move when the base image changes. Set `WORKDIR /app` before the COPY, or copy \
         to an absolute path. A WORKDIR in the stage this one builds on (`FROM build`) counts. \
         Like hadolint, destinations starting with a variable (`$HOME/…`) or a Windows drive \
         (`C:\\app`) are not judged, quotes are ignored, and ADD is not checked. Deliberate \
         differences: skillforge matches `FROM <stage>` case-insensitively as Docker does (hadolint \
         does not, and flags `FROM BUILD` after `AS build`), and inherits WORKDIR only from a \
         stage built on, while hadolint also carries it between unrelated stages that use the same \
         image name (`FROM python:3.11` … `FROM python:3.12-slim`).",
        copy_relative_no_workdir;
    r_uv_image => "SF-docker-uv-image-unpinned", Warning, frag = true, peers = [],
        "The uv image is not pinned",
        "`COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/` changes uv under you: pin a version \
         (`ghcr.io/astral-sh/uv:0.8.15`) or a digest. hadolint has no uv rules.",
        uv_image_unpinned;
    r_uv_locked => "SF-docker-uv-sync-unlocked", Warning, frag = true, peers = [],
        "`uv sync` without `--locked`/`--frozen` in a production stage",
        "Without `--locked` (fail if uv.lock is stale) or `--frozen` (use uv.lock as is) `uv sync` \
         may resolve new versions during the build. Stages named like dev/test are not judged.",
        uv_sync_unlocked;
    r_uv_cache => "SF-docker-uv-no-cache", Info, frag = false, peers = [],
        "uv install without a cache mount or `--no-cache`",
        "Either mount uv's cache (`RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked`) \
         for fast rebuilds, or pass `--no-cache` / set `ENV UV_NO_CACHE=1` so the cache does not \
         stay in the layer.",
        uv_no_cache;
    r_eol => "SF-docker-eol-base", Warning, frag = false, peers = [],
        "Base image on an end-of-life Python/Node/Go/Alpine/Debian/distroless line",
        "An end-of-life base gets no more security fixes: every CVE found from now on stays in \
         the image. The rule reads the release lines of each FROM image (`python:3.10-slim` → \
         Python 3.10; `-bookworm` → Debian 12; `-alpine3.21` → Alpine 3.21; \
         `gcr.io/distroless/python3-debian12` → distroless python3 debian12; `golang:1.25` → Go \
         1.25) and judges them against the versions data compiled into skillforge \
         (`skills/docker-deployment/versions.yaml`, refreshed by `skillforge fetch` from \
         endoflife.date): a listed line is end of life from its `eol` date on; an unlisted line \
         older than every supported line of its product is end of life too; a line newer than \
         the data knows is never guessed. Fix: move to the supported line the hint names (and \
         its Debian/Alpine suite). Images given by a build argument are not judged. Peer: \
         Trivy's end-of-life OS detection when scanning a built image (`trivy image` reports \
         \"the OS version is no longer supported\"); hadolint has no such rule, and Trivy only \
         sees the OS after the build, not the Python/Node/Go line in the Dockerfile.",
        eol_base;
}

/// Runs one rule over every Dockerfile of the skill, honouring the allow-list,
/// `# check=skip=…` and the fragment flag.
fn drive(cx: &Ctx, em: &mut Emitter, peers: &[&str], fragment_ok: bool, logic: Logic) {
    let id = em.rule().id;
    if cx.config.docker_allowed(id, peers) {
        return;
    }
    for df in em.memo().dockerfiles() {
        for h in run_on(df, id, peers, fragment_ok, logic) {
            let d = match &df.origin {
                Origin::File { rel } => em.emit_in(rel, Some(h.span), h.message),
                _ => em.emit(Some(h.span), h.message),
            };
            d.hint = h.hint;
        }
    }
}

fn run_on(df: &Dockerfile, id: &str, peers: &[&str], fragment_ok: bool, logic: Logic) -> Vec<Hit> {
    let mut hits = Vec::new();
    if df.fragment && !fragment_ok {
        return hits;
    }
    if df.parse_error.is_some() && id != "SF-docker-parse" {
        return hits;
    }
    if df.skips(&[id]) || df.skips(peers) {
        return hits;
    }
    logic(df, &mut hits);
    if !df.inline_ignores.is_empty() {
        hits.retain(|h| !df.ignored_at(h.span.line, peers) && !df.ignored_at(h.span.line, &[id]));
    }
    hits
}

/// Runs every Dockerfile rule on one parsed Dockerfile: `(rule id, hit)` pairs in rule
/// order. Used by model-judged tests and the hadolint conformance test.
pub fn check_dockerfile(df: &Dockerfile) -> Vec<(&'static str, Hit)> {
    let mut out = Vec::new();
    for r in LOGIC {
        for h in run_on(df, r.id, r.peers, r.fragment_ok, r.logic) {
            out.push((r.id, h));
        }
    }
    out
}

// ---------------------------------------------------------------- logic

fn parse_error(df: &Dockerfile, out: &mut Vec<Hit>) {
    if let Some(p) = &df.parse_error {
        out.push(
            Hit::new(p.span, format!("Dockerfile does not parse: {}", p.message)).hint(
                "fix the instruction, or tag the block `text` if it is not meant to be a Dockerfile",
            ),
        );
    }
}

/// Stages that name an external image (not scratch, not a stage, no variable).
fn external_stages(df: &Dockerfile) -> impl Iterator<Item = &Stage> {
    df.stages.iter().filter(|s| {
        s.base_stage.is_none()
            && !s.image.is_scratch()
            && !s.image.has_variable()
            && !s.image.raw.is_empty()
    })
}

fn untagged_base(df: &Dockerfile, out: &mut Vec<Hit>) {
    for s in external_stages(df) {
        if s.image.tag.is_none() && s.image.digest.is_none() {
            out.push(
                Hit::new(
                    s.image_span,
                    format!("base image `{}` has no tag", s.image.raw),
                )
                .hint(format!("pin a version, e.g. `{}:<version>`", s.image.raw)),
            );
        }
    }
}

fn latest_tag(df: &Dockerfile, out: &mut Vec<Hit>) {
    for s in external_stages(df) {
        if s.image.tag.as_deref() == Some("latest") {
            out.push(
                Hit::new(
                    s.image_span,
                    format!("base image `{}` uses the `latest` tag", s.image.raw),
                )
                .hint("pin a version tag or a digest"),
            );
        }
    }
}

fn user_root(df: &Dockerfile, out: &mut Vec<Hit>) {
    if let Some(st) = df.final_stage()
        && let Some((inst, u)) = st.last_user()
        && is_root_user(u)
    {
        out.push(
            Hit::new(inst.span, "the final stage's last USER is root").hint(
                "switch to a non-root user at the end: `USER app` (create it with useradd/adduser)",
            ),
        );
    }
}

fn no_user(df: &Dockerfile, out: &mut Vec<Hit>) {
    let Some(st) = df.final_stage() else { return };
    let mut cur = Some(st);
    while let Some(s) = cur {
        if s.last_user().is_some() {
            return;
        }
        cur = s.base_stage.and_then(|i| df.stages.get(i));
    }
    let root = df.root_of(st);
    if root.image.has_variable() {
        return;
    }
    let tag = root.image.tag.as_deref().unwrap_or("");
    match root.image.family() {
        ImageFamily::Distroless if tag.contains("nonroot") => return,
        ImageFamily::Dhi if !tag.contains("dev") => return,
        _ => {}
    }
    out.push(
        Hit::new(st.span, "the final stage runs as root: no USER is set")
            .hint("create a user and add `USER <name>` before CMD"),
    );
}

fn no_healthcheck(df: &Dockerfile, out: &mut Vec<Hit>) {
    let Some(st) = df.final_stage() else { return };
    if !st.is_service() {
        return;
    }
    let mut cur = Some(st);
    while let Some(s) = cur {
        if s.healthchecks().next().is_some() {
            return;
        }
        cur = s.base_stage.and_then(|i| df.stages.get(i));
    }
    out.push(
        Hit::new(st.span, "this service image has no HEALTHCHECK").hint(healthcheck_hint(df, st)),
    );
}

/// A HEALTHCHECK suggestion that works in the final image: slim and distroless images
/// ship no curl, so the probe uses what the image has (Python, Node, busybox wget) or a
/// check built into the app.
fn healthcheck_hint(df: &Dockerfile, st: &Stage) -> String {
    // the external image the final stage is built on (through `FROM <stage>` chains)
    let mut base = st;
    while let Some(prev) = base.base_stage.and_then(|i| df.stages.get(i)) {
        if std::ptr::eq(prev, base) {
            break;
        }
        base = prev;
    }
    let port = st
        .instructions
        .iter()
        .find_map(|i| match &i.kind {
            InstKind::Expose(ps) => ps
                .first()
                .map(|p| p.value.split('/').next().unwrap_or("").to_string()),
            _ => None,
        })
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| "8000".to_string());
    let url = format!("http://localhost:{port}/health");
    let name = base.image.short_name().to_ascii_lowercase();
    let family = base.image.family();
    if matches!(family, ImageFamily::Distroless | ImageFamily::Scratch) {
        return "distroless and scratch images have no shell or curl: give the app a probe mode and use it, e.g. `HEALTHCHECK CMD [\"/app\", \"-healthcheck\"]`, or rely on the orchestrator's probes".to_string();
    }
    if name.starts_with("python") {
        format!(
            "add e.g. `HEALTHCHECK --interval=30s CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('{url}')\"]` (python images have no curl)"
        )
    } else if name.starts_with("node") {
        format!(
            "add e.g. `HEALTHCHECK --interval=30s CMD [\"node\", \"-e\", \"fetch('{url}').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))\"]` (node images have no curl in -slim)"
        )
    } else if family == ImageFamily::Alpine {
        format!(
            "add e.g. `HEALTHCHECK --interval=30s CMD wget -q --spider {url} || exit 1` (busybox wget is in Alpine)"
        )
    } else if family == ImageFamily::Slim {
        format!(
            "add e.g. `HEALTHCHECK --interval=30s CMD [\"curl\", \"-fsS\", \"{url}\"]` after installing curl (slim images do not ship it), or probe with a tool the image has"
        )
    } else {
        format!("add e.g. `HEALTHCHECK --interval=30s CMD [\"curl\", \"-fsS\", \"{url}\"]`")
    }
}

fn shell_form_cmd(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i) in df.instructions() {
        if let InstKind::Cmd(c) | InstKind::Entrypoint(c) = &i.kind
            && !c.exec_form
        {
            let shown = c.args.first().map(|s| s.trim()).unwrap_or("");
            let words: Vec<String> = super::shell::split_words(shown)
                .into_iter()
                .map(|w| format!("\"{}\"", w.replace('"', "\\\"")))
                .collect();
            out.push(
                Hit::new(
                    i.span,
                    format!(
                        "{} in shell form: the process will not get signals as PID 1",
                        i.keyword.to_uppercase()
                    ),
                )
                .hint(format!(
                    "use the exec form: {} [{}]",
                    i.keyword.to_uppercase(),
                    words.join(", ")
                )),
            );
        }
    }
}

fn relative_workdir(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i) in df.instructions() {
        if let InstKind::Workdir(w) = &i.kind {
            let p = w.trim_matches(|c| c == '"' || c == '\'');
            let windows = p.len() >= 2 && p.as_bytes()[1] == b':';
            if !(p.starts_with('/') || p.starts_with('$') || windows || p.starts_with('\\')) {
                out.push(
                    Hit::new(i.span, format!("WORKDIR `{p}` is relative")).hint(format!(
                        "use an absolute path, e.g. `WORKDIR /{}`",
                        p.trim_start_matches("./")
                    )),
                );
            }
        }
    }
}

fn run_cd(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i, r) in df.runs() {
        if r.commands.iter().any(|c| c.program() == Some("cd")) {
            out.push(
                Hit::new(i.span, "`cd` in RUN")
                    .hint("set the directory with `WORKDIR /path` instead"),
            );
        }
    }
}

fn add_local(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i) in df.instructions() {
        if let InstKind::Copy(c) = &i.kind
            && c.is_add
            && !c.heredoc
        {
            let remote_or_archive = |s: &str| {
                let l = s.to_ascii_lowercase();
                l.contains("://")
                    || l.starts_with("git@")
                    || [
                        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz",
                        ".tar.zst",
                    ]
                    .iter()
                    .any(|e| l.ends_with(e))
            };
            if c.sources.iter().any(|s| !remote_or_archive(s)) {
                out.push(
                    Hit::new(i.span, "ADD used to copy local files")
                        .hint("use COPY for local files and folders"),
                );
            }
        }
    }
}

fn apt_calls(df: &Dockerfile) -> impl Iterator<Item = (&Inst, &RunFact, &PackageCall)> {
    df.runs()
        .flat_map(|(_, i, r)| r.calls(PackageManager::Apt).map(move |c| (i, r, c)))
}

fn apt_not_apt_get(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i, r) in df.runs() {
        if r.commands.iter().any(|c| c.program() == Some("apt")) {
            out.push(
                Hit::new(i.span, "`apt` in a Dockerfile")
                    .hint("use `apt-get` (stable CLI for scripts)"),
            );
        }
    }
}

fn apt_get_installs(df: &Dockerfile) -> Vec<(&Inst, &PackageCall)> {
    apt_calls(df)
        .filter(|(_, _, c)| c.subcommand == "install" && c.program == "apt-get")
        .map(|(i, _, c)| (i, c))
        .collect()
}

fn apt_yes(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (i, c) in apt_get_installs(df) {
        let yes = c.args.iter().any(|a| {
            matches!(
                a.as_str(),
                "--yes" | "--assume-yes" | "-qq" | "-q=2" | "--quiet=2"
            ) || (a.starts_with('-')
                && !a.starts_with("--")
                && (a.contains('y') || a.contains("qq")))
        });
        if !yes {
            out.push(
                Hit::new(i.span, "`apt-get install` without `-y`")
                    .hint("add `-y` so the build does not wait for confirmation"),
            );
        }
    }
}

fn apt_no_recommends(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (i, c) in apt_get_installs(df) {
        let ok = c.has_flag(&["--no-install-recommends"])
            || c.args.iter().any(|a| {
                a.contains("APT::Install-Recommends=false")
                    || a.contains("APT::Install-Recommends=0")
            });
        if !ok {
            out.push(
                Hit::new(
                    i.span,
                    "`apt-get install` without `--no-install-recommends`",
                )
                .hint("add `--no-install-recommends` to keep the image small"),
            );
        }
    }
}

fn apt_lists(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i, r) in df.runs() {
        let updates = r
            .calls(PackageManager::Apt)
            .any(|c| c.subcommand == "update" && c.program == "apt-get");
        if !updates {
            continue;
        }
        let cleaned = r.commands.iter().any(|c| {
            c.program() == Some("rm")
                && c.argv().iter().any(|a| a.starts_with("/var/lib/apt/lists"))
        }) || r.mounts.iter().any(|m| {
            m.kind == "cache"
                && m.target
                    .as_deref()
                    .is_some_and(|t| t.starts_with("/var/lib/apt/lists"))
        });
        if !cleaned {
            out.push(
                Hit::new(
                    i.span,
                    "`apt-get update` leaves /var/lib/apt/lists in the layer",
                )
                .hint("end this RUN with `&& rm -rf /var/lib/apt/lists/*`"),
            );
        }
    }
}

fn apk_no_cache(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i, r) in df.runs() {
        let mounted = r.mounts.iter().any(|m| {
            m.kind == "cache"
                && m.target
                    .as_deref()
                    .is_some_and(|t| t.starts_with("/var/cache/apk"))
        });
        if mounted {
            continue;
        }
        if r.calls(PackageManager::Apk)
            .any(|c| c.subcommand == "add" && !c.has_flag(&["--no-cache"]))
        {
            out.push(
                Hit::new(i.span, "`apk add` without `--no-cache`")
                    .hint("use `apk add --no-cache …`"),
            );
        }
    }
}

/// `ENV NAME=value` set in the stage (or globally) to a truthy value.
fn stage_env_truthy(st: &Stage, name: &str) -> bool {
    st.instructions.iter().any(|i| match &i.kind {
        InstKind::Env(kv) => kv.iter().any(|k| {
            k.key == name
                && k.value.as_deref().is_some_and(|v| {
                    !matches!(
                        v.to_ascii_lowercase().as_str(),
                        "" | "0" | "false" | "no" | "off"
                    )
                })
        }),
        _ => false,
    })
}

fn pip_installs(r: &RunFact) -> impl Iterator<Item = &PackageCall> {
    r.calls(PackageManager::Pip)
        .filter(|c| c.subcommand == "install")
}

fn pip_no_cache(df: &Dockerfile, out: &mut Vec<Hit>) {
    for st in &df.stages {
        let env_off = stage_env_truthy(st, "PIP_NO_CACHE_DIR");
        for (i, r) in st.runs() {
            if env_off || r.has_cache_mount() {
                continue;
            }
            if pip_installs(r).any(|c| !c.has_flag(&["--no-cache-dir"])) {
                out.push(
                    Hit::new(i.span, "`pip install` without `--no-cache-dir`")
                        .hint("add `--no-cache-dir` (or a cache mount on /root/.cache/pip)"),
                );
            }
        }
    }
}

/// pip options that take a value (the next word).
const PIP_VALUE_OPTS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--trusted-host",
    "--src",
    "--cache-dir",
    "--progress-bar",
    "--only-binary",
    "--no-binary",
    "--report",
    "--upgrade-strategy",
    "--log",
    "--proxy",
    "--retries",
    "--timeout",
];

fn pip_unpinned(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i, r) in df.runs() {
        for c in pip_installs(r) {
            if c.args
                .iter()
                .any(|a| a == "-c" || a == "--constraint" || a.starts_with("--constraint="))
            {
                continue;
            }
            let mut unpinned = Vec::new();
            let mut skip_next = false;
            let mut seen_sub = false;
            for a in &c.args {
                if skip_next {
                    skip_next = false;
                    continue;
                }
                if a.starts_with('-') {
                    skip_next = PIP_VALUE_OPTS.contains(&a.as_str());
                    continue;
                }
                if !seen_sub {
                    seen_sub = true; // `install`
                    continue;
                }
                let pinned = ["==", ">=", "<=", "~=", "!=", "<", ">", "@"]
                    .iter()
                    .any(|op| a.contains(op))
                    || a.starts_with('.')
                    || a.starts_with('/')
                    || a.starts_with('$')
                    || a.contains("://")
                    || a.starts_with("git+")
                    || a.ends_with(".whl")
                    || a.ends_with(".tar.gz")
                    || a.ends_with(".zip");
                if !pinned {
                    unpinned.push(a.as_str());
                }
            }
            if !unpinned.is_empty() {
                out.push(
                    Hit::new(
                        i.span,
                        format!(
                            "`pip install` of unpinned package(s): {}",
                            unpinned.join(", ")
                        ),
                    )
                    .hint("pin versions (`name==1.2.3`) or install from a requirements/lock file"),
                );
            }
        }
    }
}

fn secret_env(df: &Dockerfile, out: &mut Vec<Hit>) {
    for kv in df.secret_env_keys() {
        out.push(
            Hit::new(kv.span, format!("`{}` looks like a secret in ENV/ARG: it stays in the image history", kv.key))
                .hint("use `RUN --mount=type=secret,id=…` at build time, and runtime env or Compose secrets"),
        );
    }
}

fn multiple(df: &Dockerfile, out: &mut Vec<Hit>, pick: fn(&InstKind) -> bool, what: &str) {
    for st in &df.stages {
        let all: Vec<&Inst> = st.instructions.iter().filter(|i| pick(&i.kind)).collect();
        for i in all.iter().skip(1) {
            out.push(
                Hit::new(
                    i.span,
                    format!("more than one {what} in this stage: only the last takes effect"),
                )
                .hint(format!("keep a single {what}")),
            );
        }
    }
}

fn multiple_cmd(df: &Dockerfile, out: &mut Vec<Hit>) {
    multiple(df, out, |k| matches!(k, InstKind::Cmd(_)), "CMD");
}

fn multiple_entrypoint(df: &Dockerfile, out: &mut Vec<Hit>) {
    multiple(
        df,
        out,
        |k| matches!(k, InstKind::Entrypoint(_)),
        "ENTRYPOINT",
    );
}

fn multiple_healthcheck(df: &Dockerfile, out: &mut Vec<Hit>) {
    multiple(
        df,
        out,
        |k| matches!(k, InstKind::Healthcheck(_)),
        "HEALTHCHECK",
    );
}

fn copy_from_unknown(df: &Dockerfile, out: &mut Vec<Hit>) {
    for st in &df.stages {
        for (i, c) in st.copies() {
            let Some(from) = &c.from else { continue };
            let v = from.value.as_str();
            if v.contains(':') || v.contains('$') || v.contains('@') {
                continue;
            }
            if let Ok(n) = v.parse::<usize>() {
                if n < st.index {
                    continue;
                }
            } else if df.stages[..st.index]
                .iter()
                .any(|s| s.name().is_some_and(|n| n.eq_ignore_ascii_case(v)))
                || st.name().is_some_and(|n| n.eq_ignore_ascii_case(v))
            {
                continue; // earlier stage, or self (another rule)
            }
            let later = df.stages[st.index + 1..]
                .iter()
                .any(|s| s.name().is_some_and(|n| n.eq_ignore_ascii_case(v)));
            let msg = if later {
                format!("`COPY --from={v}` names a stage defined later")
            } else {
                format!("`COPY --from={v}` names no earlier stage")
            };
            out.push(
                Hit::new(i.span, msg)
                    .hint("name a stage defined above (`FROM … AS name`) or an image with a tag (`image:tag`)"),
            );
        }
    }
}

fn copy_from_self(df: &Dockerfile, out: &mut Vec<Hit>) {
    for st in &df.stages {
        let Some(name) = st.name() else { continue };
        for (i, c) in st.copies() {
            if c.from
                .as_ref()
                .is_some_and(|f| f.value.eq_ignore_ascii_case(name))
            {
                out.push(Hit::new(
                    i.span,
                    format!("`COPY --from={name}` copies from its own stage"),
                ));
            }
        }
    }
}

fn duplicate_stage(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (k, st) in df.stages.iter().enumerate() {
        let Some(a) = &st.alias else { continue };
        if df.stages[..k]
            .iter()
            .any(|s| s.name().is_some_and(|n| n.eq_ignore_ascii_case(&a.value)))
        {
            out.push(
                Hit::new(a.span, format!("stage name `{}` is used twice", a.value))
                    .hint("rename one of the stages"),
            );
        }
    }
}

fn from_as_casing(df: &Dockerfile, out: &mut Vec<Hit>) {
    for st in &df.stages {
        let Some(as_kw) = &st.as_keyword else {
            continue;
        };
        let from_upper = st.from_keyword.chars().all(|c| c.is_ascii_uppercase());
        let from_lower = st.from_keyword.chars().all(|c| c.is_ascii_lowercase());
        let as_upper = as_kw.chars().all(|c| c.is_ascii_uppercase());
        let as_lower = as_kw.chars().all(|c| c.is_ascii_lowercase());
        if (from_upper && !as_upper) || (from_lower && !as_lower) {
            out.push(
                Hit::new(
                    st.span,
                    format!("`{}` and `{as_kw}` differ in casing", st.from_keyword),
                )
                .hint(format!(
                    "write `{} … {}`",
                    st.from_keyword,
                    if from_upper { "AS" } else { "as" }
                )),
            );
        }
    }
}

fn source_before_deps(df: &Dockerfile, out: &mut Vec<Hit>) {
    for st in &df.stages {
        if stage_order_ok(st) != Some(false) {
            continue;
        }
        if let Some((i, _)) = st.copies().find(|(_, c)| is_source_copy(c)) {
            out.push(
                Hit::new(i.span, "source is copied before dependencies are installed: every code change re-runs the install")
                    .hint("COPY the dependency manifests first, install, then `COPY . .`"),
            );
        }
    }
}

fn pipefail(df: &Dockerfile, out: &mut Vec<Hit>) {
    for st in &df.stages {
        let mut safe = false;
        for i in &st.instructions {
            match &i.kind {
                InstKind::Shell(args) => {
                    let prog = args
                        .first()
                        .map(|s| s.rsplit('/').next().unwrap_or(s))
                        .unwrap_or("");
                    let posix = matches!(
                        prog,
                        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh" | "busybox"
                    );
                    safe = !posix || args.iter().any(|a| a == "pipefail");
                }
                InstKind::Run(r) if !safe && r.has_pipe() => {
                    out.push(
                        Hit::new(i.span, "piped RUN without `pipefail`: a failure before the pipe is ignored")
                            .hint("add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN"),
                    );
                }
                _ => {}
            }
        }
    }
}

fn maintainer(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i) in df.instructions() {
        if matches!(i.kind, InstKind::Maintainer) {
            out.push(
                Hit::new(i.span, "MAINTAINER is deprecated")
                    .hint("use `LABEL org.opencontainers.image.authors=\"…\"`"),
            );
        }
    }
}

fn sudo(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i, r) in df.runs() {
        if r.commands
            .iter()
            .any(|c| c.words.iter().any(|w| w == "sudo"))
        {
            out.push(
                Hit::new(i.span, "`sudo` in RUN").hint("use USER to change user instead of sudo"),
            );
        }
    }
}

fn expose_port(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i) in df.instructions() {
        let InstKind::Expose(ports) = &i.kind else {
            continue;
        };
        for p in ports {
            if p.value.contains('$') {
                continue;
            }
            let (num, proto) = match p.value.split_once('/') {
                Some((n, pr)) => (n, Some(pr)),
                None => (p.value.as_str(), None),
            };
            let range_ok = num
                .split('-')
                .all(|n| n.parse::<u32>().is_ok_and(|v| v <= 65535));
            let proto_ok = proto.is_none_or(|pr| pr == "tcp" || pr == "udp" || pr == "sctp");
            if !range_ok || !proto_ok {
                out.push(
                    Hit::new(i.span, format!("EXPOSE `{}` is not a valid port", p.value))
                        .hint("use a number 0–65535, optionally `/tcp` or `/udp` in lowercase"),
                );
            }
        }
    }
}

/// A path as hadolint reads it: `"` and `'` dropped from both ends.
fn unquoted(path: &str) -> &str {
    path.trim_matches(|c| c == '"' || c == '\'')
}

fn copy_multi_dest_slash(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i) in df.instructions() {
        let InstKind::Copy(c) = &i.kind else { continue };
        // here-documents are not judged (hadolint counts them inconsistently)
        if c.heredoc || c.sources.len() < 2 || unquoted(&c.dest).ends_with('/') {
            continue;
        }
        let kw = if c.is_add { "ADD" } else { "COPY" };
        let fixed = match unquoted(&c.dest) {
            "." | "" => "./".to_string(),
            d => format!("{d}/"),
        };
        out.push(
            Hit::new(
                i.span,
                format!(
                    "{kw} of {} sources to `{}`: the destination must be a directory ending in `/`",
                    c.sources.len(),
                    c.dest
                ),
            )
            .hint(format!("write the destination as `{fixed}`")),
        );
    }
}

fn from_platform(df: &Dockerfile, out: &mut Vec<Hit>) {
    for st in &df.stages {
        let Some(p) = &st.platform else { continue };
        if p.contains("BUILDPLATFORM") || p.contains("TARGETPLATFORM") {
            continue;
        }
        out.push(
            Hit::new(
                st.span,
                format!("`FROM --platform={p}` pins this stage to one platform"),
            )
            .hint(
                "drop `--platform` and pass `--platform` to `docker build` instead; for a stage that \
                 cross-compiles, use `FROM --platform=$BUILDPLATFORM`",
            ),
        );
    }
}

/// A COPY destination hadolint treats as absolute: `/…`, a variable, or a Windows drive.
fn is_absolute_dest(dest: &str) -> bool {
    let d = unquoted(dest);
    let mut chars = d.chars();
    d.starts_with('/')
        || d.starts_with('$')
        || (chars.next().is_some_and(char::is_alphabetic) && chars.next() == Some(':'))
}

/// Some stage this one builds on (`FROM <stage>`, transitively) sets WORKDIR.
fn inherits_workdir(df: &Dockerfile, st: &Stage) -> bool {
    let mut cur = st.base_stage.and_then(|b| df.stages.get(b));
    let mut hops = 0;
    while let Some(b) = cur {
        if b.instructions
            .iter()
            .any(|i| matches!(i.kind, InstKind::Workdir(_)))
        {
            return true;
        }
        hops += 1;
        if hops > df.stages.len() {
            break;
        }
        cur = b.base_stage.and_then(|x| df.stages.get(x));
    }
    false
}

fn copy_relative_no_workdir(df: &Dockerfile, out: &mut Vec<Hit>) {
    for st in &df.stages {
        if inherits_workdir(df, st) {
            continue;
        }
        for i in &st.instructions {
            match &i.kind {
                InstKind::Workdir(_) => break,
                InstKind::Copy(c) if !c.is_add && !is_absolute_dest(&c.dest) => {
                    out.push(
                        Hit::new(
                            i.span,
                            format!(
                                "COPY to relative `{}` with no WORKDIR set: the files land in the base image's working directory",
                                c.dest
                            ),
                        )
                        .hint("add `WORKDIR /app` (or another absolute path) before this COPY, or copy to an absolute path"),
                    );
                }
                _ => {}
            }
        }
    }
}

fn uv_image_unpinned(df: &Dockerfile, out: &mut Vec<Hit>) {
    let mut check = |raw: &str, span| {
        // cheap pre-test, then one parse of the reference
        if !raw.contains("astral-sh/uv") || raw.contains('$') {
            return;
        }
        let r = ImageRef::parse(raw);
        if r.name.ends_with("astral-sh/uv") && !r.is_pinned() {
            out.push(
                Hit::new(span, format!("uv image `{raw}` is not pinned to a version"))
                    .hint("pin it, e.g. `ghcr.io/astral-sh/uv:0.8.15` (or a digest)"),
            );
        }
    };
    for st in &df.stages {
        if !df.fragment {
            check(&st.image.raw, st.image_span);
        }
        for (i, c) in st.copies() {
            if let Some(f) = &c.from {
                check(&f.value, i.span);
            }
        }
    }
}

fn is_dev_stage(st: &Stage) -> bool {
    st.name().is_some_and(|n| {
        let n = n.to_ascii_lowercase();
        ["dev", "test", "ci", "lint", "debug"]
            .iter()
            .any(|w| n.split(['-', '_']).any(|p| p == *w))
    })
}

fn uv_sync_unlocked(df: &Dockerfile, out: &mut Vec<Hit>) {
    for st in df.stages.iter().filter(|s| !is_dev_stage(s)) {
        for (i, r) in st.runs() {
            if r.calls(PackageManager::Uv)
                .any(|c| c.subcommand == "sync" && !c.has_flag(&["--locked", "--frozen"]))
            {
                out.push(
                    Hit::new(i.span, "`uv sync` without `--locked` or `--frozen`")
                        .hint("use `uv sync --locked` (and COPY uv.lock first) so the lock file is respected"),
                );
            }
        }
    }
}

fn uv_no_cache(df: &Dockerfile, out: &mut Vec<Hit>) {
    let global = df.global_args.iter().any(|k| k.key == "UV_NO_CACHE");
    for st in &df.stages {
        let mut env_off = global || stage_env_truthy(st, "UV_NO_CACHE");
        let mut cur = st.base_stage.and_then(|b| df.stages.get(b));
        while let Some(b) = cur {
            env_off |= stage_env_truthy(b, "UV_NO_CACHE");
            cur = b.base_stage.and_then(|x| df.stages.get(x));
        }
        if env_off {
            continue;
        }
        for (i, r) in st.runs() {
            let installs = r.calls(PackageManager::Uv).filter(|c| {
                c.subcommand == "sync"
                    || c.subcommand == "pip install"
                    || c.subcommand == "pip sync"
            });
            let mut bad = false;
            for c in installs {
                if !c.has_flag(&["--no-cache", "-n"]) && !r.has_cache_mount() {
                    bad = true;
                }
            }
            if bad {
                out.push(
                    Hit::new(i.span, "uv install with neither a cache mount nor `--no-cache`: uv's cache stays in the layer")
                        .hint("use `RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked` or add `--no-cache`"),
                );
            }
        }
    }
}

fn eol_base(df: &Dockerfile, out: &mut Vec<Hit>) {
    eol_base_at(
        df,
        out,
        super::versions::Versions::bundled(),
        &super::versions::today(),
    );
}

fn eol_base_at(df: &Dockerfile, out: &mut Vec<Hit>, data: &super::versions::Versions, today: &str) {
    for st in external_stages(df) {
        for f in data.eol_findings(&st.image, today) {
            let mut h = Hit::new(
                st.image_span,
                format!(
                    "base image `{}` runs on {}, {} (versions data as of {})",
                    st.image.raw, f.what, f.why, data.as_of
                ),
            );
            if let Some(i) = f.instead {
                h = h.hint(format!("move to a supported line: {i}"));
            }
            out.push(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::parse_dockerfile_text;

    fn ids(text: &str) -> Vec<(&'static str, usize)> {
        let df = parse_dockerfile_text(text);
        check_dockerfile(&df)
            .into_iter()
            .map(|(id, h)| (id, h.span.line))
            .collect()
    }

    fn fires(text: &str, id: &str) -> bool {
        ids(text).iter().any(|(i, _)| *i == id)
    }

    const GOOD: &str = "# syntax=docker/dockerfile:1\nFROM ghcr.io/astral-sh/uv:0.8.15 AS uv\nFROM python:3.12-slim AS build\nWORKDIR /app\nCOPY --from=uv /uv /bin/uv\nCOPY pyproject.toml uv.lock ./\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-install-project\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --locked\nFROM python:3.12-slim\nWORKDIR /app\nRUN useradd -r app\nCOPY --from=build --chown=app /app /app\nUSER app\nEXPOSE 8000\nHEALTHCHECK CMD [\"python\", \"-c\", \"print(1)\"]\nCMD [\"python\", \"-m\", \"app\"]\n";

    #[test]
    fn healthcheck_hint_fits_the_image() {
        let hint = |text: &str| {
            let df = parse_dockerfile_text(text);
            check_dockerfile(&df)
                .into_iter()
                .find(|(id, _)| *id == "SF-docker-no-healthcheck")
                .and_then(|(_, h)| h.hint)
                .unwrap_or_default()
        };
        let py = hint(
            "FROM python:3.12-slim AS base\nFROM base\nEXPOSE 9000\nCMD [\"python\", \"app.py\"]\n",
        );
        assert!(
            py.contains("urllib.request") && py.contains("localhost:9000"),
            "{py}"
        );
        assert!(!py.contains("\"curl\""), "{py}");
        let d = hint("FROM gcr.io/distroless/static-debian12\nCMD [\"/app\"]\n");
        assert!(d.contains("-healthcheck") && !d.contains("curl\\\""), "{d}");
        let a = hint("FROM nginx:1.27-alpine\nEXPOSE 80\nCMD [\"nginx\"]\n");
        assert!(a.contains("wget") && a.contains("localhost:80/"), "{a}");
        let n = hint("FROM node:22-slim\nCMD [\"node\", \"s.js\"]\n");
        assert!(n.contains("fetch(") && n.contains(":8000/"), "{n}");
        let slim = hint("FROM debian:12-slim\nCMD [\"/srv\"]\n");
        assert!(slim.contains("after installing curl"), "{slim}");
    }

    #[test]
    fn good_file_is_clean() {
        assert_eq!(ids(GOOD), vec![]);
    }

    #[test]
    fn each_rule_fires_and_not() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "SF-docker-untagged-base",
                "FROM python\n",
                "FROM python:3.12\n",
            ),
            (
                "SF-docker-latest-tag",
                "FROM python:latest\n",
                "FROM python:3.12\n",
            ),
            (
                "SF-docker-user-root",
                "FROM a:1\nUSER root\n",
                "FROM a:1\nUSER root\nUSER app\n",
            ),
            (
                "SF-docker-no-user",
                "FROM a:1\nCMD [\"x\"]\n",
                "FROM gcr.io/distroless/python3:nonroot\nCMD [\"x\"]\n",
            ),
            (
                "SF-docker-no-healthcheck",
                "FROM a:1\nCMD [\"x\"]\n",
                "FROM a:1\nHEALTHCHECK NONE\nCMD [\"x\"]\n",
            ),
            (
                "SF-docker-shell-form-cmd",
                "CMD python app.py\n",
                "CMD [\"python\", \"app.py\"]\n",
            ),
            (
                "SF-docker-relative-workdir",
                "WORKDIR app\n",
                "WORKDIR /app\n",
            ),
            (
                "SF-docker-run-cd",
                "RUN cd /x && make\n",
                "WORKDIR /x\nRUN make\n",
            ),
            (
                "SF-docker-add-local",
                "ADD src /src\n",
                "ADD https://x/y.tgz /y\n",
            ),
            (
                "SF-docker-apt-not-apt-get",
                "RUN apt install -y x\n",
                "RUN apt-get install -y x\n",
            ),
            (
                "SF-docker-apt-yes",
                "RUN apt-get install x\n",
                "RUN apt-get install -qy x\n",
            ),
            (
                "SF-docker-apt-no-recommends",
                "RUN apt-get install -y x\n",
                "RUN apt-get install -y --no-install-recommends x\n",
            ),
            (
                "SF-docker-apt-lists",
                "RUN apt-get update && apt-get install -y x\n",
                "RUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n",
            ),
            (
                "SF-docker-apk-no-cache",
                "RUN apk add curl\n",
                "RUN apk add --no-cache curl\n",
            ),
            (
                "SF-docker-pip-no-cache",
                "RUN pip install -r r.txt\n",
                "RUN pip install --no-cache-dir -r r.txt\n",
            ),
            (
                "SF-docker-pip-unpinned",
                "RUN pip install flask\n",
                "RUN pip install flask==3.0 -r r.txt .\n",
            ),
            (
                "SF-docker-secret-env",
                "ENV API_TOKEN=abc\n",
                "ENV API_TOKEN_FILE=/run/secrets/t\n",
            ),
            (
                "SF-docker-multiple-cmd",
                "FROM a:1\nCMD [\"a\"]\nCMD [\"b\"]\n",
                "FROM a:1\nCMD [\"a\"]\nFROM b:1\nCMD [\"b\"]\n",
            ),
            (
                "SF-docker-multiple-entrypoint",
                "FROM a:1\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n",
                "FROM a:1\nENTRYPOINT [\"a\"]\n",
            ),
            (
                "SF-docker-multiple-healthcheck",
                "HEALTHCHECK NONE\nHEALTHCHECK CMD [\"x\"]\n",
                "HEALTHCHECK CMD [\"x\"]\n",
            ),
            (
                "SF-docker-copy-from-unknown",
                "FROM a:1 AS x\nCOPY --from=y /a /b\nFROM a:1 AS y\n",
                "FROM a:1 AS y\nFROM a:1 AS x\nCOPY --from=y /a /b\n",
            ),
            (
                "SF-docker-copy-from-self",
                "FROM a:1 AS x\nCOPY --from=x /a /b\n",
                "FROM a:1 AS x\nCOPY --from=nginx:1 /a /b\n",
            ),
            (
                "SF-docker-duplicate-stage",
                "FROM a:1 AS x\nFROM b:1 AS X\n",
                "FROM a:1 AS x\nFROM b:1 AS y\n",
            ),
            (
                "SF-docker-from-as-casing",
                "FROM a:1 as x\n",
                "FROM a:1 AS x\n",
            ),
            (
                "SF-docker-source-before-deps",
                "FROM a:1\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n",
                "FROM a:1\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n",
            ),
            (
                "SF-docker-pipefail",
                "RUN curl x | sh\n",
                "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl x | sh\n",
            ),
            ("SF-docker-maintainer", "MAINTAINER me\n", "LABEL a=b\n"),
            ("SF-docker-sudo", "RUN sudo make\n", "RUN make\n"),
            (
                "SF-docker-expose-port",
                "EXPOSE 70000\n",
                "EXPOSE 8000/tcp\n",
            ),
            (
                "SF-docker-copy-multi-dest-slash",
                "COPY pyproject.toml uv.lock .\n",
                "COPY pyproject.toml uv.lock ./\n",
            ),
            (
                "SF-docker-from-platform",
                "FROM --platform=linux/amd64 python:3.12-slim\n",
                "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n",
            ),
            (
                "SF-docker-copy-relative-no-workdir",
                "FROM python:3.12-slim\nCOPY . .\n",
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n",
            ),
            (
                "SF-docker-uv-image-unpinned",
                "COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/\n",
                "COPY --from=ghcr.io/astral-sh/uv:0.8.15 /uv /bin/\n",
            ),
            (
                "SF-docker-uv-sync-unlocked",
                "RUN uv sync\n",
                "RUN uv sync --frozen\n",
            ),
            (
                "SF-docker-uv-no-cache",
                "FROM a:1\nRUN uv sync --locked\n",
                "FROM a:1\nENV UV_NO_CACHE=1\nRUN uv sync --locked\n",
            ),
            (
                "SF-docker-eol-base",
                "FROM python:2.7-slim\n",
                "FROM python:3.13-slim-trixie\n",
            ),
            (
                "SF-docker-parse",
                "FROM a:1\nCOPYY a b\n",
                "FROM a:1\nRUN x\n",
            ),
        ];
        for (id, bad, good) in cases {
            assert!(
                fires(bad, id),
                "{id} should fire on:\n{bad}\ngot {:?}",
                ids(bad)
            );
            assert!(
                !fires(good, id),
                "{id} should not fire on:\n{good}\ngot {:?}",
                ids(good)
            );
        }
        // every rule has a case
        for r in LOGIC {
            assert!(
                cases.iter().any(|c| c.0 == r.id),
                "no test case for {}",
                r.id
            );
        }
    }

    fn lines(text: &str, id: &str) -> Vec<usize> {
        ids(text)
            .into_iter()
            .filter(|(i, _)| *i == id)
            .map(|(_, l)| l)
            .collect()
    }

    /// Behaviours of hadolint 2.15 learned by experiment (DL3021, DL3029, DL3045).
    #[test]
    fn dl_rules_follow_hadolint_edge_cases() {
        let multi = "SF-docker-copy-multi-dest-slash";
        for bad in [
            "COPY a b c\n",
            "COPY a b .\n",
            "COPY a b /app\n",
            "COPY a b \"c\"\n",
            "COPY a b $DEST\n",
            "COPY --from=build a b /c\n",
            "COPY [\"a\", \"b\", \"/c\"]\n",
            "ADD a b /c\n",
        ] {
            assert!(fires(bad, multi), "{bad}");
        }
        for good in [
            "COPY a b ./\n",
            "COPY a b \"c/\"\n",
            "COPY a b ${DEST}/\n",
            "COPY a* /c\n",
            "COPY a /c\n",
            "COPY --chown=app a \\\n  b /srv/\n",
        ] {
            assert!(!fires(good, multi), "{good}");
        }

        let plat = "SF-docker-from-platform";
        for bad in [
            "FROM --platform=linux/amd64 a:1\n",
            "FROM --platform=\"linux/arm64\" a:1\n",
            "FROM --platform=linux/$TARGETARCH a:1\n",
            "FROM --platform=$PLATFORM a:1\n",
        ] {
            assert!(fires(bad, plat), "{bad}");
        }
        for good in [
            "FROM a:1\n",
            "FROM --platform=$BUILDPLATFORM a:1\n",
            "FROM --platform=${TARGETPLATFORM} a:1\n",
            "FROM --platform=\"$BUILDPLATFORM\" a:1\n",
        ] {
            assert!(!fires(good, plat), "{good}");
        }
        assert_eq!(
            lines(
                "FROM a:1 AS x\nFROM --platform=linux/amd64 \\\n  b:1\n",
                plat
            ),
            vec![2]
        );

        let rel = "SF-docker-copy-relative-no-workdir";
        for dest in [
            ".", "./", "app/", "\"app\"", "'app'", "./$X", "~/app", "_:x",
        ] {
            let text = format!("FROM a:1\nCOPY x {dest}\n");
            assert!(fires(&text, rel), "{text}");
        }
        for dest in [
            "/app/",
            "$HOME/app",
            "${APP_DIR}",
            "\"/app\"",
            "'$X'",
            "C:\\app",
            "c:/app",
            "D:",
        ] {
            let text = format!("FROM a:1\nCOPY x {dest}\n");
            assert!(!fires(&text, rel), "{text}");
        }
        // WORKDIR counts from where it is set, per stage
        assert_eq!(
            lines(
                "FROM a:1\nCOPY . .\nWORKDIR /app\nCOPY . .\nFROM a:1\nCOPY --from=0 /app .\n",
                rel
            ),
            vec![2, 6]
        );
        // inherited through `FROM <stage>`, transitively, stage names case-insensitive
        assert_eq!(
            lines(
                "FROM a:1 AS base\nWORKDIR /app\nFROM base AS b\nFROM B\nCOPY . .\nFROM b:1\nCOPY . .\n",
                rel
            ),
            vec![7]
        );
        // ADD and ONBUILD are not judged; fragments neither
        assert!(!fires("FROM a:1\nADD x.tar.gz .\nONBUILD COPY . .\n", rel));
        assert!(!fires("COPY . .\n", rel));
    }

    #[test]
    fn fragments_skip_whole_file_rules_and_check_skip_works() {
        let frag = "HEALTHCHECK CMD curl -f http://localhost/ || exit 1\n";
        assert_eq!(ids(frag), vec![]);
        assert!(parse_dockerfile_text(frag).fragment);
        assert!(fires("FROM python\n", "SF-docker-untagged-base"));
        assert!(!fires(
            "# check=skip=DL3006\nFROM python\n",
            "SF-docker-untagged-base"
        ));
        assert!(!fires(
            "# check=skip=JSONArgsRecommended\nFROM a:1\nCMD x\n",
            "SF-docker-shell-form-cmd"
        ));
        assert!(!fires(
            "# check=skip=all\nFROM a:1\nCMD x\n",
            "SF-docker-shell-form-cmd"
        ));
        // fragment lines map to the text
        let got = ids("# a comment\nRUN apk add x\n");
        assert_eq!(got, vec![("SF-docker-apk-no-cache", 2)]);
    }

    #[test]
    fn eol_base_fires_on_end_of_life_lines_and_not_on_supported_ones() {
        let data = crate::docker::versions::Versions::bundled();
        let hits = |text: &str, today: &str| {
            let df = parse_dockerfile_text(text);
            let mut out = Vec::new();
            eol_base_at(&df, &mut out, data, today);
            out
        };
        let today = "2026-12-02";
        // Fires: Python 3.9 (older than every supported line), Debian 12 suite, Go 1.25.
        let h = hits(
            "FROM golang:1.25-bookworm AS build\nFROM python:3.9-slim-bookworm\nCMD [\"python\"]\n",
            today,
        );
        let msgs: Vec<&str> = h.iter().map(|h| h.message.as_str()).collect();
        assert_eq!(h.len(), 4, "{msgs:?}");
        assert_eq!(h[0].span.line, 1);
        assert!(msgs[0].contains("Go 1.25") && msgs[0].contains("end of life since"));
        assert!(
            msgs.iter()
                .any(|m| m.contains("Python 3.9") && m.contains("older than"))
        );
        assert!(msgs.iter().filter(|m| m.contains("Debian 12")).count() == 2);
        assert!(h[0].hint.as_deref().unwrap_or("").contains("Go 1.27"));
        // Distroless debian12 language images.
        assert_eq!(
            hits("FROM gcr.io/distroless/python3-debian12:nonroot\n", today).len(),
            1
        );
        // Does not fire: supported lines, stages, scratch, unknown images.
        for ok in [
            "FROM python:3.13-slim-trixie AS b\nFROM b\n",
            "FROM node:24-alpine3.24\n",
            "FROM gcr.io/distroless/static-debian13:nonroot\n",
            "FROM scratch\n",
            "FROM postgres:17-alpine\n",
            "FROM dhi.io/golang:1.27-debian13-dev\n",
        ] {
            assert!(hits(ok, today).is_empty(), "{ok}");
        }
        // A build argument's default is resolved in FROM, as BuildKit does.
        assert_eq!(hits("ARG BASE=python:3.8\nFROM $BASE\n", today).len(), 1);
        // The same line before its end-of-life date is fine.
        assert!(hits("FROM debian:12-slim\n", "2026-06-09").is_empty());
        assert_eq!(hits("FROM debian:12-slim\n", "2026-06-10").len(), 1);
        // Registered: check=skip turns it off.
        assert!(!fires(
            "# check=skip=SF-docker-eol-base\nFROM python:2.7\nCMD [\"python\"]\n",
            "SF-docker-eol-base"
        ));
        assert!(fires(
            "FROM python:2.7\nCMD [\"python\"]\n",
            "SF-docker-eol-base"
        ));
    }

    #[test]
    fn every_rule_is_documented_with_peers() {
        for r in RULES {
            assert!(r.id.starts_with("SF-docker-"));
            assert!(r.explain.contains("Peer ids:"));
        }
        assert_eq!(RULES.len(), LOGIC.len());
    }
}
