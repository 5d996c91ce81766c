//! A tool's result made fit to answer, as the real node host bounds it: at most 1 MiB of text
//! and 20 MiB in all, a text block that only repeats the structured content dropped, and a
//! marker wherever something was cut.

use serde_json::{json, Map, Value};

const MAX_TEXT_BYTES: usize = 1 << 20;
const MAX_PAYLOAD_BYTES: usize = 20 << 20;
const TEXT_MARKER: &str = "[truncated: MCP text content exceeded 1 MB]";
const PAYLOAD_MARKER: &str = "[truncated: MCP result exceeded 20 MB]";

/// `{content, structuredContent?, isError?}` from a `tools/call` result.
pub fn bound(result: &Value) -> Value {
    let marker_block = json!({"type": "text", "text": PAYLOAD_MARKER});
    let reserve = marker_block.to_string().len() + 64;
    let mut used = reserve;
    let mut truncated = false;
    let mut payload = Map::new();
    let structured = result.get("structuredContent").filter(|v| !v.is_null());
    let mut repeated = None;
    if let Some(structured) = structured {
        let size = structured.to_string().len();
        if used + size <= MAX_PAYLOAD_BYTES {
            used += size;
            payload.insert("structuredContent".into(), structured.clone());
            repeated = serde_json::to_string_pretty(structured).ok();
        } else {
            truncated = true;
        }
    }
    let mut content = Vec::new();
    let (mut text_bytes, mut text_cut) = (0, false);
    let blocks = result["content"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for block in blocks.iter().filter(|b| b.is_object()) {
        let mut block = block.clone();
        if block["type"] == "text" {
            let text = block["text"].as_str().unwrap_or_default().to_string();
            if repeated.as_deref() == Some(text.as_str()) || text_cut {
                continue;
            }
            if text_bytes + text.len() > MAX_TEXT_BYTES {
                let room = MAX_TEXT_BYTES.saturating_sub(text_bytes + TEXT_MARKER.len() + 1);
                text_cut = true;
                if room == 0 {
                    continue;
                }
                block["text"] = json!(format!("{}\n{TEXT_MARKER}", prefix(&text, room)));
            }
            text_bytes += text.len();
        }
        let size = block.to_string().len();
        if used + size > MAX_PAYLOAD_BYTES {
            truncated = true;
            continue;
        }
        used += size;
        content.push(block);
    }
    // A cut that fell between blocks still says so.
    if text_cut
        && !content
            .iter()
            .any(|b| b["text"].as_str().is_some_and(|t| t.ends_with(TEXT_MARKER)))
    {
        content.push(json!({"type": "text", "text": TEXT_MARKER}));
    }
    if truncated {
        content.push(marker_block);
    }
    let mut out = Map::new();
    out.insert("content".into(), Value::Array(content));
    out.extend(payload);
    if result["isError"] == true {
        out.insert("isError".into(), json!(true));
    }
    Value::Object(out)
}

/// The longest prefix of `s` at most `max` bytes that ends on a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_at_one_mebibyte_and_later_text_dropped() {
        let big = "é".repeat(700_000);
        let result = json!({"content": [
            {"type": "text", "text": big},
            {"type": "text", "text": "later"},
            {"type": "image", "data": "aGk=", "mimeType": "image/png"},
            "not an object",
        ], "isError": false});
        let out = bound(&result);
        let content = out["content"].as_array().unwrap();
        assert_eq!(content.len(), 2);
        let text = content[0]["text"].as_str().unwrap();
        assert!(text.ends_with(TEXT_MARKER));
        assert!(text.len() <= MAX_TEXT_BYTES);
        assert_eq!(content[1]["type"], "image");
        assert!(out.get("isError").is_none());
    }

    #[test]
    fn structured_content_comes_first_and_its_repeat_is_dropped() {
        let result = json!({
            "content": [{"type": "text", "text": "{\n  \"result\": 3\n}"}, {"type": "text", "text": "3"}],
            "structuredContent": {"result": 3},
            "isError": true,
        });
        let out = bound(&result);
        assert_eq!(
            out,
            json!({"content": [{"type": "text", "text": "3"}], "structuredContent": {"result": 3}, "isError": true})
        );
    }

    #[test]
    fn a_result_over_twenty_mebibytes_keeps_what_fits_and_says_so() {
        let image = json!({"type": "image", "data": "A".repeat(8 << 20), "mimeType": "image/png"});
        let result = json!({"content": [image, image, image]});
        let out = bound(&result);
        let content = out["content"].as_array().unwrap();
        assert_eq!(content.len(), 3);
        assert_eq!(content[2]["text"], PAYLOAD_MARKER);
        assert!(out.to_string().len() <= MAX_PAYLOAD_BYTES);
    }
}
