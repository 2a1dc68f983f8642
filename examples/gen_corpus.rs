//! Generates a benchmark corpus of realistic skills for `bench/lint.sh`.
//!
//! Usage: cargo run --release --example gen_corpus -- DIR [COUNT] [--docker]
//!
//! Each skill has ≈10 files: SKILL.md of a few KB (frontmatter, persona, principles,
//! workflow, code blocks, links), five reference files (two over 100 lines with a table
//! of contents), a script, an asset and two templates. One skill in ten is broken in a
//! different way (name mismatch, missing description, broken link, unclosed fence,
//! unknown field). With `--docker`, every SKILL.md also carries three Dockerfile blocks
//! (Python + uv, Node, Go; clean except in the broken skills, which get one Docker or
//! Compose mistake each) and the skill a `templates/compose.yaml`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: gen_corpus DIR [COUNT] [--docker]");
        std::process::exit(2);
    };
    let count: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let docker = args.iter().any(|a| a == "--docker");
    let root = Path::new(dir).join("skills");
    for i in 0..count {
        if let Err(e) = write_skill(&root, i, docker) {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
    println!("wrote {count} skills under {}", root.display());
}

const TOPICS: &[&str] = &[
    "release-notes",
    "api-review",
    "sql-migrations",
    "incident-report",
    "load-testing",
    "terraform-plan",
];

fn write_skill(root: &Path, i: usize, docker: bool) -> std::io::Result<()> {
    let topic = TOPICS[i % TOPICS.len()];
    let name = format!("{topic}-{i:04}");
    let dir = root.join(&name);
    std::fs::create_dir_all(dir.join("references"))?;
    std::fs::create_dir_all(dir.join("scripts"))?;
    std::fs::create_dir_all(dir.join("assets"))?;
    std::fs::create_dir_all(dir.join("templates"))?;
    let broken = i % 10 == 9;
    let kind = (i / 10) % 5;
    let fm_name = if broken && kind == 0 {
        format!("{topic}-other")
    } else {
        name.clone()
    };
    let mut s = String::new();
    let _ = writeln!(s, "---\nname: {fm_name}");
    if !(broken && kind == 1) {
        let _ = writeln!(
            s,
            "description: Plans and reviews {topic} work step by step with checklists. Use when the user asks for a {topic} plan, a review of one, or help fixing a failed {topic} run."
        );
    }
    let _ = writeln!(
        s,
        "license: Apache-2.0\nmetadata:\n  version: \"1.{i}.0\"\n  owner: platform-team"
    );
    if broken && kind == 4 {
        let _ = writeln!(s, "color: blue");
    }
    let _ = writeln!(s, "---\n\n# {topic} helper\n");
    let _ = writeln!(
        s,
        "## Persona\n\nThink like a senior engineer who owns {topic} in production. Priorities, in order: correctness, safety, speed of review, brevity. When they conflict, safety wins over speed.\n"
    );
    let _ = writeln!(s, "## Questions to ask first\n");
    for q in 1..=6 {
        let _ = writeln!(
            s,
            "{q}. What constraint number {q} applies to this {topic}? It decides how strict the checklist is."
        );
    }
    let _ = writeln!(s, "\n## Principles\n");
    for p in 1..=12 {
        let _ = writeln!(
            s,
            "- **Principle {p}.** Keep step {p} reviewable. *Why:* reviewers catch problems early when each change is small and explained."
        );
    }
    let _ = writeln!(
        s,
        "\n## Workflow\n\n1. Read [the checklist](references/checklist.md).\n2. Run `scripts/check.py` on the input.\n3. Fill in [the template](templates/report.md).\n4. Compare with [examples](references/examples.md) and [pitfalls](references/pitfalls.md).\n5. See [glossary](references/glossary.md) and [faq](references/faq.md) for terms.\n6. Attach [the logo](assets/logo.txt) and the [second template](templates/summary.md).\n"
    );
    if broken && kind == 2 {
        let _ = writeln!(s, "Also read [the missing guide](references/missing.md).\n");
    }
    let _ = writeln!(
        s,
        "## Example\n\n```bash\n./scripts/check.py --input plan.txt --strict\n```\n"
    );
    if docker {
        // Three Dockerfiles a real Docker skill would show (Python + uv, Node, Go), clean
        // unless the skill is one of the broken ones, plus a Compose file. Broken skills
        // also carry one Docker or Compose mistake each.
        let (py_base, node_cmd, go_apt, db_dep, secret) = match (broken, kind) {
            (true, 0) => ("python:latest", "", "", "db", ""),
            (true, 1) => ("python:3.12-slim", "CMD node server.js", "", "db", ""),
            (true, 2) => ("python:3.12-slim", "", "", "database", ""),
            (true, 3) => (
                "python:3.12-slim",
                "",
                "RUN apt-get update && apt-get install curl\n",
                "db",
                "",
            ),
            (true, 4) => ("python:3.12-slim", "", "", "db", "ENV API_TOKEN=changeme\n"),
            _ => ("python:3.12-slim", "", "", "db", ""),
        };
        let node_cmd = if node_cmd.is_empty() {
            "CMD [\"node\", \"server.js\"]"
        } else {
            node_cmd
        };
        let _ = writeln!(
            s,
            "```dockerfile\n# syntax=docker/dockerfile:1\nFROM {py_base} AS build\nCOPY --from=ghcr.io/astral-sh/uv:0.8.15 /uv /uvx /bin/\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev\nCOPY . .\n\nFROM python:3.12-slim\nWORKDIR /app\n{secret}COPY --from=build /app /app\nRUN useradd --uid 10001 app\nUSER app\nEXPOSE 8000\nHEALTHCHECK --interval=30s CMD [\"python\", \"-c\", \"print(1)\"]\nCMD [\"python\", \"-m\", \"app\"]\n```\n"
        );
        let _ = writeln!(
            s,
            "```dockerfile\nFROM node:22-slim AS deps\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\n\nFROM node:22-slim\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY . .\nUSER node\nEXPOSE 3000\nHEALTHCHECK CMD [\"node\", \"healthcheck.js\"]\n{node_cmd}\n```\n"
        );
        let _ = writeln!(
            s,
            "```dockerfile\nFROM golang:1.23 AS build\nWORKDIR /src\n{go_apt}COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\n\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nUSER nonroot\nHEALTHCHECK CMD [\"/app\", \"-healthcheck\"]\nENTRYPOINT [\"/app\"]\n```\n"
        );
        std::fs::write(
            dir.join("templates/compose.yaml"),
            format!(
                "services:\n  api:\n    build: .\n    ports:\n      - \"8000:8000\"\n    depends_on:\n      {db_dep}:\n        condition: service_healthy\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -U postgres\"]\n      interval: 5s\n    volumes:\n      - dbdata:/var/lib/postgresql/data\nvolumes:\n  dbdata: {{}}\n"
            ),
        )?;
        let _ = writeln!(s, "Compose file: [compose](templates/compose.yaml).\n");
    }
    if broken && kind == 3 {
        let _ = writeln!(s, "```python\nprint('never closed')\n");
    }
    std::fs::write(dir.join("SKILL.md"), s)?;
    for (file, long) in [
        ("checklist", true),
        ("examples", true),
        ("pitfalls", false),
        ("glossary", false),
        ("faq", false),
    ] {
        let mut r = format!("# {file}\n\n");
        let lines = if long { 140 } else { 40 };
        if long {
            r.push_str("## Contents\n\n- [Part A](#part-a)\n- [Part B](#part-b)\n\n## Part A\n\n");
        }
        for l in 0..lines {
            let _ = writeln!(
                r,
                "- Item {l}: check that the {topic} step {l} is documented, reviewed and reversible."
            );
            if long && l == lines / 2 {
                r.push_str("\n## Part B\n\n");
            }
        }
        std::fs::write(dir.join(format!("references/{file}.md")), r)?;
    }
    std::fs::write(
        dir.join("scripts/check.py"),
        "#!/usr/bin/env python3\nimport sys\nprint('ok', sys.argv[1:])\n",
    )?;
    std::fs::write(dir.join("assets/logo.txt"), "[logo]\n")?;
    std::fs::write(dir.join("templates/report.md"), "# Report\n\n- Findings:\n")?;
    std::fs::write(dir.join("templates/summary.md"), "# Summary\n")?;
    Ok(())
}
