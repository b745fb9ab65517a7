//! A CodeMirror editor bound to a text signal, with diagnostics and jump requests.

use leptos::html;
use leptos::prelude::*;

use crate::editor::{self, EditorDiag};

/// A request to move an editor's cursor to a UTF-16 range; `seq` makes repeated requests for the
/// same place distinct.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jump {
    /// Which editor: `definition`, `input` or `stubs`.
    pub editor: &'static str,
    /// Start.
    pub from: usize,
    /// End.
    pub to: usize,
    /// Request number.
    pub seq: u64,
}

/// A code editor.
#[component]
pub fn CodeEditor(
    /// `definition`, `input` or `stubs`: names the editor and its `data-testid`.
    name: &'static str,
    /// `json`, `yaml` or `auto`.
    language: &'static str,
    /// The text; the editor follows it when it changes elsewhere (an example, a share link).
    #[prop(into)]
    text: Signal<String>,
    /// Called with the whole text after every edit.
    on_change: Callback<String>,
    /// Problems to underline.
    #[prop(into)]
    diagnostics: Signal<Vec<EditorDiag>>,
    /// Cursor moves requested from elsewhere (the diagnostics list).
    #[prop(into)]
    jump: Signal<Option<Jump>>,
    /// Whether the editor's tab is showing. CodeMirror is created the first time it is, and then
    /// kept: the page starts with one editor instead of three (a hidden one cost about 3 ms).
    #[prop(into)]
    shown: Signal<bool>,
) -> impl IntoView {
    let host = NodeRef::<html::Div>::new();
    let id = RwSignal::new(None::<u32>);
    let failed = RwSignal::new(false);
    let bundle = editor::readiness();
    Effect::new(move |_| {
        if id.get_untracked().is_some() || failed.get_untracked() || !shown.get() {
            return;
        }
        match bundle.get() {
            None => return,
            Some(false) => return failed.set(true),
            Some(true) => {}
        }
        if let Some(el) = host.get() {
            let initial = text.get_untracked();
            match editor::create(&el, name, language, &initial, move |t| on_change.run(t)) {
                Some(i) => id.set(Some(i)),
                None => failed.set(true),
            }
        }
    });
    Effect::new(move |_| {
        let t = text.get();
        if let Some(i) = id.get() {
            editor::set_doc(i, &t);
        }
    });
    Effect::new(move |_| {
        let d = diagnostics.get();
        if let Some(i) = id.get() {
            editor::set_diagnostics(i, &d);
        }
    });
    Effect::new(move |_| {
        if let (Some(j), Some(i)) = (jump.get(), id.get()) {
            if j.editor == name {
                editor::goto(i, j.from, j.to);
            }
        }
    });
    let testid = format!("{name}-editor");
    view! {
        <div class="code-editor" data-testid=testid node_ref=host>
            <Show when=move || failed.get()>
                <textarea
                    class="fallback-editor"
                    aria-label=format!("{name} (plain text: the code editor did not load)")
                    prop:value=move || text.get()
                    on:input=move |ev| on_change.run(event_target_value(&ev))
                ></textarea>
            </Show>
        </div>
    }
}
