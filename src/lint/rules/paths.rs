//! Links and path mentions: extraction from SKILL.md (via the model) and from other
//! Markdown files of a skill (a light scan), and resolution inside the skill.

use crate::skill::{LineCursor, Skill, Span};

/// A relative link or a path mention found in a file of the skill.
#[derive(Debug, Clone, PartialEq)]
pub struct PathRef {
    /// The path as written (fragment and query removed, percent-decoded).
    pub raw: String,
    pub span: Span,
    /// A Markdown link/image (true) or a bare mention in text or inline code (false).
    pub is_link: bool,
    /// Inside a fenced code block (mentions there are examples, often of the user's
    /// project, so they only count as "mentioned", never as broken).
    pub in_code: bool,
}

/// The conventional skill directories a path mention starts with.
const MENTION_DIRS: [&str; 5] = ["references", "scripts", "assets", "templates", "evals"];

/// A path mention: byte range in the text (including a leading `./`).
#[derive(Debug, Clone, Copy)]
struct Mention<'t> {
    start: usize,
    text: &'t str,
}

impl<'t> Mention<'t> {
    fn start(&self) -> usize {
        self.start
    }

    fn as_str(&self) -> &'t str {
        self.text
    }
}

/// A character a path mention continues with: a word character (Unicode, as the
/// regex class `\w`), `.`, `-`, `/` or `\`.
fn is_path_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/' | '\\')
    } else {
        regex_syntax::is_word_character(c)
    }
}

/// End of the run of path characters starting at byte `from`.
fn path_run_end(text: &str, from: usize) -> usize {
    let rest = &text[from..];
    rest.char_indices()
        .find(|&(_, c)| !is_path_char(c))
        .map_or(text.len(), |(i, _)| from + i)
}

/// The raw path mentions of `text`, as the leftmost-first, non-overlapping matches of
/// `(?:\.\.[/\\])+[\w.\-/\\]+|(?:references|scripts|assets|templates|evals)[/\\][\w.\-/\\]*`
/// (no word boundary: [`mentions`] filters those). Every match has a separator right
/// after its first token (`..` or a directory name), and tokens hold no separator, so
/// the separators are visited in order and the first one with a token before it (at or
/// after the end of the previous match) starts the next match: a fast byte search
/// instead of a regex over the whole text. A unit test checks it against the regex.
fn raw_mentions(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut from = 0;
    memchr::memchr2_iter(b'/', b'\\', bytes).filter_map(move |p| {
        if p < from {
            return None;
        }
        let before = &bytes[from..p];
        let m = if before.ends_with(b"..") {
            // `../` must be followed by at least one path character.
            let after = p + 1;
            (after < text.len() && text[after..].chars().next().is_some_and(is_path_char))
                .then(|| (p - 2, path_run_end(text, after)))
        } else {
            MENTION_DIRS
                .iter()
                .find(|d| before.ends_with(d.as_bytes()))
                .map(|d| (p - d.len(), path_run_end(text, p + 1)))
        };
        if let Some((_, end)) = m {
            from = end;
        }
        m
    })
}

/// Path mentions in `text` that start at a word boundary (not inside another path or word).
fn mentions(text: &str) -> impl Iterator<Item = Mention<'_>> {
    raw_mentions(text).filter_map(move |(m_start, m_end)| {
        let mut start = m_start;
        if text[..start].ends_with("./") && !text[..start].ends_with("../") {
            start -= 2;
        }
        let boundary = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '/' | '\\' | '-')));
        boundary.then(|| Mention {
            start,
            text: &text[start..m_end],
        })
    })
}

/// One inline Markdown link found by [`md_links`]: byte range of the whole link and
/// its destination as written.
pub struct MdLink<'t> {
    pub start: usize,
    pub end: usize,
    pub dest: &'t str,
}

/// Inline links `[text](dest)` / `![alt](dest)` of a Markdown text outside SKILL.md (a
/// light scan, not a full parse). Links never span lines (the pattern excludes
/// newlines), so the regex only runs on lines that contain `](`, found by a fast
/// substring search.
pub fn md_links(text: &str) -> impl Iterator<Item = MdLink<'_>> {
    let mut last_line_start = usize::MAX;
    memchr::memmem::find_iter(text.as_bytes(), b"](").flat_map(move |at| {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let fresh = line_start != last_line_start;
        last_line_start = line_start;
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = if fresh {
            &text[line_start..line_end]
        } else {
            ""
        };
        line_links(line).map(move |(start, end, dest_start, dest_end)| MdLink {
            start: line_start + start,
            end: line_start + end,
            dest: &text[line_start + dest_start..line_start + dest_end],
        })
    })
}

/// The inline links of one line (no `\n`), as byte ranges (whole link, destination):
/// the matches, in order, of the pattern
/// `!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)`
/// (leftmost-first, non-overlapping, as `Regex::captures_iter` finds them), by a
/// direct scan. A unit test checks it against that regex.
fn line_links(line: &str) -> impl Iterator<Item = (usize, usize, usize, usize)> + '_ {
    let b = line.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(i) = memchr::memchr(b'[', &b[from.min(b.len())..]) {
            let open = from + i;
            if let Some((end, dest)) = link_from(line, open) {
                let start = if open > from && b[open - 1] == b'!' {
                    open - 1
                } else {
                    open
                };
                from = end;
                return Some((start, end, dest.0, dest.1));
            }
            from = open + 1;
        }
        from = b.len();
        None
    })
}

/// The link whose `[` is at `open`: (end of the link, destination range). The label
/// runs to the first `]`, which must be followed by `(`.
fn link_from(line: &str, open: usize) -> Option<(usize, (usize, usize))> {
    let b = line.as_bytes();
    let close = open + 1 + memchr::memchr(b']', &b[open + 1..])?;
    if b.get(close + 1) != Some(&b'(') {
        return None;
    }
    let p = skip_ws(line, close + 2);
    // `<dest>`; when nothing can follow the `<`, the `<` alone is the destination.
    if b.get(p) == Some(&b'<') {
        let q = dest_run_end(line, p + 1);
        if q > p + 1 {
            return link_tail(line, q).map(|end| (end, (p + 1, q)));
        }
        return link_tail(line, p + 1).map(|end| (end, (p, p + 1)));
    }
    let q = dest_run_end(line, p);
    if q == p {
        return None;
    }
    link_tail(line, q).map(|end| (end, (p, q)))
}

/// After a destination ending at `q`: an optional `>`, an optional title (`"…"` or
/// `'…'` after whitespace), whitespace and `)`. Returns the end of the link.
fn link_tail(line: &str, q: usize) -> Option<usize> {
    let b = line.as_bytes();
    let r = if b.get(q) == Some(&b'>') { q + 1 } else { q };
    let w = skip_ws(line, r);
    if w > r
        && let Some(&quote @ (b'"' | b'\'')) = b.get(w)
        && let Some(len) = memchr::memchr(quote, &b[w + 1..])
    {
        let t = skip_ws(line, w + 1 + len + 1);
        return (b.get(t) == Some(&b')')).then_some(t + 1);
    }
    (b.get(w) == Some(&b')')).then_some(w + 1)
}

/// The end of the whitespace (Unicode `White_Space`, as the regex's `\s`) from `at`.
fn skip_ws(line: &str, at: usize) -> usize {
    let rest = &line[at..];
    at + rest.len() - rest.trim_start_matches(char::is_whitespace).len()
}

/// The end of a link destination from `at`: characters other than `)`, `>` and
/// whitespace.
fn dest_run_end(line: &str, at: usize) -> usize {
    let rest = &line[at..];
    at + rest
        .find(|c: char| c == ')' || c == '>' || c.is_whitespace())
        .unwrap_or(rest.len())
}

/// A link destination that names a file of the machine the skill was written on rather
/// than of the skill: a `file:` URL, an absolute path (`/etc/passwd`, `C:\x`, `\\host\x`)
/// or a home-relative path (`~/x`). A protocol-relative `//host/x` is a web address.
pub fn is_local_absolute(dest: &str) -> bool {
    let d = dest.trim();
    let b = d.as_bytes();
    let scheme_file = d.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("file:"));
    let unix_root = d.starts_with('/') && !d.starts_with("//");
    let drive =
        b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'/' | b'\\');
    let unc = d.starts_with("\\\\");
    scheme_file || unix_root || drive || unc || d == "~" || d.starts_with("~/")
}

/// Whether a link destination points outside the file system of the skill.
pub fn is_external(dest: &str) -> bool {
    let d = dest.trim();
    d.is_empty()
        || d.starts_with('#')
        || d.starts_with('/')
        || d.contains("://")
        || d.contains("{{")
        || ["mailto:", "tel:", "data:", "javascript:"]
            .iter()
            .any(|p| d.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)))
}

/// Removes `#fragment` / `?query` and decodes `%XX` escapes.
pub fn clean_dest(dest: &str) -> String {
    let end = dest.find(['#', '?']).unwrap_or(dest.len());
    let d = &dest[..end];
    if !d.contains('%') {
        return d.to_string();
    }
    let bytes = d.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = d
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| d.to_string())
}

/// Resolves `path` (`/` or `\` separators) against directory `base` (relative to the
/// skill root, `""` for the root). `Err(())` when it climbs out of the skill.
pub fn resolve(base: &str, path: &str) -> Result<String, ()> {
    // Already normal (no `.`, `..` or empty segments, no `\\`): a plain join.
    if is_normal(base) && !path.is_empty() && is_normal(path) {
        return Ok(if base.is_empty() {
            path.to_string()
        } else {
            format!("{base}/{path}")
        });
    }
    resolve_segments(base, path)
}

/// [`resolve`] segment by segment (every path; [`resolve`] skips it for normal ones).
fn resolve_segments(base: &str, path: &str) -> Result<String, ()> {
    let mut parts: Vec<&str> = if base.is_empty() {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in path.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(());
                }
            }
            s => parts.push(s),
        }
    }
    Ok(parts.join("/"))
}

/// A relative path that [`resolve`] would leave as it is: `/`-separated segments,
/// none empty, `.` or `..`, and no `\\` (`""` counts as normal).
fn is_normal(p: &str) -> bool {
    // One pass over the bytes (this runs for every path of every reference doc).
    let b = p.as_bytes();
    if b.is_empty() {
        return true;
    }
    let mut start = 0;
    for i in 0..=b.len() {
        match b.get(i) {
            Some(b'\\') => return false,
            Some(b'/') | None => {
                if matches!(&b[start..i], b"" | b"." | b"..") {
                    return false;
                }
                start = i + 1;
            }
            Some(_) => {}
        }
    }
    true
}

/// The directory part of a relative file path (`references/a.md` → `references`).
pub fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map(|i| &rel[..i]).unwrap_or("")
}

fn trim_mention(m: &str) -> &str {
    m.trim_end_matches(['.', ',', ':', ';'])
}

/// True when the text right after a mention shows it is a pattern or placeholder
/// (`references/*.md`, `templates/<name>`, `scripts/${X}`).
fn is_pattern_follow(next: Option<char>) -> bool {
    matches!(next, Some('*' | '<' | '{' | '$' | '[' | '%'))
}

/// Fenced code ranges (byte offsets) of SKILL.md, from the model.
fn code_ranges(skill: &Skill) -> Vec<(usize, usize)> {
    skill
        .doc
        .body
        .code_blocks
        .iter()
        .filter(|c| c.fenced)
        .map(|c| (c.span.offset, c.code_offset + c.code.len()))
        .collect()
}

fn in_ranges(ranges: &[(usize, usize)], off: usize) -> bool {
    ranges.iter().any(|&(s, e)| off >= s && off < e)
}

/// Links (relative ones) and path mentions of SKILL.md's body, in file order.
pub fn skill_md_refs(skill: &Skill) -> Vec<PathRef> {
    let doc = &skill.doc;
    let text = doc.text.as_str();
    let mut out = Vec::new();
    let mut link_ranges = Vec::with_capacity(doc.body.links.len());
    for l in &doc.body.links {
        link_ranges.push((l.span.offset, l.span.end()));
        if is_external(&l.dest) {
            continue;
        }
        out.push(PathRef {
            raw: clean_dest(&l.dest),
            span: l.span,
            is_link: true,
            in_code: false,
        });
    }
    let code = code_ranges(skill);
    let body_start = doc.body.offset.min(text.len());
    let body = &text[body_start..];
    for m in mentions(body) {
        let off = body_start + m.start();
        if in_ranges(&link_ranges, off) {
            continue;
        }
        let raw = trim_mention(m.as_str());
        if is_pattern_follow(body[m.start() + raw.len()..].chars().next()) {
            continue;
        }
        out.push(PathRef {
            raw: raw.to_string(),
            span: doc.lines.span(text, off, raw.len()),
            is_link: false,
            in_code: in_ranges(&code, off),
        });
    }
    out.sort_by_key(|r| r.span.offset);
    out
}

/// Links and path mentions in another Markdown/text file (fenced code marked `in_code`).
pub fn text_refs(text: &str) -> Vec<PathRef> {
    let mut code = Vec::new();
    let mut fence: Option<(usize, u8, usize)> = None;
    // Only lines whose first non-blank character is a backtick or tilde can open or
    // close a fence: jump from one such character to the next instead of walking lines.
    let bytes = text.as_bytes();
    // End (after its newline) of the last line looked at: only a line's first such
    // character counts, so later ones on the same line are skipped.
    let mut seen_to = 0;
    for at in memchr::memchr2_iter(b'`', b'~', bytes) {
        if at < seen_to {
            continue;
        }
        let line_start =
            memchr::memrchr(b'\n', &bytes[seen_to..at]).map_or(seen_to, |i| seen_to + i + 1);
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(text.len(), |i| at + i + 1);
        seen_to = line_end;
        if !text[line_start..at].trim_start().is_empty() {
            continue;
        }
        let c = bytes[at];
        let t = &text[at..line_end];
        let n = t.bytes().take_while(|&x| x == c).count();
        if n >= 3 {
            match fence {
                None => fence = Some((line_start, c, n)),
                Some((start, fc, fnum)) if fc == c && n >= fnum && t.trim().len() == n => {
                    code.push((start, line_end));
                    fence = None;
                }
                _ => {}
            }
        }
    }
    if let Some((start, _, _)) = fence {
        code.push((start, text.len()));
    }
    // (offset, length, raw, is_link, in_code); spans are computed after sorting, with a
    // cursor that counts lines only as far as the last reference.
    let mut found: Vec<(usize, usize, String, bool, bool)> = Vec::new();
    let mut link_ranges = Vec::new();
    for l in md_links(text) {
        link_ranges.push((l.start, l.end));
        if is_external(l.dest) {
            continue;
        }
        found.push((
            l.start,
            l.end - l.start,
            clean_dest(l.dest),
            true,
            in_ranges(&code, l.start),
        ));
    }
    for m in mentions(text) {
        if in_ranges(&link_ranges, m.start()) {
            continue;
        }
        let raw = trim_mention(m.as_str());
        if is_pattern_follow(text[m.start() + raw.len()..].chars().next()) {
            continue;
        }
        found.push((
            m.start(),
            raw.len(),
            raw.to_string(),
            false,
            in_ranges(&code, m.start()),
        ));
    }
    found.sort_by_key(|f| f.0);
    let mut cursor = LineCursor::new(text);
    found
        .into_iter()
        .map(|(offset, len, raw, is_link, in_code)| PathRef {
            raw,
            span: cursor.span(offset, len),
            is_link,
            in_code,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::testutil;
    use regex::Regex;

    /// The pattern [`raw_mentions`] stands for.
    fn mention_regex() -> Regex {
        Regex::new(
            r"(?:\.\.[/\\])+[\w.\-/\\]+|(?:references|scripts|assets|templates|evals)[/\\][\w.\-/\\]*",
        )
        .unwrap()
    }

    #[test]
    fn resolve_fast_path_agrees() {
        let segs = ["a", "b.md", ".", "..", "", "c\\d", "é", ".x"];
        for b1 in segs {
            for b2 in segs {
                for p1 in segs {
                    for p2 in segs {
                        let base = if b2.is_empty() {
                            b1.to_string()
                        } else {
                            format!("{b1}/{b2}")
                        };
                        let path = format!("{p1}/{p2}");
                        for (b, p) in [(base.as_str(), path.as_str()), ("", p1), (b1, p1)] {
                            assert_eq!(resolve(b, p), resolve_segments(b, p), "{b:?} + {p:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn is_normal_scan_equals_the_segment_definition() {
        let by_segments = |p: &str| {
            !p.contains('\\')
                && (p.is_empty() || p.split('/').all(|s| !s.is_empty() && s != "." && s != ".."))
        };
        let parts = ["", "/", "a", ".", "..", "...", "\\", "é", ".a", "a."];
        for a in parts {
            for b in parts {
                for c in parts {
                    for d in parts {
                        let p = format!("{a}{b}{c}{d}");
                        assert_eq!(is_normal(&p), by_segments(&p), "{p:?}");
                    }
                }
            }
        }
    }

    /// The pattern [`line_links`] implements, as a regex.
    fn md_link_regex() -> Regex {
        Regex::new(r#"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)"#)
            .unwrap()
    }

    #[test]
    fn link_scan_equals_the_regex() {
        let re = md_link_regex();
        let frags = [
            "[",
            "]",
            "(",
            ")",
            "](",
            "![",
            "!",
            "<",
            ">",
            "\"",
            "'",
            " ",
            "\t",
            "\r",
            "\u{a0}",
            "\u{2003}",
            "\u{85}",
            "a",
            "x.md",
            "/etc",
            "é",
            "#top",
            "[a](b)",
            "](<",
            ">)",
            "\"t\"",
            "'t'",
            "\\",
            "`",
            "http://h/",
            "~",
        ];
        let mut next = crate::test_rng(0x11ce);
        let check = |line: &str| {
            let want: Vec<(usize, usize, usize, usize)> = re
                .captures_iter(line)
                .map(|c| {
                    let (w, d) = (c.get(0).unwrap(), c.get(1).unwrap());
                    (w.start(), w.end(), d.start(), d.end())
                })
                .collect();
            let got: Vec<_> = line_links(line).collect();
            assert_eq!(got, want, "{line:?}");
        };
        for _ in 0..50_000 {
            let n = next() % 14;
            let line: String = (0..n).map(|_| frags[next() % frags.len()]).collect();
            check(&line);
        }
        for line in [
            "[a](b) ![i](<c d>) [x](<>) [y](<) [z](< q) [t](u \"v\") [w](e 'f' ) [g]( h\t)",
            "[a[b](c) [](d) [e] (f) [g](h \"unclosed) [i](j>) [k](l\u{a0}\"m\"\u{2003})",
            "!![a](b)![c](d)[e](f)",
        ] {
            check(line);
        }
    }

    #[test]
    fn mention_scan_equals_the_regex() {
        let re = mention_regex();
        let frags = [
            "references",
            "scripts",
            "assets",
            "templates",
            "evals",
            "reference",
            "eval",
            "..",
            ".",
            "/",
            "\\",
            "-",
            "_",
            " ",
            "\n",
            "é",
            "x",
            "9",
            "e\u{301}",
            "·",
            "`",
            "(",
            ")",
            "[",
            "]",
            "./",
            "../",
            "a",
            "Ω",
            "\u{200D}",
            "‿",
            "٣",
            ".md",
            "*",
        ];
        let mut next = crate::test_rng(0x5eed);
        for _ in 0..20_000 {
            let n = next() % 12;
            let text: String = (0..n).map(|_| frags[next() % frags.len()]).collect();
            let want: Vec<(usize, usize)> =
                re.find_iter(&text).map(|m| (m.start(), m.end())).collect();
            let got: Vec<(usize, usize)> = raw_mentions(&text).collect();
            assert_eq!(got, want, "{text:?}");
        }
        for text in [
            "see references/a.md and ../../x, ../ y, ..\\z, xreferences/b, ./scripts/run.sh",
            "....//a ../../ ..//. references/ templates\\é/ü evals/",
        ] {
            let want: Vec<(usize, usize)> =
                re.find_iter(text).map(|m| (m.start(), m.end())).collect();
            assert_eq!(raw_mentions(text).collect::<Vec<_>>(), want, "{text:?}");
        }
    }

    #[test]
    fn resolution_and_cleaning() {
        assert_eq!(
            resolve("", "./references/a.md"),
            Ok("references/a.md".into())
        );
        assert_eq!(resolve("references", "b.md"), Ok("references/b.md".into()));
        assert_eq!(resolve("references", "../SKILL.md"), Ok("SKILL.md".into()));
        assert_eq!(resolve("", "../x.md"), Err(()));
        assert_eq!(
            resolve("", "references\\a.md"),
            Ok("references/a.md".into())
        );
        assert_eq!(clean_dest("a%20b.md#top"), "a b.md");
        assert!(is_external("https://x") && is_external("#a") && is_external("MAILTO:x"));
        assert!(!is_external("references/a.md"));
    }

    #[test]
    fn skill_md_refs_finds_links_and_mentions_once() {
        let s = testutil::skill(
            "r",
            &testutil::doc(
                "r",
                "",
                "See [guide](references/guide.md#x) and `scripts/run.sh`.\nAlso references/*.md and templates/<name>.\n```\npython scripts/in_code.py\n```\n",
            ),
        );
        let refs = skill_md_refs(&s);
        let raws: Vec<(&str, bool, bool)> = refs
            .iter()
            .map(|r| (r.raw.as_str(), r.is_link, r.in_code))
            .collect();
        assert_eq!(
            raws,
            vec![
                ("references/guide.md", true, false),
                ("scripts/run.sh", false, false),
                ("scripts/in_code.py", false, true)
            ]
        );
        assert_eq!(refs[0].span.line, 5);
    }

    #[test]
    fn fences_found_like_a_line_walk() {
        // indented fences, tildes, a longer closing fence, backticks inside lines, an
        // unclosed fence at the end
        let t = "a `x` b\n  ```sh\nsee references/a.md\n  ````\nreferences/b.md ``` x\n~~~\nreferences/c.md\n~~~\n```\nreferences/d.md\n";
        let r = text_refs(t);
        let code: Vec<(&str, bool)> = r.iter().map(|p| (p.raw.as_str(), p.in_code)).collect();
        assert_eq!(
            code,
            [
                ("references/a.md", true),
                ("references/b.md", false),
                ("references/c.md", true),
                ("references/d.md", true)
            ]
        );
    }

    #[test]
    fn text_refs_marks_code() {
        let t = "# A\n[b](b.md) and references/c.md.\n```\nsee references/d.md\n```\n";
        let r = text_refs(t);
        assert_eq!(r.len(), 3);
        assert_eq!((r[0].raw.as_str(), r[0].span.line), ("b.md", 2));
        assert_eq!(r[1].raw, "references/c.md");
        assert!(r[2].in_code && !r[1].in_code);
    }
}
