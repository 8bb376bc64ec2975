// The engine seam (pkg/src/seam.mjs, engines.mjs, engine-node.mjs): every operation that needs RSA,
// in both forms (`name` and `nameAsync`), on every engine choice ('node', 'wasm', 'webcrypto',
// 'auto'), against node:crypto and the shared vectors. Spies on node:crypto and crypto.subtle check
// that the engine the getters name is the one that really does the RSA work. Then verify-only and
// sign-only clients, certificate rotation, free() while an Async call is in flight, and the same
// seam inside real workerd (miniflare) and Chromium (playwright-core).
//
// Expected values never come from the code under test: signatures are node:crypto's (PKCS#1 v1.5 is
// deterministic), strings to sign are written here from the documented rules, keys are fresh per
// run, random content is seeded (AGGPAY_TEST_SEED=<seed> reproduces a failure).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AggpayError, Alipay, RsaSigner, RsaVerifier, UseePay, WechatPay } from 'aggpay';
import {
  bundleWorker, callHarness, ctx, describeKeyPair, expectAggpayError, expectedUseePayOutcome, fixturesDir, flipBit, harnessPage,
  makeRng, makeTempDir, pkgDir, postToWorker, removeDir, repoRoot, run, serveStatic, withChromiumPage,
} from './helpers.mjs';
import {
  PRODUCTION_GATEWAY, assertRequestSigned, decodeForm, encodeForm, epochOfBeijing, keyPairs, loadVectors, nodeSign,
  notifyContent, readAlipayFixture, signContent, signedResponse,
} from './alipay-helpers.mjs';
import { CHOICES, EXPECTED, FORMS, assertAggpayErrorShape, assertEngineUsed, exec, expectFailure, observe } from './engine-harness.mjs';
import { SUCCESS_REPLY as WECHATPAY_SUCCESS, alnum, apiV3Key, expectedEvent, notification as wechatNotification, publicKeyId, transaction as wechatTransaction } from './wechatpay-helpers.mjs';

// ---------------------------------------------------------------------------------------------
// Engines: the documented table, and spies that see which engine did the RSA work.

/** Outputs of the same inputs on every engine and form, compared at the end of the file. */
const outputs = new Map();
function record(key, choice, form, value) {
  if (!outputs.has(key)) outputs.set(key, new Map());
  outputs.get(key).set(`${choice}/${form}`, JSON.stringify(value));
}

// ---------------------------------------------------------------------------------------------
// Keys (fresh per run) and the references written from the documented rules.

const APP_ID = '2021000122671080';
const { app, alipay: ali, other } = keyPairs();
const freshPair = () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return describeKeyPair(privateKey, publicKey);
};
const merchant = freshPair(); // the UseePay merchant's key
const usee = freshPair(); // UseePay's own key (node:crypto stands in for UseePay)
const wechatpay = freshPair(); // WeChat Pay's public key (node:crypto stands in for WeChat Pay)

const MERCHANT_NO = '500000000007362';
const USEE_APP_ID = 'shop.example.com';
const USEE_NOTIFY = 'https://shop.example.com/useepay/notify';
const USEE_API = 'https://pay-gateway.useepay.com/api';
const MD5_KEY = `md5-${crypto.randomBytes(8).toString('hex')}`;

const alipayFull = (engine, extra = {}) => new Alipay({ appId: APP_ID, privateKey: app.pkcs8Pem, alipayPublicKey: ali.spkiPem, engine, ...extra });
const alipayVerifyOnly = (engine, extra = {}) => new Alipay({ appId: APP_ID, alipayPublicKey: ali.spkiPem, engine, ...extra });
const alipaySignOnly = (engine, extra = {}) => new Alipay({ appId: APP_ID, privateKey: app.pkcs1Pem, engine, ...extra });
const useeFull = (engine) => new UseePay({
  merchantNo: MERCHANT_NO, appId: USEE_APP_ID, signType: 'RSA', privateKey: merchant.pkcs8Pem, useepayPublicKey: usee.spkiPem, notifyUrl: USEE_NOTIFY, engine,
});
const useeVerifyOnly = (engine) => new UseePay({ merchantNo: MERCHANT_NO, appId: USEE_APP_ID, signType: 'RSA', useepayPublicKey: usee.spkiPem, notifyUrl: USEE_NOTIFY, engine });
const useeSignOnly = (engine) => new UseePay({ merchantNo: MERCHANT_NO, appId: USEE_APP_ID, signType: 'RSA', privateKey: merchant.pkcs1Pem, engine });
const useeMd5 = (engine) => new UseePay({ merchantNo: MERCHANT_NO, appId: USEE_APP_ID, signType: 'MD5', md5Key: MD5_KEY, notifyUrl: USEE_NOTIFY, engine });

/** Values that break naive encoders (no exotic white space: trimming rules differ between languages). */
const PIECES = ['中文商品', '咖啡 拿铁', 'a&b=c', '100%', '%41%2B', '1+1', '😀', '"q"', "it's", '/p/a?x=1&y=2', 'e\u0301', '¥12', '<b>&amp;</b>', '{"k":"v"}', '\\'];
const text = (rng, max = 3) => Array.from({ length: rng.int(1, max) }, () => rng.pick(PIECES)).join(rng.pick(['', ' ', '-']));
const marker = (rng, prefix) => `${prefix}${rng.int(1e8, 9e8)}${rng.int(1e8, 9e8)}`;
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const sha = (hash, data, key) => crypto.sign(hash, Buffer.from(data), key);

// Alipay ---------------------------------------------------------------------------------------

/** A payment notification's parameters (wire order random). */
function alipayNotification(rng, signType = 'RSA2') {
  const params = [
    ['notify_time', '2026-11-24 12:00:00'], ['notify_type', 'trade_status_sync'], ['notify_id', marker(rng, 'ac05')],
    ['app_id', APP_ID], ['charset', 'utf-8'], ['version', '1.0'], ['sign_type', signType], ['trade_no', marker(rng, '2026')],
    ['out_trade_no', marker(rng, 'T')], ['trade_status', 'TRADE_SUCCESS'], ['total_amount', `${rng.int(0, 9999)}.${rng.int(10, 99)}`],
    ['subject', text(rng)], ['body', text(rng)], ['buyer_logon_id', ''], ['passback_params', encodeURIComponent(`o=${rng.int(1, 99)}&n=中 %/+`)],
    ['fund_bill_list', '[{"amount":"0.01","fundChannel":"ALIPAYACCOUNT"}]'],
  ];
  for (let i = params.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i);
    [params[i], params[j]] = [params[j], params[i]];
  }
  return params;
}
const signNotification = (params, rule, key, hash = 'sha256') => [...params, ['sign', nodeSign(notifyContent(params, rule), key, hash)]];
const changeValue = (pairs, name) => pairs.map(([k, v]) => [k, k === name ? `${v}0` : v]);

/** A response node as raw text, its value, and the method. */
function alipayResponse(rng) {
  const method = 'alipay.trade.query';
  const value = { code: '10000', msg: 'Success', trade_no: marker(rng, '2026'), out_trade_no: marker(rng, 'TAMPER'), subject: text(rng), total_amount: '88.88', detail: { sign: 'nested', list: [1, null, true] } };
  return { method, value, nodeText: JSON.stringify(value) };
}

/** The `\/` case: a node that escapes `/`, signed over the text with only `\/` unescaped (the Java SDK's retry). */
function slashResponse(rng) {
  const method = 'alipay.offline.material.image.upload';
  const id = marker(rng, 'img');
  const nodeText = `{"code":"10000","msg":"Success","image_id":"${id}","image_url":"http:\\/\\/oalipay-dl-django.alicdn.com\\/rest\\/1.0\\/image?fileIds=${id}&zoom=original","name":"\\u4e2d\\u6587"}`;
  const value = JSON.parse(nodeText);
  const unescaped = nodeText.replaceAll('\\/', '/');
  assert.notEqual(unescaped, nodeText);
  assert.notEqual(JSON.stringify(value), unescaped, 'the re-serialized node differs from the \\/-unescaped text');
  return {
    method, value, id,
    raw: signedResponse(method, nodeText, ali.privateKey, { signedText: unescaped }),
    reserialized: signedResponse(method, nodeText, ali.privateKey, { signedText: JSON.stringify(value) }),
  };
}

/** A signed v3 response. */
function v3Response(rng, key = ali.privateKey) {
  const value = { trade_no: marker(rng, '2026'), out_trade_no: marker(rng, 'TAMPER'), subject: text(rng), total_amount: '0.01' };
  const body = JSON.stringify(value).replaceAll('/', '\\/');
  const ts = String(rng.int(1.6e12, 1.9e12));
  const nonce = crypto.randomBytes(16).toString('hex');
  const headers = { 'alipay-timestamp': ts, 'alipay-nonce': nonce, 'alipay-signature': nodeSign(`${ts}\n${nonce}\n${body}\n`, key), 'alipay-trace-id': 'trace' };
  return { value, response: { status: 200, headers, body }, tampered: { status: 200, headers, body: body.replace(value.out_trade_no, `${value.out_trade_no}X`) } };
}

/** `return_url` parameters (payment rule), signed. */
function returnQuery(rng, key = ali.privateKey, hash = 'sha256', signType = 'RSA2') {
  const params = [
    ['charset', 'utf-8'], ['out_trade_no', marker(rng, 'T')], ['method', 'alipay.trade.wap.pay.return'], ['total_amount', '12.30'],
    ['sign_type', signType], ['trade_no', marker(rng, '2026')], ['auth_app_id', APP_ID], ['version', '1.0'], ['app_id', APP_ID],
    ['seller_id', '2088000000000000'], ['timestamp', '2026-11-24 12:00:00'],
  ];
  return signNotification(params, 'payment', key, hash);
}

/** Parses `Authorization: ALIPAY-SHA256withRSA <authString>,sign=<sig>`. */
function parseAuthorization(header) {
  const m = /^ALIPAY-SHA256withRSA (.*),sign=([A-Za-z0-9+/=]+)$/.exec(header);
  assert.ok(m, `Authorization header shape: ${header}`);
  return { authString: m[1], sign: m[2] };
}

// UseePay ---------------------------------------------------------------------------------------

/** The documented string to sign: every field but sign, values empty after trimming left out, names sorted by bytes. */
const useeContent = (pairs) => pairs
  .filter(([k, v]) => k !== 'sign' && v.trim() !== '')
  .sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])))
  .map(([k, v]) => `${k}=${v}`)
  .join('&');
const useeRsa = (pairs, key) => b64(sha('sha256', useeContent(pairs), key));
const useeMd5Sign = (pairs) => crypto.createHash('md5').update(`${useeContent(pairs)}&pkey=${MD5_KEY}`, 'utf8').digest('hex');

function useeNotificationFields(rng, signType = 'RSA') {
  return {
    version: '1.0', merchantNo: MERCHANT_NO, transactionId: marker(rng, 'T'), transactionType: 'pay', amount: String(rng.int(1, 1e6)),
    currency: 'HKD', resultCode: rng.pick(['succeed', 'pending', 'failed', 'closed']), errorCode: '0000',
    errorMsg: 'Approved or completed successfully', reference: marker(rng, 'R'), signType, echoParam: text(rng),
  };
}
/** Fields signed by UseePay (node:crypto with UseePay's key, or MD5), as [name, value] pairs in random order. */
function useeSigned(rng, fields, sign = (pairs) => useeRsa(pairs, usee.privateKey)) {
  const pairs = Object.entries(fields);
  const out = [...pairs, ['sign', sign(pairs)]];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
const useeNotifyResult = (fields, signedPairs) => ({
  event: { ...expectedUseePayOutcome(fields), fields: Object.fromEntries(signedPairs) },
  reply: { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'OK' },
});

/** Checks a built UseePay request: POST form to the API, and its sign is `signer(pairs)`. Returns its fields. */
function assertUseeRequest(request, what, signer = (pairs) => useeRsa(pairs, merchant.privateKey), url = USEE_API) {
  assert.equal(request.method, 'POST', what);
  assert.equal(request.url, url, what);
  const pairs = [...new URLSearchParams(request.body)];
  assert.equal(new URLSearchParams(pairs).toString(), request.body, `${what}: canonical form encoding`);
  const fields = Object.fromEntries(pairs);
  assert.equal(Object.keys(fields).length, pairs.length, `${what}: every field once`);
  assert.ok(fields.sign, `${what}: has a sign`);
  assert.equal(fields.sign, signer(pairs), `${what}: sign over ${useeContent(pairs).slice(0, 200)}`);
  return fields;
}

// Vectors ----------------------------------------------------------------------------------------

const ALIPAY_VECTORS = new Map(loadVectors().map((v) => [v.id, v]));
const USEE_VECTORS = new Map(JSON.parse(fs.readFileSync(path.join(fixturesDir, 'useepay', 'vectors.json'), 'utf8')).vectors.map((v) => [v.id, v]));
const vectorKey = (v, field) => (v[field].includes('BEGIN') ? v[field] : readAlipayFixture(v[field]));

// The same random inputs for every engine, so that outputs can be compared byte for byte.
const DATA_RNG = makeRng('engines-shared-inputs');
const TIMESTAMP = DATA_RNG.int(1.6e12, 1.9e12);
const V2_CASES = (() => {
  const rng = DATA_RNG;
  const opts = { timestamp: TIMESTAMP, notifyUrl: 'https://shop.example.com/n?a=1&b=中' };
  const trade = marker(rng, 'T');
  return [
    { name: 'buildTradeCreate', method: 'alipay.trade.create', args: [{ out_trade_no: trade, total_amount: { minor: rng.int(1, 1e7), currency: 'CNY' }, subject: text(rng), buyer_open_id: marker(rng, '074a') }, opts] },
    { name: 'buildTradeQuery', method: 'alipay.trade.query', args: [{ out_trade_no: trade }, opts] },
    { name: 'buildTradeClose', method: 'alipay.trade.close', args: [{ trade_no: marker(rng, '2026') }, opts] },
    { name: 'buildTradeRefund', method: 'alipay.trade.refund', args: [{ out_trade_no: trade, refund_amount: '0.01', out_request_no: marker(rng, 'RF'), refund_reason: text(rng) }, opts] },
    { name: 'buildRefundQuery', method: 'alipay.trade.fastpay.refund.query', args: [{ out_trade_no: trade, out_request_no: marker(rng, 'RF') }, opts] },
    { name: 'buildTradePrecreate', method: 'alipay.trade.precreate', args: [{ out_trade_no: trade, total_amount: '1.23', subject: text(rng) }, opts] },
    { name: 'buildRequest', method: 'alipay.data.dataservice.bill.downloadurl.query', args: ['alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: '2026-01-01', note: text(rng) }, { ...opts, appAuthToken: marker(rng, 'tok') }] },
    { name: 'buildOauthToken', method: 'alipay.system.oauth.token', args: [{ code: marker(rng, 'code') }, { timestamp: TIMESTAMP }] },
    { name: 'buildTradeCancel', method: 'alipay.trade.cancel', args: [{ out_trade_no: trade }, opts] },
    { name: 'buildBillDownloadUrlQuery', method: 'alipay.data.dataservice.bill.downloadurl.query', args: [{ bill_type: 'trade', bill_date: '2026-01-31' }, opts] },
    { name: 'buildAlipayCertDownload', method: 'alipay.open.app.alipaycert.download', args: [{ alipay_cert_sn: crypto.createHash('md5').update(marker(rng, 'sn')).digest('hex') }, opts] },
  ];
})();
const WAP_ARGS = [{ out_trade_no: marker(DATA_RNG, 'W'), total_amount: { minor: DATA_RNG.int(1, 1e6), currency: 'CNY' }, subject: `${text(DATA_RNG)}<script>"&` }, { timestamp: TIMESTAMP, returnUrl: 'https://shop.example.com/r?o=1&s="<>' }];
const PAGE_ARGS = [{ out_trade_no: marker(DATA_RNG, 'P'), total_amount: { minor: DATA_RNG.int(1, 1e6), currency: 'CNY' }, subject: `${text(DATA_RNG)}<script>"&` }, { timestamp: TIMESTAMP, returnUrl: 'https://shop.example.com/r?o=1' }];
const APP_ARGS = [{ out_trade_no: marker(DATA_RNG, 'A'), total_amount: { minor: DATA_RNG.int(1, 1e6), currency: 'CNY' }, subject: `${text(DATA_RNG)} (App) it's!` }, { timestamp: TIMESTAMP }];
const V3_ARGS = { method: 'POST', path: '/v3/alipay/trade/query?x=%E4%B8%AD', body: { out_trade_no: marker(DATA_RNG, 'T'), subject: text(DATA_RNG) }, nonce: crypto.randomBytes(16).toString('hex'), timestamp: TIMESTAMP, appAuthToken: marker(DATA_RNG, 'tok') };
const SHARED_MESSAGE = DATA_RNG.bytes(300);
const USEE_CASES = (() => {
  const rng = DATA_RNG;
  return [
    { name: 'buildJsapiPay', args: [{ transactionId: marker(rng, 'J'), amount: { minor: rng.int(1, 1e6), currency: 'HKD' }, subAppId: 'wx1234567890abcdef', subOpenId: marker(rng, 'oUpF'), subject: text(rng) }], field: 'transactionId' },
    { name: 'buildQuery', args: [{ transactionId: marker(rng, 'Q') }], field: 'transactionId' },
    { name: 'buildRefund', args: [{ transactionId: marker(rng, 'RF'), originalTransactionId: marker(rng, 'T'), amount: { minor: rng.int(1, 1e4), currency: 'HKD' } }], field: 'originalTransactionId' },
    { name: 'buildRequest', args: ['pay', { transactionId: marker(rng, 'P'), payerInfo: { paymentMethod: 'wechat_h5' }, terminalType: 'H5', orderInfo: { subject: text(rng) } }], field: 'transactionId' },
  ];
})();

// ---------------------------------------------------------------------------------------------
// 0. The engine getters follow the table.

describe('engine and asyncEngine getters', () => {
  it('every class names the engines of the table for every choice; the default is auto; an unknown choice is ERR_BAD_INPUT', () => {
    for (const choice of CHOICES) {
      const { sync, async } = EXPECTED[choice];
      const objects = {
        'Alipay': alipayFull(choice), 'Alipay verify-only': alipayVerifyOnly(choice), 'Alipay sign-only': alipaySignOnly(choice),
        'UseePay RSA': useeFull(choice), 'UseePay verify-only': useeVerifyOnly(choice), 'UseePay sign-only': useeSignOnly(choice),
        'RsaSigner': new RsaSigner(app.pkcs8Pem, { engine: choice }), 'RsaVerifier': new RsaVerifier(app.spkiPem, { engine: choice }),
      };
      for (const [label, object] of Object.entries(objects)) {
        assert.deepEqual([object.engine, object.asyncEngine], [sync, async], `${label} with engine '${choice}'`);
        object.free();
      }
      const md5 = useeMd5(choice);
      assert.deepEqual([md5.engine, md5.asyncEngine], ['none', 'none'], `UseePay MD5 with engine '${choice}' needs no RSA engine`);
      md5.free();
    }
    const defaults = [new Alipay({ appId: APP_ID, privateKey: app.pkcs8Pem }), new RsaSigner(app.pkcs8Pem), new RsaVerifier(app.spkiPem)];
    for (const object of defaults) assert.deepEqual([object.engine, object.asyncEngine], ['node', 'node'], `${object.constructor.name} without engine option`);
    expectAggpayError(() => alipayFull('openssl'), 'ERR_BAD_INPUT', 'unknown engine (Alipay)');
    expectAggpayError(() => useeFull('WASM'), 'ERR_BAD_INPUT', 'unknown engine (UseePay)');
    expectAggpayError(() => new RsaSigner(app.pkcs8Pem, { engine: 'webCrypto' }), 'ERR_BAD_INPUT', 'unknown engine (RsaSigner)');
  });
});

// ---------------------------------------------------------------------------------------------
// 1. Every operation on every engine, in both forms.

describe('Alipay on every engine, sync and Async', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] v2 request builders: sign is node:crypto's signature over the string to sign`, async () => {
      const alipay = alipayFull(choice);
      for (const form of FORMS) {
        for (const c of V2_CASES) {
          const what = ctx(`${c.name} on ${choice}/${form}`);
          const request = await exec(choice, form, what, alipay, c.name, c.args);
          const parts = assertRequestSigned(request, app.privateKey, 'RSA2', what);
          assert.equal(parts.params.get('method'), c.method, `${what}: method`);
          assert.equal(parts.params.get('app_id'), APP_ID, `${what}: app_id`);
          record(`v2 ${c.name}`, choice, form, request);
        }
      }
      alipay.free();
    });

    it(`[${choice}] buildWapPay: the URL's sign verifies with node:crypto; form and params agree`, async () => {
      const alipay = alipayFull(choice);
      for (const form of FORMS) {
        const what = ctx(`buildWapPay on ${choice}/${form}`);
        const page = await exec(choice, form, what, alipay, 'buildWapPay', WAP_ARGS);
        assert.ok(page.url.startsWith(`${PRODUCTION_GATEWAY}?`), `${what}: url ${page.url.slice(0, 80)}`);
        const pairs = decodeForm(page.url.slice(PRODUCTION_GATEWAY.length + 1));
        assert.deepEqual(page.params, Object.fromEntries(pairs), `${what}: params are the URL's`);
        assert.equal(page.params.method, 'alipay.trade.wap.pay', what);
        assert.equal(page.params.sign, nodeSign(signContent(pairs), app.privateKey), `${what}: sign`);
        assert.ok(page.form.includes(page.params.sign), `${what}: the form carries the sign`);
        record('buildWapPay', choice, form, page);
      }
      alipay.free();
    });

    it(`[${choice}] buildPagePay and buildAppPay: node:crypto's signature; the App string is encodeURIComponent of each value`, async () => {
      const alipay = alipayFull(choice);
      for (const form of FORMS) {
        const what = ctx(`page/app on ${choice}/${form}`);
        const page = await exec(choice, form, what, alipay, 'buildPagePay', PAGE_ARGS);
        const pairs = decodeForm(page.url.slice(PRODUCTION_GATEWAY.length + 1));
        assert.deepEqual(page.params, Object.fromEntries(pairs), `${what}: page params are the URL's`);
        assert.equal(page.params.method, 'alipay.trade.page.pay', what);
        assert.equal(page.params.sign, nodeSign(signContent(pairs), app.privateKey), `${what}: page sign`);
        record('buildPagePay', choice, form, page);
        const order = await exec(choice, form, what, alipay, 'buildAppPay', APP_ARGS);
        const entries = Object.entries(order.params);
        assert.equal(order.orderStr, entries.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'), `${what}: order string`);
        assert.equal(order.params.method, 'alipay.trade.app.pay', what);
        assert.equal(order.params.sign, nodeSign(signContent(entries), app.privateKey), `${what}: app sign`);
        record('buildAppPay', choice, form, order);
      }
      alipay.free();
    });

    it(`[${choice}] buildV3Request: the Authorization signature verifies with node:crypto; the v3 vector is reproduced`, async () => {
      const alipay = alipayFull(choice);
      const v = ALIPAY_VECTORS.get('v3-sign-trade-query');
      const auth = Object.fromEntries(v.auth_string.split(',').map((kv) => kv.split('=')));
      const vectorClient = new Alipay({ appId: auth.app_id, privateKey: readAlipayFixture(v.private_key), engine: choice });
      for (const form of FORMS) {
        const what = ctx(`buildV3Request on ${choice}/${form}`);
        const request = await exec(choice, form, what, alipay, 'buildV3Request', [V3_ARGS]);
        const { authString, sign } = parseAuthorization(request.headers.authorization);
        assert.equal(authString, `app_id=${APP_ID},nonce=${V3_ARGS.nonce},timestamp=${V3_ARGS.timestamp}`, `${what}: authString`);
        const body = JSON.stringify(V3_ARGS.body);
        assert.equal(request.body, body, `${what}: body`);
        assert.equal(sign, nodeSign(`${authString}\nPOST\n${V3_ARGS.path}\n${body}\n${V3_ARGS.appAuthToken}\n`, app.privateKey), `${what}: sign`);
        record('buildV3Request', choice, form, request);
        const vector = await exec(choice, form, `${what}: vector`, vectorClient, 'buildV3Request', [{
          method: v.http_method, path: v.request_path, body: v.body, nonce: auth.nonce, timestamp: Number(auth.timestamp),
        }]);
        assert.equal(vector.headers.authorization, v.authorization, `${what}: ${v.id}`);
      }
      vectorClient.free();
      alipay.free();
    });

    it(`[${choice}] parseResponse: node:crypto's signature verifies, a changed byte is ERR_SIGNATURE_INVALID, the \\/ retry works`, async () => {
      const rng = makeRng(`engines-response-${choice}`);
      const alipay = alipayFull(choice);
      for (const form of FORMS) {
        const what = ctx(`parseResponse on ${choice}/${form}`);
        const { method, value, nodeText } = alipayResponse(rng);
        const raw = signedResponse(method, nodeText, ali.privateKey);
        assert.deepEqual(await exec(choice, form, what, alipay, 'parseResponse', [method, raw]), value, what);
        assert.deepEqual(await exec(choice, form, what, alipay, 'parseResponse', [method, new Uint8Array(Buffer.from(raw))]), value, `${what} (bytes)`);
        await expectFailure(form, `${what}: changed node`, alipay, 'parseResponse', [method, raw.replace(value.out_trade_no, `${value.out_trade_no}X`)], 'ERR_SIGNATURE_INVALID');
        await expectFailure(form, `${what}: signed by another key`, alipay, 'parseResponse', [method, signedResponse(method, nodeText, other.privateKey)], 'ERR_SIGNATURE_INVALID');
        await expectFailure(form, `${what}: SHA-1 on an RSA2 client`, alipay, 'parseResponse', [method, signedResponse(method, nodeText, ali.privateKey, { hash: 'sha1' })], 'ERR_SIGNATURE_INVALID');
        const slash = slashResponse(rng);
        assert.deepEqual(await exec(choice, form, `${what}: \\/`, alipay, 'parseResponse', [slash.method, slash.raw]), slash.value, `${what}: signature over the \\/-unescaped node`);
        await expectFailure(form, `${what}: signature over the re-serialized node`, alipay, 'parseResponse', [slash.method, slash.reserialized], 'ERR_SIGNATURE_INVALID');
      }
      alipay.free();
    });

    it(`[${choice}] verifyNotify: payment and gateway rules, auto accepts both, the other rule and a changed byte are refused`, async () => {
      const rng = makeRng(`engines-notify-${choice}`);
      const alipay = alipayFull(choice);
      for (const form of FORMS) {
        for (const rule of ['payment', 'gateway']) {
          const what = ctx(`verifyNotify (${rule} rule) on ${choice}/${form}`);
          const signed = signNotification(alipayNotification(rng), rule, ali.privateKey);
          const body = encodeForm(signed);
          const expected = Object.fromEntries(signed);
          const result = await exec(choice, form, what, alipay, 'verifyNotify', [body, { rule }]);
          assert.deepEqual(result.event.params, expected, what);
          assert.deepEqual([result.reply.status, result.reply.body], [200, 'success'], `${what}: reply`);
          const auto = await exec(choice, form, `${what}: auto`, alipay, 'verifyNotify', [new Uint8Array(Buffer.from(body)), { rule: 'auto' }]);
          assert.deepEqual(auto.event.params, expected, `${what}: auto accepts a ${rule}-rule signature`);
          if (rule === 'payment') {
            assert.deepEqual((await exec(choice, form, what, alipay, 'verifyNotify', [body])).event.params, expected, `${what}: payment is the default rule`);
          }
          const otherRule = rule === 'payment' ? 'gateway' : 'payment';
          await expectFailure(form, `${what}: under the ${otherRule} rule`, alipay, 'verifyNotify', [body, { rule: otherRule }], 'ERR_SIGNATURE_INVALID');
          await expectFailure(form, `${what}: changed out_trade_no`, alipay, 'verifyNotify', [encodeForm(changeValue(signed, 'out_trade_no')), { rule: 'auto' }], 'ERR_SIGNATURE_INVALID');
          await expectFailure(form, `${what}: signed by the app key`, alipay, 'verifyNotify', [encodeForm(signNotification(alipayNotification(rng), rule, app.privateKey)), { rule: 'auto' }], 'ERR_SIGNATURE_INVALID');
        }
      }
      alipay.free();
    });

    it(`[${choice}] verifyReturn and verifyV3Response: node:crypto's signatures verify, changes are refused`, async () => {
      const rng = makeRng(`engines-return-v3-${choice}`);
      const alipay = alipayFull(choice);
      for (const form of FORMS) {
        const what = ctx(`verifyReturn on ${choice}/${form}`);
        const signed = returnQuery(rng);
        const query = encodeForm(signed);
        assert.deepEqual(await exec(choice, form, what, alipay, 'verifyReturn', [`?${query}`]), Object.fromEntries(signed), what);
        assert.deepEqual(await exec(choice, form, what, alipay, 'verifyReturn', [query]), Object.fromEntries(signed), `${what}: without ?`);
        await expectFailure(form, `${what}: changed total_amount`, alipay, 'verifyReturn', [encodeForm(changeValue(signed, 'total_amount'))], 'ERR_SIGNATURE_INVALID');
        const v3 = v3Response(rng);
        const what3 = ctx(`verifyV3Response on ${choice}/${form}`);
        assert.deepEqual(await exec(choice, form, what3, alipay, 'verifyV3Response', [v3.response]), v3.value, what3);
        await expectFailure(form, `${what3}: changed body`, alipay, 'verifyV3Response', [v3.tampered], 'ERR_SIGNATURE_INVALID');
        await expectFailure(form, `${what3}: signed by another key`, alipay, 'verifyV3Response', [v3Response(rng, other.privateKey).response], 'ERR_SIGNATURE_INVALID');
      }
      alipay.free();
    });

    it(`[${choice}] signType RSA (SHA-1): the rsa-sign vector is reproduced; SHA-1 requests, responses and notifications against node:crypto`, async () => {
      const rng = makeRng(`engines-sha1-${choice}`);
      const v = ALIPAY_VECTORS.get('rsa-sha1-sign-trade-create');
      const vectorClient = new Alipay({ appId: v.params.app_id, signType: 'RSA', privateKey: readAlipayFixture(v.private_key), engine: choice });
      const legacy = alipayFull(choice, { signType: 'RSA' });
      assert.equal(legacy.signType, 'RSA');
      for (const form of FORMS) {
        const what = ctx(`SHA-1 on ${choice}/${form}`);
        const vectorRequest = await exec(choice, form, `${what}: vector`, vectorClient, 'buildRequest', [
          v.params.method, v.params.biz_content, { timestamp: epochOfBeijing(v.params.timestamp), notifyUrl: v.params.notify_url },
        ]);
        assert.equal(new URL(vectorRequest.url).searchParams.get('sign'), v.expect, `${what}: ${v.id}`);
        const request = await exec(choice, form, what, legacy, 'buildTradeQuery', V2_CASES[1].args);
        assertRequestSigned(request, app.privateKey, 'RSA', what);
        record('v2 buildTradeQuery SHA-1', choice, form, request);
        const { method, value, nodeText } = alipayResponse(rng);
        assert.deepEqual(await exec(choice, form, what, legacy, 'parseResponse', [method, signedResponse(method, nodeText, ali.privateKey, { hash: 'sha1' })]), value, `${what}: SHA-1 response`);
        await expectFailure(form, `${what}: SHA-256 response on an RSA client`, legacy, 'parseResponse', [method, signedResponse(method, nodeText, ali.privateKey)], 'ERR_SIGNATURE_INVALID');
        const signed = signNotification(alipayNotification(rng, 'RSA'), 'payment', ali.privateKey, 'sha1');
        assert.deepEqual((await exec(choice, form, what, legacy, 'verifyNotify', [encodeForm(signed)])).event.params, Object.fromEntries(signed), `${what}: SHA-1 notification`);
        await expectFailure(form, `${what}: changed SHA-1 notification`, legacy, 'verifyNotify', [encodeForm(changeValue(signed, 'out_trade_no'))], 'ERR_SIGNATURE_INVALID');
        const returned = returnQuery(rng, ali.privateKey, 'sha1', 'RSA');
        assert.deepEqual(await exec(choice, form, what, legacy, 'verifyReturn', [encodeForm(returned)]), Object.fromEntries(returned), `${what}: SHA-1 return`);
      }
      vectorClient.free();
      legacy.free();
    });
  }
});

describe('UseePay on every engine, sync and Async', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] RSA requests: sign is node:crypto's SHA256withRSA over the documented string; the JSAPI vector is reproduced`, async () => {
      const client = useeFull(choice);
      const v = USEE_VECTORS.get('rsa-jsapi-request');
      const vectorKeyText = fs.readFileSync(path.join(fixturesDir, 'useepay', v.private_key), 'utf8');
      const vectorClient = new UseePay({ merchantNo: v.params.merchantNo, appId: v.params.appId, signType: 'RSA', privateKey: vectorKeyText, engine: choice });
      const payer = JSON.parse(v.params.payerInfo);
      for (const form of FORMS) {
        for (const c of USEE_CASES) {
          const what = ctx(`UseePay ${c.name} on ${choice}/${form}`);
          const request = await exec(choice, form, what, client, c.name, c.args);
          const fields = assertUseeRequest(request, what);
          assert.equal(fields[c.field], (c.args[1] ?? c.args[0])[c.field], `${what}: ${c.field}`);
          assert.equal(fields.signType, 'RSA', what);
          record(`UseePay ${c.name}`, choice, form, request);
        }
        const vectorRequest = await exec(choice, form, `${v.id} on ${choice}/${form}`, vectorClient, 'buildJsapiPay', [{
          transactionId: v.params.transactionId, amount: { minor: Number(v.params.amount), currency: v.params.currency },
          subAppId: payer.sub_appid, subOpenId: payer.sub_openid, subject: JSON.parse(v.params.orderInfo).subject, notifyUrl: v.params.notifyUrl,
          echoParam: v.params.echoParam, expirationMinutes: Number(v.params.transactionExpirationTime),
        }]);
        assert.equal(new URLSearchParams(vectorRequest.body).get('sign'), v.expect, `${v.id} on ${choice}/${form}`);
      }
      vectorClient.free();
      client.free();
    });

    it(`[${choice}] RSA responses and notifications signed by node:crypto verify; changes are refused`, async () => {
      const rng = makeRng(`engines-useepay-${choice}`);
      const client = useeFull(choice);
      for (const form of FORMS) {
        const what = ctx(`UseePay on ${choice}/${form}`);
        // verifyNotify
        const fields = useeNotificationFields(rng);
        const pairs = useeSigned(rng, fields);
        const body = encodeForm(pairs);
        assert.deepEqual(await exec(choice, form, what, client, 'verifyNotify', [body]), useeNotifyResult(fields, pairs), `${what}: verifyNotify`);
        assert.deepEqual((await exec(choice, form, what, client, 'verifyNotify', [new Uint8Array(Buffer.from(body))])).event.fields, Object.fromEntries(pairs), `${what}: verifyNotify (bytes)`);
        await expectFailure(form, `${what}: changed amount`, client, 'verifyNotify', [encodeForm(changeValue(pairs, 'amount'))], 'ERR_SIGNATURE_INVALID');
        await expectFailure(form, `${what}: signed by the merchant key`, client, 'verifyNotify', [encodeForm(useeSigned(rng, fields, (p) => useeRsa(p, merchant.privateKey)))], 'ERR_SIGNATURE_INVALID');
        // parseResponse
        const respFields = { ...useeNotificationFields(rng), resultCode: 'pending' };
        const respPairs = useeSigned(rng, respFields);
        const raw = JSON.stringify(Object.fromEntries(respPairs));
        assert.deepEqual(await exec(choice, form, what, client, 'parseResponse', [raw]), { fields: Object.fromEntries(respPairs), result: expectedUseePayOutcome(respFields) }, `${what}: parseResponse`);
        await expectFailure(form, `${what}: parseResponse of a changed response`, client, 'parseResponse', [raw.replace(respFields.reference, `${respFields.reference}9`)], 'ERR_SIGNATURE_INVALID');
        // parseJsapiPay
        const paySign = crypto.randomBytes(48).toString('base64');
        const rp = { appId: 'wx1234567890abcdef', timeStamp: String(rng.int(1.7e9, 1.8e9)), nonceStr: marker(rng, 'n'), package: `prepay_id=${marker(rng, 'wx')}`, signType: 'RSA', paySign };
        const jsapiFields = { ...respFields, redirectParam: JSON.stringify(rp) };
        const jsapiRaw = JSON.stringify(Object.fromEntries(useeSigned(rng, jsapiFields)));
        assert.deepEqual(await exec(choice, form, what, client, 'parseJsapiPay', [jsapiRaw]), {
          ...expectedUseePayOutcome(jsapiFields), requestPayment: { timeStamp: rp.timeStamp, nonceStr: rp.nonceStr, package: rp.package, signType: 'RSA', paySign },
        }, `${what}: parseJsapiPay`);
        await expectFailure(form, `${what}: parseJsapiPay of a changed response`, client, 'parseJsapiPay', [jsapiRaw.replace('prepay_id=', 'prepay_id=1')], 'ERR_SIGNATURE_INVALID');
        // parseQuery
        const info = { transactionType: 'pay', reference: marker(rng, 'R'), amount: '2000', currency: 'HKD', originalTransactionId: '', resultCode: rng.pick(['succeed', 'pending', 'closed']), errorCode: '0000', errorMsg: 'ok', transactionId: marker(rng, 'T') };
        const queryRaw = JSON.stringify(Object.fromEntries(useeSigned(rng, { merchantNo: MERCHANT_NO, resultCode: 'succeed', errorCode: '0000', errorMsg: 'ok', transactionInfo: JSON.stringify(info), signType: 'RSA' })));
        assert.deepEqual(await exec(choice, form, what, client, 'parseQuery', [queryRaw]), { ...expectedUseePayOutcome(info), transaction: info }, `${what}: parseQuery`);
        // parseRefund
        const refund = { resultCode: 'pending', errorCode: '0000', errorMsg: 'ok', transactionType: 'refund', transactionId: marker(rng, 'RF'), originalTransactionId: marker(rng, 'T'), reference: marker(rng, 'R'), amount: '50', currency: 'HKD', signType: 'RSA' };
        const refundRaw = JSON.stringify(Object.fromEntries(useeSigned(rng, refund)));
        assert.deepEqual(await exec(choice, form, what, client, 'parseRefund', [refundRaw]), expectedUseePayOutcome(refund), `${what}: parseRefund`);
        await expectFailure(form, `${what}: parseRefund of a changed response`, client, 'parseRefund', [refundRaw.replace('"50"', '"500"')], 'ERR_SIGNATURE_INVALID');
      }
      client.free();
    });

    it(`[${choice}] MD5 clients need no RSA engine ('none'): sync and Async sign and verify with MD5 only`, async () => {
      const rng = makeRng(`engines-md5-${choice}`);
      const client = useeMd5(choice);
      assert.deepEqual([client.engine, client.asyncEngine], ['none', 'none']);
      for (const form of FORMS) {
        const what = ctx(`UseePay MD5 on ${choice}/${form}`);
        for (const c of USEE_CASES) {
          const request = await exec(choice, form, what, client, c.name, c.args, { engine: 'none' });
          const fields = assertUseeRequest(request, `${what}: ${c.name}`, useeMd5Sign);
          assert.equal(fields.signType, 'MD5', what);
        }
        const fields = useeNotificationFields(rng, 'MD5');
        const pairs = useeSigned(rng, fields, useeMd5Sign);
        assert.deepEqual(await exec(choice, form, what, client, 'verifyNotify', [encodeForm(pairs)], { engine: 'none' }), useeNotifyResult(fields, pairs), `${what}: verifyNotify`);
        await expectFailure(form, `${what}: changed amount`, client, 'verifyNotify', [encodeForm(changeValue(pairs, 'amount'))], 'ERR_SIGNATURE_INVALID');
        const v = USEE_VECTORS.get('md5-notification-verify');
        const vectorClient = new UseePay({ merchantNo: v.params.merchantNo, appId: 'www.pay.com', signType: 'MD5', md5Key: v.md5_key, engine: choice });
        const result = await exec(choice, form, `${what}: ${v.id}`, vectorClient, 'verifyNotify', [encodeForm(Object.entries(v.params))], { engine: 'none' });
        assert.deepEqual(result.event.fields, v.params, `${what}: ${v.id}`);
        vectorClient.free();
      }
      client.free();
    });
  }
});

describe('RsaSigner and RsaVerifier on every engine, sync and Async', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] sign / signBase64 equal crypto.sign; verify / verifyBase64 accept it and refuse changes; a string signature is ERR_BAD_INPUT`, async () => {
      const rng = makeRng(`engines-rsa-${choice}`);
      const signer = new RsaSigner(app.pkcs1Pem, { engine: choice, role: 'test key' });
      const verifier = new RsaVerifier(app.spkiPem, { engine: choice });
      const otherVerifier = new RsaVerifier(other.pkcs1PublicPem, { engine: choice });
      for (const form of FORMS) {
        for (const hash of ['sha256', 'sha1']) {
          const message = rng.int(0, 1) ? rng.unicode(200) : rng.bytes(rng.int(0, 600));
          const what = ctx(`${hash} on ${choice}/${form}, message ${typeof message === 'string' ? JSON.stringify(message.slice(0, 40)) : `${message.length} bytes`}`);
          const expected = sha(hash, message, app.privateKey);
          const hashArg = hash === 'sha256' && rng.int(0, 1) ? [] : [hash];
          const signature = await exec(choice, form, what, signer, 'sign', [message, ...hashArg]);
          assert.ok(signature instanceof Uint8Array, `${what}: sign returns a Uint8Array`);
          assert.equal(b64(signature), b64(expected), `${what}: sign`);
          assert.equal(await exec(choice, form, what, signer, 'signBase64', [message, ...hashArg]), b64(expected), `${what}: signBase64`);
          const shared = await exec(choice, form, what, signer, 'sign', [SHARED_MESSAGE, hash]);
          assert.equal(b64(shared), b64(sha(hash, SHARED_MESSAGE, app.privateKey)), `${what}: sign (shared message)`);
          record(`RsaSigner ${hash}`, choice, form, b64(shared));
          assert.equal(await exec(choice, form, what, verifier, 'verify', [message, new Uint8Array(expected), ...hashArg]), true, `${what}: verify`);
          assert.equal(await exec(choice, form, what, verifier, 'verify', [message, expected.buffer.slice(expected.byteOffset, expected.byteOffset + expected.length), ...hashArg]), true, `${what}: verify (ArrayBuffer)`);
          assert.equal(await exec(choice, form, what, verifier, 'verifyBase64', [message, b64(expected), ...hashArg]), true, `${what}: verifyBase64`);
          const changed = typeof message === 'string' ? `${message}!` : Uint8Array.from([...message, 0]);
          assert.equal(await exec(choice, form, what, verifier, 'verify', [changed, new Uint8Array(expected), ...hashArg]), false, `${what}: changed message`);
          const flipped = flipBit(expected, rng.int(0, expected.length * 8 - 1));
          assert.equal(await exec(choice, form, what, verifier, 'verify', [message, flipped, ...hashArg]), false, `${what}: flipped signature bit`);
          assert.equal(await exec(choice, form, what, verifier, 'verifyBase64', [message, b64(flipped), ...hashArg]), false, `${what}: verifyBase64 flipped`);
          assert.equal(await exec(choice, form, what, otherVerifier, 'verify', [message, new Uint8Array(expected), ...hashArg]), false, `${what}: another key`);
          const otherHash = hash === 'sha256' ? 'sha1' : 'sha256';
          assert.equal(await exec(choice, form, what, verifier, 'verify', [message, new Uint8Array(expected), otherHash]), false, `${what}: under ${otherHash}`);
          await expectFailure(form, `${what}: base64 text given to verify`, verifier, 'verify', [message, b64(expected), ...hashArg], 'ERR_BAD_INPUT');
          // Signatures of the wrong length or out of range are invalid (false), never an engine error.
          const odd = { truncated: expected.subarray(1), empty: new Uint8Array(0), 'one byte longer': Buffer.concat([expected, Buffer.from([0])]), 'zero-prefixed': Buffer.concat([Buffer.from([0]), expected]), 'all 0xff': Buffer.alloc(expected.length, 0xff) };
          for (const [label, bytes] of Object.entries(odd)) {
            assert.equal(await exec(choice, form, what, verifier, 'verify', [message, new Uint8Array(bytes), ...hashArg]), false, `${what}: ${label} signature`);
          }
          assert.equal(await exec(choice, form, what, verifier, 'verifyBase64', [message, 'not base64!', ...hashArg], { engine: 'none' }), false, `${what}: verifyBase64 of text that is not base64`);
        }
      }
      signer.free();
      verifier.free();
      otherVerifier.free();
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 2. Verify-only and sign-only clients; certificate rotation.

const ALIPAY_BUILDS = [
  ...V2_CASES.map((c) => [c.name, c.args]),
  ['buildWapPay', WAP_ARGS],
  ['buildPagePay', PAGE_ARGS],
  ['buildAppPay', APP_ARGS],
  ['buildSdkOrder', ['alipay.fund.auth.order.app.freeze', { out_order_no: 'F1', amount: '0.01' }, { timestamp: TIMESTAMP }]],
  ['buildV3Request', [V3_ARGS]],
];

describe('verify-only and sign-only clients', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] verify-only Alipay (alipayPublicKey alone) verifies what node:crypto signed; every build method is ERR_VERIFY_ONLY`, async () => {
      const rng = makeRng(`engines-verify-only-${choice}`);
      const alipay = alipayVerifyOnly(choice);
      assert.deepEqual([alipay.engine, alipay.asyncEngine], [EXPECTED[choice].sync, EXPECTED[choice].async]);
      assert.deepEqual([alipay.appCertSn, alipay.alipayCertSn, alipay.alipayRootCertSn, alipay.alipayCertSns], [undefined, undefined, undefined, []], 'public-key mode: no SNs');
      const v1 = ALIPAY_VECTORS.get('notify-v1-yuque');
      const v2 = ALIPAY_VECTORS.get('notify-v2-servicemarket');
      const resp = ALIPAY_VECTORS.get('resp-open-file-upload');
      const v1Client = new Alipay({ appId: v1.params.app_id, alipayPublicKey: vectorKey(v1, 'alipay_public_key_pem'), engine: choice });
      const v2Client = new Alipay({ appId: v2.params.app_id, alipayPublicKey: vectorKey(v2, 'alipay_public_key'), engine: choice });
      const respClient = new Alipay({ appId: APP_ID, alipayPublicKey: vectorKey(resp, 'alipay_public_key'), engine: choice });
      for (const form of FORMS) {
        const what = ctx(`verify-only Alipay on ${choice}/${form}`);
        const signed = signNotification(alipayNotification(rng), 'gateway', ali.privateKey);
        assert.deepEqual((await exec(choice, form, what, alipay, 'verifyNotify', [encodeForm(signed), { rule: 'auto' }])).event.params, Object.fromEntries(signed), `${what}: notification`);
        await expectFailure(form, `${what}: changed notification`, alipay, 'verifyNotify', [encodeForm(changeValue(signed, 'total_amount')), { rule: 'auto' }], 'ERR_SIGNATURE_INVALID');
        const { method, value, nodeText } = alipayResponse(rng);
        assert.deepEqual(await exec(choice, form, what, alipay, 'parseResponse', [method, signedResponse(method, nodeText, ali.privateKey)]), value, `${what}: response`);
        const returned = returnQuery(rng);
        assert.deepEqual(await exec(choice, form, what, alipay, 'verifyReturn', [encodeForm(returned)]), Object.fromEntries(returned), `${what}: return`);
        const v3 = v3Response(rng);
        assert.deepEqual(await exec(choice, form, what, alipay, 'verifyV3Response', [v3.response]), v3.value, `${what}: v3`);
        // The vectors (Alipay's own signatures), each with its own key.
        assert.deepEqual((await exec(choice, form, what, v1Client, 'verifyNotify', [v1.form_body])).event.params, v1.params, `${what}: ${v1.id}`);
        assert.deepEqual((await exec(choice, form, what, v2Client, 'verifyNotify', [v2.form_body, { rule: 'gateway' }])).event.params, v2.params, `${what}: ${v2.id}`);
        assert.deepEqual((await exec(choice, form, what, v2Client, 'verifyNotify', [v2.form_body, { rule: 'auto' }])).event.params, v2.params, `${what}: ${v2.id} (auto)`);
        await expectFailure(form, `${what}: ${v2.id} under the payment rule`, v2Client, 'verifyNotify', [v2.form_body], 'ERR_SIGNATURE_INVALID');
        assert.deepEqual(await exec(choice, form, what, respClient, 'parseResponse', [resp.method, resp.raw_response]), JSON.parse(resp.sign_content), `${what}: ${resp.id}`);
        const tamperedVector = ALIPAY_VECTORS.get('resp-open-file-upload-tampered');
        await expectFailure(form, `${what}: ${tamperedVector.id}`, respClient, 'parseResponse', [tamperedVector.method, tamperedVector.raw_response], 'ERR_SIGNATURE_INVALID');
        for (const [name, args] of ALIPAY_BUILDS) {
          const { counts } = await observe(() => expectFailure(form, what, alipay, name, args, 'ERR_VERIFY_ONLY'));
          assertEngineUsed(counts, 'none', `${what}: ${name} does no RSA work`);
        }
      }
      for (const c of [alipay, v1Client, v2Client, respClient]) c.free();
    });

    it(`[${choice}] verify-only UseePay (useepayPublicKey alone) verifies what node:crypto signed; every build method is ERR_VERIFY_ONLY`, async () => {
      const rng = makeRng(`engines-useepay-verify-only-${choice}`);
      const client = useeVerifyOnly(choice);
      const v = USEE_VECTORS.get('rsa-notification');
      const vectorClient = new UseePay({ merchantNo: v.params.merchantNo, appId: 'www.pay.com', signType: 'RSA', useepayPublicKey: fs.readFileSync(path.join(fixturesDir, 'useepay', v.public_key), 'utf8'), engine: choice });
      for (const form of FORMS) {
        const what = ctx(`verify-only UseePay on ${choice}/${form}`);
        const fields = useeNotificationFields(rng);
        const pairs = useeSigned(rng, fields);
        assert.deepEqual(await exec(choice, form, what, client, 'verifyNotify', [encodeForm(pairs)]), useeNotifyResult(fields, pairs), `${what}: notification`);
        await expectFailure(form, `${what}: changed resultCode`, client, 'verifyNotify', [encodeForm(pairs.map(([k, val]) => [k, k === 'resultCode' ? 'succeed ' : val]))], 'ERR_SIGNATURE_INVALID');
        const raw = JSON.stringify(Object.fromEntries(pairs));
        assert.deepEqual(await exec(choice, form, what, client, 'parseResponse', [raw]), { fields: Object.fromEntries(pairs), result: expectedUseePayOutcome(fields) }, `${what}: parseResponse`);
        const refund = { ...fields, transactionType: 'refund', resultCode: 'succeed', originalTransactionId: marker(rng, 'T') };
        assert.deepEqual(await exec(choice, form, what, client, 'parseRefund', [JSON.stringify(Object.fromEntries(useeSigned(rng, refund)))]), expectedUseePayOutcome(refund), `${what}: parseRefund`);
        const result = await exec(choice, form, `${what}: ${v.id}`, vectorClient, 'verifyNotify', [v.form_body]);
        assert.deepEqual(result.event.fields, v.params, `${what}: ${v.id}`);
        for (const c of USEE_CASES) {
          const { counts } = await observe(() => expectFailure(form, what, client, c.name, c.args, 'ERR_VERIFY_ONLY'));
          assertEngineUsed(counts, 'none', `${what}: ${c.name} does no RSA work`);
        }
      }
      client.free();
      vectorClient.free();
    });

    it(`[${choice}] sign-only clients still sign; their verify methods are ERR_NO_PROVIDER_KEY`, async () => {
      const rng = makeRng(`engines-sign-only-${choice}`);
      const alipay = alipaySignOnly(choice);
      const useepay = useeSignOnly(choice);
      for (const form of FORMS) {
        const what = ctx(`sign-only on ${choice}/${form}`);
        assertRequestSigned(await exec(choice, form, what, alipay, 'buildTradeQuery', V2_CASES[1].args), app.privateKey, 'RSA2', what);
        assertUseeRequest(await exec(choice, form, what, useepay, 'buildQuery', USEE_CASES[1].args), what);
        const { method, nodeText } = alipayResponse(rng);
        const v3 = v3Response(rng);
        const alipayChecks = [
          ['verifyNotify', [encodeForm(signNotification(alipayNotification(rng), 'payment', ali.privateKey))]],
          ['verifyReturn', [encodeForm(returnQuery(rng))]],
          ['parseResponse', [method, signedResponse(method, nodeText, ali.privateKey)]],
          ['verifyV3Response', [v3.response]],
        ];
        for (const [name, args] of alipayChecks) await expectFailure(form, what, alipay, name, args, 'ERR_NO_PROVIDER_KEY');
        const fields = useeNotificationFields(rng);
        const pairs = useeSigned(rng, fields);
        const raw = JSON.stringify(Object.fromEntries(pairs));
        const useeChecks = [['verifyNotify', [encodeForm(pairs)]], ['parseResponse', [raw]], ['parseJsapiPay', [raw]], ['parseQuery', [raw]], ['parseRefund', [raw]]];
        for (const [name, args] of useeChecks) await expectFailure(form, what, useepay, name, args, 'ERR_NO_PROVIDER_KEY');
      }
      alipay.free();
      useepay.free();
    });
  }

  // The documented contract (types/index.d.ts): verifications on a client without the provider's
  // key are ERR_NO_PROVIDER_KEY, asked before the message is judged.
  it('sign-only clients: ERR_NO_PROVIDER_KEY whatever the message looks like', async () => {
    const alipay = alipaySignOnly('node');
    const useepay = useeSignOnly('node');
    for (const form of FORMS) {
      await expectFailure(form, 'Alipay parseResponse, sign not base64', alipay, 'parseResponse', ['alipay.trade.query', '{"alipay_trade_query_response":{"code":"10000"},"sign":"@@"}'], 'ERR_NO_PROVIDER_KEY');
      await expectFailure(form, 'UseePay parseResponse, sign not base64', useepay, 'parseResponse', ['{"a":"b","sign":"@@"}'], 'ERR_NO_PROVIDER_KEY');
      await expectFailure(form, 'Alipay verifyNotify without sign', alipay, 'verifyNotify', ['out_trade_no=T1'], 'ERR_NO_PROVIDER_KEY');
      await expectFailure(form, 'Alipay verifyNotify with sign_type RSA', alipay, 'verifyNotify', ['out_trade_no=T1&sign_type=RSA&sign=AAAA'], 'ERR_NO_PROVIDER_KEY');
      await expectFailure(form, 'Alipay verifyReturn without sign', alipay, 'verifyReturn', ['out_trade_no=T1'], 'ERR_NO_PROVIDER_KEY');
      await expectFailure(form, 'UseePay verifyNotify without sign', useepay, 'verifyNotify', ['transactionId=T1'], 'ERR_NO_PROVIDER_KEY');
      await expectFailure(form, 'UseePay parseResponse without sign', useepay, 'parseResponse', ['{"transactionId":"T1"}'], 'ERR_NO_PROVIDER_KEY');
    }
    alipay.free();
    useepay.free();
  });

  it('Async methods never throw synchronously: a freed client, a foreign receiver', async () => {
    for (const form of FORMS) {
      const alipay = alipayFull('webcrypto');
      alipay.free();
      await expectFailure(form, 'freed Alipay', alipay, 'buildTradeQuery', V2_CASES[1].args, 'ERR_BAD_INPUT');
      await expectFailure(form, 'freed Alipay', alipay, 'verifyNotify', ['a=b&sign=AAAA'], 'ERR_BAD_INPUT');
      const signer = new RsaSigner(app.pkcs8Pem, { engine: 'wasm' });
      signer.free();
      await expectFailure(form, 'freed RsaSigner', signer, 'sign', ['x'], 'ERR_BAD_INPUT');
      const foreign = Object.create(null);
      foreign.verifyNotify = Alipay.prototype.verifyNotify;
      foreign.verifyNotifyAsync = Alipay.prototype.verifyNotifyAsync;
      await expectFailure(form, 'Alipay method on another object', foreign, 'verifyNotify', ['a=b'], 'ERR_BAD_INPUT');
    }
  });
});

// Certificate mode, verify-only: SN bookkeeping on the fixture certificates (whose private keys are
// not known), then full rotation on certificates minted here with openssl over the fresh keys.

const FIXTURE_CERTS = (() => {
  const node = ALIPAY_VECTORS.get('cert-sn-node-alipay-cert');
  const gopay = ALIPAY_VECTORS.get('cert-sn-gopay-alipay-cert-chain-first');
  return { a: { text: readAlipayFixture(node.cert), sn: node.expect }, b: { text: readAlipayFixture(gopay.cert), sn: gopay.expect } };
})();
const md5hex = (s) => crypto.createHash('md5').update(s, 'utf8').digest('hex');

let minted; // { a: { text, sn, key }, b: … }, certificates over the `alipay` and `other` keys
let mintDir;
/** Two self-signed Alipay certificates, their SNs computed here: md5(issuer RFC 2253 + decimal serial). */
async function mintCertificates() {
  if (minted) return minted;
  mintDir = makeTempDir('engines-certs');
  const make = async (label, pair) => {
    const serialHex = `4${crypto.randomBytes(15).toString('hex')}`;
    const cn = `Alipay Rotation ${label} ${crypto.randomBytes(4).toString('hex')}`;
    const keyFile = path.join(mintDir, `${label}.key`);
    const certFile = path.join(mintDir, `${label}.crt`);
    fs.writeFileSync(keyFile, pair.pkcs8Pem);
    await run('openssl', ['req', '-x509', '-new', '-key', keyFile, '-subj', `/C=CN/O=Ant Test/CN=${cn}`, '-set_serial', `0x${serialHex}`, '-days', '30', '-out', certFile], { timeout: 30_000 });
    const certText = fs.readFileSync(certFile, 'utf8');
    // The subject (= issuer) was given in DER order C, O, CN: RFC 2253 reverses it.
    const sn = md5hex(`CN=${cn},O=Ant Test,C=CN${BigInt(`0x${serialHex}`).toString(10)}`);
    assert.equal(BigInt(`0x${new crypto.X509Certificate(certText).serialNumber}`), BigInt(`0x${serialHex}`), 'openssl used the serial');
    return { text: certText, sn, key: pair.privateKey };
  };
  minted = { a: await make('A', ali), b: await make('B', other) };
  return minted;
}
after(() => removeDir(mintDir));

describe('certificate mode, verify-only (alipayCert alone)', () => {
  it('alipayCertSns lists every configured certificate in order (current first); builds are ERR_VERIFY_ONLY; an unknown SN is ERR_CERT_SN_MISMATCH', async () => {
    const { a, b } = FIXTURE_CERTS;
    for (const choice of CHOICES) {
      const single = new Alipay({ appId: APP_ID, alipayCert: a.text, engine: choice });
      assert.deepEqual([single.alipayCertSn, single.alipayCertSns, single.appCertSn, single.alipayRootCertSn], [a.sn, [a.sn], undefined, undefined], `one certificate on ${choice}`);
      const ab = new Alipay({ appId: APP_ID, alipayCert: [a.text, b.text], engine: choice });
      const ba = new Alipay({ appId: APP_ID, alipayCert: [b.text, a.text], engine: choice });
      assert.deepEqual([ab.alipayCertSn, ab.alipayCertSns], [a.sn, [a.sn, b.sn]], `[a, b] on ${choice}`);
      assert.deepEqual([ba.alipayCertSn, ba.alipayCertSns], [b.sn, [b.sn, a.sn]], `[b, a] on ${choice}`);
      assert.deepEqual([ab.engine, ab.asyncEngine], [EXPECTED[choice].sync, EXPECTED[choice].async]);
      const unknownSn = md5hex(`unknown-${choice}`);
      const response = signedResponse('alipay.trade.query', '{"code":"10000","msg":"Success"}', ali.privateKey, { certSn: unknownSn });
      const v3 = { status: 200, headers: { 'alipay-timestamp': '1', 'alipay-nonce': 'n', 'alipay-signature': nodeSign('1\nn\n{}\n', ali.privateKey), 'alipay-sn': unknownSn }, body: '{}' };
      for (const form of FORMS) {
        const what = `cert-only client on ${choice}/${form}`;
        for (const [name, args] of ALIPAY_BUILDS) await expectFailure(form, what, ab, name, args, 'ERR_VERIFY_ONLY');
        const e = await expectFailure(form, `${what}: response naming an unknown SN`, ab, 'parseResponse', ['alipay.trade.query', response], 'ERR_CERT_SN_MISMATCH');
        assert.ok(e.message.includes(unknownSn), `${what}: the message names the SN`);
        await expectFailure(form, `${what}: v3 naming an unknown SN`, ab, 'verifyV3Response', [v3], 'ERR_CERT_SN_MISMATCH');
        // The fixture certificates' keys did not sign this: refused with either one named, or none.
        for (const sn of [a.sn, b.sn, undefined]) {
          const signed = signedResponse('alipay.trade.query', '{"code":"10000","msg":"Success"}', ali.privateKey, { certSn: sn });
          await expectFailure(form, `${what}: foreign signature naming ${sn}`, ab, 'parseResponse', ['alipay.trade.query', signed], 'ERR_SIGNATURE_INVALID');
        }
      }
      for (const c of [single, ab, ba]) c.free();
    }
    expectAggpayError(() => new Alipay({ appId: APP_ID, alipayCert: [] }), 'ERR_BAD_INPUT', 'an empty certificate list');
    expectAggpayError(() => new Alipay({ appId: APP_ID, alipayCert: [a.text, 7] }), 'ERR_BAD_INPUT', 'a non-string in the list');
    expectAggpayError(() => new Alipay({ appId: APP_ID, alipayCert: a.text, alipayPublicKey: ali.spkiPem }), 'ERR_BAD_INPUT', 'both modes');
  });

  for (const choice of CHOICES) {
    it(`[${choice}] rotation on openssl-minted certificates: either certificate verifies; a named SN selects its key`, async () => {
      const rng = makeRng(`engines-rotation-${choice}`);
      const { a, b } = await mintCertificates();
      const alipay = new Alipay({ appId: APP_ID, alipayCert: [a.text, b.text], engine: choice });
      assert.deepEqual(alipay.alipayCertSns, [a.sn, b.sn], 'SNs computed independently');
      for (const form of FORMS) {
        const what = ctx(`rotation on ${choice}/${form}`);
        for (const [label, cert] of [['A (current)', a], ['B (new)', b]]) {
          const signed = signNotification(alipayNotification(rng), 'payment', cert.key);
          assert.deepEqual((await exec(choice, form, `${what}: ${label}`, alipay, 'verifyNotify', [encodeForm(signed), { rule: 'auto' }])).event.params, Object.fromEntries(signed), `${what}: notification signed by ${label}`);
          const { method, value, nodeText } = alipayResponse(rng);
          assert.deepEqual(await exec(choice, form, what, alipay, 'parseResponse', [method, signedResponse(method, nodeText, cert.key, { certSn: cert.sn })]), value, `${what}: response naming ${label}`);
          assert.deepEqual(await exec(choice, form, what, alipay, 'parseResponse', [method, signedResponse(method, nodeText, cert.key)]), value, `${what}: response naming no SN, signed by ${label}`);
          const wrong = cert === a ? b : a;
          await expectFailure(form, `${what}: signed by ${label}, naming the other SN`, alipay, 'parseResponse', [method, signedResponse(method, nodeText, cert.key, { certSn: wrong.sn })], 'ERR_SIGNATURE_INVALID');
          const v3 = v3Response(rng, cert.key);
          assert.deepEqual(await exec(choice, form, what, alipay, 'verifyV3Response', [{ ...v3.response, headers: { ...v3.response.headers, 'alipay-sn': cert.sn } }]), v3.value, `${what}: v3 naming ${label}`);
          await expectFailure(form, `${what}: v3 naming the other SN`, alipay, 'verifyV3Response', [{ ...v3.response, headers: { ...v3.response.headers, 'alipay-sn': wrong.sn } }], 'ERR_SIGNATURE_INVALID');
        }
        await expectFailure(form, `${what}: signed by neither`, alipay, 'verifyNotify', [encodeForm(signNotification(alipayNotification(rng), 'payment', app.privateKey)), { rule: 'auto' }], 'ERR_SIGNATURE_INVALID');
      }
      alipay.free();
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 3. free() while an Async call is in flight: the pending operation owns its data.

describe('free() while Async calls are in flight', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] every in-flight call resolves as if the client were alive; the client itself is freed at once`, async () => {
      const rng = makeRng(`engines-free-${choice}`);
      const alipay = alipayFull(choice);
      const signed = signNotification(alipayNotification(rng), 'gateway', ali.privateKey);
      const slash = slashResponse(rng);
      const v3 = v3Response(rng);
      const returned = returnQuery(rng);
      const tamperedNotify = encodeForm(changeValue(signed, 'out_trade_no'));
      const pending = {
        request: alipay.buildTradeCreateAsync(...V2_CASES[0].args),
        wap: alipay.buildWapPayAsync(...WAP_ARGS),
        v3request: alipay.buildV3RequestAsync(V3_ARGS),
        notify: alipay.verifyNotifyAsync(encodeForm(signed), { rule: 'auto' }),
        slash: alipay.parseResponseAsync(slash.method, slash.raw),
        v3: alipay.verifyV3ResponseAsync(v3.response),
        returned: alipay.verifyReturnAsync(encodeForm(returned)),
        tampered: alipay.verifyNotifyAsync(tamperedNotify, { rule: 'auto' }).then(() => 'resolved', (e) => e),
      };
      alipay.free();
      expectAggpayError(() => alipay.buildTradeQuery(...V2_CASES[1].args), 'ERR_BAD_INPUT', 'the client is freed now, not when its calls settle');
      await expectFailure('async', 'freed client', alipay, 'verifyNotify', [encodeForm(signed)], 'ERR_BAD_INPUT');
      const what = ctx(`in flight across free() on ${choice}`);
      assertRequestSigned(await pending.request, app.privateKey, 'RSA2', `${what}: buildTradeCreateAsync`);
      const page = await pending.wap;
      assert.equal(page.params.sign, nodeSign(signContent(decodeForm(page.url.split('?')[1])), app.privateKey), `${what}: buildWapPayAsync`);
      const { authString, sign } = parseAuthorization((await pending.v3request).headers.authorization);
      assert.equal(sign, nodeSign(`${authString}\nPOST\n${V3_ARGS.path}\n${JSON.stringify(V3_ARGS.body)}\n${V3_ARGS.appAuthToken}\n`, app.privateKey), `${what}: buildV3RequestAsync`);
      assert.deepEqual((await pending.notify).event.params, Object.fromEntries(signed), `${what}: verifyNotifyAsync`);
      assert.deepEqual(await pending.slash, slash.value, `${what}: parseResponseAsync (two candidates)`);
      assert.deepEqual(await pending.v3, v3.value, `${what}: verifyV3ResponseAsync`);
      assert.deepEqual(await pending.returned, Object.fromEntries(returned), `${what}: verifyReturnAsync`);
      assertAggpayErrorShape(await pending.tampered, 'ERR_SIGNATURE_INVALID', `${what}: a tampered notification is still refused`);

      const useepay = useeFull(choice);
      const fields = useeNotificationFields(rng);
      const pairs = useeSigned(rng, fields);
      const useeRequest = useepay.buildQueryAsync(...USEE_CASES[1].args);
      const useeNotify = useepay.verifyNotifyAsync(encodeForm(pairs));
      useepay.free();
      assertUseeRequest(await useeRequest, `${what}: UseePay buildQueryAsync`);
      assert.deepEqual(await useeNotify, useeNotifyResult(fields, pairs), `${what}: UseePay verifyNotifyAsync`);

      const message = rng.unicode(100);
      const expected = sha('sha256', message, app.privateKey);
      const signer = new RsaSigner(app.pkcs8Pem, { engine: choice });
      const verifier = new RsaVerifier(app.spkiPem, { engine: choice });
      const results = [signer.signBase64Async(message), verifier.verifyAsync(message, new Uint8Array(expected)), verifier.verifyAsync(`${message}.`, new Uint8Array(expected))];
      signer.free();
      verifier.free();
      assert.deepEqual(await Promise.all(results), [b64(expected), true, false], `${what}: RsaSigner / RsaVerifier`);
    });
  }

  // Several keys, none used yet: the verification tries certificate A, then B. Engines that load
  // keys lazily after their first await must still have every key they will need.
  for (const choice of CHOICES) {
    it(`[${choice}] a notification signed by the second of two certificates, on a fresh client freed at once`, async () => {
      const rng = makeRng(`engines-free-rotation-${choice}`);
      const { a, b } = await mintCertificates();
      const signed = signNotification(alipayNotification(rng), 'payment', b.key);
      const alipay = new Alipay({ appId: APP_ID, alipayCert: [a.text, b.text], engine: choice });
      const promise = alipay.verifyNotifyAsync(encodeForm(signed));
      alipay.free();
      assert.deepEqual((await promise).event.params, Object.fromEntries(signed), ctx(`signed by certificate B on ${choice}`));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Byte-identical outputs across engines and forms.

describe('every engine and form produce the same bytes', () => {
  it('requests and signatures are identical across node, wasm, webcrypto and auto, sync and Async', () => {
    assert.ok(outputs.size >= V2_CASES.length + USEE_CASES.length + 4, `outputs collected: ${[...outputs.keys()].join(', ')}`);
    for (const [key, byCombo] of outputs) {
      assert.equal(byCombo.size, CHOICES.length * FORMS.length, `${key}: collected from ${[...byCombo.keys()].join(', ')}`);
      const [first, ...rest] = [...byCombo];
      for (const [combo, json] of rest) assert.equal(json, first[1], `${key}: ${combo} differs from ${first[0]}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 4. and 5. Real workerd and Chromium.

/** The notifications both runtimes verify, signed here; only public keys travel with them. */
function runtimeInputs(label) {
  const rng = makeRng(`engines-runtime-${label}`);
  const alipaySigned = signNotification(alipayNotification(rng), 'payment', ali.privateKey);
  const gatewaySigned = signNotification(alipayNotification(rng), 'gateway', ali.privateKey);
  const useeFields = useeNotificationFields(rng);
  const useePairs = useeSigned(rng, useeFields);
  // WeChat Pay: a verify-only client holds the public key and the APIv3 key, nothing else.
  const mchid = String(rng.int(1.2e9, 1.9e9));
  const wechat = { mchid, wechatpayPublicKey: wechatpay.spkiPem, wechatpayPublicKeyId: publicKeyId(rng), apiV3Key: apiV3Key(rng) };
  const seconds = rng.int(1.7e9, 1.9e9);
  const note = wechatNotification(rng, {
    key: wechat.apiV3Key, signer: wechatpay.privateKey, serial: wechat.wechatpayPublicKeyId, timestamp: seconds,
    resource: wechatTransaction(rng, { mchid, appid: `wx${alnum(rng, 16)}` }),
  });
  // A GBK notification (中文测试: D6 D0 CE C4 B2 E2 CA D4): decoded by the runtime's own TextDecoder.
  const gbkParams = [['charset', 'gbk'], ['out_trade_no', marker(rng, 'G')], ['trade_status', 'TRADE_SUCCESS'], ['total_amount', '1.00'],
    ['subject', Buffer.from([0xd6, 0xd0, 0xce, 0xc4, 0xb2, 0xe2, 0xca, 0xd4, 0x20, 0x41])]];
  const gbkSign = nodeSign(notifyContent(gbkParams, 'payment'), ali.privateKey);
  const pct = (bytes) => [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  const alipayGbkBody = [...gbkParams, ['sign', gbkSign]].map(([k, v]) => `${k}=${pct(Buffer.from(v))}`).join('&');
  const changed = `${note.body.slice(0, -2)}${note.body.at(-2) === ' ' ? '\t' : ' '}${note.body.at(-1)}`;
  return {
    public: {
      wechat, wechatNow: seconds * 1000,
      wechatNotification: { headers: note.headers, body: note.body },
      wechatTampered: { headers: note.headers, body: changed },
      appId: APP_ID, alipayPublicKey: ali.spkiPem, merchantNo: MERCHANT_NO, useeAppId: USEE_APP_ID, useepayPublicKey: usee.spkiPem,
      alipayBody: encodeForm(alipaySigned),
      alipayGatewayBody: encodeForm(gatewaySigned),
      alipayGbkBody,
      alipayTampered: encodeForm(changeValue(alipaySigned, 'total_amount')),
      useepayBody: encodeForm(useePairs),
      useepayTampered: encodeForm(changeValue(useePairs, 'amount')),
    },
    expected: {
      alipay: Object.fromEntries(alipaySigned),
      gateway: Object.fromEntries(gatewaySigned),
      gbk: Object.fromEntries([...gbkParams.map(([k, v]) => [k, k === 'subject' ? '中文测试 A' : v]), ['sign', gbkSign]]),
      useepay: useeNotifyResult(useeFields, useePairs),
      wechatpay: { event: expectedEvent(note.envelope, note.plaintext), reply: WECHATPAY_SUCCESS },
    },
  };
}

/** What Node's own verify-only clients (node engine, sync) answer for the same inputs. */
function nodeAnswers(input) {
  const alipay = new Alipay({ appId: input.appId, alipayPublicKey: input.alipayPublicKey, engine: 'node' });
  const useepay = new UseePay({ merchantNo: input.merchantNo, appId: input.useeAppId, signType: 'RSA', useepayPublicKey: input.useepayPublicKey, engine: 'node' });
  const wechat = new WechatPay({ ...input.wechat, engine: 'node' });
  const out = {
    alipay: alipay.verifyNotify(input.alipayBody),
    gateway: alipay.verifyNotify(input.alipayGatewayBody, { rule: 'auto' }),
    gbk: alipay.verifyNotify(input.alipayGbkBody),
    useepay: useepay.verifyNotify(input.useepayBody),
    wechatpay: wechat.verifyNotify(input.wechatNotification, { now: input.wechatNow }),
  };
  out.wechatpayBytes = out.wechatpay;
  alipay.free();
  useepay.free();
  wechat.free();
  return out;
}

/** Code shared by the worker and the page (plain JS, no imports): settles a call into JSON. */
const SETTLE_SOURCE = `
const describeError = (e) => ({ name: e && e.name, code: e && e.code, message: String(e && e.message), isAggpayError: e instanceof AggpayError });
async function settle(f) {
  let result;
  try { result = f(); } catch (e) { return { syncThrow: describeError(e) }; }
  const isPromise = result instanceof Promise;
  try { return { isPromise, value: await result }; } catch (e) { return { isPromise, error: describeError(e) }; }
}
function spySubtle() {
  const counts = { sign: 0, verify: 0, installed: false };
  try {
    const subtle = crypto.subtle;
    const sign = subtle.sign, verify = subtle.verify;
    subtle.sign = function (...args) { counts.sign += 1; return sign.apply(this, args); };
    subtle.verify = function (...args) { counts.verify += 1; return verify.apply(this, args); };
    counts.installed = crypto.subtle === subtle && subtle.sign !== sign && subtle.verify !== verify;
  } catch (e) { counts.error = String(e); }
  return counts;
}
async function verifyAll(input) {
  const alipay = new Alipay({ appId: input.appId, alipayPublicKey: input.alipayPublicKey });
  const useepay = new UseePay({ merchantNo: input.merchantNo, appId: input.useeAppId, signType: 'RSA', useepayPublicKey: input.useepayPublicKey });
  const wechat = new WechatPay(input.wechat);
  const note = input.wechatNotification;
  const now = { now: input.wechatNow };
  return {
    engines: { alipay: [alipay.engine, alipay.asyncEngine], useepay: [useepay.engine, useepay.asyncEngine], wechatpay: [wechat.engine, wechat.asyncEngine] },
    wechatpay: await settle(() => wechat.verifyNotifyAsync({ headers: new Headers(note.headers), body: note.body }, now)),
    wechatpayBytes: await settle(() => wechat.verifyNotifyAsync({ headers: note.headers, body: new TextEncoder().encode(note.body) }, now)),
    wechatpayTampered: await settle(() => wechat.verifyNotifyAsync(input.wechatTampered, now)),
    wechatpayBuild: await settle(() => wechat.buildQueryAsync({ outTradeNo: 'T1' })),
    alipay: await settle(() => alipay.verifyNotifyAsync(input.alipayBody)),
    gateway: await settle(() => alipay.verifyNotifyAsync(input.alipayGatewayBody, { rule: 'auto' })),
    gbk: await settle(() => alipay.verifyNotifyAsync(input.alipayGbkBody)),
    useepay: await settle(() => useepay.verifyNotifyAsync(input.useepayBody)),
    alipayTampered: await settle(() => alipay.verifyNotifyAsync(input.alipayTampered)),
    useepayTampered: await settle(() => useepay.verifyNotifyAsync(input.useepayTampered)),
    alipayBuild: await settle(() => alipay.buildTradeQueryAsync({ out_trade_no: 'T1' })),
    useepayBuild: await settle(() => useepay.buildQueryAsync({ transactionId: 'T1' })),
  };
}
`;

/** Checks the verification results a runtime sent back. */
function assertRuntimeVerification(out, runtime, input, expected) {
  assert.ok(!out.crashed, `${runtime} crashed: ${out.crashed}`);
  assert.deepEqual(out.engines, { alipay: ['wasm', 'webcrypto'], useepay: ['wasm', 'webcrypto'], wechatpay: ['wasm', 'webcrypto'] }, `${runtime}: verify-only clients on engine auto`);
  const node = nodeAnswers(input);
  for (const key of ['alipay', 'gateway', 'gbk', 'useepay', 'wechatpay', 'wechatpayBytes']) {
    assert.equal(out[key].isPromise, true, `${runtime}: ${key} verifyNotifyAsync returns a Promise`);
    assert.ok(!out[key].error && !out[key].syncThrow, `${runtime}: ${key} failed: ${JSON.stringify(out[key])}`);
    assert.deepEqual(out[key].value, node[key], `${runtime}: ${key} result equals Node's verifyNotify`);
  }
  assert.deepEqual(out.alipay.value.event.params, expected.alipay, `${runtime}: Alipay event`);
  assert.deepEqual([out.alipay.value.reply.status, out.alipay.value.reply.body], [200, 'success'], `${runtime}: Alipay reply`);
  assert.deepEqual(out.gateway.value.event.params, expected.gateway, `${runtime}: gateway-rule notification under auto`);
  assert.deepEqual(out.gbk.value.event.params, expected.gbk, `${runtime}: a GBK notification, decoded by the runtime's TextDecoder`);
  assert.deepEqual(out.useepay.value, expected.useepay, `${runtime}: UseePay result`);
  assert.deepEqual(out.wechatpay.value, expected.wechatpay, `${runtime}: WeChat Pay event (headers as a Headers, body as text)`);
  assert.deepEqual(out.wechatpayBytes.value, expected.wechatpay, `${runtime}: WeChat Pay event (body as bytes)`);
  for (const key of ['alipayTampered', 'useepayTampered', 'wechatpayTampered']) {
    assert.equal(out[key].isPromise, true, `${runtime}: ${key}: a Promise`);
    assert.deepEqual([out[key].error?.code, out[key].error?.isAggpayError], ['ERR_SIGNATURE_INVALID', true], `${runtime}: ${key}: ${JSON.stringify(out[key])}`);
  }
  for (const key of ['alipayBuild', 'useepayBuild', 'wechatpayBuild']) {
    assert.equal(out[key].isPromise, true, `${runtime}: ${key}: a Promise, not a synchronous throw (${JSON.stringify(out[key])})`);
    assert.equal(out[key].error?.code, 'ERR_VERIFY_ONLY', `${runtime}: ${key}: ${JSON.stringify(out[key])}`);
  }
}

describe('inside workerd (miniflare) and Chromium', () => {
  let work;
  before(() => {
    work = makeTempDir('engines-runtimes');
  });
  after(() => removeDir(work));

  it('workerd: buildTradeCreateAsync on engine auto runs on webcrypto and equals the node engine byte for byte; verify-only clients (WeChat Pay: public key + APIv3 key) verify notifications', { timeout: 120_000 }, async (t) => {
    const workerSource = `
import { AggpayError, Alipay, UseePay, WechatPay } from 'aggpay';
${SETTLE_SOURCE}
export default {
  async fetch(request) {
    try {
      const input = await request.json();
      const spy = spySubtle();
      const signer = new Alipay({ appId: input.appId, privateKey: input.privateKey, engine: 'auto' });
      const out = { engines: null, signerEngines: [signer.engine, signer.asyncEngine] };
      out.request = await settle(() => signer.buildTradeCreateAsync(input.biz, { timestamp: input.timestamp }));
      out.syncRequest = await settle(() => signer.buildTradeCreate(input.biz, { timestamp: input.timestamp }));
      out.subtleSigns = spy.sign;
      Object.assign(out, await verifyAll(input));
      out.spy = spy;
      return Response.json(out);
    } catch (e) {
      return Response.json({ crashed: String((e && e.stack) || e) }, { status: 500 });
    }
  },
};`;
    const bundle = await bundleWorker(path.join(work, 'worker'), { stdin: { contents: workerSource, resolveDir: repoRoot, sourcefile: 'worker-entry.mjs', loader: 'js' } });
    assert.ok(bundle.inputs.some((p) => p.endsWith('pkg/src/workerd.mjs')), `the bundle uses the workerd entry (inputs: ${bundle.inputs.join(', ')})`);

    const { public: input, expected } = runtimeInputs('workerd');
    const rng = makeRng('engines-workerd-request');
    const biz = { out_trade_no: marker(rng, 'W'), total_amount: { minor: rng.int(1, 1e6), currency: 'CNY' }, subject: text(rng), buyer_id: marker(rng, '2088') };
    const timestamp = rng.int(1.6e12, 1.9e12);
    const request = { ...input, privateKey: app.pkcs8Pem, biz, timestamp };

    const out = await postToWorker(bundle, request);
    assert.ok(!out.crashed, `workerd crashed: ${out.crashed}`);
    assert.deepEqual(out.signerEngines, ['wasm', 'webcrypto'], 'workerd: engine auto = wasm for sync calls, webcrypto for Async ones');
    assert.equal(out.request.isPromise, true, 'buildTradeCreateAsync returns a Promise');
    assert.ok(out.request.value, `buildTradeCreateAsync failed in workerd: ${JSON.stringify(out.request)}`);
    const parts = assertRequestSigned(out.request.value, app.privateKey, 'RSA2', 'workerd buildTradeCreateAsync');
    assert.equal(parts.params.get('method'), 'alipay.trade.create');
    const nodeClient = new Alipay({ appId: APP_ID, privateKey: app.pkcs8Pem, engine: 'node' });
    const nodeRequest = nodeClient.buildTradeCreate(biz, { timestamp });
    nodeClient.free();
    assert.deepEqual(out.request.value, nodeRequest, 'workerd (webcrypto) request equals the node engine\'s, byte for byte');
    assert.deepEqual(out.syncRequest.value, nodeRequest, 'workerd (wasm, sync) request equals the node engine\'s');
    if (out.spy.installed) {
      assert.ok(out.subtleSigns >= 1, `workerd: crypto.subtle.sign was used by buildTradeCreateAsync (${out.subtleSigns}×)`);
      assert.ok(out.spy.verify >= 5, `workerd: crypto.subtle.verify was used by verifyNotifyAsync (${out.spy.verify}×)`);
    } else {
      t.diagnostic(`workerd: crypto.subtle could not be spied on (${out.spy.error ?? 'not writable'})`);
    }
    assertRuntimeVerification(out, 'workerd', input, expected);
  });

  it('Chromium: a page holding only public keys verifies Alipay, UseePay and WeChat Pay notifications (WeChat Pay: public key + APIv3 key) through verifyNotifyAsync on webcrypto, exactly as Node does', { timeout: 120_000 }, async () => {
    const { public: input, expected } = runtimeInputs('chromium');
    const inputText = JSON.stringify(input);
    assert.ok(!/PRIVATE KEY/.test(inputText), 'the page gets no private key');
    for (const pair of [app, ali, other, merchant, usee, wechatpay]) {
      const body = pair.pkcs8Der.toString('base64');
      for (let i = 0; i + 32 <= body.length; i += 97) assert.ok(!inputText.includes(body.slice(i, i + 32)), 'no private key material in the page input');
    }
    const pages = {
      '/': ['text/html; charset=utf-8', harnessPage({ title: 'aggpay engines', aggpay: '/pkg/src/browser.mjs', module: '/page.mjs' })],
      '/page.mjs': ['text/javascript', `
import { AggpayError, Alipay, UseePay, WechatPay } from 'aggpay';
${SETTLE_SOURCE}
export async function runChecks(input) {
  const spy = spySubtle();
  const out = await verifyAll(input);
  out.spy = spy;
  return out;
}`],
    };
    const server = await serveStatic({ root: pkgDir, mount: '/pkg/', pages });
    let result;
    try {
      result = await withChromiumPage(server.url, (page) => callHarness(page, 'runChecks', input, 60_000));
    } finally {
      await server.close();
    }
    const { value: out, consoleMessages } = result;
    const { served } = server;
    assert.ok(out.spy.installed, `Chromium: crypto.subtle could be spied on (${JSON.stringify(out.spy)})`);
    assert.ok(out.spy.verify >= 5, `Chromium: crypto.subtle.verify did the verification (${out.spy.verify}×)`);
    assert.equal(out.spy.sign, 0, 'Chromium: nothing was signed');
    assertRuntimeVerification(out, 'Chromium', input, expected);
    const wasm = served.find((s) => s.path.endsWith('/aggpay_bg.wasm'));
    assert.deepEqual(wasm, { path: '/pkg/web/aggpay_bg.wasm', status: 200, type: 'application/wasm' }, `requests: ${JSON.stringify(served)}`);
    assert.deepEqual(served.filter((s) => s.status !== 200), [], 'no missing files');
    assert.deepEqual(consoleMessages.filter((m) => /error|warn/i.test(m)), [], 'no console errors or warnings');
  });
});
