//! The legacy and identity members of `RTCPeerConnection` that the MDN reference lists.
//!
//! Streams (the pre-transceiver API, kept by browsers and by adapter.js as shims): a stream is
//! what its tracks' senders and receivers say. `addStream(stream)` is `addTrack(track, stream)`
//! for each of its tracks; `removeStream(stream)` is `removeTrack` for every sender whose
//! stream ids include it; `getLocalStreams()` / `getRemoteStreams()` collect the streams of
//! the senders with a track / of the receivers of the transceivers that are not stopped;
//! `getStreamById` looks in both. The `addstream` / `removestream` events come with the
//! connection's other events ([`crate::EventType::AddStream`]).
//!
//! Identity (webrtc-identity): rtcpeer supports no identity provider (IdP), like browsers
//! built without one: `peerIdentity`, `getIdentityAssertion()` and `setIdentityProvider()`
//! fail with `NotSupportedError`, and the identity events never fire.

use rtcpeer_core::{MediaStream, MediaStreamTrack, RtcError};

use crate::peer_connection::RtcPeerConnection;

/// A stream with the tracks the connection knows for it (`MediaStream.getTracks()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamTracks {
    /// The stream.
    pub stream: MediaStream,
    /// Its tracks, in transceiver order.
    pub tracks: Vec<MediaStreamTrack>,
}

/// `RTCIdentityAssertion` (webrtc-identity §9.2): the verified identity of the peer.
#[doc(alias = "RTCIdentityAssertion")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtcIdentityAssertion {
    /// `idp`: the domain of the identity provider.
    pub idp: String,
    /// `name`: the identity, `user@idp-domain`.
    pub name: String,
}

fn no_idp(what: &str) -> RtcError {
    RtcError::not_supported(format!(
        "{what}: rtcpeer supports no identity provider (webrtc-identity IdP)"
    ))
}

fn add(list: &mut Vec<StreamTracks>, id: &str, track: Option<MediaStreamTrack>) {
    if !list.iter().any(|s| s.stream.id == id) {
        list.push(StreamTracks {
            stream: MediaStream::new(id),
            tracks: Vec::new(),
        });
    }
    if let Some(entry) = list.iter_mut().find(|s| s.stream.id == id)
        && let Some(t) = track
        && !entry.tracks.contains(&t)
    {
        entry.tracks.push(t);
    }
}

impl RtcPeerConnection {
    /// Legacy `addStream(stream)`: `addTrack(track, stream)` for each track, in order. Stops
    /// at the first failure (the tracks before it stay added).
    pub async fn add_stream(
        &self,
        stream: &MediaStream,
        tracks: &[MediaStreamTrack],
    ) -> Result<(), RtcError> {
        for track in tracks {
            self.add_track(track.clone(), std::slice::from_ref(stream))
                .await?;
        }
        Ok(())
    }

    /// Legacy `removeStream(stream)`: `removeTrack` for every sender with a track whose
    /// stream ids include the stream.
    pub async fn remove_stream(&self, stream: &MediaStream) -> Result<(), RtcError> {
        for sender in self.get_senders() {
            if sender.track().is_some() && sender.stream_ids().contains(&stream.id) {
                self.remove_track(&sender).await?;
            }
        }
        Ok(())
    }

    /// Legacy `getLocalStreams()`: the streams of the senders that have a track.
    pub fn get_local_streams(&self) -> Vec<StreamTracks> {
        let mut out = Vec::new();
        for sender in self.get_senders() {
            let Some(track) = sender.track() else {
                continue;
            };
            for id in sender.stream_ids() {
                add(&mut out, &id, Some(track.clone()));
            }
        }
        out
    }

    /// Legacy `getRemoteStreams()`: the streams of the receivers of the transceivers that are
    /// not stopped.
    pub fn get_remote_streams(&self) -> Vec<StreamTracks> {
        let mut out = Vec::new();
        for receiver in self.get_receivers() {
            let track = receiver.track();
            for id in receiver.remote_stream_ids() {
                add(&mut out, &id, track.clone());
            }
        }
        out
    }

    /// Legacy `getStreamById(id)`: a local stream, else a remote one, with this id.
    pub fn get_stream_by_id(&self, id: &str) -> Option<StreamTracks> {
        self.get_local_streams()
            .into_iter()
            .chain(self.get_remote_streams())
            .find(|s| s.stream.id == id)
    }

    /// `peerIdentity` (webrtc-identity): always `NotSupportedError`, no IdP is supported.
    pub async fn peer_identity(&self) -> Result<RtcIdentityAssertion, RtcError> {
        Err(no_idp("peerIdentity"))
    }

    /// `getIdentityAssertion()` (webrtc-identity): always `NotSupportedError`, no IdP is
    /// supported.
    pub async fn get_identity_assertion(&self) -> Result<String, RtcError> {
        Err(no_idp("getIdentityAssertion"))
    }

    /// `setIdentityProvider(provider, options)` (webrtc-identity): always
    /// `NotSupportedError`, no IdP is supported.
    pub fn set_identity_provider(
        &self,
        provider: &str,
        protocol: Option<&str>,
        username_hint: Option<&str>,
    ) -> Result<(), RtcError> {
        let _ = (protocol, username_hint);
        Err(no_idp(&format!("setIdentityProvider({provider})")))
    }
}
