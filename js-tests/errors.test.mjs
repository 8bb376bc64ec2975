// Bad inputs: each one is an AggpayError with the right code, never a crash, never an echo of key
// material; and after every one the same module instance still signs correctly.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import util from 'node:util';
import { describe, it, before, afterEach } from 'node:test';
import { AggpayError, Alipay, Certificate, Checkout, RsaSigner, RsaVerifier, primitives } from 'aggpay';
import { assertBytesEqual, expectAggpayError, fixturesDir, hex, rsaKeyPair, utf8 } from './helpers.mjs';
import fs from 'node:fs';
import path from 'node:path';

const ENGINES = ['wasm', 'node'];

let pair;
let signers; // created once, before any bad input: they must keep working
const probe = utf8('still signs after a bad input 仍然可以签名');
let probeSignature;
let quick; // a 1024-bit wasm signer checked after every single bad input

before(() => {
  pair = rsaKeyPair(2048);
  signers = ENGINES.map((engine) => new RsaSigner(pair.pkcs8Pem, { engine }));
  probeSignature = crypto.sign('sha256', probe, pair.privateKey);
  const small = rsaKeyPair(1024);
  quick = { signer: new RsaSigner(small.pkcs8Pem, { engine: 'wasm' }), signature: crypto.sign('sha256', probe, small.privateKey) };
});

/** After every test: the instance-wide state is intact (old and new objects sign like node). */
afterEach(() => {
  for (const signer of signers) assertBytesEqual(signer.sign(probe), probeSignature, `existing ${signer.engine} signer after the test`);
  const fresh = new RsaSigner(pair.pkcs1Pem, { engine: 'wasm' });
  assertBytesEqual(fresh.sign(probe), probeSignature, 'a new wasm signer after the test');
  fresh.free();
  assert.equal(new RsaVerifier(pair.spkiPem, { engine: 'wasm' }).verify(probe, probeSignature), true, 'a new verifier after the test');
});

/** Every 16-character window of a key's base64 body: none may appear in an error. */
function secretWindows(keyText) {
  const body = keyText.replace(/-----[^-]+-----/g, '').replace(/\\n|\s/g, '');
  const windows = new Set();
  for (let i = 0; i + 16 <= body.length; i++) windows.add(body.slice(i, i + 16));
  return windows;
}

function assertNoKeyMaterial(error, keyText, what) {
  const windows = secretWindows(keyText);
  const surfaces = {
    message: String(error.message),
    'String(err)': String(error),
    stack: String(error.stack),
    'util.inspect(err)': util.inspect(error, { depth: 5 }),
    'JSON.stringify(err)': JSON.stringify(error),
  };
  for (const [surface, text] of Object.entries(surfaces)) {
    for (const w of windows) {
      assert.ok(!text.includes(w), `${what}: ${surface} contains key material ${JSON.stringify(w)}`);
    }
  }
}

/**
 * expectAggpayError + no key material in any surface of the error (when `keyText` is given) + the
 * module instance still signs like node right after this bad input.
 */
function expectKeyError(fn, codes, keyText, what) {
  const error = expectAggpayError(fn, codes, what);
  if (keyText) assertNoKeyMaterial(error, keyText, what);
  assertBytesEqual(quick.signer.sign(probe), quick.signature, `${what}: the module no longer signs correctly after this input`);
  return error;
}

/**
 * Like expectKeyError, but records what went wrong (to report every failing case at once); the
 * instance must still sign right after, whatever happened.
 */
function collectProblem(problems, fn, codes, what) {
  try {
    fn();
    problems.push(`${what}: no error`);
  } catch (error) {
    if (!(error instanceof AggpayError)) problems.push(`${what}: ${error?.constructor?.name}: ${error?.message}`);
    else if (!codes.includes(error.code)) problems.push(`${what}: ${error.code} (${error.message})`);
  }
  const after = hex(quick.signer.sign(probe));
  if (after !== hex(quick.signature)) problems.push(`${what}: the module no longer signs correctly afterwards`);
}

describe('keys of the wrong kind', () => {
  it('a public key given as a private key: ERR_KEY_INVALID naming the role', () => {
    for (const [name, text] of [['SPKI PEM', pair.spkiPem], ['PKCS#1 public PEM', pair.pkcs1PublicPem], ['bare SPKI base64', pair.spkiDer.toString('base64')]]) {
      for (const engine of ENGINES) {
        const error = expectKeyError(() => new RsaSigner(text, { engine, role: 'app private key' }), 'ERR_KEY_INVALID', text, `${name} to RsaSigner (${engine})`);
        assert.match(error.message, /app private key/, `${name}: the message names the role`);
        assert.match(error.message, /public key/i, `${name}: the message says what was found`);
      }
    }
  });

  it('a private key given as a public key: ERR_KEY_INVALID naming the role', () => {
    for (const [name, text] of [['PKCS#8 PEM', pair.pkcs8Pem], ['PKCS#1 PEM', pair.pkcs1Pem], ['bare PKCS#8 base64', pair.pkcs8Der.toString('base64')], ['bare PKCS#1 base64', pair.pkcs1Der.toString('base64')]]) {
      for (const engine of ENGINES) {
        const error = expectKeyError(() => new RsaVerifier(text, { engine, role: 'alipay public key' }), 'ERR_KEY_INVALID', text, `${name} to RsaVerifier (${engine})`);
        assert.match(error.message, /alipay public key/, `${name}: the message names the role`);
        assert.match(error.message, /private key/i, `${name}: the message says what was found`);
      }
    }
  });

  it('a certificate given to RsaSigner: ERR_KEY_INVALID naming the role', () => {
    const certText = fs.readFileSync(path.join(fixturesDir, 'wechatpay/java-sdk/merchant_certificate.pem'), 'utf8');
    for (const text of [certText, certText.replace(/-----[^-]+-----|\s/g, '')]) {
      const error = expectKeyError(() => new RsaSigner(text, { role: 'merchant private key' }), 'ERR_KEY_INVALID', text, 'certificate to RsaSigner');
      assert.match(error.message, /merchant private key/);
      assert.match(error.message, /certificate/i);
    }
  });

  it('keys and certificates given to Certificate.parse / parseChain: ERR_CERT_INVALID', () => {
    for (const text of [pair.pkcs8Pem, pair.spkiPem, pair.pkcs1Der.toString('base64')]) {
      expectKeyError(() => Certificate.parse(text), 'ERR_CERT_INVALID', text, 'key to Certificate.parse');
      expectKeyError(() => Certificate.parseChain(text), 'ERR_CERT_INVALID', text, 'key to Certificate.parseChain');
    }
  });

  it('an EC (P-256) or Ed25519 key given to RsaSigner / RsaVerifier: ERR_KEY_INVALID', () => {
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ed = crypto.generateKeyPairSync('ed25519');
    const privates = [
      ['EC PKCS#8 PEM', ec.privateKey.export({ type: 'pkcs8', format: 'pem' })],
      ['EC SEC1 PEM', ec.privateKey.export({ type: 'sec1', format: 'pem' })],
      ['EC PKCS#8 bare base64', ec.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64')],
      ['Ed25519 PKCS#8 PEM', ed.privateKey.export({ type: 'pkcs8', format: 'pem' })],
    ];
    const publics = [
      ['EC SPKI PEM', ec.publicKey.export({ type: 'spki', format: 'pem' })],
      ['EC SPKI bare base64', ec.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')],
      ['Ed25519 SPKI PEM', ed.publicKey.export({ type: 'spki', format: 'pem' })],
    ];
    for (const engine of ENGINES) {
      for (const [name, text] of privates) {
        expectKeyError(() => new RsaSigner(text, { engine, role: 'ec test' }), 'ERR_KEY_INVALID', text, `${name} to RsaSigner (${engine})`);
        expectKeyError(() => new RsaVerifier(text, { engine }), 'ERR_KEY_INVALID', text, `${name} to RsaVerifier (${engine})`);
      }
      for (const [name, text] of publics) {
        expectKeyError(() => new RsaVerifier(text, { engine, role: 'ec test' }), 'ERR_KEY_INVALID', text, `${name} to RsaVerifier (${engine})`);
        expectKeyError(() => new RsaSigner(text, { engine }), 'ERR_KEY_INVALID', text, `${name} to RsaSigner (${engine})`);
      }
    }
  });
});

describe('malformed key text', () => {
  it('garbage, empty and whitespace-only texts: ERR_KEY_INVALID / ERR_CERT_INVALID', () => {
    const texts = [
      ['empty string', ''],
      ['whitespace only', ' \n\t\r\n '],
      ['literal \\n only', '\\n\\n'],
      ['plain words', 'this is not a key'],
      ['punctuation', '!!!###$$$%%%'],
      ['base64 of random bytes', crypto.randomBytes(300).toString('base64')],
      ['base64 of nothing useful', 'AAAA'],
      ['a PEM block of another kind', '-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n'],
      ['a PEM block with a non-base64 body', '-----BEGIN PRIVATE KEY-----\n@@@@not base64@@@@\n-----END PRIVATE KEY-----\n'],
      ['an empty PEM block', '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n'],
      ['NUL bytes', '\u0000\u0000\u0000'],
      ['a JSON object', '{"privateKey":"MIIE"}'],
    ];
    for (const [name, text] of texts) {
      for (const engine of ENGINES) {
        expectKeyError(() => new RsaSigner(text, { engine }), 'ERR_KEY_INVALID', null, `${name}: RsaSigner (${engine})`);
        expectKeyError(() => new RsaVerifier(text, { engine }), ['ERR_KEY_INVALID', 'ERR_CERT_INVALID'], null, `${name}: RsaVerifier (${engine})`);
      }
      expectKeyError(() => Certificate.parse(text), 'ERR_CERT_INVALID', null, `${name}: Certificate.parse`);
      expectKeyError(() => Certificate.parseChain(text), 'ERR_CERT_INVALID', null, `${name}: Certificate.parseChain`);
    }
  });

  it('truncated PEM (cut in the middle, no END line; or body cut short) is refused without echoing the key', () => {
    const texts = [
      ['cut in the middle, no END line', pair.pkcs8Pem.slice(0, Math.floor(pair.pkcs8Pem.length / 2))],
      ['END line missing', pair.pkcs8Pem.replace(/-----END PRIVATE KEY-----\s*$/, '')],
      ['body cut in half, END line kept', pair.pkcs8Pem.slice(0, Math.floor(pair.pkcs8Pem.length / 2)) + '\n-----END PRIVATE KEY-----\n'],
      ['last body line dropped', pair.pkcs1Pem.replace(/\n[^\n]*\n-----END/, '\n-----END')],
      ['one character changed in the body', pair.pkcs8Pem.replace(/(\n.{20})(.)/, (_, a, c) => a + (c === 'A' ? 'B' : 'A'))],
      ['bare base64 cut in half', pair.pkcs8Der.toString('base64').slice(0, 800)],
      ['END label differs from BEGIN label', pair.pkcs8Pem.replace('-----END PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----')],
    ];
    for (const [name, text] of texts) {
      for (const engine of ENGINES) {
        const error = expectKeyError(() => new RsaSigner(text, { engine, role: 'truncated key' }), 'ERR_KEY_INVALID', text, `${name} (${engine})`);
        assert.match(error.message, /truncated key/, `${name}: names the role`);
      }
    }
    const spkiCut = pair.spkiPem.slice(0, 120);
    expectKeyError(() => new RsaVerifier(spkiCut), 'ERR_KEY_INVALID', spkiCut, 'truncated public key');
  });

  it('a private key whose numbers disagree (the modulus of one key, the primes and exponents of another): sound structure, so it loads; ERR_KEY_INVALID at its first signature on every engine, without echoing the key', () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey; // not rsaKeyPair's: it caches
    const jwk = crypto.createPrivateKey(pair.pkcs8Pem).export({ format: 'jwk' });
    const { p, q, d, dp, dq, qi } = other.export({ format: 'jwk' });
    const text = crypto.createPrivateKey({ key: { ...jwk, p, q, d, dp, dq, qi }, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' });
    for (const engine of ENGINES) {
      const signer = new RsaSigner(text, { engine, role: 'mixed key' });
      const error = expectKeyError(() => signer.sign(probe), 'ERR_KEY_INVALID', text, `mixed key (${engine})`);
      assert.ok(!/[A-Za-z0-9+/]{40}/.test(error.message), `mixed key (${engine}): no key material in "${error.message}"`);
      signer.free();
    }
  });

  it('encrypted private keys (PKCS#8 with a passphrase, legacy PEM with DEK-Info) are refused', () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret passphrase' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    assert.match(privateKey, /BEGIN ENCRYPTED PRIVATE KEY/);
    const legacy = crypto.createPrivateKey(pair.pkcs1Pem).export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'secret' });
    assert.match(legacy, /DEK-Info/);
    const encryptedDerB64 = privateKey.replace(/-----[^-]+-----|\s/g, '');
    for (const [name, text] of [['encrypted PKCS#8 PEM', privateKey], ['legacy encrypted PKCS#1 PEM', legacy], ['encrypted PKCS#8 as bare base64', encryptedDerB64]]) {
      for (const engine of ENGINES) {
        const error = expectKeyError(() => new RsaSigner(text, { engine, role: 'encrypted key' }), 'ERR_KEY_INVALID', text, `${name} (${engine})`);
        assert.match(error.message, /encrypted key/, `${name}: names the role`);
        assert.ok(!error.message.includes('secret'), `${name}: no passphrase in the message`);
      }
    }
  });

  it('a 300 KB string is ERR_INPUT_TOO_LARGE, with a short message', () => {
    const big = pair.pkcs8Pem + 'A'.repeat(300 * 1024);
    const bigBare = 'MIIE' + 'A'.repeat(300 * 1024);
    for (const text of [big, bigBare]) {
      expectKeyError(() => new RsaSigner(text), 'ERR_INPUT_TOO_LARGE', null, '300 KB RsaSigner');
      expectKeyError(() => new RsaVerifier(text), 'ERR_INPUT_TOO_LARGE', null, '300 KB RsaVerifier');
      expectKeyError(() => Certificate.parse(text), 'ERR_INPUT_TOO_LARGE', null, '300 KB Certificate.parse');
      expectKeyError(() => Certificate.parseChain(text), 'ERR_INPUT_TOO_LARGE', null, '300 KB Certificate.parseChain');
    }
    const error = expectKeyError(() => new RsaSigner(big), 'ERR_INPUT_TOO_LARGE', pair.pkcs8Pem, '300 KB with a real key inside');
    assert.ok(error.message.length < 500, `short message (${error.message.length} chars)`);
  });
});

describe('bad arguments', () => {
  it('a message that is not a string or bytes: ERR_BAD_INPUT (sign and verify, both engines)', () => {
    const verifiers = ENGINES.map((engine) => new RsaVerifier(pair.spkiPem, { engine }));
    for (const bad of [42, 0, {}, [1, 2, 3], true, null, undefined, new Uint16Array(4), new DataView(new ArrayBuffer(4)), Symbol('s'), 10n]) {
      const what = `message ${typeof bad === 'symbol' ? 'Symbol' : util.inspect(bad)}`;
      for (const signer of signers) expectKeyError(() => signer.sign(bad), 'ERR_BAD_INPUT', null, `${what}: sign (${signer.engine})`);
      for (const verifier of verifiers) {
        expectKeyError(() => verifier.verify(bad, probeSignature), 'ERR_BAD_INPUT', null, `${what}: verify message (${verifier.engine})`);
        expectKeyError(() => verifier.verify(probe, bad), 'ERR_BAD_INPUT', null, `${what}: verify signature (${verifier.engine})`);
      }
      expectKeyError(() => signers[0].decryptOaep(bad), 'ERR_BAD_INPUT', null, `${what}: decryptOaep`);
      expectKeyError(() => verifiers[0].encryptOaep(bad), 'ERR_BAD_INPUT', null, `${what}: encryptOaep`);
      expectKeyError(() => verifiers[0].encryptPkcs1v15(bad), 'ERR_BAD_INPUT', null, `${what}: encryptPkcs1v15`);
    }
  });

  it('an unknown hash name: ERR_BAD_INPUT', () => {
    const verifier = new RsaVerifier(pair.spkiPem);
    for (const hash of ['md5', 'sha512', 'sha384', 'SHA256withRSA', 'RSA2', '', ' sha256']) {
      for (const signer of signers) {
        const error = expectKeyError(() => signer.sign(probe, hash), 'ERR_BAD_INPUT', null, `sign with hash ${JSON.stringify(hash)} (${signer.engine})`);
        assert.match(error.message, /sha256/, 'the message lists the supported hashes');
      }
      expectKeyError(() => verifier.verify(probe, probeSignature, hash), 'ERR_BAD_INPUT', null, `verify with hash ${JSON.stringify(hash)}`);
    }
  });

  it('a hash argument that is not a string: ERR_BAD_INPUT, not a Wasm trap', () => {
    const verifier = new RsaVerifier(pair.spkiPem, { engine: 'wasm' });
    const problems = [];
    for (const hash of [256, 1, {}, ['sha256'], true]) {
      for (const signer of signers) {
        collectProblem(problems, () => signer.sign(probe, hash), ['ERR_BAD_INPUT'], `sign(message, ${util.inspect(hash)}) (${signer.engine})`);
      }
      collectProblem(problems, () => verifier.verify(probe, probeSignature, hash), ['ERR_BAD_INPUT'], `verify(message, signature, ${util.inspect(hash)})`);
    }
    assert.deepEqual(problems, [], 'non-string hash arguments');
  });

  it('an unknown engine, or a non-string engine/role option: ERR_BAD_INPUT', () => {
    for (const options of [{ engine: 'openssl' }, { engine: 'WASM' }, { engine: '' }, { engine: 1 }, { engine: {} }, { role: 42 }]) {
      expectKeyError(() => new RsaSigner(pair.pkcs8Pem, options), 'ERR_BAD_INPUT', pair.pkcs8Pem, `RsaSigner ${util.inspect(options)}`);
      expectKeyError(() => new RsaVerifier(pair.spkiPem, options), 'ERR_BAD_INPUT', null, `RsaVerifier ${util.inspect(options)}`);
    }
    const error = expectKeyError(() => new RsaSigner(pair.pkcs8Pem, { engine: 'openssl' }), 'ERR_BAD_INPUT', null, 'engine openssl');
    assert.doesNotMatch(error.message, /openssl/, 'does not echo the value given (it could be anything, a key included)');
    assert.match(error.message, /'auto', 'node', 'wasm', 'webcrypto'/, 'names the engines there are');
  });

  it('key text that is not a string (undefined, null, number, object, Buffer, KeyObject): an AggpayError, not a TypeError or Wasm trap', () => {
    // `fs.readFileSync(path)` without an encoding gives a Buffer: a common mistake that must fail cleanly.
    const notStrings = [
      ['undefined', undefined],
      ['null', null],
      ['number', 12345],
      ['object', { key: pair.pkcs8Pem }],
      ['Buffer of the PEM', Buffer.from(pair.pkcs8Pem)],
      ['KeyObject', pair.privateKey],
    ];
    const problems = [];
    for (const [name, value] of notStrings) {
      collectProblem(problems, () => new RsaSigner(value), ['ERR_BAD_INPUT', 'ERR_KEY_INVALID'], `new RsaSigner(${name})`);
      collectProblem(problems, () => new RsaVerifier(value), ['ERR_BAD_INPUT', 'ERR_KEY_INVALID'], `new RsaVerifier(${name})`);
      collectProblem(problems, () => Certificate.parse(value), ['ERR_BAD_INPUT', 'ERR_CERT_INVALID'], `Certificate.parse(${name})`);
      collectProblem(problems, () => Certificate.parseChain(value), ['ERR_BAD_INPUT', 'ERR_CERT_INVALID'], `Certificate.parseChain(${name})`);
    }
    assert.deepEqual(problems, [], 'non-string key text');
  });

  it('OAEP misuse: ciphertext from another key or tampered is ERR_DECRYPT_FAILED; too-long plaintext is ERR_BAD_INPUT', () => {
    const other = rsaKeyPair(1024);
    const fromOtherKey = crypto.publicEncrypt({ key: other.publicKey, oaepHash: 'sha1' }, Buffer.from('x'));
    expectKeyError(() => signers[0].decryptOaep(fromOtherKey), 'ERR_DECRYPT_FAILED', null, 'OAEP ciphertext for another key');
    expectKeyError(() => signers[0].decryptOaep(new Uint8Array(256)), 'ERR_DECRYPT_FAILED', null, 'OAEP all-zero ciphertext');
    expectKeyError(() => signers[0].decryptOaep(new Uint8Array(256).fill(0xff)), 'ERR_DECRYPT_FAILED', null, 'OAEP ciphertext larger than the modulus');
    expectKeyError(() => signers[0].decryptOaep(''), 'ERR_DECRYPT_FAILED', null, 'OAEP empty ciphertext');
    expectKeyError(() => new RsaVerifier(pair.spkiPem).encryptOaep(new Uint8Array(300)), 'ERR_BAD_INPUT', null, 'OAEP plaintext too long');
  });
});

describe('AggpayError', () => {
  it('is an Error subclass with name, code and message; instanceof works for errors thrown by the module', () => {
    const error = expectKeyError(() => new RsaSigner('nope', { role: 'role name' }), 'ERR_KEY_INVALID', null, 'garbage');
    assert.ok(error instanceof AggpayError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'AggpayError');
    assert.equal(Object.getPrototypeOf(error), AggpayError.prototype);
    assert.equal(typeof error.message, 'string');
    assert.match(error.message, /^role name: /);
    assert.match(String(error), /^AggpayError: role name: /);
    assert.match(error.stack, /AggpayError/);
    for (const field of ['provider', 'providerCode', 'providerMessage', 'subCode', 'subMessage']) {
      assert.equal(Object.hasOwn(error, field), false, `${field} is absent when no provider is involved`);
    }
    const constructed = new AggpayError('by hand', { code: 'ERR_BAD_INPUT', provider: 'alipay', subCode: 'ACQ.X' });
    assert.equal(constructed.code, 'ERR_BAD_INPUT');
    assert.equal(constructed.provider, 'alipay');
    assert.equal(constructed.subCode, 'ACQ.X');
  });

  it('messages from every key-loading failure above never contain key material (no 16-character window of the base64 body)', () => {
    // A real key embedded in a wrong context, for each loader.
    const cases = [
      () => new RsaVerifier(pair.pkcs8Pem),
      () => new RsaSigner(pair.spkiPem),
      () => Certificate.parse(pair.pkcs8Pem),
      () => new RsaSigner(pair.pkcs8Pem.replace('-----END PRIVATE KEY-----', '')),
      () => new RsaSigner(pair.pkcs8Pem.replace(/\n.{10}/, '\n!!!!!!!!!!')),
      () => new RsaSigner(pair.pkcs8Pem, { engine: 'bogus' }),
      () => new RsaSigner(pair.pkcs8Der.toString('base64').slice(0, -40)),
    ];
    cases.forEach((fn, i) => expectKeyError(fn, ['ERR_KEY_INVALID', 'ERR_CERT_INVALID', 'ERR_BAD_INPUT'], pair.pkcs8Pem, `case ${i}`));
  });
});

describe('stacks point at the caller', () => {
  // The first frame of a thrown AggpayError is the line that called the package, in this file: not the
  // wasm-bindgen glue, not the package's own wrappers (whose frames would push the caller's line out of
  // the 10 frames a stack keeps).
  const thisFile = import.meta.url;
  const firstFrame = (error) => error.stack.split('\n').find((line) => /^\s+at /.test(line));
  const caller = (line) => new RegExp(`${thisFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+\\)?$`);
  const lineOf = (offset) => Number(new Error().stack.split('\n')[2].match(/:(\d+):\d+\)?$/)[1]) + offset;

  it('constructors, methods, RSA methods, statics, getters, primitives, Checkout, and …Async forms (at once, and after the engine)', async () => {
    const alipay = new Alipay({ appId: '2021000122671080', alipayPublicKey: pair.spkiPem });
    const freed = new RsaVerifier(pair.spkiPem);
    freed.free();
    const cases = [
      // [what, the call (its first frame: its line in this list), expected code]
      ['constructor', () => new RsaSigner('garbage'), 'ERR_KEY_INVALID'],
      ['method', () => freed.verify('m', new Uint8Array(256)), 'ERR_BAD_INPUT'],
      ['RSA method (engine step)', () => alipay.verifyNotify('a=b'), 'ERR_SIGNATURE_INVALID'],
      ['static', () => Certificate.parse('not a certificate'), 'ERR_CERT_INVALID'],
      ['getter on another object', () => Object.getOwnPropertyDescriptor(RsaSigner.prototype, 'engine').get.call({}), 'ERR_BAD_INPUT'],
      ['primitive', () => primitives.aesGcmDecrypt(1, 2, 3), 'ERR_BAD_INPUT'],
      ['Checkout', () => new Checkout({ alipay }).buildOrder({ buyer: { wallet: 'alipay' } }), 'ERR_BAD_INPUT'],
    ];
    for (const [what, call, code] of cases) {
      let error;
      try {
        call();
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof AggpayError, `${what}: an AggpayError (${error})`);
      assert.equal(error.code, code, what);
      assert.match(firstFrame(error), /errors\.test\.mjs/, `${what}: first frame ${firstFrame(error)}\n${error.stack}`);
    }
    const rejected = await alipay.verifyNotifyAsync(42).then(() => null, (e) => e);
    assert.equal(rejected.code, 'ERR_BAD_INPUT');
    assert.match(firstFrame(rejected), /errors\.test\.mjs/, `…Async: first frame ${firstFrame(rejected)}`);
    // Rejected after the engine's await (the signature checked, then refused by the core): the caller's
    // async frame comes first, for every engine.
    const body = `app_id=2021000122671080&sign_type=RSA2&trade_status=TRADE_SUCCESS&sign=${encodeURIComponent(Buffer.alloc(256).toString('base64'))}`;
    for (const engine of ['webcrypto', 'wasm', 'node']) {
      const client = new Alipay({ appId: '2021000122671080', alipayPublicKey: pair.spkiPem, engine });
      const handler = async () => {
        await client.verifyNotifyAsync(body);
      };
      const late = await handler().then(() => null, (e) => e);
      assert.equal(late?.code, 'ERR_SIGNATURE_INVALID', engine);
      assert.match(firstFrame(late), /^\s+at async handler .*errors\.test\.mjs/, `[${engine}] after the await: first frame ${firstFrame(late)}\n${late.stack}`);
    }
    // The exact line: the call's own.
    let direct; try { new RsaSigner('garbage'); } catch (e) { direct = e; } const directLine = lineOf(0);
    assert.match(firstFrame(direct), caller(directLine), direct.stack);
  });
});
