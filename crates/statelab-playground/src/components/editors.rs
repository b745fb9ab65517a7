//! The editors (definition, input, stubs), the machine picker, the stub helper and the list of
//! problems, each of which jumps to its place.

use std::rc::Rc;

use leptos::prelude::*;
use statelab::exec::WorkflowType;
use statelab::{Checked, Diagnostic, Severity};

use crate::app::{Ctx, EditorTab};
use crate::components::code_editor::{CodeEditor, Jump};
use crate::editor::EditorDiag;
use crate::state::{self, TextProblem};

/// The editors' tabs in order, with their element ids (also their test ids).
const EDITOR_TABS: [(EditorTab, &str); 3] = [
    (EditorTab::Definition, "tab-definition"),
    (EditorTab::Input, "tab-input"),
    (EditorTab::Stubs, "tab-stubs"),
];

/// One entry of the problems list.
#[derive(Clone, Debug, PartialEq)]
struct Problem {
    editor: &'static str,
    severity: &'static str,
    code: String,
    message: String,
    location: Option<String>,
    line_col: Option<(u32, u32)>,
    range: Option<(usize, usize)>,
}

fn definition_problems(text: &str, diagnostics: &[Diagnostic]) -> Vec<Problem> {
    diagnostics
        .iter()
        .map(|d| Problem {
            editor: "definition",
            severity: if d.severity == Severity::Error { "error" } else { "warning" },
            code: d.code.clone(),
            message: state::with_machine_hint(d),
            location: d.location.clone(),
            line_col: d.span.map(|s| (s.start.line, s.start.column)),
            range: d.span.map(|s| state::utf16_range(text, &s)),
        })
        .collect()
}

fn text_problem(editor: &'static str, text: &str, p: TextProblem) -> Problem {
    Problem {
        editor,
        severity: "error",
        code: p.code.into(),
        message: p.message,
        location: None,
        line_col: p.span.map(|s| (s.start.line, s.start.column)),
        range: p.span.map(|s| state::utf16_range(text, &s)),
    }
}

fn to_editor(problems: &[Problem], editor: &str) -> Vec<EditorDiag> {
    problems
        .iter()
        .filter(|p| p.editor == editor)
        .filter_map(|p| {
            p.range.map(|(from, to)| EditorDiag {
                from,
                to,
                severity: p.severity,
                message: format!("{}: {}", p.code, p.message),
            })
        })
        .collect()
}

/// The left pane.
#[component]
pub fn EditorPane() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let definition = Signal::derive(move || ctx.session.with(|s| s.definition.clone()));
    let input = Signal::derive(move || ctx.session.with(|s| s.input.clone()));
    let stubs = Signal::derive(move || ctx.session.with(|s| s.stubs.clone()));
    // Problems of all three texts, recomputed when any changes.
    let problems = Memo::new(move |_| {
        ctx.checked.with(|c| {
            ctx.session.with(|s| {
                let mut out = if s.settings.workflow_type == WorkflowType::Express {
                    definition_problems(&s.definition, &c.express_diagnostics())
                } else {
                    definition_problems(&s.definition, &c.diagnostics)
                };
                match state::read_input(&s.input) {
                    Err(p) => out.push(text_problem("input", &s.input, p)),
                    Ok((_, Some(p))) => {
                        out.push(Problem { severity: "warning", ..text_problem("input", &s.input, p) })
                    }
                    Ok((_, None)) => {}
                }
                out.extend(
                    state::express_problems(&s.settings, c)
                        .into_iter()
                        .map(|p| text_problem("definition", &s.definition, p)),
                );
                match state::stub_problems(&s.stubs, &s.settings, c) {
                    Err(p) => out.push(text_problem("stubs", &s.stubs, p)),
                    Ok(unused) => out.extend(
                        unused
                            .into_iter()
                            .map(|p| Problem { severity: "warning", ..text_problem("stubs", &s.stubs, p) }),
                    ),
                }
                out
            })
        })
    });
    let def_diags = Signal::derive(move || problems.with(|p| to_editor(p, "definition")));
    let input_diags = Signal::derive(move || problems.with(|p| to_editor(p, "input")));
    let stubs_diags = Signal::derive(move || problems.with(|p| to_editor(p, "stubs")));
    let jump = Signal::derive(move || ctx.jump.get());
    let seq = StoredValue::new(0u64);
    let go = move |p: &Problem| {
        let tab = match p.editor {
            "input" => EditorTab::Input,
            "stubs" => EditorTab::Stubs,
            _ => EditorTab::Definition,
        };
        ctx.editor_tab.set(tab);
        if let Some((from, to)) = p.range {
            seq.update_value(|s| *s += 1);
            ctx.jump.set(Some(Jump { editor: p.editor, from, to, seq: seq.get_value() }));
        }
    };
    let tab_button = move |tab: EditorTab, label: &'static str, testid: &'static str| {
        let count = move || {
            problems.with(|ps| {
                let name = match tab {
                    EditorTab::Definition => "definition",
                    EditorTab::Input => "input",
                    EditorTab::Stubs => "stubs",
                };
                ps.iter().filter(|p| p.editor == name && p.severity == "error").count()
            })
        };
        let at = EDITOR_TABS.iter().position(|t| t.0 == tab).unwrap_or(0);
        view! {
            <button role="tab" class="tab" data-testid=testid id=testid
                class:active=move || ctx.editor_tab.get() == tab
                aria-selected=move || (ctx.editor_tab.get() == tab).to_string()
                aria-controls="editor-panel"
                tabindex=move || crate::keys::tab_index(ctx.editor_tab.get() == tab)
                on:click=move |_| ctx.editor_tab.set(tab)
                on:keydown=move |ev| crate::keys::on_tab_key(&ev, at, &EDITOR_TABS, |t| t.1, |t| ctx.editor_tab.set(t.0))>
                {label}
                <Show when=move || { count() > 0 }>
                    <span class="badge badge-error">{count}</span>
                </Show>
            </button>
        }
    };
    let problem_list = move || {
        let ps = problems.get();
        if ps.is_empty() {
            return view! { <p class="muted" data-testid="no-problems">"No problems found."</p> }.into_any();
        }
        ps.into_iter()
            .map(|p| {
                let where_ = match p.line_col {
                    Some((l, c)) => format!("{} {l}:{c}", p.editor),
                    None => p.editor.to_string(),
                };
                let loc = p.location.clone().map(|l| if l.is_empty() { "/".to_string() } else { l });
                let sev = p.severity;
                let p2 = p.clone();
                view! {
                    <li class=format!("diagnostic diag-{sev}") data-testid="diagnostic" data-code=p.code.clone()>
                        <button class="diag-button" on:click=move |_| go(&p2) title="Show in the editor">
                            <span class=format!("sev sev-{sev}")>{sev}</span>
                            <span class="diag-where">{where_}</span>
                            <span class="diag-code">{p.code.clone()}</span>
                            <span class="diag-msg">{p.message.clone()}</span>
                            {loc.map(|l| view! { <span class="diag-loc">{format!("at {l}")}</span> })}
                        </button>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    let on_def = Callback::new(move |t: String| ctx.edit(|s| s.definition = t));
    let on_input = Callback::new(move |t: String| ctx.edit(|s| s.input = t));
    let on_stubs = Callback::new(move |t: String| ctx.edit(|s| s.stubs = t));
    // Whether each editor's tab shows: hides the others' slots, and starts an editor the first time.
    let showing = move |tab: EditorTab| Signal::derive(move || ctx.editor_tab.get() == tab);
    let (def_shown, input_shown, stubs_shown) =
        (showing(EditorTab::Definition), showing(EditorTab::Input), showing(EditorTab::Stubs));
    view! {
        <div class="editors">
            <div class="tabs" role="tablist" aria-label="Editors">
                {tab_button(EditorTab::Definition, "Definition", "tab-definition")}
                {tab_button(EditorTab::Input, "Input", "tab-input")}
                {tab_button(EditorTab::Stubs, "Stubs", "tab-stubs")}
                <MachinePicker/>
            </div>
            <div class="editor-stack" role="tabpanel" id="editor-panel"
                aria-labelledby=move || EDITOR_TABS.iter().find(|t| t.0 == ctx.editor_tab.get()).map_or("tab-definition", |t| t.1)>
                <div class="editor-slot" class:hidden=move || !def_shown.get()>
                    <CodeEditor name="definition" language="auto" text=definition on_change=on_def diagnostics=def_diags jump=jump
                        shown=def_shown/>
                </div>
                <div class="editor-slot" class:hidden=move || !input_shown.get()>
                    <CodeEditor name="input" language="auto" text=input on_change=on_input diagnostics=input_diags jump=jump
                        shown=input_shown/>
                </div>
                <div class="editor-slot" class:hidden=move || !stubs_shown.get()>
                    <CodeEditor name="stubs" language="auto" text=stubs on_change=on_stubs diagnostics=stubs_diags jump=jump
                        shown=stubs_shown/>
                </div>
            </div>
            <StubHelper/>
            <div class="problems">
                <h2 class="section-title">
                    "Problems "
                    <span class="muted">{move || {
                        let (e, w) = problems.with(|ps| (
                            ps.iter().filter(|p| p.severity == "error").count(),
                            ps.iter().filter(|p| p.severity == "warning").count(),
                        ));
                        format!("{}, {}", crate::format::count(e as u64, "error"), crate::format::count(w as u64, "warning"))
                    }}</span>
                </h2>
                <ul class="diagnostics" data-testid="diagnostics">{problem_list}</ul>
            </div>
        </div>
    }
}

/// Picks the machine when the definition text holds several, and says what the text is.
#[component]
fn MachinePicker() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <MachineList/>
        // It describes the definition: on the Input and Stubs tabs it would mislead.
        {move || (ctx.editor_tab.get() == EditorTab::Definition).then(|| ctx.checked.with(|c| c.kind.map(|k| {
            let label = match k {
                statelab::document::Kind::Bare => "ASL",
                statelab::document::Kind::Serverless => "serverless.yml",
                statelab::document::Kind::CloudFormation => "CloudFormation",
            };
            let fmt = c.format.unwrap_or(statelab::document::Format::Json).name();
            view! { <span class="doc-kind" data-testid="doc-kind">{format!("{label} · {fmt}")}</span> }
        })))}
    }
}

/// The Machine list, shown when the definition text holds several machines (a serverless.yml, a
/// template): above the editor, and in the embed view's toolbar (which has no editors, and
/// whose link may have been made before a machine was chosen).
#[component]
pub fn MachineList() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let machines = move || {
        ctx.checked.with(|c: &Rc<Checked>| {
            (
                c.machines.iter().cloned().zip(c.machine_picks.iter().cloned()).collect::<Vec<_>>(),
                c.selected_pick.clone(),
            )
        })
    };
    view! {
        <Show when=move || { machines().0.len() > 1 }>
            <label class="machine-picker">
                "Machine "
                <select data-testid="machine-picker" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    ctx.edit(|s| s.settings.state_machine = Some(v));
                }>
                    {move || {
                        let (names, selected) = machines();
                        // Until one is chosen none is used, so none may look chosen (the first
                        // would, and choosing it would then change nothing).
                        let placeholder = selected.is_none().then(|| view! {
                            <option value="" disabled=true prop:selected=true>"Choose one…"</option>
                        });
                        // Two machines of one name are told apart, and picked, by their keys.
                        let options = names.into_iter().map(|(name, pick)| {
                            let sel = selected.as_deref() == Some(pick.as_str());
                            let label = if pick == name { name } else { format!("{name} ({pick})") };
                            view! { <option value=pick prop:selected=sel>{label}</option> }
                        }).collect_view();
                        (placeholder, options)
                    }}
                </select>
            </label>
        </Show>
    }
}

/// One-click stub skeletons for Task states that have none.
#[component]
fn StubHelper() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let missing = move || {
        ctx.checked.with(|c| {
            let Some(m) = &c.machine else { return Vec::new() };
            ctx.session.with(|s| state::unstubbed_tasks(m, &s.stubs))
        })
    };
    let add = move |names: Vec<String>| {
        let current = ctx.session.with_untracked(|s| s.stubs.clone());
        match state::add_stub_skeletons(&current, &names) {
            Ok(text) => {
                ctx.edit(|s| s.stubs = text);
                ctx.editor_tab.set(EditorTab::Stubs);
                // The chip (or the whole bar) goes: the focus goes to the stubs' tab, shown now.
                crate::focus::restore_after_action(|| crate::focus::by_id("tab-stubs"));
            }
            Err(e) => ctx.notice.set(Some(crate::app::Notice { level: "warning", text: e })),
        }
    };
    view! {
        <Show when=move || !missing().is_empty()>
            <div class="stub-helper" data-testid="stub-helper">
                <span class="muted">"No stub for: "</span>
                {move || missing().into_iter().map(|n| {
                    let name = n.clone();
                    view! {
                        <button class="chip" data-testid="add-stub" data-state=n.clone()
                            title=format!("Add a {{\"Return\": {{}}}} stub for {n}")
                            on:click=move |_| add(vec![name.clone()])>{format!("+ {n}")}</button>
                    }
                }).collect_view()}
                <button class="chip chip-all" data-testid="add-all-stubs" on:click=move |_| add(missing())>"+ all"</button>
            </div>
        </Show>
    }
}
