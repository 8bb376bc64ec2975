//! The engine seam as JS sees it: a `Pending` object per operation, which the host's driver
//! (`pkg/src/seam.mjs`) answers with the chosen engine and finishes. Conversions only: the core
//! decides what is signed or verified and what the answer means.

use js_sys::{Array, Uint8Array};
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

/// A prepared operation whose result becomes a JS value through `to_js` once it finishes.
pub(crate) fn pending<T: 'static>(
    prepared: crate::Result<Pending<T>>,
    to_js: impl FnOnce(T) -> JsResult<JsValue> + 'static,
) -> JsResult<JsPending> {
    Ok(JsPending { inner: Some(prepared.js()?.map(move |value| Ok(to_js(value)))), keys: None })
}

/// [`pending`] for a step answered with `keys`, which it carries, instead of the client's.
pub(crate) fn pending_with_keys<T: 'static>(
    prepared: crate::Result<(Pending<T>, KeyRing)>,
    to_js: impl FnOnce(T) -> JsResult<JsValue> + 'static,
) -> JsResult<JsPending> {
    let (prepared, keys) = prepared.js()?;
    Ok(JsPending { inner: Some(prepared.map(move |value| Ok(to_js(value)))), keys: Some(keys) })
}

impl JsPending {
    fn step(&self) -> JsResult<&Step> {
        self.inner.as_ref().map(Pending::step).ok_or_else(finished)
    }

    /// Goes on with `answer`: the result, or `undefined` with the next step in place (`__more`).
    fn finish(&mut self, answer: Answer) -> JsResult<JsValue> {
        match self.inner.take().ok_or_else(finished)?.advance(answer).js()? {
            Progress::Done(result) => result,
            Progress::Next(next) => {
                self.inner = Some(next);
                Ok(JsValue::UNDEFINED)
            }
        }
    }

    /// Answers every step with the in-core engine over `keys` (the `wasm` engine) and finishes.
    pub(crate) fn run_in_wasm(&mut self, keys: Option<&KeyRing>) -> JsResult<JsValue> {
        let pending = self.inner.take().ok_or_else(finished)?;
        match keys {
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

/// `layout()[0]` for each kind of step.
const NOTHING: u32 = 0;
const SIGN: u32 = 1;
const VERIFY: u32 = 2;

/// Where `bytes` lie in Wasm memory, as the record's `ptr, len` pair. Wasm addresses are 32-bit.
fn place(record: &mut Vec<u32>, bytes: &[u8]) {
    record.extend([bytes.as_ptr() as usize as u32, bytes.len() as u32]);
}

#[wasm_bindgen(js_class = Pending)]
impl JsPending {
    /// The step as one record of numbers, so that the host's driver reads it in one call and hands
    /// the engine views of Wasm memory instead of copies: `[kind, count, ptr, len, …]`.
    /// - nothing: `[0, 0]`;
    /// - sign: `[1, 1, message…]`;
    /// - verify: `[2, count, signature…, message₀…, …]`, one message per candidate, in order.
    ///
    /// The bytes stay where they are until the step is finished or freed; a view must be made after
    /// the last Wasm call that could grow memory (`__keyDer`) and used before the next one.
    pub fn layout(&self) -> JsResult<Vec<u32>> {
        let mut record = Vec::with_capacity(8);
        match self.step()? {
            Step::Sign(s) => {
                record.extend([SIGN, 1]);
                place(&mut record, &s.message);
            }
            Step::Verify(v) => {
                record.extend([VERIFY, v.candidates.len() as u32]);
                place(&mut record, &v.signature);
                for candidate in &v.candidates {
                    place(&mut record, &candidate.message);
                }
            }
            _ => record.extend([NOTHING, 0]),
        }
        Ok(record)
    }

    /// The digest, then the key id of each message of [`layout`](Self::layout): `["sha256", "app"]`.
    /// Empty for `nothing`.
    pub fn labels(&self) -> JsResult<Array> {
        let labels = Array::new();
        let push = |text: &str| {
            labels.push(&JsValue::from_str(text));
        };
        match self.step()? {
            Step::Sign(s) => {
                push(s.hash.name());
                push(&s.key_id);
            }
            Step::Verify(v) => {
                push(v.hash.name());
                v.candidates.iter().for_each(|c| push(&c.key_id));
            }
            _ => {}
        }
        Ok(labels)
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

    /// Whether a `finish…` call left another step to answer (the operation goes on: read its
    /// `layout()` again), rather than finishing.
    #[wasm_bindgen(getter, js_name = __more)]
    pub fn more(&self) -> bool {
        self.inner.is_some()
    }

    /// Whether this step carries the keys that answer it (`__keyDer`, `__runInWasm` here), instead
    /// of being answered with the client's.
    #[wasm_bindgen(getter, js_name = __ownKeys)]
    pub fn own_keys(&self) -> bool {
        self.keys.is_some()
    }

    /// DER of a key this step carries, for a host engine made for this step alone.
    #[wasm_bindgen(js_name = __keyDer)]
    pub fn carried_key_der(&self, id: JsValue) -> JsResult<Uint8Array> {
        key_der(self.keys.as_ref(), &id)
    }

    /// The `wasm` engine over the keys this step carries.
    #[wasm_bindgen(js_name = __runInWasm)]
    pub fn run_with_carried_keys(&mut self) -> JsResult<JsValue> {
        let keys = self.keys.take();
        self.run_in_wasm(keys.as_ref())
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
