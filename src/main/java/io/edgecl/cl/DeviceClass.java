package io.edgecl.cl;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What kind of device this is, at the levels kernel defaults are keyed by: its kind (CPU, GPU),
 * its vendor, its architecture (Valhall, Adreno 6xx, Ampere, RDNA 2, skylake-avx512, ...) and its
 * model (Mali-G78, Adreno 640, ...). A level the name does not tell is null; a default table
 * then falls back to the level above, as CLBlast's database does.
 */
public record DeviceClass(Kind kind, Vendor vendor, String architecture, String model) {
    /** The device type as OpenCL reports it. */
    public enum Kind {
        CPU,
        GPU,
        ACCELERATOR,
        OTHER
    }

    /** Who designed the device (for a CPU, the processor's maker, not the OpenCL runtime's). */
    public enum Vendor {
        NVIDIA,
        AMD,
        INTEL,
        ARM,
        QUALCOMM,
        APPLE,
        IMAGINATION,
        OTHER
    }

    /** The class of {@code d}, read from its type, vendor and name. */
    public static DeviceClass of(DeviceInfo d) {
        Kind kind = d.type().contains("CPU")
                ? Kind.CPU
                : d.type().contains("GPU")
                        ? Kind.GPU
                        : d.type().contains("ACCELERATOR") ? Kind.ACCELERATOR : Kind.OTHER;
        return of(kind, d.vendor(), d.name());
    }

    /** The class of a device of {@code kind} with OpenCL's vendor and name strings. */
    public static DeviceClass of(Kind kind, String vendorString, String name) {
        String v = (vendorString + " " + name).toLowerCase(Locale.ROOT);
        String n = name.toLowerCase(Locale.ROOT);
        if (kind == Kind.CPU) {
            Vendor cpuVendor = v.contains("authenticamd") || v.contains("amd")
                    ? Vendor.AMD
                    : v.contains("intel")
                            ? Vendor.INTEL
                            : v.contains("arm") || v.contains("aarch64") || v.contains("cortex")
                                    ? Vendor.ARM
                                    : v.contains("apple") ? Vendor.APPLE : Vendor.OTHER;
            // PoCL names its CPU device "pthread-<llvm cpu>-<processor>": the LLVM target is the architecture
            // (LLVM's names are lower case and may hold hyphens; the processor's name starts upper case)
            Matcher m = Pattern.compile("^(?:pthread|cpu|basic|cpu-minimal|cpu-tbb)-([a-z0-9_.\\-]+?)-(?=[A-Z])")
                    .matcher(name.trim());
            return new DeviceClass(kind, cpuVendor, m.find() ? m.group(1) : null, null);
        }
        if (v.contains("nvidia")) return new DeviceClass(kind, Vendor.NVIDIA, nvidiaArchitecture(n), name.trim());
        if (v.contains("advanced micro devices") || v.contains("amd") || n.startsWith("gfx")) {
            return new DeviceClass(kind, Vendor.AMD, amdArchitecture(n), name.trim());
        }
        if (n.contains("mali"))
            return new DeviceClass(kind, Vendor.ARM, maliArchitecture(n), model(n, "mali-[gt]\\d+"));
        if (n.contains("adreno")) {
            String model = model(n, "(?<=adreno\\(tm\\) |adreno )\\d{3}");
            return new DeviceClass(
                    kind,
                    Vendor.QUALCOMM,
                    model != null ? "adreno-" + model.charAt(0) + "xx" : null,
                    model != null ? "adreno-" + model : null);
        }
        if (n.contains("powervr") || v.contains("imagination")) {
            String arch = n.contains("rogue")
                    ? "rogue"
                    : n.matches(".*\\b[abcdx]xm-.*|.*[abcd]-series.*") ? "volcanic" : null;
            return new DeviceClass(kind, Vendor.IMAGINATION, arch, name.trim());
        }
        if (v.contains("apple")) return new DeviceClass(kind, Vendor.APPLE, model(n, "m\\d+"), name.trim());
        if (v.contains("intel")) {
            String arch = n.contains("arc")
                    ? "xe-hpg"
                    : n.contains("iris(r) xe") || n.contains("iris xe")
                            ? "xe-lp"
                            : n.contains("uhd") || n.contains("hd graphics") ? "gen9-gen12" : null;
            return new DeviceClass(kind, Vendor.INTEL, arch, name.trim());
        }
        return new DeviceClass(kind, Vendor.OTHER, null, name.trim());
    }

    public boolean isCpu() {
        return kind == Kind.CPU;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(kind.name().toLowerCase(Locale.ROOT))
                .append('/')
                .append(vendor.name().toLowerCase(Locale.ROOT));
        if (architecture != null) b.append('/').append(architecture);
        if (model != null) b.append('/').append(model);
        return b.toString();
    }

    private static String model(String n, String regex) {
        Matcher m = Pattern.compile(regex).matcher(n);
        return m.find() ? m.group() : null;
    }

    /** Mali's architectures by model number (ARM's product pages); Midgard is every T-series. */
    private static String maliArchitecture(String n) {
        String m = model(n, "mali-[gt]\\d+");
        if (m == null) return null;
        if (m.startsWith("mali-t")) return "midgard";
        int g = Integer.parseInt(m.substring(6));
        return switch (g) {
            case 31, 51, 52, 71, 72, 76 -> "bifrost";
            case 57, 68, 77, 78, 310, 510, 610, 710, 615, 715 -> "valhall";
            default -> g >= 620 ? "5th-gen" : null;
        };
    }

    private static String nvidiaArchitecture(String n) {
        if (n.matches(".*\\b(h100|h200|gh200)\\b.*")) return "hopper";
        if (n.matches(".*\\b(b100|b200|gb200)\\b.*|.*rtx 50\\d\\d.*")) return "blackwell";
        if (n.matches(".*rtx 40\\d\\d.*|.*\\bl4\\b.*|.*\\bl40s?\\b.*|.*rtx \\d+ ada.*")) return "ada";
        if (n.matches(".*rtx 30\\d\\d.*|.*\\ba(2|10|16|30|40|100)\\b.*|.*rtx a\\d+.*|.*orin.*")) return "ampere";
        if (n.matches(".*rtx 20\\d\\d.*|.*gtx 16\\d\\d.*|.*\\bt4\\b.*|.*quadro rtx.*")) return "turing";
        if (n.matches(".*\\bv100\\b.*|.*titan v.*|.*xavier.*")) return "volta";
        if (n.matches(".*gtx 10\\d\\d.*|.*\\bp(4|40|100)\\b.*")) return "pascal";
        return null;
    }

    private static String amdArchitecture(String n) {
        String gfx = model(n, "gfx\\d+[a-f]?");
        if (gfx == null) return null;
        if (gfx.startsWith("gfx12")) return "rdna4";
        if (gfx.startsWith("gfx11")) return "rdna3";
        if (gfx.startsWith("gfx103")) return "rdna2";
        if (gfx.startsWith("gfx101")) return "rdna";
        if (gfx.equals("gfx908") || gfx.equals("gfx90a") || gfx.startsWith("gfx94") || gfx.startsWith("gfx95"))
            return "cdna";
        if (gfx.startsWith("gfx9")) return "gcn5";
        return "gcn";
    }

    /**
     * A pattern over classes: each non-null level must equal the class's. {@link #specificity}
     * counts its levels, so a table takes the most specific row that matches.
     */
    public record Match(Kind kind, Vendor vendor, String architecture, String model) {
        public static final Match ANY = new Match(null, null, null, null);

        public static Match kind(Kind k) {
            return new Match(k, null, null, null);
        }

        public static Match vendor(Kind k, Vendor v) {
            return new Match(k, v, null, null);
        }

        public static Match architecture(Kind k, Vendor v, String arch) {
            return new Match(k, v, arch, null);
        }

        public boolean matches(DeviceClass c) {
            return (kind == null || kind == c.kind)
                    && (vendor == null || vendor == c.vendor)
                    && (architecture == null || architecture.equals(c.architecture))
                    && (model == null || model.equals(c.model));
        }

        public int specificity() {
            return (kind != null ? 1 : 0)
                    + (vendor != null ? 1 : 0)
                    + (architecture != null ? 1 : 0)
                    + (model != null ? 1 : 0);
        }

        @Override
        public String toString() {
            if (specificity() == 0) return "any";
            StringBuilder b = new StringBuilder();
            for (Object o : new Object[] {kind, vendor, architecture, model}) {
                if (o == null) break;
                if (b.length() > 0) b.append('/');
                b.append(o.toString().toLowerCase(Locale.ROOT));
            }
            return b.toString();
        }
    }
}
