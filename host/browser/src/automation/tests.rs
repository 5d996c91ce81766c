use super::*;

fn options(dir: &std::path::Path) -> AutomationOptions {
    AutomationOptions {
        executable: None,
        user_data_dir: dir.join("browser/openclaw/user-data"),
        headless: Some(true),
        files: CanvasFiles {
            root: dir.join("canvas"),
            private: Vec::new(),
        },
        control_url: None,
        media_dir: dir.join("media/browser"),
        downloads_dir: dir.join("browser/downloads"),
        uploads: openclaw_files::upload_paths::UploadRoots::in_state_dir(dir),
    }
}

#[tokio::test]
async fn tabs_are_named_and_the_profile_outlives_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let browser = AutomationBrowser::new(options(dir.path()));
    assert_eq!(browser.tabs().await.unwrap(), None, "stopped: no tabs");
    assert!(!browser.status().await.running);
    browser.start(None).await.unwrap();
    let status = browser.status().await;
    assert!(status.running && status.pid.is_some(), "{status:?}");
    assert_eq!((status.headless, status.headless_source), (true, "config"));
    use std::os::unix::fs::PermissionsExt;
    let profile = dir.path().join("browser/openclaw/user-data");
    let mode = std::fs::metadata(&profile).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    browser.start(Some(false)).await.unwrap();
    assert!(
        browser.status().await.headless,
        "a running browser is left as it is"
    );

    let first = browser
        .open("data:text/html,<title>one</title>", None)
        .await
        .unwrap();
    let second = browser
        .open("data:text/html,<title>two</title>", Some("work"))
        .await
        .unwrap();
    assert_eq!(first.alias.tab_id, "t1");
    assert_eq!(second.alias.suggested(), "work");
    let tabs = browser.tabs().await.unwrap().unwrap();
    let ids: Vec<&str> = tabs.iter().map(|t| t.alias.tab_id.as_str()).collect();
    assert!(ids.contains(&"t1") && ids.contains(&"t2"), "{tabs:?}");
    assert!(tabs.iter().all(|t| !t.url.starts_with("chrome://")));
    browser.activate(&first.target_id).await.unwrap();
    browser.close(&first.target_id).await.unwrap();

    assert!(browser.stop().await);
    assert!(!browser.stop().await);
    assert!(profile.join("Default").is_dir(), "the profile stays");
    // The counter outlives a restart of the browser.
    browser.start(None).await.unwrap();
    let third = browser.open("data:text/html,3", None).await.unwrap();
    assert_eq!(third.alias.tab_id, "t3");
    browser.stop().await;
}

/// A plugin drives tabs through `send`, and nothing it sends reaches past the page: commands
/// off the list, the browser's own pages, files outside the canvas root, and an isolated
/// world with universal access are refused before Chromium sees them.
#[tokio::test]
async fn what_a_plugin_sends_stays_inside_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let browser = AutomationBrowser::new(options(dir.path()));
    browser.start(None).await.unwrap();
    let tab = browser
        .open("data:text/html,<title>t</title><input type=file>", None)
        .await
        .unwrap();
    let send = |method: &'static str, params: serde_json::Value| {
        let browser = &browser;
        let target = tab.target_id.clone();
        async move {
            browser
                .send(&target, method, params, std::time::Duration::from_secs(5))
                .await
        }
    };
    let title = send(
        "Runtime.evaluate",
        serde_json::json!({"expression": "document.title", "returnByValue": true}),
    )
    .await
    .unwrap();
    assert_eq!(title["result"]["value"], "t");
    let refused = [
        (
            "DOM.setFileInputFiles",
            serde_json::json!({"files": ["/etc/passwd"], "backendNodeId": 1}),
        ),
        (
            "Browser.setDownloadBehavior",
            serde_json::json!({"behavior": "allow", "downloadPath": "/tmp"}),
        ),
        (
            "Target.createTarget",
            serde_json::json!({"url": "chrome://settings"}),
        ),
        (
            "Page.navigate",
            serde_json::json!({"url": "chrome://settings"}),
        ),
        (
            "Page.navigate",
            serde_json::json!({"url": "file:///etc/passwd"}),
        ),
        (
            "Page.createIsolatedWorld",
            serde_json::json!({"frameId": tab.target_id, "grantUniveralAccess": true}),
        ),
    ];
    for (method, params) in refused {
        let e = send(method, params.clone()).await.unwrap_err();
        assert_eq!(
            e.code,
            openclaw_protocol::errors::ErrorCode::InvalidRequest,
            "{method} {params}: {e}"
        );
    }
    let href = send(
        "Runtime.evaluate",
        serde_json::json!({"expression": "location.href", "returnByValue": true}),
    )
    .await
    .unwrap();
    assert!(
        href["result"]["value"]
            .as_str()
            .unwrap()
            .starts_with("data:"),
        "the page never moved"
    );
    let world = send(
        "Page.createIsolatedWorld",
        serde_json::json!({"frameId": tab.target_id, "worldName": "w"}),
    )
    .await
    .unwrap();
    let again = send(
        "Page.createIsolatedWorld",
        serde_json::json!({"frameId": tab.target_id, "worldName": "w"}),
    )
    .await
    .unwrap();
    assert_eq!(
        world["executionContextId"], again["executionContextId"],
        "one world per name"
    );
    let missing = browser
        .send(
            "NOPE",
            "Runtime.evaluate",
            serde_json::json!({}),
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap_err();
    assert!(missing.message.contains("tab not found"), "{missing}");
    // The browser's own new-tab page, which it opened at start, is not a tab to drive.
    let chromium = browser.browser().await.unwrap();
    let own = chromium
        .execute(chromiumoxide::cdp::browser_protocol::target::GetTargetsParams::default())
        .await
        .unwrap()
        .result
        .target_infos
        .into_iter()
        .find(|t| t.r#type == "page" && t.url.starts_with("chrome://"))
        .expect("the start page");
    let refused = browser
        .send(
            own.target_id.inner(),
            "Runtime.evaluate",
            serde_json::json!({"expression": "chrome.send", "returnByValue": true}),
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap_err();
    assert!(refused.message.contains("tab not found"), "{refused}");
    browser.stop().await;
}

/// Clicks the page's `#dl` link as a user would (a trusted click, with its user activation).
async fn click_link(browser: &AutomationBrowser, target: &str) {
    let at = browser
        .send(
            target,
            "Runtime.evaluate",
            serde_json::json!({"expression": "(() => { const r = document.getElementById('dl').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()", "returnByValue": true}),
            std::time::Duration::from_secs(5),
        )
        .await
        .unwrap();
    let (x, y) = (
        at["result"]["value"][0].clone(),
        at["result"]["value"][1].clone(),
    );
    for kind in ["mousePressed", "mouseReleased"] {
        browser
            .send(
                target,
                "Input.dispatchMouseEvent",
                serde_json::json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
                std::time::Duration::from_secs(5),
            )
            .await
            .unwrap();
    }
}

/// A download lands where the node says, under the name it makes: the action watching for it
/// gets it; one nobody asked for is removed once it is saved, and nothing half-named stays.
#[tokio::test]
async fn only_downloads_someone_asked_for_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let browser = AutomationBrowser::new(options(dir.path()));
    browser.start(None).await.unwrap();
    let page = "data:text/html,<a id=dl download=../../x.txt href='data:text/plain,hello'>get</a>";
    let tab = browser.open(page, None).await.unwrap();
    let downloads = dir.path().join("browser/downloads");
    let kept = || {
        let mut names: Vec<String> = std::fs::read_dir(&downloads)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };

    let watch = browser.watch_downloads(&tab.target_id).await.unwrap();
    click_link(&browser, &tab.target_id).await;
    let got = browser.collect_downloads(watch, true).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let name = got[0]
        .path
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(name.ends_with("x.txt") && !name.contains('/'), "{name}");
    assert_eq!(got[0].path.parent().unwrap(), downloads);
    assert_eq!(got[0].content.as_deref(), Some(&b"hello"[..]));
    assert_eq!(kept(), [".incoming".to_string(), name.clone()]);

    // The same click with nobody watching: saved by Chromium, then removed.
    click_link(&browser, &tab.target_id).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(kept(), [".incoming".to_string(), name]);
    assert_eq!(
        std::fs::read_dir(downloads.join(".incoming"))
            .unwrap()
            .count(),
        0
    );
    browser.stop().await;
}
