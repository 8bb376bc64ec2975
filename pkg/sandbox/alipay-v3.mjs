// Alipay OpenAPI v3 (REST/JSON, shared/specs/alipay.md §7) on the emulated gateway host, beside gateway.do:
// the authentication and signing around the business methods the v2 gateway runs (alipay.mjs hands them in, so
// a trade created over v3 is the same trade over v2). Node built-ins only; never aggpay.
// - a request carries `authorization: ALIPAY-SHA256withRSA app_id=…[,app_cert_sn=…],nonce=…,timestamp=<ms>,sign=…`,
//   SHA256withRSA by the app key over `authString\nMETHOD\npath?query\nbody\n`, plus `appAuthToken\n` when the
//   `alipay-app-auth-token` header is sent; certificate mode also wants the `alipay-root-cert-sn` header;
// - a refused authentication is HTTP 401 `{ code, message }`, unsigned (what aggpay's verifyV3Response reports as
//   ERR_PROVIDER_REJECTED); the codes (`invalid-signature`, `invalid-app-id`, `invalid-timestamp`,
//   `invalid-app-cert-sn`, `invalid-alipay-root-cert-sn`) are this stand-in's reading of Alipay's, not documented ones;
// - every other reply, business failures (4xx `{ code, message, links }`) included, is signed: `alipay-timestamp`,
//   `alipay-nonce`, `alipay-signature` over `timestamp\nnonce\nbody\n`, and `alipay-sn` (the signing Alipay
//   certificate's SN) in certificate mode.
import crypto from 'node:crypto';
import { randomText } from './random.mjs';
import { rsaVerifyText } from './signing.mjs';

const SCHEME = 'ALIPAY-SHA256withRSA';
const CLOCK_SKEW_MS = 10 * 60_000;

/** The fields of an authorization header after the scheme (`k=v,…`, sign last), or null when malformed. */
function authFields(text) {
  const m = /^(.*),sign=([A-Za-z0-9+/]+={0,2})$/.exec(text);
  if (!m) return null;
  const fields = {};
  for (const part of m[1].split(',')) {
    const i = part.indexOf('=');
    if (i <= 0 || Object.hasOwn(fields, part.slice(0, i))) return null;
    fields[part.slice(0, i)] = part.slice(i + 1);
  }
  return { authString: m[1], sign: m[2], fields };
}

/**
 * The v3 API: `handle(req, body)` → the HTTP reply. `appId`; `appKey()` the app's public key (KeyObject);
 * `cert()` `{ appCertSn, rootCertSn }` in certificate mode, else null; `signer()` `{ privateKey, sn }` (sn null in
 * public-key mode); `dispatch(path, object)` runs the business method of `path` and resolves `[status, object]`
 * (null when there is no such path); `say(line)` logs.
 */
export function createV3Api({ appId, appKey, cert, signer, dispatch, say }) {
  /** A signed JSON reply: the signature over exactly the bytes sent. */
  function signed(status, object) {
    const body = JSON.stringify(object);
    const timestamp = String(Date.now());
    const nonce = randomText(32);
    const { privateKey, sn } = signer();
    const signature = crypto.sign('sha256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`, 'utf8'), privateKey).toString('base64');
    return {
      status,
      headers: {
        'content-type': 'application/json; charset=utf-8', 'alipay-trace-id': randomText(24).toLowerCase(),
        'alipay-timestamp': timestamp, 'alipay-nonce': nonce, 'alipay-signature': signature, ...(sn ? { 'alipay-sn': sn } : {}),
      },
      body,
    };
  }
  const refused = (code, message) => {
    say(`v3 → 401 ${code} (unsigned)`);
    return { status: 401, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ code, message }) };
  };

  /** The authentication's refusal, or null when the request is the registered app's, signed now. */
  function authenticate(req, bodyText) {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith(`${SCHEME} `)) return refused('invalid-signature', `缺少签名，Authorization必须是${SCHEME}方案`);
    const auth = authFields(header.slice(SCHEME.length + 1));
    if (!auth || !auth.fields.app_id || !auth.fields.nonce || !auth.fields.timestamp) return refused('invalid-signature', 'Authorization格式错误');
    if (auth.fields.app_id !== appId) return refused('invalid-app-id', '无效的AppID参数');
    const when = /^\d{13}$/.test(auth.fields.timestamp) ? Number(auth.fields.timestamp) : NaN;
    if (!(Math.abs(Date.now() - when) <= CLOCK_SKEW_MS)) return refused('invalid-timestamp', '非法的时间戳参数');
    const certMode = cert();
    if (certMode) {
      if (auth.fields.app_cert_sn !== certMode.appCertSn) return refused('invalid-app-cert-sn', '无效的应用公钥证书序列号');
      if (req.headers['alipay-root-cert-sn'] !== certMode.rootCertSn) return refused('invalid-alipay-root-cert-sn', '无效的支付宝根证书序列号');
    }
    const token = req.headers['alipay-app-auth-token'];
    const content = `${auth.authString}\n${req.method}\n${req.url}\n${bodyText}\n${token === undefined ? '' : `${token}\n`}`;
    if (!rsaVerifyText('sha256', content, appKey(), auth.sign)) {
      return refused('invalid-signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`);
    }
    return null;
  }

  return {
    /** Whether `pathname` is a v3 path (everything under /v3/). */
    owns: (pathname) => pathname.startsWith('/v3/'),
    handle(req, url, raw) {
      const bodyText = raw.toString('utf8');
      const refusal = authenticate(req, bodyText);
      if (refusal) return refusal;
      let object = {};
      if (bodyText.trim() !== '') {
        try {
          object = JSON.parse(bodyText);
        } catch {
          object = null;
        }
        if (object === null || typeof object !== 'object' || Array.isArray(object)) return signed(400, { code: 'INVALID_PARAMETER', message: '请求体不是JSON对象', links: [] });
      }
      if (req.method !== 'POST') return signed(405, { code: 'METHOD_NOT_ALLOWED', message: `${req.method} 不支持`, links: [] });
      const reply = dispatch(url.pathname, object);
      if (!reply) return signed(404, { code: 'NOT_FOUND', message: '不存在的接口', links: [] });
      say(`v3 ${url.pathname} → ${reply[0]}${reply[1].code ? ` ${reply[1].code}` : ''}`);
      return signed(...reply);
    },
  };
}
