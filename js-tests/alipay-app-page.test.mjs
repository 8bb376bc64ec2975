// The Alipay methods beside the mini-program journey: the App order string (alipay.trade.app.pay and
// any App SDK method, in the shape the official Node SDK's sdkExec returns), alipay.trade.page.pay
// (GET URL and POST form), alipay.trade.cancel and the bill download URL query. References: the
// string to sign and encodeURIComponent written here from the documented rules, node:crypto's
// signature (PKCS#1 v1.5 is deterministic), and the published request-signing vectors.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { Alipay } from 'aggpay';
import { ctx, expectAggpayError, makeRng } from './helpers.mjs';
import {
  ENGINES, PRODUCTION_GATEWAY, assertRequestSigned, beijingTimestamp, decodeForm, htmlUnescape, keyPairs, loadVectors,
  makeAlipay, nodeSign, nodeVerify, readAlipayFixture, signContent,
} from './alipay-helpers.mjs';

const APP_ID = '2021000122671080';
const NOTIFY = 'https://shop.example.com/alipay/notify?shop=1&x=中';
const PIECES = ['咖啡 拿铁', "it's", '(大)', '!~*', 'a&b=c', '100%', '1+1', '😀', '"q"', '/p?x=1', '<b>', '\\', 'e\u0301'];
const tricky = (rng) => Array.from({ length: rng.int(1, 4) }, () => rng.pick(PIECES)).join(rng.pick(['', ' ']));
const yuan = (minor) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
/** What the official Node SDK's sdkExec returns for signed parameters: `k=encodeURIComponent(v)` joined by `&`. */
const sdkExecString = (pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
/** Decodes an order string segment by segment with decodeURIComponent (what the App SDK's side does). */
const decodeUri = (text) => text.split('&').map((seg) => {
  const eq = seg.indexOf('=');
  return [decodeURIComponent(seg.slice(0, eq)), decodeURIComponent(seg.slice(eq + 1))];
});

describe('buildAppPay / buildSdkOrder: the App SDK order string', () => {
  const { app } = keyPairs();
  for (const engine of ENGINES) {
    it(`equals sdkExec's shape over node:crypto's signature, byte for byte (${engine})`, () => {
      const rng = makeRng(`app-pay-${engine}`);
      const alipay = makeAlipay(engine, { notifyUrl: NOTIFY });
      for (let i = 0; i < 12; i++) {
        const minor = rng.int(1, 1e8);
        const subject = tricky(rng);
        const timestamp = rng.int(1.6e12, 1.9e12);
        const what = ctx(`app pay #${i} on ${engine}`);
        const biz = { out_trade_no: `T${rng.int(1e8, 9e8)}`, total_amount: { minor, currency: 'CNY' }, subject, timeout_express: '30m', passback_params: 'a=1&b=2' };
        const withReturn = i % 3 === 0;
        const { orderStr, params } = alipay.buildAppPay(biz, { timestamp, ...(withReturn ? { returnUrl: 'https://shop.example.com/r?x=(1)' } : {}) });
        // The parameters in the order every request has them: common, notify_url, return_url, biz_content.
        const expected = [
          ['app_id', APP_ID], ['method', 'alipay.trade.app.pay'], ['format', 'JSON'], ['charset', 'utf-8'], ['sign_type', 'RSA2'],
          ['timestamp', beijingTimestamp(timestamp)], ['version', '1.0'], ['notify_url', NOTIFY],
          ...(withReturn ? [['return_url', 'https://shop.example.com/r?x=(1)']] : []),
          ['biz_content', JSON.stringify({ ...biz, total_amount: yuan(minor), product_code: 'QUICK_MSECURITY_PAY' })],
        ];
        const sign = nodeSign(signContent(expected), app.privateKey);
        const signed = [...expected, ['sign', sign]];
        assert.equal(orderStr, sdkExecString(signed), `${what}: the order string`);
        assert.deepEqual(params, Object.fromEntries(signed), `${what}: params`);
        // Both decoders read the same parameters; node:crypto verifies them; a change is refused.
        const decoded = decodeUri(orderStr);
        assert.deepEqual(decoded, signed, `${what}: decodeURIComponent`);
        assert.deepEqual(decodeForm(orderStr), signed, `${what}: form decoding`);
        assert.ok(nodeVerify(signContent(decoded), params.sign, app.publicKey), `${what}: node:crypto verifies`);
        const tampered = decoded.map(([k, v]) => [k, k === 'biz_content' ? v.replace('"subject":"', '"subject":"X') : v]);
        assert.ok(!nodeVerify(signContent(tampered), params.sign, app.publicKey), `${what}: a changed subject does not verify`);
        assert.ok(!/[ +]/.test(orderStr.replace(/%2B/g, '')), `${what}: spaces as %20, never + (encodeURIComponent)`);
      }
      alipay.free();
    });

    it(`reproduces the published request-signing vectors through buildSdkOrder (${engine})`, () => {
      for (const v of loadVectors().filter((x) => x.kind === 'rsa2-sign' || x.kind === 'rsa-sign')) {
        const p = v.params;
        if (p.method !== 'alipay.trade.create' || p.return_url || p.app_auth_token) continue;
        const alipay = new Alipay({ appId: p.app_id, privateKey: readAlipayFixture(v.private_key), signType: p.sign_type, engine });
        const timestamp = Date.UTC(2024, 0, 1, 4, 0, 0); // 2024-01-01 12:00:00 in Beijing
        const { orderStr, params } = alipay.buildSdkOrder(p.method, p.biz_content, { notifyUrl: p.notify_url, timestamp });
        assert.equal(params.sign, v.expect, `${v.id}: sign`);
        assert.equal(signContent(decodeUri(orderStr)).toString('utf8'), v.sign_content, `${v.id}: string to sign`);
        alipay.free();
      }
    });
  }

  it('the typed builder checks its fields; product_code can be given; money is never a float', () => {
    const alipay = makeAlipay('wasm');
    const ok = { out_trade_no: 'T1', total_amount: '0.01', subject: 's' };
    assert.equal(JSON.parse(alipay.buildAppPay({ ...ok, product_code: 'CYCLE_PAY_AUTH' }).params.biz_content).product_code, 'CYCLE_PAY_AUTH');
    for (const field of Object.keys(ok)) {
      const { [field]: _, ...rest } = ok;
      expectAggpayError(() => alipay.buildAppPay(rest), 'ERR_BAD_INPUT', `without ${field}`);
    }
    expectAggpayError(() => alipay.buildAppPay({ ...ok, total_amount: 0.01 }), 'ERR_BAD_INPUT', 'a float amount');
    expectAggpayError(() => alipay.buildAppPay({ ...ok, total_amount: { minor: 1, currency: 'USD' } }), 'ERR_BAD_INPUT', 'USD without trans_currency');
    expectAggpayError(() => alipay.buildSdkOrder('alipay.fund.auth.order.app.freeze'), 'ERR_BAD_INPUT', 'no biz_content');
    expectAggpayError(() => alipay.buildSdkOrder('bad method&', {}), 'ERR_BAD_INPUT', 'a method that is no method name');
    const verifyOnly = new Alipay({ appId: APP_ID, alipayPublicKey: keyPairs().alipay.spkiPem });
    expectAggpayError(() => verifyOnly.buildAppPay(ok), 'ERR_VERIFY_ONLY', 'verify-only');
    alipay.free();
    verifyOnly.free();
  });
});

describe('buildPagePay: alipay.trade.page.pay', () => {
  const { app } = keyPairs();
  for (const engine of ENGINES) {
    it(`a signed GET URL and an auto-submitting form, both node:crypto's signature over the parameters (${engine})`, () => {
      const rng = makeRng(`page-pay-${engine}`);
      const alipay = makeAlipay(engine, { notifyUrl: NOTIFY });
      for (let i = 0; i < 8; i++) {
        const what = ctx(`page pay #${i} on ${engine}`);
        const minor = rng.int(1, 1e8);
        const subject = `${tricky(rng)}<script>alert(1)</script>"&amp;`;
        const timestamp = rng.int(1.6e12, 1.9e12);
        const returnUrl = `https://shop.example.com/return?o=${i}&s='"<>`;
        const biz = { out_trade_no: `P${rng.int(1e8, 9e8)}`, total_amount: { minor, currency: 'CNY' }, subject, qr_pay_mode: '2' };
        const { url, form, params } = alipay.buildPagePay(biz, { timestamp, returnUrl });
        assert.ok(url.startsWith(`${PRODUCTION_GATEWAY}?`), `${what}: the gateway`);
        const pairs = decodeForm(url.slice(PRODUCTION_GATEWAY.length + 1));
        assert.equal(url.slice(PRODUCTION_GATEWAY.length + 1), new URLSearchParams(pairs).toString(), `${what}: form-encoded`);
        const map = Object.fromEntries(pairs);
        assert.deepEqual(params, map, `${what}: params are the URL's`);
        assert.equal(map.method, 'alipay.trade.page.pay');
        assert.equal(map.return_url, returnUrl);
        assert.equal(map.notify_url, NOTIFY);
        assert.equal(map.timestamp, beijingTimestamp(timestamp));
        assert.equal(map.biz_content, JSON.stringify({ ...biz, total_amount: yuan(minor), product_code: 'FAST_INSTANT_TRADE_PAY' }), `${what}: biz_content`);
        assert.equal(map.sign, nodeSign(signContent(pairs), app.privateKey), `${what}: sign`);
        const inputs = [...form.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\s*\/?>/g)].map((m) => [htmlUnescape(m[1]), htmlUnescape(m[2])]);
        assert.deepEqual(inputs, pairs, `${what}: the form posts the same parameters`);
        assert.ok(!form.includes('<script>alert'), `${what}: markup escaped`);
        assert.match(form, /action="https:\/\/openapi\.alipay\.com\/gateway\.do\?charset=utf-8" method="POST"/);
      }
      alipay.free();
    });
  }
  it('required fields; product_code default and override', () => {
    const alipay = makeAlipay('wasm');
    const ok = { out_trade_no: 'T1', total_amount: '0.01', subject: 's' };
    for (const field of Object.keys(ok)) {
      const { [field]: _, ...rest } = ok;
      expectAggpayError(() => alipay.buildPagePay(rest), 'ERR_BAD_INPUT', `without ${field}`);
    }
    assert.equal(JSON.parse(alipay.buildPagePay({ ...ok, product_code: 'OTHER' }).params.biz_content).product_code, 'OTHER');
    alipay.free();
  });
});

describe('buildTradeCancel and buildBillDownloadUrlQuery', () => {
  const { app } = keyPairs();
  for (const engine of ENGINES) {
    it(`signed requests: node:crypto's signature over the string to sign; biz_content exactly as given (${engine})`, () => {
      const alipay = makeAlipay(engine);
      const timestamp = 1_767_196_800_000; // 2026-01-01 00:00:00 Beijing = 2025-12-31 16:00 UTC
      const cases = [
        ['buildTradeCancel', 'alipay.trade.cancel', { out_trade_no: 'T-中-1' }],
        ['buildTradeCancel', 'alipay.trade.cancel', { trade_no: '2026112422001' }],
        ['buildBillDownloadUrlQuery', 'alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: '2026-01-31' }],
        ['buildBillDownloadUrlQuery', 'alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'signcustomer', bill_date: '2025-12', smid: '2088000000000002' }],
      ];
      for (const [name, method, biz] of cases) {
        const what = `${name} ${JSON.stringify(biz)} on ${engine}`;
        const parts = assertRequestSigned(alipay[name](biz, { timestamp, appAuthToken: 'tok' }), app.privateKey, 'RSA2', what);
        assert.equal(parts.params.get('method'), method, what);
        assert.equal(parts.params.get('biz_content'), JSON.stringify(biz), what);
        assert.equal(parts.params.get('app_auth_token'), 'tok', what);
        assert.equal(parts.params.get('timestamp'), '2026-01-01 00:00:00', what);
      }
      alipay.free();
    });
  }

  it('refuses what Alipay would: no trade id, bill dates that are no day or month', () => {
    const alipay = makeAlipay('wasm');
    expectAggpayError(() => alipay.buildTradeCancel({}), 'ERR_BAD_INPUT', 'cancel without ids');
    expectAggpayError(() => alipay.buildTradeCancel({ out_trade_no: '' }), 'ERR_BAD_INPUT', 'cancel with an empty id');
    expectAggpayError(() => alipay.buildTradeCancel({ out_trade_no: 7 }), 'ERR_BAD_INPUT', 'cancel with a number id');
    for (const bill_date of ['2026-00', '2026-13', '2026-1', '2026-01-1', '2026-01-00', '2026-01-32', '2026/01/01', '20260101', '2026-01-01 ', ' 2026-01', '२०२६-01', '2026-01-01T00:00:00', '']) {
      expectAggpayError(() => alipay.buildBillDownloadUrlQuery({ bill_type: 'trade', bill_date }), 'ERR_BAD_INPUT', `bill_date ${JSON.stringify(bill_date)}`);
    }
    expectAggpayError(() => alipay.buildBillDownloadUrlQuery({ bill_date: '2026-01' }), 'ERR_BAD_INPUT', 'no bill_type');
    expectAggpayError(() => alipay.buildBillDownloadUrlQuery({ bill_type: 'trade', bill_date: 202601 }), 'ERR_BAD_INPUT', 'a number date');
    for (const bill_date of ['2016-01', '2026-12', '2026-02-28', '2026-12-31']) alipay.buildBillDownloadUrlQuery({ bill_type: 'trade', bill_date });
    alipay.free();
  });

  it('their responses parse as typed results (signed by node:crypto)', () => {
    const { alipay: ali } = keyPairs();
    const alipay = makeAlipay('node');
    const cancel = '{"code":"10000","msg":"Success","trade_no":"2026","out_trade_no":"T1","retry_flag":"N","action":"close"}';
    const bill = '{"code":"10000","msg":"Success","bill_download_url":"http:\\/\\/dwbillcenter.alipay.com\\/downloadBillFile.resource?bizType=X&userId=X&fileType=csv.zip&bizDates=20260101"}';
    const response = (method, node) => `{"${method.replaceAll('.', '_')}_response":${node},"sign":"${crypto.sign('sha256', Buffer.from(node), ali.privateKey).toString('base64')}"}`;
    assert.equal(alipay.parseResponse('alipay.trade.cancel', response('alipay.trade.cancel', cancel)).action, 'close');
    assert.equal(
      alipay.parseResponse('alipay.data.dataservice.bill.downloadurl.query', response('alipay.data.dataservice.bill.downloadurl.query', bill)).bill_download_url,
      'http://dwbillcenter.alipay.com/downloadBillFile.resource?bizType=X&userId=X&fileType=csv.zip&bizDates=20260101',
    );
    alipay.free();
  });
});
