package io.edgecl.cl;

import io.edgecl.EdgeClException;
import io.edgecl.Warnings;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Chooses the OpenCL binding: {@code --binding}, else {@code -Dedgecl.binding}, else
 * EDGECL_BINDING, else JOCL. When the user chose none and JOCL cannot open the OpenCL library
 * (JOCL has no JNI library for arm32, for one), LWJGL is used instead and a notice says so once.
 */
public final class Bindings {
    public static final String PROPERTY = "edgecl.binding";
    public static final String ENV = "EDGECL_BINDING";
    private static final String DEFAULT = "jocl";
    private static final String OTHER = "lwjgl";

    private static final AtomicBoolean NOTICE_GIVEN = new AtomicBoolean();

    private Bindings() {}

    /** The binding the user chose (option, property or environment), or null for none. */
    public static String userChoice() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) return p;
        String e = System.getenv(ENV);
        if (e != null && !e.isBlank()) return e;
        return null;
    }

    public static String defaultName() {
        String u = userChoice();
        return u != null ? u : DEFAULT;
    }

    /**
     * Creates the named binding; null or empty means the user's choice, else JOCL with LWJGL
     * as the fallback. A binding named explicitly is never swapped: its error says which works.
     */
    public static ClBinding create(String name) {
        PoclEnvironment.apply();
        boolean explicit = name != null && !name.isBlank() || userChoice() != null;
        String n = (name == null || name.isBlank() ? defaultName() : name).toLowerCase(Locale.ROOT);
        if (explicit) {
            try {
                return open(n);
            } catch (OpenClLibraryException e) {
                String other = n.equals(DEFAULT) ? OTHER : DEFAULT;
                if (opens(other)) {
                    throw new OpenClLibraryException(
                            n,
                            e.getMessage().replaceFirst("; (set|check) .*$", "")
                                    + "; the " + other + " binding works here: use --binding " + other
                                    + " or leave the binding unset",
                            e);
                }
                throw e;
            }
        }
        try {
            return open(n);
        } catch (OpenClLibraryException first) {
            ClBinding b;
            try {
                b = open(OTHER);
            } catch (OpenClLibraryException second) {
                throw first;
            }
            if (NOTICE_GIVEN.compareAndSet(false, true)) {
                Warnings.warn("the " + n + " binding could not open OpenCL; using the " + OTHER + " binding with "
                        + b.library() + " (--binding " + OTHER + " says so explicitly)");
            }
            return b;
        }
    }

    private static boolean opens(String name) {
        try {
            open(name);
            return true;
        } catch (OpenClLibraryException e) {
            return false;
        }
    }

    private static ClBinding open(String n) {
        try {
            switch (n) {
                case "jocl":
                    return new JoclBinding();
                case "lwjgl":
                    return new LwjglBinding();
                default:
                    throw new EdgeClException("unknown OpenCL binding '" + n + "' (choose jocl or lwjgl)");
            }
        } catch (LinkageError e) {
            throw OpenClLibraryException.startFailed(n, "its native library did not load: " + e, e);
        }
    }
}
