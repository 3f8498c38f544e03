#include "sk_defer.h"

#include "sk_err.h"

int sk_defer_add(sk_defer **list, sk_arena *arena, sk_defer_fn fn, void *arg)
{
    sk_defer *d = sk_arena_alloc(arena, sizeof(*d));
    if (!d)
        return SK_ENOMEM;
    d->fn = fn;
    d->arg = arg;
    while (*list)
        list = &(*list)->next;
    *list = d;
    return SK_OK;
}

void sk_defer_run(sk_defer **list)
{
    for (sk_defer *d = *list; d; d = d->next)
        d->fn(d->arg);
    *list = NULL;
}

void sk_defer_drop(sk_defer **list)
{
    *list = NULL;
}
