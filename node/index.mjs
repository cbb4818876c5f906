// The ESM entry: the same objects as the CommonJS one (one native binding).
import gatekey from './index.cjs';

export const {
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
  ANONYMOUS,
  gatekeyAuthenticate,
  middleware,
  honoMiddleware,
  authInfo,
} = gatekey;
