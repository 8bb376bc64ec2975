//! The host RSA engine seam: on Node the entry point registers an engine over `node:crypto`
//! (`KeyObject`s imported once per key); elsewhere the in-Wasm `rsa` crate does the work.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::{JsResult, MaxBytes, bytes_of, js_error, string_option};
use crate::crypto::rsa::{Hash, RsaSigner, RsaVerifier};
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};

#[wasm_bindgen]
extern "C" {
    /// `pkg/src/engine-node.mjs`: `{ importPrivateKey, importPublicKey, sign, verify }`.
    #[derive(Clone)]
    pub type HostEngine;
    // JS values come back as `Option`s: see `guard` (a plain `JsValue` return leaks a slot on a throw).
    #[wasm_bindgen(method, catch, js_name = importPrivateKey)]
    fn import_private_key(this: &HostEngine, pkcs8_der: &[u8]) -> Result<Option<JsValue>, JsValue>;
    #[wasm_bindgen(method, catch, js_name = importPublicKey)]
    fn import_public_key(this: &HostEngine, spki_der: &[u8]) -> Result<Option<JsValue>, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn sign(this: &HostEngine, key: &JsValue, hash: &str, data: &[u8]) -> Result<Option<JsValue>, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn verify(this: &HostEngine, key: &JsValue, hash: &str, data: &[u8], signature: &[u8]) -> Result<bool, JsValue>;
}

thread_local! {
    static NODE_ENGINE: RefCell<Option<HostEngine>> = const { RefCell::new(None) };
}

pub(super) fn set_node_engine(engine: JsValue) {
    let engine = (!engine.is_null() && !engine.is_undefined()).then(|| engine.unchecked_into());
    NODE_ENGINE.with(|e| *e.borrow_mut() = engine);
}

/// Which engine a client uses: the `engine` option (`"auto"` — the default —, `"node"`, `"wasm"`).
pub(crate) fn choose(options: &JsValue) -> JsResult<Option<HostEngine>> {
    let node = NODE_ENGINE.with(|e| e.borrow().clone());
    match string_option(options, "engine")?.as_deref() {
        None | Some("auto") => Ok(node),
        Some("wasm") => Ok(None),
        Some("node") => node.map(Some).ok_or_else(|| {
            js_error(Error::engine("the node engine is only available on Node.js; use engine: 'wasm' or 'auto'"))
        }),
        Some(other) => {
            Err(js_error(Error::bad_input(format!("unknown engine {other:?}; use 'auto', 'node' or 'wasm'"))))
        }
    }
}

pub(crate) fn engine_name(engine: &Option<HostEngine>) -> &'static str {
    if engine.is_some() { "node" } else { "wasm" }
}

/// A signer for `key` on the chosen engine. The key is handed to the host once, here.
pub(crate) fn signer(key: PrivateKey, engine: &Option<HostEngine>) -> Result<Box<dyn RsaSigner>> {
    match engine {
        None => Ok(Box::new(key)),
        Some(engine) => {
            let der = key.to_pkcs8_der()?;
            let handle = engine
                .import_private_key(&der)
                .ok()
                .flatten()
                .ok_or_else(|| Error::engine("the node engine refused the private key"))?;
            Ok(Box::new(HostSigner { engine: engine.clone(), handle }))
        }
    }
}

/// A verifier for `key` on the chosen engine.
pub(crate) fn verifier(key: PublicKey, engine: &Option<HostEngine>) -> Result<Box<dyn RsaVerifier>> {
    match engine {
        None => Ok(Box::new(key)),
        Some(engine) => {
            let der = key.to_spki_der()?;
            let handle = engine
                .import_public_key(&der)
                .ok()
                .flatten()
                .ok_or_else(|| Error::engine("the node engine refused the public key"))?;
            Ok(Box::new(HostVerifier { engine: engine.clone(), handle }))
        }
    }
}

struct HostSigner {
    engine: HostEngine,
    handle: JsValue,
}

impl RsaSigner for HostSigner {
    fn sign(&self, hash: Hash, message: &[u8]) -> Result<Vec<u8>> {
        // The signature is copied like any caller's bytes: measured first, no JS call that can throw.
        let failed = || Error::engine("node engine: RSA signing failed");
        let signature = self.engine.sign(&self.handle, hash.name(), message).ok().flatten().ok_or_else(failed)?;
        bytes_of(&signature, "node engine signature", MaxBytes::SMALL).map_err(|_| failed())
    }
}

struct HostVerifier {
    engine: HostEngine,
    handle: JsValue,
}

impl RsaVerifier for HostVerifier {
    fn verify(&self, hash: Hash, message: &[u8], signature: &[u8]) -> Result<()> {
        match self.engine.verify(&self.handle, hash.name(), message, signature) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::signature_invalid("RSA signature does not verify")),
            Err(_) => Err(Error::engine("node engine: RSA verification failed")),
        }
    }
}
