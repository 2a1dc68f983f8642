//! Who the image runs as and what it carries: root / missing USER, `sudo`, secrets in
//! ENV or ARG.

use crate::docker::Hit;
use crate::docker::facts::*;

pub(super) fn user_root(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn no_user(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn secret_env(df: &Dockerfile, out: &mut Vec<Hit>) {
    for kv in df.secret_env_keys() {
        out.push(
            Hit::new(kv.span, format!("`{}` looks like a secret in ENV/ARG: it stays in the image history", kv.key))
                .hint("use `RUN --mount=type=secret,id=…` at build time, and runtime env or Compose secrets"),
        );
    }
}

pub(super) fn sudo(df: &Dockerfile, out: &mut Vec<Hit>) {
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
