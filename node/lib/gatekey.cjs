'use strict';
// The gatekey API over libgatekey: it converts types, owns the native
// objects and maps statuses to errors. Every rule (precedence, extraction,
// verification, claims) is the core's, reached through the C ABI.

const native = require('./native.cjs');

const { koffi, LibraryNotFoundError } = native;

const OK = 0;
const MISSING_CREDENTIAL = 100;
const PRESET = { headerFirst: 1, cookieFirst: 2, strict: 3 };
const CONFLICT = { first: 1, agree: 2, single: 3 };
// gk_source numbers, in the order of the enum (not a precedence).
const SOURCES = [null, 'proxy', 'basic', 'bearer', 'cookie', 'query', 'explicit'];
const TOKEN_SOURCES = new Set(['bearer', 'cookie', 'query', 'explicit']);

const lib = () => native.loadLibrary();

/**
 * `null` for one KeySet; `[[issuer, KeySet], ...]` for an object or Map of
 * issuer names to KeySets (each issuer trusted only with its own keys).
 */
function trustOf(keys) {
  if (keys instanceof KeySet) return null;
  const entries = keys instanceof Map ? [...keys] : keys && typeof keys === 'object' ? Object.entries(keys) : null;
  if (!entries || entries.length === 0 || entries.some(([n, k]) => typeof n !== 'string' || !(k instanceof KeySet))) {
    throw new TypeError('gatekey: Verifier needs a KeySet, or an object or Map of issuer names to KeySets');
  }
  return entries;
}

/** A string or an array of strings as an array (none for null or undefined). */
function names(value, what) {
  if (value == null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
    throw new TypeError(`gatekey: ${what} must be a string or an array of strings`);
  }
  return list;
}

/** `[source, reason]` for each source present without a usable credential, in request order. */
function skippedOf(api, id) {
  const count = [0];
  api.identity_skipped_count(id, count);
  const skipped = [];
  for (let i = 0; i < Number(count[0]); i++) {
    const src = [0];
    const reason = [null];
    if (api.identity_skipped(id, i, src, reason) === OK) skipped.push([SOURCES[src[0]], reason[0]]);
  }
  return skipped;
}

// Native objects freed when their JS owner is collected (or on close()).
const finalizer = new FinalizationRegistry((owned) => {
  for (const [free, ptr] of owned) free(ptr);
});

/** A request that could not be authenticated, or a configuration the core refused. */
class AuthError extends Error {
  constructor(code, { realm, scope, resourceMetadata, detail } = {}) {
    const api = lib();
    super(detail ? `${api.status_str(code)}: ${detail}` : api.status_str(code));
    this.name = 'AuthError';
    /** The stable numeric code, the same in Rust, C and Python. */
    this.code = code;
    /** The stable snake_case name of the code ("expired"). */
    this.reason = api.status_name(code);
    /** The HTTP status to answer with (400, 401, 403, or 500 for configuration errors). */
    this.status = api.status_http(code);
    /** The WWW-Authenticate value for the answer (RFC 6750 §3). */
    this.wwwAuthenticate = challenge(code, { realm, scope, resourceMetadata });
  }
}

/** The core refused a configuration (a malformed JWKS, a weak key, a bad option). */
class ConfigError extends AuthError {
  constructor(code, detail) {
    super(code, { detail });
    this.name = 'ConfigError';
  }
}

function check(status, detail) {
  if (status !== OK) throw new ConfigError(status, detail);
}

function bytes(value, what) {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw new TypeError(`gatekey: ${what} must be a string or bytes`);
}

/** The WWW-Authenticate value (RFC 6750 §3) for a failure with `code` (bare "Bearer" for none). */
function challenge(code = MISSING_CREDENTIAL, { realm, scope, resourceMetadata } = {}) {
  const api = lib();
  const written = [0];
  let buf = Buffer.alloc(256);
  let status = api.www_authenticate(code, realm ?? null, scope ?? null, resourceMetadata ?? null, buf, buf.length, written);
  if (status !== OK) {
    buf = Buffer.alloc(8192);
    status = api.www_authenticate(code, realm ?? null, scope ?? null, resourceMetadata ?? null, buf, buf.length, written);
  }
  check(status, 'challenge');
  return buf.toString('latin1', 0, Number(written[0]));
}

/** Verification keys: ES256 public keys from a JWKS, HS256 secrets. Up to 8. */
class KeySet {
  #ptr;
  constructor() {
    const out = [null];
    check(lib().keyset_new(out), 'KeySet');
    this.#adopt(out[0]);
  }

  #adopt(ptr) {
    this.#ptr = ptr;
    finalizer.register(this, [[lib().keyset_free, ptr]], this);
  }

  /** A key set from a JWKS document (`{"keys": [...]}`) as text, bytes or an object. */
  static fromJwks(jwks) {
    return new KeySet().addJwks(jwks);
  }

  /** A key set with one HS256 secret (at least 32 bytes) and an optional `kid`. */
  static hs256(secret, kid) {
    return new KeySet().addHs256(secret, kid);
  }

  /** Adds the usable keys of a JWKS document; on error the set is unchanged. */
  addJwks(jwks) {
    const json = typeof jwks === 'object' && !(jwks instanceof Uint8Array) ? JSON.stringify(jwks) : jwks;
    const buf = bytes(json, 'the JWKS');
    check(lib().keyset_add_jwks(this.#ptr, buf, buf.length), 'JWKS');
    return this;
  }

  /** Adds an HS256 secret (RFC 7518 §3.2: at least 32 bytes). */
  addHs256(secret, kid) {
    const s = bytes(secret, 'the secret');
    const k = kid == null ? null : bytes(kid, 'the kid');
    check(lib().keyset_add_hs256(this.#ptr, k, k ? k.length : 0, s, s.length), 'HS256 key');
    return this;
  }

  /** The number of keys. */
  get size() {
    const out = [0];
    check(lib().keyset_len(this.#ptr, out));
    return Number(out[0]);
  }

  /** @internal */
  static pointer(keys) {
    return keys.#ptr;
  }
}

/** Which sources are accepted, in which order, and how several are treated. */
class Policy {
  #ptr;
  constructor(preset, options = {}) {
    if (!(preset in PRESET)) throw new TypeError(`gatekey: unknown preset ${preset}`);
    const api = lib();
    const out = [null];
    check(api.policy_new(PRESET[preset], out), 'Policy');
    this.#ptr = out[0];
    finalizer.register(this, [[api.policy_free, this.#ptr]], this);
    this.name = preset;
    const { cookie, proxyHeader, basic, query, conflict } = options;
    if (cookie != null) {
      const b = bytes(cookie, 'cookie');
      check(api.policy_set_cookie_name(this.#ptr, b, b.length), 'cookie');
    }
    if (proxyHeader != null) {
      const b = bytes(proxyHeader, 'proxyHeader');
      check(api.policy_set_proxy_header(this.#ptr, b, b.length), 'proxyHeader');
    }
    if (basic != null) {
      const [user, password] = Array.isArray(basic) ? basic : [basic.user, basic.password];
      const u = bytes(user, 'the Basic user');
      const p = bytes(password, 'the Basic password');
      check(api.policy_set_basic(this.#ptr, u, u.length, p, p.length), 'basic');
    }
    if (query != null) check(api.policy_set_query(this.#ptr, Boolean(query)), 'query');
    if (conflict != null) {
      if (!(conflict in CONFLICT)) throw new TypeError(`gatekey: conflict must be first, agree or single`);
      check(api.policy_set_conflict(this.#ptr, CONFLICT[conflict]), 'conflict');
    }
  }

  /** proxy > basic > bearer > cookie > query > explicit; the first wins (ContextForge after PR #3055). */
  static headerFirst(options) {
    return new Policy('headerFirst', options);
  }

  /** proxy > cookie > bearer > basic > query > explicit; the first wins. */
  static cookieFirst(options) {
    return new Policy('cookieFirst', options);
  }

  /** The Bearer header only; more than one method is `multiple_methods` (RFC 6750 §2). */
  static strict() {
    return new Policy('strict');
  }

  /** @internal */
  static pointer(policy) {
    return policy.#ptr;
  }
}

/**
 * Visits every header field of any common shape, keeping repeated fields:
 * Node's `IncomingHttpHeaders` (values may be arrays), an `IncomingMessage`
 * (its `rawHeaders`, which keep duplicate Authorization fields that
 * `headers` drops), a WHATWG `Headers`, `[name, value][]`, or a flat
 * `rawHeaders` list. Names and values are strings or bytes.
 */
function eachField(headers, visit) {
  const push = (name, value) => {
    if (value == null) return;
    if (Array.isArray(value)) {
      for (const v of value) push(name, v);
      return;
    }
    visit(Buffer.isBuffer(name) ? name : String(name), Buffer.isBuffer(value) ? value : String(value));
  };
  if (headers == null) return;
  if (Array.isArray(headers.rawHeaders)) headers = headers.rawHeaders;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && !Array.isArray(headers[0])) {
      for (let i = 0; i + 1 < headers.length; i += 2) push(headers[i], headers[i + 1]);
    } else {
      for (const [name, value] of headers) push(name, value);
    }
  } else if (typeof headers.entries === 'function' && typeof headers.get === 'function') {
    for (const [name, value] of headers.entries()) push(name, value);
  } else if (typeof headers === 'object') {
    for (const name of Object.keys(headers)) push(name, headers[name]);
  } else {
    throw new TypeError('gatekey: headers must be an object, a Headers, or [name, value] pairs');
  }
}

// Header strings are bytes as Node gives them (latin1); one char, one byte.
const byteLength = (x) => (typeof x === 'string' ? x.length : x.length);

/**
 * The request's fields as a `gk_header` array in native memory, written in
 * place: koffi would otherwise convert (and copy) one JS object per field.
 * One block per process, reused by every call (calls are synchronous and
 * each worker thread loads its own copy of this module). 64-bit
 * little-endian only; elsewhere koffi converts objects (`fieldStructs`).
 */
class FieldBlock {
  #ptr = null;
  #cap = 0;
  #names = [];
  #values = [];

  // Returns [pointer, count] for gk_authenticate's headers argument.
  write(headers) {
    const names = this.#names;
    const values = this.#values;
    names.length = 0;
    values.length = 0;
    let need = 0;
    eachField(headers, (n, v) => {
      names.push(n);
      values.push(v);
      need += byteLength(n) + byteLength(v);
    });
    const count = names.length;
    if (count === 0) return [null, 0];
    need += count * 32;
    if (need > this.#cap) this.#grow(need);
    const buf = this.buf;
    const base = this.base;
    let at = count * 32;
    for (let i = 0; i < count; i++) {
      const row = i * 32;
      at = this.#put(buf, base, row, at, names[i]);
      at = this.#put(buf, base, row + 16, at, values[i]);
    }
    names.length = 0;
    values.length = 0;
    return [this.#ptr, count];
  }

  #put(buf, base, slot, at, x) {
    const len = typeof x === 'string' ? buf.latin1Write(x, at) : x.copy(buf, at);
    const addr = base + at;
    buf.writeUInt32LE(addr % 0x100000000, slot);
    buf.writeUInt32LE(Math.floor(addr / 0x100000000), slot + 4);
    buf.writeUInt32LE(len, slot + 8);
    buf.writeUInt32LE(0, slot + 12);
    return at + len;
  }

  #grow(need) {
    if (this.#ptr !== null) koffi.free(this.#ptr);
    this.#cap = Math.max(need, 2 * this.#cap, 4096);
    this.#ptr = koffi.alloc('uint8_t', this.#cap);
    this.buf = Buffer.from(koffi.view(this.#ptr, this.#cap));
    this.base = Number(koffi.address(this.#ptr));
  }
}

// The portable path: one JS object per field, converted by koffi.
function fieldStructs(headers) {
  const out = [];
  eachField(headers, (n, v) => {
    const name = Buffer.isBuffer(n) ? n : Buffer.from(n, 'latin1');
    const value = Buffer.isBuffer(v) ? v : Buffer.from(v, 'latin1');
    out.push({ name, name_len: name.length, value, value_len: value.length });
  });
  return [out, out.length];
}

let block = null;
function fields(headers) {
  if (block === null) {
    const fast =
      koffi.sizeof('void *') === 8 &&
      require('node:os').endianness() === 'LE' &&
      !process.env.GATEKEY_PORTABLE_FIELDS; // for the tests of the portable path
    block = fast ? new FieldBlock() : { write: fieldStructs };
  }
  return block.write(headers);
}

function span(fn, identity) {
  const ptr = [null];
  const len = [0];
  const status = fn(identity, ptr, len);
  if (status !== OK) return null;
  return koffi.decode.string(ptr[0], Number(len[0]));
}

/** Authenticates requests against keys, a policy and claim rules. */
class Verifier {
  #ptr;
  #identity;
  #required;
  #challenge;
  #api;

  constructor(keys, options = {}) {
    const trusted = trustOf(keys);
    const {
      policy = Policy.headerFirst(),
      issuer,
      audience,
      leeway = 0,
      require = ['exp'],
      required = true,
      cacheSize = 0,
      scope,
      typ,
      realm,
      resourceMetadata,
    } = options;
    if (!(policy instanceof Policy)) throw new TypeError('gatekey: policy must be a Policy');
    if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) {
      throw new TypeError('gatekey: cacheSize must be a whole number of tokens (0: no cache)');
    }
    for (const [k, v] of Object.entries({ scope, typ })) {
      if (v != null && typeof v !== 'string') throw new TypeError(`gatekey: ${k} must be a string`);
    }
    const issuers = names(issuer, 'issuer');
    const audiences = names(audience, 'audience');
    const api = (this.#api = lib());
    const others = require.filter((c) => c !== 'exp');
    const validation = {
      issuer: null,
      audience: null,
      issuers: issuers.length ? issuers : null,
      n_issuers: issuers.length,
      audiences: audiences.length ? audiences : null,
      n_audiences: audiences.length,
      leeway,
      required: others.length ? others : null,
      n_required: others.length,
      scope: scope ?? null,
      typ: typ ?? null,
      exp_optional: !require.includes('exp'),
    };
    const out = [null];
    const made = trusted
      ? api.verifier_new_issuers(
          trusted.map(([name]) => name),
          trusted.map(([, set]) => KeySet.pointer(set)),
          trusted.length,
          Policy.pointer(policy),
          validation,
          out,
        )
      : api.verifier_new(KeySet.pointer(keys), Policy.pointer(policy), validation, out);
    check(made, trusted ? 'Verifier (several issuers: at most 8, and no issuer option)' : 'Verifier');
    this.#ptr = out[0];
    // Before the verifier is shared: libgatekey wants the cache set first.
    const cached = cacheSize === 0 ? OK : api.verifier_set_cache(this.#ptr, cacheSize);
    if (cached !== OK) api.verifier_free(this.#ptr);
    check(cached, 'cacheSize (at most 65536 tokens)');
    const id = [null];
    const status = api.identity_new(id);
    if (status !== OK) api.verifier_free(this.#ptr);
    check(status, 'identity');
    this.#identity = id[0];
    finalizer.register(this, [[api.verifier_free, this.#ptr], [api.identity_free, this.#identity]], this);
    this.#required = required;
    this.#challenge = { realm, scope, resourceMetadata };
    this.policy = policy;
  }

  /**
   * Authenticates one request. Returns `{ source, subject, claims, token,
   * shadowed, drift }`, or `null` when `required: false` and the request
   * carries no credential; throws `AuthError` otherwise.
   */
  authenticate(headers, { token, query, now } = {}) {
    const api = this.#api;
    if (this.#ptr === null) throw new Error('gatekey: the verifier is closed');
    const [list, count] = fields(headers);
    const q = query == null ? null : Buffer.from(String(query), 'latin1');
    const qlen = q ? q.length : 0;
    const when = now == null ? 0 : Math.floor(now);
    const id = this.#identity;
    let status;
    if (token == null) {
      status = api.authenticate(this.#ptr, list, count, q, qlen, when, id);
    } else {
      const t = bytes(token, 'token');
      status = api.authenticate_token(this.#ptr, list, count, q, qlen, t, t.length, when, id);
    }
    if (status !== OK) {
      if (status === MISSING_CREDENTIAL && !this.#required) return null;
      throw new AuthError(status, this.#challenge);
    }
    const src = [0];
    const mask = [0];
    const drift = [false];
    api.identity_source(id, src);
    api.identity_shadowed(id, mask);
    api.identity_drift(id, drift);
    const source = SOURCES[src[0]] ?? null;
    const shadowed = [];
    for (let s = 1; s < SOURCES.length; s++) if (mask[0] & (1 << s)) shadowed.push(SOURCES[s]);
    const json = TOKEN_SOURCES.has(source) ? span(api.identity_claims_json, id) : null;
    return {
      source,
      subject: span(api.identity_subject, id),
      claims: json === null ? {} : JSON.parse(json),
      token: json === null ? null : span(api.identity_credential, id),
      shadowed,
      skipped: skippedOf(api, id),
      drift: Boolean(drift[0]),
    };
  }

  /**
   * The verified-token cache's counters, as Python's `cache_info()`:
   * `{ hits, misses, maxsize, currsize }` (all 0 without a cache).
   */
  cacheInfo() {
    if (this.#ptr === null) throw new Error('gatekey: the verifier is closed');
    const info = {};
    check(this.#api.verifier_cache_info(this.#ptr, info), 'cacheInfo');
    return {
      hits: Number(info.hits),
      misses: Number(info.misses),
      maxsize: Number(info.capacity),
      currsize: Number(info.size),
    };
  }

  /** Frees the native verifier now instead of at garbage collection. */
  close() {
    if (this.#ptr === null) return;
    finalizer.unregister(this);
    this.#api.verifier_free(this.#ptr);
    this.#api.identity_free(this.#identity);
    this.#ptr = null;
    this.#identity = null;
  }
}

/**
 * Loads libgatekey now (else the first use does): from `options.path`, else
 * `$GATEKEY_LIB`, else the package's prebuilds/. Returns where it came from.
 */
function loadLibrary(options) {
  const api = native.loadLibrary(options);
  return { path: api.path, version: api.version() };
}

/** The version of the loaded libgatekey. */
function version() {
  return lib().version();
}

module.exports = {
  AuthError,
  ConfigError,
  KeySet,
  Policy,
  Verifier,
  LibraryNotFoundError,
  challenge,
  loadLibrary,
  version,
};
