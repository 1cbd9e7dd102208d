//! The event listener list of one event target (DOM §2.7 "Interface EventTarget", HTML
//! §8.1.8.1 "event handlers"), owned by the driver task: the `onxxx` attribute handlers, the
//! listeners of `add_event_listener`, and the subscribers of `events()`.
//!
//! As in HTML, an event handler attribute is a listener that takes its place in the list the
//! first time it is set to a handler; replacing the handler keeps the place, setting it to
//! `None` removes it. Listeners run in the order they were added. A handler that panics is
//! reported and the dispatch goes on (as an exception in a DOM listener is reported): a
//! handler can never take the connection down.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tokio::sync::mpsc;

use crate::event::ListenerId;

/// An event with a type, dispatched through a [`Listeners`] list.
pub(crate) trait Dispatchable: Clone + Send + 'static {
    /// The event type enum.
    type Type: Copy + Eq + std::fmt::Display + Send + 'static;
    /// This event's type.
    fn ty(&self) -> Self::Type;
}

/// A handler of events `E`.
pub(crate) type Handler<E> = Box<dyn FnMut(&E) + Send + 'static>;

/// A change to a listener list, sent to the driver as a command.
pub(crate) enum Registration<E: Dispatchable> {
    /// Set (or clear) the `onxxx` attribute of this type.
    Attribute(E::Type, Option<Handler<E>>),
    /// `addEventListener`.
    Add(ListenerId, E::Type, Handler<E>),
    /// `removeEventListener`.
    Remove(ListenerId),
    /// `events()`.
    Subscribe(mpsc::UnboundedSender<E>),
}

impl<E: Dispatchable> std::fmt::Debug for Registration<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Attribute(t, h) => write!(f, "Attribute({t}, set: {})", h.is_some()),
            Self::Add(id, t, _) => write!(f, "Add({id}, {t})"),
            Self::Remove(id) => write!(f, "Remove({id})"),
            Self::Subscribe(_) => f.write_str("Subscribe"),
        }
    }
}

enum Slot {
    Attribute,
    Listener(ListenerId),
}

struct Entry<E: Dispatchable> {
    ty: E::Type,
    slot: Slot,
    handler: Handler<E>,
}

/// The listeners of one target.
pub(crate) struct Listeners<E: Dispatchable> {
    entries: Vec<Entry<E>>,
    subscribers: Vec<mpsc::UnboundedSender<E>>,
}

impl<E: Dispatchable> Default for Listeners<E> {
    fn default() -> Self {
        Listeners {
            entries: Vec::new(),
            subscribers: Vec::new(),
        }
    }
}

impl<E: Dispatchable> Listeners<E> {
    /// Applies a registration.
    pub(crate) fn apply(&mut self, reg: Registration<E>) {
        match reg {
            Registration::Attribute(ty, handler) => {
                let pos = self
                    .entries
                    .iter()
                    .position(|e| e.ty == ty && matches!(e.slot, Slot::Attribute));
                match (pos, handler) {
                    (Some(i), Some(h)) => {
                        if let Some(e) = self.entries.get_mut(i) {
                            e.handler = h;
                        }
                    }
                    (Some(i), None) => {
                        self.entries.remove(i);
                    }
                    (None, Some(handler)) => self.entries.push(Entry {
                        ty,
                        slot: Slot::Attribute,
                        handler,
                    }),
                    (None, None) => {}
                }
            }
            Registration::Add(id, ty, handler) => self.entries.push(Entry {
                ty,
                slot: Slot::Listener(id),
                handler,
            }),
            Registration::Remove(id) => self
                .entries
                .retain(|e| !matches!(e.slot, Slot::Listener(l) if l == id)),
            Registration::Subscribe(tx) => self.subscribers.push(tx),
        }
    }

    /// Runs every listener of the event's type, in order, then hands the event to every
    /// subscriber (forgetting those whose stream was dropped).
    pub(crate) fn dispatch(&mut self, event: &E) {
        let ty = event.ty();
        for e in self.entries.iter_mut().filter(|e| e.ty == ty) {
            let handler = &mut e.handler;
            if catch_unwind(AssertUnwindSafe(|| handler(event))).is_err() {
                tracing::error!(event = %ty, "an event handler panicked");
            }
        }
        self.subscribers.retain(|s| s.send(event.clone()).is_ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum T {
        A,
        B,
    }
    impl std::fmt::Display for T {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{self:?}")
        }
    }
    #[derive(Debug, Clone)]
    struct Ev(T);
    impl Dispatchable for Ev {
        type Type = T;
        fn ty(&self) -> T {
            self.0
        }
    }

    fn recorder(log: &Arc<Mutex<Vec<&'static str>>>, name: &'static str) -> Handler<Ev> {
        let log = Arc::clone(log);
        Box::new(move |_| log.lock().unwrap().push(name))
    }

    #[test]
    fn attribute_keeps_its_place_and_none_removes_it() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut l = Listeners::<Ev>::default();
        l.apply(Registration::Add(
            ListenerId::new(1),
            T::A,
            recorder(&log, "first"),
        ));
        l.apply(Registration::Attribute(T::A, Some(recorder(&log, "on1"))));
        l.apply(Registration::Add(
            ListenerId::new(2),
            T::A,
            recorder(&log, "last"),
        ));
        l.apply(Registration::Add(
            ListenerId::new(3),
            T::B,
            recorder(&log, "b"),
        ));
        // Replacing keeps the attribute's place (between "first" and "last").
        l.apply(Registration::Attribute(T::A, Some(recorder(&log, "on2"))));
        l.dispatch(&Ev(T::A));
        assert_eq!(*log.lock().unwrap(), ["first", "on2", "last"]);
        log.lock().unwrap().clear();
        // None removes it; setting again appends it.
        l.apply(Registration::Attribute(T::A, None));
        l.apply(Registration::Remove(ListenerId::new(1)));
        l.apply(Registration::Attribute(T::A, Some(recorder(&log, "on3"))));
        l.dispatch(&Ev(T::A));
        assert_eq!(*log.lock().unwrap(), ["last", "on3"]);
    }

    #[test]
    fn a_panicking_handler_does_not_stop_dispatch() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut l = Listeners::<Ev>::default();
        l.apply(Registration::Add(
            ListenerId::new(1),
            T::A,
            Box::new(|_| panic!("handler bug")),
        ));
        l.apply(Registration::Add(
            ListenerId::new(2),
            T::A,
            recorder(&log, "ok"),
        ));
        l.dispatch(&Ev(T::A));
        l.dispatch(&Ev(T::A));
        assert_eq!(*log.lock().unwrap(), ["ok", "ok"]);
    }

    #[test]
    fn subscribers_get_every_event_and_dropped_ones_are_forgotten() {
        let mut l = Listeners::<Ev>::default();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (tx2, rx2) = mpsc::unbounded_channel();
        l.apply(Registration::Subscribe(tx));
        l.apply(Registration::Subscribe(tx2));
        drop(rx2);
        l.dispatch(&Ev(T::A));
        l.dispatch(&Ev(T::B));
        assert_eq!(l.subscribers.len(), 1);
        assert_eq!(rx.try_recv().unwrap().0, T::A);
        assert_eq!(rx.try_recv().unwrap().0, T::B);
    }
}
