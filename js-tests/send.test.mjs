// send(): every failure is an AggpayError naming the method and the URL without its query string —
// ERR_TIMEOUT, ERR_NETWORK, ERR_HTTP_STATUS (with .status) — and provider replies come back raw.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AggpayError, send } from 'aggpay';

const SECRET_QUERY = 'app_auth_token=SECRET-TOKEN&sign=SECRET-SIGN';
let server;
let base;
const pending = new Set();

before(async () => {
  let served = 0;
  server = http.createServer((req, res) => {
    served += 1;
    if (served > 50) return res.destroy(); // bounded
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/html502') return res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
    if (path === '/json400') return res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":"invalid-parameter","message":"x"}');
    if (path === '/ok') return res.writeHead(200, { 'content-type': 'application/json', 'x-a': '1' }).end('{"ok":true}');
    if (path === '/silent') {
      pending.add(res); // never answers
      return undefined;
    }
    return res.writeHead(404).end('');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  for (const res of pending) res.destroy();
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
});

const request = (path, method = 'POST') => ({ method, url: `${base}${path}?${SECRET_QUERY}`, headers: { 'content-type': 'application/json' }, body: '{}' });

async function rejectsWith(promise, code, check) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AggpayError, `an AggpayError, not ${error?.constructor?.name}: ${error?.message}`);
    assert.equal(error.code, code, error.message);
    assert.ok(!error.message.includes('SECRET'), `no query string in: ${error.message}`);
    check?.(error);
    return;
  }
  assert.fail(`expected ${code}`);
}

describe('send()', () => {
  it('returns a 2xx reply and a non-2xx JSON reply (the provider speaking) as they came', async () => {
    const ok = await send(request('/ok'));
    assert.deepEqual([ok.status, ok.body, ok.headers['x-a']], [200, '{"ok":true}', '1']);
    const refused = await send(request('/json400'));
    assert.deepEqual([refused.status, JSON.parse(refused.body).code], [400, 'invalid-parameter']);
  });

  it('a non-2xx reply that is not JSON is ERR_HTTP_STATUS carrying the status (raw: true returns it)', async () => {
    await rejectsWith(send(request('/html502')), 'ERR_HTTP_STATUS', (e) => {
      assert.equal(e.status, 502);
      assert.match(e.message, /POST http:\/\/127\.0\.0\.1:\d+\/html502 answered HTTP 502/);
    });
    const raw = await send(request('/html502'), { raw: true });
    assert.equal(raw.status, 502);
    assert.match(raw.body, /Bad Gateway/);
  });

  it('no reply within timeoutMs is ERR_TIMEOUT', async () => {
    await rejectsWith(send(request('/silent'), { timeoutMs: 200 }), 'ERR_TIMEOUT', (e) => assert.match(e.message, /within 200 ms/));
  });

  it('a refused connection is ERR_NETWORK naming the reason', async () => {
    const closed = http.createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address();
    await new Promise((resolve) => closed.close(resolve));
    await rejectsWith(send({ method: 'GET', url: `http://127.0.0.1:${port}/x?${SECRET_QUERY}`, headers: {} }), 'ERR_NETWORK', (e) => {
      assert.match(e.message, /ECONNREFUSED/);
    });
  });

  it('a custom fetch: its failures are ERR_NETWORK, plain-object headers are read, bad options are ERR_BAD_INPUT', async () => {
    const fake = async () => ({ status: 200, headers: { 'x-b': '2' }, text: async () => '{}' });
    assert.deepEqual(await send(request('/ok'), { fetch: fake }), { status: 200, headers: { 'x-b': '2' }, body: '{}' });
    const failing = async () => {
      throw new TypeError('boom');
    };
    await rejectsWith(send(request('/ok'), { fetch: failing }), 'ERR_NETWORK');
    for (const timeoutMs of [0, -1, Number.NaN, '100', Infinity]) {
      await rejectsWith(send(request('/ok'), { timeoutMs }), 'ERR_BAD_INPUT');
    }
    await rejectsWith(send(null), 'ERR_BAD_INPUT');
    await rejectsWith(send(request('/ok'), { fetch: 'nope' }), 'ERR_BAD_INPUT');
  });
});
