//! Ed25519 device identity (spec §2.3): raw public key as base64url, id = sha256 hex of it,
//! canonical PEM for storage.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};

const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
const PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum IdentityError {
    #[error("public key is not a 32-byte Ed25519 key (raw base64url, base64 or PEM)")]
    PublicKey,
    #[error("private key is not a PKCS#8 Ed25519 PEM")]
    PrivateKey,
    #[error("signature is not a 64-byte base64url Ed25519 signature")]
    SignatureEncoding,
    #[error("signature does not verify")]
    SignatureMismatch,
}

/// A device's key pair.
#[derive(Clone)]
pub struct DeviceIdentity {
    key: SigningKey,
}

/// Shows the device id only: the private key never reaches a log.
impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("device_id", &self.device_id())
            .finish_non_exhaustive()
    }
}

impl DeviceIdentity {
    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        Self::from_seed(&seed)
    }

    pub fn from_seed(seed: &[u8; 32]) -> Self {
        DeviceIdentity {
            key: SigningKey::from_bytes(seed),
        }
    }

    pub fn public_key_raw(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// `device.publicKey`: the raw key, base64url without padding.
    pub fn public_key(&self) -> String {
        encode_public_key(&self.public_key_raw())
    }

    /// `device.id`: lowercase hex SHA-256 of the raw key.
    pub fn device_id(&self) -> String {
        device_id_of(&self.public_key_raw())
    }

    /// Signs `payload` and returns the base64url signature.
    pub fn sign(&self, payload: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.key.sign(payload.as_bytes()).to_bytes())
    }

    pub fn public_key_pem(&self) -> String {
        pem(
            "PUBLIC KEY",
            &[&SPKI_PREFIX[..], &self.public_key_raw()].concat(),
        )
    }

    pub fn private_key_pem(&self) -> String {
        pem(
            "PRIVATE KEY",
            &[&PKCS8_PREFIX[..], self.key.as_bytes()].concat(),
        )
    }

    pub fn from_private_key_pem(text: &str) -> Result<Self, IdentityError> {
        let der = pem_body(text).ok_or(IdentityError::PrivateKey)?;
        let seed = der
            .strip_prefix(&PKCS8_PREFIX[..])
            .and_then(|s| <[u8; 32]>::try_from(s).ok())
            .ok_or(IdentityError::PrivateKey)?;
        Ok(Self::from_seed(&seed))
    }
}

/// The canonical wire form of a public key: raw bytes, base64url without padding.
pub fn encode_public_key(raw: &[u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

pub fn device_id_of(raw_public_key: &[u8]) -> String {
    hex(&Sha256::digest(raw_public_key))
}

/// Decodes a public key the way the real verifier does: raw base64url, padded base64, or PEM.
pub fn parse_public_key(text: &str) -> Result<[u8; 32], IdentityError> {
    let text = text.trim();
    let bytes = if text.starts_with("-----BEGIN") {
        let der = pem_body(text).ok_or(IdentityError::PublicKey)?;
        der.strip_prefix(&SPKI_PREFIX[..])
            .map(<[u8]>::to_vec)
            .ok_or(IdentityError::PublicKey)?
    } else {
        decode_b64_any(text).ok_or(IdentityError::PublicKey)?
    };
    let raw = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| IdentityError::PublicKey)?;
    VerifyingKey::from_bytes(&raw).map_err(|_| IdentityError::PublicKey)?;
    Ok(raw)
}

/// Verifies a base64url signature over `payload` with a raw public key.
pub fn verify(
    raw_public_key: &[u8; 32],
    payload: &str,
    signature: &str,
) -> Result<(), IdentityError> {
    let key = VerifyingKey::from_bytes(raw_public_key).map_err(|_| IdentityError::PublicKey)?;
    let sig = decode_b64_any(signature).ok_or(IdentityError::SignatureEncoding)?;
    let sig = <[u8; 64]>::try_from(sig.as_slice()).map_err(|_| IdentityError::SignatureEncoding)?;
    key.verify(payload.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| IdentityError::SignatureMismatch)
}

/// `n` random bytes as base64url without padding (device tokens, nonces).
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `n` random bytes as lowercase hex: a secret a user types, which never starts with `-` (a
/// base64url one may, and then reads as a flag after `--token`).
pub fn random_hex_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_b64_any(text: &str) -> Option<Vec<u8>> {
    let unpadded = text.trim_end_matches('=');
    let url = unpadded.replace('+', "-").replace('/', "_");
    URL_SAFE_NO_PAD.decode(url).ok()
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ascii"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn pem_body(text: &str) -> Option<Vec<u8>> {
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    STANDARD.decode(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{payload_v2, payload_v3, SignedFields};

    const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

    /// A typed token is hex: a base64url one starts with `-` once in 64, and the CLI then
    /// reads `--token -x…` as a flag.
    #[test]
    fn hex_tokens_are_never_flags() {
        for _ in 0..1000 {
            let token = random_hex_token(24);
            assert_eq!(token.len(), 48);
            assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
        }
    }
    const NONCE: &str = "6f1c2d3e-4a5b-4c6d-8e7f-901234567890";
    const ID: &str = "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9";

    fn identity() -> DeviceIdentity {
        let seed: Vec<u8> = (0..32)
            .map(|i| u8::from_str_radix(&SEED[i * 2..i * 2 + 2], 16).unwrap())
            .collect();
        DeviceIdentity::from_seed(&seed.try_into().unwrap())
    }

    fn node_fields<'a>(token: &'a str, scopes: &'a [String]) -> SignedFields<'a> {
        SignedFields {
            device_id: ID,
            client_id: "node-host",
            client_mode: "node",
            role: "node",
            scopes,
            signed_at_ms: 1737264000000,
            token,
            nonce: NONCE,
            platform: Some("linux"),
            device_family: Some("Linux"),
        }
    }

    #[test]
    fn vector_1_key_id_and_pems() {
        let id = identity();
        assert_eq!(
            hex(&id.public_key_raw()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            id.public_key(),
            "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        );
        assert_eq!(id.device_id(), ID);
        assert!(id
            .public_key_pem()
            .contains("MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="));
        assert!(id
            .private_key_pem()
            .contains("MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g"));
        let back = DeviceIdentity::from_private_key_pem(&id.private_key_pem()).unwrap();
        assert_eq!(back.device_id(), ID);
        assert_eq!(
            parse_public_key(&id.public_key_pem()).unwrap(),
            id.public_key_raw()
        );
        assert_eq!(
            parse_public_key("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=").unwrap(),
            id.public_key_raw()
        );
    }

    #[test]
    fn vector_2a_node_v3_without_token() {
        let f = node_fields("", &[]);
        let payload = payload_v3(&f);
        assert_eq!(
            payload,
            format!("v3|{ID}|node-host|node|node||1737264000000||{NONCE}|linux|linux")
        );
        let sig = identity().sign(&payload);
        assert_eq!(sig, "GR9J_D1QcyO3kcRt_bo5GwN5xlolyzNBLWU4J1T-GCPv3ztLHXVd-q7_YfPeqtuqubKdD_2lFlZbIvW50QPHAw");
        verify(&identity().public_key_raw(), &payload, &sig).unwrap();
    }

    #[test]
    fn vector_2b_node_v2() {
        let payload = payload_v2(&node_fields("", &[]));
        assert_eq!(
            payload,
            format!("v2|{ID}|node-host|node|node||1737264000000||{NONCE}")
        );
        assert_eq!(
            identity().sign(&payload),
            "RuZKWvsjPkxxi9BFrIJH-8aQW1aXwMtGUo6_xKFsPhQbt9vWTZI5ZzbgpfOuLc4nEoAPZwW6D3D4tNeKMlpSDQ"
        );
    }

    #[test]
    fn vector_2c_node_v3_with_token() {
        let payload = payload_v3(&node_fields("gw-secret-token", &[]));
        assert_eq!(
            identity().sign(&payload),
            "HcMVSOA4JpTjyy7HsPAQ-D4X2L_DDrREc_KbC2IHpzwxWcnoa3NsyyXcz_r1F69TuGfv1lAA37u9S3f5iF1iBg"
        );
    }

    #[test]
    fn vector_2d_operator_v3() {
        let scopes = vec!["operator.read".to_string(), "operator.write".to_string()];
        let f = SignedFields {
            client_id: "cli",
            client_mode: "cli",
            role: "operator",
            token: "tok",
            platform: Some("MacOS "),
            device_family: None,
            ..node_fields("", &scopes)
        };
        let payload = payload_v3(&f);
        assert_eq!(
            payload,
            format!("v3|{ID}|cli|cli|operator|operator.read,operator.write|1737264000000|tok|{NONCE}|macos|")
        );
        assert_eq!(
            identity().sign(&payload),
            "XlaE_4kcLnV0FCQClNjQBQxgiJ3hytHOpQ67ZWuOh7GNTJbBsgCftcuNTuA5nVfuatvsC_-9c2XzAHnIBfknBw"
        );
    }

    #[test]
    fn tampered_signature_is_refused() {
        let id = identity();
        let sig = id.sign("hello");
        assert_eq!(
            verify(&id.public_key_raw(), "hellp", &sig),
            Err(IdentityError::SignatureMismatch)
        );
        assert_eq!(
            verify(&id.public_key_raw(), "hello", "!!"),
            Err(IdentityError::SignatureEncoding)
        );
        assert_eq!(parse_public_key("abc"), Err(IdentityError::PublicKey));
    }
}
