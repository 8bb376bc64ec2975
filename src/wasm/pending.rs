//! The engine seam as JS sees it: a `Pending` object per operation, which the host's driver
//! (`pkg/src/seam.mjs`) answers with the chosen engine and finishes. Conversions only: the core
//! decides what is signed or verified and what the answer means.

use std::io::Write;

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::{IntoJs, JsResult, MaxBytes, bytes_of, js_error, str_arg};
use crate::crypto::step::{Answer, Engine, Pending, Progress, SignStep, Step, VerifyStep};
use crate::error::Error;
use crate::keys::{KeyDer, KeyRing};

/// One prepared operation, waiting for its RSA step. Internal to the package: the public classes
/// answer and finish it before they return.
#[wasm_bindgen(js_name = Pending)]
pub struct JsPending {
    inner: Option<Pending<JsResult<JsValue>>>,
    /// The keys that answer this step, when they are not the client's own (a WeChat Pay certificate
    /// reply is verified with the certificate it brings): the host answers with engines over them.
    keys: Option<KeyRing>,
}

/// A prepared operation whose result becomes a JS value through `to_js` once it finishes: the result
/// itself when no engine is needed (see [`settle`]), else a `Pending` for the host's driver.
pub(crate) fn pending<T: 'static>(
    prepared: crate::Result<Pending<T>>,
    to_js: impl FnOnce(T) -> JsResult<JsValue> + 'static,
) -> JsResult<JsValue> {
    settle(prepared.js()?.map(move |value| Ok(to_js(value))), None)
}

/// [`pending`] for a step answered with `keys`, which it carries, instead of the client's.
pub(crate) fn pending_with_keys<T: 'static>(
    prepared: crate::Result<(Pending<T>, KeyRing)>,
    to_js: impl FnOnce(T) -> JsResult<JsValue> + 'static,
) -> JsResult<JsValue> {
    let (prepared, keys) = prepared.js()?;
    settle(prepared.map(move |value| Ok(to_js(value))), Some(keys))
}

/// A prepared operation as JS gets it: the result when no engine is needed (see [`past_nothing`]),
/// else a `Pending` at the first step an engine must answer.
fn settle(prepared: Pending<JsResult<JsValue>>, keys: Option<KeyRing>) -> JsResult<JsValue> {
    match past_nothing(prepared)? {
        Progress::Done(result) => result,
        Progress::Next(prepared) => Ok(JsPending { inner: Some(prepared), keys }.into()),
    }
}

/// Finishes the steps that need no engine here and now (an MD5-signed request, a gateway's unsigned
/// refusal): the host's driver would only answer them "nothing", at the cost of a `Pending` object
/// made, driven and freed across the boundary. So the host only ever sees sign and verify steps.
fn past_nothing(mut prepared: Pending<JsResult<JsValue>>) -> JsResult<Progress<JsResult<JsValue>>> {
    while matches!(prepared.step(), Step::Nothing) {
        match prepared.advance(Answer::Nothing).js()? {
            Progress::Done(result) => return Ok(Progress::Done(result)),
            Progress::Next(next) => prepared = next,
        }
    }
    Ok(Progress::Next(prepared))
}

impl JsPending {
    fn step(&self) -> JsResult<&Step> {
        self.inner.as_ref().map(Pending::step).ok_or_else(finished)
    }

    /// Goes on with `answer`: the result, or `undefined` with the next step in place (`__more`).
    fn finish(&mut self, answer: Answer) -> JsResult<JsValue> {
        let progress = match self.inner.take().ok_or_else(finished)?.advance(answer).js()? {
            Progress::Next(next) => past_nothing(next)?,
            done => done,
        };
        match progress {
            Progress::Done(result) => result,
            Progress::Next(next) => {
                self.inner = Some(next);
                Ok(JsValue::UNDEFINED)
            }
        }
    }

    /// Answers every step with the in-core engine (the `wasm` engine) and finishes: over the keys
    /// this step carries, if it carries any (see [`layout`](Self::layout)), else over `keys`, the
    /// client's.
    pub(crate) fn run_in_wasm(&mut self, keys: Option<&KeyRing>) -> JsResult<JsValue> {
        let pending = self.inner.take().ok_or_else(finished)?;
        let carried = self.keys.take();
        match carried.as_ref().or(keys) {
            Some(keys) => pending.run(keys),
            None => pending.run(&NoKeys),
        }
        .js()?
    }
}

/// The engine of an object that holds no RSA keys: it answers only steps that need none.
struct NoKeys;

impl Engine for NoKeys {
    fn sign(&self, _: &SignStep) -> crate::Result<Vec<u8>> {
        Err(Error::engine("this client holds no RSA keys"))
    }
    fn verify(&self, _: &VerifyStep) -> crate::Result<Option<usize>> {
        Err(Error::engine("this client holds no RSA keys"))
    }
}

fn finished() -> JsValue {
    js_error(Error::engine("this operation has already finished"))
}

/// `layout()[0]` for each kind of step the host answers (never "nothing": see [`past_nothing`]).
const SIGN: u8 = 1;
const VERIFY: u8 = 2;

/// Appends `,ptr,len` of `bytes` in Wasm memory to the record. Wasm addresses are 32-bit.
fn place(record: &mut Vec<u8>, bytes: &[u8]) {
    let _ = write!(record, ",{},{}", bytes.as_ptr() as usize as u32, bytes.len() as u32);
}

/// Appends `,"text"` to the record, as a JSON string.
fn label(record: &mut Vec<u8>, text: &str) {
    record.push(b',');
    let _ = serde_json::to_writer(&mut *record, text);
}

#[wasm_bindgen(js_class = Pending)]
impl JsPending {
    /// The step as one record, JSON text, so that the host's driver reads all of it in one call
    /// and hands the engine views of Wasm memory instead of copies:
    /// - sign: `[1, ownKeys, digest, ptr, len, keyId]`, the message's place and the private key's id;
    /// - verify: `[2, ownKeys, digest, ptr, len, (ptr, len, keyId)…]`, the signature's place, then
    ///   one message and public key id per candidate, in order.
    ///
    /// `ownKeys` (0 or 1): whether the step carries the keys that answer it instead of being answered
    /// with the client's — a WeChat Pay certificate reply, verified with the certificate it brings.
    /// A host engine then gets them from `__keyDer` here; the `wasm` engine uses them by itself. The
    /// digest is `"sha256"` or `"sha1"`.
    ///
    /// The bytes stay where they are until the step is finished or freed; a view must be made after
    /// the last Wasm call that could grow memory (`__keyDer`) and used before the next one.
    pub fn layout(&self) -> JsResult<String> {
        // Written by hand rather than through a `serde_json::Value`: it is read on every RSA operation.
        let mut record = Vec::with_capacity(64);
        let own_keys = u8::from(self.keys.is_some());
        match self.step()? {
            Step::Sign(s) => {
                let _ = write!(record, "[{SIGN},{own_keys}");
                label(&mut record, s.hash.name());
                place(&mut record, &s.message);
                label(&mut record, &s.key_id);
            }
            Step::Verify(v) => {
                let _ = write!(record, "[{VERIFY},{own_keys}");
                label(&mut record, v.hash.name());
                place(&mut record, &v.signature);
                for candidate in &v.candidates {
                    place(&mut record, &candidate.message);
                    label(&mut record, &candidate.key_id);
                }
            }
            _ => return Err(js_error(Error::engine("this step needs no engine"))),
        }
        record.push(b']');
        String::from_utf8(record).map_err(|_| js_error(Error::engine("the step cannot be described")))
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

    /// Whether a `finish…` call left another step to answer (the operation goes on: read its
    /// `layout()` again), rather than finishing.
    #[wasm_bindgen(getter, js_name = __more)]
    pub fn more(&self) -> bool {
        self.inner.is_some()
    }

    /// DER of a key this step carries, for a host engine made for this step alone.
    #[wasm_bindgen(js_name = __keyDer)]
    pub fn carried_key_der(&self, id: JsValue) -> JsResult<Uint8Array> {
        key_der(self.keys.as_ref(), &id)
    }
}

/// The two internal methods every class that holds keys gives the host: `__runInWasm` (the `wasm`
/// engine: the step answered with the class's own keys, in Wasm) and `__keyDer` (a key's DER, for a
/// host engine to import once). `$keys` is the class's `Option<&KeyRing>`, given `$this`.
macro_rules! engine_methods {
    ($class:ty, $js:ident, |$this:ident| $keys:expr) => {
        #[wasm_bindgen(js_class = $js)]
        impl $class {
            /// The `wasm` engine: answers `pending`'s step with this object's keys (or those the step
            /// carries) and finishes.
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
