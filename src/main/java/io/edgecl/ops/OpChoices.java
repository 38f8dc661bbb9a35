package io.edgecl.ops;

import java.util.Optional;

/**
 * The kernel choices one op is lowered with: what its session forces, else what was tuned for
 * its shape. Empty means the op's family applies its device class's default ({@link
 * KernelDefaults}) and the shape rules that go with it. Given to ops by the plan; ops read no
 * other state to choose a kernel.
 */
public final class OpChoices {
    /** No forced or tuned choice: every family's device default. */
    public static final OpChoices DEFAULTS = KernelChoices.DEFAULTS.at(io.edgecl.tensor.Precision.FP32, "");

    private final KernelChoices table;
    private final io.edgecl.tensor.Precision precision;
    private final String shape;

    OpChoices(KernelChoices table, io.edgecl.tensor.Precision precision, String shape) {
        this.table = table;
        this.precision = precision;
        this.shape = shape;
    }

    /** Only {@code value} forced for {@code family} (tests and checks of one variant). */
    public static <C> OpChoices forcing(KernelFamily<C> family, C value) {
        return KernelChoices.DEFAULTS.forcing(family, value).at(io.edgecl.tensor.Precision.FP32, "");
    }

    /** The forced choice of {@code family}, else the one tuned for this op's shape. */
    public <C> Optional<C> get(KernelFamily<C> family) {
        Optional<C> forced = table.forced(family);
        if (forced.isPresent()) return forced;
        return table.tuned(new TuningKey(family, precision, shape));
    }

    /**
     * The forced or tuned choice of {@code family}, else the default of {@code device}'s class
     * ({@link KernelDefaults}): how every family but the GEMM settles its kernel.
     */
    public <C> C resolve(KernelFamily<C> family, io.edgecl.cl.DeviceInfo device) {
        return get(family).orElseGet(() -> KernelDefaults.get(device, family));
    }

    /**
     * The GEMM of this op, M × N × K: forced, else tuned for the op, else tuned for the GEMM
     * problem itself ({@code edgecl tune}'s per-shape measurements).
     */
    public Optional<Gemm.Config> gemm(int m, int n, int k) {
        Optional<Gemm.Config> c = get(KernelFamily.GEMM);
        return c.isPresent() ? c : table.tuned(TuningKey.gemm(precision, m, n, k));
    }

    /** Below this many FLOPs a panel kernel takes its epilogue as an argument (see {@link Gemm}). */
    public long runtimeEpilogueFlops() {
        return table.runtimeEpilogueFlops();
    }
}
