import type { NextFunction, Request, Response } from 'express';
import { Lexer, Source, TokenKind } from 'graphql';
import { refuseRequest } from '@keylab/server';

/** The operations of a request: a GET's query string, or a POST's body (one, or a batch). */
const operationsOf = (req: Request): unknown[] =>
  req.method === 'GET' ? [req.query] : Array.isArray(req.body) ? req.body : [req.body];

/** Batches (a JSON array of operations) of at most `max` operations. */
export function batchLimit(max: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (Array.isArray(req.body) && req.body.length > max) return refuseRequest(req, res, 400, 'limits.batch', { max });
    next();
  };
}

function tokenCount(query: string, max: number): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF && count <= max) count += 1;
  } catch {
    // A syntax error: the parser reports it.
  }
  return count;
}

/** Documents of at most `max` tokens (GET and POST alike), counted by GraphQL's lexer before anything parses them. */
export function tokenLimit(max: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    for (const operation of operationsOf(req)) {
      const query = (operation as { query?: unknown } | null)?.query;
      if (typeof query === 'string' && tokenCount(query, max) > max) {
        return refuseRequest(req, res, 400, 'limits.tokens', { max }, { code: 'GRAPHQL_PARSE_FAILED', limit: 'tokens', max });
      }
    }
    next();
  };
}
