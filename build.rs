//! Rebuild when the embedded blueprint data or schemas change: they are compiled into
//! the binary (include_str!/include_dir!), which cargo does not track by itself.
fn main() {
    println!("cargo:rerun-if-changed=skills");
    println!("cargo:rerun-if-changed=schemas");
    println!("cargo:rerun-if-changed=build.rs");
}
