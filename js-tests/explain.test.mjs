// explain(): what a signature covers, for each provider's messages. Every message here is signed with
// node:crypto over a text computed independently in this file (alipay-helpers, wechatpay-helpers, the
// UseePay MD5 rule): explain must show exactly that text, node:crypto must verify the signature over
// what explain shows, and a provider's report that differs must be located.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { Alipay, WechatPay, explain, firstDifference } from 'aggpay';
import { keyPairs, nodeSign, notifyContent, signContent, signedResponse } from './alipay-helpers.mjs';
import { expectAggpayError, makeRng } from './helpers.mjs';
import { alnum, nodeVerify, rsaPair, serialHex, signedHeaders } from './wechatpay-helpers.mjs';

const rng = makeRng('explain');
const { app, alipay: alipayKey } = keyPairs();

describe('explain: Alipay', () => {
  it('a request: every parameter but sign, empty values left out, sorted — and the app key verifies over it', () => {
    const client = new Alipay({ appId: '2021000122671080', privateKey: app.pkcs8Pem, engine: 'node' });
    const request = client.buildTradeQuery({ out_trade_no: 'T1' }, { timestamp: 1_800_000_000_000 });
    const q = request.url.indexOf('?');
    const pairs = [...new URLSearchParams(request.url.slice(q + 1)), ...new URLSearchParams(request.body)];
    const expected = signContent(pairs).toString('utf8');
    const e = explain({ provider: 'alipay', request: { url: request.url, body: request.body } });
    assert.deepEqual([e.provider, e.message, e.scheme, e.signed], ['alipay', 'request', 'RSA2', [expected]]);
    assert.ok(crypto.verify('sha256', Buffer.from(e.signed[0]), app.publicKey, Buffer.from(e.signature, 'base64')), 'node:crypto verifies over the text shown');
    // Alipay's refusal names the string its gateway built; explain points at the first difference.
    const theirs = expected.replace('"out_trade_no":"T1"', '"out_trade_no":"T2"');
    const refusal = JSON.stringify({ alipay_trade_query_response: { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature', sub_msg: `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${theirs}` } });
    const compared = explain({ provider: 'alipay', request: { url: request.url, body: request.body }, reported: refusal });
    assert.equal(compared.reported, theirs);
    assert.equal(compared.difference.index, expected.indexOf('T1') + 1);
    assert.ok(compared.difference.ours.includes('T1') && compared.difference.theirs.includes('T2'));
    assert.equal(explain({ provider: 'alipay', request: { url: request.url, body: request.body }, reported: expected }).difference, null);
  });

  it('a notification: the payment rule, then the gateway rule (values decoded once, empties kept)', () => {
    const pairs = [['notify_id', 'n1'], ['trade_status', 'TRADE_SUCCESS'], ['passback_params', 'a%20b'], ['empty', ''], ['sign_type', 'RSA2'], ['total_amount', '12.34']];
    const sign = nodeSign(notifyContent(pairs, 'payment'), alipayKey.privateKey);
    const body = new URLSearchParams([...pairs, ['sign', sign]]).toString();
    const e = explain({ provider: 'alipay', notification: body });
    assert.deepEqual(e.signed, [notifyContent(pairs, 'payment').toString('utf8'), notifyContent(pairs, 'gateway').toString('utf8')]);
    assert.ok(crypto.verify('sha256', Buffer.from(e.signed[0]), alipayKey.publicKey, Buffer.from(e.signature, 'base64')));
    assert.deepEqual(explain({ provider: 'alipay', notification: body, rule: 'gateway' }).signed, [notifyContent(pairs, 'gateway').toString('utf8')]);
  });

  it('a response: the node exactly as sent, then with \\/ unescaped', () => {
    const node = '{"code":"10000","msg":"Success","url":"https:\\/\\/x"}';
    const raw = signedResponse('alipay.trade.query', node, alipayKey.privateKey);
    const e = explain({ provider: 'alipay', response: raw, method: 'alipay.trade.query' });
    assert.deepEqual(e.signed, [node, node.replaceAll('\\/', '/')]);
    assert.ok(crypto.verify('sha256', Buffer.from(e.signed[0]), alipayKey.publicKey, Buffer.from(e.signature, 'base64')));
  });
});

describe('explain: WeChat Pay', () => {
  const merchant = rsaPair();
  const platform = rsaPair();
  const serial = serialHex();

  it('a request: the five lines over the exact path, the Authorization\'s timestamp and nonce, the body', () => {
    const client = new WechatPay({ mchid: '1900009191', appId: 'wx1', merchantSerialNo: serial, privateKey: merchant.pkcs8Pem, notifyUrl: 'https://x/n', engine: 'node' });
    const request = client.buildQuery({ outTradeNo: 'T1' }, { now: 1_800_000_000_000, nonce: 'abc' });
    const e = explain({ provider: 'wechatpay', request: { method: request.method, url: request.url, authorization: request.headers.authorization } });
    assert.deepEqual(e.signed, ['GET\n/v3/pay/transactions/out-trade-no/T1?mchid=1900009191\n1800000000\nabc\n\n']);
    assert.equal(e.key, serial);
    assert.ok(nodeVerify(merchant.publicKey, e.signed[0], e.signature), 'node:crypto verifies over the text shown');
    // WeChat Pay's SIGN_ERROR reports the message it checked, truncated.
    const theirs = 'GET\n/v3/pay/transactions/out-trade-no/T1?mchid=1900009192\n';
    const error = JSON.stringify({ code: 'SIGN_ERROR', message: '签名错误', detail: { sign_information: { truncated_sign_message: theirs } } });
    const compared = explain({ provider: 'wechatpay', request: { method: 'GET', url: request.url, authorization: request.headers.authorization }, reported: error });
    assert.equal(compared.reported, theirs);
    assert.equal(compared.difference.index, 'GET\n/v3/pay/transactions/out-trade-no/T1?mchid=190000919'.length);
  });

  it('a response or notification: the three lines over its timestamp, nonce and body', () => {
    const body = `{"id":"EV-${alnum(rng, 8)}","resource":{}}`;
    const headers = signedHeaders(platform.privateKey, serial, 1_800_000_000, 'n0nce', body);
    for (const message of ['response', 'notification']) {
      const e = explain({ provider: 'wechatpay', [message]: { headers, body } });
      assert.deepEqual([e.message, e.signed, e.key], [message, [`1800000000\nn0nce\n${body}\n`], serial]);
      assert.ok(nodeVerify(platform.publicKey, e.signed[0], e.signature));
    }
  });
});

describe('explain: UseePay', () => {
  it('every field but sign, blank values left out (or only empty ones: exact), sorted; the MD5 key named, never shown', () => {
    const fields = { version: '1.0', merchantNo: '500000000007362', transactionId: 'T1', amount: '1234', blank: ' ', signType: 'MD5' };
    const expected = 'amount=1234&merchantNo=500000000007362&signType=MD5&transactionId=T1&version=1.0';
    const sign = crypto.createHash('md5').update(`${expected}&pkey=secret-key`).digest('hex');
    const e = explain({ provider: 'useepay', notification: new URLSearchParams({ ...fields, sign }).toString() });
    assert.deepEqual([e.signed, e.scheme, e.signature], [[expected], 'MD5', sign]);
    assert.match(e.note, /pkey/);
    assert.ok(!JSON.stringify(e).includes('secret-key'));
    assert.equal(explain({ provider: 'useepay', response: JSON.stringify({ ...fields, sign }), emptyValues: 'exact' }).signed[0], 'amount=1234&blank= &merchantNo=500000000007362&signType=MD5&transactionId=T1&version=1.0');
  });
});

describe('explain: bad input and firstDifference', () => {
  it('refuses what it cannot read, as AggpayErrors', () => {
    for (const bad of [undefined, {}, { provider: 'paypal', request: {} }, { provider: 'alipay' }, { provider: 'alipay', response: '{}' },
      { provider: 'alipay', request: {}, response: '' }, { provider: 'alipay', notification: 5 }, { provider: 'alipay', notification: 'a=1', extra: 1 },
      { provider: 'wechatpay', request: { method: 'GET', url: '/v3/x', authorization: 'Basic x' } },
      { provider: 'alipay', notification: 'x'.repeat(3 * 1024 * 1024) }]) {
      expectAggpayError(() => explain(bad), ['ERR_BAD_INPUT', 'ERR_INPUT_TOO_LARGE', 'ERR_RESPONSE_MALFORMED'], JSON.stringify(bad)?.slice(0, 80));
    }
    const trap = new Proxy({}, { get() { throw new Error('trap'); } });
    expectAggpayError(() => explain(trap), 'ERR_BAD_INPUT', 'a Proxy');
  });

  it('firstDifference: the index, the stretch around it, a truncated report', () => {
    assert.equal(firstDifference('a=1&b=2', 'a=1&b=2'), null);
    assert.deepEqual(firstDifference('a=1&b=2', 'a=1&b=3'), { index: 6, ours: 'a=1&b=2', theirs: 'a=1&b=3', theirsEnds: false });
    assert.deepEqual(firstDifference('a=1&b=2', 'a=1...'), { index: 3, ours: 'a=1&b=2', theirs: 'a=1', theirsEnds: true });
    expectAggpayError(() => firstDifference('a', 5), 'ERR_BAD_INPUT', 'a number');
  });
});
