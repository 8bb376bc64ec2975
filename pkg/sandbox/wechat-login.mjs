// A local stand-in for WeChat's mini-program login endpoint, `GET /sns/jscode2session`, and the official
// account's web authorization (网页授权) code exchange, `GET /sns/oauth2/access_token`.
// It behaves the way WeChat does as far as a merchant server can see: a success reply has NO `errcode`;
// each failure is `{ errcode, errmsg }` with WeChat's own numbers (40013, 40125, 40029, 40163, 45011, -1,
// 40226, …) and HTTP status 200; a `js_code` is single-use and expires after 5 minutes. Only Node
// built-ins; it never uses aggpay. Binds 127.0.0.1 on a free port.
//
//   const wx = await startWechatLogin({ appId, appSecret });     // or { apps: [{ appId, appSecret }, …] }
//   const code = wx.issueCode();               // what wx.login() would hand the mini program
//   const oaCode = wx.issueOauthCode();        // what the snsapi_base redirect would hand the H5 page
//   GET wx.apiBase + '/sns/jscode2session?appid=…&secret=…&js_code=' + code + '&grant_type=authorization_code'
//   wx.encryptUserData(sessionKey, { phoneNumber: '…' }) // { encryptedData, iv } as WeChat produces them
//   await wx.close();
//
// issueCode(openid?) returns a fresh code for that buyer (a new buyer when left out). The special
// arguments 'RATE', 'BUSY' and 'RISK' return a code whose exchange fails with 45011 (rate limit),
// -1 (system busy) and 40226 (high-risk user), so tests can reach each error.
import crypto from 'node:crypto';
import { startServer } from './http.mjs';
import { BASE62, randomText } from './random.mjs';

const CODE_TTL_MS = 5 * 60 * 1000;
const SPECIAL = {
  RATE: { errcode: 45011, errmsg: 'api minute-quota reach limit  mustslower  retry next minute' },
  BUSY: { errcode: -1, errmsg: 'system error' },
  RISK: { errcode: 40226, errmsg: 'invalid user, high risk' },
};

/** WeChat's request id, appended to error messages: `rid: 6563f2a1-2b3c4d5e-1a2b3c4d`. */
function rid() {
  const h = () => crypto.randomBytes(4).toString('hex');
  return `${h()}-${h()}-${h()}`;
}

/** An openid as WeChat issues them: 28 characters starting with `o` (base64url alphabet). */
function newOpenid() {
  return 'o' + randomText(27, BASE62 + '-_');
}

export async function startWechatLogin({ appId, appSecret, apps = [], log = () => {} } = {}) {
  const secrets = new Map([...(appId ? [{ appId, appSecret }] : []), ...apps].map((a) => [a.appId, a.appSecret]));
  if (secrets.size === 0 || [...secrets].some(([id, secret]) => !id || !secret)) throw new Error('startWechatLogin: appId and appSecret (or apps) are required');
  const firstApp = secrets.keys().next().value;
  const codes = new Map(); // code → { kind: 'login' | 'oauth', appId, openid | special, issuedAt, used }
  const unionids = new Map(); // openid → unionid (only buyers whose code was issued with { unionid: true })
  const requests = [];

  // WeChat answers these endpoints with a non-JSON content type; a client must not depend on it.
  const reply = (status, object) => ({ status, headers: { 'content-type': 'text/plain', connection: 'close' }, body: JSON.stringify(object) });

  /** One code exchange of `kind` ('login': jscode2session, its code in `js_code`; 'oauth': sns/oauth2, in `code`). */
  function exchange(query, kind) {
    const appid = query.get('appid');
    const secret = query.get('secret');
    const jsCode = query.get(kind === 'login' ? 'js_code' : 'code');
    const grantType = query.get('grant_type');
    if (!appid) return { errcode: 41002, errmsg: `appid missing, rid: ${rid()}` };
    if (!secrets.has(appid)) return { errcode: 40013, errmsg: `invalid appid, rid: ${rid()}` };
    if (!secret) return { errcode: 41004, errmsg: `appsecret missing, rid: ${rid()}` };
    if (secret !== secrets.get(appid)) return { errcode: 40125, errmsg: `invalid appsecret, rid: ${rid()}` };
    if (grantType !== 'authorization_code') return { errcode: 40002, errmsg: `invalid grant_type, rid: ${rid()}` };
    if (!jsCode) return { errcode: 41008, errmsg: `missing code, rid: ${rid()}` };
    const entry = codes.get(jsCode);
    if (!entry || entry.kind !== kind || entry.appId !== appid || Date.now() - entry.issuedAt > CODE_TTL_MS) return { errcode: 40029, errmsg: `invalid code, rid: ${rid()}` };
    if (entry.special) return { ...SPECIAL[entry.special], errmsg: `${SPECIAL[entry.special].errmsg}, rid: ${rid()}` };
    if (entry.used) return { errcode: 40163, errmsg: `code been used, rid: ${rid()}` };
    entry.used = true;
    if (kind === 'oauth') {
      const token = () => randomText(86, BASE62 + '-_');
      const reply = { access_token: token(), expires_in: 7200, refresh_token: token(), openid: entry.openid, scope: entry.scope };
      if (entry.snapshot) reply.is_snapshotuser = 1;
      if (unionids.has(entry.openid)) reply.unionid = unionids.get(entry.openid);
      return reply;
    }
    // A fresh session key per login, as WeChat may rotate it on every wx.login.
    const session = { session_key: crypto.randomBytes(16).toString('base64'), openid: entry.openid };
    const unionid = unionids.get(entry.openid);
    if (unionid) session.unionid = unionid;
    entry.sessionKey = session.session_key;
    return session;
  }

  function issue(kind, openid, { unionid, appId: app, ...more }) {
    if (!secrets.has(app)) throw new Error(`issueCode: unknown app ${app}`);
    const code = '0' + randomText(31); // 32 characters, typically starting with 0
    const base = { kind, appId: app, issuedAt: Date.now(), used: false, ...more };
    if (openid !== undefined && Object.hasOwn(SPECIAL, openid)) {
      codes.set(code, { ...base, special: openid });
    } else {
      const id = openid ?? newOpenid();
      if (unionid && !unionids.has(id)) unionids.set(id, 'o' + randomText(27, BASE62 + '-_'));
      codes.set(code, { ...base, openid: id });
    }
    return code;
  }

  const server = await startServer((req) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const kind = { '/sns/jscode2session': 'login', '/sns/oauth2/access_token': 'oauth' }[url.pathname];
    if (!kind) {
      requests.push({ method: req.method, path: url.pathname, status: 404 });
      return reply(404, { errcode: 404, errmsg: 'not found' });
    }
    if (req.method !== 'GET') {
      requests.push({ method: req.method, path: url.pathname, status: 405 });
      return reply(405, { errcode: 43001, errmsg: `require GET method, rid: ${rid()}` });
    }
    const result = exchange(url.searchParams, kind);
    const redacted = Object.fromEntries([...url.searchParams].map(([k, v]) => [k, k === 'secret' ? '***' : v]));
    requests.push({ method: 'GET', path: url.pathname, query: redacted, errcode: result.errcode ?? null });
    log(`wechat-login: ${url.pathname} code=${redacted.js_code ?? redacted.code ?? ''} → ${result.errcode === undefined ? `openid ${result.openid}` : `errcode ${result.errcode}`}`);
    return reply(200, result);
  });

  return {
    apiBase: server.url,
    requests,
    /**
     * A fresh single-use js_code, as wx.login() returns it. `openid`: the buyer (the same openid for
     * the same buyer; a new buyer when left out), or 'RATE' | 'BUSY' | 'RISK' for a code whose exchange fails.
     * `{ unionid: true }` binds the buyer to an Open Platform account (the reply then carries `unionid`).
     */
    issueCode(openid, { unionid = false, appId: app = firstApp } = {}) {
      return issue('login', openid, { unionid, appId: app });
    },
    /**
     * A fresh single-use `code` of an official account's snsapi_base (or `scope`) redirect, for
     * `/sns/oauth2/access_token`; arguments as issueCode's, and `snapshot: true` for a Moments snapshot page's
     * virtual user (`is_snapshotuser: 1`).
     */
    issueOauthCode(openid, { unionid = false, appId: app = firstApp, scope = 'snsapi_base', snapshot = false } = {}) {
      return issue('oauth', openid, { unionid, appId: app, scope, snapshot });
    },
    /** Makes a code older than WeChat's 5-minute lifetime (its exchange then fails with 40029). */
    expireCode(code) {
      const entry = codes.get(code);
      if (entry) entry.issuedAt -= CODE_TTL_MS + 1;
    },
    /**
     * `{ encryptedData, iv }` as WeChat hands them to the mini program (wx.getUserProfile, phone number, …):
     * AES-128-CBC, key = base64-decoded session_key, random 16-byte IV, PKCS#7, over the JSON of `object`
     * plus `watermark: { appid, timestamp }` (an explicit `watermark` in `object` wins, to test a mismatch).
     */
    encryptUserData(sessionKey, object) {
      const key = Buffer.from(sessionKey, 'base64');
      if (key.length !== 16) throw new Error('encryptUserData: the session key must be 16 bytes in base64');
      const iv = crypto.randomBytes(16);
      const data = { ...object, watermark: object.watermark ?? { appid: firstApp, timestamp: Math.floor(Date.now() / 1000) } };
      const cipher = crypto.createCipheriv('aes-128-cbc', key, iv); // PKCS#7 padding is node's default
      const encrypted = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
      return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64') };
    },
    close: server.close,
  };
}
