//! [`Pii`]: personal data (IP addresses, ports, usernames) that logs must not show by default.
//!
//! `Display` and `Debug` of a `Pii<T>` print `[redacted]` unless the process opted in with
//! [`set_log_pii`]`(true)` (e.g. for debugging on a developer machine).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

static LOG_PII: AtomicBool = AtomicBool::new(false);

/// Chooses whether [`Pii`] values are shown in logs (`true`) or redacted (`false`, the default).
pub fn set_log_pii(show: bool) {
    LOG_PII.store(show, Ordering::Relaxed);
}

/// Whether [`Pii`] values are currently shown in logs.
pub fn log_pii() -> bool {
    LOG_PII.load(Ordering::Relaxed)
}

/// A value that is personal data: formatted as `[redacted]` unless [`set_log_pii`] allowed it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Pii<T>(pub T);

impl<T> Pii<T> {
    /// The wrapped value, for code (not logs) that needs it.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: fmt::Display> fmt::Display for Pii<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if log_pii() {
            self.0.fmt(f)
        } else {
            f.write_str("[redacted]")
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Pii<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if log_pii() {
            self.0.fmt(f)
        } else {
            f.write_str("[redacted]")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_unless_allowed() {
        let p = Pii("192.0.2.7:5000");
        assert_eq!(format!("{p}"), "[redacted]");
        assert_eq!(format!("{p:?}"), "[redacted]");
        set_log_pii(true);
        assert_eq!(format!("{p}"), "192.0.2.7:5000");
        set_log_pii(false);
        assert_eq!(p.into_inner(), "192.0.2.7:5000");
    }
}
