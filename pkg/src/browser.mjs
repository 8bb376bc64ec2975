// Browsers (and any ESM runtime with fetch): top-level await, so importers get a ready module. The
// package ships this entry bundled with everything it imports (dist/browser.mjs, scripts/build.sh): a
// page without a bundler then fetches two files, this one and the .wasm, instead of a waterfall of a
// dozen modules. The .wasm is named relative to this file, which is one level below the package root
// in src/ and in dist/ alike.
import * as wasm from '../web/aggpay.js';
import { createApi } from './api.mjs';

await wasm.default({ module_or_path: new URL('../web/aggpay_bg.wasm', import.meta.url) });
const api = createApi(wasm);
export const { AggpayError, Alipay, Certificate, Checkout, Router, RsaSigner, RsaVerifier, UseePay, WechatMiniProgram, WechatOfficialAccount, WechatPay, explain, firstDifference, primitives, send } = api;
