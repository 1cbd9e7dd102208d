//! Certificate fingerprints: the hashes SDP `a=fingerprint` carries (RFC 8122 §5, which replaced
//! RFC 4572 §5) and W3C `RTCDtlsFingerprint` reports, and the check of a peer's certificate
//! against them (RFC 8122 §5, RFC 8827 §6.5).
//!
//! A fingerprint is a hash function name (`sha-1`, `sha-224`, `sha-256`, `sha-384`, `sha-512`)
//! and the hash of the DER certificate, written as upper-case hex pairs joined by `:` in SDP
//! (`a=fingerprint:sha-256 4A:AD:...`). Parsing accepts either case; MD2 and MD5 are refused
//! (RFC 8122 §5 forbids them).

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::digest;

/// A hash function SDP may name in `a=fingerprint` (RFC 8122 §5 `hash-func`).
///
/// The order of the variants is the order of strength: `Sha1 < Sha224 < ... < Sha512`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum HashFunction {
    /// SHA-1 (`sha-1`), 20 bytes. Legacy; still accepted from peers.
    Sha1,
    /// SHA-224 (`sha-224`), 28 bytes.
    Sha224,
    /// SHA-256 (`sha-256`), 32 bytes. What browsers and rtcpeer use for their own certificates.
    Sha256,
    /// SHA-384 (`sha-384`), 48 bytes.
    Sha384,
    /// SHA-512 (`sha-512`), 64 bytes.
    Sha512,
}

impl HashFunction {
    /// Every supported hash function, weakest first.
    pub const ALL: [HashFunction; 5] = [
        HashFunction::Sha1,
        HashFunction::Sha224,
        HashFunction::Sha256,
        HashFunction::Sha384,
        HashFunction::Sha512,
    ];

    /// The token SDP and the W3C API use (`sha-256`, ...), always lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            HashFunction::Sha1 => "sha-1",
            HashFunction::Sha224 => "sha-224",
            HashFunction::Sha256 => "sha-256",
            HashFunction::Sha384 => "sha-384",
            HashFunction::Sha512 => "sha-512",
        }
    }

    /// Length of the hash in bytes.
    pub fn output_len(self) -> usize {
        self.algorithm().output_len()
    }

    /// Hashes `data` (a DER certificate) with this function.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        digest::digest(self.algorithm(), data).as_ref().to_vec()
    }

    fn algorithm(self) -> &'static digest::Algorithm {
        match self {
            HashFunction::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            HashFunction::Sha224 => &digest::SHA224,
            HashFunction::Sha256 => &digest::SHA256,
            HashFunction::Sha384 => &digest::SHA384,
            HashFunction::Sha512 => &digest::SHA512,
        }
    }
}

impl fmt::Display for HashFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HashFunction {
    type Err = FingerprintError;

    /// Parses a `hash-func` token, ignoring case (`SHA-256` is seen in the wild).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let found = HashFunction::ALL
            .into_iter()
            .find(|h| h.as_str().eq_ignore_ascii_case(s));
        match found {
            Some(h) => Ok(h),
            None if s.eq_ignore_ascii_case("md5") || s.eq_ignore_ascii_case("md2") => {
                Err(FingerprintError::ForbiddenHashFunction(s.to_owned()))
            }
            None => Err(FingerprintError::UnknownHashFunction(s.to_owned())),
        }
    }
}

/// Why a fingerprint could not be parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FingerprintError {
    /// The hash function token is not one of `sha-1`, `sha-224`, `sha-256`, `sha-384`, `sha-512`.
    #[error("unknown fingerprint hash function {0:?}")]
    UnknownHashFunction(String),
    /// MD2 or MD5, which RFC 8122 §5 forbids.
    #[error("fingerprint hash function {0:?} is forbidden by RFC 8122")]
    ForbiddenHashFunction(String),
    /// The value is not hex pairs separated by `:`.
    #[error("malformed fingerprint value: {0}")]
    Malformed(&'static str),
    /// The value has the wrong number of bytes for its hash function.
    #[error("{algorithm} fingerprint must have {expected} bytes, found {actual}")]
    WrongLength {
        /// The hash function named.
        algorithm: HashFunction,
        /// Bytes that hash function produces.
        expected: usize,
        /// Bytes the value held.
        actual: usize,
    },
}

/// A certificate fingerprint: a hash function and the hash of a DER certificate.
#[derive(Clone, PartialEq, Eq, Hash)]
#[doc(alias = "RTCDtlsFingerprint")]
pub struct Fingerprint {
    algorithm: HashFunction,
    value: Vec<u8>,
}

impl Fingerprint {
    /// A fingerprint from its hash bytes; fails if their length does not fit `algorithm`.
    pub fn new(algorithm: HashFunction, value: Vec<u8>) -> Result<Self, FingerprintError> {
        if value.len() != algorithm.output_len() {
            return Err(FingerprintError::WrongLength {
                algorithm,
                expected: algorithm.output_len(),
                actual: value.len(),
            });
        }
        Ok(Fingerprint { algorithm, value })
    }

    /// The fingerprint of a DER certificate under `algorithm`.
    pub fn of_certificate(algorithm: HashFunction, der: &[u8]) -> Self {
        Fingerprint {
            algorithm,
            value: algorithm.digest(der),
        }
    }

    /// Parses the two parts of an SDP fingerprint (`sha-256`, `4A:AD:...`), either hex case.
    pub fn parse(algorithm: &str, value: &str) -> Result<Self, FingerprintError> {
        let algorithm: HashFunction = algorithm.parse()?;
        let mut bytes = Vec::with_capacity(algorithm.output_len());
        for pair in value.split(':') {
            let &[hi, lo] = pair.as_bytes() else {
                return Err(FingerprintError::Malformed(
                    "each byte must be exactly two hex digits",
                ));
            };
            let (Some(hi), Some(lo)) = (hex_value(hi), hex_value(lo)) else {
                return Err(FingerprintError::Malformed("not a hex digit"));
            };
            bytes.push(hi << 4 | lo);
        }
        Fingerprint::new(algorithm, bytes)
    }

    /// The hash function.
    pub fn algorithm(&self) -> HashFunction {
        self.algorithm
    }

    /// The hash bytes.
    pub fn value(&self) -> &[u8] {
        &self.value
    }

    /// The value as SDP writes it: upper-case hex pairs joined by `:` (RFC 8122 §5 `UHEX`).
    pub fn to_sdp_value(&self) -> String {
        hex_pairs(&self.value, b"0123456789ABCDEF")
    }

    /// The value as W3C `RTCDtlsFingerprint.value` reports it: lower-case hex pairs joined by `:`.
    pub fn to_w3c_value(&self) -> String {
        hex_pairs(&self.value, b"0123456789abcdef")
    }

    /// Whether this fingerprint is the hash of `der` under its own hash function.
    pub fn matches(&self, der: &[u8]) -> bool {
        self.algorithm.digest(der) == self.value
    }

    /// Checks a peer's certificate against the fingerprints of the remote description and returns
    /// the one it matched.
    ///
    /// Following RFC 8122 §5, only the fingerprints of the strongest hash function present are
    /// considered, and the certificate must match one of them (several fingerprints with one hash
    /// function stand for several acceptable certificates). `None` when `expected` is empty or
    /// nothing matches.
    pub fn find_match<'a>(expected: &'a [Fingerprint], der: &[u8]) -> Option<&'a Fingerprint> {
        let strongest = expected.iter().map(|f| f.algorithm).max()?;
        let hash = strongest.digest(der);
        expected
            .iter()
            .filter(|f| f.algorithm == strongest)
            .find(|f| f.value == hash)
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn hex_pairs(bytes: &[u8], digits: &[u8; 16]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push(char::from(digits[usize::from(b >> 4)]));
        out.push(char::from(digits[usize::from(b & 0x0f)]));
    }
    out
}

impl fmt::Display for Fingerprint {
    /// The SDP attribute value: `sha-256 4A:AD:...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.algorithm, self.to_sdp_value())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Fingerprint {
    type Err = FingerprintError;

    /// Parses an SDP attribute value, `hash-func SP fingerprint` (`sha-256 4A:AD:...`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split_ascii_whitespace();
        let (Some(algorithm), Some(value), None) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(FingerprintError::Malformed(
                "expected `hash-func SP fingerprint`",
            ));
        };
        Fingerprint::parse(algorithm, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_round_trip_and_ignore_case() {
        for h in HashFunction::ALL {
            assert_eq!(h.as_str().parse::<HashFunction>(), Ok(h));
            assert_eq!(h.as_str().to_uppercase().parse::<HashFunction>(), Ok(h));
            assert_eq!(h.digest(b"x").len(), h.output_len());
        }
        assert!(matches!(
            "md5".parse::<HashFunction>(),
            Err(FingerprintError::ForbiddenHashFunction(_))
        ));
        assert!(matches!(
            "sha-3".parse::<HashFunction>(),
            Err(FingerprintError::UnknownHashFunction(_))
        ));
    }

    #[test]
    fn output_lengths_follow_fips_180_4() {
        let lens: Vec<usize> = HashFunction::ALL.iter().map(|h| h.output_len()).collect();
        assert_eq!(lens, [20, 28, 32, 48, 64]);
    }

    #[test]
    fn malformed_values_are_refused() {
        let good = ["AB"; 32].join(":");
        assert!(Fingerprint::parse("sha-256", &good).is_ok());
        for bad in [
            "",
            "AB",
            &good[1..],
            &format!("{good}:"),
            &good.replace(':', "-"),
            &good.replacen("AB", "GG", 1),
            &good.replacen("AB", "ABC", 1),
            &good.replacen("AB", "é", 1),
        ] {
            assert!(
                Fingerprint::parse("sha-256", bad).is_err(),
                "{bad:?} should be refused"
            );
        }
        assert_eq!(
            Fingerprint::parse("sha-1", &good),
            Err(FingerprintError::WrongLength {
                algorithm: HashFunction::Sha1,
                expected: 20,
                actual: 32
            })
        );
        assert!("sha-256".parse::<Fingerprint>().is_err());
        assert!(
            format!("sha-256 {good} extra")
                .parse::<Fingerprint>()
                .is_err()
        );
    }

    #[test]
    fn strongest_hash_function_decides() {
        let der = b"certificate";
        let other = b"other certificate";
        let good256 = Fingerprint::of_certificate(HashFunction::Sha256, der);
        let bad512 = Fingerprint::of_certificate(HashFunction::Sha512, other);
        let good512 = Fingerprint::of_certificate(HashFunction::Sha512, der);
        let bad1 = Fingerprint::of_certificate(HashFunction::Sha1, other);

        assert_eq!(Fingerprint::find_match(&[], der), None);
        assert_eq!(
            Fingerprint::find_match(&[bad1.clone(), good256.clone()], der),
            Some(&good256)
        );
        // A sha-512 fingerprint that does not match outweighs a matching sha-256 one.
        assert_eq!(
            Fingerprint::find_match(&[good256.clone(), bad512.clone()], der),
            None
        );
        // Two sha-512 fingerprints: two acceptable certificates.
        assert_eq!(
            Fingerprint::find_match(&[bad512, good256, good512.clone()], der),
            Some(&good512)
        );
    }

    fn any_fingerprint() -> impl Strategy<Value = Fingerprint> {
        (0..HashFunction::ALL.len()).prop_flat_map(|i| {
            let h = HashFunction::ALL[i];
            proptest::collection::vec(any::<u8>(), h.output_len())
                .prop_map(move |v| Fingerprint::new(h, v).unwrap())
        })
    }

    proptest! {
        #[test]
        fn sdp_and_w3c_forms_round_trip(fp in any_fingerprint()) {
            let sdp = fp.to_string();
            prop_assert_eq!(sdp.parse::<Fingerprint>().unwrap(), fp.clone());
            let w3c = fp.to_w3c_value();
            prop_assert_eq!(&w3c, &fp.to_sdp_value().to_lowercase());
            prop_assert_eq!(Fingerprint::parse(fp.algorithm().as_str(), &w3c).unwrap(), fp.clone());
            prop_assert_eq!(fp.to_sdp_value().len(), fp.value().len() * 3 - 1);
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,200}") {
            let _ = s.parse::<Fingerprint>();
        }
    }
}
