// Vercel Edge Functions (condition `edge-light`): the workerd entry, with the `.wasm?module` import
// Vercel's edge bundling (and Next.js's edge runtime) turn into a compiled WebAssembly.Module.
import wasmModule from '../web/aggpay_bg.wasm?module';
import * as wasm from '../web/aggpay.js';
import { createApi } from './api.mjs';

wasm.initSync({ module: wasmModule });
const api = createApi(wasm);
export const { AggpayError, Alipay, Certificate, Checkout, Router, RsaSigner, RsaVerifier, UseePay, WechatMiniProgram, WechatOfficialAccount, WechatPay, explain, firstDifference, primitives, send } = api;
