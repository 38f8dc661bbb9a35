package org.jocl;

import io.edgecl.cl.OpenClLibrary;

/**
 * Replaces JOCL's own initializer of the same name, which asks the dynamic linker for the
 * unversioned {@code libOpenCL.so} only (a file that development packages alone install, so
 * fresh machines and boards fail). JOCL's {@code CL} class calls this once, from its static
 * initializer, after loading its JNI library; this opens the library {@link OpenClLibrary} finds.
 * The shaded jar drops JOCL's copy; on a plain class path whichever comes first wins, and
 * EdgeCL then falls back to the LWJGL binding if JOCL cannot open the library.
 */
final class LibInitializer {
    private LibInitializer() {}

    static void initNativeLibrary() {
        String path;
        try {
            path = OpenClLibrary.load("jocl", p -> CL.initNativeLibrary(p) ? null : "JOCL could not open it");
        } catch (RuntimeException e) {
            // CL's static initializer may only fail with an Error; the message carries the search.
            throw new UnsatisfiedLinkError(e.getMessage());
        }
        OpenClLibrary.recordLoaded("jocl", path);
    }
}
