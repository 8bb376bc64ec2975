// UseePay V1 gateway ("form + sign") through the public API, checked against the shared vectors and
// against an independent implementation of the documented rule on node:crypto:
// string to sign = every field but `sign`, values empty after trimming left out, names sorted
// byte-wise, raw values joined `k=v&…`; MD5 = md5(string + "&pkey=KEY") lower hex; RSA =
// base64(SHA256withRSA(string)). RSA runs on both engines ('wasm' and 'node').
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UseePay, AggpayError } from 'aggpay';
import { fixturesDir, makeRng, ctx, expectAggpayError, expectedUseePayOutcome } from './helpers.mjs';

// ---------------------------------------------------------------------------------------------
// Fixtures and reference implementation.

const UDIR = path.join(fixturesDir, 'useepay');
const VECTORS = JSON.parse(fs.readFileSync(path.join(UDIR, 'vectors.json'), 'utf8')).vectors;
const pem = (name) => fs.readFileSync(path.join(UDIR, name), 'utf8');
const MERCHANT_PRIVATE = pem('test-merchant-private.pem');
const MERCHANT_PUBLIC = pem('test-merchant-public.pem');
const USEEPAY_PRIVATE = pem('test-useepay-private.pem');
const USEEPAY_PUBLIC = pem('test-useepay-public.pem');
const merchantKey = crypto.createPrivateKey(MERCHANT_PRIVATE);
const useepayKey = crypto.createPrivateKey(USEEPAY_PRIVATE);

const MERCHANT_NO = '500000000007362';
const APP_ID = 'shop.example.com';
const NOTIFY = 'https://shop.example.com/useepay/notify';
/** A distinctive MD5 key, so that a leak into an error message is recognizable. */
const SECRET_MD5 = 'Md5Key-9f8e7d6c5b4a-SECRET';
const ENGINES = ['wasm', 'node'];

/** Every secret that must never show in an error: MD5 keys and windows of the private keys' base64. */
const SECRETS = [SECRET_MD5, 'test_md5_key_123'];
for (const text of [MERCHANT_PRIVATE, USEEPAY_PRIVATE]) {
  const body = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  for (let i = 0; i + 16 <= body.length; i += 8) SECRETS.push(body.slice(i, i + 16));
}

/** expectAggpayError + no secret in any string property of the error. */
function expectErr(fn, codes, what) {
  const e = expectAggpayError(fn, codes, what);
  const texts = [e.message, String(e.stack ?? ''), ...Object.values(e).filter((v) => typeof v === 'string')];
  for (const secret of SECRETS) {
    for (const t of texts) assert.ok(!t.includes(secret), `${what}: error text leaks key material (${JSON.stringify(secret.slice(0, 6))}…): ${t}`);
  }
  return e;
}

const byteCompare = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The string to sign, computed independently. `pairs`: [name, value][]. */
function signContent(pairs, { exact = false } = {}) {
  return pairs
    .filter(([k, v]) => k !== 'sign' && (exact ? v !== '' : v.trim() !== ''))
    .sort((a, b) => byteCompare(a[0], b[0]))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}
const md5Hex = (content, key) => crypto.createHash('md5').update(`${content}&pkey=${key}`, 'utf8').digest('hex');
const rsaB64 = (content, key) => crypto.sign('sha256', Buffer.from(content, 'utf8'), key).toString('base64');

const formEncode = (pairs) => new URLSearchParams(pairs).toString();
const formDecode = (body) => [...new URLSearchParams(body)];

// ---------------------------------------------------------------------------------------------
// Clients: one MD5 set-up and one RSA set-up per engine. `requestSign` is what the merchant side
// must produce; `gatewaySign` is UseePay's signature (node:crypto standing in for UseePay).

function md5Client(extra = {}) {
  return new UseePay({ merchantNo: MERCHANT_NO, appId: APP_ID, signType: 'MD5', md5Key: SECRET_MD5, notifyUrl: NOTIFY, ...extra });
}
function rsaClient(engine, extra = {}) {
  return new UseePay({
    merchantNo: MERCHANT_NO, appId: APP_ID, signType: 'RSA', privateKey: MERCHANT_PRIVATE, useepayPublicKey: USEEPAY_PUBLIC,
    notifyUrl: NOTIFY, engine, ...extra,
  });
}

const SETUPS = [
  { name: 'MD5', signType: 'MD5', make: (extra) => md5Client(extra), requestSign: (c) => md5Hex(c, SECRET_MD5), gatewaySign: (c) => md5Hex(c, SECRET_MD5) },
  ...ENGINES.map((engine) => ({
    name: `RSA/${engine}`, signType: 'RSA', engine,
    make: (extra) => rsaClient(engine, extra),
    requestSign: (c) => rsaB64(c, merchantKey),
    gatewaySign: (c) => rsaB64(c, useepayKey),
  })),
];

/** Fields (object of strings) plus `sign` computed by the gateway stand-in, as pairs. */
function gatewayPairs(setup, fields, opts) {
  const pairs = Object.entries(fields);
  return [...pairs, ['sign', setup.gatewaySign(signContent(pairs, opts))]];
}
/** Same, as an object. */
function gatewaySigned(setup, fields, opts) {
  return Object.fromEntries(gatewayPairs(setup, fields, opts));
}

/** JSON the way PHP's json_encode writes it: `\/` and `\uXXXX` for everything non-ASCII. */
function phpJson(value) {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
const JSON_STYLES = {
  plain: (o) => JSON.stringify(o),
  php: phpJson,
  pretty: (o) => JSON.stringify(o, null, 2),
};

let serial = 0;
/** A fresh notification for this set-up, signed by the gateway stand-in. */
function freshNotification(setup) {
  serial += 1;
  return {
    version: '1.0', merchantNo: MERCHANT_NO, transactionId: `T${serial}`, transactionType: 'pay', amount: String(100 + serial),
    currency: 'HKD', resultCode: 'succeed', errorCode: '0000', errorMsg: 'Approved or completed successfully',
    reference: `R${serial}`, signType: setup.signType,
  };
}

/** After an error: the same client still builds a correctly signed request and verifies a fresh notification. */
function assertUsable(client, setup, what) {
  const req = client.buildQuery({ transactionId: `Q${++serial}` });
  const pairs = formDecode(req.body);
  const sign = pairs.find(([k]) => k === 'sign')[1];
  assert.equal(sign, setup.requestSign(signContent(pairs)), `${what}: client still signs correctly afterwards`);
  const fields = freshNotification(setup);
  const { event } = client.verifyNotify(formEncode(gatewayPairs(setup, fields)));
  assert.equal(event.transactionId, fields.transactionId, `${what}: client still verifies afterwards`);
  assert.equal(event.paid, true, `${what}: client still verifies afterwards`);
}

// ---------------------------------------------------------------------------------------------
// Random field sets.

const VALUE_PIECES = [
  '中文商品', '咖啡 拿铁', 'a b  c', 'x&y=z', 'a=b', '100%', '%41%2B', '%zz', '1+1', 'a+b=c&d', '😀', '¥12',
  '{"subject":"咖啡 \\"大杯\\"","tags":["a","b"],"n":{"x":1}}', '"quoted"', "it's", '[1,2]', '\\', '/path/to?x=1&y=2',
  'ab/cd+ef==', 'https://shop.example.com/r?a=1&b=%20', '~*-._', 'e\u0301', 'new\nline', 'tab\tin',
];
const WHITESPACE_ONLY = [' ', '  ', '\t', '\n', '\r\n', ' \t \r\n '];

function randomValue(rng) {
  const r = rng.int(0, 99);
  if (r < 12) return rng.pick(WHITESPACE_ONLY);
  if (r < 17) return '0';
  if (r < 22) return '';
  if (r < 28) return JSON.stringify({ subject: rng.pick(VALUE_PIECES), q: '"{}"', path: '/a/b', u: '中' });
  let s = '';
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) s += rng.pick(VALUE_PIECES) + (rng.int(0, 3) === 0 ? ' ' : '');
  if (rng.int(0, 5) === 0) s = ` ${s}`;
  return s;
}

const RESERVED = new Set(['version', 'merchantNo', 'transactionType', 'signType', 'sign', 'notifyUrl', 'amount', 'currency',
  'resultCode', 'errorCode', 'errorMsg', 'transactionId', 'originalTransactionId', 'reference']);
const NAME_POOL = ['payerInfo', 'orderInfo', 'userInfo', 'echoParam', 'reserved', 'appId', 'terminalType', 'B', 'Z_9', 'a', 'aa', 'a_b', 'AB', 'zZ'];

function randomFields(rng, count = rng.int(3, 10)) {
  const out = {};
  while (Object.keys(out).length < count) {
    let name = rng.pick(NAME_POOL);
    if (rng.int(0, 1)) {
      const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789';
      name = 'f' + Array.from({ length: rng.int(0, 6) }, () => letters[rng.int(0, letters.length - 1)]).join('');
    }
    if (RESERVED.has(name)) continue;
    out[name] = randomValue(rng);
  }
  return out;
}

/** A copy of `pairs` with one value changed so that the string to sign changes (one ASCII byte). */
function tamperOne(pairs, rng) {
  const candidates = pairs
    .map(([k, v], i) => ({ k, v, i }))
    .filter(({ k, v }) => k !== 'sign' && v.trim() !== '' && /[\x21-\x7e]/.test(v));
  const { k, v, i } = rng.pick(candidates);
  const positions = [...v].map((ch, j) => (/[\x21-\x7e]/.test(ch) ? j : -1)).filter((j) => j >= 0);
  const chars = [...v];
  const j = rng.pick(positions);
  chars[j] = chars[j] === 'Q' ? 'R' : 'Q';
  const out = pairs.map((p) => [...p]);
  out[i][1] = chars.join('');
  return { pairs: out, field: k };
}

/** Checks a built request: exact once-decoded fields, exact form encoding, exact sign. */
function checkRequest(setup, req, expectedFields, what, { exact = false, path = '/api' } = {}) {
  assert.equal(req.method, 'POST', what);
  assert.equal(req.url, `https://pay-gateway.useepay.com${path}`, what);
  assert.deepEqual(req.headers, { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, what);
  const pairs = formDecode(req.body);
  assert.equal(formEncode(pairs), req.body, `${what}: body is standard form encoding of its own fields`);
  const names = pairs.map(([k]) => k);
  assert.equal(new Set(names).size, names.length, `${what}: every field exactly once: ${names}`);
  const got = Object.fromEntries(pairs);
  const sign = got.sign;
  delete got.sign;
  assert.deepEqual(got, expectedFields, `${what}: fields round-trip exactly (decoded once)`);
  const content = signContent(pairs, { exact });
  assert.equal(sign, setup.requestSign(content), `${what}: sign over ${JSON.stringify(content)}`);
  if (setup.signType === 'RSA') {
    assert.ok(crypto.verify('sha256', Buffer.from(content, 'utf8'), MERCHANT_PUBLIC, Buffer.from(sign, 'base64')), `${what}: RSA sign verifies with node:crypto`);
  }
  return { pairs, sign, content };
}

const envelope = (setup, transactionType) => ({ version: '1.0', merchantNo: MERCHANT_NO, transactionType, signType: setup.signType });

// ---------------------------------------------------------------------------------------------
// 1. The shared vectors.

describe('shared vectors (fixtures/useepay/vectors.json)', () => {
  const handled = new Set();
  const vectorClientMd5 = (v) =>
    new UseePay({ merchantNo: v.params.merchantNo ?? MERCHANT_NO, appId: 'www.pay.com', signType: 'MD5', md5Key: v.md5_key });

  /** buildJsapiPay arguments reproducing a JSAPI request vector's params. */
  function jsapiArgs(params) {
    const payer = JSON.parse(params.payerInfo);
    return {
      transactionId: params.transactionId,
      amount: { minor: Number(params.amount), currency: params.currency },
      subAppId: payer.sub_appid,
      subOpenId: payer.sub_openid,
      subject: JSON.parse(params.orderInfo).subject,
      notifyUrl: params.notifyUrl,
      echoParam: params.echoParam,
      expirationMinutes: Number(params.transactionExpirationTime),
    };
  }
  /** The vector params without empty values (what is actually sent). */
  const sentParams = (params) => Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ''));

  for (const v of VECTORS) {
    const what = `vector ${v.id}`;
    if (v.kind === 'md5-sign' && v.params.payerInfo) {
      handled.add(v.id);
      test(`${v.id}: buildJsapiPay signs ${v.expect}`, () => {
        assert.equal(signContent(Object.entries(v.params)) + `&pkey=${v.md5_key}`, v.sign_content, `${what}: reference rule`);
        const client = new UseePay({ merchantNo: v.params.merchantNo, appId: v.params.appId, signType: 'MD5', md5Key: v.md5_key });
        const req = client.buildJsapiPay(jsapiArgs(v.params));
        const pairs = formDecode(req.body);
        const got = Object.fromEntries(pairs);
        assert.equal(got.sign, v.expect, what);
        delete got.sign;
        assert.deepEqual(got, sentParams(v.params), `${what}: exactly the vector's fields are sent`);
      });
    } else if (v.kind === 'md5-sign') {
      handled.add(v.id);
      test(`${v.id}: string to sign and MD5 by node:crypto; a notification of these fields verifies`, () => {
        const pairs = Object.entries(v.params);
        assert.equal(`${signContent(pairs)}&pkey=${v.md5_key}`, v.sign_content, `${what}: string to sign`);
        assert.equal(md5Hex(signContent(pairs), v.md5_key), v.expect, `${what}: MD5`);
        const client = vectorClientMd5(v);
        const body = formEncode([...pairs, ['sign', v.expect]]);
        const { event, reply } = client.verifyNotify(body);
        assert.deepEqual(event.fields, { ...v.params, sign: v.expect }, `${what}: fields`);
        assert.deepEqual(reply, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'OK' }, `${what}: reply`);
        // One changed byte is refused.
        const [name] = pairs.find(([k, val]) => k !== 'signType' && val.trim() !== '');
        const tampered = pairs.map(([k, val]) => [k, k === name ? val + '1' : val]);
        expectErr(() => client.verifyNotify(formEncode([...tampered, ['sign', v.expect]])), 'ERR_SIGNATURE_INVALID', `${what}: tampered`);
      });
    } else if (v.kind === 'md5-verify') {
      handled.add(v.id);
      test(`${v.id}: verifyNotify → ${v.expect}`, () => {
        const client = vectorClientMd5(v);
        const body = formEncode(Object.entries(v.params));
        if (v.expect === 'valid') {
          const { event } = client.verifyNotify(body);
          assert.deepEqual(event.fields, v.params, what);
          assert.deepEqual({ ...event, fields: undefined }, { ...expectedUseePayOutcome(v.params), fields: undefined }, what);
          // Also as bytes.
          assert.deepEqual(client.verifyNotify(new Uint8Array(Buffer.from(body))).event.fields, v.params, `${what} (bytes)`);
        } else {
          expectErr(() => client.verifyNotify(body), 'ERR_SIGNATURE_INVALID', what);
        }
      });
    } else if (v.kind === 'rsa-sign') {
      handled.add(v.id);
      for (const engine of ENGINES) {
        test(`${v.id} [${engine}]: buildJsapiPay signs the expected base64`, () => {
          assert.equal(signContent(Object.entries(v.params)), v.sign_content, `${what}: reference rule`);
          assert.equal(rsaB64(v.sign_content, crypto.createPrivateKey(pem(v.private_key))), v.expect, `${what}: node:crypto agrees`);
          const client = new UseePay({
            merchantNo: v.params.merchantNo, appId: v.params.appId, signType: 'RSA', engine,
            privateKey: pem(v.private_key), useepayPublicKey: USEEPAY_PUBLIC,
          });
          assert.equal(client.engine, engine);
          assert.equal(client.signType, 'RSA');
          const got = Object.fromEntries(formDecode(client.buildJsapiPay(jsapiArgs(v.params)).body));
          assert.equal(got.sign, v.expect, what);
          delete got.sign;
          assert.deepEqual(got, sentParams(v.params), `${what}: exactly the vector's fields are sent`);
        });
      }
    } else if (v.kind === 'notify-verify-rsa') {
      handled.add(v.id);
      for (const engine of ENGINES) {
        test(`${v.id} [${engine}]: ${v.expect}`, () => {
          assert.equal(signContent(Object.entries(v.params)), v.sign_content, `${what}: reference rule`);
          const body = v.form_body ?? formEncode(Object.entries(v.params));
          if (v.form_body) assert.deepEqual(formDecode(v.form_body), Object.entries(v.params), `${what}: form_body matches params`);
          if (v.public_key === 'test-merchant-public.pem') {
            // Wrong key: the merchant's own public key configured as UseePay's is refused at once.
            expectErr(
              () => new UseePay({ merchantNo: MERCHANT_NO, appId: APP_ID, signType: 'RSA', engine, privateKey: MERCHANT_PRIVATE, useepayPublicKey: pem(v.public_key) }),
              'ERR_KEY_MISMATCH', `${what}: own key as useepayPublicKey`);
            // And a client that really holds the wrong verification key refuses the notification.
            const other = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
            const client = new UseePay({ merchantNo: MERCHANT_NO, appId: APP_ID, signType: 'RSA', engine, privateKey: other, useepayPublicKey: pem(v.public_key) });
            expectErr(() => client.verifyNotify(body), 'ERR_SIGNATURE_INVALID', `${what}: verified with the merchant key`);
            return;
          }
          const client = rsaClient(engine, { useepayPublicKey: pem(v.public_key) });
          if (v.expect === 'valid') {
            const { event } = client.verifyNotify(body);
            assert.deepEqual(event.fields, v.params, what);
            assert.equal(event.paid, true, what);
            assert.deepEqual(event.amount, { minor: 1234, currency: 'HKD' }, what);
          } else {
            expectErr(() => client.verifyNotify(body), 'ERR_SIGNATURE_INVALID', what);
          }
        });
      }
    }
  }

  test('every vector was exercised', () => {
    assert.deepEqual(VECTORS.map((v) => v.id).filter((id) => !handled.has(id)), []);
    assert.equal(handled.size, VECTORS.length);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Cross-checks with node:crypto on random field sets.

for (const setup of SETUPS) {
  const rounds = setup.signType === 'MD5' ? 40 : 12;
  describe(`cross-check with node:crypto [${setup.name}]`, () => {
    const client = setup.make();
    const exactClient = setup.make({ emptyValues: 'exact' });

    test('buildRequest: exact sign, every field once, once-decoded', () => {
      assert.equal(client.engine, setup.engine ?? 'none', 'engine in use');
      assert.equal(client.signType, setup.signType);
      const rng = makeRng(`build-${setup.name}`);
      for (let i = 0; i < rounds; i++) {
        const fields = randomFields(rng);
        const what = ctx(`round ${i} fields ${JSON.stringify(fields)}`);
        const req = client.buildRequest('pay', fields);
        checkRequest(setup, req, { ...envelope(setup, 'pay'), ...fields, notifyUrl: NOTIFY }, what);
      }
    });

    test("emptyValues 'exact' keeps whitespace-only values in the string to sign", () => {
      const rng = makeRng(`exact-${setup.name}`);
      for (let i = 0; i < Math.ceil(rounds / 2); i++) {
        const fields = { ...randomFields(rng), ws: rng.pick(WHITESPACE_ONLY), empty: '' };
        const what = ctx(`round ${i} fields ${JSON.stringify(fields)}`);
        const { content } = checkRequest(setup, exactClient.buildRequest('pay', fields), { ...envelope(setup, 'pay'), ...fields, notifyUrl: NOTIFY }, what, { exact: true });
        assert.ok(content.includes(`&ws=${fields.ws}`) || content.startsWith(`ws=${fields.ws}`), `${what}: ws kept`);
        assert.ok(!/(^|&)empty=/.test(content), `${what}: "" still left out`);
        // A notification signed the 'exact' way verifies on the exact client, not on the default one.
        const note = { ...freshNotification(setup), ...fields };
        const body = formEncode(gatewayPairs(setup, note, { exact: true }));
        assert.deepEqual(exactClient.verifyNotify(body).event.fields.ws, fields.ws, what);
        expectErr(() => client.verifyNotify(body), 'ERR_SIGNATURE_INVALID', `${what}: trim client`);
      }
    });

    test('notifications signed by node:crypto verify with every field; one changed byte is refused', () => {
      const rng = makeRng(`notify-${setup.name}`);
      for (let i = 0; i < rounds; i++) {
        const resultCode = rng.pick(['succeed', 'pending', 'failed', 'closed', 'cancelled', 'pending_review']);
        const fields = { ...freshNotification(setup), resultCode, ...randomFields(rng) };
        const what = ctx(`round ${i} fields ${JSON.stringify(fields)}`);
        const pairs = gatewayPairs(setup, fields);
        for (let j = pairs.length - 1; j > 0; j--) { // arrival order is arbitrary
          const k = rng.int(0, j);
          [pairs[j], pairs[k]] = [pairs[k], pairs[j]];
        }
        const body = formEncode(pairs);
        const input = rng.int(0, 1) ? body : new Uint8Array(Buffer.from(body, 'utf8'));
        const { event, reply } = client.verifyNotify(input);
        assert.deepEqual(event, { ...expectedUseePayOutcome(fields), fields: Object.fromEntries(pairs) }, what);
        assert.equal(event.paid, resultCode === 'succeed', what);
        assert.deepEqual(reply, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'OK' }, what);
        const { pairs: bad, field } = tamperOne(pairs, rng);
        expectErr(() => client.verifyNotify(formEncode(bad)), 'ERR_SIGNATURE_INVALID', `${what}: ${field} changed`);
        // The sign itself changed by one character.
        const signAt = pairs.findIndex(([k]) => k === 'sign');
        const s = pairs[signAt][1];
        const badSign = pairs.map((p, idx) => (idx === signAt ? ['sign', s.slice(0, 3) + (s[3] === 'a' ? 'b' : 'a') + s.slice(4)] : p));
        expectErr(() => client.verifyNotify(formEncode(badSign)), 'ERR_SIGNATURE_INVALID', `${what}: sign changed`);
      }
    });

    test('JSAPI responses signed by node:crypto: parseJsapiPay gives the exact wx.requestPayment object', () => {
      const rng = makeRng(`jsapi-${setup.name}`);
      for (let i = 0; i < rounds; i++) {
        const ts = 1700000000 + i;
        const tsAsNumber = rng.int(0, 1) === 1;
        const nonceKey = rng.pick(['nonceStr', 'noceStr']);
        const paySign = crypto.randomBytes(48).toString('base64'); // has / and + most of the time
        const rp = {
          appId: 'wx1234567890abcdef', timeStamp: tsAsNumber ? ts : String(ts), [nonceKey]: `n${i}/Ab+c`,
          package: `prepay_id=wx${i}2016/中`, signType: 'RSA', paySign, note: '说明 "quoted" {brace} / \\ end',
        };
        const redirectParam = rng.int(0, 1) ? JSON.stringify(rp) : phpJson(rp);
        const fields = {
          resultCode: rng.pick(['pending', 'received']), errorCode: '0000', errorMsg: 'Approved or completed successfully',
          transactionType: 'pay', transactionId: `T${i}`, reference: `10121${i}`, amount: '100', currency: 'HKD',
          echoParam: randomValue(rng), redirectParam, signType: setup.signType, merchantNo: MERCHANT_NO,
        };
        const style = rng.pick(Object.keys(JSON_STYLES));
        const raw = JSON_STYLES[style](gatewaySigned(setup, fields));
        const what = ctx(`round ${i} (${style}) ${raw.slice(0, 200)}`);
        const got = client.parseJsapiPay(rng.int(0, 1) ? raw : new Uint8Array(Buffer.from(raw)));
        assert.deepEqual(got, {
          ...expectedUseePayOutcome(fields),
          requestPayment: { timeStamp: String(ts), nonceStr: `n${i}/Ab+c`, package: `prepay_id=wx${i}2016/中`, signType: 'RSA', paySign },
        }, what);
        assert.equal(typeof got.requestPayment.timeStamp, 'string', what);
        assert.equal(got.paid, false, `${what}: an order reply is never paid`);
        // parseResponse: every field raw (the JSON-string fields as the exact text signed).
        assert.deepEqual(client.parseResponse(raw), { fields: gatewaySigned(setup, fields), result: expectedUseePayOutcome(fields) }, what);
        // One changed byte inside redirectParam's text is refused.
        const tampered = JSON_STYLES[style]({ ...gatewaySigned(setup, fields), redirectParam: redirectParam.replace('RSA', 'RSB') });
        expectErr(() => client.parseJsapiPay(tampered), 'ERR_SIGNATURE_INVALID', `${what}: tampered redirectParam`);
      }
    });

    test('query responses: the order state comes from transactionInfo; paid only for succeed', () => {
      const rng = makeRng(`query-${setup.name}`);
      const states = ['succeed', 'pending', 'closed', 'failed', 'cancelled', 'received', 'pending_review'];
      for (let i = 0; i < states.length; i++) {
        const state = states[i];
        const info = {
          transactionType: 'sale', reference: `1012110141401650${i}`, amount: '2000', currency: 'HKD', originalTransactionId: '',
          resultCode: state, errorCode: '0000', errorMsg: 'Approved or completed successfully', transactionId: `T${i}`, arn: '',
          settlement: [{ settlementCurrency: 'USD', settlementRate: '0.128' }], note: '/ 中文 "q" {x}',
        };
        const fields = {
          merchantNo: MERCHANT_NO, resultCode: 'succeed', errorCode: '0000', errorMsg: 'Approved or completed successfully',
          transactionInfo: rng.int(0, 1) ? JSON.stringify(info) : phpJson(info), signType: setup.signType, reserved: randomValue(rng),
        };
        const raw = JSON_STYLES[rng.pick(Object.keys(JSON_STYLES))](gatewaySigned(setup, fields));
        const what = ctx(`state ${state}: ${raw.slice(0, 200)}`);
        const got = client.parseQuery(raw);
        assert.deepEqual(got, { ...expectedUseePayOutcome(info), transaction: info }, what);
        assert.equal(got.paid, state === 'succeed', what);
      }
    });

    test('refund responses: parseRefund', () => {
      const fields = {
        resultCode: 'pending', errorCode: '0000', errorMsg: 'Approved or completed successfully', transactionType: 'refund',
        transactionId: 'RF-1', originalTransactionId: 'T-1', reference: '1012', amount: '50', currency: 'HKD', signType: setup.signType,
        echoParam: '回显 & =',
      };
      const raw = phpJson(gatewaySigned(setup, fields));
      assert.deepEqual(client.parseRefund(raw), expectedUseePayOutcome(fields));
      assert.deepEqual(client.parseRefund(raw).originalTransactionId, 'T-1');
      const succeeded = { ...fields, resultCode: 'succeed' };
      assert.deepEqual(client.parseRefund(JSON.stringify(gatewaySigned(setup, succeeded))), expectedUseePayOutcome(succeeded));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Typed builders: exact fields.

describe('typed builders', () => {
  for (const setup of SETUPS) {
    const client = setup.make();
    test(`[${setup.name}] buildJsapiPay, buildQuery, buildRefund send exactly the documented fields`, () => {
      checkRequest(setup, client.buildJsapiPay({
        transactionId: 'T20261124001', amount: { minor: 100, currency: 'HKD' }, subAppId: 'wxMini', subOpenId: 'o_open/id+1', subject: '咖啡 "大杯" & 蛋糕',
      }), {
        ...envelope(setup, 'pay'), transactionId: 'T20261124001', appId: APP_ID, amount: '100', currency: 'HKD', notifyUrl: NOTIFY,
        payerInfo: JSON.stringify({ paymentMethod: 'wechat_jsapi', sub_appid: 'wxMini', sub_openid: 'o_open/id+1' }),
        orderInfo: JSON.stringify({ subject: '咖啡 "大杯" & 蛋糕' }),
      }, 'jsapi');
      checkRequest(setup, client.buildQuery({ transactionId: 'T1' }), { ...envelope(setup, 'query'), transactionId: 'T1', notifyUrl: NOTIFY }, 'query by id');
      checkRequest(setup, client.buildQuery({ reference: '1012' }), { ...envelope(setup, 'query'), reference: '1012', notifyUrl: NOTIFY }, 'query by reference');
      checkRequest(setup, client.buildRefund({ transactionId: 'RF1', originalTransactionId: 'T1', amount: { minor: 5, currency: 'JPY' } }), {
        ...envelope(setup, 'refund'), transactionId: 'RF1', originalTransactionId: 'T1', amount: '5', currency: 'JPY', notifyUrl: NOTIFY,
      }, 'refund');
      checkRequest(setup, client.buildRequest('pay', { payerInfo: { paymentMethod: 'wechat_h5' }, terminalType: 'H5' }, { path: '/cashier' }), {
        ...envelope(setup, 'pay'), payerInfo: '{"paymentMethod":"wechat_h5"}', terminalType: 'H5', notifyUrl: NOTIFY,
      }, 'cashier', { path: '/cashier' });
      expectErr(() => client.buildQuery({ transactionId: 'T1', reference: 'R1' }), 'ERR_BAD_INPUT', 'query with both ids');
      expectErr(() => client.buildQuery({}), 'ERR_BAD_INPUT', 'query with no id');
    });
  }
  test('gateway option: sandbox URL', () => {
    const req = md5Client({ gateway: 'sandbox' }).buildQuery({ transactionId: 'T1' });
    assert.equal(req.url, 'https://pay-gateway1.uat.useepay.com/api');
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Amounts.

describe('amounts', () => {
  const setup = SETUPS[0];
  const client = setup.make();
  const jsapi = (amount) => ({ transactionId: 'T1', amount, subAppId: 'wx1', subOpenId: 'o1', subject: 's' });
  const sent = (req) => Object.fromEntries(formDecode(req.body));

  test('ISO 4217 minor units are sent as strings', () => {
    for (const [amount, minor, currency] of [
      [{ minor: 100, currency: 'HKD' }, '100', 'HKD'],
      [{ minor: 5, currency: 'JPY' }, '5', 'JPY'],
      [{ minor: 1234, currency: 'KWD' }, '1234', 'KWD'],
      [{ minor: '100', currency: 'HKD' }, '100', 'HKD'],
      [{ minor: 9007199254740991, currency: 'HKD' }, '9007199254740991', 'HKD'],
    ]) {
      const what = JSON.stringify(amount);
      for (const req of [client.buildJsapiPay(jsapi(amount)), client.buildRequest('pay', { amount })]) {
        assert.equal(sent(req).amount, minor, what);
        assert.equal(sent(req).currency, currency, what);
        const { sign, ...rest } = sent(req);
        checkRequest(setup, req, rest, what);
      }
      assert.equal(sent(client.buildRefund({ transactionId: 'R', originalTransactionId: 'T', amount })).amount, minor, what);
    }
  });

  test('a float, a bare number, a negative, an unknown currency → ERR_BAD_INPUT', () => {
    const bad = [
      1.5, 100, { minor: 1.5, currency: 'HKD' }, { minor: -1, currency: 'HKD' }, { minor: '1.5', currency: 'HKD' },
      { minor: '', currency: 'HKD' }, { minor: 100, currency: 'XXX' }, { minor: 100, currency: 'ABC' }, { minor: 100 },
      { currency: 'HKD' }, { minor: 100, currency: 'HKD', extra: 1 }, { minor: 2 ** 53, currency: 'HKD' }, '1.00',
    ];
    for (const amount of bad) {
      const what = `amount ${JSON.stringify(amount)}`;
      expectErr(() => client.buildJsapiPay(jsapi(amount)), 'ERR_BAD_INPUT', `buildJsapiPay ${what}`);
      expectErr(() => client.buildRefund({ transactionId: 'R', originalTransactionId: 'T', amount }), 'ERR_BAD_INPUT', `buildRefund ${what}`);
      if (typeof amount !== 'string') expectErr(() => client.buildRequest('pay', { amount }), 'ERR_BAD_INPUT', `buildRequest ${what}`);
    }
    expectErr(() => client.buildRefund({ transactionId: 'R', originalTransactionId: 'T', amount: { minor: 0, currency: 'HKD' } }), 'ERR_BAD_INPUT', 'zero refund');
    assertUsable(client, setup, 'after bad amounts');
  });

  // BUG (reported): JSON.stringify turns NaN/Infinity into null and buildRequest skips null fields,
  // so the request is signed and sent without any amount.
  test('buildRequest: a NaN or Infinity amount is ERR_BAD_INPUT, not silently left out', () => {
    for (const amount of [NaN, Infinity, -Infinity]) {
      expectErr(() => client.buildRequest('pay', { amount, currency: 'HKD' }), 'ERR_BAD_INPUT', `buildRequest amount ${amount}`);
    }
  });

  // BUG (reported): `amount: { minor: 5, currency: 'JPY' }` with a `currency: 'HKD'` field sends
  // amount=5&currency=HKD — 0.05 HKD instead of 5 JPY.
  test('buildRequest: an amount whose currency contradicts the currency field is ERR_BAD_INPUT', () => {
    expectErr(() => client.buildRequest('pay', { amount: { minor: 5, currency: 'JPY' }, currency: 'HKD' }), 'ERR_BAD_INPUT', 'currency conflict');
    // The same currency given twice is fine.
    assert.equal(sent(client.buildRequest('pay', { amount: { minor: 5, currency: 'JPY' }, currency: 'JPY' })).currency, 'JPY');
  });

  test('parsed amounts come back as { minor, currency }', () => {
    for (const [amount, currency, expected] of [
      ['100', 'HKD', { minor: 100, currency: 'HKD' }],
      ['5', 'JPY', { minor: 5, currency: 'JPY' }],
      ['1234', 'KWD', { minor: 1234, currency: 'KWD' }],
    ]) {
      const fields = { ...freshNotification(setup), amount, currency };
      assert.deepEqual(client.verifyNotify(formEncode(gatewayPairs(setup, fields))).event.amount, expected, `${amount} ${currency}`);
      const resp = { resultCode: 'pending', errorCode: '0000', transactionType: 'refund', transactionId: 'R', amount, currency, signType: 'MD5' };
      assert.deepEqual(client.parseRefund(JSON.stringify(gatewaySigned(setup, resp))).amount, expected, `refund ${amount} ${currency}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Bad input: the right code, and the same client still usable afterwards.

for (const setup of SETUPS) {
  describe(`bad input [${setup.name}]`, () => {
    const client = setup.make();
    const check = (fn, codes, what) => {
      const e = expectErr(fn, codes, `${setup.name}: ${what}`);
      assertUsable(client, setup, `${setup.name}: ${what}`);
      return e;
    };
    const jsapiFields = () => ({
      resultCode: 'pending', errorCode: '0000', errorMsg: 'ok', transactionType: 'pay', transactionId: 'T1', amount: '100', currency: 'HKD',
      redirectParam: JSON.stringify({ timeStamp: '1700000000', nonceStr: 'n', package: 'prepay_id=p', signType: 'RSA', paySign: 's/+=' }),
      signType: setup.signType,
    });

    test('notifications: missing / tampered sign, unknown or other signType', () => {
      const fields = freshNotification(setup);
      const pairs = gatewayPairs(setup, fields);
      check(() => client.verifyNotify(formEncode(pairs.filter(([k]) => k !== 'sign'))), 'ERR_SIGNATURE_INVALID', 'missing sign');
      check(() => client.verifyNotify(formEncode(pairs.map(([k, v]) => [k, k === 'sign' ? ' ' : v]))), 'ERR_SIGNATURE_INVALID', 'blank sign');
      check(() => client.verifyNotify(formEncode(pairs.map(([k, v]) => [k, k === 'amount' ? '10000' : v]))), 'ERR_SIGNATURE_INVALID', 'tampered amount');
      check(() => client.verifyNotify(formEncode(pairs.map(([k, v]) => [k, k === 'resultCode' ? 'succeed ' : v]))), 'ERR_SIGNATURE_INVALID', 'trailing space added');
      // Unknown signType, correctly signed over the fields that carry it.
      const sha1 = gatewayPairs(setup, { ...fields, signType: 'SHA1' });
      check(() => client.verifyNotify(formEncode(sha1)), 'ERR_SIGNATURE_INVALID', 'signType SHA1');
      const lower = gatewayPairs(setup, { ...fields, signType: setup.signType.toLowerCase() });
      check(() => client.verifyNotify(formEncode(lower)), 'ERR_SIGNATURE_INVALID', 'signType lower case');
      if (setup.signType === 'RSA') {
        // A valid MD5-signed message (any MD5 key) is refused by an RSA client: no downgrade.
        const md5Fields = { ...fields, signType: 'MD5' };
        const md5Pairs = [...Object.entries(md5Fields), ['sign', md5Hex(signContent(Object.entries(md5Fields)), SECRET_MD5)]];
        check(() => client.verifyNotify(formEncode(md5Pairs)), 'ERR_SIGNATURE_INVALID', 'MD5 message to an RSA client');
        const md5Json = JSON.stringify(Object.fromEntries([...Object.entries({ ...jsapiFields(), signType: 'MD5' }), ['sign', md5Hex(signContent(Object.entries({ ...jsapiFields(), signType: 'MD5' })), SECRET_MD5)]]));
        check(() => client.parseJsapiPay(md5Json), 'ERR_SIGNATURE_INVALID', 'MD5 response to an RSA client');
        check(() => client.verifyNotify(formEncode(pairs.map(([k, v]) => [k, k === 'sign' ? 'not base64!' : v]))), 'ERR_SIGNATURE_INVALID', 'non-base64 RSA sign');
      } else {
        // An RSA-signed message is refused by an MD5 client.
        const rsaFields = { ...fields, signType: 'RSA' };
        check(() => client.verifyNotify(formEncode([...Object.entries(rsaFields), ['sign', rsaB64(signContent(Object.entries(rsaFields)), useepayKey)]])), 'ERR_SIGNATURE_INVALID', 'RSA message to an MD5 client');
        // Case-insensitive hex comparison: an upper-case MD5 sign is accepted.
        const upper = pairs.map(([k, v]) => [k, k === 'sign' ? v.toUpperCase() : v]);
        assert.equal(client.verifyNotify(formEncode(upper)).event.transactionId, fields.transactionId);
      }
    });

    test('notifications: empty body, non-UTF-8, malformed escapes', () => {
      check(() => client.verifyNotify(''), 'ERR_BAD_INPUT', 'empty body');
      check(() => client.verifyNotify(new Uint8Array(0)), 'ERR_BAD_INPUT', 'empty bytes');
      check(() => client.verifyNotify(' \r\n'), 'ERR_BAD_INPUT', 'whitespace body');
      const fields = { ...freshNotification(setup), errorMsg: 'caf\u00e9' };
      const body = formEncode(gatewayPairs(setup, fields));
      // Latin-1 é (0xE9) instead of UTF-8, both as %-escape and as a raw byte.
      check(() => client.verifyNotify(body.replace('caf%C3%A9', 'caf%E9')), 'ERR_CHARSET', 'non-UTF-8 %-escape');
      const raw = Buffer.from(body.replace('caf%C3%A9', 'caf\u0000'), 'latin1');
      raw[raw.indexOf(0)] = 0xe9;
      check(() => client.verifyNotify(new Uint8Array(raw)), 'ERR_CHARSET', 'non-UTF-8 raw byte');
      check(() => client.verifyNotify(body + '&x=%G1'), 'ERR_BAD_INPUT', 'malformed %-escape');
      check(() => client.verifyNotify(42), 'ERR_BAD_INPUT', 'number body');
    });

    test('a field added by the gateway: accepted when signed, refused when not', () => {
      const fields = freshNotification(setup);
      const added = { ...fields, newField: 'added by UseePay 新' };
      const { event } = client.verifyNotify(formEncode(gatewayPairs(setup, added)));
      assert.equal(event.fields.newField, 'added by UseePay 新');
      const unsigned = [...gatewayPairs(setup, fields), ['newField', 'added by UseePay 新']];
      check(() => client.verifyNotify(formEncode(unsigned)), 'ERR_SIGNATURE_INVALID', 'notification: field added without re-signing');
      // An added whitespace-only field is not part of the string, so it does not break the signature.
      assert.equal(client.verifyNotify(formEncode([...gatewayPairs(setup, fields), ['blank', ' ']])).event.fields.blank, ' ');
      // Same in a response.
      const resp = { ...jsapiFields(), extra: '{"x":"/"}' };
      assert.equal(client.parseResponse(JSON.stringify(gatewaySigned(setup, resp))).fields.extra, '{"x":"/"}');
      check(() => client.parseJsapiPay(JSON.stringify({ ...gatewaySigned(setup, jsapiFields()), extra: 'x' })), 'ERR_SIGNATURE_INVALID', 'response: field added without re-signing');
    });

    test('responses: missing sign, malformed JSON, malformed JSON-string fields, empty body', () => {
      const signed = gatewaySigned(setup, jsapiFields());
      const { sign, ...unsigned } = signed;
      check(() => client.parseJsapiPay(JSON.stringify(unsigned)), 'ERR_SIGNATURE_INVALID', 'unsigned pending reply');
      check(() => client.parseResponse(JSON.stringify(unsigned)), 'ERR_SIGNATURE_INVALID', 'unsigned reply (parseResponse)');
      check(() => client.parseJsapiPay(JSON.stringify({ ...signed, amount: '1' })), 'ERR_SIGNATURE_INVALID', 'tampered reply');
      const text = JSON.stringify(signed);
      check(() => client.parseJsapiPay(text.slice(0, text.length - 1)), 'ERR_RESPONSE_MALFORMED', 'truncated JSON');
      check(() => client.parseJsapiPay(text.slice(0, 40)), 'ERR_RESPONSE_MALFORMED', 'JSON cut inside a string');
      check(() => client.parseJsapiPay(text + 'x'), 'ERR_RESPONSE_MALFORMED', 'trailing garbage');
      check(() => client.parseJsapiPay('[1,2]'), 'ERR_RESPONSE_MALFORMED', 'array');
      check(() => client.parseJsapiPay('<html>502 Bad Gateway</html>'), 'ERR_RESPONSE_MALFORMED', 'HTML');
      for (const empty of ['', '  \n']) {
        check(() => client.parseJsapiPay(empty), 'ERR_RESPONSE_MALFORMED', `empty response ${JSON.stringify(empty)}`);
        check(() => client.parseQuery(empty), 'ERR_RESPONSE_MALFORMED', `empty query response ${JSON.stringify(empty)}`);
        check(() => client.parseResponse(empty), 'ERR_RESPONSE_MALFORMED', `empty response (parseResponse) ${JSON.stringify(empty)}`);
      }
      // redirectParam truncated, but correctly signed over its truncated text.
      const broken = gatewaySigned(setup, { ...jsapiFields(), redirectParam: '{"timeStamp":' });
      check(() => client.parseJsapiPay(JSON.stringify(broken)), 'ERR_RESPONSE_MALFORMED', 'truncated redirectParam');
      const missingPaySign = gatewaySigned(setup, { ...jsapiFields(), redirectParam: '{"timeStamp":"1","nonceStr":"n","package":"p","signType":"RSA"}' });
      check(() => client.parseJsapiPay(JSON.stringify(missingPaySign)), 'ERR_RESPONSE_MALFORMED', 'redirectParam without paySign');
      const { redirectParam, ...noRedirect } = jsapiFields();
      check(() => client.parseJsapiPay(JSON.stringify(gatewaySigned(setup, noRedirect))), 'ERR_RESPONSE_MALFORMED', 'no redirectParam');
      const query = { merchantNo: MERCHANT_NO, resultCode: 'succeed', errorCode: '0000', transactionInfo: '{"resultCode":"succeed",', signType: setup.signType };
      check(() => client.parseQuery(JSON.stringify(gatewaySigned(setup, query))), 'ERR_RESPONSE_MALFORMED', 'truncated transactionInfo');
      const { transactionInfo, ...noInfo } = query;
      check(() => client.parseQuery(JSON.stringify(gatewaySigned(setup, noInfo))), 'ERR_RESPONSE_MALFORMED', 'no transactionInfo');
    });

    test("errorCode '0000' with pending is not paid", () => {
      const info = { resultCode: 'pending', errorCode: '0000', transactionId: 'T1', amount: '100', currency: 'HKD' };
      const query = { merchantNo: MERCHANT_NO, resultCode: 'succeed', errorCode: '0000', transactionInfo: JSON.stringify(info), signType: setup.signType };
      const got = client.parseQuery(JSON.stringify(gatewaySigned(setup, query)));
      assert.equal(got.paid, false);
      assert.equal(got.final, false);
      assert.equal(got.resultCode, 'pending');
      const note = { ...freshNotification(setup), resultCode: 'pending' };
      assert.equal(client.verifyNotify(formEncode(gatewayPairs(setup, note))).event.paid, false);
    });

    test('failed replies: unsigned → ERR_PROVIDER_REJECTED, signed → ERR_PROVIDER_BUSINESS', () => {
      const failed = { resultCode: 'failed', errorCode: '1001', errorMsg: 'invalid parameter', transactionType: 'pay', transactionId: 'T1' };
      for (const parse of ['parseJsapiPay', 'parseQuery', 'parseRefund']) {
        const e = check(() => client[parse](JSON.stringify(failed)), 'ERR_PROVIDER_REJECTED', `${parse}: unsigned failed`);
        assert.equal(e.providerCode, '1001');
        assert.equal(e.providerMessage, 'invalid parameter');
        assert.equal(e.provider, 'useepay');
        const b = check(() => client[parse](JSON.stringify(gatewaySigned(setup, { ...failed, signType: setup.signType }))), 'ERR_PROVIDER_BUSINESS', `${parse}: signed failed`);
        assert.equal(b.providerCode, '1001');
        assert.equal(b.providerMessage, 'invalid parameter');
        assert.equal(b.provider, 'useepay');
        // A failed reply with a wrong signature is a signature problem.
        check(() => client[parse](JSON.stringify({ ...gatewaySigned(setup, { ...failed, signType: setup.signType }), errorCode: '1002' })), 'ERR_SIGNATURE_INVALID', `${parse}: forged failed`);
      }
      // parseResponse does not judge: a signed failure comes back as data.
      const signedFailed = gatewaySigned(setup, { ...failed, signType: setup.signType });
      assert.deepEqual(client.parseResponse(JSON.stringify(signedFailed)), { fields: signedFailed, result: expectedUseePayOutcome(signedFailed) });
    });
  });
}

// BUG (reported): a name that occurs twice is verified over both values, but the normalized result
// takes the first and `fields` the last (and an appended second `sign` is accepted as is).
describe('a field name that occurs twice is refused [MD5]', () => {
  const setup = SETUPS[0];
  const client = setup.make();
  test('notification with a second, unsigned `sign` appended', () => {
    const pairs = gatewayPairs(setup, freshNotification(setup));
    expectErr(() => client.verifyNotify(formEncode([...pairs, ['sign', 'x']])), ['ERR_SIGNATURE_INVALID', 'ERR_BAD_INPUT'], 'second sign');
  });
  test('notification with resultCode twice (both signed): pending first, succeed last', () => {
    const fields = { ...freshNotification(setup), resultCode: 'pending' };
    const dup = [...Object.entries(fields), ['resultCode', 'succeed']];
    const signed = [...dup, ['sign', setup.gatewaySign(signContent(dup))]];
    expectErr(() => client.verifyNotify(formEncode(signed)), ['ERR_SIGNATURE_INVALID', 'ERR_BAD_INPUT'], 'resultCode twice');
  });
  test('JSON response with a second `sign` member', () => {
    const fields = { resultCode: 'pending', errorCode: '0000', transactionId: 'T1', signType: 'MD5' };
    const json = JSON.stringify(gatewaySigned(setup, fields));
    expectErr(() => client.parseResponse(json.slice(0, -1) + ',"sign":"x"}'), ['ERR_SIGNATURE_INVALID', 'ERR_RESPONSE_MALFORMED'], 'second sign');
  });
});

// ---------------------------------------------------------------------------------------------
// Configuration and secrets.

describe('configuration', () => {
  const base = { merchantNo: MERCHANT_NO, appId: APP_ID };
  test('bad configurations → ERR_BAD_INPUT / ERR_KEY_MISMATCH / ERR_KEY_INVALID, without key material in messages', () => {
    expectErr(() => new UseePay({ ...base, signType: 'MD5', md5Key: SECRET_MD5, md5key: SECRET_MD5 }), 'ERR_BAD_INPUT', 'unknown option');
    expectErr(() => new UseePay({ ...base, signType: 'MD5', md5Key: SECRET_MD5, privateKey: MERCHANT_PRIVATE, useepayPublicKey: USEEPAY_PUBLIC }), 'ERR_BAD_INPUT', 'MD5 with RSA keys');
    expectErr(() => new UseePay({ ...base, signType: 'MD5', md5Key: SECRET_MD5, privateKey: MERCHANT_PRIVATE }), 'ERR_BAD_INPUT', 'MD5 with a private key');
    expectErr(() => new UseePay({ ...base, signType: 'RSA', md5Key: SECRET_MD5, privateKey: MERCHANT_PRIVATE, useepayPublicKey: USEEPAY_PUBLIC }), 'ERR_BAD_INPUT', 'RSA with md5Key');
    expectErr(() => new UseePay({ ...base, signType: 'MD5' }), 'ERR_BAD_INPUT', 'MD5 without key');
    expectErr(() => new UseePay({ ...base, signType: 'RSA' }), 'ERR_BAD_INPUT', 'RSA without any key');
    expectErr(() => new UseePay({ ...base, signType: 'SHA1', md5Key: SECRET_MD5 }), 'ERR_BAD_INPUT', 'unknown signType');
    expectErr(() => new UseePay({ ...base, signType: 'md5', md5Key: SECRET_MD5 }), 'ERR_BAD_INPUT', 'lower-case signType');
    expectErr(() => new UseePay({ signType: 'MD5', md5Key: SECRET_MD5, appId: APP_ID }), 'ERR_BAD_INPUT', 'no merchantNo');
    expectErr(() => new UseePay({ ...base, signType: 'MD5', md5Key: SECRET_MD5, emptyValues: 'none' }), 'ERR_BAD_INPUT', 'bad emptyValues');
    expectErr(() => new UseePay({ ...base, signType: 'MD5', md5Key: SECRET_MD5, gateway: 'ftp://x' }), 'ERR_BAD_INPUT', 'bad gateway');
    expectErr(() => new UseePay({ ...base, signType: 'MD5', md5Key: 12345 }), 'ERR_BAD_INPUT', 'numeric md5Key');
    expectErr(() => new UseePay({ ...base, signType: 'RSA', privateKey: USEEPAY_PUBLIC, useepayPublicKey: USEEPAY_PUBLIC }), 'ERR_KEY_INVALID', 'public key as private key');
    expectErr(() => new UseePay({ ...base, signType: 'RSA', privateKey: MERCHANT_PRIVATE, useepayPublicKey: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' }), 'ERR_KEY_INVALID', 'truncated UseePay key');
    for (const engine of ENGINES) {
      expectErr(() => new UseePay({ ...base, signType: 'RSA', engine, privateKey: MERCHANT_PRIVATE, useepayPublicKey: MERCHANT_PUBLIC }), 'ERR_KEY_MISMATCH', `own key as UseePay's [${engine}]`);
    }
    expectErr(() => new UseePay({ ...base, signType: 'RSA', engine: 'java', privateKey: MERCHANT_PRIVATE, useepayPublicKey: USEEPAY_PUBLIC }), 'ERR_BAD_INPUT', 'unknown engine');
    assert.equal(md5Client().engine, 'none');
    assert.equal(md5Client().signType, 'MD5');
  });

  test('buildRequest refuses fields that aggpay sets, and bad arguments', () => {
    const client = md5Client();
    for (const name of ['sign', 'signType', 'version', 'merchantNo', 'transactionType']) {
      expectErr(() => client.buildRequest('pay', { [name]: 'x' }), 'ERR_BAD_INPUT', `field ${name}`);
    }
    expectErr(() => client.buildRequest('pay', { x: 1.5 }), 'ERR_BAD_INPUT', 'float field');
    expectErr(() => client.buildRequest('pay', { x: 1n }), 'ERR_BAD_INPUT', 'BigInt field');
    expectErr(() => client.buildRequest('pay', [1, 2]), 'ERR_BAD_INPUT', 'array fields');
    expectErr(() => client.buildRequest('pay', {}, { path: '/other' }), 'ERR_BAD_INPUT', 'bad path');
    expectErr(() => client.buildRequest(5, {}), 'ERR_BAD_INPUT', 'numeric transactionType');
    expectErr(() => client.buildJsapiPay({ transactionId: 'T', amount: { minor: 1, currency: 'HKD' }, subAppId: 'wx', subOpenId: 'o', subject: 's', expirationMinutes: 21 }), 'ERR_BAD_INPUT', 'expirationMinutes 21');
    expectErr(() => client.buildJsapiPay({ transactionId: 'T', amount: { minor: 1, currency: 'HKD' }, subAppId: 'wx', subOpenId: 'o', subject: 's', subappid: 'x' }), 'ERR_BAD_INPUT', 'unknown jsapi option');
    expectErr(() => md5Client({ notifyUrl: undefined }).buildJsapiPay({ transactionId: 'T', amount: { minor: 1, currency: 'HKD' }, subAppId: 'wx', subOpenId: 'o', subject: 's' }), 'ERR_BAD_INPUT', 'no notifyUrl');
    assertUsable(client, SETUPS[0], 'after bad builder arguments');
  });

  test('a signature mismatch message does not reveal the expected MD5 sign', () => {
    const client = md5Client();
    const fields = freshNotification(SETUPS[0]);
    const good = md5Hex(signContent(Object.entries(fields)), SECRET_MD5);
    const e = expectErr(() => client.verifyNotify(formEncode([...Object.entries(fields), ['sign', '0'.repeat(32)]])), 'ERR_SIGNATURE_INVALID', 'mismatch');
    assert.ok(!e.message.includes(good), `message reveals the expected sign: ${e.message}`);
    assert.ok(e instanceof AggpayError);
  });
});
