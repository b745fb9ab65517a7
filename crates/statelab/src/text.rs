//! Wording shared by the library's messages and its front ends (the CLI, the playground).

/// `1 step`, `2 steps`: a count with its noun, singular for one. (Every noun counted takes an `s`
/// in the plural.)
pub fn count<N: Copy + PartialEq + From<u8> + std::fmt::Display>(n: N, noun: &str) -> String {
    if n == N::from(1) {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `a`, `a and b`, `a, b and c`: items joined as a sentence lists them.
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [only] => only.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{and_list, count};

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["a"]), "a");
        assert_eq!(and_list(&["a", "b"]), "a and b");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn one_is_singular() {
        assert_eq!(count(1u64, "key"), "1 key");
        assert_eq!(count(0usize, "item"), "0 items");
        assert_eq!(count(2u32, "step"), "2 steps");
    }
}
