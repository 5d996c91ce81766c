//! The canvas rules, enforced inside the browser: every request any page, frame, popup or
//! worker of this Chromium makes (navigations, redirects, iframes, `fetch`, `window.open`)
//! pauses at the browser until [`request_allowed`](crate::target::request_allowed) says yes.
//! What it refuses fails with `net::ERR_ACCESS_DENIED`, and nothing is sent.

use std::sync::Arc;

use chromiumoxide::cdp::browser_protocol::fetch::{
    ContinueRequestParams, EnableParams, EventRequestPaused, FailRequestParams, RequestPattern,
    RequestStage,
};
use chromiumoxide::cdp::browser_protocol::network::ErrorReason;
use chromiumoxide::error::CdpError;
use chromiumoxide::Browser;
use futures_util::StreamExt;
use reqwest::Url;
use tokio::task::JoinHandle;

use crate::target::{refused_host_rules, request_allowed, CanvasFiles};

/// What pages of this Chromium may request.
#[derive(Debug, Clone)]
pub struct RequestPolicy {
    pub files: CanvasFiles,
    /// A browser control endpoint (`browser.cdpUrl`) pages must never reach.
    pub control: Option<Url>,
}

impl RequestPolicy {
    /// The part of the policy Chromium enforces itself, as its command-line switch.
    pub fn host_resolver_switch(&self) -> String {
        format!(
            "--host-resolver-rules={}",
            refused_host_rules(self.control.as_ref())
        )
    }
}

/// Turns interception on for the whole browser and answers each paused request. Requests
/// pause until the returned task answers them, so if it ever stops they fail, never pass.
pub async fn start(
    browser: &Arc<Browser>,
    policy: RequestPolicy,
) -> Result<JoinHandle<()>, CdpError> {
    // Listen first: a request paused before the listener exists would never be answered.
    let mut paused = browser.event_listener::<EventRequestPaused>().await?;
    let every_request = RequestPattern::builder()
        .url_pattern("*")
        .request_stage(RequestStage::Request)
        .build();
    browser
        .execute(EnableParams::builder().pattern(every_request).build())
        .await?;
    let browser = browser.clone();
    Ok(tokio::spawn(async move {
        while let Some(request) = paused.next().await {
            let url = &request.request.url;
            let answered = match request_allowed(url, &policy.files, policy.control.as_ref()) {
                Ok(()) => browser
                    .execute(ContinueRequestParams::new(request.request_id.clone()))
                    .await
                    .map(drop),
                Err(why) => {
                    tracing::warn!("the canvas refused a request for {url}: {why}");
                    let fail = FailRequestParams::new(
                        request.request_id.clone(),
                        ErrorReason::AccessDenied,
                    );
                    browser.execute(fail).await.map(drop)
                }
            };
            if let Err(e) = answered {
                // The request went away (its page closed) or Chromium did.
                tracing::debug!("could not answer the paused request for {url}: {e}");
            }
        }
    }))
}
