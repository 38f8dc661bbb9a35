package io.edgecl.graph;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.ops.OpChoices;
import io.edgecl.tensor.HostTensor;
import java.util.function.Supplier;

/** What an op needs from the plan to give its launches: device buffers for values and weights. */
public interface Lowering {
    ClContext ctx();

    /** The kernel choices of the op being lowered: forced by its session, or tuned for its shape. */
    OpChoices choices();

    /** The device buffer of an activation. */
    ClBuffer buf(Value v);

    /**
     * Whether {@code v}'s buffer holds NCHW floats rather than the plan's NHWC storage: only for
     * the output of an op that {@link OpSpec#writesNchwOutput writes that layout}, when it is a
     * graph output no op reads.
     */
    default boolean nchwOutput(Value v) {
        return false;
    }

    /**
     * The network's input as the NCHW floats the caller wrote, when {@code v} is that input: an op
     * that reads it from this buffer (and never through {@link #buf}) spares the plan its layout
     * launch. Null for every other value.
     */
    default ClBuffer nchwInput(Value v) {
        return null;
    }

    /** {@code t} on the device (uploaded once per session); null for null. */
    ClBuffer weight(HostTensor t);

    /** {@code t} re-laid out for a kernel (e.g. GEMM panels), made by {@code relayout} once per layout name. */
    ClBuffer weight(HostTensor t, String layout, Supplier<float[]> relayout);

    /** A scratch buffer of {@code bytes} for one op's launches, owned by the plan, zeros at first. */
    ClBuffer scratch(long bytes, String name);

    /**
     * A scratch buffer of at least {@code bytes} that the plan's ops share: its contents are
     * undefined when an op starts, so an op may use it only for values its own launches write
     * before they read them, or, as the pool's partial sums of rule se-pool, for values the op
     * right after it in the plan reads.
     */
    ClBuffer transientScratch(long bytes, String name);

    /**
     * Float partial sums [n, rows, c] over the pixels of activation {@code of}, which the launch
     * that writes it writes beside it (for a squeeze-excite pool that then reads them instead of
     * the activation).
     */
    record PoolParts(Value of, ClBuffer buffer, int rows) {
        /** The sums' size for {@code v} in {@code rows} parts per image. */
        static long bytes(Value v, int rows) {
            return 4L * v.n * rows * v.c;
        }
    }

    /** Records that the op being lowered writes {@code parts}. */
    default void providePoolParts(PoolParts parts) {
        throw new UnsupportedOperationException("this lowering keeps no pool partial sums");
    }

    /**
     * The buffer for partial sums of {@code v} in {@code rows} parts per image, which the op being
     * lowered writes and the op lowered next may read ({@link #poolParts}): in the shared transient
     * scratch, which no op between them could overwrite.
     */
    default ClBuffer writePoolParts(Value v, int rows) {
        ClBuffer b = transientScratch(PoolParts.bytes(v, rows), "se-pool-parts");
        providePoolParts(new PoolParts(v, b, rows));
        return b;
    }

    /**
     * The partial sums {@code v}'s producer writes, or null where it writes none or is not the op
     * right before this one (the sums live in the shared transient scratch).
     */
    default PoolParts poolParts(Value v) {
        return null;
    }

    /**
     * {@code l} with {@code mid}, a value the graph does not hold (the intermediate of a fused op
     * run as its halves' launches), in {@code scratch}; it hands out no transient scratch, which
     * {@code scratch} already is.
     */
    static Lowering withScratchValue(Lowering l, Value mid, ClBuffer scratch) {
        return new Lowering() {
            public ClContext ctx() {
                return l.ctx();
            }

            public OpChoices choices() {
                return l.choices();
            }

            public ClBuffer buf(Value v) {
                return v == mid ? scratch : l.buf(v);
            }

            public ClBuffer weight(HostTensor t) {
                return l.weight(t);
            }

            public ClBuffer weight(HostTensor t, String layout, Supplier<float[]> relayout) {
                return l.weight(t, layout, relayout);
            }

            public ClBuffer scratch(long bytes, String name) {
                return l.scratch(bytes, name);
            }

            public ClBuffer transientScratch(long bytes, String name) {
                throw new IllegalStateException("the halves of a fused op take no transient scratch of their own");
            }
        };
    }
}
