//! The LLM judge (`--judge PROVIDER:MODEL`) for assertions only a reader can grade (an
//! assertion without a machine `check`, e.g. from an imported evals.json).
//!
//! A fixed rubric asks for a JSON verdict with evidence quoted from the answer. The
//! verdict counts only when every quote is found verbatim in the answer (whitespace
//! runs compared as one space): a pass without a verifiable quote is a fail. Without a
//! judge these assertions stay ungraded, never silently passed.

use super::Transcript;
use crate::eval::subject::Evidence;
use serde_json::Value;

/// The rubric (system prompt) given to the judge.
pub const RUBRIC: &str = "You grade one answer against one assertion, strictly and literally.\n\
Rules:\n\
1. Judge only what the answer actually says or contains; no credit for what it might imply.\n\
2. The assertion passes only if the answer clearly satisfies all of it.\n\
3. Support a pass with one to three quotes copied character for character from the answer \
(each at most 200 characters). Do not paraphrase, fix typos or join separate passages in a quote.\n\
4. Reply with one JSON object and nothing else:\n\
{\"passed\": true or false, \"evidence\": [\"exact quote\", ...], \"reason\": \"one sentence\"}";

/// The user message for one assertion.
pub fn user_message(assertion: &str, answer: &str) -> String {
    format!(
        "ASSERTION:\n{assertion}\n\nANSWER (between the markers):\n<<<ANSWER\n{answer}\nANSWER>>>"
    )
}

/// A judged assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub passed: bool,
    pub evidence: Vec<Evidence>,
    /// Why it failed, or the judge's reason.
    pub note: Option<String>,
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads the judge's reply and checks its quotes against `answer` (line numbers point
/// into the answer document).
pub fn verdict(reply: &str, answer: &str) -> Verdict {
    let fail = |note: String| Verdict {
        passed: false,
        evidence: Vec::new(),
        note: Some(note),
    };
    let (Some(a), Some(b)) = (reply.find('{'), reply.rfind('}')) else {
        return fail("the judge's reply holds no JSON verdict".into());
    };
    let Ok(v) = serde_json::from_str::<Value>(reply.get(a..=b).unwrap_or("")) else {
        return fail("the judge's reply is not valid JSON".into());
    };
    let Some(passed) = v.get("passed").and_then(Value::as_bool) else {
        return fail("the judge's verdict has no boolean `passed`".into());
    };
    let reason = v
        .get("reason")
        .and_then(Value::as_str)
        .map(|r| super::escape_ctl(&r.chars().take(300).collect::<String>()));
    let quotes: Vec<String> = v
        .get("evidence")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if !passed {
        return Verdict {
            passed: false,
            evidence: Vec::new(),
            note: Some(format!(
                "the judge found it unmet{}",
                reason.map(|r| format!(": {r}")).unwrap_or_default()
            )),
        };
    }
    let flat_answer = squash(answer);
    let lines = crate::skill::LineIndex::new(answer);
    let mut evidence = Vec::new();
    for q in &quotes {
        let flat = squash(q);
        if flat.chars().count() < 4 {
            return fail(format!(
                "the judge's quote «{}» is too short to be evidence",
                super::escape_ctl(&flat)
            ));
        }
        if !flat_answer.contains(&flat) {
            return fail(format!(
                "the judge passed it with a quote that is not in the answer: «{}»",
                super::escape_ctl(&flat.chars().take(120).collect::<String>())
            ));
        }
        // Line of the quote's first words in the original answer.
        let first: String = q.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        let line = answer
            .find(first.as_str())
            .or_else(|| answer.find(q.split_whitespace().next().unwrap_or("")))
            .map(|o| lines.line_of(o))
            .unwrap_or(1);
        evidence.push(Evidence {
            file: "answer".into(),
            line,
        });
    }
    if evidence.is_empty() {
        return fail("the judge passed it without quoting the answer, so it does not count".into());
    }
    Verdict {
        passed: true,
        evidence,
        note: reason,
    }
}

/// A transcript's reply text, for [`verdict`].
pub fn reply_text(t: &Transcript) -> &str {
    &t.answer
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = "Use a multi-stage build.\nThe final image runs as   a non-root user.\n";

    #[test]
    fn verbatim_quotes_pass() {
        let v = verdict(
            r#"{"passed": true, "evidence": ["runs as a non-root user"], "reason": "says so"}"#,
            ANSWER,
        );
        assert!(v.passed, "{v:?}");
        assert_eq!(v.evidence[0].line, 2);
    }

    #[test]
    fn invented_quotes_fail() {
        let v = verdict(
            r#"Sure! {"passed": true, "evidence": ["drops all capabilities"], "reason": "x"}"#,
            ANSWER,
        );
        assert!(!v.passed);
        assert!(v.note.unwrap().contains("not in the answer"));
    }

    #[test]
    fn pass_without_quotes_fails_and_garbage_fails() {
        assert!(!verdict(r#"{"passed": true, "evidence": []}"#, ANSWER).passed);
        assert!(!verdict("yes it passes", ANSWER).passed);
        assert!(!verdict(r#"{"passed": "yes"}"#, ANSWER).passed);
        let v = verdict(r#"{"passed": false, "reason": "no healthcheck"}"#, ANSWER);
        assert!(!v.passed && v.note.unwrap().contains("no healthcheck"));
    }
}
