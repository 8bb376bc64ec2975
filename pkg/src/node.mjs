// Node.js entry (bundled to dist/node.cjs so that both require() and import work, sharing one
// instance): the same wasm-bindgen glue as every other runtime, instantiated synchronously from the
// package's one .wasm file (web/aggpay_bg.wasm) when first needed, and the node engine (node:crypto) as
// the default.
// In the bundle, `import.meta.url` is dist/node.cjs's URL (scripts/build.sh defines it).
import { readFileSync } from 'node:fs';
import * as wasm from '../web/aggpay.js';
import { nodeEngine } from './engine-node.mjs';
import { createApi } from './api.mjs';

// Read, compiled and instantiated by the first call that needs the module (createApi), not by `require`.
const instantiate = () => wasm.initSync({ module: readFileSync(new URL('../web/aggpay_bg.wasm', import.meta.url)) });
const api = createApi(wasm, { nodeEngine, instantiate });
export const { AggpayError, Alipay, Certificate, Checkout, Router, RsaSigner, RsaVerifier, UseePay, WechatMiniProgram, WechatOfficialAccount, WechatPay, explain, firstDifference, primitives, send } = api;
