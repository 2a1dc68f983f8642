//! A small shell-word splitter for RUN commands: enough to find the simple commands
//! of a script (`a && b | c; d`), their words, and whether a pipe is used. It is not a
//! shell: no expansion, no functions; quotes and backslashes are honoured.

/// One simple command: its words (quotes removed) and what joined it to the previous one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    pub words: Vec<String>,
    /// The command's output is piped into the next command (`a | b`: true for `a`).
    pub piped: bool,
}

impl SimpleCommand {
    /// The words after leading `VAR=value` assignments and `sudo`/`env`/`exec`/`time`.
    pub fn argv(&self) -> &[String] {
        let mut i = 0;
        while i < self.words.len() {
            let w = &self.words[i];
            let is_assign = w.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            if is_assign || matches!(w.as_str(), "sudo" | "env" | "exec" | "time" | "nohup" | "!") {
                i += 1;
            } else {
                break;
            }
        }
        &self.words[i..]
    }

    /// The program name (basename of the first word of [`argv`](Self::argv)).
    pub fn program(&self) -> Option<&str> {
        self.argv()
            .first()
            .map(|w| w.rsplit('/').next().unwrap_or(w.as_str()))
    }
}

/// Splits a shell script into simple commands. Line continuations (`\` + newline)
/// are joined; `#` comments at a word start are dropped.
///
/// Works on bytes: every character it acts on is ASCII, and the bytes of a multi-byte
/// character are copied in order, so each word stays valid UTF-8.
pub fn split_commands(script: &str) -> Vec<SimpleCommand> {
    let b = script.as_bytes();
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word: Vec<u8> = Vec::new();
    let mut in_word = false;
    let mut i = 0;
    let flush_word = |word: &mut Vec<u8>, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            let w = std::mem::take(word);
            words.push(
                String::from_utf8(w)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into()),
            );
            *in_word = false;
        }
    };
    let flush_cmd = |words: &mut Vec<String>, out: &mut Vec<SimpleCommand>, piped: bool| {
        if !words.is_empty() {
            out.push(SimpleCommand {
                words: std::mem::take(words),
                piped,
            });
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b'\\' => {
                if i + 1 < b.len() {
                    let n = b[i + 1];
                    if n == b'\n' {
                        // continuation
                    } else if n == b'\r' && b.get(i + 2) == Some(&b'\n') {
                        i += 1;
                    } else {
                        word.push(n);
                        in_word = true;
                    }
                    i += 2;
                    continue;
                }
                i += 1;
            }
            b'\'' => {
                in_word = true;
                let end = b[i + 1..]
                    .iter()
                    .position(|&x| x == b'\'')
                    .map_or(b.len(), |p| i + 1 + p);
                word.extend_from_slice(&b[i + 1..end]);
                i = end + 1;
            }
            b'"' => {
                in_word = true;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\'
                        && i + 1 < b.len()
                        && matches!(b[i + 1], b'"' | b'\\' | b'$' | b'`')
                    {
                        i += 1;
                    }
                    if b[i] == b'\\' && b.get(i + 1) == Some(&b'\n') {
                        i += 2;
                        continue;
                    }
                    word.push(b[i]);
                    i += 1;
                }
                i += 1;
            }
            b'#' if !in_word => {
                i = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| i + p);
            }
            b' ' | b'\t' | b'\r' => {
                flush_word(&mut word, &mut in_word, &mut words);
                i += 1;
            }
            b'\n' | b';' | b'(' | b')' | b'`' => {
                flush_word(&mut word, &mut in_word, &mut words);
                flush_cmd(&mut words, &mut out, false);
                i += 1;
            }
            b'&' | b'|' => {
                let double = b.get(i + 1) == Some(&c);
                let piped = c == b'|' && !double;
                // `2>&1`, `>&2`: a redirection, not a separator
                if c == b'&' && !double && i > 0 && matches!(b[i - 1], b'>' | b'<') {
                    word.push(c);
                    in_word = true;
                    i += 1;
                    continue;
                }
                flush_word(&mut word, &mut in_word, &mut words);
                flush_cmd(&mut words, &mut out, piped);
                i += if double { 2 } else { 1 };
            }
            _ => {
                // a run of ordinary bytes (multi-byte characters included) in one copy
                let end = b[i..]
                    .iter()
                    .position(|&x| {
                        matches!(
                            x,
                            b'\\'
                                | b'\''
                                | b'"'
                                | b' '
                                | b'\t'
                                | b'\r'
                                | b'\n'
                                | b';'
                                | b'('
                                | b')'
                                | b'`'
                                | b'&'
                                | b'|'
                        )
                    })
                    .map_or(b.len(), |p| i + p);
                word.extend_from_slice(&b[i..end]);
                in_word = true;
                i = end;
            }
        }
    }
    flush_word(&mut word, &mut in_word, &mut words);
    flush_cmd(&mut words, &mut out, false);
    out
}

/// Splits `KEY=value KEY2="a b"` (or legacy `KEY value`) into pairs. ARG accepts
/// `NAME` without a value.
pub fn split_key_values(raw: &str) -> Vec<(String, Option<String>)> {
    let words = split_words(raw);
    if words.is_empty() {
        return Vec::new();
    }
    if !words[0].contains('=') && words.len() > 1 && !words[1].contains('=') {
        // legacy `ENV KEY value with spaces`
        let key = words[0].clone();
        let rest = raw.trim_start()[raw.trim_start().find(char::is_whitespace).unwrap_or(0)..]
            .trim()
            .to_string();
        return vec![(key, Some(rest))];
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (w, None),
        })
        .collect()
}

/// Whitespace-separated words with quotes removed.
pub fn split_words(raw: &str) -> Vec<String> {
    split_commands(raw)
        .into_iter()
        .flat_map(|c| c.words)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_commands_and_pipes() {
        let cmds = split_commands(
            "apt-get update && apt-get install -y \\\n  curl | tee x; echo 'a && b' 2>&1",
        );
        let progs: Vec<_> = cmds.iter().map(|c| c.program().unwrap_or("")).collect();
        assert_eq!(progs, ["apt-get", "apt-get", "tee", "echo"]);
        assert!(cmds[1].piped);
        assert_eq!(cmds[1].words, ["apt-get", "install", "-y", "curl"]);
        assert_eq!(cmds[3].words, ["echo", "a && b", "2>&1"]);
        let c = &split_commands("DEBIAN_FRONTEND=noninteractive sudo apk add x")[0];
        assert_eq!(c.argv(), ["apk", "add", "x"]);
        // multi-byte characters survive, also after a backslash and inside quotes
        let c = &split_commands("echo héllo \\é 'ünï' \"çà\" # ß")[0];
        assert_eq!(c.words, ["echo", "héllo", "é", "ünï", "çà"]);
        let c = &split_commands("echo 'unterminated")[0];
        assert_eq!(c.words, ["echo", "unterminated"]);
        let c = &split_commands("DEBIAN_FRONTEND=noninteractive sudo apk add x")[0];
        assert_eq!(c.argv(), ["apk", "add", "x"]);
    }

    #[test]
    fn key_values() {
        assert_eq!(
            split_key_values("A=1 B=\"x y\""),
            vec![
                ("A".into(), Some("1".into())),
                ("B".into(), Some("x y".into()))
            ]
        );
        assert_eq!(
            split_key_values("PATH /a b"),
            vec![("PATH".into(), Some("/a b".into()))]
        );
        assert_eq!(split_key_values("VERSION"), vec![("VERSION".into(), None)]);
    }
}
