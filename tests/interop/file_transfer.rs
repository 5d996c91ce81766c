//! The file-transfer commands and `terminal.upload` on both node hosts: the same tree, the
//! same calls, and the answers the real node host gives, which ours must give too. Through
//! the real gateway each call is a preflight and a bound second call; through ours, one call.

use std::os::unix::fs::{symlink, MetadataExt};
use std::path::Path;
use std::process::Output;

use base64::Engine as _;
use serde_json::{json, Value};

use openclaw_test_support::archive::tar_listing;
use openclaw_test_support::real::text;

/// A whole 1x1 PNG: the real recognises a PNG by more than its first eight bytes.
const ONE_PIXEL_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\nIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";

/// Files (one hidden, a PNG under another name), dirs, a link, and `out/`
/// to write in.
pub fn make_tree(tree: &Path) {
    for d in ["sub/deeper", "out"] {
        std::fs::create_dir_all(tree.join(d)).unwrap();
    }
    std::fs::write(tree.join("a.txt"), "hello\n").unwrap();
    std::fs::write(tree.join("B.md"), "# B\n").unwrap();
    std::fs::write(tree.join(".hidden"), "h").unwrap();
    std::fs::write(tree.join("pic.dat"), ONE_PIXEL_PNG).unwrap();
    std::fs::write(tree.join("sub/s.txt"), "s").unwrap();
    std::fs::write(tree.join("sub/deeper/z.json"), "{}").unwrap();
    symlink("a.txt", tree.join("link")).unwrap();
}

/// Runs each call through `invoke(command, params)` (a CLI's output) and checks its payload.
pub fn check_calls(tree: &Path, invoke: impl Fn(&str, &str) -> Output) {
    let ask = |command: &str, params: Value| -> Value {
        let out = invoke(command, &params.to_string());
        assert!(out.status.success(), "{command} {params}: {}", text(&out));
        let reply: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
        reply["payload"].clone()
    };
    let p = |rel: &str| tree.join(rel).display().to_string();
    let root = tree.display().to_string();

    // file.stat: the payload, its number as Node.js computes it from the bigint stat.
    let stat = ask("file.stat", json!({"path": p("a.txt")}));
    let meta = std::fs::metadata(tree.join("a.txt")).unwrap();
    let ns = meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128;
    assert_eq!(stat["mtimeMs"].as_f64(), Some(ns as f64 / 1e6), "{stat}");
    assert_eq!(
        without(&stat, "mtimeMs"),
        json!({"ok": true, "path": p("a.txt"), "type": "file", "size": 6, "binding": binding(&tree.join("a.txt"))})
    );
    assert_eq!(
        ask("file.stat", json!({"path": p("link")})),
        json!({"ok": false, "code": "SYMLINK_REDIRECT", "message": symlink_words("allowReadPaths"), "canonicalPath": p("a.txt")})
    );
    assert_eq!(
        ask("file.stat", json!({"path": p("nope")})),
        json!({"ok": false, "code": "NOT_FOUND", "message": "path not found"})
    );

    // file.fetch
    assert_eq!(
        ask("file.fetch", json!({"path": p("a.txt")})),
        json!({"ok": true, "path": p("a.txt"), "size": 6, "mimeType": "text/plain", "base64": "aGVsbG8K",
               "sha256": "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
               "binding": binding(&tree.join("a.txt"))})
    );
    assert_eq!(
        ask("file.fetch", json!({"path": p("pic.dat")}))["mimeType"],
        "image/png"
    );
    assert_eq!(
        ask("file.fetch", json!({"path": p("sub")})),
        json!({"ok": false, "code": "IS_DIRECTORY", "message": "path is a directory", "canonicalPath": p("sub")})
    );
    assert_eq!(
        ask("file.fetch", json!({"path": p("a.txt"), "maxBytes": 3})),
        json!({"ok": false, "code": "FILE_TOO_LARGE", "message": "file size 6 exceeds limit 3", "canonicalPath": p("a.txt")})
    );

    // file.write
    let written = ask(
        "file.write",
        json!({"path": p("out/new.txt"), "contentBase64": "aGkK"}),
    );
    assert_eq!(
        written,
        json!({"ok": true, "path": p("out/new.txt"), "size": 3,
               "sha256": "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4",
               "overwritten": false, "binding": binding(&tree.join("out/new.txt"))})
    );
    assert_eq!(std::fs::read(tree.join("out/new.txt")).unwrap(), b"hi\n");
    assert_eq!(
        std::fs::metadata(tree.join("out/new.txt")).unwrap().mode() & 0o777,
        0o600
    );
    assert_eq!(
        ask(
            "file.write",
            json!({"path": p("out/new.txt"), "contentBase64": "aGkK"})
        ),
        json!({"ok": false, "code": "EXISTS_NO_OVERWRITE",
               "message": format!("file already exists and overwrite is false: {}", p("out/new.txt"))})
    );
    let replaced = ask(
        "file.write",
        json!({"path": p("out/new.txt"), "contentBase64": "Ynll", "overwrite": true}),
    );
    assert_eq!(replaced["overwritten"], true, "{replaced}");
    assert_eq!(std::fs::read(tree.join("out/new.txt")).unwrap(), b"bye");
    assert_eq!(
        ask(
            "file.write",
            json!({"path": p("out/x"), "contentBase64": "aGj="})
        ),
        json!({"ok": false, "code": "INVALID_BASE64", "message": "contentBase64 is not valid base64"})
    );
    assert_eq!(
        ask(
            "file.write",
            json!({"path": p("out/x"), "contentBase64": "aGk=", "expectedSha256": "00"})
        ),
        json!({"ok": false, "code": "INTEGRITY_FAILURE",
               "message": "sha256 mismatch: expected 00, got 8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4",
               "canonicalPath": p("out/x")})
    );
    assert_eq!(
        ask(
            "file.write",
            json!({"path": p("out/p/q"), "contentBase64": "aGk="})
        ),
        json!({"ok": false, "code": "PARENT_NOT_FOUND", "message": format!("parent directory does not exist: {}", p("out/p"))})
    );

    // dir.list, in two pages.
    let first = ask("dir.list", json!({"path": root, "maxEntries": 3}));
    let names = |v: &Value| -> Vec<String> {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&first), [".hidden", "a.txt", "B.md"], "{first}");
    assert_eq!(
        (
            first["nextPageToken"].as_str(),
            first["truncated"].as_bool()
        ),
        (Some("3"), Some(true))
    );
    assert_eq!(first["binding"], binding(tree));
    let entry = &first["entries"][1];
    let meta = std::fs::symlink_metadata(tree.join("a.txt")).unwrap();
    let ms = meta.mtime() as f64 * 1e3 + meta.mtime_nsec() as f64 / 1e6;
    assert_eq!(entry["mtime"].as_f64(), Some(ms), "{entry}");
    assert_eq!(
        without(entry, "mtime"),
        json!({"name": "a.txt", "path": p("a.txt"), "size": 6, "mimeType": "text/plain", "isDir": false})
    );
    let rest = ask("dir.list", json!({"path": root, "pageToken": "3"}));
    assert_eq!(names(&rest), ["link", "out", "pic.dat", "sub"], "{rest}");
    assert_eq!(rest["truncated"], false);
    assert!(rest.get("nextPageToken").is_none(), "{rest}");
    let link = without(&rest["entries"][0], "mtime");
    assert_eq!(
        link,
        json!({"name": "link", "path": p("link"), "size": 5, "mimeType": "application/octet-stream", "isDir": false})
    );
    assert_eq!(rest["entries"][1]["mimeType"], "inode/directory");
    assert_eq!(
        ask("dir.list", json!({"path": p("a.txt")})),
        json!({"ok": false, "code": "IS_FILE", "message": "path is not a directory", "canonicalPath": p("a.txt")})
    );

    // dir.fetch: a tree with a link is refused whole; one without comes back whole.
    assert_eq!(
        ask("dir.fetch", json!({"path": root})),
        json!({"ok": false, "code": "READ_ERROR", "message": "archive inspection failed: archive entry rejected by filter: link", "canonicalPath": root})
    );
    let fetched = ask("dir.fetch", json!({"path": p("sub")}));
    assert_eq!(
        fetched["entries"],
        json!(["deeper", "deeper/z.json", "s.txt"]),
        "{fetched}"
    );
    assert_eq!(fetched["fileCount"], 3);
    assert_eq!(fetched["binding"], binding(&tree.join("sub")));
    let gz = base64::engine::general_purpose::STANDARD
        .decode(fetched["tarBase64"].as_str().unwrap())
        .unwrap();
    assert_eq!(fetched["tarBytes"], gz.len());
    let mut listed = tar_listing(&gz);
    listed.sort();
    assert_eq!(listed, ["./", "./deeper/", "./deeper/z.json", "./s.txt"]);
}

/// The same uploads on either node host: names made portable alike, files staged privately
/// in a fresh dir under the node's temp dir.
pub fn check_uploads(tmp: &Path, invoke: impl Fn(&str) -> Output) {
    let tmp = tmp.canonicalize().unwrap();
    for (name, staged) in [
        ("../evil name?.txt", "evil name_.txt"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("a<b>c:d|e*f%g!h", "a_b_c_d_e_f_g_h"),
        ("  spaced . ", "spaced"),
        ("\u{feff}bom", "bom"),
        ("..", "upload"),
        (&"é".repeat(100), &"é".repeat(90)),
    ] {
        let params = json!({"name": name, "contentBase64": "aGVsbG8="}).to_string();
        let out = invoke(&params);
        assert!(out.status.success(), "{name:?}: {}", text(&out));
        let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
        let path = Path::new(reply["payload"]["path"].as_str().unwrap()).to_path_buf();
        assert_eq!(reply["payload"]["size"], 5);
        assert_eq!(
            path.file_name().unwrap().to_str().unwrap(),
            staged,
            "{name:?}"
        );
        let dir = path.parent().unwrap();
        assert_eq!(dir.parent().unwrap(), tmp);
        assert!(dir
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("openclaw-terminal-upload-"));
        assert_eq!(std::fs::metadata(dir).unwrap().mode() & 0o777, 0o700);
        assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
    }
    for (content, message) in [
        ("aGVsbG8", "Error: invalid terminal upload encoding"),
        ("aGVsbG9=", "Error: invalid terminal upload encoding"),
    ] {
        let out = invoke(&json!({"name": "x", "contentBase64": content}).to_string());
        assert!(
            !out.status.success() && text(&out).contains(message),
            "{content}: {}",
            text(&out)
        );
    }
    let out = invoke(&json!({"name": "x"}).to_string());
    assert!(
        text(&out)
            .contains("Error: INVALID_REQUEST: terminal upload name and content are required"),
        "{}",
        text(&out)
    );
}

fn binding(path: &Path) -> Value {
    let meta = std::fs::metadata(path).unwrap();
    json!({"kind": "existing", "device": meta.dev().to_string(), "inode": meta.ino().to_string()})
}

fn without(v: &Value, key: &str) -> Value {
    let mut v = v.clone();
    v.as_object_mut().unwrap().remove(key);
    v
}

fn symlink_words(list: &str) -> String {
    format!("path traverses a symlink; refusing because followSymlinks=false (set plugins.entries.file-transfer.config.nodes.<node>.followSymlinks=true to allow, or update {list} to the canonical path)")
}
