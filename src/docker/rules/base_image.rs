//! Base-image rules: parse errors, untagged / `latest` / fixed-platform / end-of-life
//! bases, stage names and FROM … AS casing.

use crate::docker::Hit;
use crate::docker::facts::*;

pub(super) fn parse_error(df: &Dockerfile, out: &mut Vec<Hit>) {
    if let Some(p) = &df.parse_error {
        out.push(
            Hit::new(p.span, format!("Dockerfile does not parse: {}", p.message)).hint(
                "fix the instruction, or tag the block `text` if it is not meant to be a Dockerfile",
            ),
        );
    }
}

/// Stages that name an external image (not scratch, not a stage, no variable).
pub(super) fn external_stages(df: &Dockerfile) -> impl Iterator<Item = &Stage> {
    df.stages.iter().filter(|s| {
        s.base_stage.is_none()
            && !s.image.is_scratch()
            && !s.image.has_variable()
            && !s.image.raw.is_empty()
    })
}

pub(super) fn untagged_base(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn latest_tag(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn duplicate_stage(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn from_as_casing(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn from_platform(df: &Dockerfile, out: &mut Vec<Hit>) {
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

pub(super) fn eol_base(df: &Dockerfile, out: &mut Vec<Hit>) {
    eol_base_at(
        df,
        out,
        crate::docker::versions::Versions::bundled(),
        &crate::docker::versions::today(),
    );
}

pub(super) fn eol_base_at(
    df: &Dockerfile,
    out: &mut Vec<Hit>,
    data: &crate::docker::versions::Versions,
    today: &str,
) {
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
