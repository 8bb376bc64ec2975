// How every emulation delivers its notifications to the merchant's notify URL: now, late, twice, on the
// provider's retry schedule, or not at all; each attempt recorded in one deliveries log. Node built-ins only.
import { setTimeout as sleep } from 'node:timers/promises';
import { postForm } from './http.mjs';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The providers' documented intervals between notification attempts, in milliseconds. */
export const RETRY_SCHEDULES = Object.freeze({
  /** Alipay: 4m, 10m, 10m, 1h, 2h, 6h, 15h (about 24 h 22 m), until the reply is exactly `success`. */
  alipay: Object.freeze([4, 10, 10, 60, 120, 360, 900].map((m) => m * MINUTE)),
  /** WeChat Pay: 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h, until HTTP 200/204. */
  wechatpay: Object.freeze([15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600].map((s) => s * 1000)),
  /** UseePay: 1m, 3m, 5m, 10m, 15m, 15m, 30m, 1h, until HTTP 200. */
  useepay: Object.freeze([1, 3, 5, 10, 15, 15, 30, 60].map((m) => m * MINUTE)),
});

export const DELIVERY_MODES = Object.freeze(['now', 'late', 'twice', 'retry', 'none']);
const NOTIFY_TIMEOUT_MS = 5_000;

/**
 * A delivery plan from a control call's options: `{ delivery = 'now', delayMs = 1000, timeScale, retry, wait }`.
 * `retry` (implied by the mode 'retry') keeps delivering on the provider's schedule, multiplied by `timeScale`, until
 * the merchant's reply is accepted; `wait` (default: all but 'late') makes the control call resolve after the
 * deliveries. Throws a TypeError on a bad option.
 */
export function deliveryPlan(options = {}, defaults = {}) {
  const o = { ...defaults, ...Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) };
  const mode = o.delivery ?? 'now';
  if (!DELIVERY_MODES.includes(mode)) throw new TypeError(`delivery must be one of ${DELIVERY_MODES.join(', ')}, not ${JSON.stringify(mode)}`);
  const number = (name, fallback) => {
    const v = o[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`${name} must be a number ≥ 0`);
    return v;
  };
  return {
    mode,
    copies: mode === 'none' ? 0 : mode === 'twice' ? 2 : 1,
    delayMs: mode === 'late' ? number('delayMs', 1_000) : 0,
    timeScale: number('timeScale', 1),
    retry: mode === 'retry' || o.retry === true,
    wait: o.wait ?? mode !== 'late',
  };
}

/**
 * One provider's notifier. `accepted({ status, body })` says whether the merchant's reply ends the retries.
 * `deliver(url, build, meta, plan)`: `build()` → `{ body, headers?, contentType?, probe? }` is called per attempt
 * (a provider that signs each attempt anew re-signs there). Resolves the attempts made, in order.
 */
export function createNotifier({ provider, accepted, log = () => {} }) {
  const schedule = RETRY_SCHEDULES[provider];
  const deliveries = [];
  const inflight = new Set();
  const stop = new AbortController();

  async function run(url, build, meta, plan) {
    const results = [];
    if (plan.delayMs > 0) await sleep(plan.delayMs, undefined, { signal: stop.signal });
    for (let copy = 1; copy <= plan.copies; copy++) {
      const attempts = plan.retry ? schedule.length + 1 : 1;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) await sleep(schedule[attempt - 2] * plan.timeScale, undefined, { signal: stop.signal });
        const sent = build();
        const d = {
          provider, ...meta, url, copy, attempt, probe: Boolean(sent.probe), at: new Date().toISOString(),
          sent: { headers: sent.headers ?? {}, body: sent.body }, status: null, replyBody: null, accepted: false,
        };
        try {
          const r = await postForm(url, sent.body, { contentType: sent.contentType, headers: sent.headers, timeoutMs: NOTIFY_TIMEOUT_MS, signal: stop.signal });
          Object.assign(d, { status: r.status, replyBody: r.body, accepted: accepted(r) });
        } catch (e) {
          d.error = e.message;
        }
        deliveries.push(d);
        results.push(d);
        log(`${provider}: notify ${meta.event ?? ''} ${meta.id ?? ''} copy ${copy} attempt ${attempt}${d.probe ? ' (probe)' : ''} → ${d.status ?? d.error} ${JSON.stringify((d.replyBody ?? '').slice(0, 40))}`);
        if (d.accepted || stop.signal.aborted) break;
      }
    }
    return results;
  }

  return {
    deliveries,
    /** Starts a delivery; resolves its attempts (an empty list when cancelled by close()). */
    deliver(url, build, meta, plan) {
      const p = run(url, build, meta, plan).catch((e) => {
        if (e.name === 'AbortError') return [];
        throw e;
      });
      inflight.add(p);
      p.finally(() => inflight.delete(p)).catch(() => {});
      return plan.wait ? p : Promise.resolve([]);
    },
    /** Resolves when every delivery under way (retries and late ones included) has ended. */
    async idle() {
      await new Promise((r) => setImmediate(r));
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    /** Cancels every pending and scheduled delivery. */
    close() {
      stop.abort();
    },
  };
}
