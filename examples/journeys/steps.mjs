// What every journey shares: the step runner (one printed line per step, the first failure ends the
// journey), cleanup at the end, and running a journey module as a script.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/**
 * Runs `body({ step, closeAtEnd, freeAtEnd })` as one journey of `total` steps; resolves `{ steps }`.
 * `step(name, fn)` awaits `fn()`, records `{ step, name, ok, result, ms }` and prints
 * `<label> n/total <name> ok <result>  <ms> ms`; a failure prints FAIL and is rethrown, its message
 * prefixed with `<title> step n "<name>": `. When the journey ends, the `closeAtEnd(fn)` functions run
 * (last first, errors ignored), then the `freeAtEnd(object)` wasm objects are freed.
 */
export async function runSteps({ label, title, total, print }, body) {
  const steps = [];
  const closers = [];
  const owned = [];
  const step = async (name, fn) => {
    const n = steps.length + 1;
    const started = performance.now();
    // Labels padded to 7 so that `alipay` lines up with `useepay`.
    const line = (status, text) => `${label.padEnd(7)} ${n}/${total} ${name.padEnd(22)} ${status} ${text}  ${Math.round(performance.now() - started)} ms`;
    try {
      const result = await fn();
      steps.push({ step: n, name, ok: true, result, ms: Math.round(performance.now() - started) });
      print(line('ok', result));
    } catch (error) {
      print(line('FAIL', `${error.code ? `${error.code}: ` : ''}${error.message}`));
      error.message = `${title} step ${n} "${name}": ${error.message}`;
      throw error;
    }
  };
  try {
    await body({ step, closeAtEnd: (fn) => closers.push(fn), freeAtEnd: (object) => owned.push(object) });
    assert.equal(steps.length, total);
    return { steps };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    for (const object of owned) object.free?.();
  }
}

/** Runs `main()` when the module at `moduleUrl` is the script node was started with; a failure sets exit code 1. */
export function runIfMain(moduleUrl, main) {
  if (process.argv[1] && fileURLToPath(moduleUrl) === process.argv[1]) {
    main().catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
  }
}
