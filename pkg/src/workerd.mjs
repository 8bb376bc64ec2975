// Edge workers (workerd / Cloudflare-style): these runtimes refuse to compile Wasm from bytes, so
// the module is imported as a compiled WebAssembly.Module and instantiated synchronously. wrangler's
// default module rules make any imported `.wasm` a CompiledWasm module; plain esbuild needs
// `--conditions=workerd --loader:.wasm=copy` (README, "Cloudflare Workers / edge").
import wasmModule from '../web/aggpay_bg.wasm';
import * as wasm from '../web/aggpay.js';
import { createApi } from './api.mjs';

wasm.initSync({ module: wasmModule });
const api = createApi(wasm);
export const { AggpayError, Alipay, Certificate, Checkout, Router, RsaSigner, RsaVerifier, UseePay, WechatMiniProgram, WechatOfficialAccount, WechatPay, explain, firstDifference, primitives, send } = api;
