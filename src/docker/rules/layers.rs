//! Build steps and layers: WORKDIR, `cd`, ADD/COPY (sources, destinations, `--from`),
//! dependency-before-source order, pipefail.

use crate::docker::Hit;
use crate::docker::facts::*;

pub(super) fn relative_workdir(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn run_cd(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i, r) in df.runs() {
        if r.commands.iter().any(|c| c.program() == Some("cd")) {
            out.push(
                Hit::new(i.span, "`cd` in RUN")
                    .hint("set the directory with `WORKDIR /path` instead"),
            );
        }
    }
}

pub(super) fn add_local(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn copy_from_unknown(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn copy_from_self(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn source_before_deps(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn pipefail(df: &Dockerfile, out: &mut Vec<Hit>) {
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

/// A path as hadolint reads it: `"` and `'` dropped from both ends.
pub(super) fn unquoted(path: &str) -> &str {
    path.trim_matches(|c| c == '"' || c == '\'')
}

pub(super) fn copy_multi_dest_slash(df: &Dockerfile, out: &mut Vec<Hit>) {
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

/// A COPY destination hadolint treats as absolute: `/…`, a variable, or a Windows drive.
pub(super) fn is_absolute_dest(dest: &str) -> bool {
    let d = unquoted(dest);
    let mut chars = d.chars();
    d.starts_with('/')
        || d.starts_with('$')
        || (chars.next().is_some_and(char::is_alphabetic) && chars.next() == Some(':'))
}

/// Some stage this one builds on (`FROM <stage>`, transitively) sets WORKDIR.
pub(super) fn inherits_workdir(df: &Dockerfile, st: &Stage) -> bool {
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

pub(super) fn copy_relative_no_workdir(df: &Dockerfile, out: &mut Vec<Hit>) {
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
