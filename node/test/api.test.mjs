// The API: header shapes, claims, options, ESM and CommonJS.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import * as gatekey from '../index.mjs';
import { AuthError, ConfigError, KeySet, Policy, Verifier, challenge } from '../index.mjs';
import { JWKS, NOW, SECRET, claims, es256, hs256 } from './helpers.mjs';

const keys = KeySet.fromJwks(JWKS);
const verifier = new Verifier(keys, { issuer: 'https://idp.example', audience: 'mcp' });
const ALICE = await es256(claims('alice', { name: 'Al\u00efce "A"', roles: ['admin', 'dev'], n: { deep: [1, 2] } }));

test('ESM and CommonJS entries give the same objects', () => {
  const cjs = createRequire(import.meta.url)('../index.cjs');
  assert.equal(cjs.Verifier, gatekey.Verifier);
  assert.equal(cjs.AuthError, gatekey.AuthError);
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(gatekey).sort());
  assert.match(gatekey.version(), /^\d+\.\d+\.\d+/);
  assert.match(gatekey.loadLibrary().path, /gatekey\.[a-z0-9]+-[a-z0-9]+(-gnu|-musl)?\.node$/);
});

test('claims come from the core JSON, parsed once, unicode and nesting intact', () => {
  const id = verifier.authenticate({ authorization: `Bearer ${ALICE}` }, { now: NOW });
  assert.equal(id.source, 'bearer');
  assert.equal(id.subject, 'alice');
  assert.equal(id.token, ALICE);
  assert.equal(id.claims.name, 'Al\u00efce "A"');
  assert.deepEqual(id.claims.roles, ['admin', 'dev']);
  assert.deepEqual(id.claims.n, { deep: [1, 2] });
  assert.deepEqual(id.claims.aud, ['mcp', 'account']);
  assert.deepEqual(id.shadowed, []);
  assert.deepEqual(id.skipped, []);
  assert.equal(id.drift, false);
});

test('issuer and audience take one name or several', () => {
  const headers = { authorization: `Bearer ${ALICE}` };
  const several = new Verifier(keys, { issuer: ['https://other.example', 'https://idp.example'], audience: ['admin', 'mcp'] });
  assert.equal(several.authenticate(headers, { now: NOW }).subject, 'alice');
  const strangers = new Verifier(keys, { issuer: ['https://other.example'], audience: 'mcp' });
  assert.throws(() => strangers.authenticate(headers, { now: NOW }), (e) => e instanceof AuthError && e.reason === 'wrong_issuer');
  const elsewhere = new Verifier(keys, { audience: ['admin', 'billing'] });
  assert.throws(() => elsewhere.authenticate(headers, { now: NOW }), (e) => e instanceof AuthError && e.reason === 'wrong_audience');
  // The host's schema checks every option: a ConfigError naming it.
  assert.throws(() => new Verifier(keys, { issuer: [42] }), (e) => e instanceof ConfigError && e.option === 'issuers');
  assert.throws(() => new Verifier(keys, { audience: 7 }), (e) => e instanceof ConfigError && e.option === 'audiences');
});

test('several issuers, each with its own keys', () => {
  const headers = { authorization: `Bearer ${ALICE}` };
  const hsOnly = KeySet.hs256(SECRET, 'hs');
  const both = new Verifier({ 'https://other.example': hsOnly, 'https://idp.example': keys }, { audience: 'mcp', cacheSize: 64 });
  assert.equal(both.authenticate(headers, { now: NOW }).subject, 'alice');
  assert.equal(both.authenticate(headers, { now: NOW }).subject, 'alice');
  assert.equal(both.cacheInfo().hits, 1);
  const wrongKeys = new Verifier(new Map([['https://idp.example', hsOnly]]), { audience: 'mcp' });
  assert.throws(() => wrongKeys.authenticate(headers, { now: NOW }), (e) => e instanceof AuthError && e.reason === 'unknown_key');
  const elsewhere = new Verifier({ 'https://other.example': keys }, { audience: 'mcp' });
  assert.throws(() => elsewhere.authenticate(headers, { now: NOW }), (e) => e instanceof AuthError && e.reason === 'unknown_issuer');
  assert.throws(() => new Verifier({ 'https://idp.example': keys }, { issuer: 'https://idp.example' }), ConfigError);
  assert.throws(() => new Verifier({}), TypeError);
  assert.throws(() => new Verifier({ 'https://idp.example': 'keys' }), TypeError);
});

test('a present source without a usable credential is reported as skipped', () => {
  const id = verifier.authenticate({ authorization: 'Basic', cookie: `jwt_token=${ALICE}` }, { now: NOW });
  assert.equal(id.source, 'cookie');
  assert.deepEqual(id.skipped, [['basic', 'basic_disabled']]);
});

test('every header shape gives the same identity', () => {
  const value = `Bearer ${ALICE}`;
  const shapes = [
    { authorization: value },
    { Authorization: [value] },
    new Headers({ Authorization: value }),
    [['Authorization', value]],
    ['Authorization', value, 'Host', 'x'],
    { rawHeaders: ['authorization', value], headers: {} },
    new Map([['authorization', value]]),
  ];
  for (const h of shapes) assert.equal(verifier.authenticate(h, { now: NOW }).subject, 'alice');
});

test('rawHeaders keep a duplicate Authorization field that headers objects drop', () => {
  const raw = ['Authorization', `Bearer ${ALICE}`, 'Authorization', `Bearer ${ALICE}`];
  assert.throws(() => verifier.authenticate({ rawHeaders: raw }, { now: NOW }), { reason: 'ambiguous_authorization', status: 400 });
});

test('a WHATWG Headers with two Authorization fields is ambiguous, as two fields are', () => {
  // security-bindings.md #15: Headers joins them with ", ".
  const h = new Headers();
  h.append('Authorization', `Bearer ${ALICE}`);
  h.append('Authorization', `Bearer ${ALICE}x`);
  assert.throws(() => verifier.authenticate(h, { now: NOW }), { reason: 'ambiguous_authorization', status: 400 });
});

test('an empty explicit token is no credential, as in Python', () => {
  // security-bindings.md #8: it was a null_argument (HTTP 500) through koffi.
  for (const token of ['', new Uint8Array(0)]) {
    assert.throws(() => verifier.authenticate([], { token, now: NOW }), { reason: 'missing_credential', status: 401 });
  }
});

test('claim rules: expiry, issuer, audience, required claims, scope', async () => {
  assert.throws(() => verifier.authenticate({ authorization: `Bearer ${ALICE}` }, { now: NOW + 601 }), (e) => {
    assert.ok(e instanceof AuthError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'expired');
    assert.equal(e.status, 401);
    assert.match(e.wwwAuthenticate, /^Bearer error="invalid_token"/);
    return true;
  });
  const other = new Verifier(keys, { issuer: 'https://other.example', audience: 'mcp' });
  assert.throws(() => other.authenticate({ authorization: `Bearer ${ALICE}` }, { now: NOW }), { reason: 'wrong_issuer' });
  const aud = new Verifier(keys, { audience: 'billing' });
  assert.throws(() => aud.authenticate({ authorization: `Bearer ${ALICE}` }, { now: NOW }), { reason: 'wrong_audience' });
  const needsEmail = new Verifier(keys, { audience: 'mcp', require: ['exp', 'email'] });
  assert.throws(() => needsEmail.authenticate({ authorization: `Bearer ${ALICE}` }, { now: NOW }), { reason: 'missing_claim' });
  const scoped = new Verifier(keys, { audience: 'mcp', scope: 'admin', realm: 'mcp', resourceMetadata: 'https://mcp.example/.well-known/oauth-protected-resource' });
  assert.throws(() => scoped.authenticate({ authorization: `Bearer ${ALICE}` }, { now: NOW }), (e) => {
    assert.equal(e.reason, 'insufficient_scope');
    assert.equal(e.status, 403);
    assert.match(e.wwwAuthenticate, /realm="mcp"/);
    assert.match(e.wwwAuthenticate, /resource_metadata="https:\/\/mcp.example/);
    return true;
  });
  const noExp = await es256({ sub: 'eve' });
  assert.throws(() => verifier.authenticate({ authorization: `Bearer ${noExp}` }, { now: NOW }), { reason: 'missing_claim' });
  const lax = new Verifier(keys, { require: [] });
  assert.equal(lax.authenticate({ authorization: `Bearer ${noExp}` }, { now: NOW }).subject, 'eve');
});

test('HS256 secrets, explicit tokens, the query source, the system clock', async () => {
  const v = new Verifier(KeySet.hs256(SECRET), { audience: 'mcp', policy: Policy.headerFirst({ query: true }) });
  const t = await hs256(claims('carol', { exp: Math.floor(Date.now() / 1000) + 60 }));
  assert.equal(v.authenticate({}, { token: t }).source, 'explicit');
  assert.equal(v.authenticate([], { query: `a=1&access_token=${t}` }).source, 'query');
  assert.equal(v.authenticate({ cookie: `jwt_token=${t}` }).subject, 'carol');
  assert.throws(() => KeySet.hs256('short'), (e) => e instanceof ConfigError && e.reason === 'weak_key' && e.status === 500);
  assert.equal(new KeySet().addJwks(JSON.stringify(JWKS)).addHs256(SECRET, 'h1').size, 2);
});

test('Basic and proxy identities have a subject and no claims', () => {
  const v = new Verifier(keys, { policy: Policy.headerFirst({ basic: { user: 'admin', password: 's3cret' }, proxyHeader: 'X-Authenticated-User' }) });
  const basic = v.authenticate({ authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` });
  assert.deepEqual([basic.source, basic.subject, basic.token, basic.claims], ['basic', 'admin', null, {}]);
  const proxy = v.authenticate({ 'x-authenticated-user': 'dana' });
  assert.deepEqual([proxy.source, proxy.subject], ['proxy', 'dana']);
  assert.throws(() => v.authenticate({ authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` }), { reason: 'basic_rejected' });
});

test('options are checked: types, cacheSize, conflict, closed verifier', () => {
  assert.throws(() => new Verifier(keys, { cacheSize: -1 }), /cacheSize/);
  assert.throws(() => new Verifier(keys, { cacheSize: 1.5 }), /cacheSize/);
  assert.throws(() => new Verifier(keys, { cacheSize: 65537 }), (e) => e instanceof ConfigError && e.option === 'cache_size' && e.status === 500);
  assert.throws(() => new Verifier(keys, { issuer: ['a', 2] }), ConfigError);
  assert.throws(() => new Verifier(keys, { leeway: -1 }), (e) => e instanceof ConfigError && e.option === 'leeway' && e.value === '-1');
  assert.throws(() => new Verifier(keys, { leeway: '30' }), (e) => e instanceof ConfigError && e.option === 'leeway');
  assert.throws(() => new Verifier(keys, { require: ['exp', 5] }), (e) => e instanceof ConfigError && e.option === 'require');
  assert.throws(() => new Verifier(keys, { audiance: 'mcp' }), (e) => e instanceof ConfigError && e.option === 'options');
  assert.throws(() => new Verifier(keys, 'mcp'), TypeError);
  assert.throws(() => verifier.authenticate({}, { now: Date.now() }), (e) => e instanceof ConfigError && e.option === 'now');
  assert.throws(() => verifier.authenticate({}, { now: -1 }), (e) => e instanceof ConfigError && e.option === 'now');
  assert.throws(() => verifier.authenticate({}, { token: 42 }), TypeError);
  assert.throws(() => verifier.authenticate(42), TypeError);
  assert.throws(() => new Verifier({}), TypeError);
  assert.throws(() => Policy.headerFirst({ conflict: 'last' }), TypeError);
  assert.throws(() => Policy.headerFirst({ cookie: 'bad name;' }), ConfigError);
  const v = new Verifier(keys);
  v.close();
  v.close();
  assert.throws(() => v.authenticate({}), /closed/);
});

test('cacheSize: a hit after the first call, exp still checked on hits, new tokens miss', async () => {
  const v = new Verifier(keys, { issuer: 'https://idp.example', audience: 'mcp', cacheSize: 100 });
  assert.deepEqual(v.cacheInfo(), { hits: 0, misses: 0, maxsize: 128, currsize: 0 });
  const token = await es256(claims('alice', { exp: NOW + 600 }));
  const headers = { authorization: `Bearer ${token}` };
  for (let t = 0; t < 3; t++) {
    const id = v.authenticate(headers, { now: NOW + t });
    assert.deepEqual([id.subject, id.token, id.claims.exp], ['alice', token, NOW + 600]);
  }
  assert.deepEqual(v.cacheInfo(), { hits: 2, misses: 1, maxsize: 128, currsize: 1 });
  assert.throws(() => v.authenticate(headers, { now: NOW + 601 }), { reason: 'expired' });
  assert.equal(v.cacheInfo().hits, 3, 'refused on a hit, not re-verified');
  const other = await es256(claims('bob', { exp: NOW + 600 }));
  assert.equal(v.authenticate({}, { token: other, now: NOW }).subject, 'bob');
  assert.deepEqual([v.cacheInfo().misses, v.cacheInfo().currsize], [2, 2]);
  const i = token.length - 10;
  const tampered = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
  assert.throws(() => v.authenticate({}, { token: tampered, now: NOW }), AuthError);
  assert.equal(new Verifier(keys).cacheInfo().maxsize, 0);
  v.close();
  assert.throws(() => v.cacheInfo(), /closed/);
});

test('challenge() gives the RFC 6750 §3 values', () => {
  assert.equal(challenge(), 'Bearer');
  assert.equal(challenge(100, { realm: 'mcp' }), 'Bearer realm="mcp"');
  assert.match(challenge(304), /error="invalid_token"/);
  assert.match(challenge(105), /error="invalid_request"/);
});

test('failures name what they are about, with the host\'s whole HTTP answer', async () => {
  const scoped = new Verifier(keys, { audience: 'mcp', scopes: ['tools:call', 'admin'], realm: 'mcp' });
  assert.throws(() => scoped.authenticate({ authorization: `Bearer ${ALICE}` }, { now: NOW }), (e) => {
    assert.equal(e.reason, 'insufficient_scope');
    assert.equal(e.claim, 'admin');
    assert.equal(e.refusal.status, 403);
    assert.equal(e.refusal.headers['WWW-Authenticate'], e.wwwAuthenticate);
    assert.equal(e.refusal.headers['Content-Type'], 'application/json');
    assert.deepEqual(JSON.parse(e.refusal.body), {
      error: 'insufficient_scope',
      error_description: e.message,
      reason: 'insufficient_scope',
      claim: 'admin',
    });
    return true;
  });
  const other = await es256(claims('alice'), 'ec9');
  assert.throws(() => verifier.authenticate({}, { token: other, now: NOW }), { reason: 'unknown_key', kid: 'ec9' });
  const strangers = new Verifier(keys, { issuer: 'https://other.example' });
  assert.throws(() => strangers.authenticate({}, { token: ALICE, now: NOW }), { reason: 'wrong_issuer', issuer: 'https://idp.example' });
});

test('verify(token) gives the claims; setKeys replaces the keys and empties the cache', async () => {
  const v = new Verifier(keys, { audience: 'mcp', cacheSize: 64 });
  assert.equal(v.verify(ALICE, { now: NOW }).sub, 'alice');
  assert.deepEqual(v.verify(Buffer.from(ALICE), { now: NOW }).roles, ['admin', 'dev']);
  assert.equal(v.cacheInfo().hits, 1);
  assert.throws(() => v.verify(ALICE, { now: NOW + 601 }), { reason: 'expired', claim: 'exp' });
  assert.throws(() => v.verify(undefined), TypeError);
  v.setKeys(KeySet.hs256(SECRET, 'h1'));
  assert.equal(v.cacheInfo().currsize, 0);
  assert.throws(() => v.verify(ALICE, { now: NOW }), { reason: 'unknown_key', kid: 'ec1' });
  assert.equal(v.verify(await hs256(claims('hana'), SECRET, 'h1'), { now: NOW }).sub, 'hana');
  assert.throws(() => v.setKeys({ 'https://idp.example': keys }), TypeError);
  assert.throws(() => v.setKeys('keys'), TypeError);
});

test('header strings reach the core as UTF-8, Uint8Array values as bytes; calls nest safely', async () => {
  const v = new Verifier(keys, { audience: 'mcp', policy: Policy.headerFirst({ proxyHeader: 'X-User' }) });
  // U+0161 and U+0141 would be 'a' and 'A' cut to latin1: as UTF-8 they are no such letters.
  assert.throws(() => v.authenticate({ '\u0161uthorization': `Bearer ${ALICE}` }, { now: NOW }), { reason: 'missing_credential' });
  assert.throws(() => v.authenticate({ 'x-user': '\u0141lice' }), { reason: 'malformed_proxy_header' });
  assert.equal(v.authenticate([['x-user', Buffer.from('dana', 'utf8')]]).subject, 'dana');
  assert.equal(v.authenticate([[Buffer.from('X-User'), 'dana']]).subject, 'dana');
  assert.equal(v.authenticate({ authorization: new TextEncoder().encode(`Bearer ${ALICE}`) }, { now: NOW }).subject, 'alice');
  // A header value whose toString authenticates again: each call has its own fields.
  const inner = { toString: () => { verifier.authenticate({ authorization: `Bearer ${ALICE}` }, { now: NOW }); return `Bearer ${ALICE}`; } };
  assert.equal(verifier.authenticate({ 'x-other': inner, authorization: `Bearer ${ALICE}` }, { now: NOW }).subject, 'alice');
});

test('a JWKS of 64 keys loads in Node as everywhere; 65 is full', async () => {
  // Issue 14: one key capacity in every language (gatekey_host::KEYS).
  const secret = (i) => `jwks-capacity-secret-${String(i).padStart(4, '0')}-0123456789abcdef`;
  const jwk = (i) => ({ kty: 'oct', alg: 'HS256', kid: `k${i}`, k: Buffer.from(secret(i)).toString('base64url') });
  const keys = KeySet.fromJwks({ keys: Array.from({ length: 64 }, (_, i) => jwk(i)) });
  assert.equal(keys.size, 64);
  const token = await hs256(claims('k63'), secret(63), 'k63');
  assert.equal(new Verifier(keys, { audience: 'mcp' }).authenticate({ authorization: `Bearer ${token}` }, { now: NOW }).subject, 'k63');
  assert.throws(() => KeySet.fromJwks({ keys: Array.from({ length: 65 }, (_, i) => jwk(i)) }), { reason: 'key_set_full' });
});
