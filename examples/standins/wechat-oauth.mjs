// A local stand-in for WeChat's official-account web authorization (网页授权) code exchange,
// `GET /sns/oauth2/access_token`, the WeChat H5 path: the browser comes back from `snsapi_base` with a
// `code`, the merchant's server exchanges it for the buyer's openid. Like WeChat: HTTP 200 always, a success
// has no `errcode`, a failure is `{ errcode, errmsg }` (40013, 40125, 40029 unknown or expired code, 40163
// used code); a code is single-use and lives 5 minutes. Node built-ins only; binds 127.0.0.1.
//
//   const oa = await startWechatOauth({ appId, appSecret });
//   const code = oa.issueCode();      // what WeChat appends to the redirect_uri after snsapi_base
//   new WechatOfficialAccount({ appId, appSecret, apiBase: oa.apiBase });
//   await oa.close();
import crypto from 'node:crypto';
import { startServer } from './http.mjs';
import { BASE62, randomText } from './random.mjs';

const CODE_TTL_MS = 5 * 60 * 1000;

export async function startWechatOauth({ appId, appSecret, log = () => {} } = {}) {
  if (!appId || !appSecret) throw new Error('startWechatOauth: appId and appSecret are required');
  const codes = new Map(); // code → { openid, issuedAt, used }

  function exchange(query) {
    const rid = crypto.randomBytes(4).toString('hex');
    if (query.get('appid') !== appId) return { errcode: 40013, errmsg: `invalid appid, rid: ${rid}` };
    if (query.get('secret') !== appSecret) return { errcode: 40125, errmsg: `invalid appsecret, rid: ${rid}` };
    if (query.get('grant_type') !== 'authorization_code') return { errcode: 40002, errmsg: `invalid grant_type, rid: ${rid}` };
    const entry = codes.get(query.get('code') ?? '');
    if (!entry || Date.now() - entry.issuedAt > CODE_TTL_MS) return { errcode: 40029, errmsg: `invalid code, rid: ${rid}` };
    if (entry.used) return { errcode: 40163, errmsg: `code been used, rid: ${rid}` };
    entry.used = true;
    return { access_token: randomText(64), expires_in: 7200, refresh_token: randomText(64), openid: entry.openid, scope: 'snsapi_base', is_snapshotuser: 0 };
  }

  const server = await startServer((req) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const reply = (object) => ({ status: 200, headers: { 'content-type': 'text/plain', connection: 'close' }, body: JSON.stringify(object) });
    if (req.method !== 'GET' || url.pathname !== '/sns/oauth2/access_token') return reply({ errcode: 404, errmsg: 'not found' });
    const result = exchange(url.searchParams);
    log(`wechat-oauth: access_token → ${result.errcode === undefined ? `openid ${result.openid}` : `errcode ${result.errcode}`}`);
    return reply(result);
  });

  return {
    apiBase: server.url,
    /** A fresh single-use code for the buyer `openid` (a new buyer when left out). */
    issueCode(openid = 'o' + randomText(27, BASE62 + '-_')) {
      const code = randomText(32);
      codes.set(code, { openid, issuedAt: Date.now(), used: false });
      return code;
    },
    close: server.close,
  };
}
