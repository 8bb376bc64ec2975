// The demo merchant's notification endpoint: a bounded local server that hands each raw body to aggpay.
import { startServer } from 'aggpay/sandbox';

const WAIT_MS = 5_000;

/**
 * Serves `POST <path>` on 127.0.0.1. `verify(rawBytes, headers)` → `{ event, reply, … }` (aggpay's verifyNotify,
 * plus whatever the merchant adds) is recorded in `received` and its `reply` sent exactly; a body that does not
 * verify is recorded as `{ error }` and answered `failReply(error)` — by default 400 with `failBody` as text
 * (the provider retries). Anything else: 404.
 */
export async function startNotifyEndpoint(path, verify, { failBody, failReply = () => ({ status: 400, headers: { 'content-type': 'text/plain' }, body: failBody }) }) {
  const received = [];
  const waiters = [];
  const server = await startServer((req, body) => {
    if (req.method !== 'POST' || req.url !== path || body === null) return { status: 404 };
    let entry, reply;
    try {
      entry = verify(body, req.headers);
      reply = entry.reply;
    } catch (error) {
      entry = { error };
      reply = failReply(error);
    }
    received.push(entry);
    for (const wake of waiters.splice(0)) wake();
    return reply;
  });
  return {
    notifyUrl: `${server.url}${path}`,
    received,
    /** Resolves the first received entry matching `predicate`, waiting up to WAIT_MS. */
    async waitFor(predicate, what) {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const hit = received.find(predicate);
        if (hit) return hit;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`merchant: no ${what} within ${WAIT_MS} ms`);
        await new Promise((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    close: server.close,
  };
}
