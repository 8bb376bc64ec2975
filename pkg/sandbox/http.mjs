// The HTTP plumbing the sandbox's emulations and a merchant's test endpoints share: a bounded server on 127.0.0.1, a form POST
// with a timeout, and the one form codec. Node built-ins only.
import http from 'node:http';

export const MAX_BODY = 64 * 1024;

/**
 * Serves `handler(req, body)` → `{ status, headers?, body? }` (or a promise of it) on 127.0.0.1, a free port (or `port`).
 * `body` is the request body as a Buffer, or null when it was over `maxBody` (the rest is read and dropped).
 * Every request and idle connection times out after `timeoutMs`; a handler that throws gets a bare 500.
 * Resolves `{ url, port, close }`; `close()` also drops open connections.
 */
export async function startServer(handler, { maxBody = MAX_BODY, timeoutMs = 10_000, port: wanted = 0 } = {}) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= maxBody) chunks.push(c);
    });
    req.on('end', async () => {
      let reply;
      try {
        reply = await handler(req, size <= maxBody ? Buffer.concat(chunks) : null);
      } catch {
        reply = { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' };
      }
      const body = reply.body ?? '';
      res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  server.requestTimeout = timeoutMs;
  server.headersTimeout = timeoutMs;
  server.keepAliveTimeout = 1_000;
  server.setTimeout(timeoutMs);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * POSTs a form-encoded `body` to `url` (another `contentType`, and more `headers`, when given); resolves the
 * reply `{ status, body }` (read up to `maxBody`), rejects on a network error, on `signal` aborting, or when
 * no reply comes within `timeoutMs`.
 */
export function postForm(url, body, { timeoutMs = 5_000, maxBody = MAX_BODY, contentType = 'application/x-www-form-urlencoded', headers = {}, signal } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body), connection: 'close' },
      timeout: timeoutMs,
      signal,
    });
    req.on('timeout', () => req.destroy(new Error(`POST ${url}: no reply within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (c) => {
        size += c.length;
        if (size <= maxBody) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

/**
 * The one form codec. `encode({k: v})` → `k=v&…` as Java's URLEncoder writes it (the providers' servers):
 * space as `+`, UTF-8 percent-encoding. `decode(text)` → [[k, v], …] in order, repeats kept, `+` and `%XX`
 * decoded exactly once; throws on malformed percent-encoding.
 */
export const form = {
  encode: (fields) => new URLSearchParams(fields).toString(),
  decode: (text) =>
    text
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const i = pair.includes('=') ? pair.indexOf('=') : pair.length;
        return [pair.slice(0, i), pair.slice(i + 1)].map((s) => decodeURIComponent(s.replaceAll('+', ' ')));
      }),
};
