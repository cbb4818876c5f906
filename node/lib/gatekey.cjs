'use strict';
// The gatekey API over the Node-API addon (node/src, gatekey-host's one
// Verifier): it converts argument shapes, holds the native objects and
// throws the failures the host describes. Every rule, option check and
// HTTP answer is the host's or the core's.

const native = require('./native.cjs');

const { LibraryNotFoundError } = native;

const lib = () => native.loadLibrary();

/** A request that could not be authenticated, or a configuration the host refused. */
class AuthError extends Error {
  constructor(failure) {
    super(failure.message);
    this.name = 'AuthError';
    /** The stable numeric code, the same in Rust, C and Python. */
    this.code = failure.code;
    /** The stable snake_case name of the code ("expired"). */
    this.reason = failure.reason;
    /** The HTTP status to answer with (400, 401, 403, or 500 for configuration errors). */
    this.status = failure.status;
    /** The WWW-Authenticate value for the answer (RFC 6750 §3); null for a configuration error. */
    this.wwwAuthenticate = failure.wwwAuthenticate;
    /** The claim the failure is about (`exp`, `aud`, a missing scope), or null. */
    this.claim = failure.claim;
    /** The token's `kid`, for a key error, or null. */
    this.kid = failure.kid;
    /** The token's `iss`, for an issuer error, or null. */
    this.issuer = failure.issuer;
    /** Every scope the refused MCP call needs, for `insufficient_scope` from `scopeRules`, or null. */
    this.scope = failure.scope ?? null;
    const headers = { 'Content-Type': 'application/json' };
    if (failure.wwwAuthenticate != null) headers['WWW-Authenticate'] = failure.wwwAuthenticate;
    /** The whole HTTP answer, the same bytes in every language: `{ status, headers, body }`. */
    this.refusal = { status: failure.status, headers, body: failure.body };
  }
}

/** The host refused a configuration (a malformed JWKS, a weak key, a bad option). */
class ConfigError extends AuthError {
  constructor(failure) {
    super(failure);
    this.name = 'ConfigError';
    /** The option at fault, by its canonical snake_case name (`cache_size`, `keys`, `now`). */
    this.option = failure.option;
    /** The value given, shortened (null when the core names no value). */
    this.value = failure.value;
    /** What the option takes (null when the core names nothing). */
    this.expected = failure.expected;
  }
}

/** `null` is success; any object the addon returns instead is a configuration error. */
function check(result) {
  if (result !== null && typeof result === 'object' && typeof result.option === 'string') {
    throw new ConfigError(result);
  }
  return result;
}

/** `[[name, value], ...]` of an options object: every own key but `skip`. */
function pairsOf(options, what, skip) {
  if (options == null) return [];
  if (typeof options !== 'object') throw new TypeError(`gatekey: ${what} must be an object`);
  const pairs = [];
  for (const name of Object.keys(options)) {
    if (name !== skip) pairs.push([name, options[name]]);
  }
  return pairs;
}

/** The WWW-Authenticate value (RFC 6750 §3) for a failure with `code` (bare "Bearer" for none). */
function challenge(code = 100, options = {}) {
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 0xffff) {
    throw new TypeError('gatekey: challenge needs an error code (an integer)');
  }
  const { realm, scope, resourceMetadata } = options ?? {};
  const failure = check(lib().challenge(code, pairsOf({ realm, scopes: scope, resourceMetadata }, 'options')));
  return failure.wwwAuthenticate;
}

const KEYSET = Symbol('gatekey.keyset');
const POLICY = Symbol('gatekey.policy');

/** Verification keys: EC, RSA public keys from a JWKS, HS256 secrets. Up to 64. */
class KeySet {
  constructor() {
    this[KEYSET] = lib().keysetNew();
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
    let json = jwks;
    if (jwks !== null && typeof jwks === 'object' && !(jwks instanceof Uint8Array)) {
      try {
        json = JSON.stringify(jwks);
      } catch (e) {
        if (e instanceof RangeError) throw new TypeError('gatekey: the JWKS object is too large to serialise');
        throw e;
      }
    }
    check(lib().keysetAddJwks(this[KEYSET], json));
    return this;
  }

  /** Adds an HS256 secret (RFC 7518 §3.2: at least 32 bytes). */
  addHs256(secret, kid) {
    check(lib().keysetAddHs256(this[KEYSET], secret, kid));
    return this;
  }

  /** The number of keys. */
  get size() {
    return lib().keysetSize(this[KEYSET]);
  }
}

const PRESETS = new Set(['headerFirst', 'cookieFirst', 'strict']);

/** Which sources are accepted, in which order, and how several are treated. */
class Policy {
  constructor(preset, options = {}) {
    if (!PRESETS.has(preset)) throw new TypeError('gatekey: the preset must be headerFirst, cookieFirst or strict');
    if (options != null && typeof options !== 'object') throw new TypeError('gatekey: policy options must be an object');
    const { cookie, proxyHeader, basic, query, conflict } = options ?? {};
    let user;
    let password;
    if (basic != null) {
      if (typeof basic !== 'object') throw new TypeError('gatekey: basic must be [user, password] or { user, password }');
      [user, password] = Array.isArray(basic) ? basic : [basic.user, basic.password];
      if (user == null || password == null) throw new TypeError('gatekey: basic needs a user and a password');
    }
    if (conflict != null && typeof conflict !== 'string') throw new TypeError('gatekey: conflict must be first, agree or single');
    const made = lib().policyNew(preset, cookie, proxyHeader, user, password, query == null ? undefined : Boolean(query), conflict ?? undefined);
    this[POLICY] = check(made);
    this.name = preset;
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
}

/** The addon's view of keys: one key set, or `[[issuer, keyset], ...]`. */
function trustOf(keys) {
  if (keys instanceof KeySet) return keys[KEYSET];
  const entries = keys instanceof Map ? [...keys] : keys !== null && typeof keys === 'object' && !Array.isArray(keys) ? Object.entries(keys) : null;
  if (!entries || entries.length === 0 || entries.some(([n, k]) => typeof n !== 'string' || !(k instanceof KeySet))) {
    throw new TypeError('gatekey: Verifier needs a KeySet, or an object or Map of issuer names to KeySets');
  }
  return entries.map(([n, k]) => [n, k[KEYSET]]);
}

// Far above any server's limit (Node's maxHeadersCount is 2000): a bound
// on the loop, so that a sparse `new Array(2 ** 32 - 1)` is refused at once.
const MAX_FIELDS = 1 << 16;

/** `String(x)` for a header name or value of another type; TypeError if it cannot be one. */
function text(x) {
  try {
    return String(x);
  } catch (e) {
    if (e instanceof RangeError) throw new TypeError('gatekey: a header name or value is too long');
    throw e;
  }
}

/**
 * The fields of any common header shape as `[name, value, name, value,
 * ...]`, keeping repeated fields: Node's `IncomingHttpHeaders` (values may
 * be arrays), an `IncomingMessage` (its `rawHeaders`, which keep duplicate
 * Authorization fields that `headers` drops), a WHATWG `Headers`, a Map,
 * `[name, value][]`, or a flat `rawHeaders` list. Names and values are
 * strings (sent as UTF-8) or Uint8Arrays (sent as they are). A new array
 * per call: nothing is shared between calls.
 */
function flatten(headers) {
  const out = [];
  const field = (name, value) => {
    if (value == null) return;
    if (Array.isArray(value)) throw new TypeError('gatekey: a header value must be a string, a Uint8Array or a list of them');
    if (out.length >= MAX_FIELDS * 2) throw new TypeError(`gatekey: more than ${MAX_FIELDS} header fields`);
    out.push(typeof name === 'string' || name instanceof Uint8Array ? name : text(name));
    out.push(typeof value === 'string' || value instanceof Uint8Array ? value : text(value));
  };
  // A value may be a list of values (IncomingHttpHeaders' set-cookie), one level deep.
  const push = (name, value) => {
    if (!Array.isArray(value)) return field(name, value);
    if (value.length > MAX_FIELDS) throw new TypeError(`gatekey: more than ${MAX_FIELDS} header fields`);
    for (const v of value) field(name, v);
    return undefined;
  };
  if (headers == null) return out;
  if (typeof headers !== 'object') throw new TypeError('gatekey: headers must be an object, a Headers, or [name, value] pairs');
  if (Array.isArray(headers.rawHeaders)) headers = headers.rawHeaders;
  if (Array.isArray(headers)) {
    if (headers.length > MAX_FIELDS * 2) throw new TypeError(`gatekey: more than ${MAX_FIELDS} header fields`);
    if (headers.length > 0 && !Array.isArray(headers[0])) {
      for (let i = 0; i + 1 < headers.length; i += 2) push(headers[i], headers[i + 1]);
    } else {
      for (const pair of headers) {
        if (!Array.isArray(pair)) throw new TypeError('gatekey: header pairs must be [name, value] arrays');
        push(pair[0], pair[1]);
      }
    }
  } else if (typeof headers.entries === 'function' && typeof headers.get === 'function') {
    for (const [name, value] of headers.entries()) push(name, value);
  } else {
    for (const name of Object.keys(headers)) push(name, headers[name]);
  }
  return out;
}

// One-character strings for the length digits of `pack`, made once.
const DIGITS = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i));

/** `n` as `pack`'s length digits: 6 bits a character, all but the last with 0x40 set. */
function lengthOf(n) {
  if (n < 64) return DIGITS[n];
  if (n < 4096) return DIGITS[0x40 | (n >>> 6)] + DIGITS[n & 0x3f];
  let digits = DIGITS[n % 64];
  for (n = Math.floor(n / 64); n > 0; n = Math.floor(n / 64)) digits = DIGITS[0x40 | n % 64] + digits;
  return digits;
}

/**
 * `fields` as one string for the addon when they are all strings: each
 * preceded by its length in UTF-16 units, in characters below 0x80 (six
 * bits each, all but the last with 0x40 set), so that a string of ASCII
 * fields stays a one-byte string, which V8 hands to Rust as UTF-8 at
 * memcpy speed. One string crosses into Rust in one call, where 24 did;
 * with a Uint8Array among them, the list itself is sent.
 */
function pack(fields) {
  let packed = '';
  for (let i = 0; i < fields.length; i++) {
    const x = fields[i];
    if (typeof x !== 'string') return fields;
    packed += lengthOf(x.length) + x;
  }
  return packed;
}

const CLAIMS_JSON = Symbol('gatekey.claimsJson');

/**
 * Who a request is (index.d.ts `Identity`). `claims` is parsed from the
 * core's JSON on first read and then kept: JSON.parse was a fifth of a
 * cached authenticate, and most callers read `subject` only. It is a
 * getter (and setter) of the class, so `JSON.stringify` goes through
 * `toJSON`, which includes it.
 */
class Identity {
  #claims;
  #json;
  #scopes;

  constructor(result, packed) {
    this.source = result[0];
    this.subject = result[1];
    this.#claims = result[2];
    this.#json = result[2];
    const token = result[3];
    this.token = typeof token === 'number' ? packed.slice(token, result[7]) : (token ?? null);
    this.shadowed = result[4] ?? [];
    this.skipped = result[5] ?? [];
    this.drift = result[6] === true;
  }

  /** The verified token's claims ({} for Basic and proxy). */
  get claims() {
    const c = this.#claims;
    if (typeof c === 'object' && c !== null) return c;
    const parsed = c == null ? {} : JSON.parse(c);
    this.#claims = parsed;
    return parsed;
  }

  set claims(value) {
    this.#claims = value;
  }

  /**
   * The scopes the token grants (`scope`, else `scp`, read by the core's
   * one rule), in order; [] for Basic and proxy identities.
   */
  get scopes() {
    if (this.#scopes === undefined) this.#scopes = this.#json == null ? [] : lib().scopesOf(this.#json);
    return this.#scopes;
  }

  /** The verified claims' JSON as the core kept it (for `requireScopes`). */
  [CLAIMS_JSON]() {
    return this.#json ?? undefined;
  }

  toJSON() {
    const { source, subject, claims, scopes, token, shadowed, skipped, drift } = this;
    return { source, subject, claims, scopes, token, shadowed, skipped, drift };
  }
}

let at = 0;

/** The length digits (`lengthOf`) at `at` in `s`, moving past them. */
function digitsAt(s) {
  let n = 0;
  let c;
  do {
    c = s.charCodeAt(at++);
    n = n * 64 + (c & 0x3f);
  } while (c & 0x40);
  return n;
}

/**
 * The addon's one-string identity (src/verifier.rs `compact`): flags,
 * lengths and the token's place in `packed` as digits, then the source,
 * the subject and the claims' JSON.
 */
function compactOf(s, packed) {
  at = 0;
  const flags = digitsAt(s);
  const sourceLen = digitsAt(s);
  const subjectLen = flags & 1 ? digitsAt(s) : -1;
  const start = flags & 2 ? digitsAt(s) : 0;
  const end = flags & 2 ? digitsAt(s) : 0;
  const source = s.slice(at, (at += sourceLen));
  const subject = subjectLen < 0 ? null : s.slice(at, (at += subjectLen));
  const result = [source, subject, flags & 4 ? s.slice(at) : undefined, flags & 2 ? start : undefined];
  result[7] = end;
  return new Identity(result, packed);
}

/**
 * `pack(flatten(headers))` in one pass for the common shape, a plain
 * object of string values (Node's `IncomingHttpHeaders`); `undefined`
 * for anything else (a list value, a number, a Uint8Array, another
 * shape), which takes the general path.
 */
function packPlain(headers) {
  if (Array.isArray(headers) || Array.isArray(headers.rawHeaders)) return undefined;
  if (typeof headers.entries === 'function' && typeof headers.get === 'function') return undefined;
  const names = Object.keys(headers);
  if (names.length > MAX_FIELDS) return undefined;
  let packed = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const value = headers[name];
    if (typeof value !== 'string') {
      if (value == null) continue;
      return undefined;
    }
    packed += lengthOf(name.length) + name + lengthOf(value.length) + value;
  }
  return packed;
}

/**
 * The addon's `[source, subject, claims JSON, token, shadowed, skipped,
 * drift, token end]` as an Identity (holes: no claims, no token, empty
 * lists, no drift); a numeric token is its place in `packed`.
 */
function identityOf(result, packed) {
  if (result === null) return null;
  if (typeof result === 'string') return compactOf(result, packed);
  if (!Array.isArray(result)) throw typeof result.option === 'string' ? new ConfigError(result) : new AuthError(result);
  return new Identity(result, packed);
}

const VERIFIER = Symbol('gatekey.verifier');

/** Authenticates requests against keys, a policy and claim rules. */
class Verifier {
  constructor(keys, options = {}) {
    const trusted = trustOf(keys);
    if (options != null && typeof options !== 'object') throw new TypeError('gatekey: Verifier options must be an object');
    const policy = options?.policy ?? Policy.headerFirst();
    if (!(policy instanceof Policy)) throw new TypeError('gatekey: policy must be a Policy');
    const api = lib();
    this[VERIFIER] = check(api.verifierNew(trusted, policy[POLICY], pairsOf(options, 'Verifier options', 'policy')));
    this.policy = policy;
  }

  /**
   * A verifier whose keys come from a source, kept current by the host's
   * refresher: the first fetch runs on the thread pool (the Promise
   * resolves once it succeeded), later ones on the refresher's thread.
   */
  static async #fromSource(kind, location, options) {
    if (typeof location !== 'string') throw new TypeError(`gatekey: ${kind === 'jwksFile' ? 'the path' : 'the URL'} must be a string`);
    if (options != null && typeof options !== 'object') throw new TypeError('gatekey: Verifier options must be an object');
    const policy = options?.policy ?? Policy.headerFirst();
    if (!(policy instanceof Policy)) throw new TypeError('gatekey: policy must be a Policy');
    const made = check(await lib().verifierFromSource(kind, location, policy[POLICY], pairsOf(options, 'Verifier options', 'policy')));
    const verifier = Object.create(Verifier.prototype);
    verifier[VERIFIER] = made;
    verifier.policy = policy;
    return verifier;
  }

  /**
   * Keys from an OIDC issuer's `jwks_uri` (its discovery document's
   * `issuer` must be `issuer` exactly), and `issuer` trusted unless
   * `issuer(s)` is given. `options`: the verifier's and the refresh
   * settings (`minRefresh`, `maxRefresh`, `maxStaleness`, `cooldown`,
   * `unknownKids`, `unknownKidWait`, `connectTimeout`, `timeout`, `maxBody`, `allowHttp`,
   * `background`).
   */
  static fromIssuer(issuer, options) {
    return Verifier.#fromSource('issuer', issuer, options);
  }

  /** Keys from a JWKS URL, kept current; as `fromIssuer` otherwise. */
  static fromJwksUrl(url, options) {
    return Verifier.#fromSource('jwksUrl', url, options);
  }

  /** Keys from a JWKS file, read again when it changes. */
  static fromJwksFile(path, options) {
    return Verifier.#fromSource('jwksFile', path, options);
  }

  /**
   * The key source's counters (`fetches`, `keys`, `fresh`, per source
   * `lastSuccess`, `lastError`, `skipped`, ...), or null for keys given directly.
   */
  keyStatus() {
    return lib().verifierKeyStatus(this[VERIFIER]);
  }

  /** Fetches the keys now, off the event loop: a Promise of whether they changed. */
  refresh() {
    return lib().verifierRefresh(this[VERIFIER]);
  }

  /**
   * Authenticates one request. Returns `{ source, subject, claims, token,
   * shadowed, skipped, drift }`, or `null` when `required: false` and the
   * request carries no credential; throws `AuthError` otherwise.
   */
  authenticate(headers, options) {
    const fields = (headers !== null && typeof headers === 'object' ? packPlain(headers) : undefined) ?? pack(flatten(headers));
    if (options == null) return identityOf(lib().verifierAuthenticate(this[VERIFIER], fields), fields);
    if (typeof options !== 'object') throw new TypeError('gatekey: authenticate options must be an object');
    const { token, query, now } = options;
    return identityOf(lib().verifierAuthenticate(this[VERIFIER], fields, token, query, now), fields);
  }

  /**
   * MCP 2026-07-28: the request's `Mcp-Method` / `Mcp-Name` headers must
   * name the `method` and name its JSON-RPC body calls; throws `AuthError`
   * (`header_mismatch`, a 400 with JSON-RPC error -32020) otherwise.
   */
  checkCall(headers, method, name) {
    if (typeof method !== 'string') throw new TypeError('gatekey: checkCall needs the body\'s method as a string');
    if (name != null && typeof name !== 'string') throw new TypeError('gatekey: checkCall name must be a string or null');
    const fields = pack(flatten(headers));
    const result = lib().verifierCheckCall(this[VERIFIER], fields, method, name ?? undefined);
    if (result !== null) throw new AuthError(result);
  }

  /**
   * A route's scopes: `identity` (null for an anonymous request) must hold
   * every one of `scopes` (an array, or a space-separated string), directly
   * or through an implication line of `scopeRules`. Throws `AuthError`
   * (`insufficient_scope`, a 403 whose one challenge names every scope;
   * `missing_credential` for null) or `ConfigError` for a bad scope.
   */
  requireScopes(identity, scopes) {
    if (identity != null && !(identity instanceof Identity)) throw new TypeError('gatekey: requireScopes needs an Identity from authenticate, or null');
    const json = identity == null ? undefined : identity[CLAIMS_JSON]();
    const result = lib().verifierRequireScopes(this[VERIFIER], json, identity == null, scopes);
    if (result !== null) throw typeof result.option === 'string' ? new ConfigError(result) : new AuthError(result);
  }

  /** Verifies a bare token (signature, then claims at `now`) and returns its claims. */
  verify(token, options) {
    const now = options == null ? undefined : typeof options === 'object' ? options.now : null;
    if (options != null && typeof options !== 'object') throw new TypeError('gatekey: verify options must be an object');
    const result = lib().verifierVerify(this[VERIFIER], token, now);
    if (typeof result !== 'string') throw typeof result.option === 'string' ? new ConfigError(result) : new AuthError(result);
    return JSON.parse(result);
  }

  /**
   * Replaces the keys (after a JWKS refresh): a KeySet, or for a verifier
   * of several issuers their KeySets. Calls in flight finish with the old
   * keys; tokens cached under them are verified again.
   */
  setKeys(keys) {
    check(lib().verifierSetKeys(this[VERIFIER], trustOf(keys)));
  }

  /**
   * The verified-token cache's counters, as Python's `cache_info()`:
   * `{ hits, misses, maxsize, currsize }` (all 0 without a cache).
   */
  cacheInfo() {
    return lib().verifierCacheInfo(this[VERIFIER]);
  }

  /** Frees the native verifier now instead of at garbage collection. */
  close() {
    lib().verifierClose(this[VERIFIER]);
  }
}

const CHECKER = Symbol('checker');

/**
 * The application's check of the identity assertion gatekey-authz sets on
 * an allowed request (gatekey_host::assertion): instead of verifying the
 * credential again, trust the edge's signed verdict for this upstream.
 */
class AssertionChecker {
  /** `key`: the deployment key shared with gatekey-authz; `audience`: this upstream's name. */
  constructor(key, options) {
    if (options == null || typeof options !== 'object') throw new TypeError('gatekey: AssertionChecker needs { audience }');
    const { audience, leeway = 0 } = options;
    if (typeof audience !== 'string') throw new TypeError('gatekey: audience must be a string');
    if (!Number.isInteger(leeway) || leeway < 0) throw new TypeError('gatekey: leeway must be a whole number of seconds');
    const result = lib().assertionCheckerNew(key, audience, leeway);
    if (result !== null && typeof result === 'object' && typeof result.code === 'number') throw new AuthError(result);
    this[CHECKER] = result;
  }

  /**
   * `{ subject, source }` of a valid assertion (the header's value, or
   * null/undefined when absent), bound to `options.credential` when given;
   * throws `AuthError` when missing, forged, expired, for another upstream
   * or bound to another credential.
   */
  verifyAssertion(headerValue, options) {
    if (options != null && typeof options !== 'object') throw new TypeError('gatekey: verifyAssertion options must be an object');
    const { credential, now } = options ?? {};
    const result = lib().assertionVerify(this[CHECKER], headerValue, credential, now);
    if (!Array.isArray(result)) throw typeof result.option === 'string' ? new ConfigError(result) : new AuthError(result);
    return { subject: result[0], source: result[1] };
  }
}

/**
 * Loads the addon now (else the first use does): from `options.path`, else
 * `$GATEKEY_NODE_ADDON`, else the package's own file. Returns where it came from.
 */
function loadLibrary(options) {
  const api = native.loadLibrary(options);
  return { path: api.path, version: api.version() };
}

/** The version of the loaded addon. */
function version() {
  return lib().version();
}

module.exports = {
  AssertionChecker,
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
