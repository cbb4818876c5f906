// A route's scopes: Identity.scopes by the core's rule, Verifier.requireScopes
// with the hierarchy of scopeRules, authInfo's scopes, and fastmcp's
// anonymous session for a `required: false` verifier.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANONYMOUS, AuthError, ConfigError, KeySet, Policy, Verifier, authInfo, gatekeyAuthenticate } from '../index.mjs';
import { SECRET, claims, hs256 } from './helpers.mjs';

const now = () => Math.floor(Date.now() / 1000);
const token = (extra) => hs256(claims('alice', { exp: now() + 600, iat: now() - 10, ...extra }));
const bearer = async (extra) => ({ authorization: `Bearer ${await token(extra)}` });

test('Identity.scopes reads scope, else scp, as the core does', async () => {
  const v = new Verifier(KeySet.hs256(SECRET), { audience: 'mcp' });
  assert.deepEqual(v.authenticate(await bearer({ scope: 'a b  c' })).scopes, ['a', 'b', 'c']);
  assert.deepEqual(v.authenticate(await bearer({ scope: undefined, scp: ['x', 'y'] })).scopes, ['x', 'y']);
  const okta = v.authenticate(await bearer({ scope: undefined, scp: ['x'] }));
  assert.deepEqual(authInfo(okta).scopes, ['x'], 'authInfo takes the same scopes');
  assert.deepEqual(JSON.parse(JSON.stringify(okta)).scopes, ['x']);
});

test('requireScopes names every scope the route needs, with the hierarchy', async () => {
  const v = new Verifier(KeySet.hs256(SECRET), { audience: 'mcp', scopeRules: ['admin > write', 'write > read'] });
  const admin = v.authenticate(await bearer({ scope: 'admin' }));
  v.requireScopes(admin, ['read', 'write']);
  v.requireScopes(admin, 'read write');
  const writer = v.authenticate(await bearer({ scope: 'write' }));
  assert.throws(
    () => v.requireScopes(writer, ['read', 'admin']),
    (e) => e instanceof AuthError && e.reason === 'insufficient_scope' && e.claim === 'admin' && e.status === 403
      && e.refusal.headers['WWW-Authenticate'].includes('scope="read admin"'),
  );
  assert.throws(() => v.requireScopes(null, ['read']), (e) => e instanceof AuthError && e.reason === 'missing_credential' && e.status === 401);
  v.requireScopes(null, []);
  for (const bad of [['has space'], [5], 5, [''], ['x'.repeat(100_000)], ['a"b'], ['caf\u00e9'], ['a\\b']]) {
    assert.throws(() => v.requireScopes(admin, bad), (e) => e instanceof ConfigError && e.option === 'scopes', String(bad).slice(0, 20));
  }
  assert.throws(() => v.requireScopes({ subject: 'forged', scopes: ['admin'] }, ['read']), TypeError);
});

test('a Basic identity holds no scope', () => {
  const v = new Verifier(KeySet.hs256(SECRET), { policy: Policy.headerFirst({ basic: ['u', 'p'] }) });
  const basic = v.authenticate({ authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });
  assert.equal(basic.source, 'basic');
  assert.deepEqual(basic.scopes, []);
  assert.throws(() => v.requireScopes(basic, ['read']), (e) => e.reason === 'insufficient_scope');
});

test('fastmcp: an anonymous request a required: false verifier allows is a session', async () => {
  const open = gatekeyAuthenticate(new Verifier(KeySet.hs256(SECRET), { required: false }));
  assert.equal(await open({ headers: {} }), ANONYMOUS);
  assert.ok(ANONYMOUS.anonymous && Object.isFrozen(ANONYMOUS));
  const closed = gatekeyAuthenticate(new Verifier(KeySet.hs256(SECRET)));
  await assert.rejects(closed({ headers: {} }), (r) => r instanceof Response && r.status === 401);
  const custom = gatekeyAuthenticate(new Verifier(KeySet.hs256(SECRET), { required: false, audience: 'mcp' }), {
    toSession: (id) => ({ who: id.subject }),
    anonymous: { who: 'nobody' },
  });
  assert.deepEqual(await custom({ headers: {} }), { who: 'nobody' });
  assert.deepEqual(await custom({ rawHeaders: Object.entries(await bearer({})).flat() }), { who: 'alice' });
});
