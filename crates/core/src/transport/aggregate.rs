//! The W3C states of the transports and their aggregates, as pure functions.
//!
//! - The per-transport states the machines report, in their W3C enums:
//!   [`ice_transport_state`] (`RTCIceTransportState`, webrtc-pc §5.6.3),
//!   [`ice_gatherer_state`] (`RTCIceGathererState`, §5.6.2) and [`dtls_transport_state`]
//!   (`RTCDtlsTransportState`, §5.5.2).
//! - The aggregates an `RTCPeerConnection` exposes, computed from every transport as the spec's
//!   enum tables define them: [`ice_gathering_state`] (`iceGatheringState`, §4.3.2,
//!   `RTCIceGatheringState`), [`ice_connection_state`] (`iceConnectionState`, §4.3.4,
//!   `RTCIceConnectionState`) and [`peer_connection_state`] (`connectionState`, §4.3.3,
//!   `RTCPeerConnectionState`).
//!
//! Each table is read top to bottom: the first row whose condition holds gives the state ("none
//! of the previous states apply").

use rtcpeer_dtls::DtlsTransportState;
use rtcpeer_ice::{IceConnectionState, IceGatheringState};

use crate::enums::{
    RtcDtlsTransportState, RtcIceConnectionState, RtcIceGathererState, RtcIceGatheringState,
    RtcIceTransportState, RtcPeerConnectionState,
};

/// The W3C `RTCIceTransportState` of an ICE agent's state.
pub fn ice_transport_state(state: IceConnectionState) -> RtcIceTransportState {
    match state {
        IceConnectionState::New => RtcIceTransportState::New,
        IceConnectionState::Checking => RtcIceTransportState::Checking,
        IceConnectionState::Connected => RtcIceTransportState::Connected,
        IceConnectionState::Completed => RtcIceTransportState::Completed,
        IceConnectionState::Failed => RtcIceTransportState::Failed,
        IceConnectionState::Disconnected => RtcIceTransportState::Disconnected,
        IceConnectionState::Closed => RtcIceTransportState::Closed,
    }
}

/// The W3C `RTCIceGathererState` of an ICE agent's gathering state.
pub fn ice_gatherer_state(state: IceGatheringState) -> RtcIceGathererState {
    match state {
        IceGatheringState::New => RtcIceGathererState::New,
        IceGatheringState::Gathering => RtcIceGathererState::Gathering,
        IceGatheringState::Complete => RtcIceGathererState::Complete,
    }
}

/// The W3C `RTCDtlsTransportState` of a DTLS transport's state.
pub fn dtls_transport_state(state: DtlsTransportState) -> RtcDtlsTransportState {
    match state {
        DtlsTransportState::New => RtcDtlsTransportState::New,
        DtlsTransportState::Connecting => RtcDtlsTransportState::Connecting,
        DtlsTransportState::Connected => RtcDtlsTransportState::Connected,
        DtlsTransportState::Closed => RtcDtlsTransportState::Closed,
        DtlsTransportState::Failed => RtcDtlsTransportState::Failed,
    }
}

/// `iceGatheringState` (webrtc-pc §4.3.2) from the gathering state of every ICE transport:
///
/// | state | condition |
/// |---|---|
/// | `gathering` | any transport is `gathering` |
/// | `complete` | at least one transport exists and all are `complete` |
/// | `new` | otherwise (some transport `new` and none gathering, or no transports) |
pub fn ice_gathering_state(gatherers: &[RtcIceGathererState]) -> RtcIceGatheringState {
    if gatherers.contains(&RtcIceGathererState::Gathering) {
        RtcIceGatheringState::Gathering
    } else if !gatherers.is_empty()
        && gatherers
            .iter()
            .all(|&g| g == RtcIceGathererState::Complete)
    {
        RtcIceGatheringState::Complete
    } else {
        RtcIceGatheringState::New
    }
}

/// `iceConnectionState` (webrtc-pc §4.3.4) from `[[IsClosed]]` and the state of every ICE
/// transport:
///
/// | state | condition |
/// |---|---|
/// | `closed` | the connection is closed |
/// | `failed` | any transport is `failed` |
/// | `disconnected` | any transport is `disconnected` |
/// | `new` | all transports are `new` or `closed`, or there are none |
/// | `checking` | any transport is `new` or `checking` |
/// | `completed` | all transports are `completed` or `closed` |
/// | `connected` | none of the above |
pub fn ice_connection_state(
    is_closed: bool,
    transports: &[RtcIceTransportState],
) -> RtcIceConnectionState {
    use RtcIceTransportState as T;
    let any = |s: T| transports.contains(&s);
    let all = |a: T, b: T| transports.iter().all(|&t| t == a || t == b);
    if is_closed {
        RtcIceConnectionState::Closed
    } else if any(T::Failed) {
        RtcIceConnectionState::Failed
    } else if any(T::Disconnected) {
        RtcIceConnectionState::Disconnected
    } else if all(T::New, T::Closed) {
        RtcIceConnectionState::New
    } else if any(T::New) || any(T::Checking) {
        RtcIceConnectionState::Checking
    } else if all(T::Completed, T::Closed) {
        RtcIceConnectionState::Completed
    } else {
        RtcIceConnectionState::Connected
    }
}

/// `connectionState` (webrtc-pc §4.3.3) from `[[IsClosed]]`, the aggregate
/// [`ice_connection_state`] and the state of every DTLS transport:
///
/// | state | condition |
/// |---|---|
/// | `closed` | the connection is closed |
/// | `failed` | ICE is `failed`, or any DTLS transport is `failed` |
/// | `disconnected` | ICE is `disconnected` |
/// | `new` | ICE is `new` and all DTLS transports are `new` or `closed`, or there are no transports |
/// | `connected` | ICE is `connected` (or `completed`) and all DTLS transports are `connected` or `closed` |
/// | `connecting` | none of the above |
///
/// The spec's `connected` row names only ICE `connected`; an ICE `completed` (every transport
/// done checking) is the same usable connection, and reading the row literally would report
/// `connecting` on a finished connection, so `completed` counts as `connected` here, as in
/// browsers.
pub fn peer_connection_state(
    is_closed: bool,
    ice: RtcIceConnectionState,
    dtls: &[RtcDtlsTransportState],
) -> RtcPeerConnectionState {
    use RtcDtlsTransportState as D;
    let all = |a: D, b: D| dtls.iter().all(|&t| t == a || t == b);
    if is_closed || ice == RtcIceConnectionState::Closed {
        RtcPeerConnectionState::Closed
    } else if ice == RtcIceConnectionState::Failed || dtls.contains(&D::Failed) {
        RtcPeerConnectionState::Failed
    } else if ice == RtcIceConnectionState::Disconnected {
        RtcPeerConnectionState::Disconnected
    } else if ice == RtcIceConnectionState::New && all(D::New, D::Closed) {
        RtcPeerConnectionState::New
    } else if matches!(
        ice,
        RtcIceConnectionState::Connected | RtcIceConnectionState::Completed
    ) && all(D::Connected, D::Closed)
    {
        RtcPeerConnectionState::Connected
    } else {
        RtcPeerConnectionState::Connecting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use RtcDtlsTransportState as D;
    use RtcIceConnectionState as C;
    use RtcIceTransportState as T;
    use RtcPeerConnectionState as P;

    #[test]
    fn ice_connection_state_table() {
        let rows: &[(bool, &[T], C)] = &[
            (true, &[T::Connected], C::Closed),
            (true, &[], C::Closed),
            (false, &[], C::New),
            (false, &[T::New], C::New),
            (false, &[T::New, T::Closed], C::New),
            (false, &[T::Closed], C::New),
            (false, &[T::Checking], C::Checking),
            (false, &[T::New, T::Connected], C::Checking),
            (false, &[T::Checking, T::Completed], C::Checking),
            (false, &[T::Connected], C::Connected),
            (false, &[T::Connected, T::Completed], C::Connected),
            (false, &[T::Connected, T::Closed], C::Connected),
            (false, &[T::Completed], C::Completed),
            (false, &[T::Completed, T::Closed], C::Completed),
            (false, &[T::Disconnected], C::Disconnected),
            (false, &[T::Disconnected, T::Checking], C::Disconnected),
            (false, &[T::Failed], C::Failed),
            (false, &[T::Failed, T::Disconnected], C::Failed),
            (false, &[T::Connected, T::Failed], C::Failed),
        ];
        for (closed, transports, want) in rows {
            assert_eq!(
                ice_connection_state(*closed, transports),
                *want,
                "closed={closed} {transports:?}"
            );
        }
    }

    #[test]
    fn peer_connection_state_table() {
        let rows: &[(bool, C, &[D], P)] = &[
            (true, C::Connected, &[D::Connected], P::Closed),
            (false, C::Closed, &[D::Connected], P::Closed),
            (false, C::Failed, &[D::Connected], P::Failed),
            (false, C::Connected, &[D::Failed], P::Failed),
            (false, C::New, &[D::Failed], P::Failed),
            (false, C::Disconnected, &[D::Failed], P::Failed),
            (false, C::Disconnected, &[D::Connected], P::Disconnected),
            (false, C::New, &[], P::New),
            (false, C::New, &[D::New], P::New),
            (false, C::New, &[D::New, D::Closed], P::New),
            (false, C::New, &[D::Connecting], P::Connecting),
            (false, C::Checking, &[D::New], P::Connecting),
            (false, C::Checking, &[D::Connecting], P::Connecting),
            (false, C::Connected, &[D::New], P::Connecting),
            (false, C::Connected, &[D::Connecting], P::Connecting),
            (false, C::Connected, &[D::Connected], P::Connected),
            (
                false,
                C::Connected,
                &[D::Connected, D::Closed],
                P::Connected,
            ),
            (false, C::Connected, &[D::Closed], P::Connected),
            (false, C::Completed, &[D::Connected], P::Connected),
            (false, C::Completed, &[D::Connecting], P::Connecting),
            (false, C::Checking, &[D::Connected], P::Connecting),
        ];
        for (closed, ice, dtls, want) in rows {
            assert_eq!(
                peer_connection_state(*closed, *ice, dtls),
                *want,
                "closed={closed} {ice:?} {dtls:?}"
            );
        }
    }

    #[test]
    fn gathering_state_table() {
        use RtcIceGathererState as G;
        use RtcIceGatheringState as A;
        let rows: &[(&[G], A)] = &[
            (&[], A::New),
            (&[G::New], A::New),
            (&[G::New, G::Complete], A::New),
            (&[G::Gathering], A::Gathering),
            (&[G::Complete, G::Gathering], A::Gathering),
            (&[G::Complete], A::Complete),
            (&[G::Complete, G::Complete], A::Complete),
        ];
        for (g, want) in rows {
            assert_eq!(ice_gathering_state(g), *want, "{g:?}");
        }
    }

    #[test]
    fn machine_states_map_to_w3c_strings() {
        // The crates' own strings and the W3C enums agree, state for state.
        for s in [
            IceConnectionState::New,
            IceConnectionState::Checking,
            IceConnectionState::Connected,
            IceConnectionState::Completed,
            IceConnectionState::Failed,
            IceConnectionState::Disconnected,
            IceConnectionState::Closed,
        ] {
            assert_eq!(ice_transport_state(s).as_str(), s.as_str());
        }
        for s in [
            IceGatheringState::New,
            IceGatheringState::Gathering,
            IceGatheringState::Complete,
        ] {
            assert_eq!(ice_gatherer_state(s).as_str(), s.as_str());
        }
        for s in DtlsTransportState::ALL {
            assert_eq!(dtls_transport_state(s).as_str(), s.as_str());
        }
    }
}
