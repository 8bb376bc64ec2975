// The merchant app: one printed code per table, paid with Alipay or WeChat, in their mini programs or in
// their in-app browsers (H5). Built on aggpay as a merchant would build it:
// - `Router` says which wallet opened the printed URL and runs the H5 authorization (signed `state`);
// - the provider clients exchange login codes for buyer ids;
// - `Checkout` places orders, verifies notifications, queries and refunds, in one event shape;
// - `openStore` (store.mjs) is the database.
// Each store takes WeChat payments through its own acquirer — WeChat Pay direct (CNY) or UseePay (WeChat Pay
// HK, HKD) — so the app holds one Checkout per acquirer, all sharing the Alipay client. The acquirer is
// configuration: an admin moves a store to the other one (`PUT /api/stores/:store`) and its printed codes
// stay as they are.
//
//   const app = await createMerchantApp({ dbPath, config, routerSecret, adminToken });
//   app.url   // http://127.0.0.1:<port>
//
// Routes: see "The merchant app" in the README.
import crypto from 'node:crypto';
import http from 'node:http';
import { AggpayError, Alipay, Checkout, Router, UseePay, WechatMiniProgram, WechatOfficialAccount, WechatPay, send } from 'aggpay';
import { openStore } from './store.mjs';

const MAX_BODY = 64 * 1024; // notifications are a few KiB; nothing the app accepts is larger
const PROVIDER_TIMEOUT_MS = 10_000;
const BUYER_TOKEN_TTL_MS = 15 * 60_000;
/** The currency each provider settles the app's orders in (UseePay's wechat_jsapi is WeChat Pay HK). */
const CURRENCY = { alipay: 'CNY', wechatpay: 'CNY', useepay: 'HKD' };
/** The WeChat acquirers a store may use, and their clients. */
const WECHAT_CLIENTS = { wechatpay: WechatPay, useepay: UseePay };

/** An HTTP answer the app sends as is; thrown by handlers to stop early. */
class Reply {
  constructor(status, headers, body) {
    Object.assign(this, { status, headers, body });
  }
}
const json = (status, object, headers = {}) => new Reply(status, { 'content-type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(object));
const problem = (status, error, message) => json(status, { error, message });

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON safe inside a <script> element. */
const scriptJson = (value) => JSON.stringify(value).replace(/</g, '\\u003c');

function page(status, title, body, headers = {}) {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
  return new Reply(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers }, html);
}

/** A decimal amount as the buyer typed it (`'19.99'`, in yuan or HK dollars) → integer minor units; never a float. */
function parseAmount(text) {
  const m = typeof text === 'string' ? /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim()) : null;
  const minor = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : 0;
  if (minor <= 0) throw problem(400, 'bad_amount', 'amount: a decimal string such as "19.99", more than zero');
  return minor;
}

/** `M`/`R` + UTC time to the second + 10 random digits: 25 characters every provider accepts as its order number. */
function newNumber(prefix, ms) {
  const time = new Date(ms).toISOString().slice(0, 19).replace(/\D/g, '');
  return `${prefix}${time}${String(crypto.randomInt(10 ** 9, 10 ** 10))}`;
}

function cookies(req) {
  const out = {};
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** The request body as a Buffer, at most MAX_BODY bytes (else 413). */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY) return reject(problem(413, 'too_large', `at most ${MAX_BODY} bytes`));
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(problem(413, 'too_large', `at most ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON or form body as an object of strings (JSON values kept as sent). */
async function readFields(req) {
  const raw = (await readBody(req)).toString('utf8');
  if (/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    try {
      const value = JSON.parse(raw);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
    } catch {
      // answered below
    }
    throw problem(400, 'bad_json', 'the body must be a JSON object');
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

/**
 * Creates the app and starts it on 127.0.0.1. Options:
 * - `dbPath`: the SQLite file;
 * - `config`: `stores` (`{ [id]: { name, wechat: 'wechatpay' | 'useepay' } }`: each store's WeChat acquirer),
 *   `alipay` (an `Alipay` config), `wechatpay` and/or `useepay` (a `WechatPay` / `UseePay` config), `miniProgram`
 *   and `officialAccount` (`{ appId, appSecret, apiBase? }`);
 * - `routerSecret`: signs OAuth `state`s and buyer tokens (at least 32 bytes);
 * - `adminToken`: the bearer token of the order list and refunds (left out: those routes answer 404);
 * - `publicUrl`: where buyers and providers reach the app (default: its own URL);
 * - `pendingQueryAfterMs`: age after which a pending order is queried when read (default 30 s);
 * - `port` (default: a free one), `now` (epoch ms), `log` (one line at a time).
 * Resolves `{ url, publicUrl, store, close }`.
 */
export async function createMerchantApp({ dbPath, config, routerSecret, adminToken, publicUrl, pendingQueryAfterMs = 30_000, port = 0, now = Date.now, log = () => {} }) {
  // The app's own copy: an admin may move a store to another acquirer while it runs.
  const stores = structuredClone(config.stores ?? {});
  const alipay = new Alipay(config.alipay);
  const wechatClients = Object.entries(WECHAT_CLIENTS).filter(([provider]) => config[provider]).map(([provider, Client]) => [provider, new Client(config[provider])]);
  const checkouts = Object.fromEntries(wechatClients.map(([provider, wechat]) => [provider, new Checkout({ alipay, wechat })]));
  for (const [id, { wechat }] of Object.entries(stores)) {
    if (!Object.hasOwn(checkouts, wechat)) throw new TypeError(`store ${id}: wechat must name a configured acquirer (${Object.keys(checkouts).join(', ') || 'none configured'})`);
  }
  /** The checkout of a store's orders. */
  const checkoutOf = (storeId) => checkouts[stores[storeId].wechat];
  /** The checkout that verifies, queries and refunds `provider`'s payments (Alipay's: any, they share its client). */
  const checkoutFor = (provider) => (provider === 'alipay' ? Object.values(checkouts)[0] : checkouts[provider]);
  const providers = new Set(['alipay', ...Object.keys(checkouts)]);
  const miniProgram = new WechatMiniProgram(config.miniProgram);
  const officialAccount = new WechatOfficialAccount(config.officialAccount);
  const router = new Router({ stateSecret: routerSecret, alipay: { appId: alipay.appId }, wechat: { appId: officialAccount.appId } });
  // Every store call is awaited, so that a store whose functions return promises (PostgreSQL) fits as is.
  const store = await openStore(dbPath, { now });
  let base; // publicUrl, once the server listens

  const sendToProvider = (request) => send(request, { timeoutMs: PROVIDER_TIMEOUT_MS });
  const notifyUrl = (provider) => `${base}/notify/${provider}`;
  const landingUrl = (storeId, table) => `${base}/q/${encodeURIComponent(storeId)}${table ? `?table=${encodeURIComponent(table)}` : ''}`;

  // The buyer token: who the H5 authorization said the buyer is, for the store and table scanned, signed so
  // that the pay page can hand it back with the amount. Bound to the browser's session cookie.
  const mac = (payload) => crypto.createHmac('sha256', routerSecret).update(`merchant-buyer-v1\n${payload}`).digest('base64url');
  function signBuyer(claims) {
    const payload = Buffer.from(JSON.stringify({ ...claims, exp: now() + BUYER_TOKEN_TTL_MS })).toString('base64url');
    return `${payload}.${mac(payload)}`;
  }
  function verifyBuyer(token, sid) {
    const [payload, tag] = String(token ?? '').split('.');
    const expected = payload ? mac(payload) : '';
    if (!tag || tag.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(tag), Buffer.from(expected))) {
      throw problem(403, 'bad_buyer_token', 'scan the code again');
    }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (claims.sid !== sid || claims.exp < now()) throw problem(403, 'bad_buyer_token', 'scan the code again');
    return claims;
  }

  function isAdmin(req) {
    const given = Buffer.from(String(req.headers.authorization ?? ''));
    const expected = Buffer.from(`Bearer ${adminToken}`);
    return adminToken !== undefined && given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  /** Creates the order in the database, then with the provider; returns what the buyer's client launches. */
  async function placeOrder({ buyer, client, storeId, table, amountText }) {
    const checkout = checkoutOf(storeId);
    const provider = checkout.providerFor(buyer.wallet);
    const order = {
      outTradeNo: newNumber('M', now()),
      amount: { minor: parseAmount(amountText), currency: CURRENCY[provider] },
      subject: table ? `${stores[storeId].name} · table ${table}` : stores[storeId].name,
      buyer,
      client,
      notifyUrl: notifyUrl(provider),
    };
    // The order exists before the provider hears of it, so that its notification always finds it.
    await store.createOrder({ ...order, store: storeId, tableNo: table ?? null, wallet: buyer.wallet, provider, buyerId: buyer.openId ?? buyer.userId ?? buyer.openid });
    const placed = checkout.parseOrder(order, await sendToProvider(checkout.buildOrder(order)));
    log(`order ${order.outTradeNo} ${provider} ${client} ${order.amount.minor} ${order.amount.currency}`);
    return { outTradeNo: order.outTradeNo, amount: order.amount, provider, launch: placed.launch };
  }

  // GET /q/:store — the printed URL. Alipay and WeChat browsers go through the silent authorization and
  // come back here with `state` and a code; anything else gets a page saying which apps can pay.
  async function landing(req, storeId) {
    if (!Object.hasOwn(stores, storeId)) return page(404, 'Unknown store', '<p>This code does not belong to a store here.</p>');
    const route = router.route({ userAgent: String(req.headers['user-agent'] ?? ''), url: req.url });
    const table = route.params.table;
    let sid = cookies(req).sid;
    const newSession = !/^[A-Za-z0-9_-]{22}$/.test(sid ?? '');
    if (newSession) sid = crypto.randomBytes(16).toString('base64url');
    const bind = `${sid}\n${storeId}\n${table ?? ''}`; // the state holds for this browser, store and table only
    if (route.params.state) return authorized(req, { storeId, table, sid, bind });
    if (route.client === 'alipay-app' || route.client === 'wechat-app') {
      const { url } = router.authorizeUrl({ wallet: route.wallet, redirectUri: landingUrl(storeId, table), bind, now: now() });
      const secure = base.startsWith('https:') ? '; Secure' : '';
      const cookie = newSession ? { 'set-cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800${secure}` } : {};
      return new Reply(302, { location: url, 'cache-control': 'no-store', ...cookie }, '');
    }
    // Other browsers, crawlers, WeChat Work, DingTalk, and a mini program's web-view (which would hand over to a
    // mini-program page to pay): nothing to pay with here.
    return page(200, stores[storeId].name, '<p>Scan this code with <strong>Alipay</strong> or <strong>WeChat</strong> to pay.</p>');
  }

  // The H5 authorization came back: check the state, exchange the code for the buyer's id, show the pay page.
  async function authorized(req, { storeId, table, sid, bind }) {
    let back;
    try {
      back = router.verifyCallback({ url: req.url, bind, now: now() });
    } catch (error) {
      if (!(error instanceof AggpayError) || !['ERR_STATE_INVALID', 'ERR_STATE_EXPIRED'].includes(error.code)) throw error;
      log(`landing: state refused (${error.code})`);
      return page(400, 'Please scan the code again', '<p>This payment link has expired or was not opened on this phone.</p>');
    }
    const { wallet, code } = back;
    let buyer;
    if (wallet === 'alipay') {
      const token = alipay.parseResponse('alipay.system.oauth.token', (await sendToProvider(alipay.buildOauthToken({ code }))).body);
      buyer = token.open_id ? { wallet, openId: token.open_id } : { wallet, userId: token.user_id };
    } else {
      const token = officialAccount.parseOauthAccessToken((await sendToProvider(officialAccount.buildOauthAccessToken(code))).body);
      // A Moments snapshot page has a virtual openid that cannot pay.
      if (token.isSnapshotUser) return page(403, 'Open the page to pay', '<p>Tap “Open” at the bottom of the page to pay.</p>');
      buyer = { wallet, openid: token.openid, appId: officialAccount.appId };
    }
    const buyerToken = signBuyer({ buyer, storeId, table: table ?? null, sid });
    if (/\bapplication\/json\b/.test(req.headers.accept ?? '')) return json(200, { wallet, store: storeId, table: table ?? null, buyerToken });
    return page(
      200,
      stores[storeId].name,
      `<form method="post" action="/h5/checkout">
<input type="hidden" name="buyerToken" value="${escapeHtml(buyerToken)}">
<label>Amount (${CURRENCY[checkoutOf(storeId).providerFor(wallet)]}) <input name="amount" inputmode="decimal" pattern="\\d{1,9}(\\.\\d{1,2})?" required autofocus></label>
<button>Pay with ${wallet === 'alipay' ? 'Alipay' : 'WeChat Pay'}</button>
</form>`,
    );
  }

  // POST /h5/checkout — the pay page's form (or JSON): the order, and the page that opens the wallet's cashier.
  async function h5Checkout(req) {
    const fields = await readFields(req);
    const claims = verifyBuyer(fields.buyerToken, cookies(req).sid);
    const placed = await placeOrder({ buyer: claims.buyer, client: 'h5', storeId: claims.storeId, table: claims.table, amountText: fields.amount });
    if (/\bapplication\/json\b/.test(req.headers.accept ?? '')) return json(200, placed);
    // AlipayJSBridge.call('tradePay', { tradeNO }) / WeixinJSBridge.invoke('getBrandWCPayRequest', params), once the
    // bridge is ready; then the order's status (the notification or, when late, an active query says paid).
    return page(
      200,
      'Paying…',
      `<p id="status">Opening the cashier…</p>
<script>
const placed = ${scriptJson(placed)};
const done = () => fetch('/api/orders/' + placed.outTradeNo).then((r) => r.json()).then((o) => { document.getElementById('status').textContent = o.status; });
function pay() {
  if (placed.launch.api === 'AlipayJSBridge.tradePay') AlipayJSBridge.call('tradePay', placed.launch.params, done);
  else WeixinJSBridge.invoke('getBrandWCPayRequest', placed.launch.params, done);
}
const bridge = placed.launch.api === 'AlipayJSBridge.tradePay' ? 'AlipayJSBridge' : 'WeixinJSBridge';
if (window[bridge]) pay(); else document.addEventListener(bridge + 'Ready', pay, false);
</script>`,
    );
  }

  // POST /api/checkout — a mini program: `{ wallet, code, launch, amount }`, where `code` is from
  // my.getAuthCode / wx.login and `launch` the launch options that carry the printed URL.
  async function miniProgramCheckout(req) {
    const { wallet, code, launch, amount } = await readFields(req);
    if (wallet !== 'alipay' && wallet !== 'wechat') throw problem(400, 'bad_wallet', 'wallet: alipay or wechat');
    if (typeof code !== 'string' || !code) throw problem(400, 'no_code', 'code: the login code');
    const scanned = wallet === 'alipay' ? Alipay.launchQrCode(launch) : WechatMiniProgram.launchQrCode(launch);
    const printed = scanned && URL.canParse(scanned.qrCode) ? new URL(scanned.qrCode) : null;
    const m = printed && printed.origin === new URL(base).origin ? /^\/q\/([^/]+)$/.exec(printed.pathname) : null;
    const storeId = m ? decodeURIComponent(m[1]) : null;
    if (!storeId || !Object.hasOwn(stores, storeId)) throw problem(400, 'not_our_code', 'the mini program was not opened by one of this app’s printed codes');
    let buyer;
    if (wallet === 'alipay') {
      const token = alipay.parseResponse('alipay.system.oauth.token', (await sendToProvider(alipay.buildOauthToken({ code }))).body);
      buyer = token.open_id ? { wallet, openId: token.open_id } : { wallet, userId: token.user_id };
    } else {
      const session = miniProgram.parseCode2Session((await sendToProvider(miniProgram.buildCode2Session(code))).body);
      buyer = { wallet, openid: session.openid, appId: miniProgram.appId };
    }
    return json(200, await placeOrder({ buyer, client: 'mini-program', storeId, table: scanned.params.table, amountText: amount }));
  }

  // POST /notify/:provider — the raw body, verified; recorded once; the provider's own reply, exactly.
  async function notification(req, provider) {
    const checkout = checkoutFor(provider);
    const answer = ({ status, headers, body }) => new Reply(status, headers, body ?? '');
    const body = await readBody(req);
    let verified;
    try {
      verified = checkout.verifyEvent(provider, { headers: req.headers, body: new Uint8Array(body) });
    } catch (error) {
      log(`notify ${provider}: refused (${error.code ?? error.message})`); // never stored: anyone can POST here
      return answer(checkout.failureReply(provider, error));
    }
    let result;
    try {
      result = await store.recordEvent(verified.event);
    } catch (error) {
      log(`notify ${provider}: not recorded (${error.message})`); // the provider sends it again
      return answer(checkout.failureReply(provider, error));
    }
    const { event } = verified;
    log(`notify ${provider} ${event.kind} ${event.outTradeNo} ${event.status}: ${result.duplicate ? 'duplicate' : result.outcome}${result.reason ? ` (${result.reason})` : ''}`);
    // A refused event (another amount) is stored for review and acknowledged: sending it again would not change it.
    return answer(verified.reply);
  }

  // PUT /api/stores/:store — admin: `{ wechat }`, the store's WeChat acquirer from now on (one configured
  // here). Orders already placed stay with theirs: notifications, queries and refunds follow the order.
  async function moveStore(req, storeId) {
    if (!Object.hasOwn(stores, storeId)) throw problem(404, 'not_found', 'no such store');
    const { wechat } = await readFields(req);
    if (typeof wechat !== 'string' || !Object.hasOwn(checkouts, wechat)) {
      throw problem(400, 'bad_acquirer', `wechat: one of ${Object.keys(checkouts).join(', ')}`);
    }
    stores[storeId] = { ...stores[storeId], wechat };
    log(`store ${storeId}: WeChat payments through ${wechat} from now on`);
    return json(200, { store: storeId, ...stores[storeId] });
  }

  // GET /api/orders/:id — the order; one still pending after `pendingQueryAfterMs` is asked for first
  // (its notification may be late, or lost).
  async function readOrder(req, outTradeNo) {
    let order = await store.getOrder(outTradeNo);
    if (!order) throw problem(404, 'no_order', 'no such order');
    if (order.status === 'pending' && now() - Date.parse(order.createdAt) >= pendingQueryAfterMs) {
      const args = { wallet: order.wallet, outTradeNo };
      const checkout = checkoutFor(order.provider);
      try {
        const result = await store.recordEvent(checkout.parseQuery(args, await sendToProvider(checkout.buildQuery(args))), { source: 'query' });
        log(`query ${outTradeNo}: ${result.outcome}${result.reason ? ` (${result.reason})` : ''}`);
      } catch (error) {
        log(`query ${outTradeNo} failed: ${error.code ?? ''} ${error.message}`); // answered with what the database says
      }
      order = await store.getOrder(outTradeNo);
    }
    if (isAdmin(req)) return json(200, order);
    const { status, amount, subject } = order; // what the buyer's page needs
    return json(200, { outTradeNo, status, amount, subject });
  }

  // POST /api/orders/:id/refund — `{ amount?, reason? }` (amount as a decimal string; default: all that is left).
  async function refund(req, outTradeNo) {
    const { amount, reason } = await readFields(req);
    const order = await store.getOrder(outTradeNo);
    if (!order) throw problem(404, 'no_order', 'no such order');
    const outRefundNo = newNumber('R', now());
    let pending;
    try {
      pending = await store.createRefund({
        outRefundNo,
        outTradeNo,
        amount: amount === undefined ? undefined : { minor: parseAmount(amount), currency: order.amount.currency },
        reason: typeof reason === 'string' ? reason.slice(0, 80) : null,
      });
    } catch (error) {
      if (error instanceof RangeError) throw problem(409, 'not_refundable', error.message);
      throw error;
    }
    // Refund notifications come to the order's route (Alipay sends them to the order's notify_url anyway).
    const args = {
      wallet: order.wallet, outTradeNo, outRefundNo, amount: pending.amount, total: order.amount, reason: pending.reason ?? undefined, notifyUrl: notifyUrl(order.provider),
    };
    const checkout = checkoutFor(order.provider);
    try {
      const result = await store.recordEvent(checkout.parseRefund(args, await sendToProvider(checkout.buildRefund(args))), { source: 'refund' });
      log(`refund ${outRefundNo} of ${outTradeNo}: ${result.outcome}`);
    } catch (error) {
      // A refusal the provider signed or sent is final; a timeout is not (the refund may have been made).
      const refused = error instanceof AggpayError && (error.code === 'ERR_PROVIDER_BUSINESS' || error.code === 'ERR_PROVIDER_REJECTED');
      if (refused) await store.failRefund(outRefundNo);
      log(`refund ${outRefundNo} of ${outTradeNo} ${refused ? 'refused' : 'unknown'}: ${error.code ?? ''} ${error.message}`);
      throw problem(502, refused ? 'refund_refused' : 'refund_unknown', error.providerMessage ?? error.message);
    }
    return json(200, (await store.getOrder(outTradeNo)).refunds.find((r) => r.outRefundNo === outRefundNo));
  }

  async function dispatch(req) {
    const { pathname } = new URL(req.url, 'http://app');
    const post = req.method === 'POST';
    let m;
    if (req.method === 'GET' && (m = /^\/q\/([^/]+)$/.exec(pathname))) return landing(req, decodeURIComponent(m[1]));
    if (post && pathname === '/h5/checkout') return h5Checkout(req);
    if (post && pathname === '/api/checkout') return miniProgramCheckout(req);
    if (post && (m = /^\/notify\/(alipay|wechatpay|useepay)$/.exec(pathname)) && providers.has(m[1])) return notification(req, m[1]);
    if (req.method === 'GET' && (m = /^\/api\/orders\/([A-Za-z0-9]{1,32})$/.exec(pathname))) return readOrder(req, m[1]);
    if (isAdmin(req)) {
      if (req.method === 'GET' && pathname === '/api/orders') return json(200, await store.listOrders());
      if (post && (m = /^\/api\/orders\/([A-Za-z0-9]{1,32})\/refund$/.exec(pathname))) return refund(req, m[1]);
      if (req.method === 'PUT' && (m = /^\/api\/stores\/([A-Za-z0-9_-]{1,32})$/.exec(pathname))) return moveStore(req, m[1]);
    }
    return problem(404, 'not_found', 'no such route');
  }

  /** An error a handler did not answer itself: a provider's refusal or a bad request, else a 500. */
  function failure(error) {
    if (error instanceof Reply) return error;
    if (error instanceof AggpayError) {
      const client = ['ERR_BAD_INPUT', 'ERR_LOGIN_CODE_INVALID', 'ERR_LOGIN_CODE_USED', 'ERR_INPUT_TOO_LARGE', 'ERR_TOO_MANY_FIELDS'].includes(error.code);
      log(`${client ? 'refused' : 'provider'}: ${error.code} ${error.message}`);
      return problem(client ? 400 : 502, error.code, error.providerMessage ?? error.message);
    }
    log(`internal error: ${error.stack}`);
    return problem(500, 'internal', 'internal error');
  }

  const server = http.createServer((req, res) => {
    dispatch(req)
      .catch(failure)
      .then(({ status, headers, body }) => {
        res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) }).end(body);
      });
  });
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  base = (publicUrl ?? url).replace(/\/$/, '');

  return {
    url,
    publicUrl: base,
    store,
    async close() {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
      await store.close();
      for (const object of [alipay, ...wechatClients.map(([, client]) => client), miniProgram, officialAccount, router]) object.free();
    },
  };
}
