//! The host of an ICE server URL: the WHATWG URL Standard's host parser for a special scheme
//! ("Host parsing": IPv6 in brackets, percent-decoding, "domain to ASCII", forbidden domain code
//! points, "ends in a number", the IPv4 parser with its hex and octal parts), which webrtc-pc
//! §4.4.1.5 applies by re-parsing `"https://" + host-and-port`.
//!
//! "Domain to ASCII" is UTS #46 processing. ASCII input is handled exactly (lower-cased, `xn--`
//! labels checked by decoding them). Non-ASCII input gets the mappings that need no Unicode data
//! tables: the ideographic and fullwidth full stops become `.`, fullwidth ASCII becomes ASCII,
//! default-ignorable code points are removed, letters are lower-cased, and labels are
//! Punycode-encoded (RFC 3492, the private `punycode` module). Characters that UTS #46 would map through
//! compatibility decomposition (enclosed, circled, superscript, presentation forms, ...) and
//! characters it disallows (controls, white space, noncharacters, private use, U+FFFD) are
//! rejected. Known gap: no NFC normalisation and no Bidi/ContextJ checks, so a few exotic names
//! a browser maps are refused here, with a `SyntaxError`.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::punycode;

/// The host of an ICE server URL (RFC 7064 / RFC 7065 `host`, as the WHATWG parser yields it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IceServerHost {
    /// A domain name, ASCII and lower-case (non-ASCII labels in their `xn--` form).
    Domain(String),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address (written in brackets in the URL).
    Ipv6(Ipv6Addr),
}

impl fmt::Display for IceServerHost {
    /// The host as it is written in a URL: IPv6 in brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Domain(d) => f.write_str(d),
            Self::Ipv4(a) => write!(f, "{a}"),
            Self::Ipv6(a) => write!(f, "[{a}]"),
        }
    }
}

/// Why a host failed to parse. Every case is a `SyntaxError` at the API.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// The host is empty.
    #[error("the host is empty")]
    Empty,
    /// `[` without a closing `]`, or an invalid IPv6 address inside the brackets.
    #[error("invalid IPv6 address")]
    InvalidIpv6,
    /// The last label is a number but the whole is not a valid IPv4 address.
    #[error("invalid IPv4 address")]
    InvalidIpv4,
    /// A character no domain may contain (space, `%`, `<`, controls, ...).
    #[error("forbidden character {0:?} in the host")]
    ForbiddenCodePoint(char),
    /// A character UTS #46 disallows, or one this parser cannot map (see the module docs).
    #[error("character {0:?} is not allowed in a domain name")]
    DisallowedCharacter(char),
    /// An `xn--` label that is not valid Punycode of a valid label.
    #[error("invalid xn-- label")]
    InvalidPunycode,
}

/// WHATWG "forbidden host code point".
fn is_forbidden_host_code_point(c: char) -> bool {
    matches!(
        c,
        '\0' | '\t'
            | '\n'
            | '\r'
            | ' '
            | '#'
            | '/'
            | ':'
            | '<'
            | '>'
            | '?'
            | '@'
            | '['
            | '\\'
            | ']'
            | '^'
            | '|'
    )
}

/// WHATWG "forbidden domain code point".
fn is_forbidden_domain_code_point(c: char) -> bool {
    is_forbidden_host_code_point(c) || c.is_ascii_control() || c == '%'
}

/// Parses the host part of an ICE server URL (already split from the port).
pub(crate) fn parse_host(input: &str) -> Result<IceServerHost, HostError> {
    if input.is_empty() {
        return Err(HostError::Empty);
    }
    if let Some(inner) = input.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(HostError::InvalidIpv6)?;
        return parse_ipv6(inner).map(IceServerHost::Ipv6);
    }
    let decoded = percent_decode(input.as_bytes());
    // UTF-8 decode without BOM: invalid sequences become U+FFFD, which is then disallowed.
    let domain = String::from_utf8_lossy(&decoded);
    let ascii = domain_to_ascii(&domain)?;
    if let Some(c) = ascii.chars().find(|&c| is_forbidden_domain_code_point(c)) {
        return Err(HostError::ForbiddenCodePoint(c));
    }
    if ends_in_a_number(&ascii) {
        return parse_ipv4(&ascii).map(IceServerHost::Ipv4);
    }
    Ok(IceServerHost::Domain(ascii))
}

/// WHATWG "percent-decode": `%XX` becomes the byte, anything else (including a `%` not followed
/// by two hex digits) stays.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if b == b'%' {
            let hi = input.get(i + 1).and_then(|&h| char::from(h).to_digit(16));
            let lo = input.get(i + 2).and_then(|&l| char::from(l).to_digit(16));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                // hi, lo < 16, so the value fits a byte.
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

/// UTS #46 "ignored" code points (default ignorables that ToASCII deletes).
fn is_ignored(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{180B}'..='\u{180D}'
            | '\u{180F}'
            | '\u{200B}'
            | '\u{2060}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Code points UTS #46 disallows outright, or maps through compatibility decomposition (which
/// needs tables this parser does not carry). Either way: refused.
fn is_disallowed_or_unmappable(c: char) -> bool {
    let u = c as u32;
    c.is_control()
        || c.is_whitespace()
        || c == '\u{FFFD}'
        // Joiners (valid only in contexts this parser does not check).
        || matches!(c, '\u{200C}' | '\u{200D}')
        // Noncharacters.
        || (0xFDD0..=0xFDEF).contains(&u)
        || u & 0xFFFE == 0xFFFE
        // Private use.
        || (0xE000..=0xF8FF).contains(&u)
        || u >= 0xF0000
        // Compatibility blocks UTS #46 maps via NFKC: superscripts and subscripts, letterlike
        // symbols, number forms, enclosed alphanumerics, Kangxi radicals, ideographic
        // description characters, enclosed CJK, CJK compatibility, CJK compatibility
        // ideographs, presentation forms, small forms, half-/fullwidth forms not handled by
        // `map_char`, mathematical alphanumerics, enclosed supplements.
        || (0x2070..=0x209F).contains(&u)
        || (0x2100..=0x218F).contains(&u)
        || (0x2460..=0x24FF).contains(&u)
        || (0x2F00..=0x2FFF).contains(&u)
        || (0x3200..=0x33FF).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0xFB00..=0xFDFF).contains(&u)
        || (0xFE10..=0xFE6F).contains(&u)
        || (0xFE70..=0xFEFE).contains(&u)
        || (0xFF00..=0xFFEF).contains(&u)
        || (0x1D400..=0x1D7FF).contains(&u)
        || (0x1F100..=0x1F2FF).contains(&u)
        || (0x2F800..=0x2FA1F).contains(&u)
}

/// Maps one code point as UTS #46 would, for the cases that need no tables, appending the
/// result to `out` (nothing for an ignored code point).
fn map_char(c: char, out: &mut Vec<char>) -> Result<(), HostError> {
    match c {
        '\u{3002}' | '\u{FF0E}' | '\u{FF61}' => out.push('.'),
        // Fullwidth ASCII variants map to ASCII (U+FF01..U+FF5E -> U+0021..U+007E).
        '\u{FF01}'..='\u{FF5E}' => {
            let ascii =
                char::from_u32(c as u32 - 0xFEE0).ok_or(HostError::DisallowedCharacter(c))?;
            out.push(ascii.to_ascii_lowercase());
        }
        _ if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        _ if is_ignored(c) => {}
        _ if is_disallowed_or_unmappable(c) => return Err(HostError::DisallowedCharacter(c)),
        _ => out.extend(c.to_lowercase()),
    }
    Ok(())
}

/// Whether a decoded `xn--` label is one UTS #46 would accept: not empty, not pure ASCII, and
/// made of code points that map to themselves.
fn is_valid_decoded_label(label: &[char]) -> bool {
    if label.is_empty() || label.iter().all(char::is_ascii) {
        return false;
    }
    label.iter().all(|&c| {
        let mut mapped = Vec::with_capacity(1);
        map_char(c, &mut mapped).is_ok() && mapped.as_slice() == [c]
    })
}

/// WHATWG "domain to ASCII" with beStrict false (see the module docs for what is approximated).
fn domain_to_ascii(domain: &str) -> Result<String, HostError> {
    let mut mapped = Vec::with_capacity(domain.len());
    for c in domain.chars() {
        map_char(c, &mut mapped)?;
    }
    let mut out = String::with_capacity(mapped.len());
    for (index, label) in mapped.split(|&c| c == '.').enumerate() {
        if index > 0 {
            out.push('.');
        }
        if label.iter().all(char::is_ascii) {
            let label: String = label.iter().collect();
            if let Some(encoded) = label.strip_prefix("xn--") {
                let decoded = punycode::decode(encoded).ok_or(HostError::InvalidPunycode)?;
                if !is_valid_decoded_label(&decoded) {
                    return Err(HostError::InvalidPunycode);
                }
            }
            out.push_str(&label);
        } else {
            let encoded = punycode::encode(label).ok_or(HostError::InvalidPunycode)?;
            out.push_str("xn--");
            out.push_str(&encoded);
        }
    }
    if out.is_empty() {
        return Err(HostError::Empty);
    }
    Ok(out)
}

/// WHATWG "IPv4 number parser": decimal, `0x` hex or `0` octal. `None` is failure; values
/// beyond `u64` saturate (they fail the range checks anyway).
fn parse_ipv4_number(input: &str) -> Option<u64> {
    if input.is_empty() {
        return None;
    }
    let (digits, radix) =
        if input.len() >= 2 && (input.starts_with("0x") || input.starts_with("0X")) {
            (&input[2..], 16)
        } else if input.len() >= 2 && input.starts_with('0') {
            (&input[1..], 8)
        } else {
            (input, 10)
        };
    if digits.is_empty() {
        return Some(0);
    }
    let mut value: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        value = value
            .saturating_mul(u64::from(radix))
            .saturating_add(u64::from(d));
    }
    Some(value)
}

/// WHATWG "ends in a number".
fn ends_in_a_number(input: &str) -> bool {
    let mut parts: Vec<&str> = input.split('.').collect();
    if parts.last() == Some(&"") {
        if parts.len() == 1 {
            return false;
        }
        parts.pop();
    }
    let Some(last) = parts.last() else {
        return false;
    };
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    parse_ipv4_number(last).is_some()
}

/// WHATWG "IPv4 parser".
fn parse_ipv4(input: &str) -> Result<Ipv4Addr, HostError> {
    let mut parts: Vec<&str> = input.split('.').collect();
    if parts.last() == Some(&"") && parts.len() > 1 {
        parts.pop();
    }
    if parts.len() > 4 {
        return Err(HostError::InvalidIpv4);
    }
    let numbers = parts
        .iter()
        .map(|p| parse_ipv4_number(p))
        .collect::<Option<Vec<u64>>>()
        .ok_or(HostError::InvalidIpv4)?;
    let (last, init) = numbers.split_last().ok_or(HostError::InvalidIpv4)?;
    if init.iter().any(|&n| n > 255) {
        return Err(HostError::InvalidIpv4);
    }
    // 256^(5 - n) for n parts: the last part fills the remaining bytes.
    let limit = 1u64 << (8 * (5 - numbers.len()));
    if *last >= limit {
        return Err(HostError::InvalidIpv4);
    }
    let mut address = *last;
    for (i, &n) in init.iter().enumerate() {
        address += n << (8 * (3 - i));
    }
    u32::try_from(address)
        .map(Ipv4Addr::from)
        .map_err(|_| HostError::InvalidIpv4)
}

/// WHATWG "IPv6 parser" (the bracket contents). Implemented here rather than with
/// `Ipv6Addr::from_str` so the accepted forms are exactly the URL Standard's.
fn parse_ipv6(input: &str) -> Result<Ipv6Addr, HostError> {
    const ERR: HostError = HostError::InvalidIpv6;
    let c: Vec<char> = input.chars().collect();
    let at = |i: usize| c.get(i).copied();
    let mut address = [0u16; 8];
    let mut piece_index = 0usize;
    let mut compress: Option<usize> = None;
    let mut p = 0usize;

    if at(p) == Some(':') {
        if at(p + 1) != Some(':') {
            return Err(ERR);
        }
        p += 2;
        piece_index += 1;
        compress = Some(piece_index);
    }
    while let Some(ch) = at(p) {
        if piece_index == 8 {
            return Err(ERR);
        }
        if ch == ':' {
            if compress.is_some() {
                return Err(ERR);
            }
            p += 1;
            piece_index += 1;
            compress = Some(piece_index);
            continue;
        }
        let mut value: u16 = 0;
        let mut length = 0;
        while length < 4 {
            let Some(d) = at(p).and_then(|h| h.to_digit(16)) else {
                break;
            };
            // At most 4 hex digits, so this fits.
            value = value * 0x10 + d as u16;
            p += 1;
            length += 1;
        }
        if at(p) == Some('.') {
            if length == 0 {
                return Err(ERR);
            }
            p -= length;
            if piece_index > 6 {
                return Err(ERR);
            }
            let mut numbers_seen = 0;
            while at(p).is_some() {
                let mut ipv4_piece: Option<u16> = None;
                if numbers_seen > 0 {
                    if at(p) == Some('.') && numbers_seen < 4 {
                        p += 1;
                    } else {
                        return Err(ERR);
                    }
                }
                if !at(p).is_some_and(|d| d.is_ascii_digit()) {
                    return Err(ERR);
                }
                while let Some(d) = at(p).and_then(|d| d.to_digit(10)) {
                    let number = d as u16;
                    ipv4_piece = match ipv4_piece {
                        None => Some(number),
                        Some(0) => return Err(ERR),
                        Some(v) => Some(v * 10 + number),
                    };
                    if ipv4_piece.is_some_and(|v| v > 255) {
                        return Err(ERR);
                    }
                    p += 1;
                }
                let piece = ipv4_piece.ok_or(ERR)?;
                let slot = address.get_mut(piece_index).ok_or(ERR)?;
                *slot = slot.wrapping_mul(0x100).wrapping_add(piece);
                numbers_seen += 1;
                if numbers_seen == 2 || numbers_seen == 4 {
                    piece_index += 1;
                }
            }
            if numbers_seen != 4 {
                return Err(ERR);
            }
            break;
        } else if at(p) == Some(':') {
            p += 1;
            if at(p).is_none() {
                return Err(ERR);
            }
        } else if at(p).is_some() {
            return Err(ERR);
        }
        *address.get_mut(piece_index).ok_or(ERR)? = value;
        piece_index += 1;
    }
    if let Some(compress) = compress {
        let mut swaps = piece_index - compress;
        piece_index = 7;
        while piece_index != 0 && swaps > 0 {
            address.swap(piece_index, compress + swaps - 1);
            piece_index -= 1;
            swaps -= 1;
        }
    } else if piece_index != 8 {
        return Err(ERR);
    }
    Ok(Ipv6Addr::from(address))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(s: &str) -> IceServerHost {
        IceServerHost::Domain(s.to_owned())
    }

    #[test]
    fn ascii_domains_are_lower_cased() {
        assert_eq!(parse_host("Example.NET"), Ok(domain("example.net")));
        assert_eq!(parse_host("ex%61mple.net"), Ok(domain("example.net")));
        assert_eq!(parse_host("."), Ok(domain(".")));
        assert_eq!(
            parse_host("example(&!$)*+-.;_=~org"),
            Ok(domain("example(&!$)*+-.;_=~org"))
        );
        assert_eq!(parse_host("256.com"), Ok(domain("256.com")));
    }

    #[test]
    fn unicode_domains_become_a_labels() {
        assert_eq!(parse_host("faß.ExAmPlE"), Ok(domain("xn--fa-hia.example")));
        assert_eq!(parse_host("你好你好"), Ok(domain("xn--6qqa088eba")));
        assert_eq!(parse_host("BÜCHER.de"), Ok(domain("xn--bcher-kva.de")));
        assert_eq!(
            parse_host("www.foo\u{3002}bar.com"),
            Ok(domain("www.foo.bar.com"))
        );
        assert_eq!(parse_host("\u{FF27}\u{FF4F}.com"), Ok(domain("go.com")));
        assert_eq!(
            parse_host("GOO\u{200b}\u{2060}\u{feff}goo.com"),
            Ok(domain("googoo.com"))
        );
        // Percent-encoded UTF-8 decodes first.
        assert_eq!(
            parse_host("%E4%BD%A0%E5%A5%BD%E4%BD%A0%E5%A5%BD"),
            Ok(domain("xn--6qqa088eba"))
        );
        // A valid A-label is kept.
        assert_eq!(
            parse_host("xn--fa-hia.example"),
            Ok(domain("xn--fa-hia.example"))
        );
    }

    #[test]
    fn invalid_domains() {
        for bad in [
            "",
            "a b",
            "a<b",
            "a^b",
            "a|b",
            "ho%00st",
            "hello%00",
            "%25",
            "a\u{0}b",
            "example.com%80",
            "GOO\u{a0}\u{3000}goo.com",
            "\u{fdd0}zyx.com",
            "%ef%b7%90zyx.com",
            "\u{fffd}",
            "%EF%BF%BD",
            "a.b.c.xn--pokxncvks",
            "a.b.c.XN--pokxncvks",
            "10.0.0.xN--pokxncvks",
            "\u{FF05}\u{FF14}\u{FF11}.com",
            "%ef%bc%85%ef%bc%90%ef%bc%90.com",
            "%zz%66%a.com",
            "%3g%78%63%30%2e%30%32%35%30%2E.01",
            "xn--",
            "xn--abc-",
            "[example.net]",
        ] {
            assert!(parse_host(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn ipv4_forms() {
        let v4 = |a, b, c, d| Ok(IceServerHost::Ipv4(Ipv4Addr::new(a, b, c, d)));
        assert_eq!(parse_host("192.0.2.1"), v4(192, 0, 2, 1));
        assert_eq!(parse_host("1.2.3.4."), v4(1, 2, 3, 4));
        assert_eq!(parse_host("192.168.257"), v4(192, 168, 1, 1));
        assert_eq!(parse_host("256"), v4(0, 0, 1, 0));
        assert_eq!(parse_host("999999999"), v4(59, 154, 201, 255));
        assert_eq!(parse_host("0xffffffff"), v4(255, 255, 255, 255));
        assert_eq!(parse_host("0xc0.0250.01"), v4(192, 168, 0, 1));
        assert_eq!(
            parse_host("%30%78%63%30%2e%30%32%35%30.01"),
            v4(192, 168, 0, 1)
        );
        assert_eq!(
            parse_host("%30%78%63%30%2e%30%32%35%30.01%2e"),
            v4(192, 168, 0, 1)
        );
        assert_eq!(
            parse_host(
                "\u{FF10}\u{FF38}\u{FF43}\u{FF10}\u{FF0E}\u{FF10}\u{FF12}\u{FF15}\u{FF10}\u{FF0E}\u{FF10}\u{FF11}"
            ),
            v4(192, 168, 0, 1)
        );
        assert_eq!(parse_host("192.0x00A80001"), v4(192, 168, 0, 1));
        assert_eq!(parse_host("0x"), v4(0, 0, 0, 0));
        for bad in [
            "192.168.0.257",
            "256.256.256.256",
            "10000000000",
            "0xffffffff1",
            "1.2.3.4.5",
            "1.2.3.09",
            "1..2",
        ] {
            assert_eq!(parse_host(bad), Err(HostError::InvalidIpv4), "{bad}");
        }
    }

    #[test]
    fn ipv6_forms() {
        let v6 = |s: &str| Ok(IceServerHost::Ipv6(s.parse::<Ipv6Addr>().unwrap()));
        assert_eq!(parse_host("[2001::1]"), v6("2001::1"));
        assert_eq!(parse_host("[::]"), v6("::"));
        assert_eq!(parse_host("[::1]"), v6("::1"));
        assert_eq!(parse_host("[1:2:3:4:5:6:7:8]"), v6("1:2:3:4:5:6:7:8"));
        assert_eq!(parse_host("[1:2:3:4:5:6::]"), v6("1:2:3:4:5:6::"));
        assert_eq!(parse_host("[::ffff:192.0.2.1]"), v6("::ffff:192.0.2.1"));
        assert_eq!(parse_host("[2001:DB8::A]"), v6("2001:db8::a"));
        for bad in [
            "[61:24:74]",
            "[::127.0.0.1.]",
            "[::1.2.3.4x]",
            "[::1.2.3.]",
            "[::1.2.]",
            "[::.1.2]",
            "[::1.]",
            "[::.1]",
            "[::%31]",
            "[::01.2.3.4]",
            "[1:2:3:4:5:6:7:8:9]",
            "[1::2::3]",
            "[:1]",
            "[1:]",
            "[12345::]",
            "[::1",
            "[]",
        ] {
            assert_eq!(parse_host(bad), Err(HostError::InvalidIpv6), "{bad}");
        }
        assert!(parse_host("%5B::1]").is_err());
    }

    #[test]
    fn display_writes_url_form() {
        assert_eq!(parse_host("[::1]").unwrap().to_string(), "[::1]");
        assert_eq!(parse_host("192.0.2.1").unwrap().to_string(), "192.0.2.1");
        assert_eq!(
            parse_host("Example.org").unwrap().to_string(),
            "example.org"
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_host(&s);
        }

        #[test]
        fn ipv6_matches_std_on_canonical_text(a in proptest::array::uniform8(0u16..)) {
            let addr = Ipv6Addr::from(a);
            proptest::prop_assert_eq!(
                parse_host(&format!("[{addr}]")),
                Ok(IceServerHost::Ipv6(addr))
            );
        }

        #[test]
        fn ipv4_round_trips(a in proptest::num::u32::ANY) {
            let addr = Ipv4Addr::from(a);
            proptest::prop_assert_eq!(
                parse_host(&addr.to_string()),
                Ok(IceServerHost::Ipv4(addr))
            );
        }
    }
}
