//! localStorage: the session is saved on every change and restored on reload, so nothing typed
//! is lost. Storage that is full or forbidden degrades to "not saved", never to a crash.
//!
//! Each tab also keeps its own copy in sessionStorage, which a reload of that tab restores: with
//! two tabs open, localStorage holds whichever saved last (what a new tab opens), and a reload of
//! the other tab used to bring back that tab's work instead of its own (a QA pass).

use crate::state::Session;

/// Where the session lives.
pub const SESSION_KEY: &str = "statelab.session.v1";
/// The graph's share of the execution pane's height (a layout preference, not in the session).
pub const GRAPH_SHARE_KEY: &str = "statelab.graph-share";
/// Where the debugger was: how far into an execution of which session (`fingerprint:steps`).
pub const POSITION_KEY: &str = "statelab.position";
/// How the page was left: the panel shown, the play speed, the graph's cost heat.
pub const VIEW_KEY: &str = "statelab.view";
/// The Undo offered for a session a link or an example replaced ([`SavedUndo`]).
pub const UNDO_KEY: &str = "statelab.undo.v1";
/// Set by the panic hook, read on the next start to say what happened.
pub const CRASH_KEY: &str = "statelab.crashed";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn tab_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The saved session, if any: this tab's own (after a reload), else the one saved last by any
/// tab. A corrupt one is ignored, and kept aside for recovery.
pub fn load() -> Option<Session> {
    let own = tab_storage().and_then(|t| t.get_item(SESSION_KEY).ok().flatten());
    let s = storage();
    let text = own.or_else(|| s.as_ref()?.get_item(SESSION_KEY).ok().flatten())?;
    match serde_json::from_str(&text) {
        Ok(session) => Some(session),
        Err(_) => {
            if let Some(s) = s {
                let _ = s.set_item(&format!("{SESSION_KEY}.unreadable"), &text);
            }
            None
        }
    }
}

/// Saves the session, for this tab and as the latest for new tabs. `false` when the browser
/// refused (quota, private mode).
pub fn save(session: &Session) -> bool {
    let Ok(text) = serde_json::to_string(session) else { return false };
    if let Some(t) = tab_storage() {
        let _ = t.set_item(SESSION_KEY, &text);
    }
    storage().is_some_and(|s| s.set_item(SESSION_KEY, &text).is_ok())
}

/// Whether the last visit ended in a crash (and clears the flag).
pub fn take_crash_flag() -> bool {
    let Some(s) = storage() else { return false };
    let crashed = s.get_item(CRASH_KEY).ok().flatten().is_some();
    let _ = s.remove_item(CRASH_KEY);
    crashed
}

/// The graph's share of the pane the user last chose, percent, if any.
pub fn load_graph_share() -> Option<f64> {
    storage()?.get_item(GRAPH_SHARE_KEY).ok().flatten()?.parse().ok()
}

/// Remembers the graph's share of the pane (silently not, where storage is refused).
pub fn save_graph_share(share: f64) {
    if let Some(s) = storage() {
        let _ = s.set_item(GRAPH_SHARE_KEY, &format!("{share:.1}"));
    }
}

/// How the page was left (layout preferences, not in the session: a link does not carry them).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct View {
    /// The execution panel's tab, by its element id (`tab-history`).
    pub tab: String,
    /// Play speed, steps per second.
    pub speed: u32,
    /// The graph colours states by their share of the cost.
    pub heat: bool,
}

/// The view saved last, if any (an unreadable one is ignored).
pub fn load_view() -> Option<View> {
    serde_json::from_str(&storage()?.get_item(VIEW_KEY).ok().flatten()?).ok()
}

/// Remembers the view (silently not, where storage is refused).
pub fn save_view(view: &View) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(view)) {
        let _ = s.set_item(VIEW_KEY, &text);
    }
}

/// The saved debugger position: the fingerprint of the session its execution ran
/// ([`Session::run_fingerprint`]) and the steps taken. This tab's own, as for the session (a
/// reload brought back the position another tab saved last: a QA pass), else the latest.
pub fn load_position() -> Option<(u64, u64)> {
    match tab_storage().and_then(|t| t.get_item(POSITION_KEY).ok().flatten()) {
        // This tab's, "none" included: a tab with no execution did not come back at another's.
        Some(own) => parse_position(&own),
        None => parse_position(&storage()?.get_item(POSITION_KEY).ok().flatten()?),
    }
}

/// Remembers the debugger's position (`None`: there is no execution), for this tab and as the
/// latest for new tabs.
pub fn save_position(position: Option<(u64, u64)>) {
    let text = position.map(|(fingerprint, steps)| format!("{fingerprint}:{steps}"));
    if let Some(t) = tab_storage() {
        let _ = t.set_item(POSITION_KEY, text.as_deref().unwrap_or("none"));
    }
    if let Some(s) = storage() {
        let _ = match &text {
            Some(text) => s.set_item(POSITION_KEY, text),
            None => s.remove_item(POSITION_KEY),
        };
    }
}

/// An Undo still offered: the notice that offers it, the session it brings back, and the
/// [`digest`] of the session that replaced it. Kept in storage so that a reload, or a new tab
/// after the old one was closed, can still offer it: the session before a link was otherwise
/// kept only in the page, and lost with it (a QA pass).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SavedUndo {
    /// The notice's text.
    pub text: String,
    /// The session Undo brings back.
    pub previous: Session,
    /// The [`digest`] of the session that replaced it: the offer stands while that is the
    /// session (an edit ends it, as it does in the page).
    pub opened: u64,
}

/// A digest of everything in a session (its breakpoints too), the same on every page load.
pub fn digest(session: &Session) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    serde_json::to_string(session).unwrap_or_default().hash(&mut h);
    h.finish()
}

/// The Undo offered for `session`, if one was saved for it.
pub fn load_undo(session: &Session) -> Option<SavedUndo> {
    let text = storage()?.get_item(UNDO_KEY).ok().flatten()?;
    serde_json::from_str::<SavedUndo>(&text).ok().filter(|u| u.opened == digest(session))
}

/// Remembers the Undo on offer. Where storage refuses (a quota), it is offered in this page
/// only, as before. An offer that ends by an edit stays stored but is never offered again: it
/// belongs to the session before the edit ([`load_undo`]); another page ending its own offer, or
/// having none, leaves it alone (a review found any page load without one erased it).
pub fn save_undo(undo: &SavedUndo) {
    let Some(s) = storage() else { return };
    let saved = serde_json::to_string(undo).ok().is_some_and(|t| s.set_item(UNDO_KEY, &t).is_ok());
    if !saved {
        let _ = s.remove_item(UNDO_KEY);
    }
}

/// Forgets the stored Undo: it was used, or dismissed.
pub fn forget_undo() {
    if let Some(s) = storage() {
        let _ = s.remove_item(UNDO_KEY);
    }
}

fn parse_position(text: &str) -> Option<(u64, u64)> {
    let (fingerprint, steps) = text.split_once(':')?;
    Some((fingerprint.parse().ok()?, steps.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::parse_position;

    #[test]
    fn positions_read_back_and_junk_is_ignored() {
        assert_eq!(parse_position("123:45"), Some((123, 45)));
        assert_eq!(parse_position("123"), None);
        assert_eq!(parse_position("x:1"), None);
        assert_eq!(parse_position("1:-1"), None);
    }
}
