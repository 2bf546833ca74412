//! The library's version, at compile time and at run time.

use std::os::raw::c_char;

/// Major version of the header (semantic versioning).
pub const DGP_VERSION_MAJOR: u32 = 0;
/// Minor version of the header.
pub const DGP_VERSION_MINOR: u32 = 1;
/// Patch version of the header.
pub const DGP_VERSION_PATCH: u32 = 0;

/// The version of the library actually loaded, as
/// `major << 16 | minor << 8 | patch`. Compare it with the header's
/// `DGP_VERSION_*` macros to catch a mismatched DLL.
#[no_mangle]
pub extern "C" fn dgp_version_number() -> u32 {
    DGP_VERSION_MAJOR << 16 | DGP_VERSION_MINOR << 8 | DGP_VERSION_PATCH
}

/// The version of the library actually loaded, as static text
/// ("0.1.0"). Do not free it.
#[no_mangle]
pub extern "C" fn dgp_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_macros_match_the_crate_version() {
        let parts: Vec<u32> = env!("CARGO_PKG_VERSION").split('.').map(|p| p.parse().unwrap()).collect();
        assert_eq!(parts, vec![DGP_VERSION_MAJOR, DGP_VERSION_MINOR, DGP_VERSION_PATCH]);
        let text = unsafe { std::ffi::CStr::from_ptr(dgp_version()) }.to_str().unwrap();
        assert_eq!(text, env!("CARGO_PKG_VERSION"));
    }
}
