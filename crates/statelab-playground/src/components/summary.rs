//! The always-visible strip: status, the virtual clock, transitions and what the run costs.

use leptos::prelude::*;

use crate::app::Ctx;
use crate::components::cost::express_unavailable;
use crate::format;

/// The summary strip.
#[component]
pub fn Summary() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let status = move || {
        if ctx.run_error.with(Option::is_some) {
            return "NOT STARTED".to_string();
        }
        ctx.dbg.with(|d| match d {
            None => "READY".to_string(),
            Some(d) if ctx.running.get() => format!("RUNNING · step {}", d.exec.step_count()),
            Some(d) if ctx.playing.get() && !d.exec.is_done() => {
                format!("PLAYING · step {}", d.exec.step_count())
            }
            Some(d) if !d.exec.is_done() => {
                if d.exec.step_count() == 0 {
                    "READY".to_string()
                } else {
                    "PAUSED".to_string()
                }
            }
            Some(d) => d.exec.status().name().to_string(),
        })
    };
    let status_class = move || {
        let s = status();
        let kind = match s.split(' ').next().unwrap_or("") {
            "SUCCEEDED" => "ok",
            "FAILED" | "TIMED_OUT" | "ABORTED" | "NOT" => "bad",
            "RUNNING" | "PLAYING" | "PAUSED" => "busy",
            _ => "idle",
        };
        format!("status status-{kind}")
    };
    // The date and the time since the start; a narrow window shows only the latter (the whole is
    // in the tooltip). Worked out once per change, for its three uses. Before the first step
    // (after Reset, or Back to step 0) nothing has run: no time, as on a fresh page, which showed
    // "—" where step 0 reached by Back showed the start time (a QA pass).
    let clock = Memo::new(move |_| {
        ctx.dbg.with(|d| match d.as_ref().filter(|d| d.has_run()) {
            Some(d) => (
                format!("{} · ", format::clock(d.exec.now())),
                format!("+{}", format::duration_ms(d.exec.elapsed_ms())),
            ),
            None => (String::new(), "—".to_string()),
        })
    });
    // The cost, and why it has no Express figure when it has none: once per change, for the
    // strip's four uses.
    // Priced in the region the settings name now, as the Cost panel prices it (the strip kept
    // the run's region, so the two disagreed after a change of region: a QA pass).
    let region = Memo::new(move |_| ctx.session.with(|s| s.settings.region.clone()));
    let priced = Memo::new(move |_| {
        let region = region.get();
        ctx.dbg.with(|d| {
            // Before the first step (after Reset) nothing has run: no price, as on a fresh page
            // (Express's smallest bill showed for an execution that had not started).
            d.as_ref().filter(|d| d.has_run()).map(|d| {
                let c = d.exec.usage().cost(&region);
                let unavailable = express_unavailable(&c, d.exec.elapsed_ms());
                (c, unavailable)
            })
        })
    });
    let unavailable = move || priced.with(|p| p.as_ref().and_then(|(_, why)| why.clone()));
    // What is shown comes from an execution of an earlier session: say so, until the next start.
    let stale = Memo::new(move |_| {
        ctx.dbg.with(Option::is_some) && ctx.session.with(|s| crate::actions::is_stale(ctx, s))
    });
    view! {
        <div class="summary" aria-live="polite">
            <div class="summary-item">
                // The mark sits on the label's line, above the status: beside the status it made
                // the strip wrap onto a second line, and the page jump, while playing (a QA pass).
                <span class="label status-label">
                    "Status"
                    <Show when=move || stale.get()>
                        <span class="badge badge-warn stale-mark" data-testid="stale"
                            title="The definition, input, stubs or settings changed after this execution started. Run (Ctrl+Enter) or Step starts again from what is in the editors.">
                            "edited since"
                        </span>
                    </Show>
                </span>
                <span class="status-line">
                    <span class=status_class data-testid="status">{status}</span>
                </span>
            </div>
            <div class="summary-item">
                <span class="label">"Virtual clock"</span>
                <span class="value mono" data-testid="virtual-clock" title=move || clock.with(|(date, since)| format!("{date}{since}"))>
                    <span class="clock-date">{move || clock.with(|c| c.0.clone())}</span>{move || clock.with(|c| c.1.clone())}
                </span>
            </div>
            <div class="summary-item">
                <span class="label">"Transitions"</span>
                <span class="value mono" data-testid="transitions">{move || priced.with(|p| p.as_ref().map_or(0, |(c, _)| c.billable_transitions))}</span>
            </div>
            <div class="summary-item" title="Standard: per state transition; the 4,000 free transitions a month are not deducted here">
                <span class="label">"Standard"</span>
                <span class="value mono" data-testid="cost-standard">{move || priced.with(|p| p.as_ref().map_or_else(|| "$0".into(), |(c, _)| format::usd(c.standard_usd)))}</span>
            </div>
            <div class="summary-item" title=move || unavailable().unwrap_or_else(
                || "Express: $1 per million requests plus duration × memory".to_string(),
            )>
                <span class="label">"Express"</span>
                <span class="value mono" data-testid="cost-express">{move || priced.with(|p| match p {
                    Some((_, Some(_))) => "n/a".to_string(),
                    Some((c, None)) => format::usd(c.express_usd),
                    None => "$0".to_string(),
                })}</span>
            </div>
        </div>
    }
}
