// The wallet router: real User-Agent strings (labelled by hand, tests/fixtures/router), the code's
// parameters from URLs and mini-program launch options, the H5 authorization URLs rebuilt here from
// the documented formats, and the signed state checked against an HMAC computed with node:crypto.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Router, WechatMiniProgram, WechatOfficialAccount, Alipay } from 'aggpay';
import { readFixtureJson, makeRng, ctx, expectAggpayError } from './helpers.mjs';

const SECRET = 'router-state-secret-0123456789-abcdefghij';
const ALIPAY_APP = '2021000122650399';
const WECHAT_APP = 'wx520c15f417810387';
const router = (extra = {}) => new Router({ stateSecret: SECRET, alipay: { appId: ALIPAY_APP }, wechat: { appId: WECHAT_APP }, ...extra });

/** expectAggpayError + the secret appears in no string property of the error. */
function expectErr(fn, codes, what) {
  const e = expectAggpayError(fn, codes, what);
  for (const t of [e.message, String(e.stack ?? ''), ...Object.values(e).filter((v) => typeof v === 'string')]) {
    assert.ok(!t.includes(SECRET), `${what}: error text contains the secret`);
  }
  return e;
}

/** The state as documented in src/router/state.rs, computed here with node:crypto. */
function expectedState(wallet, nowMs, nonce, bind) {
  const issued = String(Math.floor(nowMs / 1000)).padStart(10, '0');
  const mac = crypto.createHmac('sha256', SECRET).update(`aggpay-state-v1\n${wallet}\n${issued}\n${nonce}\n${bind}`).digest('hex');
  return `${wallet === 'alipay' ? 'a' : 'w'}${issued}${nonce}${mac}`;
}

describe('route: real User-Agent strings', () => {
  const { cases } = readFixtureJson('router/user-agents.json');
  for (const c of cases) {
    test(`${c.client}: ${c.source}`, () => {
      const r = router().route({ userAgent: c.ua, url: '/q/STORE42?table=7' });
      assert.deepEqual(r, { wallet: c.wallet, client: c.client, path: '/q/STORE42', params: { table: '7' } });
    });
  }
  test('no User-Agent at all is unknown, wallet other', () => {
    assert.deepEqual(router().route({ url: 'https://pay.example.com/q/S1' }), { wallet: 'other', client: 'unknown', path: '/q/S1', params: {} });
  });
});

describe('route: the code\'s parameters', () => {
  test('decoded once, as URLSearchParams decodes them', () => {
    const rng = makeRng('router-params');
    for (let i = 0; i < 50; i++) {
      const params = { store: rng.unicode(8), table: rng.unicode(6) };
      const qs = new URLSearchParams(params).toString();
      const r = router().route({ userAgent: 'Mozilla/5.0 AlipayClient/10', url: `https://pay.example.com/q/STORE42?${qs}#x` });
      assert.deepEqual(r.params, params, ctx(qs));
      assert.equal(r.path, '/q/STORE42');
    }
  });
  test('hostile URLs are refused with stable codes', () => {
    const r = router({ limits: { maxInputBytes: 64, maxFields: 3 } });
    expectErr(() => r.route({ url: '/q?a=1&a=2' }), 'ERR_BAD_INPUT', 'repeated name');
    expectErr(() => r.route({ url: '/q?a=%zz' }), 'ERR_BAD_INPUT', 'bad escape');
    expectErr(() => r.route({ url: '/q?a=%ff' }), 'ERR_BAD_INPUT', 'not UTF-8');
    expectErr(() => r.route({ url: '/q?a&b&c&d' }), 'ERR_TOO_MANY_FIELDS', 'fields');
    expectErr(() => r.route({ url: `/q?a=${'x'.repeat(100)}` }), 'ERR_INPUT_TOO_LARGE', 'url size');
    expectErr(() => r.route({ url: '/q', userAgent: 'x'.repeat(100) }), ['ERR_INPUT_TOO_LARGE'], 'ua size');
    expectErr(() => r.route({ userAgent: 'x' }), 'ERR_BAD_INPUT', 'no url');
    expectErr(() => r.route({ url: '/q', ua: 'x' }), 'ERR_BAD_INPUT', 'unknown member');
    expectErr(() => r.route({ url: 5 }), 'ERR_BAD_INPUT', 'number');
    expectErr(() => r.route('/q'), 'ERR_BAD_INPUT', 'a string');
    expectErr(() => router().route({ url: 'x'.repeat(3 * 1024 * 1024) }), 'ERR_INPUT_TOO_LARGE', 'over the envelope');
  });
});

describe('launch options', () => {
  const printed = 'https://pay.example.com/q/STORE42?table=A%207&n=a+b';
  test('WeChat: query.q decoded once (decodeURIComponent), scancode_time', () => {
    const q = encodeURIComponent(printed);
    const expected = { qrCode: printed, params: { table: 'A 7', n: 'a b' }, scancodeTime: 1615973269 };
    assert.deepEqual(WechatMiniProgram.launchQrCode({ path: 'pages/index/index', scene: 1011, query: { q, scancode_time: '1615973269' } }), { ...expected, scene: 1011 });
    assert.deepEqual(WechatMiniProgram.launchQrCode({ q, scancode_time: '1615973269' }), expected);
    assert.deepEqual(WechatMiniProgram.launchQrCode({ query: { q } }), { qrCode: printed, params: { table: 'A 7', n: 'a b' } });
    assert.equal(WechatMiniProgram.launchQrCode({ scene: 1001, query: {} }), null);
    assert.deepEqual(router().routeLaunch({ scene: 1011, query: { q, scancode_time: '1615973269' } }),
      { wallet: 'wechat', path: '/q/STORE42', ...expected, scene: 1011 });
  });
  test('Alipay: query.qrCode, the same shape', () => {
    assert.deepEqual(router().routeLaunch({ query: { qrCode: printed } }),
      { wallet: 'alipay', qrCode: printed, path: '/q/STORE42', params: { table: 'A 7', n: 'a b' } });
    // Alipay gives the scene as text.
    assert.deepEqual(router().routeLaunch({ scene: '1011', query: { qrCode: printed } }),
      { wallet: 'alipay', qrCode: printed, path: '/q/STORE42', params: { table: 'A 7', n: 'a b' }, scene: 1011 });
    assert.deepEqual(Alipay.launchQrCode({ query: { qrCode: printed } }), { qrCode: printed, params: { table: 'A 7', n: 'a b' } });
    assert.equal(router().routeLaunch({}), null);
  });
  test('bad launch options', () => {
    for (const bad of [{ q: 5 }, { q: '%zz' }, { q: encodeURIComponent('https://x/?a=1&a=2') }, { q: 'https%3A%2F%2Fx', scancode_time: 'soon' }, { q: 'https%3A%2F%2Fx', scene: -1 }, { q: 'https%3A%2F%2Fx', scene: 'scan' }]) {
      expectErr(() => WechatMiniProgram.launchQrCode(bad), 'ERR_BAD_INPUT', JSON.stringify(bad));
      expectErr(() => router().routeLaunch(bad), 'ERR_BAD_INPUT', JSON.stringify(bad));
    }
  });
});

describe('authorization URLs and the signed state', () => {
  const redirectUri = 'https://pay.example.com/q/STORE42?table=7&from=qr';
  const now = 1_767_225_600_123;
  const nonce = 'Nonce0123456789Z';

  test('WeChat snsapi_base: the documented parameter order and #wechat_redirect', () => {
    const { url, state } = router().authorizeUrl({ wallet: 'wechat', redirectUri, bind: 'sess-1', now, nonce });
    const expected = expectedState('wechat', now, nonce, 'sess-1');
    assert.equal(state, expected);
    assert.equal(url, `https://open.weixin.qq.com/connect/oauth2/authorize?appid=${WECHAT_APP}&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&scope=snsapi_base&state=${expected}#wechat_redirect`);
    assert.match(state, /^[a-zA-Z0-9]{1,128}$/, 'WeChat: a-zA-Z0-9, at most 128 bytes');
  });

  test('Alipay auth_base: publicAppAuthorize.htm', () => {
    const { url, state } = router().authorizeUrl({ wallet: 'alipay', redirectUri, now, nonce });
    const expected = expectedState('alipay', now, nonce, '');
    assert.equal(state, expected);
    assert.equal(url, `https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?app_id=${ALIPAY_APP}&scope=auth_base&redirect_uri=${encodeURIComponent(redirectUri)}&state=${expected}`);
    assert.match(state, /^[A-Za-z0-9+/=]{1,100}$/, 'Alipay: Base64 characters, at most 100');
    const parsed = new URL(url);
    assert.equal(parsed.searchParams.get('redirect_uri'), redirectUri);
  });

  test("Alipay's sandbox apps authorize on the sandbox's page; WeChat has none", () => {
    const sandboxed = new Router({ stateSecret: SECRET, alipay: { appId: ALIPAY_APP, sandbox: true } });
    const { url, state } = sandboxed.authorizeUrl({ wallet: 'alipay', redirectUri, now, nonce });
    assert.equal(url, `https://openauth-sandbox.dl.alipaydev.com/oauth2/publicAppAuthorize.htm?app_id=${ALIPAY_APP}&scope=auth_base&redirect_uri=${encodeURIComponent(redirectUri)}&state=${state}`);
    expectAggpayError(() => new Router({ stateSecret: SECRET, wechat: { appId: WECHAT_APP, sandbox: true } }), 'ERR_BAD_INPUT', 'wechat sandbox');
    expectAggpayError(() => new Router({ stateSecret: SECRET, alipay: { appId: ALIPAY_APP, sandbox: 'yes' } }), 'ERR_BAD_INPUT', 'sandbox not a boolean');
  });

  test('a fresh nonce and the host clock by default', () => {
    const r = router();
    const a = r.authorizeUrl({ wallet: 'wechat', redirectUri });
    const b = r.authorizeUrl({ wallet: 'wechat', redirectUri });
    assert.notEqual(a.state, b.state);
    const v = r.verifyState(a.state);
    assert.equal(v.wallet, 'wechat');
    assert.ok(Math.abs(v.issuedAt - Date.now()) < 5000);
  });

  test('verified within the lifetime; expired after it', () => {
    const r = router({ stateTtlSeconds: 300 });
    assert.equal(r.stateTtlSeconds, 300);
    const { state } = r.authorizeUrl({ wallet: 'alipay', redirectUri, bind: 'S42/7', now, nonce });
    const issuedAt = Math.floor(now / 1000) * 1000;
    assert.deepEqual(r.verifyState(state, { bind: 'S42/7', wallet: 'alipay', now: now + 300_000 - 123 }), { wallet: 'alipay', issuedAt });
    expectErr(() => r.verifyState(state, { bind: 'S42/7', now: issuedAt + 301_000 }), 'ERR_STATE_EXPIRED', 'expired');
    expectErr(() => r.verifyState(state, { bind: 'S42/7', now: issuedAt - 61_000 }), 'ERR_STATE_EXPIRED', 'from the future');
    assert.equal(router().verifyState(state, { bind: 'S42/7', now: now + 600_000 - 1000 }).wallet, 'alipay', 'the default lifetime is 600 s');
  });

  test('tampering: every character, another secret, wallet, binding, forged MACs', () => {
    const r = router();
    const { state } = r.authorizeUrl({ wallet: 'wechat', redirectUri, bind: 'sess-1', now, nonce });
    const at = { bind: 'sess-1', now: now + 1000 };
    assert.equal(r.verifyState(state, at).wallet, 'wechat');
    for (let i = 0; i < state.length; i++) {
      const altered = state.slice(0, i) + (state[i] === '0' ? '1' : '0') + state.slice(i + 1);
      expectErr(() => r.verifyState(altered, at), 'ERR_STATE_INVALID', `character ${i}`);
    }
    expectErr(() => r.verifyState(state, { ...at, bind: 'sess-2' }), 'ERR_STATE_INVALID', 'binding');
    expectErr(() => r.verifyState(state, { ...at, wallet: 'alipay' }), 'ERR_STATE_INVALID', 'wallet');
    expectErr(() => router({ stateSecret: `${SECRET}!` }).verifyState(state, at), 'ERR_STATE_INVALID', 'another secret');
    // A state re-signed for a fresher time with another key, and one with the right layout but a made-up MAC.
    const issued = String(Math.floor((now + 10_000_000) / 1000));
    const forged = `w${issued}${nonce}${crypto.createHmac('sha256', 'guess').update(`aggpay-state-v1\nwechat\n${issued}\n${nonce}\nsess-1`).digest('hex')}`;
    expectErr(() => r.verifyState(forged, at), 'ERR_STATE_INVALID', 'forged');
    // An expired state whose time is moved forward: refused as invalid, not as expired.
    const moved = `w${issued}${state.slice(11)}`;
    expectErr(() => r.verifyState(moved, { ...at, now: now + 10_000_000 }), 'ERR_STATE_INVALID', 'moved time');
    for (const bad of ['', 'w', state.slice(0, -1), `${state}0`, state.toUpperCase(), ' '.repeat(91), `${state.slice(0, 90)}é`]) {
      expectErr(() => r.verifyState(bad, at), 'ERR_STATE_INVALID', JSON.stringify(bad));
    }
    expectErr(() => r.verifyState(5, at), 'ERR_BAD_INPUT', 'a number');
    expectErr(() => r.verifyState('x'.repeat(2 * 1024 * 1024), at), 'ERR_INPUT_TOO_LARGE', 'huge');
  });

  test('verifyCallback: the redirect back, in one call (the state checked, the wallet\'s code, the code\'s own parameters)', () => {
    const r = router();
    const back = 'https://pay.example.com/q/STORE42';
    const wechat = r.authorizeUrl({ wallet: 'wechat', redirectUri: `${back}?table=7`, bind: 'sess-1', now, nonce });
    // WeChat appends code and state to redirect_uri.
    assert.deepEqual(r.verifyCallback({ url: `/q/STORE42?table=7&code=061Abc&state=${wechat.state}`, bind: 'sess-1', now: now + 5000 }),
      { wallet: 'wechat', code: '061Abc', path: '/q/STORE42', params: { table: '7' }, issuedAt: Math.floor(now / 1000) * 1000 });
    // Alipay appends app_id, source, scope, auth_code and state.
    const alipay = r.authorizeUrl({ wallet: 'alipay', redirectUri: `${back}?table=7`, bind: 'sess-1', now, nonce });
    const alipayBack = `${back}?table=7&app_id=${ALIPAY_APP}&source=alipay_wallet&scope=auth_base&auth_code=ab12&state=${encodeURIComponent(alipay.state)}`;
    assert.deepEqual(r.verifyCallback({ url: alipayBack, bind: 'sess-1', wallet: 'alipay', now: now + 5000 }),
      { wallet: 'alipay', code: 'ab12', path: '/q/STORE42', params: { table: '7' }, issuedAt: Math.floor(now / 1000) * 1000 });
    expectErr(() => r.verifyCallback({ url: alipayBack, bind: 'sess-2', now: now + 5000 }), 'ERR_STATE_INVALID', 'another session');
    expectErr(() => r.verifyCallback({ url: alipayBack, bind: 'sess-1', wallet: 'wechat', now: now + 5000 }), 'ERR_STATE_INVALID', 'another wallet');
    expectErr(() => r.verifyCallback({ url: alipayBack, bind: 'sess-1', now: now + 3_600_000 }), 'ERR_STATE_EXPIRED', 'late');
    expectErr(() => r.verifyCallback({ url: '/q/STORE42?table=7&code=061Abc', now }), 'ERR_STATE_INVALID', 'no state');
    expectErr(() => r.verifyCallback({ url: `/q/STORE42?table=7&auth_code=x&state=${wechat.state}`, bind: 'sess-1', now: now + 5000 }), 'ERR_BAD_INPUT', 'not the wallet\'s code');
    expectErr(() => r.verifyCallback({ url: `/q?code=a&code=b&state=${wechat.state}`, bind: 'sess-1', now }), 'ERR_BAD_INPUT', 'a name twice');
    expectErr(() => r.verifyCallback({ url: '/q', extra: 1 }), 'ERR_BAD_INPUT', 'unknown member');
  });

  test('bad arguments and configurations', () => {
    const r = router();
    for (const bad of [
      { wallet: 'other', redirectUri },
      { wallet: 'WeChat', redirectUri },
      { redirectUri },
      { wallet: 'wechat' },
      { wallet: 'wechat', redirectUri: 'pay.example.com/q' },
      { wallet: 'wechat', redirectUri: 'https://pay.example.com/q#x' },
      { wallet: 'wechat', redirectUri: 'https://pay.example.com/q x' },
      { wallet: 'wechat', redirectUri, nonce: 'short' },
      { wallet: 'wechat', redirectUri, nonce: 'Nonce0123456789-' },
      { wallet: 'wechat', redirectUri, now: -1 },
      { wallet: 'wechat', redirectUri, redirect_uri: redirectUri },
    ]) {
      expectErr(() => r.authorizeUrl(bad), 'ERR_BAD_INPUT', JSON.stringify(bad));
    }
    expectErr(() => new Router({ stateSecret: SECRET }).authorizeUrl({ wallet: 'alipay', redirectUri }), 'ERR_BAD_INPUT', 'no alipay app');
    for (const bad of [{}, { stateSecret: 'short' }, { stateSecret: SECRET, stateTtlSeconds: 0 }, { stateSecret: SECRET, stateTtlSeconds: 86_401 },
      { stateSecret: SECRET, wechat: {} }, { stateSecret: SECRET, state_secret: SECRET }]) {
      expectErr(() => new Router(bad), 'ERR_BAD_INPUT', Object.keys(bad).join());
    }
  });
});

describe('WechatOfficialAccount: sns/oauth2/access_token', () => {
  const APP_SECRET = 'official-account-secret-0123456789';
  const oa = new WechatOfficialAccount({ appId: WECHAT_APP, appSecret: APP_SECRET });
  test('the documented request', () => {
    const req = oa.buildOauthAccessToken('0716AVll20uHk94S');
    const expected = new URL('https://api.weixin.qq.com/sns/oauth2/access_token');
    for (const [k, v] of [['appid', WECHAT_APP], ['secret', APP_SECRET], ['code', '0716AVll20uHk94S'], ['grant_type', 'authorization_code']]) expected.searchParams.append(k, v);
    assert.deepEqual({ method: req.method, url: req.url }, { method: 'GET', url: expected.href });
    assert.equal(oa.appId, WECHAT_APP);
  });
  test('the documented reply, and errcodes as jscode2session maps them', () => {
    const ok = oa.parseOauthAccessToken(JSON.stringify({ access_token: 'ACCESS_TOKEN', expires_in: 7200, refresh_token: 'REFRESH_TOKEN', openid: 'OPENID', scope: 'snsapi_base', is_snapshotuser: 1, unionid: 'UNIONID' }));
    assert.deepEqual(ok, { accessToken: 'ACCESS_TOKEN', expiresIn: 7200, refreshToken: 'REFRESH_TOKEN', openid: 'OPENID', scope: 'snsapi_base', isSnapshotUser: true, unionid: 'UNIONID' });
    const plain = oa.parseOauthAccessToken(Buffer.from('{"access_token":"a","expires_in":7200,"refresh_token":"r","openid":"o","scope":"snsapi_base"}'));
    assert.equal(plain.isSnapshotUser, false);
    assert.equal('unionid' in plain, false);
    for (const [errcode, code] of [[40029, 'ERR_LOGIN_CODE_INVALID'], [40163, 'ERR_LOGIN_CODE_USED'], [45011, 'ERR_RATE_LIMITED'], [-1, 'ERR_PROVIDER_BUSY'], [40226, 'ERR_USER_HIGH_RISK'], [40125, 'ERR_PROVIDER_REJECTED']]) {
      const e = expectErr(() => oa.parseOauthAccessToken(`{"errcode":${errcode},"errmsg":"m"}`), code, String(errcode));
      assert.equal(e.providerCode, String(errcode));
      assert.equal(e.provider, 'wechat');
    }
    for (const bad of ['{', '[]', '{"openid":"o"}']) expectErr(() => oa.parseOauthAccessToken(bad), 'ERR_RESPONSE_MALFORMED', bad);
    const small = new WechatOfficialAccount({ appId: WECHAT_APP, appSecret: APP_SECRET, limits: { maxInputBytes: 16 } });
    expectErr(() => small.parseOauthAccessToken('x'.repeat(17)), 'ERR_INPUT_TOO_LARGE', 'size');
    expectErr(() => oa.buildOauthAccessToken(''), 'ERR_BAD_INPUT', 'empty code');
    expectErr(() => new WechatOfficialAccount({ appId: WECHAT_APP }), 'ERR_BAD_INPUT', 'no secret');
  });
});
