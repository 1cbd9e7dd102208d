//! Memory held by one connected transport stack (ICE + DTLS + SCTP with one open data
//! channel): the heap bytes two stacks keep after connecting in memory, counted by an
//! instrumented global allocator, halved, plus the stack's own size. Printed for the report;
//! the assertion is a loose regression bound, not the target.

mod transport_support;

use std::alloc::System;
use std::time::Instant;

use rtcpeer_core::transport::TransportStack;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use transport_support::pair::{connect_in_memory_with, pair_certificates};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[allow(clippy::disallowed_methods)]
fn base() -> Instant {
    Instant::now()
}

/// Heap bytes a connected pair holds (both stacks).
fn held_by_pair(with_sctp: bool) -> (isize, usize, transport_support::pair::InMemoryPair) {
    let certs = pair_certificates(3);
    let start = base();
    let region = Region::new(GLOBAL);
    let pair = connect_in_memory_with(&certs, start, 1, with_sctp);
    let change = region.change();
    // stats_alloc already counts a realloc's growth (or shrink) in bytes_(de)allocated.
    let held = change.bytes_allocated as isize - change.bytes_deallocated as isize;
    (held, change.allocations, pair)
}

#[test]
fn memory_per_connected_stack() {
    // Tests of one binary run in parallel and share the allocator: one test only.
    let (held_no_sctp, _, without) = held_by_pair(false);
    drop(without);
    let (held, allocations, pair) = held_by_pair(true);
    let size = std::mem::size_of::<TransportStack>();
    let per_stack = held.max(0) as usize / 2 + size;
    let estimate = (pair.a.heap_size_estimate() + pair.b.heap_size_estimate()) / 2;
    eprintln!(
        "memory per connected stack: {per_stack} B ({:.1} KiB) = size_of {size} B + heap {} B \
         (of which ICE and the stack's queues, estimated: {estimate} B); {} allocations during \
         setup",
        per_stack as f64 / 1024.0,
        held / 2,
        allocations / 2
    );
    eprintln!(
        "  of which ICE + DTLS (no data section): {} B heap; SCTP + one channel: {} B heap; \
         size_of: IceAgent {} B, DtlsTransport {} B, DataChannels {} B",
        held_no_sctp / 2,
        (held - held_no_sctp) / 2,
        std::mem::size_of::<rtcpeer_ice::IceAgent>(),
        std::mem::size_of::<rtcpeer_dtls::DtlsTransport>(),
        std::mem::size_of::<rtcpeer_sctp::DataChannels>(),
    );
    assert!(per_stack > size && estimate > 0);
    assert!(per_stack < 512 * 1024, "{per_stack} B per stack");
    drop(pair);
}
