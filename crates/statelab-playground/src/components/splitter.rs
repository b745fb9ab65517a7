//! The handle between the graph and the panels below it: drag it (or focus it and use the
//! arrows, Page Up/Down, Home and End) to give the graph more or less of the height; a double
//! click puts it back. The share is remembered in the browser, apart from the session (it is how
//! this screen is laid out, not part of what a link shares), and never written by the embed view.

use leptos::prelude::*;

use crate::app::Ctx;
use crate::storage;

/// The graph's share of the execution pane's height, percent: at first, and the bounds.
pub const DEFAULT_SHARE: f64 = 55.0;
/// The embed view's share, which has no handle: more for the graph, as there are no editors and
/// the panel below mostly holds the output.
pub const EMBED_SHARE: f64 = 65.0;
const MIN_SHARE: f64 = 15.0;
const MAX_SHARE: f64 = 85.0;
/// How far one arrow key moves the handle, and one Page Up/Down.
const STEP: f64 = 2.5;
const PAGE: f64 = 10.0;

/// A share within bounds (a saved value may be anything).
pub fn clamp(share: f64) -> f64 {
    if share.is_finite() {
        share.clamp(MIN_SHARE, MAX_SHARE)
    } else {
        DEFAULT_SHARE
    }
}

/// The share a key moves the handle to, if it is one of the handle's keys.
fn keyed(key: &str, share: f64) -> Option<f64> {
    let to = match key {
        "ArrowUp" => share - STEP,
        "ArrowDown" => share + STEP,
        "PageUp" => share - PAGE,
        "PageDown" => share + PAGE,
        "Home" => MIN_SHARE,
        "End" => MAX_SHARE,
        _ => return None,
    };
    Some(clamp(to))
}

/// The handle. `share` is the graph's share of the pane, percent.
#[component]
pub fn Splitter(share: RwSignal<f64>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    // While dragging: the pointer's first y, the share then, and the pane's height.
    let drag = StoredValue::new(None::<(f64, f64, f64)>);
    let set = move |to: f64| {
        share.set(clamp(to));
    };
    let save = move || {
        if !ctx.embed {
            storage::save_graph_share(share.get_untracked());
        }
    };
    view! {
        <div class="splitter" role="separator" aria-orientation="horizontal" tabindex="0"
            aria-label="Graph height: drag, or use the arrow keys"
            aria-valuemin=MIN_SHARE aria-valuemax=MAX_SHARE aria-valuenow=move || format!("{:.0}", share.get())
            data-testid="graph-splitter"
            title="Drag to resize the graph; double-click to reset"
            on:pointerdown=move |ev| {
                use wasm_bindgen::JsCast;
                let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
                let pane = el.parent_element().map_or(0.0, |p| f64::from(p.client_height()));
                if pane <= 0.0 {
                    return;
                }
                let _ = el.set_pointer_capture(ev.pointer_id());
                drag.set_value(Some((f64::from(ev.client_y()), share.get_untracked(), pane)));
                ev.prevent_default();
            }
            on:pointermove=move |ev| {
                if let Some((y0, share0, pane)) = drag.get_value() {
                    set(share0 + (f64::from(ev.client_y()) - y0) / pane * 100.0);
                }
            }
            on:pointerup=move |_| {
                if drag.get_value().is_some() {
                    drag.set_value(None);
                    save();
                }
            }
            on:pointercancel=move |_| drag.set_value(None)
            on:dblclick=move |_| {
                set(DEFAULT_SHARE);
                save();
            }
            on:keydown=move |ev| {
                if let Some(to) = keyed(&ev.key(), share.get_untracked()) {
                    ev.prevent_default();
                    set(to);
                    save();
                }
            }>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_saved_values_stay_within_bounds() {
        assert_eq!(keyed("ArrowDown", 44.0), Some(46.5));
        assert_eq!(keyed("ArrowUp", 16.0), Some(15.0));
        assert_eq!(keyed("PageDown", 80.0), Some(85.0));
        assert_eq!(keyed("Home", 50.0), Some(15.0));
        assert_eq!(keyed("End", 50.0), Some(85.0));
        assert_eq!(keyed("x", 50.0), None);
        assert_eq!(clamp(f64::NAN), DEFAULT_SHARE);
        assert_eq!(clamp(1e9), 85.0);
    }
}
