//! What the client does with each message from the server: ChannelData and Data indications
//! become [`TurnEvent::Data`] (RFC 8656 §10.2, §12.4), responses are matched to their
//! transactions and checked with the long-term key (RFC 8489 §9.2.5), and each outcome moves
//! the allocation, a permission or a channel on: success, a credential retry after 401 or 438
//! (RFC 8489 §9.2.5), a redirect after 300 (RFC 8489 §10), or failure.

use std::time::Instant;

use bytes::Bytes;
use rtcpeer_stun::channel_data::CHANNEL_DATA_HEADER_LEN;
use rtcpeer_stun::{AlternateServer, ChannelData, Class, Message, Method};
use rtcpeer_types::{Pii, Protocol};
use tracing::debug;

use super::{
    Allocation, MAX_AUTH_RETRIES, MAX_REDIRECTS, Pending, Request, State, TurnClient, refresh_after,
};
use crate::error::TurnError;
use crate::event::TurnEvent;

impl TurnClient {
    /// Handles one whole message from the server.
    pub(super) fn handle_frame(&mut self, now: Instant, frame: Bytes) {
        if ChannelData::is_channel_data(&frame) {
            return self.handle_channel_data(frame);
        }
        let Ok(message) = Message::decode(&frame) else {
            self.stats.malformed += 1;
            return;
        };
        match message.class() {
            Class::Indication if message.method() == Method::DATA => {
                self.handle_data_indication(&message);
            }
            Class::SuccessResponse | Class::ErrorResponse => self.handle_response(now, &message),
            _ => self.stats.unmatched += 1,
        }
    }

    fn receiving_data(&self) -> bool {
        matches!(self.state, State::Allocated(_) | State::Deallocating)
    }

    fn handle_channel_data(&mut self, frame: Bytes) {
        let (channel, len) = match ChannelData::decode(&frame) {
            Ok(cd) => (cd.channel, cd.data.len()),
            Err(_) => {
                self.stats.malformed += 1;
                return;
            }
        };
        let end = CHANNEL_DATA_HEADER_LEN + len;
        match self.bindings.receiving_peer_of(channel) {
            Some(peer) if self.receiving_data() && end <= frame.len() => {
                self.stats.channel_data_received += 1;
                let data = frame.slice(CHANNEL_DATA_HEADER_LEN..end);
                self.events.push_back(TurnEvent::Data { peer, data });
            }
            _ => self.stats.unmatched += 1,
        }
    }

    fn handle_data_indication(&mut self, message: &Message<'_>) {
        let (Some(peer), Some(data)) = (message.xor_peer_address(), message.data()) else {
            self.stats.malformed += 1;
            return;
        };
        if !self.receiving_data() {
            self.stats.unmatched += 1;
            return;
        }
        self.stats.data_indications += 1;
        self.events.push_back(TurnEvent::Data {
            peer,
            data: Bytes::copy_from_slice(data),
        });
    }

    fn handle_response(&mut self, now: Instant, message: &Message<'_>) {
        let id = message.transaction_id();
        let Some(pending) = self.pending.get(&id) else {
            self.stats.unmatched += 1;
            return;
        };
        if pending.request.method() != message.method() {
            self.stats.unmatched += 1;
            return;
        }
        let success = message.class() == Class::SuccessResponse;
        if pending.signed
            && let Some(key) = self.creds.key()
        {
            let has_integrity =
                message.has_message_integrity() || message.has_message_integrity_sha256();
            // RFC 8489 §9.2.5: a response to a signed request must verify with the same key;
            // error responses may come unsigned (a 438 cannot be signed with a stale nonce).
            if (success || has_integrity) && message.verify_integrity(key).is_err() {
                self.stats.integrity_failures += 1;
                return;
            }
        }
        let Some(pending) = self.pending.remove(&id) else {
            return;
        };
        if success {
            self.on_success(pending, message);
        } else {
            self.on_error(now, pending, message);
        }
    }

    fn on_success(&mut self, p: Pending, message: &Message<'_>) {
        match p.request {
            Request::Allocate => {
                let Some(relayed) = message.xor_relayed_address() else {
                    return self
                        .lose_allocation(TurnError::MissingAttribute("XOR-RELAYED-ADDRESS"));
                };
                let Some(lifetime) = message.lifetime() else {
                    return self.lose_allocation(TurnError::MissingAttribute("LIFETIME"));
                };
                let mapped = message.xor_mapped_address();
                debug!(relayed = %Pii(relayed), ?lifetime, "TURN allocated");
                self.state = State::Allocated(Allocation {
                    relayed,
                    mapped,
                    expires: p.sent_at + lifetime,
                    refresh_at: p.sent_at + refresh_after(lifetime),
                    refreshing: false,
                });
                self.events.push_back(TurnEvent::Allocated {
                    relayed,
                    mapped,
                    lifetime,
                });
            }
            Request::Refresh { lifetime } if lifetime.is_zero() => self.close(TurnEvent::Deleted),
            Request::Refresh { lifetime: asked } => {
                let lifetime = message.lifetime().unwrap_or(asked);
                if lifetime.is_zero() {
                    return self.lose_allocation(TurnError::Expired);
                }
                if let State::Allocated(a) = &mut self.state {
                    a.refreshing = false;
                    a.expires = p.sent_at + lifetime;
                    a.refresh_at = p.sent_at + refresh_after(lifetime);
                    debug!(?lifetime, "TURN refreshed");
                    self.events.push_back(TurnEvent::Refreshed { lifetime });
                }
            }
            Request::CreatePermission { peer } => {
                if let Some(perm) = self.bindings.permissions.get_mut(&peer) {
                    perm.in_flight = false;
                    perm.confirm(p.sent_at);
                    if std::mem::take(&mut perm.announce) {
                        self.events.push_back(TurnEvent::PermissionCreated { peer });
                    }
                }
            }
            Request::ChannelBind { peer, channel } => {
                let Some(c) = self.bindings.channels.get_mut(&peer) else {
                    return;
                };
                if c.number != channel {
                    return;
                }
                let first = !c.bound;
                c.in_flight = false;
                c.confirm(p.sent_at);
                // The binding installed or refreshed the permission too (RFC 8656 §12.2).
                self.bindings
                    .permission(peer.ip(), false)
                    .confirm(p.sent_at);
                if first {
                    self.events
                        .push_back(TurnEvent::ChannelBound { peer, channel });
                }
            }
        }
    }

    fn on_error(&mut self, now: Instant, p: Pending, message: &Message<'_>) {
        let Some(error) = message.error_code() else {
            self.stats.malformed += 1;
            return self.fail_request(now, p.request, TurnError::MissingAttribute("ERROR-CODE"));
        };
        let retry = p.retries < MAX_AUTH_RETRIES;
        match error.code {
            401 => match message.nonce() {
                // The challenge (RFC 8489 §9.2.4), or a changed realm after a signed request;
                // the same realm again means the credentials are wrong.
                Some(nonce) if retry && (p.signed || message.realm().is_some()) => {
                    let changed = self.creds.update(message.realm(), nonce);
                    if (!p.signed || changed) && self.creds.ready() {
                        self.send_request(now, p.request, p.retries + 1);
                    } else {
                        self.fail_request(now, p.request, TurnError::Unauthenticated);
                    }
                }
                _ if p.signed => self.fail_request(now, p.request, TurnError::Unauthenticated),
                _ => self.fail_request(now, p.request, server_error(&error)),
            },
            438 => match message.nonce() {
                Some(nonce) if retry => {
                    self.creds.update(message.realm(), nonce);
                    if self.creds.ready() {
                        self.send_request(now, p.request, p.retries + 1);
                    } else {
                        self.fail_request(now, p.request, TurnError::StaleNonce);
                    }
                }
                _ => self.fail_request(now, p.request, TurnError::StaleNonce),
            },
            300 if p.request == Request::Allocate => {
                let Some(AlternateServer(alternate)) = message.get::<AlternateServer>() else {
                    return self.fail_request(
                        now,
                        p.request,
                        TurnError::MissingAttribute("ALTERNATE-SERVER"),
                    );
                };
                if self.protocol == Protocol::Udp && self.redirects < MAX_REDIRECTS {
                    debug!(alternate = %Pii(alternate), "TURN redirected");
                    self.redirects += 1;
                    self.server = alternate;
                    self.creds.reset();
                    self.send_request(now, Request::Allocate, 0);
                } else {
                    self.fail_request(now, p.request, TurnError::TryAlternate(alternate));
                }
            }
            // The server no longer knows the allocation (RFC 8656 §8, §9, §12).
            437 if p.request != Request::Allocate => self.lose_allocation(TurnError::Expired),
            _ => self.fail_request(now, p.request, server_error(&error)),
        }
    }

    /// A request failed for good (or, for refreshes that timed out, for now).
    pub(super) fn fail_request(&mut self, now: Instant, request: Request, error: TurnError) {
        debug!(method = %request.method(), %error, "TURN request failed");
        let retry_later = error == TurnError::Timeout;
        match request {
            Request::Allocate => self.lose_allocation(error),
            Request::Refresh { lifetime } if lifetime.is_zero() => self.lose_allocation(error),
            Request::Refresh { .. } => {
                if let State::Allocated(a) = &mut self.state {
                    a.refreshing = false;
                    // Try again at once after a timeout; after a refusal wait for expiry.
                    a.refresh_at = if retry_later && now < a.expires {
                        now
                    } else {
                        a.expires
                    };
                }
            }
            Request::CreatePermission { peer } => {
                let keep = self
                    .bindings
                    .permissions
                    .get_mut(&peer)
                    .filter(|p| retry_later && p.installed)
                    .map(|p| {
                        p.in_flight = false;
                        p.refresh_at = Some(now);
                    })
                    .is_some();
                if !keep && self.bindings.permissions.remove(&peer).is_some() {
                    self.events
                        .push_back(TurnEvent::PermissionFailed { peer, error });
                }
            }
            Request::ChannelBind { peer, channel } => {
                let Some(c) = self.bindings.channels.get_mut(&peer) else {
                    return;
                };
                if c.number != channel {
                    return;
                }
                if retry_later && c.bound {
                    c.in_flight = false;
                    c.refresh_at = Some(now);
                } else {
                    self.bindings.remove_channel(peer);
                    self.events
                        .push_back(TurnEvent::ChannelFailed { peer, error });
                }
            }
        }
    }
}

/// The [`TurnError`] for an error response.
fn server_error(error: &rtcpeer_stun::ErrorCode<'_>) -> TurnError {
    TurnError::Server {
        code: error.code,
        reason: error.reason.to_owned(),
    }
}
