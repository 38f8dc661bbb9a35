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
}
