//! [`TlsSession`]: TLS to a `turns:` server (RFC 8656 §3.1), run sans-IO with rustls's
//! `ClientConnection` over an in-memory byte stream: ciphertext from the runtime's TCP
//! connection goes in through `read_tls`/`process_new_packets`, plaintext comes out of its
//! reader; plaintext frames go in through its writer and ciphertext comes out of `write_tls`.

use std::io::{Read, Write};

use bytes::BytesMut;
use rustls::ClientConnection;

use crate::config::TlsSettings;
use crate::error::{TurnError, UsageError};

/// One TLS client session over the stream to the TURN server.
pub struct TlsSession {
    conn: ClientConnection,
}

impl std::fmt::Debug for TlsSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSession")
            .field("handshaking", &self.conn.is_handshaking())
            .finish_non_exhaustive()
    }
}

/// What reading ciphertext produced besides plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOutcome {
    /// The session goes on.
    Open,
    /// The server sent close_notify: no more data will come.
    Closed,
}

impl TlsSession {
    /// A session that will send its ClientHello with the first output.
    pub fn new(settings: &TlsSettings) -> Result<TlsSession, UsageError> {
        let mut conn = ClientConnection::new(settings.config.clone(), settings.server_name.clone())
            .map_err(|e| UsageError::InvalidConfig(e.to_string()))?;
        // Frames written before the handshake ends wait in rustls; only the first requests
        // are written that early, so the buffer stays small without a limit.
        conn.set_buffer_limit(None);
        Ok(TlsSession { conn })
    }

    /// Encrypts `plaintext` (sent once the handshake is done, buffered until then).
    pub fn write(&mut self, plaintext: &[u8]) -> Result<(), TurnError> {
        self.conn
            .writer()
            .write_all(plaintext)
            .map_err(|e| TurnError::Tls(e.to_string()))
    }

    /// The ciphertext waiting to be sent to the server, if any.
    pub fn take_output(&mut self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut out) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// Decrypts ciphertext from the server, appending the plaintext to `plaintext`.
    ///
    /// On error the session is dead; any alert rustls queued for the server is still returned
    /// by [`Self::take_output`].
    pub fn read(
        &mut self,
        ciphertext: &[u8],
        plaintext: &mut BytesMut,
    ) -> Result<ReadOutcome, TurnError> {
        let mut input = ciphertext;
        let mut outcome = ReadOutcome::Open;
        while !input.is_empty() {
            match self.conn.read_tls(&mut input) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => return Err(TurnError::Tls(e.to_string())),
            }
            let state = self
                .conn
                .process_new_packets()
                .map_err(|e| TurnError::Tls(e.to_string()))?;
            let available = state.plaintext_bytes_to_read();
            if available > 0 {
                let start = plaintext.len();
                plaintext.resize(start + available, 0);
                let target = plaintext.get_mut(start..).unwrap_or_default();
                self.conn
                    .reader()
                    .read_exact(target)
                    .map_err(|e| TurnError::Tls(e.to_string()))?;
            }
            if state.peer_has_closed() {
                outcome = ReadOutcome::Closed;
            }
        }
        Ok(outcome)
    }
}
