//! A packet's table of where each header's key and value lie in its text.

/// Where one header's key and value sit in the packet's text, as `(start,
/// end)` byte offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub key: (u32, u32),
    pub value: (u32, u32),
}

/// As many headers as a DGPhone event or response has are stored inline
/// (Event, Status or Response, User, Line or Command, Number or Message).
const INLINE: usize = 5;

/// The spans of one packet. Every DGPhone packet is shorter than 64 KiB,
/// so its offsets fit in 16 bits and five headers take 40 bytes inside the
/// packet: no allocation per packet, and an event small enough (120 bytes)
/// to be moved cheaply from the reader to the callback thread. A packet
/// with more headers, or a longer one, keeps its whole table on the heap
/// instead.
#[derive(Clone, Debug, Default)]
pub(crate) struct Spans {
    /// `[key_start, key_end, value_start, value_end]` of the first `len`
    /// headers, unless `spilled`.
    inline: [[u16; 4]; INLINE],
    len: u8,
    /// Boxed so that the rare spilled table costs the packet 8 bytes, not
    /// a Vec's 24.
    #[allow(clippy::box_collection)]
    spilled: Option<Box<Vec<Span>>>,
}

/// A span whose offsets the caller checked fit 16 bits.
fn narrow(span: Span) -> [u16; 4] {
    [span.key.0 as u16, span.key.1 as u16, span.value.0 as u16, span.value.1 as u16]
}

fn widen(short: [u16; 4]) -> Span {
    let [key_start, key_end, value_start, value_end] = short.map(u32::from);
    Span { key: (key_start, key_end), value: (value_start, value_end) }
}

impl Spans {
    // Inlined into both its callers (a packet built by the decoder, and one
    // built from a run read in place), as it was into the first alone.
    #[inline(always)]
    pub fn from_slice(spans: &[Span]) -> Spans {
        let mut table = Spans::default();
        // Spans come in the text's order and a span's value ends last (an
        // empty key sits at that end too), so the last value's end tells
        // whether every offset fits 16 bits.
        let fits = spans.last().map_or(true, |last| last.value.1 <= u32::from(u16::MAX));
        if fits && spans.len() <= INLINE {
            for (slot, &span) in table.inline.iter_mut().zip(spans) {
                *slot = narrow(span);
            }
            table.len = spans.len() as u8;
        } else {
            table.spilled = Some(Box::new(spans.to_vec()));
        }
        table
    }

    pub fn push(&mut self, span: Span) {
        if self.spilled.is_none() && usize::from(self.len) < INLINE && span.value.1 <= u32::from(u16::MAX) {
            self.inline[usize::from(self.len)] = narrow(span);
            self.len += 1;
            return;
        }
        let spilled = self.spilled.get_or_insert_with(Default::default);
        if spilled.is_empty() {
            spilled.extend((0..usize::from(self.len)).map(|i| widen(self.inline[i])));
            self.len = 0;
        }
        spilled.push(span);
    }

    /// Where the value of header `index` lies: the hot lookup, which needs
    /// no key.
    #[inline(always)]
    pub fn value(&self, index: usize) -> Option<(u32, u32)> {
        match &self.spilled {
            None if index < usize::from(self.len) => {
                let [_, _, start, end] = self.inline[index];
                Some((u32::from(start), u32::from(end)))
            }
            None => None,
            Some(table) => table.get(index).map(|span| span.value),
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        match &self.spilled {
            Some(table) => table.len(),
            None => usize::from(self.len),
        }
    }

    #[inline]
    pub fn get(&self, index: usize) -> Option<Span> {
        match &self.spilled {
            Some(table) => table.get(index).copied(),
            None if index < usize::from(self.len) => Some(widen(self.inline[index])),
            None => None,
        }
    }

    /// Calls `f` with the index and `(start, end)` of each key, in order:
    /// the one pass over every key that typing an event makes, without the
    /// chained iterator [`Spans::iter`] needs for both tables.
    #[inline(always)]
    pub fn for_each_key(&self, mut f: impl FnMut(usize, (u32, u32))) {
        match &self.spilled {
            None => {
                for (index, short) in self.inline.iter().take(usize::from(self.len)).enumerate() {
                    f(index, (u32::from(short[0]), u32::from(short[1])));
                }
            }
            Some(table) => table.iter().enumerate().for_each(|(index, span)| f(index, span.key)),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Span> + '_ {
        let (inline, spilled): (&[[u16; 4]], &[Span]) = match &self.spilled {
            Some(table) => (&[], table),
            None => (&self.inline[..usize::from(self.len)], &[]),
        };
        inline.iter().map(|&short| widen(short)).chain(spilled.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(at: u32) -> Span {
        Span { key: (at, at + 3), value: (at + 5, at + 9) }
    }

    #[test]
    fn inline_then_spilled_by_count_or_by_size_in_order() {
        let many: Vec<Span> = (0..9).map(|i| span(i * 10)).collect();
        let long = [span(0), span(20), span(70_000)];
        for spans in [&many[..4], &many[..], &long[..]] {
            let mut pushed = Spans::default();
            spans.iter().for_each(|&span| pushed.push(span));
            for table in [Spans::from_slice(spans), pushed] {
                assert_eq!(table.len(), spans.len());
                assert_eq!(table.iter().collect::<Vec<_>>(), spans);
                assert_eq!(table.get(spans.len()), None);
            }
        }
        assert!(Spans::from_slice(&many[..INLINE]).spilled.is_none());
        assert!(Spans::from_slice(&many[..INLINE + 1]).spilled.is_some());
    }
}
