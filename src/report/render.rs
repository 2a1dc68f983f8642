//! Renderers for diagnostics (filled in by the lint work).
