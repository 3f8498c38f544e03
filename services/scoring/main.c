/* seklik-scoring: config -> connect -> run. Everything else is in handlers.c. */
#include "sk_service.h"

extern const sk_service_def scoring_service;

int main(int argc, char **argv)
{
    return sk_service_main(&scoring_service, argc, argv);
}
