package io.edgecl.serve;

import io.edgecl.DeviceFaultException;
import io.edgecl.EdgeClException;
import io.edgecl.api.Session;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching: requests wait in one bounded queue; a worker per session (one per device)
 * takes the first, gathers more until {@code maxBatch} images or {@code maxWaitMs} after the
 * first arrived, runs them as one forward and answers each. A batch is padded to the next size
 * of 1, 2, 4, ... maxBatch, so a session keeps a handful of plans rather than one per count.
 */
final class Batcher implements AutoCloseable {
    /** One request's images ([n, 3, H, W]); {@code alone} runs it as it is (predict's own batch). */
    record Job(HostTensor input, boolean alone, long arrivedNs, CompletableFuture<HostTensor> logits) {
        int images() {
            return input.dim(0);
        }
    }

    /** The queue is full: the client should come back later (503 with Retry-After). */
    static final class Overloaded extends RuntimeException {
        Overloaded() {
            super("the server is at capacity", null, false, false);
        }
    }

    private final BlockingQueue<Job> queue;
    private final int maxBatch;
    private final List<Integer> sizes;
    private final long maxWaitNs;
    private final Metrics metrics;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean stopping;
    /** Device faults: in all, in a row (reset by a forward that succeeds), and the last one's message. */
    private final java.util.concurrent.atomic.AtomicLong faults = new java.util.concurrent.atomic.AtomicLong();

    private final java.util.concurrent.atomic.AtomicInteger faultsInARow =
            new java.util.concurrent.atomic.AtomicInteger();
    private volatile String lastFault = "";

    Batcher(List<Session> sessions, int maxBatch, long maxWaitMs, int queueCapacity) {
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxBatch = maxBatch;
        this.sizes = sizes(maxBatch);
        this.maxWaitNs = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        List<io.edgecl.api.Device> devices =
                sessions.stream().map(Session::device).distinct().toList();
        this.metrics = new Metrics(
                maxBatch,
                queue::size,
                () -> devices.stream()
                        .mapToLong(io.edgecl.api.Device::liveBytes)
                        .sum());
        int i = 0;
        for (Session s : sessions) {
            Thread t = new Thread(() -> work(s), "edgecl-batcher-" + (i++));
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    Metrics metrics() {
        return metrics;
    }

    int depth() {
        return queue.size();
    }

    /** Forwards that failed on the device, in all. */
    long faults() {
        return faults.get();
    }

    /** Forwards that failed on the device since the last one that succeeded. */
    int faultsInARow() {
        return faultsInARow.get();
    }

    /** The last device fault's message, or "". */
    String lastFault() {
        return lastFault;
    }

    /** Queues a request, or throws {@link Overloaded} at once when the queue is full. */
    CompletableFuture<HostTensor> submit(HostTensor input, boolean alone) {
        if (stopping) throw new Overloaded();
        Job j = new Job(input, alone, System.nanoTime(), new CompletableFuture<>());
        if (!queue.offer(j)) throw new Overloaded();
        return j.logits();
    }

    private void work(Session s) {
        List<Job> batch = new ArrayList<>();
        Job carried = null;
        while (true) {
            batch.clear();
            Job first;
            try {
                first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            carried = null;
            if (first == null) {
                if (stopping && queue.isEmpty()) return;
                continue;
            }
            batch.add(first);
            int images = first.images();
            if (!first.alone()) {
                long deadline = first.arrivedNs() + maxWaitNs;
                while (images < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Job next;
                    try {
                        next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    } catch (InterruptedException e) {
                        next = null;
                    }
                    if (next == null) break;
                    if (next.alone() || images + next.images() > maxBatch) {
                        carried = next; // runs first in the next round
                        break;
                    }
                    batch.add(next);
                    images += next.images();
                }
            }
            run(s, batch, images);
        }
    }

    private void run(Session s, List<Job> batch, int images) {
        try {
            // Padded to one of a few batch sizes: a session then holds a handful of plans, whatever clients send.
            int padded = paddedSize(images);
            HostTensor input =
                    batch.size() == 1 && padded == images ? batch.get(0).input() : stack(batch, padded);
            long t0 = System.nanoTime();
            HostTensor logits = s.run(input).logits();
            metrics.batch(batch.size(), (System.nanoTime() - t0) / 1e9);
            faultsInARow.set(0);
            int classes = logits.dim(1);
            int row = 0;
            for (Job j : batch) {
                int n = j.images();
                float[] mine = new float[n * classes];
                System.arraycopy(logits.data(), row * classes, mine, 0, mine.length);
                row += n;
                j.logits().complete(new HostTensor(new int[] {n, classes}, mine));
            }
        } catch (DeviceFaultException e) {
            faults.incrementAndGet();
            faultsInARow.incrementAndGet();
            lastFault = e.getMessage();
            for (Job j : batch) j.logits().completeExceptionally(e);
        } catch (RuntimeException e) {
            for (Job j : batch) j.logits().completeExceptionally(e);
        }
    }

    /** The batch sizes a forward runs at: 1, 2, 4, ... and {@code maxBatch} itself. */
    static List<Integer> sizes(int maxBatch) {
        List<Integer> out = new ArrayList<>();
        for (int b = 1; b < maxBatch; b <<= 1) out.add(b);
        out.add(maxBatch);
        return out;
    }

    /** The smallest of {@link #sizes} that holds {@code n} (at most maxBatch). */
    int paddedSize(int n) {
        for (int s : sizes) if (s >= n) return s;
        return maxBatch;
    }

    private static HostTensor stack(List<Job> batch, int padded) {
        int[] s = batch.get(0).input().shape();
        int per = s[1] * s[2] * s[3];
        float[] data = new float[padded * per];
        int at = 0;
        for (Job j : batch) {
            int[] js = j.input().shape();
            if (js[1] != s[1] || js[2] != s[2] || js[3] != s[3]) {
                throw new EdgeClException("images of one batch differ in shape");
            }
            System.arraycopy(j.input().data(), 0, data, at, j.input().data().length);
            at += j.input().data().length;
        }
        return new HostTensor(new int[] {padded, s[1], s[2], s[3]}, data);
    }

    /** Stops taking requests; the workers finish what was queued, then end. */
    @Override
    public void close() {
        stopping = true;
        for (Thread t : workers) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
