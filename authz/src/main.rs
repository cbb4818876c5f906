//! `gatekey-authz --config FILE` serves; `gatekey-authz --check-config
//! FILE` checks the file and exits 0, or 1 with the field at fault.
//! SIGHUP reads the file again and swaps it in (listen addresses aside)
//! without dropping a request; a bad file is logged and the old one kept.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use gatekey_authz::{serve, Config, Gate, Listeners};

const USAGE: &str = "usage: gatekey-authz --config FILE | --check-config FILE";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (check, path) = match args.as_slice() {
        [flag, path] if flag == "--check-config" => (true, PathBuf::from(path)),
        [flag, path] if flag == "--config" => (false, PathBuf::from(path)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::load(&path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gatekey-authz: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    if check {
        println!("{}: ok", path.display());
        return ExitCode::SUCCESS;
    }
    let listen = config.listen.clone();
    // Start-up: the first key fetch blocks, before any listener accepts.
    let gate = match Gate::new(config) {
        Ok(g) => Arc::new(g),
        Err(e) => {
            eprintln!("gatekey-authz: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    else {
        eprintln!("gatekey-authz: cannot start the runtime");
        return ExitCode::FAILURE;
    };
    runtime.block_on(async move {
        let listeners = match Listeners::bind(&listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("gatekey-authz: {e}");
                return ExitCode::FAILURE;
            }
        };
        for (what, l) in [
            ("http", &listeners.http),
            ("grpc", &listeners.grpc),
            ("ops", &listeners.ops),
        ] {
            if let Some(addr) = l.as_ref().and_then(|l| l.local_addr().ok()) {
                eprintln!(r#"{{"event":"listening","listener":"{what}","addr":"{addr}"}}"#);
            }
        }
        tokio::spawn(reload_on_hangup(Arc::clone(&gate), path));
        serve(gate, listeners, shutdown_signal()).await;
        eprintln!(r#"{{"event":"stopped"}}"#);
        ExitCode::SUCCESS
    })
}

/// On every SIGHUP: the file again, its keys loaded off the runtime's
/// threads, then swapped in; decisions in flight finish with the old one.
async fn reload_on_hangup(gate: Arc<Gate>, path: PathBuf) {
    let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        eprintln!(r#"{{"event":"reload_unavailable"}}"#);
        return;
    };
    while hangups.recv().await.is_some() {
        let (gate, path) = (Arc::clone(&gate), path.clone());
        let result = tokio::task::spawn_blocking(move || match Config::load(&path) {
            Ok(config) => gate.reload(config).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        })
        .await;
        match result {
            Ok(Ok(())) => eprintln!(r#"{{"event":"reloaded"}}"#),
            Ok(Err(e)) => eprintln!(
                r#"{{"event":"reload_failed","error":{:?}}}"#,
                e.replace('"', "'")
            ),
            Err(_) => eprintln!(r#"{{"event":"reload_failed","error":"panicked"}}"#),
        }
    }
}

/// SIGTERM or SIGINT.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => core::future::pending().await,
        }
    };
    tokio::select! {
        _ = term => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
