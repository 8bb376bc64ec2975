// Certificates for the stand-ins: minted with the `openssl` command (node:crypto reads certificates but cannot
// issue them), and Alipay's certificate serial numbers (SNs) computed with node:crypto. Node built-ins only.
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRsaKeys } from './signing.mjs';

const OPENSSL_TIMEOUT_MS = 30_000;

/**
 * Runs `work(run, file)` in a fresh private temporary directory, removed afterwards: `run(...args)` runs `openssl`
 * there (rejects on failure, with its stderr), `file(name)` is a path inside it. Resolves what `work` resolves.
 */
export async function withOpenssl(work) {
  const dir = await mkdtemp(join(tmpdir(), 'aggpay-sandbox-'));
  const file = (name) => join(dir, name);
  const run = (...args) =>
    new Promise((resolve, reject) =>
      execFile('openssl', args, { cwd: dir, timeout: OPENSSL_TIMEOUT_MS }, (e, stdout, stderr) =>
        e ? reject(new Error(`openssl ${args[0]}: ${stderr.trim() || e.message}`)) : resolve(stdout),
      ),
    );
  try {
    return await work(run, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A random positive serial: `bytes` bytes, the top bit clear and not zero (no sign byte, no leading zero). */
export const randomSerialHex = (bytes = 16) =>
  (crypto.randomInt(0x10, 0x80).toString(16) + crypto.randomBytes(bytes - 1).toString('hex')).toUpperCase();

/** The certificates of a PEM file, in file order, each as its own PEM block. */
export const pemBlocks = (text) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)?.map((b) => b.trimEnd() + '\n') ?? [];

/**
 * Alipay's certificate SN: lower-case hex MD5 of the issuer DN as Java's X500Principal.getName() writes it (RDNs
 * from the last to the first, `SHORT=value`, joined with `,` and no space) followed by the serial in decimal.
 * node:crypto lists the issuer one RDN a line in DER order, already escaped as RFC 2253 escapes.
 */
export function alipayCertSn(pem) {
  const cert = new crypto.X509Certificate(pem);
  const issuer = cert.issuer.split('\n').reverse().join(',');
  return crypto.createHash('md5').update(issuer + BigInt(`0x${cert.serialNumber}`).toString(10), 'utf8').digest('hex');
}

/** `alipay_root_cert_sn`: the SNs of the RSA-signed certificates of the root file, in file order, joined with `_`. */
export function alipayRootCertSn(rootFile) {
  return pemBlocks(rootFile)
    .filter((pem) => /^sha\d*WithRSAEncryption$/i.test(signatureAlgorithm(pem)))
    .map(alipayCertSn)
    .join('_');
}

/** The signature algorithm of a certificate, as openssl names it, read from the DER (node:crypto does not say). */
function signatureAlgorithm(pem) {
  const der = Buffer.from(new crypto.X509Certificate(pem).raw);
  /** The DER element at `at`: where its content starts and ends. */
  const element = (at) => {
    const first = der[at + 1];
    const lengthBytes = first < 0x80 ? 0 : first & 0x7f;
    const length = first < 0x80 ? first : der.subarray(at + 2, at + 2 + lengthBytes).reduce((n, b) => n * 256 + b, 0);
    const start = at + 2 + lengthBytes;
    return { start, end: start + length };
  };
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE { OID, … }, signature }
  const tbs = element(element(0).start);
  const oid = element(element(tbs.end).start);
  return {
    '2a864886f70d010105': 'sha1WithRSAEncryption', '2a864886f70d01010b': 'sha256WithRSAEncryption',
    '2a864886f70d01010c': 'sha384WithRSAEncryption', '2a864886f70d01010d': 'sha512WithRSAEncryption',
  }[der.subarray(oid.start, oid.end).toString('hex')] ?? 'other';
}

const CA_EXT = 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n';
const LEAF_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n';
const ROOT = '/C=CN/O=aggpay sandbox/OU=Certification Authority/CN=aggpay sandbox Alipay Root CA R1';
const ROOT_2 = '/C=CN/O=aggpay sandbox/OU=Certification Authority/CN=aggpay sandbox Alipay Root CA R2';
const ROOT_EC = '/C=CN/O=aggpay sandbox/OU=Certification Authority/CN=aggpay sandbox Alipay Root CA E1';
const INTERMEDIATE = '/C=CN/O=aggpay sandbox/OU=Certification Authority/CN=aggpay sandbox Alipay Class 2 R1';

const pkcs8 = (key) => key.export({ type: 'pkcs8', format: 'pem' });
const spki = (key) => (key instanceof crypto.KeyObject ? key : crypto.createPublicKey(key)).export({ type: 'spki', format: 'pem' });

/**
 * An Alipay-like PKI for certificate mode, the way Alipay's files come: a root file of three roots (two
 * RSA-signed, one ECDSA that the root SN leaves out, as Alipay's own file mixes algorithms), an intermediate CA
 * (marked as a CA, unlike Alipay's sandbox one, so that aggpay's rotation check accepts what it issues) and
 * Alipay's certificate (`subject`) under it. Resolves `{ rootPem, issue, alipay }`: `issue(subject, publicKey,
 * days?)` mints another leaf under the intermediate (a rotated Alipay certificate, an app certificate) and
 * resolves `{ pem, chainPem, sn }`; `alipay` is the first Alipay certificate with its `privateKey`.
 */
export async function mintAlipayPki(subject) {
  const [root, root2, intermediate, alipay] = await Promise.all([generateRsaKeys(), generateRsaKeys(), generateRsaKeys(), generateRsaKeys()]);
  const rootEc = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { rootPem, intermediatePem } = await withOpenssl(async (run, file) => {
    await Promise.all([
      writeFile(file('root.key'), pkcs8(root.privateKey), { mode: 0o600 }),
      writeFile(file('root2.key'), pkcs8(root2.privateKey), { mode: 0o600 }),
      writeFile(file('rootec.key'), pkcs8(rootEc.privateKey), { mode: 0o600 }),
      writeFile(file('int.pub'), spki(intermediate.publicKey)),
      writeFile(file('ca.ext'), CA_EXT),
    ]);
    const selfSigned = (key, subj, out) => run('req', '-x509', '-new', '-key', file(key), '-subj', subj, '-sha256', '-days', '7300',
      '-set_serial', `0x${randomSerialHex()}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file(out));
    await Promise.all([selfSigned('root.key', ROOT, 'root.pem'), selfSigned('root2.key', ROOT_2, 'root2.pem'), selfSigned('rootec.key', ROOT_EC, 'rootec.pem')]);
    await run('x509', '-new', '-force_pubkey', file('int.pub'), '-subj', INTERMEDIATE, '-CA', file('root.pem'), '-CAkey', file('root.key'),
      '-set_serial', `0x${randomSerialHex()}`, '-days', '3650', '-sha256', '-extfile', file('ca.ext'), '-out', file('int.pem'));
    const read = (name) => readFile(file(name), 'utf8');
    const [r1, r2, re, int] = await Promise.all([read('root.pem'), read('root2.pem'), read('rootec.pem'), read('int.pem')]);
    return { rootPem: r1 + re + r2, intermediatePem: int };
  });
  const intermediateKey = pkcs8(intermediate.privateKey);

  /** A leaf for `publicKey` under the intermediate: `{ pem, chainPem (leaf + intermediate), sn }`. */
  async function issue(subj, publicKey, days = 365) {
    const pem = await withOpenssl(async (run, file) => {
      await Promise.all([
        writeFile(file('int.key'), intermediateKey, { mode: 0o600 }),
        writeFile(file('int.pem'), intermediatePem),
        writeFile(file('leaf.pub'), spki(publicKey)),
        writeFile(file('leaf.ext'), LEAF_EXT),
      ]);
      await run('x509', '-new', '-force_pubkey', file('leaf.pub'), '-subj', subj, '-CA', file('int.pem'), '-CAkey', file('int.key'),
        '-set_serial', `0x${randomSerialHex()}`, '-days', String(days), '-sha256', '-extfile', file('leaf.ext'), '-out', file('leaf.pem'));
      return readFile(file('leaf.pem'), 'utf8');
    });
    return { pem, chainPem: pem + intermediatePem, sn: alipayCertSn(pem) };
  }

  return { rootPem, issue, alipay: { ...(await issue(subject, alipay.publicKey)), privateKey: alipay.privateKey } };
}
