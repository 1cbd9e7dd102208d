//! The line-level parser: splits the text into `<type>=<value>` lines (CRLF or LF), checks the
//! line order of RFC 8866 §9 (`session-description`, `time-description`, `media-description`),
//! and hands each value to its typed parser. Errors carry the 1-based line number.
//!
//! Tolerance, as browsers have it: a line of a type the level does not define (`y=...`) is kept
//! verbatim in the attribute area ([`Attribute::UnknownLine`]); at media level that includes
//! session-only types such as `u=` or `t=`. Trailing blank lines are ignored. Anything else out
//! of order is an error.

use crate::attribute::Attribute;
use crate::time::{TimeDescription, parse_timing, parse_zone};
use crate::{
    Bandwidth, Connection, MediaDescription, Origin, ParseError, ParseErrorKind,
    SessionDescription, ValueError,
};

/// One line: its number, type letter and the text after `=`.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    number: usize,
    kind: u8,
    text: &'a str,
}

/// A lazy reader of lines that validates each line when it is first looked at, so the first
/// error in line order is the one reported.
struct Reader<'a> {
    lines: std::str::Split<'a, char>,
    number: usize,
    peeked: Option<Line<'a>>,
    /// Scratch buffer for the attribute fidelity check.
    scratch: String,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader {
            lines: text.split('\n'),
            number: 0,
            peeked: None,
            scratch: String::new(),
        }
    }

    fn peek(&mut self) -> Result<Option<Line<'a>>, ParseError> {
        if self.peeked.is_none() {
            let Some(raw) = self.lines.next() else {
                return Ok(None);
            };
            self.number += 1;
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let err = |kind| ParseError::new(self.number, kind);
            if !crate::lex::is_line_text(raw) {
                return Err(err(ParseErrorKind::ForbiddenCharacter));
            }
            let (kind, text) = match raw.as_bytes() {
                [k, b'=', ..] if k.is_ascii_alphabetic() => (*k, raw.get(2..).unwrap_or_default()),
                _ => return Err(err(ParseErrorKind::MalformedLine)),
            };
            self.peeked = Some(Line {
                number: self.number,
                kind,
                text,
            });
        }
        Ok(self.peeked)
    }

    fn next(&mut self) -> Result<Option<Line<'a>>, ParseError> {
        let l = self.peek()?;
        self.peeked = None;
        Ok(l)
    }

    /// The number a missing line would have: the peeked line's, or one past the last.
    fn here(&self) -> usize {
        self.peeked.map_or(self.number + 1, |l| l.number)
    }

    /// Takes the next line if it has type `kind`.
    fn take(&mut self, kind: u8) -> Result<Option<Line<'a>>, ParseError> {
        match self.peek()? {
            Some(l) if l.kind == kind => self.next(),
            _ => Ok(None),
        }
    }

    /// Takes the next line, which must have type `kind`.
    fn expect(&mut self, kind: u8) -> Result<Line<'a>, ParseError> {
        match self.take(kind)? {
            Some(l) => Ok(l),
            None => Err(ParseError::new(
                self.here(),
                ParseErrorKind::Missing(char::from(kind)),
            )),
        }
    }

    /// Takes every consecutive line of type `kind`, parsing each with `f`.
    fn take_all<T>(
        &mut self,
        kind: u8,
        f: impl Fn(&'a str) -> Result<T, ValueError>,
    ) -> Result<Vec<T>, ParseError> {
        let mut out = Vec::new();
        while let Some(l) = self.take(kind)? {
            out.push(field(l, f(l.text))?);
        }
        Ok(out)
    }
}

/// Attaches the line number and type to a field error.
fn field<T>(line: Line<'_>, r: Result<T, ValueError>) -> Result<T, ParseError> {
    r.map_err(|error| {
        ParseError::new(
            line.number,
            ParseErrorKind::InvalidField {
                line_type: char::from(line.kind),
                error,
            },
        )
    })
}

/// Line types defined at session level (everything else is an unknown line there).
const SESSION_TYPES: &[u8] = b"vosiuepcbtrzkam";
/// Line types defined at media level.
const MEDIA_TYPES: &[u8] = b"icbkam";

/// Parses a whole session description.
pub(crate) fn parse(text: &str) -> Result<SessionDescription, ParseError> {
    let text = text.trim_end_matches(['\r', '\n']);
    if text.is_empty() {
        return Err(ParseError::new(1, ParseErrorKind::Empty));
    }
    let mut r = Reader::new(text);

    let v = r.expect(b'v')?;
    if v.text != "0" {
        return Err(ParseError::new(
            v.number,
            ParseErrorKind::UnsupportedVersion,
        ));
    }
    let o = r.expect(b'o')?;
    let origin: Origin = field(o, o.text.parse())?;
    let session_name = r.expect(b's')?.text.to_owned();
    let mut sd = SessionDescription::new(origin);
    sd.session_name = session_name;
    sd.session_information = r.take(b'i')?.map(|l| l.text.to_owned());
    sd.uri = r.take(b'u')?.map(|l| l.text.to_owned());
    sd.emails = r.take_all(b'e', |t| Ok(t.to_owned()))?;
    sd.phones = r.take_all(b'p', |t| Ok(t.to_owned()))?;
    sd.connection = match r.take(b'c')? {
        Some(l) => Some(field(l, l.text.parse::<Connection>())?),
        None => None,
    };
    sd.bandwidths = r.take_all(b'b', str::parse::<Bandwidth>)?;
    sd.times.clear();
    while let Some(t) = r.take(b't')? {
        let (start, stop) = field(t, parse_timing(t.text))?;
        let repeats = r.take_all(b'r', str::parse)?;
        let zone_adjustments = match r.take(b'z')? {
            Some(z) => field(z, parse_zone(z.text))?,
            None => Vec::new(),
        };
        sd.times.push(TimeDescription {
            start,
            stop,
            repeats,
            zone_adjustments,
        });
    }
    if sd.times.is_empty() {
        return Err(ParseError::new(r.here(), ParseErrorKind::Missing('t')));
    }
    sd.key = r.take(b'k')?.map(|l| l.text.to_owned());
    sd.attributes = parse_attributes(&mut r, SESSION_TYPES)?;

    while let Some(m) = r.take(b'm')? {
        let mut media = field(m, MediaDescription::parse_media_line(m.text))?;
        media.title = r.take(b'i')?.map(|l| l.text.to_owned());
        media.connections = r.take_all(b'c', str::parse::<Connection>)?;
        media.bandwidths = r.take_all(b'b', str::parse::<Bandwidth>)?;
        media.key = r.take(b'k')?.map(|l| l.text.to_owned());
        media.attributes = parse_attributes(&mut r, MEDIA_TYPES)?;
        sd.media.push(media);
    }
    // parse_attributes stops only at `m=` or the end, and `m=` was consumed above.
    Ok(sd)
}

/// Parses the attribute area of a section up to the next `m=` line or the end. Lines of a type
/// in `defined` other than `a` and `m` are out of order here; other types are kept verbatim.
fn parse_attributes(r: &mut Reader<'_>, defined: &[u8]) -> Result<Vec<Attribute>, ParseError> {
    let mut out = Vec::new();
    while let Some(l) = r.peek()? {
        match l.kind {
            b'm' => break,
            b'a' => {
                r.next()?;
                let a = Attribute::parse_line(l.text, &mut r.scratch)
                    .map_err(|kind| ParseError::new(l.number, kind))?;
                out.push(a);
            }
            k if defined.contains(&k) => {
                return Err(ParseError::new(
                    l.number,
                    ParseErrorKind::Unexpected(char::from(k)),
                ));
            }
            k => {
                r.next()?;
                out.push(Attribute::UnknownLine {
                    kind: char::from(k),
                    text: l.text.to_owned(),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

    fn err(text: &str) -> ParseError {
        parse(text).unwrap_err()
    }

    #[test]
    fn minimal_and_lf_only() {
        let sd = parse(MINIMAL).unwrap();
        assert_eq!(sd.origin.session_version, 2);
        assert_eq!(sd.to_string(), MINIMAL);
        let lf = MINIMAL.replace("\r\n", "\n");
        assert_eq!(parse(&lf).unwrap(), sd);
        // Trailing blank lines and a missing final newline are fine.
        assert_eq!(parse(&format!("{MINIMAL}\r\n\r\n")).unwrap(), sd);
        assert_eq!(parse(MINIMAL.trim_end()).unwrap(), sd);
    }

    #[test]
    fn rfc8866_example() {
        // The example session description of RFC 8866 §5.
        let text = "v=0\r\n\
            o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n\
            s=Call to John Smith\r\n\
            i=SDP Offer #1\r\n\
            u=http://www.jdoe.example.com/home.html\r\n\
            e=Jane Doe <jane@jdoe.example.com>\r\n\
            p=+1 617 555-6011\r\n\
            c=IN IP4 198.51.100.1\r\n\
            t=0 0\r\n\
            m=audio 49170 RTP/AVP 0\r\n\
            m=audio 49180 RTP/AVP 0\r\n\
            m=video 51372 RTP/AVP 99\r\n\
            c=IN IP6 2001:db8::2\r\n\
            a=rtpmap:99 h263-1998/90000\r\n";
        let sd = parse(text).unwrap();
        assert_eq!(sd.origin.username, "jdoe");
        assert_eq!(sd.session_name, "Call to John Smith");
        assert_eq!(sd.emails, ["Jane Doe <jane@jdoe.example.com>"]);
        assert_eq!(sd.phones, ["+1 617 555-6011"]);
        assert_eq!(sd.media.len(), 3);
        assert_eq!(
            sd.media[2].connection().map(|c| c.address.as_str()),
            Some("2001:db8::2")
        );
        assert_eq!(
            sd.media[2].rtpmap(99).map(|r| r.encoding_name.as_str()),
            Some("h263-1998")
        );
        assert_eq!(sd.to_string(), text);
    }

    #[test]
    fn timing_repeat_and_zone() {
        let text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns= \r\nt=3034423619 3042462419\r\nr=7d 1h 0 25h\r\nz=2882844526 -1h 2898848070 0\r\nt=0 0\r\nk=prompt\r\n";
        let sd = parse(text).unwrap();
        assert_eq!(sd.session_name, " ");
        assert_eq!(sd.times.len(), 2);
        assert_eq!(sd.times[0].repeats.len(), 1);
        assert_eq!(sd.times[0].zone_adjustments.len(), 2);
        assert_eq!(sd.key.as_deref(), Some("prompt"));
        assert_eq!(sd.to_string(), text);
    }

    #[test]
    fn errors_carry_line_numbers() {
        assert_eq!(err(""), ParseError::new(1, ParseErrorKind::Empty));
        assert_eq!(err("\r\n\r\n").kind, ParseErrorKind::Empty);
        assert_eq!(err("v=1\r\n").kind, ParseErrorKind::UnsupportedVersion);
        assert_eq!(
            err("o=- 1 1 IN IP4 0.0.0.0\r\n"),
            ParseError::new(1, ParseErrorKind::Missing('v'))
        );
        assert_eq!(
            err("v=0\r\n"),
            ParseError::new(2, ParseErrorKind::Missing('o'))
        );
        assert_eq!(
            err("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n"),
            ParseError::new(4, ParseErrorKind::Missing('t'))
        );
        let bad_o = err("v=0\r\no=- 1 x IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
        assert_eq!(bad_o.line, 2);
        assert!(matches!(
            bad_o.kind,
            ParseErrorKind::InvalidField { line_type: 'o', .. }
        ));
        let e = err(&format!("{MINIMAL}a=rtcp-mux\r\nhello\r\n"));
        assert_eq!(e, ParseError::new(6, ParseErrorKind::MalformedLine));
        let e = err(&format!("{MINIMAL}m=audio 9 RTP/AVP 0\r\na=rtpmap:x\r\n"));
        assert_eq!(e.line, 6);
        assert!(
            matches!(e.kind, ParseErrorKind::InvalidAttribute { ref name, .. } if name == "rtpmap")
        );
        let e = err(&format!("{MINIMAL}a=x\r\nc=IN IP4 0.0.0.0\r\n"));
        assert_eq!(e, ParseError::new(6, ParseErrorKind::Unexpected('c')));
        let e = err(&format!(
            "{MINIMAL}m=audio 9 RTP/AVP 0\r\na=x\r\nb=AS:1\r\n"
        ));
        assert_eq!(e, ParseError::new(7, ParseErrorKind::Unexpected('b')));
        let e = err(&format!("{MINIMAL}a=x\0\r\n"));
        assert_eq!(e, ParseError::new(5, ParseErrorKind::ForbiddenCharacter));
        let e = err(&format!("{MINIMAL}a=x\ry\r\n"));
        assert_eq!(e.kind, ParseErrorKind::ForbiddenCharacter);
        let e = err("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\ns=-\r\nt=0 0\r\n");
        assert_eq!(e, ParseError::new(4, ParseErrorKind::Missing('t')));
        let e = err(&format!("{MINIMAL}\r\na=x\r\n"));
        assert_eq!(e, ParseError::new(5, ParseErrorKind::MalformedLine));
        assert!(e.to_string().contains("line 5"));
    }

    #[test]
    fn unknown_line_types_are_kept_in_place() {
        let text = format!(
            "{MINIMAL}a=foo\r\ny=0100000001\r\nm=video 9 RTP/AVP 96\r\na=mid:0\r\nx=anything goes\r\nu=http://x\r\na=sendrecv\r\n"
        );
        let sd = parse(&text).unwrap();
        assert_eq!(
            sd.attributes[1],
            Attribute::UnknownLine {
                kind: 'y',
                text: "0100000001".into()
            }
        );
        assert_eq!(sd.media[0].attributes.len(), 4);
        assert_eq!(sd.to_string(), text);
    }
}
