// The one order and event model (README "One order, one event"): `Checkout` over Alipay, WeChat Pay
// and UseePay. Every provider message here is signed with node:crypto standing in for the provider,
// every signature aggpay makes is checked with node:crypto, and every expected event is written out
// from the providers' documented field meanings — never taken from the code under test.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { AggpayError, Alipay, Checkout, UseePay, WechatPay } from 'aggpay';
import { assertRequestSigned, keyPairs, nodeSign as alipaySign, notifyContent, signedResponse } from './alipay-helpers.mjs';
import { expectAggpayError, makeRng } from './helpers.mjs';
import {
  FAILURE_BODY, alnum, apiV3Key, nodeVerify, notification, parseAuthorization, paymentMessage, publicKeyId, refund as wechatRefund,
  requestMessage, rsaPair, serialHex, signedHeaders, transaction,
} from './wechatpay-helpers.mjs';

const ENGINES = ['wasm', 'node'];
const rng = makeRng('checkout');

// --- Alipay ---------------------------------------------------------------------------------------
const ALIPAY_APP = '2021000122671080';
const ALIPAY_NOTIFY = 'https://shop.example.com/notify/alipay';
const alipayKeys = keyPairs();
const makeAlipay = (engine) => new Alipay({
  appId: ALIPAY_APP, privateKey: alipayKeys.app.pkcs8Pem, alipayPublicKey: alipayKeys.alipay.spkiPem, notifyUrl: ALIPAY_NOTIFY, engine,
});
/** A notification form body signed (payment rule) by the Alipay key, as Alipay posts it. */
function alipayNotification(fields) {
  const pairs = Object.entries({ notify_time: '2026-12-01 10:00:00', notify_type: 'trade_status_sync', notify_id: `n${alnum(rng, 20)}`, app_id: ALIPAY_APP, charset: 'utf-8', version: '1.0', sign_type: 'RSA2', ...fields });
  const sign = alipaySign(notifyContent(pairs, 'payment'), alipayKeys.alipay.privateKey);
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams([...pairs, ['sign', sign]]).toString(), notifyId: pairs.find(([k]) => k === 'notify_id')[1] };
}
/** `send()`'s shape of a signed Alipay response for `method` with `node`. */
const alipayReply = (method, node) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: signedResponse(method, JSON.stringify(node), alipayKeys.alipay.privateKey) });

// --- WeChat Pay -----------------------------------------------------------------------------------
const MCHID = '1900009191';
const MINI_APP = `wx${alnum(rng, 16)}`;
const OFFICIAL_APP = `wx${alnum(rng, 16)}`;
const API_V3_KEY = apiV3Key(rng);
const MERCHANT_SERIAL = serialHex();
const PUB_ID = publicKeyId(rng);
const merchant = rsaPair();
const wechatKey = rsaPair();
const WECHAT_NOTIFY = 'https://shop.example.com/notify/wechatpay';
const makeWechatPay = (engine) => new WechatPay({
  mchid: MCHID, appId: MINI_APP, notifyUrl: WECHAT_NOTIFY, merchantSerialNo: MERCHANT_SERIAL, privateKey: merchant.pkcs8Pem, apiV3Key: API_V3_KEY,
  wechatpayPublicKey: wechatKey.spkiPem, wechatpayPublicKeyId: PUB_ID, engine,
});
const NOW_S = 1_800_000_000;
const NOW = { now: NOW_S * 1000 };
/** `send()`'s shape of a reply signed with the WeChat Pay public key. */
const wechatReply = (json, status = 200) => {
  const body = JSON.stringify(json);
  return { status, headers: signedHeaders(wechatKey.privateKey, PUB_ID, NOW_S, alnum(rng, 32), body), body };
};

// --- UseePay (MD5) --------------------------------------------------------------------------------
const MERCHANT_NO = '500000000007362';
const MD5_KEY = 'checkout-md5-key';
const USEEPAY_NOTIFY = 'https://shop.example.com/notify/useepay';
const makeUseePay = () => new UseePay({ merchantNo: MERCHANT_NO, appId: 'shop.example.com', signType: 'MD5', md5Key: MD5_KEY, notifyUrl: USEEPAY_NOTIFY });
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]));
const useepayContent = (fields) => Object.entries(fields).filter(([k, v]) => k !== 'sign' && v !== '').sort(byteOrder).map(([k, v]) => `${k}=${v}`).join('&');
const useepaySign = (fields) => crypto.createHash('md5').update(`${useepayContent(fields)}&pkey=${MD5_KEY}`, 'utf8').digest('hex');
const useepaySigned = (fields) => ({ ...fields, sign: useepaySign(fields) });
const useepayForm = (fields) => ({ headers: {}, body: new URLSearchParams(useepaySigned(fields)).toString() });
const useepayReply = (fields) => ({ status: 200, headers: {}, body: JSON.stringify(useepaySigned(fields)) });

const money = (minor, currency = 'CNY') => ({ minor, currency });
const event = (fields) => ({
  outTradeNo: null, tradeNo: null, outRefundNo: null, refundId: null, amount: null, refundedTotal: null, time: null, notifyId: null, providerStatus: null,
  ...fields,
});
const withoutRaw = ({ raw, ...rest }) => rest;

const alipayOrder = (client = 'mini-program') => ({
  outTradeNo: `A${alnum(rng, 12)}`, amount: money(1234), subject: 'Table 7', buyer: { wallet: 'alipay', userId: '2088102177846880' }, client,
});
const wechatOrder = (client = 'mini-program', appId = MINI_APP, currency = 'CNY') => ({
  outTradeNo: `W${alnum(rng, 12)}`, amount: money(1234, currency), subject: 'Table 7', buyer: { wallet: 'wechat', openid: `o${alnum(rng, 27)}`, appId }, client,
});

describe('Checkout: Alipay', () => {
  for (const engine of ENGINES) {
    const alipay = makeAlipay(engine);
    const checkout = new Checkout({ alipay });

    it(`[${engine}] an order becomes alipay.trade.create, signed as node:crypto signs it`, () => {
      const order = alipayOrder();
      const { params } = assertRequestSigned(checkout.buildOrder(order), alipayKeys.app.privateKey, 'RSA2', 'trade.create');
      assert.equal(params.get('method'), 'alipay.trade.create');
      assert.equal(params.get('notify_url'), ALIPAY_NOTIFY);
      assert.deepEqual(JSON.parse(params.get('biz_content')), {
        out_trade_no: order.outTradeNo, total_amount: '12.34', subject: 'Table 7', product_code: 'JSAPI_PAY', buyer_id: '2088102177846880',
      });
      const openIdOrder = { ...order, buyer: { wallet: 'alipay', openId: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5' }, notifyUrl: 'https://other.example.com/n' };
      const other = assertRequestSigned(checkout.buildOrder(openIdOrder), alipayKeys.app.privateKey, 'RSA2', 'openId');
      assert.equal(JSON.parse(other.params.get('biz_content')).buyer_open_id, openIdOrder.buyer.openId);
      assert.equal(other.params.get('notify_url'), 'https://other.example.com/n');
    });

    it(`[${engine}] the verified trade.create reply launches my.tradePay or AlipayJSBridge`, async () => {
      for (const [client, api] of [['mini-program', 'my.tradePay'], ['h5', 'AlipayJSBridge.tradePay']]) {
        const order = alipayOrder(client);
        const reply = alipayReply('alipay.trade.create', { code: '10000', msg: 'Success', out_trade_no: order.outTradeNo, trade_no: '2026120122001446881' });
        const expected = { wallet: 'alipay', provider: 'alipay', outTradeNo: order.outTradeNo, tradeNo: '2026120122001446881', launch: { api, params: { tradeNO: '2026120122001446881' } } };
        assert.deepEqual(checkout.parseOrder(order, reply), expected);
        assert.deepEqual(await checkout.parseOrderAsync(order, reply), expected);
        assert.deepEqual(checkout.parseOrder(order, reply.body), expected, 'the raw body is taken too');
        const tampered = { ...reply, body: reply.body.replace('2026120122001446881', '2026120122001446882') };
        expectAggpayError(() => checkout.parseOrder(order, tampered), 'ERR_SIGNATURE_INVALID', 'tampered');
        const another = alipayReply('alipay.trade.create', { code: '10000', msg: 'Success', out_trade_no: 'SOMEONE-ELSE', trade_no: '1' });
        expectAggpayError(() => checkout.parseOrder(order, another), 'ERR_RESPONSE_MALFORMED', 'another order');
      }
    });

    it(`[${engine}] every notification becomes the one event; the reply is exactly success`, async () => {
      const cases = [
        [{ trade_status: 'WAIT_BUYER_PAY', total_amount: '12.34', gmt_create: '2026-12-01 09:59:00' }, { kind: 'payment', status: 'pending', final: false, amount: money(1234), time: '2026-12-01T09:59:00+08:00', providerStatus: 'WAIT_BUYER_PAY' }],
        [{ trade_status: 'TRADE_SUCCESS', total_amount: '12.34', gmt_payment: '2026-12-01 10:00:01' }, { kind: 'payment', status: 'paid', final: false, amount: money(1234), time: '2026-12-01T10:00:01+08:00', providerStatus: 'TRADE_SUCCESS' }],
        [{ trade_status: 'TRADE_FINISHED', total_amount: '12.34', gmt_payment: '2026-12-01 10:00:01' }, { kind: 'payment', status: 'paid', final: true, amount: money(1234), time: '2026-12-01T10:00:01+08:00', providerStatus: 'TRADE_FINISHED' }],
        [{ trade_status: 'TRADE_CLOSED', total_amount: '12.34', gmt_close: '2026-12-01 10:30:00' }, { kind: 'payment', status: 'closed', final: true, amount: money(1234), time: '2026-12-01T10:30:00+08:00', providerStatus: 'TRADE_CLOSED' }],
        [{ trade_status: 'TRADE_SUCCESS', total_amount: '12.34', refund_fee: '2.00', gmt_refund: '2026-12-01 11:00:00.125', out_biz_no: 'R1' }, { kind: 'refund', status: 'refunded', final: true, outRefundNo: 'R1', refundedTotal: money(200), time: '2026-12-01T11:00:00.125+08:00', providerStatus: 'TRADE_SUCCESS' }],
        [{ trade_status: 'TRADE_CLOSED', total_amount: '12.34', refund_fee: '12.34', gmt_refund: '2026-12-01 11:05:00', out_biz_no: 'R2' }, { kind: 'refund', status: 'refunded', final: true, outRefundNo: 'R2', refundedTotal: money(1234), time: '2026-12-01T11:05:00+08:00', providerStatus: 'TRADE_CLOSED' }],
      ];
      for (const [fields, expected] of cases) {
        const n = alipayNotification({ out_trade_no: 'T1', trade_no: '2026120122001446881', ...fields });
        for (const result of [checkout.verifyEvent('alipay', n), await checkout.verifyEventAsync('alipay', n)]) {
          assert.deepEqual(withoutRaw(result.event), event({ provider: 'alipay', outTradeNo: 'T1', tradeNo: '2026120122001446881', notifyId: n.notifyId, ...expected }), JSON.stringify(fields));
          assert.equal(result.event.raw.params.trade_status, fields.trade_status, 'raw: the provider event');
          assert.deepEqual(result.reply, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'success' });
        }
      }
      const forged = alipayNotification({ out_trade_no: 'T1', trade_status: 'TRADE_SUCCESS', total_amount: '12.34' });
      forged.body = forged.body.replace('12.34', '0.01');
      const error = expectAggpayError(() => checkout.verifyEvent('alipay', forged), 'ERR_SIGNATURE_INVALID', 'forged');
      assert.deepEqual(checkout.failureReply('alipay', error), { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'fail' });
    });

    it(`[${engine}] queries and refunds map to the same statuses`, () => {
      const query = { wallet: 'alipay', outTradeNo: 'T1' };
      const built = assertRequestSigned(checkout.buildQuery(query), alipayKeys.app.privateKey, 'RSA2', 'query');
      assert.deepEqual([built.params.get('method'), JSON.parse(built.params.get('biz_content'))], ['alipay.trade.query', { out_trade_no: 'T1' }]);
      const node = { code: '10000', msg: 'Success', out_trade_no: 'T1', trade_no: '2026', trade_status: 'TRADE_SUCCESS', total_amount: '12.34', send_pay_date: '2026-12-01 10:00:01' };
      assert.deepEqual(checkout.parseQuery(query, alipayReply('alipay.trade.query', node)), event({
        provider: 'alipay', kind: 'payment', status: 'paid', final: false, outTradeNo: 'T1', tradeNo: '2026', amount: money(1234), time: '2026-12-01T10:00:01+08:00', providerStatus: 'TRADE_SUCCESS', raw: node,
      }));
      // A closed trade that was paid once is a refunded one; one never paid is closed.
      const closed = (extra) => checkout.parseQuery(query, alipayReply('alipay.trade.query', { ...node, trade_status: 'TRADE_CLOSED', send_pay_date: undefined, ...extra }));
      assert.deepEqual([closed({}).status, closed({ send_pay_date: '2026-12-01 10:00:01' }).status], ['closed', 'refunded']);
      assert.equal(checkout.parseQuery(query, alipayReply('alipay.trade.query', { ...node, trade_status: 'WAIT_BUYER_PAY', send_pay_date: undefined })).status, 'pending');

      const refund = { wallet: 'alipay', outTradeNo: 'T1', outRefundNo: 'R1', amount: money(200), total: money(1234), reason: '少一份' };
      const refundRequest = assertRequestSigned(checkout.buildRefund(refund), alipayKeys.app.privateKey, 'RSA2', 'refund');
      assert.deepEqual(JSON.parse(refundRequest.params.get('biz_content')), { out_trade_no: 'T1', refund_amount: '2.00', out_request_no: 'R1', refund_reason: '少一份' });
      const refunded = { code: '10000', msg: 'Success', out_trade_no: 'T1', trade_no: '2026', fund_change: 'Y', refund_fee: '2.00', gmt_refund_pay: '2026-12-01 11:00:00' };
      assert.deepEqual(checkout.parseRefund(refund, alipayReply('alipay.trade.refund', refunded)), event({
        provider: 'alipay', kind: 'refund', status: 'refunded', final: true, outTradeNo: 'T1', tradeNo: '2026', outRefundNo: 'R1', refundedTotal: money(200), time: '2026-12-01T11:00:00+08:00', raw: refunded,
      }));
      expectAggpayError(() => checkout.buildRefund({ ...refund, amount: money(2000) }), 'ERR_BAD_INPUT', 'more than the total');
      expectAggpayError(() => checkout.buildOrder({ ...alipayOrder(), amount: money(100, 'HKD') }), 'ERR_BAD_INPUT', 'Alipay takes CNY');
    });
  }
});

describe('Checkout: WeChat Pay (direct)', () => {
  for (const engine of ENGINES) {
    const wechatpay = makeWechatPay(engine);
    const checkout = new Checkout({ wechat: wechatpay });

    it(`[${engine}] an order becomes the JSAPI prepay for the buyer's app, signed as node:crypto signs it`, () => {
      const order = wechatOrder('h5', OFFICIAL_APP);
      const request = checkout.buildOrder(order, { now: NOW.now, nonce: 'n1' });
      assert.equal(request.url, 'https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi');
      const a = parseAuthorization(request.headers.authorization);
      assert.ok(nodeVerify(merchant.publicKey, requestMessage('POST', '/v3/pay/transactions/jsapi', String(NOW_S), 'n1', request.body), a.signature), 'node:crypto verifies the Authorization');
      assert.deepEqual(JSON.parse(request.body), {
        appid: OFFICIAL_APP, mchid: MCHID, description: 'Table 7', out_trade_no: order.outTradeNo, amount: { total: 1234, currency: 'CNY' },
        payer: { openid: order.buyer.openid }, notify_url: WECHAT_NOTIFY,
      });
    });

    it(`[${engine}] the verified prepay reply becomes wx.requestPayment / WeixinJSBridge parameters signed with the merchant key (two engine steps)`, async () => {
      for (const [client, appId, api] of [['mini-program', MINI_APP, 'wx.requestPayment'], ['h5', OFFICIAL_APP, 'WeixinJSBridge.getBrandWCPayRequest']]) {
        const order = wechatOrder(client, appId);
        const reply = wechatReply({ prepay_id: 'wx201410272009395522657a690389285100' });
        for (const result of [checkout.parseOrder(order, reply, { ...NOW, nonce: 'pay1' }), await checkout.parseOrderAsync(order, reply, { ...NOW, nonce: 'pay1' })]) {
          const { params, ...rest } = result.launch;
          assert.deepEqual({ ...result, launch: rest }, { wallet: 'wechat', provider: 'wechatpay', outTradeNo: order.outTradeNo, tradeNo: null, launch: { api } });
          const expectedParams = { timeStamp: String(NOW_S), nonceStr: 'pay1', package: 'prepay_id=wx201410272009395522657a690389285100', signType: 'RSA' };
          assert.deepEqual({ ...params, paySign: undefined }, { ...(client === 'h5' ? { appId } : {}), ...expectedParams, paySign: undefined });
          assert.ok(nodeVerify(merchant.publicKey, paymentMessage([appId, String(NOW_S), 'pay1', expectedParams.package]), params.paySign), `${client}: node:crypto verifies paySign for ${appId}`);
        }
        const forged = { ...reply, body: reply.body.replace('5100', '5101') };
        expectAggpayError(() => checkout.parseOrder(order, forged, NOW), 'ERR_SIGNATURE_INVALID', 'forged prepay reply');
        await assert.rejects(checkout.parseOrderAsync(order, forged, NOW), (e) => e instanceof AggpayError && e.code === 'ERR_SIGNATURE_INVALID');
      }
    });

    it(`[${engine}] payment and refund notifications become the one event; the reply is 204`, async () => {
      const cases = [
        ['SUCCESS', 'paid', false], ['NOTPAY', 'pending', false], ['USERPAYING', 'pending', false], ['CLOSED', 'closed', true],
        ['REVOKED', 'closed', true], ['PAYERROR', 'failed', true], ['REFUND', 'refunded', false],
      ];
      for (const [tradeState, status, final] of cases) {
        const resource = transaction(rng, { mchid: MCHID, appid: MINI_APP, tradeState });
        const n = notification(rng, { key: API_V3_KEY, signer: wechatKey.privateKey, serial: PUB_ID, resource, timestamp: NOW_S });
        for (const result of [checkout.verifyEvent('wechatpay', n, NOW), await checkout.verifyEventAsync('wechatpay', n, NOW)]) {
          assert.deepEqual(withoutRaw(result.event), event({
            provider: 'wechatpay', kind: 'payment', status, final, outTradeNo: resource.out_trade_no, tradeNo: resource.transaction_id,
            amount: money(resource.amount.total), time: resource.success_time, notifyId: n.envelope.id, providerStatus: tradeState,
          }), tradeState);
          assert.equal(result.event.raw.plaintext, n.plaintext, 'raw: the decrypted resource as sent');
          assert.deepEqual(result.reply, { status: 204, headers: {}, body: null });
        }
      }
      for (const [refundStatus, status, final] of [['SUCCESS', 'refunded', true], ['CLOSED', 'failed', true], ['ABNORMAL', 'failed', false]]) {
        const resource = wechatRefund(rng, { mchid: MCHID, status: refundStatus });
        const n = notification(rng, { key: API_V3_KEY, signer: wechatKey.privateKey, serial: PUB_ID, resource, eventType: `REFUND.${refundStatus}`, aad: 'refund', timestamp: NOW_S });
        assert.deepEqual(withoutRaw(checkout.verifyEvent('wechatpay', n, NOW).event), event({
          provider: 'wechatpay', kind: 'refund', status, final, outTradeNo: resource.out_trade_no, tradeNo: resource.transaction_id, outRefundNo: resource.out_refund_no,
          refundId: resource.refund_id, amount: money(resource.amount.refund), time: resource.success_time, notifyId: n.envelope.id, providerStatus: refundStatus,
        }), refundStatus);
      }
      const resource = transaction(rng, { mchid: MCHID, appid: MINI_APP });
      const forged = notification(rng, { key: API_V3_KEY, signer: rsaPair().privateKey, serial: PUB_ID, resource, timestamp: NOW_S });
      const error = expectAggpayError(() => checkout.verifyEvent('wechatpay', forged, NOW), 'ERR_SIGNATURE_INVALID', 'forged');
      assert.deepEqual(checkout.failureReply('wechatpay', error), { status: 401, headers: { 'content-type': 'application/json' }, body: FAILURE_BODY });
    });

    it(`[${engine}] queries and refunds map to the same statuses`, () => {
      const query = { wallet: 'wechat', outTradeNo: 'T1' };
      const built = checkout.buildQuery(query, { ...NOW, nonce: 'q1' });
      assert.equal(built.url, `https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/T1?mchid=${MCHID}`);
      const paid = { mchid: MCHID, appid: MINI_APP, out_trade_no: 'T1', transaction_id: '4200', trade_state: 'SUCCESS', success_time: '2026-12-01T10:00:01+08:00', amount: { total: 1234, currency: 'CNY' } };
      assert.deepEqual(checkout.parseQuery(query, wechatReply(paid), NOW), event({
        provider: 'wechatpay', kind: 'payment', status: 'paid', final: false, outTradeNo: 'T1', tradeNo: '4200', amount: money(1234), time: '2026-12-01T10:00:01+08:00', providerStatus: 'SUCCESS', raw: paid,
      }));
      expectAggpayError(() => checkout.parseQuery(query, wechatReply({ ...paid, out_trade_no: 'T2' }), NOW), 'ERR_RESPONSE_MALFORMED', 'another order');
      const refund = { wallet: 'wechat', outTradeNo: 'T1', outRefundNo: 'R1', amount: money(200), total: money(1234) };
      const refundRequest = checkout.buildRefund(refund, { ...NOW, nonce: 'r1' });
      assert.deepEqual(JSON.parse(refundRequest.body), { out_trade_no: 'T1', out_refund_no: 'R1', amount: { refund: 200, total: 1234, currency: 'CNY' }, notify_url: WECHAT_NOTIFY });
      for (const [state, status, final] of [['PROCESSING', 'pending', false], ['SUCCESS', 'refunded', true], ['CLOSED', 'failed', true], ['ABNORMAL', 'failed', false]]) {
        const reply = { refund_id: '5030', out_refund_no: 'R1', transaction_id: '4200', out_trade_no: 'T1', status: state, amount: { total: 1234, refund: 200, currency: 'CNY' } };
        assert.deepEqual(checkout.parseRefund(refund, wechatReply(reply), NOW), event({
          provider: 'wechatpay', kind: 'refund', status, final, outTradeNo: 'T1', tradeNo: '4200', outRefundNo: 'R1', refundId: '5030', amount: money(200), providerStatus: state, raw: reply,
        }), state);
      }
    });
  }
});

describe('Checkout: UseePay', () => {
  const useepay = makeUseePay();
  const checkout = new Checkout({ wechat: useepay });

  it('an order becomes the JSAPI payment for the buyer\'s app, MD5-signed as computed here', () => {
    const order = wechatOrder('mini-program', MINI_APP, 'HKD');
    const request = checkout.buildOrder(order);
    const fields = Object.fromEntries(new URLSearchParams(request.body));
    assert.equal(fields.sign, useepaySign(fields), 'the MD5 sign over every field');
    assert.deepEqual([fields.transactionType, fields.transactionId, fields.amount, fields.currency, fields.notifyUrl], ['pay', order.outTradeNo, '1234', 'HKD', USEEPAY_NOTIFY]);
    assert.deepEqual(JSON.parse(fields.payerInfo), { paymentMethod: 'wechat_jsapi', sub_appid: MINI_APP, sub_openid: order.buyer.openid });
  });

  it('the verified JSAPI reply launches wx.requestPayment (mini program) or WeixinJSBridge (H5, with appId)', async () => {
    const redirect = { appId: MINI_APP, timeStamp: '1800000000', nonceStr: 'u1', package: 'prepay_id=wx2026', signType: 'RSA', paySign: 'c2lnbg==' };
    for (const [client, api] of [['mini-program', 'wx.requestPayment'], ['h5', 'WeixinJSBridge.getBrandWCPayRequest']]) {
      const order = wechatOrder(client, MINI_APP, 'HKD');
      const reply = useepayReply({ merchantNo: MERCHANT_NO, transactionId: order.outTradeNo, transactionType: 'pay', resultCode: 'pending', errorCode: '0000', errorMsg: 'ok', reference: '1012', amount: '1234', currency: 'HKD', redirectParam: JSON.stringify(redirect), signType: 'MD5', version: '1.0' });
      const { appId, ...forMiniProgram } = redirect;
      const params = client === 'h5' ? { ...forMiniProgram, appId: MINI_APP } : forMiniProgram;
      const expected = { wallet: 'wechat', provider: 'useepay', outTradeNo: order.outTradeNo, tradeNo: '1012', launch: { api, params } };
      assert.deepEqual(checkout.parseOrder(order, reply), expected);
      assert.deepEqual(await checkout.parseOrderAsync(order, reply), expected);
      expectAggpayError(() => checkout.parseOrder(order, { ...reply, body: reply.body.replace('1012', '1013') }), 'ERR_SIGNATURE_INVALID', 'tampered');
    }
  });

  it('notifications become the one event, with an id made of what identifies them', () => {
    const base = { version: '1.0', merchantNo: MERCHANT_NO, currency: 'HKD', errorCode: '0000', errorMsg: 'ok', signType: 'MD5' };
    const cases = [
      [{ transactionType: 'pay', transactionId: 'T1', reference: 'U1', amount: '1234', resultCode: 'succeed' }, { kind: 'payment', status: 'paid', final: false, outTradeNo: 'T1', tradeNo: 'U1', amount: money(1234, 'HKD'), notifyId: 'pay:T1:succeed', providerStatus: 'succeed' }],
      [{ transactionType: 'pay', transactionId: 'T1', reference: 'U1', amount: '1234', resultCode: 'closed' }, { kind: 'payment', status: 'closed', final: true, outTradeNo: 'T1', tradeNo: 'U1', amount: money(1234, 'HKD'), notifyId: 'pay:T1:closed', providerStatus: 'closed' }],
      [{ transactionType: 'pay', transactionId: 'T1', reference: 'U1', amount: '1234', resultCode: 'failed' }, { kind: 'payment', status: 'failed', final: true, outTradeNo: 'T1', tradeNo: 'U1', amount: money(1234, 'HKD'), notifyId: 'pay:T1:failed', providerStatus: 'failed' }],
      [{ transactionType: 'refund', transactionId: 'R1', originalTransactionId: 'T1', reference: 'U2', amount: '200', resultCode: 'succeed' }, { kind: 'refund', status: 'refunded', final: true, outTradeNo: 'T1', outRefundNo: 'R1', refundId: 'U2', amount: money(200, 'HKD'), notifyId: 'refund:R1:succeed', providerStatus: 'succeed' }],
    ];
    for (const [fields, expected] of cases) {
      const result = checkout.verifyEvent('useepay', useepayForm({ ...base, ...fields }));
      assert.deepEqual(withoutRaw(result.event), event({ provider: 'useepay', ...expected }), JSON.stringify(fields));
      assert.deepEqual(result.reply, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'OK' });
    }
    const forged = useepayForm({ ...base, ...cases[0][0] });
    forged.body = forged.body.replace('amount=1234', 'amount=1');
    const error = expectAggpayError(() => checkout.verifyEvent('useepay', forged), 'ERR_SIGNATURE_INVALID', 'forged');
    assert.deepEqual(checkout.failureReply('useepay', error), { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'fail' });
  });

  it('queries and refunds map to the same statuses', () => {
    const query = { wallet: 'wechat', outTradeNo: 'T1' };
    assert.equal(new URLSearchParams(checkout.buildQuery(query).body).get('transactionId'), 'T1');
    const info = { transactionType: 'pay', transactionId: 'T1', reference: 'U1', amount: '1234', currency: 'HKD', resultCode: 'succeed', errorCode: '0000' };
    const reply = useepayReply({ merchantNo: MERCHANT_NO, resultCode: 'succeed', errorCode: '0000', errorMsg: 'ok', transactionInfo: JSON.stringify(info), signType: 'MD5' });
    const queried = checkout.parseQuery(query, reply);
    assert.deepEqual(withoutRaw(queried), event({ provider: 'useepay', kind: 'payment', status: 'paid', final: false, outTradeNo: 'T1', tradeNo: 'U1', amount: money(1234, 'HKD'), providerStatus: 'succeed' }));
    const refund = { wallet: 'wechat', outTradeNo: 'T1', outRefundNo: 'R1', amount: money(200, 'HKD'), total: money(1234, 'HKD') };
    const fields = Object.fromEntries(new URLSearchParams(checkout.buildRefund(refund).body));
    assert.deepEqual([fields.transactionType, fields.transactionId, fields.originalTransactionId, fields.amount, fields.currency], ['refund', 'R1', 'T1', '200', 'HKD']);
    const refundReply = useepayReply({ merchantNo: MERCHANT_NO, transactionType: 'refund', transactionId: 'R1', originalTransactionId: 'T1', reference: 'U2', amount: '200', currency: 'HKD', resultCode: 'pending', errorCode: '0000', errorMsg: 'ok', signType: 'MD5' });
    assert.deepEqual(withoutRaw(checkout.parseRefund(refund, refundReply)), event({ provider: 'useepay', kind: 'refund', status: 'pending', final: false, outTradeNo: 'T1', outRefundNo: 'R1', refundId: 'U2', amount: money(200, 'HKD'), providerStatus: 'pending' }));
  });
});

describe('Checkout: configuration and hostile input', () => {
  const alipay = makeAlipay('node');
  const wechatpay = makeWechatPay('node');
  const checkout = new Checkout({ alipay, wechat: wechatpay });

  it('each wallet goes to its configured client', () => {
    assert.equal(checkout.providerFor('alipay'), 'alipay');
    assert.equal(checkout.providerFor('wechat'), 'wechatpay');
    assert.equal(new Checkout({ wechat: makeUseePay() }).providerFor('wechat'), 'useepay');
    assert.ok(checkout.buildOrder(alipayOrder()).url.startsWith('https://openapi.alipay.com/gateway.do?'));
    assert.ok(checkout.buildOrder(wechatOrder(), NOW).url.endsWith('/v3/pay/transactions/jsapi'));
    expectAggpayError(() => new Checkout({ alipay }).buildOrder(wechatOrder()), 'ERR_BAD_INPUT', 'no client for wechat');
    expectAggpayError(() => checkout.verifyEvent('useepay', { body: '' }), 'ERR_BAD_INPUT', 'no useepay client');
    expectAggpayError(() => checkout.buildQuery({ outTradeNo: 'T1' }), 'ERR_BAD_INPUT', 'a query names its wallet');
    // A client called directly with another wallet's order or arguments refuses it.
    expectAggpayError(() => alipay.buildCheckout(wechatOrder()), 'ERR_BAD_INPUT', 'wechat order to Alipay');
    expectAggpayError(() => wechatpay.buildStatusQuery({ wallet: 'alipay', outTradeNo: 'T1' }, NOW), 'ERR_BAD_INPUT', 'alipay query to WechatPay');
  });

  it('configs are checked', () => {
    expectAggpayError(() => new Checkout(), 'ERR_BAD_INPUT', 'no config');
    expectAggpayError(() => new Checkout({}), 'ERR_BAD_INPUT', 'no client');
    expectAggpayError(() => new Checkout({ alipay: wechatpay }), 'ERR_BAD_INPUT', 'WechatPay as alipay');
    expectAggpayError(() => new Checkout({ wechat: alipay }), 'ERR_BAD_INPUT', 'Alipay as wechat');
    expectAggpayError(() => new Checkout({ wechat: { buildCheckout() {} } }), 'ERR_BAD_INPUT', 'a look-alike');
    const unknown = expectAggpayError(() => new Checkout({ alipay, weixin: wechatpay }), 'ERR_BAD_INPUT', 'unknown key');
    assert.match(unknown.message, /"weixin"/);
  });

  it('orders are checked, and throwing Proxies, wrong receivers and bad values are AggpayErrors', () => {
    const order = alipayOrder();
    for (const [bad, what] of [
      [{ ...order, amount: { minor: 0, currency: 'CNY' } }, 'zero amount'],
      [{ ...order, amount: { minor: 12.5, currency: 'CNY' } }, 'fractional minor units'],
      [{ ...order, amount: '12.34' }, 'amount as text'],
      [{ ...order, buyer: { wallet: 'alipay' } }, 'no buyer id'],
      [{ ...order, buyer: { wallet: 'alipay', userId: '2088', openId: 'x' } }, 'two buyer ids'],
      [{ ...order, client: 'app' }, 'unknown client'],
      [{ ...order, outTradeNo: undefined }, 'no outTradeNo'],
      [{ ...order, extra: 1 }, 'unknown field'],
    ]) expectAggpayError(() => checkout.buildOrder(bad), 'ERR_BAD_INPUT', what);
    const trap = new Proxy({}, { get() { throw new Error('trap'); } });
    expectAggpayError(() => checkout.buildOrder(trap), 'ERR_BAD_INPUT', 'Proxy order');
    expectAggpayError(() => checkout.buildOrder({ ...order, buyer: trap }), 'ERR_BAD_INPUT', 'Proxy buyer');
    expectAggpayError(() => new Checkout(trap), 'ERR_BAD_INPUT', 'Proxy config');
    expectAggpayError(() => checkout.buildOrder.call({}, order), 'ERR_BAD_INPUT', 'wrong receiver');
    expectAggpayError(() => Checkout.prototype.providerFor.call(alipay, 'alipay'), 'ERR_BAD_INPUT', 'a client as receiver');
    expectAggpayError(() => checkout.verifyEvent('alipay', { body: new Uint8Array(2 ** 21) }), 'ERR_INPUT_TOO_LARGE', 'an oversized notification');
    // The failure reply never throws for the error it is given.
    for (const error of [undefined, null, 'text', trap, { code: 42 }]) assert.equal(checkout.failureReply('wechatpay', error).status, 500);
    // Nothing above harmed the clients.
    assert.ok(checkout.buildOrder(order).url);
  });
});
