// Every key and certificate under tests/fixtures/ loads in each format it comes in (and when
// reformatted), with node:crypto as the reference: private keys sign like node and derive node's
// SPKI, public keys verify signatures known to be good, certificates expose node's serial, validity
// and DNs, and certificate signatures (self-signed and issuer → subject) verify with our RsaVerifier.
// Also the Alipay certificate-SN numbers from alipay/vectors.json, and the AES-encrypted Alipay
// test texts that look like certificates but are not.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { AggpayError, Certificate, RsaSigner, RsaVerifier, primitives } from 'aggpay';
import {
  assertBytesEqual, classifyKeyText, expectAggpayError, flipBit, hex, keyTextVariants, nodeDnToRfc2253,
  readFixtureJson, splitCertificate, stripHexLeadingZeroBytes, toPem, utf8, walkFixtures,
} from './helpers.mjs';

const ENGINES = ['wasm', 'node'];
const RSA_OID = '1.2.840.113549.1.1.1';
/** Certificate signature algorithms our RsaVerifier can check, by the hash inside. */
const RSA_SIGNATURE_HASH = { '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.5': 'sha1' };
const AES_TEXT = /(^|\/)test_[^/]*_aesEncryptText\.crt$/;

const fixtures = walkFixtures().map((f) => ({ ...f, info: classifyKeyText(f.text) }));
const byKind = (kind) => fixtures.filter((f) => f.info.kind === kind);
const spkiHex = (keyObject) => keyObject.export({ type: 'spki', format: 'der' }).toString('hex');
const nodePublicKeyOf = (cert) => {
  try {
    return cert.publicKey.asymmetricKeyType === 'rsa' ? cert.publicKey : null;
  } catch {
    return null; // SM2 and other keys OpenSSL will not export
  }
};

/** Every certificate in the fixtures, with node's view and our DER walk. */
const allCerts = byKind('certificates').flatMap((f) =>
  f.info.node.map((node, index) => ({ file: f.rel, index, node, der: f.info.ders[index], parts: splitCertificate(f.info.ders[index]) })),
);

/** (subject, issuer) certificate pairs across all fixtures whose signature node verifies with an RSA issuer key. */
const issuedPairs = [];
for (const subject of allCerts) {
  const hash = RSA_SIGNATURE_HASH[subject.parts.signatureAlgorithm];
  if (!hash) continue;
  for (const issuer of allCerts) {
    const issuerKey = nodePublicKeyOf(issuer.node);
    if (issuerKey && subject.node.checkIssued(issuer.node) && subject.node.verify(issuerKey)) {
      issuedPairs.push({ subject, issuer, hash, issuerSpki: spkiHex(issuerKey) });
    }
  }
}

/**
 * Signatures known to be good for a public key (by SPKI hex): made by node with a fixture private
 * key of the same modulus, or published in alipay/vectors.json (kept only when node verifies them).
 */
function knownSignatures(spki) {
  const out = [];
  for (const f of byKind('private')) {
    if (spkiHex(crypto.createPublicKey(f.info.node)) !== spki) continue;
    for (const hash of ['sha256', 'sha1']) {
      const message = utf8(`fixture check ${hash} 验签`);
      out.push({ source: `signed by node with ${f.rel}`, message, signature: crypto.sign(hash, message, f.info.node), hash });
    }
  }
  for (const v of readFixtureJson('alipay/vectors.json').vectors) {
    if (typeof v.sign_content !== 'string' || v.expect !== 'valid') continue;
    const keyRef = v.alipay_public_key ?? v.public_key;
    const keyText = keyRef ? fixtures.find((f) => f.rel === `alipay/${keyRef}`)?.text : v.alipay_public_key_pem;
    if (!keyText) continue;
    const key = classifyKeyText(keyText).node;
    if (!key || spkiHex(key) !== spki) continue;
    const sign = v.signature ?? v.params?.sign ?? (v.raw_response ? JSON.parse(v.raw_response).sign : undefined);
    if (!sign) continue;
    const hash = v.sign_type === 'RSA' ? 'sha1' : 'sha256';
    const message = utf8(v.sign_content);
    const signature = Buffer.from(sign, 'base64');
    if (crypto.verify(hash, message, key, signature)) out.push({ source: `alipay/vectors.json ${v.id}`, message, signature, hash });
  }
  for (const pair of issuedPairs) {
    if (pair.issuerSpki === spki) {
      out.push({ source: `certificate ${pair.subject.file}#${pair.subject.index} signed by ${pair.issuer.file}#${pair.issuer.index}`, message: pair.subject.parts.tbs, signature: pair.subject.parts.signature, hash: pair.hash });
    }
  }
  return out;
}

function assertVerifiesKnown(verifier, known, what) {
  for (const k of known) {
    assert.equal(verifier.verify(k.message, k.signature, k.hash), true, `${what}: refuses a good signature (${k.source})`);
    assert.equal(verifier.verify(k.message, flipBit(k.signature, 11), k.hash), false, `${what}: accepts a flipped signature (${k.source})`);
    assert.equal(verifier.verify(flipBit(k.message, 3), k.signature, k.hash), false, `${what}: accepts a flipped message (${k.source})`);
  }
}

describe('fixture inventory', () => {
  it('node:crypto classifies every .pem/.crt fixture, except the three AES-encrypted Alipay texts', () => {
    const unknown = fixtures.filter((f) => f.info.kind === 'unknown').map((f) => f.rel).sort();
    assert.deepEqual(unknown, fixtures.filter((f) => AES_TEXT.test(f.rel)).map((f) => f.rel).sort());
    assert.equal(unknown.length, 3, 'the three test_*_aesEncryptText.crt files');
    assert.ok(byKind('private').length >= 8, `private keys: ${byKind('private').length}`);
    assert.ok(byKind('public').length >= 8, `public keys: ${byKind('public').length}`);
    assert.ok(byKind('certificates').length >= 7, `certificate files: ${byKind('certificates').length}`);
    assert.ok(issuedPairs.length >= 5, `certificate signature pairs found: ${issuedPairs.length}`);
  });
});

describe('private keys', () => {
  for (const f of byKind('private')) {
    it(`${f.rel} (${f.info.format}, ${f.info.label}) loads on both engines and in every reformatting`, () => {
      const nodeKey = f.info.node;
      const bits = nodeKey.asymmetricKeyDetails.modulusLength;
      const spki = crypto.createPublicKey(nodeKey).export({ type: 'spki', format: 'der' });
      const message = utf8('fixture private key 私钥 ✓');
      const expected = { sha256: crypto.sign('sha256', message, nodeKey), sha1: crypto.sign('sha1', message, nodeKey) };
      for (const engine of ENGINES) {
        const what = `${f.rel} as given, engine ${engine}`;
        const signer = new RsaSigner(f.text, { engine, role: 'fixture private key' });
        assert.equal(signer.engine, engine, what);
        assert.equal(signer.bits, bits, `${what}: bits`);
        assertBytesEqual(signer.publicKeySpki(), spki, `${what}: publicKeySpki()`);
        assertBytesEqual(signer.sign(message, 'sha256'), expected.sha256, `${what}: sha256 signature`);
        assertBytesEqual(signer.sign(message, 'sha1'), expected.sha1, `${what}: sha1 signature`);
      }
      for (const [name, text] of keyTextVariants(f.info.der, f.info.label)) {
        const what = `${f.rel} reformatted as ${name}`;
        let signer;
        try {
          signer = new RsaSigner(text, { engine: 'wasm' });
        } catch (error) {
          assert.fail(`${what}: refused (${error.code}: ${error.message})`);
        }
        assert.equal(signer.bits, bits, what);
        assertBytesEqual(signer.publicKeySpki(), spki, `${what}: publicKeySpki()`);
        assertBytesEqual(signer.sign(message), expected.sha256, `${what}: signature`);
        signer.free();
      }
    });
  }
});

describe('public keys', () => {
  for (const f of byKind('public')) {
    it(`${f.rel} (${f.info.format}, ${f.info.label}) loads on both engines and in every reformatting`, (t) => {
      const bits = f.info.node.asymmetricKeyDetails.modulusLength;
      const known = knownSignatures(spkiHex(f.info.node));
      if (known.length === 0) t.diagnostic(`no known signature for ${f.rel}: only its size can be compared with node`);
      for (const engine of ENGINES) {
        const what = `${f.rel} as given, engine ${engine}`;
        const verifier = new RsaVerifier(f.text, { engine, role: 'fixture public key' });
        assert.equal(verifier.engine, engine, what);
        assert.equal(verifier.bits, bits, `${what}: bits`);
        assertVerifiesKnown(verifier, known, what);
      }
      for (const [name, text] of keyTextVariants(f.info.der, f.info.label)) {
        const what = `${f.rel} reformatted as ${name}`;
        let verifier;
        try {
          verifier = new RsaVerifier(text, { engine: 'wasm' });
        } catch (error) {
          assert.fail(`${what}: refused (${error.code}: ${error.message})`);
        }
        assert.equal(verifier.bits, bits, what);
        assertVerifiesKnown(verifier, known, what);
        verifier.free();
      }
    });
  }
});

/** Compares one of our Certificates with node's X509Certificate and our own DER walk. */
function assertCertificateMatchesNode(ours, cert, what) {
  const { node, der, parts } = cert;
  assertBytesEqual(ours.der, der, `${what}: der`);
  assert.equal(ours.serialHex, stripHexLeadingZeroBytes(node.serialNumber), `${what}: serialHex`);
  assert.match(ours.serialHex, /^(?:[0-9A-F]{2})+$/, `${what}: serialHex is upper-case whole bytes`);
  assert.ok(!ours.serialHex.startsWith('00'), `${what}: serialHex has no leading zero byte`);
  assert.equal(ours.serialDecimal, BigInt(`0x${node.serialNumber}`).toString(10), `${what}: serialDecimal`);
  assert.equal(ours.notBefore, Date.parse(node.validFrom) / 1000, `${what}: notBefore (node: ${node.validFrom})`);
  assert.equal(ours.notAfter, Date.parse(node.validTo) / 1000, `${what}: notAfter (node: ${node.validTo})`);
  assert.equal(ours.signatureAlgorithm, parts.signatureAlgorithm, `${what}: signatureAlgorithm`);
  assert.equal(ours.publicKeyAlgorithm, parts.publicKeyAlgorithm, `${what}: publicKeyAlgorithm`);
  if (nodePublicKeyOf(node)) assert.equal(ours.publicKeyAlgorithm, RSA_OID, `${what}: node says RSA`);
  for (const field of ['subject', 'issuer']) {
    const expected = nodeDnToRfc2253(node[field]);
    if (expected !== null) assert.equal(ours[field], expected, `${what}: ${field} (node: ${JSON.stringify(node[field])})`);
    else assert.ok(ours[field].length > 0, `${what}: ${field} is not empty`);
  }
}

describe('certificates', () => {
  for (const f of byKind('certificates')) {
    const certs = allCerts.filter((c) => c.file === f.rel);
    it(`${f.rel} (${certs.length} certificate${certs.length > 1 ? 's' : ''}) parses like node's X509Certificate`, () => {
      const chain = Certificate.parseChain(f.text);
      assert.equal(chain.length, certs.length, 'parseChain length');
      chain.forEach((ours, i) => assertCertificateMatchesNode(ours, certs[i], `${f.rel}#${i}`));
      if (certs.length === 1) {
        assertCertificateMatchesNode(Certificate.parse(f.text), certs[0], `${f.rel} via parse()`);
      } else {
        const error = expectAggpayError(() => Certificate.parse(f.text), 'ERR_CERT_INVALID', `${f.rel}: parse() of a chain`);
        assert.match(error.message, new RegExp(String(certs.length)), 'the message says how many certificates were found');
      }
      // Every certificate alone, in every reformatting.
      for (const cert of certs) {
        for (const [name, text] of keyTextVariants(cert.der, 'CERTIFICATE')) {
          const what = `${f.rel}#${cert.index} reformatted as ${name}`;
          let ours;
          try {
            ours = Certificate.parse(text);
          } catch (error) {
            assert.fail(`${what}: refused (${error.code}: ${error.message})`);
          }
          assertBytesEqual(ours.der, cert.der, what);
          assert.equal(ours.serialHex, stripHexLeadingZeroBytes(cert.node.serialNumber), what);
        }
      }
      // The whole file with CRLF and with literal \n sequences.
      for (const [name, text] of [['CRLF', f.text.replace(/\r?\n/g, '\r\n')], ['literal \\n', f.text.replace(/\r?\n/g, '\\n')]]) {
        const again = Certificate.parseChain(text);
        assert.deepEqual(again.map((c) => hex(c.der)), certs.map((c) => hex(c.der)), `${f.rel} with ${name}`);
      }
    });

    it(`${f.rel} given whole to RsaVerifier uses the first certificate's key`, () => {
      const firstKey = nodePublicKeyOf(certs[0].node);
      if (!firstKey) {
        // e.g. alipayRootCert.crt starts with an SM2 root: no RSA key to use.
        for (const engine of ENGINES) {
          expectAggpayError(() => new RsaVerifier(f.text, { engine }), ['ERR_CERT_INVALID', 'ERR_KEY_INVALID'], `${f.rel}: first certificate is not RSA`);
        }
        return;
      }
      const firstSpki = spkiHex(firstKey);
      const exportedPem = firstKey.export({ type: 'spki', format: 'pem' });
      for (const engine of ENGINES) {
        const what = `${f.rel} whole file, engine ${engine}`;
        const fromFile = new RsaVerifier(f.text, { engine, role: 'certificate' });
        const fromNodeExport = new RsaVerifier(exportedPem, { engine });
        assert.equal(fromFile.bits, firstKey.asymmetricKeyDetails.modulusLength, `${what}: bits`);
        assert.equal(fromFile.bits, fromNodeExport.bits, what);
        // Certificate signatures tell keys apart: only the first certificate's key verifies what it signed.
        for (const pair of issuedPairs) {
          const expected = pair.issuerSpki === firstSpki;
          const { tbs, signature } = pair.subject.parts;
          const source = `${pair.subject.file}#${pair.subject.index} (signed by ${pair.issuer.file}#${pair.issuer.index})`;
          assert.equal(fromFile.verify(tbs, signature, pair.hash), expected, `${what}: verify ${source}`);
          assert.equal(fromNodeExport.verify(tbs, signature, pair.hash), expected, `${what}: node's export of the first key, verify ${source}`);
        }
        assertVerifiesKnown(fromFile, knownSignatures(firstSpki), what);
      }
    });
  }

  it('every certificate signature node verifies (self-signed or issuer → subject) verifies with RsaVerifier(issuer certificate) on both engines', () => {
    for (const { subject, issuer, hash } of issuedPairs) {
      const what = `${subject.file}#${subject.index} signed by ${issuer.file}#${issuer.index} (${hash})`;
      for (const engine of ENGINES) {
        const verifier = new RsaVerifier(toPem(issuer.der, 'CERTIFICATE'), { engine });
        assert.equal(verifier.verify(subject.parts.tbs, subject.parts.signature, hash), true, `${what}, engine ${engine}`);
        assert.equal(verifier.verify(subject.parts.tbs, flipBit(subject.parts.signature, 1), hash), false, `${what}, engine ${engine}, flipped`);
      }
    }
  });
});

describe('AES-encrypted Alipay test texts (not certificates)', () => {
  const signer = new RsaSigner(byKind('private')[0].text, { engine: 'wasm' });
  const reference = signer.sign('still works');
  for (const f of fixtures.filter((x) => AES_TEXT.test(x.rel))) {
    it(`${f.rel} is refused cleanly everywhere`, () => {
      expectAggpayError(() => Certificate.parse(f.text), 'ERR_CERT_INVALID', `${f.rel}: Certificate.parse`);
      expectAggpayError(() => Certificate.parseChain(f.text), 'ERR_CERT_INVALID', `${f.rel}: Certificate.parseChain`);
      for (const engine of ENGINES) {
        expectAggpayError(() => new RsaVerifier(f.text, { engine }), ['ERR_CERT_INVALID', 'ERR_KEY_INVALID'], `${f.rel}: RsaVerifier (${engine})`);
        expectAggpayError(() => new RsaSigner(f.text, { engine }), ['ERR_KEY_INVALID', 'ERR_CERT_INVALID'], `${f.rel}: RsaSigner (${engine})`);
      }
      assertBytesEqual(signer.sign('still works'), reference, 'the module still signs afterwards');
    });
  }
});

describe('Alipay certificate numbers (alipay/vectors.json)', () => {
  const vectors = readFixtureJson('alipay/vectors.json').vectors;
  const text = (rel) => fixtures.find((f) => f.rel === `alipay/${rel}`).text;
  const md5Hex = (s) => hex(primitives.md5(s));

  for (const v of vectors.filter((x) => x.kind === 'cert-sn')) {
    it(`cert-sn ${v.id}: issuer DN, decimal serial and SN`, () => {
      const chain = Certificate.parseChain(text(v.cert));
      const cert = v.cert_index !== undefined ? chain[Number(v.cert_index)] : Certificate.parse(text(v.cert));
      assert.equal(cert.issuer, v.issuer_dn, 'issuer');
      assert.equal(cert.serialDecimal, v.serial_decimal, 'serialDecimal');
      assert.equal(md5Hex(cert.issuer + cert.serialDecimal), v.expect, 'SN = md5(issuer + serialDecimal)');
      assert.equal(md5Hex(cert.issuer + cert.serialDecimal), crypto.createHash('md5').update(v.issuer_dn + v.serial_decimal).digest('hex'));
    });
  }

  for (const v of vectors.filter((x) => x.kind === 'root-cert-sn')) {
    it(`root-cert-sn ${v.id}: every part's signature algorithm, subject CN and SN`, () => {
      const chain = Certificate.parseChain(text(v.cert));
      assert.equal(chain.length, v.parts.length, 'number of certificates');
      const sns = [];
      v.parts.forEach((part, i) => {
        const cert = chain[i];
        assert.equal(cert.signatureAlgorithm, part.signature_algorithm_oid, `part ${i}: signatureAlgorithm`);
        assert.ok(cert.subject.startsWith(`CN=${part.subject_cn},`), `part ${i}: subject ${cert.subject} should start with CN=${part.subject_cn}`);
        assert.equal(cert.signatureAlgorithm.startsWith('1.2.840.113549.1.1'), part.included, `part ${i}: RSA family`);
        if (part.included) {
          assert.equal(md5Hex(cert.issuer + cert.serialDecimal), part.sn, `part ${i}: SN`);
          sns.push(part.sn);
        }
      });
      assert.equal(sns.join('_'), v.expect);
    });
  }

  for (const v of vectors.filter((x) => x.kind === 'cert-public-key')) {
    it(`cert-public-key ${v.id}: the certificate's key equals the published SPKI`, () => {
      const nodeCert = new crypto.X509Certificate(text(v.cert));
      assert.equal(nodeCert.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), v.expect, 'fixture sanity (node)');
      const fromCert = new RsaVerifier(text(v.cert));
      const fromSpki = new RsaVerifier(v.expect);
      assert.equal(fromCert.bits, fromSpki.bits);
      assert.equal(fromCert.bits, nodeCert.publicKey.asymmetricKeyDetails.modulusLength);
      // Neither RsaVerifier nor Certificate exposes the SPKI, so key identity is checked through known signatures when any exist.
      for (const known of knownSignatures(spkiHex(nodeCert.publicKey))) {
        assert.equal(fromCert.verify(known.message, known.signature, known.hash), true, known.source);
      }
    });
  }
});

it('AggpayError from this module is the class the package exports', () => {
  const error = expectAggpayError(() => Certificate.parse('not a certificate'), ['ERR_CERT_INVALID'], 'garbage certificate');
  assert.ok(error instanceof AggpayError);
});
