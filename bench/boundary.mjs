// Measures, never asserts: the cost of the JS ⇄ Wasm boundary on Node. Each library call is put
// side by side, in one process, with the bare node:crypto operation it cannot avoid (a pre-built
// KeyObject, the same key, the same bytes): the ratio is the library's throughput over the bare
// operation's. Rounds are interleaved and the median is reported.
// Run after a build: node bench/boundary.mjs
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { Alipay, UseePay } from 'aggpay';
import { interleaved } from './measure.mjs';

const WINDOW_MS = 300;
const ROUNDS = 7;

/** Median ops/s of `library` and `bare`, measured in alternating rounds. */
const compare = (library, bare) => interleaved([library, bare], { rounds: ROUNDS, windowMs: WINDOW_MS });

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const app = pair();
const provider = pair();
const pem = (k, type) => k.export({ type, format: 'pem' });

const alipay = new Alipay({ appId: '2021000122671080', privateKey: pem(app.privateKey, 'pkcs8'), alipayPublicKey: pem(provider.publicKey, 'spki') });
const alipayVerifyOnly = new Alipay({ appId: '2021000122671080', alipayPublicKey: pem(provider.publicKey, 'spki') });

// An Alipay payment notification, signed over the payment rule's string.
const params = {
  app_id: '2021000122671080', auth_app_id: '2021000122671080', buyer_id: '2088102177846880', buyer_pay_amount: '88.88',
  charset: 'utf-8', gmt_create: '2026-11-30 12:00:00', gmt_payment: '2026-11-30 12:00:05', invoice_amount: '88.88',
  notify_id: '2026113000222120005084880512345678', notify_time: '2026-11-30 12:00:05', notify_type: 'trade_status_sync',
  out_trade_no: 'T202611300001', point_amount: '0.00', receipt_amount: '88.88', seller_id: '2088102177649450',
  subject: '咖啡 x2', total_amount: '88.88', trade_no: '2026113022001446881000123456', trade_status: 'TRADE_SUCCESS', version: '1.0',
};
const content = Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join('&');
const notifySignature = sign('sha256', Buffer.from(content), provider.privateKey);
const body = new URLSearchParams({ ...params, sign: notifySignature.toString('base64'), sign_type: 'RSA2' }).toString();

// An Alipay response.
const node = '{"code":"10000","msg":"Success","trade_no":"2026113022001446881000123456","out_trade_no":"T202611300001","buyer_logon_id":"159****5620","trade_status":"TRADE_SUCCESS","total_amount":"88.88","receipt_amount":"88.88","buyer_pay_amount":"88.88","point_amount":"0.00","invoice_amount":"88.88","send_pay_date":"2026-11-30 12:00:05","buyer_user_id":"2088102177846880"}';
const responseSignature = sign('sha256', Buffer.from(node), provider.privateKey);
const response = `{"alipay_trade_query_response":${node},"sign":"${responseSignature.toString('base64')}"}`;

// UseePay MD5 request build against a bare MD5 of the same string.
const useepay = new UseePay({ merchantNo: '500000000007362', appId: 'www.pay.com', signType: 'MD5', md5Key: 'k'.repeat(32) });

const biz = { out_trade_no: 'T1', total_amount: { minor: 8888, currency: 'CNY' }, subject: '咖啡', buyer_open_id: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5' };
const tradeCreateText = Buffer.from('x'.repeat(420));

const rows = [
  ['Alipay.verifyNotify (node engine)', ...compare(() => alipay.verifyNotify(body), () => verify('sha256', Buffer.from(content), provider.publicKey, notifySignature)), 'crypto.verify'],
  ['Alipay.verifyNotify, verify-only client', ...compare(() => alipayVerifyOnly.verifyNotify(body), () => verify('sha256', Buffer.from(content), provider.publicKey, notifySignature)), 'crypto.verify'],
  ['Alipay.parseResponse (node engine)', ...compare(() => alipay.parseResponse('alipay.trade.query', response), () => verify('sha256', Buffer.from(node), provider.publicKey, responseSignature)), 'crypto.verify'],
  ['Alipay.buildTradeCreate (node engine)', ...compare(() => alipay.buildTradeCreate(biz), () => sign('sha256', tradeCreateText, app.privateKey)), 'crypto.sign'],
  ['UseePay.buildQuery (MD5)', ...compare(() => useepay.buildQuery({ transactionId: 'T202611300001' }), () => createHash('md5').update(`merchantNo=500000000007362&signType=MD5&transactionId=T202611300001&transactionType=query&version=1.0&pkey=${'k'.repeat(32)}`).digest('hex')), 'MD5'],
];

console.log(`Node ${process.version}, ${ROUNDS} interleaved rounds of ${WINDOW_MS} ms, medians\n`);
console.log('| call | ops/s | bare | bare ops/s | ratio |');
console.log('|---|---:|---|---:|---:|');
for (const [what, lib, bare, bareWhat] of rows) {
  console.log(`| ${what} | ${lib.toFixed(0)} | ${bareWhat} | ${bare.toFixed(0)} | ${(lib / bare).toFixed(2)}× |`);
}
