//! Run settings: workflow type, region, start time, seed, step budget, strict stubs, and the
//! mock-config test case.

use leptos::prelude::*;
use statelab::exec::WorkflowType;

use crate::app::Ctx;

/// Regions in the price table, for the picker, in alphabetical order (the table keeps the price
/// page's, where us-west-1 came after ap-northeast-1).
fn regions() -> Vec<&'static str> {
    let mut regions: Vec<&str> = statelab::cost::STANDARD_PER_1000.iter().map(|(r, _)| *r).collect();
    regions.sort_unstable();
    regions
}

/// What a typed step budget becomes: the budget to keep, and a note when it is not what was
/// typed (`None` for the budget: keep the one there is).
fn step_budget(typed: &str, current: u64) -> (Option<u64>, Option<String>) {
    match typed.trim().parse::<i128>() {
        Ok(0) => (Some(1), Some("The budget is at least one step: it was set to 1.".into())),
        Ok(v) if v < 0 => {
            (None, Some(format!("A budget counts steps (at least 1): the budget stays {current}.")))
        }
        Ok(v) => match u64::try_from(v) {
            Ok(v) => (Some(v), None),
            Err(_) => (None, Some(format!("At most {}: the budget stays {current}.", u64::MAX))),
        },
        Err(_) => (None, Some(format!("Not a whole number of steps in digits: the budget stays {current}."))),
    }
}

/// A note for a typed start time that is not a timestamp (it is kept as typed: the run says why
/// it cannot start until it is one).
fn start_time_note(typed: &str) -> Option<String> {
    statelab::time::parse_millis(typed.trim()).is_none().then(|| {
        "Not an RFC 3339 timestamp such as 2026-01-01T00:00:00Z: an execution cannot start until it is one."
            .to_string()
    })
}

/// What a typed seed becomes, as [`step_budget`].
fn seed(typed: &str, current: i64) -> (Option<i64>, Option<String>) {
    match typed.trim().parse::<i128>() {
        Ok(v) => match i64::try_from(v) {
            Ok(v) => (Some(v), None),
            Err(_) => {
                (None, Some(format!("A seed is from {} to {}: it stays {current}.", i64::MIN, i64::MAX)))
            }
        },
        Err(_) => (None, Some(format!("Not a whole number in digits: the seed stays {current}."))),
    }
}

/// The value a field is being typed to, when the text so far is that value exactly as it would
/// be shown. Applied as it is typed, so a reload before the field is left keeps it; anything else
/// waits for the field to be left, where its note is given.
fn as_typed<T: std::fmt::Display>(typed: &str, parsed: (Option<T>, Option<String>)) -> Option<T> {
    match parsed {
        (Some(v), None) if v.to_string() == typed => Some(v),
        _ => None,
    }
}

/// Shows the value kept in the field an `ev` changed, instead of what was typed there.
fn show_kept(ev: &leptos::ev::Event, kept: impl std::fmt::Display) {
    event_target::<web_sys::HtmlInputElement>(ev).set_value(&kept.to_string());
}

/// The note beside a field, while there is one.
fn field_note(
    note: impl Fn() -> Option<String> + Send + Sync + 'static,
    testid: &'static str,
) -> impl IntoView {
    move || note().map(|n| view! { <span class="field-note" data-testid=testid role="status">{n}</span> })
}

/// The settings panel.
#[component]
pub fn SettingsPanel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let s = move || ctx.session.with(|s| s.settings.clone());
    // Said next to a field when what was typed was not taken as it was.
    let budget_note = RwSignal::new(None::<String>);
    let seed_note = RwSignal::new(None::<String>);
    let start_note = RwSignal::new(None::<String>);
    // The test-case picker, when the stubs are a MockConfigFile.
    let picker = move || {
        ctx.session.with(|s| {
            let config = crate::state::stubs_value(&s.stubs).ok().filter(statelab::stubs::is_mock_config)?;
            Some(ctx.checked.with(|c| crate::state::case_picker(&config, c, &s.settings)))
        })
    };
    view! {
        <form class="settings" on:submit=|ev| ev.prevent_default()>
            <label>
                <span>"Workflow type"</span>
                <select data-testid="workflow-type" on:change=move |ev| {
                    let t = if event_target_value(&ev) == "EXPRESS" { WorkflowType::Express } else { WorkflowType::Standard };
                    ctx.edit(|s| s.settings.workflow_type = t);
                }>
                    <option value="STANDARD" prop:selected=move || s().workflow_type == WorkflowType::Standard>"Standard"</option>
                    <option value="EXPRESS" prop:selected=move || s().workflow_type == WorkflowType::Express>"Express"</option>
                </select>
                {field_note(
                    move || {
                        // The playground runs with this setting; the CLI and the JS API take a
                        // template's declared type when not told one, so say when they differ.
                        let declared = ctx.checked.with(|c| c.workflow_type)?;
                        (declared != s().workflow_type).then(|| {
                            let name = if declared == WorkflowType::Express { "Express" } else { "Standard" };
                            format!("The template declares this machine {name}; runs here use this setting.")
                        })
                    },
                    "workflow-type-note",
                )}
            </label>
            <label>
                <span>"Region (prices)"</span>
                <select data-testid="region" on:change=move |ev| {
                    let r = event_target_value(&ev);
                    ctx.edit(|s| s.settings.region = r);
                }>
                    {move || {
                        let current = s().region;
                        let regions = regions();
                        // A region from a link or a session outside the price table is shown as
                        // it is (a run refuses one not written like a region, and says so).
                        let other = (!regions.contains(&current.as_str())).then(|| {
                            view! { <option value=current.clone() prop:selected=true>{unlisted_region(&current)}</option> }
                        });
                        let listed = regions.into_iter().map(|r| view! { <option value=r prop:selected=current == r>{r}</option> }).collect_view();
                        (other, listed)
                    }}
                </select>
            </label>
            <label>
                <span>"Start time"</span>
                <input type="text" data-testid="start-time" spellcheck="false" prop:value=move || s().start_time
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        if start_time_note(&v).is_none() {
                            ctx.edit(|s| s.settings.start_time = v);
                        }
                    }
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        start_note.set(start_time_note(&v));
                        ctx.edit(|s| s.settings.start_time = v);
                    }/>
                {field_note(move || start_note.get(), "start-time-note")}
            </label>
            <label>
                <span>"Seed"</span>
                // What the seed does is shown under the field and read with it (it was a hover
                // tooltip, which keyboard users never saw).
                // Text, not type="number": writing a number field's value as it is typed put the
                // caret back at its start, so "2.5" typed became "52" (a QA pass).
                <input type="text" inputmode="numeric" data-testid="seed" aria-describedby="seed-hint" prop:value=move || s().seed.to_string()
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        if let Some(v) = as_typed(&typed, seed(&typed, 0)) {
                            ctx.edit(|s| s.settings.seed = v);
                        }
                    }
                    on:change=move |ev| {
                        let (v, note) = seed(&event_target_value(&ev), s().seed);
                        match v {
                            Some(v) => ctx.edit(|s| s.settings.seed = v),
                            None => show_kept(&ev, s().seed),
                        }
                        seed_note.set(note);
                    }/>
                <span class="field-hint" id="seed-hint">
                    "Seeds States.UUID, States.MathRandom, JSONata's $random(), $uuid() and $shuffle(), task tokens and retry jitter: the same seed gives the same run."
                </span>
                {field_note(move || seed_note.get(), "seed-note")}
            </label>
            <label>
                <span>"Step budget"</span>
                <input type="text" inputmode="numeric" data-testid="max-steps" prop:value=move || s().max_steps.to_string()
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        if let Some(v) = as_typed(&typed, step_budget(&typed, 1)) {
                            ctx.edit(|s| s.settings.max_steps = v);
                        }
                    }
                    on:change=move |ev| {
                        let (v, note) = step_budget(&event_target_value(&ev), s().max_steps);
                        match v {
                            Some(v) => ctx.edit(|s| s.settings.max_steps = v),
                            None => show_kept(&ev, s().max_steps),
                        }
                        budget_note.set(note);
                    }/>
                {field_note(move || budget_note.get(), "max-steps-note")}
            </label>
            <label class="check">
                <input type="checkbox" data-testid="strict-stubs" prop:checked=move || s().strict_stubs
                    on:change=move |ev| {
                        let v = event_target_checked(&ev);
                        ctx.edit(|s| s.settings.strict_stubs = v);
                    }/>
                <span>"Fail tasks that have no stub (instead of echoing their input)"</span>
            </label>
            <Show when=move || picker().is_some()>
                <label>
                    <span>"Mock test case"</span>
                    <select data-testid="mock-test-case" on:change=move |ev| {
                        let chosen = event_target_value(&ev).parse::<usize>().ok();
                        let Some(p) = picker() else { return };
                        if let Some((sm, case)) = chosen.and_then(|i| p.options.get(i)).cloned() {
                            ctx.edit(|s| {
                                s.settings.mock_test_case = Some(case);
                                if p.sets_machine {
                                    s.settings.state_machine = Some(sm);
                                }
                            });
                        }
                    }>
                        {move || {
                            let p = picker()?;
                            // Until one is settled none may look chosen (the browser would show
                            // the first, and choosing it would then change nothing).
                            let placeholder = p.current.is_none().then(|| {
                                let label = if p.missing.is_some() { "None" } else { "Choose one…" };
                                view! { <option value="" disabled=true prop:selected=true>{label}</option> }
                            });
                            let options = p.options.into_iter().enumerate().map(|(i, (sm, case))| {
                                view! { <option value=i.to_string() prop:selected=p.current == Some(i)>{format!("{sm} / {case}")}</option> }
                            }).collect_view();
                            Some((placeholder, options))
                        }}
                    </select>
                    // Why none can be chosen, in full (a select is too narrow to say it).
                    {field_note(
                        move || {
                            let m = picker().and_then(|p| p.missing)?;
                            Some(format!("The MockConfigFile has no machine '{m}', the one the definition runs."))
                        },
                        "mock-test-case-note",
                    )}
                </label>
            </Show>
        </form>
    }
}

/// The region picker's label for a region outside the price table (from a link or a saved
/// session): the name as it is, or what an empty one is.
fn unlisted_region(region: &str) -> String {
    if region.trim().is_empty() {
        "(no region: choose one)".into()
    } else {
        format!("{region} (not in the price table)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The region list is in alphabetical order, every priced region in it once.
    #[test]
    fn regions_are_listed_in_order() {
        let listed = regions();
        assert!(listed.windows(2).all(|w| w[0] < w[1]), "{listed:?}");
        assert_eq!(listed.len(), statelab::cost::STANDARD_PER_1000.len());
        assert_eq!(listed.first(), Some(&"ap-northeast-1"));
    }

    #[test]
    fn an_unlisted_region_is_labelled_as_it_is() {
        assert_eq!(unlisted_region("mars-north-1"), "mars-north-1 (not in the price table)");
        // An empty one from a link had the label " (not in the price table)".
        assert_eq!(unlisted_region(""), "(no region: choose one)");
        assert_eq!(unlisted_region("  "), "(no region: choose one)");
    }

    #[test]
    fn typed_settings_are_kept_or_explained() {
        assert_eq!(step_budget(" 250 ", 100), (Some(250), None));
        let (v, note) = step_budget("0", 100);
        assert_eq!(v, Some(1));
        assert!(note.is_some_and(|n| n.contains("at least one step")));
        let (v, note) = step_budget("-5", 100);
        assert_eq!(v, None);
        assert!(note.is_some_and(|n| n.contains("(at least 1): the budget stays 100")));
        let (v, note) = step_budget("18446744073709551616", 100);
        assert_eq!(v, None);
        assert!(note.is_some_and(|n| n.starts_with("At most 18446744073709551615")));
        assert!(step_budget("1e3", 100).1.is_some_and(|n| n.contains("in digits")));
        assert_eq!(seed("9223372036854775807", 1), (Some(i64::MAX), None));
        assert!(seed("9223372036854775808", 1).1.is_some_and(|n| n.starts_with("A seed is from")));
        assert_eq!(seed("-7", 1), (Some(-7), None));
        // As typed: only the text that is the value as shown is applied before the field is left.
        assert_eq!(as_typed("-7", seed("-7", 1)), Some(-7));
        assert_eq!(as_typed("007", seed("007", 1)), None);
        assert_eq!(as_typed("-", seed("-", 1)), None);
        assert_eq!(as_typed("0", step_budget("0", 5)), None);
        assert!(seed("1.5", 1).1.is_some_and(|n| n.contains("stays 1")));
        assert_eq!(start_time_note(" 2026-01-01T00:00:00Z "), None);
        assert!(start_time_note("2026-13-01T00:00:00Z").is_some());
        assert!(start_time_note("").is_some());
    }
}
