// The README's first example runs as written and prints what the README says it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { run } from './helpers.mjs';

test('examples/sign-and-verify.mjs runs: node engine, verifies, refuses the tampered message and the wrong key', async () => {
  const script = fileURLToPath(new URL('../examples/sign-and-verify.mjs', import.meta.url));
  const { stdout } = await run(process.execPath, [script], { timeout: 60_000 });
  const lines = stdout.trim().split('\n');
  assert.match(lines[0], /^engine: node \| signature: [A-Za-z0-9+/]{24}…$/);
  assert.deepEqual(lines.slice(1, 4), ['verifies: true', 'tampered verifies: false', 'async, as bytes: true | same signature: true']);
  assert.match(lines[4], /^refused: ERR_KEY_INVALID - app private key: found a public key/);
});
