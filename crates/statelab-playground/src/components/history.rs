//! The execution history as a table, virtualised: only the rows in view exist in the page, so
//! 25,000 events scroll and redraw as fast as 25.

use leptos::html;
use leptos::prelude::*;

use crate::app::Ctx;
use crate::format;

/// Height of one row, px (fixed, so positions are arithmetic).
const ROW: f64 = 26.0;
/// Rows drawn beyond the visible ones, above and below.
const OVERSCAN: usize = 8;

/// What one row of the table shows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Row {
    index: usize,
    id: u32,
    time: String,
    type_name: &'static str,
    state: String,
    thread: String,
    error: Option<String>,
    unstubbed: bool,
    selected: bool,
}

/// The history panel: the table and the selected event's details.
#[component]
pub fn HistoryPanel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let scroller = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let view_height = RwSignal::new(360.0f64);
    let total = move || ctx.dbg.with(|d| d.as_ref().map_or(0, |d| d.exec.history().len()));
    let rows = move || {
        let first = ((scroll_top.get() / ROW) as usize).saturating_sub(OVERSCAN);
        let count = (view_height.get() / ROW) as usize + 2 * OVERSCAN;
        let selected = ctx.selected_event.get();
        ctx.dbg.with(|d| {
            let Some(d) = d.as_ref() else { return Vec::new() };
            let start = d.exec.options().start_time_ms;
            let machine = d.exec.machine().clone();
            d.exec
                .history()
                .iter()
                .enumerate()
                .skip(first)
                .take(count)
                .map(|(i, e)| {
                    let state = e
                        .state
                        .map(|s| machine.state(s).name.to_string())
                        .or_else(|| e.details.state_name().map(|n| n.to_string()));
                    Row {
                        index: i,
                        id: e.id,
                        time: format::offset_ms(e.timestamp - start),
                        type_name: e.details.type_name(),
                        state: state.unwrap_or_default(),
                        thread: e.thread.to_string(),
                        error: e.details.error().map(|x| x.error.to_string()),
                        unstubbed: e.details.unstubbed(),
                        selected: selected == Some(i),
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    // Keyed by everything a row shows: a Step that appends events below the view leaves the rows
    // in view as they are in the page, instead of rebuilding every one of them.
    let row_view = move |r: Row| {
        let i = r.index;
        let failed = r.error.is_some();
        view! {
            <div class="h-row" class:selected=r.selected class:h-fail=failed
                style=format!("top: {}px", i as f64 * ROW) data-testid="history-row" data-type=r.type_name role="row"
                on:click=move |_| ctx.selected_event.set(Some(i))>
                <span class="h-id mono">{r.id}</span>
                <span class="h-time mono">{r.time}</span>
                <span class="h-type">{r.type_name}</span>
                <span class="h-state">
                    {(!r.thread.is_empty()).then(|| view! { <span class="thread">{r.thread}</span> })}
                    {r.state}
                </span>
                <span class="h-flags">
                    {r.error.map(|e| view! { <span class="badge badge-error">{e}</span> })}
                    {r.unstubbed.then(|| view! { <span class="badge badge-warn" data-testid="unstubbed-badge">"unstubbed"</span> })}
                </span>
            </div>
        }
    };
    let details = move || {
        let i = ctx.selected_event.get()?;
        ctx.dbg.with(|d| {
            let e = d.as_ref()?.exec.history().get(i)?;
            let text = serde_json::to_string_pretty(e).unwrap_or_default();
            Some(view! { <pre class="event-details mono" data-testid="event-details">{text}</pre> })
        })
    };
    Effect::new(move |_| {
        if let Some(el) = scroller.get() {
            view_height.set(f64::from(el.client_height()).max(ROW));
        }
    });
    view! {
        <div class="history-panel">
            <div class="h-head" role="row">
                <span class="h-id">"#"</span><span class="h-time">"Time"</span><span class="h-type">"Type"</span>
                <span class="h-state">"State"</span><span class="h-flags"></span>
            </div>
            <div class="h-scroll" node_ref=scroller data-testid="history" role="table"
                data-count=move || total().to_string()
                on:scroll=move |_| {
                    if let Some(el) = scroller.get() {
                        scroll_top.set(f64::from(el.scroll_top()));
                        view_height.set(f64::from(el.client_height()).max(ROW));
                    }
                }>
                <div class="h-spacer" style=move || format!("height: {}px", total() as f64 * ROW)><For each=rows key=Row::clone children=row_view/></div>
            </div>
            <Show when=move || total() == 0>
                <p class="muted">"No events yet."</p>
            </Show>
            {details}
        </div>
    }
}
