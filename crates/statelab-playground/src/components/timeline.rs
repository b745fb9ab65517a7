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
/// Beyond this many visits only the latest are laid out (and of those, only the ones that fit).
const MAX_BARS: usize = 3000;
const MAX_LANES: usize = 60;

/// About how wide a character of a bar's label is (10 px), and of a lane's (11 px monospace), in
/// the drawing's units.
const BAR_CHAR_W: f64 = 6.0;
const LANE_CHAR_W: f64 = 6.7;

/// `text` cut with an ellipsis to about `width` units (at `char_w` a character): a bar's label ran
/// over the bars after it, and a nested lane's name under its bars (a QA pass). `keep_end`: cut
/// the start instead of the end.
fn fit(text: &str, width: f64, char_w: f64, keep_end: bool) -> String {
    let room = (width / char_w).floor().max(1.0) as usize;
    let n = text.chars().count();
    if n <= room {
        return text.to_string();
    }
    let keep = room.saturating_sub(1);
    if keep_end {
        format!("…{}", text.chars().skip(n - keep).collect::<String>())
    } else {
        format!("{}…", text.chars().take(keep).collect::<String>())
    }
}

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
            // After going back, the visits still ahead (the same run, replayed) are drawn faint:
            // the axis stays put and a click on one steps on to it.
            let ahead = d.ahead();
            let now_of = |future: bool| if future { ahead.map_or(exec.now(), |a| a.now()) } else { exec.now() };
            let past = exec.visits();
            let visits: Vec<(&statelab::exec::Visit, bool)> = past
                .iter()
                .map(|v| (v, false))
                .chain(ahead.map_or(&[][..], |a| a.visits().get(past.len()..).unwrap_or_default()).iter().map(|v| (v, true)))
                .collect();
            let end = visits
                .iter()
                .filter_map(|(v, _)| v.exited_at)
                .max()
                .unwrap_or(start)
                .max(exec.now())
                .max(ahead.map_or(start, |a| a.now()));
            let span = ((end - start) as f64).max(1000.0);
            let x = move |t: i64| LABEL_W + (t - start) as f64 / span * (WIDTH - LABEL_W - 10.0);
            let mut lanes: Vec<std::rc::Rc<str>> = Vec::new();
            let skip = visits.len().saturating_sub(MAX_BARS);
            for (v, _) in visits.iter().skip(skip) {
                if !lanes.contains(&v.thread) && lanes.len() < MAX_LANES {
                    lanes.push(v.thread.clone());
                }
            }
            let height = lanes.len() as f64 * LANE_H + 30.0;
            let spans: Vec<Option<(usize, f64, f64)>> = visits
                .iter()
                .enumerate()
                .map(|(i, (v, future))| {
                    let lane = lanes.iter().position(|l| *l == v.thread).filter(|_| i >= skip)?;
                    Some((lane, x(v.entered_at), x(v.exited_at.unwrap_or(now_of(*future)))))
                })
                .collect();
            let placed = place_bars(&spans, lanes.len(), LABEL_W, WIDTH - 10.0);
            // One bar is a Tab stop (the selected visit's, else the latest); the arrows, Home and
            // End move between the bars in time order, so a long run is not a thousand Tab presses.
            let shown: std::rc::Rc<Vec<usize>> =
                std::rc::Rc::new((0..visits.len()).filter(|&i| placed.get(i).is_some_and(Option::is_some)).collect());
            let stop = ctx
                .selected_visit
                .get_untracked()
                .filter(|i| shown.contains(i))
                .or(shown.iter().rev().find(|&&i| i < past.len()).copied())
                // Back at step 0 every bar is ahead: the first is the Tab stop (none was: a review).
                .or(shown.first().copied());
            // Widest bars first, so instant states at a bar's edge stay on top and clickable.
            let mut order: Vec<usize> = shown.to_vec();
            let width_of = |(v, future): &(&statelab::exec::Visit, bool)| v.exited_at.unwrap_or(now_of(*future)) - v.entered_at;
            order.sort_by_key(|&i| std::cmp::Reverse(visits.get(i).map_or(0, width_of)));
            let bars = order
                .into_iter()
                .filter_map(|i| visits.get(i).map(|&(v, future)| (i, v, future)))
                .filter_map(|(i, v, future)| {
                    let (lane, x0, w) = placed.get(i).copied().flatten()?;
                    let y = lane as f64 * LANE_H + 4.0;
                    let cls = match &v.status {
                        VisitStatus::Running => "bar bar-current",
                        VisitStatus::Succeeded => "bar bar-ok",
                        VisitStatus::Failed(_) => "bar bar-bad",
                        VisitStatus::Aborted => "bar bar-aborted",
                        VisitStatus::Caught { .. } => "bar bar-caught",
                    };
                    let group = if future { "tl-visit tl-ahead" } else { "tl-visit" };
                    let name = exec.machine().state(v.state).name.to_string();
                    // Which branch or iteration, where there are several (three bars read alike
                    // "Pack: +5m 7s → +5m 12s" to a screen reader: a QA pass).
                    let thread = format::in_thread(&v.thread);
                    let title = format!(
                        "{name}{thread}: {} → {}{}",
                        format::offset_ms(v.entered_at - start),
                        v.exited_at.map_or_else(|| "now".to_string(), |e| format::offset_ms(e - start)),
                        if future { " (ahead of the current step)" } else { "" }
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
                    let at = shown.binary_search(&i).unwrap_or(0);
                    Some(view! {
                        <g class=group data-testid="timeline-bar" data-ahead=future.then_some("true") data-state=name.clone() id=bar_id(i)
                            tabindex=crate::keys::tab_index(stop == Some(i)) role="button"
                            aria-label=aria
                            on:click=move |_| go()
                            on:keydown=move |ev| {
                                if crate::keys::presses(&ev.key()) {
                                    ev.prevent_default();
                                    go();
                                } else if let Some(to) = crate::keys::moved(&ev.key(), at, shown.len())
                                    // Down and Up too, as the README's "the arrows" says (a QA pass).
                                    .or_else(|| crate::keys::moved_in_menu(&ev.key(), at, shown.len()))
                                    .and_then(|to| shown.get(to)) {
                                    ev.prevent_default();
                                    crate::focus::by_id(&bar_id(*to));
                                }
                            }>
                            <title>{title}</title>
                            <rect class=cls x=x0 y=y width=w height=LANE_H - 8.0 rx="2"></rect>
                            {(w > 40.0).then(|| view! { <text class="bar-label" x=x0 + 3.0 y=y + 10.0>{fit(&name, w - 6.0, BAR_CHAR_W, false)}</text> })}
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
                    // The end of a nested lane's name is what tells it from its neighbours.
                    let shown = fit(&name, LABEL_W - 8.0, LANE_CHAR_W, true);
                    view! { <text class="lane-label" x="4" y=i as f64 * LANE_H + 15.0><title>{name}</title>{shown}</text> }
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
                {(visits.len() > past.len()).then(|| view! {
                    <p class="muted" data-testid="timeline-ahead">"Faint bars come after the current step: Step, or click one, to go on to it."</p>
                })}
                {(shown.len() < visits.len()).then(|| view! {
                    <p class="muted" data-testid="timeline-partial">{format!("Showing the latest {} of {} visits: the earlier ones do not fit.", shown.len(), visits.len())}</p>
                })}
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

/// Where each visit's bar goes: `spans[i]` is visit `i`'s lane and the x of its start and end
/// (`None`: not drawn), and the result its lane, x and width, or `None` when it does not fit
/// between `left` and `right`.
///
/// Instant visits would share one pixel, so each starts just right of the bar before it in its
/// lane (a longer bar gives up its first pixels). A lane that then runs past `right` (a loop of
/// instant states) is packed back from `right`, newest first, longer bars giving up their last
/// pixels: its latest visits are the ones shown, and the earliest, pushed past `left`, are not
/// drawn.
fn place_bars(
    spans: &[Option<(usize, f64, f64)>],
    lanes: usize,
    left: f64,
    right: f64,
) -> Vec<Option<(usize, f64, f64)>> {
    const MIN_W: f64 = 3.0;
    const GAP: f64 = 1.0;
    let mut lane_end = vec![f64::NEG_INFINITY; lanes];
    let mut placed: Vec<Option<(usize, f64, f64)>> = spans
        .iter()
        .map(|span| {
            let (lane, x0, x1) = (*span)?;
            let end = lane_end.get_mut(lane)?;
            let x0 = x0.max(*end + GAP);
            let x1 = x1.max(x0 + MIN_W);
            *end = x1;
            Some((lane, x0, x1))
        })
        .collect();
    let mut lane_start = vec![right + GAP; lanes];
    for bar in placed.iter_mut().rev() {
        let Some((lane, x0, x1)) = *bar else { continue };
        let Some(start) = lane_start.get_mut(lane) else { continue };
        let x1 = x1.min(*start - GAP);
        let x0 = x0.min(x1 - MIN_W);
        *start = x0;
        *bar = (x0 >= left).then_some((lane, x0, x1 - x0));
    }
    placed
}

/// The start of a bar's element id.
const BAR_ID: &str = "tl-bar-";

/// The element id of visit `i`'s bar.
fn bar_id(i: usize) -> String {
    format!("{BAR_ID}{i}")
}

#[cfg(test)]
mod tests {
    use super::{fit, place_bars};

    /// Labels are cut to their room: a bar's keeps its start, a lane's its end (where nested
    /// lanes differ).
    #[test]
    fn labels_fit_their_room() {
        assert_eq!(fit("Short", 60.0, 6.0, false), "Short");
        assert_eq!(fit("ProcessTheIncomingOrder", 60.0, 6.0, false), "ProcessTh…");
        assert_eq!(fit("Outer[0]/Inner#0/Deep[1]", 60.0, 6.0, true), "…0/Deep[1]");
        assert_eq!(fit("x", 1.0, 6.0, false), "x");
    }

    #[test]
    fn instant_visits_line_up_after_the_bar_before() {
        // Lane 0: a 50-px bar, then three instants at its end; lane 1: one instant.
        let spans = [
            Some((0, 100.0, 150.0)),
            Some((0, 150.0, 150.0)),
            Some((0, 150.0, 150.0)),
            Some((0, 150.0, 150.0)),
            Some((1, 120.0, 120.0)),
            None,
        ];
        let placed = place_bars(&spans, 2, 0.0, 900.0);
        assert_eq!(
            placed,
            [
                Some((0, 100.0, 50.0)),
                Some((0, 151.0, 3.0)),
                Some((0, 155.0, 3.0)),
                Some((0, 159.0, 3.0)),
                Some((1, 120.0, 3.0)),
                None
            ]
        );
    }

    #[test]
    fn a_lane_with_more_instants_than_room_shows_the_latest() {
        // A runaway loop: a thousand instant visits at the same moment, 400 px of room.
        let spans = vec![Some((0, 500.0, 500.0)); 1000];
        let placed = place_bars(&spans, 1, 100.0, 900.0);
        let drawn: Vec<usize> = (0..1000).filter(|&i| placed[i].is_some()).collect();
        assert_eq!(drawn.len(), 200);
        assert_eq!(drawn.first(), Some(&800));
        assert_eq!(placed[999], Some((0, 897.0, 3.0)), "the latest ends at the right edge");
        assert!(placed.iter().flatten().all(|&(_, x, w)| x >= 100.0 && x + w <= 900.0));
    }

    #[test]
    fn a_lane_just_past_the_edge_gives_up_pixels_of_its_long_bars_and_keeps_every_visit() {
        // Instants at the start and at the end of a run whose long bars fill the width.
        let spans = [
            Some((0, 100.0, 100.0)),
            Some((0, 100.0, 100.0)),
            Some((0, 100.0, 500.0)),
            Some((0, 500.0, 500.0)),
            Some((0, 500.0, 900.0)),
            Some((0, 900.0, 900.0)),
            Some((0, 900.0, 900.0)),
        ];
        let placed = place_bars(&spans, 1, 100.0, 900.0);
        assert!(placed.iter().all(Option::is_some), "{placed:?}");
        assert_eq!(placed[0], Some((0, 100.0, 3.0)));
        assert_eq!(placed[6], Some((0, 897.0, 3.0)));
        let bars: Vec<(f64, f64)> = placed.iter().flatten().map(|&(_, x, w)| (x, x + w)).collect();
        assert!(bars.windows(2).all(|w| w[0].1 < w[1].0), "no overlaps: {bars:?}");
    }
}
