package io.edgecl.io;

import io.edgecl.io.Pickle.StorageRef;
import io.edgecl.io.Pickle.TensorRef;
import io.edgecl.tensor.DType;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/** A torch.save checkpoint (zip format, PyTorch >= 1.6); finds the state dict inside training checkpoints. */
public final class TorchCheckpoint extends TensorIndex {
    /** data.pkl of a large model is a few MB; anything far beyond is not a state dict. */
    private static final long MAX_PICKLE_BYTES = 512L << 20;

    private static final List<String> PLAIN_KEYS = List.of("model", "state_dict", "model_state_dict", "module", "net");
    private static final List<String> EMA_KEYS = List.of("model_ema", "state_dict_ema", "ema", "ema_state_dict");

    private final ZipFile zip;
    private final String prefix;
    private final ByteOrder order;
    private final Map<String, TensorRef> refs;

    private TorchCheckpoint(
            Path path,
            ZipFile zip,
            String prefix,
            ByteOrder order,
            Map<String, TensorInfo> tensors,
            Map<String, TensorRef> refs,
            Map<String, String> metadata) {
        super(path, "pytorch", tensors, metadata);
        this.zip = zip;
        this.prefix = prefix;
        this.order = order;
        this.refs = refs;
    }

    public static TorchCheckpoint open(Path path) {
        return open(path, false);
    }

    /** {@code preferEma}: take the EMA weights when a training checkpoint has both. */
    public static TorchCheckpoint open(Path path, boolean preferEma) {
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new WeightFileException(path + ": weights file not found", e);
        } catch (ZipException e) {
            throw new WeightFileException(path + ": not a readable torch.save zip archive: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new WeightFileException(path + ": cannot open torch checkpoint: " + e, e);
        }
        try {
            TorchCheckpoint c = load(path, zip, preferEma);
            zip = null;
            return c;
        } catch (IOException e) {
            throw new WeightFileException(path + ": cannot read torch checkpoint: " + e, e);
        } catch (RuntimeException e) {
            if (e instanceof WeightFileException w) throw w;
            throw new WeightFileException(path + ": corrupt torch checkpoint: " + e, e);
        } finally {
            if (zip != null) {
                try {
                    zip.close();
                } catch (IOException ignored) {
                    // Already failing with a more useful error.
                }
            }
        }
    }

    private static TorchCheckpoint load(Path path, ZipFile zip, boolean preferEma) throws IOException {
        ZipEntry pkl = null;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            ZipEntry e = en.nextElement();
            String n = e.getName();
            boolean isPkl = n.equals("data.pkl") || (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - 9);
            if (isPkl && (pkl == null || n.length() < pkl.getName().length())) pkl = e;
        }
        if (pkl == null) {
            throw new WeightFileException(path + ": zip archive has no data.pkl entry; not a torch.save checkpoint");
        }
        String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
        String where = path + ": " + pkl.getName();
        long size = pkl.getSize();
        if (size > MAX_PICKLE_BYTES)
            throw new WeightFileException(where + ": " + size + " bytes is too large for a state dict pickle");
        byte[] bytes;
        try (InputStream in = zip.getInputStream(pkl)) {
            bytes = in.readNBytes((int) MAX_PICKLE_BYTES + 1);
        }
        if (bytes.length > MAX_PICKLE_BYTES)
            throw new WeightFileException(where + ": too large for a state dict pickle");
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        ZipEntry bo = zip.getEntry(prefix + "byteorder");
        if (bo != null) {
            String s;
            try (InputStream in = zip.getInputStream(bo)) {
                s = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
            }
            if (s.equals("big")) {
                order = ByteOrder.BIG_ENDIAN;
            } else if (!s.equals("little")) {
                throw new WeightFileException(path + ": unknown byteorder '" + s + "'");
            }
        }
        Object root = Pickle.load(where, bytes);
        Map<String, String> metadata = new LinkedHashMap<>();
        ZipEntry ver = zip.getEntry(prefix + "version");
        if (ver != null) {
            try (InputStream in = zip.getInputStream(ver)) {
                metadata.put("archive_version", new String(in.readNBytes(32), StandardCharsets.US_ASCII).trim());
            }
        }
        Map<?, ?> sd = findStateDict(path, root, preferEma, metadata);
        Map<String, TensorRef> refs = new LinkedHashMap<>();
        boolean allModule = true;
        for (var e : sd.entrySet()) {
            if (e.getKey() instanceof String k && e.getValue() instanceof TensorRef t) {
                refs.put(k, t);
                allModule &= k.startsWith("module.");
            }
        }
        if (refs.isEmpty()) throw new WeightFileException(path + ": the checkpoint's state dict holds no tensors");
        if (allModule) {
            // nn.DataParallel / DDP wrap every name in "module."; the model itself never does.
            Map<String, TensorRef> stripped = new LinkedHashMap<>();
            refs.forEach((k, v) -> stripped.put(k.substring("module.".length()), v));
            refs = stripped;
        }
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (var e : refs.entrySet()) infos.put(e.getKey(), info(path, zip, prefix, e.getKey(), e.getValue()));
        return new TorchCheckpoint(path, zip, prefix, order, infos, refs, metadata);
    }

    private static Map<?, ?> findStateDict(Path path, Object root, boolean preferEma, Map<String, String> metadata) {
        if (!(root instanceof Map<?, ?> top)) {
            throw new WeightFileException(path + ": checkpoint holds a " + Pickle.typeName(root)
                    + ", not a dict; save model.state_dict() rather than the whole model");
        }
        for (var e : top.entrySet()) {
            Object v = e.getValue();
            if (e.getKey() instanceof String k
                    && (v instanceof String
                            || v instanceof Long
                            || v instanceof Double
                            || v instanceof Boolean
                            || v instanceof BigInteger)) {
                metadata.put(k, String.valueOf(v));
            }
        }
        List<String> order = new ArrayList<>();
        if (preferEma) order.addAll(EMA_KEYS);
        order.addAll(PLAIN_KEYS);
        if (!preferEma) order.addAll(EMA_KEYS);
        for (String k : order) {
            if (top.get(k) instanceof Map<?, ?> m && hasTensor(m)) {
                metadata.put("state_dict_key", k);
                return m;
            }
        }
        if (hasTensor(top)) return top;
        List<String> keys = new ArrayList<>();
        for (Object k : top.keySet()) {
            if (keys.size() == 20) {
                keys.add("...");
                break;
            }
            keys.add(k instanceof String s ? s : Pickle.typeName(k));
        }
        throw new WeightFileException(
                path + ": no state dict found in the checkpoint (top-level keys: " + keys
                        + "); expected tensors at the top level or under 'model', 'state_dict', 'model_ema' or 'state_dict_ema'");
    }

    private static boolean hasTensor(Map<?, ?> m) {
        for (Object v : m.values()) if (v instanceof TensorRef) return true;
        return false;
    }

    private static TensorInfo info(Path path, ZipFile zip, String prefix, String key, TensorRef t) {
        String at = path + ": tensor '" + key + "'";
        StorageRef s = t.storage();
        int es = s.dtype().byteSize();
        long numel = 1;
        long maxIndex = t.offset();
        for (int i = 0; i < t.size().length; i++) {
            long d = t.size()[i];
            long st = t.stride()[i];
            if (d < 0 || st < 0) {
                throw new WeightFileException(at + ": negative size or stride (size " + Arrays.toString(t.size())
                        + ", stride " + Arrays.toString(t.stride()) + ")");
            }
            try {
                numel = Math.multiplyExact(numel, d);
                if (d > 0) maxIndex = Math.addExact(maxIndex, Math.multiplyExact(d - 1, st));
            } catch (ArithmeticException e) {
                throw new WeightFileException(at + ": shape " + Arrays.toString(t.size()) + " overflows");
            }
        }
        if (t.offset() < 0) throw new WeightFileException(at + ": negative storage offset " + t.offset());
        if (numel > 0 && maxIndex >= s.numel()) {
            throw new WeightFileException(at + ": shape " + Arrays.toString(t.size()) + " stride "
                    + Arrays.toString(t.stride()) + " at storage offset " + t.offset() + " reaches element " + maxIndex
                    + " of storage '" + s.key() + "' which holds " + s.numel());
        }
        ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
        if (e == null) {
            throw new WeightFileException(
                    at + ": storage entry '" + prefix + "data/" + s.key() + "' is missing from the zip");
        }
        long need;
        try {
            need = Math.multiplyExact(s.numel(), (long) es);
        } catch (ArithmeticException ex) {
            throw new WeightFileException(at + ": storage '" + s.key() + "' size " + s.numel() + " overflows");
        }
        if (e.getSize() >= 0 && e.getSize() < need) {
            throw new WeightFileException(at + ": storage entry '" + e.getName() + "' has " + e.getSize()
                    + " bytes but the pickle says " + s.numel() + " x " + s.dtype() + " (" + need + " bytes)");
        }
        long byteLength;
        long offset;
        try {
            byteLength = Math.multiplyExact(numel, (long) es);
            offset = Math.multiplyExact(t.offset(), (long) es);
        } catch (ArithmeticException ex) {
            throw new WeightFileException(at + ": size overflows");
        }
        return new TensorInfo(key, s.dtype(), t.size(), offset, byteLength);
    }

    @Override
    public HostTensor read(String key) {
        TensorRef t = refs.get(key);
        if (t == null) throw new WeightFileException(path + ": no tensor named '" + key + "'");
        String at = path + ": tensor '" + key + "'";
        int[] shape = Decode.intShape(t.size(), at);
        int n = (int) HostTensor.numel(shape);
        float[] out = new float[n];
        if (n == 0) return new HostTensor(shape, out);
        StorageRef s = t.storage();
        DType dt = s.dtype();
        int es = dt.byteSize();
        long span = 1;
        for (int i = 0; i < shape.length; i++) if (shape[i] > 0) span += (shape[i] - 1L) * t.stride()[i];
        boolean contiguous = isContiguous(t.size(), t.stride());
        if (contiguous) span = n;
        if (span > Integer.MAX_VALUE - 8 || span * es > Integer.MAX_VALUE - 8) {
            throw new WeightFileException(
                    at + ": strided view spans " + span + " elements, more than one read can hold");
        }
        ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
        if (e == null)
            throw new WeightFileException(at + ": storage entry for '" + s.key() + "' is missing from the zip");
        byte[] raw;
        long off = t.offset() * es;
        try (InputStream in = zip.getInputStream(e)) {
            in.skipNBytes(off);
            raw = in.readNBytes((int) (span * es));
        } catch (java.io.EOFException ex) {
            throw new WeightFileException(at + ": storage entry '" + e.getName() + "' ends before offset " + off, ex);
        } catch (IOException | RuntimeException ex) {
            throw new WeightFileException(
                    at + ": cannot read storage entry '" + e.getName() + "' at offset " + off + ": " + ex, ex);
        }
        if (raw.length != span * es) {
            throw new WeightFileException(at + ": storage entry '" + e.getName() + "' is truncated: needed " + span * es
                    + " bytes from offset " + off + ", got " + raw.length);
        }
        if (contiguous) {
            Decode.toFloat(ByteBuffer.wrap(raw), order, dt, out, 0, n);
            return new HostTensor(shape, out);
        }
        float[] flat = new float[(int) span];
        Decode.toFloat(ByteBuffer.wrap(raw), order, dt, flat, 0, (int) span);
        gather(flat, shape, t.stride(), out);
        return new HostTensor(shape, out);
    }

    private static boolean isContiguous(long[] size, long[] stride) {
        long expect = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expect) return false;
            expect *= size[i];
        }
        return true;
    }

    /** Row-major walk over a strided view, odometer style so rank does not matter. */
    private static void gather(float[] src, int[] shape, long[] stride, float[] dst) {
        int r = shape.length;
        int[] idx = new int[r];
        long base = 0;
        for (int o = 0; o < dst.length; o++) {
            dst[o] = src[(int) base];
            for (int d = r - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    base += stride[d];
                    break;
                }
                base -= (long) (shape[d] - 1) * stride[d];
                idx[d] = 0;
            }
        }
    }

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException e) {
            throw new WeightFileException(path + ": cannot close: " + e.getMessage(), e);
        }
    }
}
