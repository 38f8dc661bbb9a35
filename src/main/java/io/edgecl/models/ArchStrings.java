package io.edgecl.models;

import io.edgecl.ops.Act;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * timm's block-string notation for the MobileNet / EfficientNet families (for example
 * {@code ir_r2_k3_s2_e6_c24_se0.25}), its per-stage depth scaling, and its channel rounding.
 * Arithmetic follows Python's: {@code round()} rounds half to even, {@code int()} truncates.
 */
final class ArchStrings {
    private ArchStrings() {}

    /**
     * Block types the builder supports: depthwise-separable (with or without pw act), inverted
     * residual, edge residual, conv, MobileNetV4's universal inverted residual and its mobile
     * multi-query attention.
     */
    enum Type {
        DS,
        DSA,
        IR,
        ER,
        CN,
        UIR,
        MQA
    }

    /**
     * One block definition before channel rounding. {@code act} null: the model's default.
     * {@code kernel} is the depthwise kernel (ds, ir), the expansion conv's kernel (er), the conv's
     * (cn), the middle depthwise kernel (uir, 0: none) or the key/value downsampling kernel (mqa).
     * uir: {@code dwStart}/{@code dwEnd} the depthwise kernels before the expansion and after the
     * projection (0: none). mqa: {@code heads}, {@code keyDim} (keys and values alike) and
     * {@code kvStride}.
     */
    record BlockDef(
            Type type,
            int repeats,
            int kernel,
            int stride,
            double expRatio,
            int outChs,
            double seRatio,
            Act act,
            boolean noskip,
            boolean skip,
            int expKernel,
            int pwKernel,
            int forceInChs,
            int dwStart,
            int dwEnd,
            int heads,
            int keyDim,
            int kvStride) {}

    /** Decodes one block string. */
    static BlockDef decodeBlock(String s) {
        String[] ops = s.split("_");
        Type type = switch (ops[0]) {
            case "ds" -> Type.DS;
            case "dsa" -> Type.DSA;
            case "ir" -> Type.IR;
            case "er" -> Type.ER;
            case "cn" -> Type.CN;
            case "uir" -> Type.UIR;
            case "mqa" -> Type.MQA;
            default ->
                throw new ModelSpecException("block '" + s + "': block type '" + ops[0]
                        + "' is not supported (ds, dsa, ir, er, cn, uir, mqa)");
        };
        Boolean skip = null;
        Act act = null;
        java.util.Map<String, String> opt = new java.util.HashMap<>();
        for (int i = 1; i < ops.length; i++) {
            String op = ops[i];
            if (op.equals("noskip")) {
                skip = false;
            } else if (op.equals("skip")) {
                skip = true;
            } else if (op.startsWith("n")) {
                switch (op.substring(1)) {
                    case "re" -> act = Act.RELU;
                    case "r6" -> act = Act.RELU6;
                    case "hs" -> act = Act.HSWISH;
                    case "sw" -> act = Act.SILU;
                    case "mi" -> throw new ModelSpecException("block '" + s + "': mish activation is not supported");
                    default -> {} // timm ignores activation codes it does not know
                }
            } else {
                int d = 0;
                while (d < op.length() && !Character.isDigit(op.charAt(d))) d++;
                if (d < op.length()) opt.put(op.substring(0, d), op.substring(d));
            }
        }
        for (String k : new String[] {"cc", "gs"}) {
            if (opt.containsKey(k))
                throw new ModelSpecException("block '" + s + "': option '" + k + "' is not supported");
        }
        if ((type == Type.IR || type == Type.DS || type == Type.DSA)
                && opt.containsKey("d")
                && Integer.parseInt(opt.get("d")) > 0) {
            throw new ModelSpecException("block '" + s + "': space-to-depth is not supported");
        }
        int repeats = intOpt(s, opt, "r", null);
        int out = intOpt(s, opt, "c", null);
        int stride = intOpt(s, opt, "s", null);
        int k = kernel(s, opt, "k", null);
        boolean uir = type == Type.UIR;
        // uir reads a and p as its start and end depthwise kernels, 0 when absent
        int expK = uir ? 1 : kernel(s, opt, "a", 1);
        int pwK = uir ? 1 : kernel(s, opt, "p", 1);
        int dwStart = uir ? kernel(s, opt, "a", 0) : 0, dwEnd = uir ? kernel(s, opt, "p", 0) : 0;
        int heads = 0, keyDim = 0, kvStride = 1;
        if (type == Type.MQA) {
            heads = intOpt(s, opt, "h", null);
            keyDim = intOpt(s, opt, "d", null);
            kvStride = intOpt(s, opt, "v", 1);
            if (heads <= 0 || keyDim <= 0 || kvStride <= 0)
                throw new ModelSpecException("block '" + s + "': h, d and v must be positive");
        }
        double se = opt.containsKey("se") ? number(s, opt.get("se")) : 0;
        double exp = opt.containsKey("e") ? number(s, opt.get("e")) : 1;
        if ((type == Type.IR || type == Type.ER || uir) && !opt.containsKey("e")) {
            throw new ModelSpecException("block '" + s + "' needs an expansion ratio (e)");
        }
        int fc = opt.containsKey("fc") ? intOpt(s, opt, "fc", null) : 0;
        boolean noskip = switch (type) {
            case DSA -> true;
            case CN -> false;
            default -> Boolean.FALSE.equals(skip);
        };
        boolean forceSkip = type == Type.CN && Boolean.TRUE.equals(skip);
        if (type == Type.CN) se = 0;
        if (type != Type.IR) expK = 1;
        if (type == Type.CN) pwK = 1;
        if (type != Type.IR && type != Type.ER && !uir) exp = 1;
        if (expK != 1 || pwK != 1) {
            throw new ModelSpecException("block '" + s + "': only 1x1 expansion and projection convs are supported");
        }
        if (stride != 1 && stride != 2) throw new ModelSpecException("block '" + s + "': stride must be 1 or 2");
        if (repeats < 0 || out <= 0 || k < 0 || (k == 0 && !uir) || dwStart < 0 || dwEnd < 0)
            throw new ModelSpecException("block '" + s + "': bad r, c, k, a or p");
        if (uir && stride > 1 && k == 0 && dwStart == 0 && dwEnd == 0)
            throw new ModelSpecException("block '" + s + "': a strided uir block needs a depthwise conv (a, k or p)");
        if (type == Type.MQA && stride != 1)
            throw new ModelSpecException("block '" + s + "': mqa blocks do not stride");
        return new BlockDef(
                type,
                repeats,
                k,
                stride,
                exp,
                out,
                se,
                act,
                noskip,
                forceSkip,
                expK,
                pwK,
                type == Type.ER ? fc : 0,
                dwStart,
                dwEnd,
                heads,
                keyDim,
                kvStride);
    }

    private static int intOpt(String s, java.util.Map<String, String> opt, String key, Integer def) {
        String v = opt.get(key);
        if (v == null) {
            if (def == null) throw new ModelSpecException("block '" + s + "' lacks option '" + key + "'");
            return def;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ModelSpecException("block '" + s + "': option '" + key + "' must be an integer, got '" + v + "'");
        }
    }

    private static int kernel(String s, java.util.Map<String, String> opt, String key, Integer def) {
        String v = opt.get(key);
        if (v != null && v.contains(".")) {
            throw new ModelSpecException("block '" + s + "': mixed kernel sizes (" + key + v + ") are not supported");
        }
        return intOpt(s, opt, key, def);
    }

    private static double number(String s, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new ModelSpecException("block '" + s + "': '" + v + "' is not a number");
        }
    }

    /**
     * Decodes an architecture (one list of block strings per stage) into one definition per
     * block, each stage's repeats scaled by its depth multiplier. {@code ceil}: EfficientNet's
     * ceil truncation of the scaled stage depth, else Python's round with a minimum of 1.
     * {@code fixFirstLast}: the first and last stage keep their depth.
     */
    static List<List<BlockDef>> decode(String[][] arch, double[] depthMultiplier, boolean ceil, boolean fixFirstLast) {
        if (depthMultiplier.length != arch.length) {
            throw new ModelSpecException(
                    "depth_multiplier: needs one value per stage (" + arch.length + "), got " + depthMultiplier.length);
        }
        List<List<BlockDef>> stages = new ArrayList<>();
        for (int i = 0; i < arch.length; i++) {
            List<BlockDef> defs = new ArrayList<>();
            for (String s : arch[i]) defs.add(decodeBlock(s));
            boolean fixed = fixFirstLast && (i == 0 || i == arch.length - 1);
            stages.add(scaleDepth(defs, fixed ? 1.0 : depthMultiplier[i], ceil));
        }
        return stages;
    }

    /**
     * Scales the total repeats of a stage, then hands the scaled count back to its block
     * definitions proportionally, last definition first (so the first, often a stride or
     * channel change, is the least likely to be repeated).
     */
    static List<BlockDef> scaleDepth(List<BlockDef> defs, double multiplier, boolean ceil) {
        int numRepeat = 0;
        for (BlockDef d : defs) numRepeat += d.repeats();
        int scaled =
                ceil ? (int) Math.ceil(numRepeat * multiplier) : (int) Math.max(1, Math.rint(numRepeat * multiplier));
        int[] reps = new int[defs.size()];
        for (int i = defs.size() - 1; i >= 0; i--) {
            int r = defs.get(i).repeats();
            int rs = (int) Math.max(1, Math.rint((double) r / numRepeat * scaled));
            reps[i] = rs;
            numRepeat -= r;
            scaled -= rs;
        }
        List<BlockDef> out = new ArrayList<>();
        for (int i = 0; i < defs.size(); i++) out.addAll(Collections.nCopies(reps[i], defs.get(i)));
        return out;
    }

    /**
     * timm's make_divisible: the nearest multiple of {@code divisor} (at least {@code minValue},
     * or the divisor when that is 0), raised by one divisor when rounding lost more than
     * (1 - roundLimit) of the value.
     */
    static int makeDivisible(double v, int divisor, int minValue, double roundLimit) {
        int min = minValue > 0 ? minValue : divisor;
        int n = Math.max(min, (int) (v + divisor / 2.0) / divisor * divisor);
        if (n < roundLimit * v) n += divisor;
        return n;
    }

    static int makeDivisible(double v) {
        return makeDivisible(v, 8, 0, 0.9);
    }

    /** timm's round_channels: channels × multiplier made divisible; a zero multiplier leaves them as they are. */
    static int roundChannels(int channels, double multiplier, int divisor, double roundLimit) {
        if (multiplier == 0) return channels;
        return makeDivisible(channels * multiplier, divisor, 0, roundLimit);
    }

    /** The activation of a timm act_layer name. */
    static Act activation(String field, String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "relu" -> Act.RELU;
            case "relu6" -> Act.RELU6;
            case "hard_swish", "hardswish" -> Act.HSWISH;
            case "swish", "silu" -> Act.SILU;
            case "gelu" -> Act.GELU;
            case "sigmoid" -> Act.SIGMOID;
            case "hard_sigmoid", "hardsigmoid" -> Act.HSIGMOID;
            default ->
                throw new ModelSpecException(field + ": activation '" + name
                        + "' is not supported (relu, relu6, hard_swish, swish, silu, gelu)");
        };
    }
}
