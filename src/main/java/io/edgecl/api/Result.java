package io.edgecl.api;

import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What one {@link Session#run} returned: the logits [N, classes] and, when asked for, each
 * stage's features "features.i" in NCHW. Host memory only; it stays valid after the session closes.
 */
public final class Result {
    private final Map<String, HostTensor> outputs;

    Result(Map<String, HostTensor> outputs) {
        this.outputs = Collections.unmodifiableMap(outputs);
    }

    /** Raw class scores [N, classes] (no softmax). */
    public HostTensor logits() {
        return outputs.get("logits");
    }

    /** Features of stage {@code i} (0-based) in NCHW; the run must have asked for features. */
    public HostTensor feature(int i) {
        HostTensor t = outputs.get("features." + i);
        if (t == null) {
            throw new IllegalArgumentException("no features." + i + " in this result (outputs: " + outputs.keySet()
                    + "; run with features = true)");
        }
        return t;
    }

    /** An output by name ("logits", "features.0", …). */
    public HostTensor get(String name) {
        HostTensor t = outputs.get(name);
        if (t == null)
            throw new IllegalArgumentException("no output '" + name + "' (outputs: " + outputs.keySet() + ")");
        return t;
    }

    /** Output names in order. */
    public List<String> names() {
        return new ArrayList<>(outputs.keySet());
    }

    /** Top-k classes per image, highest first. */
    public List<List<Prediction>> topk(int k) {
        return Prediction.topk(logits(), k);
    }

    /** Every output by name (unmodifiable). */
    public Map<String, HostTensor> asMap() {
        return outputs;
    }
}
