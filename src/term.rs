//! Terminal citizenship shared by every command: the colour choice (`--color`,
//! `NO_COLOR`, `CLICOLOR_FORCE`), escaping of control characters that come from files
//! (so a SKILL.md cannot drive the terminal), and cutting long lines with `…`.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU8, Ordering};

/// `--color auto|always|never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it)
    #[default]
    Auto,
    /// Always colour (even into a pipe)
    Always,
    /// Never colour
    Never,
}

static CHOICE: AtomicU8 = AtomicU8::new(0);

/// Records the global `--color` choice (called once by `cli::run`).
pub fn set_color_choice(c: ColorChoice) {
    let v = match c {
        ColorChoice::Auto => 0,
        ColorChoice::Always => 1,
        ColorChoice::Never => 2,
    };
    CHOICE.store(v, Ordering::Relaxed);
}

/// The recorded `--color` choice.
pub fn color_choice() -> ColorChoice {
    match CHOICE.load(Ordering::Relaxed) {
        1 => ColorChoice::Always,
        2 => ColorChoice::Never,
        _ => ColorChoice::Auto,
    }
}

fn env_set(name: &str) -> Option<String> {
    std::env::var_os(name)
        .map(|v| v.to_string_lossy().into_owned())
        .filter(|v| !v.is_empty())
}

/// The colour decision, from its inputs: the flag wins; under `auto`, a non-empty
/// `NO_COLOR` turns colour off, a `CLICOLOR_FORCE` other than `0` turns it on, else
/// colour follows whether stdout is a terminal.
pub fn decide_color(
    choice: ColorChoice,
    no_color: Option<&str>,
    clicolor_force: Option<&str>,
    is_tty: bool,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if no_color.is_some_and(|v| !v.is_empty()) {
                false
            } else if clicolor_force.is_some_and(|v| !v.is_empty() && v != "0") {
                true
            } else {
                is_tty
            }
        }
    }
}

/// Whether to colour stdout, per [`decide_color`] with the process's flag and environment.
pub fn stdout_color() -> bool {
    use std::io::IsTerminal;
    decide_color(
        color_choice(),
        env_set("NO_COLOR").as_deref(),
        env_set("CLICOLOR_FORCE").as_deref(),
        std::io::stdout().is_terminal(),
    )
}

/// Whether `c` must not reach a terminal raw: C0 controls (but tab and newline), DEL,
/// C1 controls, and the bidirectional overrides/isolates that can reorder what a
/// reader sees.
pub fn is_unsafe_char(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n' && c != '\t')
        || u == 0x7f
        || (0x80..=0x9f).contains(&u)
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    let u = c as u32;
    if u < 0x100 {
        let _ = write!(out, "\\x{u:02x}");
    } else {
        let _ = write!(out, "\\u{{{u:04x}}}");
    }
}

/// `s` with every unsafe character (see [`is_unsafe_char`]) written as `\xNN` or
/// `\u{NNNN}`; for one-line fields newlines are escaped too.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

/// Like [`escape_controls`], escaping newlines too (one-line fields such as a path).
pub fn escape_line(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

fn escape_with(s: &str, newlines: bool) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe_char(c) || (newlines && c == '\n');
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The SGR sequences skillforge's own renderers emit; [`sanitize_output`] keeps only
/// these when colour is on.
fn own_sgr_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("\x1b[")?;
    let end = rest.find('m')?;
    let params = &rest[..end];
    if params.len() > 12 || !params.chars().all(|c| c.is_ascii_digit() || c == ';') {
        return None;
    }
    // Only colours and bold/dim/reset/underline: nothing that hides text or moves the cursor.
    let allowed = params.split(';').all(|p| {
        matches!(
            p,
            "" | "0"
                | "1"
                | "2"
                | "4"
                | "22"
                | "39"
                | "31"
                | "32"
                | "33"
                | "34"
                | "36"
                | "91"
                | "92"
                | "93"
                | "94"
                | "96"
        )
    });
    allowed.then_some(2 + end + 1)
}

/// Makes a whole rendered text safe for a terminal: every control character is
/// escaped except newline and tab, and, when `color` is on, the plain colour/bold
/// sequences the renderers produce. Applied by every text output (`test`, `lint`,
/// `lessons`, `next`) just before printing, so file contents and link targets
/// that carry escape sequences are shown, never executed.
pub fn sanitize_output(s: &str, color: bool) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let Some(c) = rest.chars().next() else { break };
        if c == '\x1b'
            && color
            && let Some(n) = own_sgr_len(rest)
        {
            out.push_str(&rest[..n]);
            i += n;
            continue;
        }
        if is_unsafe_char(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    Cow::Owned(out)
}

/// `s` cut to at most `max` characters, ending in `…` when cut.
pub fn ellipsize(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        return Cow::Borrowed(s);
    }
    let keep = max.saturating_sub(1);
    let mut out: String = s.chars().take(keep).collect();
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    Cow::Owned(out)
}

/// The first line of a (possibly multi-line) text, cut to `max` characters with `…`
/// when it is longer or more lines follow.
pub fn first_line(s: &str, max: usize) -> String {
    let mut lines = s.trim().lines();
    let first = lines.next().unwrap_or("");
    let more = lines.any(|l| !l.trim().is_empty());
    let cut = ellipsize(first, max);
    if more && !cut.ends_with('…') {
        format!("{cut} …")
    } else {
        cut.into_owned()
    }
}

/// Prints `text` to stdout; a closed pipe (`| head`) ends the process quietly with
/// the conventional status instead of a panic.
pub fn print_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_decision_follows_flag_then_env_then_tty() {
        use ColorChoice::*;
        assert!(decide_color(Always, Some("1"), None, false));
        assert!(!decide_color(Never, None, Some("1"), true));
        assert!(!decide_color(Auto, Some("1"), Some("1"), true));
        assert!(decide_color(Auto, Some(""), Some("1"), false));
        assert!(!decide_color(Auto, None, Some("0"), false));
        assert!(decide_color(Auto, None, None, true));
        assert!(!decide_color(Auto, None, None, false));
    }

    #[test]
    fn controls_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(escape_controls("plain\ttext\n"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("a\x1b[2Jb\r\x07"), "a\\x1b[2Jb\\x0d\\x07");
        assert_eq!(escape_controls("x\u{9b}y\u{202e}z"), "x\\x9by\\u{202e}z");
        assert_eq!(escape_line("a\nb"), "a\\x0ab");
    }

    #[test]
    fn sanitize_keeps_own_colours_only_when_colour_is_on() {
        let s = "\x1b[1m\x1b[31mFAIL\x1b[0m \x1b]0;title\x07 \x1b[8mhidden\x1b[2J";
        let on = sanitize_output(s, true);
        assert!(on.starts_with("\x1b[1m\x1b[31mFAIL\x1b[0m "), "{on}");
        assert!(on.contains("\\x1b]0;title\\x07"), "{on}");
        assert!(on.contains("\\x1b[8m") && on.contains("\\x1b[2J"), "{on}");
        let off = sanitize_output(s, false);
        assert!(!off.contains('\x1b'), "{off}");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(ellipsize("short", 10), "short");
        assert_eq!(ellipsize("abcdefghijkl", 6), "abcde…");
        assert_eq!(first_line("one\ntwo", 20), "one …");
        assert_eq!(first_line(&"x".repeat(100), 10).chars().count(), 10);
    }
}
