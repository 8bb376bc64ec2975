// The engine table the engine suites share: which engine answers each form under each `engine`
// choice on Node, a spy that sees which engine did the RSA work of a call, and calls in either form
// (`name` or `nameAsync`) checked against the table.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { AggpayError } from 'aggpay';
import { expectAggpayError } from './helpers.mjs';

export const CHOICES = ['node', 'wasm', 'webcrypto', 'auto'];
export const FORMS = ['sync', 'async'];
/** Which engine answers each form under each choice, on Node. */
export const EXPECTED = Object.freeze({
  node: { sync: 'node', async: 'node' },
  wasm: { sync: 'wasm', async: 'wasm' },
  webcrypto: { sync: 'node', async: 'webcrypto' },
  auto: { sync: 'node', async: 'node' },
});

// The package's node engine calls `sign`/`verify` on the node:crypto module object (dist/node.cjs),
// and the webcrypto engine calls `globalThis.crypto.subtle.sign`/`verify`: counting those calls
// while a library call runs shows which engine worked. The reference signatures of this file are
// always computed outside such a window.
const nodeCrypto = createRequire(import.meta.url)('node:crypto');

/** Runs `fn` (sync or async) and counts the RSA operations node:crypto and crypto.subtle did meanwhile. */
export async function observe(fn) {
  const counts = { node: 0, webcrypto: 0 };
  const subtle = globalThis.crypto.subtle;
  const saved = { sign: nodeCrypto.sign, verify: nodeCrypto.verify };
  const proto = Object.getPrototypeOf(subtle);
  /** Stands in for `original`: counts one operation of `engine` a call, then delegates. */
  const counted = (engine, original) => function counted(...args) {
    counts[engine] += 1;
    return original.apply(this, args);
  };
  nodeCrypto.sign = counted('node', saved.sign);
  nodeCrypto.verify = counted('node', saved.verify);
  subtle.sign = counted('webcrypto', proto.sign);
  subtle.verify = counted('webcrypto', proto.verify);
  try {
    const value = await fn();
    return { value, counts };
  } finally {
    nodeCrypto.sign = saved.sign;
    nodeCrypto.verify = saved.verify;
    delete subtle.sign;
    delete subtle.verify;
  }
}

/** Asserts that exactly `engine` did RSA work ('wasm' and 'none': neither host engine did). */
export function assertEngineUsed(counts, engine, what) {
  const detail = `${what}: expected the ${engine} engine, saw node:crypto ${counts.node}×, crypto.subtle ${counts.webcrypto}×`;
  if (engine === 'node') assert.ok(counts.node > 0 && counts.webcrypto === 0, detail);
  else if (engine === 'webcrypto') assert.ok(counts.webcrypto > 0 && counts.node === 0, detail);
  else assert.ok(counts.node === 0 && counts.webcrypto === 0, detail);
}

/** `target[name](...args)` (sync) or `await target[name + 'Async'](...args)`, which must return a Promise. */
export function invoke(form, target, name, args) {
  if (form === 'sync') return target[name](...args);
  const promise = target[`${name}Async`](...args);
  assert.ok(promise instanceof Promise, `${name}Async returns a Promise`);
  return promise;
}

/**
 * Calls `name` in `form` on a client whose engine choice is `choice`, checks that the engine of the
 * table did the RSA work (`engine` overrides the table: 'none' for MD5), and returns the result.
 */
export async function exec(choice, form, what, target, name, args, { engine } = {}) {
  const { value, counts } = await observe(() => invoke(form, target, name, args));
  assertEngineUsed(counts, engine ?? EXPECTED[choice][form], `${what} (${name}${form === 'async' ? 'Async' : ''})`);
  return value;
}

export function assertAggpayErrorShape(error, code, what) {
  assert.ok(error instanceof AggpayError, `${what}: expected an AggpayError ${code}, got ${error?.constructor?.name}: ${error?.message}`);
  assert.ok(error instanceof Error, `${what}: AggpayError is an Error`);
  assert.equal(error.code, code, `${what}: code (${error.message})`);
}

/**
 * The call fails with `code`: the sync form throws; the Async form never throws synchronously and
 * returns a Promise that rejects. Returns the error.
 */
export async function expectFailure(form, what, target, name, args, code) {
  if (form === 'sync') return expectAggpayError(() => target[name](...args), code, `${what} (${name})`);
  let promise;
  try {
    promise = target[`${name}Async`](...args);
  } catch (error) {
    assert.fail(`${what}: ${name}Async threw synchronously (${error?.code}: ${error?.message}) instead of returning a rejected Promise`);
  }
  assert.ok(promise instanceof Promise, `${what}: ${name}Async returns a Promise`);
  const error = await promise.then(
    (value) => assert.fail(`${what}: ${name}Async resolved (${JSON.stringify(value)?.slice(0, 200)}) instead of rejecting with ${code}`),
    (e) => e,
  );
  assertAggpayErrorShape(error, code, `${what} (${name}Async)`);
  return error;
}
