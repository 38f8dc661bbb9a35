package io.edgecl.arch;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
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
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("root").definedBy("io.edgecl")
                .layer("tensor").definedBy("io.edgecl.tensor..")
                .layer("io").definedBy("io.edgecl.io..")
                .layer("cl").definedBy("io.edgecl.cl..")
                .layer("ops").definedBy("io.edgecl.ops..")
                .layer("graph").definedBy("io.edgecl.graph..")
                .layer("models").definedBy("io.edgecl.models..")
                .layer("export").definedBy("io.edgecl.export..")
                .layer("profile").definedBy("io.edgecl.profile..")
                .layer("api").definedBy("io.edgecl.api..")
                .layer("serve").definedBy("io.edgecl.serve..")
                .layer("cli").definedBy("io.edgecl.cli..")
                .whereLayer("root").mayNotAccessAnyLayer()
                .whereLayer("tensor").mayOnlyAccessLayers("root")
                .whereLayer("io").mayOnlyAccessLayers("root", "tensor")
                .whereLayer("cl").mayOnlyAccessLayers("root", "tensor")
                .whereLayer("ops").mayOnlyAccessLayers("root", "tensor", "cl")
                .whereLayer("graph").mayOnlyAccessLayers("root", "tensor", "cl", "ops")
                .whereLayer("models").mayOnlyAccessLayers("root", "tensor", "io", "cl", "ops", "graph")
                .whereLayer("export").mayOnlyAccessLayers("root", "tensor", "graph", "ops")
                .whereLayer("profile").mayOnlyAccessLayers("root", "tensor", "io", "cl", "ops", "graph")
                .whereLayer("api").mayOnlyAccessLayers("root", "tensor", "io", "cl", "ops", "graph", "models",
                        "export", "profile")
                .whereLayer("serve").mayOnlyAccessLayers("root", "tensor", "io", "models", "api")
                .whereLayer("cli").mayOnlyAccessLayers("root", "tensor", "io", "cl", "ops", "graph", "models",
                        "export", "profile", "api", "serve")
                .check(MAIN);
    }
}
