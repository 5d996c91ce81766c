//! `POST /screenshot` and `POST /pdf`: images and documents of a tab, kept with the node's
//! browser media and sent back inline. A screenshot larger than 2000 px a side or 5 MiB is
//! taken again as a scaled JPEG until it fits, as the real service shrinks one.

use serde_json::{json, Value};

use crate::act::{find_element, normalize, Element};
use crate::files::{self, unbase64};
use crate::page::Page;
use crate::route::{Answer, Request, RouteError};
use crate::target;

const MAX_SIDE: f64 = 2000.0;
const MAX_BYTES: usize = 5 * 1024 * 1024;
const SIDES: &[f64] = &[2000.0, 1800.0, 1600.0, 1400.0, 1200.0, 1000.0, 800.0];
const QUALITIES: &[u32] = &[85, 75, 65, 55, 45, 35];

fn body_flag(req: &Request, key: &str) -> bool {
    normalize::boolean(req.body.get(key)).unwrap_or(false)
}

fn timeout(req: &Request) -> Result<u32, RouteError> {
    let body = req.body.as_object().cloned().unwrap_or_default();
    let ms = normalize::timeout_ms(&body).map_err(|e| RouteError::new(400, e))?;
    Ok(ms.unwrap_or(20_000).min(120_000) as u32)
}

/// The area to capture, in page coordinates: `{x, y, width, height}`.
const ELEMENT_AREA: &str = "function() {
  this.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
  const r = this.getBoundingClientRect();
  return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
}";

fn capture(
    page: &Page,
    area: &Value,
    scale: f64,
    format: &str,
    quality: Option<u32>,
    ms: u32,
) -> Result<Vec<u8>, RouteError> {
    let mut params = json!({
        "format": format,
        "captureBeyondViewport": true,
        "clip": {"x": area["x"], "y": area["y"], "width": area["width"], "height": area["height"], "scale": scale},
    });
    if let Some(q) = quality {
        params["quality"] = json!(q);
    }
    let shot = page.send_within("Page.captureScreenshot", params, ms)?;
    unbase64(shot["data"].as_str().unwrap_or_default())
        .ok_or_else(|| RouteError::new(500, "the browser sent an unreadable image"))
}

pub fn screenshot(req: &Request) -> Answer {
    let full_page = body_flag(req, "fullPage");
    let reference = req.body_str("ref");
    let selector = req.body_str("element");
    let ms = timeout(req)?;
    if full_page && (reference.is_some() || selector.is_some()) {
        return Err(RouteError::new(
            400,
            "fullPage is not supported for element screenshots",
        ));
    }
    let jpeg = req.body_str("type") == Some("jpeg");
    let tab = target::resolve(req.body_str("targetId"))?;
    let page = Page::new(&tab.target_id);
    // A background tab paints no frames, so it could not be captured.
    page.send("Page.bringToFront", json!({}))?;
    let element = reference
        .map(|r| Element::Ref(r.to_string()))
        .or_else(|| selector.map(|s| Element::Selector(s.to_string())));
    let area = match element {
        Some(element) => {
            let found = find_element(&page, &element)?;
            crate::act::call_on(&page, &found, ELEMENT_AREA)?
        }
        None => {
            let metrics = page.send("Page.getLayoutMetrics", json!({}))?;
            if full_page {
                let size = &metrics["cssContentSize"];
                json!({"x": 0, "y": 0, "width": size["width"], "height": size["height"]})
            } else {
                let view = &metrics["cssLayoutViewport"];
                json!({"x": view["pageX"], "y": view["pageY"], "width": view["clientWidth"], "height": view["clientHeight"]})
            }
        }
    };
    let width = area["width"].as_f64().unwrap_or(0.0);
    let height = area["height"].as_f64().unwrap_or(0.0);
    if width < 1.0 || height < 1.0 {
        return Err(RouteError::new(
            500,
            "Error: nothing to capture: the area is empty",
        ));
    }
    let format = if jpeg { "jpeg" } else { "png" };
    let mut bytes = capture(&page, &area, 1.0, format, None, ms)?;
    let mut jpeg_out = jpeg;
    let longest = width.max(height);
    if bytes.len() > MAX_BYTES || longest > MAX_SIDE {
        let mut fitted = None;
        'sides: for side in SIDES.iter().filter(|&&s| s <= longest.min(MAX_SIDE)) {
            for &quality in QUALITIES {
                let shot = capture(&page, &area, side / longest, "jpeg", Some(quality), ms)?;
                if shot.len() <= MAX_BYTES {
                    fitted = Some(shot);
                    break 'sides;
                }
            }
        }
        bytes = fitted.ok_or_else(|| {
            RouteError::new(
                500,
                format!(
                    "Error: Browser screenshot could not be reduced below 5MB (got {:.2}MB)",
                    bytes.len() as f64 / 1024.0 / 1024.0
                ),
            )
        })?;
        jpeg_out = true;
    }
    let (ext, mime) = if jpeg_out {
        ("jpg", "image/jpeg")
    } else {
        ("png", "image/png")
    };
    let path = files::save(ext, mime, &bytes)?;
    Ok(json!({"ok": true, "path": path, "targetId": tab.target_id, "url": tab.url}))
}

pub fn pdf(req: &Request) -> Answer {
    let tab = target::resolve(req.body_str("targetId"))?;
    let page = Page::new(&tab.target_id);
    let printed = page.send_within("Page.printToPDF", json!({"printBackground": true}), 60_000)?;
    let bytes = unbase64(printed["data"].as_str().unwrap_or_default())
        .ok_or_else(|| RouteError::new(500, "the browser sent an unreadable PDF"))?;
    let path = files::save("pdf", "application/pdf", &bytes)?;
    Ok(json!({"ok": true, "path": path, "targetId": tab.target_id, "url": tab.url}))
}
