package io.edgecl.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.EdgeClException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** COCO's instances file (images, annotations with bbox [x, y, width, height], categories), as much as box evaluation reads. */
public record CocoAnnotations(List<Image> images, List<Annotation> annotations, Map<Integer, String> categories) {
    public record Image(long id, String file, int width, int height) {}

    public record Annotation(long image, int category, double[] box, double area, boolean crowd) {}

    /** The category's name, or its id. */
    public String categoryName(int id) {
        return categories.getOrDefault(id, String.valueOf(id));
    }

    /** Reads {@code file}; an error names the file and the field that does not fit COCO's format. */
    public static CocoAnnotations read(Path file) {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file));
            if (!e.isJsonObject()) throw bad(file, "the top level is not a JSON object");
            root = e.getAsJsonObject();
        } catch (IOException e) {
            throw new EdgeClException("cannot read annotations " + file + ": " + e.getMessage());
        } catch (com.google.gson.JsonParseException e) {
            throw bad(file, "not valid JSON (" + e.getMessage() + ")");
        }
        for (String k : new String[] {"images", "annotations", "categories"}) {
            if (!root.has(k) || !root.get(k).isJsonArray()) throw bad(file, "no '" + k + "' list");
        }
        try {
            List<Image> images = new ArrayList<>();
            for (JsonElement e : root.getAsJsonArray("images")) {
                JsonObject o = e.getAsJsonObject();
                images.add(new Image(
                        o.get("id").getAsLong(),
                        o.get("file_name").getAsString(),
                        o.has("width") ? o.get("width").getAsInt() : 0,
                        o.has("height") ? o.get("height").getAsInt() : 0));
            }
            Map<Integer, String> cats = new HashMap<>();
            for (JsonElement e : root.getAsJsonArray("categories")) {
                JsonObject o = e.getAsJsonObject();
                cats.put(o.get("id").getAsInt(), o.has("name") ? o.get("name").getAsString() : null);
            }
            List<Annotation> anns = new ArrayList<>();
            int i = 0;
            for (JsonElement e : root.getAsJsonArray("annotations")) {
                JsonObject o = e.getAsJsonObject();
                JsonArray b = o.getAsJsonArray("bbox");
                if (b == null || b.size() != 4)
                    throw bad(file, "annotations[" + i + "].bbox is not [x, y, width, height]");
                double[] box = {
                    b.get(0).getAsDouble(),
                    b.get(1).getAsDouble(),
                    b.get(2).getAsDouble(),
                    b.get(3).getAsDouble()
                };
                anns.add(new Annotation(
                        o.get("image_id").getAsLong(),
                        o.get("category_id").getAsInt(),
                        box,
                        o.has("area") ? o.get("area").getAsDouble() : box[2] * box[3],
                        o.has("iscrowd") && o.get("iscrowd").getAsInt() != 0));
                i++;
            }
            return new CocoAnnotations(images, anns, cats);
        } catch (NullPointerException
                | IllegalStateException
                | UnsupportedOperationException
                | ClassCastException
                | NumberFormatException e) {
            throw bad(file, "a field is missing or of the wrong type (" + e.getMessage() + ")");
        }
    }

    private static EdgeClException bad(Path file, String what) {
        return new EdgeClException(file + " is not COCO annotations: " + what);
    }
}
