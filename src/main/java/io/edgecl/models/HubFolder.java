package io.edgecl.models;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Models as timm publishes them: a folder with {@code config.json} (architecture, num_classes,
 * model_args, pretrained_cfg with the preprocessing, label names) and the weights
 * ({@code model.safetensors}, or {@code pytorch_model.bin}), either given as a path or found
 * offline in the Hugging Face hub cache from a hub id such as {@code timm/edgenext_xx_small.in1k}.
 * Nothing is downloaded.
 */
public final class HubFolder {
    /** timm's order of preference for the weights in a folder. */
    private static final List<String> PREFERRED =
            List.of("model.safetensors", "pytorch_model.bin", "pytorch_model.pth", "model.pth");

    private static final List<String> EXTENSIONS = List.of(".safetensors", ".pth", ".pth.tar", ".bin", ".pt");
    private static final Pattern HUB_ID =
            Pattern.compile("(?:hf[-_]hub:)?([A-Za-z0-9][\\w.-]*/[\\w.-]+)(?:@([\\w.-]+))?");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    /** A model and its weights, from one folder. */
    public record Resolved(VisionModel model, Path weights, Path config) {}

    private HubFolder() {}

    /** The config.json that goes with {@code weights} (a hub folder, or a file with one beside it), or null. */
    public static Path configFor(Path weights) {
        Path dir =
                Files.isDirectory(weights) ? weights : weights.toAbsolutePath().getParent();
        if (dir == null) return null;
        Path c = dir.resolve("config.json");
        return Files.isRegularFile(c) ? c : null;
    }

    /** The weights file of a folder, by timm's preference; {@code what} names the folder in errors. */
    public static Path weightsIn(Path dir, String what) {
        for (String n : PREFERRED) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) return p;
        }
        for (String ext : EXTENSIONS) {
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> found = s.filter(p -> p.getFileName().toString().endsWith(ext) && Files.isRegularFile(p))
                        .sorted()
                        .toList();
                if (!found.isEmpty()) return found.get(0);
            } catch (IOException e) {
                throw new ModelSpecException("cannot list " + dir + ": " + e.getMessage());
            }
        }
        throw new ModelSpecException(what + " has no weights file (looked for " + String.join(", ", PREFERRED)
                + " and *.safetensors, *.pth, *.bin)");
    }

    /** A hub folder ({@code dir} with config.json and weights). */
    public static Resolved folder(Path dir) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new ModelSpecException(dir + " is a folder without config.json; give the weights file itself, "
                    + "or a timm hub folder (config.json and model.safetensors)");
        }
        return new Resolved(model(config), weightsIn(dir, dir.toString()), config);
    }

    /** The model a timm config.json describes. */
    public static VisionModel model(Path config) {
        JsonObject c;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(config));
            if (!e.isJsonObject()) throw new ModelSpecException(config + ": must be a JSON object");
            c = e.getAsJsonObject();
        } catch (IOException e) {
            throw new ModelSpecException("cannot read " + config + ": " + e.getMessage());
        } catch (JsonParseException e) {
            throw new ModelSpecException(config + " is not valid JSON: " + e.getMessage());
        }
        try {
            return Models.fromSpec(spec(c));
        } catch (ModelSpecException e) {
            throw new ModelSpecException(config + ": " + e.getMessage());
        }
    }

    /** timm's config.json as a spec: the architecture with model_args and num_classes as overrides, and its data. */
    static JsonObject spec(JsonObject c) {
        JsonElement arch = c.get("architecture");
        if (arch == null
                || !arch.isJsonPrimitive()
                || !arch.getAsJsonPrimitive().isString()) {
            throw new ModelSpecException("'architecture' (timm's model name) is missing");
        }
        JsonObject spec = new JsonObject();
        spec.addProperty("model", arch.getAsString());
        JsonElement args = c.get("model_args");
        if (args != null && !args.isJsonNull()) {
            if (!args.isJsonObject()) throw new ModelSpecException("'model_args' must be an object");
            for (Map.Entry<String, JsonElement> e : args.getAsJsonObject().entrySet())
                spec.add(e.getKey(), e.getValue());
        }
        JsonElement nc = c.get("num_classes");
        if (nc != null && !nc.isJsonNull() && !spec.has("num_classes")) spec.add("num_classes", nc);
        for (String k : List.of("pretrained_cfg", "label_names", "label_descriptions")) {
            if (c.has(k)) spec.add(k, c.get(k));
        }
        return spec;
    }

    /** True for a hub id ({@code owner/name}, optionally {@code hf-hub:} before and {@code @revision} after). */
    public static boolean isHubId(String name) {
        return name.contains("/") && HUB_ID.matcher(name).matches();
    }

    /** The hub cache, as huggingface_hub finds it: HF_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub. */
    public static Path hubCache() {
        String v = env("HF_HUB_CACHE");
        if (v == null) v = env("HUGGINGFACE_HUB_CACHE");
        if (v != null) return Path.of(v);
        String home = env("HF_HOME");
        if (home != null) return Path.of(home, "hub");
        String xdg = env("XDG_CACHE_HOME");
        if (xdg != null) return Path.of(xdg, "huggingface", "hub");
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    /** The snapshot folder of a hub id in the local cache; the error gives the command that downloads it. */
    public static Resolved fromHub(String id) {
        return fromHub(id, hubCache());
    }

    static Resolved fromHub(String id, Path cache) {
        var m = HUB_ID.matcher(id);
        if (!m.matches()) throw new ModelSpecException("'" + id + "' is not a hub id (owner/name[@revision])");
        String repo = m.group(1), rev = m.group(2) == null ? "main" : m.group(2);
        Path root = cache.resolve("models--" + repo.replace("/", "--"));
        String download = "huggingface-cli download " + repo + (rev.equals("main") ? "" : " --revision " + rev)
                + " config.json model.safetensors";
        if (!Files.isDirectory(root)) {
            throw new ModelSpecException(
                    repo + " is not in the Hugging Face cache (" + cache + "); download it with: " + download);
        }
        Path snapshot = snapshot(root, rev);
        if (snapshot == null) {
            throw new ModelSpecException(
                    repo + "@" + rev + " has no snapshot in " + root + "; download it with: " + download);
        }
        if (!Files.isRegularFile(snapshot.resolve("config.json"))) {
            throw new ModelSpecException(snapshot + " has no config.json; download it with: " + download);
        }
        try {
            return folder(snapshot);
        } catch (ModelSpecException e) {
            if (e.getMessage().contains("has no weights file")) {
                throw new ModelSpecException(e.getMessage() + "; download it with: " + download);
            }
            throw e;
        }
    }

    private static Path snapshot(Path root, String rev) {
        Path snapshots = root.resolve("snapshots");
        if (COMMIT.matcher(rev).matches()) {
            Path p = snapshots.resolve(rev);
            return Files.isDirectory(p) ? p : null;
        }
        Path ref = root.resolve("refs").resolve(rev);
        if (Files.isRegularFile(ref)) {
            try {
                Path p = snapshots.resolve(Files.readString(ref).trim());
                if (Files.isDirectory(p)) return p;
            } catch (IOException e) {
                // fall through to the single-snapshot case
            }
        }
        if (!rev.equals("main") || !Files.isDirectory(snapshots)) return null;
        // A cache filled by copying snapshots without refs: take the one snapshot there is.
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(snapshots)) {
            s.filter(Files::isDirectory).forEach(all::add);
        } catch (IOException e) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : null;
    }

    private static String env(String k) {
        String v = System.getenv(k);
        return v == null || v.isBlank() ? null : v;
    }
}
