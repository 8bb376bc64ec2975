// The README's first example: load keys once, sign, verify (base64 text and raw bytes, synchronously
// and asynchronously), and refuse a key of the wrong kind.
// Run: node examples/sign-and-verify.mjs   (after `bash scripts/build.sh`)
import { generateKeyPairSync } from 'node:crypto';
import { RsaSigner, RsaVerifier, AggpayError } from 'aggpay';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = new RsaSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }), { role: 'app private key' });
const verifier = new RsaVerifier(publicKey.export({ type: 'spki', format: 'pem' }));

const message = 'app_id=2021000122671080&method=alipay.trade.query';
const sign = signer.signBase64(message, 'sha256');
console.log('engine:', signer.engine, '| signature:', sign.slice(0, 24) + '…');
console.log('verifies:', verifier.verifyBase64(message, sign));
console.log('tampered verifies:', verifier.verifyBase64('app_id=2021000122671080&method=alipay.trade.close', sign));
const bytes = await signer.signAsync(message);
console.log('async, as bytes:', await verifier.verifyAsync(message, bytes), '| same signature:', Buffer.from(bytes).toString('base64') === sign);

try {
  new RsaSigner(publicKey.export({ type: 'spki', format: 'pem' }), { role: 'app private key' });
} catch (err) {
  if (!(err instanceof AggpayError)) throw err;
  console.log('refused:', err.code, '-', err.message);
}
