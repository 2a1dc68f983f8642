//! `skillforge init-ci` (in progress).
