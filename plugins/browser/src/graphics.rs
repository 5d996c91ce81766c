//! `GET /`'s `graphics`: what the running browser says of its GPU (`SystemInfo.getInfo`), in
//! the real service's shape: the renderer, the devices, each feature's status, the disabled
//! ones, and whether drawing is done in software.

use openclaw_plugin_sdk::browser_tabs;
use serde_json::{json, Map, Value};

use crate::browser_state::now_ms;

/// Names under which Chromium reports a value, the first present wins.
fn first(attributes: &Map<String, Value>, names: &[&str]) -> Value {
    names
        .iter()
        .filter_map(|n| attributes.get(*n)?.as_str())
        .map(str::trim)
        .find(|v| !v.is_empty())
        .map_or(Value::Null, |v| json!(v))
}

/// String entries only, sorted by key.
fn strings(value: &Value) -> Map<String, Value> {
    let mut entries: Vec<(String, Value)> = value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| v.is_string())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.into_iter().collect()
}

fn text(value: &Value) -> Value {
    json!(value.as_str().map(str::trim).unwrap_or(""))
}

fn number(value: &Value) -> Value {
    json!(value.as_f64().filter(|n| n.is_finite()).unwrap_or(0.0))
}

fn size(value: &Value) -> Value {
    json!({"width": number(&value["width"]), "height": number(&value["height"])})
}

fn records(value: &Value) -> impl Iterator<Item = &Value> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v.is_object())
}

fn acceleration(
    renderer: &Value,
    devices: &[Value],
    features: &Map<String, Value>,
) -> &'static str {
    let device_text: Vec<&str> = devices
        .iter()
        .flat_map(|d| ["vendor", "device", "driverVendor"].map(|k| d[k].as_str().unwrap_or("")))
        .collect();
    let description = format!(
        "{} {}",
        renderer.as_str().unwrap_or(""),
        device_text.join(" ")
    )
    .to_lowercase();
    const SOFTWARE: [&str; 8] = [
        "swiftshader",
        "swangle",
        "llvmpipe",
        "softpipe",
        "software rasterizer",
        "swrast",
        "microsoft basic render driver",
        "d3d11-warp",
    ];
    let disabled_word = description
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| w == "disabled");
    if SOFTWARE.iter().any(|s| description.contains(s)) || disabled_word {
        return "software";
    }
    if !description.trim().is_empty() {
        return "hardware";
    }
    let software = ["2d_canvas", "gpu_compositing", "rasterization", "webgl"]
        .iter()
        .filter_map(|f| features.get(*f)?.as_str())
        .any(|s| s.to_lowercase().contains("software"));
    if software {
        "software"
    } else {
        "unknown"
    }
}

/// The real's `normalizeChromeGraphicsInfo`.
fn normalize(info: &Value, observed_at: f64) -> Value {
    let gpu = &info["gpu"];
    if !gpu.is_object() {
        return json!({"status": "unavailable", "observedAt": observed_at,
            "reason": "SystemInfo.getInfo returned no GPU information"});
    }
    let attributes = strings(&gpu["auxAttributes"]);
    let features = strings(&gpu["featureStatus"]);
    let devices: Vec<Value> = records(&gpu["devices"])
        .map(|d| {
            json!({
                "vendorId": number(&d["vendorId"]),
                "deviceId": number(&d["deviceId"]),
                "vendor": text(&d["vendorString"]),
                "device": text(&d["deviceString"]),
                "driverVendor": text(&d["driverVendor"]),
                "driverVersion": text(&d["driverVersion"]),
            })
        })
        .collect();
    let renderer = first(
        &attributes,
        &["glRenderer", "angleRenderer", "webglRenderer"],
    );
    let disabled: Vec<Value> = features
        .iter()
        .filter(|(_, s)| {
            !s.as_str()
                .unwrap_or("")
                .to_lowercase()
                .starts_with("enabled")
        })
        .map(|(f, s)| json!({"feature": f, "status": s}))
        .collect();
    let workarounds: Vec<&Value> = gpu["driverBugWorkarounds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|w| w.is_string())
        .collect();
    let decoding: Vec<Value> = records(&gpu["videoDecoding"])
        .map(|c| {
            json!({"profile": text(&c["profile"]), "minResolution": size(&c["minResolution"]),
                "maxResolution": size(&c["maxResolution"])})
        })
        .collect();
    let encoding: Vec<Value> = records(&gpu["videoEncoding"])
        .map(|c| {
            json!({"profile": text(&c["profile"]), "maxResolution": size(&c["maxResolution"]),
                "maxFramerateNumerator": number(&c["maxFramerateNumerator"]),
                "maxFramerateDenominator": number(&c["maxFramerateDenominator"])})
        })
        .collect();
    json!({
        "status": "available",
        "observedAt": observed_at,
        "acceleration": acceleration(&renderer, &devices, &features),
        "renderer": renderer,
        "vendor": first(&attributes, &["glVendor", "angleVendor", "webglVendor"]),
        "version": first(&attributes, &["glVersion", "angleVersion"]),
        "backend": first(&attributes, &["glImplementationParts", "displayType"]),
        "devices": devices,
        "featureStatus": features,
        "disabledFeatures": disabled,
        "driverBugWorkarounds": workarounds,
        "videoDecoding": decoding,
        "videoEncoding": encoding,
    })
}

/// The running browser's graphics, or why they cannot be told.
pub fn of_running_browser() -> Value {
    match browser_tabs::system_info() {
        Ok(report) => match serde_json::from_str::<Value>(&report.info_json) {
            Ok(info) => normalize(&info, report.observed_at_ms),
            Err(e) => {
                json!({"status": "unavailable", "observedAt": now_ms(), "reason": e.to_string()})
            }
        },
        Err(f) => json!({"status": "unavailable", "observedAt": now_ms(), "reason": f.message}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_software_renderer_reads_as_the_real_reads_it() {
        let info = json!({"gpu": {
            "auxAttributes": {"glRenderer": "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))", "glVendor": "Google Inc. (Google)", "displayType": "x", "n": 1},
            "featureStatus": {"webgl": "unavailable_software", "2d_canvas": "enabled", "vulkan": "disabled_off"},
            "devices": [{"vendorId": 65535, "deviceId": 65535, "vendorString": "Google Inc. (Google)", "deviceString": "SwiftShader", "driverVendor": "SwANGLE", "driverVersion": "5.0.0"}],
            "driverBugWorkarounds": ["a", 3],
            "videoDecoding": [], "videoEncoding": [],
        }});
        let g = normalize(&info, 5.0);
        assert_eq!(g["acceleration"], "software");
        assert_eq!(g["backend"], "x");
        assert_eq!(g["version"], Value::Null);
        assert_eq!(
            serde_json::to_string(&g["featureStatus"]).unwrap(),
            r#"{"2d_canvas":"enabled","vulkan":"disabled_off","webgl":"unavailable_software"}"#
        );
        assert_eq!(
            g["disabledFeatures"],
            json!([{"feature": "vulkan", "status": "disabled_off"}, {"feature": "webgl", "status": "unavailable_software"}])
        );
        assert_eq!(g["driverBugWorkarounds"], json!(["a"]));
        assert_eq!(g["devices"][0]["driverVersion"], "5.0.0");
        assert_eq!(normalize(&json!({}), 1.0)["status"], "unavailable");
        let hardware = json!({"gpu": {"auxAttributes": {"glRenderer": "Mesa Intel(R) UHD"}}});
        assert_eq!(normalize(&hardware, 1.0)["acceleration"], "hardware");
    }
}
