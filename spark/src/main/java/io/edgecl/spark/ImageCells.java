package io.edgecl.spark;

import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.RgbImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The two input columns the Transformer takes: an image struct from Spark's {@code image} data
 * source (height, width, nChannels, mode, data: OpenCV's BGR or BGRA bytes, or gray), or the
 * encoded bytes of a {@code binaryFile} row, decoded as {@code edgecl classify} decodes a file.
 */
final class ImageCells {
    private ImageCells() {}

    enum Kind {
        IMAGE_STRUCT,
        ENCODED
    }

    /** The kind of column {@code type} is, or null when it is neither. */
    static Kind kindOf(DataType type) {
        if (type instanceof BinaryType) return Kind.ENCODED;
        if (type instanceof StructType st) {
            for (String f : new String[] {"height", "width", "nChannels", "data"}) {
                if (!java.util.Arrays.asList(st.fieldNames()).contains(f)) return null;
            }
            return Kind.IMAGE_STRUCT;
        }
        return null;
    }

    /** Decodes one cell; {@code name} names the image in errors. */
    static RgbImage decode(Kind kind, Object cell, String name) {
        if (kind == Kind.ENCODED) return ImageDecoder.decode((byte[]) cell, name, ImageDecoder.MAX_PIXELS);
        Row r = (Row) cell;
        int h = r.getInt(r.fieldIndex("height"));
        int w = r.getInt(r.fieldIndex("width"));
        int c = r.getInt(r.fieldIndex("nChannels"));
        byte[] data = (byte[]) r.get(r.fieldIndex("data"));
        if (h == -1 && w == -1) {
            // the image source's row for a file it could not decode (with dropInvalid off)
            throw new IllegalArgumentException(name + ": Spark's image source could not decode this file");
        }
        if (h <= 0 || w <= 0)
            throw new IllegalArgumentException(name + ": the image has no pixels (" + w + "x" + h + ")");
        if (c != 1 && c != 3 && c != 4) {
            throw new IllegalArgumentException(name + ": nChannels is " + c + " (the image source gives 1, 3 or 4)");
        }
        if (data == null || (long) h * w * c != data.length) {
            throw new IllegalArgumentException(
                    name + ": data holds " + (data == null ? 0 : data.length) + " bytes, not " + h + "x" + w + "x" + c);
        }
        byte[] rgb = new byte[h * w * 3];
        for (int i = 0, p = 0; i < h * w; i++, p += c) {
            if (c == 1) {
                rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = data[p];
            } else {
                // BGR(A) as OpenCV stores it; alpha is dropped, as classify's decoder drops it
                rgb[3 * i] = data[p + 2];
                rgb[3 * i + 1] = data[p + 1];
                rgb[3 * i + 2] = data[p];
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** The image's name for error messages: the struct's origin, or the row's path column. */
    static String name(Kind kind, Object cell, Row row, int pathIndex) {
        if (kind == Kind.IMAGE_STRUCT && cell instanceof Row r) {
            int o = java.util.Arrays.asList(r.schema().fieldNames()).indexOf("origin");
            if (o >= 0 && !r.isNullAt(o)) return r.getString(o);
        }
        if (pathIndex >= 0 && !row.isNullAt(pathIndex)) return String.valueOf(row.get(pathIndex));
        return "image";
    }
}
