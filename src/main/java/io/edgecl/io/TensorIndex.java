package io.edgecl.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;

/** What every weights file reader holds once its header is parsed: the file, its tensors and its metadata. */
abstract class TensorIndex implements WeightFile {
    protected final Path path;
    private final String format;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    TensorIndex(Path path, String format, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.format = format;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }
}
