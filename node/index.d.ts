// Type declarations of the gatekey npm package (ESM and CommonJS).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** Where the winning credential came from. */
export type Source = 'proxy' | 'basic' | 'bearer' | 'cookie' | 'query' | 'explicit';

/** Why a present source carried no usable credential (the core's `Skip` names). */
export type SkipReason =
  | 'empty_bearer'
  | 'other_scheme'
  | 'basic_disabled'
  | 'empty_cookie'
  | 'empty_token'
  | 'not_accepted';

/** Any header shape a Node server has at hand; repeated fields are kept. */
export type HeadersInput =
  | IncomingHttpHeaders
  | IncomingMessage
  | Headers
  | Iterable<readonly [string, string]>
  | ReadonlyArray<readonly [string, string]>
  | readonly string[]
  | Record<string, string | readonly string[] | undefined>;

/** Who a request is, as the core decided. */
export interface Identity {
  /** The source of the winning credential. */
  source: Source;
  /** A token's `sub`, the Basic user, or the user a trusted proxy asserted. */
  subject: string | null;
  /**
   * The verified token's claims ({} for Basic and proxy), parsed from the core's JSON on
   * first read and kept: a getter, so a spread (`{ ...identity }`) leaves it out;
   * `JSON.stringify` includes it.
   */
  claims: Record<string, unknown>;
  /** The winning token as sent (null for Basic and proxy). */
  token: string | null;
  /** Sources that also carried a credential and lost (in the policy's order). */
  shadowed: Source[];
  /**
   * Sources present without a usable credential, in request order, with why:
   * "empty_bearer", "other_scheme", "basic_disabled", "empty_cookie",
   * "empty_token" or "not_accepted".
   */
  skipped: [Source, SkipReason][];
  /** Whether a shadowed credential differs from the winner: worth logging. */
  drift: boolean;
  /** The scopes the token grants (`scope`, else `scp`, by the core's rule); [] for Basic and proxy. */
  readonly scopes: string[];
}

/** The HTTP answer to a refused request, the same bytes in every language. */
export interface Refusal {
  /** 400, 401, 403 (500 for a configuration error). */
  status: number;
  /** `Content-Type: application/json`, and `WWW-Authenticate` (absent for a 500). */
  headers: { 'Content-Type': 'application/json'; 'WWW-Authenticate'?: string };
  /** `{"error", "error_description", "reason", and "claim" / "kid" / "issuer" when named}`. */
  body: string;
}

/** A request that could not be authenticated. */
export class AuthError extends Error {
  /** The stable numeric code, the same in Rust, C and Python (e.g. 400). */
  readonly code: number;
  /** The stable snake_case name of the code (e.g. "expired"). */
  readonly reason: string;
  /** The HTTP status to answer with: 400, 401, 403, or 500 for configuration errors. */
  readonly status: number;
  /** The `WWW-Authenticate` value for the answer (RFC 6750 §3); null for a configuration error. */
  readonly wwwAuthenticate: string | null;
  /** The claim the failure is about (`exp`, `aud`, the missing scope), or null. */
  readonly claim: string | null;
  /** The token's `kid`, for a key error (printable, bounded), or null. */
  readonly kid: string | null;
  /** The token's `iss`, for an issuer error (printable, bounded), or null. */
  readonly issuer: string | null;
  /** Every scope the refused MCP call needs (space-separated), for `insufficient_scope` from `scopeRules`; else null. */
  readonly scope: string | null;
  /** The whole answer: status, headers and JSON body, as every gatekey surface sends it. */
  readonly refusal: Refusal;
}

/** The host refused a configuration (a bad option, a malformed JWKS, a weak key, a bad `now`). */
export class ConfigError extends AuthError {
  /** The option at fault by its canonical snake_case name (`cache_size`, `issuers`, `keys`, `now`, `options` for an unknown name). */
  readonly option: string;
  /** The value given, shortened; null when the core names none. */
  readonly value: string | null;
  /** What the option takes; null when the core names nothing. */
  readonly expected: string | null;
}

/** The addon could not be loaded from any of the three places. */
export class LibraryNotFoundError extends Error {
  readonly attempts: { how: string; path?: string; error?: string }[];
}

/** Verification keys: EC and RSA public keys from a JWKS, HS256 secrets; up to 64. */
export class KeySet {
  constructor();
  /** A key set from a JWKS document (`{"keys": [...]}`) as text, bytes or an object. */
  static fromJwks(jwks: string | Uint8Array | { keys: unknown[] }): KeySet;
  /** A key set with one HS256 secret (at least 32 bytes) and an optional `kid`. */
  static hs256(secret: string | Uint8Array, kid?: string): KeySet;
  addJwks(jwks: string | Uint8Array | { keys: unknown[] }): this;
  addHs256(secret: string | Uint8Array, kid?: string): this;
  /** The number of keys. */
  readonly size: number;
}

export interface PolicyOptions {
  /** The credential cookie's name (default `jwt_token`). */
  cookie?: string;
  /** Trust a reverse proxy's identity header (e.g. `X-Authenticated-User`). */
  proxyHeader?: string;
  /** Accept `Authorization: Basic` with this user and password. */
  basic?: readonly [string, string] | { user: string; password: string };
  /** Accept the `access_token` query parameter (off by default; MCP forbids it). */
  query?: boolean;
  /** How several credentials are treated (default `first`). */
  conflict?: 'first' | 'agree' | 'single';
}

/** Which sources are accepted, in which order, and how several are treated. */
export class Policy {
  private constructor();
  readonly name: 'headerFirst' | 'cookieFirst' | 'strict';
  /** proxy > basic > bearer > cookie > query > explicit; the first wins. */
  static headerFirst(options?: PolicyOptions): Policy;
  /** proxy > cookie > bearer > basic > query > explicit; the first wins. */
  static cookieFirst(options?: PolicyOptions): Policy;
  /** The Bearer header only; more than one method is `multiple_methods`. */
  static strict(): Policy;
}

/**
 * Every option is checked by gatekey-host's one schema (the same names,
 * types and limits in Rust, C and Python, in camelCase or snake_case); a
 * bad value or an unknown name is a `ConfigError` naming the option.
 */
export interface VerifierOptions {
  /** Default `Policy.headerFirst()`. */
  policy?: Policy;
  /** The trusted `iss`, or several (any one of them). */
  issuer?: string | readonly string[];
  /** This service's name, which `aud` must contain, or several (any one of them). */
  audience?: string | readonly string[];
  /** Seconds of tolerance on `exp`, `nbf` and `iat`. */
  leeway?: number;
  /** Claims that must be present (default `['exp']`; leave `exp` out to accept tokens without one). */
  require?: readonly string[];
  /** When false, a request with no credential gives `null` instead of a 401. Default true. */
  required?: boolean;
  /**
   * Verified tokens to remember (default 0: none), rounded up to a multiple
   * of 64, at most 65536. A token seen again costs a SHA-256 and a lookup
   * instead of a signature check; its `exp` and `nbf` are still checked on
   * every call.
   */
  cacheSize?: number;
  /** Scopes the token must all grant: a space-separated string or a list. */
  scope?: string | readonly string[];
  /** The same as `scope`. */
  scopes?: string | readonly string[];
  /** `{ 'realm_access.roles': 'admin' }`: the claim at each path must be (or hold) the value or one of the values. */
  claims?: Readonly<Record<string, string | readonly string[]>> | ReadonlyMap<string, string | readonly string[]>;
  /** Accepted `azp` values. */
  authorizedParties?: string | readonly string[];
  /** Accepted `client_id` values. */
  clientIds?: string | readonly string[];
  /** The JOSE header `typ` required (e.g. "at+jwt"). */
  typ?: string;
  /** The realm in `WWW-Authenticate`. */
  realm?: string;
  /** The RFC 9728 protected-resource metadata URL in `WWW-Authenticate` (MCP clients follow it). */
  resourceMetadata?: string;
  /** This server's canonical URI: `aud` must name it (RFC 8707, compared as a URI); turns `refuseIdTokens` on. */
  resource?: string;
  /** Refuse OpenID Connect ID tokens (`nonce` or `at_hash`) as access tokens. Default: true with `resource`. */
  refuseIdTokens?: boolean;
  /** MCP scope rules, one per line: `METHOD [NAME] : SCOPE...` or `BROAD > NARROW...` (see core/src/mcp.rs). */
  scopeRules?: string | readonly string[];
}

/** The refresh settings of a key source (seconds may be fractional), checked by the host. */
export interface RefreshOptions {
  /** The shortest `max-age` honoured (default 60 s). */
  minRefresh?: number;
  /** The longest, and the interval without `max-age` (default 600 s). */
  maxRefresh?: number;
  /** How long failed fetches keep the last good keys (default 86400 s). */
  maxStaleness?: number;
  /** Least time between fetches asked for by unknown `kid`s (default 30 s). */
  cooldown?: number;
  /** How many unknown `kid`s are remembered (default 1024). */
  unknownKids?: number;
  /**
   * How long a token with an unknown `kid` may wait for the fetch it asked
   * for (0 – 10 s, default 0: never). The wait blocks the calling thread,
   * here the event loop: keep 0 unless requests may stall that long.
   */
  unknownKidWait?: number;
  /** TCP/TLS connect timeout (default 5 s). */
  connectTimeout?: number;
  /** The whole fetch, body included (default 10 s). */
  timeout?: number;
  /** The largest body read, in bytes (default 1 MiB). */
  maxBody?: number;
  /** Plain `http://` beyond loopback addresses (default false). */
  allowHttp?: boolean;
  /** false: no background thread; call `refresh()` yourself (default true). */
  background?: boolean;
}

/** One key source's counters. */
export interface SourceStatus {
  issuer: string | null;
  /** The URL or file. */
  location: string;
  /** The JWKS URL (discovered, for an issuer). */
  jwksUri: string | null;
  fetches: number;
  failures: number;
  notModified: number;
  /** Unix seconds of the last successful fetch. */
  lastSuccess: number | null;
  lastError: string | null;
  /** Keys in force. */
  keys: number;
  /** Keys of the last JWKS left out (RFC 7517 §5), with why. */
  skipped: { kid: string | null; reason: string }[];
  /** Unix seconds of the next scheduled fetch. */
  nextRefresh: number | null;
}

/** A key source's counters (Python's `key_status()`, in camelCase). */
export interface KeyStatus {
  /** Whether the keys are within their maximum staleness. */
  fresh: boolean;
  fetches: number;
  keys: number;
  unknownKidRefreshes: number;
  sources: SourceStatus[];
}

export interface AuthenticateOptions {
  /** A token the caller already holds (the `explicit` source, lowest precedence). */
  token?: string | Uint8Array;
  /** The raw query string, without `?` (read only if the policy enables `query`). */
  query?: string;
  /** The time, integer Unix seconds (default the system clock; milliseconds are a ConfigError). */
  now?: number | bigint;
}

export interface VerifyOptions {
  /** The time, integer Unix seconds (default the system clock). */
  now?: number | bigint;
}

/** What the verified-token cache has done (Python's `cache_info()` fields). */
export interface CacheInfo {
  /** Lookups that found the token (its `exp` and `nbf` still checked). */
  hits: number;
  /** Lookups that did not, and verified the token's signature. */
  misses: number;
  /** How many tokens the cache holds at most (0: no cache). */
  maxsize: number;
  /** How many tokens it holds. */
  currsize: number;
}

/** Authenticates requests against keys, a policy and claim rules. */
/**
 * The application's check of the identity assertion gatekey-authz sets on
 * an allowed request: trust the edge's signed verdict for this upstream.
 */
export class AssertionChecker {
  constructor(key: string | Uint8Array, options: { audience: string; leeway?: number });
  /**
   * The subject and source of a valid assertion, bound to `credential`
   * when given; throws `AuthError` when missing, forged, expired, for
   * another upstream or bound to another credential.
   */
  verifyAssertion(
    headerValue: string | Uint8Array | null | undefined,
    options?: { credential?: string | Uint8Array; now?: number },
  ): { subject: string; source: string };
}

export class Verifier {
  /**
   * `keys`: one KeySet, or several issuers each with its own keys
   * (`{ 'https://idp-a': keysA, 'https://idp-b': keysB }` or a Map): the
   * token's `iss` picks the issuer before its `kid` picks a key. With
   * several, leave `issuer` out.
   */
  constructor(keys: KeySet | Readonly<Record<string, KeySet>> | ReadonlyMap<string, KeySet>, options?: VerifierOptions);
  /**
   * Keys from an OIDC issuer's `jwks_uri` (the discovery document's `issuer`
   * must equal `issuer`), which is trusted unless `issuer` is given. Resolves
   * once the first fetch succeeded (off the event loop); the keys are then
   * kept current on a background thread. Rejects with `ConfigError`.
   */
  static fromIssuer(issuer: string, options?: VerifierOptions & RefreshOptions): Promise<Verifier>;
  /** Keys from a JWKS URL, kept current; as `fromIssuer` otherwise. */
  static fromJwksUrl(url: string, options?: VerifierOptions & RefreshOptions): Promise<Verifier>;
  /** Keys from a JWKS file, read again when it changes. */
  static fromJwksFile(path: string, options?: VerifierOptions & RefreshOptions): Promise<Verifier>;
  /** The key source's counters, or null for keys given directly. */
  keyStatus(): KeyStatus | null;
  /** Fetches the keys now, off the event loop; resolves to whether they changed. */
  refresh(): Promise<boolean>;
  readonly policy: Policy;
  /** Throws `AuthError`; returns null only when `required: false` and there is no credential. */
  authenticate(headers: HeadersInput, options?: AuthenticateOptions): Identity;
  /** Verifies a bare token (signature, then claims at `now`) and returns its claims; throws `AuthError`. */
  verify(token: string | Uint8Array, options?: VerifyOptions): Record<string, unknown>;
  /**
   * MCP 2026-07-28: checks the request's `Mcp-Method` and `Mcp-Name` headers
   * against the JSON-RPC `method` and name (`params.name`, or `params.uri`
   * for `resources/read`) of its body; throws `AuthError` `header_mismatch`
   * whose refusal is the 400 with JSON-RPC error -32020.
   */
  checkCall(headers: HeadersInput, method: string, name?: string | null): void;
  /**
   * A route's scopes: `identity` (null: anonymous) must hold each of `scopes` (an array or a
   * space-separated string), directly or through an implication line of `scopeRules`; throws
   * `AuthError` (`insufficient_scope`, 403, one challenge naming every scope; `missing_credential`
   * for null) or `ConfigError` for a bad scope.
   */
  requireScopes(identity: Identity | null, scopes: string | readonly string[]): void;
  /**
   * Replaces the keys (a JWKS refresh): a KeySet, or issuers' KeySets for a
   * verifier made with several; calls in flight finish on the old keys and
   * the cache no longer vouches for tokens verified with them.
   */
  setKeys(keys: KeySet | Readonly<Record<string, KeySet>> | ReadonlyMap<string, KeySet>): void;
  /** The verified-token cache's counters (all 0 without a cache). */
  cacheInfo(): CacheInfo;
  /** Frees the native verifier now instead of at garbage collection. */
  close(): void;
}

/** The `WWW-Authenticate` value for a failure with `code` (bare "Bearer" by default). */
export function challenge(
  code?: number,
  options?: { realm?: string; scope?: string; resourceMetadata?: string },
): string;

/** Loads the addon now: `path`, else `$GATEKEY_NODE_ADDON`, else the package's `gatekey.<platform>-<arch>[-gnu|-musl].node`. */
export function loadLibrary(options?: { path?: string }): { path: string; version: string };

/** The version of the loaded addon. */
export function version(): string;

/** The MCP TypeScript SDK's `AuthInfo` shape. */
export interface AuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  extra?: Record<string, unknown>;
}
export function authInfo(identity: Identity): AuthInfo;

/** The fastmcp session of a request a `required: false` verifier let through without a credential. */
export interface AnonymousSession {
  readonly anonymous: true;
  readonly source: null;
  readonly subject: null;
  readonly claims: Record<string, never>;
  readonly scopes: readonly string[];
}
export const ANONYMOUS: AnonymousSession;

/**
 * A fastmcp `authenticate` callback; failures are thrown as a `Response` (the host's refusal:
 * status, challenge, JSON body). An anonymous request a `required: false` verifier allows gets
 * `anonymous` (default `ANONYMOUS`; fastmcp answers 401 to a falsy session).
 */
export function gatekeyAuthenticate<T extends Record<string, unknown>>(
  verifier: Verifier,
  options: {
    toSession: (identity: Identity) => T;
    /** The session of an anonymous request (give it with a `required: false` verifier). */
    anonymous?: T;
  },
): (request: IncomingMessage | undefined) => Promise<T>;
export function gatekeyAuthenticate(
  verifier: Verifier,
  options?: { anonymous?: Record<string, unknown> },
): (request: IncomingMessage | undefined) => Promise<(Identity | AnonymousSession) & Record<string, unknown>>;

/** node:http / Express middleware: sets `req.gatekey` and `req.auth`, or answers the failure. */
export function middleware(
  verifier: Verifier,
): (
  req: IncomingMessage & { gatekey?: Identity | null; auth?: AuthInfo },
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/** Hono middleware: sets `c.get('gatekey')`, or answers the failure. */
export function honoMiddleware(verifier: Verifier): (
  c: { req: { raw: Request }; set(key: 'gatekey', value: Identity | null): void },
  next: () => Promise<void>,
) => Promise<Response | undefined>;

declare global {
  // Express's Request, as `middleware` leaves it (merged when @types/express is installed).
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The identity `middleware` decided (null: anonymous, allowed by `required: false`). */
      gatekey?: Identity | null;
      /** The MCP SDK's AuthInfo of that identity. */
      auth?: AuthInfo;
    }
  }
}
