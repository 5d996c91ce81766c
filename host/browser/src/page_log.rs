//! What a tab of the automation browser said while nobody was asking: its console messages,
//! its uncaught errors and its network requests, kept in bounded buffers (oldest dropped) from
//! the moment the node first sees the tab, so a later `GET /console` can read them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventRequestWillBeSent, EventResponseReceived,
};
use chromiumoxide::cdp::browser_protocol::page::{
    EventJavascriptDialogClosed, EventJavascriptDialogOpening, HandleJavaScriptDialogParams,
};
use chromiumoxide::cdp::js_protocol::runtime::{
    EventConsoleApiCalled, EventExceptionThrown, RemoteObject,
};
use chromiumoxide::Page;
use futures_util::StreamExt;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::dialogs::{Answer, Dialogs};

const MAX_CONSOLE: usize = 500;
const MAX_ERRORS: usize = 200;
const MAX_REQUESTS: usize = 500;
/// Longest text kept of one dialog message, so a page cannot fill the node's memory.
const MAX_TEXT: usize = 8 * 1024;
/// Longest text kept of what a page logs (a console message, an error, a request's URL), in
/// UTF-16 units, as the real service keeps it.
const MAX_OBSERVED_UNITS: usize = 2048;

#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleEntry {
    /// `log`, `warning`, `error`, ... as the DevTools protocol names them.
    pub kind: String,
    pub text: String,
    /// Milliseconds since the epoch.
    pub timestamp_ms: f64,
    pub url: Option<String>,
    pub line: Option<i64>,
    pub column: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageErrorEntry {
    pub message: String,
    pub name: Option<String>,
    pub stack: Option<String>,
    pub timestamp_ms: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestEntry {
    /// `r1`, `r2`, ... per tab.
    pub id: String,
    /// The browser's id of the request, to match its answer.
    pub devtools_id: String,
    pub timestamp_ms: f64,
    pub method: String,
    pub url: String,
    pub resource_type: Option<String>,
    pub status: Option<i64>,
    pub ok: Option<bool>,
    pub failure: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct PageLog {
    pub console: VecDeque<ConsoleEntry>,
    pub errors: VecDeque<PageErrorEntry>,
    pub requests: VecDeque<RequestEntry>,
    pub dialogs: Dialogs,
    /// How many requests the tab made, for their ids.
    pub requests_seen: u64,
    /// Who is closing the open dialog, when the node is (`agent` or `armed`).
    pub closing_by: Option<&'static str>,
}

fn push<T>(queue: &mut VecDeque<T>, max: usize, item: T) {
    if queue.len() == max {
        queue.pop_front();
    }
    queue.push_back(item);
}

fn clip(mut text: String) -> String {
    if text.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// `text` cut to [`MAX_OBSERVED_UNITS`] UTF-16 units, never inside a character.
fn observed(text: String) -> String {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > MAX_OBSERVED_UNITS {
            let mut text = text;
            text.truncate(at);
            return text;
        }
    }
    text
}

/// How a console argument reads in the message's text: strings as they are, other values as
/// the browser describes them.
fn arg_text(arg: &RemoteObject) -> String {
    match &arg.value {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) if arg.object_id.is_none() => other.to_string(),
        _ => arg
            .unserializable_value
            .as_ref()
            .map(|v| v.inner().clone())
            .or_else(|| arg.description.clone())
            .unwrap_or_else(|| format!("{:?}", arg.r#type).to_lowercase()),
    }
}

fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or_default()
}

/// Answers the open dialog of `page` for the node.
pub async fn answer_dialog(
    page: &Page,
    answer: &Answer,
) -> Result<(), chromiumoxide::error::CdpError> {
    let mut params = HandleJavaScriptDialogParams::new(answer.accept);
    params.prompt_text = answer.prompt_text.clone();
    page.execute(params).await.map(drop)
}

/// Starts recording `page`; the recording ends with the returned task or the page.
/// `dialog_opened` is told each time a dialog opens that nobody armed an answer for.
pub async fn record(
    page: &Page,
    log: Arc<Mutex<PageLog>>,
    dialog_opened: Arc<Notify>,
) -> Result<JoinHandle<()>, chromiumoxide::error::CdpError> {
    let page = page.clone();
    let mut opening = page
        .event_listener::<EventJavascriptDialogOpening>()
        .await?;
    let mut closing = page.event_listener::<EventJavascriptDialogClosed>().await?;
    let mut console = page.event_listener::<EventConsoleApiCalled>().await?;
    let mut exceptions = page.event_listener::<EventExceptionThrown>().await?;
    let mut sent = page.event_listener::<EventRequestWillBeSent>().await?;
    let mut answered = page.event_listener::<EventResponseReceived>().await?;
    let mut failed = page.event_listener::<EventLoadingFailed>().await?;
    Ok(tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(event) = console.next() => {
                    let text = event.args.iter().map(arg_text).collect::<Vec<_>>().join(" ");
                    let top = event.stack_trace.as_ref().and_then(|s| s.call_frames.first());
                    let entry = ConsoleEntry {
                        kind: event.r#type.as_ref().to_string(),
                        text: observed(text),
                        timestamp_ms: *event.timestamp.inner(),
                        url: top.map(|f| observed(f.url.clone())),
                        line: top.map(|f| f.line_number),
                        column: top.map(|f| f.column_number),
                    };
                    push(&mut log.lock().unwrap().console, MAX_CONSOLE, entry);
                }
                Some(event) = exceptions.next() => {
                    let details = &event.exception_details;
                    let exception = details.exception.as_ref();
                    let stack = exception.and_then(|e| e.description.clone());
                    let message = stack
                        .as_deref()
                        .and_then(|s| s.lines().next())
                        .map(|first| first.split_once(": ").map_or(first, |(_, m)| m).to_string())
                        .unwrap_or_else(|| details.text.clone());
                    let entry = PageErrorEntry {
                        message: observed(message),
                        name: exception.and_then(|e| e.class_name.clone()).map(observed),
                        stack: stack.map(observed),
                        timestamp_ms: *event.timestamp.inner(),
                    };
                    push(&mut log.lock().unwrap().errors, MAX_ERRORS, entry);
                }
                Some(event) = sent.next() => {
                    let mut log = log.lock().unwrap();
                    log.requests_seen += 1;
                    let entry = RequestEntry {
                        id: format!("r{}", log.requests_seen),
                        devtools_id: event.request_id.inner().clone(),
                        timestamp_ms: now_ms(),
                        method: event.request.method.clone(),
                        url: observed(event.request.url.clone()),
                        resource_type: event.r#type.as_ref().map(|t| t.as_ref().to_lowercase()),
                        status: None,
                        ok: None,
                        failure: None,
                    };
                    push(&mut log.requests, MAX_REQUESTS, entry);
                }
                Some(event) = answered.next() => {
                    let mut log = log.lock().unwrap();
                    let id = event.request_id.inner();
                    if let Some(entry) = log.requests.iter_mut().rev().find(|r| &r.devtools_id == id) {
                        entry.status = Some(event.response.status);
                        entry.ok = Some((200..400).contains(&event.response.status));
                    }
                }
                Some(event) = failed.next() => {
                    let mut log = log.lock().unwrap();
                    let id = event.request_id.inner();
                    if let Some(entry) = log.requests.iter_mut().rev().find(|r| &r.devtools_id == id) {
                        entry.ok = Some(false);
                        entry.failure = Some(observed(event.error_text.clone()));
                    }
                }
                Some(event) = opening.next() => {
                    let kind = event.r#type.as_ref().to_string();
                    let armed = log.lock().unwrap().dialogs.opened(
                        kind,
                        clip(event.message.clone()),
                        event.default_prompt.clone(),
                        now_ms(),
                    );
                    match armed {
                        Some(answer) => {
                            log.lock().unwrap().closing_by = Some("armed");
                            if let Err(e) = answer_dialog(&page, &answer).await {
                                tracing::debug!("could not answer an armed dialog: {e}");
                            }
                        }
                        None => dialog_opened.notify_waiters(),
                    }
                }
                Some(_) = closing.next() => {
                    let mut log = log.lock().unwrap();
                    let who = log.closing_by.take().unwrap_or("remote");
                    log.dialogs.closed(who, now_ms());
                }
                else => break,
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_keep_the_newest_and_texts_are_clipped() {
        let mut queue = VecDeque::new();
        for i in 0..MAX_ERRORS + 5 {
            push(&mut queue, MAX_ERRORS, i);
        }
        assert_eq!(queue.len(), MAX_ERRORS);
        assert_eq!(queue.front(), Some(&5));
        let long = "é".repeat(MAX_TEXT);
        let clipped = clip(long);
        assert!(clipped.len() <= MAX_TEXT && clipped.is_char_boundary(clipped.len()));
        // 2048 UTF-16 units, as the real keeps them; a pair is never split.
        assert_eq!(observed("a".repeat(3000)).len(), 2048);
        let pairs = observed(format!("a{}", "😀".repeat(1500)));
        assert_eq!(pairs.encode_utf16().count(), 2047);
        assert_eq!(observed("short".into()), "short");
    }
}
