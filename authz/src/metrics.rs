//! `/metrics` in the Prometheus text format: decisions by outcome and
//! reason, drift, the verified-token cache and the key sources.

use core::fmt::Write as _;
use core::sync::atomic::Ordering;
use std::sync::PoisonError;

use crate::gate::Gate;

/// The metrics page.
#[must_use]
pub fn render(gate: &Gate) -> String {
    let m = &gate.metrics;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP gatekey_authz_decisions_total Checks answered, by outcome and reason."
    );
    let _ = writeln!(out, "# TYPE gatekey_authz_decisions_total counter");
    let _ = writeln!(
        out,
        "gatekey_authz_decisions_total{{outcome=\"allowed\",reason=\"\"}} {}",
        m.allowed.load(Ordering::Relaxed)
    );
    for (reason, n) in m
        .refused
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
    {
        let _ = writeln!(
            out,
            "gatekey_authz_decisions_total{{outcome=\"refused\",reason=\"{reason}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP gatekey_authz_drift_total Allowed checks whose winning credential shadowed a different one."
    );
    let _ = writeln!(out, "# TYPE gatekey_authz_drift_total counter");
    let _ = writeln!(
        out,
        "gatekey_authz_drift_total {}",
        m.drift.load(Ordering::Relaxed)
    );
    let cache = gate.verifier().cache_info();
    let _ = writeln!(out, "# TYPE gatekey_authz_cache_hits_total counter");
    let _ = writeln!(out, "gatekey_authz_cache_hits_total {}", cache.hits);
    let _ = writeln!(out, "# TYPE gatekey_authz_cache_misses_total counter");
    let _ = writeln!(out, "gatekey_authz_cache_misses_total {}", cache.misses);
    let _ = writeln!(out, "# TYPE gatekey_authz_cache_size gauge");
    let _ = writeln!(out, "gatekey_authz_cache_size {}", cache.size);
    let keys = gate.refresher().status();
    let _ = writeln!(out, "# TYPE gatekey_authz_keys gauge");
    let _ = writeln!(out, "gatekey_authz_keys {}", keys.keys());
    let _ = writeln!(out, "# TYPE gatekey_authz_key_fetches_total counter");
    let _ = writeln!(out, "gatekey_authz_key_fetches_total {}", keys.fetches());
    let _ = writeln!(out, "# TYPE gatekey_authz_key_fetch_failures_total counter");
    let _ = writeln!(
        out,
        "gatekey_authz_key_fetch_failures_total {}",
        keys.failures()
    );
    // 0 while some source's keys are past their maximum staleness (its
    // issuer's tokens are refused with keys_unavailable until a fetch works).
    let _ = writeln!(out, "# TYPE gatekey_authz_keys_fresh gauge");
    let _ = writeln!(out, "gatekey_authz_keys_fresh {}", u8::from(keys.fresh));
    out
}
