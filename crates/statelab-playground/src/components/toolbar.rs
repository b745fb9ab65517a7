//! The toolbar: run and stop, the debugger's stepping controls, and Play's speed.

use leptos::prelude::*;

use crate::actions;
use crate::app::Ctx;

/// The top bar.
#[component]
pub fn Toolbar() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let busy = move || ctx.running.get();
    let can_stop = move || ctx.running.get() || ctx.playing.get();
    let can_back =
        move || !ctx.running.get() && ctx.dbg.with(|d| d.as_ref().is_some_and(|d| d.exec.step_count() > 0));
    view! {
        <header class="toolbar">
            <div class="brand">
                <svg class="logo" viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
                    <rect width="32" height="32" rx="7" fill="#1f6feb"></rect>
                    <circle cx="10" cy="9" r="3.2" fill="#fff"></circle>
                    <circle cx="22" cy="16" r="3.2" fill="#fff"></circle>
                    <circle cx="10" cy="23" r="3.2" fill="#fff"></circle>
                    <path d="M12.5 10.5 19.5 14.5M19.5 17.5 12.5 21.5" stroke="#fff" stroke-width="2"></path>
                </svg>
                <span class="brand-name">"Statelab"</span>
                <span class="brand-sub">"Amazon States Language lab"</span>
            </div>
            <div class="controls" role="toolbar" aria-label="Run and debug">
                <button class="primary" id="run" data-testid="run" title="Run to the end (Ctrl+Enter)" disabled=busy
                    on:click=move |_| actions::run(ctx)>"▶ Run"</button>
                <button data-testid="stop" title="Stop (Esc)" disabled=move || !can_stop()
                    on:click=move |_| {
                        actions::stop(ctx);
                        // Stop disables itself: the focus goes on to Play.
                        crate::focus::restore_after_action(|| crate::focus::by_id("play"));
                    }>"■ Stop"</button>
                <span class="sep"></span>
                <button id="step" data-testid="step" title="Step: one step of the execution, such as entering a state, a Task's answer or a Wait's end; it may record several history events (F10)" disabled=busy
                    on:click=move |_| actions::step(ctx)>"Step"</button>
                <button data-testid="step-over" title="Step to the next state (Ctrl+F10)" disabled=busy
                    on:click=move |_| actions::step_over(ctx)>"Next state"</button>
                <button data-testid="back" title="Back one step (Shift+F10)" disabled=move || !can_back()
                    on:click=move |_| {
                        actions::back(ctx);
                        // Back at the first step disables itself: the focus goes on to Step.
                        crate::focus::restore_after_action(|| crate::focus::by_id("step"));
                    }>"◀ Back"</button>
                <button id="run-to-breakpoint" data-testid="run-to-breakpoint" title="Run to the next breakpoint (F8)" disabled=busy
                    on:click=move |_| actions::run_to_breakpoint(ctx)>"Run to breakpoint"</button>
                <button id="play" data-testid="play" title="Play or pause, one step at a time (F9)" disabled=busy
                    aria-pressed=move || ctx.playing.get().to_string()
                    on:click=move |_| actions::toggle_play(ctx)>
                    {move || if ctx.playing.get() { "❚❚ Pause" } else { "▶ Play" }}
                </button>
                <label class="speed" title="Play speed">
                    <select data-testid="speed" on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                            ctx.speed.set(v);
                            actions::speed_changed(ctx);
                        }
                    }>
                        {crate::app::PLAY_SPEEDS.iter().map(|&v| view! {
                            <option value=v.to_string() prop:selected=move || ctx.speed.get() == v>
                                {crate::format::count(u64::from(v), "step") + "/s"}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <button data-testid="reset" title="Reset to before the first step" disabled=busy
                    on:click=move |_| actions::reset(ctx)>"↺ Reset"</button>
            </div>
            <div class="toolbar-right">
                <Show when=move || ctx.embed>
                    <crate::components::editors::MachineList/>
                </Show>
                <Show when=move || !ctx.embed>
                    <crate::components::share::Gallery/>
                    <crate::components::share::ShareButton/>
                    <crate::components::share::ExportMenu/>
                </Show>
            </div>
            <Show when=move || ctx.save_failed.get()>
                <span class="save-warning" data-testid="not-saved" role="status" title="The browser refused to store the session (full or private storage): keep it with Share or Export">"Not saved"</span>
            </Show>
        </header>
    }
}
