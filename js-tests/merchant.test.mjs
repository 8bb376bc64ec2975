// The merchant app (examples/merchant/) end to end against the providers' local stand-ins, with its SQLite
// database in a temporary file, read after each step. Two apps: Alipay + WeChat Pay (direct), behind a relay
// that can hold notifications (to make one late), and Alipay + UseePay. Everything on 127.0.0.1.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Alipay, send } from 'aggpay';
import { createMerchantApp } from '../examples/merchant/app.mjs';
import { startLocalProviders } from '../examples/merchant/local.mjs';
import { Checkout } from '../examples/merchant/payments.mjs';

const UA = {
  alipay: 'Mozilla/5.0 (iPhone; CPU iPhone OS 11_2_6 like Mac OS X) AppleWebKit/604.5.6 (KHTML, like Gecko) Mobile/15D100 NebulaSDK/1.8.100112 Nebula WK PSDType(1) AlipayDefined(nt:WIFI,ws:375|603|2.0) AliApp(AP/10.1.15.312) AlipayClient/10.1.15.312 Language/zh-Hans',
  wechat: 'Mozilla/5.0 (iPhone; CPU iPhone OS 6_1_3 like Mac OS X) AppleWebKit/536.26 (KHTML, like Gecko) Mobile/10B329 MicroMessenger/5.0.1',
  safari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 13_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.1 Mobile/15E148 Safari/604.1',
  crawler: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
};
const ADMIN = 'test-admin-token';
const QUERY_AFTER_MS = 30_000;
const TIMEOUT = { timeout: 30_000 };

/** An HTTP request with a timeout; resolves `{ status, headers, text, json() }` (redirects not followed). */
async function request(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), text, json: () => JSON.parse(text) };
}
const postJson = (url, object, headers = {}) => request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(object) });
const admin = { authorization: `Bearer ${ADMIN}` };

/**
 * A relay in front of the app, as a proxy or tunnel would be: every request is forwarded byte for byte.
 * `hold()` keeps the next requests waiting until `release()` — a notification that is late.
 */
async function startRelay() {
  let target;
  let held = null;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      await held?.promise;
      const body = Buffer.concat(chunks);
      const out = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers, timeout: 10_000 }, (reply) => {
        res.writeHead(reply.statusCode, reply.headers);
        reply.pipe(res);
      });
      out.on('error', () => res.writeHead(502).end());
      out.end(body);
    });
  });
  server.requestTimeout = 20_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    forwardTo: (url) => (target = url),
    hold() {
      let resolve;
      held = { promise: new Promise((r) => (resolve = r)), resolve };
    },
    release() {
      held.resolve();
      held = null;
    },
    close: () => new Promise((resolve) => (server.close(resolve), server.closeAllConnections())),
  };
}

/** A second, read-only connection to the app's database, as an operator would look at it. */
function inspect(dbPath) {
  const db = new Database(dbPath, { readonly: true });
  return {
    order: (no) => db.prepare('SELECT * FROM orders WHERE out_trade_no = ?').get(no),
    payments: (no) => db.prepare('SELECT * FROM payments WHERE out_trade_no = ?').all(no),
    refunds: (no) => db.prepare('SELECT * FROM refunds WHERE out_trade_no = ? ORDER BY created_at').all(no),
    notifications: (no) => db.prepare('SELECT * FROM notifications WHERE out_trade_no = ? ORDER BY id').all(no),
    /** Every row of every table: to show that nothing changed. */
    snapshot: () => Object.fromEntries(['orders', 'payments', 'refunds', 'notifications'].map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()])),
    close: () => db.close(),
  };
}

/** A mini program's checkout: the login code, the launch options carrying the printed URL, the amount typed. */
function miniProgramCheckout(app, wallet, code, amount, table = '3') {
  const printed = `${app.publicUrl}/q/STORE42?table=${table}`;
  const launch = wallet === 'alipay' ? { query: { qrCode: printed } } : { query: { q: encodeURIComponent(printed), scancode_time: '1796160000' } };
  return postJson(`${app.url}/api/checkout`, { wallet, code, launch, amount });
}

/** The H5 path: landing → the wallet's authorization → back with a code → the pay page's token. */
async function h5Authorize(app, wallet, issueCode) {
  const landing = await request(`${app.url}/q/STORE42?table=7`, { headers: { 'user-agent': UA[wallet] } });
  assert.equal(landing.status, 302);
  const cookie = landing.headers['set-cookie'].split(';')[0];
  const state = new URL(landing.headers.location).searchParams.get('state');
  const codeParam = wallet === 'alipay' ? `app_id=x&source=alipay_wallet&scope=auth_base&auth_code=${issueCode()}` : `code=${issueCode()}`;
  const back = await request(`${app.url}/q/STORE42?table=7&${codeParam}&state=${state}`, { headers: { 'user-agent': UA[wallet], cookie, accept: 'application/json' } });
  assert.equal(back.status, 200, back.text);
  return { cookie, buyerToken: back.json().buyerToken };
}

describe('merchant app: Alipay and WeChat Pay', () => {
  let dir, providers, relay, app, db, clock;
  const now = () => Date.now() + clock;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merchant-test-'));
    clock = 0;
    providers = await startLocalProviders({ wechat: 'wechatpay' });
    relay = await startRelay();
    app = await createMerchantApp({
      dbPath: path.join(dir, 'merchant.db'),
      config: providers.config,
      routerSecret: 'a test secret of at least thirty-two bytes',
      adminToken: ADMIN,
      publicUrl: relay.url,
      pendingQueryAfterMs: QUERY_AFTER_MS,
      now,
    });
    relay.forwardTo(app.url);
    db = inspect(path.join(dir, 'merchant.db'));
  });

  after(async () => {
    db?.close();
    await app?.close();
    await relay?.close();
    await providers?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('routes the printed URL by User-Agent', TIMEOUT, async () => {
    const land = (ua) => request(`${app.url}/q/STORE42?table=7`, { headers: { 'user-agent': ua } });
    const redirect = encodeURIComponent(`${relay.url}/q/STORE42?table=7`);

    const alipay = await land(UA.alipay);
    assert.equal(alipay.status, 302);
    assert.match(alipay.headers.location, new RegExp(`^https://openauth\\.alipay\\.com/oauth2/publicAppAuthorize\\.htm\\?app_id=${providers.config.alipay.appId}&scope=auth_base&redirect_uri=${redirect}&state=[a-z0-9]{91}$`));
    assert.match(alipay.headers['set-cookie'], /^sid=[\w-]{22}; Path=\/; HttpOnly; SameSite=Lax/);

    const wechat = await land(UA.wechat);
    assert.equal(wechat.status, 302);
    assert.match(wechat.headers.location, new RegExp(`^https://open\\.weixin\\.qq\\.com/connect/oauth2/authorize\\?appid=${providers.config.officialAccount.appId}&redirect_uri=${redirect}&response_type=code&scope=snsapi_base&state=[a-z0-9]{91}#wechat_redirect$`));

    for (const ua of [UA.safari, UA.crawler]) {
      const other = await land(ua);
      assert.equal(other.status, 200);
      assert.match(other.text, /Scan this code with <strong>Alipay<\/strong> or <strong>WeChat<\/strong> to pay/);
      assert.match(other.text, /<meta name="robots" content="noindex">/);
    }
    assert.equal((await request(`${app.url}/q/NOPE`, { headers: { 'user-agent': UA.alipay } })).status, 404);
    assert.deepEqual(db.snapshot().orders, [], 'landing creates no order');
  });

  it('refuses a state from another browser', TIMEOUT, async () => {
    const landing = await request(`${app.url}/q/STORE42?table=7`, { headers: { 'user-agent': UA.alipay } });
    const state = new URL(landing.headers.location).searchParams.get('state');
    const back = await request(`${app.url}/q/STORE42?table=7&auth_code=abc&state=${state}`, { headers: { 'user-agent': UA.alipay, cookie: 'sid=AAAAAAAAAAAAAAAAAAAAAA' } });
    assert.equal(back.status, 400);
    assert.match(back.text, /scan the code again/i);
  });

  let h5; // the Alipay H5 order and its notification
  it('Alipay H5: auth_base, order, AlipayJSBridge tradePay, notification (twice) → one payment', TIMEOUT, async () => {
    const { cookie, buyerToken } = await h5Authorize(app, 'alipay', () => 'any-auth-code');
    const page = await request(`${app.url}/h5/checkout`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ buyerToken, amount: '12.30' }).toString() });
    assert.equal(page.status, 200);
    assert.match(page.text, /AlipayJSBridge\.call\('tradePay'/);

    const placed = (await postJson(`${app.url}/h5/checkout`, { buyerToken, amount: '0.01' }, { cookie, accept: 'application/json' })).json();
    assert.equal(placed.launch.api, 'AlipayJSBridge.tradePay');
    assert.match(placed.launch.params.tradeNO, /^\d{28}$/);
    const order = db.order(placed.outTradeNo);
    assert.deepEqual([order.status, order.client, order.wallet, order.provider, order.amount_minor, order.currency, order.table_no], ['pending', 'h5', 'alipay', 'alipay', 1, 'CNY', '7']);
    assert.equal(typeof order.amount_minor, 'number');

    const paid = await providers.alipay.pay(placed.launch.params.tradeNO);
    assert.deepEqual([paid.status, paid.body], [200, 'success']);
    assert.equal(db.order(placed.outTradeNo).status, 'paid');
    assert.equal(db.payments(placed.outTradeNo).length, 1);
    assert.deepEqual(db.notifications(placed.outTradeNo).map((n) => n.outcome), ['applied']);

    // Alipay sends the same notification again (it retries until `success`): nothing changes.
    const before = db.snapshot();
    for (let i = 0; i < 2; i++) {
      const again = await request(`${app.url}/notify/alipay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: paid.notification });
      assert.deepEqual([again.status, again.text], [200, 'success']);
    }
    assert.deepEqual(db.snapshot(), before);
    h5 = { ...placed, notification: paid.notification };
  });

  it('refuses a forged Alipay notification with "fail" and changes nothing', TIMEOUT, async () => {
    const before = db.snapshot();
    const forged = h5.notification.replace(/total_amount=0\.01/, 'total_amount=0.02');
    assert.notEqual(forged, h5.notification);
    const res = await request(`${app.url}/notify/alipay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: forged });
    assert.deepEqual([res.status, res.text], [400, 'fail']);
    assert.deepEqual(db.snapshot(), before);
  });

  it('Alipay mini program: auth code, my.tradePay, paid', TIMEOUT, async () => {
    const res = await miniProgramCheckout(app, 'alipay', 'mini-auth-code', '19.99');
    assert.equal(res.status, 200, res.text);
    const placed = res.json();
    assert.equal(placed.launch.api, 'my.tradePay');
    assert.deepEqual(placed.amount, { minor: 1999, currency: 'CNY' });
    assert.equal(db.order(placed.outTradeNo).client, 'mini-program');
    await providers.alipay.pay(placed.launch.params.tradeNO);
    assert.equal(db.order(placed.outTradeNo).status, 'paid');
    assert.equal(db.payments(placed.outTradeNo)[0].amount_minor, 1999);

    const bad = await postJson(`${app.url}/api/checkout`, { wallet: 'alipay', code: 'x', launch: { query: { qrCode: 'https://elsewhere.example/q/STORE42' } }, amount: '1.00' });
    assert.equal(bad.status, 400);
    assert.equal((await miniProgramCheckout(app, 'alipay', 'y', 19.99)).status, 400, 'a JSON number is refused: money is never a float');
  });

  it('refuses a notification whose amount is not the order’s, and leaves the order as it was', TIMEOUT, async () => {
    const placed = (await miniProgramCheckout(app, 'alipay', 'mismatch-code', '8.00')).json();
    // The provider's trade says 8.00; make the order say 0.08, as if the two had gone apart.
    const writer = new Database(path.join(dir, 'merchant.db'));
    writer.prepare('UPDATE orders SET amount_minor = 8 WHERE out_trade_no = ?').run(placed.outTradeNo);
    writer.close();
    const orderBefore = db.order(placed.outTradeNo);
    const paid = await providers.alipay.pay(placed.launch.params.tradeNO);
    assert.equal(paid.body, 'success', 'verified and stored for review: acknowledged');
    assert.deepEqual(db.order(placed.outTradeNo), orderBefore);
    assert.equal(db.payments(placed.outTradeNo).length, 0);
    const [n] = db.notifications(placed.outTradeNo);
    assert.equal(n.outcome, 'refused');
    assert.match(n.reason, /amount 800 CNY is not the order's 8 CNY/);
  });

  it('ignores a pending that arrives after paid', TIMEOUT, async () => {
    const placed = (await miniProgramCheckout(app, 'alipay', 'ooo-code', '3.00')).json();
    // The merchant's own query goes out while the order is unpaid; its answer comes back after the notification.
    const checkout = new Checkout({ alipay: new Alipay(providers.config.alipay) });
    const args = { wallet: 'alipay', outTradeNo: placed.outTradeNo };
    const slowAnswer = await send(checkout.buildQuery(args));
    await providers.alipay.pay(placed.launch.params.tradeNO);
    assert.equal(db.order(placed.outTradeNo).status, 'paid');
    const before = db.snapshot();
    const event = checkout.parseQuery(args, slowAnswer);
    assert.equal(event.status, 'pending');
    assert.deepEqual(app.store.recordEvent(event, { source: 'query' }), { duplicate: false, outcome: 'unchanged' });
    assert.deepEqual(db.snapshot(), before);
    checkout.alipay.free();
  });

  let late;
  it('queries an order whose notification is late, and the late notification changes nothing', TIMEOUT, async () => {
    const placed = (await miniProgramCheckout(app, 'alipay', 'late-code', '19.99')).json();
    relay.hold();
    const paying = providers.alipay.pay(placed.launch.params.tradeNO); // paid at Alipay; the notification waits
    const requests = providers.alipay.requests;
    assert.equal((await request(`${app.url}/api/orders/${placed.outTradeNo}`)).json().status, 'pending');
    assert.equal(providers.alipay.requests, requests, 'too young to be queried');

    clock += QUERY_AFTER_MS + 1000;
    const read = await request(`${app.url}/api/orders/${placed.outTradeNo}`);
    assert.deepEqual(read.json(), { outTradeNo: placed.outTradeNo, status: 'paid', amount: { minor: 1999, currency: 'CNY' }, subject: 'Coffee 42 · table 3' });
    assert.equal(providers.alipay.requests, requests + 1, 'one query');
    assert.deepEqual(db.payments(placed.outTradeNo).map((p) => p.source), ['query']);
    assert.equal(db.notifications(placed.outTradeNo).length, 0);

    relay.release();
    assert.equal((await paying).body, 'success');
    assert.deepEqual(db.notifications(placed.outTradeNo).map((n) => n.outcome), ['unchanged']);
    assert.equal(db.payments(placed.outTradeNo).length, 1);
    late = placed;
  });

  it('refunds an Alipay order in two parts, never more than was paid', TIMEOUT, async () => {
    const url = `${app.url}/api/orders/${late.outTradeNo}/refund`;
    assert.equal((await postJson(url, { amount: '1.00' })).status, 404, 'admin only');
    const first = await postJson(url, { amount: '5.00', reason: 'one coffee less' }, admin);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.json().status, first.json().amount], ['refunded', { minor: 500, currency: 'CNY' }]);
    assert.equal(db.order(late.outTradeNo).status, 'paid');
    assert.equal((await postJson(url, { amount: '15.00' }, admin)).status, 409, 'only 14.99 is left');
    const rest = await postJson(url, {}, admin);
    assert.deepEqual(rest.json().amount, { minor: 1499, currency: 'CNY' });
    assert.deepEqual(db.refunds(late.outTradeNo).map((r) => [r.amount_minor, r.status]), [[500, 'refunded'], [1499, 'refunded']]);
    assert.equal(db.order(late.outTradeNo).status, 'refunded');
    assert.equal((await postJson(url, {}, admin)).status, 409);
  });

  let wxOrder;
  it('WeChat Pay mini program: wx.login, wx.requestPayment, two deliveries → one payment, one notification', TIMEOUT, async () => {
    const res = await miniProgramCheckout(app, 'wechat', providers.login.issueCode(), '19.99');
    assert.equal(res.status, 200, res.text);
    const placed = res.json();
    assert.equal(placed.launch.api, 'wx.requestPayment');
    assert.equal(providers.wechatpay.requestPayment(placed.launch.params).errMsg, 'requestPayment:ok');
    const deliveries = await providers.wechatpay.pay(placed.outTradeNo);
    assert.deepEqual(deliveries.map((d) => d.status), [204, 204]);
    assert.equal(db.order(placed.outTradeNo).status, 'paid');
    assert.equal(db.payments(placed.outTradeNo).length, 1);
    assert.deepEqual(db.notifications(placed.outTradeNo).map((n) => n.outcome), ['applied']);
    wxOrder = placed;
  });

  it('WeChat H5: snsapi_base, WeixinJSBridge getBrandWCPayRequest, paid', TIMEOUT, async () => {
    const { cookie, buyerToken } = await h5Authorize(app, 'wechat', () => providers.oauth.issueCode());
    const placed = (await postJson(`${app.url}/h5/checkout`, { buyerToken, amount: '2.50' }, { cookie, accept: 'application/json' })).json();
    assert.equal(placed.launch.api, 'WeixinJSBridge.getBrandWCPayRequest');
    assert.equal(placed.launch.params.appId, providers.config.officialAccount.appId);
    assert.equal(providers.wechatpay.requestPayment(placed.launch.params).errMsg, 'requestPayment:ok');
    await providers.wechatpay.pay(placed.outTradeNo);
    assert.deepEqual([db.order(placed.outTradeNo).status, db.order(placed.outTradeNo).client], ['paid', 'h5']);
    assert.equal(db.payments(placed.outTradeNo).length, 1);
  });

  it('refuses a forged WeChat Pay notification with 401 FAIL and changes nothing', TIMEOUT, async () => {
    const before = db.snapshot();
    const body = providers.wechatpay.deliveries.at(-1).body;
    const res = await request(`${app.url}/notify/wechatpay`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'wechatpay-timestamp': String(Math.floor(Date.now() / 1000)),
        'wechatpay-nonce': 'forgedforgedforgedforged',
        'wechatpay-serial': providers.config.wechat.wechatpayPublicKeyId,
        'wechatpay-signature': Buffer.alloc(256, 1).toString('base64'),
      },
      body,
    });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), { code: 'FAIL', message: '失败' });
    assert.deepEqual(db.snapshot(), before);
  });

  it('refunds a WeChat Pay order: PROCESSING, then REFUND.SUCCESS (delivered twice, stored once)', TIMEOUT, async () => {
    const res = await postJson(`${app.url}/api/orders/${wxOrder.outTradeNo}/refund`, { reason: 'cold coffee' }, admin);
    assert.equal(res.status, 200, res.text);
    await providers.wechatpay.idle();
    assert.deepEqual(db.refunds(wxOrder.outTradeNo).map((r) => [r.amount_minor, r.status]), [[1999, 'refunded']]);
    assert.match(db.refunds(wxOrder.outTradeNo)[0].refund_id, /^50\d+$/);
    assert.equal(db.order(wxOrder.outTradeNo).status, 'refunded');
    assert.deepEqual(db.notifications(wxOrder.outTradeNo).map((n) => n.outcome), ['applied', 'applied'], 'the payment, then the refund');
  });

  it('lists orders for the admin only', TIMEOUT, async () => {
    assert.equal((await request(`${app.url}/api/orders`)).status, 404);
    const list = (await request(`${app.url}/api/orders`, { headers: admin })).json();
    assert.equal(list.length, db.snapshot().orders.length);
  });
});

describe('merchant app: UseePay (WeChat Pay HK)', () => {
  let dir, providers, app, db;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merchant-test-'));
    providers = await startLocalProviders({ wechat: 'useepay' });
    app = await createMerchantApp({ dbPath: path.join(dir, 'merchant.db'), config: providers.config, routerSecret: 'another test secret, thirty-two bytes long', adminToken: ADMIN });
    db = inspect(path.join(dir, 'merchant.db'));
  });

  after(async () => {
    db?.close();
    await app?.close();
    await providers?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('mini program: HKD order, wx.requestPayment, two deliveries → one payment, one notification; refund', TIMEOUT, async () => {
    const res = await miniProgramCheckout(app, 'wechat', providers.login.issueCode(), '1.00');
    assert.equal(res.status, 200, res.text);
    const placed = res.json();
    assert.deepEqual(placed.amount, { minor: 100, currency: 'HKD' });
    assert.equal(placed.provider, 'useepay');
    assert.equal(providers.useepay.requestPayment(placed.launch.params).errMsg, 'requestPayment:ok');
    const paid = await providers.useepay.pay(placed.outTradeNo);
    assert.deepEqual(paid.deliveries.map((d) => [d.status, d.body]), [[200, 'OK'], [200, 'OK']]);
    assert.equal(db.order(placed.outTradeNo).status, 'paid');
    assert.equal(db.payments(placed.outTradeNo).length, 1);
    assert.deepEqual(db.notifications(placed.outTradeNo).map((n) => n.outcome), ['applied'], 'no notification id: deduplicated on the signed fields');

    const forged = providers.useepay.deliveries.at(-1).body.replace(/amount=100/, 'amount=1');
    const before = db.snapshot();
    const refused = await request(`${app.url}/notify/useepay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: forged });
    assert.deepEqual([refused.status, refused.text], [400, 'FAIL']);
    assert.deepEqual(db.snapshot(), before);
    assert.equal((await request(`${app.url}/notify/wechatpay`, { method: 'POST', body: '{}' })).status, 404, 'WeChat Pay is not this app’s provider');

    const refund = await postJson(`${app.url}/api/orders/${placed.outTradeNo}/refund`, {}, admin);
    assert.equal(refund.status, 200, refund.text);
    await providers.useepay.idle();
    assert.deepEqual(db.refunds(placed.outTradeNo).map((r) => [r.amount_minor, r.currency, r.status]), [[100, 'HKD', 'refunded']]);
    assert.equal(db.order(placed.outTradeNo).status, 'refunded');
  });
});
