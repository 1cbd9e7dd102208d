//! DTLS-SRTP: the SRTP protection profiles `use_srtp` negotiates (RFC 5764 §4.1.2, RFC 7714 §14.2)
//! and the split of the exported keying material into each direction's master key and salt
//! (RFC 5764 §4.2).
//!
//! The exporter (label `EXTRACTOR-dtls_srtp`, no context) yields
//! `client_write_key | server_write_key | client_write_salt | server_write_salt`, each key and salt
//! as long as the profile says. The DTLS client writes with the client half.

use std::fmt;

use crate::DtlsRole;

/// An SRTP protection profile (RFC 5764 §4.1.2, RFC 7714 §14.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(non_camel_case_types)]
pub enum SrtpProfile {
    /// `SRTP_AES128_CM_HMAC_SHA1_80` (0x0001).
    Aes128CmHmacSha1_80,
    /// `SRTP_AES128_CM_HMAC_SHA1_32` (0x0002). Defined for completeness: dimpl neither offers nor
    /// accepts it, so a connection never negotiates it.
    Aes128CmHmacSha1_32,
    /// `SRTP_AEAD_AES_128_GCM` (0x0007).
    AeadAes128Gcm,
    /// `SRTP_AEAD_AES_256_GCM` (0x0008).
    AeadAes256Gcm,
}

impl SrtpProfile {
    /// The profiles a connection can negotiate, in dimpl's order of preference.
    pub const NEGOTIABLE: [SrtpProfile; 3] = [
        SrtpProfile::AeadAes256Gcm,
        SrtpProfile::AeadAes128Gcm,
        SrtpProfile::Aes128CmHmacSha1_80,
    ];

    /// The two-byte `SRTPProtectionProfile` value of the `use_srtp` extension.
    pub fn id(self) -> u16 {
        match self {
            SrtpProfile::Aes128CmHmacSha1_80 => 0x0001,
            SrtpProfile::Aes128CmHmacSha1_32 => 0x0002,
            SrtpProfile::AeadAes128Gcm => 0x0007,
            SrtpProfile::AeadAes256Gcm => 0x0008,
        }
    }

    /// The IANA name (`SRTP_AEAD_AES_128_GCM`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            SrtpProfile::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
            SrtpProfile::Aes128CmHmacSha1_32 => "SRTP_AES128_CM_HMAC_SHA1_32",
            SrtpProfile::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
            SrtpProfile::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        }
    }

    /// Master key length in bytes (RFC 5764 §4.1.2, RFC 7714 §12).
    pub fn master_key_len(self) -> usize {
        match self {
            SrtpProfile::Aes128CmHmacSha1_80
            | SrtpProfile::Aes128CmHmacSha1_32
            | SrtpProfile::AeadAes128Gcm => 16,
            SrtpProfile::AeadAes256Gcm => 32,
        }
    }

    /// Master salt length in bytes: 112 bits for AES-CM, 96 bits for AEAD (RFC 7714 §12).
    pub fn master_salt_len(self) -> usize {
        match self {
            SrtpProfile::Aes128CmHmacSha1_80 | SrtpProfile::Aes128CmHmacSha1_32 => 14,
            SrtpProfile::AeadAes128Gcm | SrtpProfile::AeadAes256Gcm => 12,
        }
    }

    /// Bytes to export: two keys and two salts.
    pub fn keying_material_len(self) -> usize {
        2 * (self.master_key_len() + self.master_salt_len())
    }

    pub(crate) fn from_dimpl(p: dimpl::SrtpProfile) -> Option<SrtpProfile> {
        match p {
            dimpl::SrtpProfile::AES128_CM_SHA1_80 => Some(SrtpProfile::Aes128CmHmacSha1_80),
            dimpl::SrtpProfile::AEAD_AES_128_GCM => Some(SrtpProfile::AeadAes128Gcm),
            dimpl::SrtpProfile::AEAD_AES_256_GCM => Some(SrtpProfile::AeadAes256Gcm),
            _ => None,
        }
    }
}

impl fmt::Display for SrtpProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The SRTP master keys and salts of one DTLS-SRTP connection, seen from this endpoint: `local_*`
/// protects what it sends, `remote_*` what it receives. Printing it never shows the secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct SrtpKeyingMaterial {
    /// The negotiated profile.
    pub profile: SrtpProfile,
    /// Master key for outgoing SRTP/SRTCP.
    pub local_key: Vec<u8>,
    /// Master salt for outgoing SRTP/SRTCP.
    pub local_salt: Vec<u8>,
    /// Master key for incoming SRTP/SRTCP.
    pub remote_key: Vec<u8>,
    /// Master salt for incoming SRTP/SRTCP.
    pub remote_salt: Vec<u8>,
}

impl SrtpKeyingMaterial {
    /// Splits exported keying material (RFC 5764 §4.2) for the endpoint playing `role`. `None` if
    /// `material` is not exactly [`SrtpProfile::keying_material_len`] bytes.
    pub fn from_exported(
        profile: SrtpProfile,
        role: DtlsRole,
        material: &[u8],
    ) -> Option<SrtpKeyingMaterial> {
        if material.len() != profile.keying_material_len() {
            return None;
        }
        let (client_key, rest) = material.split_at(profile.master_key_len());
        let (server_key, rest) = rest.split_at(profile.master_key_len());
        let (client_salt, server_salt) = rest.split_at(profile.master_salt_len());
        let (local, remote) = match role {
            DtlsRole::Client => ((client_key, client_salt), (server_key, server_salt)),
            DtlsRole::Server => ((server_key, server_salt), (client_key, client_salt)),
        };
        Some(SrtpKeyingMaterial {
            profile,
            local_key: local.0.to_vec(),
            local_salt: local.1.to_vec(),
            remote_key: remote.0.to_vec(),
            remote_salt: remote.1.to_vec(),
        })
    }
}

impl fmt::Debug for SrtpKeyingMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrtpKeyingMaterial")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_follow_rfc_5764_and_7714() {
        let table = [
            (SrtpProfile::Aes128CmHmacSha1_80, 0x0001, 16, 14),
            (SrtpProfile::Aes128CmHmacSha1_32, 0x0002, 16, 14),
            (SrtpProfile::AeadAes128Gcm, 0x0007, 16, 12),
            (SrtpProfile::AeadAes256Gcm, 0x0008, 32, 12),
        ];
        for (p, id, key, salt) in table {
            assert_eq!(p.id(), id);
            assert_eq!(p.master_key_len(), key);
            assert_eq!(p.master_salt_len(), salt);
            assert_eq!(p.keying_material_len(), 2 * (key + salt));
        }
        // dimpl's view of the export length agrees with ours.
        for p in dimpl::SrtpProfile::ALL {
            let ours = SrtpProfile::from_dimpl(*p).unwrap();
            assert_eq!(ours.keying_material_len(), p.keying_material_len());
        }
    }

    #[test]
    fn split_follows_rfc_5764_section_4_2() {
        for profile in [
            SrtpProfile::Aes128CmHmacSha1_80,
            SrtpProfile::AeadAes128Gcm,
            SrtpProfile::AeadAes256Gcm,
        ] {
            let (k, s) = (profile.master_key_len(), profile.master_salt_len());
            // Label each byte with the field it belongs to.
            let mut material = Vec::new();
            material.extend(std::iter::repeat_n(1u8, k)); // client_write_SRTP_master_key
            material.extend(std::iter::repeat_n(2u8, k)); // server_write_SRTP_master_key
            material.extend(std::iter::repeat_n(3u8, s)); // client_write_SRTP_master_salt
            material.extend(std::iter::repeat_n(4u8, s)); // server_write_SRTP_master_salt
            let client =
                SrtpKeyingMaterial::from_exported(profile, DtlsRole::Client, &material).unwrap();
            let server =
                SrtpKeyingMaterial::from_exported(profile, DtlsRole::Server, &material).unwrap();
            assert_eq!(client.local_key, vec![1; k]);
            assert_eq!(client.remote_key, vec![2; k]);
            assert_eq!(client.local_salt, vec![3; s]);
            assert_eq!(client.remote_salt, vec![4; s]);
            assert_eq!(server.local_key, client.remote_key);
            assert_eq!(server.local_salt, client.remote_salt);
            assert_eq!(server.remote_key, client.local_key);
            assert_eq!(server.remote_salt, client.local_salt);
            assert!(
                SrtpKeyingMaterial::from_exported(profile, DtlsRole::Client, &material[1..])
                    .is_none()
            );
            assert!(!format!("{client:?}").contains("key"));
        }
    }
}
