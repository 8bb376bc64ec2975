// The WeChat mini-program journey through UseePay (WeChat Pay HK), end to end against local stand-ins:
// wx.login → jscode2session → JSAPI order → wx.requestPayment → payment notification (delivered twice)
// → query → refund (+ its notification) → a reused login code is refused.
// Everything the merchant server sends and checks goes through aggpay; the stand-ins check every
// signature on their side with node:crypto. One printed line per step; throws on the first failure.
//
//   node examples/journeys/useepay.mjs [RSA|MD5]      (after `bash scripts/build.sh`)
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { AggpayError, UseePay, WechatMiniProgram, send } from 'aggpay';
import { startUseePayGateway, startWechatLogin } from 'aggpay/sandbox';
import { startNotifyEndpoint } from './merchant.mjs';
import { runIfMain, runSteps } from './steps.mjs';

const STEPS = 9;

/** Runs the journey for one UseePay signType ('RSA' or 'MD5'). Returns { steps }; throws on failure. */
export async function runUseePayJourney({ print = console.log, signType = 'RSA' } = {}) {
  if (signType !== 'RSA' && signType !== 'MD5') throw new Error(`runUseePayJourney: signType must be RSA or MD5, not ${signType}`);
  // The merchant's configuration.
  const merchantNo = '5000000' + String(crypto.randomInt(10 ** 7, 10 ** 8));
  const websiteDomain = 'shop.example.com'; // UseePay's appId: the website registered in the portal
  const wxAppId = 'wx' + crypto.randomBytes(8).toString('hex'); // the mini program
  const wxAppSecret = crypto.randomBytes(16).toString('hex');
  let keys;
  if (signType === 'RSA') {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = {
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
    };
  } else {
    keys = { md5Key: crypto.randomBytes(16).toString('hex') };
  }

  const journey = { label: `useepay ${signType}`, title: `UseePay journey (${signType})`, total: STEPS, print };
  return runSteps(journey, async ({ step, closeAtEnd, freeAtEnd }) => {
    const wx = await startWechatLogin({ appId: wxAppId, appSecret: wxAppSecret });
    closeAtEnd(() => wx.close());
    const gw = await startUseePayGateway({
      merchantNo,
      appId: websiteDomain,
      signType,
      md5Key: keys.md5Key,
      merchantPublicKeyPem: keys.publicKeyPem,
    });
    closeAtEnd(() => gw.close());

    const mp = new WechatMiniProgram({ appId: wxAppId, appSecret: wxAppSecret, apiBase: wx.apiBase });
    freeAtEnd(mp);
    // The merchant's notify endpoint comes first: the client's config carries its URL. It verifies each raw
    // body with aggpay, answers exactly what aggpay says (HTTP 200 `OK`; `FAIL` makes UseePay retry later) and
    // deduplicates on transactionType + transactionId: the same notification can arrive more than once (the
    // merchant's own idempotency, not aggpay's).
    let useepay;
    const handled = new Set();
    const merchant = await startNotifyEndpoint(
      '/useepay/notify',
      (raw) => {
        const { event, reply } = useepay.verifyNotify(raw.toString('utf8'));
        const key = `${event.transactionType}:${event.transactionId}`;
        const duplicate = handled.has(key);
        if (!duplicate) handled.add(key); // a real merchant persists the state change here, once
        return { event, duplicate, reply };
      },
      { failBody: 'FAIL' },
    );
    closeAtEnd(() => merchant.close());
    const config = { merchantNo, appId: websiteDomain, signType, gateway: gw.gateway, notifyUrl: merchant.notifyUrl };
    if (signType === 'RSA') Object.assign(config, { privateKey: keys.privateKeyPem, useepayPublicKey: gw.useepayPublicKeyPem });
    else config.md5Key = keys.md5Key;
    useepay = new UseePay(config);
    freeAtEnd(useepay);

    const amount = { minor: 100, currency: 'HKD' }; // HKD 1.00
    const transactionId = `T${Date.now()}${crypto.randomInt(1000, 10000)}`;
    const refundId = `R${transactionId.slice(1)}`;
    const echoParam = 'table=7&store=TST';
    let jsCode, session, order, params;

    await step('wx.login', () => {
      jsCode = wx.issueCode();
      assert.match(jsCode, /^\S{16,}$/, 'js_code');
      return `js_code ${jsCode.slice(0, 8)}…`;
    });

    await step('jscode2session', async () => {
      const req = mp.buildCode2Session(jsCode);
      assert.equal(req.method, 'GET');
      assert.ok(req.url.startsWith(`${wx.apiBase}/sns/jscode2session?`), `request URL ${req.url}`);
      session = mp.parseCode2Session((await send(req)).body);
      assert.match(session.openid, /^o[A-Za-z0-9_-]{27}$/, 'openid');
      assert.equal(Buffer.from(session.sessionKey, 'base64').length, 16, 'session key: 16 bytes in base64');
      return `openid ${session.openid} (session key kept on the server)`;
    });

    await step('JSAPI order HKD 1.00', async () => {
      const req = useepay.buildJsapiPay({
        transactionId,
        amount,
        subAppId: wxAppId,
        subOpenId: session.openid,
        subject: '咖啡 Coffee',
        echoParam,
      });
      assert.equal(req.method, 'POST');
      assert.equal(req.url, `${gw.gateway}/api`);
      const res = await send(req);
      assert.equal(res.status, 200, `gateway HTTP status (body ${res.body})`);
      order = useepay.parseJsapiPay(res.body);
      assert.equal(order.resultCode, 'pending');
      assert.equal(order.errorCode, '0000');
      assert.equal(order.paid, false, 'a new order is not paid');
      assert.equal(order.final, false);
      assert.equal(order.transactionId, transactionId);
      assert.match(order.reference ?? '', /^\d{19}$/, 'reference');
      assert.equal(Number(order.amount?.minor), 100);
      assert.equal(order.amount?.currency, 'HKD');
      // The stand-in saw exactly the JSAPI fields it requires.
      const sent = gw.requests.at(-1).fields;
      assert.deepEqual(JSON.parse(sent.payerInfo), { paymentMethod: 'wechat_jsapi', sub_appid: wxAppId, sub_openid: session.openid });
      assert.equal(sent.amount, '100');
      assert.equal(sent.notifyUrl, merchant.notifyUrl);
      return `${order.resultCode}, reference ${order.reference} (request and reply ${signType}-signed)`;
    });

    await step('wx.requestPayment', () => {
      params = order.requestPayment;
      assert.deepEqual(Object.keys(params).sort(), ['nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
      assert.equal(typeof params.timeStamp, 'string', 'timeStamp must be a string for wx.requestPayment');
      assert.match(params.timeStamp, /^\d{10}$/);
      assert.match(params.package, /^prepay_id=wx/);
      assert.equal(params.signType, 'RSA');
      const check = gw.requestPayment(params); // what the WeChat client checks, incl. paySign
      assert.equal(check.errMsg, 'requestPayment:ok', check.errMsg);
      return `{ timeStamp: '${params.timeStamp}', package: '${params.package.slice(0, 22)}…', signType: 'RSA', paySign } → ${check.errMsg}`;
    });

    let paid;
    await step('pay, notify twice', async () => {
      paid = await gw.pay(transactionId, { delivery: 'twice' }); // UseePay may deliver the same notification again
      assert.equal(paid.deliveries.length, 2);
      for (const d of paid.deliveries) assert.equal(d.status, 200, `delivery answered ${d.status} ${d.replyBody ?? d.error}`);
      return `2 deliveries → HTTP ${paid.deliveries.map((d) => d.status).join(', ')}`;
    });

    await step('merchant verifies', () => {
      const mine = merchant.received.filter((r) => r.error || (r.event.transactionType === 'pay' && r.event.transactionId === transactionId));
      const failed = mine.find((r) => r.error);
      if (failed) throw failed.error;
      assert.equal(mine.length, 2, 'two deliveries received');
      for (const { event, reply } of mine) {
        assert.equal(event.paid, true);
        assert.equal(event.final, true);
        assert.equal(event.resultCode, 'succeed');
        assert.equal(event.reference, order.reference);
        assert.equal(Number(event.amount?.minor), 100, 'amount matches the order');
        assert.equal(event.amount?.currency, 'HKD');
        assert.equal(event.fields.merchantNo, merchantNo);
        assert.equal(event.fields.echoParam, echoParam, 'echoParam (with & and =) echoed back and decoded once');
        assert.equal(event.fields.settlementCurrency, 'HKD', 'a field unknown to the client is kept (and was signed)');
        assert.equal(reply.status, 200);
        assert.equal(reply.body, 'OK');
      }
      assert.deepEqual(mine.map((r) => r.duplicate), [false, true], 'the second delivery is a duplicate');
      assert.deepEqual(paid.deliveries.map((d) => d.replyBody), ['OK', 'OK']);
      return `paid, HKD ${(Number(mine[0].event.amount.minor) / 100).toFixed(2)}; 2nd delivery recognized as duplicate; replied ${mine[0].reply.status} ${mine[0].reply.body}`;
    });

    await step('query', async () => {
      const q = useepay.parseQuery((await send(useepay.buildQuery({ transactionId }))).body);
      assert.equal(q.paid, true);
      assert.equal(q.final, true);
      assert.equal(q.resultCode, 'succeed');
      assert.equal(q.reference, order.reference);
      assert.equal(Number(q.amount?.minor), 100);
      assert.equal(q.transaction?.transactionId, transactionId);
      const byRef = useepay.parseQuery((await send(useepay.buildQuery({ reference: order.reference }))).body);
      assert.equal(byRef.paid, true, 'query by reference');
      return `resultCode ${q.resultCode}, paid ${q.paid} (by transactionId and by reference)`;
    });

    await step('refund + notification', async () => {
      const r = useepay.parseRefund((await send(useepay.buildRefund({ transactionId: refundId, originalTransactionId: transactionId, amount }))).body);
      assert.equal(r.resultCode, 'pending', 'refund accepted');
      assert.equal(r.errorCode, '0000');
      assert.equal(r.paid, false);
      assert.equal(r.final, false);
      const { event, reply, duplicate } = await merchant.waitFor(
        (e) => e.error || (e.event.transactionType === 'refund' && e.event.transactionId === refundId),
        'refund notification',
      );
      if (!event) throw merchant.received.find((e) => e.error).error;
      assert.equal(event.resultCode, 'succeed');
      assert.equal(event.originalTransactionId, transactionId);
      assert.equal(Number(event.amount?.minor), 100);
      assert.equal(duplicate, false);
      assert.equal(reply.status, 200);
      await gw.idle();
      const delivery = gw.deliveries.find((d) => d.kind === 'refund' && d.id === refundId);
      assert.equal(delivery?.status, 200);
      return `refund ${r.resultCode} (reference ${r.reference}); notification ${event.transactionType}/${event.resultCode}, replied ${reply.status} ${reply.body}`;
    });

    await step('reused login code', async () => {
      const res = await send(mp.buildCode2Session(jsCode));
      let error;
      try {
        mp.parseCode2Session(res.body);
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof AggpayError, `expected an AggpayError, got ${error}`);
      assert.equal(error.code, 'ERR_LOGIN_CODE_USED');
      assert.equal(error.providerCode, '40163');
      return `${error.code} (WeChat errcode ${error.providerCode})`;
    });
  });
}

runIfMain(import.meta.url, () => runUseePayJourney({ signType: (process.argv[2] ?? 'RSA').toUpperCase() }));
