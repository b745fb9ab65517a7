//! The keys of the WAI-ARIA tabs pattern, shared by the editors' tabs and the result tabs: Left
//! and Right move to the neighbouring tab (wrapping round), Home and End to the first and last,
//! and the tab moved to is selected and focused. Only the selected tab is in the Tab order.

use wasm_bindgen::JsCast;

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

/// Focuses the element whose id is `id` (a tab just selected from the keyboard).
pub fn focus(id: &str) {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(el) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
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
