//! The state machine as a graph, drawn from the layout computed in Rust, with the execution
//! overlaid: the current state(s), visited, failed and caught states, visit counts, breakpoints,
//! and a cost heat view. Pan with a drag, zoom with the wheel; it fits the view on load.

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use statelab::exec::VisitStatus;
use statelab::machine::StateId;

use crate::app::Ctx;
use crate::layout::{self, EdgeKind, Endpoint, Layout};

/// What one state's node shows: the graph's keyed list redraws a node when this changes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct NodeItem {
    id: StateId,
    name: String,
    type_name: &'static str,
    label: String,
    /// x, y, width and height, as the bits of their `f64`s (to be hashed).
    bounds: [u64; 4],
    status: &'static str,
    visits: u32,
    class: String,
    heat_style: String,
    title: String,
    aria: String,
    breakpoint: bool,
    tab_stop: bool,
}

/// What the overlay says about a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeStatus {
    /// Not entered.
    Idle,
    /// In progress now.
    Current,
    /// Entered and left.
    Visited,
    /// Its last visit failed.
    Failed,
    /// An error in it was caught.
    Caught,
    /// Its last visit was stopped: a sibling branch or iteration failed, or the execution ended.
    Aborted,
}

impl NodeStatus {
    /// Which shows when a state has several (visits in several threads): in progress, then a
    /// failure, a caught error, a stop, a visit.
    fn precedence(self) -> u8 {
        match self {
            NodeStatus::Idle => 0,
            NodeStatus::Visited => 1,
            NodeStatus::Aborted => 2,
            NodeStatus::Caught => 3,
            NodeStatus::Failed => 4,
            NodeStatus::Current => 5,
        }
    }

    /// The status as a node's accessible label ends with it.
    fn words(self) -> &'static str {
        match self {
            NodeStatus::Idle | NodeStatus::Visited => "",
            NodeStatus::Current => ", in progress",
            NodeStatus::Failed => ", failed",
            NodeStatus::Caught => ", an error was caught",
            NodeStatus::Aborted => ", stopped",
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Idle => "idle",
            NodeStatus::Current => "current",
            NodeStatus::Visited => "visited",
            NodeStatus::Failed => "failed",
            NodeStatus::Caught => "caught",
            NodeStatus::Aborted => "aborted",
        }
    }
}

/// Status and visit count of every state, from the visits so far (of one thread, or all).
pub fn statuses(exec: &statelab::Execution, thread: Option<&str>) -> Vec<(NodeStatus, u32)> {
    let mut out = vec![(NodeStatus::Idle, 0u32); exec.machine().states.len()];
    // Each (state, thread) whose latest visit failed, had its error caught, or was stopped.
    let mut marks: std::collections::HashMap<(usize, &str), NodeStatus> = std::collections::HashMap::new();
    let running = !exec.is_done();
    // The chosen thread and the threads inside it (its branches' and iterations').
    let below = thread.map(|t| format!("{t}/"));
    for v in exec.visits() {
        if let (Some(t), Some(below)) = (thread, &below) {
            if *v.thread != *t && !v.thread.starts_with(below.as_str()) {
                continue;
            }
        }
        let Some(slot) = out.get_mut(v.state) else { continue };
        slot.1 += 1;
        let key = (v.state, &*v.thread);
        match &v.status {
            VisitStatus::Running if running => slot.0 = NodeStatus::Current,
            // Most runs have no mark: no hashing for each passing visit then.
            VisitStatus::Running | VisitStatus::Succeeded if !marks.is_empty() => {
                marks.remove(&key);
            }
            VisitStatus::Running | VisitStatus::Succeeded => {}
            VisitStatus::Failed(_) => {
                marks.insert(key, NodeStatus::Failed);
            }
            // Not a failure of its own (it was drawn red like the sibling that failed: a QA pass).
            VisitStatus::Aborted => {
                marks.insert(key, NodeStatus::Aborted);
            }
            VisitStatus::Caught { .. } => {
                marks.insert(key, NodeStatus::Caught);
            }
        }
        if slot.0 == NodeStatus::Idle {
            slot.0 = NodeStatus::Visited;
        }
    }
    // In progress beats everything; then a failure, then a caught error, then a stop, that a later visit in
    // the same thread (a loop, a retry) has not cleared. A visit in another thread (a sibling Map
    // iteration or branch) does not clear it, so a tolerated failure stays shown once the run
    // ends (a QA pass: the iterations after it had marked the state visited).
    for ((state, _), mark) in marks {
        if let Some(slot) = out.get_mut(state) {
            if mark.precedence() > slot.0.precedence() {
                slot.0 = mark;
            }
        }
    }
    out
}

/// Threads seen so far, for the picker.
fn threads(exec: &statelab::Execution) -> Vec<String> {
    // Looked up in a set: a Map of a thousand iterations compared each visit with every thread.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for v in exec.visits() {
        if !v.thread.is_empty() && seen.insert(&v.thread) {
            out.push(v.thread.to_string());
        }
    }
    out
}

fn edge_path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        d.push_str(if i == 0 { "M" } else { " L" });
        d.push_str(&format!("{x:.1} {y:.1}"));
    }
    d
}

fn node_shape(type_name: &str, x: f64, y: f64, w: f64, h: f64) -> AnyView {
    match type_name {
        "Choice" => {
            let k = 12.0_f64.min(w / 4.0);
            let pts = format!(
                "{},{} {},{} {},{} {},{} {},{} {},{}",
                x + k,
                y,
                x + w - k,
                y,
                x + w,
                y + h / 2.0,
                x + w - k,
                y + h,
                x + k,
                y + h,
                x,
                y + h / 2.0
            );
            view! { <polygon class="node-shape" points=pts></polygon> }.into_any()
        }
        "Succeed" | "Fail" => {
            view! { <rect class="node-shape" x=x y=y width=w height=h rx=h / 2.0></rect> }.into_any()
        }
        "Pass" => view! { <rect class="node-shape" x=x y=y width=w height=h rx="3"></rect> }.into_any(),
        _ => view! { <rect class="node-shape" x=x y=y width=w height=h rx="8"></rect> }.into_any(),
    }
}

/// The graph panel.
#[component]
pub fn Graph() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    // The layout follows the machine; while the definition is broken the last good one stays.
    let layout = RwSignal::new(None::<Arc<Layout>>);
    // The names of the states drawn, by id: an execution is drawn over them only when it ran
    // the same (kept with the layout, so a definition broken for a keystroke keeps the overlay).
    let drawn = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(m) = ctx.checked.with(|c| c.machine.clone()) {
            let names: Vec<String> = m.states.iter().map(|s| s.name.to_string()).collect();
            if drawn.with_untracked(|d| *d != names) {
                drawn.set(names);
            }
            // An edit that draws the same (a space, a Comment, a Result's value) leaves the
            // drawing alone: redrawing 2,000 states' nodes took a third of a second per keystroke.
            let new = layout::layout(&m);
            if layout.with_untracked(|l| l.as_deref() != Some(&new)) {
                layout.set(Some(Arc::new(new)));
            }
        }
    });
    // Drawn, but the definition as it is now has no machine (it is broken, or holds several and
    // none is chosen): the picture is of an older one, and says so.
    let stale = move || layout.with(Option::is_some) && ctx.checked.with(|c| c.machine.is_none());
    let host = NodeRef::<html::Div>::new();
    let transform = RwSignal::new((1.0f64, 0.0f64, 0.0f64));
    // The graph's viewport size, as the browser last laid it out. Reading `clientWidth` right
    // after a Step changed the nodes forced a layout of the whole drawing then and there: with
    // 5,000 states, 200 ms a Step (a QA pass). A ResizeObserver is told the size after the
    // browser's own layout, which costs nothing more. The drawing is given that size in pixels:
    // sized 100%, any change of text elsewhere on the page (the transitions count, at every
    // Step) had the browser lay out every node of it again (190 ms with 5,000 states).
    let known_size = RwSignal::new(None::<(f64, f64)>);
    Effect::new(move |_| {
        let Some(el) = host.get() else { return };
        let target = el.clone();
        let told =
            wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| {
                let size = Some((f64::from(target.client_width()), f64::from(target.client_height())));
                if known_size.try_get_untracked() != Some(size) {
                    known_size.try_set(size);
                }
            });
        if let Ok(observer) = web_sys::ResizeObserver::new(wasm_bindgen::JsCast::unchecked_ref(told.as_ref()))
        {
            observer.observe(&el);
            // Both live as long as the graph's element, which is the page's.
            told.forget();
            std::mem::forget(observer);
        }
    });
    // The graph's viewport, px, once it is laid out.
    let view_size = move || {
        let size = known_size.try_get_untracked().flatten().or_else(|| {
            // Not told yet (the first frame): measured.
            // `try_`: `show` also runs a frame later, when the graph may be gone.
            let el = host.try_get_untracked().flatten()?;
            Some((f64::from(el.client_width()), f64::from(el.client_height())))
        })?;
        (size.0 > 0.0 && size.1 > 0.0).then_some(size)
    };
    // Draws the layout with the view `view` gives for the viewport's size.
    let show = move |view: fn(&Layout, f64, f64) -> (f64, f64, f64)| {
        if let (Some(l), Some((w, h))) = (layout.try_get_untracked().flatten(), view_size()) {
            transform.try_set(view(&l, w, h));
        }
    };
    let fit = move || show(Layout::fit);
    // A new machine (not every edit of the same one) opens fitted, or at its top at a size its
    // names can be read at when it is too tall for that (`Layout::open_view`).
    Effect::new(move |prev: Option<usize>| {
        let n = layout.with(|l| l.as_ref().map_or(0, |l| l.nodes.len()));
        if prev != Some(n) {
            request_animation_frame(move || show(Layout::open_view));
        }
        n
    });
    // While stepping or playing, the state being run is kept in view: the view pans to it when
    // it is outside (not during Run, whose slices would make the view jump about). Between
    // states that take one step each (Pass, Choice) none is running: the last one entered is
    // where the execution is.
    let current = Memo::new(move |_| {
        ctx.dbg.with(|d| {
            let d = d.as_ref().filter(|d| !d.exec.is_done())?;
            let visits = d.exec.visits();
            visits.iter().rev().find(|v| v.status == VisitStatus::Running).or(visits.last()).map(|v| v.state)
        })
    });
    Effect::new(move |_| {
        let Some(state) = current.get() else { return };
        if ctx.running.get_untracked() {
            return;
        }
        let (Some(l), Some((w, h))) = (layout.get_untracked(), view_size()) else { return };
        let Some(n) = l.node(state) else { return };
        if let Some(t) = layout::reveal(transform.get_untracked(), (n.x, n.y, n.w, n.h), w, h) {
            transform.set(t);
        }
    });
    let heat = ctx.heat;
    let thread = RwSignal::new(String::new());
    let dragging = StoredValue::new(None::<(f64, f64, f64, f64)>);
    let overlay = Memo::new(move |_| {
        let t = thread.get();
        ctx.dbg.with(|d| {
            let d = d.as_ref()?;
            // Only over the machine it ran (its states' names at their ids): after an edit to
            // another machine, its visits were drawn on the new states that had their ids (a
            // QA pass).
            let same = drawn.with(|names| {
                let ran = &d.exec.machine().states;
                names.len() == ran.len() && names.iter().zip(ran).all(|(a, b)| **a == *b.name)
            });
            same.then(|| {
                let st = statuses(&d.exec, (!t.is_empty()).then_some(t.as_str()));
                let counts = d.exec.state_transitions().to_vec();
                (st, counts)
            })
        })
    });
    // Containers, edges and markers follow the layout alone: a Step leaves them as they are.
    let lines = move || {
        let Some(l) = layout.get() else { return ().into_any() };
        let containers = l
            .containers
            .iter()
            .map(|c| {
                let lanes = c
                    .lanes
                    .iter()
                    .map(|lane| view! {
                        <g class="lane">
                            <rect class="lane-box" x=lane.x y=lane.y width=lane.w height=lane.h rx="6"></rect>
                            <text class="lane-label" x=lane.x + 8.0 y=lane.y + 15.0>{lane.label.clone()}</text>
                        </g>
                    })
                    .collect_view();
                view! {
                    <g class="container">
                        <rect class="container-box" x=c.x y=c.y width=c.w height=c.h rx="10"></rect>
                        {lanes}
                    </g>
                }
            })
            .collect_view();
        let edges = l
            .edges
            .iter()
            .map(|e| {
                let cls = match e.kind {
                    EdgeKind::Next => "edge",
                    EdgeKind::Choice(_) => "edge edge-choice",
                    EdgeKind::Default => "edge edge-default",
                    EdgeKind::Catch(_) => "edge edge-catch",
                    EdgeKind::RetryLoop => "edge edge-retry",
                };
                let label = e.label.clone().zip(e.label_at).map(|(t, (x, y))| {
                    view! { <text class="edge-label" x=x y=y text-anchor="middle" dominant-baseline="middle">{t}</text> }
                });
                view! {
                    <g class="edge-group">
                        <path class=cls d=edge_path(&e.points) marker-end="url(#arrow)"></path>
                        {label}
                    </g>
                }
            })
            .collect_view();
        let markers = l
            .markers
            .iter()
            .map(|m| {
                let (cls, text) = match m.endpoint {
                    Endpoint::Start(_) => ("marker marker-start", "Start"),
                    _ => ("marker marker-end", "End"),
                };
                view! {
                    <g class=cls>
                        <circle cx=m.x cy=m.y r=m.r></circle>
                        <text class="marker-label" x=m.x + m.r + 4.0 y=m.y + 4.0>{text}</text>
                    </g>
                }
            })
            .collect_view();
        view! {
            {containers}
            {edges}
            {markers}
        }
        .into_any()
    };
    // The breakpoints alone, not the whole session: an edit of the text must not redraw every node.
    let breakpoint_list = Memo::new(move |_| ctx.session.with(|s| s.breakpoints.clone()));
    // The states in reading order, for the arrow keys: read when a key is pressed, so a node
    // the keyed list keeps across redraws never moves by an outdated order.
    let reading_order = StoredValue::new(std::sync::Arc::new(Vec::<(StateId, String)>::new()));
    let node_items = move || {
        let Some(l) = layout.get() else { return Vec::new() };
        // A redraw that replaces the node that has the focus (its status changed): the new one
        // for the same state takes it.
        if let Some(name) = crate::focus::focused_graph_node() {
            crate::focus::restore_after_redraw(move || crate::focus::graph_node(&name));
        }
        let ov = overlay.get();
        let breakpoints = breakpoint_list.get();
        let selected = ctx.selected_state.get();
        let heat_on = heat.get();
        // The branch or iteration shown, if not all.
        let shown_thread = thread.with(|t| (!t.is_empty()).then(|| t.clone()));
        // Each node with its state's name. The layout may belong to the previous machine for a
        // frame: never index by id. Read untracked: the layout changes whenever what is drawn
        // does (names included), and a check that draws the same must not redraw 2,000 nodes.
        let named: Vec<(&layout::NodeBox, String)> = ctx.checked.with_untracked(|c| {
            l.nodes
                .iter()
                .map(|n| {
                    let name =
                        c.machine.as_ref().and_then(|m| m.states.get(n.state)).map(|s| s.name.to_string());
                    (n, name.unwrap_or_else(|| n.label.clone()))
                })
                .collect()
        });
        let max_cost = ov.as_ref().map_or(1, |(_, c)| c.iter().copied().max().unwrap_or(1).max(1));
        // The graph is one Tab stop (the selected state, else the first in reading order); the
        // arrows, Home and End move between the states in reading order (top to bottom, then
        // left to right), so a big machine is not one Tab press a state.
        let mut reading: Vec<&(&layout::NodeBox, String)> = named.iter().collect();
        reading.sort_by(|a, b| a.0.y.total_cmp(&b.0.y).then(a.0.x.total_cmp(&b.0.x)));
        let reading: Vec<(StateId, String)> =
            reading.into_iter().map(|(n, name)| (n.state, name.clone())).collect();
        let stop = selected.filter(|s| reading.iter().any(|r| r.0 == *s)).or(reading.first().map(|r| r.0));
        reading_order.set_value(std::sync::Arc::new(reading));
        named
            .into_iter()
            .map(|(n, name)| {
                let id: StateId = n.state;
                let (status, visits) =
                    ov.as_ref().and_then(|(s, _)| s.get(id).copied()).unwrap_or((NodeStatus::Idle, 0));
                let cost = ov.as_ref().and_then(|(_, c)| c.get(id).copied()).unwrap_or(0);
                let breakpoint = breakpoints.contains(&name);
                let heat_style = if heat_on && cost > 0 {
                    format!("--heat: {:.2}", cost as f64 / max_cost as f64)
                } else {
                    String::new()
                };
                let class = format!(
                    "node node-{} status-{}{}{}",
                    n.type_name.to_lowercase(),
                    status.as_str(),
                    if selected == Some(id) { " selected" } else { "" },
                    if heat_on && cost > 0 { " heat" } else { "" }
                );
                // Visits follow the branch or iteration shown; transitions (what is billed) are
                // the whole execution's, and say so when the two differ.
                let visits_text = crate::format::count(visits as u64, "visit");
                let transitions_text = crate::format::count(cost, "transition");
                let title = match &shown_thread {
                    None => format!("{name} ({}): {visits_text}, {transitions_text}", n.type_name),
                    Some(t) => format!(
                        "{name} ({}): {visits_text} in {t}; {transitions_text} in the whole execution",
                        n.type_name
                    ),
                };
                // What the colours and the breakpoint dot show, in words for a screen reader (the
                // label named neither: a QA pass).
                let aria =
                    format!("{title}{}{}", status.words(), if breakpoint { ", breakpoint set" } else { "" });
                NodeItem {
                    id,
                    name,
                    type_name: n.type_name,
                    label: n.label.clone(),
                    bounds: [n.x, n.y, n.w, n.h].map(f64::to_bits),
                    status: status.as_str(),
                    visits,
                    class,
                    heat_style,
                    title,
                    aria,
                    breakpoint,
                    tab_stop: stop == Some(id),
                }
            })
            .collect()
    };
    // Keyed by everything a node shows: a Step redraws the states whose status or count changed
    // and leaves the others' elements alone (each Step rebuilt every node: with 5,000 states,
    // 650 ms a Step and seconds for a Run, a QA pass).
    let node_view = move |item: NodeItem| {
        let id = item.id;
        let [x, y, w, h] = item.bounds.map(f64::from_bits);
        view! {
            <g class=item.class style=item.heat_style data-state=item.name data-status=item.status data-visits=item.visits.to_string()
                data-breakpoint=item.breakpoint.to_string() data-testid="graph-node" tabindex=crate::keys::tab_index(item.tab_stop) role="button"
                aria-label=item.aria
                // Selecting redraws the node; the redraw gives the focus back (above).
                on:click=move |ev| {
                    ev.stop_propagation();
                    ctx.selected_state.set(Some(id));
                }
                on:keydown=move |ev| {
                    let key = ev.key();
                    if crate::keys::presses(&key) {
                        ev.prevent_default();
                        ctx.selected_state.set(Some(id));
                        return;
                    }
                    let reading = reading_order.get_value();
                    let (at, n) = (reading.iter().position(|r| r.0 == id).unwrap_or(0), reading.len());
                    let to = crate::keys::moved(&key, at, n).or_else(|| crate::keys::moved_in_menu(&key, at, n));
                    if let Some((_, to)) = to.and_then(|i| reading.get(i)) {
                        ev.prevent_default();
                        crate::focus::graph_node(to);
                    }
                }>
                <title>{item.title}</title>
                {node_shape(item.type_name, x, y, w, h)}
                <text class="node-label" x=x + w / 2.0 y=y + h / 2.0 + 4.0 text-anchor="middle">{item.label}</text>
                {(item.visits > 0).then(|| {
                    // A pill as wide as its label (about 6.5 px a character at 10 px bold).
                    let label = crate::format::compact(u64::from(item.visits));
                    let bw = (label.len() as f64 * 6.5 + 8.0).max(18.0);
                    view! { <g class="visit-badge"><rect x=x + w - 2.0 - bw / 2.0 y=y - 7.0 width=bw height="18" rx="9"></rect><text x=x + w - 2.0 y=y + 6.0 text-anchor="middle">{label}</text></g> }
                })}
                {item.breakpoint.then(|| view! { <circle class="bp-dot" cx=x + 2.0 cy=y + 2.0 r="6"></circle> })}
            </g>
        }
    };
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        ev.prevent_default();
        let Some(el) = host.get_untracked() else { return };
        let rect = el.get_bounding_client_rect();
        let (px, py) = (f64::from(ev.client_x()) - rect.left(), f64::from(ev.client_y()) - rect.top());
        let factor = if ev.delta_y() < 0.0 { 1.15 } else { 1.0 / 1.15 };
        transform.update(|(s, tx, ty)| {
            let ns = (*s * factor).clamp(0.05, 4.0);
            // Keep the point under the pointer where it is.
            *tx = px - (px - *tx) * ns / *s;
            *ty = py - (py - *ty) * ns / *s;
            *s = ns;
        });
    };
    let on_down = move |ev: leptos::ev::PointerEvent| {
        let (_, tx, ty) = transform.get_untracked();
        dragging.set_value(Some((f64::from(ev.client_x()), f64::from(ev.client_y()), tx, ty)));
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        if let Some((x0, y0, tx, ty)) = dragging.get_value() {
            let (dx, dy) = (f64::from(ev.client_x()) - x0, f64::from(ev.client_y()) - y0);
            transform.update(|t| {
                t.1 = tx + dx;
                t.2 = ty + dy;
            });
        }
    };
    let on_up = move |_| dragging.set_value(None);
    // Read by the picker, its options and the check below: walked once per step, not three times.
    let thread_options =
        Memo::new(move |_| ctx.dbg.with(|d| d.as_ref().map(|d| threads(&d.exec)).unwrap_or_default()));
    // A branch or iteration the execution does not have (after Reset, Back, a new run) is not
    // shown: the graph shows all, as the picker then says.
    Effect::new(move |_| {
        let gone = thread.with(|t| !t.is_empty() && !thread_options.with(|o| o.contains(t)));
        if gone {
            thread.set(String::new());
        }
    });
    let pending = move || {
        ctx.dbg.with(|d| {
            let d = d.as_ref()?;
            let start = d.exec.options().start_time_ms;
            let p: Vec<String> = d
                .exec
                .pending()
                .into_iter()
                .filter(|p| !p.thread.is_empty())
                .map(|p| {
                    // A thread not yet in its first state is starting.
                    let st = p.state.map_or_else(
                        || "starting".to_string(),
                        |s| d.exec.machine().state(s).name.to_string(),
                    );
                    let until = p
                        .until
                        .map(|u| format!(" until {}", crate::format::offset_ms(u - start)))
                        .unwrap_or_default();
                    format!("{} · {st} · {}{until}", p.thread, p.waiting_for)
                })
                .collect();
            (!p.is_empty()).then_some(p)
        })
    };
    view! {
        <div class="graph-panel">
            <div class="graph-tools">
                <button class="small" data-testid="fit" on:click=move |_| fit() title="Fit the graph in the view">"Fit"</button>
                <button class="small" on:click=move |_| transform.update(|t| t.0 = (t.0 * 1.2).min(4.0)) title="Zoom in">"+"</button>
                <button class="small" on:click=move |_| transform.update(|t| t.0 = (t.0 / 1.2).max(0.05)) title="Zoom out">"−"</button>
                <label class="small check">
                    <input type="checkbox" data-testid="cost-heat" prop:checked=move || heat.get() on:change=move |ev| heat.set(event_target_checked(&ev))/>
                    " cost heat"
                </label>
                <Show when=move || thread_options.with(|o| !o.is_empty())>
                    <label class="small">
                        "Show "
                        <select data-testid="thread-filter" on:change=move |ev| thread.set(event_target_value(&ev))>
                            <option value="" prop:selected=move || thread.with(String::is_empty)>"all branches and iterations"</option>
                            {move || thread_options.get().into_iter().map(|t| {
                                let shown = thread.with(|s| *s == t);
                                view! { <option value=t.clone() prop:selected=shown>{t.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
                <Show when=move || pending().is_some()>
                    <details class="pending" data-testid="pending">
                        <summary>{move || format!("{} pending", pending().map_or(0, |p| p.len()))}</summary>
                        <ul>{move || pending().unwrap_or_default().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    </details>
                </Show>
            </div>
            <div class="graph" data-testid="graph" node_ref=host class:stale=stale
                on:wheel=on_wheel on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointerleave=on_up
                on:click=move |_| ctx.selected_state.set(None)>
                <svg class="graph-svg"
                    width=move || known_size.get().map_or_else(|| "100%".to_string(), |(w, _)| w.to_string())
                    height=move || known_size.get().map_or_else(|| "100%".to_string(), |(_, h)| h.to_string())>
                    <defs>
                        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head"></path>
                        </marker>
                    </defs>
                    <g transform=move || { let (s, tx, ty) = transform.get(); format!("translate({tx:.1} {ty:.1}) scale({s:.4})") }>
                        {lines}
                        <For each=node_items key=NodeItem::clone children=node_view/>
                    </g>
                </svg>
                <Show when=move || layout.with(Option::is_none)>
                    <p class="muted graph-empty">"The graph appears once the definition is valid."</p>
                </Show>
                <Show when=stale>
                    <p class="graph-stale" data-testid="graph-stale" role="status">
                        "Not the definition as it is now: this is the last valid one (see Problems)."
                    </p>
                </Show>
            </div>
            <NodePanel/>
        </div>
    }
}

/// Details of the selected node: visits, stub, breakpoint.
#[component]
fn NodePanel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let info = move || {
        let id = ctx.selected_state.get()?;
        ctx.checked.with(|c| {
            let m = c.machine.as_ref()?;
            let st = m.states.get(id)?;
            Some((st.name.to_string(), st.type_name()))
        })
    };
    // Escape, or its Close button, closes the panel and gives the focus back to the state's node
    // (the button left it on the page: a QA pass).
    let close = move |name: String| {
        ctx.selected_state.set(None);
        set_timeout(move || crate::focus::graph_node(&name), std::time::Duration::ZERO);
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != "Escape" || ev.default_prevented() || crate::focus::popover_open() {
            return;
        }
        let Some(name) = info().map(|(name, _)| name) else { return };
        ev.prevent_default();
        close(name);
    });
    on_cleanup(move || keys.remove());
    let toggle = move |name: String| {
        ctx.edit(|s| {
            if let Some(i) = s.breakpoints.iter().position(|b| *b == name) {
                s.breakpoints.remove(i);
            } else {
                s.breakpoints.push(name);
            }
        })
    };
    view! {
        {move || info().map(|(name, ty)| {
            let id = ctx.selected_state.get().unwrap_or_default();
            let has_bp = ctx.session.with(|s| s.breakpoints.contains(&name));
            // The execution's own state of that id, when it is this one: after an edit the
            // execution shown may be of another machine, whose state of that id is another.
            let visits: Vec<(usize, String)> = ctx.dbg.with(|d| d.as_ref().filter(|d| {
                d.exec.machine().states.get(id).is_some_and(|s| *s.name == *name)
            }).map(|d| {
                let start = d.exec.options().start_time_ms;
                d.exec.visits().iter().enumerate().filter(|(_, v)| v.state == id).map(|(i, v)| {
                    let t = if v.thread.is_empty() { String::new() } else { format!("{} · ", v.thread) };
                    (i, format!("{t}{}", crate::format::offset_ms(v.entered_at - start)))
                }).collect()
            }).unwrap_or_default());
            let stub = (ty == "Task").then(|| {
                ctx.session.with(|s| crate::state::stubs_value(&s.stubs).ok().and_then(|v| v.get(&name).cloned()))
                    .map_or_else(|| "no stub: its input is echoed (or it fails, with strict stubs)".to_string(), |v| crate::explain::snippet(&v))
            });
            let bp_name = name.clone();
            let closed = name.clone();
            view! {
                <div class="node-panel" data-testid="node-panel">
                    <div class="node-panel-head">
                        <strong title=name.clone()>{name.clone()}</strong>
                        <span class="type-pill">{ty}</span>
                        <button class="small" data-testid="node-panel-close" on:click=move |_| close(closed.clone()) aria-label="Close">"×"</button>
                    </div>
                    <button class="small" data-testid="toggle-breakpoint" aria-pressed=has_bp.to_string()
                        on:click=move |_| toggle(bp_name.clone())>
                        {if has_bp { "Remove breakpoint" } else { "Set breakpoint" }}
                    </button>
                    {stub.map(|s| view! { <p class="small"><span class="muted">"Stub: "</span><code>{s}</code></p> })}
                    <p class="small muted">{crate::format::count(visits.len() as u64, "visit")}</p>
                    <ul class="visit-list">
                        {visits.into_iter().map(|(i, label)| view! {
                            <li><button class="link-button" data-testid="node-visit" on:click=move |_| {
                                ctx.selected_visit.set(Some(i));
                                ctx.tab.set(crate::app::Tab::Inspector);
                            }>{label}</button></li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state;

    #[test]
    fn statuses_follow_the_visits() {
        let s = state::Session::default();
        let c = statelab::check(&s.definition, None);
        let mut e = statelab::Execution::start(
            c.machine.unwrap(),
            statelab::json::parse(&s.input).unwrap(),
            std::rc::Rc::new(
                state::parse_stubs(&s.stubs, &s.settings, &statelab::Checked::default()).unwrap(),
            ),
            state::options(&s.settings).unwrap(),
        )
        .unwrap();
        e.step();
        let st = statuses(&e, None);
        assert_eq!(st[0], (NodeStatus::Current, 1));
        e.run();
        let st = statuses(&e, None);
        assert_eq!(st[0], (NodeStatus::Visited, 1));
        assert_eq!(st.iter().filter(|(s, _)| *s == NodeStatus::Idle).count(), 1);
        // "Rude" never runs
    }

    /// A branch stopped because its sibling failed is shown aborted, not failed (it was drawn red
    /// like the failing sibling: a QA pass).
    #[test]
    fn a_stopped_branch_is_aborted_not_failed() {
        let def = r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}},
            {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}}]}}}"#;
        let m = statelab::check(def, None).machine.unwrap_or_else(|| panic!("no machine"));
        let stubs = statelab::json::parse(r#"{"T": {"Throw": {"Error": "E", "Cause": "c"}, "Duration": 2}}"#)
            .unwrap_or_default();
        let stubs = std::rc::Rc::new(statelab::Stubs::from_stubs(&stubs).unwrap_or_else(|e| panic!("{e:?}")));
        let mut e = statelab::Execution::start(
            m.clone(),
            statelab::Value::empty_object(),
            stubs,
            statelab::exec::Options::default(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        e.run();
        let at = |name: &str| m.states.iter().position(|s| &*s.name == name).unwrap_or_default();
        let st = statuses(&e, None);
        assert_eq!(st[at("W")].0, NodeStatus::Aborted);
        assert_eq!(st[at("T")].0, NodeStatus::Failed);
    }

    /// A caught error in one Map iteration stays shown after a later iteration passes the same
    /// state (a QA pass: it showed visited once the run ended); the later iteration alone shows
    /// its own visit.
    #[test]
    fn a_caught_error_in_one_iteration_stays_shown() {
        let def = r#"{"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1, "End": true,
            "ItemProcessor": {"StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true,
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "D"}]},
                "D": {"Type": "Pass", "End": true}}}}}}"#;
        let c = statelab::check(def, None);
        let m = c.machine.unwrap_or_else(|| panic!("{:?}", c.diagnostics));
        let stubs_of = || {
            let stubs =
                statelab::json::parse(r#"{"T": [{"Throw": {"Error": "E", "Cause": "c"}}, {"Return": 1}]}"#)
                    .unwrap_or_default();
            std::rc::Rc::new(statelab::Stubs::from_stubs(&stubs).unwrap_or_else(|e| panic!("{e:?}")))
        };
        let stubs = stubs_of();
        let input = statelab::json::parse("[1, 2]").unwrap_or_default();
        let mut e = statelab::Execution::start(m.clone(), input, stubs, statelab::exec::Options::default())
            .unwrap_or_else(|e| panic!("{e:?}"));
        e.run();
        let t = m.states.iter().position(|s| &*s.name == "T").unwrap_or_default();
        let st = statuses(&e, None);
        assert_eq!(st[t], (NodeStatus::Caught, 2));
        let threads = threads(&e);
        let second = threads.iter().find(|t| t.ends_with("#1")).unwrap_or_else(|| panic!("{threads:?}"));
        assert_eq!(statuses(&e, Some(second))[t], (NodeStatus::Visited, 1));
        // In one thread, a later visit that passes clears the mark (a loop back after a catch).
        let looped = r#"{"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true,
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "T"}]}}}"#;
        let m = statelab::check(looped, None).machine.unwrap_or_else(|| panic!("no machine"));
        let mut e = statelab::Execution::start(
            m,
            statelab::Value::empty_object(),
            stubs_of(),
            statelab::exec::Options::default(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        e.run();
        assert_eq!(statuses(&e, None)[0], (NodeStatus::Visited, 2));
    }
}

#[cfg(test)]
mod gallery_stepping {
    use super::*;
    use crate::{explain, gallery, run::Debugger, state};

    /// Every gallery example, stepped one event at a time, through everything the panels compute
    /// at each step: nothing panics.
    #[test]
    fn every_view_model_survives_every_step() {
        for ex in gallery::examples() {
            let c = statelab::check(&ex.session.definition, None);
            let mut d = Debugger::start(state::prepare(&ex.session, &c).unwrap()).unwrap();
            let l = crate::layout::layout(d.exec.machine());
            for _ in 0..10_000 {
                let _ = statuses(&d.exec, None);
                for t in threads(&d.exec) {
                    let _ = statuses(&d.exec, Some(&t));
                }
                let _ = d.exec.pending();
                for v in d.exec.visits() {
                    let _ = explain::explain(&d.exec, v);
                }
                let _ = d.exec.cost();
                let _ = l.nodes.len();
                if d.step().is_none() {
                    break;
                }
            }
            assert!(d.exec.is_done(), "{}", ex.id);
        }
    }
}
