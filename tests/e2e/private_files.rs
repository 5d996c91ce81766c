//! The node's secret files where they live apart from its state dir: the config that
//! `OPENCLAW_CONFIG_PATH` puts in `~/.config/openclaw` (as `openclaw node install` carries it
//! into the service) and its `.bak`, both holding the gateway token; and the approvals, the
//! grants and the service's env file in the state dir. Through every file-transfer command,
//! by their own path and through a link to their dir, none is read, looked up, written or
//! archived, while a control file beside them is served and their dir still lists.

use std::os::unix::fs::symlink;
use std::path::Path;

use base64::Engine as _;
use openclaw_test_support::archive::tar_listing;
use openclaw_test_support::gateway::*;
use openclaw_test_support::node::*;
use serde_json::{json, Value};

const SECRET: &str = "config-file-gateway-token";
const BACKUP_SECRET: &str = "backup-file-gateway-token";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn names(listing: &Value) -> Vec<&str> {
    listing["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("{listing}"))
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect()
}

fn assert_no_secret(answer: &Value, what: &str) {
    let text = answer.to_string();
    assert!(
        !text.contains(SECRET) && !text.contains(BACKUP_SECRET),
        "{what}: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_files_outside_the_state_dir_are_refused_through_every_file_command() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let state = h.join(".openclaw");
    let config_dir = h.join(".config/openclaw");
    std::fs::create_dir_all(&config_dir).unwrap();
    openclaw_files::private_dir(&state).unwrap();
    let config = config_dir.join("openclaw.json");
    let backup = config_dir.join("openclaw.json.bak");
    let token_json = |t: &str| json!({"gateway": {"auth": {"token": t}}}).to_string();
    // The canvas is rooted at the home, which holds the config's dir.
    let node_config = json!({"gateway": {"auth": {"token": SECRET}},
                             "nodeHost": {"canvas": {"root": h}}});
    openclaw_files::write_atomically(&config, node_config.to_string().as_bytes()).unwrap();
    openclaw_files::write_atomically(&backup, token_json(BACKUP_SECRET).as_bytes()).unwrap();
    std::fs::write(config_dir.join("control.txt"), "control\n").unwrap();
    let env_file = state.join("node.systemd.env");
    let env_text = format!("OPENCLAW_GATEWAY_TOKEN={SECRET}\n");
    openclaw_files::write_atomically(&env_file, env_text.as_bytes()).unwrap();
    let approvals = state.join("exec-approvals.json");
    openclaw_files::write_atomically(&approvals, br#"{"version":1}"#).unwrap();
    // Another name for the config's dir, which a grant that follows links lets through.
    symlink(".config/openclaw", h.join("cfg")).unwrap();
    let grants_file = state.join("plugin-grants.toml");
    let grants = format!(
        "[plugins.file-transfer]\ncapabilities = [\"fs\"]\nfs = {{ allowReadPaths = [\"~\"], allowWritePaths = [\"{}\"], followSymlinks = true }}\n",
        h.display()
    );
    openclaw_files::write_atomically(&grants_file, grants.as_bytes()).unwrap();

    let mut gw_config = default_config();
    gw_config["gateway"]["nodes"]["commands"]["allow"] = json!([
        "file.stat",
        "file.fetch",
        "file.write",
        "dir.list",
        "dir.fetch",
        "canvas.navigate"
    ]);
    let gw = GatewayProc::start_with(gw_config, &[], &[]);
    let op = gw.operator().await;
    let env = [
        ("HOME", h.to_str().unwrap()),
        ("OPENCLAW_STATE_DIR", state.to_str().unwrap()),
        ("OPENCLAW_CONFIG_PATH", config.to_str().unwrap()),
    ];
    let (_node, id) = start_paired_in(&gw, &op, "private-files", json!({}), &env).await;
    let ask = |command: &'static str, params: Value| {
        let (op, id) = (&op, &id);
        async move { call(op, id, command, params).await }
    };
    let path = |p: &Path| p.display().to_string();

    let aliases = [h.join("cfg/openclaw.json"), h.join("cfg/openclaw.json.bak")];
    let secrets = [&config, &backup, &approvals, &grants_file, &env_file];
    let before: Vec<Vec<u8>> = secrets.iter().map(|p| std::fs::read(p).unwrap()).collect();
    for secret in secrets.iter().copied().chain(&aliases) {
        let p = path(secret);
        for command in ["file.stat", "file.fetch"] {
            let answer = ask(command, json!({"path": p, "followSymlinks": true})).await;
            assert_eq!(answer["ok"], false, "{command} {p}: {answer}");
            assert_no_secret(&answer, &format!("{command} {p}"));
        }
        let written = ask(
            "file.write",
            json!({"path": p, "contentBase64": b64(b"{}"), "overwrite": true, "followSymlinks": true}),
        )
        .await;
        assert_eq!(written["ok"], false, "file.write {p}: {written}");
        assert_eq!(
            written["code"], "PERMISSION_DENIED",
            "file.write {p}: {written}"
        );
    }
    let after: Vec<Vec<u8>> = secrets.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(before == after, "a secret file was written");

    // Their dir lists, and archives, without them; the file beside them is served.
    for dir in [path(&config_dir), path(&h.join("cfg"))] {
        let listing = ask("dir.list", json!({"path": dir, "followSymlinks": true})).await;
        assert_eq!(names(&listing), ["control.txt"], "{dir}: {listing}");
    }
    let fetched = ask("dir.fetch", json!({"path": path(&config_dir)})).await;
    assert_eq!(fetched["ok"], true, "{fetched}");
    assert_eq!(fetched["entries"], json!(["control.txt"]));
    let gz = base64::engine::general_purpose::STANDARD
        .decode(fetched["tarBase64"].as_str().unwrap())
        .unwrap();
    assert_eq!(tar_listing(&gz), ["./", "./control.txt"]);
    let whole = ask("dir.fetch", json!({"path": path(&h.join(".config"))})).await;
    assert_eq!(
        whole["entries"],
        json!(["openclaw", "openclaw/control.txt"]),
        "{whole}"
    );
    assert_no_secret(&whole, "dir.fetch ~/.config");

    let control = path(&config_dir.join("control.txt"));
    let read = ask("file.fetch", json!({"path": control})).await;
    assert_eq!(read["base64"], b64(b"control\n"), "{read}");
    let written = ask(
        "file.write",
        json!({"path": control, "contentBase64": b64(b"changed\n"), "overwrite": true}),
    )
    .await;
    assert_eq!(written["ok"], true, "{written}");
    assert_eq!(
        std::fs::read_to_string(config_dir.join("control.txt")).unwrap(),
        "changed\n"
    );

    // The canvas, rooted at the home, never loads the config, by its path or through a link.
    for secret in [&config, &aliases[0]] {
        let (code, message) =
            refused(&op, &id, "canvas.navigate", json!({"url": path(secret)})).await;
        assert!(
            message.contains("is outside the canvas root"),
            "{code}: {message}"
        );
    }
}
