//! The file-transfer commands (`file.stat`, `file.fetch`, `file.write`, `dir.list`,
//! `dir.fetch`) through our gateway and node host, over a real tree in the node user's home:
//! hidden files, links, a 16 MiB boundary file, an unreadable dir, a hard link to the node's
//! key, and the node's state dir inside the home. Failures come back in the payload
//! (`ok: false`), as the real node host sends them.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use openclaw_protocol::node_invoke::InvokeParams;
use openclaw_test_support::archive::{tar_listing, untar};
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use openclaw_test_support::running_as_root;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const SIXTEEN_MIB: usize = 16 * 1024 * 1024;
const COMMANDS: &[&str] = &[
    "file.stat",
    "file.fetch",
    "file.write",
    "dir.list",
    "dir.fetch",
];

struct Setup {
    gw: GatewayProc,
    op: openclaw_client::GatewayClient,
    id: String,
    home: tempfile::TempDir,
    _node: NodeProc,
}

impl Setup {
    fn path(&self, rel: &str) -> String {
        self.home.path().join(rel).display().to_string()
    }

    async fn ask(&self, command: &str, params: Value) -> Value {
        call(&self.op, &self.id, command, params).await
    }
}

/// A node whose home holds the tree, with `out/` granted for writing and links allowed to be
/// followed on request, on a gateway that routes the file-transfer commands.
async fn setup(name: &str) -> Setup {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    for d in ["docs/sub/deeper", "docs/.hidden_dir", "out", "locked"] {
        std::fs::create_dir_all(h.join(d)).unwrap();
    }
    std::fs::write(h.join("docs/a.txt"), "hello\n").unwrap();
    std::fs::write(h.join("docs/B.md"), "# B\n").unwrap();
    std::fs::write(h.join("docs/.hidden"), "h").unwrap();
    std::fs::write(h.join("docs/sub/deeper/z.json"), "{}").unwrap();
    std::fs::write(h.join("docs/pic.dat"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR0000").unwrap();
    symlink("a.txt", h.join("docs/link")).unwrap();
    std::fs::write(h.join("max.bin"), vec![b'm'; SIXTEEN_MIB]).unwrap();
    std::fs::write(h.join("over.bin"), vec![b'o'; SIXTEEN_MIB + 1]).unwrap();
    let state = h.join(".openclaw");
    openclaw_files::private_dir(&state).unwrap();
    let grants = format!(
        "[plugins.file-transfer]\ncapabilities = [\"fs\"]\nfs = {{ allowReadPaths = [\"~\"], allowWritePaths = [\"{}\"], followSymlinks = true }}\n",
        h.join("out").display()
    );
    openclaw_files::write_atomically(&state.join("plugin-grants.toml"), grants.as_bytes()).unwrap();

    let mut config = default_config();
    config["gateway"]["nodes"]["commands"]["allow"] = json!(COMMANDS);
    let gw = GatewayProc::start_with(config, &[], &[]);
    let op = gw.operator().await;
    let home_env = h.display().to_string();
    let state_env = state.display().to_string();
    let env = [
        ("HOME", home_env.as_str()),
        ("OPENCLAW_STATE_DIR", state_env.as_str()),
    ];
    let (node, id) = start_paired_in(&gw, &op, name, json!({}), &env).await;
    Setup {
        gw,
        op,
        id,
        home,
        _node: node,
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// `node.invoke` over a socket that takes the gateway's whole answer, however large.
async fn invoke_large(url: &str, node: &str, command: &str, params: Value) -> Value {
    let mut raw = RawConn::open_unbounded(url).await;
    raw.send(operator_connect("c1", 4, 4, TOKEN)).await;
    assert_eq!(raw.next_json().await.unwrap()["ok"], true);
    let key = uuid::Uuid::new_v4().to_string();
    let params = InvokeParams::new(node, command, params, key).to_value();
    raw.send(
        json!({"type": "req", "id": "r1", "method": "node.invoke", "params": params}).to_string(),
    )
    .await;
    loop {
        let frame = raw
            .next_json_within(std::time::Duration::from_secs(60))
            .await
            .expect("an answer");
        if frame["id"] == "r1" {
            return frame;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_stat_and_fetch_read_under_the_home_and_never_the_keys() {
    let s = setup("ft-read").await;
    let state = s.home.path().join(".openclaw");
    // A second name for the node's key, made where the grant reaches.
    let key = std::fs::read_dir(state.join("identity"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::hard_link(&key, s.home.path().join("innocent.txt")).unwrap();

    let stat = s
        .ask("file.stat", json!({"path": s.path("docs/a.txt")}))
        .await;
    assert_eq!(
        keys(&stat),
        ["ok", "path", "type", "size", "mtimeMs", "binding"]
    );
    assert_eq!(
        (stat["type"].as_str(), stat["size"].as_u64()),
        (Some("file"), Some(6))
    );
    assert!(stat["mtimeMs"].as_f64().unwrap() > 1.6e12);
    assert_eq!(keys(&stat["binding"]), ["kind", "device", "inode"]);
    let dir = s.ask("file.stat", json!({"path": s.path("docs")})).await;
    assert_eq!(dir["type"], "directory");
    let linked = s
        .ask("file.stat", json!({"path": s.path("docs/link")}))
        .await;
    assert_eq!(
        linked,
        json!({"ok": false, "code": "SYMLINK_REDIRECT", "message": symlink_words("allowReadPaths"), "canonicalPath": s.path("docs/a.txt")})
    );
    let followed = s
        .ask(
            "file.stat",
            json!({"path": s.path("docs/link"), "followSymlinks": true}),
        )
        .await;
    assert_eq!(followed["path"], s.path("docs/a.txt"));
    for (params, code, message) in [
        (
            json!({"path": s.path("nope")}),
            "NOT_FOUND",
            "path not found",
        ),
        (
            json!({"path": "docs/a.txt"}),
            "INVALID_PATH",
            "path must be absolute",
        ),
        (
            json!({"path": "~/docs/a.txt"}),
            "INVALID_PATH",
            "path must be absolute",
        ),
        (json!({}), "INVALID_PATH", "path required"),
    ] {
        let answer = s.ask("file.stat", params.clone()).await;
        assert_eq!(
            (
                answer["ok"].as_bool(),
                answer["code"].as_str(),
                answer["message"].as_str()
            ),
            (Some(false), Some(code), Some(message)),
            "{params}"
        );
    }

    let fetched = s
        .ask("file.fetch", json!({"path": s.path("docs/a.txt")}))
        .await;
    assert_eq!(
        keys(&fetched),
        ["ok", "path", "size", "mimeType", "base64", "sha256", "binding"]
    );
    assert_eq!(fetched["base64"], "aGVsbG8K");
    assert_eq!(fetched["sha256"], sha(b"hello\n"));
    assert_eq!(fetched["mimeType"], "text/plain");
    assert_eq!(fetched["binding"], stat["binding"]);
    let png = s
        .ask("file.fetch", json!({"path": s.path("docs/pic.dat")}))
        .await;
    assert_eq!(png["mimeType"], "image/png");
    let preflight = s
        .ask(
            "file.fetch",
            json!({"path": s.path("docs/a.txt"), "preflightOnly": true}),
        )
        .await;
    assert_eq!(
        preflight,
        json!({"ok": true, "path": s.path("docs/a.txt"), "size": 6, "mimeType": "", "base64": "", "sha256": "", "preflightOnly": true, "binding": stat["binding"]})
    );
    let moved = s
        .ask(
            "file.fetch",
            json!({"path": s.path("docs/a.txt"), "expectedBinding": {"kind": "existing", "device": "1", "inode": "2"}}),
        )
        .await;
    assert_eq!(
        moved["message"],
        "filesystem identity differs from the authorized target"
    );

    // 8 MiB unless asked; 16 MiB at most, exactly.
    let default_cap = s
        .ask("file.fetch", json!({"path": s.path("max.bin")}))
        .await;
    assert_eq!(
        default_cap["message"],
        "file size 16777216 exceeds limit 8388608"
    );
    let over = s
        .ask(
            "file.fetch",
            json!({"path": s.path("over.bin"), "maxBytes": 1e12}),
        )
        .await;
    assert_eq!(over["code"], "FILE_TOO_LARGE");
    assert_eq!(over["message"], "file size 16777217 exceeds limit 16777216");
    let max = invoke_large(
        &s.gw.url,
        &s.id,
        "file.fetch",
        json!({"path": s.path("max.bin"), "maxBytes": SIXTEEN_MIB}),
    )
    .await;
    let payload = &max["payload"]["payload"];
    assert_eq!(payload["size"], SIXTEEN_MIB);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload["base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(bytes.len(), SIXTEEN_MIB);
    assert_eq!(payload["sha256"], sha(&bytes));

    // The node's keys: not through a hard link, not by name, not through the dir.
    let innocent = s
        .ask("file.fetch", json!({"path": s.path("innocent.txt")}))
        .await;
    assert_eq!(innocent["code"], "READ_ERROR", "{innocent}");
    assert!(innocent.get("base64").is_none());
    for path in [key.display().to_string(), s.path(".openclaw")] {
        for command in ["file.fetch", "file.stat"] {
            let refused = s.ask(command, json!({"path": path})).await;
            assert_eq!(refused["ok"], false, "{command} {path}: {refused}");
            assert!(
                refused.to_string().contains("outside the directories"),
                "{refused}"
            );
        }
    }
    let dir = s.ask("file.fetch", json!({"path": s.path("docs")})).await;
    assert_eq!(dir["code"], "IS_DIRECTORY");
    // Outside the home, which is all the default grant reads.
    let etc = s.ask("file.fetch", json!({"path": "/etc/hostname"})).await;
    assert_eq!(etc["code"], "PERMISSION_DENIED", "{etc}");
}

fn symlink_words(list: &str) -> String {
    format!("path traverses a symlink; refusing because followSymlinks=false (set plugins.entries.file-transfer.config.nodes.<node>.followSymlinks=true to allow, or update {list} to the canonical path)")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_write_writes_only_under_its_write_root() {
    let s = setup("ft-write").await;
    let out = s.home.path().join("out");
    symlink(s.home.path().join("docs/a.txt"), out.join("trap")).unwrap();

    let written = s
        .ask(
            "file.write",
            json!({"path": s.path("out/new.txt"), "contentBase64": "aGkK"}),
        )
        .await;
    assert_eq!(
        keys(&written),
        ["ok", "path", "size", "sha256", "overwritten", "binding"]
    );
    assert_eq!(
        (written["size"].as_u64(), written["overwritten"].as_bool()),
        (Some(3), Some(false))
    );
    assert_eq!(written["sha256"], sha(b"hi\n"));
    assert_eq!(std::fs::read(out.join("new.txt")).unwrap(), b"hi\n");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out.join("new.txt")), 0o600);

    let again = s
        .ask(
            "file.write",
            json!({"path": s.path("out/new.txt"), "contentBase64": "aGkK"}),
        )
        .await;
    assert_eq!(again["code"], "EXISTS_NO_OVERWRITE");
    let replaced = s
        .ask(
            "file.write",
            json!({"path": s.path("out/new.txt"), "contentBase64": "Ynll", "overwrite": true}),
        )
        .await;
    assert_eq!(replaced["overwritten"], true);
    assert_eq!(std::fs::read(out.join("new.txt")).unwrap(), b"bye");

    let failures = [
        (
            json!({"path": s.path("out/x"), "contentBase64": "aGj="}),
            "INVALID_BASE64",
        ),
        (json!({"path": s.path("out/x")}), "INVALID_BASE64"),
        (
            json!({"path": s.path("out/x"), "contentBase64": "aGk=", "expectedSha256": "00"}),
            "INTEGRITY_FAILURE",
        ),
        (
            json!({"path": s.path("out/p/q/x"), "contentBase64": "aGk="}),
            "PARENT_NOT_FOUND",
        ),
        (
            json!({"path": s.path("out/trap"), "contentBase64": "aGk=", "overwrite": true}),
            "SYMLINK_REDIRECT",
        ),
        (
            json!({"path": s.path("out/trap"), "contentBase64": "aGk=", "overwrite": true, "followSymlinks": true}),
            "SYMLINK_TARGET_DENIED",
        ),
        (
            json!({"path": s.path("out"), "contentBase64": "aGk=", "overwrite": true}),
            "IS_DIRECTORY",
        ),
        (
            json!({"path": s.path("docs/new.txt"), "contentBase64": "aGk="}),
            "PERMISSION_DENIED",
        ),
        (
            json!({"path": s.path(".openclaw/planted"), "contentBase64": "aGk="}),
            "PERMISSION_DENIED",
        ),
        (
            json!({"path": "out/x", "contentBase64": "aGk="}),
            "INVALID_PATH",
        ),
    ];
    for (params, code) in failures {
        let answer = s.ask("file.write", params.clone()).await;
        assert_eq!(answer["code"], code, "{params}: {answer}");
    }
    assert_eq!(
        std::fs::read_to_string(s.home.path().join("docs/a.txt")).unwrap(),
        "hello\n"
    );
    assert!(!s.home.path().join("docs/new.txt").exists());
    assert!(!s.home.path().join(".openclaw/planted").exists());

    // Parents on request; a preflight writes nothing and binds the target.
    let deep = s
        .ask(
            "file.write",
            json!({"path": s.path("out/p/q/x"), "contentBase64": "aGk=", "createParents": true}),
        )
        .await;
    assert_eq!(deep["ok"], true, "{deep}");
    let preflight = s
        .ask(
            "file.write",
            json!({"path": s.path("out/pre.txt"), "contentBase64": "aGk=", "preflightOnly": true}),
        )
        .await;
    assert_eq!(preflight["binding"]["kind"], "write");
    assert_eq!(preflight["binding"]["anchorPath"], s.path("out"));
    assert!(!out.join("pre.txt").exists());
    let bound = s
        .ask(
            "file.write",
            json!({"path": s.path("out/pre.txt"), "contentBase64": "aGk=", "expectedCanonicalPath": preflight["path"], "expectedBinding": preflight["binding"]}),
        )
        .await;
    assert_eq!(bound["ok"], true, "{bound}");

    // 16 MiB is the most one write carries.
    let max = vec![b'w'; SIXTEEN_MIB];
    let big = invoke_large(
        &s.gw.url,
        &s.id,
        "file.write",
        json!({"path": s.path("out/max.bin"), "contentBase64": b64(&max)}),
    )
    .await;
    assert_eq!(
        big["payload"]["payload"]["size"], SIXTEEN_MIB,
        "{}",
        big["payload"]["payload"]
    );
    let over = invoke_large(
        &s.gw.url,
        &s.id,
        "file.write",
        json!({"path": s.path("out/over.bin"), "contentBase64": b64(&vec![0; SIXTEEN_MIB + 1])}),
    )
    .await;
    assert_eq!(
        over["payload"]["payload"]["message"],
        "decoded content is 16777217 bytes; maximum is 16777216 bytes (16 MB)",
        "{}",
        &over.to_string()[..over.to_string().len().min(600)]
    );
    assert!(!out.join("over.bin").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dir_list_pages_and_dir_fetch_archives_the_tree() {
    let s = setup("ft-dirs").await;
    std::fs::set_permissions(
        s.home.path().join("locked"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();

    let page = s
        .ask("dir.list", json!({"path": s.path("docs"), "maxEntries": 3}))
        .await;
    assert_eq!(
        keys(&page),
        [
            "ok",
            "path",
            "entries",
            "nextPageToken",
            "truncated",
            "binding"
        ]
    );
    let names = |v: &Value| -> Vec<String> {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&page), [".hidden", ".hidden_dir", "a.txt"]);
    assert_eq!(page["nextPageToken"], "3");
    assert_eq!(
        keys(&page["entries"][0]),
        ["name", "path", "size", "mimeType", "isDir", "mtime"]
    );
    assert_eq!(page["entries"][1]["mimeType"], "inode/directory");
    assert_eq!(page["entries"][1]["size"], 0);
    let rest = s
        .ask(
            "dir.list",
            json!({"path": s.path("docs"), "pageToken": "3"}),
        )
        .await;
    assert_eq!(names(&rest), ["B.md", "link", "pic.dat", "sub"]);
    assert_eq!(rest["truncated"], false);
    assert!(rest.get("nextPageToken").is_none());
    let link = &rest["entries"][1];
    assert_eq!(
        (link["isDir"].as_bool(), link["size"].as_u64()),
        (Some(false), Some(5))
    );
    let file = s
        .ask("dir.list", json!({"path": s.path("docs/a.txt")}))
        .await;
    assert_eq!(file["code"], "IS_FILE");
    let locked = s.ask("dir.list", json!({"path": s.path("locked")})).await;
    if !running_as_root() {
        assert_eq!(
            (locked["code"].as_str(), locked["message"].as_str()),
            (Some("READ_ERROR"), Some("list failed"))
        );
    }
    let home_path = s.home.path().display().to_string();
    let home = s.ask("dir.list", json!({"path": home_path})).await;
    assert!(!names(&home).contains(&".openclaw".to_string()), "{home}");

    // The tree with a link in it is refused as a whole; without, it comes back whole.
    let refused = s.ask("dir.fetch", json!({"path": s.path("docs")})).await;
    assert_eq!(
        (refused["code"].as_str(), refused["message"].as_str()),
        (
            Some("READ_ERROR"),
            Some("archive inspection failed: archive entry rejected by filter: link")
        )
    );
    std::fs::remove_file(s.home.path().join("docs/link")).unwrap();
    let preflight = s
        .ask(
            "dir.fetch",
            json!({"path": s.path("docs"), "preflightOnly": true}),
        )
        .await;
    let tree = [
        ".hidden",
        ".hidden_dir",
        "a.txt",
        "B.md",
        "pic.dat",
        "sub",
        "sub/deeper",
        "sub/deeper/z.json",
    ];
    assert_eq!(preflight["entries"], json!(tree));
    assert_eq!(preflight["tarBase64"], "");
    let fetched = s.ask("dir.fetch", json!({"path": s.path("docs")})).await;
    assert_eq!(
        keys(&fetched),
        [
            "ok",
            "path",
            "tarBase64",
            "tarBytes",
            "sha256",
            "fileCount",
            "entries",
            "binding"
        ]
    );
    assert_eq!(fetched["entries"], json!(tree));
    assert_eq!(fetched["fileCount"], 8);
    let gz = base64::engine::general_purpose::STANDARD
        .decode(fetched["tarBase64"].as_str().unwrap())
        .unwrap();
    assert_eq!(fetched["tarBytes"], gz.len());
    assert_eq!(fetched["sha256"], sha(&gz));
    let unpacked = unpack(&gz);
    assert_eq!(
        std::fs::read_to_string(unpacked.path().join("x/a.txt")).unwrap(),
        "hello\n"
    );
    assert_eq!(
        std::fs::read_to_string(unpacked.path().join("x/sub/deeper/z.json")).unwrap(),
        "{}"
    );
    // The unreadable dir makes the tar fail, all or nothing.
    if !running_as_root() {
        let all = s.ask("dir.fetch", json!({"path": home_path})).await;
        assert_eq!(all["ok"], false, "{all}");
    }
    std::fs::set_permissions(
        s.home.path().join("locked"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
}

/// The archive, unpacked by the system's `tar` as a user would, into `<dir>/x`.
fn unpack(gz: &[u8]) -> tempfile::TempDir {
    let listing = tar_listing(gz);
    assert_eq!(
        listing.first().map(String::as_str),
        Some("./"),
        "{listing:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let target: PathBuf = dir.path().join("x");
    std::fs::create_dir(&target).unwrap();
    untar(gz, &target);
    dir
}
