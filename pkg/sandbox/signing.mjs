// The node:crypto signing helpers the stand-ins share (they never sign or verify with aggpay).
import crypto from 'node:crypto';

/** `k=v&…` over the fields `keep(name, value)` accepts, names sorted byte-wise, raw values. */
export function signingString(fields, keep) {
  return Object.keys(fields)
    .filter((k) => keep(k, fields[k]))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
}

/** The base64 RSA (PKCS#1 v1.5) signature of UTF-8 `text`; `hash` is 'sha256' or 'sha1'. */
export function rsaSignText(hash, text, privateKey) {
  return crypto.sign(hash, Buffer.from(text, 'utf8'), privateKey).toString('base64');
}

/** Whether `signature` is strict base64 and a good RSA signature of UTF-8 `text`; false on any error. */
export function rsaVerifyText(hash, text, publicKey, signature) {
  if (typeof signature !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return crypto.verify(hash, Buffer.from(text, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** A fresh 2048-bit RSA key pair `{ publicKey, privateKey }` (KeyObjects), generated off the main thread. */
export function generateRsaKeys() {
  return new Promise((resolve, reject) =>
    crypto.generateKeyPair('rsa', { modulusLength: 2048 }, (e, publicKey, privateKey) => (e ? reject(e) : resolve({ publicKey, privateKey }))),
  );
}
