//! `terminal.upload` through our gateway and node host: the file lands, private, in a fresh
//! dir under the node's temp dir, named portably; bad encodings, oversize content and missing
//! params fail with the real node host's words; 16 MiB is the boundary; and uploads left by
//! an earlier run are swept once their 24 hours are up.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::json;

const PREFIX: &str = "openclaw-terminal-upload-";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminal_upload_stages_a_private_file_and_refuses_bad_content() {
    let tmp = tempfile::tempdir().unwrap();
    // Left by an earlier run, two days ago: the node sweeps it when it starts.
    let stale = tmp.path().join(format!("{PREFIX}stale1"));
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("old.txt"), "old").unwrap();
    let two_days_ago = SystemTime::now() - Duration::from_secs(2 * 86400);
    std::fs::File::open(&stale)
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();

    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let tmp_env = tmp.path().display().to_string();
    let (_node, id) =
        start_paired_in(&gw, &op, "upload-node", json!({}), &[("TMPDIR", &tmp_env)]).await;

    let staged = call(
        &op,
        &id,
        "terminal.upload",
        json!({"name": "../evil name?.txt", "contentBase64": "aGVsbG8="}),
    )
    .await;
    assert_eq!(staged["size"], 5);
    let path = std::path::PathBuf::from(staged["path"].as_str().unwrap());
    assert_eq!(path.file_name().unwrap(), "evil name_.txt");
    let dir = path.parent().unwrap();
    assert_eq!(dir.parent().unwrap(), tmp.path().canonicalize().unwrap());
    assert!(dir
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with(PREFIX));
    assert_eq!(std::fs::read(&path).unwrap(), b"hello");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(dir), mode(&path)), (0o700, 0o600));
    assert_eq!(
        staged.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["path", "size"]
    );

    // Sixteen MiB exactly is staged; one byte more is not.
    let max = vec![b'z'; 16 * 1024 * 1024];
    let big = call(
        &op,
        &id,
        "terminal.upload",
        json!({"name": "max.bin", "contentBase64": b64(&max)}),
    )
    .await;
    assert_eq!(big["size"], 16 * 1024 * 1024);
    assert_eq!(
        std::fs::metadata(big["path"].as_str().unwrap())
            .unwrap()
            .len(),
        16 << 20
    );

    for (params, expected) in [
        (
            json!({"name": "a", "contentBase64": b64(&[0; 16 * 1024 * 1024 + 1])}),
            "Error: terminal upload exceeds 16777216 bytes",
        ),
        (
            json!({"name": "a", "contentBase64": "aGVsbG8"}),
            "Error: invalid terminal upload encoding",
        ),
        (
            json!({"name": "a", "contentBase64": "aGVsbG9="}),
            "Error: invalid terminal upload encoding",
        ),
        (
            json!({"name": "a", "contentBase64": "aGVs bG8="}),
            "Error: invalid terminal upload encoding",
        ),
        (
            json!({"contentBase64": "aGVsbG8="}),
            "Error: INVALID_REQUEST: terminal upload name and content are required",
        ),
        (
            json!({"name": "a", "contentBase64": 5}),
            "Error: INVALID_REQUEST: terminal upload name and content are required",
        ),
    ] {
        let (code, text) = refused(&op, &id, "terminal.upload", params).await;
        assert_eq!(
            (code.as_str(), text.as_str()),
            ("INVALID_REQUEST", expected)
        );
    }

    // The stale upload is gone; the two staged here remain, and nothing else was made.
    assert!(
        !stale.exists(),
        "the node sweeps uploads past their 24 hours"
    );
    let staged_dirs = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(PREFIX)
        })
        .count();
    assert_eq!(staged_dirs, 2);
}
