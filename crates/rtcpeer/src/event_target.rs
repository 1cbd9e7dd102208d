//! The `EventTarget` side of [`RtcPeerConnection`] (webrtc-pc §4.4.3 event handler attributes,
//! DOM `addEventListener`): one `on_xxx(Option<handler>)` setter per `onxxx` attribute,
//! `add_event_listener` / `remove_event_listener`, and [`events`](RtcPeerConnection::events).
//!
//! Registrations travel through the command channel, so they take effect in order with the
//! operations: a handler set before an operation sees that operation's events.
//!
//! Lifetime rule: the driver owns the handlers. A handler that captures an `RtcPeerConnection`
//! keeps the connection alive until `close()` (which frees the handlers); capture a
//! [`WeakRtcPeerConnection`](crate::WeakRtcPeerConnection) or use
//! [`Event::target`](crate::Event::target) instead to let dropping the last handle end it.
//! Handlers run on the driver task: to call an `async` method from one, spawn a task, or
//! better, forward the event into the task that drives your signaling. JavaScript runs the code
//! after an `await` before any queued event handler; tokio tasks interleave freely. A protocol
//! that relies on that order (perfect negotiation: the answer must be signaled before the offer
//! a later `negotiationneeded` makes) keeps it by doing every reaction in one task, as
//! `tests/perfect_negotiation.rs` does.

use tokio::sync::mpsc;

use crate::command::Command;
use crate::event::{Event, EventHandler, EventStream, EventType, ListenerId};
use crate::listeners::Registration;
use crate::peer_connection::RtcPeerConnection;

macro_rules! handler_attributes {
    ($($(#[$m:meta])* $name:ident => $ty:ident,)+) => {
        impl RtcPeerConnection {
            $(
                $(#[$m])*
                pub fn $name(&self, handler: Option<EventHandler>) {
                    self.register(Registration::Attribute(EventType::$ty, handler));
                }
            )+
        }
    };
}

handler_attributes! {
    /// `onnegotiationneeded`.
    on_negotiation_needed => NegotiationNeeded,
    /// `onsignalingstatechange`.
    on_signaling_state_change => SignalingStateChange,
    /// `onicegatheringstatechange`.
    on_ice_gathering_state_change => IceGatheringStateChange,
    /// `oniceconnectionstatechange`.
    on_ice_connection_state_change => IceConnectionStateChange,
    /// `onconnectionstatechange`.
    on_connection_state_change => ConnectionStateChange,
    /// `onicecandidate`.
    on_ice_candidate => IceCandidate,
    /// `onicecandidateerror`.
    on_ice_candidate_error => IceCandidateError,
    /// `ontrack`.
    on_track => Track,
    /// `ondatachannel`.
    on_data_channel => DataChannel,
    /// Legacy `onaddstream`: a remote stream appeared (fired after the `track` events of the
    /// `setRemoteDescription` that announced it).
    on_add_stream => AddStream,
    /// Legacy `onremovestream`: a remote stream lost its last receiver.
    on_remove_stream => RemoveStream,
    /// `onidentityresult` (webrtc-identity): never fires, no identity provider is supported.
    on_identity_result => IdentityResult,
    /// `onidpassertionerror` (webrtc-identity): never fires, no identity provider is supported.
    on_idp_assertion_error => IdpAssertionError,
    /// `onidpvalidationerror` (webrtc-identity): never fires, no identity provider is
    /// supported.
    on_idp_validation_error => IdpValidationError,
    /// `onpeeridentity` (webrtc-identity): never fires, no identity provider is supported.
    on_peer_identity => PeerIdentity,
}

impl RtcPeerConnection {
    fn register(&self, reg: Registration<Event>) {
        // After the driver ended nothing fires, so a registration then is moot.
        let _ = self.send_command(Command::Events(reg));
    }

    /// `addEventListener(type, listener)`: listeners of a type run in the order they were
    /// added, the `onxxx` handler at the place it was first set.
    pub fn add_event_listener(&self, event_type: EventType, handler: EventHandler) -> ListenerId {
        let id = ListenerId::new(self.link.shared.next_listener_id());
        self.register(Registration::Add(id, event_type, handler));
        id
    }

    /// `removeEventListener`: the listener added with this id stops receiving events (those
    /// being dispatched when the removal is queued are still delivered to it).
    pub fn remove_event_listener(&self, id: ListenerId) {
        self.register(Registration::Remove(id));
    }

    /// Every event of this connection as an async stream, starting with the events of the
    /// operations queued after this call. The stream ends when the driver ends.
    pub fn events(&self) -> EventStream<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.register(Registration::Subscribe(tx));
        EventStream::new(rx)
    }
}
