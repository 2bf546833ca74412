//! Regenerates `include/dgphone.h` from the `ffi` module's doc comments and
//! signatures (feature `header`, on by default). Builds without the feature
//! (the rustc 1.63 Windows builds) use the committed header.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    // cbindgen reads every public constant of the crate, not only src/ffi.
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=abi/src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    #[cfg(feature = "header")]
    generate_header();
}

#[cfg(feature = "header")]
#[path = "abi/src/calling.rs"]
mod calling;

#[cfg(feature = "header")]
fn generate_header() {
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let config = cbindgen::Config::from_file(format!("{crate_dir}/cbindgen.toml")).expect("cbindgen.toml is valid");
    let header = format!("{crate_dir}/include/dgphone.h");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read the ffi module")
        .write(&mut generated);
    write_if_changed(&header, &generated);
}

/// Writes the header with `DGP_CALL` in place (see abi/src/calling.rs),
/// leaving the file alone when nothing changed, so its timestamp only moves
/// with its content.
#[cfg(feature = "header")]
fn write_if_changed(path: &str, generated: &[u8]) {
    let text = calling::add_calling_convention(std::str::from_utf8(generated).expect("cbindgen writes UTF-8"));
    if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(path, text).expect("the header is writable");
    }
}
