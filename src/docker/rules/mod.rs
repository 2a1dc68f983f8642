//! Dockerfile lint rules (`SF-docker-…`), run on the facts of every Dockerfile in a skill.
//!
//! Each rule is a [`Rule`] in [`RULES`] plus a logic function over one
//! [`Dockerfile`]; [`LOGIC`] keeps the peer ids (hadolint `DLxxxx`, Docker build-check
//! names, Trivy `DS-xxxx`, Checkov) used for `# check=skip=…`, the `[docker] allow`
//! list and `--explain`. Rules that make sense on a fragment (a block without FROM)
//! say so; the others skip fragments.
//!
//! The table below (ids, severities, docs, peers) is the one list of Dockerfile rules;
//! their logic lives by family: [`base_image`], [`user`], [`runtime`], [`packages`],
//! [`layers`]; their firing / not-firing tests in `tests.rs`.

mod base_image;
mod layers;
mod packages;
mod runtime;
mod user;

use base_image::*;
use layers::*;
use packages::*;
use runtime::*;
use user::*;

use super::DockerMemo;
use super::Hit;
use super::facts::*;
use crate::report::Severity;
use crate::rule::{Check, Ctx, Emitter, Rule};
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
    for df in em.memo().dockerfiles().iter() {
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

#[cfg(test)]
mod tests;
