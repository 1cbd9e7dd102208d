//! Lexical helpers shared by the line and attribute parsers: the character classes of the RFC 8866
//! §9 ABNF (`token`, `byte-string`, `non-ws-string`), RFC 8839 `ice-char`, strict decimal digits,
//! and a whitespace-tolerant field cursor.
//!
//! Attribute values are split on runs of spaces or tabs, so that an attribute written with odd
//! spacing still parses; the attribute layer then notices that writing it back would change the
//! text and keeps such a line verbatim (see [`crate::Attribute::Other`]).

/// Whether `b` is an RFC 8866 `token-char`.
pub(crate) fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        )
}

/// Whether `s` is an RFC 8866 `token` (one or more token characters).
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// Whether `s` is one or more RFC 8839 `ice-char`s (`ALPHA / DIGIT / "+" / "/"`).
pub(crate) fn is_ice_chars(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// Whether `s` is a `non-ws-string`: one or more visible characters (no space, tab or control).
pub(crate) fn is_non_ws(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b > 0x20 && b != 0x7f)
}

/// Whether `s` may appear as line text: no NUL, CR or LF (an RFC 8866 `byte-string`, possibly
/// empty).
pub(crate) fn is_line_text(s: &str) -> bool {
    !s.bytes().any(|b| b == 0 || b == b'\r' || b == b'\n')
}

/// Whether `s` is one or more characters of `alpha-numeric / "-" / "_"` (RFC 8851 `rid-id`).
pub(crate) fn is_rid_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Parses one or more ASCII digits into a number; `None` for anything else (a sign, a space, an
/// empty string) or an overflow. `str::parse` alone would accept a leading `+`.
pub(crate) fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Whether `b` separates fields in an attribute value (space or tab).
fn is_sep(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// A cursor over whitespace-separated fields of an attribute value.
#[derive(Debug, Clone)]
pub(crate) struct Fields<'a> {
    rest: &'a str,
}

impl<'a> Fields<'a> {
    /// A cursor at the start of `value`.
    pub(crate) fn new(value: &'a str) -> Self {
        Fields { rest: value }
    }

    /// The next field, skipping leading spaces and tabs; `None` at the end.
    pub(crate) fn next_field(&mut self) -> Option<&'a str> {
        let s = self.rest.trim_start_matches(is_sep);
        if s.is_empty() {
            self.rest = s;
            return None;
        }
        match s.find(is_sep) {
            Some(i) => {
                let (field, rest) = s.split_at(i);
                self.rest = rest;
                Some(field)
            }
            None => {
                self.rest = "";
                Some(s)
            }
        }
    }

    /// Everything after the current position with leading spaces and tabs removed, or `None` if
    /// nothing but whitespace is left. Consumes the cursor's content.
    pub(crate) fn rest(&mut self) -> Option<&'a str> {
        let s = self.rest.trim_start_matches(is_sep);
        self.rest = "";
        if s.is_empty() { None } else { Some(s) }
    }

    /// Whether only whitespace is left.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.trim_start_matches(is_sep).is_empty()
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.next_field()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_strict() {
        assert_eq!(digits::<u16>("5000"), Some(5000));
        assert_eq!(digits::<u16>("+5"), None);
        assert_eq!(digits::<u16>(""), None);
        assert_eq!(digits::<u16>("70000"), None);
        assert_eq!(digits::<u32>(" 1"), None);
    }

    #[test]
    fn fields_skip_runs_of_whitespace() {
        let mut f = Fields::new("  a\t b  c d ");
        assert_eq!(f.next_field(), Some("a"));
        assert_eq!(f.next_field(), Some("b"));
        assert_eq!(f.rest(), Some("c d "));
        assert!(f.is_empty());
        assert_eq!(f.next_field(), None);
    }

    #[test]
    fn character_classes() {
        assert!(!is_token("UDP/TLS"));
        assert!(is_token("webrtc-datachannel"));
        assert!(is_ice_chars("aB3+/"));
        assert!(!is_ice_chars("a-b"));
        assert!(is_non_ws("x.local"));
        assert!(!is_non_ws("a b"));
        assert!(is_rid_id("hi_1-x"));
        assert!(!is_rid_id("~a"));
        assert!(!is_line_text("a\rb"));
    }
}
