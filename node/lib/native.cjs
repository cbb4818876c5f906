'use strict';
// Finds and loads libgatekey through koffi, and declares the C API of
// include/gatekey.h. Nothing here knows a rule of gatekey: it only binds.

const fs = require('node:fs');
const path = require('node:path');
const koffi = require('koffi');

const ENV = 'GATEKEY_LIB';
const PACKAGE_DIR = path.resolve(__dirname, '..');

function libraryFile() {
  if (process.platform === 'darwin') return 'libgatekey.dylib';
  if (process.platform === 'win32') return 'gatekey.dll';
  return 'libgatekey.so';
}

/** The package's own copy, placed there by `make node`. */
function prebuildPath() {
  return path.join(PACKAGE_DIR, 'prebuilds', `${process.platform}-${process.arch}`, libraryFile());
}

class LibraryNotFoundError extends Error {
  constructor(attempts) {
    const lines = attempts.map((a) => `  - ${a.how}: ${a.path ?? '(not set)'}${a.error ? ` (${a.error})` : ''}`);
    super(
      'gatekey: cannot load libgatekey. Looked, in order, at:\n' +
        lines.join('\n') +
        `\nPass { path } to loadLibrary(), set ${ENV} to the library's path, ` +
        "or run `make node` in the gatekey repository to build it into the package's prebuilds/.",
    );
    this.name = 'LibraryNotFoundError';
    this.attempts = attempts;
  }
}

let api = null;

function declare(lib) {
  const gk_header = koffi.struct('gk_header', {
    name: 'const uint8_t *',
    name_len: 'size_t',
    value: 'const uint8_t *',
    value_len: 'size_t',
  });
  const gk_validation = koffi.struct('gk_validation', {
    issuer: 'const char *',
    audience: 'const char *',
    leeway: 'uint32_t',
    required: 'const char **',
    n_required: 'size_t',
    scope: 'const char *',
    typ: 'const char *',
    exp_optional: 'bool',
    issuers: 'const char **',
    n_issuers: 'size_t',
    audiences: 'const char **',
    n_audiences: 'size_t',
  });
  const gk_cache_info = koffi.struct('gk_cache_info', {
    hits: 'uint64_t',
    misses: 'uint64_t',
    capacity: 'size_t',
    size: 'size_t',
  });
  for (const name of ['gk_identity', 'gk_keyset', 'gk_policy', 'gk_verifier']) koffi.opaque(name);
  const f = (sig) => lib.func(sig);
  return {
    gk_header,
    gk_validation,
    gk_cache_info,
    version: f('const char *gk_version(void)'),
    status_str: f('const char *gk_status_str(unsigned int status)'),
    status_name: f('const char *gk_status_name(unsigned int status)'),
    status_http: f('uint16_t gk_status_http(unsigned int status)'),
    www_authenticate: f(
      'int gk_www_authenticate(unsigned int status, const char *realm, const char *scope, ' +
        'const char *resource_metadata, _Out_ uint8_t *buf, size_t cap, _Out_ size_t *written)',
    ),
    keyset_new: f('int gk_keyset_new(_Out_ gk_keyset **out)'),
    keyset_from_jwks: f('int gk_keyset_from_jwks(const uint8_t *json, size_t len, _Out_ gk_keyset **out)'),
    keyset_add_jwks: f('int gk_keyset_add_jwks(gk_keyset *keyset, const uint8_t *json, size_t len)'),
    keyset_add_hs256: f(
      'int gk_keyset_add_hs256(gk_keyset *keyset, const uint8_t *kid, size_t kid_len, ' +
        'const uint8_t *secret, size_t secret_len)',
    ),
    keyset_len: f('int gk_keyset_len(const gk_keyset *keyset, _Out_ size_t *out)'),
    keyset_free: f('void gk_keyset_free(gk_keyset *keyset)'),
    policy_new: f('int gk_policy_new(unsigned int preset, _Out_ gk_policy **out)'),
    policy_set_cookie_name: f('int gk_policy_set_cookie_name(gk_policy *policy, const uint8_t *name, size_t len)'),
    policy_set_proxy_header: f(
      'int gk_policy_set_proxy_header(gk_policy *policy, const uint8_t *name, size_t len)',
    ),
    policy_set_basic: f(
      'int gk_policy_set_basic(gk_policy *policy, const uint8_t *user, size_t user_len, ' +
        'const uint8_t *password, size_t password_len)',
    ),
    policy_set_query: f('int gk_policy_set_query(gk_policy *policy, bool on)'),
    policy_set_conflict: f('int gk_policy_set_conflict(gk_policy *policy, unsigned int conflict)'),
    policy_free: f('void gk_policy_free(gk_policy *policy)'),
    verifier_new_issuers: f(
      'int gk_verifier_new_issuers(const char **issuers, const gk_keyset **keysets, size_t n, ' +
        'const gk_policy *policy, const gk_validation *validation, _Out_ gk_verifier **out)',
    ),
    verifier_new: f(
      'int gk_verifier_new(const gk_keyset *keyset, const gk_policy *policy, ' +
        'const gk_validation *validation, _Out_ gk_verifier **out)',
    ),
    verifier_free: f('void gk_verifier_free(gk_verifier *verifier)'),
    verifier_set_cache: f('int gk_verifier_set_cache(gk_verifier *verifier, size_t capacity)'),
    verifier_cache_info: f('int gk_verifier_cache_info(const gk_verifier *verifier, _Out_ gk_cache_info *out)'),
    identity_new: f('int gk_identity_new(_Out_ gk_identity **out)'),
    identity_free: f('void gk_identity_free(gk_identity *identity)'),
    authenticate_token: f(
      'int gk_authenticate_token(const gk_verifier *verifier, const gk_header *headers, size_t n_headers, ' +
        'const uint8_t *query, size_t query_len, const uint8_t *token, size_t token_len, int64_t now, ' +
        'gk_identity *identity)',
    ),
    authenticate: f(
      'int gk_authenticate(const gk_verifier *verifier, const gk_header *headers, size_t n_headers, ' +
        'const uint8_t *query, size_t query_len, int64_t now, gk_identity *identity)',
    ),
    identity_source: f('int gk_identity_source(const gk_identity *identity, _Out_ int *out)'),
    identity_shadowed: f('int gk_identity_shadowed(const gk_identity *identity, _Out_ uint32_t *out)'),
    identity_drift: f('int gk_identity_drift(const gk_identity *identity, _Out_ bool *out)'),
    identity_skipped_count: f('int gk_identity_skipped_count(const gk_identity *identity, _Out_ size_t *out)'),
    identity_skipped: f(
      'int gk_identity_skipped(const gk_identity *identity, size_t index, _Out_ int *source, _Out_ const char **reason)',
    ),
    identity_subject: f(
      'int gk_identity_subject(const gk_identity *identity, _Out_ const uint8_t **ptr, _Out_ size_t *len)',
    ),
    identity_credential: f(
      'int gk_identity_credential(const gk_identity *identity, _Out_ const uint8_t **ptr, _Out_ size_t *len)',
    ),
    identity_claims_json: f(
      'int gk_identity_claims_json(const gk_identity *identity, _Out_ const uint8_t **ptr, _Out_ size_t *len)',
    ),
  };
}

function tryLoad(file) {
  // koffi.load names the file in its own error; check first for a plainer one.
  if (!fs.existsSync(file)) throw new Error('no such file');
  const lib = koffi.load(file);
  try {
    return declare(lib);
  } catch (e) {
    lib.unload();
    throw e;
  }
}

/**
 * Loads libgatekey once: `options.path`, else `$GATEKEY_LIB`, else the
 * package's prebuilds/. Calling it again after a success returns the
 * loaded API (a different path is then an error).
 */
function loadLibrary(options = {}) {
  if (api) {
    if (options.path && path.resolve(options.path) !== api.path) {
      throw new Error(`gatekey: libgatekey is already loaded from ${api.path}`);
    }
    return api;
  }
  const candidates = [
    { how: 'the path option of loadLibrary()', path: options.path },
    { how: `the ${ENV} environment variable`, path: process.env[ENV] || undefined },
    { how: "the package's prebuilds/ folder", path: prebuildPath() },
  ];
  for (const c of candidates) {
    if (!c.path) continue;
    const file = path.resolve(c.path);
    try {
      api = tryLoad(file);
      api.path = file;
      return api;
    } catch (e) {
      c.error = String(e && e.message ? e.message : e).split('\n')[0];
    }
  }
  throw new LibraryNotFoundError(candidates);
}

module.exports = { koffi, loadLibrary, LibraryNotFoundError, ENV };
