//! The three frame kinds on the wire (spec §1). Every frame is closed: unknown fields are refused.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Frame {
    #[serde(rename = "req")]
    Req(RequestFrame),
    #[serde(rename = "res")]
    Res(ResponseFrame),
    #[serde(rename = "event")]
    Event(EventFrame),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestFrame {
    pub id: String,
    pub method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_profile_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFrame {
    pub id: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorShape>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventFrame {
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_version: Option<StateVersion>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct StateVersion {
    pub presence: u64,
    pub health: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorShape {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retryable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

impl Frame {
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("frames always serialize")
    }
}

impl ResponseFrame {
    pub fn ok(id: impl Into<String>, payload: Value) -> Self {
        ResponseFrame {
            id: id.into(),
            ok: true,
            payload: Some(payload),
            error: None,
        }
    }

    pub fn err(id: impl Into<String>, error: ErrorShape) -> Self {
        ResponseFrame {
            id: id.into(),
            ok: false,
            payload: None,
            error: Some(error),
        }
    }
}

impl EventFrame {
    pub fn new(event: impl Into<String>, payload: Value) -> Self {
        EventFrame {
            event: event.into(),
            payload: Some(payload),
            seq: None,
            state_version: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_request_and_refuses_unknown_fields() {
        let f: Frame =
            serde_json::from_str(r#"{"type":"req","id":"1","method":"node.list","params":{}}"#)
                .unwrap();
        assert!(matches!(f, Frame::Req(ref r) if r.method == "node.list"));
        let bad = serde_json::from_str::<Frame>(r#"{"type":"req","id":"1","method":"x","zzz":1}"#);
        assert!(bad.unwrap_err().to_string().contains("zzz"));
    }

    #[test]
    fn response_round_trips() {
        let res = Frame::Res(ResponseFrame::err(
            "7",
            ErrorShape::new(crate::errors::ErrorCode::InvalidRequest, "bad").retryable(false),
        ));
        let text = res.to_text();
        assert_eq!(
            text,
            r#"{"type":"res","id":"7","ok":false,"error":{"code":"INVALID_REQUEST","message":"bad","retryable":false}}"#
        );
        assert_eq!(serde_json::from_str::<Frame>(&text).unwrap(), res);
    }

    #[test]
    fn event_with_seq() {
        let f: Frame =
            serde_json::from_str(r#"{"type":"event","event":"tick","payload":{"ts":1},"seq":3}"#)
                .unwrap();
        assert!(matches!(f, Frame::Event(ref e) if e.seq == Some(3)));
    }
}
