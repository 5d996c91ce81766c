//! The DevTools commands a plugin may send to a tab of the automation browser. A plugin is not
//! trusted, so the list is closed: reading the page, its layout and accessibility tree, input,
//! page script, navigation (every request still passes the request policy), screenshots and
//! PDFs. Nothing that reaches past the page: no files (`DOM.setFileInputFiles`, drags carrying
//! files), no downloads to a chosen directory, no other targets, no request interception, no
//! browser-wide state.

use std::borrow::Cow;

use chromiumoxide::cdp::browser_protocol::target::TargetId;
use chromiumoxide::types::{Command, Method, MethodId};
use serde::Serialize;

const ALLOWED: &[&str] = &[
    "Accessibility.enable",
    "Accessibility.getFullAXTree",
    "Accessibility.getPartialAXTree",
    "Accessibility.queryAXTree",
    "DOM.describeNode",
    "DOM.enable",
    "DOM.focus",
    "DOM.getBoxModel",
    "DOM.getContentQuads",
    "DOM.getDocument",
    "DOM.getFrameOwner",
    "DOM.getOuterHTML",
    "DOM.querySelector",
    "DOM.querySelectorAll",
    "DOM.resolveNode",
    "DOM.scrollIntoViewIfNeeded",
    "Emulation.clearDeviceMetricsOverride",
    "Emulation.setDeviceMetricsOverride",
    "Input.dispatchKeyEvent",
    "Input.dispatchMouseEvent",
    "Input.insertText",
    "Page.bringToFront",
    "Page.captureScreenshot",
    "Page.createIsolatedWorld",
    "Page.getFrameTree",
    "Page.getLayoutMetrics",
    "Page.getNavigationHistory",
    "Page.navigate",
    "Page.printToPDF",
    "Page.reload",
    "Page.stopLoading",
    "Runtime.callFunctionOn",
    "Runtime.compileScript",
    "Runtime.evaluate",
    "Runtime.getProperties",
    "Runtime.releaseObject",
    "Runtime.releaseObjectGroup",
];

/// Whether a plugin may send `method` to a tab.
pub fn allowed(method: &str) -> bool {
    ALLOWED.contains(&method)
}

/// One command as the plugin wrote it: a method name and its params object.
#[derive(Debug)]
pub struct PageCommand {
    pub method: String,
    pub params: serde_json::Value,
}

impl Serialize for PageCommand {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.params.serialize(serializer)
    }
}

impl Method for PageCommand {
    fn identifier(&self) -> MethodId {
        Cow::Owned(self.method.clone())
    }
}

impl Command for PageCommand {
    type Response = serde_json::Value;
}

/// A tab's id as chromiumoxide names it.
pub fn target(target_id: &str) -> TargetId {
    TargetId::new(target_id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_that_reaches_past_the_page_is_allowed() {
        for method in [
            "DOM.setFileInputFiles",
            "Input.dispatchDragEvent",
            "Page.setDownloadBehavior",
            "Browser.setDownloadBehavior",
            "Browser.close",
            "Target.createTarget",
            "Target.attachToTarget",
            "Fetch.disable",
            "Fetch.enable",
            "Network.loadNetworkResource",
            "Network.setRequestInterception",
            "IO.read",
            "Storage.clearDataForOrigin",
            "SystemInfo.getProcessInfo",
            "Page.addScriptToEvaluateOnNewDocument",
            "page.navigate",
            "",
        ] {
            assert!(!allowed(method), "{method} must be refused");
        }
        assert!(allowed("Page.navigate") && allowed("Accessibility.getFullAXTree"));
    }
}
