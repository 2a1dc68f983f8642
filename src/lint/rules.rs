//! Agent Skills spec rules (frontmatter, name, description, body, files, collections).

use super::Rule;

/// The spec rules, in a stable order.
pub static RULES: &[Rule] = &[];
