// Request bodies for every route: JSON only, parsed once here so each refusal has the one error
// shape `{ code, message, errors: [{ path, message }] }`: malformed JSON names its line and column, a
// value nested deeper than the limit names its path (validation and storage recurse, so 5,000
// nested arrays would exhaust the stack), and a body without a JSON content type gets 415.
import type { FastifyInstance } from 'fastify';
import { formatPath } from '../domain/index.js';
import { CodedError } from '../errors/index.js';
import { unsupportedContentType } from './errors.js';
import { findJsonSyntaxError } from './json-syntax.js';

/** Deepest nesting of arrays and objects a JSON body may have (the body itself is level 1). */
export const MAX_JSON_DEPTH = 64;

export function registerJsonBody(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, parseJsonBody(text as string, maxDepth));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // Any other type, or none at all, with a body (a body-less request never reaches a parser).
  app.addContentTypeParser('*', (request, _payload, done) => {
    const message = unsupportedContentType(request.headers['content-type']);
    done(new CodedError('LH_UNSUPPORTED_MEDIA_TYPE', message, { fields: [{ path: '', message }] }), undefined);
  });
}

/** Parses a JSON request body; throws LH_INVALID_JSON (400) with a position or a path. */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.trim() === '') throw refuse('empty body', '', 'expected a JSON value');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const at = findJsonSyntaxError(text) ?? { line: 1, column: 1, offset: 0, expected: 'valid JSON' };
    const where = `line ${at.line}, column ${at.column}`;
    throw refuse(`malformed JSON at ${where}`, '', `expected ${at.expected} at ${where} (offset ${at.offset})`);
  }
  // The walk below allocates per container; the text scans are cheap and almost always say
  // there is nothing to find.
  if (nestsDeeperThan(text, maxDepth) || text.includes('"__proto__"') || text.includes('"constructor"')) checkStructure(value, maxDepth);
  return value;
}

/** Does valid JSON `text` nest arrays and objects deeper than `limit`? One pass, no allocation. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = closingQuote(text, i);
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function closingQuote(text: string, open: number): number {
  for (let j = text.indexOf('"', open + 1); j !== -1; j = text.indexOf('"', j + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return j;
  }
  return text.length;
}

function refuse(message: string, path: string, detail: string): CodedError {
  return new CodedError('LH_INVALID_JSON', message, { fields: [{ path, message: detail }] });
}

interface Frame {
  value: object;
  depth: number;
  key: string | number;
  parent: Frame | undefined;
}

/**
 * Walks the parsed body with its own stack (no recursion, each value once): the first container
 * deeper than `maxDepth`, and keys that would reach an object's prototype when merged (what
 * fastify's own parser refuses), are 400s naming their path.
 */
function checkStructure(body: unknown, maxDepth: number): void {
  if (typeof body !== 'object' || body === null) return;
  const stack: Frame[] = [{ value: body, depth: 1, key: '', parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) {
      throw refuse(`JSON nested deeper than ${maxDepth} levels`, shortPath(pathOf(frame)), `nested deeper than ${maxDepth} levels`);
    }
    // Children pushed last-first, so the walk meets values in the order they were written.
    if (Array.isArray(frame.value)) {
      for (let i = frame.value.length - 1; i >= 0; i--) push(stack, frame, i, frame.value[i]);
    } else {
      checkPrototypeKeys(frame);
      const keys = Object.keys(frame.value);
      for (let i = keys.length - 1; i >= 0; i--) push(stack, frame, keys[i]!, (frame.value as Record<string, unknown>)[keys[i]!]);
    }
  }
}

function push(stack: Frame[], parent: Frame, key: string | number, child: unknown): void {
  if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: parent.depth + 1, key, parent });
}

function checkPrototypeKeys(frame: Frame): void {
  const object = frame.value as Record<string, unknown>;
  const own = (key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);
  const constructorPrototype =
    own('constructor') &&
    typeof object.constructor === 'object' &&
    object.constructor !== null &&
    Object.prototype.hasOwnProperty.call(object.constructor, 'prototype');
  if (own('__proto__') || constructorPrototype) {
    const key = own('__proto__') ? '__proto__' : 'constructor';
    throw refuse('forbidden property name', formatPath([...pathOf(frame), key]), `"${key}" may not be used as a property name`);
  }
}

function pathOf(frame: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) path.push(f.key);
  return path.reverse();
}

/** `attributes[0].deep[0][0][0][0]…[0][0]`: the start and the end of a very long path. */
function shortPath(path: (string | number)[]): string {
  if (path.length <= 10) return formatPath(path);
  const tail = formatPath(path.slice(-2));
  return `${formatPath(path.slice(0, 6))}…${/^[A-Za-z_$]/.test(tail) ? '.' : ''}${tail}`;
}
