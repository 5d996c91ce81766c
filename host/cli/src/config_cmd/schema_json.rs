//! `openclaw config schema`: a JSON Schema (draft-07) of what this CLI checks, made from
//! schema.rs, in the real's document shape (a root `$schema` string field, `title`).

use serde_json::{json, Value};

use super::schema::{Bounds, Min, Shape, ROOT};

pub fn document() -> Value {
    let mut root = json!({"$schema": "http://json-schema.org/draft-07/schema#"});
    if let Value::Object(body) = of(&ROOT) {
        root.as_object_mut().unwrap().extend(body);
    }
    root["title"] = json!("OpenClawConfig");
    root
}

fn of(shape: &Shape) -> Value {
    use Shape::*;
    match shape {
        Any => json!({}),
        Str => json!({"type": "string"}),
        Url => json!({"type": "string", "format": "uri", "pattern": "^https?://"}),
        Bool => json!({"type": "boolean"}),
        Number(bounds) => number(bounds),
        Strings => json!({"type": "array", "items": {"type": "string"}}),
        List(inner) => json!({"type": "array", "items": of(inner)}),
        OneOf(options) => json!({"type": "string", "enum": options}),
        Literals(options) => json!({"anyOf": options
            .iter()
            .map(|o| json!({"type": "string", "const": o}))
            .collect::<Vec<_>>()}),
        Secret => json!({"anyOf": [{"type": "string"}, secret_ref()]}),
        Scalar => json!({"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}),
        Either(a, b) => json!({"anyOf": [of(a), of(b)]}),
        Rule(inner, _) => of(inner),
        Object(fields) | Open(fields) => {
            let properties: serde_json::Map<String, Value> = fields
                .iter()
                .map(|(name, inner)| (name.to_string(), of(inner)))
                .collect();
            let mut v = json!({"type": "object", "properties": properties});
            if matches!(shape, Object(_)) {
                v["additionalProperties"] = json!(false);
            }
            v
        }
        Map(inner) => json!({"type": "object", "additionalProperties": of(inner)}),
        Record(key, inner) => json!({
            "type": "object",
            "propertyNames": {"type": "string", "pattern": key.pattern},
            "additionalProperties": of(inner),
        }),
    }
}

fn number(bounds: &Bounds) -> Value {
    let mut v = json!({"type": if bounds.int { "integer" } else { "number" }});
    match bounds.min {
        Min::None => {}
        Min::AtLeast(m) => v["minimum"] = json!(m),
        Min::Above(m) => v["exclusiveMinimum"] = json!(m),
    }
    if let Some(m) = bounds.max {
        v["maximum"] = json!(m);
    }
    v
}

fn secret_ref() -> Value {
    let provider = json!({"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,63}$"});
    let env_id = json!({"type": "string", "pattern": "^[A-Z][A-Z0-9_]{0,127}$"});
    let variant = |source: &str, id: &Value| {
        json!({
            "type": "object",
            "properties": {"source": {"type": "string", "const": source}, "provider": provider, "id": id},
            "required": ["source", "provider", "id"],
            "additionalProperties": false,
        })
    };
    let any_id = json!({"type": "string"});
    json!({"oneOf": [
        variant("env", &env_id),
        variant("file", &any_id),
        variant("exec", &any_id),
        variant("store", &env_id),
    ]})
}
