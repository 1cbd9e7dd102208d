//! The `w3c_enum!` macro: one definition per WebIDL `enum`, generating the Rust enum and
//! everything that ties it to its W3C strings.
//!
//! A WebIDL enumeration (WebIDL "Enumerations") is a set of strings; a value outside the
//! set is rejected with a `TypeError` when a dictionary or argument is converted. For each enum
//! the macro generates:
//!
//! - the Rust enum (Rust casing), `#[doc(alias = "RTCSignalingState")]` so the W3C name finds it;
//! - `W3C_NAME` (the IDL name) and `ALL` (every value, in IDL order);
//! - `as_str()` giving the exact IDL string, and `Display` writing it;
//! - `FromStr` accepting exactly those strings (case-sensitive, as WebIDL is), whose error is a
//!   `TypeError` [`RtcError`](crate::RtcError):
//!   `'foo' is not a valid value for enumeration RTCSignalingState`;
//! - serde `Serialize`/`Deserialize` with exactly those strings, so JSON exchanged with a browser
//!   round-trips unchanged.
//!
//! Outer attributes (doc comments, `#[derive(Default)]`, ...) are passed through to the enum, and
//! variant attributes (doc comments, `#[default]`) to the variants.

/// The message WebIDL conversion gives for a string outside an enumeration; shared by `FromStr`
/// and serde so both say the same thing.
pub(crate) fn invalid_enum_value(value: &str, enumeration: &str) -> String {
    format!("'{value}' is not a valid value for enumeration {enumeration}")
}

/// Defines a W3C string enum. See the [module documentation](self).
///
/// ```text
/// w3c_enum! {
///     /// The signaling state (webrtc-pc §4.3.1.1).
///     pub enum RtcSignalingState = "RTCSignalingState" {
///         /// No offer/answer exchange in progress.
///         Stable = "stable",
///         /// A local offer has been applied.
///         HaveLocalOffer = "have-local-offer",
///     }
/// }
/// ```
macro_rules! w3c_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident = $w3c:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $value:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[doc(alias = $w3c)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("\n\nW3C string: `\"", $value, "\"`.")]
                $variant,
            )+
        }

        impl $name {
            /// The WebIDL name of this enumeration.
            pub const W3C_NAME: &'static str = $w3c;

            /// Every value of the enumeration, in the order the IDL lists them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The exact W3C string of this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $value,)+
                }
            }

            /// The value whose W3C string is `s` (exact, case-sensitive match), if any.
            pub fn from_w3c(s: &str) -> Option<Self> {
                match s {
                    $($value => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::RtcError;

            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                Self::from_w3c(s).ok_or_else(|| {
                    $crate::RtcError::type_error($crate::w3c_enum::invalid_enum_value(s, $w3c))
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                struct Visitor;

                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        write!(f, "a value of enumeration {}", $w3c)
                    }

                    fn visit_str<E: ::serde::de::Error>(
                        self,
                        v: &str,
                    ) -> ::core::result::Result<$name, E> {
                        $name::from_w3c(v).ok_or_else(|| {
                            E::custom($crate::w3c_enum::invalid_enum_value(v, $w3c))
                        })
                    }
                }

                deserializer.deserialize_str(Visitor)
            }
        }
    };
}

pub(crate) use w3c_enum;
