// The UseePay / WeChat mini-program journey (examples/journeys/useepay.mjs) for both signTypes, and
// self-checks of the two stand-ins it runs against: they refuse what the real services refuse
// (a tampered field, a wrong merchant, a reused or unknown login code, …) and their signatures, made
// with node:crypto only, are what aggpay verifies.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { UseePay, WechatMiniProgram, send } from 'aggpay';
import { runUseePayJourney } from '../examples/journeys/useepay.mjs';
import { startUseePayGateway, startWechatLogin } from 'aggpay/sandbox';
import { md5Sign, useepayStringToSign } from '../pkg/sandbox/useepay.mjs';
import { expectAggpayError, withTimeout } from './helpers.mjs';

const TIMEOUT = 60_000;
const EXPECTED_STEPS = 9;

for (const signType of ['RSA', 'MD5']) {
  test(`UseePay journey (${signType}): every step passes`, { timeout: TIMEOUT }, async () => {
    const lines = [];
    const { steps } = await withTimeout(runUseePayJourney({ signType, print: (l) => lines.push(l) }), TIMEOUT - 5_000, `journey ${signType}`);
    assert.equal(steps.length, EXPECTED_STEPS, lines.join('\n'));
    assert.ok(steps.every((s) => s.ok), lines.join('\n'));
    assert.deepEqual(steps.map((s) => s.step), Array.from({ length: EXPECTED_STEPS }, (_, i) => i + 1));
    for (const s of steps) assert.ok(Number.isInteger(s.ms) && s.ms >= 0, `step ${s.step} elapsed ms`);
    assert.equal(lines.length, EXPECTED_STEPS, 'one printed line per step');
    for (const [i, line] of lines.entries()) assert.match(line, new RegExp(`^useepay ${signType} ${i + 1}/${EXPECTED_STEPS} .+ ok .+  \\d+ ms$`));
    assert.match(lines[8], /ERR_LOGIN_CODE_USED/);
    assert.match(lines[5], /duplicate/);
  });
}

// ---------------------------------------------------------------------------------------------
// The UseePay gateway stand-in.

test('stand-in string to sign and MD5 match the spec vectors (node:crypto only)', () => {
  const key = 'test_md5_key_123';
  const v1 = {
    version: '1.0', transactionType: 'pay', signType: 'MD5', merchantNo: '500000000007362', transactionId: 'T20240101000001',
    transactionExpirationTime: '20', appId: 'www.pay.com', amount: '1234', currency: 'HKD', notifyUrl: 'https://example.com/notify', echoParam: '',
    payerInfo: '{"paymentMethod":"wechat_jsapi","sub_appid":"wx1234567890abcdef","sub_openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}',
    orderInfo: '{"subject":"Test order"}',
  };
  assert.equal(md5Sign(v1, key), 'cc830e2fe125c271a4d3588ad082fc8c');
  const v2 = {
    amount: '1234', resultCode: 'succeed', errorCode: '0000', version: '1.0', transactionId: 'T20240101000001',
    errorMsg: 'Approved or completed successfully', reference: '1012110141504650869', transactionType: 'pay', echoParam: '',
    signType: 'MD5', currency: 'HKD', merchantNo: '500000000007362',
  };
  assert.equal(md5Sign(v2, key), '9f2091a66bcd941ec2dfb52a2f1659a8');
  assert.equal(useepayStringToSign({ a: '中文', b: ' ', signType: 'MD5', sign: 'x' }), 'a=中文&signType=MD5');
  assert.equal(md5Sign({ a: '中文', b: ' ', signType: 'MD5' }, key), '3636f8dcddea4d010ba5d1dca9ca486d');
});

/** A merchant (RSA or MD5), a gateway stand-in for it, a notify sink, and aggpay clients. */
async function setup(signType, gatewayOptions = {}) {
  const merchantNo = '500000000007362';
  const appId = 'shop.example.com';
  const keys = {};
  if (signType === 'RSA') {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys.privateKey = privateKey.export({ type: 'pkcs8', format: 'pem' });
    keys.publicKey = publicKey.export({ type: 'spki', format: 'pem' });
  } else keys.md5Key = crypto.randomBytes(16).toString('hex');
  const bodies = [];
  const sink = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('OK');
    });
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const notifyUrl = `http://127.0.0.1:${sink.address().port}/notify`;
  const gw = await startUseePayGateway({ merchantNo, appId, signType, md5Key: keys.md5Key, merchantPublicKeyPem: keys.publicKey, ...gatewayOptions });
  const config = { merchantNo, appId, signType, gateway: gw.gateway, notifyUrl };
  if (signType === 'RSA') Object.assign(config, { privateKey: keys.privateKey, useepayPublicKey: gw.useepayPublicKeyPem });
  else config.md5Key = keys.md5Key;
  const useepay = new UseePay(config);
  return {
    merchantNo, appId, keys, gw, useepay, config, bodies, notifyUrl,
    order(transactionId, extra = {}) {
      return useepay.buildJsapiPay({ transactionId, amount: { minor: 100, currency: 'HKD' }, subAppId: 'wx0123456789abcdef', subOpenId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', subject: 'Coffee', ...extra });
    },
    async close() {
      await gw.close();
      await new Promise((r) => {
        sink.close(() => r());
        sink.closeAllConnections();
      });
      useepay.free?.();
    },
  };
}

/** Re-encodes a form body with one field changed (the signature left as it was). */
function tamper(body, name, value) {
  const params = new URLSearchParams(body);
  assert.ok(params.has(name), `the request has ${name}`);
  params.set(name, value);
  return params.toString();
}

for (const signType of ['RSA', 'MD5']) {
  describe(`UseePay gateway stand-in (${signType})`, { timeout: TIMEOUT }, () => {
    let s;
    before(async () => {
      s = await setup(signType);
    });
    after(async () => {
      await s?.close();
    });

    test('a tampered request field is refused, unsigned, and creates nothing', async () => {
      const req = s.order('TAMPER1');
      const otherPayer = '{"paymentMethod":"wechat_jsapi","sub_appid":"wx0123456789abcdef","sub_openid":"oSomebodyElse000000000000000"}';
      for (const [name, value] of [['amount', '1'], ['transactionId', 'TAMPER2'], ['payerInfo', otherPayer]]) {
        const res = await send({ ...req, body: tamper(req.body, name, value) });
        const reply = JSON.parse(res.body);
        assert.equal(reply.resultCode, 'failed', `tampered ${name}`);
        assert.equal(reply.errorCode, '1001');
        assert.equal(reply.errorMsg, 'Invalid signature');
        assert.equal(reply.sign, undefined, 'an unauthenticated request gets an unsigned reply');
        expectAggpayError(() => s.useepay.parseJsapiPay(res.body), 'ERR_PROVIDER_REJECTED', `tampered ${name}`);
      }
      assert.equal(s.gw.transaction('TAMPER1'), null);
      assert.equal(s.gw.transaction('TAMPER2'), null);
      // The untampered request goes through.
      const ok = s.useepay.parseJsapiPay((await send(req)).body);
      assert.equal(ok.resultCode, 'pending');
      assert.equal(s.gw.transaction('TAMPER1').resultCode, 'pending');
    });

    test('a tampered query and a wrong merchantNo are refused (ERR_PROVIDER_REJECTED)', async () => {
      const q = s.useepay.buildQuery({ transactionId: 'TAMPER1' });
      const res = await send({ ...q, body: tamper(q.body, 'transactionId', 'OTHER') });
      expectAggpayError(() => s.useepay.parseQuery(res.body), 'ERR_PROVIDER_REJECTED', 'tampered query');
      const stranger = new UseePay({ ...s.config, merchantNo: '500000000009999' });
      try {
        const reply = JSON.parse((await send(stranger.buildQuery({ transactionId: 'TAMPER1' }))).body);
        assert.deepEqual([reply.resultCode, reply.errorMsg, reply.sign], ['failed', 'Invalid merchantNo', undefined]);
        const err = expectAggpayError(
          () => stranger.parseQuery(JSON.stringify(reply)),
          'ERR_PROVIDER_REJECTED',
          'wrong merchantNo',
        );
        assert.equal(err.providerCode, '1001');
      } finally {
        stranger.free?.();
      }
    });

    test('replies are signed with node:crypto over the string values as sent', async () => {
      const res = await send(s.order('SIGNED1'));
      const reply = JSON.parse(res.body);
      assert.equal(typeof reply.redirectParam, 'string', 'redirectParam is a JSON-encoded string');
      for (const v of Object.values(reply)) assert.equal(typeof v, 'string');
      const text = useepayStringToSign(reply);
      assert.ok(text.includes(`redirectParam=${reply.redirectParam}`), 'redirectParam signed as its raw JSON text');
      if (signType === 'MD5') assert.equal(reply.sign, md5Sign(reply, s.keys.md5Key));
      else assert.ok(crypto.verify('sha256', Buffer.from(text), s.gw.useepayPublicKeyPem, Buffer.from(reply.sign, 'base64')));
      // …and a reply changed in transit does not verify in aggpay.
      const forged = res.body.replace('"amount":"100"', '"amount":"1"');
      assert.notEqual(forged, res.body);
      expectAggpayError(() => s.useepay.parseJsapiPay(forged), 'ERR_SIGNATURE_INVALID', 'reply with a changed amount');
    });

    test('business refusals after a good signature are signed (ERR_PROVIDER_BUSINESS)', async () => {
      // A duplicate transactionId.
      const dup = await send(s.order('SIGNED1'));
      const reply = JSON.parse(dup.body);
      assert.equal(reply.resultCode, 'failed');
      assert.ok(reply.sign, 'signed');
      const err = expectAggpayError(() => s.useepay.parseJsapiPay(dup.body), 'ERR_PROVIDER_BUSINESS', 'duplicate transactionId');
      assert.equal(err.providerCode, '1001');
      // Refunding an unpaid order, and more than was paid.
      const unpaid = (await send(s.useepay.buildRefund({ transactionId: 'RF0', originalTransactionId: 'SIGNED1', amount: { minor: 100, currency: 'HKD' } }))).body;
      expectAggpayError(() => s.useepay.parseRefund(unpaid), 'ERR_PROVIDER_BUSINESS', 'refund of an unpaid order');
      await s.gw.pay('SIGNED1');
      const over = (await send(s.useepay.buildRefund({ transactionId: 'RF1', originalTransactionId: 'SIGNED1', amount: { minor: 101, currency: 'HKD' } }))).body;
      expectAggpayError(() => s.useepay.parseRefund(over), 'ERR_PROVIDER_BUSINESS', 'refund above the paid amount');
      // An unknown transactionType: a signed failed 1001.
      const raw = JSON.parse((await send(s.useepay.buildRequest('bogus', {}))).body);
      assert.deepEqual([raw.resultCode, raw.errorCode, raw.signType], ['failed', '1001', signType]);
    });

    test('notifications: delivered twice, an unknown field signed, a tampered one refused by aggpay', async () => {
      const before = s.bodies.length;
      const res = await send(s.order('NOTE1', { echoParam: 'a=1&b=2 c' }));
      s.useepay.parseJsapiPay(res.body);
      const paid = await s.gw.pay('NOTE1', { delivery: 'twice' });
      assert.deepEqual(paid.deliveries.map((d) => [d.status, d.replyBody]), [[200, 'OK'], [200, 'OK']]);
      const [first, second] = s.bodies.slice(before);
      assert.equal(first, second, 'the same notification, twice');
      const { event, reply } = s.useepay.verifyNotify(first);
      assert.equal(event.paid, true);
      assert.equal(event.transactionId, 'NOTE1');
      assert.equal(event.fields.settlementCurrency, 'HKD');
      assert.equal(event.fields.echoParam, 'a=1&b=2 c');
      assert.deepEqual([reply.status, reply.body], [200, 'OK']);
      expectAggpayError(() => s.useepay.verifyNotify(tamper(first, 'amount', '1')), 'ERR_SIGNATURE_INVALID', 'tampered notification');
      expectAggpayError(() => s.useepay.verifyNotify(tamper(first, 'settlementCurrency', 'USD')), 'ERR_SIGNATURE_INVALID', 'tampered unknown field');
    });

    test('an expired order is closed (3300) and is not paid', async () => {
      s.useepay.parseJsapiPay((await send(s.order('EXP1'))).body);
      s.gw.expire('EXP1');
      const q = s.useepay.parseQuery((await send(s.useepay.buildQuery({ transactionId: 'EXP1' }))).body);
      assert.deepEqual([q.resultCode, q.paid, q.final], ['closed', false, true]);
      assert.equal(q.transaction.errorCode, '3300');
      await assert.rejects(s.gw.pay('EXP1'), /closed/);
    });
  });
}

test('the docs\' spelling noceStr still yields nonceStr for wx.requestPayment through aggpay', { timeout: TIMEOUT }, async () => {
  const s = await setup('RSA', { useDocsSpelling: true });
  try {
    const res = await send(s.order('NOCE1'));
    const redirect = JSON.parse(JSON.parse(res.body).redirectParam);
    assert.ok('noceStr' in redirect && !('nonceStr' in redirect), 'the stand-in sent noceStr');
    const order = s.useepay.parseJsapiPay(res.body);
    assert.equal(order.requestPayment.nonceStr, redirect.noceStr);
    assert.equal(order.requestPayment.noceStr, undefined);
    assert.equal(typeof order.requestPayment.timeStamp, 'string');
    assert.equal(s.gw.requestPayment(order.requestPayment).errMsg, 'requestPayment:ok');
    // The stand-in's WeChat check itself refuses a numeric timeStamp and a changed paySign input.
    assert.match(s.gw.requestPayment({ ...order.requestPayment, timeStamp: Number(order.requestPayment.timeStamp) }).errMsg, /fail/);
    assert.match(s.gw.requestPayment({ ...order.requestPayment, nonceStr: 'x' + order.requestPayment.nonceStr.slice(1) }).errMsg, /paySign invalid|fail/);
  } finally {
    await s.close();
  }
});

// ---------------------------------------------------------------------------------------------
// The WeChat login stand-in, through aggpay's WechatMiniProgram.

describe('WeChat jscode2session stand-in', { timeout: TIMEOUT }, () => {
  const appId = 'wx0123456789abcdef';
  const appSecret = crypto.randomBytes(16).toString('hex');
  let wx, mp;
  before(async () => {
    wx = await startWechatLogin({ appId, appSecret });
    mp = new WechatMiniProgram({ appId, appSecret, apiBase: wx.apiBase });
  });
  after(async () => {
    await wx?.close();
    mp?.free?.();
  });
  const exchange = async (code, client = mp) => client.parseCode2Session((await send(client.buildCode2Session(code))).body);

  test('success has no errcode; the same buyer keeps the openid; unionid when bound', async () => {
    const code = wx.issueCode();
    const raw = JSON.parse((await send(mp.buildCode2Session(code))).body);
    assert.equal('errcode' in raw, false);
    assert.match(raw.openid, /^o[A-Za-z0-9_-]{27}$/);
    assert.equal(Buffer.from(raw.session_key, 'base64').length, 16);
    const again = await exchange(wx.issueCode(raw.openid));
    assert.equal(again.openid, raw.openid);
    const bound = await exchange(wx.issueCode(undefined, { unionid: true }));
    assert.match(bound.unionid ?? '', /^o/);
    assert.equal(wx.requests.every((r) => r.query?.secret !== appSecret), true, 'the stand-in never records the secret');
  });

  test('each WeChat error reaches its aggpay code', async () => {
    const cases = [
      [() => wx.issueCode('RATE'), 'ERR_RATE_LIMITED', '45011'],
      [() => wx.issueCode('BUSY'), 'ERR_PROVIDER_BUSY', '-1'],
      [() => wx.issueCode('RISK'), 'ERR_USER_HIGH_RISK', '40226'],
      [() => 'not-a-code', 'ERR_LOGIN_CODE_INVALID', '40029'],
      [() => {
        const c = wx.issueCode();
        wx.expireCode(c);
        return c;
      }, 'ERR_LOGIN_CODE_INVALID', '40029'],
    ];
    for (const [makeCode, code, providerCode] of cases) {
      const body = (await send(mp.buildCode2Session(makeCode()))).body;
      const err = expectAggpayError(() => mp.parseCode2Session(body), code, `errcode ${providerCode}`);
      assert.equal(err.providerCode, providerCode);
    }
    const used = wx.issueCode();
    await exchange(used);
    const usedBody = (await send(mp.buildCode2Session(used))).body;
    assert.equal(expectAggpayError(() => mp.parseCode2Session(usedBody), 'ERR_LOGIN_CODE_USED', 'reused').providerCode, '40163');
    for (const [config, providerCode] of [[{ appId: 'wx_wrong', appSecret }, '40013'], [{ appId, appSecret: 'wrong' }, '40125']]) {
      const other = new WechatMiniProgram({ ...config, apiBase: wx.apiBase });
      try {
        const body = (await send(other.buildCode2Session(wx.issueCode()))).body;
        assert.equal(expectAggpayError(() => other.parseCode2Session(body), 'ERR_PROVIDER_REJECTED', `errcode ${providerCode}`).providerCode, providerCode);
      } finally {
        other.free?.();
      }
    }
  });

  test('encryptUserData is what decryptUserData reads; a foreign watermark is refused', async () => {
    const { sessionKey } = await exchange(wx.issueCode());
    const data = { phoneNumber: '+85291234567', purePhoneNumber: '91234567', countryCode: '852', nickName: '小明 🍵' };
    const out = mp.decryptUserData({ sessionKey, ...wx.encryptUserData(sessionKey, data) });
    assert.equal(out.phoneNumber, data.phoneNumber);
    assert.equal(out.nickName, data.nickName);
    assert.equal(out.watermark.appid, appId);
    const foreign = wx.encryptUserData(sessionKey, { ...data, watermark: { appid: 'wxffffffffffffffff', timestamp: 1 } });
    expectAggpayError(() => mp.decryptUserData({ sessionKey, ...foreign }), 'ERR_WATERMARK_MISMATCH', 'foreign watermark');
    const otherKey = crypto.randomBytes(16).toString('base64');
    expectAggpayError(() => mp.decryptUserData({ sessionKey: otherKey, ...wx.encryptUserData(sessionKey, data) }), ['ERR_DECRYPT_FAILED', 'ERR_BAD_INPUT'], 'wrong session key');
  });
});
