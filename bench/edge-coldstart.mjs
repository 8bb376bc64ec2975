// Measures, never asserts: what importing aggpay adds to a cold start in workerd. Two workers, bundled
// with esbuild as the README's edge section does (`--conditions=workerd --loader:.wasm=copy`): one
// that imports aggpay and answers with one of its exports, one that imports nothing. Each is started
// N times in a fresh workerd (miniflare), alternating, and timed from `new Miniflare` to the first
// response; the medians and their difference are printed. The difference is the package's cost: the
// Wasm module compiled and instantiated, and the glue evaluated.
// Run after a build: node bench/edge-coldstart.mjs [N=11]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';

const N = Number(process.argv[2] ?? 11);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aggpay-coldstart-'));

const SOURCES = {
  empty: `export default { fetch() { return new Response('ok'); } };`,
  aggpay: `import { primitives } from 'aggpay';
export default { fetch() { return new Response(String(primitives.sha256('ok').length)); } };`,
};

async function build(name) {
  const outdir = path.join(work, name);
  fs.mkdirSync(outdir);
  const entry = path.join(repoRoot, `.coldstart-${name}.mjs`); // inside the repository, so 'aggpay' resolves
  fs.writeFileSync(entry, SOURCES[name]);
  try {
    await esbuild.build({
      entryPoints: [entry], bundle: true, format: 'esm', conditions: ['workerd'], loader: { '.wasm': 'copy' }, assetNames: '[name]',
      outdir, logLevel: 'warning',
    });
  } finally {
    fs.rmSync(entry);
  }
  return { outdir, script: path.join(outdir, `.coldstart-${name}.js`) };
}

async function coldStart({ outdir, script }) {
  const start = performance.now();
  const mf = new Miniflare({
    host: '127.0.0.1', port: 0, compatibilityDate: '2025-09-01', modules: true, modulesRoot: outdir, scriptPath: script,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
  });
  try {
    const response = await mf.dispatchFetch('http://worker.test/');
    await response.text();
    if (response.status !== 200) throw new Error(`worker answered ${response.status}`);
    return performance.now() - start;
  } finally {
    await mf.dispose();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const workers = { empty: await build('empty'), aggpay: await build('aggpay') };
  await coldStart(workers.empty); // warm the disk cache and the workerd binary once
  const times = { empty: [], aggpay: [] };
  for (let i = 0; i < N; i++) {
    for (const name of i % 2 ? ['aggpay', 'empty'] : ['empty', 'aggpay']) times[name].push(await coldStart(workers[name]));
  }
  const bundleKiB = (name) => (fs.readdirSync(workers[name].outdir).reduce((n, f) => n + fs.statSync(path.join(workers[name].outdir, f)).size, 0) / 1024).toFixed(1);
  for (const name of ['empty', 'aggpay']) {
    console.log(`${name.padEnd(6)}  median ${median(times[name]).toFixed(0).padStart(5)} ms  (min ${Math.min(...times[name]).toFixed(0)}, max ${Math.max(...times[name]).toFixed(0)}; ${bundleKiB(name)} KiB uploaded)`);
  }
  console.log(`aggpay adds ${(median(times.aggpay) - median(times.empty)).toFixed(0)} ms to a cold start in workerd (median of ${N} fresh instances each; ${os.cpus().length} × ${os.cpus()[0].model.trim()}, Node ${process.versions.node})`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
