//! The Statelab playground: a Leptos app that calls the interpreter directly, Rust to Rust.

mod actions;
mod app;
mod components;
mod diff;
mod editor;
mod explain;
mod focus;
mod format;
mod gallery;
mod help;
mod keys;
mod layout;
mod links;
mod run;
mod state;
mod storage;
mod variables;

fn main() {
    install_panic_hook();
    leptos::mount::mount_to_body(app::App);
    crash_test();
}

/// `?crash-test` in the address panics once the page is up: the one way to see (and test, in
/// `tests/e2e/robustness.spec.mjs`) that the panic hook keeps the session and says so, since
/// nothing a user can do is meant to panic. Always compiled in, and harmless: it only does what
/// any crash would, the session is saved before it, and it fires once per tab, so the banner's
/// Reload brings the page back.
fn crash_test() {
    const DONE: &str = "statelab.crash-test.done";
    let Some(window) = web_sys::window() else { return };
    let requested = window
        .location()
        .search()
        .is_ok_and(|q| q.trim_start_matches('?').split('&').any(|p| p == "crash-test"));
    let Some(tab) = window.session_storage().ok().flatten() else { return };
    if requested && tab.get_item(DONE).ok().flatten().is_none() {
        let _ = tab.set_item(DONE, "1");
        // After the first saves and renders, as a real crash would be.
        gloo_timers::callback::Timeout::new(300, || panic!("crash test (?crash-test in the address)"))
            .forget();
    }
}

/// Should anything ever panic, the page must not just die: the session is already saved on every
/// change, so say so, mark the crash for the next start, and offer a reload.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("Statelab crashed: {info}").into());
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = s.set_item(storage::CRASH_KEY, "1");
        }
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let Some(body) = doc.body() else { return };
        if doc.query_selector("[data-testid=crash-banner]").ok().flatten().is_some() {
            return;
        }
        if let Ok(banner) = doc.create_element("div") {
            banner.set_class_name("crash-banner");
            let _ = banner.set_attribute("role", "alert");
            let _ = banner.set_attribute("data-testid", "crash-banner");
            // A link, not a button with an `onclick`: the page's Content-Security-Policy forbids
            // inline handlers, and the app that would handle a click has stopped. Its empty href
            // reloads the page without the fragment, so a share link that crashed it is not
            // opened again; the saved session is.
            banner.set_inner_html(
                "<strong>Something broke; your work is saved.</strong> \
                 <a href=\"\" data-testid=\"crash-reload\">Reload</a> to go on where you left off.",
            );
            let _ = body.prepend_with_node_1(&banner);
        }
    }));
}
