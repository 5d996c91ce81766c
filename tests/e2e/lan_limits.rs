//! Guessing at setup codes from another machine costs that machine its address: failed join
//! fetches and failed bootstrap tokens count against it as failed secrets do. Our gateway in a
//! network namespace (the helpers of `lan.rs`), the client in the root namespace at
//! 10.234.0.1 (loopback is never locked out).

use openclaw_client::{connect, ConnectOptions};
use openclaw_protocol::identity::DeviceIdentity;
use openclaw_test_support::gateway::*;

use crate::lan::{Netns, NsGateway};
use crate::setup_codes::http_get;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_join_fetches_and_setup_codes_lock_an_address_out() {
    let ns = Netns::new("cc", "10.234.0.1/24", "10.234.0.2/24");
    let gw = NsGateway::start_with(&ns, "10.234.0.2", default_config());

    // Ten unknown join codes are ten failures; the eleventh fetch is refused unread.
    let unknown = "/j/AAAAAAAAAAAAAAAAAAAAAA";
    for _ in 0..10 {
        assert_eq!(http_get(&gw.url, unknown).0, "404");
    }
    let (status, body) = http_get(&gw.url, unknown);
    assert_eq!(
        (status.as_str(), body.as_str()),
        ("429", r#"{"error":"rate_limited"}"#)
    );

    // Ten forged setup codes, and then even the right gateway token is held off.
    for _ in 0..10 {
        let mut opts = ConnectOptions::node(&gw.url, DeviceIdentity::generate(), "guesser");
        opts.auth.bootstrap_token = Some("forged-bootstrap-token".into());
        let e = connect(&opts)
            .await
            .err()
            .expect("a forged code is refused");
        assert_eq!(details(&e)["code"], "AUTH_BOOTSTRAP_TOKEN_INVALID", "{e}");
    }
    let op = ConnectOptions::operator(&gw.url, Some(TOKEN.into()), &["operator.admin"]);
    let e = connect(&op).await.err().expect("the address is locked out");
    assert_eq!(details(&e)["code"], "AUTH_RATE_LIMITED", "{e}");
}
