// AssertionChecker.verifyAssertion: the application's check of the
// identity assertion gatekey-authz sets (gatekey_host::assertion), with
// assertions minted here as the server makes them.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { test } from 'node:test';
import { AssertionChecker, AuthError } from '../index.mjs';

const KEY = 'deployment-key-for-the-orders-service';
const NOW = 1_800_000_000;
const HEADER = { alg: 'HS256', typ: 'gatekey-assertion+jwt' };
const b64 = (b) => Buffer.from(b).toString('base64url');

function mint(claims, { key = KEY, header = HEADER } = {}) {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${b64(createHmac('sha256', key).update(input).digest())}`;
}

function claims(over = {}, credential = 'tok') {
  return {
    aud: 'orders',
    iat: NOW,
    exp: NOW + 30,
    sub: 'alice',
    src: 'cookie',
    cnf: { 'cred#S256': b64(createHash('sha256').update(credential).digest()) },
    ...over,
  };
}

const checker = new AssertionChecker(KEY, { audience: 'orders' });

test('a valid assertion, bound and not', () => {
  const a = mint(claims());
  assert.deepEqual(checker.verifyAssertion(a, { now: NOW }), { subject: 'alice', source: 'cookie' });
  assert.deepEqual(checker.verifyAssertion(Buffer.from(a), { credential: 'tok', now: NOW + 29 }), {
    subject: 'alice',
    source: 'cookie',
  });
});

test('missing, forged, expired, another upstream, rebound, too long, not an assertion', () => {
  const cases = [
    [undefined, {}, 'missing_credential'],
    ['', {}, 'missing_credential'],
    [mint(claims(), { key: 'x'.repeat(32) }), {}, 'bad_signature'],
    [mint(claims()), { now: NOW + 30 }, 'expired'],
    [mint(claims({ aud: 'billing' })), {}, 'wrong_audience'],
    [mint(claims()), { credential: 'another token' }, 'conflicting_credentials'],
    [mint(claims({ exp: NOW + 61 })), {}, 'invalid_claim'],
    [mint(claims(), { header: { alg: 'HS256' } }), {}, 'wrong_type'],
  ];
  for (const [a, options, reason] of cases) {
    assert.throws(
      () => checker.verifyAssertion(a, { now: NOW, ...options }),
      (e) => e instanceof AuthError && e.reason === reason,
      reason,
    );
  }
});

test('a weak key is refused', () => {
  assert.throws(() => new AssertionChecker('short', { audience: 'orders' }), AuthError);
});
