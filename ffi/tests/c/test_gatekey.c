/* C tests of libgatekey, compiled with -Wall -Wextra -Werror -std=c99 and
 * run under valgrind and AddressSanitizer by `make test-ffi`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatekey.h"
#include "fixtures.h"
#include "validation_cases.h"
#include "precedence_cases.h"

static int failures = 0;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                    \
        }                                                                  \
    } while (0)

#define CHECK_STATUS(expr, want)                                           \
    do {                                                                   \
        gk_status got_ = (expr);                                           \
        if (got_ != (want)) {                                              \
            fprintf(stderr, "%s:%d: %s gave %s, want %s\n", __FILE__, __LINE__, #expr, \
                    gk_status_name(got_), gk_status_name(want));           \
            failures++;                                                    \
        }                                                                  \
    } while (0)

static gk_header header(const char *name, const char *value) {
    gk_header h;
    h.name = (const uint8_t *)name;
    h.name_len = strlen(name);
    h.value = (const uint8_t *)value;
    h.value_len = strlen(value);
    return h;
}

static int span_is(const uint8_t *p, size_t len, const char *want) {
    return p != NULL && len == strlen(want) && memcmp(p, want, len) == 0;
}

/* "Bearer <token>" and "jwt_token=<token>" in caller buffers. */
static char bearer_a[2048], bearer_hs[2048], bearer_exp[2048], bearer_bad[2048], cookie_b[2048];

static gk_keyset *make_keyset(void) {
    gk_keyset *ks = NULL;
    CHECK_STATUS(gk_keyset_from_jwks((const uint8_t *)GK_TEST_JWKS, strlen(GK_TEST_JWKS), &ks), GK_OK);
    CHECK_STATUS(gk_keyset_add_hs256(ks, (const uint8_t *)"hs1", 3, (const uint8_t *)GK_TEST_SECRET,
                                     strlen(GK_TEST_SECRET)),
                 GK_OK);
    return ks;
}

static gk_verifier *make_verifier(gk_keyset *ks, unsigned preset, unsigned conflict) {
    gk_policy *policy = NULL;
    gk_verifier *v = NULL;
    const char *required[] = {"jti"};
    gk_validation rules;
    memset(&rules, 0, sizeof rules);
    rules.issuer = "https://idp.example";
    rules.audience = "mcp";
    rules.leeway = 30;
    rules.required = required;
    rules.n_required = 1;
    CHECK_STATUS(gk_policy_new(preset, &policy), GK_OK);
    if (conflict != 0) CHECK_STATUS(gk_policy_set_conflict(policy, conflict), GK_OK);
    CHECK_STATUS(gk_verifier_new(ks, policy, &rules, &v), GK_OK);
    gk_policy_free(policy); /* the verifier holds its own copy */
    return v;
}

static void test_valid_tokens(gk_verifier *v, gk_identity *id) {
    const uint8_t *p;
    size_t n;
    gk_source source;
    int64_t exp;
    gk_header h[1];

    h[0] = header("Authorization", bearer_a);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_identity_source(id, &source), GK_OK);
    CHECK(source == GK_SOURCE_BEARER);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "alice"));
    CHECK_STATUS(gk_identity_issuer(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "https://idp.example"));
    CHECK_STATUS(gk_identity_jti(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "j-alice"));
    CHECK_STATUS(gk_identity_expires(id, &exp), GK_OK);
    CHECK(exp == GK_TEST_FAR);
    CHECK_STATUS(gk_identity_credential(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, GK_TEST_TOKEN_A));
    CHECK_STATUS(gk_identity_claim(id, "roles", &p, &n), GK_OK);
    CHECK(span_is(p, n, "[\"admin\",\"dev\"]"));
    CHECK_STATUS(gk_identity_claim(id, "name", &p, &n), GK_OK);
    CHECK(span_is(p, n, "\"Al\\u00efce \\\"A\\\"\""));
    CHECK_STATUS(gk_identity_claim_str(id, "name", &p, &n), GK_OK);
    CHECK(span_is(p, n, "Al\xc3\xaf" "ce \"A\""));
    CHECK_STATUS(gk_identity_claim_str(id, "roles", &p, &n), GK_ERR_INVALID_CLAIM);
    CHECK_STATUS(gk_identity_claim(id, "nope", &p, &n), GK_ERR_MISSING_CLAIM);
    /* The whole payload, one JSON object, for bindings that parse it once. */
    CHECK_STATUS(gk_identity_claims_json(id, &p, &n), GK_OK);
    CHECK(n > 2 && p[0] == '{' && p[n - 1] == '}');
    CHECK(n > 42 && memcmp(p, "{\"iss\":\"https://idp.example\",\"sub\":\"alice\"", 42) == 0);

    /* The identity outlives the request's header buffers. */
    {
        char *copy = malloc(strlen(bearer_a) + 1);
        strcpy(copy, bearer_a);
        h[0] = header("authorization", copy);
        CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
        memset(copy, 'x', strlen(copy));
        free(copy);
        CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
        CHECK(span_is(p, n, "alice"));
    }

    h[0] = header("Authorization", bearer_hs);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "carol"));

    /* GK_NOW reads the system clock: the fixtures expire in 2100. */
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_NOW, id), GK_OK);

    /* An explicit token, with no headers at all. */
    CHECK_STATUS(gk_authenticate_token(v, NULL, 0, NULL, 0, (const uint8_t *)GK_TEST_TOKEN_A,
                                       strlen(GK_TEST_TOKEN_A), GK_TEST_NOW, id),
                 GK_OK);
    CHECK_STATUS(gk_identity_source(id, &source), GK_OK);
    CHECK(source == GK_SOURCE_EXPLICIT);
}

static void test_rejections(gk_verifier *v, gk_identity *id) {
    const uint8_t *p;
    size_t n;
    gk_source source;
    gk_header h[1];

    h[0] = header("Authorization", bearer_exp);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_ERR_EXPIRED);
    CHECK(gk_status_http(GK_ERR_EXPIRED) == 401);
    /* a failed call empties the identity */
    CHECK_STATUS(gk_identity_source(id, &source), GK_OK);
    CHECK(source == GK_SOURCE_NONE);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_ERR_MISSING_CLAIM);
    /* ... but for what the failure named, and the one refusal */
    CHECK_STATUS(gk_identity_failed_claim(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "exp"));
    CHECK_STATUS(gk_identity_failed_kid(id, &p, &n), GK_ERR_MISSING_CLAIM);
    {
        char www[512], body[1024];
        size_t www_len = 0, body_len = 0;
        uint16_t http = 0;
        CHECK_STATUS(gk_refusal(v, id, GK_ERR_EXPIRED, &http, www, sizeof www, &www_len, body,
                                sizeof body, &body_len),
                     GK_OK);
        CHECK(http == 401);
        CHECK(strcmp(www, "Bearer error=\"invalid_token\", error_description=\"the token has expired\"") == 0);
        CHECK(www_len == strlen(www));
        CHECK(strcmp(body, "{\"error\":\"invalid_token\",\"error_description\":\"the token has expired: exp\","
                           "\"reason\":\"expired\",\"claim\":\"exp\"}") == 0);
        CHECK(body_len == strlen(body));
        CHECK_STATUS(gk_refusal(v, id, GK_ERR_EXPIRED, &http, www, 8, &www_len, body, sizeof body,
                                &body_len),
                     GK_ERR_BUFFER_TOO_SMALL);
        CHECK_STATUS(gk_refusal(v, id, GK_OK, &http, www, sizeof www, &www_len, body, sizeof body,
                                &body_len),
                     GK_ERR_INVALID_ARGUMENT);
    }

    h[0] = header("Authorization", bearer_bad);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_ERR_BAD_SIGNATURE);

    CHECK_STATUS(gk_authenticate(v, NULL, 0, NULL, 0, GK_TEST_NOW, id), GK_ERR_MISSING_CREDENTIAL);
    CHECK(gk_status_http(GK_ERR_MISSING_CREDENTIAL) == 401);

    h[0] = header("Authorization", "Bearer not.a.token!");
    CHECK(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id) != GK_OK);
}

/* Several trusted issuers and several names of this service. */
static void test_issuer_and_audience_lists(gk_keyset *ks, gk_identity *id) {
    const char *issuers[] = {"https://other.example", "https://idp.example"};
    const char *strangers[] = {"https://other.example"};
    const char *audiences[] = {"admin", "mcp"};
    gk_policy *policy = NULL;
    gk_verifier *v = NULL;
    gk_validation rules;
    gk_header h[1];
    h[0] = header("Authorization", bearer_a);
    CHECK_STATUS(gk_policy_new(GK_POLICY_HEADER_FIRST, &policy), GK_OK);

    memset(&rules, 0, sizeof rules);
    rules.issuers = issuers;
    rules.n_issuers = 2;
    rules.audiences = audiences;
    rules.n_audiences = 2;
    CHECK_STATUS(gk_verifier_new(ks, policy, &rules, &v), GK_OK);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    gk_verifier_free(v);

    rules.issuers = strangers;
    rules.n_issuers = 1;
    CHECK_STATUS(gk_verifier_new(ks, policy, &rules, &v), GK_OK);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_ERR_WRONG_ISSUER);
    gk_verifier_free(v);

    rules.issuers = NULL; /* a count without a list */
    v = NULL;
    CHECK_STATUS(gk_verifier_new(ks, policy, &rules, &v), GK_ERR_NULL_ARGUMENT);
    CHECK(v == NULL);
    gk_policy_free(policy);
}

/* Several issuers, each with its own keys: a key of one never verifies a
 * token that claims another. `ks` holds ec1 (token A's key, iss
 * https://idp.example) and hs1. */
static void test_several_issuers(gk_keyset *ks, gk_identity *id) {
    const char *names[] = {"https://other.example", "https://idp.example"};
    const gk_keyset *sets[2];
    gk_keyset *hs_only = NULL;
    gk_policy *policy = NULL;
    gk_verifier *v = NULL;
    gk_validation rules;
    gk_header h[1];
    const uint8_t *p;
    size_t n;
    h[0] = header("Authorization", bearer_a);
    memset(&rules, 0, sizeof rules);
    rules.audience = "mcp";
    CHECK_STATUS(gk_policy_new(GK_POLICY_HEADER_FIRST, &policy), GK_OK);
    CHECK_STATUS(gk_keyset_new(&hs_only), GK_OK);
    CHECK_STATUS(gk_keyset_add_hs256(hs_only, (const uint8_t *)"hs1", 3, (const uint8_t *)GK_TEST_SECRET,
                                     strlen(GK_TEST_SECRET)),
                 GK_OK);

    sets[0] = hs_only;
    sets[1] = ks;
    CHECK_STATUS(gk_verifier_new_issuers(names, sets, 2, policy, &rules, &v), GK_OK);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "alice"));
    CHECK_STATUS(gk_verifier_set_cache(v, 64), GK_OK);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    gk_verifier_free(v);

    /* The token's issuer trusts only the HMAC key: token A's key is not its. */
    sets[1] = hs_only;
    CHECK_STATUS(gk_verifier_new_issuers(names, sets, 2, policy, &rules, &v), GK_OK);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_ERR_UNKNOWN_KEY);
    gk_verifier_free(v);

    /* An issuer not listed. */
    sets[0] = ks;
    CHECK_STATUS(gk_verifier_new_issuers(names, sets, 1, policy, &rules, &v), GK_OK);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_ERR_UNKNOWN_ISSUER);
    gk_verifier_free(v);

    /* Configuration errors. */
    v = NULL;
    CHECK_STATUS(gk_verifier_new_issuers(names, sets, 0, policy, &rules, &v), GK_ERR_INVALID_CONFIG);
    CHECK_STATUS(gk_verifier_new_issuers(NULL, sets, 1, policy, &rules, &v), GK_ERR_NULL_ARGUMENT);
    rules.issuer = "https://idp.example";
    CHECK_STATUS(gk_verifier_new_issuers(names, sets, 1, policy, &rules, &v), GK_ERR_INVALID_CONFIG);
    CHECK(v == NULL);
    gk_keyset_free(hs_only);
    gk_policy_free(policy);
}

/* An empty Bearer and a cookie: the cookie wins, the Bearer is reported
 * as skipped, with its reason, in the order the request was read. */
static void test_skipped(gk_keyset *ks, gk_identity *id) {
    size_t n = 99;
    gk_source source;
    const char *reason = NULL;
    gk_header h[2];
    gk_verifier *v;
    h[0] = header("Authorization", "Bearer ");
    h[1] = header("Cookie", cookie_b);

    v = make_verifier(ks, GK_POLICY_HEADER_FIRST, 0);
    CHECK_STATUS(gk_authenticate(v, h, 2, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_identity_source(id, &source), GK_OK);
    CHECK(source == GK_SOURCE_COOKIE);
    CHECK_STATUS(gk_identity_skipped_count(id, &n), GK_OK);
    CHECK(n == 1);
    CHECK_STATUS(gk_identity_skipped(id, 0, &source, &reason), GK_OK);
    CHECK(source == GK_SOURCE_BEARER);
    CHECK(reason != NULL && strcmp(reason, "empty_bearer") == 0);
    CHECK_STATUS(gk_identity_skipped(id, 0, &source, NULL), GK_OK);
    CHECK_STATUS(gk_identity_skipped(id, 1, &source, &reason), GK_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(gk_identity_skipped(id, 0, NULL, &reason), GK_ERR_NULL_ARGUMENT);

    /* The next request reports only its own. */
    CHECK_STATUS(gk_authenticate(v, h + 1, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_identity_skipped_count(id, &n), GK_OK);
    CHECK(n == 0);
    gk_verifier_free(v);
}

/* Authorization: Bearer A and Cookie: jwt_token=B under each preset. */
static void test_drift(gk_keyset *ks, gk_identity *id) {
    const uint8_t *p;
    size_t n;
    gk_source source;
    uint32_t shadowed;
    bool drift;
    gk_header h[2];
    gk_verifier *v;
    h[0] = header("Authorization", bearer_a);
    h[1] = header("Cookie", cookie_b);

    v = make_verifier(ks, GK_POLICY_HEADER_FIRST, 0);
    CHECK_STATUS(gk_authenticate(v, h, 2, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_identity_source(id, &source), GK_OK);
    CHECK(source == GK_SOURCE_BEARER);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "alice"));
    CHECK_STATUS(gk_identity_shadowed(id, &shadowed), GK_OK);
    CHECK(shadowed == (1u << GK_SOURCE_COOKIE));
    CHECK_STATUS(gk_identity_drift(id, &drift), GK_OK);
    CHECK(drift);
    gk_verifier_free(v);

    v = make_verifier(ks, GK_POLICY_COOKIE_FIRST, 0);
    CHECK_STATUS(gk_authenticate(v, h, 2, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_identity_source(id, &source), GK_OK);
    CHECK(source == GK_SOURCE_COOKIE);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "bob"));
    CHECK_STATUS(gk_identity_shadowed(id, &shadowed), GK_OK);
    CHECK(shadowed == (1u << GK_SOURCE_BEARER));
    CHECK_STATUS(gk_identity_drift(id, &drift), GK_OK);
    CHECK(drift);
    gk_verifier_free(v);

    v = make_verifier(ks, GK_POLICY_STRICT, 0);
    CHECK_STATUS(gk_authenticate(v, h, 2, NULL, 0, GK_TEST_NOW, id), GK_ERR_MULTIPLE_METHODS);
    CHECK(gk_status_http(GK_ERR_MULTIPLE_METHODS) == 400);
    gk_verifier_free(v);

    v = make_verifier(ks, GK_POLICY_HEADER_FIRST, GK_CONFLICT_AGREE);
    CHECK_STATUS(gk_authenticate(v, h, 2, NULL, 0, GK_TEST_NOW, id), GK_ERR_CONFLICTING_CREDENTIALS);
    gk_verifier_free(v);
}

/* The token cache: the same token twice costs one signature check, and a
 * cached token is still refused once expired (at a later `now`). */
static void test_cache(gk_keyset *ks, gk_identity *id) {
    gk_verifier *v = make_verifier(ks, GK_POLICY_HEADER_FIRST, 0);
    gk_cache_info info;
    gk_source source;
    gk_header h[1];
    const uint8_t *p;
    size_t n;

    CHECK_STATUS(gk_verifier_cache_info(v, &info), GK_OK);
    CHECK(info.capacity == 0 && info.hits == 0 && info.misses == 0);
    CHECK_STATUS(gk_verifier_set_cache(v, 100), GK_OK);
    CHECK_STATUS(gk_verifier_cache_info(v, &info), GK_OK);
    CHECK(info.capacity == 128 && info.size == 0);

    h[0] = header("Authorization", bearer_a);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW + 1, id), GK_OK);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "alice"));
    CHECK_STATUS(gk_identity_claims_json(id, &p, &n), GK_OK);
    CHECK(n > 0 && p[0] == '{');
    CHECK_STATUS(gk_verifier_cache_info(v, &info), GK_OK);
    CHECK(info.hits == 1 && info.misses == 1 && info.size == 1);

    /* exp is GK_TEST_FAR, leeway 30 s: expired at FAR + 31, cached or not */
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_FAR + 31, id), GK_ERR_EXPIRED);
    CHECK_STATUS(gk_identity_source(id, &source), GK_OK);
    CHECK(source == GK_SOURCE_NONE);
    CHECK_STATUS(gk_verifier_cache_info(v, &info), GK_OK);
    CHECK(info.hits == 2 && info.misses == 1);

    /* a bad signature is a miss and refused */
    h[0] = header("Authorization", bearer_bad);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_ERR_BAD_SIGNATURE);
    CHECK_STATUS(gk_verifier_cache_info(v, &info), GK_OK);
    CHECK(info.misses == 2 && info.size == 1);

    CHECK_STATUS(gk_verifier_set_cache(v, 65537), GK_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(gk_verifier_set_cache(NULL, 64), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_verifier_cache_info(v, NULL), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_verifier_set_cache(v, 0), GK_OK); /* removes it */
    CHECK_STATUS(gk_verifier_cache_info(v, &info), GK_OK);
    CHECK(info.capacity == 0);
    gk_verifier_free(v);
}

/* The shared precedence matrix (tests/precedence.json) through
 * gk_authenticate: winner, shadowed, drift, skipped, and whose identity. */
static void test_precedence_matrix(void) {
    gk_keyset *ks = NULL;
    gk_identity *id = NULL;
    size_t i, k;
    const char *audience[] = {"mcp"};
    gk_validation rules;
    memset(&rules, 0, sizeof rules);
    rules.audiences = audience;
    rules.n_audiences = 1;
    CHECK_STATUS(gk_keyset_new(&ks), GK_OK);
    CHECK_STATUS(gk_keyset_add_hs256(ks, NULL, 0, (const uint8_t *)GK_PRECEDENCE_SECRET, strlen(GK_PRECEDENCE_SECRET)),
                 GK_OK);
    CHECK_STATUS(gk_identity_new(&id), GK_OK);
    CHECK(GK_PRECEDENCE_ROWS >= 90);
    for (i = 0; i < GK_PRECEDENCE_ROWS; i++) {
        const gk_precedence_row *r = &precedence_rows[i];
        gk_policy *policy = NULL;
        gk_verifier *v = NULL;
        gk_header h[6];
        gk_status status;
        gk_source source = GK_SOURCE_NONE;
        uint32_t shadowed = 0;
        bool drift = false;
        size_t n_skipped = 0;
        int ok;
        CHECK_STATUS(gk_policy_new(r->preset, &policy), GK_OK);
        if (r->conflict) CHECK_STATUS(gk_policy_set_conflict(policy, r->conflict), GK_OK);
        if (r->proxy_header)
            CHECK_STATUS(gk_policy_set_proxy_header(policy, (const uint8_t *)r->proxy_header, strlen(r->proxy_header)),
                         GK_OK);
        if (r->basic_user)
            CHECK_STATUS(gk_policy_set_basic(policy, (const uint8_t *)r->basic_user, strlen(r->basic_user),
                                             (const uint8_t *)r->basic_password, strlen(r->basic_password)),
                         GK_OK);
        if (r->query_on) CHECK_STATUS(gk_policy_set_query(policy, true), GK_OK);
        CHECK_STATUS(gk_verifier_new(ks, policy, &rules, &v), GK_OK);
        gk_policy_free(policy);
        for (k = 0; k < r->n_headers; k++) h[k] = header(r->headers[k].name, r->headers[k].value);
        if (r->token)
            status = gk_authenticate_token(v, h, r->n_headers, (const uint8_t *)r->query, r->query ? strlen(r->query) : 0,
                                           (const uint8_t *)r->token, strlen(r->token), GK_PRECEDENCE_NOW, id);
        else
            status = gk_authenticate(v, h, r->n_headers, (const uint8_t *)r->query, r->query ? strlen(r->query) : 0,
                                     GK_PRECEDENCE_NOW, id);
        if (r->error) {
            ok = strcmp(gk_status_name(status), r->error) == 0;
        } else if (r->source == 0) {
            /* No winner: authenticate refuses the request as carrying none. */
            ok = status == GK_ERR_MISSING_CREDENTIAL;
        } else {
            ok = status == GK_OK && gk_identity_source(id, &source) == GK_OK && (int)source == r->source &&
                 gk_identity_shadowed(id, &shadowed) == GK_OK && shadowed == r->shadowed &&
                 gk_identity_drift(id, &drift) == GK_OK && drift == (r->drift != 0) &&
                 gk_identity_skipped_count(id, &n_skipped) == GK_OK && n_skipped == r->n_skipped;
            for (k = 0; ok && k < r->n_skipped; k++) {
                gk_source s = GK_SOURCE_NONE;
                const char *reason = NULL;
                ok = gk_identity_skipped(id, k, &s, &reason) == GK_OK && (int)s == r->skipped[k].source &&
                     strcmp(reason, r->skipped[k].reason) == 0;
            }
        }
        if (!ok) {
            fprintf(stderr, "%s: got %s (source %d, shadowed %u, drift %d, %zu skipped)\n", r->name,
                    gk_status_name(status), (int)source, shadowed, (int)drift, n_skipped);
            failures++;
        }
        gk_verifier_free(v);
    }
    gk_identity_free(id);
    gk_keyset_free(ks);
}

/* One key capacity in every language: a JWKS of 64 keys loads, 65 is full. */
static void test_key_capacity(void) {
    static char jwks[16384];
    size_t at, i;
    gk_keyset *ks = NULL;
    size_t n = 0;
    for (int keys = 64; keys <= 65; keys++) {
        at = (size_t)snprintf(jwks, sizeof jwks, "{\"keys\":[");
        for (i = 0; i < (size_t)keys; i++) {
            /* "k" is base64url of a 33-byte secret that differs per key. */
            at += (size_t)snprintf(jwks + at, sizeof jwks - at,
                                   "%s{\"kty\":\"oct\",\"alg\":\"HS256\",\"kid\":\"k%zu\","
                                   "\"k\":\"Y2FwYWNpdHktc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWYt%c%cAA\"}",
                                   i ? "," : "", i,
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[i % 64],
                                   "ABCDEFGH"[i / 64]);
        }
        at += (size_t)snprintf(jwks + at, sizeof jwks - at, "]}");
        ks = NULL;
        if (keys == 64) {
            CHECK_STATUS(gk_keyset_from_jwks((const uint8_t *)jwks, at, &ks), GK_OK);
            CHECK_STATUS(gk_keyset_len(ks, &n), GK_OK);
            CHECK(n == 64);
        } else {
            CHECK_STATUS(gk_keyset_from_jwks((const uint8_t *)jwks, at, &ks), GK_ERR_KEY_SET_FULL);
        }
        gk_keyset_free(ks);
    }
}

/* A setting the policy would ignore is refused, not a silent no-op. */
static void test_strict_policy_setters(void) {
    gk_policy *strict = NULL, *first = NULL;
    CHECK_STATUS(gk_policy_new(GK_POLICY_STRICT, &strict), GK_OK);
    CHECK_STATUS(gk_policy_set_basic(strict, (const uint8_t *)"u", 1, (const uint8_t *)"p", 1), GK_ERR_INVALID_CONFIG);
    CHECK_STATUS(gk_policy_set_proxy_header(strict, (const uint8_t *)"X-User", 6), GK_ERR_INVALID_CONFIG);
    CHECK_STATUS(gk_policy_set_query(strict, true), GK_ERR_INVALID_CONFIG);
    CHECK_STATUS(gk_policy_set_query(strict, false), GK_OK);
    CHECK_STATUS(gk_policy_new(GK_POLICY_HEADER_FIRST, &first), GK_OK);
    CHECK_STATUS(gk_policy_set_basic(first, (const uint8_t *)"u", 1, (const uint8_t *)"p", 1), GK_OK);
    CHECK_STATUS(gk_policy_set_proxy_header(first, (const uint8_t *)"X-User", 6), GK_OK);
    CHECK_STATUS(gk_policy_set_query(first, true), GK_OK);
    gk_policy_free(strict);
    gk_policy_free(first);
}

static void test_null_arguments(gk_keyset *ks, gk_verifier *v, gk_identity *id) {
    const uint8_t *p;
    size_t n;
    gk_keyset *out = NULL;
    gk_header h[1];
    char buf[8];
    CHECK_STATUS(gk_keyset_from_jwks(NULL, 5, &out), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_keyset_from_jwks((const uint8_t *)"{}", 2, NULL), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_keyset_add_hs256(NULL, NULL, 0, (const uint8_t *)GK_TEST_SECRET, 40), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_keyset_add_hs256(ks, NULL, 0, NULL, 40), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_policy_new(GK_POLICY_STRICT, NULL), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_verifier_new(NULL, NULL, NULL, NULL), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_authenticate(NULL, NULL, 0, NULL, 0, 0, id), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_authenticate(v, NULL, 0, NULL, 0, 0, NULL), GK_ERR_NULL_ARGUMENT);
    /* After any failure, a NULL argument included, the identity is empty:
     * no earlier request's identity stays readable. */
    h[0] = header("Authorization", bearer_a);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 7, GK_TEST_NOW, id), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_ERR_MISSING_CLAIM);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_authenticate_token(v, h, 1, NULL, 0, NULL, 4, GK_TEST_NOW, id), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_identity_credential(id, &p, &n), GK_ERR_MISSING_CREDENTIAL);
    /* Element counts are checked as byte lengths are. */
    CHECK_STATUS(gk_authenticate(v, h, (size_t)-1 / 4, NULL, 0, GK_TEST_NOW, id), GK_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(gk_authenticate(v, NULL, 3, NULL, 0, 0, id), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_authenticate(v, NULL, 0, NULL, 7, 0, id), GK_ERR_NULL_ARGUMENT);
    h[0].name = NULL;
    h[0].name_len = 13;
    h[0].value = NULL;
    h[0].value_len = 0;
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, 0, id), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_identity_subject(NULL, &p, &n), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_identity_subject(id, NULL, &n), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_identity_claim(id, NULL, &p, &n), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_identity_claims_json(NULL, &p, &n), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_identity_claims_json(id, &p, NULL), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_identity_new(NULL), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_www_authenticate(GK_ERR_EXPIRED, NULL, NULL, NULL, NULL, 8, &n), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_www_authenticate(GK_ERR_EXPIRED, NULL, NULL, NULL, buf, sizeof buf, NULL),
                 GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_policy_new(42, NULL), GK_ERR_NULL_ARGUMENT);
    {
        gk_policy *policy = NULL;
        CHECK_STATUS(gk_policy_new(42, &policy), GK_ERR_INVALID_ARGUMENT);
        CHECK(policy == NULL);
    }
    /* freeing NULL is a no-op */
    gk_keyset_free(NULL);
    gk_policy_free(NULL);
    gk_verifier_free(NULL);
    gk_identity_free(NULL);
}

static void test_status_strings(void) {
    unsigned code;
    int named = 0;
    for (code = 0; code < 1000; code++) {
        const char *s = gk_status_str(code);
        const char *name = gk_status_name(code);
        CHECK(s != NULL && strlen(s) > 0);
        CHECK(name != NULL && strlen(name) > 0);
        if (strcmp(name, "unknown") != 0) named++;
    }
    CHECK(named > 50);
    CHECK(strcmp(gk_status_name(GK_ERR_EXPIRED), "expired") == 0);
    CHECK(strcmp(gk_status_str(GK_ERR_EXPIRED), "the token has expired") == 0);
    CHECK(strcmp(gk_status_name(GK_ERR_INTERNAL), "internal") == 0);
    CHECK(GK_ERR_EXPIRED == 400 && GK_ERR_NULL_ARGUMENT == 900 && GK_ERR_INTERNAL == 901);
    CHECK(gk_status_http(GK_OK) == 200);
    CHECK(gk_status_http(GK_ERR_INSUFFICIENT_SCOPE) == 403);
    CHECK(gk_status_http(GK_ERR_KEY_SET_FULL) == 500);
    CHECK(strlen(gk_version()) > 0);
}

static void test_challenge(void) {
    char buf[256];
    size_t n = 0, full, cap;
    const char *want =
        "Bearer realm=\"mcp\", error=\"invalid_token\", error_description=\"the token has expired\"";
    CHECK_STATUS(gk_www_authenticate(GK_ERR_EXPIRED, "mcp", NULL, NULL, buf, sizeof buf, &n), GK_OK);
    CHECK(n == strlen(want) && strcmp(buf, want) == 0);
    full = n;
    CHECK_STATUS(gk_www_authenticate(GK_ERR_MISSING_CREDENTIAL, "mcp", NULL, NULL, buf, sizeof buf, &n), GK_OK);
    CHECK(strcmp(buf, "Bearer realm=\"mcp\"") == 0);
    /* too small: every capacity up to the value's length (the NUL needs a byte too) */
    for (cap = 0; cap <= full; cap++) {
        char *small = malloc(cap ? cap : 1);
        CHECK_STATUS(gk_www_authenticate(GK_ERR_EXPIRED, "mcp", NULL, NULL, small, cap, &n),
                     GK_ERR_BUFFER_TOO_SMALL);
        if (cap > 0) CHECK(small[0] == '\0');
        free(small);
    }
    {
        char *exact = malloc(full + 1);
        CHECK_STATUS(gk_www_authenticate(GK_ERR_EXPIRED, "mcp", NULL, NULL, exact, full + 1, &n), GK_OK);
        CHECK(n == full && strcmp(exact, want) == 0);
        free(exact);
    }
    CHECK_STATUS(gk_www_authenticate(GK_ERR_INSUFFICIENT_SCOPE, NULL, "tools:call",
                                     "https://mcp.example/.well-known/oauth-protected-resource", buf,
                                     sizeof buf, &n),
                 GK_OK);
    CHECK(strstr(buf, "scope=\"tools:call\"") != NULL);
    CHECK_STATUS(gk_www_authenticate(GK_ERR_EXPIRED, "bad\r\nrealm", NULL, NULL, buf, sizeof buf, &n),
                 GK_ERR_INVALID_CONFIG);
}

/* Everything in static memory, as firmware with no heap would do it. */
typedef union {
    uint64_t align_u64;
    double align_double;
    void *align_ptr;
    unsigned char bytes[GK_IDENTITY_SIZE];
} identity_mem;

static union { uint64_t a; unsigned char bytes[GK_KEYSET_SIZE]; } keyset_mem;
static union { uint64_t a; unsigned char bytes[GK_POLICY_SIZE]; } policy_mem;
static union { uint64_t a; unsigned char bytes[GK_VERIFIER_SIZE]; } verifier_mem;
static identity_mem id_mem;

static void test_static_memory(void) {
    gk_keyset *ks = NULL;
    gk_policy *policy = NULL;
    gk_verifier *v = NULL;
    gk_identity *id = NULL;
    const uint8_t *p;
    size_t n;
    gk_header h[1];
    gk_validation rules;
    memset(&rules, 0, sizeof rules);
    rules.audience = "mcp"; /* a token with an aud is only accepted by a named audience */

    CHECK_STATUS(gk_keyset_init(keyset_mem.bytes, sizeof keyset_mem, &ks), GK_OK);
    CHECK((void *)ks == (void *)keyset_mem.bytes);
    CHECK_STATUS(gk_keyset_add_jwks(ks, (const uint8_t *)GK_TEST_JWKS, strlen(GK_TEST_JWKS)), GK_OK);
    CHECK_STATUS(gk_policy_init(policy_mem.bytes, sizeof policy_mem, GK_POLICY_STRICT, &policy), GK_OK);
    CHECK_STATUS(gk_verifier_init(verifier_mem.bytes, sizeof verifier_mem, ks, policy, &rules, &v), GK_OK);
    CHECK_STATUS(gk_identity_init(id_mem.bytes, sizeof id_mem, &id), GK_OK);

    h[0] = header("Authorization", bearer_a);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "alice"));

    /* a placed verifier takes a cache too (gk_verifier_free releases it) */
    CHECK_STATUS(gk_verifier_set_cache(v, 64), GK_OK);
    CHECK_STATUS(gk_verifier_set_cache(v, 65537), GK_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    {
        gk_cache_info info;
        CHECK_STATUS(gk_verifier_cache_info(v, &info), GK_OK);
        CHECK(info.hits == 1 && info.misses == 1);
    }
    /* a negative now other than GK_NOW is refused */
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, -2, id), GK_ERR_INVALID_ARGUMENT);

    /* too small, misaligned, NULL */
    CHECK_STATUS(gk_verifier_init(verifier_mem.bytes, GK_VERIFIER_SIZE - 1, ks, policy, NULL, &v),
                 GK_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(gk_identity_init(id_mem.bytes + 1, sizeof id_mem - 1, &id), GK_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(gk_keyset_init(NULL, GK_KEYSET_SIZE, &ks), GK_ERR_NULL_ARGUMENT);

    /* _free on placed objects does nothing (the memory is the caller's) */
    gk_identity_free(id);
    gk_verifier_free(v);
    gk_policy_free(policy);
    gk_keyset_free(ks);
}

/* Applies one generated setter call; gives its status. */
static gk_status apply_op(gk_options *o, const gk_option_op *op) {
    switch (op->kind) {
    case GK_OP_SET_STR: return gk_options_set_str(o, op->name, op->text);
    case GK_OP_ADD_STR: return gk_options_add_str(o, op->name, op->text);
    case GK_OP_SET_INT: return gk_options_set_int(o, op->name, op->number);
    case GK_OP_SET_BOOL: return gk_options_set_bool(o, op->name, op->number != 0);
    case GK_OP_ADD_CLAIM: return gk_options_add_claim(o, op->text, op->value);
    default: return GK_OK;
    }
}

/* The shared matrix (tests/validation.json) through the C ABI: every case
 * whose options the typed gk_options setters can express. */
static void test_validation_matrix(void) {
    gk_keyset *ks = NULL;
    gk_policy *policy = NULL;
    gk_identity *id = NULL;
    size_t i, k;
    static char auth[20000];
    CHECK_STATUS(gk_keyset_new(&ks), GK_OK);
    CHECK_STATUS(gk_keyset_add_hs256(ks, (const uint8_t *)GK_VALIDATION_KID, strlen(GK_VALIDATION_KID),
                                     (const uint8_t *)GK_VALIDATION_SECRET, strlen(GK_VALIDATION_SECRET)),
                 GK_OK);
    CHECK_STATUS(gk_policy_new(GK_POLICY_HEADER_FIRST, &policy), GK_OK);
    CHECK_STATUS(gk_identity_new(&id), GK_OK);
    CHECK(GK_VALIDATION_CASES >= 45);
    for (i = 0; i < GK_VALIDATION_CASES; i++) {
        const gk_validation_case *c = &validation_cases[i];
        gk_options *o = NULL;
        gk_verifier *v = NULL;
        gk_header h[1];
        size_t n_headers = 0;
        gk_status status = GK_OK;
        const uint8_t *p;
        size_t n;
        char message[512];
        size_t message_len = 0;
        CHECK_STATUS(gk_options_new(&o), GK_OK);
        for (k = 0; k < c->n_ops && status == GK_OK; k++) status = apply_op(o, &c->ops[k]);
        if (c->config_error != NULL) {
            /* The refusal names the option, as in every language. */
            char want[64];
            snprintf(want, sizeof want, "option %s:", c->config_error);
            CHECK_STATUS(gk_options_error(o, message, sizeof message, &message_len), GK_OK);
            if (status == GK_OK || strcmp(gk_status_name(status), c->error) != 0 ||
                strncmp(message, want, strlen(want)) != 0) {
                fprintf(stderr, "%s: %s \"%s\", want %s naming %s\n", c->name, gk_status_name(status), message,
                        c->error, c->config_error);
                failures++;
            }
            gk_options_free(o);
            continue;
        }
        CHECK_STATUS(status, GK_OK);
        CHECK_STATUS(gk_verifier_new_with_options(ks, policy, o, &v), GK_OK);
        gk_options_free(o);
        if (v == NULL) continue;
        if (c->token != NULL) {
            snprintf(auth, sizeof auth, "Bearer %s", c->token);
            h[0] = header("Authorization", auth);
            n_headers = 1;
        }
        if (c->warm) gk_authenticate(v, h, n_headers, NULL, 0, 1750000000, id);
        status = gk_authenticate(v, h, n_headers, NULL, 0, c->now, id);
        if (c->subject != NULL) {
            if (status != GK_OK || gk_identity_subject(id, &p, &n) != GK_OK || !span_is(p, n, c->subject)) {
                fprintf(stderr, "%s: %s, want subject %s\n", c->name, gk_status_name(status), c->subject);
                failures++;
            }
        } else if (c->anonymous) {
            gk_source source = GK_SOURCE_BEARER;
            CHECK_STATUS(status, GK_OK);
            CHECK_STATUS(gk_identity_source(id, &source), GK_OK);
            CHECK(source == GK_SOURCE_NONE);
        } else if (c->error != NULL) {
            char www[512], body[1024];
            size_t www_len, body_len;
            uint16_t http = 0;
            int ok = strcmp(gk_status_name(status), c->error) == 0;
            ok = ok && (c->claim == NULL ? gk_identity_failed_claim(id, &p, &n) == GK_ERR_MISSING_CLAIM
                                         : gk_identity_failed_claim(id, &p, &n) == GK_OK && span_is(p, n, c->claim));
            ok = ok && (c->kid == NULL ? gk_identity_failed_kid(id, &p, &n) == GK_ERR_MISSING_CLAIM
                                       : gk_identity_failed_kid(id, &p, &n) == GK_OK && span_is(p, n, c->kid));
            ok = ok && (c->issuer == NULL ? gk_identity_failed_issuer(id, &p, &n) == GK_ERR_MISSING_CLAIM
                                          : gk_identity_failed_issuer(id, &p, &n) == GK_OK && span_is(p, n, c->issuer));
            ok = ok && gk_refusal(v, id, status, &http, www, sizeof www, &www_len, body, sizeof body, &body_len) == GK_OK;
            ok = ok && http == c->status && strcmp(www, c->www_authenticate) == 0 && strcmp(body, c->body) == 0;
            if (!ok) {
                fprintf(stderr, "%s: got %s (%u, %s, %s), want %s\n", c->name, gk_status_name(status), http, www,
                        body, c->error);
                failures++;
            }
        } else {
            fprintf(stderr, "%s: no expectation\n", c->name);
            failures++;
        }
        gk_verifier_free(v);
    }
    gk_identity_free(id);
    gk_policy_free(policy);
    gk_keyset_free(ks);
}

/* Writes `text` to `path` (the key source test's JWKS file). */
static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL) return;
    CHECK(fwrite(text, 1, strlen(text), f) == strlen(text));
    CHECK(fclose(f) == 0);
}

static gk_status verify_token(const gk_verifier *v, const char *token, gk_identity *id) {
    return gk_authenticate_token(v, NULL, 0, NULL, 0, (const uint8_t *)token, strlen(token), GK_TEST_NOW, id);
}

/* A verifier over a JWKS file, refreshed by the host's loop (background
 * off): the file is rewritten with another key (an HS256 oct key, plus a
 * 3-byte one that is skipped as unusable, RFC 7517 §5), and after
 * gk_verifier_refresh the new key verifies and the removed one does not. */
static void test_key_source(gk_identity *id) {
    static const char path[] = "target/c/test_key_source.jwks.json";
    static const char rotated[] =
        "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"hs1\",\"alg\":\"HS256\","
        "\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYtZ2F0ZXdheS1zZWNyZXQ\"},"
        "{\"kty\":\"oct\",\"kid\":\"short\",\"k\":\"AAAA\"}]}";
    gk_policy *policy = NULL;
    gk_options *options = NULL;
    gk_options *threaded = NULL;
    gk_verifier *v = NULL;
    gk_verifier *plain = NULL;
    gk_keyset *ks = NULL;
    gk_key_status status;
    bool changed = false;
    char error[512];
    size_t written = 0;

    write_file(path, GK_TEST_JWKS);
    CHECK_STATUS(gk_policy_new(GK_POLICY_HEADER_FIRST, &policy), GK_OK);
    CHECK_STATUS(gk_options_new(&options), GK_OK);
    CHECK_STATUS(gk_options_set_str(options, "issuer", "https://idp.example"), GK_OK);
    CHECK_STATUS(gk_options_set_str(options, "audience", "mcp"), GK_OK);
    CHECK_STATUS(gk_options_new(&threaded), GK_OK);
    CHECK_STATUS(gk_options_set_str(threaded, "audience", "mcp"), GK_OK);
    CHECK_STATUS(gk_options_set_bool(options, "background", false), GK_OK);
    CHECK_STATUS(gk_options_set_int(options, "cooldown", 5), GK_OK);
    /* Refresh settings are checked like the others. */
    CHECK_STATUS(gk_options_set_int(options, "min_refresh", 0), GK_ERR_INVALID_CONFIG);
    CHECK_STATUS(gk_verifier_new_from_source(GK_KEYS_JWKS_FILE, path, policy, options, &v), GK_OK);
    if (v == NULL) goto done;

    CHECK_STATUS(verify_token(v, GK_TEST_TOKEN_A, id), GK_OK);
    CHECK(verify_token(v, GK_TEST_TOKEN_HS, id) != GK_OK);
    CHECK_STATUS(gk_verifier_key_status(v, &status), GK_OK);
    CHECK(status.fresh);
    CHECK(status.keys == 1);
    CHECK(status.fetches == 1);
    CHECK(status.failures == 0);
    CHECK(status.last_success > 1700000000);
    /* Nothing changed on disk: nothing new. */
    CHECK_STATUS(gk_verifier_refresh(v, true, &changed), GK_OK);
    CHECK(!changed);

    write_file(path, rotated);
    CHECK_STATUS(gk_verifier_refresh(v, true, &changed), GK_OK);
    CHECK(changed);
    CHECK_STATUS(verify_token(v, GK_TEST_TOKEN_HS, id), GK_OK);
    CHECK(verify_token(v, GK_TEST_TOKEN_A, id) != GK_OK);
    CHECK_STATUS(gk_verifier_key_status(v, &status), GK_OK);
    CHECK(status.keys == 1);
    CHECK(status.skipped == 1);
    CHECK(status.fetches >= 3);
    CHECK_STATUS(gk_verifier_key_error(v, error, sizeof error, &written), GK_OK);
    CHECK(written == 0 && error[0] == '\0');

    /* A broken file keeps the last good keys and says why. */
    write_file(path, "{\"keys\": ");
    CHECK_STATUS(gk_verifier_refresh(v, true, NULL), GK_OK);
    CHECK_STATUS(verify_token(v, GK_TEST_TOKEN_HS, id), GK_OK);
    CHECK_STATUS(gk_verifier_key_status(v, &status), GK_OK);
    CHECK(status.failures == 1);
    CHECK(status.fresh);
    CHECK_STATUS(gk_verifier_key_error(v, error, sizeof error, &written), GK_OK);
    CHECK(written > 0 && strlen(error) == written);
    CHECK_STATUS(gk_verifier_key_error(v, error, 1, &written), GK_ERR_BUFFER_TOO_SMALL);
    CHECK_STATUS(gk_verifier_set_cache(v, 64), GK_ERR_INVALID_ARGUMENT);

    /* The same with the library's own thread: made, used, freed. */
    write_file(path, GK_TEST_JWKS);
    CHECK_STATUS(gk_verifier_new_from_source(GK_KEYS_JWKS_FILE, path, policy, threaded, &plain), GK_OK);
    CHECK_STATUS(verify_token(plain, GK_TEST_TOKEN_A, id), GK_OK);
    gk_verifier_free(plain);
    plain = NULL;

    /* No keys, bad arguments, and a verifier made from keys. */
    CHECK_STATUS(gk_verifier_new_from_source(GK_KEYS_JWKS_FILE, "target/c/no-such.json", policy, NULL, &plain),
                 GK_ERR_INVALID_JWKS);
    CHECK_STATUS(gk_verifier_new_from_source(GK_KEYS_JWKS_URL, "http://127.0.0.1:1/jwks", policy, NULL, &plain),
                 GK_ERR_INVALID_JWKS);
    CHECK(plain == NULL);
    CHECK_STATUS(gk_verifier_new_from_source(GK_KEYS_JWKS_FILE, NULL, policy, NULL, &plain), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_verifier_new_from_source(GK_KEYS_JWKS_FILE, path, NULL, NULL, &plain), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_verifier_new_from_source(GK_KEYS_JWKS_FILE, path, policy, NULL, NULL), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_verifier_refresh(NULL, true, NULL), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_verifier_key_status(v, NULL), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_keyset_from_jwks((const uint8_t *)GK_TEST_JWKS, strlen(GK_TEST_JWKS), &ks), GK_OK);
    CHECK_STATUS(gk_verifier_new(ks, policy, NULL, &plain), GK_OK);
    CHECK_STATUS(gk_verifier_refresh(plain, true, NULL), GK_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(gk_verifier_key_status(plain, &status), GK_ERR_INVALID_ARGUMENT);
    gk_verifier_free(plain);
    gk_keyset_free(ks);

done:
    gk_verifier_free(v);
    gk_options_free(options);
    gk_options_free(threaded);
    gk_policy_free(policy);
    remove(path);
}

/* EdDSA (Ed25519) and HS512 keys from one JWKS; a header naming another
 * algorithm than its key's is refused (RFC 8725 §3.1). */
static void test_more_algorithms(gk_identity *id) {
    gk_keyset *ks = NULL;
    gk_policy *policy = NULL;
    gk_verifier *v = NULL;
    const uint8_t *p;
    size_t n;
    gk_validation rules;
    memset(&rules, 0, sizeof rules);
    rules.audience = "mcp";
    CHECK_STATUS(gk_policy_new(GK_POLICY_HEADER_FIRST, &policy), GK_OK);
    CHECK_STATUS(gk_keyset_from_jwks((const uint8_t *)GK_TEST_JWKS_ALGS, strlen(GK_TEST_JWKS_ALGS), &ks),
                 GK_OK);
    {
        size_t len = 0;
        CHECK_STATUS(gk_keyset_len(ks, &len), GK_OK);
        CHECK(len == 2);
    }
    CHECK_STATUS(gk_verifier_new(ks, policy, &rules, &v), GK_OK);
    gk_policy_free(policy);
    CHECK_STATUS(gk_authenticate_token(v, NULL, 0, NULL, 0, (const uint8_t *)GK_TEST_TOKEN_EDDSA,
                                       strlen(GK_TEST_TOKEN_EDDSA), GK_TEST_NOW, id),
                 GK_OK);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "erin"));
    CHECK_STATUS(gk_authenticate_token(v, NULL, 0, NULL, 0, (const uint8_t *)GK_TEST_TOKEN_HS512,
                                       strlen(GK_TEST_TOKEN_HS512), GK_TEST_NOW, id),
                 GK_OK);
    CHECK_STATUS(gk_identity_subject(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "hank"));
    CHECK_STATUS(gk_authenticate_token(v, NULL, 0, NULL, 0, (const uint8_t *)GK_TEST_TOKEN_EDDSA_AS_HS512,
                                       strlen(GK_TEST_TOKEN_EDDSA_AS_HS512), GK_TEST_NOW, id),
                 GK_ERR_ALGORITHM_MISMATCH);
    CHECK_STATUS(gk_authenticate_token(v, NULL, 0, NULL, 0, (const uint8_t *)GK_TEST_TOKEN_HS512_AS_EDDSA,
                                       strlen(GK_TEST_TOKEN_HS512_AS_EDDSA), GK_TEST_NOW, id),
                 GK_ERR_ALGORITHM_MISMATCH);
    gk_verifier_free(v);
    gk_keyset_free(ks);
}

/* What gk_refusal writes, in buffers that always fit. */
typedef struct {
    uint16_t http;
    char www[512], body[1024];
    size_t www_len, body_len;
} answer;

static gk_status refuse(gk_verifier *v, gk_identity *id, unsigned status, answer *a) {
    return gk_refusal(v, id, status, &a->http, a->www, sizeof a->www, &a->www_len, a->body, sizeof a->body,
                      &a->body_len);
}

/* MCP 2026-07-28: the headers must name what the JSON-RPC body calls. */
static void test_mcp_check_call(gk_verifier *v, gk_identity *id) {
    gk_header h[2];
    const uint8_t *p = NULL;
    size_t n = 0;
    answer a;

    h[0] = header("Mcp-Method", "tools/call");
    h[1] = header("Mcp-Name", "weather_now");
    CHECK_STATUS(gk_check_call(h, 2, (const uint8_t *)"tools/call", 10, (const uint8_t *)"weather_now", 11, id), GK_OK);
    CHECK_STATUS(gk_check_call(h, 2, (const uint8_t *)"tools/call", 10, (const uint8_t *)"delete_all", 10, id),
                 GK_ERR_HEADER_MISMATCH);
    CHECK_STATUS(gk_identity_failed_claim(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "Mcp-Name"));
    CHECK_STATUS(refuse(v, id, GK_ERR_HEADER_MISMATCH, &a), GK_OK);
    CHECK(a.http == 400);
    CHECK(a.www_len == 0);
    CHECK(strcmp(a.body, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32020,\"message\":"
                       "\"the Mcp-Method or Mcp-Name header does not match the request body: Mcp-Name\"}}") == 0);
    /* no Mcp-Method at all */
    CHECK_STATUS(gk_check_call(h + 1, 1, (const uint8_t *)"tools/list", 10, NULL, 0, id), GK_ERR_HEADER_MISMATCH);
    CHECK_STATUS(gk_check_call(h, 2, NULL, 10, NULL, 0, id), GK_ERR_NULL_ARGUMENT);
}

static gk_status require(gk_verifier *v, gk_identity *id, const char *scopes) {
    return gk_require_scopes(v, id, (const uint8_t *)scopes, strlen(scopes));
}

/* A route's scopes, with the implications of scope_rules. */
static void test_require_scopes(gk_keyset *ks, gk_identity *id) {
    gk_policy *policy = NULL;
    gk_options *o = NULL;
    gk_verifier *v = NULL;
    gk_header h[1];
    const uint8_t *p = NULL;
    size_t n = 0;
    answer a;

    CHECK_STATUS(gk_policy_new(GK_POLICY_HEADER_FIRST, &policy), GK_OK);
    CHECK_STATUS(gk_options_new(&o), GK_OK);
    CHECK_STATUS(gk_options_set_str(o, "audience", "mcp"), GK_OK);
    CHECK_STATUS(gk_options_set_bool(o, "required", false), GK_OK);
    CHECK_STATUS(gk_options_add_str(o, "scope_rules", "tools:call > tools:read"), GK_OK);
    CHECK_STATUS(gk_verifier_new_with_options(ks, policy, o, &v), GK_OK);
    gk_policy_free(policy);
    gk_options_free(o);
    if (v == NULL) return;

    h[0] = header("Authorization", bearer_a); /* scope "tools:list tools:call" */
    CHECK_STATUS(gk_authenticate(v, h, 1, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(require(v, id, "tools:list tools:read"), GK_OK); /* implied by tools:call */
    CHECK_STATUS(require(v, id, ""), GK_OK);
    CHECK_STATUS(require(v, id, "tools:list admin"), GK_ERR_INSUFFICIENT_SCOPE);
    CHECK_STATUS(gk_identity_failed_claim(id, &p, &n), GK_OK);
    CHECK(span_is(p, n, "admin"));
    CHECK_STATUS(refuse(v, id, GK_ERR_INSUFFICIENT_SCOPE, &a), GK_OK);
    CHECK(a.http == 403);
    CHECK(strstr(a.www, "scope=\"tools:list admin\"") != NULL);
    /* an anonymous request, let through by required=false */
    CHECK_STATUS(gk_authenticate(v, h, 0, NULL, 0, GK_TEST_NOW, id), GK_OK);
    CHECK_STATUS(require(v, id, "tools:list"), GK_ERR_MISSING_CREDENTIAL);
    CHECK_STATUS(require(v, id, "a\"b"), GK_ERR_INVALID_CONFIG);
    CHECK_STATUS(gk_require_scopes(v, id, NULL, 3), GK_ERR_NULL_ARGUMENT);
    CHECK_STATUS(gk_require_scopes(v, id, (const uint8_t *)"\xff", 1), GK_ERR_INVALID_ARGUMENT);
    gk_verifier_free(v);
}

int main(void) {
    gk_keyset *ks;
    gk_verifier *v;
    gk_identity *id = NULL;

    snprintf(bearer_a, sizeof bearer_a, "Bearer %s", GK_TEST_TOKEN_A);
    snprintf(bearer_hs, sizeof bearer_hs, "Bearer %s", GK_TEST_TOKEN_HS);
    snprintf(bearer_exp, sizeof bearer_exp, "Bearer %s", GK_TEST_TOKEN_EXPIRED);
    snprintf(bearer_bad, sizeof bearer_bad, "Bearer %s", GK_TEST_TOKEN_BAD_SIG);
    snprintf(cookie_b, sizeof cookie_b, "theme=dark; jwt_token=%s", GK_TEST_TOKEN_B);

    ks = make_keyset();
    v = make_verifier(ks, GK_POLICY_HEADER_FIRST, 0);
    CHECK_STATUS(gk_identity_new(&id), GK_OK);

    test_valid_tokens(v, id);
    test_rejections(v, id);
    test_drift(ks, id);
    test_skipped(ks, id);
    test_issuer_and_audience_lists(ks, id);
    test_several_issuers(ks, id);
    test_cache(ks, id);
    test_null_arguments(ks, v, id);
    test_status_strings();
    test_challenge();
    test_static_memory();
    test_validation_matrix();
    test_strict_policy_setters();
    test_precedence_matrix();
    test_key_capacity();
    test_key_source(id);
    test_more_algorithms(id);
    test_mcp_check_call(v, id);
    test_require_scopes(ks, id);

    gk_identity_free(id);
    gk_verifier_free(v);
    gk_keyset_free(ks);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_gatekey: all checks passed\n");
    return 0;
}
