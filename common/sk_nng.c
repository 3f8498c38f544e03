#include "sk_nng.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "sk_log.h"

/* Once one close has hung, NNG is in the state that makes them hang (peers
 * gone, dialers racing): the later closes of a stopping process get a short
 * wait each, so the whole stop stays within a pod's grace period. */
static atomic_bool g_hung;
#define AFTER_HANG_MS 100

/* Shared by the caller and the closing thread; the last one out frees it. */
typedef struct close_job {
    pthread_mutex_t lock;
    pthread_cond_t done_cv;
    nng_socket sock;
    bool done;
    int refs;
} close_job;

static void job_release(close_job *j)
{
    pthread_mutex_lock(&j->lock);
    bool last = --j->refs == 0;
    pthread_mutex_unlock(&j->lock);
    if (last) {
        pthread_mutex_destroy(&j->lock);
        pthread_cond_destroy(&j->done_cv);
        free(j);
    }
}

static void *close_thread(void *arg)
{
    close_job *j = arg;
    nng_close(j->sock);
    pthread_mutex_lock(&j->lock);
    j->done = true;
    pthread_cond_signal(&j->done_cv);
    pthread_mutex_unlock(&j->lock);
    job_release(j);
    return NULL;
}

bool sk_nng_close_bounded(nng_socket sock, int timeout_ms)
{
    close_job *j = calloc(1, sizeof(*j));
    pthread_attr_t attr;
    pthread_t thr;
    if (!j || pthread_attr_init(&attr) != 0) {
        free(j);
        nng_close(sock);
        return true;
    }
    if (atomic_load(&g_hung) && timeout_ms > AFTER_HANG_MS)
        timeout_ms = AFTER_HANG_MS;
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->done_cv, NULL);
    j->sock = sock;
    j->refs = 2;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    bool started = pthread_create(&thr, &attr, close_thread, j) == 0;
    pthread_attr_destroy(&attr);
    if (!started) {
        j->refs = 1;
        job_release(j);
        nng_close(sock);
        return true;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&j->lock);
    int rv = 0;
    while (!j->done && rv != ETIMEDOUT)
        rv = pthread_cond_timedwait(&j->done_cv, &j->lock, &until);
    bool done = j->done;
    pthread_mutex_unlock(&j->lock);
    job_release(j);
    if (!done)
        atomic_store(&g_hung, true);
    if (!done)
        sk_log_warn("nng: closing a socket still blocks after %d ms (nng#1498); leaving it",
                    timeout_ms);
    return done;
}
