//! The cost meter: what the run so far costs on Standard and Express, per state, and at a
//! monthly volume. Prices come from the one table in the library, with their source and date.

use leptos::prelude::*;
use statelab::cost::{beyond_express, Cost};

use crate::app::Ctx;
use crate::format;

/// Why the Express figures are not shown for an execution that took `elapsed_ms`, or `None`
/// when they are: the machine has a Task Express refuses, or the run is longer than Express
/// allows.
pub fn express_unavailable(c: &Cost, elapsed_ms: i64) -> Option<String> {
    if let Some(why) = &c.express_unsupported {
        return Some(format!("{why}."));
    }
    beyond_express(elapsed_ms).then(|| {
        format!(
            "This execution runs for {}, longer than the 5 minutes an Express workflow may run: as Express it would time out.",
            format::duration_ms(elapsed_ms)
        )
    })
}

/// The cost panel.
#[component]
pub fn CostPanel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let volume = RwSignal::new(100_000u64);
    // Said when what was typed is not a number of executions (the projection keeps the last one).
    let volume_note = RwSignal::new(None::<String>);
    let body = move || {
        ctx.dbg.with(|d| {
            let Some(d) = d.as_ref().filter(|d| d.has_run()) else {
                return view! { <p class="muted">"Run or step to see what an execution would cost on AWS."</p> }.into_any();
            };
            let exec = &d.exec;
            let usage = exec.usage();
            // Priced in the region the settings name now: prices do not change what ran, so a
            // region chosen after the run shows its prices without running again.
            let region = ctx.session.with(|s| s.settings.region.clone());
            let c = usage.cost(&region);
            let price = c.standard_price_per_transition;
            let mut per_state: Vec<(String, u64)> = exec
                .state_transitions()
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| (exec.machine().state(i).name.to_string(), *n))
                .collect();
            per_state.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            // What no state's row holds: a Distributed Map's child executions started, each a
            // transition of this one. A row of their own, so the table adds up to the total.
            let itemised: u64 = per_state.iter().map(|(_, t)| t).sum();
            let children_started = c.billable_transitions.saturating_sub(itemised);
            let no_express = express_unavailable(&c, exec.elapsed_ms());
            let express_na = no_express.is_some();
            let n = volume.get();
            let p = usage.monthly(&region, n);
            let rows = per_state
                .into_iter()
                .map(|(name, t)| view! {
                    <tr data-testid="cost-row"><td>{name}</td><td class="num">{t}</td><td class="num mono">{format::usd(t as f64 * price)}</td></tr>
                })
                .collect_view();
            view! {
                <div class="cost-grid">
                    <section class="card">
                        <h4>"Standard"</h4>
                        <p class="big mono" data-testid="cost-panel-standard">{format::usd(c.standard_usd)}</p>
                        <p>{format!("{} × {} ({})", format::count(c.billable_transitions, "transition"), format::usd(price), c.region)}</p>
                        <p class="muted">{format!(
                            "One transition per state entered and per retry; Inline Map iterations themselves are free. The {} free transitions a month are not deducted here.",
                            c.free_tier_transitions_per_month
                        )}</p>
                        {(!c.region_priced).then(|| view! { <p class="warn">"This region is not in the price table: us-east-1 prices are used."</p> })}
                        {(c.express_children > 0).then(|| view! {
                            <p data-testid="express-children">{format!(
                                "+ {} for {}, at Express rates (a request each, and their time at 64 MB): their states are not transitions of this execution.",
                                format::usd(c.express_children_usd),
                                crate::format::count(c.express_children, "Express child execution")
                            )}</p>
                        })}
                    </section>
                    <section class="card">
                        <h4>"Express"</h4>
                        // Without an Express figure there is no breakdown of one either (it printed the
                        // request, duration and memory under "n/a": a QA pass).
                        {if let Some(why) = no_express {
                            view! {
                                <p class="big mono" data-testid="cost-express-na">"n/a"</p>
                                <p class="warn">{why}</p>
                            }.into_any()
                        } else {
                            view! {
                                <p class="big mono">{format::usd(c.express_usd)}</p>
                                <p data-testid="express-breakdown">{format!(
                                    "{} request + {} ms billed × {} MB billed{}",
                                    format::usd(c.express_request_usd),
                                    c.express_billed_ms,
                                    c.express_billed_memory_mb,
                                    if c.express_children > 0 {
                                        format!(" + {} for the Express child executions", format::usd(c.express_children_usd))
                                    } else {
                                        String::new()
                                    }
                                )}</p>
                                <p class="muted">{format!(
                                    "Duration rounds up to 100 ms; memory is estimated as 50 MB + definition + payload × Map/Parallel steps = {:.2} MB, billed in 64 MB chunks.",
                                    c.express_memory_mb
                                )}</p>
                                {(c.region != "us-east-1").then(|| view! {
                                    <p class="muted" data-testid="express-region-note">{format!(
                                        "These are us-east-1's Express prices: the price table has no others, so {} may differ.",
                                        c.region
                                    )}</p>
                                })}
                            }.into_any()
                        }}
                    </section>
                    <section class="card">
                        <h4>"Projection"</h4>
                        <label class="projection">
                            "At "
                            <input type="text" inputmode="numeric" data-testid="projection-executions" prop:value=move || volume.get().to_string()
                                on:input=move |ev| {
                                    let typed = event_target_value(&ev);
                                    match executions(&typed) {
                                        Some(v) => {
                                            volume_note.set(None);
                                            volume.set(v);
                                        }
                                        // Cleared to type another number: nothing to say yet.
                                        None if typed.trim().is_empty() => {}
                                        None => volume_note.set(Some(format!(
                                            "Not a whole number of executions: the projection is for {}.",
                                            volume.get_untracked()
                                        ))),
                                    }
                                }/>
                            " executions a month"
                        </label>
                        {volume_note.get().map(|n| view! { <p class="warn small" data-testid="projection-note" role="status">{n}</p> })}
                        <p>"Standard: " <strong class="mono" data-testid="projection-standard">{format::usd(p.standard_usd)}</strong> " (after the free tier)"</p>
                        <p>"Express: " <strong class="mono" data-testid="projection-express">{if express_na { "n/a".to_string() } else { format::usd(p.express_usd) }}</strong></p>
                    </section>
                </div>
                <h4>"Transitions by state"</h4>
                <table class="mini" data-testid="cost-by-state"><thead><tr><th>"State"</th><th class="num">"Transitions"</th><th class="num">"Standard"</th></tr></thead><tbody>
                    {rows}
                    {(children_started > 0).then(|| view! {
                        <tr data-testid="cost-row-children"><td>"Child executions started"</td><td class="num">{children_started}</td><td class="num mono">{format::usd(children_started as f64 * price)}</td></tr>
                    })}
                </tbody></table>
                <p class="muted small">{format!("Prices: {}.", c.prices_source)}</p>
            }
            .into_any()
        })
    };
    view! { <div class="cost-panel" data-testid="cost">{body}</div> }
}

/// A number of executions as typed: a whole number, also in a number field's other spellings
/// (`1e6`, `2000.0`). `None` for anything else (a fraction, a negative, text).
fn executions(typed: &str) -> Option<u64> {
    let typed = typed.trim();
    if let Ok(n) = typed.parse::<u64>() {
        return Some(n);
    }
    let f = typed.parse::<f64>().ok()?;
    // Below 2^64 (u64::MAX as f64 rounds up to 2^64, so `<` keeps the cast exact).
    (f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < u64::MAX as f64).then_some(f as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executions_are_whole_numbers_however_written() {
        assert_eq!(executions("4000"), Some(4000));
        assert_eq!(executions(" 1e6 "), Some(1_000_000));
        assert_eq!(executions("2000.0"), Some(2000));
        assert_eq!(executions("2.5"), None);
        assert_eq!(executions("-3"), None);
        assert_eq!(executions("1e30"), None);
        assert_eq!(executions("NaN"), None);
        assert_eq!(executions("inf"), None);
        assert_eq!(executions(""), None);
    }

    #[test]
    fn express_unavailable_says_why() {
        let short = statelab::cost::Usage::default();
        assert_eq!(express_unavailable(&short.cost("us-east-1"), 1_000), None);
        let long = express_unavailable(&short.cost("us-east-1"), 1_209_600_000);
        assert!(long.is_some_and(|why| why.contains("14d 0h 0m 0s")));
        let refused = statelab::cost::Usage {
            express_unsupported: Some("State 'T' cannot run in an Express workflow: why".into()),
            ..statelab::cost::Usage::default()
        };
        let why = express_unavailable(&refused.cost("us-east-1"), 1_000);
        assert_eq!(why.as_deref(), Some("State 'T' cannot run in an Express workflow: why."));
    }
}
