// Receivers. wasm-bindgen's classes trust `this.__wbg_ptr`: a method called on another class's
// object, on a freed object or on the prototype itself would reach Wasm with a foreign or null
// pointer. Each public class is therefore this thin JS class over the wasm-bindgen one: its
// instances hold the wasm-bindgen object in a WeakMap, and every method and getter checks `this`
// before it calls through. No rules live here — only the brand check and the call.
import { AggpayError } from './errors.mjs';

const { apply, getOwnPropertyDescriptor, ownKeys } = Reflect;
const dispose = typeof Symbol.dispose === 'symbol' ? Symbol.dispose : undefined;
const SKIPPED = new Set(['constructor', 'free', 'length', 'name', 'prototype']);

function badReceiver(message) {
  return new AggpayError(message, { code: 'ERR_BAD_INPUT' });
}

/** What a receiver is, for the error message (never the receiver's own text). */
function kindOf(value) {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  return 'an object of another kind';
}

/** Gives the function that stands in for `source` its length (method syntax already gave the name). */
function like(fn, source) {
  Object.defineProperty(fn, 'length', { value: source.length, configurable: true });
  return fn;
}

/**
 * A JS class named `name` over the wasm-bindgen class `Inner`, with its methods, getters and statics
 * (the name is given, not read from `Inner`: a bundler may rename the glue's classes).
 * `constructible: false` for classes that only static methods create (Certificate).
 */
export function wrapClass(name, Inner, { constructible = true } = {}) {
  /** wrapper → { inner, busy, freed }: the wasm-bindgen object, calls in progress, free() called. */
  const states = new WeakMap();

  const Wrapped = class {
    constructor(...args) {
      if (!constructible) throw badReceiver(`${name} has no public constructor; use its static methods`);
      states.set(this, { inner: new Inner(...args), busy: 0, freed: false });
    }
  };
  Object.defineProperty(Wrapped, 'name', { value: name, configurable: true });
  Object.defineProperty(Wrapped, 'length', { value: Inner.length, configurable: true });

  /** A wrapper around a wasm-bindgen object a static method returned. */
  const adopt = (inner) => {
    const wrapper = Object.create(Wrapped.prototype);
    states.set(wrapper, { inner, busy: 0, freed: false });
    return wrapper;
  };
  const adoptAll = (value) => {
    if (value instanceof Inner) return adopt(value);
    if (Array.isArray(value)) return value.map(adoptAll);
    return value;
  };

  /** Checks `self`, then runs `call(inner)`. A free() during the call (from a getter or toJSON the call
   * runs) is carried out when the outermost call on this object returns. */
  const through = (self, what, call) => {
    const state = states.get(self);
    if (state === undefined) throw badReceiver(`${what} was called on ${kindOf(self)} instead of an instance of ${name}`);
    if (state.freed) throw badReceiver(`${what}: this ${name} has been freed`);
    state.busy += 1;
    try {
      return call(state.inner);
    } finally {
      state.busy -= 1;
      if (state.busy === 0 && state.freed) release(state);
    }
  };
  const release = (state) => {
    const { inner } = state;
    state.inner = null;
    inner.free();
  };

  for (const key of ownKeys(Inner.prototype)) {
    if (typeof key !== 'string' || SKIPPED.has(key) || key.startsWith('__')) continue;
    const descriptor = getOwnPropertyDescriptor(Inner.prototype, key);
    const what = `${name}.prototype.${key}`;
    if (typeof descriptor.value === 'function') {
      const method = descriptor.value;
      const wrapped = like({
        [key](...args) {
          return through(this, what, (inner) => apply(method, inner, args));
        },
      }[key], method);
      Object.defineProperty(Wrapped.prototype, key, { value: wrapped, writable: true, enumerable: false, configurable: true });
    } else if (typeof descriptor.get === 'function') {
      const getter = descriptor.get;
      const wrapped = getOwnPropertyDescriptor({
        get [key]() {
          return through(this, what, (inner) => apply(getter, inner, []));
        },
      }, key).get;
      Object.defineProperty(Wrapped.prototype, key, { get: wrapped, enumerable: false, configurable: true });
    }
  }

  const { free } = {
    free() {
      const state = states.get(this);
      if (state === undefined) throw badReceiver(`${name}.prototype.free was called on ${kindOf(this)} instead of an instance of ${name}`);
      if (state.freed) return; // freeing twice is harmless
      state.freed = true;
      if (state.busy === 0) release(state);
    },
  };
  Object.defineProperty(Wrapped.prototype, 'free', { value: free, writable: true, enumerable: false, configurable: true });
  if (dispose) {
    Object.defineProperty(Wrapped.prototype, dispose, { value: free, writable: true, enumerable: false, configurable: true });
  }

  for (const key of ownKeys(Inner)) {
    if (typeof key !== 'string' || SKIPPED.has(key) || key.startsWith('__')) continue;
    const method = Inner[key];
    if (typeof method !== 'function') continue;
    const wrapped = like({
      [key](...args) {
        return adoptAll(apply(method, Inner, args));
      },
    }[key], method);
    Object.defineProperty(Wrapped, key, { value: wrapped, writable: true, enumerable: false, configurable: true });
  }
  return Wrapped;
}
