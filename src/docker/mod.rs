//! Dockerfile facts and rules, Compose checks.
