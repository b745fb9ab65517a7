//! The application shell: the signals every component shares, and the page layout.

use std::rc::Rc;

use leptos::prelude::*;
use statelab::Checked;

use crate::components::code_editor::Jump;
use crate::components::splitter::{self, Splitter};
use crate::components::{cost::CostPanel, inspector::Inspector, timeline::Timeline};
use crate::components::{
    editors::EditorPane, history::HistoryPanel, output::OutputPanel, settings::SettingsPanel,
};
use crate::components::{summary::Summary, toolbar::Toolbar};
use crate::run::Debugger;
use crate::state::{self, Session};
use crate::storage;

/// Which panel shows below the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// Output or error.
    Output,
    /// The data-flow inspector.
    Inspector,
    /// The virtual-time timeline.
    Timeline,
    /// The cost meter.
    Cost,
    /// The history table.
    History,
    /// Run settings.
    Settings,
}

/// The play speeds offered, steps per second.
pub const PLAY_SPEEDS: [u32; 4] = [1, 4, 10, 30];
/// The play speed to start with.
const DEFAULT_PLAY_SPEED: u32 = 4;

/// The result tabs in order: what each shows, its label, and its element id and test id.
const TABS: [(Tab, &str, &str); 6] = [
    (Tab::Output, "Output", "tab-output"),
    (Tab::Inspector, "Inspector", "tab-inspector"),
    (Tab::Timeline, "Timeline", "tab-timeline"),
    (Tab::History, "History", "tab-history"),
    (Tab::Cost, "Cost", "tab-cost"),
    (Tab::Settings, "Settings", "tab-settings"),
];

impl Tab {
    /// The tab's element id.
    pub fn id(self) -> &'static str {
        TABS.iter().find(|t| t.0 == self).map_or("tab-output", |t| t.2)
    }

    /// The tab whose element id is `id`.
    pub fn from_id(id: &str) -> Option<Tab> {
        TABS.iter().find(|t| t.2 == id).map(|t| t.0)
    }
}

/// Which editor is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditorTab {
    /// The state machine.
    Definition,
    /// Execution input.
    Input,
    /// Stubs.
    Stubs,
}

/// A message shown at the top until dismissed.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// `info`, `warning` or `error`.
    pub level: &'static str,
    /// The text.
    pub text: String,
}

/// The signals the whole app shares. Copy: every field is a handle.
#[derive(Clone, Copy)]
pub struct Ctx {
    /// What the user typed and chose (saved on every change).
    pub session: RwSignal<Session>,
    /// The definition, checked (re-checked shortly after each edit).
    pub checked: RwSignal<Rc<Checked>, LocalStorage>,
    /// The text and machine name `checked` is the check of.
    pub checked_source: StoredValue<(String, Option<String>)>,
    /// The current execution, if any.
    pub dbg: RwSignal<Option<Debugger>, LocalStorage>,
    /// The session the current execution was started from (to notice edits since), and its
    /// [`Session::run_fingerprint`], computed once per execution rather than on every step the
    /// debugger's saved position follows.
    pub dbg_source: StoredValue<Option<(Session, u64)>>,
    /// A run is going in the background.
    pub running: RwSignal<bool>,
    /// Stop was pressed.
    pub stop: RwSignal<bool>,
    /// Play (animated stepping) is on.
    pub playing: RwSignal<bool>,
    /// Steps per second when playing.
    pub speed: RwSignal<u32>,
    /// The graph colours states by their share of the cost.
    pub heat: RwSignal<bool>,
    /// Why the last run could not start.
    pub run_error: RwSignal<Option<String>>,
    /// Banner messages.
    pub notice: RwSignal<Option<Notice>>,
    /// The panel below the summary.
    pub tab: RwSignal<Tab>,
    /// The editor shown.
    pub editor_tab: RwSignal<EditorTab>,
    /// Requests to move an editor's cursor.
    pub jump: RwSignal<Option<Jump>>,
    /// The history event selected in the table (index into the history).
    pub selected_event: RwSignal<Option<usize>>,
    /// The state visit the inspector shows; `None` follows the latest step.
    pub selected_visit: RwSignal<Option<usize>>,
    /// The state selected in the graph.
    pub selected_state: RwSignal<Option<usize>>,
    /// The session could not be saved (storage full or forbidden).
    pub save_failed: RwSignal<bool>,
    /// The session before an example or a link replaced it (for Undo).
    pub previous_session: StoredValue<Option<Session>>,
    /// Undo is offered in the notice of this text (opening an example or a link), and only in
    /// it: a later notice in its place kept the button, which then undid the example (a QA pass).
    pub undo_offer: RwSignal<Option<String>>,
    /// Read-only embed mode (`?embed`): no editors, nothing saved.
    pub embed: bool,
}

impl Ctx {
    /// Changes the session.
    pub fn edit(&self, f: impl FnOnce(&mut Session)) {
        self.session.update(f);
    }
}

/// The playground.
#[component]
pub fn App() -> impl IntoView {
    let crashed = storage::take_crash_flag();
    let embed = crate::links::is_embed();
    let saved = if embed { None } else { storage::load() };
    // Where the debugger was before a reload (read now: the app's first save clears it).
    let mut position = if embed { None } else { storage::load_position() };
    // A share link in the fragment wins over the saved session, which Undo brings back; a bad
    // link leaves it untouched.
    let mut replaced = None;
    let (session, link_notice) = match crate::links::from_fragment() {
        Some(Ok(s)) => {
            position = None;
            let notice = match saved {
                Some(saved) if saved != s => {
                    replaced = Some(saved);
                    Some(crate::actions::opened_notice(crate::actions::SHARED_SESSION, false))
                }
                _ => None,
            };
            (s, notice)
        }
        Some(Err(e)) => (
            saved.unwrap_or_default(),
            Some(Notice {
                level: "error",
                // The embed view neither reads nor writes the saved session (a QA pass found it
                // said "kept" of it, above the default machine it showed instead).
                text: format!(
                    "This link could not be opened: {} {}",
                    crate::format::sentence(&e.to_string()),
                    if embed {
                        "Below is Statelab's default example, not the link's session."
                    } else {
                        "Your saved session was kept."
                    }
                ),
            }),
        ),
        None => {
            let session = saved.unwrap_or_default();
            // An Undo a link or an example offered before a reload (or in a tab since closed)
            // is offered again while the session is still the one it opened.
            // After a crash its notice comes first; the offer stays stored for the next load.
            let undo = if embed || crashed { None } else { storage::load_undo(&session) };
            let notice = undo.map(|u| {
                replaced = Some(u.previous);
                Notice { level: "info", text: u.text }
            });
            (session, notice)
        }
    };
    let checked = Rc::new(state::check(&session.definition, session.settings.state_machine.as_deref()));
    let checked_source = (session.definition.clone(), session.settings.state_machine.clone());
    // The panel, play speed and cost heat the page was left with (an embed starts as made).
    let view = storage::load_view().filter(|_| !embed).map(|v| storage::View {
        speed: if PLAY_SPEEDS.contains(&v.speed) { v.speed } else { DEFAULT_PLAY_SPEED },
        ..v
    });
    let ctx = Ctx {
        session: RwSignal::new(session),
        checked: RwSignal::new_local(checked),
        checked_source: StoredValue::new(checked_source),
        dbg: RwSignal::new_local(None),
        dbg_source: StoredValue::new(None),
        running: RwSignal::new(false),
        stop: RwSignal::new(false),
        playing: RwSignal::new(false),
        speed: RwSignal::new(view.as_ref().map_or(DEFAULT_PLAY_SPEED, |v| v.speed)),
        heat: RwSignal::new(view.as_ref().is_some_and(|v| v.heat)),
        run_error: RwSignal::new(None),
        undo_offer: RwSignal::new(replaced.as_ref().and(link_notice.as_ref()).map(|n| n.text.clone())),
        notice: RwSignal::new(link_notice.or_else(|| {
            crashed.then(|| Notice {
                level: "warning",
                text: "Statelab stopped unexpectedly last time. Your work was saved and is restored below."
                    .into(),
            })
        })),
        tab: RwSignal::new(view.as_ref().and_then(|v| Tab::from_id(&v.tab)).unwrap_or(Tab::Output)),
        editor_tab: RwSignal::new(EditorTab::Definition),
        jump: RwSignal::new(None),
        selected_event: RwSignal::new(None),
        selected_visit: RwSignal::new(None),
        selected_state: RwSignal::new(None),
        save_failed: RwSignal::new(false),
        previous_session: StoredValue::new(replaced),
        embed,
    };
    provide_context(ctx);
    if !embed {
        Effect::new(move |_| {
            storage::save_view(&storage::View {
                tab: ctx.tab.get().id().to_string(),
                speed: ctx.speed.get(),
                heat: ctx.heat.get(),
            });
        });
    }
    crate::actions::install(ctx);
    crate::actions::follow_links(ctx);
    // After the first render, so the page shows at once even if the replay is long.
    set_timeout(move || crate::actions::restore_position(ctx, position), std::time::Duration::ZERO);
    let graph_share =
        RwSignal::new(splitter::clamp(storage::load_graph_share().filter(|_| !embed).unwrap_or(if embed {
            splitter::EMBED_SHARE
        } else {
            splitter::DEFAULT_SHARE
        })));
    let notice = move || {
        ctx.notice.get().map(|n| {
            view! {
                <div class=format!("notice notice-{}", n.level) role="status" data-testid="notice">
                    <span>{n.text.clone()}</span>
                    <span>
                        <Show when={
                            let text = n.text.clone();
                            move || ctx.undo_offer.with(|o| o.as_deref() == Some(text.as_str()))
                        }>
                            <button data-testid="undo" on:click=move |_| {
                                if let Some(prev) = ctx.previous_session.get_value() {
                                    ctx.session.set(prev);
                                    ctx.dbg.set(None);
                                }
                                storage::forget_undo();
                                ctx.undo_offer.set(None);
                                ctx.notice.set(None);
                                // The notice goes: the focus goes to the toolbar just above it.
                                crate::focus::restore_after_action(|| crate::focus::by_id("run"));
                            }>"Undo"</button>
                        </Show>
                        <button class="link" aria-label="Dismiss" on:click=move |_| {
                            if ctx.undo_offer.with_untracked(Option::is_some) {
                                storage::forget_undo();
                            }
                            ctx.notice.set(None);
                            ctx.undo_offer.set(None);
                            crate::focus::restore_after_action(|| crate::focus::by_id("run"));
                        }>"×"</button>
                    </span>
                </div>
            }
        })
    };
    view! {
        <div class="app" class:embed=embed>
            <Toolbar/>
            {notice}
            <main class="workspace">
                <section class="pane pane-left" aria-label="Definition, input and stubs">
                    <EditorPane/>
                </section>
                <section class="pane pane-right" aria-label="Execution"
                    style=move || format!("--graph-share: {:.1}%", graph_share.get())>
                    <Summary/>
                    <crate::components::graph::Graph/>
                    <Splitter share=graph_share/>
                    <div class="tabs" role="tablist" aria-label="Execution views">
                        {TABS.iter().enumerate().map(|(at, &(tab, label, testid))| view! { <TabButton tab label testid at/> }).collect_view()}
                    </div>
                    <div class="tab-body" role="tabpanel" id="result-panel"
                        aria-labelledby=move || TABS.iter().find(|t| t.0 == ctx.tab.get()).map_or("tab-output", |t| t.2)>
                        <Show when=move || ctx.tab.get() == Tab::Output><OutputPanel/></Show>
                        <Show when=move || ctx.tab.get() == Tab::Inspector><Inspector/></Show>
                        <Show when=move || ctx.tab.get() == Tab::Timeline><Timeline/></Show>
                        <Show when=move || ctx.tab.get() == Tab::History><HistoryPanel/></Show>
                        <Show when=move || ctx.tab.get() == Tab::Cost><CostPanel/></Show>
                        <Show when=move || ctx.tab.get() == Tab::Settings><SettingsPanel/></Show>
                    </div>
                </section>
            </main>
        </div>
    }
}

/// A tab of the result area, the `at`-th of [`TABS`].
#[component]
fn TabButton(tab: Tab, label: &'static str, testid: &'static str, at: usize) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <button
            role="tab"
            class="tab"
            id=testid
            class:active=move || ctx.tab.get() == tab
            aria-selected=move || (ctx.tab.get() == tab).to_string()
            aria-controls="result-panel"
            tabindex=move || crate::keys::tab_index(ctx.tab.get() == tab)
            data-testid=testid
            on:click=move |_| ctx.tab.set(tab)
            on:keydown=move |ev| crate::keys::on_tab_key(&ev, at, &TABS, |t| t.2, |t| ctx.tab.set(t.0))
        >
            {label}
        </button>
    }
}
