//! Moving the keyboard focus: to a tab just selected with the arrows, into a popover just opened,
//! back to the button that opened a popover just closed, back to a graph node redrawn.

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

/// Focuses the graph's node for the state `name` (after the graph redrew its nodes, which drops
/// the focus of the one that had it).
pub fn graph_node(name: &str) {
    first(&format!("[data-testid=graph-node][data-state={}]", css_string(name)));
}

/// Whether a layer that Escape closes is open: the Share popover, the Export menu, the Examples
/// dialog or a state's panel. Escape then closes that layer only, and does not also stop a run
/// (one press did both: a QA pass).
pub fn layer_open() -> bool {
    open(".popover, .menu-list, .gallery, .node-panel")
}

/// Whether the Share popover, the Export menu or the Examples dialog is open: layers above a
/// state's panel, which Escape closes first (one press closed both: a review).
pub fn popover_open() -> bool {
    open(".popover, .menu-list, .gallery")
}

fn open(selector: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .is_some()
}

/// Leaves the form field that has the focus, if one has it, which applies what was typed in it
/// (the settings apply a value when their field is left).
pub fn commit_field() {
    let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
    if let Some(input) = active.and_then(|a| a.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        let _ = input.blur();
    }
}

/// After a redraw that replaces the element with the focus (or rebuilds it: removing its
/// `tabindex` to set it again blurs it): runs `restore` once the redraw is done, if the focus was
/// lost with the element (never when the user has moved it since).
///
/// A microtask, not a zero-delay timeout: it runs as soon as the redraw's own task is done,
/// before the browser handles the next key press. With a timeout, a key pressed in between went
/// to the page instead of the node and was lost (the browser suite caught an arrow key lost so,
/// when a debounced check redrew the graph just as the key was pressed).
pub fn restore_after_redraw(restore: impl FnOnce() + 'static) {
    leptos::prelude::queue_microtask(move || {
        if lost() {
            restore();
        }
    });
}

/// After an action whose control goes away with it (a chip for the stub just added, a notice
/// dismissed, a menu item chosen, Back disabled at the first step): once the page has redrawn,
/// runs `restore` if the focus went with the control, so the keyboard is not sent back to the
/// top of the page.
pub fn restore_after_action(restore: impl FnOnce() + 'static) {
    leptos::prelude::set_timeout(
        move || {
            if lost() {
                restore();
            }
        },
        std::time::Duration::ZERO,
    );
}

/// Whether the focus is nowhere in particular (on the page itself): what a redraw that removed
/// the focused element leaves. A restore checks it first, so it never takes the focus back
/// from where the user has moved it since.
fn lost() -> bool {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return false };
    match (doc.active_element(), doc.body()) {
        (None, _) => true,
        (Some(active), Some(body)) => active == *body.as_ref(),
        (Some(_), None) => false,
    }
}

/// The id of the element that has the focus, if it has one.
pub fn focused_id() -> Option<String> {
    let id = web_sys::window()?.document()?.active_element()?.id();
    (!id.is_empty()).then_some(id)
}

/// The state of the graph node that has the focus, if one has it.
pub fn focused_graph_node() -> Option<String> {
    let active = web_sys::window()?.document()?.active_element()?;
    (active.get_attribute("data-testid").as_deref() == Some("graph-node"))
        .then(|| active.get_attribute("data-state"))
        .flatten()
}

/// `text` as a quoted CSS string, for an attribute selector (a state name may hold any character).
fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\{:x} ", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn focus(element: Option<web_sys::Element>) {
    let Some(element) = element else { return };
    // The graph's nodes are SVG elements, which can take the focus too.
    let _ = match element.dyn_into::<web_sys::HtmlElement>() {
        Ok(html) => html.focus(),
        Err(other) => match other.dyn_into::<web_sys::SvgElement>() {
            Ok(svg) => svg.focus(),
            Err(_) => Ok(()),
        },
    };
}

/// Keeps Tab inside the modal dialog `selector`: from its last control on to its first, and from
/// its first back to its last with Shift+Tab (the Examples dialog let the focus walk out to the
/// page behind it while it stayed open: a QA pass).
pub fn trap_tab(ev: &web_sys::KeyboardEvent, selector: &str) {
    if ev.key() != "Tab" {
        return;
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let controls = format!("{selector} button, {selector} input, {selector} select, {selector} a[href]");
    let Ok(list) = doc.query_selector_all(&controls) else { return };
    let (Some(first), Some(last)) = (list.item(0), list.length().checked_sub(1).and_then(|i| list.item(i)))
    else {
        return;
    };
    let active = doc.active_element();
    let is_active = |node: &web_sys::Node| active.as_ref().is_some_and(|a| node.is_same_node(Some(a)));
    let to = match (ev.shift_key(), is_active(&first), is_active(&last)) {
        (true, true, _) => last,
        (false, _, true) => first,
        _ => return,
    };
    ev.prevent_default();
    focus(to.dyn_into::<web_sys::Element>().ok());
}

#[cfg(test)]
mod tests {
    use super::css_string;

    #[test]
    fn css_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(css_string("Hello World"), r#""Hello World""#);
        assert_eq!(css_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(css_string("x\ny\u{1b}"), "\"x\\a y\\1b \"");
    }
}
