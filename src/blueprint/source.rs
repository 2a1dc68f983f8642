//! Where blueprint files come from: compiled into the binary (`skills/` at build
//! time) or a directory on disk (`--blueprints DIR`, `[new] blueprints = "DIR"`).
//!
//! A blueprint is held in memory as a map of relative path → text, so rendering
//! never touches the disk and everything is validated before the first byte is
//! written.

use crate::error::{Error, Result};
use include_dir::{Dir, include_dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every blueprint shipped with skillforge (`skills/<name>/…`), embedded at compile time.
static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/skills");

/// Cap on one blueprint file read from disk (1 MB).
const FILE_CAP: u64 = 1024 * 1024;

/// The files of one blueprint.
#[derive(Debug, Clone)]
pub struct BlueprintFiles {
    pub name: String,
    /// Where it came from: `embedded` or a directory path (for messages).
    pub origin: Origin,
    /// Relative path (with `/`) → content.
    pub files: BTreeMap<String, String>,
    /// The variant in use (`starter`), whose `skill.yaml` and `SKILL.md.hbs` stand in
    /// for the main ones (messages name the variant's files).
    pub variant: Option<String>,
}

/// Where a blueprint was loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Embedded,
    Disk(PathBuf),
}

impl Origin {
    /// The path to show for a file of this blueprint in messages.
    pub fn display_path(&self, blueprint: &str, rel: &str) -> PathBuf {
        match self {
            Origin::Embedded => PathBuf::from(format!("<embedded>/skills/{blueprint}/{rel}")),
            Origin::Disk(dir) => dir.join(rel),
        }
    }
}

impl BlueprintFiles {
    pub fn get(&self, rel: &str) -> Option<&str> {
        self.files.get(rel).map(String::as_str)
    }

    /// Files under `prefix/` (relative paths keep the prefix), sorted.
    pub fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let p = format!("{}/", prefix.trim_end_matches('/'));
        self.files
            .iter()
            .filter(move |(k, _)| k.starts_with(&p))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn path_of(&self, rel: &str) -> PathBuf {
        match &self.variant {
            Some(v) if rel == "skill.yaml" || rel == "SKILL.md.hbs" => {
                self.origin.display_path(&self.name, &format!("{v}/{rel}"))
            }
            _ => self.origin.display_path(&self.name, rel),
        }
    }

    /// The variant `v` of this blueprint (e.g. `starter`): its own `skill.yaml` and
    /// `SKILL.md.hbs` from `v/`, everything else (references, templates it names by
    /// path) shared with the main blueprint.
    pub fn variant(&self, v: &str) -> Result<BlueprintFiles> {
        let yaml = format!("{v}/skill.yaml");
        let (Some(spec), Some(tpl)) = (self.get(&yaml), self.get(&format!("{v}/SKILL.md.hbs")))
        else {
            let mut known: Vec<&str> = self
                .files
                .keys()
                .filter_map(|k| k.strip_suffix("/skill.yaml"))
                .collect();
            known.sort();
            return Err(Error::usage_hint(
                format!("blueprint `{}` has no variant `{v}`", self.name),
                if known.is_empty() {
                    "it has none".to_string()
                } else {
                    format!("its variants: {}", known.join(", "))
                },
            ));
        };
        let mut out = self.clone();
        out.files.insert("skill.yaml".into(), spec.to_string());
        out.files.insert("SKILL.md.hbs".into(), tpl.to_string());
        // A variant's own `<v>/references/<file>` replaces the shared reference of that
        // name (the starter's digests stop where Lesson 0 stops).
        let prefix = format!("{v}/references/");
        let own: Vec<(String, String)> = self
            .files
            .iter()
            .filter_map(|(k, text)| {
                k.strip_prefix(&prefix)
                    .filter(|name| !name.contains('/'))
                    .map(|name| (format!("references/{name}"), text.clone()))
            })
            .collect();
        out.files.extend(own);
        out.variant = Some(v.to_string());
        Ok(out)
    }
}

/// Names of the embedded blueprints (directories of `skills/` holding a `skill.yaml`).
pub fn embedded_names() -> Vec<String> {
    let mut names: Vec<String> = EMBEDDED
        .dirs()
        .filter(|d| d.get_file(d.path().join("skill.yaml")).is_some())
        .filter_map(|d| {
            d.path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// The embedded blueprint `name`, if shipped.
pub fn embedded(name: &str) -> Option<BlueprintFiles> {
    let dir = EMBEDDED.get_dir(name)?;
    dir.get_file(dir.path().join("skill.yaml"))?;
    let mut files = BTreeMap::new();
    collect_embedded(dir, Path::new(name), &mut files);
    Some(BlueprintFiles {
        name: name.to_string(),
        origin: Origin::Embedded,
        files,
        variant: None,
    })
}

fn collect_embedded(dir: &Dir<'static>, root: &Path, out: &mut BTreeMap<String, String>) {
    for f in dir.files() {
        let Ok(rel) = f.path().strip_prefix(root) else {
            continue;
        };
        if let Some(text) = f.contents_utf8() {
            out.insert(rel_string(rel), text.to_string());
        }
    }
    for d in dir.dirs() {
        collect_embedded(d, root, out);
    }
}

fn rel_string(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Names of the blueprints in a directory on disk (sub-directories with `skill.yaml`).
pub fn disk_names(root: &Path) -> Result<Vec<String>> {
    let rd = std::fs::read_dir(root).map_err(|e| {
        Error::io(root, e).with_hint("--blueprints must name a directory holding <name>/skill.yaml")
    })?;
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("skill.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// Loads blueprint `name` from `root/<name>/` on disk, if present.
pub fn from_disk(root: &Path, name: &str) -> Result<Option<BlueprintFiles>> {
    let dir = root.join(name);
    if !dir.join("skill.yaml").is_file() {
        return Ok(None);
    }
    let mut files = BTreeMap::new();
    let mut stack = vec![(dir.clone(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        let rd = std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))?;
        for entry in rd.filter_map(|e| e.ok()) {
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if depth < 8 {
                    stack.push((path, depth + 1));
                }
            } else if ft.is_file() {
                let bytes = crate::fsutil::read_capped(&path, FILE_CAP).map_err(|e| match e {
                    crate::fsutil::ReadError::Io(err) => Error::io(&path, err),
                    crate::fsutil::ReadError::TooLarge { size, cap } => Error::input(
                        &path,
                        format!("blueprint file is {size} bytes, over the {cap}-byte cap"),
                    ),
                })?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| Error::input(&path, "blueprint files must be UTF-8 text"))?;
                let rel = path.strip_prefix(&dir).unwrap_or(&path);
                files.insert(rel_string(rel), text);
            }
        }
    }
    Ok(Some(BlueprintFiles {
        name: name.to_string(),
        origin: Origin::Disk(dir),
        files,
        variant: None,
    }))
}

/// Finds blueprint `name`: the disk directory first (it overrides), then the embedded set.
pub fn find(name: &str, disk_root: Option<&Path>) -> Result<BlueprintFiles> {
    if let Some(root) = disk_root
        && let Some(bp) = from_disk(root, name)?
    {
        return Ok(bp);
    }
    if let Some(mut bp) = embedded(name) {
        // `new` chose the copy of versions.yaml refreshed by `fetch`.
        if bp.files.contains_key(crate::fetch::versions::FILE)
            && let Some(text) = crate::fetch::versions::override_for(name)
        {
            bp.files
                .insert(crate::fetch::versions::FILE.to_string(), text);
        }
        return Ok(bp);
    }
    let mut known = embedded_names();
    if let Some(root) = disk_root {
        known.extend(disk_names(root)?);
    }
    known.sort();
    known.dedup();
    Err(Error::usage_hint(
        format!("unknown blueprint `{name}`"),
        format!(
            "available: {} (see `skillforge new --list`)",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_deployment_is_embedded_with_its_data() {
        assert!(embedded_names().contains(&"docker-deployment".to_string()));
        let bp = embedded("docker-deployment").unwrap();
        assert!(bp.get("skill.yaml").is_some());
        assert!(bp.get("SKILL.md.hbs").is_some());
        assert!(bp.under("templates").count() >= 3);
    }

    #[test]
    fn unknown_blueprint_is_a_usage_error_listing_known_ones() {
        let e = find("nope", None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.render().contains("docker-deployment"), "{}", e.render());
    }

    #[test]
    fn variants_swap_the_spec_and_name_their_own_files() {
        let bp = embedded("docker-deployment").unwrap();
        let v = bp.variant("starter").unwrap();
        assert_eq!(v.get("skill.yaml"), bp.get("starter/skill.yaml"));
        assert!(v.path_of("skill.yaml").ends_with("starter/skill.yaml"));
        assert_eq!(
            v.get("references/compose.md"),
            bp.get("references/compose.md")
        );
        let e = bp.variant("nope").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.render().contains("starter"), "{}", e.render());
    }

    #[test]
    fn disk_blueprint_overrides_embedded() {
        let d = tempfile::tempdir().unwrap();
        let bp = d.path().join("docker-deployment");
        std::fs::create_dir_all(bp.join("templates")).unwrap();
        std::fs::write(bp.join("skill.yaml"), "name: x\n").unwrap();
        std::fs::write(bp.join("templates/a"), "A").unwrap();
        let got = find("docker-deployment", Some(d.path())).unwrap();
        assert_eq!(got.origin, Origin::Disk(bp.clone()));
        assert_eq!(got.get("templates/a"), Some("A"));
        assert_eq!(disk_names(d.path()).unwrap(), vec!["docker-deployment"]);
    }
}
