// EdDSA (Ed25519), HS384 and HS512 tokens signed by jose verify through
// the addon with keys from a JWKS; the key decides the algorithm, so a
// header naming another one is refused (issue "Every signature").
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import test from 'node:test';
import * as jose from 'jose';
import { AuthError, ConfigError, KeySet, Verifier } from '../index.mjs';
import { NOW, claims } from './helpers.mjs';

const b64 = (b) => Buffer.from(b).toString('base64url');
// RFC 8032 §7.1, TEST 1, as a JWK.
const ED_D = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const ED_X = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';
const ED_KEY = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: ED_X, d: b64(ED_D) }, format: 'jwk' });
const SECRET = Buffer.from(Array.from({ length: 64 }, (_, i) => i));

const JWKS = {
  keys: [
    { kty: 'OKP', crv: 'Ed25519', kid: 'ed', alg: 'EdDSA', x: ED_X },
    { kty: 'oct', kid: 'h384', alg: 'HS384', k: b64(SECRET) },
    { kty: 'oct', kid: 'h512', alg: 'HS512', k: b64(SECRET) },
  ],
};

const sign = (payload, alg, kid, key) => new jose.SignJWT(payload).setProtectedHeader({ alg, kid }).sign(key);

test('the public key of RFC 8032 TEST 1 is the JWK used here', () => {
  assert.equal(createPublicKey(ED_KEY).export({ format: 'jwk' }).x, ED_X);
});

test('jose EdDSA, HS384 and HS512 tokens verify', async () => {
  const v = new Verifier(KeySet.fromJwks(JWKS), { audience: 'mcp' });
  for (const [alg, kid, key] of [['EdDSA', 'ed', ED_KEY], ['HS384', 'h384', SECRET], ['HS512', 'h512', SECRET]]) {
    const token = await sign(claims('erin'), alg, kid, key);
    assert.equal(v.verify(token, { now: NOW }).sub, 'erin', alg);
    assert.equal(v.authenticate({ authorization: `Bearer ${token}` }, { now: NOW }).subject, 'erin', alg);
  }
});

test('the key decides the algorithm, never the header', async () => {
  const v = new Verifier(KeySet.fromJwks(JWKS), { audience: 'mcp' });
  for (const [alg, kid, key] of [['HS512', 'h384', SECRET], ['HS384', 'h512', SECRET], ['HS512', 'ed', SECRET], ['EdDSA', 'h512', ED_KEY]]) {
    const token = await sign(claims('mallory'), alg, kid, key);
    assert.throws(() => v.verify(token, { now: NOW }), (e) => e instanceof AuthError && e.reason === 'algorithm_mismatch', `${alg} as ${kid}`);
  }
  const other = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32)]), format: 'der', type: 'pkcs8' });
  const forged = await sign(claims('mallory'), 'EdDSA', 'ed', other);
  assert.throws(() => v.verify(forged, { now: NOW }), (e) => e instanceof AuthError && e.reason === 'bad_signature');
});

test('short HMAC keys and bad OKP keys are configuration errors', () => {
  for (const jwk of [
    { kty: 'oct', alg: 'HS512', k: b64(Buffer.alloc(63)) },
    { kty: 'oct', alg: 'HS384', k: b64(Buffer.alloc(47)) },
    { kty: 'OKP', crv: 'Ed25519', x: b64(Buffer.alloc(31)) },
    { kty: 'OKP', crv: 'Ed448', x: b64(Buffer.alloc(57)) },
  ]) {
    assert.throws(() => KeySet.fromJwks({ keys: [jwk] }), ConfigError, JSON.stringify(jwk));
  }
});
