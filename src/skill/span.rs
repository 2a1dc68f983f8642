//! Source positions: byte ranges plus 1-based line/column, computed once per file.

use serde::Serialize;

/// A region of a source file. `line`/`col` are 1-based (col counts characters);
/// `offset`/`len` are bytes into the file text as loaded (after BOM removal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    pub line: usize,
    pub col: usize,
    pub offset: usize,
    pub len: usize,
}

impl Span {
    pub fn end(&self) -> usize {
        self.offset + self.len
    }
}

/// `offset..offset+len` clamped to `text` with both ends on character boundaries: the
/// start moves back and the end forward to the nearest boundary. A position worked out
/// from a YAML reader's line and column can otherwise land inside a character (a lone
/// CR ends a line for YAML, not for the line index).
fn on_chars(text: &str, offset: usize, len: usize) -> (usize, usize) {
    let mut start = offset.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = offset.saturating_add(len).clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end - start)
}

/// Maps byte offsets to line/column for one text.
///
/// Columns count characters. For ASCII text a column is a subtraction; otherwise the
/// last column computed is remembered, so many spans on one long line (a hostile file
/// with millions of inline-code spans) cost one pass over the line, not one each.
#[derive(Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    ascii: bool,
    /// (offset, col) of the last column computed on a non-ASCII text.
    last_col: std::sync::Mutex<Option<(usize, usize)>>,
}

impl Clone for LineIndex {
    fn clone(&self) -> Self {
        LineIndex {
            starts: self.starts.clone(),
            ascii: self.ascii,
            last_col: std::sync::Mutex::new(None),
        }
    }
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 2);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            starts,
            ascii: text.is_ascii(),
            last_col: std::sync::Mutex::new(None),
        }
    }

    /// 1-based character column of `offset` (a character boundary, as [`Self::span`]
    /// makes it), on the line starting at `start`.
    fn col(&self, text: &str, start: usize, offset: usize) -> usize {
        if self.ascii {
            return offset - start + 1;
        }
        let mut cache = match self.last_col.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let (from, base) = match *cache {
            Some((o, c)) if o >= start && o <= offset => (o, c),
            _ => (start, 1),
        };
        let col = text
            .get(from..offset)
            .map(|s| s.chars().count() + base)
            .unwrap_or(1);
        *cache = Some((offset, col));
        col
    }

    /// Number of lines (a trailing newline does not start a new line).
    pub fn line_count(&self, text: &str) -> usize {
        if text.is_empty() {
            0
        } else if text.ends_with('\n') {
            self.starts.len() - 1
        } else {
            self.starts.len()
        }
    }

    /// 1-based line containing byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Byte offset where 1-based `line` starts (clamped).
    pub fn line_start(&self, line: usize) -> usize {
        let i = line
            .saturating_sub(1)
            .min(self.starts.len().saturating_sub(1));
        self.starts[i]
    }

    /// Byte offset where 1-based `line` ends (its `\n`, or the end of `text`); the
    /// line's `\r` of a CRLF ending is included.
    pub fn line_end(&self, text: &str, line: usize) -> usize {
        match self.starts.get(line) {
            Some(&next) if line >= 1 => next - 1,
            _ => text.len(),
        }
    }

    /// The text of 1-based `line` (without its line ending), found through the index
    /// (the free [`line_text`] walks the text instead).
    pub fn line_str<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_start(line).min(text.len());
        let end = self.line_end(text, line).clamp(start, text.len());
        text[start..end].trim_end_matches('\r')
    }

    /// A span for `offset..offset+len` in `text`.
    /// Both ends are moved onto character boundaries (the start back, the end
    /// forward), so a span can always slice the text.
    pub fn span(&self, text: &str, offset: usize, len: usize) -> Span {
        let (offset, len) = on_chars(text, offset, len);
        let line = self.line_of(offset);
        let start = self.starts[line - 1];
        let col = self.col(text, start, offset);
        Span {
            line,
            col,
            offset,
            len,
        }
    }

    /// A span covering the whole of 1-based `line` (without its newline).
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.line_start(line);
        let end = text[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(text.len());
        let end = if end > start && text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        Span {
            line: self.line_of(start),
            col: 1,
            offset: start,
            len: end - start,
        }
    }
}

/// Spans for offsets asked for in increasing order, without indexing the whole text:
/// newlines are counted only as far as the last offset asked for, and columns on one
/// line continue from the previous one (so many spans on one long line stay linear).
/// Gives the same spans as [`LineIndex::span`]; an offset before the previous one
/// starts the count again from the beginning.
pub struct LineCursor<'t> {
    text: &'t str,
    /// Offset up to which newlines have been counted.
    pos: usize,
    /// 1-based line containing `pos`, and the offset where it starts.
    line: usize,
    line_start: usize,
    /// (offset, col) of the last span on the current line.
    last: Option<(usize, usize)>,
}

impl<'t> LineCursor<'t> {
    pub fn new(text: &'t str) -> Self {
        LineCursor {
            text,
            pos: 0,
            line: 1,
            line_start: 0,
            last: None,
        }
    }

    /// A span for `offset..offset+len` in the text.
    /// Both ends are moved onto character boundaries, as in [`LineIndex::span`].
    pub fn span(&mut self, offset: usize, len: usize) -> Span {
        let text = self.text;
        let (offset, len) = on_chars(text, offset, len);
        if offset < self.pos {
            *self = LineCursor::new(text);
        }
        let seen = &text.as_bytes()[self.pos..offset];
        if let Some(last_nl) = memchr::memrchr(b'\n', seen) {
            self.line += memchr::memchr_iter(b'\n', seen).count();
            self.line_start = self.pos + last_nl + 1;
            self.last = None;
        }
        self.pos = offset;
        let (from, base) = match self.last {
            Some((o, c)) if o >= self.line_start && o <= offset => (o, c),
            _ => (self.line_start, 1),
        };
        // `on_chars` put `offset` on a character boundary (and `from` is one).
        let col = text
            .get(from..offset)
            .map(|s| base + s.chars().count())
            .unwrap_or(1);
        self.last = Some((offset, col));
        Span {
            line: self.line,
            col,
            offset,
            len,
        }
    }
}

/// Number of lines, as `str::lines().count()` and [`LineIndex::line_count`] count them
/// (a trailing newline does not start a new line), without building an index.
pub fn count_lines(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
        + usize::from(!text.is_empty() && !text.ends_with('\n'))
}

/// The text of 1-based `line` in `text`, without line terminator.
pub fn line_text(text: &str, line: usize) -> &str {
    text.split('\n')
        .nth(line.saturating_sub(1))
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_start_and_end_on_characters() {
        let t = "a\u{e9}\n\u{fffd}\u{fffd}x\r\u{1f600}\n";
        let ix = LineIndex::new(t);
        for off in 0..=t.len() + 2 {
            for len in 0..=t.len() + 2 {
                for s in [ix.span(t, off, len), LineCursor::new(t).span(off, len)] {
                    assert!(t.get(s.offset..s.end()).is_some(), "{off}+{len}: {s:?}");
                    assert!(s.offset <= off.min(t.len()) && s.end() >= (off + len).min(t.len()));
                }
            }
        }
        // On boundaries nothing moves.
        assert_eq!(
            ix.span(t, 1, 2),
            Span {
                line: 1,
                col: 2,
                offset: 1,
                len: 2
            }
        );
        // Inside `é`: the start moves back one byte, the end forward one.
        let s = ix.span(t, 2, 0);
        assert_eq!((s.offset, s.len, s.col), (1, 2, 2));
    }

    #[test]
    fn lines_and_columns() {
        let t = "ab\ncdé\nf";
        let ix = LineIndex::new(t);
        assert_eq!(ix.line_count(t), 3);
        let s = ix.span(t, 4, 1);
        assert_eq!((s.line, s.col), (2, 2));
        let s = ix.span(t, t.len() - 1, 1);
        assert_eq!((s.line, s.col), (3, 1));
        assert_eq!(line_text(t, 2), "cdé");
        for l in 1..=3 {
            assert_eq!(ix.line_str(t, l), line_text(t, l), "line {l}");
        }
        let crlf = "a\r\nb\r\n";
        assert_eq!(LineIndex::new(crlf).line_str(crlf, 1), "a");
        assert_eq!(ix.line_span(t, 2).len, "cdé".len());
    }
}

#[cfg(test)]
mod col_tests {
    use super::*;

    #[test]
    fn columns_count_characters_in_any_order() {
        let text = "héllo wörld\nsecond line é x\n";
        let idx = LineIndex::new(text);
        let naive = |o: usize| {
            let start = text[..o].rfind('\n').map(|i| i + 1).unwrap_or(0);
            text[start..o].chars().count() + 1
        };
        let offsets: Vec<usize> = (0..text.len())
            .filter(|o| text.is_char_boundary(*o))
            .collect();
        for &o in offsets.iter().chain(offsets.iter().rev()) {
            assert_eq!(idx.span(text, o, 0).col, naive(o), "offset {o}");
        }
        let mut cur = LineCursor::new(text);
        for &o in &offsets {
            assert_eq!(cur.span(o, 1), idx.span(text, o, 1), "cursor at offset {o}");
        }
        // Going back restarts the count.
        assert_eq!(cur.span(3, 2), idx.span(text, 3, 2));
        let ascii = LineIndex::new("abc\ndef");
        assert_eq!(ascii.span("abc\ndef", 6, 1).col, 3);
    }
}
