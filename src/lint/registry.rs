//! The rule registry: the one place where every rule family's list is joined.
//!
//! The families (`lint::rules`, `docker::rules`, `docker::compose`, `docker::ignore`,
//! `ship::archive`) each export a `RULES` list of [`Rule`]s built from the shared
//! types in [`crate::rule`]; none of them imports this module, and the lint engine
//! (`lint::lint_skill`, `lint::cmd`) reaches the families only through it.

use crate::rule::{Config, Ctx, Rule};
use std::sync::OnceLock;

/// Every rule skillforge knows, in a stable order (built once per process).
pub fn registry() -> &'static [&'static Rule] {
    static ALL: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    ALL.get_or_init(|| {
        let families: [&'static [Rule]; 5] = [
            crate::lint::rules::RULES,
            crate::docker::rules::RULES,
            crate::docker::compose::RULES,
            crate::docker::ignore::RULES,
            crate::ship::archive::RULES,
        ];
        families.iter().flat_map(|f| f.iter()).collect()
    })
}

/// Finds a rule by id (case-insensitive), also accepting a peer id like `DL3007`.
pub fn find_rule(id: &str) -> Option<&'static Rule> {
    let reg = registry();
    reg.iter()
        .find(|r| r.id.eq_ignore_ascii_case(id))
        .or_else(|| {
            let needle = id.to_ascii_uppercase();
            reg.iter().find(|r| {
                r.explain
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                    .any(|w| w.eq_ignore_ascii_case(&needle))
            })
        })
        .copied()
}

/// The context a lint run gives its rules: `config`, and the Compose schema loaded the
/// first time a Compose rule meets a Compose file.
pub fn context(config: Config) -> Ctx {
    Ctx::new(config).with_compose_schema_loader(crate::docker::compose::load_compose_schema)
}
