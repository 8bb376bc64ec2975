// The node engine: RSA through node:crypto (OpenSSL), synchronous — about 17x faster signing than
// in Wasm. A client's keys become KeyObjects on first use, from the DER its core exports; the Rust
// core still builds every byte that is signed and decides what every answer means.
import { createRequire } from 'node:module';
import { AggpayError } from './errors.mjs';

// node:crypto is loaded by the first key, not by `require('aggpay')`: loading it costs a few ms of
// a cold start that may never sign.
let nodeCrypto = null;
const loadNodeCrypto = () => (nodeCrypto ??= createRequire(import.meta.url)('node:crypto'));

const PROBE = Buffer.from('aggpay: does this private key sign what its public key verifies?');

/**
 * `privateKey` once it has signed a probe that its own public key verifies. The core checks a key's
 * structure and public numbers when it loads it, but leaves the arithmetic (do the primes and the
 * exponents agree?) to whoever signs: the `rsa` crate on the first signature in Wasm, and here
 * node:crypto, whose import checks none of it.
 */
function checked(privateKey) {
  const { createPublicKey, sign, verify } = nodeCrypto;
  if (!verify('sha256', PROBE, createPublicKey(privateKey), sign('sha256', PROBE, privateKey))) {
    throw new AggpayError('node engine: the private key\'s numbers do not agree (not a valid RSA private key)', { code: 'ERR_KEY_INVALID' });
  }
  return privateKey;
}

/** The node engine over one client's keys (`keyDer(id)` exports a key's DER from the core). */
export function nodeEngine(keyDer) {
  const keys = new Map();
  const key = (id, type) => {
    let keyObject = keys.get(id);
    if (keyObject === undefined) {
      const der = keyDer(id);
      try {
        const { createPrivateKey, createPublicKey } = loadNodeCrypto();
        const input = { key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type };
        keyObject = type === 'pkcs8' ? checked(createPrivateKey(input)) : createPublicKey(input);
      } catch (error) {
        if (error instanceof AggpayError) throw error;
        throw new AggpayError(`node engine: node:crypto refused the ${type === 'pkcs8' ? 'private' : 'public'} key`, { code: 'ERR_KEY_INVALID' });
      } finally {
        der.fill(0);
      }
      keys.set(id, keyObject);
    }
    return keyObject;
  };
  return {
    name: 'node',
    // Creates the KeyObject now: the driver calls this for every key a step names before it awaits.
    load: (id, hash, usage) => {
      key(id, usage === 'sign' ? 'pkcs8' : 'spki');
    },
    sign: (id, hash, message) => loadNodeCrypto().sign(hash, message, key(id, 'pkcs8')),
    verify: (id, hash, message, signature) => loadNodeCrypto().verify(hash, message, key(id, 'spki'), signature),
  };
}
