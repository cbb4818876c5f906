// Per-call authenticate time from Node: gatekey (through libgatekey) next
// to jose's jwtVerify (what most TypeScript servers use), same tokens, same
// checks (signature, exp, iss, aud), same process. `make bench-node`.
import * as jose from 'jose';
import { KeySet, Verifier } from '../index.mjs';
import { JWKS, SECRET, claims, es256, hs256 } from '../test/helpers.mjs';

const now = Math.floor(Date.now() / 1000);
const payload = claims('alice', { exp: now + 3600, iat: now - 10 });
const opts = { issuer: 'https://idp.example', audience: 'mcp' };

async function time(fn, { seconds = 1.5, min = 200 } = {}) {
  for (let i = 0; i < min; i++) await fn(); // warm up
  let n = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(seconds * 1e9));
  let t = t0;
  while (t < end || n < min) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
    t = process.hrtime.bigint();
  }
  return Number(t - t0) / n / 1000;
}

const rows = [];
for (const alg of ['ES256', 'HS256']) {
  const token = alg === 'ES256' ? await es256(payload) : await hs256(payload);
  const keys = alg === 'ES256' ? KeySet.fromJwks(JWKS) : KeySet.hs256(SECRET);
  const verifier = new Verifier(keys, opts);
  const headers = { authorization: `Bearer ${token}`, host: 'mcp.example', accept: 'application/json' };
  const joseKey = alg === 'ES256' ? await jose.importJWK(JWKS.keys[0], 'ES256') : Buffer.from(SECRET);
  const joseJwks = alg === 'ES256' ? jose.createLocalJWKSet(JWKS) : null;

  rows.push([alg, 'gatekey authenticate(headers), uncached', await time(() => verifier.authenticate(headers))]);
  rows.push([alg, 'gatekey authenticate({}, { token }), uncached', await time(() => verifier.authenticate({}, { token }))]);
  rows.push([alg, 'jose jwtVerify(token, key)', await time(() => jose.jwtVerify(token, joseKey, opts))]);
  if (joseJwks) rows.push([alg, 'jose jwtVerify(token, localJWKSet)', await time(() => jose.jwtVerify(token, joseJwks, opts))]);
}

console.log(`gatekey ${(await import('../index.mjs')).version()} vs jose, Node ${process.version}, ${process.platform}-${process.arch}`);
console.log('(the verified-token cache is not in libgatekey yet: no cached figure)');
for (const [alg, what, us] of rows) console.log(`${alg}  ${what.padEnd(48)} ${us.toFixed(1).padStart(8)} µs/call`);
