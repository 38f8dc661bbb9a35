package io.edgecl.graph;

import io.edgecl.ops.Act;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/**
 * Where an op writes its ONNX form (opset 17, NCHW, float32): nodes, initializers and fresh
 * names. The export in {@code io.edgecl.export} implements it; ops only describe their nodes.
 */
public interface OnnxNodes {
    /** A fresh intermediate tensor name. */
    String tmp();

    /** Adds a node; returns its first output's name. */
    String node(String opType, List<String> inputs, List<String> outputs, Attr... attrs);

    /** Adds a float initializer named {@code name} (made unique when taken); returns its name. */
    String init(String name, HostTensor t);

    /** Adds an int64 vector initializer with a fresh name; returns its name. */
    String ints(long... values);

    /** A scalar float initializer with a fresh name. */
    default String scalar(float v) {
        return init("const", new HostTensor(new int[] {}, new float[] {v}));
    }

    /** Emits {@code act} from {@code in} to {@code out}; returns the name holding the result ({@code in} for NONE). */
    default String activation(Act act, String in, String out) {
        switch (act) {
            case NONE:
                return in;
            case RELU:
                return node("Relu", List.of(in), List.of(out));
            case RELU6:
                return node("Clip", List.of(in, scalar(0), scalar(6)), List.of(out));
            case SIGMOID:
                return node("Sigmoid", List.of(in), List.of(out));
            case HSIGMOID:
                return node("HardSigmoid", List.of(in), List.of(out), Attr.f("alpha", 1f / 6), Attr.f("beta", 0.5f));
            case HSWISH:
                return node("HardSwish", List.of(in), List.of(out));
            case SILU:
                return node("Mul", List.of(in, node("Sigmoid", List.of(in), List.of(tmp()))), List.of(out));
            case GELU: {
                String t = node("Mul", List.of(in, scalar((float) Math.sqrt(0.5))), List.of(tmp()));
                t = node("Erf", List.of(t), List.of(tmp()));
                t = node("Add", List.of(t, scalar(1)), List.of(tmp()));
                t = node("Mul", List.of(in, t), List.of(tmp()));
                return node("Mul", List.of(t, scalar(0.5f)), List.of(out));
            }
            default:
                throw new IllegalStateException("no ONNX form for activation " + act);
        }
    }

    /** A node attribute: an int, a float, a list of ints or a string. */
    record Attr(String name, Long i, Float f, int[] ints, String s) {
        public static Attr i(String name, long v) {
            return new Attr(name, v, null, null, null);
        }

        public static Attr f(String name, float v) {
            return new Attr(name, null, v, null, null);
        }

        public static Attr ints(String name, int... v) {
            return new Attr(name, null, null, v, null);
        }

        public static Attr s(String name, String v) {
            return new Attr(name, null, null, null, v);
        }
    }

    /**
     * One op's place in the exported graph: its name prefix, input values with their ONNX names,
     * and its output value with the name to write.
     */
    record Site(String prefix, List<Value> in, List<String> names, Value y, String out) {
        public Value x() {
            return in.get(0);
        }

        public String xi() {
            return names.get(0);
        }

        public String name(int i) {
            return names.get(i);
        }

        /** The same site writing to {@code name} (the first part of a fused op). */
        public Site writing(String name) {
            return new Site(prefix, in, names, y, name);
        }

        /** The same site reading {@code name} as its only input (the second part of a fused op). */
        public Site reading(String name, Value v) {
            return new Site(prefix, List.of(v), List.of(name), y, out);
        }
    }
}
