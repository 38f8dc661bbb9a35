package io.edgecl.profile;

import com.google.gson.GsonBuilder;
import io.edgecl.io.OutputFiles;
import io.edgecl.ops.Launch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chrome trace-event JSON (opens in Perfetto or chrome://tracing): one complete event per
 * launch of the last profiled forward on the queue's track, named by op node, with the block,
 * kernel, FLOPs and bytes as arguments; a second track shows the blocks.
 */
public final class ChromeTrace {
    private ChromeTrace() {}

    public static void write(Path file, Profile p, String title) {
        List<Map<String, Object>> events = new ArrayList<>();
        events.add(meta("process_name", 0, Map.of("name", title)));
        events.add(meta("thread_name", 1, Map.of("name", "queue 0 (kernels)")));
        events.add(meta("thread_name", 2, Map.of("name", "blocks")));
        List<long[]> times = p.lastForward();
        String curBlock = null;
        double blockStart = 0, blockEnd = 0;
        for (int i = 0; i < p.launches().size(); i++) {
            Launch l = p.launches().get(i).launch();
            double ts = times.get(i)[0] / 1e3, dur = times.get(i)[1] / 1e3;
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", l.node().isEmpty() ? l.kernelName() : l.node());
            e.put("cat", l.op());
            e.put("ph", "X");
            e.put("ts", ts);
            e.put("dur", dur);
            e.put("pid", 0);
            e.put("tid", 1);
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("kernel", l.kernelName());
            args.put("block", l.block());
            args.put("flops", l.flops());
            args.put("bytes", l.bytes());
            e.put("args", args);
            events.add(e);
            if (!l.block().equals(curBlock)) {
                if (curBlock != null) events.add(span(curBlock, blockStart, blockEnd));
                curBlock = l.block();
                blockStart = ts;
            }
            blockEnd = ts + dur;
        }
        if (curBlock != null) events.add(span(curBlock, blockStart, blockEnd));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("traceEvents", events);
        doc.put("displayTimeUnit", "ns");
        OutputFiles.writeString(file, new GsonBuilder().create().toJson(doc));
    }

    private static Map<String, Object> span(String block, double start, double end) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", block);
        e.put("cat", "block");
        e.put("ph", "X");
        e.put("ts", start);
        e.put("dur", end - start);
        e.put("pid", 0);
        e.put("tid", 2);
        return e;
    }

    private static Map<String, Object> meta(String name, int tid, Map<String, Object> args) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("name", name);
        e.put("ph", "M");
        e.put("pid", 0);
        e.put("tid", tid);
        e.put("args", args);
        return e;
    }
}
