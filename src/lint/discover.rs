//! Finding skills under paths (filled in by the lint work).
