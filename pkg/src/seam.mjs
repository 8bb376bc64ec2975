// The driver of the two-step seam: the core prepares a step (a `Pending`), the chosen engine does
// the RSA work, the core finishes. One driver for every engine: `answer` walks the step and yields
// each engine call; `runSync` makes those calls directly and `runAsync` awaits them — nothing else
// differs. No rules here: which bytes, which keys and what an answer means are the core's.
import { AggpayError } from './errors.mjs';

/**
 * Answers `pending` with `engine`, yielding `[call, what]` for each engine call and receiving its
 * result; returns what the core finishes with. Every key the step names is loaded before the first
 * call (`load`), so an asynchronous engine needs nothing from the client after its first `await`.
 */
function* answer(pending, engine) {
  switch (pending.kind) {
    case 'sign': {
      const { keyId, hash, message } = pending;
      engine.load?.(keyId, hash, 'sign');
      return pending.finishSigned(yield [() => engine.sign(keyId, hash, message), 'signing']);
    }
    case 'verify': {
      const { hash, signature, candidates } = pending;
      for (const [keyId] of candidates) engine.load?.(keyId, hash, 'verify');
      for (let i = 0; i < candidates.length; i += 1) {
        const [keyId, message] = candidates[i];
        if ((yield [() => engine.verify(keyId, hash, message, signature), 'verification']) === true) {
          return pending.finishVerified(i);
        }
      }
      return pending.finishVerified(-1);
    }
    default:
      return pending.finishNothing();
  }
}

function engineFailure(engine, what, error) {
  if (error instanceof AggpayError) return error;
  return new AggpayError(`${engine.name} engine: RSA ${what} failed`, { code: 'ERR_ENGINE' });
}

/** Answers `pending` with a synchronous engine and finishes it; `inner` is the core object. */
export function runSync(pending, engine, inner) {
  try {
    if (engine.inWasm) return inner.__runInWasm(pending);
    const steps = answer(pending, engine);
    let next = steps.next();
    while (!next.done) {
      const [call, what] = next.value;
      let result;
      try {
        result = call();
      } catch (error) {
        throw engineFailure(engine, what, error);
      }
      next = steps.next(result);
    }
    return next.value;
  } finally {
    pending.free();
  }
}

/** The same with an engine that may be asynchronous; the client may be freed while it works. */
export async function runAsync(pending, engine, inner) {
  if (engine.inWasm) return runSync(pending, engine, inner);
  try {
    const steps = answer(pending, engine);
    let next = steps.next();
    while (!next.done) {
      const [call, what] = next.value;
      let result;
      try {
        result = await call();
      } catch (error) {
        throw engineFailure(engine, what, error);
      }
      next = steps.next(result);
    }
    return next.value;
  } finally {
    pending.free();
  }
}
