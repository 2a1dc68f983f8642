//! How the container starts and is checked: HEALTHCHECK, CMD/ENTRYPOINT form and
//! count, EXPOSE, MAINTAINER.

use crate::docker::Hit;
use crate::docker::facts::*;

pub(super) fn no_healthcheck(df: &Dockerfile, out: &mut Vec<Hit>) {
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
pub(super) fn healthcheck_hint(df: &Dockerfile, st: &Stage) -> String {
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

pub(super) fn shell_form_cmd(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i) in df.instructions() {
        if let InstKind::Cmd(c) | InstKind::Entrypoint(c) = &i.kind
            && !c.exec_form
        {
            let shown = c.args.first().map(|s| s.trim()).unwrap_or("");
            let words: Vec<String> = crate::docker::shell::split_words(shown)
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

pub(super) fn multiple(
    df: &Dockerfile,
    out: &mut Vec<Hit>,
    pick: fn(&InstKind) -> bool,
    what: &str,
) {
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

pub(super) fn multiple_cmd(df: &Dockerfile, out: &mut Vec<Hit>) {
    multiple(df, out, |k| matches!(k, InstKind::Cmd(_)), "CMD");
}

pub(super) fn multiple_entrypoint(df: &Dockerfile, out: &mut Vec<Hit>) {
    multiple(
        df,
        out,
        |k| matches!(k, InstKind::Entrypoint(_)),
        "ENTRYPOINT",
    );
}

pub(super) fn multiple_healthcheck(df: &Dockerfile, out: &mut Vec<Hit>) {
    multiple(
        df,
        out,
        |k| matches!(k, InstKind::Healthcheck(_)),
        "HEALTHCHECK",
    );
}

pub(super) fn maintainer(df: &Dockerfile, out: &mut Vec<Hit>) {
    for (_, i) in df.instructions() {
        if matches!(i.kind, InstKind::Maintainer) {
            out.push(
                Hit::new(i.span, "MAINTAINER is deprecated")
                    .hint("use `LABEL org.opencontainers.image.authors=\"…\"`"),
            );
        }
    }
}

pub(super) fn expose_port(df: &Dockerfile, out: &mut Vec<Hit>) {
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
