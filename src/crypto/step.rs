//! The two-step engine seam.
//!
//! Every operation that needs RSA is split in two. The core first *prepares* it: it builds the exact
//! bytes to sign, or locates the exact bytes and signature to verify, and names the key by its id in
//! the client's [`KeyRing`](crate::keys::KeyRing). That is a [`Pending`] holding a [`Step`]. An
//! engine then does the RSA step — in-core ([`KeyRing`](crate::keys::KeyRing) implements [`Engine`]),
//! `node:crypto`, or WebCrypto, synchronously or not — and hands back an [`Answer`]. The core
//! *finishes* with it: it assembles the request, or parses and returns what was verified.
//!
//! The core never calls an engine, so no engine is written into it, and asynchronous engines fit
//! as well as synchronous ones. Where a provider's rules allow more than one signed message (Alipay's
//! `\/` retry, the `auto` notification rule, a rotated certificate), the step lists every candidate
//! up front; the engine stops at the first that verifies.

use std::fmt;

use crate::crypto::rsa::Hash;
use crate::error::{Error, Result};

/// An RSASSA-PKCS1-v1_5 signature to produce.
#[derive(Clone, PartialEq, Eq)]
pub struct SignStep {
    /// The private key, by its id in the client's key ring.
    pub key_id: String,
    /// The digest inside the signature.
    pub hash: Hash,
    /// The exact bytes to sign.
    pub message: Vec<u8>,
}

/// One (key, message) pair a signature may be over.
#[derive(Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The public key, by its id in the client's key ring.
    pub key_id: String,
    /// The exact bytes the signature may be over.
    pub message: Vec<u8>,
}

/// An RSASSA-PKCS1-v1_5 signature to check against each candidate in order; the first candidate it
/// verifies for is the answer.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyStep {
    /// The digest inside the signature.
    pub hash: Hash,
    /// The signature as received (base64 already decoded).
    pub signature: Vec<u8>,
    /// At least one candidate.
    pub candidates: Vec<Candidate>,
}

/// What an engine must do before a [`Pending`] can finish.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Nothing (an MD5-signed request, an unsigned gateway refusal): finish with [`Answer::Nothing`].
    Nothing,
    /// Sign: finish with [`Answer::Signature`].
    Sign(SignStep),
    /// Verify: finish with [`Answer::Verified`].
    Verify(VerifyStep),
}

/// An engine's answer to a [`Step`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// To [`Step::Nothing`].
    Nothing,
    /// To [`Step::Sign`]: the signature bytes.
    Signature(Vec<u8>),
    /// To [`Step::Verify`]: the index of the first candidate the signature verifies for, or `None`.
    Verified(Option<usize>),
}

/// An RSA engine that answers steps synchronously. The in-core engine is
/// [`KeyRing`](crate::keys::KeyRing); hosts bring their own (`node:crypto`, WebCrypto) and answer
/// the steps themselves, so asynchronous engines need no implementation of this trait.
pub trait Engine {
    /// The signature `step` asks for.
    fn sign(&self, step: &SignStep) -> Result<Vec<u8>>;
    /// The index of the first candidate `signature` verifies for, or `None`.
    fn verify(&self, step: &VerifyStep) -> Result<Option<usize>>;

    /// The answer to `step`.
    fn answer(&self, step: &Step) -> Result<Answer> {
        match step {
            Step::Nothing => Ok(Answer::Nothing),
            Step::Sign(s) => self.sign(s).map(Answer::Signature),
            Step::Verify(v) => self.verify(v).map(Answer::Verified),
        }
    }
}

type Then<T> = Box<dyn FnOnce(Answer) -> Result<Progress<T>>>;

/// Where an operation stands once a step is answered: finished, or waiting for its next step (a
/// WeChat Pay checkout verifies the prepay reply, then signs the payment parameters).
pub enum Progress<T> {
    /// The operation's result.
    Done(T),
    /// The next step to answer.
    Next(Pending<T>),
}

impl<T: 'static> Progress<T> {
    fn map<U: 'static>(self, f: impl FnOnce(T) -> Result<U> + 'static) -> Result<Progress<U>> {
        match self {
            Progress::Done(value) => f(value).map(Progress::Done),
            Progress::Next(pending) => Ok(Progress::Next(pending.map(f))),
        }
    }
}

/// A prepared operation: the [`Step`] an engine must do, and how the core finishes with its answer.
#[must_use = "a Pending does nothing until an engine answers its step and it is finished"]
pub struct Pending<T> {
    step: Step,
    then: Then<T>,
}

impl<T: 'static> Pending<T> {
    /// An operation that needs no engine.
    pub(crate) fn ready(value: Result<T>) -> Pending<T> {
        Pending { step: Step::Nothing, then: Box::new(move |_| value.map(Progress::Done)) }
    }

    /// An operation that needs `step` signed; `then` gets the signature.
    pub(crate) fn signing(step: SignStep, then: impl FnOnce(Vec<u8>) -> Result<T> + 'static) -> Pending<T> {
        Pending {
            step: Step::Sign(step),
            then: Box::new(move |answer| match answer {
                Answer::Signature(signature) => then(signature).map(Progress::Done),
                _ => Err(wrong_answer()),
            }),
        }
    }

    /// An operation that needs `step` verified; `then` gets the index of the candidate that verified,
    /// or `None`.
    pub(crate) fn verifying(step: VerifyStep, then: impl FnOnce(Option<usize>) -> Result<T> + 'static) -> Pending<T> {
        if step.candidates.is_empty() {
            return Pending::ready(Err(Error::engine("a verification step needs at least one candidate")));
        }
        let count = step.candidates.len();
        Pending {
            step: Step::Verify(step),
            then: Box::new(move |answer| match answer {
                Answer::Verified(index) if index.is_none_or(|i| i < count) => then(index).map(Progress::Done),
                _ => Err(wrong_answer()),
            }),
        }
    }

    /// An operation that needs `step` verified and fails with `invalid` when no candidate verifies;
    /// `then` gets the index of the candidate that did.
    pub(crate) fn verified(
        step: VerifyStep,
        invalid: Error,
        then: impl FnOnce(usize) -> Result<T> + 'static,
    ) -> Pending<T> {
        Pending::verifying(step, move |index| index.map_or(Err(invalid), then))
    }

    /// What an engine must do.
    pub fn step(&self) -> &Step {
        &self.step
    }

    /// Goes on with the engine's answer to [`step`](Self::step): the result, or the next step. An
    /// answer of the wrong kind (a signature to a verification, an index out of range) is
    /// `ERR_ENGINE`.
    pub fn advance(self, answer: Answer) -> Result<Progress<T>> {
        (self.then)(answer)
    }

    /// Finishes a one-step operation with the engine's answer; an operation that needs another
    /// step is `ERR_ENGINE` here (drive those with [`advance`](Self::advance) or [`run`](Self::run)).
    pub fn finish(self, answer: Answer) -> Result<T> {
        match self.advance(answer)? {
            Progress::Done(value) => Ok(value),
            Progress::Next(_) => Err(Error::engine("this operation needs another step; advance it instead")),
        }
    }

    /// Answers every step with a synchronous `engine` and finishes.
    pub fn run(self, engine: &dyn Engine) -> Result<T> {
        let mut pending = self;
        loop {
            let answer = engine.answer(&pending.step)?;
            match pending.advance(answer)? {
                Progress::Done(value) => return Ok(value),
                Progress::Next(next) => pending = next,
            }
        }
    }

    /// The same operation with its result passed through `f` once it finishes.
    pub fn map<U: 'static>(self, f: impl FnOnce(T) -> Result<U> + 'static) -> Pending<U> {
        let then = self.then;
        Pending { step: self.step, then: Box::new(move |answer| then(answer)?.map(f)) }
    }

    /// The same operation followed by the one `f` prepares from its result: one more step for the
    /// engine, answered before the combined operation finishes.
    pub fn and_then<U: 'static>(self, f: impl FnOnce(T) -> Result<Pending<U>> + 'static) -> Pending<U> {
        let then = self.then;
        Pending {
            step: self.step,
            then: Box::new(move |answer| match then(answer)? {
                Progress::Done(value) => f(value).map(Progress::Next),
                Progress::Next(pending) => Ok(Progress::Next(pending.and_then(f))),
            }),
        }
    }
}

impl Pending<Vec<u8>> {
    /// A bare signature over `message` with the private key `key_id`: the signature bytes.
    pub fn signature(key_id: &str, hash: Hash, message: Vec<u8>) -> Pending<Vec<u8>> {
        Pending::signing(SignStep { key_id: key_id.to_owned(), hash, message }, Ok)
    }
}

impl Pending<bool> {
    /// Whether `signature` verifies over `message` with the public key `key_id`. A signature that
    /// could not even be decoded (`None`) is `false` at once, with no engine step.
    pub fn check(key_id: &str, hash: Hash, message: Vec<u8>, signature: Option<Vec<u8>>) -> Pending<bool> {
        let Some(signature) = signature else { return Pending::ready(Ok(false)) };
        let candidates = vec![Candidate { key_id: key_id.to_owned(), message }];
        Pending::verifying(VerifyStep { hash, signature, candidates }, |index| Ok(index.is_some()))
    }
}

fn wrong_answer() -> Error {
    Error::engine("the engine answered a different step than the one asked")
}

/// Names the key and the sizes, never the bytes (a message may hold personal data).
impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Nothing => f.write_str("Nothing"),
            Step::Sign(s) => f
                .debug_struct("Sign")
                .field("key_id", &s.key_id)
                .field("hash", &s.hash)
                .field("message_len", &s.message.len())
                .finish(),
            Step::Verify(v) => f
                .debug_struct("Verify")
                .field("hash", &v.hash)
                .field("keys", &v.candidates.iter().map(|c| c.key_id.as_str()).collect::<Vec<_>>())
                .finish_non_exhaustive(),
        }
    }
}

impl<T> fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending").field("step", &self.step).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify_step(n: usize) -> VerifyStep {
        VerifyStep {
            hash: Hash::Sha256,
            signature: vec![1],
            candidates: (0..n).map(|i| Candidate { key_id: "k".into(), message: vec![i as u8] }).collect(),
        }
    }

    #[test]
    fn answers_of_the_wrong_kind_are_engine_errors() {
        let code = |r: Result<u8>| r.unwrap_err().code();
        let sign = || Pending::signing(SignStep { key_id: "k".into(), hash: Hash::Sha1, message: vec![] }, |_| Ok(1));
        assert_eq!(code(sign().finish(Answer::Verified(Some(0)))), crate::ErrorCode::Engine);
        assert_eq!(sign().finish(Answer::Signature(vec![9])).unwrap(), 1);
        let verify = || Pending::verified(verify_step(2), Error::signature_invalid("no"), |i| Ok(i as u8));
        assert_eq!(code(verify().finish(Answer::Verified(Some(2)))), crate::ErrorCode::Engine);
        assert_eq!(code(verify().finish(Answer::Signature(vec![]))), crate::ErrorCode::Engine);
        assert_eq!(code(verify().finish(Answer::Verified(None))), crate::ErrorCode::SignatureInvalid);
        assert_eq!(verify().finish(Answer::Verified(Some(1))).unwrap(), 1);
        let empty = Pending::verified(verify_step(0), Error::signature_invalid("no"), |_| Ok(0u8));
        assert_eq!(empty.step(), &Step::Nothing);
    }

    #[test]
    fn bare_signatures_and_checks() {
        let undecodable = Pending::check("k", Hash::Sha256, b"m".to_vec(), None);
        assert_eq!(undecodable.step(), &Step::Nothing);
        assert!(!undecodable.finish(Answer::Nothing).unwrap());
        let check = || Pending::check("k", Hash::Sha1, b"m".to_vec(), Some(vec![1]));
        match check().step() {
            Step::Verify(v) => assert_eq!((v.candidates.len(), v.hash), (1, Hash::Sha1)),
            other => panic!("{other:?}"),
        }
        assert!(check().finish(Answer::Verified(Some(0))).unwrap());
        assert!(!check().finish(Answer::Verified(None)).unwrap());
        let sign = Pending::signature("k", Hash::Sha256, b"m".to_vec());
        assert!(matches!(sign.step(), Step::Sign(s) if s.key_id == "k" && s.message == b"m"));
        assert_eq!(sign.finish(Answer::Signature(vec![5])).unwrap(), vec![5]);
    }

    /// An engine that signs with the message itself and verifies the candidate equal to the signature.
    struct Echo;
    impl Engine for Echo {
        fn sign(&self, step: &SignStep) -> Result<Vec<u8>> {
            Ok(step.message.clone())
        }
        fn verify(&self, step: &VerifyStep) -> Result<Option<usize>> {
            Ok(step.candidates.iter().position(|c| c.message == step.signature))
        }
    }

    #[test]
    fn chained_operations_take_one_step_after_another() {
        let chained = || {
            Pending::check("k", Hash::Sha256, b"m".to_vec(), Some(b"m".to_vec()))
                .and_then(|ok| Ok(Pending::signature("k", Hash::Sha256, vec![u8::from(ok)])))
        };
        assert_eq!(chained().run(&Echo).unwrap(), vec![1]);
        // Driven by hand: the verification, then the signature.
        let Progress::Next(next) = chained().advance(Answer::Verified(None)).unwrap() else { panic!("one more step") };
        assert!(matches!(next.step(), Step::Sign(s) if s.message == [0]));
        assert!(matches!(next.advance(Answer::Signature(vec![7])).unwrap(), Progress::Done(s) if s == [7]));
        // finish() refuses to drop the second step.
        assert_eq!(chained().finish(Answer::Verified(Some(0))).unwrap_err().code(), crate::ErrorCode::Engine);
        // A failure in the first step ends the operation.
        let refused = Pending::verified(verify_step(1), Error::signature_invalid("no"), |_| Ok(()))
            .and_then(|()| Ok(Pending::signature("k", Hash::Sha256, vec![])));
        assert!(
            matches!(refused.advance(Answer::Verified(None)), Err(e) if e.code() == crate::ErrorCode::SignatureInvalid)
        );
    }
}
