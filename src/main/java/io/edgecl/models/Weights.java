package io.edgecl.models;

import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The parameters a model builder takes, by canonical key. Builders ask for each key with the
 * shape the spec implies; problems are collected over the whole build and reported together
 * by {@link #finish()}: every missing key, every unexpected key, every shape mismatch (with a
 * hint naming the spec field when the builder can tell).
 */
public final class Weights {
    private final Map<String, String> skipped = new java.util.LinkedHashMap<>();
    private final Map<String, HostTensor> tensors;
    private final String source;
    private final Long seed;
    private final Set<String> used = new LinkedHashSet<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> mismatched = new ArrayList<>();
    private final Map<String, int[]> expected = new LinkedHashMap<>();
    private final List<String> diagnoses = new ArrayList<>();
    private final Map<String, Long> counted = new LinkedHashMap<>();
    private long params;
    /** For a view ({@link #under}): the weights it reads, and the prefix of its keys there. */
    private final Weights parent;

    private final String prefix;

    private Weights(Map<String, HostTensor> tensors, String source, Long seed) {
        this.tensors = tensors;
        this.source = source;
        this.seed = seed;
        this.parent = null;
        this.prefix = "";
    }

    private Weights(Weights parent, String prefix) {
        this.tensors = parent.tensors;
        this.source = parent.source;
        this.seed = parent.seed;
        this.parent = parent;
        this.prefix = prefix;
    }

    /**
     * The weights under {@code prefix} as a model of their own sees them ("encoder." for a
     * backbone inside a detector): every key asked for, skipped or checked is prefixed, and what
     * is asked for counts in this object's parameters and report.
     */
    public Weights under(String prefix) {
        return parent != null ? parent.under(this.prefix + prefix) : new Weights(this, prefix);
    }

    /** Weights from a state dict (canonical keys); {@code source} names it in errors (a file path). */
    public static Weights of(Map<String, HostTensor> stateDict, String source) {
        return new Weights(stateDict, source, null);
    }

    /** Made-up weights of the right shapes (zeros, or random when {@code seed} is given), for counting and benchmarks. */
    public static Weights synthetic(Long seed) {
        return new Weights(null, "synthetic", seed);
    }

    public boolean isSynthetic() {
        return tensors == null;
    }

    /** A required parameter of the given shape. */
    public HostTensor get(String key, int... shape) {
        return get(key, null, shape);
    }

    /** A required parameter; {@code hint} names the spec field that decides its shape (for readers of the builder). */
    public synchronized HostTensor get(String key, String hint, int... shape) {
        if (parent != null) return parent.get(prefix + key, hint, shape);
        long n = 1;
        for (int d : shape) {
            if (d < 0)
                throw new ModelSpecException(
                        "parameter " + key + " would have a negative dimension " + Arrays.toString(shape));
            n = n > Long.MAX_VALUE / Math.max(1, d) ? Long.MAX_VALUE : n * d;
        }
        // Counted per key, so building the same model for another input shape does not count it twice;
        // checked before anything of this size is allocated (synthetic weights, or zeros for a mismatch).
        long next = params - counted.getOrDefault(key, 0L) + n;
        ModelBudget.checkParams(n > Integer.MAX_VALUE ? Long.MAX_VALUE : next, key, hint, shape);
        expected.put(key, shape.clone());
        counted.put(key, n);
        params = next;
        if (tensors == null) return make(key, shape);
        HostTensor t = tensors.get(key);
        used.add(key);
        if (t == null) {
            missing.add(key + " " + Arrays.toString(shape));
            return HostTensor.zeros(shape);
        }
        if (!Arrays.equals(squeeze(t.shape()), squeeze(shape))) {
            mismatched.add(key + ": expected " + Arrays.toString(shape) + ", found " + t.shapeString());
            return HostTensor.zeros(shape);
        }
        return t.reshape(shape);
    }

    /**
     * A required buffer (BatchNorm running statistics): checked like a parameter but not counted,
     * as the upstream's parameter count leaves buffers out.
     */
    public synchronized HostTensor buffer(String key, int... shape) {
        if (parent != null) return parent.buffer(prefix + key, shape);
        HostTensor t = get(key, shape);
        params -= counted.put(key, 0L);
        return t;
    }

    /** An optional parameter: null when the state dict lacks it (and the spec allows that). */
    public HostTensor optional(String key, int... shape) {
        if (parent != null) return parent.optional(prefix + key, shape);
        if (tensors == null) return null;
        if (!tensors.containsKey(key)) return null;
        return get(key, shape);
    }

    /**
     * What the builder could tell about the spec from the file (e.g. "dims: the file has
     * [16, 32, 48, 64], the spec [24, 48, 88, 168]"); printed first when the weights do not fit.
     */
    public void diagnose(String finding) {
        if (parent != null) {
            parent.diagnose(finding);
            return;
        }
        diagnoses.add(finding);
    }

    /** The file's shape for a key, or null (synthetic weights, or absent). */
    public int[] shapeOf(String key) {
        if (parent != null) return parent.shapeOf(prefix + key);
        if (tensors == null || !tensors.containsKey(key)) return null;
        return tensors.get(key).shape();
    }

    /** Keys of the file (empty for synthetic weights). */
    public Set<String> keys() {
        if (parent != null) {
            Set<String> under = new LinkedHashSet<>();
            for (String k : parent.keys()) if (k.startsWith(prefix)) under.add(k.substring(prefix.length()));
            return under;
        }
        return tensors == null ? Set.of() : tensors.keySet();
    }

    /** True when the state dict has this key (always false for synthetic weights). */
    public boolean has(String key) {
        if (parent != null) return parent.has(prefix + key);
        return tensors != null && tensors.containsKey(key);
    }

    private HostTensor make(String key, int[] shape) {
        HostTensor t = HostTensor.zeros(shape);
        if (seed != null) {
            // seeded per key, so every build of the same model draws the same values
            Random random = new Random(seed * 1_000_003L + key.hashCode());
            float[] d = t.data();
            boolean norm = key.endsWith("norm.weight")
                    || key.contains(".norm") && key.endsWith(".weight") && shape.length == 1;
            boolean variance = key.endsWith("running_var"); // must stay positive for BatchNorm folding
            for (int i = 0; i < d.length; i++) {
                double g = random.nextGaussian();
                d[i] = variance ? (float) (1 + 0.1 * Math.abs(g)) : norm ? (float) (1 + 0.1 * g) : (float) (0.05 * g);
            }
        }
        return t;
    }

    /** Throws {@link WeightMismatchException} when anything did not fit. */
    public void finish() {
        if (parent != null) {
            parent.finish();
            return;
        }
        if (tensors == null) return;
        List<String> unexpected = new ArrayList<>();
        for (String k : tensors.keySet()) {
            if (!used.contains(k) && !isBookkeeping(k) && skippedBy(k) == null)
                unexpected.add(k + " " + tensors.get(k).shapeString());
        }
        if (missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty()) return;
        // the first line says it all; the sections below give the keys
        List<String> summary = new ArrayList<>();
        if (!diagnoses.isEmpty()) {
            List<String> fields = new ArrayList<>();
            for (String d : diagnoses) fields.add(d.substring(0, d.indexOf(':') < 0 ? d.length() : d.indexOf(':')));
            summary.add("spec field" + (fields.size() > 1 ? "s " : " ") + String.join(", ", fields) + " disagree"
                    + (fields.size() > 1 ? "" : "s") + " with the file");
        }
        if (!missing.isEmpty()) summary.add(missing.size() + " missing key" + (missing.size() > 1 ? "s" : ""));
        if (!unexpected.isEmpty())
            summary.add(unexpected.size() + " unexpected key" + (unexpected.size() > 1 ? "s" : ""));
        if (!mismatched.isEmpty()) {
            summary.add(mismatched.size() + " shape mismatch" + (mismatched.size() > 1 ? "es" : ""));
        }
        StringBuilder b =
                new StringBuilder("weights in " + source + " do not fit the model: " + String.join("; ", summary));
        section(b, "spec fields that disagree with the file", diagnoses);
        section(b, "missing keys", missing);
        section(b, "unexpected keys", unexpected);
        section(b, "shape mismatches", mismatched);
        throw new WeightMismatchException(b.toString());
    }

    private static void section(StringBuilder b, String title, List<String> items) {
        if (items.isEmpty()) return;
        b.append("\n  ").append(title).append(" (").append(items.size()).append("):");
        int shown = 0;
        for (String s : items) {
            if (shown++ == 12) {
                b.append("\n    ... and ").append(items.size() - 12).append(" more");
                break;
            }
            b.append("\n    ").append(s);
        }
    }

    /**
     * Tensors under {@code prefix} are not part of the model (a training-only head such as
     * DeepLabV3's aux_classifier): they are neither used nor reported as unexpected.
     */
    public synchronized void skip(String prefix, String reason) {
        if (parent != null) {
            parent.skip(this.prefix + prefix, reason);
            return;
        }
        skipped.put(prefix, reason);
    }

    /** Why {@code key} is skipped, or null when it is not. */
    public synchronized String skippedBy(String key) {
        if (parent != null) return parent.skippedBy(prefix + key);
        for (var e : skipped.entrySet()) if (key.startsWith(e.getKey())) return e.getValue();
        return null;
    }

    /** The file's keys the model skipped on purpose, with why. */
    public synchronized Map<String, String> skippedKeys() {
        if (parent != null) return parent.skippedKeys();
        Map<String, String> out = new java.util.TreeMap<>();
        if (tensors != null) for (String k : tensors.keySet()) if (skippedBy(k) != null) out.put(k, skippedBy(k));
        return out;
    }

    static boolean isBookkeeping(String key) {
        return key.endsWith("num_batches_tracked");
    }

    /** Parameters asked for so far (upstream's count once the build is complete). */
    public long paramCount() {
        if (parent != null) return parent.paramCount();
        return params;
    }

    /** Every key the builder asked for, with its expected shape. */
    public Map<String, int[]> expected() {
        if (parent != null) return parent.expected();
        return expected;
    }

    private static int[] squeeze(int[] s) {
        // [h, 1, 1] temperatures and [C] vs [C, 1, 1] scales differ only by unit dimensions
        return Arrays.stream(s).filter(d -> d != 1).toArray();
    }
}
