// Receivers and engines. wasm-bindgen's classes trust `this.__wbg_ptr`: a method called on another
// class's object, on a freed object or on the prototype itself would reach Wasm with a foreign or
// null pointer. Each public class is therefore this thin JS class over the wasm-bindgen one: its
// instances hold the wasm-bindgen object in a WeakMap, and every method and getter checks `this`
// before it calls through.
//
// A wasm-bindgen method named `step_<name>` prepares an operation that needs RSA: it becomes
// `<name>` (answered by the client's synchronous engine) and `<name>Async` (by its asynchronous
// engine, returning a Promise), both driven by seam.mjs. No rules live here — only the brand check,
// the engine choice and the call.
import { AggpayError, fromCaller, rethrowFrom } from './errors.mjs';
import { runAsync, runSync } from './seam.mjs';

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

/** Defines a method (non-enumerable, like a class method) on `target`. */
function defineMethod(target, key, value) {
  Object.defineProperty(target, key, { value, writable: true, enumerable: false, configurable: true });
}

/** Defines a getter named `key` on `target` that runs `read` on the receiver. */
function defineGetter(target, key, read) {
  const { get } = getOwnPropertyDescriptor({
    get [key]() {
      try {
        return read(this);
      } catch (error) {
        return rethrowFrom(error, get);
      }
    },
  }, key);
  Object.defineProperty(target, key, { get, enumerable: false, configurable: true });
}

/**
 * The `engine` option of argument `index` of a constructor, read once with no trap able to escape
 * as anything but an AggpayError. `strip`: the argument goes on without it (client configs, which
 * the core checks for unknown keys: the engine is the host's business, not the core's).
 */
function takeEngineOption(name, args, index, strip) {
  const value = args[index];
  if (value === null || typeof value !== 'object') return undefined;
  try {
    if (Array.isArray(value)) return undefined;
    if (!strip) return value.engine;
    const { engine, ...rest } = value;
    args[index] = rest;
    return engine;
  } catch {
    throw new AggpayError(`${name}: its ${strip ? 'config' : 'options'} cannot be read`, { code: 'ERR_BAD_INPUT' });
  }
}

/**
 * A JS class named `name` over the wasm-bindgen class `Inner`, with its methods, getters and statics
 * (the name is given, not read from `Inner`: a bundler may rename the glue's classes).
 * `constructible: false` for classes that only static methods create (Certificate).
 * `engines`: for classes whose operations need RSA, `{ select, option: [argument index, strip], memory, Pending }`
 * (engines.mjs `engineSelector`; the instance's Wasm memory, which steps are read from; the glue's
 * `Pending` class, which tells a step waiting for an engine from a finished result); each instance gets
 * `engine` and `asyncEngine` getters.
 * `ready`: instantiates the module if the entry left that to the first call (api.mjs); the constructor and
 * the statics call it, since every other call is on an object they made.
 */
export function wrapClass(name, Inner, { constructible = true, engines = null, ready = () => {} } = {}) {
  /** wrapper → { inner, busy, freed, engines }: the wasm-bindgen object, calls in progress, free()
   * called, and `{ sync, async }` engines. */
  const states = new WeakMap();

  const Wrapped = class {
    constructor(...args) {
      try {
        if (!constructible) throw badReceiver(`${name} has no public constructor; use its static methods`);
        ready();
        const choice = engines ? takeEngineOption(name, args, engines.option[0], engines.option[1]) : undefined;
        const state = { inner: null, busy: 0, freed: false, engines: null, choice };
        const keyDer = (id) => {
          if (state.inner === null) throw badReceiver(`this ${name} has been freed`);
          return state.inner.__keyDer(id);
        };
        if (engines) state.engines = engines.select(choice, keyDer);
        state.inner = new Inner(...args);
        states.set(this, state);
      } catch (error) {
        rethrowFrom(error, Wrapped);
      }
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

  /** Checks `self`, then runs `call(inner, state)`. A free() during the call (from a getter or toJSON the call
   * runs) is carried out when the outermost call on this object returns. */
  const through = (self, what, call) => {
    const state = states.get(self);
    if (state === undefined) throw badReceiver(`${what} was called on ${kindOf(self)} instead of an instance of ${name}`);
    if (state.freed) throw badReceiver(`${what}: this ${name} has been freed`);
    state.busy += 1;
    try {
      return call(state.inner, state);
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
    if (key.startsWith('step_') && typeof descriptor.value === 'function') {
      defineSteps(key.slice(5), descriptor.value);
      continue;
    }
    const what = `${name}.prototype.${key}`;
    if (typeof descriptor.value === 'function') {
      const method = descriptor.value;
      const wrapped = like({
        [key](...args) {
          try {
            return through(this, what, (inner) => apply(method, inner, args));
          } catch (error) {
            return rethrowFrom(error, wrapped);
          }
        },
      }[key], method);
      defineMethod(Wrapped.prototype, key, wrapped);
    } else if (typeof descriptor.get === 'function') {
      const getter = descriptor.get;
      defineGetter(Wrapped.prototype, key, (self) => through(self, what, (inner) => apply(getter, inner, [])));
    }
  }

  /**
   * The engine (`form`: 'sync' or 'async') for a step of `pending` that carries its own keys (a
   * WeChat Pay certificate reply, verified with the certificate it brings): one of the client's
   * choice made for this step alone, so that no key of the step enters the client's engine caches.
   */
  const ownEngine = (pending, state, form) => () => engines.select(state.choice, (id) => pending.__keyDer(id))[form];

  /** `<name>` and `<name>Async` over the wasm-bindgen method `step_<name>`. */
  function defineSteps(key, method) {
    const what = `${name}.prototype.${key}`;
    const sync = like({
      [key](...args) {
        try {
          return through(this, what, (inner, state) => {
            const pending = apply(method, inner, args);
            if (!(pending instanceof engines.Pending)) return pending; // the core needed no engine
            return runSync(pending, state.engines.sync, inner, engines.memory, ownEngine(pending, state, 'sync'));
          });
        } catch (error) {
          return rethrowFrom(error, sync);
        }
      },
    }[key], method);
    const asyncKey = `${key}Async`;
    const async = like({
      [asyncKey](...args) {
        try {
          return through(this, `${what}Async`, (inner, state) => {
            const pending = apply(method, inner, args);
            if (!(pending instanceof engines.Pending)) return Promise.resolve(pending);
            return runAsync(pending, state.engines.async, inner, engines.memory, ownEngine(pending, state, 'async'));
          });
        } catch (error) {
          return Promise.reject(fromCaller(error, async));
        }
      },
    }[asyncKey], method);
    defineMethod(Wrapped.prototype, key, sync);
    defineMethod(Wrapped.prototype, asyncKey, async);
  }

  if (engines) {
    // Which engine answers this client's synchronous and asynchronous calls ('none' when its
    // operations need no RSA: UseePay with MD5).
    const engineName = (inner, which) => (inner.__rsa === false ? 'none' : which.name);
    for (const [key, pick] of [['engine', (s) => s.sync], ['asyncEngine', (s) => s.async]]) {
      const what = `${name}.prototype.${key}`;
      defineGetter(Wrapped.prototype, key, (self) => through(self, what, (inner, state) => engineName(inner, pick(state.engines))));
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
  defineMethod(Wrapped.prototype, 'free', free);
  if (dispose) defineMethod(Wrapped.prototype, dispose, free);

  for (const key of ownKeys(Inner)) {
    if (typeof key !== 'string' || SKIPPED.has(key) || key.startsWith('__')) continue;
    const method = Inner[key];
    if (typeof method !== 'function') continue;
    const wrapped = like({
      [key](...args) {
        try {
          ready();
          return adoptAll(apply(method, Inner, args));
        } catch (error) {
          return rethrowFrom(error, wrapped);
        }
      },
    }[key], method);
    defineMethod(Wrapped, key, wrapped);
  }
  return Wrapped;
}
