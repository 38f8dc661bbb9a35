package io.edgecl.cl;

import io.edgecl.EdgeClException;
import java.util.Locale;

/** Chooses the OpenCL binding: {@code --binding}, else {@code -Dedgecl.binding}, else EDGECL_BINDING, else JOCL. */
public final class Bindings {
    public static final String PROPERTY = "edgecl.binding";
    public static final String ENV = "EDGECL_BINDING";

    private Bindings() {}

    public static String defaultName() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) return p;
        String e = System.getenv(ENV);
        if (e != null && !e.isBlank()) return e;
        return "jocl";
    }

    /** Creates the named binding; null or empty means {@link #defaultName()}. */
    public static ClBinding create(String name) {
        String n = (name == null || name.isBlank() ? defaultName() : name).toLowerCase(Locale.ROOT);
        try {
            switch (n) {
                case "jocl":
                    return new JoclBinding();
                case "lwjgl":
                    return new LwjglBinding();
                default:
                    throw new EdgeClException("unknown OpenCL binding '" + name + "' (choose jocl or lwjgl)");
            }
        } catch (LinkageError e) {
            throw new NoOpenClException("the " + n + " binding could not load its native library: " + e, e);
        }
    }
}
