//! The one canonical-string builder: `k1=v1&k2=v2…` with keys sorted byte-wise and raw values.
//! Alipay (requests, notifications), UseePay and WeChat Pay v2 all sign this shape; they differ only
//! in which keys are left out and which values count as empty.

/// Which values are left out of the string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmptyValues {
    /// Keep `k=` for empty values (Alipay notification rule, as Java's SDK does).
    Keep,
    /// Leave out empty values (Alipay requests, WeChat Pay v2).
    Drop,
    /// Leave out values that are empty after trimming, where trimming removes every byte up to
    /// U+0020 as Java's `String.trim()` does (UseePay).
    DropBlank,
}

/// Builds the string over `pairs`, leaving out the names in `excluded`. Sorting is by the raw
/// bytes of the names (ASCII order), stable for duplicate names.
pub fn build<'a, I>(pairs: I, excluded: &[&str], empty: EmptyValues) -> Vec<u8>
where
    I: IntoIterator<Item = (&'a [u8], &'a [u8])>,
{
    let mut kept: Vec<(&[u8], &[u8])> = pairs
        .into_iter()
        .filter(|(name, _)| !excluded.iter().any(|x| x.as_bytes() == *name))
        .filter(|(_, value)| match empty {
            EmptyValues::Keep => true,
            EmptyValues::Drop => !value.is_empty(),
            EmptyValues::DropBlank => value.iter().any(|&b| b > b' '),
        })
        .collect();
    kept.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    for (i, (name, value)) in kept.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        out.push(b'=');
        out.extend_from_slice(value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs<'a>(p: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = (&'a [u8], &'a [u8])> {
        p.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes()))
    }

    #[test]
    fn sorts_bytewise_and_filters() {
        let p = [("b", "2"), ("sign", "x"), ("a", "1"), ("B", "3"), ("e", ""), ("s", "  ")];
        assert_eq!(build(pairs(&p), &["sign"], EmptyValues::Drop), b"B=3&a=1&b=2&s=  ");
        assert_eq!(build(pairs(&p), &["sign"], EmptyValues::DropBlank), b"B=3&a=1&b=2");
        assert_eq!(build(pairs(&p), &["sign", "s"], EmptyValues::Keep), b"B=3&a=1&b=2&e=");
        // Trimming as Java's String.trim(): every byte up to U+0020 (so \u{b} and \0 too).
        let q = [("v", "\u{b}\0 "), ("w", " x ")];
        assert_eq!(build(pairs(&q), &[], EmptyValues::DropBlank), b"w= x ");
    }
}
