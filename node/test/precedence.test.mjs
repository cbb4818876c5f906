// The shared precedence matrix (tests/precedence.json), the same cases as
// python/tests/test_precedence.py, through Verifier.authenticate with real
// signed tokens. (`skipped` is not checked: the C API does not expose it.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError, KeySet, Policy, Verifier } from '../index.mjs';
import { JWKS, NOW, claims, es256, precedence } from './helpers.mjs';

const CASES = precedence().cases;
const PRESETS = ['header_first', 'cookie_first', 'strict', 'agree'];
const TOKEN_A = await es256(claims('alice'));
const TOKEN_B = await es256(claims('bob'));
const keys = KeySet.fromJwks(JWKS);

const fill = (text) => text.replaceAll('{A}', TOKEN_A).replaceAll('{B}', TOKEN_B);

function policy(preset, options = {}) {
  if (preset === 'strict') return Policy.strict();
  const o = {};
  if (options.cookie) o.cookie = options.cookie;
  if (options.proxy_header) o.proxyHeader = options.proxy_header;
  if (options.basic) o.basic = options.basic;
  if (options.query) o.query = options.query;
  if (preset === 'agree') return Policy.headerFirst({ ...o, conflict: 'agree' });
  return preset === 'header_first' ? Policy.headerFirst(o) : Policy.cookieFirst(o);
}

let rows = 0;
for (const c of CASES) {
  for (const preset of PRESETS) {
    const expect = c.expect[preset];
    if (!expect) continue;
    rows += 1;
    test(`${c.name} [${preset}]`, () => {
      const headers = c.headers.map(([n, v]) => [n, fill(v)]);
      const opts = { now: NOW };
      if (c.query != null) opts.query = fill(c.query);
      if (c.token != null) opts.token = fill(c.token);
      const verifier = new Verifier(keys, { policy: policy(preset, c.policy), audience: 'mcp' });
      if (expect.error) {
        assert.throws(() => verifier.authenticate(headers, opts), (e) => e instanceof AuthError && e.reason === expect.error);
        return;
      }
      if (expect.source === null) {
        assert.throws(
          () => verifier.authenticate(headers, opts),
          (e) => e.reason === 'missing_credential' && e.status === 401 && e.wwwAuthenticate === 'Bearer',
        );
        const anonymous = new Verifier(keys, { policy: policy(preset, c.policy), required: false });
        assert.equal(anonymous.authenticate(headers, opts), null);
        return;
      }
      const id = verifier.authenticate(headers, opts);
      assert.equal(id.source, expect.source);
      assert.deepEqual(id.shadowed, expect.shadowed);
      assert.deepEqual(id.skipped, expect.skipped);
      assert.equal(id.drift, expect.drift);
      if (id.source === 'basic' || id.source === 'proxy') {
        assert.deepEqual(id.claims, {});
        assert.equal(id.token, null);
      } else {
        assert.ok(id.token === TOKEN_A || id.token === TOKEN_B);
        assert.equal(id.subject, id.token === TOKEN_A ? 'alice' : 'bob');
        assert.equal(id.claims.sub, id.subject);
      }
    });
  }
}

test('the matrix covers every preset and source', () => {
  const sources = new Set(CASES.flatMap((c) => PRESETS.filter((p) => c.expect[p]).map((p) => c.expect[p].source)));
  for (const s of ['bearer', 'cookie', 'basic', 'proxy', 'explicit', null]) assert.ok(sources.has(s), String(s));
  assert.ok(rows >= 4 * 20);
});
