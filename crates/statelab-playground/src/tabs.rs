//! The keys of the WAI-ARIA tabs pattern, shared by the editors' tabs and the result tabs: Left
//! and Right move to the neighbouring tab (wrapping round), Home and End to the first and last,
//! and the tab moved to is selected and focused. Only the selected tab is in the Tab order.

/// Which of `n` tabs `key` moves to from tab `at`, if it is one of the pattern's keys.
pub fn moved(key: &str, at: usize, n: usize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    match key {
        "ArrowRight" => Some((at + 1) % n),
        "ArrowLeft" => Some((at + n - 1) % n),
        "Home" => Some(0),
        "End" => Some(n - 1),
        _ => None,
    }
}

/// `tabindex` of a tab: only the selected one is reached with Tab.
pub fn tab_index(selected: bool) -> &'static str {
    if selected {
        "0"
    } else {
        "-1"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_move_and_wrap() {
        assert_eq!(moved("ArrowRight", 0, 3), Some(1));
        assert_eq!(moved("ArrowRight", 2, 3), Some(0));
        assert_eq!(moved("ArrowLeft", 0, 3), Some(2));
        assert_eq!(moved("Home", 2, 3), Some(0));
        assert_eq!(moved("End", 0, 3), Some(2));
        assert_eq!(moved("a", 0, 3), None);
        assert_eq!(moved("ArrowRight", 0, 0), None);
    }
}
