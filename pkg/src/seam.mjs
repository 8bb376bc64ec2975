// The driver of the two-step seam: the core prepares a step (a `Pending`), the chosen engine does
// the RSA work, the core finishes. One driver for every engine; the synchronous and asynchronous
// forms differ only in `await`. No rules here: which bytes, which keys and what an answer means are
// the core's.
import { AggpayError } from './errors.mjs';

function engineFailure(engine, what, error) {
  if (error instanceof AggpayError) return error;
  return new AggpayError(`${engine.name} engine: RSA ${what} failed`, { code: 'ERR_ENGINE' });
}

/** Answers `pending` with a synchronous engine and finishes it; `inner` is the core object. */
export function runSync(pending, engine, inner) {
  try {
    if (engine.inWasm) return inner.__runInWasm(pending);
    switch (pending.kind) {
      case 'sign': {
        let signature;
        try {
          signature = engine.sign(pending.keyId, pending.hash, pending.message);
        } catch (error) {
          throw engineFailure(engine, 'signing', error);
        }
        return pending.finishSigned(signature);
      }
      case 'verify': {
        const { hash, signature, candidates } = pending;
        for (let i = 0; i < candidates.length; i += 1) {
          let valid;
          try {
            valid = engine.verify(candidates[i][0], hash, candidates[i][1], signature);
          } catch (error) {
            throw engineFailure(engine, 'verification', error);
          }
          if (valid === true) return pending.finishVerified(i);
        }
        return pending.finishVerified(-1);
      }
      default:
        return pending.finishNothing();
    }
  } finally {
    pending.free();
  }
}

/**
 * The same with an engine that may be asynchronous. Everything that needs the core object (`inner`)
 * happens before the first `await`: key imports start at once, and the client may be freed while
 * the engine works.
 */
export async function runAsync(pending, engine, inner) {
  if (engine.inWasm || pending.kind === 'nothing') return runSync(pending, engine, inner);
  try {
    if (pending.kind === 'sign') {
      const { keyId, hash, message } = pending;
      engine.load?.(keyId, hash, 'sign');
      let signature;
      try {
        signature = await engine.sign(keyId, hash, message);
      } catch (error) {
        throw engineFailure(engine, 'signing', error);
      }
      return pending.finishSigned(signature);
    }
    const { hash, signature, candidates } = pending;
    for (const [keyId] of candidates) engine.load?.(keyId, hash, 'verify');
    for (let i = 0; i < candidates.length; i += 1) {
      let valid;
      try {
        valid = await engine.verify(candidates[i][0], hash, candidates[i][1], signature);
      } catch (error) {
        throw engineFailure(engine, 'verification', error);
      }
      if (valid === true) return pending.finishVerified(i);
    }
    return pending.finishVerified(-1);
  } finally {
    pending.free();
  }
}
