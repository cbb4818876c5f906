//! `KeySet`: verification keys from a JWKS, an HMAC secret or a PEM.

use gatekey::{Error, Key, KeySet};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::errors::IntoPy;
use crate::input::bytes_of;

/// How many keys one set holds: gatekey-host's, the same in every language.
pub(crate) use gatekey_host::KEYS;

/// The DER prefix of a P-256 `SubjectPublicKeyInfo` with an uncompressed
/// point (RFC 5480): SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 },
/// BIT STRING (65 bytes) }. Anything else is refused, not guessed at.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// A set of verification keys; immutable, shared between threads.
#[pyclass(frozen, name = "KeySet", module = "gatekey._gatekey")]
#[derive(Clone, Default)]
pub(crate) struct PyKeySet {
    pub(crate) inner: KeySet<KEYS>,
}

fn kid_bytes(kid: Option<&str>) -> Option<&[u8]> {
    kid.map(str::as_bytes)
}

/// The SEC1 point inside a PEM `PUBLIC KEY` of a P-256 key.
fn pem_point(pem: &[u8]) -> Result<[u8; 65], Error> {
    use base64ct::{Base64, Encoding};
    let text = core::str::from_utf8(pem).map_err(|_| Error::InvalidKey)?;
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----"))
        .collect();
    if !text.contains("-----BEGIN PUBLIC KEY-----") {
        return Err(Error::UnsupportedKey);
    }
    let mut der = [0u8; 91];
    let decoded = Base64::decode(body.as_bytes(), &mut der).map_err(|_| Error::InvalidKey)?;
    let (prefix, point) = decoded
        .split_at_checked(P256_SPKI_PREFIX.len())
        .ok_or(Error::UnsupportedKey)?;
    if prefix != P256_SPKI_PREFIX {
        return Err(Error::UnsupportedKey);
    }
    point.try_into().map_err(|_| Error::UnsupportedKey)
}

#[pymethods]
impl PyKeySet {
    /// An empty key set.
    #[new]
    fn new() -> Self {
        PyKeySet::default()
    }

    /// The usable keys of a JWKS (`str`, `bytes` or an already parsed `dict`).
    #[staticmethod]
    fn from_jwks(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = if data.is_instance_of::<PyDict>() {
            let dumped = py.import("json")?.call_method1("dumps", (data,))?;
            bytes_of(&dumped, "the JWKS")?
        } else {
            bytes_of(data, "the JWKS")?
        };
        Ok(PyKeySet {
            inner: KeySet::from_jwks(bytes.as_bytes()).py_err(py)?,
        })
    }

    /// One HS256 secret (at least 32 bytes, RFC 7518 §3.2).
    #[staticmethod]
    #[pyo3(signature = (secret, kid=None))]
    fn hs256(py: Python<'_>, secret: &Bound<'_, PyAny>, kid: Option<&str>) -> PyResult<Self> {
        let secret = bytes_of(secret, "the secret")?;
        PyKeySet::default().with(py, Key::hs256(secret.as_bytes(), kid_bytes(kid)))
    }

    /// One P-256 public key (ES256) from a PEM `PUBLIC KEY` block.
    #[staticmethod]
    #[pyo3(signature = (pem, kid=None))]
    fn from_pem(py: Python<'_>, pem: &Bound<'_, PyAny>, kid: Option<&str>) -> PyResult<Self> {
        let pem = bytes_of(pem, "the PEM")?;
        let point = pem_point(pem.as_bytes()).py_err(py)?;
        PyKeySet::default().with(py, Key::es256_sec1(&point, kid_bytes(kid)))
    }

    /// A new set with the keys of both.
    fn union(&self, py: Python<'_>, other: &PyKeySet) -> PyResult<Self> {
        let mut inner = self.inner.clone();
        for key in other.inner.keys() {
            inner.push(key.clone()).py_err(py)?;
        }
        Ok(PyKeySet { inner })
    }

    fn __or__(&self, py: Python<'_>, other: &PyKeySet) -> PyResult<Self> {
        self.union(py, other)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The keys' ids, `None` for a key without one.
    #[getter]
    fn kids<'py>(&self, py: Python<'py>) -> Vec<Option<Bound<'py, PyString>>> {
        self.inner
            .keys()
            .iter()
            .map(|k| {
                k.kid()
                    .map(|kid| PyString::new(py, &String::from_utf8_lossy(kid)))
            })
            .collect()
    }

    /// The algorithm of each key (`"ES256"`, `"EdDSA"`, `"HS256"`, `"HS384"`, `"HS512"`, `"RS256"`, `"PS256"`).
    #[getter]
    fn algorithms(&self) -> Vec<&'static str> {
        self.inner
            .keys()
            .iter()
            .map(|k| k.algorithm().name())
            .collect()
    }

    /// How many keys of the JWKS were skipped as unusable (RSA, `use: enc`…).
    #[getter]
    fn skipped(&self) -> usize {
        self.inner.skipped()
    }

    /// Whether a key has this `kid`.
    fn __contains__(&self, kid: &str) -> bool {
        self.inner
            .keys()
            .iter()
            .any(|k| k.kid() == Some(kid.as_bytes()))
    }

    fn __repr__(&self) -> String {
        let keys: Vec<String> = self
            .inner
            .keys()
            .iter()
            .map(|k| {
                let kid = k.kid().map_or_else(
                    || "-".into(),
                    |kid| String::from_utf8_lossy(kid).into_owned(),
                );
                format!("{}:{kid}", k.algorithm().name())
            })
            .collect();
        format!("KeySet([{}])", keys.join(", "))
    }
}

impl PyKeySet {
    fn with(mut self, py: Python<'_>, key: Result<Key, Error>) -> PyResult<Self> {
        self.inner.push(key.py_err(py)?).py_err(py)?;
        Ok(self)
    }
}
