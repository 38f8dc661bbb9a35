package io.edgecl.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.models.ModelBudget;
import io.edgecl.models.ModelSpecException;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.ops.Act;
import io.edgecl.ops.Conv2d;
import io.edgecl.tensor.HostTensor;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shapes are inferred and checked as nodes are added, and {@link GraphValidator} finds each kind
 * of broken graph; every registered model's graph stays valid after every fusion rule.
 */
class GraphValidatorTest {
    static List<String> models() {
        return Models.names();
    }

    /**
     * Every registered model up to {@link #MAX_PARAMS} parameters, at its default size: valid as
     * built and after each rule. The larger variants repeat the same blocks wider or deeper, and
     * their placeholder weights alone take seconds to allocate: they are listed, not built (a
     * test per model built, so none is reported as skipped).
     */
    @TestFactory
    java.util.stream.Stream<DynamicTest> everyModelStaysValidThroughEveryRule() {
        List<String> tooLarge = new java.util.ArrayList<>();
        return java.util.stream.Stream.concat(
                models().stream()
                        .map(name -> {
                            VisionModel m = Models.byName(name);
                            int s = m.preprocess().size();
                            Graph[] built = new Graph[1];
                            try {
                                ModelBudget.withMaxParams(
                                        MAX_PARAMS, () -> built[0] = m.build(Weights.synthetic(null), 2, s, s));
                            } catch (ModelSpecException e) {
                                tooLarge.add(name);
                                return null;
                            }
                            return DynamicTest.dynamicTest(name, () -> {
                                Graph g = built[0];
                                assertEquals(List.of(), GraphValidator.problems(g), name + " as built");
                                FusionScheduler.apply(g, Set.of(), true);
                                assertEquals(List.of(), GraphValidator.problems(g), name + " fused");
                            });
                        })
                        .filter(java.util.Objects::nonNull),
                java.util.stream.Stream.of(DynamicTest.dynamicTest("the larger variants", () -> {
                    System.err.println("note: not built (over " + MAX_PARAMS + " parameters): " + tooLarge);
                    assertTrue(tooLarge.size() < models().size() / 2, "most models are checked: " + tooLarge);
                })));
    }

    private static final long MAX_PARAMS = 20_000_000L;

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyOpSampleIsValidFusedAndNot(OpSamples.Sample sample) {
        Graph g = OpSamples.build(sample);
        assertEquals(List.of(), GraphValidator.problems(g), sample.name());
        FusionScheduler.apply(g, Set.of(), true);
        assertEquals(List.of(), GraphValidator.problems(g), sample.name() + " fused");
    }

    static List<OpSamples.Sample> samples() {
        return OpSamples.all();
    }

    /** The tests run with assertions on, so every FusionScheduler.apply in them validates after each rule. */
    @Test
    void fusionValidatesInTheTests() {
        Chain c = chain();
        c.y.consumers.clear();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FusionScheduler.apply(c.g, Set.of()));
        assertTrue(e.getMessage().contains("before fusion") && e.getMessage().contains("fc1"), e.getMessage());
    }

    @Test
    void aMissingConsumerIsFound() {
        Chain c = chain();
        c.y.consumers.clear();
        assertProblem(c.g, "value fc1[2,3,5,8] lists consumers [], but [act:activation] read it");
    }

    @Test
    void aValueProducedTwiceIsFound() {
        Chain c = chain();
        Node act = c.z.producer;
        act.output = c.y;
        assertProblem(c.g, "value fc1[2,3,5,8] is produced twice (by fc1:gemm and act:activation)");
    }

    @Test
    void aWrongShapeIsFound() {
        Chain c = chain();
        Node fc = c.y.producer;
        fc.op = new GemmOp(HostTensor.zeros(6, 9), null, Act.NONE, null, false);
        assertProblem(c.g, "node fc1:gemm outputs [2,3,5,8], but its op gives [2,3,5,9] for [[2,3,5,6]]");
    }

    @Test
    void aDanglingInputIsFound() {
        Chain c = chain();
        Value stray = new Value(99, "stray", 2, 3, 5, 8);
        Node act = c.z.producer;
        act.inputs.set(0, stray);
        stray.consumers.add(act);
        assertProblem(c.g, "node act:activation reads stray[2,3,5,8], which no node produces");
    }

    @Test
    void addRejectsInputsThatDoNotFitNamingTheNode() {
        Graph g = new Graph();
        Value x = g.input("input", 2, 3, 5, 6);
        Block b = g.block("b", "t");
        ShapeException e = assertThrows(
                ShapeException.class,
                () -> g.add(b, "blocks.0.fc1", new GemmOp(HostTensor.zeros(7, 8), null, Act.NONE, null, false), x));
        assertEquals("node blocks.0.fc1 (gemm): weight is [7, 8], expected [6, *]", e.getMessage());
        Value y = g.add(b, "fc", new GemmOp(HostTensor.zeros(6, 8), null, Act.NONE, null, false), x);
        e = assertThrows(ShapeException.class, () -> g.add(b, "blocks.0.residual", new AddOp(Act.NONE), x, y));
        assertTrue(e.getMessage().startsWith("node blocks.0.residual (add): "), e.getMessage());
        e = assertThrows(
                ShapeException.class,
                () -> g.add(b, "stem", new ConvOp(HostTensor.zeros(7, 7, 6, 4), null, 7, 7, 2, 0, 0, Act.NONE), x));
        assertEquals("node stem (conv2d): a 7x7 window does not fit the 3x5 input", e.getMessage());
    }

    @Test
    void outputShapesAreInferred() {
        Graph g = new Graph();
        Value x = g.input("input", 2, 8, 7, 6);
        Block b = g.block("b", "t");
        // TensorFlow "same": ceil(in / stride), the odd padding after
        Value y = g.add(b, "same", new ConvOp(HostTensor.zeros(3, 3, 6, 4), null, 3, 3, 2, 0, 1, 1, 1, Act.NONE), x);
        assertEquals(new Shape(2, 4, 4, 4), y.shape());
        assertEquals(4, Conv2d.outSize(8, 3, 2, 0, 1));
        Value d = g.add(b, "dw", new DwConvOp(HostTensor.zeros(3, 3, 8), null, 3, 3, 1, 1, 1, 2, Act.NONE), y);
        assertEquals(new Shape(2, 4, 4, 8), d.shape());
        Value p = g.add(b, "pool", new AvgPoolOp(), d);
        assertEquals(new Shape(2, 1, 1, 8), p.shape());
        Value cat = g.add(b, "cat", new ConcatOp(), y, d);
        assertEquals(new Shape(2, 4, 4, 12), cat.shape());
        assertEquals(List.of(), GraphValidator.problems(g));
    }

    private static void assertProblem(Graph g, String problem) {
        List<String> p = GraphValidator.problems(g);
        assertTrue(p.contains(problem), "expected '" + problem + "' in " + p);
        assertThrows(IllegalStateException.class, () -> GraphValidator.check(g));
    }

    private record Chain(Graph g, Value y, Value z) {}

    /** input [2,3,5,6] → fc1 (gemm to 8) → act (relu) → logits. */
    private static Chain chain() {
        Graph g = new Graph();
        Value x = g.input("input", 2, 3, 5, 6);
        Block b = g.block("b", "t");
        Value y = g.add(b, "fc1", new GemmOp(HostTensor.zeros(6, 8), null, Act.NONE, null, false), x);
        Value z = g.add(b, "act", new ActivationOp(Act.RELU), y);
        g.output("logits", z);
        assertEquals(List.of(), GraphValidator.problems(g));
        return new Chain(g, y, z);
    }
}
