// The Alipay client against independent references: node:crypto for every signature, strings to
// sign and form encodings written in the test from the documented rules, Beijing time from
// epoch + 8 h, and `openssl` for certificate DNs and serials. Fresh app / "Alipay" keys, seeded
// random inputs (AGGPAY_TEST_SEED=<seed> reproduces a failure), both RSA engines.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Alipay, Certificate } from 'aggpay';
import { ctx, expectAggpayError, makeRng, makeTempDir, removeDir, run, splitCertificate } from './helpers.mjs';
import {
  ENGINES, HASH, assertRequestSigned, beijingTimestamp, decodeForm, encodeForm, encodeFormComponent, htmlUnescape,
  keyPairs, makeAlipay, nodeSign, nodeVerify, notifyContent, responseNodeName, signContent, signedResponse,
} from './alipay-helpers.mjs';

const APP_ID = '2021000122671080';
const GATEWAY = 'https://openapi.alipay.com/gateway.do';

/** Values that break naive encoders and extractors. */
const TRICKY = [
  '中文商品', '测试 😀👍🏽 支付', 'a&b=c', 'x=y', '/path/to?q=1', '100%', '%25', '%E4%B8%AD', 'a+b', '"quoted"', "it's",
  '{"a":"}"}', '{ } [ ]', '  spaced  out  ', '\\back\\slash', '\\/', '<b>&amp;</b>', '#hash', 'line\nbreak', 'tab\there',
  '🇨🇳', 'e\u0301', '', 'sign', '"sign":"x"',
];

function trickyString(rng) {
  return rng.int(0, 2) === 0 ? rng.unicode(20) : rng.pick(TRICKY) + (rng.int(0, 1) ? rng.pick(TRICKY) : '');
}

// ---------------------------------------------------------------------------------------------
// 1. Requests: string to sign, signature, and the exact parameters on the wire.

function yuan(minor) {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

/** A random biz_content object and the exact JSON text that must be sent for it. */
function randomBiz(rng) {
  const biz = {};
  const sent = {};
  const keys = ['out_trade_no', 'subject', 'body', 'passback_params', '商品', 'a&b', 'x=y', 'k/1', 'q"k', 'sp ace', 'sign', 'z'];
  const n = rng.int(1, 8);
  for (let i = 0; i < n; i++) {
    const key = i === 0 ? 'out_trade_no' : rng.pick(keys) + (rng.int(0, 3) === 0 ? `_${i}` : '');
    const kind = rng.int(0, 9);
    let value;
    if (kind <= 5) value = trickyString(rng);
    else if (kind === 6) value = rng.int(-1_000_000, 1_000_000);
    else if (kind === 7) value = { nested: trickyString(rng), sign: trickyString(rng), list: [1, trickyString(rng), null, true] };
    else if (kind === 8) value = [trickyString(rng), { '}': '{' }];
    else value = rng.int(0, 1) === 0;
    biz[key] = value;
    sent[key] = value;
  }
  if (rng.int(0, 1)) {
    const minor = rng.pick([0, 1, 9, 10, 99, 100, 101, 12345, rng.int(0, 1e9)]);
    biz.total_amount = { minor, currency: 'CNY' };
    sent.total_amount = yuan(minor);
  }
  if (rng.int(0, 2) === 0) {
    const text = rng.pick(['0.01', '1', '1.5', '100000000.00', '12.30']);
    biz.refund_amount = text;
    sent.refund_amount = text;
  }
  return { biz, text: JSON.stringify(sent) };
}

describe('requests against node:crypto (random biz content, options and sign types)', () => {
  for (const engine of ENGINES) {
    it(`buildRequest: string to sign, sign and every parameter round-trip exactly (engine ${engine})`, () => {
      const rng = makeRng(`alipay-requests-${engine}`);
      const { app } = keyPairs();
      const clients = {
        RSA2: makeAlipay(engine),
        RSA: makeAlipay(engine, { signType: 'RSA', notifyUrl: 'https://shop.example.com/alipay/notify?x=1&y=中' }),
      };
      for (let i = 0; i < 40; i++) {
        const signType = rng.pick(['RSA2', 'RSA']);
        const alipay = clients[signType];
        const { biz, text } = randomBiz(rng);
        const asString = rng.int(0, 3) === 0;
        const bizText = asString ? ` ${text.replaceAll(',', ' ,\n ')} ` : text; // a string is sent verbatim
        const timestamp = rng.int(0, 4_102_444_800_000); // 1970 … 2100
        const options = { timestamp };
        const expected = new Map([
          ['app_id', APP_ID], ['method', 'alipay.trade.create'], ['format', 'JSON'], ['charset', 'utf-8'], ['sign_type', signType],
          ['timestamp', beijingTimestamp(timestamp)], ['version', '1.0'],
        ]);
        if (signType === 'RSA') expected.set('notify_url', 'https://shop.example.com/alipay/notify?x=1&y=中');
        for (const [option, param] of [['notifyUrl', 'notify_url'], ['returnUrl', 'return_url'], ['appAuthToken', 'app_auth_token'], ['authToken', 'auth_token']]) {
          if (rng.int(0, 2) === 0) {
            const value = trickyString(rng);
            options[option] = value;
            if (value !== '') expected.set(param, value);
          }
        }
        if (rng.int(0, 2) === 0) {
          options.params = { alipay_sdk: 'aggpay-test', terminal_info: trickyString(rng) || 'x' };
          for (const [k, v] of Object.entries(options.params)) expected.set(k, v);
        }
        expected.set('biz_content', asString ? bizText : text);
        const what = ctx(`request #${i} (${signType}, engine ${engine}, biz ${JSON.stringify(bizText).slice(0, 120)})`);
        const request = alipay.buildRequest('alipay.trade.create', asString ? bizText : biz, options);
        const parts = assertRequestSigned(request, app.privateKey, signType, what);
        expected.set('sign', parts.sign);
        assert.deepEqual([...parts.params].sort(), [...expected].sort(), `${what}: parameters`);
        // The content is signed as UTF-8 bytes, sorted by name bytes, empties dropped, raw values.
        const manual = [...expected].filter(([k, v]) => k !== 'sign' && v !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        assert.equal(parts.content.toString('utf8'), manual.map(([k, v]) => `${k}=${v}`).join('&'), `${what}: content`);
        assert.ok(nodeVerify(parts.content, parts.sign, app.publicKey, HASH[signType]), `${what}: node verifies`);
      }
      for (const client of Object.values(clients)) client.free();
    });

    it(`typed builders send their documented parameters, signed (engine ${engine})`, () => {
      const { app } = keyPairs();
      const alipay = makeAlipay(engine);
      const ts = { timestamp: 1_704_081_600_000 };
      const check = (request, bizText, what, extra = {}) => {
        const parts = assertRequestSigned(request, app.privateKey, 'RSA2', `${what} (engine ${engine})`);
        if (bizText === undefined) assert.equal(parts.params.has('biz_content'), false, `${what}: no biz_content`);
        else assert.equal(parts.params.get('biz_content'), bizText, `${what}: biz_content`);
        for (const [k, v] of Object.entries(extra)) assert.equal(parts.params.get(k), v, `${what}: ${k}`);
        return parts;
      };
      const method = (m) => ({ method: m });
      check(alipay.buildOauthToken({ code: 'auth-code &=中' }, ts), undefined, 'oauth code', { ...method('alipay.system.oauth.token'), grant_type: 'authorization_code', code: 'auth-code &=中' });
      const refresh = check(alipay.buildOauthToken({ refreshToken: 'rt/+=' }, ts), undefined, 'oauth refresh', { grant_type: 'refresh_token', refresh_token: 'rt/+=' });
      assert.deepEqual(refresh.body.map(([k]) => k).sort(), ['grant_type', 'refresh_token'], 'oauth params are in the body');
      check(
        alipay.buildTradeCreate({ out_trade_no: 'T1', total_amount: { minor: 1, currency: 'CNY' }, subject: '咖啡 & "茶"', buyer_open_id: '074a' }, ts),
        '{"out_trade_no":"T1","total_amount":"0.01","subject":"咖啡 & \\"茶\\"","buyer_open_id":"074a","product_code":"JSAPI_PAY"}',
        'trade.create', method('alipay.trade.create'),
      );
      check(
        alipay.buildTradeCreate({ out_trade_no: 'T1', total_amount: '12.30', subject: 's', buyer_id: '2088', product_code: 'X', op_app_id: '2021' }, ts),
        '{"out_trade_no":"T1","total_amount":"12.30","subject":"s","buyer_id":"2088","product_code":"X","op_app_id":"2021"}',
        'trade.create keeps product_code and key order',
      );
      check(alipay.buildTradeQuery({ trade_no: '2026' }, ts), '{"trade_no":"2026"}', 'trade.query', method('alipay.trade.query'));
      check(alipay.buildTradeClose({ out_trade_no: 'T1', operator_id: 'op' }, ts), '{"out_trade_no":"T1","operator_id":"op"}', 'trade.close', method('alipay.trade.close'));
      check(
        alipay.buildTradeRefund({ out_trade_no: 'T1', refund_amount: { minor: 123456, currency: 'CNY' }, out_request_no: 'R1' }, ts),
        '{"out_trade_no":"T1","refund_amount":"1234.56","out_request_no":"R1"}', 'trade.refund', method('alipay.trade.refund'),
      );
      check(alipay.buildRefundQuery({ out_trade_no: 'T1', out_request_no: 'R1' }, ts), '{"out_trade_no":"T1","out_request_no":"R1"}', 'refund query', method('alipay.trade.fastpay.refund.query'));
      check(
        alipay.buildTradePrecreate({ out_trade_no: 'T1', total_amount: { minor: '100', currency: 'CNY' }, subject: 'QR' }, ts),
        '{"out_trade_no":"T1","total_amount":"1.00","subject":"QR"}', 'precreate', method('alipay.trade.precreate'),
      );
      alipay.free();
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 2. Beijing time.

describe('timestamp: Beijing time from epoch milliseconds', () => {
  const utc = (y, mo, d, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const cases = [
    [0, '1970-01-01 08:00:00'],
    [utc(2024, 1, 1, 4), '2024-01-01 12:00:00'],
    [utc(2023, 12, 31, 15, 59, 59, 999), '2023-12-31 23:59:59'], // last ms of the Beijing year
    [utc(2023, 12, 31, 16), '2024-01-01 00:00:00'], // new year in Beijing, still 31 Dec in UTC
    [utc(2024, 2, 28, 16), '2024-02-29 00:00:00'], // leap day
    [utc(2024, 2, 29, 16), '2024-03-01 00:00:00'],
    [utc(2023, 2, 28, 16), '2023-03-01 00:00:00'], // not a leap year
    [utc(2000, 2, 28, 16), '2000-02-29 00:00:00'], // divisible by 400: leap
    [utc(2100, 2, 28, 16), '2100-03-01 00:00:00'], // divisible by 100: not leap
    [utc(2024, 4, 30, 16), '2024-05-01 00:00:00'], // 30-day month
    [utc(2024, 6, 30, 15, 59, 59), '2024-06-30 23:59:59'],
    [utc(2038, 1, 19, 3, 14, 8), '2038-01-19 11:14:08'], // past 2^31 seconds
    [utc(2024, 1, 1, 4) + 0.999, '2024-01-01 12:00:00'], // fractions of a millisecond
    [utc(2024, 1, 1, 4) + 999.9, '2024-01-01 12:00:00'],
    [utc(9999, 12, 31, 15, 59, 59, 999), '9999-12-31 23:59:59'],
  ];

  for (const engine of ENGINES) {
    it(`day, month and year boundaries, leap years, and random instants (engine ${engine})`, () => {
      const { app } = keyPairs();
      const alipay = makeAlipay(engine);
      const rng = makeRng(`alipay-timestamps-${engine}`);
      const all = [...cases];
      for (let i = 0; i < 60; i++) {
        const ms = rng.int(0, 253_402_271_999_999);
        all.push([ms, beijingTimestamp(ms)]);
      }
      for (const [ms, expected] of all) {
        assert.equal(beijingTimestamp(ms), expected, `the test's own formatter at ${ms}`);
        const parts = assertRequestSigned(alipay.buildRequest('alipay.trade.query', '{}', { timestamp: ms }), app.privateKey, 'RSA2', `timestamp ${ms}`);
        assert.equal(parts.params.get('timestamp'), expected, ctx(`timestamp ${ms} (${new Date(ms).toISOString()}) on ${engine}`));
      }
      // Without a timestamp: now, in Beijing time.
      const before = Date.now();
      const now = assertRequestSigned(alipay.buildRequest('alipay.trade.query', '{}'), app.privateKey, 'RSA2', 'default timestamp').params.get('timestamp');
      assert.ok([beijingTimestamp(before), beijingTimestamp(Date.now())].includes(now), `default timestamp ${now}`);
      alipay.free();
    });
  }

  it('an instant whose Beijing year would be 10000 is refused (ERR_BAD_INPUT), never sent as a five-digit year', () => {
    // 9999-12-31T16:00:00Z is 10000-01-01 00:00:00 in Beijing: not `yyyy-MM-dd HH:mm:ss`.
    const alipay = makeAlipay('wasm');
    for (const ms of [utc(9999, 12, 31, 16), 253_402_300_799_999]) {
      let sent;
      try {
        sent = new URL(alipay.buildRequest('alipay.trade.query', '{}', { timestamp: ms }).url).searchParams.get('timestamp');
      } catch (error) {
        assert.equal(error.code, 'ERR_BAD_INPUT', `timestamp ${ms}: ${error.message}`);
        continue;
      }
      assert.match(sent, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, `timestamp ${ms} was sent as ${JSON.stringify(sent)}`);
    }
    alipay.free();
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Responses signed by node:crypto over raw node text.

/** JSON text of `value` with random white space, `\/` escapes, `\uXXXX` escapes (valid JSON). */
function rawJson(value, rng, { escapeSlash = true } = {}) {
  const ws = () => rng.pick(['', '', '', ' ', '\n', '\r\n  ', '\t']);
  const str = (s) => {
    let out = '"';
    for (const ch of s) {
      const cp = ch.codePointAt(0);
      if (ch === '"' || ch === '\\') out += `\\${ch}`;
      else if (ch === '/' && escapeSlash) out += '\\/';
      else if (cp < 0x20) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else if (cp > 0x7e && rng.int(0, 2) === 0) {
        for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
      } else out += ch;
    }
    return `${out}"`;
  };
  const emit = (v) => {
    if (typeof v === 'string') return str(v);
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => emit(x)).join(`${ws()},${ws()}`)}${ws()}]`;
    return `{${ws()}${Object.entries(v).map(([k, x]) => `${str(k)}${ws()}:${ws()}${emit(x)}`).join(`${ws()},${ws()}`)}${ws()}}`;
  };
  return emit(value);
}

function randomNode(rng, marker) {
  return {
    code: '10000',
    msg: 'Success',
    out_trade_no: marker,
    trade_no: `2026${rng.int(1e8, 9e8)}`,
    sign: 'a nested "sign" key',
    detail: { sign: trickyString(rng), '}': '{', url: 'http://oalipay-dl-django.alicdn.com/rest/1.0/image?fileIds=x&zoom=original' },
    list: [trickyString(rng), { alipay_trade_query: '_response' }, 1, true, null],
    subject: trickyString(rng),
  };
}

describe('responses signed by node:crypto over the raw node text', () => {
  for (const engine of ENGINES) {
    it(`escapes, white space, nested sign keys and member order verify; one changed byte is refused (engine ${engine})`, () => {
      const rng = makeRng(`alipay-responses-${engine}`);
      const { alipay: ali } = keyPairs();
      const alipay = makeAlipay(engine);
      const method = 'alipay.trade.query';
      const node = responseNodeName(method);
      const ws = () => rng.pick(['', ' ', '\n', '\r\n\t ']);
      for (let i = 0; i < 25; i++) {
        const marker = `TAMPER-ME-${i}`;
        const value = randomNode(rng, marker);
        const nodeText = rawJson(value, rng);
        const sign = nodeSign(nodeText, ali.privateKey);
        const signText = rng.int(0, 1) ? JSON.stringify(sign) : JSON.stringify(sign).replaceAll('/', '\\/');
        const members = [`"${node}"${ws()}:${ws()}${nodeText}`, `"sign"${ws()}:${ws()}${signText}`];
        if (rng.int(0, 1)) members.splice(1, 0, `"alipay_cert_sn"${ws()}:${ws()}"ignored-in-public-key-mode"`);
        if (rng.int(0, 3) === 0) members.reverse();
        const build = (ms) => `${ws()}{${ws()}${ms.join(`${ws()},${ws()}`)}${ws()}}${ws()}`;
        const raw = build(members);
        const what = ctx(`response #${i} on ${engine}: ${raw.slice(0, 160)}`);
        assert.deepEqual(JSON.parse(nodeText), value, `${what}: the test's raw JSON is right`);
        assert.deepEqual(alipay.parseResponse(method, raw), value, what);
        // One changed byte inside the node, one changed byte of the signature, one more space.
        expectAggpayError(() => alipay.parseResponse(method, raw.replace(marker, marker.slice(0, -1) + 'X')), 'ERR_SIGNATURE_INVALID', `${what}: changed node`);
        const k = rng.int(20, 300);
        const sign2 = sign.slice(0, k) + (sign[k] === 'A' ? 'B' : 'A') + sign.slice(k + 1);
        expectAggpayError(() => alipay.parseResponse(method, raw.replace(sign, sign2).replace(sign.replaceAll('/', '\\/'), sign2)), 'ERR_SIGNATURE_INVALID', `${what}: changed sign`);
        const spaced = nodeText.replace(':', ': ');
        expectAggpayError(() => alipay.parseResponse(method, raw.replace(nodeText, spaced)), 'ERR_SIGNATURE_INVALID', `${what}: added white space`);
      }
      alipay.free();
    });

    it(`\\/ retry: a signature over the node with \\/ unescaped verifies, over a re-serialized node does not (engine ${engine})`, () => {
      const { alipay: ali } = keyPairs();
      const alipay = makeAlipay(engine);
      const nodeText = '{"code":"10000","msg":"Success","image_url":"http:\\/\\/oalipay-dl-django.alicdn.com\\/rest\\/1.0\\/image?fileIds=Zp&zoom=original","name":"\\u4e2d\\u6587"}';
      const unescaped = nodeText.replaceAll('\\/', '/');
      const value = JSON.parse(nodeText);
      assert.deepEqual(alipay.parseResponse('alipay.offline.material.image.upload', signedResponse('alipay.offline.material.image.upload', nodeText, ali.privateKey)), value);
      assert.deepEqual(
        alipay.parseResponse('alipay.offline.material.image.upload', signedResponse('alipay.offline.material.image.upload', nodeText, ali.privateKey, { signedText: unescaped })),
        value, 'signature over the \\/-unescaped text',
      );
      // Only `\/` is unescaped: a signature over the fully decoded (re-serialized) text is refused.
      expectAggpayError(
        () => alipay.parseResponse('alipay.offline.material.image.upload', signedResponse('alipay.offline.material.image.upload', nodeText, ali.privateKey, { signedText: JSON.stringify(value) })),
        'ERR_SIGNATURE_INVALID', 're-serialized',
      );
      alipay.free();
    });

    it(`RSA (SHA-1) clients verify SHA-1 responses and refuse SHA-256 ones (engine ${engine})`, () => {
      const { alipay: ali } = keyPairs();
      const alipay = makeAlipay(engine, { signType: 'RSA' });
      const nodeText = '{"code":"10000","msg":"Success","trade_no":"1"}';
      assert.deepEqual(alipay.parseResponse('alipay.trade.query', signedResponse('alipay.trade.query', nodeText, ali.privateKey, { hash: 'sha1' })), JSON.parse(nodeText));
      expectAggpayError(() => alipay.parseResponse('alipay.trade.query', signedResponse('alipay.trade.query', nodeText, ali.privateKey)), 'ERR_SIGNATURE_INVALID', 'sha256 under RSA');
      alipay.free();
    });

    it(`signed business failures and signed error_response carry Alipay's codes (engine ${engine})`, () => {
      const { alipay: ali } = keyPairs();
      const alipay = makeAlipay(engine);
      const node = '{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}';
      const e = expectAggpayError(() => alipay.parseResponse('alipay.trade.query', signedResponse('alipay.trade.query', node, ali.privateKey)), 'ERR_PROVIDER_BUSINESS', 'signed 40004');
      assert.deepEqual([e.provider, e.providerCode, e.providerMessage, e.subCode, e.subMessage], ['alipay', '40004', 'Business Failed', 'ACQ.TRADE_NOT_EXIST', '交易不存在']);
      // A business failure whose signature does not verify is a signature problem, not a business answer.
      const forged = signedResponse('alipay.trade.query', node, ali.privateKey, { signedText: `${node} ` });
      expectAggpayError(() => alipay.parseResponse('alipay.trade.query', forged), 'ERR_SIGNATURE_INVALID', 'badly signed 40004');
      const errNode = '{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"无效签名"}';
      const raw = `{"error_response":${errNode},"sign":"${nodeSign(errNode, ali.privateKey)}"}`;
      const e2 = expectAggpayError(() => alipay.parseResponse('alipay.trade.query', raw), 'ERR_PROVIDER_REJECTED', 'signed error_response');
      assert.deepEqual([e2.providerCode, e2.subCode, e2.subMessage], ['40002', 'isv.invalid-signature', '无效签名']);
      alipay.free();
    });

    it(`a 1 MB signed node verifies and parses when limits.maxInputBytes allows it (engine ${engine})`, () => {
      const { alipay: ali } = keyPairs();
      const alipay = makeAlipay(engine, { limits: { maxInputBytes: 4 * 1024 * 1024 } });
      const big = { code: '10000', msg: 'Success', blob: '中'.repeat(350_000) };
      const nodeText = JSON.stringify(big);
      assert.ok(Buffer.byteLength(nodeText) > 1_000_000);
      const response = signedResponse('alipay.trade.query', nodeText, ali.privateKey);
      assert.deepEqual(alipay.parseResponse('alipay.trade.query', response), big);
      alipay.free();
      const defaults = makeAlipay(engine);
      assert.throws(() => defaults.parseResponse('alipay.trade.query', response), { code: 'ERR_INPUT_TOO_LARGE' });
      defaults.free();
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 4. Notifications signed by node:crypto.

function randomNotification(rng) {
  const passback = encodeURIComponent(`order=${rng.int(1, 999)}&note=中 文%/+`);
  const params = [
    ['notify_time', '2026-11-24 12:00:00'], ['notify_type', 'trade_status_sync'], ['notify_id', `ac05${rng.int(1e6, 9e6)}`],
    ['app_id', APP_ID], ['charset', 'utf-8'], ['version', '1.0'], ['sign_type', 'RSA2'], ['trade_no', `2026${rng.int(1e8, 9e8)}`],
    ['out_trade_no', `T${rng.int(1, 1e9)}`], ['trade_status', 'TRADE_SUCCESS'], ['total_amount', '0.01'],
    ['subject', trickyString(rng) || '空'], ['body', trickyString(rng)], ['passback_params', passback],
    ['fund_bill_list', '[{"amount":"0.01","fundChannel":"ALIPAYACCOUNT"}]'], ['gmt_payment', '2026-11-24 11:59:59'],
  ];
  // Random order on the wire.
  for (let i = params.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [params[i], params[j]] = [params[j], params[i]];
  }
  return { params, passback };
}

describe('notifications signed by node:crypto', () => {
  for (const engine of ENGINES) {
    it(`payment and gateway rules, auto, values decoded exactly once, one changed byte refused (engine ${engine})`, () => {
      const rng = makeRng(`alipay-notify-${engine}`);
      const { alipay: ali } = keyPairs();
      const alipay = makeAlipay(engine);
      for (let i = 0; i < 20; i++) {
        const { params, passback } = randomNotification(rng);
        for (const rule of ['payment', 'gateway']) {
          const signed = [...params, ['sign', nodeSign(notifyContent(params, rule), ali.privateKey)]];
          const encoder = rng.int(0, 1) ? encodeForm : encodeFormComponent;
          const body = encoder(signed);
          const expected = Object.fromEntries(signed);
          const what = ctx(`notification #${i} (${rule}, ${encoder === encodeForm ? '+ for space' : '%20 for space'}) on ${engine}: ${body.slice(0, 120)}`);
          const { event, reply } = alipay.verifyNotify(body, { rule });
          assert.deepEqual(event.params, expected, what);
          assert.equal(event.params.passback_params, passback, `${what}: passback_params keeps its own % sequences`);
          assert.match(passback, /%26/, 'the passback value is itself URL-encoded');
          assert.deepEqual([reply.status, reply.body], [200, 'success'], what);
          assert.deepEqual(alipay.verifyNotify(body, { rule: 'auto' }).event.params, expected, `${what}: auto`);
          const otherRule = rule === 'payment' ? 'gateway' : 'payment';
          expectAggpayError(() => alipay.verifyNotify(body, { rule: otherRule }), 'ERR_SIGNATURE_INVALID', `${what}: under the ${otherRule} rule`);
          // One changed byte of a value, of the signature; a parameter dropped; one added.
          const changed = encoder(signed.map(([k, v]) => [k, k === 'out_trade_no' ? `${v}0` : v]));
          expectAggpayError(() => alipay.verifyNotify(changed, { rule }), 'ERR_SIGNATURE_INVALID', `${what}: changed value`);
          const sig = expected.sign;
          const badSig = encoder(signed.map(([k, v]) => [k, k === 'sign' ? sig.slice(0, 40) + (sig[40] === 'A' ? 'B' : 'A') + sig.slice(41) : v]));
          expectAggpayError(() => alipay.verifyNotify(badSig, { rule }), 'ERR_SIGNATURE_INVALID', `${what}: changed sign`);
          expectAggpayError(() => alipay.verifyNotify(encoder(signed.filter(([k]) => k !== 'body')), { rule }), 'ERR_SIGNATURE_INVALID', `${what}: dropped param`);
          expectAggpayError(() => alipay.verifyNotify(`${body}&extra=1`, { rule }), 'ERR_SIGNATURE_INVALID', `${what}: added param`);
        }
      }
      alipay.free();
    });

    it(`empty values are signed as k= (Java rule); sign_type must be the configured one (RSA = SHA-1, no downgrade); absent sign_type means the configured one (engine ${engine})`, () => {
      const { alipay: ali } = keyPairs();
      const alipay = makeAlipay(engine);
      const base = [['app_id', APP_ID], ['out_trade_no', 'T1'], ['buyer_logon_id', ''], ['trade_status', 'TRADE_SUCCESS'], ['total_amount', '0.01']];
      const withEmpty = [...base, ['sign_type', 'RSA2']];
      const body = encodeForm([...withEmpty, ['sign', nodeSign(notifyContent(withEmpty, 'payment'), ali.privateKey)]]);
      assert.ok(notifyContent(withEmpty, 'payment').toString().includes('&buyer_logon_id=&'));
      assert.equal(alipay.verifyNotify(body).event.params.buyer_logon_id, '');
      const rsa = [...base, ['sign_type', 'RSA']];
      const sha1Body = encodeForm([...rsa, ['sign', nodeSign(notifyContent(rsa, 'payment'), ali.privateKey, 'sha1')]]);
      expectAggpayError(() => alipay.verifyNotify(sha1Body), 'ERR_SIGNATURE_INVALID', 'an RSA (SHA-1) notification on an RSA2 client');
      const legacy = makeAlipay(engine, { signType: 'RSA' });
      assert.equal(legacy.verifyNotify(sha1Body).event.params.sign_type, 'RSA');
      expectAggpayError(() => legacy.verifyNotify(body), 'ERR_SIGNATURE_INVALID', 'an RSA2 notification on an RSA client');
      const sha1NoType = encodeForm([...base, ['sign', nodeSign(notifyContent(base, 'payment'), ali.privateKey, 'sha1')]]);
      assert.equal(legacy.verifyNotify(sha1NoType).event.outTradeNo, 'T1');
      const noType = encodeForm([...base, ['sign', nodeSign(notifyContent(base, 'payment'), ali.privateKey)]]);
      assert.equal(alipay.verifyNotify(noType).event.outTradeNo, 'T1');
      alipay.free();
      legacy.free();
    });

    it(`GBK notifications verify over the raw GBK bytes and return proper strings; the same bytes as utf-8 are ERR_CHARSET (engine ${engine})`, () => {
      const { alipay: ali } = keyPairs();
      const alipay = makeAlipay(engine);
      // GBK by hand: 中 D6 D0, 文 CE C4, 测 B2 E2, 试 CA D4 (checked against TextDecoder when ICU has GBK).
      const gbk = Buffer.from([0xd6, 0xd0, 0xce, 0xc4, 0xb2, 0xe2, 0xca, 0xd4]);
      try {
        assert.equal(new TextDecoder('gbk').decode(gbk), '中文测试');
      } catch (e) {
        if (!(e instanceof RangeError)) throw e; // no GBK decoder in this Node build
      }
      const subject = Buffer.concat([gbk, Buffer.from(' A&B')]);
      const pct = (bytes) => [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
      for (const charset of ['gbk', 'GBK', 'gb2312']) {
        const params = [['charset', charset], ['out_trade_no', 'T1'], ['subject', subject], ['body', gbk.subarray(0, 4)], ['sign_type', 'RSA2']];
        const sign = nodeSign(notifyContent(params, 'payment'), ali.privateKey);
        const body = [...params, ['sign', Buffer.from(sign)]].map(([k, v]) => `${k}=${pct(Buffer.from(v))}`).join('&');
        const { event } = alipay.verifyNotify(body);
        assert.deepEqual(event.params, { charset, out_trade_no: 'T1', subject: '中文测试 A&B', body: '中文', sign_type: 'RSA2', sign }, `charset ${charset}`);
        // The raw (not percent-encoded) GBK bytes as a Uint8Array body verify too.
        const rawBody = Buffer.concat([Buffer.from(`charset=${charset}&out_trade_no=T1&subject=`), gbk, Buffer.from(` A%26B&body=`), gbk.subarray(0, 4), Buffer.from(`&sign_type=RSA2&sign=${encodeURIComponent(sign)}`)]);
        assert.equal(alipay.verifyNotify(new Uint8Array(rawBody)).event.params.subject, '中文测试 A&B', `raw GBK bytes, charset ${charset}`);
        // A changed GBK byte is refused.
        const tampered = body.replace('%D6%D0', '%D6%D1');
        expectAggpayError(() => alipay.verifyNotify(tampered), 'ERR_SIGNATURE_INVALID', 'changed GBK byte');
      }
      // The same bytes declared utf-8 (and correctly signed): not UTF-8 → ERR_CHARSET.
      for (const charset of ['utf-8', 'UTF-8', undefined]) {
        const params = [...(charset ? [['charset', charset]] : []), ['out_trade_no', 'T1'], ['subject', subject]];
        const sign = nodeSign(notifyContent(params, 'payment'), ali.privateKey);
        const body = [...params, ['sign', Buffer.from(sign)]].map(([k, v]) => `${k}=${pct(Buffer.from(v))}`).join('&');
        const e = expectAggpayError(() => alipay.verifyNotify(body), 'ERR_CHARSET', `GBK bytes declared ${charset ?? '(no charset)'}`);
        assert.ok(!e.message.includes('\ufffd'));
      }
      alipay.free();
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 5. OpenAPI v3.

function parseAuthorization(header) {
  const m = /^ALIPAY-SHA256withRSA (.*),sign=([A-Za-z0-9+/=]+)$/.exec(header);
  assert.ok(m, `Authorization header shape: ${header}`);
  return { authString: m[1], sign: m[2], fields: Object.fromEntries(m[1].split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) };
}

describe('OpenAPI v3 against node:crypto', () => {
  for (const engine of ENGINES) {
    it(`buildV3Request: Authorization verifies over authString\\nMETHOD\\npath\\nbody\\n[token\\n] (engine ${engine})`, () => {
      const rng = makeRng(`alipay-v3-${engine}`);
      const { app } = keyPairs();
      const alipay = makeAlipay(engine, { endpoint: 'https://openapi-sandbox.dl.alipaydev.com/' });
      for (let i = 0; i < 20; i++) {
        const method = rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'post']);
        const path = rng.pick(['/v3/alipay/trade/query', '/v3/alipay/trade/query?out_trade_no=T%201&x=%E4%B8%AD', '/v3/alipay/system/oauth/token']);
        const bizObject = { out_trade_no: `T${i}`, subject: trickyString(rng), detail: { '}': '"' } };
        const bodyKind = method === 'GET' ? 0 : rng.int(0, 2);
        const body = [undefined, JSON.stringify(bizObject, null, rng.int(0, 2)), bizObject][bodyKind];
        const bodyText = bodyKind === 0 ? '' : bodyKind === 1 ? body : JSON.stringify(bizObject);
        const token = rng.int(0, 1) ? `202212BB_${rng.int(1, 1e9)}` : undefined;
        const nonce = crypto.randomBytes(16).toString('hex');
        const timestamp = rng.int(1e12, 2e12);
        const args = { method, path, nonce, timestamp, requestId: `req-${i}`, ...(body === undefined ? {} : { body }), ...(token ? { appAuthToken: token } : {}) };
        const what = ctx(`v3 #${i} ${method} ${path} on ${engine}`);
        const request = alipay.buildV3Request(args);
        const auth = parseAuthorization(request.headers.authorization);
        assert.equal(auth.authString, `app_id=${APP_ID},nonce=${nonce},timestamp=${timestamp}`, `${what}: authString`);
        const content = `${auth.authString}\n${method.toUpperCase()}\n${path}\n${bodyText}\n${token ? `${token}\n` : ''}`;
        assert.equal(auth.sign, nodeSign(content, app.privateKey), `${what}: sign`);
        assert.equal(request.method, method.toUpperCase(), what);
        assert.equal(request.url, `https://openapi-sandbox.dl.alipaydev.com${path}`, what);
        assert.equal(request.body ?? '', bodyText, `${what}: body sent is the body signed`);
        assert.equal(request.headers['alipay-app-auth-token'], token, `${what}: token header`);
        assert.equal(request.headers['alipay-request-id'], `req-${i}`, what);
        if (bodyKind !== 0) assert.equal(request.headers['content-type'], 'application/json', what);
      }
      // Defaults: a fresh nonce each time, timestamp = now.
      const t0 = Date.now();
      const a = parseAuthorization(alipay.buildV3Request({ path: '/v3/x' }).headers.authorization);
      const b = parseAuthorization(alipay.buildV3Request({ path: '/v3/x' }).headers.authorization);
      assert.notEqual(a.fields.nonce, b.fields.nonce, 'fresh nonces');
      assert.ok(a.fields.nonce.length >= 16, `nonce ${a.fields.nonce}`);
      assert.ok(Number(a.fields.timestamp) >= t0 && Number(a.fields.timestamp) <= Date.now(), 'timestamp defaults to now');
      assert.equal(a.sign, nodeSign(`${a.authString}\nPOST\n/v3/x\n\n`, app.privateKey), 'POST without body signs an empty body');
      alipay.free();
    });

    it(`verifyV3Response: accepts node:crypto's signature over ts\\nnonce\\nbody\\n, refuses any change (engine ${engine})`, () => {
      const { alipay: ali } = keyPairs();
      const alipay = makeAlipay(engine);
      const body = '{"trade_no":"2026","out_trade_no":"T1","subject":"中文 \\/ 😀","total_amount":"0.01"}';
      const ts = '1717756911576';
      const nonce = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
      const sig = nodeSign(`${ts}\n${nonce}\n${body}\n`, ali.privateKey);
      const headers = { 'alipay-timestamp': ts, 'alipay-nonce': nonce, 'alipay-signature': sig, 'alipay-trace-id': 'x' };
      assert.deepEqual(alipay.verifyV3Response({ status: 200, headers, body }), JSON.parse(body));
      const mixedCase = { 'Alipay-Timestamp': ts, 'ALIPAY-NONCE': nonce, 'Alipay-Signature': sig };
      assert.deepEqual(alipay.verifyV3Response({ status: 200, headers: mixedCase, body }), JSON.parse(body), 'header names are case-insensitive');
      expectAggpayError(() => alipay.verifyV3Response({ status: 200, headers, body: body.replace('0.01', '0.02') }), 'ERR_SIGNATURE_INVALID', 'changed body');
      expectAggpayError(() => alipay.verifyV3Response({ status: 200, headers, body: `${body} ` }), 'ERR_SIGNATURE_INVALID', 'added space');
      expectAggpayError(() => alipay.verifyV3Response({ status: 200, headers: { ...headers, 'alipay-timestamp': '1717756911577' }, body }), 'ERR_SIGNATURE_INVALID', 'changed timestamp');
      expectAggpayError(() => alipay.verifyV3Response({ status: 200, headers: { ...headers, 'alipay-nonce': 'x' }, body }), 'ERR_SIGNATURE_INVALID', 'changed nonce');
      const { 'alipay-signature': _, ...unsigned } = headers;
      expectAggpayError(() => alipay.verifyV3Response({ status: 200, headers: unsigned, body }), 'ERR_SIGNATURE_INVALID', 'unsigned 200');
      const errBody = '{"code":"InvalidParameter","message":"参数有误","links":[]}';
      const e = expectAggpayError(() => alipay.verifyV3Response({ status: 400, headers: {}, body: errBody }), 'ERR_PROVIDER_REJECTED', 'unsigned 400');
      assert.deepEqual([e.providerCode, e.providerMessage], ['InvalidParameter', '参数有误']);
      const errSig = nodeSign(`${ts}\n${nonce}\n${errBody}\n`, ali.privateKey);
      const e2 = expectAggpayError(
        () => alipay.verifyV3Response({ status: 400, headers: { ...headers, 'alipay-signature': errSig }, body: errBody }),
        'ERR_PROVIDER_BUSINESS', 'signed 400',
      );
      assert.equal(e2.providerCode, 'InvalidParameter');
      alipay.free();
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 6. WAP pay: the GET URL and the HTML form.

describe('buildWapPay', () => {
  for (const engine of ENGINES) {
    it(`the GET URL's parameters verify with node:crypto; the form carries every parameter HTML-escaped (engine ${engine})`, () => {
      const rng = makeRng(`alipay-wap-${engine}`);
      const { app } = keyPairs();
      const alipay = makeAlipay(engine, { notifyUrl: 'https://shop.example.com/n?a=1&b="2"' });
      for (let i = 0; i < 10; i++) {
        const subject = `${trickyString(rng)}<script>alert('x')</script>"&amp;`;
        const biz = { out_trade_no: `T${i}`, total_amount: { minor: rng.int(1, 1e6), currency: 'CNY' }, subject, quit_url: 'https://shop.example.com/q?x=1&y=<2>' };
        const returnUrl = `https://shop.example.com/return?o=T${i}&s='"<>`;
        const timestamp = rng.int(1.6e12, 1.9e12);
        const what = ctx(`wap #${i} on ${engine}`);
        const { url, form, params } = alipay.buildWapPay(biz, { returnUrl, timestamp });
        assert.ok(url.startsWith(`${GATEWAY}?`), `${what}: url`);
        const query = url.slice(GATEWAY.length + 1);
        const pairs = decodeForm(query);
        assert.equal(query, encodeForm(pairs), `${what}: canonical encoding`);
        const map = Object.fromEntries(pairs);
        assert.deepEqual(params, map, `${what}: params equal the URL's`);
        const expectedBiz = JSON.stringify({ out_trade_no: `T${i}`, total_amount: yuan(biz.total_amount.minor), subject, quit_url: biz.quit_url, product_code: 'QUICK_WAP_WAY' });
        assert.equal(map.biz_content, expectedBiz, `${what}: biz_content`);
        assert.equal(map.method, 'alipay.trade.wap.pay');
        assert.equal(map.return_url, returnUrl);
        assert.equal(map.notify_url, 'https://shop.example.com/n?a=1&b="2"');
        assert.equal(map.timestamp, beijingTimestamp(timestamp));
        const content = signContent(pairs);
        assert.equal(map.sign, nodeSign(content, app.privateKey), `${what}: sign`);
        // The form: every parameter once, in a hidden input, attribute-escaped.
        const inputs = [...form.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\s*\/?>/g)];
        assert.deepEqual(inputs.map((m) => [htmlUnescape(m[1]), htmlUnescape(m[2])]), pairs, `${what}: form inputs`);
        for (const m of inputs) {
          assert.ok(!/[<>"]/.test(m[2]), `${what}: raw markup in a value attribute`);
          assert.ok(!/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(m[2]), `${what}: bare & in a value attribute`);
        }
        assert.ok(!/<script>alert/.test(form), `${what}: the subject's markup is escaped`);
        const action = /<form [^>]*action="([^"]*)"[^>]*method="POST"/i.exec(form);
        assert.ok(action, `${what}: form action`);
        assert.ok(htmlUnescape(action[1]).startsWith(GATEWAY), `${what}: form posts to the gateway`);
      }
      alipay.free();
    });
  }

  it('a runtime whose TextDecoder has no GBK decoder: a GBK notification is ERR_CHARSET saying so; ASCII values under charset=gbk and UTF-8 notifications still verify', async () => {
    // A fresh instance of the web glue (a module URL of its own), instantiated while TextDecoder refuses 'gbk'.
    const glue = await import(new URL('../pkg/web/aggpay.js?no-gbk', import.meta.url).href);
    const { createApi } = await import('../pkg/src/api.mjs');
    const { alipay: ali } = keyPairs();
    const Original = globalThis.TextDecoder;
    globalThis.TextDecoder = class extends Original {
      constructor(label, options) {
        if (String(label).toLowerCase() === 'gbk') throw new RangeError(`The "${label}" encoding is not supported`);
        super(label, options);
      }
    };
    try {
      glue.initSync({ module: fs.readFileSync(new URL('../pkg/web/aggpay_bg.wasm', import.meta.url)) });
      const api = createApi(glue);
      const alipay = new api.Alipay({ appId: APP_ID, alipayPublicKey: ali.spkiPem, engine: 'wasm' });
      const pct = (bytes) => [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
      const signed = (params) => [...params, ['sign', Buffer.from(nodeSign(notifyContent(params, 'payment'), ali.privateKey))]]
        .map(([k, v]) => `${k}=${pct(Buffer.from(v))}`).join('&');
      const gbk = [['charset', 'gbk'], ['out_trade_no', 'T1'], ['subject', Buffer.from([0xd6, 0xd0, 0xce, 0xc4])]];
      // This instance's AggpayError is its own api's class (pkg/src/errors.mjs), not the Node entry's.
      assert.throws(() => alipay.verifyNotify(signed(gbk)), (e) => e instanceof api.AggpayError && e.code === 'ERR_CHARSET' && /TextDecoder has no GBK decoder/.test(e.message));
      const ascii = [['charset', 'gbk'], ['out_trade_no', 'T1'], ['subject', 'coffee']];
      assert.equal(alipay.verifyNotify(signed(ascii)).event.params.subject, 'coffee', 'ASCII needs no decoder');
      const utf8 = [['charset', 'utf-8'], ['out_trade_no', 'T1'], ['subject', '中文']];
      assert.equal(alipay.verifyNotify(signed(utf8)).event.params.subject, '中文');
      alipay.free();
    } finally {
      globalThis.TextDecoder = Original;
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Certificate SNs on certificates generated with openssl.

function hasOpenssl() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('certificate mode on openssl-generated certificates', { skip: !hasOpenssl() && 'openssl is not installed' }, () => {
  let dir;
  const md5hex = (s) => crypto.createHash('md5').update(s, 'utf8').digest('hex');
  const file = (name) => path.join(dir, name);
  const openssl = (...args) => run('openssl', args, { timeout: 30_000 });

  /** Issuer (RFC 2253 per the documented rule) and decimal serial, read by openssl. */
  async function opensslFacts(certFile) {
    const rev = (await openssl('x509', '-in', certFile, '-noout', '-issuer', '-nameopt', 'RFC2253,-esc_msb')).stdout.trim();
    const der = (await openssl('x509', '-in', certFile, '-noout', '-issuer', '-nameopt', 'RFC2253,-esc_msb,-dn_rev')).stdout.trim();
    const serial = (await openssl('x509', '-in', certFile, '-noout', '-serial')).stdout.trim();
    assert.match(rev, /^issuer=/);
    // DER order → RDNs reversed; a multi-valued RDN keeps its attributes in DER order (Java's
    // X500Principal.getName()), which is where openssl's own RFC2253 output differs.
    const rdns = der.slice('issuer='.length).split(',');
    const issuer = rdns.reverse().join(',');
    if (!issuer.includes('+')) assert.equal(issuer, rev.slice('issuer='.length), 'both openssl orders agree for single-valued RDNs');
    const hexSerial = serial.slice('serial='.length);
    return { issuer, serial: BigInt(`0x${hexSerial}`).toString(10), hexSerial };
  }

  const CAS = [
    { name: 'ant', subj: '/C=CN/O=Ant Financial/OU=Certification Authority/CN=Ant Financial Certification Authority Class 2 R1' },
    { name: 'reversed', subj: '/CN=Reversed Order CA/OU=Unit/O=Org/L=Hangzhou/ST=Zhejiang/C=CN' },
    { name: 'mixed-utf8', subj: '/ST=浙江/C=CN/CN=混合 CA 根/O=蚂蚁金服（杭州）网络技术有限公司/L=杭州' },
    { name: 'multi-valued', subj: '/C=CN/O=Org/OU=Unit+CN=Multi Valued CA', multi: true },
    { name: 'repeated', subj: '/C=CN/OU=First/OU=Second/O=Org/CN=Two OUs' },
  ];
  const SERIALS = [
    '0', '1', '127', '128', '255', '256', '65535', '0x7fffffffffffffff', '0x8000000000000000',
    '0x5a1b2c3d4e5f60718293a4b5c6d7e8f9', // 16 bytes, as Alipay's
    '0x80112233445566778899aabbccddeeff00112233', // 20 bytes, leading high bit (DER adds a 00)
    '0xffffffffffffffffffffffffffffffffffffffff', // 20 bytes of ff
  ];
  const facts = new Map();
  const leaves = [];

  before(async () => {
    dir = makeTempDir('alipay-certs');
    const { app, alipay, other } = keyPairs();
    fs.writeFileSync(file('app.key'), app.pkcs8Pem);
    fs.writeFileSync(file('alipay.key'), alipay.pkcs8Pem);
    fs.writeFileSync(file('ca.key'), other.pkcs8Pem);
    await Promise.all([
      openssl('req', '-new', '-key', file('app.key'), '-subj', '/CN=2021000122671080/O=App', '-out', file('app.csr')),
      openssl('req', '-new', '-key', file('alipay.key'), '-subj', '/CN=Alipay Leaf/O=Alipay', '-out', file('alipay.csr')),
      ...CAS.map((ca, i) => openssl('req', '-x509', '-new', '-key', file('ca.key'), '-utf8', ...(ca.multi ? ['-multivalue-rdn'] : []), '-subj', ca.subj, '-set_serial', String(1000 + i), '-days', '3650', '-out', file(`ca-${ca.name}.pem`))),
      // Root-file members: RSA self-signed (sha256, sha1, PSS), EC and Ed25519 self-signed.
      openssl('req', '-x509', '-new', '-key', file('ca.key'), '-subj', '/C=CN/O=Roots/CN=RSA Root SHA256', '-set_serial', '0x0123456789abcdef', '-days', '3650', '-out', file('root-rsa256.pem')),
      openssl('req', '-x509', '-new', '-key', file('ca.key'), '-sha1', '-subj', '/C=CN/O=Roots/CN=RSA Root SHA1', '-set_serial', '0x8f00000000000000000000000000000001', '-days', '3650', '-out', file('root-rsa1.pem')),
      openssl('req', '-x509', '-new', '-key', file('ca.key'), '-sigopt', 'rsa_padding_mode:pss', '-subj', '/CN=RSA Root PSS/O=Roots/C=CN', '-set_serial', '77', '-days', '3650', '-out', file('root-pss.pem')),
      openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('ec.key'), '-subj', '/C=CN/O=Roots/CN=EC Root', '-set_serial', '5', '-days', '3650', '-out', file('root-ec.pem')),
      openssl('req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', file('ed.key'), '-subj', '/C=CN/O=Roots/CN=Ed25519 Root', '-set_serial', '6', '-days', '3650', '-out', file('root-ed.pem')),
    ]);
    // An EC-keyed certificate signed by an RSA CA (RSA-signed: counts) and an RSA-keyed one signed by the EC root (does not).
    await openssl('req', '-new', '-key', file('ec.key'), '-subj', '/CN=EC key RSA signed', '-out', file('ec.csr'));
    await Promise.all([
      openssl('x509', '-req', '-in', file('ec.csr'), '-CA', file('ca-reversed.pem'), '-CAkey', file('ca.key'), '-set_serial', '0x99', '-days', '365', '-out', file('root-ec-key-rsa-signed.pem')),
      openssl('x509', '-req', '-in', file('app.csr'), '-CA', file('root-ec.pem'), '-CAkey', file('ec.key'), '-set_serial', '0x98', '-days', '365', '-out', file('root-rsa-key-ec-signed.pem')),
    ]);
    // Leaves: the app key and the Alipay key under every CA, with every serial.
    const jobs = [];
    CAS.forEach((ca) => {
      SERIALS.forEach((serial, j) => {
        for (const who of ['app', 'alipay']) {
          const name = `leaf-${who}-${ca.name}-${j}.pem`;
          leaves.push({ who, ca: ca.name, serial, name });
          jobs.push(openssl('x509', '-req', '-in', file(`${who}.csr`), '-CA', file(`ca-${ca.name}.pem`), '-CAkey', file('ca.key'), '-set_serial', serial, '-days', '365', '-out', file(name)));
        }
      });
    });
    await Promise.all(jobs);
    const all = fs.readdirSync(dir).filter((f) => f.endsWith('.pem'));
    await Promise.all(all.map(async (f) => facts.set(f, await opensslFacts(file(f)))));
  });

  after(() => removeDir(dir));

  const sn = (name) => md5hex(facts.get(name).issuer + facts.get(name).serial);
  const pem = (name) => fs.readFileSync(file(name), 'utf8');

  it('Certificate.issuer and serialDecimal equal openssl\'s, for every DN shape and serial size', () => {
    assert.ok(facts.size >= CAS.length * SERIALS.length * 2, 'all certificates were generated');
    for (const [name, f] of facts) {
      const cert = Certificate.parse(pem(name));
      assert.equal(cert.issuer, f.issuer, `${name}: issuer`);
      assert.equal(cert.serialDecimal, f.serial, `${name}: serial (openssl hex ${f.hexSerial})`);
      cert.free();
    }
    const high = facts.get(leaves.find((l) => l.serial.startsWith('0x8011')).name);
    assert.equal(high.serial, '731132910596779799734052530039897400808915935795', 'leading-high-bit serial is unsigned');
    assert.ok(facts.get('ca-mixed-utf8.pem').issuer.includes('O=蚂蚁金服（杭州）网络技术有限公司'), 'UTF-8 kept as is');
    assert.equal(facts.get('ca-multi-valued.pem').issuer, 'OU=Unit+CN=Multi Valued CA,O=Org,C=CN');
  });

  for (const engine of ENGINES) {
    it(`appCertSn / alipayCertSn / alipayRootCertSn equal md5(issuer + decimal serial); requests and responses use them (engine ${engine})`, () => {
      const { app, alipay: ali } = keyPairs();
      const roots = ['root-ec.pem', 'root-rsa256.pem', 'root-ed.pem', 'root-rsa1.pem', 'root-ec-key-rsa-signed.pem', 'root-rsa-key-ec-signed.pem', 'root-pss.pem'];
      const rootText = roots.map(pem).join('\n');
      const included = roots.filter((r) => splitCertificate(new crypto.X509Certificate(pem(r)).raw).signatureAlgorithm.startsWith('1.2.840.113549.1.1.'));
      assert.deepEqual(included, ['root-rsa256.pem', 'root-rsa1.pem', 'root-ec-key-rsa-signed.pem', 'root-pss.pem'], 'the test knows which roots are RSA-signed');
      const rootSn = included.map(sn).join('_');
      const appLeaves = leaves.filter((l) => l.who === 'app');
      const aliLeaves = leaves.filter((l) => l.who === 'alipay');
      for (let i = 0; i < appLeaves.length; i++) {
        const appLeaf = appLeaves[i];
        const aliLeaf = aliLeaves[(i * 7) % aliLeaves.length];
        const what = `${appLeaf.name} + ${aliLeaf.name} on ${engine}`;
        // The Alipay certificate as a chain (leaf first, then its CA): the leaf counts.
        const alipay = new Alipay({
          appId: APP_ID, privateKey: app.pkcs1Pem, engine, appCert: pem(appLeaf.name),
          alipayCert: `${pem(aliLeaf.name)}\n${pem(`ca-${aliLeaf.ca}.pem`)}`, alipayRootCert: rootText,
        });
        assert.equal(alipay.appCertSn, sn(appLeaf.name), `${what}: appCertSn`);
        assert.equal(alipay.alipayCertSn, sn(aliLeaf.name), `${what}: alipayCertSn`);
        assert.equal(alipay.alipayRootCertSn, rootSn, `${what}: alipayRootCertSn`);
        if (i % 4 !== 0) {
          alipay.free();
          continue;
        }
        const parts = assertRequestSigned(alipay.buildTradeQuery({ out_trade_no: 'T1' }, { timestamp: 0 }), app.privateKey, 'RSA2', what);
        assert.equal(parts.params.get('app_cert_sn'), sn(appLeaf.name));
        assert.equal(parts.params.get('alipay_root_cert_sn'), rootSn);
        assert.ok(parts.query.some(([k]) => k === 'app_cert_sn') && parts.query.some(([k]) => k === 'alipay_root_cert_sn'), 'cert SNs in the URL query');
        // The Alipay key comes from the leaf: a response signed with it verifies; a wrong SN is refused first.
        const node = '{"code":"10000","msg":"Success","trade_no":"2026"}';
        assert.deepEqual(alipay.parseResponse('alipay.trade.query', signedResponse('alipay.trade.query', node, ali.privateKey, { certSn: sn(aliLeaf.name) })), JSON.parse(node), what);
        const otherSn = sn(aliLeaf.name).slice(0, -1) + (sn(aliLeaf.name).endsWith('0') ? '1' : '0');
        const wrong = signedResponse('alipay.trade.query', node, ali.privateKey, { certSn: otherSn });
        expectAggpayError(() => alipay.parseResponse('alipay.trade.query', wrong), 'ERR_CERT_SN_MISMATCH', `${what}: other SN`);
        // v3: app_cert_sn in the auth string, alipay-root-cert-sn header.
        const v3 = alipay.buildV3Request({ method: 'GET', path: '/v3/alipay/trade/query?out_trade_no=T1', nonce: 'n1', timestamp: 1 });
        const auth = parseAuthorization(v3.headers.authorization);
        assert.equal(auth.authString, `app_id=${APP_ID},app_cert_sn=${sn(appLeaf.name)},nonce=n1,timestamp=1`, `${what}: v3 authString`);
        assert.equal(auth.sign, nodeSign(`${auth.authString}\nGET\n/v3/alipay/trade/query?out_trade_no=T1\n\n`, app.privateKey));
        assert.equal(v3.headers['alipay-root-cert-sn'], rootSn);
        const body = '{"trade_no":"2026"}';
        const headers = { 'alipay-timestamp': '1', 'alipay-nonce': 'n', 'alipay-signature': nodeSign(`1\nn\n${body}\n`, ali.privateKey) };
        assert.deepEqual(alipay.verifyV3Response({ status: 200, headers: { ...headers, 'alipay-sn': sn(aliLeaf.name) }, body }), JSON.parse(body));
        expectAggpayError(() => alipay.verifyV3Response({ status: 200, headers: { ...headers, 'alipay-sn': 'x' }, body }), 'ERR_CERT_SN_MISMATCH', `${what}: v3 alipay-sn`);
        alipay.free();
      }
    });
  }

  it('a root file with no RSA-signed certificate is refused; an app key in the Alipay certificate is ERR_KEY_MISMATCH', () => {
    const { app } = keyPairs();
    const base = { appId: APP_ID, privateKey: app.pkcs8Pem, appCert: pem('leaf-app-ant-1.pem'), engine: 'wasm' };
    const e = expectAggpayError(
      () => new Alipay({ ...base, alipayCert: pem('leaf-alipay-ant-1.pem'), alipayRootCert: pem('root-ec.pem') + pem('root-ed.pem') + pem('root-rsa-key-ec-signed.pem') }),
      'ERR_CERT_INVALID', 'only non-RSA roots',
    );
    assert.match(e.message, /root/i);
    expectAggpayError(
      () => new Alipay({ ...base, alipayCert: pem('leaf-app-reversed-2.pem'), alipayRootCert: pem('root-rsa256.pem') }),
      'ERR_KEY_MISMATCH', 'app certificate given as the Alipay certificate',
    );
  });
});
