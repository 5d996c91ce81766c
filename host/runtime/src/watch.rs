//! Hot reload: the plugins dir and the grants file's dir are watched (inotify, through a
//! debouncer that waits until a change has settled); on a change, what changed is loaded and
//! what was removed dropped. A broken plugin file is logged and the old version serves on; a
//! grants file that changed reloads every plugin under it. Where the system cannot watch, the
//! dirs are polled.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, Debouncer};

use crate::registry::{wasm_files, PluginHost};

/// How long a change must be still before it is loaded, and how often the dirs are looked at
/// where they cannot be watched.
pub const SETTLE: Duration = Duration::from_millis(100);
pub const POLL: Duration = Duration::from_millis(50);

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

/// Wakes the watch: after each settled change in the watched dirs, or every [`POLL`] where
/// they cannot be watched. The debouncer stops when this is dropped.
struct Wakeups {
    changes: tokio::sync::mpsc::UnboundedReceiver<()>,
    debouncer: Option<Debouncer<RecommendedWatcher>>,
}

impl Wakeups {
    fn new(dirs: &[&Path]) -> Wakeups {
        let (tx, changes) = tokio::sync::mpsc::unbounded_channel();
        let debouncer = new_debouncer(SETTLE, move |_: DebounceEventResult| {
            let _ = tx.send(());
        })
        .and_then(|mut debouncer| {
            for dir in dirs {
                debouncer
                    .watcher()
                    .watch(dir, RecursiveMode::NonRecursive)?;
            }
            Ok(debouncer)
        });
        match debouncer {
            Ok(debouncer) => Wakeups {
                changes,
                debouncer: Some(debouncer),
            },
            Err(e) => {
                tracing::warn!("cannot watch the plugins ({e}); looking every {POLL:?} instead");
                Wakeups {
                    changes,
                    debouncer: None,
                }
            }
        }
    }

    async fn next(&mut self) {
        if self.debouncer.is_some() {
            self.changes.recv().await;
        } else {
            tokio::time::sleep(POLL).await;
        }
    }
}

/// Watches `dir` (if any) and the host's grants file for as long as the returned task runs.
pub fn watch(host: Arc<PluginHost>, dir: Option<PathBuf>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let dir = dir.as_deref();
        let grants_file = host.grants().path.clone();
        let grants_file = grants_file.as_deref();
        let watched: Vec<&Path> = dir
            .into_iter()
            .chain(grants_file.and_then(Path::parent))
            .collect();
        let mut wakeups = Wakeups::new(&watched);
        let mut seen = look(dir, grants_file);
        loop {
            wakeups.next().await;
            let now = look(dir, grants_file);
            if now == seen {
                continue;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_settled_change_wakes_the_watch_and_an_unwatchable_dir_is_polled() {
        let dir = tempfile::tempdir().unwrap();
        let mut wakeups = Wakeups::new(&[dir.path()]);
        assert!(wakeups.debouncer.is_some());
        std::fs::write(dir.path().join("p.wasm"), b"x").unwrap();
        tokio::time::timeout(Duration::from_secs(5), wakeups.next())
            .await
            .expect("the write wakes the watch");

        let gone = dir.path().join("gone");
        let mut polled = Wakeups::new(&[gone.as_path()]);
        assert!(polled.debouncer.is_none());
        tokio::time::timeout(POLL * 4, polled.next())
            .await
            .expect("polling wakes it");
    }
}
