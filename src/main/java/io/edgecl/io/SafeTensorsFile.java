package io.edgecl.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.edgecl.tensor.DType;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A memory-mapped safetensors file. The whole header is validated at open, so every later read is
 * known to lie inside the file.
 */
public final class SafeTensorsFile extends TensorIndex {
    /** Same cap the reference implementation uses; a larger header is hostile or not safetensors. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Windows that fit in one MappedByteBuffer, aligned to every element size. */
    private static final long CHUNK = 1L << 30;

    private static final Pattern UINT = Pattern.compile("0|[1-9][0-9]*");
    private static final TypeAdapter<JsonElement> JSON = new Gson().getAdapter(JsonElement.class);

    private final FileChannel channel;
    private final long dataStart;
    private final long fileSize;
    /** Whole data section, when it fits in one mapping; otherwise tensors are mapped on demand. */
    private MappedByteBuffer whole;

    private SafeTensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            long fileSize,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        super(path, "safetensors", tensors, metadata);
        this.channel = channel;
        this.dataStart = dataStart;
        this.fileSize = fileSize;
    }

    public static SafeTensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new WeightFileException(path + ": weights file not found", e);
        } catch (IOException e) {
            throw new WeightFileException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            SafeTensorsFile f = parse(path, ch);
            ch = null;
            return f;
        } catch (IOException e) {
            throw new WeightFileException(path + ": cannot read safetensors header: " + e.getMessage(), e);
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // Already failing with a more useful error.
                }
            }
        }
    }

    private static SafeTensorsFile parse(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new WeightFileException(
                    path + ": not a safetensors file: " + size + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long headerLen = lenBuf.getLong(0);
        String shown = Long.toUnsignedString(headerLen);
        if (headerLen == 0) {
            throw new WeightFileException(path + ": not a safetensors file: header length is 0");
        }
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw new WeightFileException(path + ": unknown format or corrupt safetensors: header length " + shown
                    + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
        }
        if (headerLen > size - 8) {
            throw new WeightFileException(path + ": truncated safetensors: header length " + shown + " exceeds the "
                    + (size - 8) + " bytes after the length field");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, 8);
        String json;
        try {
            json = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(hb.flip())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new WeightFileException(path + ": safetensors header is not valid UTF-8", e);
        }
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = parseHeader(path, json, dataStart, dataLen, metadata);
        return new SafeTensorsFile(path, ch, dataStart, size, tensors, metadata);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of file at offset " + pos);
            pos += n;
        }
    }

    private static Map<String, TensorInfo> parseHeader(
            Path path, String json, long dataStart, long dataLen, Map<String, String> metadata) {
        String where = path + ": safetensors header";
        if (json.isEmpty() || json.charAt(0) != '{') {
            throw new WeightFileException(where + " is not a JSON object (starts with "
                    + (json.isEmpty() ? "nothing" : "'" + printable(json.charAt(0)) + "'") + ")");
        }
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            r.beginObject();
            while (r.hasNext()) {
                String key = r.nextName();
                if (!seen.add(key)) throw new WeightFileException(where + ": duplicate key '" + key + "'");
                JsonElement v = JSON.read(r);
                if (key.equals("__metadata__")) {
                    readMetadata(where, v, metadata);
                } else {
                    out.put(key, tensorInfo(where, key, v, dataStart, dataLen));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new WeightFileException(where + ": unexpected content after the JSON object");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof WeightFileException w) throw w;
            throw new WeightFileException(where + " is not well-formed JSON: " + e.getMessage(), e);
        }
        checkOverlaps(path, out, dataStart);
        return out;
    }

    private static void readMetadata(String where, JsonElement v, Map<String, String> metadata) {
        if (!v.isJsonObject()) throw new WeightFileException(where + ": __metadata__ must be an object of strings");
        for (var e : v.getAsJsonObject().entrySet()) {
            JsonElement s = e.getValue();
            if (!s.isJsonPrimitive() || !s.getAsJsonPrimitive().isString()) {
                throw new WeightFileException(where + ": __metadata__ value for '" + e.getKey() + "' is not a string");
            }
            metadata.put(e.getKey(), s.getAsString());
        }
    }

    private static TensorInfo tensorInfo(String where, String key, JsonElement v, long dataStart, long dataLen) {
        String at = where + ": tensor '" + key + "'";
        if (!v.isJsonObject()) throw new WeightFileException(at + ": entry is not an object");
        JsonObject o = v.getAsJsonObject();
        for (String f : o.keySet()) {
            if (!f.equals("dtype") && !f.equals("shape") && !f.equals("data_offsets")) {
                throw new WeightFileException(at + ": unexpected field '" + f + "'");
            }
        }
        JsonElement dt = o.get("dtype");
        if (dt == null || !dt.isJsonPrimitive() || !dt.getAsJsonPrimitive().isString()) {
            throw new WeightFileException(at + ": missing or non-string 'dtype'");
        }
        DType dtype = DType.fromName(dt.getAsString());
        if (dtype == null) {
            throw new WeightFileException(at + ": unsupported dtype '" + dt.getAsString() + "'");
        }
        long[] shape = longArray(at, o.get("shape"), "shape", -1);
        long numel = 1;
        for (long d : shape) {
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException e) {
                throw new WeightFileException(at + ": shape " + Arrays.toString(shape) + " has too many elements");
            }
        }
        long[] offs = longArray(at, o.get("data_offsets"), "data_offsets", 2);
        long begin = offs[0];
        long end = offs[1];
        if (begin > end) {
            throw new WeightFileException(at + ": data_offsets [" + begin + ", " + end + "] begin after end");
        }
        if (end > dataLen) {
            throw new WeightFileException(at + ": data_offsets [" + begin + ", " + end
                    + "] run past the end of the data section (" + dataLen + " bytes; file truncated?)");
        }
        long expect;
        try {
            expect = Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new WeightFileException(at + ": shape " + Arrays.toString(shape) + " is too large");
        }
        if (end - begin != expect) {
            throw new WeightFileException(at + ": " + dtype + Arrays.toString(shape) + " needs " + expect
                    + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new TensorInfo(key, dtype, shape, dataStart + begin, end - begin);
    }

    private static long[] longArray(String at, JsonElement e, String field, int wantLen) {
        if (e == null || !e.isJsonArray()) throw new WeightFileException(at + ": missing or non-array '" + field + "'");
        var arr = e.getAsJsonArray();
        if (wantLen >= 0 && arr.size() != wantLen) {
            throw new WeightFileException(
                    at + ": '" + field + "' must have " + wantLen + " entries, has " + arr.size());
        }
        if (arr.size() > 64) throw new WeightFileException(at + ": '" + field + "' has " + arr.size() + " entries");
        long[] out = new long[arr.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = arr.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                throw new WeightFileException(at + ": '" + field + "' entry " + i + " is not a number");
            }
            String s = ((JsonPrimitive) x).getAsString();
            if (!UINT.matcher(s).matches()) {
                throw new WeightFileException(
                        at + ": '" + field + "' entry " + i + " (" + s + ") is not a non-negative integer");
            }
            try {
                out[i] = Long.parseLong(s);
            } catch (NumberFormatException nfe) {
                throw new WeightFileException(at + ": '" + field + "' entry " + i + " (" + s + ") is too large");
            }
        }
        return out;
    }

    private static void checkOverlaps(Path path, Map<String, TensorInfo> tensors, long dataStart) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::dataOffset).thenComparingLong(TensorInfo::byteLength));
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.byteLength() == 0) continue;
            if (prev != null && t.dataOffset() < prev.dataOffset() + prev.byteLength()) {
                throw new WeightFileException(path + ": safetensors tensors '" + prev.key() + "' (data_offsets ["
                        + (prev.dataOffset() - dataStart) + ", " + (prev.dataOffset() + prev.byteLength() - dataStart)
                        + "]) and '" + t.key() + "' (data_offsets [" + (t.dataOffset() - dataStart) + ", "
                        + (t.dataOffset() + t.byteLength() - dataStart) + "]) overlap");
            }
            prev = t;
        }
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }

    @Override
    public HostTensor read(String key) {
        TensorInfo t = tensors().get(key);
        if (t == null) throw new WeightFileException(path + ": no tensor named '" + key + "'");
        int[] shape = Decode.intShape(t.shape(), path + ": tensor '" + key + "'");
        int n = (int) t.numel();
        float[] data = new float[n];
        try {
            if (n > 0) fill(t, data);
        } catch (IOException e) {
            throw new WeightFileException(
                    path + ": cannot read tensor '" + key + "' at offset " + t.dataOffset() + ": " + e.getMessage(), e);
        }
        return new HostTensor(shape, data);
    }

    private void fill(TensorInfo t, float[] data) throws IOException {
        int es = t.dtype().byteSize();
        long dataLen = fileSize - dataStart;
        if (dataLen <= Integer.MAX_VALUE) {
            MappedByteBuffer w = whole;
            if (w == null) {
                w = channel.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLen);
                whole = w;
            }
            ByteBuffer b = w.duplicate().position((int) (t.dataOffset() - dataStart));
            Decode.toFloat(b, ByteOrder.LITTLE_ENDIAN, t.dtype(), data, 0, data.length);
            return;
        }
        long pos = t.dataOffset();
        int done = 0;
        while (done < data.length) {
            int count = (int) Math.min(data.length - done, CHUNK / es);
            MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, pos, (long) count * es);
            Decode.toFloat(m, ByteOrder.LITTLE_ENDIAN, t.dtype(), data, done, count);
            done += count;
            pos += (long) count * es;
        }
    }

    @Override
    public void close() {
        whole = null;
        try {
            channel.close();
        } catch (IOException e) {
            throw new WeightFileException(path + ": cannot close: " + e.getMessage(), e);
        }
    }
}
