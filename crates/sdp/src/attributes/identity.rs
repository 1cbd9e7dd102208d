//! `a=identity` (RFC 8827 §5): a base64 identity assertion followed by optional extensions.

use std::fmt;
use std::str::FromStr;

use crate::ValueError;
use crate::lex::{Fields, is_non_ws};

/// `a=identity:<assertion> *(SP <extension>)` (RFC 8827 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// The base64-encoded identity assertion.
    pub assertion: String,
    /// Extensions (`name[=value]`), as written.
    pub extensions: Vec<String>,
}

impl FromStr for Identity {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let assertion = f.next_field().ok_or(ValueError::Missing("assertion"))?;
        if !assertion
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            return Err(ValueError::Invalid("assertion"));
        }
        let extensions = f
            .map(|e| {
                if is_non_ws(e) {
                    Ok(e.to_owned())
                } else {
                    Err(ValueError::Invalid("extension"))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Identity {
            assertion: assertion.to_owned(),
            extensions,
        })
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.assertion)?;
        for e in &self.extensions {
            write!(f, " {e}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_with_extension() {
        let i: Identity = "eyJpZHAiOnt9fQ== ext=1".parse().unwrap();
        assert_eq!(i.assertion, "eyJpZHAiOnt9fQ==");
        assert_eq!(i.extensions, ["ext=1"]);
        assert_eq!(i.to_string(), "eyJpZHAiOnt9fQ== ext=1");
        assert!("a:b".parse::<Identity>().is_err());
        assert!("".parse::<Identity>().is_err());
    }
}
