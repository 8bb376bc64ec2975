// The README's first example: load keys once, sign, verify, and read a certificate.
// Run: node examples/sign-and-verify.mjs   (after `bash scripts/build.sh`)
import { generateKeyPairSync } from 'node:crypto';
import { RsaSigner, RsaVerifier, AggpayError } from 'aggpay';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = new RsaSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }), { role: 'app private key' });
const verifier = new RsaVerifier(publicKey.export({ type: 'spki', format: 'pem' }));

const signature = signer.sign('app_id=2021000122671080&method=alipay.trade.query', 'sha256');
console.log('engine:', signer.engine, '| signature:', Buffer.from(signature).toString('base64').slice(0, 24) + '…');
console.log('verifies:', verifier.verify('app_id=2021000122671080&method=alipay.trade.query', signature));
console.log('tampered verifies:', verifier.verify('app_id=2021000122671080&method=alipay.trade.close', signature));

try {
  new RsaSigner(publicKey.export({ type: 'spki', format: 'pem' }), { role: 'app private key' });
} catch (err) {
  if (!(err instanceof AggpayError)) throw err;
  console.log('refused:', err.code, '-', err.message);
}
