package io.edgecl.cl;

/**
 * Typed native handles: each kind wraps the binding's own object (a JOCL {@code cl_mem}, an
 * LWJGL {@code long}), so a buffer cannot be passed where a kernel is expected. Owned by the
 * binding; the wrappers above it ({@link ClBuffer}, {@link ClKernel}, …) release them.
 */
public sealed interface ClHandle {
    Object raw();

    record Platform(Object raw) implements ClHandle {}

    record Device(Object raw) implements ClHandle {}

    record Context(Object raw) implements ClHandle {}

    record Queue(Object raw) implements ClHandle {}

    record Buffer(Object raw) implements ClHandle {}

    record Program(Object raw) implements ClHandle {}

    record Kernel(Object raw) implements ClHandle {}

    record Event(Object raw) implements ClHandle {}
}
