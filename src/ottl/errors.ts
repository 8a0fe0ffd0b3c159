// Errors of the OTTL compiler. Syntax errors (OttlSyntaxError, lexer.ts) carry a line and column; compile
// errors (unknown path, function, enum, wrong arguments) carry the position of the offending node when known.

import type { Pos } from './ast';

export class OttlCompileError extends Error {
  constructor(
    message: string,
    readonly pos?: Pos,
  ) {
    super(pos ? `${pos.line}:${pos.col}: ${message}` : message);
    this.name = 'OttlCompileError';
  }
}
