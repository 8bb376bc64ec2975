//! Text codecs shared by every provider: the form codec, the canonical `k=v&…` string, GBK text, raw
//! JSON node extraction, and epoch → Beijing time.

pub mod canonical;
pub mod form;
pub mod gbk;
pub mod json_node;
pub mod time;

/// A name that occurs more than once among `names`, if any. Found by sorting — O(n log n)
/// comparisons whatever the names are; a hash set could be flooded with names chosen to collide.
pub(crate) fn repeated_name<T: Ord>(mut names: Vec<T>) -> Option<T> {
    names.sort_unstable();
    let at = names.windows(2).position(|w| w[0] == w[1])?;
    Some(names.swap_remove(at))
}

#[cfg(test)]
mod tests {
    use super::repeated_name;

    #[test]
    fn finds_repeats_by_sorting() {
        assert_eq!(repeated_name(vec!["b", "a", "c"]), None);
        assert_eq!(repeated_name(vec!["b", "a", "b"]), Some("b"));
        assert_eq!(repeated_name::<&str>(vec![]), None);
    }
}
