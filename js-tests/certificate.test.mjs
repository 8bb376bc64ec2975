// Certificate on certificates built here, byte by byte, to reach what the fixtures do not: RFC 2253
// escaping, multi-valued RDNs, DC/UID/STREET keywords, other attributes as OID=#hex (Java's
// X500Principal.getName()), serials with a high bit / 20 bytes, UTCTime vs GeneralizedTime bounds.
// node:crypto signs them and parses them too (the reference for serials and dates).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { Certificate, RsaVerifier } from 'aggpay';
import { assertBytesEqual, ctx, makeRng, rsaKeyPair, stripHexLeadingZeroBytes, toPem, utf8 } from './helpers.mjs';

// --- a minimal DER encoder --------------------------------------------------------------------
const length = (n) => (n < 0x80 ? Buffer.of(n) : (() => {
  const bytes = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
})());
const tlv = (tag, ...contents) => {
  const body = Buffer.concat(contents.map((c) => Buffer.from(c)));
  return Buffer.concat([Buffer.of(tag), length(body.length), body]);
};
const seq = (...c) => tlv(0x30, ...c);
const setOf = (...c) => tlv(0x31, ...[...c].sort(Buffer.compare)); // DER: SET OF sorted by encoding
const oid = (dotted) => {
  const [a, b, ...rest] = dotted.split('.').map(BigInt);
  const out = [];
  for (const arc of [a * 40n + b, ...rest]) {
    const bytes = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) bytes.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
};
const STRING_TAG = { utf8: 0x0c, printable: 0x13, ia5: 0x16 };
const OIDS = {
  CN: '2.5.4.3', C: '2.5.4.6', L: '2.5.4.7', ST: '2.5.4.8', O: '2.5.4.10', OU: '2.5.4.11', STREET: '2.5.4.9',
  serialNumber: '2.5.4.5', DC: '0.9.2342.19200300.100.1.25', UID: '0.9.2342.19200300.100.1.1', emailAddress: '1.2.840.113549.1.9.1',
};
/** [type, value, stringKind?] → AttributeTypeAndValue */
const ava = ([type, value, kind = 'utf8']) => seq(oid(OIDS[type] ?? type), tlv(STRING_TAG[kind], utf8(value)));
/** A Name from RDNs in DER order; an RDN is one AVA or an array of AVAs (multi-valued). */
const name = (rdns) => seq(...rdns.map((rdn) => (Array.isArray(rdn[0]) ? setOf(...rdn.map(ava)) : setOf(ava(rdn)))));
const time = (text) => tlv(text.length === 13 ? 0x17 : 0x18, Buffer.from(text, 'ascii')); // UTCTime YYMMDDhhmmssZ, else GeneralizedTime

const SHA256_RSA = '1.2.840.113549.1.1.11';

/** A certificate signed (self-issued) by `pair`: DER bytes. */
function buildCertificate(pair, { serial, subject, issuer = subject, notBefore, notAfter }) {
  const algorithm = seq(oid(SHA256_RSA), Buffer.of(0x05, 0x00));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.of(2))), // version v3
    tlv(0x02, Buffer.from(serial)),
    algorithm,
    name(issuer),
    seq(time(notBefore), time(notAfter)),
    name(subject),
    pair.spkiDer,
  );
  return seq(tbs, algorithm, tlv(0x03, Buffer.of(0), crypto.sign('sha256', tbs, pair.privateKey)));
}

const hexOf = (buf) => Buffer.from(buf).toString('hex');
const avaValueHex = ([, value, kind = 'utf8']) => hexOf(tlv(STRING_TAG[kind], utf8(value)));

describe('Certificate on generated certificates', () => {
  const pair = rsaKeyPair(1024);
  const base = { serial: [0x01], notBefore: '000101000000Z', notAfter: '991231235959Z' };

  const dnCases = [
    {
      what: 'RFC 2253 special characters are backslash-escaped',
      subject: [['C', 'CN', 'printable'], ['O', 'Widgits, Inc.'], ['OU', 'a+b'], ['CN', 'Quote " Back \\ <tag>;']],
      expected: 'CN=Quote \\" Back \\\\ \\<tag\\>\\;,OU=a\\+b,O=Widgits\\, Inc.,C=CN',
    },
    {
      what: 'a leading "#", a leading space and a trailing space are escaped',
      subject: [['O', '#hash'], ['OU', ' lead'], ['CN', 'trail ']],
      expected: 'CN=trail\\ ,OU=\\ lead,O=\\#hash',
    },
    {
      what: 'a multi-valued RDN is joined with "+" in its DER order, inside the reversed RDN sequence',
      subject: [['C', 'CN', 'printable'], [['CN', 'left'], ['OU', 'righ']], ['O', 'Org']],
      expected: 'O=Org,CN=left+OU=righ,C=CN',
    },
    {
      what: 'STREET, DC and UID use their keywords; L and ST too',
      subject: [['DC', 'com', 'ia5'], ['DC', 'example', 'ia5'], ['ST', 'Zhejiang'], ['L', 'Hangzhou'], ['STREET', '1 Main St'], ['UID', 'user1']],
      expected: 'UID=user1,STREET=1 Main St,L=Hangzhou,ST=Zhejiang,DC=example,DC=com',
    },
    {
      what: 'other attributes (emailAddress, serialNumber) are OID=#hex of the DER value (Java prints lower-case hex)',
      subject: [['C', 'CN', 'printable'], ['serialNumber', '1234', 'printable'], ['emailAddress', 'pay@example.com', 'ia5'], ['CN', 'with email']],
      expected: `CN=with email,1.2.840.113549.1.9.1=#${avaValueHex(['emailAddress', 'pay@example.com', 'ia5'])},2.5.4.5=#${avaValueHex(['serialNumber', '1234', 'printable'])},C=CN`,
    },
    {
      what: 'non-ASCII UTF-8 values are kept as they are',
      subject: [['C', 'CN', 'printable'], ['O', '支付宝(中国)网络技术有限公司'], ['CN', 'Ünïcödé 😀']],
      expected: 'CN=Ünïcödé 😀,O=支付宝(中国)网络技术有限公司,C=CN',
    },
  ];

  for (const c of dnCases) {
    it(`DN: ${c.what}`, () => {
      const issuer = [['C', 'CN', 'printable'], ['CN', 'Issuer']];
      const der = buildCertificate(pair, { ...base, subject: c.subject, issuer });
      new crypto.X509Certificate(der); // node parses what we built
      const cert = Certificate.parse(der.toString('base64'));
      assert.equal(cert.subject, c.expected);
      assert.equal(cert.issuer, 'CN=Issuer,C=CN');
      const decimalSerial = BigInt(`0x${new crypto.X509Certificate(der).serialNumber}`).toString(10);
      assert.equal(cert.alipayCertSn, crypto.createHash('md5').update(`CN=Issuer,C=CN${decimalSerial}`).digest('hex'), "Alipay's SN: MD5 of the issuer and the decimal serial");
      assertBytesEqual(cert.der, der, 'der');
    });
  }

  const rng = makeRng('certificate-serials');
  const serialCases = [
    ['a one-byte serial', [0x01]],
    ['a serial with the high bit set (DER adds a 00 byte)', [0x00, 0x80, 0x01]],
    ['a 20-byte serial (the RFC 5280 maximum)', [0x5f, ...rng.bytes(19)]],
    ['a 16-byte serial with a leading 00 byte', [0x00, 0xff, ...rng.bytes(14)]],
  ];
  for (const [what, serial] of serialCases) {
    it(`serial: ${what}`, () => {
      const der = buildCertificate(pair, { ...base, serial, subject: [['CN', 'serial']] });
      const node = new crypto.X509Certificate(der);
      const cert = Certificate.parse(toPem(der, 'CERTIFICATE'));
      const hexSerial = Buffer.from(serial).toString('hex').toUpperCase().replace(/^(00)+(?=..)/, '');
      assert.equal(cert.serialHex, hexSerial, ctx(`serialHex of ${Buffer.from(serial).toString('hex')}`));
      assert.equal(cert.serialHex, stripHexLeadingZeroBytes(node.serialNumber), 'same as node');
      assert.equal(cert.serialDecimal, BigInt(`0x${hexSerial}`).toString(10), 'serialDecimal');
    });
  }

  const timeCases = [
    ['UTCTime 2000 → UTCTime 2049 (last UTCTime year)', '000101000000Z', '491231235959Z', 946684800, 2524607999],
    ['UTCTime 1970 → GeneralizedTime 2050', '700101000000Z', '20500101000000Z', 0, 2524608000],
    ['GeneralizedTime 99991231235959Z (no well-defined expiry, RFC 5280)', '20200229120000Z', '99991231235959Z', 1582977600, 253402300799],
  ];
  for (const [what, notBefore, notAfter, expectedBefore, expectedAfter] of timeCases) {
    it(`validity: ${what}`, () => {
      const der = buildCertificate(pair, { ...base, notBefore, notAfter, subject: [['CN', 'time']] });
      const node = new crypto.X509Certificate(der);
      const cert = Certificate.parse(toPem(der, 'CERTIFICATE'));
      assert.equal(cert.notBefore, expectedBefore, 'notBefore');
      assert.equal(cert.notAfter, expectedAfter, 'notAfter');
      assert.equal(cert.notBefore, Date.parse(node.validFrom) / 1000, `notBefore like node (${node.validFrom})`);
      assert.equal(cert.notAfter, Date.parse(node.validTo) / 1000, `notAfter like node (${node.validTo})`);
    });
  }

  it("RsaVerifier(certificate) uses the certificate's key: verifies its own signature and one by the key pair", () => {
    const der = buildCertificate(pair, { ...base, subject: [['CN', 'self']] });
    const message = utf8('signed by the certificate key');
    const signature = crypto.sign('sha256', message, pair.privateKey);
    for (const engine of ['wasm', 'node']) {
      const verifier = new RsaVerifier(toPem(der, 'CERTIFICATE'), { engine });
      assert.equal(verifier.bits, 1024);
      assert.equal(verifier.verify(message, signature), true, engine);
      assert.equal(verifier.verify(utf8('other'), signature), false, engine);
    }
    const cert = Certificate.parse(der.toString('base64'));
    assert.equal(cert.signatureAlgorithm, SHA256_RSA);
    assert.equal(cert.publicKeyAlgorithm, '1.2.840.113549.1.1.1');
  });
});
