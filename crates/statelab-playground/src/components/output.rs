//! The run's result: its output as a tree, or its error and cause; why a run could not start;
//! which tasks ran without a stub.

use leptos::prelude::*;
use statelab::exec::Status;

use crate::app::Ctx;
use crate::components::json_view::JsonView;

/// The output panel.
#[component]
pub fn OutputPanel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let body = move || {
        if let Some(e) = ctx.run_error.get() {
            return view! {
                <div class="error-box" data-testid="run-error">
                    <strong>"The execution could not start. "</strong>
                    <span>{e}</span>
                </div>
            }
            .into_any();
        }
        ctx.dbg.with(|d| match d {
            None => view! { <p class="muted">"Press Run (Ctrl+Enter) to execute, or Step (F10) to go one step at a time."</p> }.into_any(),
            Some(d) => match d.exec.status() {
                Status::Running => {
                    let steps = crate::format::count(d.exec.step_count(), "step");
                    view! { <p class="muted" data-testid="paused">{format!("In progress: {steps} taken. The output appears when the execution ends.")}</p> }.into_any()
                }
                Status::Succeeded(v) => view! {
                    <div class="result ok">
                        <h3>"Output"</h3>
                        <JsonView value=v.clone() testid="output"/>
                    </div>
                }
                .into_any(),
                other => {
                    let e = other.error().cloned().unwrap_or_else(|| statelab::StatesError::new("", ""));
                    view! {
                        <div class="result bad">
                            <h3>{other.name()}</h3>
                            <dl class="error-fields">
                                <dt>"Error"</dt><dd class="mono" data-testid="error">{e.error}</dd>
                                <dt>"Cause"</dt><dd data-testid="cause">{e.cause}</dd>
                            </dl>
                        </div>
                    }
                    .into_any()
                }
            },
        })
    };
    let unstubbed = move || {
        ctx.dbg.with(|d| {
            let d = d.as_ref()?;
            let mut names: Vec<String> = Vec::new();
            for v in d.exec.visits() {
                if v.invocations.iter().any(|i| i.unstubbed) {
                    let n = d.exec.machine().state(v.state).name.to_string();
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
            }
            (!names.is_empty()).then(|| {
                view! {
                    <p class="warning-box" data-testid="unstubbed">
                        {{
                            let whose = if names.len() == 1 { "its" } else { "their" };
                            format!("Ran without a stub ({whose} input was echoed as {whose} result): {}", names.join(", "))
                        }}
                    </p>
                }
            })
        })
    };
    view! { <div class="output-panel">{unstubbed}{body}</div> }
}
