// Alipay certificate rotation (alipay.open.app.alipaycert.download), on certificates minted here with
// openssl over fresh keys: a root, an intermediate CA (as Alipay's "Class 2 R1"), the current and the
// new Alipay certificate (same subject, new key and serial), and the ones that must be refused — a
// certificate that chains to another root, expired and not-yet-valid ones, one issued by a non-CA,
// an app certificate of the same CA (other subject), a tampered one. Every chain verdict is checked
// against `openssl verify` at the same instant; SNs are md5(issuer RFC 2253 + decimal serial)
// computed here from openssl's output; the reply and the responses are signed by node:crypto. Then
// the new key verifies a response naming it, on every engine, in both forms.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Alipay } from 'aggpay';
import { ctx, expectAggpayError, makeTempDir, removeDir, run } from './helpers.mjs';
import {
  assertRequestSigned, encodeForm, keyPairs, nodeSign, notifyContent, readAlipayFixture, signedResponse,
} from './alipay-helpers.mjs';

const APP_ID = '2021000122671080';
const CHOICES = ['node', 'wasm', 'webcrypto', 'auto'];
const METHOD = 'alipay.open.app.alipaycert.download';
const NODE = 'alipay_open_app_alipaycert_download_response';
const ALIPAY_SUBJECT = '/C=CN/O=杭州测试商户有限公司/OU=Alipay/CN=支付宝(中国)网络技术有限公司-2088000000000001';

const { app, alipay: current, other: next } = keyPairs();
const rogueKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

let dir;
const file = (name) => path.join(dir, name);
const pem = (name) => fs.readFileSync(file(name), 'utf8');
const openssl = (...args) => run('openssl', args, { timeout: 30_000 });
const md5hex = (s) => crypto.createHash('md5').update(s, 'utf8').digest('hex');

/** SN from openssl's reading of the certificate: issuer in RFC 2253 order (DER order reversed) + decimal serial. */
async function snOf(name) {
  const der = (await openssl('x509', '-in', file(name), '-noout', '-issuer', '-nameopt', 'RFC2253,-esc_msb,-dn_rev')).stdout.trim();
  const serial = (await openssl('x509', '-in', file(name), '-noout', '-serial')).stdout.trim().slice('serial='.length);
  const issuer = der.slice('issuer='.length).split(',').reverse().join(',');
  return md5hex(issuer + BigInt(`0x${serial}`).toString(10));
}

/** `openssl verify` of `leaf` with `untrusted` intermediates against `root`, at `epochSeconds` (default now). */
async function opensslAccepts(leaf, untrusted, root, epochSeconds) {
  const args = ['verify', '-CAfile', file(root)];
  if (untrusted) args.push('-untrusted', file(untrusted));
  if (epochSeconds !== undefined) args.push('-attime', String(epochSeconds));
  args.push(file(leaf));
  try {
    await openssl(...args);
    return true;
  } catch {
    return false;
  }
}

const validity = (name) => {
  const x = new crypto.X509Certificate(pem(name));
  return { notBefore: Date.parse(x.validFrom) / 1000, notAfter: Date.parse(x.validTo) / 1000 };
};

const facts = {};
before(async () => {
  dir = makeTempDir('alipay-rotation');
  const write = (name, key) => fs.writeFileSync(file(name), key.export({ type: 'pkcs8', format: 'pem' }));
  write('root.key', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  write('int.key', crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  write('rogue.key', rogueKey);
  write('current.key', current.privateKey);
  write('next.key', next.privateKey);
  write('app.key', app.privateKey);
  fs.writeFileSync(file('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  fs.writeFileSync(file('leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n');
  const root = (name, key, subj) => openssl('req', '-x509', '-new', '-utf8', '-key', file(key), '-subj', subj, '-set_serial', String(crypto.randomInt(1, 2 ** 47)), '-days', '7300',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file(name));
  const csr = (name, key, subj) => openssl('req', '-new', '-utf8', '-key', file(key), '-subj', subj, '-out', file(name));
  const issue = (name, req, ca, caKey, ext, serialHex, days = '3650') => openssl('x509', '-req', '-in', file(req), '-CA', file(ca), '-CAkey', file(caKey),
    '-set_serial', `0x${serialHex}`, '-days', days, '-extfile', file(ext), '-out', file(name));
  const serial = () => `5a${crypto.randomBytes(15).toString('hex')}`;
  await Promise.all([
    root('root.pem', 'root.key', '/C=CN/O=Ant Test/OU=Certification Authority/CN=Ant Test Root R1'),
    root('rogue-root.pem', 'rogue.key', '/C=CN/O=Ant Test/OU=Certification Authority/CN=Ant Test Root R1'),
    csr('int.csr', 'int.key', '/C=CN/O=Ant Test/OU=Certification Authority/CN=Ant Test Class 2 R1'),
    csr('current.csr', 'current.key', ALIPAY_SUBJECT),
    csr('next.csr', 'next.key', ALIPAY_SUBJECT),
    csr('app.csr', 'app.key', `/C=CN/O=杭州测试商户有限公司/OU=Alipay/CN=2088000000000001-${APP_ID}`),
  ]);
  await Promise.all([
    issue('int.pem', 'int.csr', 'root.pem', 'root.key', 'ca.ext', serial(), '5000'),
    issue('rogue-int.pem', 'int.csr', 'rogue-root.pem', 'rogue.key', 'ca.ext', serial()),
    // An intermediate that is not a CA (basicConstraints CA:FALSE), yet signs.
    issue('int-not-ca.pem', 'int.csr', 'root.pem', 'root.key', 'leaf.ext', serial()),
  ]);
  await Promise.all([
    issue('current.pem', 'current.csr', 'int.pem', 'int.key', 'leaf.ext', serial()),
    issue('next.pem', 'next.csr', 'int.pem', 'int.key', 'leaf.ext', serial()),
    issue('next-rogue.pem', 'next.csr', 'rogue-int.pem', 'int.key', 'leaf.ext', serial()),
    issue('next-by-non-ca.pem', 'next.csr', 'int-not-ca.pem', 'int.key', 'leaf.ext', serial()),
    issue('app.pem', 'app.csr', 'int.pem', 'int.key', 'leaf.ext', serial()),
  ]);
  // Past and future validity need openssl ca (x509 -req counts days from now).
  fs.writeFileSync(file('ca.cnf'), [
    '[ ca ]', 'default_ca = d', '[ d ]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir', 'serial = $dir/serial',
    'default_md = sha256', 'policy = p', 'unique_subject = no', 'string_mask = utf8only', 'preserve = yes',
    '[ p ]', 'countryName = optional', 'organizationName = optional', 'organizationalUnitName = optional', 'commonName = supplied',
    '[ leaf ]', 'basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature', '',
  ].join('\n'));
  fs.writeFileSync(file('index.txt'), '');
  fs.writeFileSync(file('serial'), `${serial()}\n`);
  const dated = (name, start, end) => openssl('ca', '-batch', '-utf8', '-config', file('ca.cnf'), '-cert', file('int.pem'), '-keyfile', file('int.key'),
    '-in', file('next.csr'), '-out', file(name), '-startdate', start, '-enddate', end, '-extensions', 'leaf', '-notext');
  await dated('next-expired.pem', '20200101000000Z', '20210101000000Z');
  await dated('next-future.pem', '20990101000000Z', '20991231000000Z');
  // One byte of the signature changed.
  const der = Buffer.from(new crypto.X509Certificate(pem('next.pem')).raw);
  der[der.length - 5] ^= 0x01;
  fs.writeFileSync(file('next-tampered.pem'), `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`);
  for (const name of ['current.pem', 'next.pem', 'next-rogue.pem', 'next-by-non-ca.pem', 'next-expired.pem', 'next-future.pem', 'next-tampered.pem', 'app.pem']) {
    facts[name] = await snOf(name);
  }
  // The configured root file: Alipay's real one (SM2, EC and RSA roots) with the test root added.
  fs.writeFileSync(file('roots.pem'), `${readAlipayFixture('sdk-nodejs/alipayRootCert.crt').trim()}\n${pem('root.pem')}`);
});
after(() => removeDir(dir));

/** The chain file Alipay sends: leaf first, then its intermediate. */
const chainOf = (leaf, intermediate = 'int.pem') => `${pem(leaf)}${intermediate ? pem(intermediate) : ''}`;

function client(choice, extra = {}) {
  return new Alipay({
    appId: APP_ID, privateKey: app.pkcs8Pem, appCert: pem('app.pem'), alipayCert: chainOf('current.pem'),
    alipayRootCert: pem('roots.pem'), engine: choice, ...extra,
  });
}

/**
 * The download reply as the gateway writes it: `/` escaped as `\/` in the node, `alipay_cert_sn`
 * naming the key that signed it, the signature over the node text (or over `signedText`).
 */
function reply(certText, { key = next.privateKey, certSn, unsigned = false, node, signedText } = {}) {
  const content = Buffer.from(certText, 'utf8').toString('base64');
  const nodeText = node ?? `{"code":"10000","msg":"Success","alipay_cert_content":"${content.replaceAll('/', '\\/')}"}`;
  if (unsigned) return `{"${NODE}":${nodeText}}`;
  return signedResponse(METHOD, nodeText, key, { certSn, signedText });
}

describe('alipay.open.app.alipaycert.download', () => {
  it('buildAlipayCertDownload signs the request with the certificate SNs (node:crypto reference)', () => {
    const alipay = client('wasm');
    const request = alipay.buildAlipayCertDownload({ alipay_cert_sn: facts['next.pem'] }, { timestamp: 1_735_660_800_000 });
    const parts = assertRequestSigned(request, app.privateKey, 'RSA2', 'cert download');
    assert.equal(parts.params.get('method'), METHOD);
    assert.equal(parts.params.get('biz_content'), JSON.stringify({ alipay_cert_sn: facts['next.pem'] }));
    assert.equal(parts.params.get('app_cert_sn'), facts['app.pem']);
    assert.equal(parts.params.get('timestamp'), '2025-01-01 00:00:00');
    expectAggpayError(() => alipay.buildAlipayCertDownload({}), 'ERR_BAD_INPUT', 'no alipay_cert_sn');
    expectAggpayError(() => alipay.buildAlipayCertDownload({ alipay_cert_sn: 7 }), 'ERR_BAD_INPUT', 'a number');
    alipay.free();
  });

  for (const choice of CHOICES) {
    it(`[${choice}] a response naming the new certificate: ERR_CERT_SN_MISMATCH, download, check, add; the new key verifies it (sync and Async)`, async () => {
      const alipay = client(choice);
      const snCurrent = facts['current.pem'];
      const snNext = facts['next.pem'];
      assert.deepEqual(alipay.alipayCertSns, [snCurrent]);
      const node = JSON.stringify({ code: '10000', msg: 'Success', trade_no: '2026112422001', out_trade_no: 'T1', total_amount: '88.88' });
      const signedByNext = signedResponse('alipay.trade.query', node, next.privateKey, { certSn: snNext });
      const e = expectAggpayError(() => alipay.parseResponse('alipay.trade.query', signedByNext), 'ERR_CERT_SN_MISMATCH', 'before rotation');
      assert.ok(e.message.includes(snNext), 'the message names the SN');
      await assert.rejects(alipay.parseResponseAsync('alipay.trade.query', signedByNext), (x) => x.code === 'ERR_CERT_SN_MISMATCH');
      // The SN comes from the response itself, as a host reads it.
      const asked = JSON.parse(signedByNext).alipay_cert_sn;
      const before = Date.now();
      const added = alipay.addAlipayCertFromDownload(reply(chainOf('next.pem'), { certSn: snNext }), { alipayCertSn: asked });
      assert.ok(Date.now() - before < 2000, 'the check is fast');
      assert.deepEqual(added, { alipayCertSn: snNext, pem: chainOf('next.pem'), ...validity('next.pem') });
      assert.deepEqual(alipay.alipayCertSns, [snNext, snCurrent], 'the new certificate is current, the old one kept');
      assert.equal(alipay.alipayCertSn, snNext);
      assert.equal(await opensslAccepts('next.pem', 'int.pem', 'root.pem'), true, 'openssl agrees the chain is good');
      for (const form of ['sync', 'async']) {
        const what = ctx(`${choice}/${form}`);
        const parse = (raw) => (form === 'sync' ? alipay.parseResponse('alipay.trade.query', raw) : alipay.parseResponseAsync('alipay.trade.query', raw));
        assert.deepEqual(await parse(signedByNext), JSON.parse(node), `${what}: the response naming the new SN verifies`);
        assert.deepEqual(await parse(signedResponse('alipay.trade.query', node, current.privateKey, { certSn: snCurrent })), JSON.parse(node), `${what}: the old one still does`);
        await assert.rejects(async () => parse(signedResponse('alipay.trade.query', node, current.privateKey, { certSn: snNext })), (x) => x.code === 'ERR_SIGNATURE_INVALID', `${what}: the old key naming the new SN`);
        await assert.rejects(async () => parse(signedByNext.replace('88.88', '88.89')), (x) => x.code === 'ERR_SIGNATURE_INVALID', `${what}: tampered`);
        // A notification names no SN: tried with each key, the new one first.
        const params = [['app_id', APP_ID], ['trade_status', 'TRADE_SUCCESS'], ['out_trade_no', 'T1'], ['total_amount', '0.01'], ['sign_type', 'RSA2'], ['charset', 'utf-8']];
        const body = encodeForm([...params, ['sign', nodeSign(notifyContent(params, 'payment'), next.privateKey)]]);
        const result = form === 'sync' ? alipay.verifyNotify(body) : await alipay.verifyNotifyAsync(body);
        assert.equal(result.event.paid, true, `${what}: a notification signed by the new key`);
      }
      // Downloading it again is harmless: still current, listed once.
      alipay.addAlipayCertFromDownload(reply(chainOf('next.pem'), { certSn: snNext }), { alipayCertSn: snNext });
      assert.deepEqual(alipay.alipayCertSns, [snNext, snCurrent]);
      alipay.free();
    });
  }

  it('the reply: unsigned accepted (trust comes from the chain), a signature by any other key refused, the \\/ retry, the old key', () => {
    const alipay = client('node');
    const sn = facts['next.pem'];
    const cert = chainOf('next.pem');
    const ok = (raw, what) => assert.equal(alipay.addAlipayCertFromDownload(raw, { alipayCertSn: sn }).alipayCertSn, sn, what);
    ok(reply(cert, { unsigned: true }), 'unsigned');
    ok(reply(cert), 'signed by the new key, naming no SN');
    ok(reply(cert, { key: current.privateKey, certSn: facts['current.pem'] }), 'signed by the current key, naming it');
    const content = Buffer.from(cert).toString('base64');
    const escaped = `{"code":"10000","msg":"Success","alipay_cert_content":"${content.replaceAll('/', '\\/')}"}`;
    ok(reply(cert, { node: escaped, signedText: escaped.replaceAll('\\/', '/'), certSn: sn }), 'signed over the \\/-unescaped node');
    for (const [what, raw] of [
      ['signed by another key naming the new SN', reply(cert, { key: rogueKey, certSn: sn })],
      ['signed by another key naming none', reply(cert, { key: rogueKey })],
      ['signed by the current key naming the new SN', reply(cert, { key: current.privateKey, certSn: sn })],
      ['a sign that is not base64', reply(cert).replace(/"sign":"[^"]*"/, '"sign":"%%%"')],
    ]) {
      expectAggpayError(() => alipay.addAlipayCertFromDownload(raw, { alipayCertSn: sn }), 'ERR_SIGNATURE_INVALID', what);
    }
    expectAggpayError(() => alipay.addAlipayCertFromDownload(reply(cert, { certSn: md5hex('nobody') }), { alipayCertSn: sn }), 'ERR_CERT_SN_MISMATCH', 'signed naming an unknown SN');
    alipay.free();
  });

  it('refused certificates, each agreeing with openssl verify; the key ring is unchanged after each', async () => {
    const alipay = client('wasm');
    const ring = alipay.alipayCertSns;
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      ['chains to another root (same names)', 'next-rogue.pem', 'rogue-int.pem', false],
      ['expired (2020–2021)', 'next-expired.pem', 'int.pem', false],
      ['not valid yet (2099)', 'next-future.pem', 'int.pem', false],
      ['issued by a certificate that is not a CA', 'next-by-non-ca.pem', 'int-not-ca.pem', false],
      ['a changed signature byte', 'next-tampered.pem', 'int.pem', false],
      ['without its intermediate', 'next.pem', null, false],
      ['an app certificate of the same CA (another subject)', 'app.pem', 'int.pem', true],
    ];
    for (const [what, leaf, intermediate, opensslSays] of cases) {
      assert.equal(await opensslAccepts(leaf, intermediate, 'root.pem', now), opensslSays, `${what}: openssl verify`);
      const e = expectAggpayError(
        () => alipay.addAlipayCertFromDownload(reply(chainOf(leaf, intermediate)), { alipayCertSn: facts[leaf] }),
        'ERR_CERT_INVALID', what,
      );
      assert.equal(e.provider, 'alipay', what);
      assert.deepEqual(alipay.alipayCertSns, ring, `${what}: ring unchanged`);
    }
    // The SN asked for must be the certificate's; the leaf must come first.
    expectAggpayError(() => alipay.addAlipayCertFromDownload(reply(chainOf('next.pem')), { alipayCertSn: facts['current.pem'] }), 'ERR_CERT_INVALID', 'another SN than asked');
    expectAggpayError(() => alipay.addAlipayCertFromDownload(reply(pem('int.pem') + pem('next.pem')), { alipayCertSn: facts['next.pem'] }), 'ERR_CERT_INVALID', 'intermediate first');
    // A stray certificate beside the path.
    expectAggpayError(() => alipay.addAlipayCertFromDownload(reply(chainOf('next.pem') + pem('app.pem')), { alipayCertSn: facts['next.pem'] }), 'ERR_CERT_INVALID', 'a stray certificate');
    // The configured root itself sent along is fine.
    assert.equal(alipay.addAlipayCertFromDownload(reply(chainOf('next.pem') + pem('root.pem')), { alipayCertSn: facts['next.pem'] }).alipayCertSn, facts['next.pem']);
    alipay.free();
  });

  // RFC 5280 §4.1.2.5: the validity period runs from notBefore *through* notAfter, inclusive —
  // Java's checkValidity (Alipay's SDK) agrees; OpenSSL 3.0 counts the notAfter second itself as
  // expired. aggpay follows RFC 5280 and Java there, and openssl everywhere else.
  it('validity edges at an injected now: openssl verify -attime, and RFC 5280 at notAfter itself', async () => {
    const { notBefore, notAfter } = validity('next.pem');
    const sn = facts['next.pem'];
    for (const [label, seconds, ms, good, opensslSays] of [
      ['at notBefore', notBefore, notBefore * 1000, true, true],
      ['one second before notBefore', notBefore - 1, notBefore * 1000 - 1000, false, false],
      ['one millisecond before notBefore', notBefore - 1, notBefore * 1000 - 1, false, false],
      ['one second before notAfter', notAfter - 1, notAfter * 1000 - 1000, true, true],
      ['at notAfter (inclusive in RFC 5280 and Java; OpenSSL 3.0 says expired)', notAfter, notAfter * 1000, true, false],
      ['one millisecond after notAfter', notAfter + 1, notAfter * 1000 + 1, false, false],
      ['one second after notAfter', notAfter + 1, notAfter * 1000 + 1000, false, false],
    ]) {
      const alipay = client('wasm');
      // The intermediate and the root outlive the leaf; openssl checks the whole chain at the same instant.
      assert.equal(await opensslAccepts('next.pem', 'int.pem', 'root.pem', seconds), opensslSays, `${label} (${seconds}): openssl verify -attime`);
      const call = () => alipay.addAlipayCertFromDownload(reply(chainOf('next.pem')), { alipayCertSn: sn, now: ms });
      if (good) assert.equal(call().alipayCertSn, sn, label);
      else expectAggpayError(call, 'ERR_CERT_INVALID', label);
      alipay.free();
    }
  });

  it('hostile and failure replies: stable codes, fast, nothing added', () => {
    const alipay = client('wasm', { limits: { maxInputBytes: 64 * 1024 } });
    const sn = facts['next.pem'];
    const add = (raw, options = { alipayCertSn: sn }) => () => alipay.addAlipayCertFromDownload(raw, options);
    const node = (content) => `{"code":"10000","msg":"Success","alipay_cert_content":${JSON.stringify(content)}}`;
    const cases = [
      ['not JSON', 'alipay_cert_content=x', 'ERR_RESPONSE_MALFORMED'],
      ['no download node', '{"alipay_trade_query_response":{"code":"10000"}}', 'ERR_RESPONSE_MALFORMED'],
      ['truncated', reply(chainOf('next.pem'), { unsigned: true }).slice(0, -3), 'ERR_RESPONSE_MALFORMED'],
      ['no content', reply('', { unsigned: true, node: '{"code":"10000","msg":"Success"}' }), 'ERR_RESPONSE_MALFORMED'],
      ['content not a string', reply('', { unsigned: true, node: '{"code":"10000","msg":"Success","alipay_cert_content":7}' }), 'ERR_RESPONSE_MALFORMED'],
      ['content not base64', reply('', { unsigned: true, node: node('%%%') }), 'ERR_RESPONSE_MALFORMED'],
      ['content base64 of binary', reply('', { unsigned: true, node: node(Buffer.from([0xff, 0xfe, 0x30]).toString('base64')) }), 'ERR_RESPONSE_MALFORMED'],
      ['content base64 of text that is no certificate', reply('hello', { unsigned: true }), 'ERR_CERT_INVALID'],
      ['content base64 of a key', reply(app.pkcs8Pem, { unsigned: true }), 'ERR_CERT_INVALID'],
      ['nine certificates', reply(chainOf('next.pem') + pem('int.pem').repeat(7), { unsigned: true }), 'ERR_CERT_INVALID'],
      ['the node twice', `{"${NODE}":${node('x')},"${NODE}":${node('y')}}`, 'ERR_RESPONSE_MALFORMED'],
      ['too large', `{"${NODE}":${node('A'.repeat(70 * 1024))}}`, 'ERR_INPUT_TOO_LARGE'],
      ['deep nesting', `{"${NODE}":${'['.repeat(10_000)}}`, ['ERR_TOO_DEEP', 'ERR_RESPONSE_MALFORMED']],
    ];
    for (const [what, raw, code] of cases) {
      const started = process.hrtime.bigint();
      expectAggpayError(add(raw), code, what);
      assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 500, `${what}: refused quickly`);
    }
    const failure = `{"${NODE}":{"code":"40004","msg":"Business Failed","sub_code":"isv.cert-not-exist","sub_msg":"证书不存在"},"sign":"AAAA"}`;
    const e = expectAggpayError(add(failure), 'ERR_PROVIDER_REJECTED', 'a failure reply');
    assert.deepEqual([e.providerCode, e.subCode], ['40004', 'isv.cert-not-exist']);
    expectAggpayError(add('{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature"}}'), 'ERR_PROVIDER_REJECTED', 'a gateway error');
    // Options.
    expectAggpayError(add(reply(chainOf('next.pem')), {}), 'ERR_BAD_INPUT', 'no alipayCertSn');
    expectAggpayError(() => alipay.addAlipayCertFromDownload(reply(chainOf('next.pem'))), 'ERR_BAD_INPUT', 'no options');
    expectAggpayError(add(reply(chainOf('next.pem')), { alipayCertSn: sn, extra: 1 }), 'ERR_BAD_INPUT', 'an unknown option');
    expectAggpayError(add(reply(chainOf('next.pem')), { alipayCertSn: 'a"b' }), 'ERR_BAD_INPUT', 'an SN that is no SN');
    expectAggpayError(add(reply(chainOf('next.pem')), { alipayCertSn: sn, now: Number.NaN }), 'ERR_BAD_INPUT', 'now NaN');
    assert.deepEqual(alipay.alipayCertSns, [facts['current.pem']], 'nothing was added');
    alipay.free();
    // Clients that cannot check: public-key mode, no root, no Alipay certificate to compare with.
    const pkMode = new Alipay({ appId: APP_ID, privateKey: app.pkcs8Pem, alipayPublicKey: current.spkiPem });
    expectAggpayError(() => pkMode.addAlipayCertFromDownload(reply(chainOf('next.pem')), { alipayCertSn: sn }), 'ERR_BAD_INPUT', 'public-key mode');
    const noRoot = new Alipay({ appId: APP_ID, alipayCert: chainOf('current.pem') });
    expectAggpayError(() => noRoot.addAlipayCertFromDownload(reply(chainOf('next.pem')), { alipayCertSn: sn }), 'ERR_BAD_INPUT', 'no alipayRootCert');
    const verifyOnly = new Alipay({ appId: APP_ID, alipayCert: chainOf('current.pem'), alipayRootCert: pem('roots.pem') });
    assert.equal(verifyOnly.addAlipayCertFromDownload(reply(chainOf('next.pem')), { alipayCertSn: sn }).alipayCertSn, sn, 'a verify-only client with the root can rotate');
    for (const c of [pkMode, noRoot, verifyOnly]) c.free();
  });
});
