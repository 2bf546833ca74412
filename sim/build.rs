//! Regenerates `include/dgphone_sim.h` (at the workspace root, beside
//! `dgphone.h`, which it includes for the shared codes and kinds) from the
//! `ffi` module (feature `header`, on by default), as the root build.rs
//! does for the client library.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src");
    #[cfg(feature = "header")]
    generate_header();
}

#[cfg(feature = "header")]
fn generate_header() {
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let config = cbindgen::Config::from_file(format!("{crate_dir}/cbindgen.toml")).expect("cbindgen.toml is valid");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read the ffi module")
        .write_to_file(format!("{crate_dir}/../include/dgphone_sim.h"));
}
