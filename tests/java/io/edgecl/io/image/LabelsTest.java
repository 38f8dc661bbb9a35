package io.edgecl.io.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelsTest {
    @TempDir
    Path tmp;

    @Test
    void imagenet1k() {
        Labels l = Labels.imagenet1k();
        assertEquals(1000, l.size());
        assertEquals("tench", l.name(0));
        assertEquals("goldfish", l.name(1));
        assertEquals("great white shark", l.name(2));
        assertEquals("toilet tissue", l.name(999));
        assertEquals("tench, Tinca tinca", l.description(0));
        // WordNet names two classes "crane" (bird 134, machine 517); the file keeps both
        assertEquals("crane", l.name(134));
        assertEquals("crane", l.name(517));
        assertThrows(IndexOutOfBoundsException.class, () -> l.name(1000));
    }

    @Test
    void fromFile() throws IOException {
        Path f = tmp.resolve("labels.txt");
        Files.writeString(f, "cat\ndog\tcanine, domestic dog\n  bird  \n");
        Labels l = Labels.fromFile(f);
        assertEquals(3, l.size());
        assertEquals("dog", l.name(1));
        assertEquals("canine, domestic dog", l.description(1));
        assertEquals("bird", l.name(2));
    }

    @Test
    void blankLineIsRejectedWithItsNumber() throws IOException {
        Path f = tmp.resolve("labels.txt");
        Files.writeString(f, "cat\ndog\n\nbird\n");
        ImageException e = assertThrows(ImageException.class, () -> Labels.fromFile(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void missingOrEmptyFile() throws IOException {
        ImageException e = assertThrows(ImageException.class, () -> Labels.fromFile(tmp.resolve("nope.txt")));
        assertTrue(e.getMessage().contains("nope.txt"));
        Path empty = Files.createFile(tmp.resolve("empty.txt"));
        assertThrows(ImageException.class, () -> Labels.fromFile(empty));
    }
}
