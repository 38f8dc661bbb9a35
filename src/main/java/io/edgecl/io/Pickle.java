package io.edgecl.io;

import io.edgecl.tensor.DType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted unpickler for torch.save's data.pkl. It never runs code: the few globals a state dict
 * needs are built as plain Java values, every other global becomes an inert {@link PyObject}.
 */
final class Pickle {
    /** Bounds so a hostile stream fails with a typed error instead of exhausting memory. */
    static final int MAX_STACK = 4_000_000;

    static final int MAX_MARKS = 100_000;
    static final int MAX_MEMO = 4_000_000;
    static final int MAX_HASH_DEPTH = 64;
    static final int MAX_STRING = 64 << 20;

    record PyGlobal(String module, String name) {
        String qualified() {
            return module + "." + name;
        }

        @Override
        public String toString() {
            return qualified();
        }
    }

    record PyTuple(List<Object> items) {
        PyTuple {
            items = List.copyOf(nullSafe(items));
        }

        private static List<Object> nullSafe(List<Object> items) {
            List<Object> out = new ArrayList<>(items.size());
            for (Object o : items) out.add(o == null ? NONE : o);
            return out;
        }

        Object get(int i) {
            Object o = items.get(i);
            return o == NONE ? null : o;
        }

        int size() {
            return items.size();
        }
    }

    /** Python None inside tuples (List.copyOf refuses null). */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** An object of a class this reader does not build; kept only so the stream can be walked. */
    static final class PyObject {
        final PyGlobal type;

        PyObject(PyGlobal type) {
            this.type = type;
        }

        @Override
        public String toString() {
            return "<" + type + " object>";
        }
    }

    record StorageRef(String key, DType dtype, String location, long numel) {}

    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    private static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", DType.F32), Map.entry("DoubleStorage", DType.F64),
            Map.entry("HalfStorage", DType.F16), Map.entry("BFloat16Storage", DType.BF16),
            Map.entry("LongStorage", DType.I64), Map.entry("IntStorage", DType.I32),
            Map.entry("ShortStorage", DType.I16), Map.entry("CharStorage", DType.I8),
            Map.entry("ByteStorage", DType.U8), Map.entry("BoolStorage", DType.BOOL));

    private static final Set<String> TENSOR_REBUILDERS = Set.of("_rebuild_tensor_v2", "_rebuild_tensor");

    private final String where;
    private final ByteBuffer in;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final HashMap<Long, Object> memo = new HashMap<>();

    private Pickle(String where, byte[] data) {
        this.where = where;
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Unpickles {@code data}; {@code where} names the source in error messages. */
    static Object load(String where, byte[] data) {
        Pickle p = new Pickle(where, data);
        try {
            return p.run();
        } catch (java.nio.BufferUnderflowException e) {
            throw p.fail("pickle stream truncated at byte " + data.length);
        } catch (IndexOutOfBoundsException | IllegalArgumentException | ClassCastException | ArithmeticException e) {
            throw p.fail("malformed pickle: " + e.getClass().getSimpleName());
        }
    }

    private WeightFileException fail(String msg) {
        return new WeightFileException(where + ": " + msg);
    }

    private Object run() {
        while (true) {
            if (!in.hasRemaining())
                throw fail("pickle stream truncated at byte " + in.position() + " (no STOP opcode)");
            int pos = in.position();
            int op = in.get() & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = in.get() & 0xFF;
                    if (v > 5) throw fail("unsupported pickle protocol " + v);
                }
                case 0x95 -> in.getLong(); // FRAME: framing is only a buffering hint
                case '.' -> { // STOP
                    if (stack.isEmpty()) throw fail("STOP with an empty stack at byte " + pos);
                    if (!marks.isEmpty()) throw fail("STOP at byte " + pos + " with a MARK still open");
                    return pop();
                }
                case '}' -> push(new LinkedHashMap<>());
                case ']' -> push(new ArrayList<>());
                case ')' -> push(new PyTuple(List.of()));
                case '(' -> {
                    if (marks.size() >= MAX_MARKS) throw fail("pickle nests MARKs deeper than " + MAX_MARKS);
                    marks.add(stack.size());
                }
                case 'X' -> push(utf8(len32()));
                case 0x8C -> push(utf8(in.get() & 0xFF)); // SHORT_BINUNICODE
                case 0x8D -> push(utf8(len64())); // BINUNICODE8
                case 'T' -> push(latin1(len32())); // BINSTRING
                case 'U' -> push(latin1(in.get() & 0xFF)); // SHORT_BINSTRING
                case 'C' -> push(bytes(in.get() & 0xFF)); // SHORT_BINBYTES
                case 'B' -> push(bytes(len32())); // BINBYTES
                case 0x8E -> push(bytes(len64())); // BINBYTES8
                case 'J' -> push((long) in.getInt());
                case 'K' -> push((long) (in.get() & 0xFF));
                case 'M' -> push((long) (in.getShort() & 0xFFFF));
                case 0x8A -> push(longN(in.get() & 0xFF)); // LONG1
                case 0x8B -> push(longN(len32())); // LONG4
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT is big-endian
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'N' -> push(null);
                case 't' -> push(new PyTuple(popMark()));
                case 0x85 -> push(new PyTuple(List.of(box(pop()))));
                case 0x86 -> {
                    Object b = pop();
                    Object a = pop();
                    push(new PyTuple(List.of(box(a), box(b))));
                }
                case 0x87 -> {
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(new PyTuple(List.of(box(a), box(b), box(c))));
                }
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'd' -> { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putItems(m, items);
                    push(m);
                }
                case 0x8F -> push(new PyObject(new PyGlobal("builtins", "set"))); // EMPTY_SET
                case 0x90 -> { // ADDITEMS: sets carry nothing a state dict needs
                    popMark();
                    peek();
                }
                case 0x91 -> { // FROZENSET
                    popMark();
                    push(new PyObject(new PyGlobal("builtins", "frozenset")));
                }
                case 'c' -> push(new PyGlobal(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL at byte " + pos + " needs two strings");
                    }
                    push(new PyGlobal(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args, pos));
                }
                case 0x81 -> { // NEWOBJ
                    Object args = pop();
                    Object cls = pop();
                    push(newObject(cls, args));
                }
                case 0x92 -> { // NEWOBJ_EX
                    pop();
                    Object args = pop();
                    Object cls = pop();
                    push(newObject(cls, args));
                }
                case 'b' -> { // BUILD: only placeholders and dict subclasses receive state; both ignore it
                    pop();
                    peek();
                }
                case 'Q' -> push(persistentLoad(pop(), pos)); // BINPERSID
                case 'P' -> throw fail("unsupported text persistent id (PERSID) at byte " + pos);
                case 'q' -> memoPut(in.get() & 0xFF);
                case 'r' -> memoPut(in.getInt() & 0xFFFFFFFFL);
                case 0x94 -> memoPut(memo.size()); // MEMOIZE
                case 'h' -> push(memoGet(in.get() & 0xFF, pos));
                case 'j' -> push(memoGet(in.getInt() & 0xFFFFFFFFL, pos));
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    Map<Object, Object> m = asDict(peek(), pos);
                    if (m != null) m.put(key(k), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    Map<Object, Object> m = asDict(peek(), pos);
                    if (m != null) putItems(m, items);
                }
                case 'a' -> { // APPEND
                    Object v = pop();
                    if (peek() instanceof List<?> l) cast(l).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    if (peek() instanceof List<?> l) {
                        if (l.size() + items.size() > MAX_STACK) throw fail("list grows past " + MAX_STACK + " items");
                        cast(l).addAll(items);
                    }
                }
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                default -> throw fail(String.format("unsupported pickle opcode 0x%02x at byte %d", op, pos));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> cast(List<?> l) {
        return (List<Object>) l;
    }

    private static Object box(Object o) {
        return o == null ? NONE : o;
    }

    private void push(Object o) {
        if (stack.size() >= MAX_STACK) throw fail("pickle stack grows past " + MAX_STACK + " entries");
        stack.add(o);
    }

    private Object pop() {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) throw fail("pickle stack underflow at byte " + (in.position() - 1));
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) throw fail("pickle stack underflow at byte " + (in.position() - 1));
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) throw fail("pickle uses a MARK that was never set, at byte " + (in.position() - 1));
        int m = marks.remove(marks.size() - 1);
        List<Object> sub = stack.subList(m, stack.size());
        List<Object> items = new ArrayList<>(sub);
        sub.clear();
        return items;
    }

    private void memoPut(long idx) {
        if (stack.isEmpty()) throw fail("memo store with an empty stack at byte " + (in.position() - 1));
        if (memo.size() >= MAX_MEMO && !memo.containsKey(idx))
            throw fail("pickle memo grows past " + MAX_MEMO + " entries");
        memo.put(idx, stack.get(stack.size() - 1));
    }

    private Object memoGet(long idx, int pos) {
        if (!memo.containsKey(idx))
            throw fail("pickle refers to memo entry " + idx + " that was never stored, at byte " + pos);
        return memo.get(idx);
    }

    private long len32() {
        return in.getInt() & 0xFFFFFFFFL;
    }

    private long len64() {
        long n = in.getLong();
        if (n < 0) throw fail("negative length " + n + " at byte " + (in.position() - 8));
        return n;
    }

    private byte[] bytes(long n) {
        if (n > in.remaining()) {
            throw fail("pickle stream truncated: a " + n + "-byte value at byte " + in.position()
                    + " runs past the end (" + in.remaining() + " bytes left)");
        }
        if (n > MAX_STRING) throw fail("a " + n + "-byte string in the pickle exceeds the limit");
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private String utf8(long n) {
        byte[] b = bytes(n);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw fail("pickle string at byte " + (in.position() - n) + " is not valid UTF-8");
        }
    }

    private String latin1(long n) {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private String line() {
        int start = in.position();
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (!in.hasRemaining()) throw fail("pickle stream truncated inside a GLOBAL name at byte " + start);
            byte b = in.get();
            if (b == '\n') return sb.toString();
            if (sb.length() > 1024) throw fail("GLOBAL name at byte " + start + " is too long");
            sb.append((char) (b & 0xFF));
        }
    }

    private Object longN(long n) {
        byte[] b = bytes(n);
        if (n == 0) return 0L;
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) be[i] = b[b.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asDict(Object o, int pos) {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        if (o instanceof PyObject) return null;
        throw fail("SETITEM on a " + typeName(o) + " at byte " + pos);
    }

    private void putItems(Map<Object, Object> m, List<Object> items) {
        if ((items.size() & 1) != 0) throw fail("odd number of items for a dict at byte " + (in.position() - 1));
        for (int i = 0; i < items.size(); i += 2) m.put(key(items.get(i)), items.get(i + 1));
    }

    /** Dict keys must be hashable values; anything mutable or cyclic is refused before hashCode can recurse. */
    private Object key(Object k) {
        checkHashable(k, 0);
        return k == null ? NONE : k;
    }

    private void checkHashable(Object k, int depth) {
        if (depth > MAX_HASH_DEPTH) throw fail("dict key nested deeper than " + MAX_HASH_DEPTH);
        if (k == null
                || k == NONE
                || k instanceof String
                || k instanceof Long
                || k instanceof BigInteger
                || k instanceof Double
                || k instanceof Boolean
                || k instanceof PyGlobal
                || k instanceof PyObject
                || k instanceof StorageRef) {
            return;
        }
        if (k instanceof PyTuple t) {
            for (Object o : t.items()) checkHashable(o, depth + 1);
            return;
        }
        throw fail("unhashable dict key of type " + typeName(k));
    }

    static String typeName(Object o) {
        if (o == null || o == NONE) return "None";
        if (o instanceof PyObject p) return p.type.qualified();
        if (o instanceof PyTuple) return "tuple";
        if (o instanceof Map) return "dict";
        if (o instanceof List) return "list";
        if (o instanceof TensorRef) return "tensor";
        if (o instanceof StorageRef) return "storage";
        if (o instanceof PyGlobal g) return "global " + g.qualified();
        return o.getClass().getSimpleName();
    }

    private Object newObject(Object cls, Object args) {
        if (cls instanceof PyGlobal g && g.qualified().equals("collections.OrderedDict")) return new LinkedHashMap<>();
        return new PyObject(cls instanceof PyGlobal g ? g : new PyGlobal("?", typeName(cls)));
    }

    private Object reduce(Object callable, Object args, int pos) {
        if (!(callable instanceof PyGlobal g)) return new PyObject(new PyGlobal("?", typeName(callable)));
        PyTuple a = args instanceof PyTuple t ? t : null;
        String q = g.qualified();
        if (g.module().equals("torch._utils") && TENSOR_REBUILDERS.contains(g.name())) {
            if (a == null || a.size() < 4) throw fail(q + " at byte " + pos + " needs (storage, offset, size, stride)");
            if (!(a.get(0) instanceof StorageRef s)) {
                throw fail(q + " at byte " + pos + " got a " + typeName(a.get(0)) + " instead of a storage");
            }
            long offset = integer(a.get(1), q + " storage offset", pos);
            long[] size = ints(a.get(2), q + " size", pos);
            long[] stride = ints(a.get(3), q + " stride", pos);
            if (size.length != stride.length) {
                throw fail(
                        q + " at byte " + pos + ": size has " + size.length + " dims but stride has " + stride.length);
            }
            return new TensorRef(s, offset, size, stride);
        }
        if (q.equals("torch._utils._rebuild_parameter") || q.equals("torch._utils._rebuild_parameter_with_state")) {
            if (a == null || a.size() < 1) throw fail(q + " at byte " + pos + " has no arguments");
            return a.get(0);
        }
        if (q.equals("collections.OrderedDict")) {
            Map<Object, Object> m = new LinkedHashMap<>();
            if (a != null && a.size() == 1 && a.get(0) instanceof List<?> pairs) {
                for (Object p : pairs) {
                    if (p instanceof PyTuple kv && kv.size() == 2) m.put(key(kv.get(0)), kv.get(1));
                }
            }
            return m;
        }
        if (q.equals("torch.Size") && a != null && a.size() == 1 && a.get(0) instanceof PyTuple t) return t;
        return new PyObject(g);
    }

    private Object persistentLoad(Object pid, int pos) {
        if (!(pid instanceof PyTuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw fail("unsupported persistent id at byte " + pos
                    + " (expected ('storage', type, key, location, numel), got " + describe(pid) + ")");
        }
        if (!(t.get(1) instanceof PyGlobal type)) {
            throw fail("persistent id at byte " + pos + ": storage type is a " + typeName(t.get(1)));
        }
        DType dtype = type.module().equals("torch") ? STORAGE_TYPES.get(type.name()) : null;
        if (dtype == null)
            throw fail("persistent id at byte " + pos + ": unsupported storage type " + type.qualified());
        if (!(t.get(2) instanceof String key) || key.isEmpty() || key.contains("/") || key.contains("..")) {
            throw fail("persistent id at byte " + pos + ": bad storage key " + describe(t.get(2)));
        }
        String location = t.get(3) instanceof String l ? l : String.valueOf(t.get(3));
        long numel = integer(t.get(4), "storage numel", pos);
        if (numel < 0) throw fail("persistent id at byte " + pos + ": negative storage size " + numel);
        return new StorageRef(key, dtype, location, numel);
    }

    private String describe(Object o) {
        if (o instanceof PyTuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < Math.min(t.size(), 6); i++) {
                if (i > 0) sb.append(", ");
                Object x = t.get(i);
                sb.append(
                        x instanceof String s
                                ? "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'"
                                : x instanceof Long || x instanceof PyGlobal ? x.toString() : typeName(x));
            }
            return sb.append(t.size() > 6 ? ", ...)" : ")").toString();
        }
        return o instanceof String s ? "'" + s + "'" : typeName(o);
    }

    private long integer(Object o, String what, int pos) {
        if (o instanceof Long l) return l;
        throw fail(what + " at byte " + pos + " is a " + typeName(o) + ", not an integer");
    }

    private long[] ints(Object o, String what, int pos) {
        if (!(o instanceof PyTuple t)) throw fail(what + " at byte " + pos + " is a " + typeName(o) + ", not a tuple");
        if (t.size() > 64) throw fail(what + " at byte " + pos + " has " + t.size() + " dims");
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) out[i] = integer(t.get(i), what, pos);
        return out;
    }
}
