// The driver of the two-step seam: the core prepares a step (a `Pending`), the chosen engine does
// the RSA work, the core finishes. One driver for every engine: `answer` walks the step and yields
// each engine call; `runSync` makes those calls directly and `runAsync` awaits them — nothing else
// differs. No rules here: which bytes, which keys and what an answer means are the core's.
import { AggpayError, fromCaller } from './errors.mjs';

const NOTHING = 0;
const SIGN = 1;

/**
 * Answers `pending` with `engine`, step after step, yielding `[call, what]` for each engine call
 * and receiving its result; returns what the core finishes with. The step comes as one record (`layout`: kind, count,
 * then `ptr, len` of each byte string in `memory`) and its labels (the digest, then a key id per
 * message). Every key the step names is loaded first (`load`: it may grow Wasm memory), then the
 * engine gets views of the bytes where they lie — or copies (`copy`), for an engine that awaits
 * before it reads them.
 */
function* answer(pending, engine, memory, copy) {
  for (;;) {
    const result = yield* answerStep(pending, engine, memory, copy);
    if (!pending.__more) return result;
  }
}

/** One step of `pending` (an operation may take several: its finish leaves `__more` set). */
function* answerStep(pending, engine, memory, copy) {
  const layout = pending.layout();
  if (layout[0] === NOTHING) return pending.finishNothing();
  const [hash, ...keyIds] = pending.labels();
  const usage = layout[0] === SIGN ? 'sign' : 'verify';
  for (const keyId of keyIds) engine.load?.(keyId, hash, usage);
  const bytes = (at) => {
    const view = new Uint8Array(memory.buffer, layout[at], layout[at + 1]);
    return copy ? view.slice() : view;
  };
  if (usage === 'sign') {
    const message = bytes(2);
    return pending.finishSigned(yield [() => engine.sign(keyIds[0], hash, message), 'signing']);
  }
  const signature = bytes(2);
  for (let i = 0; i < keyIds.length; i += 1) {
    const message = bytes(4 + 2 * i);
    if ((yield [() => engine.verify(keyIds[i], hash, message, signature), 'verification']) === true) {
      return pending.finishVerified(i);
    }
  }
  return pending.finishVerified(-1);
}

function engineFailure(engine, what, error) {
  if (error instanceof AggpayError) return error;
  return new AggpayError(`${engine.name} engine: RSA ${what} failed`, { code: 'ERR_ENGINE' });
}

/** Answers `pending` with a synchronous engine and finishes it; `inner` holds the keys (the core object, or the pending itself when it carries them), `memory` is its instance's. */
export function runSync(pending, engine, inner, memory) {
  try {
    if (engine.inWasm) return inner.__runInWasm(pending);
    const steps = answer(pending, engine, memory, false);
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

/**
 * The same with an engine that may be asynchronous; the client may be freed while it works. Its
 * errors' stacks are taken again where it rejects: after an await, the caller's frames are the async
 * ones (`at async handler (…)`), which the glue's frames would otherwise push out of the stack.
 */
export async function runAsync(pending, engine, inner, memory) {
  try {
    return await driveAsync(pending, engine, inner, memory);
  } catch (error) {
    throw fromCaller(error, runAsync);
  }
}

async function driveAsync(pending, engine, inner, memory) {
  if (engine.inWasm) return runSync(pending, engine, inner, memory);
  try {
    const steps = answer(pending, engine, memory, true);
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
