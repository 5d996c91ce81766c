//! Removes staged uploads (terminal and browser proxy) once their 24 hours are up, as the real
//! node host's cleanup timers do, beginning with what earlier runs left behind.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use openclaw_staging::UploadStaging;

/// The longest wait between sweeps: an upload staged meanwhile is found by the next one.
const AT_MOST: Duration = Duration::from_secs(60 * 60);

pub fn spawn(staging: UploadStaging) {
    let staging = Arc::new(staging);
    tokio::spawn(async move {
        loop {
            let sweeping = staging.clone();
            let swept = tokio::task::spawn_blocking(move || sweeping.sweep()).await;
            let wait = match swept {
                Ok(Ok(Some(due))) => due
                    .duration_since(SystemTime::now())
                    .unwrap_or_default()
                    .clamp(Duration::from_secs(1), AT_MOST),
                Ok(Ok(None)) => AT_MOST,
                Ok(Err(e)) => {
                    tracing::warn!("uploads: cleanup failed, retrying in an hour: {e}");
                    AT_MOST
                }
                Err(_) => return,
            };
            tokio::time::sleep(wait).await;
        }
    });
}
