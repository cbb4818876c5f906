'use strict';
// gatekey: one credential resolver and JWT verifier for every layer of a
// gateway: a Node-API addon over gatekey-host's one Verifier.
const core = require('./lib/gatekey.cjs');
const adapters = require('./lib/adapters.cjs');

module.exports = {
  AssertionChecker: core.AssertionChecker,
  AuthError: core.AuthError,
  ConfigError: core.ConfigError,
  KeySet: core.KeySet,
  Policy: core.Policy,
  Verifier: core.Verifier,
  LibraryNotFoundError: core.LibraryNotFoundError,
  challenge: core.challenge,
  loadLibrary: core.loadLibrary,
  version: core.version,
  ANONYMOUS: adapters.ANONYMOUS,
  gatekeyAuthenticate: adapters.gatekeyAuthenticate,
  middleware: adapters.middleware,
  honoMiddleware: adapters.honoMiddleware,
  authInfo: adapters.authInfo,
};
