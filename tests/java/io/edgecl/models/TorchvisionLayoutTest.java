package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.cli.InspectCommand;
import io.edgecl.io.TinyPth;
import io.edgecl.io.WeightFile;
import io.edgecl.tensor.HostTensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * torchvision state dicts, written out name by name and shape by shape from torchvision's module
 * definitions (torchvision/models/mobilenetv2.py, mobilenetv3.py, efficientnet.py, convnext.py),
 * filled with random values, mapped to timm's names and loaded into the models.
 */
class TorchvisionLayoutTest {
    @TempDir
    Path dir;

    // ---- torchvision key lists ----------------------------------------------------------------

    /** torchvision's _make_divisible (divisor 8, at most 10% lost). */
    static int md(double v) {
        int n = Math.max(8, (int) (v + 4) / 8 * 8);
        if (n < 0.9 * v) n += 8;
        return n;
    }

    static void conv(Map<String, int[]> m, String p, int out, int in, int k, boolean bias) {
        m.put(p + ".weight", new int[] {out, in, k, k});
        if (bias) m.put(p + ".bias", new int[] {out});
    }

    static void bn(Map<String, int[]> m, String p, int c) {
        for (String s : new String[] {"weight", "bias", "running_mean", "running_var"})
            m.put(p + "." + s, new int[] {c});
        m.put(p + ".num_batches_tracked", new int[0]);
    }

    static void linear(Map<String, int[]> m, String p, int out, int in) {
        m.put(p + ".weight", new int[] {out, in});
        m.put(p + ".bias", new int[] {out});
    }

    static void layerNorm(Map<String, int[]> m, String p, int c) {
        m.put(p + ".weight", new int[] {c});
        m.put(p + ".bias", new int[] {c});
    }

    /** MobileNetV2(width_mult): Conv2dNormActivation stem, InvertedResidual per (t, c, n, s), 1x1 head, Dropout + Linear. */
    static Map<String, int[]> mobilenetV2(double w) {
        Map<String, int[]> m = new LinkedHashMap<>();
        int in = md(32 * w), last = md(1280 * Math.max(1.0, w));
        conv(m, "features.0.0", in, 3, 3, false);
        bn(m, "features.0.1", in);
        int[][] setting = {{1, 16, 1}, {6, 24, 2}, {6, 32, 3}, {6, 64, 4}, {6, 96, 3}, {6, 160, 3}, {6, 320, 1}};
        int idx = 1;
        for (int[] s : setting) {
            int out = md(s[1] * w);
            for (int i = 0; i < s[2]; i++) {
                int hidden = (int) Math.rint(in * (double) s[0]);
                String p = "features." + idx++ + ".conv";
                if (s[0] != 1) {
                    conv(m, p + ".0.0", hidden, in, 1, false);
                    bn(m, p + ".0.1", hidden);
                    conv(m, p + ".1.0", hidden, 1, 3, false);
                    bn(m, p + ".1.1", hidden);
                    conv(m, p + ".2", out, hidden, 1, false);
                    bn(m, p + ".3", out);
                } else {
                    conv(m, p + ".0.0", hidden, 1, 3, false);
                    bn(m, p + ".0.1", hidden);
                    conv(m, p + ".1", out, hidden, 1, false);
                    bn(m, p + ".2", out);
                }
                in = out;
            }
        }
        conv(m, "features." + idx + ".0", last, in, 1, false);
        bn(m, "features." + idx + ".1", last);
        linear(m, "classifier.1", 1000, last);
        return m;
    }

    /** efficientnet_bN: MBConv stages (expand, depthwise, SqueezeExcitation fc1/fc2, project), 4× head, Dropout + Linear. */
    static Map<String, int[]> efficientNet(double w, double d) {
        Map<String, int[]> m = new LinkedHashMap<>();
        // expand_ratio, kernel, stride, input_channels, out_channels, num_layers
        int[][] setting = {
            {1, 3, 1, 32, 16, 1},
            {6, 3, 2, 16, 24, 2},
            {6, 5, 2, 24, 40, 2},
            {6, 3, 2, 40, 80, 3},
            {6, 5, 1, 80, 112, 3},
            {6, 5, 2, 112, 192, 4},
            {6, 3, 1, 192, 320, 1}
        };
        int stem = md(32 * w);
        conv(m, "features.0.0", stem, 3, 3, false);
        bn(m, "features.0.1", stem);
        for (int i = 0; i < setting.length; i++) {
            int[] s = setting[i];
            int cin = md(s[3] * w), out = md(s[4] * w), n = (int) Math.ceil(s[5] * d);
            for (int j = 0; j < n; j++) {
                int in = j == 0 ? cin : out;
                int exp = md(in * (double) s[0]);
                String p = "features." + (i + 1) + "." + j + ".block.";
                int k = 0;
                if (exp != in) {
                    conv(m, p + k + ".0", exp, in, 1, false);
                    bn(m, p + k++ + ".1", exp);
                }
                conv(m, p + k + ".0", exp, 1, s[1], false);
                bn(m, p + k++ + ".1", exp);
                int sq = Math.max(1, in / 4);
                conv(m, p + k + ".fc1", sq, exp, 1, true);
                conv(m, p + k++ + ".fc2", exp, sq, 1, true);
                conv(m, p + k + ".0", out, exp, 1, false);
                bn(m, p + k + ".1", out);
            }
        }
        int lastIn = md(320 * w), head = 4 * lastIn;
        conv(m, "features.8.0", head, lastIn, 1, false);
        bn(m, "features.8.1", head);
        linear(m, "classifier.1", 1000, head);
        return m;
    }

    /** ConvNeXt: patchify stem + LayerNorm2d, CNBlocks (dw 7x7, LayerNorm, Linear, GELU, Linear, layer_scale), downsamples, head. */
    static Map<String, int[]> convNext(int[] dims, int[] depths) {
        Map<String, int[]> m = new LinkedHashMap<>();
        conv(m, "features.0.0", dims[0], 3, 4, true);
        layerNorm(m, "features.0.1", dims[0]);
        for (int i = 0; i < 4; i++) {
            int c = dims[i];
            for (int j = 0; j < depths[i]; j++) {
                String p = "features." + (2 * i + 1) + "." + j;
                m.put(p + ".layer_scale", new int[] {c, 1, 1});
                conv(m, p + ".block.0", c, 1, 7, true);
                layerNorm(m, p + ".block.2", c);
                linear(m, p + ".block.3", 4 * c, c);
                linear(m, p + ".block.5", c, 4 * c);
            }
            if (i < 3) {
                layerNorm(m, "features." + (2 * i + 2) + ".0", c);
                conv(m, "features." + (2 * i + 2) + ".1", dims[i + 1], c, 2, true);
            }
        }
        layerNorm(m, "classifier.0", dims[3]);
        linear(m, "classifier.2", 1000, dims[3]);
        return m;
    }

    /** MobileNetV3 (large or small) as torchvision builds it, width 1.0. */
    static Map<String, int[]> mobilenetV3(boolean small) {
        // input, kernel, expanded, out, use_se
        int[][] large = {
            {16, 3, 16, 16, 0},
            {16, 3, 64, 24, 0},
            {24, 3, 72, 24, 0},
            {24, 5, 72, 40, 1},
            {40, 5, 120, 40, 1},
            {40, 5, 120, 40, 1},
            {40, 3, 240, 80, 0},
            {80, 3, 200, 80, 0},
            {80, 3, 184, 80, 0},
            {80, 3, 184, 80, 0},
            {80, 3, 480, 112, 1},
            {112, 3, 672, 112, 1},
            {112, 5, 672, 160, 1},
            {160, 5, 960, 160, 1},
            {160, 5, 960, 160, 1}
        };
        int[][] smallSet = {
            {16, 3, 16, 16, 1},
            {16, 3, 72, 24, 0},
            {24, 3, 88, 24, 0},
            {24, 5, 96, 40, 1},
            {40, 5, 240, 40, 1},
            {40, 5, 240, 40, 1},
            {40, 5, 120, 48, 1},
            {48, 5, 144, 48, 1},
            {48, 5, 288, 96, 1},
            {96, 5, 576, 96, 1},
            {96, 5, 576, 96, 1}
        };
        int[][] set = small ? smallSet : large;
        Map<String, int[]> m = new LinkedHashMap<>();
        conv(m, "features.0.0", 16, 3, 3, false);
        bn(m, "features.0.1", 16);
        int idx = 1;
        for (int[] s : set) {
            String p = "features." + idx++ + ".block.";
            int k = 0;
            if (s[2] != s[0]) {
                conv(m, p + k + ".0", s[2], s[0], 1, false);
                bn(m, p + k++ + ".1", s[2]);
            }
            conv(m, p + k + ".0", s[2], 1, s[1], false);
            bn(m, p + k++ + ".1", s[2]);
            if (s[4] == 1) {
                int sq = md(s[2] / 4);
                conv(m, p + k + ".fc1", sq, s[2], 1, true);
                conv(m, p + k++ + ".fc2", s[2], sq, 1, true);
            }
            conv(m, p + k + ".0", s[3], s[2], 1, false);
            bn(m, p + k + ".1", s[3]);
        }
        int lastIn = set[set.length - 1][3];
        conv(m, "features." + idx + ".0", 6 * lastIn, lastIn, 1, false);
        bn(m, "features." + idx + ".1", 6 * lastIn);
        linear(m, "classifier.0", small ? 1024 : 1280, 6 * lastIn);
        linear(m, "classifier.3", 1000, small ? 1024 : 1280);
        return m;
    }

    /** Random tensors of the given shapes (BatchNorm variances positive). */
    static Map<String, HostTensor> fill(Map<String, int[]> shapes, long seed) {
        Random r = new Random(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        shapes.forEach((k, s) -> {
            HostTensor t = HostTensor.zeros(s);
            float[] d = t.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = k.endsWith("running_var") ? 1 + r.nextFloat() : (float) (0.05 * r.nextGaussian());
            }
            out.put(k, t);
        });
        return out;
    }

    // ---- checks -------------------------------------------------------------------------------

    /**
     * Maps {@code sd}, builds {@code model} from it and checks that the mapped keys are exactly the
     * keys the builder asked for (besides BatchNorm bookkeeping), with timm's shapes.
     */
    static Map<String, HostTensor> mapAndBuild(Map<String, HostTensor> sd, String model) {
        assertEquals(KeyLayout.TORCHVISION, KeyLayout.detect(sd.keySet()));
        Map<String, HostTensor> mapped = KeyLayout.TORCHVISION.toCanonical(sd);
        Weights w = Weights.of(mapped, "synthetic torchvision");
        var m = Models.byName(model);
        m.build(w, 1, 224, 224);
        w.finish();
        Set<String> keys = new TreeSet<>(mapped.keySet());
        keys.removeIf(k -> k.endsWith("num_batches_tracked"));
        assertEquals(new TreeSet<>(w.expected().keySet()), keys);
        for (var e : w.expected().entrySet()) {
            int[] got = mapped.get(e.getKey()).shape();
            // 1x1 convs (timm's SE) stay [out, in, 1, 1]; the builder asks for [out, in]
            assertArrayEquals(squeeze(e.getValue()), squeeze(got), e.getKey());
            if (got.length != 4) assertArrayEquals(e.getValue(), got, e.getKey());
        }
        return mapped;
    }

    static int[] squeeze(int[] s) {
        return Arrays.stream(s).filter(d -> d != 1).toArray();
    }

    static void same(Map<String, HostTensor> sd, Map<String, HostTensor> mapped, String... pairs) {
        for (int i = 0; i < pairs.length; i += 2) {
            HostTensor a = sd.get(pairs[i]), b = mapped.get(pairs[i + 1]);
            assertNotNull(a, pairs[i]);
            assertNotNull(b, pairs[i + 1]);
            assertArrayEquals(a.data(), b.data(), pairs[i] + " -> " + pairs[i + 1]);
        }
    }

    @Test
    void mobilenetV2MapsOntoMobilenetv2_100() {
        Map<String, HostTensor> sd = fill(mobilenetV2(1.0), 1);
        assertEquals(314, sd.size());
        Map<String, HostTensor> mapped = mapAndBuild(sd, "mobilenetv2_100");
        same(
                sd,
                mapped,
                "features.0.0.weight",
                "conv_stem.weight",
                "features.0.1.running_var",
                "bn1.running_var",
                "features.1.conv.0.0.weight",
                "blocks.0.0.conv_dw.weight",
                "features.1.conv.0.1.bias",
                "blocks.0.0.bn1.bias",
                "features.1.conv.1.weight",
                "blocks.0.0.conv_pw.weight",
                "features.1.conv.2.running_mean",
                "blocks.0.0.bn2.running_mean",
                "features.2.conv.0.0.weight",
                "blocks.1.0.conv_pw.weight",
                "features.3.conv.1.0.weight",
                "blocks.1.1.conv_dw.weight",
                "features.6.conv.1.1.weight",
                "blocks.2.2.bn2.weight",
                "features.10.conv.2.weight",
                "blocks.3.3.conv_pwl.weight",
                "features.11.conv.3.bias",
                "blocks.4.0.bn3.bias",
                "features.16.conv.0.1.running_mean",
                "blocks.5.2.bn1.running_mean",
                "features.17.conv.2.weight",
                "blocks.6.0.conv_pwl.weight",
                "features.18.0.weight",
                "conv_head.weight",
                "features.18.1.weight",
                "bn2.weight",
                "classifier.1.weight",
                "classifier.weight",
                "classifier.1.bias",
                "classifier.bias");
        assertTrue(KeyLayout.TORCHVISION.describe(shapes(sd)).contains("timm mobilenetv2_100"));
    }

    @Test
    void otherMobilenetV2WidthsMapOntoTheirTimmCounterparts() {
        Map<String, HostTensor> sd = fill(mobilenetV2(1.4), 2);
        mapAndBuild(sd, "mobilenetv2_140");
        assertTrue(KeyLayout.TORCHVISION.describe(shapes(sd)).contains("mobilenet_v2"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void efficientNetB0ToB4MapOntoTimm(int b) {
        double[][] wd = {{1.0, 1.0}, {1.0, 1.1}, {1.1, 1.2}, {1.2, 1.4}, {1.4, 1.8}};
        Map<String, HostTensor> sd = fill(efficientNet(wd[b][0], wd[b][1]), 10 + b);
        String name = "efficientnet_b" + b;
        assertEquals(name + " (timm " + name + ")", KeyLayout.TORCHVISION.describe(shapes(sd)));
        Map<String, HostTensor> mapped = mapAndBuild(sd, name);
        same(
                sd,
                mapped,
                "features.0.0.weight",
                "conv_stem.weight",
                "features.1.0.block.0.0.weight",
                "blocks.0.0.conv_dw.weight",
                "features.1.0.block.1.fc1.weight",
                "blocks.0.0.se.conv_reduce.weight",
                "features.1.0.block.1.fc2.bias",
                "blocks.0.0.se.conv_expand.bias",
                "features.1.0.block.2.0.weight",
                "blocks.0.0.conv_pw.weight",
                "features.1.0.block.2.1.running_var",
                "blocks.0.0.bn2.running_var",
                "features.2.1.block.0.0.weight",
                "blocks.1.1.conv_pw.weight",
                "features.2.1.block.1.1.weight",
                "blocks.1.1.bn2.weight",
                "features.6.0.block.2.fc1.bias",
                "blocks.5.0.se.conv_reduce.bias",
                "features.6.3.block.2.fc2.weight",
                "blocks.5.3.se.conv_expand.weight",
                "features.7.0.block.3.0.weight",
                "blocks.6.0.conv_pwl.weight",
                "features.7.0.block.3.1.bias",
                "blocks.6.0.bn3.bias",
                "features.8.0.weight",
                "conv_head.weight",
                "features.8.1.running_mean",
                "bn2.running_mean",
                "classifier.1.weight",
                "classifier.weight");
    }

    @Test
    void convNextTinyMapsOntoTimm() {
        Map<String, HostTensor> sd = fill(convNext(new int[] {96, 192, 384, 768}, new int[] {3, 3, 9, 3}), 3);
        Map<String, HostTensor> mapped = mapAndBuild(sd, "convnext_tiny");
        same(
                sd,
                mapped,
                "features.0.0.weight",
                "stem.0.weight",
                "features.0.1.bias",
                "stem.1.bias",
                "features.1.0.block.0.weight",
                "stages.0.blocks.0.conv_dw.weight",
                "features.1.2.block.2.weight",
                "stages.0.blocks.2.norm.weight",
                "features.3.1.block.3.weight",
                "stages.1.blocks.1.mlp.fc1.weight",
                "features.5.8.block.5.bias",
                "stages.2.blocks.8.mlp.fc2.bias",
                "features.7.2.layer_scale",
                "stages.3.blocks.2.gamma",
                "features.2.0.weight",
                "stages.1.downsample.0.weight",
                "features.2.1.weight",
                "stages.1.downsample.1.weight",
                "features.6.1.bias",
                "stages.3.downsample.1.bias",
                "classifier.0.weight",
                "head.norm.weight",
                "classifier.2.weight",
                "head.fc.weight");
        assertArrayEquals(new int[] {768}, mapped.get("stages.3.blocks.2.gamma").shape());
    }

    @Test
    void largerConvNextsAreRecognised() {
        String[] names = {"small", "base", "large"};
        int[][] dims = {{96, 192, 384, 768}, {128, 256, 512, 1024}, {192, 384, 768, 1536}};
        for (int i = 0; i < 3; i++) {
            Map<String, int[]> shapes = convNext(dims[i], new int[] {3, 3, 27, 3});
            assertEquals(
                    "convnext_" + names[i] + " (timm convnext_" + names[i] + ")",
                    KeyLayout.TORCHVISION.describe(shapes));
            Map<String, String> n = KeyLayout.TORCHVISION.canonicalNames(shapes);
            assertEquals("stages.2.blocks.26.gamma", n.get("features.5.26.layer_scale"));
            assertTrue(n.values().stream().allMatch(k -> k.matches("^(stem|stages|head)\\..*")), n.toString());
        }
    }

    @Test
    void mobilenetV3IsRefusedWithTheReason() {
        for (boolean small : new boolean[] {false, true}) {
            Map<String, int[]> shapes = mobilenetV3(small);
            assertEquals(KeyLayout.TORCHVISION, KeyLayout.detect(shapes.keySet()));
            KeyLayoutException e =
                    assertThrows(KeyLayoutException.class, () -> KeyLayout.TORCHVISION.canonicalNames(shapes));
            String which = small ? "mobilenet_v3_small" : "mobilenet_v3_large";
            assertTrue(e.getMessage().contains("torchvision " + which), e.getMessage());
            assertTrue(e.getMessage().contains("eps 1e-3"), e.getMessage());
            assertTrue(e.getMessage().contains(TorchvisionNames.SUPPORTED), e.getMessage());
        }
    }

    @Test
    void efficientNetB5AndUnknownModelsAreRefused() {
        KeyLayoutException e = assertThrows(
                KeyLayoutException.class, () -> KeyLayout.TORCHVISION.canonicalNames(efficientNet(1.6, 2.2)));
        assertTrue(e.getMessage().contains("efficientnet_b5") && e.getMessage().contains("eps 1e-3"), e.getMessage());
        Map<String, int[]> vgg = new LinkedHashMap<>();
        conv(vgg, "features.0", 64, 3, 3, true);
        linear(vgg, "classifier.0", 4096, 25088);
        assertEquals(KeyLayout.TORCHVISION, KeyLayout.detect(vgg.keySet()));
        e = assertThrows(
                KeyLayoutException.class,
                () -> KeyLayout.TORCHVISION.toCanonical(fill(Map.of("features.0.weight", new int[] {2, 3, 3, 3}), 4)));
        assertTrue(e.getMessage().contains("unrecognised") && e.getMessage().contains("mobilenet_v2"), e.getMessage());
        assertTrue(KeyLayout.TORCHVISION.describe(vgg).startsWith("unrecognised torchvision model"));
    }

    // ---- through a torch.save file --------------------------------------------------------------

    static Map<String, int[]> shapes(Map<String, HostTensor> sd) {
        Map<String, int[]> m = new LinkedHashMap<>();
        sd.forEach((k, t) -> m.put(k, t.shape()));
        return m;
    }

    /** torch.save(model.state_dict()): an OrderedDict of tensors, one storage each, BatchNorm counters as int64. */
    static void writePth(Path p, Map<String, HostTensor> sd) throws Exception {
        TinyPth pk = new TinyPth().proto();
        pk.global("collections", "OrderedDict").op(')').op('R').put().mark();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        int id = 0;
        for (var e : sd.entrySet()) {
            String sid = Integer.toString(id++);
            int[] s = e.getValue().shape();
            long[] size = new long[s.length], stride = new long[s.length];
            long st = 1;
            for (int i = s.length - 1; i >= 0; i--) {
                size[i] = s[i];
                stride[i] = st;
                st *= s[i];
            }
            if (e.getKey().endsWith("num_batches_tracked")) {
                pk.str(e.getKey()).tensor("LongStorage", sid, 1, 0, size, stride);
                storages.put(
                        sid,
                        ByteBuffer.allocate(8)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .putLong(12345)
                                .array());
            } else {
                pk.str(e.getKey()).tensor("FloatStorage", sid, e.getValue().numel(), 0, size, stride);
                storages.put(sid, TinyPth.f32(e.getValue().data()));
            }
        }
        pk.op('u').op('.');
        TinyPth.zip(p, pk.bytes(), storages);
    }

    @Test
    void torchSaveFileLoadsAndInspectSaysItFits() throws Exception {
        Map<String, HostTensor> sd = fill(mobilenetV2(1.0), 5);
        Path p = dir.resolve("mobilenet_v2.pth");
        writePth(p, sd);
        try (WeightFile f = WeightFile.open(p)) {
            assertEquals("pytorch", f.format());
            assertEquals(KeyLayout.TORCHVISION, KeyLayout.detect(f.tensors().keySet()));
        }
        Weights w = ModelWeights.load(p, "auto");
        Models.byName("mobilenetv2_100").build(w, 1, 224, 224);
        w.finish();
        Weights explicit = ModelWeights.load(p, "torchvision");
        Models.byName("mobilenetv2_100").build(explicit, 1, 224, 224);
        explicit.finish();

        JsonObject r = JsonParser.parseString(inspect(p.toString(), "--json", "-m", "mobilenetv2_100"))
                .getAsJsonObject();
        assertEquals("torchvision", r.get("key_layout").getAsString());
        assertEquals(
                "mobilenet_v2 (timm mobilenetv2_100)", r.get("source_model").getAsString());
        assertTrue(r.getAsJsonObject("model_check").get("fits").getAsBoolean(), r.toString());
        String table = inspect(p.toString(), "-m", "mobilenetv2_100");
        assertTrue(table.contains("key layout:  torchvision"), table);
        assertTrue(table.contains("fits mobilenetv2_100"), table);
        JsonObject c = JsonParser.parseString(inspect(p.toString(), "--json", "--canonical"))
                .getAsJsonObject();
        assertEquals(
                "conv_stem.weight",
                c.getAsJsonArray("tensor_list")
                        .get(0)
                        .getAsJsonObject()
                        .get("name")
                        .getAsString());
    }

    private static String inspect(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            CommandLine cl = new CommandLine(new InspectCommand());
            cl.setExecutionExceptionHandler((ex, cmd, pr) -> {
                throw ex;
            });
            assertEquals(0, cl.execute(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
