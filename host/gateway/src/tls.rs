//! TLS for `wss://`: the operator's certificate files, or a self-signed certificate generated
//! once into the state dir. The SHA-256 of the leaf is what clients pin.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use sha2::{Digest, Sha256};

use crate::config::TlsSource;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {why}")]
    Read { path: String, why: String },
    #[error("cannot write the self-signed certificate to {path}: {why}")]
    Write { path: String, why: String },
    #[error("tls setup: {0}")]
    Config(String),
}

pub struct TlsSetup {
    pub config: Arc<ServerConfig>,
    /// 64 lowercase hex digits.
    pub fingerprint: String,
}

pub fn load(source: &TlsSource, state_dir: &Path) -> Result<TlsSetup, TlsError> {
    let (cert_path, key_path) = match source {
        TlsSource::Files { cert, key } => (cert.clone(), key.clone()),
        TlsSource::SelfSigned => {
            let dir = state_dir.join("gateway").join("tls");
            let (cert, key) = (dir.join("gateway-cert.pem"), dir.join("gateway-key.pem"));
            if !cert.exists() || !key.exists() {
                generate(&dir, &cert, &key)?;
            }
            (cert, key)
        }
    };
    let read_err = |path: &Path, why: String| TlsError::Read {
        path: path.display().to_string(),
        why,
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .map_err(|e| read_err(&cert_path, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| read_err(&cert_path, e.to_string()))?;
    let leaf = certs
        .first()
        .ok_or_else(|| read_err(&cert_path, "no certificate in the file".into()))?;
    let fingerprint = openclaw_protocol::identity::hex(&Sha256::digest(leaf.as_ref()));
    let key =
        PrivateKeyDer::from_pem_file(&key_path).map_err(|e| read_err(&key_path, e.to_string()))?;
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(TlsSetup {
        config: Arc::new(config),
        fingerprint,
    })
}

/// The pin of the certificate `source` names, without generating one: what `openclaw qr`
/// puts into a setup code for this gateway's own `wss://` address.
pub fn existing_fingerprint(source: &TlsSource, state_dir: &Path) -> Option<String> {
    let cert = match source {
        TlsSource::Files { cert, .. } => cert.clone(),
        TlsSource::SelfSigned => state_dir.join("gateway/tls/gateway-cert.pem"),
    };
    let leaf = CertificateDer::pem_file_iter(&cert).ok()?.next()?.ok()?;
    Some(openclaw_protocol::identity::hex(&Sha256::digest(
        leaf.as_ref(),
    )))
}

fn generate(dir: &Path, cert: &Path, key: &Path) -> Result<(), TlsError> {
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let generated =
        rcgen::generate_simple_self_signed(names).map_err(|e| TlsError::Config(e.to_string()))?;
    // Private from the first byte, the key above all.
    let write = |path: &Path, text: String| {
        openclaw_files::private_dir(dir)
            .and_then(|_| openclaw_files::write_atomically(path, text.as_bytes()))
            .map_err(|e| TlsError::Write {
                path: path.display().to_string(),
                why: e.to_string(),
            })
    };
    write(key, generated.key_pair.serialize_pem())?;
    write(cert, generated.cert.pem())
}
