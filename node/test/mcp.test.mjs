// The shared MCP matrix (tests/mcp.json), the same rows as Rust and Python:
// the scope decision from Mcp-Method / Mcp-Name in authenticate, then the
// header-versus-body check, with the refusals every surface answers with.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AuthError, ConfigError, KeySet, Verifier, gatekeyAuthenticate } from '../index.mjs';
import { ROOT, hs256 } from './helpers.mjs';

const MATRIX = JSON.parse(readFileSync(join(ROOT, 'tests', 'mcp.json'), 'utf8'));
const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const verifier = new Verifier(
  KeySet.hs256(MATRIX.secret),
  Object.fromEntries(Object.entries(MATRIX.options).map(([k, v]) => [camel(k), v])),
);

async function headersOf(row) {
  const now = Math.floor(Date.now() / 1000);
  const token = await hs256({ sub: 'alice', exp: now + 600, ...row.claims }, MATRIX.secret);
  const fields = [['authorization', `Bearer ${token}`]];
  for (const [name, value] of Object.entries(row.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) fields.push([name, one]);
  }
  return fields;
}

for (const row of MATRIX.rows) {
  test(row.name, async () => {
    const headers = await headersOf(row);
    let refused = null;
    try {
      verifier.authenticate(headers);
      verifier.checkCall(headers, row.body.method, row.body.name ?? null);
    } catch (e) {
      assert.ok(e instanceof AuthError, String(e));
      refused = e;
    }
    assert.equal(refused?.status ?? 200, row.expect, refused?.message);
    assert.equal(refused?.reason ?? undefined, row.reason);
    const scope = refused?.wwwAuthenticate?.match(/scope="([^"]*)"/)?.[1];
    assert.equal(scope, row.scope);
    if (row.scope !== undefined) assert.equal(refused.scope, row.scope);
    if (row.reason === 'header_mismatch') {
      assert.equal(JSON.parse(refused.refusal.body).error.code, -32020);
      assert.equal(refused.wwwAuthenticate, null);
    }
  });
}

test('scope rules are checked when the verifier is built', () => {
  assert.throws(
    () => new Verifier(KeySet.hs256(MATRIX.secret), { scopeRules: ['tools/list x : y'] }),
    (e) => e instanceof ConfigError && e.option === 'scope_rules' && /line 1/.test(e.expected),
  );
  assert.throws(() => verifier.checkCall([], 7), TypeError);
});

test('the rows through the fastmcp callback: its headers decide, as at the proxy', async () => {
  const authenticate = gatekeyAuthenticate(verifier);
  for (const row of MATRIX.rows) {
    const rawHeaders = (await headersOf(row)).flat();
    const outcome = await authenticate({ headers: {}, rawHeaders }).then(
      () => ({ status: 200 }),
      (r) => r,
    );
    // fastmcp gives the hook no body: a body that lies is the SDK's to refuse.
    const want = row.body_only ? 200 : row.expect;
    assert.equal(outcome.status, want, row.name);
    if (outcome instanceof Response) {
      const scope = outcome.headers.get('www-authenticate')?.match(/scope="([^"]*)"/)?.[1];
      assert.equal(scope, row.scope, row.name);
    }
  }
});
