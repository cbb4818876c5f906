//! Latency of an HTTP/1.1 server at a fixed request rate: each of C
//! keep-alive connections (one thread each, blocking I/O) sends on a fixed
//! schedule, wrk2-style; a request's latency runs from when it was due or,
//! if the thread woke late by less than one interval, from when it was
//! sent (so the sleep's own slack is not counted, but a backlog from a
//! stall is: no coordinated omission). Prints the count, the number sent a
//! whole interval late, and p50, p90, p99, p99.9 in microseconds, one
//! line; fails on any answer other than 200. Used by
//! `authz/bench/envoy.py` (hey reports in steps of 100 µs, too coarse for
//! the differences measured there).
//!
//! `http_latency PORT PATH TOKEN SECONDS RATE CONNECTIONS`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    missing_docs
)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Reads one response on `stream` (status line, headers, a Content-Length
/// body) and returns its status.
fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> u16 {
    buf.clear();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).expect("head");
            let status: u16 = head[9..12].parse().expect("status");
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).expect("read");
                assert!(n > 0, "connection closed mid-body");
                buf.extend_from_slice(&chunk[..n]);
            }
            return status;
        }
        let n = stream.read(&mut chunk).expect("read");
        assert!(n > 0, "connection closed before an answer");
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, port, path, token, secs, rate, conns] = args.as_slice() else {
        panic!("usage: http_latency PORT PATH TOKEN SECONDS RATE CONNECTIONS");
    };
    let secs: u64 = secs.parse().expect("SECONDS");
    let rate: u64 = rate.parse().expect("RATE");
    let conns: u64 = conns.parse().expect("CONNECTIONS");
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n");
    let interval = Duration::from_secs_f64(conns as f64 / rate as f64);
    let per_conn = secs * rate / conns;
    let start = Instant::now() + Duration::from_millis(50);
    let mut threads = Vec::new();
    for c in 0..conns {
        let mut stream = TcpStream::connect(format!("127.0.0.1:{port}")).expect("connect");
        stream.set_nodelay(true).unwrap();
        let request = request.clone();
        // Connections staggered over one interval, so sends spread evenly.
        let offset = interval.mul_f64(c as f64 / conns as f64);
        threads.push(std::thread::spawn(move || {
            let mut latencies = Vec::with_capacity(per_conn as usize);
            let (mut buf, mut late) = (Vec::with_capacity(4096), 0u64);
            for i in 0..per_conn {
                let due = start + offset + interval.mul_f64(i as f64);
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                let sent = Instant::now();
                let from = if sent.duration_since(due) < interval {
                    sent
                } else {
                    late += 1;
                    due
                };
                stream.write_all(request.as_bytes()).expect("write");
                let status = read_response(&mut stream, &mut buf);
                assert_eq!(status, 200, "answer {status}, not 200");
                latencies.push(from.elapsed());
            }
            (latencies, late)
        }));
    }
    let (mut all, mut late) = (Vec::new(), 0);
    for t in threads {
        let (l, n) = t.join().unwrap();
        all.extend(l);
        late += n;
    }
    all.sort_unstable();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)].as_secs_f64() * 1e6;
    println!(
        "n={} late={late} p50={:.1} p90={:.1} p99={:.1} p999={:.1}",
        all.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(0.999)
    );
}
