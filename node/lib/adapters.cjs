'use strict';
// A few lines each: gatekey as a fastmcp `authenticate` callback, and as
// node:http / Express / Hono middleware. They only translate an AuthError
// into the host's RFC 6750 §3 answer (`AuthError.refusal`); the decision
// and the answer are the verifier's.

const { AuthError } = require('./gatekey.cjs');

// The host's refusal, as every surface answers it: status, WWW-Authenticate, JSON body.
const answer = (error) => error.refusal;

/**
 * The MCP TypeScript SDK's `AuthInfo` for an identity, so that
 * `req.auth` reaches the SDK's transports and tool handlers.
 */
function authInfo(identity) {
  const c = identity.claims;
  return {
    token: identity.token ?? '',
    clientId: String(c.client_id ?? c.azp ?? ''),
    scopes: typeof c.scope === 'string' ? c.scope.split(' ').filter(Boolean) : [],
    expiresAt: typeof c.exp === 'number' ? c.exp : undefined,
    extra: { subject: identity.subject, source: identity.source, claims: c },
  };
}

/**
 * fastmcp: `new FastMCP({ authenticate: gatekeyAuthenticate(verifier) })`.
 * Runs on every request (fastmcp authenticates each one, stateless or not);
 * a failure is thrown as a `Response`, which fastmcp sends as it is.
 * The session is the identity, or what `toSession(identity)` makes of it.
 */
function gatekeyAuthenticate(verifier, { toSession } = {}) {
  return async (request) => {
    let identity;
    try {
      identity = verifier.authenticate(request);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      const a = answer(e);
      throw new Response(a.body, { status: a.status, headers: a.headers });
    }
    return toSession ? toSession(identity) : identity;
  };
}

/**
 * node:http and Express: `(req, res, next)`. On success sets `req.gatekey`
 * (the identity) and `req.auth` (the MCP SDK's AuthInfo) and calls
 * `next()`; on failure answers 400/401/403 with the challenge. It reads
 * credentials only: an MCP session id, known or not, is the transport's
 * business and never makes a 401 here.
 */
function middleware(verifier) {
  return (req, res, next) => {
    let identity;
    try {
      identity = verifier.authenticate(req);
    } catch (e) {
      if (!(e instanceof AuthError)) return next(e);
      const a = answer(e);
      res.writeHead(a.status, a.headers);
      res.end(a.body);
      return undefined;
    }
    req.gatekey = identity;
    if (identity) req.auth = authInfo(identity);
    return next();
  };
}

/**
 * Hono (or any fetch-style framework): `app.use('/mcp/*', honoMiddleware(verifier))`.
 * Sets `c.get('gatekey')` to the identity; answers failures itself.
 */
function honoMiddleware(verifier) {
  return async (c, next) => {
    let identity;
    try {
      identity = verifier.authenticate(c.req.raw.headers);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      const a = answer(e);
      return new Response(a.body, { status: a.status, headers: a.headers });
    }
    c.set('gatekey', identity);
    await next();
    return undefined;
  };
}

module.exports = { gatekeyAuthenticate, middleware, honoMiddleware, authInfo };
