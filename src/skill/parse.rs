//! SKILL.md parsing: frontmatter delimiters, YAML with spans, Markdown body.

use super::{
    Body, CodeBlock, Field, Frontmatter, FrontmatterStatus, Heading, InlineCode, LineIndex, Link,
    Section, SkillDoc, Span, YamlProblem,
};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;

/// Parses SKILL.md text (already decoded, BOM removed). Never panics.
pub fn parse_skill_md(text: &str) -> SkillDoc {
    parse_skill_md_owned(text.to_string())
}

/// [`parse_skill_md`] of a text the caller owns (kept in the model without a copy).
pub fn parse_skill_md_owned(text: String) -> SkillDoc {
    let lines = LineIndex::new(&text);
    let crlf = text.contains("\r\n");
    let (frontmatter, body_offset) = parse_frontmatter(&text, &lines);
    let body = parse_body(&text, &lines, body_offset);
    SkillDoc {
        text,
        lines,
        had_bom: false,
        crlf,
        frontmatter,
        body,
    }
}

/// Iterates lines as (start offset, line without terminator, offset after terminator).
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str, usize)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let start = pos;
        let (line, next) = match text[start..].find('\n') {
            Some(i) => (&text[start..start + i], start + i + 1),
            None => (&text[start..], text.len()),
        };
        pos = next;
        Some((start, line.strip_suffix('\r').unwrap_or(line), next))
    })
}

fn is_delimiter(line: &str) -> bool {
    line.trim_end() == "---"
}

/// A first line that is `---` followed by a lone CR and more text: the file ends its
/// lines with CR only.
fn cr_only_delimiter(line: &str) -> bool {
    line.split_once('\r').is_some_and(|(first, rest)| {
        first.trim_end_matches([' ', '\t']) == "---" && !rest.trim().is_empty()
    })
}

fn parse_frontmatter(text: &str, ix: &LineIndex) -> (Frontmatter, usize) {
    let mut fm = Frontmatter::default();
    let mut it = lines_with_offsets(text);
    // Find the first non-blank line.
    let mut leading = 0;
    let open = loop {
        match it.next() {
            Some((start, line, next)) if line.trim().is_empty() => {
                leading += 1;
                let _ = (start, next);
            }
            Some(found) => break Some(found),
            None => break None,
        }
    };
    let Some((open_start, open_line, open_next)) = open else {
        return (fm, 0);
    };
    if !is_delimiter(open_line) {
        // Classic Mac OS line endings (CR only): the whole file reads as one line, so
        // the frontmatter is there but no agent would find it. Say so instead of
        // "does not start with `---`".
        if cr_only_delimiter(open_line) {
            fm.leading_blank_lines = leading;
            fm.status = FrontmatterStatus::Present;
            fm.open = Some(ix.span(text, open_start, 3));
            fm.yaml_error = Some(YamlProblem {
                message: "SKILL.md uses CR-only line endings (classic Mac OS): agents split lines at LF, so they see the whole file as one line and find no frontmatter".into(),
                span: ix.span(text, open_start, 3),
                hint: Some(
                    "convert the line endings to LF, e.g. `perl -pi -e 's/\\r\\n?/\\n/g' SKILL.md` or your editor's line-ending setting"
                        .into(),
                ),
            });
        }
        return (fm, 0);
    }
    fm.leading_blank_lines = leading;
    fm.open = Some(ix.span(text, open_start, open_line.len()));
    let close = it.find(|(_, line, _)| is_delimiter(line));
    let Some((close_start, close_line, close_next)) = close else {
        fm.status = FrontmatterStatus::Unclosed;
        fm.yaml = text[open_next..].to_string();
        fm.yaml_offset = open_next;
        return (fm, text.len());
    };
    fm.status = FrontmatterStatus::Present;
    fm.close = Some(ix.span(text, close_start, close_line.len()));
    fm.yaml = text[open_next..close_start].to_string();
    fm.yaml_offset = open_next;
    parse_yaml(&mut fm, text, ix);
    (fm, close_next)
}

/// Top-level mapping entries with spans, in order.
struct Pairs(Vec<(Spanned<String>, Spanned<Value>)>);

/// One top-level entry of the frontmatter: key and value with the 1-based line and
/// column (in characters) where each starts, as serde-saphyr reports them.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: String,
    key_at: (u64, u64),
    value: Value,
    value_at: (u64, u64),
}

impl Pairs {
    fn into_entries(self) -> Vec<Entry> {
        self.0
            .into_iter()
            .map(|(k, v)| Entry {
                key_at: (k.referenced.line(), k.referenced.column()),
                key: k.value,
                value_at: (v.referenced.line(), v.referenced.column()),
                value: v.value,
            })
            .collect()
    }
}

/// The entries of a frontmatter in the plain shape nearly every skill uses, read
/// without the YAML parser: `key: value` lines, where a value is a plain string
/// (starting with a letter; no `: `, ` #`, or word YAML would read as a boolean, null
/// or number), a one-line quoted string without escapes, or (after a bare `key:`) an
/// indented block of such `key: value` lines. Anything else (comments, blank lines,
/// lists, flow collections, block scalars, continuation lines, duplicate keys, CR, tags,
/// anchors…) returns `None`, and serde-saphyr parses the text as before. A unit test
/// checks that whatever this accepts, serde-saphyr reads the same, spans included.
fn simple_entries(yaml: &str) -> Option<Vec<Entry>> {
    if yaml.is_empty() || yaml.len() > 16 * 1024 || yaml.contains('\r') {
        return None;
    }
    let lines: Vec<&str> = yaml
        .strip_suffix('\n')
        .unwrap_or(yaml)
        .split('\n')
        .collect();
    let mut out: Vec<Entry> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let lno = i as u64 + 1;
        let (key, rest) = simple_key(line)?;
        if out.iter().any(|e| e.key == key) {
            return None;
        }
        if rest.is_empty() {
            // A nested block of `key: value` lines, all at the same indentation.
            let mut map = serde_json::Map::new();
            let mut at = None;
            let mut indent = 0;
            i += 1;
            while i < lines.len() && lines[i].starts_with(' ') {
                let l = lines[i];
                let ind = l.len() - l.trim_start_matches(' ').len();
                if at.is_none() {
                    indent = ind;
                    at = Some((i as u64 + 1, ind as u64 + 1));
                } else if ind != indent {
                    return None;
                }
                let (k, r) = simple_key(&l[ind..])?;
                let (v, _) = simple_value(r, (ind + k.len() + 1) as u64)?;
                if map.insert(k.to_string(), v).is_some() {
                    return None;
                }
                i += 1;
            }
            out.push(Entry {
                key: key.to_string(),
                key_at: (lno, 1),
                value: Value::Object(map),
                value_at: at?,
            });
            continue;
        }
        let (value, col) = simple_value(rest, key.len() as u64 + 1)?;
        out.push(Entry {
            key: key.to_string(),
            key_at: (lno, 1),
            value,
            value_at: (lno, col),
        });
        i += 1;
    }
    Some(out)
}

/// `key:` at the start of `line`: the key (letters, digits, `-`, `_`, starting with a
/// letter; not a word YAML gives a meaning) and what follows the colon.
fn simple_key(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    let ok = key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !yaml_word(key);
    let rest = &line[colon + 1..];
    (ok && (rest.is_empty() || rest.starts_with(' '))).then_some((key, rest))
}

/// A value after `key:` (`rest` starts with a space; `colon_col` is the colon's
/// 1-based column): the string and the column it starts at.
fn simple_value(rest: &str, colon_col: u64) -> Option<(Value, u64)> {
    let v = rest.trim_start_matches(' ');
    let col = colon_col + 1 + (rest.len() - v.len()) as u64;
    let v = v.trim_end_matches(' ');
    let printable = |t: &str| {
        !t.chars()
            .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
    };
    if let Some(q) = v.strip_prefix('"') {
        let inner = q.strip_suffix('"')?;
        return (!inner.contains(['"', '\\']) && printable(inner))
            .then(|| (Value::String(inner.to_string()), col));
    }
    if let Some(q) = v.strip_prefix('\'') {
        let inner = q.strip_suffix('\'')?;
        return (!inner.contains('\'') && printable(inner))
            .then(|| (Value::String(inner.to_string()), col));
    }
    let plain = v.starts_with(|c: char| c.is_ascii_alphabetic())
        && !v.contains(": ")
        && !v.contains(" #")
        && !v.ends_with(':')
        && !yaml_word(v)
        && v.parse::<f64>().is_err()
        && printable(v);
    plain.then(|| (Value::String(v.to_string()), col))
}

/// Words a YAML reader may take for a boolean, a null or a number (YAML 1.1 and 1.2
/// spellings, any case).
fn yaml_word(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "inf", "infinity", "nan",
    ];
    w.len() <= 8 && WORDS.iter().any(|x| x.eq_ignore_ascii_case(w))
}

/// For the fuzz targets: whenever the direct reader accepts `yaml`, serde-saphyr must
/// read the same entries (keys, values, where each starts). `Err` describes a
/// disagreement.
#[doc(hidden)]
pub fn check_plain_frontmatter_reader(yaml: &str) -> Result<(), String> {
    let Some(fast) = simple_entries(yaml) else {
        return Ok(());
    };
    match serde_saphyr::from_str::<Pairs>(yaml) {
        Ok(p) => {
            let slow = p.into_entries();
            if fast == slow {
                Ok(())
            } else {
                Err(format!(
                    "{yaml:?}: direct {fast:?} vs serde-saphyr {slow:?}"
                ))
            }
        }
        Err(e) => Err(format!("{yaml:?} accepted, but serde-saphyr fails: {e}")),
    }
}

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping of field names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Spanned<String>>()? {
                    let v = map.next_value::<Spanned<Value>>()?;
                    out.push((k, v));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn describe_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a plain string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn parse_yaml(fm: &mut Frontmatter, text: &str, ix: &LineIndex) {
    let yaml = fm.yaml.as_str();
    let base = fm.yaml_offset;
    let to_span = |line: u64, col: u64, len: usize| -> Span {
        let line_in_file = ix.line_of(base) + (line.max(1) as usize) - 1;
        let start = ix.line_start(line_in_file);
        // Through the index: `line_text` would walk the file from its start each time.
        let line_text = if line_in_file <= ix.line_count(text) {
            let (s, e) = (ix.line_start(line_in_file), ix.line_end(text, line_in_file));
            let l = text.get(s..e).unwrap_or("");
            l.strip_suffix('\r').unwrap_or(l)
        } else {
            ""
        };
        let byte_col: usize = line_text
            .char_indices()
            .nth(col.saturating_sub(1) as usize)
            .map(|(b, _)| b)
            .unwrap_or(line_text.len());
        ix.span(text, start + byte_col, len)
    };
    if let Some((i, _)) = yaml
        .lines()
        .enumerate()
        .find(|(_, l)| l.starts_with('\t') || l.trim_start_matches(' ').starts_with('\t'))
    {
        fm.yaml_error = Some(YamlProblem {
            message: "tab character used for indentation (YAML forbids tabs)".into(),
            span: to_span(i as u64 + 1, 1, 1),
            hint: Some("indent with spaces instead of tabs".into()),
        });
        return;
    }
    // Plain frontmatters are read directly; otherwise one parse in the common case (a
    // mapping); the generic parse runs only to explain a failure or an empty document.
    let parsed = match simple_entries(yaml) {
        Some(e) => Ok::<_, serde_saphyr::Error>(e),
        None => serde_saphyr::from_str::<Pairs>(yaml).map(Pairs::into_entries),
    };
    let entries = match parsed {
        Ok(p) if !p.is_empty() => p,
        first => {
            match serde_saphyr::from_str::<Value>(yaml) {
                Ok(v) if !v.is_object() => fm.not_mapping = Some(describe_kind(&v).to_string()),
                Ok(_) => {
                    if let Err(e) = first {
                        fm.yaml_error = Some(yaml_problem(&e, yaml, &to_span));
                    }
                }
                Err(e) => fm.yaml_error = Some(yaml_problem(&e, yaml, &to_span)),
            }
            return;
        }
    };
    let yaml_lines: Vec<&str> = yaml.lines().collect();
    for e in entries {
        let key_span = to_span(e.key_at.0, e.key_at.1, e.key.len());
        let (vline, vcol) = e.value_at;
        let vline_text = yaml_lines
            .get(vline.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("");
        let rest: String = vline_text
            .chars()
            .skip(vcol.saturating_sub(1) as usize)
            .collect();
        // A block scalar's indicator (`|`, `>-`, …) sits after the key on the key's line;
        // the value itself starts on the next line.
        let key_line_text = yaml_lines
            .get(e.key_at.0.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("");
        let after_key = key_line_text
            .split_once(':')
            .map(|(_, r)| r.trim_start())
            .unwrap_or("");
        let block_scalar = rest.starts_with('|')
            || rest.starts_with('>')
            || (e.value.is_string() && (after_key.starts_with('|') || after_key.starts_with('>')));
        let mut value_span = to_span(vline, vcol, rest.trim_end().len());
        if e.value.is_null() && value_span.line != key_span.line {
            // An empty value is reported at its key.
            value_span = key_span;
        }
        let children = if e.value.is_object() {
            nested_keys(&yaml_lines, e.key_at.0 as usize, &|l, c, n| {
                to_span(l as u64, c as u64, n)
            })
        } else {
            Vec::new()
        };
        fm.fields.push(Field {
            key: e.key,
            key_span,
            value: e.value,
            value_span,
            block_scalar,
            children,
        });
    }
}

/// Direct child keys of the block mapping whose key is on 1-based `key_line`.
fn nested_keys(
    yaml_lines: &[&str],
    key_line: usize,
    to_span: &dyn Fn(usize, usize, usize) -> Span,
) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut child_indent = None;
    for (i, line) in yaml_lines.iter().enumerate().skip(key_line) {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            break;
        }
        let ci = *child_indent.get_or_insert(indent);
        if indent != ci {
            continue;
        }
        let t = line.trim_start();
        if let Some(colon) = t.find(':') {
            let key = t[..colon].trim().trim_matches(['"', '\'']).to_string();
            out.push((key, to_span(i + 1, indent + 1, colon)));
        }
    }
    out
}

/// A serde-saphyr error as (1-based line, 1-based column, one-line message). The library
/// may render a multi-line snippet; the first meaningful line is kept. Shared by every
/// YAML reader (frontmatter here, Compose files in `docker::compose`).
pub fn yaml_error_summary(e: &serde_saphyr::Error) -> (u64, u64, String) {
    let (line, col) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    if let Some(words) = budget_message(e) {
        return (line, col, words);
    }
    let raw = e.to_string();
    let message = raw
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid YAML")
        .trim_start_matches("error: ")
        .to_string();
    (line, col, message)
}

/// A YAML size/complexity limit, worded for a learner. serde-saphyr's own text shows
/// its internal value (`budget breached: Nodes { nodes: 250001 }`).
pub fn budget_message(e: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::budget::BudgetBreach as B;
    let mut e = e;
    while let serde_saphyr::Error::WithSnippet { error, .. }
    | serde_saphyr::Error::AliasError { error, .. } = e
    {
        e = error;
    }
    let serde_saphyr::Error::Budget { breach, .. } = e else {
        return None;
    };
    let max = serde_saphyr::Budget::default();
    let n = grouped;
    // Counts are reported one past the limit that was hit.
    let over = |v: usize| n(v.saturating_sub(1));
    let what = match breach {
        B::Nodes { nodes } => format!(
            "the YAML has more than {} nodes (values, lists and mappings, aliases expanded)",
            over(*nodes)
        ),
        B::Events { events } => format!(
            "the YAML has more than {} parser events (it is far larger than a frontmatter or configuration file)",
            over(*events)
        ),
        B::Depth { depth } => format!(
            "the YAML nests lists and mappings more than {} levels deep",
            over(*depth)
        ),
        B::Aliases { aliases } => {
            format!("the YAML uses more than {} aliases (*name)", over(*aliases))
        }
        B::Anchors { anchors } => {
            format!(
                "the YAML defines more than {} anchors (&name)",
                over(*anchors)
            )
        }
        B::AliasAnchorRatio { aliases, anchors } => format!(
            "the YAML uses {} aliases for {} anchors, the pattern of an alias bomb (\"billion laughs\")",
            n(*aliases),
            n(*anchors)
        ),
        B::Documents { documents } => format!(
            "the YAML holds more than {} documents (`---` separators)",
            over(*documents)
        ),
        B::ScalarBytes { .. } => format!(
            "the YAML's text values add up to more than {} (aliases expanded)",
            crate::fsutil::human_size(max.max_total_scalar_bytes as u64)
        ),
        B::MergeKeys { merge_keys } => {
            format!(
                "the YAML uses more than {} merge keys (<<)",
                over(*merge_keys)
            )
        }
        B::RecordedAnchorEvents { .. } | B::RecordedAnchorBytes { .. } => {
            "the YAML's anchors hold more content than skillforge will keep for aliases".to_string()
        }
        B::InputBytes { .. } => "the YAML input is too large".to_string(),
        B::SequenceUnbalanced => {
            "the YAML's structure is unbalanced (truncated or malformed)".to_string()
        }
        _ => "the YAML is too large or too complex".to_string(),
    };
    Some(format!(
        "{what}; skillforge stops there to protect itself from YAML bombs"
    ))
}

/// `250000` → `250,000`.
fn grouped(v: usize) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn yaml_problem(
    e: &serde_saphyr::Error,
    yaml: &str,
    to_span: &dyn Fn(u64, u64, usize) -> Span,
) -> YamlProblem {
    let (line, col, message) = yaml_error_summary(e);
    let raw = e.to_string();
    let lower = raw.to_lowercase();
    let offending = yaml
        .lines()
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or("");
    let hint = if budget_message(e).is_some() {
        Some("frontmatter is a few short fields (name, description…); remove the generated or repeated content".to_string())
    } else if lower.contains("duplicate") {
        Some("each field may appear only once; remove or merge the repeated key".to_string())
    } else if offending.matches(": ").count() > 1
        || lower.contains("mapping values")
        || lower.contains("mapping value")
    {
        Some(
            "a value that contains `: ` must be quoted, e.g. description: \"Use when: …\""
                .to_string(),
        )
    } else {
        Some("check the YAML syntax near this line (indentation, quotes, colons)".to_string())
    };
    YamlProblem {
        message,
        span: to_span(line, col, 1),
        hint,
    }
}

fn parse_body(text: &str, ix: &LineIndex, body_offset: usize) -> Body {
    let body_text = &text[body_offset.min(text.len())..];
    let mut body = Body {
        offset: body_offset,
        start_line: ix.line_of(body_offset.min(text.len().saturating_sub(1))),
        line_count: super::span::count_lines(body_text),
        ..Body::default()
    };
    if body_offset >= text.len() {
        body.start_line = ix.line_count(text) + 1;
    }
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);

    enum Open {
        Heading(u8, usize, usize, String),
        Code(CodeBlock, usize),
        Link(String, bool, usize, usize, String),
    }
    let mut stack: Vec<Open> = Vec::new();
    for (ev, range) in Parser::new_ext(body_text, opts).into_offset_iter() {
        let start = body_offset + range.start;
        let end = body_offset + range.end;
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                stack.push(Open::Heading(level as u8, start, end, String::new()))
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let (info, fenced) = match kind {
                    CodeBlockKind::Fenced(info) => (info.to_string(), true),
                    CodeBlockKind::Indented => (String::new(), false),
                };
                let (lang, attrs) = split_info(&info);
                let first_line_len = text[start..end].find('\n').unwrap_or(end - start);
                let raw_block = &text[start..end];
                let closed = !fenced || fence_closed(raw_block);
                let code_start = if fenced {
                    (start + first_line_len + 1).min(end)
                } else {
                    start
                };
                stack.push(Open::Code(
                    CodeBlock {
                        info: info.trim().to_string(),
                        lang,
                        attrs,
                        code: String::new(),
                        span: ix.span(
                            text,
                            start,
                            first_line_len.saturating_sub(usize::from(
                                text[start..start + first_line_len].ends_with('\r'),
                            )),
                        ),
                        code_start_line: ix.line_of(code_start),
                        code_offset: code_start,
                        fenced,
                        closed,
                    },
                    code_start,
                ));
            }
            Event::Start(Tag::Link { dest_url, .. }) => stack.push(Open::Link(
                dest_url.to_string(),
                false,
                start,
                end,
                String::new(),
            )),
            Event::Start(Tag::Image { dest_url, .. }) => stack.push(Open::Link(
                dest_url.to_string(),
                true,
                start,
                end,
                String::new(),
            )),
            Event::Text(t) => match stack.last_mut() {
                Some(Open::Heading(_, _, _, s)) | Some(Open::Link(_, _, _, _, s)) => s.push_str(&t),
                Some(Open::Code(cb, code_start)) => {
                    if cb.code.is_empty() {
                        *code_start = start;
                    }
                    cb.code.push_str(&t)
                }
                None => {}
            },
            Event::Code(t) => {
                body.inline_code.push(InlineCode {
                    code: t.to_string(),
                    span: ix.span(text, start, end - start),
                });
                if let Some(Open::Heading(_, _, _, s)) | Some(Open::Link(_, _, _, _, s)) =
                    stack.last_mut()
                {
                    s.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(Open::Heading(level, s, e, t)) = stack.pop() {
                    let line_len = text[s..e].trim_end_matches(['\n', '\r']).len();
                    let first_line = text[s..s + line_len].find('\n').unwrap_or(line_len);
                    body.headings.push(Heading {
                        level,
                        text: t.trim().to_string(),
                        span: ix.span(text, s, first_line),
                    });
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(Open::Code(mut cb, code_start)) = stack.pop() {
                    if !cb.code.is_empty() {
                        cb.code_offset = code_start;
                        cb.code_start_line = ix.line_of(code_start);
                    }
                    body.code_blocks.push(cb);
                }
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                if let Some(Open::Link(dest, is_image, s, e, t)) = stack.pop() {
                    body.links.push(Link {
                        dest,
                        text: t,
                        span: ix.span(text, s, e - s),
                        is_image,
                    });
                }
            }
            _ => {}
        }
    }
    // Sections from headings.
    let n = body.headings.len();
    for i in 0..n {
        let h = &body.headings[i];
        let end = body.headings[i + 1..]
            .iter()
            .find(|o| o.level <= h.level)
            .map(|o| o.span.offset)
            .unwrap_or(text.len());
        let end_line = if end >= text.len() {
            ix.line_count(text).max(h.span.line)
        } else {
            ix.line_of(end).saturating_sub(1).max(h.span.line)
        };
        body.sections.push(Section {
            heading: i,
            level: h.level,
            title: h.text.clone(),
            start: h.span.offset,
            end,
            start_line: h.span.line,
            end_line,
        });
    }
    body
}

/// Splits an info string into (language, attributes).
/// `dockerfile {title=Dockerfile}` → ("dockerfile", "{title=Dockerfile}");
/// `{.python}` → ("python", "").
pub fn split_info(info: &str) -> (String, String) {
    let info = info.trim();
    if let Some(rest) = info.strip_prefix('{') {
        let inner = rest.trim_end_matches('}');
        let lang = inner
            .split_whitespace()
            .find_map(|t| t.strip_prefix('.'))
            .unwrap_or("")
            .to_ascii_lowercase();
        return (lang, info.to_string());
    }
    let end = info
        .find(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .unwrap_or(info.len());
    let lang = info[..end].to_ascii_lowercase();
    (lang, info[end..].trim().to_string())
}

/// Whether a fenced block's raw text ends with a closing fence.
fn fence_closed(raw: &str) -> bool {
    let mut lines = raw.lines().map(|l| l.trim_end_matches('\r'));
    let Some(first) = lines.next() else {
        return false;
    };
    let first = first.trim_start();
    let ch = match first.chars().next() {
        Some(c @ ('`' | '~')) => c,
        _ => return false,
    };
    let n = first.chars().take_while(|&c| c == ch).count();
    let rest: Vec<&str> = lines.collect();
    let Some(last) = rest.iter().rev().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    let t = last.trim();
    t.len() >= n && t.chars().all(|c| c == ch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever frontmatter the direct reader accepts, serde-saphyr reads the same:
    /// keys, values and where each starts. Random documents are built from lines that
    /// mix the plain shape with what it must refuse.
    #[test]
    fn simple_entries_read_what_serde_saphyr_reads() {
        let keys = [
            "name",
            "description",
            "license",
            "metadata",
            "version",
            "a-b",
            "K_1",
            "true",
            "Yes",
            "null",
            "x1",
            "1x",
            "é",
            "on",
        ];
        let values = [
            "plain words here",
            "Does X. Use when Y, or Z.",
            "1.1.0",
            "1",
            "0x1F",
            "1e3",
            "yes",
            "No",
            "OFF",
            "null",
            "Null",
            "~",
            "",
            "inf",
            ".inf",
            "NaN",
            "infinity",
            "a: b",
            "a #c",
            "a#b",
            "a:b",
            "end:",
            "\"quoted\"",
            "'single'",
            "\"with \\\" escape\"",
            "\"a: b # c\"",
            "'it''s'",
            "\"unclosed",
            "'unclosed",
            "\"\"",
            "''",
            "[a, b]",
            "{a: b}",
            "- x",
            "|",
            ">-",
            "&anchor x",
            "*alias",
            "!!str x",
            "!tag x",
            "é ü",
            "a\u{a0}b",
            "a\u{85}b",
            "a\u{2028}b",
            "x,y",
            "@at",
            "`tick`",
            "%pct",
            "a  b",
            "trailing  ",
            "Apache-2.0",
            "x{y}",
            "a]b",
            "y",
            "n",
            "\"1.0\" x",
            "'a' # c",
        ];
        let mut next = crate::test_rng(0xf00d);
        // Values and keys of the plain shape (most documents are built from these, so
        // that one odd line decides).
        let good_values = [
            "plain words here",
            "Does X. Use when Y, or Z.",
            "\"1.1.0\"",
            "'x: y # z'",
            "Apache-2.0",
            "a#b",
            "a:b",
            "x{y}",
            "é ü",
            "Read Grep Bash(git:*)",
        ];
        let good_keys = [
            "name",
            "description",
            "license",
            "version",
            "owner",
            "a-b",
            "K_1",
        ];
        let (mut accepted, total) = (0, 20_000);
        for round in 0..total {
            let mut lines: Vec<String> = Vec::new();
            if round % 4 == 0 {
                // Anything goes.
                for _ in 0..1 + next() % 6 {
                    let k = keys[next() % keys.len()];
                    let v = values[next() % values.len()];
                    lines.push(match next() % 10 {
                        0 => format!("{k}:"),
                        1 | 2 => format!("  {k}: {v}"),
                        3 => format!("    {k}: {v}"),
                        4 => String::new(),
                        5 => format!("# {v}"),
                        6 => format!("  {v}"),
                        7 => format!("{k}:  {v}"),
                        8 => format!("{k}:{v}"),
                        _ => format!("{k}: {v}"),
                    });
                }
            } else {
                // The plain shape (distinct keys, nested blocks)...
                let mut ks: Vec<&str> = good_keys.to_vec();
                for _ in 0..1 + next() % 4 {
                    if ks.is_empty() {
                        break;
                    }
                    let k = ks.swap_remove(next() % ks.len());
                    if next().is_multiple_of(3) {
                        lines.push(format!("{k}:"));
                        let ind = " ".repeat(1 + next() % 3);
                        let mut sub: Vec<&str> = good_keys.to_vec();
                        for _ in 0..1 + next() % 3 {
                            let sk = sub.swap_remove(next() % sub.len());
                            let v = good_values[next() % good_values.len()];
                            lines.push(format!("{ind}{sk}: {v}"));
                        }
                    } else {
                        let v = good_values[next() % good_values.len()];
                        let sp = " ".repeat(1 + next() % 2);
                        lines.push(format!("{k}:{sp}{v}"));
                    }
                }
                // ...with, half of the time, one odd value or line.
                if next().is_multiple_of(2) {
                    let at = next() % lines.len();
                    let v = values[next() % values.len()];
                    let k = keys[next() % keys.len()];
                    let odd = match next() % 5 {
                        0 => format!("{k}: {v}"),
                        1 => format!("  {k}: {v}"),
                        2 => format!("  {v}"),
                        3 => String::new(),
                        _ => format!("# {v}"),
                    };
                    if next().is_multiple_of(2) {
                        lines[at] = odd;
                    } else {
                        lines.insert(at, odd);
                    }
                }
            }
            let yaml: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let Some(fast) = simple_entries(&yaml) else {
                continue;
            };
            accepted += 1;
            let slow = serde_saphyr::from_str::<Pairs>(&yaml)
                .unwrap_or_else(|e| panic!("{yaml:?} accepted but serde-saphyr fails: {e}"))
                .into_entries();
            assert_eq!(fast, slow, "{yaml:?}");
        }
        // The shape is common enough in the random documents for the check to mean
        // something.
        assert!(accepted * 10 > total, "{accepted} of {total}");
        for yaml in [
            "name: my-skill\ndescription: Does X. Use when Y.\nlicense: MIT\nmetadata:\n  version: \"1.1.0\"\n  owner: platform-team\n",
            "name: a\nmetadata:\n   a: 'x: y'\n   b: c d\nallowed-tools: Read Grep\n",
        ] {
            let fast = simple_entries(yaml).expect("the plain shape");
            let slow = serde_saphyr::from_str::<Pairs>(yaml)
                .unwrap()
                .into_entries();
            assert_eq!(fast, slow, "{yaml:?}");
        }
    }

    #[test]
    fn frontmatter_fields_have_spans() {
        let t = "---\nname: my-skill\ndescription: Does X. Use when Y.\nmetadata:\n  version: \"1\"\n---\n# Title\n";
        let d = parse_skill_md(t);
        assert!(d.frontmatter.is_present());
        let n = d.frontmatter.field("name").unwrap();
        assert_eq!(n.key_span.line, 2);
        assert_eq!(n.value_span.line, 2);
        assert_eq!(n.value_span.col, 7);
        let m = d.frontmatter.field("metadata").unwrap();
        assert_eq!(m.children[0].0, "version");
        assert_eq!(m.children[0].1.line, 5);
        assert_eq!(d.body.headings[0].span.line, 7);
    }

    /// Issue 15, defect 15: CR-only files were reported as "does not start with `---`".
    #[test]
    fn cr_only_line_endings_are_named() {
        let d = parse_skill_md("---\rname: a\rdescription: b\r---\r# T\r\rBody.\r");
        let fm = &d.frontmatter;
        assert_eq!(fm.status, FrontmatterStatus::Present);
        let p = fm.yaml_error.as_ref().expect("a problem is recorded");
        assert!(p.message.contains("CR-only line endings"), "{}", p.message);
        assert!(
            p.hint
                .as_deref()
                .unwrap_or("")
                .contains("convert the line endings to LF")
        );
        assert_eq!((p.span.line, p.span.col), (1, 1));
        // CRLF files and files without frontmatter are unaffected.
        assert!(
            parse_skill_md("---\r\nname: a\r\n---\r\n")
                .frontmatter
                .yaml_error
                .is_none()
        );
        let none = parse_skill_md("# Title\rtext\r");
        assert_eq!(none.frontmatter.status, FrontmatterStatus::Missing);
        assert!(none.frontmatter.yaml_error.is_none());
    }

    /// Issue 15, defect 15: YAML limits were shown as `budget breached: Nodes { nodes:
    /// 250001 }`; they are worded now.
    #[test]
    fn yaml_limits_are_worded_without_debug_text() {
        // The node budget, hit cheaply with a small limit (the default is 250,000).
        let mut budget = serde_saphyr::Budget::default();
        budget.max_nodes = 1000;
        let mut opts = serde_saphyr::Options::default();
        opts.budget = Some(budget);
        let items = vec!["1"; 400].join(", ");
        let aliases = ["*a"; 5].join(", ");
        let text = format!("big: &a [{items}]\nmore: [{aliases}]\n");
        let e = serde_saphyr::from_str_with_options::<Value>(&text, opts).unwrap_err();
        assert!(
            e.to_string().contains("Nodes {"),
            "serde-saphyr's own text: {e}"
        );
        let m = yaml_error_summary(&e).2;
        assert!(m.starts_with("the YAML has more than 1,000 nodes"), "{m}");
        // The depth budget, through the SKILL.md parser.
        let deep = format!("---\nname: {}1{}\n---\n", "[".repeat(80), "]".repeat(80));
        let p = parse_skill_md(&deep)
            .frontmatter
            .yaml_error
            .expect("refused");
        assert!(
            p.message
                .contains("the YAML nests lists and mappings more than 64 levels deep"),
            "{}",
            p.message
        );
        for m in [&m, &p.message] {
            assert!(!m.contains('{') && !m.contains("budget breached"), "{m}");
        }
        assert!(
            p.hint
                .unwrap_or_default()
                .contains("frontmatter is a few short fields")
        );
        assert_eq!(grouped(250_000), "250,000");
        assert_eq!(grouped(64), "64");
    }

    #[test]
    fn block_scalars_are_marked() {
        let d = parse_skill_md("---\nname: a\ndescription: >-\n  folded\n  text\n---\n");
        let f = d.frontmatter.field("description").unwrap();
        assert!(f.block_scalar);
        assert_eq!(f.value, "folded text");
        assert!(!d.frontmatter.field("name").unwrap().block_scalar);
    }

    #[test]
    fn delimiter_inside_value_is_not_a_delimiter() {
        let t = "---\nname: a\ndescription: a---b\n---\nbody\n";
        let d = parse_skill_md(t);
        assert_eq!(d.frontmatter.str("description"), Some("a---b"));
    }

    #[test]
    fn unclosed_and_missing() {
        let d = parse_skill_md("---\nname: a\n");
        assert_eq!(d.frontmatter.status, FrontmatterStatus::Unclosed);
        let d = parse_skill_md("# just a body\n");
        assert_eq!(d.frontmatter.status, FrontmatterStatus::Missing);
        assert_eq!(d.body.headings.len(), 1);
    }

    #[test]
    fn leading_blank_line_and_crlf() {
        let d = parse_skill_md("\r\n---\r\nname: a\r\ndescription: b\r\n---\r\nhi\r\n");
        assert!(d.frontmatter.is_present());
        assert_eq!(d.frontmatter.leading_blank_lines, 1);
        assert!(d.crlf);
        assert_eq!(d.frontmatter.str("name"), Some("a"));
    }

    #[test]
    fn yaml_errors_are_located() {
        let d = parse_skill_md("---\nname: a\nname: b\n---\n");
        let e = d.frontmatter.yaml_error.expect("duplicate key");
        assert_eq!(e.span.line, 3, "{e:?}");
        let d = parse_skill_md("---\nname: a\ndescription: Use when: x\n---\n");
        assert!(d.frontmatter.yaml_error.is_some());
        let d = parse_skill_md("---\nname: a\n\tdescription: b\n---\n");
        assert_eq!(d.frontmatter.yaml_error.unwrap().span.line, 3);
        let d = parse_skill_md("---\n- a\n- b\n---\n");
        assert_eq!(d.frontmatter.not_mapping.as_deref(), Some("a list"));
    }

    #[test]
    fn code_blocks_links_sections() {
        let t = "---\nname: a\ndescription: b\n---\n# A\n\nSee [ref](references/x.md).\n\n```dockerfile {title=Dockerfile}\nFROM python:3.12-slim\n```\n\n## B\n\n```\nunclosed\n";
        let d = parse_skill_md(t);
        assert_eq!(d.body.code_blocks.len(), 2);
        let cb = &d.body.code_blocks[0];
        assert_eq!(cb.lang, "dockerfile");
        assert_eq!(cb.attrs, "{title=Dockerfile}");
        assert_eq!(cb.span.line, 9);
        assert_eq!(cb.code_start_line, 10);
        assert!(cb.closed);
        assert!(!d.body.code_blocks[1].closed);
        assert_eq!(d.body.links[0].dest, "references/x.md");
        assert_eq!(d.body.links[0].span.line, 7);
        assert_eq!(d.body.sections.len(), 2);
        assert_eq!(d.body.sections[0].end_line, d.lines.line_count(t));
        assert_eq!(d.body.sections[1].start_line, 13);
    }

    #[test]
    fn split_info_forms() {
        assert_eq!(split_info("Dockerfile"), ("dockerfile".into(), "".into()));
        assert_eq!(
            split_info("yaml title=compose.yaml"),
            ("yaml".into(), "title=compose.yaml".into())
        );
        assert_eq!(split_info("{.python}").0, "python");
    }
}
