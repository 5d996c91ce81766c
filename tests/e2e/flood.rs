//! A stranger's resources are bounded before they authenticate: a frame over the pre-hello
//! limit is refused at its header, and a flood of idle connections cannot lock an operator out.

use std::time::Duration;

use openclaw_test_support::gateway::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::MaybeTlsStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_announcing_20_mib_before_hello_is_refused_at_its_header() {
    let gw = GatewayProc::start();
    let mut raw = RawConn::open(&gw.url).await;
    // A masked text frame header announcing 20 MiB, and a trickle of its payload.
    let mut header = vec![0x81, 0x80 | 127];
    header.extend((20u64 << 20).to_be_bytes());
    header.extend([1, 2, 3, 4]);
    header.extend([b'x'; 100]);
    let MaybeTlsStream::Plain(tcp) = raw.ws.get_mut() else {
        panic!("plain tcp")
    };
    tcp.write_all(&header).await.unwrap();
    assert_eq!(raw.close_code().await, Some(1009));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_idle_connections_does_not_lock_an_operator_out() {
    let gw = GatewayProc::start();
    let addr = gw.url.trim_start_matches("ws://").to_string();
    let mut flood = Vec::new();
    for _ in 0..400 {
        flood.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    let op = gw.operator().await;
    op.request("node.list", json!({})).await.unwrap();
    // The oldest idle connections made room; they are closed, the newest still wait.
    let mut closed = 0;
    for tcp in flood.iter_mut() {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_millis(20), tcp.read(&mut byte)).await;
        if matches!(read, Ok(Ok(0)) | Ok(Err(_))) {
            closed += 1;
        }
    }
    assert!(closed >= 400 - 256, "{closed} of 400 closed");
    assert!(closed < 400, "the newest are still waiting");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_tls_client_is_dropped_at_the_handshake_timeout() {
    let gw = GatewayProc::start_with(
        default_config(),
        &["--tls"],
        &[("OPENCLAW_HANDSHAKE_TIMEOUT_MS", "500")],
    );
    let addr = gw.url.trim_start_matches("wss://").to_string();
    // TCP connects, then never starts TLS.
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut byte)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the gateway held a silent TLS client: {read:?}"
    );
}
