package io.edgecl.models;

/** What every network of a family has before its architecture: its name, its family and its classes. */
abstract class Network implements VisionModel {
    private final String name;
    private final String family;
    private final int numClasses;

    Network(String name, String family, int numClasses) {
        this.name = name;
        this.family = family;
        this.numClasses = numClasses;
    }

    /** Least common multiple, e.g. of the strides an input size must be a multiple of. */
    static long lcm(long a, long b) {
        long x = a, y = b;
        while (y != 0) {
            long t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }

    static int lcmInt(int a, int b) {
        return Math.toIntExact(lcm(a, b));
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String family() {
        return family;
    }

    @Override
    public final int numClasses() {
        return numClasses;
    }

    /** A network built from a parsed configuration record of its family, which {@link #config} gives back. */
    abstract static class Configured<C> extends Network {
        final C cfg;

        Configured(String name, String family, int numClasses, C cfg) {
            super(name, family, numClasses);
            this.cfg = cfg;
        }

        /** The parsed configuration this network was built from. */
        public C config() {
            return cfg;
        }
    }
}
