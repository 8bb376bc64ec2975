// Every vector of tests/fixtures/alipay/vectors.json through the public API (`Alipay`, `RsaVerifier`,
// `Certificate`, `primitives`), on both RSA engines. Each vector kind has one handler; an unknown kind
// or a vector no test used fails the file.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { Alipay, Certificate, RsaVerifier, primitives } from 'aggpay';
import { expectAggpayError, splitCertificate } from './helpers.mjs';
import {
  ENGINES, HASH, assertRequestSigned, encodeFormComponent, epochOfBeijing, keyPairs, loadVectors, nodeSign,
  nodeVerify, notifyContent, readAlipayFixture, requestParts, responseNodeName, signContent, signedResponse,
} from './alipay-helpers.mjs';

/** The typed fields of an Alipay notification event, against its raw parameters (read here). */
function assertTypedEvent(event, params, what) {
  const status = params.trade_status;
  assert.equal(event.paid, status === 'TRADE_SUCCESS' || status === 'TRADE_FINISHED', `${what}: paid`);
  assert.equal(event.tradeStatus, status || null, `${what}: tradeStatus`);
  for (const [field, name] of [['outTradeNo', 'out_trade_no'], ['tradeNo', 'trade_no'], ['appId', 'app_id'], ['sellerId', 'seller_id'],
    ['buyerId', 'buyer_id'], ['buyerOpenId', 'buyer_open_id'], ['notifyId', 'notify_id'], ['notifyType', 'notify_type']]) {
    assert.equal(event[field], params[name] || null, `${what}: ${field}`);
  }
  if (params.total_amount) {
    const [whole, fraction = ''] = params.total_amount.split('.');
    const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
    assert.deepEqual(event.amount, { minor, currency: params.trans_currency || 'CNY' }, `${what}: amount`);
  } else {
    assert.equal(event.amount, null, `${what}: amount`);
  }
}

const vectors = loadVectors();
const used = new Set();
const byKind = (...kinds) => vectors.filter((v) => kinds.includes(v.kind));
const use = (v) => {
  used.add(v.id);
  return v;
};
const b64 = (s) => Buffer.from(s, 'base64');
const md5hex = (s) => crypto.createHash('md5').update(s, 'utf8').digest('hex');
const methodOfNode = (node) => node.replace(/_response$/, '').replaceAll('_', '.');

const KNOWN_KINDS = [
  'rsa2-sign', 'rsa-sign', 'rsa2-verify', 'response-verify', 'response-sign-content', 'notify-verify-v1',
  'notify-verify-v2', 'cert-sn', 'root-cert-sn', 'cert-public-key', 'aes-cbc-decrypt', 'aes-cbc-encrypt', 'v3-sign',
];

it('vectors.json has only known kinds, and unique ids', () => {
  assert.ok(vectors.length >= 29, `expected the full vector set, got ${vectors.length}`);
  assert.equal(new Set(vectors.map((v) => v.id)).size, vectors.length, 'ids are unique');
  for (const v of vectors) assert.ok(KNOWN_KINDS.includes(v.kind), `vector ${v.id}: unknown kind ${v.kind}`);
});

// ---------------------------------------------------------------------------------------------
// Request signing (RSA2 and RSA/SHA-1).

/** The client config and per-call options that reproduce a vector's parameters. */
function requestInputs(params) {
  const fixed = { format: 'JSON', charset: 'utf-8', version: '1.0' };
  for (const [k, v] of Object.entries(fixed)) assert.equal(params[k], v, `the client always sends ${k}=${v}`);
  const options = { timestamp: epochOfBeijing(params.timestamp) };
  const optionOf = { notify_url: 'notifyUrl', return_url: 'returnUrl', app_auth_token: 'appAuthToken', auth_token: 'authToken' };
  let bizContent;
  const extra = {};
  for (const [k, v] of Object.entries(params)) {
    if (['app_id', 'method', 'sign_type', 'timestamp', ...Object.keys(fixed)].includes(k)) continue;
    if (k === 'biz_content') bizContent = v;
    else if (optionOf[k]) options[optionOf[k]] = v;
    else extra[k] = v;
  }
  if (Object.keys(extra).length > 0) options.params = extra;
  return { appId: params.app_id, method: params.method, signType: params.sign_type, bizContent, options };
}

describe('request signing vectors (rsa2-sign, rsa-sign)', () => {
  for (const v of byKind('rsa2-sign', 'rsa-sign')) {
    it(`${v.id}`, () => {
      use(v);
      const hash = v.kind === 'rsa-sign' ? 'sha1' : 'sha256';
      const { appId, method, signType, bizContent, options } = requestInputs(v.params);
      assert.equal(HASH[signType], hash, 'sign_type of the vector matches its kind');
      // The test's own rule reproduces the vector's string to sign (empties dropped).
      assert.equal(signContent(v.params).toString(), v.sign_content, 'independent string to sign');
      const keyFiles = [v.private_key, ...(v.private_key_alternatives ?? [])];
      for (const keyFile of keyFiles) {
        for (const engine of ENGINES) {
          const what = `${v.id} with ${keyFile} on ${engine}`;
          const alipay = new Alipay({
            appId, signType, engine, privateKey: readAlipayFixture(keyFile),
            alipayPublicKey: readAlipayFixture('sdk-nodejs/alipay-public-key.pem'),
          });
          assert.equal(alipay.signType, signType, what);
          const request = alipay.buildRequest(method, bizContent, options);
          const parts = requestParts(request, {}, what);
          const sentSign = new URLSearchParams(request.url.split('?')[1]).get('sign');
          assert.equal(sentSign, v.expect, `${what}: sign in the URL query`);
          // Every non-empty vector parameter is sent exactly, and nothing else but sign.
          const expected = new Map(Object.entries(v.params).filter(([, x]) => x !== ''));
          expected.set('sign', v.expect);
          assert.deepEqual(Object.fromEntries(parts.params), Object.fromEntries(expected), `${what}: parameters sent`);
          const verifier = new RsaVerifier(readAlipayFixture(v.public_key), { engine });
          assert.equal(verifier.verify(v.sign_content, b64(v.expect), hash), true, `${what}: the vector verifies`);
          verifier.free();
          alipay.free();
        }
      }
    });
  }
});

describe('rsa2-verify vectors', () => {
  for (const v of byKind('rsa2-verify')) {
    it(v.id, () => {
      use(v);
      const publicKey = readAlipayFixture(v.public_key);
      const expected = v.expect === 'valid';
      assert.equal(nodeVerify(v.sign_content, v.signature, publicKey), expected, 'node:crypto agrees with the vector');
      for (const engine of ENGINES) {
        const verifier = new RsaVerifier(publicKey, { engine });
        assert.equal(verifier.verify(v.sign_content, b64(v.signature), 'sha256'), expected, `${v.id} on ${engine}`);
        verifier.free();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Responses.

describe('response-verify vectors', () => {
  for (const v of byKind('response-verify')) {
    it(`${v.id} (${v.expect})`, () => {
      use(v);
      assert.equal(responseNodeName(v.method), v.response_node);
      for (const engine of ENGINES) {
        const what = `${v.id} on ${engine}`;
        const alipay = new Alipay({
          appId: '2021000122671080', privateKey: keyPairs().app.pkcs8Pem, signType: v.sign_type, engine,
          alipayPublicKey: readAlipayFixture(v.alipay_public_key),
        });
        if (v.expect === 'valid') {
          assert.deepEqual(alipay.parseResponse(v.method, v.raw_response), JSON.parse(v.sign_content), what);
          assert.deepEqual(alipay.parseResponse(v.method, Buffer.from(v.raw_response)), JSON.parse(v.sign_content), `${what} (bytes)`);
        } else {
          expectAggpayError(() => alipay.parseResponse(v.method, v.raw_response), 'ERR_SIGNATURE_INVALID', what);
        }
        alipay.free();
      }
    });
  }
});

describe('response-sign-content vectors (re-signed with a generated Alipay key)', () => {
  for (const v of byKind('response-sign-content')) {
    it(v.id, () => {
      use(v);
      const { alipay: alipayPair } = keyPairs();
      const method = methodOfNode(v.response_node);
      // The vector's raw text with its (unverifiable) sign value replaced.
      const signMatch = /"sign"\s*:\s*"([^"]*)"\s*\}\s*$/.exec(v.raw_response);
      assert.ok(signMatch, 'the sign is the last member');
      const withSign = (sig) => v.raw_response.slice(0, signMatch.index) + signMatch[0].replace(signMatch[1], sig);
      const raw = withSign(nodeSign(v.expect, alipayPair.privateKey));
      assert.ok(raw.includes(v.expect), 'the expected sign content is a substring of the response');
      // Texts that are close to the node but not it: each signature must be refused.
      const nearMisses = [
        ['trailing space', `${v.expect} `],
        ['leading space', ` ${v.expect}`],
        ['one character changed', v.expect.replace('Success', 'Succesz')],
        ['last brace dropped', v.expect.slice(0, -1)],
        ['with the sign member (Node SDK failure mode)', v.raw_response.slice(v.raw_response.indexOf(v.expect), signMatch.index + signMatch[0].length)],
        ['up to the first ,"sign": (gopay failure mode)', v.expect.includes(',"sign":') ? v.expect.slice(0, v.expect.indexOf(',"sign":')) : `${v.expect}\n`],
      ];
      for (const engine of ENGINES) {
        const alipay = new Alipay({ appId: '2021000122671080', privateKey: keyPairs().app.pkcs8Pem, alipayPublicKey: alipayPair.spkiPem, engine });
        assert.deepEqual(alipay.parseResponse(method, raw), JSON.parse(v.expect), `${v.id} on ${engine}`);
        for (const [name, text] of nearMisses) {
          assert.notEqual(text, v.expect);
          expectAggpayError(
            () => alipay.parseResponse(method, withSign(nodeSign(text, alipayPair.privateKey))),
            'ERR_SIGNATURE_INVALID',
            `${v.id} on ${engine}: signature over the node ${name}`,
          );
        }
        alipay.free();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Notifications.

/** node:crypto's verdict under one rule: the independent reference for `auto`. */
function nodeVerdict(v, publicKey, rule) {
  const params = Object.entries(v.params);
  const sign = v.params.sign;
  const hash = HASH[v.params.sign_type ?? 'RSA2'];
  return nodeVerify(notifyContent(params, rule), sign, publicKey, hash);
}

describe('notification vectors (notify-verify-v1 with the payment rule, v2 with the gateway rule)', () => {
  for (const v of byKind('notify-verify-v1', 'notify-verify-v2')) {
    it(`${v.id} (${v.kind}, ${v.expect})`, () => {
      use(v);
      const rule = v.kind === 'notify-verify-v1' ? 'payment' : 'gateway';
      const publicKey = v.alipay_public_key_pem ?? readAlipayFixture(v.alipay_public_key);
      const body = v.form_body ?? encodeFormComponent(v.params);
      // The test's own rule reproduces the vector's content, and node:crypto agrees with the vector.
      assert.equal(notifyContent(Object.entries(v.params), rule).toString(), v.sign_content, 'independent content');
      assert.equal(nodeVerdict(v, publicKey, rule), v.expect === 'valid', 'node:crypto agrees with the vector');
      const autoValid = nodeVerdict(v, publicKey, 'payment') || nodeVerdict(v, publicKey, 'gateway');
      for (const engine of ENGINES) {
        const what = `${v.id} on ${engine}`;
        const alipay = new Alipay({ appId: '2021000122671080', privateKey: keyPairs().app.pkcs8Pem, alipayPublicKey: publicKey, engine });
        if (v.expect === 'valid') {
          const { event, reply } = alipay.verifyNotify(body, { rule });
          assert.deepEqual(event.params, v.params, `${what}: event parameters`);
          assertTypedEvent(event, v.params, what);
          assert.equal(reply.status, 200, `${what}: reply status`);
          assert.equal(reply.body, 'success', `${what}: reply body`);
          assert.deepEqual(alipay.verifyNotify(Buffer.from(body), { rule }).event.params, v.params, `${what}: bytes body`);
          if (rule === 'payment') {
            assert.deepEqual(alipay.verifyNotify(body).event.params, v.params, `${what}: payment is the default rule`);
            assert.deepEqual(alipay.verifyReturn(`?${body}`), v.params, `${what}: verifyReturn`);
          }
        } else {
          expectAggpayError(() => alipay.verifyNotify(body, { rule }), 'ERR_SIGNATURE_INVALID', what);
        }
        if (autoValid) assert.deepEqual(alipay.verifyNotify(body, { rule: 'auto' }).event.params, v.params, `${what}: auto`);
        else expectAggpayError(() => alipay.verifyNotify(body, { rule: 'auto' }), 'ERR_SIGNATURE_INVALID', `${what}: auto`);
        alipay.free();
      }
    });
  }

  it('the rule matters: each valid vector fails under the other rule, auto accepts both', () => {
    const valid = byKind('notify-verify-v1', 'notify-verify-v2').filter((v) => v.expect === 'valid' && v.params.sign_type);
    assert.ok(valid.some((v) => v.kind === 'notify-verify-v1') && valid.some((v) => v.kind === 'notify-verify-v2'));
    for (const v of valid) {
      const rule = v.kind === 'notify-verify-v1' ? 'payment' : 'gateway';
      const other = rule === 'payment' ? 'gateway' : 'payment';
      const publicKey = v.alipay_public_key_pem ?? readAlipayFixture(v.alipay_public_key);
      const body = v.form_body ?? encodeFormComponent(v.params);
      for (const engine of ENGINES) {
        const alipay = new Alipay({ appId: '2021000122671080', privateKey: keyPairs().app.pkcs8Pem, alipayPublicKey: publicKey, engine });
        expectAggpayError(() => alipay.verifyNotify(body, { rule: other }), 'ERR_SIGNATURE_INVALID', `${v.id} under ${other} on ${engine}`);
        assert.deepEqual(alipay.verifyNotify(body, { rule: 'auto' }).event.params, v.params, `${v.id} auto on ${engine}`);
        alipay.free();
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Certificates.

const NODE_ROOT = 'sdk-nodejs/alipayRootCert.crt';

function certModeClient(engine, { appCert, alipayCert, alipayRootCert }) {
  return new Alipay({
    appId: '2021001161683774', privateKey: keyPairs().app.pkcs8Pem, engine,
    appCert: readAlipayFixture(appCert), alipayCert: readAlipayFixture(alipayCert), alipayRootCert: readAlipayFixture(alipayRootCert),
  });
}

describe('certificate vectors', () => {
  for (const v of byKind('cert-sn')) {
    it(`cert-sn ${v.id}`, () => {
      use(v);
      assert.equal(md5hex(v.issuer_dn + v.serial_decimal), v.expect, 'the documented rule gives the vector');
      const chain = Certificate.parseChain(readAlipayFixture(v.cert));
      const cert = chain[v.cert_index ?? 0];
      assert.equal(cert.issuer, v.issuer_dn, 'Certificate.issuer (RFC 2253)');
      assert.equal(cert.serialDecimal, v.serial_decimal, 'Certificate.serialDecimal');
      for (const engine of ENGINES) {
        // The same file as the app certificate and as the Alipay certificate (the first of a chain counts).
        const alipay = certModeClient(engine, { appCert: v.cert, alipayCert: v.cert, alipayRootCert: NODE_ROOT });
        assert.equal(alipay.appCertSn, v.expect, `${v.id} on ${engine}: appCertSn`);
        assert.equal(alipay.alipayCertSn, v.expect, `${v.id} on ${engine}: alipayCertSn`);
        // Every request carries it, in the URL query and in the signature.
        const request = alipay.buildTradeQuery({ out_trade_no: 'T1' }, { timestamp: 0 });
        const parts = assertRequestSigned(request, keyPairs().app.privateKey, 'RSA2', `${v.id} on ${engine}`);
        assert.equal(parts.params.get('app_cert_sn'), v.expect);
        alipay.free();
      }
    });
  }

  for (const v of byKind('root-cert-sn')) {
    it(`root-cert-sn ${v.id}`, () => {
      use(v);
      const chain = Certificate.parseChain(readAlipayFixture(v.cert));
      assert.equal(chain.length, v.parts.length, 'every certificate of the root file is read');
      chain.forEach((cert, i) => {
        assert.equal(cert.signatureAlgorithm, v.parts[i].signature_algorithm_oid, `part ${i}: signature algorithm`);
        assert.equal(cert.signatureAlgorithm.startsWith('1.2.840.113549.1.1.'), v.parts[i].included, `part ${i}: included`);
        if (v.parts[i].included) assert.equal(md5hex(cert.issuer + cert.serialDecimal), v.parts[i].sn, `part ${i}: SN`);
      });
      for (const engine of ENGINES) {
        const alipay = certModeClient(engine, {
          appCert: 'sdk-nodejs/appCertPublicKey_2021001161683774.crt', alipayCert: 'sdk-nodejs/alipayCertPublicKey_RSA2.crt', alipayRootCert: v.cert,
        });
        assert.equal(alipay.alipayRootCertSn, v.expect, `${v.id} on ${engine}`);
        const parts = assertRequestSigned(alipay.buildRequest('alipay.trade.query', '{}', { timestamp: 0 }), keyPairs().app.privateKey, 'RSA2', v.id);
        assert.equal(parts.params.get('alipay_root_cert_sn'), v.expect);
        alipay.free();
      }
    });
  }

  for (const v of byKind('cert-public-key')) {
    it(`cert-public-key ${v.id}`, () => {
      use(v);
      const text = readAlipayFixture(v.cert);
      const cert = Certificate.parse(text);
      assert.equal(Buffer.from(splitCertificate(cert.der).spki).toString('base64'), v.expect, 'SPKI of Certificate.der');
      const nodeSpki = new crypto.X509Certificate(text).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      assert.equal(nodeSpki, v.expect, 'node:crypto agrees with the vector');
      for (const engine of ENGINES) {
        const fromCert = new RsaVerifier(text, { engine });
        const fromKey = new RsaVerifier(v.expect, { engine });
        assert.equal(fromCert.bits, 2048);
        assert.equal(fromKey.bits, 2048);
        // The certificate key is this key and not another one: both refuse the same garbage, and a
        // client configured with that certificate refuses a response signed by a different key.
        assert.equal(fromCert.verify('x', Buffer.alloc(256, 1)), false);
        fromCert.free();
        fromKey.free();
        const alipay = certModeClient(engine, { appCert: 'sdk-nodejs/appCertPublicKey_2021001161683774.crt', alipayCert: v.cert, alipayRootCert: NODE_ROOT });
        const node = '{"code":"10000","msg":"Success"}';
        const raw = `{"alipay_trade_query_response":${node},"alipay_cert_sn":"${alipay.alipayCertSn}","sign":"${nodeSign(node, keyPairs().alipay.privateKey)}"}`;
        expectAggpayError(() => alipay.parseResponse('alipay.trade.query', raw), 'ERR_SIGNATURE_INVALID', `${v.id} on ${engine}`);
        alipay.free();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// AES content encryption.

describe('AES vectors', () => {
  for (const v of byKind('aes-cbc-encrypt')) {
    it(`${v.id}: buildRequest({ encrypt: true }) sends the vector ciphertext as biz_content`, () => {
      use(v);
      const key = b64(v.aes_key);
      const iv = Buffer.from(v.iv_hex, 'hex');
      assert.equal(Buffer.from(primitives.aesCbcEncrypt(key, iv, v.plaintext)).toString('base64'), v.expect, 'primitives.aesCbcEncrypt');
      const nodeCt = crypto.createCipheriv('aes-128-cbc', key, iv);
      assert.equal(Buffer.concat([nodeCt.update(v.plaintext), nodeCt.final()]).toString('base64'), v.expect, 'node:crypto agrees');
      for (const engine of ENGINES) {
        const alipay = new Alipay({
          appId: '2021000122671080', privateKey: keyPairs().app.pkcs8Pem, alipayPublicKey: keyPairs().alipay.spkiPem, engine, encryptKey: v.aes_key,
        });
        const request = alipay.buildRequest('alipay.open.auth.app.aes.set', v.plaintext, { encrypt: true, timestamp: 1_704_081_600_000 });
        const parts = assertRequestSigned(request, keyPairs().app.privateKey, 'RSA2', `${v.id} on ${engine}`);
        assert.deepEqual(parts.body, [['encrypt_type', 'AES'], ['biz_content', v.expect]], `${v.id} on ${engine}: body`);
        alipay.free();
      }
    });
  }

  for (const v of byKind('aes-cbc-decrypt')) {
    it(`${v.id}: an encrypted response signed over the quoted ciphertext parses to the plaintext`, () => {
      use(v);
      const key = b64(v.aes_key);
      const iv = Buffer.from(v.iv_hex, 'hex');
      assert.equal(Buffer.from(primitives.aesCbcDecrypt(key, iv, b64(v.ciphertext))).toString('utf8'), v.expect, 'primitives.aesCbcDecrypt');
      const method = 'alipay.open.auth.app.aes.set';
      const quoted = JSON.stringify(v.ciphertext);
      const raw = signedResponse(method, quoted, keyPairs().alipay.privateKey);
      const unquotedSig = signedResponse(method, quoted, keyPairs().alipay.privateKey, { signedText: v.ciphertext });
      for (const engine of ENGINES) {
        const alipay = new Alipay({
          appId: '2021000122671080', privateKey: keyPairs().app.pkcs8Pem, alipayPublicKey: keyPairs().alipay.spkiPem, engine, encryptKey: v.aes_key,
        });
        assert.deepEqual(alipay.parseResponse(method, raw), JSON.parse(v.expect), `${v.id} on ${engine}`);
        expectAggpayError(() => alipay.parseResponse(method, unquotedSig), 'ERR_SIGNATURE_INVALID', `${v.id} on ${engine}: signature without the quotes`);
        alipay.free();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// OpenAPI v3.

describe('v3-sign vectors', () => {
  for (const v of byKind('v3-sign')) {
    it(v.id, () => {
      use(v);
      const auth = Object.fromEntries(v.auth_string.split(',').map((kv) => kv.split('=')));
      assert.equal(`${v.auth_string}\n${v.http_method}\n${v.request_path}\n${v.body}\n${v.app_auth_token ? `${v.app_auth_token}\n` : ''}`, v.message);
      assert.equal(v.authorization, `ALIPAY-SHA256withRSA ${v.auth_string},sign=${v.expect}`);
      for (const engine of ENGINES) {
        const what = `${v.id} on ${engine}`;
        const alipay = new Alipay({
          appId: auth.app_id, privateKey: readAlipayFixture(v.private_key), alipayPublicKey: readAlipayFixture('sdk-nodejs/alipay-public-key.pem'), engine,
        });
        const request = alipay.buildV3Request({
          method: v.http_method, path: v.request_path, body: v.body, nonce: auth.nonce, timestamp: Number(auth.timestamp),
          ...(v.app_auth_token ? { appAuthToken: v.app_auth_token } : {}),
        });
        assert.equal(request.headers.authorization, v.authorization, `${what}: Authorization`);
        assert.equal(request.method, v.http_method, what);
        assert.equal(request.url, `https://openapi.alipay.com${v.request_path}`, what);
        assert.equal(request.body, v.body, `${what}: body sent as signed`);
        assert.equal(request.headers['alipay-app-auth-token'], v.app_auth_token, `${what}: alipay-app-auth-token`);
        const verifier = new RsaVerifier(readAlipayFixture(v.public_key), { engine });
        assert.equal(verifier.verify(v.message, b64(v.expect)), true, `${what}: the vector verifies`);
        verifier.free();
        alipay.free();
      }
    });
  }
});

it('every vector was exercised', () => {
  const unused = vectors.filter((v) => !used.has(v.id)).map((v) => v.id);
  assert.deepEqual(unused, [], 'vectors no test used');
});
