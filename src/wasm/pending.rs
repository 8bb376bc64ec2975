//! The engine seam as JS sees it: a `Pending` object per operation, which the host's driver
//! (`pkg/src/seam.mjs`) answers with the chosen engine and finishes. Conversions only: the core
//! decides what is signed or verified and what the answer means.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::{IntoJs, JsResult, MaxBytes, bytes_of, js_error, str_arg};
use crate::crypto::step::{Answer, Pending, Step};
use crate::error::Error;
use crate::keys::{KeyDer, KeyRing};

/// One prepared operation, waiting for its RSA step. Internal to the package: the public classes
/// answer and finish it before they return.
#[wasm_bindgen(js_name = Pending)]
pub struct JsPending {
    inner: Option<Pending<JsResult<JsValue>>>,
}

/// A prepared operation whose result becomes a JS value through `to_js` once it finishes.
pub(crate) fn pending<T: 'static>(
    prepared: crate::Result<Pending<T>>,
    to_js: impl FnOnce(T) -> JsResult<JsValue> + 'static,
) -> JsResult<JsPending> {
    Ok(JsPending { inner: Some(prepared.js()?.map(move |value| Ok(to_js(value)))) })
}

impl JsPending {
    fn step(&self) -> JsResult<&Step> {
        self.inner.as_ref().map(Pending::step).ok_or_else(finished)
    }

    fn finish(&mut self, answer: Answer) -> JsResult<JsValue> {
        self.inner.take().ok_or_else(finished)?.finish(answer).js()?
    }

    /// Answers the step with the in-core engine over `keys` (the `wasm` engine) and finishes.
    pub(crate) fn run_in_wasm(&mut self, keys: Option<&KeyRing>) -> JsResult<JsValue> {
        let pending = self.inner.take().ok_or_else(finished)?;
        match keys {
            Some(keys) => pending.run(keys),
            None => pending.finish(Answer::Nothing),
        }
        .js()?
    }
}

fn finished() -> JsValue {
    js_error(Error::engine("this operation has already finished"))
}

#[wasm_bindgen(js_class = Pending)]
impl JsPending {
    /// `"nothing"`, `"sign"` or `"verify"`.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> JsResult<String> {
        Ok(match self.step()? {
            Step::Sign(_) => "sign",
            Step::Verify(_) => "verify",
            _ => "nothing",
        }
        .to_owned())
    }

    /// The digest: `"sha256"` or `"sha1"` (empty for `nothing`).
    #[wasm_bindgen(getter)]
    pub fn hash(&self) -> JsResult<String> {
        Ok(match self.step()? {
            Step::Sign(s) => s.hash.name(),
            Step::Verify(v) => v.hash.name(),
            _ => "",
        }
        .to_owned())
    }

    /// `sign`: the id of the private key.
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> JsResult<String> {
        match self.step()? {
            Step::Sign(s) => Ok(s.key_id.clone()),
            _ => Err(js_error(Error::engine("only a signing step names one key"))),
        }
    }

    /// `sign`: the exact bytes to sign.
    #[wasm_bindgen(getter)]
    pub fn message(&self) -> JsResult<Uint8Array> {
        match self.step()? {
            Step::Sign(s) => Ok(Uint8Array::from(s.message.as_slice())),
            _ => Err(js_error(Error::engine("only a signing step has one message"))),
        }
    }

    /// `verify`: the signature to check.
    #[wasm_bindgen(getter)]
    pub fn signature(&self) -> JsResult<Uint8Array> {
        match self.step()? {
            Step::Verify(v) => Ok(Uint8Array::from(v.signature.as_slice())),
            _ => Err(js_error(Error::engine("only a verification step has a signature"))),
        }
    }

    /// `verify`: `[keyId, message]` pairs, in the order they are to be tried.
    #[wasm_bindgen(getter)]
    pub fn candidates(&self) -> JsResult<Array> {
        match self.step()? {
            Step::Verify(v) => Ok(v
                .candidates
                .iter()
                .map(|c| Array::of2(&JsValue::from_str(&c.key_id), &Uint8Array::from(c.message.as_slice())))
                .collect()),
            _ => Err(js_error(Error::engine("only a verification step has candidates"))),
        }
    }

    /// Finishes a `sign` step with the signature bytes.
    #[wasm_bindgen(js_name = finishSigned)]
    pub fn finish_signed(&mut self, signature: JsValue) -> JsResult<JsValue> {
        let signature = bytes_of(&signature, "engine signature", MaxBytes::SMALL)?;
        self.finish(Answer::Signature(signature))
    }

    /// Finishes a `verify` step with the index of the first candidate that verified, or -1.
    #[wasm_bindgen(js_name = finishVerified)]
    pub fn finish_verified(&mut self, index: i32) -> JsResult<JsValue> {
        self.finish(Answer::Verified(usize::try_from(index).ok()))
    }

    /// Finishes a `nothing` step.
    #[wasm_bindgen(js_name = finishNothing)]
    pub fn finish_nothing(&mut self) -> JsResult<JsValue> {
        self.finish(Answer::Nothing)
    }
}

/// The two internal methods every class that holds keys gives the host: `__runInWasm` (the `wasm`
/// engine: the step answered with the class's own keys, in Wasm) and `__keyDer` (a key's DER, for a
/// host engine to import once). `$keys` is the class's `Option<&KeyRing>`, given `$this`.
macro_rules! engine_methods {
    ($class:ty, $js:ident, |$this:ident| $keys:expr) => {
        #[wasm_bindgen(js_class = $js)]
        impl $class {
            /// The `wasm` engine: answers `pending`'s step with this object's keys and finishes.
            #[wasm_bindgen(js_name = __runInWasm)]
            pub fn run_in_wasm(&self, pending: &mut $crate::wasm::pending::JsPending) -> JsResult<JsValue> {
                let $this = self;
                pending.run_in_wasm($keys)
            }

            /// DER of a key of this object's ring, for a host engine.
            #[wasm_bindgen(js_name = __keyDer)]
            pub fn key_der(&self, id: JsValue) -> JsResult<js_sys::Uint8Array> {
                let $this = self;
                $crate::wasm::pending::key_der($keys, &id)
            }
        }
    };
}
pub(crate) use engine_methods;

/// The DER of a key in `keys`, for a host engine to import once (`__keyDer`). PKCS#8 for the private
/// key: the copy in Wasm memory is wiped; the host wipes its own once imported.
pub(crate) fn key_der(keys: Option<&KeyRing>, id: &JsValue) -> JsResult<Uint8Array> {
    let id = str_arg(id, "key id", MaxBytes::SMALL)?;
    let keys = keys.ok_or_else(|| js_error(Error::engine("this client holds no RSA keys")))?;
    Ok(match keys.der(&id).js()? {
        KeyDer::Private(der) => Uint8Array::from(der.as_slice()),
        KeyDer::Public(der) => Uint8Array::from(der.as_slice()),
    })
}
