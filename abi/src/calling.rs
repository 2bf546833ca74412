//! Puts the `DGP_CALL` calling-convention macro into a header cbindgen
//! generated. cbindgen 0.27 has no place for a macro between a function's
//! return type and its name, nor inside a function-pointer typedef, which
//! is where C compilers (MSVC above all) want `__cdecl`; so both build
//! scripts include this file (`#[path]`) and pass the generated text
//! through [`add_calling_convention`]. It is a module of this crate too, so
//! its tests run with the crate's.

/// The macro's name, as the headers' preamble defines it.
pub const MACRO: &str = "DGP_CALL";

/// The header with `DGP_CALL` before the name of every prototype
/// (`dgp_result DGP_CALL dgp_login(...)`) and inside every function-pointer
/// typedef (`typedef void (DGP_CALL *dgp_event_callback)(...)`). The
/// continuation lines of a prototype move right with it, so cbindgen's
/// alignment of the arguments survives. Applying it twice changes nothing.
pub fn add_calling_convention(header: &str) -> String {
    let insert = format!("{MACRO} ");
    let mut out = String::with_capacity(header.len() + 8 * 1024);
    let mut continuation = false;
    for line in header.split_inclusive('\n') {
        if continuation {
            out.push_str(&" ".repeat(insert.len()));
            out.push_str(line);
            continuation = !line.trim_end().ends_with(';');
        } else if let Some(at) = prototype_name(line) {
            out.push_str(&line[..at]);
            out.push_str(&insert);
            out.push_str(&line[at..]);
            continuation = !line.trim_end().ends_with(';');
        } else if line.starts_with("typedef ") && line.contains("(*") && !line.contains(&format!("({insert}*")) {
            out.push_str(&line.replacen("(*", &format!("({insert}*"), 1));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Where the name of the function a line declares starts: a prototype
/// starts in column 0 with its return type (comments start with `/` or a
/// space, directives with `#`), and names a `dgp_` function before its
/// first parenthesis. None for anything else, and for a prototype that has
/// the macro already.
fn prototype_name(line: &str) -> Option<usize> {
    if !line.starts_with(|c: char| c.is_ascii_alphabetic())
        || line.starts_with("typedef ")
        || line.starts_with("extern ")
    {
        return None;
    }
    let open = line.find('(')?;
    let at = line[..open].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    let already = line[..at].trim_end().ends_with(MACRO);
    if line[at..open].starts_with("dgp_") && !already {
        Some(at)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prototypes_get_the_macro_before_the_name_and_keep_their_alignment() {
        let header = "dgp_result dgp_connect(dgp_client *client,\n                       uint16_t port);\n";
        assert_eq!(
            add_calling_convention(header),
            "dgp_result DGP_CALL dgp_connect(dgp_client *client,\n                                uint16_t port);\n"
        );
        assert_eq!(
            add_calling_convention("const char *dgp_version(void);\n"),
            "const char *DGP_CALL dgp_version(void);\n"
        );
    }

    #[test]
    fn callback_typedefs_get_it_inside_the_parentheses() {
        let header = "typedef void (*dgp_log_callback)(void *user_data, const char *message);\n";
        assert_eq!(
            add_calling_convention(header),
            "typedef void (DGP_CALL *dgp_log_callback)(void *user_data, const char *message);\n"
        );
    }

    #[test]
    fn comments_directives_and_other_typedefs_are_left_alone() {
        let header = "/**\n * Calls dgp_login(client) first.\n */\n#define DGP_OK 0\ntypedef uint32_t dgp_result;\ntypedef struct dgp_event dgp_event;\nextern \"C\" {\n";
        assert_eq!(add_calling_convention(header), header);
    }

    #[test]
    fn applying_it_twice_changes_nothing() {
        let header = "dgp_result dgp_connect(dgp_client *client,\n                       uint16_t port);\ntypedef void (*cb)(void);\n";
        let once = add_calling_convention(header);
        assert_eq!(add_calling_convention(&once), once);
    }
}
