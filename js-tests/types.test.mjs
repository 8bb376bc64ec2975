// pkg/types/index.d.ts: a strict TypeScript consumer type-checks against it (node16 and bundler
// resolution, ESM and CommonJS consumers), and every runtime export (and every method, getter and
// primitive) is declared, and every declared value exists at runtime.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import * as runtime from 'aggpay';
import { makeTempDir, pkgDir, removeDir, repoRoot, run } from './helpers.mjs';

const TSC = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const DTS = path.join(pkgDir, 'types', 'index.d.ts');

/** Uses the foundation API the way an application would; the @ts-expect-error lines must stay errors. */
const CONSUMER = `
import { AggpayError, Certificate, RsaSigner, RsaVerifier, primitives } from 'aggpay';
import type { AggpayErrorCode, BytesInput, Engine, HashName, KeyOptions } from 'aggpay';

const options: KeyOptions = { engine: 'wasm', role: 'app private key' };
const signer = new RsaSigner('-----BEGIN PRIVATE KEY-----', options);
const hash: HashName = 'sha1';
const signature: Uint8Array = signer.sign('message', hash);
const signatureOfBytes: Uint8Array = signer.sign(new Uint8Array([1, 2, 3]));
const signatureOfBuffer: Uint8Array = signer.sign(new ArrayBuffer(3));
const plaintext: Uint8Array = signer.decryptOaep(signature);
const spki: Uint8Array = signer.publicKeySpki();
const bits: number = signer.bits;
const where: 'node' | 'wasm' = signer.engine;
signer.free();

const engine: Engine = 'auto';
const verifier = new RsaVerifier('-----BEGIN PUBLIC KEY-----', { engine });
const valid: boolean = verifier.verify('message', signature, 'sha256');
const oaep: Uint8Array = verifier.encryptOaep('secret');
const pkcs1: Uint8Array = verifier.encryptPkcs1v15(new Uint8Array(4));
const verifierBits: number = verifier.bits;

const certificate: Certificate = Certificate.parse('-----BEGIN CERTIFICATE-----');
const chain: Certificate[] = Certificate.parseChain('-----BEGIN CERTIFICATE-----');
const facts: [string, string, string, string, number, number, string, string, Uint8Array] = [
  certificate.serialDecimal, certificate.serialHex, certificate.issuer, certificate.subject,
  certificate.notBefore, certificate.notAfter, certificate.signatureAlgorithm, certificate.publicKeyAlgorithm, certificate.der,
];

const input: BytesInput = 'text';
const digests: Uint8Array[] = [
  primitives.md5(input), primitives.sha256(input), primitives.hmacSha256('key', input),
  primitives.aesGcmDecrypt('k', 'n', 'aad', input), primitives.aesCbcEncrypt('k', 'iv', input),
  primitives.aesCbcDecrypt('k', 'iv', input), primitives.aesEcbDecrypt('k', input),
];
const same: boolean = primitives.timingSafeEqual('a', 'b');

try {
  new RsaSigner('x');
} catch (error) {
  if (error instanceof AggpayError) {
    const code: AggpayErrorCode = error.code;
    const name: 'AggpayError' = error.name;
    const message: string = error.message;
    const sub: string | undefined = error.subCode;
    const isError: Error = error;
    void [code, name, message, sub, isError];
  }
}

// The declarations must stay strict enough to catch these mistakes.
// @ts-expect-error an unknown engine name
new RsaSigner('x', { engine: 'openssl' });
// @ts-expect-error the key text is a string, not a Buffer-like number
new RsaSigner(42);
// @ts-expect-error messages are strings or bytes
signer.sign(42);
// @ts-expect-error only sha256 and sha1
signer.sign('m', 'md5');
// @ts-expect-error verify returns a boolean
const notString: string = verifier.verify('m', signature);
// @ts-expect-error Certificate has no public constructor
new Certificate();
// @ts-expect-error primitives is read-only
primitives.md5 = primitives.sha256;
// @ts-expect-error bits is read-only
signer.bits = 1;

void [signatureOfBytes, signatureOfBuffer, plaintext, spki, bits, where, valid, oaep, pkcs1, verifierBits, chain, facts, digests, same, notString];
export {};
`;

/** The same from a CommonJS TypeScript file (the package supports require() at runtime). */
const CJS_CONSUMER = `
import { RsaSigner, AggpayError } from 'aggpay';
const signer = new RsaSigner('-----BEGIN PRIVATE KEY-----');
const signature: Uint8Array = signer.sign('message');
const isError: boolean = new AggpayError('x') instanceof Error;
void [signature, isError];
export {};
`;

let dir;

before(() => {
  dir = makeTempDir('types');
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(pkgDir, path.join(dir, 'node_modules', 'aggpay'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'types-consumer', private: true, type: 'module' }));
  fs.writeFileSync(path.join(dir, 'consumer.ts'), CONSUMER);
  fs.writeFileSync(path.join(dir, 'consumer-cjs.cts'), CJS_CONSUMER);
});

after(() => removeDir(dir));

/** Runs tsc --noEmit --strict on `files` with `compilerOptions`; resolves tsc's output, rejects with it. */
async function typeCheck(name, files, compilerOptions) {
  const config = path.join(dir, `tsconfig.${name}.json`);
  fs.writeFileSync(config, JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: [],
      skipLibCheck: false, // check index.d.ts itself too
      noUnusedLocals: false,
      ...compilerOptions,
    },
    files,
  }, null, 2));
  try {
    await run(process.execPath, [TSC, '--noEmit', '--strict', '-p', config], { cwd: dir, timeout: 120_000 });
  } catch (error) {
    assert.fail(`tsc (${name}) reported errors:\n${error.message}`);
  }
}

describe('pkg/types/index.d.ts', () => {
  it('exists and is the package\'s "types"', () => {
    assert.ok(fs.existsSync(DTS), `${DTS} does not exist yet`);
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    assert.equal(pkg.types, './types/index.d.ts');
    assert.deepEqual(pkg.exports['.'].types, { require: './types/index.d.cts', default: './types/index.d.ts' });
    assert.equal(Object.keys(pkg.exports['.'])[0], 'types', '"types" must be the first condition');
  });

  it('a strict ESM consumer type-checks with module/moduleResolution node16', { timeout: 120_000 }, async () => {
    await typeCheck('node16', ['consumer.ts'], { module: 'node16', moduleResolution: 'node16' });
  });

  it('a strict ESM consumer type-checks with moduleResolution bundler', { timeout: 120_000 }, async () => {
    await typeCheck('bundler', ['consumer.ts'], { module: 'esnext', moduleResolution: 'bundler' });
  });

  it('a strict CommonJS consumer (.cts, module node16) type-checks: require() works at runtime, so the types must allow it', { timeout: 120_000 }, async () => {
    await typeCheck('node16-cjs', ['consumer-cjs.cts'], { module: 'node16', moduleResolution: 'node16' });
  });

  it('every runtime export, method, getter, static and primitive is declared; every declared value exists at runtime', () => {
    const program = ts.createProgram([DTS], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [] });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(DTS);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    assert.ok(moduleSymbol, 'index.d.ts is a module');
    const declared = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));
    const runtimeNames = Object.keys(runtime).filter((n) => n !== 'default');

    const missing = runtimeNames.filter((n) => !declared.has(n) || !(declared.get(n).flags & ts.SymbolFlags.Value));
    assert.deepEqual(missing, [], 'runtime exports without a value declaration');
    const declaredValues = [...declared.values()].filter((s) => s.flags & ts.SymbolFlags.Value).map((s) => s.name);
    assert.deepEqual(declaredValues.filter((n) => !runtimeNames.includes(n)), [], 'declared values missing at runtime');

    const propertyNames = (type) => new Set(checker.getPropertiesOfType(type).map((p) => p.name));
    const problems = [];
    for (const name of runtimeNames) {
      const value = runtime[name];
      const symbol = declared.get(name);
      if (typeof value === 'function' && value.prototype && symbol.flags & ts.SymbolFlags.Class) {
        const instanceMembers = propertyNames(checker.getDeclaredTypeOfSymbol(symbol));
        const staticMembers = propertyNames(checker.getTypeOfSymbolAtLocation(symbol, source));
        const ownNames = (o) => Object.getOwnPropertyNames(o).filter((n) => !n.startsWith('__'));
        for (const member of ownNames(value.prototype).filter((n) => n !== 'constructor')) {
          if (!instanceMembers.has(member)) problems.push(`${name}.prototype.${member}`);
        }
        for (const member of ownNames(value).filter((n) => !['length', 'name', 'prototype'].includes(n))) {
          if (!staticMembers.has(member)) problems.push(`${name}.${member} (static)`);
        }
      } else if (value && typeof value === 'object') {
        const members = propertyNames(checker.getTypeOfSymbolAtLocation(symbol, source));
        for (const member of Object.keys(value)) if (!members.has(member)) problems.push(`${name}.${member}`);
        const runtimeKeys = new Set(Object.keys(value));
        for (const member of members) if (!runtimeKeys.has(member)) problems.push(`${name}.${member} declared but missing at runtime`);
      }
    }
    assert.deepEqual(problems, [], 'runtime members not declared in index.d.ts (or declared and missing)');
  });
});
