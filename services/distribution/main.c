/* seklik-distribution: config -> connect -> run. Everything else is in handlers.c. */
#include "sk_service.h"

extern const sk_service_def distribution_service;

int main(int argc, char **argv)
{
    return sk_service_main(&distribution_service, argc, argv);
}
