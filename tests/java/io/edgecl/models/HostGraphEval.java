package io.edgecl.models;

import io.edgecl.graph.Graph;
import io.edgecl.graph.Node;
import io.edgecl.graph.OpSpec;
import io.edgecl.graph.Value;
import io.edgecl.io.HostTensor;
import io.edgecl.ops.Act;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A plain host evaluation of an unfused graph in double precision, for checking a model builder
 * independently of the OpenCL lowering. Covers the ops MobileViT uses.
 */
final class HostGraphEval {
    private HostGraphEval() {}

    /** Runs the graph on an NCHW input; returns each output in NCHW. */
    static Map<String, HostTensor> run(Graph g, HostTensor nchw) {
        Map<Value, double[]> vals = new HashMap<>();
        Value in = g.input();
        vals.put(in, fromNchw(nchw, in));
        for (Node node : g.nodes()) {
            Value y = node.output();
            vals.put(y, eval(node, vals));
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : g.outputs().entrySet()) out.put(e.getKey(), toNchw(vals.get(e.getValue()), e.getValue()));
        return out;
    }

    private static double[] fromNchw(HostTensor t, Value v) {
        int n = v.n(), h = v.h(), w = v.w(), c = v.c();
        double[] d = new double[n * h * w * c];
        float[] s = t.data();
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < h * w; p++) d[(b * h * w + p) * c + ch] = s[(b * c + ch) * h * w + p];
        return d;
    }

    private static HostTensor toNchw(double[] d, Value v) {
        int n = v.n(), h = v.h(), w = v.w(), c = v.c();
        float[] s = new float[d.length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < h * w; p++) s[(b * c + ch) * h * w + p] = (float) d[(b * h * w + p) * c + ch];
        return h == 1 && w == 1 ? new HostTensor(new int[] {n, c}, s) : new HostTensor(new int[] {n, c, h, w}, s);
    }

    private static double[] eval(Node node, Map<Value, double[]> vals) {
        Value x = node.inputs().get(0), y = node.output();
        double[] a = vals.get(x);
        double[] o = new double[(int) y.numel()];
        OpSpec op = node.op();
        int n = y.n(), oh = y.h(), ow = y.w(), oc = y.c(), ih = x.h(), iw = x.w(), ic = x.c();
        if (op instanceof OpSpec.Conv cv) {
            float[] wt = cv.weight().data();
            for (int b = 0; b < n; b++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                        for (int co = 0; co < oc; co++) {
                            double s = cv.bias() == null ? 0 : cv.bias().data()[co];
                            for (int ky = 0; ky < cv.kh(); ky++) {
                                int yy = oy * cv.stride() - cv.padH() + ky;
                                if (yy < 0 || yy >= ih) continue;
                                for (int kx = 0; kx < cv.kw(); kx++) {
                                    int xx = ox * cv.stride() - cv.padW() + kx;
                                    if (xx < 0 || xx >= iw) continue;
                                    int base = ((b * ih + yy) * iw + xx) * ic;
                                    for (int ci = 0; ci < ic; ci++) s += a[base + ci] * wt[((ky * cv.kw() + kx) * ic + ci) * oc + co];
                                }
                            }
                            o[((b * oh + oy) * ow + ox) * oc + co] = cv.act().apply(s);
                        }
        } else if (op instanceof OpSpec.DwConv cv) {
            float[] wt = cv.weight().data();
            for (int b = 0; b < n; b++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                        for (int co = 0; co < oc; co++) {
                            double s = cv.bias() == null ? 0 : cv.bias().data()[co];
                            for (int ky = 0; ky < cv.kh(); ky++) {
                                int yy = oy * cv.stride() - cv.padH() + ky;
                                if (yy < 0 || yy >= ih) continue;
                                for (int kx = 0; kx < cv.kw(); kx++) {
                                    int xx = ox * cv.stride() - cv.padW() + kx;
                                    if (xx < 0 || xx >= iw) continue;
                                    s += a[((b * ih + yy) * iw + xx) * ic + co / cv.mult()] * wt[(ky * cv.kw() + kx) * oc + co];
                                }
                            }
                            o[((b * oh + oy) * ow + ox) * oc + co] = cv.act().apply(s);
                        }
        } else if (op instanceof OpSpec.Gemm gm) {
            float[] wt = gm.weight().data();
            int rows = x.rows();
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < oc; j++) {
                    double s = gm.bias() == null ? 0 : gm.bias().data()[j];
                    for (int k = 0; k < ic; k++) s += a[r * ic + k] * wt[k * oc + j];
                    s = gm.act().apply(s);
                    if (gm.gamma() != null) s *= gm.gamma().data()[j];
                    if (gm.residual()) s += vals.get(node.inputs().get(1))[r * oc + j];
                    o[r * oc + j] = s;
                }
        } else if (op instanceof OpSpec.LayerNorm ln) {
            for (int r = 0; r < x.rows(); r++) {
                double m = 0, v = 0;
                for (int k = 0; k < ic; k++) m += a[r * ic + k];
                m /= ic;
                for (int k = 0; k < ic; k++) v += (a[r * ic + k] - m) * (a[r * ic + k] - m);
                v /= ic;
                double inv = 1 / Math.sqrt(v + ln.eps());
                for (int k = 0; k < ic; k++) o[r * ic + k] = (a[r * ic + k] - m) * inv * ln.gamma().data()[k] + ln.beta().data()[k];
            }
        } else if (op instanceof OpSpec.Activation ac) {
            for (int i = 0; i < o.length; i++) o[i] = ac.act().apply(a[i]);
        } else if (op instanceof OpSpec.Add ad) {
            double[] b2 = vals.get(node.inputs().get(1));
            for (int i = 0; i < o.length; i++) o[i] = ad.act().apply(a[i] + b2[i]);
        } else if (op instanceof OpSpec.Concat) {
            int off = 0;
            for (Value v : node.inputs()) {
                double[] s = vals.get(v);
                for (int r = 0; r < y.rows(); r++) System.arraycopy(s, r * v.c(), o, r * oc + off, v.c());
                off += v.c();
            }
        } else if (op instanceof OpSpec.SelfAttention sa) {
            attention(a, o, n, oh, ow, oc, sa);
        } else if (op instanceof OpSpec.AvgPool) {
            for (int b = 0; b < n; b++)
                for (int p = 0; p < ih * iw; p++)
                    for (int k = 0; k < ic; k++) o[b * ic + k] += a[(b * ih * iw + p) * ic + k] / (ih * iw);
        } else {
            throw new IllegalArgumentException("no host evaluation for " + op.kind());
        }
        return o;
    }

    private static void attention(double[] qkv, double[] o, int n, int h, int w, int c, OpSpec.SelfAttention sa) {
        int heads = sa.heads(), d = c / heads;
        int[] toks = new int[h * w];
        for (int b = 0; b < n; b++)
            for (int gy = 0; gy < sa.patchH(); gy++)
                for (int gx = 0; gx < sa.patchW(); gx++) {
                    int cnt = 0;
                    for (int y = gy; y < h; y += sa.patchH())
                        for (int x = gx; x < w; x += sa.patchW()) toks[cnt++] = b * h * w + y * w + x;
                    double[] s = new double[cnt];
                    for (int hd = 0; hd < heads; hd++)
                        for (int i = 0; i < cnt; i++) {
                            double mx = Double.NEGATIVE_INFINITY;
                            for (int j = 0; j < cnt; j++) {
                                double dot = 0;
                                for (int k = 0; k < d; k++) {
                                    dot += qkv[toks[i] * 3 * c + hd * d + k] * qkv[toks[j] * 3 * c + c + hd * d + k];
                                }
                                s[j] = dot * sa.scale();
                                mx = Math.max(mx, s[j]);
                            }
                            double sum = 0;
                            for (int j = 0; j < cnt; j++) sum += s[j] = Math.exp(s[j] - mx);
                            for (int k = 0; k < d; k++) {
                                double acc = 0;
                                for (int j = 0; j < cnt; j++) acc += s[j] * qkv[toks[j] * 3 * c + 2 * c + hd * d + k];
                                o[toks[i] * c + hd * d + k] = acc / sum;
                            }
                        }
                }
    }
}
