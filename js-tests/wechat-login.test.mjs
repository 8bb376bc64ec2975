// WeChat mini-program login (server side): jscode2session URL and reply, and encryptedData
// decryption (AES-128-CBC, PKCS#7, watermark.appid), against the shared vectors and node:crypto.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { WechatMiniProgram, AggpayError } from 'aggpay';
import { readFixtureJson, makeRng, ctx, expectAggpayError } from './helpers.mjs';

const CBC_VECTORS = readFixtureJson('wechatpay/vectors.json').vectors.filter((v) => v.kind === 'aes-cbc-decrypt');
const FIXTURE_APPID = 'wx4f4bc4dec97d474b';
const APP_SECRET = 'appSecret-0123456789abcdef-SECRET';

/** expectAggpayError + the app secret appears in no string property of the error. */
function expectErr(fn, codes, what) {
  const e = expectAggpayError(fn, codes, what);
  for (const t of [e.message, String(e.stack ?? ''), ...Object.values(e).filter((v) => typeof v === 'string')]) {
    assert.ok(!t.includes(APP_SECRET), `${what}: error text contains the app secret: ${t}`);
  }
  return e;
}

const mp = (extra = {}) => new WechatMiniProgram({ appId: FIXTURE_APPID, appSecret: APP_SECRET, ...extra });

/** node:crypto AES-128-CBC / PKCS#7, base64 in and out. */
function encrypt(plaintext, keyB64, ivB64) {
  const c = crypto.createCipheriv('aes-128-cbc', Buffer.from(keyB64, 'base64'), Buffer.from(ivB64, 'base64'));
  return Buffer.concat([c.update(plaintext, 'utf8'), c.final()]).toString('base64');
}

/** A copy of base64 `b64` with bit `bit` of its decoded bytes flipped. */
function flipB64(b64, bit) {
  const bytes = Buffer.from(b64, 'base64');
  bytes[bit >> 3] ^= 1 << (bit & 7);
  return bytes.toString('base64');
}

// ---------------------------------------------------------------------------------------------

describe('buildCode2Session', () => {
  test('exact URL, method and headers', () => {
    const req = mp().buildCode2Session('081aBcDe0fGhIj1kLmNo2pQrSt3uVwXy');
    assert.deepEqual(req, {
      method: 'GET',
      url: `https://api.weixin.qq.com/sns/jscode2session?appid=${FIXTURE_APPID}&secret=${APP_SECRET}&js_code=081aBcDe0fGhIj1kLmNo2pQrSt3uVwXy&grant_type=authorization_code`,
      headers: { accept: 'application/json' },
      body: null,
    });
  });

  test('odd codes are query-encoded (and decode back exactly once)', () => {
    const cases = [
      ['a+b', 'a%2Bb'],
      ['a b', 'a+b'],
      ['x/y=z&w', 'x%2Fy%3Dz%26w'],
      ['100%', '100%25'],
      ['%41', '%2541'],
      ['中', '%E4%B8%AD'],
      ['~*-._', '%7E*-._'],
      ['#?', '%23%3F'],
      ['😀', '%F0%9F%98%80'],
    ];
    const client = mp();
    for (const [code, encoded] of cases) {
      const { url } = client.buildCode2Session(code);
      assert.equal(url, `https://api.weixin.qq.com/sns/jscode2session?appid=${FIXTURE_APPID}&secret=${APP_SECRET}&js_code=${encoded}&grant_type=authorization_code`, code);
      const q = new URL(url).searchParams;
      assert.deepEqual([...q], [['appid', FIXTURE_APPID], ['secret', APP_SECRET], ['js_code', code], ['grant_type', 'authorization_code']], code);
    }
    // A secret with reserved characters is encoded too.
    const odd = new WechatMiniProgram({ appId: 'wx1', appSecret: 'a&b=c+d' });
    assert.equal(new URL(odd.buildCode2Session('c').url).searchParams.get('secret'), 'a&b=c+d');
  });

  test('apiBase option (trailing slash dropped)', () => {
    assert.equal(mp({ apiBase: 'http://127.0.0.1:8080/' }).buildCode2Session('c').url,
      `http://127.0.0.1:8080/sns/jscode2session?appid=${FIXTURE_APPID}&secret=${APP_SECRET}&js_code=c&grant_type=authorization_code`);
  });

  test('bad arguments and configurations → ERR_BAD_INPUT, secret never in the message', () => {
    const client = mp();
    expectErr(() => client.buildCode2Session(''), 'ERR_BAD_INPUT', 'empty code');
    expectErr(() => client.buildCode2Session(12345), 'ERR_BAD_INPUT', 'number code');
    expectErr(() => client.buildCode2Session(undefined), 'ERR_BAD_INPUT', 'no code');
    expectErr(() => mp({ apiBase: 'ftp://x' }), 'ERR_BAD_INPUT', 'bad apiBase');
    expectErr(() => mp({ appsecret: APP_SECRET }), 'ERR_BAD_INPUT', 'unknown option');
    expectErr(() => new WechatMiniProgram({ appId: FIXTURE_APPID }), 'ERR_BAD_INPUT', 'no secret');
    expectErr(() => new WechatMiniProgram({ appSecret: APP_SECRET }), 'ERR_BAD_INPUT', 'no appId');
    expectErr(() => new WechatMiniProgram({ appId: FIXTURE_APPID, appSecret: [APP_SECRET] }), 'ERR_BAD_INPUT', 'secret not a string');
    assert.equal(client.appId, FIXTURE_APPID);
    assert.ok(client.buildCode2Session('ok').url.endsWith('js_code=ok&grant_type=authorization_code'), 'still usable');
  });
});

describe('parseCode2Session', () => {
  const client = mp();

  test('success without errcode, with errcode 0, with unionid, as bytes', () => {
    assert.deepEqual(client.parseCode2Session('{"session_key":"tiihtNczf5v6AKRyjwEUhQ==","openid":"oGZUI0egBJY1zhBYw2KhdUfwVJJE"}'),
      { openid: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE', sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==' });
    assert.deepEqual(client.parseCode2Session('{"errcode":0,"errmsg":"ok","session_key":"k==","openid":"o1","unionid":"u1"}'),
      { openid: 'o1', sessionKey: 'k==', unionid: 'u1' });
    assert.deepEqual(client.parseCode2Session(new Uint8Array(Buffer.from('{"openid":"o/中","session_key":"k"}'))),
      { openid: 'o/中', sessionKey: 'k' });
    const got = client.parseCode2Session('{"openid":"o","session_key":"k"}');
    assert.ok(!('unionid' in got), 'no unionid key when WeChat sends none');
  });

  test('each documented errcode → its own code, with providerCode, providerMessage and provider', () => {
    const cases = [
      [40029, 'ERR_LOGIN_CODE_INVALID', 'invalid code'],
      [40163, 'ERR_LOGIN_CODE_USED', 'code been used'],
      [45011, 'ERR_RATE_LIMITED', 'api minute-quota reach limit'],
      [-1, 'ERR_PROVIDER_BUSY', 'system error'],
      [40226, 'ERR_USER_HIGH_RISK', 'high risk user'],
      [40013, 'ERR_PROVIDER_REJECTED', 'invalid appid'],
      [40125, 'ERR_PROVIDER_REJECTED', 'invalid appsecret'],
    ];
    for (const [errcode, code, errmsg] of cases) {
      const e = expectErr(() => client.parseCode2Session(JSON.stringify({ errcode, errmsg: `${errmsg}, rid: 6543-21` })), code, `errcode ${errcode}`);
      assert.equal(e.providerCode, String(errcode), `errcode ${errcode}`);
      assert.equal(e.providerMessage, `${errmsg}, rid: 6543-21`, `errcode ${errcode}`);
      assert.equal(e.provider, 'wechat', `errcode ${errcode}`);
      assert.ok(e instanceof AggpayError);
    }
    // The client keeps working.
    assert.deepEqual(client.parseCode2Session('{"openid":"o","session_key":"k"}'), { openid: 'o', sessionKey: 'k' });
  });

  test('non-JSON and incomplete replies → ERR_RESPONSE_MALFORMED', () => {
    for (const raw of ['', '<html>502</html>', '{"openid":"o"', 'null', '{"openid":"o"}', '{"session_key":"k"}', '{"errcode":"x"}']) {
      const e = expectErr(() => client.parseCode2Session(raw), 'ERR_RESPONSE_MALFORMED', `reply ${JSON.stringify(raw)}`);
      assert.equal(e.provider, 'wechat', raw);
    }
    expectErr(() => client.parseCode2Session(new Uint8Array([0x7b, 0xff, 0x7d])), ['ERR_CHARSET', 'ERR_RESPONSE_MALFORMED'], 'non-UTF-8 reply');
  });
});

describe('decryptUserData', () => {
  const client = mp();

  test('the shared aes-cbc-decrypt vectors', () => {
    assert.equal(CBC_VECTORS.length, 2, 'both vectors present');
    for (const v of CBC_VECTORS) {
      const args = { sessionKey: v.session_key, iv: v.iv, encryptedData: v.encrypted_data };
      if (v.expect === '') {
        // Decrypts to "" (pure padding): not user data.
        expectErr(() => client.decryptUserData(args), 'ERR_DECRYPT_FAILED', v.id);
        continue;
      }
      const got = client.decryptUserData(args);
      assert.deepEqual(got, JSON.parse(v.expect), v.id);
      assert.equal(got.watermark.appid, v.expect_watermark_appid, v.id);
      const other = new WechatMiniProgram({ appId: 'wx0000000000000000', appSecret: APP_SECRET });
      const e = expectErr(() => other.decryptUserData(args), 'ERR_WATERMARK_MISMATCH', `${v.id}: other appId`);
      assert.equal(e.provider, 'wechat');
    }
  });

  test('tampered data, iv or key → ERR_DECRYPT_FAILED or ERR_WATERMARK_MISMATCH, never a crash', () => {
    const v = CBC_VECTORS.find((x) => x.expect !== '');
    const good = { sessionKey: v.session_key, iv: v.iv, encryptedData: v.encrypted_data };
    const dataBits = Buffer.from(v.encrypted_data, 'base64').length * 8;
    const tampered = [
      ['last ciphertext byte', { ...good, encryptedData: flipB64(v.encrypted_data, dataBits - 1) }],
      ['next-to-last block', { ...good, encryptedData: flipB64(v.encrypted_data, dataBits - 128 - 1) }],
      ['first ciphertext byte', { ...good, encryptedData: flipB64(v.encrypted_data, 0) }],
      ['iv byte 0 (turns "{" into something else)', { ...good, iv: flipB64(v.iv, 1) }],
      ['key bit', { ...good, sessionKey: flipB64(v.session_key, 0) }],
      ['key last bit', { ...good, sessionKey: flipB64(v.session_key, 127) }],
      ['other key', { ...good, sessionKey: 'AAAAAAAAAAAAAAAAAAAAAA==' }],
      ['ciphertext cut by one block', { ...good, encryptedData: Buffer.from(v.encrypted_data, 'base64').subarray(16).toString('base64') }],
    ];
    for (const [what, args] of tampered) {
      const e = expectErr(() => client.decryptUserData(args), ['ERR_DECRYPT_FAILED', 'ERR_WATERMARK_MISMATCH'], what);
      assert.equal(e.provider, 'wechat', what);
    }
    // Wrong sizes and non-base64: bad input or decrypt failure, typed either way.
    const malformed = [
      ['ciphertext not a multiple of 16', { ...good, encryptedData: Buffer.from(v.encrypted_data, 'base64').subarray(1).toString('base64') }],
      ['empty ciphertext', { ...good, encryptedData: '' }],
      ['15-byte key', { ...good, sessionKey: Buffer.alloc(15).toString('base64') }],
      ['32-byte key', { ...good, sessionKey: Buffer.alloc(32).toString('base64') }],
      ['8-byte iv', { ...good, iv: Buffer.alloc(8).toString('base64') }],
      ['non-base64 key', { ...good, sessionKey: 'not base64!!' }],
      ['non-base64 data', { ...good, encryptedData: '%%%%' }],
      ['missing iv', { sessionKey: good.sessionKey, encryptedData: good.encryptedData }],
      ['unknown argument', { ...good, appId: 'x' }],
      ['numbers', { sessionKey: 1, iv: 2, encryptedData: 3 }],
    ];
    for (const [what, args] of malformed) expectErr(() => client.decryptUserData(args), ['ERR_BAD_INPUT', 'ERR_DECRYPT_FAILED'], what);
    expectErr(() => client.decryptUserData(null), 'ERR_BAD_INPUT', 'null arguments');
    // Still works afterwards.
    assert.deepEqual(client.decryptUserData(good), JSON.parse(v.expect));
  });

  test('round trips with node:crypto-encrypted random user data', () => {
    const rng = makeRng('wechat-user-data');
    const pieces = ['中文', 'Band', '😀', '"q"', '\\', '/', ' ', 'é', '\n', '{}', '&=%+'];
    for (let i = 0; i < 25; i++) {
      const str = () => Array.from({ length: rng.int(0, 6) }, () => rng.pick(pieces)).join('');
      const data = {
        openId: `o${i}${str()}`, nickName: str(), gender: rng.int(0, 2), city: str(), avatarUrl: `https://wx.qlogo.cn/${str()}`,
        phoneNumber: String(rng.int(10000000, 99999999)), nested: { list: [str(), rng.int(-5, 5), true, null] },
        watermark: { timestamp: 1700000000 + i, appid: FIXTURE_APPID },
      };
      const sessionKey = Buffer.from(rng.bytes(16)).toString('base64');
      const iv = Buffer.from(rng.bytes(16)).toString('base64');
      const text = rng.int(0, 1) ? JSON.stringify(data) : JSON.stringify(data, null, 2);
      const encryptedData = encrypt(text, sessionKey, iv);
      const what = ctx(`round ${i}: ${text.slice(0, 120)}`);
      assert.deepEqual(client.decryptUserData({ sessionKey, iv, encryptedData }), data, what);
      // Another app's watermark, a missing watermark, a non-string appid.
      for (const [label, watermark] of [
        ['other appid', { timestamp: 1, appid: 'wx1111111111111111' }],
        ['appid differs in case', { timestamp: 1, appid: FIXTURE_APPID.toUpperCase() }],
        ['appid with a trailing space', { timestamp: 1, appid: `${FIXTURE_APPID} ` }],
        ['no appid', { timestamp: 1 }],
        ['appid a number', { appid: 1 }],
        ['no watermark', undefined],
      ]) {
        const enc = encrypt(JSON.stringify({ ...data, watermark }), sessionKey, iv);
        expectErr(() => client.decryptUserData({ sessionKey, iv, encryptedData: enc }), 'ERR_WATERMARK_MISMATCH', `${what}: ${label}`);
      }
      // Not JSON, or not UTF-8, once decrypted.
      expectErr(() => client.decryptUserData({ sessionKey, iv, encryptedData: encrypt('not json', sessionKey, iv) }), 'ERR_DECRYPT_FAILED', `${what}: not JSON`);
      const c = crypto.createCipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), Buffer.from(iv, 'base64'));
      const latin1 = Buffer.concat([c.update(Buffer.from('{"a":"\xe9"}', 'latin1')), c.final()]).toString('base64');
      expectErr(() => client.decryptUserData({ sessionKey, iv, encryptedData: latin1 }), 'ERR_DECRYPT_FAILED', `${what}: not UTF-8`);
    }
  });
});
