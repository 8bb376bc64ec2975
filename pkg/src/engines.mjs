// The engines, and which one a client uses. Every engine answers the same steps the core prepares
// (seam.mjs): `wasm` in the core itself (synchronous, everywhere), `node` through node:crypto
// (synchronous, Node only, engine-node.mjs), `webcrypto` through crypto.subtle (asynchronous:
// workerd, browsers, Deno, Node). Outputs are byte-identical: PKCS#1 v1.5 signing is deterministic.
import { AggpayError } from './errors.mjs';

const ALGORITHM = 'RSASSA-PKCS1-v1_5';
const WEB_HASHES = { sha256: 'SHA-256', sha1: 'SHA-1' };

/** The in-core engine; the driver hands the whole step to the core (`__runInWasm`). */
export const wasmEngine = Object.freeze({ name: 'wasm', inWasm: true });

/**
 * The webcrypto engine over one client's keys: each key is imported once per hash (WebCrypto binds
 * the hash to the key) as a non-extractable CryptoKey and cached; the exported DER is wiped once
 * imported. `load` starts an import synchronously, so the driver can start every import it needs
 * before its first `await`.
 */
export function webcryptoEngine(keyDer, subtle) {
  const keys = new Map();
  const load = (id, hash, usage) => {
    const cacheKey = `${usage} ${hash} ${id}`;
    let promise = keys.get(cacheKey);
    if (promise === undefined) {
      const der = keyDer(id);
      const format = usage === 'sign' ? 'pkcs8' : 'spki';
      promise = Promise.resolve()
        .then(() => subtle.importKey(format, der, { name: ALGORITHM, hash: WEB_HASHES[hash] }, false, [usage]))
        .finally(() => der.fill(0));
      promise.catch(() => {}); // reported by the operation that awaits it
      keys.set(cacheKey, promise);
    }
    return promise;
  };
  return {
    name: 'webcrypto',
    load,
    sign: async (id, hash, message) => new Uint8Array(await subtle.sign(ALGORITHM, await load(id, hash, 'sign'), message)),
    verify: async (id, hash, message, signature) => subtle.verify(ALGORITHM, await load(id, hash, 'verify'), signature, message),
  };
}

const CHOICES = ['auto', 'node', 'wasm', 'webcrypto'];

/**
 * What `engine: …` means in this runtime. `node` is the node engine factory on Node, else null.
 * Returns `select(choice, keyDer) → { sync, async }`: the engine of the synchronous methods and of
 * the `…Async` ones.
 *
 * - `auto` (default): node for both on Node; elsewhere wasm for synchronous calls and webcrypto for
 *   asynchronous ones.
 * - `node`: node for both (Node only). `wasm`: wasm for both.
 * - `webcrypto`: webcrypto for asynchronous calls; synchronous calls, which WebCrypto cannot serve,
 *   use node on Node and wasm elsewhere.
 */
export function engineSelector(node) {
  return function select(choice, keyDer) {
    const subtle = globalThis.crypto?.subtle;
    const web = () => {
      if (!subtle) throw engineError('the webcrypto engine needs crypto.subtle, which this runtime lacks; use engine: \'wasm\'');
      return webcryptoEngine(keyDer, subtle);
    };
    const both = (engine) => ({ sync: engine, async: engine });
    switch (choice ?? 'auto') {
      case 'auto':
        if (node) return both(node(keyDer));
        return { sync: wasmEngine, async: subtle ? webcryptoEngine(keyDer, subtle) : wasmEngine };
      case 'node':
        if (!node) throw engineError('the node engine is only available on Node.js; use engine: \'auto\', \'wasm\' or \'webcrypto\'');
        return both(node(keyDer));
      case 'wasm':
        return both(wasmEngine);
      case 'webcrypto':
        return { sync: node ? node(keyDer) : wasmEngine, async: web() };
      default:
        throw new AggpayError(
          `unknown engine; use ${CHOICES.map((c) => `'${c}'`).join(', ')}`,
          { code: 'ERR_BAD_INPUT' },
        );
    }
  };
}

function engineError(message) {
  return new AggpayError(message, { code: 'ERR_ENGINE' });
}
