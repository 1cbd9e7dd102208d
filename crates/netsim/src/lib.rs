//! Deterministic seeded simulated network for testing sans-IO machines (dev only).
