// The mini program's side: tradePay parameters and the printed QR code from the launch options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Alipay } from 'aggpay';
import { expectAggpayError } from './helpers.mjs';
import { makeAlipay } from './alipay-helpers.mjs';

test('tradePayParams gives { tradeNO } from a verified trade.create result (my.tradePay and AlipayJSBridge)', () => {
  const alipay = makeAlipay('wasm');
  const result = { code: '10000', msg: 'Success', out_trade_no: 'T1', trade_no: '2026112422001468451400000001' };
  assert.deepEqual(alipay.tradePayParams(result), { tradeNO: '2026112422001468451400000001' });
  expectAggpayError(() => alipay.tradePayParams({ code: '10000' }), 'ERR_BAD_INPUT');
  expectAggpayError(() => alipay.tradePayParams({ trade_no: '' }), 'ERR_BAD_INPUT');
  alipay.free();
});

test('launchQrCode reads query.qrCode (plain or percent-encoded) and its parameters, decoded once', () => {
  const url = 'https://shop.example.com/q?store=12&table=A%207&note=%E4%B8%AD%2525';
  const expected = { qrCode: url, params: { store: '12', table: 'A 7', note: '中%25' } };
  assert.deepEqual(Alipay.launchQrCode({ query: { qrCode: url }, scene: '1011', path: 'pages/index/index' }), { ...expected, scene: 1011 }, 'the scene, given as text, as a number');
  assert.deepEqual(Alipay.launchQrCode({ query: { qrCode: encodeURIComponent(url) } }), expected);
  assert.deepEqual(Alipay.launchQrCode({ query: { qrCode: 'https://shop.example.com/q' } }), { qrCode: 'https://shop.example.com/q', params: {} });
  assert.equal(Alipay.launchQrCode({ query: {} }), null);
  assert.equal(Alipay.launchQrCode({}), null);
  assert.equal(Alipay.launchQrCode(undefined), null);
  expectAggpayError(() => Alipay.launchQrCode({ query: { qrCode: 'https://x/q?a=%zz' } }), 'ERR_BAD_INPUT');
});
