package io.edgecl.io.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code eval --limit}: a seeded sample over every class, in the folder's order. */
class ImageFolderSampleTest {
    private static List<ImageFolder.Item> items(int... perClass) {
        List<ImageFolder.Item> out = new ArrayList<>();
        for (int c = 0; c < perClass.length; c++) {
            for (int i = 0; i < perClass[c]; i++) out.add(new ImageFolder.Item(Path.of(c + "/" + i + ".png"), c));
        }
        return out;
    }

    @Test
    void everyClassIsSampledAndOrderIsKept() {
        List<ImageFolder.Item> all = items(100, 100, 3, 100);
        List<ImageFolder.Item> s = ImageFolder.sample(all, 20, 0);
        assertEquals(20, s.size());
        int[] per = new int[4];
        for (ImageFolder.Item it : s) per[it.label()]++;
        assertEquals(3, per[2], "a small class gives all it has");
        for (int c : new int[] {0, 1, 3}) assertTrue(per[c] >= 5, "class " + c + ": " + per[c]);
        for (int i = 1; i < s.size(); i++)
            assertTrue(all.indexOf(s.get(i - 1)) < all.indexOf(s.get(i)), "folder order");
    }

    @Test
    void seededAndRepeatable() {
        List<ImageFolder.Item> all = items(50, 50, 50);
        assertEquals(ImageFolder.sample(all, 10, 7), ImageFolder.sample(all, 10, 7));
        assertNotEquals(ImageFolder.sample(all, 10, 7), ImageFolder.sample(all, 10, 8));
        assertSame(all, ImageFolder.sample(all, 150, 0), "a limit at or above the size takes everything");
    }
}
