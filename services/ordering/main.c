/* seklik-ordering: config -> connect -> run. Everything else is in handlers.c. */
#include "sk_service.h"

extern const sk_service_def ordering_service;

int main(int argc, char **argv)
{
    return sk_service_main(&ordering_service, argc, argv);
}
