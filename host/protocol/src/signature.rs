//! The exact text a device signs in `connect` (spec §2.4).

/// Fields of the signed payload, in wire order.
#[derive(Debug, Clone, Copy)]
pub struct SignedFields<'a> {
    pub device_id: &'a str,
    pub client_id: &'a str,
    pub client_mode: &'a str,
    pub role: &'a str,
    pub scopes: &'a [String],
    pub signed_at_ms: u64,
    pub token: &'a str,
    pub nonce: &'a str,
    pub platform: Option<&'a str>,
    pub device_family: Option<&'a str>,
}

/// `v2|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce`
pub fn payload_v2(f: &SignedFields) -> String {
    format!(
        "v2|{}|{}|{}|{}|{}|{}|{}|{}",
        f.device_id,
        f.client_id,
        f.client_mode,
        f.role,
        f.scopes.join(","),
        f.signed_at_ms,
        f.token,
        f.nonce
    )
}

/// `v3|…|nonce|platform|deviceFamily`, the metadata normalized as the reference client does.
pub fn payload_v3(f: &SignedFields) -> String {
    format!(
        "v3|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
        f.device_id,
        f.client_id,
        f.client_mode,
        f.role,
        f.scopes.join(","),
        f.signed_at_ms,
        f.token,
        f.nonce,
        normalize_metadata(f.platform.unwrap_or("")),
        normalize_metadata(f.device_family.unwrap_or(""))
    )
}

/// Trims and lowers ASCII `A-Z` only; other letters are left as they are.
pub fn normalize_metadata(value: &str) -> String {
    value.trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_normalization_lowers_ascii_only() {
        assert_eq!(normalize_metadata("  İOS ÄB Linux "), "İos Äb linux");
    }
}
