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

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular() {
        assert_eq!(count(1u64, "key"), "1 key");
        assert_eq!(count(0usize, "item"), "0 items");
        assert_eq!(count(2u32, "step"), "2 steps");
    }
}
