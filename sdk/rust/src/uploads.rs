//! Files handed to the node to keep for a while (the `uploads` capability, terminal uploads):
//! each in a fresh private dir under the system temp dir, removed 24 hours later. [`stage`]
//! answers the SDK's [`Failure`].

use crate::bindings::openclaw::plugin::uploads as raw;
use crate::Failure;

pub use raw::Staged;

/// Stages `content` as a file named `name`: one plain file name, which the plugin sanitises.
/// Every failure is `INVALID_REQUEST`, in the real node host's words.
pub fn stage(name: &str, content: &[u8]) -> Result<Staged, Failure> {
    Ok(raw::stage(name, content)?)
}
