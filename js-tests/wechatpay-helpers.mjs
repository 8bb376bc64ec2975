// WeChat Pay APIv3 as node:crypto does it — the independent implementation the WechatPay tests
// check against — written here from the documented rules (shared spec §2–§5, §7.1), never from
// the code under test:
//
//   request:   METHOD\nCANONICAL_URL\nTIMESTAMP\nNONCE\nBODY\n, SHA256withRSA with the merchant key,
//              Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"
//   response / notification: TIMESTAMP\nNONCE\nBODY\n over the raw body, with the key Wechatpay-Serial names
//   resource:  AES-256-GCM, key = APIv3 key bytes, IV = nonce bytes, AAD = associated_data, base64(ct || tag)
//   paySign:   appId\ntimeStamp\nnonceStr\npackage\n ; App: appid\ntimestamp\nnoncestr\nprepayid\n
//
// Also: platform certificates minted with openssl over fresh keys, the typed event a notification
// must become (from the documented field meanings); the engine table and spy are engine-harness.mjs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run } from './helpers.mjs';
import { expectFailure as harnessExpectFailure } from './engine-harness.mjs';

export const SCHEME = 'WECHATPAY2-SHA256-RSA2048';
export const MAINLAND = 'https://api.mch.weixin.qq.com';
/** WeChat Pay's documented refusal body. */
export const FAILURE_BODY = '{"code":"FAIL","message":"失败"}';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `n` random characters of [A-Za-z0-9] from `rng` (makeRng). */
export const alnum = (rng, n) => Array.from({ length: n }, () => rng.pick([...ALNUM])).join('');
/** A 32-character APIv3 key. */
export const apiV3Key = (rng) => alnum(rng, 32);
/** A fresh RSA-2048 key pair as { privateKey, publicKey, pkcs8Pem, spkiPem }. */
export function rsaPair() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    pkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    pkcs1Pem: privateKey.export({ type: 'pkcs1', format: 'pem' }),
    spkiPem: publicKey.export({ type: 'spki', format: 'pem' }),
  };
}
/** A certificate serial as WeChat Pay prints it: 40 upper-case hex digits, no leading zero byte. */
export const serialHex = () => `4${crypto.randomBytes(20).toString('hex').slice(1)}`.toUpperCase();
/** A WeChat Pay public key id. */
export const publicKeyId = (rng) => `PUB_KEY_ID_${Array.from({ length: 34 }, () => rng.int(0, 9)).join('')}`;

/**
 * A self-signed certificate over `pair` with serial `serial` (hex), minted by openssl in `dir`
 * (node:crypto reads certificates but cannot issue them). Checked with node:crypto's X509Certificate.
 */
export async function mintCertificate(dir, pair, serial, cn = 'Tenpay.com Root CA test') {
  const label = crypto.randomBytes(6).toString('hex');
  const keyFile = path.join(dir, `${label}.key`);
  const certFile = path.join(dir, `${label}.crt`);
  fs.writeFileSync(keyFile, pair.pkcs8Pem);
  await run('openssl', ['req', '-x509', '-new', '-key', keyFile, '-subj', `/C=CN/O=Tenpay.com/CN=${cn}`, '-set_serial', `0x${serial}`, '-days', '30', '-out', certFile], { timeout: 30_000 });
  const pem = fs.readFileSync(certFile, 'utf8');
  const x509 = new crypto.X509Certificate(pem);
  assert.equal(x509.serialNumber.replace(/^(00)+/, ''), serial, 'openssl used the serial');
  assert.ok(x509.publicKey.equals(pair.publicKey), 'the certificate holds the key');
  fs.rmSync(keyFile);
  return pem;
}

const bytesOf = (data) => (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength));

/** base64 SHA256withRSA of `message` (a string is its UTF-8 bytes). */
export const nodeSign = (privateKey, message) => crypto.sign('sha256', bytesOf(message), privateKey).toString('base64');
export const nodeVerify = (publicKey, message, signature) => crypto.verify('sha256', bytesOf(message), publicKey, Buffer.from(signature, 'base64'));

/** The five-line request message (`body` '' for none). */
export const requestMessage = (method, canonicalUrl, timestamp, nonce, body) => `${method}\n${canonicalUrl}\n${timestamp}\n${nonce}\n${body}\n`;
/** The three-line message of a response or notification, as bytes (the body exactly as received). */
export const replyMessage = (timestamp, nonce, body) => Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), bytesOf(body), Buffer.from('\n')]);
/** The four-line payment message. */
export const paymentMessage = (lines) => lines.map((l) => `${l}\n`).join('');

/** The pairs of an Authorization header: { scheme, mchid, nonce_str, timestamp, serial_no, signature }. */
export function parseAuthorization(header) {
  const space = header.indexOf(' ');
  const out = { scheme: header.slice(0, space) };
  for (const pair of header.slice(space + 1).split(',')) {
    const m = /^([a-z_]+)="([^"]*)"$/.exec(pair);
    assert.ok(m, `Authorization pair ${JSON.stringify(pair)} is key="value"`);
    assert.ok(!(m[1] in out), `Authorization names ${m[1]} once`);
    out[m[1]] = m[2];
  }
  assert.deepEqual(Object.keys(out).sort(), ['mchid', 'nonce_str', 'scheme', 'serial_no', 'signature', 'timestamp'], 'Authorization pairs');
  return out;
}

/**
 * Checks a built request against node:crypto: the URL is `base` + `canonicalUrl`, the Authorization
 * carries `mchid`, `serial`, the timestamp (seconds of `nowMs`) and `nonce`, and its signature equals
 * node:crypto's over the five lines (`body` exactly as built). Also the headers WeChat Pay requires.
 */
export function assertSignedRequest(request, { method, canonicalUrl, body = null, nowMs, nonce, mchid, serial, merchantKey, base = MAINLAND, wechatpaySerial, what }) {
  assert.equal(request.method, method, `${what}: method`);
  assert.equal(request.url, `${base}${canonicalUrl}`, `${what}: url`);
  assert.equal(request.body, body, `${what}: body`);
  const a = parseAuthorization(request.headers.authorization);
  const timestamp = String(Math.floor(nowMs / 1000));
  assert.deepEqual([a.scheme, a.mchid, a.timestamp, a.nonce_str, a.serial_no], [SCHEME, mchid, timestamp, nonce, serial], `${what}: Authorization pairs`);
  const expected = nodeSign(merchantKey, requestMessage(method, canonicalUrl, timestamp, nonce, body ?? ''));
  assert.equal(a.signature, expected, `${what}: the signature is node:crypto's over the exact path and body`);
  assert.equal(request.headers.accept, 'application/json', `${what}: Accept`);
  assert.ok(request.headers['user-agent'], `${what}: User-Agent`);
  assert.equal(request.headers['content-type'], body === null ? undefined : 'application/json', `${what}: Content-Type`);
  assert.equal(request.headers['wechatpay-serial'], wechatpaySerial, `${what}: Wechatpay-Serial`);
  return a;
}

/** base64(AES-256-GCM(plaintext) || tag) under the APIv3 key; `tamper` flips a bit of the tag. */
export function encryptResource(key, plaintext, nonce, aad, { tamper = false } = {}) {
  const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(Buffer.from(plaintext, 'utf8')), cipher.final()]);
  const tag = cipher.getAuthTag();
  if (tamper) tag[0] ^= 1;
  return Buffer.concat([ct, tag]).toString('base64');
}

/** The four signature headers (and the type) over `body`, as WeChat Pay sends them. */
export function signedHeaders(privateKey, serial, timestamp, nonce, body, { signature } = {}) {
  return {
    'Wechatpay-Timestamp': String(timestamp),
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signature ?? crypto.sign('sha256', replyMessage(timestamp, nonce, body), privateKey).toString('base64'),
    'Wechatpay-Serial': serial,
    'Wechatpay-Signature-Type': SCHEME,
  };
}

/** A JSON text with some of its non-ASCII characters and slashes written as \u escapes (valid JSON, same value). */
export function withEscapes(rng, json) {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString && c === '\\') {
      out += c + json[i + 1];
      i += 1;
      continue;
    }
    if (c === '"') inString = !inString;
    const code = c.charCodeAt(0);
    const pair = code >= 0xd800 && code <= 0xdbff ? json.slice(i, i + 2) : c;
    if (inString && (code > 0x7e || c === '/') && rng.int(0, 2) === 0) {
      out += pair.split('').map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    } else {
      out += pair;
    }
    i += pair.length - 1;
  }
  return out;
}

/** Text for random fields: Chinese, emoji, quotes, backslashes, escapes, and the seeded unicode mix. */
const PIECES = ['微信支付', '咖啡 拿铁', '😀', '👨‍👩‍👧', '"q"', "it's", '\\', '\\u4e2d', '¥12', '<b>&amp;</b>', '{"k":"v"}', 'a&b=c', '100%'];
export const text = (rng, max = 3) => Array.from({ length: rng.int(1, max) }, () => rng.pick(PIECES)).join('') + rng.unicode(8);

/** A decrypted payment resource (WeChat Pay's field names) for `trade_state`. */
export function transaction(rng, { mchid, appid, tradeState = 'SUCCESS', partner = false, currency = 'CNY' }) {
  const base = partner
    ? { sp_appid: appid, sp_mchid: mchid, sub_appid: `wx${alnum(rng, 16)}`, sub_mchid: String(rng.int(1e9, 2e9)) }
    : { appid, mchid };
  return {
    ...base,
    out_trade_no: `T${alnum(rng, 20)}`,
    transaction_id: `42000${rng.int(1e9, 9e9)}${rng.int(1e9, 9e9)}`,
    trade_type: 'JSAPI',
    trade_state: tradeState,
    trade_state_desc: text(rng),
    bank_type: 'OTHERS',
    attach: text(rng),
    success_time: '2026-01-02T03:04:05+08:00',
    payer: partner ? { sp_openid: `o${alnum(rng, 27)}`, sub_openid: `o${alnum(rng, 27)}` } : { openid: `o${alnum(rng, 27)}` },
    amount: { total: rng.int(1, 1e8), payer_total: rng.int(1, 1e8), currency, payer_currency: currency },
  };
}

/** A decrypted refund resource. */
export function refund(rng, { mchid, status }) {
  const total = rng.int(2, 1e8);
  return {
    mchid,
    out_trade_no: `T${alnum(rng, 20)}`,
    transaction_id: `42000${rng.int(1e9, 9e9)}`,
    out_refund_no: `R${alnum(rng, 20)}`,
    refund_id: `50300${rng.int(1e9, 9e9)}`,
    refund_status: status,
    success_time: '2026-01-02T03:04:05+08:00',
    user_received_account: text(rng),
    amount: { total, refund: rng.int(1, total), payer_total: total, payer_refund: 1 },
  };
}

/**
 * A notification: `resource` (an object) encrypted with `key`, the envelope written as JSON text with
 * escapes, signed by `signer` under `serial`. Returns { body (string), plaintext (the exact text
 * encrypted), envelope, headers, timestamp }. `tamperTag`, `aad`, `envelopeAad`: for the AEAD checks.
 */
export function notification(rng, { key, signer, serial, resource, eventType = 'TRANSACTION.SUCCESS', timestamp, tamperTag = false, aad = 'transaction', envelopeAad = aad, nonce = alnum(rng, 12) }) {
  const plaintext = withEscapes(rng, JSON.stringify(resource));
  const envelope = {
    id: `EV-${alnum(rng, 20)}`,
    create_time: '2026-01-02T03:04:05+08:00',
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: text(rng),
    resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: encryptResource(key, plaintext, nonce, aad, { tamper: tamperTag }), associated_data: envelopeAad, nonce },
  };
  const body = withEscapes(rng, JSON.stringify(envelope, null, rng.pick([0, 0, 1, '\t'])));
  const headerNonce = alnum(rng, 32);
  return { body, plaintext, envelope, headers: signedHeaders(signer, serial, timestamp, headerNonce, body), timestamp };
}

/** The event a verified notification must become, from the documented field meanings. */
export function expectedEvent(envelope, plaintext) {
  const r = JSON.parse(plaintext);
  const s = (v) => (typeof v === 'string' && v !== '' ? v : null);
  const currency = s(r.amount?.currency) ?? 'CNY';
  return {
    paid: r.trade_state === 'SUCCESS',
    tradeStatus: s(r.trade_state),
    amount: r.amount?.total === undefined ? null : { minor: r.amount.total, currency },
    outTradeNo: s(r.out_trade_no),
    tradeNo: s(r.transaction_id),
    appId: s(r.appid) ?? s(r.sp_appid),
    mchid: s(r.mchid) ?? s(r.sp_mchid),
    subMchid: s(r.sub_mchid),
    openid: s(r.payer?.openid) ?? s(r.payer?.sub_openid) ?? s(r.payer?.sp_openid),
    notifyId: s(envelope.id),
    notifyType: s(envelope.event_type),
    successTime: s(r.success_time),
    refund: r.refund_status === undefined ? null : {
      refundStatus: r.refund_status,
      final: r.refund_status === 'SUCCESS' || r.refund_status === 'CLOSED',
      refunded: { minor: r.amount.refund, currency },
      outRefundNo: s(r.out_refund_no),
      refundId: s(r.refund_id),
    },
    plaintext,
  };
}

/** The reply to a verified notification: 204, no body. */
export const SUCCESS_REPLY = Object.freeze({ status: 204, headers: {}, body: null });

/** Headers in the three shapes the API takes: a plain object (as given), a Headers, [name, value] pairs (lower-case names). */
export function headerShapes(headers) {
  const pairs = Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]);
  return [['object', headers], ['Headers', new Headers(headers)], ['pairs', pairs]];
}

// ---------------------------------------------------------------------------------------------
// Engines: the shared table and spy (engine-harness.mjs); failures are kept to check them for secrets.

export { CHOICES, EXPECTED, FORMS, exec } from './engine-harness.mjs';

/** Every AggpayError the WeChat Pay tests saw: checked for secrets at the end. */
export const seenErrors = [];

/** The call fails with `code` (engine-harness.mjs `expectFailure`); the error is kept in `seenErrors`. */
export async function expectFailure(form, what, target, name, args, code) {
  const error = await harnessExpectFailure(form, what, target, name, args, code);
  seenErrors.push(error);
  return error;
}

/** Asserts no error message or field holds `secret` or a 24-character slice of it. */
export function assertNoSecretIn(errors, secrets) {
  for (const error of errors) {
    const text = JSON.stringify({ message: error.message, ...error });
    for (const [name, secret] of Object.entries(secrets)) {
      const compact = secret.replace(/-----[A-Z ]+-----|\s+/g, '');
      for (let i = 0; i + 24 <= compact.length; i += 7) {
        assert.ok(!text.includes(compact.slice(i, i + 24)), `an error (${error.code}: ${error.message}) quotes the ${name}`);
      }
    }
  }
}
