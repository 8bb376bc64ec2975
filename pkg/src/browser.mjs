// Browsers (and any ESM runtime with fetch): top-level await, so importers get a ready module.
import * as wasm from '../web/aggpay.js';
import { createApi } from './api.mjs';

await wasm.default();
const api = createApi(wasm);
export const { AggpayError, Alipay, Certificate, Checkout, Router, RsaSigner, RsaVerifier, UseePay, WechatMiniProgram, WechatOfficialAccount, WechatPay, explain, firstDifference, primitives, send } = api;
