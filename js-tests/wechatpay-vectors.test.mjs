// The WeChat Pay vectors of tests/fixtures/wechatpay through the JS API (tests/wechatpay.rs runs
// them natively): the published SDK and documentation vectors (vectors.json: wechatpay-go,
// wechatpay-java, and the documentation's examples derived with Python and re-checked with
// node:crypto), and node-vectors.json (made by node-vectors.mjs with node:crypto). Every expected
// value comes from those files — or, for the typed events, from the documented field meanings
// applied to the files' plaintexts (wechatpay-helpers.mjs expectedEvent) — never from the code
// under test. Each runs on every engine, both forms.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WechatPay } from 'aggpay';
import { fixturesDir } from './helpers.mjs';
import { CHOICES, FORMS, SUCCESS_REPLY, exec, expectFailure, expectedEvent, parseAuthorization } from './wechatpay-helpers.mjs';

const here = path.join(fixturesDir, 'wechatpay');
const read = (rel) => fs.readFileSync(path.join(here, rel), 'utf8');
const VECTORS = new Map(JSON.parse(read('vectors.json')).vectors.map((v) => [v.id, v]));
const vector = (id) => {
  assert.ok(VECTORS.has(id), `vectors.json has ${id}`);
  return VECTORS.get(id);
};
const NODE = JSON.parse(read('node-vectors.json'));
const DERIVED = JSON.parse(read('derived-vectors.json'));

const MERCHANT_KEY = read('java-sdk/merchant_private_key.pem');
const PLATFORM_CERT = read('java-sdk/wechat_pay_certificate.pem');
const PLATFORM_PUBLIC_KEY = read('java-sdk/wechat_pay_public_key.pem');
const API_V3_KEY = NODE.api_v3_key;
const PUB_ID = 'PUB_KEY_ID_0000000000000024101100397200000006';

/** The Java SDK merchant (signs) with the Java SDK "WeChat Pay" certificate (verifies). */
const javaClient = (engine, extra = {}) => new WechatPay({
  mchid: NODE.mchid, merchantSerialNo: NODE.merchant_serial_no, privateKey: MERCHANT_KEY, platformCertificates: PLATFORM_CERT, apiV3Key: API_V3_KEY, engine, ...extra,
});
const stamp = (timestamp, nonce) => ({ now: Number(timestamp) * 1000, nonce });
const verifyAt = (timestamp) => ({ now: Number(timestamp) * 1000 });

describe('WeChat Pay vectors through the JS API, on every engine', () => {
  for (const choice of CHOICES) {
    it(`[${choice}] request Authorization: the documented GET /v3/certificates, the JSAPI order (typed builder), node:crypto's requests`, async () => {
      for (const form of FORMS) {
        const get = vector('v3-auth-get-certificates');
        const wx = javaClient(choice, { mchid: get.mchid });
        const built = await exec(choice, form, get.id, wx, 'buildCertificatesRequest', [stamp(get.timestamp, get.nonce)]);
        assert.equal(built.headers.authorization, get.authorization, `${get.id} on ${choice}/${form}`);
        assert.equal(parseAuthorization(built.headers.authorization).signature, get.expect);
        assert.deepEqual([built.method, built.url, built.body], ['GET', 'https://api.mch.weixin.qq.com/v3/certificates', null]);
        wx.free();

        const post = vector('v3-auth-post-jsapi');
        const jsapi = javaClient(choice, { appId: 'wxd678efh567hg6787' });
        const order = {
          description: 'Image形象店-深圳腾大-QQ公仔', out_trade_no: '1217752501201407033233368018', notify_url: 'https://www.weixin.qq.com/wxpay/pay.php',
          amount: { minor: 100, currency: 'CNY' }, payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
        };
        const typed = await exec(choice, form, post.id, jsapi, 'buildJsapiPrepay', [order, stamp(post.timestamp, post.nonce)]);
        assert.equal(typed.body, post.body, `${post.id}: the typed builder sends the vector's body`);
        assert.equal(parseAuthorization(typed.headers.authorization).signature, post.expect, `${post.id} on ${choice}/${form}`);
        const generic = await exec(choice, form, post.id, jsapi, 'buildRequest', [{ method: 'POST', path: post.canonical_url, body: post.body }, stamp(post.timestamp, post.nonce)]);
        assert.equal(generic.headers.authorization, typed.headers.authorization, `${post.id}: the generic builder signs the same`);
        jsapi.free();

        const node = javaClient(choice);
        for (const r of NODE.requests) {
          const args = { method: r.method, path: r.canonical_url, ...(r.body === '' ? {} : { body: r.body }) };
          const request = await exec(choice, form, r.canonical_url, node, 'buildRequest', [args, stamp(r.timestamp, r.nonce)]);
          const a = parseAuthorization(request.headers.authorization);
          assert.deepEqual([a.signature, a.timestamp, a.nonce_str, a.mchid, a.serial_no], [r.signature, r.timestamp, r.nonce, NODE.mchid, NODE.merchant_serial_no], `node-vectors ${r.method} ${r.canonical_url} on ${choice}/${form}`);
          assert.equal(request.body, r.body === '' ? null : r.body, 'the body as given');
        }
        node.free();
      }
    });

    it(`[${choice}] paySign (Java and Go test keys) and the App SDK sign`, async () => {
      for (const form of FORMS) {
        for (const id of ['paysign-v3-java-key', 'paysign-v3-go-key']) {
          const v = vector(id);
          const privateKey = v.private_key_pem ?? read(v.private_key);
          const wx = new WechatPay({ mchid: '1900000109', merchantSerialNo: 'ABC123', privateKey, platformCertificates: PLATFORM_CERT, engine: choice });
          const params = await exec(choice, form, id, wx, 'requestPaymentParams', [{ prepayId: v.package.slice('prepay_id='.length), appId: v.appId }, stamp(v.timeStamp, v.nonceStr)]);
          assert.deepEqual(params, { appId: v.appId, timeStamp: v.timeStamp, nonceStr: v.nonceStr, package: v.package, signType: 'RSA', paySign: v.expect }, `${id} on ${choice}/${form}`);
          wx.free();
        }
        assert.equal(DERIVED.request_payment_v3.paySign_with_java_merchant_key, vector('paysign-v3-java-key').expect, 'the two files agree');
        const app = NODE.app;
        const wx = javaClient(choice);
        const out = await exec(choice, form, 'app', wx, 'appPaymentParams', [{ prepayId: app.prepayid, appId: app.appid }, stamp(app.timestamp, app.noncestr)]);
        assert.deepEqual(out, { appid: app.appid, partnerid: NODE.mchid, prepayid: app.prepayid, package: 'Sign=WXPay', noncestr: app.noncestr, timestamp: app.timestamp, sign: app.sign });
        wx.free();
      }
    });

    it(`[${choice}] notifications: the documented callback (certificate or public key), node:crypto's payment and refund callbacks; the tampered vectors are refused`, async () => {
      for (const form of FORMS) {
        const v = vector('notification-transaction-success-verify');
        const decrypt = vector('notification-transaction-success-decrypt');
        assert.equal(decrypt.body, v.body);
        const wx = javaClient(choice);
        const expected = { event: expectedEvent(JSON.parse(v.body), decrypt.expect), reply: SUCCESS_REPLY };
        assert.equal(expected.event.paid, true);
        assert.deepEqual(expected.event.amount, { minor: 100, currency: 'CNY' });
        assert.deepEqual(await exec(choice, form, v.id, wx, 'verifyNotify', [{ headers: v.headers, body: v.body }, verifyAt(v.now)]), expected, `${v.id} on ${choice}/${form}`);
        // The same key as the WeChat Pay public key: the serial header is not signed, so it can name the key id.
        const byPublicKey = new WechatPay({ mchid: NODE.mchid, wechatpayPublicKey: PLATFORM_PUBLIC_KEY, wechatpayPublicKeyId: PUB_ID, apiV3Key: API_V3_KEY, engine: choice });
        assert.deepEqual(await exec(choice, form, v.id, byPublicKey, 'verifyNotify', [{ headers: { ...v.headers, 'Wechatpay-Serial': PUB_ID }, body: v.body }, verifyAt(v.now)]), expected, `${v.id} under the public key`);
        await expectFailure(form, `${v.id}: a verify-only client without the certificate`, byPublicKey, 'verifyNotify', [{ headers: v.headers, body: v.body }, verifyAt(v.now)], 'ERR_CERT_SN_MISMATCH');
        byPublicKey.free();
        const tampered = vector('notification-transaction-success-tampered');
        await expectFailure(form, tampered.id, wx, 'verifyNotify', [{ headers: { ...tampered.headers, 'Wechatpay-Serial': v.headers['Wechatpay-Serial'] }, body: tampered.body }, verifyAt(tampered.now)], 'ERR_SIGNATURE_INVALID');
        for (const n of NODE.notifications) {
          const out = await exec(choice, form, n.id, wx, 'verifyNotify', [{ headers: n.headers, body: n.body }, verifyAt(n.headers['Wechatpay-Timestamp'])]);
          assert.deepEqual(out, { event: expectedEvent(JSON.parse(n.body), n.plaintext), reply: SUCCESS_REPLY }, `${n.id} on ${choice}/${form}`);
        }
        wx.free();
      }
    });

    it(`[${choice}] responses: the documented 204 and its changed timestamp, node:crypto's responses, the wechatpay-go callback over its raw body`, async () => {
      for (const form of FORMS) {
        const wx = javaClient(choice);
        const ok = vector('response-204-empty-body');
        assert.deepEqual(await exec(choice, form, ok.id, wx, 'verifyResponse', [{ status: 204, headers: ok.headers, body: ok.body }, verifyAt(ok.now)]), {});
        const bad = vector('response-204-wrong-timestamp');
        await expectFailure(form, bad.id, wx, 'verifyResponse', [{ status: 204, headers: { ...bad.headers, 'Wechatpay-Serial': ok.headers['Wechatpay-Serial'] }, body: bad.body }, verifyAt(bad.now)], 'ERR_SIGNATURE_INVALID');
        for (const r of NODE.responses) {
          const args = [{ status: r.status, headers: r.headers, body: r.body }, verifyAt(r.headers['Wechatpay-Timestamp'])];
          if (r.status < 300) {
            assert.deepEqual(await exec(choice, form, 'node response', wx, 'verifyResponse', args), r.body.trim() === '' ? {} : JSON.parse(r.body), `HTTP ${r.status} on ${choice}/${form}`);
          } else {
            const error = await expectFailure(form, `HTTP ${r.status}`, wx, 'verifyResponse', args, 'ERR_PROVIDER_BUSINESS');
            const body = JSON.parse(r.body);
            assert.deepEqual([error.providerCode, error.providerMessage, JSON.parse(error.detail)], [body.code, body.message, body.detail]);
          }
        }
        wx.free();
        // wechatpay-go's callback, verified over its raw body with its own certificate and frozen clock
        // (its resource uses a 16-byte key, AES-128-GCM, which a client's 32-byte APIv3 key never is).
        const go = vector('go-notify-verify');
        const goClient = new WechatPay({ mchid: '1234567890', platformCertificates: go.certificate_pem, engine: choice });
        assert.deepEqual(goClient.wechatpaySerials, [vector('cert-serial-go-notify-cert').expect]);
        assert.deepEqual(await exec(choice, form, go.id, goClient, 'verifyResponse', [{ status: 200, headers: go.headers, body: go.body }, verifyAt(go.now)]), JSON.parse(go.body));
        const goTampered = vector('go-notify-verify-tampered');
        await expectFailure(form, goTampered.id, goClient, 'verifyResponse', [{ status: 200, headers: goTampered.headers, body: goTampered.body }, verifyAt(goTampered.now)], 'ERR_SIGNATURE_INVALID');
        goClient.free();
      }
    });

    it(`[${choice}] certificates: wechatpay-java's download decrypts; node:crypto's signed reply verifies with the certificate it brings`, async () => {
      for (const form of FORMS) {
        const j = vector('java-certificate-download');
        const wx = javaClient(choice);
        const [cert] = wx.decryptCertificates({ status: 200, body: j.response_body }, { now: Date.parse('2024-01-01T00:00:00Z') });
        assert.deepEqual([cert.serialNo, cert.notBefore, cert.notAfter], [j.expect, Date.parse(j.expect_not_before) / 1000, Date.parse(j.expect_not_after) / 1000]);
        assert.match(cert.pem, /^-----BEGIN CERTIFICATE-----/);
        const reply = NODE.certificates;
        const bootstrap = new WechatPay({ mchid: NODE.mchid, merchantSerialNo: NODE.merchant_serial_no, privateKey: MERCHANT_KEY, apiV3Key: API_V3_KEY, engine: choice });
        const certs = await exec(choice, form, 'node certificates', bootstrap, 'verifyCertificates', [reply, verifyAt(reply.headers['Wechatpay-Timestamp'])]);
        assert.deepEqual(certs.map((c) => c.serialNo), [vector('cert-serial-java-wechatpay').expect, j.expect]);
        assert.equal(certs[0].pem, PLATFORM_CERT);
        assert.deepEqual(bootstrap.addPlatformCertificates(certs), certs.map((c) => c.serialNo));
        const v = vector('notification-transaction-success-verify');
        assert.equal((await exec(choice, form, 'after the download', bootstrap, 'verifyNotify', [{ headers: v.headers, body: v.body }, verifyAt(v.now)])).event.paid, true);
        await expectFailure(form, 'a changed certificate reply', bootstrap, 'verifyCertificates', [{ ...reply, body: reply.body.replace('2025-05-09', '2035-05-09') }, verifyAt(reply.headers['Wechatpay-Timestamp'])], 'ERR_SIGNATURE_INVALID');
        wx.free();
        bootstrap.free();
      }
    });
  }

  it('sensitive fields: wechatpay-java\'s OAEP vector decrypts with the merchant key; its garbage does not', () => {
    const wx = javaClient('auto');
    const v = vector('java-oaep-decrypt');
    assert.equal(wx.decryptField(v.ciphertext), v.expect);
    const fail = vector('java-oaep-decrypt-fail');
    assert.equal(fail.expect, 'error');
    assert.throws(() => wx.decryptField(fail.ciphertext), (e) => e.code === 'ERR_DECRYPT_FAILED');
    wx.free();
  });
});
