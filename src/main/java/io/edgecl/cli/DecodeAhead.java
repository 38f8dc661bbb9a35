package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.io.image.RgbImage;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Decodes and preprocesses images on worker threads, a few batches ahead, in order, while the
 * device runs the current batch; holds at most three batches of tensors, whatever the count.
 */
final class DecodeAhead<T> implements AutoCloseable {
    /** One image: its tensor, or why it could not be read. */
    record Decoded<T>(T item, HostTensor tensor, String error, int width, int height) {}

    private final List<T> items;
    private final Function<T, RgbImage> decoder;
    private final Preprocessor pre;
    private final int batch;
    private final ExecutorService pool;
    private final Deque<Future<Decoded<T>>> queue = new ArrayDeque<>();
    private int next;

    DecodeAhead(List<T> items, Function<T, RgbImage> decoder, Preprocessor pre, int batch, Integer workers) {
        this.items = items;
        this.decoder = decoder;
        this.pre = pre;
        this.batch = batch;
        int threads = workers != null
                ? Math.max(1, workers)
                : Math.max(1, Runtime.getRuntime().availableProcessors());
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "edgecl-decode");
            t.setDaemon(true);
            return t;
        });
        while (next < items.size() && queue.size() < batch * 3) queue.add(submit(items.get(next++)));
    }

    boolean hasNext() {
        return !queue.isEmpty();
    }

    /** The next (up to) {@code batch} images in order, failures included. */
    List<Decoded<T>> nextChunk() throws InterruptedException {
        List<Decoded<T>> chunk = new ArrayList<>();
        while (chunk.size() < batch && !queue.isEmpty()) {
            chunk.add(get(queue.poll()));
            if (next < items.size()) queue.add(submit(items.get(next++)));
        }
        return chunk;
    }

    private Future<Decoded<T>> submit(T item) {
        return pool.submit(() -> {
            try {
                RgbImage img = decoder.apply(item);
                return new Decoded<>(item, pre.apply(img), null, img.width(), img.height());
            } catch (EdgeClException e) {
                return new Decoded<>(item, null, e.getMessage(), 0, 0);
            } catch (RuntimeException e) {
                return new Decoded<>(item, null, e.toString(), 0, 0);
            }
        });
    }

    private static <T> Decoded<T> get(Future<Decoded<T>> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
