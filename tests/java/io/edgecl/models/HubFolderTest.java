package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * timm's hub folders and the Hugging Face cache, built here in the layouts timm and
 * huggingface_hub write (config.json; models--owner--name/{blobs,refs,snapshots}), never downloaded.
 */
class HubFolderTest {
    static final Path DEMO_WEIGHTS = Path.of("src/main/resources/io/edgecl/demo/edgenext_fmnist.safetensors");
    static final Path DEMO_SPEC = Path.of("src/main/resources/io/edgecl/demo/edgenext_fmnist.json");
    static final Path ANKLE_BOOT = Path.of("src/main/resources/io/edgecl/demo/samples/00000_ankle_boot.png");

    @TempDir
    Path dir;

    /** The demo model as timm's save_for_hf would describe it: an edgenext with model_args and its data config. */
    static JsonObject demoConfig() throws Exception {
        JsonObject demo = JsonParser.parseString(Files.readString(DEMO_SPEC)).getAsJsonObject();
        JsonObject spec = demo.getAsJsonObject("spec");
        JsonObject args = new JsonObject();
        for (String k : List.of("dims", "depths", "heads")) args.add(k, spec.get(k));
        JsonObject pre = new JsonObject();
        pre.addProperty("tag", "fmnist");
        pre.addProperty("custom_load", false);
        pre.add("input_size", JsonParser.parseString("[3, 32, 32]"));
        pre.addProperty("fixed_input_size", false);
        pre.addProperty("interpolation", "bicubic");
        pre.addProperty("crop_pct", 1.0);
        pre.addProperty("crop_mode", "center");
        pre.add("mean", JsonParser.parseString("[0.485, 0.456, 0.406]"));
        pre.add("std", JsonParser.parseString("[0.229, 0.224, 0.225]"));
        pre.addProperty("num_classes", 10);
        pre.add("pool_size", JsonParser.parseString("[1, 1]"));
        pre.addProperty("first_conv", "stem.0");
        pre.addProperty("classifier", "head.fc");
        JsonObject c = new JsonObject();
        c.addProperty("architecture", "edgenext_xx_small");
        c.addProperty("num_classes", 10);
        c.addProperty("num_features", 64);
        c.addProperty("global_pool", "avg");
        c.add("label_names", demo.get("labels"));
        c.add("model_args", args);
        c.add("pretrained_cfg", pre);
        return c;
    }

    static Path hubFolder(Path where) throws Exception {
        Files.createDirectories(where);
        Files.writeString(where.resolve("config.json"), demoConfig().toString());
        Files.copy(DEMO_WEIGHTS, where.resolve("model.safetensors"));
        return where;
    }

    /** huggingface_hub's cache: blobs named by hash, snapshots of symlinks, refs/main naming the snapshot. */
    static Path hubCache(Path cache, String repo, String rev) throws Exception {
        Path root = cache.resolve("models--" + repo.replace("/", "--"));
        Files.createDirectories(root.resolve("blobs"));
        Files.createDirectories(root.resolve("refs"));
        Path snap = Files.createDirectories(root.resolve("snapshots").resolve(rev));
        Files.writeString(root.resolve("blobs/1111"), demoConfig().toString());
        Files.copy(DEMO_WEIGHTS, root.resolve("blobs/2222"));
        Files.createSymbolicLink(snap.resolve("config.json"), Path.of("../../blobs/1111"));
        Files.createSymbolicLink(snap.resolve("model.safetensors"), Path.of("../../blobs/2222"));
        Files.writeString(root.resolve("refs/main"), rev);
        return snap;
    }

    @Test
    void configJsonGivesArchitectureClassesPreprocessingAndLabels() throws Exception {
        HubFolder.Resolved r = HubFolder.folder(hubFolder(dir.resolve("hub")));
        VisionModel m = r.model();
        assertEquals(10, m.numClasses());
        assertEquals(32, m.preprocess().size());
        assertEquals(1.0, m.preprocess().cropPct());
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, m.preprocess().std());
        assertEquals("Ankle boot", m.labels().get(9));
        assertEquals(dir.resolve("hub/model.safetensors"), r.weights());
        // The weights fit the architecture config.json describes: every key, every shape.
        Weights w = ModelWeights.load(r.weights(), "auto");
        m.build(w, 1, 32, 32);
        w.finish();
    }

    @Test
    void labelDescriptionsNameTheClassesAndAMapOfIndicesWorks() throws Exception {
        JsonObject c = demoConfig();
        JsonObject names = new JsonObject(), desc = new JsonObject();
        for (int i = 0; i < 10; i++) {
            names.addProperty(String.valueOf(i), "n" + i);
            desc.addProperty("n" + i, "class number " + i);
        }
        c.add("label_names", names);
        c.add("label_descriptions", desc);
        VisionModel m = Models.fromSpec(HubFolder.spec(c));
        assertEquals("class number 7", m.labels().get(7));
    }

    @Test
    void badConfigsNameTheField() throws Exception {
        JsonObject c = demoConfig();
        c.remove("architecture");
        assertTrue(assertThrows(ModelSpecException.class, () -> HubFolder.spec(c))
                .getMessage()
                .contains("architecture"));
        JsonObject d = demoConfig();
        d.getAsJsonObject("pretrained_cfg").addProperty("crop_mode", "squash");
        assertTrue(assertThrows(ModelSpecException.class, () -> Models.fromSpec(HubFolder.spec(d)))
                .getMessage()
                .contains("crop_mode"));
        JsonObject e = demoConfig();
        JsonArray nine = new JsonArray();
        for (int i = 0; i < 9; i++) nine.add("c" + i);
        e.add("label_names", nine);
        String msg = assertThrows(ModelSpecException.class, () -> Models.fromSpec(HubFolder.spec(e)))
                .getMessage();
        assertTrue(msg.contains("labels: 9 names") && msg.contains("num_classes 10"), msg);
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("config.json"), demoConfig().toString());
        assertTrue(assertThrows(ModelSpecException.class, () -> HubFolder.folder(empty))
                .getMessage()
                .contains("no weights file"));
    }

    @Test
    void hubIdResolvesOfflineInTheCache() throws Exception {
        Path cache = dir.resolve("hub-cache");
        String rev = "0123456789abcdef0123456789abcdef01234567";
        Path snap = hubCache(cache, "timm/edgenext_fmnist.demo", rev);
        for (String id : List.of(
                "timm/edgenext_fmnist.demo",
                "hf-hub:timm/edgenext_fmnist.demo",
                "timm/edgenext_fmnist.demo@main",
                "timm/edgenext_fmnist.demo@" + rev)) {
            assertTrue(HubFolder.isHubId(id), id);
            HubFolder.Resolved r = HubFolder.fromHub(id, cache);
            assertEquals(snap.resolve("model.safetensors"), r.weights(), id);
            assertEquals(10, r.model().numClasses());
        }
        String miss = assertThrows(
                        ModelSpecException.class, () -> HubFolder.fromHub("timm/edgenext_xx_small.in1k", cache))
                .getMessage();
        assertTrue(miss.contains("huggingface-cli download timm/edgenext_xx_small.in1k"), miss);
        assertTrue(miss.contains(cache.toString()), miss);
        String noRev = assertThrows(
                        ModelSpecException.class, () -> HubFolder.fromHub("timm/edgenext_fmnist.demo@v2", cache))
                .getMessage();
        assertTrue(noRev.contains("--revision v2"), noRev);
    }

    /** The CLI end to end: a hub folder with -w, and a hub id with -m from HF_HUB_CACHE, classify a bundled image. */
    @Test
    void classifyFromAHubFolderAndFromAHubId() throws Exception {
        Path folder = hubFolder(dir.resolve("folder"));
        String out = cli(null, "classify", "-w", folder.toString(), ANKLE_BOOT.toString(), "--topk", "1");
        assertTrue(out.contains("1.") && out.contains("Ankle boot (9)"), out);
        Path cache = dir.resolve("hf");
        hubCache(cache, "someone/edgenext_fmnist.demo", "abc");
        out = cli(cache, "classify", "-m", "someone/edgenext_fmnist.demo", ANKLE_BOOT.toString(), "--topk", "1");
        assertTrue(out.contains("Ankle boot (9)"), out);
        // A file with config.json beside it is a hub folder too.
        out = cli(
                null,
                "classify",
                "-w",
                folder.resolve("model.safetensors").toString(),
                ANKLE_BOOT.toString(),
                "--topk",
                "1");
        assertTrue(out.contains("Ankle boot (9)"), out);
    }

    private static String cli(Path hubCache, String... args) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd =
                new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "io.edgecl.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("HF_HOME");
        if (hubCache != null) pb.environment().put("HF_HUB_CACHE", hubCache.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
