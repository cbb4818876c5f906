'use strict';
// Finds and loads the Node-API addon (napi-rs, node/src): the file built
// for this platform, named as napi-rs names them, or $GATEKEY_NODE_ADDON.
// Nothing here knows a rule of gatekey: it only loads.

const fs = require('node:fs');
const path = require('node:path');

const ENV = 'GATEKEY_NODE_ADDON';
const PACKAGE_DIR = path.resolve(__dirname, '..');

/** `gnu` or `musl` on Linux (napi-rs's file suffix), else null. */
function libc() {
  if (process.platform !== 'linux') return null;
  const report = process.report?.getReport?.();
  const header = typeof report === 'string' ? JSON.parse(report).header : report?.header;
  return header?.glibcVersionRuntime ? 'gnu' : 'musl';
}

/** `gatekey.<platform>-<arch>[-gnu|-musl].node`, as napi-rs names addons. */
function addonFile() {
  const suffix = libc();
  return `gatekey.${process.platform}-${process.arch}${suffix ? `-${suffix}` : ''}.node`;
}

/** The package's own copy, placed there by `make node`. */
function packagedPath() {
  return path.join(PACKAGE_DIR, addonFile());
}

class LibraryNotFoundError extends Error {
  constructor(attempts) {
    const lines = attempts.map((a) => `  - ${a.how}: ${a.path ?? '(not set)'}${a.error ? ` (${a.error})` : ''}`);
    super(
      'gatekey: cannot load the gatekey addon. Looked, in order, at:\n' +
        lines.join('\n') +
        `\nPass { path } to loadLibrary(), set ${ENV} to the addon's path, ` +
        'or run `make node` in the gatekey repository to build it into the package.',
    );
    this.name = 'LibraryNotFoundError';
    this.attempts = attempts;
  }
}

let addon = null;

function tryLoad(file) {
  if (!fs.existsSync(file)) return { error: 'no such file' };
  try {
    const mod = { exports: {} };
    process.dlopen(mod, file);
    if (typeof mod.exports.verifierNew !== 'function') return { error: 'not the gatekey addon' };
    return { exports: mod.exports };
  } catch (e) {
    return { error: String(e.message).split('\n')[0] };
  }
}

/**
 * The addon, loaded once: from `options.path`, else `$GATEKEY_NODE_ADDON`,
 * else the package's own file. Throws `LibraryNotFoundError` naming where
 * it looked.
 */
function loadLibrary(options = {}) {
  if (addon !== null && options.path == null) return addon;
  const places = [
    { how: 'path option of loadLibrary()', path: options.path ?? null },
    { how: `${ENV} environment variable`, path: process.env[ENV] || null },
    { how: 'the package folder', path: packagedPath() },
  ];
  const attempts = [];
  for (const place of places) {
    if (place.path == null) {
      attempts.push(place);
      continue;
    }
    const file = path.resolve(place.path);
    const got = tryLoad(file);
    if (got.exports) {
      addon = Object.assign(Object.create(null), got.exports, { path: file });
      return addon;
    }
    attempts.push({ ...place, error: got.error });
    if (place === places[0]) break; // an explicit path is the only place asked
  }
  throw new LibraryNotFoundError(attempts);
}

module.exports = { loadLibrary, LibraryNotFoundError, addonFile };
