//! The execution history as a table, virtualised: only the rows in view exist in the page, so
//! 25,000 events scroll and redraw as fast as 25.

use leptos::html;
use leptos::prelude::*;

use crate::app::Ctx;
use crate::components::json_view::JsonView;
use crate::format;

/// Height of one row, px (fixed, so positions are arithmetic).
const ROW: f64 = 26.0;
/// Rows drawn beyond the visible ones, above and below.
const OVERSCAN: usize = 8;

/// The event a key moves the selection to in a history of `total` events, `page` rows to a
/// screen: Up/Down by one, Page Up/Down by a screen, Home/End to the ends. With nothing selected,
/// any of them starts at the first event (End at the last).
fn moved(key: &str, selected: Option<usize>, total: usize, page: usize) -> Option<usize> {
    let last = total.checked_sub(1)?;
    let page = page.max(1);
    let to = match (key, selected) {
        ("Home", _) => 0,
        ("End", _) => last,
        ("ArrowDown" | "ArrowUp" | "PageDown" | "PageUp", None) => 0,
        ("ArrowDown", Some(i)) => i.saturating_add(1),
        ("ArrowUp", Some(i)) => i.saturating_sub(1),
        ("PageDown", Some(i)) => i.saturating_add(page),
        ("PageUp", Some(i)) => i.saturating_sub(page),
        _ => return None,
    };
    Some(to.min(last))
}

/// Where to scroll a list of `ROW`-high rows, now at `top` and `height` high, so that row
/// `index` is in full view; `None` when it already is.
fn scroll_to_show(index: usize, top: f64, height: f64) -> Option<f64> {
    let (row_top, row_bottom) = (index as f64 * ROW, (index + 1) as f64 * ROW);
    if row_top < top {
        Some(row_top)
    } else if row_bottom > top + height {
        Some((row_bottom - height).max(0.0))
    } else {
        None
    }
}

/// Where to scroll a list of `total` rows in a view `height` high to show its end.
fn follow_top(total: usize, height: f64) -> f64 {
    (total as f64 * ROW - height).max(0.0)
}

/// Whether a list of `total` rows scrolled to `top` in a view `height` high shows its last row
/// (within half a row).
fn at_end(total: usize, top: f64, height: f64) -> bool {
    top + height >= total as f64 * ROW - ROW / 2.0
}

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
    // Like a log viewer, the table follows the newest events while it is scrolled to its end (as
    // it is when it opens), so a Step, a run or a Back shows what changed; scrolled up, it stays
    // where it was put.
    let follow = StoredValue::new(true);
    Effect::new(move |_| {
        let n = total();
        if follow.get_value() && scroller.get().is_some() {
            // After the spacer has grown to the new length. By then the panel may be gone (a run
            // that could not start shows the Output tab instead): `try_`, as a disposed node
            // reference panicked.
            request_animation_frame(move || {
                if let Some(el) = scroller.try_get_untracked().flatten() {
                    el.set_scroll_top(follow_top(n, f64::from(el.client_height())) as i32);
                }
            });
        }
    });
    // The selected event stays in view however it was selected (keys, a click, the timeline), also
    // when selecting it opens its details and the table gets shorter: measured after that redraw.
    Effect::new(move |_| {
        let Some(i) = ctx.selected_event.get() else { return };
        request_animation_frame(move || {
            if let Some(el) = scroller.try_get_untracked().flatten() {
                let (top, height) = (f64::from(el.scroll_top()), f64::from(el.client_height()));
                if let Some(to) = scroll_to_show(i, top, height) {
                    el.set_scroll_top(to as i32);
                }
            }
        });
    });
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
        // The whole name on hover: the column cuts long ones short. The state first, then the
        // branch or iteration: in a narrow column the name is what must stay readable.
        let title = format!("{}{}", r.state, crate::format::in_thread(&r.thread));
        view! {
            // Only the rows in view exist: their index tells assistive technology where they are.
            <div class="h-row" class:selected=r.selected class:h-fail=failed
                style=format!("top: {}px", i as f64 * ROW) data-testid="history-row" data-type=r.type_name role="row"
                aria-selected=r.selected.to_string() aria-rowindex=(i + 1).to_string()
                on:click=move |_| ctx.selected_event.set(Some(i))>
                <span class="h-id mono" role="gridcell">{r.id}</span>
                <span class="h-time mono" role="gridcell">{r.time}</span>
                <span class="h-type" role="gridcell">{r.type_name}</span>
                <span class="h-state" role="gridcell" title=title>
                    {r.state}
                    {(!r.thread.is_empty()).then(|| view! { <span class="thread thread-after">{r.thread}</span> })}
                </span>
                <span class="h-flags" role="gridcell">
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
            // AWS writes payloads as strings of escaped JSON, one long line each: shown as trees
            // first, then the event as AWS writes it.
            let payloads = e
                .details
                .payloads()
                .into_iter()
                .map(|(name, value)| {
                    let label = name.clone();
                    view! {
                        <div class="stage event-payload" data-testid="event-payload" data-name=name>
                            <div class="stage-name">{label}</div>
                            <JsonView value=value.clone()/>
                        </div>
                    }
                })
                .collect_view();
            Some(view! {
                <div class="event-details" data-testid="event-details">
                    {payloads}
                    <pre class="event-raw mono" aria-label="The event as GetExecutionHistory gives it">{text}</pre>
                </div>
            })
        })
    };
    Effect::new(move |_| {
        if let Some(el) = scroller.get() {
            view_height.set(f64::from(el.client_height()).max(ROW));
        }
    });
    view! {
        <div class="history-panel">
            // The column titles, for the eye (a row outside the grid would be no row to a reader).
            <div class="h-head" aria-hidden="true">
                <span class="h-id">"#"</span><span class="h-time">"Time"</span><span class="h-type">"Type"</span>
                <span class="h-state">"State"</span><span class="h-flags"></span>
            </div>
            <div class="h-scroll" node_ref=scroller data-testid="history" role="grid"
                aria-rowcount=move || total().to_string()
                aria-label="Execution history: arrow keys, Page Up/Down, Home and End select an event"
                tabindex="0"
                data-count=move || total().to_string()
                on:keydown=move |ev| {
                    let page = (view_height.get_untracked() / ROW) as usize;
                    let Some(i) = moved(&ev.key(), ctx.selected_event.get_untracked(), total(), page) else { return };
                    ev.prevent_default();
                    ctx.selected_event.set(Some(i));
                }
                on:scroll=move |_| {
                    if let Some(el) = scroller.get() {
                        let (top, height) = (f64::from(el.scroll_top()), f64::from(el.client_height()));
                        scroll_top.set(top);
                        view_height.set(height.max(ROW));
                        follow.set_value(at_end(total(), top, height));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_move_the_selection_within_the_history() {
        assert_eq!(moved("ArrowDown", None, 10, 5), Some(0));
        assert_eq!(moved("ArrowDown", Some(3), 10, 5), Some(4));
        assert_eq!(moved("ArrowDown", Some(9), 10, 5), Some(9));
        assert_eq!(moved("ArrowUp", Some(0), 10, 5), Some(0));
        assert_eq!(moved("PageDown", Some(3), 10, 5), Some(8));
        assert_eq!(moved("PageDown", Some(8), 10, 5), Some(9));
        assert_eq!(moved("PageUp", Some(3), 10, 5), Some(0));
        assert_eq!(moved("End", None, 10, 5), Some(9));
        assert_eq!(moved("Home", Some(7), 10, 5), Some(0));
        assert_eq!(moved("ArrowDown", None, 0, 5), None);
        assert_eq!(moved("x", Some(1), 10, 5), None);
    }

    #[test]
    fn follows_the_end_only_from_the_end() {
        // 100 rows of 26 px in a 260 px view: the end is at 2,340.
        assert_eq!(follow_top(100, 260.0), 2340.0);
        assert_eq!(follow_top(5, 260.0), 0.0);
        assert!(at_end(100, 2340.0, 260.0));
        assert!(at_end(100, 2330.0, 260.0));
        assert!(!at_end(100, 2000.0, 260.0));
        assert!(at_end(5, 0.0, 260.0));
    }

    #[test]
    fn scrolls_only_as_far_as_showing_the_row_needs() {
        // Rows 0..=9 fit in a 260 px view at the top.
        assert_eq!(scroll_to_show(5, 0.0, 260.0), None);
        assert_eq!(scroll_to_show(10, 0.0, 260.0), Some(26.0));
        assert_eq!(scroll_to_show(2, 100.0, 260.0), Some(52.0));
    }
}
