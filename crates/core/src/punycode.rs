//! Punycode (RFC 3492): the Bootstring encoding that turns a Unicode domain label into the ASCII
//! `xn--` form and back, used by the ICE server host parser ([`crate::host`]).
//!
//! Implements RFC 3492 §6.1 (bias adaptation), §6.2 (decoding) and §6.3 (encoding) with the
//! §5 parameters, with the overflow checks of §6.4 done by checked arithmetic. Case annotations
//! (§A) are not produced; decoding accepts either case of the basic digits.

const BASE: u32 = 36;
const TMIN: u32 = 1;
const TMAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;
const DELIMITER: char = '-';

/// RFC 3492 §6.1.
fn adapt(delta: u32, num_points: u32, first_time: bool) -> u32 {
    let mut delta = if first_time { delta / DAMP } else { delta / 2 };
    delta += delta / num_points;
    let mut k = 0;
    while delta > ((BASE - TMIN) * TMAX) / 2 {
        delta /= BASE - TMIN;
        k += BASE;
    }
    k + (((BASE - TMIN + 1) * delta) / (delta + SKEW))
}

/// The threshold `t` for position `k` (RFC 3492 §6.2/§6.3).
fn threshold(k: u32, bias: u32) -> u32 {
    if k <= bias {
        TMIN
    } else if k >= bias + TMAX {
        TMAX
    } else {
        k - bias
    }
}

/// The basic code point of digit `d` (0..36): `a`-`z` then `0`-`9`.
fn encode_digit(d: u32) -> char {
    // d < 36 by construction of the callers; the fallback is never taken.
    let byte = if d < 26 {
        b'a' + d as u8
    } else {
        b'0' + (d - 26) as u8
    };
    char::from(byte)
}

/// The value of a basic digit, either case.
fn decode_digit(c: char) -> Option<u32> {
    match c {
        'a'..='z' => Some(c as u32 - 'a' as u32),
        'A'..='Z' => Some(c as u32 - 'A' as u32),
        '0'..='9' => Some(c as u32 - '0' as u32 + 26),
        _ => None,
    }
}

/// Encodes a label (RFC 3492 §6.3). `None` on overflow (only for absurdly long input).
pub(crate) fn encode(input: &[char]) -> Option<String> {
    let mut output: String = input.iter().filter(|c| c.is_ascii()).collect();
    let basic = u32::try_from(output.len()).ok()?;
    if basic > 0 {
        output.push(DELIMITER);
    }
    let total = u32::try_from(input.len()).ok()?;
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let mut handled = basic;
    while handled < total {
        let m = input.iter().map(|&c| c as u32).filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in input {
            let c = c as u32;
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = threshold(k, bias);
                    if q < t {
                        break;
                    }
                    output.push(encode_digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(encode_digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

/// Decodes a label (RFC 3492 §6.2), without its `xn--` prefix. `None` if it is not valid
/// Punycode.
pub(crate) fn decode(input: &str) -> Option<Vec<char>> {
    // A delimiter at position 0 is no delimiter: the extended part starts at 0 (§6.2).
    let (basic, extended) = match input.rfind(DELIMITER) {
        Some(pos) if pos > 0 => (&input[..pos], &input[pos + 1..]),
        _ => ("", input),
    };
    if !basic.is_ascii() {
        return None;
    }
    let mut output: Vec<char> = basic.chars().collect();
    let mut n = INITIAL_N;
    let mut i: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let mut digits = extended.chars();
    let mut rest = extended.len();
    while rest > 0 {
        let old_i = i;
        let mut w: u32 = 1;
        let mut k = BASE;
        loop {
            let digit = decode_digit(digits.next()?)?;
            rest -= 1;
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = threshold(k, bias);
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
            if rest == 0 {
                return None;
            }
        }
        let len = u32::try_from(output.len()).ok()?.checked_add(1)?;
        bias = adapt(i - old_i, len, old_i == 0);
        n = n.checked_add(i / len)?;
        i %= len;
        // n only grows from 128, so a decoded code point is never basic.
        let c = char::from_u32(n)?;
        output.insert(usize::try_from(i).ok()?, c);
        i += 1;
    }
    Some(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 3492 §7.1 sample strings (a subset), as (Unicode, Punycode).
    const RFC_3492_SAMPLES: &[(&str, &str)] = &[
        // (A) Arabic (Egyptian)
        (
            "\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}",
            "egbpdaj6bu4bxfgehfvwxn",
        ),
        // (B) Chinese (simplified)
        (
            "\u{4ED6}\u{4EEC}\u{4E3A}\u{4EC0}\u{4E48}\u{4E0D}\u{8BF4}\u{4E2D}\u{6587}",
            "ihqwcrb4cv8a8dqg056pqjye",
        ),
        // (L) 3<nen>B<gumi><kinpachi><sensei>
        (
            "3\u{5E74}B\u{7D44}\u{91D1}\u{516B}\u{5148}\u{751F}",
            "3B-ww4c5e180e575a65lsy2b",
        ),
        // (M) <amuro><namie>-with-SUPER-MONKEYS
        (
            "\u{5B89}\u{5BA4}\u{5948}\u{7F8E}\u{6075}-with-SUPER-MONKEYS",
            "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n",
        ),
        // (P) Maji<de>Koi<suru>5<byou><mae>
        (
            "Maji\u{3067}Koi\u{3059}\u{308B}5\u{79D2}\u{524D}",
            "MajiKoi5-783gue6qz075azm5e",
        ),
        // (R) <sono><supiido><de>
        (
            "\u{305D}\u{306E}\u{30B9}\u{30D4}\u{30FC}\u{30C9}\u{3067}",
            "d9juau41awczczp",
        ),
    ];

    #[test]
    fn rfc_3492_samples_encode_and_decode() {
        for &(unicode, puny) in RFC_3492_SAMPLES {
            let chars: Vec<char> = unicode.chars().collect();
            assert_eq!(encode(&chars).as_deref(), Some(puny), "{unicode}");
            assert_eq!(decode(puny), Some(chars), "{puny}");
        }
    }

    #[test]
    fn idna_labels() {
        let enc = |s: &str| encode(&s.chars().collect::<Vec<_>>()).unwrap();
        assert_eq!(enc("faß"), "fa-hia");
        assert_eq!(enc("bücher"), "bcher-kva");
        assert_eq!(enc("你好你好"), "6qqa088eba");
        assert_eq!(
            decode("bcher-kva").unwrap().iter().collect::<String>(),
            "bücher"
        );
    }

    #[test]
    fn invalid_input_is_rejected_without_panicking() {
        for bad in [
            "a-é",
            "abc-!",
            "99999999999999",
            "-",
            "zzzzzzzzzzzzzzzzzzzz",
            "ü",
        ] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn decode_inverts_encode(s in "\\PC{0,20}") {
            let chars: Vec<char> = s.chars().collect();
            let encoded = encode(&chars).unwrap();
            proptest::prop_assert!(encoded.is_ascii());
            if chars.iter().any(|c| !c.is_ascii()) {
                proptest::prop_assert_eq!(decode(&encoded), Some(chars));
            }
        }

        #[test]
        fn decode_never_panics(s in "\\PC{0,30}") {
            let _ = decode(&s);
        }
    }
}
