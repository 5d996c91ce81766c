//! A legitimate `node.invoke` while strangers flood the gateway: p50/p99 alone, then during
//! 1,000 idle unauthenticated connections plus 100 clients that announce oversized frames
//! before hello and trickle their payload (each stranger comes back a second after the
//! gateway drops it); and the gateway's peak RSS. The gateway runs in a process of its own (this binary, started again), so its
//! memory is its own. Everything stays on loopback.
//!
//! Run: `cargo bench -p openclaw-gateway --bench flood`

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::bench::percentiles;
use serde_json::json;
use support::{gateway_config, operator_and_node, COMMAND};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::MaybeTlsStream;

/// Set in the child: run the gateway with this state dir.
const SERVE_ENV: &str = "OPENCLAW_FLOOD_BENCH_GATEWAY";
const IDLE: usize = 1_000;
const SLOW: usize = 100;
const INVOKES: usize = 2_000;
/// How long a dropped stranger waits before it comes back.
const COME_BACK: Duration = Duration::from_secs(1);

fn main() {
    match std::env::var(SERVE_ENV) {
        Ok(dir) => openclaw_test_support::bench::block_on(serve(dir)),
        Err(_) => openclaw_test_support::bench::block_on(drive()),
    }
}

async fn serve(dir: String) {
    let gateway = openclaw_gateway::start(gateway_config(dir.into()))
        .await
        .unwrap();
    println!("{}", gateway.url());
    std::future::pending::<()>().await;
}

/// `VmRSS` or `VmHWM` of a process, in MiB.
fn memory(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        })
        .map_or(0.0, |kb: f64| kb / 1024.0)
}

async fn drive() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(SERVE_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let url = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let addr = url.trim_start_matches("ws://").to_string();
    let (op, node_id) = operator_and_node(&url).await;
    let seq = AtomicUsize::new(0);
    let invoke_all = || async {
        let mut samples = Vec::with_capacity(INVOKES);
        for _ in 0..INVOKES {
            let key = format!("k{}", seq.fetch_add(1, Ordering::Relaxed));
            let p = InvokeParams::new(&node_id, COMMAND, json!({"n": 1}), key).to_value();
            let t = Instant::now();
            op.request("node.invoke", p).await.unwrap();
            samples.push(t.elapsed());
        }
        samples
    };
    invoke_all().await;
    let (alone50, alone99) = percentiles(&mut invoke_all().await);
    let rss_before = memory(pid, "VmRSS:");

    let stop = Arc::new(AtomicBool::new(false));
    let (opened, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut flood = Vec::new();
    for _ in 0..IDLE {
        let (stop, addr, opened) = (stop.clone(), addr.clone(), opened.clone());
        flood.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let Ok(mut tcp) = tokio::net::TcpStream::connect(&addr).await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                opened.fetch_add(1, Ordering::Relaxed);
                // Idle until the gateway drops it, then come back.
                let mut byte = [0u8; 1];
                while !stop.load(Ordering::Relaxed) {
                    let idle =
                        tokio::time::timeout(Duration::from_millis(200), tcp.read(&mut byte));
                    if let Ok(Ok(0) | Err(_)) = idle.await {
                        break;
                    }
                }
                tokio::time::sleep(COME_BACK).await;
            }
        }));
    }
    for _ in 0..SLOW {
        let (stop, url, refused) = (stop.clone(), url.clone(), refused.clone());
        flood.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let Ok((mut ws, _)) = tokio_tungstenite::connect_async(&url).await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let MaybeTlsStream::Plain(tcp) = ws.get_mut() else {
                    return;
                };
                let mut header = vec![0x81, 0x80 | 127];
                header.extend((20u64 << 20).to_be_bytes());
                header.extend([1, 2, 3, 4]);
                tcp.write_all(&header).await.ok();
                // Trickle the payload until the gateway hangs up.
                while tcp.write_all(&[b'x'; 64]).await.is_ok() && !stop.load(Ordering::Relaxed) {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                while let Some(Ok(_)) = ws.next().await {}
                refused.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(COME_BACK).await;
            }
        }));
    }
    let peak = Arc::new(std::sync::Mutex::new(0f64));
    let sampler = {
        let (stop, peak) = (stop.clone(), peak.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let rss = memory(pid, "VmRSS:");
                {
                    let mut p = peak.lock().unwrap();
                    *p = p.max(rss);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (flood50, flood99) = percentiles(&mut invoke_all().await);
    stop.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    for task in flood {
        task.abort();
    }
    let hwm = memory(pid, "VmHWM:");
    child.kill().ok();
    child.wait().ok();

    println!("node.invoke alone                                  n={INVOKES:<5} p50={alone50:>8.1} us  p99={alone99:>8.1} us");
    println!("node.invoke during the flood                       n={INVOKES:<5} p50={flood50:>8.1} us  p99={flood99:>8.1} us  ({:.1}x p99)", flood99 / alone99);
    println!(
        "flood: {IDLE} idle connections ({} opened), {SLOW} oversized-frame clients ({} refused)",
        opened.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed)
    );
    println!("gateway RSS: {rss_before:.1} MiB before, {:.1} MiB peak during the flood (VmHWM {hwm:.1} MiB)", *peak.lock().unwrap());
}
