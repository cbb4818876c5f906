'use strict';
// A few lines each: gatekey as a fastmcp `authenticate` callback, and as
// node:http / Express / Hono middleware. They only translate an AuthError
// into the host's RFC 6750 §3 answer (`AuthError.refusal`); the decision
// and the answer are the verifier's.

const { AuthError } = require('./gatekey.cjs');

// The host's refusal, as every surface answers it: status, WWW-Authenticate, JSON body.
const answer = (error) => error.refusal;

// The params member each name-bearing MCP method names (Mcp-Name mirrors it).
const NAME_PARAMETER = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };
// The first MCP revision whose POSTs must carry Mcp-Method.
const HEADERS_REQUIRED_FROM = '2026-07-28';
// The most body bytes the Hono adapter reads to compare the call.
const MAX_BODY = 1 << 20;

/** One header's value of a Node or WHATWG header collection. */
function header(headers, name) {
  const v = typeof headers.get === 'function' ? headers.get(name) : headers[name];
  return Array.isArray(v) ? v[0] : v ?? null;
}

/**
 * MCP 2026-07-28: the call a parsed JSON-RPC `body` makes must be the one
 * the `Mcp-Method` / `Mcp-Name` headers name (the verifier's `checkCall`,
 * which throws the 400 with JSON-RPC error -32020). Bodies that are no
 * call, and requests of an earlier revision that send no `Mcp-Method`,
 * are left to the server.
 */
function checkBody(verifier, headers, body) {
  const method = header(headers, 'mcp-method');
  const version = header(headers, 'mcp-protocol-version') ?? '';
  if (method === null && version < HEADERS_REQUIRED_FROM) return;
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('method' in body)) {
    if (method !== null) verifier.checkCall(headers, '');
    return;
  }
  const key = NAME_PARAMETER[body.method];
  const params = body.params !== null && typeof body.params === 'object' ? body.params : {};
  const name = key !== undefined && typeof params[key] === 'string' ? params[key] : null;
  verifier.checkCall(headers, typeof body.method === 'string' ? body.method : '', name);
}

/**
 * The MCP TypeScript SDK's `AuthInfo` for an identity, so that
 * `req.auth` reaches the SDK's transports and tool handlers.
 */
function authInfo(identity) {
  const c = identity.claims;
  return {
    token: identity.token ?? '',
    clientId: String(c.client_id ?? c.azp ?? ''),
    scopes: identity.scopes,
    expiresAt: typeof c.exp === 'number' ? c.exp : undefined,
    extra: { subject: identity.subject, source: identity.source, claims: c },
  };
}

/**
 * fastmcp: `new FastMCP({ authenticate: gatekeyAuthenticate(verifier) })`.
 * Runs on every request (fastmcp authenticates each one, stateless or not);
 * a failure is thrown as a `Response`, which fastmcp sends as it is.
 * The session is the identity, or what `toSession(identity)` makes of it;
 * an anonymous request a `required: false` verifier allows gets
 * `anonymous` (default `ANONYMOUS`).
 */
/**
 * The session of an anonymous request a `required: false` verifier allows:
 * fastmcp (and mcp-proxy) answer 401 to a falsy session, so anonymity is
 * an object.
 */
const ANONYMOUS = Object.freeze({ anonymous: true, source: null, subject: null, claims: Object.freeze({}), scopes: Object.freeze([]) });

function gatekeyAuthenticate(verifier, { toSession, anonymous = ANONYMOUS } = {}) {
  return async (request) => {
    let identity;
    try {
      identity = verifier.authenticate(request);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      const a = answer(e);
      throw new Response(a.body, { status: a.status, headers: a.headers });
    }
    if (identity === null) return anonymous;
    return toSession ? toSession(identity) : identity;
  };
}

/**
 * node:http and Express: `(req, res, next)`. On success sets `req.gatekey`
 * (the identity) and `req.auth` (the MCP SDK's AuthInfo) and calls
 * `next()`; on failure answers 400/401/403 with the challenge. It reads
 * credentials only: an MCP session id, known or not, is the transport's
 * business and never makes a 401 here. After `express.json()` (a parsed
 * `req.body`), a POST's call is checked against its `Mcp-Method` and
 * `Mcp-Name` headers too.
 */
function middleware(verifier) {
  return (req, res, next) => {
    let identity;
    try {
      identity = verifier.authenticate(req);
      if (req.method === 'POST' && req.body !== undefined) checkBody(verifier, req.headers, req.body);
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
 * Sets `c.get('gatekey')` to the identity; answers failures itself. A
 * POST's JSON-RPC body (read from a clone, at most 1 MiB, so the handler
 * still has it) must call what its `Mcp-Method` and `Mcp-Name` name.
 */
function honoMiddleware(verifier) {
  return async (c, next) => {
    let identity;
    try {
      const headers = c.req.raw.headers;
      identity = verifier.authenticate(headers);
      if (c.req.method === 'POST' && (headers.has('mcp-method') || (headers.get('mcp-protocol-version') ?? '') >= HEADERS_REQUIRED_FROM)) {
        const declared = Number(headers.get('content-length') ?? 0);
        const text = declared > MAX_BODY ? '' : await c.req.raw.clone().text();
        if (declared > MAX_BODY || text.length > MAX_BODY) return new Response('{"error":"invalid_request","error_description":"the request body is larger than 1 MiB"}', { status: 413, headers: { 'Content-Type': 'application/json' } });
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined; // not JSON: the server answers -32700 and calls nothing
        }
        if (body !== undefined) checkBody(verifier, headers, body);
      }
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

module.exports = { ANONYMOUS, gatekeyAuthenticate, middleware, honoMiddleware, authInfo };
