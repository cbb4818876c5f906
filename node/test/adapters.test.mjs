// The adapters: node:http/Express middleware on loopback, Hono, fastmcp's callback.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import { KeySet, Verifier, gatekeyAuthenticate, honoMiddleware, middleware } from '../index.mjs';
import { JWKS, claims, es256 } from './helpers.mjs';

const now = () => Math.floor(Date.now() / 1000);
const verifier = new Verifier(KeySet.fromJwks(JWKS), { audience: 'mcp', realm: 'mcp' });
const TOKEN = await es256(claims('alice', { exp: now() + 600, iat: now() - 10 }));
const EXPIRED = await es256(claims('alice', { exp: now() - 60, iat: now() - 600 }));

let server;
let base;
before(async () => {
  const guard = middleware(verifier);
  server = createServer((req, res) => {
    guard(req, res, (err) => {
      if (err) {
        res.writeHead(500).end(String(err));
        return;
      }
      // A stand-in for the MCP transport: it alone knows about sessions.
      const session = req.headers['mcp-session-id'];
      if (session && session !== 'known') {
        res.writeHead(404).end('Session not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ subject: req.gatekey.subject, auth: req.auth }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}/mcp`;
});
after(() => new Promise((resolve) => server.close(resolve)));

test('node:http middleware: 200 with a token, req.auth in the MCP SDK shape', async () => {
  const r = await fetch(base, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.equal(body.subject, 'alice');
  assert.deepEqual(body.auth.scopes, ['tools:list', 'tools:call']);
  assert.equal(body.auth.clientId, 'gw');
  assert.equal(body.auth.token, TOKEN);
});

test('node:http middleware: 401 with the RFC 6750 challenge, 400 for an ambiguous request', async () => {
  const none = await fetch(base);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="mcp"');
  const expired = await fetch(base, { headers: { Authorization: `Bearer ${EXPIRED}` } });
  assert.equal(expired.status, 401);
  assert.match(expired.headers.get('www-authenticate'), /error="invalid_token", error_description="the token has expired"/);
  const refused = await expired.json();
  assert.deepEqual([refused.error, refused.reason, refused.claim], ['invalid_token', 'expired', 'exp']);
  assert.equal(expired.headers.get('content-type'), 'application/json');
  const malformed = await fetch(base, { headers: { Authorization: 'Bearer a b' } });
  assert.equal(malformed.status, 400);
  assert.match(malformed.headers.get('www-authenticate'), /error="invalid_request"/);
});

test('an unknown MCP session id is the transport\'s 404, never the middleware\'s 401', async () => {
  const r = await fetch(base, { headers: { Authorization: `Bearer ${TOKEN}`, 'Mcp-Session-Id': 'gone' } });
  assert.equal(r.status, 404);
  const known = await fetch(base, { headers: { Authorization: `Bearer ${TOKEN}`, 'Mcp-Session-Id': 'known' } });
  assert.equal(known.status, 200);
});

test('Hono middleware', async () => {
  const app = new Hono();
  app.use('/mcp/*', honoMiddleware(verifier));
  app.get('/mcp/who', (c) => c.text(c.get('gatekey').subject));
  const ok = await app.request('/mcp/who', { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), 'alice');
  const no = await app.request('/mcp/who');
  assert.equal(no.status, 401);
  assert.equal(no.headers.get('www-authenticate'), 'Bearer realm="mcp"');
});

test('fastmcp callback: the identity as session, or a thrown Response', async () => {
  const authenticate = gatekeyAuthenticate(verifier);
  const session = await authenticate({ headers: {}, rawHeaders: ['Authorization', `Bearer ${TOKEN}`] });
  assert.equal(session.subject, 'alice');
  const thrown = await authenticate({ headers: {}, rawHeaders: [] }).then(
    () => assert.fail('resolved'),
    (r) => r,
  );
  assert.ok(thrown instanceof Response);
  assert.equal(thrown.status, 401);
  assert.equal(thrown.headers.get('www-authenticate'), 'Bearer realm="mcp"');
  assert.deepEqual(await thrown.json(), {
    error: 'unauthorized',
    error_description: 'the request carries no credential',
    reason: 'missing_credential',
  });
  const custom = gatekeyAuthenticate(verifier, { toSession: (id) => ({ user: id.subject }) });
  assert.deepEqual(await custom({ rawHeaders: ['authorization', `Bearer ${TOKEN}`] }), { user: 'alice' });
});

const MCP = { 'mcp-protocol-version': '2026-07-28', 'content-type': 'application/json' };
const call = (method, name) => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { name, arguments: {} } });

test('Hono middleware: the body must call what Mcp-Method and Mcp-Name name', async () => {
  const app = new Hono();
  app.use('/mcp', honoMiddleware(verifier));
  let ran = 0;
  app.post('/mcp', async (c) => {
    ran += 1;
    return c.json({ called: (await c.req.json()).params.name });
  });
  const headers = { ...MCP, Authorization: `Bearer ${TOKEN}`, 'mcp-method': 'tools/call', 'mcp-name': 'add' };
  const ok = await app.request('/mcp', { method: 'POST', headers, body: call('tools/call', 'add') });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { called: 'add' }, 'the handler still reads the body');
  const lie = await app.request('/mcp', { method: 'POST', headers, body: call('tools/call', 'delete_all') });
  assert.equal(lie.status, 400);
  const body = await lie.json();
  assert.equal(body.error.code, -32020);
  assert.match(body.error.message, /Mcp-Name/);
  const { 'mcp-method': _, ...unnamed } = headers;
  const missing = await app.request('/mcp', { method: 'POST', headers: unnamed, body: call('tools/list') });
  assert.equal(missing.status, 400, 'a 2026-07-28 POST must name its call');
  const legacy = { ...unnamed, 'mcp-protocol-version': '2025-06-18' };
  assert.equal((await app.request('/mcp', { method: 'POST', headers: legacy, body: call('tools/list') })).status, 200);
  const big = await app.request('/mcp', { method: 'POST', headers: { ...headers, 'content-length': String(2 << 20) }, body: 'x' });
  assert.equal(big.status, 413);
  assert.equal(ran, 2);
});

test('Express-style middleware checks a parsed req.body', async () => {
  const guard = middleware(verifier);
  let ran = 0;
  const api = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    req.body = JSON.parse(text); // what express.json() leaves
    guard(req, res, () => {
      ran += 1;
      res.writeHead(200).end('ran');
    });
  });
  await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${api.address().port}/mcp`;
  try {
    const headers = { ...MCP, Authorization: `Bearer ${TOKEN}`, 'mcp-method': 'tools/call', 'mcp-name': 'add' };
    assert.equal((await fetch(url, { method: 'POST', headers, body: call('tools/call', 'add') })).status, 200);
    const lie = await fetch(url, { method: 'POST', headers, body: call('tools/call', 'delete_all') });
    assert.equal(lie.status, 400);
    assert.equal((await lie.json()).error.code, -32020);
    assert.equal(ran, 1);
  } finally {
    await new Promise((resolve) => api.close(resolve));
  }
});
