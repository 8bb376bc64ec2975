//! A client's keys by id: its own private key (to sign requests) and the provider's public keys (to
//! verify what the provider sends) — several at once while a provider rotates its certificate.

use std::fmt;

use zeroize::Zeroizing;

use super::{PrivateKey, PublicKey};
use crate::crypto::step::{Engine, SignStep, VerifyStep};
use crate::error::{Error, Result};

/// Key ids and keys. Ids are public values (a certificate SN, a role name such as `"app"`); a
/// client's steps name keys by them, and a host engine imports each key once under its id.
#[derive(Clone, Default)]
pub struct KeyRing {
    private: Option<(String, PrivateKey)>,
    public: Vec<(String, PublicKey)>,
}

/// DER of one key, for a host engine to import.
pub enum KeyDer {
    /// PKCS#8 DER of a private key; wiped from memory when dropped.
    Private(Zeroizing<Vec<u8>>),
    /// SubjectPublicKeyInfo DER of a public key.
    Public(Vec<u8>),
}

impl KeyRing {
    /// An empty ring.
    pub fn new() -> KeyRing {
        KeyRing::default()
    }

    /// Sets the one private key this client signs with.
    pub fn set_private(&mut self, id: impl Into<String>, key: PrivateKey) {
        self.private = Some((id.into(), key));
    }

    /// Adds a public key; an id already in the ring is replaced.
    pub fn add_public(&mut self, id: impl Into<String>, key: PublicKey) {
        let id = id.into();
        self.public.retain(|(known, _)| *known != id);
        self.public.push((id, key));
    }

    /// Adds a public key as the current one (first in [`public_ids`](Self::public_ids)); an id
    /// already in the ring is replaced and moves to the front.
    pub fn add_public_first(&mut self, id: impl Into<String>, key: PublicKey) {
        let id = id.into();
        self.public.retain(|(known, _)| *known != id);
        self.public.insert(0, (id, key));
    }

    /// The id of the private key, when there is one.
    pub fn private_id(&self) -> Option<&str> {
        self.private.as_ref().map(|(id, _)| id.as_str())
    }

    /// The private key, when there is one.
    pub fn private_key(&self) -> Option<&PrivateKey> {
        self.private.as_ref().map(|(_, key)| key)
    }

    /// The public key with this id.
    pub fn public_key(&self, id: &str) -> Option<&PublicKey> {
        self.public.iter().find(|(known, _)| known == id).map(|(_, key)| key)
    }

    /// The public key ids, in the order they were added (the first is the current one).
    pub fn public_ids(&self) -> impl Iterator<Item = &str> {
        self.public.iter().map(|(id, _)| id.as_str())
    }

    /// Whether the ring holds no public key.
    pub fn has_public(&self) -> bool {
        !self.public.is_empty()
    }

    /// The DER of the key with this id (private or public), for a host engine.
    pub fn der(&self, id: &str) -> Result<KeyDer> {
        match &self.private {
            Some((known, key)) if known == id => return key.to_pkcs8_der().map(KeyDer::Private),
            _ => {}
        }
        let key = self.public_key(id).ok_or_else(|| unknown(id))?;
        key.to_spki_der().map(KeyDer::Public)
    }
}

fn unknown(id: &str) -> Error {
    Error::engine(format!("no key {id:?} in this client's key ring"))
}

/// The in-core engine: RustCrypto's `rsa` over the ring's own keys (constant-time arithmetic,
/// blinded signing).
impl Engine for KeyRing {
    fn sign(&self, step: &SignStep) -> Result<Vec<u8>> {
        match &self.private {
            Some((id, key)) if *id == step.key_id => key.sign(step.hash, &step.message),
            _ => Err(unknown(&step.key_id)),
        }
    }

    fn verify(&self, step: &VerifyStep) -> Result<Option<usize>> {
        for (index, candidate) in step.candidates.iter().enumerate() {
            let key = self.public_key(&candidate.key_id).ok_or_else(|| unknown(&candidate.key_id))?;
            if key.verify(step.hash, &candidate.message, &step.signature) {
                return Ok(Some(index));
            }
        }
        Ok(None)
    }
}

/// Ids and key sizes only.
impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("private", &self.private.as_ref().map(|(id, key)| (id, key.bits())))
            .field("public", &self.public.iter().map(|(id, key)| (id, key.bits())).collect::<Vec<_>>())
            .finish()
    }
}
