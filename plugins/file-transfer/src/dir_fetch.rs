//! `dir.fetch`: a whole directory tree as a gzipped tar (`handleDirFetch`). The real runs
//! `tar -czf - .` in the dir and then inspects the archive; this builds the same kind of
//! archive (GNU tar, a `./` root, dirs ending in `/`, the dir's own order) from the `fs`
//! capability, and refuses it as a whole where the real inspection would: a link, a hard
//! link or a special file anywhere, over 5000 entries, a file over 16 MiB, over 64 MiB in
//! all. The compressed size is capped by `maxBytes` (8 MiB unless said, 16 MiB at most).

use std::io::{self, Write};

use base64::Engine as _;
use flate2::write::GzEncoder;
use flate2::Compression;
use openclaw_plugin_sdk::fs::{self, EntryKind, FileInfo};
use openclaw_plugin_sdk::{Call, Failure, JsonText};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::dir_list::{collator, directory};
use crate::fetch::{hex, DEFAULT_MAX_BYTES, MAX_BYTES};
use crate::params::{is_true, limit};
use crate::paths::{join, read_path, resolve_read, RealpathWords};
use crate::reply::{error_text, existing_binding, fail_at};

const MAX_ENTRIES: usize = 5000;
const MAX_ENTRY_BYTES: u64 = 16 * 1024 * 1024;
const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;

const WORDS: RealpathWords = RealpathWords {
    not_found: "directory not found",
    enotdir_not_found: false,
    permission_code: false,
};

pub fn fetch(_call: &Call, params: Value) -> Result<JsonText, Failure> {
    Ok(JsonText(
        answer(&params).unwrap_or_else(|failure| failure.to_string()),
    ))
}

/// One entry of the tree: its path below the dir, and its own metadata.
struct Member {
    rel: String,
    info: FileInfo,
}

fn answer(params: &Value) -> Result<String, Value> {
    let path = read_path(params)?;
    let canonical = resolve_read(params, &path, &WORDS)?;
    let info = directory(params, &canonical)?;
    let binding = existing_binding(&info);
    let max = limit(params, "maxBytes", DEFAULT_MAX_BYTES, MAX_BYTES);
    let too_large = |message: String| fail_at("TREE_TOO_LARGE", message, &canonical);
    let tar_failed = || fail_at("READ_ERROR", "tar command failed", &canonical);

    if is_true(params, "preflightOnly") {
        let entries = preflight_listing(&canonical)?;
        let members = walk(&canonical).map_err(|_| tar_failed())?;
        match archive(&canonical, &info, &members, max, false) {
            Ok(_) => {}
            Err(Refusal::TooLarge) => {
                return Err(too_large(format!(
                    "tarball exceeded {max} byte limit during preflight"
                )))
            }
            Err(_) => return Err(tar_failed()),
        }
        return Ok(json!({
            "ok": true,
            "path": canonical,
            "tarBase64": "",
            "tarBytes": 0,
            "sha256": "",
            "fileCount": entries.len(),
            "entries": entries,
            "preflightOnly": true,
            "binding": binding,
        })
        .to_string());
    }

    let members = walk(&canonical).map_err(|_| tar_failed())?;
    // What `du -sk` would say, against the real's estimate of four times the limit.
    let kib = (info.blocks + members.iter().map(|m| m.info.blocks).sum::<u64>()).div_ceil(2);
    if kib > (max * 4).div_ceil(1024) {
        return Err(too_large(format!(
            "directory tree exceeds estimated size limit ({max} bytes raw)"
        )));
    }
    let tar = archive(&canonical, &info, &members, max, true).map_err(|refusal| {
        let inspection = |code: &str, why: String| {
            fail_at(
                code,
                format!("archive inspection failed: {why}"),
                &canonical,
            )
        };
        match refusal {
            Refusal::TooLarge => too_large(format!("tarball exceeded {max} byte limit mid-stream")),
            Refusal::Filtered(rel) => inspection(
                "READ_ERROR",
                format!("archive entry rejected by filter: {rel}"),
            ),
            Refusal::Limit(why) => inspection("TREE_TOO_LARGE", why.into()),
            Refusal::Unreadable => tar_failed(),
        }
    })?;
    let collator = collator();
    let mut entries: Vec<&str> = members
        .iter()
        .filter(|m| matches!(m.info.kind, EntryKind::File | EntryKind::Directory))
        .map(|m| m.rel.as_str())
        .collect();
    entries.sort_by(|a, b| collator.compare(a, b));
    let sha256 = hex(&Sha256::digest(&tar));
    let mut out = String::with_capacity(tar.len() / 3 * 4 + 4 + 1024);
    out.push_str(r#"{"ok":true,"path":"#);
    out.push_str(&Value::from(canonical.as_str()).to_string());
    out.push_str(r#","tarBase64":""#);
    base64::engine::general_purpose::STANDARD.encode_string(&tar, &mut out);
    out.push_str(&format!(
        r#"","tarBytes":{},"sha256":"{sha256}","fileCount":{},"entries":{},"binding":{binding}}}"#,
        tar.len(),
        entries.len(),
        json!(entries),
    ));
    Ok(out)
}

/// The tree in the order `tar` meets it: each dir's entries as the file system lists them, a
/// dir right before what it holds. Stops a little past the entry limit, which the archive
/// then refuses.
fn walk(root: &str) -> Result<Vec<Member>, fs::Failure> {
    fn visit(root: &str, rel_dir: &str, members: &mut Vec<Member>) -> Result<(), fs::Failure> {
        for entry in fs::list_dir(&below(root, rel_dir))? {
            if members.len() > MAX_ENTRIES {
                return Ok(());
            }
            let rel = below("", &format!("{rel_dir}/{}", entry.name));
            let info = fs::lstat(&join(root, &rel))?;
            let is_dir = info.kind == EntryKind::Directory;
            members.push(Member {
                rel: rel.clone(),
                info,
            });
            if is_dir {
                visit(root, &rel, members)?;
            }
        }
        Ok(())
    }
    let mut members = Vec::new();
    visit(root, "", &mut members)?;
    Ok(members)
}

/// `listTreeEntries`: every entry, siblings in collation order, each right before what it
/// holds; links to dirs are not entered.
fn preflight_listing(root: &str) -> Result<Vec<String>, Value> {
    fn visit(
        root: &str,
        rel_dir: &str,
        collator: &icu_collator::CollatorBorrowed,
        out: &mut Vec<String>,
    ) -> Result<(), Value> {
        let mut entries = fs::list_dir(&below(root, rel_dir)).map_err(|f| {
            let message = format!("preflight readdir failed: {}", error_text(&f));
            fail_at("READ_ERROR", message, root)
        })?;
        entries.sort_by(|a, b| collator.compare(&a.name, &b.name));
        for entry in entries {
            let rel = below("", &format!("{rel_dir}/{}", entry.name));
            out.push(rel.clone());
            if out.len() > MAX_ENTRIES {
                let message =
                    format!("directory tree exceeds {MAX_ENTRIES} entries during preflight");
                return Err(fail_at("TREE_TOO_LARGE", message, root));
            }
            if entry.kind == EntryKind::Directory {
                visit(root, &rel, collator, out)?;
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    visit(root, "", &collator(), &mut out)?;
    Ok(out)
}

/// `rel` below `root` (`rel` itself when `root` is empty), without a stray `/`.
fn below(root: &str, rel: &str) -> String {
    let rel = rel.trim_start_matches('/');
    match (root.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_string(),
        (false, true) => root.to_string(),
        (false, false) => join(root, rel),
    }
}

enum Refusal {
    TooLarge,
    Filtered(String),
    Limit(&'static str),
    Unreadable,
}

/// Gzip output that stops once it passes the limit.
struct Capped {
    out: Vec<u8>,
    max: u64,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if (self.out.len() + buf.len()) as u64 > self.max {
            return Err(io::Error::other("over the limit"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The archive of `members`. `strict` refuses what the real's inspection refuses; the
/// preflight only measures.
fn archive(
    root: &str,
    root_info: &FileInfo,
    members: &[Member],
    max: u64,
    strict: bool,
) -> Result<Vec<u8>, Refusal> {
    if strict && members.len() > MAX_ENTRIES {
        return Err(Refusal::Limit("archive entry count exceeds limit"));
    }
    let gz = GzEncoder::new(
        Capped {
            out: Vec::new(),
            max,
        },
        Compression::default(),
    );
    let mut tar = tar::Builder::new(gz);
    let over = |_| Refusal::TooLarge;
    append_dir(&mut tar, "./", root_info).map_err(over)?;
    let mut total = 0u64;
    for member in members {
        let name = format!("./{}", member.rel);
        match member.info.kind {
            EntryKind::Directory => {
                append_dir(&mut tar, &format!("{name}/"), &member.info).map_err(over)?
            }
            EntryKind::File => {
                if strict && member.info.size > MAX_ENTRY_BYTES {
                    return Err(Refusal::Limit("archive entry extracted size exceeds limit"));
                }
                total += member.info.size;
                if strict && total > MAX_TOTAL_BYTES {
                    return Err(Refusal::Limit("archive extracted size exceeds limit"));
                }
                let read =
                    fs::read_file(&join(root, &member.rel), MAX_ENTRY_BYTES).map_err(|f| {
                        if f.code == "EMLINK" {
                            Refusal::Filtered(member.rel.clone())
                        } else {
                            Refusal::Unreadable
                        }
                    })?;
                let mut header = header(&read.info, tar::EntryType::Regular);
                header.set_size(read.content.len() as u64);
                append_named(&mut tar, &mut header, &name, read.content.as_slice())
                    .map_err(over)?;
            }
            _ if strict => return Err(Refusal::Filtered(member.rel.clone())),
            _ => {}
        }
    }
    let gz = tar.into_inner().map_err(over)?;
    Ok(gz.finish().map_err(over)?.out)
}

fn append_dir<W: Write>(tar: &mut tar::Builder<W>, name: &str, info: &FileInfo) -> io::Result<()> {
    let mut header = header(info, tar::EntryType::Directory);
    header.set_size(0);
    append_named(tar, &mut header, name, io::empty())
}

/// Appends an entry under `name` exactly as given (`./a`, as `tar` run in the dir names it),
/// with a GNU long-name entry before it when the name does not fit the header.
fn append_named<W: Write>(
    tar: &mut tar::Builder<W>,
    header: &mut tar::Header,
    name: &str,
    data: impl io::Read,
) -> io::Result<()> {
    let bytes = name.as_bytes();
    let field = &mut header.as_old_mut().name;
    let room = field.len();
    if bytes.len() <= room {
        field[..bytes.len()].copy_from_slice(bytes);
    } else {
        field.copy_from_slice(&bytes[..room]);
        let mut long = tar::Header::new_gnu();
        long.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
        long.set_entry_type(tar::EntryType::GNULongName);
        long.set_mode(0o644);
        long.set_uid(0);
        long.set_gid(0);
        long.set_mtime(0);
        long.set_size(bytes.len() as u64 + 1);
        long.set_cksum();
        tar.append(&long, [bytes, b"\0"].concat().as_slice())?;
    }
    header.set_cksum();
    tar.append(header, data)
}

fn header(info: &FileInfo, kind: tar::EntryType) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(info.mode);
    header.set_mtime(info.mtime_sec.max(0) as u64);
    header.set_uid(0);
    header.set_gid(0);
    header
}
