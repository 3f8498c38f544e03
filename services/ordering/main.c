/* seklik-ordering: config -> connect -> run. Everything else is in handlers.c. */
#include <stdio.h>

#include "sk_service.h"

extern const sk_service_def ordering_service;
int ordering_prepare(void);

int main(int argc, char **argv)
{
    if (ordering_prepare() != 0) {
        fprintf(stderr, "seklik-ordering: out of memory\n");
        return 1;
    }
    return sk_service_main(&ordering_service, argc, argv);
}
