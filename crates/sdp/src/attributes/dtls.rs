//! DTLS-SRTP and TLS-over-SDP attributes: `a=fingerprint` (RFC 8122 §5), `a=setup` (RFC 4145 §4,
//! RFC 8842 §5.1), `a=connection` (RFC 4145 §5) and the `tls-id` syntax check (RFC 8842 §5.2).

use std::fmt;
use std::str::FromStr;

use crate::ValueError;
use crate::lex::{Fields, is_token};

/// The hash function of a certificate fingerprint (RFC 8122 §5 `hash-func`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HashFunction {
    /// `sha-1`
    Sha1,
    /// `sha-224`
    Sha224,
    /// `sha-256`
    Sha256,
    /// `sha-384`
    Sha384,
    /// `sha-512`
    Sha512,
    /// `md5`
    Md5,
    /// `md2`
    Md2,
    /// Any other token, or one of the names above in another letter case (`SHA-256`, as some
    /// endpoints write it), kept as written; [`HashFunction::canonical`] maps it.
    Other(String),
}

impl HashFunction {
    /// The name as written.
    pub fn as_str(&self) -> &str {
        match self {
            HashFunction::Sha1 => "sha-1",
            HashFunction::Sha224 => "sha-224",
            HashFunction::Sha256 => "sha-256",
            HashFunction::Sha384 => "sha-384",
            HashFunction::Sha512 => "sha-512",
            HashFunction::Md5 => "md5",
            HashFunction::Md2 => "md2",
            HashFunction::Other(s) => s,
        }
    }

    fn from_exact(s: &str) -> Option<HashFunction> {
        Some(match s {
            "sha-1" => HashFunction::Sha1,
            "sha-224" => HashFunction::Sha224,
            "sha-256" => HashFunction::Sha256,
            "sha-384" => HashFunction::Sha384,
            "sha-512" => HashFunction::Sha512,
            "md5" => HashFunction::Md5,
            "md2" => HashFunction::Md2,
            _ => return None,
        })
    }

    /// The known function this names regardless of letter case (`Other("SHA-256")` → `Sha256`);
    /// an unknown name stays `Other`.
    pub fn canonical(&self) -> HashFunction {
        match self {
            HashFunction::Other(s) => {
                HashFunction::from_exact(&s.to_ascii_lowercase()).unwrap_or_else(|| self.clone())
            }
            known => known.clone(),
        }
    }

    /// The digest length in bytes of a known function.
    pub fn digest_len(&self) -> Option<usize> {
        match self.canonical() {
            HashFunction::Sha1 => Some(20),
            HashFunction::Sha224 => Some(28),
            HashFunction::Sha256 => Some(32),
            HashFunction::Sha384 => Some(48),
            HashFunction::Sha512 => Some(64),
            HashFunction::Md5 | HashFunction::Md2 => Some(16),
            HashFunction::Other(_) => None,
        }
    }
}

impl fmt::Display for HashFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `a=fingerprint:<hash-func> <hex bytes separated by colons>` (RFC 8122 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The hash function.
    pub hash_function: HashFunction,
    /// The digest.
    pub value: Vec<u8>,
    /// Whether the hex digits are written in lower case (RFC 8122 asks for upper case, some
    /// endpoints write lower case); kept so that writing reproduces the line. A digest whose hex
    /// form has no letter reads back with `false`.
    pub lowercase: bool,
}

impl Fingerprint {
    /// A fingerprint written in upper-case hex, as RFC 8122 asks.
    pub fn new(hash_function: HashFunction, value: impl Into<Vec<u8>>) -> Fingerprint {
        Fingerprint {
            hash_function,
            value: value.into(),
            lowercase: false,
        }
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl FromStr for Fingerprint {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(s);
        let name = f.next_field().ok_or(ValueError::Missing("hash function"))?;
        if !is_token(name) {
            return Err(ValueError::Invalid("hash function"));
        }
        let hash_function =
            HashFunction::from_exact(name).unwrap_or_else(|| HashFunction::Other(name.to_owned()));
        let hex = f.next_field().ok_or(ValueError::Missing("fingerprint"))?;
        if !f.is_empty() {
            return Err(ValueError::Trailing);
        }
        let mut value = Vec::with_capacity(hex.len().div_ceil(3));
        let mut lowercase = false;
        for pair in hex.split(':') {
            let &[hi, lo] = pair.as_bytes() else {
                return Err(ValueError::Invalid("fingerprint"));
            };
            let (Some(h), Some(l)) = (hex_val(hi), hex_val(lo)) else {
                return Err(ValueError::Invalid("fingerprint"));
            };
            lowercase |= hi.is_ascii_lowercase() || lo.is_ascii_lowercase();
            value.push(h << 4 | l);
        }
        if let Some(len) = hash_function.digest_len()
            && len != value.len()
        {
            return Err(ValueError::Invalid("fingerprint length"));
        }
        Ok(Fingerprint {
            hash_function,
            value,
            lowercase,
        })
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hash_function.as_str())?;
        for (i, b) in self.value.iter().enumerate() {
            let sep = if i == 0 { " " } else { ":" };
            if self.lowercase {
                write!(f, "{sep}{b:02x}")?;
            } else {
                write!(f, "{sep}{b:02X}")?;
            }
        }
        Ok(())
    }
}

/// `a=setup` (RFC 4145 §4): which side opens the DTLS/TLS connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// `active`: this side connects (DTLS client).
    Active,
    /// `passive`: this side accepts (DTLS server).
    Passive,
    /// `actpass`: either; the answerer chooses.
    ActPass,
    /// `holdconn`: no connection for now.
    HoldConn,
}

impl Setup {
    /// The SDP name.
    pub fn as_str(self) -> &'static str {
        match self {
            Setup::Active => "active",
            Setup::Passive => "passive",
            Setup::ActPass => "actpass",
            Setup::HoldConn => "holdconn",
        }
    }
}

impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Setup {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        match s.trim_matches([' ', '\t']) {
            "active" => Ok(Setup::Active),
            "passive" => Ok(Setup::Passive),
            "actpass" => Ok(Setup::ActPass),
            "holdconn" => Ok(Setup::HoldConn),
            _ => Err(ValueError::Invalid("setup role")),
        }
    }
}

/// `a=connection` (RFC 4145 §5): whether a new transport connection is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionMode {
    /// `new`
    New,
    /// `existing`
    Existing,
}

impl ConnectionMode {
    /// The SDP name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionMode::New => "new",
            ConnectionMode::Existing => "existing",
        }
    }
}

impl fmt::Display for ConnectionMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConnectionMode {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        match s.trim_matches([' ', '\t']) {
            "new" => Ok(ConnectionMode::New),
            "existing" => Ok(ConnectionMode::Existing),
            _ => Err(ValueError::Invalid("connection value")),
        }
    }
}

/// Whether `s` is an RFC 8842 `tls-id-value` (`ALPHA / DIGIT / "+" / "/" / "-" / "_"`; the
/// 20-character minimum is left to the caller, which may be lenient).
pub(crate) fn is_tls_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_FP: &str = "sha-256 8D:FD:16:3F:30:5C:1B:E9:E2:C9:2D:A0:C3:45:1B:91:DD:5E:C4:A3:55:3F:8D:6C:C8:A5:4F:2D:5E:47:3E:84";

    #[test]
    fn fingerprint_sha256() {
        let fp: Fingerprint = CHROME_FP.parse().unwrap();
        assert_eq!(fp.hash_function, HashFunction::Sha256);
        assert_eq!(fp.value.len(), 32);
        assert_eq!(fp.value[0], 0x8d);
        assert!(!fp.lowercase);
        assert_eq!(fp.to_string(), CHROME_FP);
    }

    #[test]
    fn fingerprint_lowercase_and_upper_name() {
        let text = "SHA-1 4a:ad:b9:b1:3f:82:18:3b:54:02:12:df:3e:5d:49:6b:19:e5:7c:ab";
        let fp: Fingerprint = text.parse().unwrap();
        assert_eq!(fp.hash_function, HashFunction::Other("SHA-1".into()));
        assert_eq!(fp.hash_function.canonical(), HashFunction::Sha1);
        assert!(fp.lowercase);
        assert_eq!(fp.to_string(), text);
    }

    #[test]
    fn fingerprint_rejects_bad_hex_and_length() {
        assert!("sha-256 8D:FD".parse::<Fingerprint>().is_err());
        assert!("sha-1 4G:AD".parse::<Fingerprint>().is_err());
        assert!("sha-1".parse::<Fingerprint>().is_err());
        assert!("sha-1 ::".parse::<Fingerprint>().is_err());
        assert!("x-hash 0".parse::<Fingerprint>().is_err());
        let other: Fingerprint = "x-hash 01:02".parse().unwrap();
        assert_eq!(other.value, vec![1, 2]);
    }

    #[test]
    fn setup_and_connection() {
        for s in [
            Setup::Active,
            Setup::Passive,
            Setup::ActPass,
            Setup::HoldConn,
        ] {
            assert_eq!(s.as_str().parse::<Setup>(), Ok(s));
        }
        assert!("ACTPASS".parse::<Setup>().is_err());
        assert_eq!("existing".parse(), Ok(ConnectionMode::Existing));
        assert_eq!("new".parse(), Ok(ConnectionMode::New));
        assert!(is_tls_id("abc+/-_09"));
        assert!(!is_tls_id("a b"));
    }
}
