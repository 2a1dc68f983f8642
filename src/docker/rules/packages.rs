//! Package managers in RUN: apt / apt-get, apk, pip and uv (flags, pins, caches).

use crate::docker::Hit;
use crate::docker::facts::*;

pub(super) fn apt_calls(df: &Dockerfile) -> impl Iterator<Item = (&Inst, &RunFact, &PackageCall)> {
    df.runs()
        .flat_map(|(_, i, r)| r.calls(PackageManager::Apt).map(move |c| (i, r, c)))
}

pub(super) fn apt_not_apt_get(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i, r) in df.runs() {
        if r.commands.iter().any(|c| c.program() == Some("apt")) {
            out.push(
                Hit::new(i.span, "`apt` in a Dockerfile")
                    .hint("use `apt-get` (stable CLI for scripts)"),
            );
        }
    }
}

pub(super) fn apt_get_installs(df: &Dockerfile) -> Vec<(&Inst, &PackageCall)> {
    apt_calls(df)
        .filter(|(_, _, c)| c.subcommand == "install" && c.program == "apt-get")
        .map(|(i, _, c)| (i, c))
        .collect()
}

pub(super) fn apt_yes(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn apt_no_recommends(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn apt_lists(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn apk_no_cache(df: &Dockerfile, out: &mut Vec<Hit>) {
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
pub(super) fn stage_env_truthy(st: &Stage, name: &str) -> bool {
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

pub(super) fn pip_installs(r: &RunFact) -> impl Iterator<Item = &PackageCall> {
    r.calls(PackageManager::Pip)
        .filter(|c| c.subcommand == "install")
}

pub(super) fn pip_no_cache(df: &Dockerfile, out: &mut Vec<Hit>) {
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
pub(super) const PIP_VALUE_OPTS: &[&str] = &[
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

pub(super) fn pip_unpinned(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn uv_image_unpinned(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn is_dev_stage(st: &Stage) -> bool {
    st.name().is_some_and(|n| {
        let n = n.to_ascii_lowercase();
        ["dev", "test", "ci", "lint", "debug"]
            .iter()
            .any(|w| n.split(['-', '_']).any(|p| p == *w))
    })
}

pub(super) fn uv_sync_unlocked(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn uv_no_cache(df: &Dockerfile, out: &mut Vec<Hit>) {
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
