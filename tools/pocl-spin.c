/*
 * libedgecl-pocl-spin: PoCL's CPU workers poll for a while before they sleep.
 *
 * Why: PoCL's pthread device (the CPU OpenCL of Debian and most distributions) puts a worker to
 * sleep on a condition variable as soon as its queue is empty, and in a forward the next launch
 * is ready only when the last work-group of the one before it ends. So every launch of a
 * 40-100-launch forward pays a futex wake-up per idle worker (12 µs median, 30 µs p90 on a
 * 2-vCPU virtual machine), and every enqueue of the host pays the system call that wakes one.
 * ONNX Runtime's and OpenMP's thread pools spin between operators; PoCL 3.x and later have no
 * setting for it.
 *
 * How: loaded with LD_PRELOAD (./edgecl does it: tools/pocl-spin.sh), this library marks the
 * threads that PoCL's CPU driver creates. When such a worker calls pthread_cond_wait, it unlocks
 * the mutex and watches a counter that pthread_cond_signal and pthread_cond_broadcast bump for
 * that condition variable, yielding the CPU every EDGECL_POCL_SPIN_YIELD_US microseconds (default
 * 10; the host thread may need it); as soon as the counter moves, or after EDGECL_POCL_SPIN_US
 * microseconds (default 200), it locks the mutex again and returns. A yield is a system call
 * (1.2 µs on a 2-vCPU virtual machine, against 20 ns for a pause): yielding after every look kept
 * a polling worker in the kernel most of the time, and a new launch waited for it to come back:
 * MobileNetV4-Conv-S's gaps between launches were 5.6-5.8 µs against 4.9-5.1 µs with about 5 µs
 * between yields, and forwards in turn (`edgecl bench --ab`, 300 pairs) took 0.965-0.99 of the
 * time with 10 µs (MobileNetV4-Conv-S, MobileNetV3-Large, EfficientNet-B0, MobileNetV4-Hybrid-M),
 * 1.00 with 40 µs, and up to 1.1 with no yield at all (the host waits for a CPU).
 * POSIX allows pthread_cond_wait to return without a signal, and PoCL's worker loop checks its
 * queues after every return, so nothing is missed; a wait that follows a time-out sleeps for
 * real. Every other thread (the JVM's, the host's) waits as before.
 *
 * EDGECL_POCL_SPIN_US=0 turns the polling off; EDGECL_POCL_SPIN_YIELD_US=0 yields after every
 * look; EDGECL_POCL_SPIN_STATS=1 prints one line of counts
 * to stderr at exit, with the process id (PoCL's compiler runs the linker as child processes,
 * which inherit LD_PRELOAD and print theirs). Build: cc -O2 -shared -fPIC -o libedgecl-pocl-spin.so pocl-spin.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

/* PoCL's CPU driver library: "pthread" up to PoCL 4, "cpu" from PoCL 5 */
static const char *const DRIVERS[] = {"libpocl-devices-pthread", "libpocl-devices-cpu"};

typedef int (*wait_fn)(pthread_cond_t *, pthread_mutex_t *);
typedef int (*wake_fn)(pthread_cond_t *);
typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static wait_fn real_wait;
static wake_fn real_signal, real_broadcast;
static create_fn real_create;

static int stats;
/* the polling time; EdgeCL reads it (PoclEnvironment.workerPollMicros) to report that the library is loaded */
long edgecl_pocl_spin_us = 200;
/* microseconds a polling worker spins between yields of its CPU (EDGECL_POCL_SPIN_YIELD_US; for a
   process that may run on one CPU only, 0: the host that would enqueue the next launch needs that
   CPU at once) */
long edgecl_pocl_spin_yield_us = 10;

/* one wake-up counter per slot, the slot chosen by the condition variable's address */
#define SLOTS 64
static struct {
    unsigned long n;
    char pad[64 - sizeof(unsigned long)];
} wakes[SLOTS] __attribute__((aligned(64)));

static unsigned long n_workers, n_woken, n_timeouts, n_sleeps;

static __thread int is_worker;
static __thread uint64_t spin_until, last_return;

static void resolve(void) {
    if (__atomic_load_n(&real_wait, __ATOMIC_ACQUIRE)) return;
    real_signal = (wake_fn)dlsym(RTLD_NEXT, "pthread_cond_signal");
    real_broadcast = (wake_fn)dlsym(RTLD_NEXT, "pthread_cond_broadcast");
    real_create = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
    __atomic_store_n(&real_wait, (wait_fn)dlsym(RTLD_NEXT, "pthread_cond_wait"), __ATOMIC_RELEASE);
}

/* *out = the environment variable's value where it is a whole number of microseconds up to one
   second; else *out stays as it is */
static void env_micros(const char *name, long *out) {
    const char *text = getenv(name);
    if (!text || !*text) return;
    char *end;
    long v = strtol(text, &end, 10);
    if (*end == '\0' && v >= 0 && v <= 1000000) *out = v;
}

__attribute__((constructor)) static void init(void) {
    resolve();
    env_micros("EDGECL_POCL_SPIN_US", &edgecl_pocl_spin_us);
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) <= 1) edgecl_pocl_spin_yield_us = 0;
    env_micros("EDGECL_POCL_SPIN_YIELD_US", &edgecl_pocl_spin_yield_us);
    const char *s = getenv("EDGECL_POCL_SPIN_STATS");
    stats = s && *s && strcmp(s, "0") != 0;
}

__attribute__((destructor)) static void report(void) {
    if (stats)
        fprintf(stderr,
                "edgecl-pocl-spin[%ld]: %lu workers, spin %lu us, yield every %lu us, %lu woken while polling, %lu "
                "time-outs, %lu sleeps\n",
                (long)getpid(), n_workers, (unsigned long)edgecl_pocl_spin_us, (unsigned long)edgecl_pocl_spin_yield_us,
                n_woken, n_timeouts, n_sleeps);
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static unsigned long *slot(const pthread_cond_t *c) {
    uintptr_t a = (uintptr_t)c;
    return &wakes[(a >> 6 ^ a >> 12) % SLOTS].n;
}

static int from_driver(void *caller) {
    Dl_info info;
    if (!dladdr(caller, &info) || !info.dli_fname) return 0;
    for (size_t i = 0; i < sizeof DRIVERS / sizeof DRIVERS[0]; i++)
        if (strstr(info.dli_fname, DRIVERS[i])) return 1;
    return 0;
}

struct start {
    void *(*fn)(void *);
    void *arg;
};

static void *worker_main(void *p) {
    struct start s = *(struct start *)p;
    free(p);
    is_worker = 1;
    __atomic_add_fetch(&n_workers, 1, __ATOMIC_RELAXED);
    return s.fn(s.arg);
}

int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
    resolve();
    if (edgecl_pocl_spin_us > 0 && from_driver(__builtin_return_address(0))) {
        struct start *s = malloc(sizeof *s);
        if (s) {
            s->fn = fn;
            s->arg = arg;
            int r = real_create(t, attr, worker_main, s);
            if (r != 0) free(s);
            return r;
        }
    }
    return real_create(t, attr, fn, arg);
}

int pthread_cond_signal(pthread_cond_t *c) {
    resolve();
    __atomic_add_fetch(slot(c), 1, __ATOMIC_RELEASE);
    return real_signal(c);
}

int pthread_cond_broadcast(pthread_cond_t *c) {
    resolve();
    __atomic_add_fetch(slot(c), 1, __ATOMIC_RELEASE);
    return real_broadcast(c);
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) {
    resolve();
    if (is_worker) {
        uint64_t t = now_ns();
        /* a wait soon after the last return continues that idle stretch; one after work starts anew */
        if (t - last_return > 2000) spin_until = t + (uint64_t)edgecl_pocl_spin_us * 1000u;
        if (t < spin_until) {
            unsigned long *w = slot(c);
            unsigned long seen = __atomic_load_n(w, __ATOMIC_ACQUIRE);
            int woken = 0;
            const uint64_t yield_ns = (uint64_t)__atomic_load_n(&edgecl_pocl_spin_yield_us, __ATOMIC_RELAXED) * 1000u;
            uint64_t next_yield = t + yield_ns;
            pthread_mutex_unlock(m);
            while (!woken) {
                for (int k = 0; k < 16 && !woken; k++) {
                    CPU_RELAX();
                    woken = __atomic_load_n(w, __ATOMIC_ACQUIRE) != seen;
                }
                if (woken) break;
                const uint64_t n = now_ns();
                if (n >= spin_until) break;
                if (n >= next_yield) {
                    sched_yield();
                    next_yield = now_ns() + yield_ns;
                }
            }
            pthread_mutex_lock(m);
            __atomic_add_fetch(woken ? &n_woken : &n_timeouts, 1, __ATOMIC_RELAXED);
            last_return = now_ns();
            return 0; /* the caller looks at its queues again, as after any wake-up */
        }
        __atomic_add_fetch(&n_sleeps, 1, __ATOMIC_RELAXED);
    }
    int r = real_wait(c, m);
    if (is_worker) last_return = now_ns();
    return r;
}
