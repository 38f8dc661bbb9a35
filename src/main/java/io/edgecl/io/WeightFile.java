package io.edgecl.io;

import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A file of named tensors (safetensors or a torch.save checkpoint), read lazily one tensor at a time. */
public interface WeightFile extends AutoCloseable {
    Path path();

    /** "safetensors" or "pytorch". */
    String format();

    /** Every tensor in file order. */
    Map<String, TensorInfo> tensors();

    /** The tensor converted to float32. */
    HostTensor read(String key);

    /** String metadata stored with the tensors (may be empty). */
    Map<String, String> metadata();

    @Override
    void close();

    /** Reads every tensor, in file order. */
    default Map<String, HostTensor> readAll() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String k : tensors().keySet()) out.put(k, read(k));
        return out;
    }

    /**
     * The model parameters of a weights file, as float32: every tensor must be floating point
     * (F32, F16, BF16, or F64, which is narrowed), except BatchNorm's {@code num_batches_tracked}
     * counters, which are bookkeeping and left out. An integer tensor would be a quantized or
     * foreign checkpoint whose values mean something else; it is refused, naming the key.
     */
    static Map<String, HostTensor> readParameters(Path path) {
        try (WeightFile f = open(path)) {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (TensorInfo t : f.tensors().values()) {
                if (t.key().endsWith("num_batches_tracked")) continue;
                if (!t.dtype().isFloatingPoint()) {
                    throw new WeightFileException(
                            path + ": tensor '" + t.key() + "' is " + t.dtype()
                                    + "; model parameters must be F32, F16, BF16 or F64 (quantized checkpoints are not supported)");
                }
                out.put(t.key(), f.read(t.key()));
            }
            return out;
        }
    }

    /** Opens a file, choosing the reader from its content rather than its name. */
    static WeightFile open(Path path) {
        return open(path, false);
    }

    /** As {@link #open(Path)}; {@code preferEma} picks an EMA state dict in training checkpoints that hold both. */
    static WeightFile open(Path path, boolean preferEma) {
        byte[] head;
        try {
            if (Files.isDirectory(path)) throw new WeightFileException(path + ": is a directory, not a weights file");
            try (InputStream in = Files.newInputStream(path)) {
                head = in.readNBytes(8);
            }
        } catch (NoSuchFileException e) {
            throw new WeightFileException(path + ": weights file not found", e);
        } catch (IOException e) {
            throw new WeightFileException(path + ": cannot read weights file: " + e.getMessage(), e);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return TorchCheckpoint.open(path, preferEma);
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            throw new WeightFileException(path + ": unsupported format: a legacy (pre-1.6, non-zip) torch.save "
                    + "pickle; re-save it with torch.save(obj, f) from PyTorch >= 1.6 or convert it to safetensors");
        }
        if (head.length < 8) {
            throw new WeightFileException(path + ": unknown weights format: file is " + head.length
                    + " bytes, too short for safetensors (8-byte header length) or a zip checkpoint");
        }
        return SafeTensorsFile.open(path);
    }
}
