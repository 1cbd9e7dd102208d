//! Errors of the SDP parser: which line failed ([`ParseError::line`], 1-based) and why
//! ([`ParseErrorKind`]), and the reason an individual value was rejected ([`ValueError`]).
//!
//! The peer-connection layer turns a [`ParseError`] into an `RTCError` whose `errorDetail` is
//! `"sdp-syntax-error"` and whose `sdpLineNumber` is [`ParseError::line`].

/// Why a field or attribute value was rejected. Returned by the value parsers
/// (e.g. `Candidate::from_str`) and carried inside [`ParseErrorKind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A required part is absent (e.g. the port of a candidate).
    #[error("missing {0}")]
    Missing(&'static str),
    /// A part does not follow its grammar (e.g. a payload type above 127).
    #[error("invalid {0}")]
    Invalid(&'static str),
    /// Something follows the last part the grammar allows.
    #[error("unexpected trailing data")]
    Trailing,
}

/// Why a line was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The description has no lines at all.
    #[error("empty session description")]
    Empty,
    /// The line is not of the form `<letter>=<value>`.
    #[error("line is not of the form <type>=<value>")]
    MalformedLine,
    /// The line holds a NUL or a carriage return that does not end it.
    #[error("line holds a NUL or a stray carriage return")]
    ForbiddenCharacter,
    /// A required line is absent here (e.g. no `s=` after `o=`).
    #[error("expected a {0}= line")]
    Missing(char),
    /// A line of a known type appears where the grammar does not allow it (e.g. a second `s=`,
    /// or `c=` after the attributes).
    #[error("{0}= line not allowed here")]
    Unexpected(char),
    /// `v=` is not `0`.
    #[error("unsupported SDP version")]
    UnsupportedVersion,
    /// The value of a non-attribute line (`o=`, `c=`, `b=`, `t=`, `r=`, `z=`, `m=`) is malformed.
    #[error("invalid {line_type}= line: {error}")]
    InvalidField {
        /// The line type, e.g. `'o'`.
        line_type: char,
        /// What is wrong with it.
        error: ValueError,
    },
    /// The attribute name is not an RFC 8866 `token`.
    #[error("invalid attribute name")]
    InvalidAttributeName,
    /// The value of a known attribute is malformed.
    #[error("invalid a={name} attribute: {error}")]
    InvalidAttribute {
        /// The attribute name, e.g. `"rtpmap"`.
        name: String,
        /// What is wrong with its value.
        error: ValueError,
    },
}

/// A syntax error in a session description: the 1-based number of the offending line and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SDP line {line}: {kind}")]
pub struct ParseError {
    /// The 1-based line number (for a missing line: the line where it was expected, which may be
    /// one past the last line).
    pub line: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    /// Builds an error for `line` (1-based).
    pub fn new(line: usize, kind: ParseErrorKind) -> Self {
        ParseError { line, kind }
    }
}
