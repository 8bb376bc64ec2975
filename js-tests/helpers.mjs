// Shared helpers for the js-tests: seeded random inputs, RSA key generation in every text format,
// fixture walking and classification (with node:crypto as the reference), key-text reformatting,
// a tiny DER reader for certificates, error assertions, temp dirs and bounded child processes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AggpayError } from 'aggpay';

export const repoRoot = fileURLToPath(new URL('../', import.meta.url));
export const pkgDir = path.join(repoRoot, 'pkg');
/** tests/fixtures/: the fixture set, kept in the repository (sources in tests/fixtures/SOURCES.md). */
export const fixturesDir = fileURLToPath(new URL('../tests/fixtures/', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Seeded randomness: every random input derives from SEED, printed in failure messages.
// Re-run a failure with AGGPAY_TEST_SEED=<seed> node --test js-tests/<file>.

export const SEED = process.env.AGGPAY_TEST_SEED !== undefined
  ? Number(process.env.AGGPAY_TEST_SEED) >>> 0
  : crypto.randomInt(0, 2 ** 32);

/** A deterministic random stream (sfc32) for `label` under SEED. */
export function makeRng(label = '') {
  let h = 0x811c9dc5 ^ SEED; // FNV-1a over the label, mixed with the seed
  for (const ch of label) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
  let a = SEED ^ 0x9e3779b9, b = h, c = 0x243f6a88, d = 1;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) next();
  const rng = {
    u32: next,
    /** Integer in [lo, hi]. */
    int: (lo, hi) => lo + Math.floor((next() / 2 ** 32) * (hi - lo + 1)),
    pick: (list) => list[rng.int(0, list.length - 1)],
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
    /** A random string mixing ASCII, Chinese, emoji (surrogate pairs), accents, combining marks, controls. */
    unicode: (maxChars) => {
      const n = rng.int(0, maxChars);
      const pools = [
        () => String.fromCharCode(rng.int(0x20, 0x7e)), // printable ASCII
        () => String.fromCodePoint(rng.int(0x4e00, 0x9fff)), // CJK ideographs
        () => String.fromCodePoint(rng.int(0x1f300, 0x1faff)), // emoji (4 UTF-8 bytes, a surrogate pair in JS)
        () => rng.pick(['👨‍👩‍👧', '🇨🇳', '✔️', '支付宝', '微信支付', '，', '。', '¥', '€', '\u3000']),
        () => String.fromCharCode(rng.int(0xc0, 0x17f)), // Latin-1 / Latin Extended-A
        () => 'e\u0301', // combining acute
        () => rng.pick(['\n', '\r\n', '\t', '\u0000', '&', '=', '"', '\\', '%']),
      ];
      let s = '';
      for (let i = 0; i < n; i++) s += rng.pick(pools)();
      return s;
    },
  };
  return rng;
}

/** Text for failure messages: seed plus a short description of the input. */
export function ctx(what) {
  return `[AGGPAY_TEST_SEED=${SEED}] ${what}`;
}

export const hex = (bytes) => Buffer.from(bytes).toString('hex');

/** Describes a message (string or bytes) compactly for a failure message. */
export function describeInput(input) {
  if (typeof input === 'string') return `string ${JSON.stringify(input.length > 80 ? input.slice(0, 80) + '…' : input)} (${input.length} chars)`;
  const h = hex(input);
  return `bytes ${h.length > 160 ? h.slice(0, 160) + '…' : h} (${input.length} bytes)`;
}

export function assertBytesEqual(actual, expected, message) {
  assert.ok(actual instanceof Uint8Array, `${message}: expected a Uint8Array, got ${Object.prototype.toString.call(actual)}`);
  assert.equal(hex(actual), hex(expected), message);
}

/** A copy of `bytes` with bit `bit` flipped. */
export function flipBit(bytes, bit) {
  const out = Uint8Array.from(bytes);
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
}

export const utf8 = (s) => new Uint8Array(Buffer.from(s, 'utf8'));

// ---------------------------------------------------------------------------------------------
// RSA keys in every text format.

const keyCache = new Map();

/** A fresh RSA key pair (cached per bits within one test file) with all its text encodings. */
export function rsaKeyPair(bits) {
  if (keyCache.has(bits)) return keyCache.get(bits);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  const pair = describeKeyPair(privateKey, publicKey);
  keyCache.set(bits, pair);
  return pair;
}

export function describeKeyPair(privateKey, publicKey) {
  const pkcs8Der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const pkcs1Der = privateKey.export({ type: 'pkcs1', format: 'der' });
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  const pkcs1PublicDer = publicKey.export({ type: 'pkcs1', format: 'der' });
  return {
    bits: publicKey.asymmetricKeyDetails.modulusLength,
    privateKey,
    publicKey,
    pkcs8Der,
    pkcs1Der,
    spkiDer,
    pkcs1PublicDer,
    pkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    pkcs1Pem: privateKey.export({ type: 'pkcs1', format: 'pem' }),
    spkiPem: publicKey.export({ type: 'spki', format: 'pem' }),
    pkcs1PublicPem: publicKey.export({ type: 'pkcs1', format: 'pem' }),
  };
}

export function wrap(text, width, eol = '\n') {
  const lines = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines.join(eol);
}

export function toPem(der, label, { width = 64, eol = '\n' } = {}) {
  const body = wrap(Buffer.from(der).toString('base64'), width, eol);
  return `-----BEGIN ${label}-----${eol}${body}${eol}-----END ${label}-----${eol}`;
}

/**
 * The ways a key (or certificate) text reaches a program: PEM, bare base64 DER as provider
 * consoles hand it out, re-wrapped, CRLF, literal `\n` sequences from JSON env vars, spaces.
 * Returns [name, text] pairs; every one must load to the same key.
 */
export function keyTextVariants(der, label) {
  const b64 = Buffer.from(der).toString('base64');
  const pem64 = toPem(der, label);
  return [
    ['PEM, 64 columns', pem64],
    ['PEM, 76 columns', toPem(der, label, { width: 76 })],
    ['PEM, CRLF line endings', toPem(der, label, { eol: '\r\n' })],
    ['PEM with literal \\n sequences (JSON env var)', pem64.replaceAll('\n', '\\n')],
    ['PEM with literal \\r\\n sequences', toPem(der, label, { eol: '\\r\\n' })],
    ['PEM indented, surrounded by blank lines', `\n\n  ${pem64.trim().split('\n').join('\n  ')}  \n\n`],
    ['bare base64, one line', b64],
    ['bare base64, wrapped at 76', wrap(b64, 76)],
    ['bare base64, wrapped at 64 with CRLF', wrap(b64, 64, '\r\n') + '\r\n'],
    ['bare base64 with literal \\n sequences', wrap(b64, 64, '\\n')],
    ['bare base64 with spaces every 4 characters', wrap(b64, 4, ' ')],
    ['bare base64 with tabs and surrounding whitespace', `\t ${wrap(b64, 60, '\n\t')} \n`],
  ];
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

/** Every file under tests/fixtures/ ending in one of `exts`, as { rel, abs, text }. */
export function walkFixtures(exts = ['.pem', '.crt']) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (exts.some((e) => entry.name.endsWith(e))) {
        out.push({ rel: path.relative(fixturesDir, abs).split(path.sep).join('/'), abs, text: fs.readFileSync(abs, 'utf8') });
      }
    }
  };
  walk(fixturesDir);
  return out;
}

export function readFixtureJson(rel) {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir, rel), 'utf8'));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** PEM blocks of a text as { label, der }. */
export function pemBlocks(text) {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1], der: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') }));
}

function tryOr(f) {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/**
 * What a fixture text is, decided by node:crypto alone (the reference):
 * { kind: 'private' | 'public' | 'certificates' | 'unknown', format: 'pem' | 'base64-der',
 *   der (of the key, or each certificate), label (the PEM label that fits), node (KeyObject or X509Certificate[]) }.
 */
export function classifyKeyText(text) {
  const blocks = pemBlocks(text);
  if (blocks.length > 0) {
    const labels = new Set(blocks.map((b) => b.label));
    if (labels.size === 1 && labels.has('CERTIFICATE')) {
      const certs = blocks.map((b) => new crypto.X509Certificate(b.der));
      return { kind: 'certificates', format: 'pem', ders: blocks.map((b) => b.der), label: 'CERTIFICATE', node: certs };
    }
    if (blocks.length !== 1) return { kind: 'unknown', format: 'pem' };
    const [{ label, der }] = blocks;
    if (label === 'PRIVATE KEY' || label === 'RSA PRIVATE KEY') {
      const type = label === 'PRIVATE KEY' ? 'pkcs8' : 'pkcs1';
      return { kind: 'private', format: 'pem', der, label, node: crypto.createPrivateKey({ key: der, format: 'der', type }) };
    }
    if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') {
      const type = label === 'PUBLIC KEY' ? 'spki' : 'pkcs1';
      return { kind: 'public', format: 'pem', der, label, node: crypto.createPublicKey({ key: der, format: 'der', type }) };
    }
    return { kind: 'unknown', format: 'pem', label };
  }
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return { kind: 'unknown', format: 'text' };
  const der = Buffer.from(compact, 'base64');
  const attempts = [
    ['private', 'PRIVATE KEY', () => crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })],
    ['private', 'RSA PRIVATE KEY', () => crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs1' })],
    ['public', 'PUBLIC KEY', () => crypto.createPublicKey({ key: der, format: 'der', type: 'spki' })],
    ['public', 'RSA PUBLIC KEY', () => crypto.createPublicKey({ key: der, format: 'der', type: 'pkcs1' })],
  ];
  for (const [kind, label, load] of attempts) {
    const node = tryOr(load);
    if (node) return { kind, format: 'base64-der', der, label, node };
  }
  const cert = tryOr(() => new crypto.X509Certificate(der));
  if (cert) return { kind: 'certificates', format: 'base64-der', ders: [der], label: 'CERTIFICATE', node: [cert] };
  return { kind: 'unknown', format: 'base64-der' };
}

// ---------------------------------------------------------------------------------------------
// A minimal DER reader: enough to split a certificate into TBS / algorithm / signature and to read
// OIDs, independently of both node:crypto and the code under test.

export function derRead(buf, offset = 0) {
  const tag = buf[offset];
  let len = buf[offset + 1];
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i];
    header += n;
  }
  const start = offset + header;
  return { tag, start, end: start + len, full: buf.subarray(offset, start + len), content: buf.subarray(start, start + len) };
}

export function derChildren(buf, node) {
  const out = [];
  for (let at = node.start; at < node.end; ) {
    const child = derRead(buf, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

export function derOid(content) {
  const parts = [];
  let value = 0n;
  for (const byte of content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0n;
    }
  }
  const first = parts.shift();
  const a = first < 80n ? first / 40n : 2n;
  return [a, first - a * 40n, ...parts].join('.');
}

/** { tbs, signatureAlgorithm (OID), signature, publicKeyAlgorithm (OID), spki } of a certificate DER. */
export function splitCertificate(der) {
  const buf = Buffer.from(der);
  const cert = derRead(buf, 0);
  const [tbs, sigAlg, sigBits] = derChildren(buf, cert);
  const tbsFields = derChildren(buf, tbs);
  const hasVersion = tbsFields[0].tag === 0xa0;
  const spki = tbsFields[(hasVersion ? 1 : 0) + 5];
  const spkiAlg = derChildren(buf, derChildren(buf, spki)[0])[0];
  return {
    tbs: tbs.full,
    signatureAlgorithm: derOid(derChildren(buf, sigAlg)[0].content),
    signature: sigBits.content.subarray(1), // skip the BIT STRING's unused-bits byte
    publicKeyAlgorithm: derOid(spkiAlg.content),
    spki: spki.full,
  };
}

/**
 * Node's multi-line DN ("C=CN\nO=…\nCN=…", DER order) as RFC 2253 (reversed, comma-joined), or
 * null when the DN has anything beyond simple CN/C/L/ST/O/OU attributes with plain values.
 */
export function nodeDnToRfc2253(dn) {
  const lines = dn.split('\n');
  const simple = lines.every((l) => /^(CN|C|L|ST|O|OU)=[^\s,+"\\<>;=#]([^,+"\\<>;=\n]*[^\s,+"\\<>;=])?$/.test(l));
  return simple ? lines.reverse().join(',') : null;
}

/** Serial as node prints it (upper hex, maybe leading 00) → without leading zero bytes. */
export function stripHexLeadingZeroBytes(h) {
  let s = h.toUpperCase();
  while (s.length > 2 && s.startsWith('00')) s = s.slice(2);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Errors.

/**
 * Runs `fn`, asserts it throws an AggpayError whose code is one of `codes`, and returns the error.
 */
export function expectAggpayError(fn, codes, what) {
  const allowed = Array.isArray(codes) ? codes : [codes];
  let error;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `${what}: expected an AggpayError (${allowed.join(' or ')}), but nothing was thrown`);
  assert.ok(
    error instanceof AggpayError,
    `${what}: expected an AggpayError (${allowed.join(' or ')}), got ${error?.constructor?.name}: ${error?.message}`,
  );
  assert.ok(error instanceof Error, `${what}: AggpayError must be an Error`);
  assert.equal(error.name, 'AggpayError', `${what}: err.name`);
  assert.ok(allowed.includes(error.code), `${what}: expected code ${allowed.join(' or ')}, got ${error.code} (${error.message})`);
  return error;
}

// ---------------------------------------------------------------------------------------------
// Temp dirs and child processes.

export function makeTempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `aggpay-${prefix}-`));
}

export function removeDir(dir) {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** execFile with a hard timeout; resolves { stdout, stderr }, rejects with both in the message. */
export function run(file, args, { cwd, env, timeout = 60_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { cwd, env: { ...process.env, ...env }, timeout, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          error.message = `${file} ${args.join(' ')} failed (${error.code ?? error.signal}):\n${stdout}\n${stderr}\n${error.message}`;
          reject(error);
        } else resolve({ stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin.end(input);
  });
}

/** Rejects after `ms` with a message naming `what`; the timer never keeps the process alive. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
