//! What a downloaded body must be before it may enter the cache.
//!
//! The client hands over the bytes (content coding already undone, see
//! [`super::client`]); this module checks that they are what the source promised:
//! Markdown or YAML text (UTF-8, not empty, not an HTML page, not binary) or a JSON
//! document (the Compose schema, release data). A body that fails is refused with a
//! message naming the URL, what arrived and what to do; it is never cached, and the
//! other sources of the run are unaffected.

use super::client::FetchError;

/// What a source is expected to deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A documentation page or include file (the site's `.md` route or a raw source).
    Markdown,
    /// Other text (the site's `hugo.yaml` parameters).
    Text,
    /// A JSON document (the Compose JSON Schema, release data APIs).
    Json,
}

impl Expect {
    fn noun(self) -> &'static str {
        match self {
            Expect::Markdown => "Markdown",
            Expect::Text => "text",
            Expect::Json => "JSON",
        }
    }
}

/// Checks a body against what the source should be. `content_type` is the response's
/// `Content-Type` header, if any.
pub fn check(
    url: &str,
    expect: Expect,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), FetchError> {
    let bad = |what: String, fix: &str| FetchError::Unusable {
        url: url.to_string(),
        what,
        fix: fix.to_string(),
    };
    let mime = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| crate::term::escape_line(m.trim()).to_ascii_lowercase())
        .filter(|m| !m.is_empty());
    let declared = match &mime {
        Some(m) => format!(" (Content-Type: {m})"),
        None => String::new(),
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad(
            if body.is_empty() {
                format!("the server sent an empty body{declared}")
            } else {
                format!(
                    "the server sent a body of {} byte(s) of blank space{declared}",
                    body.len()
                )
            },
            &format!(
                "expected {}; try again later, or check the address (--base-url / `[fetch] base-url`)",
                expect.noun()
            ),
        ));
    }
    if mime
        .as_deref()
        .is_some_and(|m| m == "text/html" || m == "application/xhtml+xml")
        || looks_like_html(body)
    {
        return Err(bad(
            format!(
                "received an HTML page{declared}, not {}; the server answered with a web page (an error, login or landing page?) instead of the file",
                expect.noun()
            ),
            "check the address (--base-url / `[fetch] base-url`, or the path in sources.yaml); a docs page's Markdown lives at <page path without the trailing slash>.md",
        ));
    }
    if let Some(m) = &mime
        && (m.starts_with("image/")
            || m.starts_with("audio/")
            || m.starts_with("video/")
            || m.starts_with("font/")
            || matches!(
                m.as_str(),
                "application/pdf" | "application/zip" | "application/gzip" | "application/x-gzip"
            ))
    {
        return Err(bad(
            format!(
                "received a binary file (Content-Type: {m}, {} bytes), not {}",
                body.len(),
                expect.noun()
            ),
            "check the address (--base-url / `[fetch] base-url`, or the URL in sources.yaml)",
        ));
    }
    // Servers without a type for `.md` say application/octet-stream: accepted when the
    // bytes are clean text, refused (with where it breaks) otherwise.
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            return Err(bad(
                format!(
                    "the body is not UTF-8 text{declared}: byte {at} (0x{:02X}) of {} is invalid; a binary file or another character encoding arrived instead of {}",
                    body[at],
                    body.len(),
                    expect.noun()
                ),
                "check the address (--base-url / `[fetch] base-url`); a mirror must serve the files unchanged, as UTF-8",
            ));
        }
    };
    if let Some(at) = text.bytes().position(|b| b == 0) {
        return Err(bad(
            format!(
                "the body holds binary data{declared}: a NUL byte at byte {at} of {}; not {}",
                body.len(),
                expect.noun()
            ),
            "check the address (--base-url / `[fetch] base-url`); a mirror must serve the files unchanged",
        ));
    }
    if expect == Expect::Json {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(_) | serde_json::Value::Array(_)) => {}
            Ok(other) => {
                let kind = match other {
                    serde_json::Value::Null => "null",
                    serde_json::Value::Bool(_) => "a boolean",
                    serde_json::Value::Number(_) => "a number",
                    _ => "a string",
                };
                return Err(bad(
                    format!("the body is JSON but only {kind}, not a JSON document"),
                    "check the URL in sources.yaml (or the mirror given by --base-url)",
                ));
            }
            Err(e) => {
                return Err(bad(
                    format!(
                        "the body is not JSON{declared}: {} at line {}, column {}",
                        json_problem(&e),
                        e.line(),
                        e.column()
                    ),
                    "check the URL in sources.yaml (or the mirror given by --base-url); try again later if the file was being replaced",
                ));
            }
        }
    }
    Ok(())
}

/// serde_json's message without its own "at line … column …" suffix.
fn json_problem(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    }
}

/// An HTML document: `<!DOCTYPE html` or `<html` first (after a BOM and blank space).
fn looks_like_html(body: &[u8]) -> bool {
    let b = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let head: Vec<u8> = b[start..]
        .iter()
        .take(14)
        .map(u8::to_ascii_lowercase)
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(expect: Expect, ct: Option<&str>, body: &[u8]) -> String {
        match check("http://h/p.md", expect, ct, body) {
            Err(e) => e.to_string(),
            Ok(()) => panic!("accepted {:?}", String::from_utf8_lossy(body)),
        }
    }

    #[test]
    fn markdown_text_is_accepted_whatever_the_text_type() {
        for ct in [
            None,
            Some("text/markdown; charset=utf-8"),
            Some("text/plain"),
            Some("application/octet-stream"),
        ] {
            assert!(
                check(
                    "u",
                    Expect::Markdown,
                    ct,
                    "# T\n\nText <b>é</b>\n".as_bytes()
                )
                .is_ok()
            );
        }
        assert!(check("u", Expect::Json, Some("application/json"), b"{\"a\": 1}").is_ok());
    }

    #[test]
    fn html_is_refused_by_type_or_by_content() {
        let m = err(Expect::Markdown, Some("text/html; charset=utf-8"), b"# x\n");
        assert!(
            m.starts_with("http://h/p.md: received an HTML page (Content-Type: text/html)"),
            "{m}"
        );
        assert!(m.contains("check the address"), "{m}");
        let m = err(
            Expect::Markdown,
            Some("text/plain"),
            b"\n  <!DOCTYPE HTML>\n<html>",
        );
        assert!(m.contains("received an HTML page"), "{m}");
        let m = err(
            Expect::Json,
            None,
            b"\xEF\xBB\xBF<html><body>x</body></html>",
        );
        assert!(m.contains("not JSON"), "{m}");
    }

    #[test]
    fn empty_binary_and_non_utf8_bodies_are_refused_with_the_offset() {
        assert!(err(Expect::Markdown, None, b"").contains("empty body"));
        assert!(err(Expect::Text, None, b" \n\t").contains("blank space"));
        let m = err(
            Expect::Markdown,
            Some("application/octet-stream"),
            b"# ok\xff\xfe",
        );
        assert!(
            m.contains(
                "not UTF-8 text (Content-Type: application/octet-stream): byte 4 (0xFF) of 6"
            ),
            "{m}"
        );
        let m = err(Expect::Markdown, None, b"# ok\0\0");
        assert!(m.contains("a NUL byte at byte 4 of 6"), "{m}");
        let m = err(Expect::Markdown, Some("image/png"), b"\x89PNG");
        assert!(m.contains("binary file (Content-Type: image/png"), "{m}");
    }

    #[test]
    fn json_sources_must_be_json_documents() {
        let m = err(Expect::Json, Some("text/plain"), b"compose: schema\n");
        assert!(
            m.contains("not JSON (Content-Type: text/plain): expected value at line 1, column 1"),
            "{m}"
        );
        assert!(err(Expect::Json, None, b"42").contains("only a number"));
    }
}
