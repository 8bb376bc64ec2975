// The .wasm's size by crate: reads the module cargo builds (before wasm-bindgen strips the function
// names), sizes every function body and data segment, and groups functions by the crate their
// (demangled) name starts with. Gzip per crate is each group's bytes gzipped on their own, so the column
// only ranks the crates; the module's own gzip size is the one that counts. Measures, never asserts.
//
//   node bench/size.mjs [path/to/aggpay.wasm] [--functions N]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const topFunctions = args.includes('--functions') ? Number(args[args.indexOf('--functions') + 1]) : 0;
const path = args.find((a) => a.endsWith('.wasm')) ?? 'target/wasm32-unknown-unknown/release/aggpay.wasm';
const bytes = readFileSync(path);

let at = 8;
const leb = () => {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return result;
  }
};
const name = () => {
  const n = leb();
  const s = bytes.subarray(at, at + n).toString('utf8');
  at += n;
  return s;
};

let importedFunctions = 0;
const bodies = []; // [start, end] per defined function
const data = []; // [start, end] per data segment
const names = new Map(); // function index -> name
const sections = [];
while (at < bytes.length) {
  const id = bytes[at++];
  const size = leb();
  const start = at;
  const end = start + size;
  sections.push({ id, size });
  if (id === 2) {
    for (let i = 0, n = leb(); i < n; i++) {
      name();
      name();
      const kind = bytes[at++];
      if (kind === 0) {
        importedFunctions++;
        leb();
      } else if (kind === 1) {
        at++;
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 2) {
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else {
        at += 2;
      }
    }
  } else if (id === 10) {
    for (let i = 0, n = leb(); i < n; i++) {
      const len = leb();
      bodies.push([at, at + len]);
      at += len;
    }
  } else if (id === 11) {
    for (let i = 0, n = leb(); i < n; i++) {
      const segStart = at;
      const flags = leb();
      if (flags === 2) leb();
      if (flags !== 1) while (bytes[at++] !== 0x0b); // the offset expression
      const len = leb();
      at += len;
      data.push([segStart, at]);
    }
  } else if (id === 0) {
    const custom = name();
    if (custom === 'name') {
      while (at < end) {
        const sub = bytes[at++];
        const subSize = leb();
        const subEnd = at + subSize;
        if (sub === 1) {
          for (let i = 0, n = leb(); i < n; i++) names.set(leb(), name());
        }
        at = subEnd;
      }
    }
  }
  at = end;
}

const legacyEscapes = { LT: '<', GT: '>', C: ',', RF: '&', BP: '*', SP: '@', LP: '(', RP: ')', u20: ' ', u7b: '{', u7d: '}', u27: "'", u5b: '[', u5d: ']', u3b: ';', u7e: '~' };
/** Rust's legacy mangling (`_ZN…E`) read back as a path; v0 names (`_R…`) as the crates they name. */
function demangle(fn) {
  if (fn.startsWith('_ZN')) {
    const parts = [];
    let i = 3;
    while (i < fn.length && fn[i] !== 'E') {
      const m = /^\d+/.exec(fn.slice(i));
      if (!m) break;
      i += m[0].length;
      parts.push(fn.slice(i, i + Number(m[0])));
      i += Number(m[0]);
    }
    if (/^h[0-9a-f]{16}$/.test(parts.at(-1) ?? '')) parts.pop();
    return parts
      .join('::')
      .replace(/\$([A-Za-z0-9]+)\$/g, (all, e) => legacyEscapes[e] ?? all)
      .replace(/\.\./g, '::')
      .replace(/^_</, '<');
  }
  if (fn.startsWith('_R')) {
    // v0: every crate root is `C`, an optional `s<hash>_` disambiguator, then `<length><name>`.
    const roots = [];
    for (const m of fn.matchAll(/C(?:s[0-9A-Za-z]*_)?(\d+)/g)) {
      const name = fn.slice(m.index + m[0].length, m.index + m[0].length + Number(m[1]));
      if (/^[a-z_][a-z0-9_]*$/.test(name)) roots.push(`${name}::`);
    }
    return roots.join('');
  }
  return fn;
}

// The crate a function's code is charged to: the first crate its path names, except that generic
// core/alloc code (`core::ptr::drop_in_place<der::…>`, `alloc::vec::Vec<T>::push`) is charged to the
// first other crate named in it, whose code made the copy. Crate names come from Cargo.lock.
const crates = new Set(
  [...readFileSync(new URL('../Cargo.lock', import.meta.url), 'utf8').matchAll(/^name = "([^"]+)"/gm)].map((m) =>
    m[1].replaceAll('-', '_'),
  ),
);
const std = new Set(['core', 'alloc', 'std']);
function crateOf(mangled) {
  if (!mangled) return '(unnamed)';
  if (/^__wbg|^__wbindgen|^__externref/.test(mangled)) return 'wasm_bindgen (glue)';
  const named = [...demangle(mangled).matchAll(/([A-Za-z_][A-Za-z0-9_]*)::/g)]
    .map((m) => m[1])
    .filter((c) => crates.has(c) || std.has(c));
  return named.find((c) => !std.has(c)) ?? (named.length ? 'core/alloc/std' : '(other)');
}

const groups = new Map();
const add = (key, slices) => {
  const g = groups.get(key) ?? { raw: 0, parts: [], functions: 0 };
  for (const [s, e] of slices) {
    g.raw += e - s;
    g.parts.push(bytes.subarray(s, e));
  }
  g.functions += 1;
  groups.set(key, g);
};
const functionList = [];
bodies.forEach((range, i) => {
  const fn = names.get(importedFunctions + i);
  add(crateOf(fn), [range]);
  functionList.push({ fn: fn ? demangle(fn) : `#${importedFunctions + i}`, raw: range[1] - range[0] });
});
const dataGroup = { raw: 0, parts: [], functions: 0 };
for (const [s, e] of data) {
  dataGroup.raw += e - s;
  dataGroup.parts.push(bytes.subarray(s, e));
}
const customBytes = sections.filter((s) => s.id === 0).reduce((n, s) => n + s.size, 0);

const kib = (n) => `${(n / 1024).toFixed(1)}`;
const rows = [...groups.entries()].map(([crate, g]) => ({
  crate,
  raw: g.raw,
  gz: gzipSync(Buffer.concat(g.parts), { level: 9 }).length,
  functions: g.functions,
}));
rows.sort((a, b) => b.raw - a.raw);
const codeRaw = rows.reduce((n, r) => n + r.raw, 0);
console.log(`${path}: ${kib(bytes.length - customBytes)} KiB without custom sections (names and producers: ${kib(customBytes)} KiB)`);
console.log(`code ${kib(codeRaw)} KiB raw, data ${kib(dataGroup.raw)} KiB raw / ${kib(gzipSync(Buffer.concat(dataGroup.parts), { level: 9 }).length)} KiB gzip\n`);
console.log('| crate | functions | code KiB raw | % of code | gzip KiB alone |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows.filter((r) => r.raw >= 1024)) {
  console.log(`| ${r.crate} | ${r.functions} | ${kib(r.raw)} | ${((100 * r.raw) / codeRaw).toFixed(1)}% | ${kib(r.gz)} |`);
}
const small = rows.filter((r) => r.raw < 1024);
if (small.length) console.log(`| ${small.length} others | ${small.reduce((n, r) => n + r.functions, 0)} | ${kib(small.reduce((n, r) => n + r.raw, 0))} | | |`);
if (topFunctions) {
  console.log('');
  functionList.sort((a, b) => b.raw - a.raw);
  for (const f of functionList.slice(0, topFunctions)) console.log(`${String(f.raw).padStart(7)}  ${f.fn.slice(0, 160)}`);
}
