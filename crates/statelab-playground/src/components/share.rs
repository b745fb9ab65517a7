//! Share, export and the examples gallery: the toolbar's right-hand side.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::{Ctx, Notice};
use crate::gallery;
use crate::state;

/// The page's address without fragment or query: where shared links point.
fn base_url() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_else(|| "http://127.0.0.1:8080/".into())
}

/// Offers `text` as a file download.
pub fn download(name: &str, mime: &str, text: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(a) = doc.create_element("a").map(|e| e.unchecked_into::<web_sys::HtmlAnchorElement>()) {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Whether the Share link reached the clipboard.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Copied {
    /// Not known yet (the browser answers a moment later).
    Asking,
    Yes,
    /// The browser has no clipboard for this page (not a secure context) or refused.
    No,
}

/// The page's clipboard, where the browser gives it one: outside a secure context (http on
/// another host than localhost) `navigator.clipboard` is undefined, and calling it threw, so
/// Share showed nothing (a QA pass).
fn clipboard() -> Option<web_sys::Clipboard> {
    let navigator = web_sys::window()?.navigator();
    let clip = js_sys::Reflect::get(&navigator, &wasm_bindgen::JsValue::from_str("clipboard")).ok()?;
    (!clip.is_undefined() && !clip.is_null()).then(|| clip.unchecked_into())
}

/// Copies `text`, and says in `copied` whether the browser did (it refuses in a cross-origin
/// frame, or without permission: that was an uncaught error, and the link said "copied").
fn copy(text: &str, copied: RwSignal<Copied>) {
    copied.set(Copied::Asking);
    let Some(clip) = clipboard() else {
        copied.set(Copied::No);
        return;
    };
    let promise = clip.write_text(text);
    leptos::task::spawn_local(async move {
        let answer = wasm_bindgen_futures::JsFuture::from(promise).await;
        copied.try_set(if answer.is_ok() { Copied::Yes } else { Copied::No });
    });
}

/// The Share button and its link.
#[component]
pub fn ShareButton() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let link = RwSignal::new(None::<String>);
    let copied = RwSignal::new(Copied::Asking);
    let make = move |_| {
        let s = ctx.session.get_untracked();
        let shared = state::to_shared(&s);
        let url = match statelab::share::checked_link(&base_url(), &shared) {
            Ok(url) => url,
            Err(e) => {
                ctx.notice.set(Some(Notice { level: "error", text: e.message }));
                return;
            }
        };
        copy(&url, copied);
        link.set(Some(url));
    };
    dismissable(move || link.get_untracked().is_some(), move || link.set(None), "share", ".popover");
    view! {
        <button id="share" data-testid="share" title="Copy a link that opens this exact session" on:click=make>"Share"</button>
        {move || link.get().map(|url| view! {
            <div class="popover" role="dialog" aria-label="Share link">
                <p data-testid="share-copied">{move || match copied.get() {
                    Copied::Yes => "Link copied. ",
                    Copied::No => "The browser did not let the page copy the link: copy it from the box below. ",
                    Copied::Asking => "",
                }}"Everything is in the link itself; nothing is sent to a server."</p>
                <input type="text" readonly data-testid="share-link" prop:value=url.clone()
                    on:focus=move |ev| {
                        if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            i.select();
                        }
                    }/>
                <div class="popover-actions">
                    <a class="button" href=url.clone() target="_blank" rel="noopener">"Open"</a>
                    <a class="button" href=format!("{}?embed{}", base_url(), url.find('#').map_or("", |i| url.get(i..).unwrap_or(""))) target="_blank" rel="noopener" data-testid="embed-link">"Embed view"</a>
                    <button on:click=move |_| link.set(None)>"Close"</button>
                </div>
            </div>
        })}
    }
}

/// Closes the Export menu after an item was chosen, giving the focus back to its button (the
/// item had it and goes with the menu).
fn close(open: RwSignal<bool>) {
    open.set(false);
    crate::focus::restore_after_action(|| crate::focus::by_id("export"));
}

/// Export menu: history, stubs as a mock config, the definition as JSON or YAML.
#[component]
pub fn ExportMenu() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let open = RwSignal::new(false);
    // The last notice an export gave: a later export that succeeds takes it away (it stayed, and
    // read as if that export had failed too), and leaves any other notice alone.
    let said = StoredValue::new(None::<String>);
    let say = move |level: &'static str, text: String| {
        said.set_value(Some(text.clone()));
        ctx.notice.set(Some(Notice { level, text }));
    };
    let unsay = move || {
        let ours = ctx.notice.with_untracked(|n| n.as_ref().map(|n| n.text.clone())) == said.get_value();
        if ours && said.get_value().is_some() {
            ctx.notice.set(None);
        }
        said.set_value(None);
    };
    let history = move |_| {
        let text =
            ctx.dbg.with_untracked(|d| d.as_ref().map(|d| statelab::export::history_json(d.exec.history())));
        match text {
            Some(t) => {
                unsay();
                download("statelab-history.json", "application/json", &t)
            }
            None => say("info", "Run or step first: there is no history yet.".into()),
        }
        close(open);
    };
    let mock = move |_| {
        let s = ctx.session.get_untracked();
        let name =
            ctx.checked.with_untracked(|c| c.selected.clone()).unwrap_or_else(|| "StateMachine".into());
        match crate::state::mock_config_export(&s.stubs, &name) {
            Ok((config, note)) => {
                unsay();
                download("MockConfigFile.json", "application/json", &(config.to_json_pretty() + "\n"));
                if let Some(text) = note {
                    say("info", text);
                }
            }
            Err(e) => say("error", format!("Cannot export the stubs: {e}")),
        }
        close(open);
    };
    let definition = move |yaml: bool| {
        let def = ctx.checked.with_untracked(|c| c.definition.clone());
        match def {
            Some(d) if yaml => {
                unsay();
                download("state-machine.asl.yaml", "text/yaml", &statelab::export::to_yaml(&d))
            }
            Some(d) => {
                unsay();
                download("state-machine.asl.json", "application/json", &(d.to_json_pretty() + "\n"))
            }
            None => say("error", "Fix the definition first: it could not be read.".into()),
        }
        close(open);
    };
    dismissable(move || open.get_untracked(), move || open.set(false), "export", ".menu-list");
    // Opened, the menu takes the focus; the arrows, Home and End move through its items.
    Effect::new(move |_| {
        if open.get() {
            set_timeout(|| crate::focus::by_id(EXPORT_ITEMS[0]), std::time::Duration::ZERO);
        }
    });
    let arrows = |at: usize| {
        move |ev: leptos::ev::KeyboardEvent| {
            if let Some(to) = crate::keys::moved_in_menu(&ev.key(), at, EXPORT_ITEMS.len()) {
                ev.prevent_default();
                crate::focus::by_id(EXPORT_ITEMS[to]);
            }
        }
    };
    view! {
        <div class="menu">
            <button id="export" data-testid="export" aria-haspopup="true" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
                on:keydown=move |ev| {
                    if ev.key() == "ArrowDown" {
                        ev.prevent_default();
                        open.set(true);
                    }
                }>"Export ▾"</button>
            <Show when=move || open.get()>
                <div class="menu-list" role="menu">
                    <button role="menuitem" id=EXPORT_ITEMS[0] data-testid=EXPORT_ITEMS[0] on:click=history on:keydown=arrows(0)>"History (GetExecutionHistory JSON)"</button>
                    <button role="menuitem" id=EXPORT_ITEMS[1] data-testid=EXPORT_ITEMS[1] on:click=mock on:keydown=arrows(1)>"Stubs as a Step Functions Local mock config"</button>
                    <button role="menuitem" id=EXPORT_ITEMS[2] data-testid=EXPORT_ITEMS[2] on:click=move |_| definition(false) on:keydown=arrows(2)>"Definition as JSON"</button>
                    <button role="menuitem" id=EXPORT_ITEMS[3] data-testid=EXPORT_ITEMS[3] on:click=move |_| definition(true) on:keydown=arrows(3)>"Definition as YAML"</button>
                </div>
            </Show>
        </div>
    }
}

/// The export menu's items in order, by element id (also their test ids).
const EXPORT_ITEMS: [&str; 4] = ["export-history", "export-mock-config", "export-json", "export-yaml"];

/// The examples gallery.
#[component]
pub fn Gallery() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let open = RwSignal::new(false);
    let load = move |id: &'static str| {
        let Some(ex) = gallery::examples().into_iter().find(|e| e.id == id) else { return };
        crate::actions::open_session(ctx, ex.session, &format!("the example \u{201c}{}\u{201d}", ex.title));
        open.set(false);
        // The list the focus was in is gone: it goes back to the button that opened it.
        set_timeout(|| crate::focus::by_id("open-examples"), std::time::Duration::ZERO);
    };
    dismissable(move || open.get_untracked(), move || open.set(false), "open-examples", ".gallery");
    // Opened, the list takes the focus, so the examples are one Tab or arrow away.
    Effect::new(move |_| {
        if open.get() {
            set_timeout(|| crate::focus::first(".gallery .example"), std::time::Duration::ZERO);
        }
    });
    view! {
        <button id="open-examples" data-testid="open-examples" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>"Examples"</button>
        <Show when=move || open.get()>
            <div class="gallery" role="dialog" aria-modal="true" aria-label="Examples"
                on:keydown=move |ev| crate::focus::trap_tab(&ev, ".gallery")>
                <div class="gallery-head">
                    <h2>"Examples"</h2>
                    <button data-testid="close-examples" on:click=move |_| {
                        open.set(false);
                        crate::focus::by_id("open-examples");
                    } aria-label="Close">"×"</button>
                </div>
                <ul data-testid="examples">
                    {gallery::examples().into_iter().map(|e| {
                        let id = e.id;
                        view! {
                            <li>
                                <button class="example" data-testid="example" data-example=id on:click=move |_| load(id)>
                                    <strong>{e.title}</strong>
                                    <span class="muted">{e.summary}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}

/// Makes a popover (the element `popover` selects) dismissable, as a dialog or menu should be:
/// while `is_open` says it is open, Escape closes it and gives the focus back to the button that
/// opened it (the element with id `opener`), and a press anywhere outside both closes it.
fn dismissable(
    is_open: impl Fn() -> bool + Copy + 'static,
    close: impl Fn() + Copy + 'static,
    opener: &'static str,
    popover: &'static str,
) {
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && is_open() && !ev.default_prevented() {
            // Handled: the shortcut that stops a run leaves it alone.
            ev.prevent_default();
            close();
            crate::focus::by_id(opener);
        }
    });
    let presses = window_event_listener(leptos::ev::pointerdown, move |ev| {
        if !is_open() {
            return;
        }
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok()) else { return };
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let inside = |el: Option<web_sys::Element>| el.is_some_and(|el| el.contains(Some(&target)));
        if !inside(doc.get_element_by_id(opener)) && !inside(doc.query_selector(popover).ok().flatten()) {
            close();
        }
    });
    on_cleanup(move || {
        keys.remove();
        presses.remove();
    });
}
