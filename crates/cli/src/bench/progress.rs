//! The progress bar of `rtcpeer bench`: one stderr line, rewritten in place ten times a second
//! by a task of its own, showing the current phase and how far it is. The measuring code only
//! bumps an atomic counter (also from event handlers, on the drivers), so drawing costs the
//! measured work nothing but that. Nothing is drawn when stderr is not a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::task::JoinHandle;

/// How often the line is redrawn.
const REDRAW: Duration = Duration::from_millis(100);
/// The width of the bar, in characters.
const WIDTH: usize = 30;

#[derive(Debug, Default)]
struct State {
    label: String,
    total: u64,
    done: Arc<AtomicU64>,
}

/// A progress line on stderr (or nothing, when disabled).
#[derive(Debug)]
pub(crate) struct Progress {
    state: Option<Arc<Mutex<State>>>,
    task: Option<JoinHandle<()>>,
}

impl Progress {
    /// A progress line drawn on stderr when `enabled` and stderr is a terminal.
    pub(crate) fn new(enabled: bool) -> Self {
        if !(enabled && std::io::stderr().is_terminal()) {
            return Progress {
                state: None,
                task: None,
            };
        }
        let state = Arc::new(Mutex::new(State::default()));
        let drawn = Arc::clone(&state);
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(REDRAW);
            loop {
                tick.tick().await;
                let line = {
                    let s = drawn.lock().unwrap_or_else(PoisonError::into_inner);
                    if s.label.is_empty() {
                        continue;
                    }
                    render(&s.label, s.done.load(Ordering::Relaxed), s.total)
                };
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{line}");
                let _ = err.flush();
            }
        });
        Progress {
            state: Some(state),
            task: Some(task),
        }
    }

    /// Starts a phase of `total` steps, counted from 0.
    pub(crate) fn phase(&self, label: &str, total: u64) {
        if let Some(state) = &self.state {
            let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
            s.label = label.to_owned();
            s.total = total;
            s.done = Arc::new(AtomicU64::new(0));
        }
    }

    /// The current phase's counter, for code that counts steps itself (an event handler).
    pub(crate) fn counter(&self) -> Arc<AtomicU64> {
        match &self.state {
            Some(state) => Arc::clone(&state.lock().unwrap_or_else(PoisonError::into_inner).done),
            None => Arc::new(AtomicU64::new(0)),
        }
    }

    /// Counts `n` more steps of the current phase.
    pub(crate) fn add(&self, n: u64) {
        if let Some(state) = &self.state {
            let s = state.lock().unwrap_or_else(PoisonError::into_inner);
            s.done.fetch_add(n, Ordering::Relaxed);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

/// `label [#####.....]  45%  9/20`.
pub(crate) fn render(label: &str, done: u64, total: u64) -> String {
    let done = done.min(total);
    // done <= total: the quotient is at most WIDTH (0 when there is nothing to do).
    let filled = done
        .saturating_mul(WIDTH as u64)
        .checked_div(total)
        .and_then(|f| usize::try_from(f).ok())
        .unwrap_or(0);
    let percent = (done * 100).checked_div(total).unwrap_or(0);
    format!(
        "{label:<30} [{}{}] {percent:>3}%  {done}/{total}",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_in_proportion() {
        let empty = render("bulk", 0, 10);
        assert!(
            empty.contains(&format!("[{}]", ".".repeat(WIDTH))),
            "{empty}"
        );
        assert!(empty.ends_with("  0%  0/10"), "{empty}");
        let half = render("bulk", 5, 10);
        let bar = format!("[{}{}]", "#".repeat(WIDTH / 2), ".".repeat(WIDTH / 2));
        assert!(half.contains(&bar), "{half}");
        assert!(half.ends_with(" 50%  5/10"), "{half}");
        let over = render("bulk", 12, 10);
        assert!(over.contains(&format!("[{}]", "#".repeat(WIDTH))), "{over}");
        assert!(over.ends_with("100%  10/10"), "{over}");
        assert!(render("x", 0, 0).ends_with("  0%  0/0"));
    }
}
