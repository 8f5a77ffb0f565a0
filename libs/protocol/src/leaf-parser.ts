import { RouteProtocolParser, type RouteDispatcher } from './route-parser.js';

/**
 * Receives what the other side of a leaf node connection sends. The verbs are the route
 * parser's, in their leaf form: `LS+`/`LS-`/`LMSG`/`HMSG` name no origin or account (the
 * connection is bound to one), so `account` is always '' and `origin` undefined.
 */
export type LeafDispatcher = RouteDispatcher;

/** A parser for a leaf node connection, either side: the route parser in leaf mode. */
export function createLeafParser(dispatcher: LeafDispatcher): RouteProtocolParser {
  return new RouteProtocolParser(dispatcher, { leaf: true });
}
