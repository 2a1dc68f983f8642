//! `.skill` archives: the checks behind `skillforge lint FILE.skill`, and safe
//! extraction (used by `lint` and `install`).
//!
//! A `.skill` file is a zip whose entries all sit under one folder named after the
//! skill (`my-skill/SKILL.md`, `my-skill/references/…`). The checks read the central
//! directory first (names, types, declared sizes) and refuse anything an extractor
//! could be tricked by: absolute or `..` paths, backslashes, symlink and device
//! entries, encrypted entries, duplicate names, too many entries, too many bytes, and
//! compression ratios that only a zip bomb has. Extraction then re-checks every byte
//! count while it decompresses (declared sizes can lie).

use super::{MAX_ENTRIES, MAX_FILE_BYTES, MAX_RATIO, MAX_TOTAL_BYTES, left_out_reason};
use crate::error::{Error, Result};
use crate::report::{Diagnostic, Severity};
use crate::rule::{Check, Config, Rule};
use std::collections::{BTreeSet, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

const NOOP: Check = Check::Skill(crate::rule::reported_elsewhere);

pub const ARCHIVE_UNREADABLE: Rule = Rule {
    id: "SF-archive-unreadable",
    severity: Severity::Error,
    summary: "A .skill file is not a readable zip archive",
    explain: "A `.skill` file is a zip archive. This one could not be opened (truncated \
download, not a zip, or a corrupt central directory). Re-create it with `skillforge package`.",
    check: NOOP,
};

pub const ARCHIVE_LAYOUT: Rule = Rule {
    id: "SF-archive-layout",
    severity: Severity::Error,
    summary: "A .skill archive does not hold exactly one top folder",
    explain: "Agents and installers unpack a `.skill` archive expecting one folder named \
after the skill (`my-skill/SKILL.md`). Files at the archive root, or several top folders, \
would be scattered into the skills directory. Package the skill directory itself with \
`skillforge package`, which writes this layout.",
    check: NOOP,
};

pub const ARCHIVE_SKILL_MD: Rule = Rule {
    id: "SF-archive-skill-md",
    severity: Severity::Error,
    summary: "A .skill archive has no SKILL.md in its top folder, or more than one skill",
    explain: "The top folder of a `.skill` archive must hold `SKILL.md`: it is what makes \
the folder a skill. A second SKILL.md deeper in the archive means a second skill hidden \
inside the first one; package each skill on its own.",
    check: NOOP,
};

pub const ARCHIVE_UNSAFE_PATH: Rule = Rule {
    id: "SF-archive-unsafe-path",
    severity: Severity::Error,
    summary: "A .skill archive entry has an absolute, `..`, backslash or duplicate path",
    explain: "Entry names like `/etc/profile`, `../../.bashrc` or `C:\\x` make careless \
extractors write outside the target folder (\"zip slip\"); backslashes and control \
characters mean different paths on different systems; duplicate names make the content \
depend on the extractor. skillforge refuses such archives and never extracts them.",
    check: NOOP,
};

pub const ARCHIVE_ENTRY_TYPE: Rule = Rule {
    id: "SF-archive-entry-type",
    severity: Severity::Error,
    summary: "A .skill archive holds a symlink, device, or encrypted entry",
    explain: "A skill is plain files. A symlink entry can point anywhere on the machine that \
unpacks it, device and FIFO entries make no sense in a skill, and encrypted entries cannot \
be checked. Replace links with the files themselves and package again.",
    check: NOOP,
};

pub const ARCHIVE_SIZE: Rule = Rule {
    id: "SF-archive-size",
    severity: Severity::Error,
    summary: "A .skill archive is over the size limits or looks like a zip bomb",
    explain: "Limits: 5,000 entries, 10 MiB per file and 50 MiB in all (uncompressed), and \
no entry over 1 MiB that expands more than 100 times. Skills are text read by agents; \
anything beyond that is data that belongs elsewhere, or an archive built to exhaust the \
disk of whoever unpacks it.",
    check: NOOP,
};

pub const ARCHIVE_JUNK: Rule = Rule {
    id: "SF-archive-junk",
    severity: Severity::Warning,
    summary: "A .skill archive carries evals/, caches or editor and OS junk",
    explain: "`evals/` is for developing the skill, and `.DS_Store`, `__pycache__`, \
`node_modules`, `*.pyc` and editor backups are never useful to an agent. `skillforge \
package` leaves them out; an archive built by hand may not.",
    check: NOOP,
};

/// The archive rules, listed in the lint registry so `--explain` knows them.
pub static RULES: &[Rule] = &[
    ARCHIVE_UNREADABLE,
    ARCHIVE_LAYOUT,
    ARCHIVE_SKILL_MD,
    ARCHIVE_UNSAFE_PATH,
    ARCHIVE_ENTRY_TYPE,
    ARCHIVE_SIZE,
    ARCHIVE_JUNK,
];

/// True when `path` names a `.skill` archive (by extension; it may not exist yet).
pub fn is_archive_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("skill"))
}

/// One regular file of a checked archive.
#[derive(Debug, Clone)]
pub struct ArchiveFile {
    /// Index in the zip.
    pub index: usize,
    /// Path inside the top folder (`SKILL.md`, `references/a.md`).
    pub rel: String,
    pub size: u64,
    pub executable: bool,
}

/// What the structural checks found.
#[derive(Debug, Default)]
pub struct Inspection {
    /// The single top folder, when there is exactly one.
    pub top: Option<String>,
    pub files: Vec<ArchiveFile>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Inspection {
    /// True when the archive may be extracted (no error-level finding).
    pub fn is_safe(&self) -> bool {
        self.top.is_some()
            && !self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
    }
}

fn diag(rule: &Rule, archive: &Path, message: String, hint: &str) -> Diagnostic {
    Diagnostic::new(rule.id, rule.severity, archive, None, message).with_hint(hint)
}

/// Why an entry name is unsafe, if it is.
pub fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("an empty name");
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Some("an absolute path");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Some("a Windows drive path");
    }
    if name.contains('\\') {
        return Some("a backslash (a different path on Windows)");
    }
    if name.chars().any(char::is_control) {
        return Some("a control character");
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    for part in trimmed.split('/') {
        match part {
            ".." => return Some("a `..` component (it would escape the folder)"),
            "." | "" => return Some("an empty or `.` component"),
            _ => {}
        }
    }
    None
}

/// Reads an archive file (at most the total size limit) into memory.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    crate::fsutil::read_capped(path, MAX_TOTAL_BYTES).map_err(|e| match e {
        crate::fsutil::ReadError::Io(err) => Error::io(path, err),
        crate::fsutil::ReadError::TooLarge { size, cap } => Error::input(
            path,
            format!(
                "the archive is {}, over the {} limit",
                crate::fsutil::human_size(size),
                crate::fsutil::human_size(cap)
            ),
        )
        .with_hint("a skill is text for agents; keep large data out of it"),
    })
}

/// Checks an archive's structure from its central directory (nothing is extracted).
pub fn inspect(archive: &Path, bytes: &[u8]) -> Inspection {
    let mut out = Inspection::default();
    let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            out.diagnostics.push(diag(
                &ARCHIVE_UNREADABLE,
                archive,
                format!("not a readable zip archive: {e}"),
                "re-create it with `skillforge package`",
            ));
            return out;
        }
    };
    if zip.len() > MAX_ENTRIES {
        out.diagnostics.push(diag(
            &ARCHIVE_SIZE,
            archive,
            format!("{} entries, over the limit of {MAX_ENTRIES}", zip.len()),
            "a skill needs a handful of files; package only the skill directory",
        ));
        return out;
    }
    let mut tops: BTreeSet<String> = BTreeSet::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut total: u64 = 0;
    let mut junk: Vec<String> = Vec::new();
    let mut candidates: Vec<(usize, String, u64, bool)> = Vec::new();
    for i in 0..zip.len() {
        let f = match zip.by_index_raw(i) {
            Ok(f) => f,
            Err(e) => {
                out.diagnostics.push(diag(
                    &ARCHIVE_UNREADABLE,
                    archive,
                    format!("entry {i} cannot be read: {e}"),
                    "re-create the archive with `skillforge package`",
                ));
                return out;
            }
        };
        let name = match f.name() {
            Ok(n) => n.into_owned(),
            Err(_) => {
                out.diagnostics.push(diag(
                    &ARCHIVE_UNSAFE_PATH,
                    archive,
                    format!("entry {i} has a name that is not valid text"),
                    "rename the file to UTF-8 and package again",
                ));
                continue;
            }
        };
        let shown: String = name.escape_debug().collect();
        if let Some(why) = unsafe_name(&name) {
            out.diagnostics.push(diag(
                &ARCHIVE_UNSAFE_PATH,
                archive,
                format!("entry `{shown}` has {why}"),
                "never extract this archive by hand; re-create it with `skillforge package`",
            ));
            continue;
        }
        let key = name.trim_end_matches('/').to_string();
        if !seen.insert(key.clone()) {
            out.diagnostics.push(diag(
                &ARCHIVE_UNSAFE_PATH,
                archive,
                format!("entry `{shown}` appears twice"),
                "which copy an extractor keeps is undefined; re-create the archive",
            ));
            continue;
        }
        let mode = f.unix_mode().unwrap_or(0);
        let kind = mode & 0o170000;
        let is_dir = f.is_dir() || kind == 0o040000;
        if f.encrypted() {
            out.diagnostics.push(diag(
                &ARCHIVE_ENTRY_TYPE,
                archive,
                format!("entry `{shown}` is encrypted"),
                "ship skills unencrypted so they can be checked",
            ));
            continue;
        }
        if f.is_symlink() || (kind != 0 && kind != 0o100000 && kind != 0o040000) {
            let what = if f.is_symlink() {
                "a symlink"
            } else {
                "a device, FIFO or socket"
            };
            out.diagnostics.push(diag(
                &ARCHIVE_ENTRY_TYPE,
                archive,
                format!("entry `{shown}` is {what}"),
                "a skill is plain files: replace links with the files themselves",
            ));
            continue;
        }
        let (top, rest) = match key.split_once('/') {
            Some((t, r)) => (t.to_string(), Some(r.to_string())),
            None => (key.clone(), None),
        };
        if rest.is_none() && !is_dir {
            out.diagnostics.push(diag(
                &ARCHIVE_LAYOUT,
                archive,
                format!("file `{shown}` is at the archive root"),
                "everything must be inside one folder named after the skill (`my-skill/SKILL.md`)",
            ));
            continue;
        }
        tops.insert(top);
        let Some(rest) = rest else { continue };
        if is_dir {
            if left_out_reason(&rest, true).is_some() {
                junk.push(name.clone());
            }
            continue;
        }
        let size = f.size();
        if size > MAX_FILE_BYTES {
            out.diagnostics.push(diag(
                &ARCHIVE_SIZE,
                archive,
                format!(
                    "entry `{shown}` expands to {}, over the {} limit for one file",
                    crate::fsutil::human_size(size),
                    crate::fsutil::human_size(MAX_FILE_BYTES)
                ),
                "keep large data out of skills",
            ));
            continue;
        }
        let compressed = f.compressed_size().max(1);
        if size > 1024 * 1024 && size / compressed > MAX_RATIO {
            out.diagnostics.push(diag(
                &ARCHIVE_SIZE,
                archive,
                format!(
                    "entry `{shown}` expands {}:1 ({} from {}): that is a zip bomb, not a skill",
                    size / compressed,
                    crate::fsutil::human_size(size),
                    crate::fsutil::human_size(compressed)
                ),
                "do not unpack this archive",
            ));
            continue;
        }
        total = total.saturating_add(size);
        if shipped_junk(&rest) {
            junk.push(name.clone());
        }
        candidates.push((i, rest, size, mode & 0o111 != 0));
    }
    if total > MAX_TOTAL_BYTES {
        out.diagnostics.push(diag(
            &ARCHIVE_SIZE,
            archive,
            format!(
                "the entries expand to {}, over the {} limit",
                crate::fsutil::human_size(total),
                crate::fsutil::human_size(MAX_TOTAL_BYTES)
            ),
            "keep large data out of skills",
        ));
    }
    match tops.len() {
        0 => out.diagnostics.push(diag(
            &ARCHIVE_LAYOUT,
            archive,
            "the archive holds no skill folder".into(),
            "package a skill directory with `skillforge package`",
        )),
        1 => out.top = tops.iter().next().cloned(),
        _ => out.diagnostics.push(diag(
            &ARCHIVE_LAYOUT,
            archive,
            format!(
                "{} top folders ({}); a .skill archive holds exactly one",
                tops.len(),
                tops.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
            "package one skill per archive with `skillforge package`",
        )),
    }
    if let Some(top) = &out.top {
        let has = |n: &str| candidates.iter().any(|c| c.1 == n);
        if !has("SKILL.md") && !has("skill.md") {
            out.diagnostics.push(diag(
                &ARCHIVE_SKILL_MD,
                archive,
                format!("no `{top}/SKILL.md` in the archive"),
                "a skill folder must hold SKILL.md; package the skill directory itself",
            ));
        }
        for c in &candidates {
            if c.1.contains('/')
                && c.1
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case("skill.md"))
            {
                out.diagnostics.push(diag(
                    &ARCHIVE_SKILL_MD,
                    archive,
                    format!("a second skill inside the first: `{top}/{}`", c.1),
                    "package each skill on its own",
                ));
            }
        }
    }
    if !junk.is_empty() {
        let n = junk.len();
        let shown: Vec<String> = junk.iter().take(5).cloned().collect();
        out.diagnostics.push(diag(
            &ARCHIVE_JUNK,
            archive,
            format!(
                "{n} entr{} an agent never needs: {}{}",
                if n == 1 { "y" } else { "ies" },
                shown.join(", "),
                if n > 5 { ", …" } else { "" }
            ),
            "`skillforge package` leaves evals/, caches and editor/OS junk out",
        ));
    }
    out.files = candidates
        .into_iter()
        .map(|(index, rel, size, executable)| ArchiveFile {
            index,
            rel,
            size,
            executable,
        })
        .collect();
    out
}

/// Extracts a checked archive's files into `dest/<top>/`, leaving junk and `evals/`
/// out, and returns that folder. Refuses an archive that [`inspect`] found unsafe,
/// and stops (an input error) as soon as an entry inflates past its declared size or
/// the limits.
pub fn extract(archive: &Path, bytes: &[u8], ins: &Inspection, dest: &Path) -> Result<PathBuf> {
    let Some(top) = ins.top.as_deref().filter(|_| ins.is_safe()) else {
        return Err(
            Error::input(archive, "the archive failed its checks").with_hint(format!(
                "run `skillforge lint {}` to see why",
                archive.display()
            )),
        );
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Error::input(archive, format!("not a readable zip archive: {e}")))?;
    let root = dest.join(top);
    std::fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
    let mut total: u64 = 0;
    for f in &ins.files {
        if shipped_junk(&f.rel) {
            continue;
        }
        let mut entry = zip
            .by_index(f.index)
            .map_err(|e| Error::input(archive, format!("entry `{}`: {e}", f.rel)))?;
        let cap = f.size.min(MAX_FILE_BYTES);
        let mut buf = Vec::with_capacity(cap as usize);
        (&mut entry)
            .take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::input(archive, format!("entry `{}`: {e}", f.rel)))?;
        if buf.len() as u64 > cap {
            return Err(Error::input(
                archive,
                format!(
                    "entry `{}` inflates past its declared size ({} bytes): refusing to extract",
                    f.rel, f.size
                ),
            )
            .with_hint("the archive is corrupt or hostile; do not unpack it"));
        }
        total += buf.len() as u64;
        if total > MAX_TOTAL_BYTES {
            return Err(Error::input(
                archive,
                "the entries expand past the size limit",
            ));
        }
        let path = root.join(&f.rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, &buf).map_err(|e| Error::io(&path, e))?;
        #[cfg(unix)]
        if f.executable {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
        }
    }
    Ok(root)
}

/// True when a path inside the skill folder is junk or under `evals/`.
fn shipped_junk(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    (1..=parts.len()).any(|k| left_out_reason(&parts[..k].join("/"), k < parts.len()).is_some())
}

/// The outcome of linting an archive: findings (paths shown as
/// `FILE.skill/<top>/…`) and the loaded skill for source snippets.
pub struct ArchiveLint {
    pub diagnostics: Vec<Diagnostic>,
    pub skill: Option<crate::skill::Skill>,
    /// The shown folder (`FILE.skill/<top>`).
    pub shown_dir: PathBuf,
}

/// `skillforge lint FILE.skill`: structural checks, then (when safe) the skill rules
/// on its content, extracted to a temporary directory that is removed afterwards.
pub fn lint_archive(archive: &Path, config: &Config) -> Result<ArchiveLint> {
    let bytes = read(archive)?;
    let ins = inspect(archive, &bytes);
    let mut diagnostics = ins.diagnostics.clone();
    let shown_dir = archive.join(ins.top.as_deref().unwrap_or(""));
    if !ins.is_safe() {
        return Ok(ArchiveLint {
            diagnostics,
            skill: None,
            shown_dir,
        });
    }
    let tmp = tempfile::Builder::new()
        .prefix(".skillforge-tmp-archive-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let dir = extract(archive, &bytes, &ins, tmp.path())?;
    let target = crate::lint::discover::Target::Skill(dir.clone());
    let report = crate::lint::cmd::lint_targets(&[target], config.clone())?;
    let remap = |p: &Path| -> PathBuf {
        match p.strip_prefix(&dir) {
            Ok(rel) => shown_dir.join(rel),
            Err(_) => p.to_path_buf(),
        }
    };
    for mut d in report.diagnostics {
        d.file = remap(&d.file);
        diagnostics.push(d);
    }
    let skill = report.skills.into_iter().next().map(|mut s| {
        s.skill_md = remap(&s.skill_md);
        s.dir = shown_dir.clone();
        s
    });
    Ok(ArchiveLint {
        diagnostics,
        skill,
        shown_dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names() {
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a\\b",
            "C:/x",
            "a/./b",
            "a//b",
            "a\u{7}b",
        ] {
            assert!(unsafe_name(bad).is_some(), "{bad}");
        }
        for ok in ["a/SKILL.md", "a/", "a/references/x.md", "a/..b"] {
            assert!(unsafe_name(ok).is_none(), "{ok}");
        }
    }

    #[test]
    fn junk_detection_inside_folder() {
        assert!(shipped_junk("evals/evals.json"));
        assert!(shipped_junk("scripts/__pycache__/a.pyc"));
        assert!(shipped_junk(".DS_Store"));
        assert!(!shipped_junk("references/evals.md"));
        assert!(!shipped_junk("SKILL.md"));
    }

    #[test]
    fn every_archive_rule_is_documented() {
        for r in RULES {
            assert!(r.id.starts_with("SF-archive-"));
            assert!(r.explain.len() > 80, "{}", r.id);
        }
    }
}
