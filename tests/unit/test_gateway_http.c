/* test_gateway_http.c - the gateway's pure HTTP rules: routes, static paths,
 * content types and cache headers, the service/method table, and the
 * client's address behind trusted proxies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"
#include "internal.h"

static void rpc_route_names_service_and_method(void **state)
{
    (void)state;
    gw_route r;
    gw_route_parse("POST", "/api/v1/registry.RegisterCompany", &r);
    assert_int_equal(r.kind, GW_ROUTE_RPC);
    assert_true(r.method_ok);
    assert_string_equal(r.service, "registry");
    assert_string_equal(r.method, "RegisterCompany");

    gw_route_parse("GET", "/api/v1/registry.GetCompany", &r); /* exists, wrong verb: 405 */
    assert_int_equal(r.kind, GW_ROUTE_RPC);
    assert_false(r.method_ok);
    assert_string_equal(r.allow, "POST");
}

static void odd_api_paths_are_unknown(void **state)
{
    (void)state;
    const char *bad[] = {
        "/api/v1/registry",             /* no method */
        "/api/v1/.Health",              /* no service */
        "/api/v1/registry.",            /* no method */
        "/api/v1/reg/istry.Health",     /* a slash */
        "/api/v1/registry.Get-Company", /* not an identifier */
        "/api/v1/registry.Health.x",    /* two dots */
        "/api/v2/registry.Health",
        "/api",
        "/api/",
        "/api/v1/files/registry/documents/",
        "/api/v1/files/registry/documents/a/b",
        "/api/v1/public/outlets/",
        "/api/v1/averyveryverylongservicename.Health",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        gw_route r;
        gw_route_parse("POST", bad[i], &r);
        assert_int_equal(r.kind, GW_ROUTE_API_UNKNOWN);
    }
}

static void fixed_routes_and_their_methods(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path;
        gw_route_kind kind;
        bool ok;
    } cases[] = {
        {"POST", "/api/v1/auth/login", GW_ROUTE_LOGIN, true},
        {"GET", "/api/v1/auth/login", GW_ROUTE_LOGIN, false},
        {"POST", "/api/v1/auth/reset/request", GW_ROUTE_RESET_REQUEST, true},
        {"GET", "/api/v1/auth/reset/request", GW_ROUTE_RESET_REQUEST, false},
        {"POST", "/api/v1/auth/reset/confirm", GW_ROUTE_RESET_CONFIRM, true},
        {"POST", "/api/v1/auth/reset", GW_ROUTE_API_UNKNOWN, true},
        {"POST", "/api/v1/auth/signup", GW_ROUTE_SIGNUP, true},
        {"POST", "/api/v1/auth/logout", GW_ROUTE_LOGOUT, true},
        {"GET", "/api/v1/auth/me", GW_ROUTE_ME, true},
        {"POST", "/api/v1/auth/me", GW_ROUTE_ME, false},
        {"GET", "/api/v1/openapi.json", GW_ROUTE_OPENAPI, true},
        {"HEAD", "/api/v1/openapi.json", GW_ROUTE_OPENAPI, true},
        {"GET", "/healthz", GW_ROUTE_HEALTHZ, true},
        {"GET", "/readyz", GW_ROUTE_READYZ, true},
        {"GET", "/metrics", GW_ROUTE_METRICS, true},
        {"DELETE", "/metrics", GW_ROUTE_METRICS, false},
        {"GET", "/", GW_ROUTE_STATIC, true},
        {"GET", "/companies/42", GW_ROUTE_STATIC, true},
        {"POST", "/index.html", GW_ROUTE_STATIC, false},
        {"GET", "/apiary", GW_ROUTE_STATIC, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gw_route r;
        gw_route_parse(cases[i].method, cases[i].path, &r);
        assert_int_equal(r.kind, cases[i].kind);
        assert_int_equal(r.method_ok, cases[i].ok);
    }
}

static void id_routes_keep_the_id(void **state)
{
    (void)state;
    gw_route r;
    gw_route_parse("GET", "/api/v1/files/registry/documents/0190f2a4-1b2c-7d3e-8f40-123456789abc",
                   &r);
    assert_int_equal(r.kind, GW_ROUTE_FILE);
    assert_string_equal(r.id, "0190f2a4-1b2c-7d3e-8f40-123456789abc");
    gw_route_parse("GET", "/api/v1/public/outlets/x", &r);
    assert_int_equal(r.kind, GW_ROUTE_PUBLIC_OUTLET);
    assert_string_equal(r.id, "x"); /* checked as a UUID by the caller */
    gw_route_parse("GET", "/api/v1/public/outlets/0190F2A4-1B2C-7D3E-8F40-123456789ABC", &r);
    assert_int_equal(r.kind, GW_ROUTE_PUBLIC_OUTLET);
    assert_string_equal(r.id, "0190f2a4-1b2c-7d3e-8f40-123456789abc"); /* one cache key */
    gw_route_parse("GET", "/api/v1/public/outlets/0123456789012345678901234567890123456789", &r);
    assert_int_equal(r.kind, GW_ROUTE_API_UNKNOWN); /* too long for any id */
}

static void static_paths_stay_inside_the_root(void **state)
{
    (void)state;
    char out[64];
    assert_true(gw_static_path("/", out, sizeof(out)));
    assert_string_equal(out, "index.html");
    assert_true(gw_static_path("/assets/app.js", out, sizeof(out)));
    assert_string_equal(out, "assets/app.js");
    assert_true(gw_static_path("//assets///app.js", out, sizeof(out)));
    assert_string_equal(out, "assets/app.js");
    assert_true(gw_static_path("/docs/", out, sizeof(out)));
    assert_string_equal(out, "docs/index.html");
    assert_true(
        gw_static_path("/a..b/.well-known", out, sizeof(out))); /* dots inside names are fine */
    assert_string_equal(out, "a..b/.well-known");

    assert_false(gw_static_path("/../etc/passwd", out, sizeof(out)));
    assert_false(gw_static_path("/assets/../../etc/passwd", out, sizeof(out)));
    assert_false(gw_static_path("/assets/..", out, sizeof(out)));
    assert_false(gw_static_path("/./index.html", out, sizeof(out)));
    assert_false(gw_static_path("/a\\..\\b", out, sizeof(out)));
    assert_false(gw_static_path("/a\nb", out, sizeof(out)));
    assert_false(gw_static_path("relative", out, sizeof(out)));
    assert_false(gw_static_path(NULL, out, sizeof(out)));
    char tiny[8];
    assert_false(gw_static_path("/assets/app.js", tiny, sizeof(tiny)));
    assert_false(gw_static_path("/", tiny, sizeof(tiny))); /* "index.html" does not fit */
}

static void missing_files_with_an_extension_are_404(void **state)
{
    (void)state;
    assert_true(gw_static_has_extension("assets/app.js"));
    assert_true(gw_static_has_extension("favicon.ico"));
    assert_false(gw_static_has_extension("companies/42"));
    assert_false(gw_static_has_extension("v1.2/companies")); /* the dot is in a directory */
    assert_false(gw_static_has_extension("trailing."));
}

static void content_types_by_extension(void **state)
{
    (void)state;
    assert_string_equal(gw_content_type("index.html"), "text/html; charset=utf-8");
    assert_string_equal(gw_content_type("assets/app-1a2b3c4d.js"),
                        "text/javascript; charset=utf-8");
    assert_string_equal(gw_content_type("a/b.CSS"), "text/css; charset=utf-8");
    assert_string_equal(gw_content_type("logo.svg"), "image/svg+xml");
    assert_string_equal(gw_content_type("font.woff2"), "font/woff2");
    assert_string_equal(gw_content_type("x.json"), "application/json");
    assert_string_equal(gw_content_type("README"), "application/octet-stream");
    assert_string_equal(gw_content_type("v1.2/README"), "application/octet-stream");
    assert_string_equal(gw_content_type("archive.tar.gz"), "application/octet-stream");
}

static void only_fingerprinted_assets_are_cached_long(void **state)
{
    (void)state;
    const char *forever = "public, max-age=31536000, immutable";
    assert_string_equal(gw_cache_control("index.html"), "no-cache");
    assert_string_equal(gw_cache_control("assets/index-3f9a1c2b.js"), forever);
    assert_string_equal(gw_cache_control("assets/index.B2xQ9kLm.css"), forever);
    assert_string_equal(gw_cache_control("assets/my-component.js"), "no-cache"); /* no digit */
    assert_string_equal(gw_cache_control("assets/app-12ab.js"), "no-cache");     /* too short */
    assert_string_equal(gw_cache_control("favicon.ico"), "no-cache");
    assert_string_equal(gw_cache_control("companies"), "no-cache");
}

static void every_service_and_its_methods_are_routable(void **state)
{
    (void)state;
    const gw_service *svc = NULL;
    assert_non_null(gw_api_find_method("registry", "RegisterCompany", &svc));
    assert_string_equal(svc->name, "registry");
    assert_non_null(gw_api_find_method("gateway", "CreateUser", &svc));
    assert_non_null(gw_api_find_method("accounting", "Health", NULL));
    assert_null(gw_api_find_method("registry", "registerCompany", NULL)); /* case matters */
    assert_null(gw_api_find_method("bus", "Replay", NULL));               /* internal only */
    assert_null(gw_api_find_method("nosuch", "Health", NULL));
    for (size_t i = 0; i < GW_N_SERVICES; i++)
        assert_non_null(gw_api_find_method(gw_services[i].name, "Health", NULL));
}

static void openapi_names_every_method(void **state)
{
    (void)state;
    char *doc = NULL;
    size_t len = 0;
    assert_int_equal(gw_openapi_build(&doc, &len), 0);
    assert_int_equal(strlen(doc), len);
    assert_non_null(strstr(doc, "\"openapi\":\"3.0.3\""));
    assert_non_null(strstr(doc, "\"/api/v1/registry.RegisterCompany\""));
    assert_non_null(strstr(doc, "\"/api/v1/gateway.ChangeOwnPassword\""));
    assert_non_null(strstr(doc, "\"/api/v1/auth/login\""));
    assert_non_null(strstr(doc, "\"X-CSRF-Token\""));
    assert_non_null(strstr(doc, "\"legalName\""));               /* proto3 JSON names */
    assert_non_null(strstr(doc, "\"COMPANY_STATUS_VERIFIED\"")); /* enums by name */
    free(doc);
}

/* ---- trusted proxies ---- */

static gw_proxies proxies(const char *list)
{
    gw_proxies p;
    char why[256];
    if (!gw_proxies_parse(list, &p, why, sizeof(why)))
        fail_msg("%s: %s", list ? list : "(none)", why);
    return p;
}

static void proxy_lists_parse_addresses_and_cidrs(void **state)
{
    (void)state;
    gw_proxies p = proxies("10.0.0.0/8, 192.0.2.7 ,fd00::/8,2001:db8::1,0.0.0.0/0");
    assert_int_equal(p.n, 5);
    assert_int_equal(p.nets[0].bits, 8);
    assert_int_equal(p.nets[1].bits, 32); /* a bare address is one host */
    assert_int_equal(p.nets[3].bits, 128);
    assert_int_equal(p.nets[4].bits, 0);
    assert_int_equal(proxies("").n, 0); /* the default: trust no one */
    assert_int_equal(proxies("  ").n, 0);
    assert_int_equal(proxies(NULL).n, 0);
    p = proxies("::ffff:10.0.0.0/104"); /* IPv4-mapped: the IPv4 network */
    assert_true(gw_proxies_trust(&p, "10.200.0.1"));
    assert_false(gw_proxies_trust(&p, "11.0.0.1"));
}

static void bad_proxy_lists_are_refused_naming_the_entry(void **state)
{
    (void)state;
    static const struct {
        const char *list, *says;
    } cases[] = {
        {"10.0.0.0/33", "0..32"},
        {"fd00::/129", "0..128"},
        {"10.0.0.0/", "0..32"},
        {"10.0.0.0/8x", "0..32"},
        {"10.0.0.0/-1", "0..32"},
        {"10.0.0.0/0008", "0..32"},
        {"::ffff:10.0.0.0/8", "96..128"},
        {"10.1.2.3/8", "the network is 10.0.0.0/8"},
        {"fd00::1/8", "the network is fd00::/8"},
        {"10.0.0.0/8,,192.0.2.1", "entry 2 is empty"},
        {"10.0.0.0/8,", "entry 2 is empty"},
        {",10.0.0.0/8", "entry 1 is empty"},
        {"ingress.local", "\"ingress.local\" is not an IPv4 or IPv6 address"},
        {"10.0.0.1:443", "\"10.0.0.1:443\" is not"},
        {"010.0.0.1", "is not"}, /* inet_pton takes no octal-looking parts */
        {"10.0.0", "is not"},
        {"[::1]", "is not"},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "entry 1 is too long"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gw_proxies p;
        char why[256] = "";
        p.n = 99;
        if (gw_proxies_parse(cases[i].list, &p, why, sizeof(why)))
            fail_msg("%s was accepted", cases[i].list);
        if (!strstr(why, cases[i].says))
            fail_msg("%s: \"%s\" does not say \"%s\"", cases[i].list, why, cases[i].says);
        assert_int_equal(p.n, 0); /* nothing half-parsed is trusted */
    }
    char list[33 * 16] = "";
    for (int i = 0; i < GW_PROXIES_MAX + 1; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s10.0.0.%d", i ? "," : "", i);
    gw_proxies p;
    char why[256];
    assert_false(gw_proxies_parse(list, &p, why, sizeof(why)));
    assert_non_null(strstr(why, "more than 32 entries"));
}

static void trust_matches_the_prefix_bits(void **state)
{
    (void)state;
    gw_proxies p = proxies("10.0.0.0/8,172.16.0.0/12,192.0.2.7,fd00::/8,2001:db8:0:2::/63");
    assert_true(gw_proxies_trust(&p, "10.255.255.255"));
    assert_false(gw_proxies_trust(&p, "11.0.0.0"));
    assert_true(gw_proxies_trust(&p, "172.31.0.1")); /* /12 ends at 172.31 */
    assert_false(gw_proxies_trust(&p, "172.32.0.1"));
    assert_true(gw_proxies_trust(&p, "192.0.2.7"));
    assert_false(gw_proxies_trust(&p, "192.0.2.8"));
    assert_true(gw_proxies_trust(&p, "::ffff:192.0.2.7")); /* a dual-stack socket's view */
    assert_true(gw_proxies_trust(&p, "fdff::1"));
    assert_false(gw_proxies_trust(&p, "fe00::1"));
    assert_true(gw_proxies_trust(&p, "2001:db8:0:2::5"));
    assert_true(gw_proxies_trust(&p, "2001:db8:0:3::5")); /* /63 holds ...:2: and ...:3: */
    assert_false(gw_proxies_trust(&p, "2001:db8:0:1::5"));
    assert_false(gw_proxies_trust(&p, "2001:db8:0:4::5"));
    assert_false(gw_proxies_trust(&p, "unknown"));
    assert_false(gw_proxies_trust(&p, NULL));
    gw_proxies none = proxies("");
    assert_false(gw_proxies_trust(&none, "10.0.0.1"));
    gw_proxies all = proxies("0.0.0.0/0");
    assert_true(gw_proxies_trust(&all, "203.0.113.1"));
    assert_false(gw_proxies_trust(&all, "2001:db8::1")); /* families do not mix */
}

static void client_is_the_right_most_untrusted_forwarded_address(void **state)
{
    (void)state;
    gw_proxies p = proxies("10.0.0.0/8, 2001:db8::/32");
    static const struct {
        const char *peer, *xff, *client;
    } cases[] = {
        /* No trusted peer, no header: the peer, whatever the header says. */
        {"203.0.113.9", "198.51.100.1", "203.0.113.9"},
        {"10.0.0.2", NULL, "10.0.0.2"},
        {"10.0.0.2", "", "10.0.0.2"},
        /* The ingress appended the client. */
        {"10.0.0.2", "198.51.100.1", "198.51.100.1"},
        {"10.0.0.2", " 198.51.100.1 ", "198.51.100.1"},
        /* A client's own entries are left of the one the ingress wrote. */
        {"10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"},
        {"10.0.0.2", "10.9.9.9, 198.51.100.1", "198.51.100.1"},
        /* Two proxies of ours in a row are skipped. */
        {"10.0.0.2", "198.51.100.1, 10.0.0.3, 10.0.0.4", "198.51.100.1"},
        /* Every hop trusted: the left-most. */
        {"10.0.0.2", "10.0.0.7,10.0.0.3", "10.0.0.7"},
        /* An entry that is no address ends the walk at the last trusted hop. */
        {"10.0.0.2", "198.51.100.1:5555", "10.0.0.2"},
        {"10.0.0.2", "198.51.100.1, unknown", "10.0.0.2"},
        {"10.0.0.2", "198.51.100.1, garbage, 10.0.0.3", "10.0.0.3"},
        {"10.0.0.2", "198.51.100.1,,", "10.0.0.2"},
        /* IPv6, written the one canonical way. */
        {"2001:db8::2", "2001:DB8:0:0:0:0:0:99, 2001:db8::3", "2001:db8::99"},
        {"2001:db8::2", "2001:0db8:ffff::1", "2001:db8:ffff::1"},
        {"::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"},
        {"10.0.0.2", "::ffff:198.51.100.1", "198.51.100.1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[GW_ADDR_CAP];
        gw_client_addr(&p, cases[i].peer, cases[i].xff, out, sizeof(out));
        if (strcmp(out, cases[i].client) != 0)
            fail_msg("peer %s, X-Forwarded-For \"%s\": %s, not %s", cases[i].peer,
                     cases[i].xff ? cases[i].xff : "(none)", out, cases[i].client);
    }
    gw_proxies none = proxies("");
    char out[GW_ADDR_CAP];
    gw_client_addr(&none, "10.0.0.2", "198.51.100.1", out, sizeof(out));
    assert_string_equal(out, "10.0.0.2");
}

/* ---- total deadlines ---- */

static void headers_and_body_have_total_deadlines(void **state)
{
    (void)state;
    gw_deadlines d = {.header_s = 10, .body_s = 300, .max_connections = 100};
    assert_false(gw_conn_overdue(GW_CONN_HEADERS, 9999, &d, 1));
    assert_true(gw_conn_overdue(GW_CONN_HEADERS, 10000, &d, 1));
    assert_false(gw_conn_overdue(GW_CONN_BODY, 299999, &d, 1));
    assert_true(gw_conn_overdue(GW_CONN_BODY, 300000, &d, 1));
    /* Answering is the gateway's time, not the client's. */
    assert_false(gw_conn_overdue(GW_CONN_BUSY, UINT64_C(1) << 40, &d, 100));
    /* 0 is no deadline. */
    gw_deadlines none = {.header_s = 0, .body_s = 0};
    assert_false(gw_conn_overdue(GW_CONN_HEADERS, UINT64_C(1) << 40, &none, 1));
    assert_false(gw_conn_overdue(GW_CONN_BODY, UINT64_C(1) << 40, &none, 1));
}

static void a_nearly_full_table_shortens_the_header_deadline(void **state)
{
    (void)state;
    gw_deadlines d = {.header_s = 10, .body_s = 300, .max_connections = 100};
    assert_false(gw_conn_overdue(GW_CONN_HEADERS, 2500, &d, 74));
    assert_true(gw_conn_overdue(GW_CONN_HEADERS, 2500, &d, 75)); /* three quarters: a quarter */
    assert_false(gw_conn_overdue(GW_CONN_HEADERS, 2499, &d, 100));
    assert_false(gw_conn_overdue(GW_CONN_BODY, 2500, &d, 100)); /* uploads keep their time */
    /* Never below a second. */
    gw_deadlines tight = {.header_s = 2, .body_s = 4, .max_connections = 8};
    assert_false(gw_conn_overdue(GW_CONN_HEADERS, 999, &tight, 8));
    assert_true(gw_conn_overdue(GW_CONN_HEADERS, 1000, &tight, 8));
    /* No table size: never under pressure. */
    gw_deadlines unsized = {.header_s = 10, .body_s = 300, .max_connections = 0};
    assert_false(gw_conn_overdue(GW_CONN_HEADERS, 2500, &unsized, 100000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rpc_route_names_service_and_method),
        cmocka_unit_test(odd_api_paths_are_unknown),
        cmocka_unit_test(fixed_routes_and_their_methods),
        cmocka_unit_test(id_routes_keep_the_id),
        cmocka_unit_test(static_paths_stay_inside_the_root),
        cmocka_unit_test(missing_files_with_an_extension_are_404),
        cmocka_unit_test(content_types_by_extension),
        cmocka_unit_test(only_fingerprinted_assets_are_cached_long),
        cmocka_unit_test(every_service_and_its_methods_are_routable),
        cmocka_unit_test(openapi_names_every_method),
        cmocka_unit_test(proxy_lists_parse_addresses_and_cidrs),
        cmocka_unit_test(bad_proxy_lists_are_refused_naming_the_entry),
        cmocka_unit_test(trust_matches_the_prefix_bits),
        cmocka_unit_test(client_is_the_right_most_untrusted_forwarded_address),
        cmocka_unit_test(headers_and_body_have_total_deadlines),
        cmocka_unit_test(a_nearly_full_table_shortens_the_header_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
