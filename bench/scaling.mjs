// Measures, never asserts: how each parser that network input reaches scales with its input. Each
// parser runs on three sizes, 8× apart; linear work shows about 8× the time per step (the ms/MiB
// column stays flat), quadratic work would show 64×. Limits are raised so that the parsers, not
// the limits, are measured; the last rows show what the default limits do with a hostile body.
// Run after a build: node bench/scaling.mjs   (add --engine=node for the node:crypto engine)
import { createCipheriv, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Alipay, Certificate, RsaVerifier, UseePay, WechatPay } from 'aggpay';

const engine = process.argv.find((a) => a.startsWith('--engine='))?.slice(9) ?? 'wasm';
const RUNS = 7;
const WIDE = { maxInputBytes: 64 * 1024 * 1024, maxFields: 1_000_000, maxDepth: 128 };

/** Median milliseconds of `fn` (which must throw an AggpayError or return), after three warm-up runs. */
function time(fn) {
  const runs = [];
  for (let r = -3; r < RUNS; r++) {
    const start = performance.now();
    try {
      fn();
    } catch (error) {
      if (error?.name !== 'AggpayError') throw error;
    }
    if (r >= 0) runs.push(performance.now() - start);
  }
  return runs.sort((a, b) => a - b)[RUNS >> 1];
}

const key = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const app = key();
const provider = key();
const pem = (k, type) => k.export({ type, format: 'pem' });
const alipay = new Alipay({ appId: '2021000122671080', privateKey: pem(app.privateKey, 'pkcs8'), alipayPublicKey: pem(provider.publicKey, 'spki'), engine, limits: WIDE });
const useepay = new UseePay({ merchantNo: '1', appId: 'a', signType: 'MD5', md5Key: 'k', limits: WIDE });
const API_V3_KEY = 'aggpayBenchApiV3Key0123456789abc';
const PUB_KEY_ID = 'PUB_KEY_ID_0114000000000000000000000000000001';
const wechatpay = new WechatPay({ mchid: '1900000109', apiV3Key: API_V3_KEY, wechatpayPublicKey: pem(provider.publicKey, 'spki'), wechatpayPublicKeyId: PUB_KEY_ID, engine, limits: WIDE });
const WX_NOW = 1_800_000_000_000;
/** The four signature headers over `body` (signed by the provider key with node:crypto), plus `extra`. */
function wechatpayHeaders(body, extra = []) {
  const timestamp = String(WX_NOW / 1000);
  const signature = sign('sha256', Buffer.from(`${timestamp}\nbench\n${body}\n`), provider.privateKey).toString('base64');
  return Object.fromEntries([...extra, ['wechatpay-timestamp', timestamp], ['wechatpay-nonce', 'bench'], ['wechatpay-signature', signature], ['wechatpay-serial', PUB_KEY_ID]]);
}
/** A notification whose resource (encrypted with node:crypto) is `plaintext`, signed. */
function wechatpayNotification(plaintext) {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(API_V3_KEY), Buffer.from('benchNonce12'));
  cipher.setAAD(Buffer.from('transaction'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  const body = JSON.stringify({ id: 'EV-bench', event_type: 'TRANSACTION.SUCCESS', resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'transaction', nonce: 'benchNonce12' } });
  return { headers: wechatpayHeaders(body), body };
}
const cert = readFileSync(new URL('../tests/fixtures/alipay/gopay-cert/alipayRootCert.crt', import.meta.url), 'utf8');

/** About `bytes` bytes of `unit(0)`, `unit(1)`, … joined by `sep`. */
function fill(bytes, unit, sep) {
  const parts = [];
  for (let i = 0, n = 0; n < bytes; i++) {
    const part = unit(i);
    parts.push(part);
    n += part.length + sep.length;
  }
  return parts.join(sep);
}
const KiB = 1024;
const SIZES = [64 * KiB, 512 * KiB, 4096 * KiB];
const PEM_SIZES = [8 * KiB, 64 * KiB, 256 * KiB]; // key text is capped at 256 KiB

const cases = [
  ['form: Alipay verifyNotify, short fields', SIZES, (n) => `${fill(n, (i) => `f${i}=v`, '&')}&sign=AAAA`, (b) => alipay.verifyNotify(b)],
  ['form: Alipay verifyNotify, one long value', SIZES, (n) => `a=${'%41'.repeat(n / 3)}&sign=AAAA`, (b) => alipay.verifyNotify(b)],
  ['form: UseePay verifyNotify (MD5), short fields', SIZES, (n) => `${fill(n, (i) => `f${i}=v`, '&')}&sign=x`, (b) => useepay.verifyNotify(b)],
  ['base64: Alipay notification sign', SIZES, (n) => `a=1&sign=${'QUFB'.repeat(n / 4)}`, (b) => alipay.verifyNotify(b)],
  ['JSON: Alipay parseResponse, node members', SIZES, (n) => `{"alipay_trade_query_response":{${fill(n, (i) => `"k${i}":"v"`, ',')}},"sign":"AAAA"}`, (b) => alipay.parseResponse('alipay.trade.query', b)],
  ['JSON: Alipay parseResponse, top-level members', SIZES, (n) => `{${fill(n, (i) => `"k${i}":1`, ',')},"sign":"AAAA"}`, (b) => alipay.parseResponse('alipay.trade.query', b)],
  ['JSON: Alipay parseResponse, nested arrays', SIZES, (n) => `{"alipay_trade_query_response":[${fill(n, () => '[[[[1]]]]', ',')}],"sign":"AAAA"}`, (b) => alipay.parseResponse('alipay.trade.query', b)],
  ['JSON: UseePay parseResponse, fields', SIZES, (n) => `{${fill(n, (i) => `"f\\u00${(i % 90 + 10).toString(16).padStart(2, '0')}${i}":"v"`, ',')},"sign":"x"}`, (b) => useepay.parseResponse(b)],
  ['headers: Alipay verifyV3Response', SIZES, (n) => ({ status: 200, headers: Object.fromEntries(fill(n, (i) => `x-h${i}`, ' ').split(' ').map((h) => [h, 'v']).concat([['alipay-timestamp', '1'], ['alipay-nonce', 'n'], ['alipay-signature', 'AAAA']])), body: '{}' }), (r) => alipay.verifyV3Response(r)],
  ['headers: WechatPay verifyResponse', SIZES, (n) => ({ status: 200, headers: wechatpayHeaders('{}', fill(n, (i) => `x-h${i}`, ' ').split(' ').map((h) => [h, 'v'])), body: '{}' }), (r) => wechatpay.verifyResponse(r, { now: WX_NOW })],
  ['AES-GCM + JSON: WechatPay verifyNotify, resource fields', SIZES, (n) => wechatpayNotification(`{"trade_state":"NOTPAY",${fill(n * 0.7, (i) => `"k${i}":"v"`, ',')}}`), (m) => wechatpay.verifyNotify(m, { now: WX_NOW })],
  ['PEM: RsaVerifier, explanatory text before the block', PEM_SIZES, (n) => `${'x'.repeat(n - 600)}\n${pem(provider.publicKey, 'spki')}`, (t) => new RsaVerifier(t, { engine }).free()],
  ['certificate chain: Certificate.parseChain', PEM_SIZES, (n) => Array.from({ length: Math.floor(n / cert.length) }, () => cert).join('\n'), (t) => Certificate.parseChain(t)],
];

console.log(`engine: ${engine}; median of ${RUNS} runs; three sizes 8x apart (PEM: 8x and 4x, capped at 256 KiB)`);
console.log(`${'parser'.padEnd(52)} ${'size'.padStart(9)} ${'ms'.padStart(9)} ${'ms/MiB'.padStart(8)}`);
for (const [name, sizes, make, run] of cases) {
  for (const size of sizes) {
    const input = make(size);
    const bytes = typeof input === 'string' ? Buffer.byteLength(input) : Buffer.byteLength(JSON.stringify(input));
    const ms = time(() => run(input));
    console.log(`${name.padEnd(52)} ${`${(bytes / KiB).toFixed(0)} KiB`.padStart(9)} ${ms.toFixed(2).padStart(9)} ${(ms / (bytes / KiB / KiB)).toFixed(1).padStart(8)}`);
  }
}

// What the default limits do with the hostile bodies of the review: refused before decoding.
const defaults = new Alipay({ appId: '2021000122671080', privateKey: pem(app.privateKey, 'pkcs8'), alipayPublicKey: pem(provider.publicKey, 'spki'), engine });
const oneMiB = `${fill(1024 * KiB - 32, (i) => `f${i}=v`, '&')}&sign=AAAA`;
const hostile = [
  ['1 MiB of short fields, default limits', oneMiB],
  ['100,000 fields, default limits', `${Array.from({ length: 100_000 }, (_, i) => `f${i}=v`).join('&')}&sign=AAAA`],
];
for (const [what, body] of hostile) {
  let code;
  const ms = time(() => {
    try {
      defaults.verifyNotify(body);
    } catch (error) {
      code = error.code;
      throw error;
    }
  });
  console.log(`${what.padEnd(52)} ${`${(Buffer.byteLength(body) / KiB).toFixed(0)} KiB`.padStart(9)} ${ms.toFixed(2).padStart(9)}  ${code}`);
}
// A signed notification of ordinary size, for scale.
const pairs = [['out_trade_no', 'T1'], ['total_amount', '0.01'], ['trade_status', 'TRADE_SUCCESS'], ['sign_type', 'RSA2']];
const content = pairs.filter(([k]) => k !== 'sign_type').sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
const real = new URLSearchParams([...pairs, ['sign', sign('sha256', Buffer.from(content), provider.privateKey).toString('base64')]]).toString();
console.log(`${'an ordinary signed notification, verified'.padEnd(52)} ${`${Buffer.byteLength(real)} B`.padStart(9)} ${time(() => defaults.verifyNotify(real)).toFixed(2).padStart(9)}`);
