//! The bridge to the CodeMirror bundle (`www/editor/editor.js`, exposed as `window.StatelabEditor`).
//! Every call is fallible on the JS side; a missing bundle degrades to a plain text area, never a
//! panic.
//!
//! The bundle is a deferred script and the app does not wait for it: the app's module starts as
//! soon as it has downloaded, builds the page while the browser is still parsing CodeMirror on
//! another thread, and creates its editors when the bundle announces itself ([`readiness`]).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = StatelabEditor, js_name = create)]
    fn js_create(parent: &web_sys::HtmlElement, opts: &JsValue) -> Result<u32, JsValue>;
    #[wasm_bindgen(catch, js_namespace = StatelabEditor, js_name = setDoc)]
    fn js_set_doc(id: u32, text: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = StatelabEditor, js_name = setDiagnostics)]
    fn js_set_diagnostics(id: u32, diags: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = StatelabEditor, js_name = goto)]
    fn js_goto(id: u32, from: u32, to: u32) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = StatelabEditor, js_name = setFieldHelp)]
    fn js_set_field_help(table: &JsValue) -> Result<(), JsValue>;
}

/// A problem to underline, in UTF-16 offsets.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorDiag {
    /// Start.
    pub from: usize,
    /// End.
    pub to: usize,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The message shown on hover.
    pub message: String,
}

/// The event `editor.js` dispatches on `window` once `window.StatelabEditor` exists.
const READY_EVENT: &str = "statelab-editor-ready";

/// Whether the editor bundle can be used: `None` while it may still run, `Some(true)` once it
/// has, `Some(false)` when the page finished loading without it (a failed download), for the
/// plain text fallback.
pub fn readiness() -> ArcRwSignal<Option<bool>> {
    thread_local! {
        static READY: ArcRwSignal<Option<bool>> = watch_bundle();
    }
    READY.with(Clone::clone)
}

fn bundle_loaded() -> bool {
    web_sys::window()
        .is_some_and(|w| js_sys::Reflect::has(&w, &JsValue::from_str("StatelabEditor")).unwrap_or(false))
}

fn watch_bundle() -> ArcRwSignal<Option<bool>> {
    if bundle_loaded() {
        return ArcRwSignal::new(Some(true));
    }
    let Some(window) = web_sys::window() else {
        return ArcRwSignal::new(Some(false));
    };
    if window.document().is_some_and(|d| d.ready_state() == "complete") {
        return ArcRwSignal::new(Some(false));
    }
    let ready = ArcRwSignal::new(None);
    // Deferred scripts have all run (or failed) before `load`, so whichever comes first decides.
    for event in [READY_EVENT, "load"] {
        let r = ready.clone();
        let cb = Closure::<dyn Fn()>::new(move || {
            if r.get_untracked().is_none() {
                r.set(Some(bundle_loaded()));
            }
        });
        let _ = window.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
        // Two small closures for the life of the page.
        cb.forget();
    }
    ready
}

fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Creates an editor inside `parent`; `on_change` gets the whole text after every edit. `None`
/// when the editor bundle is missing.
pub fn create(
    parent: &web_sys::HtmlElement,
    name: &str,
    language: &str,
    doc: &str,
    on_change: impl Fn(String) + 'static,
) -> Option<u32> {
    let opts: JsValue = js_sys::Object::new().into();
    let cb = Closure::<dyn Fn(String)>::new(on_change);
    set(&opts, "doc", &JsValue::from_str(doc));
    set(&opts, "name", &JsValue::from_str(name));
    set(&opts, "label", &JsValue::from_str(&format!("{name} editor")));
    set(&opts, "language", &JsValue::from_str(language));
    set(&opts, "onChange", cb.as_ref());
    // The editor lives as long as the page: so must its callback.
    cb.forget();
    js_create(parent, &opts).ok()
}

/// Replaces an editor's text when it differs (without calling its change callback).
pub fn set_doc(id: u32, text: &str) {
    let _ = js_set_doc(id, text);
}

/// Shows these problems (underlines, gutter marks, hover messages).
pub fn set_diagnostics(id: u32, diags: &[EditorDiag]) {
    let arr = js_sys::Array::new();
    for d in diags {
        let o: JsValue = js_sys::Object::new().into();
        set(&o, "from", &JsValue::from_f64(d.from as f64));
        set(&o, "to", &JsValue::from_f64(d.to as f64));
        set(&o, "severity", &JsValue::from_str(d.severity));
        set(&o, "message", &JsValue::from_str(&d.message));
        arr.push(&o);
    }
    let _ = js_set_diagnostics(id, &arr);
}

/// Selects a range, scrolls to it and focuses the editor.
pub fn goto(id: u32, from: usize, to: usize) {
    let _ = js_goto(id, u32::try_from(from).unwrap_or(u32::MAX), u32::try_from(to).unwrap_or(u32::MAX));
}

/// The hover help shown on ASL field names, as (field, text) pairs.
pub fn set_field_help(entries: &[(&str, &str)]) {
    let o: JsValue = js_sys::Object::new().into();
    for (k, v) in entries {
        set(&o, k, &JsValue::from_str(v));
    }
    let _ = js_set_field_help(&o);
}
