//! Type-length-value helpers shared by INIT parameters, error causes and RE-CONFIG parameters
//! (RFC 9260 §3.2.1 and §3.3.10: a 16-bit type, a 16-bit length that counts the 4-byte header
//! but not the padding, the value, padding to a multiple of four).

use bytes::{BufMut, Bytes, BytesMut};

use super::{WireError, get_u16, pad4};

/// Iterates over the TLVs in `buf`. Stops after the first error.
pub(crate) struct Tlvs {
    buf: Bytes,
    pos: usize,
    failed: bool,
}

impl Tlvs {
    pub(crate) fn new(buf: Bytes) -> Self {
        Tlvs {
            buf,
            pos: 0,
            failed: false,
        }
    }
}

impl Iterator for Tlvs {
    /// The type and the value (without header and padding).
    type Item = Result<(u16, Bytes), WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.buf.len() {
            return None;
        }
        let (Some(ty), Some(len)) = (
            get_u16(&self.buf, self.pos),
            get_u16(&self.buf, self.pos + 2),
        ) else {
            self.failed = true;
            return Some(Err(WireError::BadParamLength(self.buf.len() - self.pos)));
        };
        let len = usize::from(len);
        let end = self.pos + len;
        if len < 4 || end > self.buf.len() {
            self.failed = true;
            return Some(Err(WireError::BadParamLength(len)));
        }
        let value = self.buf.slice(self.pos + 4..end);
        // The last parameter's padding may be missing; tolerate that.
        self.pos = (end + pad4(len)).min(self.buf.len());
        Some(Ok((ty, value)))
    }
}

/// Writes a TLV header for a value of `value_len` bytes.
pub(crate) fn put_header(out: &mut BytesMut, ty: u16, value_len: usize) -> Result<(), WireError> {
    let len = u16::try_from(value_len + 4).map_err(|_| WireError::TooLong)?;
    out.put_u16(ty);
    out.put_u16(len);
    Ok(())
}

/// Writes the padding after a value of `value_len` bytes.
pub(crate) fn put_padding(out: &mut BytesMut, value_len: usize) {
    out.put_bytes(0, pad4(value_len));
}

/// Writes a whole TLV with an opaque value, padded.
pub(crate) fn put_opaque(out: &mut BytesMut, ty: u16, value: &[u8]) -> Result<(), WireError> {
    put_header(out, ty, value.len())?;
    out.put_slice(value);
    put_padding(out, value.len());
    Ok(())
}

/// The encoded size of a TLV with a value of `value_len` bytes, padding included.
pub(crate) const fn padded_len(value_len: usize) -> usize {
    4 + value_len + pad4(value_len)
}

/// Reads a list of big-endian `u16`s filling `value` (an odd trailing byte is ignored).
pub(crate) fn u16_list(value: &[u8]) -> Vec<u16> {
    value
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect()
}
