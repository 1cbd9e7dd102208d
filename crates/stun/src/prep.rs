//! Preparation of credential strings before they are hashed into a long-term key or sent in
//! USERNAME / REALM: the OpaqueString profile of PRECIS (RFC 8265 §4.2, on the FreeformClass of
//! RFC 8264 §4.3 and §9), which RFC 8489 §9.2.2, §14.3, §14.4 and §14.9 require, and SASLprep
//! (RFC 4013, a stringprep profile of RFC 3454), which RFC 5389 required and RFC 5769's
//! long-term test vector assumes.
//!
//! # OpaqueString ([`opaque_string`])
//!
//! The rules of RFC 8265 §4.2.1 in the order of RFC 8264 §7: no width mapping; non-ASCII
//! spaces (general category Zs) mapped to U+0020; no case mapping; Unicode Normalization Form
//! C; no directionality rule; then every code point must be allowed by the FreeformClass
//! (RFC 8264 §9's derivation: PVALID or FREE_PVAL, or CONTEXTJ / CONTEXTO with its RFC 5892
//! Appendix A rule met), and the result must not be empty (RFC 8265 §4.1).
//!
//! Exact: the mapping, NFC, the exceptions (RFC 5892 §2.6), unassigned code points, ASCII,
//! old Hangul jamo, default-ignorable and noncharacter code points, controls, compatibility
//! equivalents and the general categories (from `unicode-general-category` and
//! `unicode-normalization`, whose Unicode versions are newer than RFC 8264's 6.3, as RFC 8264
//! §11 allows). Approximated, each on the strict side or by Unicode block:
//! - ZERO WIDTH NON-JOINER / JOINER (CONTEXTJ): allowed only after a virama (canonical
//!   combining class 9); ZWNJ's second rule (Arabic joining types) is not implemented, so such
//!   a ZWNJ is rejected;
//! - the script tests of the CONTEXTO rules (Greek after U+0375 KERAIA, Hebrew before
//!   U+05F3/U+05F4, Hiragana/Katakana/Han with U+30FB) use Unicode blocks instead of the Script
//!   property.
//!
//! # SASLprep ([`saslprep`])
//!
//! RFC 4013 §2 for "queries" (unassigned code points allowed): code points "commonly mapped to
//! nothing" (RFC 3454 B.1) removed, non-ASCII spaces (C.1.2) mapped to U+0020, NFKC, then the
//! prohibited tables C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8 and C.9 enforced.
//! Not implemented: the bidirectional check (RFC 3454 §6), which needs Unicode 3.2's bidi
//! tables; NFKC is that of the crate's Unicode version rather than 3.2.
//!
//! Both return the input borrowed when preparation leaves it unchanged (always for printable
//! ASCII), so ASCII credentials do not allocate.

use std::borrow::Cow;

use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Why a string cannot be prepared. It never carries the string or the offending character:
/// the string may be a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PrepError {
    /// The prepared string is empty, which OpaqueString disallows (RFC 8265 §4.1).
    #[error("the prepared string is empty")]
    Empty,
    /// The prepared string contains a code point the profile disallows.
    #[error("the character at index {index} of the prepared string is not allowed")]
    Disallowed {
        /// The index, in characters (Unicode scalar values), of the first such code point in
        /// the prepared (mapped and normalized) string.
        index: usize,
    },
}

/// Prepares `input` with the OpaqueString profile (RFC 8265 §4.2): see the [module docs](self)
/// for what is exact and what is approximated.
///
/// ```
/// use rtcpeer_stun::prep::{PrepError, opaque_string};
///
/// assert_eq!(opaque_string("pass word").unwrap(), "pass word");
/// // NO-BREAK SPACE becomes a space; A + COMBINING RING ABOVE composes (NFC).
/// assert_eq!(opaque_string("a\u{A0}A\u{30A}").unwrap(), "a \u{C5}");
/// // No NFKC: the Roman numeral stays; a control character is refused.
/// assert_eq!(opaque_string("\u{2168}").unwrap(), "\u{2168}");
/// assert_eq!(opaque_string("a\tb"), Err(PrepError::Disallowed { index: 1 }));
/// ```
pub fn opaque_string(input: &str) -> Result<Cow<'_, str>, PrepError> {
    if input.is_empty() {
        return Err(PrepError::Empty);
    }
    if input.is_ascii() {
        // No mapping or normalization changes ASCII; only controls are disallowed.
        return match input.chars().position(|c| c.is_ascii_control()) {
            Some(index) => Err(PrepError::Disallowed { index }),
            None => Ok(Cow::Borrowed(input)),
        };
    }
    // Additional mapping rule: non-ASCII spaces to U+0020.
    let mapped: Cow<'_, str> = if input.chars().any(is_non_ascii_space) {
        Cow::Owned(
            input
                .chars()
                .map(|c| if is_non_ascii_space(c) { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(input)
    };
    // Normalization rule: NFC.
    let prepared: Cow<'_, str> = if is_nfc_quick(mapped.chars()) == IsNormalized::Yes {
        mapped
    } else {
        Cow::Owned(mapped.nfc().collect())
    };
    let chars: Vec<char> = prepared.chars().collect();
    for (index, &c) in chars.iter().enumerate() {
        let allowed = match freeform_property(c) {
            Property::Valid => true,
            Property::Disallowed => false,
            Property::ContextJ => contextj_allowed(&chars, index),
            Property::ContextO => contexto_allowed(&chars, index),
        };
        if !allowed {
            return Err(PrepError::Disallowed { index });
        }
    }
    Ok(prepared)
}

/// A space other than U+0020: general category Zs (RFC 8265 §4.2.1).
fn is_non_ascii_space(c: char) -> bool {
    c != ' ' && get_general_category(c) == GeneralCategory::SpaceSeparator
}

/// The FreeformClass value of a code point (RFC 8264 §8, §9), with PVALID and FREE_PVAL as
/// `Valid` and UNASSIGNED, ID_DIS-only-for-identifiers aside, as `Disallowed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Property {
    Valid,
    ContextJ,
    ContextO,
    Disallowed,
}

/// RFC 8264 §8's derivation, in its order, for the FreeformClass.
fn freeform_property(c: char) -> Property {
    use GeneralCategory as G;
    if let Some(p) = exception(c) {
        return p;
    }
    let category = get_general_category(c);
    if category == G::Unassigned && !is_noncharacter(c) {
        return Property::Disallowed;
    }
    if ('\u{21}'..='\u{7E}').contains(&c) {
        return Property::Valid;
    }
    if matches!(c, '\u{200C}' | '\u{200D}') {
        return Property::ContextJ;
    }
    if is_old_hangul_jamo(c) || is_default_ignorable(c) || is_noncharacter(c) {
        return Property::Disallowed;
    }
    match category {
        G::Control => Property::Disallowed,
        // LetterDigits, OtherLetterDigits, Spaces, Symbols, Punctuation: PVALID or FREE_PVAL.
        G::LowercaseLetter
        | G::UppercaseLetter
        | G::OtherLetter
        | G::DecimalNumber
        | G::ModifierLetter
        | G::NonspacingMark
        | G::SpacingMark
        | G::TitlecaseLetter
        | G::LetterNumber
        | G::OtherNumber
        | G::EnclosingMark
        | G::SpaceSeparator
        | G::MathSymbol
        | G::CurrencySymbol
        | G::ModifierSymbol
        | G::OtherSymbol
        | G::ConnectorPunctuation
        | G::DashPunctuation
        | G::OpenPunctuation
        | G::ClosePunctuation
        | G::InitialPunctuation
        | G::FinalPunctuation
        | G::OtherPunctuation => Property::Valid,
        // HasCompat comes before the category steps; it only matters for the rest (Cf, Co,
        // Zl, Zp, ...), which are otherwise DISALLOWED.
        _ if has_compat(c) => Property::Valid,
        _ => Property::Disallowed,
    }
}

/// The Exceptions of RFC 5892 §2.6, which RFC 8264 §9.6 takes over.
fn exception(c: char) -> Option<Property> {
    match c {
        '\u{DF}' | '\u{3C2}' | '\u{6FD}' | '\u{6FE}' | '\u{F0B}' | '\u{3007}' => {
            Some(Property::Valid)
        }
        '\u{B7}'
        | '\u{375}'
        | '\u{5F3}'
        | '\u{5F4}'
        | '\u{30FB}'
        | '\u{660}'..='\u{669}'
        | '\u{6F0}'..='\u{6F9}' => Some(Property::ContextO),
        '\u{640}' | '\u{7FA}' | '\u{302E}' | '\u{302F}' | '\u{3031}'..='\u{3035}' | '\u{303B}' => {
            Some(Property::Disallowed)
        }
        _ => None,
    }
}

/// Noncharacter_Code_Point: U+FDD0–U+FDEF and the last two code points of every plane.
fn is_noncharacter(c: char) -> bool {
    let cp = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&cp) || cp & 0xFFFE == 0xFFFE
}

/// OldHangulJamo (RFC 5892 §2.9): Hangul_Syllable_Type L, V or T.
fn is_old_hangul_jamo(c: char) -> bool {
    matches!(c, '\u{1100}'..='\u{11FF}' | '\u{A960}'..='\u{A97C}' | '\u{D7B0}'..='\u{D7C6}'
        | '\u{D7CB}'..='\u{D7FB}')
}

/// Default_Ignorable_Code_Point (Unicode DerivedCoreProperties).
fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// HasCompat (RFC 8264 §9.17): the code point differs from its NFKC form.
fn has_compat(c: char) -> bool {
    std::iter::once(c).nfkc().ne(std::iter::once(c))
}

/// RFC 5892 Appendix A.1 and A.2: ZWNJ and ZWJ follow a virama. (A.1's joining-type
/// alternative is not implemented.)
fn contextj_allowed(chars: &[char], index: usize) -> bool {
    index
        .checked_sub(1)
        .and_then(|i| chars.get(i))
        .is_some_and(|&before| canonical_combining_class(before) == 9)
}

/// RFC 5892 Appendix A.3–A.9, with scripts approximated by Unicode blocks.
fn contexto_allowed(chars: &[char], index: usize) -> bool {
    let before = index.checked_sub(1).and_then(|i| chars.get(i)).copied();
    let after = chars.get(index + 1).copied();
    match chars.get(index) {
        // MIDDLE DOT: between two 'l' (Catalan).
        Some('\u{B7}') => before == Some('l') && after == Some('l'),
        // GREEK LOWER NUMERAL SIGN: followed by Greek.
        Some('\u{375}') => after.is_some_and(is_greek),
        // HEBREW PUNCTUATION GERESH / GERSHAYIM: preceded by Hebrew.
        Some('\u{5F3}' | '\u{5F4}') => before.is_some_and(is_hebrew),
        // KATAKANA MIDDLE DOT: with some Hiragana, Katakana or Han in the string.
        Some('\u{30FB}') => chars.iter().copied().any(is_hiragana_katakana_han),
        // ARABIC-INDIC DIGITS and EXTENDED ARABIC-INDIC DIGITS do not mix.
        Some('\u{660}'..='\u{669}') => !chars.iter().any(|c| ('\u{6F0}'..='\u{6F9}').contains(c)),
        Some('\u{6F0}'..='\u{6F9}') => !chars.iter().any(|c| ('\u{660}'..='\u{669}').contains(c)),
        _ => false,
    }
}

fn is_greek(c: char) -> bool {
    matches!(c, '\u{370}'..='\u{3FF}' | '\u{1F00}'..='\u{1FFF}')
}

fn is_hebrew(c: char) -> bool {
    matches!(c, '\u{591}'..='\u{5FF}' | '\u{FB1D}'..='\u{FB4F}')
}

fn is_hiragana_katakana_han(c: char) -> bool {
    c != '\u{30FB}'
        && matches!(c, '\u{3005}' | '\u{3007}' | '\u{3021}'..='\u{3029}' | '\u{3038}'..='\u{303B}'
            | '\u{3041}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF66}'..='\u{FF9D}'
            | '\u{1B000}'..='\u{1B16F}' | '\u{20000}'..='\u{3FFFF}')
}

/// Prepares `input` with SASLprep (RFC 4013) for a query: see the [module docs](self) for what
/// is not implemented. The result may be empty.
///
/// ```
/// use rtcpeer_stun::prep::saslprep;
///
/// // RFC 5769 §2.4's password: SOFT HYPHEN removed, NFKC.
/// assert_eq!(saslprep("The\u{AD}M\u{AA}tr\u{2168}").unwrap(), "TheMatrIX");
/// assert!(saslprep("a\u{7}").is_err());
/// ```
pub fn saslprep(input: &str) -> Result<Cow<'_, str>, PrepError> {
    let prepared: Cow<'_, str> = if input.is_ascii() {
        Cow::Borrowed(input)
    } else {
        // RFC 4013 §2.1: B.1 to nothing, C.1.2 to SPACE; then §2.2: NFKC.
        let mapped: String = input
            .chars()
            .filter(|&c| !stringprep_b1(c))
            .map(|c| if stringprep_c12(c) { ' ' } else { c })
            .nfkc()
            .collect();
        if mapped == input {
            Cow::Borrowed(input)
        } else {
            Cow::Owned(mapped)
        }
    };
    match prepared.chars().position(saslprep_prohibited) {
        Some(index) => Err(PrepError::Disallowed { index }),
        None => Ok(prepared),
    }
}

/// RFC 3454 table B.1, "commonly mapped to nothing".
fn stringprep_b1(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{1806}'
            | '\u{180B}'..='\u{180D}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// RFC 3454 table C.1.2, non-ASCII space characters.
fn stringprep_c12(c: char) -> bool {
    matches!(
        c,
        '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200B}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// RFC 4013 §2.3's prohibited output: RFC 3454 tables C.1.2 and C.2.1–C.9 (C.5, surrogates,
/// cannot occur in a `str`).
fn saslprep_prohibited(c: char) -> bool {
    stringprep_c12(c)
        || is_noncharacter(c)
        || matches!(
            c,
            // C.2.1 ASCII controls.
            '\u{0}'..='\u{1F}' | '\u{7F}'
            // C.2.2 non-ASCII controls.
            | '\u{80}'..='\u{9F}' | '\u{6DD}' | '\u{70F}' | '\u{180E}' | '\u{200C}' | '\u{200D}'
            | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2063}' | '\u{206A}'..='\u{206F}'
            | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFC}' | '\u{1D173}'..='\u{1D17A}'
            // C.3 private use.
            | '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}'
            // C.6 inappropriate for plain text.
            | '\u{FFFD}'
            // C.7 inappropriate for canonical representation.
            | '\u{2FF0}'..='\u{2FFB}'
            // C.8 change display properties or deprecated.
            | '\u{340}' | '\u{341}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
            // C.9 tagging characters.
            | '\u{E0001}' | '\u{E0020}'..='\u{E007F}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5769 §2.4 / RFC 8489 B.1 username.
    const MATRIX_USER: &str = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";
    /// RFC 5769 §2.4 password before preparation.
    const MATRIX_PASSWORD: &str = "The\u{AD}M\u{AA}tr\u{2168}";

    fn borrowed(r: Result<Cow<'_, str>, PrepError>) -> bool {
        matches!(r, Ok(Cow::Borrowed(_)))
    }

    #[test]
    fn rfc_5769_credentials() {
        // The username is unchanged by both profiles (katakana, already NFC/NFKC).
        assert!(borrowed(opaque_string(MATRIX_USER)));
        assert!(borrowed(saslprep(MATRIX_USER)));
        assert!(borrowed(opaque_string("example.org")));
        // SASLprep: SOFT HYPHEN to nothing, NFKC of U+00AA and U+2168.
        assert_eq!(saslprep(MATRIX_PASSWORD).unwrap(), "TheMatrIX");
        // OpaqueString: SOFT HYPHEN (index 3) is default-ignorable, so DISALLOWED.
        assert_eq!(
            opaque_string(MATRIX_PASSWORD),
            Err(PrepError::Disallowed { index: 3 })
        );
        // Without it, NFC keeps U+00AA and U+2168 (both FREE_PVAL through HasCompat).
        assert_eq!(
            opaque_string("TheM\u{AA}tr\u{2168}").unwrap(),
            "TheM\u{AA}tr\u{2168}"
        );
    }

    #[test]
    fn opaque_string_ascii() {
        assert!(borrowed(opaque_string("u s~e!r")));
        assert_eq!(opaque_string(""), Err(PrepError::Empty));
        assert_eq!(
            opaque_string("ab\u{7F}"),
            Err(PrepError::Disallowed { index: 2 })
        );
        assert_eq!(
            opaque_string("\u{0}"),
            Err(PrepError::Disallowed { index: 0 })
        );
        // Case is preserved.
        assert!(borrowed(opaque_string("PassWord")));
    }

    #[test]
    fn opaque_string_mapping_and_nfc() {
        // Non-ASCII spaces (Zs) become U+0020.
        for space in [
            '\u{A0}', '\u{1680}', '\u{2003}', '\u{202F}', '\u{205F}', '\u{3000}',
        ] {
            assert_eq!(opaque_string(&format!("a{space}b")).unwrap(), "a b");
        }
        // NFC composes; fullwidth forms are not width-mapped (FREE_PVAL via HasCompat).
        assert_eq!(opaque_string("e\u{301}").unwrap(), "\u{E9}");
        assert!(borrowed(opaque_string("\u{FF21}\u{FF22}")));
        // Canonical singletons are replaced (U+212B ANGSTROM SIGN -> U+00C5).
        assert_eq!(opaque_string("\u{212B}").unwrap(), "\u{C5}");
        // A space-only string stays (spaces are FREE_PVAL).
        assert_eq!(opaque_string("\u{3000}").unwrap(), " ");
    }

    #[test]
    fn opaque_string_disallowed() {
        let refused = |s: &str| matches!(opaque_string(s), Err(PrepError::Disallowed { .. }));
        // Controls, format, private use, line/paragraph separators, noncharacters, unassigned.
        for s in [
            "a\u{85}",
            "a\u{200E}",
            "a\u{E000}",
            "a\u{2028}",
            "a\u{2029}",
            "a\u{FDD0}",
            "a\u{FFFF}",
            "a\u{10FFFE}",
            "a\u{E0001}",
            "a\u{FEFF}",
            "a\u{378}",
            "a\u{600}",
        ] {
            assert!(refused(s), "{:?}", s.escape_unicode().to_string());
        }
        // Old Hangul jamo alone; a modern L+V pair composes to a syllable under NFC.
        assert!(refused("\u{1100}"));
        assert_eq!(opaque_string("\u{1100}\u{1161}").unwrap(), "\u{AC00}");
        // Exceptions: ARABIC TATWEEL disallowed, ESZETT and final sigma allowed.
        assert!(refused("a\u{640}"));
        assert!(borrowed(opaque_string("stra\u{DF}e \u{3C2}")));
        // Symbols, punctuation, emoji, titlecase, letter numbers are FREE_PVAL.
        assert!(borrowed(opaque_string(
            "\u{20AC}\u{2014}\u{1F600}\u{1C5}\u{2160}"
        )));
    }

    #[test]
    fn opaque_string_context_rules() {
        let ok = |s: &str| opaque_string(s).is_ok();
        // CONTEXTJ: ZWJ / ZWNJ after a virama only.
        assert!(ok("\u{915}\u{94D}\u{200D}\u{937}"));
        assert!(ok("\u{915}\u{94D}\u{200C}"));
        assert!(!ok("a\u{200D}b"));
        assert!(!ok("\u{200C}"));
        // MIDDLE DOT between two l only.
        assert!(ok("col\u{B7}lecci\u{F3}"));
        assert!(!ok("a\u{B7}b"));
        assert!(!ok("l\u{B7}"));
        // KERAIA before Greek; GERESH after Hebrew.
        assert!(ok("\u{375}\u{3B1}"));
        assert!(!ok("\u{375}a"));
        assert!(ok("\u{5D0}\u{5F3}"));
        assert!(!ok("a\u{5F3}"));
        // KATAKANA MIDDLE DOT needs Japanese or Han elsewhere in the string.
        assert!(ok("\u{30A2}\u{30FB}\u{30A4}"));
        assert!(!ok("a\u{30FB}b"));
        // The two Arabic-Indic digit sets do not mix.
        assert!(ok("\u{661}\u{662}"));
        assert!(ok("\u{6F1}\u{6F2}"));
        assert!(!ok("\u{661}\u{6F2}"));
    }

    #[test]
    fn saslprep_tables() {
        assert!(borrowed(saslprep("user")));
        assert!(borrowed(saslprep("")));
        assert_eq!(saslprep("I\u{AD}X").unwrap(), "IX");
        assert_eq!(saslprep("user\u{A0}name").unwrap(), "user name");
        // RFC 4013 §3's examples.
        assert_eq!(saslprep("\u{AA}").unwrap(), "a");
        assert_eq!(saslprep("\u{2168}").unwrap(), "IX");
        assert_eq!(saslprep("\u{7}"), Err(PrepError::Disallowed { index: 0 }));
        assert!(saslprep("a\u{E000}").is_err());
        assert!(saslprep("a\u{2028}").is_err());
        assert!(saslprep("a\u{E0041}").is_err());
        assert!(saslprep("a\u{FFFD}").is_err());
        // Mapped to nothing before NFKC: ZERO WIDTH SPACE disappears.
        assert_eq!(saslprep("a\u{200B}b").unwrap(), "ab");
    }
}
