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
fn generate_header() {
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let config = cbindgen::Config::from_file(format!("{crate_dir}/cbindgen.toml")).expect("cbindgen.toml is valid");
    let header = format!("{crate_dir}/include/dgphone.h");
    // `write_to_file` leaves the file alone when nothing changed, so the
    // header's timestamp only moves with its content.
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read the ffi module")
        .write_to_file(header);
}
