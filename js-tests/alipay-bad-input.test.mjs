// Bad input to the Alipay client: each case throws an AggpayError with its own code, no error text
// carries key material, and the same client still signs a fresh request exactly as node:crypto
// does afterwards (a trap inside Wasm would poison the instance). Both RSA engines.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { Alipay, AggpayError } from 'aggpay';
import { expectAggpayError } from './helpers.mjs';
import {
  ENGINES, assertNoKeyMaterial, assertStillSigns, encodeForm, keyPairs, makeAlipay, nodeSign, notifyContent,
  readAlipayFixture, secretFragments, signedResponse,
} from './alipay-helpers.mjs';

const AES_KEY = 'aYA0GP8JEW+D7/UFaskCWA==';
const METHOD = 'alipay.trade.query';
const NODE = '{"code":"10000","msg":"Success","trade_no":"2026112422001","out_trade_no":"T1","total_amount":"0.01"}';

function secrets() {
  const { app } = keyPairs();
  return [...secretFragments(app.pkcs8Der, app.pkcs1Der), AES_KEY, Buffer.from(AES_KEY, 'base64').toString('hex')];
}

/** A client with an AES key too, so encrypted cases run on the same instance. */
const client = (engine) => makeAlipay(engine, { encryptKey: AES_KEY });
const aliSign = (text) => nodeSign(text, keyPairs().alipay.privateKey);
const aesEncrypt = (key, text) => {
  const c = crypto.createCipheriv('aes-128-cbc', key, Buffer.alloc(16));
  return Buffer.concat([c.update(text), c.final()]).toString('base64');
};

/** [name, expected code, (alipay, engine) => …, optional check(err)] */
const CASES = [
  // --- responses
  ['truncated response JSON', 'ERR_RESPONSE_MALFORMED', (a) => a.parseResponse(METHOD, signedResponse(METHOD, NODE, keyPairs().alipay.privateKey).slice(0, 60))],
  ['two response nodes', 'ERR_RESPONSE_MALFORMED', (a) => a.parseResponse(METHOD, `{"alipay_trade_query_response":${NODE},"alipay_trade_query_response":${NODE.replace('0.01', '100.00')},"sign":"${aliSign(NODE)}"}`)],
  ['node name injected again after the node', 'ERR_RESPONSE_MALFORMED', (a) =>
    a.parseResponse(METHOD, `{"alipay_trade_query_response":${NODE},"sign":"${aliSign(NODE)}","x":{"alipay_trade_query_response":{"code":"10000","total_amount":"100.00"}}}`)],
  ['text after the JSON object', 'ERR_RESPONSE_MALFORMED', (a) => a.parseResponse(METHOD, `${signedResponse(METHOD, NODE, keyPairs().alipay.privateKey)},{"x":1}`)],
  ['no node for the method', 'ERR_RESPONSE_MALFORMED', (a) => a.parseResponse('alipay.trade.close', signedResponse(METHOD, NODE, keyPairs().alipay.privateKey))],
  ['node that is an array', 'ERR_RESPONSE_MALFORMED', (a) => a.parseResponse(METHOD, signedResponse(METHOD, '[1,2]', keyPairs().alipay.privateKey))],
  ['sign that is not a string', 'ERR_RESPONSE_MALFORMED', (a) => a.parseResponse(METHOD, `{"alipay_trade_query_response":${NODE},"sign":12}`)],
  ['empty response', 'ERR_RESPONSE_MALFORMED', (a) => a.parseResponse(METHOD, '')],
  ['unsigned success response', 'ERR_SIGNATURE_INVALID', (a) => a.parseResponse(METHOD, `{"alipay_trade_query_response":${NODE}}`)],
  ['success response with an empty sign', 'ERR_SIGNATURE_INVALID', (a) => a.parseResponse(METHOD, `{"alipay_trade_query_response":${NODE},"sign":""}`)],
  ['success response signed by another key', 'ERR_SIGNATURE_INVALID', (a) => a.parseResponse(METHOD, signedResponse(METHOD, NODE, keyPairs().other.privateKey))],
  ['success response signed by the app key', 'ERR_SIGNATURE_INVALID', (a) => a.parseResponse(METHOD, signedResponse(METHOD, NODE, keyPairs().app.privateKey))],
  ['unsigned error_response', 'ERR_PROVIDER_REJECTED', (a) =>
    a.parseResponse(METHOD, '{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}'),
  (e) => assert.deepEqual([e.provider, e.providerCode, e.providerMessage, e.subCode, e.subMessage], ['alipay', '40002', 'Invalid Arguments', 'isv.invalid-app-id', '无效的AppID参数'])],
  ['unsigned business failure in the method node', 'ERR_PROVIDER_REJECTED', (a) =>
    a.parseResponse(METHOD, '{"alipay_trade_query_response":{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}}'),
  (e) => assert.deepEqual([e.providerCode, e.subCode], ['40004', 'ACQ.TRADE_NOT_EXIST'])],
  ['signed business failure (code 40004)', 'ERR_PROVIDER_BUSINESS', (a) =>
    a.parseResponse(METHOD, signedResponse(METHOD, '{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}', keyPairs().alipay.privateKey)),
  (e) => assert.deepEqual([e.provider, e.providerCode, e.providerMessage, e.subCode, e.subMessage], ['alipay', '40004', 'Business Failed', 'ACQ.TRADE_NOT_EXIST', '交易不存在'])],
  ['encrypted response with the wrong AES key', 'ERR_DECRYPT_FAILED', (a) => {
    const ct = JSON.stringify(aesEncrypt(Buffer.alloc(16, 7), NODE));
    return a.parseResponse(METHOD, signedResponse(METHOD, ct, keyPairs().alipay.privateKey));
  }],
  ['encrypted response signed without its quotes', 'ERR_SIGNATURE_INVALID', (a) => {
    const ct = aesEncrypt(Buffer.from(AES_KEY, 'base64'), NODE);
    return a.parseResponse(METHOD, signedResponse(METHOD, JSON.stringify(ct), keyPairs().alipay.privateKey, { signedText: ct }));
  }],
  ['response body that is neither a string nor bytes', 'ERR_BAD_INPUT', (a) => a.parseResponse(METHOD, { body: NODE })],
  // Over the default 1 MiB limit (limits.maxInputBytes): refused before anything is parsed.
  ['huge (1 MB) unsigned response', 'ERR_INPUT_TOO_LARGE', (a) => a.parseResponse(METHOD, `{"alipay_trade_query_response":{"code":"10000","x":"${'x'.repeat(1 << 20)}"}}`)],
  ['huge (1 MB) response with a forged sign', 'ERR_INPUT_TOO_LARGE', (a) =>
    a.parseResponse(METHOD, `{"alipay_trade_query_response":{"code":"10000","x":"${'中'.repeat(400_000)}"},"sign":"${aliSign(NODE)}"}`)],
  ['huge (1 MB) run of open braces', 'ERR_INPUT_TOO_LARGE', (a) => a.parseResponse(METHOD, `{"alipay_trade_query_response":${'{'.repeat(1 << 20)}`)],
  // Just under the limit: parsed, and refused for what they are.
  ['large (900 KB) unsigned response', 'ERR_SIGNATURE_INVALID', (a) => a.parseResponse(METHOD, `{"alipay_trade_query_response":{"code":"10000","x":"${'x'.repeat(900_000)}"}}`)],
  ['large (900 KB) response with a forged sign', 'ERR_SIGNATURE_INVALID', (a) =>
    a.parseResponse(METHOD, `{"alipay_trade_query_response":{"code":"10000","x":"${'中'.repeat(300_000)}"},"sign":"${aliSign(NODE)}"}`)],
  ['large (900 KB) run of open braces', 'ERR_TOO_DEEP', (a) => a.parseResponse(METHOD, `{"alipay_trade_query_response":${'{'.repeat(900_000)}`)],
  ['large (800 KB) nesting, correctly signed', 'ERR_TOO_DEEP', (a) => {
    const deep = `{"code":"10000","x":${'['.repeat(400_000)}${']'.repeat(400_000)}}`;
    return a.parseResponse(METHOD, signedResponse(METHOD, deep, keyPairs().alipay.privateKey));
  }],
  ['huge (1 MB) body of invalid UTF-8 bytes', ['ERR_BAD_INPUT', 'ERR_RESPONSE_MALFORMED', 'ERR_CHARSET'], (a) => a.parseResponse(METHOD, new Uint8Array(1 << 20).fill(0xff))],

  // --- notifications
  ['notification without sign', 'ERR_SIGNATURE_INVALID', (a) => a.verifyNotify('app_id=2021000122671080&out_trade_no=T1&trade_status=TRADE_SUCCESS&sign_type=RSA2')],
  ['notification with an empty sign', 'ERR_SIGNATURE_INVALID', (a) => a.verifyNotify('out_trade_no=T1&sign=')],
  ['notification sign that is not base64', 'ERR_SIGNATURE_INVALID', (a) => a.verifyNotify('out_trade_no=T1&sign=***not*base64***')],
  ['notification signed by another key', 'ERR_SIGNATURE_INVALID', (a) => {
    const params = [['out_trade_no', 'T1'], ['total_amount', '0.01']];
    return a.verifyNotify(encodeForm([...params, ['sign', nodeSign(notifyContent(params, 'payment'), keyPairs().other.privateKey)]]));
  }],
  ['malformed % escape: lone %', 'ERR_BAD_INPUT', (a) => a.verifyNotify('out_trade_no=T1%&sign=AAAA')],
  ['malformed % escape: one hex digit', 'ERR_BAD_INPUT', (a) => a.verifyNotify('out_trade_no=T1%4&sign=AAAA')],
  ['malformed % escape: not hex', 'ERR_BAD_INPUT', (a) => a.verifyNotify('subject=%zz&sign=AAAA')],
  ['malformed % escape in a name', 'ERR_BAD_INPUT', (a) => a.verifyNotify('%g0=1&sign=AAAA')],
  ['malformed % escape in verifyReturn', 'ERR_BAD_INPUT', (a) => a.verifyReturn('?out_trade_no=%E4%B8&total_amount=%')],
  ['GBK body declared as UTF-8', 'ERR_CHARSET', (a) => {
    const params = [['charset', 'utf-8'], ['out_trade_no', 'T1'], ['subject', Buffer.from([0xd6, 0xd0, 0xce, 0xc4])]];
    const sign = nodeSign(notifyContent(params, 'payment'), keyPairs().alipay.privateKey);
    return a.verifyNotify(`charset=utf-8&out_trade_no=T1&subject=%D6%D0%CE%C4&sign=${encodeURIComponent(sign)}`);
  }],
  ['unsupported notification charset', 'ERR_CHARSET', (a) => a.verifyNotify('charset=latin1&out_trade_no=T1&sign=AAAA')],
  ['unsupported notification sign_type', 'ERR_BAD_INPUT', (a) => a.verifyNotify('sign_type=MD5&out_trade_no=T1&sign=AAAA')],
  ['unknown notify rule', 'ERR_BAD_INPUT', (a) => a.verifyNotify('out_trade_no=T1&sign=AAAA', { rule: 'v1' })],
  ['huge (1 MB) notification without sign', 'ERR_INPUT_TOO_LARGE', (a) => a.verifyNotify(`subject=${'%E4%B8%AD'.repeat(120_000)}&out_trade_no=T1`)],
  ['large (900 KB) notification without sign', 'ERR_SIGNATURE_INVALID', (a) => a.verifyNotify(`subject=${'%E4%B8%AD'.repeat(100_000)}&out_trade_no=T1`)],

  // --- amounts
  ['float amount (total_amount: 0.01) in buildTradeCreate', 'ERR_BAD_INPUT', (a) => a.buildTradeCreate({ out_trade_no: 'T1', total_amount: 0.01, subject: 's', buyer_id: '2088' })],
  ['float amount in buildRequest', 'ERR_BAD_INPUT', (a) => a.buildRequest('alipay.trade.precreate', { out_trade_no: 'T1', total_amount: 0.01, subject: 's' })],
  ['integer number amount (refund_amount: 1)', 'ERR_BAD_INPUT', (a) => a.buildTradeRefund({ out_trade_no: 'T1', refund_amount: 1 })],
  ['fractional minor units', 'ERR_BAD_INPUT', (a) => a.buildTradeRefund({ out_trade_no: 'T1', refund_amount: { minor: 1.5, currency: 'CNY' } })],
  ['negative minor units', 'ERR_BAD_INPUT', (a) => a.buildTradeRefund({ out_trade_no: 'T1', refund_amount: { minor: -1, currency: 'CNY' } })],
  ['amount object with an extra field', 'ERR_BAD_INPUT', (a) => a.buildTradeRefund({ out_trade_no: 'T1', refund_amount: { minor: 1, currency: 'CNY', yuan: 0.01 } })],
  ['unknown currency', 'ERR_BAD_INPUT', (a) => a.buildTradeRefund({ out_trade_no: 'T1', refund_amount: { minor: 1, currency: 'XYZ' } })],
  ['decimal string with 3 decimals', 'ERR_BAD_INPUT', (a) => a.buildTradeCreate({ out_trade_no: 'T1', total_amount: '0.001', subject: 's', buyer_id: '2088' })],
  ['negative decimal string', 'ERR_BAD_INPUT', (a) => a.buildTradeCreate({ out_trade_no: 'T1', total_amount: '-0.01', subject: 's', buyer_id: '2088' })],
  ['exponent decimal string', 'ERR_BAD_INPUT', (a) => a.buildTradeCreate({ out_trade_no: 'T1', total_amount: '1e2', subject: 's', buyer_id: '2088' })],
  ['BigInt minor units', 'ERR_BAD_INPUT', (a) => a.buildTradeRefund({ out_trade_no: 'T1', refund_amount: { minor: 1n, currency: 'CNY' } })],
  ['non-CNY { minor, currency } total_amount without trans_currency', 'ERR_BAD_INPUT', (a) =>
    a.buildTradeCreate({ out_trade_no: 'T1', total_amount: { minor: 100, currency: 'USD' }, subject: 's', buyer_id: '2088' })],
  ['non-CNY { minor, currency } refund_amount (JPY)', 'ERR_BAD_INPUT', (a) => a.buildTradeRefund({ out_trade_no: 'T1', refund_amount: { minor: 100, currency: 'JPY' } })],

  // --- typed builders: missing required fields
  ...[
    ['buildTradeCreate without out_trade_no', (a) => a.buildTradeCreate({ total_amount: '0.01', subject: 's', buyer_id: '2088' })],
    ['buildTradeCreate without total_amount', (a) => a.buildTradeCreate({ out_trade_no: 'T1', subject: 's', buyer_id: '2088' })],
    ['buildTradeCreate without subject', (a) => a.buildTradeCreate({ out_trade_no: 'T1', total_amount: '0.01', buyer_id: '2088' })],
    ['buildTradeCreate with an empty subject', (a) => a.buildTradeCreate({ out_trade_no: 'T1', total_amount: '0.01', subject: '', buyer_id: '2088' })],
    ['buildTradeCreate without a buyer', (a) => a.buildTradeCreate({ out_trade_no: 'T1', total_amount: '0.01', subject: 's' })],
    ['buildTradeCreate with both buyer_id and buyer_open_id', (a) => a.buildTradeCreate({ out_trade_no: 'T1', total_amount: '0.01', subject: 's', buyer_id: '2088', buyer_open_id: '074a' })],
    ['buildTradeCreate with a string biz', (a) => a.buildTradeCreate('{"out_trade_no":"T1"}')],
    ['buildTradeCreate without biz', (a) => a.buildTradeCreate()],
    ['buildTradeQuery without out_trade_no or trade_no', (a) => a.buildTradeQuery({ query_options: ['fund_bill_list'] })],
    ['buildTradeQuery with empty ids', (a) => a.buildTradeQuery({ out_trade_no: '', trade_no: null })],
    ['buildTradeClose without out_trade_no or trade_no', (a) => a.buildTradeClose({ operator_id: 'op' })],
    ['buildTradeRefund without refund_amount', (a) => a.buildTradeRefund({ out_trade_no: 'T1', out_request_no: 'R1' })],
    ['buildTradeRefund without out_trade_no or trade_no', (a) => a.buildTradeRefund({ refund_amount: '0.01' })],
    ['buildRefundQuery without out_request_no', (a) => a.buildRefundQuery({ out_trade_no: 'T1' })],
    ['buildRefundQuery without out_trade_no or trade_no', (a) => a.buildRefundQuery({ out_request_no: 'R1' })],
    ['buildTradePrecreate without subject', (a) => a.buildTradePrecreate({ out_trade_no: 'T1', total_amount: '0.01' })],
    ['buildTradePrecreate without total_amount', (a) => a.buildTradePrecreate({ out_trade_no: 'T1', subject: 's' })],
    ['buildTradePrecreate without out_trade_no', (a) => a.buildTradePrecreate({ total_amount: '0.01', subject: 's' })],
    ['buildWapPay without out_trade_no', (a) => a.buildWapPay({ total_amount: '0.01', subject: 's' }, {})],
    ['buildWapPay without total_amount', (a) => a.buildWapPay({ out_trade_no: 'T1', subject: 's' }, {})],
    ['buildWapPay without subject', (a) => a.buildWapPay({ out_trade_no: 'T1', total_amount: '0.01' }, {})],
    ['buildOauthToken without code or refreshToken', (a) => a.buildOauthToken({})],
    ['buildOauthToken with both code and refreshToken', (a) => a.buildOauthToken({ code: 'c', refreshToken: 'r' })],
    ['buildOauthToken with an empty code', (a) => a.buildOauthToken({ code: '' })],
    ['buildOauthToken with an unknown field', (a) => a.buildOauthToken({ auth_code: 'c' })],
    ['buildV3Request without path', (a) => a.buildV3Request({ method: 'POST' })],
    ['buildV3Request with a relative path', (a) => a.buildV3Request({ path: 'v3/alipay/trade/query' })],
    ['buildV3Request with an unsupported HTTP method', (a) => a.buildV3Request({ method: 'TRACE', path: '/v3/x' })],
    ['tradePayParams without trade_no', (a) => a.tradePayParams({ code: '10000', out_trade_no: 'T1' })],
    ['buildRequest with an invalid method name', (a) => a.buildRequest('alipay.trade.query&x=1', '{}')],
    ['buildRequest with an array biz_content', (a) => a.buildRequest(METHOD, [1, 2])],
    ['encrypt: true without biz_content', (a) => a.buildRequest(METHOD, undefined, { encrypt: true })],
  ].map(([name, run]) => [name, 'ERR_BAD_INPUT', run]),

  // --- options and configuration
  ['unknown request option (notify_url instead of notifyUrl)', 'ERR_BAD_INPUT', (a) => a.buildTradeQuery({ out_trade_no: 'T1' }, { notify_url: 'https://x' })],
  ['options.params overriding a parameter aggpay sets', 'ERR_BAD_INPUT', (a) => a.buildTradeQuery({ out_trade_no: 'T1' }, { params: { sign_type: 'RSA' } })],
  ['options.params with a non-string value', 'ERR_BAD_INPUT', (a) => a.buildTradeQuery({ out_trade_no: 'T1' }, { params: { terminal_info: 5 } })],
  ['timestamp that is not a number', 'ERR_BAD_INPUT', (a) => a.buildTradeQuery({ out_trade_no: 'T1' }, { timestamp: '2024-01-01 12:00:00' })],
  ['negative timestamp', 'ERR_BAD_INPUT', (a) => a.buildTradeQuery({ out_trade_no: 'T1' }, { timestamp: -1 })],
  ['NaN timestamp (must not silently become now)', 'ERR_BAD_INPUT', (a) => a.buildTradeQuery({ out_trade_no: 'T1' }, { timestamp: NaN })],
  ['Infinity timestamp (must not silently become now)', 'ERR_BAD_INPUT', (a) => a.buildTradeQuery({ out_trade_no: 'T1' }, { timestamp: Infinity })],
  ['unknown v3 option', 'ERR_BAD_INPUT', (a) => a.buildV3Request({ path: '/v3/x', headers: {} })],
  ['unknown config option', 'ERR_BAD_INPUT', (a, engine) => makeAlipay(engine, { alipayPublickey: keyPairs().alipay.spkiPem })],
  ['unknown config option (snake_case)', 'ERR_BAD_INPUT', (a, engine) => makeAlipay(engine, { private_key: keyPairs().app.pkcs8Pem })],
  ['unsupported signType', 'ERR_BAD_INPUT', (a, engine) => makeAlipay(engine, { signType: 'RSA3' })],
  ['gateway that is not a URL', 'ERR_BAD_INPUT', (a, engine) => makeAlipay(engine, { gateway: 'openapi.alipay.com/gateway.do' })],
  ['gateway with a query string', 'ERR_BAD_INPUT', (a, engine) => makeAlipay(engine, { gateway: 'https://openapi.alipay.com/gateway.do?charset=utf-8' })],
  ['both public-key and certificate mode', 'ERR_BAD_INPUT', (a, engine) => makeAlipay(engine, { appCert: readAlipayFixture('sdk-nodejs/appCertPublicKey_2021001161683774.crt') })],
  ['no key at all', 'ERR_BAD_INPUT', (a, engine) => new Alipay({ appId: '2021', engine })],
  ['a sign-only client verifying', 'ERR_NO_PROVIDER_KEY', (a, engine) =>
    new Alipay({ appId: '2021', privateKey: keyPairs().app.pkcs8Pem, engine }).verifyNotify('a=1&sign=AAAA')],
  ['a verify-only client building', 'ERR_VERIFY_ONLY', (a, engine) =>
    new Alipay({ appId: '2021', alipayPublicKey: keyPairs().alipay.spkiPem, engine }).buildTradeQuery({ out_trade_no: '1' })],
  ['a certificate-mode signer without alipayRootCert', 'ERR_BAD_INPUT', (a, engine) =>
    new Alipay({ appId: '2021', privateKey: keyPairs().app.pkcs8Pem, appCert: readAlipayFixture('sdk-nodejs/appCertPublicKey_2021001161683774.crt'), engine })],
  ['AES key of the wrong length', 'ERR_KEY_INVALID', (a, engine) => makeAlipay(engine, { encryptKey: Buffer.alloc(32, 1).toString('base64') })],
  ["the app's own public key as alipayPublicKey", 'ERR_KEY_MISMATCH', (a, engine) => makeAlipay(engine, { alipayPublicKey: keyPairs().app.spkiPem })],
  ["the app's own public key as alipayPublicKey (PKCS#1, bare base64)", 'ERR_KEY_MISMATCH', (a, engine) =>
    makeAlipay(engine, { alipayPublicKey: Buffer.from(keyPairs().app.pkcs1PublicDer).toString('base64') })],
  ["the app's private key as alipayPublicKey", ['ERR_KEY_INVALID', 'ERR_KEY_MISMATCH'], (a, engine) => makeAlipay(engine, { alipayPublicKey: keyPairs().app.pkcs8Pem })],
  ['a public key as privateKey', 'ERR_KEY_INVALID', (a, engine) => makeAlipay(engine, { privateKey: keyPairs().app.spkiPem })],
  ['a truncated private key', 'ERR_KEY_INVALID', (a, engine) => makeAlipay(engine, { privateKey: keyPairs().app.pkcs8Pem.slice(0, 900) + '\n-----END PRIVATE KEY-----\n' })],

  // --- certificate mode
  ['a wrong alipay_cert_sn in a certificate-mode response', 'ERR_CERT_SN_MISMATCH', (a, engine) => {
    const cert = new Alipay({
      appId: '2021001161683774', privateKey: keyPairs().app.pkcs8Pem, engine,
      appCert: readAlipayFixture('sdk-nodejs/appCertPublicKey_2021001161683774.crt'),
      alipayCert: readAlipayFixture('sdk-nodejs/alipayCertPublicKey_RSA2.crt'),
      alipayRootCert: readAlipayFixture('sdk-nodejs/alipayRootCert.crt'),
    });
    assert.equal(cert.alipayCertSn, '7513daaaa48aa3ba2e4018d84402479c');
    try {
      return cert.parseResponse(METHOD, signedResponse(METHOD, NODE, keyPairs().alipay.privateKey, { certSn: '0513daaaa48aa3ba2e4018d84402479c' }));
    } finally {
      cert.free();
    }
  }, (e) => assert.match(e.message, /0513daaaa48aa3ba2e4018d84402479c/)],
];

for (const engine of ENGINES) {
  describe(`bad input on engine ${engine}: own error code, no key material, client still usable`, () => {
    const alipay = client(engine);
    const { app } = keyPairs();
    const fragments = secrets();

    it('the shared client works before any bad input', () => assertStillSigns(alipay, app.privateKey, 'baseline'));

    for (const [name, code, run, check] of CASES) {
      it(name, () => {
        const err = expectAggpayError(() => run(alipay, engine), code, `${name} (engine ${engine})`);
        assert.ok(err instanceof AggpayError);
        assert.ok(err.message.length > 0 && err.message.length < 2000, `${name}: a short message`);
        check?.(err);
        assertNoKeyMaterial(err, fragments, name);
        assertStillSigns(alipay, app.privateKey, `${name} (engine ${engine})`);
      });
    }

    it('every truncation of a signed response is ERR_RESPONSE_MALFORMED', () => {
      const raw = signedResponse(METHOD, NODE, keyPairs().alipay.privateKey, { certSn: 'abc' });
      assert.deepEqual(alipay.parseResponse(METHOD, raw), JSON.parse(NODE), 'the whole response is fine');
      for (let n = 0; n < raw.length; n++) {
        const err = expectAggpayError(() => alipay.parseResponse(METHOD, raw.slice(0, n)), 'ERR_RESPONSE_MALFORMED', `first ${n} chars`);
        if (n % 97 === 0) assertNoKeyMaterial(err, fragments, `truncated at ${n}`);
      }
      assertStillSigns(alipay, app.privateKey, 'after truncations');
    });

    it('error messages name the problem, never the key: a garbage key with a real key inside', () => {
      const pemBody = app.pkcs8Pem.split('\n').slice(1, -2).join('\n');
      for (const privateKey of [`${pemBody.slice(0, 500)}!!!${pemBody.slice(500)}`, `-----BEGIN PRIVATE KEY-----\n${pemBody.slice(0, 800)}\n-----END PRIVATE KEY-----`]) {
        const err = expectAggpayError(() => makeAlipay(engine, { privateKey }), 'ERR_KEY_INVALID', 'mangled private key');
        assertNoKeyMaterial(err, fragments, 'mangled private key');
      }
      assertStillSigns(alipay, app.privateKey, 'after mangled keys');
    });
  });
}
