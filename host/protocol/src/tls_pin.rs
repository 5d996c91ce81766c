//! TLS certificate pins (spec §9): 64 hex digits or 32 colon-separated pairs, optional `sha256:`.

/// Normalizes a pin to 64 lowercase hex digits, or `None` if it is not a SHA-256 pin.
pub fn normalize_fingerprint(pin: &str) -> Option<String> {
    let pin = pin.trim();
    let body = pin
        .strip_prefix("sha256:")
        .or_else(|| pin.strip_prefix("SHA256:"))
        .unwrap_or(pin);
    let hex: String = if body.contains(':') {
        let pairs: Vec<&str> = body.split(':').collect();
        if pairs.len() != 32 || pairs.iter().any(|p| p.len() != 2) {
            return None;
        }
        pairs.concat()
    } else {
        body.to_string()
    };
    (hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_9_pins() {
        let pairs = vec!["AB"; 32].join(":");
        assert_eq!(
            normalize_fingerprint(&format!("sha256:{pairs}")),
            Some("ab".repeat(32))
        );
        assert_eq!(
            normalize_fingerprint(&"aB".repeat(32)),
            Some("ab".repeat(32))
        );
        assert_eq!(normalize_fingerprint("abcd"), None);
        assert_eq!(normalize_fingerprint(&"zz".repeat(32)), None);
    }
}
