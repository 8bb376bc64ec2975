// The WeChat mini-program journey through WeChat Pay APIv3 (direct merchant), end to end against local
// stand-ins: wx.login → jscode2session → platform certificates → JSAPI prepay → wx.requestPayment →
// encrypted notification (a probe delivery refused, then two good ones: verified, decrypted, deduplicated)
// → WeChat Pay switches to its public key → query → refund → refund notification.
// Everything the merchant server sends and checks goes through aggpay; the stand-ins check every
// signature on their side with node:crypto. One printed line per step; throws on the first failure.
//
//   node examples/journeys/wechatpay.mjs      (after `bash scripts/build.sh`)
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { WechatMiniProgram, WechatPay, send } from 'aggpay';
import { startWechatLogin, startWechatPayGateway } from 'aggpay/sandbox';
import { startNotifyEndpoint } from './merchant.mjs';
import { runIfMain, runSteps } from './steps.mjs';

const STEPS = 10;

/** Runs the journey. Returns { steps }; throws on failure. */
export async function runWechatPayJourney({ print = console.log } = {}) {
  // The merchant's configuration: its API key pair and certificate serial, the APIv3 key, the mini program.
  const mchid = '19' + String(crypto.randomInt(10 ** 7, 10 ** 8));
  const merchantSerialNo = crypto.randomBytes(20).toString('hex').toUpperCase();
  const apiV3Key = crypto.randomBytes(16).toString('hex'); // 32 characters
  const appId = 'wx' + crypto.randomBytes(8).toString('hex');
  const appSecret = crypto.randomBytes(16).toString('hex');
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

  const journey = { label: 'wechat', title: 'WeChat Pay journey', total: STEPS, print };
  return runSteps(journey, async ({ step, closeAtEnd, freeAtEnd }) => {
    const login = await startWechatLogin({ appId, appSecret });
    closeAtEnd(() => login.close());
    // Notifications are delivered twice (as WeChat Pay may), on WeChat's retry schedule compressed 1000 times.
    const delivery = { delivery: 'twice', timeScale: 1 / 1000 };
    const wx = await startWechatPayGateway({ mchid, appId, apiV3Key, merchantSerialNo, merchantPublicKey: publicKey, delivery });
    closeAtEnd(() => wx.close());
    const mp = new WechatMiniProgram({ appId, appSecret, apiBase: login.apiBase });
    freeAtEnd(mp);

    // The merchant's notify endpoint verifies each raw body with its headers, answers exactly what aggpay
    // says (204; a refusal makes WeChat Pay deliver again) and deduplicates on the notification's id plus
    // its kind: WeChat Pay delivers the same notification more than once (the merchant's own idempotency).
    let wechatpay;
    const handled = new Set();
    const merchant = await startNotifyEndpoint(
      '/wechatpay/notify',
      (body, headers) => {
        const { event, reply } = wechatpay.verifyNotify({ headers, body });
        const key = `${event.notifyType}:${event.outTradeNo}:${event.refund?.outRefundNo ?? ''}`;
        const duplicate = handled.has(key);
        if (!duplicate) handled.add(key); // a real merchant persists the state change here, once
        return { event, duplicate, reply };
      },
      { failReply: (error) => WechatPay.failureReply(error) },
    );
    closeAtEnd(() => merchant.close());
    // The merchant platform shows the WeChat Pay public key and its id; the platform certificate is downloaded.
    wechatpay = new WechatPay({
      mchid,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      merchantSerialNo,
      apiV3Key,
      wechatpayPublicKey: wx.publicKeyPem,
      wechatpayPublicKeyId: wx.publicKeyId,
      appId,
      notifyUrl: merchant.notifyUrl,
      baseUrl: wx.apiBase,
    });
    freeAtEnd(wechatpay);

    const outTradeNo = `T${Date.now()}${crypto.randomInt(1000, 10000)}`;
    const outRefundNo = `R${outTradeNo.slice(1)}`;
    const amount = { minor: 1999, currency: 'CNY' }; // ¥19.99
    let jsCode, session, prepayId, delivered;

    await step('wx.login', () => {
      jsCode = login.issueCode();
      return `js_code ${jsCode.slice(0, 8)}…`;
    });

    await step('jscode2session', async () => {
      session = mp.parseCode2Session((await send(mp.buildCode2Session(jsCode))).body);
      assert.match(session.openid, /^o[A-Za-z0-9_-]{27}$/, 'openid');
      return `openid ${session.openid}`;
    });

    await step('platform certificates', async () => {
      const res = await send(wechatpay.buildCertificatesRequest());
      // The reply is verified with the certificate it brings, whose serial signed it.
      const certificates = wechatpay.verifyCertificates(res);
      assert.deepEqual(certificates.map((c) => c.serialNo), [wx.platformSerial]);
      assert.deepEqual(wechatpay.addPlatformCertificates(certificates), [wx.platformSerial]);
      assert.ok(wechatpay.wechatpaySerials.includes(wx.platformSerial) && wechatpay.wechatpaySerials.includes(wx.publicKeyId));
      return `serial ${wx.platformSerial.slice(0, 8)}… decrypted, checked, added beside ${wx.publicKeyId.slice(0, 18)}…`;
    });

    await step('JSAPI prepay ¥19.99', async () => {
      const req = wechatpay.buildJsapiPrepay({ description: '咖啡 Coffee ☕', out_trade_no: outTradeNo, amount, payer: { openid: session.openid }, attach: 'table=7&store=TST' });
      assert.equal(req.url, `${wx.apiBase}/v3/pay/transactions/jsapi`);
      assert.equal(JSON.parse(req.body).amount.total, 1999, 'integer fen on the wire');
      const res = await send(req);
      assert.equal(res.status, 200, `WeChat Pay answered ${res.status} ${res.body}`);
      ({ prepay_id: prepayId } = wechatpay.verifyResponse(res));
      assert.match(prepayId, /^wx\d{14}/);
      return `prepay_id ${prepayId.slice(0, 18)}… (request signed, reply verified with ${res.headers['wechatpay-serial'].slice(0, 8)}…)`;
    });

    await step('wx.requestPayment', () => {
      const params = wechatpay.requestPaymentParams({ prepayId });
      assert.equal(params.appId, appId);
      assert.match(params.timeStamp, /^\d{10}$/, 'timeStamp: a string of seconds');
      assert.equal(params.package, `prepay_id=${prepayId}`);
      assert.equal(params.signType, 'RSA');
      const check = wx.requestPayment(params); // what the WeChat client checks, paySign included
      assert.equal(check.errMsg, 'requestPayment:ok', check.errMsg);
      return `{ timeStamp: '${params.timeStamp}', package, signType: 'RSA', paySign } → ${check.errMsg}`;
    });

    await step('pay + notifications', async () => {
      wx.probeNext(); // the first delivery carries a WECHATPAY/SIGNTEST/ probe signature
      ({ deliveries: delivered } = await wx.pay(outTradeNo, { retry: true })); // twice, each retried until 200/204
      const statuses = delivered.map((d) => d.status);
      assert.deepEqual(statuses, [401, 204, 204], `deliveries answered ${statuses}`);
      assert.ok(delivered[0].probe, 'the refused delivery was the probe');
      return `probe → 401 (WeChat Pay delivers again), then 2 deliveries → 204, 204`;
    });

    await step('merchant verifies', () => {
      const [probe, ...good] = merchant.received;
      assert.equal(probe.error?.code, 'ERR_SIGNATURE_PROBE', `the probe: ${probe.error?.code}`);
      assert.equal(good.length, 2);
      for (const { event, reply } of good) {
        assert.equal(event.paid, true);
        assert.equal(event.tradeStatus, 'SUCCESS');
        assert.deepEqual(event.amount, amount, 'amount matches the order');
        assert.equal(event.outTradeNo, outTradeNo);
        assert.equal(event.appId, appId);
        assert.equal(event.mchid, mchid);
        assert.equal(event.openid, session.openid);
        assert.equal(JSON.parse(event.plaintext).attach, 'table=7&store=TST', 'attach echoed back in the decrypted resource');
        assert.deepEqual(reply, { status: 204, headers: {}, body: null });
      }
      assert.deepEqual(good.map((r) => r.duplicate), [false, true], 'the second delivery is a duplicate');
      return `paid ¥${(good[0].event.amount.minor / 100).toFixed(2)}, transaction ${good[0].event.tradeNo}; probe refused, duplicate recognized`;
    });

    await step('switch to public key', async () => {
      wx.rotateToPublicKey(); // WeChat Pay's migration: it now signs with PUB_KEY_ID_… where the request names it
      const res = await send(wechatpay.buildQuery({ outTradeNo }));
      assert.equal(res.headers['wechatpay-serial'], wx.publicKeyId, 'the reply is signed with the public key');
      const order = wechatpay.verifyResponse(res);
      assert.equal(order.trade_state, 'SUCCESS');
      assert.equal(order.amount.total, 1999);
      return `query signed by ${wx.publicKeyId.slice(0, 18)}… verified: ${order.trade_state}`;
    });

    let seen; // entries the merchant had received before the refund
    await step('refund', async () => {
      seen = merchant.received.length;
      const req = wechatpay.buildRefund({ out_trade_no: outTradeNo, out_refund_no: outRefundNo, reason: '顾客取消', amount: { refund: amount, total: amount } });
      const refund = wechatpay.verifyResponse(await send(req));
      assert.equal(refund.out_refund_no, outRefundNo);
      assert.ok(['PROCESSING', 'SUCCESS'].includes(refund.status), refund.status);
      return `${refund.status}, refund_id ${refund.refund_id}`;
    });

    await step('refund notification', async () => {
      const entry = await merchant.waitFor((e, i) => i >= seen && (e.error || e.event.notifyType === 'REFUND.SUCCESS'), 'refund notification');
      if (entry.error) throw entry.error;
      const { event, reply } = entry;
      assert.equal(event.refund?.refundStatus, 'SUCCESS');
      assert.equal(event.refund?.final, true);
      assert.deepEqual(event.refund?.refunded, amount);
      assert.equal(event.refund?.outRefundNo, outRefundNo);
      assert.equal(reply.status, 204);
      await wx.idle();
      const deliveries = wx.deliveries.filter((d) => d.event === 'REFUND.SUCCESS');
      assert.deepEqual(deliveries.map((d) => d.status), [204, 204]);
      return `REFUND.SUCCESS ¥${(event.refund.refunded.minor / 100).toFixed(2)}, signed by the public key, replied 204`;
    });
  });
}

runIfMain(import.meta.url, () => runWechatPayJourney());
