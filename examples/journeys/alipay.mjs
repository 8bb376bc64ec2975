// The Alipay mini-program journey, end to end against the local gateway stand-in: auth code → oauth token
// (open_id) → alipay.trade.create (JSAPI_PAY, 1 fen) → my.tradePay parameters → the buyer pays and Alipay
// notifies → the merchant verifies the notification with aggpay → query → refund → a request signed with a
// wrong key is refused. Everything the merchant server sends and checks goes through aggpay; the stand-in
// checks every signature on its side with node:crypto. One printed line per step; throws on the first failure.
//
//   node examples/journeys/alipay.mjs      (after `bash scripts/build.sh`)
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Alipay, AggpayError, send } from 'aggpay';
import { startAlipayGateway } from 'aggpay/sandbox';
import { startNotifyEndpoint } from './merchant.mjs';
import { runIfMain, runSteps } from './steps.mjs';

const STEPS = 9;

const rsaPair = () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) };
};

/** Runs the journey; returns `{ steps: [{ step, name, ok, result, ms }] }`, throws on the first failed step. */
export async function runAlipayJourney({ print = console.log } = {}) {
  const appId = `2021${String(crypto.randomInt(10 ** 11, 10 ** 12))}`;
  const app = rsaPair();
  return runSteps({ label: 'alipay', title: 'Alipay journey', total: STEPS, print }, async ({ step, closeAtEnd, freeAtEnd }) => {
    const gw = await startAlipayGateway({ appId, appPublicKeyPem: app.publicKeyPem });
    closeAtEnd(() => gw.close());
    // The merchant's notify endpoint verifies the raw bytes exactly as received and answers what aggpay says
    // (a body that does not verify gets `fail`: Alipay retries anything but `success`).
    let alipay;
    const merchant = await startNotifyEndpoint('/alipay/notify', (raw) => alipay.verifyNotify(raw), { failBody: 'fail' });
    closeAtEnd(() => merchant.close());
    alipay = new Alipay({ appId, privateKey: app.privateKeyPem, alipayPublicKey: gw.alipayPublicKeyPem, gateway: gw.url, notifyUrl: merchant.notifyUrl });
    freeAtEnd(alipay);

    const outTradeNo = `T${Date.now()}${crypto.randomInt(1000, 10000)}`;
    const passback = encodeURIComponent('table=7&store=上海'); // URL-encoded by the merchant, as Alipay asks
    let code, buyerOpenId, trade, paid;

    await step('auth code', () => {
      code = `auth-code-${crypto.randomBytes(8).toString('hex')}`; // my.getAuthCode({ scopes: 'auth_base' })
      return `code=${code}`;
    });

    await step('oauth token', async () => {
      const req = alipay.buildOauthToken({ code });
      assert.equal(req.method, 'POST');
      assert.ok(req.url.startsWith(`${gw.url}?`), `request URL ${req.url}`);
      const token = alipay.parseResponse('alipay.system.oauth.token', (await send(req)).body);
      assert.match(token.user_id, /^2088\d{12}$/, 'user_id');
      assert.match(token.open_id ?? '', /^0\w{46}$/, 'open_id');
      assert.ok(token.access_token && token.refresh_token, 'tokens');
      buyerOpenId = token.open_id;
      return `open_id=${buyerOpenId.slice(0, 12)}… user_id=${token.user_id}`;
    });

    await step('trade.create', async () => {
      const req = alipay.buildTradeCreate({
        out_trade_no: outTradeNo,
        total_amount: { minor: 1, currency: 'CNY' },
        subject: '咖啡 Coffee',
        buyer_open_id: buyerOpenId,
        product_code: 'JSAPI_PAY',
        passback_params: passback,
      });
      trade = alipay.parseResponse('alipay.trade.create', (await send(req)).body);
      assert.equal(trade.code, '10000');
      assert.equal(trade.out_trade_no, outTradeNo);
      assert.match(trade.trade_no, /^\d{28}$/, 'trade_no');
      return `trade_no=${trade.trade_no} 0.01 CNY`;
    });

    await step('my.tradePay params', () => {
      const params = alipay.tradePayParams(trade);
      assert.deepEqual(params, { tradeNO: trade.trade_no });
      return `my.tradePay(${JSON.stringify(params)})`;
    });

    await step('buyer pays, notify', async () => {
      paid = await gw.pay(trade.trade_no); // delivered now, once
      assert.equal(paid.status, 'TRADE_SUCCESS');
      const [delivery] = paid.deliveries;
      assert.equal(delivery.status, 200, `merchant replied ${delivery.status} ${delivery.replyBody}`);
      assert.equal(delivery.replyBody, 'success');
      assert.ok(delivery.accepted, 'notification accepted: Alipay stops notifying');
      return `merchant replied ${delivery.status} "${delivery.replyBody}"`;
    });

    await step('merchant verifies', () => {
      assert.equal(merchant.received.length, 1, 'one notification');
      const [{ event, reply, error }] = merchant.received;
      if (error) throw error;
      assert.equal(event.paid, true);
      assert.equal(event.tradeStatus, 'TRADE_SUCCESS');
      assert.equal(event.appId, appId);
      assert.equal(event.outTradeNo, outTradeNo);
      assert.equal(event.tradeNo, trade.trade_no);
      assert.deepEqual(event.amount, { minor: 1, currency: 'CNY' }, 'the amount to compare with the order, in fen');
      assert.equal(event.buyerOpenId, buyerOpenId);
      assert.equal(event.params.passback_params, passback, 'passback_params decoded exactly once');
      assert.deepEqual(JSON.parse(event.params.fund_bill_list), [{ amount: '0.01', fundChannel: 'ALIPAYACCOUNT' }]);
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'success');
      return `${event.tradeStatus} ${event.amount.minor} fen, passback kept; replied ${reply.status} ${reply.body}`;
    });

    await step('trade.query', async () => {
      const q = alipay.parseResponse('alipay.trade.query', (await send(alipay.buildTradeQuery({ out_trade_no: outTradeNo }))).body);
      assert.equal(q.trade_status, 'TRADE_SUCCESS');
      assert.equal(q.trade_no, trade.trade_no);
      assert.equal(q.total_amount, '0.01');
      assert.equal(q.buyer_open_id, buyerOpenId);
      return `${q.trade_status} paid ${q.buyer_pay_amount}`;
    });

    await step('trade.refund', async () => {
      const req = alipay.buildTradeRefund({ out_trade_no: outTradeNo, refund_amount: { minor: 1, currency: 'CNY' }, out_request_no: `R${outTradeNo.slice(1)}` });
      const r = alipay.parseResponse('alipay.trade.refund', (await send(req)).body);
      assert.equal(r.fund_change, 'Y');
      assert.equal(r.refund_fee, '0.01');
      return `fund_change=${r.fund_change} refund_fee=${r.refund_fee}`;
    });

    await step('wrong key refused', async () => {
      const impostor = new Alipay({ appId, privateKey: rsaPair().privateKeyPem, alipayPublicKey: gw.alipayPublicKeyPem, gateway: gw.url });
      freeAtEnd(impostor);
      const res = await send(impostor.buildTradeQuery({ out_trade_no: outTradeNo }));
      let error;
      try {
        impostor.parseResponse('alipay.trade.query', res.body);
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof AggpayError, `expected an AggpayError, got ${error}`);
      assert.equal(error.code, 'ERR_PROVIDER_REJECTED');
      assert.equal(error.provider, 'alipay');
      assert.equal(error.providerCode, '40002');
      assert.equal(error.subCode, 'isv.invalid-signature');
      return `${error.code} ${error.providerCode} ${error.subCode}`;
    });
  });
}

runIfMain(import.meta.url, () => runAlipayJourney());
