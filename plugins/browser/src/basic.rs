//! `GET /`, `POST /start`, `POST /stop`, `GET /profiles`: the browser's state and life, in
//! the real service's shapes. The one profile is `openclaw`, driven over a pipe, so there is
//! no DevTools port or URL to report.

use openclaw_plugin_sdk::browser_tabs;
use serde_json::{json, Value};

use crate::graphics;
use crate::profile::{COLOR, PROFILE};
use crate::route::{Answer, Request, RouteError};
use crate::tabs;

pub fn status(_req: &Request) -> Answer {
    let s = browser_tabs::status();
    Ok(json!({
        "enabled": true,
        "profile": PROFILE,
        "driver": "openclaw",
        "transport": "cdp",
        "running": s.running,
        "cdpReady": s.running,
        "cdpHttp": false,
        "pageReady": s.running,
        "pid": s.pid,
        "cdpPort": Value::Null,
        "cdpUrl": Value::Null,
        "chosenBrowser": s.chosen_browser,
        "detectedBrowser": s.detected_browser,
        "detectedExecutablePath": s.detected_executable_path,
        "detectError": s.detect_error,
        "userDataDir": s.user_data_dir,
        "color": COLOR,
        "headless": s.headless,
        "headlessSource": s.headless_source,
        "noSandbox": s.no_sandbox,
        "executablePath": s.executable_path,
        "attachOnly": false,
        "graphics": if s.running { graphics::of_running_browser() } else { Value::Null },
    }))
}

pub fn start(req: &Request) -> Answer {
    let headless = match req.query_str("headless") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            return Err(RouteError::new(
                400,
                "Invalid headless value. Use \"true\" or \"false\".",
            ))
        }
    };
    browser_tabs::start(headless).map_err(|f| RouteError::new(500, f.message))?;
    Ok(json!({"ok": true, "profile": PROFILE}))
}

pub fn stop(_req: &Request) -> Answer {
    let stopped = browser_tabs::stop();
    Ok(json!({"ok": true, "stopped": stopped, "profile": PROFILE}))
}

pub fn profiles(_req: &Request) -> Answer {
    let running = browser_tabs::status().running;
    let tab_count = if running { tabs::listed()?.len() } else { 0 };
    Ok(json!({"profiles": [{
        "name": PROFILE,
        "transport": "cdp",
        "cdpPort": Value::Null,
        "cdpUrl": Value::Null,
        "color": COLOR,
        "driver": "openclaw",
        "running": running,
        "tabCount": tab_count,
        "isDefault": true,
        "isRemote": false,
        "reconcileReason": Value::Null,
    }]}))
}
