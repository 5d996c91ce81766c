//! The real node host's file-transfer commands, over the host's `fs` capability:
//! `file.stat`, `file.fetch`, `file.write`, `dir.list` and `dir.fetch`, wire-exact (see
//! `SPEC.md`). A domain failure is an in-band payload `{ok: false, code, message}`, as the
//! real sends it; only malformed params fail the call. The `fs` grant decides what may be read
//! and written: read roots (the home by default) and write roots (none by default).

mod b64;
mod dir_fetch;
mod dir_list;
mod fetch;
mod mime;
mod params;
mod paths;
mod reply;
mod stat;
mod write;

use openclaw_plugin_sdk::plugin;

plugin! {
    caps: ["file"],
    commands: {
        "file.stat" => stat::stat: "Type, size and modification time of a file or directory",
        "file.fetch" => fetch::fetch: "A file's bytes as base64, with its SHA-256 and media type",
        "file.write" => write::write: "Writes base64 bytes to a file, checking their SHA-256",
        "dir.list" => dir_list::list: "One page of a directory's entries",
        "dir.fetch" => dir_fetch::fetch: "A directory tree as a gzipped tar",
    }
}
