//! Page normaliser: turns a docs page (the site's Markdown route, or the raw Hugo
//! source) into clean Markdown.
//!
//! - YAML front matter is stripped; `title` and `description` are kept on [`Page`];
//! - Hugo shortcodes are rendered or stripped: tabs become labelled sections, includes
//!   are resolved (or noted), params become values (or are noted), escaped shortcodes
//!   `{{</* x */>}}` become the literal `{{< x >}}`, unknown shortcodes are stripped with
//!   a warning and never passed through;
//! - admonitions `> [!NOTE]` become `> **Note:**`;
//! - fence attributes are removed, the language kept;
//! - HTML comments are dropped (outside code);
//! - relative links become absolute `https://docs.docker.com/…` URLs.

use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The site links are made absolute against.
pub const SITE: &str = "https://docs.docker.com";

/// A normalised page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Clean Markdown, without front matter.
    pub body: String,
    /// Things the learner may want to know (unknown shortcodes, unresolved includes).
    pub warnings: Vec<String>,
}

/// Where the page lives, for resolving relative links, and how to resolve includes.
pub struct Context<'a> {
    /// Site path of the page, e.g. `/build/building/multi-stage/`.
    pub page_path: &'a str,
    /// Returns the text of `content/includes/<name>` when it is available.
    pub include: &'a dyn Fn(&str) -> Option<String>,
    /// Site parameters for `{{% param name %}}` (the page's own `params` win).
    pub params: &'a BTreeMap<String, String>,
}

static NO_PARAMS: BTreeMap<String, String> = BTreeMap::new();

impl Context<'_> {
    pub fn for_path(page_path: &str) -> Context<'_> {
        Context {
            page_path,
            include: &|_| None,
            params: &NO_PARAMS,
        }
    }
}

static SHORTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\{\{([<%])\s*(/?)\s*([A-Za-z][A-Za-z0-9_-]*)((?:[^"}]|"[^"]*")*?)\s*/?\s*[>%]\}\}"#,
    )
    .unwrap_or_else(|e| panic!("internal: shortcode regex: {e}"))
});
static ESCAPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{([<%])/\*\s*(.*?)\s*\*/([>%])\}\}")
        .unwrap_or_else(|e| panic!("internal: escaped shortcode regex: {e}"))
});
static ARG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*)?(?:"([^"]*)"|'([^']*)'|([^\s"']+))"#)
        .unwrap_or_else(|e| panic!("internal: shortcode argument regex: {e}"))
});
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(\]\(\s*)([^)\s]+)((?:\s+"[^"]*")?\s*\))"#)
        .unwrap_or_else(|e| panic!("internal: link regex: {e}"))
});
static REF_DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\s{0,3}\[[^\]]+\]:\s*)(\S+)(.*)$")
        .unwrap_or_else(|e| panic!("internal: link definition regex: {e}"))
});

static TAB_BUTTON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<button([^>]*class="tab-item"[^>]*)>(.*?)</button>"#)
        .unwrap_or_else(|e| panic!("internal: tab button regex: {e}"))
});
static TAB_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"selected\s*=\s*'([^']*)'"#)
        .unwrap_or_else(|e| panic!("internal: tab key regex: {e}"))
});
static TAB_PANEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<div[^>]*aria-role="tab"[^>]*selected\s*!==\s*'([^']*)'[^>]*>"#)
        .unwrap_or_else(|e| panic!("internal: tab panel regex: {e}"))
});
static HTML_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<pre[^>]*>\s*<code([^>]*)>(.*?)</code>\s*</pre>")
        .unwrap_or_else(|e| panic!("internal: html code regex: {e}"))
});
static MD_FENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?ms)^[ \t]*(```+|~~~+)[^\n]*\n.*?^[ \t]*(```+|~~~+)[ \t]*$")
        .unwrap_or_else(|e| panic!("internal: fence regex: {e}"))
});
static CODE_LANG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:data-lang="([A-Za-z0-9_+-]+)"|language-([A-Za-z0-9_+-]+))"#)
        .unwrap_or_else(|e| panic!("internal: code language regex: {e}"))
});
static ANCHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>"#)
        .unwrap_or_else(|e| panic!("internal: anchor regex: {e}"))
});
static HEADING_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<h([1-6])[^>]*>(.*?)</h[1-6]>")
        .unwrap_or_else(|e| panic!("internal: heading tag regex: {e}"))
});
static NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<svg.*?</svg>|<button.*?</button>|<script.*?</script>|<style.*?</style>")
        .unwrap_or_else(|e| panic!("internal: noise regex: {e}"))
});
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<[^>]*>").unwrap_or_else(|e| panic!("internal: tag regex: {e}"))
});
static BLOCK_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<(div|p|h[1-6]|ul|ol|li|section|span class)\b")
        .unwrap_or_else(|e| panic!("internal: block tag regex: {e}"))
});

/// Decodes the HTML entities the docs' renderer emits.
fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// `Custom-builder` / `%E6%94%AF` → a readable label.
fn label_from_key(key: &str) -> String {
    let mut bytes = Vec::new();
    let b = key.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&key[i + 1..i + 3], 16)
        {
            bytes.push(v);
            i += 3;
            continue;
        }
        bytes.push(if b[i] == b'-' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Text chunks of an HTML fragment (tags as separators), trimmed, non-empty.
fn text_chunks(html: &str) -> Vec<String> {
    TAG.split(html)
        .map(|t| {
            decode_entities(t)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// Converts one HTML block of a rendered page (tabs, cards, code, summary bars)
/// into Markdown. Code keeps its lines; everything else is dedented prose.
fn html_block_to_markdown(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    // Availability / requirement notes: one line.
    if lower.contains("summary-bar") || lower.contains("availability:") {
        let chunks = text_chunks(&NOISE.replace_all(html, ""));
        let mut line = String::new();
        for c in chunks {
            if !line.is_empty() {
                line.push_str(if line.ends_with(':') { " " } else { " · " });
            }
            line.push_str(&c);
        }
        return if line.is_empty() {
            String::new()
        } else {
            format!("\n_{line}_\n")
        };
    }
    let mut codes: Vec<String> = Vec::new();
    let keep = |s: String, codes: &mut Vec<String>| {
        codes.push(s);
        format!("\n\u{E010}{}\u{E011}\n", codes.len() - 1)
    };
    // Markdown fences inside the block stay as they are.
    let text = MD_FENCE
        .replace_all(html, |c: &regex::Captures| {
            let fence = c[0].to_string();
            // Dedent by the opening line's indent.
            let indent = fence.len() - fence.trim_start().len();
            let body: Vec<String> = fence
                .lines()
                .map(|l| {
                    let cut = l.len() - l.trim_start().len();
                    l[cut.min(indent)..].to_string()
                })
                .collect();
            keep(body.join("\n"), &mut codes)
        })
        .into_owned();
    let text = HTML_CODE
        .replace_all(&text, |c: &regex::Captures| {
            let lang = CODE_LANG
                .captures(&c[1])
                .and_then(|l| l.get(1).or_else(|| l.get(2)))
                .map(|m| m.as_str().to_string())
                .unwrap_or_default();
            let body = decode_entities(&TAG.replace_all(&c[2], ""));
            keep(
                format!("```{lang}\n{}\n```", body.trim_end_matches('\n')),
                &mut codes,
            )
        })
        .into_owned();
    // Tabs: labels from the tab list, one labelled part per panel.
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for c in TAB_BUTTON.captures_iter(&text) {
        if let Some(k) = TAB_KEY.captures(&c[1]) {
            let label = text_chunks(&c[2]).join(" ");
            labels.insert(k[1].to_string(), label);
        }
    }
    let text = TAB_BUTTON.replace_all(&text, "");
    let text = TAB_PANEL.replace_all(&text, |c: &regex::Captures| {
        let label = labels
            .get(&c[1])
            .cloned()
            .unwrap_or_else(|| label_from_key(&c[1]));
        format!("\n\n**{label}:**\n\n")
    });
    let text = NOISE.replace_all(&text, "");
    // Cards and links.
    let text = ANCHOR.replace_all(&text, |c: &regex::Captures| {
        let inner = &c[2];
        let chunks = text_chunks(inner);
        if chunks.is_empty() {
            return String::new();
        }
        if BLOCK_TAG.is_match(inner) || chunks.len() > 1 {
            let (title, desc) = (&chunks[0], chunks[1..].join(" "));
            if desc.is_empty() {
                format!("\n- [{title}]({})\n", &c[1])
            } else {
                format!("\n- [{title}]({}): {desc}\n", &c[1])
            }
        } else {
            format!("[{}]({})", chunks[0], &c[1])
        }
    });
    let text = HEADING_TAG.replace_all(&text, |c: &regex::Captures| {
        let n: usize = c[1].parse().unwrap_or(3);
        format!("\n\n{} {}\n\n", "#".repeat(n), text_chunks(&c[2]).join(" "))
    });
    let text = text
        .replace("<li>", "\n- ")
        .replace("<code>", "`")
        .replace("</code>", "`")
        .replace("<strong>", "**")
        .replace("</strong>", "**")
        .replace("<em>", "_")
        .replace("</em>", "_");
    let text = Regex::new(r"(?i)<li[^>]*>")
        .map(|r| r.replace_all(&text, "\n- ").into_owned())
        .unwrap_or(text);
    let text = Regex::new(r"(?i)</?(p|div|ul|ol|section|br)[^>]*>")
        .map(|r| r.replace_all(&text, "\n\n").into_owned())
        .unwrap_or(text);
    let text = decode_entities(&TAG.replace_all(&text, ""));
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix('\u{E010}')
            && let Some(n) = rest.strip_suffix('\u{E011}')
            && let Some(code) = n.parse::<usize>().ok().and_then(|i| codes.get(i))
        {
            out.push('\n');
            out.push_str(code);
            out.push_str("\n\n");
            continue;
        }
        out.push_str(t);
        out.push('\n');
    }
    format!("\n{}\n", collapse_blank_lines(&out).trim())
}

/// Replaces the HTML blocks of a page (a line opening a `<div`, up to its matching
/// `</div>`) outside code fences with Markdown.
fn convert_html_blocks(body: &str) -> String {
    let lines: Vec<&str> = body.split('\n').collect();
    let mut out: Vec<String> = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start();
        if let Some((ch, n)) = fence {
            if t.chars().take_while(|&c| c == ch).count() >= n
                && t.trim_matches(ch).trim().is_empty()
            {
                fence = None;
            }
            out.push(line.to_string());
            i += 1;
            continue;
        }
        if let Some((ch, n, _)) = fence_open(t) {
            fence = Some((ch, n));
            out.push(line.to_string());
            i += 1;
            continue;
        }
        if t.starts_with("<div") || t.starts_with("<section") {
            let mut depth: i64 = 0;
            let mut j = i;
            let mut block = String::new();
            while j < lines.len() {
                let l = lines[j];
                depth += (l.matches("<div").count() + l.matches("<section").count()) as i64;
                depth -= (l.matches("</div").count() + l.matches("</section").count()) as i64;
                block.push_str(l);
                block.push('\n');
                j += 1;
                if depth <= 0 {
                    break;
                }
            }
            out.push(html_block_to_markdown(&block));
            i = j;
            continue;
        }
        out.push(line.to_string());
        i += 1;
    }
    out.join("\n")
}

/// Private-use markers that protect escaped shortcodes from the shortcode pass.
const OPEN_ANGLE: &str = "\u{E000}";
const OPEN_PCT: &str = "\u{E001}";

/// Normalises one page.
pub fn normalize(text: &str, ctx: &Context<'_>) -> Page {
    let mut page = Page::default();
    let text = text.replace("\r\n", "\n");
    let (front, body) = split_front_matter(&text);
    let mut params: BTreeMap<String, String> = ctx
        .params
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    if let Some(front) = front {
        match serde_saphyr::from_str::<serde_json::Value>(front) {
            Ok(v) => {
                let s = |k: &str| {
                    v.get(k)
                        .and_then(|x| x.as_str())
                        .map(|x| x.trim().to_string())
                };
                page.title = s("title").or_else(|| s("linkTitle"));
                page.description =
                    s("description").map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "));
                if let Some(map) = v.get("params").and_then(|p| p.as_object()) {
                    for (k, val) in map {
                        let shown = match val {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        params.insert(k.to_ascii_lowercase(), shown);
                    }
                }
            }
            Err(_) => page
                .warnings
                .push("front matter is not valid YAML; dropped without title/description".into()),
        }
    }
    // Escaped shortcodes become protected literals first.
    let body = ESCAPED.replace_all(body, |c: &regex::Captures| {
        let open = if &c[1] == "<" { OPEN_ANGLE } else { OPEN_PCT };
        let close = if &c[3] == ">" { ">}}" } else { "%}}" };
        format!("{open} {} {close}", &c[2])
    });
    let body = render_shortcodes(&body, ctx, &params, &mut page.warnings, 0);
    let body = convert_html_blocks(&body);
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<(char, usize)> = None;
    let mut in_comment = false;
    for line in body.split('\n') {
        let trimmed = line.trim_start();
        if let Some((ch, n)) = fence {
            let closing = trimmed.chars().take_while(|&c| c == ch).count();
            if closing >= n && trimmed[closing * ch.len_utf8()..].trim().is_empty() {
                fence = None;
            }
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if in_comment {
            if let Some(end) = line.find("-->") {
                in_comment = false;
                let rest = &line[end + 3..];
                if !rest.trim().is_empty() {
                    out.push_str(rest);
                    out.push('\n');
                }
            }
            continue;
        }
        if let Some((ch, n, info)) = fence_open(trimmed) {
            fence = Some((ch, n));
            let indent = &line[..line.len() - trimmed.len()];
            let lang = fence_language(info);
            out.push_str(indent);
            out.push_str(&ch.to_string().repeat(n));
            out.push_str(lang);
            out.push('\n');
            continue;
        }
        let (stripped, opened) = strip_comments(line);
        if opened {
            in_comment = true;
        }
        if stripped.len() != line.len() && stripped.trim().is_empty() {
            continue;
        }
        let line = stripped;
        let line = admonition(&line);
        let line = absolutize_links(&line, ctx.page_path);
        out.push_str(&line);
        out.push('\n');
    }
    if page.title.is_none() {
        // Rendered Markdown routes carry the title as the first H1.
        page.title = out
            .lines()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| l.strip_prefix("# "))
            .map(|t| t.trim().to_string());
    }
    page.body = collapse_blank_lines(&out)
        .replace(OPEN_ANGLE, "{{<")
        .replace(OPEN_PCT, "{{%");
    page
}

fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    let Some(rest) = text.strip_prefix("---\n") else {
        return (None, text);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return (Some(&rest[..offset]), &rest[offset + line.len()..]);
        }
        offset += line.len();
    }
    (None, text)
}

fn fence_open(trimmed: &str) -> Option<(char, usize, &str)> {
    let ch = trimmed.chars().next()?;
    if ch != '`' && ch != '~' {
        return None;
    }
    let n = trimmed.chars().take_while(|&c| c == ch).count();
    if n < 3 {
        return None;
    }
    let info = &trimmed[n..];
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some((ch, n, info))
}

/// The language of a fence info string: ```` ```dockerfile {title=Dockerfile} ```` →
/// `dockerfile`; ```` ```{.python} ```` → `python`.
fn fence_language(info: &str) -> &str {
    let info = info.trim();
    if let Some(attrs) = info.strip_prefix('{') {
        let attrs = attrs.trim_end_matches('}');
        return attrs
            .split([',', ' '])
            .find_map(|a| a.trim().strip_prefix('.'))
            .unwrap_or("");
    }
    info.split(|c: char| c.is_whitespace() || c == '{' || c == ',')
        .next()
        .unwrap_or("")
}

/// Removes `<!-- … -->` on one line; reports whether a comment stays open.
fn strip_comments(line: &str) -> (String, bool) {
    let mut out = String::new();
    let mut rest = line;
    loop {
        match rest.find("<!--") {
            None => {
                out.push_str(rest);
                return (out, false);
            }
            Some(start) => {
                out.push_str(&rest[..start]);
                match rest[start + 4..].find("-->") {
                    Some(end) => rest = &rest[start + 4 + end + 3..],
                    None => return (out, true),
                }
            }
        }
    }
}

fn admonition(line: &str) -> String {
    let trimmed = line.trim_start();
    if !trimmed.starts_with('>') {
        return line.to_string();
    }
    // `> [!NOTE]`, and nested `> > [!WARNING]`.
    let after = trimmed.trim_start_matches(['>', ' ']);
    let quote_prefix = &trimmed[..trimmed.len() - after.len()];
    for (tag, label) in [
        ("[!NOTE]", "Note"),
        ("[!TIP]", "Tip"),
        ("[!IMPORTANT]", "Important"),
        ("[!WARNING]", "Warning"),
        ("[!CAUTION]", "Caution"),
    ] {
        if let Some(rest) = after.strip_prefix(tag) {
            let indent = &line[..line.len() - trimmed.len()];
            let prefix = format!("{indent}{}", quote_prefix.trim_end());
            let rest = rest.trim();
            return if rest.is_empty() {
                format!("{prefix} **{label}:**")
            } else {
                format!("{prefix} **{label}:** {rest}")
            };
        }
    }
    line.to_string()
}

/// Makes a link target absolute against the docs site.
pub fn absolute_url(target: &str, page_path: &str) -> String {
    if target.starts_with('#')
        || target.contains("://")
        || target.starts_with("mailto:")
        || target.starts_with("//")
    {
        return target.to_string();
    }
    let (path, anchor) = match target.find('#') {
        Some(i) => (&target[..i], &target[i..]),
        None => (target, ""),
    };
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        let base = if page_path.ends_with('/') {
            page_path.to_string()
        } else {
            format!("{page_path}/")
        };
        // A raw page `/a/b/` lives in `content/…/a/b.md`: relative links resolve
        // against its parent directory when they name Markdown files.
        let dir = if path.ends_with(".md") || path.contains(".md#") {
            let t = base.trim_end_matches('/');
            match t.rfind('/') {
                Some(i) => format!("{}/", &t[..i]),
                None => "/".into(),
            }
        } else {
            base
        };
        format!("{dir}{path}")
    };
    // Normalise `.` and `..`, map source files to site paths.
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    if parts.first() == Some(&"content") {
        parts.remove(0);
    }
    if parts.first() == Some(&"manuals") {
        parts.remove(0);
    }
    let mut path = format!("/{}", parts.join("/"));
    if let Some(stripped) = path.strip_suffix(".md") {
        path = stripped
            .trim_end_matches("/_index")
            .trim_end_matches("/index")
            .to_string();
        if path == "/_index" || path == "/index" {
            path = String::new();
        }
        path.push('/');
    } else if joined.ends_with('/') && !path.ends_with('/') {
        path.push('/');
    }
    format!("{SITE}{path}{anchor}")
}

fn absolutize_links(line: &str, page_path: &str) -> String {
    if let Some(c) = REF_DEF.captures(line) {
        return format!("{}{}{}", &c[1], absolute_url(&c[2], page_path), &c[3]);
    }
    if !line.contains("](") {
        return line.to_string();
    }
    // Leave inline code spans alone.
    let mut out = String::new();
    for (i, piece) in line.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(piece);
        } else {
            out.push_str(&LINK.replace_all(piece, |c: &regex::Captures| {
                format!("{}{}{}", &c[1], absolute_url(&c[2], page_path), &c[3])
            }));
        }
    }
    out
}

fn collapse_blank_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blanks = 0;
    for line in s.lines() {
        if line.trim().is_empty() {
            blanks += 1;
            if blanks > 1 {
                continue;
            }
            out.push('\n');
        } else {
            blanks = 0;
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    let trimmed = out.trim_matches('\n');
    format!("{trimmed}\n")
}

/// Shortcode arguments: positional values and `key=value` pairs.
#[derive(Debug, Default)]
struct Args {
    positional: Vec<String>,
    named: BTreeMap<String, String>,
}

impl Args {
    fn parse(s: &str) -> Args {
        let mut a = Args::default();
        for c in ARG.captures_iter(s) {
            let value = c
                .get(2)
                .or_else(|| c.get(3))
                .or_else(|| c.get(4))
                .map(|m| m.as_str().to_string())
                .unwrap_or_default();
            match c.get(1) {
                Some(k) => {
                    a.named.insert(k.as_str().to_ascii_lowercase(), value);
                }
                None => a.positional.push(value),
            }
        }
        a
    }
    fn get(&self, names: &[&str]) -> Option<&str> {
        names
            .iter()
            .find_map(|n| self.named.get(*n).map(String::as_str))
            .or_else(|| self.positional.first().map(String::as_str))
    }
}

/// Shortcodes whose tags are dropped while their inner content is kept.
const TRANSPARENT: &[&str] = &[
    "tabs",
    "grid",
    "cta",
    "callout",
    "details",
    "rawhtml",
    "card-grid",
    "files",
    "markdownify",
    "include-raw",
];
/// Shortcodes dropped entirely (decoration, widgets, embedded media).
const DROPPED: &[&str] = &[
    "summary-bar",
    "youtube-embed",
    "release-date",
    "sectionlinks",
    "toc",
    "icon",
    "feedback",
    "introduced",
    "image-gallery",
];

fn render_shortcodes(
    text: &str,
    ctx: &Context<'_>,
    params: &BTreeMap<String, String>,
    warnings: &mut Vec<String>,
    depth: usize,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for c in SHORTCODE.captures_iter(text) {
        let Some(whole) = c.get(0) else { continue };
        out.push_str(&text[last..whole.start()]);
        last = whole.end();
        let closing = &c[2] == "/";
        let name = c[3].to_ascii_lowercase();
        let args = Args::parse(&c[4]);
        let at_line_start = text[..whole.start()]
            .rsplit('\n')
            .next()
            .is_some_and(|before| before.trim().is_empty());
        let rendered: String = match (name.as_str(), closing) {
            (_, true) => String::new(),
            ("tab", false) => {
                let label = args.get(&["name", "title"]).unwrap_or("Option");
                format!("**{label}:**\n")
            }
            ("include", false) => {
                let file = args.get(&["file"]).unwrap_or("").to_string();
                match (ctx.include)(&file) {
                    Some(inc) if depth < 4 => {
                        let (_, inc_body) = split_front_matter(&inc);
                        render_shortcodes(inc_body, ctx, params, warnings, depth + 1)
                    }
                    _ => {
                        warnings.push(format!("include `{file}` not resolved; noted in the text"));
                        format!(
                            "_(Shared text `{file}` from the docs is not reproduced here; see the page online.)_"
                        )
                    }
                }
            }
            ("param", false) => {
                let key = args.get(&["name"]).unwrap_or("").to_string();
                match params.get(&key.to_ascii_lowercase()) {
                    Some(v) => v.clone(),
                    None => {
                        warnings.push(format!("param `{key}` has no value in the page; noted"));
                        format!("<{key}>")
                    }
                }
            }
            ("button", false) => {
                let text = args.get(&["text"]).unwrap_or("Link");
                match args.named.get("url") {
                    Some(url) => format!("[{text}]({url})"),
                    None => text.to_string(),
                }
            }
            ("card", false) => {
                let title = args.named.get("title").map(String::as_str).unwrap_or("");
                let desc = args
                    .named
                    .get("description")
                    .map(String::as_str)
                    .unwrap_or("");
                match args.named.get("link") {
                    Some(link) => format!("- [{title}]({link}): {desc}"),
                    None => format!("- {title}: {desc}"),
                }
            }
            ("badge", false) => {
                let text = args.get(&["text"]).unwrap_or("");
                format!("*({text})*")
            }
            ("accordion", false) | ("file", false) => {
                let title = args.get(&["title", "name"]).unwrap_or("Details");
                format!("**{title}:**\n")
            }
            ("experimental", false) | ("restricted", false) => {
                let label = if name == "experimental" {
                    "Experimental"
                } else {
                    "Restricted"
                };
                let title = args
                    .get(&["title"])
                    .map(|t| format!(" {t}"))
                    .unwrap_or_default();
                format!("> **{label}:**{title}\n")
            }
            (n, false) if TRANSPARENT.contains(&n) => String::new(),
            (n, false) if DROPPED.contains(&n) => String::new(),
            (n, false) => {
                warnings.push(format!("unknown shortcode `{n}` stripped"));
                String::new()
            }
        };
        out.push_str(&rendered);
        // A tag alone on its line leaves no blank line behind when it renders to nothing.
        if (rendered.is_empty() && at_line_start || rendered.ends_with('\n'))
            && text[last..].starts_with('\n')
        {
            last += 1;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> Page {
        normalize(s, &Context::for_path("/build/building/multi-stage/"))
    }

    #[test]
    fn front_matter_is_stripped_and_kept() {
        let p = norm(
            "---\ntitle: Multi-stage\ndescription: |\n  Keep images\n  small.\nweight: 10\naliases:\n- /old/\n---\n\nBody\n",
        );
        assert_eq!(p.title.as_deref(), Some("Multi-stage"));
        assert_eq!(p.description.as_deref(), Some("Keep images small."));
        assert_eq!(p.body, "Body\n");
        assert_eq!(norm("No front matter\n").body, "No front matter\n");
    }

    #[test]
    fn tabs_become_labelled_sections() {
        let p = norm(
            "{{< tabs >}}\n{{< tab name=\"Linux\" >}}\n\nrun a\n\n{{< /tab >}}\n{{< tab name=\"Mac\" >}}\nrun b\n{{< /tab >}}\n{{< /tabs >}}\n",
        );
        assert!(p.body.contains("**Linux:**"), "{}", p.body);
        assert!(p.body.contains("**Mac:**\nrun b"));
        assert!(!p.body.contains("{{"));
    }

    #[test]
    fn includes_are_resolved_or_noted() {
        let resolver = |name: &str| (name == "x.md").then(|| "Included *text*.".to_string());
        let ctx = Context {
            page_path: "/a/",
            include: &resolver,
            params: &NO_PARAMS,
        };
        let p = normalize(
            "{{% include \"x.md\" %}}\n\n{{< include \"y.md\" >}}\n",
            &ctx,
        );
        assert!(p.body.contains("Included *text*."));
        assert!(p.body.contains("`y.md`"));
        assert!(p.warnings.iter().any(|w| w.contains("y.md")));
    }

    #[test]
    fn params_become_values_or_notes() {
        let p = norm(
            "---\ntitle: T\nparams:\n  go_version: \"1.23\"\n---\nUse {{% param \"go_version\" %}} and {{% param example_py %}}.\n",
        );
        assert!(p.body.contains("Use 1.23 and <example_py>."), "{}", p.body);
    }

    #[test]
    fn escaped_shortcodes_become_literals() {
        let p = norm("Write `{{</* tab name=\"x\" */>}}` in docs.\n");
        assert_eq!(p.body, "Write `{{< tab name=\"x\" >}}` in docs.\n");
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn unknown_shortcodes_are_stripped_with_a_warning() {
        let p = norm("A {{< sparkle size=3 >}} B\n");
        assert_eq!(p.body, "A  B\n");
        assert!(p.warnings[0].contains("sparkle"));
        let known = norm("{{< summary-bar feature_name=\"X\" >}}\nText\n");
        assert_eq!(known.body, "Text\n");
        assert!(known.warnings.is_empty());
    }

    #[test]
    fn widgets_render_as_markdown() {
        let p = norm(
            "{{< button text=\"Get Docker\" url=\"/get-docker/\" >}}\n{{< card title=\"Scout\" description=\"Scan\" link=\"/scout/\" >}}\n{{< badge color=blue text=\"Beta\" >}}\n",
        );
        assert!(
            p.body
                .contains("[Get Docker](https://docs.docker.com/get-docker/)"),
            "{}",
            p.body
        );
        assert!(
            p.body
                .contains("- [Scout](https://docs.docker.com/scout/): Scan")
        );
        assert!(p.body.contains("*(Beta)*"));
    }

    #[test]
    fn admonitions_get_their_label() {
        let p = norm("> [!NOTE]\n> Text.\n\n> [!WARNING]\n> Careful.\n");
        assert_eq!(
            p.body,
            "> **Note:**\n> Text.\n\n> **Warning:**\n> Careful.\n"
        );
    }

    #[test]
    fn fence_attributes_are_removed() {
        let p = norm(
            "```dockerfile {collapse=true,title=Dockerfile,hl_lines=[2]}\nFROM x\n```\n\n  ```console {title=\"Run\"}\n  $ docker run\n  ```\n",
        );
        assert!(
            p.body.starts_with("```dockerfile\nFROM x\n```\n"),
            "{}",
            p.body
        );
        assert!(p.body.contains("  ```console\n"));
        assert_eq!(fence_language("{.python}"), "python");
    }

    #[test]
    fn comments_are_dropped_outside_code() {
        let p = norm("A <!-- vale off --> B\n<!--\nmulti\n-->\nC\n```html\n<!-- kept -->\n```\n");
        assert!(p.body.starts_with("A  B\nC\n"), "{}", p.body);
        assert!(p.body.contains("<!-- kept -->"));
    }

    #[test]
    fn relative_links_become_absolute() {
        let p = norm(
            "See [cache](/build/cache/#rules), [up](../../cache/optimize.md), [same](secrets.md#x), [ext](https://x.y/z), [a](#local).\n[ref]: /engine/\n",
        );
        assert!(
            p.body
                .contains("(https://docs.docker.com/build/cache/#rules)"),
            "{}",
            p.body
        );
        assert!(
            p.body.contains("(https://docs.docker.com/cache/optimize/)"),
            "{}",
            p.body
        );
        assert!(
            p.body
                .contains("(https://docs.docker.com/build/building/secrets/#x)"),
            "{}",
            p.body
        );
        assert!(p.body.contains("(https://x.y/z)"));
        assert!(p.body.contains("(#local)"));
        assert!(p.body.contains("[ref]: https://docs.docker.com/engine/"));
        assert_eq!(
            absolute_url("/manuals/build/_index.md", "/x/"),
            "https://docs.docker.com/build/"
        );
    }

    #[test]
    fn code_is_not_rewritten() {
        let p = norm("```md\n> [!NOTE]\n[x](/y/)\n```\n");
        assert_eq!(p.body, "```md\n> [!NOTE]\n[x](/y/)\n```\n");
    }

    /// Tabs as the site's Markdown route serves them: Alpine.js HTML around
    /// highlighted code.
    const HTML_TABS: &str = "Pick your shell.\n\n<div\n  class=\"tabs\"\n  \n    x-data=\"{ selected: 'Bash' }\"\n  \n  aria-role=\"tabpanel\"\n>\n  <div aria-role=\"tablist\" class=\"tablist\">\n    \n      <button\n        class=\"tab-item\"\n        :class=\"selected === 'Bash' &&\n          'border-blue border-b-4'\"\n        \n          @click=\"selected = 'Bash'\"\n        \n      >\n        Bash\n      </button>\n    \n      <button\n        class=\"tab-item\"\n        :class=\"selected === 'Power-Shell' && 'border-blue'\"\n          @click=\"selected = 'Power-Shell'\"\n      >\n        Power Shell\n      </button>\n  </div>\n  <div>\n      <div\n        aria-role=\"tab\"\n        :class=\"selected !== 'Bash' && 'hidden'\"\n      >\n        <p>Set it for one <code>docker run</code>:</p>\n<div class=\"highlight\"><pre tabindex=\"0\" class=\"chroma\"><code class=\"language-console\" data-lang=\"console\"><span class=\"line\"><span class=\"cl\"><span class=\"gp\">$</span> docker run -e <span class=\"nv\">MODE</span><span class=\"o\">=</span>dev app &amp;&amp; echo &#34;ok&#34;\n</span></span></code></pre></div>\n      <button title=\"copy\" @click=\"x\"><svg viewBox=\"0 0 1 1\"><path d=\"M0\"/></svg></button>\n      </div>\n      <div\n        aria-role=\"tab\"\n        :class=\"selected !== 'Power-Shell' && 'hidden'\"\n      >\n        <p>Use <strong>$env</strong> first.</p>\n      </div>\n  </div>\n</div>\n\nAfter the tabs.\n";

    #[test]
    fn html_tabs_become_labelled_markdown() {
        let p = norm(HTML_TABS);
        let b = &p.body;
        assert!(
            b.contains("**Bash:**\n\nSet it for one `docker run`:"),
            "{b}"
        );
        assert!(
            b.contains("```console\n$ docker run -e MODE=dev app && echo \"ok\"\n```"),
            "{b}"
        );
        assert!(b.contains("**Power Shell:**\n\nUse **$env** first."), "{b}");
        assert!(b.starts_with("Pick your shell.\n") && b.ends_with("After the tabs.\n"));
        for raw in [
            "<div",
            "x-data",
            "aria-role",
            "<svg",
            "<span",
            "&amp;",
            "<button",
        ] {
            assert!(!b.contains(raw), "{raw} left in {b}");
        }
    }

    #[test]
    fn html_card_grids_become_link_lists() {
        let p = norm(
            "<div class=\"grid grid-cols-2\">\n  <a href=\"/scout/quickstart/\" class=\"card\">\n    <div class=\"title\">Quickstart</div>\n    <p>Scan an image in five minutes.</p>\n  </a>\n  <a href=\"/scout/policy/\" class=\"card\"><h3>Policies</h3><p>Rules &amp; checks.</p></a>\n</div>\n",
        );
        assert!(
            p.body.contains(
                "- [Quickstart](https://docs.docker.com/scout/quickstart/): Scan an image in five minutes."
            ),
            "{}",
            p.body
        );
        assert!(
            p.body
                .contains("- [Policies](https://docs.docker.com/scout/policy/): Rules & checks."),
            "{}",
            p.body
        );
        assert!(!p.body.contains('<'), "{}", p.body);
    }

    #[test]
    fn availability_notes_stay_one_line() {
        let p = norm(
            "Intro.\n\n<div class=\"summary-bar\">\n  <div><span>Availability:</span>\n  <span>Beta</span></div>\n  <div><span>Requires:</span> <span>Docker Engine 27.1 and later</span></div>\n</div>\n\n## Next\n",
        );
        assert!(
            p.body
                .contains("_Availability: Beta · Requires: Docker Engine 27.1 and later_"),
            "{}",
            p.body
        );
    }

    #[test]
    fn nested_admonitions_render() {
        let p = norm("> [!NOTE]\n> Outer.\n>\n> > [!WARNING]\n> > Inner.\n");
        assert!(
            p.body.contains("> > **Warning:**\n> > Inner."),
            "{}",
            p.body
        );
        assert!(p.body.starts_with("> **Note:**"), "{}", p.body);
    }

    #[test]
    fn site_params_resolve_inside_code() {
        let mut table = BTreeMap::new();
        table.insert("example_go_version".to_string(), "1.25".to_string());
        let ctx = Context {
            page_path: "/guides/go/",
            include: &|_| None,
            params: &table,
        };
        let p = normalize(
            "```dockerfile\nFROM golang:{{% param example_go_version %}} AS build\n```\n",
            &ctx,
        );
        assert!(p.body.contains("FROM golang:1.25 AS build"), "{}", p.body);
        assert!(!p.body.contains("<example_go_version>"));
    }
}
