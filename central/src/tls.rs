//! TLS for the simulator: the development PKI created on first start in demo mode (CA, server certificate
//! for 127.0.0.1/localhost, kiosk client certificate) and the rustls server configuration, with mutual TLS
//! when asked.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::CentralError;

/// Where the PEM files of the development PKI live inside the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiPaths {
    pub ca_cert: PathBuf,
    pub ca_key: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

impl PkiPaths {
    pub fn in_dir(data_dir: &Path) -> Self {
        let dir = data_dir.join("pki");
        Self {
            ca_cert: dir.join("ca.pem"),
            ca_key: dir.join("ca-key.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server-key.pem"),
            client_cert: dir.join("kiosk-client.pem"),
            client_key: dir.join("kiosk-client-key.pem"),
        }
    }

    fn all_exist(&self) -> bool {
        [&self.ca_cert, &self.server_cert, &self.server_key, &self.client_cert, &self.client_key]
            .iter()
            .all(|path| path.is_file())
    }
}

fn tls_error(what: &str, error: impl std::fmt::Display) -> CentralError {
    CentralError::Tls(format!("{what}: {error}"))
}

/// Makes sure the PKI exists: created when missing and `create` is set (demo mode), an error otherwise.
pub fn ensure_pki(data_dir: &Path, create: bool) -> Result<PkiPaths, CentralError> {
    let paths = PkiPaths::in_dir(data_dir);
    if paths.all_exist() {
        return Ok(paths);
    }
    if !create {
        return Err(CentralError::Tls(format!(
            "no certificates in {}: start once with --demo to create a development PKI, or put ca.pem, \
             server.pem, server-key.pem, kiosk-client.pem and kiosk-client-key.pem there",
            data_dir.join("pki").display()
        )));
    }
    generate_pki(&paths)?;
    Ok(paths)
}

fn generate_pki(paths: &PkiPaths) -> Result<(), CentralError> {
    if let Some(dir) = paths.ca_cert.parent() {
        std::fs::create_dir_all(dir).map_err(|e| tls_error("creating the pki directory", e))?;
    }
    let ca_key = KeyPair::generate().map_err(|e| tls_error("generating the CA key", e))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_error("CA parameters", e))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "ServiCaja Development CA");
    ca_params.distinguished_name.push(DnType::OrganizationName, "CAJA TACNA (simulador)");
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(|e| tls_error("signing the CA", e))?;
    let issuer = Issuer::new(ca_params, &ca_key);

    let server_key = KeyPair::generate().map_err(|e| tls_error("generating the server key", e))?;
    let mut server_params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .map_err(|e| tls_error("server parameters", e))?;
    server_params.distinguished_name.push(DnType::CommonName, "servicaja-central");
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert =
        server_params.signed_by(&server_key, &issuer).map_err(|e| tls_error("signing the server certificate", e))?;

    let client_key = KeyPair::generate().map_err(|e| tls_error("generating the kiosk key", e))?;
    let mut client_params =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_error("kiosk parameters", e))?;
    client_params.distinguished_name.push(DnType::CommonName, "KSK-TAC-001");
    client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert =
        client_params.signed_by(&client_key, &issuer).map_err(|e| tls_error("signing the kiosk certificate", e))?;

    write_pem(&paths.ca_cert, &ca_cert.pem(), false)?;
    write_pem(&paths.ca_key, &ca_key.serialize_pem(), true)?;
    write_pem(&paths.server_cert, &server_cert.pem(), false)?;
    write_pem(&paths.server_key, &server_key.serialize_pem(), true)?;
    write_pem(&paths.client_cert, &client_cert.pem(), false)?;
    write_pem(&paths.client_key, &client_key.serialize_pem(), true)?;
    Ok(())
}

fn write_pem(path: &Path, pem: &str, private: bool) -> Result<(), CentralError> {
    std::fs::write(path, pem).map_err(|e| tls_error(&format!("writing {}", path.display()), e))?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| tls_error(&format!("protecting {}", path.display()), e))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    Ok(())
}

/// Reads every certificate of a PEM file.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, CentralError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| tls_error(&format!("reading {}", path.display()), e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error(&format!("parsing {}", path.display()), e))?;
    if certs.is_empty() {
        return Err(CentralError::Tls(format!("{} holds no certificate", path.display())));
    }
    Ok(certs)
}

pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, CentralError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| tls_error(&format!("reading the key {}", path.display()), e))
}

/// The rustls provider used everywhere: ring, never aws-lc.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The server configuration: HTTP/2 and HTTP/1.1 over TLS; when `mtls`, clients must present a
/// certificate issued by the CA.
pub fn server_config(paths: &PkiPaths, mtls: bool) -> Result<rustls::ServerConfig, CentralError> {
    let provider = provider();
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("TLS versions", e))?;
    let builder = if mtls {
        let mut roots = RootCertStore::empty();
        for cert in load_certs(&paths.ca_cert)? {
            roots.add(cert).map_err(|e| tls_error("adding the CA to the client verifier", e))?;
        }
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| tls_error("client certificate verifier", e))?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let mut config = builder
        .with_single_cert(load_certs(&paths.server_cert)?, load_key(&paths.server_key)?)
        .map_err(|e| tls_error("server certificate", e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
