//! Finding a line's end, its first colon and whether it is plain, in one
//! pass over its bytes.
//!
//! DGPhone's lines are a dozen bytes: shorter than the set-up of a general
//! vectorised search (memchr), which would also take one pass per byte
//! looked for. On x86 a line is looked at sixteen bytes at a time with
//! SSE2 (part of every x86_64 CPU); elsewhere, and for the last bytes of a
//! buffer, eight at a time in a `u64`.

/// One line found by [`scan_line`]: where its `\n` is, where its first
/// colon is, and whether it is plain (ASCII without NUL: no text to check
/// or convert).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineEnd {
    pub newline: usize,
    pub colon: Option<usize>,
    pub plain: bool,
}

/// The end of the line that starts `bytes`, or `None` if it has not come
/// whole.
#[inline(always)]
pub(crate) fn scan_line(bytes: &[u8]) -> Option<LineEnd> {
    #[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
    return sse2::scan_line(bytes);
    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2"))))]
    return words::scan_line(bytes);
}

/// Eight bytes at a time in a `u64`: portable, and the tail of the SSE2
/// path.
mod words {
    use super::LineEnd;

    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGHS: u64 = 0x8080_8080_8080_8080;

    /// 0x80 in bytes of `word` that equal `byte`: the lowest flag is exact,
    /// the flags above it may not be (a borrow can run into the next byte).
    /// Only the first of each is used.
    fn first_bytes_equal(word: u64, byte: u8) -> u64 {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGHS
    }

    /// 0x80 in bytes of `word` that are not plain: at or above 0x80, or NUL
    /// (a byte whose low seven bits are zero is NUL or 0x80).
    fn odd_bytes(word: u64) -> u64 {
        (word | !((word & LOW7) + LOW7)) & HIGHS
    }

    /// The bits of `flags` below the lowest set bit of `stop` (all of them
    /// when `stop` is 0).
    fn below_first(flags: u64, stop: u64) -> u64 {
        flags & (stop & stop.wrapping_neg()).wrapping_sub(1)
    }

    fn byte_index(flags: u64) -> usize {
        (flags.trailing_zeros() / 8) as usize
    }

    #[inline(always)]
    pub(super) fn scan_line(bytes: &[u8]) -> Option<LineEnd> {
        let mut colon = None;
        // Odd bytes among the words passed so far.
        let mut odd = 0;
        let mut chunks = bytes.chunks_exact(8);
        let mut at = 0;
        for chunk in chunks.by_ref() {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            let newlines = first_bytes_equal(word, b'\n');
            if colon.is_none() {
                let colons = below_first(first_bytes_equal(word, b':'), newlines);
                if colons != 0 {
                    colon = Some(at + byte_index(colons));
                }
            }
            if newlines != 0 {
                let plain = odd | below_first(odd_bytes(word), newlines) == 0;
                return Some(LineEnd { newline: at + byte_index(newlines), colon, plain });
            }
            odd |= odd_bytes(word);
            at += 8;
        }
        let mut plain = odd == 0;
        for (i, &byte) in chunks.remainder().iter().enumerate() {
            match byte {
                b'\n' => return Some(LineEnd { newline: at + i, colon, plain }),
                b':' if colon.is_none() => colon = Some(at + i),
                0 | 0x80..=0xFF => plain = false,
                _ => {}
            }
        }
        None
    }
}

/// Sixteen bytes at a time with SSE2: one compare and one movemask per
/// byte looked for give a bit per byte of the block.
#[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
pub(crate) mod sse2 {
    #[cfg(target_arch = "x86")]
    use std::arch::x86::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    #[cfg(target_arch = "x86_64")]
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};

    use super::{words, LineEnd};

    /// Bit `i` of each mask is byte `i` of a block.
    pub(crate) struct Masks {
        pub newlines: u32,
        pub colons: u32,
        pub odd: u32,
    }

    #[inline(always)]
    pub(crate) fn masks(block: &[u8; 16]) -> Masks {
        // SAFETY: SSE2 is there (the module's cfg: every x86_64 CPU, and x86
        // builds that enable it); the load reads the sixteen bytes of
        // `block`, and needs no alignment.
        unsafe {
            let bytes = _mm_loadu_si128(block.as_ptr() as *const __m128i);
            let equal = |byte: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(byte as i8))) as u32;
            // The sign bits are the bytes at or above 0x80.
            Masks { newlines: equal(b'\n'), colons: equal(b':'), odd: _mm_movemask_epi8(bytes) as u32 | equal(0) }
        }
    }

    #[inline(always)]
    pub(super) fn scan_line(bytes: &[u8]) -> Option<LineEnd> {
        let mut colon = None;
        let mut odd = false;
        let mut at = 0;
        while let Some(block) = bytes.get(at..at + 16) {
            let masks = masks(block.try_into().expect("sixteen bytes"));
            // The bits before the first newline (all of them if none).
            let before = (masks.newlines & masks.newlines.wrapping_neg()).wrapping_sub(1);
            if colon.is_none() && masks.colons & before != 0 {
                colon = Some(at + (masks.colons & before).trailing_zeros() as usize);
            }
            if masks.newlines != 0 {
                let plain = !odd && masks.odd & before == 0;
                return Some(LineEnd { newline: at + masks.newlines.trailing_zeros() as usize, colon, plain });
            }
            odd |= masks.odd != 0;
            at += 16;
        }
        // Fewer than sixteen bytes left.
        let rest = words::scan_line(&bytes[at..])?;
        Some(LineEnd {
            newline: at + rest.newline,
            colon: colon.or_else(|| rest.colon.map(|c| at + c)),
            plain: !odd && rest.plain,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(bytes: &[u8]) -> Option<LineEnd> {
        let newline = bytes.iter().position(|&b| b == b'\n')?;
        let line = &bytes[..newline];
        let plain = line.iter().all(|&b| b != 0 && b < 0x80);
        Some(LineEnd { newline, colon: line.iter().position(|&b| b == b':'), plain })
    }

    type Scanner = fn(&[u8]) -> Option<LineEnd>;

    /// Every implementation compiled here.
    fn scanners() -> Vec<(&'static str, Scanner)> {
        let mut all: Vec<(&'static str, Scanner)> = vec![("words", words::scan_line)];
        #[cfg(any(target_arch = "x86_64", all(target_arch = "x86", target_feature = "sse2")))]
        all.push(("sse2", sse2::scan_line));
        all
    }

    #[test]
    fn every_scanner_agrees_with_a_plain_search_at_every_length_and_place() {
        let odd_bytes = [b'x', b':', 0, 0x8a, 0x80, b'\n' + 1, b':' - 1, 0x7f, 0xff];
        for (name, scan) in scanners() {
            for len in 0..48usize {
                for at in (0..len).chain([len]) {
                    for &odd in &odd_bytes {
                        for odd_at in [0, at.saturating_sub(1), at + 1, at + 5, at + 17, len.saturating_sub(1)] {
                            let mut bytes = vec![b'x'; len];
                            if odd_at < len {
                                bytes[odd_at] = odd;
                            }
                            if at < len {
                                bytes[at] = b'\n';
                            }
                            // A second newline and colon later.
                            if at + 3 < len {
                                bytes[at + 3] = b'\n';
                                bytes[at + 2] = b':';
                            }
                            assert_eq!(scan(&bytes), naive(&bytes), "{name}: {bytes:?}");
                        }
                    }
                }
            }
        }
    }
}
