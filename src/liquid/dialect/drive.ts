// Runs a liquidjs render generator. liquidjs's own driver turns every nested generator into a
// promise (one microtask per tag, output and filter chain); this one steps nested generators
// synchronously and goes asynchronous only where a real promise is yielded (connected_content,
// async filters). Values, order of effects and errors are the same.
//
// An AbortMessage yielded by `abort_message` ends the run where it is: the driver returns it
// instead of resuming anything, so an abort costs no exception unwinding through every
// enclosing tag (in lead scoring most renders end this way).
import { AbortMessage } from '../render-state.js';

type Step = IteratorResult<unknown, unknown>;
type Resumable = Iterator<unknown, unknown, unknown>;

// Every liquidjs render function is a generator. Each generator function has its own prototype,
// so reading `next` on its objects is a megamorphic lookup; one prototype test and the shared
// `next`/`throw` builtins keep the hot loop monomorphic.
const GENERATOR_PROTOTYPE = Object.getPrototypeOf(function* () {}.prototype) as Generator;
const { next: generatorNext, throw: generatorThrow } = GENERATOR_PROTOTYPE;

function isGenerator(value: unknown): value is Generator {
  return typeof value === 'object' && value !== null && GENERATOR_PROTOTYPE.isPrototypeOf(value);
}

/** Same test as liquidjs: objects with only a `next` method (the forloop drop) are values. */
function isIterator(value: unknown): value is Resumable {
  if (typeof value !== 'object' || value === null) return false;
  const it = value as Resumable;
  return typeof it.next === 'function' && typeof it.throw === 'function' && typeof it.return === 'function';
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * The generator's result: a plain value when nothing asynchronous happened, else a promise of
 * it; an AbortMessage (or a promise of one) when `abort_message` ended the render.
 */
export function drive(value: unknown): unknown {
  return isGenerator(value) || isIterator(value) ? resume(value, undefined, false) : value;
}

function step(iterator: Resumable, value: unknown, throwing: boolean): Step {
  if (GENERATOR_PROTOTYPE.isPrototypeOf(iterator)) {
    return (throwing ? generatorThrow : generatorNext).call(iterator as Generator, value);
  }
  return throwing ? iterator.throw!(value) : iterator.next(value);
}

function resume(iterator: Resumable, input: unknown, throwing: boolean): unknown {
  let value = input;
  let fail = throwing;
  for (;;) {
    const state = step(iterator, value, fail);
    if (state.done) return state.value;
    value = state.value;
    fail = false;
    if (typeof value !== 'object' || value === null) continue;
    if (value instanceof AbortMessage) return value;
    if (isGenerator(value) || isIterator(value)) {
      try {
        value = resume(value, undefined, false);
      } catch (error) {
        value = error;
        fail = true;
        continue;
      }
      if (typeof value !== 'object' || value === null) continue;
      if (value instanceof AbortMessage) return value;
    }
    if (isPromise(value)) {
      return Promise.resolve(value).then(
        (result) => (result instanceof AbortMessage ? result : resume(iterator, result, false)),
        (error: unknown) => resume(iterator, error, true),
      );
    }
  }
}
