//! What the toolbar and the keyboard do: start, run in slices, stop, step, go back, play. Runs
//! go in slices of about 12 ms between which the browser draws, so the page never freezes.

use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use crate::app::{Ctx, Notice};
use crate::run::Debugger;
use crate::state::{self, Session};
use crate::storage;
use statelab::Checked;

/// Milliseconds of stepping between two frames.
const SLICE_MS: f64 = 12.0;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// The notice for a browser that refuses to store the session.
const SAVE_REFUSED: &str = "The browser refuses to save this session (its storage is full, or private): \
                            what you change here is lost on reload. Keep it with Share or Export.";

/// Said when another tab saves its session: the saved session (what a new tab opens) is then
/// that tab's, though this tab keeps its own (see `storage`).
pub const OTHER_TAB_SAVED: &str = "Another Statelab tab saved its session, which a new tab would now open. This \
                                   tab keeps its own work (a reload here brings it back) and saves it again with \
                                   your next change.";

/// Saves the session on every change and re-checks the definition shortly after each edit.
pub fn install(ctx: Ctx) {
    let bundle = crate::editor::readiness();
    Effect::new(move |_| {
        if bundle.get() == Some(true) {
            crate::editor::set_field_help(crate::help::FIELDS);
        }
    });
    // An embedded view never overwrites the visitor's own saved work.
    if !ctx.embed {
        let told_other_tab = StoredValue::new(false);
        Effect::new(move |_| {
            let ok = ctx.session.with(storage::save);
            // Said once when saving stops working (the badge stays while it does not): a reload
            // would lose what is not saved, and only the user can keep it another way. The
            // notice goes when saving works again.
            let failed_before = ctx.save_failed.get_untracked();
            if !ok && !failed_before {
                ctx.notice.set(Some(crate::app::Notice { level: "warning", text: SAVE_REFUSED.into() }));
            }
            if ok
                && failed_before
                && ctx.notice.with_untracked(|n| n.as_ref().is_some_and(|n| n.text == SAVE_REFUSED))
            {
                ctx.notice.set(None);
            }
            ctx.save_failed.set(!ok);
            // This tab's session is the latest again: another tab's next save is worth a word.
            told_other_tab.set_value(false);
        });
        // Two tabs share the saved session; each keeps its own per tab, and is told when the
        // other saves over the shared one (it was silent, and looked like lost work: a QA pass).
        // The browser fires `storage` only in the tabs that did not write.
        let handle = window_event_listener(leptos::ev::storage, move |ev| {
            if ev.key().as_deref() == Some(storage::SESSION_KEY) && !told_other_tab.get_value() {
                told_other_tab.set_value(true);
                ctx.notice.set(Some(crate::app::Notice { level: "info", text: OTHER_TAB_SAVED.into() }));
            }
        });
        // The app lives as long as the page.
        std::mem::forget(handle);
        // The Undo on offer is kept in storage, so that a reload or a new tab offers it too.
        Effect::new(move |_| {
            let undo = ctx.undo_offer.get().and_then(|text| {
                Some(storage::SavedUndo {
                    text,
                    previous: ctx.previous_session.get_value()?,
                    opened: ctx.session.with_untracked(storage::digest),
                })
            });
            if let Some(undo) = undo {
                storage::save_undo(&undo);
            }
        });
        // How far the debugger is, so a reload comes back to the same step (runs are
        // deterministic: replaying the session's execution to it gives the same state). Not
        // during a Run, whose every slice would hash the session and write storage: once it ends.
        Effect::new(move |_| {
            if ctx.running.get() {
                return;
            }
            let steps = ctx.dbg.with(|d| d.as_ref().map(|d| d.exec.step_count()));
            let fingerprint = ctx.dbg_source.with_value(|s| s.as_ref().map(|(_, f)| *f));
            storage::save_position(fingerprint.zip(steps));
        });
    }
    // Undo after opening an example brings the session from before it back, which would throw
    // away anything done since: the first edit after the example ends the offer (and its notice).
    // The session is remembered with the offer it came with: a second example opened while the
    // first one's Undo was offered counted as an edit, and its own offer and notice went (a review).
    Effect::new(move |opened: Option<Option<(String, Session)>>| -> Option<(String, Session)> {
        let offer = ctx.undo_offer.get()?;
        match opened.flatten() {
            Some((text, o)) if text == offer => {
                if ctx.session.with(|now| *now == o) {
                    Some((text, o))
                } else {
                    ctx.undo_offer.set(None);
                    ctx.notice.set(None);
                    None
                }
            }
            _ => Some((offer, ctx.session.get())),
        }
    });
    // Another notice in the offer's place ends the offer, whose button went with its notice (an
    // edit then cleared that other notice, taking it for the offer's).
    Effect::new(move |_| {
        let shown = ctx.notice.with(|n| n.as_ref().map(|n| n.text.clone()));
        if ctx.undo_offer.with_untracked(|o| o.is_some() && *o != shown) {
            ctx.undo_offer.set(None);
        }
    });
    let generation = StoredValue::new(0u64);
    Effect::new(move |prev: Option<(String, Option<String>)>| {
        let key = ctx.session.with(|s| (s.definition.clone(), s.settings.state_machine.clone()));
        if prev.as_ref() == Some(&key) {
            return key;
        }
        if prev.is_some() {
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            let (text, name) = key.clone();
            set_timeout(
                move || {
                    if generation.get_value() == mine {
                        check(ctx, &text, name.as_deref());
                    }
                },
                std::time::Duration::from_millis(150),
            );
        }
        key
    });
    install_shortcuts(ctx);
}

fn install_shortcuts(ctx: Ctx) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        // A dialog or menu is open: its keys only (F10 stepped the page behind the modal
        // Examples dialog: a review). Escape closes it by its own handler.
        if crate::focus::popover_open() {
            return;
        }
        let key = ev.key();
        let ctrl = ev.ctrl_key() || ev.meta_key();
        let action: Option<fn(Ctx)> = match (key.as_str(), ctrl, ev.shift_key()) {
            ("Enter", true, _) => Some(run),
            ("F10", false, false) => Some(step),
            ("F10", true, _) => Some(step_over),
            ("F10", false, true) => Some(back),
            ("F8", _, _) => Some(run_to_breakpoint),
            ("F9", _, _) => Some(toggle_play),
            ("Escape", _, _)
                if (ctx.running.get_untracked() || ctx.playing.get_untracked())
                    && !ev.default_prevented()
                    && !crate::focus::layer_open() =>
            {
                Some(stop)
            }
            _ => None,
        };
        if let Some(action) = action {
            ev.prevent_default();
            // A setting being typed applies when its field is left: leave it first, so the run
            // uses what the field shows.
            crate::focus::commit_field();
            action(ctx);
        }
    });
    // The app lives as long as the page.
    std::mem::forget(handle);
}

/// The check of `text` (for the machine `name`), which becomes the current one. Checking the text
/// already checked gives the same check back, so a check after a run's (which checks at once,
/// not waiting for the debounce after the edit) does not redraw the graph for nothing, taking the
/// focus from one of its nodes for that moment.
fn check(ctx: Ctx, text: &str, name: Option<&str>) -> Rc<Checked> {
    let same = ctx.checked_source.with_value(|(t, n)| t == text && n.as_deref() == name);
    if same {
        return ctx.checked.get_untracked();
    }
    let checked = Rc::new(state::check(text, name));
    ctx.checked_source.set_value((text.to_string(), name.map(str::to_string)));
    ctx.checked.set(checked.clone());
    checked
}

/// Starts a new execution from the session. `false` (with the reason shown) when it cannot.
pub fn start_fresh(ctx: Ctx) -> bool {
    stop_play(ctx);
    let session = ctx.session.get_untracked();
    // Check now rather than wait for the debounce: the run must use what is in the editor.
    let checked = check(ctx, &session.definition, session.settings.state_machine.as_deref());
    let prepared = state::prepare(&session, &checked).and_then(Debugger::start);
    ctx.selected_event.set(None);
    ctx.selected_visit.set(None);
    match prepared {
        Ok(d) => {
            // The source first: whatever reacts to the new execution reads it (the summary's
            // "edited since" mark).
            let fingerprint = session.run_fingerprint();
            ctx.dbg_source.set_value(Some((session, fingerprint)));
            ctx.dbg.set(Some(d));
            ctx.run_error.set(None);
            true
        }
        Err(e) => {
            ctx.dbg.set(None);
            ctx.dbg_source.set_value(None);
            ctx.run_error.set(Some(e));
            false
        }
    }
}

/// [`start_fresh`] for a user's Run, Step, Play or Reset: when the execution cannot start, the
/// Output tab, which says why, is shown whichever tab was open (the Inspector or the Timeline
/// said nothing of it). Opening a session or coming back to a saved position leaves the tabs.
fn start_or_show_why(ctx: Ctx) -> bool {
    let started = start_fresh(ctx);
    if !started {
        ctx.tab.set(crate::app::Tab::Output);
    }
    started
}

/// Replaces the session with one the user opened (`what`: an example, a share link), keeping
/// the one before for Undo (offered unless the two are the same).
pub fn open_session(ctx: Ctx, session: Session, what: &str) {
    let previous = ctx.session.get_untracked();
    let same = previous == session;
    ctx.previous_session.set_value(Some(previous));
    ctx.selected_state.set(None);
    ctx.session.set(session);
    // (Checks the new definition at once; the execution itself waits for Run or Step.)
    start_fresh(ctx);
    ctx.dbg.set(None);
    ctx.run_error.set(None);
    let notice = opened_notice(what, same);
    ctx.undo_offer.set((!same).then(|| notice.text.clone()));
    ctx.notice.set(Some(notice));
}

/// What a share link opens, in [`opened_notice`]'s words.
pub const SHARED_SESSION: &str = "the shared session";

/// What opening `what` in place of the session says: whether Undo can bring the one before back
/// (it cannot differ when `same`).
pub fn opened_notice(what: &str, same: bool) -> Notice {
    let text = if same {
        format!("Opened {what}: it is the session you had.")
    } else {
        format!("Opened {what}. Your previous session can be restored with Undo.")
    };
    Notice { level: "info", text }
}

/// A share link pasted into the address bar of a page already open (a same-document navigation,
/// which does not reload the page): opened like a link at startup, with Undo.
pub fn follow_links(ctx: Ctx) {
    use wasm_bindgen::prelude::*;
    let Some(window) = web_sys::window() else { return };
    let cb = Closure::<dyn Fn()>::new(move || match crate::links::from_fragment() {
        Some(Ok(session)) => open_session(ctx, session, SHARED_SESSION),
        Some(Err(e)) => ctx.notice.set(Some(Notice {
            level: "error",
            text: format!(
                "This link could not be opened: {} Your session was kept.",
                crate::format::sentence(&e.to_string())
            ),
        })),
        None => {}
    });
    let _ = window.add_event_listener_with_callback("hashchange", cb.as_ref().unchecked_ref());
    // One closure for the life of the page.
    cb.forget();
}

/// Comes back to a saved debugger position (`storage::load_position`), if it belongs to the
/// session as it is now.
pub fn restore_position(ctx: Ctx, position: Option<(u64, u64)>) {
    let Some((fingerprint, steps)) = position else { return };
    if steps == 0 || ctx.session.with_untracked(Session::run_fingerprint) != fingerprint {
        return;
    }
    if start_fresh(ctx) {
        ctx.dbg.update(|d| {
            if let Some(d) = d {
                d.goto(steps);
            }
        });
    }
}

/// Whether the session was edited (breakpoints aside) since the current execution started, or
/// there is none.
pub fn is_stale(ctx: Ctx, session: &Session) -> bool {
    ctx.dbg_source.with_value(|s| !s.as_ref().is_some_and(|(s, _)| s.runs_like(session)))
}

/// An execution to go on with: the current one, or a fresh one when there is none, it has ended
/// (Play and Run to breakpoint start it again) or the session changed since it started.
fn ensure_started(ctx: Ctx) -> bool {
    let stale = is_stale(ctx, &ctx.session.get_untracked());
    let have = ctx.dbg.with_untracked(|d| d.as_ref().is_some_and(|d| !d.exec.is_done()));
    if have && !stale {
        return true;
    }
    let replaced = stale && ctx.dbg.with_untracked(Option::is_some);
    let ended = !stale && ctx.dbg.with_untracked(Option::is_some);
    let started = start_or_show_why(ctx);
    // When the edits do not start (a definition that does not check), the reason is shown in
    // the execution's place instead. Step says the execution has ended where Play started it
    // again without a word (a QA pass): both say what they do.
    let why = if replaced {
        "The session changed: started a new execution with your edits."
    } else {
        "The execution had ended: started a new one from the beginning."
    };
    if started && (replaced || ended) {
        ctx.notice.set(Some(Notice { level: "info", text: why.into() }));
    }
    started
}

/// Whether the execution shown has ended, with nothing edited since; then says so. Step and Next
/// state stop there instead of starting again: one press too many would otherwise throw the
/// finished execution away.
fn at_end(ctx: Ctx) -> bool {
    let ended = ctx.dbg.with_untracked(|d| d.as_ref().is_some_and(|d| d.exec.is_done()))
        && !is_stale(ctx, &ctx.session.get_untracked());
    if ended {
        ctx.notice.set(Some(Notice {
            level: "info",
            text:
                "The execution has ended. Back and the timeline go through it; Reset or Run starts a new one."
                    .into(),
        }));
    }
    ended
}

#[derive(Clone, Copy, PartialEq)]
enum Until {
    End,
    Breakpoint,
}

/// `text` after what an action said before it (`lead`), if anything.
fn led(lead: Option<&str>, text: &str) -> String {
    match lead {
        Some(lead) => format!("{lead} {text}"),
        None => text.to_string(),
    }
}

/// `lead`: what the action said before the run (a new execution started), said again before the
/// notice the run ends with, which takes its place.
fn run_sliced(ctx: Ctx, until: Until, lead: Option<String>) {
    if ctx.running.get_untracked() {
        return;
    }
    // The button that started the run is disabled while it goes, which takes the focus from
    // it: given back at the end, so the keyboard is not sent back to the top of the page.
    let focused = crate::focus::focused_id();
    ctx.running.set(true);
    ctx.stop.set(false);
    let breakpoints = ctx.session.with_untracked(|s| s.breakpoints.clone());
    leptos::task::spawn_local(async move {
        loop {
            let t0 = now_ms();
            let mut done = false;
            let mut hit = None;
            ctx.dbg.update(|d| {
                let Some(d) = d.as_mut() else {
                    done = true;
                    return;
                };
                let mut n = 0u32;
                loop {
                    match d.step() {
                        None => {
                            done = true;
                            break;
                        }
                        Some(s) => {
                            if until == Until::Breakpoint && d.hits(&s, &breakpoints) {
                                hit = Some(paused_at(d, &s));
                                done = true;
                                break;
                            }
                        }
                    }
                    n += 1;
                    if n.is_multiple_of(32) && now_ms() - t0 > SLICE_MS {
                        break;
                    }
                }
            });
            if let Some(text) = hit {
                ctx.notice.set(Some(Notice { level: "info", text: led(lead.as_deref(), &text) }));
            }
            if done || ctx.stop.get_untracked() {
                break;
            }
            TimeoutFuture::new(0).await;
        }
        if ctx.stop.get_untracked() {
            let steps = crate::format::count(
                ctx.dbg.with_untracked(|d| d.as_ref().map_or(0, |d| d.exec.step_count())),
                "step",
            );
            ctx.notice.set(Some(Notice {
                level: "info",
                text: format!("Stopped after {steps}. Step or Play to go on, Run to start again."),
            }));
        }
        ctx.running.set(false);
        if let Some(id) = focused {
            crate::focus::restore_after_action(move || crate::focus::by_id(&id));
        }
    });
}

/// Clears the notice a debugger action left, as the next one starts: "Paused at the breakpoint
/// on 'B'" stood on through Run, Reset and Step (a QA pass). Warnings and errors stay until
/// dismissed, and so does an offer to Undo an opened example, which an edit ends.
fn next_action(ctx: Ctx) {
    let stale = ctx.notice.with_untracked(|n| {
        n.as_ref().is_some_and(|n| {
            n.level == "info" && ctx.undo_offer.with_untracked(|o| o.as_deref() != Some(n.text.as_str()))
        })
    });
    if stale {
        ctx.notice.set(None);
    }
}

/// Runs a fresh execution to its end.
pub fn run(ctx: Ctx) {
    if ctx.running.get_untracked() {
        return;
    }
    next_action(ctx);
    if start_or_show_why(ctx) {
        run_sliced(ctx, Until::End, None);
    }
}

/// Runs until a state with a breakpoint is entered.
pub fn run_to_breakpoint(ctx: Ctx) {
    if ctx.running.get_untracked() {
        return;
    }
    next_action(ctx);
    let notice_text = || ctx.notice.with_untracked(|n| n.as_ref().map(|n| n.text.clone()));
    let before = notice_text();
    if ensure_started(ctx) {
        // That a new execution was started (after the end, or after edits) was said for a few
        // milliseconds, until the breakpoint's notice took its place (a QA pass): said with it.
        let lead = notice_text().filter(|t| Some(t) != before.as_ref());
        // Without one it runs to the end, as it should, but says why it did not pause (a QA pass).
        if ctx.session.with_untracked(|s| s.breakpoints.is_empty()) {
            let why = "No breakpoint is set, so this runs to the end: click a state in the graph, then Set breakpoint.";
            ctx.notice.set(Some(Notice { level: "info", text: led(lead.as_deref(), why) }));
        }
        run_sliced(ctx, Until::Breakpoint, lead);
    }
}

/// Stops a run or Play.
pub fn stop(ctx: Ctx) {
    ctx.stop.set(true);
    stop_play(ctx);
}

/// Runs `f` on the execution when no run is going: Play stops first, and with `start` a fresh
/// execution is started when there is none (or it is stale).
fn with_debugger(ctx: Ctx, start: bool, f: impl FnOnce(&mut Debugger)) {
    if ctx.running.get_untracked() {
        return;
    }
    stop_play(ctx);
    next_action(ctx);
    if start && !ensure_started(ctx) {
        return;
    }
    ctx.dbg.update(|d| {
        if let Some(d) = d {
            f(d);
        }
    });
}

/// One scheduler event.
pub fn step(ctx: Ctx) {
    if at_end(ctx) {
        return;
    }
    with_debugger(ctx, true, |d| {
        d.step();
    });
}

/// Steps until the next state is entered.
pub fn step_over(ctx: Ctx) {
    if at_end(ctx) {
        return;
    }
    with_debugger(ctx, true, |d| {
        d.step_over();
    });
}

/// Goes back one step.
pub fn back(ctx: Ctx) {
    with_debugger(ctx, false, Debugger::back);
}

/// Goes to step `n` (from the timeline).
pub fn goto_step(ctx: Ctx, n: u64) {
    with_debugger(ctx, false, |d| d.goto(n));
}

/// Back to before the first step.
pub fn reset(ctx: Ctx) {
    stop(ctx);
    next_action(ctx);
    start_or_show_why(ctx);
}

thread_local! {
    static PLAY: std::cell::RefCell<Option<gloo_timers::callback::Interval>> = const { std::cell::RefCell::new(None) };
}

fn stop_play(ctx: Ctx) {
    PLAY.with(|p| p.borrow_mut().take());
    if ctx.playing.get_untracked() {
        ctx.playing.set(false);
        // Stop, focused while playing, is disabled now: the focus goes on to Play.
        crate::focus::restore_after_action(|| crate::focus::by_id("play"));
    }
}

/// What Play and Run to breakpoint say when `step` entered a state with a breakpoint: paused
/// there, or, when entering it ended the execution (a Succeed or Fail state), that it was reached
/// (Run to breakpoint said nothing, so a breakpoint on the last state looked ignored: a QA pass).
fn paused_at(d: &Debugger, step: &statelab::exec::Step) -> String {
    let name = step.state.map(|id| d.exec.machine().state(id).name.to_string()).unwrap_or_default();
    if d.exec.is_done() {
        format!("Reached the breakpoint on '{name}', where the execution ended.")
    } else {
        format!("Paused at the breakpoint on '{name}'. Play or Step to go on.")
    }
}

/// Starts or pauses animated stepping at the chosen speed.
pub fn toggle_play(ctx: Ctx) {
    if ctx.playing.get_untracked() {
        stop_play(ctx);
        return;
    }
    if ctx.running.get_untracked() {
        return;
    }
    next_action(ctx);
    if !ensure_started(ctx) {
        return;
    }
    play_at_chosen_speed(ctx);
    ctx.playing.set(true);
}

/// The speed was changed: while playing, Play goes on at the new one (it kept the speed it
/// started at until paused and played again: a QA pass).
pub fn speed_changed(ctx: Ctx) {
    if ctx.playing.get_untracked() && PLAY.with(|p| p.borrow().is_some()) {
        play_at_chosen_speed(ctx);
    }
}

/// (Re)starts Play's timer at the chosen speed, replacing the one running.
fn play_at_chosen_speed(ctx: Ctx) {
    let ms = 1000 / ctx.speed.get_untracked().clamp(1, 60);
    let interval = gloo_timers::callback::Interval::new(ms, move || {
        let mut done = false;
        let mut hit = None;
        // Play pauses at a breakpoint, as Run to breakpoint does (it played through them: a QA
        // pass); read at each step, so one set while playing counts.
        let breakpoints = ctx.session.with_untracked(|s| s.breakpoints.clone());
        ctx.dbg.update(|d| match d {
            Some(d) => match d.step() {
                Some(s) if d.hits(&s, &breakpoints) => {
                    hit = Some(paused_at(d, &s));
                    done = d.exec.is_done();
                }
                Some(_) => done = d.exec.is_done(),
                None => done = true,
            },
            None => done = true,
        });
        let paused = hit.is_some();
        if let Some(text) = hit {
            ctx.notice.set(Some(Notice { level: "info", text }));
        }
        if done || paused {
            stop_play(ctx);
        }
    });
    PLAY.with(|p| *p.borrow_mut() = Some(interval));
}
