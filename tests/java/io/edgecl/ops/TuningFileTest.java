package io.edgecl.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.SharedFiles;
import io.edgecl.TestSupport;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ProgramCache;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tuning table is shared by processes: storing a choice keeps those another process stored. */
class TuningFileTest {
    @Test
    void aChoiceAnotherProcessStoredMeanwhileIsKept(@TempDir Path dir) throws Exception {
        String before = System.getProperty(ProgramCache.DIR_PROPERTY);
        System.setProperty(ProgramCache.DIR_PROPERTY, dir.toString());
        Tuning.reload();
        try {
            ClContext ctx = TestSupport.context();
            Tuning.store(ctx, "test:a", "x");
            Path f = Tuning.file(ctx.info());
            // another process stores its choice after this one loaded the table
            SharedFiles.update(f, old -> {
                JsonObject o = JsonParser.parseString(old).getAsJsonObject();
                o.addProperty("test:b", "y");
                return o.toString();
            });
            Tuning.store(ctx, "test:c", "z");
            JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            assertEquals(3, o.size(), o.toString());
            assertEquals("y", o.get("test:b").getAsString());
            assertEquals("y", Tuning.lookup(ctx, "test:b"), "and this process sees it now");
            Tuning.remove(ctx, "test:b");
            assertEquals(
                    2,
                    JsonParser.parseString(Files.readString(f))
                            .getAsJsonObject()
                            .size());
        } finally {
            if (before == null) System.clearProperty(ProgramCache.DIR_PROPERTY);
            else System.setProperty(ProgramCache.DIR_PROPERTY, before);
            Tuning.reload();
        }
    }
}
