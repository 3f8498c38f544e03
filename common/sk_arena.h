/* sk_arena.h - memory that is freed all at once.
 *
 * Protobuf messages built for a reply or an event hang strings, arrays and
 * sub-messages off each other; allocating them from an arena means one free
 * at the end instead of a walk. The RPC server gives each call one (see
 * sk_call_alloc); event code makes its own. Not thread-safe: one owner. */
#ifndef SK_ARENA_H
#define SK_ARENA_H

#include <stddef.h>

typedef struct sk_arena {
    struct sk_arena_block *blocks;
} sk_arena;

#define SK_ARENA_INIT {0}

/* `size` zeroed bytes, aligned for any type, valid until sk_arena_free.
 * NULL on out of memory. */
void *sk_arena_alloc(sk_arena *a, size_t size);

/* A copy of `s` (NULL copies as ""). NULL on out of memory. */
char *sk_arena_strdup(sk_arena *a, const char *s);

/* Free everything allocated from `a`; it can be used again after. */
void sk_arena_free(sk_arena *a);

#endif
