//! Hot reload: polls the plugins dir, waits until a change has settled, then loads what
//! changed and drops what was removed. A broken file is logged and the old version serves on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::registry::{wasm_files, PluginHost};

/// How often the dir is looked at, and how long a change must be still before it is loaded.
pub const POLL: Duration = Duration::from_millis(50);
pub const SETTLE: Duration = Duration::from_millis(100);

type Snapshot = BTreeMap<String, (PathBuf, u64, Option<SystemTime>)>;

fn snapshot(dir: &Path) -> Snapshot {
    wasm_files(dir)
        .into_iter()
        .map(|(name, path)| {
            let meta = std::fs::metadata(&path).ok();
            let len = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            (name, (path, len, modified))
        })
        .collect()
}

/// Watches `dir` for as long as the returned task runs.
pub fn watch(host: Arc<PluginHost>, dir: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut loaded = snapshot(&dir);
        loop {
            tokio::time::sleep(POLL).await;
            let mut now = snapshot(&dir);
            if now == loaded {
                continue;
            }
            // Debounce: a copy in progress keeps changing; wait for it to be still.
            loop {
                tokio::time::sleep(SETTLE).await;
                let again = snapshot(&dir);
                if again == now {
                    break;
                }
                now = again;
            }
            for (name, (path, ..)) in &now {
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
            loaded = now;
        }
    })
}
