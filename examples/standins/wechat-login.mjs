// A local stand-in for WeChat's mini-program login endpoint, `GET /sns/jscode2session`.
// It behaves the way WeChat does as far as a merchant server can see: a success reply has NO `errcode`;
// each failure is `{ errcode, errmsg }` with WeChat's own numbers (40013, 40125, 40029, 40163, 45011, -1,
// 40226, …) and HTTP status 200; a `js_code` is single-use and expires after 5 minutes. Only Node
// built-ins; it never uses aggpay. Binds 127.0.0.1 on a free port.
//
//   const wx = await startWechatLogin({ appId, appSecret });
//   const code = wx.issueCode();               // what wx.login() would hand the mini program
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

export async function startWechatLogin({ appId, appSecret, log = () => {} } = {}) {
  if (!appId || !appSecret) throw new Error('startWechatLogin: appId and appSecret are required');
  const codes = new Map(); // js_code → { openid | special, unionid, issuedAt, used }
  const unionids = new Map(); // openid → unionid (only buyers whose code was issued with { unionid: true })
  const requests = [];

  // WeChat answers these endpoints with a non-JSON content type; a client must not depend on it.
  const reply = (status, object) => ({ status, headers: { 'content-type': 'text/plain', connection: 'close' }, body: JSON.stringify(object) });

  function exchange(query) {
    const appid = query.get('appid');
    const secret = query.get('secret');
    const jsCode = query.get('js_code');
    const grantType = query.get('grant_type');
    if (!appid) return { errcode: 41002, errmsg: `appid missing, rid: ${rid()}` };
    if (appid !== appId) return { errcode: 40013, errmsg: `invalid appid, rid: ${rid()}` };
    if (!secret) return { errcode: 41004, errmsg: `appsecret missing, rid: ${rid()}` };
    if (secret !== appSecret) return { errcode: 40125, errmsg: `invalid appsecret, rid: ${rid()}` };
    if (grantType !== 'authorization_code') return { errcode: 40002, errmsg: `invalid grant_type, rid: ${rid()}` };
    if (!jsCode) return { errcode: 41008, errmsg: `missing code, rid: ${rid()}` };
    const entry = codes.get(jsCode);
    if (!entry || Date.now() - entry.issuedAt > CODE_TTL_MS) return { errcode: 40029, errmsg: `invalid code, rid: ${rid()}` };
    if (entry.special) return { ...SPECIAL[entry.special], errmsg: `${SPECIAL[entry.special].errmsg}, rid: ${rid()}` };
    if (entry.used) return { errcode: 40163, errmsg: `code been used, rid: ${rid()}` };
    entry.used = true;
    // A fresh session key per login, as WeChat may rotate it on every wx.login.
    const session = { session_key: crypto.randomBytes(16).toString('base64'), openid: entry.openid };
    const unionid = unionids.get(entry.openid);
    if (unionid) session.unionid = unionid;
    entry.sessionKey = session.session_key;
    return session;
  }

  const server = await startServer((req) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname !== '/sns/jscode2session') {
      requests.push({ method: req.method, path: url.pathname, status: 404 });
      return reply(404, { errcode: 404, errmsg: 'not found' });
    }
    if (req.method !== 'GET') {
      requests.push({ method: req.method, path: url.pathname, status: 405 });
      return reply(405, { errcode: 43001, errmsg: `require GET method, rid: ${rid()}` });
    }
    const result = exchange(url.searchParams);
    const redacted = Object.fromEntries([...url.searchParams].map(([k, v]) => [k, k === 'secret' ? '***' : v]));
    requests.push({ method: 'GET', path: url.pathname, query: redacted, errcode: result.errcode ?? null });
    log(`wechat-login: jscode2session code=${redacted.js_code ?? ''} → ${result.errcode === undefined ? `openid ${result.openid}` : `errcode ${result.errcode}`}`);
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
    issueCode(openid, { unionid = false } = {}) {
      const code = '0' + randomText(31); // wx.login codes are 32 characters, typically starting with 0
      if (openid !== undefined && Object.hasOwn(SPECIAL, openid)) {
        codes.set(code, { special: openid, issuedAt: Date.now(), used: false });
      } else {
        const id = openid ?? newOpenid();
        if (unionid && !unionids.has(id)) unionids.set(id, 'o' + randomText(27, BASE62 + '-_'));
        codes.set(code, { openid: id, issuedAt: Date.now(), used: false });
      }
      return code;
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
      const data = { ...object, watermark: object.watermark ?? { appid: appId, timestamp: Math.floor(Date.now() / 1000) } };
      const cipher = crypto.createCipheriv('aes-128-cbc', key, iv); // PKCS#7 padding is node's default
      const encrypted = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
      return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64') };
    },
    close: server.close,
  };
}
