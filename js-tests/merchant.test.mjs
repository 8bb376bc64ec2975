// The merchant app (examples/merchant/) end to end against aggpay's sandbox, driven through its control API
// (pay / cancel / fail with each delivery mode, login and OAuth codes), with the app's SQLite database in a
// temporary file, read after each step. One app, two stores: STORE42 takes WeChat payments through WeChat Pay
// direct, HK01 through UseePay. Everything on 127.0.0.1.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Alipay, Checkout, send } from 'aggpay';
import { createMerchantApp } from '../examples/merchant/app.mjs';
import { startLocalProviders } from '../examples/merchant/local.mjs';

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

describe('merchant app on the sandbox', () => {
  let dir, sandbox, config, app, db, clock;
  const now = () => Date.now() + clock;
  let codes = 0;
  const alipayCode = () => `alipay-auth-code-${++codes}`; // the Alipay emulation takes any code, once
  const wechatCode = async (kind, appId) => (await sandbox.issueCode({ kind, appId })).code;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merchant-test-'));
    clock = 0;
    ({ sandbox, config } = await startLocalProviders());
    app = await createMerchantApp({
      dbPath: path.join(dir, 'merchant.db'),
      config,
      routerSecret: 'a test secret of at least thirty-two bytes',
      adminToken: ADMIN,
      pendingQueryAfterMs: QUERY_AFTER_MS,
      now,
    });
    db = inspect(path.join(dir, 'merchant.db'));
  });

  after(async () => {
    db?.close();
    await app?.close();
    await sandbox?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A mini program's checkout: the login code, the launch options carrying the printed URL, the amount typed. */
  function miniProgramCheckout(wallet, code, amount, { store = 'STORE42', table = '3' } = {}) {
    const printed = `${app.publicUrl}/q/${store}?table=${table}`;
    const launch = wallet === 'alipay' ? { query: { qrCode: printed } } : { query: { q: encodeURIComponent(printed), scancode_time: '1796160000' } };
    return postJson(`${app.url}/api/checkout`, { wallet, code, launch, amount });
  }
  /** A mini-program order, placed: what `/api/checkout` answered. */
  async function miniProgramOrder(wallet, amount, options) {
    const code = wallet === 'alipay' ? alipayCode() : await wechatCode('login', config.miniProgram.appId);
    const res = await miniProgramCheckout(wallet, code, amount, options);
    assert.equal(res.status, 200, res.text);
    return res.json();
  }

  /** The H5 path: landing → the wallet's authorization → back with a code → the pay page's token. */
  async function h5Authorize(wallet) {
    const landing = await request(`${app.url}/q/STORE42?table=7`, { headers: { 'user-agent': UA[wallet] } });
    assert.equal(landing.status, 302);
    const cookie = landing.headers['set-cookie'].split(';')[0];
    const state = new URL(landing.headers.location).searchParams.get('state');
    const codeParam = wallet === 'alipay' ? `app_id=x&source=alipay_wallet&scope=auth_base&auth_code=${alipayCode()}` : `code=${await wechatCode('oauth', config.officialAccount.appId)}`;
    const back = await request(`${app.url}/q/STORE42?table=7&${codeParam}&state=${state}`, { headers: { 'user-agent': UA[wallet], cookie, accept: 'application/json' } });
    assert.equal(back.status, 200, back.text);
    return { cookie, buyerToken: back.json().buyerToken };
  }

  it('routes the printed URL by User-Agent', TIMEOUT, async () => {
    const land = (ua) => request(`${app.url}/q/STORE42?table=7`, { headers: { 'user-agent': ua } });
    const redirect = encodeURIComponent(`${app.url}/q/STORE42?table=7`);

    const alipay = await land(UA.alipay);
    assert.equal(alipay.status, 302);
    assert.match(alipay.headers.location, new RegExp(`^https://openauth\\.alipay\\.com/oauth2/publicAppAuthorize\\.htm\\?app_id=${config.alipay.appId}&scope=auth_base&redirect_uri=${redirect}&state=[a-z0-9]{91}$`));
    assert.match(alipay.headers['set-cookie'], /^sid=[\w-]{22}; Path=\/; HttpOnly; SameSite=Lax/);

    const wechat = await land(UA.wechat);
    assert.equal(wechat.status, 302);
    assert.match(wechat.headers.location, new RegExp(`^https://open\\.weixin\\.qq\\.com/connect/oauth2/authorize\\?appid=${config.officialAccount.appId}&redirect_uri=${redirect}&response_type=code&scope=snsapi_base&state=[a-z0-9]{91}#wechat_redirect$`));

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
  it("Alipay H5: auth_base, order, AlipayJSBridge tradePay; pay with 'twice' → one payment, one notification stored", TIMEOUT, async () => {
    const { cookie, buyerToken } = await h5Authorize('alipay');
    const page = await request(`${app.url}/h5/checkout`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ buyerToken, amount: '12.30' }).toString() });
    assert.equal(page.status, 200);
    assert.match(page.text, /AlipayJSBridge\.call\('tradePay'/);

    const placed = (await postJson(`${app.url}/h5/checkout`, { buyerToken, amount: '0.01' }, { cookie, accept: 'application/json' })).json();
    assert.equal(placed.launch.api, 'AlipayJSBridge.tradePay');
    assert.match(placed.launch.params.tradeNO, /^\d{28}$/);
    const order = db.order(placed.outTradeNo);
    assert.deepEqual([order.status, order.client, order.wallet, order.provider, order.amount_minor, order.currency, order.table_no], ['pending', 'h5', 'alipay', 'alipay', 1, 'CNY', '7']);
    assert.equal(typeof order.amount_minor, 'number');

    const paid = await sandbox.pay({ provider: 'alipay', id: placed.launch.params.tradeNO, delivery: 'twice' });
    assert.deepEqual(paid.deliveries.map((d) => [d.status, d.replyBody]), [[200, 'success'], [200, 'success']]);
    assert.equal(paid.deliveries[0].sent.body, paid.deliveries[1].sent.body, 'the same notification twice');
    assert.equal(db.order(placed.outTradeNo).status, 'paid');
    assert.equal(db.payments(placed.outTradeNo).length, 1);
    assert.deepEqual(db.notifications(placed.outTradeNo).map((n) => n.outcome), ['applied'], 'the second copy is a duplicate: not stored again');
    h5 = { ...placed, notification: paid.deliveries[0].sent.body };
  });

  it('refuses a forged Alipay notification with 400 "fail" and changes nothing', TIMEOUT, async () => {
    const before = db.snapshot();
    const forged = h5.notification.replace(/total_amount=0\.01/, 'total_amount=0.02');
    assert.notEqual(forged, h5.notification);
    const res = await request(`${app.url}/notify/alipay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: forged });
    assert.deepEqual([res.status, res.headers['content-type'], res.text], [400, 'text/plain; charset=utf-8', 'fail']);
    assert.deepEqual(db.snapshot(), before);
  });

  it('Alipay mini program: auth code, my.tradePay, paid', TIMEOUT, async () => {
    const placed = await miniProgramOrder('alipay', '19.99');
    assert.equal(placed.launch.api, 'my.tradePay');
    assert.deepEqual(placed.amount, { minor: 1999, currency: 'CNY' });
    assert.equal(db.order(placed.outTradeNo).client, 'mini-program');
    await sandbox.pay({ provider: 'alipay', id: placed.outTradeNo });
    assert.equal(db.order(placed.outTradeNo).status, 'paid');
    assert.equal(db.payments(placed.outTradeNo)[0].amount_minor, 1999);

    const bad = await postJson(`${app.url}/api/checkout`, { wallet: 'alipay', code: 'x', launch: { query: { qrCode: 'https://elsewhere.example/q/STORE42' } }, amount: '1.00' });
    assert.equal(bad.status, 400);
    assert.equal((await miniProgramCheckout('alipay', 'y', 19.99)).status, 400, 'a JSON number is refused: money is never a float');
  });

  it('refuses a notification whose amount is not the order’s, and leaves the order as it was', TIMEOUT, async () => {
    const placed = await miniProgramOrder('alipay', '8.00');
    // The provider's trade says 8.00; make the order say 0.08, as if the two had gone apart.
    const writer = new Database(path.join(dir, 'merchant.db'));
    writer.prepare('UPDATE orders SET amount_minor = 8 WHERE out_trade_no = ?').run(placed.outTradeNo);
    writer.close();
    const orderBefore = db.order(placed.outTradeNo);
    const paid = await sandbox.pay({ provider: 'alipay', id: placed.outTradeNo });
    assert.equal(paid.deliveries[0].replyBody, 'success', 'verified and stored for review: acknowledged');
    assert.deepEqual(db.order(placed.outTradeNo), orderBefore);
    assert.equal(db.payments(placed.outTradeNo).length, 0);
    const [n] = db.notifications(placed.outTradeNo);
    assert.equal(n.outcome, 'refused');
    assert.match(n.reason, /amount 800 CNY is not the order's 8 CNY/);
  });

  it('ignores a pending that arrives after paid', TIMEOUT, async () => {
    const placed = await miniProgramOrder('alipay', '3.00');
    // The merchant's own query goes out while the order is unpaid; its answer comes back after the notification.
    const alipay = new Alipay(config.alipay);
    try {
      const checkout = new Checkout({ alipay });
      const args = { wallet: 'alipay', outTradeNo: placed.outTradeNo };
      const slowAnswer = await send(checkout.buildQuery(args));
      await sandbox.pay({ provider: 'alipay', id: placed.outTradeNo });
      assert.equal(db.order(placed.outTradeNo).status, 'paid');
      const before = db.snapshot();
      const event = checkout.parseQuery(args, slowAnswer);
      assert.equal(event.status, 'pending');
      assert.deepEqual(app.store.recordEvent(event, { source: 'query' }), { duplicate: false, outcome: 'unchanged' });
      assert.deepEqual(db.snapshot(), before);
    } finally {
      alipay.free();
    }
  });

  let late;
  it("'late': the order is queried once old enough, and the late notification changes nothing", TIMEOUT, async () => {
    const placed = await miniProgramOrder('alipay', '19.99');
    const gateway = sandbox.alipay.server;
    await sandbox.pay({ provider: 'alipay', id: placed.outTradeNo, delivery: 'late', delayMs: 300 }); // paid; the notification waits
    const requests = gateway.requests;
    assert.equal((await request(`${app.url}/api/orders/${placed.outTradeNo}`)).json().status, 'pending');
    assert.equal(gateway.requests, requests, 'too young to be queried');

    clock += QUERY_AFTER_MS + 1000;
    const read = await request(`${app.url}/api/orders/${placed.outTradeNo}`);
    assert.deepEqual(read.json(), { outTradeNo: placed.outTradeNo, status: 'paid', amount: { minor: 1999, currency: 'CNY' }, subject: 'Coffee 42 · table 3' });
    assert.equal(gateway.requests, requests + 1, 'one query');
    assert.deepEqual(db.payments(placed.outTradeNo).map((p) => p.source), ['query']);
    assert.equal(db.notifications(placed.outTradeNo).length, 0);

    await sandbox.idle();
    assert.deepEqual(db.notifications(placed.outTradeNo).map((n) => n.outcome), ['unchanged']);
    assert.equal(db.payments(placed.outTradeNo).length, 1);
    late = placed;
  });

  it("'none': no notification ever comes; the query says paid", TIMEOUT, async () => {
    const placed = await miniProgramOrder('wechat', '6.60');
    const paid = await sandbox.pay({ provider: 'wechatpay', id: placed.outTradeNo, delivery: 'none' });
    assert.deepEqual(paid.deliveries, []);
    assert.equal(db.order(placed.outTradeNo).status, 'pending');
    clock += QUERY_AFTER_MS + 1000;
    assert.equal((await request(`${app.url}/api/orders/${placed.outTradeNo}`)).json().status, 'paid');
    assert.deepEqual(db.payments(placed.outTradeNo).map((p) => [p.source, p.amount_minor]), [['query', 660]]);
    assert.match(db.order(placed.outTradeNo).trade_no, /^42000\d{23}$/);
  });

  it('Alipay refunds in two parts, each notified (refunded total, out_biz_no); never more than was paid', TIMEOUT, async () => {
    const url = `${app.url}/api/orders/${late.outTradeNo}/refund`;
    assert.equal((await postJson(url, { amount: '1.00' })).status, 404, 'admin only');
    const first = await postJson(url, { amount: '5.00', reason: 'one coffee less' }, admin);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.json().status, first.json().amount], ['refunded', { minor: 500, currency: 'CNY' }]);
    assert.equal(db.order(late.outTradeNo).status, 'paid');
    assert.equal((await postJson(url, { amount: '15.00' }, admin)).status, 409, 'only 14.99 is left');
    const rest = await postJson(url, {}, admin);
    assert.deepEqual(rest.json().amount, { minor: 1499, currency: 'CNY' });
    await sandbox.idle();
    assert.deepEqual(db.refunds(late.outTradeNo).map((r) => [r.amount_minor, r.status]), [[500, 'refunded'], [1499, 'refunded']]);
    assert.equal(db.order(late.outTradeNo).status, 'refunded');
    // The refund notifications: the refund by its out_biz_no, the trade's refunded total so far.
    const refundEvents = db.notifications(late.outTradeNo).map((n) => JSON.parse(n.event)).filter((e) => e.kind === 'refund');
    assert.deepEqual(
      refundEvents.map((e) => [e.outRefundNo, e.amount, e.refundedTotal]),
      db.refunds(late.outTradeNo).map((r, i) => [r.out_refund_no, null, { minor: [500, 1999][i], currency: 'CNY' }]),
    );
    assert.equal((await postJson(url, {}, admin)).status, 409);
  });

  it('cancel and fail: Alipay TRADE_CLOSED notified → closed; WeChat Pay PAYERROR, not notified → the query says failed', TIMEOUT, async () => {
    const alipayOrder = await miniProgramOrder('alipay', '2.00');
    await sandbox.cancel({ provider: 'alipay', id: alipayOrder.outTradeNo });
    assert.equal(db.order(alipayOrder.outTradeNo).status, 'closed');
    assert.deepEqual(db.notifications(alipayOrder.outTradeNo).map((n) => n.outcome), ['applied']);

    const wechatOrder = await miniProgramOrder('wechat', '2.00');
    const failed = await sandbox.fail({ provider: 'wechatpay', id: wechatOrder.outTradeNo });
    assert.deepEqual([failed.clientResult.errMsg, failed.deliveries.length], ['requestPayment:fail', 0]);
    clock += QUERY_AFTER_MS + 1000;
    assert.equal((await request(`${app.url}/api/orders/${wechatOrder.outTradeNo}`)).json().status, 'failed');
    assert.equal(db.payments(wechatOrder.outTradeNo).length, 0);
  });

  let wxOrder;
  it("WeChat Pay mini program: wx.login, wx.requestPayment (paySign for the mini program), 'twice' → one payment", TIMEOUT, async () => {
    const placed = await miniProgramOrder('wechat', '19.99');
    assert.deepEqual([placed.provider, placed.launch.api, placed.launch.params.appId], ['wechatpay', 'wx.requestPayment', undefined]);
    const wx = sandbox.wechatpay.server;
    assert.equal(wx.requestPayment(placed.launch.params, { appId: config.miniProgram.appId }).errMsg, 'requestPayment:ok');
    assert.match(wx.requestPayment(placed.launch.params, { appId: config.officialAccount.appId }).errMsg, /appId does not match/);
    const paid = await sandbox.pay({ provider: 'wechatpay', id: placed.outTradeNo, delivery: 'twice' });
    assert.deepEqual(paid.deliveries.map((d) => d.status), [204, 204]);
    assert.equal(db.order(placed.outTradeNo).status, 'paid');
    assert.equal(db.payments(placed.outTradeNo).length, 1);
    assert.deepEqual(db.notifications(placed.outTradeNo).map((n) => n.outcome), ['applied']);
    wxOrder = placed;
  });

  it('WeChat H5: snsapi_base for the official account, WeixinJSBridge getBrandWCPayRequest, paid', TIMEOUT, async () => {
    const { cookie, buyerToken } = await h5Authorize('wechat');
    const placed = (await postJson(`${app.url}/h5/checkout`, { buyerToken, amount: '2.50' }, { cookie, accept: 'application/json' })).json();
    assert.equal(placed.launch.api, 'WeixinJSBridge.getBrandWCPayRequest');
    assert.equal(placed.launch.params.appId, config.officialAccount.appId);
    assert.equal(sandbox.wechatpay.server.requestPayment(placed.launch.params).errMsg, 'requestPayment:ok');
    await sandbox.pay({ provider: 'wechatpay', id: placed.outTradeNo });
    assert.deepEqual([db.order(placed.outTradeNo).status, db.order(placed.outTradeNo).client], ['paid', 'h5']);
    assert.equal(db.payments(placed.outTradeNo).length, 1);
  });

  it('refuses a forged WeChat Pay notification with 401 FAIL and changes nothing', TIMEOUT, async () => {
    const before = db.snapshot();
    const { sent } = (await sandbox.deliveries({ provider: 'wechatpay' })).at(-1);
    const res = await request(`${app.url}/notify/wechatpay`, {
      method: 'POST',
      headers: { ...sent.headers, 'content-type': 'application/json', 'wechatpay-signature': Buffer.alloc(256, 1).toString('base64') },
      body: sent.body,
    });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), { code: 'FAIL', message: '失败' });
    assert.deepEqual(db.snapshot(), before);
  });

  it('refunds a WeChat Pay order: PROCESSING, then REFUND.SUCCESS notified', TIMEOUT, async () => {
    const res = await postJson(`${app.url}/api/orders/${wxOrder.outTradeNo}/refund`, { reason: 'cold coffee' }, admin);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().status, 'pending');
    await sandbox.idle();
    assert.deepEqual(db.refunds(wxOrder.outTradeNo).map((r) => [r.amount_minor, r.status]), [[1999, 'refunded']]);
    assert.match(db.refunds(wxOrder.outTradeNo)[0].refund_id, /^50\d+$/);
    assert.equal(db.order(wxOrder.outTradeNo).status, 'refunded');
    assert.deepEqual(db.notifications(wxOrder.outTradeNo).map((n) => n.outcome), ['applied', 'applied'], 'the payment, then the refund');
  });

  it("UseePay (store HK01): HKD order, wx.requestPayment, 'twice' → one notification (its id: type:transaction:result); forged → fail; refund", TIMEOUT, async () => {
    const placed = await miniProgramOrder('wechat', '1.00', { store: 'HK01' });
    assert.deepEqual([placed.provider, placed.amount], ['useepay', { minor: 100, currency: 'HKD' }]);
    assert.equal(sandbox.useepay.server.requestPayment(placed.launch.params).errMsg, 'requestPayment:ok');
    const paid = await sandbox.pay({ provider: 'useepay', id: placed.outTradeNo, delivery: 'twice' });
    assert.deepEqual(paid.deliveries.map((d) => [d.status, d.replyBody]), [[200, 'OK'], [200, 'OK']]);
    assert.equal(db.order(placed.outTradeNo).status, 'paid');
    assert.equal(db.payments(placed.outTradeNo).length, 1);
    assert.deepEqual(db.notifications(placed.outTradeNo).map((n) => [n.notify_id, n.outcome]), [[`pay:${placed.outTradeNo}:succeed`, 'applied']]);

    const forged = paid.deliveries[0].sent.body.replace(/amount=100/, 'amount=1');
    const before = db.snapshot();
    const refused = await request(`${app.url}/notify/useepay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: forged });
    assert.deepEqual([refused.status, refused.text], [400, 'fail']);
    assert.deepEqual(db.snapshot(), before);

    const refund = await postJson(`${app.url}/api/orders/${placed.outTradeNo}/refund`, {}, admin);
    assert.equal(refund.status, 200, refund.text);
    await sandbox.idle();
    assert.deepEqual(db.refunds(placed.outTradeNo).map((r) => [r.amount_minor, r.currency, r.status]), [[100, 'HKD', 'refunded']]);
    assert.equal(db.order(placed.outTradeNo).status, 'refunded');
  });

  it("UseePay fail: the signed 'failed' notification → failed, nothing paid", TIMEOUT, async () => {
    const placed = await miniProgramOrder('wechat', '4.00', { store: 'HK01' });
    const failed = await sandbox.fail({ provider: 'useepay', id: placed.outTradeNo });
    assert.equal(failed.deliveries[0].replyBody, 'OK');
    assert.equal(db.order(placed.outTradeNo).status, 'failed');
    assert.deepEqual(db.notifications(placed.outTradeNo).map((n) => [n.notify_id, n.outcome]), [[`pay:${placed.outTradeNo}:failed`, 'applied']]);
    assert.equal(db.payments(placed.outTradeNo).length, 0);
  });

  it('moves a store to another WeChat acquirer: the same printed code pays through it; placed orders keep theirs', TIMEOUT, async () => {
    const put = (store, body, headers = admin) => request(`${app.url}/api/stores/${store}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const before = await miniProgramOrder('wechat', '1.50');
    assert.equal(before.provider, 'wechatpay');
    assert.equal((await put('STORE42', { wechat: 'useepay' }, {})).status, 404, 'admin only');
    assert.equal((await put('STORE42', { wechat: 'paypal' })).status, 400, 'an acquirer the app is not configured with');
    assert.equal((await put('NOPE', { wechat: 'useepay' })).status, 404, 'an unknown store');
    assert.equal((await put('STORE42', { wechat: 'useepay' })).status, 200);
    try {
      const after = await miniProgramOrder('wechat', '1.50');
      assert.deepEqual([after.provider, after.amount.currency], ['useepay', 'HKD']);
      // The order placed before is still WeChat Pay's: its payment is verified and recorded as such.
      await sandbox.pay({ provider: 'wechatpay', id: before.outTradeNo });
      assert.deepEqual([db.order(before.outTradeNo).provider, db.order(before.outTradeNo).status], ['wechatpay', 'paid']);
      await sandbox.pay({ provider: 'useepay', id: after.outTradeNo });
      assert.deepEqual([db.order(after.outTradeNo).provider, db.order(after.outTradeNo).status], ['useepay', 'paid']);
    } finally {
      assert.equal((await put('STORE42', { wechat: 'wechatpay' })).status, 200);
    }
    assert.equal((await miniProgramOrder('wechat', '1.50')).provider, 'wechatpay');
  });

  it('lists orders for the admin only', TIMEOUT, async () => {
    assert.equal((await request(`${app.url}/api/orders`)).status, 404);
    const list = (await request(`${app.url}/api/orders`, { headers: admin })).json();
    assert.equal(list.length, db.snapshot().orders.length);
  });
});
