//! Typed identifiers.
//!
//! [`define_id!`](crate::define_id) makes a `Copy` newtype over `u64` so that ids of different
//! objects (transceivers, data channels, candidate pairs, ...) can never be mixed up.

/// Defines a typed id: a `Copy + Eq + Ord + Hash` newtype over `u64` with `Display` and a
/// `next()` that returns the following id, for allocators.
///
/// ```
/// rtcpeer_types::define_id!(
///     /// A test id.
///     WidgetId
/// );
/// let a = WidgetId::new(1);
/// assert_eq!(a.next(), WidgetId::new(2));
/// assert_eq!(a.to_string(), "WidgetId(1)");
/// ```
#[macro_export]
macro_rules! define_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(u64);

        impl $name {
            /// The id with this raw value.
            pub const fn new(raw: u64) -> Self {
                Self(raw)
            }
            /// The raw value.
            pub const fn get(self) -> u64 {
                self.0
            }
            /// The id after this one (wrapping), for allocators.
            #[must_use]
            pub const fn next(self) -> Self {
                Self(self.0.wrapping_add(1))
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}
