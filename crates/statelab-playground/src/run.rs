//! The debugger: an execution plus the stepping operations the toolbar offers. Going back is a
//! deterministic replay to the previous step; the furthest execution reached is kept, so the
//! timeline still shows what comes after the step gone back to.

use statelab::exec::Step;
use statelab::Execution;

use crate::state::Prepared;

/// An execution under the debugger.
#[derive(Clone, Debug)]
pub struct Debugger {
    /// The execution.
    pub exec: Execution,
    /// The furthest execution reached, while `exec` is behind it (after Back or a click on the
    /// timeline): its later visits are what stepping on will do again, since a replay of the same
    /// session is the same run.
    ahead: Option<Execution>,
}

impl Debugger {
    /// Starts a run (nothing stepped yet).
    pub fn start(p: Prepared) -> Result<Debugger, String> {
        Execution::start(p.machine, p.input, p.stubs, p.options)
            .map(|exec| Debugger { exec, ahead: None })
            .map_err(|e| format!("{}: {}", e.error, e.cause))
    }

    /// Whether a step has been taken: before the first (a fresh start, a Reset) nothing has run,
    /// so nothing is priced.
    pub fn has_run(&self) -> bool {
        self.exec.step_count() > 0
    }

    /// One scheduler event.
    pub fn step(&mut self) -> Option<Step> {
        let step = self.exec.step();
        self.caught_up();
        step
    }

    /// The furthest execution reached, when the one shown is behind it.
    pub fn ahead(&self) -> Option<&Execution> {
        self.ahead.as_ref()
    }

    /// Forgets the execution ahead once the one shown has reached it.
    fn caught_up(&mut self) {
        if self.ahead.as_ref().is_some_and(|a| a.step_count() <= self.exec.step_count()) {
            self.ahead = None;
        }
    }

    /// Replays to step `n`, keeping the furthest execution reached.
    fn rewind(&mut self, n: u64) {
        if n >= self.exec.step_count() {
            return;
        }
        let behind = self.exec.replay(n);
        let left = std::mem::replace(&mut self.exec, behind);
        if self.ahead.as_ref().is_none_or(|a| a.step_count() < left.step_count()) {
            self.ahead = Some(left);
        }
    }

    /// Steps until the next state is entered (in any branch), or the end.
    pub fn step_over(&mut self) -> Option<Step> {
        let mut last = None;
        while let Some(s) = self.exec.step() {
            let entered = s.kind == "enter";
            last = Some(s);
            if entered {
                break;
            }
        }
        self.caught_up();
        last
    }

    /// Goes back one step.
    pub fn back(&mut self) {
        let n = self.exec.step_count().saturating_sub(1);
        self.rewind(n);
    }

    /// Goes to step `n` (0 = before the first step).
    pub fn goto(&mut self, n: u64) {
        if n < self.exec.step_count() {
            self.rewind(n);
        } else {
            while self.exec.step_count() < n && self.exec.step().is_some() {}
            self.caught_up();
        }
    }

    /// `true` when the step entered a state that has a breakpoint.
    pub fn hits(&self, step: &Step, breakpoints: &[String]) -> bool {
        step.kind == "enter"
            && step
                .state
                .is_some_and(|s| breakpoints.iter().any(|b| **b == *self.exec.machine().state(s).name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{prepare, Session};

    fn debugger() -> Debugger {
        let s = Session::default();
        let c = statelab::check(&s.definition, None);
        Debugger::start(prepare(&s, &c).unwrap()).unwrap()
    }

    #[test]
    fn stepping_and_going_back() {
        let mut d = debugger();
        let first = d.step().unwrap();
        assert_eq!(first.kind, "enter");
        d.step_over();
        let n = d.exec.step_count();
        let events = d.exec.history().len();
        d.step();
        d.back();
        assert_eq!(d.exec.step_count(), n);
        assert_eq!(d.exec.history().len(), events);
        d.goto(0);
        assert_eq!(d.exec.step_count(), 0);
        d.goto(1000);
        assert!(d.exec.is_done());
    }

    /// Going back keeps the furthest execution, whose visits are the ones stepping on repeats;
    /// it is let go once the execution shown reaches it again.
    #[test]
    fn the_execution_ahead_is_kept_until_it_is_reached() {
        let mut d = debugger();
        d.goto(1000);
        let end = d.exec.step_count();
        let visits = d.exec.visits().len();
        assert!(d.ahead().is_none());
        d.goto(1);
        assert_eq!(d.ahead().map(|a| a.step_count()), Some(end));
        d.back();
        assert_eq!(d.ahead().map(|a| a.step_count()), Some(end), "the furthest, not the last left");
        d.step();
        d.step_over();
        assert!(d.ahead().is_some());
        let ahead = d.ahead().unwrap();
        let shown = d.exec.visits();
        assert!(shown.len() < visits);
        for (a, b) in shown.iter().zip(ahead.visits()) {
            assert_eq!((a.state, a.step, a.entered_at), (b.state, b.step, b.entered_at));
        }
        d.goto(end);
        assert!(d.ahead().is_none());
        assert_eq!(d.exec.visits().len(), visits);
    }
}
