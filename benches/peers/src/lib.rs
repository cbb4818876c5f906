//! Nothing here: the benchmarks are in `benches/peers.rs` (`make bench-peers`).
