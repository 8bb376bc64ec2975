// Configs and argument objects are typed: unknown names are refused with the spelling they resemble,
// and no value — a key, a secret — ever appears in an error, whichever option it was put in and in
// whatever shape.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { AggpayError, Alipay, RsaSigner, RsaVerifier, UseePay, WechatMiniProgram, WechatPay } from 'aggpay';

const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' });
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' });
const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
const SECRET = 'S3cr3t-Md5-Key-Never-Shown-0123456789';

/** 16-character windows of the secrets: none may appear in a message. */
const fragments = [PRIVATE, SECRET].flatMap((text) => {
  const body = text.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
  const out = [];
  for (let i = 0; i + 16 <= body.length; i += 7) out.push(body.slice(i, i + 16));
  return out;
});

function assertClean(fn, what) {
  let error;
  try {
    const out = fn();
    out?.free?.();
    return;
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof AggpayError, `${what}: ${error?.constructor?.name}: ${error?.message}`);
  const text = `${error.message} ${JSON.stringify(error)}`;
  for (const f of fragments) assert.ok(!text.includes(f), `${what}: the message shows a fragment of a secret: ${error.message}`);
  assert.ok(!text.includes('PRIVATE KEY'), `${what}: the message shows a PEM label`);
}

const SHAPES = {
  'the private key': PRIVATE,
  'the secret': SECRET,
  'a number': 42,
  'an object holding the key': { key: PRIVATE },
  'a list holding the secret': [SECRET, 1],
  'a boolean': true,
};

const CLIENTS = {
  Alipay: [(c) => new Alipay(c), { appId: '2021', privateKey: PRIVATE, alipayPublicKey: other },
    ['appId', 'privateKey', 'alipayPublicKey', 'appCert', 'alipayCert', 'alipayRootCert', 'signType', 'gateway', 'endpoint', 'encryptKey', 'notifyUrl', 'limits', 'engine']],
  'UseePay (MD5)': [(c) => new UseePay(c), { merchantNo: '1', appId: 'a', signType: 'MD5', md5Key: SECRET },
    ['merchantNo', 'appId', 'signType', 'md5Key', 'privateKey', 'useepayPublicKey', 'gateway', 'notifyUrl', 'emptyValues', 'limits', 'engine']],
  'UseePay (RSA)': [(c) => new UseePay(c), { merchantNo: '1', appId: 'a', signType: 'RSA', privateKey: PRIVATE, useepayPublicKey: other },
    ['signType', 'md5Key', 'privateKey', 'useepayPublicKey', 'limits']],
  WechatMiniProgram: [(c) => new WechatMiniProgram(c), { appId: 'wx1', appSecret: SECRET }, ['appId', 'appSecret', 'apiBase', 'limits']],
  WechatPay: [(c) => new WechatPay(c), { mchid: '1230000109', merchantSerialNo: 'AB12', privateKey: PRIVATE, apiV3Key: 'k'.repeat(32), wechatpayPublicKey: other, wechatpayPublicKeyId: 'PUB_KEY_ID_1' },
    ['mchid', 'merchantSerialNo', 'privateKey', 'apiV3Key', 'platformCertificates', 'wechatpayPublicKey', 'wechatpayPublicKeyId', 'appId', 'notifyUrl', 'partner', 'api', 'baseUrl', 'userAgent', 'limits', 'engine']],
};

describe('configs', () => {
  for (const [name, [make, base, options]] of Object.entries(CLIENTS)) {
    it(`${name}: every option, in every shape, fails (if it fails) without showing a secret`, () => {
      assert.doesNotThrow(() => make(base).free(), `${name}: the base config works`);
      for (const option of options) {
        for (const [shape, value] of Object.entries(SHAPES)) {
          assertClean(() => make({ ...base, [option]: value }), `${name}.${option} = ${shape}`);
          assertClean(() => make({ ...base, limits: { maxFields: value } }), `${name}.limits.maxFields = ${shape}`);
        }
      }
      assertClean(() => make({ ...base, [SECRET]: 1 }), `${name}: the secret as an option name`);
    });
  }

  it('unknown names are refused with the spelling they resemble', () => {
    const cases = [
      [() => new UseePay({ merchantNo: '1', appId: 'a', signType: 'MD5', md5key: SECRET }), /unknown option "md5key"; did you mean md5Key\?/],
      [() => new Alipay({ appId: '1', alipay_public_key: PUBLIC }), /unknown option "alipay_public_key"; did you mean alipayPublicKey\?/],
      [() => new WechatMiniProgram({ appId: 'wx', appsecret: SECRET }), /did you mean appSecret\?/],
      [() => new Alipay({ appId: '1', privateKey: PRIVATE }).buildOauthToken({ refresh_token: 'r' }), /oauth token arguments: unknown option "refresh_token"; did you mean refreshToken\?/],
      [() => new Alipay({ appId: '1', privateKey: PRIVATE }).buildTradeQuery({ out_trade_no: '1' }, { notify_url: 'https://x' }), /did you mean notifyUrl\?/],
      [() => new UseePay({ merchantNo: '1', appId: 'a', signType: 'MD5', md5Key: SECRET }).buildQuery({ transaction_id: 'T' }), /did you mean transactionId\?/],
      [() => new Alipay({ appId: '1', privateKey: PRIVATE, limits: { max_fields: 3 } }), /limits: unknown option "max_fields"; did you mean maxFields\?/],
    ];
    for (const [fn, pattern] of cases) {
      assert.throws(fn, (e) => e instanceof AggpayError && e.code === 'ERR_BAD_INPUT' && pattern.test(e.message), String(pattern));
    }
  });

  it('the key classes and arguments: a secret in the wrong place is never shown', () => {
    const signer = new RsaSigner(PRIVATE);
    for (const [shape, value] of Object.entries(SHAPES)) {
      assertClean(() => new RsaSigner(PRIVATE, { engine: value }), `RsaSigner engine = ${shape}`);
      assertClean(() => new RsaVerifier(PUBLIC, { role: value }), `RsaVerifier role = ${shape}`);
      assertClean(() => signer.sign('m', value), `RsaSigner.sign hash = ${shape}`);
      const alipay = new Alipay({ appId: '1', privateKey: PRIVATE });
      assertClean(() => alipay.buildTradeQuery({ out_trade_no: '1' }, { timestamp: value }), `Alipay options.timestamp = ${shape}`);
      assertClean(() => alipay.buildV3Request({ path: '/v3/x', method: value }), `Alipay v3 method = ${shape}`);
      assertClean(() => alipay.verifyNotify('a=1', { rule: value }), `Alipay notify rule = ${shape}`);
      alipay.free();
      const wechatpay = new WechatPay({ mchid: '1', merchantSerialNo: 'AB12', privateKey: PRIVATE, wechatpayPublicKey: other, wechatpayPublicKeyId: 'PUB_KEY_ID_1' });
      assertClean(() => wechatpay.buildQuery({ outTradeNo: 'T1' }, { now: value }), `WechatPay options.now = ${shape}`);
      assertClean(() => wechatpay.buildQuery({ outTradeNo: 'T1' }, { nonce: value }), `WechatPay options.nonce = ${shape}`);
      assertClean(() => wechatpay.buildQuery({ outTradeNo: value }), `WechatPay outTradeNo = ${shape}`);
      assertClean(() => wechatpay.buildRequest({ method: value, path: '/v3/x' }), `WechatPay request method = ${shape}`);
      assertClean(() => wechatpay.encryptField('x', { serial: value }), `WechatPay encryptField serial = ${shape}`);
      const signed = { 'Wechatpay-Timestamp': String(Math.floor(Date.now() / 1000)), 'Wechatpay-Nonce': 'n', 'Wechatpay-Signature': 'AAAA' };
      assertClean(() => wechatpay.verifyResponse({ status: 200, headers: { ...signed, 'Wechatpay-Serial': value }, body: '' }), `WechatPay Wechatpay-Serial = ${shape}`);
      assertClean(() => wechatpay.requestPaymentParams({ prepayId: value, appId: 'wx1' }), `WechatPay prepayId = ${shape}`);
      assertClean(() => wechatpay.addPlatformCertificates(value), `WechatPay addPlatformCertificates = ${shape}`);
      wechatpay.free();
    }
    signer.free();
  });
});
