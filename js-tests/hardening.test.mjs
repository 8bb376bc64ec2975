// Hostile network input and hostile key text, through every public class on both engines: the
// defects of the hardening review (issue 7, items 1, 2, 6, 7, 8, 9), each shown to be refused with
// its own stable code. Expected values come from node:crypto and from rules written out here —
// never from the code under test. (Items 3–5, hostile JS values and receivers, are in
// hostile.test.mjs; item 10, certificate names against Java, is tests/x500_java.rs.)
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Alipay, UseePay, WechatMiniProgram, RsaSigner, RsaVerifier, Certificate, AggpayError } from 'aggpay';
import { fixturesDir, repoRoot, expectAggpayError, rsaKeyPair } from './helpers.mjs';
import { ENGINES, keyPairs, makeAlipay, nodeSign, notifyContent, signedResponse, assertStillSigns, readAlipayFixture } from './alipay-helpers.mjs';

// ---------------------------------------------------------------------------------------------
// UseePay set-ups (MD5, and RSA on each engine) with an independent string to sign.

const UDIR = path.join(fixturesDir, 'useepay');
const upem = (name) => fs.readFileSync(path.join(UDIR, name), 'utf8');
const MERCHANT_PRIVATE = upem('test-merchant-private.pem');
const USEEPAY_PUBLIC = upem('test-useepay-public.pem');
const useepayKey = crypto.createPrivateKey(upem('test-useepay-private.pem'));
const MD5_KEY = 'hardening-md5-key';
const byteCompare = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
/** UseePay's documented rule: every field but sign, blank values left out, names sorted byte-wise. */
const useepayContent = (pairs) =>
  pairs.filter(([k, v]) => k !== 'sign' && v.trim() !== '').sort((a, b) => byteCompare(a[0], b[0])).map(([k, v]) => `${k}=${v}`).join('&');
const USEEPAY_SETUPS = [
  {
    name: 'MD5',
    signType: 'MD5',
    make: (extra = {}) => new UseePay({ merchantNo: '500000000007362', appId: 'shop.example.com', signType: 'MD5', md5Key: MD5_KEY, ...extra }),
    sign: (content) => crypto.createHash('md5').update(`${content}&pkey=${MD5_KEY}`, 'utf8').digest('hex'),
  },
  ...ENGINES.map((engine) => ({
    name: `RSA/${engine}`,
    signType: 'RSA',
    make: (extra = {}) => new UseePay({
      merchantNo: '500000000007362', appId: 'shop.example.com', signType: 'RSA', privateKey: MERCHANT_PRIVATE,
      useepayPublicKey: USEEPAY_PUBLIC, engine, ...extra,
    }),
    sign: (content) => crypto.sign('sha256', Buffer.from(content, 'utf8'), useepayKey).toString('base64'),
  })),
];
/** A notification body signed by the UseePay stand-in over `pairs` ([name, value] strings). */
const useepayBody = (setup, pairs) => new URLSearchParams([...pairs, ['sign', setup.sign(useepayContent(pairs))]]).toString();
const paidFields = (setup, amount = '100') => [
  ['version', '1.0'], ['merchantNo', '500000000007362'], ['transactionId', 'T1'], ['transactionType', 'pay'],
  ['amount', amount], ['currency', 'HKD'], ['resultCode', 'succeed'], ['errorCode', '0000'], ['reference', 'R1'],
  ['signType', setup.signType],
];

/** An Alipay payment notification signed by node:crypto with the generated "Alipay" key. */
function alipayNotification(pairs) {
  const { alipay } = keyPairs();
  const all = [...pairs, ['sign_type', 'RSA2']];
  return new URLSearchParams([...all, ['sign', nodeSign(notifyContent(all, 'payment'), alipay.privateKey)]]).toString();
}
const SHORT_FIELDS = (n) => Array.from({ length: n }, (_, i) => `f${i}=v`).join('&');

// ---------------------------------------------------------------------------------------------

describe('1. form bodies are bounded before they are decoded', () => {
  const manyFields = `${SHORT_FIELDS(100_000)}&sign=AAAA`;
  let oneMiB = SHORT_FIELDS(120_000);
  oneMiB = `${oneMiB.slice(0, 1024 * 1024 - 10).replace(/&[^&]*$/, '')}&sign=AAAA`;

  for (const engine of ENGINES) {
    it(`Alipay verifyNotify / verifyReturn (${engine}): 100,000 fields and 1 MiB of short fields are ERR_TOO_MANY_FIELDS`, () => {
      const alipay = makeAlipay(engine);
      assert.ok(oneMiB.length <= 1024 * 1024);
      for (const [what, body] of [['100,000 fields', manyFields], ['1 MiB of short fields', oneMiB]]) {
        expectAggpayError(() => alipay.verifyNotify(body), 'ERR_TOO_MANY_FIELDS', `verifyNotify: ${what}`);
        expectAggpayError(() => alipay.verifyNotify(body, { rule: 'auto' }), 'ERR_TOO_MANY_FIELDS', `verifyNotify auto: ${what}`);
        expectAggpayError(() => alipay.verifyReturn(`?${body}`), 'ERR_TOO_MANY_FIELDS', `verifyReturn: ${what}`);
        expectAggpayError(() => alipay.verifyNotify(Buffer.from(body)), 'ERR_TOO_MANY_FIELDS', `verifyNotify bytes: ${what}`);
      }
      expectAggpayError(() => alipay.verifyNotify('a=1&'.repeat(300_000)), 'ERR_INPUT_TOO_LARGE', 'a 1.2 MB body');
      assertStillSigns(alipay, keyPairs().app.privateKey, `Alipay ${engine} after oversized bodies`);
    });
  }

  for (const setup of USEEPAY_SETUPS) {
    it(`UseePay verifyNotify (${setup.name}): too many fields, too large`, () => {
      const useepay = setup.make();
      expectAggpayError(() => useepay.verifyNotify(manyFields), 'ERR_TOO_MANY_FIELDS', '100,000 fields');
      expectAggpayError(() => useepay.verifyNotify(oneMiB), 'ERR_TOO_MANY_FIELDS', '1 MiB of short fields');
      expectAggpayError(() => useepay.verifyNotify('a=1&'.repeat(300_000)), 'ERR_INPUT_TOO_LARGE', 'a 1.2 MB body');
      const { event } = useepay.verifyNotify(useepayBody(setup, paidFields(setup)));
      assert.equal(event.paid, true, 'a real notification still verifies');
    });
  }

  it('a repeated name is still found at the end of a body just under the field limit', () => {
    const alipay = makeAlipay('wasm');
    const body = `${SHORT_FIELDS(998)}&f5=again&sign=AAAA`;
    expectAggpayError(() => alipay.verifyNotify(body), 'ERR_BAD_INPUT', 'repeated f5');
    expectAggpayError(() => alipay.verifyNotify(`${SHORT_FIELDS(998)}&%66%35=again&sign=AAAA`), 'ERR_BAD_INPUT', 'repeated f5, escaped');
  });

  it('the limits are per client and configurable', () => {
    const body = alipayNotification([['out_trade_no', 'T1'], ['trade_status', 'TRADE_SUCCESS'], ['total_amount', '0.01']]);
    assert.equal(makeAlipay('wasm').verifyNotify(body).event.outTradeNo, 'T1');
    expectAggpayError(() => makeAlipay('wasm', { limits: { maxInputBytes: 100 } }).verifyNotify(body), 'ERR_INPUT_TOO_LARGE', 'maxInputBytes 100');
    expectAggpayError(() => makeAlipay('wasm', { limits: { maxFields: 4 } }).verifyNotify(body), 'ERR_TOO_MANY_FIELDS', 'maxFields 4');
    const wide = makeAlipay('wasm', { limits: { maxFields: 200_000, maxInputBytes: 4 * 1024 * 1024 } });
    expectAggpayError(() => wide.verifyNotify(manyFields), 'ERR_SIGNATURE_INVALID', 'raised limits: decoded, then the signature fails');
    for (const bad of [{ maxFields: 0 }, { maxInputBytes: 2 ** 40 }, { maxDepth: 1000 }, { minKeyBits: 512 }, { maxKeyBits: 16384 }, { unknown: 1 }, 'big']) {
      expectAggpayError(() => makeAlipay('wasm', { limits: bad }), 'ERR_BAD_INPUT', `limits ${JSON.stringify(bad)}`);
      expectAggpayError(() => USEEPAY_SETUPS[0].make({ limits: bad }), 'ERR_BAD_INPUT', `UseePay limits ${JSON.stringify(bad)}`);
      expectAggpayError(() => new WechatMiniProgram({ appId: 'wx1', appSecret: 's', limits: bad }), 'ERR_BAD_INPUT', `WeChat limits ${JSON.stringify(bad)}`);
    }
  });
});

describe('1. JSON responses are bounded (members per object, depth, size) in one linear pass', () => {
  const members = (n) => Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',');
  for (const engine of ENGINES) {
    it(`Alipay parseResponse / verifyV3Response (${engine})`, () => {
      const alipay = makeAlipay(engine);
      const m = 'alipay.trade.query';
      expectAggpayError(() => alipay.parseResponse(m, `{${members(50_000)}}`), 'ERR_TOO_MANY_FIELDS', 'top-level members');
      expectAggpayError(() => alipay.parseResponse(m, `{"alipay_trade_query_response":{${members(5000)}},"sign":"AAAA"}`), 'ERR_TOO_MANY_FIELDS', 'members of the node');
      const deep = `{"alipay_trade_query_response":${'['.repeat(100_000)}${']'.repeat(100_000)},"sign":"AAAA"}`;
      expectAggpayError(() => alipay.parseResponse(m, deep), 'ERR_TOO_DEEP', '100,000 levels');
      expectAggpayError(() => alipay.parseResponse(m, `{"a":"${'x'.repeat(1024 * 1024)}"}`), 'ERR_INPUT_TOO_LARGE', '1 MiB response');
      const v3 = (body) => ({ status: 400, headers: {}, body });
      expectAggpayError(() => alipay.verifyV3Response(v3(`{"code":${'['.repeat(5000)}`)), 'ERR_PROVIDER_REJECTED', 'a deep unsigned error body is not parsed');
      expectAggpayError(() => alipay.verifyV3Response(v3('x'.repeat(1024 * 1024 + 1))), 'ERR_INPUT_TOO_LARGE', 'a 1 MiB v3 body');
      assertStillSigns(alipay, keyPairs().app.privateKey, `Alipay ${engine} after hostile responses`);
    });
  }
  for (const setup of USEEPAY_SETUPS) {
    it(`UseePay parseResponse (${setup.name})`, () => {
      const useepay = setup.make();
      expectAggpayError(() => useepay.parseResponse(`{${members(50_000)}}`), 'ERR_TOO_MANY_FIELDS', 'members');
      expectAggpayError(() => useepay.parseResponse(`{"a":${'{"b":'.repeat(10_000)}1${'}'.repeat(10_000)}}`), 'ERR_TOO_DEEP', 'depth');
      expectAggpayError(() => useepay.parseJsapiPay(`{"a":"${'x'.repeat(1024 * 1024)}"}`), 'ERR_INPUT_TOO_LARGE', 'size');
    });
  }
  it('WechatMiniProgram parseCode2Session and decryptUserData', () => {
    const wechat = new WechatMiniProgram({ appId: 'wx1', appSecret: 'secret' });
    expectAggpayError(() => wechat.parseCode2Session(`{"openid":${'['.repeat(100_000)}}`), 'ERR_TOO_DEEP', 'deep reply');
    expectAggpayError(() => wechat.parseCode2Session(`{${members(50_000)}}`), 'ERR_TOO_MANY_FIELDS', 'wide reply');
    const key = crypto.randomBytes(16).toString('base64');
    expectAggpayError(
      () => wechat.decryptUserData({ sessionKey: key, iv: key, encryptedData: 'A'.repeat(2 * 1024 * 1024) }),
      'ERR_INPUT_TOO_LARGE',
      '2 MiB encryptedData',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. PEM framing: no substring of 16 or more characters of the key text appears in any error.

/** Every way the framing of `pem` (one block) can be damaged: at least 30. */
function framingMutations(pem) {
  const m = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n-----END \1-----\s*$/.exec(pem.trim());
  assert.ok(m, 'a one-block PEM');
  const [, label, body] = m;
  const lines = body.split(/\r?\n/);
  const flat = lines.join('');
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const make = (b, bodyText, e) => `${b}\n${bodyText}\n${e}\n`;
  const half = Math.floor(flat.length / 2);
  return [
    ['BEGIN without its trailing dashes', make(`-----BEGIN ${label}`, body, end)],
    ['BEGIN with four trailing dashes', make(`-----BEGIN ${label}----`, body, end)],
    ['BEGIN with six trailing dashes', make(`-----BEGIN ${label}------`, body, end)],
    ['BEGIN with four leading dashes', make(`----BEGIN ${label}-----`, body, end)],
    ['BEGIN with a lower-case label', make(`-----BEGIN ${label.toLowerCase()}-----`, body, end)],
    ['BEGIN without the space', make(`-----BEGIN${label}-----`, body, end)],
    ['BEGIN with a tab in the label', make(`-----BEGIN ${label.replace(' ', '\t')}-----`, body, end)],
    ['BEGIN line split in two', make(`-----BEGIN ${label.split(' ')[0]}\n${label.split(' ').slice(1).join(' ')}-----`, body, end)],
    ['BEGIN without dashes, body on the same line', `-----BEGIN ${label}${flat}\n${end}\n`],
    ['label replaced by the key itself', make(`-----BEGIN ${flat.slice(0, 200).toUpperCase().replace(/[^A-Z0-9]/g, 'A')}-----`, body, end)],
    ['BEGIN dashes only', make('----------', body, end)],
    ['BEGIN missing', `${body}\n${end}\n`],
    ['BEGIN with em dashes', make(`—————BEGIN ${label}—————`, body, end)],
    ['BEGIN with a NUL in the label', make(`-----BEGIN ${label}\u0000-----`, body, end)],
    ['END missing', `${begin}\n${body}\n`],
    ['END without its trailing dashes', make(begin, body, `-----END ${label}`)],
    ['END with another label', make(begin, body, `-----END CERTIFICATE REQUEST-----`)],
    ['END in lower case', make(begin, body, end.toLowerCase())],
    ['END with four dashes', make(begin, body, `----END ${label}-----`)],
    ['everything on one line', `${begin}${flat}${end}`],
    ['line breaks as spaces', `${begin} ${lines.join(' ')} ${end}`],
    ['CR line breaks', `${begin}\r${lines.join('\r')}\r${end}\r`],
    ['literal \\n sequences, END damaged', `${begin}\\n${lines.join('\\n')}\\n-----END ${label}`],
    ['body cut in half', make(begin, flat.slice(0, half), end)],
    ['body one character short', make(begin, flat.slice(0, -1), end)],
    ['a body line dropped', make(begin, lines.filter((_, i) => i !== 3).join('\n'), end)],
    ['a character that is not base64', make(begin, `${flat.slice(0, half)}!${flat.slice(half)}`, end)],
    ['padding in the middle', make(begin, `${flat.slice(0, half)}==${flat.slice(half)}`, end)],
    ['an encryption header', make(begin, `Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n${body}`, end)],
    ['another RFC 1421 header', make(begin, `Comment: ${flat.slice(0, 40)}\n${body}`, end)],
    ['BEGIN twice', make(`${begin}\n${begin}`, body, end)],
    ['two BEGIN lines, one END', `${begin}\n${body}\n${begin}\n${body}\n${end}\n`],
    ['the body before BEGIN', `${body}\n${begin}\n${end}\n`],
    ['truncated in the END line', make(begin, body, end.slice(0, 12))],
    ['truncated anywhere', `${begin}\n${body}`.slice(0, 300)],
    ['bare base64 with a stray BEGIN', `${flat}\n-----BEGIN `],
  ];
}

/** Every 16-character window of `text` (and of its whitespace-free form). */
function windows16(text) {
  const out = new Set();
  for (const t of [text, text.replace(/\s+/g, '')]) for (let i = 0; i + 16 <= t.length; i++) out.add(t.slice(i, i + 16));
  return out;
}
function assertNoWindow(error, keyWindows, what) {
  const texts = [String(error.message), ...Object.values(error).filter((v) => typeof v === 'string')];
  for (const t of texts) {
    for (let i = 0; i + 16 <= t.length; i++) {
      assert.ok(!keyWindows.has(t.slice(i, i + 16)), `${what}: the error contains key text ${JSON.stringify(t.slice(i, i + 16))}: ${t.slice(0, 300)}`);
    }
  }
}

describe('2. damaged PEM framing never puts key text into an error', () => {
  let kinds;
  before(() => {
    const pair = rsaKeyPair(2048);
    kinds = {
      'PKCS#8 private key': pair.pkcs8Pem,
      'PKCS#1 private key': pair.pkcs1Pem,
      'SPKI public key': pair.spkiPem,
      'PKCS#1 public key': pair.pkcs1PublicPem,
      certificate: readAlipayFixture('gopay-cert/appPublicCert.crt'),
    };
  });

  /** Every role a key text can be given in, each a function of the text. */
  const roles = () => {
    const { app, alipay } = keyPairs();
    const certs = {
      appCert: readAlipayFixture('gopay-cert/appPublicCert.crt'),
      alipayCert: readAlipayFixture('gopay-cert/alipayPublicCert.crt'),
      alipayRootCert: readAlipayFixture('gopay-cert/alipayRootCert.crt'),
    };
    const out = [
      ['Certificate.parse', (t) => Certificate.parse(t)],
      ['Certificate.parseChain', (t) => Certificate.parseChain(t)],
      ['UseePay MD5 client (no keys: control)', () => USEEPAY_SETUPS[0].make()],
    ];
    for (const engine of ENGINES) {
      out.push(
        [`RsaSigner (${engine})`, (t) => new RsaSigner(t, { engine })],
        [`RsaVerifier (${engine})`, (t) => new RsaVerifier(t, { engine })],
        [`Alipay privateKey (${engine})`, (t) => new Alipay({ appId: '1', privateKey: t, alipayPublicKey: alipay.spkiPem, engine })],
        [`Alipay alipayPublicKey (${engine})`, (t) => new Alipay({ appId: '1', privateKey: app.pkcs8Pem, alipayPublicKey: t, engine })],
        ...Object.keys(certs).map((field) => [
          `Alipay ${field} (${engine})`,
          (t) => new Alipay({ appId: '1', privateKey: app.pkcs8Pem, ...certs, [field]: t, engine }),
        ]),
        [`UseePay privateKey (${engine})`, (t) => USEEPAY_SETUPS[1].make({ privateKey: t, engine })],
        [`UseePay useepayPublicKey (${engine})`, (t) => USEEPAY_SETUPS[1].make({ useepayPublicKey: t, engine })],
      );
    }
    return out;
  };

  it('36 framing mutations × 5 key kinds × every role: an AggpayError without a 16-character window of the key text', () => {
    let refused = 0;
    for (const [kind, pem] of Object.entries(kinds)) {
      const keyWindows = windows16(pem);
      const mutations = framingMutations(pem);
      assert.ok(mutations.length >= 30);
      for (const [mutation, text] of mutations) {
        for (const [role, load] of roles()) {
          const what = `${kind}, ${mutation}, ${role}`;
          try {
            load(text);
          } catch (error) {
            assert.ok(error instanceof AggpayError, `${what}: ${error?.constructor?.name}: ${error?.message}`);
            assert.match(error.code, /^ERR_[A-Z_]+$/, what);
            assertNoWindow(error, keyWindows, what);
            refused += 1;
          }
        }
      }
    }
    assert.ok(refused > 1500, `most combinations are refused (${refused})`);
  });

  it('the BEGIN line without dashes (the reported case) is ERR_KEY_INVALID and names no label', () => {
    const pem = kinds['PKCS#8 private key'];
    const text = pem.replace('-----BEGIN PRIVATE KEY-----', '-----BEGIN PRIVATE KEY');
    for (const engine of ENGINES) {
      const error = expectAggpayError(() => new RsaSigner(text, { engine, role: 'app key' }), 'ERR_KEY_INVALID', engine);
      assert.match(error.message, /^app key: malformed PEM/);
      assertNoWindow(error, windows16(pem), engine);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('6. names are compared after unescaping', () => {
  for (const setup of USEEPAY_SETUPS) {
    it(`UseePay: "resultCod\\u0065" next to "resultCode", signed over both, is ERR_RESPONSE_MALFORMED (${setup.name})`, () => {
      const useepay = setup.make();
      const fields = [['resultCode', 'succeed'], ['resultCode', 'failed'], ['amount', '100'], ['currency', 'HKD'], ['transactionId', 'T1'], ['signType', setup.signType]];
      const sign = setup.sign(useepayContent(fields));
      const raw = `{"resultCod\\u0065":"succeed","resultCode":"failed","amount":"100","currency":"HKD","transactionId":"T1","signType":"${setup.signType}","sign":${JSON.stringify(sign)}}`;
      for (const parse of ['parseResponse', 'parseRefund', 'parseJsapiPay']) {
        expectAggpayError(() => useepay[parse](raw), 'ERR_RESPONSE_MALFORMED', parse);
      }
      const escapedSign = raw.replace('"sign":', '"\\u0073ign":"x","sign":');
      expectAggpayError(() => useepay.parseResponse(escapedSign), 'ERR_RESPONSE_MALFORMED', 'an escaped second sign');
    });
  }
  for (const engine of ENGINES) {
    it(`Alipay: an escaped second response node or sign is ERR_RESPONSE_MALFORMED (${engine})`, () => {
      const alipay = makeAlipay(engine);
      const { alipay: alipayKey } = keyPairs();
      const m = 'alipay.trade.query';
      const good = signedResponse(m, '{"code":"10000","msg":"Success","trade_status":"TRADE_SUCCESS"}', alipayKey.privateKey);
      assert.equal(alipay.parseResponse(m, good).trade_status, 'TRADE_SUCCESS');
      const second = good.replace('{"alipay_trade_query_response"', '{"alipay_trade_query_respons\\u0065":{"code":"40004"},"alipay_trade_query_response"');
      expectAggpayError(() => alipay.parseResponse(m, second), 'ERR_RESPONSE_MALFORMED', 'escaped node name first');
      expectAggpayError(() => alipay.parseResponse(m, good.replace(',"sign":', ',"\\u0073ign":"AAAA","sign":')), 'ERR_RESPONSE_MALFORMED', 'escaped sign');
      const node = '{"code":"10000","cod\\u0065":"40004","msg":"Success"}';
      expectAggpayError(() => alipay.parseResponse(m, signedResponse(m, node, alipayKey.privateKey)), 'ERR_RESPONSE_MALFORMED', 'escaped repeat inside the signed node');
    });
  }
});

describe('7. a paid UseePay event carries a valid amount or is an error', () => {
  const BAD = ['18446744073709551616', '-1', '1e3', '١٠٠', '１００', '1.00', '0x64', ' 100 ', '+100', '100 HKD', '9007199254740992'];
  for (const setup of USEEPAY_SETUPS) {
    it(`notifications and responses (${setup.name})`, () => {
      const useepay = setup.make();
      for (const amount of BAD) {
        const body = useepayBody(setup, paidFields(setup, amount));
        expectAggpayError(() => useepay.verifyNotify(body), 'ERR_RESPONSE_MALFORMED', `notification amount ${JSON.stringify(amount)}`);
        const fields = paidFields(setup, amount);
        const raw = JSON.stringify(Object.fromEntries([...fields, ['sign', setup.sign(useepayContent(fields))]]));
        expectAggpayError(() => useepay.parseResponse(raw), 'ERR_RESPONSE_MALFORMED', `response amount ${JSON.stringify(amount)}`);
      }
      const withoutAmount = paidFields(setup).filter(([k]) => k !== 'amount');
      expectAggpayError(() => useepay.verifyNotify(useepayBody(setup, withoutAmount)), 'ERR_RESPONSE_MALFORMED', 'paid without an amount');
      const badCurrency = paidFields(setup).map(([k, v]) => [k, k === 'currency' ? 'XYZ' : v]);
      expectAggpayError(() => useepay.verifyNotify(useepayBody(setup, badCurrency)), 'ERR_RESPONSE_MALFORMED', 'unknown currency');
      for (const [amount, minor] of [['100', 100], ['0', 0], ['0100', 100], ['9007199254740991', 2 ** 53 - 1]]) {
        const { event } = useepay.verifyNotify(useepayBody(setup, paidFields(setup, amount)));
        assert.deepEqual([event.paid, event.amount], [true, { minor, currency: 'HKD' }], `amount ${amount}`);
      }
      const pending = paidFields(setup).filter(([k]) => k !== 'amount').map(([k, v]) => [k, k === 'resultCode' ? 'pending' : v]);
      assert.equal(useepay.verifyNotify(useepayBody(setup, pending)).event.amount, null, 'an unpaid event may have no amount');
    });
  }
});

describe('8. every decryptUserData failure reads the same', () => {
  it('bad padding, bad UTF-8, bad JSON and a wrong key give one code and one message', () => {
    const wechat = new WechatMiniProgram({ appId: 'wx1', appSecret: 'secret' });
    const key = crypto.randomBytes(16);
    const iv = crypto.randomBytes(16);
    const encrypt = (plain, pad = true) => {
      const c = crypto.createCipheriv('aes-128-cbc', key, iv);
      c.setAutoPadding(pad);
      return Buffer.concat([c.update(plain), c.final()]).toString('base64');
    };
    const args = (encryptedData, k = key) => ({ sessionKey: k.toString('base64'), iv: iv.toString('base64'), encryptedData });
    const cases = [
      ['bad padding', encrypt(Buffer.alloc(32, 0x41), false)],
      ['padding byte 0', encrypt(Buffer.concat([Buffer.alloc(31, 0x41), Buffer.from([0])]), false)],
      ['not UTF-8', encrypt(Buffer.from([0xff, 0xfe, 0x80]))],
      ['not JSON', encrypt(Buffer.from('{"watermark":'))],
      ['a wrong key', encrypt(Buffer.from('{"watermark":{"appid":"wx1"}}')), crypto.randomBytes(16)],
      ['a length that is not a multiple of 16', Buffer.alloc(20).toString('base64')],
    ];
    const messages = new Set();
    for (const [what, data, k] of cases) {
      const error = expectAggpayError(() => wechat.decryptUserData(args(data, k)), 'ERR_DECRYPT_FAILED', what);
      messages.add(error.message);
    }
    assert.equal(messages.size, 1, `one message for every failure: ${[...messages].join(' | ')}`);
    const other = expectAggpayError(
      () => wechat.decryptUserData(args(encrypt(Buffer.from('{"watermark":{"appid":"wx-SECRET-OTHER-APP"}}')))),
      'ERR_WATERMARK_MISMATCH',
      'another app',
    );
    assert.ok(!other.message.includes('SECRET-OTHER'), 'the decrypted text is not echoed');
    assert.deepEqual(wechat.decryptUserData(args(encrypt(Buffer.from('{"a":1,"watermark":{"appid":"wx1"}}')))), { a: 1, watermark: { appid: 'wx1' } });
  });
});

describe('9. smaller holes', () => {
  for (const engine of ENGINES) {
    it(`v3 nonce, app auth token and request id cannot break the Authorization header (${engine})`, () => {
      const alipay = makeAlipay(engine);
      for (const nonce of ['a,b', 'a"b', 'a=b', 'a b', '', 'n'.repeat(65), 'a\r\nx: y', '中']) {
        if (nonce === '') continue; // an empty nonce means "none given": a fresh one is drawn
        expectAggpayError(() => alipay.buildV3Request({ method: 'GET', path: '/v3/x', nonce }), 'ERR_BAD_INPUT', `nonce ${JSON.stringify(nonce)}`);
      }
      for (const field of ['appAuthToken', 'requestId']) {
        expectAggpayError(() => alipay.buildV3Request({ method: 'GET', path: '/v3/x', [field]: 'a\r\nx-injected: 1' }), 'ERR_BAD_INPUT', field);
      }
      expectAggpayError(() => alipay.buildV3Request({ method: 'GET', path: '/v3/x y\n' }), 'ERR_BAD_INPUT', 'path with a line break');
      const ok = alipay.buildV3Request({ method: 'GET', path: '/v3/x', nonce: 'uuid-1234_ABC' });
      assert.match(ok.headers.authorization, /,nonce=uuid-1234_ABC,timestamp=\d+,sign=/);
    });

    it(`typed builders refuse non-string values for the fields they name (${engine})`, () => {
      const alipay = makeAlipay(engine);
      const money = { minor: 1, currency: 'CNY' };
      const builders = [
        ['buildTradeCreate', { out_trade_no: 'T', total_amount: money, subject: 's', buyer_open_id: 'o' }],
        ['buildTradeQuery', { out_trade_no: 'T' }],
        ['buildTradeClose', { out_trade_no: 'T' }],
        ['buildTradeRefund', { out_trade_no: 'T', refund_amount: money }],
        ['buildRefundQuery', { out_trade_no: 'T', out_request_no: 'R' }],
        ['buildTradePrecreate', { out_trade_no: 'T', total_amount: money, subject: 's' }],
        ['buildWapPay', { out_trade_no: 'T', total_amount: money, subject: 's' }],
        ['buildPagePay', { out_trade_no: 'T', total_amount: money, subject: 's' }],
        ['buildAppPay', { out_trade_no: 'T', total_amount: money, subject: 's' }],
        ['buildTradeCancel', { out_trade_no: 'T' }],
        ['buildBillDownloadUrlQuery', { bill_type: 'trade', bill_date: '2026-01' }],
        ['buildAlipayCertDownload', { alipay_cert_sn: 'abc' }],
      ];
      for (const [builder, biz] of builders) {
        alipay[builder](biz); // the well-typed call works
        for (const field of Object.keys(biz).filter((k) => typeof biz[k] === 'string')) {
          for (const value of [Buffer.from('T'), 42, true, ['T'], { t: 1 }]) {
            expectAggpayError(() => alipay[builder]({ ...biz, [field]: value }), 'ERR_BAD_INPUT', `${builder} ${field}=${JSON.stringify(value)}`);
          }
        }
      }
      const useepay = USEEPAY_SETUPS[0].make({ notifyUrl: 'https://shop.example.com/n' });
      expectAggpayError(() => useepay.buildQuery({ transactionId: Buffer.from('T') }), 'ERR_BAD_INPUT', 'UseePay buildQuery Buffer');
    });
  }

  describe('one size policy for both roles: 1024 to 4096 bits, ERR_KEY_SIZE outside', () => {
    const big = fs.readFileSync(path.join(repoRoot, 'tests', 'size-policy', 'rsa-16384-private.pem'), 'utf8');
    const bigKey = crypto.createPrivateKey(big);
    const texts = () => {
      const small = crypto.generateKeyPairSync('rsa', { modulusLength: 512 });
      const large = crypto.generateKeyPairSync('rsa', { modulusLength: 4104 });
      return {
        private: [
          ['512-bit PKCS#8', small.privateKey.export({ type: 'pkcs8', format: 'pem' })],
          ['512-bit PKCS#1', small.privateKey.export({ type: 'pkcs1', format: 'pem' })],
          ['4104-bit PKCS#8', large.privateKey.export({ type: 'pkcs8', format: 'pem' })],
          ['16384-bit PKCS#8', big],
          ['16384-bit PKCS#1 as bare base64', bigKey.export({ type: 'pkcs1', format: 'der' }).toString('base64')],
        ],
        public: [
          ['512-bit SPKI', small.publicKey.export({ type: 'spki', format: 'pem' })],
          ['4104-bit PKCS#1', large.publicKey.export({ type: 'pkcs1', format: 'pem' })],
          ['16384-bit SPKI', crypto.createPublicKey(bigKey).export({ type: 'spki', format: 'pem' })],
          ['16384-bit SPKI as bare base64', crypto.createPublicKey(bigKey).export({ type: 'spki', format: 'der' }).toString('base64')],
        ],
      };
    };
    for (const engine of ENGINES) {
      it(`RsaSigner, RsaVerifier, Alipay and UseePay (${engine})`, () => {
        const { app, alipay } = keyPairs();
        const t = texts();
        for (const [what, text] of t.private) {
          expectAggpayError(() => new RsaSigner(text, { engine }), 'ERR_KEY_SIZE', `RsaSigner ${what}`);
          expectAggpayError(() => new Alipay({ appId: '1', privateKey: text, alipayPublicKey: alipay.spkiPem, engine }), 'ERR_KEY_SIZE', `Alipay ${what}`);
          expectAggpayError(() => USEEPAY_SETUPS[1].make({ privateKey: text, engine }), 'ERR_KEY_SIZE', `UseePay ${what}`);
        }
        for (const [what, text] of t.public) {
          expectAggpayError(() => new RsaVerifier(text, { engine }), 'ERR_KEY_SIZE', `RsaVerifier ${what}`);
          expectAggpayError(() => new Alipay({ appId: '1', privateKey: app.pkcs8Pem, alipayPublicKey: text, engine }), 'ERR_KEY_SIZE', `Alipay ${what}`);
        }
        for (const bits of [1024, 4096]) {
          const pair = rsaKeyPair(bits);
          assert.equal(new RsaSigner(pair.pkcs8Pem, { engine }).bits, bits);
          assert.equal(new RsaVerifier(pair.spkiPem, { engine }).bits, bits);
        }
        const strict = { limits: { minKeyBits: 2048 } };
        expectAggpayError(() => new Alipay({ appId: '1', privateKey: rsaKeyPair(1024).pkcs8Pem, alipayPublicKey: alipay.spkiPem, engine, ...strict }), 'ERR_KEY_SIZE', 'minKeyBits 2048');
        new Alipay({ appId: '1', privateKey: app.pkcs8Pem, alipayPublicKey: alipay.spkiPem, engine, ...strict });
      });
    }
  });
});
