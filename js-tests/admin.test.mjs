// The admin page (examples/admin/): served as static files with the repository's package, loaded in
// Chromium, it verifies a notification and a response from each provider with public material only
// (bare keys, Alipay and WeChat Pay certificates, PEM or bare base64), says why a tampered one fails
// (and names a probe, a wrong APIv3 key, a key it was not given), and makes no request besides its own files. The screenshot checked into
// examples/admin/ is regenerated into a temp dir, and its verdict text compared.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { CHROMIUM, CHROMIUM_ARGS, fixturesDir, makeRng, makeTempDir, removeDir, repoRoot, run, serveStatic } from './helpers.mjs';
import { encodeForm, nodeSign, notifyContent, signedResponse } from './alipay-helpers.mjs';
import { alnum, apiV3Key, mintCertificate, notification, publicKeyId, rsaPair, serialHex, signedHeaders } from './wechatpay-helpers.mjs';

const PAGE = 'examples/admin/index.html';
let server, browser, page, tmp;
const requests = [];
const consoleMessages = [];

before(async () => {
  tmp = makeTempDir('admin-page');
  server = await serveStatic({ root: repoRoot });
  const { chromium } = await import('playwright-core');
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
  page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => consoleMessages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleMessages.push(`pageerror: ${e.message}`));
  await page.goto(server.url + PAGE, { timeout: 30_000 });
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) removeDir(tmp);
});

/** Fills the form as a user would, presses Verify, and reads what the page shows. */
async function verifyInPage({ provider, kind = 'notification', message, headers = '', key, keyId = '', v3 = '' }) {
  await page.selectOption('#provider', provider);
  await page.selectOption('#kind', kind);
  await page.fill('#message', message);
  if (provider === 'wechatpay') {
    await page.fill('#headers', headers);
    await page.fill('#keyId', keyId);
    await page.fill('#apiV3Key', v3);
  }
  await page.fill('#key', key);
  await page.evaluate(() => { document.getElementById('result').hidden = true; });
  await page.click('#verify');
  await page.waitForFunction(() => !document.getElementById('result').hidden && !document.getElementById('verify').disabled, null, { timeout: 30_000 });
  return page.evaluate(() => ({
    verdict: document.getElementById('verdict').textContent,
    causes: [...document.querySelectorAll('#causes li')].map((li) => li.textContent),
    canonical: document.getElementById('canonical').textContent,
    event: document.getElementById('eventBox').hidden ? null : JSON.parse(document.getElementById('event').textContent),
  }));
}

function assertValid(shown, what) {
  assert.match(shown.verdict, /Valid signature/, `${what}: ${JSON.stringify(shown)}`);
  assert.doesNotMatch(shown.verdict, /Invalid/, what);
  assert.ok(shown.event, `${what}: an event`);
}
function assertInvalid(shown, cause, what) {
  assert.match(shown.verdict, /Invalid signature/, `${what}: ${JSON.stringify(shown)}`);
  assert.equal(shown.event, null, what);
  assert.ok(shown.causes.some((c) => cause.test(c)), `${what}: a cause matching ${cause}: ${JSON.stringify(shown.causes)}`);
}

// ---------------------------------------------------------------------------------------------
const alipayKeys = rsaPair();
const alipayPairs = [
  ['gmt_create', '2026-01-02 03:04:05'], ['charset', 'utf-8'], ['seller_email', 'shop@example.com'], ['subject', 'Order T1 + gift'],
  ['buyer_id', '2088102177846880'], ['invoice_amount', '0.01'], ['notify_id', '2026010200222030405012345678'], ['notify_type', 'trade_status_sync'],
  ['trade_status', 'TRADE_SUCCESS'], ['total_amount', '0.01'], ['app_id', '2021000122671080'], ['version', '1.0'],
  ['out_trade_no', 'T1'], ['trade_no', '2026010222001446880500000001'], ['notify_time', '2026-01-02 03:04:06'], ['sign_type', 'RSA2'],
];
const alipayBody = (pairs, hash = 'sha256', key = alipayKeys.privateKey) => encodeForm([...pairs, ['sign', nodeSign(notifyContent(pairs, 'payment'), key, hash)]]);

it('Alipay: a valid notification shows "Valid signature", the string verified and the event', { timeout: 60_000 }, async () => {
  const shown = await verifyInPage({ provider: 'alipay', message: alipayBody(alipayPairs), key: alipayKeys.spkiPem });
  assertValid(shown, 'alipay valid');
  assert.equal(shown.event.outTradeNo, 'T1');
  assert.equal(shown.event.paid, true);
  assert.ok(shown.canonical.includes(notifyContent(alipayPairs, 'payment').toString()), shown.canonical);
});

it('Alipay: tampered, wrong key, sign_type mismatch and a re-encoded body each name their cause', { timeout: 60_000 }, async () => {
  const valid = alipayBody(alipayPairs);
  const tampered = valid.replace('total_amount=0.01', 'total_amount=100.00');
  assertInvalid(await verifyInPage({ provider: 'alipay', message: tampered, key: alipayKeys.spkiPem }), /field changed after signing/, 'tampered');
  assertInvalid(await verifyInPage({ provider: 'alipay', message: valid, key: rsaPair().spkiPem }), /Wrong key/, 'wrong key');
  const sandbox = alipayPairs.map(([k, v]) => [k, k === 'seller_email' ? 'shop@sandbox.alipaydev.com' : v]);
  const sandboxShown = await verifyInPage({ provider: 'alipay', message: alipayBody(sandbox), key: rsaPair().spkiPem });
  assertInvalid(sandboxShown, /Sandbox vs production key: the message comes from the sandbox/, 'sandbox');
  assertInvalid(await verifyInPage({ provider: 'alipay', message: alipayBody(alipayPairs, 'sha1'), key: alipayKeys.spkiPem }), /sign_type mismatch/, 'sha1 under RSA2');
  // A framework decoded %2B ("+" in the subject) and wrote it back as "+": now a space.
  assert.ok(valid.includes('%2B'), valid);
  assertInvalid(await verifyInPage({ provider: 'alipay', message: valid.replaceAll('%2B', '+'), key: alipayKeys.spkiPem }), /re-encoded by a framework/, 're-encoded');
});

// ---------------------------------------------------------------------------------------------
const rng = makeRng('admin-page');
const wechatKeys = rsaPair();
const v3 = apiV3Key(rng);
const keyId = publicKeyId(rng);
const headerLines = (headers) => Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n');
const wechatNotification = () => notification(rng, {
  key: v3, signer: wechatKeys.privateKey, serial: keyId, timestamp: Math.floor(Date.now() / 1000),
  resource: { mchid: '1900000109', appid: 'wxd678efh567hg6787', out_trade_no: 'W1', transaction_id: '4200000000202601020000000001', trade_state: 'SUCCESS', amount: { total: 1, currency: 'CNY' } },
});

it('WeChat Pay: a valid notification (public key + id, APIv3 key) shows "Valid signature" and the decrypted event', { timeout: 60_000 }, async () => {
  const n = wechatNotification();
  const shown = await verifyInPage({ provider: 'wechatpay', message: n.body, headers: headerLines(n.headers), key: wechatKeys.spkiPem, keyId, v3 });
  assertValid(shown, 'wechat valid');
  assert.equal(shown.event.outTradeNo, 'W1');
  assert.equal(shown.event.paid, true);
  assert.ok(shown.canonical.startsWith(`${n.headers['Wechatpay-Timestamp']}\n${n.headers['Wechatpay-Nonce']}\n`), shown.canonical);
});

it('WeChat Pay: a tampered body and a wrong key are "Invalid signature" with their cause', { timeout: 60_000 }, async () => {
  const n = wechatNotification();
  const tampered = n.body.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESZ');
  assert.notEqual(tampered, n.body);
  assertInvalid(await verifyInPage({ provider: 'wechatpay', message: tampered, headers: headerLines(n.headers), key: wechatKeys.spkiPem, keyId, v3 }), /field changed after signing/, 'wechat tampered');
  assertInvalid(await verifyInPage({ provider: 'wechatpay', message: n.body, headers: headerLines(n.headers), key: rsaPair().spkiPem, keyId, v3 }), /Wrong key/, 'wechat wrong key');
  const old = { ...n.headers, 'Wechatpay-Timestamp': String(Number(n.headers['Wechatpay-Timestamp']) - 3600) };
  assertInvalid(await verifyInPage({ provider: 'wechatpay', message: n.body, headers: headerLines(old), key: wechatKeys.spkiPem, keyId, v3 }), /Clock/, 'wechat clock');
});

// ---------------------------------------------------------------------------------------------
const useepayDir = path.join(fixturesDir, 'useepay');
const useepayPublicKey = fs.readFileSync(path.join(useepayDir, 'test-useepay-public.pem'), 'utf8');
const useepayPrivateKey = crypto.createPrivateKey(fs.readFileSync(path.join(useepayDir, 'test-useepay-private.pem'), 'utf8'));
const useepayFields = { merchantNo: '500000000007362', transactionId: 'U1', transactionType: 'pay', amount: '1234', currency: 'HKD', resultCode: 'succeed', errorCode: '0000', errorMsg: 'Approved', reference: '1012110141504650869', signType: 'RSA', version: '1.0' };
const useepayBody = (fields) => {
  const content = Object.entries(fields).filter(([, v]) => v.trim() !== '').sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
  return encodeForm({ ...fields, sign: crypto.sign('sha256', Buffer.from(content), useepayPrivateKey).toString('base64') });
};

it('UseePay: a valid RSA notification shows "Valid signature" and the event; a tampered one "Invalid signature" and why', { timeout: 60_000 }, async () => {
  const valid = useepayBody(useepayFields);
  const shown = await verifyInPage({ provider: 'useepay', message: valid, key: useepayPublicKey });
  assertValid(shown, 'useepay valid');
  assert.equal(shown.event.paid, true);
  assert.equal(shown.event.transactionId, 'U1');
  assertInvalid(await verifyInPage({ provider: 'useepay', message: valid.replace('amount=1234', 'amount=1235'), key: useepayPublicKey }), /field changed after signing/, 'useepay tampered');
  const merchantPublic = fs.readFileSync(path.join(useepayDir, 'test-merchant-public.pem'), 'utf8');
  assertInvalid(await verifyInPage({ provider: 'useepay', message: valid, key: merchantPublic }), /Wrong key/, 'useepay wrong key');
});

// ---------------------------------------------------------------------------------------------
// Responses (kind "response"), certificates instead of bare keys, and the causes the page names for
// a probe, a wrong APIv3 key and a key the page was not given. Fixtures by node:crypto and openssl.

const queryNode = JSON.stringify({ code: '10000', msg: 'Success', trade_no: '2026010222001446880500000001', out_trade_no: 'T1', buyer_logon_id: 'buy***@example.com', trade_status: 'TRADE_SUCCESS', total_amount: '0.01', send_pay_date: '2026-01-02 03:04:06' });

it('Alipay response: a signed alipay.trade.query response is "Valid signature"; tampered, "Invalid signature" and why', { timeout: 60_000 }, async () => {
  const valid = signedResponse('alipay.trade.query', queryNode, alipayKeys.privateKey);
  const shown = await verifyInPage({ provider: 'alipay', kind: 'response', message: valid, key: alipayKeys.spkiPem });
  assertValid(shown, 'alipay response');
  assert.match(JSON.stringify(shown.event), /"T1"/, JSON.stringify(shown.event));
  assert.ok(shown.canonical.includes(queryNode), shown.canonical);
  const tampered = valid.replace('"total_amount":"0.01"', '"total_amount":"100.00"');
  assert.notEqual(tampered, valid);
  assertInvalid(await verifyInPage({ provider: 'alipay', kind: 'response', message: tampered, key: alipayKeys.spkiPem }), /field changed after signing/, 'alipay response tampered');
  assertInvalid(await verifyInPage({ provider: 'alipay', kind: 'response', message: valid, key: rsaPair().spkiPem }), /Wrong key/, 'alipay response wrong key');
});

/** An Alipay public-key certificate over `pair`, minted by openssl (self-signed), and its SN: md5(issuer RFC 2253 + decimal serial). */
async function alipayCertificate(pair) {
  const label = crypto.randomBytes(6).toString('hex');
  const keyFile = path.join(tmp, `${label}.key`);
  const certFile = path.join(tmp, `${label}.crt`);
  fs.writeFileSync(keyFile, pair.pkcs8Pem);
  const openssl = (...args) => run('openssl', args, { timeout: 30_000 });
  await openssl('req', '-x509', '-new', '-utf8', '-key', keyFile, '-subj', '/C=CN/O=Ant Test/OU=Alipay/CN=Ant Test Alipay Public Key Cert', '-set_serial', String(crypto.randomInt(1, 2 ** 47)), '-days', '30', '-out', certFile);
  const issuerLine = (await openssl('x509', '-in', certFile, '-noout', '-issuer', '-nameopt', 'RFC2253,-esc_msb,-dn_rev')).stdout.trim();
  const serial = (await openssl('x509', '-in', certFile, '-noout', '-serial')).stdout.trim().slice('serial='.length);
  const issuer = issuerLine.slice('issuer='.length).split(',').reverse().join(',');
  const pem = fs.readFileSync(certFile, 'utf8');
  fs.rmSync(keyFile);
  assert.ok(new crypto.X509Certificate(pem).publicKey.equals(pair.publicKey), 'the certificate holds the key');
  return { pem, sn: crypto.createHash('md5').update(issuer + BigInt(`0x${serial}`).toString(10), 'utf8').digest('hex') };
}

it('Alipay certificate mode: a pasted alipayCertPublicKey_RSA2.crt verifies a notification and a response; an unknown cert SN names its cause', { timeout: 60_000 }, async () => {
  const cert = await alipayCertificate(alipayKeys);
  assertValid(await verifyInPage({ provider: 'alipay', message: alipayBody(alipayPairs), key: cert.pem }), 'alipay notification, certificate');
  const response = signedResponse('alipay.trade.query', queryNode, alipayKeys.privateKey, { certSn: cert.sn });
  assertValid(await verifyInPage({ provider: 'alipay', kind: 'response', message: response, key: cert.pem }), 'alipay response, certificate');
  // Bare base64 (no PEM armour): the certificate is still read as a certificate, and a bare key as a key.
  const bare = (pem) => pem.replace(/-----[A-Z ]+-----|\s+/g, '');
  assertValid(await verifyInPage({ provider: 'alipay', kind: 'response', message: response, key: bare(cert.pem) }), 'alipay response, bare base64 certificate');
  assertValid(await verifyInPage({ provider: 'alipay', message: alipayBody(alipayPairs), key: bare(alipayKeys.spkiPem) }), 'alipay notification, bare base64 key');
  const other = await alipayCertificate(rsaPair());
  assertInvalid(await verifyInPage({ provider: 'alipay', message: alipayBody(alipayPairs), key: other.pem }), /Wrong key/, 'alipay notification, another certificate');
  // The response names a certificate (rotated) that was not pasted.
  const rotated = signedResponse('alipay.trade.query', queryNode, alipayKeys.privateKey, { certSn: other.sn });
  const shown = await verifyInPage({ provider: 'alipay', kind: 'response', message: rotated, key: cert.pem });
  assertInvalid(shown, /Key not given: the message names the key/, 'alipay response, unknown cert SN');
  assert.match(shown.verdict, /ERR_CERT_SN_MISMATCH/, shown.verdict);
});

it('WeChat Pay response: a signed reply with its headers is "Valid signature"; tampered, "Invalid signature" and why', { timeout: 60_000 }, async () => {
  const body = JSON.stringify({ mchid: '1900000109', appid: 'wxd678efh567hg6787', out_trade_no: 'W1', transaction_id: '4200000000202601020000000001', trade_state: 'SUCCESS', amount: { total: 1, currency: 'CNY' } });
  const headers = signedHeaders(wechatKeys.privateKey, keyId, Math.floor(Date.now() / 1000), alnum(rng, 32), body);
  const shown = await verifyInPage({ provider: 'wechatpay', kind: 'response', message: body, headers: headerLines(headers), key: wechatKeys.spkiPem, keyId });
  assertValid(shown, 'wechat response');
  assert.match(JSON.stringify(shown.event), /W1/, JSON.stringify(shown.event));
  assert.ok(shown.canonical.startsWith(`${headers['Wechatpay-Timestamp']}\n${headers['Wechatpay-Nonce']}\n${body}`), shown.canonical);
  const tampered = body.replace('"total":1', '"total":2');
  assertInvalid(await verifyInPage({ provider: 'wechatpay', kind: 'response', message: tampered, headers: headerLines(headers), key: wechatKeys.spkiPem, keyId }), /field changed after signing/, 'wechat response tampered');
});

it('WeChat Pay platform certificate: a notification verifies; one signed under a serial not given names the "Key not given" cause', { timeout: 60_000 }, async () => {
  const serial = serialHex();
  const cert = await mintCertificate(tmp, wechatKeys, serial);
  const signed = (s) => notification(rng, {
    key: v3, signer: wechatKeys.privateKey, serial: s, timestamp: Math.floor(Date.now() / 1000),
    resource: { mchid: '1900000109', appid: 'wxd678efh567hg6787', out_trade_no: 'W2', transaction_id: '4200000000202601020000000002', trade_state: 'SUCCESS', amount: { total: 2, currency: 'CNY' } },
  });
  const n = signed(serial);
  const shown = await verifyInPage({ provider: 'wechatpay', message: n.body, headers: headerLines(n.headers), key: cert, v3 });
  assertValid(shown, 'wechat notification, platform certificate');
  assert.equal(shown.event.outTradeNo, 'W2');
  // The same certificate as bare base64 (no PEM armour), as the placeholder allows: still a certificate.
  const bare = cert.replace(/-----[A-Z ]+-----|\s+/g, '');
  assertValid(await verifyInPage({ provider: 'wechatpay', message: n.body, headers: headerLines(n.headers), key: bare, v3 }), `wechat notification, bare base64 certificate (${bare.length} characters)`);
  // WeChat Pay rotated its certificate: the notification names a serial the page was not given.
  const unknown = serialHex();
  const rotated = signed(unknown);
  const mismatch = await verifyInPage({ provider: 'wechatpay', message: rotated.body, headers: headerLines(rotated.headers), key: cert, v3 });
  assertInvalid(mismatch, /Key not given: the message names the key/, 'wechat unknown serial');
  assert.match(mismatch.verdict, /ERR_CERT_SN_MISMATCH/, mismatch.verdict);
  assert.ok(mismatch.causes.some((c) => c.includes(unknown)), `the cause names ${unknown}: ${JSON.stringify(mismatch.causes)}`);
  // Public-key mode: the key id typed is not the one Wechatpay-Serial names.
  const w = wechatNotification();
  const otherId = publicKeyId(rng);
  const byId = await verifyInPage({ provider: 'wechatpay', message: w.body, headers: headerLines(w.headers), key: wechatKeys.spkiPem, keyId: otherId, v3 });
  assertInvalid(byId, /Key not given: the message names the key PUB_KEY_ID_/, 'wechat public key id not given');
  assert.match(byId.verdict, /ERR_CERT_SN_MISMATCH/, byId.verdict);
});

it('WeChat Pay: a probe signature (WECHATPAY/SIGNTEST/…) and a wrong APIv3 key name their causes', { timeout: 60_000 }, async () => {
  const n = wechatNotification();
  const probe = { ...n.headers, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${crypto.randomBytes(192).toString('base64')}` };
  const probed = await verifyInPage({ provider: 'wechatpay', message: n.body, headers: headerLines(probe), key: wechatKeys.spkiPem, keyId, v3 });
  assertInvalid(probed, /Probe: this is a WeChat Pay probe signature/, 'wechat probe');
  assert.match(probed.verdict, /ERR_SIGNATURE_PROBE/, probed.verdict);
  const wrongV3 = await verifyInPage({ provider: 'wechatpay', message: n.body, headers: headerLines(n.headers), key: wechatKeys.spkiPem, keyId, v3: apiV3Key(rng) });
  assert.match(wrongV3.verdict, /Valid signature, but the resource did not decrypt/, JSON.stringify(wrongV3));
  assert.match(wrongV3.verdict, /ERR_DECRYPT_FAILED/, wrongV3.verdict);
  assert.equal(wrongV3.event, null);
  assert.ok(wrongV3.causes.some((c) => /Wrong APIv3 key/.test(c)), JSON.stringify(wrongV3.causes));
});

it('UseePay response: a signed JSON response is "Valid signature"; tampered, "Invalid signature" and why', { timeout: 60_000 }, async () => {
  const fields = { ...useepayFields, transactionId: 'U2', transactionType: 'query' };
  const content = Object.entries(fields).filter(([, v]) => v.trim() !== '').sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
  const valid = JSON.stringify({ ...fields, sign: crypto.sign('sha256', Buffer.from(content), useepayPrivateKey).toString('base64') });
  const shown = await verifyInPage({ provider: 'useepay', kind: 'response', message: valid, key: useepayPublicKey });
  assertValid(shown, 'useepay response');
  assert.match(JSON.stringify(shown.event), /U2/, JSON.stringify(shown.event));
  assert.ok(shown.canonical.includes(content), shown.canonical);
  assertInvalid(await verifyInPage({ provider: 'useepay', kind: 'response', message: valid.replace('"amount":"1234"', '"amount":"1235"'), key: useepayPublicKey }), /field changed after signing/, 'useepay response tampered');
});

// ---------------------------------------------------------------------------------------------
it('the screenshot: regenerated, and the checked-in one shows the same verdict; no request left the page', { timeout: 60_000 }, async () => {
  const shown = await verifyInPage({ provider: 'alipay', message: alipayBody(alipayPairs).replace('total_amount=0.01', 'total_amount=100.00'), key: alipayKeys.spkiPem });
  const fresh = path.join(tmp, 'screenshot.png');
  await page.screenshot({ path: fresh, fullPage: true });
  assert.ok(fs.statSync(fresh).size > 10_000, 'a screenshot');
  if (process.env.AGGPAY_UPDATE_SCREENSHOT) fs.copyFileSync(fresh, path.join(repoRoot, 'examples/admin/screenshot.png'));
  const checkedIn = path.join(repoRoot, 'examples/admin/screenshot.png');
  assert.ok(fs.existsSync(checkedIn), 'examples/admin/screenshot.png is checked in (AGGPAY_UPDATE_SCREENSHOT=1 writes it)');
  // Text, not pixels: screenshot.json records the verdict the checked-in image shows; the page must
  // show the same verdict for the same case now (AGGPAY_UPDATE_SCREENSHOT=1 rewrites both).
  if (process.env.AGGPAY_UPDATE_SCREENSHOT) fs.writeFileSync(path.join(repoRoot, 'examples/admin/screenshot.json'), JSON.stringify({ verdict: shown.verdict, causes: shown.causes }, null, 2) + '\n');
  const recorded = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples/admin/screenshot.json'), 'utf8'));
  assert.equal(shown.verdict, recorded.verdict, 'the verdict in the checked-in screenshot');
  assert.match(shown.verdict, /Invalid signature/);

  const own = new URL(server.url);
  const foreign = requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== own.origin);
  assert.deepEqual(foreign, [], 'no request outside the page\'s own server');
  const paths = [...new Set(requests.filter((u) => !u.startsWith('data:')).map((u) => new URL(u).pathname))].sort();
  assert.deepEqual(paths.filter((p) => !p.startsWith('/examples/admin/') && !p.startsWith('/pkg/')), [], `only the page and the package: ${paths}`);
  assert.ok(paths.includes('/pkg/web/aggpay_bg.wasm'), paths.join(', '));
  assert.deepEqual(server.served.filter((s) => s.status !== 200), [], 'no missing files');
  assert.deepEqual(consoleMessages.filter((m) => /error|warn/i.test(m)), [], 'no console errors');
});
