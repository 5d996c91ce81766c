//! Desktop notifications (the `notify` capability) through the freedesktop service on the
//! session D-Bus. [`send`] answers the SDK's [`Failure`], and [`Notification::new`] makes a
//! plain notification.

use crate::bindings::openclaw::plugin::notify as raw;
use crate::Failure;

pub use raw::{Notification, Urgency};

/// Shows the notification; answers the id the notification service gave. No service is a
/// failure.
pub fn send(notification: &Notification) -> Result<u32, Failure> {
    Ok(raw::send(notification)?)
}

impl Notification {
    /// A notification of normal urgency, without a sound.
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> Notification {
        Notification {
            title: title.into(),
            body: body.into(),
            sound: None,
            urgency: Urgency::Normal,
        }
    }
}
