//! The realm's RS256 signing key: generated once per data dir, stored as PKCS#8 PEM (0600),
//! and published as a JWKS entry and as Keycloak's realm `public_key`.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};

use super::error::IdentityError;
use super::files::{self, Created};

pub const KEY_FILE: &str = "jwt-signing-key.pem";
const KEY_BITS: usize = 2048;

pub(crate) struct SigningKeys {
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// base64url(sha256(SubjectPublicKeyInfo DER)): stable for the key, 43 characters.
    pub kid: String,
    n: String,
    e: String,
    /// Standard base64 of the SubjectPublicKeyInfo DER, as Keycloak's `GET /realms/{realm}`.
    pub public_key: String,
}

impl SigningKeys {
    /// Loads `<data_dir>/jwt-signing-key.pem`, creating it on first start. A file that exists
    /// but cannot be read or parsed is an error naming it, and is never replaced.
    pub fn load_or_create(data_dir: &Path) -> Result<SigningKeys, IdentityError> {
        let path = data_dir.join(KEY_FILE);
        let created = files::read_or_create(&path, || {
            let key = RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS)
                .map_err(std::io::Error::other)?;
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(std::io::Error::other)?;
            Ok(pem.as_str().to_owned())
        })
        .map_err(|source| IdentityError::KeyFile {
            path: path.clone(),
            source,
        })?;
        let pem = match created {
            Created::Existing(pem) => pem,
            Created::New => {
                tracing::info!(path = %path.display(), "created a new token signing key");
                std::fs::read_to_string(&path).map_err(|source| IdentityError::KeyFile {
                    path: path.clone(),
                    source,
                })?
            }
        };
        SigningKeys::from_pem(&pem).map_err(|reason| IdentityError::KeyCorrupt { path, reason })
    }

    pub fn from_pem(pem: &str) -> Result<SigningKeys, String> {
        let private = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| e.to_string())?;
        if private.size() * 8 < KEY_BITS {
            return Err(format!(
                "the key has {} bits; at least {KEY_BITS} are needed",
                private.size() * 8
            ));
        }
        let public = private.to_public_key();
        let pkcs1 = private.to_pkcs1_der().map_err(|e| e.to_string())?;
        let spki = public.to_public_key_der().map_err(|e| e.to_string())?;
        let n = public.n().to_bytes_be();
        let e = public.e().to_bytes_be();
        Ok(SigningKeys {
            encoding: EncodingKey::from_rsa_der(pkcs1.as_bytes()),
            decoding: DecodingKey::from_rsa_raw_components(&n, &e),
            kid: URL_SAFE_NO_PAD.encode(Sha256::digest(spki.as_bytes())),
            n: URL_SAFE_NO_PAD.encode(&n),
            e: URL_SAFE_NO_PAD.encode(&e),
            public_key: STANDARD.encode(spki.as_bytes()),
        })
    }

    /// The JWKS entry (RFC 7517) for this key.
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kid": self.kid,
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "n": self.n,
            "e": self.e,
        })
    }
}
