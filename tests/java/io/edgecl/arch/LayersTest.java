package io.edgecl.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The layers of README's "How it works", bottom to top, as a build check: a class may use only
 * the layers below its own (and the root package's exception types), so an upward import fails here.
 */
class LayersTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.edgecl");

    @Test
    void dependenciesPointDown() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("root")
                .definedBy("io.edgecl")
                .layer("tensor")
                .definedBy("io.edgecl.tensor..")
                .layer("io")
                .definedBy("io.edgecl.io..")
                .layer("cl")
                .definedBy("io.edgecl.cl..")
                .layer("ops")
                .definedBy("io.edgecl.ops..")
                .layer("graph")
                .definedBy("io.edgecl.graph..")
                .layer("models")
                .definedBy("io.edgecl.models..")
                .layer("export")
                .definedBy("io.edgecl.export..")
                .layer("profile")
                .definedBy("io.edgecl.profile..")
                .layer("api")
                .definedBy("io.edgecl.api..")
                .layer("serve")
                .definedBy("io.edgecl.serve..")
                .layer("cli")
                .definedBy("io.edgecl.cli..")
                .whereLayer("root")
                .mayNotAccessAnyLayer()
                .whereLayer("tensor")
                .mayOnlyAccessLayers("root")
                .whereLayer("io")
                .mayOnlyAccessLayers("root", "tensor")
                .whereLayer("cl")
                .mayOnlyAccessLayers("root", "tensor")
                .whereLayer("ops")
                .mayOnlyAccessLayers("root", "tensor", "cl")
                .whereLayer("graph")
                .mayOnlyAccessLayers("root", "tensor", "cl", "ops")
                .whereLayer("models")
                .mayOnlyAccessLayers("root", "tensor", "io", "cl", "ops", "graph")
                .whereLayer("export")
                .mayOnlyAccessLayers("root", "tensor", "graph", "ops")
                .whereLayer("profile")
                .mayOnlyAccessLayers("root", "tensor", "io", "cl", "ops", "graph")
                .whereLayer("api")
                .mayOnlyAccessLayers("root", "tensor", "io", "cl", "ops", "graph", "models", "export", "profile")
                .whereLayer("serve")
                .mayOnlyAccessLayers("root", "tensor", "io", "models", "api")
                .whereLayer("cli")
                .mayOnlyAccessLayers(
                        "root", "tensor", "io", "cl", "ops", "graph", "models", "export", "profile", "api", "serve")
                .check(MAIN);
    }

    /**
     * The command-line tool and the server use the public API, not the engine's insides: only
     * {@code edgecl devices} lists OpenCL devices itself (and their classes' kernel defaults); fusion rules are
     * the API's {@link io.edgecl.api.Fusion}.
     */
    @Test
    void theCliGoesThroughTheApi() {
        noClasses()
                .that()
                .resideInAnyPackage("io.edgecl.cli..", "io.edgecl.serve..")
                .and()
                .doNotHaveSimpleName("DevicesCommand")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.edgecl.cl..", "io.edgecl.ops..", "io.edgecl.export..")
                .check(MAIN);
        noClasses()
                .that()
                .resideInAnyPackage("io.edgecl.cli..", "io.edgecl.serve..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.edgecl.graph..")
                .check(MAIN);
    }

    /**
     * Kernel choices reach ops as data (KernelChoices through Lowering): the ops and the graph
     * read no system property and keep no thread-local state to pick a kernel.
     */
    @Test
    void kernelChoicesAreDataBelowTheApi() {
        noClasses()
                .that()
                .resideInAnyPackage("io.edgecl.ops..", "io.edgecl.graph..")
                .should()
                .callMethod(System.class, "getProperty", String.class)
                .orShould()
                .callMethod(System.class, "getProperty", String.class, String.class)
                .orShould()
                .callMethod(Long.class, "getLong", String.class, long.class)
                .orShould()
                .callMethod(Integer.class, "getInteger", String.class, int.class)
                .orShould()
                .callMethod(Boolean.class, "getBoolean", String.class)
                .orShould()
                .dependOnClassesThat()
                .areAssignableTo(ThreadLocal.class)
                .check(MAIN);
    }

    /** Public API methods neither take nor return plans, graphs, kernels or buffers. */
    @Test
    void theApiDoesNotLeakEngineTypes() throws Exception {
        Set<String> allowed = Set.of("io.edgecl.cl.ClContext");
        List<String> leaks = new ArrayList<>();
        for (String name : List.of(
                "Session",
                "SessionOptions",
                "Device",
                "Result",
                "Footprint",
                "Prediction",
                "Tuner",
                "ModelExport",
                "Fusion",
                "DeviceDescription")) {
            Class<?> c = Class.forName("io.edgecl.api." + name);
            assertTrue(Modifier.isPublic(c.getModifiers()), name + " is public");
            for (Method m : c.getMethods()) {
                if (m.getDeclaringClass() != c) continue;
                List<Type> types = new ArrayList<>(List.of(m.getGenericParameterTypes()));
                types.add(m.getGenericReturnType());
                for (Type t : types) {
                    for (String part : t.getTypeName().split("[<>,\\[\\] ]+")) {
                        if (part.matches("io\\.edgecl\\.(graph|ops|cl|export)\\..*") && !allowed.contains(part)) {
                            leaks.add(name + "." + m.getName() + ": " + part);
                        }
                    }
                }
            }
        }
        assertTrue(leaks.isEmpty(), "engine types in the public API: " + leaks);
    }
}
