//! The data-flow inspector: for the selected state visit, each stage from raw input to output
//! with what changed highlighted, the context object (JSONata's `$states`), the workflow
//! variables it could read and those it assigned, the Choice comparisons, the retries and the
//! catch, and the visit explained in plain words.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use statelab::exec::{Visit, VisitStatus};
use statelab::machine::QueryLanguage;
use statelab::Value;

use crate::app::Ctx;
use crate::components::json_view::JsonView;
use crate::{diff, explain, format, variables};

/// The visit the inspector shows: the one selected, else the one the last step touched.
pub fn shown_visit(ctx: Ctx) -> Option<usize> {
    if let Some(i) = ctx.selected_visit.get() {
        let n = ctx.dbg.with(|d| d.as_ref().map_or(0, |d| d.exec.visits().len()));
        if i < n {
            return Some(i);
        }
    }
    ctx.dbg.with(|d| {
        let d = d.as_ref()?;
        let visits = d.exec.visits();
        let last = d.exec.steps().last()?;
        visits
            .iter()
            .rposition(|v| Some(v.state) == last.state && v.thread == last.thread)
            .or(visits.len().checked_sub(1))
    })
}

fn status_label(s: &VisitStatus) -> (&'static str, String) {
    match s {
        VisitStatus::Running => ("busy", "in progress".into()),
        VisitStatus::Succeeded => ("ok", "succeeded".into()),
        VisitStatus::Failed(e) => ("bad", format!("failed: {}", e.error)),
        VisitStatus::Caught { error, catcher } => {
            ("warn", format!("caught {} (Catcher #{catcher})", error.error))
        }
        VisitStatus::Aborted => ("muted", "aborted".into()),
    }
}

/// The stages of a visit that exist, as (AWS name, value).
fn stages(v: &Visit) -> Vec<(&'static str, Value)> {
    let s = &v.stages;
    [
        ("input", &s.input),
        ("afterInputPath", &s.after_input_path),
        ("afterParameters", &s.after_parameters),
        ("afterArguments", &s.after_arguments),
        ("afterItemsPath", &s.after_items_path),
        ("result", &s.result),
        ("afterResultSelector", &s.after_result_selector),
        ("afterResultPath", &s.after_result_path),
        ("output", &s.output),
    ]
    .into_iter()
    .filter_map(|(n, v)| v.clone().map(|v| (n, v)))
    .collect()
}

/// The inspector panel.
#[component]
pub fn Inspector() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let body = move || {
        let Some(i) = shown_visit(ctx) else {
            return view! { <p class="muted">"Step or run to see how data flows through each state."</p> }
                .into_any();
        };
        ctx.dbg.with(|d| {
            let Some(d) = d.as_ref() else { return ().into_any() };
            let Some(v) = d.exec.visits().get(i) else { return ().into_any() };
            let m = d.exec.machine();
            let st = m.state(v.state);
            let start = d.exec.options().start_time_ms;
            let (cls, label) = status_label(&v.status);
            let when = match v.exited_at {
                Some(x) => format!("{} → {}", format::offset_ms(v.entered_at - start), format::offset_ms(x - start)),
                None => format!("{} → …", format::offset_ms(v.entered_at - start)),
            };
            let sentences = explain::explain(&d.exec, v);
            let mut prev: Option<Value> = None;
            let input = v.stages.input.clone();
            let cards = stages(v)
                .into_iter()
                .map(|(name, value)| {
                    // ResultPath puts the result into the state's input, so that is what its
                    // changes are counted from (they were from the ResultSelector's output, which
                    // marked the whole input as changed: a QA note).
                    let (base, versus) = match name {
                        "afterResultPath" if input.is_some() => (input.as_ref(), Some(" (compared with input)")),
                        "afterParameters" | "afterArguments" if v.invocations.len() > 1 => (prev.as_ref(), Some(" (last attempt)")),
                        _ => (prev.as_ref(), None),
                    };
                    let changed: Arc<HashSet<String>> = Arc::new(base.map(|p| diff::changed(p, &value)).unwrap_or_default().into_iter().collect());
                    let same = base.is_some_and(|p| p == &value);
                    prev = Some(value.clone());
                    view! {
                        <div class="stage" data-testid=format!("stage-{name}")>
                            <div class="stage-name">{name}{same.then(|| view! { <span class="muted">" (unchanged)"</span> })}{versus.map(|t| view! { <span class="muted">{t}</span> })}</div>
                            <JsonView value=value changed=changed/>
                        </div>
                    }
                })
                .collect_view();
            let jsonata = st.query_language == QueryLanguage::JSONata;
            let context = v.context.clone().filter(|_| !jsonata).map(|c| view! {
                <details class="inspector-section">
                    <summary>"Context object ($$)"</summary>
                    <JsonView value=c testid="context-object"/>
                </details>
            });
            let states = jsonata.then(|| states_section(v));
            let vars = variables_section(v);
            let retries = (!v.retries.is_empty()).then(|| {
                let rows = v.retries.iter().map(|r| {
                    let names = st.retry.get(r.retrier).map(|rt| rt.error_equals.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", ")).unwrap_or_default();
                    view! {
                        <tr>
                            <td class="mono">{format::offset_ms(r.at - start)}</td>
                            <td class="mono">{r.error.error.clone()}</td>
                            <td>{format!("#{} [{names}]", r.retrier)}</td>
                            <td>{r.attempt}</td>
                            <td class="mono">{format::duration_ms(r.delay_ms)}</td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <div class="inspector-section" data-testid="retries">
                        <h4>"Retries"</h4>
                        <table class="mini"><thead><tr><th>"At"</th><th>"Error"</th><th>"Retrier"</th><th>"Attempt"</th><th>"Waited"</th></tr></thead><tbody>{rows}</tbody></table>
                    </div>
                }
            });
            let assigned = (!v.assigned.is_empty()).then(|| {
                let vars = Value::object_from(v.assigned.iter().map(|(k, x)| (k.as_ref(), x.clone())));
                view! { <div class="inspector-section" data-testid="assigned"><h4>"Variables assigned"</h4><JsonView value=vars/></div> }
            });
            view! {
                <div class="inspector-head">
                    <span class="insp-name" data-testid="inspector-state">{st.name.to_string()}</span>
                    <span class="type-pill">{st.type_name()}</span>
                    {(!v.thread.is_empty()).then(|| view! { <span class="thread">{v.thread.to_string()}</span> })}
                    <span class=format!("pill pill-{cls}") data-testid="inspector-status">{label}</span>
                    <span class="muted mono">{when}</span>
                    <VisitNav index=i/>
                </div>
                <ol class="explain" data-testid="explain">
                    {sentences.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                </ol>
                <div class="stages">{cards}</div>
                {states}
                {vars}
                {retries}
                {assigned}
                {context}
            }
            .into_any()
        })
    };
    view! { <div class="inspector" data-testid="inspector">{body}</div> }
}

/// One part of `$states`, as a card like the stages'.
fn states_card(name: &'static str, testid: &'static str, value: Value) -> impl IntoView {
    view! {
        <div class="stage">
            <div class="stage-name">{name}</div>
            <JsonView value=value testid=testid/>
        </div>
    }
}

/// What `$states` held for a JSONata state: `input`, `result` (Task, Parallel, Map),
/// `errorOutput` (when a Catcher took an error) and `context`.
fn states_section(v: &Visit) -> impl IntoView {
    let input = v.stages.input.clone().map(|x| states_card("$states.input", "states-input", x));
    let result = v.stages.result.clone().map(|x| states_card("$states.result", "states-result", x));
    let error = v.error_output.clone().map(|x| states_card("$states.errorOutput", "states-error-output", x));
    let context = v.context.clone().map(|x| states_card("$states.context", "states-context", x));
    view! {
        <div class="inspector-section" data-testid="states">
            <h4>"$states"</h4>
            <div class="stages">{input}{result}{error}{context}</div>
        </div>
    }
}

/// The workflow variables the visit could read when it began, in every scope, and what it
/// assigned.
fn variables_section(v: &Visit) -> Option<impl IntoView> {
    let rows = variables::rows(v);
    if rows.is_empty() {
        return None;
    }
    let body = rows
        .into_iter()
        .map(|r| {
            let entry = r.at_entry.as_ref().map_or_else(|| "(new)".to_string(), explain::snippet);
            let assigned = r.assigned.as_ref().map(explain::snippet).unwrap_or_default();
            let changed = r.assigned.is_some();
            let scope = r.scope_label();
            view! {
                <tr data-testid="variable" class:j-changed=changed>
                    <td class="mono">{format!("${}", r.name)}</td>
                    <td class="muted">{scope}</td>
                    <td class="mono">{entry}</td>
                    <td class="mono">{assigned}</td>
                </tr>
            }
        })
        .collect_view();
    Some(view! {
        <div class="inspector-section" data-testid="variables">
            <h4>"Variables"</h4>
            <table class="mini">
                <thead><tr><th>"Name"</th><th>"Scope"</th><th>"At entry"</th><th>"Assigned here"</th></tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    })
}

/// Previous/next visit of the same state, and back to following the run.
#[component]
fn VisitNav(index: usize) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let others = move || {
        ctx.dbg.with(|d| {
            let Some(d) = d.as_ref() else { return (None, None, 0, 0) };
            let visits = d.exec.visits();
            let Some(state) = visits.get(index).map(|v| v.state) else { return (None, None, 0, 0) };
            let same: Vec<usize> =
                visits.iter().enumerate().filter(|(_, v)| v.state == state).map(|(i, _)| i).collect();
            let pos = same.iter().position(|&i| i == index).unwrap_or(0);
            let prev = pos.checked_sub(1).and_then(|p| same.get(p).copied());
            (prev, same.get(pos + 1).copied(), pos + 1, same.len())
        })
    };
    view! {
        <span class="visit-nav">
            <button class="small" disabled=move || others().0.is_none() on:click=move |_| ctx.selected_visit.set(others().0)>"‹"</button>
            <span class="muted" data-testid="visit-count">{move || { let (_, _, p, n) = others(); format!("visit {p} of {n}") }}</span>
            <button class="small" disabled=move || others().1.is_none() on:click=move |_| ctx.selected_visit.set(others().1)>"›"</button>
            <Show when=move || ctx.selected_visit.get().is_some()>
                <button class="small" on:click=move |_| ctx.selected_visit.set(None) title="Follow the latest step">"follow"</button>
            </Show>
        </span>
    }
}
