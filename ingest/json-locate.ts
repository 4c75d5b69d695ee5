/**
 * Finds where a JSON text stops being valid. Node 20's JSON.parse errors don't say
 * where, and a client with a 10 MB batch needs to know. Only used after JSON.parse has
 * failed, so it favours being small over being fast.
 */
export interface JsonErrorLocation {
  position: number;
  line: number;
  column: number;
  expected: string;
}

export function locateJsonError(text: string): JsonErrorLocation | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1;
  };
  const fail = (expected: string): never => {
    throw new LocatedError(i, expected);
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`"${word}"`);
  };
  const string = () => {
    if (text[i] !== '"') fail('a string');
    i += 1;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('no control characters inside a string');
      if (text[i] === '\\') {
        i += 1;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('four hex digits after \\u');
          i += 5;
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i]!)) i += 1;
        else fail('a valid escape sequence');
      } else i += 1;
    }
    if (i >= text.length) fail('a closing quote');
    i += 1;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail('a value');
    i += match![0].length;
  };
  const value = (depth: number) => {
    if (depth > 2000) fail('less nesting');
    ws();
    const c = text[i];
    if (c === '{') {
      i += 1;
      ws();
      if (text[i] === '}') return void (i += 1);
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ':') fail("':' after a property name");
        i += 1;
        value(depth + 1);
        ws();
        if (text[i] === ',') i += 1;
        else if (text[i] === '}') return void (i += 1);
        else fail("',' or '}'");
      }
    }
    if (c === '[') {
      i += 1;
      ws();
      if (text[i] === ']') return void (i += 1);
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i += 1;
        else if (text[i] === ']') return void (i += 1);
        else fail("',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail('end of input');
    return null;
  } catch (error) {
    if (!(error instanceof LocatedError)) return null;
    const before = text.slice(0, error.position);
    const line = before.split('\n').length;
    return { position: error.position, line, column: error.position - before.lastIndexOf('\n'), expected: error.expected };
  }
}

class LocatedError extends Error {
  constructor(
    readonly position: number,
    readonly expected: string,
  ) {
    super(`expected ${expected} at ${position}`);
  }
}
