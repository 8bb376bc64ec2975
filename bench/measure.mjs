// The measuring loop the bench scripts share: throughput over a fixed window, rounds interleaved
// between the contenders (so drift in the machine's speed hits them all alike), medians reported.
// Measures, never asserts.

/** Calls of `fn` per second over `windowMs` of back-to-back calls. */
export function rate(fn, windowMs) {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < windowMs) {
    fn();
    n += 1;
  }
  return (n * 1000) / (performance.now() - start);
}

/** The same for an asynchronous `fn`, each call awaited before the next. */
export async function rateAsync(fn, windowMs) {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < windowMs) {
    await fn();
    n += 1;
  }
  return (n * 1000) / (performance.now() - start);
}

export const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/**
 * Median ops/s of each of `fns`, measured in `rounds` rounds that take each contender in turn.
 * Synchronous functions only (see `interleavedAsync` for a mix).
 */
export function interleaved(fns, { rounds = 7, windowMs = 300 } = {}) {
  const rates = fns.map(() => []);
  for (let r = 0; r < rounds; r += 1) fns.forEach((fn, i) => rates[i].push(rate(fn, windowMs)));
  return rates.map(median);
}

/** As `interleaved`, but a function that returns a promise is awaited on every call. */
export async function interleavedAsync(fns, { rounds = 7, windowMs = 300 } = {}) {
  const isAsync = await Promise.all(fns.map(async (fn) => {
    const out = fn();
    if (typeof out?.then === 'function') {
      await out;
      return true;
    }
    return false;
  }));
  const rates = fns.map(() => []);
  for (let r = 0; r < rounds; r += 1) {
    for (let i = 0; i < fns.length; i += 1) {
      rates[i].push(isAsync[i] ? await rateAsync(fns[i], windowMs) : rate(fns[i], windowMs));
    }
  }
  return rates.map(median);
}

/** Median ops/s of one function over `rounds` rounds (synchronous). */
export const opsPerSecond = (fn, options) => interleaved([fn], options)[0];

/** Median ops/s of one asynchronous function over `rounds` rounds. */
export const asyncOpsPerSecond = async (fn, options) => (await interleavedAsync([fn], options))[0];
