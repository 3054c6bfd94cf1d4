// Where a malformed JSON body goes wrong, as line and column. V8's JSON.parse messages give an
// offset only for some mistakes ("Unexpected token 'x', ... is not valid JSON" has none) and quote
// the body back; this scanner finds the first offending character for every kind of mistake.
// It runs only after JSON.parse has refused the text, and keeps its own stack (no recursion).

export interface JsonSyntaxError {
  /** 0-based offset of the first character that cannot continue valid JSON (text.length at an early end). */
  offset: number;
  line: number;
  column: number;
  /** What would have been valid there, e.g. `',' or '}'`. */
  expected: string;
}

type State = 'value' | 'firstValue' | 'key' | 'firstKey' | 'colon' | 'after' | 'done';

const EXPECTED: Record<State, string> = {
  value: 'a value',
  firstValue: "a value or ']'",
  key: 'a property name in double quotes',
  firstKey: "a property name in double quotes or '}'",
  colon: "':'",
  after: '', // depends on the enclosing container
  done: 'the end of the body',
};

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: string[] = [];
  let state: State = 'value';
  let i = 0;
  const fail = (offset: number, expected: string): JsonSyntaxError => ({ offset, expected, ...lineAndColumn(text, offset) });
  const afterValue = (): State => (stack.length > 0 ? 'after' : 'done');
  while (true) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= text.length) return state === 'done' ? undefined : fail(i, expectedIn(state, stack));
    const c = text[i]!;
    if (state === 'done') return fail(i, EXPECTED.done);
    if (state === 'colon') {
      if (c !== ':') return fail(i, EXPECTED.colon);
      i++;
      state = 'value';
    } else if (state === 'after') {
      const close = stack.at(-1) === '{' ? '}' : ']';
      if (c === ',') {
        i++;
        state = close === '}' ? 'key' : 'value';
      } else if (c === close) {
        stack.pop();
        i++;
        state = afterValue();
      } else return fail(i, expectedIn(state, stack));
    } else if (state === 'key' || state === 'firstKey') {
      if (state === 'firstKey' && c === '}') {
        stack.pop();
        i++;
        state = afterValue();
        continue;
      }
      if (c !== '"') return fail(i, EXPECTED[state]);
      const end = scanString(text, i);
      if (typeof end !== 'number') return fail(end.at, end.expected ?? EXPECTED[state]);
      i = end;
      state = 'colon';
    } else {
      if (state === 'firstValue' && c === ']') {
        stack.pop();
        i++;
        state = afterValue();
        continue;
      }
      if (c === '{' || c === '[') {
        stack.push(c);
        i++;
        state = c === '{' ? 'firstKey' : 'firstValue';
        continue;
      }
      const end = scanScalar(text, i);
      if (typeof end !== 'number') return fail(end.at, end.expected ?? EXPECTED[state]);
      i = end;
      state = afterValue();
    }
  }
}

function expectedIn(state: State, stack: string[]): string {
  if (state !== 'after') return EXPECTED[state];
  return stack.at(-1) === '{' ? "',' or '}'" : "',' or ']'";
}

type Scan = number | { at: number; expected?: string };

/** A string, number or literal starting at `i`: the offset after it, or where it breaks. */
function scanScalar(text: string, i: number): Scan {
  const c = text[i]!;
  if (c === '"') return scanString(text, i);
  for (const literal of ['true', 'false', 'null']) {
    if (c !== literal[0]) continue;
    for (let k = 1; k < literal.length; k++) if (text[i + k] !== literal[k]) return { at: i + k, expected: `"${literal}"` };
    return i + literal.length;
  }
  NUMBER.lastIndex = i;
  if (NUMBER.test(text)) return NUMBER.lastIndex;
  return c === '-' ? { at: i + 1, expected: 'a digit' } : { at: i };
}

function scanString(text: string, start: number): Scan {
  for (let j = start + 1; j < text.length; j++) {
    const code = text.charCodeAt(j);
    if (code === 0x22) return j + 1;
    if (code < 0x20) return { at: j, expected: 'no control characters in a string (escape them, e.g. \\n)' };
    if (code === 0x5c) {
      const next = text[j + 1];
      if (next === 'u') {
        if (!HEX4.test(text.slice(j + 2, j + 6))) return { at: j, expected: 'four hex digits after \\u' };
        j += 5;
      } else if (next !== undefined && '"\\/bfnrt'.includes(next)) j++;
      else return { at: j, expected: 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)' };
    }
  }
  return { at: text.length, expected: 'a closing \'"\'' };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
