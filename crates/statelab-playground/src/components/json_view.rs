//! A collapsible JSON tree. Children are built only when opened, so a 200 KiB document costs
//! nothing until someone looks inside it.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use statelab::source::push_token;
use statelab::Value;

use crate::format::count;

/// JSON Pointers to highlight as changed.
pub type Changed = Arc<HashSet<String>>;

/// Objects and arrays deeper than this start closed.
const OPEN_DEPTH: usize = 2;
/// Longer arrays and objects start closed whatever their depth.
const OPEN_MAX_CHILDREN: usize = 50;

fn scalar(v: &Value) -> AnyView {
    let class = match v {
        Value::String(_) => "j-str",
        Value::Number(_) => "j-num",
        Value::Bool(_) => "j-bool",
        _ => "j-null",
    };
    view! { <span class=class>{v.to_json()}</span> }.into_any()
}

fn summary(v: &Value) -> String {
    match v {
        Value::Array(_) => format!("[{}]", count(v.as_array().map_or(0, <[Value]>::len) as u64, "item")),
        Value::Object(_) => format!("{{{}}}", count(v.as_object().map_or(0, |m| m.len()) as u64, "key")),
        _ => String::new(),
    }
}

/// One node: a scalar, or a `<details>` whose children are rendered when it is opened.
fn node(key: Option<String>, v: Value, depth: usize, pointer: String, changed: Changed) -> AnyView {
    let label = key.map(|k| view! { <span class="j-key">{format!("{k}: ")}</span> });
    let is_changed = changed.contains(&pointer);
    let children = match &v {
        Value::Array(_) => v.as_array().map_or(0, <[Value]>::len),
        Value::Object(_) => v.as_object().map_or(0, |m| m.len()),
        _ => {
            return view! { <div class="j-row" class:j-changed=is_changed>{label}{scalar(&v)}</div> }
                .into_any()
        }
    };
    if children == 0 {
        return view! { <div class="j-row" class:j-changed=is_changed>{label}<span class="j-null">{v.to_json()}</span></div> }
            .into_any();
    }
    // Open down to every change, and the first levels of anything small.
    let start_open = (is_changed && depth < 12) || (depth < OPEN_DEPTH && children <= OPEN_MAX_CHILDREN);
    let opened = RwSignal::new(start_open);
    let value = SendWrapper::new(v.clone());
    let base = pointer.clone();
    let body = move || {
        opened.get().then(|| {
            let v: &Value = &value;
            let child = |token: &str| {
                let mut p = base.clone();
                push_token(&mut p, token);
                p
            };
            match v {
                Value::Array(_) => v
                    .as_array()
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        node(
                            Some(i.to_string()),
                            c.clone(),
                            depth + 1,
                            child(&i.to_string()),
                            changed.clone(),
                        )
                    })
                    .collect_view()
                    .into_any(),
                _ => v
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, c)| node(Some(k.to_string()), c.clone(), depth + 1, child(k), changed.clone()))
                    .collect_view()
                    .into_any(),
            }
        })
    };
    view! {
        <details class="j-node" open=start_open on:toggle=move |ev| {
            use wasm_bindgen::JsCast;
            if let Some(d) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                opened.set(d.open());
            }
        }>
            <summary class:j-changed=is_changed>{label}<span class="j-sum">{summary(&v)}</span></summary>
            <div class="j-children">{body}</div>
        </details>
    }
    .into_any()
}

/// A JSON value as a tree; `copy_text` is the pretty JSON for the copy button and tests.
#[component]
pub fn JsonView(
    /// The value.
    value: Value,
    /// `data-testid` of the tree.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// Pointers of the parts to highlight as changed.
    #[prop(optional)]
    changed: Option<Changed>,
) -> impl IntoView {
    let text = value.to_json_pretty();
    let tree = node(None, value, 0, String::new(), changed.unwrap_or_default());
    view! {
        <div class="json-view" data-testid=testid data-json=text>
            {tree}
        </div>
    }
}
