//! Moving the keyboard focus: to a tab just selected with the arrows, into a popover just opened,
//! back to the button that opened a popover just closed.

use wasm_bindgen::JsCast;

/// Focuses the element whose id is `id`.
pub fn by_id(id: &str) {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    focus(element);
}

/// Focuses the first element that matches the CSS `selector`.
pub fn first(selector: &str) {
    let element =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(selector).ok().flatten());
    focus(element);
}

fn focus(element: Option<web_sys::Element>) {
    if let Some(el) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
