package io.edgecl.cli;

import com.google.gson.GsonBuilder;
import io.edgecl.cl.Bindings;
import io.edgecl.cl.ClBinding;
import io.edgecl.cl.ClDevice;
import io.edgecl.cl.DeviceClass;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.cl.Devices;
import io.edgecl.ops.KernelDefaults;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgecl devices}: the OpenCL platforms and devices this machine has. */
@Command(
        name = "devices",
        mixinStandardHelpOptions = true,
        description = "List OpenCL platforms and devices with their capabilities.")
public final class DevicesCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(
            names = {"-v", "--verbose"},
            description = "Every capability, extensions included.")
    boolean verbose;

    @Option(
            names = "--binding",
            paramLabel = "jocl|lwjgl",
            description = "Java OpenCL binding (default jocl, or lwjgl where JOCL cannot open OpenCL).")
    String binding;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ClBinding cl = Bindings.create(binding);
        List<ClDevice> devices = Devices.list(cl);
        ClDevice chosen = Devices.choose(cl, null);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ClDevice d : devices) {
                Map<String, Object> m = toMap(d.info());
                m.put(
                        "default",
                        d == chosen || d.info().id().equals(chosen.info().id()));
                rows.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("binding", cl.name());
            doc.put("library", cl.library());
            doc.put("devices", rows);
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(doc));
            out.flush();
            return 0;
        }
        out.println("binding: " + cl.name() + ", library: " + cl.library());
        String lastPlatform = null;
        for (ClDevice d : devices) {
            DeviceInfo i = d.info();
            String p = i.platformIndex() + " " + i.platformName() + " (" + i.platformVersion() + ")";
            if (!p.equals(lastPlatform)) {
                out.println("platform " + p);
                lastPlatform = p;
            }
            boolean def = i.id().equals(chosen.info().id());
            out.printf("  %s%s %s%n", def ? "*" : " ", i.id(), i.name());
            out.printf(
                    "       %s, %s, %d compute units @ %d MHz, %s global, %s local, max work-group %d%n",
                    i.type(),
                    i.vendor(),
                    i.computeUnits(),
                    i.maxClockMhz(),
                    DeviceInfo.human(i.globalMemBytes()),
                    DeviceInfo.human(i.localMemBytes()),
                    i.maxWorkGroupSize());
            out.printf(
                    "       %s, %s, driver %s, fp16 %s, images %s%n",
                    i.version(),
                    i.openclCVersion(),
                    i.driverVersion(),
                    i.fp16() ? "yes" : "no",
                    i.imageSupport() ? "yes" : "no");
            DeviceClass c = DeviceClass.of(i);
            out.printf("       class %s%n", c);
            if (verbose) {
                java.util.List<String> defaults = new ArrayList<>();
                KernelDefaults.describe(c).forEach((f, v) -> defaults.add(f + "=" + v));
                out.printf("       kernel defaults: %s%n", String.join(", ", defaults));
                // what tiles=auto resolves to: it decides the CPU kernels' register tiles
                out.printf(
                        "       register tiles (tiles=auto): %s (preferred float vector %d)%n",
                        io.edgecl.ops.Gemm.wideVectors(i) ? "wide" : "narrow", i.preferredFloatWidth());
                out.printf("       max allocation %s%n", DeviceInfo.human(i.maxAllocBytes()));
                out.printf("       extensions: %s%n", String.join(" ", i.extensions()));
            }
        }
        out.println("(* = default device; choose with --device or $EDGECL_DEVICE)");
        out.flush();
        return 0;
    }

    static Map<String, Object> toMap(DeviceInfo i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("platform", i.platformName());
        m.put("platform_version", i.platformVersion());
        m.put("name", i.name());
        m.put("vendor", i.vendor());
        m.put("type", i.type());
        m.put("version", i.version());
        m.put("driver_version", i.driverVersion());
        m.put("opencl_c_version", i.openclCVersion());
        m.put("compute_units", i.computeUnits());
        m.put("max_clock_mhz", i.maxClockMhz());
        m.put("max_work_group_size", i.maxWorkGroupSize());
        m.put("local_mem_bytes", i.localMemBytes());
        m.put("global_mem_bytes", i.globalMemBytes());
        m.put("max_alloc_bytes", i.maxAllocBytes());
        m.put("fp16", i.fp16());
        DeviceClass c = DeviceClass.of(i);
        m.put("device_class", c.toString());
        m.put("kernel_defaults", KernelDefaults.describe(c));
        m.put("image_support", i.imageSupport());
        m.put("extensions", new ArrayList<>(i.extensions()));
        return m;
    }
}
