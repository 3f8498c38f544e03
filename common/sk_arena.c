#include "sk_arena.h"

#include <stdlib.h>
#include <string.h>

struct sk_arena_block {
    struct sk_arena_block *next;
    max_align_t data[];
};

void *sk_arena_alloc(sk_arena *a, size_t size)
{
    struct sk_arena_block *b = calloc(1, sizeof(*b) + (size ? size : 1));
    if (!b)
        return NULL;
    b->next = a->blocks;
    a->blocks = b;
    return b->data;
}

char *sk_arena_strdup(sk_arena *a, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s) + 1;
    char *p = sk_arena_alloc(a, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void sk_arena_free(sk_arena *a)
{
    while (a->blocks) {
        struct sk_arena_block *next = a->blocks->next;
        free(a->blocks);
        a->blocks = next;
    }
}
