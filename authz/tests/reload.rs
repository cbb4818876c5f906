//! SIGHUP reloads the configuration without losing a request: the real
//! binary, a bounded loop of checks from two threads, and a reload every
//! 100 ms between two files that name the subject header differently.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::std_instead_of_core,
    missing_docs
)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use common::{config_text, request, token, Child};

const RELOADS: usize = 10;

fn hangup(pid: u32) {
    let ok = Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -HUP {pid}");
}

#[test]
fn sighup_reloads_and_loses_no_request() {
    let dir = std::env::temp_dir().join(format!("gatekey-authz-reload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gatekey-authz.toml");
    let a = config_text("header_first", None);
    let b = format!("{a}[identity]\nsubject = \"x-gatekey-user\"\n");
    std::fs::write(&path, &a).unwrap();
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_gatekey-authz"))
            .arg("--config")
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();
    // The server's log lines, read on their own thread.
    let (lines_tx, lines) = mpsc::channel::<String>();
    let stderr = child.0.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |what: &str| -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {what} line from gatekey-authz"));
            if line.contains(what) {
                return line;
            }
        }
    };
    let listening = wait_for(r#""listener":"http""#);
    let addr: SocketAddr = listening
        .split(r#""addr":""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .parse()
        .unwrap();

    let headers = vec![(
        "Authorization".to_owned(),
        format!("Bearer {}", token("alice")),
    )];
    let done = Arc::new(AtomicBool::new(false));
    let (sent, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let clients: Vec<_> = (0..2)
        .map(|_| {
            let (done, sent, failed, headers) = (
                Arc::clone(&done),
                Arc::clone(&sent),
                Arc::clone(&failed),
                headers.clone(),
            );
            std::thread::spawn(move || {
                // Bounded: stops when told, or after 30 s whatever happens.
                let limit = Instant::now() + Duration::from_secs(30);
                while !done.load(Ordering::Relaxed) && Instant::now() < limit {
                    let r = request(addr, "/", &headers);
                    let subject = r.header("x-gatekey-subject").or(r.header("x-gatekey-user"));
                    if r.status != 200 || subject != Some("alice") {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for i in 0..RELOADS {
        std::thread::sleep(Duration::from_millis(100));
        std::fs::write(&path, if i % 2 == 0 { &b } else { &a }).unwrap();
        hangup(pid);
        wait_for(r#""event":"reloaded""#);
    }
    done.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let (sent, failed) = (sent.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    assert_eq!(
        failed, 0,
        "{failed} of {sent} checks failed across {RELOADS} reloads"
    );
    assert!(sent > RELOADS as u64, "only {sent} checks");
    eprintln!("{sent} checks across {RELOADS} reloads, none failed");
    // The last file written was `a`; now `b` and one more reload: it is
    // what decides.
    std::fs::write(&path, &b).unwrap();
    hangup(pid);
    wait_for(r#""event":"reloaded""#);
    let r = request(addr, "/", &headers);
    assert_eq!(r.header("x-gatekey-user"), Some("alice"));
    assert_eq!(r.header("x-gatekey-subject"), None);
    // A bad file is refused and the running one kept.
    std::fs::write(&path, "[policy]\npreset = \"nonsense\"\n").unwrap();
    hangup(pid);
    let failed_line = wait_for(r#""event":"reload_failed""#);
    assert!(failed_line.contains("policy.preset"), "{failed_line}");
    assert_eq!(
        request(addr, "/", &headers).header("x-gatekey-user"),
        Some("alice")
    );
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}
