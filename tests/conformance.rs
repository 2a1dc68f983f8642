//! Conformance with the reference validator (`skills-ref validate`).
//!
//! Our own suite, written for skillforge, with the same inputs and expected verdicts as
//! the reference validator's test cases (its parser and validator tests). Each case is
//! built in a temporary directory and linted under `Profile::Strict`, the profile meant
//! to behave like the reference; "valid" means no error-severity diagnostic from
//! `lint_skill` + `lint_tree` (or from a load error).
//!
//! The conformance run also sets `unicode_names = true`: the reference accepts Unicode
//! lowercase names (`мой-навык`, `技能`), which skillforge allows only with that option
//! (its default is portable ASCII; see `ascii_names_are_our_default`).
//!
//! Cases where the reference is known to be wrong are in `deliberate_differences`: each
//! asserts skillforge's verdict and that it differs from the reference's, with the reason.

use skillforge::lint::rules::load_error_diagnostic;
use skillforge::lint::{Config, Ctx, Profile, lint_skill, lint_tree};
use skillforge::report::{Diagnostic, Severity};
use skillforge::skill::Skill;

/// What the case directory holds.
enum Setup {
    /// A directory `dir` with these files.
    Dir(&'static str, Vec<(&'static str, String)>),
    /// Nothing at the path.
    Nothing,
    /// A plain file instead of a directory.
    File,
}

struct Case {
    /// The reference test this mirrors.
    name: &'static str,
    setup: Setup,
    /// The reference validator's verdict (and ours, for conforming cases).
    valid: bool,
}

fn skill_md(fm: &str, body: &str) -> String {
    format!("---\n{fm}---\n{body}")
}

fn dir(name: &'static str, fm: &str) -> Setup {
    Setup::Dir(name, vec![("SKILL.md", skill_md(fm, "Body\n"))])
}

fn case(name: &'static str, setup: Setup, valid: bool) -> Case {
    Case { name, setup, valid }
}

fn strict(unicode: bool) -> Ctx {
    Ctx::new(Config {
        profile: Profile::Strict,
        unicode_names: unicode,
        ..Config::default()
    })
}

/// Builds the case in a temp dir and returns all diagnostics.
fn run(setup: &Setup, cx: &Ctx) -> Vec<Diagnostic> {
    let tmp = tempfile::tempdir().unwrap();
    let path = match setup {
        Setup::Dir(name, files) => {
            let d = tmp.path().join(name);
            std::fs::create_dir_all(&d).unwrap();
            for (rel, text) in files {
                std::fs::write(d.join(rel), text).unwrap();
            }
            d
        }
        Setup::Nothing => tmp.path().join("nonexistent"),
        Setup::File => {
            let f = tmp.path().join("file.txt");
            std::fs::write(&f, "test").unwrap();
            f
        }
    };
    match Skill::load(&path) {
        Err(e) => vec![load_error_diagnostic(&e)],
        Ok(s) => {
            let mut d = lint_skill(cx, &s);
            d.extend(lint_tree(cx, std::slice::from_ref(&s)));
            d
        }
    }
}

fn is_valid(diags: &[Diagnostic]) -> bool {
    !diags.iter().any(|d| d.severity == Severity::Error)
}

fn errors(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.rule, d.message))
        .collect()
}

const D: &str = "description: A test skill\n";

fn reference_cases() -> Vec<Case> {
    let long_name: &'static str = Box::leak("a".repeat(70).into_boxed_str());
    vec![
        // --- parser tests ---
        case(
            "parser::valid_frontmatter",
            Setup::Dir(
                "my-skill",
                vec![(
                    "SKILL.md",
                    skill_md(
                        &format!("name: my-skill\n{D}"),
                        "# My Skill\n\nInstructions here.\n",
                    ),
                )],
            ),
            true,
        ),
        case(
            "parser::missing_frontmatter",
            Setup::Dir(
                "my-skill",
                vec![("SKILL.md", "# No frontmatter here".into())],
            ),
            false,
        ),
        case(
            "parser::unclosed_frontmatter",
            Setup::Dir(
                "my-skill",
                vec![("SKILL.md", format!("---\nname: my-skill\n{D}"))],
            ),
            false,
        ),
        case(
            "parser::invalid_yaml",
            Setup::Dir(
                "my-skill",
                vec![(
                    "SKILL.md",
                    "---\nname: [invalid\ndescription: broken\n---\nBody here\n".into(),
                )],
            ),
            false,
        ),
        case(
            "parser::non_dict_frontmatter",
            Setup::Dir(
                "my-skill",
                vec![("SKILL.md", "---\n- just\n- a\n- list\n---\nBody\n".into())],
            ),
            false,
        ),
        case(
            "parser::read_valid_skill",
            Setup::Dir(
                "my-skill",
                vec![(
                    "SKILL.md",
                    skill_md(
                        &format!("name: my-skill\n{D}license: MIT\n"),
                        "# My Skill\n",
                    ),
                )],
            ),
            true,
        ),
        // `version: 1.0` is a YAML number: skillforge warns (quote it), still valid.
        case(
            "parser::read_with_metadata",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}metadata:\n  author: Test Author\n  version: 1.0\n"),
            ),
            true,
        ),
        case(
            "parser::missing_skill_md",
            Setup::Dir("my-skill", vec![]),
            false,
        ),
        case("parser::missing_name", dir("my-skill", D), false),
        case(
            "parser::missing_description",
            dir("my-skill", "name: my-skill\n"),
            false,
        ),
        case(
            "parser::find_skill_md_prefers_uppercase",
            Setup::Dir(
                "my-skill",
                vec![
                    (
                        "SKILL.md",
                        skill_md(&format!("name: my-skill\n{D}"), "Body\n"),
                    ),
                    ("skill.md", "lowercase, not a skill".into()),
                ],
            ),
            true,
        ),
        // skillforge warns (SF-skill-md-lowercase) but, like the reference, accepts it.
        case(
            "parser::find_skill_md_accepts_lowercase",
            Setup::Dir(
                "my-skill",
                vec![(
                    "skill.md",
                    skill_md(&format!("name: my-skill\n{D}"), "Body\n"),
                )],
            ),
            true,
        ),
        case(
            "parser::find_skill_md_returns_none_when_missing",
            Setup::Dir("my-skill", vec![]),
            false,
        ),
        case(
            "parser::read_properties_with_lowercase_skill_md",
            Setup::Dir(
                "my-skill",
                vec![(
                    "skill.md",
                    skill_md(&format!("name: my-skill\n{D}"), "# My Skill\n"),
                )],
            ),
            true,
        ),
        case(
            "parser::read_with_allowed_tools",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}allowed-tools: Bash(jq:*) Bash(git:*)\n"),
            ),
            true,
        ),
        // --- validator tests ---
        case(
            "validator::valid_skill",
            Setup::Dir(
                "my-skill",
                vec![(
                    "SKILL.md",
                    skill_md(&format!("name: my-skill\n{D}"), "# My Skill\n"),
                )],
            ),
            true,
        ),
        case("validator::nonexistent_path", Setup::Nothing, false),
        case("validator::not_a_directory", Setup::File, false),
        case(
            "validator::missing_skill_md",
            Setup::Dir("my-skill", vec![]),
            false,
        ),
        case(
            "validator::invalid_name_uppercase",
            dir("MySkill", &format!("name: MySkill\n{D}")),
            false,
        ),
        case(
            "validator::name_too_long",
            dir(long_name, &format!("name: {long_name}\n{D}")),
            false,
        ),
        case(
            "validator::name_leading_hyphen",
            dir("-my-skill", &format!("name: -my-skill\n{D}")),
            false,
        ),
        case(
            "validator::name_consecutive_hyphens",
            dir("my--skill", &format!("name: my--skill\n{D}")),
            false,
        ),
        case(
            "validator::name_invalid_characters",
            dir("my_skill", &format!("name: my_skill\n{D}")),
            false,
        ),
        case(
            "validator::name_directory_mismatch",
            dir("wrong-name", &format!("name: correct-name\n{D}")),
            false,
        ),
        case(
            "validator::unexpected_fields",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}unknown_field: should not be here\n"),
            ),
            false,
        ),
        case(
            "validator::valid_with_all_fields",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}license: MIT\nmetadata:\n  author: Test\n"),
            ),
            true,
        ),
        case(
            "validator::allowed_tools_accepted",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}allowed-tools: Bash(jq:*) Bash(git:*)\n"),
            ),
            true,
        ),
        case(
            "validator::i18n_chinese_name",
            dir(
                "技能",
                "name: 技能\ndescription: A skill with Chinese name\n",
            ),
            true,
        ),
        case(
            "validator::i18n_russian_name_with_hyphens",
            dir(
                "мой-навык",
                "name: мой-навык\ndescription: A skill with Russian name\n",
            ),
            true,
        ),
        case(
            "validator::i18n_russian_lowercase_valid",
            dir(
                "навык",
                "name: навык\ndescription: A skill with Russian lowercase name\n",
            ),
            true,
        ),
        case(
            "validator::i18n_russian_uppercase_rejected",
            dir(
                "НАВЫК",
                "name: НАВЫК\ndescription: A skill with Russian uppercase name\n",
            ),
            false,
        ),
        case(
            "validator::description_too_long",
            dir(
                "my-skill",
                &format!("name: my-skill\ndescription: {}\n", "x".repeat(1100)),
            ),
            false,
        ),
        case(
            "validator::valid_compatibility",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}compatibility: Requires Python 3.11+\n"),
            ),
            true,
        ),
        case(
            "validator::compatibility_too_long",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}compatibility: {}\n", "x".repeat(550)),
            ),
            false,
        ),
        // Directory precomposed `café`, name decomposed `cafe` + U+0301: equal after NFKC.
        case(
            "validator::nfkc_normalization",
            dir("caf\u{e9}", &format!("name: cafe\u{301}\n{D}")),
            true,
        ),
        // skillforge reports a YAML list as info (SF-allowed-tools-list) but accepts it.
        case(
            "validator::allowed_tools_inline_list_accepted",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}allowed-tools: [Read, Write, Edit, Bash]\n"),
            ),
            true,
        ),
        case(
            "validator::allowed_tools_block_list_accepted",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}allowed-tools:\n  - Read\n  - Bash\n  - Grep\n"),
            ),
            true,
        ),
        case(
            "validator::allowed_tools_list_items_must_be_strings",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}allowed-tools:\n  - Read\n  - 123\n"),
            ),
            false,
        ),
        case(
            "validator::allowed_tools_invalid_scalar_type_rejected",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}allowed-tools: 123\n"),
            ),
            false,
        ),
    ]
}

#[test]
fn same_verdict_as_the_reference_validator_on_its_40_cases() {
    let cases = reference_cases();
    assert_eq!(cases.len(), 40);
    let mut names = std::collections::HashSet::new();
    let cx = strict(true);
    let mut failures = Vec::new();
    for c in &cases {
        assert!(names.insert(c.name), "duplicate case {}", c.name);
        let diags = run(&c.setup, &cx);
        if is_valid(&diags) != c.valid {
            failures.push(format!(
                "{}: reference says {}, skillforge says {} ({:?})",
                c.name,
                if c.valid { "valid" } else { "invalid" },
                if c.valid { "invalid" } else { "valid" },
                errors(&diags)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Inputs on which the reference validator also agrees with us (beyond its own tests):
/// it requires `---` at byte 0, so a leading blank line or a BOM fails there as here.
#[test]
fn agreement_on_frontmatter_start() {
    let cx = strict(true);
    let blank = Setup::Dir(
        "my-skill",
        vec![(
            "SKILL.md",
            format!("\n{}", skill_md(&format!("name: my-skill\n{D}"), "Body\n")),
        )],
    );
    assert!(!is_valid(&run(&blank, &cx)));
    let bom = Setup::Dir(
        "my-skill",
        vec![(
            "SKILL.md",
            format!(
                "\u{feff}{}",
                skill_md(&format!("name: my-skill\n{D}"), "Body\n")
            ),
        )],
    );
    assert!(!is_valid(&run(&bom, &cx)));
    // CRLF files are accepted by both (info only here).
    let crlf = Setup::Dir(
        "my-skill",
        vec![(
            "SKILL.md",
            skill_md(&format!("name: my-skill\n{D}"), "Body\n").replace('\n', "\r\n"),
        )],
    );
    assert!(is_valid(&run(&crlf, &cx)));
}

/// Where the reference validator is known to be wrong, skillforge deliberately differs.
/// Each entry: the input, the reference's verdict, ours, and why.
#[test]
fn deliberate_differences() {
    let cx = strict(true);
    let cases: Vec<(&str, Setup, bool, bool, &str)> = vec![
        (
            "dashes-in-description-before-name",
            Setup::Dir(
                "my-skill",
                vec![(
                    "SKILL.md",
                    "---\ndescription: Converts a---b tables\nname: my-skill\n---\nBody\n".into(),
                )],
            ),
            false,
            true,
            "skills-ref splits the file on the substring `---`, so its frontmatter ends inside \
             the description and `name` is lost (\"Missing required field: name\"). We match \
             delimiter lines only: the description is `Converts a---b tables` and the skill is valid.",
        ),
        (
            "dashes-in-name",
            Setup::Dir(
                "my-skill",
                vec![(
                    "SKILL.md",
                    format!("---\n{D}name: my-skill---x\n---\nBody\n"),
                )],
            ),
            true,
            false,
            "skills-ref truncates the name to `my-skill` (which matches the directory) and \
             accepts it. The real name is `my-skill---x`: it has consecutive hyphens and does \
             not match the directory, so we reject it.",
        ),
        (
            "empty-compatibility",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}compatibility: \"\"\n"),
            ),
            true,
            false,
            "The spec makes compatibility 1-500 characters; skills-ref checks only the maximum.",
        ),
        (
            "nested-metadata",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}metadata:\n  build:\n    os: linux\n"),
            ),
            true,
            false,
            "metadata is string -> string; skills-ref stringifies a nested map (`{{'os': 'linux'}}`). \
             Under the strict profile a nested value is an error (a warning by default).",
        ),
        (
            "boolean-metadata",
            dir(
                "my-skill",
                &format!("name: my-skill\n{D}metadata:\n  beta: true\n"),
            ),
            true,
            false,
            "skills-ref reads `true` as the string \"true\"; strict clients see a boolean. Error \
             under the strict profile, a warning by default.",
        ),
    ];
    for (name, setup, reference, ours, why) in cases {
        let diags = run(&setup, &cx);
        assert_eq!(
            is_valid(&diags),
            ours,
            "{name}: {why}\n{:?}",
            errors(&diags)
        );
        assert_ne!(reference, ours, "{name} is listed as a difference");
    }
}

/// Unicode lowercase names are valid for the reference and with `unicode_names`; by
/// default skillforge requires portable ASCII names (a documented choice, not a bug).
#[test]
fn ascii_names_are_our_default() {
    let setup = dir(
        "мой-навык",
        "name: мой-навык\ndescription: A skill with Russian name\n",
    );
    assert!(is_valid(&run(&setup, &strict(true))));
    let diags = run(&setup, &strict(false));
    assert!(!is_valid(&diags));
    assert!(
        diags.iter().any(|d| d.rule == "SF-name-format"),
        "{diags:?}"
    );
}

/// The default profile only differs from strict on unknown fields and metadata types:
/// an unknown field is a warning there, so the skill is valid.
#[test]
fn default_profile_warns_on_unknown_fields() {
    let setup = dir(
        "my-skill",
        &format!("name: my-skill\n{D}unknown_field: x\n"),
    );
    let cx = Ctx::new(Config::default());
    let diags = run(&setup, &cx);
    assert!(is_valid(&diags));
    assert!(
        diags
            .iter()
            .any(|d| d.rule == "SF-unknown-field" && d.severity == Severity::Warning)
    );
}
