// The Alipay emulation of aggpay/sandbox beyond v2 in public-key mode, driven by aggpay clients as a merchant's
// suite would: OpenAPI v3 (buildV3Request → send → verifyV3Response) sharing trades with v2, refusals of bad v3
// signatures; certificate mode (the SNs and the chain checked here with openssl, independently of both the
// sandbox and aggpay), v2 and v3 in it, wrong SNs refused; Alipay's certificate rotated, picked up by the merchant
// with alipay.open.app.alipaycert.download. Everything on 127.0.0.1, every call bounded.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AggpayError, Alipay, send } from 'aggpay';
import { generateMerchantKeys, startSandbox, startServer } from 'aggpay/sandbox';
import { caught, fixturesDir, makeTempDir, pemBlocks, removeDir, run, startSandboxCommand } from './helpers.mjs';

const SEND = { timeoutMs: 10_000 };
const TEST = { timeout: 60_000 };
const rsaPrivatePem = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
let seq = 0;
const newId = (prefix) => `${prefix}${Date.now()}${++seq}`;
const yuan = (minor) => ({ minor, currency: 'CNY' });

/**
 * A merchant's notify endpoint: each path verifies with its client (`clients[path]`), records what arrived, and
 * answers `success`, or `fail` when the notification does not verify.
 */
const clients = {};
const received = [];
let notify;
const toFree = [];
before(async () => {
  notify = await startServer((req, body) => {
    const entry = { path: req.url, body: Buffer.from(body ?? '').toString('utf8') };
    received.push(entry);
    try {
      entry.event = clients[req.url].verifyNotify(body ?? '').event;
      return { status: 200, body: 'success' };
    } catch (error) {
      entry.error = error;
      return { status: 200, body: 'fail' };
    }
  });
});
after(async () => {
  await notify?.close();
  for (const c of toFree) c.free?.();
});
const since = (n, p) => received.slice(n).filter((r) => r.path === p);

/** Sends a v3 request and verifies the reply with the same client; returns `{ res, value }` or `{ res, error }`. */
async function v3(client, path, body, extra = {}) {
  const res = await send(client.buildV3Request({ method: 'POST', path, body, ...extra }), SEND);
  try {
    return { res, value: client.verifyV3Response(res) };
  } catch (error) {
    return { res, error };
  }
}

/** The reply's v3 signature, checked with node:crypto alone against `publicKeyPem`. */
function v3SignedBy(res, publicKeyPem) {
  const h = res.headers;
  const message = `${h['alipay-timestamp']}\n${h['alipay-nonce']}\n${res.body}\n`;
  return crypto.verify('sha256', Buffer.from(message), publicKeyPem, Buffer.from(h['alipay-signature'] ?? '', 'base64'));
}

describe('OpenAPI v3 (public-key mode)', () => {
  let keys, sandbox, alipay;
  before(async () => {
    keys = await generateMerchantKeys();
    sandbox = await startSandbox({ providers: ['alipay'], alipay: { appId: keys.alipay.appId, appPublicKeyPem: keys.alipay.publicKeyPem } });
    alipay = new Alipay({ ...sandbox.alipay.clientConfig, privateKey: keys.alipay.privateKeyPem, notifyUrl: `${notify.url}/pk` });
    clients['/pk'] = alipay;
    toFree.push(alipay);
  });
  after(() => sandbox?.close());

  it('oauth token, trade create, v3 and v2 queries, pay → a notification, refund, close: one trade store', TEST, async () => {
    assert.equal(sandbox.alipay.endpoint, new URL(sandbox.alipay.gateway).origin, 'v3 on the gateway host');
    const token = await v3(alipay, '/v3/alipay/system/oauth/token', { grant_type: 'authorization_code', code: `auth${Date.now()}` });
    assert.ifError(token.error);
    assert.match(token.value.open_id, /^0/);
    assert.ok(v3SignedBy(token.res, sandbox.alipay.alipayPublicKeyPem), 'node:crypto verifies the reply too');
    assert.equal(token.res.headers['alipay-sn'], undefined, 'no certificate SN in public-key mode');

    const id = newId('V');
    const created = await v3(alipay, '/v3/alipay/trade/create', {
      out_trade_no: id, total_amount: '9.99', subject: 'Tea', product_code: 'JSAPI_PAY', buyer_open_id: token.value.open_id, notify_url: `${notify.url}/pk`,
    });
    assert.ifError(created.error);
    assert.equal(created.value.out_trade_no, id);
    const v3Query = await v3(alipay, '/v3/alipay/trade/query', { out_trade_no: id });
    assert.deepEqual([v3Query.value.trade_status, v3Query.value.trade_no, v3Query.value.buyer_open_id], ['WAIT_BUYER_PAY', created.value.trade_no, token.value.open_id]);

    const n = received.length;
    const paid = await sandbox.pay({ provider: 'alipay', id });
    assert.deepEqual([paid.status, paid.providerId, paid.deliveries.map((d) => d.replyBody)], ['TRADE_SUCCESS', created.value.trade_no, ['success']]);
    const [{ event, error }] = since(n, '/pk');
    assert.ifError(error);
    assert.deepEqual([event.paid, event.outTradeNo, event.amount.minor], [true, id, 999]);
    const v2Query = alipay.parseResponse('alipay.trade.query', (await send(alipay.buildTradeQuery({ out_trade_no: id }), SEND)).body);
    assert.equal(v2Query.trade_status, 'TRADE_SUCCESS', 'the v3 trade, paid, seen over v2');

    const refund = await v3(alipay, '/v3/alipay/trade/refund', { out_trade_no: id, refund_amount: '1.00', out_request_no: `R${id}` });
    assert.deepEqual([refund.value.fund_change, refund.value.refund_fee], ['Y', '1.00']);
    await sandbox.idle();
    assert.equal(since(n, '/pk').at(-1).event.params.refund_fee, '1.00', 'the refund is notified like a v2 one');
    const refundQuery = await v3(alipay, '/v3/alipay/trade/fastpay/refund/query', { out_trade_no: id, out_request_no: `R${id}` });
    assert.equal(refundQuery.value.refund_status, 'REFUND_SUCCESS');

    const other = newId('V');
    const v2Create = alipay.buildTradeCreate({ out_trade_no: other, total_amount: yuan(100), subject: 'Tea', buyer_open_id: token.value.open_id });
    alipay.parseResponse('alipay.trade.create', (await send(v2Create, SEND)).body);
    const closed = await v3(alipay, '/v3/alipay/trade/close', { out_trade_no: other });
    assert.ifError(closed.error, 'a v2 trade closed over v3');
    assert.equal((await sandbox.trade({ provider: 'alipay', id: other })).status, 'TRADE_CLOSED');
  });

  it('business failures are signed 4xx { code, message }: ERR_PROVIDER_BUSINESS', TEST, async () => {
    const { res, error } = await v3(alipay, '/v3/alipay/trade/query', { out_trade_no: 'NOPE1' });
    assert.equal(res.status, 400);
    assert.ok(v3SignedBy(res, sandbox.alipay.alipayPublicKeyPem));
    assert.deepEqual([error.code, error.providerCode, error.providerMessage], ['ERR_PROVIDER_BUSINESS', 'ACQ.TRADE_NOT_EXIST', '交易不存在']);
    const used = await v3(alipay, '/v3/alipay/system/oauth/token', { grant_type: 'authorization_code', code: 'once' });
    assert.ifError(used.error);
    const again = await v3(alipay, '/v3/alipay/system/oauth/token', { grant_type: 'authorization_code', code: 'once' });
    assert.deepEqual([again.res.status, again.error.providerCode], [400, 'isv.code-invalid']);
  });

  it('a wrong key, a wrong app id, a tampered body or token: 401, unsigned, ERR_PROVIDER_REJECTED', TEST, async () => {
    const wrongKey = new Alipay({ ...sandbox.alipay.clientConfig, privateKey: rsaPrivatePem() });
    const wrongApp = new Alipay({ ...sandbox.alipay.clientConfig, appId: '2021000000000001', privateKey: keys.alipay.privateKeyPem });
    toFree.push(wrongKey, wrongApp);
    for (const [client, code] of [[wrongKey, 'invalid-signature'], [wrongApp, 'invalid-app-id']]) {
      const { res, error } = await v3(client, '/v3/alipay/trade/query', { out_trade_no: 'X1' });
      assert.equal(res.status, 401);
      assert.equal(res.headers['alipay-signature'], undefined, 'a refusal is unsigned');
      assert.equal(JSON.parse(res.body).code, code);
      assert.ok(error instanceof AggpayError);
      assert.deepEqual([error.code, error.providerCode], ['ERR_PROVIDER_REJECTED', code]);
    }
    // Signed by the right key, then changed on the way: the body, or the app auth token the signature covers.
    const request = alipay.buildV3Request({ path: '/v3/alipay/trade/query', body: { out_trade_no: 'X1' }, appAuthToken: '202612BB_token' });
    const ok = await send(request, SEND);
    assert.equal(ok.status, 400, 'the token is part of what was signed: accepted (and the trade does not exist)');
    for (const tampered of [{ ...request, body: '{"out_trade_no":"X2"}' }, { ...request, headers: { ...request.headers, 'alipay-app-auth-token': '202612BB_other' } }]) {
      const res = await send(tampered, SEND);
      assert.deepEqual([res.status, JSON.parse(res.body).code], [401, 'invalid-signature']);
    }
    const stale = await send(alipay.buildV3Request({ path: '/v3/alipay/trade/query', body: {}, timestamp: Date.now() - 20 * 60_000 }), SEND);
    assert.deepEqual([stale.status, JSON.parse(stale.body).code], [401, 'invalid-timestamp']);
  });
});

// ---------------------------------------------------------------------------------------------
// Certificate mode.

const openssl = (args, input) => run('openssl', args, { timeout: 30_000, input });
const md5hex = (s) => crypto.createHash('md5').update(s, 'utf8').digest('hex');
const pemOf = (der) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;
const certsIn = (text) => pemBlocks(text).filter((b) => b.label === 'CERTIFICATE').map((b) => pemOf(b.der));

/** Alipay's SN of one certificate, from openssl's reading: issuer in RFC 2253 order + the serial in decimal. */
async function snOf(certPem) {
  const out = (await openssl(['x509', '-noout', '-issuer', '-serial', '-nameopt', 'RFC2253'], certPem)).stdout;
  const issuer = /^issuer=(.*)$/m.exec(out)[1];
  const serial = /^serial=([0-9A-F]+)$/m.exec(out)[1];
  return md5hex(issuer + BigInt(`0x${serial}`).toString(10));
}
/** The root file's SN: the SNs of its RSA-signed certificates joined with `_`. */
async function rootSnOf(rootPem) {
  const sns = [];
  for (const cert of certsIn(rootPem)) {
    const text = (await openssl(['x509', '-noout', '-text'], cert)).stdout;
    if (/Signature Algorithm: sha\d+WithRSAEncryption/.test(text)) sns.push(await snOf(cert));
  }
  return sns.join('_');
}

describe('certificate mode', () => {
  let keys, sandbox, alipay, dir;
  before(async () => {
    keys = await generateMerchantKeys();
    dir = makeTempDir('sandbox-alipay-cert');
    sandbox = await startSandbox({ providers: ['alipay'], alipay: { appId: keys.alipay.appId, appPublicKeyPem: keys.alipay.publicKeyPem, certMode: true } });
    alipay = new Alipay({ ...sandbox.alipay.clientConfig, privateKey: keys.alipay.privateKeyPem, notifyUrl: `${notify.url}/cert` });
    clients['/cert'] = alipay;
    toFree.push(alipay);
  });
  after(async () => {
    await sandbox?.close();
    removeDir(dir);
  });

  it('the files and SNs: as openssl reads them; the chain verifies; the app certificate is of the merchant key', TEST, async () => {
    const a = sandbox.alipay;
    assert.equal(a.certMode, true);
    assert.equal(a.clientConfig.alipayPublicKey, undefined, 'no public key in a certificate-mode config');
    assert.equal(a.alipayCertSn, await snOf(a.alipayCertPem));
    assert.equal(a.appCertSn, await snOf(a.appCertPem));
    assert.equal(a.alipayRootCertSn, await rootSnOf(a.alipayRootCertPem));
    assert.equal(certsIn(a.alipayRootCertPem).length, 3);
    assert.match(a.alipayRootCertSn, /^[0-9a-f]{32}_[0-9a-f]{32}$/, 'two RSA roots joined; the ECDSA one left out');
    const [leaf, intermediate] = certsIn(a.alipayCertPem);
    fs.writeFileSync(path.join(dir, 'roots.pem'), a.alipayRootCertPem);
    fs.writeFileSync(path.join(dir, 'int.pem'), intermediate);
    for (const cert of [leaf, a.appCertPem]) {
      fs.writeFileSync(path.join(dir, 'leaf.pem'), cert);
      await openssl(['verify', '-CAfile', path.join(dir, 'roots.pem'), '-untrusted', path.join(dir, 'int.pem'), path.join(dir, 'leaf.pem')]);
    }
    assert.ok(new crypto.X509Certificate(a.appCertPem).publicKey.equals(crypto.createPublicKey(keys.alipay.publicKeyPem)));
    assert.ok(new crypto.X509Certificate(leaf).publicKey.equals(crypto.createPublicKey(a.alipayPublicKeyPem)));
    assert.deepEqual(alipay.alipayCertSns, [a.alipayCertSn], 'aggpay computes the same SN');
    const described = sandbox.describe().alipay;
    assert.deepEqual([described.alipayCertSn, described.appCertSn, described.alipayRootCertSn], [a.alipayCertSn, a.appCertSn, a.alipayRootCertSn]);
    assert.ok(!JSON.stringify(described).includes('PRIVATE KEY'));
  });

  it('v2: create, pay, the notification verified by a certificate-mode client; responses name alipay_cert_sn', TEST, async () => {
    const id = newId('C');
    const raw = (await send(alipay.buildTradePrecreate({ out_trade_no: id, total_amount: yuan(250), subject: 'Tea' }), SEND)).body;
    assert.equal(JSON.parse(raw).alipay_cert_sn, sandbox.alipay.alipayCertSn);
    assert.equal(alipay.parseResponse('alipay.trade.precreate', raw).out_trade_no, id);
    const n = received.length;
    const paid = await sandbox.pay({ provider: 'alipay', id, delivery: 'twice' });
    assert.deepEqual(paid.deliveries.map((d) => [d.replyBody, d.accepted]), [['success', true], ['success', true]]);
    for (const { event, error } of since(n, '/cert')) {
      assert.ifError(error);
      assert.deepEqual([event.paid, event.outTradeNo, event.amount.minor], [true, id, 250]);
    }
    const q = await v3(alipay, '/v3/alipay/trade/query', { out_trade_no: id });
    assert.ifError(q.error);
    assert.equal(q.res.headers['alipay-sn'], sandbox.alipay.alipayCertSn, 'v3 replies name the certificate');
    assert.equal(q.value.trade_status, 'TRADE_SUCCESS');
  });

  it('a wrong app_cert_sn or alipay_root_cert_sn, or none: refused unsigned (v2 40002/40001, v3 401)', TEST, async () => {
    const fixture = (f) => fs.readFileSync(path.join(fixturesDir, 'alipay', 'sdk-nodejs', f), 'utf8');
    const base = { ...sandbox.alipay.clientConfig, privateKey: keys.alipay.privateKeyPem };
    const cases = [
      [{ ...base, appCert: fixture('appCertPublicKey_2021001161683774.crt') }, 'isv.invalid-app-cert-sn', 'invalid-app-cert-sn'],
      [{ ...base, alipayRootCert: `${fixture('alipayRootCert.crt').trim()}\n${sandbox.alipay.alipayRootCertPem}` }, 'isv.invalid-alipay-root-cert-sn', 'invalid-alipay-root-cert-sn'],
      [{ appId: base.appId, gateway: base.gateway, privateKey: base.privateKey, alipayPublicKey: sandbox.alipay.alipayPublicKeyPem }, 'isv.missing-app-cert-sn', 'invalid-app-cert-sn'],
    ];
    for (const [config, subCode, v3Code] of cases) {
      const client = new Alipay(config);
      toFree.push(client);
      const raw = (await send(client.buildTradeQuery({ out_trade_no: 'X1' }), SEND)).body;
      assert.equal(JSON.parse(raw).sign, undefined, `${subCode}: unsigned`);
      const e = caught(() => client.parseResponse('alipay.trade.query', raw));
      assert.deepEqual([e.code, e.subCode], ['ERR_PROVIDER_REJECTED', subCode]);
      const { res, error } = await v3(client, '/v3/alipay/trade/query', { out_trade_no: 'X1' });
      assert.deepEqual([res.status, JSON.parse(res.body).code, error.code], [401, v3Code, 'ERR_PROVIDER_REJECTED']);
    }
  });

  it('rotation: the new certificate signs; ERR_CERT_SN_MISMATCH, download, add; then everything verifies', TEST, async () => {
    const id = newId('R');
    alipay.parseResponse('alipay.trade.precreate', (await send(alipay.buildTradePrecreate({ out_trade_no: id, total_amount: yuan(100), subject: 'Tea' }), SEND)).body);
    const before = sandbox.alipay.alipayCertSn;
    const beforePem = sandbox.alipay.alipayCertPem;
    const rotated = await sandbox.rotateCertificate({ provider: 'alipay' });
    assert.deepEqual([rotated.provider, rotated.previousSerial], ['alipay', before]);
    assert.notEqual(rotated.serial, before);
    assert.equal(sandbox.alipay.alipayCertSn, rotated.serial);
    assert.equal(rotated.serial, await snOf(rotated.pem), 'the new SN as openssl reads it');
    assert.equal(new crypto.X509Certificate(rotated.pem).subject, new crypto.X509Certificate(beforePem).subject, 'Alipay keeps its subject');
    assert.equal(sandbox.alipay.clientConfig.alipayCert, rotated.pem, 'a client configured from now on gets the new one');

    // The buyer pays: the notification is signed by the new key, which the merchant does not have yet. A
    // notification names no certificate, so it just does not verify; Alipay would retry.
    const n = received.length;
    const paid = await sandbox.pay({ provider: 'alipay', id });
    assert.deepEqual([paid.deliveries[0].replyBody, paid.deliveries[0].accepted], ['fail', false]);
    const [{ error: notifyError }] = since(n, '/cert');
    assert.equal(notifyError?.code, 'ERR_SIGNATURE_INVALID');
    const { sent } = paid.deliveries[0];
    const params = new URLSearchParams(sent.body);
    const content = [...params].filter(([k]) => k !== 'sign' && k !== 'sign_type').sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map(([k, v]) => `${k}=${v}`).join('&');
    assert.ok(crypto.verify('sha256', Buffer.from(content), new crypto.X509Certificate(rotated.pem).publicKey, Buffer.from(params.get('sign'), 'base64')), 'node:crypto: signed by the new certificate');

    // The next response names the new SN: the merchant downloads the certificate, aggpay checks it and adds it.
    const raw = (await send(alipay.buildTradeQuery({ out_trade_no: id }), SEND)).body;
    const mismatch = caught(() => alipay.parseResponse('alipay.trade.query', raw));
    assert.equal(mismatch.code, 'ERR_CERT_SN_MISMATCH');
    const { alipay_cert_sn } = JSON.parse(raw);
    assert.equal(alipay_cert_sn, rotated.serial);
    const reply = await send(alipay.buildAlipayCertDownload({ alipay_cert_sn }), SEND);
    assert.equal(Buffer.from(JSON.parse(reply.body.replaceAll('\\/', '/')).alipay_open_app_alipaycert_download_response.alipay_cert_content, 'base64').toString(), rotated.pem);
    const added = alipay.addAlipayCertFromDownload(reply.body, { alipayCertSn: alipay_cert_sn });
    assert.equal(added.alipayCertSn, rotated.serial);
    assert.deepEqual(alipay.alipayCertSns, [rotated.serial, before]);
    assert.equal(alipay.parseResponse('alipay.trade.query', raw).trade_status, 'TRADE_SUCCESS');
    assert.deepEqual([alipay.verifyNotify(sent.body).event.paid, alipay.verifyNotify(sent.body).event.outTradeNo], [true, id], 'the notification verifies now');
    const q = await v3(alipay, '/v3/alipay/trade/query', { out_trade_no: id });
    assert.deepEqual([q.res.headers['alipay-sn'], q.value?.trade_status], [rotated.serial, 'TRADE_SUCCESS']);
    // The old certificate can still be downloaded by its SN; an unknown SN is a signed business failure.
    const old = alipay.parseResponse('alipay.open.app.alipaycert.download', (await send(alipay.buildAlipayCertDownload({ alipay_cert_sn: before }), SEND)).body);
    assert.equal(Buffer.from(old.alipay_cert_content, 'base64').toString(), beforePem);
    const unknownRaw = (await send(alipay.buildAlipayCertDownload({ alipay_cert_sn: '0'.repeat(32) }), SEND)).body;
    const unknown = caught(() => alipay.parseResponse('alipay.open.app.alipaycert.download', unknownRaw));
    assert.ok(unknown instanceof AggpayError);
    assert.deepEqual([unknown.code, unknown.subCode], ['ERR_PROVIDER_BUSINESS', 'isv.alipay-cert-not-exist']);
  });

  it('rotateCertificate: wechatpay stays the default; alipay needs certificate mode (HTTP control too)', TEST, async () => {
    const call = async (body) => {
      const res = await fetch(`${sandbox.controlUrl}/control/rotateCertificate`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
      return { status: res.status, body: await res.json() };
    };
    const viaHttp = await call({ provider: 'alipay' });
    assert.equal(viaHttp.status, 200);
    assert.equal(viaHttp.body.serial, sandbox.alipay.alipayCertSn);
    const none = await call({});
    assert.equal(none.status, 400);
    assert.match(none.body.error, /wechatpay emulation is not started/);
    assert.equal((await call({ provider: 'useepay' })).status, 400);
    const plain = await startSandbox({ providers: ['alipay'] });
    try {
      const e = await plain.rotateCertificate({ provider: 'alipay' }).catch((x) => x);
      assert.equal(e.status, 409);
      assert.match(e.message, /public-key mode/);
    } finally {
      await plain.close();
    }
  });
});

describe('aggpay sandbox --alipay-cert-mode (the command)', () => {
  let dir;
  before(() => {
    dir = makeTempDir('sandbox-alipay-cli');
  });
  after(() => removeDir(dir));

  it('writes the certificate files under Alipay\'s names; the description carries the SNs; stops on SIGTERM', TEST, async () => {
    const { described, line, stop } = await startSandboxCommand(['--providers', 'alipay', '--alipay-cert-mode', '--json', '--out', dir]);
    try {
      const { alipay, files } = described;
      assert.equal(alipay.certMode, true);
      assert.deepEqual(
        [files.alipayCert, files.alipayRootCert, files.appCert].map((f) => path.basename(f)),
        ['alipayCertPublicKey_RSA2.crt', 'alipayRootCert.crt', `appCertPublicKey_${alipay.appId}.crt`],
      );
      assert.equal(await snOf(fs.readFileSync(files.alipayCert, 'utf8')), alipay.alipayCertSn);
      assert.equal(await snOf(fs.readFileSync(files.appCert, 'utf8')), alipay.appCertSn);
      assert.equal(await rootSnOf(fs.readFileSync(files.alipayRootCert, 'utf8')), alipay.alipayRootCertSn);
      const merchantKeys = JSON.parse(fs.readFileSync(files.merchantKeys, 'utf8'));
      assert.equal(merchantKeys.alipay.appCertPem, alipay.appCertPem, 'the generated merchant gets its certificate');
      assert.ok(!line.includes('PRIVATE KEY'));
    } finally {
      assert.deepEqual(await stop(), { code: 0, signal: null });
    }
  });
});
