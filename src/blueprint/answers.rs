//! Authoring answers: from `--answers FILE`, from prompts on a TTY, or the defaults.

use super::model::{Answers, AuthoringQuestion, when_matches};
use crate::error::{Error, Result};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::Path;

/// The questions that apply given the answers so far (a question's `when` may depend
/// on earlier answers, e.g. the Python package manager only for Python stacks).
fn applies(q: &AuthoringQuestion, so_far: &Answers) -> bool {
    q.when.as_ref().is_none_or(|w| when_matches(w, so_far))
}

/// Every question answered with its default.
pub fn defaults(questions: &[AuthoringQuestion]) -> Answers {
    let mut a = Answers::new();
    for q in questions {
        if applies(q, &a) {
            a.insert(q.id.clone(), q.default.clone());
        }
    }
    a
}

fn valid_values(q: &AuthoringQuestion) -> String {
    q.choices
        .iter()
        .map(|c| c.value.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Notes about answers that were given but do not apply (reported, not fatal).
#[derive(Debug, Default)]
pub struct AnswerNotes {
    pub ignored: Vec<String>,
}

/// Parses and validates an answers file (YAML mapping `id: value`). Unknown keys and
/// invalid values are input errors (exit 2) that list what is valid. Unanswered
/// questions take their defaults.
pub fn from_text(
    text: &str,
    path: &Path,
    questions: &[AuthoringQuestion],
) -> Result<(Answers, AnswerNotes)> {
    from_text_with(text, path, questions, &[])
}

/// Like [`from_text`]; keys of `also_known` questions (e.g. the complete skill's,
/// when a variant asks fewer) are ignored with a note instead of rejected, so one
/// answers file serves both.
pub fn from_text_with(
    text: &str,
    path: &Path,
    questions: &[AuthoringQuestion],
    also_known: &[AuthoringQuestion],
) -> Result<(Answers, AnswerNotes)> {
    let line_of = |key: &str| {
        text.lines()
            .position(|l| {
                let t = l.trim_start();
                t.starts_with(&format!("{key}:")) || t.starts_with(&format!("\"{key}\":"))
            })
            .map(|i| i + 1)
            .unwrap_or(1)
    };
    let value: Value = if text.trim().is_empty() {
        Value::Object(Default::default())
    } else {
        serde_saphyr::from_str(text).map_err(|e| {
            let (line, _, first) = crate::skill::yaml_error_summary(&e);
            let line = line as usize;
            Error::input_at(
                path,
                line.max(1),
                format!("invalid YAML: {first}"),
                Some("the answers file is a YAML mapping, e.g. `stack: fastapi`".into()),
            )
        })?
    };
    let map = match value {
        Value::Object(m) => m,
        Value::Null => Default::default(),
        _ => {
            return Err(Error::input_at(
                path,
                1,
                "the answers file must be a YAML mapping of question id to value",
                Some(format!(
                    "e.g. `stack: fastapi`; questions: {}",
                    questions
                        .iter()
                        .map(|q| q.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ));
        }
    };
    let known: Vec<&str> = questions.iter().map(|q| q.id.as_str()).collect();
    let mut given = Answers::new();
    let mut notes = AnswerNotes::default();
    for (k, v) in &map {
        if !known.contains(&k.as_str()) && also_known.iter().any(|q| &q.id == k) {
            notes.ignored.push(format!(
                "`{k}` is not asked by this blueprint variant and was ignored"
            ));
            continue;
        }
        let Some(q) = questions.iter().find(|q| &q.id == k) else {
            return Err(Error::input_at(
                path,
                line_of(k),
                format!("unknown question `{k}`"),
                Some(format!("valid keys: {}", known.join(", "))),
            ));
        };
        let s = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Bool(_) | Value::Number(_) => v.to_string(),
            _ => String::new(),
        };
        if !q.choices.iter().any(|c| c.value == s) {
            return Err(Error::input_at(
                path,
                line_of(k),
                format!("invalid value {v} for `{k}`"),
                Some(format!("valid values for `{k}`: {}", valid_values(q))),
            ));
        }
        given.insert(k.clone(), s);
    }
    let mut answers = Answers::new();
    for q in questions {
        if applies(q, &answers) {
            let v = given
                .get(&q.id)
                .cloned()
                .unwrap_or_else(|| q.default.clone());
            answers.insert(q.id.clone(), v);
        } else if given.contains_key(&q.id) {
            notes.ignored.push(format!(
                "`{}` does not apply to these answers and was ignored",
                q.id
            ));
        }
    }
    Ok((answers, notes))
}

/// Reads and validates an answers file.
pub fn from_file(path: &Path, questions: &[AuthoringQuestion]) -> Result<(Answers, AnswerNotes)> {
    from_file_with(path, questions, &[])
}

/// Reads and validates an answers file; see [`from_text_with`] for `also_known`.
pub fn from_file_with(
    path: &Path,
    questions: &[AuthoringQuestion],
    also_known: &[AuthoringQuestion],
) -> Result<(Answers, AnswerNotes)> {
    let bytes = crate::fsutil::read_capped(path, 64 * 1024).map_err(|e| match e {
        crate::fsutil::ReadError::Io(err) => {
            Error::io(path, err).with_hint("--answers takes a YAML file such as `stack: fastapi`")
        }
        crate::fsutil::ReadError::TooLarge { size, cap } => Error::input(
            path,
            format!("answers file is {size} bytes, over the {cap}-byte cap"),
        ),
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::input(path, "the answers file is not valid UTF-8"))?;
    from_text_with(&text, path, questions, also_known)
}

/// Asks each applicable question on `input`/`output` (a TTY in practice). An empty
/// line takes the default; a number picks a choice; an unknown value asks again.
pub fn prompt(
    questions: &[AuthoringQuestion],
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> Result<Answers> {
    let io = |e: std::io::Error| Error::Other(format!("cannot prompt: {e}"));
    let mut answers = Answers::new();
    for q in questions {
        if !applies(q, &answers) {
            continue;
        }
        loop {
            writeln!(output, "\n{}", q.prompt).map_err(io)?;
            if let Some(h) = &q.help {
                writeln!(output, "  ({h})").map_err(io)?;
            }
            for (i, c) in q.choices.iter().enumerate() {
                let mark = if c.value == q.default {
                    " [default]"
                } else {
                    ""
                };
                writeln!(output, "  {}) {:<12} {}{mark}", i + 1, c.value, c.label).map_err(io)?;
            }
            write!(output, "> ").map_err(io)?;
            output.flush().map_err(io)?;
            let mut line = String::new();
            let n = input.read_line(&mut line).map_err(io)?;
            if n == 0 {
                // End of input (Ctrl-D) is a cancel, never a silent default.
                writeln!(output).map_err(io)?;
                return Err(cancelled());
            }
            let t = line.trim();
            if t.is_empty() {
                answers.insert(q.id.clone(), q.default.clone());
                break;
            }
            let picked = t
                .parse::<usize>()
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| q.choices.get(i))
                .or_else(|| q.choices.iter().find(|c| c.value.eq_ignore_ascii_case(t)));
            match picked {
                Some(c) => {
                    answers.insert(q.id.clone(), c.value.clone());
                    break;
                }
                None => {
                    writeln!(
                        output,
                        "  `{}` is not a choice; valid: {}",
                        crate::term::escape_line(t),
                        valid_values(q)
                    )
                    .map_err(io)?;
                }
            }
        }
    }
    Ok(answers)
}

/// The error a cancelled question (Esc, `q`, Ctrl-D) ends `new` with: nothing written.
pub fn cancelled() -> Error {
    Error::usage_hint(
        "cancelled: no answer given, nothing was written",
        "run `skillforge new` again, or pass --yes (defaults) or --answers FILE",
    )
}

/// How many questions will be asked in all, given the answers so far (questions not
/// yet answered count when they apply to the answers plus defaults).
fn total_applicable(questions: &[AuthoringQuestion], so_far: &Answers) -> usize {
    let mut a = so_far.clone();
    let mut n = 0;
    for q in questions {
        if applies(q, &a) {
            n += 1;
            a.entry(q.id.clone()).or_insert_with(|| q.default.clone());
        }
    }
    n
}

/// What a key does in the selection menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuAction {
    Up,
    Down,
    First,
    Last,
    Jump(usize),
    Choose,
    Cancel,
    Interrupt,
    Ignore,
}

/// The menu's key map: arrows, Tab and j/k move; Home/End; a digit jumps to that
/// choice; Enter or Space chooses; Esc, `q` and Ctrl-D cancel; Ctrl-C interrupts.
/// Anything else (unknown escape sequences included) is ignored, never echoed.
pub fn menu_action(key: &console::Key, len: usize) -> MenuAction {
    use console::Key;
    match key {
        Key::ArrowUp | Key::BackTab | Key::Char('k') => MenuAction::Up,
        Key::ArrowDown | Key::Tab | Key::Char('j') => MenuAction::Down,
        Key::Home => MenuAction::First,
        Key::End => MenuAction::Last,
        Key::Enter | Key::Char(' ') => MenuAction::Choose,
        Key::Escape | Key::Char('q') | Key::Char('\u{4}') => MenuAction::Cancel,
        Key::CtrlC | Key::Char('\u{3}') => MenuAction::Interrupt,
        Key::Char(c) => match c.to_digit(10) {
            Some(d) if d >= 1 && (d as usize) <= len => MenuAction::Jump(d as usize - 1),
            _ => MenuAction::Ignore,
        },
        _ => MenuAction::Ignore,
    }
}

/// The menu's lines for one question (without the cursor handling).
pub fn menu_lines(
    q: &AuthoringQuestion,
    pos: usize,
    total: usize,
    sel: usize,
    color: bool,
) -> Vec<String> {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut lines = vec![format!(
        "{} {} {}",
        paint("36", "?"),
        paint("2", &format!("[{pos}/{total}]")),
        paint("1", &crate::term::escape_line(&q.prompt))
    )];
    if let Some(h) = &q.help {
        lines.push(format!("  {}", paint("2", &crate::term::escape_line(h))));
    }
    let width = q
        .choices
        .iter()
        .map(|c| c.value.chars().count())
        .max()
        .unwrap_or(0);
    for (i, c) in q.choices.iter().enumerate() {
        let default = if c.value == q.default {
            "  (default)"
        } else {
            ""
        };
        let body = format!(
            "{:<width$}  {}{default}",
            crate::term::escape_line(&c.value),
            crate::term::escape_line(&c.label)
        );
        if i == sel {
            lines.push(format!("{} {}", paint("36", "›"), paint("36;1", &body)));
        } else {
            lines.push(format!("  {body}"));
        }
    }
    lines.push(paint(
        "2",
        "  ↑/↓ move · Enter choose · 1-9 jump · Esc or Ctrl-D cancel · Ctrl-C quit",
    ));
    lines
}

/// Asks each applicable question as an arrow-key menu on the terminal `term`
/// (stderr): the default is highlighted, `[2/5]` shows progress, the chosen value
/// is echoed. Esc, `q` or Ctrl-D cancel (exit 2); Ctrl-C exits 130. Nothing has
/// been written when either happens.
pub fn prompt_menu(
    questions: &[AuthoringQuestion],
    term: &console::Term,
    color: bool,
) -> Result<Answers> {
    let io = |e: std::io::Error| Error::Other(format!("cannot prompt: {e}"));
    let mut answers = Answers::new();
    let mut pos = 0;
    for q in questions {
        if !applies(q, &answers) {
            continue;
        }
        pos += 1;
        let total = total_applicable(questions, &answers).max(pos);
        let mut sel = q
            .choices
            .iter()
            .position(|c| c.value == q.default)
            .unwrap_or(0);
        let len = q.choices.len();
        term.hide_cursor().map_err(io)?;
        let mut drawn = 0;
        let outcome = loop {
            if drawn > 0 {
                term.clear_last_lines(drawn).map_err(io)?;
            }
            let lines = menu_lines(q, pos, total, sel, color);
            for l in &lines {
                term.write_line(l).map_err(io)?;
            }
            drawn = lines.len();
            let key = match term.read_key_raw() {
                Ok(k) => k,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    console::Key::Char('\u{4}')
                }
                Err(e) => {
                    let _ = term.show_cursor();
                    return Err(io(e));
                }
            };
            match menu_action(&key, len) {
                MenuAction::Up => sel = (sel + len - 1) % len,
                MenuAction::Down => sel = (sel + 1) % len,
                MenuAction::First => sel = 0,
                MenuAction::Last => sel = len - 1,
                MenuAction::Jump(i) => sel = i,
                MenuAction::Choose => break Some(sel),
                MenuAction::Cancel => break None,
                MenuAction::Interrupt => {
                    let _ = term.clear_last_lines(drawn);
                    let _ = term.show_cursor();
                    let _ = term.write_line("^C interrupted: nothing was written");
                    std::process::exit(130);
                }
                MenuAction::Ignore => {}
            }
        };
        term.clear_last_lines(drawn).map_err(io)?;
        term.show_cursor().map_err(io)?;
        let Some(i) = outcome else {
            term.write_line(&format!(
                "✗ [{pos}/{total}] {}  cancelled",
                crate::term::escape_line(&q.prompt)
            ))
            .map_err(io)?;
            return Err(cancelled());
        };
        let c = &q.choices[i];
        let check = if color { "\x1b[32m✔\x1b[0m" } else { "✔" };
        term.write_line(&format!(
            "{check} [{pos}/{total}] {}  {}",
            crate::term::escape_line(&q.prompt),
            crate::term::escape_line(&c.value)
        ))
        .map_err(io)?;
        answers.insert(q.id.clone(), c.value.clone());
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qs() -> Vec<AuthoringQuestion> {
        let y = r#"
- id: stack
  prompt: Stack?
  default: fastapi
  choices:
    - {value: fastapi, label: FastAPI}
    - {value: node, label: Node}
- id: package_manager
  prompt: PM?
  default: uv
  when: {stack: [fastapi]}
  choices:
    - {value: uv, label: uv}
    - {value: pip, label: pip}
"#;
        serde_saphyr::from_str(y).unwrap()
    }

    #[test]
    fn defaults_skip_questions_that_do_not_apply() {
        let d = defaults(&qs());
        assert_eq!(d.get("package_manager").map(String::as_str), Some("uv"));
        let (a, notes) = from_text(
            "stack: node\npackage_manager: pip\n",
            Path::new("a.yaml"),
            &qs(),
        )
        .unwrap();
        assert!(!a.contains_key("package_manager"));
        assert_eq!(notes.ignored.len(), 1);
    }

    #[test]
    fn unknown_key_and_bad_value_are_input_errors_with_line() {
        let e = from_text("stack: node\nstak: x\n", Path::new("a.yaml"), &qs()).unwrap_err();
        let r = e.render();
        assert!(
            r.contains("a.yaml:2") && r.contains("valid keys: stack, package_manager"),
            "{r}"
        );
        let e = from_text("stack: rust\n", Path::new("a.yaml"), &qs()).unwrap_err();
        let r = e.render();
        assert!(r.contains("a.yaml:1") && r.contains("fastapi, node"), "{r}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn end_of_input_cancels_instead_of_taking_the_default() {
        let mut input: &[u8] = b"";
        let e = prompt(&qs(), &mut input, &mut Vec::new()).unwrap_err();
        assert!(e.render().contains("cancelled"), "{}", e.render());
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn menu_keys_and_lines() {
        use console::Key;
        assert_eq!(menu_action(&Key::ArrowDown, 3), MenuAction::Down);
        assert_eq!(menu_action(&Key::Char('k'), 3), MenuAction::Up);
        assert_eq!(menu_action(&Key::Char('2'), 3), MenuAction::Jump(1));
        assert_eq!(menu_action(&Key::Char('7'), 3), MenuAction::Ignore);
        assert_eq!(menu_action(&Key::Char('\u{4}'), 3), MenuAction::Cancel);
        assert_eq!(menu_action(&Key::Escape, 3), MenuAction::Cancel);
        assert_eq!(menu_action(&Key::CtrlC, 3), MenuAction::Interrupt);
        assert_eq!(
            menu_action(&Key::UnknownEscSeq(vec!['[', '2', '0', '0', '~']), 3),
            MenuAction::Ignore
        );
        let q = &qs()[0];
        let lines = menu_lines(q, 1, 2, 0, false);
        assert_eq!(lines[0], "? [1/2] Stack?");
        assert!(lines[1].starts_with("› fastapi") && lines[1].ends_with("(default)"));
        assert!(lines[2].starts_with("  node"));
        // Progress counts only the questions that apply.
        let mut a = Answers::new();
        assert_eq!(total_applicable(&qs(), &a), 2);
        a.insert("stack".into(), "node".into());
        assert_eq!(total_applicable(&qs(), &a), 1);
    }

    #[test]
    fn prompt_takes_defaults_numbers_and_names() {
        let mut input: &[u8] = b"2\n";
        let mut out = Vec::new();
        let a = prompt(&qs(), &mut input, &mut out).unwrap();
        assert_eq!(a.get("stack").map(String::as_str), Some("node"));
        let mut input: &[u8] = b"bogus\nfastapi\n\n";
        let a = prompt(&qs(), &mut input, &mut Vec::new()).unwrap();
        assert_eq!(a.get("package_manager").map(String::as_str), Some("uv"));
    }
}
