//! Hot reload: polls the plugins dir and the grants file, waits until a change has settled,
//! then loads what changed and drops what was removed. A broken plugin file is logged and the
//! old version serves on; a grants file that changed reloads every plugin under it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::registry::{wasm_files, PluginHost};

/// How often the dir is looked at, and how long a change must be still before it is loaded.
pub const POLL: Duration = Duration::from_millis(50);
pub const SETTLE: Duration = Duration::from_millis(100);

type Snapshot = BTreeMap<String, (PathBuf, u64, Option<SystemTime>)>;

/// What is watched: the plugin files, and the grants file's bytes (none when it is missing).
#[derive(PartialEq)]
struct Watched {
    plugins: Snapshot,
    grants: Option<Vec<u8>>,
}

fn snapshot(dir: Option<&Path>) -> Snapshot {
    dir.map(wasm_files)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, path)| {
            let meta = std::fs::metadata(&path).ok();
            let len = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            (name, (path, len, modified))
        })
        .collect()
}

fn look(dir: Option<&Path>, grants: Option<&Path>) -> Watched {
    Watched {
        plugins: snapshot(dir),
        grants: grants.and_then(|path| std::fs::read(path).ok()),
    }
}

/// Watches `dir` (if any) and the host's grants file for as long as the returned task runs.
pub fn watch(host: Arc<PluginHost>, dir: Option<PathBuf>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let dir = dir.as_deref();
        let grants_file = host.grants().path.clone();
        let grants_file = grants_file.as_deref();
        let mut seen = look(dir, grants_file);
        loop {
            tokio::time::sleep(POLL).await;
            let mut now = look(dir, grants_file);
            if now == seen {
                continue;
            }
            // Debounce: a copy in progress keeps changing; wait for it to be still.
            loop {
                tokio::time::sleep(SETTLE).await;
                let again = look(dir, grants_file);
                if again == now {
                    break;
                }
                now = again;
            }
            if now.grants != seen.grants && reload_grants(&host, dir).await {
                // Every plugin file was loaded again under the new grants.
                seen = now;
                continue;
            }
            load_changes(&host, &seen.plugins, &now.plugins).await;
            seen = now;
        }
    })
}

/// Applies an edited grants file; false when it changed nothing (or cannot be used).
async fn reload_grants(host: &PluginHost, dir: Option<&Path>) -> bool {
    match host.reload_grants(dir).await {
        Ok((false, _)) => false,
        Ok((true, errors)) => {
            tracing::info!("plugin grants changed; plugins reloaded under them");
            for e in errors {
                tracing::error!("{e}; it is out of service");
            }
            true
        }
        Err(e) => {
            tracing::error!("{e}; the previous grants stay in force");
            false
        }
    }
}

async fn load_changes(host: &PluginHost, loaded: &Snapshot, now: &Snapshot) {
    for (name, (path, ..)) in now {
        if loaded.get(name) != now.get(name) {
            match host.load_file(name, path).await {
                Ok(()) => {
                    tracing::info!(plugin = %name, "plugin loaded from {}", path.display())
                }
                Err(e) => {
                    tracing::error!(plugin = %name, "{e}; the previous version keeps serving")
                }
            }
        }
    }
    for name in loaded.keys().filter(|n| !now.contains_key(*n)) {
        match host.remove_file(name).await {
            Ok(()) => tracing::info!(plugin = %name, "plugin removed"),
            Err(e) => tracing::error!(plugin = %name, "{e}"),
        }
    }
}
