// Shared code for the Alipay js-tests (alipay-vectors, alipay-crosscheck, alipay-bad-input).
// Everything here is an independent reference written from the documented rules
// (shared/specs/alipay.md) with node:crypto — never a call into the code under test — plus
// small conveniences to build clients and raw messages.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Alipay } from 'aggpay';
import { ctx, describeKeyPair, fixturesDir } from './helpers.mjs';

export const ENGINES = ['wasm', 'node'];
export const alipayFixturesDir = path.join(fixturesDir, 'alipay');
export const PRODUCTION_GATEWAY = 'https://openapi.alipay.com/gateway.do';

/** Hash of each sign_type. */
export const HASH = Object.freeze({ RSA2: 'sha256', RSA: 'sha1' });

/**
 * What the official Node SDK (`alipay-sdk` `formatUrl`) puts in the URL query; everything else is
 * the form body (shared/specs/alipay.md §1.4, README "Requests").
 */
export const QUERY_PARAMS = Object.freeze([
  'app_id', 'method', 'format', 'charset', 'sign_type', 'sign', 'timestamp', 'version', 'notify_url',
  'return_url', 'auth_token', 'app_auth_token', 'app_cert_sn', 'alipay_root_cert_sn', 'ws_service_url',
]);

export function readAlipayFixture(rel) {
  return fs.readFileSync(path.join(alipayFixturesDir, rel), 'utf8');
}

export function loadVectors() {
  return JSON.parse(readAlipayFixture('vectors.json')).vectors;
}

// ---------------------------------------------------------------------------------------------
// Keys: one "app" and one "Alipay" RSA-2048 pair per test process.

let pairs;
/** `{ app, alipay, other }`: freshly generated key pairs (see helpers.describeKeyPair for fields). */
export function keyPairs() {
  if (!pairs) {
    const gen = () => {
      const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      return describeKeyPair(privateKey, publicKey);
    };
    pairs = { app: gen(), alipay: gen(), other: gen() };
  }
  return pairs;
}

/** base64 body of a PEM/DER (for "does this message leak the key" checks). */
export function secretFragments(...ders) {
  const out = [];
  for (const der of ders) {
    const b64 = Buffer.from(der).toString('base64');
    // Any 24-character window of the base64, and every PEM line, would be a leak.
    for (let i = 0; i + 24 <= b64.length; i += 12) out.push(b64.slice(i, i + 24));
    out.push(Buffer.from(der).toString('hex').slice(40, 80));
  }
  return out;
}

export function assertNoKeyMaterial(error, fragments, what) {
  const texts = [String(error?.message ?? ''), String(error?.stack ?? '')];
  for (const [k, v] of Object.entries(error ?? {})) if (typeof v === 'string') texts.push(`${k}=${v}`);
  for (const text of texts) {
    for (const fragment of fragments) {
      assert.ok(!text.includes(fragment), `${what}: the error text contains key material (${fragment}): ${text.slice(0, 200)}`);
    }
  }
}

/** A public-key-mode client on `engine` with the generated app / Alipay keys. */
export function makeAlipay(engine, overrides = {}) {
  const { app, alipay } = keyPairs();
  return new Alipay({
    appId: '2021000122671080',
    privateKey: app.pkcs8Pem,
    alipayPublicKey: alipay.spkiPem,
    engine,
    ...overrides,
  });
}

// ---------------------------------------------------------------------------------------------
// Strings to sign (shared/specs/alipay.md §1.3 and §3.1), written independently.

const asBytes = (v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v));

/**
 * `k=v&…` over `pairs` ([name, value] with string or byte values): names in `exclude` left out,
 * empty values left out when `dropEmpty`, sorted by the bytes of the name, raw values. Returns a Buffer.
 */
export function signContent(pairs, { exclude = ['sign'], dropEmpty = true } = {}) {
  const entries = (Array.isArray(pairs) ? pairs : Object.entries(pairs))
    .map(([k, v]) => [asBytes(k), asBytes(v)])
    .filter(([k]) => !exclude.some((x) => Buffer.from(x).equals(k)))
    .filter(([, v]) => !dropEmpty || v.length > 0);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts = [];
  entries.forEach(([k, v], i) => {
    if (i > 0) parts.push(Buffer.from('&'));
    parts.push(k, Buffer.from('='), v);
  });
  return Buffer.concat(parts);
}

/** Notification rules: payment (V1) leaves out sign and sign_type, gateway (V2) only sign; empties kept. */
export function notifyContent(pairs, rule) {
  const exclude = rule === 'payment' ? ['sign', 'sign_type'] : ['sign'];
  return signContent(pairs, { exclude, dropEmpty: false });
}

export function nodeSign(data, privateKey, hash = 'sha256') {
  return crypto.sign(hash, asBytes(data), privateKey).toString('base64');
}

export function nodeVerify(data, signatureB64, publicKey, hash = 'sha256') {
  return crypto.verify(hash, asBytes(data), publicKey, Buffer.from(signatureB64, 'base64'));
}

// ---------------------------------------------------------------------------------------------
// Form encoding, written independently of the code under test.

/** Decodes `application/x-www-form-urlencoded` text once into [name, value] pairs (UTF-8). */
export function decodeForm(text) {
  const out = [];
  for (const segment of text.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const [k, v] = eq < 0 ? [segment, ''] : [segment.slice(0, eq), segment.slice(eq + 1)];
    out.push([decodeURIComponent(k.replaceAll('+', ' ')), decodeURIComponent(v.replaceAll('+', ' '))]);
  }
  return out;
}

/** WHATWG urlencoded serialization (space → `+`, only `*-._` and alphanumerics kept). */
export const encodeForm = (pairs) => new URLSearchParams(pairs).toString();

/** A notification body the way a browser's encodeURIComponent would write it (space → %20). */
export const encodeFormComponent = (pairs) =>
  (Array.isArray(pairs) ? pairs : Object.entries(pairs)).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

/**
 * The parts of a built v2 request, checked for shape: POST, the gateway, the form content type,
 * canonical encoding of query and body, query/body split as the Node SDK does it.
 * Returns `{ query, body, params (Map), sign }`.
 */
export function requestParts(request, { gateway = PRODUCTION_GATEWAY } = {}, what = 'request') {
  assert.equal(request.method, 'POST', `${what}: method`);
  const q = request.url.indexOf('?');
  assert.ok(q > 0, `${what}: the URL has a query`);
  assert.equal(request.url.slice(0, q), gateway, `${what}: gateway`);
  assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded;charset=utf-8', `${what}: content-type`);
  const queryText = request.url.slice(q + 1);
  const bodyText = request.body ?? '';
  const query = decodeForm(queryText);
  const body = decodeForm(bodyText);
  assert.equal(queryText, encodeForm(query), `${what}: URL query is canonically form-encoded`);
  assert.equal(bodyText, encodeForm(body), `${what}: body is canonically form-encoded`);
  for (const [k] of query) assert.ok(QUERY_PARAMS.includes(k), `${what}: ${k} must not be in the URL query`);
  for (const [k] of body) assert.ok(!QUERY_PARAMS.includes(k), `${what}: ${k} must be in the URL query, not the body`);
  const params = new Map();
  for (const [k, v] of [...query, ...body]) {
    assert.ok(!params.has(k), `${what}: parameter ${k} sent twice`);
    params.set(k, v);
  }
  assert.equal(query.filter(([k]) => k === 'charset').length, 1, `${what}: charset is in the URL query`);
  return { query, body, params, sign: params.get('sign') };
}

/**
 * Checks that `request`'s sign is exactly node:crypto's signature (PKCS#1 v1.5 is deterministic) over
 * the string to sign computed here from the decoded parameters. Returns the parts and the content.
 */
export function assertRequestSigned(request, privateKey, signType = 'RSA2', what = 'request', opts = {}) {
  const parts = requestParts(request, opts, what);
  const content = signContent([...parts.params]);
  assert.equal(parts.params.get('sign_type'), signType, `${what}: sign_type`);
  assert.equal(parts.sign, nodeSign(content, privateKey, HASH[signType]), `${what}: sign over ${content.toString().slice(0, 300)}`);
  return { ...parts, content };
}

// ---------------------------------------------------------------------------------------------
// Beijing time, independently: epoch + 8 h, then UTC calendar fields.

const pad = (n, w = 2) => String(n).padStart(w, '0');

export function beijingTimestamp(epochMs) {
  const d = new Date(Math.floor(epochMs / 1000) * 1000 + 8 * 3600 * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Epoch milliseconds of a Beijing `yyyy-MM-dd HH:mm:ss`. */
export function epochOfBeijing(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  assert.ok(m, `not a Beijing timestamp: ${text}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s) - 8 * 3600 * 1000;
}

// ---------------------------------------------------------------------------------------------
// Responses.

export const responseNodeName = (method) => `${method.replaceAll('.', '_')}_response`;

/** `{"<node>":<nodeText>[,"alipay_cert_sn":"…"],"sign":"<sig over signedText ?? nodeText>"}`. */
export function signedResponse(method, nodeText, privateKey, { hash = 'sha256', certSn, signedText, sign } = {}) {
  const signature = sign ?? nodeSign(signedText ?? nodeText, privateKey, hash);
  const cert = certSn === undefined ? '' : `,"alipay_cert_sn":${JSON.stringify(certSn)}`;
  return `{"${responseNodeName(method)}":${nodeText}${cert},"sign":${JSON.stringify(signature)}}`;
}

/** Builds a fresh request, checks its sign against node:crypto: proof that a client still works. */
export function assertStillSigns(alipay, appPrivateKey, what, signType = 'RSA2', opts = {}) {
  const request = alipay.buildTradeQuery({ out_trade_no: 'T-still-works-中' }, { timestamp: 1_735_660_800_000 });
  const parts = assertRequestSigned(request, appPrivateKey, signType, `${what}: client still usable`, opts);
  assert.equal(parts.params.get('timestamp'), '2025-01-01 00:00:00', `${what}: client still usable: timestamp`);
  assert.equal(parts.params.get('biz_content'), '{"out_trade_no":"T-still-works-中"}', `${what}: client still usable: biz_content`);
}

/** HTML attribute-value decoding for the few entities an escaper may use. */
export function htmlUnescape(text) {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

export { ctx };
