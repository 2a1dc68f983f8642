//! Firing / not-firing tests of every Dockerfile rule (and the hadolint edge cases).

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
