// A leak check, not a timing: 100,000 authenticate calls (valid, expired,
// missing) keep the RSS flat. Most tokens are HS256 so that the check stays
// short: the binding's work (fields in, identity out, claims parsed) is the
// same for every algorithm; every tenth valid call is ES256. Run with
// --expose-gc when available.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeySet, Verifier } from '../index.mjs';
import { JWKS, NOW, SECRET, claims, es256, hs256 } from './helpers.mjs';

const CALLS = 100_000;
const BOUND_MB = 40;

test(`${CALLS} authenticate calls keep RSS flat (bound ${BOUND_MB} MB)`, async () => {
  const verifier = new Verifier(KeySet.fromJwks(JWKS).addHs256(SECRET, 'h1'), { audience: 'mcp' });
  const request = (token) => ({ authorization: `Bearer ${token}`, cookie: `theme=dark; jwt_token=${token}` });
  const hs = request(await hs256(claims('alice'), SECRET, 'h1'));
  const es = request(await es256(claims('alice')));
  const run = (n) => {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      try {
        const good = i % 10 === 0 ? es : hs;
        if (i % 10 === 7) verifier.authenticate(good, { now: NOW + 10_000 }); // expired: the error path
        else if (i % 10 === 9) verifier.authenticate({ host: 'x' }, { now: NOW }); // missing credential
        else if (verifier.authenticate(good, { now: NOW }).claims.sub === 'alice') ok++;
      } catch (e) {
        if (e.name !== 'AuthError') throw e;
      }
    }
    return ok;
  };
  const settle = () => {
    if (globalThis.gc) {
      globalThis.gc();
      globalThis.gc();
    }
    return process.memoryUsage().rss / 2 ** 20;
  };
  run(10_000); // warm up: JIT, koffi's buffers, the allocator's arenas
  const before = settle();
  const ok = run(CALLS);
  const afterRss = settle();
  const growth = afterRss - before;
  console.log(`# leak check${globalThis.gc ? '' : ' (no --expose-gc)'}: ${CALLS} calls, RSS ${before.toFixed(1)} MB -> ${afterRss.toFixed(1)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB)`);
  assert.equal(ok, CALLS * 0.8);
  assert.ok(growth < BOUND_MB, `RSS grew by ${growth.toFixed(1)} MB`);
});
