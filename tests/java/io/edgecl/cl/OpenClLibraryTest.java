package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library search: what it looks at, what it skips, and the error when nothing opens. */
class OpenClLibraryTest {
    @TempDir
    Path dir;

    @Test
    void searchCoversTheSystemsItIsFor() {
        List<String> paths = OpenClLibrary.searchPaths();
        for (String p : List.of(
                "/usr/lib/x86_64-linux-gnu/libOpenCL.so.1",
                "/usr/lib/x86_64-linux-gnu/libOpenCL.so",
                "/usr/lib/aarch64-linux-gnu/libOpenCL.so.1",
                "/usr/lib/arm-linux-gnueabihf/libOpenCL.so.1",
                "/usr/lib/aarch64-linux-gnu/libmali.so",
                "/vendor/lib64/libOpenCL.so",
                "/system/vendor/lib64/libOpenCL.so")) {
            assertTrue(paths.contains(p), p + " is searched");
        }
        // The loader's SONAME comes before the development symlink in every directory.
        assertTrue(paths.indexOf("/usr/lib/x86_64-linux-gnu/libOpenCL.so.1")
                < paths.indexOf("/usr/lib/x86_64-linux-gnu/libOpenCL.so"));
    }

    @Test
    void linkAndTargetAreTriedOnce() throws Exception {
        Path real = Files.write(dir.resolve("libOpenCL.so.1.0.0"), new byte[] {1});
        Path so1 = Files.createSymbolicLink(dir.resolve("libOpenCL.so.1"), real.getFileName());
        Path so = Files.createSymbolicLink(dir.resolve("libOpenCL.so"), so1.getFileName());
        List<String> got = OpenClLibrary.existing(
                List.of(so1.toString(), dir.resolve("absent.so").toString(), so.toString()), Files::isRegularFile);
        assertEquals(List.of(so1.toString()), got);
    }

    @Test
    void filesThatCannotBeThisProcesssLibraryAreNamedWithTheReason() throws Exception {
        assertEquals("absent", OpenClLibrary.unusable(dir.resolve("nope.so").toString()));
        assertEquals("not a file", OpenClLibrary.unusable(dir.toString()));
        Path text = Files.writeString(dir.resolve("text.so"), "not an ELF file at all");
        assertEquals("not a shared library", OpenClLibrary.unusable(text.toString()));
        // An ELF header for another machine: 64-bit little-endian, e_machine 0x5555.
        byte[] h = new byte[64];
        h[0] = 0x7f;
        h[1] = 'E';
        h[2] = 'L';
        h[3] = 'F';
        h[4] = 2;
        h[5] = 1;
        h[18] = 0x55;
        h[19] = 0x55;
        Path foreign = Files.write(dir.resolve("foreign.so"), h);
        String why = OpenClLibrary.unusable(foreign.toString());
        assertNotNull(why);
        assertTrue(why.startsWith("built for another CPU"), why);
        // A bare name is left to the dynamic linker; this JVM's own libjava is a usable ELF file.
        assertNull(OpenClLibrary.unusable("libOpenCL.so.1"));
        Path libjava = Path.of(System.getProperty("java.home"), "lib", "libjava.so");
        if (Files.exists(libjava)) assertNull(OpenClLibrary.unusable(libjava.toString()));
    }

    @Test
    void failedSearchListsEveryAttemptAndWhatToDo() {
        List<String> opened = new ArrayList<>();
        String saved = System.getProperty(OpenClLibrary.PROPERTY);
        System.setProperty(OpenClLibrary.PROPERTY, dir.resolve("libOpenCL.so.1").toString());
        try {
            OpenClLibraryException e = assertThrows(
                    OpenClLibraryException.class,
                    () -> OpenClLibrary.load("test", p -> {
                        opened.add(p);
                        return "refused";
                    }));
            assertTrue(opened.isEmpty(), "an absent file is never handed to the native loader");
            String m = e.getMessage();
            assertTrue(m.contains(dir.resolve("libOpenCL.so.1") + " (absent)"), m);
            assertTrue(m.contains("EDGECL_OPENCL_LIB"), m);
            assertTrue(m.contains("apt-get install pocl-opencl-icd"), m);
            assertTrue(!m.contains("\n"), "one line: " + m);
        } finally {
            if (saved == null) System.clearProperty(OpenClLibrary.PROPERTY);
            else System.setProperty(OpenClLibrary.PROPERTY, saved);
        }
    }

    @Test
    void userChoiceIsTheOnlyCandidate() {
        String saved = System.getProperty(OpenClLibrary.PROPERTY);
        System.setProperty(OpenClLibrary.PROPERTY, "/some/where/libOpenCL.so");
        try {
            assertEquals(List.of("/some/where/libOpenCL.so"), OpenClLibrary.candidates());
        } finally {
            if (saved == null) System.clearProperty(OpenClLibrary.PROPERTY);
            else System.setProperty(OpenClLibrary.PROPERTY, saved);
        }
    }
}
