//! The skill model: the one place `SKILL.md` is parsed.
//!
//! [`Skill::load`] reads a skill directory (or a `SKILL.md` path) and returns a model
//! with source spans for every frontmatter field, heading, section, code block and
//! link. Problems in the file (unclosed frontmatter, bad YAML, an unclosed fence) are
//! recorded in the model for lint rules to report; only problems that leave nothing
//! to model (missing directory, unreadable or non-UTF-8 file, over the size cap) are
//! returned as [`LoadError`].

mod parse;
pub mod span;

pub use parse::{check_plain_frontmatter_reader, parse_skill_md, yaml_error_summary};
pub use span::{LineCursor, LineIndex, Span, count_lines, line_text};

use serde_json::Value;
use std::path::{Path, PathBuf};

/// Default cap on SKILL.md size (5 MB).
pub const DEFAULT_SIZE_CAP: u64 = 5 * 1024 * 1024;

/// A loaded skill.
#[derive(Debug, Clone)]
pub struct Skill {
    /// The skill directory.
    pub dir: PathBuf,
    /// The path of the skill file actually read (`SKILL.md`, or `skill.md` as fallback).
    pub skill_md: PathBuf,
    /// True when the file is named `skill.md` rather than `SKILL.md`.
    pub lowercase_name: bool,
    /// The parsed SKILL.md.
    pub doc: SkillDoc,
    /// Every other file under the skill directory, relative to it, sorted
    /// (dotfiles included; hidden directories such as `.git` excluded; symlinks listed
    /// but not followed).
    pub files: Vec<SkillFile>,
    /// Directories that could not be listed and files that cannot be read (sorted by
    /// path), with the OS's reason: reported, never taken for absent.
    pub unreadable: Vec<Unreadable>,
    /// The skill folder, kept open when the loader asked for it
    /// ([`LoadOptions::keep_dir`]): the skill's files are then opened relative to it,
    /// so the kernel does not walk the whole path again for each one.
    dir_fd: Option<DirFd>,
}

/// An open skill folder (see [`Skill::release_dir`]).
#[cfg(unix)]
type DirFd = std::sync::Arc<rustix::fs::Dir>;
#[cfg(not(unix))]
type DirFd = std::sync::Arc<()>;

/// A file or directory of the skill that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Path relative to the skill dir (`/` separators; `.` for the skill dir itself).
    pub rel: String,
    pub is_dir: bool,
    /// The OS's reason, e.g. `Permission denied (os error 13)`.
    pub message: String,
}

/// A file of the skill other than SKILL.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillFile {
    /// Path relative to the skill dir, with `/` separators.
    pub rel: String,
    pub size: u64,
    pub is_symlink: bool,
    /// A regular file (not a symlink, FIFO, device or socket), as the listing saw it.
    pub is_regular: bool,
}

/// The parsed content of a SKILL.md.
#[derive(Debug, Clone, Default)]
pub struct SkillDoc {
    /// Full text (UTF-8, BOM removed, line endings as in the file).
    pub text: String,
    pub lines: LineIndex,
    /// The file started with a UTF-8 byte-order mark (removed from `text`).
    pub had_bom: bool,
    /// The file uses CRLF line endings (at least one).
    pub crlf: bool,
    pub frontmatter: Frontmatter,
    pub body: Body,
}

/// What was found where frontmatter should be.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum FrontmatterStatus {
    /// No `---` line at the start of the file.
    #[default]
    Missing,
    /// The file starts with blank line(s) and then `---` (some clients reject this).
    /// Treated as present; `leading_blank_lines` says how many.
    Present,
    /// An opening `---` without a closing `---` line.
    Unclosed,
}

/// The YAML frontmatter.
#[derive(Debug, Clone, Default)]
pub struct Frontmatter {
    pub status: FrontmatterStatus,
    /// Blank lines before the opening `---` (0 when it is at byte 0).
    pub leading_blank_lines: usize,
    /// Span of the opening `---` line.
    pub open: Option<Span>,
    /// Span of the closing `---` line.
    pub close: Option<Span>,
    /// The YAML text between the delimiter lines, and its byte offset in the file.
    pub yaml: String,
    pub yaml_offset: usize,
    /// The YAML could not be parsed (syntax, duplicate key, tab…).
    pub yaml_error: Option<YamlProblem>,
    /// The YAML parsed, but is not a mapping (a list, a scalar…).
    pub not_mapping: Option<String>,
    /// Top-level fields in file order.
    pub fields: Vec<Field>,
}

/// A YAML parse problem located in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlProblem {
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
}

/// One top-level frontmatter field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: String,
    pub key_span: Span,
    pub value: Value,
    pub value_span: Span,
    /// The value was written as a block scalar (`|`, `>`, `>-` …).
    pub block_scalar: bool,
    /// Spans of nested keys, for maps (e.g. `metadata.version`), in file order.
    pub children: Vec<(String, Span)>,
}

impl Frontmatter {
    pub fn is_present(&self) -> bool {
        self.status == FrontmatterStatus::Present
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The string value of `key`, if it is a string.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.field(key).and_then(|f| f.value.as_str())
    }
}

/// The Markdown body after the frontmatter.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// Byte offset of the body in `SkillDoc::text`, and its first line.
    pub offset: usize,
    pub start_line: usize,
    /// Number of lines in the body.
    pub line_count: usize,
    pub headings: Vec<Heading>,
    /// One section per heading: from the heading to the next heading of the same or
    /// higher level (so sections nest). Text before the first heading is not a section.
    pub sections: Vec<Section>,
    pub code_blocks: Vec<CodeBlock>,
    pub links: Vec<Link>,
    /// Inline code spans (`like this`), for command mentions.
    pub inline_code: Vec<InlineCode>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    /// Plain text of the heading.
    pub text: String,
    /// Span of the heading line.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Index into `Body::headings`.
    pub heading: usize,
    pub level: u8,
    pub title: String,
    /// Byte range in `SkillDoc::text` from the heading line to the section end.
    pub start: usize,
    pub end: usize,
    pub start_line: usize,
    pub end_line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CodeBlock {
    /// The full info string, e.g. `dockerfile {title=Dockerfile}`.
    pub info: String,
    /// The language: the info string's first word, lowercased, without attributes.
    pub lang: String,
    /// Attributes after the language (`{title=…}` or `title=…`), raw.
    pub attrs: String,
    /// The code (without fences).
    pub code: String,
    /// Span of the opening fence line (or the first line of an indented block).
    pub span: Span,
    /// 1-based line in SKILL.md of the first line of `code`.
    pub code_start_line: usize,
    /// Byte offset of `code` in the file text.
    pub code_offset: usize,
    /// False for indented (non-fenced) blocks.
    pub fenced: bool,
    /// False when a fenced block runs to the end of the file without a closing fence.
    pub closed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub dest: String,
    pub text: String,
    pub span: Span,
    pub is_image: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InlineCode {
    pub code: String,
    pub span: Span,
}

/// Why a skill could not be loaded at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    #[error("{}: no such file or directory", .0.display())]
    NotFound(PathBuf),
    #[error("{}: not a directory (a skill is a directory holding SKILL.md)", .0.display())]
    NotADirectory(PathBuf),
    #[error("{}: no SKILL.md in this directory", .0.display())]
    NoSkillMd(PathBuf),
    #[error("{}: cannot read: {message}", path.display())]
    Unreadable { path: PathBuf, message: String },
    #[error("{}: not valid UTF-8 (first bad byte at line {line}, column {col})", path.display())]
    NotUtf8 {
        path: PathBuf,
        line: usize,
        col: usize,
    },
    #[error("{}: file is {size} bytes, over the {cap}-byte cap", path.display())]
    TooLarge { path: PathBuf, size: u64, cap: u64 },
    #[error("{}: a symbolic link to {}, outside the skill (not followed)", path.display(), target.display())]
    LinkOutside { path: PathBuf, target: PathBuf },
}

impl LoadError {
    pub fn path(&self) -> &Path {
        match self {
            LoadError::NotFound(p) | LoadError::NotADirectory(p) | LoadError::NoSkillMd(p) => p,
            LoadError::Unreadable { path, .. }
            | LoadError::NotUtf8 { path, .. }
            | LoadError::TooLarge { path, .. }
            | LoadError::LinkOutside { path, .. } => path,
        }
    }

    pub fn hint(&self) -> &'static str {
        match self {
            LoadError::NotFound(_) => "check the path; a skill is a directory with a SKILL.md",
            LoadError::NotADirectory(_) => "pass the skill's directory or its SKILL.md",
            LoadError::NoSkillMd(_) => {
                "create SKILL.md with `---` frontmatter (name, description) and a Markdown body"
            }
            LoadError::Unreadable { .. } => "check the file's permissions",
            LoadError::NotUtf8 { .. } => "re-save the file as UTF-8",
            LoadError::TooLarge { .. } => {
                "SKILL.md should be short (< 500 lines); move detail into references/"
            }
            LoadError::LinkOutside { .. } => {
                "a skill travels as one folder: replace the link with the file itself"
            }
        }
    }
}

/// Options for loading.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    pub size_cap: u64,
    /// Keep the skill folder open in the model, so later reads of its files
    /// ([`Skill::read_file`]) are relative to it. One descriptor per loaded skill:
    /// callers that keep many skills call [`Skill::release_dir`] (lint does).
    pub keep_dir: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            size_cap: DEFAULT_SIZE_CAP,
            keep_dir: false,
        }
    }
}

impl Skill {
    /// Loads a skill from a directory or a path to its `SKILL.md`.
    pub fn load(path: &Path) -> Result<Skill, LoadError> {
        Self::load_with(path, LoadOptions::default())
    }

    pub fn load_with(path: &Path, opts: LoadOptions) -> Result<Skill, LoadError> {
        // The common case, a directory whose SKILL.md is a regular file (not a link):
        // the folder is opened once and SKILL.md and the listing are read relative to
        // it; everything else takes the long way.
        #[cfg(unix)]
        if let Some(loaded) = Self::load_at(path, opts) {
            return loaded;
        }
        #[cfg(not(unix))]
        {
            let upper = path.join("SKILL.md");
            if let Ok(meta) = std::fs::symlink_metadata(&upper)
                && meta.is_file()
            {
                let bytes = crate::fsutil::read_listed_sized(&upper, meta.len(), opts.size_cap);
                return Self::from_bytes(path.to_path_buf(), upper, false, bytes);
            }
        }
        let meta = std::fs::metadata(path).map_err(|_| LoadError::NotFound(path.into()))?;
        let (dir, skill_md) = if meta.is_dir() {
            let upper = path.join("SKILL.md");
            let lower = path.join("skill.md");
            if upper.is_file() {
                (path.to_path_buf(), upper)
            } else if lower.is_file() && dir_has_exact(path, "skill.md") {
                (path.to_path_buf(), lower)
            } else {
                return Err(LoadError::NoSkillMd(path.into()));
            }
        } else {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !name.eq_ignore_ascii_case("skill.md") {
                return Err(LoadError::NotADirectory(path.into()));
            }
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            (dir, path.to_path_buf())
        };
        // A SKILL.md that links out of the skill folder is not read: it would show (and
        // ship) a file that is not part of the skill, e.g. `ln -s /etc/passwd SKILL.md`.
        if std::fs::symlink_metadata(&skill_md).is_ok_and(|m| m.file_type().is_symlink()) {
            let target = std::fs::canonicalize(&skill_md).unwrap_or_else(|_| {
                std::fs::read_link(&skill_md).unwrap_or_else(|_| skill_md.clone())
            });
            let inside = std::fs::canonicalize(&dir).is_ok_and(|d| target.starts_with(&d));
            if !inside {
                return Err(LoadError::LinkOutside {
                    path: skill_md.clone(),
                    target,
                });
            }
        }
        let lowercase_name = skill_md.file_name().and_then(|n| n.to_str()) != Some("SKILL.md");
        let bytes = crate::fsutil::read_capped(&skill_md, opts.size_cap);
        Self::from_bytes(dir, skill_md, lowercase_name, bytes)
    }

    /// [`Skill::load_with`]'s common case on Unix: `path` is a folder that opens and
    /// holds a regular `SKILL.md` (not a link). `None` means "take the long way" (not
    /// a folder, no such file, a link, a folder that cannot be searched): the long way
    /// finds out which and says so.
    #[cfg(unix)]
    fn load_at(path: &Path, opts: LoadOptions) -> Option<Result<Skill, LoadError>> {
        use rustix::fs::{AtFlags, FileType, Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(rustix::fs::CWD, path, flags, Mode::empty()).ok()?;
        let st = rustix::fs::statat(&fd, c"SKILL.md", AtFlags::SYMLINK_NOFOLLOW).ok()?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            return None;
        }
        let skill_md = path.join("SKILL.md");
        let bytes = crate::fsutil::read_listed_sized_at(
            &fd,
            c"SKILL.md",
            &skill_md,
            st.st_size as u64,
            opts.size_cap,
        );
        let bytes = match Self::check_read(&skill_md, bytes) {
            Ok(b) => b,
            Err(e) => return Some(Err(e)),
        };
        let doc = match parse_bytes(&skill_md, bytes) {
            Ok(d) => d,
            Err(e) => return Some(Err(e)),
        };
        let mut out = Vec::new();
        let mut unreadable = Vec::new();
        let dir = list_dir_fd(fd, String::new(), 0, &mut out, &mut unreadable);
        out.sort_by(|a, b| a.rel.cmp(&b.rel));
        unreadable.sort_by(|a, b| a.rel.cmp(&b.rel));
        Some(Ok(Skill {
            dir: path.to_path_buf(),
            skill_md,
            lowercase_name: false,
            doc,
            files: out,
            unreadable,
            dir_fd: dir.filter(|_| opts.keep_dir).map(std::sync::Arc::new),
        }))
    }

    /// Closes the skill folder kept open by [`LoadOptions::keep_dir`] (later reads go
    /// by path). For callers that keep many skills loaded at once.
    pub fn release_dir(&mut self) {
        self.dir_fd = None;
    }

    /// Turns a failed read of SKILL.md into the load error that says why.
    fn check_read(
        skill_md: &Path,
        bytes: Result<Vec<u8>, crate::fsutil::ReadError>,
    ) -> Result<Vec<u8>, LoadError> {
        bytes.map_err(|e| match e {
            crate::fsutil::ReadError::Io(err) => LoadError::Unreadable {
                path: skill_md.to_path_buf(),
                message: err.to_string(),
            },
            crate::fsutil::ReadError::TooLarge { size, cap } => LoadError::TooLarge {
                path: skill_md.to_path_buf(),
                size,
                cap,
            },
        })
    }

    /// Parses SKILL.md's bytes (or reports why they could not be read) and lists the
    /// skill's other files.
    fn from_bytes(
        dir: PathBuf,
        skill_md: PathBuf,
        lowercase_name: bool,
        bytes: Result<Vec<u8>, crate::fsutil::ReadError>,
    ) -> Result<Skill, LoadError> {
        let bytes = Self::check_read(&skill_md, bytes)?;
        let doc = parse_bytes(&skill_md, bytes)?;
        let (files, unreadable) = list_files(&dir);
        Ok(Skill {
            dir,
            skill_md,
            lowercase_name,
            doc,
            files,
            unreadable,
            dir_fd: None,
        })
    }

    /// Builds a model from in-memory text (tests, generated skills). `dir` is used
    /// for name checks and file resolution; no file is read except the listing of `dir`
    /// when it exists.
    pub fn from_text(dir: &Path, text: &str) -> Skill {
        let (files, unreadable) = if dir.is_dir() {
            list_files(dir)
        } else {
            (Vec::new(), Vec::new())
        };
        Skill {
            dir: dir.to_path_buf(),
            skill_md: dir.join("SKILL.md"),
            lowercase_name: false,
            doc: parse_skill_md(text),
            files,
            unreadable,
            dir_fd: None,
        }
    }

    /// The directory name (for the name = directory rule).
    pub fn dir_name(&self) -> Option<String> {
        let canon;
        let dir = if self.dir == Path::new(".") || self.dir.file_name().is_none() {
            canon = std::fs::canonicalize(&self.dir).ok();
            canon.as_deref().unwrap_or(&self.dir)
        } else {
            &self.dir
        };
        dir.file_name().map(|n| n.to_string_lossy().into_owned())
    }

    /// The frontmatter `name`, if it is a string.
    pub fn name(&self) -> Option<&str> {
        self.doc.frontmatter.str("name")
    }

    /// Reads another file of the skill (relative path), capped. `None` if absent,
    /// unreadable, over the cap, not UTF-8, or listed as a symbolic link.
    pub fn read_file(&self, rel: &str) -> Option<String> {
        let path = self.dir.join(rel);
        // A file the listing saw as regular is not asked for its type again; one it saw
        // as a symbolic link is not followed (it may lead out of the skill).
        let listed = self
            .files
            .binary_search_by(|f| f.rel.as_str().cmp(rel))
            .ok()
            .map(|i| &self.files[i]);
        if listed.is_some_and(|f| f.is_symlink) {
            return None;
        }
        let listed = listed.filter(|f| f.is_regular);
        let bytes = if let Some(f) = listed {
            #[cfg(unix)]
            if let Some(dir) = &self.dir_fd
                && let Ok(dir) = dir.fd()
                && let Ok(crel) = std::ffi::CString::new(rel)
            {
                let bytes = crate::fsutil::read_listed_sized_at(
                    dir,
                    &crel,
                    &path,
                    f.size,
                    DEFAULT_SIZE_CAP,
                );
                return String::from_utf8(bytes.ok()?).ok();
            }
            crate::fsutil::read_listed_sized(&path, f.size, DEFAULT_SIZE_CAP)
        } else {
            crate::fsutil::read_capped(&path, DEFAULT_SIZE_CAP)
        }
        .ok()?;
        String::from_utf8(bytes).ok()
    }
}

fn dir_has_exact(dir: &Path, name: &str) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).any(|e| e.file_name() == name))
        .unwrap_or(false)
}

/// Decodes bytes (BOM, UTF-8 check) and parses.
fn parse_bytes(path: &Path, mut bytes: Vec<u8>) -> Result<SkillDoc, LoadError> {
    let had_bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    if had_bom {
        bytes.drain(..3);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..good]).into_owned();
        let line = prefix.matches('\n').count() + 1;
        let col = prefix
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        LoadError::NotUtf8 {
            path: path.to_path_buf(),
            line,
            col,
        }
    })?;
    let mut doc = parse::parse_skill_md_owned(text);
    doc.had_bom = had_bom;
    Ok(doc)
}

/// Lists the files under a skill directory (not following symlinks, skipping hidden
/// directories and SKILL.md itself), sorted by relative path, and what of it cannot be
/// read: directories that cannot be listed, and files whose permissions deny reading
/// (confirmed by opening them; see [`may_deny_read`]).
///
/// On Unix the walk goes through directory file descriptors: each folder is opened
/// relative to its parent, read with getdents64 and its entries looked at with statat,
/// so no full path is looked up again (at most 17 folders are open at once: the depth
/// limit). [`list_files_std`] is the same walk through `std::fs`.
#[cfg(unix)]
fn list_files(dir: &Path) -> (Vec<SkillFile>, Vec<Unreadable>) {
    use rustix::fs::{Mode, OFlags};
    let mut out = Vec::new();
    let mut unreadable = Vec::new();
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    match rustix::fs::openat(rustix::fs::CWD, dir, flags, Mode::empty()) {
        Ok(fd) => {
            list_dir_fd(fd, String::new(), 0, &mut out, &mut unreadable);
        }
        Err(e) => unreadable.push(Unreadable {
            rel: ".".to_string(),
            is_dir: true,
            message: std::io::Error::from(e).to_string(),
        }),
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    unreadable.sort_by(|a, b| a.rel.cmp(&b.rel));
    (out, unreadable)
}

/// One folder of [`list_files`]: `fd` is the open folder, `prefix` its path relative
/// to the skill (`""` for the skill itself). Returns the folder, still open (`None` if
/// it could not be read as one).
#[cfg(unix)]
fn list_dir_fd(
    fd: rustix::fd::OwnedFd,
    prefix: String,
    depth: usize,
    out: &mut Vec<SkillFile>,
    unreadable: &mut Vec<Unreadable>,
) -> Option<rustix::fs::Dir> {
    use rustix::fs::{AtFlags, FileType, Mode, OFlags};
    let Ok(mut dir) = rustix::fs::Dir::new(fd) else {
        return None;
    };
    let mut listed: Vec<(std::ffi::CString, FileType)> = Vec::new();
    while let Some(Ok(entry)) = dir.read() {
        let bytes = entry.file_name().to_bytes();
        if bytes != b"." && bytes != b".." {
            listed.push((entry.file_name().to_owned(), entry.file_type()));
        }
    }
    let Ok(here) = dir.fd() else {
        return None;
    };
    // Sub-folders are walked after this folder is read, one at a time.
    let mut subdirs: Vec<(std::ffi::CString, String)> = Vec::new();
    for (cname, mut ft) in listed {
        let cname = cname.as_c_str();
        let bytes = cname.to_bytes();
        let name = String::from_utf8_lossy(bytes).into_owned();
        let mut stat = None;
        if ft == FileType::Unknown {
            // The file system did not say: ask (without following a link).
            match rustix::fs::statat(here, cname, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => {
                    ft = FileType::from_raw_mode(st.st_mode);
                    stat = Some(st);
                }
                Err(_) => continue,
            }
        }
        // Hidden directories (`.git`, editor state) are not part of a skill; hidden
        // files are (`templates/.dockerignore`, `.env.example`), except OS litter.
        let hidden = name.starts_with('.');
        if hidden && (name == ".DS_Store" || ft == FileType::Directory) {
            continue;
        }
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if ft == FileType::Symlink {
            out.push(SkillFile {
                rel,
                size: 0,
                is_symlink: true,
                is_regular: false,
            });
        } else if ft == FileType::Directory {
            if depth < 16 {
                subdirs.push((cname.to_owned(), rel));
            }
        } else if depth > 0 || !name.eq_ignore_ascii_case("skill.md") {
            let st = match stat {
                Some(st) => Some(st),
                None => rustix::fs::statat(here, cname, AtFlags::SYMLINK_NOFOLLOW).ok(),
            };
            let size = st.as_ref().map(|s| s.st_size as u64).unwrap_or(0);
            let regular = ft == FileType::RegularFile;
            // `st_mode` is narrower than u32 on some Unixes.
            #[allow(clippy::unnecessary_cast)]
            let deny = st.as_ref().is_some_and(|st| {
                regular && may_deny_read_mode(st.st_mode as u32, st.st_uid as u32)
            });
            if deny {
                let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
                if let Err(e) = rustix::fs::openat(here, cname, flags, Mode::empty()) {
                    unreadable.push(Unreadable {
                        rel: rel.clone(),
                        is_dir: false,
                        message: std::io::Error::from(e).to_string(),
                    });
                }
            }
            out.push(SkillFile {
                rel,
                size,
                is_symlink: false,
                is_regular: regular,
            });
        }
    }
    for (cname, rel) in subdirs {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NOFOLLOW;
        match rustix::fs::openat(here, cname.as_c_str(), flags, Mode::empty()) {
            Ok(fd) => {
                list_dir_fd(fd, rel, depth + 1, out, unreadable);
            }
            Err(e) => unreadable.push(Unreadable {
                rel,
                is_dir: true,
                message: std::io::Error::from(e).to_string(),
            }),
        }
    }
    Some(dir)
}

/// The same walk as [`list_files`] through `std::fs` (platforms without rustix, and a
/// test that checks both agree).
#[cfg_attr(unix, allow(dead_code))]
fn list_files_std(dir: &Path) -> (Vec<SkillFile>, Vec<Unreadable>) {
    let mut out = Vec::new();
    let mut unreadable = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new(), 0usize)];
    while let Some((path, prefix, depth)) = stack.pop() {
        let rd = match std::fs::read_dir(&path) {
            Ok(rd) => rd,
            Err(e) => {
                unreadable.push(Unreadable {
                    rel: if prefix.is_empty() {
                        ".".to_string()
                    } else {
                        prefix
                    },
                    is_dir: true,
                    message: e.to_string(),
                });
                continue;
            }
        };
        for entry in rd.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Hidden directories (`.git`, editor state) are not part of a skill; hidden
            // files are (`templates/.dockerignore`, `.env.example`), except OS litter.
            let hidden = name.starts_with('.');
            if hidden && (name == ".DS_Store" || entry.file_type().is_ok_and(|t| t.is_dir())) {
                continue;
            }
            let rel = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_symlink() {
                out.push(SkillFile {
                    rel,
                    size: 0,
                    is_symlink: true,
                    is_regular: false,
                });
            } else if ft.is_dir() {
                if depth < 16 {
                    stack.push((entry.path(), rel, depth + 1));
                }
            } else if depth > 0 || !name.eq_ignore_ascii_case("skill.md") {
                let meta = entry.metadata().ok();
                let size = meta.as_ref().map(|m| m.len()).unwrap_or(0);
                if meta
                    .as_ref()
                    .is_some_and(|m| ft.is_file() && may_deny_read(m))
                    && let Err(e) = std::fs::File::open(entry.path())
                {
                    unreadable.push(Unreadable {
                        rel: rel.clone(),
                        is_dir: false,
                        message: e.to_string(),
                    });
                }
                out.push(SkillFile {
                    rel,
                    size,
                    is_symlink: false,
                    is_regular: ft.is_file(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    unreadable.sort_by(|a, b| a.rel.cmp(&b.rel));
    (out, unreadable)
}

/// Whether a file's permission bits may deny this process reading it: the owner's bits
/// when we own it, else the group's or others' (either may apply). Root reads anything.
/// Only such files are opened to learn the OS's answer, so listing a skill costs no
/// extra system call per file.
#[cfg(unix)]
fn may_deny_read(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    may_deny_read_mode(meta.mode(), meta.uid())
}

/// [`may_deny_read`] from a file's mode bits and owner.
#[cfg(unix)]
fn may_deny_read_mode(mode: u32, uid: u32) -> bool {
    static EUID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = *EUID.get_or_init(|| unsafe { libc::geteuid() });
    if euid == 0 {
        return false;
    }
    if uid == euid {
        mode & 0o400 == 0
    } else {
        mode & 0o040 == 0 || mode & 0o004 == 0
    }
}

#[cfg(not(unix))]
fn may_deny_read(_: &std::fs::Metadata) -> bool {
    false
}

#[cfg(not(unix))]
fn list_files(dir: &Path) -> (Vec<SkillFile>, Vec<Unreadable>) {
    list_files_std(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// A skill with the cases the listing treats specially.
    fn tricky_skill() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        write(d, "SKILL.md", "---\nname: x\ndescription: y\n---\n# T\n");
        write(d, "references/a.md", "# a\n");
        write(d, "references/deep/b.md", "# b\n");
        write(d, "references/SKILL.md", "nested\n");
        write(d, "templates/.dockerignore", ".git\n");
        write(d, ".git/config", "x\n");
        write(d, ".DS_Store", "x");
        write(d, "assets/empty.txt", "");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/passwd", d.join("references/pw.md")).unwrap();
            std::os::unix::fs::symlink("/etc", d.join("linked")).unwrap();
            let fifo = std::ffi::CString::new(d.join("references/f.md").to_str().unwrap()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        }
        t
    }

    #[test]
    fn listing_through_folder_fds_equals_the_std_walk() {
        let t = tricky_skill();
        let (files, unreadable) = list_files(t.path());
        let (std_files, std_unreadable) = list_files_std(t.path());
        assert_eq!(files, std_files);
        assert_eq!(unreadable, std_unreadable);
        let rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        assert!(rels.contains(&"references/SKILL.md") && rels.contains(&"templates/.dockerignore"));
        assert!(
            !rels
                .iter()
                .any(|r| r.starts_with(".git") || *r == ".DS_Store")
        );
    }

    #[test]
    fn the_fast_load_and_the_long_way_build_the_same_model() {
        let t = tricky_skill();
        let fast = Skill::load(t.path()).unwrap();
        // Through SKILL.md's path, the loader takes the long way.
        let long = Skill::load(&t.path().join("SKILL.md")).unwrap();
        assert_eq!(fast.doc.text, long.doc.text);
        assert_eq!(fast.files, long.files);
        assert_eq!(fast.unreadable, long.unreadable);
        assert_eq!(fast.skill_md, long.skill_md);
        assert_eq!(fast.read_file("references/a.md").as_deref(), Some("# a\n"));
        assert_eq!(fast.read_file("assets/empty.txt").as_deref(), Some(""));
        // Neither a link out of the skill nor a FIFO is read (and nothing hangs).
        assert_eq!(fast.read_file("references/pw.md"), None);
        assert_eq!(fast.read_file("references/f.md"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_kept_folder_is_read_relative_to_itself_until_released() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("s");
        write(&dir, "SKILL.md", "---\nname: s\ndescription: y\n---\n# T\n");
        write(&dir, "references/a.md", "# a\n");
        let opts = LoadOptions {
            keep_dir: true,
            ..Default::default()
        };
        let mut kept = Skill::load_with(&dir, opts).unwrap();
        let plain = Skill::load(&dir).unwrap();
        // Move the folder away: only the skill holding it open still finds its files.
        std::fs::rename(&dir, t.path().join("moved")).unwrap();
        assert_eq!(kept.read_file("references/a.md").as_deref(), Some("# a\n"));
        assert_eq!(plain.read_file("references/a.md"), None);
        kept.release_dir();
        assert_eq!(kept.read_file("references/a.md"), None);
    }
}
