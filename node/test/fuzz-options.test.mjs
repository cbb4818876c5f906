// Random JavaScript values into every option and every argument of the
// public API: each call returns or throws a TypeError, a ConfigError (an
// AuthError for a request), or the value's own exception (a throwing
// getter or Proxy trap); never anything else, and never a crash. The
// calls run in a child process, so that an abort or a segfault is seen
// as one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const CHILD = 'GATEKEY_FUZZ_CHILD';
const ROUNDS = 4000;

async function fuzz() {
  const { AuthError, ConfigError, KeySet, Policy, Verifier, challenge } = await import('../index.mjs');
  const { JWKS, NOW, SECRET, claims, hs256 } = await import('./helpers.mjs');

  class Sentinel extends Error {}
  const boom = () => {
    throw new Sentinel('boom');
  };
  const cyclicArray = [];
  cyclicArray.push(cyclicArray);
  const cyclicObject = {};
  cyclicObject.self = cyclicObject;
  const trapAll = new Proxy(
    {},
    { get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom },
  );
  const VALUES = [
    undefined, null, true, false, 0, -0, 1, -1, 7, 30, 64, 3600, 3601, 65536, 65537, 1.5, -1.5,
    NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e300, Number.MAX_VALUE,
    Number.MIN_VALUE, 1_750_000_000, 253_402_300_800, Date.now(),
    '', 'x', 'exp', 'mcp', '30', '-1', ' ', 'a b', 'a'.repeat(300), 'é', '\u0000', '\ud800', 'https://x.example',
    'http://x.example/"', 'jwt_token', 'bad name;', '{', '{"keys":[]}', JSON.stringify(JWKS), SECRET,
    {}, [], [1], ['exp', 5], ['a', 'b', 'c', 'd', 'e'], [[]], [['a', 'b']], [null], [undefined], cyclicArray,
    cyclicObject, { a: 'b' }, { 'a.b': ['x'] }, { '': 'x' }, { a: { b: 'c' } }, Object.create(null),
    // eslint-disable-next-line no-sparse-arrays
    [, , 'x'], new Array(2 ** 32 - 1),
    5n, -1n, 0n, 2n ** 64n, 2n ** 200n, -(2n ** 200n),
    Symbol('s'), Symbol.iterator, () => 1, class {}, boom,
    { get issuer() { return boom(); } }, { toString: boom }, { valueOf: boom, toString: boom },
    { [Symbol.toPrimitive]: boom },
    trapAll, new Proxy({}, {}), new Proxy([], {}), new Proxy(new Map(), {}),
    new Map(), new Map([['a', 'b']]), new Map([[1, 2]]), new Map([['a', boom]]), new Set(['a']),
    new Uint8Array(3), new Uint8Array(0), Buffer.from('abc'), new Float64Array(2), new ArrayBuffer(4),
    new DataView(new ArrayBuffer(2)), new Date(0), /re/, new Error('e'), new String('x'), new Number(5),
    Promise.resolve(1), new WeakMap(), globalThis,
  ];
  const OPTION_NAMES = [
    'issuer', 'issuers', 'audience', 'audiences', 'leeway', 'require', 'claims', 'claimValues', 'claim_values',
    'scope', 'scopes', 'authorizedParties', 'authorized_parties', 'azp', 'clientIds', 'client_ids', 'clientId',
    'typ', 'cacheSize', 'cache_size', 'realm', 'resourceMetadata', 'resource_metadata', 'required', 'policy',
    'unknown', '', '__proto__', 'constructor', 'toString',
  ];
  const POLICY_NAMES = ['cookie', 'proxyHeader', 'basic', 'query', 'conflict'];

  // A deterministic generator (xorshift32), so that a failure replays.
  let seed = 0x9e3779b9;
  const rand = (n) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const pick = () => VALUES[rand(VALUES.length)];

  const keys = KeySet.fromJwks(JWKS).addHs256(SECRET, 'h1');
  const token = await hs256(claims('alice'), SECRET, 'h1');
  const verifier = new Verifier(keys, { audience: 'mcp', cacheSize: 64 });
  const issuers = new Verifier({ 'https://idp.example': keys }, { audience: 'mcp' });

  const counts = { ok: 0, type: 0, config: 0, auth: 0, own: 0 };
  const attempt = (what, fn) => {
    if (process.env.FUZZ_TRACE) process.stderr.write(`> ${what}\n`);
    try {
      fn();
      counts.ok++;
    } catch (e) {
      if (e instanceof ConfigError) counts.config++;
      else if (e instanceof AuthError) counts.auth++;
      else if (e instanceof TypeError) counts.type++;
      else if (e instanceof Sentinel) counts.own++;
      else {
        console.error(`${what}: ${e?.constructor?.name}: ${e?.message ?? e}`);
        process.exitCode = 1;
      }
    }
  };
  const describe = (v) => {
    try {
      return typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? v.toString() : JSON.stringify(v)?.slice(0, 40) ?? String(v);
    } catch {
      return typeof v;
    }
  };

  const calls = [
    (a) => {
      const name = OPTION_NAMES[rand(OPTION_NAMES.length)];
      return [`Verifier(keys, {${name}: ${describe(a)}})`, () => new Verifier(keys, { audience: 'mcp', [name]: a })];
    },
    (a) => [`Verifier(keys, ${describe(a)})`, () => new Verifier(keys, a)],
    (a, b) => [`Verifier(${describe(a)}, ${describe(b)})`, () => new Verifier(a, b)],
    (a) => [`Verifier({iss: ${describe(a)}})`, () => new Verifier({ iss: a })],
    (a) => [`Policy.headerFirst({...: ${describe(a)}})`, () => Policy.headerFirst({ [POLICY_NAMES[rand(POLICY_NAMES.length)]]: a })],
    (a) => [`Policy.cookieFirst(${describe(a)})`, () => Policy.cookieFirst(a)],
    (a) => [`new Policy(${describe(a)})`, () => new Policy(a)],
    (a) => [`KeySet.fromJwks(${describe(a)})`, () => KeySet.fromJwks(a)],
    (a, b) => [`KeySet.hs256(${describe(a)}, ${describe(b)})`, () => KeySet.hs256(a, b)],
    (a, b) => [`addHs256(SECRET, ${describe(a)}) then ${describe(b)}`, () => new KeySet().addHs256(SECRET, a).addHs256(b)],
    (a) => [`authenticate(${describe(a)})`, () => verifier.authenticate(a, { now: NOW })],
    (a) => [`authenticate({authorization: ${describe(a)}})`, () => verifier.authenticate({ authorization: a, cookie: [a, 'x=1'] }, { now: NOW })],
    (a) => [`authenticate([[${describe(a)}, ...]])`, () => verifier.authenticate([[a, `Bearer ${token}`]], { now: NOW })],
    (a) => [`authenticate(headers, ${describe(a)})`, () => verifier.authenticate({ authorization: `Bearer ${token}` }, a)],
    (a, b) => [`authenticate({}, {token: ${describe(a)}, now: ${describe(b)}})`, () => verifier.authenticate({}, { token: a, now: b })],
    (a) => [`authenticate({}, {query: ${describe(a)}})`, () => verifier.authenticate({}, { query: a, now: NOW })],
    (a) => [`authenticate(headers, {now: ${describe(a)}})`, () => verifier.authenticate({ authorization: `Bearer ${token}` }, { now: a })],
    (a, b) => [`verify(${describe(a)}, ${describe(b)})`, () => verifier.verify(a, b)],
    (a) => [`verify(token, {now: ${describe(a)}})`, () => verifier.verify(token, { now: a })],
    (a) => [`setKeys(${describe(a)})`, () => verifier.setKeys(a)],
    (a) => [`issuers.setKeys(${describe(a)})`, () => issuers.setKeys(a)],
    (a, b) => [`challenge(${describe(a)}, ${describe(b)})`, () => challenge(a, b)],
    (a) => [`challenge(304, {realm: ${describe(a)}})`, () => challenge(304, { realm: a, scope: pick(), resourceMetadata: pick() })],
  ];
  // Every value into every call once, then random pairs.
  for (const make of calls) for (const v of VALUES) attempt(...make(v, pick()));
  for (let i = 0; i < ROUNDS; i++) attempt(...calls[rand(calls.length)](pick(), pick()));
  // The verifier still works after all that.
  if (verifier.authenticate({ authorization: `Bearer ${token}` }, { now: NOW }).subject !== 'alice') process.exitCode = 1;
  console.log(JSON.stringify(counts));
}

if (process.env[CHILD]) {
  await fuzz();
} else {
  test(`random values into every option and argument: errors, never a crash`, () => {
    const env = { ...process.env, [CHILD]: '1' };
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(-2000)}`);
    assert.equal(r.status, 0, r.stderr.slice(-4000));
    const counts = JSON.parse(r.stdout.trim().split('\n').pop());
    console.log(`# ${JSON.stringify(counts)}`);
    assert.ok(counts.ok > 0 && counts.type > 0 && counts.config > 0 && counts.auth > 0 && counts.own > 0, r.stdout);
  });
}
