// Node.js entry (bundled to dist/node.cjs so that both require() and import work, sharing one
// instance): the synchronous nodejs glue, and the node engine (node:crypto) as the default.
import * as wasm from '../node/aggpay.js';
import { nodeEngine } from './engine-node.mjs';
import { createApi } from './api.mjs';

const api = createApi(wasm, { nodeEngine });
export const { AggpayError, Alipay, Certificate, Checkout, Router, RsaSigner, RsaVerifier, UseePay, WechatMiniProgram, WechatOfficialAccount, WechatPay, explain, firstDifference, primitives, send } = api;
