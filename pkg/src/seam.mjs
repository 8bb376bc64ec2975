// The driver of the two-step seam: the core prepares a step (a `Pending`), the chosen engine does
// the RSA work, the core finishes. One driver for every engine: `answer` walks the step and yields
// each engine call; `runSync` makes those calls directly and `runAsync` awaits them — nothing else
// differs. No rules here: which bytes, which keys and what an answer means are the core's.
import { AggpayError, fromCaller } from './errors.mjs';

const SIGN = 1;

/**
 * Answers `pending` with `engine`, step after step, yielding `[call, what]` for each engine call
 * and receiving its result; returns what the core finishes with. A step comes as one record
 * (`layout`, JSON: kind, whether it carries its own keys, the digest, then `ptr, len` of each byte
 * string in `memory` and the id of the key for each message). A step that carries its own keys is
 * answered by `ownEngine()` instead, an engine made over those keys alone. Every key the step names
 * is loaded first (`load`: it may grow Wasm memory), then the engine gets views of the bytes where
 * they lie — or copies (`copy`), for an engine that awaits before it reads them.
 */
function* answer(pending, engine, memory, copy, ownEngine) {
  let own = null;
  for (;;) {
    const layout = JSON.parse(pending.layout());
    const stepEngine = layout[1] ? (own ??= ownEngine()) : engine;
    const result = yield* answerStep(pending, layout, stepEngine, memory, copy);
    // A finished operation's result is never undefined; undefined means another step is in place.
    if (result !== undefined || !pending.__more) return result;
  }
}

/** One step of `pending`, described by `layout` (an operation may take several). */
function* answerStep(pending, layout, engine, memory, copy) {
  const hash = layout[2];
  const usage = layout[0] === SIGN ? 'sign' : 'verify';
  const bytes = (at) => {
    const view = new Uint8Array(memory.buffer, layout[at], layout[at + 1]);
    return copy ? view.slice() : view;
  };
  if (usage === 'sign') {
    const keyId = layout[5];
    engine.load?.(keyId, hash, usage);
    const message = bytes(3);
    return pending.finishSigned(yield [() => engine.sign(keyId, hash, message), 'signing']);
  }
  for (let at = 7; at < layout.length; at += 3) engine.load?.(layout[at], hash, usage);
  const signature = bytes(3);
  for (let at = 5, i = 0; at < layout.length; at += 3, i += 1) {
    const message = bytes(at);
    if ((yield [() => engine.verify(layout[at + 2], hash, message, signature), 'verification']) === true) {
      return pending.finishVerified(i);
    }
  }
  return pending.finishVerified(-1);
}

function engineFailure(engine, what, error) {
  if (error instanceof AggpayError) return error;
  return new AggpayError(`${engine.name} engine: RSA ${what} failed`, { code: 'ERR_ENGINE' });
}

/**
 * Answers `pending` with a synchronous engine and finishes it. `inner` is the core object that made
 * it (its `__runInWasm` is the wasm engine), `memory` its instance's; `ownEngine()` makes the engine
 * of the same kind for a step that carries its own keys.
 */
export function runSync(pending, engine, inner, memory, ownEngine) {
  try {
    if (engine.inWasm) return inner.__runInWasm(pending);
    const steps = answer(pending, engine, memory, false, ownEngine);
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
export async function runAsync(pending, engine, inner, memory, ownEngine) {
  try {
    return await driveAsync(pending, engine, inner, memory, ownEngine);
  } catch (error) {
    throw fromCaller(error, runAsync);
  }
}

async function driveAsync(pending, engine, inner, memory, ownEngine) {
  if (engine.inWasm) return runSync(pending, engine, inner, memory, ownEngine);
  try {
    const steps = answer(pending, engine, memory, true, ownEngine);
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
