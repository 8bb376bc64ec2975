// Every JS snippet in the README compiles under `tsc --strict` against the package's declarations,
// as a TypeScript module. The snippets use names a reader's code would have (keys, the raw body, the
// HTTP response): READER declares those, and only those; anything else a snippet uses must come
// from the snippet itself or from 'aggpay'.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { makeLinkedProject, removeDir, repoRoot, run } from './helpers.mjs';

const TSC = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** The reader's own values the snippets refer to. */
const READER = `
declare const appPrivateKeyPem: string, appPublicKeyPem: string, somePublicKeyPem: string;
declare const appId: string, privateKey: string, alipayPublicKey: string, useepayPublicKey: string;
declare const appCertPem: string, alipayCertPem: string, alipayRootCertPem: string;
declare const merchantNo: string, appSecret: string, code: string, jsCode: string;
declare const rawBody: string | Uint8Array, rawUseePayBody: string | Uint8Array;
declare const res: { writeHead(status: number, headers: Record<string, string>): { end(body: string): void } };
declare const mchid: string, merchantSerialNo: string, apiV3Key: string, wechatpayPublicKey: string, buyerOpenid: string;
declare const req: { headers: Record<string, string | string[] | undefined> };
`;

/** The ```js blocks of the README, in order. */
function snippets() {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  return [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

let dir;
before(() => {
  dir = makeLinkedProject('readme', 'readme-snippets');
});
after(() => removeDir(dir));

it('every ```js snippet in the README compiles under tsc --strict', { timeout: 180_000 }, async () => {
  const blocks = snippets();
  assert.ok(blocks.length >= 4, `found ${blocks.length} snippets`);
  const files = blocks.map((code, i) => {
    // A block that starts with a file name (`// src/index.mjs`) is a file a reader saves as it is: it is
    // checked as that JavaScript file (JSDoc types, checkJs), on its own, without READER.
    if (/^\/\/ [\w./-]+\.mjs\n/.test(code)) {
      const file = `snippet-${i + 1}.mjs`;
      fs.writeFileSync(path.join(dir, file), code);
      return file;
    }
    const file = `snippet-${i + 1}.mts`;
    // The reader's declarations go after the snippet's imports (a module's imports come first).
    const imports = code.split('\n').filter((l) => l.startsWith('import '));
    const body = code.split('\n').filter((l) => !l.startsWith('import '));
    fs.writeFileSync(path.join(dir, file), `${imports.join('\n')}\n${READER}\n${body.join('\n')}\nexport {};\n`);
    return file;
  });
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', allowJs: true, checkJs: true,
      lib: ['es2022', 'dom'], types: [], noUnusedLocals: false,
    },
    files,
  }));
  try {
    await run(process.execPath, [TSC, '-p', path.join(dir, 'tsconfig.json')], { cwd: dir, timeout: 170_000 });
  } catch (error) {
    assert.fail(`README snippets do not compile under tsc --strict:\n${error.message}`);
  }
});
