// The example server on loopback, driven by the official MCP TypeScript SDK
// client over Streamable HTTP, with RS256 tokens from a local "identity
// provider" (a JWKS served on 127.0.0.1).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createConnection, createServer as createNetServer } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import * as jose from 'jose';

const HERE = dirname(fileURLToPath(import.meta.url));
const ISSUER = 'https://idp.example';
const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048 });
const JWKS = { keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'rsa1', alg: 'RS256', use: 'sig' }] };

let idp: Server;
let child: ChildProcess;
let url: URL;
let output = '';

const nowS = () => Math.floor(Date.now() / 1000);
const token = (sub: string, exp = nowS() + 600) =>
  new jose.SignJWT({ scope: 'tools:list tools:call' })
    .setProtectedHeader({ alg: 'RS256', kid: 'rsa1' })
    .setIssuer(ISSUER)
    .setAudience('mcp')
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(privateKey);

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const c = createConnection({ host: '127.0.0.1', port }, () => {
        c.end();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (up) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the example server did not start:\n${output}`);
}

before(async () => {
  idp = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(JWKS)));
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const port = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', join(HERE, '..', 'server.ts')], {
    cwd: join(HERE, '..'),
    env: {
      ...process.env,
      JWKS_URL: `http://127.0.0.1:${(idp.address() as AddressInfo).port}/jwks.json`,
      ISSUER,
      AUDIENCE: 'mcp',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  await waitForPort(port);
  url = new URL(`http://127.0.0.1:${port}/mcp`);
});

after(async () => {
  child?.kill();
  await new Promise((resolve) => idp?.close(resolve));
});

async function connect(bearer?: string): Promise<Client> {
  const headers: Record<string, string> = bearer ? { Authorization: `Bearer ${bearer}` } : {};
  const client = new Client({ name: 'gatekey-test', version: '0.1.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

// One raw JSON-RPC POST, as a stateless client sends it.
async function rpc(method: string, params: object, bearer?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-06-18',
      ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
}

// The SDK's StreamableHTTPError carries the HTTP status as `code`.
const is401 = (reason: string) => (e: unknown) => {
  assert.equal((e as { code?: number }).code, 401, String(e));
  // The host's refusal body: the RFC 6750 code in `error`, gatekey's name in `reason`.
  assert.match(String(e), new RegExp(`"reason":"${reason}"`));
  return true;
};

const INIT = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } };

test('initialize, tools/list and tools/call succeed with a valid RS256 token', async () => {
  const client = await connect(await token('alice'));
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['add', 'whoami']);
  const who = await client.callTool({ name: 'whoami', arguments: {} });
  assert.deepEqual(who.content, [{ type: 'text', text: 'you are alice' }]);
  const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
  assert.deepEqual(sum.content, [{ type: 'text', text: '5' }]);
  await client.close();
});

test('initialize, tools/list and tools/call each fail with 401 without a token', async () => {
  await assert.rejects(connect(), is401('missing_credential'));
  for (const [method, params] of [
    ['initialize', INIT],
    ['tools/list', {}],
    ['tools/call', { name: 'whoami', arguments: {} }],
  ] as const) {
    const r = await rpc(method, params);
    assert.equal(r.status, 401, method);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource"$/);
  }
  const forged = await rpc('tools/list', {}, `${await token('mallory')}x`);
  assert.equal(forged.status, 401);
  assert.match(forged.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
});

test('every request is authenticated: the same calls with a valid token directly', async () => {
  const t = await token('bob');
  for (const [method, params] of [
    ['initialize', INIT],
    ['tools/list', {}],
    ['tools/call', { name: 'whoami', arguments: {} }],
  ] as const) {
    const r = await rpc(method, params, t);
    assert.equal(r.status, 200, `${method}: ${await r.clone().text()}`);
    if (method === 'tools/call') assert.match(await r.text(), /you are bob/);
  }
});

test('a token that expires between two calls is refused on the second', async () => {
  const exp = nowS() + 2;
  const client = await connect(await token('carol', exp));
  const first = await client.callTool({ name: 'whoami', arguments: {} });
  assert.deepEqual(first.content, [{ type: 'text', text: 'you are carol' }]);
  // Past exp (whole seconds, no leeway): at most ~3 s of waiting.
  await new Promise((r) => setTimeout(r, Math.max(0, (exp + 1) * 1000 - Date.now() + 50)));
  await assert.rejects(client.callTool({ name: 'whoami', arguments: {} }), is401('expired'));
  await client.close();
});

test('the challenge points to RFC 9728 metadata that the server serves', async () => {
  const r = await rpc('tools/list', {});
  const link = /resource_metadata="([^"]+)"/.exec(r.headers.get('www-authenticate') ?? '')?.[1];
  assert.ok(link);
  const meta = await fetch(link);
  assert.equal(meta.status, 200);
  const body = (await meta.json()) as { resource: string; authorization_servers: string[] };
  assert.equal(body.resource, url.href);
  assert.deepEqual(body.authorization_servers, [ISSUER]);
});
