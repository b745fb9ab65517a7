//! The debugger: an execution plus the stepping operations the toolbar offers. Going back is a
//! deterministic replay to the previous step.

use statelab::exec::Step;
use statelab::Execution;

use crate::state::Prepared;

/// An execution under the debugger.
#[derive(Clone, Debug)]
pub struct Debugger {
    /// The execution.
    pub exec: Execution,
}

impl Debugger {
    /// Starts a run (nothing stepped yet).
    pub fn start(p: Prepared) -> Result<Debugger, String> {
        Execution::start(p.machine, p.input, p.stubs, p.options)
            .map(|exec| Debugger { exec })
            .map_err(|e| format!("{}: {}", e.error, e.cause))
    }

    /// Whether a step has been taken: before the first (a fresh start, a Reset) nothing has run,
    /// so nothing is priced.
    pub fn has_run(&self) -> bool {
        self.exec.step_count() > 0
    }

    /// One scheduler event.
    pub fn step(&mut self) -> Option<Step> {
        self.exec.step()
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
        last
    }

    /// Goes back one step.
    pub fn back(&mut self) {
        let n = self.exec.step_count().saturating_sub(1);
        self.exec = self.exec.replay(n);
    }

    /// Goes to step `n` (0 = before the first step).
    pub fn goto(&mut self, n: u64) {
        if n < self.exec.step_count() {
            self.exec = self.exec.replay(n);
        } else {
            while self.exec.step_count() < n && self.exec.step().is_some() {}
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
}
