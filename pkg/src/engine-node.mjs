// The node engine: RSA through node:crypto (OpenSSL), synchronous — about 17x faster signing than
// in Wasm. A client's keys become KeyObjects on first use, from the DER its core exports; the Rust
// core still builds every byte that is signed and decides what every answer means.
import { createRequire } from 'node:module';

// node:crypto is loaded by the first key, not by `require('aggpay')`: loading it costs a few ms of
// a cold start that may never sign.
let nodeCrypto = null;
const loadNodeCrypto = () => (nodeCrypto ??= createRequire(import.meta.url)('node:crypto'));

/** The node engine over one client's keys (`keyDer(id)` exports a key's DER from the core). */
export function nodeEngine(keyDer) {
  const keys = new Map();
  const key = (id, type) => {
    let keyObject = keys.get(id);
    if (keyObject === undefined) {
      const der = keyDer(id);
      try {
        const { createPrivateKey, createPublicKey } = loadNodeCrypto();
        keyObject = type === 'pkcs8'
          ? createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type })
          : createPublicKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type });
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
    sign: (id, hash, message) => nodeCrypto.sign(hash, message, key(id, 'pkcs8')),
    verify: (id, hash, message, signature) => nodeCrypto.verify(hash, message, key(id, 'spki'), signature),
  };
}
