//! RSA operations of the in-core engine, on [`PrivateKey`] / [`PublicKey`] (the `rsa` crate:
//! constant-time arithmetic, blinded signing). Host engines (`node:crypto`, WebCrypto) do the same
//! steps (see [`step`](super::step)); PKCS#1 v1.5 signing is deterministic, so all give the same bytes.

use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, Oaep, Pkcs1v15Encrypt, Pkcs1v15Sign, traits::PaddingScheme};
use sha1::Sha1;
use sha2::Sha256;

use crate::crypto::digest;
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};

/// The digest inside an RSASSA-PKCS1-v1_5 signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hash {
    /// SHA256withRSA (Alipay `RSA2`, WeChat Pay APIv3, UseePay `RSA`).
    Sha256,
    /// SHA1withRSA (Alipay legacy `RSA`).
    Sha1,
}

impl Hash {
    /// The name `node:crypto` and our JS API use.
    pub const fn name(self) -> &'static str {
        match self {
            Hash::Sha256 => "sha256",
            Hash::Sha1 => "sha1",
        }
    }

    /// `"sha256"` / `"sha-256"` or `"sha1"` / `"sha-1"`, in any case.
    pub fn from_name(name: &str) -> Result<Hash> {
        match name.to_ascii_lowercase().as_str() {
            "sha256" | "sha-256" => Ok(Hash::Sha256),
            "sha1" | "sha-1" => Ok(Hash::Sha1),
            _ => Err(Error::bad_input("unsupported hash; use \"sha256\" or \"sha1\"")),
        }
    }
}

impl PrivateKey {
    /// An RSASSA-PKCS1-v1_5 signature over `message`. `RsaPrivateKey::sign` blinds the private
    /// operation with getrandom's system RNG.
    pub fn sign(&self, hash: Hash, message: &[u8]) -> Result<Vec<u8>> {
        let key = self.rsa()?;
        let result = match hash {
            Hash::Sha256 => key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest::sha256(message)),
            Hash::Sha1 => key.sign(Pkcs1v15Sign::new::<Sha1>(), &digest::sha1(message)),
        };
        result.map_err(|_| Error::engine("RSA signing failed"))
    }
}

impl PublicKey {
    /// What `signature`, opened with this key, says it signs: the digest algorithm and the digest,
    /// when it is an RSASSA-PKCS1-v1_5 signature made with the matching private key; `None`
    /// otherwise (another key, or no signature at all). For diagnosis only — it tells a signature
    /// over another text from one made with another key, or with the other hash; whether a
    /// signature is valid is [`verify`](Self::verify)'s to say. Everything here is public.
    pub fn signed_digest(&self, signature: &[u8]) -> Option<(Hash, Vec<u8>)> {
        let key = self.rsa()?;
        let k = key.size();
        let s = BoxedUint::from_be_slice(signature, key.n_bits_precision()).ok().filter(|_| signature.len() == k)?;
        if s >= *key.n().as_ref() {
            return None;
        }
        let opened = rsa::hazmat::rsa_encrypt(key, &s).ok()?.to_be_bytes();
        let em = opened.get(opened.len().checked_sub(k)?..)?;
        // EM = 0x00 0x01 FF…FF 0x00 DigestInfo(prefix ‖ digest), the prefixes the `rsa` crate's own.
        [(Hash::Sha256, Pkcs1v15Sign::new::<Sha256>()), (Hash::Sha1, Pkcs1v15Sign::new::<Sha1>())].into_iter().find_map(
            |(hash, scheme)| {
                let digest_len = scheme.hash_len?;
                let t_len = scheme.prefix.len() + digest_len;
                let ps_end = k.checked_sub(t_len + 1).filter(|&end| end >= 10)?;
                let padded = em[0] == 0
                    && em[1] == 1
                    && em[2..ps_end].iter().all(|&b| b == 0xff)
                    && em[ps_end] == 0
                    && em[ps_end + 1..k - digest_len] == *scheme.prefix;
                padded.then(|| (hash, em[k - digest_len..].to_vec()))
            },
        )
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 signature over `message`.
    pub fn verify(&self, hash: Hash, message: &[u8], signature: &[u8]) -> bool {
        let Some(key) = self.rsa() else { return false };
        match hash {
            Hash::Sha256 => key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest::sha256(message), signature),
            Hash::Sha1 => key.verify(Pkcs1v15Sign::new::<Sha1>(), &digest::sha1(message), signature),
        }
        .is_ok()
    }
}

/// RSAES-OAEP with SHA-1 and MGF1-SHA-1 (WeChat Pay sensitive fields).
pub fn oaep_sha1_encrypt(key: &PublicKey, plaintext: &[u8]) -> Result<Vec<u8>> {
    let key = key.rsa().ok_or_else(|| Error::key_invalid("RSA-OAEP encryption: the public key is not usable"))?;
    Oaep::<Sha1>::new()
        .encrypt(&mut getrandom::SysRng, key, plaintext)
        .map_err(|_| Error::bad_input("RSA-OAEP encryption failed: message too long for the key"))
}

/// RSAES-OAEP with SHA-1 and MGF1-SHA-1.
pub fn oaep_sha1_decrypt(key: &PrivateKey, ciphertext: &[u8]) -> Result<Vec<u8>> {
    key.rsa()?.decrypt(Oaep::<Sha1>::new(), ciphertext).map_err(|_| Error::decrypt_failed())
}

/// RSAES-PKCS1-v1_5 encryption (some provider APIs still ask for it). No decryption is offered:
/// PKCS#1 v1.5 decryption is where the Marvin attack (RUSTSEC-2023-0071) lives.
pub fn pkcs1v15_encrypt(key: &PublicKey, plaintext: &[u8]) -> Result<Vec<u8>> {
    let key = key.rsa().ok_or_else(|| Error::key_invalid("RSA encryption: the public key is not usable"))?;
    Pkcs1v15Encrypt
        .encrypt(&mut getrandom::SysRng, key, plaintext)
        .map_err(|_| Error::bad_input("RSA PKCS#1 v1.5 encryption failed: message too long for the key"))
}
