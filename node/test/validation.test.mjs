// The shared options x tokens x outcome matrix (tests/validation.json), the
// same cases as Rust, C and Python: one verifier per case, built from the
// case's options (camelCase here), one request with the case's token.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AuthError, ConfigError, KeySet, Policy, Verifier } from '../index.mjs';
import { ROOT } from './helpers.mjs';

const MATRIX = JSON.parse(readFileSync(join(ROOT, 'tests', 'validation.json'), 'utf8'));
const keys = KeySet.hs256(MATRIX.secret, MATRIX.kid);

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const options = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));

for (const c of MATRIX.cases) {
  test(c.name, () => {
    const { expect } = c;
    const make = () => new Verifier(keys, { policy: Policy.headerFirst(), ...options(c.options) });
    if (expect.config_error) {
      assert.throws(make, (e) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.equal(e.option, expect.config_error);
        assert.equal(e.reason, expect.error);
        assert.equal(e.status, 500);
        return true;
      });
      return;
    }
    const verifier = make();
    const headers = c.token === null ? {} : { authorization: `Bearer ${MATRIX.tokens[c.token]}` };
    const now = c.now ?? MATRIX.now;
    if (c.warm) {
      try {
        verifier.authenticate(headers, { now: MATRIX.now });
      } catch {
        // warming only fills the cache
      }
    }
    if (expect.anonymous) {
      assert.equal(verifier.authenticate(headers, { now }), null);
      return;
    }
    if (expect.subject !== undefined) {
      assert.equal(verifier.authenticate(headers, { now }).subject, expect.subject);
      return;
    }
    assert.throws(
      () => verifier.authenticate(headers, { now }),
      (e) => {
        assert.ok(e instanceof AuthError && !(e instanceof ConfigError), String(e));
        assert.equal(e.reason, expect.error);
        assert.equal(e.claim, expect.claim);
        assert.equal(e.kid, expect.kid);
        assert.equal(e.issuer, expect.issuer);
        assert.equal(e.status, expect.status);
        assert.equal(e.wwwAuthenticate, expect.www_authenticate);
        assert.equal(e.refusal.status, expect.status);
        assert.equal(e.refusal.headers['WWW-Authenticate'], expect.www_authenticate);
        assert.equal(e.refusal.body, expect.body);
        return true;
      },
    );
  });
}

test('the matrix covers successes, refusals and configuration errors', () => {
  const kinds = new Set(MATRIX.cases.map((c) => (c.expect.config_error ? 'config' : c.expect.subject ? 'ok' : 'refused')));
  assert.deepEqual([...kinds].sort(), ['config', 'ok', 'refused']);
  assert.ok(MATRIX.cases.length >= 40);
});
