/* proxies.c - pure: the trusted proxy list and the client's address behind
 * them (X-Forwarded-For). Addresses are parsed with inet_pton. No I/O. */
#include "http.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- pure: the client's address behind trusted proxies ---- */

static const unsigned char V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void say(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t cap, const char *fmt, ...)
{
    if (!why || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

/* `text` as an address; an IPv4-mapped IPv6 one becomes IPv4 (*mapped). */
static bool addr_parse(const char *text, int *family, unsigned char addr[16], bool *mapped)
{
    *mapped = false;
    if (inet_pton(AF_INET, text, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, addr) != 1)
        return false;
    *family = AF_INET6;
    if (memcmp(addr, V4_MAPPED, sizeof(V4_MAPPED)) == 0) {
        memmove(addr, addr + 12, 4);
        *family = AF_INET;
        *mapped = true;
    }
    return true;
}

static bool net_contains(const gw_net *n, int family, const unsigned char *addr)
{
    if (n->family != family)
        return false;
    unsigned full = n->bits / 8, rest = n->bits % 8;
    if (memcmp(n->addr, addr, full) != 0)
        return false;
    unsigned char mask = (unsigned char)(0xffu << (8 - rest));
    return rest == 0 || (n->addr[full] & mask) == (addr[full] & mask);
}

static bool trusted(const gw_proxies *p, int family, const unsigned char *addr)
{
    for (size_t i = 0; i < p->n; i++)
        if (net_contains(&p->nets[i], family, addr))
            return true;
    return false;
}

/* Copy [b, e) without surrounding blanks into `out`; false when it does not fit. */
static bool entry_copy(const char *b, const char *e, char *out, size_t cap)
{
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    size_t n = (size_t)(e - b);
    if (n >= cap)
        return false;
    memcpy(out, b, n);
    out[n] = '\0';
    return true;
}

/* One entry of the list: "addr" or "addr/bits". */
static bool net_parse(const char *entry, gw_net *net, char *why, size_t cap)
{
    char text[64];
    snprintf(text, sizeof(text), "%s", entry);
    char *slash = strchr(text, '/');
    if (slash)
        *slash = '\0';
    bool mapped = false;
    if (!addr_parse(text, &net->family, net->addr, &mapped)) {
        say(why, cap, "\"%s\" is not an IPv4 or IPv6 address or CIDR", entry);
        return false;
    }
    unsigned max = net->family == AF_INET ? 32 : 128;
    net->bits = max;
    if (slash) {
        const char *d = slash + 1;
        size_t n = strspn(d, "0123456789");
        unsigned long bits = n >= 1 && n <= 3 && d[n] == '\0' ? strtoul(d, NULL, 10) : 999;
        if (mapped) /* ::ffff:a.b.c.d/N: the IPv4 prefix is N - 96 */
            bits = bits >= 96 && bits <= 128 ? bits - 96 : 999;
        if (bits > max) {
            say(why, cap, "\"%s\": the prefix length must be %s", entry,
                mapped      ? "96..128"
                : max == 32 ? "0..32"
                            : "0..128");
            return false;
        }
        net->bits = (unsigned)bits;
    }
    unsigned char masked[16];
    memcpy(masked, net->addr, sizeof(masked));
    bool host_bits = false;
    for (unsigned i = net->bits; i < max; i++) {
        host_bits = host_bits || (masked[i / 8] & (0x80u >> (i % 8)));
        masked[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
    }
    if (host_bits) { /* "10.1.2.3/8" is a typo more often than a wish */
        char net_text[GW_ADDR_CAP] = "";
        inet_ntop(net->family, masked, net_text, sizeof(net_text));
        say(why, cap, "\"%s\" has bits set past the prefix (the network is %s/%u)", entry, net_text,
            net->bits);
        return false;
    }
    return true;
}

bool gw_proxies_parse(const char *list, gw_proxies *out, char *why, size_t cap)
{
    memset(out, 0, sizeof(*out));
    say(why, cap, "%s", "");
    if (!list || list[strspn(list, " \t")] == '\0')
        return true;
    gw_proxies p;
    memset(&p, 0, sizeof(p));
    for (const char *b = list;;) {
        const char *e = b + strcspn(b, ",");
        char entry[64];
        if (!entry_copy(b, e, entry, sizeof(entry))) {
            say(why, cap, "entry %zu is too long to be an address", p.n + 1);
            return false;
        }
        if (!entry[0]) {
            say(why, cap, "entry %zu is empty", p.n + 1);
            return false;
        }
        if (p.n == GW_PROXIES_MAX) {
            say(why, cap, "more than %d entries", GW_PROXIES_MAX);
            return false;
        }
        if (!net_parse(entry, &p.nets[p.n], why, cap))
            return false;
        p.n++;
        if (!*e)
            break;
        b = e + 1;
    }
    *out = p;
    return true;
}

bool gw_proxies_trust(const gw_proxies *p, const char *addr)
{
    int family;
    unsigned char a[16];
    bool mapped;
    return p && p->n && addr && addr_parse(addr, &family, a, &mapped) && trusted(p, family, a);
}

void gw_client_addr(const gw_proxies *p, const char *peer, const char *xff, char *out, size_t cap)
{
    snprintf(out, cap, "%s", peer ? peer : "");
    if (!xff || !gw_proxies_trust(p, peer))
        return;
    int family = 0;
    unsigned char addr[16];
    bool have = false;
    for (const char *end = xff + strlen(xff);;) {
        const char *b = end;
        while (b > xff && b[-1] != ',')
            b--;
        char entry[64];
        int f;
        unsigned char a[16];
        bool mapped;
        if (!entry_copy(b, end, entry, sizeof(entry)) || !addr_parse(entry, &f, a, &mapped))
            break; /* what lies left of this was written by someone we cannot vouch for */
        family = f;
        memcpy(addr, a, sizeof(addr));
        have = true;
        if (!trusted(p, f, a) || b == xff)
            break;
        end = b - 1;
    }
    if (have && !inet_ntop(family, addr, out, (socklen_t)cap))
        snprintf(out, cap, "%s", peer);
}
