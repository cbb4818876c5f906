/* Authenticates one request given on the command line with libgatekey.
 *
 *   cc examples/c/example.c -Iinclude -Ltarget/release -lgatekey -o example
 *   ./example examples/c/jwks.json "Authorization: Bearer $(cat examples/c/token.txt)"
 *
 * Arguments after the JWKS file are header fields, "Name: value". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatekey.h"

static int fail(const char *what, gk_status status) {
    fprintf(stderr, "%s: %s (%s)\n", what, gk_status_name(status), gk_status_str(status));
    return 2;
}

int main(int argc, char **argv) {
    static char jwks[64 * 1024];
    gk_header headers[16];
    size_t n_headers = 0, len, n;
    gk_keyset *keys = NULL;
    gk_policy *policy = NULL;
    gk_verifier *verifier = NULL;
    gk_identity *identity = NULL;
    gk_validation rules;
    gk_status status;
    FILE *f;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s JWKS_FILE ['Name: value' ...]\n", argv[0]);
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (f == NULL) return perror(argv[1]), 2;
    len = fread(jwks, 1, sizeof jwks, f);
    fclose(f);

    for (i = 2; i < argc && n_headers < 16; i++) {
        const char *colon = strchr(argv[i], ':');
        const char *value;
        if (colon == NULL) continue;
        for (value = colon + 1; *value == ' '; value++) {}
        headers[n_headers].name = (const uint8_t *)argv[i];
        headers[n_headers].name_len = (size_t)(colon - argv[i]);
        headers[n_headers].value = (const uint8_t *)value;
        headers[n_headers].value_len = strlen(value);
        n_headers++;
    }

    /* Once, at start-up: keys, policy, rules. */
    memset(&rules, 0, sizeof rules);
    rules.issuer = "https://idp.example";
    rules.audience = "mcp";
    rules.leeway = 30;
    if ((status = gk_keyset_from_jwks((const uint8_t *)jwks, len, &keys)) != GK_OK) return fail("jwks", status);
    if ((status = gk_policy_new(GK_POLICY_HEADER_FIRST, &policy)) != GK_OK) return fail("policy", status);
    if ((status = gk_verifier_new(keys, policy, &rules, &verifier)) != GK_OK) return fail("verifier", status);
    gk_policy_free(policy);
    gk_keyset_free(keys);
    if ((status = gk_identity_new(&identity)) != GK_OK) return fail("identity", status);

    /* Per request: no allocation; GK_NOW reads the system clock (0 is the epoch). */
    status = gk_authenticate(verifier, headers, n_headers, NULL, 0, GK_NOW, identity);
    if (status == GK_OK) {
        const uint8_t *p;
        gk_source source;
        uint32_t shadowed;
        bool drift;
        gk_identity_source(identity, &source);
        gk_identity_shadowed(identity, &shadowed);
        gk_identity_drift(identity, &drift);
        printf("authenticated: source=%d", (int)source);
        if (gk_identity_subject(identity, &p, &n) == GK_OK) printf(" sub=%.*s", (int)n, (const char *)p);
        if (gk_identity_issuer(identity, &p, &n) == GK_OK) printf(" iss=%.*s", (int)n, (const char *)p);
        if (gk_identity_claim(identity, "scope", &p, &n) == GK_OK) printf(" scope=%.*s", (int)n, (const char *)p);
        printf(" shadowed=0x%x drift=%s\n", (unsigned)shadowed, drift ? "yes" : "no");
    } else {
        char challenge[512];
        printf("rejected: %s (%s) -> HTTP %u\n", gk_status_name(status), gk_status_str(status),
               (unsigned)gk_status_http(status));
        if (gk_www_authenticate(status, "mcp", NULL, NULL, challenge, sizeof challenge, &n) == GK_OK)
            printf("WWW-Authenticate: %s\n", challenge);
    }
    gk_identity_free(identity);
    gk_verifier_free(verifier);
    return status == GK_OK ? 0 : 1;
}
