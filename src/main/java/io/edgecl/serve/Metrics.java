package io.edgecl.serve;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

/** The server's counters, exposed in Prometheus' text format at {@code GET /metrics}. */
final class Metrics {
    private static final double[] LATENCY_BUCKETS_S = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final Histogram latency = new Histogram(LATENCY_BUCKETS_S);
    private final Histogram deviceTime = new Histogram(LATENCY_BUCKETS_S);
    private final AtomicLongArray batchSizes;
    private final AtomicLong images = new AtomicLong();
    private final IntSupplier queueDepth;
    private final java.util.function.LongSupplier deviceBytes;

    Metrics(int maxBatch, IntSupplier queueDepth, java.util.function.LongSupplier deviceBytes) {
        this.batchSizes = new AtomicLongArray(maxBatch + 1);
        this.queueDepth = queueDepth;
        this.deviceBytes = deviceBytes;
    }

    void request(String endpoint) {
        requests.computeIfAbsent(endpoint, k -> new AtomicLong()).incrementAndGet();
    }

    /** {@code kind}: bad_request, too_large, unsupported_media, overloaded, timeout, device_fault, internal. */
    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    void latency(double seconds) {
        latency.observe(seconds);
    }

    /** One forward: how many requests it served and how long the device took. */
    void batch(int size, double seconds) {
        batchSizes.incrementAndGet(Math.min(size, batchSizes.length() - 1));
        images.addAndGet(size);
        deviceTime.observe(seconds);
    }

    /** Mean requests per forward so far. */
    double meanBatch() {
        long n = 0, sum = 0;
        for (int i = 1; i < batchSizes.length(); i++) {
            n += batchSizes.get(i);
            sum += (long) i * batchSizes.get(i);
        }
        return n == 0 ? 0 : sum / (double) n;
    }

    String render() {
        StringBuilder b = new StringBuilder();
        b.append(
                "# HELP edgecl_requests_total Requests received, by endpoint.\n# TYPE edgecl_requests_total counter\n");
        requests.forEach((k, v) -> b.append("edgecl_requests_total{endpoint=\"")
                .append(k)
                .append("\"} ")
                .append(v.get())
                .append('\n'));
        b.append(
                "# HELP edgecl_errors_total Requests answered with an error, by kind.\n# TYPE edgecl_errors_total counter\n");
        errors.forEach((k, v) -> b.append("edgecl_errors_total{kind=\"")
                .append(k)
                .append("\"} ")
                .append(v.get())
                .append('\n'));
        b.append("# HELP edgecl_queue_depth Images waiting for a forward.\n# TYPE edgecl_queue_depth gauge\n");
        b.append("edgecl_queue_depth ").append(queueDepth.getAsInt()).append('\n');
        b.append("# HELP edgecl_images_total Images classified.\n# TYPE edgecl_images_total counter\n");
        b.append("edgecl_images_total ").append(images.get()).append('\n');
        b.append("# HELP edgecl_batch_size Requests gathered into one forward.\n# TYPE edgecl_batch_size histogram\n");
        long cum = 0, sum = 0;
        for (int i = 1; i < batchSizes.length(); i++) {
            cum += batchSizes.get(i);
            sum += (long) i * batchSizes.get(i);
            b.append("edgecl_batch_size_bucket{le=\"")
                    .append(i)
                    .append("\"} ")
                    .append(cum)
                    .append('\n');
        }
        b.append("edgecl_batch_size_bucket{le=\"+Inf\"} ").append(cum).append('\n');
        b.append("edgecl_batch_size_sum ")
                .append(sum)
                .append('\n')
                .append("edgecl_batch_size_count ")
                .append(cum)
                .append('\n');
        latency.render(b, "edgecl_request_latency_seconds", "Time from a request's arrival to its answer.");
        deviceTime.render(
                b, "edgecl_forward_seconds", "Time of each forward on the device (input write to output read).");
        process(b);
        return b.toString();
    }

    /**
     * What the process holds, so that a long run can be watched for leaks: device bytes, resident
     * memory, heap (in use, and what the last collection left), live threads and open descriptors.
     */
    private void process(StringBuilder b) {
        gauge(b, "edgecl_device_bytes", "Device memory held by the server's sessions.", deviceBytes.getAsLong());
        long heapAfterGc = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            var after = pool.getCollectionUsage();
            if (pool.getType() == java.lang.management.MemoryType.HEAP && after != null) heapAfterGc += after.getUsed();
        }
        var heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        gauge(b, "jvm_heap_used_bytes", "Java heap in use.", heap.getUsed());
        gauge(b, "jvm_heap_after_gc_bytes", "Java heap in use after the last collection of each pool.", heapAfterGc);
        gauge(
                b,
                "jvm_threads_live",
                "Live threads of the JVM.",
                java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount());
        long rss = statusKb("VmRSS:");
        if (rss >= 0) gauge(b, "process_resident_memory_bytes", "Resident memory of the process.", rss * 1024);
        String[] fds = new java.io.File("/proc/self/fd").list();
        if (fds != null) gauge(b, "process_open_fds", "Open file descriptors.", fds.length);
    }

    private static void gauge(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
        b.append(name).append(' ').append(value).append('\n');
    }

    /** A field of /proc/self/status in kB; -1 where there is none (not Linux). */
    private static long statusKb(String field) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** A Prometheus histogram with fixed buckets. */
    static final class Histogram {
        private final double[] bounds;
        private final AtomicLongArray counts;
        private final AtomicLong sumNanos = new AtomicLong();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new AtomicLongArray(bounds.length + 1);
        }

        void observe(double seconds) {
            int i = 0;
            while (i < bounds.length && seconds > bounds[i]) i++;
            counts.incrementAndGet(i);
            sumNanos.addAndGet((long) (seconds * 1e9));
        }

        void render(StringBuilder b, String name, String help) {
            b.append("# HELP ").append(name).append(' ').append(help).append('\n');
            b.append("# TYPE ").append(name).append(" histogram\n");
            long cum = 0;
            for (int i = 0; i < bounds.length; i++) {
                cum += counts.get(i);
                b.append(name)
                        .append("_bucket{le=\"")
                        .append(String.format(Locale.ROOT, "%g", bounds[i]))
                        .append("\"} ")
                        .append(cum)
                        .append('\n');
            }
            cum += counts.get(bounds.length);
            b.append(name).append("_bucket{le=\"+Inf\"} ").append(cum).append('\n');
            b.append(name)
                    .append("_sum ")
                    .append(String.format(Locale.ROOT, "%.6f", sumNanos.get() / 1e9))
                    .append('\n');
            b.append(name).append("_count ").append(cum).append('\n');
        }
    }
}
