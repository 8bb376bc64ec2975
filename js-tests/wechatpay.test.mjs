// WechatPay (WeChat Pay APIv3) through the package, on every engine choice ('node', 'wasm',
// 'webcrypto', 'auto') and both forms (`name`, `nameAsync`), against node:crypto as the independent
// implementation (wechatpay-helpers.mjs), on keys made fresh for each run, certificates minted with
// openssl over them, and seeded random content (Chinese, emoji, quotes, `\u` escapes in bodies,
// query strings with reserved characters; AGGPAY_TEST_SEED=<seed> reproduces a failure):
//
// - requests: the Authorization signature equals node:crypto's over the exact path and body; the
//   typed builders send the documented paths and bodies (amounts as integer fen);
// - wx.requestPayment and App parameters: paySign equals node:crypto's over the four lines;
// - responses and notifications signed by node:crypto verify, over the raw body (string or bytes,
//   headers as an object, a Headers or pairs); resources encrypted by node:crypto decrypt into the
//   event the documented fields make; one changed byte of the body, of each header, of the tag or of
//   the AAD is refused; the 5-minute window at its edges; a key ring mid-migration (a certificate
//   serial and a PUB_KEY_ID both arriving); probe signatures and unknown serials have their codes;
// - verify-only (public key + APIv3 key) and sign-only clients; the certificate download verified
//   with the certificate it brings and added to the ring; sensitive fields decrypted by node:crypto
//   (OAEP, PKCS#1 v1.5 on the global API); bills checked against node:crypto's SHA-1;
// - no error carries the private key or the APIv3 key.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AggpayError, WechatPay } from 'aggpay';
import { ctx, expectAggpayError, makeRng, makeTempDir, removeDir } from './helpers.mjs';
import {
  CHOICES, EXPECTED, FAILURE_BODY, FORMS, MAINLAND, SUCCESS_REPLY, alnum, apiV3Key, assertNoSecretIn, assertSignedRequest, encryptResource, exec,
  expectFailure, expectedEvent, headerShapes, mintCertificate, nodeSign, notification, parseAuthorization, paymentMessage, publicKeyId, refund,
  replyMessage, rsaPair, seenErrors, serialHex, signedHeaders, text, transaction, withEscapes,
} from './wechatpay-helpers.mjs';

/** expectAggpayError, the error kept for the check that no error carries a secret. */
const refused = (fn, code, what) => {
  const error = expectAggpayError(fn, code, what);
  seenErrors.push(error);
  return error;
};

// ---------------------------------------------------------------------------------------------
// The merchant, and "WeChat Pay" (node:crypto stands in for it): fresh keys per run.

const SETUP = makeRng('wechatpay-setup');
const MCHID = String(SETUP.int(1.2e9, 1.9e9));
const APP_ID = `wx${alnum(SETUP, 16)}`;
const NOTIFY_URL = 'https://shop.example.com/wechatpay/notify';
const API_V3_KEY = apiV3Key(SETUP);
const MERCHANT_SERIAL = serialHex();
const PUB_ID = publicKeyId(SETUP);
const merchant = rsaPair();
const platformA = rsaPair(); // a platform certificate (serial A)
const wechatKey = rsaPair(); // the WeChat Pay public key (PUB_ID)
const platformC = rsaPair(); // the next platform certificate, downloaded during the test
const SERIAL_A = serialHex();
const SERIAL_C = serialHex();
let certA;
let certC;
let certAOtherKey; // serial A over another key
let dir;

before(async () => {
  dir = makeTempDir('wechatpay');
  certA = await mintCertificate(dir, platformA, SERIAL_A);
  certC = await mintCertificate(dir, platformC, SERIAL_C);
  certAOtherKey = await mintCertificate(dir, rsaPair(), SERIAL_A);
});
after(() => {
  removeDir(dir);
  assertNoSecretIn(seenErrors, { 'merchant private key': merchant.pkcs8Pem, 'APIv3 key': API_V3_KEY });
});

const base = { mchid: MCHID, appId: APP_ID, notifyUrl: NOTIFY_URL };
/** Signs, verifies with certificate A and the public key at once (mid-migration), decrypts. */
const fullClient = (engine, extra = {}) => new WechatPay({
  ...base, merchantSerialNo: MERCHANT_SERIAL, privateKey: merchant.pkcs8Pem, apiV3Key: API_V3_KEY,
  platformCertificates: certA, wechatpayPublicKey: wechatKey.spkiPem, wechatpayPublicKeyId: PUB_ID, engine, ...extra,
});
const verifyOnlyClient = (engine) => new WechatPay({ mchid: MCHID, wechatpayPublicKey: wechatKey.spkiPem, wechatpayPublicKeyId: PUB_ID, apiV3Key: API_V3_KEY, engine });
const signOnlyClient = (engine) => new WechatPay({ ...base, merchantSerialNo: MERCHANT_SERIAL, privateKey: merchant.pkcs1Pem, apiV3Key: API_V3_KEY, engine });

/** A moment, and the options that pin it. */
const moment = (rng) => {
  const seconds = rng.int(1.7e9, 1.9e9);
  return { seconds, nowMs: seconds * 1000 + rng.int(0, 999), nonce: alnum(rng, rng.int(1, 64)) };
};
const signedBy = { A: [platformA.privateKey, SERIAL_A], PUB: [wechatKey.privateKey, PUB_ID] };
const money = (minor, currency = 'CNY') => ({ minor, currency });
const request = (what) => ({ mchid: MCHID, serial: MERCHANT_SERIAL, merchantKey: merchant.privateKey, wechatpaySerial: PUB_ID, what });

// ---------------------------------------------------------------------------------------------

describe('WechatPay requests on every engine: Authorization equals node:crypto\'s over the exact path and body', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] typed builders, the generic builder and bills, sync and Async`, async () => {
      const wx = fullClient(choice);
      assert.deepEqual([wx.engine, wx.asyncEngine], [EXPECTED[choice].sync, EXPECTED[choice].async]);
      for (const form of FORMS) {
        const rng = makeRng(`wechatpay-requests-${choice}-${form}`);
        const what = (name) => ctx(`${name} on ${choice}/${form}`);
        const call = async (name, args, expected) => {
          const m = moment(rng);
          const built = await exec(choice, form, what(name), wx, name, [...args, { now: m.nowMs, nonce: m.nonce }]);
          assertSignedRequest(built, { ...request(what(name)), ...m, ...expected });
          return built;
        };
        // Prepay: the client's appid and mchid first, then the order as given (amount in fen), then notify_url.
        for (const [name, segment, extra] of [
          ['buildJsapiPrepay', 'jsapi', { payer: { openid: `o${alnum(rng, 27)}` } }],
          ['buildNativePrepay', 'native', {}],
          ['buildH5Prepay', 'h5', { scene_info: { payer_client_ip: '203.0.113.7', h5_info: { type: 'Wap' } } }],
          ['buildAppPrepay', 'app', {}],
        ]) {
          const minor = rng.int(1, 1e9);
          const order = { description: text(rng), out_trade_no: `T${alnum(rng, 20)}`, amount: money(minor), attach: text(rng), ...extra, goods_tag: 'WXG' };
          const body = JSON.stringify({ appid: APP_ID, mchid: MCHID, ...order, amount: { total: minor, currency: 'CNY' }, notify_url: NOTIFY_URL });
          await call(name, [order], { method: 'POST', canonicalUrl: `/v3/pay/transactions/${segment}`, body });
        }
        const transactionId = `42000${rng.int(1e9, 9e9)}`;
        const outTradeNo = `T-${alnum(rng, 10)}|*@_`;
        await call('buildQuery', [{ transactionId }], { method: 'GET', canonicalUrl: `/v3/pay/transactions/id/${transactionId}?mchid=${MCHID}` });
        await call('buildQuery', [{ outTradeNo }], { method: 'GET', canonicalUrl: `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${MCHID}` });
        await call('buildClose', [{ outTradeNo }], { method: 'POST', canonicalUrl: `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, body: JSON.stringify({ mchid: MCHID }) });
        const total = rng.int(2, 1e9);
        const refundArgs = { out_trade_no: outTradeNo, out_refund_no: `R${alnum(rng, 12)}`, reason: text(rng), amount: { refund: money(total - 1), total: money(total) } };
        await call('buildRefund', [refundArgs], {
          method: 'POST', canonicalUrl: '/v3/refund/domestic/refunds',
          body: JSON.stringify({ ...refundArgs, amount: { refund: total - 1, total, currency: 'CNY' }, notify_url: NOTIFY_URL }),
        });
        await call('buildRefundQuery', [{ outRefundNo: refundArgs.out_refund_no }], { method: 'GET', canonicalUrl: `/v3/refund/domestic/refunds/${refundArgs.out_refund_no}` });
        await call('buildCertificatesRequest', [], { method: 'GET', canonicalUrl: '/v3/certificates' });
        // The generic builder: a query with reserved characters, and JSON text (\u escapes, emoji,
        // quotes, odd spacing) sent and signed exactly as given.
        const query = `/v3/marketing/favor/users/o${alnum(rng, 8)}/coupons?stock_id=${rng.int(1, 1e7)}&q=%E4%B8%AD%20a%2Bb%26c&x=!$()*+,;=:@|[]~-._&empty=`;
        await call('buildRequest', [{ method: 'get', path: query }], { method: 'GET', canonicalUrl: query });
        const jsonText = ` { "description" : ${JSON.stringify(text(rng))}, "escaped": "\\u5fae\\u4fe1\\ud83d\\ude00 \\"q\\" \\\\ \\/", "n": 1 } `;
        await call('buildRequest', [{ method: 'PATCH', path: '/v3/merchant-service/complaints-v2/x/update-refund-progress', body: jsonText }], { method: 'PATCH', canonicalUrl: '/v3/merchant-service/complaints-v2/x/update-refund-progress', body: jsonText });
        const object = { a: text(rng), list: [1, 2, { b: text(rng) }] };
        await call('buildRequest', [{ method: 'POST', path: '/v3/x?y=1', body: object }], { method: 'POST', canonicalUrl: '/v3/x?y=1', body: JSON.stringify(object) });
        await call('buildTradeBill', [{ billDate: '2026-01-02', billType: 'ALL', tarType: 'GZIP' }], { method: 'GET', canonicalUrl: '/v3/bill/tradebill?bill_date=2026-01-02&bill_type=ALL&tar_type=GZIP' });
        await call('buildFundFlowBill', [{ billDate: '2026-01-02', accountType: 'BASIC' }], { method: 'GET', canonicalUrl: '/v3/bill/fundflowbill?bill_date=2026-01-02&account_type=BASIC' });
        const token = `/v3/billdownload/file?token=${alnum(rng, 40)}`;
        await call('buildBillDownload', [`${MAINLAND}${token}`], { method: 'GET', canonicalUrl: token });
        // A float amount, a GET with a body, a path a URL parser would rewrite: refused before signing.
        for (const [name, args] of [
          ['buildJsapiPrepay', [{ description: 'd', out_trade_no: 'T1', amount: 0.01, payer: { openid: 'o' } }]],
          ['buildRequest', [{ method: 'POST', path: '/v3/x', body: { amount: { total: 0.5 } } }]],
          ['buildRequest', [{ method: 'GET', path: '/v3/x', body: {} }]],
          ['buildRequest', [{ method: 'GET', path: '/v3/../x' }]],
          ['buildRequest', [{ method: 'GET', path: '/v3/中' }]],
          ['buildBillDownload', ['https://evil.example/v3/billdownload/file?token=x']],
          ['buildQuery', [{ outTradeNo: 'a/b' }]],
          ['buildQuery', [{ outTradeNo: 'T1' }, { timestamp: 1 }]],
          ['buildQuery', [{ outTradeNo: 'T1' }, { nonce: 'not a nonce' }]],
        ]) {
          await expectFailure(form, what(`${name} refusal`), wx, name, args, 'ERR_BAD_INPUT');
        }
      }
      wx.free();
    });
  }

  it('defaults: Date.now() in seconds and 32 random hex characters, signed as sent', async () => {
    const wx = fullClient('auto');
    for (const form of FORMS) {
      const t0 = Math.floor(Date.now() / 1000);
      const built = await exec('auto', form, 'defaults', wx, 'buildCertificatesRequest', []);
      const t1 = Math.floor(Date.now() / 1000);
      const a = parseAuthorization(built.headers.authorization);
      assert.match(a.nonce_str, /^[0-9a-f]{32}$/, 'a fresh nonce');
      assert.ok(Number(a.timestamp) >= t0 && Number(a.timestamp) <= t1, 'the timestamp is Date.now() in seconds');
      assertSignedRequest(built, { ...request('defaults'), method: 'GET', canonicalUrl: '/v3/certificates', nowMs: Number(a.timestamp) * 1000, nonce: a.nonce_str });
      const again = await exec('auto', form, 'defaults', wx, 'buildCertificatesRequest', []);
      assert.notEqual(parseAuthorization(again.headers.authorization).nonce_str, a.nonce_str, 'a new nonce each time');
    }
    wx.free();
  });

  it('service providers (服务商): sp_ fields first, sub_mchid in paths and bodies; without a public key no Wechatpay-Serial goes out', async () => {
    const rng = makeRng('wechatpay-partner');
    const wx = new WechatPay({ ...base, partner: true, merchantSerialNo: MERCHANT_SERIAL, privateKey: merchant.pkcs8Pem, platformCertificates: certA, engine: 'node' });
    assert.equal(wx.partner, true);
    const sub = String(rng.int(1e9, 2e9));
    const m = moment(rng);
    const order = { sub_mchid: sub, sub_appid: `wx${alnum(rng, 16)}`, description: text(rng), out_trade_no: 'T1', amount: money(1), payer: { sub_openid: 'o2' } };
    const built = wx.buildJsapiPrepay(order, { now: m.nowMs, nonce: m.nonce });
    const { sub_mchid: subMchid, sub_appid: subAppid, ...rest } = order;
    const body = JSON.stringify({ sp_appid: APP_ID, sp_mchid: MCHID, sub_appid: subAppid, sub_mchid: subMchid, ...rest, amount: { total: 1, currency: 'CNY' }, notify_url: NOTIFY_URL });
    assertSignedRequest(built, { ...request('partner jsapi'), wechatpaySerial: undefined, ...m, method: 'POST', canonicalUrl: '/v3/pay/partner/transactions/jsapi', body });
    const query = wx.buildQuery({ outTradeNo: 'T1', subMchid: sub }, { now: m.nowMs, nonce: m.nonce });
    assertSignedRequest(query, { ...request('partner query'), wechatpaySerial: undefined, ...m, method: 'GET', canonicalUrl: `/v3/pay/partner/transactions/out-trade-no/T1?sp_mchid=${MCHID}&sub_mchid=${sub}` });
    refused(() => wx.buildQuery({ outTradeNo: 'T1' }), 'ERR_BAD_INPUT', 'a service provider names subMchid');
    refused(() => fullClient('node').buildQuery({ outTradeNo: 'T1', subMchid: sub }), 'ERR_BAD_INPUT', 'subMchid is for service providers');
    const app = wx.appPaymentParams({ prepayId: 'wx1', subMchid: sub }, { now: m.nowMs, nonce: m.nonce });
    assert.equal(app.partnerid, sub, 'partnerid is the sub-merchant');
    wx.free();
  });

  it('cross-border hosts and paths are configuration; the typed builders are the mainland API\'s', () => {
    const global = new WechatPay({ mchid: MCHID, merchantSerialNo: MERCHANT_SERIAL, privateKey: merchant.pkcs8Pem, api: 'global', engine: 'node' });
    assert.deepEqual([global.api, global.baseUrl], ['global', 'https://apihk.mch.weixin.qq.com']);
    const m = { nowMs: 1_800_000_000_000, nonce: 'n1' };
    const pinned = { now: m.nowMs, nonce: m.nonce };
    assertSignedRequest(global.buildCertificatesRequest(pinned), { ...request('global certificates'), wechatpaySerial: undefined, ...m, base: 'https://apihk.mch.weixin.qq.com', method: 'GET', canonicalUrl: '/v3/global/certificates' });
    const body = { trade_type: 'JSAPI', amount: { total: 100, currency: 'HKD' } };
    assertSignedRequest(global.buildRequest({ method: 'POST', path: '/v3/global/transactions/jsapi', body }, pinned), { ...request('global jsapi'), wechatpaySerial: undefined, ...m, base: 'https://apihk.mch.weixin.qq.com', method: 'POST', canonicalUrl: '/v3/global/transactions/jsapi', body: JSON.stringify(body) });
    refused(() => global.buildJsapiPrepay({ description: 'd', out_trade_no: 'T1', amount: money(1), payer: { openid: 'o' } }), 'ERR_BAD_INPUT', 'typed builders are the mainland API\'s');
    const hk = new WechatPay({ mchid: MCHID, merchantSerialNo: MERCHANT_SERIAL, privateKey: merchant.pkcs8Pem, api: 'hk', baseUrl: 'https://api2.mch.weixin.qq.com/', engine: 'wasm' });
    assertSignedRequest(hk.buildCertificatesRequest(pinned), { ...request('hk certificates'), wechatpaySerial: undefined, ...m, base: 'https://api2.mch.weixin.qq.com', method: 'GET', canonicalUrl: '/hk/v3/certificates' });
    refused(() => new WechatPay({ mchid: MCHID, privateKey: merchant.pkcs8Pem, merchantSerialNo: MERCHANT_SERIAL, api: 'us' }), 'ERR_BAD_INPUT', 'an unknown api');
    refused(() => new WechatPay({ mchid: MCHID, privateKey: merchant.pkcs8Pem, merchantSerialNo: MERCHANT_SERIAL, baseUrl: 'https://x.example/v3' }), 'ERR_BAD_INPUT', 'a base URL with a path');
    global.free();
    hk.free();
  });
});

// ---------------------------------------------------------------------------------------------

describe('wx.requestPayment and App parameters on every engine: the signature is node:crypto\'s', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] requestPaymentParams and appPaymentParams, sync and Async`, async () => {
      const wx = fullClient(choice);
      for (const form of FORMS) {
        const rng = makeRng(`wechatpay-params-${choice}-${form}`);
        const m = moment(rng);
        const prepayId = `wx${alnum(rng, 30)}`;
        const appId = rng.pick([undefined, `wx${alnum(rng, 16)}`]);
        const params = await exec(choice, form, ctx('requestPaymentParams'), wx, 'requestPaymentParams', [{ prepayId, appId }, { now: m.nowMs, nonce: m.nonce }]);
        const lines = [appId ?? APP_ID, String(m.seconds), m.nonce, `prepay_id=${prepayId}`];
        assert.deepEqual(params, {
          appId: lines[0], timeStamp: lines[1], nonceStr: m.nonce, package: lines[3], signType: 'RSA',
          paySign: nodeSign(merchant.privateKey, paymentMessage(lines)),
        }, ctx(`requestPaymentParams on ${choice}/${form}`));
        assert.equal(typeof params.timeStamp, 'string', 'timeStamp is a string of seconds');
        const app = await exec(choice, form, ctx('appPaymentParams'), wx, 'appPaymentParams', [{ prepayId, appId }, { now: m.nowMs, nonce: m.nonce }]);
        assert.deepEqual(app, {
          appid: lines[0], partnerid: MCHID, prepayid: prepayId, package: 'Sign=WXPay', noncestr: m.nonce, timestamp: lines[1],
          sign: nodeSign(merchant.privateKey, paymentMessage([lines[0], lines[1], m.nonce, prepayId])),
        }, ctx(`appPaymentParams on ${choice}/${form}`));
        for (const bad of [{ prepayId: 'wx1\nx' }, { prepayId: '' }, { prepayId: 'wx1', appid: 'wx2' }, {}]) {
          await expectFailure(form, `requestPaymentParams(${JSON.stringify(bad)})`, wx, 'requestPaymentParams', [bad], 'ERR_BAD_INPUT');
        }
      }
      wx.free();
    });
  }
});

// ---------------------------------------------------------------------------------------------

/** Notifications of every kind, signed under certificate A or the public key. */
function notifications(rng, seconds) {
  const kinds = [
    ['TRANSACTION.SUCCESS', transaction(rng, { mchid: MCHID, appid: APP_ID })],
    ['TRANSACTION.SUCCESS (service provider)', transaction(rng, { mchid: MCHID, appid: APP_ID, partner: true })],
    ['TRANSACTION.SUCCESS (HKD)', transaction(rng, { mchid: MCHID, appid: APP_ID, currency: 'HKD' })],
    ['NOTPAY', transaction(rng, { mchid: MCHID, appid: APP_ID, tradeState: 'NOTPAY' })],
    ['REFUND.SUCCESS', refund(rng, { mchid: MCHID, status: 'SUCCESS' })],
    ['REFUND.ABNORMAL', refund(rng, { mchid: MCHID, status: 'ABNORMAL' })],
    ['REFUND.CLOSED', refund(rng, { mchid: MCHID, status: 'CLOSED' })],
  ];
  return kinds.map(([label, resource], i) => {
    const [signer, serial] = i % 2 === 0 ? signedBy.A : signedBy.PUB;
    const eventType = label.split(' ')[0] === 'NOTPAY' ? 'TRANSACTION.SUCCESS' : label.split(' ')[0];
    return { label: `${label} under ${serial === PUB_ID ? 'the public key' : 'certificate A'}`, ...notification(rng, { key: API_V3_KEY, signer, serial, resource, eventType, timestamp: seconds, aad: rng.pick(['transaction', 'refund', '']) }) };
  });
}

describe('WechatPay notifications and responses on every engine: node:crypto\'s signatures and ciphertexts', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] every event kind, under either key, body as text or bytes, headers in three shapes`, async () => {
      const wx = fullClient(choice);
      for (const form of FORMS) {
        const rng = makeRng(`wechatpay-notify-${choice}-${form}`);
        const seconds = rng.int(1.7e9, 1.9e9);
        for (const n of notifications(rng, seconds)) {
          const expected = { event: expectedEvent(n.envelope, n.plaintext), reply: SUCCESS_REPLY };
          for (const [shape, headers] of headerShapes(n.headers)) {
            for (const body of [n.body, new TextEncoder().encode(n.body)]) {
              const what = ctx(`${n.label}, headers as ${shape}, body as ${typeof body} on ${choice}/${form}`);
              const out = await exec(choice, form, what, wx, 'verifyNotify', [{ headers, body }, { now: seconds * 1000 }]);
              assert.deepEqual(out, expected, what);
            }
          }
        }
        // Responses: a success with Chinese, emoji and escapes; a 204 without a body.
        const m = moment(rng);
        const payload = withEscapes(rng, JSON.stringify({ prepay_id: `wx${alnum(rng, 30)}`, note: text(rng) }));
        for (const [signer, serial] of Object.values(signedBy)) {
          const headers = signedHeaders(signer, serial, m.seconds, alnum(rng, 32), payload);
          assert.deepEqual(await exec(choice, form, 'response', wx, 'verifyResponse', [{ status: 200, headers, body: payload }, { now: m.nowMs }]), JSON.parse(payload), ctx(`200 under ${serial}`));
          const empty = signedHeaders(signer, serial, m.seconds, alnum(rng, 32), '');
          assert.deepEqual(await exec(choice, form, 'response', wx, 'verifyResponse', [{ status: 204, headers: new Headers(empty), body: '' }, { now: m.nowMs }]), {}, '204');
          assert.deepEqual(await exec(choice, form, 'response', wx, 'verifyResponse', [{ status: 204, headers: empty, body: new Uint8Array(0) }, { now: m.nowMs }]), {}, '204 with an empty Uint8Array');
        }
      }
      wx.free();
    });

    it(`[${choice}] refused: one changed byte of the body, of each header, of the tag or of the AAD; a missing header; the clock window at its edges`, async () => {
      const wx = fullClient(choice);
      for (const form of FORMS) {
        const rng = makeRng(`wechatpay-tamper-${choice}-${form}`);
        const seconds = rng.int(1.7e9, 1.9e9);
        const now = seconds * 1000;
        const [signer, serial] = rng.pick(Object.values(signedBy));
        const resource = transaction(rng, { mchid: MCHID, appid: APP_ID });
        const n = notification(rng, { key: API_V3_KEY, signer, serial, resource, timestamp: seconds });
        const verify = (what, headers, body, code, at = now, engine) => (code
          ? expectFailure(form, ctx(`${what} on ${choice}/${form}`), wx, 'verifyNotify', [{ headers, body }, { now: at }], code)
          : exec(choice, form, ctx(`${what} on ${choice}/${form}`), wx, 'verifyNotify', [{ headers, body }, { now: at }], { engine }));
        assert.equal((await verify('untouched', n.headers, n.body)).event.paid, true);
        // One changed byte anywhere in the raw body.
        const bytes = new TextEncoder().encode(n.body);
        for (let i = 0; i < 3; i++) {
          const changed = bytes.slice();
          changed[rng.int(0, changed.length - 1)] ^= 1 << rng.int(0, 7);
          await verify('a changed body byte', n.headers, changed, 'ERR_SIGNATURE_INVALID');
        }
        await verify('a trailing newline', n.headers, `${n.body}\n`, 'ERR_SIGNATURE_INVALID');
        await verify('the body re-serialized', n.headers, JSON.stringify(JSON.parse(n.body)), 'ERR_SIGNATURE_INVALID');
        // Each header.
        const h = n.headers;
        const sig = Buffer.from(h['Wechatpay-Signature'], 'base64');
        sig[rng.int(0, sig.length - 1)] ^= 1;
        await verify('Wechatpay-Timestamp + 1', { ...h, 'Wechatpay-Timestamp': String(seconds + 1) }, n.body, 'ERR_SIGNATURE_INVALID');
        await verify('Wechatpay-Nonce changed', { ...h, 'Wechatpay-Nonce': `${h['Wechatpay-Nonce'].slice(1)}x` }, n.body, 'ERR_SIGNATURE_INVALID');
        await verify('Wechatpay-Signature changed', { ...h, 'Wechatpay-Signature': sig.toString('base64') }, n.body, 'ERR_SIGNATURE_INVALID');
        await verify('Wechatpay-Signature not base64', { ...h, 'Wechatpay-Signature': `@${h['Wechatpay-Signature']}` }, n.body, 'ERR_SIGNATURE_INVALID');
        await verify('Wechatpay-Signature-Type SM2', { ...h, 'Wechatpay-Signature-Type': 'WECHATPAY2-SM2-WITH-SM3' }, n.body, 'ERR_SIGNATURE_INVALID');
        const other = serial === PUB_ID ? SERIAL_A : PUB_ID;
        await verify('Wechatpay-Serial naming the other configured key', { ...h, 'Wechatpay-Serial': other }, n.body, 'ERR_SIGNATURE_INVALID');
        const unknown = `${serial.slice(0, -1)}${serial.endsWith('0') ? '1' : '0'}`;
        const e = await verify('Wechatpay-Serial changed', { ...h, 'Wechatpay-Serial': unknown }, n.body, 'ERR_CERT_SN_MISMATCH');
        assert.equal(e.serial, unknown, 'the error carries the unknown serial');
        assert.equal(e.provider, 'wechat');
        assert.deepEqual(WechatPay.failureReply(e), { status: 401, headers: { 'content-type': 'application/json' }, body: FAILURE_BODY });
        for (const name of ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial']) {
          const { [name]: _, ...missing } = h;
          await verify(`${name} missing`, missing, n.body, 'ERR_SIGNATURE_INVALID');
          await verify(`${name} empty`, { ...h, [name]: '' }, n.body, 'ERR_SIGNATURE_INVALID');
        }
        await verify('a signature header twice', [...Object.entries(h), ['wechatpay-signature', h['Wechatpay-Signature']]], n.body, 'ERR_RESPONSE_MALFORMED');
        await verify('the serial in lower case', { ...h, 'Wechatpay-Serial': serial.toLowerCase() }, n.body);
        // The AEAD: the tag, the AAD and the nonce are checked (each body re-signed, so only the AEAD refuses).
        for (const [label, options] of [
          ['a changed tag', { tamperTag: true }],
          ['a changed AAD', { aad: 'transaction', envelopeAad: 'transactioN' }],
          ['AAD left out by the sender', { aad: 'transaction', envelopeAad: '' }],
        ]) {
          const bad = notification(rng, { key: API_V3_KEY, signer, serial, resource, timestamp: seconds, ...options });
          await verify(label, bad.headers, bad.body, 'ERR_DECRYPT_FAILED');
        }
        const wrongKey = notification(rng, { key: apiV3Key(rng), signer, serial, resource, timestamp: seconds });
        const wrongKeyError = await verify('another APIv3 key', wrongKey.headers, wrongKey.body, 'ERR_DECRYPT_FAILED');
        assert.deepEqual(WechatPay.failureReply(wrongKeyError).status, 500, 'a verified notification that cannot be read: 500');
        const envelope = JSON.parse(n.body);
        envelope.resource.nonce = `${envelope.resource.nonce.slice(1)}Z`;
        const renonced = JSON.stringify(envelope);
        await verify('a changed resource nonce', signedHeaders(signer, serial, seconds, 'n', renonced), renonced, 'ERR_DECRYPT_FAILED');
        // The clock: accepted strictly within 300 s either way (milliseconds), refused at 300 s.
        for (const offset of [-299_999, 299_999, -1, 999]) await verify(`now ${offset} ms off`, h, n.body, undefined, now + offset);
        for (const offset of [300_000, -300_000, 300_001, -86_400_000]) {
          const skew = await verify(`now ${offset} ms off`, h, n.body, 'ERR_CLOCK_SKEW', now + offset);
          assert.equal(WechatPay.failureReply(skew).status, 401);
        }
        // Probe signatures: refused before any RSA work, with their own code.
        const probe = { ...h, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${Buffer.from(crypto.randomBytes(32)).toString('base64')}` };
        const probed = await verify('a probe signature', probe, n.body, 'ERR_SIGNATURE_PROBE');
        assert.equal(WechatPay.failureReply(probed).status, 401, 'a probe is refused like any bad signature');
        // A serial that is not a serial is not echoed.
        const odd = await verify('a serial that is not one', { ...h, 'Wechatpay-Serial': 'x y<script>' }, n.body, 'ERR_CERT_SN_MISMATCH');
        assert.equal(odd.serial, '(not a serial)');
        assert.ok(!odd.message.includes('<script>'), 'the odd serial is not in the message');
      }
      wx.free();
    });

    it(`[${choice}] responses: signed and unsigned failures keep WeChat Pay's code, detail and view of the signed message; an unsigned success is forged`, async () => {
      const wx = fullClient(choice);
      for (const form of FORMS) {
        const rng = makeRng(`wechatpay-failures-${choice}-${form}`);
        const m = moment(rng);
        const [signer, serial] = rng.pick(Object.values(signedBy));
        const detail = `{"field":"/amount/total","value":0,"issue":${JSON.stringify(text(rng))},"location":"body"}`;
        const param = `{"code":"PARAM_ERROR","message":"参数错误","detail":${detail}}`;
        const signed = await expectFailure(form, 'a signed 400', wx, 'verifyResponse', [{ status: 400, headers: signedHeaders(signer, serial, m.seconds, 'n', param), body: param }, { now: m.nowMs }], 'ERR_PROVIDER_BUSINESS');
        assert.deepEqual([signed.provider, signed.providerCode, signed.providerMessage, signed.detail], ['wechat', 'PARAM_ERROR', '参数错误', detail]);
        const truncated = `GET\n/v3/certificates\n${m.seconds}\n${m.nonce}\n\n`;
        const signError = `{"code":"SIGN_ERROR","message":"签名错误","detail":{"detail":{"issue":"sign not match"},"field":"signature","location":"authorization","sign_information":{"method":"GET","sign_message_length":${truncated.length},"truncated_sign_message":${JSON.stringify(truncated)},"truncated_sign_message_hex":"x","url":"/v3/certificates"}}}`;
        const unsigned = await expectFailure(form, 'an unsigned 401 SIGN_ERROR', wx, 'verifyResponse', [{ status: 401, headers: { 'request-id': 'r' }, body: signError }, { now: m.nowMs }], 'ERR_PROVIDER_REJECTED');
        assert.deepEqual([unsigned.providerCode, unsigned.signedMessage], ['SIGN_ERROR', truncated], 'WeChat\'s view of the signed message');
        assert.equal(JSON.parse(unsigned.detail).sign_information.url, '/v3/certificates');
        const limited = await expectFailure(form, 'an unsigned 429', wx, 'verifyResponse', [{ status: 429, headers: {}, body: '{"code":"RATELIMIT_EXCEEDED","message":"x"}' }], 'ERR_RATE_LIMITED');
        assert.equal(limited.providerCode, 'RATELIMIT_EXCEEDED');
        await expectFailure(form, 'an unsigned 500', wx, 'verifyResponse', [{ status: 500, headers: {}, body: '{"code":"SYSTEM_ERROR","message":"x"}' }], 'ERR_PROVIDER_BUSY');
        const proxy = await expectFailure(form, 'a proxy\'s 502 page', wx, 'verifyResponse', [{ status: 502, headers: {}, body: '<html>bad gateway</html>' }], 'ERR_PROVIDER_REJECTED');
        assert.equal(proxy.providerCode, undefined);
        await expectFailure(form, 'an unsigned 200', wx, 'verifyResponse', [{ status: 200, headers: {}, body: '{"prepay_id":"wx1"}' }], 'ERR_SIGNATURE_INVALID');
        const ok = '{"prepay_id":"wx1"}';
        await expectFailure(form, 'a status that is no status', wx, 'verifyResponse', [{ status: 2000, headers: signedHeaders(signer, serial, m.seconds, 'n', ok), body: ok }, { now: m.nowMs }], 'ERR_BAD_INPUT');
        await expectFailure(form, 'a signed body that is not JSON', wx, 'verifyResponse', [{ status: 200, headers: signedHeaders(signer, serial, m.seconds, 'n', 'ok'), body: 'ok' }, { now: m.nowMs }], 'ERR_RESPONSE_MALFORMED');
      }
      wx.free();
    });
  }

  it('failureReply: 401 for what did not verify, 500 for anything else — whatever it is given, it never throws', () => {
    const unverified = { status: 401, headers: { 'content-type': 'application/json' }, body: FAILURE_BODY };
    const other = { ...unverified, status: 500 };
    for (const code of ['ERR_SIGNATURE_INVALID', 'ERR_SIGNATURE_PROBE', 'ERR_CLOCK_SKEW', 'ERR_CERT_SN_MISMATCH']) {
      assert.deepEqual(WechatPay.failureReply(new AggpayError('x', { code })), unverified, code);
    }
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const values = {
      'ERR_DECRYPT_FAILED': new AggpayError('x', { code: 'ERR_DECRYPT_FAILED' }),
      'an Error': new Error('handler crashed'),
      'a code in lower case': { code: 'err_signature_invalid' },
      'a number as code': { code: 7 },
      'a code string itself': 'ERR_SIGNATURE_INVALID',
      null: null,
      undefined,
      'a revoked Proxy': proxy,
      'a throwing code getter': { get code() { throw new Error('x'); } },
      'a Symbol': Symbol('s'),
      'a huge code': { code: 'x'.repeat(2 * 1024 * 1024) },
    };
    for (const [label, value] of Object.entries(values)) assert.deepEqual(WechatPay.failureReply(value), other, label);
  });
});

// ---------------------------------------------------------------------------------------------

describe('a key ring mid-migration, verify-only and sign-only clients', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] certificate A and PUB_KEY_ID arriving in turn; a verify-only client (public key + APIv3 key) verifies and refuses every build with ERR_VERIFY_ONLY`, async () => {
      const rng = makeRng(`wechatpay-migration-${choice}`);
      const wx = fullClient(choice);
      const only = verifyOnlyClient(choice);
      const signOnly = signOnlyClient(choice);
      assert.deepEqual(wx.wechatpaySerials, [SERIAL_A, PUB_ID], 'the ring: certificate A and the public key');
      assert.deepEqual([wx.canSign, wx.canVerify, wx.canDecrypt, wx.publicKeyId, wx.mchid], [true, true, true, PUB_ID, MCHID]);
      assert.deepEqual([only.canSign, only.canVerify, only.canDecrypt, only.wechatpaySerials], [false, true, true, [PUB_ID]]);
      assert.deepEqual([signOnly.canSign, signOnly.canVerify, signOnly.publicKeyId], [true, false, undefined]);
      for (const form of FORMS) {
        const seconds = rng.int(1.7e9, 1.9e9);
        // WeChat's gradual switch: callbacks under either key, mixed.
        for (let i = 0; i < 4; i++) {
          const [signer, serial] = i % 2 === 0 ? signedBy.A : signedBy.PUB;
          const n = notification(rng, { key: API_V3_KEY, signer, serial, resource: transaction(rng, { mchid: MCHID, appid: APP_ID }), timestamp: seconds });
          const expected = { event: expectedEvent(n.envelope, n.plaintext), reply: SUCCESS_REPLY };
          assert.deepEqual(await exec(choice, form, `mid-migration ${serial}`, wx, 'verifyNotify', [n, { now: seconds * 1000 }]), expected);
          if (serial === PUB_ID) assert.deepEqual(await exec(choice, form, 'verify-only', only, 'verifyNotify', [n, { now: seconds * 1000 }]), expected);
          else await expectFailure(form, 'verify-only: certificate A is not configured', only, 'verifyNotify', [n, { now: seconds * 1000 }], 'ERR_CERT_SN_MISMATCH');
          await expectFailure(form, 'sign-only', signOnly, 'verifyNotify', [n, { now: seconds * 1000 }], 'ERR_NO_PROVIDER_KEY');
          await expectFailure(form, 'sign-only', signOnly, 'verifyResponse', [{ status: 200, headers: n.headers, body: n.body }], 'ERR_NO_PROVIDER_KEY');
        }
        for (const [name, args] of [
          ['buildJsapiPrepay', [{ description: 'd', out_trade_no: 'T1', amount: money(1), payer: { openid: 'o' } }]],
          ['buildNativePrepay', [{ description: 'd', out_trade_no: 'T1', amount: money(1) }]],
          ['buildQuery', [{ outTradeNo: 'T1' }]],
          ['buildClose', [{ outTradeNo: 'T1' }]],
          ['buildRefund', [{ out_trade_no: 'T1', out_refund_no: 'R1', amount: { refund: money(1), total: money(1) } }]],
          ['buildRefundQuery', [{ outRefundNo: 'R1' }]],
          ['buildCertificatesRequest', []],
          ['buildRequest', [{ method: 'GET', path: '/v3/x' }]],
          ['buildTradeBill', [{ billDate: '2026-01-02' }]],
          ['buildBillDownload', [`${MAINLAND}/v3/billdownload/file?token=t`]],
          ['requestPaymentParams', [{ prepayId: 'wx1', appId: APP_ID }]],
          ['appPaymentParams', [{ prepayId: 'wx1', appId: APP_ID }]],
        ]) {
          await expectFailure(form, `verify-only ${name}`, only, name, args, 'ERR_VERIFY_ONLY');
        }
      }
      refused(() => only.decryptField('AAAA'), 'ERR_VERIFY_ONLY', 'decryptField needs the merchant key');
      const noAes = new WechatPay({ mchid: MCHID, wechatpayPublicKey: wechatKey.spkiPem, wechatpayPublicKeyId: PUB_ID, engine: choice });
      assert.equal(noAes.canDecrypt, false);
      const n = notification(rng, { key: API_V3_KEY, signer: wechatKey.privateKey, serial: PUB_ID, resource: transaction(rng, { mchid: MCHID, appid: APP_ID }), timestamp: 1_800_000_000 });
      refused(() => noAes.verifyNotify(n, { now: 1_800_000_000_000 }), 'ERR_BAD_INPUT', 'a notification needs the APIv3 key');
      for (const c of [wx, only, signOnly, noAes]) c.free();
    });
  }

  it('configuration: what goes together, and your own key configured as WeChat Pay\'s', () => {
    const bad = (config, code, what) => refused(() => new WechatPay(config), code, what);
    bad({ mchid: MCHID }, 'ERR_BAD_INPUT', 'no key at all');
    bad({ mchid: MCHID, privateKey: merchant.pkcs8Pem }, 'ERR_BAD_INPUT', 'privateKey without merchantSerialNo');
    bad({ mchid: MCHID, wechatpayPublicKey: wechatKey.spkiPem }, 'ERR_BAD_INPUT', 'a public key without its id');
    bad({ mchid: MCHID, wechatpayPublicKey: wechatKey.spkiPem, wechatpayPublicKeyId: 'KEY_1' }, 'ERR_BAD_INPUT', 'an id that is not PUB_KEY_ID_…');
    bad({ mchid: MCHID, platformCertificates: certA, apiV3Key: 'short' }, 'ERR_BAD_INPUT', 'an APIv3 key that is not 32 characters');
    bad({ mchid: MCHID, merchantSerialNo: MERCHANT_SERIAL, privateKey: merchant.pkcs8Pem, wechatpayPublicKey: merchant.spkiPem, wechatpayPublicKeyId: PUB_ID }, 'ERR_KEY_MISMATCH', 'the merchant\'s own key as WeChat Pay\'s');
    const typo = bad({ mchid: MCHID, platformCertificates: certA, apiv3Key: API_V3_KEY }, 'ERR_BAD_INPUT', 'a misspelt option');
    assert.match(typo.message, /did you mean apiV3Key/);
    assert.ok(!typo.message.includes(API_V3_KEY), 'the value is not quoted');
    bad({ mchid: MCHID, platformCertificates: certA, engine: 'openssl' }, 'ERR_BAD_INPUT', 'an unknown engine');
  });
});

// ---------------------------------------------------------------------------------------------

/** A /v3/certificates reply holding `certs` ({ pem, serial }), each encrypted by node:crypto, signed by `signer` under `serial`. */
function certificateReply(rng, certs, [signer, serial], seconds) {
  const data = certs.map(({ pem, serial: listed }) => {
    const nonce = alnum(rng, 12);
    return { serial_no: listed, effective_time: '2026-01-01T00:00:00+08:00', expire_time: '2031-01-01T00:00:00+08:00', encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext: encryptResource(API_V3_KEY, pem, nonce, 'certificate') } };
  });
  const body = JSON.stringify({ data });
  return { status: 200, headers: signedHeaders(signer, serial, seconds, alnum(rng, 32), body), body };
}

/** What the reply's certificates must come back as, read by node:crypto. */
const described = (pem) => {
  const x509 = new crypto.X509Certificate(pem);
  return { serialNo: x509.serialNumber.replace(/^(00)+/, ''), notBefore: Date.parse(x509.validFrom) / 1000, notAfter: Date.parse(x509.validTo) / 1000, pem };
};

describe('the platform certificate download on every engine: verified with the certificate it brings, then added to the ring', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] a first download (no platform certificate yet), a rotation to a new certificate, and what is refused`, async () => {
      for (const form of FORMS) {
        const rng = makeRng(`wechatpay-certificates-${choice}-${form}`);
        const seconds = Math.floor(Date.now() / 1000);
        const now = { now: seconds * 1000 };
        // A client holding only the public key: the reply names certificate A, which it brings.
        const wx = new WechatPay({ ...base, merchantSerialNo: MERCHANT_SERIAL, privateKey: merchant.pkcs8Pem, apiV3Key: API_V3_KEY, wechatpayPublicKey: wechatKey.spkiPem, wechatpayPublicKeyId: PUB_ID, engine: choice });
        const reply = certificateReply(rng, [{ pem: certA, serial: SERIAL_A }, { pem: certC, serial: SERIAL_C }], signedBy.A, seconds);
        const expected = [described(certA), described(certC)];
        assert.deepEqual(expected.map((c) => c.serialNo), [SERIAL_A, SERIAL_C], 'node:crypto reads the serials minted');
        assert.deepEqual(await exec(choice, form, 'verifyCertificates', wx, 'verifyCertificates', [reply, now]), expected, ctx(`verifyCertificates on ${choice}/${form}`));
        assert.deepEqual(wx.decryptCertificates(reply, now), expected, 'decryptCertificates: the same certificates, unverified');
        assert.deepEqual(wx.wechatpaySerials, [PUB_ID], 'verifying adds nothing by itself');
        const n = notification(rng, { key: API_V3_KEY, signer: platformC.privateKey, serial: SERIAL_C, resource: transaction(rng, { mchid: MCHID, appid: APP_ID }), timestamp: seconds });
        const e = await expectFailure(form, 'signed by certificate C before it is added', wx, 'verifyNotify', [n, now], 'ERR_CERT_SN_MISMATCH');
        assert.equal(e.serial, SERIAL_C);
        assert.deepEqual(wx.addPlatformCertificates(expected), [SERIAL_A, SERIAL_C]);
        assert.deepEqual(wx.wechatpaySerials, [PUB_ID, SERIAL_A, SERIAL_C]);
        assert.deepEqual(await exec(choice, form, 'signed by C after it is added', wx, 'verifyNotify', [n, now]), { event: expectedEvent(n.envelope, n.plaintext), reply: SUCCESS_REPLY });
        assert.deepEqual(wx.addPlatformCertificates(certC), [SERIAL_C], 'adding again changes nothing');
        // A later reply signed by the newly added certificate C verifies through the client's own ring.
        const later = certificateReply(rng, [{ pem: certC, serial: SERIAL_C }], [platformC.privateKey, SERIAL_C], seconds);
        assert.deepEqual(await exec(choice, form, 'a reply signed by C', wx, 'verifyCertificates', [later, now]), [described(certC)]);
        // Refused: a changed reply, a signature by a key the reply does not bring, a certificate under another's serial.
        const tampered = { ...reply, body: reply.body.replace('2031-01-01', '2031-01-02') };
        await expectFailure(form, 'a changed reply', wx, 'verifyCertificates', [tampered, now], 'ERR_SIGNATURE_INVALID');
        const foreign = certificateReply(rng, [{ pem: certC, serial: SERIAL_C }], [platformA.privateKey, SERIAL_C], seconds);
        await expectFailure(form, 'signed by A but naming C', wx, 'verifyCertificates', [foreign, now], 'ERR_SIGNATURE_INVALID');
        const stranger = serialHex();
        const unknown = certificateReply(rng, [{ pem: certC, serial: SERIAL_C }], [platformA.privateKey, stranger], seconds);
        assert.equal((await expectFailure(form, 'naming a serial nobody has', wx, 'verifyCertificates', [unknown, now], 'ERR_CERT_SN_MISMATCH')).serial, stranger);
        const swapped = certificateReply(rng, [{ pem: certC, serial: SERIAL_A }], signedBy.A, seconds);
        await expectFailure(form, 'certificate C listed as A', wx, 'verifyCertificates', [swapped, now], 'ERR_CERT_INVALID');
        const expired = certificateReply(rng, [{ pem: certC, serial: SERIAL_C }], [platformC.privateKey, SERIAL_C], seconds + 40 * 86_400);
        await expectFailure(form, 'no certificate valid at now', wx, 'verifyCertificates', [expired, { now: (seconds + 40 * 86_400) * 1000 }], 'ERR_CERT_INVALID');
        const notFound = '{"code":"RESOURCE_NOT_EXISTS","message":"无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥"}';
        const rejected = await expectFailure(form, 'a public-key-only merchant', wx, 'verifyCertificates', [{ status: 404, headers: {}, body: notFound }, now], 'ERR_PROVIDER_REJECTED');
        assert.equal(rejected.providerCode, 'RESOURCE_NOT_EXISTS');
        // Serial A already in the ring: a certificate of that serial over another key is refused whole.
        const mismatch = refused(() => wx.addPlatformCertificates([certAOtherKey]), 'ERR_KEY_MISMATCH', 'serial A over another key');
        assert.match(mismatch.message, new RegExp(SERIAL_A));
        refused(() => wx.addPlatformCertificates([certC, merchant.spkiPem]), 'ERR_CERT_INVALID', 'a key is not a certificate');
        assert.deepEqual(wx.wechatpaySerials, [PUB_ID, SERIAL_A, SERIAL_C], 'nothing added by the refused calls');
        wx.free();
      }
    });
  }

  it('a merchant-key-only client bootstraps: verifyCertificates needs no WeChat Pay key yet', async () => {
    const rng = makeRng('wechatpay-bootstrap');
    const seconds = Math.floor(Date.now() / 1000);
    const wx = new WechatPay({ ...base, merchantSerialNo: MERCHANT_SERIAL, privateKey: merchant.pkcs8Pem, apiV3Key: API_V3_KEY, engine: 'webcrypto' });
    assert.equal(wx.canVerify, false);
    const reply = certificateReply(rng, [{ pem: certA, serial: SERIAL_A }], signedBy.A, seconds);
    const value = await exec('webcrypto', 'async', 'bootstrap', wx, 'verifyCertificates', [{ ...reply, headers: new Headers(reply.headers) }, { now: seconds * 1000 }]);
    assert.deepEqual(value, [described(certA)]);
    wx.addPlatformCertificates(value.map((c) => c.pem));
    assert.deepEqual([wx.canVerify, wx.wechatpaySerials], [true, [SERIAL_A]]);
    const noKey = new WechatPay({ ...base, merchantSerialNo: MERCHANT_SERIAL, privateKey: merchant.pkcs8Pem });
    refused(() => noKey.verifyCertificates(reply, { now: seconds * 1000 }), 'ERR_BAD_INPUT', 'decrypting certificates needs the APIv3 key');
    wx.free();
    noKey.free();
  });
});

// ---------------------------------------------------------------------------------------------

describe('sensitive fields and bills against node:crypto', () => {
  it('encryptField: node:crypto decrypts it (OAEP-SHA1; PKCS#1 v1.5 on the global API) with the key it names; decryptField reads node:crypto\'s OAEP', () => {
    const rng = makeRng('wechatpay-fields');
    const wx = fullClient('auto');
    const oaep = (pair, ciphertext) => crypto.privateDecrypt({ key: pair.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(ciphertext, 'base64')).toString('utf8');
    for (let i = 0; i < 8; i++) {
      const plaintext = `${text(rng)}${rng.int(1e10, 9e10)}`;
      const byDefault = wx.encryptField(plaintext);
      assert.equal(byDefault.serial, PUB_ID, 'the public key by default');
      assert.equal(oaep(wechatKey, byDefault.ciphertext), plaintext, ctx('OAEP under the public key'));
      const underA = wx.encryptField(plaintext, { serial: SERIAL_A.toLowerCase() });
      assert.equal(underA.serial, SERIAL_A);
      assert.equal(oaep(platformA, underA.ciphertext), plaintext, ctx('OAEP under certificate A'));
      const encrypted = crypto.publicEncrypt({ key: merchant.publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(plaintext, 'utf8')).toString('base64');
      assert.equal(wx.decryptField(encrypted), plaintext, ctx('decryptField'));
      const changed = Buffer.from(encrypted, 'base64');
      changed[rng.int(0, changed.length - 1)] ^= 1;
      refused(() => wx.decryptField(changed.toString('base64')), 'ERR_DECRYPT_FAILED', 'a changed ciphertext');
    }
    // The field goes with its key in Wechatpay-Serial.
    const field = wx.encryptField('张三', { serial: SERIAL_A });
    const m = { nowMs: 1_800_000_000_000, nonce: 'n' };
    const body = { name: field.ciphertext };
    const built = wx.buildRequest({ method: 'POST', path: '/v3/x', body, wechatpaySerial: field.serial }, { now: m.nowMs, nonce: m.nonce });
    assertSignedRequest(built, { ...request('encrypted field'), wechatpaySerial: SERIAL_A, ...m, method: 'POST', canonicalUrl: '/v3/x', body: JSON.stringify(body) });
    refused(() => wx.buildRequest({ method: 'POST', path: '/v3/x', body, wechatpaySerial: serialHex() }), 'ERR_BAD_INPUT', 'a serial that is not configured');
    refused(() => wx.encryptField(''), 'ERR_BAD_INPUT', 'an empty field');
    refused(() => wx.encryptField('x', { serial: serialHex() }), 'ERR_BAD_INPUT', 'an unknown serial');
    // The global API pads with PKCS#1 v1.5: read here with a raw RSA decryption and the padding checked by hand.
    const global = new WechatPay({ mchid: MCHID, platformCertificates: certA, api: 'global' });
    const plaintext = `张三 ${text(rng)}`;
    const { ciphertext, serial } = global.encryptField(plaintext);
    assert.equal(serial, SERIAL_A, 'the one certificate configured');
    const em = crypto.privateDecrypt({ key: platformA.privateKey, padding: crypto.constants.RSA_NO_PADDING }, Buffer.from(ciphertext, 'base64'));
    assert.deepEqual([em[0], em[1]], [0, 2], 'EM = 00 02 PS 00 M');
    const separator = em.indexOf(0, 2);
    assert.ok(separator >= 10 && em.subarray(2, separator).every((b) => b !== 0), 'at least 8 non-zero padding bytes');
    assert.equal(em.subarray(separator + 1).toString('utf8'), plaintext);
    wx.free();
    global.free();
  });

  it('checkBill: the downloaded file against the SHA-1 of the verified reply (node:crypto\'s)', () => {
    const rng = makeRng('wechatpay-bills');
    const wx = fullClient('node');
    const file = rng.bytes(rng.int(0, 100_000));
    const digest = crypto.createHash('sha1').update(file).digest('hex');
    const reply = { hash_type: 'SHA1', hash_value: digest.toUpperCase(), download_url: `${MAINLAND}/v3/billdownload/file?token=t` };
    assert.equal(wx.checkBill(reply, file), undefined);
    assert.equal(wx.checkBill({ ...reply, hash_value: digest }, file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength)), undefined, 'lower-case hex, an ArrayBuffer');
    const changed = file.slice();
    if (changed.length > 0) changed[rng.int(0, changed.length - 1)] ^= 1;
    refused(() => wx.checkBill(reply, changed.length > 0 ? changed : new Uint8Array([1])), 'ERR_SIGNATURE_INVALID', 'a changed file');
    refused(() => wx.checkBill({ ...reply, hash_type: 'SM3' }, file), 'ERR_BAD_INPUT', 'another hash');
    refused(() => wx.checkBill({ download_url: 'x' }, file), 'ERR_RESPONSE_MALFORMED', 'no digest');
    wx.free();
  });
});

// ---------------------------------------------------------------------------------------------

describe('every engine and form give the same bytes', () => {
  it('the same requests, parameters and verifications on node, wasm, webcrypto and auto, sync and Async', async () => {
    const rng = makeRng('wechatpay-same-bytes');
    const m = moment(rng);
    const options = { now: m.nowMs, nonce: m.nonce };
    const order = { description: text(rng), out_trade_no: 'T1', amount: money(rng.int(1, 1e6)), payer: { openid: 'o1' } };
    const n = notification(rng, { key: API_V3_KEY, signer: platformA.privateKey, serial: SERIAL_A, resource: transaction(rng, { mchid: MCHID, appid: APP_ID }), timestamp: m.seconds });
    const outputs = new Map();
    for (const choice of CHOICES) {
      const wx = fullClient(choice);
      for (const form of FORMS) {
        const call = (name, args) => (form === 'sync' ? wx[name](...args) : wx[`${name}Async`](...args));
        const out = JSON.stringify([
          await call('buildJsapiPrepay', [order, options]),
          await call('requestPaymentParams', [{ prepayId: 'wx1' }, options]),
          await call('appPaymentParams', [{ prepayId: 'wx1' }, options]),
          await call('verifyNotify', [n, { now: m.nowMs }]),
        ]);
        outputs.set(`${choice}/${form}`, out);
      }
      wx.free();
    }
    const [[first, value], ...rest] = [...outputs];
    for (const [combo, out] of rest) assert.equal(out, value, `${combo} differs from ${first}`);
    assert.equal(outputs.size, CHOICES.length * FORMS.length);
  });
});
