//! The `uploads` capability: terminal uploads staged through `openclaw_staging`, which owns
//! the private dirs, the caps, the lock and the 24-hour retention.

use std::sync::Arc;

use openclaw_protocol::errors::ErrorCode;
use openclaw_staging::{StageError, UploadStaging};
use wasmtime::component::{HasSelf, Linker};

use super::view::{Caller, CapabilityState, Holds};
use crate::bindings::openclaw::plugin::uploads::{self, Staged};
use crate::bindings::Failure;

pub const NAME: &str = "uploads";
pub const INTERFACES: &[&str] = &["openclaw:plugin/uploads"];

pub fn link<T: Holds<Uploads>>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    uploads::add_to_linker::<T, HasSelf<Uploads>>(linker, T::holds)
}

pub struct Uploads {
    staging: Arc<UploadStaging>,
}

impl CapabilityState for Uploads {
    fn new(caller: &Caller) -> Uploads {
        Uploads {
            staging: caller.services.uploads.clone(),
        }
    }
}

impl uploads::Host for Uploads {
    async fn stage(&mut self, name: String, content: Vec<u8>) -> Result<Staged, Failure> {
        let staging = self.staging.clone();
        // Disk work, and possibly a wait for another process's lock: off the async workers.
        let staged = tokio::task::spawn_blocking(move || staging.stage(&name, &content))
            .await
            .map_err(|e| StageError::Io(std::io::Error::other(e)))
            .and_then(|r| r);
        match staged {
            Ok(s) => Ok(Staged {
                path: s.path.display().to_string(),
                size: s.size,
            }),
            // Worded for the plugin to pass on, as the real node host words a thrown error.
            Err(e) => Err(Failure {
                code: ErrorCode::InvalidRequest.into(),
                message: e.to_string(),
            }),
        }
    }
}
