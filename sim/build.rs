//! Regenerates `include/dgphone_sim.h` (at the workspace root, beside
//! `dgphone.h`, which it includes for the shared codes and kinds) from the
//! `ffi` module (feature `header`, on by default), as the root build.rs
//! does for the client library.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=../abi/src/calling.rs");
    #[cfg(feature = "header")]
    generate_header();
}

#[cfg(feature = "header")]
#[path = "../abi/src/calling.rs"]
mod calling;

#[cfg(feature = "header")]
fn generate_header() {
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let config = cbindgen::Config::from_file(format!("{crate_dir}/cbindgen.toml")).expect("cbindgen.toml is valid");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read the ffi module")
        .write(&mut generated);
    // DGP_CALL goes in as for dgphone.h (see abi/src/calling.rs); the file
    // is left alone when nothing changed.
    let path = format!("{crate_dir}/../include/dgphone_sim.h");
    let text = calling::add_calling_convention(std::str::from_utf8(&generated).expect("cbindgen writes UTF-8"));
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&path, text).expect("the header is writable");
    }
}
