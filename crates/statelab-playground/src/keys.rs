//! Keyboard patterns the widgets share. The WAI-ARIA tabs pattern, for the editors' tabs and the
//! result tabs: Left and Right move to the neighbouring tab (wrapping round), Home and End to the
//! first and last, and the tab moved to is selected and focused; only the selected tab is in the
//! Tab order. And the keys that press an element acting as a button (graph states, timeline bars).

use web_sys::KeyboardEvent;

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

/// Which of `n` menu items `key` moves to from item `at`: Down and Up to the neighbouring item
/// (wrapping round), Home and End to the first and last (the WAI-ARIA menu pattern).
pub fn moved_in_menu(key: &str, at: usize, n: usize) -> Option<usize> {
    let key = match key {
        "ArrowDown" => "ArrowRight",
        "ArrowUp" => "ArrowLeft",
        "Home" | "End" => key,
        _ => return None,
    };
    moved(key, at, n)
}

/// A key pressed on the `at`-th of `tabs`: selects the tab it moves to (`select`) and focuses it
/// (the element whose id `id_of` gives), if it is one of the pattern's keys.
pub fn on_tab_key<T>(
    ev: &KeyboardEvent,
    at: usize,
    tabs: &[T],
    id_of: impl Fn(&T) -> &'static str,
    select: impl FnOnce(&T),
) {
    let Some(tab) = moved(&ev.key(), at, tabs.len()).and_then(|i| tabs.get(i)) else { return };
    ev.prevent_default();
    select(tab);
    crate::focus::by_id(id_of(tab));
}

/// `tabindex` of a tab: only the selected one is reached with Tab.
pub fn tab_index(selected: bool) -> &'static str {
    if selected {
        "0"
    } else {
        "-1"
    }
}

/// Whether `key` presses an element that acts as a button: Enter or Space.
pub fn presses(key: &str) -> bool {
    key == "Enter" || key == " "
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu_keys_move_up_and_down() {
        assert_eq!(moved_in_menu("ArrowDown", 0, 4), Some(1));
        assert_eq!(moved_in_menu("ArrowDown", 3, 4), Some(0));
        assert_eq!(moved_in_menu("ArrowUp", 0, 4), Some(3));
        assert_eq!(moved_in_menu("End", 0, 4), Some(3));
        assert_eq!(moved_in_menu("ArrowRight", 0, 4), None);
    }

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

    #[test]
    fn enter_and_space_press() {
        assert!(presses("Enter") && presses(" "));
        assert!(!presses("a") && !presses("Tab"));
    }
}
