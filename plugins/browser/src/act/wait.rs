//! `wait`: each condition given, in the real's order (time, text, text gone, selector, URL,
//! load state, function), polled until it holds or its time is up. Polling from here rather
//! than inside the page keeps a wait alive across a navigation.

use std::time::{Duration, Instant};

use serde_json::json;

use super::normalize::Wait;
use crate::page::Page;
use crate::route::RouteError;

const POLL: Duration = Duration::from_millis(100);

fn timed_out(message: String) -> RouteError {
    RouteError::new(500, message)
}

/// Polls `check` (a page expression) until it is `true`.
fn until(
    page: &Page,
    check: &str,
    ms: u64,
    message: impl Fn() -> String,
) -> Result<(), RouteError> {
    let deadline = Instant::now() + Duration::from_millis(ms);
    loop {
        // A page between documents cannot answer; the next poll asks the new one.
        if page.evaluate(check, 5_000).ok() == Some(json!(true)) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(timed_out(message()));
        }
        std::thread::sleep(POLL);
    }
}

fn text_check(text: &str, present: bool) -> String {
    let needle = json!(text.to_lowercase());
    let found = format!(
        "(document.body ? document.body.innerText : '').replace(/\\s+/g, ' ').toLowerCase().includes({needle})"
    );
    if present {
        format!("({found})")
    } else {
        format!("!({found})")
    }
}

fn locator_timeout(ms: u64, what: &str, state: &str) -> String {
    format!("TimeoutError: locator.waitFor: Timeout {ms}ms exceeded.\nCall log:\n  - waiting for {what} to be {state}\n")
}

/// Playwright's URL glob: `**` any text, `*` any text but `/`, `?` one character but `/`,
/// `{a,b}` either.
pub fn glob_matches(glob: &str, url: &str) -> bool {
    fn matches(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') if p.get(1) == Some(&'*') => (0..=s.len()).any(|i| matches(&p[2..], &s[i..])),
            Some('*') => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != '/')
                .any(|i| matches(&p[1..], &s[i..])),
            Some('?') => s.first().is_some_and(|&c| c != '/') && matches(&p[1..], &s[1..]),
            Some('{') => {
                let Some(end) = p.iter().position(|&c| c == '}') else {
                    return s.first() == Some(&'{') && matches(&p[1..], &s[1..]);
                };
                let inner: String = p[1..end].iter().collect();
                inner.split(',').any(|alt| {
                    let mut rest: Vec<char> = alt.chars().collect();
                    rest.extend_from_slice(&p[end + 1..]);
                    matches(&rest, s)
                })
            }
            Some(&c) => s.first() == Some(&c) && matches(&p[1..], &s[1..]),
        }
    }
    let p: Vec<char> = glob.chars().collect();
    let s: Vec<char> = url.chars().collect();
    glob == url || matches(&p, &s)
}

fn url_now(page: &Page) -> Option<String> {
    let state = page
        .evaluate("[location.href, document.readyState]", 5_000)
        .ok()?;
    (state[1] == "complete").then(|| state[0].as_str().unwrap_or_default().to_string())
}

pub fn run(page: &Page, wait: &Wait, timeout_ms: u64) -> Result<(), RouteError> {
    let ms = timeout_ms.clamp(500, 120_000);
    if let Some(t) = wait.time_ms {
        std::thread::sleep(Duration::from_millis(t));
    }
    if let Some(text) = &wait.text {
        let what = format!("getByText({}).first()", single_quoted(text));
        until(page, &text_check(text, true), ms, || {
            locator_timeout(ms, &what, "visible")
        })?;
    }
    if let Some(text) = &wait.text_gone {
        let what = format!("getByText({}).first()", single_quoted(text));
        until(page, &text_check(text, false), ms, || {
            locator_timeout(ms, &what, "hidden")
        })?;
    }
    if let Some(selector) = &wait.selector {
        let check = format!(
            "(() => {{ const el = document.querySelector({}); if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; }})()",
            json!(selector)
        );
        let what = format!("locator({}).first()", single_quoted(selector));
        until(page, &check, ms, || locator_timeout(ms, &what, "visible"))?;
    }
    if let Some(pattern) = &wait.url {
        let deadline = Instant::now() + Duration::from_millis(ms);
        loop {
            if url_now(page).is_some_and(|url| glob_matches(pattern, &url)) {
                break;
            }
            if Instant::now() >= deadline {
                let rule = "=".repeat(27);
                return Err(timed_out(format!(
                    "TimeoutError: page.waitForURL: Timeout {ms}ms exceeded.\n{rule} logs {rule}\nwaiting for navigation to \"{pattern}\" until \"load\"\n{}",
                    "=".repeat(60)
                )));
            }
            std::thread::sleep(POLL);
        }
    }
    if let Some(state) = &wait.load_state {
        let check = match state.as_str() {
            "domcontentloaded" => "document.readyState !== 'loading'",
            _ => "document.readyState === 'complete'",
        };
        until(page, check, ms, || {
            format!("TimeoutError: page.waitForLoadState: Timeout {ms}ms exceeded.")
        })?;
    }
    if let Some(function) = &wait.function {
        let check = format!(
            "(() => {{ const __value = ({function}\n); return Boolean(typeof __value === 'function' ? __value() : __value); }})()"
        );
        until(page, &check, ms, || {
            format!("TimeoutError: page.waitForFunction: Timeout {ms}ms exceeded.")
        })?;
    }
    Ok(())
}

fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_globs_read_as_playwright_reads_them() {
        assert!(glob_matches("**/two.html", "http://127.0.0.1:5/two.html"));
        assert!(!glob_matches(
            "**/never.html",
            "http://127.0.0.1:5/two.html"
        ));
        assert!(glob_matches("http://*/two.html", "http://host/two.html"));
        assert!(!glob_matches("http://*/two.html", "http://host/a/two.html"));
        assert!(glob_matches("**/{one,two}.html", "http://h/two.html"));
        assert!(glob_matches("http://h/x", "http://h/x"));
    }
}
