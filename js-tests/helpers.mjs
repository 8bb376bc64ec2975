// Shared helpers for the js-tests: seeded random inputs, RSA key generation in every text format,
// fixture walking and classification (with node:crypto as the reference), key-text reformatting,
// a tiny DER reader for certificates, error assertions, temp dirs and bounded child processes,
// UseePay's expected outcome, and the real runtimes: a static server, Chromium and workerd.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
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
/** What `f` throws (the test fails when it throws nothing). */
export function caught(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  return assert.fail('expected an error');
}

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
/**
 * Starts the package's command `aggpay sandbox …args` and waits for its first line on stdout (the
 * `--json` description). Resolves `{ described, line, stop }`: `stop()` sends SIGTERM and resolves
 * `{ code, signal }`; a watchdog kills the process after `timeoutMs` whatever happens.
 */
export async function startSandboxCommand(args, { timeoutMs = 50_000 } = {}) {
  const child = spawn(process.execPath, [path.join(pkgDir, 'bin', 'aggpay.mjs'), 'sandbox', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    clearTimeout(killer);
    resolve({ code, signal });
  }));
  let stdout = '';
  try {
    const line = await new Promise((resolve, reject) => {
      child.stdout.on('data', (c) => {
        stdout += c;
        if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
      });
      exited.then(({ code }) => reject(new Error(`exited ${code} before ready: ${stdout}`)));
    });
    return { described: JSON.parse(line), line, stop: () => (child.kill('SIGTERM'), exited) };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

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

// ---------------------------------------------------------------------------------------------
// UseePay.

/** The normalized result the library returns for these (string) UseePay fields. */
export function expectedUseePayOutcome(f) {
  const rc = f.resultCode ?? '';
  return {
    resultCode: rc,
    paid: rc === 'succeed',
    final: ['succeed', 'failed', 'cancelled', 'closed'].includes(rc),
    errorCode: f.errorCode ?? null,
    errorMsg: f.errorMsg ?? null,
    transactionType: f.transactionType ?? null,
    transactionId: f.transactionId ?? null,
    originalTransactionId: f.originalTransactionId ? f.originalTransactionId : null,
    reference: f.reference ?? null,
    amount: f.amount !== undefined && f.currency !== undefined ? { minor: Number(f.amount), currency: f.currency } : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Scratch projects and real runtimes: a project that resolves 'aggpay' to pkg/, a static server on
// 127.0.0.1, Chromium (playwright-core) and workerd (miniflare, with an esbuild bundle).

/**
 * A temp dir (remove it with removeDir) in which 'aggpay' resolves to pkg/ (node_modules/aggpay is
 * a link to it), with a package.json { name, private: true, type: 'module' }. Returns its path.
 */
export function makeLinkedProject(prefix, name) {
  const dir = makeTempDir(prefix);
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(pkgDir, path.join(dir, 'node_modules', 'aggpay'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  return dir;
}

/** Content types by file ending: only files with one of these endings are served. */
export const STATIC_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
});

/**
 * An HTTP server on 127.0.0.1 (a free port) that answers with `pages` (URL path → [content type,
 * text], held in memory) and with the files below `root` under the URL prefix `mount` ('/' or
 * '/pkg/'; it begins and ends with '/'): only regular files inside `root` with an ending in `types`;
 * anything else is a 404. Nothing is cached (no-store). Every answer is recorded in `served` as
 * { path, status, type } ({ path, status } for a 404). At most `maxRequests` requests are answered;
 * the ones past it get a 429, and the first of those is recorded, so a page that keeps requesting
 * fails a "no missing files" check instead of running on.
 * Resolves { url ('http://127.0.0.1:PORT/'), port, served, close() }; close() ends open connections.
 */
export async function serveStatic({ root, mount = '/', pages = {}, types = STATIC_TYPES, maxRequests = 200 }) {
  assert.ok(mount.startsWith('/') && mount.endsWith('/'), `mount ${mount} begins and ends with /`);
  const base = fs.realpathSync(root);
  const served = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const refuse = (status) => res.writeHead(status).end();
    if (served.length >= maxRequests) {
      if (served.length === maxRequests) served.push({ path: url.pathname, status: 429 });
      refuse(429);
      return;
    }
    const page = Object.hasOwn(pages, url.pathname) ? pages[url.pathname] : undefined;
    if (page) {
      served.push({ path: url.pathname, status: 200, type: page[0] });
      res.writeHead(200, { 'content-type': page[0], 'cache-control': 'no-store' }).end(page[1]);
      return;
    }
    let file = '';
    try {
      if (url.pathname.startsWith(mount)) file = path.join(base, decodeURIComponent(url.pathname.slice(mount.length - 1)));
    } catch {
      // a malformed %-escape: not a file
    }
    const type = types[path.extname(file)];
    if (!file.startsWith(base + path.sep) || !type || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      served.push({ path: url.pathname, status: 404 });
      refuse(404);
      return;
    }
    served.push({ path: url.pathname, status: 200, type });
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    served,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The Chromium the browser tests drive (scripts/setup.sh ensure_chromium installs it). */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * The HTML of a test page: an import map sends 'aggpay' to `aggpay` (the URL path of the browser
 * entry), then the page imports `module` and sets window.harness (its exports) and
 * window.harnessReady, or window.harnessLoadError (the error's stack): what withChromiumPage waits for.
 */
export function harnessPage({ title, aggpay, module }) {
  return `<!doctype html>
<meta charset="utf-8">
<title>${title}</title>
<link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports: { aggpay } })}</script>
<script type="module">
  import(${JSON.stringify(module)}).then(
    (m) => { window.harness = m; window.harnessReady = true; },
    (e) => { window.harnessLoadError = String((e && e.stack) || e); },
  );
</script>`;
}

/**
 * Launches headless Chromium (playwright-core; 60 s to launch), opens a page at `url` (30 s),
 * collecting its console messages and page errors as 'type: text' lines, waits (30 s) until a
 * harnessPage has loaded its module and asserts that it did, then resolves
 * { value: await use(page), consoleMessages }. The browser is closed whatever happens.
 */
export async function withChromiumPage(url, use) {
  const { chromium } = await import('playwright-core');
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing (scripts/setup.sh ensure_chromium installs it)`);
  let browser;
  const consoleMessages = [];
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    const page = await browser.newPage();
    page.on('console', (m) => consoleMessages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleMessages.push(`pageerror: ${e.message}`));
    await page.goto(url, { timeout: 30_000 });
    await page.waitForFunction(() => window.harnessReady || window.harnessLoadError, null, { timeout: 30_000 });
    const loadError = await page.evaluate(() => window.harnessLoadError);
    assert.equal(loadError, undefined, `the page failed to load aggpay: ${loadError}\n${consoleMessages.join('\n')}`);
    return { value: await use(page), consoleMessages };
  } finally {
    await browser?.close();
  }
}

/**
 * Awaits `window.harness[name](input)` in a harnessPage (at most `ms`); a throw there comes back as
 * { crashed: its stack }, so the test sees it as a value.
 */
export function callHarness(page, name, input, ms = 60_000) {
  const call = page.evaluate(async ([n, i]) => {
    try {
      return await window.harness[n](i);
    } catch (e) {
      return { crashed: String((e && e.stack) || e) };
    }
  }, [name, input]);
  return withTimeout(call, ms, `Chromium ${name}`);
}

/**
 * Bundles a worker with esbuild for workerd (ESM, platform neutral, conditions workerd and worker)
 * into `outdir`/worker.mjs. `entry` is esbuild's entry options: { absWorkingDir, entryPoints } or
 * { stdin }. The package's `import … from '…/aggpay_bg.wasm'` stays a module import (workerd hands
 * it over as a compiled WebAssembly.Module: edge runtimes refuse to compile Wasm from bytes), and
 * that file is copied next to the bundle. Asserts there is exactly one wasm import. Resolves
 * { inputs (the bundle's input paths), wasmSource (the .wasm it imports), outdir, script, wasm }.
 */
export async function bundleWorker(outdir, entry) {
  const esbuild = await import('esbuild');
  fs.mkdirSync(outdir, { recursive: true });
  const script = path.join(outdir, 'worker.mjs');
  const wasmFiles = [];
  const result = await esbuild.build({
    ...entry,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker'],
    outfile: script,
    metafile: true,
    logLevel: 'silent',
    plugins: [{
      name: 'wasm-as-module',
      setup(build) {
        build.onResolve({ filter: /\.wasm$/ }, (args) => {
          const abs = path.resolve(args.resolveDir, args.path);
          wasmFiles.push(abs);
          return { path: `./${path.basename(abs)}`, external: true };
        });
      },
    }],
  });
  assert.equal(wasmFiles.length, 1, `one wasm import (${wasmFiles.join(', ')})`);
  const wasm = path.join(outdir, path.basename(wasmFiles[0]));
  fs.copyFileSync(wasmFiles[0], wasm);
  return { inputs: Object.keys(result.metafile.inputs), wasmSource: wasmFiles[0], outdir, script, wasm };
}

/**
 * Runs a bundleWorker bundle in workerd (miniflare on 127.0.0.1, a free port), POSTs `body` to it
 * as JSON (60 s), asserts a 200 and resolves the parsed JSON answer. Miniflare is disposed (30 s)
 * whatever happens.
 */
export async function postToWorker({ outdir, script, wasm }, body) {
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    compatibilityDate: '2025-09-01',
    modulesRoot: outdir,
    modules: [
      { type: 'ESModule', path: script, contents: fs.readFileSync(script, 'utf8') },
      { type: 'CompiledWasm', path: wasm, contents: fs.readFileSync(wasm) },
    ],
  });
  try {
    const response = await withTimeout(
      mf.dispatchFetch('http://worker.test/', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      60_000,
      'workerd request',
    );
    const text = await response.text();
    assert.equal(response.status, 200, `worker answered ${response.status}: ${text}`);
    return JSON.parse(text);
  } finally {
    await withTimeout(mf.dispose(), 30_000, 'miniflare dispose');
  }
}
