//! The run on virtual time: one lane per thread, one bar per state visit (Waits, retries and
//! stub durations at their real lengths), the current moment marked. A click jumps there.

use leptos::prelude::*;
use statelab::exec::VisitStatus;

use crate::actions;
use crate::app::Ctx;
use crate::format;

const LANE_H: f64 = 22.0;
const LABEL_W: f64 = 150.0;
const WIDTH: f64 = 900.0;
/// Beyond this many visits only the latest are drawn.
const MAX_BARS: usize = 3000;
const MAX_LANES: usize = 60;

/// The timeline panel.
#[component]
pub fn Timeline() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let body = move || {
        // Any redraw (a step, going to a visit) replaces the bar that has the focus: the new one
        // for the same visit takes it.
        if let Some(id) = crate::focus::focused_id().filter(|id| id.starts_with(BAR_ID)) {
            crate::focus::restore_after_redraw(move || crate::focus::by_id(&id));
        }
        ctx.dbg.with(|d| {
            let Some(d) = d.as_ref() else {
                return view! { <p class="muted">"Run or step to see the execution on its virtual clock."</p> }.into_any();
            };
            let exec = &d.exec;
            let start = exec.options().start_time_ms;
            let visits = exec.visits();
            let end = visits.iter().filter_map(|v| v.exited_at).max().unwrap_or(start).max(exec.now());
            let span = ((end - start) as f64).max(1000.0);
            let x = move |t: i64| LABEL_W + (t - start) as f64 / span * (WIDTH - LABEL_W - 10.0);
            let mut lanes: Vec<std::rc::Rc<str>> = Vec::new();
            let skip = visits.len().saturating_sub(MAX_BARS);
            for v in visits.iter().skip(skip) {
                if !lanes.contains(&v.thread) && lanes.len() < MAX_LANES {
                    lanes.push(v.thread.clone());
                }
            }
            let height = lanes.len() as f64 * LANE_H + 30.0;
            // Instant visits at the same moment would share one pixel: nudge each one in a lane just
            // past the previous instant one, so every visit stays visible and clickable.
            let mut shift = vec![0.0f64; visits.len()];
            let mut lane_end: Vec<f64> = vec![f64::MIN; lanes.len()];
            for (i, v) in visits.iter().enumerate().skip(skip) {
                let Some(lane) = lanes.iter().position(|l| *l == v.thread) else { continue };
                let x0 = x(v.entered_at);
                let w = x(v.exited_at.unwrap_or(exec.now())) - x0;
                if w < 3.0 {
                    let end = lane_end.get(lane).copied().unwrap_or(f64::MIN);
                    let placed = x0.max(end + 1.0);
                    if let Some(s) = shift.get_mut(i) {
                        *s = placed - x0;
                    }
                    if let Some(e) = lane_end.get_mut(lane) {
                        *e = placed + 3.0;
                    }
                }
            }
            // One bar is a Tab stop (the selected visit's, else the latest); the arrows, Home and
            // End move between the bars in time order, so a long run is not a thousand Tab presses.
            let shown: std::rc::Rc<Vec<usize>> = std::rc::Rc::new(
                (skip..visits.len())
                    .filter(|&i| visits.get(i).is_some_and(|v| lanes.contains(&v.thread)))
                    .collect(),
            );
            let stop = ctx.selected_visit.get_untracked().filter(|i| shown.contains(i)).or(shown.last().copied());
            // Widest bars first, so instant states at a bar's edge stay on top and clickable.
            let mut order: Vec<usize> = (skip..visits.len()).collect();
            let width_of = |v: &statelab::exec::Visit| v.exited_at.unwrap_or(exec.now()) - v.entered_at;
            order.sort_by_key(|&i| std::cmp::Reverse(visits.get(i).map_or(0, width_of)));
            let bars = order
                .into_iter()
                .filter_map(|i| visits.get(i).map(|v| (i, v)))
                .filter_map(|(i, v)| {
                    let lane = lanes.iter().position(|l| *l == v.thread)?;
                    let nudge = shift.get(i).copied().unwrap_or(0.0);
                    let x0 = x(v.entered_at) + nudge;
                    let x1 = x(v.exited_at.unwrap_or(exec.now())) + nudge;
                    let w = (x1 - x0).max(3.0);
                    let y = lane as f64 * LANE_H + 4.0;
                    let cls = match &v.status {
                        VisitStatus::Running => "bar bar-current",
                        VisitStatus::Succeeded => "bar bar-ok",
                        VisitStatus::Failed(_) | VisitStatus::Aborted => "bar bar-bad",
                        VisitStatus::Caught { .. } => "bar bar-caught",
                    };
                    let name = exec.machine().state(v.state).name.to_string();
                    let title = format!(
                        "{name}: {} → {}",
                        format::offset_ms(v.entered_at - start),
                        v.exited_at.map_or_else(|| "now".to_string(), |e| format::offset_ms(e - start))
                    );
                    let step = v.step;
                    let retries = v
                        .retries
                        .iter()
                        .map(|r| {
                            let rx = x(r.at);
                            view! { <line class="retry-mark" x1=rx y1=y x2=rx y2=y + LANE_H - 8.0></line> }
                        })
                        .collect_view();
                    let go = move || {
                        actions::goto_step(ctx, step);
                        ctx.selected_visit.set(Some(i));
                    };
                    let aria = format!("{title}: go to this visit");
                    let shown = shown.clone();
                    let at = shown.iter().position(|&s| s == i).unwrap_or(0);
                    Some(view! {
                        <g class="tl-visit" data-testid="timeline-bar" data-state=name.clone() id=bar_id(i)
                            tabindex=crate::keys::tab_index(stop == Some(i)) role="button"
                            aria-label=aria
                            on:click=move |_| go()
                            on:keydown=move |ev| {
                                if crate::keys::presses(&ev.key()) {
                                    ev.prevent_default();
                                    go();
                                } else if let Some(to) = crate::keys::moved(&ev.key(), at, shown.len()).and_then(|to| shown.get(to)) {
                                    ev.prevent_default();
                                    crate::focus::by_id(&bar_id(*to));
                                }
                            }>
                            <title>{title}</title>
                            <rect class=cls x=x0 y=y width=w height=LANE_H - 8.0 rx="2"></rect>
                            {(w > 40.0).then(|| view! { <text class="bar-label" x=x0 + 3.0 y=y + 10.0>{name.clone()}</text> })}
                            {retries}
                        </g>
                    })
                })
                .collect_view();
            let labels = lanes
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let name = if l.is_empty() { "execution".to_string() } else { l.to_string() };
                    view! { <text class="lane-label" x="4" y=i as f64 * LANE_H + 15.0>{name}</text> }
                })
                .collect_view();
            let now_x = x(exec.now());
            let ticks = (0..=4)
                .map(|k| {
                    let t = start + (span * f64::from(k) / 4.0) as i64;
                    let tx = x(t);
                    // The last label ends at the right edge instead of running past it.
                    let anchor = if k == 4 { "end" } else { "middle" };
                    view! { <text class="tick" x=tx y=height - 6.0 text-anchor=anchor>{format!("+{}", format::duration_ms(t - start))}</text> }
                })
                .collect_view();
            view! {
                {(skip > 0).then(|| view! { <p class="muted">{format!("Showing the latest {MAX_BARS} of {} visits.", visits.len())}</p> })}
                <svg class="timeline-svg" viewBox=format!("0 0 {WIDTH} {height}") width="100%" height=height preserveAspectRatio="none">
                    {labels}
                    {bars}
                    <line class="now-line" data-testid="timeline-now" x1=now_x y1="0" x2=now_x y2=height - 20.0></line>
                    {ticks}
                </svg>
            }
            .into_any()
        })
    };
    view! { <div class="timeline" data-testid="timeline">{body}</div> }
}

/// The start of a bar's element id.
const BAR_ID: &str = "tl-bar-";

/// The element id of visit `i`'s bar.
fn bar_id(i: usize) -> String {
    format!("{BAR_ID}{i}")
}
